/*
 * providers.c — data providers (MODEL.md §2.1; docs/model.md §data providers).
 *
 * A dense struct-of-arrays population (swap-remove at epoch boundaries). Honest
 * providers and spammers share it (kind); poisoners are a reserved kind the
 * adversary model fills in. Contributions of the whole population are one thinned
 * Poisson stream per rate bucket, so a contribution costs O(1) and no allocation;
 * accepted data only updates its datanet's aggregates and the provider's attribution
 * score.
 */
#include "model/world.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"

static int prov_class(int kind)
{
    return kind == PK_SPAMMER ? CLS_SPAMMER : kind == PK_POISONER ? CLS_POISONER : CLS_HONEST;
}

/* A new provider picks the datanet with the best trailing data reward per provider,
 * with Gumbel noise of scale builders.choice_noise (a logit choice). */
static uint32_t choose_datanet(world *w, gsl_rng *r)
{
    const wld_datanets *d = &w->dn;
    double best = -INFINITY;
    uint32_t arg = 0;
    double s = w->p.bld_choice_noise;
    for (uint32_t j = 0; j < d->n; j++) {
        double u = log1p(d->rew_ema[j] / (1.0 + d->n_prov[j]));
        if (s > 0)
            u += s * gsl_ran_gumbel1(r, 1, 1);
        if (u > best) {
            best = u;
            arg = j;
        }
    }
    return arg;
}

int prov_birth(world *w, int kind, double t)
{
    wld_providers *pv = &w->pv;
    void **const cols[] = {(void **)&pv->acct, (void **)&pv->kind, (void **)&pv->bucket,
                           (void **)&pv->bpos, (void **)&pv->dn, (void **)&pv->q,
                           (void **)&pv->rate, (void **)&pv->cost, (void **)&pv->born,
                           (void **)&pv->score, (void **)&pv->ep_tkn, (void **)&pv->ep_count,
                           (void **)&pv->ep_qvol, (void **)&pv->ep_cost, (void **)&pv->acc};
    const size_t sizes[] = {sizeof *pv->acct, 1, 1, sizeof *pv->bpos, sizeof *pv->dn,
                            sizeof(float), sizeof(float), sizeof(float), sizeof(float),
                            sizeof(double), sizeof(double), sizeof(float), sizeof(float),
                            sizeof(float), sizeof *pv->acc};
    if (wld_grow_soa(&pv->cap, pv->n + 1, sizeof sizes / sizeof *sizes, cols, sizes))
        return -1;
    int cls = prov_class(kind);
    acct_id a = ledger_open(w->L, cls);
    if (a == UINT32_MAX)
        return -1;
    const crc_params *p = &w->p;
    gsl_rng *r = wld_rng(w, RNG_PROVIDERS);
    uint32_t i = pv->n;
    double rate = dist_sample(&p->prov_rate, r, 0, 1e6);
    double q, cost;
    if (kind == PK_HONEST) {
        q = dist_sample(&p->prov_quality, r, 0, 1);
        cost = dist_sample(&p->prov_cost, r, 0, 1e6);
    } else {
        rate *= p->prov_spammer_rate_mult;
        q = dist_sample(&p->prov_spammer_quality, r, 0, 1);
        cost = p->prov_spammer_cost;
    }
    pv->acct[i] = a;
    pv->kind[i] = (uint8_t)kind;
    pv->dn[i] = choose_datanet(w, r);
    pv->q[i] = (float)q;
    pv->rate[i] = (float)rate;
    pv->cost[i] = (float)cost;
    pv->born[i] = (float)t;
    pv->score[i] = 0;
    pv->ep_tkn[i] = 0;
    pv->ep_count[i] = pv->ep_qvol[i] = pv->ep_cost[i] = 0;
    pv->acc[i] = (wld_acc){0, 0};
    if (pv->rate[i] > 0 && wld_bucket_add(pv->bk, i, pv->rate[i], pv->bucket, pv->bpos))
        return -1;
    pv->n++;
    w->dn.n_prov[pv->dn[i]]++;
    w->cls[cls].active++;
    w->cls[cls].entered++;
    return 0;
}

void prov_remove(world *w, uint32_t i)
{
    wld_providers *pv = &w->pv;
    uint32_t d = pv->dn[i];
    int cls = prov_class(pv->kind[i]);
    /* Its data stays in the datanet (V is unchanged) but its attribution share is
     * retired: the remaining contributors split the data fees. */
    w->dn.score[d] -= pv->score[i];
    if (w->dn.score[d] < 0 || w->dn.n_prov[d] == 1)
        w->dn.score[d] = w->dn.n_prov[d] == 1 ? 0 : fmax(w->dn.score[d], 0);
    w->dn.n_prov[d]--;
    wld_sell(w, pv->acct[i], 1.0);
    wld_gone_add(w, pv->acct[i]);
    if (pv->rate[i] > 0)
        wld_bucket_remove(pv->bk, i, pv->rate[i], pv->bucket, pv->bpos);
    w->cls[cls].active--;
    w->cls[cls].exited++;
    uint32_t last = --pv->n;
    if (i != last) {
        pv->acct[i] = pv->acct[last];
        pv->kind[i] = pv->kind[last];
        pv->bucket[i] = pv->bucket[last];
        pv->bpos[i] = pv->bpos[last];
        pv->dn[i] = pv->dn[last];
        pv->q[i] = pv->q[last];
        pv->rate[i] = pv->rate[last];
        pv->cost[i] = pv->cost[last];
        pv->born[i] = pv->born[last];
        pv->score[i] = pv->score[last];
        pv->ep_tkn[i] = pv->ep_tkn[last];
        pv->ep_count[i] = pv->ep_count[last];
        pv->ep_qvol[i] = pv->ep_qvol[last];
        pv->ep_cost[i] = pv->ep_cost[last];
        pv->acc[i] = pv->acc[last];
        if (pv->rate[i] > 0)
            wld_bucket_move(pv->bk, last, i, pv->bucket, pv->bpos);
    }
}

void prov_on_contrib(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    wld_providers *pv = &w->pv;
    const crc_params *p = &w->p;
    int k = (int)ev->a;
    wld_bucket *b = &pv->bk[k];
    gsl_rng *r = wld_rng(w, RNG_CONTRIB);
    b->ev = b->rate > 0 ? sim_after(s, gsl_ran_exponential(r, 1.0 / b->rate), EV_CONTRIB,
                                    (uint32_t)k, 0)
                        : EVQ_NONE;
    uint32_t i = wld_bucket_pick(b, k, pv->rate, r);
    if (i == UINT32_MAX)
        return;
    uint32_t d = pv->dn[i];
    pv->ep_cost[i] += pv->cost[i];
    int dup = 0;
    if (pv->kind[i] == PK_SPAMMER && gsl_rng_uniform(r) < p->prov_spammer_dup) {
        /* A duplicate: caught at intake with probability data.dedup (rejected, the
         * effort is lost), else accepted and paid like low-quality data. */
        if (gsl_rng_uniform(r) < p->data_dedup)
            return;
        dup = 1;
    }
    double q = pv->q[i];
    if (p->prov_quality_noise > 0)
        q += gsl_ran_gaussian_ziggurat(r, p->prov_quality_noise);
    q = q < 0 ? 0 : q > 1 ? 1 : q;
    wld_datanets *dn = &w->dn;
    dn->count[d] += 1;
    if (dup)
        dn->dups[d] += 1;
    else
        dn->qvol[d] += q; /* a duplicate adds no information to V */
    /* Attribution score: the sample's quality times mean-one lognormal noise
     * (estimates are noisy, MODEL.md §4). */
    double sig = p->attribution_sigma;
    double score = sig > 0 ? q * gsl_ran_lognormal(wld_rng(w, RNG_ATTRIB), -0.5 * sig * sig, sig)
                           : q;
    pv->score[i] += score;
    dn->score[d] += score;
    pv->ep_count[i] += 1;
    pv->ep_qvol[i] += (float)q;
}
