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
