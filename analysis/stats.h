/*
 * stats.h — the statistics Crucible reports over replicates: descriptive summaries
 * with a Student-t interval, Wilson intervals for pass probabilities, Welch's
 * two-sample comparison, the Mann–Whitney U test and two effect sizes.
 *
 * Every number comes from GSL (gsl_stats_*, gsl_cdf_*, gsl_sort); this module only
 * arranges the formulas (docs/analysis.md explains each for economists). Functions
 * are pure: they read arrays, write a result struct, keep no state. Non-finite inputs
 * are the caller's business: stats_finite takes them out (and counts them) before the
 * statistics, so that they are reported as data ("3 of 10 runs have an infinite
 * value") rather than poisoning a mean; given one anyway, a function returns NaN
 * fields, never aborts.
 *
 * GSL errors: GSL's default handler aborts the process. stats_gsl_install replaces it
 * (main and the test binary call it first) with one that records the error for the
 * calling thread; stats_gsl_check turns it into a crc_err. That record is the only
 * mutable state here, and it exists because GSL reports errors through a global hook.
 */
#ifndef CRC_STATS_H
#define CRC_STATS_H

#include <stddef.h>

#include "util/err.h"

/* Installs the recording GSL error handler (idempotent). */
void stats_gsl_install(void);

/* CRC_OK when no GSL error was recorded on this thread since the last check; else
 * CRC_EFAIL with err saying what GSL reported (and where), and the record is cleared. */
int stats_gsl_check(crc_err *err);

/* Moves the finite values of v[0..n) to its front (in order) and returns how many;
 * *n_infinite (may be NULL) receives how many were ±infinity. NaN counts as no value
 * (the results database stores NaN as NULL, so a NaN is a missing value). */
size_t stats_finite(double *v, size_t n, size_t *n_infinite);

/* Descriptive summary of one sample. Fields that need more data than n are NaN
 * (sd and the interval need n >= 2; everything needs n >= 1). */
typedef struct stats_desc {
    size_t n;
    double mean, sd;      /* sd: sample standard deviation (n - 1 denominator)      */
    double ci_lo, ci_hi;  /* mean ± t_{n-1, (1+level)/2} · sd / √n                  */
    double median, p5, p95, min, max; /* quantiles: GSL's linear interpolation       */
} stats_desc;

/* Summarises x[0..n) at confidence level `level` (e.g. 0.95). work must hold n
 * doubles (the sorted copy goes there); x is not modified. */
void stats_describe(const double *x, size_t n, double level, double *work, stats_desc *out);

/* A proportion k/n with its Wilson score interval. */
typedef struct stats_prop {
    size_t k, n;
    double p, lo, hi;     /* p = k/n; NaN when n == 0                               */
} stats_prop;

/* Wilson score interval for k successes in n trials at confidence `level`. */
void stats_wilson(size_t k, size_t n, double level, stats_prop *out);

/* Welch's comparison of the means of b and a (difference b − a). */
typedef struct stats_welch {
    double diff;          /* mean(b) − mean(a)                                      */
    double se;            /* √(s_a²/n_a + s_b²/n_b)                                  */
    double df;            /* Welch–Satterthwaite degrees of freedom                  */
    double t, p;          /* t = diff / se; two-sided p-value                        */
    double ci_lo, ci_hi;  /* diff ± t_{df,(1+level)/2} · se                          */
} stats_welch;

/* Welch's t-test and interval. Needs n_a, n_b >= 2; otherwise every field but diff
 * is NaN. When both variances are zero, se = 0 and t, p follow the sign of diff
 * (p = 1 when diff == 0, else 0). */
void stats_welch_test(const double *a, size_t na, const double *b, size_t nb, double level,
                      stats_welch *out);

/* Mann–Whitney U test of a against b. */
typedef struct stats_mw {
    double u_a;           /* U of sample a: #(a > b) + ½ #(a == b) over all pairs    */
    double u;             /* min(U_a, U_b), the textbook statistic                   */
    double z;             /* normal score (NaN when exact)                           */
    double p;             /* two-sided p-value                                       */
    int exact;            /* 1: exact null distribution (no ties, n_a, n_b <= 20)     */
} stats_mw;

/* Mann–Whitney U with average ranks for ties. Exact two-sided p-value from the null
 * distribution of U when there are no ties and both samples have at most 20 values;
 * otherwise the normal approximation with the tie-corrected variance and a continuity
 * correction of 0.5. work must hold 2·(na + nb) doubles. Returns 0, or -1 when out of
 * memory (the exact table) or a sample is empty (out->p is then NaN). */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *work,
                       stats_mw *out);

/* Cohen's d of b against a: (mean(b) − mean(a)) / pooled sd; NaN when undefined. */
double stats_cohen_d(const double *a, size_t na, const double *b, size_t nb);

/* Cliff's delta of b against a: (#(b > a) − #(b < a)) / (n_a · n_b), in [−1, 1];
 * NaN when a sample is empty. O(n_a · n_b). */
double stats_cliff_delta(const double *a, size_t na, const double *b, size_t nb);

/* Two-sided Student-t critical value t_{df,(1+level)/2}. */
double stats_t_crit(double df, double level);

#endif
