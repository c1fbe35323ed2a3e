/*
 * sensdb.c — Sobol / Morris indices of a metric from a sweep database (sensdb.h).
 */
#include "sensdb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sensdb_free(sensdb_result *r)
{
    if (!r)
        return;
    adb_strings_free(r->params, r->k);
    free(r->sobol);
    free(r->morris);
    memset(r, 0, sizeof *r);
}

/* y[p] = mean over finished runs of point pts->ids[p]; *min_rep = fewest runs. */
static int point_means(const adb *d, const adb_points *pts, const double *run_v, double *y,
                       size_t *min_rep, crc_err *err)
{
    size_t *cnt = calloc(pts->n_points, sizeof *cnt);
    if (!cnt)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (size_t p = 0; p < pts->n_points; p++)
        y[p] = 0;
    size_t p = 0;
    /* Runs are sorted by point, as are the point ids: one merge pass. */
    for (size_t i = 0; i < d->n_runs; i++) {
        while (p < pts->n_points && pts->ids[p] < d->runs[i].point)
            p++;
        if (p == pts->n_points)
            break;
        if (pts->ids[p] != d->runs[i].point || isnan(run_v[i]))
            continue;
        y[p] += run_v[i];
        cnt[p]++;
    }
    *min_rep = SIZE_MAX;
    for (size_t q = 0; q < pts->n_points; q++) {
        if (!cnt[q]) {
            long id = pts->ids[q];
            free(cnt);
            return crc_err_set(err, CRC_EINPUT,
                               "%s: sweep point %ld has no finished run with a value; finish "
                               "the sweep (crucible sweep --resume) before computing indices",
                               d->path, id);
        }
        y[q] /= (double)cnt[q];
        if (cnt[q] < *min_rep)
            *min_rep = cnt[q];
    }
    free(cnt);
    return CRC_OK;
}

int sensdb_compute(const adb *d, const char *metric, size_t n_boot, double level,
                   uint64_t seed, sensdb_result *out, crc_err *err)
{
    memset(out, 0, sizeof *out);
    char *design = adb_meta(d, "design");
    int kind = SENSDB_SOBOL;
    size_t levels = 0;
    if (design) {
        if (!strncmp(design, "morris", 6)) {
            kind = SENSDB_MORRIS;
            const char *l = strstr(design, "levels=");
            if (l)
                levels = (size_t)strtoul(l + 7, NULL, 10);
        } else if (strncmp(design, "sobol", 5)) {
            int rc = crc_err_set(err, CRC_EINPUT,
                                 "%s: the sweep's design is '%.40s'; Sobol indices need a "
                                 "sobol design and Morris effects a morris design", d->path,
                                 design);
            free(design);
            return rc;
        }
        free(design);
    }
    adb_points pts;
    int rc = adb_load_points(d, &pts, err);
    if (rc)
        return rc;
    double *run_v = malloc((d->n_runs ? d->n_runs : 1) * sizeof *run_v);
    double *y = malloc(pts.n_points * sizeof *y);
    size_t *rows = NULL, *factor = NULL;
    double *f = NULL, *ee = NULL;
    if (!run_v || !y) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = adb_run_values(d, metric, ADB_END, run_v, NULL, err)))
        goto done;
    if ((rc = point_means(d, &pts, run_v, y, &out->replicates, err)))
        goto done;
    size_t k = pts.n_params;
    out->kind = kind;
    out->k = k;
    out->params = calloc(k, sizeof *out->params);
    if (!out->params) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        out->params[j] = strdup(pts.paths[j]);
    if (kind == SENSDB_SOBOL) {
        size_t N;
        if ((rc = sens_saltelli_layout(pts.x, pts.n_points, k, &N, &rows, err)))
            goto done;
        f = malloc((k + 2) * N * sizeof *f);
        out->sobol = malloc(k * sizeof *out->sobol);
        if (!f || !out->sobol) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t q = 0; q < (k + 2) * N; q++)
            f[q] = y[rows[q]];
        out->n = N;
        rc = sens_sobol(N, k, f, f + N, f + 2 * N, n_boot, level, seed, out->sobol, err);
    } else {
        /* The step in unit coordinates: meta.morris_delta when the sweep wrote it, else
         * from the levels p in meta.design (delta = p / (2(p - 1))). */
        char *dm = adb_meta(d, "morris_delta");
        double delta = dm ? strtod(dm, NULL) : NAN;
        free(dm);
        if (!(delta > 0 && delta <= 1) && levels >= 2 && levels % 2 == 0)
            delta = (double)levels / (2.0 * (double)(levels - 1));
        if (!(delta > 0 && delta <= 1)) {
            rc = crc_err_set(err, CRC_EINPUT, "%s: neither meta.morris_delta nor meta.design "
                             "(levels=P) gives the Morris step; cannot scale the elementary "
                             "effects", d->path);
            goto done;
        }
        out->delta = delta;
        size_t m = pts.n_points / (k + 1) * k;
        factor = malloc((m ? m : 1) * sizeof *factor);
        ee = malloc((m ? m : 1) * sizeof *ee);
        out->morris = malloc(k * sizeof *out->morris);
        if (!factor || !ee || !out->morris) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = sens_morris_effects(pts.x, y, pts.n_points, k, out->delta, factor, ee, err)))
            goto done;
        out->n = pts.n_points / (k + 1);
        sens_morris(k, m, factor, ee, out->morris);
    }
done:
    if (rc)
        sensdb_free(out);
    adb_points_free(&pts);
    free(run_v);
    free(y);
    free(rows);
    free(f);
    free(factor);
    free(ee);
    return rc;
}

/* 1 when an index's estimate v lies outside [0, 1] together with its interval. */
static int outside_unit(double v, double lo, double hi)
{
    return (v < 0 && !(hi >= 0)) || (v > 1 && !(lo <= 1));
}

void sensdb_sobol_check(const sensdb_result *r, sensdb_check *c)
{
    memset(c, 0, sizeof *c);
    c->width = NAN;
    if (r->kind != SENSDB_SOBOL)
        return;
    const char *worst = NULL, *which = "";
    int outside = 0;
    for (size_t j = 0; j < r->k; j++) {
        const sens_sobol_idx *s = &r->sobol[j];
        double w1 = s->s1_hi - s->s1_lo, wt = s->st_hi - s->st_lo;
        if (!(c->width >= w1) && !isnan(w1))
            c->width = w1, worst = r->params[j], which = "S1";
        if (!(c->width >= wt) && !isnan(wt))
            c->width = wt, worst = r->params[j], which = "ST";
        outside |= outside_unit(s->s1, s->s1_lo, s->s1_hi) ||
                   outside_unit(s->st, s->st_lo, s->st_hi);
    }
    c->too_small = outside || c->width > 1;
    if (!c->too_small && !(c->width > SENSDB_WIDTH))
        return;
    if (isnan(c->width)) {
        snprintf(c->msg, sizeof c->msg, "WARNING: with N = %zu base samples some indices lie "
                 "outside [0, 1], where a share of variance must be: the sample is too small "
                 "for them to mean anything; compute bootstrap intervals (--boot 1000) to "
                 "see how many samples would be enough", r->n);
        return;
    }
    double f = c->width / SENSDB_WIDTH;
    c->n_enough = (size_t)ceil((double)r->n * f * f);
    c->runs_enough = c->n_enough * (r->k + 2) * (r->replicates ? r->replicates : 1);
    if (c->too_small)
        snprintf(c->msg, sizeof c->msg, "WARNING: N = %zu base samples is too small for these "
                 "indices to mean anything (widest interval: %s of %s, %.3g wide%s); intervals "
                 "shrink as 1/sqrt(N), so about N = %zu (%zu runs) would narrow them to %.1f",
                 r->n, which, worst, c->width,
                 outside ? "; some estimates lie outside [0, 1] beyond their interval" : "",
                 c->n_enough, c->runs_enough, SENSDB_WIDTH);
    else
        snprintf(c->msg, sizeof c->msg, "note: with N = %zu base samples the indices are "
                 "imprecise (widest interval: %s of %s, %.3g wide); intervals shrink as "
                 "1/sqrt(N), so about N = %zu (%zu runs) would narrow them to %.1f",
                 r->n, which, worst, c->width, c->n_enough, c->runs_enough, SENSDB_WIDTH);
}
