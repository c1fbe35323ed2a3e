/*
 * nodes.c — compute nodes and their queues (MODEL.md §2.3; docs/model.md §compute
 * nodes).
 *
 * Each node is one engine station: a FIFO queue in front of nodes.servers identical
 * servers. Queries take exponential service times (mean nodes.service_time, drawn by
 * the engine's ziggurat); training jobs hold a server for their size. Latency (wait +
 * service) is therefore a queueing outcome of the run, not a formula. Under FIFO a job's
 * start and departure are known when it arrives (engine/fcfs.h), and only a training
 * job's end (the builder's model is ready) and a leaving node's last departure (its slot
 * is freed) are events; a query's departure is not. A new job goes to the shorter of
 * two randomly drawn active nodes ("power of two choices"), a cheap router that keeps
 * queues balanced without a global scan.
 *
 * Slots are stable: a node that leaves takes no new jobs and frees its slot once its
 * queue has drained (an event at its last departure), so a training job's end never
 * refers to a reused slot.
 */
#include "model/agents/agents.h"
#include "model/world/world.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "util/prefetch.h"

/* The id of the event at a leaving node's last departure (a query's id is 0, a training
 * job's has WLD_TRAIN_BIT). */
#define NODE_DRAINED 1ULL

/* Jobs at node n at time now (the router's view, brought up to date when a job has left
 * since: load[n] holds until due[n]). */
static inline uint32_t node_jobs(wld_nodes *nd, uint32_t n, double now)
{
    if (now < nd->due[n])
        return nd->load[n];
    fcfs *q = &nd->r[n].st;
    nd->load[n] = fcfs_expire(q, now);
    nd->due[n] = q->due;
    return nd->load[n];
}

/* The router's view of node n's jobs at now, exact, without bringing its station up
 * to date: with at most one job the count is load less whether it has left, which is
 * a coin under light load (no branch); only a node holding several jobs, one of which
 * has left, needs its station expired (node_jobs). */
static inline uint32_t route_jobs(wld_nodes *nd, uint32_t n, double now)
{
    uint32_t load = nd->load[n], gone = now >= nd->due[n];
    if ((load > 1) & gone)
        return node_jobs(nd, n, now);
    return load - gone;
}

/* A new node settles in region r with probability proportional to
 * share_r · (R_r / C_r)^k: the region's trailing income-to-cost ratio raised to the
 * sensitivity k (an elasticity; R/C is clamped to [1e-3, 1e3], and a region without
 * history counts as 1), so capacity flows to where serving is cheaper relative to
 * what it earns. */
static int choose_region(world *w, gsl_rng *r)
{
    const crc_params *p = &w->p;
    double share[WLD_REGIONS] = {p->region_us_share, p->region_eu_share, p->region_asia_share,
                                 p->region_nordic_share};
    double wt[WLD_REGIONS], sum = 0;
    for (int k = 0; k < WLD_REGIONS; k++) {
        const wld_acc *a = &w->region_acc[k];
        double x = 1;
        if (a->C > 0 || a->R > 0)
            x = a->C > 0 ? a->R / a->C : 1e3;
        x = x < 1e-3 ? 1e-3 : x > 1e3 ? 1e3 : x;
        wt[k] = share[k] * pow(x, p->compute_region_sensitivity);
        sum += wt[k];
    }
    if (!(sum > 0))
        return (int)(gsl_rng_uniform(r) * WLD_REGIONS);
    double u = gsl_rng_uniform(r) * sum;
    for (int k = 0; k < WLD_REGIONS; k++) {
        if (u < wt[k])
            return k;
        u -= wt[k];
    }
    return WLD_REGIONS - 1;
}

int node_birth(world *w, double t)
{
    wld_nodes *nd = &w->nd;
    uint32_t n;
    if (nd->n_free) {
        n = nd->free_list[--nd->n_free];
    } else {
        void **const cols[] = {(void **)&nd->free_list, (void **)&nd->r, (void **)&nd->fixed_cost,
                               (void **)&nd->born, (void **)&nd->ep_pay, (void **)&nd->acc,
                               (void **)&nd->active, (void **)&nd->apos, (void **)&nd->load,
                               (void **)&nd->due};
        const size_t sizes[] = {4, sizeof(wld_node), 4, 4, 8, sizeof(wld_acc), 4, 4, 4, 8};
        if (wld_grow_soa(&nd->cap, nd->n + 1, sizeof sizes / sizeof *sizes, cols, sizes))
            return -1;
        n = nd->n++;
    }
    acct_id a = ledger_open(w->L, CLS_COMPUTE);
    if (a == UINT32_MAX)
        return -1;
    gsl_rng *r = wld_rng(w, RNG_NODES);
    nd->r[n].alive = 1;
    nd->r[n].leaving = 0;
    nd->r[n].fake = 0; /* reserved: fake nodes come with the adversary model */
    nd->r[n].region = (uint8_t)choose_region(w, r);
    nd->r[n].acct = a;
    fcfs_init(&nd->r[n].st, (uint32_t)w->p.node_servers);
    nd->load[n] = 0;
    nd->due[n] = nd->r[n].st.due;
    nd->fixed_cost[n] = (float)dist_sample(&w->p.node_fixed_cost, r, 0, 1e9);
    nd->born[n] = (float)t;
    nd->r[n].ep_work = nd->r[n].ep_tkn = nd->r[n].ep_cost = nd->ep_pay[n] = 0;
    nd->acc[n] = (wld_acc){0, 0};
    nd->apos[n] = nd->n_active;
    nd->active[nd->n_active++] = n;
    w->cls[CLS_COMPUTE].active++;
    w->cls[CLS_COMPUTE].entered++;
    return 0;
}

static void node_free_slot(world *w, uint32_t n)
{
    wld_nodes *nd = &w->nd;
    nd->r[n].alive = 0;
    nd->r[n].leaving = 0;
    fcfs_free(&nd->r[n].st);
    nd->free_list[nd->n_free++] = n;
}

void node_leave(world *w, uint32_t n)
{
    wld_nodes *nd = &w->nd;
    if (!nd->r[n].alive || nd->r[n].leaving)
        return;
    nd->r[n].leaving = 1;
    uint32_t pos = nd->apos[n], last = nd->active[--nd->n_active];
    nd->active[pos] = last;
    nd->apos[last] = pos;
    wld_sell(w, nd->r[n].acct, 1.0);
    wld_gone_add(w, nd->r[n].acct);
    w->cls[CLS_COMPUTE].active--;
    w->cls[CLS_COMPUTE].exited++;
    double now = w->s.now;
    if (node_jobs(nd, n, now) == 0)
        node_free_slot(w, n);
    else /* freed when its last job leaves */
        sim_at(&w->s, fcfs_drained(&nd->r[n].st, now), EV_DEPART, n, NODE_DRAINED);
}

void node_route_init(world *w)
{
    pcg32 *g = rng_pcg(wld_rng(w, RNG_ROUTE));
    for (uint32_t k = 0; k < WLD_ROUTE_RING; k++)
        w->route_u[k] = pcg32_double(g);
    w->route_pos = 0;
}

/* The router's next uniform; its slot takes the stream's next draw. */
static double route_draw(world *w)
{
    uint32_t k = w->route_pos++ & (WLD_ROUTE_RING - 1);
    double u = w->route_u[k];
    w->route_u[k] = pcg32_double(rng_pcg(wld_rng(w, RNG_ROUTE)));
    return u;
}

/* The router's candidate at place i of the na active and m - na fake nodes, and its
 * queue length (a fake node never has one). With fake == 0 (a constant in each inlined
 * copy) every place is an active node's. */
static inline uint32_t candidate(wld_nodes *nd, uint32_t i, uint32_t na, int fake,
                                 double now, uint32_t *load)
{
    if (fake && i >= na) {
        *load = 0;
        return WLD_FAKE | (i - na);
    }
    uint32_t n = nd->active[i];
    *load = route_jobs(nd, n, now);
    return n;
}

static inline uint32_t route(world *w, uint32_t na, uint32_t m, int fake)
{
    wld_nodes *nd = &w->nd;
    uint32_t la, lb;
    double now = w->s.now;
    uint32_t a = candidate(nd, (uint32_t)(route_draw(w) * m), na, fake, now, &la);
    if (m == 1)
        return a;
    uint32_t b = candidate(nd, (uint32_t)(route_draw(w) * m), na, fake, now, &lb);
    return lb < la ? b : a;
}

uint32_t node_route(world *w, uint32_t fake)
{
    uint32_t na = w->nd.n_active;
    if (na + fake == 0)
        return UINT32_MAX;
    return fake ? route(w, na, na + fake, 1) : route(w, na, na, 0);
}

static wld_route_guess *guess_at(world *w, uint32_t k)
{
    return &w->route_guess[(k / 2) & (WLD_ROUTE_RING / 2 - 1)];
}

/* Place i of the router's draw in the active set. With fake nodes (fake != 0, a
 * constant in each inlined copy) it is clamped into the set: for a fake candidate
 * (i >= na) a place whose fetch is wasted but harmless. Without, i < na already. */
static inline uint32_t place(uint32_t i, uint32_t na, int fake) { return fake && i >= na ? na - 1 : i; }

static inline void prefetch_route(world *w, uint32_t j, uint32_t na, uint32_t m, int fake)
{
    const wld_nodes *nd = &w->nd;
    const uint32_t r = WLD_ROUTE_RING - 1;
    /* Each step reads only what the step before fetched, a few routings earlier. The
     * routing j ahead (its uniforms at ring places k and k + 1): the places of its two
     * candidates in the active set. */
    uint32_t k = w->route_pos + 2 * j;
    crc_prefetch(&nd->active[place((uint32_t)(w->route_u[k & r] * m), na, fake)]);
    crc_prefetch(&nd->active[place((uint32_t)(w->route_u[(k + 1) & r] * m), na, fake)]);
    /* j/2 ahead: the two candidates, kept (UINT32_MAX for a fake one), and their queue
     * lengths. */
    k = w->route_pos + 2 * (j / 2);
    wld_route_guess *g = guess_at(w, k);
    uint32_t ia = (uint32_t)(w->route_u[k & r] * m), ib = (uint32_t)(w->route_u[(k + 1) & r] * m);
    uint32_t a = nd->active[place(ia, na, fake)], b = nd->active[place(ib, na, fake)];
    g->k = k;
    g->a = !fake || ia < na ? a : UINT32_MAX;
    g->b = !fake || ib < na ? b : UINT32_MAX;
    g->n = UINT32_MAX;
    crc_prefetch(&nd->load[a]);
    crc_prefetch(&nd->load[b]);
    /* j/4 ahead: the likelier pick (the shorter queue now), kept, and its record. */
    k = w->route_pos + 2 * (j / 4);
    g = guess_at(w, k);
    if (g->k == k && g->a < nd->n && g->b < nd->n) {
        g->n = nd->load[g->b] < nd->load[g->a] ? g->b : g->a;
        crc_prefetch(&nd->r[g->n]);
    }
}

void node_prefetch_route(world *w, uint32_t j)
{
    uint32_t na = w->nd.n_active, fake = w->fake_n;
    if (na == 0 || na + fake < 2)
        return;
    if (fake)
        prefetch_route(w, j, na, na + fake, 1);
    else
        prefetch_route(w, j, na, na, 0);
}

uint32_t node_check(world *w)
{
    wld_nodes *nd = &w->nd;
    double now = w->s.now;
    for (uint32_t n = 0; n < nd->n; n++) {
        if (!nd->r[n].alive)
            continue;
        /* the router's view is the station's, and the station's servers are busy
         * exactly while it holds jobs: min(jobs, c) of them */
        uint32_t jobs = node_jobs(nd, n, now), c = nd->r[n].st.servers;
        if (jobs != nd->r[n].st.len || fcfs_busy(&nd->r[n].st, now) != (jobs < c ? jobs : c))
            return n;
    }
    return UINT32_MAX;
}

/* A job at node n at time t with service time S: joins its queue (the router's view
 * brought up to date); its wait in queue, or -1 when out of memory (the run fails). */
static inline double node_join(world *w, uint32_t n, double S, double t)
{
    wld_nodes *nd = &w->nd;
    fcfs *q = &nd->r[n].st;
    double wait;
    if (fcfs_arrive(q, t, S, &wait) != 0) {
        crc_err_set(w->err, CRC_ENOMEM, "out of memory growing a compute node's queue");
        sim_fail(&w->s, CRC_ENOMEM);
        return -1;
    }
    nd->load[n] = q->len;
    nd->due[n] = q->due;
    return wait;
}

double node_serve(world *w, uint32_t n, double t)
{
    double S = w->p.node_service_time * zig_exp_draw(&w->zexp, rng_pcg(wld_rng(w, RNG_SERVICE)));
    double wait = node_join(w, n, S, t);
    return wait < 0 ? -1 : wait + S;
}

void node_submit(world *w, uint32_t n, uint64_t id, double service, double t)
{
    if (!(id & WLD_TRAIN_BIT)) {
        double lat = node_serve(w, n, t);
        if (lat >= 0) {
            w->ep_lat_sum += lat;
            w->ep_lat_n += 1;
        }
        return;
    }
    double wait = node_join(w, n, service, t);
    if (wait >= 0) /* the builder's model is ready when the job leaves */
        sim_at(&w->s, t + wait + service, EV_DEPART, n, id);
}

void node_on_depart(sim *s, const evq_event *ev, void *ctx)
{
    world *w = ctx;
    uint32_t n = ev->a;
    uint64_t id = ev->b;
    if (id & WLD_TRAIN_BIT)
        bld_trained(w, (uint32_t)(id & 0xffffffffu), (uint32_t)((id >> 32) & 0x7fffffffu), s->now);
    else if (id == NODE_DRAINED && w->nd.r[n].leaving && node_jobs(&w->nd, n, s->now) == 0)
        node_free_slot(w, n);
}
