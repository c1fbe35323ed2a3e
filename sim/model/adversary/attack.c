/*
 * attack.c — the adversaries' run state, the hooks the model calls each epoch, the
 * adversary metrics and the attacker accounting of the run summary (attack.h;
 * docs/model.md §11, accounting).
 */
#include "model/adversary/attack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "model/adversary/defense.h"
#include "model/adversary/poison.h"
#include "model/world/world.h"

double atk_roi(double income, double cost)
{
    if (!(cost > 0))
        return income > 0 ? 1e6 : 0.0;
    double r = (income - cost) / cost;
    return r > 1e6 ? 1e6 : r < -1e6 ? -1e6 : r;
}

int atk_validate(const crc_params *p, crc_err *err)
{
    double mix = p->farm_mix_sybil + p->farm_mix_wash + p->farm_mix_fake + p->farm_mix_stake;
    if ((p->farm_count > 0 || p->farm_entry > 0) && !(mix > 0))
        return crc_err_set(err, CRC_EINPUT,
                           "farmers.mix.sybil, .wash, .fake and .stake are all 0 while farmers "
                           "exist (farmers.count %ld, farmers.entry %g): give at least one "
                           "strategy a positive weight, or set farmers.count and farmers.entry to 0",
                           p->farm_count, p->farm_entry);
    if (p->poison_target >= p->world_datanets)
        return crc_err_set(err, CRC_EINPUT,
                           "poison.target (%ld) is not a datanet: world.datanets is %ld, so use "
                           "0 to %ld, or -1 for the datanet with the most models",
                           p->poison_target, p->world_datanets, p->world_datanets - 1);
    return CRC_OK;
}

int atk_acct_reserve(world *w, acct_id a)
{
    atk_state *s = w->atk;
    if (a < s->cap_acct)
        return 0;
    uint32_t need = a + 1, cap = s->cap_acct;
    void **const cols[] = {(void **)&s->points, (void **)&s->banned, (void **)&s->slot_of};
    const size_t sizes[] = {sizeof(float), 1, sizeof(uint32_t)};
    if (wld_grow_soa(&cap, need, 3, cols, sizes))
        return -1;
    s->cap_acct = cap;
    return 0;
}

int atk_alloc(world *w)
{
    atk_state *s = calloc(1, sizeof *s);
    if (!s)
        return CRC_ENOMEM;
    w->atk = s;
    for (int i = 0; i < ATK_RNG_COUNT; i++)
        if (!(s->rng[i] = rng_stream_alloc(w->seed, w->replicate, ATK_RNG_BASE + (uint64_t)i)))
            return CRC_ENOMEM;
    farm_pop_init(&s->fm);
    /* The per-account arrays grow on first use (a detection, a farmer), so a run with
     * no adversary activity pays no memory per agent for them. */
    for (long i = 0; i < w->p.poison_count; i++)
        if (w->ops.prov_birth(w, PK_POISONER, 0))
            return CRC_ENOMEM;
    return CRC_OK;
}

void atk_free(world *w)
{
    atk_state *s = w->atk;
    if (!s)
        return;
    for (int i = 0; i < ATK_RNG_COUNT; i++)
        if (s->rng[i])
            gsl_rng_free(s->rng[i]);
    free(s->points);
    free(s->banned);
    free(s->slot_of);
    free(s->wash_dwt);
    farm_pop_free(&s->fm);
    free(s);
    w->atk = NULL;
}

void atk_pay(world *w, double t0, double t1)
{
    farm_pay(w, t0, t1);
}

void atk_settle(world *w, double t0, double t1, double price)
{
    farm_settle(w, t0, t1, price);
}

int atk_reconsider(world *w, double t, double dt)
{
    atk_state *s = w->atk;
    const crc_params *p = &w->p;
    /* Banned contributors leave (their tokens are sold, their data stays until the
     * next retrain like any departed provider's). */
    wld_providers *pv = &w->pv;
    if (s->bans_pending > 0) {
        for (uint32_t i = pv->n; i-- > 0;)
            if (def_is_banned(w, pv->acct[i]))
                w->ops.prov_remove(w, i);
        s->bans_pending = 0; /* (some may have left on their own through exits) */
    }
    if (farm_reconsider(w, t, dt))
        return -1;
    /* Poisoners enter on their class's trailing return (docs/model.md §3): the base
     * rate is only a probe while they earn below the hurdle. */
    double rate = wld_entry_rate(p, p->poison_entry, &w->cls[CLS_POISONER].acc,
                                 (double)w->cls[CLS_POISONER].active, p->agents_probe);
    unsigned k = rate > 0 ? gsl_ran_poisson(atk_rng(w, ATK_RNG_ENTRY), rate * dt) : 0;
    while (k--)
        if (w->ops.prov_birth(w, PK_POISONER, t))
            return -1;
    return 0;
}

int atk_metrics(world *w, double t)
{
    atk_state *s = w->atk;
    const crc_sink *k = w->sink;
    farm_pop *f = &s->fm;
    double pmax = 0;
    for (uint32_t d = 0; d < w->dn.n; d++)
        if (w->dn.poisoned[d] > pmax)
            pmax = w->dn.poisoned[d];
    double act[STRAT_COUNT] = {0};
    for (uint32_t j = 0; j < f->n; j++)
        if (f->alive[j])
            for (int st = 0; st < STRAT_COUNT; st++)
                act[st] += f->act[st][j];
    struct { const char *name; double v; } m[] = {
        {"poisoned_max", pmax},
        {"wash_return", s->ep_wash_fee_tkn > 0 ? s->ep_wash_emission / s->ep_wash_fee_tkn : 0},
        {"fake_compute_share", s->ep_compute_tkn > 0 ? s->ep_fake_tkn / s->ep_compute_tkn : 0},
        {"fake_nodes", act[STRAT_FAKE]},
        {"fake_caught", s->ep_caught},
        {"fake_queries", s->ep_fake_queries},
        {"fake_failed", s->ep_fake_failed},
        {"fake_fee_tkn", s->ep_fake_fee_tkn},
        {"sybil_identities", act[STRAT_SYBIL]},
        {"wash_rate", act[STRAT_WASH]},
        {"mercenary_usd", act[STRAT_STAKE]},
        {"banned", s->ep_banned},
        {"clawback_tkn", s->ep_clawback},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof m / sizeof *m && !rc; i++)
        rc = sink_metric(k, t, m[i].name, isfinite(m[i].v) ? m[i].v : 0);
    s->ep_clawback = s->ep_banned = s->ep_caught = 0;
    s->ep_wash_fee_tkn = s->ep_wash_emission = s->ep_fake_tkn = s->ep_compute_tkn = 0;
    s->ep_fake_queries = s->ep_fake_failed = s->ep_fake_fee_tkn = 0;
    return rc;
}

int atk_summary(world *w)
{
    atk_state *s = w->atk;
    const crc_sink *k = w->sink;
    static const int adv[] = {CLS_SPAMMER, CLS_POISONER, CLS_FAKE_COMPUTE, CLS_FARMER};
    char buf[96];
    int rc = 0;
    double cost = 0, inc = 0;
    for (size_t c = 0; c < sizeof adv / sizeof *adv && !rc; c++) {
        const wld_class *x = &w->cls[adv[c]];
        const char *nm = class_name(adv[c]);
        struct { const char *f; double v; } rows[] = {
            {"slashed_tkn", s->slashed_tkn[adv[c]]},
            {"slashed_usd", s->slashed_usd[adv[c]]},
            {"clawback_tkn", s->clawback_tkn[adv[c]]},
            {"roi_run", atk_roi(x->cum_income_usd, x->cum_cost)},
        };
        for (size_t r = 0; r < sizeof rows / sizeof *rows && !rc; r++) {
            snprintf(buf, sizeof buf, "%s.%s", rows[r].f, nm);
            rc = sink_summary(k, buf, rows[r].v);
        }
        cost += x->cum_cost;
        inc += x->cum_income_usd;
    }
    const farm_pop *f = &s->fm;
    for (int st = 0; st < STRAT_COUNT && !rc; st++) {
        const char *nm = farm_strategy_name(st);
        struct { const char *f; double v; } rows[] = {
            {"farm_cost_usd", f->cum_cost[st]},
            {"farm_income_usd", f->cum_inc[st]},
            {"farm_profit_usd", f->cum_inc[st] - f->cum_cost[st]},
            {"farm_reward_tkn", f->cum_tkn[st]},
        };
        for (size_t r = 0; r < sizeof rows / sizeof *rows && !rc; r++) {
            snprintf(buf, sizeof buf, "%s.%s", rows[r].f, nm);
            rc = sink_summary(k, buf, rows[r].v);
        }
    }
    /* Per-farmer books: how many farmers ever ran, and the share that ended in profit
     * (those still running count with their books so far). */
    long seen = f->done, prof = f->done_profitable;
    for (uint32_t j = 0; j < f->n; j++)
        if (f->alive[j]) {
            seen++;
            prof += f->f_inc[j] > f->f_cost[j];
        }
    if (!rc)
        rc = sink_summary(k, "farmers_seen", (double)seen);
    if (!rc)
        rc = sink_summary(k, "farmers_profitable_share", seen > 0 ? (double)prof / (double)seen : 0);
    /* Farmers that left, and how many of them left in profit (below break-even the
     * launch-period emissions can leave a dying farmer net positive). */
    struct { const char *f; double v; } gone[] = {
        {"farmers_departed", (double)f->done},
        {"farmers_departed_profitable", (double)f->done_profitable},
        {"farmers_departed_profit_usd", f->done_profit_usd},
    };
    for (size_t r = 0; r < sizeof gone / sizeof *gone && !rc; r++)
        rc = sink_summary(k, gone[r].f, gone[r].v);
    if (!rc)
        rc = sink_summary(k, "attack_roi", atk_roi(inc, cost));
    if (!rc)
        rc = sink_summary(k, "banned_total", s->banned_total);
    return rc;
}
