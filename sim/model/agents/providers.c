/*
 * providers.c — data providers (MODEL.md §2.1; docs/model.md §data providers).
 *
 * A dense struct-of-arrays population (swap-remove at epoch boundaries). Honest
 * providers and spammers share it (kind); poisoners are a reserved kind the
 * adversary model fills in. Contributions of the whole population are one Poisson
 * stream, drawn a window (an epoch) at a time in the providers' order and fired in
 * time order (pstream.h); accepted data only updates its datanet's aggregates and the
 * provider's attribution score.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "model/adversary/defense.h"
#include "model/adversary/poison.h"
#include "util/prefetch.h"

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
    void **const cols[] = {(void **)&pv->r, (void **)&pv->rate, (void **)&pv->acct,
                           (void **)&pv->born, (void **)&pv->ep_tkn, (void **)&pv->acc};
    const size_t sizes[] = {sizeof *pv->r, sizeof *pv->rate, sizeof *pv->acct,
                            sizeof *pv->born, sizeof *pv->ep_tkn, sizeof *pv->acc};
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
    wld_prov *v = &pv->r[i];
    memset(v, 0, sizeof *v);
    v->kind = (unsigned)kind & 3u;
    v->dn = choose_datanet(w, r);
    v->q = (float)q;
    pv->rate[i] = (float)rate;
    v->cost = (float)cost;
    pv->acct[i] = a;
    pv->born[i] = (float)t;
    pv->ep_tkn[i] = 0;
    pv->acc[i] = (wld_acc){0, 0};
    if (kind == PK_POISONER)
        poison_birth(w, i);
    pv->n++;
    w->dn.n_prov[v->dn]++;
    w->cls[cls].active++;
    w->cls[cls].entered++;
    return 0;
}

void prov_remove(world *w, uint32_t i)
{
    wld_providers *pv = &w->pv;
    wld_prov *v = &pv->r[i];
    uint32_t d = v->dn;
    int cls = prov_class(v->kind);
    /* Its data stays in the datanet (V is unchanged) but its attribution share is
     * retired: the remaining contributors split the data fees. */
    w->dn.n_prov[d]--;
    w->dn.score[d] = w->dn.n_prov[d] == 0 ? 0 : fmax(w->dn.score[d] - v->score, 0);
    wld_sell(w, pv->acct[i], 1.0);
    wld_gone_add(w, pv->acct[i]);
    w->cls[cls].active--;
    w->cls[cls].exited++;
    uint32_t last = --pv->n;
    if (i != last) {
        pv->r[i] = pv->r[last];
        pv->rate[i] = pv->rate[last];
        pv->acct[i] = pv->acct[last];
        pv->born[i] = pv->born[last];
        pv->ep_tkn[i] = pv->ep_tkn[last];
        pv->acc[i] = pv->acc[last];
    }
}

int prov_window(world *w, double t0, double t1)
{
    wld_providers *pv = &w->pv;
    pstream *st = &pv->st;
    gsl_rng *r = wld_rng(w, RNG_CONTRIB);
    pcg32 *g = rng_pcg(r);
    pstream_begin(st, t0, t1);
    double sum = 0;
    for (uint32_t i = 0; i < pv->n; i++)
        sum += pv->rate[i];
    pstream_expect(st, sum * st->span);
    for (uint32_t i = 0; i < pv->n; i++)
        for (unsigned k = pstream_count(st, r, pv->rate[i]); k > 0; k--)
            if (pstream_push(st, pcg32_next(g), i, 0))
                return -1;
    return wld_stream_start(w, st, EV_CONTRIB);
}

/* Events this many places ahead have their provider's record fetched, when the
 * records (32 bytes each) outgrow the core's caches: below PROV_PREFETCH_MIN
 * providers they stay cached and the look-ahead is only instructions (~7 a
 * contribution, 0.3% of a baseline year of 1,050 providers). */
#define PROV_AHEAD 8
#define PROV_PREFETCH_MIN 8192

void prov_on_contrib(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    wld_providers *pv = &w->pv;
    const crc_params *p = &w->p;
    pstream *st = &pv->st;
    gsl_rng *r = wld_rng(w, RNG_CONTRIB);
    pstream_ev e;
    if (wld_stream_fire(w, st, EV_CONTRIB, &e))
        return;
    uint32_t i = e.i;
    if (pv->n >= PROV_PREFETCH_MIN) {
        const pstream_ev *f = pstream_ahead(st, PROV_AHEAD);
        if (f)
            crc_prefetch(&pv->r[f->i]);
    }
    wld_prov *v = &pv->r[i];
    uint32_t d = v->dn;
    v->ep_cost += v->cost;
    if (v->kind == PK_POISONER) {
        poison_contrib(w, i);
        return;
    }
    int dup = 0;
    if (v->kind == PK_SPAMMER && gsl_rng_uniform(r) < p->prov_spammer_dup) {
        /* A duplicate: caught at intake with probability data.dedup (rejected, the
         * effort is lost), else accepted and paid like low-quality data. */
        if (gsl_rng_uniform(r) < p->data_dedup)
            return;
        dup = 1;
    }
    if (def_audit_contrib(w, i, v->kind == PK_SPAMMER ? DEF_KIND_SPAM : DEF_KIND_HONEST))
        return;
    double q = v->q;
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
    double score = sig > 0 ? q * dist_noise_mean1(wld_rng(w, RNG_ATTRIB), sig) : q;
    v->score += score;
    dn->score[d] += score;
    v->ep_count += 1;
    v->ep_qvol += (float)q;
}
