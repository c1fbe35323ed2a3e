/*
 * test_plot.c — every plot kind produces a non-empty picture of the format its name asks
 * for (PNG signature, SVG root element, %PDF header) from small fixture databases
 * written with the documented schema, with its gnuplot script and data beside it (the
 * time series' data checked number by number against the fixture's formula); the
 * caption names scenario, hash and version; a missing gnuplot is a clear error that
 * names the Debian package and still leaves the script and data.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adb.h"
#include "fixtures/analysis/fixture_db.h"
#include "model/metdoc.h"
#include "plot.h"
#include "sensdb.h"
#include "helpers.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-plot-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    if (!strncmp(dir, "/tmp/crc-plot-", 14)) {
        snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
        cr_expect_eq(system(cmd), 0);
    }
}

TestSuite(plot, .init = setup, .fini = teardown);

/* The picture exists, is non-empty and starts like its format says. */
static void expect_format(const char *out)
{
    size_t n = 0;
    char *s = th_slurp(out, &n);
    cr_assert(s, "%s was not written", out);
    cr_expect_gt(n, 1000, "%s is suspiciously small (%zu bytes)", out, n);
    const char *ext = strrchr(out, '.');
    if (!strcmp(ext, ".png"))
        cr_expect(n > 8 && !memcmp(s, "\x89PNG\r\n\x1a\n", 8), "%s lacks the PNG signature", out);
    else if (!strcmp(ext, ".svg"))
        cr_expect(strstr(s, "<svg") && strstr(s, "</svg>"), "%s is not an SVG document", out);
    else if (!strcmp(ext, ".pdf"))
    {
        int eof = 0; /* binary content: search the tail byte by byte */
        for (size_t i = n > 64 ? n - 64 : 0; i + 5 <= n; i++)
            eof |= !memcmp(s + i, "%%EOF", 5);
        cr_expect(!memcmp(s, "%PDF-", 5) && eof, "%s is not a PDF", out);
    }
    free(s);
    /* Script and data beside it; the script reads the data by its base name. */
    char gp[256], dat[256];
    plot_paths(out, gp, dat, sizeof gp);
    char *script = th_slurp(gp, &n);
    cr_assert(script, "%s was not written", gp);
    const char *base = strrchr(dat, '/') + 1;
    cr_expect(strstr(script, base), "the script does not name its data file %s", base);
    cr_expect(strstr(script, "set title"));
    cr_expect(strstr(script, "set label 101"), "caption line");
    free(script);
    char *data = th_slurp(dat, &n);
    cr_assert(data, "%s was not written", dat);
    cr_expect_gt(n, 20);
    free(data);
}

static void draw(const char *db_path, const char *db2_path, plot_opts o)
{
    adb d, d2;
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(adb_open(&d, db_path, &err), CRC_OK, "%s", err.msg);
    if (db2_path)
        cr_assert_eq(adb_open(&d2, db2_path, &err), CRC_OK, "%s", err.msg);
    if (!o.level)
        o.level = 0.95;
    int rc = plot_make(&d, db2_path ? &d2 : NULL, &o, &err);
    cr_assert_eq(rc, CRC_OK, "%s plot: %s", plot_kind_name(o.kind), err.msg);
    adb_close(&d);
    if (db2_path)
        adb_close(&d2);
    expect_format(o.out);
}

static const char *path(const char *name)
{
    static char buf[8][128];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

Test(plot, timeseries_overlays_two_databases_as_png)
{
    const char *a = path("base.db"), *b = path("prop.db");
    fixture_plain(a, "baseline", 0.0, 6);
    fixture_plain(b, "proposal", 0.2, 6);
    const char *out = path("ts.png");
    draw(a, b, (plot_opts){.kind = PLOT_TIMESERIES, .metric = "price_usd", .out = out,
                           .point = -2});
    size_t n;
    char *data = th_slurp(path("ts.dat"), &n);
    /* Two blocks (one per database), 30 epochs each. */
    cr_expect(strstr(data, "base.db") && strstr(data, "prop.db"));
    size_t rows = 0;
    for (char *l = data; (l = strchr(l, '\n')); l++)
        if (l[1] >= '0' && l[1] <= '9')
            rows++;
    cr_expect_eq(rows, 60, "30 epochs per database");
    /* The numbers: the first block is base.db, whose prices the fixture computes by a
     * known formula; recompute them and check every row's mean and median over the six
     * done runs (the failed run excluded), and that the band holds the median. */
    const char *blk = strstr(data, "base.db");
    cr_assert(blk && blk < strstr(data, "prop.db"), "base.db's block comes first");
    double price[6] = {1, 1, 1, 1, 1, 1};
    const char *l = strchr(blk, '\n');
    for (int t = 1; t <= 30; t++) {
        for (int r = 0; r < 6; r++)
            price[r] *= 1.0 + 0.03 * fixture_noise(r, t, 1);
        double v[6];
        memcpy(v, price, sizeof v);
        for (int i = 1; i < 6; i++) /* sort six values */
            for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
                double tmp = v[j];
                v[j] = v[j - 1];
                v[j - 1] = tmp;
            }
        double mean = 0;
        for (int r = 0; r < 6; r++)
            mean += price[r] / 6;
        double median = (v[2] + v[3]) / 2;
        while (l && l[1] == '#')
            l = strchr(l + 1, '\n');
        cr_assert(l, "row for t = %d", t);
        double tt, med, p5, p95, mu, cnt;
        cr_assert_eq(sscanf(l + 1, "%lf %lf %lf %lf %lf %lf", &tt, &med, &p5, &p95, &mu, &cnt), 6,
                     "row for t = %d: %.40s", t, l + 1);
        cr_expect_eq(tt, t);
        cr_expect_eq(cnt, 6, "t = %d: six done runs (the failed one excluded)", t);
        cr_expect(fabs(mu / mean - 1) < 1e-9, "t = %d: mean %.12g, expected %.12g", t, mu, mean);
        cr_expect(fabs(med / median - 1) < 1e-9, "t = %d: median %.12g, expected %.12g", t, med,
                  median);
        cr_expect(p5 >= v[0] && p5 <= med && med <= p95 && p95 <= v[5], "t = %d: band", t);
        l = strchr(l + 1, '\n');
    }
    free(data);
    char *script = th_slurp(path("ts.gp"), &n);
    cr_expect(strstr(script, "0000000000005ef5"), "caption carries the scenario hash");
    cr_expect(strstr(script, "crucible 0.1.0"), "caption carries the version");
    cr_expect(strstr(script, "USD per TKN"), "axis unit");
    free(script);
}

Test(plot, heatmap_of_metric_and_of_criterion_as_svg)
{
    const char *g = path("grid.db");
    fixture_grid(g);
    draw(g, NULL, (plot_opts){.kind = PLOT_HEATMAP, .metric = "price_usd", .x = "fees.burn",
                              .y = "emission.half_life", .out = path("hm.svg")});
    draw(g, NULL, (plot_opts){.kind = PLOT_HEATMAP, .metric = "price_holds",
                              .x = "fees.burn", .y = "emission.half_life",
                              .out = path("hmc.svg")});
    /* The pass probability at (burn 0, half-life 90) is 0 of 3; at (0.1, 365) 3 of 3. */
    size_t n;
    char *data = th_slurp(path("hmc.dat"), &n);
    cr_expect(strstr(data, "\n0 0 0 3 0 90\n"), "cell (0, 90): %s", data);
    cr_expect(strstr(data, "\n2 2 1 3 0.1 365\n"), "cell (0.1, 365)");
    free(data);
}

Test(plot, rewards_stacked_area_as_pdf)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 4);
    draw(a, NULL, (plot_opts){.kind = PLOT_REWARDS, .out = path("rw.pdf"), .point = -2});
    size_t n;
    char *data = th_slurp(path("rw.dat"), &n);
    cr_expect(strstr(data, "builder farmer honest"), "one column per class");
    free(data);
}

Test(plot, sensitivity_bars_from_a_sobol_sweep_as_png)
{
    const char *s = path("sobol.db");
    fixture_sobol(s, 256);
    draw(s, NULL, (plot_opts){.kind = PLOT_SENSITIVITY, .metric = "ishigami",
                              .out = path("se.png"), .n_boot = 100, .seed = 1});
}

Test(plot, flows_by_reason_as_svg_and_pdf)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 4);
    draw(a, NULL, (plot_opts){.kind = PLOT_FLOWS, .out = path("fl.svg")});
    draw(a, NULL, (plot_opts){.kind = PLOT_FLOWS, .out = path("fl.pdf")});
    size_t n;
    char *data = th_slurp(path("fl.dat"), &n);
    /* 100 TKN of emission per epoch for 30 epochs = 3000 per run. */
    cr_expect(strstr(data, "\"reserve -> honest\" 0 3000"), "%s", data);
    free(data);
}

Test(plot, bad_options_are_input_errors)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 2);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, a, &err), CRC_OK);
    plot_opts o = {.kind = PLOT_FLOWS, .out = path("x.gif")};
    cr_expect_eq(plot_make(&d, NULL, &o, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, ".png, .svg or .pdf"));
    o = (plot_opts){.kind = PLOT_TIMESERIES, .metric = "no_such", .out = path("x.png"),
                    .point = -2};
    cr_expect_eq(plot_make(&d, NULL, &o, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "price_usd"), "the error lists known names: %s", err.msg);
    o = (plot_opts){.kind = PLOT_HEATMAP, .metric = "price_usd", .x = "a", .y = "b",
                    .out = path("x.png")};
    cr_expect_eq(plot_make(&d, NULL, &o, &err), CRC_EINPUT, "not a sweep");
    adb_close(&d);
}

Test(plot, missing_gnuplot_names_the_package_and_keeps_the_script)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 2);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, a, &err), CRC_OK);
    setenv("PATH", "/nonexistent-dir", 1); /* each Criterion test runs in its own process */
    plot_opts o = {.kind = PLOT_FLOWS, .out = path("nognu.png")};
    cr_expect_eq(plot_make(&d, NULL, &o, &err), CRC_EFAIL);
    cr_expect(strstr(err.msg, "gnuplot-nox"), "%s", err.msg);
    cr_expect_eq(access(path("nognu.gp"), R_OK), 0);
    cr_expect_eq(access(path("nognu.dat"), R_OK), 0);
    cr_expect_neq(access(path("nognu.png"), F_OK), 0);
    adb_close(&d);
}

Test(plot, cli_exits_1_without_gnuplot_and_other_commands_still_work)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 2);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cd '%s' && PATH=/nonexistent-dir '%s' plot base.db --kind flows "
             "--out f.png 2> err.txt", dir, bin);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d", WEXITSTATUS(st));
    size_t n;
    char *msg = th_slurp(path("err.txt"), &n);
    cr_expect(msg && strstr(msg, "gnuplot-nox"), "stderr: %s", msg ? msg : "(none)");
    free(msg);
    snprintf(cmd, sizeof cmd, "PATH=/nonexistent-dir '%s' summarize '%s' --metric price_usd "
             "> /dev/null", bin, a);
    st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "summarize works without gnuplot");
}

Test(plot, cli_accepts_the_kind_before_the_database)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    fixture_plain(path("base.db"), "baseline", 0.0, 2);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' plot flows base.db --out f.svg > /dev/null", dir,
             bin);
    cr_expect_eq(system(cmd), 0);
    expect_format(path("f.svg"));
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' plot nonsense base.db 2> /dev/null", dir, bin);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "an unknown kind is bad input");
}

/* ---- issue 20: plots an economist can read as they are --------------------------------- */

/* The metric table as the store writes it into meta.metric_info (docs/results.md). */
static void add_metric_info(const char *db_path)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    fixture_exec(db, "INSERT INTO meta VALUES('metric_info', 'price_usd\ttoken price\tUSD/TKN\n"
                     "reward_tkn.*\trewards to *\tTKN per epoch\n')");
    sqlite3_close(db);
}

static int script_has(const char *gp_name, const char *text)
{
    size_t n;
    char *s = th_slurp(path(gp_name), &n);
    cr_assert(s, "%s was not written", gp_name);
    int found = strstr(s, text) != NULL;
    free(s);
    return found;
}

Test(plot, axes_take_label_and_unit_from_the_database_and_end_at_the_last_day)
{
    char a[128];
    snprintf(a, sizeof a, "%s", path("base.db"));
    fixture_plain(a, "baseline", 0.0, 3);
    /* A file from before meta.metric_info: the raw name, with a unit guessed from it. */
    draw(a, NULL, (plot_opts){.kind = PLOT_TIMESERIES, .metric = "price_usd",
                              .out = path("old.png"), .point = -2});
    cr_expect(script_has("old.gp", "set ylabel 'price_usd (USD per TKN)'"));
    add_metric_info(a);
    draw(a, NULL, (plot_opts){.kind = PLOT_TIMESERIES, .metric = "price_usd",
                              .out = path("ts.png"), .point = -2});
    cr_expect(script_has("ts.gp", "set ylabel 'token price (USD/TKN)'"));
    cr_expect(script_has("ts.gp", "token price over time"), "the title names the label");
    cr_expect(!script_has("ts.gp", "price_usd over"), "no raw name in the title");
    /* the fixture's runs end at day 30: the axis too, not at gnuplot's rounder 35 */
    cr_expect(script_has("ts.gp", "set xrange [0:30]"));
    cr_expect(script_has("ts.gp", "set key at screen 0.5"), "the legend sits below the plot");
    /* a family label takes the member's name; final.X is X */
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, a, &err), CRC_OK, "%s", err.msg);
    char label[128], unit[64];
    cr_expect_eq(adb_metric_info(&d, "reward_tkn.honest", label, sizeof label, unit,
                                 sizeof unit), 1);
    cr_expect_str_eq(label, "rewards to honest");
    cr_expect_str_eq(unit, "TKN per epoch");
    cr_expect_eq(adb_metric_info(&d, "final.price_usd", label, sizeof label, unit,
                                 sizeof unit), 1);
    cr_expect_str_eq(label, "token price");
    cr_expect_eq(adb_metric_info(&d, "no_such", label, sizeof label, unit, sizeof unit), 0);
    cr_expect_str_eq(label, "no_such");
    adb_close(&d);
}

/* The label and unit metric_info gives name are the model's table's (model/metdoc.h),
 * a family's '*' replaced by the member. */
static void expect_table_entry(const char *name, const char *label, const char *unit)
{
    const metdoc *m = metdoc_find(name);
    cr_assert(m, "%s has no entry in sim/model/metdoc.c", name);
    const char *star = strchr(m->label, '*');
    const char *dot = strrchr(name, '.');
    char want[160];
    if (star && dot)
        snprintf(want, sizeof want, "%.*s%s%s", (int)(star - m->label), m->label, dot + 1,
                 star + 1);
    else
        snprintf(want, sizeof want, "%s", m->label);
    cr_expect_str_eq(label, want, "%s", name);
    cr_expect_str_eq(unit, m->unit, "%s", name);
}

Test(plot, the_store_describes_every_metric_a_run_writes)
{
    /* Every name a short run of the baseline, of the market-depth scenario (liquidity
     * providers, arbitrage, holders) and of the calibrated OpenLedger scenario (treasury
     * spending) stores has a label in the table the store copies, the model's own. */
    static const char *const scenarios[] = {"scenarios/baseline.yaml",
                                            "scenarios/market-depth.yaml",
                                            "scenarios/calibrated/openledger.yaml"};
    static const char *const expected[] = {"treasury_spent_usd", "lp_depth_usd",
                                           "treasury_spent_usd"};
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    for (size_t k = 0; k < sizeof scenarios / sizeof *scenarios; k++) {
        char cmd[512], db[128];
        snprintf(db, sizeof db, "%s", path("y.db"));
        remove(db);
        snprintf(cmd, sizeof cmd, "'%s' run %s --replicates 1 --set world.horizon=14 --out "
                 "'%s' > /dev/null 2>&1", bin, scenarios[k], db);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        adb d;
        crc_err err;
        cr_assert_eq(adb_open(&d, db, &err), CRC_OK, "%s", err.msg);
        char **names;
        size_t n;
        cr_assert_eq(adb_value_names(&d, &names, &n, &err), CRC_OK, "%s", err.msg);
        cr_expect_gt(n, 50);
        int saw = 0;
        for (size_t i = 0; i < n; i++) {
            char label[128], unit[64];
            saw |= !strcmp(names[i], expected[k]);
            cr_expect_eq(adb_metric_info(&d, names[i], label, sizeof label, unit,
                                         sizeof unit), 1,
                         "%s (%s) has no entry in sim/model/metdoc.c", names[i], scenarios[k]);
            expect_table_entry(names[i], label, unit);
        }
        cr_expect(saw, "%s writes %s", scenarios[k], expected[k]);
        adb_strings_free(names, n);
        adb_close(&d);
    }
}

Test(plot, rewards_leave_out_classes_paid_nothing)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 3.0, 2); /* farmer rewards: max(0, 40 - 90 + noise) = 0 */
    draw(a, NULL, (plot_opts){.kind = PLOT_REWARDS, .out = path("rw.png"), .point = -2});
    size_t n;
    char *data = th_slurp(path("rw.dat"), &n);
    cr_expect(strstr(data, "# t 0 builder honest\n"), "%s", data);
    free(data);
    cr_expect(script_has("rw.gp", "zero throughout: farmer"), "the title names it");
    cr_expect(script_has("rw.gp", "classes = 'builder honest'"));
    cr_expect(script_has("rw.gp", "set xrange [0:30]"));
}

Test(plot, flows_are_horizontal_bars_with_the_rest_grouped)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 2);
    draw(a, NULL, (plot_opts){.kind = PLOT_FLOWS, .out = path("fl.png")});
    cr_expect(script_has("fl.gp", "with boxxyerror"));
    cr_expect(script_has("fl.gp", "ytic(2)"), "pairs label the y axis, horizontally");
    cr_expect(!script_has("fl.gp", "rotate"), "no slanted labels");
}

Test(plot, morris_bars_start_at_zero)
{
    /* Two trajectories (the same path twice) over three unit parameters with step 2/3
     * (levels = 4). */
    const char *m = path("morris.db");
    sqlite3 *db = fixture_open(m);
    const double d3 = 2.0 / 3.0;
    const double x[4][3] = {{0, 0, 0}, {d3, 0, 0}, {d3, d3, 0}, {d3, d3, d3}};
    char sql[256];
    for (int p = 0; p < 8; p++) {
        for (int c = 0; c < 3; c++) {
            snprintf(sql, sizeof sql, "INSERT INTO points VALUES(%d, 'fees.%s', %.17g, NULL)",
                     p, c == 0 ? "burn" : c == 1 ? "model" : "data", x[p % 4][c]);
            fixture_exec(db, sql);
        }
        fixture_run(db, p + 1, "morris", 0, p);
        snprintf(sql, sizeof sql, "INSERT INTO summary VALUES(%d, 'f', %.17g)", p + 1,
                 5 + 3 * x[p % 4][0] - 2 * x[p % 4][1] + x[p % 4][2]);
        fixture_exec(db, sql);
    }
    fixture_exec(db, "INSERT INTO meta VALUES('design', 'morris trajectories=2 levels=4')");
    fixture_close(db);
    draw(m, NULL, (plot_opts){.kind = PLOT_SENSITIVITY, .metric = "f", .out = path("mo.png")});
    cr_expect(script_has("mo.gp", "set yrange [0:*]"));
    cr_expect(script_has("mo.gp", "Share burned\\n[fees.burn]"), "registry label over path");
}

/* The widest bootstrap interval of an Ishigami sobol sweep of N base samples. */
static void sobol_check(size_t N, const char *db_name, sensdb_check *c)
{
    const char *s = path(db_name);
    fixture_sobol(s, N);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, s, &err), CRC_OK, "%s", err.msg);
    sensdb_result r;
    cr_assert_eq(sensdb_compute(&d, "ishigami", 200, 0.95, 1, &r, &err), CRC_OK, "%s", err.msg);
    sensdb_sobol_check(&r, c);
    /* the advice follows from the width's 1/sqrt(N) law */
    if (c->n_enough) {
        double f = c->width / SENSDB_WIDTH;
        cr_expect_eq(c->n_enough, (size_t)ceil((double)N * f * f));
        cr_expect_eq(c->runs_enough, c->n_enough * (r.k + 2) * r.replicates);
    }
    sensdb_free(&r);
    adb_close(&d);
}

Test(plot, sobol_warns_when_the_sample_is_too_small_and_says_how_many_would_do)
{
    sensdb_check small, big;
    sobol_check(6, "s6.db", &small);
    sobol_check(2048, "s2048.db", &big);
    /* N = 6: the intervals span more than the whole [0, 1] range. */
    cr_expect_eq(small.too_small, 1, "width %g", small.width);
    cr_expect_gt(small.width, 1.0);
    cr_expect(strstr(small.msg, "WARNING"), "%s", small.msg);
    cr_expect_gt(small.n_enough, 6);
    /* N = 2048: Ishigami's intervals are about 4/sqrt(N) = 0.09 wide: nothing to say. */
    cr_expect_eq(big.too_small, 0, "width %g: %s", big.width, big.msg);
    cr_expect_lt(big.width, SENSDB_WIDTH);
    cr_expect_str_eq(big.msg, "");
    /* The warning is in the picture and in `crucible sensitivity`, only at the small N. */
    draw(path("s6.db"), NULL, (plot_opts){.kind = PLOT_SENSITIVITY, .metric = "ishigami",
                                          .out = path("s6.png"), .n_boot = 200, .seed = 1});
    draw(path("s2048.db"), NULL, (plot_opts){.kind = PLOT_SENSITIVITY, .metric = "ishigami",
                                             .out = path("s2048.png"), .n_boot = 200,
                                             .seed = 1});
    cr_expect(script_has("s6.gp", "WARNING: N = 6 base samples is too small"));
    cr_expect(script_has("s6.gp", "share of output variance"));
    cr_expect(!script_has("s2048.gp", "WARNING"));
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' sensitivity '%s' --metric ishigami --boot 200 > '%s'", bin,
             path("s6.db"), path("s6.txt"));
    cr_assert_eq(system(cmd), 0);
    size_t n;
    char *out = th_slurp(path("s6.txt"), &n);
    cr_expect(strstr(out, "ishigami: WARNING: N = 6") && strstr(out, "would narrow them"), "%s",
              out);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' sensitivity '%s' --metric ishigami --boot 200 > '%s'", bin,
             path("s2048.db"), path("s2048.txt"));
    cr_assert_eq(system(cmd), 0);
    out = th_slurp(path("s2048.txt"), &n);
    cr_expect(!strstr(out, "WARNING"), "%s", out);
    free(out);
}

Test(plot, script_runs_from_any_folder_and_never_leaves_an_empty_picture)
{
    const char *a = path("base.db");
    fixture_plain(a, "baseline", 0.0, 2);
    draw(a, NULL, (plot_opts){.kind = PLOT_FLOWS, .out = path("fl.png")});
    char cmd[512];
    /* from / (another folder), by its path: it reads its data and writes beside itself */
    snprintf(cmd, sizeof cmd, "cd / && rm -f '%s' && gnuplot '%s' 2>/dev/null", path("fl.png"),
             path("fl.gp"));
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    struct stat st;
    cr_expect(stat(path("fl.png"), &st) == 0 && st.st_size > 1000);
    /* without its data it fails with a message and writes no picture at all */
    snprintf(cmd, sizeof cmd, "cd / && rm -f '%s' '%s' && gnuplot '%s' 2>/dev/null",
             path("fl.png"), path("fl.dat"), path("fl.gp"));
    cr_expect_neq(system(cmd), 0);
    cr_expect_neq(stat(path("fl.png"), &st), 0, "an empty picture was left behind");
}
