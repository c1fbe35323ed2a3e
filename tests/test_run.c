/* test_run.c — the runner: criteria evaluation (end/max/min/mean, summary values,
 * unknown metrics), runner_run on the model (determinism, seeds, failed runs), and the
 * `crucible run` / `crucible export` commands end to end. */
#include <criterion/criterion.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/rng.h"
#include "model/core/memsink.h"
#include "run/criteria.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"

/* A series 1, 5, NaN, 3 at t = 1..4 and summary drawdown = 0.4. */
static void fill(memsink *m)
{
    crc_sink k = memsink_sink(m);
    const double v[] = {1, 5, NAN, 3};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(sink_metric(&k, i + 1, "price_usd", v[i]), 0);
        cr_assert_eq(sink_metric(&k, i + 1, "supply", 100.0 * (i + 1)), 0);
    }
    cr_assert_eq(sink_summary(&k, "drawdown", 0.4), 0);
}

static crc_criterion crit(const char *name, const char *metric, int stat, int op, double x)
{
    crc_criterion c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.metric, sizeof c.metric, "%s", metric);
    c.stat = stat;
    c.op = op;
    c.value = x;
    return c;
}

Test(criteria, statistics_over_the_series_skip_undefined_epochs)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m);
    struct {
        int stat;
        double want;
    } cases[] = {{CRIT_END, 3}, {CRIT_MAX, 5}, {CRIT_MIN, 1}, {CRIT_MEAN, 3}};
    for (size_t i = 0; i < 4; i++) {
        crc_criterion c = crit("c", "price_usd", cases[i].stat, CRIT_LT, 4);
        crit_result r;
        cr_expect_eq(criteria_eval(&c, &m, &r), CRC_OK, "%s", r.error);
        cr_expect_eq(r.value, cases[i].want, "stat %s", criteria_stat_name(cases[i].stat));
        cr_expect_eq(r.passed, cases[i].want < 4);
        cr_expect_eq(r.from_summary, 0);
    }
    memsink_free(&m);
}

Test(criteria, operators_compare_value_with_threshold)
{
    cr_expect(criteria_compare(CRIT_LT, 1, 2));
    cr_expect_not(criteria_compare(CRIT_LT, 2, 2));
    cr_expect(criteria_compare(CRIT_LE, 2, 2));
    cr_expect(criteria_compare(CRIT_GT, 3, 2));
    cr_expect_not(criteria_compare(CRIT_GE, 1, 2));
    cr_expect(criteria_compare(CRIT_EQ, 2, 2));
    cr_expect(criteria_compare(CRIT_NE, 1, 2));
    cr_expect_not(criteria_compare(CRIT_NE, NAN, 2));
    cr_expect_str_eq(criteria_op_name(CRIT_GE), ">=");
    cr_expect_str_eq(criteria_stat_name(CRIT_MEAN), "mean");
}

Test(criteria, a_summary_value_is_tested_by_name)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m);
    crc_criterion c = crit("dd", "drawdown", CRIT_END, CRIT_LT, 0.5);
    crit_result r;
    cr_expect_eq(criteria_eval(&c, &m, &r), CRC_OK);
    cr_expect_eq(r.value, 0.4);
    cr_expect(r.from_summary);
    cr_expect(r.passed);
    memsink_free(&m);
}

Test(criteria, unknown_metric_fails_with_the_nearest_names)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m);
    crc_criterion c = crit("p", "price_ud", CRIT_END, CRIT_GT, 0);
    crit_result r;
    cr_expect_eq(criteria_eval(&c, &m, &r), CRC_EINPUT);
    cr_expect_eq(r.passed, 0);
    cr_expect(isnan(r.value));
    cr_expect(strstr(r.error, "criterion 'p'"), "%s", r.error);
    cr_expect(strstr(r.error, "'price_ud'"), "%s", r.error);
    cr_expect(strstr(r.error, "did you mean 'price_usd'"), "%s", r.error);

    c = crit("q", "zzzzzzzzzzzzzzzz", CRIT_END, CRIT_GT, 0);
    cr_expect_eq(criteria_eval(&c, &m, &r), CRC_EINPUT);
    cr_expect(strstr(r.error, "the run wrote 2 metrics (price_usd, supply)"), "%s", r.error);
    memsink_free(&m);
}

Test(criteria, end_value_undefined_is_an_error_not_a_pass)
{
    memsink m;
    memsink_init(&m, NULL);
    crc_sink k = memsink_sink(&m);
    sink_metric(&k, 1, "real_yield", 0.5);
    sink_metric(&k, 2, "real_yield", NAN);
    crc_criterion c = crit("y", "real_yield", CRIT_END, CRIT_NE, 1);
    crit_result r;
    cr_expect_eq(criteria_eval(&c, &m, &r), CRC_EINPUT);
    cr_expect_eq(r.passed, 0);
    cr_expect(strstr(r.error, "undefined"), "%s", r.error);
    memsink_free(&m);
}

/* A scenario built by hand from the registry defaults (no YAML). */
static void default_scenario(scenario *sc, crc_criterion *crits, size_t n)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "unit");
    params_defaults(&sc->params);
    sc->params.world_horizon = 3; /* a few epochs: quick whatever the model grows into */
    sc->criteria = crits;
    sc->n_criteria = n;
    sc->seed = 1;
    sc->replicates = 1;
}

Test(runner, runs_the_model_and_evaluates_criteria)
{
    crc_criterion crits[] = {
        crit("supply_positive", "supply", CRIT_END, CRIT_GT, 0),
        crit("impossible", "supply", CRIT_MAX, CRIT_LT, 0),
        crit("typo", "suply", CRIT_END, CRIT_GT, 0),
    };
    scenario sc;
    default_scenario(&sc, crits, 3);
    memsink m;
    memsink_init(&m, NULL);
    runner_info info;
    crc_err err = {0};
    cr_assert_eq(runner_run(&sc, 42, 3, -1, NULL, &m, &info, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(info.status, CRC_OK);
    cr_expect_eq(info.run_seed, rng_derive_seed(42, 0, 3));
    cr_expect_eq(info.seed, 42);
    cr_expect_eq(info.replicate, 3);
    cr_expect_eq(info.point, -1);
    const memsink_series *s = memsink_get(&m, "supply");
    cr_assert_not_null(s);
    /* one sample per epoch over the horizon */
    cr_expect_eq(s->n, (size_t)(sc.params.world_horizon / sc.params.world_epoch + 1e-9));
    cr_assert_eq(info.n_criteria, 3);
    cr_expect(info.criteria[0].passed);
    cr_expect_not(info.criteria[1].passed);
    cr_expect_not(info.criteria[2].passed);
    cr_expect_eq(info.n_failed, 2);
    cr_expect_eq(info.n_errors, 1);
    cr_expect(strstr(info.error, "did you mean 'supply'"), "%s", info.error);
    cr_expect_eq(info.started_at[4], '-');
    runner_info_free(&info);
    memsink_free(&m);
}

Test(runner, same_seed_same_series_and_memsink_is_reused)
{
    scenario sc;
    default_scenario(&sc, NULL, 0);
    memsink a, b;
    memsink_init(&a, NULL);
    memsink_init(&b, NULL);
    runner_info ia, ib;
    crc_err err = {0};
    cr_assert_eq(runner_run(&sc, 7, 0, 2, NULL, &a, &ia, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(runner_run(&sc, 7, 0, 2, NULL, &b, &ib, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(runner_run(&sc, 7, 0, 2, NULL, &b, &ib, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(a.n_series, b.n_series);
    for (size_t i = 0; i < a.n_series; i++) {
        cr_assert_str_eq(a.series[i].name, b.series[i].name);
        cr_assert_eq(a.series[i].n, b.series[i].n, "%s", a.series[i].name);
        cr_expect_eq(memcmp(a.series[i].v, b.series[i].v, a.series[i].n * sizeof(double)), 0,
                     "series %s differs", a.series[i].name);
    }
    cr_expect_eq(ia.run_seed, rng_derive_seed(7, 2, 0));
    memsink_free(&a);
    memsink_free(&b);
}

Test(runner, a_failing_model_run_is_reported_as_failed)
{
    scenario sc;
    default_scenario(&sc, NULL, 0);
    sc.params.world_epoch = sc.params.world_horizon * 2; /* model_validate refuses */
    memsink m;
    memsink_init(&m, NULL);
    runner_info info;
    crc_err err = {0};
    int rc = runner_run(&sc, 1, 0, -1, NULL, &m, &info, &err);
    cr_expect_neq(rc, CRC_OK);
    cr_expect_eq(info.status, rc);
    cr_expect_neq(info.error[0], '\0');
    cr_expect_str_eq(info.error, err.msg);

    /* stored as failed, with its error, and nothing else of it */
    char dbpath[64];
    snprintf(dbpath, sizeof dbpath, "/tmp/crc-failed-%d.db", (int)getpid());
    remove(dbpath);
    store *st;
    cr_assert_eq(store_open(&st, dbpath, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(runner_store(st, &sc, &info, &m, NULL, &err), CRC_OK, "%s", err.msg);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(store_db(st),
                                    "SELECT status, error, (SELECT count(*) FROM metrics) "
                                    "FROM runs", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 0), "failed");
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 1), info.error);
    cr_expect_eq(sqlite3_column_int(q, 2), 0);
    sqlite3_finalize(q);
    store_close(st);
    remove(dbpath);
    runner_info_free(&info);
    memsink_free(&m);
}

/* ---- the CLI: crucible export / crucible run ------------------------------------ */


static char cli_dir[64];

static void cli_setup(void)
{
    alarm(120); /* time limit (see tests/README.md) */
    snprintf(cli_dir, sizeof cli_dir, "/tmp/crc-run-XXXXXX");
    cr_assert_not_null(mkdtemp(cli_dir));
}

static void cli_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cli_dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
    static char p[4][160];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", cli_dir, name);
    return p[k];
}

/* Runs `crucible ARGS` in cli_dir with stdout/stderr to files; returns the exit code. */
static int crucible(const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out.txt 2>err.txt", cli_dir, bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    return WEXITSTATUS(st);
}

/* The whole of a file in cli_dir (static buffer). */
static const char *slurp(const char *name)
{
    static char buf[1 << 20];
    FILE *f = fopen(in_dir(name), "rb");
    cr_assert_not_null(f, "cannot open %s", name);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(in_dir(name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A database whose criteria table holds text that needs quoting and escaping. */
static void tricky_db(const char *name)
{
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, in_dir(name), &err), CRC_OK, "%s", err.msg);
    store_criterion cs[] = {
        {"say \"hi\", twice", "m\tx", "end", "<", 0.1, 1.0 / 3.0, 1, "line1\nline2"},
        {"plain", "supply", "max", ">=", 2, NAN, 0, NULL},
    };
    run_record r = {.scenario = "s", .seed = 1, .status = "done", .criteria = cs,
                    .n_criteria = 2};
    cr_assert_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK, "%s", err.msg);
    store_close(s);
}

TestSuite(cli, .init = cli_setup, .fini = cli_teardown);

Test(cli, export_csv_quotes_per_rfc4180)
{
    tricky_db("t.db");
    cr_assert_eq(crucible("export t.db --table criteria"), 0, "%s", slurp("err.txt"));
    cr_expect_str_eq(slurp("out.txt"),
                     "run,name,metric,stat,op,threshold,value,passed,error\n"
                     "1,\"say \"\"hi\"\", twice\",m\tx,end,<,0.1,0.3333333333333333,1,"
                     "\"line1\nline2\"\n"
                     "1,plain,supply,max,>=,2,,0,\n");
}

Test(cli, export_tsv_escapes_tabs_and_newlines)
{
    tricky_db("t.db");
    cr_assert_eq(crucible("export t.db --table criteria --format tsv --out c.tsv"), 0, "%s",
                 slurp("err.txt"));
    cr_expect_str_eq(slurp("out.txt"), "");
    cr_expect_str_eq(slurp("c.tsv"),
                     "run\tname\tmetric\tstat\top\tthreshold\tvalue\tpassed\terror\n"
                     "1\tsay \"hi\", twice\tm\\tx\tend\t<\t0.1\t0.3333333333333333\t1\t"
                     "line1\\nline2\n"
                     "1\tplain\tsupply\tmax\t>=\t2\t\t0\t\n");
    cr_expect_neq(access(in_dir("c.tsv.tmp"), F_OK), 0, "temporary file left behind");
}

Test(cli, export_rejects_bad_input_with_exit_2)
{
    tricky_db("t.db");
    cr_expect_eq(crucible("export t.db --table nope"), 2);
    cr_expect(strstr(slurp("err.txt"), "no table 'nope'"), "%s", slurp("err.txt"));
    cr_expect(strstr(slurp("err.txt"), "metrics"), "%s", slurp("err.txt"));
    cr_expect_eq(crucible("export t.db --format xls"), 2);
    write_file("notes.txt", "not a database at all, just some text\n");
    cr_expect_eq(crucible("export notes.txt"), 2);
    cr_expect(strstr(slurp("err.txt"), "not a Crucible results database"), "%s",
              slurp("err.txt"));
    cr_expect_eq(crucible("export missing.db"), 2);
    cr_expect_eq(crucible("export t.db --out no/such/dir/x.csv"), 1);
    cr_expect(strstr(slurp("err.txt"), "no/such/dir/x.csv"), "%s", slurp("err.txt"));
}

/* Small scenarios: two simulated days keep the tests quick whatever the model grows into. */
static const char tiny_yaml[] = "name: tiny\n"
                                "params:\n"
                                "  world.horizon: 2\n"
                                "criteria:\n"
                                "  - {name: price_positive, metric: price_usd, at: min, op: \">\", "
                                "value: 0}\n";
static const char impossible_yaml[] = "name: impossible\n"
                                      "params:\n"
                                      "  world.horizon: 2\n"
                                      "criteria:\n"
                                      "  - {name: negative_supply, metric: supply, at: end, op: "
                                      "\"<\", value: 0}\n";

Test(cli, run_with_bad_input_exits_2_and_creates_no_results_file)
{
    write_file("bad.yaml", "name: bad\nparams:\n  world.horizon: -5\n");
    write_file("tiny.yaml", tiny_yaml);
    const char *cases[] = {
        "run bad.yaml",                          /* out of range in the file      */
        "run missing.yaml",                      /* no such file                  */
        "run tiny.yaml --set world.horizon=abc", /* bad --set value               */
        "run tiny.yaml --set no.such.param=1",   /* unknown --set path            */
        "run tiny.yaml --replicates 0",          /* bad count                     */
        "run tiny.yaml --seed -3",               /* bad seed                      */
        "run tiny.yaml --frobnicate",            /* unknown option                */
        "run",                                   /* no scenario                   */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_eq(crucible(cases[i]), 2, "%s: %s", cases[i], slurp("err.txt"));
        cr_expect_neq(slurp("err.txt")[0], '\0', "%s: no message", cases[i]);
        cr_expect_neq(access(in_dir("results"), F_OK), 0, "%s created results/", cases[i]);
    }
    cr_expect_eq(crucible("run bad.yaml --out r.db"), 2);
    cr_expect(strstr(slurp("err.txt"), "bad.yaml:3"), "%s", slurp("err.txt"));
    cr_expect(strstr(slurp("err.txt"), "world.horizon"), "%s", slurp("err.txt"));
    cr_expect_neq(access(in_dir("r.db"), F_OK), 0, "a results file was created");
    /* an existing non-Crucible file given as --out is bad input and left untouched */
    write_file("notes.db", "my notes\n");
    cr_expect_eq(crucible("run tiny.yaml --out notes.db"), 2);
    cr_expect_str_eq(slurp("notes.db"), "my notes\n");
}

Test(cli, run_stores_every_replicate_and_prints_the_table)
{
    write_file("tiny.yaml", tiny_yaml);
    cr_assert_eq(crucible("run tiny.yaml --replicates 2 --seed 9"), 0, "%s", slurp("err.txt"));
    /* stderr is not a terminal: a plain line per replicate, no bar */
    const char *err = slurp("err.txt");
    cr_expect(strstr(err, "crucible run: replicate 1/2 (0% done,") &&
                  strstr(err, "crucible run: replicate 2/2 (50% done,"),
              "%s", err);
    cr_expect_null(strchr(err, '\r'), "a bar was drawn into a file: %s", err);
    const char *out = slurp("out.txt");
    cr_expect(strstr(out, "tiny: 2 of 2 replicates done (seed 9) -> results/tiny-"), "%s", out);
    cr_expect(strstr(out, "price_usd"), "%s", out);
    cr_expect(strstr(out, "price_positive"), "%s", out);
    cr_expect(strstr(out, "2/2  ok"), "%s", out);
    /* the default file, found through the shell */
    cr_assert_eq(crucible("export results/tiny-*.db --table runs"), 0, "%s", slurp("err.txt"));
    out = slurp("out.txt");
    cr_expect(strstr(out, ",tiny,"), "%s", out);
    cr_expect(strstr(out, ",9,0,-1,"), "replicate 0 of seed 9: %s", out);
    cr_expect(strstr(out, ",9,1,-1,"), "replicate 1 of seed 9: %s", out);
    cr_expect_eq(crucible("export results/tiny-*.db --table criteria"), 0);
    cr_expect(strstr(slurp("out.txt"), "1,price_positive,price_usd,min,>,0,"), "%s",
              slurp("out.txt"));
}

Test(cli, run_strict_exits_3_when_a_criterion_fails)
{
    write_file("impossible.yaml", impossible_yaml);
    cr_expect_eq(crucible("run impossible.yaml --out a.db --quiet"), 0, "%s",
                 slurp("err.txt"));
    cr_expect_str_eq(slurp("out.txt"), "", "--quiet printed something");
    cr_expect_eq(crucible("run impossible.yaml --out a.db --strict --replicates 2 --resume"), 3,
                 "%s", slurp("err.txt"));
    cr_expect(strstr(slurp("out.txt"), "0/1  FAIL"), "%s", slurp("out.txt"));
    /* both runs were stored (the second resumed the first), each with its failed verdict */
    cr_expect_eq(crucible("export a.db --table criteria"), 0);
    const char *csv = slurp("out.txt");
    cr_expect(strstr(csv, "\n1,negative_supply,supply,end,<,0,"), "%s", csv);
    cr_expect(strstr(csv, "\n2,negative_supply,supply,end,<,0,"), "%s", csv);
    cr_expect(strstr(csv, ",0,\n"), "%s", csv);
    /* a criterion that holds passes under --strict */
    write_file("tiny.yaml", tiny_yaml);
    cr_expect_eq(crucible("run tiny.yaml --out b.db --strict --check"), 0, "%s",
                 slurp("err.txt"));
}

Test(cli, run_with_an_unknown_criterion_metric_is_refused_before_it_runs)
{
    /* The model's metric table names every metric, so a typo is bad input (2) found
     * before the run, not a run error after it (issue 20). */
    write_file("typo.yaml", "name: typo\nparams:\n  world.horizon: 2\ncriteria:\n"
                            "  - {name: p, metric: price_usdd, at: end, op: \">\", value: 0}\n");
    cr_expect_eq(crucible("run typo.yaml --out t.db"), 2, "%s", slurp("err.txt"));
    const char *e = slurp("err.txt");
    cr_expect(strstr(e, "price_usdd"), "%s", e);
    cr_expect(strstr(e, "did you mean 'price_usd'"), "%s", e);
    cr_expect(strstr(e, "typo.yaml:5"), "the message names where the criterion is: %s", e);
    cr_expect_neq(access(in_dir("t.db"), F_OK), 0, "a database was written");
}

Test(cli, same_seed_gives_byte_identical_metrics)
{
    write_file("tiny.yaml", tiny_yaml);
    cr_assert_eq(crucible("run tiny.yaml --seed 123 --replicates 2 --out a.db --quiet"), 0);
    cr_assert_eq(crucible("run tiny.yaml --seed 123 --replicates 2 --out b.db --quiet"), 0);
    cr_assert_eq(crucible("export a.db --out a.csv"), 0);
    cr_assert_eq(crucible("export b.db --out b.csv"), 0);
    cr_assert_eq(crucible("export a.db --table summary --out as.csv"), 0);
    cr_assert_eq(crucible("export b.db --table summary --out bs.csv"), 0);
    char *a = strdup(slurp("a.csv"));
    const char *b = slurp("b.csv");
    cr_expect_gt(strlen(a), 100, "metrics table nearly empty: %s", a);
    cr_expect_str_eq(a, b, "same seed, different metrics");
    free(a);
    a = strdup(slurp("as.csv"));
    const char *row = strchr(a, '\n'); /* past the header: at least one summary row */
    cr_expect(row && row[1], "summary table has no rows: %s", a);
    cr_expect_str_eq(a, slurp("bs.csv"));
    free(a);
    /* replicate r of seed S is the same run whether or not more replicates ran */
    cr_assert_eq(crucible("run tiny.yaml --seed 123 --replicates 1 --out c.db --quiet"), 0);
    cr_assert_eq(crucible("export c.db --out c.csv"), 0);
    a = strdup(slurp("a.csv"));
    const char *c = slurp("c.csv");
    /* A prefix, not the whole: one replicate's rows and not empty (an empty c would
     * make the prefix check pass vacuously). */
    cr_expect(strlen(c) > 100 && strlen(c) < strlen(a), "c.csv %zu bytes, a.csv %zu",
              strlen(c), strlen(a));
    cr_expect_eq(strncmp(a, c, strlen(c)), 0, "replicate 0 differs when run alone");
    free(a);
}

Test(cli, run_into_an_unwritable_place_exits_1_naming_the_file)
{
    write_file("tiny.yaml", tiny_yaml);
    /* Missing folders are made; a file standing where a folder must go is not writable. */
    write_file("no", "a file, not a folder\n");
    cr_expect_eq(crucible("run tiny.yaml --out no/such/dir/r.db"), 1);
    const char *e = slurp("err.txt");
    cr_expect(strstr(e, "no/such/dir/r.db"), "%s", e);
    cr_expect(strstr(e, "--out"), "%s", e);
}

Test(runner, stored_run_reads_back_with_its_scenario_and_interventions)
{
    static const char yaml[] = "name: stored\n"
                               "params:\n"
                               "  world.horizon: 3\n"
                               "  output.sample_every: 0\n"
                               "interventions:\n"
                               "  - {at: 1.5, set: {fees.burn: 0.25}}\n"
                               "criteria:\n"
                               "  - {name: price_positive, metric: price_usd, at: end, op: \">\", "
                               "value: 0}\n";
    scenario sc;
    crc_err err = {0};
    cr_assert_eq(scenario_load_text(&sc, "stored.yaml", yaml, sizeof yaml - 1, &err), CRC_OK,
                 "%s", err.msg);
    memsink m;
    memsink_init(&m, NULL);
    runner_info info;
    cr_assert_eq(runner_run(&sc, 5, 1, 4, NULL, &m, &info, &err), CRC_OK, "%s", err.msg);

    char dbpath[64];
    snprintf(dbpath, sizeof dbpath, "/tmp/crc-runner-%d.db", (int)getpid());
    remove(dbpath);
    store *st;
    cr_assert_eq(store_open(&st, dbpath, &err), CRC_OK, "%s", err.msg);
    int64_t id;
    cr_assert_eq(runner_store(st, &sc, &info, &m, &id, &err), CRC_OK, "%s", err.msg);
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT scenario, scenario_yaml, scenario_hash, seed, "
                                        "replicate, point, status, wall_seconds, "
                                        "(SELECT count(*) FROM metrics WHERE run=runs.id), "
                                        "(SELECT count(*) FROM summary WHERE run=runs.id), "
                                        "(SELECT count(*) FROM interventions WHERE run=runs.id),"
                                        "(SELECT passed FROM criteria WHERE run=runs.id) "
                                        "FROM runs WHERE id=?",
                                    -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_int64(q, 1, id);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    char *text = scenario_resolved_text(&sc);
    char hash[17];
    scenario_hash(&sc, hash);
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 0), "stored");
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 1), text);
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 2), hash);
    cr_expect_eq(sqlite3_column_int64(q, 3), 5);
    cr_expect_eq(sqlite3_column_int64(q, 4), 1);
    cr_expect_eq(sqlite3_column_int64(q, 5), 4);
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 6), "done");
    cr_expect_geq(sqlite3_column_double(q, 7), 0);
    cr_expect_eq((size_t)sqlite3_column_int64(q, 8), memsink_samples(&m));
    cr_expect_eq((size_t)sqlite3_column_int64(q, 9), m.n_sum);
    cr_expect_eq(m.n_interventions, 1);
    cr_expect_eq((size_t)sqlite3_column_int64(q, 10), m.n_interventions);
    cr_expect_eq(sqlite3_column_int(q, 11), info.criteria[0].passed);
    sqlite3_finalize(q);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT t, path, value FROM interventions", -1, &q,
                                    NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_double(q, 0), 1.5);
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 1), "fees.burn");
    cr_expect_str_eq((const char *)sqlite3_column_text(q, 2), "0.25");
    sqlite3_finalize(q);
    free(text);
    store_close(st);
    remove(dbpath);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    remove(side);
    runner_info_free(&info);
    memsink_free(&m);
    scenario_free(&sc);
}

Test(cli, run_on_a_full_disk_exits_1_and_leaves_no_results_file)
{
    write_file("tiny.yaml", tiny_yaml);
    /* RLIMIT_FSIZE 0 makes every write to a regular file fail as on a full disk; the
     * messages go through a pipe, which the limit does not cover. */
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && (trap '' XFSZ; ulimit -f 0; '%s' run tiny.yaml --out full.db; "
             "echo \"exit=$?\") 2>&1 | cat > err.txt",
             cli_dir, bin);
    cr_assert_eq(system(cmd), 0);
    const char *e = slurp("err.txt");
    cr_expect(strstr(e, "exit=1"), "%s", e);
    cr_expect(strstr(e, "full.db"), "the message names the file: %s", e);
    cr_expect(strstr(e, "free space"), "the message says the fix: %s", e);
    cr_expect_neq(access(in_dir("full.db"), F_OK), 0, "a results file was left behind");
}

/* `crucible bench model --json` reports what issue #4 asks (events per second, agents,
 * days, seconds, peak memory) and the memory per agent both with and without the
 * program's own (the events per second themselves are measured, never asserted). */
Test(cli, bench_model_reports_rates_and_memory_per_agent)
{
    cr_assert_eq(crucible("bench model --agents 200 --days 20 --json"), 0, "%s", slurp("err.txt"));
    const char *o = slurp("out.txt");
    const char *keys[] = {"events_per_sec", "agents", "days", "seconds", "peak_rss_bytes",
                          "bytes_per_agent_end", "base_rss_bytes", "model_bytes_per_agent_end"};
    double v[8];
    for (int k = 0; k < 8; k++) {
        char pat[64];
        snprintf(pat, sizeof pat, "\"%s\":", keys[k]);
        const char *at = strstr(o, pat);
        cr_assert_not_null(at, "no %s in %s", keys[k], o);
        v[k] = strtod(at + strlen(pat), NULL);
    }
    cr_expect(v[0] > 0 && v[3] > 0, "%s", o);
    cr_expect_eq(v[1], 200);
    cr_expect_eq(v[2], 20);
    cr_expect(v[6] > 0 && v[6] < v[4], "the program's own memory is part of the peak: %s", o);
    cr_expect(v[7] > 0 && v[7] < v[5], "net of the program, less per agent: %s", o);
    cr_assert_neq(crucible("bench model --agents 5"), 0, "fewer than 10 agents is refused");
    cr_expect(strstr(slurp("err.txt"), "--agents"), "the error names the option");
}

static double json_num(const char *o, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *at = strstr(o, pat);
    cr_assert_not_null(at, "no %s in %s", key, o);
    return strtod(at + strlen(pat), NULL);
}

/* --repeat R runs the same world R times: every run's CPU seconds are listed, the
 * headline rate is the median run's (so it lies between the slowest and the fastest),
 * and the pooled rate is all events over all CPU seconds. */
Test(cli, bench_model_repeat_reports_the_median_run_and_the_spread)
{
    cr_assert_eq(crucible("bench model --agents 200 --days 20 --repeat 3 --json"), 0, "%s",
                 slurp("err.txt"));
    const char *o = slurp("out.txt");
    cr_expect_eq(json_num(o, "repeat"), 3);
    double events = json_num(o, "events"), med = json_num(o, "cpu_seconds");
    double lo = json_num(o, "events_per_sec_min"), hi = json_num(o, "events_per_sec_max");
    double eps = json_num(o, "events_per_sec"), pooled = json_num(o, "events_per_sec_pooled");
    const char *runs = strstr(o, "\"cpu_seconds_runs\":[");
    cr_assert_not_null(runs, "%s", o);
    char *end;
    double c[3], total = 0;
    const char *at = runs + strlen("\"cpu_seconds_runs\":[");
    for (int k = 0; k < 3; k++) {
        c[k] = strtod(at, &end);
        cr_assert(end != at && c[k] > 0, "run %d in %s", k, o);
        total += c[k];
        at = end + 1;
    }
    cr_expect_eq(*end, ']', "three runs listed: %s", o);
    double mid = c[0] + c[1] + c[2] - fmin(c[0], fmin(c[1], c[2])) - fmax(c[0], fmax(c[1], c[2]));
    cr_expect_float_eq(med, mid, 1e-5, "the median run's CPU seconds: %s", o);
    cr_expect(lo <= eps * (1 + 1e-9) && eps <= hi * (1 + 1e-9), "%s", o);
    /* the runs are printed to the microsecond: 1e-3 relative covers that rounding */
    cr_expect_float_eq(pooled, 3 * events / total, 1e-3 * pooled, "%s", o);
    cr_assert_neq(crucible("bench model --agents 200 --days 20 --repeat 2.5"), 0);
    cr_expect(strstr(slurp("err.txt"), "--repeat"), "the error names the option");
}
