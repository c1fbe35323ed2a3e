/* test_rng.c — GSL distributions drawn through PCG streams match theory.
 *
 * For each distribution, n draws from a fixed stream; the sample mean must be within
 * 5 standard errors sqrt(var/n) of the theoretical mean, and the sample variance within
 * 5 standard errors of the theoretical variance, where the standard error of the
 * sample variance is sigma^2 sqrt((kurtosis_excess + 2) / n) (large-n formula, with the
 * distribution's theoretical excess kurtosis). 5 se: a false alarm has probability
 * ~1e-6 per check, and the seed is fixed, so the test is deterministic anyway. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"

enum { N = 400000 };

typedef double (*draw_fn)(gsl_rng *r, const double *p);

static void check_moments(const char *name, draw_fn draw, const double *p, double mean,
                          double var, double kurt_excess, uint64_t purpose)
{
    double *x = malloc(N * sizeof *x);
    gsl_rng *r = rng_stream_alloc(2024, 0, purpose);
    cr_assert(x && r);
    cr_assert_str_eq(gsl_rng_name(r), "pcg32");
    for (size_t i = 0; i < N; i++)
        x[i] = draw(r, p);
    double m = gsl_stats_mean(x, 1, N);
    double v = gsl_stats_variance_m(x, 1, N, m);
    double se_m = sqrt(var / N);
    double se_v = var * sqrt((kurt_excess + 2.0) / N);
    cr_log_info("%-10s mean %.5f (theory %.5f, se %.2g)  var %.5f (theory %.5f, se %.2g)\n",
                name, m, mean, se_m, v, var, se_v);
    cr_expect_lt(fabs(m - mean), 5 * se_m, "%s: mean %.6f, theory %.6f, se %.3g", name, m,
                 mean, se_m);
    cr_expect_lt(fabs(v - var), 5 * se_v, "%s: variance %.6f, theory %.6f, se %.3g", name, v,
                 var, se_v);
    gsl_rng_free(r);
    free(x);
}

static double d_exponential(gsl_rng *r, const double *p) { return gsl_ran_exponential(r, p[0]); }
static double d_poisson(gsl_rng *r, const double *p) { return gsl_ran_poisson(r, p[0]); }
static double d_beta(gsl_rng *r, const double *p) { return gsl_ran_beta(r, p[0], p[1]); }
static double d_gamma(gsl_rng *r, const double *p) { return gsl_ran_gamma(r, p[0], p[1]); }
static double d_gaussian(gsl_rng *r, const double *p) { return p[0] + gsl_ran_gaussian(r, p[1]); }
static double d_lognormal(gsl_rng *r, const double *p) { return gsl_ran_lognormal(r, p[0], p[1]); }
static double d_flat(gsl_rng *r, const double *p) { return gsl_ran_flat(r, p[0], p[1]); }

Test(rng, exponential_mean_and_variance)
{
    const double p[] = {2.0}; /* mean mu */
    check_moments("exponential", d_exponential, p, 2.0, 4.0, 6.0, 1);
}

Test(rng, poisson_mean_and_variance)
{
    const double p[] = {3.5};
    check_moments("poisson", d_poisson, p, 3.5, 3.5, 1.0 / 3.5, 2);
    const double big[] = {250.0}; /* GSL switches algorithm for large mu */
    check_moments("poisson250", d_poisson, big, 250.0, 250.0, 1.0 / 250.0, 3);
}

Test(rng, beta_mean_and_variance)
{
    const double a = 2.0, b = 5.0, p[] = {a, b};
    double mean = a / (a + b), var = a * b / ((a + b) * (a + b) * (a + b + 1));
    double kurt = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) /
                  (a * b * (a + b + 2) * (a + b + 3));
    check_moments("beta", d_beta, p, mean, var, kurt, 4);
}

Test(rng, gamma_mean_and_variance)
{
    const double k = 3.0, theta = 2.0, p[] = {k, theta};
    check_moments("gamma", d_gamma, p, k * theta, k * theta * theta, 6.0 / k, 5);
    const double small[] = {0.4, 1.0}; /* shape < 1 takes another path in GSL */
    check_moments("gamma0.4", d_gamma, small, 0.4, 0.4, 6.0 / 0.4, 6);
}

Test(rng, gaussian_mean_and_variance)
{
    const double p[] = {10.0, 1.5};
    check_moments("gaussian", d_gaussian, p, 10.0, 2.25, 0.0, 7);
}

Test(rng, lognormal_mean_and_variance)
{
    const double zeta = 0.5, s = 0.4, p[] = {zeta, s};
    double s2 = s * s;
    double mean = exp(zeta + s2 / 2), var = (exp(s2) - 1) * exp(2 * zeta + s2);
    double kurt = exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 6;
    check_moments("lognormal", d_lognormal, p, mean, var, kurt, 8);
}

Test(rng, flat_mean_and_variance)
{
    const double p[] = {-1.0, 3.0};
    check_moments("flat", d_flat, p, 1.0, 16.0 / 12.0, -1.2, 9);
}

Test(rng, uniform_is_in_unit_interval_and_equidistributed)
{
    /* Pearson chi-square on 64 equal cells; reject only at p < 1e-6. */
    enum { CELLS = 64, DRAWS = 640000 };
    gsl_rng *r = rng_stream_alloc(99, 3, 1);
    unsigned long count[CELLS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        double u = gsl_rng_uniform(r);
        cr_assert(u >= 0.0 && u < 1.0);
        count[(int)(u * CELLS)]++;
    }
    double expect = (double)DRAWS / CELLS, chi2 = 0;
    for (int c = 0; c < CELLS; c++)
        chi2 += (count[c] - expect) * (count[c] - expect) / expect;
    double pval = gsl_cdf_chisq_Q(chi2, CELLS - 1);
    cr_log_info("uniform chi2 %.2f on %d df, p = %.3g\n", chi2, CELLS - 1, pval);
    cr_expect_gt(pval, 1e-6, "chi2 %.2f on %d df", chi2, CELLS - 1);
    cr_expect_eq(gsl_rng_max(r), 0xffffffffUL);
    cr_expect_eq(gsl_rng_min(r), 0UL);
    gsl_rng_free(r);
}
