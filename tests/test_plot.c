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
#include "plot.h"

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

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert(s);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = 0;
    fclose(f);
    return s;
}

/* The picture exists, is non-empty and starts like its format says. */
static void expect_format(const char *out)
{
    size_t n = 0;
    char *s = slurp(out, &n);
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
    char *script = slurp(gp, &n);
    cr_assert(script, "%s was not written", gp);
    const char *base = strrchr(dat, '/') + 1;
    cr_expect(strstr(script, base), "the script does not name its data file %s", base);
    cr_expect(strstr(script, "set title"));
    cr_expect(strstr(script, "set label 101"), "caption line");
    free(script);
    char *data = slurp(dat, &n);
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
    char *data = slurp(path("ts.dat"), &n);
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
    char *script = slurp(path("ts.gp"), &n);
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
    char *data = slurp(path("hmc.dat"), &n);
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
    char *data = slurp(path("rw.dat"), &n);
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
    char *data = slurp(path("fl.dat"), &n);
    /* 100 TKN of emission per epoch for 30 epochs = 3000 per run. */
    cr_expect(strstr(data, "\"reserve -> honest\" 3000"), "%s", data);
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
    char *msg = slurp(path("err.txt"), &n);
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
