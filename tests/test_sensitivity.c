/*
 * test_sensitivity.c — Sobol indices of the Ishigami function (a = 7, b = 0.1), whose
 * indices are known in closed form (Ishigami & Homma 1990; Saltelli et al. 2008):
 *   S1 = 0.3139, 0.4424, 0;   ST = 0.5576, 0.4424, 0.2437.
 * The design is made here with GSL's Sobol sequence (dimension 6: A from the first
 * three coordinates, B from the last three, mapped to [−π, π]), laid out the way
 * `crucible sweep` writes a sobol sweep, and recovered by sens_saltelli_layout.
 * Morris effects are checked on a function whose elementary effects are known exactly.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_qrng.h>

#include "sens.h"

static const double s1_true[3] = {0.3139, 0.4424, 0.0};
static const double st_true[3] = {0.5576, 0.4424, 0.2437};

static double ishigami(const double *x)
{
    return sin(x[0]) + 7.0 * sin(x[1]) * sin(x[1]) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

/* Points of an interleaved Saltelli design (A_j, AB_1,j .. AB_k,j, B_j) over
 * [−π, π]^3 with N base samples: x[(N·5) x 3]. */
static double *ishigami_design(size_t N)
{
    const size_t k = 3;
    double *x = malloc(N * (k + 2) * k * sizeof *x);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 2 * k);
    cr_assert(x && q);
    double u[6];
    gsl_qrng_get(q, u); /* skip the origin */
    for (size_t j = 0; j < N; j++) {
        gsl_qrng_get(q, u);
        double a[3], b[3];
        for (size_t c = 0; c < k; c++) {
            a[c] = -M_PI + 2 * M_PI * u[c];
            b[c] = -M_PI + 2 * M_PI * u[k + c];
        }
        double *row = x + j * (k + 2) * k;
        for (size_t r = 0; r < k + 2; r++)
            for (size_t c = 0; c < k; c++) {
                double v = r == 0 ? a[c] : r == k + 1 ? b[c] : (c == r - 1 ? b[c] : a[c]);
                row[r * k + c] = v;
            }
    }
    gsl_qrng_free(q);
    return x;
}

/* Runs the whole path: design -> outputs -> layout -> estimator. */
static void ishigami_indices(size_t N, size_t n_boot, uint64_t seed, sens_sobol_idx out[3])
{
    const size_t k = 3, P = N * (k + 2);
    double *x = ishigami_design(N), *y = malloc(P * sizeof *y);
    for (size_t p = 0; p < P; p++)
        y[p] = ishigami(x + p * k);
    size_t n = 0, *rows = NULL;
    crc_err err;
    cr_assert_eq(sens_saltelli_layout(x, P, k, &n, &rows, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(n, N);
    double *fa = malloc(N * sizeof *fa), *fb = malloc(N * sizeof *fb);
    double *fab = malloc(k * N * sizeof *fab);
    for (size_t j = 0; j < N; j++) {
        fa[j] = y[rows[j]];
        fb[j] = y[rows[N + j]];
        for (size_t i = 0; i < k; i++)
            fab[i * N + j] = y[rows[(2 + i) * N + j]];
    }
    cr_assert_eq(sens_sobol(N, k, fa, fb, fab, n_boot, 0.95, seed, out, &err), CRC_OK, "%s",
                 err.msg);
    free(x);
    free(y);
    free(rows);
    free(fa);
    free(fb);
    free(fab);
}

Test(sensitivity, ishigami_indices_match_closed_form)
{
    sens_sobol_idx s[3];
    const size_t N = 8192;
    ishigami_indices(N, 300, 42, s);
    for (int i = 0; i < 3; i++) {
        /* Tolerance from the sample size: the estimators' Monte Carlo standard error is
         * at most ~1/√N relative to V for this function (Saltelli 2010, Fig. 2 shows
         * errors below that on quasi-random designs), so 3/√N ≈ 0.033 at N = 8192. */
        double tol = 3.0 / sqrt((double)N);
        cr_expect(fabs(s[i].s1 - s1_true[i]) < tol, "S1[%d] = %.4f, want %.4f ± %.3f", i,
                  s[i].s1, s1_true[i], tol);
        cr_expect(fabs(s[i].st - st_true[i]) < tol, "ST[%d] = %.4f, want %.4f ± %.3f", i,
                  s[i].st, st_true[i], tol);
        /* The bootstrap interval brackets the estimate and, within the tolerance, the
         * truth. */
        cr_expect(s[i].s1_lo <= s[i].s1 && s[i].s1 <= s[i].s1_hi);
        cr_expect(s[i].st_lo <= s[i].st && s[i].st <= s[i].st_hi);
        cr_expect(s[i].s1_lo - tol < s1_true[i] && s1_true[i] < s[i].s1_hi + tol);
        cr_expect(s[i].st_lo - tol < st_true[i] && st_true[i] < s[i].st_hi + tol);
    }
}

Test(sensitivity, bootstrap_is_deterministic_for_a_seed)
{
    sens_sobol_idx a[3], b[3], c[3];
    ishigami_indices(512, 100, 7, a);
    ishigami_indices(512, 100, 7, b);
    ishigami_indices(512, 100, 8, c);
    int differs = 0;
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(a[i].s1_lo, b[i].s1_lo);
        cr_expect_eq(a[i].st_hi, b[i].st_hi);
        cr_expect_eq(a[i].s1, c[i].s1, "the point estimate does not depend on the seed");
        differs |= a[i].s1_lo != c[i].s1_lo;
    }
    cr_expect(differs, "another seed gives other resamples");
}

Test(sensitivity, interval_narrows_with_more_samples)
{
    sens_sobol_idx small[3], big[3];
    ishigami_indices(256, 200, 3, small);
    ishigami_indices(4096, 200, 3, big);
    for (int i = 0; i < 3; i++)
        cr_expect(big[i].st_hi - big[i].st_lo < small[i].st_hi - small[i].st_lo,
                  "ST[%d] interval", i);
}

Test(sensitivity, block_layout_is_recognised_and_bad_layouts_refused)
{
    /* k = 1, N = 2, block layout: A = {0.1, 0.2}, B = {0.7, 0.8}, AB_1 = B. */
    const double blocks[] = {0.1, 0.2, 0.7, 0.8, 0.7, 0.8};
    size_t n, *rows = NULL;
    crc_err err;
    /* Interleaved reading fails (point 1 = 0.2 is not B_0's 0.7), block reading works. */
    cr_assert_eq(sens_saltelli_layout(blocks, 6, 1, &n, &rows, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(n, 2);
    cr_expect_eq(rows[0], 0);
    cr_expect_eq(rows[2], 2);
    cr_expect_eq(rows[4], 4);
    free(rows);
    const double bad[] = {0.1, 0.2, 0.7, 0.8, 0.5, 0.6};
    cr_expect_eq(sens_saltelli_layout(bad, 6, 1, &n, &rows, &err), CRC_EINPUT);
    cr_expect_eq(sens_saltelli_layout(bad, 5, 1, &n, &rows, &err), CRC_EINPUT);
    double fa[2] = {1, 1}, fb[2] = {1, 1}, fab[2] = {1, 1};
    sens_sobol_idx out[1];
    cr_expect_eq(sens_sobol(2, 1, fa, fb, fab, 10, 0.95, 1, out, &err), CRC_EINPUT,
                 "constant output has no variance to apportion");
}

Test(sensitivity, morris_effects_of_a_known_function)
{
    /* f = 3 u0 − 2 u1 + u2² with unit coordinates; delta = 2/3 (p = 4). Trajectory 0
     * moves u0 up, then u2 up (0 -> 2/3), then u1 down; trajectory 1 moves u2 up
     * (1/3 -> 1), u0 down, u1 up. Elementary effects: u0 exactly ±3 / dir = 3, u1 = −2,
     * u2 = (Δ u2²)/δ: (4/9)/(2/3) = 2/3 and (1 − 1/9)/(2/3) = 4/3. */
    const size_t k = 3;
    const double d = 2.0 / 3.0;
    const double x[] = {
        0, 1, 0,  d, 1, 0,  d, 1, d,  d, 1 - d, d,           /* trajectory 0 */
        d, 0, 1.0 / 3,  d, 0, 1,  0, 0, 1,  0, d, 1,          /* trajectory 1 */
    };
    double y[8];
    for (int p = 0; p < 8; p++)
        y[p] = 3 * x[p * 3] - 2 * x[p * 3 + 1] + x[p * 3 + 2] * x[p * 3 + 2];
    size_t factor[6];
    double ee[6];
    crc_err err;
    cr_assert_eq(sens_morris_effects(x, y, 8, k, d, factor, ee, &err), CRC_OK, "%s", err.msg);
    sens_morris_idx m[3];
    sens_morris(k, 6, factor, ee, m);
    cr_expect_eq(m[0].r, 2);
    cr_expect_float_eq(m[0].mu, 3.0, 1e-12);
    cr_expect_float_eq(m[0].mu_star, 3.0, 1e-12);
    cr_expect_float_eq(m[0].sigma, 0.0, 1e-12);
    cr_expect_float_eq(m[1].mu, -2.0, 1e-12);
    cr_expect_float_eq(m[1].mu_star, 2.0, 1e-12);
    cr_expect_float_eq(m[2].mu_star, 1.0, 1e-12);         /* (2/3 + 4/3) / 2 */
    cr_expect_float_eq(m[2].sigma, sqrt(2.0) / 3.0, 1e-12); /* sd of {2/3, 4/3} */
    /* A step that changes two factors is refused. */
    double bad[24];
    for (int i = 0; i < 24; i++)
        bad[i] = x[i];
    bad[4] = 0.5; /* point 1 now differs in u0 and u1 */
    cr_expect_eq(sens_morris_effects(bad, y, 8, k, d, factor, ee, &err), CRC_EINPUT);
}

/* ---- from a sweep database (fixture written with the documented schema) -------- */

#include <unistd.h>

#include "adb.h"
#include "fixtures/analysis/fixture_db.h"
#include "sensdb.h"

Test(sensitivity, indices_from_a_sobol_sweep_database)
{
    char dir[] = "/tmp/crc-sens-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/sobol.db", dir);
    const size_t N = 1024;
    fixture_sobol(path, N);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK, "%s", err.msg);
    sensdb_result r;
    cr_assert_eq(sensdb_compute(&d, "ishigami", 200, 0.95, 1, &r, &err), CRC_OK, "%s",
                 err.msg);
    cr_expect_eq(r.kind, SENSDB_SOBOL);
    cr_expect_eq(r.n, N);
    cr_expect_eq(r.k, 3);
    cr_expect_str_eq(r.params[0], "market.x1");
    double tol = 3.0 / sqrt((double)N); /* as in ishigami_indices_match_closed_form */
    for (int i = 0; i < 3; i++) {
        cr_expect(fabs(r.sobol[i].s1 - s1_true[i]) < tol, "S1[%d] = %.4f", i, r.sobol[i].s1);
        cr_expect(fabs(r.sobol[i].st - st_true[i]) < tol, "ST[%d] = %.4f", i, r.sobol[i].st);
    }
    sensdb_free(&r);
    /* The CLI prints the same indices. */
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' sensitivity '%s' --metric ishigami --boot 50 --format csv "
             "> '%s/out.csv'", bin, path, dir);
    cr_expect_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -q '^ishigami,market.x3,' '%s/out.csv'", dir);
    cr_expect_eq(system(cmd), 0, "a row per parameter");
    adb_close(&d);
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(sensitivity, a_grid_sweep_is_refused_with_a_reason)
{
    char dir[] = "/tmp/crc-sens-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/grid.db", dir);
    fixture_grid(path);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    sensdb_result r;
    cr_expect_eq(sensdb_compute(&d, "price_usd", 10, 0.95, 1, &r, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "sobol design"), "%s", err.msg);
    adb_close(&d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(sensitivity, morris_effects_from_a_morris_sweep_database)
{
    /* The two trajectories of morris_effects_of_a_known_function, stored as a morris
     * sweep whose parameters range over [0, 1] (so values are unit coordinates) with
     * 2 replicates per point (their mean is the point's output). */
    const double d3 = 2.0 / 3.0;
    const double x[] = {0, 1, 0,  d3, 1, 0,  d3, 1, d3,  d3, 1 - d3, d3,
                        d3, 0, 1.0 / 3,  d3, 0, 1,  0, 0, 1,  0, d3, 1};
    char dir[] = "/tmp/crc-sens-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[128], sql[256];
    snprintf(path, sizeof path, "%s/morris.db", dir);
    sqlite3 *db = fixture_open(path);
    static const char *const names[3] = {"a.u0", "a.u1", "a.u2"};
    long id = 1;
    for (int p = 0; p < 8; p++) {
        for (int c = 0; c < 3; c++) {
            snprintf(sql, sizeof sql, "INSERT INTO points VALUES(%d, '%s', %.17g, NULL)", p,
                     names[c], x[p * 3 + c]);
            fixture_exec(db, sql);
        }
        double y = 3 * x[p * 3] - 2 * x[p * 3 + 1] + x[p * 3 + 2] * x[p * 3 + 2];
        for (int r = 0; r < 2; r++, id++) {
            fixture_run(db, id, "morris", r, p);
            /* replicate noise ±0.5 cancels in the point mean */
            snprintf(sql, sizeof sql, "INSERT INTO summary VALUES(%ld, 'f', %.17g)", id,
                     y + (r ? 0.5 : -0.5));
            fixture_exec(db, sql);
        }
    }
    fixture_exec(db, "INSERT INTO meta VALUES('design', 'morris trajectories=2 levels=4; "
                     "a.u0=uniform(0,1)')");
    fixture_close(db);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    sensdb_result r;
    cr_assert_eq(sensdb_compute(&d, "f", 0, 0.95, 1, &r, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(r.kind, SENSDB_MORRIS);
    cr_expect_eq(r.n, 2);
    cr_expect_float_eq(r.delta, d3, 1e-12);
    cr_expect_float_eq(r.morris[0].mu_star, 3.0, 1e-9);
    cr_expect_float_eq(r.morris[1].mu, -2.0, 1e-9);
    cr_expect_float_eq(r.morris[2].mu_star, 1.0, 1e-9);
    sensdb_free(&r);
    adb_close(&d);
    snprintf(sql, sizeof sql, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(sql), 0);
}
