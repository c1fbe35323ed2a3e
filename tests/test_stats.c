/*
 * test_stats.c — the statistics of analysis/stats.c against values computed
 * independently of GSL: by hand on small samples, from printed tables (Student t
 * quantiles), from published examples (Wilson interval for 8/10), and for p-values by
 * numerical integration of the t density / erfc in a separate script (the numbers are
 * quoted with their derivation next to each assertion).
 */
#include <criterion/criterion.h>
#include <math.h>

#include "stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

Test(stats, describe_matches_hand_computation)
{
    const double x[] = {9, 4, 2, 4, 5, 4, 7, 5}; /* sorted: 2 4 4 4 5 5 7 9 */
    double work[N_OF(x)];
    stats_desc d;
    stats_describe(x, N_OF(x), 0.95, work, &d);
    cr_expect_eq(d.n, 8);
    cr_expect_float_eq(d.mean, 5.0, 1e-12);
    /* Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32; sd = √(32/7). */
    cr_expect_float_eq(d.sd, sqrt(32.0 / 7.0), 1e-12);
    /* t_{7, 0.975} = 2.364624 (printed table); half width = t·sd/√8. */
    double half = 2.364624 * sqrt(32.0 / 7.0) / sqrt(8.0);
    cr_expect_float_eq(d.ci_lo, 5.0 - half, 1e-5);
    cr_expect_float_eq(d.ci_hi, 5.0 + half, 1e-5);
    /* Quantiles by linear interpolation at (n−1)p: median between 4 and 5; p5 at 0.35
     * between 2 and 4 = 2.7; p95 at 6.65 between 7 and 9 = 8.3. */
    cr_expect_float_eq(d.median, 4.5, 1e-12);
    cr_expect_float_eq(d.p5, 2.7, 1e-12);
    cr_expect_float_eq(d.p95, 8.3, 1e-12);
    cr_expect_float_eq(d.min, 2.0, 0);
    cr_expect_float_eq(d.max, 9.0, 0);
    cr_expect_float_eq(x[0], 9.0, 0, "input must not be reordered");
}

Test(stats, describe_small_samples_leave_undefined_fields_nan)
{
    double work[1];
    stats_desc d;
    stats_describe(NULL, 0, 0.95, work, &d);
    cr_expect_eq(d.n, 0);
    cr_expect(isnan(d.mean) && isnan(d.median));
    const double one[] = {3.5};
    stats_describe(one, 1, 0.95, work, &d);
    cr_expect_float_eq(d.mean, 3.5, 0);
    cr_expect_float_eq(d.median, 3.5, 0);
    cr_expect(isnan(d.sd) && isnan(d.ci_lo) && isnan(d.ci_hi));
}

Test(stats, t_critical_values_match_tables)
{
    cr_expect_float_eq(stats_t_crit(1, 0.95), 12.706205, 1e-5);
    cr_expect_float_eq(stats_t_crit(7, 0.95), 2.364624, 1e-6);
    cr_expect_float_eq(stats_t_crit(10, 0.95), 2.228139, 1e-6);
    cr_expect_float_eq(stats_t_crit(30, 0.99), 2.749996, 1e-6);
    cr_expect(isnan(stats_t_crit(0, 0.95)));
}

Test(stats, wilson_interval_matches_published_values)
{
    stats_prop p;
    /* 8 of 10: (0.4902, 0.9433), the standard worked example of the Wilson interval.
     * By hand: z² = 3.841459, centre = (0.8 + 0.192073)/1.384146 = 0.716745,
     * half = 1.959964/1.384146 · √(0.016 + 0.009604) = 0.226578. */
    stats_wilson(8, 10, 0.95, &p);
    cr_expect_float_eq(p.p, 0.8, 1e-12);
    cr_expect_float_eq(p.lo, 0.490167, 1e-5);
    cr_expect_float_eq(p.hi, 0.943323, 1e-5);
    /* 0 of 10: lower bound 0, upper z²/n / (1 + z²/n) = 0.277540. */
    stats_wilson(0, 10, 0.95, &p);
    cr_expect_float_eq(p.lo, 0.0, 1e-12);
    cr_expect_float_eq(p.hi, 0.3841459 / 1.3841459, 1e-6);
    /* 10 of 10 mirrors 0 of 10. */
    stats_wilson(10, 10, 0.95, &p);
    cr_expect_float_eq(p.hi, 1.0, 1e-12);
    cr_expect_float_eq(p.lo, 1.0 - 0.3841459 / 1.3841459, 1e-6);
    stats_wilson(0, 0, 0.95, &p);
    cr_expect(isnan(p.p) && isnan(p.lo) && isnan(p.hi));
}

Test(stats, welch_equal_variances_gives_integer_df)
{
    const double a[] = {1, 2, 3, 4, 5}, b[] = {3, 4, 5, 6, 7};
    stats_welch w;
    stats_welch_test(a, 5, b, 5, 0.95, &w);
    /* var a = var b = 2.5; se = √(0.5 + 0.5) = 1; df = 1 / (2 · 0.25/4) = 8. */
    cr_expect_float_eq(w.diff, 2.0, 1e-12);
    cr_expect_float_eq(w.se, 1.0, 1e-12);
    cr_expect_float_eq(w.df, 8.0, 1e-12);
    cr_expect_float_eq(w.t, 2.0, 1e-12);
    /* t_{8, 0.975} = 2.306004 (table). */
    cr_expect_float_eq(w.ci_lo, 2.0 - 2.306004, 1e-6);
    cr_expect_float_eq(w.ci_hi, 2.0 + 2.306004, 1e-6);
    /* Two-sided p for t = 2 on 8 df: 0.080516 (Simpson integration of the t density). */
    cr_expect_float_eq(w.p, 0.080516, 2e-6);
}

Test(stats, welch_unequal_variances)
{
    const double a[] = {1, 2, 3, 4, 5}, b[] = {2, 4, 6, 8, 10};
    stats_welch w;
    stats_welch_test(a, 5, b, 5, 0.95, &w);
    /* var a = 2.5, var b = 10: se = √2.5, t = 3/√2.5 = 1.897367,
     * df = (0.5 + 2)² / (0.25/4 + 4/4) = 5.882353, p = 0.107531 (integration). */
    cr_expect_float_eq(w.t, 1.8973666, 1e-6);
    cr_expect_float_eq(w.df, 5.8823529, 1e-6);
    cr_expect_float_eq(w.p, 0.1075312, 2e-6);
    cr_expect(w.ci_lo < 0 && w.ci_hi > 6, "the interval straddles 0 and is wide");
    cr_expect_float_eq((w.ci_lo + w.ci_hi) / 2, 3.0, 1e-9);
}

Test(stats, welch_constant_samples)
{
    const double a[] = {2, 2, 2}, b[] = {2, 2, 2}, c[] = {3, 3, 3};
    stats_welch w;
    stats_welch_test(a, 3, b, 3, 0.95, &w);
    cr_expect_float_eq(w.p, 1.0, 0);
    stats_welch_test(a, 3, c, 3, 0.95, &w);
    cr_expect_float_eq(w.p, 0.0, 0);
    cr_expect_float_eq(w.ci_lo, 1.0, 0);
    stats_welch_test(a, 1, c, 3, 0.95, &w);
    cr_expect(isnan(w.p), "one observation has no variance");
}

Test(stats, mann_whitney_exact_small_samples)
{
    double work[12];
    stats_mw m;
    /* Complete separation, 3 vs 3: one arrangement of C(6,3) = 20 has U = 0, so the
     * two-sided p is 2/20. */
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    cr_assert_eq(stats_mann_whitney(a, 3, b, 3, work, &m), 0);
    cr_expect(m.exact);
    cr_expect_float_eq(m.u_a, 0.0, 0);
    cr_expect_float_eq(m.u, 0.0, 0);
    cr_expect_float_eq(m.p, 0.1, 1e-12);
    /* a = {1,3,5}, b = {2,4,6}: U_a = #(a > b) = 3 (3>2, 5>2, 5>4). The null counts of
     * U for 3 vs 3 are 1,1,2,3,3,3,3,2,1,1, so P(U <= 3) = 7/20 and p = 0.7. */
    const double c[] = {1, 3, 5}, d[] = {2, 4, 6};
    cr_assert_eq(stats_mann_whitney(c, 3, d, 3, work, &m), 0);
    cr_expect_float_eq(m.u_a, 3.0, 0);
    cr_expect_float_eq(m.p, 0.7, 1e-12);
}

Test(stats, mann_whitney_normal_approximation_with_ties)
{
    double work[16];
    stats_mw m;
    /* Pooled ranks: 1→1, 2,2,2→3 (avg), 3,3→5.5, 4→7, 5→8. R_a = 1+3+3+5.5 = 12.5,
     * U_a = 12.5 − 10 = 2.5. μ = 8; ties Σ(t³−t) = 24 + 6 = 30;
     * σ² = 16/12 · (9 − 30/56) = 11.285714; z = −(5.5 − 0.5)/σ = −1.488351;
     * p = erfc(1.488351/√2) = 0.136658. */
    const double a[] = {1, 2, 2, 3}, b[] = {2, 3, 4, 5};
    cr_assert_eq(stats_mann_whitney(a, 4, b, 4, work, &m), 0);
    cr_expect(!m.exact);
    cr_expect_float_eq(m.u_a, 2.5, 1e-12);
    cr_expect_float_eq(m.u, 2.5, 1e-12);
    cr_expect_float_eq(m.z, -1.4883514, 1e-6);
    cr_expect_float_eq(m.p, 0.1366582, 1e-6);
    /* Every value tied: no evidence. */
    const double e[] = {1, 1}, f[] = {1, 1, 1};
    cr_assert_eq(stats_mann_whitney(e, 2, f, 3, work, &m), 0);
    cr_expect_float_eq(m.p, 1.0, 0);
    cr_expect_eq(stats_mann_whitney(e, 0, f, 3, work, &m), -1);
}

Test(stats, mann_whitney_exact_for_20_vs_20)
{
    /* a = even numbers 0..38, b = odd numbers 7..45: U_a = 136. The exact two-sided p,
     * 0.085914, was counted with the same recursion written independently (Python,
     * integer counts over C(40,20)); the normal approximation with continuity
     * correction on these data is erfc(63.5/√(400·41/12)/√2) = 0.085855. */
    double a[20], b[20], work[2 * 40];
    for (int i = 0; i < 20; i++) {
        a[i] = 2 * i;
        b[i] = 2 * i + 7;
    }
    stats_mw m;
    cr_assert_eq(stats_mann_whitney(a, 20, b, 20, work, &m), 0);
    cr_expect(m.exact);
    cr_expect_float_eq(m.u_a, 136.0, 0);
    cr_expect_float_eq(m.p, 0.0859140, 1e-6);
    cr_expect(fabs(m.p - 0.085855) < 1e-3, "exact and normal agree at this size");
}

Test(stats, effect_sizes)
{
    const double a[] = {1, 2, 3, 4, 5}, b[] = {2, 4, 6, 8, 10};
    /* pooled sd = √((4·2.5 + 4·10)/8) = 2.5; d = 3/2.5. */
    cr_expect_float_eq(stats_cohen_d(a, 5, b, 5), 1.2, 1e-12);
    cr_expect_float_eq(stats_cohen_d(b, 5, a, 5), -1.2, 1e-12);
    /* a = {1,2,3}, b = {2,3,4}: 6 pairs with b > a, 1 with b < a, 2 ties: 5/9. */
    const double c[] = {1, 2, 3}, d[] = {2, 3, 4};
    cr_expect_float_eq(stats_cliff_delta(c, 3, d, 3), 5.0 / 9.0, 1e-12);
    cr_expect_float_eq(stats_cliff_delta(d, 3, c, 3), -5.0 / 9.0, 1e-12);
    cr_expect(isnan(stats_cliff_delta(c, 0, d, 3)));
    cr_expect(isnan(stats_cohen_d(c, 1, d, 3)));
}

/* ---- the commands that print these statistics, on fixture databases ---------- */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adb.h"
#include "fixtures/analysis/fixture_db.h"

/* Runs a shell command, returns its stdout (malloc'd) and exit status. */
static char *capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    cr_assert(p, "popen %s", cmd);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 1024)
            s = realloc(s, cap *= 2);
    }
    s[n] = 0;
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return s;
}

/* The number after `"key": ` in the first JSON object that contains `"anchor"`. */
static double json_num(const char *json, const char *anchor, const char *key)
{
    const char *a = strstr(json, anchor);
    cr_assert(a, "no %s in output", anchor);
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *v = strstr(a, k);
    cr_assert(v, "no %s after %s", key, anchor);
    return strtod(v + strlen(k), NULL);
}

/* Final price of each run, read straight from the table with SQL (independent of adb). */
static size_t final_prices(const char *db_path, double *out)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT m.value FROM metrics m JOIN runs r ON r.id = m.run "
                                    "WHERE r.status = 'done' AND m.name = 'price_usd' AND m.t = "
                                    "(SELECT MAX(t) FROM metrics WHERE run = m.run AND name = "
                                    "'price_usd') ORDER BY m.run", -1, &st, NULL), SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        out[n++] = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static char tmpdir[64];

static void mk_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/crc-stats-XXXXXX");
    cr_assert(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

Test(summarize, values_per_run_come_from_the_documented_tables, .init = mk_tmp, .fini = rm_tmp)
{
    char path[128];
    snprintf(path, sizeof path, "%s/base.db", tmpdir);
    fixture_plain(path, "baseline", 0.0, 8);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(d.n_runs, 8);
    cr_expect_eq(d.n_failed, 1, "the failed run is counted apart");
    double end[8], mx[8], mean[8], want[8];
    int from_summary;
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_END, end, &from_summary, &err), CRC_OK);
    cr_expect_eq(from_summary, 0);
    cr_assert_eq(final_prices(path, want), 8);
    for (int i = 0; i < 8; i++)
        cr_expect_float_eq(end[i], want[i], 0, "run %d", i);
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_MAX, mx, NULL, &err), CRC_OK);
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_MEAN, mean, NULL, &err), CRC_OK);
    for (int i = 0; i < 8; i++)
        cr_expect(mx[i] >= end[i] && mx[i] >= mean[i]);
    double dd[8];
    cr_assert_eq(adb_run_values(&d, "price_drawdown", ADB_END, dd, &from_summary, &err),
                 CRC_OK);
    cr_expect_eq(from_summary, 1, "a summary-only name is read from summary");
    cr_expect_eq(adb_run_values(&d, "no_such_metric", ADB_END, dd, NULL, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "price_usd"), "did-you-mean list: %s", err.msg);
    int pass[8], k = 0;
    cr_assert_eq(adb_criterion(&d, "price_holds", pass, &err), CRC_OK);
    for (int i = 0; i < 8; i++) {
        cr_expect_eq(pass[i], end[i] >= 1.0);
        k += pass[i];
    }
    cr_expect_eq(k, 3);
    adb_close(&d);

    /* With the writer's (run, name) index the values come from per-run lookups: the
     * same numbers as the table scan above. */
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    fixture_exec(db, "CREATE INDEX metrics_run_name ON metrics(run, name)");
    sqlite3_close(db);
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK);
    double end2[8], mx2[8], mean2[8];
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_END, end2, NULL, &err), CRC_OK);
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_MAX, mx2, NULL, &err), CRC_OK);
    cr_assert_eq(adb_run_values(&d, "price_usd", ADB_MEAN, mean2, NULL, &err), CRC_OK);
    for (int i = 0; i < 8; i++) {
        cr_expect_float_eq(end2[i], end[i], 0, "end, run %d", i);
        cr_expect_float_eq(mx2[i], mx[i], 0, "max, run %d", i);
        cr_expect_float_eq(mean2[i], mean[i], 1e-12 * fabs(mean[i]), "mean, run %d", i);
    }
    cr_assert_eq(adb_run_values(&d, "price_drawdown", ADB_END, dd, &from_summary, &err),
                 CRC_OK);
    cr_expect_eq(from_summary, 1);
    adb_close(&d);
}

/* A summary value every run stored as NULL ("never": days_to_real_yield when real_yield
 * never reaches 1) is a known name with no values, not an unknown one: summarize over
 * every name of such a database must work and report n = 0 for it. */
Test(summarize, a_value_stored_as_never_in_every_run_is_known, .init = mk_tmp, .fini = rm_tmp)
{
    char path[128];
    snprintf(path, sizeof path, "%s/never.db", tmpdir);
    fixture_plain(path, "baseline", 0.0, 3);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    fixture_exec(db, "INSERT INTO summary SELECT id, 'days_to_real_yield', NULL FROM runs "
                     "WHERE status = 'done'");
    sqlite3_close(db);
    adb d;
    crc_err err;
    cr_assert_eq(adb_open(&d, path, &err), CRC_OK, "%s", err.msg);
    double v[3] = {0, 0, 0};
    int from_summary = 0;
    cr_assert_eq(adb_run_values(&d, "days_to_real_yield", ADB_END, v, &from_summary, &err),
                 CRC_OK, "%s", err.msg);
    cr_expect_eq(from_summary, 1);
    for (int i = 0; i < 3; i++)
        cr_expect(isnan(v[i]), "run %d: never is NaN, got %g", i, v[i]);
    adb_close(&d);
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' summarize '%s' > '%s/out.txt' 2>&1", bin, path, tmpdir);
    cr_expect_eq(system(cmd), 0, "summarize over every name of the database");
    snprintf(cmd, sizeof cmd, "grep -Eq '^days_to_real_yield +summary +0 ' '%s/out.txt'", tmpdir);
    cr_expect_eq(system(cmd), 0, "a row with n = 0 for the never-reached value");
}

Test(summarize, cli_json_matches_independent_computation, .init = mk_tmp, .fini = rm_tmp)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/base.db", tmpdir);
    fixture_plain(path, "baseline", 0.0, 8);
    double v[8];
    cr_assert_eq(final_prices(path, v), 8);
    double m = 0, ss = 0;
    for (int i = 0; i < 8; i++)
        m += v[i] / 8;
    for (int i = 0; i < 8; i++)
        ss += (v[i] - m) * (v[i] - m);
    double sd = sqrt(ss / 7), half = 2.364624 * sd / sqrt(8.0); /* t_{7,0.975} */
    snprintf(cmd, sizeof cmd, "'%s' summarize '%s' --metric price_usd --format json", bin, path);
    int st;
    char *out = capture(cmd, &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "\"runs\": 8, \"failed_runs\": 1"), "%s", out);
    cr_expect(strstr(out, "\"value_per_run\": \"end\""));
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "mean"), m, 1e-5 * fabs(m));
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "sd"), sd, 1e-5 * sd);
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "ci_lo"), m - half, 1e-5);
    cr_expect_float_eq(json_num(out, "\"price_holds\"", "p_pass"), 0.375, 1e-9);
    cr_expect_float_eq(json_num(out, "\"price_holds\"", "ci_lo"), 0.136844, 2e-6);
    free(out);
    /* Every format prints; a bad one is an input error (exit 2). */
    const char *fmts[] = {"table", "csv", "markdown"};
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "'%s' summarize '%s' --format %s", bin, path, fmts[i]);
        out = capture(cmd, &st);
        cr_expect_eq(st, 0);
        cr_expect(strstr(out, "price_drawdown") && strstr(out, "price_holds"), "%s", fmts[i]);
        free(out);
    }
    snprintf(cmd, sizeof cmd, "'%s' summarize '%s' --format xml 2>/dev/null", bin, path);
    free(capture(cmd, &st));
    cr_expect_eq(st, 2);
    snprintf(cmd, sizeof cmd, "'%s' summarize '%s/none.db' 2>/dev/null", bin, tmpdir);
    free(capture(cmd, &st));
    cr_expect_eq(st, 2, "a missing database is bad input");
}

Test(summarize, by_point_gives_one_row_per_sweep_point, .init = mk_tmp, .fini = rm_tmp)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/grid.db", tmpdir);
    fixture_grid(path);
    snprintf(cmd, sizeof cmd, "'%s' summarize '%s' --by-point --format csv", bin, path);
    int st;
    char *out = capture(cmd, &st);
    cr_assert_eq(st, 0);
    cr_expect(strstr(out, "point,fees.burn,emission.half_life,metric,stat,n,mean"), "%s", out);
    size_t rows = 0;
    for (char *l = out; (l = strstr(l, ",price_usd,end,3,")); l++)
        rows++;
    cr_expect_eq(rows, 9, "9 points of 3 replicates");
    cr_expect(strstr(out, "\n8,0.1,365,price_holds,3,3,1,"), "%s", out);
    free(out);
}

Test(compare, differences_and_tests_match_the_statistics, .init = mk_tmp, .fini = rm_tmp)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin);
    char a[128], b[128], cmd[512];
    snprintf(a, sizeof a, "%s/base.db", tmpdir);
    snprintf(b, sizeof b, "%s/prop.db", tmpdir);
    fixture_plain(a, "baseline", 0.0, 8);
    fixture_plain(b, "proposal", 0.2, 8);
    double va[8], vb[8];
    cr_assert_eq(final_prices(a, va), 8);
    cr_assert_eq(final_prices(b, vb), 8);
    stats_welch w;
    stats_welch_test(va, 8, vb, 8, 0.95, &w);
    snprintf(cmd, sizeof cmd, "'%s' compare '%s' '%s' --format json", bin, a, b);
    int st;
    char *out = capture(cmd, &st);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "\"diff\": \"proposal - baseline\""));
    double mean_a = 0, mean_b = 0;
    for (int i = 0; i < 8; i++) {
        mean_a += va[i] / 8;
        mean_b += vb[i] / 8;
    }
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "diff"), mean_b - mean_a, 1e-5);
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "diff_lo"), w.ci_lo, 1e-5);
    cr_expect_float_eq(json_num(out, "\"price_usd\"", "welch_p"), w.p, 1e-3 * w.p + 1e-9);
    double mw = json_num(out, "\"price_usd\"", "mw_p");
    cr_expect(mw > 0 && mw < 0.05, "the proposal's price is clearly higher (p = %g)", mw);
    double cd = json_num(out, "\"price_usd\"", "cliff_delta");
    cr_expect(cd > 0.5 && cd <= 1, "Cliff's delta %g", cd);
    cr_expect_float_eq(json_num(out, "\"price_holds\"", "p_base"), 0.375, 1e-9);
    cr_expect_float_eq(json_num(out, "\"price_holds\"", "p_prop"), 1.0, 1e-9);
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' compare '%s' 2>/dev/null", bin, a);
    free(capture(cmd, &st));
    cr_expect_eq(st, 2, "one database is not a comparison");
}
