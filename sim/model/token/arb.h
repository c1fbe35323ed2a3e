/*
 * arb.h — the reference (outside, CEX) price and the arbitrageurs who trade the pool
 * towards it (docs/model.md §10, "Price formation", Arbitrage).
 *
 * Reference price P (reference.mode): none; fixed at reference.price (read live, so a
 * scenario's interventions on it enter a price series); or a geometric random walk
 * from reference.price,
 *   ln P(t1) = ln P(t0) + (μ − σ²/2)·Δ/365 + σ·√(Δ/365)·Z,  Z ~ N(0, 1)
 * (μ = reference.drift, σ = reference.volatility), drawn from its own PCG stream.
 *
 * Arbitrage: once per epoch, after the other trades, one trade of the size that
 * maximises the arbitrageurs' gain (amm_arb_buy_usd / amm_arb_sell_tkn: the pool's
 * marginal price with the fee moves to P), capped by their capital C = arb.capital
 * (USD spent, or the USD value P·s of the TKN sold) and, for sales, by the outside
 * float they take the tokens from; made only when the gain (P·out − u, or out − P·s)
 * exceeds the cost per trade arb.cost. Bought tokens go to the float (sold outside);
 * sold tokens come from it (bought outside).
 */
#ifndef CRC_ARB_H
#define CRC_ARB_H

#include <gsl/gsl_rng.h>

#include "model/core/params.h"
#include "model/token/amm.h"
#include "model/token/ledger.h"

enum { REF_NONE, REF_FIXED, REF_WALK }; /* reference.mode */

typedef struct arb_state {
    gsl_rng *rng;          /* borrowed; NULL draws nothing (the walk keeps its drift) */
    double P;              /* reference price, USD/TKN (0 while off)                  */
    double usd_epoch;      /* signed USD of the last epoch's trade (+ buys TKN)       */
    double gain_epoch;     /* its gain net of the cost                                */
    double usd_total, gain_total;
    long trades;
} arb_state;

void arb_init(arb_state *s, const crc_params *p, gsl_rng *rng);

/* Advances the reference price over dt days; returns it (0 when off). */
double arb_reference(arb_state *s, const crc_params *p, double dt);

/* The epoch's trade against s->P from/to account `flt` (the outside float). Returns the
 * signed USD traded (+ bought from the pool, − received for a sale), 0 for none. */
double arb_trade(arb_state *s, const crc_params *p, amm *a, ledger *l, acct_id flt);

#endif
