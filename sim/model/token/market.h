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
 * Calls: market_epoch once per epoch (token_epoch_end does it).
 */
#ifndef CRC_MARKET_H
#define CRC_MARKET_H

#include <gsl/gsl_rng.h>

#include "model/token/amm.h"
#include "model/token/ledger.h"
#include "model/core/params.h"

typedef struct market {
    const crc_params *p;  /* read live                                     */
    gsl_rng *rng;         /* borrowed PCG stream; the caller frees it      */
    double flow;          /* F at the last epoch, USD/day                  */
    double usd_epoch;     /* signed USD traded at the last epoch (+ buys)  */
    double usd_bought, usd_sold; /* cumulative                             */
} market;

/* rng must be a stream from rng_stream_alloc (purpose of the caller's choosing). */
void market_init(market *m, const crc_params *p, gsl_rng *rng);

/* Advances the walk to t1 and trades the epoch's flow. Returns the signed USD traded
 * (+ bought, − sold). */
double market_epoch(market *m, amm *a, ledger *l, double t0, double t1);

#endif
