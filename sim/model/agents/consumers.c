/*
 * consumers.c — consumers, the only source of external value (MODEL.md §2.4;
 * docs/model.md §consumers).
 *
 * A dense struct-of-arrays population; all queries form one Poisson stream of the
 * summed rate, drawn in time order (an exponential clock and an alias table over the
 * consumers' rates) a few queries before they fire. A query is a logit choice among the
 * listed models and the incumbent, read from the epoch's per-taste cumulative table
 * through its guide table (one or two steps, no exp per query). A network query pays its fee
 * in TKN bought on the AMM at that moment, splits it by fees.*, goes to a compute
 * node's queue, and succeeds with probability Q; satisfaction is an EMA of outcomes.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "model/adversary/attack.h"
#include "util/prefetch.h"

int cons_birth(world *w, double t)
{
    wld_consumers *cs = &w->cs;
    void **const cols[] = {(void **)&cs->r, (void **)&cs->rate};
    const size_t sizes[] = {sizeof *cs->r, sizeof *cs->rate};
    if (wld_grow_soa(&cs->cap, cs->n + 1, 2, cols, sizes))
        return -1;
    const crc_params *p = &w->p;
    gsl_rng *r = wld_rng(w, RNG_CONSUMERS);
    uint32_t i = cs->n;
    wld_cons *c = &cs->r[i];
    memset(c, 0, sizeof *c);
    c->taste = (uint16_t)gsl_rng_uniform_int(r, w->ls.tastes);
    cs->rate[i] = (float)dist_sample(&p->cons_rate, r, 0, 1e6);
    c->budget = (float)dist_sample(&p->cons_budget, r, 0, 1e9);
    c->sat = (float)p->cons_sat_init;
    cs->n++;
    cs->stale = 1;
    w->cls[CLS_CONSUMER].active++;
    w->cls[CLS_CONSUMER].entered++;
    (void)t;
    return 0;
}

void cons_remove(world *w, uint32_t i)
{
    wld_consumers *cs = &w->cs;
    w->cls[CLS_CONSUMER].active--;
    w->cls[CLS_CONSUMER].exited++;
    uint32_t last = --cs->n;
    cs->stale = 1;
    if (i != last) {
        cs->r[i] = cs->r[last];
        cs->rate[i] = cs->rate[last];
    }
}

/* The event's b is the chosen model's builder slot, or CONS_INCUMBENT: the listing
 * does not change within a window, so the slot is looked up once, when the query is
 * completed. */
#define CONS_INCUMBENT UINT32_MAX

/* The merged stream (docs/model.md §1, §8). The superposition of the consumers' Poisson
 * processes is a Poisson process of the summed rate Λ in which each query is consumer
 * i's with probability rate_i / Λ, independently: so a query is an Exp(Λ) gap from the
 * one before (the engine's ziggurat) and a consumer drawn from an alias table over the
 * rates, and the queries come out in time order with nothing to sort. A query is drawn
 * AHEAD queries before it fires and completed in steps, each reading what the step
 * before fetched: at AHEAD its time, its alias cell (fetched) and its choice's uniform;
 * at AHEAD / 2 the consumer (its record fetched); at AHEAD / 4 its choice, from its
 * taste (the listing's guide and the builders' records are small and stay cached, so
 * nothing more is fetched). The draws come from RNG_ARRIVALS in the queries' order, so
 * they are those of drawing each at its turn. */
#define AHEAD WLD_QUERY_AHEAD

static wld_query *ring_at(wld_consumers *cs, uint64_t k) { return &cs->ring[k & (AHEAD - 1)]; }

static void q_draw(world *w, wld_query *q)
{
    wld_consumers *cs = &w->cs;
    pcg32 *g = rng_pcg(wld_rng(w, RNG_ARRIVALS));
    /* Four outputs in a row: the gap's (zig_exp_draw, inlined), the alias uniform's
     * two and the choice's. When the gap takes one draw (98.9%), the other three are
     * computed from the same state (pcg32_stride), not one after another. */
    const pcg32_stride *st = &cs->arrivals;
    const zig_exp *z = &w->zexp;
    uint64_t s0 = g->state;
    uint32_t x0 = pcg32_output(s0), hi, lo, u;
    double gap;
    if (zig_exp_inside(z, x0, &gap)) {
        hi = pcg32_output(st->mult[0] * s0 + st->plus[0]);
        lo = pcg32_output(st->mult[1] * s0 + st->plus[1]);
        u = pcg32_output(st->mult[2] * s0 + st->plus[2]);
        g->state = st->mult[3] * s0 + st->plus[3];
    } else {
        g->state = st->mult[0] * s0 + st->plus[0];
        gap = zig_exp_edge(z, g, x0);
        hi = pcg32_next(g);
        lo = pcg32_next(g);
        u = pcg32_next(g);
    }
    cs->t_drawn += gap * cs->mean_gap;
    q->t = cs->t_drawn;
    uint64_t x = (uint64_t)hi << 32 | lo;
    q->cell = alias_cell(&cs->by_rate, (double)(x >> 11) * 0x1p-53, &q->rest);
    q->u = u; /* the choice's uniform: u / 2^32 */
    crc_prefetch(&cs->by_rate.e[q->cell]);
}

static void q_resolve(wld_consumers *cs, wld_query *q)
{
    q->i = alias_resolve(&cs->by_rate, q->cell, q->rest);
    crc_prefetch(&cs->r[q->i]);
}

/* The choice, from the consumer's taste (its record fetched by q_resolve): b becomes
 * the chosen model's builder slot, or CONS_INCUMBENT. The listing's guide and the
 * builders' records are small and stay cached: nothing more is fetched. */
static void q_choose(world *w, wld_query *q)
{
    const wld_listing *ls = &w->ls;
    uint32_t j = wld_choose(ls, w->cs.r[q->i].taste, q->u);
    q->b = j < ls->m ? ls->model[j] : CONS_INCUMBENT;
}

/* Arms the source with the query at pos, or disarms it past the window's end. */
static void q_arm(world *w)
{
    wld_consumers *cs = &w->cs;
    double t = ring_at(cs, cs->pos)->t;
    if (t < cs->t1)
        sim_source_at(&w->s, cs->src, t, EV_QUERY, 0, 0);
    else
        sim_source_clear(&w->s, cs->src);
}

int cons_window(world *w, double t0, double t1)
{
    wld_consumers *cs = &w->cs;
    sim_source_clear(&w->s, cs->src);
    if (cs->stale) {
        if (alias_build(&cs->by_rate, cs->rate, cs->n))
            return -1;
        cs->stale = 0;
    }
    if (!(t1 > t0) || !(cs->by_rate.total > 0))
        return 0;
    /* What was drawn of the old window is dropped (memorylessness: the process from t0
     * on has the same law either way). The first queries take the steps they would
     * have taken before firing. */
    cs->t1 = t1;
    cs->mean_gap = 1.0 / cs->by_rate.total;
    pcg32_stride_init(&cs->arrivals, rng_pcg(wld_rng(w, RNG_ARRIVALS)));
    cs->t_drawn = t0;
    cs->pos = 0;
    for (uint64_t k = 0; k < AHEAD; k++)
        q_draw(w, ring_at(cs, k));
    for (uint64_t k = 0; k < AHEAD / 2; k++)
        q_resolve(cs, ring_at(cs, k));
    for (uint64_t k = 0; k < AHEAD / 4; k++)
        q_choose(w, ring_at(cs, k));
    q_arm(w);
    return 0;
}

/* What every query of a run (one cons_on_query call) reads the same: the treasury's
 * fee share (the parameters hold still) and the pool's lane for its purchases (a query
 * opens no account). */
typedef struct cons_run {
    double tre_share;
    ledger_lane buy;
} cons_run;

static void run_begin(world *w, cons_run *u)
{
    u->tre_share = fees_treasury_share(&w->p);
    amm_buy_lane_open(w->L, &u->buy, w->pool);
}

static void query(sim *s, world *w, cons_run *u, uint32_t i, uint32_t b, gsl_rng *r);

/* The nodes' records are fetched in steps from ROUTE_AHEAD routings ahead
 * (node_prefetch_route): the candidates' places in the active set, the candidates'
 * queue lengths, then the likelier winner's record. That pays only when the nodes'
 * arrays (~80 bytes a node) outgrow the core's caches; below ROUTE_PREFETCH_NODES they
 * stay cached and the steps cost more than they save (−4 to −12% of the CPU time of a
 * 10⁵-consumer year of the reduced economy, 100 nodes). No ledger account is touched: the fee's shares are
 * paid when the epoch settles. */
#define ROUTE_AHEAD 16
#define ROUTE_PREFETCH_NODES 4096

/* Runs the query due now and every one after it that comes before any other event
 * (sim_source_continue: the same events in the same order as one event per query that
 * arms the source last, at the cost of a loop; a query schedules no event), then arms
 * the source with the next. */
void cons_on_query(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    wld_consumers *cs = &w->cs;
    gsl_rng *r = wld_rng(w, RNG_QUERIES);
    int prefetch_route = w->nd.n >= ROUTE_PREFETCH_NODES;
    cons_run u;
    run_begin(w, &u);
    (void)ev;
    for (;;) {
        uint64_t k = cs->pos++;
        wld_query q = *ring_at(cs, k);
        q_draw(w, ring_at(cs, k));
        q_resolve(cs, ring_at(cs, k + AHEAD / 2));
        q_choose(w, ring_at(cs, k + AHEAD / 4));
        if (prefetch_route)
            node_prefetch_route(w, ROUTE_AHEAD);
        query(s, w, &u, q.i, q.b, r);
        double t = ring_at(cs, cs->pos)->t;
        if (!(t < cs->t1) || !sim_source_continue(s, cs->src, t))
            break;
    }
    q_arm(w);
}

/* One query: the consumer, its choice, the fee and the node's queue. */
static void query(sim *s, world *w, cons_run *u, uint32_t i, uint32_t b, gsl_rng *r)
{
    wld_cons *c = &w->cs.r[i];
    pcg32 *g = rng_pcg(r);
    if (b == CONS_INCUMBENT || w->nd.n_active + w->fake_n == 0) {
        w->ep_inc_queries += 1;
        return;
    }
    wld_builders *bd = &w->bd;
    double price = bd->r[b].price;
    const crc_params *p = &w->p;
    if (c->spent + price > c->budget * p->world_epoch) {
        /* Over its network budget for the epoch: the query goes to the incumbent. */
        w->ep_blocked += 1;
        w->ep_inc_queries += 1;
        return;
    }
    c->spent += (float)price;
    uint32_t n = node_route(w, w->fake_n);
    /* The fee: TKN bought on the AMM now (real buy pressure), split by fees.*. */
    fee_split fs;
    fee_split_usd_share(p, u->tre_share, price, &fs);
    double tkn;
    double scale = wld_fee_buy_lane(w, &u->buy, &fs, &tkn);
    /* Every share stays in the pool until the epoch settles (rew_settle): what each
     * builder, node, datanet and the stakers, treasury and burn are owed is tallied. */
    double t_model = fs.model * scale, t_comp = fs.compute * scale;
    w->ep_fee_stakers += fs.stakers * scale;
    w->ep_fee_treasury += fs.treasury * scale;
    w->ep_fee_burn += fs.burn * scale;
    uint32_t d = bd->r[b].dn;
    w->dn.fee_tkn[d] += fs.data * scale;
    w->dn.fee_usd[d] += price;

    bd->r[b].ep_tkn += t_model;
    bd->r[b].ep_fee_usd += price;
    bd->r[b].ep_queries += 1;
    w->cls[CLS_BUILDER].ep_tkn += t_model;
    int fake = (n & WLD_FAKE) != 0;
    if (fake) {
        farm_fake_served(w, n & ~WLD_FAKE, t_comp);
    } else {
        w->nd.r[n].ep_tkn += t_comp;
        w->cls[CLS_COMPUTE].ep_tkn += t_comp;
        w->nd.r[n].ep_work += 1;
        int reg = w->nd.r[n].region;
        w->nd.r[n].ep_cost += w->region_cost[reg];
        w->region_work[reg] += 1;
    }
    w->ep_ext_queries += 1;
    w->ep_ext_fee_usd += price;
    w->ep_ext_fee_tkn += tkn;
    double Q = bd->r[b].Q;
    w->ep_q_sum += Q;

    /* Outcome: harmful with probability tau on a backdoored model, else success with
     * probability Q. A fake node runs no model: its made-up answer fails, harmless,
     * unless the job is one of the share defense.verify.rate re-executed by an honest
     * node (at no cost modelled), which gives the outcome above. The re-execution is
     * drawn on the adversary's stream, so the honest draws are the same with and
     * without fake nodes. Satisfaction is an EMA of successes. */
    int ok, harmful = 0;
    if (bd->r[b].backdoor && pcg32_double(g) < p->model_harm) {
        harmful = 1;
        ok = 0;
    } else {
        ok = pcg32_double(g) < Q;
    }
    if (fake && !(gsl_rng_uniform(atk_rng(w, ATK_RNG_VERIFY)) < p->def_verify_rate)) {
        w->atk->ep_fake_failed += 1;
        ok = harmful = 0;
    }
    if (harmful)
        w->ep_harm += 1;
    c->sat += (float)(p->cons_sat_alpha * ((double)ok - c->sat));
    if (!fake) {
        double lat = node_serve(w, n, s->now);
        if (lat >= 0) {
            w->ep_lat_sum += lat;
            w->ep_lat_n += 1;
        }
    }
}
