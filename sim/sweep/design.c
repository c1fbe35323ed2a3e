/* design.c — sweep designs and their points. See design.h; layouts in docs/sweeps.md. */
#include "sweep/design.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

#include "engine/rng.h"

static const char *const kind_names[DESIGN_KIND_COUNT] = {"grid", "zip",   "random",
                                                          "lhs",  "sobol", "morris"};
static const char *const range_names[] = {"uniform", "loguniform", "normal"};

const char *design_kind_name(int kind)
{
    return kind >= 0 && kind < DESIGN_KIND_COUNT ? kind_names[kind] : NULL;
}

int design_kind_from_name(const char *name)
{
    for (int i = 0; i < DESIGN_KIND_COUNT; i++)
        if (!strcmp(name, kind_names[i]))
            return i;
    return -1;
}

const char *design_range_name(int range)
{
    return range >= 0 && range <= RANGE_NORMAL ? range_names[range] : NULL;
}

int design_range_from_name(const char *name)
{
    for (int i = 0; i <= RANGE_NORMAL; i++)
        if (!strcmp(name, range_names[i]))
            return i;
    return -1;
}

static int is_list_kind(int kind) { return kind == DESIGN_GRID || kind == DESIGN_ZIP; }

design_factor *design_add_factor(design *d, const param_def *param)
{
    design_factor *f = realloc(d->factors, (d->k + 1) * sizeof *f);
    if (!f)
        return NULL;
    d->factors = f;
    f = &d->factors[d->k++];
    memset(f, 0, sizeof *f);
    f->param = param;
    return f;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as exactly x: "0.05", not
 * "0.050000000000000003", and still exact. Not params_format_number: that one writes
 * whole numbers in plain notation (1e16 as 10000000000000000), and this text feeds the
 * sweep's hash, so changing it would make --resume refuse existing databases. */
static void fmt_num(double x, char *buf, size_t len)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Canonical text of a checked value: what params_format writes (numbers as short as
 * round-trips exactly), so that "5e-2" and "0.05" hash alike and the text reads back as
 * the same value. */
static void canonical_text(const param_def *p, const crc_pvalue *v, char *buf, size_t len)
{
    if (p->type == PT_NUM) {
        fmt_num(v->x, buf, len);
        return;
    }
    crc_params scratch;
    params_defaults(&scratch);
    params_assign(&scratch, p, v);
    params_format(&scratch, p, buf, len);
}

/* The value arrays have room for n_values rounded up to a power of two: they double
 * when full, so a long list costs O(n), not one realloc per value. */
static int push_value(design_factor *f, const crc_pvalue *v, crc_err *err)
{
    char buf[256];
    canonical_text(f->param, v, buf, sizeof buf);
    size_t nv = f->n_values;
    if (!(nv & (nv - 1))) {
        size_t cap = nv ? 2 * nv : 1;
        char **t = realloc(f->text, cap * sizeof *t);
        if (!t)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
        f->text = t;
        double *n = realloc(f->num, cap * sizeof *n);
        if (!n)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
        f->num = n;
    }
    char *s = strdup(buf);
    if (!s)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    f->text[f->n_values] = s;
    f->num[f->n_values] = f->param->type == PT_DIST ? NAN : v->x;
    f->n_values++;
    return CRC_OK;
}

int design_add_value(design_factor *f, const char *text, crc_err *err)
{
    crc_pvalue v;
    int rc = params_parse(f->param, text, &v, err);
    if (rc != CRC_OK)
        return rc;
    return push_value(f, &v, err);
}

int design_add_range_values(design_factor *f, double from, double to, long steps, int logscale,
                            crc_err *err)
{
    const param_def *p = f->param;
    if (p->type != PT_NUM && p->type != PT_INT)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: a {from, to, steps} range needs a numeric parameter; list the "
                           "values instead",
                           p->path);
    if (steps < 1)
        return crc_err_set(err, CRC_EINPUT, "%s: steps must be at least 1 (got %ld)", p->path,
                           steps);
    if ((unsigned long)steps > DESIGN_MAX_POINTS)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: %ld steps would make a design of at least %ld points; the "
                           "limit is %u (check steps)",
                           p->path, steps, steps, DESIGN_MAX_POINTS);
    if (steps == 1 && from != to)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: steps: 1 gives a single value; set from = to or steps >= 2",
                           p->path);
    if (logscale && !(from > 0 && to > 0))
        return crc_err_set(err, CRC_EINPUT,
                           "%s: a log range needs from and to > 0 (got %g and %g)", p->path, from,
                           to);
    for (long i = 0; i < steps; i++) {
        double s = steps == 1 ? 0 : (double)i / (double)(steps - 1);
        double x = logscale ? exp(log(from) + s * (log(to) - log(from))) : from + s * (to - from);
        /* Round to 15 significant digits, so that 0.1 * 3 is written 0.3 and the end
         * points are exactly from and to. */
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.15g", x);
        x = strtod(tmp, NULL);
        if (i == 0)
            x = from;
        if (i == steps - 1)
            x = to;
        if (p->type == PT_INT)
            x = round(x);
        crc_pvalue v = {x, {0, 0, 0}};
        int rc = params_check(p, &v, err);
        if (rc == CRC_OK)
            rc = push_value(f, &v, err);
        if (rc != CRC_OK)
            return rc;
    }
    return CRC_OK;
}

static size_t mul_sat(size_t a, size_t b)
{
    if (a && b > (size_t)-1 / a)
        return (size_t)-1;
    return a * b;
}

/* Number of points the design will have (saturating), without generating it. */
static size_t count_points(const design *d)
{
    switch (d->kind) {
    case DESIGN_GRID: {
        size_t n = 1;
        for (size_t j = 0; j < d->k; j++)
            n = mul_sat(n, d->factors[j].n_values);
        return n;
    }
    case DESIGN_ZIP: return d->k ? d->factors[0].n_values : 0;
    case DESIGN_RANDOM:
    case DESIGN_LHS: return d->samples;
    case DESIGN_SOBOL: return mul_sat(d->samples, d->k + 2);
    case DESIGN_MORRIS: return mul_sat(d->trajectories, d->k + 1);
    }
    return 0;
}

int design_check_room(const design *d, const design_factor *f, size_t more, crc_err *err)
{
    const char *kn = design_kind_name(d->kind);
    size_t n = f->n_values + more;
    if (d->kind == DESIGN_GRID)
        for (size_t j = 0; j < d->k; j++)
            if (&d->factors[j] != f && d->factors[j].n_values)
                n = mul_sat(n, d->factors[j].n_values);
    if (n <= DESIGN_MAX_POINTS)
        return CRC_OK;
    return crc_err_set(err, CRC_EINPUT,
                       "%s: %zu more values would make the %s design %s%zu points; the limit "
                       "is %u, checked before any value is generated (check steps)",
                       f->param->path, more, kn ? kn : "", n == (size_t)-1 ? "more than " : "",
                       n, DESIGN_MAX_POINTS);
}

int design_check_factor(const design *d, size_t j, crc_err *err)
{
    const char *kn = design_kind_name(d->kind);
    const design_factor *f = &d->factors[j];
    const param_def *p = f->param;
    if (is_list_kind(d->kind)) {
        if (f->n_values == 0)
            return crc_err_set(err, CRC_EINPUT, "%s: no values given", p->path);
        if (d->kind == DESIGN_ZIP && f->n_values != d->factors[0].n_values)
            return crc_err_set(err, CRC_EINPUT,
                               "zip design: %s has %zu values but %s has %zu; zip takes "
                               "the lists together, so they must have the same length",
                               p->path, f->n_values, d->factors[0].param->path,
                               d->factors[0].n_values);
        return CRC_OK;
    }
    if (p->type != PT_NUM && p->type != PT_INT)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: a %s design needs numeric parameters; use grid or zip for "
                           "booleans, choices and distributions",
                           p->path, kn);
    if (f->n_values)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: a %s design takes a range ({dist: uniform, min, max}), not "
                           "a list of values",
                           p->path, kn);
    if (f->range == RANGE_NORMAL) {
        if (!(f->b > 0) || !isfinite(f->a) || !isfinite(f->b))
            return crc_err_set(err, CRC_EINPUT,
                               "%s: a normal range needs a finite mean and sd > 0", p->path);
        if (d->kind == DESIGN_MORRIS)
            return crc_err_set(err, CRC_EINPUT,
                               "%s: Morris levels include 0 and 1, which a normal range "
                               "maps to infinity; use uniform or loguniform",
                               p->path);
        return CRC_OK;
    }
    if (!(f->a <= f->b) || !isfinite(f->a) || !isfinite(f->b))
        return crc_err_set(err, CRC_EINPUT, "%s: the range needs min <= max (got %g, %g)",
                           p->path, f->a, f->b);
    if (f->range == RANGE_LOGUNIFORM && !(f->a > 0))
        return crc_err_set(err, CRC_EINPUT, "%s: a loguniform range needs min > 0 (got %g)",
                           p->path, f->a);
    if (f->a < p->lo || f->b > p->hi)
        return crc_err_set(err, CRC_EINPUT,
                           "%s: the range [%g, %g] leaves the parameter's allowed values "
                           "[%g, %g]",
                           p->path, f->a, f->b, p->lo, p->hi);
    return CRC_OK;
}

int design_check(const design *d, crc_err *err)
{
    const char *kn = design_kind_name(d->kind);
    if (!kn)
        return crc_err_set(err, CRC_EINPUT,
                           "unknown design type; expected grid, zip, random, lhs, sobol or morris");
    if (d->k == 0)
        return crc_err_set(err, CRC_EINPUT, "the %s design names no parameters; add params:", kn);
    for (size_t j = 0; j < d->k; j++)
        for (size_t i = 0; i < j; i++)
            if (d->factors[i].param == d->factors[j].param)
                return crc_err_set(err, CRC_EINPUT, "%s appears twice in the design",
                                   d->factors[j].param->path);
    for (size_t j = 0; j < d->k; j++) {
        int rc = design_check_factor(d, j, err);
        if (rc != CRC_OK)
            return rc;
    }
    switch (d->kind) {
    case DESIGN_RANDOM:
    case DESIGN_LHS:
    case DESIGN_SOBOL:
        if (d->samples < 1)
            return crc_err_set(err, CRC_EINPUT, "the %s design needs samples: N with N >= 1",
                               kn);
        break;
    case DESIGN_MORRIS:
        if (d->trajectories < 1)
            return crc_err_set(err, CRC_EINPUT,
                               "the morris design needs trajectories: r with r >= 1");
        if (d->levels < 2 || d->levels % 2)
            return crc_err_set(err, CRC_EINPUT,
                               "the morris design needs an even number of levels >= 2 (got "
                               "%zu); 4 is usual",
                               d->levels);
        break;
    default: break;
    }
    if (d->kind == DESIGN_SOBOL && d->k > DESIGN_SOBOL_MAX_K)
        return crc_err_set(err, CRC_EINPUT,
                           "the sobol design has %zu parameters; GSL's Sobol sequence has 40 "
                           "dimensions and Saltelli sampling needs 2 per parameter, so at most "
                           "%d",
                           d->k, DESIGN_SOBOL_MAX_K);
    size_t n = count_points(d);
    if (n == 0)
        return crc_err_set(err, CRC_EINPUT, "the %s design has no points", kn);
    if (n > DESIGN_MAX_POINTS)
        return crc_err_set(err, CRC_EINPUT,
                           "the %s design would have %s%zu points; the limit is %u (check "
                           "steps and samples)",
                           kn, n == (size_t)-1 ? "more than " : "", n, DESIGN_MAX_POINTS);
    return CRC_OK;
}

/* Maps a unit coordinate to factor f's value: the range's inverse CDF, then the
 * registry's clamp, then rounding for integer parameters. */
static double map_unit(const design_factor *f, double u)
{
    double x;
    switch (f->range) {
    case RANGE_LOGUNIFORM: x = exp(log(f->a) + u * (log(f->b) - log(f->a))); break;
    case RANGE_NORMAL: {
        /* Keep u off 0 and 1, where the inverse CDF is infinite. */
        const double eps = 0x1p-40;
        double uu = u < eps ? eps : u > 1 - eps ? 1 - eps : u;
        x = f->a + f->b * gsl_cdf_ugaussian_Pinv(uu);
        break;
    }
    default: x = f->a + u * (f->b - f->a); break;
    }
    /* 15 significant digits: the value then prints short and reads back exactly. */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", x);
    x = strtod(tmp, NULL);
    if (x < f->param->lo)
        x = f->param->lo;
    if (x > f->param->hi)
        x = f->param->hi;
    if (f->param->type == PT_INT)
        x = round(x);
    return x;
}

static void gen_grid(design *d)
{
    size_t k = d->k;
    for (size_t i = 0; i < d->n_points; i++) {
        size_t rest = i;
        for (size_t jj = k; jj-- > 0;) { /* the last factor varies fastest */
            size_t nv = d->factors[jj].n_values;
            d->index[i * k + jj] = rest % nv;
            rest /= nv;
        }
    }
}

static void gen_zip(design *d)
{
    for (size_t i = 0; i < d->n_points; i++)
        for (size_t j = 0; j < d->k; j++)
            d->index[i * d->k + j] = i;
}

static void gen_random(design *d, gsl_rng *r)
{
    for (size_t i = 0; i < d->n_points * d->k; i++)
        d->unit[i] = gsl_rng_uniform(r);
}

static int gen_lhs(design *d, gsl_rng *r)
{
    size_t n = d->n_points, k = d->k;
    size_t *perm = malloc(n * sizeof *perm);
    if (!perm)
        return CRC_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(r, perm, n, sizeof *perm);
        for (size_t i = 0; i < n; i++)
            d->unit[i * k + j] = ((double)perm[i] + gsl_rng_uniform(r)) / (double)n;
    }
    free(perm);
    return CRC_OK;
}

static int gen_sobol(design *d)
{
    size_t k = d->k, n = d->samples;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    double *v = malloc(2 * k * sizeof *v);
    if (!q || !v) {
        gsl_qrng_free(q);
        free(v);
        return CRC_ENOMEM;
    }
    gsl_qrng_get(q, v); /* skip the origin: it maps normal ranges to -infinity */
    for (size_t s = 0; s < n; s++) {
        gsl_qrng_get(q, v);
        const double *a = v, *b = v + k;
        double *base = d->unit + s * (k + 2) * k;
        memcpy(base, a, k * sizeof *a);                    /* A_s            */
        for (size_t i = 1; i <= k; i++) {                  /* AB_i,s         */
            memcpy(base + i * k, a, k * sizeof *a);
            base[i * k + (i - 1)] = b[i - 1];
        }
        memcpy(base + (k + 1) * k, b, k * sizeof *b);      /* B_s            */
    }
    gsl_qrng_free(q);
    free(v);
    return CRC_OK;
}

static int gen_morris(design *d, gsl_rng *r)
{
    size_t k = d->k, p = d->levels;
    double step = 1.0 / (double)(p - 1);
    double *dir = malloc(k * sizeof *dir);
    if (!dir)
        return CRC_ENOMEM;
    d->delta = (double)p / (2.0 * (double)(p - 1));
    for (size_t t = 0; t < d->trajectories; t++) {
        double *x = d->unit + t * (k + 1) * k;
        size_t *order = d->order + t * k;
        for (size_t j = 0; j < k; j++) {
            /* Base level from the lower half, so that base + delta is still a level; a
             * factor that moves down starts delta higher. */
            size_t lvl = (size_t)gsl_rng_uniform_int(r, p / 2);
            dir[j] = gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0;
            x[j] = (double)lvl * step + (dir[j] < 0 ? d->delta : 0.0);
            order[j] = j;
        }
        gsl_ran_shuffle(r, order, k, sizeof *order);
        for (size_t s = 1; s <= k; s++) {
            double *prev = x + (s - 1) * k, *cur = x + s * k;
            memcpy(cur, prev, k * sizeof *cur);
            size_t j = order[s - 1];
            /* Snap to the level grid so that floating error never leaves [0,1]. */
            cur[j] = round((prev[j] + dir[j] * d->delta) * (double)(p - 1)) * step;
        }
    }
    free(dir);
    return CRC_OK;
}

int design_generate(design *d, uint64_t seed, crc_err *err)
{
    int rc = design_check(d, err);
    if (rc != CRC_OK)
        return rc;
    free(d->unit);
    free(d->value);
    free(d->index);
    free(d->order);
    d->unit = d->value = NULL;
    d->index = d->order = NULL;
    size_t n = count_points(d), k = d->k;
    d->n_points = n;
    d->value = malloc(n * k * sizeof *d->value);
    if (is_list_kind(d->kind))
        d->index = malloc(n * k * sizeof *d->index);
    else
        d->unit = malloc(n * k * sizeof *d->unit);
    if (d->kind == DESIGN_MORRIS)
        d->order = malloc(d->trajectories * k * sizeof *d->order);
    gsl_rng *r = rng_stream_alloc(seed, 0, DESIGN_PURPOSE);
    if (!d->value || (!d->index && !d->unit) || (d->kind == DESIGN_MORRIS && !d->order) || !r) {
        gsl_rng_free(r);
        return crc_err_set(err, CRC_ENOMEM, "out of memory generating %zu design points", n);
    }
    rc = CRC_OK;
    switch (d->kind) {
    case DESIGN_GRID: gen_grid(d); break;
    case DESIGN_ZIP: gen_zip(d); break;
    case DESIGN_RANDOM: gen_random(d, r); break;
    case DESIGN_LHS: rc = gen_lhs(d, r); break;
    case DESIGN_SOBOL: rc = gen_sobol(d); break;
    case DESIGN_MORRIS: rc = gen_morris(d, r); break;
    }
    gsl_rng_free(r);
    if (rc != CRC_OK)
        return crc_err_set(err, CRC_ENOMEM, "out of memory generating %zu design points", n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            const design_factor *f = &d->factors[j];
            d->value[i * k + j] = d->index ? f->num[d->index[i * k + j]]
                                           : map_unit(f, d->unit[i * k + j]);
        }
    return CRC_OK;
}

void design_text(const design *d, size_t i, size_t j, char *buf, size_t len)
{
    const design_factor *f = &d->factors[j];
    if (d->index) {
        snprintf(buf, len, "%s", f->text[d->index[i * d->k + j]]);
        return;
    }
    double x = d->value[i * d->k + j];
    if (f->param->type == PT_INT)
        snprintf(buf, len, "%.0f", x);
    else
        fmt_num(x, buf, len);
}

double design_value(const design *d, size_t i, size_t j) { return d->value[i * d->k + j]; }

/* A growable string for design_describe. */
typedef struct strbuf {
    char *s;
    size_t n, cap;
    int oom;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)w;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

char *design_describe(const design *d)
{
    strbuf b = {0};
    sb_printf(&b, "%s", design_kind_name(d->kind) ? design_kind_name(d->kind) : "?");
    switch (d->kind) {
    case DESIGN_RANDOM:
    case DESIGN_LHS:
    case DESIGN_SOBOL: sb_printf(&b, " samples=%zu", d->samples); break;
    case DESIGN_MORRIS:
        sb_printf(&b, " trajectories=%zu levels=%zu", d->trajectories, d->levels);
        break;
    default: break;
    }
    for (size_t j = 0; j < d->k; j++) {
        const design_factor *f = &d->factors[j];
        sb_printf(&b, "; %s=", f->param->path);
        if (is_list_kind(d->kind)) {
            sb_printf(&b, "[");
            for (size_t v = 0; v < f->n_values; v++)
                sb_printf(&b, "%s%s", v ? "," : "", f->text[v]);
            sb_printf(&b, "]");
        } else {
            char a[40], bb[40];
            fmt_num(f->a, a, sizeof a);
            fmt_num(f->b, bb, sizeof bb);
            sb_printf(&b, "%s(%s,%s)", design_range_name(f->range), a, bb);
        }
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

void design_free(design *d)
{
    if (!d)
        return;
    for (size_t j = 0; j < d->k; j++) {
        for (size_t v = 0; v < d->factors[j].n_values; v++)
            free(d->factors[j].text[v]);
        free(d->factors[j].text);
        free(d->factors[j].num);
    }
    free(d->factors);
    free(d->unit);
    free(d->value);
    free(d->index);
    free(d->order);
    memset(d, 0, sizeof *d);
}
