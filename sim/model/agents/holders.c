/*
 * holders.c — passive stakers and reward farmers (MODEL.md §2.5, §4; docs/model.md
 * §stakers, §farmers).
 *
 * A staker buys TKN with its stake (USD) on the AMM when it enters and stakes it; it
 * earns the staking APR and the stakers' fee share, sells what it earns, and when it
 * leaves unstakes (the tokens come back after the cooldown and are sold then).
 * Farmers exist here as a class with a budget and full accounting; their strategies
 * (sybil spam, wash consumption, fake compute, mercenary staking) come with the
 * adversary model.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <gsl/gsl_randist.h>

static int holder_grow(wld_holders *h)
{
    void **const cols[] = {(void **)&h->acct, (void **)&h->born, (void **)&h->usd,
                           (void **)&h->ep_tkn, (void **)&h->bal0, (void **)&h->acc};
    const size_t sizes[] = {sizeof(acct_id), 4, 8, 8, 8, sizeof(wld_acc)};
    return wld_grow_soa(&h->cap, h->n + 1, sizeof sizes / sizeof *sizes, cols, sizes);
}

static void holder_move(wld_holders *h, uint32_t i, uint32_t last)
{
    h->acct[i] = h->acct[last];
    h->born[i] = h->born[last];
    h->usd[i] = h->usd[last];
    h->ep_tkn[i] = h->ep_tkn[last];
    h->bal0[i] = h->bal0[last];
    h->acc[i] = h->acc[last];
}

int hold_staker_birth(world *w, double t)
{
    wld_holders *h = &w->sk;
    if (holder_grow(h))
        return -1;
    acct_id a = ledger_open(w->L, CLS_STAKER);
    if (a == UINT32_MAX)
        return -1;
    uint32_t i = h->n++;
    h->acct[i] = a;
    h->born[i] = (float)t;
    h->usd[i] = dist_sample(&w->p.stk_stake, wld_rng(w, RNG_STAKERS), 0, 1e12);
    h->ep_tkn[i] = h->bal0[i] = 0;
    h->acc[i] = (wld_acc){0, 0};
    double tkn = h->usd[i] > 0 ? amm_buy(w->A, w->L, a, h->usd[i]) : 0;
    if (tkn > 0 && staking_stake(w->tok->stake, w->L, a, tkn) == -2)
        return -1;
    w->cls[CLS_STAKER].active++;
    w->cls[CLS_STAKER].entered++;
    return 0;
}

void hold_staker_remove(world *w, uint32_t i, double t)
{
    wld_holders *h = &w->sk;
    acct_id a = h->acct[i];
    staking_unstake(w->tok->stake, a, staking_staked(w->tok->stake, a), t);
    wld_sell(w, a, 1.0);
    wld_gone_add(w, a);
    w->cls[CLS_STAKER].active--;
    w->cls[CLS_STAKER].exited++;
    uint32_t last = --h->n;
    if (i != last)
        holder_move(h, i, last);
}

int hold_farmer_birth(world *w, double t)
{
    wld_holders *h = &w->fm;
    if (holder_grow(h))
        return -1;
    acct_id a = ledger_open(w->L, CLS_FARMER);
    if (a == UINT32_MAX)
        return -1;
    uint32_t i = h->n++;
    h->acct[i] = a;
    h->born[i] = (float)t;
    h->usd[i] = dist_sample(&w->p.farm_budget, wld_rng(w, RNG_FARMERS), 0, 1e12);
    h->ep_tkn[i] = h->bal0[i] = 0;
    h->acc[i] = (wld_acc){0, 0};
    w->cls[CLS_FARMER].active++;
    w->cls[CLS_FARMER].entered++;
    return 0;
}

void hold_farmer_remove(world *w, uint32_t i)
{
    wld_holders *h = &w->fm;
    wld_sell(w, h->acct[i], 1.0);
    wld_gone_add(w, h->acct[i]);
    w->cls[CLS_FARMER].active--;
    w->cls[CLS_FARMER].exited++;
    uint32_t last = --h->n;
    if (i != last)
        holder_move(h, i, last);
}
