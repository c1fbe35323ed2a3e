/*
 * consumers.c — consumers, the only source of external value (MODEL.md §2.4;
 * docs/model.md §consumers).
 *
 * A dense struct-of-arrays population; all queries form one Poisson stream
 * (pstream.h). A query is a logit choice among the listed models and the incumbent,
 * read from the epoch's per-taste cumulative table through its guide table (one or
 * two steps, no exp per query). A network query pays its fee in TKN bought on the AMM
 * at that moment, splits it by fees.*, goes to a compute node's queue, and succeeds
 * with probability Q; satisfaction is an EMA of outcomes.
 */
#include "model/world.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "util/prefetch.h"

int cons_birth(world *w, double t)
{
    wld_consumers *cs = &w->cs;
    if (wld_grow((void **)&cs->r, sizeof *cs->r, &cs->cap, cs->n + 1))
        return -1;
    const crc_params *p = &w->p;
    gsl_rng *r = wld_rng(w, RNG_CONSUMERS);
    uint32_t i = cs->n;
    wld_cons *c = &cs->r[i];
    memset(c, 0, sizeof *c);
    c->taste = (uint16_t)gsl_rng_uniform_int(r, w->ls.tastes);
    c->rate = (float)dist_sample(&p->cons_rate, r, 0, 1e6);
    c->budget = (float)dist_sample(&p->cons_budget, r, 0, 1e9);
    c->sat = (float)p->cons_sat_init;
    if (c->rate > 0 && pstream_add(&cs->st, i, c->rate, c->taste, &c->bucket, &c->bpos))
        return -1;
    cs->n++;
    w->cls[CLS_CONSUMER].active++;
    w->cls[CLS_CONSUMER].entered++;
    (void)t;
    return 0;
}

void cons_remove(world *w, uint32_t i)
{
    wld_consumers *cs = &w->cs;
    wld_cons *c = &cs->r[i];
    if (c->rate > 0) {
        uint32_t moved = pstream_remove(&cs->st, c->bucket, c->bpos);
        if (moved != UINT32_MAX)
            cs->r[moved].bpos = c->bpos;
    }
    w->cls[CLS_CONSUMER].active--;
    w->cls[CLS_CONSUMER].exited++;
    uint32_t last = --cs->n;
    if (i != last) {
        cs->r[i] = cs->r[last];
        if (cs->r[i].rate > 0)
            pstream_rename(&cs->st, cs->r[i].bucket, cs->r[i].bpos, i);
    }
}

static void query(sim *s, world *w, pstream *st, gsl_rng *r);

#define WLD_GUIDE_PREFETCH (1u << 18) /* guide entries (2 MB) past which it is fetched ahead */

/* The next query's logit draw reads the guide entry of its consumer's taste at
 * u = x/2^32, x the fifth output of the queries' stream from now if nothing else draws
 * from it first and the next pick accepts its first candidate (an exponential, the
 * acceptance test, the candidate after next's bucket and position, then x): a copy of
 * the generator predicts it, and the entry is fetched ahead. A wrong guess costs one
 * useless prefetch; no draw is taken or moved. */
static void prefetch_next_choice(const world *w, const pstream *st, gsl_rng *r)
{
    uint32_t taste;
    /* Only worth it when the guide tables outgrow the cache (10^6 agents: 8 MB; at 10^5
     * they are 512 KB and the prediction costs more than it saves). */
    if (((size_t)w->ls.tastes << w->ls.gbits) < WLD_GUIDE_PREFETCH || !pstream_next_aux(st, &taste))
        return;
    pcg32 c = *rng_pcg(r);
    for (int k = 0; k < 4; k++)
        pcg32_next(&c);
    uint32_t x = pcg32_next(&c);
    const wld_listing *ls = &w->ls;
    crc_prefetch(&ls->guide[((size_t)taste << ls->gbits) + (x >> (32 - ls->gbits))]);
}

void cons_on_query(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    pstream *st = &w->cs.st;
    if (ev->b != st->gen)
        return; /* superseded when the stream's rate changed */
    gsl_rng *r = wld_rng(w, RNG_QUERIES);
    st->ev = st->rate > 0 ? sim_after(s, gsl_ran_exponential(r, 1.0 / st->rate), EV_QUERY, 0,
                                      st->gen)
                          : EVQ_NONE;
    query(s, w, st, r);
    prefetch_next_choice(w, st, r);
}

/* One query: the consumer, its choice, the fee and the node's queue. */
static void query(sim *s, world *w, pstream *st, gsl_rng *r)
{
    wld_consumers *cs = &w->cs;
    uint32_t i = pstream_pick(st, r, cs->r, sizeof *cs->r);
    if (i == UINT32_MAX)
        return;
    const wld_listing *ls = &w->ls;
    uint32_t m = ls->m;
    wld_cons *c = &cs->r[i];
    pcg32 *g = rng_pcg(r);
    uint32_t lo = wld_choose(ls, c->taste, pcg32_next(g)); /* u = x/2^32, as pcg32_double */
    if (lo >= m || w->nd.n_active == 0) {
        w->ep_inc_queries += 1;
        return;
    }
    wld_builders *bd = &w->bd;
    uint32_t b = ls->model[lo];
    double price = bd->price[b];
    const crc_params *p = &w->p;
    if (c->spent + price > c->budget * p->world_epoch) {
        /* Over its network budget for the epoch: the query goes to the incumbent. */
        w->ep_blocked += 1;
        w->ep_inc_queries += 1;
        return;
    }
    c->spent += (float)price;
    uint32_t n = node_route(w);
    /* The payees' balances and tallies are read after the AMM swap: fetch them now. */
    ledger_prefetch(w->L, bd->acct[b]);
    ledger_prefetch(w->L, w->nd.acct[n]);
    crc_prefetch(&bd->ep_tkn[b]);
    crc_prefetch(&w->nd.ep_tkn[n]);

    /* The fee: TKN bought on the AMM now (real buy pressure), split by fees.*. */
    fee_split fs;
    fee_split_usd(p, price, &fs);
    double tkn;
    double scale = wld_fee_buy(w, w->pool, &fs, &tkn);
    double t_model = wld_pay(w, w->pool, bd->acct[b], fs.model * scale);
    double t_comp = wld_pay(w, w->pool, w->nd.acct[n], fs.compute * scale);
    wld_fee_rest(w, w->pool, &fs, scale);
    uint32_t d = bd->dn[b];
    w->dn.fee_tkn[d] += fs.data * scale; /* stays in the pool until the epoch settles */
    w->dn.fee_usd[d] += price;

    bd->ep_tkn[b] += t_model;
    bd->ep_fee_usd[b] += price;
    bd->ep_queries[b] += 1;
    w->cls[CLS_BUILDER].ep_tkn += t_model;
    w->nd.ep_tkn[n] += t_comp;
    w->cls[CLS_COMPUTE].ep_tkn += t_comp;
    w->nd.ep_work[n] += 1;
    int reg = w->nd.region[n];
    w->nd.ep_cost[n] += w->region_cost[reg];
    w->region_work[reg] += 1;
    w->ep_ext_queries += 1;
    w->ep_ext_fee_usd += price;
    w->ep_ext_fee_tkn += tkn;
    double Q = bd->Q[b];
    w->ep_q_sum += Q;

    /* Outcome: harmful with probability tau on a backdoored model, else success
     * with probability Q. Satisfaction is an EMA of successes. */
    int ok;
    if (bd->backdoor[b] && pcg32_double(g) < p->model_harm) {
        w->ep_harm += 1;
        ok = 0;
    } else {
        ok = pcg32_double(g) < Q;
    }
    c->sat += (float)(p->cons_sat_alpha * ((double)ok - c->sat));
    node_submit(w, n, 0, 0, s->now);
}
