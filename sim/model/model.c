/*
 * model.c — model_run and model_validate (model.h): one replicate of the marketplace
 * model on the discrete-event engine (docs/model.md).
 *
 * The run: wld_alloc builds the world's state at t = 0 (genesis, datanets) and
 * populate adds the populations and the adversaries;
 * then the engine runs contributions, queries, training jobs and queue departures at
 * their own times, and one EV_EPOCH per world.epoch that settles rewards
 * (rewards.c), samples metrics (metrics.c), lets agents reconsider (exit and entry,
 * below), verifies the ledger under `check`, and rebuilds what consumers choose
 * from. Governance interventions are events at their times.
 */
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "model/adversary/attack.h"
#include "model/agents/agents.h"
#include "model/metrics.h"
#include "model/token/token.h"
#include "model/world/world.h"

/* The populations at t = 0 and the adversaries, on the state wld_alloc built: the
 * agents' layer's hooks for the adversaries (wld_pop_ops) first, as atk_alloc adds the
 * poisoners through them. 0, or -1 when out of memory. */
static int populate(world *w)
{
    const crc_params *p = &w->p;
    w->ops = (wld_pop_ops){prov_birth, prov_remove, hold_farmer_birth, hold_farmer_remove};
    node_route_init(w);
    for (long i = 0; i < p->prov_honest_count; i++)
        if (prov_birth(w, PK_HONEST, 0))
            return -1;
    for (long i = 0; i < p->prov_spammer_count; i++)
        if (prov_birth(w, PK_SPAMMER, 0))
            return -1;
    for (long i = 0; i < p->node_count; i++)
        if (node_birth(w, 0))
            return -1;
    for (long i = 0; i < p->bld_count; i++)
        if (bld_birth(w, 0))
            return -1;
    for (long i = 0; i < p->cons_count; i++)
        if (cons_birth(w, 0))
            return -1;
    for (long i = 0; i < p->stk_count; i++)
        if (hold_staker_birth(w, 0))
            return -1;
    for (long i = 0; i < p->farm_count; i++)
        if (hold_farmer_birth(w, 0))
            return -1;
    if (atk_alloc(w))
        return -1;
    for (int c = 0; c < CLS_COUNT; c++)
        w->cls[c].entered = 0;
    return wld_listing_rebuild(w) ? -1 : 0;
}

const char *model_fixed_param(const char *path)
{
    static const char *const counts[] = {
        "providers.honest.count", "providers.spammer.count", "builders.count", "nodes.count",
        "consumers.count",        "stakers.count",           "farmers.count",  "poison.count"};
    if (!path)
        return NULL;
    if (strcmp(path, "world.epoch") == 0)
        return "the epochs are scheduled once, at t = 0; set world.epoch under params:";
    if (strcmp(path, "world.horizon") == 0)
        return "the run's end is fixed when it starts; set world.horizon under params:";
    if (strcmp(path, "world.datanets") == 0)
        return "the datanets are created at t = 0; set world.datanets under params:";
    if (strcmp(path, "consumers.tastes") == 0)
        return "the consumers' tastes are drawn at t = 0; set consumers.tastes under params:";
    if (strcmp(path, "holders.capital") == 0)
        return "the holders take their position at the first epoch; set holders.capital under "
               "params: (to change their demand later, set holders.weight or holders.yield)";
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        if (strcmp(path, counts[i]) == 0)
            return "it is the population at t = 0; to add agents later, raise the class's "
                   "entry rate (its .entry, or consumers.arrival) in the intervention";
    return NULL;
}

int model_validate(const crc_params *p, crc_err *err)
{
    int rc = token_validate(p, err);
    if (rc)
        return rc;
    if ((rc = atk_validate(p, err)))
        return rc;
    if (p->world_epoch > p->world_horizon)
        return crc_err_set(err, CRC_EINPUT,
                           "world.epoch (%g days) is longer than world.horizon (%g days): "
                           "set world.epoch <= world.horizon",
                           p->world_epoch, p->world_horizon);
    double shares = p->region_us_share + p->region_eu_share + p->region_asia_share +
                    p->region_nordic_share;
    if (!(shares > 0))
        return crc_err_set(err, CRC_EINPUT,
                           "compute.region.*.share are all 0: give at least one region a "
                           "positive share so new compute nodes have somewhere to settle");
    if (p->cons_tastes > 65535)
        return crc_err_set(err, CRC_EINPUT, "consumers.tastes (%ld) is more than 65535 (a consumer stores its "
                           "taste in 16 bits): set consumers.tastes to 65535 or less",
                           p->cons_tastes);
    if (p->agents_exit_roi >= p->agents_hurdle)
        return crc_err_set(err, CRC_EINPUT,
                           "agents.exit_roi (%g) is not below agents.hurdle (%g): agents would "
                           "leave a class while its return still attracts entry; set "
                           "agents.exit_roi below agents.hurdle",
                           p->agents_exit_roi, p->agents_hurdle);
    return CRC_OK;
}

/* ---- exit and entry (docs/model.md §entry and exit) ------------------------------ */

/* An agent reconsiders once it is at least W days old: it leaves when its trailing
 * return on cost is below agents.exit_roi. */
static int leaves(const world *w, const wld_acc *a, double born, double t)
{
    return t - born >= w->p.agents_window && wld_acc_roi(a) < w->p.agents_exit_roi;
}

static void exits(world *w, double t)
{
    wld_providers *pv = &w->pv;
    for (uint32_t i = pv->n; i-- > 0;)
        if (leaves(w, &pv->acc[i], pv->born[i], t))
            prov_remove(w, i);
    wld_builders *bd = &w->bd;
    for (uint32_t b = 0; b < bd->n; b++)
        if (bd->r[b].alive && leaves(w, &bd->acc[b], bd->born[b], t))
            bld_remove(w, b);
    wld_nodes *nd = &w->nd;
    for (uint32_t n = 0; n < nd->n; n++)
        if (nd->r[n].alive && !nd->r[n].leaving && leaves(w, &nd->acc[n], nd->born[n], t))
            node_leave(w, n);
    wld_holders *sk = &w->sk;
    for (uint32_t i = sk->n; i-- > 0;)
        if (leaves(w, &sk->acc[i], sk->born[i], t))
            hold_staker_remove(w, i, t);
    /* Consumers churn when their satisfaction falls below the threshold. */
    wld_consumers *cs = &w->cs;
    double churn = w->p.cons_churn;
    /* satisfaction stays in [0, 1] (an EMA of 0s and 1s from sat_init): none is below 0 */
    for (uint32_t i = churn > 0 ? cs->n : 0; i-- > 0;)
        if (cs->r[i].sat < churn) {
            cons_remove(w, i);
            w->ep_churned += 1;
        }
}

/* Poisson entry over the epoch at rate base + gain · active · x/(1 + x), where
 * x = max(0, roi − hurdle): entry rises with the class's trailing return above the
 * hurdle and saturates, so a class grows at most by a share `gain` of itself a day. */
static unsigned entrants(world *w, int cls, double base, double dt)
{
    double rate = wld_entry_rate(&w->p, base, &w->cls[cls].acc, (double)w->cls[cls].active, 1.0);
    if (!(rate > 0))
        return 0;
    return gsl_ran_poisson(wld_rng(w, RNG_ENTRY), rate * dt);
}

static int entries(world *w, double t, double dt)
{
    const crc_params *p = &w->p;
    unsigned k;
    k = entrants(w, CLS_HONEST, p->prov_honest_entry, dt);
    while (k--)
        if (prov_birth(w, PK_HONEST, t))
            return -1;
    k = entrants(w, CLS_SPAMMER, p->prov_spammer_entry, dt);
    while (k--)
        if (prov_birth(w, PK_SPAMMER, t))
            return -1;
    k = entrants(w, CLS_BUILDER, p->bld_entry, dt);
    while (k--)
        if (bld_birth(w, t))
            return -1;
    k = entrants(w, CLS_COMPUTE, p->node_entry, dt);
    while (k--)
        if (node_birth(w, t))
            return -1;
    k = entrants(w, CLS_STAKER, p->stk_entry, dt);
    while (k--)
        if (hold_staker_birth(w, t))
            return -1;
    /* Farmers enter by strategy, each on its own return (farm_reconsider). */
    /* Consumers arrive at a base rate plus word of mouth from satisfied consumers. */
    double sat = 0; /* (not counted when nobody spreads the word: 0 · sat is 0) */
    for (uint32_t i = 0; p->cons_wom > 0 && i < w->cs.n; i++)
        sat += w->cs.r[i].sat > p->cons_wom_threshold;
    double lam = (p->cons_arrival + p->cons_wom * sat) * dt;
    k = lam > 0 ? gsl_ran_poisson(wld_rng(w, RNG_ENTRY), lam) : 0;
    w->ep_entered += k;
    while (k--)
        if (cons_birth(w, t))
            return -1;
    return 0;
}

static void reset_epoch(world *w)
{
    wld_providers *pv = &w->pv;
    for (uint32_t i = 0; i < pv->n; i++) {
        pv->ep_tkn[i] = 0;
        pv->r[i].ep_count = pv->r[i].ep_qvol = pv->r[i].ep_cost = 0;
    }
    wld_builders *bd = &w->bd;
    for (uint32_t b = 0; b < bd->n; b++)
        bd->r[b].ep_fee_usd = bd->r[b].ep_queries = bd->r[b].ep_tkn = bd->r[b].ep_cost = bd->r[b].ep_pay = 0;
    wld_nodes *nd = &w->nd;
    for (uint32_t n = 0; n < nd->n; n++)
        nd->r[n].ep_work = nd->r[n].ep_tkn = nd->r[n].ep_cost = nd->ep_pay[n] = 0;
    for (uint32_t i = 0; i < w->sk.n; i++)
        w->sk.ep_tkn[i] = 0;
    for (uint32_t i = 0; i < w->fm.n; i++)
        w->fm.ep_tkn[i] = 0;
    wld_consumers *cs = &w->cs;
    for (uint32_t i = 0; i < cs->n; i++)
        cs->r[i].spent = 0;
    for (uint32_t d = 0; d < w->dn.n; d++)
        w->dn.fee_tkn[d] = w->dn.fee_usd[d] = w->dn.rew_usd[d] = 0;
    for (int c = 0; c < CLS_COUNT; c++) {
        wld_class *k = &w->cls[c];
        k->ep_tkn = k->ep_usd = k->ep_cost = k->ep_income_usd = 0;
    }
    for (int r = 0; r < WLD_REGIONS; r++)
        w->region_work[r] = 0;
    w->n_queries_total += w->ep_ext_queries + w->ep_wash_queries;
    w->ep_ext_queries = w->ep_wash_queries = w->ep_inc_queries = w->ep_blocked = 0;
    w->ep_ext_fee_usd = w->ep_wash_fee_usd = w->ep_ext_fee_tkn = 0;
    w->ep_fee_stakers = w->ep_fee_treasury = w->ep_fee_burn = 0;
    w->ep_q_sum = w->ep_harm = w->ep_lat_sum = w->ep_lat_n = 0;
    w->ep_audits = w->ep_detected = w->ep_slashed = 0;
    w->ep_entered = w->ep_churned = 0;
}

#define RESTART_ENOMEM "out of memory rebuilding the listing or drawing the streams' next window"

/* Streams and the listing change only at epoch boundaries (and interventions): the
 * streams are drawn afresh from now to the next epoch (never past the horizon), and
 * what was left of the old window is dropped (memorylessness: the process from now on
 * has the same law either way). */
static int restart_streams(world *w, double t)
{
    if (wld_listing_rebuild(w))
        return -1;
    double t1 = w->t_next < w->p.world_horizon ? w->t_next : w->p.world_horizon;
    if (prov_window(w, t, t1) || cons_window(w, t, t1))
        return -1;
    return 0;
}

static void fail(world *w, int code, const char *what, double t)
{
    if (w->err && w->err->code == CRC_OK)
        crc_err_set(w->err, code, "%s at t = %g days", what, t);
    sim_fail(&w->s, code);
}

static void on_epoch(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    double t = s->now, t0 = w->t_prev, dt = t - t0;
    (void)ev;
    w->t_next = t + w->p.world_epoch; /* as the engine schedules it (sim_every) */
    if (!(dt > 0))
        return;
    w->epoch++;
    if (rew_settle(w, t0, t) != CRC_OK) {
        fail(w, CRC_EFAIL, "reward settlement failed", t);
        return;
    }
    int rc = met_epoch(w, t);
    if (rc == CRC_ENOMEM) {
        fail(w, rc, "out of memory sampling metrics", t);
        return;
    }
    if (rc) {
        fail(w, CRC_EFAIL, "the results sink refused a metric or flow", t);
        return;
    }
    if (w->in->check) {
        double gap = ledger_check(w->L);
        if (!(gap <= 1e-9)) {
            if (w->err)
                crc_err_set(w->err, CRC_EFAIL,
                            "ledger invariant broken at t = %g days: |sum of balances - supply| / "
                            "supply = %.3g (must stay below 1e-9); a transfer created or destroyed "
                            "tokens",
                            t, gap);
            sim_fail(s, CRC_EFAIL);
            return;
        }
        uint32_t n = node_check(w);
        if (n != UINT32_MAX) {
            if (w->err)
                crc_err_set(w->err, CRC_EFAIL,
                            "compute node %u's load column (%u) disagrees with its queue at "
                            "t = %g days; a job was routed or served without being counted",
                            n, w->nd.load[n], t);
            sim_fail(s, CRC_EFAIL);
            return;
        }
    }
    ledger_epoch_reset(w->L);
    exits(w, t);
    if (atk_reconsider(w, t, dt)) {
        fail(w, CRC_ENOMEM, "out of memory adding adversaries", t);
        return;
    }
    if (entries(w, t, dt)) {
        fail(w, CRC_ENOMEM, "out of memory adding agents", t);
        return;
    }
    reset_epoch(w);
    wld_refresh(w);
    if (restart_streams(w, t)) {
        fail(w, CRC_ENOMEM, RESTART_ENOMEM, t);
        return;
    }
    w->t_prev = t;
    if (w->in->progress)
        w->in->progress(w->in->progress_ctx, t, w->p.world_horizon);
}

static void on_intervene(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    const crc_intervention *iv = &w->in->interventions[ev->a];
    params_assign(&w->p, iv->param, &iv->value);
    char buf[128];
    params_format(&w->p, iv->param, buf, sizeof buf);
    if (sink_intervention(w->sink, s->now, iv->param->path, buf)) {
        fail(w, CRC_EFAIL, "the results sink refused an intervention", s->now);
        return;
    }
    /* Derived values and the streams follow the new parameters from now on. */
    wld_refresh(w);
    if (restart_streams(w, s->now)) {
        fail(w, CRC_ENOMEM, RESTART_ENOMEM, s->now);
        return;
    }
}

int model_run(const model_input *in, const crc_sink *sink, crc_err *err)
{
    int rc = model_validate(in->params, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < in->n_interventions; i++) {
        const crc_intervention *iv = &in->interventions[i];
        if (!iv->param || !(iv->t >= 0) || (i > 0 && iv->t < in->interventions[i - 1].t))
            return crc_err_set(err, CRC_EINPUT,
                               "intervention %zu is invalid: it needs a parameter and a time "
                               ">= 0, and interventions must be sorted by time",
                               i + 1);
        const char *why = model_fixed_param(iv->param->path);
        if (why)
            return crc_err_set(err, CRC_EINPUT,
                               "intervention at t = %g: %s cannot change during a run: %s",
                               iv->t, iv->param->path, why);
        crc_err e2;
        crc_err_clear(&e2);
        if (params_check(iv->param, &iv->value, &e2))
            return crc_err_set(err, CRC_EINPUT, "intervention at t = %g on %s: %s", iv->t,
                               iv->param->path, e2.msg);
    }
    world *w = calloc(1, sizeof *w);
    if (!w)
        return crc_err_set(err, CRC_ENOMEM, "out of memory allocating the model");
    rc = wld_alloc(w, in->params, in->seed, in->replicate, sink, err);
    if (rc) {
        free(w);
        return rc;
    }
    w->in = in;
    if (populate(w)) {
        atk_free(w);
        wld_free(w);
        free(w);
        return crc_err_set(err, CRC_ENOMEM, "out of memory setting up the model's world");
    }
    sim *s = &w->s;
    sim_on(s, EV_EPOCH, on_epoch);
    sim_on(s, EV_QUERY, cons_on_query);
    sim_on(s, EV_CONTRIB, prov_on_contrib);
    sim_on(s, EV_DEPART, node_on_depart);
    sim_on(s, EV_TRAIN, bld_on_train);
    sim_on(s, EV_INTERVENE, on_intervene);
    for (size_t i = 0; i < in->n_interventions; i++)
        sim_at(s, in->interventions[i].t, EV_INTERVENE, (uint32_t)i, 0);
    double H = w->p.world_horizon, ep = w->p.world_epoch;
    sim_every(s, ep, ep, EV_EPOCH, 0, 0);
    w->t_next = ep;
    rc = restart_streams(w, 0) ? CRC_ENOMEM : s->status;
    if (rc == CRC_OK)
        rc = sim_run(s, H * (1 + 1e-12));
    if (rc == CRC_OK) {
        if (met_summary(w))
            rc = crc_err_set(err, CRC_EFAIL, "the results sink refused a summary value");
    } else if (err && err->code == CRC_OK) {
        crc_err_set(err, rc, "model run failed at t = %g days", s->now);
    }
    atk_free(w);
    wld_free(w);
    free(w);
    return rc;
}
