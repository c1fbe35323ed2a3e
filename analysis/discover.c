/*
 * discover.c — scenario discovery and safe settings from a sweep database (discover.h
 * has the contract; docs/analysis.md, "discover", the method for economists).
 */
#include "discover.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"
#include "model/core/params.h"
#include "stats.h"

/* The bootstrap's stream purpose ("DISC"): its draws never share a stream with another
 * analysis'. */
#define DISCOVER_PURPOSE 0x44495343u

const char *const discover_col_names[DISCOVER_COLS] = {"conservative", "moderate",
                                                       "aggressive"};
const double discover_col_margins[DISCOVER_COLS] = {0.4, 0.2, 0.05};

void discover_opts_default(discover_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 0.05;
    o->min_mass = 0.05;
    o->min_coverage = 0.8;
    o->box = -1;
    o->n_boot = 200;
    o->seed = 1;
}

void discover_safe_opts_default(discover_safe_opts *o)
{
    memset(o, 0, sizeof *o);
    o->target = 0.95;
    o->level = 0.95;
    o->alpha = 0.05;
    o->min_mass = 0.05;
}

int discover_is_scheme(const char *path)
{
    static const char *const prefixes[] = {"defense.", "emission.", "fees.", "staking.",
                                           "vesting.", "treasury.", "rewards.", "token."};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
            return 1;
    return 0;
}

/* The runs of a sweep as rows: x (n * k, the run's point's values) and point ids, for the
 * runs keep[i] != 0 of d->runs (keep may be NULL: all). */
typedef struct sweep_rows {
    adb_points pts;
    size_t n;
    double *x;
    long *point;
    size_t *run; /* index into d->runs */
} sweep_rows;

static void rows_free(sweep_rows *s)
{
    adb_points_free(&s->pts);
    free(s->x);
    free(s->point);
    free(s->run);
    memset(s, 0, sizeof *s);
}

static int point_index(const adb_points *p, long id)
{
    size_t a = 0, b = p->n_points;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (p->ids[m] < id)
            a = m + 1;
        else
            b = m;
    }
    return a < p->n_points && p->ids[a] == id ? (int)a : -1;
}

static int rows_load(const adb *d, const signed char *keep, sweep_rows *s, crc_err *err)
{
    memset(s, 0, sizeof *s);
    if (adb_load_points(d, &s->pts, err))
        return CRC_EINPUT;
    size_t k = s->pts.n_params;
    if (s->pts.n_points < 2) {
        crc_err_set(err, CRC_EINPUT, "%s: the sweep has one point: discovery compares "
                    "points, so sweep at least two (better dozens: an lhs or sobol design)",
                    d->path);
        goto fail;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t p = 0; p < s->pts.n_points; p++)
            if (!isfinite(s->pts.x[p * k + j])) {
                crc_err_set(err, CRC_EINPUT, "%s: parameter %s was swept over non-numeric "
                            "values (distributions): discovery needs numbers; sweep a "
                            "distribution's parameters instead", d->path, s->pts.paths[j]);
                goto fail;
            }
    s->x = malloc((d->n_runs ? d->n_runs : 1) * k * sizeof *s->x);
    s->point = malloc((d->n_runs ? d->n_runs : 1) * sizeof *s->point);
    s->run = malloc((d->n_runs ? d->n_runs : 1) * sizeof *s->run);
    if (!s->x || !s->point || !s->run) {
        crc_err_set(err, CRC_ENOMEM, "out of memory reading %s", d->path);
        goto fail;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        int p = point_index(&s->pts, d->runs[i].point);
        if (p < 0 || (keep && !keep[i]))
            continue;
        memcpy(s->x + s->n * k, s->pts.x + (size_t)p * k, k * sizeof *s->x);
        s->point[s->n] = d->runs[i].point;
        s->run[s->n++] = i;
    }
    if (!s->n) {
        crc_err_set(err, CRC_EINPUT, "%s: no finished run with a verdict" ADB_NO_RUN_FIX,
                    d->path);
        goto fail;
    }
    return CRC_OK;
fail:
    rows_free(s);
    return err->code;
}

static size_t count_points(const long *point, const unsigned char *in, size_t n)
{
    /* Runs are ordered by point (adb.h), so distinct ids are changes along the list. */
    size_t c = 0;
    long last = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++)
        if (!in || in[i]) {
            if (!any || point[i] != last)
                c++;
            any = 1;
            last = point[i];
        }
    return c;
}

static int op_holds(const char *op, double v, double x)
{
    if (!strcmp(op, "<"))
        return v < x;
    if (!strcmp(op, "<="))
        return v <= x;
    if (!strcmp(op, ">"))
        return v > x;
    if (!strcmp(op, ">="))
        return v >= x;
    if (!strcmp(op, "=="))
        return v == x;
    return v != x;
}

/* labels[i] for run i of d: 1 a case, 0 not, -1 no verdict (left out). */
static int label_runs(const adb *d, const discover_opts *o, signed char *lab, char *what,
                      size_t len, crc_err *err)
{
    size_t n = d->n_runs;
    if (o->criterion) {
        int *passed = malloc((n ? n : 1) * sizeof *passed);
        if (!passed)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
        int rc = adb_criterion(d, o->criterion, passed, err);
        for (size_t i = 0; !rc && i < n; i++)
            lab[i] = passed[i] < 0 ? -1 : (signed char)((passed[i] == 1) == (o->holds != 0));
        free(passed);
        snprintf(what, len, "%s %s", o->criterion, o->holds ? "holds" : "fails");
        return rc;
    }
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    int rc = adb_run_values(d, o->metric, (adb_stat)o->stat, v, NULL, err);
    for (size_t i = 0; !rc && i < n; i++)
        lab[i] = isnan(v[i]) ? -1 : (signed char)op_holds(o->op, v[i], o->value);
    free(v);
    static const char *const stat_names[] = {"end", "mean", "max", "min"};
    snprintf(what, len, "%s(%s) %s %g", stat_names[o->stat & 3], o->metric, o->op, o->value);
    return rc;
}

/* The box a data set gives under the options: the rule's (or o->box's) trajectory box,
 * pasted. lo/hi receive it; *chosen its trajectory index. */
static int find_box(const prim_data *pd, const discover_opts *o, prim_traj *t, double *lo,
                    double *hi, size_t *chosen)
{
    if (prim_peel(pd, o->alpha, o->min_mass, t))
        return -1;
    size_t b = o->box >= 0 && (size_t)o->box < t->n_boxes ? (size_t)o->box
                                                          : prim_choose(t, o->min_coverage);
    memcpy(lo, t->lo + b * pd->k, pd->k * sizeof *lo);
    memcpy(hi, t->hi + b * pd->k, pd->k * sizeof *hi);
    *chosen = b;
    return prim_paste(pd, o->alpha, lo, hi);
}

static double quantile(double *v, size_t n, double q)
{
    if (!n)
        return NAN;
    gsl_sort(v, 1, n);
    return gsl_stats_quantile_from_sorted_data(v, 1, n, q);
}

/* The bounds' stability: n_boot resamples of the runs with replacement, each through the
 * same peeling, rule and pasting. */
static int bootstrap(const prim_data *pd, const discover_opts *o, discover_result *r)
{
    size_t n = pd->n, k = pd->k, B = o->n_boot;
    if (!B)
        return 0;
    double *x = malloc(n * k * sizeof *x), *lo = malloc(k * sizeof *lo),
           *hi = malloc(k * sizeof *hi), *blo = malloc(B * k * sizeof *blo),
           *bhi = malloc(B * k * sizeof *bhi), *tmp = malloc(B * sizeof *tmp);
    unsigned char *y = malloc(n), *res = calloc(B * k, 1);
    gsl_rng *g = rng_stream_alloc(o->seed, 0, DISCOVER_PURPOSE);
    int rc = -1;
    if (!x || !lo || !hi || !blo || !bhi || !tmp || !y || !res || !g)
        goto out;
    prim_data bd = {n, k, x, y};
    for (size_t b = 0; b < B; b++) {
        for (size_t i = 0; i < n; i++) {
            size_t s = (size_t)gsl_rng_uniform_int(g, (unsigned long)n);
            memcpy(x + i * k, pd->x + s * k, k * sizeof *x);
            y[i] = pd->y[s];
        }
        prim_traj t;
        size_t chosen;
        if (find_box(&bd, o, &t, lo, hi, &chosen)) {
            prim_traj_free(&t);
            goto out;
        }
        prim_traj_free(&t);
        for (size_t j = 0; j < k; j++) {
            blo[j * B + b] = lo[j];
            bhi[j * B + b] = hi[j];
            res[j * B + b] = (unsigned char)prim_restricts(&bd, lo, hi, j);
        }
    }
    for (size_t j = 0; j < k; j++) {
        discover_dim *dm = &r->dims[j];
        size_t c = 0;
        for (size_t b = 0; b < B; b++)
            c += res[j * B + b];
        dm->share = (double)c / (double)B;
        memcpy(tmp, blo + j * B, B * sizeof *tmp);
        dm->lo_q05 = quantile(tmp, B, 0.05);
        dm->lo_q95 = quantile(tmp, B, 0.95);
        memcpy(tmp, bhi + j * B, B * sizeof *tmp);
        dm->hi_q05 = quantile(tmp, B, 0.05);
        dm->hi_q95 = quantile(tmp, B, 0.95);
    }
    r->n_boot = B;
    rc = 0;
out:
    free(x);
    free(lo);
    free(hi);
    free(blo);
    free(bhi);
    free(tmp);
    free(y);
    free(res);
    gsl_rng_free(g);
    return rc;
}

void discover_free(discover_result *r)
{
    for (size_t j = 0; r->dims && j < r->k; j++)
        free(r->dims[j].param);
    free(r->dims);
    prim_traj_free(&r->traj);
    free(r->x);
    free(r->y);
    free(r->point);
    memset(r, 0, sizeof *r);
}

int discover_compute(const adb *d, const discover_opts *o, discover_result *r, crc_err *err)
{
    memset(r, 0, sizeof *r);
    signed char *lab = malloc(d->n_runs ? d->n_runs : 1);
    if (!lab)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    sweep_rows s;
    int rc = rows_load(d, NULL, &s, err);
    if (!rc)
        rc = label_runs(d, o, lab, r->what, sizeof r->what, err);
    if (rc) {
        free(lab);
        rows_free(&s);
        return rc;
    }
    size_t k = s.pts.n_params, n = 0;
    r->k = k;
    r->dims = calloc(k, sizeof *r->dims);
    r->x = malloc(s.n * k * sizeof *r->x);
    r->y = malloc(s.n);
    r->point = malloc(s.n * sizeof *r->point);
    double *lo = malloc(k * sizeof *lo), *hi = malloc(k * sizeof *hi);
    if (!r->dims || !r->x || !r->y || !r->point || !lo || !hi) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < s.n; i++) {
        signed char l = lab[s.run[i]];
        if (l < 0)
            continue;
        memcpy(r->x + n * k, s.x + i * k, k * sizeof *r->x);
        r->y[n] = (unsigned char)l;
        r->point[n++] = s.point[i];
        r->cases += (size_t)l;
    }
    r->runs = n;
    r->points = count_points(r->point, NULL, n);
    for (size_t j = 0; j < k; j++)
        if (!(r->dims[j].param = strdup(s.pts.paths[j]))) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            goto out;
        }
    if (!n || !r->cases || r->cases == n) {
        rc = crc_err_set(err, CRC_EINPUT, "%s: %s in %s of its %zu runs with a verdict: "
                         "there is no region to find; %s", d->path, r->what,
                         r->cases ? "all" : "none", n,
                         o->criterion ? (o->holds ? "drop --holds to find where it fails"
                                                  : "add --holds to find where it holds")
                                      : "pick another --value");
        goto out;
    }
    prim_data pd = {n, k, r->x, r->y};
    if (find_box(&pd, o, &r->traj, lo, hi, &r->chosen) || bootstrap(&pd, o, r)) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    prim_count(&pd, lo, hi, k, &r->box_runs, &r->box_cases);
    unsigned char *in = malloc(n);
    if (!in) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const double *xi = r->x + i * k;
        in[i] = 1;
        for (size_t j = 0; j < k; j++)
            in[i] &= xi[j] >= lo[j] && xi[j] <= hi[j];
    }
    r->box_points = count_points(r->point, in, n);
    free(in);
    r->coverage = (double)r->box_cases / (double)r->cases;
    r->density = (double)r->box_cases / (double)r->box_runs;
    r->mass = (double)r->box_runs / (double)n;
    for (size_t j = 0; j < k; j++) {
        discover_dim *dm = &r->dims[j];
        dm->lo = lo[j];
        dm->hi = hi[j];
        dm->min = r->traj.lo[j];
        dm->max = r->traj.hi[j];
        dm->restricted = prim_restricts(&pd, lo, hi, j);
        dm->p_value = dm->restricted ? prim_quasi_p(&pd, lo, hi, j) : NAN;
        dm->narrowing = dm->max > dm->min ? (hi[j] - lo[j]) / (dm->max - dm->min) : 1;
        if (!r->n_boot)
            dm->share = dm->lo_q05 = dm->lo_q95 = dm->hi_q05 = dm->hi_q95 = NAN;
    }
out:
    free(lo);
    free(hi);
    free(lab);
    rows_free(&s);
    if (rc)
        discover_free(r);
    return rc;
}

/* ---- safe settings ----------------------------------------------------------------- */

void discover_safe_free(discover_safe_result *r)
{
    adb_strings_free(r->params, r->params ? r->k : 0);
    free(r->scheme);
    free(r->lo);
    free(r->hi);
    free(r->min);
    free(r->max);
    free(r->current);
    free(r->rec);
    free(r->point_x);
    memset(r, 0, sizeof *r);
}

/* y[i] = 1 when every criterion held in run i of d. */
static int all_hold(const adb *d, char **names, size_t n_names, unsigned char *y,
                    crc_err *err)
{
    int *passed = malloc((d->n_runs ? d->n_runs : 1) * sizeof *passed);
    if (!passed)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    memset(y, 1, d->n_runs);
    int rc = CRC_OK;
    for (size_t c = 0; c < n_names && !rc; c++) {
        rc = adb_criterion(d, names[c], passed, err);
        for (size_t i = 0; !rc && i < d->n_runs; i++)
            y[i] &= passed[i] == 1;
    }
    free(passed);
    return rc;
}

/* The recommended value on one parameter at margin m: the current value (the box's
 * centre when unknown) clamped into the box shrunk by m of its width at each restricted
 * edge; rounded inward when the parameter only took integral values. */
static double recommend(double lo, double hi, double mn, double mx, double cur, double m,
                        int integral)
{
    double w = hi - lo, a = lo > mn ? lo + m * w : lo, b = hi < mx ? hi - m * w : hi;
    double v = isfinite(cur) ? cur : 0.5 * (lo + hi);
    v = v < a ? a : v > b ? b : v;
    if (integral) {
        double rv = round(v);
        if (rv < a && ceil(a) <= b)
            rv = ceil(a);
        else if (rv > b && floor(b) >= a)
            rv = floor(b);
        v = rv;
    }
    return v;
}

int discover_safe(const adb *d, const discover_safe_opts *o, discover_safe_result *r,
                  crc_err *err)
{
    memset(r, 0, sizeof *r);
    r->level = o->level;
    char **names = o->criteria;
    size_t n_names = o->n_criteria;
    int own_names = 0;
    if (!n_names) {
        if (adb_names(d, "criteria", &names, &n_names, err))
            return err->code;
        own_names = 1;
        if (!n_names) {
            crc_err_set(err, CRC_EINPUT, "%s: the sweep's scenario has no criteria: safe "
                        "settings need at least one (add criteria: to the base scenario)",
                        d->path);
            return CRC_EINPUT;
        }
    }
    size_t used = 0;
    for (size_t c = 0; c < n_names; c++)
        used += (size_t)snprintf(r->criteria + (used < sizeof r->criteria ? used : 0),
                                 used < sizeof r->criteria ? sizeof r->criteria - used : 0,
                                 "%s%s", c ? ", " : "", names[c]);
    unsigned char *y_run = malloc(d->n_runs ? d->n_runs : 1);
    sweep_rows s;
    memset(&s, 0, sizeof s);
    double *xs = NULL;
    unsigned char *ys = NULL;
    size_t *map = NULL;
    prim_traj t = {0};
    int rc = y_run ? all_hold(d, names, n_names, y_run, err)
                   : crc_err_set(err, CRC_ENOMEM, "out of memory");
    if (own_names)
        adb_strings_free(names, n_names);
    if (rc || (rc = rows_load(d, NULL, &s, err)))
        goto out;
    size_t k = s.pts.n_params, n = s.n, ks = 0;
    r->k = k;
    r->runs = n;
    r->points = s.pts.n_points;
    r->params = calloc(k, sizeof *r->params);
    r->scheme = calloc(k, 1);
    r->lo = malloc(k * sizeof *r->lo);
    r->hi = malloc(k * sizeof *r->hi);
    r->min = malloc(k * sizeof *r->min);
    r->max = malloc(k * sizeof *r->max);
    r->current = malloc(k * sizeof *r->current);
    r->rec = malloc(DISCOVER_COLS * k * sizeof *r->rec);
    r->point_x = malloc(s.pts.n_points * k * sizeof *r->point_x);
    map = malloc(k * sizeof *map);
    if (!r->params || !r->scheme || !r->lo || !r->hi || !r->min || !r->max || !r->current ||
        !r->rec || !r->point_x || !map) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    r->n_points_x = s.pts.n_points;
    memcpy(r->point_x, s.pts.x, s.pts.n_points * k * sizeof *r->point_x);
    for (size_t j = 0; j < k; j++) {
        if (!(r->params[j] = strdup(s.pts.paths[j]))) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            goto out;
        }
        r->current[j] = o->current ? o->current[j] : NAN;
        r->min[j] = INFINITY;
        r->max[j] = -INFINITY;
        for (size_t p = 0; p < s.pts.n_points; p++) {
            double v = s.pts.x[p * k + j];
            r->min[j] = v < r->min[j] ? v : r->min[j];
            r->max[j] = v > r->max[j] ? v : r->max[j];
        }
        r->lo[j] = r->min[j];
        r->hi[j] = r->max[j];
    }
    for (size_t c = 0; c < o->n_scheme; c++) {
        size_t j = 0;
        while (j < k && strcmp(s.pts.paths[j], o->scheme[c]))
            j++;
        if (j == k) {
            rc = crc_err_set(err, CRC_EINPUT, "--scheme %s: not a swept parameter of %s "
                             "(it sweeps %s%s); name swept parameters only", o->scheme[c],
                             d->path, s.pts.paths[0], k > 1 ? ", ..." : "");
            goto out;
        }
        r->scheme[j] = 1;
    }
    for (size_t j = 0; j < k; j++) {
        if (!o->n_scheme)
            r->scheme[j] = (unsigned char)discover_is_scheme(s.pts.paths[j]);
        if (r->scheme[j])
            map[ks++] = j;
    }
    if (!ks) {
        rc = crc_err_set(err, CRC_EINPUT, "%s: no swept parameter is a scheme setting "
                         "(defense., emission., fees., staking., vesting., treasury., "
                         "rewards., token.); name the ones the designer controls with "
                         "--scheme", d->path);
        goto out;
    }
    xs = malloc(n * ks * sizeof *xs);
    ys = malloc(n);
    if (!xs || !ys) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < ks; c++)
            xs[i * ks + c] = s.x[i * k + map[c]];
        ys[i] = y_run[s.run[i]];
    }
    prim_data pd = {n, ks, xs, ys};
    if (prim_peel(&pd, o->alpha, o->min_mass, &t)) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    size_t best = t.n_boxes;
    r->best_p_lo = 0;
    for (size_t b = 0; b < t.n_boxes; b++) {
        stats_prop sp;
        stats_wilson(t.n_hit[b], t.n_in[b], o->level, &sp);
        r->best_p_lo = sp.lo > r->best_p_lo ? sp.lo : r->best_p_lo;
        if (sp.lo >= o->target && (best == t.n_boxes || t.n_in[b] > t.n_in[best]))
            best = b;
    }
    if (best == t.n_boxes) /* no safe region: r->found stays 0 */
        goto out;
    r->found = 1;
    for (size_t c = 0; c < ks; c++) {
        r->lo[map[c]] = t.lo[best * ks + c];
        r->hi[map[c]] = t.hi[best * ks + c];
    }
    r->box_runs = t.n_in[best];
    r->box_pass = t.n_hit[best];
    stats_prop sp;
    stats_wilson(r->box_pass, r->box_runs, o->level, &sp);
    r->p = sp.p;
    r->p_lo = sp.lo;
    r->p_hi = sp.hi;
    unsigned char *in = malloc(n);
    if (!in) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        in[i] = 1;
        for (size_t j = 0; j < k; j++)
            in[i] &= s.x[i * k + j] >= r->lo[j] && s.x[i * k + j] <= r->hi[j];
    }
    r->box_points = count_points(s.point, in, n);
    free(in);
    for (size_t j = 0; j < k; j++) {
        int integral = 1;
        for (size_t p = 0; p < s.pts.n_points && integral; p++)
            integral = s.pts.x[p * k + j] == floor(s.pts.x[p * k + j]);
        for (int c = 0; c < DISCOVER_COLS; c++)
            r->rec[c * k + j] = r->scheme[j]
                ? recommend(r->lo[j], r->hi[j], r->min[j], r->max[j], r->current[j],
                            discover_col_margins[c], integral)
                : NAN;
    }
out:
    prim_traj_free(&t);
    free(map);
    free(xs);
    free(ys);
    free(y_run);
    rows_free(&s);
    if (rc)
        discover_safe_free(r);
    return rc;
}

int discover_safe_fresh(discover_safe_result *r, size_t n_fresh, discover_eval_fn eval,
                        void *ctx, crc_err *err)
{
    if (!r->found || !n_fresh)
        return CRC_OK;
    size_t k = r->k;
    double *x = malloc(n_fresh * k * sizeof *x);
    int *hold = malloc(n_fresh * sizeof *hold);
    int rc = x && hold ? CRC_OK : crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (int c = 0; c < DISCOVER_COLS && !rc; c++) {
        for (size_t i = 0; i < n_fresh; i++) {
            size_t p = i * r->n_points_x / n_fresh;
            for (size_t j = 0; j < k; j++)
                x[i * k + j] =
                    r->scheme[j] ? r->rec[(size_t)c * k + j] : r->point_x[p * k + j];
            hold[i] = 0;
        }
        if ((rc = eval(ctx, (size_t)c, x, n_fresh, hold, err)))
            break;
        size_t pass = 0;
        for (size_t i = 0; i < n_fresh; i++)
            pass += hold[i] != 0;
        stats_prop sp;
        stats_wilson(pass, n_fresh, r->level, &sp);
        r->fresh_n[c] = n_fresh;
        r->fresh_pass[c] = pass;
        r->fresh_p[c] = sp.p;
        r->fresh_lo[c] = sp.lo;
        r->fresh_hi[c] = sp.hi;
    }
    free(x);
    free(hold);
    return rc;
}

/* Writes x as d's value reads in a scenario file (params_format_value), enum and bool
 * taken from the nearest whole number; NULL d: the number. */
static void value_text(const param_def *d, double x, char *buf, size_t len)
{
    if (!d || d->type == PT_DIST || d->type == PT_NUM) {
        params_format_number(x, buf, len);
        return;
    }
    crc_pvalue v;
    memset(&v, 0, sizeof v);
    v.x = round(x);
    params_format_value(d, &v, buf, len);
}

void discover_set_text(const char *path, double x, char *buf, size_t len)
{
    char v[128];
    value_text(params_find(path), x, v, sizeof v);
    snprintf(buf, len, "%s=%s", path, v);
}

void discover_value_text(const char *path, double x, char *buf, size_t len)
{
    const param_def *d = params_find(path);
    if (isnan(x))
        snprintf(buf, len, "%s", "");
    else if (d && (d->type == PT_ENUM || d->type == PT_BOOL))
        value_text(d, x, buf, len);
    else
        snprintf(buf, len, "%.4g", x);
}
