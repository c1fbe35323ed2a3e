/* treasury.c — fee split and buyback-and-burn (treasury.h; docs/model-token.md
 * §Fees and buyback). */
#include "model/token/treasury.h"

#include <math.h>

/* Days in a month, as vesting counts them (365.25 / 12). */
#define TREASURY_MONTH_DAYS 30.4375

double fees_explicit_sum(const crc_params *p)
{
    return p->fees_model + p->fees_data + p->fees_compute + p->fees_stakers + p->fees_burn;
}

double fees_treasury_share(const crc_params *p)
{
    double rest = 1.0 - fees_explicit_sum(p);
    return rest > 0 ? rest : 0.0;
}

void fee_split_usd(const crc_params *p, double fee_usd, fee_split *o)
{
    fee_split_usd_share(p, fees_treasury_share(p), fee_usd, o);
}

void treasury_init(treasury *tr, const crc_params *p)
{
    *tr = (treasury){0};
    tr->p = p;
}

void treasury_add_usd(treasury *tr, double usd)
{
    if (usd > 0)
        tr->usd += usd;
}

double treasury_buyback(treasury *tr, amm *a, ledger *l)
{
    tr->usd_spent_epoch = 0;
    tr->burned_epoch = 0;
    if (!(tr->usd > 0))
        return 0;
    acct_id t = ledger_system(l, CLS_TREASURY);
    double got = amm_buy(a, l, t, tr->usd);
    if (got > 0)
        ledger_burn(l, t, got, RSN_BUYBACK);
    tr->usd_spent_epoch = tr->usd;
    tr->burned_epoch = got;
    tr->usd_spent_total += tr->usd;
    tr->burned_total += got;
    tr->usd = 0;
    return got;
}

double treasury_spend_usd(const crc_params *p, double x, double price, double dt)
{
    double rate = p->treasury_budget; /* USD/month */
    if (p->treasury_runway > 0)
        rate = fmin(rate, price * x / p->treasury_runway);
    return rate > 0 && dt > 0 ? rate * dt / TREASURY_MONTH_DAYS : 0;
}

double treasury_spend(treasury *tr, amm *a, ledger *l, double dt)
{
    tr->spent_usd_epoch = 0;
    tr->spent_tkn_epoch = 0;
    acct_id t = ledger_system(l, CLS_TREASURY);
    double x = ledger_balance(l, t);
    double usd = treasury_spend_usd(tr->p, x, amm_price(a), dt);
    if (!(usd > 0) || !(x > 0))
        return 0;
    double tkn = fmin(amm_tkn_for_usd(a, usd), x);
    double got = amm_sell(a, l, t, tkn);
    if (!(got > 0))
        return 0;
    tr->spent_usd_epoch = got;
    tr->spent_tkn_epoch = tkn;
    tr->spent_usd_total += got;
    tr->spent_tkn_total += tkn;
    return got;
}

double treasury_grant_budget(const crc_params *p, double x, double dt)
{
    if (!(x > 0) || !(p->treasury_grants > 0) || !(dt > 0))
        return 0;
    return fmin(x, x * p->treasury_grants * dt / TREASURY_MONTH_DAYS);
}

void treasury_granted(treasury *tr, double g)
{
    tr->granted_epoch = g;
    tr->granted_total += g;
}
