/*
 * agents.h — the agent populations' functions (docs/model.md §3): providers.c (prov_),
 * builders.c (bld_: builders and their models), nodes.c (node_: compute nodes and
 * their queues), consumers.c (cons_), holders.c (hold_: stakers and farmers) and
 * rewards.c (rew_: epoch settlement). Their state is the world's (world/world.h); the
 * agents' layer may use the adversaries' modules below it (adversary/), never the
 * other way round (docs/architecture.md).
 */
#ifndef CRC_AGENTS_H
#define CRC_AGENTS_H

#include <stdint.h>

#include "model/world/world.h"

/* ---- providers.c ------------------------------------------------------------ */
int prov_birth(world *w, int kind, double t);
void prov_remove(world *w, uint32_t i);
/* Draws the providers' contributions over [t0, t1) and schedules the first; members
 * must not change until the next window. 0, or -1 when out of memory. */
int prov_window(world *w, double t0, double t1);
void prov_on_contrib(sim *s, const evq_event *ev, void *ctx);

/* ---- builders.c ------------------------------------------------------------- */
/* Q = q_max (1 - exp(-V/v_half)) (1 - damage pi/(pi + pi50)) (MODEL.md §2.2). */
double bld_quality(const crc_params *p, double V, double pi);
int bld_birth(world *w, double t);
void bld_remove(world *w, uint32_t b);
void bld_on_train(sim *s, const evq_event *ev, void *ctx);
/* A training job of builder slot b, generation g finished at time t. */
void bld_trained(world *w, uint32_t b, uint32_t g, double t);

/* ---- nodes.c ---------------------------------------------------------------- */
int node_birth(world *w, double t);
/* Marks node n as leaving: it takes no new jobs and frees its slot once idle. */
void node_leave(world *w, uint32_t n);
/* A node for a new job (power of two choices on queue length) among the active nodes
 * and `fake` fake nodes (queries: w->fake_n; training jobs: 0), whose queue is always
 * empty; UINT32_MAX if none. A fake pick is WLD_FAKE | j, j < fake. node_route_init
 * fills the router's ring of uniforms (at the world's start). */
uint32_t node_route(world *w, uint32_t fake);
#define WLD_FAKE 0x80000000u
void node_route_init(world *w);
/* A hint, no effect on results, called once per query with the same j (a multiple of
 * 4 below WLD_ROUTE_RING/2): the routing j routings from now will compare the nodes at
 * the places of the ring's uniforms 2j and 2j + 1 ahead in the active set. In steps,
 * each reading what the previous one fetched: for the routing j ahead the two places
 * are fetched; j/2 ahead the two candidates are read and kept and their queue lengths
 * fetched; j/4 ahead the one with the shorter queue now is guessed and kept and its
 * record fetched. (A query pays its node nothing until the epoch settles, so the
 * node's ledger account is not read.) */
void node_prefetch_route(world *w, uint32_t j);
/* Submits a job to node n at time t: a query (service ~ Exp(mean)) or, with
 * WLD_TRAIN_BIT in id, a training job of `service` days. */
void node_submit(world *w, uint32_t n, uint64_t id, double service, double t);
/* A consumer's query at node n at time t: its latency (wait + an exponential service
 * time), or -1 when out of memory (the run then fails). node_submit tallies it. */
double node_serve(world *w, uint32_t n, double t);
void node_on_depart(sim *s, const evq_event *ev, void *ctx);
/* The first live node whose load column disagrees with its station, or whose station's
 * busy servers are not min(jobs, servers), or UINT32_MAX when every one agrees
 * (model_input.check). */
uint32_t node_check(world *w);

/* ---- consumers.c ------------------------------------------------------------ */
int cons_birth(world *w, double t);
void cons_remove(world *w, uint32_t i);
/* Draws the consumers' queries over [t0, t1), each with its choice of option from the
 * current listing, and schedules the first; members and the listing must not change
 * until the next window. 0, or -1 when out of memory. */
int cons_window(world *w, double t0, double t1);
void cons_on_query(sim *s, const evq_event *ev, void *ctx);

/* ---- holders.c -------------------------------------------------------------- */
int hold_staker_birth(world *w, double t);
void hold_staker_remove(world *w, uint32_t i, double t);
int hold_farmer_birth(world *w, double t);
void hold_farmer_remove(world *w, uint32_t i);

/* ---- rewards.c -------------------------------------------------------------- */
/* Settles epoch [t0, t1]: emissions by basis, the data fee shares by attribution,
 * the token economy's epoch end, agents' sales, and each agent's income and cost. */
int rew_settle(world *w, double t0, double t1);

#endif
