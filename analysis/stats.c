/*
 * stats.c — descriptive statistics, Wilson intervals, Welch, Mann–Whitney, effect
 * sizes (contracts in stats.h; meanings in docs/analysis.md). GSL computes every
 * mean, variance, quantile and distribution function; this file arranges formulas.
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* The last GSL error on this thread (see stats.h for why this state exists). */
static _Thread_local struct {
    int set;
    int gsl_errno;
    int line;
    char reason[160];
    char file[96];
} gsl_last;

static void on_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    if (gsl_last.set)
        return; /* keep the first: later ones usually follow from it */
    gsl_last.set = 1;
    gsl_last.gsl_errno = gsl_errno;
    gsl_last.line = line;
    snprintf(gsl_last.reason, sizeof gsl_last.reason, "%s", reason ? reason : "?");
    snprintf(gsl_last.file, sizeof gsl_last.file, "%s", file ? file : "?");
}

void stats_gsl_install(void) { gsl_set_error_handler(on_gsl_error); }

int stats_gsl_check(crc_err *err)
{
    if (!gsl_last.set)
        return CRC_OK;
    gsl_last.set = 0;
    return crc_err_set(err, CRC_EFAIL, "GSL could not compute a statistic: %s (%s, in %s:%d)",
                       gsl_last.reason, gsl_strerror(gsl_last.gsl_errno), gsl_last.file,
                       gsl_last.line);
}

size_t stats_finite(double *v, size_t n, size_t *n_infinite)
{
    size_t k = 0, inf = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[i]))
            v[k++] = v[i];
        else if (isinf(v[i]))
            inf++;
    }
    if (n_infinite)
        *n_infinite = inf;
    return k;
}

double stats_t_crit(double df, double level)
{
    if (!(df > 0) || !(level > 0 && level < 1))
        return NAN;
    /* Student's t with infinite degrees of freedom is the standard normal (GSL's t
     * functions fail on an infinite df). */
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(0.5 + level / 2);
    return gsl_cdf_tdist_Pinv(0.5 + level / 2, df);
}

void stats_describe(const double *x, size_t n, double level, double *work, stats_desc *out)
{
    out->n = n;
    out->mean = out->sd = out->ci_lo = out->ci_hi = NAN;
    out->median = out->p5 = out->p95 = out->min = out->max = NAN;
    if (n == 0)
        return;
    memcpy(work, x, n * sizeof *work);
    gsl_sort(work, 1, n);
    out->mean = gsl_stats_mean(work, 1, n);
    out->median = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.5);
    out->p5 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.05);
    out->p95 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.95);
    out->min = work[0];
    out->max = work[n - 1];
    if (n < 2)
        return;
    out->sd = gsl_stats_sd_m(work, 1, n, out->mean);
    double half = stats_t_crit((double)(n - 1), level) * out->sd / sqrt((double)n);
    out->ci_lo = out->mean - half;
    out->ci_hi = out->mean + half;
}

void stats_wilson(size_t k, size_t n, double level, stats_prop *out)
{
    out->k = k;
    out->n = n;
    if (n == 0) {
        out->p = out->lo = out->hi = NAN;
        return;
    }
    double nn = (double)n, p = (double)k / nn;
    double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2), z2 = z * z;
    double denom = 1 + z2 / nn;
    double center = (p + z2 / (2 * nn)) / denom;
    double half = z / denom * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    out->p = p;
    out->lo = fmax(0.0, center - half);
    out->hi = fmin(1.0, center + half);
}

void stats_welch_test(const double *a, size_t na, const double *b, size_t nb, double level,
                      stats_welch *out)
{
    out->diff = out->se = out->df = out->t = out->p = out->ci_lo = out->ci_hi = NAN;
    if (na == 0 || nb == 0)
        return;
    double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
    out->diff = mb - ma;
    if (na < 2 || nb < 2)
        return;
    double va = gsl_stats_variance_m(a, 1, na, ma) / (double)na;
    double vb = gsl_stats_variance_m(b, 1, nb, mb) / (double)nb;
    out->se = sqrt(va + vb);
    if (out->se == 0) {
        /* Two constant samples: the difference is known exactly. */
        out->df = (double)(na + nb - 2);
        out->t = out->diff == 0 ? 0 : copysign(INFINITY, out->diff);
        out->p = out->diff == 0 ? 1 : 0;
        out->ci_lo = out->ci_hi = out->diff;
        return;
    }
    out->df = (va + vb) * (va + vb) /
              (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
    out->t = out->diff / out->se;
    if (!isfinite(out->t) || !(out->df > 0)) {
        out->df = out->t = NAN; /* a non-finite input: no test */
        return;
    }
    out->p = 2 * (isinf(out->df) ? gsl_cdf_ugaussian_Q(fabs(out->t))
                                 : gsl_cdf_tdist_Q(fabs(out->t), out->df));
    double half = stats_t_crit(out->df, level) * out->se;
    out->ci_lo = out->diff - half;
    out->ci_hi = out->diff + half;
}

/* P(U_a <= u) under the null for sizes m, n without ties, from the recursion on the
 * largest pooled value: it belongs to a (probability m/(m+n), adding n to U_a) or to
 * b (adding nothing). Returns NaN when out of memory. */
static double mw_exact_cdf(size_t m, size_t n, size_t u)
{
    size_t umax = m * n, stride_u = umax + 1, stride_j = (n + 1) * stride_u;
    double *P = calloc((m + 1) * stride_j, sizeof *P);
    if (!P)
        return NAN;
#define AT(i, j, w) P[(i) * stride_j + (j) * stride_u + (w)]
    for (size_t i = 0; i <= m; i++)
        for (size_t j = 0; j <= n; j++) {
            if (i == 0 || j == 0) {
                AT(i, j, 0) = 1;
                continue;
            }
            double pi = (double)i / (double)(i + j), pj = 1 - pi;
            for (size_t w = 0; w <= i * j; w++)
                AT(i, j, w) = (w >= j ? pi * AT(i - 1, j, w - j) : 0) + pj * AT(i, j - 1, w);
        }
    double cdf = 0;
    for (size_t w = 0; w <= u && w <= umax; w++)
        cdf += AT(m, n, w);
#undef AT
    free(P);
    return cdf;
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *work,
                       stats_mw *out)
{
    out->u_a = out->u = out->z = out->p = NAN;
    out->exact = 0;
    if (na == 0 || nb == 0)
        return -1;
    size_t n = na + nb;
    double *v = work, *lab = work + n;
    memcpy(v, a, na * sizeof *v);
    memcpy(v + na, b, nb * sizeof *v);
    for (size_t i = 0; i < n; i++)
        lab[i] = i < na ? 0 : 1;
    gsl_sort2(v, 1, lab, 1, n);

    /* Rank sum of a with average ranks over ties; tie term Σ(t³ − t). */
    double ra = 0, ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[j + 1] == v[i])
            j++;
        double t = (double)(j - i + 1), avg = ((double)i + (double)j) / 2 + 1;
        for (size_t q = i; q <= j; q++)
            if (lab[q] == 0)
                ra += avg;
        ties += t * t * t - t;
        i = j + 1;
    }
    double ma = (double)na, mb = (double)nb, N = (double)n;
    out->u_a = ra - ma * (ma + 1) / 2;
    double u_b = ma * mb - out->u_a;
    out->u = fmin(out->u_a, u_b);

    if (ties == 0 && na <= 20 && nb <= 20) {
        double cdf = mw_exact_cdf(na, nb, (size_t)out->u);
        if (isnan(cdf))
            return -1;
        out->exact = 1;
        out->p = fmin(1.0, 2 * cdf);
        return 0;
    }
    double mu = ma * mb / 2;
    double var = ma * mb / 12 * ((N + 1) - ties / (N * (N - 1)));
    double dev = out->u_a - mu;
    double adj = fabs(dev) > 0.5 ? fabs(dev) - 0.5 : 0;
    if (var <= 0) { /* every value tied: no evidence either way */
        out->z = 0;
        out->p = 1;
        return 0;
    }
    out->z = copysign(adj / sqrt(var), dev);
    out->p = fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(out->z)));
    return 0;
}

double stats_cohen_d(const double *a, size_t na, const double *b, size_t nb)
{
    if (na < 2 || nb < 2)
        return NAN;
    double ma = gsl_stats_mean(a, 1, na), mb = gsl_stats_mean(b, 1, nb);
    double va = gsl_stats_variance_m(a, 1, na, ma), vb = gsl_stats_variance_m(b, 1, nb, mb);
    double pooled = sqrt(((double)(na - 1) * va + (double)(nb - 1) * vb) /
                         (double)(na + nb - 2));
    if (pooled == 0)
        return mb == ma ? 0 : copysign(INFINITY, mb - ma);
    return (mb - ma) / pooled;
}

double stats_cliff_delta(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return NAN;
    double gt = 0, lt = 0;
    for (size_t j = 0; j < nb; j++)
        for (size_t i = 0; i < na; i++) {
            if (b[j] > a[i])
                gt++;
            else if (b[j] < a[i])
                lt++;
        }
    return (gt - lt) / ((double)na * (double)nb);
}
