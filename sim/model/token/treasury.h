/*
 * treasury.h — the fee split of a query and the treasury's buyback-and-burn (MODEL.md
 * §4; docs/model-token.md).
 *
 * A query fee of F USD is split by fees.* (model, data, compute, stakers, burn; their
 * sum is at most 1) and the treasury takes the rest, T = 1 − the others
 * (fees_treasury_share), so a proposal that changes one share funds it from, or
 * returns it to, the treasury. Of the treasury's share, a part b = fees.buyback stays
 * in USD: the consumer buys TKN on the AMM only for F − b·T·F and pays
 * b·T·F USD to the treasury's buyback fund (treasury_add_usd). Once per
 * epoch treasury_buyback spends the whole fund buying TKN on the AMM and burns it
 * (RSN_BUYBACK). Every TKN share is then paid from the consumer's account:
 *   model owner (RSN_FEE), data contributors by attribution (RSN_FEE), compute node
 *   (RSN_FEE), stakers via staking_fee, treasury (RSN_FEE), burn (ledger_burn,
 *   RSN_BURN).
 * The buyback therefore moves the price once per epoch with the fund, the way
 * treasury buyback programmes run, instead of at each query.
 *
 * Spending (treasury_spend, once per epoch of length dt, after the buyback): with
 * budget B = treasury.budget USD/month, runway target R = treasury.runway months and
 * the treasury's holdings X TKN at price P, the treasury raises
 *   u = min(B, P·X/R) · dt / M        (M = 30.4375 days; no min when R = 0)
 * USD by selling on the AMM exactly the TKN that fetch u (amm_tkn_for_usd), capped by
 * X. The USD leaves the economy (operating costs). Because u depends on X once the
 * runway binds, anything that changes the treasury's income (a fee burn taken from
 * its share) changes what reaches the pool. Grants (treasury.grants) are paid by the
 * settlement (agents/rewards.c) with treasury_grant_budget.
 */
#ifndef CRC_TREASURY_H
#define CRC_TREASURY_H

#include "model/token/amm.h"
#include "model/token/ledger.h"
#include "model/core/params.h"

/* A fee split into parts; the USD amounts sum to the fee. */
typedef struct fee_split {
    double model, data, compute, stakers, treasury, burn; /* paid in TKN, USD value */
    double buyback_usd;     /* kept in USD for the buyback fund                   */
    double tkn_usd;         /* model+data+compute+stakers+treasury+burn: the USD
                               the consumer converts to TKN on the AMM            */
} fee_split;

/* The explicit fee shares, model + data + compute + stakers + burn (at most 1: checked by
 * token_validate), and the treasury's share, what they leave (never below 0). */
double fees_explicit_sum(const crc_params *p);
double fees_treasury_share(const crc_params *p);

/* Splits a fee of fee_usd USD by the current fees.* parameters. The TKN parts scale
 * linearly: a part's TKN = tkn_bought × part / tkn_usd. */
void fee_split_usd(const crc_params *p, double fee_usd, fee_split *out);

/* fee_split_usd with the treasury's share given (fees_treasury_share(p), for a caller
 * that splits many fees under the same parameters). */
static inline void fee_split_usd_share(const crc_params *p, double tre_share, double fee_usd,
                                       fee_split *o)
{
    double tre = tre_share * fee_usd;
    o->model = p->fees_model * fee_usd;
    o->data = p->fees_data * fee_usd;
    o->compute = p->fees_compute * fee_usd;
    o->stakers = p->fees_stakers * fee_usd;
    o->burn = p->fees_burn * fee_usd;
    o->buyback_usd = p->fees_buyback * tre;
    o->treasury = tre - o->buyback_usd;
    o->tkn_usd = o->model + o->data + o->compute + o->stakers + o->treasury + o->burn;
}

typedef struct treasury {
    const crc_params *p;
    double usd;              /* buyback fund not yet spent                     */
    double usd_spent_epoch, burned_epoch;  /* last treasury_buyback           */
    double usd_spent_total, burned_total;
    double spent_usd_epoch, spent_tkn_epoch;  /* last treasury_spend            */
    double spent_usd_total, spent_tkn_total;
    double granted_epoch, granted_total;      /* TKN granted (treasury_granted) */
} treasury;

void treasury_init(treasury *tr, const crc_params *p);

/* Adds USD to the buyback fund (per query: fee_split.buyback_usd). */
void treasury_add_usd(treasury *tr, double usd);

/* Once per epoch: buys TKN with the whole fund into the treasury account and burns
 * exactly those TKN (RSN_BUYBACK). Returns the TKN burned. */
double treasury_buyback(treasury *tr, amm *a, ledger *l);

/* The USD the spending rule asks for over an epoch of dt days (formula above) when the
 * treasury holds x TKN at price `price`. */
double treasury_spend_usd(const crc_params *p, double x, double price, double dt);

/* Once per epoch of dt days: sells the treasury's TKN on the AMM for
 * treasury_spend_usd (RSN_SALE), never more TKN than it holds. Returns the USD
 * raised. */
double treasury_spend(treasury *tr, amm *a, ledger *l, double dt);

/* TKN the treasury grants over an epoch of dt days when it holds x TKN:
 * x · treasury.grants · dt / M, at most x. */
double treasury_grant_budget(const crc_params *p, double x, double dt);

/* Records g TKN granted this epoch (the settlement pays them). */
void treasury_granted(treasury *tr, double g);

#endif
