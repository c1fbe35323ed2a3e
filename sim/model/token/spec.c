/* spec.c — holders and speculators trading towards a target share of wealth in TKN
 * (spec.h; docs/model.md §10, Holders and speculators). */
#include "model/token/spec.h"

#include <math.h>
#include <stdint.h>

double spec_target(const crc_params *p, double M, double Y)
{
    double w = p->hold_weight + p->hold_momentum * M +
               p->hold_yield * (Y - p->market_outside_yield);
    return fmax(0.0, fmin(1.0, w));
}

void spec_init(spec_state *s, const crc_params *p, const amm *a, ledger *l, acct_id flt)
{
    *s = (spec_state){.acct = UINT32_MAX};
    double C = p->hold_capital, p0 = amm_price(a);
    if (!(C > 0) || !(p0 > 0) || !isfinite(p0))
        return;
    s->acct = ledger_open(l, CLS_MARKET);
    if (s->acct == UINT32_MAX)
        return;
    double tkn = fmin(p->hold_weight * C / p0, ledger_balance(l, flt));
    if (tkn > 0 && ledger_transfer(l, flt, s->acct, tkn, RSN_PURCHASE) != 0)
        tkn = 0;
    s->cash = C - tkn * p0;
    s->p_prev = p0;
    s->target = p->hold_weight;
}

double spec_epoch(spec_state *s, const crc_params *p, amm *a, ledger *l, double Y, double dt)
{
    s->usd_epoch = 0;
    double price = amm_price(a);
    if (s->acct == UINT32_MAX || !(dt > 0) || !(price > 0) || !isfinite(price))
        return 0;
    double r = log(price / s->p_prev) * 365.0 / dt;
    s->M += -expm1(-dt / p->hold_window) * (r - s->M);
    s->p_prev = price;
    s->target = spec_target(p, s->M, Y);
    double h = ledger_balance(l, s->acct);
    double gap = (s->target * (s->cash + h * price) - h * price) * -expm1(-p->hold_speed * dt);
    if (gap > 0) {
        double u = fmin(gap, s->cash);
        if (u > 0 && amm_buy(a, l, s->acct, u) > 0) {
            s->cash -= u;
            s->usd_epoch = u;
        }
    } else if (gap < 0) {
        double tkn = fmin(amm_tkn_for_usd(a, -gap), h);
        double got = tkn > 0 ? amm_sell(a, l, s->acct, tkn) : 0;
        if (got > 0) {
            s->cash += got;
            s->usd_epoch = -got;
        }
    }
    return s->usd_epoch;
}
