/* test_optim.c — the attack search's optimisers (sim/attack/optim.c) on their own.
 *
 * The contract (every method): candidates inside the box, the budget spent exactly,
 * the same seed and told values giving the same candidates bit for bit, non-finite
 * values treated as the worst, bad configs and bad tells rejected with CRC_EINPUT.
 * Convergence is asserted on noisy test functions with known optima, with tolerances
 * derived in the comment above each test. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <gsl/gsl_multimin.h>

#include "attack/optim.h"
#include "cli/bench.h"
#include "engine/rng.h"

/* ---- test functions ---------------------------------------------------------------------- */

typedef double (*objective)(const double *x, size_t d);
static double sphere(const double *x, size_t d) { return opt_test_sphere(x, d); }

/* Runs a search to the end on f + N(0, noise^2); returns the evaluations told. */
static size_t run_search(opt *o, objective f, size_t d, double noise, uint64_t noise_seed)
{
    gsl_rng *r = rng_stream_alloc(noise_seed, 0, 99);
    double *x = malloc(opt_batch_max(o) * d * sizeof *x);
    double *v = malloc(opt_batch_max(o) * sizeof *v);
    cr_assert(r && x && v);
    size_t n, total = 0;
    crc_err err;
    while ((n = opt_ask(o, x)) > 0) {
        cr_assert_leq(n, opt_batch_max(o));
        for (size_t i = 0; i < n; i++)
            v[i] = f(x + i * d, d) + (noise > 0 ? gsl_ran_gaussian(r, noise) : 0.0);
        cr_assert_eq(opt_tell(o, v, n, &err), CRC_OK, "%s", err.msg);
        total += n;
    }
    free(x);
    free(v);
    gsl_rng_free(r);
    return total;
}

static opt *make(opt_method m, size_t d, uint64_t seed, size_t max_evals)
{
    opt_config c = {.method = m, .dim = d, .seed = seed, .max_evals = max_evals};
    opt *o;
    crc_err err;
    cr_assert_eq(opt_alloc(&o, &c, &err), CRC_OK, "%s", err.msg);
    return o;
}

/* The candidate sequence of a whole search, as one array (for determinism checks);
 * each batch's values are computed last candidate first when `reverse`, as workers
 * finishing in another order would. */
static double *trace_order(opt_method m, size_t d, uint64_t seed, size_t max_evals, int reverse,
                           size_t *len)
{
    opt *o = make(m, d, seed, max_evals);
    double *all = malloc(max_evals * d * sizeof *all), *v = malloc(opt_batch_max(o) * sizeof *v);
    cr_assert(all && v);
    size_t n, k = 0;
    crc_err err;
    while ((n = opt_ask(o, all + k * d)) > 0) {
        for (size_t r = 0; r < n; r++) {
            size_t i = reverse ? n - 1 - r : r;
            v[i] = sphere(all + (k + i) * d, d);
        }
        cr_assert_eq(opt_tell(o, v, n, &err), CRC_OK);
        k += n;
    }
    opt_free(o);
    free(v);
    *len = k;
    return all;
}

static double *trace(opt_method m, size_t d, uint64_t seed, size_t max_evals, size_t *len)
{
    return trace_order(m, d, seed, max_evals, 0, len);
}

static const opt_method all_methods[] = {OPT_CMAES, OPT_NM, OPT_CEM, OPT_RANDOM};
enum { N_ALL = sizeof all_methods / sizeof all_methods[0] };

/* ---- the contract, every method ---------------------------------------------------------- */

Test(optim, same_seed_gives_identical_candidates)
{
    for (size_t k = 0; k < N_ALL; k++) {
        size_t la, lb, lc;
        double *a = trace(all_methods[k], 3, 11, 120, &la);
        double *b = trace(all_methods[k], 3, 11, 120, &lb);
        double *c = trace(all_methods[k], 3, 12, 120, &lc);
        cr_assert_eq(la, lb);
        cr_assert(!memcmp(a, b, la * 3 * sizeof *a), "%s: same seed, different candidates",
                  opt_method_name(all_methods[k]));
        cr_assert(la != lc || memcmp(a, c, la * 3 * sizeof *a),
                  "%s: seeds 11 and 12 gave the same candidates", opt_method_name(all_methods[k]));
        size_t lr;
        double *r = trace_order(all_methods[k], 3, 11, 120, 1, &lr);
        cr_assert(lr == la && !memcmp(a, r, la * 3 * sizeof *a),
                  "%s: evaluating a batch in another order changed the search",
                  opt_method_name(all_methods[k]));
        free(r);
        free(a);
        free(b);
        free(c);
    }
}

Test(optim, candidates_inside_box_and_budget_spent_exactly)
{
    for (size_t k = 0; k < N_ALL; k++)
        for (size_t d = 1; d <= 12; d += 11) {
            opt *o = make(all_methods[k], d, 5, 97);
            double *x = malloc(opt_batch_max(o) * d * sizeof *x);
            double *v = malloc(opt_batch_max(o) * sizeof *v);
            size_t n, total = 0;
            while ((n = opt_ask(o, x)) > 0) {
                for (size_t i = 0; i < n * d; i++)
                    cr_assert(x[i] >= 0.0 && x[i] <= 1.0, "%s d=%zu: coordinate %g",
                              opt_method_name(all_methods[k]), d, x[i]);
                /* optimum in a corner: pushes every method against the walls */
                for (size_t i = 0; i < n; i++) {
                    v[i] = 0;
                    for (size_t j = 0; j < d; j++)
                        v[i] += (x[i * d + j] + 0.5) * (x[i * d + j] + 0.5);
                }
                cr_assert_eq(opt_tell(o, v, n, NULL), CRC_OK);
                total += n;
            }
            cr_assert_leq(total, 97);
            cr_assert_eq(opt_evals(o), total);
            free(x);
            free(v);
            opt_free(o);
        }
}

Test(optim, best_is_smallest_told_value)
{
    for (size_t k = 0; k < N_ALL; k++) {
        size_t d = 2;
        opt *o = make(all_methods[k], d, 3, 60);
        double *x = malloc(opt_batch_max(o) * d * sizeof *x), *v = malloc(opt_batch_max(o) * sizeof *v);
        double xb[2], fb = INFINITY, xr[2], fr;
        cr_assert_eq(opt_best(o, xr, &fr), 0);
        size_t n;
        while ((n = opt_ask(o, x)) > 0) {
            for (size_t i = 0; i < n; i++) {
                v[i] = sphere(x + i * d, d);
                if (v[i] < fb) {
                    fb = v[i];
                    memcpy(xb, x + i * d, sizeof xb);
                }
            }
            opt_tell(o, v, n, NULL);
        }
        cr_assert_eq(opt_best(o, xr, &fr), 1);
        cr_assert_eq(fr, fb);
        cr_assert(!memcmp(xr, xb, sizeof xb));
        free(x);
        free(v);
        opt_free(o);
    }
}

Test(optim, non_finite_values_are_the_worst)
{
    for (size_t k = 0; k < N_ALL; k++) {
        size_t d = 2;
        opt *o = make(all_methods[k], d, 4, 80);
        double *x = malloc(opt_batch_max(o) * d * sizeof *x), *v = malloc(opt_batch_max(o) * sizeof *v);
        size_t n, b = 0;
        while ((n = opt_ask(o, x)) > 0) {
            /* every other value is NaN or -inf: a failed evaluation, never the best */
            for (size_t i = 0; i < n; i++, b++)
                v[i] = b % 2 ? (b % 4 == 1 ? NAN : -INFINITY) : sphere(x + i * d, d);
            cr_assert_eq(opt_tell(o, v, n, NULL), CRC_OK);
        }
        double fr;
        cr_assert_eq(opt_best(o, NULL, &fr), 1);
        cr_assert(isfinite(fr) && fr >= 0, "%s: best %g", opt_method_name(all_methods[k]), fr);
        free(x);
        free(v);
        opt_free(o);
    }
}

/* Every value non-finite: no method may abort (GSL's handler included), each spends its
 * budget, and the best is +inf. */
Test(optim, all_non_finite_values_spend_the_budget)
{
    for (size_t k = 0; k < N_ALL; k++) {
        opt *o = make(all_methods[k], 3, 4, 150);
        double *x = malloc(opt_batch_max(o) * 3 * sizeof *x), *v = malloc(opt_batch_max(o) * sizeof *v);
        size_t n, b = 0;
        while ((n = opt_ask(o, x)) > 0) {
            for (size_t i = 0; i < n; i++, b++)
                v[i] = b % 3 == 0 ? NAN : b % 3 == 1 ? INFINITY : -INFINITY;
            cr_assert_eq(opt_tell(o, v, n, NULL), CRC_OK);
        }
        cr_assert_eq(opt_evals(o), 150, "%s stopped after %zu", opt_method_name(all_methods[k]),
                     opt_evals(o));
        double fr;
        cr_assert_eq(opt_best(o, NULL, &fr), 1);
        cr_assert(isinf(fr) && fr > 0);
        free(x);
        free(v);
        opt_free(o);
    }
}

Test(optim, bad_configs_rejected)
{
    double bad_x0[2] = {0.5, 1.5};
    const opt_config bad[] = {
        {.method = OPT_RANDOM, .dim = 0, .max_evals = 10},
        {.method = OPT_RANDOM, .dim = OPT_MAX_DIM + 1, .max_evals = 10},
        {.method = OPT_RANDOM, .dim = 2, .max_evals = 0},
        {.method = OPT_RANDOM, .dim = 2, .max_evals = 10, .x0 = bad_x0},
        {.method = OPT_RANDOM, .dim = 2, .max_evals = 10, .sigma0 = -0.1},
        {.method = OPT_RANDOM, .dim = 2, .max_evals = 10, .sigma0 = NAN},
        {.method = (opt_method)17, .dim = 2, .max_evals = 10},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opt *o = (opt *)&o;
        crc_err err;
        crc_err_clear(&err);
        cr_assert_eq(opt_alloc(&o, &bad[i], &err), CRC_EINPUT, "config %zu accepted", i);
        cr_assert_null(o);
        cr_assert_gt(strlen(err.msg), 10, "config %zu: no message", i);
    }
}

Test(optim, tell_must_match_the_batch)
{
    opt *o = make(OPT_RANDOM, 2, 1, 50);
    double x[2 * 64], v[64] = {0};
    crc_err err;
    cr_assert_eq(opt_tell(o, v, 1, &err), CRC_EINPUT, "tell before any ask accepted");
    size_t n = opt_ask(o, x);
    cr_assert_gt(n, 1);
    cr_assert_eq(opt_tell(o, v, n - 1, &err), CRC_EINPUT, "short tell accepted");
    /* a second ask without a tell repeats the pending batch */
    double y[2 * 64];
    cr_assert_eq(opt_ask(o, y), n);
    cr_assert(!memcmp(x, y, n * 2 * sizeof *x));
    cr_assert_eq(opt_tell(o, v, n, &err), CRC_OK);
    cr_assert_eq(opt_evals(o), n);
    opt_free(o);
}

Test(optim, method_names_round_trip)
{
    const opt_method ms[] = {OPT_CMAES, OPT_NM, OPT_CEM, OPT_RANDOM};
    for (size_t i = 0; i < 4; i++) {
        opt_method m = OPT_CEM;
        cr_assert_eq(opt_method_parse(opt_method_name(ms[i]), &m, NULL), CRC_OK);
        cr_assert_eq(m, ms[i]);
    }
    opt_method m = OPT_CEM;
    crc_err err;
    cr_assert_eq(opt_method_parse("cma-es", &m, &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "cmaes"), "message does not list the methods: %s", err.msg);
    opt_free(NULL);
}

/* ---- random search ---------------------------------------------------------------------- */

/* A shifted Sobol design covers each coordinate evenly: the first 2^m points put one
 * point in each interval of width 2^-m (up to the one point that the sequence's
 * skipped origin and the shift's wrap-around move), so a coordinate's mean is within
 * about 2 / N of 1/2. Independent uniform points would miss that by ~0.29/sqrt(N)
 * = 0.018 for N = 256, nine times the tolerance: the test tells the two apart. */
Test(optim, random_points_cover_each_coordinate_evenly)
{
    size_t d = 5, N = 256;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        opt_config c = {.method = OPT_RANDOM, .dim = d, .seed = seed, .max_evals = N, .batch = N};
        opt *o;
        cr_assert_eq(opt_alloc(&o, &c, NULL), CRC_OK);
        double *x = malloc(N * d * sizeof *x);
        cr_assert_eq(opt_ask(o, x), N);
        for (size_t j = 0; j < d; j++) {
            double m = 0;
            for (size_t i = 0; i < N; i++)
                m += x[i * d + j] / (double)N;
            cr_expect_lt(fabs(m - 0.5), 3.0 / (double)N, "seed %llu coordinate %zu: mean %g",
                         (unsigned long long)seed, j, m);
        }
        free(x);
        opt_free(o);
    }
}

/* Independent uniform points put one within r = 0.1 of the 2-D sphere's optimum with
 * probability 1 - (1 - pi r^2)^N = 1 - 3e-4 for N = 256; Sobol points cover at least as
 * evenly. f <= 10 r^2 = 0.1 there, and the noise (sd 0.01, 256 draws) lowers the
 * smallest told value by at most ~4 sd = 0.04: best told <= 0.14 and best true <= 0.1
 * for every seed. */
Test(optim, random_finds_the_sphere_optimum_neighbourhood)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        opt *o = make(OPT_RANDOM, 2, seed, 256);
        cr_assert_eq(run_search(o, sphere, 2, 0.01, seed), 256);
        double x[2], f;
        cr_assert_eq(opt_best(o, x, &f), 1);
        cr_expect_leq(f, 0.14, "seed %llu: best told %g", (unsigned long long)seed, f);
        cr_expect_leq(sphere(x, 2), 0.1 + 0.08, "seed %llu: best true %g", (unsigned long long)seed, sphere(x, 2));
        opt_free(o);
    }
}

/* ---- CMA-ES ---------------------------------------------------------------------------- */

/* How many of `seeds` searches end with the incumbent's (and, separately, the best told
 * point's) true value within tol. */
static void count_within(opt_method m, objective f, size_t d, size_t budget, double noise,
                         double tol, size_t seeds, size_t *centre_ok, size_t *best_ok)
{
    *centre_ok = *best_ok = 0;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        opt *o = make(m, d, seed, budget);
        run_search(o, f, d, noise, 100 + seed);
        double x[OPT_MAX_DIM];
        cr_assert_eq(opt_incumbent(o, x), 1);
        double fc = f(x, d);
        opt_best(o, x, NULL);
        double fb = f(x, d);
        cr_log_info("%s d=%zu seed %llu: centre %.3g best %.3g (tol %.3g)\n", opt_method_name(m),
                    d, (unsigned long long)seed, fc, fb, tol);
        *centre_ok += fc <= tol;
        *best_ok += fb <= tol;
        opt_free(o);
    }
}

static double rosenbrock(const double *x, size_t d) { return opt_test_rosenbrock(x, d); }

/* Noisy sphere, noise sd s = 0.01. A (mu/mu_w, lambda)-ES on a noisy quadratic stalls
 * where the noise swamps the fitness differences in its population; its mean then sits
 * at f ~ s n / (4 mu c_{mu/mu,lambda}) (Beyer 2001, ch. 3; c ~ 0.8 for these lambda),
 * about 0.002 for n = 2 (mu = 3) and 0.005 for n = 6 (mu = 4). The tolerance s n / mu
 * is ~3x that level: a search that got to the optimum's noise floor passes, one stuck on
 * the way (f(centre) = 0.8 at the start for n = 2, 0.9 for n = 6) does not. Budgets:
 * 200 evaluations for n = 2, 600 for n = 6; at least 9 of 10 seeds. */
Test(optim, cmaes_reaches_noisy_sphere_optimum)
{
    const size_t dims[] = {2, 6}, budgets[] = {200, 600}, mus[] = {3, 4};
    for (size_t k = 0; k < 2; k++) {
        double s = 0.01, tol = s * (double)dims[k] / (double)mus[k];
        size_t centre_ok, best_ok;
        count_within(OPT_CMAES, sphere, dims[k], budgets[k], s, tol, 10, &centre_ok, &best_ok);
        cr_expect_geq(centre_ok, 9, "d=%zu: centre within %g in %zu of 10 seeds", dims[k], tol,
                      centre_ok);
        cr_expect_geq(best_ok, 9, "d=%zu: best within %g in %zu of 10 seeds", dims[k], tol,
                      best_ok);
    }
}

/* Noisy Rosenbrock, noise sd 0.001. Tolerance 0.01: 40x below the value of the local
 * minimum of the 6-D function (u ~ (-1, 1, ..., 1), f = 0.399), so a pass means the
 * global basin, and ~7x above the noise floor s n / mu of the test above (CMA-ES learns
 * the valley's metric, and the floor is invariant to it), so noise alone does not hold a
 * converged search out. f(centre) = 0.1 (n = 2) and 0.5 (n = 6) at the start. Budgets:
 * 600 for n = 2, 3000 for n = 6 (the noise-free 6-D search needs ~1700); 9 of 10 seeds. */
Test(optim, cmaes_reaches_noisy_rosenbrock_optimum)
{
    const size_t dims[] = {2, 6}, budgets[] = {600, 3000};
    for (size_t k = 0; k < 2; k++) {
        size_t centre_ok, best_ok;
        count_within(OPT_CMAES, rosenbrock, dims[k], budgets[k], 0.001, 0.01, 10, &centre_ok,
                     &best_ok);
        cr_expect_geq(centre_ok, 9, "d=%zu: centre within 0.01 in %zu of 10 seeds", dims[k],
                      centre_ok);
        cr_expect_geq(best_ok, 9, "d=%zu: best within 0.01 in %zu of 10 seeds", dims[k], best_ok);
    }
}

/* Without noise the distribution collapses onto the optimum (sigma * sqrt(max eig C)
 * < 1e-6); IPOP then restarts with twice the population: lambda = 6 for n = 2, so a
 * batch of 12 must appear, and later ones no larger than 6 * 2^4. */
Test(optim, cmaes_restarts_with_doubled_population)
{
    opt *o = make(OPT_CMAES, 2, 9, 4000);
    cr_assert_eq(opt_batch_max(o), 96);
    double x[2 * 96], v[96];
    size_t n, first = 0, seen12 = 0;
    while ((n = opt_ask(o, x)) > 0) {
        if (!first)
            first = n;
        seen12 |= n == 12;
        for (size_t i = 0; i < n; i++)
            v[i] = sphere(x + 2 * i, 2);
        opt_tell(o, v, n, NULL);
    }
    cr_assert_eq(first, 6);
    cr_assert(seen12, "no restart with lambda = 12 in 4000 evaluations");
    double f = INFINITY;
    cr_assert_eq(opt_best(o, NULL, &f), 1);
    cr_assert_lt(f, 1e-10);
    opt_free(o);
}

/* A batch fixed by the caller: every ask returns that many candidates (the last one what
 * the budget leaves), restarts included, and the whole budget is spent. Returns the best
 * told value on the noise-free sphere. */
static double check_fixed_batch(opt_method m, size_t d, size_t batch, size_t budget)
{
    opt_config c = {.method = m, .dim = d, .seed = 3, .max_evals = budget, .batch = batch};
    opt *o;
    cr_assert_eq(opt_alloc(&o, &c, NULL), CRC_OK);
    cr_assert_eq(opt_batch_max(o), batch);
    double *x = malloc(batch * d * sizeof *x), *v = malloc(batch * sizeof *v);
    size_t n, total = 0;
    while ((n = opt_ask(o, x)) > 0) {
        cr_assert_eq(n, total + batch <= budget ? batch : budget - total, "%s: batch of %zu",
                     opt_method_name(m), n);
        for (size_t i = 0; i < n; i++)
            v[i] = sphere(x + d * i, d);
        opt_tell(o, v, n, NULL);
        total += n;
    }
    cr_assert_eq(total, budget);
    double f = INFINITY;
    cr_assert_eq(opt_best(o, NULL, &f), 1);
    free(x);
    free(v);
    opt_free(o);
    return f;
}

/* With a batch fixed by the caller, CMA-ES keeps that population through its restarts. */
Test(optim, cmaes_keeps_a_fixed_batch)
{
    check_fixed_batch(OPT_CMAES, 3, 10, 3000);
    opt_config c = {.method = OPT_CMAES, .dim = 3, .seed = 2, .max_evals = 3000, .batch = 1};
    opt *o;
    crc_err err;
    cr_assert_eq(opt_alloc(&o, &c, &err), CRC_EINPUT);
    cr_assert(strstr(err.msg, "at least 2"), "%s", err.msg);
}

/* ---- Nelder-Mead and CEM --------------------------------------------------------------- */

typedef struct gsl_trace {
    double *pts;
    size_t n, cap;
} gsl_trace;

static double traced_sphere(const gsl_vector *u, void *p)
{
    gsl_trace *t = p;
    double x[3];
    for (size_t j = 0; j < 3; j++)
        x[j] = opt_reflect01(gsl_vector_get(u, j));
    if (t->n < t->cap)
        memcpy(t->pts + 3 * t->n, x, sizeof x);
    t->n++;
    return sphere(x, 3);
}

/* The ask/tell Nelder-Mead is GSL's nmsimplex2, call for call: its candidates equal the
 * points GSL's own synchronous minimiser evaluates from the same start and initial
 * simplex (read off the first d + 1 candidates), up to the first restart. */
Test(optim, nm_replays_gsl_nmsimplex2_exactly)
{
    enum { K = 200 };
    opt *o = make(OPT_NM, 3, 5, K);
    cr_assert_eq(opt_batch_max(o), 1);
    double *cand = malloc(K * 3 * sizeof *cand);
    size_t k = 0;
    while (opt_ask(o, cand + 3 * k) == 1) {
        double v = sphere(cand + 3 * k, 3);
        opt_tell(o, &v, 1, NULL);
        k++;
    }
    cr_assert_eq(k, K);

    gsl_trace t = {.pts = malloc(K * 3 * sizeof(double)), .cap = K};
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 3);
    gsl_vector *x = gsl_vector_alloc(3), *step = gsl_vector_alloc(3);
    for (size_t j = 0; j < 3; j++) {
        gsl_vector_set(x, j, 0.5); /* x0: the centre */
        gsl_vector_set(step, j, cand[3 * (j + 1) + j] - 0.5);
        cr_assert_neq(gsl_vector_get(step, j), 0.0);
    }
    gsl_multimin_function fn = {.f = traced_sphere, .n = 3, .params = &t};
    cr_assert_eq(gsl_multimin_fminimizer_set(m, &fn, x, step), GSL_SUCCESS);
    while (t.n < K && gsl_multimin_fminimizer_iterate(m) == GSL_SUCCESS &&
           gsl_multimin_fminimizer_size(m) >= 1e-4)
        ;
    size_t same = t.n < K ? t.n : K;
    cr_assert_gt(same, 50, "GSL converged after only %zu calls", same);
    for (size_t i = 0; i < same * 3; i++)
        cr_assert_eq(cand[i], t.pts[i], "call %zu coordinate %zu: ask/tell %.17g, GSL %.17g",
                     i / 3, i % 3, cand[i], t.pts[i]);
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(step);
    free(t.pts);
    free(cand);
    opt_free(o);
}

/* Without noise Nelder-Mead on the sphere converges until its simplex is smaller than
 * 1e-4 (then restarts there), where f <= 10 (1e-4)^2 x a few = O(1e-7). */
Test(optim, nm_converges_on_noise_free_sphere)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        opt *o = make(OPT_NM, 3, seed, 600);
        run_search(o, sphere, 3, 0.0, seed);
        double f = INFINITY;
        cr_assert_eq(opt_best(o, NULL, &f), 1);
        cr_expect_lt(f, 1e-6, "seed %llu: best %g", (unsigned long long)seed, f);
        opt_free(o);
    }
}

/* A batch of k runs k independent simplex chains: every ask returns k candidates. */
Test(optim, nm_batch_runs_parallel_chains)
{
    cr_assert_lt(check_fixed_batch(OPT_NM, 2, 4, 203), 1e-4);
}

/* The noisy 2-D sphere of cmaes_reaches_noisy_sphere_optimum, same bar (s n / mu =
 * 0.0067 with s = 0.01, 200 evaluations, 9 of 10 seeds), for the alternatives: the
 * benchmark compares them against CMA-ES, so they must at least work where it does. */
Test(optim, nm_and_cem_reach_noisy_sphere_optimum_in_2d)
{
    const opt_method ms[] = {OPT_NM, OPT_CEM};
    for (size_t k = 0; k < 2; k++) {
        size_t centre_ok, best_ok;
        count_within(ms[k], sphere, 2, 200, 0.01, 0.01 * 2.0 / 3.0, 10, &centre_ok, &best_ok);
        cr_expect_geq(centre_ok, 9, "%s: incumbent within tol in %zu of 10", opt_method_name(ms[k]),
                      centre_ok);
        cr_expect_geq(best_ok, 9, "%s: best within tol in %zu of 10", opt_method_name(ms[k]),
                      best_ok);
    }
}

/* ---- crucible bench optim ------------------------------------------------------------- */

static void redirect_out(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

/* One row per (objective, dimension, budget, method), and the same numbers on a rerun:
 * the benchmark is a function of its seeds. */
Test(optim, bench_prints_one_row_per_cell, .init = redirect_out)
{
    char *argv[] = {"optim", "--seeds", "3", "--dims", "2", "--budgets", "40,60",
                    "--methods", "cmaes,nm", "--json", NULL};
    cr_assert_eq(bench_optim(10, argv), 0);
    cr_assert_eq(bench_optim(10, argv), 0);
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    char *second = strstr(buf + 1, "{\"benchmark\"");
    cr_assert_not_null(second, "%s", buf);
    cr_assert_eq(strncmp(buf, second, (size_t)(second - buf)), 0, "reruns differ:\n%s", buf);
    size_t rows = 0;
    for (char *p = buf; p < second && (p = strstr(p, "\"objective\"")) && p < second; p++)
        rows++;
    cr_assert_eq(rows, 2 * 2 * 2, "2 objectives x 2 budgets x 2 methods, got %zu:\n%s", rows, buf);
}

Test(optim, bench_rejects_bad_options, .init = redirect_out)
{
    char *bad[][3] = {{"optim", "--seeds", "0"},        {"optim", "--dims", "2,x"},
                      {"optim", "--dims", "40"},        {"optim", "--methods", "cma"},
                      {"optim", "--noise", "-1"},       {"optim", "--budgets", ""},
                      {"optim", "--seeds", "3,4"},      {"optim", "--frobnicate", "1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(bench_optim(3, bad[i]), 2, "%s %s accepted", bad[i][1], bad[i][2]);
}
