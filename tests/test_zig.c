/* test_zig.c — the ziggurat exponential (engine/zig.h) against the Exp(1) law: mean,
 * variance, the tail beyond the base layer, a chi-square over equal-probability bins and
 * Kolmogorov-Smirnov, each on a fixed seed with bounds from the sample size. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

#include "engine/zig.h"

Test(zig, table_layers_have_equal_area_and_shrink)
{
    zig_exp z;
    zig_exp_init(&z);
    /* layer i (1..255) spans [0, x_i] under f(x_{i-1})... : x_i * (f(x_{i+1}) - f(x_i))
     * is the common area v; with x_i = w[i] * 2^24 and f[i] = e^-x_i. */
    for (int i = 1; i < ZIG_LAYERS - 1; i++) {
        double x = z.w[i] * 16777216.0;
        cr_expect_float_eq(z.f[i], exp(-x), 1e-15, "layer %d: f = e^-x", i);
        cr_expect_lt(z.w[i], z.w[i + 1], "layer %d: edges grow toward the base", i);
        double area = x * (z.f[i - 1] - z.f[i]);
        cr_expect_float_eq(area, 3.949659822581572e-3, 1e-9, "layer %d area %.12g", i, area);
    }
    cr_expect_float_eq(z.w[ZIG_LAYERS - 1] * 16777216.0, 7.69711747013104972, 1e-12);
}

/* n draws with mean 1 from a fixed seed, sorted. */
static double *draws(size_t n, uint64_t seed)
{
    zig_exp z;
    zig_exp_init(&z);
    pcg32 g;
    pcg32_seed(&g, seed, 54);
    double *x = malloc(n * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = zig_exp_draw(&z, &g);
    return x;
}

static void check_law(uint64_t seed)
{
    const size_t n = 2000000;
    double *x = draws(n, seed);
    double s = 0, s2 = 0;
    size_t tail = 0, far = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(x[i] >= 0 && isfinite(x[i]), "draw %zu = %g", i, x[i]);
        s += x[i];
        s2 += x[i] * x[i];
        tail += x[i] > 7.69711747013104972;
        far += x[i] > 9.0;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    /* Exp(1): mean 1 (sd of the mean 1/sqrt n); variance 1 (sd of the sample variance
     * sqrt((mu4 - sigma^4) / n) = sqrt(8 / n)) */
    cr_expect_lt(fabs(mean - 1), 4 / sqrt((double)n), "seed %llu: mean %.6f", (unsigned long long)seed, mean);
    cr_expect_lt(fabs(var - 1), 4 * sqrt(8.0 / n), "seed %llu: variance %.6f", (unsigned long long)seed, var);
    /* the tail, drawn by its own branch: P(X > r) = e^-r, P(X > 9) = e^-9 (binomial) */
    double pt = exp(-7.69711747013104972), pf = exp(-9.0);
    cr_expect_lt(fabs((double)tail - n * pt), 4 * sqrt(n * pt * (1 - pt)) + 1, "tail %zu", tail);
    cr_expect_lt(fabs((double)far - n * pf), 4 * sqrt(n * pf * (1 - pf)) + 1, "far tail %zu", far);
    /* chi-square over 200 bins of equal probability under Exp(1): bin of x is
     * floor(B (1 - e^-x)); 199 degrees of freedom, rejected at p < 1e-4 */
    enum { B = 200 };
    size_t cnt[B] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)(B * -expm1(-x[i]));
        cnt[b < B ? b : B - 1]++;
    }
    double chi = 0, e = (double)n / B;
    for (int b = 0; b < B; b++)
        chi += (cnt[b] - e) * (cnt[b] - e) / e;
    cr_expect_gt(gsl_cdf_chisq_Q(chi, B - 1), 1e-4, "seed %llu: chi-square %.1f on %d df",
                 (unsigned long long)seed, chi, B - 1);
    /* Kolmogorov-Smirnov: sqrt(n) D_n < 1.95 (p ~ 0.001 under the law) */
    gsl_sort(x, 1, n);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double F = -expm1(-x[i]);
        double lo = F - (double)i / n, hi = (double)(i + 1) / n - F;
        d = fmax(d, fmax(lo, hi));
    }
    cr_expect_lt(sqrt((double)n) * d, 1.95, "seed %llu: KS sqrt(n) D = %.3f", (unsigned long long)seed,
                 sqrt((double)n) * d);
    free(x);
}

Test(zig, exponential_matches_the_law_seed_1) { check_law(1); }
Test(zig, exponential_matches_the_law_seed_2) { check_law(20261207); }
