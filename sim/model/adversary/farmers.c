/*
 * farmers.c — reward farmers' strategies, their pay, their books and their adaptive
 * budget (farmers.h; docs/model.md §11, farmers).
 *
 * Farmers act in aggregate once per epoch, at its settlement (atk_pay, before any
 * pool is divided): a farmer's sybil contributions, wash queries and fake claims of
 * the epoch are drawn as counts (Poisson / binomial on the adversary's own streams)
 * and entered in the same aggregates as the honest populations' events. Each pool
 * that farmers claim from is divided pro rata over the honest recipients' weights
 * (read from their arrays exactly as rewards.c weighs them) plus the farmers'
 * weights; paying the farmers their share first and leaving rewards.c to divide the
 * rest over its own weights gives every recipient B·w/(W_honest + W_farmers).
 */
#include "model/adversary/farmers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "model/adversary/attack.h"
#include "model/adversary/defense.h"
#include "model/world/world.h"

static const char *const strat_names[STRAT_COUNT] = {"sybil", "wash", "fake", "stake"};

const char *farm_strategy_name(int s)
{
    return s >= 0 && s < STRAT_COUNT ? strat_names[s] : "?";
}

double farm_adapt(double a, double cap, double ema, double step, double neg, double patience)
{
    if (!(a > 0) || !(cap > 0))
        return 0.0;
    if (ema > 0) {
        a *= 1.0 + step;
        if (a > cap)
            a = cap;
    } else if (ema < 0) {
        /* The profit test: it stops only after a whole `patience` of losses, so a
         * strategy near its break-even (whose estimate changes sign) keeps running. */
        if (neg >= patience)
            return 0.0;
        a *= 1.0 - step;
        if (!(a > 0))
            return 0.0;
    }
    return a;
}

double farm_wash_profit(double k, double e, double f, double c)
{
    return (k + e) * (1.0 - f) * (1.0 - f) - 1.0 - c;
}

double farm_wash_breakeven(double k, double f, double c)
{
    return (1.0 + c) / ((1.0 - f) * (1.0 - f)) - k;
}

/* ---- the population ------------------------------------------------------------ */

#define N_SCALAR (15 + 4 * FARM_SITES)
#define N_PER 9

int farm_pop_init(farm_pop *f)
{
    memset(f, 0, sizeof *f);
    return 0;
}

static void columns(farm_pop *f, void **cols[], size_t sizes[])
{
    size_t k = 0;
    cols[k] = (void **)&f->free_list; sizes[k++] = 4;
    cols[k] = (void **)&f->alive; sizes[k++] = 1;
    cols[k] = (void **)&f->owner; sizes[k++] = sizeof(acct_id);
    cols[k] = (void **)&f->dn; sizes[k++] = 4;
    cols[k] = (void **)&f->seen; sizes[k++] = sizeof(long);
    cols[k] = (void **)&f->sybil_score; sizes[k++] = 8;
    cols[k] = (void **)&f->points; sizes[k++] = 8;
    cols[k] = (void **)&f->stake_b0; sizes[k++] = 8;
    cols[k] = (void **)&f->stake_u0; sizes[k++] = 8;
    cols[k] = (void **)&f->f_inc; sizes[k++] = 8;
    cols[k] = (void **)&f->f_cost; sizes[k++] = 8;
    cols[k] = (void **)&f->fnodes; sizes[k++] = 8;
    cols[k] = (void **)&f->fq; sizes[k++] = 8;
    cols[k] = (void **)&f->fq_tkn; sizes[k++] = 8;
    cols[k] = (void **)&f->fcum; sizes[k++] = 4;
    for (int c = 0; c < FARM_SITES; c++) {
        cols[k] = (void **)&f->pe[c]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_pay[c]; sizes[k++] = 8;
        cols[k] = (void **)&f->om[c]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_w[c]; sizes[k++] = 8;
    }
    for (int s = 0; s < STRAT_COUNT; s++) {
        cols[k] = (void **)&f->acct[s]; sizes[k++] = sizeof(acct_id);
        cols[k] = (void **)&f->act[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->capy[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->ema[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->neg[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_inc[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_cost[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_tkn[s]; sizes[k++] = 8;
        cols[k] = (void **)&f->ep_wt[s]; sizes[k++] = 8;
    }
}

void farm_pop_free(farm_pop *f)
{
    void **cols[N_SCALAR + N_PER * STRAT_COUNT];
    size_t sizes[N_SCALAR + N_PER * STRAT_COUNT];
    columns(f, cols, sizes);
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
        free(*cols[k]);
    memset(f, 0, sizeof *f);
}

/* USD one unit of a strategy costs per day (stake: per USD staked, its hurdle). */
static double unit_cost(const crc_params *p, int s)
{
    double cap_rate = p->def_capital_cost / 365.0;
    switch (s) {
    case STRAT_SYBIL:
        return p->farm_sybil_identity + p->farm_sybil_rate * p->farm_sybil_cost +
               p->def_stake_prov * cap_rate;
    case STRAT_WASH:
        return p->farm_wash_price + p->farm_wash_cost;
    case STRAT_FAKE:
        return p->farm_fake_cost + p->def_stake_node * cap_rate;
    default:
        return 1.0;
    }
}

static double mix(const crc_params *p, int s)
{
    double m[STRAT_COUNT] = {p->farm_mix_sybil, p->farm_mix_wash, p->farm_mix_fake,
                             p->farm_mix_stake};
    double sum = m[0] + m[1] + m[2] + m[3];
    return sum > 0 ? m[s] / sum : 0.0;
}

/* Stakes up to / unstakes down to `usd` worth of TKN for the stake account. */
static void stake_to(world *w, acct_id a, double usd, double t)
{
    staking *st = w->tok->stake;
    double price = amm_price(w->A);
    if (!(price > 0))
        return;
    double have = staking_staked(st, a), want = usd / price;
    if (want > have * (1 + 1e-9)) {
        double tkn = amm_buy(w->A, w->L, a, (want - have) * price);
        if (tkn > 0)
            staking_stake(st, w->L, a, fmin(tkn, ledger_balance(w->L, a)));
    } else if (want < have) {
        staking_unstake(st, a, have - want, t);
    }
}

/* Fake nodes farmer k runs this epoch: its activity a, rounded at random (floor(a + U),
 * U uniform), so that on average it runs a. */
static double fake_count(world *w, uint32_t k)
{
    double a = w->atk->fm.act[STRAT_FAKE][k];
    return a > 0 ? floor(a + gsl_rng_uniform(atk_rng(w, ATK_RNG_FARM))) : 0;
}

/* A new farmer in slot k: with only = -1 it runs the scenario's mix (the farmers.count
 * at t = 0), else strategy `only` with its whole budget (an entrant). */
static int farmer_new(world *w, acct_id owner, double budget, double t, int only)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    uint32_t k;
    if (f->n_free) {
        k = f->free_list[--f->n_free];
    } else {
        void **cols[N_SCALAR + N_PER * STRAT_COUNT];
        size_t sizes[N_SCALAR + N_PER * STRAT_COUNT];
        columns(f, cols, sizes);
        if (wld_grow_soa(&f->cap, f->n + 1, sizeof sizes / sizeof *sizes, cols, sizes))
            return -1;
        if (wld_grow((void **)&as->wash_dwt, sizeof *as->wash_dwt, &as->cap_dwt, f->cap))
            return -1;
        k = f->n++;
        f->fcum[k] = k > 0 ? f->fcum[k - 1] : 0; /* no fake node routed to it yet */
    }
    f->alive[k] = 1;
    f->owner[k] = owner;
    f->dn[k] = (uint32_t)gsl_rng_uniform_int(atk_rng(w, ATK_RNG_FARM), w->dn.n);
    f->seen[k] = w->epoch;
    f->sybil_score[k] = f->points[k] = f->stake_b0[k] = f->stake_u0[k] = 0;
    f->f_inc[k] = f->f_cost[k] = f->fq[k] = f->fq_tkn[k] = 0;
    for (int c = 0; c < FARM_SITES; c++)
        f->pe[c][k] = f->ep_pay[c][k] = f->om[c][k] = f->ep_w[c][k] = 0;
    for (int s = 0; s < STRAT_COUNT; s++) {
        double m = only < 0 ? mix(p, s) : (double)(s == only), u = unit_cost(p, s);
        f->capy[s][k] = m > 0 && u > 0 ? m * budget / u : 0.0;
        f->act[s][k] = p->farm_initial * f->capy[s][k];
        f->ema[s][k] = f->neg[s][k] = f->ep_inc[s][k] = f->ep_cost[s][k] = f->ep_tkn[s][k] = f->ep_wt[s][k] = 0;
        f->acct[s][k] = UINT32_MAX;
        if (f->act[s][k] > 0) {
            f->acct[s][k] = ledger_open(w->L, s == STRAT_FAKE ? CLS_FAKE_COMPUTE : CLS_FARMER);
            if (f->acct[s][k] == UINT32_MAX)
                return -1;
        }
    }
    if (atk_acct_reserve(w, owner))
        return -1;
    as->slot_of[owner] = k + 1;
    f->live++;
    /* Its fake nodes claim work from the epoch it arrives in (they take queries from
     * the next, farm_reconsider). */
    f->fnodes[k] = fake_count(w, k);
    if (f->act[STRAT_STAKE][k] > 0)
        stake_to(w, f->acct[STRAT_STAKE][k], f->act[STRAT_STAKE][k], t);
    return 0;
}

static void farmer_retire(world *w, uint32_t k, double t)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    for (int s = 0; s < STRAT_COUNT; s++) {
        acct_id a = f->acct[s][k];
        f->act[s][k] = 0;
        if (a == UINT32_MAX)
            continue;
        if (s == STRAT_STAKE)
            staking_unstake(w->tok->stake, a, staking_staked(w->tok->stake, a), t);
        wld_sell(w, a, 1.0);
        wld_gone_add(w, a); /* vesting releases and unbonded stake are sold on arrival */
    }
    /* Its sybils' attribution share is retired like a departing provider's. */
    uint32_t d = f->dn[k];
    w->dn.score[d] -= f->sybil_score[k];
    if (w->dn.score[d] < 0)
        w->dn.score[d] = 0;
    if (f->owner[k] < as->cap_acct)
        as->slot_of[f->owner[k]] = 0;
    f->alive[k] = 0;
    f->free_list[f->n_free++] = k;
    f->live--;
    f->done++;
    f->done_profitable += f->f_inc[k] > f->f_cost[k];
    f->done_profit_usd += f->f_inc[k] - f->f_cost[k];
}

/* ---- one epoch: activity ----------------------------------------------------------- */

static void sybil_epoch(world *w, uint32_t k, double dt)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    gsl_rng *r = atk_rng(w, ATK_RNG_FARM);
    double n = f->act[STRAT_SYBIL][k];
    double lam = n * p->farm_sybil_rate * dt;
    unsigned K = lam > 0 ? gsl_ran_poisson(r, lam) : 0;
    double cost = n * (p->farm_sybil_identity + p->def_stake_prov * p->def_capital_cost / 365.0) * dt +
                  K * p->farm_sybil_cost;
    unsigned dup = gsl_ran_binomial(r, p->farm_sybil_dup, K);
    unsigned rej = gsl_ran_binomial(r, p->data_dedup, dup);
    unsigned acc = K - rej, dup_acc = dup - rej;
    unsigned aud = gsl_ran_binomial(r, p->def_audit_rate, acc);
    unsigned det = gsl_ran_binomial(r, p->def_detect_spam, aud);
    unsigned A = acc - det;
    unsigned dupA = A > 0 ? gsl_ran_hypergeometric(r, dup_acc, acc - dup_acc, A) : 0;
    w->ep_audits += aud;
    w->ep_detected += det;
    if (det > 0) {
        cost += def_slash(w, f->acct[STRAT_SYBIL][k], CLS_FARMER, det * p->def_slash * p->def_bond, 0);
        /* Penalty points fall on the farmer's pool of identities: every
         * defense.penalty.ban points ban one identity. */
        f->points[k] += det;
        if (p->def_ban_points > 0) {
            double bans = floor(f->points[k] / p->def_ban_points);
            if (bans > n)
                bans = ceil(n);
            f->points[k] -= bans * p->def_ban_points;
            f->act[STRAT_SYBIL][k] = fmax(0.0, n - bans);
            as->ep_banned += bans;
            as->banned_total += bans;
        }
    }
    uint32_t d = f->dn[k];
    double q = p->farm_sybil_quality;
    w->dn.count[d] += A;
    w->dn.dups[d] += dupA;
    w->dn.qvol[d] += (double)(A - dupA) * q; /* duplicates add nothing to V */
    double sc = (double)A * q; /* the mean of A attribution draws */
    w->dn.score[d] += sc;
    f->sybil_score[k] += sc;
    f->ep_wt[STRAT_SYBIL][k] = p->emission_basis_data == BASIS_DATA_VOLUME ? (double)A
                              : p->emission_basis_data == BASIS_DATA_QUALITY ? (double)A * q
                              : 0.0; /* attribution: set once the fees are known */
    f->ep_cost[STRAT_SYBIL][k] += cost;
}

static void wash_epoch(world *w, uint32_t k, double dt)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    gsl_rng *r = atk_rng(w, ATK_RNG_FARM);
    acct_id a = f->acct[STRAT_WASH][k];
    double nq = f->act[STRAT_WASH][k] * dt;
    double n = floor(nq + gsl_rng_uniform(r));
    double cost = p->def_stake_model * p->def_capital_cost / 365.0 * dt;
    as->wash_dwt[k] = 0;
    if (n > 0) {
        double price = p->farm_wash_price, fee = n * price;
        fee_split fs;
        fee_split_usd(p, fee, &fs);
        double tkn;
        double sc = wld_fee_buy(w, a, &fs, &tkn);
        double ds = p->farm_wash_data_share;
        uint32_t d = f->dn[k];
        /* The model share and its own data share stay with the farmer. */
        double others = wld_pay(w, a, w->pool, fs.data * (1 - ds) * sc);
        w->dn.fee_tkn[d] += others;
        w->dn.fee_usd[d] += fee;
        /* A node serves the batch, drawn on the adversary's stream (node_route would
         * consume the consumers' routing draws). */
        uint32_t node = w->nd.n_active > 0
                            ? w->nd.active[gsl_rng_uniform_int(r, w->nd.n_active)]
                            : UINT32_MAX;
        if (node != UINT32_MAX) {
            double tc = wld_pay(w, a, w->nd.r[node].acct, fs.compute * sc);
            w->nd.r[node].ep_tkn += tc;
            w->cls[CLS_COMPUTE].ep_tkn += tc;
            w->nd.r[node].ep_work += n;
            int reg = w->nd.r[node].region;
            w->nd.r[node].ep_cost += w->region_cost[reg] * n;
            w->region_work[reg] += n;
        } else {
            wld_pay(w, a, ledger_system(w->L, CLS_TREASURY), fs.compute * sc);
        }
        wld_fee_rest(w, a, fs.stakers * sc, fs.treasury * sc, fs.burn * sc);
        w->ep_wash_queries += n;
        w->ep_wash_fee_usd += fee;
        as->ep_wash_fee_tkn += tkn;
        /* Wash detection flags a share rho; flagged fees earn no usage-linked emission. */
        double flagged = p->def_wash_recall > 0 ? gsl_ran_binomial(r, p->def_wash_recall, (unsigned)n) : 0;
        double un = (n - flagged) / n;
        f->ep_wt[STRAT_WASH][k] = p->emission_basis_model == BASIS_MODEL_QUERIES ? n * un : fee * un;
        as->wash_dwt[k] = fs.data * ds * sc * un; /* its attributed data fees */
        cost += fee + n * p->farm_wash_cost;
    }
    f->ep_cost[STRAT_WASH][k] += cost;
}

static void fake_epoch(world *w, uint32_t k, double dt)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    gsl_rng *r = atk_rng(w, ATK_RNG_FARM);
    double nodes = f->fnodes[k];
    /* Each node claims J jobs of verified work, plus its share of the consumer queries
     * the farmer's nodes took (every one of them a job it did not do). */
    double J = p->farm_fake_claims * dt + (nodes > 0 ? f->fq[k] / nodes : 0);
    double P = def_catch_prob(p->def_verify_rate, p->def_verify_catch, J);
    unsigned caught = P > 0 && nodes > 0 ? gsl_ran_binomial(r, P, (unsigned)nodes) : 0;
    double cost = nodes * (p->farm_fake_cost + p->def_stake_node * p->def_capital_cost / 365.0) * dt;
    if (caught > 0) {
        /* Caught nodes are slashed, ejected, and their claims this epoch are void; the
         * operator is linked to them, so its unvested rewards are clawed back. */
        cost += def_slash(w, f->acct[STRAT_FAKE][k], CLS_FAKE_COMPUTE,
                          caught * p->def_slash * p->def_stake_node, 1);
        as->ep_caught += caught;
        w->ep_detected += caught;
        /* What runs on is what was not caught: when every node fielded was caught no
         * fractional remainder of the activity lives on to field an unverified one. */
        f->act[STRAT_FAKE][k] = fmax(0.0, fmin(f->act[STRAT_FAKE][k] - caught, nodes - caught));
    }
    f->ep_wt[STRAT_FAKE][k] = (nodes - caught) * J;
    f->ep_cost[STRAT_FAKE][k] += cost;
}

void farm_fake_served(world *w, uint32_t j, double tkn)
{
    farm_pop *f = &w->atk->fm;
    /* fcum is nondecreasing over the slots: the first slot whose count exceeds j */
    uint32_t lo = 0, hi = f->n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->fcum[mid] > j)
            hi = mid;
        else
            lo = mid + 1;
    }
    f->fq[lo] += 1;
    f->fq_tkn[lo] += tkn;
    w->atk->ep_fake_queries += 1;
}

/* The fake nodes that take queries until the next epoch ends: each live farmer's count,
 * drawn anew, and the router's index over them (fcum, w->fake_n). */
static void fake_route_table(world *w)
{
    farm_pop *f = &w->atk->fm;
    double total = 0;
    for (uint32_t k = 0; k < f->n; k++) {
        f->fnodes[k] = f->alive[k] ? fake_count(w, k) : 0;
        total += f->fnodes[k];
        f->fcum[k] = (uint32_t)fmin(total, (double)(UINT32_MAX >> 2));
    }
    w->fake_n = f->n > 0 ? f->fcum[f->n - 1] : 0;
}

/* ---- one epoch: pay ---------------------------------------------------------------- */

static double honest_data_weight(const world *w)
{
    const wld_providers *pv = &w->pv;
    int basis = w->p.emission_basis_data;
    double W = 0;
    for (uint32_t i = 0; i < pv->n; i++) {
        const wld_prov *v = &pv->r[i];
        uint32_t d = v->dn;
        W += basis == BASIS_DATA_VOLUME ? v->ep_count
           : basis == BASIS_DATA_ATTRIBUTION
               ? (w->dn.score[d] > 0 ? w->dn.fee_tkn[d] * v->score / w->dn.score[d] : 0)
               : v->ep_qvol;
    }
    return W;
}

/* The strategy each pay site pays. */
static const int site_strat[FARM_SITES] = {STRAT_WASH, STRAT_WASH, STRAT_SYBIL, STRAT_FAKE};

/* Pays pool `pool` to the farmers' strategy accounts of pay site c in proportion to
 * weights wt against the weight Wh already claimed by others, each at most cap TKN per
 * unit of weight (the reward cap; INFINITY for none); class cls. Returns what was paid.
 * Records for the exit test (docs/model.md §11) the pool it divided and its honest
 * weight Whon (Wh less any farmers' weight in it), and each farmer's weight and pay here
 * this epoch (ep_w, ep_pay). */
static double pay_pool(world *w, int pool, int c, const double *wt, double Wh, double Whon,
                       int cls, double t, double cap)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    token *tok = w->tok;
    int s = site_strat[c];
    double Wf = 0;
    for (uint32_t k = 0; k < f->n; k++)
        if (f->alive[k] && f->acct[s][k] != UINT32_MAX)
            Wf += wt[k];
    double B = emission_left(&tok->em, pool);
    /* Under a reward cap the undiluted pay per unit is at most cap. */
    f->site_b[c] = B > 0 ? (isfinite(cap) ? fmin(B, cap * Whon) : B) : 0;
    f->site_wh[c] = Whon;
    if (!(Wf > 0) || !(B > 0))
        return 0;
    double paid = 0, W = Wh + Wf;
    for (uint32_t k = 0; k < f->n; k++) {
        if (!f->alive[k] || f->acct[s][k] == UINT32_MAX || !(wt[k] > 0))
            continue;
        double got = emission_pay(&tok->em, w->L, tok->vest, pool, f->acct[s][k],
                                  fmin(B * wt[k] / W, cap * wt[k]), t);
        f->ep_tkn[s][k] += got;
        f->ep_pay[c][k] = got;
        f->ep_w[c][k] = wt[k];
        w->cls[cls].ep_tkn += got;
        paid += got;
    }
    return paid;
}

static void sync(world *w, double t)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    for (uint32_t i = 0; i < w->fm.n; i++) {
        acct_id a = w->fm.acct[i];
        if (atk_acct_reserve(w, a))
            continue;
        uint32_t k = as->slot_of[a];
        if (k == 0) {
            if (farmer_new(w, a, w->fm.usd[i], t, -1))
                continue;
        } else {
            f->seen[k - 1] = w->epoch;
        }
    }
    for (uint32_t k = 0; k < f->n; k++)
        if (f->alive[k] && f->seen[k] != w->epoch)
            farmer_retire(w, k, t); /* its farmer left the population */
}

void farm_pay(world *w, double t0, double t1)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    double dt = t1 - t0;
    def_charge_stakes(w, dt);
    /* The compute fee share of the queries fake nodes took, held in the consumers' pool
     * like every fee share until now. */
    for (uint32_t k = 0; k < f->n; k++) {
        if (!(f->fq_tkn[k] > 0))
            continue;
        double got = f->alive[k] ? wld_pay(w, w->pool, f->acct[STRAT_FAKE][k], f->fq_tkn[k]) : 0;
        f->ep_tkn[STRAT_FAKE][k] += got;
        w->cls[CLS_FAKE_COMPUTE].ep_tkn += got;
        w->atk->ep_fake_fee_tkn += got;
        f->fq_tkn[k] = 0;
    }
    sync(w, t0);
    if (f->live == 0) {
        as->ep_compute_tkn = emission_left(&w->tok->em, POOL_COMPUTE);
        return;
    }
    for (int c = 0; c < FARM_SITES; c++)
        f->site_b[c] = f->site_wh[c] = 0;
    for (uint32_t k = 0; k < f->n; k++) {
        if (!f->alive[k])
            continue;
        for (int s = 0; s < STRAT_COUNT; s++)
            f->ep_wt[s][k] = 0;
        for (int c = 0; c < FARM_SITES; c++)
            f->ep_pay[c][k] = f->ep_w[c][k] = 0;
        if (f->act[STRAT_SYBIL][k] > 0)
            sybil_epoch(w, k, dt);
        if (f->act[STRAT_WASH][k] > 0)
            wash_epoch(w, k, dt);
        else
            as->wash_dwt[k] = 0;
        if (f->act[STRAT_FAKE][k] > 0)
            fake_epoch(w, k, dt);
        f->fq[k] = 0;
        acct_id sa = f->acct[STRAT_STAKE][k];
        if (sa != UINT32_MAX) {
            f->stake_b0[k] = ledger_balance(w->L, sa);
            f->stake_u0[k] = staking_unbonding(w->tok->stake, sa);
            f->ep_cost[STRAT_STAKE][k] += staking_staked(w->tok->stake, sa) * amm_price(w->A) *
                                          p->farm_stake_hurdle * dt / 365.0;
        }
    }

    /* Model pool: wash fees against the builders' fees (or queries). */
    int by_q = p->emission_basis_model == BASIS_MODEL_QUERIES;
    double Wb = 0;
    for (uint32_t b = 0; b < w->bd.n; b++)
        if (w->bd.r[b].alive)
            Wb += by_q ? w->bd.r[b].ep_queries : w->bd.r[b].ep_fee_usd;
    /* The reward cap (token_reward_cap) on the wash model's unflagged fee volume in
     * TKN: a weight is that fee in USD, or under the query basis that many queries. */
    double cap = token_reward_cap(p, t0) / amm_price(w->A) * (by_q ? p->farm_wash_price : 1);
    as->ep_wash_emission += pay_pool(w, POOL_MODEL, FARM_SITE_MODEL, f->ep_wt[STRAT_WASH], Wb, Wb,
                                     CLS_FARMER, t1, cap);

    /* Data pool: sybil data, and under attribution the wash farmers' attributed fees. */
    double Wp = honest_data_weight(w);
    if (p->emission_basis_data == BASIS_DATA_ATTRIBUTION) {
        for (uint32_t k = 0; k < f->n; k++) {
            uint32_t d = f->dn[k];
            if (f->alive[k])
                f->ep_wt[STRAT_SYBIL][k] = w->dn.score[d] > 0
                    ? w->dn.fee_tkn[d] * f->sybil_score[k] / w->dn.score[d] : 0;
        }
        /* Sequential pro-rata payments give everyone B·w/W_total as long as each call
         * counts every weight not yet paid as the honest part. */
        double Ws = 0;
        for (uint32_t k = 0; k < f->n; k++)
            if (f->alive[k] && f->acct[STRAT_SYBIL][k] != UINT32_MAX)
                Ws += f->ep_wt[STRAT_SYBIL][k];
        as->ep_wash_emission += pay_pool(w, POOL_DATA, FARM_SITE_DATA_WASH, as->wash_dwt, Wp + Ws,
                                         Wp, CLS_FARMER, t1, INFINITY);
    }
    pay_pool(w, POOL_DATA, FARM_SITE_DATA_SYBIL, f->ep_wt[STRAT_SYBIL], Wp, Wp, CLS_FARMER, t1,
             INFINITY);
    /* The sybils' data fee share by attribution (as pay_data does for providers). */
    for (uint32_t k = 0; k < f->n; k++) {
        uint32_t d = f->dn[k];
        acct_id a = f->acct[STRAT_SYBIL][k];
        if (!f->alive[k] || a == UINT32_MAX || !(w->dn.score[d] > 0) || !(f->sybil_score[k] > 0))
            continue;
        double got = wld_pay(w, w->pool, a, w->dn.fee_tkn[d] * f->sybil_score[k] / w->dn.score[d]);
        f->ep_tkn[STRAT_SYBIL][k] += got;
        w->cls[CLS_FARMER].ep_tkn += got;
    }

    /* Compute pool: fake claims against the honest nodes' work. */
    double Wn = 0;
    for (uint32_t n = 0; n < w->nd.n; n++)
        if (w->nd.r[n].alive)
            Wn += w->nd.r[n].ep_work;
    as->ep_compute_tkn = emission_left(&w->tok->em, POOL_COMPUTE);
    as->ep_fake_tkn += pay_pool(w, POOL_COMPUTE, FARM_SITE_COMPUTE, f->ep_wt[STRAT_FAKE], Wn,
                                Wn, CLS_FAKE_COMPUTE, t1, INFINITY);
}

/* ---- one epoch: books ------------------------------------------------------------- */

void farm_settle(world *w, double t0, double t1, double price)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    double dt = t1 - t0;
    double g = 1.0 - exp(-dt / p->farm_window);
    double sell = price * (1.0 - p->amm_fee); /* USD per TKN of pool pay, for the exit test */
    f->sell = sell;
    for (int c = 0; c < FARM_SITES; c++) {
        f->site_bbar[c] += g * (f->site_b[c] / dt - f->site_bbar[c]);
        f->site_whbar[c] += g * (f->site_wh[c] / dt - f->site_whbar[c]);
    }
    for (uint32_t k = 0; k < f->n; k++) {
        if (!f->alive[k])
            continue;
        for (int s = 0; s < STRAT_COUNT; s++) {
            acct_id a = f->acct[s][k];
            if (a == UINT32_MAX)
                continue;
            double share = 1.0;
            if (s == STRAT_STAKE) {
                /* The stake account receives rewards and returning principal: only
                 * the rewards are income (the principal's price change is not booked). */
                double rel = f->stake_u0[k] - staking_unbonding(w->tok->stake, a);
                rel = rel > 0 ? rel : 0;
                double bal = ledger_balance(w->L, a);
                double rew = bal - f->stake_b0[k] - rel;
                rew = rew > 0 ? rew : 0;
                share = bal > 0 ? rew / bal : 0;
                f->ep_tkn[s][k] += rew;
                w->cls[CLS_FARMER].ep_tkn += rew;
            }
            double usd = wld_sell(w, a, 1.0) * share;
            f->ep_inc[s][k] += usd;
            int cls = s == STRAT_FAKE ? CLS_FAKE_COMPUTE : CLS_FARMER;
            w->cls[cls].ep_income_usd += f->ep_inc[s][k];
            w->cls[cls].ep_cost += f->ep_cost[s][k];
            f->cum_inc[s] += f->ep_inc[s][k];
            f->cum_cost[s] += f->ep_cost[s][k];
            f->ep_sinc[s] += f->ep_inc[s][k];
            f->ep_scost[s] += f->ep_cost[s][k];
            f->f_inc[k] += f->ep_inc[s][k];
            f->f_cost[k] += f->ep_cost[s][k];
            f->cum_tkn[s] += f->ep_tkn[s][k];
            double act = f->act[s][k];
            if (act > 0) {
                double u = (f->ep_inc[s][k] - f->ep_cost[s][k]) / (act * dt);
                f->ema[s][k] += g * (u - f->ema[s][k]);
                for (int c = 0; c < FARM_SITES; c++)
                    if (site_strat[c] == s)
                    {
                        f->pe[c][k] += g * (f->ep_pay[c][k] * sell / (act * dt) - f->pe[c][k]);
                        f->om[c][k] += g * (f->ep_w[c][k] / (act * dt) - f->om[c][k]);
                    }
            }
            f->ep_inc[s][k] = f->ep_cost[s][k] = f->ep_tkn[s][k] = 0;
        }
    }
    /* Each strategy's trailing return over all farmers (it drives entry); a strategy
     * nobody runs keeps its last return as its ratio decays. */
    double gc = wld_acc_gain(dt, p->agents_window);
    for (int s = 0; s < STRAT_COUNT; s++) {
        wld_acc_step(&f->acc[s], f->ep_sinc[s], f->ep_scost[s], dt, gc);
        f->ep_sinc[s] = f->ep_scost[s] = 0;
    }
}

/* ---- one epoch: adapt ------------------------------------------------------------- */

double farm_undiluted(const farm_pop *f, int s, uint32_t k)
{
    double u0 = f->ema[s][k];
    for (int c = 0; c < FARM_SITES; c++)
        if (site_strat[c] == s && f->site_whbar[c] > 0)
            u0 += f->sell * f->site_bbar[c] / f->site_whbar[c] * f->om[c][k] - f->pe[c][k];
    return u0;
}

/* New farmers, by strategy: strategy s attracts capital on its own trailing return
 * (wld_entry_rate with base m_s·farmers.entry, the farmers running s and agents.probe),
 * drawn on the adversary's entry stream; each entrant runs s with its whole budget. */
static int enter(world *w, double t, double dt)
{
    farm_pop *f = &w->atk->fm;
    const crc_params *p = &w->p;
    for (int s = 0; s < STRAT_COUNT; s++) {
        double m = mix(p, s);
        if (!(m > 0))
            continue;
        double rate = wld_entry_rate(p, m * p->farm_entry, &f->acc[s], (double)f->running[s],
                                     p->agents_probe);
        unsigned n = rate > 0 ? gsl_ran_poisson(atk_rng(w, ATK_RNG_ENTRY), rate * dt) : 0;
        while (n--) {
            if (w->ops.farmer_birth(w, t))
                return -1;
            uint32_t i = w->fm.n - 1;
            if (farmer_new(w, w->fm.acct[i], w->fm.usd[i], t, s))
                return -1;
            f->running[s]++;
        }
    }
    return 0;
}

int farm_reconsider(world *w, double t, double dt)
{
    atk_state *as = w->atk;
    farm_pop *f = &as->fm;
    const crc_params *p = &w->p;
    double step = p->farm_adapt * dt;
    for (int s = 0; s < STRAT_COUNT; s++)
        f->running[s] = 0;
    for (uint32_t k = 0; k < f->n; k++) {
        if (!f->alive[k])
            continue;
        int any = 0;
        for (int s = 0; s < STRAT_COUNT; s++) {
            /* The exit test counts the days the undiluted estimate (what the strategy
             * would earn per unit were the farmers' weight in its pools vanishing, the
             * best any activity of it can do) was negative; the activity follows the
             * realised estimate (docs/model.md §11). */
            f->neg[s][k] = farm_undiluted(f, s, k) < 0 ? f->neg[s][k] + dt : 0;
            double a = farm_adapt(f->act[s][k], f->capy[s][k], f->ema[s][k], step, f->neg[s][k],
                                  p->farm_patience);
            f->act[s][k] = a;
            any |= a > 0;
            f->running[s] += a > 0;
        }
        if (f->acct[STRAT_STAKE][k] != UINT32_MAX)
            stake_to(w, f->acct[STRAT_STAKE][k], f->act[STRAT_STAKE][k], t);
        if (!any) {
            acct_id owner = f->owner[k];
            farmer_retire(w, k, t);
            for (uint32_t i = 0; i < w->fm.n; i++)
                if (w->fm.acct[i] == owner) {
                    w->ops.farmer_remove(w, i);
                    break;
                }
            continue;
        }
    }
    fake_route_table(w);
    /* Entrants after the router's table: their fake nodes claim work from their first
     * epoch but take queries only from the next, once verification has had a go. */
    if (enter(w, t, dt))
        return -1;
    w->cls[CLS_FAKE_COMPUTE].active = (long)w->fake_n;
    return 0;
}
