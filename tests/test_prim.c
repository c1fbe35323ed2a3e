/*
 * test_prim.c — PRIM (analysis/prim.h) on plain arrays: exact results on a hand-made
 * case, the quasi-p-value against a direct binomial computation, and a known box found
 * through label noise in 2, 5 and 10 dimensions.
 */
#include <math.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "engine/rng.h"
#include "prim.h"

Test(prim, peels_a_one_dimensional_tail_exactly)
{
    /* x = 0..19, cases x >= 15. alpha = 0.05 peels one case a step; the low end always
     * gives the denser box, so the trajectory walks up to [15, 19] and beyond. */
    double x[20];
    unsigned char y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i;
        y[i] = i >= 15;
    }
    prim_data d = {20, 1, x, y};
    prim_traj t;
    cr_assert_eq(prim_peel(&d, 0.05, 0.05, &t), 0);
    /* Boxes [b, 19] for b = 0..19 (down to one case = 0.05 of 20). */
    cr_assert_eq(t.n_boxes, 20);
    for (size_t b = 0; b < t.n_boxes; b++) {
        cr_expect_eq(t.lo[b], (double)b);
        cr_expect_eq(t.hi[b], 19.0);
        cr_expect_eq(t.n_in[b], 20 - b);
        cr_expect_eq(t.n_hit[b], b <= 15 ? 5 : 20 - b);
    }
    /* The rule: densest with coverage >= 0.8 (4 of 5 cases), ties to the larger box. */
    size_t c = prim_choose(&t, 0.8);
    cr_expect_eq(c, 15);
    double lo = t.lo[c], hi = t.hi[c];
    cr_assert_eq(prim_paste(&d, 0.05, &lo, &hi), 0);
    cr_expect_eq(lo, 15.0, "pasting x = 14 would lower the density");
    cr_expect_eq(hi, 19.0);
    size_t n_in, n_hit;
    prim_count(&d, &lo, &hi, 1, &n_in, &n_hit);
    cr_expect_eq(n_in, 5);
    cr_expect_eq(n_hit, 5);
    cr_expect(prim_restricts(&d, &lo, &hi, 0));
    prim_traj_free(&t);
}

Test(prim, pasting_grows_a_box_back_where_density_rises)
{
    /* Cases at x in [10, 19]; a box [12, 19] gains density by taking 10 and 11 back. */
    double x[20];
    unsigned char y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i;
        y[i] = i >= 10;
    }
    prim_data d = {20, 1, x, y};
    double lo = 12, hi = 19;
    cr_assert_eq(prim_paste(&d, 0.05, &lo, &hi), 0);
    /* Adding 11, then 10, keeps density 1 — not a rise; a rise needs a denser slice.
     * So the box stays as it is: pasting only accepts a strict gain. */
    cr_expect_eq(lo, 12.0);
    /* With a noisy box, pasting takes back a slice denser than the box. */
    y[12] = 0;
    y[13] = 0; /* box [12, 19]: 6/8 = 0.75; adding 11 (a case): 7/9 = 0.78 > 0.75 */
    cr_assert_eq(prim_paste(&d, 0.05, &lo, &hi), 0);
    cr_expect_eq(lo, 10.0, "took back 11 and then 10: %g", lo);
}

Test(prim, quasi_p_value_is_the_one_sided_binomial_tail)
{
    /* 2-D, 4 x 4 grid, one case per cell, cases: a == 3 (four of them) plus (0, 0). */
    double x[32];
    unsigned char y[16];
    for (int i = 0; i < 16; i++) {
        x[2 * i] = i / 4;
        x[2 * i + 1] = i % 4;
        y[i] = i / 4 == 3 || i == 0;
    }
    prim_data d = {16, 2, x, y};
    double lo[2] = {3, 0}, hi[2] = {3, 3};
    /* Box: 4 cells, 4 cases. Without the restriction on a: 16 cells, 5 cases: p = 5/16.
     * P(X >= 4), X ~ Bin(4, 5/16) = (5/16)^4. */
    double q = prim_quasi_p(&d, lo, hi, 0);
    cr_expect(fabs(q - gsl_cdf_binomial_Q(3, 5.0 / 16, 4)) < 1e-15, "%g", q);
    cr_expect(fabs(q - pow(5.0 / 16, 4)) < 1e-12, "%g", q);
    /* A box of 3 of 4 cases at a = 3 (b in 1..3) against the whole b range at a = 3:
     * p = 4/4 = 1, so P(X >= 3 | Bin(3, 1)) = 1. */
    double lo2[2] = {3, 1};
    cr_expect(fabs(prim_quasi_p(&d, lo2, hi, 1) - 1.0) < 1e-12);
    /* A second, denser-than-chance case: box a in [2, 3] with cases only at a = 3:
     * H = 4, T = 8; without a: p = 5/16. */
    y[4 * 2 + 1] = 1; /* (2, 1) too: H = 5 of T = 8; without a: 6/16 */
    double lo3[2] = {2, 0};
    cr_expect(fabs(prim_quasi_p(&d, lo3, hi, 0) - gsl_cdf_binomial_Q(4, 6.0 / 16, 8)) < 1e-15);
}

/* n cases uniform on [0, 1]^k; the true box is [0.2, 0.8] on the first q dimensions;
 * a case is of interest with probability 0.9 inside it and 0.03 outside (label noise). */
static void known_box(size_t n, size_t k, size_t q, uint64_t seed)
{
    const double blo = 0.2, bhi = 0.8, p_in = 0.9, p_out = 0.03, alpha = 0.05;
    double *x = malloc(n * k * sizeof *x);
    unsigned char *y = malloc(n);
    cr_assert(x && y);
    gsl_rng *g = rng_stream_alloc(seed, k, 0);
    size_t inside = 0;
    for (size_t i = 0; i < n; i++) {
        int in = 1;
        for (size_t j = 0; j < k; j++) {
            x[i * k + j] = gsl_rng_uniform(g);
            in &= j >= q || (x[i * k + j] >= blo && x[i * k + j] <= bhi);
        }
        inside += (size_t)in;
        y[i] = gsl_rng_uniform(g) < (in ? p_in : p_out);
    }
    gsl_rng_free(g);
    prim_data d = {n, k, x, y};
    prim_traj t;
    cr_assert_eq(prim_peel(&d, alpha, 0.05, &t), 0);
    /* The trajectory's density never decreases, its coverage never increases. */
    for (size_t b = 1; b < t.n_boxes; b++) {
        cr_expect((double)t.n_hit[b] * t.n_in[b - 1] >= (double)t.n_hit[b - 1] * t.n_in[b],
                  "density fell at box %zu", b);
        cr_expect(t.n_hit[b] <= t.n_hit[b - 1]);
    }
    size_t c = prim_choose(&t, 0.8);
    double *lo = malloc(k * sizeof *lo), *hi = malloc(k * sizeof *hi);
    for (size_t j = 0; j < k; j++) {
        lo[j] = t.lo[c * k + j];
        hi[j] = t.hi[c * k + j];
    }
    cr_assert_eq(prim_paste(&d, alpha, lo, hi), 0);
    /* Tolerance: peeling and pasting move a bound by slices of alpha of the box's
     * cases, about alpha of the dimension's range, so a bound is known to one slice;
     * and the edge is where a slice stops being denser than the box, a comparison whose
     * noise is that of a proportion over the cases in the box, of relative size
     * 1/sqrt(inside) (the range is 1). */
    double tol = alpha + 1.0 / sqrt((double)inside);
    for (size_t j = 0; j < k; j++) {
        if (j < q) {
            cr_expect(fabs(lo[j] - blo) < tol, "k=%zu dim %zu lo %.3f (tol %.3f)", k, j,
                      lo[j], tol);
            cr_expect(fabs(hi[j] - bhi) < tol, "k=%zu dim %zu hi %.3f (tol %.3f)", k, j,
                      hi[j], tol);
        } else {
            cr_expect(lo[j] < tol && hi[j] > 1 - tol,
                      "k=%zu: dim %zu is noise but the box is [%.3f, %.3f]", k, j, lo[j],
                      hi[j]);
        }
    }
    free(lo);
    free(hi);
    prim_traj_free(&t);
    free(x);
    free(y);
}

Test(prim, finds_a_known_box_in_two_dimensions)
{
    known_box(1000, 2, 2, 11);
    known_box(1000, 2, 2, 12);
}

Test(prim, finds_a_known_box_in_five_dimensions)
{
    known_box(2000, 5, 3, 21);
}

Test(prim, finds_a_known_box_in_ten_dimensions)
{
    known_box(3000, 10, 3, 31);
}
