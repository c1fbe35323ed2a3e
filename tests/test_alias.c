/* test_alias.c — the alias table (engine/alias.h): every index gets exactly its share of
 * the cells' mass, zero weights are never drawn, and draws from a fixed seed pass a
 * chi-square test against the weights, at more than one set of weights. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "engine/alias.h"
#include "engine/pcg.h"

/* The probability the table gives index j: its own cell's keep share and the other
 * cells' rest that name it, each cell 1/n. */
static void check_exact(const float *w, uint32_t n)
{
    alias_table a = {0};
    cr_assert_eq(alias_build(&a, w, n), 0);
    cr_assert_eq(a.n, n);
    double total = 0;
    for (uint32_t j = 0; j < n; j++)
        total += w[j] > 0 ? w[j] : 0;
    cr_expect_float_eq(a.total, total, 1e-9 * total);
    double *mass = calloc(n, sizeof *mass);
    cr_assert_not_null(mass);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert(a.e[i].p >= 0 && a.e[i].p <= 1, "cell %u keeps %g", i, a.e[i].p);
        cr_assert_lt(a.e[i].alt, n);
        mass[i] += a.e[i].p / n;
        mass[a.e[i].alt] += (1.0 - a.e[i].p) / n;
    }
    for (uint32_t j = 0; j < n; j++) {
        double want = (w[j] > 0 ? w[j] : 0) / total;
        /* the keep shares are floats: 2^-24 relative each, a few cells per index */
        cr_expect(fabs(mass[j] - want) <= 1e-6 * want + 1e-7 / n,
                  "index %u: mass %.9g, weight share %.9g", j, mass[j], want);
        if (!(w[j] > 0))
            cr_expect_eq(mass[j], 0, "index %u of weight 0 has mass %g", j, mass[j]);
    }
    free(mass);
    alias_free(&a);
}

Test(alias, every_index_gets_its_weight_share_of_the_cells)
{
    const float w1[] = {1, 2, 3, 4};
    check_exact(w1, 4);
    const float w2[] = {0, 5, 0, 0.25f, 1e-6f, 7, 0, 3};
    check_exact(w2, 8);
    enum { N = 5000 };
    float *w3 = malloc(N * sizeof *w3);
    cr_assert_not_null(w3);
    for (uint32_t i = 0; i < N; i++) /* a heavy tail: 1/(i+1)^1.5, every tenth zero */
        w3[i] = i % 10 == 9 ? 0 : (float)pow(i + 1.0, -1.5);
    check_exact(w3, N);
    free(w3);
}

Test(alias, no_positive_weight_gives_an_empty_table)
{
    alias_table a = {0};
    const float w[] = {0, -1, NAN};
    cr_assert_eq(alias_build(&a, w, 3), 0);
    cr_expect_eq(a.n, 0);
    cr_expect_eq(a.total, 0);
    cr_assert_eq(alias_build(&a, w, 0), 0);
    cr_expect_eq(a.n, 0);
    alias_free(&a);
    alias_free(&a); /* a freed table frees again harmlessly */
}

/* n draws from a fixed seed, each a 53-bit uniform: the chi-square statistic over the
 * indices of positive weight against n w_j / total must not be improbably large. */
static void check_draws(const float *w, uint32_t k, uint64_t seed)
{
    alias_table a = {0};
    cr_assert_eq(alias_build(&a, w, k), 0);
    const size_t n = 2000000;
    size_t *count = calloc(k, sizeof *count);
    cr_assert_not_null(count);
    pcg32 g;
    pcg32_seed(&g, seed, 7);
    for (size_t d = 0; d < n; d++) {
        uint64_t x = (uint64_t)pcg32_next(&g) << 32 | pcg32_next(&g);
        double rest;
        uint32_t c = alias_cell(&a, (double)(x >> 11) * 0x1p-53, &rest);
        count[alias_resolve(&a, c, rest)]++;
    }
    double chi2 = 0;
    unsigned df = 0;
    for (uint32_t j = 0; j < k; j++) {
        if (!(w[j] > 0)) {
            cr_expect_eq(count[j], 0, "index %u of weight 0 drawn %zu times", j, count[j]);
            continue;
        }
        double e = n * (w[j] / a.total);
        chi2 += (count[j] - e) * (count[j] - e) / e;
        df++;
    }
    double q = gsl_cdf_chisq_Q(chi2, df - 1);
    cr_expect_gt(q, 1e-4, "seed %llu: chi-square %.1f on %u df (p = %.2g)",
                 (unsigned long long)seed, chi2, df - 1, q);
    free(count);
    alias_free(&a);
}

Test(alias, draws_follow_the_weights)
{
    const float w1[] = {1, 2, 3, 4};
    check_draws(w1, 4, 1);
    float w2[200];
    for (uint32_t i = 0; i < 200; i++) /* Gamma-like spread with zeros */
        w2[i] = i % 17 == 3 ? 0 : (float)(0.1 + (i * 37 % 101) / 10.0);
    check_draws(w2, 200, 2);
    check_draws(w2, 200, 3);
}
