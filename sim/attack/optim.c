/*
 * optim.c — derivative-free minimisers on the unit box, driven by ask/tell. See optim.h.
 *
 * The common part (at the end, from opt_method_name on) owns the budget, the pending
 * batch, the best told value and the random stream; each method (CMA-ES, cross-entropy,
 * Nelder-Mead, random, in that order above it) supplies four hooks (opt_ops) and sees
 * only sanitised values (non-finite -> +inf). Candidates are clamped into [0,1]^d once
 * more after the method wrote them, so a rounding slip in a method can never put a point
 * outside the box. Every draw comes from the one PCG stream o->rng, in an order fixed by
 * the sequence of asks and tells.
 */
#include "attack/optim.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_double.h>
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
    /* The method's robust incumbent (see opt_incumbent), NULL when it has none yet. */
    const double *(*incumbent)(const opt *o);
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

/* ---- reflection into the box, shared by the population methods ---------------------- */

double opt_reflect01(double v)
{
    double t = fmod(v, 2.0);
    if (t < 0.0)
        t += 2.0;
    return t > 1.0 ? 2.0 - t : t;
}

/* The centre a population was drawn around is the robust incumbent under noise: the
 * generation with the lowest median told value (a median over lambda draws, far less
 * flattered by lucky noise than a single smallest value) names it. */
typedef struct centre_track {
    double *x;     /* dim */
    double median; /* of the generation drawn around x */
    int have;
} centre_track;

static void centre_offer(centre_track *t, const double *centre, size_t dim,
                         const double *f, const size_t *order, size_t n)
{
    double med = n % 2 ? f[order[n / 2]] : 0.5 * (f[order[n / 2 - 1]] + f[order[n / 2]]);
    if (isnan(med))   /* inf - inf cannot happen (inf + inf = inf); kept for safety */
        med = INFINITY;
    if (!t->have || med < t->median) {
        t->have = 1;
        t->median = med;
        memcpy(t->x, centre, dim * sizeof *t->x);
    }
}

/* ---- CMA-ES ----------------------------------------------------------------------------- */

/* (mu/mu_w, lambda)-CMA-ES with Hansen's default parameters ("The CMA Evolution
 * Strategy: A Tutorial", 2016, table 1): rank-one and rank-mu covariance updates,
 * cumulative step-size adaptation, the h_sigma stall of the evolution path. Samples are
 * mirrored into the box and the mirrored points are what the update learns from, so the
 * mean (a convex combination of in-box points) stays in the box. IPOP: when the
 * distribution has collapsed (sigma * max sqrt(eig C) < 1e-6), is ill-conditioned
 * (cond C > 1e14) or its told values are flat, the search restarts from a uniform point
 * with sigma0 and, unless the caller fixed the batch, twice the population. */
enum { CMA_MAX_DOUBLINGS = 4 };

typedef struct cma_state {
    size_t n, lambda, mu, lambda_max;
    int fixed_batch;
    double *w, mueff, cs, ds, cc, c1, cmu, chin;
    double sigma;
    gsl_vector *m, *ps, *pc, *d, *tmp, *tmp2, *yw;
    gsl_matrix *c, *b, *work;
    gsl_eigen_symmv_workspace *eig;
    double *y;       /* lambda_max x n: the steps (x - m) / sigma of the pending batch */
    size_t *order;   /* lambda_max */
    size_t gen;      /* generations since the last (re)start */
    double flat_lo, flat_hi; /* range of told values over recent generations */
    size_t flat_gens;
    centre_track centre;
} cma_state;

static void cma_set_lambda(cma_state *s, size_t lambda)
{
    size_t n = s->n;
    double dn = (double)n;
    s->lambda = lambda;
    s->mu = lambda / 2;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < s->mu; i++) {
        s->w[i] = log(((double)lambda + 1.0) / 2.0) - log((double)i + 1.0);
        sum += s->w[i];
    }
    for (size_t i = 0; i < s->mu; i++) {
        s->w[i] /= sum;
        sum2 += s->w[i] * s->w[i];
    }
    double me = 1.0 / sum2;
    s->mueff = me;
    s->cs = (me + 2.0) / (dn + me + 5.0);
    s->ds = 1.0 + 2.0 * fmax(0.0, sqrt((me - 1.0) / (dn + 1.0)) - 1.0) + s->cs;
    s->cc = (4.0 + me / dn) / (dn + 4.0 + 2.0 * me / dn);
    s->c1 = 2.0 / ((dn + 1.3) * (dn + 1.3) + me);
    s->cmu = fmin(1.0 - s->c1, 2.0 * (me - 2.0 + 1.0 / me) / ((dn + 2.0) * (dn + 2.0) + me));
}

/* (Re)starts the distribution at x with spread sigma0 and the identity covariance. */
static void cma_start(opt *o, cma_state *s, const double *x)
{
    for (size_t j = 0; j < s->n; j++)
        gsl_vector_set(s->m, j, x[j]);
    s->sigma = o->sigma0;
    gsl_vector_set_zero(s->ps);
    gsl_vector_set_zero(s->pc);
    gsl_vector_set_all(s->d, 1.0);
    gsl_matrix_set_identity(s->c);
    gsl_matrix_set_identity(s->b);
    s->gen = 0;
    s->flat_gens = 0;
}

static size_t cma_ask(opt *o, double *x, size_t cap)
{
    cma_state *s = o->state;
    size_t n = s->n, k = cap < s->lambda ? cap : s->lambda;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < n; j++)
            gsl_vector_set(s->tmp, j, gsl_vector_get(s->d, j) * gsl_ran_gaussian(o->rng, 1.0));
        gsl_blas_dgemv(CblasNoTrans, 1.0, s->b, s->tmp, 0.0, s->tmp2); /* B D z */
        for (size_t j = 0; j < n; j++) {
            double mj = gsl_vector_get(s->m, j);
            double xj = opt_reflect01(mj + s->sigma * gsl_vector_get(s->tmp2, j));
            x[i * n + j] = xj;
            s->y[i * n + j] = (xj - mj) / s->sigma;
        }
    }
    return k;
}

/* Eigen-decomposes C into B diag(d^2) B^T (d clamped away from 0). */
static void cma_decompose(cma_state *s)
{
    size_t n = s->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) { /* symmetrise from the lower triangle */
            double v = gsl_matrix_get(s->c, i, j);
            gsl_matrix_set(s->c, j, i, v);
        }
    gsl_matrix_memcpy(s->work, s->c);
    gsl_eigen_symmv(s->work, s->tmp, s->b, s->eig);
    for (size_t j = 0; j < n; j++)
        gsl_vector_set(s->d, j, sqrt(fmax(gsl_vector_get(s->tmp, j), 1e-300)));
}

/* Whether the current run is spent: collapsed, ill-conditioned or flat. */
static int cma_spent(cma_state *s, const double *f)
{
    double dmax = gsl_vector_max(s->d), dmin = gsl_vector_min(s->d);
    double lo = f[s->order[0]], hi = f[s->order[s->lambda - 1]];
    if (s->flat_gens == 0 || lo < s->flat_lo)
        s->flat_lo = lo;
    if (s->flat_gens == 0 || hi > s->flat_hi)
        s->flat_hi = hi;
    s->flat_gens++;
    size_t window = 10 + (size_t)ceil(30.0 * (double)s->n / (double)s->lambda);
    int flat = 0;
    if (s->flat_gens >= window) {
        flat = s->flat_hi - s->flat_lo <= 1e-12 * fmax(1.0, fabs(s->flat_lo));
        s->flat_gens = 0;
    }
    return s->sigma * dmax < 1e-6 || dmax > 1e7 * dmin || flat;
}

static void cma_tell(opt *o, const double *x, const double *f, size_t nb)
{
    cma_state *s = o->state;
    size_t n = s->n;
    if (nb < s->lambda) /* the budget's last, short batch: nothing left to learn for */
        return;
    gsl_sort_index(s->order, f, 1, s->lambda);
    centre_offer(&s->centre, gsl_vector_const_ptr(s->m, 0), n, f, s->order, s->lambda);

    /* m <- sum w_i x_(i); y_w = (m_new - m_old) / sigma = sum w_i y_(i) */
    gsl_vector_set_zero(s->yw);
    for (size_t i = 0; i < s->mu; i++)
        for (size_t j = 0; j < n; j++)
            *gsl_vector_ptr(s->yw, j) += s->w[i] * s->y[s->order[i] * n + j];
    gsl_vector_set_zero(s->m);
    for (size_t i = 0; i < s->mu; i++)
        for (size_t j = 0; j < n; j++)
            *gsl_vector_ptr(s->m, j) += s->w[i] * x[s->order[i] * n + j];

    /* p_sigma <- (1 - c_s) p_sigma + sqrt(c_s (2 - c_s) mu_eff) C^{-1/2} y_w */
    gsl_blas_dgemv(CblasTrans, 1.0, s->b, s->yw, 0.0, s->tmp);
    for (size_t j = 0; j < n; j++)
        gsl_vector_set(s->tmp, j, gsl_vector_get(s->tmp, j) / gsl_vector_get(s->d, j));
    gsl_blas_dgemv(CblasNoTrans, 1.0, s->b, s->tmp, 0.0, s->tmp2);
    gsl_blas_dscal(1.0 - s->cs, s->ps);
    gsl_blas_daxpy(sqrt(s->cs * (2.0 - s->cs) * s->mueff), s->tmp2, s->ps);

    double psn = gsl_blas_dnrm2(s->ps);
    s->gen++;
    double hsig_lhs = psn / sqrt(1.0 - pow(1.0 - s->cs, 2.0 * (double)s->gen)) / s->chin;
    int hsig = hsig_lhs < 1.4 + 2.0 / ((double)n + 1.0);

    /* p_c <- (1 - c_c) p_c + h_sigma sqrt(c_c (2 - c_c) mu_eff) y_w */
    gsl_blas_dscal(1.0 - s->cc, s->pc);
    if (hsig)
        gsl_blas_daxpy(sqrt(s->cc * (2.0 - s->cc) * s->mueff), s->yw, s->pc);

    /* C <- (1 - c1 - cmu + (1 - h) c1 c_c (2 - c_c)) C + c1 p_c p_c^T + cmu sum w_i y_i y_i^T
     * (lower triangle; cma_decompose symmetrises) */
    double keep = 1.0 - s->c1 - s->cmu + (hsig ? 0.0 : s->c1 * s->cc * (2.0 - s->cc));
    gsl_matrix_scale(s->c, keep);
    gsl_blas_dsyr(CblasLower, s->c1, s->pc, s->c);
    for (size_t i = 0; i < s->mu; i++) {
        gsl_vector_view yi = gsl_vector_view_array(s->y + s->order[i] * n, n);
        gsl_blas_dsyr(CblasLower, s->cmu * s->w[i], &yi.vector, s->c);
    }

    /* sigma <- sigma exp((c_s / d_s) (|p_sigma| / E|N(0,I)| - 1)), at most a unit spread */
    s->sigma *= exp((s->cs / s->ds) * (psn / s->chin - 1.0));
    cma_decompose(s);
    double dmax = gsl_vector_max(s->d);
    if (s->sigma * dmax > 1.0)
        s->sigma = 1.0 / dmax;

    if (cma_spent(s, f)) {
        double *start = s->y; /* scratch: the steps are used up */
        for (size_t j = 0; j < n; j++)
            start[j] = gsl_rng_uniform(o->rng);
        if (!s->fixed_batch && 2 * s->lambda <= s->lambda_max)
            cma_set_lambda(s, 2 * s->lambda);
        cma_start(o, s, start);
    }
}

static void cma_free(opt *o)
{
    cma_state *s = o->state;
    if (!s)
        return;
    gsl_vector_free(s->m);
    gsl_vector_free(s->ps);
    gsl_vector_free(s->pc);
    gsl_vector_free(s->d);
    gsl_vector_free(s->tmp);
    gsl_vector_free(s->tmp2);
    gsl_vector_free(s->yw);
    gsl_matrix_free(s->c);
    gsl_matrix_free(s->b);
    gsl_matrix_free(s->work);
    if (s->eig)
        gsl_eigen_symmv_free(s->eig);
    free(s->w);
    free(s->y);
    free(s->order);
    free(s->centre.x);
    free(s);
}

static const double *cma_incumbent(const opt *o)
{
    const cma_state *s = o->state;
    return s->centre.have ? s->centre.x : NULL;
}

static const opt_ops cma_ops = {cma_ask, cma_tell, cma_free, cma_incumbent};

static size_t cma_default_lambda(size_t n) { return 4 + (size_t)floor(3.0 * log((double)n)); }

static int cma_init(opt *o, crc_err *err)
{
    size_t n = o->dim;
    if (o->cfg.batch == 1)
        return crc_err_set(err, CRC_EINPUT, "cmaes needs a population (batch) of at least 2");
    cma_state *s = calloc(1, sizeof *s);
    o->state = s;
    if (!s)
        return CRC_ENOMEM;
    s->n = n;
    s->fixed_batch = o->cfg.batch != 0;
    size_t lambda0 = s->fixed_batch ? o->cfg.batch : cma_default_lambda(n);
    s->lambda_max = s->fixed_batch ? lambda0 : lambda0 << CMA_MAX_DOUBLINGS;
    s->chin = sqrt((double)n) * (1.0 - 1.0 / (4.0 * (double)n) + 1.0 / (21.0 * (double)n * (double)n));
    s->w = malloc(s->lambda_max / 2 * sizeof *s->w);
    s->y = malloc(s->lambda_max * n * sizeof *s->y);
    s->order = malloc(s->lambda_max * sizeof *s->order);
    s->centre.x = malloc(n * sizeof *s->centre.x);
    s->m = gsl_vector_alloc(n);
    s->ps = gsl_vector_alloc(n);
    s->pc = gsl_vector_alloc(n);
    s->d = gsl_vector_alloc(n);
    s->tmp = gsl_vector_alloc(n);
    s->tmp2 = gsl_vector_alloc(n);
    s->yw = gsl_vector_alloc(n);
    s->c = gsl_matrix_alloc(n, n);
    s->b = gsl_matrix_alloc(n, n);
    s->work = gsl_matrix_alloc(n, n);
    s->eig = gsl_eigen_symmv_alloc(n);
    if (!s->w || !s->y || !s->order || !s->centre.x || !s->m || !s->ps || !s->pc || !s->d ||
        !s->tmp || !s->tmp2 || !s->yw || !s->c || !s->b || !s->work || !s->eig)
        return CRC_ENOMEM;
    cma_set_lambda(s, lambda0);
    cma_start(o, s, o->x0);
    o->batch_max = s->lambda_max;
    return CRC_OK;
}

/* ---- cross-entropy method ---------------------------------------------------------------- */

/* Diagonal Gaussian N(m, diag(s^2)); each generation draws lambda points (mirrored into
 * the box), keeps the elite fraction CEM_RHO with the lowest told values and moves
 * (m, s) toward the elites' mean and standard deviation with smoothing CEM_ALPHA
 * (de Boer et al. 2005): m <- a mean_e + (1 - a) m, s <- a sd_e + (1 - a) s. The smoothing
 * slows the collapse of s that otherwise freezes CEM early, more so under noise. When s
 * has collapsed (max s < 1e-6) the search restarts from a uniform point with sigma0. */
#define CEM_RHO 0.2
#define CEM_ALPHA 0.7

typedef struct cem_state {
    size_t lambda, elite;
    double *m, *s;  /* dim */
    size_t *order;  /* lambda */
    centre_track centre;
} cem_state;

static size_t cem_ask(opt *o, double *x, size_t cap)
{
    cem_state *s = o->state;
    size_t n = o->dim, k = cap < s->lambda ? cap : s->lambda;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < n; j++)
            x[i * n + j] = opt_reflect01(s->m[j] + s->s[j] * gsl_ran_gaussian(o->rng, 1.0));
    return k;
}

static void cem_tell(opt *o, const double *x, const double *f, size_t nb)
{
    cem_state *s = o->state;
    size_t n = o->dim;
    if (nb < s->lambda)
        return;
    gsl_sort_index(s->order, f, 1, s->lambda);
    centre_offer(&s->centre, s->m, n, f, s->order, s->lambda);
    double smax = 0;
    for (size_t j = 0; j < n; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < s->elite; i++)
            mean += x[s->order[i] * n + j] / (double)s->elite;
        for (size_t i = 0; i < s->elite; i++) {
            double e = x[s->order[i] * n + j] - mean;
            var += e * e / (double)s->elite;
        }
        s->m[j] = CEM_ALPHA * mean + (1.0 - CEM_ALPHA) * s->m[j];
        s->s[j] = CEM_ALPHA * sqrt(var) + (1.0 - CEM_ALPHA) * s->s[j];
        smax = fmax(smax, s->s[j]);
    }
    if (smax < 1e-6)
        for (size_t j = 0; j < n; j++) {
            s->m[j] = gsl_rng_uniform(o->rng);
            s->s[j] = o->sigma0;
        }
}

static void cem_free(opt *o)
{
    cem_state *s = o->state;
    if (!s)
        return;
    free(s->m);
    free(s->s);
    free(s->order);
    free(s->centre.x);
    free(s);
}

static const double *cem_incumbent(const opt *o)
{
    const cem_state *s = o->state;
    return s->centre.have ? s->centre.x : NULL;
}

static const opt_ops cem_ops = {cem_ask, cem_tell, cem_free, cem_incumbent};

static int cem_init(opt *o, crc_err *err)
{
    if (o->cfg.batch == 1)
        return crc_err_set(err, CRC_EINPUT, "cem needs a population (batch) of at least 2");
    cem_state *s = calloc(1, sizeof *s);
    o->state = s;
    if (!s)
        return CRC_ENOMEM;
    size_t n = o->dim;
    s->lambda = o->cfg.batch ? o->cfg.batch : 2 * cma_default_lambda(n);
    s->elite = (size_t)ceil(CEM_RHO * (double)s->lambda);
    if (s->elite < 2)
        s->elite = 2;
    s->m = malloc(n * sizeof *s->m);
    s->s = malloc(n * sizeof *s->s);
    s->order = malloc(s->lambda * sizeof *s->order);
    s->centre.x = malloc(n * sizeof *s->centre.x);
    if (!s->m || !s->s || !s->order || !s->centre.x)
        return CRC_ENOMEM;
    for (size_t j = 0; j < n; j++) {
        s->m[j] = o->x0[j];
        s->s[j] = o->sigma0;
    }
    o->batch_max = s->lambda;
    return CRC_OK;
}

/* ---- Nelder-Mead: GSL's nmsimplex2, made ask/tell by replay ------------------------------- */

/* GSL's minimiser calls f synchronously, but the caller evaluates candidates in batches
 * elsewhere. So each ask replays GSL's Nelder-Mead from the chain's start on a fresh
 * minimiser, answering f from the table of values told so far, in call order (GSL is
 * deterministic, so the replay retraces the same path); the first call past the table is
 * the chain's next candidate, and the replay stops there (f answers NaN for the rest of
 * that GSL call, which is discarded). This costs O(L^2) objective look-ups for a chain of
 * L evaluations — microseconds per ask at attack-search budgets, against seconds per
 * simulated candidate. GSL's abort-on-error handler is switched off around the replay.
 *
 * The simplex works in unbounded coordinates u and the candidate is opt_reflect01(u), so
 * the box costs no penalty. A batch of k runs k independent chains (chain 0 from x0, the
 * others from uniform points). A chain whose simplex has shrunk below NM_TOL_SIZE, or
 * that GSL reports failing, restarts at its best vertex with a fresh simplex of spread sigma0 —
 * the classic remedy for Nelder-Mead's premature collapse, which noise makes common.
 * Each (re)start draws its simplex's step sizes and signs from the stream.
 * Told +inf is answered as DBL_MAX (the worst finite value: GSL rejects non-finite). */
#define NM_TOL_SIZE 1e-4

typedef struct nm_chain {
    double *start;  /* dim, in u coordinates */
    double *step;   /* dim: GSL's initial simplex is start + step_j e_j */
    double *vals;   /* told values in GSL's call order since the start */
    size_t n_vals, cap_vals;
} nm_chain;

typedef struct nm_state {
    size_t n_chains;
    nm_chain *chains;
    gsl_vector *x, *step;
    /* the replay in progress */
    const nm_chain *replaying;
    size_t calls;
    int stopped;
    double *cand; /* where the stopped replay writes its candidate (dim, in the box) */
} nm_state;

static double nm_f(const gsl_vector *u, void *params)
{
    nm_state *s = params;
    if (s->stopped)
        return NAN;
    if (s->calls < s->replaying->n_vals) {
        double v = s->replaying->vals[s->calls++];
        return isfinite(v) ? v : DBL_MAX;
    }
    for (size_t j = 0; j < u->size; j++)
        s->cand[j] = opt_reflect01(gsl_vector_get(u, j));
    s->stopped = 1;
    return NAN;
}

/* Replays chain c up to its first untold point, written into cand; returns 1 then.
 * Returns 0 when the chain is spent (converged or failed), with its best vertex in
 * best_u (dim). GSL allocation failure counts as spent at the start. */
static int nm_replay(opt *o, nm_state *s, const nm_chain *c, double *cand, double *best_u)
{
    size_t n = o->dim;
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n);
    memcpy(best_u, c->start, n * sizeof *best_u);
    if (!m)
        return 0;
    gsl_multimin_function fn = {.f = nm_f, .n = n, .params = s};
    s->replaying = c;
    s->calls = 0;
    s->stopped = 0;
    s->cand = cand;
    for (size_t j = 0; j < n; j++) {
        gsl_vector_set(s->x, j, c->start[j]);
        gsl_vector_set(s->step, j, c->step[j]);
    }

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_multimin_fminimizer_set(m, &fn, s->x, s->step);
    while (!s->stopped && status == GSL_SUCCESS) {
        status = gsl_multimin_fminimizer_iterate(m);
        if (!s->stopped && status == GSL_SUCCESS &&
            gsl_multimin_fminimizer_size(m) < NM_TOL_SIZE)
            break;
    }
    gsl_set_error_handler(old);

    int found = s->stopped;
    if (!found && status == GSL_SUCCESS) /* converged: restart where it ended */
        for (size_t j = 0; j < n; j++)
            best_u[j] = gsl_vector_get(gsl_multimin_fminimizer_x(m), j);
    gsl_multimin_fminimizer_free(m);
    return found;
}

/* (Re)starts chain c at u with a fresh initial simplex: steps of sigma0 x U(0.75, 1.25)
 * with random signs, so that seeds differ even from the same start point. */
static void nm_restart(opt *o, nm_chain *c, const double *u)
{
    memcpy(c->start, u, o->dim * sizeof *u);
    for (size_t j = 0; j < o->dim; j++) {
        double mag = o->sigma0 * (0.75 + 0.5 * gsl_rng_uniform(o->rng));
        c->step[j] = gsl_rng_uniform(o->rng) < 0.5 ? -mag : mag;
    }
    c->n_vals = 0;
}

static size_t nm_ask(opt *o, double *x, size_t cap)
{
    nm_state *s = o->state;
    size_t n = o->dim, k = cap < s->n_chains ? cap : s->n_chains;
    double best_u[OPT_MAX_DIM];
    for (size_t i = 0; i < k; i++) {
        nm_chain *c = &s->chains[i];
        if (!nm_replay(o, s, c, x + i * n, best_u)) {
            nm_restart(o, c, best_u);
            if (!nm_replay(o, s, c, x + i * n, best_u)) /* only if GSL cannot start */
                for (size_t j = 0; j < n; j++)
                    x[i * n + j] = opt_reflect01(c->start[j]);
        }
    }
    return k;
}

static void nm_tell(opt *o, const double *x, const double *f, size_t nb)
{
    nm_state *s = o->state;
    for (size_t i = 0; i < nb; i++) {
        nm_chain *c = &s->chains[i];
        if (c->n_vals == c->cap_vals) {
            size_t cap = c->cap_vals ? 2 * c->cap_vals : 64;
            double *v = realloc(c->vals, cap * sizeof *v);
            if (!v) /* cannot grow: this chain restarts from the told point instead */
            {
                nm_restart(o, c, x + i * o->dim);
                continue;
            }
            c->vals = v;
            c->cap_vals = cap;
        }
        c->vals[c->n_vals++] = f[i];
    }
}

static void nm_free(opt *o)
{
    nm_state *s = o->state;
    if (!s)
        return;
    for (size_t i = 0; s->chains && i < s->n_chains; i++) {
        free(s->chains[i].start);
        free(s->chains[i].step);
        free(s->chains[i].vals);
    }
    free(s->chains);
    gsl_vector_free(s->x);
    gsl_vector_free(s->step);
    free(s);
}

static const double *nm_incumbent(const opt *o) { return NULL; }

static const opt_ops nm_ops = {nm_ask, nm_tell, nm_free, nm_incumbent};

static int nm_init(opt *o)
{
    nm_state *s = calloc(1, sizeof *s);
    o->state = s;
    if (!s)
        return CRC_ENOMEM;
    s->n_chains = o->cfg.batch ? o->cfg.batch : 1;
    s->chains = calloc(s->n_chains, sizeof *s->chains);
    s->x = gsl_vector_alloc(o->dim);
    s->step = gsl_vector_alloc(o->dim);
    if (!s->chains || !s->x || !s->step)
        return CRC_ENOMEM;
    for (size_t i = 0; i < s->n_chains; i++) {
        nm_chain *c = &s->chains[i];
        c->start = malloc(o->dim * sizeof *c->start);
        c->step = malloc(o->dim * sizeof *c->step);
        if (!c->start || !c->step)
            return CRC_ENOMEM;
        double u[OPT_MAX_DIM];
        for (size_t j = 0; j < o->dim; j++)
            u[j] = i == 0 ? o->x0[j] : gsl_rng_uniform(o->rng);
        nm_restart(o, c, u);
    }
    o->batch_max = s->n_chains;
    return CRC_OK;
}

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

static const double *random_incumbent(const opt *o) { return NULL; }

static const opt_ops random_ops = {random_ask, random_tell, random_free, random_incumbent};

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
    case OPT_CMAES:
        o->ops = &cma_ops;
        rc = cma_init(o, err);
        break;
    case OPT_CEM:
        o->ops = &cem_ops;
        rc = cem_init(o, err);
        break;
    case OPT_NM:
        o->ops = &nm_ops;
        rc = nm_init(o);
        break;
    case OPT_RANDOM:
        o->ops = &random_ops;
        rc = random_init(o);
        break;
    default:
        opt_free(o);
        return crc_err_set(err, CRC_EINPUT, "unknown search method %d", (int)c->method);
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

int opt_incumbent(const opt *o, double *x)
{
    const double *c = o->ops->incumbent(o);
    if (!c)
        return opt_best(o, x, NULL);
    memcpy(x, c, o->dim * sizeof *x);
    return 1;
}

/* ---- test objectives -------------------------------------------------------------------- */

double opt_test_sphere_optimum(size_t j, size_t dim)
{
    return dim > 1 ? 0.3 + 0.4 * (double)j / (double)(dim - 1) : 0.3;
}

double opt_test_sphere(const double *x, size_t dim)
{
    double s = 0;
    for (size_t j = 0; j < dim; j++) {
        double e = x[j] - opt_test_sphere_optimum(j, dim);
        s += e * e;
    }
    return 10.0 * s;
}

double opt_test_rosenbrock(const double *x, size_t dim)
{
    double s = 0;
    for (size_t j = 0; j + 1 < dim; j++) {
        double u = 4.0 * x[j] - 2.0, v = 4.0 * x[j + 1] - 2.0;
        s += 100.0 * (v - u * u) * (v - u * u) + (1.0 - u) * (1.0 - u);
    }
    return s / 10.0;
}
