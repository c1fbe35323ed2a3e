/*
 * sim.h — the discrete-event loop: a clock, a pending-event set, a handler table and
 * periodic events. It knows nothing of economics: the model registers handlers for
 * event kinds and schedules events; sim_run pops them in (time, insertion) order.
 *
 * Ownership: the caller owns the sim struct; sim_init allocates its queue and
 * sim_free releases it. No allocation happens per event (the queue grows by doubling).
 */
#ifndef CRC_SIM_H
#define CRC_SIM_H

#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "engine/evq.h"
#include "util/err.h"

#define SIM_MAX_KINDS 64
#define SIM_MAX_SOURCES 4

typedef struct sim sim;

/* A handler runs one event. s->now is already ev->t. ctx is what sim_init was given. */
typedef void (*sim_handler)(sim *s, const evq_event *ev, void *ctx);

typedef struct sim_periodic {
    double period; /* 0 when the kind is not periodic */
} sim_periodic;

/* A source: one pending event kept outside the queue, for an owner that always has
 * exactly its next event ready (a pre-drawn stream re-arming itself each time it
 * fires). It orders among the queue's events exactly as if it had been pushed when
 * armed (it takes the queue's next seq), but costs no push and no pop. */
typedef struct sim_source {
    double t;       /* +INFINITY when disarmed */
    uint64_t seq;
    uint32_t kind, a;
    uint64_t b;
} sim_source;

struct sim {
    evq *q;
    double now;                  /* current time (time of the event being run) */
    void *ctx;                   /* handed to every handler                    */
    sim_handler handler[SIM_MAX_KINDS];
    sim_periodic periodic[SIM_MAX_KINDS];
    sim_source src[SIM_MAX_SOURCES];
    int n_src;
    evq_key q_lo;                /* no event in q comes before it (see sim.c)   */
    uint64_t events;             /* events run so far                          */
    double horizon;              /* sim_run's horizon while it runs            */
    int stop;                    /* set by sim_stop: sim_run returns after the current event */
    int status;                  /* first error a handler reported (CRC_OK when none) */
    /* sim_source_continue's cache: before cont_bound no pending event and no other
     * armed source than cont_id's comes, as of gen == cont_gen. gen counts what can
     * bring an event earlier (a push, an arming, a stop); what makes the bound too low
     * (a pop, a cancel, a disarming) leaves it, which only ends a run of events early. */
    uint64_t gen, cont_gen;
    double cont_bound;
    int cont_id;
};

/* Prepares s with room for capacity pending events. Returns CRC_OK or CRC_ENOMEM. */
int sim_init(sim *s, size_t capacity, void *ctx);

/* Releases the queue; a zeroed or already freed sim is a no-op. */
void sim_free(sim *s);

/* Registers the handler for events of this kind (kind < SIM_MAX_KINDS). */
void sim_on(sim *s, uint32_t kind, sim_handler h);

/* Records a handler's error (the first one wins) and stops the run. */
void sim_fail(sim *s, int status);

/* Schedules an event at absolute time t (t >= now). Returns its handle, or EVQ_NONE
 * and sets s->status = CRC_ENOMEM when out of memory. (Inline: handlers schedule
 * about one event per event run, so this is on the engine's hot path.) */
static inline evq_handle sim_at(sim *s, double t, uint32_t kind, uint32_t a, uint64_t b)
{
    assert(kind < SIM_MAX_KINDS);
    assert(t >= s->now);
    evq_handle h = evq_push(s->q, t, kind, a, b);
    s->gen++;
    if (h == EVQ_NONE)
        sim_fail(s, CRC_ENOMEM);
    else if (t < s->q_lo.t)
        s->q_lo = (evq_key){t, 0}; /* its seq is the largest yet: 0 is a safe bound */
    return h;
}

/* Schedules an event dt after now. */
static inline evq_handle sim_after(sim *s, double dt, uint32_t kind, uint32_t a, uint64_t b)
{
    return sim_at(s, s->now + dt, kind, a, b);
}

/* Adds a source (disarmed); returns its id, or -1 when SIM_MAX_SOURCES are in use. */
int sim_source_add(sim *s);

/* Arms source id with the event (t >= now, kind not periodic), replacing its pending
 * one if any; it fires in the order an event pushed now with sim_at would. */
static inline void sim_source_at(sim *s, int id, double t, uint32_t kind, uint32_t a, uint64_t b)
{
    assert(id >= 0 && id < s->n_src && kind < SIM_MAX_KINDS);
    assert(t >= s->now && !isnan(t));
    sim_source *c = &s->src[id];
    s->gen++;
    c->seq = evq_take_seq(s->q);
    if (c->seq == 0) {
        sim_fail(s, CRC_ENOMEM);
        c->t = INFINITY;
        return;
    }
    c->t = t;
    c->kind = kind;
    c->a = a;
    c->b = b;
}

/* Disarms source id: its pending event, if any, will not fire. */
static inline void sim_source_clear(sim *s, int id)
{
    assert(id >= 0 && id < s->n_src);
    s->src[id].t = INFINITY;
}

/* The time before which source id's next event runs before any other (the earliest
 * pending event and other armed source; -INFINITY once the run is stopped). */
double sim_source_bound(const sim *s, int id);

/* For a source's handler that has its next event ready at t: 1 when that event would
 * be the next one sim_run runs (before every pending event and every other armed
 * source, not past the horizon, the run not stopped), in which case the clock moves
 * to t, the event is counted as run, and the handler runs it itself, in its own loop,
 * without arming the source; 0 otherwise (the handler arms the source as usual). Called
 * where the handler would arm its source as its last act, the events run and their
 * order are exactly those of arming it each time: a source armed now would take a
 * sequence number above every pending one, so it runs first only when strictly
 * earlier. (sim_run's loop costs a handler call, a scan of the sources and a sequence
 * number per event; a stream that mostly runs back to back saves them.) The bound is
 * computed once and kept until something could lower it (s->gen). */
static inline int sim_source_continue(sim *s, int id, double t)
{
    assert(id >= 0 && id < s->n_src && t >= s->now);
    if (s->cont_gen != s->gen || s->cont_id != id) {
        s->cont_bound = sim_source_bound(s, id);
        s->cont_gen = s->gen;
        s->cont_id = id;
    }
    if (!(t < s->cont_bound) || !(t <= s->horizon))
        return 0;
    s->now = t;
    s->events++;
    return 1;
}

/* Cancels a scheduled event; returns 1 if it was pending. */
int sim_cancel(sim *s, evq_handle h);

/* Makes kind periodic: first at t0, then every period (> 0) until the horizon. The
 * engine re-schedules the next occurrence before running the handler, so a periodic
 * event and an ordinary event at the same time keep insertion order. */
evq_handle sim_every(sim *s, double t0, double period, uint32_t kind, uint32_t a, uint64_t b);

/* Asks sim_run to return after the current event. */
void sim_stop(sim *s);

/* Runs events with t <= horizon in order, until the set is empty, the horizon is
 * passed or sim_stop/sim_fail is called. Events after the horizon stay pending.
 * Returns s->status. */
int sim_run(sim *s, double horizon);

#endif
