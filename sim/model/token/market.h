/*
 * market.h — the optional exogenous speculative flow (MODEL.md §3;
 * docs/model-token.md).
 *
 * Net speculative flow F(t) in USD/day follows a random walk with drift μ
 * (market.drift) and volatility σ (market.volatility), from F(0) = market.initial:
 *   F(t1) = F(t0) + μ·Δ + σ·√Δ·Z,   Z ~ N(0,1),   Δ = t1 − t0.
 * At each epoch the flow over the epoch, F(t1)·Δ USD, is executed on the AMM by the
 * outside traders' account (CLS_MARKET, seeded with allocation.public at genesis):
 * positive buys TKN with that many USD; negative sells the TKN that fetches that many
 * USD, capped by what the traders hold (they never short). Does nothing while
 * market.enabled is false (and draws nothing, so enabling it shifts no other stream).
 *
 * The price-formation mechanisms trade after that flow, in this order (each off by
 * default): holders and speculators (spec.h), one arbitrage trade against the
 * reference price (arb.h), then the liquidity providers' entry or exit (lp.h). They
 * start at the first epoch (the holders take their genesis position then). The outside
 * float CLS_MARKET is where arbitrageurs and LPs take tokens from and put them back.
 * Calls: market_epoch once per epoch (token_epoch_end does it), after staking_epoch
 * (the holders read the epoch's staking yield through m->stake, which the owner sets).
 */
#ifndef CRC_MARKET_H
#define CRC_MARKET_H

#include <gsl/gsl_rng.h>

#include "model/token/amm.h"
#include "model/token/arb.h"
#include "model/token/ledger.h"
#include "model/token/lp.h"
#include "model/core/params.h"
#include "model/token/spec.h"
#include "model/token/staking.h"

typedef struct market {
    const crc_params *p;  /* read live                                     */
    gsl_rng *rng;         /* borrowed PCG stream; the caller frees it      */
    double flow;          /* F at the last epoch, USD/day                  */
    double usd_epoch;     /* signed USD traded at the last epoch (+ buys)  */
    double usd_bought, usd_sold; /* cumulative                             */
    const staking *stake; /* the holders' yield (NULL: none); set by the owner */
    double p_mark;        /* price at the last market_mark (0: none yet)     */
    int started;          /* the mechanisms below were initialised           */
    spec_state sp;        /* holders and speculators                         */
    arb_state arb;        /* reference price and arbitrage (arb.rng: the owner's) */
    lp_state lp;          /* liquidity providers                             */
} market;

/* rng must be a stream from rng_stream_alloc (purpose of the caller's choosing). */
void market_init(market *m, const crc_params *p, gsl_rng *rng);

/* Advances the walk to t1 and trades the epoch's flow, then the price-formation
 * mechanisms. Returns the signed USD of the flow (+ bought, − sold). */
double market_epoch(market *m, amm *a, ledger *l, double t0, double t1);

/* Records the price the agents' returns are valued at this epoch and returns the one
 * recorded before (the same price at the first call): stakers' principal is marked
 * from one to the other. */
double market_mark(market *m, double price);

#endif
