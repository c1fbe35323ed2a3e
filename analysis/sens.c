/*
 * sens.c — Sobol (Saltelli 2010 / Jansen) and Morris estimators, and the layout
 * helpers that map sweep points to design rows (contracts and formulas in sens.h).
 */
#include "sens.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"

/* Indices for one set of base-sample indices idx[0..n) (identity when idx is NULL).
 * work holds 2n doubles. Returns 0, or -1 when the variance is zero. */
static int sobol_point(size_t n, size_t k, const double *fa, const double *fb,
                       const double *fab, const size_t *idx, double *work, double *s1,
                       double *st)
{
    for (size_t j = 0; j < n; j++) {
        size_t q = idx ? idx[j] : j;
        work[j] = fa[q];
        work[n + j] = fb[q];
    }
    double m = gsl_stats_mean(work, 1, 2 * n);
    double v = gsl_stats_variance_m(work, 1, 2 * n, m);
    if (!(v > 0))
        return -1;
    for (size_t i = 0; i < k; i++) {
        const double *fi = fab + i * n;
        double a = 0, b = 0;
        for (size_t j = 0; j < n; j++) {
            size_t q = idx ? idx[j] : j;
            double d = fi[q] - fa[q];
            a += (fb[q] - m) * d; /* centred: same expectation, far less variance */
            b += d * d;
        }
        s1[i] = a / (double)n / v;
        st[i] = b / (2.0 * (double)n) / v;
    }
    return 0;
}

int sens_sobol(size_t n, size_t k, const double *fa, const double *fb, const double *fab,
               size_t n_boot, double level, uint64_t seed, sens_sobol_idx *out,
               crc_err *err)
{
    if (n < 2 || k == 0)
        return crc_err_set(err, CRC_EINPUT,
                           "Sobol indices need at least 2 base samples and 1 parameter "
                           "(got N=%zu, k=%zu)", n, k);
    double *work = malloc(2 * n * sizeof *work);
    double *s1 = malloc(k * sizeof *s1), *st = malloc(k * sizeof *st);
    double *bs1 = n_boot ? malloc(n_boot * k * sizeof *bs1) : NULL;
    double *bst = n_boot ? malloc(n_boot * k * sizeof *bst) : NULL;
    size_t *idx = n_boot ? malloc(n * sizeof *idx) : NULL;
    gsl_rng *r = n_boot ? rng_stream_alloc(seed, 0, SENS_PURPOSE) : NULL;
    int rc = CRC_OK;
    if (!work || !s1 || !st || (n_boot && (!bs1 || !bst || !idx || !r))) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory for Sobol indices");
        goto done;
    }
    if (sobol_point(n, k, fa, fb, fab, NULL, work, s1, st)) {
        rc = crc_err_set(err, CRC_EINPUT,
                         "the output does not vary over the design (zero variance): "
                         "Sobol indices are undefined");
        goto done;
    }
    size_t used = 0;
    for (size_t b = 0; b < n_boot; b++) {
        for (size_t j = 0; j < n; j++)
            idx[j] = (size_t)gsl_rng_uniform_int(r, (unsigned long)n);
        /* A resample with zero variance (tiny N) is skipped, not counted. */
        if (sobol_point(n, k, fa, fb, fab, idx, work, bs1 + used * k, bst + used * k) == 0)
            used++;
    }
    double lo_q = (1 - level) / 2, hi_q = 1 - lo_q;
    for (size_t i = 0; i < k; i++) {
        out[i].s1 = s1[i];
        out[i].st = st[i];
        out[i].s1_lo = out[i].s1_hi = out[i].st_lo = out[i].st_hi = NAN;
        if (used < 2)
            continue;
        double *tmp = malloc(used * sizeof *tmp);
        if (!tmp) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory for Sobol intervals");
            goto done;
        }
        for (size_t b = 0; b < used; b++)
            tmp[b] = bs1[b * k + i];
        gsl_sort(tmp, 1, used);
        out[i].s1_lo = gsl_stats_quantile_from_sorted_data(tmp, 1, used, lo_q);
        out[i].s1_hi = gsl_stats_quantile_from_sorted_data(tmp, 1, used, hi_q);
        for (size_t b = 0; b < used; b++)
            tmp[b] = bst[b * k + i];
        gsl_sort(tmp, 1, used);
        out[i].st_lo = gsl_stats_quantile_from_sorted_data(tmp, 1, used, lo_q);
        out[i].st_hi = gsl_stats_quantile_from_sorted_data(tmp, 1, used, hi_q);
        free(tmp);
    }
done:
    free(work);
    free(s1);
    free(st);
    free(bs1);
    free(bst);
    free(idx);
    gsl_rng_free(r);
    return rc;
}

static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Does AB_i's row equal A's row except column i, which equals B's? */
static int ab_row_ok(const double *x, size_t k, size_t pa, size_t pb, size_t pab, size_t i)
{
    for (size_t c = 0; c < k; c++) {
        double want = c == i ? x[pb * k + c] : x[pa * k + c];
        if (!same(x[pab * k + c], want))
            return 0;
    }
    return 1;
}

int sens_saltelli_layout(const double *x, size_t n_points, size_t k, size_t *n, size_t **rows,
                         crc_err *err)
{
    *rows = NULL;
    *n = 0;
    if (k == 0 || n_points % (k + 2))
        return crc_err_set(err, CRC_EINPUT,
                           "a sobol sweep over %zu parameters has N·(k+2) = N·%zu points; this "
                           "one has %zu: is it a sobol sweep?", k, k + 2, n_points);
    size_t N = n_points / (k + 2);
    size_t *r = malloc(n_points * sizeof *r);
    if (!r)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (int layout = 0; layout < 2; layout++) {
        for (size_t j = 0; j < N; j++) {
            if (layout == 0) { /* interleaved: A_j, AB_1..AB_k, B_j */
                r[j] = j * (k + 2);
                r[N + j] = j * (k + 2) + k + 1;
                for (size_t i = 0; i < k; i++)
                    r[(2 + i) * N + j] = j * (k + 2) + 1 + i;
            } else {           /* blocks: A, B, AB_1 .. AB_k */
                r[j] = j;
                r[N + j] = N + j;
                for (size_t i = 0; i < k; i++)
                    r[(2 + i) * N + j] = (2 + i) * N + j;
            }
        }
        size_t bad = SIZE_MAX;
        for (size_t j = 0; j < N && bad == SIZE_MAX; j++)
            for (size_t i = 0; i < k; i++)
                if (!ab_row_ok(x, k, r[j], r[N + j], r[(2 + i) * N + j], i)) {
                    bad = r[(2 + i) * N + j];
                    break;
                }
        if (bad == SIZE_MAX) {
            *n = N;
            *rows = r;
            return CRC_OK;
        }
        if (layout == 1) {
            free(r);
            return crc_err_set(err, CRC_EINPUT,
                               "the sweep's points do not form a Saltelli design (point %zu is "
                               "neither an interleaved nor a block AB_i row); run the sweep "
                               "with design type sobol", bad);
        }
    }
    free(r);
    return CRC_EFAIL;
}

void sens_morris(size_t k, size_t m, const size_t *factor, const double *ee,
                 sens_morris_idx *out)
{
    for (size_t i = 0; i < k; i++) {
        double s = 0, sa = 0, ss = 0;
        size_t r = 0;
        for (size_t q = 0; q < m; q++)
            if (factor[q] == i) {
                s += ee[q];
                sa += fabs(ee[q]);
                r++;
            }
        out[i].r = r;
        out[i].mu = r ? s / (double)r : NAN;
        out[i].mu_star = r ? sa / (double)r : NAN;
        for (size_t q = 0; q < m; q++)
            if (factor[q] == i)
                ss += (ee[q] - out[i].mu) * (ee[q] - out[i].mu);
        out[i].sigma = r > 1 ? sqrt(ss / (double)(r - 1)) : NAN;
    }
}

int sens_morris_effects(const double *x, const double *y, size_t n_points, size_t k,
                        double delta, size_t *factor, double *ee, crc_err *err)
{
    if (k == 0 || n_points % (k + 1) || !(delta > 0))
        return crc_err_set(err, CRC_EINPUT,
                           "a morris sweep over %zu parameters has r·(k+1) = r·%zu points; "
                           "this one has %zu: is it a morris sweep?", k, k + 1, n_points);
    size_t m = 0;
    for (size_t t = 0; t < n_points / (k + 1); t++)
        for (size_t s = 1; s <= k; s++) {
            size_t p = t * (k + 1) + s;
            size_t changed = SIZE_MAX, nchanged = 0;
            for (size_t c = 0; c < k; c++)
                if (!same(x[p * k + c], x[(p - 1) * k + c])) {
                    changed = c;
                    nchanged++;
                }
            if (nchanged != 1)
                return crc_err_set(err, CRC_EINPUT,
                                   "point %zu changes %zu parameters from point %zu; a Morris "
                                   "trajectory changes exactly one per step", p, nchanged,
                                   p - 1);
            double dir = x[p * k + changed] > x[(p - 1) * k + changed] ? 1.0 : -1.0;
            factor[m] = changed;
            ee[m] = (y[p] - y[p - 1]) / (dir * delta);
            m++;
        }
    return CRC_OK;
}
