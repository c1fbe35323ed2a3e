/*
 * test_discover.c — scenario discovery on sweep databases (analysis/discover.h and
 * `crucible discover`): exact numbers on a hand-made grid, the JSON fields, the figures,
 * bad input, and safe settings on a synthetic sweep with a known safe region evaluated
 * on fresh replicates by a synthetic evaluator behind the runner's interface.
 */
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "discover.h"
#include "engine/rng.h"
#include "fixtures/analysis/fixture_db.h"
#include "helpers.h"

/* A sweep database: np points over k parameters (x[p * k + j]), reps replicates each;
 * run (p, r) has criterion `ok` with verdict pass[p * reps + r] (-1: none) and summary
 * value `loss` = 1 - pass. */
static void write_sweep(const char *path, size_t np, size_t k, const char *const *paths,
                        const double *x, size_t reps, const int *pass)
{
    sqlite3 *db = fixture_open(path);
    char sql[1024];
    fixture_exec(db, "INSERT INTO meta VALUES('command','sweep');"
                     "INSERT INTO meta VALUES('sweep_seed','7');");
    for (size_t p = 0; p < np; p++)
        for (size_t j = 0; j < k; j++) {
            snprintf(sql, sizeof sql, "INSERT INTO points VALUES(%zu, '%s', %.17g, '%g');", p,
                     paths[j], x[p * k + j], x[p * k + j]);
            fixture_exec(db, sql);
        }
    long id = 1;
    for (size_t p = 0; p < np; p++)
        for (size_t r = 0; r < reps; r++, id++) {
            int v = pass[p * reps + r];
            snprintf(sql, sizeof sql,
                     "INSERT INTO runs(id, scenario, scenario_hash, seed, replicate, point, "
                     "version, status) VALUES(%ld, 'synthetic', 'abcd', 7, %zu, %zu, 'test', "
                     "'done');", id, r, p);
            fixture_exec(db, sql);
            if (v < 0)
                continue;
            snprintf(sql, sizeof sql,
                     "INSERT INTO criteria VALUES(%ld, 'ok', 'loss', 'end', '<', 0.5, %d, %d, "
                     "NULL); INSERT INTO summary VALUES(%ld, 'loss', %d);",
                     id, 1 - v, v, id, 1 - v);
            fixture_exec(db, sql);
        }
    fixture_close(db);
}

/* The 4 x 4 grid (a, b in 0..3), 2 replicates: `ok` fails at a = 3 except in one
 * replicate of (3, 0), and in one replicate of (0, 0): 8 failures in 32 runs. */
static const char *const grid_paths[2] = {"defense.audit.rate", "poison.count"};

static void write_grid(const char *path)
{
    double x[32];
    int pass[32];
    for (int p = 0; p < 16; p++) {
        x[2 * p] = p / 4;
        x[2 * p + 1] = p % 4;
        for (int r = 0; r < 2; r++)
            pass[2 * p + r] = p / 4 != 3;
    }
    pass[2 * 12 + 1] = 1; /* (3, 0), replicate 1 holds */
    pass[0] = 0;          /* (0, 0), replicate 0 fails */
    write_sweep(path, 16, 2, grid_paths, x, 2, pass);
}

static char *tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/crc-disc-XXXXXX");
    cr_assert(mkdtemp(dir));
    return dir;
}

static void rmdir_all(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Runs `crucible ARGS` with output to dir/out.txt; returns the exit status. */
static int crucible(const char *dir, const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", bin, args, dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes the hand-made grid into dir/grid.db, whose path it leaves in path. */
static void grid_db(const char *dir, char *path, size_t n)
{
    snprintf(path, n, "%s/grid.db", dir);
    write_grid(path);
}

static int out_has(const char *dir, const char *text)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "grep -qF -- '%s' '%s/out.txt'", text, dir);
    return system(cmd) == 0;
}

Test(discover, coverage_density_and_mass_are_exact_on_a_hand_made_grid)
{
    char *dir = tmpdir(), path[128];
    grid_db(dir, path, sizeof path);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK, "%s", err.msg);
    discover_opts o;
    discover_opts_default(&o);
    o.criterion = "ok";
    o.n_boot = 20;
    discover_result r;
    cr_assert_eq(discover_compute(&d, &o, &r, &err), CRC_OK, "%s", err.msg);
    /* Peeling removes a = 0, 1, 2 (whole levels: ties go together); the densest box with
     * coverage >= 0.8 is a = 3 (7 of its 8 runs fail), and pasting adds nothing. */
    cr_expect_eq(r.runs, 32);
    cr_expect_eq(r.points, 16);
    cr_expect_eq(r.cases, 8);
    cr_expect_eq(r.box_runs, 8);
    cr_expect_eq(r.box_points, 4);
    cr_expect_eq(r.box_cases, 7);
    cr_expect(fabs(r.coverage - 7.0 / 8) < 1e-15);
    cr_expect(fabs(r.density - 7.0 / 8) < 1e-15);
    cr_expect(fabs(r.mass - 8.0 / 32) < 1e-15);
    cr_expect(r.dims[0].restricted);
    cr_expect_eq(r.dims[0].lo, 3.0);
    cr_expect_eq(r.dims[0].hi, 3.0);
    cr_expect_not(r.dims[1].restricted, "b is not restricted");
    /* Without the restriction on a the box is everything: p = 8/32; P(X >= 7) for
     * X ~ Bin(8, 1/4) = 8 (1/4)^7 (3/4) + (1/4)^8. */
    double direct = gsl_cdf_binomial_Q(6, 0.25, 8);
    cr_expect(fabs(r.dims[0].p_value - direct) < 1e-15, "%g vs %g", r.dims[0].p_value, direct);
    cr_expect(fabs(direct - (8 * pow(0.25, 7) * 0.75 + pow(0.25, 8))) < 1e-15);
    cr_expect(isnan(r.dims[1].p_value));
    /* Most resamples restrict a too (a resample of 32 runs can miss enough of level 3 for
     * the rule to keep a wider box), and none moves its upper bound off 3. */
    cr_expect(r.dims[0].share > 0.5 && r.dims[0].share <= 1, "%g", r.dims[0].share);
    cr_expect_eq(r.dims[0].hi_q05, 3.0);
    /* The trajectory: 32/8, 24/7, 16/7, 8/7, 6/6, 4/4, 2/2 (runs/cases). */
    size_t n_in[] = {32, 24, 16, 8, 6, 4, 2}, n_hit[] = {8, 7, 7, 7, 6, 4, 2};
    cr_assert_eq(r.traj.n_boxes, 7);
    for (size_t b = 0; b < 7; b++) {
        cr_expect_eq(r.traj.n_in[b], n_in[b], "box %zu", b);
        cr_expect_eq(r.traj.n_hit[b], n_hit[b], "box %zu", b);
    }
    cr_expect_eq(r.chosen, 3);
    discover_free(&r);
    /* The same runs chosen by a metric threshold give the same box. */
    o.criterion = NULL;
    o.metric = "loss";
    o.op = ">";
    o.value = 0.5;
    cr_assert_eq(discover_compute(&d, &o, &r, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(r.box_runs, 8);
    cr_expect_eq(r.box_cases, 7);
    discover_free(&r);
    /* --holds turns the question round: where it holds is a in 0..2. */
    o.metric = NULL;
    o.criterion = "ok";
    o.holds = 1;
    cr_assert_eq(discover_compute(&d, &o, &r, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(r.cases, 24);
    cr_expect_eq(r.dims[0].hi, 2.0, "%g", r.dims[0].hi);
    discover_free(&r);
    adb_close(&d);
    rmdir_all(dir);
}

Test(discover, bootstrap_is_reproducible_for_a_seed)
{
    char *dir = tmpdir(), path[128];
    grid_db(dir, path, sizeof path);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    discover_opts o;
    discover_opts_default(&o);
    o.criterion = "ok";
    o.n_boot = 50;
    o.seed = 9;
    discover_result a, b;
    cr_assert_eq(discover_compute(&d, &o, &a, &err), CRC_OK);
    cr_assert_eq(discover_compute(&d, &o, &b, &err), CRC_OK);
    for (size_t j = 0; j < 2; j++) {
        cr_expect_eq(a.dims[j].share, b.dims[j].share);
        cr_expect_eq(a.dims[j].hi_q05, b.dims[j].hi_q05);
        cr_expect_eq(a.dims[j].lo_q95, b.dims[j].lo_q95);
    }
    discover_free(&a);
    discover_free(&b);
    adb_close(&d);
    rmdir_all(dir);
}

Test(discover, json_lists_restricted_parameters_and_figures_are_drawn)
{
    char *dir = tmpdir(), args[1024];
    snprintf(args, sizeof args, "discover '%s/grid.db' --criterion ok --json --boot 10 "
             "--plot '%s/fig'", dir, dir);
    char path[128];
    grid_db(dir, path, sizeof path);
    cr_expect_eq(crucible(dir, args), 0);
    cr_expect(out_has(dir, "\"runs\": 8, \"points\": 4,"));
    cr_expect(out_has(dir, "\"coverage\": 0.875, \"density\": 0.875, \"mass\": 0.25"));
    cr_expect(out_has(dir, "\"param\": \"defense.audit.rate\""));
    cr_expect(out_has(dir, "\"lo\": 3"));
    cr_expect(out_has(dir, "\"p_value\": "));
    cr_expect_not(out_has(dir, "\"param\": \"poison.count\""), "only restricted parameters");
    const char *files[] = {"fig-trajectory.png", "fig-trajectory.gp", "fig-trajectory.dat",
                           "fig-box.png", "fig-box.gp", "fig-box.dat"};
    for (size_t i = 0; i < 6; i++) {
        char f[256];
        snprintf(f, sizeof f, "%s/%s", dir, files[i]);
        cr_expect_eq(access(f, R_OK), 0, "%s written", files[i]);
    }
    rmdir_all(dir);
}

Test(discover, bad_input_exits_2_with_what_to_do)
{
    char *dir = tmpdir(), args[1024], path[128];
    grid_db(dir, path, sizeof path);
    snprintf(path, sizeof path, "%s/plain.db", dir);
    fixture_plain(path, "baseline", 0, 3);
    snprintf(args, sizeof args, "discover '%s/plain.db' --criterion price_holds", dir);
    cr_expect_eq(crucible(dir, args), 2);
    cr_expect(out_has(dir, "not from a sweep"));
    snprintf(args, sizeof args, "discover '%s/grid.db' --criterion no_such", dir);
    cr_expect_eq(crucible(dir, args), 2);
    cr_expect(out_has(dir, "no_such"));
    snprintf(args, sizeof args, "discover '%s/grid.db' --metric no_metric --op '<' --value 1",
             dir);
    cr_expect_eq(crucible(dir, args), 2);
    cr_expect(out_has(dir, "no_metric"));
    snprintf(args, sizeof args, "discover '%s/grid.db' --metric loss --value 1", dir);
    cr_expect_eq(crucible(dir, args), 2, "--metric without --op");
    /* A sweep with one point. */
    double x[2] = {0.1, 5};
    int pass[3] = {1, 0, 1};
    snprintf(path, sizeof path, "%s/one.db", dir);
    write_sweep(path, 1, 2, grid_paths, x, 3, pass);
    snprintf(args, sizeof args, "discover '%s/one.db' --criterion ok", dir);
    cr_expect_eq(crucible(dir, args), 2);
    cr_expect(out_has(dir, "one point"));
    snprintf(args, sizeof args, "discover '%s/one.db' --safe", dir);
    cr_expect_eq(crucible(dir, args), 2);
    rmdir_all(dir);
}

/* ---- safe settings -------------------------------------------------------------------- */

/* The known world: every criterion holds with probability 0.995 when the audit rate is
 * above 0.5, and 0.3 below, whatever the bond and the poisoners. */
static double p_hold(double audit)
{
    return audit > 0.5 ? 0.995 : 0.3;
}

static const char *const safe_paths[3] = {"defense.audit.rate", "defense.bond",
                                          "poison.count"};

typedef struct synth_eval {
    uint64_t seed;
    size_t calls;
} synth_eval;

/* Replicate i of a column holds with probability p_hold(audit) on its own stream; calls
 * counts the replicates evaluated. */
static int synth(void *ctx, size_t column, const double *x, size_t n, int *hold, crc_err *err)
{
    synth_eval *s = ctx;
    for (size_t i = 0; i < n; i++) {
        gsl_rng *g = rng_stream_alloc(s->seed, column * 100000 + i, 77);
        hold[i] = gsl_rng_uniform(g) < p_hold(x[i * 3]);
        gsl_rng_free(g);
        s->calls++;
    }
    return CRC_OK;
}

static void write_safe_sweep(const char *path, double p_below)
{
    /* audit 0.05..0.95 (10 levels) x bond 0..3 x poisoners 0, 50, 100; 4 replicates. */
    size_t np = 10 * 4 * 3, reps = 4;
    double *x = malloc(np * 3 * sizeof *x);
    int *pass = malloc(np * reps * sizeof *pass);
    gsl_rng *g = rng_stream_alloc(2026, 0, 5);
    for (size_t p = 0; p < np; p++) {
        x[3 * p] = 0.05 + 0.1 * (double)(p / 12);
        x[3 * p + 1] = (double)(p / 3 % 4);
        x[3 * p + 2] = 50.0 * (double)(p % 3);
        double ph = x[3 * p] > 0.5 ? 0.995 : p_below;
        for (size_t r = 0; r < reps; r++)
            pass[p * reps + r] = gsl_rng_uniform(g) < ph;
    }
    gsl_rng_free(g);
    write_sweep(path, np, 3, safe_paths, x, reps, pass);
    free(x);
    free(pass);
}

Test(discover, safe_settings_lie_in_the_known_safe_region_and_hold_on_fresh_replicates)
{
    char *dir = tmpdir(), path[128];
    snprintf(path, sizeof path, "%s/safe.db", dir);
    write_safe_sweep(path, 0.3);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    discover_safe_opts o;
    discover_safe_opts_default(&o);
    double current[3] = {0.1, 1, 20};
    o.current = current;
    discover_safe_result r;
    cr_assert_eq(discover_safe(&d, &o, &r, &err), CRC_OK, "%s", err.msg);
    cr_assert(r.found);
    cr_expect(r.scheme[0] && r.scheme[1] && !r.scheme[2], "poison.count is the attacker's");
    /* The region: audit >= 0.55 (the levels above 0.5), bond and poisoners free. */
    cr_expect(r.lo[0] > 0.5, "audit from %g", r.lo[0]);
    cr_expect(r.p_lo >= 0.95, "Wilson lower bound %g", r.p_lo);
    for (int c = 0; c < DISCOVER_COLS; c++) {
        double a = r.rec[c * 3];
        cr_expect(a > 0.5 && a >= r.lo[0] && a <= r.hi[0], "%s audit %g",
                  discover_col_names[c], a);
        cr_expect_eq(r.rec[c * 3 + 1], 1.0, "the bond is free: stays at its current 1");
        cr_expect(isnan(r.rec[c * 3 + 2]), "no recommendation for the attacker");
    }
    /* Margins: conservative is deeper inside than aggressive (current is below). */
    cr_expect(r.rec[0] > r.rec[3] && r.rec[3] > r.rec[6]);
    synth_eval s = {99, 0};
    size_t n_fresh = 200;
    cr_assert_eq(discover_safe_fresh(&r, n_fresh, synth, &s, &err), CRC_OK);
    cr_expect_eq(s.calls, DISCOVER_COLS * n_fresh);
    for (int c = 0; c < DISCOVER_COLS; c++) {
        cr_expect_eq(r.fresh_n[c], n_fresh);
        cr_expect(r.fresh_hi[c] >= o.target, "%s: P = %g [%g, %g]", discover_col_names[c],
                  r.fresh_p[c], r.fresh_lo[c], r.fresh_hi[c]);
        cr_expect(r.fresh_lo[c] <= 0.995 && 0.995 <= r.fresh_hi[c] + 1e-12);
    }
    /* The same check rejects a point outside the region: move the aggressive column. */
    r.rec[2 * 3] = 0.25;
    cr_assert_eq(discover_safe_fresh(&r, n_fresh, synth, &s, &err), CRC_OK);
    cr_expect(r.fresh_hi[2] < o.target, "an unsafe point: P = %g", r.fresh_p[2]);
    discover_safe_free(&r);
    adb_close(&d);
    rmdir_all(dir);
}

Test(discover, no_safe_region_is_said_when_none_exists)
{
    char *dir = tmpdir(), path[128], args[512];
    snprintf(path, sizeof path, "%s/unsafe.db", dir);
    write_safe_sweep(path, 0.3);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    discover_safe_opts o;
    discover_safe_opts_default(&o);
    o.target = 0.999; /* 0.995 in the best region cannot show a lower bound of 0.999 */
    discover_safe_result r;
    cr_assert_eq(discover_safe(&d, &o, &r, &err), CRC_OK, "%s", err.msg);
    cr_expect_not(r.found);
    cr_expect(r.best_p_lo > 0.9 && r.best_p_lo < 0.999, "%g", r.best_p_lo);
    discover_safe_free(&r);
    adb_close(&d);
    snprintf(args, sizeof args, "discover '%s' --safe --target 0.999", path);
    cr_expect_eq(crucible(dir, args), 0);
    cr_expect(out_has(dir, "No safe region in the swept space"));
    rmdir_all(dir);
}

/* ---- the report's section --------------------------------------------------------------- */

#include "report_discover.h"

Test(discover, report_section_shows_the_box_of_each_criterion)
{
    char *dir = tmpdir(), path[128], md_path[160], html_path[160];
    grid_db(dir, path, sizeof path);
    snprintf(md_path, sizeof md_path, "%s/out.txt", dir);
    snprintf(html_path, sizeof html_path, "%s/out.html", dir);
    FILE *md = fopen(md_path, "w"), *html = fopen(html_path, "w");
    cr_assert(md && html);
    crc_err err;
    crc_err_clear(&err);
    cr_expect_eq(report_discover_section(md, html, NULL, dir, &err), CRC_OK, "no --sweep");
    cr_expect_eq(ftell(md), 0, "writes nothing without a sweep");
    cr_assert_eq(report_discover_section(md, html, path, dir, &err), CRC_OK, "%s", err.msg);
    fclose(md);
    fclose(html);
    cr_expect(out_has(dir, "## Scenario discovery"));
    cr_expect(out_has(dir, "### Where `ok` fails"));
    cr_expect(out_has(dir, "It fails in 8 of 32 runs (16 points)"));
    cr_expect(out_has(dir, "| defense.audit.rate |"));
    cr_expect(out_has(dir, "coverage 0.88, density 0.88, mass 0.25"));
    char f[256];
    snprintf(f, sizeof f, "%s/discover-ok-box.png", dir);
    cr_expect_eq(access(f, R_OK), 0, "the box figure is drawn");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "grep -q 'data:image/png;base64' '%s'", html_path);
    cr_expect_eq(system(cmd), 0, "figures embedded in the HTML");
    /* A plain run's database is refused. */
    snprintf(path, sizeof path, "%s/plain.db", dir);
    fixture_plain(path, "baseline", 0, 2);
    md = fopen(md_path, "w");
    cr_expect_eq(report_discover_section(md, md, path, dir, &err), CRC_EINPUT);
    fclose(md);
    rmdir_all(dir);
}

/* ---- fresh re-runs through the model (crucible discover --safe --fresh) ------------------- */

/* A real sweep of the tiny scenario over the emission schedule (an enum), the emission
 * rate and the clawback switch (a bool), 3 replicates a point, with a criterion that a
 * high emission rate breaks (the pool price ends below 0.0993 USD at 80000 TKN/day; at
 * 1000 and 20000 it stays above). Written into dir/s.db. Its 24 runs below 80000 all
 * holding give a Wilson 95% lower bound of 0.86, so the tests ask --target 0.8. */
static void write_real_sweep(const char *dir)
{
    char path[256], args[1024], cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "name: disc\nextends: %s/tests/fixtures/sweeps/tiny.yaml\nreplicates: 3\n"
               "params:\n  world.horizon: 20\ncriteria:\n  - {name: price_holds, metric: "
               "price_usd, at: end, op: \">=\", value: 0.0993}\n",
            cwd);
    fclose(f);
    snprintf(args, sizeof args,
             "sweep --base '%s' --grid emission.schedule=constant,halving --grid "
             "emission.rate=1000,20000,80000 --grid defense.clawback=false,true -j2 --quiet "
             "--out '%s/s.db'",
             path, dir);
    cr_assert_eq(crucible(dir, args), 0, "the sweep ran");
}

/* The fresh re-runs are spread over -j workers the way a sweep's runs are; each keeps its
 * own seed, so the output is the same whatever -j. They ran: a recommendation's P rests
 * on --fresh replicates. */
Test(discover, fresh_reruns_give_the_same_output_whatever_the_number_of_workers)
{
    char *dir = tmpdir(), args[512], path[256];
    write_real_sweep(dir);
    char *out[2] = {NULL, NULL};
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args, "discover '%s/s.db' --safe --target 0.8 --fresh 6 -j %d --json", dir, j);
        cr_assert_eq(crucible(dir, args), 0, "-j %d", j);
        snprintf(path, sizeof path, "%s/out.txt", dir);
        out[j - 1] = th_slurp(path, NULL);
        cr_assert_not_null(out[j - 1]);
    }
    cr_expect_str_eq(out[0], out[1], "-j1 and -j2 give the same output");
    cr_expect(strstr(out[0], "\"found\": true"), "%s", out[0]);
    for (int c = 0; c < DISCOVER_COLS; c++) {
        char want[128];
        snprintf(want, sizeof want, "{\"column\": \"%s\", \"margin\": %g, \"replicates\": 6,",
                 discover_col_names[c], discover_col_margins[c]);
        cr_expect(strstr(out[0], want), "6 fresh replicates of %s: %s", discover_col_names[c],
                  out[0]);
    }
    /* The region holds: most fresh replicates of every column pass (the price criterion
     * holds in every sweep run below 80000 TKN/day). */
    cr_expect(strstr(out[0], "\"pass\": 6"), "%s", out[0]);
    free(out[0]);
    free(out[1]);
    rmdir_all(dir);
}

/* Enum and bool parameters reach a fresh re-run as the level written (emission.schedule
 * = halving, defense.clawback = true), not as the number the points table keeps (3, 1),
 * which the scenario would refuse for an enum. */
Test(discover, fresh_reruns_set_enum_and_bool_parameters_by_their_level)
{
    char *dir = tmpdir(), args[512];
    write_real_sweep(dir);
    /* Every scheme parameter (the two schedules, the three rates, both switches). */
    snprintf(args, sizeof args, "discover '%s/s.db' --safe --target 0.8 --fresh 3 -j 2 --scheme "
             "emission.schedule,emission.rate,defense.clawback --base '%s/s.yaml'",
             dir, dir);
    cr_assert_eq(crucible(dir, args), 0, "the fresh re-runs ran");
    cr_expect(out_has(dir, "P on fresh replicates"), "the table has fresh P");
    cr_expect(!out_has(dir, "is not allowed"), "an enum given as a number");
    /* The region names the levels, not their indices. */
    cr_expect(out_has(dir, "emission.schedule in [constant, halving] (the whole range)"),
              "the schedule's levels are named");
    cr_expect(out_has(dir, "defense.clawback in [false, true] (the whole range)"),
              "the switch's levels are named");
    cr_expect(out_has(dir, "emission.rate in [1000, 2e+04]"), "numbers stay numbers");
    rmdir_all(dir);
}

/* The text a fresh re-run sets: enum levels by name, bools as true/false, integers whole,
 * numbers exactly (the shortest text that reads back as the same double). */
Test(discover, set_text_writes_each_kind_of_parameter_as_a_scenario_file_would)
{
    static const struct {
        const char *path;
        double x;
        const char *want;
    } cases[] = {{"emission.schedule", 3, "emission.schedule=halving"},
                 {"emission.schedule", 0, "emission.schedule=constant"},
                 {"defense.slash.to", 2, "defense.slash.to=burn"},
                 {"defense.clawback", 1, "defense.clawback=true"},
                 {"defense.clawback", 0, "defense.clawback=false"},
                 {"emission.rate", 0.1, "emission.rate=0.1"},
                 {"world.horizon", 90, "world.horizon=90"}};
    /* Each text is also accepted by the scenario (as --set would take it). */
    scenario sc;
    th_load(&sc, "tests/fixtures/sweeps/tiny.yaml", NULL);
    crc_err err;
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        discover_set_text(cases[i].path, cases[i].x, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].want);
        cr_expect_eq(scenario_set(&sc, buf, &err), CRC_OK, "%s: %s", buf, err.msg);
    }
    /* The last level set of each: the one meant. */
    cr_expect_eq(sc.params.emission_schedule, 0);
    cr_expect_eq(sc.params.def_slash_to, 2);
    cr_expect_eq(sc.params.def_clawback, 0);
    scenario_free(&sc);
    discover_set_text("emission.rate", 1.0 / 3, buf, sizeof buf);
    cr_expect_eq(strtod(strchr(buf, '=') + 1, NULL), 1.0 / 3, "%s reads back exactly", buf);
    /* The table shows the same levels. */
    discover_value_text("emission.schedule", 3, buf, sizeof buf);
    cr_expect_str_eq(buf, "halving");
    discover_value_text("defense.clawback", 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "true");
    discover_value_text("emission.rate", 12345.678, buf, sizeof buf);
    cr_expect_str_eq(buf, "1.235e+04");
}

/* The figures name a parameter as crucible plot does (its registry label and unit, then
 * its path), an enum axis by its levels, and put the legend below the plot, not beside. */
Test(discover, figures_name_parameters_by_label_and_unit_with_the_legend_below)
{
    char *dir = tmpdir(), args[512], path[256];
    write_real_sweep(dir);
    snprintf(args, sizeof args, "discover '%s/s.db' --criterion price_holds --plot '%s/fig'",
             dir, dir);
    cr_assert_eq(crucible(dir, args), 0);
    static const char *const figs[] = {"fig-box.gp", "fig-trajectory.gp"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, figs[i]);
        char *gp = th_slurp(path, NULL);
        cr_assert_not_null(gp, "%s", path);
        cr_expect(strstr(gp, "set key at screen 0.5, screen 0.045 center bottom"), "%s: %s",
                  figs[i], gp);
        cr_expect_null(strstr(gp, "key outside"), "%s", figs[i]);
        if (i == 0) {
            /* The box lies over the rate (restricted) and one of the free parameters. */
            cr_expect(strstr(gp, "set xlabel 'E(0): the constant rate (TKN/day) "
                                 "[emission.rate]'"),
                      "%s", gp);
            cr_expect_null(strstr(gp, "label 'emission."), "no raw path as a label: %s", gp);
            cr_expect(!strstr(gp, "[emission.schedule]") ||
                          strstr(gp, "tics ('constant' 0, 'linear' 1, 'exponential' 2, "
                                     "'halving' 3)"),
                      "an enum axis is labelled by its levels: %s", gp);
        }
        free(gp);
    }
    rmdir_all(dir);
}
