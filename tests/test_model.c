/* test_model.c — the marketplace model as a whole (model_run on a memsink, fixed
 * seeds): the ledger invariant over a baseline run, supply against the emission
 * schedule with no agents, compute queues against Erlang C, consumers' choice shares
 * against the logit formula, interventions, determinism, and the directions theory
 * predicts (more demand, more emission, a wider regional cost gap). Margins come from
 * the sample size (binomial, batch means) or from the spread over replicates. */
#include <criterion/criterion.h>
#include <unistd.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"
#include "model/token/emission.h"
#include "model/core/memsink.h"
#include "model/model.h"
#include "model/world/world.h"
#include "helpers.h"

static void set(crc_params *p, const char *path, const char *text)
{
    const param_def *d = params_find(path);
    cr_assert_not_null(d, "no parameter %s", path);
    crc_pvalue v;
    crc_err e;
    crc_err_clear(&e);
    cr_assert_eq(params_parse(d, text, &v, &e), 0, "%s: %s", path, e.msg);
    params_assign(p, d, &v);
}

/* A world with no agents at all (and none arriving). */
static void empty_world(crc_params *p)
{
    wld_baseline(p);
    p->prov_honest_count = p->prov_spammer_count = p->bld_count = p->node_count = 0;
    p->cons_count = p->stk_count = p->farm_count = 0;
    p->prov_honest_entry = p->prov_spammer_entry = p->bld_entry = p->node_entry = 0;
    p->stk_entry = p->farm_entry = p->cons_arrival = 0;
    p->agents_entry_gain = 0;
}

/* Mean of a metric over epochs [from, to) of a series. */
static double mean_over(const memsink *m, const char *name, size_t from, size_t to)
{
    const memsink_series *s = memsink_get(m, name);
    cr_assert_not_null(s, "metric %s missing", name);
    cr_assert(to <= s->n && from < to);
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += s->v[i];
    return sum / (double)(to - from);
}

Test(model, ledger_and_queue_invariants_hold_over_a_baseline_run)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    wld_baseline(&p);
    memsink m;
    /* check = 1: model_run fails the run if ledger_check exceeds 1e-9 or a node's load
     * column disagrees with its queue at any epoch. */
    cr_assert_eq(th_model_run(&p, 7, 0, 1, NULL, 0, &m), 0);
    const memsink_series *s = memsink_get(&m, "supply");
    cr_assert_not_null(s);
    cr_assert_eq(s->n, 365);
    cr_assert(memsink_last(&m, "ext_queries") > 0, "the baseline has external demand");
    cr_assert(memsink_last(&m, "listed_models") > 0);
    /* Supply changes only by burns: final supply = genesis − everything burned. */
    double burned = 0;
    const memsink_series *b = memsink_get(&m, "burned");
    for (size_t i = 0; i < b->n; i++)
        burned += b->v[i];
    cr_assert_float_eq(memsink_last(&m, "supply"), p.token_initial_supply - burned,
                       1e-9 * p.token_initial_supply);
    memsink_free(&m);
}

Test(model, with_no_agents_circulating_supply_follows_the_emission_schedule)
{
    alarm(60); /* time limit (see tests/README.md) */
    const char *schedules[] = {"constant", "linear", "exponential", "halving", "pool"};
    for (size_t k = 0; k < 5; k++) {
        crc_params p;
        empty_world(&p);
        set(&p, "emission.schedule", schedules[k]);
        set(&p, "emission.linear_end", "200");
        set(&p, "emission.half_life", "90");
        set(&p, "emission.halving_period", "100");
        set(&p, "emission.pool_days", "250");
        set(&p, "emission.pool_size", "500000");
        set(&p, "vesting.insiders.cliff", "1000");
        p.world_horizon = 300;
        memsink m;
        cr_assert_eq(th_model_run(&p, 1, 0, 1, NULL, 0, &m), 0);
        emission_schedule es;
        emission_schedule_from_params(&es, &p);
        const memsink_series *em = memsink_get(&m, "emitted_tkn");
        const memsink_series *circ = memsink_get(&m, "circulating");
        const memsink_series *sup = memsink_get(&m, "supply");
        cr_assert_not_null(em);
        cr_assert_eq(em->n, 300);
        for (size_t i = 0; i < em->n; i++) {
            double t1 = em->t[i], t0 = t1 - 1;
            double want = emission_integral(&es, t0, t1);
            cr_assert_float_eq(em->v[i], want, 1e-9 * (1 + want), "%s: epoch %zu emitted %.17g, E gives %.17g",
                               schedules[k], i, em->v[i], want);
            /* Nothing burns and nothing else unlocks: supply is constant and the
             * circulating supply grows by exactly what is emitted. */
            cr_assert_float_eq(sup->v[i], p.token_initial_supply, 1e-9 * p.token_initial_supply);
            if (i > 0)
                cr_assert_float_eq(circ->v[i] - circ->v[i - 1], want, 1e-6 * (1 + want),
                                   "%s: epoch %zu", schedules[k], i);
        }
        memsink_free(&m);
    }
}

/* Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ. */
static double erlang_c(int c, double a)
{
    double sum = 0;
    for (int k = 0; k < c; k++)
        sum += exp(k * log(a) - gsl_sf_lnfact((unsigned)k));
    double top = exp(c * log(a) - gsl_sf_lnfact((unsigned)c)) * c / (c - a);
    return top / (sum + top);
}

/* One node, one model everyone buys, Poisson queries: the mean latency must be the
 * M/M/c sojourn time W = C(c, a)/(cμ − λ) + 1/μ. */
Test(model, compute_queue_reproduces_erlang_c_waiting_times)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    empty_world(&p);
    const int c = 2;
    const double s = 0.001, rho = 0.7;       /* service mean (days), utilisation */
    const double mu = 1 / s, lambda = rho * c * mu;
    const long nc = 100;
    p.node_count = 1;
    p.node_servers = c;
    p.node_service_time = s;
    p.bld_count = 1;
    p.cons_count = nc;
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", lambda / (double)nc);
    set(&p, "consumers.rate", buf);
    set(&p, "consumers.budget", "1e6");
    set(&p, "consumers.beta_q", "0");
    set(&p, "consumers.beta_p", "1");
    set(&p, "incumbent.price", "1000"); /* nobody buys from the incumbent */
    p.cons_churn = 0;
    p.cons_wom = 0;
    p.agents_exit_roi = -1e9;
    p.compute_train_time = 0;
    p.world_horizon = 101;
    memsink m;
    cr_assert_eq(th_model_run(&p, 3, 0, 1, NULL, 0, &m), 0);
    const memsink_series *lat = memsink_get(&m, "latency_mean");
    const memsink_series *q = memsink_get(&m, "ext_queries");
    cr_assert_not_null(lat);
    /* Batch means: each epoch (~1400 queries, 1.4e6 service times) is one batch. */
    double x[128];
    size_t n = 0;
    for (size_t i = 0; i < lat->n; i++)
        if (q->v[i] > 0)
            x[n++] = lat->v[i];
    cr_assert(n >= 90, "queries flowed in %zu epochs", n);
    double mean = gsl_stats_mean(x, 1, n), se = gsl_stats_sd(x, 1, n) / sqrt((double)n);
    double a = lambda / mu;
    double W = erlang_c(c, a) / (c * mu - lambda) + 1 / mu;
    cr_assert(fabs(mean - W) < 4 * se,
              "mean latency %.6g vs Erlang C %.6g (se %.3g)", mean, W, se);
    memsink_free(&m);
}

/* Logit shares of a listing for one taste: P_j = e^(U_j) / Σ e^(U_k), U = bq·Q − bp·price,
 * options 0..m-1 the models and m the incumbent. */
static void logit_shares(const double *Q, const double *price, int m, double q_inc,
                         double p_inc, double bq, double bp, double *P)
{
    double U[16];
    cr_assert_lt(m, 16);
    for (int j = 0; j <= m; j++)
        U[j] = j < m ? bq * Q[j] - bp * price[j] : bq * q_inc - bp * p_inc;
    th_logit(U, (size_t)m + 1, P);
}

/* Pearson's X² of counts n[0..m] against shares P over N draws. */
static double chi2(const double *n, const double *P, int m, double N)
{
    double x = 0;
    for (int j = 0; j <= m; j++)
        x += (n[j] - N * P[j]) * (n[j] - N * P[j]) / (N * P[j]);
    return x;
}

/* Consumers' choices among models that differ in both quality and price. Part 1: the
 * listing the run builds (wld_listing_rebuild) and the choice every query makes
 * (wld_choose on a 32-bit uniform), at two tastes: the counts over 4·10⁵ draws pass X²
 * against the logit shares (p > 0.001), and each wrong model — the sign of β_q or β_p
 * flipped, or either weight 25% off — is rejected (X² beyond its 0.001 critical value),
 * so the check has the power to catch those errors. Part 2: a whole run (Q = 0 for
 * every model, no data) in which the incumbent's share of all queries matches
 * e^U_inc / (e^U_inc + 3 e^U_m) within binomial error: the queries go through the
 * same choice. */
Test(model, consumer_choice_shares_match_the_logit_formula)
{
    alarm(120); /* time limit (see tests/README.md) */
    enum { M = 4, NDRAW = 400000 };
    const double Q[M] = {0.92, 0.55, 0.31, 0.78}, price[M] = {0.055, 0.021, 0.012, 0.043};
    const double tastes[2][2] = {{7.0, 60.0}, {3.5, 110.0}};
    static world w;
    static wld_builder rec[M];
    gsl_rng *r = rng_stream_alloc(17, 0, 3);
    double crit = gsl_cdf_chisq_Qinv(1e-3, M); /* M + 1 options, M degrees of freedom */
    for (int k = 0; k < 2; k++) {
        memset(&w, 0, sizeof w);
        wld_baseline(&w.p);
        w.p.incumbent_quality = 0.7;
        w.p.incumbent_price = 0.03;
        w.p.incumbent_improvement = 0;
        for (int b = 0; b < M; b++)
            rec[b] = (wld_builder){.alive = 1, .listed = 1, .Q = (float)Q[b],
                                   .price = (float)price[b]};
        w.bd = (wld_builders){.n = M, .r = rec};
        double bq = tastes[k][0], bp = tastes[k][1];
        w.ls.tastes = 1;
        w.ls.beta_q = &bq;
        w.ls.beta_p = &bp;
        cr_assert_eq(wld_listing_rebuild(&w), 0);
        cr_assert_eq(w.ls.m, (uint32_t)M);
        double n[M + 1] = {0};
        for (int i = 0; i < NDRAW; i++) {
            uint32_t j = wld_choose(&w.ls, 0, (uint32_t)gsl_rng_get(r));
            n[j < w.ls.m ? w.ls.model[j] : M] += 1;
        }
        double Qf[M], pf[M], P[M + 1];
        for (int b = 0; b < M; b++) { /* the model stores them as float */
            Qf[b] = rec[b].Q;
            pf[b] = rec[b].price;
        }
        logit_shares(Qf, pf, M, 0.7, 0.03, bq, bp, P);
        double x = chi2(n, P, M, NDRAW);
        cr_expect_lt(x, crit, "taste %d: X² %.2f against the logit shares (critical %.2f)", k,
                     x, crit);
        const double wrong[4][2] = {{-bq, bp}, {bq, -bp}, {1.25 * bq, bp}, {bq, 1.25 * bp}};
        for (int v = 0; v < 4; v++) {
            logit_shares(Qf, pf, M, 0.7, 0.03, wrong[v][0], wrong[v][1], P);
            double xw = chi2(n, P, M, NDRAW);
            cr_expect_gt(xw, crit, "taste %d: wrong model %d not rejected (X² %.2f)", k, v, xw);
        }
        free(w.ls.model); free(w.ls.row); free(w.ls.cut); free(w.ls.guide); free(w.ls.memo);
    }
    gsl_rng_free(r);

    crc_params p;
    empty_world(&p);
    p.node_count = 1;
    p.node_servers = 64;
    p.bld_count = 3;
    p.cons_count = 400;
    set(&p, "consumers.rate", "10");
    set(&p, "consumers.budget", "1e6");
    set(&p, "consumers.beta_q", "2");
    set(&p, "consumers.beta_p", "50");
    set(&p, "builders.price", "0.03");
    set(&p, "incumbent.quality", "0.75");
    set(&p, "incumbent.price", "0.04");
    set(&p, "incumbent.improvement", "0");
    p.cons_churn = 0;
    p.cons_wom = 0;
    p.agents_exit_roi = -1e9;
    p.compute_train_time = 0;
    p.world_horizon = 31;
    memsink m;
    cr_assert_eq(th_model_run(&p, 5, 0, 1, NULL, 0, &m), 0);
    /* No data: every model has Q = 0, so U_m = −50·0.03 and U_inc = 2·0.75 − 50·0.04. */
    double um = -50 * 0.03, ui = 2 * 0.75 - 50 * 0.04;
    double Pi = exp(ui) / (exp(ui) + 3 * exp(um));
    const memsink_series *share = memsink_get(&m, "incumbent_share");
    const memsink_series *ext = memsink_get(&m, "ext_queries");
    double inc = 0, all = 0;
    for (size_t i = 1; i < share->n; i++) { /* models list from epoch 2 on */
        double n_all = ext->v[i] / (1 - share->v[i]);
        inc += share->v[i] * n_all;
        all += n_all;
    }
    double obs = inc / all, se = sqrt(Pi * (1 - Pi) / all);
    cr_assert(all > 1e5);
    cr_assert(fabs(obs - Pi) < 4 * se, "incumbent share %.5f vs logit %.5f (se %.2g, n %.0f)",
              obs, Pi, se, all);
    memsink_free(&m);
}

Test(model, interventions_change_parameters_from_their_time_on)
{
    alarm(60); /* time limit (see tests/README.md) */
    crc_params p;
    empty_world(&p);
    p.world_horizon = 60;
    crc_intervention iv;
    iv.t = 30;
    iv.param = params_find("emission.rate");
    iv.value.x = 0;
    memset(&iv.value.d, 0, sizeof iv.value.d);
    memsink m;
    cr_assert_eq(th_model_run(&p, 1, 0, 1, &iv, 1, &m), 0);
    const memsink_series *em = memsink_get(&m, "emitted_tkn");
    cr_assert_eq(m.n_interventions, 1);
    for (size_t i = 0; i < em->n; i++) {
        if (em->t[i] <= 30 - 1e-9)
            cr_assert(em->v[i] > 0, "emission before the intervention (t = %g)", em->t[i]);
        else if (em->t[i] > 30.5)
            cr_assert(em->v[i] == 0, "no emission after it (t = %g: %g)", em->t[i], em->v[i]);
    }
    memsink_free(&m);
}

static int same_series(const memsink *a, const memsink *b)
{
    if (a->n_series != b->n_series)
        return 0;
    for (size_t i = 0; i < a->n_series; i++) {
        const memsink_series *x = &a->series[i], *y = memsink_get(b, x->name);
        if (!y || x->n != y->n || memcmp(x->v, y->v, x->n * sizeof *x->v) ||
            memcmp(x->t, y->t, x->n * sizeof *x->t))
            return 0;
    }
    return 1;
}

Test(model, same_seed_gives_identical_metrics_and_another_seed_differs)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    wld_baseline(&p);
    wld_scale(&p, 0.3);
    p.world_horizon = 90;
    memsink a, b, c;
    cr_assert_eq(th_model_run(&p, 11, 0, 1, NULL, 0, &a), 0);
    cr_assert_eq(th_model_run(&p, 11, 0, 1, NULL, 0, &b), 0);
    cr_assert_eq(th_model_run(&p, 12, 0, 1, NULL, 0, &c), 0);
    cr_assert(a.n_series > 50, "every MODEL.md metric is written (%zu series)", a.n_series);
    cr_assert(same_series(&a, &b), "same seed, same metrics bit for bit");
    cr_assert(!same_series(&a, &c), "another seed, other metrics");
    memsink_free(&a);
    memsink_free(&b);
    memsink_free(&c);
}

Test(model, every_model_md_metric_is_sampled_each_epoch)
{
    alarm(60); /* time limit (see tests/README.md) */
    crc_params p;
    wld_baseline(&p);
    wld_scale(&p, 0.2);
    p.world_horizon = 20;
    memsink m;
    cr_assert_eq(th_model_run(&p, 2, 0, 1, NULL, 0, &m), 0);
    const char *names[] = {
        "price_usd", "supply", "minted", "burned", "treasury_tkn", "ext_queries", "wash_queries",
        "ext_fee_usd", "wash_fee_usd", "emission_usd", "real_yield", "self_ref_share",
        "mean_model_quality", "poisoned_share", "backdoored_models", "harm_rate", "consumers",
        "incumbent_share", "farmer_capture", "reward_gini", "compute_hhi", "nakamoto",
        "latency_mean", "audits", "detected", "slashed_tkn"};
    const char *classes[] = {"honest", "spammer", "poisoner", "builder", "compute",
                             "fake_compute", "farmer", "staker"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const memsink_series *s = memsink_get(&m, names[i]);
        cr_assert_not_null(s, "metric %s", names[i]);
        cr_assert_eq(s->n, 20, "metric %s", names[i]);
    }
    char buf[64];
    for (size_t c = 0; c < 8; c++)
        for (int k = 0; k < 3; k++) {
            snprintf(buf, sizeof buf, "%s.%s", k == 0 ? "reward_tkn" : k == 1 ? "roi" : "active",
                     classes[c]);
            const memsink_series *s = memsink_get(&m, buf);
            cr_assert_not_null(s, "metric %s", buf);
            cr_assert_eq(s->n, 20, "metric %s", buf);
        }
    cr_assert(!isnan(memsink_summary(&m, "price_drawdown")));
    /* "never" is NaN (stored NULL); otherwise a time within the run. */
    cr_assert(memsink_has_summary(&m, "days_to_real_yield"));
    double ty = memsink_summary(&m, "days_to_real_yield");
    cr_assert(isnan(ty) || (ty >= 0 && ty <= 20), "days_to_real_yield = %g", ty);
    cr_assert(!isnan(memsink_summary(&m, "profit_usd.honest")));
    memsink_free(&m);
}

/* ---- directions, over replicates ------------------------------------------------ */

#define REPS 8      /* replicates per arm of a direction test  */
#define REPS_MAX 16

typedef struct arm {
    double x[REPS_MAX];
    size_t n;
} arm;

/* Runs `reps` replicates of a small baseline (scaled by `scale`, 180 days) with the
 * changes kv = {path, value, path, value, ..., NULL} and collects the mean of `metric`
 * over the last `last` epochs. */
static void replicate_n(const char *const *kv, double scale, const char *metric, size_t last,
                        size_t reps, arm *out)
{
    cr_assert(reps >= 2 && reps <= REPS_MAX);
    out->n = reps;
    for (size_t r = 0; r < reps; r++) {
        crc_params p;
        wld_baseline(&p);
        wld_scale(&p, scale);
        p.world_horizon = 180;
        p.world_flows_every = 0;
        for (size_t i = 0; kv && kv[i]; i += 2)
            set(&p, kv[i], kv[i + 1]);
        memsink m;
        cr_assert_eq(th_model_run(&p, 101, (uint64_t)r, 1, NULL, 0, &m), 0);
        out->x[r] = mean_over(&m, metric, 180 - last, 180);
        memsink_free(&m);
    }
}

static void replicate(const char *const *kv, double scale, const char *metric, size_t last,
                      arm *out)
{
    replicate_n(kv, scale, metric, last, REPS, out);
}

/* Asserts mean(hi) > mean(lo) by a one-sided Welch t test at the 1% level: the
 * difference exceeds t(0.99, ν) standard errors of the difference, ν from
 * Welch–Satterthwaite. */
static void assert_higher(const arm *hi, const arm *lo, const char *what)
{
    double nh = (double)hi->n, nl = (double)lo->n;
    double mh = gsl_stats_mean(hi->x, 1, hi->n), ml = gsl_stats_mean(lo->x, 1, lo->n);
    double vh = gsl_stats_variance(hi->x, 1, hi->n) / nh;
    double vl = gsl_stats_variance(lo->x, 1, lo->n) / nl;
    double se = sqrt(vh + vl);
    double nu = (vh + vl) * (vh + vl) / (vh * vh / (nh - 1) + vl * vl / (nl - 1));
    double t = gsl_cdf_tdist_Qinv(0.01, nu);
    cr_assert(mh - ml > t * se, "%s: %.6g vs %.6g (se of the difference %.3g, t %.2f on %.1f df)",
              what, mh, ml, se, t, nu);
}

Test(model, more_consumer_demand_gives_a_higher_price_and_real_yield)
{
    alarm(300); /* time limit (see tests/README.md) */
    arm lo_p, hi_p, lo_y, hi_y;
    const char *const more[] = {"consumers.count", "2400", NULL}; /* 4x (0.3 x 2000 = 600) */
    /* The price rises ~10% while replicates spread by ~0.02 USD around 0.23: 8 per arm
     * leave a 1% test little power (t ~ 2.7 against a critical 2.75), 16 enough. */
    replicate_n(NULL, 0.3, "price_usd", 30, REPS_MAX, &lo_p);
    replicate_n(more, 0.3, "price_usd", 30, REPS_MAX, &hi_p);
    replicate(NULL, 0.3, "real_yield", 30, &lo_y);
    replicate(more, 0.3, "real_yield", 30, &hi_y);
    assert_higher(&hi_p, &lo_p, "price with 4x the consumers");
    assert_higher(&hi_y, &lo_y, "real_yield with 4x the consumers");
}

Test(model, higher_emissions_give_a_lower_real_yield)
{
    alarm(300); /* time limit (see tests/README.md) */
    arm lo, hi;
    const char *const more[] = {"emission.rate", "2700", NULL}; /* 3x (0.3 x 3000 = 900) */
    replicate(NULL, 0.3, "real_yield", 30, &hi);
    replicate(more, 0.3, "real_yield", 30, &lo);
    assert_higher(&hi, &lo, "real_yield at the baseline emission vs 3x");
}

/* The consumers' fees are held in their pool and paid when the epoch settles. In every
 * epoch, of the TKN the pool bought (flows amm -> consumer, "purchase"), the builders
 * get fees.model / k, the nodes fees.compute / k, the staking fee pot fees.stakers / k
 * and the burn fees.burn / k, where k = 1 - fees.buyback x the treasury's share is the
 * TKN part of a fee; the rest (data shares, the treasury's) goes to the providers and
 * the treasury, and nothing stays in the pool. Exact to rounding. */
static double flow_sum(const memsink *m, double t, const char *src, const char *dst,
                       const char *reason)
{
    double sum = 0;
    for (size_t i = 0; i < m->n_flows; i++) {
        const memsink_flow *f = &m->flows[i];
        if (f->t == t && strcmp(memsink_label(m, f->src), src) == 0 &&
            (!dst || strcmp(memsink_label(m, f->dst), dst) == 0) &&
            strcmp(memsink_label(m, f->reason), reason) == 0)
            sum += f->amount_tkn;
    }
    return sum;
}

/* Checks the split in every epoch of a 30-day run; with fake, the compute share is
 * what the nodes and the fake nodes got together. */
static void check_fee_split(const crc_params *p, int fake)
{
    memsink m;
    cr_assert_eq(th_model_run(p, 5, 0, 1, NULL, 0, &m), 0);
    double k = 1.0 - 0.025;
    struct { const char *dst, *reason; double share; } part[] = {
        {"builder", "fee", p->fees_model},      {"compute", "fee", p->fees_compute},
        {"stake_escrow", "fee", p->fees_stakers}, {"none", "burn", p->fees_burn}};
    int checked = 0;
    double to_fake = 0;
    for (int e = 1; e <= 30; e++) {
        double t = e, bought = flow_sum(&m, t, "amm", "consumer", "purchase");
        if (!(bought > 0))
            continue;
        for (size_t j = 0; j < sizeof part / sizeof *part; j++) {
            double got = flow_sum(&m, t, "consumer", part[j].dst, part[j].reason);
            if (j == 1) {
                double f = flow_sum(&m, t, "consumer", "fake_compute", "fee");
                to_fake += f;
                got += f;
            }
            double want = bought * part[j].share / k;
            cr_assert(fabs(got - want) <= 1e-9 * bought, "day %d: %s got %.12g of %.12g, want %.12g",
                      e, part[j].dst, got, bought, want);
        }
        double out = flow_sum(&m, t, "consumer", NULL, "fee") + flow_sum(&m, t, "consumer", NULL, "burn");
        cr_assert(fabs(out - bought) <= 1e-9 * bought, "day %d: the pool paid %.12g of %.12g", e, out,
                  bought);
        checked++;
    }
    cr_assert_geq(checked, 25, "only %d epochs had queries", checked);
    if (fake)
        cr_assert(to_fake > 0, "fake nodes took queries and were paid their compute share");
    else
        cr_assert_eq(to_fake, 0);
    memsink_free(&m);
}

Test(model, query_fees_reach_each_recipient_in_its_share_at_settlement)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    wld_baseline(&p);
    p.world_horizon = 30;
    p.world_flows_every = 1;
    p.fees_burn = 0.05;
    p.fees_buyback = 0.5; /* of the treasury's 0.05: 0.025 of each fee stays in USD */
    check_fee_split(&p, 0);
    /* Fake nodes (fake-compute-only farmers, nothing verified) take queries: the compute
     * share of those goes to their operators, from the same pool at settlement. */
    p.farm_count = 5;
    p.farm_mix_sybil = p.farm_mix_wash = p.farm_mix_stake = 0;
    p.farm_mix_fake = 1;
    p.def_verify_rate = 0;
    check_fee_split(&p, 1);
}

/* Equal regional shares, so any tilt of entry towards cheap regions concentrates
 * served work; a strong elasticity makes the test sensitive at this small scale. */
Test(model, a_wider_regional_cost_gap_raises_compute_hhi)
{
    alarm(300); /* time limit (see tests/README.md) */
    arm narrow, wide;
    const char *const none[] = {"compute.cost_spread", "0",
                                "compute.region_sensitivity", "10",
                                "compute.region.us.share", "0.25",
                                "compute.region.eu.share", "0.25",
                                "compute.region.asia.share", "0.25",
                                "compute.region.nordic.share", "0.25", NULL};
    const char *const gap[] = {"compute.cost_spread", "4",
                               "compute.region_sensitivity", "10",
                               "compute.region.us.share", "0.25",
                               "compute.region.eu.share", "0.25",
                               "compute.region.asia.share", "0.25",
                               "compute.region.nordic.share", "0.25", NULL};
    /* The effect is a few hundredths of HHI against replicate noise of about one
     * hundredth, so this arm takes more replicates than the others. */
    replicate_n(none, 0.6, "compute_hhi", 60, 10, &narrow);
    replicate_n(gap, 0.6, "compute_hhi", 60, 10, &wide);
    assert_higher(&wide, &narrow, "compute_hhi with a 4x regional cost gap vs none");
}

Test(model, validate_rejects_inconsistent_parameters_with_a_message_naming_them)
{
    crc_params p;
    wld_baseline(&p);
    crc_err e;
    crc_err_clear(&e);
    cr_assert_eq(model_validate(&p, &e), CRC_OK);
    p.agents_exit_roi = 0.5; /* above the hurdle (0.1) */
    cr_assert_eq(model_validate(&p, &e), CRC_EINPUT);
    cr_assert(strstr(e.msg, "agents.exit_roi") && strstr(e.msg, "agents.hurdle"), "%s", e.msg);
    wld_baseline(&p);
    p.fees_model = 0.9; /* fee shares no longer sum to 1 */
    crc_err_clear(&e);
    cr_assert_eq(model_validate(&p, &e), CRC_EINPUT);
    cr_assert(strstr(e.msg, "fees"), "%s", e.msg);
    wld_baseline(&p);
    p.region_us_share = p.region_eu_share = p.region_asia_share = p.region_nordic_share = 0;
    crc_err_clear(&e);
    cr_assert_eq(model_validate(&p, &e), CRC_EINPUT);
    cr_assert(strstr(e.msg, "compute.region"), "%s", e.msg);
}

Test(model, run_rejects_unsorted_interventions)
{
    crc_params p;
    empty_world(&p);
    p.world_horizon = 5;
    crc_intervention iv[2];
    memset(iv, 0, sizeof iv);
    iv[0].t = 3;
    iv[0].param = params_find("fees.burn");
    iv[1].t = 1;
    iv[1].param = params_find("fees.burn");
    model_input in;
    memset(&in, 0, sizeof in);
    in.params = &p;
    in.interventions = iv;
    in.n_interventions = 2;
    memsink m;
    memsink_init(&m, NULL);
    crc_sink k = memsink_sink(&m);
    crc_err e;
    crc_err_clear(&e);
    cr_assert_eq(model_run(&in, &k, &e), CRC_EINPUT);
    cr_assert(strstr(e.msg, "sorted"), "%s", e.msg);
    memsink_free(&m);
}

/* A large population's queries are one Poisson stream over its rate buckets: the day's
 * queries (to the network or the incumbent) must match Σ rate_i = N · E[rate] within
 * the sampling error of both the rates and the Poisson counts. This also guards the
 * engine: a pending-event set that loses or misorders events starves the streams. */
Test(model, consumer_streams_keep_their_rate_in_a_large_world)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    wld_baseline(&p);
    p.cons_count = 30675;
    p.bld_count = 460;
    p.world_horizon = 1;
    memsink m;
    cr_assert_eq(th_model_run(&p, 1, 0, 1, NULL, 0, &m), 0);
    /* consumers.rate = Gamma(2, 1.5): mean 3, variance 4.5 per consumer. */
    double N = 30675, mean = N * 3.0, sd = sqrt(N * 4.5 + mean);
    double got = memsink_last(&m, "demand_queries");
    cr_assert(fabs(got - mean) < 5 * sd,
              "day-1 queries %.0f, expected %.0f +- %.0f: the query streams lost events "
              "(check the engine's pending-event set)", got, mean, sd);
    memsink_free(&m);
}
