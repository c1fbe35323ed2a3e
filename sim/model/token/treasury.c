/* treasury.c — fee split and buyback-and-burn (treasury.h; docs/model-token.md
 * §Fees and buyback). */
#include "model/token/treasury.h"

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
    double tre = fees_treasury_share(p) * fee_usd;
    o->model = p->fees_model * fee_usd;
    o->data = p->fees_data * fee_usd;
    o->compute = p->fees_compute * fee_usd;
    o->stakers = p->fees_stakers * fee_usd;
    o->burn = p->fees_burn * fee_usd;
    o->buyback_usd = p->fees_buyback * tre;
    o->treasury = tre - o->buyback_usd;
    o->tkn_usd = o->model + o->data + o->compute + o->stakers + o->treasury + o->burn;
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
