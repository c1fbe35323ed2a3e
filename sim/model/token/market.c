/* market.c — the trades of the outside market at each epoch: the exogenous flow as a
 * random walk, then holders, arbitrage and liquidity providers (market.h;
 * docs/model.md §10, Exogenous market and Price formation). */
#include "model/token/market.h"

#include <math.h>

#include <gsl/gsl_randist.h>

void market_init(market *m, const crc_params *p, gsl_rng *rng)
{
    *m = (market){0};
    m->p = p;
    m->rng = rng;
    m->flow = p->market_initial;
}

/* The price-formation mechanisms after the flow (market.h). */
static void price_formation(market *m, amm *a, ledger *l, double dt)
{
    const crc_params *p = m->p;
    acct_id flt = ledger_system(l, CLS_MARKET);
    if (!m->started) {
        spec_init(&m->sp, p, a, l, flt);
        gsl_rng *r = m->arb.rng;
        arb_init(&m->arb, p, r);
        lp_init(&m->lp, p, a);
        m->started = 1;
    }
    double Y = m->stake ? staking_yield(m->stake, dt) : 0;
    spec_epoch(&m->sp, p, a, l, Y, dt);
    arb_reference(&m->arb, p, dt);
    arb_trade(&m->arb, p, a, l, flt);
    lp_epoch(&m->lp, p, a, l, flt, dt);
}

/* The random-walk flow of the epoch (market.h). */
static double market_flow(market *m, amm *a, ledger *l, double dt)
{
    const crc_params *p = m->p;
    m->usd_epoch = 0;
    if (!p->market_enabled)
        return 0;
    double z = m->rng && p->market_volatility > 0 ? gsl_ran_gaussian_ziggurat(m->rng, 1.0) : 0;
    m->flow += p->market_drift * dt + p->market_volatility * sqrt(dt) * z;
    double usd = m->flow * dt;
    acct_id acct = ledger_system(l, CLS_MARKET);
    if (usd > 0) {
        amm_buy(a, l, acct, usd);
        m->usd_bought += usd;
        m->usd_epoch = usd;
    } else if (usd < 0) {
        double tkn = fmin(amm_tkn_for_usd(a, -usd), ledger_balance(l, acct));
        double got = amm_sell(a, l, acct, tkn);
        if (got > 0) {
            m->usd_sold += got;
            m->usd_epoch = -got;
        }
    }
    return m->usd_epoch;
}

double market_epoch(market *m, amm *a, ledger *l, double t0, double t1)
{
    double usd = 0, dt = t1 - t0;
    if (dt > 0) {
        usd = market_flow(m, a, l, dt);
        price_formation(m, a, l, dt);
    }
    return usd;
}

double market_mark(market *m, double price)
{
    double before = m->p_mark > 0 ? m->p_mark : price;
    m->p_mark = price;
    return before;
}
