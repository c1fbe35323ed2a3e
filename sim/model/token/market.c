/* market.c — exogenous speculative flow as a random walk traded on the AMM
 * (market.h; docs/model-token.md §Exogenous market). */
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

double market_epoch(market *m, amm *a, ledger *l, double t0, double t1)
{
    const crc_params *p = m->p;
    m->usd_epoch = 0;
    double dt = t1 - t0;
    if (!p->market_enabled || !(dt > 0))
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
