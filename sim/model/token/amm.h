/*
 * amm.h — constant-product market maker between TKN and USD (MODEL.md §3).
 *
 * Reserves x (TKN) and y (USD), invariant x·y = k. A swap of `in` (after fee f)
 * returns out = in·(1−f)·R_out / (R_in + in·(1−f)); the fee stays in the pool, so k
 * never decreases. Price = y / x USD per TKN. The pool's TKN side is the ledger's
 * CLS_AMM account: amm_buy/amm_sell move tokens on the ledger with RSN_PURCHASE /
 * RSN_SALE so the supply invariant covers the pool.
 *
 * Liquidity (docs/model.md §10, Liquidity providers): amm_add_liquidity and
 * amm_remove_liquidity change both reserves by the same factor (1 + φ), so the price
 * is unchanged and k scales by (1 + φ)²; LP shares scale with them. The value of one
 * share is (x·p + y)/shares = 2y/shares.
 */
#ifndef CRC_AMM_H
#define CRC_AMM_H

#include <math.h>

#include "model/token/ledger.h"

typedef struct amm {
    double x;      /* TKN reserve (mirrors the CLS_AMM ledger balance) */
    double y;      /* USD reserve                                      */
    double fee;    /* swap fee f in [0, 1)                              */
    double usd_in, usd_out; /* cumulative USD paid in / taken out      */
    double shares; /* LP shares outstanding (2·y at genesis: 1 USD each) */
} amm;

/* Sets reserves x TKN and y USD and the fee; clears the cumulative counters. The
 * caller must already have put x TKN into the CLS_AMM ledger account (token_alloc
 * does this at genesis). */
void amm_init(amm *a, double x, double y, double fee);

double amm_price(const amm *a);
double amm_k(const amm *a);

/* Quotes without trading. */
double amm_quote_buy(const amm *a, double usd_in);   /* TKN out for usd_in USD */
double amm_quote_sell(const amm *a, double tkn_in);  /* USD out for tkn_in TKN */
double amm_usd_for_tkn(const amm *a, double tkn_out);/* USD needed to get tkn_out;
                                                        +INFINITY when tkn_out >= x */
double amm_tkn_for_usd(const amm *a, double usd_out);/* TKN to sell to get usd_out;
                                                        +INFINITY when usd_out >= y */

/* Buys TKN with usd_in USD (>= 0; the USD comes from outside the ledger) for account
 * `to`; returns TKN received (moved CLS_AMM -> to, RSN_PURCHASE). Negative or
 * non-finite usd_in trades nothing and returns 0. After every swap x·y >= the k
 * before it, also in floating point (the output is rounded down if needed). */
double amm_buy(amm *a, ledger *l, acct_id to, double usd_in);

/* out = in·(1−f)·R_out / (R_in + in·(1−f)) */
static inline double amm_swap_out_(double in, double fee, double r_in, double r_out)
{
    if (!(in > 0) || !isfinite(in))
        return 0;
    double eff = in * (1.0 - fee);
    return eff * r_out / (r_in + eff);
}

/* Lowers out until (r_out − out)·(r_in + in) >= r_in·r_out in floating point, so k
 * never decreases even with f = 0: the reserve left after the swap is bumped up by
 * one ulp at a time (out = r_out − that reserve), then, if rounding still bites, out
 * is shaved relatively. */
static inline double amm_keep_k_(double out, double in, double r_in, double r_out)
{
    double k = r_in * r_out, after = r_in + in;
    for (int i = 0; i < 8 && out > 0 && (r_out - out) * after < k; i++)
        out = r_out - nextafter(r_out - out, INFINITY);
    for (int i = 0; i < 64 && out > 0 && (r_out - out) * after < k; i++)
        out *= 1.0 - 1e-15 * (1 << (i < 30 ? i : 30));
    return out > 0 ? out : 0;
}

/* amm_keep_k_ out of line, for the rare swap whose rounding broke k (a caller tests
 * that first, as amm_keep_k_ does): its loops and their nextafter calls inline make
 * every swap save and restore registers. */
double amm_keep_k_slow(double out, double in, double r_in, double r_out);

/* amm_buy through a lane opened for (the CLS_AMM account, to, RSN_PURCHASE): the same
 * trade, inline, for a stream of purchases into one account (the consumers' queries). */
static inline double amm_buy_lane(amm *a, const ledger_lane *ln, double usd_in)
{
    double x = a->x, y = a->y, out = amm_swap_out_(usd_in, a->fee, y, x);
    if (!(out > 0))
        return 0;
    /* amm_keep_k_'s first test, inline: out stands when k holds */
    if ((x - out) * (y + usd_in) < y * x)
        out = amm_keep_k_slow(out, usd_in, y, x);
    if (ledger_lane_move(ln, out) != 0)
        return 0; /* cannot happen while x mirrors the pool balance (out < x) */
    a->x -= out;
    a->y += usd_in;
    a->usd_in += usd_in;
    return out;
}

/* Opens the lane amm_buy_lane needs for purchases into account to. */
void amm_buy_lane_open(ledger *l, ledger_lane *ln, acct_id to);

/* Sells tkn_in TKN from account `from` (must hold it; moved from -> CLS_AMM,
 * RSN_SALE); returns USD received (leaves the ledger), or -1 when the account holds
 * less or tkn_in is negative / not finite (nothing traded). */
double amm_sell(amm *a, ledger *l, acct_id from, double tkn_in);

/* Adds liquidity: both reserves and the shares grow by the factor 1 + phi (phi >= 0);
 * the TKN side, phi·x, comes from account `from` (RSN_LIQUIDITY), the USD side,
 * phi·y, from outside the ledger. phi is lowered to what `from` holds. Returns the
 * phi applied. */
double amm_add_liquidity(amm *a, ledger *l, acct_id from, double phi);

/* Removes the share phi in [0, 1) of the liquidity: phi·x TKN to account `to`
 * (RSN_LIQUIDITY), phi·y USD out of the ledger; the shares shrink by 1 − phi.
 * Returns the phi applied (0 for a phi outside [0, 1)). */
double amm_remove_liquidity(amm *a, ledger *l, acct_id to, double phi);

/* Value of one LP share at the pool's price, USD: (x·p + y)/shares = 2y/shares. */
double amm_share_value(const amm *a);

/* An LP's value against holding, for a no-fee pool whose price moved by the ratio r
 * (impermanent loss): 2√r/(1 + r) − 1 (<= 0, 0 at r = 1). */
double amm_il(double r);

/* Arbitrage against a reference price P with the pool's fee (g = 1 − f): the USD in
 * that maximises P·out(u) − u, u* = (√(g·P·k) − y)/g, positive only while g·P > y/x;
 * and the TKN in that maximises out(s) − P·s, s* = (√(g·k/P) − x)/g, positive only
 * while g·y/x > P. Each is 0 when the other side (or neither) is profitable. After
 * the trade the pool's marginal price including the fee equals P. */
double amm_arb_buy_usd(const amm *a, double P);
double amm_arb_sell_tkn(const amm *a, double P);

#endif
