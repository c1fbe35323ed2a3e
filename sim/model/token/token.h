/*
 * token.h — the token economy of one run, assembled: ledger, AMM, emission, vesting,
 * staking, buyback, exogenous market (MODEL.md §3, §4; docs/model-token.md).
 *
 * The model owns one `token` per run (token_alloc / token_free) and reaches the parts
 * through its members. Genesis (inside token_alloc), with S = token.initial_supply:
 *   reserve    allocation.reserve·S    -> CLS_RESERVE        (pays emissions)
 *   team       allocation.team·S       -> CLS_VESTING_ESCROW (locked, plan TEAM)
 *   investors  allocation.investors·S  -> CLS_VESTING_ESCROW (locked, plan INVESTORS)
 *   ecosystem  allocation.ecosystem·S  -> CLS_ECOSYSTEM
 *   liquidity  allocation.liquidity·S  -> CLS_AMM, with y = amm.initial_price × that
 *   public     allocation.public·S     -> CLS_MARKET (outside traders)
 * all minted with RSN_MINT; two CLS_INSIDER accounts (team, investors) are opened.
 * Genesis is at t = 0, before epoch 1: it counts in ledger_minted_total, and the
 * epoch counters and flow tallies are reset after it. After genesis supply changes
 * only by burns.
 *
 * Per epoch [t0, t1], at settlement time t1, the model calls:
 *   token_epoch_begin(tok, t0, t1, ext_fee_tkn)  -> emission budgets per pool
 *   ... divides the data/model/compute pools by their bases with emission_pay ...
 *   token_epoch_end(tok, t0, t1)                 -> staking, emission settle,
 *        vesting release, insider unlocks and sales, buyback, exogenous flow
 *   ... samples metrics, writes flows ...
 *   ledger_epoch_reset(tok->ledger)
 * Parameters are read live from *p (the model's copy, which interventions change).
 */
#ifndef CRC_TOKEN_H
#define CRC_TOKEN_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "model/token/amm.h"
#include "model/token/emission.h"
#include "model/token/ledger.h"
#include "model/token/market.h"
#include "model/core/params.h"
#include "model/token/staking.h"
#include "model/token/treasury.h"
#include "model/token/vesting.h"
#include "util/err.h"

/* Checks the sums the registry's ranges cannot: allocation.* shares, emission.split.*
 * shares and fees.* shares (not fees.buyback) must each sum to 1 (within 1e-9).
 * CRC_EINPUT with a message naming the parameters, their sum and the fix.
 * model_validate calls it. */
int token_validate(const crc_params *p, crc_err *err);

typedef struct token {
    const crc_params *p;
    ledger *ledger;
    amm amm;
    emission em;
    vesting *vest;
    staking *stake;
    treasury tr;
    market mkt;
} token;

/* Allocates every part, performs genesis (above) and returns the economy; capacity is
 * the expected number of agent accounts (the ledger grows past it). market_rng is a
 * PCG stream the caller owns and frees after token_free (may be NULL when
 * market.enabled is false). NULL with err set (CRC_ENOMEM or, from token_validate,
 * CRC_EINPUT). */
token *token_alloc(const crc_params *p, size_t capacity, gsl_rng *market_rng, crc_err *err);
void token_free(token *tok);

/* Opens the epoch's emission: ext_fee_tkn is the epoch's external (non-wash) fee
 * volume in TKN, used by the emission gate (ignored when emission.gate.multiple is
 * 0). Returns the total budget. */
double token_epoch_begin(token *tok, double t0, double t1, double ext_fee_tkn);

/* Closes the epoch at t1 in this order: staking_epoch, emission_settle,
 * vesting_settle, vesting_unlock (insider unlock + sales), treasury_buyback,
 * market_epoch. */
void token_epoch_end(token *tok, double t0, double t1);

/* The reward cap multiplier m of the epoch starting at t0 (docs/model.md §5 "Reward
 * cap"): with d = rewards.cap.round_days, round r = floor(t0/d) + 1; no cap (INFINITY)
 * when rewards.cap.enabled is false or r < start_round (s); for s <= r <= end_round (e)
 *   m = initial + (final - initial)·(r - s)/(e - s)     (final when e = s),
 * and floor after e. A model's emission from the model pool is at most m × its fee
 * volume of the epoch in TKN. */
double token_reward_cap(const crc_params *p, double t0);

/* Supply outside the reserve and the escrows of locked insider tokens and unvested
 * rewards (staked tokens count as circulating). */
double token_circulating(const token *tok);

#endif
