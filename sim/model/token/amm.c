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

/* out = in·(1−f)·R_out / (R_in + in·(1−f)) */
static double swap_out(double in, double fee, double r_in, double r_out)
{
    if (!(in > 0) || !isfinite(in))
        return 0;
    double eff = in * (1.0 - fee);
    return eff * r_out / (r_in + eff);
}

double amm_quote_buy(const amm *a, double usd_in) { return swap_out(usd_in, a->fee, a->y, a->x); }
double amm_quote_sell(const amm *a, double tkn_in) { return swap_out(tkn_in, a->fee, a->x, a->y); }

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

/* Lowers out until (r_out − out)·(r_in + in) >= r_in·r_out in floating point, so k
 * never decreases even with f = 0: the reserve left after the swap is bumped up by
 * one ulp at a time (out = r_out − that reserve), then, if rounding still bites, out
 * is shaved relatively. */
static double keep_k(double out, double in, double r_in, double r_out)
{
    double k = r_in * r_out, after = r_in + in;
    for (int i = 0; i < 8 && out > 0 && (r_out - out) * after < k; i++)
        out = r_out - nextafter(r_out - out, INFINITY);
    for (int i = 0; i < 64 && out > 0 && (r_out - out) * after < k; i++)
        out *= 1.0 - 1e-15 * (1 << (i < 30 ? i : 30));
    return out > 0 ? out : 0;
}

double amm_buy(amm *a, ledger *l, acct_id to, double usd_in)
{
    double out = amm_quote_buy(a, usd_in);
    if (!(out > 0))
        return 0;
    out = keep_k(out, usd_in, a->y, a->x);
    acct_id pool = ledger_system(l, CLS_AMM);
    if (ledger_transfer(l, pool, to, out, RSN_PURCHASE) != 0)
        return 0; /* cannot happen while x mirrors the pool balance (out < x) */
    a->x -= out;
    a->y += usd_in;
    a->usd_in += usd_in;
    return out;
}

double amm_sell(amm *a, ledger *l, acct_id from, double tkn_in)
{
    if (!(tkn_in >= 0) || !isfinite(tkn_in) || ledger_balance(l, from) < tkn_in)
        return -1;
    if (tkn_in == 0)
        return 0;
    double out = keep_k(amm_quote_sell(a, tkn_in), tkn_in, a->x, a->y);
    if (ledger_transfer(l, from, ledger_system(l, CLS_AMM), tkn_in, RSN_SALE) != 0)
        return -1;
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
