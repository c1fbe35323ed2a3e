/* test_model_parts.c — pieces of the model checked on their own: the rate buckets that
 * drive contributions and queries (members picked in proportion to rate), the quality
 * formula, and the concentration statistics (Gini, HHI, Nakamoto) against closed
 * forms. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "model/pstream.h"
#include "model/world.h"

/* Picks n times from st and checks each of the members 0..nm-1 against its expected
 * share rate_i / Σ rate within 4 binomial standard errors. */
static void expect_proportional(pstream *st, gsl_rng *r, const float *rate, const int *in,
                                int nm, int n)
{
    double count[8] = {0}, sum = 0;
    for (int i = 0; i < nm; i++)
        sum += in[i] ? rate[i] : 0;
    const double rec[8] = {0}; /* the records prefetched: any array of nm will do */
    for (int j = 0; j < n; j++) {
        uint32_t i = pstream_pick(st, r, rec, sizeof rec[0]);
        cr_assert(i < (uint32_t)nm && in[i], "picked %u", i);
        count[i] += 1;
    }
    cr_assert_float_eq(st->rate, sum, 1e-5 * sum);
    for (int i = 0; i < nm; i++) {
        double p = in[i] ? rate[i] / sum : 0, se = sqrt(p * (1 - p) / n);
        cr_assert(fabs(count[i] / n - p) <= 4 * se, "member %d: %.4f vs %.4f", i, count[i] / n, p);
    }
}

Test(model_parts, stream_picks_members_in_proportion_to_rate)
{
    static pstream st; /* 768 buckets: too big for the stack of a test */
    memset(&st, 0, sizeof st);
    /* Five members in one bucket [2, 2^(17/16)), two in others far apart. */
    const float rate[7] = {2.0f, 2.02f, 2.05f, 2.07f, 2.08f, 9.0f, 0.01f};
    int in[7] = {1, 1, 1, 1, 1, 1, 1};
    uint16_t k[7];
    uint32_t pos[7];
    for (uint32_t i = 0; i < 7; i++)
        cr_assert_eq(pstream_add(&st, i, rate[i], 0, &k[i], &pos[i]), 0);
    cr_assert_eq(k[0], k[4]);
    cr_assert_neq(k[0], k[5]);
    cr_assert_neq(k[5], k[6]);
    cr_assert_eq(pstream_prepare(&st), 0);
    cr_assert_eq(st.n_live, 3);
    gsl_rng *r = rng_stream_alloc(9, 0, 1);
    expect_proportional(&st, r, rate, in, 7, 400000);
    /* The aux word of the next candidate is told ahead: with members whose aux is
     * 100 + their index, the next pick returns the member announced unless it rejects
     * its first candidate (probability <= 1 - 2^(-1/16) = 0.042 per pick). */
    static pstream st2;
    memset(&st2, 0, sizeof st2);
    for (uint32_t i = 0; i < 7; i++)
        cr_assert_eq(pstream_add(&st2, i, rate[i], 100 + i, &k[i], &pos[i]), 0);
    cr_assert_eq(pstream_prepare(&st2), 0);
    uint32_t aux;
    cr_assert_eq(pstream_next_aux(&st2, &aux), 0, "no candidate before the first pick");
    pstream_pick(&st2, r, NULL, 0);
    long told = 0, n2 = 100000;
    for (long j = 0; j < n2; j++) {
        cr_assert(pstream_next_aux(&st2, &aux));
        told += pstream_pick(&st2, r, NULL, 0) + 100 == aux;
    }
    cr_expect(told >= 0.958 * n2 - 4 * sqrt(0.042 * n2), "announced %ld of %ld", told, n2);
    pstream_free(&st2);
    /* Removing a member moves the last of its bucket into its place; picks after it
     * never return the removed member (the candidates drawn ahead are discarded) and
     * stay proportional to the remaining rates, before and after re-preparing. */
    uint32_t moved = pstream_remove(&st, k[1], pos[1]);
    cr_assert_eq(moved, 4);
    cr_assert_eq(st.bk[k[0]].n, 4);
    in[1] = 0;
    pstream_rename(&st, k[0], pos[1], 4); /* the population kept index 4 */
    cr_assert(st.dirty);
    expect_proportional(&st, r, rate, in, 7, 400000);
    cr_assert(!st.dirty, "a pick after a change re-prepares the stream");
    /* A member renamed while the stream is prepared is picked under its new name (the
     * picks read the stream's packed copy, which the rename updates too). */
    pstream_rename(&st, k[6], pos[6], 6000);
    cr_assert(!st.dirty);
    int renamed = 0;
    for (int j = 0; j < 100000; j++) {
        uint32_t i = pstream_pick(&st, r, NULL, 0);
        cr_assert_neq(i, 6);
        renamed += i == 6000;
    }
    cr_expect_gt(renamed, 0, "member 6 (rate 0.01 of 17.2) is picked about 58 times");
    /* An empty stream has rate 0 and picks nobody. */
    for (int i = 0; i < 7; i++)
        while (st.bk[k[i]].n > 0)
            pstream_remove(&st, k[i], 0);
    cr_assert_eq(pstream_prepare(&st), 0);
    cr_assert_eq(st.rate, 0);
    cr_assert_eq(pstream_pick(&st, r, NULL, 0), UINT32_MAX);
    gsl_rng_free(r);
    pstream_free(&st);
}

Test(model_parts, bucket_of_brackets_the_rate)
{
    for (double x = 1e-6; x < 1e6; x *= 1.037) {
        int k = pstream_bucket_of(x);
        cr_assert(x >= pstream_bucket_lo(k) && x < pstream_bucket_lo(k + 1), "rate %g in bucket %d",
                  x, k);
    }
    /* Bounds are a geometric ladder: 16 buckets per doubling, from 2^-24. */
    cr_assert_eq(pstream_bucket_lo(0), ldexp(1.0, -24));
    cr_assert_eq(pstream_bucket_lo(16 * 24), 1.0);
    cr_assert_float_eq(pstream_bucket_lo(16 * 24 + 8), sqrt(2.0), 1e-15);
    for (int k = 0; k + 1 < PSTREAM_BUCKETS; k++)
        cr_assert(pstream_bucket_lo(k + 1) > pstream_bucket_lo(k));
    /* A rate exactly on a bound opens its bucket. */
    cr_assert_eq(pstream_bucket_of(pstream_bucket_lo(100)), 100);
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

/* The logit choice through the guide table (wld_choose) against its definition: for
 * every x, the first option whose cut is >= x, found by a plain scan; and the cuts
 * against the logit probabilities, computed here from the utilities. A hand-built world
 * holds just what wld_listing_rebuild reads: 700 builders (some gone, some unlisted,
 * one with a utility far above the rest so that one option spans many guide cells) and
 * three tastes. */
Test(model_parts, guide_table_choice_is_the_first_option_past_u)
{
    enum { NB = 700, TASTES = 3 };
    static world w;
    memset(&w, 0, sizeof w);
    wld_baseline(&w.p);
    w.s.now = 40;
    uint8_t alive[NB], listed[NB];
    float Q[NB], price[NB];
    double bq[TASTES] = {2.0, 6.0, 0.5}, bp[TASTES] = {1.0, 0.2, 4.0};
    gsl_rng *r = rng_stream_alloc(7, 0, 1);
    for (int b = 0; b < NB; b++) {
        alive[b] = gsl_rng_uniform(r) < 0.9;
        listed[b] = gsl_rng_uniform(r) < 0.9;
        Q[b] = (float)gsl_rng_uniform(r);
        price[b] = (float)(0.01 + gsl_rng_uniform(r));
    }
    Q[123] = 1;
    price[123] = 0.01f;
    alive[123] = listed[123] = 1;
    w.bd = (wld_builders){.n = NB, .alive = alive, .listed = listed, .Q = Q, .price = price};
    w.ls.tastes = TASTES;
    w.ls.beta_q = bq;
    w.ls.beta_p = bp;
    cr_assert_eq(wld_listing_rebuild(&w), 0);
    const wld_listing *ls = &w.ls;
    uint32_t m = ls->m;
    cr_assert(m > 400 && m < NB, "m = %u", m);
    cr_assert_geq((1u << ls->gbits), m + 1);
    for (uint32_t k = 0; k < TASTES; k++) {
        const uint32_t *cut = ls->cut + (size_t)k * (m + 1);
        /* Cuts: cut_j - cut_{j-1} over 2^32 is option j's logit probability. */
        double u[NB + 1], umax = -INFINITY, sum = 0;
        for (uint32_t j = 0; j <= m; j++) {
            u[j] = j < m ? bq[k] * Q[ls->model[j]] - bp[k] * price[ls->model[j]]
                         : bq[k] * ls->q_inc - bp[k] * w.p.incumbent_price;
            umax = fmax(umax, u[j]);
        }
        for (uint32_t j = 0; j <= m; j++)
            sum += exp(u[j] - umax);
        cr_assert_eq(cut[m], UINT32_MAX);
        for (uint32_t j = 0; j <= m; j++) {
            double lo = j ? (double)cut[j - 1] + 1 : 0, width = (double)cut[j] + 1 - lo;
            cr_assert_float_eq(width / 4294967296.0, exp(u[j] - umax) / sum, 1e-9,
                               "taste %u option %u", k, j);
        }
        /* Choices: every cell's edges and the cuts' neighbours, then random x. */
        uint32_t xs[3 * NB + 3 * 1024 + 20000], nx = 0;
        unsigned sh = 32 - ls->gbits;
        for (uint64_t g = 0; g < (1u << ls->gbits); g++) {
            xs[nx++] = (uint32_t)(g << sh);
            xs[nx++] = (uint32_t)(((g + 1) << sh) - 1);
        }
        for (uint32_t j = 0; j < m; j++) {
            xs[nx++] = cut[j];
            xs[nx++] = cut[j] + 1;
        }
        for (int i = 0; i < 20000; i++)
            xs[nx++] = (uint32_t)gsl_rng_get(r);
        cr_assert_leq(nx, sizeof xs / sizeof *xs);
        for (uint32_t i = 0; i < nx; i++) {
            uint32_t want = 0;
            while (cut[want] < xs[i])
                want++;
            cr_assert_eq(wld_choose(ls, k, xs[i]), want, "taste %u x %u", k, xs[i]);
        }
    }
    free(w.ls.model); free(w.ls.row); free(w.ls.cut); free(w.ls.guide);
    gsl_rng_free(r);
}
