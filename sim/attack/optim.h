/*
 * optim.h — derivative-free minimisers for noisy objectives on the unit box [0,1]^d,
 * driven by ask/tell so that the caller evaluates a whole batch of candidates at once
 * (in worker processes, with common random numbers) and the search path depends only on
 * the seed and the values told, never on how or where the batch was evaluated.
 *
 * The attack search (sim/attack/attack.c) maps the unit box onto the attacker's
 * parameter ranges (linear or log) and turns "maximise" into "minimise the negation".
 *
 *     opt_config c = { .method = OPT_CMAES, .dim = d, .seed = 7, .max_evals = 400 };
 *     opt *o; opt_alloc(&o, &c, &err);
 *     double *x = malloc(opt_batch_max(o) * d * sizeof *x), *f = ...;
 *     size_t n;
 *     while ((n = opt_ask(o, x)) > 0) {          // n candidates, row-major n x d
 *         for (i < n) f[i] = objective(x + i*d); // any order, any worker
 *         opt_tell(o, f, n, &err);
 *     }
 *     opt_best(o, xbest, &fbest);
 *     opt_free(o);
 *
 * Determinism: every random draw comes from one PCG stream derived from c->seed; the
 * same config and the same told values give the same candidates, bit for bit.
 * A candidate is always inside [0,1]^d (methods clip or reflect). Non-finite values
 * told are treated as +infinity (the worst), never as an error.
 *
 * Ownership: opt_alloc allocates; opt_free releases (NULL is a no-op). x0, when given,
 * is copied.
 *
 * The methods (details and references in optim.c; the benchmark that chose the default
 * is in docs/attack.md, "Choosing the optimiser"):
 *   cmaes   the default. batch = lambda = 4 + floor(3 ln dim) unless set; IPOP restarts
 *           double it (up to 16x) when the caller left batch at 0, and keep it otherwise.
 *   nm      batch = the number of independent simplex chains (default 1: sequential).
 *           Briefly switches GSL's error handler off (a process-wide setting) while it
 *           replays GSL's minimiser: do not drive two searches from two threads.
 *   cem     batch = the population (default 2 lambda); elite fraction 0.2.
 *   random  batch default lambda; the points of a randomly shifted Sobol sequence
 *           (x0 and sigma0 play no part).
 * cmaes and cem need a batch of at least 2 (CRC_EINPUT for 1).
 *
 * Noise. The caller averages replicates under common random numbers, so the told value
 * is the true objective plus noise. The population methods rank rather than compare
 * values, and recombine several ranked points, which averages the noise further; when it
 * dominates the differences within a population, CMA-ES's step size stops shrinking
 * instead of collapsing, so the search keeps exploring near the optimum's noise floor.
 * The smallest told value is a biased (lucky) estimate: the caller re-evaluates the best
 * on fresh replicates, and opt_incumbent offers the distribution's centre, which the
 * benchmark finds the more accurate of the two in 6 and 12 dimensions.
 */
#ifndef CRC_OPTIM_H
#define CRC_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef enum opt_method {
    OPT_CMAES = 0,   /* (mu/mu_w, lambda)-CMA-ES, IPOP restarts while budget remains (default) */
    OPT_NM = 1,      /* GSL's Nelder-Mead simplex (gsl_multimin nmsimplex2) with restarts */
    OPT_CEM = 2,     /* cross-entropy method, diagonal Gaussian, elite fraction          */
    OPT_RANDOM = 3   /* scrambled Sobol / uniform points: the baseline to beat           */
} opt_method;

typedef struct opt_config {
    opt_method method;
    size_t dim;          /* 1..OPT_MAX_DIM                                              */
    size_t batch;        /* candidates per ask (population); 0 = the method's default    */
    double sigma0;       /* initial spread in unit-box units; 0 = the default (0.3)      */
    const double *x0;    /* start point in [0,1]^dim; NULL = the centre                  */
    uint64_t seed;
    size_t max_evals;    /* the search ends after this many told values (>= 1)           */
} opt_config;

#define OPT_MAX_DIM 32

typedef struct opt opt;

/* CRC_EINPUT for a bad config (dim 0 or > OPT_MAX_DIM, max_evals 0, x0 outside the box,
 * unknown method); CRC_ENOMEM. */
int opt_alloc(opt **out, const opt_config *c, crc_err *err);
void opt_free(opt *o);

/* The largest n opt_ask can return: size x for opt_batch_max(o) * dim doubles. */
size_t opt_batch_max(const opt *o);

/* Writes the next batch of candidates (row-major, n x dim) into x and returns n; 0 when
 * the search is over (budget spent or converged). Between two asks, exactly one tell;
 * an ask while a batch is still pending (told nothing yet) writes that same batch again.
 * The batches never ask for more than max_evals candidates in all. */
size_t opt_ask(opt *o, double *x);

/* The objective values (to minimise) of the last batch, in ask order; n must equal
 * what opt_ask returned. CRC_EINPUT otherwise. */
int opt_tell(opt *o, const double *f, size_t n, crc_err *err);

/* The best candidate told so far and its value (the smallest told value; the caller
 * re-evaluates it on fresh replicates). Returns 0 before any tell, else 1. */
int opt_best(const opt *o, double *x, double *f);

/* The search's robust incumbent, for reporting progress under noise: for cmaes and cem
 * the centre of the distribution that drew the generation with the lowest median told
 * value (a median over a population is far less flattered by lucky noise than the single
 * smallest value); for nm and random, which have no distribution, the best told point.
 * Writes dim doubles into x; returns 0 when there is nothing yet, else 1. */
int opt_incumbent(const opt *o, double *x);

/* Told values so far. */
size_t opt_evals(const opt *o);

/* "cmaes", "nm", "cem", "random"; parse returns CRC_EINPUT for an unknown name. */
const char *opt_method_name(opt_method m);
int opt_method_parse(const char *name, opt_method *out, crc_err *err);

/* Mirrors v into [0,1] (period 2: 1.2 -> 0.8, -0.3 -> 0.3): how cmaes and cem keep
 * their samples in the box and how nm maps its unbounded simplex onto it. A mirrored
 * Gaussian keeps its mass near a wall instead of piling it on the wall, as clipping would. */
double opt_reflect01(double v);

/* Noise-free test objectives on [0,1]^dim with minimum 0, for the tests and
 * `crucible bench optim` (which add Gaussian noise to them):
 *   sphere:     10 sum_j (x_j - c_j)^2 with c_j = opt_test_sphere_optimum(j, dim)
 *               = 0.3 + 0.4 j / (dim - 1) (0.3 when dim = 1): off centre, one per axis;
 *   rosenbrock: sum_j [100 (u_{j+1} - u_j^2)^2 + (1 - u_j)^2] / 10 with u = 4x - 2, so the
 *               optimum is x_j = 0.75 (u = 1) at the end of a curved valley; 0 when dim = 1. */
double opt_test_sphere_optimum(size_t j, size_t dim);
double opt_test_sphere(const double *x, size_t dim);
double opt_test_rosenbrock(const double *x, size_t dim);

#endif
