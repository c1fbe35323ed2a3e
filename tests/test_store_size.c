/* test_store_size.c — the compact results layout (schema 2): the `metrics` and `flows`
 * views give the rows the schema 1 tables held, the output.* sampling choices are
 * honoured, a schema 1 file is still read but never written into, and a baseline
 * run-year costs what its row counts say (docs/results.md, "Sampling" and "Size"). */
#include <criterion/criterion.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/core/memsink.h"
#include "model/core/params.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "sweep/merge.h"

static char dir[64];

static void mkdir_tmp(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-size-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *path_in(const char *name)
{
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

TestSuite(store_size, .init = mkdir_tmp, .fini = rm_tmp);

/* The schema 1 DDL, as crucible 0.5 created it (sim/store/store.c at bf41041). */
static const char v1_schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, scenario TEXT NOT NULL, scenario_yaml TEXT,"
    " scenario_hash TEXT, seed INTEGER NOT NULL, replicate INTEGER NOT NULL,"
    " point INTEGER NOT NULL DEFAULT -1, version TEXT, git_commit TEXT,"
    " started_at TEXT, ended_at TEXT, wall_seconds REAL,"
    " status TEXT NOT NULL CHECK(status IN ('done','failed')), error TEXT);"
    "CREATE TABLE metrics(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL NOT NULL, name TEXT NOT NULL, value REAL);"
    "CREATE TABLE summary(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, value REAL, PRIMARY KEY(run, name));"
    "CREATE TABLE criteria(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, metric TEXT, stat TEXT, op TEXT, threshold REAL,"
    " value REAL, passed INTEGER, error TEXT, PRIMARY KEY(run, name));"
    "CREATE TABLE interventions(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL, path TEXT, value TEXT);"
    "CREATE TABLE flows(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL, src TEXT, dst TEXT, reason TEXT, amount_tkn REAL);"
    "CREATE TABLE points(point INTEGER NOT NULL, path TEXT NOT NULL,"
    " value REAL, text TEXT, PRIMARY KEY(point, path));"
    "CREATE INDEX metrics_run_name ON metrics(run, name);"
    "PRAGMA application_id = 1129464642;"
    "INSERT INTO meta VALUES('schema_version', '1'), ('created_by', 'crucible 0.5.0 (test)');";

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "");
}

/* Writes the runs of m[0..n) into a new schema 1 file at path, row for row as crucible
 * 0.5 did (every sample, every flow), with point -1 and replicates 0..n-1. */
static void write_v1(const char *path, const memsink *m, size_t n)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, v1_schema);
    exec_ok(db, "BEGIN");
    sqlite3_stmt *r, *q, *f, *s;
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO runs(scenario, seed, replicate, version, "
                                        "status) VALUES('v1', 7, ?, '0.5.0', 'done')",
                                    -1, &r, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES(?,?,?,?)", -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO flows VALUES(?,?,?,?,?,?)", -1, &f, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO summary VALUES(?,?,?)", -1, &s, NULL),
                 SQLITE_OK);
    for (size_t k = 0; k < n; k++) {
        sqlite3_bind_int64(r, 1, (sqlite3_int64)k);
        cr_assert_eq(sqlite3_step(r), SQLITE_DONE);
        sqlite3_reset(r);
        sqlite3_int64 run = sqlite3_last_insert_rowid(db);
        for (size_t i = 0; i < m[k].n_series; i++)
            for (size_t j = 0; j < m[k].series[i].n; j++) {
                double v = m[k].series[i].v[j];
                sqlite3_bind_int64(q, 1, run);
                sqlite3_bind_double(q, 2, m[k].series[i].t[j]);
                sqlite3_bind_text(q, 3, m[k].series[i].name, -1, SQLITE_STATIC);
                isnan(v) ? sqlite3_bind_null(q, 4) : sqlite3_bind_double(q, 4, v);
                cr_assert_eq(sqlite3_step(q), SQLITE_DONE);
                sqlite3_reset(q);
            }
        for (size_t i = 0; i < m[k].n_flows; i++) {
            const memsink_flow *x = &m[k].flows[i];
            sqlite3_bind_int64(f, 1, run);
            sqlite3_bind_double(f, 2, x->t);
            sqlite3_bind_text(f, 3, memsink_label(&m[k], x->src), -1, SQLITE_STATIC);
            sqlite3_bind_text(f, 4, memsink_label(&m[k], x->dst), -1, SQLITE_STATIC);
            sqlite3_bind_text(f, 5, memsink_label(&m[k], x->reason), -1, SQLITE_STATIC);
            sqlite3_bind_double(f, 6, x->amount_tkn);
            cr_assert_eq(sqlite3_step(f), SQLITE_DONE);
            sqlite3_reset(f);
        }
        for (size_t i = 0; i < m[k].n_sum; i++) {
            sqlite3_bind_int64(s, 1, run);
            sqlite3_bind_text(s, 2, m[k].sum_name[i], -1, SQLITE_STATIC);
            sqlite3_bind_double(s, 3, m[k].sum_value[i]);
            cr_assert_eq(sqlite3_step(s), SQLITE_DONE);
            sqlite3_reset(s);
        }
    }
    sqlite3_finalize(r);
    sqlite3_finalize(q);
    sqlite3_finalize(f);
    sqlite3_finalize(s);
    exec_ok(db, "COMMIT");
    sqlite3_close(db);
}

/* Stores the runs of m[0..n) into a new schema 2 file at path with output o. */
static void write_v2(const char *path, const memsink *m, size_t n, const store_output *o)
{
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, path, &err), CRC_OK, "%s", err.msg);
    for (size_t k = 0; k < n; k++) {
        run_record r = {.scenario = "v2", .seed = 7, .replicate = (long)k, .point = -1,
                        .status = "done", .output = o};
        cr_assert_eq(store_write_run(s, &r, &m[k], NULL, &err), CRC_OK, "%s", err.msg);
    }
    cr_assert_eq(store_finish(s, &err), CRC_OK, "%s", err.msg);
    store_close(s);
}

/* FNV-1a over every row of sql's result (types and bits of each column), in order;
 * *rows receives the row count. */
static uint64_t digest(const char *path, const char *sql, long *rows)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    uint64_t h = 0xcbf29ce484222325ULL;
    *rows = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(q); c++) {
            int type = sqlite3_column_type(q, c);
            unsigned char buf[64];
            size_t len = 0;
            if (type == SQLITE_TEXT) {
                const unsigned char *t = sqlite3_column_text(q, c);
                len = (size_t)sqlite3_column_bytes(q, c);
                len = len < sizeof buf ? len : sizeof buf;
                memcpy(buf, t, len);
            } else if (type != SQLITE_NULL) {
                double v = sqlite3_column_double(q, c); /* 7 and 7.0 are one number */
                memcpy(buf, &v, sizeof v);
                len = sizeof v;
            }
            h = (h ^ (uint64_t)type) * 0x100000001b3ULL;
            for (size_t i = 0; i < len; i++)
                h = (h ^ buf[i]) * 0x100000001b3ULL;
        }
        (*rows)++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return h;
}

static long long count(const char *path, const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* Runs scenario text yaml (seed 11, replicate rep) into m; returns its info. */
static void run_short(const char *yaml, long rep, memsink *m, scenario *sc, runner_info *info)
{
    crc_err err = {0};
    cr_assert_eq(scenario_load_text(sc, "size.yaml", yaml, strlen(yaml), &err), CRC_OK, "%s",
                 err.msg);
    memsink_init(m, NULL);
    cr_assert_eq(runner_run(sc, 11, rep, -1, NULL, m, info, &err), CRC_OK, "%s", err.msg);
}

static const char short_yaml[] = "name: short\n"
                                 "extends: scenarios/baseline.yaml\n"
                                 "params:\n"
                                 "  world.horizon: 30\n";

/* A synthetic run with the awkward cases: a series that starts late, NaN values, the
 * same flow key twice in one epoch, and two epochs without flows. */
static void synthetic(memsink *m, double epoch, int n_epochs)
{
    memsink_init(m, NULL);
    crc_sink k = memsink_sink(m);
    for (int e = 1; e <= n_epochs; e++) {
        double t = e * epoch;
        cr_assert_eq(sink_metric(&k, t, "price_usd", 0.1 * e), 0);
        cr_assert_eq(sink_metric(&k, t, "reward_tkn.honest", e % 3 ? 10.0 * e : NAN), 0);
        cr_assert_eq(sink_metric(&k, t, "roi.farmer", -1.0 / e), 0);
        if (e > n_epochs / 2)
            cr_assert_eq(sink_metric(&k, t, "late", e), 0);
        if (e % 5 == 4)
            continue;
        cr_assert_eq(sink_flow(&k, t, "treasury", "honest", "reward", 10.0 * e), 0);
        cr_assert_eq(sink_flow(&k, t, "farmer", "amm", "sell", 2.5), 0);
        cr_assert_eq(sink_flow(&k, t, "farmer", "amm", "sell", 0.5), 0);
    }
    cr_assert_eq(sink_summary(&k, "final_price", 1.5), 0);
}

static const char metrics_sorted[] =
    "SELECT run, t, name, value FROM metrics ORDER BY run, name, t";
static const char flows_summed[] =
    "SELECT run, t, src, dst, reason, sum(amount_tkn) FROM flows GROUP BY 1, 2, 3, 4, 5 "
    "ORDER BY 1, 2, 3, 4, 5";

Test(store_size, views_return_the_rows_of_the_schema1_tables)
{
    memsink m[3];
    scenario sc[2];
    runner_info info[2];
    run_short(short_yaml, 0, &m[0], &sc[0], &info[0]);
    run_short(short_yaml, 1, &m[1], &sc[1], &info[1]);
    synthetic(&m[2], 1, 12);
    const char *v1 = path_in("v1.db"), *v2 = path_in("v2.db");
    write_v1(v1, m, 3);
    write_v2(v2, m, 3, NULL); /* no output choice: every sample */
    long r1, r2;
    uint64_t a = digest(v1, metrics_sorted, &r1), b = digest(v2, metrics_sorted, &r2);
    cr_expect_eq(r1, r2, "metrics rows: v1 %ld, v2 %ld", r1, r2);
    cr_expect_gt(r2, 2 * 30 * 60, "two 30-day runs of ~80 metrics");
    cr_expect_eq(a, b, "the metrics view differs from the schema 1 table");
    /* Read without ORDER BY (as `crucible export` does), one run's rows come series by
     * series in the order the model wrote them, as schema 1's rowid order had them. */
    a = digest(v1, "SELECT * FROM metrics WHERE run = 1 ORDER BY rowid", &r1);
    b = digest(v2, "SELECT * FROM metrics WHERE run = 1", &r2);
    cr_expect_eq(a, b, "unordered rows of run 1 differ");
    /* Flows: the same tallies (schema 1 kept a key's two rows of one epoch apart). */
    a = digest(v1, flows_summed, &r1);
    b = digest(v2, flows_summed, &r2);
    cr_expect_eq(r1, r2);
    cr_expect_eq(a, b, "the flows view differs from the schema 1 table");
    cr_expect_eq(digest(v1, "SELECT * FROM summary ORDER BY run, name", &r1),
                 digest(v2, "SELECT * FROM summary ORDER BY run, name", &r2));
    for (int i = 0; i < 3; i++)
        memsink_free(&m[i]);
    for (int i = 0; i < 2; i++) {
        runner_info_free(&info[i]);
        scenario_free(&sc[i]);
    }
}

/* The times a series keeps: those whose epoch (t_prev, t] holds a multiple of every,
 * and the last; checked against a direct enumeration at two (epoch, every) points. */
static void check_sampling(double epoch, int n_epochs, double every, const double *want,
                           size_t n_want)
{
    memsink m;
    synthetic(&m, epoch, n_epochs);
    const char *p = path_in("s.db");
    remove(p);
    store_output o = {.sample_every = every, .flows = 1};
    write_v2(p, &m, 1, &o);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT t, value FROM metrics WHERE name = "
                                        "'price_usd' ORDER BY t", -1, &q, NULL), SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        cr_assert_lt(n, n_want, "more samples than expected (every %g)", every);
        double t = sqlite3_column_double(q, 0);
        cr_expect_eq(t, want[n], "sample %zu at t = %g, expected %g", n, t, want[n]);
        /* the value stored is the model's value at that epoch */
        cr_expect_eq(sqlite3_column_double(q, 1), 0.1 * round(t / epoch));
        n++;
    }
    cr_expect_eq(n, n_want, "every %g kept %zu samples", every, n);
    sqlite3_finalize(q);
    /* The series that starts late keeps its own last sample; NaN stays NULL. */
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT max(t) = (SELECT max(t) FROM metrics), "
                                        "count(*) FROM metrics WHERE name = 'late'",
                                    -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
    memsink_free(&m);
}

Test(store_size, sample_every_keeps_each_multiple_and_the_last_epoch)
{
    static const double a[] = {7, 14, 20};
    check_sampling(1, 20, 7, a, 3);
    static const double b[] = {3, 6, 9, 10};
    check_sampling(0.25, 40, 3, b, 4);
    static const double c[] = {1, 2, 3, 4, 5};
    check_sampling(1, 5, 0, c, 5);
    check_sampling(1, 5, 0.5, c, 5); /* shorter than an epoch: every epoch */
}

Test(store_size, flows_are_summed_over_the_windows_and_keep_run_totals)
{
    memsink m;
    synthetic(&m, 1, 20);
    const char *all = path_in("all.db"), *wk = path_in("wk.db");
    write_v2(all, &m, 1, NULL);
    store_output o = {.sample_every = 7, .flows = 1};
    write_v2(wk, &m, 1, &o);
    cr_expect_eq(count(wk, "SELECT count(DISTINCT t) FROM flows"), 3);
    cr_expect_eq(count(wk, "SELECT count(*) FROM flows WHERE t NOT IN (7, 14, 20)"), 0);
    /* per key and window: the sum of the epochs in (7, 14] */
    double w2 = 0;
    for (int e = 8; e <= 14; e++)
        w2 += e % 5 == 4 ? 0 : 10.0 * e;
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(wk, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT amount_tkn FROM flows WHERE t = 14 AND "
                                        "src = 'treasury' AND reason = 'reward'",
                                    -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_double(q, 0), w2);
    sqlite3_finalize(q);
    sqlite3_close(db);
    static const char totals[] =
        "SELECT src, dst, reason, sum(amount_tkn) FROM flows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
    long r1, r2;
    cr_expect_eq(digest(all, totals, &r1), digest(wk, totals, &r2), "run totals changed");
    cr_expect_eq(r1, 2);
    memsink_free(&m);
}

Test(store_size, output_params_exclude_metric_families_and_flows)
{
    crc_params p;
    params_defaults(&p);
    store_output o;
    store_output_from_params(&p, &o);
    cr_expect_eq(o.sample_every, 7, "the default is weekly");
    cr_expect_eq(o.n_exclude, 0, "by default every metric is stored");
    cr_expect_eq(o.flows, 1);
    p.output_class_metrics = 0;
    p.output_flows = 0;
    store_output_from_params(&p, &o);
    memsink m;
    synthetic(&m, 1, 10);
    const char *db = path_in("x.db");
    write_v2(db, &m, 1, &o);
    cr_expect_eq(count(db, "SELECT count(*) FROM metrics WHERE name IN ('reward_tkn.honest', "
                           "'roi.farmer')"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM metric_names WHERE name LIKE 'r%'"), 0,
                 "an excluded metric is not even named");
    cr_expect_eq(count(db, "SELECT count(*) FROM metrics WHERE name = 'price_usd'"), 2,
                 "t = 7 and the last, t = 10");
    cr_expect_eq(count(db, "SELECT count(*) FROM flows"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM summary"), 1, "the summary is kept");
    memsink_free(&m);
}

/* ---- schema 1 files: read, never written into --------------------------------------- */

static int crucible(const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out.txt 2>err.txt", dir, bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    return WEXITSTATUS(st);
}

static const char *slurp(const char *name)
{
    static char buf[1 << 20];
    FILE *f = fopen(path_in(name), "rb");
    cr_assert_not_null(f, "%s", name);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Two schema 1 files of two synthetic runs each. */
static void two_v1_files(void)
{
    memsink m[2];
    synthetic(&m[0], 1, 10);
    synthetic(&m[1], 1, 10);
    write_v1(path_in("old.db"), m, 2);
    write_v1(path_in("old2.db"), m, 2);
    memsink_free(&m[0]);
    memsink_free(&m[1]);
}

Test(store_size, schema1_file_is_read_by_export_summarize_and_compare)
{
    two_v1_files();
    cr_expect_eq(crucible("export old.db --table metrics"), 0, "%s", slurp("err.txt"));
    const char *csv = slurp("out.txt");
    cr_expect(!strncmp(csv, "run,t,name,value\n1,1,price_usd,0.1", 33), "%s", csv);
    size_t lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 1 + 2 * (3 * 10 + 5), "header and every row of both runs");
    cr_expect_eq(crucible("summarize old.db --metric price_usd"), 0, "%s", slurp("err.txt"));
    cr_expect(strstr(slurp("out.txt"), "price_usd"), "%s", slurp("out.txt"));
    cr_expect_eq(crucible("compare old.db old2.db --metric price_usd"), 0, "%s",
                 slurp("err.txt"));
    cr_expect(strstr(slurp("out.txt"), "price_usd"), "%s", slurp("out.txt"));
}

Test(store_size, schema1_file_is_refused_by_run_resume_and_merge_with_what_to_do)
{
    two_v1_files();
    store *s = NULL;
    crc_err err = {0};
    cr_expect_eq(store_open(&s, path_in("old.db"), &err), CRC_EINPUT);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "written by crucible < 0.6 (schema 1); start a new --out or "
                              "export it"), "%s", err.msg);
    cr_expect_eq(count(path_in("old.db"), "SELECT count(*) FROM runs"), 2, "left untouched");

    /* merge: neither into a schema 1 output nor from a schema 1 shard */
    const char *in[] = {path_in("old2.db")};
    merge_stats ms;
    crc_err e2 = {0};
    cr_expect_eq(merge_run(path_in("new.db"), in, 1, &ms, &e2), CRC_EINPUT);
    cr_expect(strstr(e2.msg, "crucible < 0.6 (schema 1)"), "%s", e2.msg);
    cr_expect(strstr(e2.file, "old2.db"), "names the shard: %s", e2.file);

    /* the command line: `crucible run --out` into it exits 2 with the message */
    FILE *f = fopen(path_in("tiny.yaml"), "w");
    cr_assert_not_null(f);
    fputs("name: tiny\nparams:\n  world.horizon: 2\n", f);
    fclose(f);
    cr_expect_eq(crucible("run tiny.yaml --out old.db"), 2);
    cr_expect(strstr(slurp("err.txt"), "crucible < 0.6 (schema 1)"), "%s", slurp("err.txt"));
    /* and `crucible sweep --resume` onto it */
    char cwd[512], args[1200];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "sweep '%s/tests/fixtures/sweeps/small.yaml' --resume --out old.db",
             cwd);
    cr_expect_eq(crucible(args), 2);
    cr_expect(strstr(slurp("err.txt"), "crucible < 0.6 (schema 1); start a new --out"), "%s",
              slurp("err.txt"));
    cr_expect_eq(count(path_in("old.db"), "SELECT count(*) FROM runs"), 2, "left untouched");
}

/* ---- size ----------------------------------------------------------------------------- */

/* A year of scenarios/baseline.yaml at the default output costs no more than its rows at
 * their documented sizes, filled to at least 80% of a page, plus a page per table and
 * index: far below schema 1's ~2 MB, and within the 200 KB goal. */
Test(store_size, baseline_run_year_costs_its_rows_and_meets_the_goal)
{
    scenario sc;
    crc_err err = {0};
    cr_assert_eq(scenario_load(&sc, "scenarios/baseline.yaml", &err), CRC_OK, "%s", err.msg);
    memsink m;
    memsink_init(&m, NULL);
    runner_info info;
    cr_assert_eq(runner_run(&sc, 1, 0, -1, NULL, &m, &info, &err), CRC_OK, "%s", err.msg);
    const char *p = path_in("year.db");
    store *s;
    cr_assert_eq(store_open(&s, p, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(runner_store(s, &sc, &info, &m, NULL, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(store_finish(s, &err), CRC_OK, "%s", err.msg);
    store_close(s);

    long long n_metric = count(p, "SELECT count(*) FROM metric_values");
    long long n_flow = count(p, "SELECT count(*) FROM flow_values");
    long long n_sum = count(p, "SELECT count(*) FROM summary");
    long long yaml = count(p, "SELECT sum(length(scenario_yaml)) FROM runs");
    long long objects = count(p, "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', "
                                 "'index')");
    long long page = count(p, "PRAGMA page_size");
    /* weekly: t = 7, 14, ..., 364 and 365 for every series the model wrote */
    cr_expect_eq(n_metric, 53 * (long long)m.n_series, "%lld samples of %zu series", n_metric,
                 m.n_series);
    cr_expect_leq(n_flow, 53 * 100LL);
    /* bytes per row: a sample 22 (run, metric and t as 1-2 byte integers, an 8-byte
     * value, header and cell pointer), a flow 30, a summary value 24 + its name */
    long long bound = (22 * n_metric + 30 * n_flow + 60 * n_sum + yaml + 1024) * 5 / 4 +
                      page * (objects + 1);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_expect_leq((long long)st.st_size, bound, "%lld bytes for %lld samples, %lld flows: "
                  "above the bound %lld", (long long)st.st_size, n_metric, n_flow, bound);
    cr_expect_lt((long long)st.st_size, 200000, "the goal: <= 200 KB per run-year");
    memsink_free(&m);
    runner_info_free(&info);
    scenario_free(&sc);
}

/* ---- merge: names are matched by text, whatever ids the shards gave them ------------- */

/* A sweep shard holding one whole run (point p: samples, flows and a summary) whose
 * metrics and flows are written in the order names[0..3), so that the shards number the
 * same names differently. */
static void shard(const char *path, long p, const char *const *names)
{
    memsink m;
    memsink_init(&m, NULL);
    crc_sink k = memsink_sink(&m);
    for (int e = 1; e <= 3; e++) {
        for (int i = 0; i < 3; i++)
            cr_assert_eq(sink_metric(&k, e, names[i], 100.0 * (double)p + 10 * i + e), 0);
        cr_assert_eq(sink_flow(&k, e, names[0], names[1], names[2], p + e), 0);
    }
    cr_assert_eq(sink_summary(&k, "final_price", (double)p), 0);
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, path, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(store_meta_set(s, "sweep_hash", "feedfacefeedface", &err), CRC_OK);
    run_record r = {.scenario = "m", .seed = 7, .replicate = 0, .point = p, .status = "done"};
    cr_assert_eq(store_write_run(s, &r, &m, NULL, &err), CRC_OK, "%s", err.msg);
    store_close(s);
    memsink_free(&m);
}

Test(store_size, merge_matches_names_across_shards_that_numbered_them_differently)
{
    static const char *const a[] = {"alpha", "beta", "gamma"};
    static const char *const b[] = {"gamma", "alpha", "beta"};
    shard(path_in("a.db"), 0, a);
    shard(path_in("b.db"), 1, b);
    const char *in[] = {path_in("a.db"), path_in("b.db")};
    merge_stats ms;
    crc_err err = {0};
    const char *out = path_in("merged.db");
    cr_assert_eq(merge_run(out, in, 2, &ms, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(ms.runs, 2);
    /* every value sits under the name it was written with: 100 p + 10 i + t */
    cr_expect_eq(count(out, "SELECT count(*) FROM metrics"), 18);
    cr_expect_eq(count(out, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run "
                            "WHERE m.value <> 100 * r.point + m.t + 10 * CASE "
                            "WHEN r.point = 0 THEN (CASE m.name WHEN 'alpha' THEN 0 "
                            "WHEN 'beta' THEN 1 ELSE 2 END) ELSE (CASE m.name WHEN 'gamma' "
                            "THEN 0 WHEN 'alpha' THEN 1 ELSE 2 END) END"),
                 0);
    cr_expect_eq(count(out, "SELECT count(*) FROM metric_names"), 3);
    /* flows: shard a moved alpha -> beta for gamma, shard b gamma -> alpha for beta */
    cr_expect_eq(count(out, "SELECT count(*) FROM flows f JOIN runs r ON r.id = f.run WHERE "
                            "(r.point = 0 AND f.src = 'alpha' AND f.dst = 'beta' AND "
                            "f.reason = 'gamma') OR (r.point = 1 AND f.src = 'gamma' AND "
                            "f.dst = 'alpha' AND f.reason = 'beta')"),
                 6);
    cr_expect_eq(count(out, "SELECT count(*) FROM flows"), 6);
    cr_expect_eq(count(out, "SELECT count(*) FROM summary s JOIN runs r ON r.id = s.run "
                            "WHERE s.value = r.point"),
                 2);
}
