/* lp.c — liquidity providers entering and leaving the pool on their trailing return
 * over holding (lp.h; docs/model.md §10, Liquidity providers). */
#include "model/token/lp.h"

#include <math.h>

static void mark(lp_state *s, const amm *a)
{
    s->xs = a->shares > 0 ? a->x / a->shares : 0;
    s->ys = a->shares > 0 ? a->y / a->shares : 0;
}

void lp_init(lp_state *s, const crc_params *p, const amm *a)
{
    *s = (lp_state){0};
    s->rho = p->market_outside_yield;
    mark(s, a);
}

double lp_epoch(lp_state *s, const crc_params *p, amm *a, ledger *l, acct_id from, double dt)
{
    s->phi = 0;
    if (!(dt > 0) || !(s->xs > 0) || !(a->shares > 0))
        return 0;
    double p1 = amm_price(a);
    double v0 = 2.0 * s->ys, hold = s->xs * p1 + s->ys;
    double v1 = (a->x * p1 + a->y) / a->shares;
    s->ret = (v1 - hold) / v0 * 365.0 / dt;
    s->rho += -expm1(-dt / p->lp_window) * (s->ret - s->rho);
    if (p->lp_enabled) {
        double phi = p->lp_elasticity * (s->rho - p->market_outside_yield) * dt / 365.0;
        phi = fmax(-p->lp_max_step, fmin(p->lp_max_step, phi));
        s->phi = phi > 0 ? amm_add_liquidity(a, l, from, phi)
                         : -amm_remove_liquidity(a, l, from, -phi);
    }
    mark(s, a);
    return s->phi;
}
