/* test_cli.c — the command line as a newcomer meets it (issue 20, "The command line"):
 * did-you-mean on commands, metrics and parameter words; one validation pass that
 * reports every error; comma and repeated --metric; `crucible metrics`; read-only
 * commands and merge leave no -wal/-shm files; progress lines when stderr is a file.
 * Each test runs bin/crucible (CRUCIBLE_BIN) in a scratch folder and checks its exit
 * status and messages. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TINY "tests/fixtures/sweeps/tiny.yaml"

static char dir[64];
static char out[1 << 17], err[1 << 17];

static void scratch_init(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void scratch_fini(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static void slurp(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs `crucible ARGS` (printf-style) from the repository with stdout and stderr
 * captured into out and err (stderr a file, not a terminal); returns the exit status. */
static int crucible(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int crucible(const char *fmt, ...)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char args[2048], cmd[4096], o[128], e[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(o, sizeof o, "%s/.out", dir);
    snprintf(e, sizeof e, "%s/.err", dir);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s' </dev/null", bin, args, o, e);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "%s did not exit", cmd);
    slurp(o, out, sizeof out);
    slurp(e, err, sizeof err);
    unlink(o);
    unlink(e);
    return WEXITSTATUS(st);
}

static void write_file(const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* The files in dir, sorted, separated by spaces. */
static void listing(const char *path, char *buf, size_t cap)
{
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    cr_assert_geq(n, 0);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (ents[i]->d_name[0] != '.') {
            size_t len = strlen(buf);
            snprintf(buf + len, cap - len, "%s%s", len ? " " : "", ents[i]->d_name);
        }
        free(ents[i]);
    }
    free(ents);
}

/* A small results database (2 replicates of the tiny scenario) at dir/name. */
static void small_db(const char *name)
{
    cr_assert_eq(crucible("run " TINY " --replicates 2 --quiet --out %s/%s", dir, name), 0,
                 "%s", err);
}

TestSuite(cmdline, .init = scratch_init, .fini = scratch_fini);

Test(cmdline, a_misspelt_command_gets_did_you_mean_not_the_help)
{
    cr_assert_eq(crucible("rnu"), 2);
    cr_expect(strstr(err, "unknown command 'rnu'; did you mean 'run'?"), "%s", err);
    cr_expect_null(strstr(err, "commands:"), "the whole help was printed: %s", err);
    cr_expect_eq(out[0], '\0');
    cr_assert_eq(crucible("sumarize"), 2);
    cr_expect(strstr(err, "did you mean 'summarize'?"), "%s", err);
    cr_assert_eq(crucible("xyzzy"), 2);
    cr_expect(strstr(err, "unknown command 'xyzzy'; run 'crucible --help'"), "%s", err);
}

Test(cmdline, validate_reports_every_error_in_one_pass)
{
    /* Unknown key, range, intervention, criterion metrics and a fee sum: before, the
     * loader's errors hid the others (three rounds of fixing). */
    write_file("bad.yaml", "name: bad\n"
                           "params:\n"
                           "  fees.model: 0.9\n"
                           "  world.horizn: 100\n"
                           "  consumers.arrival: -5\n"
                           "interventions:\n"
                           "  - {at: 500, set: {fees.burn: 0.05}}\n"
                           "criteria:\n"
                           "  - {name: price_gain, metric: price_sud, at: end, op: \">=\", "
                           "value: 0.24}\n"
                           "  - {name: roi_ok, metric: roi.honset, at: end, op: \">\", value: 0}\n");
    cr_assert_eq(crucible("validate %s/bad.yaml", dir), 2);
    static const char *const want[] = {
        "bad.yaml:4:3: world.horizn: unknown parameter; did you mean `world.horizon`?",
        "bad.yaml:5:22: consumers.arrival: -5 is out of range",
        "bad.yaml:7:10: interventions: at: day 500",
        "bad.yaml:9:5: criteria: 'price_gain': the model writes no metric or summary value "
        "named 'price_sud'; did you mean 'price_usd'?",
        "bad.yaml:10:5: criteria: 'roi_ok': the model writes no metric or summary value named "
        "'roi.honset'; did you mean 'roi.honest'?",
        "bad.yaml:3:3: fee split:",
        "bad.yaml: 6 errors"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_expect(strstr(err, want[i]), "missing '%s' in:\n%s", want[i], err);
    cr_expect_null(strstr(out, "ok"), "%s", out);
}

Test(cmdline, a_criterion_on_an_unknown_metric_stops_run_before_it_starts)
{
    char text[1024];
    char cwd[256];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "extends: %s/" TINY "\n"
             "criteria:\n"
             "  - {name: price_gain, metric: price_sud, at: end, op: \">=\", value: 0.24}\n",
             cwd);
    write_file("typo.yaml", text);
    cr_assert_eq(crucible("run %s/typo.yaml --out %s/typo.db", dir, dir), 2, "%s", err);
    cr_expect(strstr(err, "did you mean 'price_usd'?"), "%s", err);
    char p[128];
    snprintf(p, sizeof p, "%s/typo.db", dir);
    cr_expect_neq(access(p, F_OK), 0, "a database was written for a scenario refused");
    /* every name the model really writes passes */
    snprintf(text, sizeof text,
             "extends: %s/" TINY "\n"
             "criteria:\n"
             "  - {name: a, metric: price_usd, at: end, op: \">\", value: 0}\n"
             "  - {name: b, metric: roi.honest, at: mean, op: \">\", value: -9}\n"
             "  - {name: c, metric: final.compute_share.eu, at: end, op: \">=\", value: 0}\n"
             "  - {name: d, metric: farm_profit_usd.wash, at: end, op: \"<\", value: 1e12}\n"
             "  - {name: e, metric: days_to_real_yield, at: end, op: \">=\", value: 0}\n",
             cwd);
    write_file("fine.yaml", text);
    cr_assert_eq(crucible("validate %s/fine.yaml", dir), 0, "%s", err);
}

Test(cmdline, every_name_a_run_writes_has_a_unit_and_meaning)
{
    small_db("m.db");
    cr_assert_eq(crucible("metrics %s/m.db --format csv", dir), 0, "%s", err);
    cr_expect_null(strstr(out, "not in the model"), "names missing from the table:\n%s", out);
    cr_expect(strstr(out, "price_usd,series,USD per TKN,"), "%s", out);
    /* the label plots and the report use, last */
    cr_expect(strstr(out, "treasury_tkn,series,TKN,the treasury's balance,treasury balance\n"),
              "%s", out);
    cr_expect(strstr(out, "price_drawdown,summary,"), "%s", out);
    cr_expect(strstr(out, "wash_return,series,"), "%s", out);
    size_t lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_gt(lines, 200, "a run writes over 200 names; listed %zu", lines);
    cr_assert_eq(crucible("metrics"), 0);
    cr_expect(strstr(out, "roi.<class>"), "%s", out);
    cr_expect(strstr(out, "compute_share.<region>"), "%s", out);
    cr_assert_eq(crucible("metrics %s/none.db", dir), 2);
    cr_assert_eq(crucible("metrics --bogus"), 2);
    cr_expect(strstr(err, "--bogus"), "%s", err);
    /* Price formation (market-depth) and treasury spending (the calibrated OpenLedger)
     * write names the baseline does not: each has its unit and meaning too. */
    static const struct { const char *scenario, *line[2]; } more[] = {
        {"scenarios/market-depth.yaml",
         {"lp_depth_usd,series,USD,", "final.holder_target,summary,\"fraction, 0-1\","}},
        {"scenarios/calibrated/openledger.yaml",
         {"treasury_spent_usd,series,USD per epoch,", "final.treasury_spent_usd,summary,"}}};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) {
        cr_assert_eq(crucible("run %s --replicates 1 --set world.horizon=14 --quiet --out "
                              "%s/s%zu.db", more[i].scenario, dir, i),
                     0, "%s", err);
        cr_assert_eq(crucible("metrics %s/s%zu.db --format csv", dir, i), 0, "%s", err);
        cr_expect_null(strstr(out, "not in the model"), "%s: names missing from the table:\n%s",
                       more[i].scenario, out);
        for (size_t k = 0; k < 2; k++)
            cr_expect(strstr(out, more[i].line[k]), "%s in:\n%s", more[i].line[k], out);
    }
}

Test(cmdline, plot_suggests_a_metric_and_lists_every_known_one)
{
    small_db("p.db");
    cr_assert_eq(crucible("plot %s/p.db --kind timeseries --metric price --out %s/x.png", dir,
                          dir),
                 2);
    cr_expect(strstr(err, "'price'; did you mean 'price_usd'?"), "%s", err);
    /* the list is whole: the last names in sorted order are there */
    cr_expect(strstr(err, " wash_return"), "%s", err);
    cr_expect(strstr(err, " treasury_tkn"), "%s", err);
    char p[128];
    snprintf(p, sizeof p, "%s/x.png", dir);
    cr_expect_neq(access(p, F_OK), 0);
}

Test(cmdline, plot_takes_comma_lists_and_repeated_metrics)
{
    small_db("p.db");
    cr_assert_eq(crucible("plot %s/p.db --kind timeseries --metric price_usd,consumers "
                          "--metric supply --out %s/ts.png",
                          dir, dir),
                 0, "%s", err);
    static const char *const pics[] = {"ts-price_usd.png", "ts-consumers.png", "ts-supply.png"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, pics[i]);
        cr_expect(stat(p, &st) == 0 && st.st_size > 1000, "%s missing or empty", pics[i]);
        cr_expect(strstr(out, pics[i]), "%s", out);
    }
    /* one metric keeps the name given */
    cr_assert_eq(crucible("plot %s/p.db --kind timeseries --metric supply --out %s/one.png", dir,
                          dir),
                 0, "%s", err);
    char p[160];
    snprintf(p, sizeof p, "%s/one.png", dir);
    cr_expect_eq(access(p, F_OK), 0);
}

Test(cmdline, params_filters_by_prefix_or_word)
{
    cr_assert_eq(crucible("params fees"), 0, "%s", err);
    cr_expect(strstr(out, "fees.burn"), "%s", out);
    cr_expect_null(strstr(out, "emission.half_life"), "%s", out);
    cr_expect(strstr(out, "scenario parameters match"), "%s", out);
    cr_assert_eq(crucible("params BURN --json"), 0, "%s", err);
    cr_expect(strstr(out, "\"fees.burn\""), "%s", out);
    cr_expect_null(strstr(out, "\"world.horizon\""), "%s", out);
    cr_assert_eq(crucible("params feez"), 2);
    cr_expect(strstr(err, "did you mean 'fees'?"), "%s", err);
    cr_assert_eq(crucible("params fees --markdown"), 2);
    cr_assert_eq(crucible("params --bogus"), 2);
}

Test(cmdline, read_only_commands_leave_no_wal_or_shm)
{
    small_db("a.db");
    small_db("b.db");
    char before[4096], after[4096];
    listing(dir, before, sizeof before);
    cr_assert_str_eq(before, "a.db b.db");
    cr_assert_eq(crucible("summarize %s/a.db", dir), 0, "%s", err);
    cr_assert_eq(crucible("export %s/a.db --table runs", dir), 0, "%s", err);
    cr_assert_eq(crucible("compare %s/a.db %s/b.db", dir, dir), 0, "%s", err);
    cr_assert_eq(crucible("metrics %s/a.db", dir), 0, "%s", err);
    cr_assert_eq(crucible("plot %s/a.db --kind rewards --out %s/r.png", dir, dir), 0, "%s", err);
    listing(dir, after, sizeof after);
    cr_expect_str_eq(after, "a.db b.db r.dat r.gp r.png");
}

Test(cmdline, merge_leaves_no_wal_or_shm_beside_the_shards)
{
    char sub[128], after[4096];
    snprintf(sub, sizeof sub, "%s/shards", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    for (int k = 1; k <= 2; k++)
        cr_assert_eq(crucible("sweep tests/fixtures/sweeps/small.yaml -j1 --quiet --shard %d/2 "
                              "--out %s/s%d.db",
                              k, sub, k),
                     0, "%s", err);
    cr_assert_eq(crucible("merge --quiet %s/all.db %s/s1.db %s/s2.db", dir, sub, sub), 0, "%s",
                 err);
    listing(sub, after, sizeof after);
    cr_expect_str_eq(after, "s1.db s2.db");
}

Test(cmdline, run_prints_a_line_per_replicate_when_stderr_is_a_file)
{
    cr_assert_eq(crucible("run " TINY " --replicates 3 --out %s/r.db", dir), 0, "%s", err);
    for (int r = 1; r <= 3; r++) {
        char want[64];
        snprintf(want, sizeof want, "replicate %d/3", r);
        cr_expect(strstr(err, want), "no progress line '%s' in:\n%s", want, err);
    }
    cr_expect_null(strchr(err, '\r'), "a terminal bar was drawn into a file: %s", err);
    cr_assert_eq(crucible("run " TINY " --replicates 2 --quiet --out %s/q.db", dir), 0);
    cr_expect_null(strstr(err, "replicate"), "--quiet printed progress: %s", err);
}

Test(cmdline, a_plot_script_runs_from_any_directory_and_never_leaves_an_empty_picture)
{
    small_db("p.db");
    cr_assert_eq(crucible("plot %s/p.db --kind timeseries --metric supply --out %s/s.png", dir,
                          dir),
                 0, "%s", err);
    char cmd[512], png[160];
    struct stat st;
    snprintf(png, sizeof png, "%s/s.png", dir);
    cr_assert_eq(unlink(png), 0);
    /* from / : the script finds its data and writes its picture beside itself */
    snprintf(cmd, sizeof cmd, "cd / && gnuplot '%s/s.gp' >/dev/null 2>&1", dir);
    cr_assert_eq(system(cmd), 0, "gnuplot s.gp from / failed");
    cr_expect(stat(png, &st) == 0 && st.st_size > 1000, "no picture beside the script");
    /* without its data: an error, and no picture at all (not a 0-byte one) */
    cr_assert_eq(unlink(png), 0);
    snprintf(cmd, sizeof cmd, "%s/s.dat", dir);
    cr_assert_eq(unlink(cmd), 0);
    snprintf(cmd, sizeof cmd, "cd / && gnuplot '%s/s.gp' >/dev/null 2>&1", dir);
    cr_expect_neq(system(cmd), 0, "gnuplot succeeded without its data");
    cr_expect_neq(access(png, F_OK), 0, "an empty picture was left");
    cr_expect_neq(access("/s.png", F_OK), 0, "a picture was written into the current folder");
}

Test(cmdline, summarize_by_point_shows_key_metrics_and_levels_as_people_read_them)
{
    /* log-spaced levels 1000, 3419.95..., 11696.1..., 40000 */
    cr_assert_eq(crucible("sweep --base " TINY " --grid emission.rate=1000:40000:4:log "
                          "--replicates 1 -j1 --quiet --out %s/s.db",
                          dir),
                 0, "%s", err);
    cr_assert_eq(crucible("summarize %s/s.db --by-point", dir), 0, "%s", err);
    cr_expect(strstr(out, " 3420 ") && strstr(out, " 11696 ") && strstr(out, " 40000 "),
              "levels in plain significant digits: %s", out);
    cr_expect_null(strstr(out, "3419.95"), "%s", out);
    cr_expect(strstr(out, "price_usd") && strstr(out, "real_yield"), "%s", out);
    cr_expect_null(strstr(out, "active.builder"), "not only the key metrics: %s", out);
    cr_expect(strstr(out, "The key metrics; --metric NAME,... for others"), "%s", out);
    /* csv keeps every digit; --metric still picks any metric */
    cr_assert_eq(crucible("summarize %s/s.db --by-point --metric active.builder --format csv",
                          dir),
                 0, "%s", err);
    cr_expect(strstr(out, "3419.95"), "%s", out);
    cr_expect(strstr(out, "active.builder"), "%s", out);
}

/* An enum swept by its level names, and a bool: summarize shows the names a sweep file
 * gives (emission.schedule halving, not its index 3) in every format, as text in JSON. */
Test(cmdline, summarize_by_point_names_enum_and_bool_levels)
{
    cr_assert_eq(crucible("sweep --base " TINY " --grid emission.schedule=constant,halving "
                          "--grid rewards.cap.enabled=false,true --replicates 1 -j1 --quiet "
                          "--out %s/e.db",
                          dir),
                 0, "%s", err);
    cr_assert_eq(crucible("summarize %s/e.db --by-point --metric price_usd", dir), 0, "%s", err);
    cr_expect(strstr(out, " constant ") && strstr(out, " halving "), "%s", out);
    cr_expect(strstr(out, " false ") && strstr(out, " true "), "%s", out);
    cr_assert_eq(crucible("summarize %s/e.db --by-point --metric price_usd --format csv", dir), 0,
                 "%s", err);
    cr_expect(strstr(out, "\n0,constant,") && strstr(out, ",halving,"), "%s", out);
    cr_assert_eq(crucible("summarize %s/e.db --by-point --metric price_usd --format json", dir),
                 0, "%s", err);
    cr_expect(strstr(out, "\"emission.schedule\": \"halving\""), "%s", out);
}

Test(cmdline, make_install_puts_the_program_under_prefix)
{
    /* -o: the program under test is taken as built; install only copies it. */
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin);
    char bindir[512], cmd[2048], installed[256];
    snprintf(bindir, sizeof bindir, "%s", bin);
    char *slash = strrchr(bindir, '/');
    cr_assert_not_null(slash);
    *slash = '\0';
    snprintf(cmd, sizeof cmd,
             "make -s --no-print-directory -o '%s' install BIN='%s' PREFIX='%s/pfx' "
             ">'%s/make.out' 2>&1",
             bin, bindir, dir, dir);
    int st = system(cmd);
    snprintf(installed, sizeof installed, "%s/make.out", dir);
    slurp(installed, out, sizeof out);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "make install failed: %s", out);
    snprintf(installed, sizeof installed, "%s/pfx/bin/crucible", dir);
    cr_assert_eq(access(installed, X_OK), 0, "%s is not there: %s", installed, out);
    snprintf(cmd, sizeof cmd, "'%s' version | grep -q '^crucible '", installed);
    cr_expect_eq(system(cmd), 0, "the installed program does not run");
}

/* ---- bounded numbers of options (cli_opt_long/ulong/double) -------------------------------- */

/* A bad number exits 2 with one message style: the option, the value as given, what is
 * wrong with it, and the range to give it in. */
Test(cmdline, a_bad_number_names_the_option_the_value_the_range_and_what_to_give)
{
    static const struct {
        const char *args, *msg;
    } cases[] = {
        /* out of range */
        {"sweep --base " TINY " --grid emission.rate=1,2 --dry-run -j 0",
         "crucible sweep: -j/--jobs 0: out of range; give a whole number from 1 to 4096"},
        {"sweep --base " TINY " --grid emission.rate=1,2 --dry-run --levels 1",
         "--levels 1: out of range; give a whole number from 2 to 1000"},
        {"attack tests/fixtures/attack/poison.yaml --max-evals 0",
         "crucible attack: --max-evals 0: out of range; give a whole number from 1 to 1000000"},
        {"attack tests/fixtures/attack/poison.yaml --replicates 100001",
         "--replicates 100001: out of range; give a whole number from 1 to 100000"},
        {"run " TINY " --replicates 0", "crucible run: --replicates 0: out of range; give a "
                                        "whole number from 1 to 1000000"},
        {"discover nowhere.db --criterion x --alpha 0.5",
         "--alpha 0.5: out of range; give a number from 0.001 to 0.49"},
        {"plot nowhere.db --point -2", "--point -2: out of range; give a whole number from -1 "
                                       "to 1000000000"},
        {"sensitivity nowhere.db --boot 100001",
         "--boot 100001: out of range; give a whole number from 0 to 100000"},
        /* a minus sign on an unsigned number is out of range, not 2^64-1 */
        {"run " TINY " --seed -1",
         "--seed -1: out of range; give a whole number from 0 to 2^64-1"},
        /* not a number */
        {"attack tests/fixtures/attack/poison.yaml -j many",
         "-j/--jobs many: not a number; give a whole number from 1 to 4096"},
        {"discover nowhere.db --criterion x --target high",
         "--target high: not a number; give a number from 0 to 0.9999"},
        {"report " TINY " --replicates ''", "--replicates : not a number; give a whole number "
                                            "from 1 to 1000000"},
        {"sensitivity nowhere.db --level x",
         "--level x: not a number; give a confidence level strictly between 0 and 1"},
        /* trailing garbage */
        {"sweep --base " TINY " --grid emission.rate=1,2 --dry-run --samples 8k",
         "--samples 8k: 'k' after the number; give a whole number from 1 to 100000000"},
        {"discover nowhere.db --metric m --op '<' --value 1.5x",
         "--value 1.5x: 'x' after the number; give a number"},
        {"plot nowhere.db --boot 1e3", "--boot 1e3: 'e3' after the number; give a whole "
                                       "number from 0 to 100000"},
        {"discover nowhere.db --safe --fresh 4.5",
         "--fresh 4.5: '.5' after the number; give a whole number from 0 to 100000"},
        /* overflow */
        {"sweep --base " TINY " --grid emission.rate=1,2 --dry-run --seed 18446744073709551616",
         "--seed 18446744073709551616: too large; give a whole number from 0 to 2^64-1"},
        {"attack tests/fixtures/attack/poison.yaml -j 99999999999999999999",
         "-j/--jobs 99999999999999999999: too large; give a whole number from 1 to 4096"},
        {"discover nowhere.db --metric m --op '<' --value 1e999",
         "--value 1e999: too large; give a number"},
        {"discover nowhere.db --criterion x --box 99999999999999999999",
         "--box 99999999999999999999: too large; give a whole number from 0 to 1000000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st = crucible("%s", cases[i].args);
        cr_expect_eq(st, 2, "crucible %s: exit %d: %s", cases[i].args, st, err);
        cr_expect(strstr(err, cases[i].msg), "crucible %s:\n  got      %s  expected %s",
                  cases[i].args, err, cases[i].msg);
    }
}

/* Numbers at the ends of their ranges are taken, and the largest seed is taken whole. */
Test(cmdline, numbers_at_the_ends_of_their_range_are_accepted)
{
    cr_assert_eq(crucible("sweep --base " TINY " --grid emission.rate=1,2 --dry-run -j 4096 "
                          "--levels 2 --replicates 1 --seed 18446744073709551615"),
                 0, "%s", err);
    /* two points, one replicate each: a header line and two runs */
    size_t lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 3, "%s", out);
    cr_assert_eq(crucible("run " TINY " --replicates 1 --seed 18446744073709551615 --quiet "
                          "--out %s/max.db",
                          dir),
                 0, "%s", err);
    char q[512];
    snprintf(q, sizeof q, "sqlite3 '%s/max.db' 'SELECT seed FROM runs' > '%s/seed.txt'", dir,
             dir);
    cr_assert_eq(system(q), 0);
    snprintf(q, sizeof q, "%s/seed.txt", dir);
    slurp(q, out, sizeof out);
    /* SQLite stores the seed as a signed 64-bit integer: 2^64-1 reads back as -1. */
    cr_expect(!strcmp(out, "-1\n") || !strcmp(out, "18446744073709551615\n"), "%s", out);
}

/* sweep and attack parse their shared options with the same code: the same bad value
 * gets the same message but for the command's name; a missing value is named. */
Test(cmdline, sweep_and_attack_share_their_batch_options)
{
    static const char *const bad[] = {"-j 0", "--jobs=x", "--seed 1.5", "--shard 1of2",
                                      "--shard 3/2"};
    char sweep_err[1024], attack_err[1024];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(crucible("sweep --base " TINY " --grid emission.rate=1,2 --dry-run %s",
                              bad[i]),
                     2, "sweep %s: %s", bad[i], err);
        cr_assert(!strncmp(err, "crucible sweep: ", 16), "%s", err);
        snprintf(sweep_err, sizeof sweep_err, "%.1000s", err + 16);
        cr_expect_eq(crucible("attack tests/fixtures/attack/poison.yaml %s", bad[i]), 2,
                     "attack %s: %s", bad[i], err);
        cr_assert(!strncmp(err, "crucible attack: ", 17), "%s", err);
        snprintf(attack_err, sizeof attack_err, "%.1000s", err + 17);
        cr_expect_str_eq(sweep_err, attack_err, "%s", bad[i]);
    }
    /* --help answers at once, whatever follows it. */
    cr_expect_eq(crucible("attack --help --bogus"), 0, "%s", err);
    cr_expect(!strncmp(out, "usage: crucible attack", 22), "%s", out);
    cr_expect_eq(crucible("sweep -h --bogus"), 0, "%s", err);
    cr_expect(!strncmp(out, "usage: crucible sweep", 21), "%s", out);
    cr_expect_eq(crucible("attack tests/fixtures/attack/poison.yaml --out"), 2);
    cr_expect(strstr(err, "--out needs a value; see 'crucible attack --help'"), "%s", err);
    cr_expect_eq(crucible("sweep --base " TINY " --grid emission.rate=1,2 --dry-run --bogus"),
                 2);
    cr_expect(strstr(err, "'--bogus'; see 'crucible sweep --help'"), "%s", err);
}
