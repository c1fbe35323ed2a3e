/*
 * builders.c — model builders and their models (MODEL.md §2.2; docs/model.md §model
 * builders).
 *
 * Each builder owns one model, so a builder's slot is its model's id. Slots are
 * stable (a free list and a generation counter per slot) because retraining events
 * and training jobs queued at compute nodes refer to them: a job whose generation no
 * longer matches belongs to a builder that left and is ignored.
 *
 * Life of a model: the builder picks a datanet by expected return, trains through a
 * compute job (sized by the datanet's volume, paid to a node in TKN bought on the
 * AMM), publishes when the job completes with Q from the data it was trained on,
 * and retrains every builders.retrain days. New listings reach consumers at the next
 * epoch boundary.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <math.h>

#include <gsl/gsl_randist.h>

double bld_quality(const crc_params *p, double V, double pi)
{
    double vol = 1.0 - exp(-V / p->model_v_half);
    double dmg = pi > 0 ? p->model_damage * pi / (pi + p->model_pi50) : 0.0;
    return p->model_q_max * vol * (1.0 - dmg);
}

/* Expected return of building on datanet d: the quality its data supports, times the
 * trailing model fees earned there (plus one so an untried datanet is not zero),
 * shared with the models already on it; Gumbel noise makes it a logit choice. */
static uint32_t choose_datanet(world *w, gsl_rng *r)
{
    const wld_datanets *d = &w->dn;
    const crc_params *p = &w->p;
    double best = -INFINITY;
    uint32_t arg = 0;
    for (uint32_t j = 0; j < d->n; j++) {
        double q = bld_quality(p, d->qvol[j], d->count[j] > 0 ? d->poisoned[j] / d->count[j] : 0);
        double u = log(q + 1e-6) + log1p(d->fee_ema[j]) - log1p((double)d->n_models[j]);
        if (p->bld_choice_noise > 0)
            u += p->bld_choice_noise * gsl_ran_gumbel1(r, 1, 1);
        if (u > best) {
            best = u;
            arg = j;
        }
    }
    return arg;
}

int bld_birth(world *w, double t)
{
    wld_builders *bd = &w->bd;
    uint32_t b;
    if (bd->n_free) {
        b = bd->free_list[--bd->n_free];
    } else {
        void **const cols[] = {(void **)&bd->free_list, (void **)&bd->r, (void **)&bd->fixed_cost,
                               (void **)&bd->born, (void **)&bd->train_V, (void **)&bd->train_pi,
                               (void **)&bd->train_pois, (void **)&bd->train_S, (void **)&bd->acc};
        const size_t sizes[] = {4, sizeof(wld_builder), 4, 4, 4, 4, 4, 4, sizeof(wld_acc)};
        if (wld_grow_soa(&bd->cap, bd->n + 1, sizeof sizes / sizeof *sizes, cols, sizes))
            return -1;
        b = bd->n++;
    }
    acct_id a = ledger_open(w->L, CLS_BUILDER);
    if (a == UINT32_MAX)
        return -1;
    const crc_params *p = &w->p;
    gsl_rng *r = wld_rng(w, RNG_BUILDERS);
    bd->r[b].alive = 1;
    bd->r[b].listed = 0;
    bd->r[b].backdoor = 0;
    bd->r[b].gen = (bd->r[b].gen + 1) & 0x7fffffffu;
    bd->r[b].acct = a;
    bd->r[b].dn = choose_datanet(w, r);
    bd->r[b].price = (float)dist_sample(&p->bld_price, r, 0, 1e6);
    bd->fixed_cost[b] = (float)dist_sample(&p->bld_fixed_cost, r, 0, 1e9);
    bd->r[b].Q = 0;
    bd->born[b] = (float)t;
    bd->train_V[b] = bd->train_pi[b] = bd->train_pois[b] = 0;
    bd->r[b].ep_fee_usd = bd->r[b].ep_queries = bd->r[b].ep_tkn = bd->r[b].ep_cost = bd->r[b].ep_pay = 0;
    bd->acc[b] = (wld_acc){0, 0};
    w->dn.n_models[bd->r[b].dn]++;
    w->cls[CLS_BUILDER].active++;
    w->cls[CLS_BUILDER].entered++;
    sim_at(&w->s, t, EV_TRAIN, b, bd->r[b].gen);
    return 0;
}

void bld_remove(world *w, uint32_t b)
{
    wld_builders *bd = &w->bd;
    if (!bd->r[b].alive)
        return;
    bd->r[b].alive = 0;
    bd->r[b].listed = 0;
    bd->r[b].gen = (bd->r[b].gen + 1) & 0x7fffffffu; /* orphans its pending events and jobs */
    w->dn.n_models[bd->r[b].dn]--;
    wld_sell(w, bd->r[b].acct, 1.0);
    wld_gone_add(w, bd->r[b].acct);
    bd->free_list[bd->n_free++] = b;
    w->cls[CLS_BUILDER].active--;
    w->cls[CLS_BUILDER].exited++;
}

void bld_on_train(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    wld_builders *bd = &w->bd;
    uint32_t b = ev->a;
    uint32_t g = (uint32_t)ev->b;
    if (b >= bd->n || !bd->r[b].alive || bd->r[b].gen != g)
        return;
    const crc_params *p = &w->p;
    uint32_t node = node_route(w, 0);
    if (node == UINT32_MAX) { /* no compute anywhere: try again next epoch */
        sim_after(s, p->world_epoch, EV_TRAIN, b, g);
        return;
    }
    uint32_t d = bd->r[b].dn;
    double ks = w->dn.count[d] / 1000.0;
    /* The builder buys the job's price in TKN on the AMM and pays the node. */
    double usd = p->compute_train_price * ks;
    if (usd > 0) {
        double tkn = amm_buy(w->A, w->L, bd->r[b].acct, usd);
        if (tkn > 0 && ledger_transfer(w->L, bd->r[b].acct, w->nd.r[node].acct, tkn, RSN_COMPUTE) == 0)
            w->nd.ep_pay[node] += tkn;
        bd->r[b].ep_cost += usd;
    }
    w->nd.r[node].ep_cost += p->compute_train_cost * ks * w->region_factor[w->nd.r[node].region];
    bd->train_V[b] = (float)w->dn.qvol[d];
    bd->train_pi[b] = (float)(w->dn.count[d] > 0 ? w->dn.poisoned[d] / w->dn.count[d] : 0);
    bd->train_pois[b] = (float)w->dn.poisoned[d];
    double service = p->compute_train_time * ks;
    bd->train_S[b] = (float)(service > 1e-9 ? service : 1e-9);
    node_submit(w, node, WLD_TRAIN_BIT | ((uint64_t)g << 32) | b, bd->train_S[b], s->now);
}

void bld_trained(world *w, uint32_t b, uint32_t g, double t)
{
    wld_builders *bd = &w->bd;
    if (b >= bd->n || !bd->r[b].alive || bd->r[b].gen != g)
        return;
    const crc_params *p = &w->p;
    bd->r[b].Q = (float)bld_quality(p, bd->train_V[b], bd->train_pi[b]);
    /* MODEL.md §2.2: a constant poisoned count N* installs a backdoor whatever the
     * corpus size. */
    bd->r[b].backdoor = p->model_backdoor_count > 0 && bd->train_pois[b] >= p->model_backdoor_count;
    bd->r[b].listed = 1;
    sim_at(&w->s, t + p->bld_retrain, EV_TRAIN, b, g);
}
