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
