/* test_model_parts.c — pieces of the model checked on their own: the population
 * streams that drive contributions and queries (Poisson counts per member, uniform
 * times, events in time order), the quality
 * formula, and the concentration statistics (Gini, HHI, Nakamoto) against closed
 * forms. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "engine/rng.h"
#include "model/core/pstream.h"
#include "model/agents/agents.h"
#include "model/metrics.h"
#include "model/world/world.h"
#include "helpers.h"

/* Draws n_win windows [3, 5) of members with these rates, the way an owner does
 * (counts, then times, members in order), fires every window in order and checks it:
 * times in the window and nondecreasing, counts per member Poisson(rate · 2) (the
 * total within 4 standard errors, the dispersion s²/mean within 4 of its standard
 * error sqrt(2/(n_win − 1) + 1/(mean · n_win))), and the times of all windows uniform
 * (Kolmogorov–Smirnov D within its 1% critical value 1.63/sqrt(n)). */
Test(model_parts, stream_counts_are_poisson_and_times_uniform)
{
    static pstream st; /* 1024 slices: too big for the stack of a test */
    memset(&st, 0, sizeof st);
    const double rate[5] = {0.5, 2.0, 9.0, 0.0, 30.0};
    enum { NM = 5, NW = 2000 };
    gsl_rng *r = rng_stream_alloc(9, 0, 1);
    pcg32 *g = rng_pcg(r);
    double sum[NM] = {0}, sq[NM] = {0}, ks = 0;
    long total = 0;
    /* The fraction of all events so far whose time, as a fraction u of the window, is
     * below u: the empirical CDF is built from each window's ordered events. */
    static double u_all[NW * 90];
    for (int w = 0; w < NW; w++) {
        pstream_begin(&st, 3, 5);
        for (uint32_t i = 0; i < NM; i++)
            for (unsigned k = pstream_count(&st, r, rate[i]); k > 0; k--)
                cr_assert_eq(pstream_push(&st, pcg32_next(g), i, 7 * i), 0);
        cr_assert_eq(pstream_seal(&st), 0);
        double cnt[NM] = {0}, last = 3;
        for (const pstream_ev *e; (e = pstream_peek(&st)) != NULL;) {
            double t = pstream_time(&st, e);
            cr_assert(t >= last && t < 5, "time %.17g after %.17g", t, last);
            cr_assert_eq(e->aux, 7 * e->i);
            last = t;
            cnt[e->i] += 1;
            if (total < NW * 90)
                u_all[total] = (t - 3) / 2;
            total++;
            cr_assert_eq(pstream_advance(&st), 0);
        }
        for (int i = 0; i < NM; i++) {
            sum[i] += cnt[i];
            sq[i] += cnt[i] * cnt[i];
        }
    }
    for (int i = 0; i < NM; i++) {
        double mu = rate[i] * 2, mean = sum[i] / NW;
        if (mu == 0) {
            cr_assert_eq(sum[i], 0, "a member of rate 0 has no events");
            continue;
        }
        cr_assert(fabs(mean - mu) <= 4 * sqrt(mu / NW), "member %d: mean %g vs %g", i, mean, mu);
        double var = (sq[i] - NW * mean * mean) / (NW - 1);
        cr_assert(fabs(var / mu - 1) <= 4 * sqrt(2.0 / (NW - 1) + 1.0 / (mu * NW)),
                  "member %d: dispersion %g", i, var / mu);
    }
    long n = total < NW * 90 ? total : NW * 90;
    gsl_sort(u_all, 1, (size_t)n);
    for (long k = 0; k < n; k++) {
        double d1 = fabs((double)(k + 1) / n - u_all[k]), d0 = fabs((double)k / n - u_all[k]);
        ks = fmax(ks, fmax(d0, d1));
    }
    cr_assert(ks <= 1.63 / sqrt((double)n), "KS D = %g over %ld times", ks, n);
    gsl_rng_free(r);
    pstream_free(&st);
}

/* Events come out ordered by x, equal x in the order they were pushed, across slices
 * and within one; times stay below the window's end even where t0 + span·x/2^32
 * rounds up to it. */
Test(model_parts, stream_fires_in_time_order_and_ties_keep_their_order)
{
    static pstream st;
    memset(&st, 0, sizeof st);
    cr_assert_null(pstream_peek(&st), "a zeroed stream is empty");
    pstream_begin(&st, 0, 1);
    cr_assert_eq(pstream_seal(&st), 0);
    cr_assert_null(pstream_peek(&st), "a window with nothing drawn is empty");

    /* 200,000 events, x from a few thousand values spread over every slice, so most
     * keys are shared; aux is the order of pushing. */
    gsl_rng *r = rng_stream_alloc(3, 0, 2);
    pcg32 *g = rng_pcg(r);
    const uint32_t n = 200000;
    pstream_begin(&st, 10, 11);
    for (uint32_t k = 0; k < n; k++)
        cr_assert_eq(pstream_push(&st, (pcg32_next(g) % 4096u) << 20 | (k % 3u), k % 7u, k), 0);
    cr_assert_eq(pstream_push(&st, 0xffffffffu, 1, n), 0);
    cr_assert_eq(pstream_push(&st, 0, 2, n + 1), 0);
    cr_assert_eq(pstream_seal(&st), 0);
    uint32_t seen = 0;
    pstream_ev prev = {0, 0, 0};
    for (const pstream_ev *e; (e = pstream_peek(&st)) != NULL;) {
        if (seen > 0) {
            cr_assert(e->x > prev.x || (e->x == prev.x && e->aux > prev.aux),
                      "event %u: x %u aux %u after x %u aux %u", seen, e->x, e->aux, prev.x,
                      prev.aux);
            cr_assert(pstream_time(&st, e) >= pstream_time(&st, &prev));
        }
        const pstream_ev *a = pstream_ahead(&st, 3);
        if (a)
            cr_assert(a->x >= e->x, "the event 3 ahead is not earlier");
        prev = *e;
        seen++;
        cr_assert_eq(pstream_advance(&st), 0);
    }
    cr_assert_eq(seen, n + 2);
    cr_assert_eq(prev.x, 0xffffffffu);
    cr_assert(pstream_time(&st, &prev) < 11);

    /* At t0 = 2^30 a double's step is 2^-22: t0 + (1 - 2^-32) rounds to t0 + 1. */
    pstream_begin(&st, 1073741824.0, 1073741825.0);
    pstream_ev top = {0xffffffffu, 0, 0}, zero = {0, 0, 0};
    cr_assert_eq(1073741824.0 + 1.0 * ((double)top.x * 0x1p-32), 1073741825.0);
    cr_assert(pstream_time(&st, &top) < 1073741825.0);
    cr_assert_eq(pstream_time(&st, &zero), 1073741824.0);
    gsl_rng_free(r);
    pstream_free(&st);
}

/* However many slices the owner's guess gives a window (pstream_expect: one, a few,
 * or a guess far below the events drawn), its events fire in the same order as in the
 * full PSTREAM_SLICES slices, and a window that follows one of another size starts
 * empty. */
Test(model_parts, stream_order_does_not_depend_on_the_slices)
{
    static pstream full, few;
    memset(&full, 0, sizeof full);
    memset(&few, 0, sizeof few);
    gsl_rng *r = rng_stream_alloc(5, 0, 3);
    pcg32 *g = rng_pcg(r);
    const uint32_t sizes[] = {3000, 10, 50000, 0, 700};
    const double guesses[] = {3000, 1, 400, 0, 1e9};
    for (size_t w = 0; w < sizeof sizes / sizeof *sizes; w++) {
        pstream_begin(&full, 0, 1);
        pstream_begin(&few, 0, 1);
        pstream_expect(&few, guesses[w]);
        for (uint32_t k = 0; k < sizes[w]; k++) {
            /* Many shared keys: ties must keep the order of pushing in both. */
            uint32_t x = k % 5 == 0 ? (pcg32_next(g) & 0xfff00000u) : pcg32_next(g);
            cr_assert_eq(pstream_push(&full, x, k % 11u, k), 0);
            cr_assert_eq(pstream_push(&few, x, k % 11u, k), 0);
        }
        cr_assert_eq(pstream_seal(&full), 0);
        cr_assert_eq(pstream_seal(&few), 0);
        uint32_t seen = 0;
        for (const pstream_ev *a; (a = pstream_peek(&full)) != NULL; seen++) {
            const pstream_ev *b = pstream_peek(&few);
            cr_assert_not_null(b, "window %zu: the few-slice stream ends early at %u", w, seen);
            cr_assert(a->x == b->x && a->i == b->i && a->aux == b->aux,
                      "window %zu, event %u: x %u aux %u vs x %u aux %u", w, seen, a->x,
                      a->aux, b->x, b->aux);
            cr_assert_eq(pstream_advance(&full), 0);
            cr_assert_eq(pstream_advance(&few), 0);
        }
        cr_assert_null(pstream_peek(&few), "window %zu: the few-slice stream has more", w);
        cr_assert_eq(seen, sizes[w]);
    }
    gsl_rng_free(r);
    pstream_free(&full);
    pstream_free(&few);
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
    cr_assert_float_eq(met_gini(equal, 4, NULL, NULL), 0, 1e-12);
    double one[4] = {0, 5, 0, 0}; /* one holder of everything: (n - 1)/n */
    cr_assert_float_eq(met_gini(one, 4, NULL, NULL), 0.75, 1e-12);
    double lin[5] = {1, 2, 3, 4, 5}; /* 1..n: (n - 1)/(3n) */
    cr_assert_float_eq(met_gini(lin, 5, NULL, NULL), 4.0 / 15.0, 1e-12);
    const double h[4] = {1, 1, 2, 0};
    cr_assert_float_eq(met_hhi(h, 4), 0.25 * 0.25 * 2 + 0.5 * 0.5, 1e-12);
    double nk[5] = {10, 1, 1, 1, 1};       /* 10/14 > 1/2 */
    cr_assert_eq(met_nakamoto(nk, 5, NULL, NULL), 1);
    double nk2[4] = {1, 1, 1, 1};          /* needs 3 of 4 to exceed half */
    cr_assert_eq(met_nakamoto(nk2, 4, NULL, NULL), 3);
    double zero[3] = {0, 0, 0};
    cr_assert_eq(met_nakamoto(zero, 3, NULL, NULL), 0);
    cr_assert_float_eq(met_hhi(zero, 3), 0, 1e-15);
}

/* The bucketed sort must give exactly gsl_sort's array: values over forty octaves,
 * ties, zeros of both signs and a few negatives, at sizes around its thresholds. Then
 * the Gini of a shuffled 1..n through it against the closed form (n - 1)/(3n). */
Test(model_parts, bucketed_sort_gives_gsl_sorts_array)
{
    gsl_rng *r = rng_stream_alloc(5, 0, 3);
    static double a[40000], b[40000], tmp[40000];
    static uint32_t cnt[MET_SORT_COUNTS(40000)];
    const size_t sizes[] = {63, 64, 65, 1000, 40000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        for (size_t i = 0; i < n; i++) {
            double u = gsl_rng_uniform(r);
            double v = exp(gsl_ran_gaussian(r, 6.0)); /* ~ 2^-40 .. 2^40 */
            a[i] = u < 0.05 ? 0.0 : u < 0.07 ? -0.0 : u < 0.1 ? -v : u < 0.2 ? 3.5 : v;
        }
        memcpy(b, a, n * sizeof *a);
        gsl_sort(b, 1, n);
        met_sort(a, n, tmp, cnt);
        for (size_t i = 0; i < n; i++)
            cr_assert(a[i] == b[i], "n = %zu: at %zu got %g, gsl_sort %g", n, i, a[i], b[i]);
    }
    const size_t n = 40000;
    for (size_t i = 0; i < n; i++)
        a[i] = (double)(i + 1);
    gsl_ran_shuffle(r, a, n, sizeof *a);
    cr_assert_float_eq(met_gini(a, n, tmp, cnt), (n - 1.0) / (3.0 * n), 1e-12);
    gsl_rng_free(r);
}

/* A crowded bucket (values bunched far closer than the whole range's buckets: distinct
 * values within 2^-20 of 1, ties at 2, a spread of others) goes to met_sort's quicksort:
 * the array must still be exactly gsl_sort's, at two sizes and two bunch shares. */
Test(model_parts, crowded_buckets_sort_like_gsl_sort)
{
    gsl_rng *r = rng_stream_alloc(5, 0, 4);
    static double a[40000], b[40000], tmp[40000];
    static uint32_t cnt[MET_SORT_COUNTS(40000)];
    const size_t sizes[] = {1000, 40000};
    const double bunched[] = {0.5, 0.9};
    for (size_t s = 0; s < 2; s++)
        for (size_t k = 0; k < 2; k++) {
            size_t n = sizes[s];
            for (size_t i = 0; i < n; i++) {
                double u = gsl_rng_uniform(r);
                a[i] = u < bunched[k] ? 1.0 + ldexp(gsl_rng_uniform(r), -20)
                       : u < bunched[k] + 0.05 ? 2.0
                                               : exp(gsl_ran_gaussian(r, 6.0));
            }
            memcpy(b, a, n * sizeof *a);
            gsl_sort(b, 1, n);
            met_sort(a, n, tmp, cnt);
            for (size_t i = 0; i < n; i++)
                cr_assert(a[i] == b[i], "n = %zu, bunched %g: at %zu got %.17g, gsl_sort %.17g",
                          n, bunched[k], i, a[i], b[i]);
        }
    gsl_rng_free(r);
}

/* The attribution noise must be mean-one lognormal: its log N(-s^2/2, s^2) by
 * Kolmogorov-Smirnov (D within the 1% critical value 1.63/sqrt(n)), its mean 1 within
 * 4 standard errors sqrt((e^{s^2} - 1)/n), for a small and a large sigma; sigma = 0
 * gives exactly 1. */
Test(model_parts, attribution_noise_is_lognormal_with_mean_one)
{
    gsl_rng *r = rng_stream_alloc(11, 0, 7);
    enum { N = 100000 };
    static double x[N];
    const double sigmas[] = {0.3, 1.2};
    for (size_t k = 0; k < 2; k++) {
        double s = sigmas[k], sum = 0;
        for (size_t i = 0; i < N; i++) {
            double v = dist_noise_mean1(r, s);
            cr_assert(v > 0 && isfinite(v));
            sum += v;
            x[i] = log(v);
        }
        gsl_sort(x, 1, N);
        double d = 0;
        for (size_t i = 0; i < N; i++) {
            double F = gsl_cdf_gaussian_P(x[i] + 0.5 * s * s, s);
            d = fmax(d, fmax(fabs(F - (double)i / N), fabs((double)(i + 1) / N - F)));
        }
        cr_assert_lt(d, 1.63 / sqrt((double)N), "sigma %g: KS D = %g", s, d);
        double se = sqrt(expm1(s * s) / N);
        cr_assert_lt(fabs(sum / N - 1.0), 4 * se, "sigma %g: mean %g, s.e. %g", s, sum / N, se);
    }
    cr_assert_eq(dist_noise_mean1(r, 0.0), 1.0);
    gsl_rng_free(r);
}

Test(model_parts, trailing_return_tracks_a_constant_stream)
{
    /* The gain of a day at W = 30 days is 1 - e^(-1/30); from zero, one step moves R and
     * C that fraction of the way to income and cost per day. */
    double g = wld_acc_gain(1.0, 30.0);
    cr_assert_float_eq(g, 1.0 - exp(-1.0 / 30.0), 1e-15);
    wld_acc a = {0, 0};
    wld_acc_step(&a, 3.0, 2.0, 1.0, g);
    cr_assert_float_eq(a.R, 3.0 * g, 1e-15);
    cr_assert_float_eq(a.C, 2.0 * g, 1e-15);
    for (int i = 1; i < 2000; i++)
        wld_acc_step(&a, 3.0, 2.0, 1.0, g);
    cr_assert_float_eq(a.R, 3.0, 1e-9);
    cr_assert_float_eq(a.C, 2.0, 1e-9);
    cr_assert_float_eq(wld_acc_roi(&a), 0.5, 1e-9);
    wld_acc z = {0, 0};
    cr_assert_float_eq(wld_acc_roi(&z), 0, 0);
}

/* A hand-built world holding just what wld_listing_rebuild reads: the builders' records
 * and the tastes, at time now. listing_free frees what the builds allocated. */
static void listing_world(world *w, double now, wld_builder *rec, uint32_t nb, double *bq,
                          double *bp, uint32_t tastes)
{
    memset(w, 0, sizeof *w);
    wld_baseline(&w->p);
    w->s.now = now;
    w->bd = (wld_builders){.n = nb, .r = rec};
    w->ls.tastes = tastes;
    w->ls.beta_q = bq;
    w->ls.beta_p = bp;
}

static void listing_free(world *w)
{
    free(w->ls.model); free(w->ls.row); free(w->ls.cut); free(w->ls.guide); free(w->ls.memo);
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
    static wld_builder rec[NB];
    for (int b = 0; b < NB; b++)
        rec[b] = (wld_builder){.alive = alive[b], .listed = listed[b], .Q = Q[b], .price = price[b]};
    listing_world(&w, 40, rec, NB, bq, bp, TASTES);
    cr_assert_eq(wld_listing_rebuild(&w), 0);
    const wld_listing *ls = &w.ls;
    uint32_t m = ls->m;
    cr_assert(m > 400 && m < NB, "m = %u", m);
    cr_assert_geq((1u << ls->gbits), 2 * (m + 1)); /* most cells hold one or two options */
    for (uint32_t k = 0; k < TASTES; k++) {
        const uint32_t *cut = ls->cut + (size_t)k * (m + 1);
        /* Cuts: cut_j - cut_{j-1} over 2^32 is option j's logit probability. */
        double u[NB + 1], P[NB + 1];
        for (uint32_t j = 0; j <= m; j++)
            u[j] = j < m ? bq[k] * Q[ls->model[j]] - bp[k] * price[ls->model[j]]
                         : bq[k] * ls->q_inc - bp[k] * w.p.incumbent_price;
        th_logit(u, (size_t)m + 1, P);
        cr_assert_eq(cut[m], UINT32_MAX);
        for (uint32_t j = 0; j <= m; j++) {
            double lo = j ? (double)cut[j - 1] + 1 : 0, width = (double)cut[j] + 1 - lo;
            cr_assert_float_eq(width / 4294967296.0, P[j], 1e-9, "taste %u option %u", k, j);
        }
        /* Guide cells against their definition: the first option j past g/G (with
         * every row above 0 here, the first j with cut_j >= g·2^32/G), flagged when
         * every x of the cell past cut_j chooses j + 1 (cut_{j+1} >= the cell's last x). */
        const wld_guide *gd = ls->guide + ((size_t)k << ls->gbits);
        unsigned gsh = 32 - ls->gbits;
        for (uint64_t g = 0, j = 0; g < (1u << ls->gbits); g++) {
            while (cut[j] < (g << gsh))
                j++;
            uint32_t flag = j < m && cut[j + 1] >= ((g + 1) << gsh) - 1;
            cr_assert_eq(gd[g].j, (uint32_t)j | flag << 31, "taste %u cell %u", k, (unsigned)g);
            cr_assert_eq(gd[g].c, cut[j], "taste %u cell %u", k, (unsigned)g);
        }
        /* Choices: every cell's edges and the cuts' neighbours, then random x. */
        size_t cap = 2 * ((size_t)1 << ls->gbits) + 2 * NB + 20000, nx = 0;
        uint32_t *xs = malloc(cap * sizeof *xs);
        cr_assert_not_null(xs);
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
        cr_assert_leq(nx, cap);
        for (size_t i = 0; i < nx; i++) {
            uint32_t want = 0;
            while (cut[want] < xs[i])
                want++;
            cr_assert_eq(wld_choose(ls, k, xs[i]), want, "taste %u x %u", k, xs[i]);
        }
        free(xs);
    }
    listing_free(&w);
    gsl_rng_free(r);
}

/* The router's ring of uniforms: picks are those of drawing at use (power of two
 * choices on the load column), and node_prefetch_route guesses the node that the j-th
 * routing from now picks while loads stay as they are. */
Test(model_parts, router_ring_picks_as_drawing_at_use_and_predicts_ahead)
{
    enum { NN = 37, CALLS = 5000 };
    static world w;
    memset(&w, 0, sizeof w);
    uint32_t active[NN], load[NN];
    double due[NN]; /* no job ever leaves: the load column holds */
    static wld_node rec[NN];
    gsl_rng *lr = rng_stream_alloc(5, 0, 9);
    for (uint32_t n = 0; n < NN; n++) {
        active[n] = NN - 1 - n; /* not the identity, so the set is really read */
        load[n] = (uint32_t)gsl_rng_uniform_int(lr, 6);
        due[n] = INFINITY;
    }
    gsl_rng_free(lr);
    w.nd = (wld_nodes){.n = NN, .r = rec, .active = active, .n_active = NN, .load = load,
                        .due = due};
    w.rng[RNG_ROUTE] = rng_stream_alloc(3, 1, 77);
    gsl_rng *ref = rng_stream_alloc(3, 1, 77);
    node_route_init(&w);
    uint32_t picks[CALLS];
    for (int k = 0; k < CALLS; k++) {
        pcg32 *g = rng_pcg(ref);
        uint32_t a = active[(uint32_t)(pcg32_double(g) * NN)];
        uint32_t b = active[(uint32_t)(pcg32_double(g) * NN)];
        uint32_t want = load[b] < load[a] ? b : a;
        picks[k] = node_route(&w, 0);
        cr_assert_eq(picks[k], want, "routing %d", k);
    }
    /* Predictions: rerun from the start, calling node_prefetch_route before each
     * routing as a query does. Its guess for a routing is made in steps, the last j/4
     * routings before it, so from routing j/2 on every routing's guess must be kept
     * under its ring place, with both candidates, and be the node it picks. */
    w.L = ledger_alloc(16);
    cr_assert_not_null(w.L);
    const uint32_t js[] = {8, 16, 24};
    for (size_t t = 0; t < sizeof js / sizeof *js; t++) {
        uint32_t j = js[t];
        gsl_rng_free(w.rng[RNG_ROUTE]);
        w.rng[RNG_ROUTE] = rng_stream_alloc(3, 1, 77);
        node_route_init(&w);
        memset(w.route_guess, 0xff, sizeof w.route_guess);
        for (int k = 0; k < 200; k++) {
            node_prefetch_route(&w, j);
            const wld_route_guess *h = &w.route_guess[(w.route_pos / 2) % (WLD_ROUTE_RING / 2)];
            uint32_t pick = node_route(&w, 0);
            cr_assert_eq(pick, picks[k]);
            if ((uint32_t)k < j / 2)
                continue;
            cr_assert_eq(h->k, w.route_pos - 2, "j = %u: routing %d kept", j, k);
            cr_assert(h->a != h->b || h->a == pick, "j = %u: routing %d candidates", j, k);
            cr_assert(h->a == pick || h->b == pick, "j = %u: routing %d candidates", j, k);
            cr_assert_eq(h->n, pick, "j = %u: routing %d guessed %u, picked %u", j, k, h->n, pick);
        }
    }
    /* With F fake nodes the router draws among NN + F places; a fake one has no
     * queue, so it wins against any busy node, and it is WLD_FAKE | its index. The
     * training jobs' router (fake = 0) still draws as before. */
    enum { F = 20 };
    gsl_rng_free(w.rng[RNG_ROUTE]);
    gsl_rng_free(ref);
    w.rng[RNG_ROUTE] = rng_stream_alloc(3, 1, 78);
    ref = rng_stream_alloc(3, 1, 78);
    node_route_init(&w);
    w.fake_n = F;
    int fakes = 0;
    for (int k = 0; k < CALLS; k++) {
        pcg32 *g = rng_pcg(ref);
        uint32_t i = (uint32_t)(pcg32_double(g) * (NN + F)), j = (uint32_t)(pcg32_double(g) * (NN + F));
        uint32_t a = i < NN ? active[i] : WLD_FAKE | (i - NN), la = i < NN ? load[active[i]] : 0;
        uint32_t b = j < NN ? active[j] : WLD_FAKE | (j - NN), lb = j < NN ? load[active[j]] : 0;
        uint32_t want = lb < la ? b : a;
        node_prefetch_route(&w, 16);
        uint32_t pick = node_route(&w, F);
        cr_assert_eq(pick, want, "routing %d with fake nodes", k);
        cr_assert(!(pick & WLD_FAKE) || (pick & ~WLD_FAKE) < F);
        fakes += (pick & WLD_FAKE) != 0;
    }
    /* A fake place is drawn with probability F/(NN + F) = 0.35 per candidate and loses
     * only a tie against an idle node drawn first, so fake picks are more than
     * 1 - (1 - 0.35)^2 - 0.35 x 0.65 = 0.35 of the routings but fewer than 0.58. */
    cr_assert(fakes > 0.35 * CALLS && fakes < 0.58 * CALLS, "%d fake picks", fakes);
    ledger_free(w.L);
    gsl_rng_free(w.rng[RNG_ROUTE]);
    gsl_rng_free(ref);
}

/* The listing's exp memo (a slot per taste and option keeps its last exponent and exp)
 * never changes the tables: rebuilt after a model trains, another leaves the listing
 * and the incumbent improves, with the memo of the previous build, the cuts and the
 * guide are those of a build from an empty memo. */
Test(model_parts, listing_rebuilt_with_its_exp_memo_equals_one_built_afresh)
{
    enum { NB = 60, TASTES = 4 };
    static world w;
    double bq[TASTES] = {2.0, 6.0, 0.5, 40.0}, bp[TASTES] = {1.0, 0.2, 4.0, 0.1};
    gsl_rng *r = rng_stream_alloc(9, 0, 1);
    static wld_builder rec[NB];
    for (int b = 0; b < NB; b++)
        rec[b] = (wld_builder){.alive = 1, .listed = 1, .Q = (float)gsl_rng_uniform(r),
                               .price = (float)(0.01 + 0.1 * gsl_rng_uniform(r))};
    listing_world(&w, 10, rec, NB, bq, bp, TASTES);
    cr_assert_eq(wld_listing_rebuild(&w), 0);
    static uint32_t cut[TASTES * (NB + 1)];
    static wld_guide guide[TASTES << 8];
    for (int step = 0; step < 3; step++) {
        /* what an epoch changes: a model trains, one leaves, the incumbent improves */
        rec[7 * step + 3].Q = (float)gsl_rng_uniform(r);
        rec[11 * step + 5].listed = 0;
        w.s.now += 1;
        cr_assert_eq(wld_listing_rebuild(&w), 0); /* with the memo of the last build */
        const wld_listing *ls = &w.ls;
        size_t ncut = (size_t)TASTES * (ls->m + 1), ng = (size_t)TASTES << ls->gbits;
        cr_assert_leq(ng, sizeof guide / sizeof *guide);
        memcpy(cut, ls->cut, ncut * sizeof *cut);
        memcpy(guide, ls->guide, ng * sizeof *guide);
        free(w.ls.memo);
        w.ls.memo = NULL;
        w.ls.memo_cap = 0;
        cr_assert_eq(wld_listing_rebuild(&w), 0); /* afresh */
        cr_assert_eq(memcmp(cut, ls->cut, ncut * sizeof *cut), 0, "step %d: cuts differ", step);
        cr_assert_eq(memcmp(guide, ls->guide, ng * sizeof *guide), 0, "step %d: guides differ",
                     step);
    }
    listing_free(&w);
    gsl_rng_free(r);
}
