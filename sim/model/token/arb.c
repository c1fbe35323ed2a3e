/* arb.c — reference price and arbitrage against it (arb.h; docs/model.md §10,
 * Arbitrage). */
#include "model/token/arb.h"

#include <math.h>

#include <gsl/gsl_randist.h>

void arb_init(arb_state *s, const crc_params *p, gsl_rng *rng)
{
    *s = (arb_state){0};
    s->rng = rng;
    s->P = p->ref_mode == REF_NONE ? 0 : p->ref_price;
}

double arb_reference(arb_state *s, const crc_params *p, double dt)
{
    if (p->ref_mode == REF_NONE) {
        s->P = 0;
    } else if (p->ref_mode == REF_FIXED || !(s->P > 0)) {
        s->P = p->ref_price;
    } else if (dt > 0) {
        double sig = p->ref_volatility, yr = dt / 365.0;
        double z = s->rng && sig > 0 ? gsl_ran_gaussian_ziggurat(s->rng, 1.0) : 0;
        s->P *= exp((p->ref_drift - 0.5 * sig * sig) * yr + sig * sqrt(yr) * z);
    }
    return s->P;
}

double arb_trade(arb_state *s, const crc_params *p, amm *a, ledger *l, acct_id flt)
{
    s->usd_epoch = s->gain_epoch = 0;
    double P = s->P, C = p->arb_capital;
    if (!(P > 0) || !(C > 0))
        return 0;
    double u = fmin(amm_arb_buy_usd(a, P), C);
    if (u > 0) {
        if (!(P * amm_quote_buy(a, u) - u > p->arb_cost))
            return 0;
        double out = amm_buy(a, l, flt, u);
        s->usd_epoch = u;
        s->gain_epoch = P * out - u - p->arb_cost;
    } else {
        double tkn = fmin(fmin(amm_arb_sell_tkn(a, P), C / P), ledger_balance(l, flt));
        if (!(tkn > 0) || !(amm_quote_sell(a, tkn) - P * tkn > p->arb_cost))
            return 0;
        double got = amm_sell(a, l, flt, tkn);
        if (!(got > 0))
            return 0;
        s->usd_epoch = -got;
        s->gain_epoch = got - P * tkn - p->arb_cost;
    }
    s->usd_total += fabs(s->usd_epoch);
    s->gain_total += s->gain_epoch;
    s->trades++;
    return s->usd_epoch;
}
