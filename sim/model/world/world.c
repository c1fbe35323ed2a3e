/*
 * world.c — setup and teardown of a run's world, and the helpers the population
 * modules share: array growth, scheduling of the populations' Poisson streams
 * (pstream.h), trailing returns, the liquidation list of departed accounts and the
 * consumers' listing table with its per-taste logit probabilities (docs/model.md).
 */
#include "model/world/world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "util/bigmem.h"

int wld_grow(void **p, size_t sz, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    if (c > UINT32_MAX)
        return -1;
    void *q = crc_realloc_big(*p, (size_t)*cap * sz, c * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = (uint32_t)c;
    return 0;
}

int wld_grow_soa(uint32_t *cap, uint32_t need, size_t n, void **const ptrs[],
                 const size_t sizes[])
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if (c > UINT32_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        void *q = crc_realloc_big(*ptrs[i], (size_t)*cap * sizes[i], c * sizes[i]);
        if (!q)
            return -1;
        memset((char *)q + (size_t)*cap * sizes[i], 0, (c - *cap) * sizes[i]);
        *ptrs[i] = q;
    }
    *cap = (uint32_t)c;
    return 0;
}

/* ---- population streams ------------------------------------------------------ */

static void stream_next(world *w, pstream *st, uint32_t kind)
{
    const pstream_ev *e = pstream_peek(st);
    if (e)
        sim_source_at(&w->s, st->src, pstream_time(st, e), kind, 0, 0);
    else
        sim_source_clear(&w->s, st->src);
}

int wld_stream_start(world *w, pstream *st, uint32_t kind)
{
    /* The pending event of the old window, if any, is dropped: it never fires. */
    sim_source_clear(&w->s, st->src);
    if (pstream_seal(st))
        return -1;
    stream_next(w, st, kind);
    return 0;
}

int wld_stream_fire(world *w, pstream *st, uint32_t kind, pstream_ev *e)
{
    *e = *pstream_peek(st);
    if (pstream_advance(st)) {
        crc_err_set(w->err, CRC_ENOMEM,
                    "out of memory sorting a population's events at t = %g days: run fewer "
                    "agents (the *.count parameters) or on a machine with more memory",
                    w->s.now);
        sim_fail(&w->s, CRC_ENOMEM);
        sim_source_clear(&w->s, st->src);
        return -1;
    }
    stream_next(w, st, kind);
    return 0;
}

/* ---- trailing returns ----------------------------------------------------------- */

double wld_acc_gain(double dt, double W) { return 1.0 - exp(-dt / W); }

void wld_acc_step(wld_acc *a, double income_usd, double cost_usd, double dt, double g)
{
    a->R += g * (income_usd / dt - a->R);
    a->C += g * (cost_usd / dt - a->C);
}


double wld_acc_roi(const wld_acc *a)
{
    if (a->C <= 0)
        return a->R > 0 ? 1e6 : 0;
    double r = (a->R - a->C) / a->C;
    return r > 1e6 ? 1e6 : r < -1e6 ? -1e6 : r;
}

double wld_entry_rate(const crc_params *p, double base, const wld_acc *acc, double active,
                      double probe)
{
    double excess = wld_acc_roi(acc) - p->agents_hurdle;
    double x = excess > 0 ? excess : 0;
    /* Below the hurdle the base rate shrinks to a probe, so capital stops flowing into
     * a class that loses; a class with no record yet gets the whole base rate. */
    if (excess < 0 && (acc->R != 0 || acc->C != 0))
        base *= probe;
    return base + p->agents_entry_gain * active * x / (1.0 + x);
}

int wld_gone_add(world *w, acct_id a)
{
    if (wld_grow((void **)&w->gone, sizeof *w->gone, &w->cap_gone, w->n_gone + 1))
        return -1;
    w->gone[w->n_gone++] = a;
    return 0;
}

double wld_sell(world *w, acct_id a, double share)
{
    double b = ledger_balance(w->L, a) * share;
    if (!(b > 0))
        return 0;
    double usd = amm_sell(w->A, w->L, a, b);
    return usd > 0 ? usd : 0;
}

/* ---- listing and logit tables ------------------------------------------------------ */

double wld_pay(world *w, acct_id src, acct_id dst, double amount)
{
    double have = ledger_balance(w->L, src);
    if (amount > have)
        amount = have;
    if (amount > 0 && ledger_transfer(w->L, src, dst, amount, RSN_FEE) == 0)
        return amount;
    return 0;
}

double wld_fee_buy(world *w, acct_id payer, const fee_split *fs, double *tkn)
{
    ledger_lane ln;
    amm_buy_lane_open(w->L, &ln, payer);
    return wld_fee_buy_lane(w, &ln, fs, tkn);
}

void wld_fee_rest(world *w, acct_id src, double stakers, double to_treasury, double burn)
{
    if (stakers > 0)
        staking_fee(w->tok->stake, w->L, src, fmin(stakers, ledger_balance(w->L, src)));
    wld_pay(w, src, ledger_system(w->L, CLS_TREASURY), to_treasury);
    if (burn > 0)
        ledger_burn(w->L, src, fmin(burn, ledger_balance(w->L, src)), RSN_BURN);
}

/* exp(d) through its slot's memo {d', exp(d')}: a builder's quality and price change
 * only when it trains, so from one epoch to the next most of a taste's exponents
 * U_j - max U are the same bits (all but the incumbent's while a model leads the
 * taste), and exp of the same bits is the same value. A slot is only ever a pair
 * computed here (or NaN, equal to nothing), so it needs no invalidation: the slots of
 * another listing just miss. */
static inline double memo_exp(double *slot, double d)
{
    if (d == slot[0])
        return slot[1];
    double e = exp(d);
    slot[0] = d;
    slot[1] = e;
    return e;
}

/* Room for n doubles of exp memo; new room is filled with NaN pairs (no hit). */
static int memo_reserve(wld_listing *ls, size_t n)
{
    uint32_t old = ls->memo_cap;
    if (n > UINT32_MAX ||
        wld_grow((void **)&ls->memo, sizeof *ls->memo, &ls->memo_cap, (uint32_t)n))
        return -1;
    for (size_t i = old; i < ls->memo_cap; i++)
        ls->memo[i] = NAN;
    return 0;
}

/* ceil(v) for 0 <= v < 2^53, without the library call: the integer part, plus one when
 * v has a fraction (both conversions exact in that range; through int64_t, one
 * instruction each way, where uint64_t takes a branch). */
static inline uint64_t ceil_u64(double v)
{
    int64_t t = (int64_t)v;
    return (uint64_t)t + ((double)t < v);
}

/* One taste's guide: guide[g] (g < G = 2^gbits) is the first j with row[j] > g/G, its
 * cut, and whether every x of the cell above that cut chooses j + 1 (cut[j + 1] >= the
 * cell's last x, ((g + 1) << (32 - gbits)) - 1). Filled a run of cells per option: the
 * cells whose first row above g/G is j are those from the previous run's end up to
 * ceil(row[j] G) (g/G < row[j] exactly when g < row[j] G, exact as G is a power of
 * two; a NaN row, never above g/G, takes every cell left), and the flag holds for
 * g + 1 <= (cut[j + 1] + 1) >> (32 - gbits). The same table as testing every cell. */
static void guide_fill(wld_guide *gd, unsigned gbits, const double *row, const uint32_t *cut,
                       uint32_t m)
{
    size_t G = (size_t)1 << gbits, g = 0;
    unsigned sh = 32 - gbits;
    for (uint32_t j = 0; j <= m && g < G; j++) {
        double v = row[j] * (double)G;
        size_t end = !(v < (double)G) ? G : (size_t)ceil_u64(v);
        size_t next_end = j < m ? (size_t)(((uint64_t)cut[j + 1] + 1) >> sh) : 0;
        size_t mid = next_end < g ? g : next_end < end ? next_end : end;
        wld_guide marked = {j | 1u << 31, cut[j]}, plain = {j, cut[j]};
        for (; g < mid; g++)
            gd[g] = marked;
        for (; g < end; g++)
            gd[g] = plain;
    }
}

int wld_listing_rebuild(world *w)
{
    wld_listing *ls = &w->ls;
    wld_builders *bd = &w->bd;
    uint32_t m = 0;
    for (uint32_t b = 0; b < bd->n; b++)
        m += bd->r[b].alive && bd->r[b].listed;
    if (wld_grow((void **)&ls->model, sizeof *ls->model, &ls->cap, m + 1))
        return -1;
    m = 0;
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive && bd->r[b].listed)
            ls->model[m++] = b;
    ls->m = m;
    /* G >= 2(m + 1) cells a taste: an option of average weight then spans two, and
     * few cells hold more than two options (wld_choose's branch-free case). */
    unsigned gbits = 1;
    while (((size_t)1 << gbits) < 2 * ((size_t)m + 1))
        gbits++;
    if (crc_reserve_big((void **)&ls->row, &ls->row_cap, (size_t)m + 1, sizeof *ls->row) ||
        crc_reserve_big((void **)&ls->cut, &ls->cut_cap, (size_t)ls->tastes * (m + 1),
                        sizeof *ls->cut) ||
        crc_reserve_big((void **)&ls->guide, &ls->guide_cap, (size_t)ls->tastes << gbits,
                        sizeof *ls->guide) ||
        memo_reserve(ls, 2 * (size_t)ls->tastes * (m + 1)))
        return -1;
    ls->gbits = gbits;
    /* The incumbent closes its quality gap to 1 at a constant rate (MODEL.md §1). */
    const crc_params *p = &w->p;
    ls->q_inc = 1.0 - (1.0 - p->incumbent_quality) * exp(-p->incumbent_improvement * w->s.now);
    double *row = ls->row;
    for (uint32_t k = 0; k < ls->tastes; k++) {
        double bq = ls->beta_q[k], bp = ls->beta_p[k];
        double u_inc = bq * ls->q_inc - bp * p->incumbent_price;
        double umax = u_inc;
        for (uint32_t j = 0; j < m; j++) {
            uint32_t b = ls->model[j];
            row[j] = bq * bd->r[b].Q - bp * bd->r[b].price;
            if (row[j] > umax)
                umax = row[j];
        }
        /* Logit: P_j = exp(U_j) / Σ exp(U); cumulative for inverse-CDF sampling. */
        double *memo = ls->memo + 2 * (size_t)k * (m + 1);
        double acc = 0;
        for (uint32_t j = 0; j < m; j++) {
            acc += memo_exp(memo + 2 * j, row[j] - umax);
            row[j] = acc;
        }
        acc += memo_exp(memo + 2 * m, u_inc - umax);
        row[m] = acc;
        for (uint32_t j = 0; j <= m; j++)
            row[j] /= acc;
        row[m] = 1.0;
        /* cut[j] = ceil(row[j] 2^32) - 1: for an integer x, row[j] > x/2^32 exactly when
         * cut[j] >= x (row[j] 2^32 is exact; ceil(v) - 1 < v <= ceil(v)). row[j] == 0
         * is stored as 0: the scan starts at a guide entry, where row > 0. */
        uint32_t *cut = ls->cut + (size_t)k * (m + 1);
        for (uint32_t j = 0; j <= m; j++) {
            double v = row[j] * 0x1p32; /* a power of two: exact, as ldexp */
            cut[j] = v > 0 ? (uint32_t)(ceil_u64(v) - 1) : 0;
        }
        guide_fill(ls->guide + ((size_t)k << ls->gbits), ls->gbits, row, cut, m);
    }
    return 0;
}

/* ---- setup --------------------------------------------------------------------- */

void wld_refresh(world *w)
{
    const crc_params *p = &w->p;
    double base[WLD_REGIONS] = {p->region_us_cost, p->region_eu_cost, p->region_asia_cost,
                                p->region_nordic_cost};
    double mean = 0;
    for (int r = 0; r < WLD_REGIONS; r++)
        mean += base[r] / WLD_REGIONS;
    for (int r = 0; r < WLD_REGIONS; r++) {
        double c = mean + p->compute_cost_spread * (base[r] - mean);
        w->region_cost[r] = c > 0 ? c : 0;
    }
    for (int r = 0; r < WLD_REGIONS; r++)
        w->region_factor[r] = mean > 0 ? w->region_cost[r] / mean : 1.0;
    w->A->fee = p->amm_fee;
}

static int alloc_datanets(world *w)
{
    wld_datanets *d = &w->dn;
    size_t n = (size_t)w->p.world_datanets;
    d->n = (uint32_t)n;
    double **dbl[] = {&d->count, &d->qvol, &d->poisoned, &d->dups, &d->score, &d->fee_tkn,
                      &d->fee_usd, &d->fee_ema, &d->rew_ema, &d->rew_usd};
    for (size_t i = 0; i < sizeof dbl / sizeof *dbl; i++)
        if (!(*dbl[i] = calloc(n, sizeof(double))))
            return -1;
    d->n_prov = calloc(n, sizeof *d->n_prov);
    d->n_models = calloc(n, sizeof *d->n_models);
    return d->n_prov && d->n_models ? 0 : -1;
}

static void free_datanets(wld_datanets *d)
{
    free(d->count); free(d->qvol); free(d->poisoned); free(d->dups); free(d->score);
    free(d->fee_tkn); free(d->fee_usd); free(d->fee_ema); free(d->rew_ema); free(d->rew_usd);
    free(d->n_prov); free(d->n_models);
}

static int alloc_tastes(world *w)
{
    wld_listing *ls = &w->ls;
    ls->tastes = (uint32_t)w->p.cons_tastes;
    ls->beta_q = malloc(ls->tastes * sizeof(double));
    ls->beta_p = malloc(ls->tastes * sizeof(double));
    if (!ls->beta_q || !ls->beta_p)
        return -1;
    /* The taste distribution is represented by `tastes` support points drawn from it;
     * each consumer draws one of them uniformly (docs/model.md §consumers). */
    gsl_rng *r = wld_rng(w, RNG_TASTES);
    const param_def *dq = params_find("consumers.beta_q");
    const param_def *dp = params_find("consumers.beta_p");
    for (uint32_t k = 0; k < ls->tastes; k++) {
        ls->beta_q[k] = dist_sample(&w->p.cons_beta_q, r, dq->lo, dq->hi);
        ls->beta_p[k] = dist_sample(&w->p.cons_beta_p, r, dp->lo, dp->hi);
    }
    return 0;
}

int wld_alloc(world *w, const crc_params *params, uint64_t seed, uint64_t replicate,
              const crc_sink *sink, crc_err *err)
{
    memset(w, 0, sizeof *w);
    w->seed = seed;
    w->replicate = replicate;
    w->p = *params;
    w->sink = sink;
    w->err = err;
    w->t_real_yield = -1;
    const crc_params *p = &w->p;
    for (int i = 0; i < RNG_COUNT; i++)
        if (!(w->rng[i] = rng_stream_alloc(seed, replicate, WLD_RNG_BASE + (uint64_t)i)))
            goto oom;
    zig_exp_init(&w->zexp);
    if (sim_init(&w->s, 1024, w) != CRC_OK)
        goto oom;
    w->cs.src = sim_source_add(&w->s);
    w->pv.st.src = sim_source_add(&w->s);
    size_t agents = (size_t)(p->prov_honest_count + p->prov_spammer_count + p->bld_count +
                             p->node_count + p->stk_count + p->farm_count) + 64;
    w->tok = token_alloc(&w->p, agents, wld_rng(w, RNG_MARKET), err);
    if (!w->tok) {
        int code = err && err->code ? err->code : CRC_ENOMEM;
        wld_free(w);
        return code;
    }
    w->L = w->tok->ledger;
    w->A = &w->tok->amm;
    w->tok->mkt.arb.rng = wld_rng(w, RNG_REFERENCE);
    w->pool = ledger_open(w->L, CLS_CONSUMER);
    if (w->pool == UINT32_MAX)
        goto oom;
    wld_refresh(w);
    if (alloc_datanets(w) || alloc_tastes(w))
        goto oom;
    return CRC_OK;
oom:
    wld_free(w);
    return crc_err_set(err, CRC_ENOMEM, "out of memory setting up the model's world");
}

static void free_holders(wld_holders *h)
{
    free(h->acct); free(h->born); free(h->usd); free(h->ep_tkn); free(h->bal0); free(h->acc);
}

void wld_free(world *w)
{
    if (!w)
        return;
    wld_providers *pv = &w->pv;
    free(pv->r); free(pv->rate); free(pv->acct); free(pv->born); free(pv->ep_tkn); free(pv->acc);
    pstream_free(&pv->st);
    wld_builders *bd = &w->bd;
    free(bd->free_list); free(bd->r); free(bd->fixed_cost); free(bd->born);
    free(bd->train_V); free(bd->train_pi); free(bd->train_pois); free(bd->train_S); free(bd->acc);
    wld_nodes *nd = &w->nd;
    for (uint32_t i = 0; i < nd->n; i++)
        fcfs_free(&nd->r[i].st);
    free(nd->free_list); free(nd->r); free(nd->fixed_cost); free(nd->born); free(nd->ep_pay);
    free(nd->acc); free(nd->active); free(nd->apos); free(nd->load); free(nd->due);
    wld_consumers *cs = &w->cs;
    free(cs->r); free(cs->rate);
    alias_free(&cs->by_rate);
    free_holders(&w->sk);
    free_holders(&w->fm);
    free(w->ls.model); free(w->ls.row); free(w->ls.cut); free(w->ls.guide); free(w->ls.memo);
    free(w->ls.beta_q); free(w->ls.beta_p);
    free_datanets(&w->dn);
    free(w->gone);
    free(w->scratch);
    free(w->scratch_cnt);
    token_free(w->tok);
    sim_free(&w->s);
    for (int i = 0; i < RNG_COUNT; i++)
        if (w->rng[i])
            gsl_rng_free(w->rng[i]);
    memset(w, 0, sizeof *w);
}

/* ---- the baseline world ------------------------------------------------------------ */

void wld_baseline(crc_params *p)
{
    params_defaults(p);
    p->emission_rate = 3000;
    p->token_initial_supply = 1e8;
}

double wld_baseline_agents(const crc_params *p)
{
    return (double)(p->prov_honest_count + p->prov_spammer_count + p->bld_count + p->node_count +
                    p->cons_count + p->stk_count + p->farm_count);
}

static long scale_count(long n, double f)
{
    double x = floor((double)n * f + 0.5);
    return n > 0 && x < 1 ? 1 : (long)x;
}

void wld_scale(crc_params *p, double f)
{
    p->prov_honest_count = scale_count(p->prov_honest_count, f);
    p->prov_spammer_count = scale_count(p->prov_spammer_count, f);
    p->bld_count = scale_count(p->bld_count, f);
    p->node_count = scale_count(p->node_count, f);
    p->cons_count = scale_count(p->cons_count, f);
    p->stk_count = scale_count(p->stk_count, f);
    p->farm_count = scale_count(p->farm_count, f);
    p->prov_honest_entry *= f;
    p->prov_spammer_entry *= f;
    p->bld_entry *= f;
    p->node_entry *= f;
    p->stk_entry *= f;
    p->farm_entry *= f;
    p->cons_arrival *= f;
    p->emission_rate *= f;
    p->emission_pool_size *= f;
    p->token_initial_supply *= f;
}
