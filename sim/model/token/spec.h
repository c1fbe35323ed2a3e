/*
 * spec.h — holders and speculators: an outside population that holds TKN with a
 * demand responding to price momentum and to yield (docs/model.md §10, "Price
 * formation", Holders and speculators).
 *
 * The holders have wealth W = cash + h·p (USD; h their TKN, p the pool price) and
 * want the share
 *   w* = clamp(w0 + a_m·M + a_y·(Y − r), 0, 1)                    (spec_target)
 * of it in TKN: w0 = holders.weight, a_m = holders.momentum, a_y = holders.yield,
 * r = market.outside_yield; M the momentum, an EMA (time constant holders.window) of
 * the annualised log return ln(p/p_prev)·365/Δ between their epochs; Y the staking
 * yield of the epoch, APR paid plus fee (real) yield, annualised (staking_yield).
 * Each epoch they trade the share 1 − e^(−κ·Δ) (κ = holders.speed) of the gap
 * G = w*·W − h·p: buying G·(1 − e^(−κΔ)) USD of TKN (at most their cash), or selling
 * the TKN that fetches that much (at most h). At genesis (their first epoch) they hold
 * w0·C/p0 TKN taken from the outside float (C = holders.capital) and the rest in cash.
 * With holders.capital 0 they do not exist.
 */
#ifndef CRC_SPEC_H
#define CRC_SPEC_H

#include "model/core/params.h"
#include "model/token/amm.h"
#include "model/token/ledger.h"

typedef struct spec_state {
    acct_id acct;      /* their account (class market); UINT32_MAX when absent */
    double cash;       /* USD                                                  */
    double M;          /* momentum, 1/year                                     */
    double p_prev;     /* price at their last epoch                            */
    double target;     /* w* at the last epoch                                 */
    double usd_epoch;  /* signed USD traded at the last epoch (+ buys)         */
} spec_state;

/* w* above, from the momentum M and yield Y (both per year). */
double spec_target(const crc_params *p, double M, double Y);

/* Opens the holders' account and gives them their genesis position, taken from the
 * float account `flt` (capped by what it holds). Absent when holders.capital is 0. */
void spec_init(spec_state *s, const crc_params *p, const amm *a, ledger *l, acct_id flt);

/* One epoch of length dt with staking yield Y: updates M and w*, trades on the AMM.
 * Returns the signed USD traded. */
double spec_epoch(spec_state *s, const crc_params *p, amm *a, ledger *l, double Y, double dt);

#endif
