/*
 * optim.c — derivative-free minimisers on the unit box, driven by ask/tell. See optim.h.
 *
 * The common part (this section) owns the budget, the pending batch, the best told
 * value and the random stream; each method supplies three hooks (ask, tell, free) and
 * sees only sanitised values (non-finite -> +inf). Candidates are clamped into [0,1]^d
 * here once more after the method wrote them, so a rounding slip in a method can never
 * put a point outside the box.
 */
#include "attack/optim.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "engine/rng.h"

/* The stream purpose of the optimiser ("optim" in ASCII): one stream per search. */
#define OPT_RNG_PURPOSE 0x6f7074696dULL

typedef struct opt_ops {
    /* Writes up to cap candidates (cap >= 1) into x; returns how many (0: converged). */
    size_t (*ask)(opt *o, double *x, size_t cap);
    /* The values of the batch just asked (sanitised), in ask order. */
    void (*tell)(opt *o, const double *x, const double *f, size_t n);
    void (*free)(opt *o);
} opt_ops;

struct opt {
    opt_config cfg;       /* cfg.x0 points at x0 below (or is NULL)                */
    size_t dim, batch_max;
    double sigma0;
    double *x0;           /* dim: the start point (the centre when none given)      */
    gsl_rng *rng;
    const opt_ops *ops;
    void *state;          /* the method's own state, freed by ops->free            */

    size_t evals;
    double *xb, *fb;      /* batch_max x dim: the pending batch; its values        */
    size_t pending;       /* candidates asked and not yet told (0: none)           */
    double *xbest;        /* dim */
    double fbest;
    int have_best;
};

/* ---- helpers shared by the methods -------------------------------------------------- */

static double clamp01(double v) { return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v; }

/* ---- random: a randomly shifted Sobol sequence ---------------------------------------- */

/* Sobol points (GSL, up to 40 dimensions) shifted by one uniform vector modulo 1
 * (a Cranley-Patterson rotation): the points keep the sequence's even coverage, and
 * different seeds give different, independent-looking designs. */
typedef struct random_state {
    gsl_qrng *q;
    double *shift; /* dim */
} random_state;

static size_t random_ask(opt *o, double *x, size_t cap)
{
    random_state *s = o->state;
    for (size_t i = 0; i < cap; i++) {
        double *xi = x + i * o->dim;
        gsl_qrng_get(s->q, xi);
        for (size_t j = 0; j < o->dim; j++) {
            double v = xi[j] + s->shift[j];
            xi[j] = v >= 1.0 ? v - 1.0 : v;
        }
    }
    return cap;
}

static void random_tell(opt *o, const double *x, const double *f, size_t n) {}

static void random_free(opt *o)
{
    random_state *s = o->state;
    if (!s)
        return;
    gsl_qrng_free(s->q);
    free(s->shift);
    free(s);
}

static const opt_ops random_ops = {random_ask, random_tell, random_free};

static int random_init(opt *o)
{
    random_state *s = calloc(1, sizeof *s);
    o->state = s;
    if (!s)
        return CRC_ENOMEM;
    s->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)o->dim);
    s->shift = malloc(o->dim * sizeof *s->shift);
    if (!s->q || !s->shift)
        return CRC_ENOMEM;
    for (size_t j = 0; j < o->dim; j++)
        s->shift[j] = gsl_rng_uniform(o->rng);
    if (o->cfg.batch == 0)
        o->cfg.batch = 4 + (size_t)floor(3.0 * log((double)o->dim));
    o->batch_max = o->cfg.batch;
    return CRC_OK;
}

/* ---- the common part -------------------------------------------------------------------- */

static const char *const method_names[] = {"cmaes", "nm", "cem", "random"};
enum { N_METHODS = sizeof method_names / sizeof method_names[0] };

const char *opt_method_name(opt_method m)
{
    return (unsigned)m < N_METHODS ? method_names[m] : "unknown";
}

int opt_method_parse(const char *name, opt_method *out, crc_err *err)
{
    for (size_t i = 0; name && i < N_METHODS; i++)
        if (!strcmp(name, method_names[i])) {
            *out = (opt_method)i;
            return CRC_OK;
        }
    return crc_err_set(err, CRC_EINPUT,
                       "unknown search method '%s'; expected one of cmaes, nm, cem, random",
                       name ? name : "(null)");
}

static int check_config(const opt_config *c, crc_err *err)
{
    if (c->dim < 1 || c->dim > OPT_MAX_DIM)
        return crc_err_set(err, CRC_EINPUT,
                           "the search has %zu dimensions; it takes 1 to %d parameters",
                           c->dim, OPT_MAX_DIM);
    if (c->max_evals < 1)
        return crc_err_set(err, CRC_EINPUT,
                           "the search needs a budget of at least 1 evaluation (max_evals)");
    if (!(c->sigma0 >= 0.0 && c->sigma0 <= 1.0))
        return crc_err_set(err, CRC_EINPUT,
                           "initial spread sigma0 = %g; expected a number in (0, 1] "
                           "(or 0 for the default 0.3)", c->sigma0);
    if ((unsigned)c->method >= N_METHODS)
        return crc_err_set(err, CRC_EINPUT,
                           "unknown search method %d; expected cmaes, nm, cem or random",
                           (int)c->method);
    if (c->batch > 100000)
        return crc_err_set(err, CRC_EINPUT,
                           "batch of %zu candidates; expected at most 100000 (0 = default)",
                           c->batch);
    for (size_t j = 0; c->x0 && j < c->dim; j++)
        if (!(c->x0[j] >= 0.0 && c->x0[j] <= 1.0))
            return crc_err_set(err, CRC_EINPUT,
                               "start point coordinate %zu is %g; every coordinate must be "
                               "in [0, 1]", j, c->x0[j]);
    return CRC_OK;
}

int opt_alloc(opt **out, const opt_config *c, crc_err *err)
{
    *out = NULL;
    int rc = check_config(c, err);
    if (rc)
        return rc;
    opt *o = calloc(1, sizeof *o);
    if (!o)
        return crc_err_set(err, CRC_ENOMEM, "out of memory allocating the search");
    o->cfg = *c;
    o->dim = c->dim;
    o->sigma0 = c->sigma0 > 0.0 ? c->sigma0 : 0.3;
    o->x0 = malloc(o->dim * sizeof *o->x0);
    o->xbest = malloc(o->dim * sizeof *o->xbest);
    o->rng = rng_stream_alloc(c->seed, 0, OPT_RNG_PURPOSE);
    if (!o->x0 || !o->xbest || !o->rng) {
        opt_free(o);
        return crc_err_set(err, CRC_ENOMEM, "out of memory allocating the search");
    }
    for (size_t j = 0; j < o->dim; j++)
        o->x0[j] = c->x0 ? c->x0[j] : 0.5;
    o->cfg.x0 = o->x0;

    switch (c->method) {
    case OPT_RANDOM:
        o->ops = &random_ops;
        rc = random_init(o);
        break;
    default:
        opt_free(o);
        return crc_err_set(err, CRC_EINPUT, "search method '%s' is not available yet; "
                           "use random", opt_method_name(c->method));
    }
    if (rc == CRC_OK && o->batch_max > c->max_evals)
        o->batch_max = c->max_evals;
    if (rc == CRC_OK) {
        o->xb = malloc(o->batch_max * o->dim * sizeof *o->xb);
        o->fb = malloc(o->batch_max * sizeof *o->fb);
        if (!o->xb || !o->fb)
            rc = CRC_ENOMEM;
    }
    if (rc) {
        opt_free(o);
        return rc == CRC_ENOMEM
                   ? crc_err_set(err, CRC_ENOMEM, "out of memory allocating the search")
                   : rc;
    }
    *out = o;
    return CRC_OK;
}

void opt_free(opt *o)
{
    if (!o)
        return;
    if (o->ops)
        o->ops->free(o);
    gsl_rng_free(o->rng);
    free(o->x0);
    free(o->xbest);
    free(o->xb);
    free(o->fb);
    free(o);
}

size_t opt_batch_max(const opt *o) { return o->batch_max; }

size_t opt_ask(opt *o, double *x)
{
    /* An ask without a tell since the last one repeats the pending batch. */
    if (o->pending == 0) {
        if (o->evals >= o->cfg.max_evals)
            return 0;
        size_t cap = o->cfg.max_evals - o->evals;
        if (cap > o->batch_max)
            cap = o->batch_max;
        size_t n = o->ops->ask(o, o->xb, cap);
        assert(n <= cap);
        for (size_t i = 0; i < n * o->dim; i++)
            o->xb[i] = clamp01(o->xb[i]);
        o->pending = n;
    }
    memcpy(x, o->xb, o->pending * o->dim * sizeof *x);
    return o->pending;
}

int opt_tell(opt *o, const double *f, size_t n, crc_err *err)
{
    if (o->pending == 0)
        return crc_err_set(err, CRC_EINPUT,
                           "opt_tell: %zu values told but no candidates are pending (ask first)",
                           n);
    if (n != o->pending)
        return crc_err_set(err, CRC_EINPUT,
                           "opt_tell: %zu values told for a batch of %zu candidates", n,
                           o->pending);
    for (size_t i = 0; i < n; i++) {
        double v = isfinite(f[i]) ? f[i] : INFINITY;
        o->fb[i] = v;
        if (!o->have_best || v < o->fbest) {
            o->have_best = 1;
            o->fbest = v;
            memcpy(o->xbest, o->xb + i * o->dim, o->dim * sizeof *o->xbest);
        }
    }
    o->evals += n;
    o->pending = 0;
    o->ops->tell(o, o->xb, o->fb, n);
    return CRC_OK;
}

int opt_best(const opt *o, double *x, double *f)
{
    if (!o->have_best)
        return 0;
    if (x)
        memcpy(x, o->xbest, o->dim * sizeof *x);
    if (f)
        *f = o->fbest;
    return 1;
}

size_t opt_evals(const opt *o) { return o->evals; }
