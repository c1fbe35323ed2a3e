/*
 * poison.c — poisoned contributions and the pure rules of damage, backdoor and
 * attribution of poison (poison.h; docs/model.md §11, poisoners).
 */
#include "model/adversary/poison.h"

#include <math.h>

#include "model/adversary/attack.h"
#include "model/adversary/defense.h"
#include "model/world/world.h"

double poison_damage_factor(const crc_params *p, double pi)
{
    if (!(pi > 0))
        return 1.0;
    return 1.0 - p->model_damage * pi / (pi + p->model_pi50);
}

int poison_backdoor(double poisoned, long nstar)
{
    return nstar > 0 && poisoned >= (double)nstar;
}

double poison_score(double psi, double sigma, gsl_rng *r)
{
    if (!(sigma > 0))
        return psi;
    return psi * dist_noise_mean1(r, sigma);
}

uint32_t poison_target(const world *w)
{
    const wld_datanets *d = &w->dn;
    long t = w->p.poison_target;
    if (t >= 0)
        return (uint32_t)(t % (long)d->n);
    uint32_t arg = 0;
    for (uint32_t j = 1; j < d->n; j++)
        if (d->n_models[j] > d->n_models[arg] ||
            (d->n_models[j] == d->n_models[arg] && d->qvol[j] > d->qvol[arg]))
            arg = j;
    return arg;
}

void poison_birth(world *w, uint32_t i)
{
    wld_prov *v = &w->pv.r[i];
    const crc_params *p = &w->p;
    v->dn = poison_target(w);
    v->q = (float)p->poison_quality;
    w->pv.rate[i] = (float)p->poison_rate;
    v->cost = (float)p->poison_cost;
}

void poison_contrib(world *w, uint32_t i)
{
    wld_prov *v = &w->pv.r[i];
    const crc_params *p = &w->p;
    if (def_audit_contrib(w, i, DEF_KIND_POISON))
        return;
    uint32_t d = v->dn;
    wld_datanets *dn = &w->dn;
    dn->count[d] += 1;
    dn->poisoned[d] += 1; /* adds nothing to the honest volume V */
    double score = poison_score(p->poison_psi, p->attribution_sigma, atk_rng(w, ATK_RNG_POISON));
    v->score += score;
    dn->score[d] += score;
    v->ep_count += 1;
    v->ep_qvol += (float)p->poison_quality;
}
