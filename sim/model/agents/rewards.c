/*
 * rewards.c — settlement of one epoch (MODEL.md §4; docs/model.md §rewards).
 *
 * Order at the end of epoch [t0, t1]:
 *   0. the consumers' fees, held in their pool since each query: each builder's
 *      model share and each node's compute share, the stakers' share (into the
 *      staking fee pot), the treasury's share and the burnt share;
 *   1. token_epoch_begin: the emission budget per pool (gate on the external fees);
 *   2. the data pool divided by emission.basis.data (accepted volume, quality-weighted
 *      volume, or attributed usage), the model pool by emission.basis.model (fees or
 *      queries), the compute pool by verified work — each through emission_pay, so
 *      the vesting share is escrowed;
 *   3. the data share of the epoch's fees, held in the consumers' pool since each
 *      query, paid to each datanet's contributors by attribution score;
 *   4. token_epoch_end: staking (APR + fee pot), emission settle, vesting release,
 *      insider unlocks and sales, buyback and burn, exogenous market flow;
 *   5. agents sell agents.sell_share of what they hold; departed accounts sell all;
 *   6. every agent's income and cost of the epoch (USD at the price after the
 *      epoch's trades) enter its trailing return, and the class tallies.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <math.h>
#include <string.h>

#include "model/adversary/attack.h"

static double weight_data(const world *w, uint32_t i, int basis)
{
    const wld_providers *pv = &w->pv;
    const wld_prov *v = &pv->r[i];
    uint32_t d = v->dn;
    switch (basis) {
    case BASIS_DATA_VOLUME:
        return v->ep_count;
    case BASIS_DATA_ATTRIBUTION:
        return w->dn.score[d] > 0 ? w->dn.fee_tkn[d] * v->score / w->dn.score[d] : 0;
    default:
        return v->ep_qvol;
    }
}

static int prov_cls(int kind)
{
    return kind == PK_SPAMMER ? CLS_SPAMMER : kind == PK_POISONER ? CLS_POISONER : CLS_HONEST;
}

static void pay_data(world *w, double t, double dt, double *disc, double cut)
{
    wld_providers *pv = &w->pv;
    token *tok = w->tok;
    int basis = w->p.emission_basis_data;
    double B = emission_left(&tok->em, POOL_DATA), W = 0;
    for (uint32_t i = 0; i < pv->n; i++)
        W += weight_data(w, i, basis);
    /* Treasury grants (docs/model.md §10 "Treasury policy"): G TKN divided like the
     * data pool, paid at once (grants do not vest). */
    acct_id tre = ledger_system(w->L, CLS_TREASURY);
    double G = W > 0 ? treasury_grant_budget(&w->p, ledger_balance(w->L, tre), dt) : 0;
    double granted = 0;
    for (uint32_t i = 0; i < pv->n; i++) {
        double got = 0;
        double wi = W > 0 ? weight_data(w, i, basis) : 0;
        if (wi > 0 && B > 0) {
            got = emission_pay(&tok->em, w->L, tok->vest, POOL_DATA, pv->acct[i], B * wi / W, t);
            if (disc)
                disc[i] += cut * got;
        }
        if (wi > 0 && G > 0) {
            double g = fmin(G * wi / W, ledger_balance(w->L, tre));
            if (g > 0 && ledger_transfer(w->L, tre, pv->acct[i], g, RSN_GRANT) == 0) {
                granted += g;
                got += g;
            }
        }
        /* The data fee share by attribution score (MODEL.md §4). */
        uint32_t d = pv->r[i].dn;
        if (w->dn.score[d] > 0 && w->dn.fee_tkn[d] > 0 && pv->r[i].score > 0) {
            got += wld_pay(w, w->pool, pv->acct[i], w->dn.fee_tkn[d] * pv->r[i].score / w->dn.score[d]);
        }
        pv->ep_tkn[i] += got;
        w->cls[prov_cls(pv->r[i].kind)].ep_tkn += got;
        w->dn.rew_usd[d] += got; /* TKN for now; valued after the epoch's trades */
    }
    treasury_granted(&tok->tr, granted);
    /* Fees of datanets nobody holds a score in (and rounding) go to the treasury. */
    double left = ledger_balance(w->L, w->pool);
    if (left > 0)
        ledger_transfer(w->L, w->pool, ledger_system(w->L, CLS_TREASURY), left, RSN_FEE);
}

/* Pays an agent the fee shares it is owed (*ep_tkn) out of the consumers' pool; short of
 * that only if rounding has left the pool an ulp short. *ep_tkn and the class tally
 * follow what moved. */
static void pay_owed(world *w, acct_id a, double *ep_tkn, int cls)
{
    double owed = *ep_tkn;
    if (owed > 0) {
        double got = wld_pay(w, w->pool, a, owed);
        *ep_tkn = got;
        w->cls[cls].ep_tkn -= owed - got;
    }
}

/* Step 0: the shares of the epoch's queries' fees, held in the pool since each query. */
static void pay_fees(world *w)
{
    wld_builders *bd = &w->bd;
    for (uint32_t b = 0; b < bd->n; b++)
        pay_owed(w, bd->r[b].acct, &bd->r[b].ep_tkn, CLS_BUILDER);
    wld_nodes *nd = &w->nd;
    for (uint32_t n = 0; n < nd->n; n++)
        pay_owed(w, nd->r[n].acct, &nd->r[n].ep_tkn, CLS_COMPUTE);
    wld_fee_rest(w, w->pool, w->ep_fee_stakers, w->ep_fee_treasury, w->ep_fee_burn);
}

/* The model pool by fees or queries; with a reward cap (token_reward_cap, m for the
 * epoch from t0) a model gets at most m × its fee volume in TKN at the settlement price.
 * The farmers have claimed first (their pro-rata shares, capped the same way); the
 * builders divide what is left pro rata, and what the cap holds back from them stays
 * in the pool (emission.unpaid takes it). */
static void pay_models(world *w, double t0, double t, double *disc, double cut)
{
    wld_builders *bd = &w->bd;
    token *tok = w->tok;
    int by_queries = w->p.emission_basis_model == BASIS_MODEL_QUERIES;
    double B = emission_left(&tok->em, POOL_MODEL), W = 0;
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive)
            W += by_queries ? bd->r[b].ep_queries : bd->r[b].ep_fee_usd;
    if (!(W > 0 && B > 0))
        return;
    double m = token_reward_cap(&w->p, t0), price = amm_price(w->A);
    for (uint32_t b = 0; b < bd->n; b++) {
        double wb = bd->r[b].alive ? (by_queries ? bd->r[b].ep_queries : bd->r[b].ep_fee_usd) : 0;
        if (wb > 0) {
            double due = B * wb / W;
            if (isfinite(m))
                due = fmin(due, m * bd->r[b].ep_fee_usd / price);
            double got = emission_pay(&tok->em, w->L, tok->vest, POOL_MODEL, bd->r[b].acct, due, t);
            if (disc)
                disc[b] += cut * got;
            bd->r[b].ep_tkn += got;
            w->cls[CLS_BUILDER].ep_tkn += got;
        }
    }
}

static void pay_compute(world *w, double t, double *disc, double cut)
{
    wld_nodes *nd = &w->nd;
    token *tok = w->tok;
    double B = emission_left(&tok->em, POOL_COMPUTE), W = 0;
    for (uint32_t n = 0; n < nd->n; n++)
        if (nd->r[n].alive)
            W += nd->r[n].ep_work;
    if (!(W > 0 && B > 0))
        return;
    for (uint32_t n = 0; n < nd->n; n++) {
        if (nd->r[n].alive && nd->r[n].ep_work > 0) {
            double got = emission_pay(&tok->em, w->L, tok->vest, POOL_COMPUTE, nd->r[n].acct,
                                      B * nd->r[n].ep_work / W, t);
            if (disc)
                disc[n] += cut * got;
            nd->r[n].ep_tkn += got;
            w->cls[nd->r[n].fake ? CLS_FAKE_COMPUTE : CLS_COMPUTE].ep_tkn += got;
        }
    }
}

/* Departed accounts sell whatever reaches them; an account with nothing left to
 * receive is dropped from the list. */
static void liquidate_gone(world *w)
{
    token *tok = w->tok;
    uint32_t j = 0;
    for (uint32_t i = 0; i < w->n_gone; i++) {
        acct_id a = w->gone[i];
        wld_sell(w, a, 1.0);
        int pending = ledger_balance(w->L, a) > 0 || staking_staked(tok->stake, a) > 0 ||
                      staking_unbonding(tok->stake, a) > 0 || vesting_unvested(tok->vest, a) > 0;
        if (pending)
            w->gone[j++] = a;
    }
    w->n_gone = j;
}

/* g is the epoch's EMA gain, wld_acc_gain(dt, W): one exp per epoch, not per agent. */
static void account(world *w, int cls, wld_acc *acc, double income_usd, double cost_usd,
                    double dt, double g)
{
    wld_acc_step(acc, income_usd, cost_usd, dt, g);
    w->cls[cls].ep_income_usd += income_usd;
    w->cls[cls].ep_cost += cost_usd;
}

/* Sells share of a's balance; with px (returns.basis realised) records the USD per TKN
 * the sale fetched, 0 when it sold nothing (docs/model.md §10, Returns as agents see
 * them). */
static void sell(world *w, acct_id a, double share, double *px)
{
    double b = px ? ledger_balance(w->L, a) * share : 0;
    double usd = wld_sell(w, a, share);
    if (px)
        *px = b > 0 && usd > 0 ? usd / b : 0;
}

/* Earned TKN in USD as the agent's return counts them: less the discount on their
 * vesting part (disc, returns.discount), at the price its own sale fetched this epoch
 * when px holds one, else at the mid price. */
static double value_tkn(const double *px, const double *disc, size_t j, double tkn,
                        double price)
{
    if (disc)
        tkn -= disc[j];
    return px && px[j] > 0 ? tkn * px[j] : tkn * price;
}

int rew_settle(world *w, double t0, double t1)
{
    const crc_params *p = &w->p;
    token *tok = w->tok;
    double dt = t1 - t0;
    pay_fees(w);
    token_epoch_begin(tok, t0, t1, w->ep_ext_fee_tkn);
    atk_pay(w, t0, t1); /* farmers act and take their pro-rata shares first */
    /* With returns.basis realised the scratch's first half holds each seller's sale
     * price; with returns.discount its second half the TKN the discount takes off each
     * agent's emission rewards. Providers from 0, builders from o_bd, nodes from o_nd,
     * stakers from o_sk (the populations do not change until the accounting below). */
    wld_providers *pv = &w->pv;
    wld_builders *bd = &w->bd;
    wld_nodes *nd = &w->nd;
    wld_holders *sk = &w->sk;
    size_t o_bd = pv->n, o_nd = o_bd + bd->n, o_sk = o_nd + nd->n, N = o_sk + sk->n;
    double *px = NULL, *disc = NULL;
    if (p->returns_basis == 1 || p->returns_discount > 0) {
        if (wld_grow((void **)&w->scratch, sizeof *w->scratch, &w->cap_scratch,
                     (uint32_t)(2 * N + 1)))
            return CRC_ENOMEM;
        memset(w->scratch, 0, 2 * N * sizeof *w->scratch);
        px = p->returns_basis == 1 ? w->scratch : NULL;
        disc = p->returns_discount > 0 ? w->scratch + N : NULL;
    }
    /* The vesting part (1 − s) of a reward counted at its present value δ = (1 − e^−x)/x,
     * x = ρ·V/365: the reward is worth R·(1 − cut). */
    double x = p->returns_discount * p->vesting_days / 365.0;
    double cut = disc ? (1.0 - p->vesting_immediate) * (x > 0 ? 1.0 + expm1(-x) / x : 0) : 0;
    pay_data(w, t1, dt, disc, cut);
    pay_models(w, t0, t1, disc ? disc + o_bd : NULL, cut);
    pay_compute(w, t1, disc ? disc + o_nd : NULL, cut);

    for (uint32_t i = 0; i < sk->n; i++)
        sk->bal0[i] = ledger_balance(w->L, sk->acct[i]);
    token_epoch_end(tok, t0, t1);
    for (uint32_t i = 0; i < sk->n; i++) {
        double got = ledger_balance(w->L, sk->acct[i]) - sk->bal0[i];
        sk->ep_tkn[i] = got > 0 ? got : 0;
        w->cls[CLS_STAKER].ep_tkn += sk->ep_tkn[i];
    }

    /* Sales. */
    double share = p->agents_sell_share;
    for (uint32_t i = 0; i < pv->n; i++)
        sell(w, pv->acct[i], share, px ? px + i : NULL);
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive)
            sell(w, bd->r[b].acct, share, px ? px + o_bd + b : NULL);
    for (uint32_t n = 0; n < nd->n; n++)
        if (nd->r[n].alive && !nd->r[n].leaving)
            sell(w, nd->r[n].acct, share, px ? px + o_nd + n : NULL);
    for (uint32_t i = 0; i < sk->n; i++)
        sell(w, sk->acct[i], share, px ? px + o_sk + i : NULL);
    liquidate_gone(w);

    /* Income and cost, valued at the price after the epoch's trades (or, with
     * returns.basis realised, at each agent's own sale price). */
    double price = amm_price(w->A);
    double g = wld_acc_gain(dt, p->agents_window);
    for (uint32_t i = 0; i < pv->n; i++)
        account(w, prov_cls(pv->r[i].kind), &pv->acc[i],
                value_tkn(px, disc, i, pv->ep_tkn[i], price), pv->r[i].ep_cost, dt, g);
    for (uint32_t b = 0; b < bd->n; b++) {
        if (!bd->r[b].alive)
            continue;
        bd->r[b].ep_cost += bd->fixed_cost[b] * dt;
        account(w, CLS_BUILDER, &bd->acc[b],
                value_tkn(px, disc, o_bd + b, bd->r[b].ep_tkn, price), bd->r[b].ep_cost, dt, g);
    }
    double rinc[WLD_REGIONS] = {0}, rcost[WLD_REGIONS] = {0};
    for (uint32_t n = 0; n < nd->n; n++) {
        if (!nd->r[n].alive || nd->r[n].leaving)
            continue;
        nd->r[n].ep_cost += nd->fixed_cost[n] * dt;
        double inc = value_tkn(px, disc, o_nd + n, nd->r[n].ep_tkn + nd->ep_pay[n], price);
        account(w, nd->r[n].fake ? CLS_FAKE_COMPUTE : CLS_COMPUTE, &nd->acc[n], inc,
                nd->r[n].ep_cost, dt, g);
        rinc[nd->r[n].region] += inc;
        rcost[nd->r[n].region] += nd->r[n].ep_cost;
    }
    for (int r = 0; r < WLD_REGIONS; r++)
        if (rcost[r] > 0 || rinc[r] > 0)
            wld_acc_step(&w->region_acc[r], rinc[r], rcost[r], dt, g);
    double p0 = market_mark(&tok->mkt, price);
    for (uint32_t i = 0; i < sk->n; i++) {
        double staked = staking_staked(tok->stake, sk->acct[i]);
        double cost = p->stk_opportunity * staked * price * dt / 365.0;
        double inc = value_tkn(px, disc, o_sk + i, sk->ep_tkn[i], price);
        if (p->returns_mark_stake) /* principal marked to market; entrants from their cost */
            inc += sk->born[i] >= (float)t0 ? staked * price - sk->usd[i] : staked * (price - p0);
        account(w, CLS_STAKER, &sk->acc[i], inc, cost, dt, g);
    }
    for (uint32_t i = 0; i < w->fm.n; i++)
        account(w, CLS_FARMER, &w->fm.acc[i], 0, 0, dt, g);

    atk_settle(w, t0, t1, price);
    for (int c = 0; c < CLS_COUNT; c++) {
        wld_class *k = &w->cls[c];
        k->ep_usd = k->ep_tkn * price;
        k->cum_tkn += k->ep_tkn;
        k->cum_usd += k->ep_usd;
        k->cum_cost += k->ep_cost;
        k->cum_income_usd += k->ep_income_usd;
        wld_acc_step(&k->acc, k->ep_income_usd, k->ep_cost, dt, g);
    }
    for (uint32_t d = 0; d < w->dn.n; d++) {
        w->dn.fee_ema[d] += g * (w->dn.fee_usd[d] / dt - w->dn.fee_ema[d]);
        w->dn.rew_ema[d] += g * (w->dn.rew_usd[d] * price / dt - w->dn.rew_ema[d]);
    }
    return CRC_OK;
}
