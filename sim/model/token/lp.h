/*
 * lp.h — liquidity providers: the pool's depth follows their return (docs/model.md §10,
 * "Price formation", Liquidity providers).
 *
 * The LPs are one aggregate outside population that owns the pool's shares (amm.h). At
 * each epoch they measure what one share earned over holding its reserves since the
 * last epoch, annualised:
 *   ret = (V1 − V_hold)/V0 · 365/Δ,  V0 = x̂0·p0 + ŷ0,  V_hold = x̂0·p1 + ŷ0,  V1 = x̂1·p1 + ŷ1
 * (x̂, ŷ the reserves per share): fee income minus impermanent loss. Its trailing value
 * ρ ← ρ + (1 − e^(−Δ/W))·(ret − ρ) (W = lp.window; ρ starts at market.outside_yield,
 * LPs in equilibrium at genesis) sets the change of depth
 *   φ = clamp(e·(ρ − r)·Δ/365, −lp.max_step, lp.max_step)   (e = lp.elasticity,
 *                                                             r = market.outside_yield)
 * added (φ > 0) or removed (φ < 0) proportionally, so the price does not move. The TKN
 * side comes from and returns to the outside float (`from`, CLS_MARKET): LPs source
 * their tokens on the outside market. With lp.enabled off nothing trades (the return is
 * still measured, so an intervention that switches LPs on starts from a fresh mark).
 */
#ifndef CRC_LP_H
#define CRC_LP_H

#include "model/core/params.h"
#include "model/token/amm.h"
#include "model/token/ledger.h"

typedef struct lp_state {
    double xs, ys;     /* reserves per share at the last mark                */
    double ret;        /* the last epoch's annualised return over holding    */
    double rho;        /* its trailing value                                  */
    double phi;        /* the depth change applied at the last epoch          */
} lp_state;

/* Marks the pool's per-share reserves; ρ starts at market.outside_yield. */
void lp_init(lp_state *s, const crc_params *p, const amm *a);

/* One epoch of length dt: measures ret and ρ, then (lp.enabled) adds or removes
 * liquidity against account `from`. Returns the φ applied. */
double lp_epoch(lp_state *s, const crc_params *p, amm *a, ledger *l, acct_id from, double dt);

#endif
