/* amm.c — constant-product market maker x·y = k with the fee kept in the pool
 * (amm.h; MODEL.md §3; docs/model-token.md). */
#include "model/token/amm.h"

#include <math.h>

void amm_init(amm *a, double x, double y, double fee)
{
    a->x = x;
    a->y = y;
    a->fee = fee;
    a->usd_in = 0;
    a->usd_out = 0;
    a->shares = 2.0 * y;
}

double amm_price(const amm *a) { return a->x > 0 ? a->y / a->x : INFINITY; }
double amm_k(const amm *a) { return a->x * a->y; }

double amm_quote_buy(const amm *a, double usd_in) { return amm_swap_out_(usd_in, a->fee, a->y, a->x); }
double amm_quote_sell(const amm *a, double tkn_in) { return amm_swap_out_(tkn_in, a->fee, a->x, a->y); }

/* Inverse of swap_out: in·(1−f) = out·R_in / (R_out − out). */
static double swap_in(double out, double fee, double r_in, double r_out)
{
    if (!(out > 0))
        return 0;
    if (out >= r_out)
        return INFINITY;
    return out * r_in / ((r_out - out) * (1.0 - fee));
}

double amm_usd_for_tkn(const amm *a, double tkn_out) { return swap_in(tkn_out, a->fee, a->y, a->x); }
double amm_tkn_for_usd(const amm *a, double usd_out) { return swap_in(usd_out, a->fee, a->x, a->y); }

void amm_buy_lane_open(ledger *l, ledger_lane *ln, acct_id to)
{
    ledger_lane_open(l, ln, ledger_system(l, CLS_AMM), to, RSN_PURCHASE);
}

double amm_buy(amm *a, ledger *l, acct_id to, double usd_in)
{
    ledger_lane ln;
    amm_buy_lane_open(l, &ln, to);
    return amm_buy_lane(a, &ln, usd_in);
}

__attribute__((noinline, cold)) double amm_keep_k_slow(double out, double in, double r_in,
                                                       double r_out)
{
    return amm_keep_k_(out, in, r_in, r_out);
}

/* amm_sell in full, for the rare sales (nothing to sell, an account short of it, an
 * output that rounding made break k), out of line and reached by a tail call. */
static __attribute__((noinline, cold)) double sell_slow(amm *a, ledger *l, acct_id from,
                                                        double tkn_in)
{
    if (!(tkn_in >= 0) || !isfinite(tkn_in) || ledger_balance(l, from) < tkn_in)
        return -1;
    if (tkn_in == 0)
        return 0;
    double x = a->x, y = a->y, out = amm_quote_sell(a, tkn_in);
    /* amm_keep_k_'s first test: out is kept as it is when positive and k holds */
    if (!(out > 0) || (y - out) * (x + tkn_in) < x * y)
        out = amm_keep_k_slow(out, tkn_in, x, y);
    if (ledger_transfer(l, from, ledger_system(l, CLS_AMM), tkn_in, RSN_SALE) != 0)
        return -1;
    a->x += tkn_in;
    a->y -= out;
    a->usd_out += out;
    return out;
}

double amm_sell(amm *a, ledger *l, acct_id from, double tkn_in)
{
    /* The common sale, with no call but the tail calls to sell_slow (a call on the way
     * made every sale save and restore six registers): a positive amount the account
     * holds, whose output keeps k as it is. sell_slow starts over from the same state. */
    if (!(tkn_in > 0) || !isfinite(tkn_in) || ledger_balance(l, from) < tkn_in)
        return sell_slow(a, l, from, tkn_in);
    double x = a->x, y = a->y, out = amm_quote_sell(a, tkn_in);
    if (!(out > 0) || (y - out) * (x + tkn_in) < x * y)
        return sell_slow(a, l, from, tkn_in);
    ledger_move(l, from, ledger_system(l, CLS_AMM), tkn_in, RSN_SALE);
    a->x += tkn_in;
    a->y -= out;
    a->usd_out += out;
    return out;
}

double amm_add_liquidity(amm *a, ledger *l, acct_id from, double phi)
{
    if (!(phi > 0) || !isfinite(phi) || !(a->x > 0))
        return 0;
    double have = ledger_balance(l, from);
    if (phi * a->x > have)
        phi = have / a->x;
    double tkn = phi * a->x;
    if (!(tkn > 0) ||
        ledger_transfer(l, from, ledger_system(l, CLS_AMM), tkn, RSN_LIQUIDITY) != 0)
        return 0;
    a->x += tkn;
    a->y *= 1.0 + phi;
    a->shares *= 1.0 + phi;
    return phi;
}

double amm_remove_liquidity(amm *a, ledger *l, acct_id to, double phi)
{
    if (!(phi > 0 && phi < 1))
        return 0;
    double tkn = phi * a->x;
    if (ledger_transfer(l, ledger_system(l, CLS_AMM), to, tkn, RSN_LIQUIDITY) != 0)
        return 0;
    a->x -= tkn;
    a->y *= 1.0 - phi;
    a->shares *= 1.0 - phi;
    return phi;
}

double amm_share_value(const amm *a) { return a->shares > 0 ? 2.0 * a->y / a->shares : 0; }

double amm_il(double r) { return 2.0 * sqrt(r) / (1.0 + r) - 1.0; }

/* Buying u USD gives out = g·u·x/(y + g·u); d(P·out − u)/du = 0 at (y + g·u)² = g·P·x·y. */
double amm_arb_buy_usd(const amm *a, double P)
{
    double g = 1.0 - a->fee, u = (sqrt(g * P * a->x * a->y) - a->y) / g;
    return u > 0 && isfinite(u) ? u : 0;
}

/* Selling s TKN gives out = g·s·y/(x + g·s); d(out − P·s)/ds = 0 at (x + g·s)² = g·x·y/P. */
double amm_arb_sell_tkn(const amm *a, double P)
{
    double g = 1.0 - a->fee, s = P > 0 ? (sqrt(g * a->x * a->y / P) - a->x) / g : 0;
    return s > 0 && isfinite(s) ? s : 0;
}
