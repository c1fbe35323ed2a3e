/*
 * test_integrity_input.c — hostile and careless input (issue 23, "Crashes and hangs" and
 * "Messages and parsing"): each class of defect found by the hostile test of 0.5.0 has a
 * test here that would fail if it came back. Sizes are those that hung or crashed;
 * timing is never asserted, only that the input is refused (or accepted) with the right
 * message.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "scenario/yamlcheck.h"
#include "stats.h"
#include "sweep/sweepfile.h"

/* The test binary's setup: GSL errors are recorded, never an abort (main does the same).
 * A constructor, because Criterion runs every test in its own process. */
__attribute__((constructor)) static void install_gsl_handler(void) { stats_gsl_install(); }

/* ---- helpers ------------------------------------------------------------------------ */

/* A growing text buffer (doubling). */
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        cr_assert_geq(w, 0);
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        b->cap = b->cap ? 2 * b->cap + (size_t)w : 4096 + (size_t)w;
        b->s = realloc(b->s, b->cap);
        cr_assert_not_null(b->s);
    }
}

/* Loads text as a scenario; returns the status and the first error in *e. */
static int load(scenario *sc, const char *text, crc_err *e)
{
    return scenario_load_text(sc, "t.yaml", text, strlen(text), e);
}

/* Loads "params: {path: value}" and returns the status, error in *e. */
static int load_param(const char *path, const char *value, crc_err *e)
{
    char text[512];
    snprintf(text, sizeof text, "params:\n  %s: %s\n", path, value);
    scenario sc;
    int rc = load(&sc, text, e);
    scenario_free(&sc);
    return rc;
}

/* The same value through --set on the defaults. */
static int set_param(const char *path, const char *value, crc_err *e)
{
    scenario sc;
    cr_assert_eq(load(&sc, "name: s\n", e), CRC_OK);
    char arg[512];
    snprintf(arg, sizeof arg, "%s=%s", path, value);
    int rc = scenario_set(&sc, arg, e);
    scenario_free(&sc);
    return rc;
}

/* The same value as a grid value in a sweep file. */
static int sweep_param(const char *path, const char *value, crc_err *e)
{
    char text[512];
    snprintf(text, sizeof text, "base: b.yaml\ndesign:\n  type: grid\n  params:\n    %s: [%s]\n",
             path, value);
    sweep_spec s;
    memset(&s, 0, sizeof s);
    int rc = sweepfile_load_text(&s, "s.yaml", text, strlen(text), e);
    sweepfile_free(&s);
    return rc;
}

#define expect_msg(e, needle)                                                                  \
    cr_expect(strstr((e).msg, (needle)) != NULL, "message lacks \"%s\":\n  %s", (needle),      \
              (e).msg)

/* ---- crashes and hangs ----------------------------------------------------------------- */

/* 100k nested brackets (the 320 KB file that took 83 s) and 80k nested maps are refused
 * while parsing, at the first level past the limit, with a message naming the depth. */
Test(integrity_input, deep_nesting_is_refused_while_parsing)
{
    const size_t depths[] = {100000, 80000};
    for (int kind = 0; kind < 2; kind++) {
        sbuf b = {0};
        put(&b, "params: ");
        for (size_t i = 0; i < depths[kind]; i++)
            put(&b, kind == 0 ? "[" : "{a: ");
        scenario sc;
        crc_err e;
        cr_assert_eq(load(&sc, b.s, &e), CRC_EINPUT);
        expect_msg(e, "nested more than 64 levels deep");
        cr_expect_eq(e.line, 1);
        cr_expect_gt(e.col, 8);
        /* The same text as a sweep file, and as a --set mapping. */
        sweep_spec s;
        memset(&s, 0, sizeof s);
        cr_expect_eq(sweepfile_load_text(&s, "s.yaml", b.s, b.n, &e), CRC_EINPUT);
        expect_msg(e, "nested more than 64 levels deep");
        sweepfile_free(&s);
        /* --set values are at most 1 KB: 200 levels of the same nesting. */
        cr_assert_eq(load(&sc, "name: s\n", &e), CRC_OK);
        sbuf a = {0};
        put(&a, "providers.rate={dist: ");
        for (int i = 0; i < 200; i++)
            put(&a, kind == 0 ? "[" : "{a: ");
        cr_expect_eq(scenario_set(&sc, a.s, &e), CRC_EINPUT);
        free(a.s);
        expect_msg(e, "nested more than 64 levels deep");
        scenario_free(&sc);
        free(b.s);
    }
}

/* The limit is exact: 64 levels pass the depth check, 65 do not. */
Test(integrity_input, depth_limit_is_exact)
{
    for (int depth = 63; depth <= 66; depth++) {
        sbuf b = {0};
        for (int i = 0; i < depth; i++)
            put(&b, "[");
        for (int i = 0; i < depth; i++)
            put(&b, "]");
        ycheck yc = {0};
        crc_err e;
        crc_err_clear(&e);
        int rc = ycheck_scan(&yc, "d.yaml", b.s, b.n, &e);
        cr_expect_eq(rc, depth <= YCHECK_MAX_DEPTH ? CRC_OK : CRC_EINPUT, "depth %d", depth);
        if (rc)
            cr_expect_eq(e.col, YCHECK_MAX_DEPTH + 1);
        ycheck_free(&yc);
        free(b.s);
    }
}

/* A design past DESIGN_MAX_POINTS is refused before any value is generated, from the
 * command line and from a file, for one factor or a product of several. */
Test(integrity_input, oversized_grid_is_refused_before_expansion)
{
    sweep_spec s;
    crc_err e;
    memset(&s, 0, sizeof s);
    cr_expect_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "fees.burn=0:0.1:1000000000", &e),
                 CRC_EINPUT);
    expect_msg(e, "1000000000 points");
    expect_msg(e, "10000000");
    cr_expect_eq(s.design.factors[0].n_values, 0u, "values were generated before the check");
    sweepfile_free(&s);

    /* 10^4 x 10^4: each list is small, the product is not. */
    memset(&s, 0, sizeof s);
    cr_assert_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "fees.burn=0:0.1:10000", &e), CRC_OK);
    cr_expect_eq(sweepfile_cli_factor(&s, DESIGN_GRID, "fees.data=0:0.1:10000", &e),
                 CRC_EINPUT);
    expect_msg(e, "100000000 points");
    cr_expect_eq(s.design.factors[1].n_values, 0u);
    sweepfile_free(&s);

    const char *text = "base: b.yaml\ndesign:\n  type: zip\n  params:\n"
                       "    fees.burn: {from: 0, to: 0.1, steps: 20000000}\n";
    memset(&s, 0, sizeof s);
    cr_expect_eq(sweepfile_load_text(&s, "s.yaml", text, strlen(text), &e), CRC_EINPUT);
    expect_msg(e, "20000000 points");
    cr_expect_eq(e.line, 5);
    sweepfile_free(&s);
}

/* The sample-based kinds are refused by their count before generation too. */
Test(integrity_input, oversized_sampled_designs_are_refused_before_generation)
{
    const char *texts[] = {
        "base: b.yaml\ndesign:\n  type: sobol\n  samples: 5000000\n  params:\n"
        "    fees.burn: {min: 0, max: 0.1}\n    fees.data: {min: 0, max: 0.1}\n",
        "base: b.yaml\ndesign:\n  type: morris\n  trajectories: 9000000\n  params:\n"
        "    fees.burn: {min: 0, max: 0.1}\n",
        "base: b.yaml\ndesign:\n  type: lhs\n  samples: 10000001\n  params:\n"
        "    fees.burn: {min: 0, max: 0.1}\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        sweep_spec s;
        crc_err e;
        memset(&s, 0, sizeof s);
        cr_expect_eq(sweepfile_load_text(&s, "s.yaml", texts[i], strlen(texts[i]), &e),
                     CRC_EINPUT, "case %zu", i);
        expect_msg(e, "the limit is 10000000");
        cr_expect_null(s.design.value, "case %zu generated points", i);
        sweepfile_free(&s);
    }
}

/* 50,000 criteria (quadratic before: 10 s) load, and a repeated name is still found,
 * naming the line of the first. */
Test(integrity_input, fifty_thousand_criteria_load_and_duplicates_are_found)
{
    sbuf b = {0};
    put(&b, "criteria:\n");
    for (int i = 0; i < 50000; i++)
        put(&b, "  - {name: c%d, metric: price, op: \">\", value: %d}\n", i, i);
    scenario sc;
    crc_err e;
    cr_assert_eq(load(&sc, b.s, &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(sc.n_criteria, 50000u);
    cr_expect_str_eq(sc.criteria[49999].name, "c49999");
    cr_expect_eq(sc.criteria[123].value, 123.0);
    scenario_free(&sc);
    put(&b, "  - {name: c777, metric: price, op: \"<\", value: 1}\n");
    cr_expect_eq(load(&sc, b.s, &e), CRC_EINPUT);
    expect_msg(e, "'c777' is already declared at line 779");
    cr_expect_eq(e.line, 50002);
    free(b.s);
}

/* 100,000 interventions (one realloc each took 200 s under ASan) load, sorted. */
Test(integrity_input, hundred_thousand_interventions_load)
{
    sbuf b = {0};
    put(&b, "params: {world.horizon: 36500}\ninterventions:\n");
    for (int i = 0; i < 100000; i++)
        put(&b, "  - {at: %d, set: {fees.burn: 0.0%d}}\n", 100000 - i, i % 10);
    scenario sc;
    crc_err e;
    cr_assert_eq(load(&sc, b.s, &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(sc.n_interventions, 100000u);
    cr_expect_eq(sc.interventions[0].t, 1.0);
    cr_expect_eq(sc.interventions[99999].t, 100000.0);
    cr_expect_eq(sc.intervention_pos[0].line, 100002); /* the last item, at: 1 */
    scenario_free(&sc);
    free(b.s);
}

/* A billion consumers is refused by validation with the estimate (it allocated for 40 s
 * and failed); the defaults fit and are not flagged as large; a long, fine-grained
 * horizon that fits is flagged as large but still valid. */
Test(integrity_input, cost_estimate_refuses_what_cannot_fit)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(load(&sc, "params: {consumers.count: 1000000000}\n", &e), CRC_OK);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_EINPUT);
    expect_msg(e, "cannot fit this machine");
    expect_msg(e, "GB of memory");
    expect_msg(e, "consumers.count");
    scenario_cost c;
    scenario_estimate(&sc, &c);
    cr_expect_geq(c.agents_start, 1e9);
    cr_expect_gt(c.bytes, 1e9 * 100);
    scenario_free(&sc);

    cr_assert_eq(load(&sc, "name: d\n", &e), CRC_OK);
    scenario_estimate(&sc, &c);
    cr_expect_lt(c.bytes, 1e9, "defaults estimated at %g B", c.bytes);
    cr_expect_eq(scenario_cost_is_large(&c), 0);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_OK, "%s", e.msg);
    scenario_free(&sc);

    cr_assert_eq(load(&sc, "params: {world.horizon: 36500, world.epoch: 0.1}\n", &e), CRC_OK);
    scenario_estimate(&sc, &c);
    cr_expect_eq(scenario_cost_is_large(&c), 1, "estimated %g s", c.seconds);
    cr_expect_gt(c.agent_epochs, 365000.0 * 3000);
    char text[400];
    scenario_cost_text(&c, text, sizeof text);
    cr_expect(strstr(text, "CPU") != NULL, "%s", text);
    scenario_free(&sc);
}

/* ---- non-finite values in analysis ------------------------------------------------------ */

/* A GSL domain error is recorded and reported once, instead of aborting. */
Test(integrity_input, gsl_errors_are_recorded_not_fatal)
{
    crc_err e;
    crc_err_clear(&e);
    cr_expect_eq(stats_gsl_check(&e), CRC_OK);
    double g = gsl_sf_gamma(-1.0); /* a pole: GSL_EDOM */
    (void)g;
    cr_expect_eq(stats_gsl_check(&e), CRC_EFAIL);
    expect_msg(e, "GSL");
    cr_expect_eq(stats_gsl_check(&e), CRC_OK, "the record is cleared once reported");
}

/* Infinities are counted and taken out; NaN is a missing value; the order is kept; the
 * statistics on what is left are those of the finite values, and given infinities
 * anyway they return NaN rather than abort. */
Test(integrity_input, infinite_values_are_counted_and_left_out)
{
    double v[] = {1, INFINITY, 2, -INFINITY, NAN, 3, INFINITY};
    size_t inf = 0, n = stats_finite(v, 7, &inf);
    cr_expect_eq(n, 3u);
    cr_expect_eq(inf, 3u);
    cr_expect(v[0] == 1 && v[1] == 2 && v[2] == 3);
    double a[] = {1, 2, INFINITY}, b[] = {2, 3, 4};
    stats_welch w;
    stats_welch_test(a, 3, b, 3, 0.95, &w);
    cr_expect(isnan(w.p));
    crc_err e;
    cr_expect_eq(stats_gsl_check(&e), CRC_OK, "%s", e.msg);
    cr_expect_float_eq(stats_t_crit(INFINITY, 0.95), 1.959963984540054, 1e-12);
}

/* End to end: a results database with infinities stored in 3 of 6 runs (by sqlite3
 * UPDATE) is summarised and compared with exit 0, and both commands report the count. */
Test(integrity_input, compare_and_summarize_report_infinite_runs)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char dir[] = "/tmp/crucible-inf-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], cmd[2048];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("params: {world.horizon: 20, consumers.count: 40}\nreplicates: 6\n", f);
    fclose(f);
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "'%s' run '%s' --out '%s/%c.db' --seed %d --quiet", bin, path,
                 dir, 'a' + i, 3 + i);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
    }
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/a.db", dir);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "UPDATE metric_values SET value = 9e999 WHERE metric = (SELECT "
                              "id FROM metric_names WHERE name = 'consumers') AND "
                              "run IN (SELECT id FROM runs ORDER BY id LIMIT 3)",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    for (int i = 0; i < 3; i++) {
        char sub[512];
        if (i == 1)
            snprintf(sub, sizeof sub, "compare '%s/a.db' '%s/b.db' --metric consumers", dir,
                     dir);
        else
            snprintf(sub, sizeof sub, "summarize '%s/a.db' --metric consumers%s", dir,
                     i == 2 ? " --format json" : "");
        snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", bin, sub, dir);
        int st = system(cmd);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s -> %d", sub, st);
        snprintf(path, sizeof path, "%s/out.txt", dir);
        f = fopen(path, "r");
        cr_assert_not_null(f);
        char out[16384];
        size_t n = fread(out, 1, sizeof out - 1, f);
        out[n] = '\0';
        fclose(f);
        cr_expect(strstr(out, i == 2 ? "\"infinite_runs\": 3" : "Non-finite values") != NULL,
                  "%s:\n%s", sub, out);
        cr_expect(strstr(out, i == 2 ? "\"runs\": 6" : "consumers") != NULL, "%s", out);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Runs `bin ARGS` in dir with its stdout and stderr into out (cap bytes); its exit code. */
static int crucible_in(const char *dir, char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int crucible_in(const char *dir, char *out, size_t cap, const char *fmt, ...)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char args[1024], cmd[2048], path[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s > out.txt 2>&1", dir, bin, args);
    int st = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A sweep whose base cannot fit the machine is refused before it starts, with the
 * estimate and what to lower (every point would fail alike); `run` prints validate's
 * warning for a large run before it starts, and --quiet leaves it out. */
Test(integrity_input, sweep_refuses_a_base_that_cannot_fit_and_run_warns_of_a_large_one)
{
    char dir[] = "/tmp/crucible-cost-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    write_file(dir, "huge.yaml", "name: huge\nparams: {consumers.count: 1000000000}\n");
    write_file(dir, "sw.yaml", "name: sw\nbase: huge.yaml\nreplicates: 1\nseed: 3\n"
                               "design:\n  type: grid\n  params:\n"
                               "    emission.rate: [100000, 400000]\n");
    write_file(dir, "long.yaml", "name: long\nparams: {world.horizon: 36500, world.epoch: 0.1}\n");
    write_file(dir, "junk.db", "not a database\n");
    char out[8192];
    cr_expect_eq(crucible_in(dir, out, sizeof out, "sweep sw.yaml -j1 --out s.db"), 2, "%s", out);
    cr_expect(strstr(out, "huge.yaml: this scenario cannot fit this machine") &&
                  strstr(out, "GB of memory") && strstr(out, "consumers.count"),
              "%s", out);
    char path[300];
    snprintf(path, sizeof path, "%s/s.db", dir);
    cr_expect_neq(access(path, F_OK), 0, "the sweep created its database");
    /* the warning comes before the database is opened (junk.db is then refused) */
    cr_expect_eq(crucible_in(dir, out, sizeof out, "run long.yaml --out junk.db"), 2, "%s", out);
    cr_expect(strstr(out, "long.yaml: warning: a large run:") && strstr(out, "CPU"), "%s", out);
    cr_expect_eq(crucible_in(dir, out, sizeof out, "run long.yaml --quiet --out junk.db"), 2);
    cr_expect_null(strstr(out, "warning"), "%s", out);
    cr_expect_eq(crucible_in(dir, out, sizeof out, "validate long.yaml"), 0, "%s", out);
    cr_expect(strstr(out, "long.yaml: warning: a large run:"), "%s", out);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* ---- messages and parsing --------------------------------------------------------------- */

/* Hexadecimal and octal are refused with the decimal to write, in a scenario file,
 * --set and a sweep file alike. */
Test(integrity_input, numbers_are_decimal_only)
{
    const char *in[] = {"0x10", "0x1p3", "0X1F", "0o17"};
    const char *out[] = {"write 16", "write 8", "write 31", "write 15"};
    for (size_t i = 0; i < 4; i++) {
        crc_err e;
        cr_expect_eq(load_param("world.horizon", in[i], &e), CRC_EINPUT, "%s", in[i]);
        expect_msg(e, out[i]);
        expect_msg(e, "decimal");
        cr_expect_eq(set_param("world.horizon", in[i], &e), CRC_EINPUT, "%s", in[i]);
        expect_msg(e, out[i]);
        cr_expect_eq(sweep_param("world.horizon", in[i], &e), CRC_EINPUT, "%s", in[i]);
        expect_msg(e, out[i]);
    }
}

/* A leading zero is ambiguous (YAML 1.1 octal, 1.2 decimal): refused with both
 * readings when it could be octal, with the number without it otherwise. */
Test(integrity_input, leading_zeros_are_refused_as_ambiguous)
{
    const char *in[] = {"010", "0755", "-010", "09", "007.5"};
    const char *out[] = {"write 10 or 8", "write 755 or 493", "write -10 or -8",
                         "write 9 without it", "write 7.5 without it"};
    for (size_t i = 0; i < 5; i++) {
        double x;
        char why[200];
        cr_expect_eq(params_parse_number(in[i], &x, why, sizeof why), -1, "%s", in[i]);
        cr_expect(strstr(why, out[i]) != NULL, "%s: %s", in[i], why);
    }
    crc_err e;
    cr_expect_eq(load_param("world.horizon", "010", &e), CRC_EINPUT);
    expect_msg(e, "octal (8)");
    cr_expect_eq(set_param("world.horizon", "010", &e), CRC_EINPUT);
    expect_msg(e, "write 10 or 8");
    /* A single 0, and zeros after the point, are ordinary. */
    const char *ok[] = {"0", "0.05", "-0.5", "0e3", "10"};
    for (size_t i = 0; i < 5; i++) {
        double x;
        char why[200];
        cr_expect_eq(params_parse_number(ok[i], &x, why, sizeof why), 0, "%s: %s", ok[i], why);
    }
}

/* Subnormals are numbers (then range-checked); infinities and NaN are not numbers. */
Test(integrity_input, subnormals_are_numbers_and_infinities_are_not)
{
    const char *sub[] = {"4.9e-324", "2.2e-308", "1e-320"};
    for (size_t i = 0; i < 3; i++) {
        double x = 0;
        char why[200];
        cr_expect_eq(params_parse_number(sub[i], &x, why, sizeof why), 0, "%s: %s", sub[i],
                     why);
        cr_expect_gt(x, 0.0);
        crc_err e;
        cr_expect_eq(load_param("fees.burn", sub[i], &e), CRC_OK, "%s: %s", sub[i], e.msg);
        cr_expect_eq(load_param("world.horizon", sub[i], &e), CRC_EINPUT);
        expect_msg(e, "is out of range");
    }
    const char *bad[] = {"inf", ".inf", "-.Inf", "nan", ".NaN", "1e400"};
    for (size_t i = 0; i < 6; i++) {
        crc_err e;
        cr_expect_eq(load_param("fees.burn", bad[i], &e), CRC_EINPUT, "%s", bad[i]);
        expect_msg(e, "is not a number");
        cr_expect_eq(set_param("fees.burn", bad[i], &e), CRC_EINPUT, "%s", bad[i]);
    }
}

/* An out-of-range value is printed with the digits that make it out of range. */
Test(integrity_input, out_of_range_values_are_printed_exactly)
{
    const char *path[] = {"world.horizon", "fees.burn", "world.epoch"};
    const char *val[] = {"36500.000000001", "1.0000000000000002", "365.00000000000006"};
    for (size_t i = 0; i < 3; i++) {
        crc_err e;
        cr_expect_eq(load_param(path[i], val[i], &e), CRC_EINPUT, "%s", val[i]);
        char want[80];
        snprintf(want, sizeof want, "%s is out of range", val[i]);
        expect_msg(e, want);
        cr_expect_eq(set_param(path[i], val[i], &e), CRC_EINPUT);
        expect_msg(e, want);
    }
}

/* A quoted number is text: the message says it is quoted and what to write, for a
 * parameter, an intervention day, a criterion value, a distribution argument and a
 * sweep value. */
Test(integrity_input, quoted_numbers_are_said_to_be_text)
{
    const char *texts[] = {
        "params: {world.horizon: \"7\"}\n",
        "params: {world.horizon: '180'}\n",
        "interventions:\n  - {at: \"30\", set: {fees.burn: 0.1}}\n",
        "criteria:\n  - {name: c, metric: price, op: \">\", value: \"2.5\"}\n",
        "params:\n  providers.quality: {dist: beta, a: \"8\", b: 2}\n",
    };
    const char *fix[] = {"without quotes: 7", "without quotes: 180", "without quotes: 30",
                         "without quotes: 2.5", "without quotes: 8"};
    for (size_t i = 0; i < 5; i++) {
        scenario sc;
        crc_err e;
        cr_expect_eq(load(&sc, texts[i], &e), CRC_EINPUT, "case %zu", i);
        expect_msg(e, "is quoted");
        expect_msg(e, fix[i]);
        cr_expect_gt(e.line, 0);
    }
    crc_err e;
    cr_expect_eq(sweep_param("fees.burn", "\"0.05\"", &e), CRC_EINPUT);
    expect_msg(e, "without quotes: 0.05");
    /* Text stays text where text is expected. */
    cr_expect_eq(load_param("emission.schedule", "\"halving\"", &e), CRC_OK, "%s", e.msg);
}

/* Tags: !!int and !!float are allowed on numbers, !!str makes text, any other tag is
 * refused with its name and position. */
Test(integrity_input, yaml_tags_follow_one_rule)
{
    crc_err e;
    cr_expect_eq(load_param("world.horizon", "!!int 10", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(load_param("fees.burn", "!!float 0.25", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(load_param("world.horizon", "!!str 10", &e), CRC_EINPUT);
    expect_msg(e, "tagged !!str");
    cr_expect_eq(load_param("world.horizon", "!custom 10", &e), CRC_EINPUT);
    expect_msg(e, "tag !custom is not allowed");
    cr_expect_eq(e.line, 2);
    cr_expect_eq(load_param("world.horizon", "!!null 10", &e), CRC_EINPUT);
    expect_msg(e, "tag !!null is not allowed");
    cr_expect_eq(load_param("world.horizon", "!!int 10.5", &e), CRC_EINPUT);
    expect_msg(e, "not a whole number");
    cr_expect_eq(load_param("world.horizon", "!!float 0x10", &e), CRC_EINPUT);
    expect_msg(e, "write 16");
    cr_expect_eq(sweep_param("fees.burn", "!!str 0.1", &e), CRC_EINPUT);
    expect_msg(e, "tagged !!str");
    cr_expect_eq(sweep_param("fees.burn", "!custom 0.1", &e), CRC_EINPUT);
    expect_msg(e, "tag !custom is not allowed");
    /* !!str on a text value is just text. */
    cr_expect_eq(load_param("emission.schedule", "!!str halving", &e), CRC_OK, "%s", e.msg);
}

/* A cross-parameter error (a fee split over 1) is placed at the parameter set last, and
 * names the others involved with their lines. */
Test(integrity_input, fee_split_error_names_line_and_column)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(load(&sc, "name: f\nparams:\n  fees.data: 0.5\n  world.horizon: 100\n"
                           "  fees:\n    burn: 0.3\n", &e),
                 CRC_OK);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_EINPUT);
    cr_expect_eq(e.line, 6);
    cr_expect_eq(e.col, 5);
    expect_msg(e, "fee split");
    expect_msg(e, "fees.burn is set here");
    expect_msg(e, "fees.data (line 3)");
    cr_assert_eq(scenario_set(&sc, "fees.burn=0", &e), CRC_OK);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(scenario_set(&sc, "fees.model=0.6", &e), CRC_OK);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_EINPUT);
    cr_expect_eq(e.line, 3, "the file's line, not the --set");
    expect_msg(e, "fees.model (--set)");
    scenario_free(&sc);
}
