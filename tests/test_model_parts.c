/* test_model_parts.c — pieces of the model checked on their own: the rate buckets that
 * drive contributions and queries (members picked in proportion to rate), the quality
 * formula, and the concentration statistics (Gini, HHI, Nakamoto) against closed
 * forms. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "model/world.h"

Test(model_parts, bucket_pick_is_proportional_to_rate)
{
    static wld_bucket bk[WLD_BUCKETS];
    memset(bk, 0, sizeof bk);
    /* Five members in one bucket [2, 2^(17/16)) and one far above. */
    const float rate[6] = {2.0f, 2.02f, 2.05f, 2.07f, 2.08f, 9.0f};
    uint16_t k[6];
    uint32_t pos[6];
    for (uint32_t i = 0; i < 6; i++)
        cr_assert_eq(wld_bucket_add(bk, i, rate[i], &k[i], &pos[i]), 0);
    cr_assert_eq(k[0], k[4]);
    cr_assert_neq(k[0], k[5]);
    gsl_rng *r = rng_stream_alloc(9, 0, 1);
    const int n = 400000;
    double count[5] = {0}, sum = 0;
    for (int i = 0; i < 5; i++)
        sum += rate[i];
    /* The records prefetched are ours: any array of 5 will do. */
    const double rec[5] = {0};
    for (int j = 0; j < n; j++) {
        uint32_t i = wld_bucket_pick(&bk[k[0]], r, rec, sizeof rec[0]);
        cr_assert(i < 5);
        count[i] += 1;
    }
    for (int i = 0; i < 5; i++) {
        double p = rate[i] / sum, se = sqrt(p * (1 - p) / n);
        cr_assert(fabs(count[i] / n - p) < 4 * se, "member %d: %.4f vs %.4f", i, count[i] / n, p);
    }
    cr_assert_float_eq(bk[k[0]].rate, sum, 1e-5);
    /* Removing a member moves the last one into its place and keeps the rate sum; picks
     * made after it never return the removed member (the candidates drawn ahead are
     * discarded) and stay proportional to the remaining rates. */
    uint32_t moved = wld_bucket_remove(bk, k[1], pos[1]);
    cr_assert_eq(moved, 4);
    cr_assert_float_eq(bk[k[0]].rate, sum - rate[1], 1e-5);
    cr_assert_eq(bk[k[0]].n, 4);
    wld_bucket_rename(bk, k[0], pos[1], 1); /* the population moved member 4 to index 1 */
    double after[2] = {0};
    for (int j = 0; j < n; j++) {
        uint32_t i = wld_bucket_pick(&bk[k[0]], r, rec, sizeof rec[0]);
        cr_assert(i == 0 || i == 1 || i == 2 || i == 3, "picked %u", i);
        after[i == 1] += 1;
    }
    double p1 = rate[4] / (sum - rate[1]), se1 = sqrt(p1 * (1 - p1) / n);
    cr_assert(fabs(after[1] / n - p1) < 4 * se1, "moved member: %.4f vs %.4f", after[1] / n, p1);
    gsl_rng_free(r);
    for (int b = 0; b < WLD_BUCKETS; b++)
        free(bk[b].m);
}

Test(model_parts, bucket_of_brackets_the_rate)
{
    for (double x = 1e-6; x < 1e6; x *= 1.037) {
        int k = wld_bucket_of(x);
        cr_assert(x >= wld_bucket_lo(k) && x < wld_bucket_lo(k + 1), "rate %g in bucket %d", x, k);
    }
    /* Bounds are a geometric ladder: 16 buckets per doubling, from 2^-24. */
    cr_assert_eq(wld_bucket_lo(0), ldexp(1.0, -24));
    cr_assert_eq(wld_bucket_lo(16 * 24), 1.0);
    cr_assert_float_eq(wld_bucket_lo(16 * 24 + 8), sqrt(2.0), 1e-15);
    for (int k = 0; k + 1 < WLD_BUCKETS; k++)
        cr_assert(wld_bucket_lo(k + 1) > wld_bucket_lo(k));
    /* A rate exactly on a bound opens its bucket. */
    cr_assert_eq(wld_bucket_of(wld_bucket_lo(100)), 100);
}

Test(model_parts, quality_follows_the_formula)
{
    crc_params p;
    params_defaults(&p);
    cr_assert_float_eq(bld_quality(&p, 0, 0), 0, 1e-15);
    cr_assert_float_eq(bld_quality(&p, p.model_v_half, 0), p.model_q_max * (1 - exp(-1)), 1e-12);
    /* At pi = pi50 half the largest damage is done. */
    double clean = bld_quality(&p, 1e9, 0);
    cr_assert_float_eq(bld_quality(&p, 1e9, p.model_pi50), clean * (1 - p.model_damage / 2), 1e-12);
}

Test(model_parts, gini_hhi_and_nakamoto_match_closed_forms)
{
    double equal[4] = {2, 2, 2, 2};
    cr_assert_float_eq(met_gini(equal, 4), 0, 1e-12);
    double one[4] = {0, 5, 0, 0}; /* one holder of everything: (n - 1)/n */
    cr_assert_float_eq(met_gini(one, 4), 0.75, 1e-12);
    double lin[5] = {1, 2, 3, 4, 5}; /* 1..n: (n - 1)/(3n) */
    cr_assert_float_eq(met_gini(lin, 5), 4.0 / 15.0, 1e-12);
    const double h[4] = {1, 1, 2, 0};
    cr_assert_float_eq(met_hhi(h, 4), 0.25 * 0.25 * 2 + 0.5 * 0.5, 1e-12);
    double nk[5] = {10, 1, 1, 1, 1};       /* 10/14 > 1/2 */
    cr_assert_eq(met_nakamoto(nk, 5), 1);
    double nk2[4] = {1, 1, 1, 1};          /* needs 3 of 4 to exceed half */
    cr_assert_eq(met_nakamoto(nk2, 4), 3);
    double zero[3] = {0, 0, 0};
    cr_assert_eq(met_nakamoto(zero, 3), 0);
    cr_assert_float_eq(met_hhi(zero, 3), 0, 1e-15);
}

Test(model_parts, trailing_return_tracks_a_constant_stream)
{
    wld_acc a = {0, 0};
    for (int i = 0; i < 2000; i++)
        wld_acc_update(&a, 3.0, 2.0, 1.0, 30.0);
    cr_assert_float_eq(a.R, 3.0, 1e-9);
    cr_assert_float_eq(a.C, 2.0, 1e-9);
    cr_assert_float_eq(wld_acc_roi(&a), 0.5, 1e-9);
    wld_acc z = {0, 0};
    cr_assert_float_eq(wld_acc_roi(&z), 0, 0);
}
