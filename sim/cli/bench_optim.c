/*
 * bench_optim.c — `crucible bench optim`: the attack search's optimisers compared on noisy
 * test functions with known optima (see bench.h and docs/attack.md, "Choosing the
 * optimiser").
 *
 * For each objective (sphere, rosenbrock: opt_test_* in sim/attack/optim.h, minimum 0),
 * dimension, budget and method, --seeds searches run to the end of the budget on
 * f(x) + N(0, noise^2) (the noise drawn on its own PCG stream per seed). Reported, over
 * the seeds: the true (noise-free) value at the returned best told point and at the
 * method's incumbent (opt_incumbent: the distribution centre for cmaes/cem), as median
 * and quartiles; and how many told values it took until the best told point's true value
 * first fell to --tol (median over the seeds that got there, and how many did).
 * Nothing here is timed: the figures are about search quality, which the seed fixes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "attack/optim.h"
#include "cli/bench.h"
#include "engine/rng.h"

enum { BO_MAX_LIST = 8, BO_MAX_SEEDS = 1000 };

typedef struct bo_objective {
    const char *name;
    double (*f)(const double *x, size_t dim);
} bo_objective;

static const bo_objective bo_objectives[] = {
    {"sphere", opt_test_sphere},
    {"rosenbrock", opt_test_rosenbrock},
};

typedef struct bo_options {
    size_t seeds, n_dims, n_budgets, n_methods;
    size_t dims[BO_MAX_LIST], budgets[BO_MAX_LIST];
    opt_method methods[BO_MAX_LIST];
    size_t batch; /* 0: each method's default */
    double noise, tol;
    int json;
} bo_options;

/* One search's outcome. */
typedef struct bo_result {
    double best, centre; /* true values at the best told point and at the incumbent */
    size_t to_tol;       /* told values until the best's true value <= tol; 0: never */
    size_t rounds;       /* ask/tell rounds: wall-clock steps when a round runs in parallel */
} bo_result;

static int bo_run(const bo_options *op, const bo_objective *obj, opt_method m, size_t dim,
                  size_t budget, uint64_t seed, bo_result *res)
{
    opt_config c = {.method = m, .dim = dim, .seed = seed, .max_evals = budget,
                    .batch = op->batch};
    opt *o;
    crc_err err;
    if (opt_alloc(&o, &c, &err)) {
        fprintf(stderr, "crucible bench optim: %s\n", err.msg);
        return 1;
    }
    gsl_rng *noise = rng_stream_alloc(seed, 0, 0x6e6f697365ULL /* "noise" */);
    double *x = malloc(opt_batch_max(o) * dim * sizeof *x);
    double *v = malloc(opt_batch_max(o) * sizeof *v);
    double *xb = malloc(dim * sizeof *xb);
    int rc = 0;
    if (!noise || !x || !v || !xb) {
        fprintf(stderr, "crucible bench optim: out of memory\n");
        rc = 1;
        goto done;
    }
    res->to_tol = 0;
    res->rounds = 0;
    size_t n;
    while ((n = opt_ask(o, x)) > 0) {
        res->rounds++;
        for (size_t i = 0; i < n; i++)
            v[i] = obj->f(x + i * dim, dim) + gsl_ran_gaussian(noise, op->noise);
        if (opt_tell(o, v, n, &err)) {
            fprintf(stderr, "crucible bench optim: %s\n", err.msg);
            rc = 1;
            goto done;
        }
        if (res->to_tol == 0 && opt_best(o, xb, NULL) && obj->f(xb, dim) <= op->tol)
            res->to_tol = opt_evals(o);
    }
    opt_best(o, xb, NULL);
    res->best = obj->f(xb, dim);
    opt_incumbent(o, xb);
    res->centre = obj->f(xb, dim);
done:
    free(x);
    free(v);
    free(xb);
    gsl_rng_free(noise);
    opt_free(o);
    return rc;
}

/* Median and quartiles of a[0..n) (sorted in place). */
static void bo_quartiles(double *a, size_t n, double q[3])
{
    gsl_sort(a, 1, n);
    q[0] = gsl_stats_quantile_from_sorted_data(a, 1, n, 0.25);
    q[1] = gsl_stats_quantile_from_sorted_data(a, 1, n, 0.5);
    q[2] = gsl_stats_quantile_from_sorted_data(a, 1, n, 0.75);
}

/* Runs every seed of one cell and prints its row. */
static int bo_cell(const bo_options *op, const bo_objective *obj, opt_method m, size_t dim,
                   size_t budget, double *best, double *centre, double *reach, int *first)
{
    size_t reached = 0, rounds = 0;
    for (size_t s = 0; s < op->seeds; s++) {
        bo_result r;
        if (bo_run(op, obj, m, dim, budget, 1000 + s, &r))
            return 1;
        best[s] = r.best;
        rounds += r.rounds;
        centre[s] = r.centre;
        if (r.to_tol)
            reach[reached++] = (double)r.to_tol;
    }
    double qb[3], qc[3];
    bo_quartiles(best, op->seeds, qb);
    bo_quartiles(centre, op->seeds, qc);
    double reach_med = NAN;
    if (reached) {
        gsl_sort(reach, 1, reached);
        reach_med = gsl_stats_median_from_sorted_data(reach, 1, reached);
    }
    if (op->json) {
        printf("%s{\"objective\":\"%s\",\"dim\":%zu,\"budget\":%zu,\"method\":\"%s\","
               "\"best\":[%.6g,%.6g,%.6g],\"centre\":[%.6g,%.6g,%.6g],"
               "\"rounds\":%.1f,\"reached\":%zu,\"evals_to_tol\":",
               *first ? "" : ",", obj->name, dim, budget, opt_method_name(m), qb[0], qb[1],
               qb[2], qc[0], qc[1], qc[2], (double)rounds / (double)op->seeds, reached);
        if (reached)
            printf("%.0f}", reach_med);
        else
            printf("null}");
    } else {
        printf("| %-10s | %2zu | %4zu | %-6s | %5.0f | %9.3g [%8.3g, %8.3g] "
               "| %9.3g [%8.3g, %8.3g] | %3zu/%-3zu | ",
               obj->name, dim, budget, opt_method_name(m), (double)rounds / (double)op->seeds,
               qb[1], qb[0], qb[2], qc[1], qc[0], qc[2], reached, op->seeds);
        if (reached)
            printf("%6.0f |\n", reach_med);
        else
            printf("     - |\n");
    }
    *first = 0;
    return 0;
}

static void bo_usage(FILE *f)
{
    fprintf(f,
            "usage: crucible bench optim [--seeds N] [--dims 2,6,12] [--budgets 200,600]\n"
            "                            [--methods cmaes,nm,cem,random] [--noise SD]\n"
            "                            [--tol T] [--batch B] [--json]\n"
            "  Runs each method on the noisy sphere and Rosenbrock functions of\n"
            "  sim/attack/optim.h (minimum 0, additive N(0, SD^2) noise, default SD 0.01)\n"
            "  for N seeds (default 20) per dimension and budget, and prints the median\n"
            "  [quartiles] of the true value at the returned best and at the method's\n"
            "  incumbent, and the median number of evaluations until the best's true\n"
            "  value fell to T (default 0.01), with how many seeds got there. rounds is\n"
            "  the mean number of ask/tell rounds (wall-clock steps when each batch runs\n"
            "  on parallel workers). --batch B fixes every method's batch (default: each\n"
            "  method's own; nm runs B parallel simplex chains).\n");
}

/* Parses a comma-separated list of whole numbers in [lo, hi]. */
static int bo_parse_sizes(const char *opt_name, const char *s, size_t lo, size_t hi,
                          size_t *out, size_t *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || *p == '-' || errno || v < lo || v > hi || (*end && *end != ',') ||
            *n == BO_MAX_LIST) {
            fprintf(stderr,
                    "crucible bench optim: %s expects up to %d comma-separated whole "
                    "numbers in [%zu, %zu], got '%s'\n",
                    opt_name, BO_MAX_LIST, lo, hi, s);
            return -1;
        }
        out[(*n)++] = (size_t)v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) {
        fprintf(stderr, "crucible bench optim: %s is empty\n", opt_name);
        return -1;
    }
    return 0;
}

/* Parses one whole number in [lo, hi]. */
static int bo_parse_one(const char *opt_name, const char *s, size_t lo, size_t hi, size_t *out)
{
    size_t v[BO_MAX_LIST], n;
    if (bo_parse_sizes(opt_name, s, lo, hi, v, &n))
        return -1;
    if (n != 1) {
        fprintf(stderr, "crucible bench optim: %s takes one number, got '%s'\n", opt_name, s);
        return -1;
    }
    *out = v[0];
    return 0;
}

static int bo_parse_methods(const char *s, bo_options *op)
{
    char buf[256];
    if (strlen(s) >= sizeof buf) {
        fprintf(stderr, "crucible bench optim: --methods list too long\n");
        return -1;
    }
    strcpy(buf, s);
    op->n_methods = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        crc_err err;
        if (op->n_methods == BO_MAX_LIST ||
            opt_method_parse(t, &op->methods[op->n_methods], &err)) {
            fprintf(stderr, "crucible bench optim: --methods: %s\n",
                    op->n_methods == BO_MAX_LIST ? "too many methods" : err.msg);
            return -1;
        }
        op->n_methods++;
    }
    if (op->n_methods == 0) {
        fprintf(stderr, "crucible bench optim: --methods is empty\n");
        return -1;
    }
    return 0;
}

static int bo_parse_real(const char *opt_name, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.0 && v < 1e6)) {
        fprintf(stderr, "crucible bench optim: %s expects a number in [0, 1e6), got '%s'\n",
                opt_name, s);
        return -1;
    }
    *out = v;
    return 0;
}

int bench_optim(int argc, char **argv)
{
    bo_options op = {.seeds = 20, .n_dims = 3, .dims = {2, 6, 12}, .n_budgets = 2,
                     .budgets = {200, 600}, .n_methods = 4,
                     .methods = {OPT_CMAES, OPT_NM, OPT_CEM, OPT_RANDOM}, .noise = 0.01,
                     .tol = 0.01};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            bo_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            op.json = 1;
            continue;
        } else if (!v) {
            fprintf(stderr, "crucible bench optim: %s needs a value (see --help)\n", a);
            return 2;
        } else if (!strcmp(a, "--seeds")) {
            bad = bo_parse_one(a, v, 1, BO_MAX_SEEDS, &op.seeds);
        } else if (!strcmp(a, "--batch")) {
            bad = bo_parse_one(a, v, 1, 100000, &op.batch);
        } else if (!strcmp(a, "--dims")) {
            bad = bo_parse_sizes(a, v, 1, OPT_MAX_DIM, op.dims, &op.n_dims);
        } else if (!strcmp(a, "--budgets")) {
            bad = bo_parse_sizes(a, v, 1, 1000000, op.budgets, &op.n_budgets);
        } else if (!strcmp(a, "--methods")) {
            bad = bo_parse_methods(v, &op);
        } else if (!strcmp(a, "--noise")) {
            bad = bo_parse_real(a, v, &op.noise);
        } else if (!strcmp(a, "--tol")) {
            bad = bo_parse_real(a, v, &op.tol);
        } else {
            fprintf(stderr, "crucible bench optim: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        if (bad)
            return 2;
        i++;
    }
    double *best = malloc(op.seeds * sizeof *best), *centre = malloc(op.seeds * sizeof *centre);
    double *reach = malloc(op.seeds * sizeof *reach);
    int rc = 0, first = 1;
    if (!best || !centre || !reach) {
        fprintf(stderr, "crucible bench optim: out of memory\n");
        rc = 1;
        goto done;
    }
    if (op.json)
        printf("{\"benchmark\":\"optim\",\"seeds\":%zu,\"noise\":%g,\"tol\":%g,"
               "\"batch\":%zu,\"rows\":[",
               op.seeds, op.noise, op.tol, op.batch);
    else
        printf("noise sd %g, %zu seeds, tol %g, batch %zu (0: each method's default); "
               "true values, minimum 0\n\n"
               "| objective  |  d | budget | method | rounds | best: median [q1, q3]           "
               "| centre: median [q1, q3]         | reached | evals to tol |\n"
               "|---|---|---|---|---|---|---|---|---|\n",
               op.noise, op.seeds, op.tol, op.batch);
    for (size_t k = 0; k < sizeof bo_objectives / sizeof bo_objectives[0]; k++)
        for (size_t di = 0; di < op.n_dims; di++)
            for (size_t bi = 0; bi < op.n_budgets; bi++)
                for (size_t mi = 0; mi < op.n_methods && !rc; mi++)
                    rc = bo_cell(&op, &bo_objectives[k], op.methods[mi], op.dims[di],
                                 op.budgets[bi], best, centre, reach, &first);
    if (op.json)
        printf("]}\n");
done:
    free(best);
    free(centre);
    free(reach);
    return rc;
}
