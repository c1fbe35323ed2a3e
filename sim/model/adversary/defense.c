/*
 * defense.c — audits, slashing, penalties and bans, and the pure arithmetic of the
 * defenses (defense.h; docs/model.md §11, defenses).
 */
#include "model/adversary/defense.h"

#include <math.h>

#include "engine/rng.h"
#include "model/adversary/attack.h"
#include "model/world/world.h"

double def_detect_prob(double s, double d_p, double d_s, int kind)
{
    switch (kind) {
    case DEF_KIND_POISON:
        return s * d_p;
    case DEF_KIND_SPAM:
        return s * d_s;
    default:
        return 0.0;
    }
}

double def_poison_margin(double r, double c, double s, double d_p, double phi, double b)
{
    double q = s * d_p;
    return (1.0 - q) * r - c - q * phi * b;
}

double def_catch_prob(double v, double c, double J)
{
    double x = v * c;
    if (!(x > 0) || !(J > 0))
        return 0.0;
    if (x >= 1)
        return 1.0;
    return -expm1(J * log1p(-x));
}

int def_banned_by(double points, double ban)
{
    return ban > 0 && points >= ban;
}

void def_charge_stakes(world *w, double dt)
{
    const crc_params *p = &w->p;
    double k = p->def_capital_cost * dt / 365.0;
    if (!(k > 0))
        return;
    if (p->def_stake_prov > 0) {
        float c = (float)(p->def_stake_prov * k);
        for (uint32_t i = 0; i < w->pv.n; i++)
            w->pv.r[i].ep_cost += c;
    }
    if (p->def_stake_model > 0)
        for (uint32_t b = 0; b < w->bd.n; b++)
            if (w->bd.r[b].alive)
                w->bd.r[b].ep_cost += p->def_stake_model * k;
    if (p->def_stake_node > 0)
        for (uint32_t n = 0; n < w->nd.n; n++)
            if (w->nd.r[n].alive && !w->nd.r[n].leaving)
                w->nd.r[n].ep_cost += p->def_stake_node * k;
}

int def_is_banned(const world *w, acct_id a)
{
    const atk_state *s = w->atk;
    return a < s->cap_acct && s->banned[a];
}

/* A random honest provider other than `not`, or UINT32_MAX (a few tries: honest
 * providers are the large majority in any scenario where reporting matters). */
static acct_id reporter(world *w, acct_id not, uint32_t *idx)
{
    wld_providers *pv = &w->pv;
    pcg32 *g = rng_pcg(atk_rng(w, ATK_RNG_AUDIT));
    for (int k = 0; k < 16 && pv->n > 0; k++) {
        uint32_t j = (uint32_t)(pcg32_double(g) * pv->n);
        if (pv->r[j].kind == PK_HONEST && pv->acct[j] != not) {
            *idx = j;
            return pv->acct[j];
        }
    }
    return UINT32_MAX;
}

double def_slash(world *w, acct_id a, int cls, double usd, int claw)
{
    const crc_params *p = &w->p;
    atk_state *s = w->atk;
    ledger *L = w->L;
    acct_id treas = ledger_system(L, CLS_TREASURY);
    uint32_t rep_i = UINT32_MAX;
    acct_id dst = treas;
    if (p->def_slash_to == SLASH_REPORTER) {
        acct_id r = reporter(w, a, &rep_i);
        if (r != UINT32_MAX)
            dst = r;
    }
    double tkn = 0;
    if (usd > 0) {
        tkn = amm_buy(w->A, L, a, usd);
        if (tkn > 0) {
            if (p->def_slash_to == SLASH_BURN)
                ledger_burn(L, a, tkn, RSN_SLASH);
            else
                ledger_transfer(L, a, dst, tkn, RSN_SLASH);
        }
    }
    double clawed = 0;
    if (claw && p->def_clawback)
        clawed = vesting_clawback(w->tok->vest, L, a,
                                p->def_slash_to == SLASH_BURN ? UINT32_MAX : dst);
    double moved = tkn + clawed;
    if (rep_i != UINT32_MAX && dst != treas && moved > 0) {
        /* The reporter's reward is income of an honest provider. */
        w->pv.ep_tkn[rep_i] += moved;
        w->cls[CLS_HONEST].ep_tkn += moved;
    }
    double price = amm_price(w->A);
    s->slashed_tkn[cls] += tkn;
    s->slashed_usd[cls] += usd;
    s->clawback_tkn[cls] += clawed;
    s->clawback_usd[cls] += clawed * price;
    s->ep_clawback += clawed;
    w->ep_slashed += moved;
    return usd;
}

/* def_audit_contrib past its fast path. Out of line, so that the fast path, run for
 * every contribution, is small enough for the compiler to inline into its callers
 * (its call was 3% of a baseline year's contribution work). */
static __attribute__((noinline)) int audit_contrib(world *w, uint32_t i, int kind)
{
    wld_providers *pv = &w->pv;
    const crc_params *p = &w->p;
    atk_state *s = w->atk;
    acct_id a = pv->acct[i];
    if (def_is_banned(w, a))
        return 1;
    if (!(p->def_audit_rate > 0))
        return 0;
    pcg32 *g = rng_pcg(atk_rng(w, ATK_RNG_AUDIT));
    if (!(pcg32_double(g) < p->def_audit_rate))
        return 0;
    w->ep_audits += 1;
    double d = kind == DEF_KIND_POISON ? p->def_detect_poison
             : kind == DEF_KIND_SPAM   ? p->def_detect_spam : 0.0;
    if (!(pcg32_double(g) < d))
        return 0;
    /* Detected: the sample never enters a model, φ of its bond is slashed, and the
     * contributor earns a penalty point. */
    w->ep_detected += 1;
    int cls = pv->r[i].kind == PK_POISONER ? CLS_POISONER
            : pv->r[i].kind == PK_SPAMMER ? CLS_SPAMMER : CLS_HONEST;
    pv->r[i].ep_cost += (float)def_slash(w, a, cls, p->def_slash * p->def_bond, 1);
    if (atk_acct_reserve(w, a) == 0) {
        s->points[a] += 1;
        if (def_banned_by(s->points[a], p->def_ban_points) && !s->banned[a]) {
            s->banned[a] = 1;
            s->ep_banned += 1;
            s->bans_pending += 1;
            s->banned_total += 1;
        }
    }
    return 1;
}

int def_audit_contrib(world *w, uint32_t i, int kind)
{
    /* Fast path: nothing to check when no audits run and nobody waits for removal. */
    if (!(w->p.def_audit_rate > 0) && w->atk->bans_pending == 0)
        return 0;
    return audit_contrib(w, i, kind);
}
