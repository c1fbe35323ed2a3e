/*
 * consumers.c — consumers, the only source of external value (MODEL.md §2.4;
 * docs/model.md §consumers).
 *
 * A dense struct-of-arrays population; all queries form one Poisson stream, drawn
 * a window (an epoch) at a time in the consumers' order and fired in time order
 * (pstream.h). A query is a logit choice among the listed models and the incumbent,
 * read from the epoch's per-taste cumulative table through its guide table (one or
 * two steps, no exp per query) when the window is drawn. A network query pays its fee
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
    if (i != last) {
        cs->r[i] = cs->r[last];
        cs->rate[i] = cs->rate[last];
    }
}

/* Each query's choice is drawn with its time: the listing does not change within a
 * window, so this is the draw the query would make when it fires. The guide entry a
 * draw reads is fetched CHOOSE_AHEAD queries before it is read, and what the entry
 * points to half as many before: the queries wait in a small ring, in the order they
 * were drawn, so the draws and the events are the same as without it. */
#define CHOOSE_AHEAD 32

typedef struct pending {
    uint32_t x, i, u, taste;
} pending;

/* The event's aux is the chosen model's builder slot, or CONS_INCUMBENT: the listing
 * does not change within a window, so the slot is looked up once, here. */
#define CONS_INCUMBENT UINT32_MAX

/* Fetches what wld_choose reads after the guide entry (fetched CHOOSE_AHEAD / 2 draws
 * before): the cut it goes on to scan, when the entry does not settle the choice, and
 * the chosen option's model slot. */
static void choose_prefetch(const wld_listing *ls, const pending *q)
{
    wld_guide e = *wld_guide_entry(ls, q->taste, q->u);
    uint32_t j = e.j & 0x7fffffffu;
    if (q->u > e.c && !(e.j >> 31))
        crc_prefetch(ls->cut + (size_t)q->taste * (ls->m + 1) + j + 1);
    crc_prefetch(ls->model + j);
}

static int flush(pstream *st, const wld_listing *ls, const pending *q)
{
    uint32_t j = wld_choose(ls, q->taste, q->u);
    return pstream_push(st, q->x, q->i, j < ls->m ? ls->model[j] : CONS_INCUMBENT);
}

int cons_window(world *w, double t0, double t1)
{
    wld_consumers *cs = &w->cs;
    pstream *st = &cs->st;
    const wld_listing *ls = &w->ls;
    gsl_rng *r = wld_rng(w, RNG_QUERIES);
    pcg32 *g = rng_pcg(r);
    pending ring[CHOOSE_AHEAD] = {{0, 0, 0, 0}};
    unsigned n = 0;
    pstream_begin(st, t0, t1);
    for (uint32_t i = 0; i < cs->n; i++) {
        const wld_cons *c = &cs->r[i];
        for (unsigned k = pstream_count(st, r, cs->rate[i]); k > 0; k--) {
            pending *q = &ring[n++ % CHOOSE_AHEAD];
            if (n > CHOOSE_AHEAD && flush(st, ls, q))
                return -1;
            q->x = pcg32_next(g);
            q->u = pcg32_next(g); /* u = draw / 2^32 */
            q->i = i;
            q->taste = c->taste;
            crc_prefetch(wld_guide_entry(ls, q->taste, q->u));
            if (n > CHOOSE_AHEAD / 2)
                choose_prefetch(ls, &ring[(n - 1 - CHOOSE_AHEAD / 2) % CHOOSE_AHEAD]);
        }
    }
    for (unsigned k = n > CHOOSE_AHEAD ? n - CHOOSE_AHEAD : 0; k < n; k++)
        if (flush(st, ls, &ring[k % CHOOSE_AHEAD]))
            return -1;
    return wld_stream_start(w, st, EV_QUERY);
}

static void query(sim *s, world *w, uint32_t i, uint32_t b, gsl_rng *r);

/* What a query reads is fetched ahead: CONS_AHEAD queries ahead, the consumer's
 * record and its model's builder record (one line each). For the nodes, in steps so
 * that each address is read from a line already fetched, from ROUTE_AHEAD routings
 * ahead (node_prefetch_route): the candidates' places in the active set, the
 * candidates' queue lengths, then the likelier winner's record. No ledger account is
 * touched: the fee's shares are paid when the epoch settles. */
#define CONS_AHEAD 8
#define ROUTE_AHEAD 16

void cons_on_query(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    pstream *st = &w->cs.st;
    pstream_ev e;
    if (wld_stream_fire(w, st, EV_QUERY, &e))
        return;
    const pstream_ev *f = pstream_ahead(st, CONS_AHEAD);
    if (f) {
        const wld_cons *c = &w->cs.r[f->i];
        crc_prefetch(c);
        if (f->aux != CONS_INCUMBENT)
            crc_prefetch(&w->bd.r[f->aux]);
    }
    node_prefetch_route(w, ROUTE_AHEAD);
    query(s, w, e.i, e.aux, wld_rng(w, RNG_QUERIES));
}

/* One query: the consumer, its choice, the fee and the node's queue. */
static void query(sim *s, world *w, uint32_t i, uint32_t b, gsl_rng *r)
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
    fee_split_usd(p, price, &fs);
    double tkn;
    double scale = wld_fee_buy(w, w->pool, &fs, &tkn);
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
    if (!fake)
        node_submit(w, n, 0, 0, s->now);
}
