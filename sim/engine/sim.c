/* sim.c — see sim.h. */
#include "engine/sim.h"

#include <assert.h>
#include <string.h>

#include "util/err.h"

int sim_init(sim *s, size_t capacity, void *ctx)
{
    memset(s, 0, sizeof *s);
    s->q = evq_alloc(capacity);
    s->ctx = ctx;
    s->q_lo = (evq_key){INFINITY, UINT64_MAX};
    s->gen = 1; /* cont_gen 0: no cached bound yet */
    return s->q ? CRC_OK : CRC_ENOMEM;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    evq_free(s->q);
    s->q = NULL;
}

void sim_on(sim *s, uint32_t kind, sim_handler h)
{
    assert(kind < SIM_MAX_KINDS);
    s->handler[kind] = h;
}

int sim_cancel(sim *s, evq_handle h) { return evq_cancel(s->q, h); }

evq_handle sim_every(sim *s, double t0, double period, uint32_t kind, uint32_t a, uint64_t b)
{
    assert(period > 0);
    s->periodic[kind].period = period;
    return sim_at(s, t0, kind, a, b);
}

void sim_stop(sim *s)
{
    s->stop = 1;
    s->gen++;
}

void sim_fail(sim *s, int status)
{
    if (s->status == CRC_OK)
        s->status = status;
    s->stop = 1;
    s->gen++;
}

double sim_source_bound(const sim *s, int id)
{
    if (s->stop)
        return -INFINITY;
    double b = s->q_lo.t;
    for (int k = 0; k < s->n_src; k++)
        if (k != id && s->src[k].t < b)
            b = s->src[k].t;
    return b;
}

int sim_source_add(sim *s)
{
    if (s->n_src == SIM_MAX_SOURCES)
        return -1;
    s->src[s->n_src].t = INFINITY;
    return s->n_src++;
}

/* The armed source whose event comes first, or NULL. */
static inline sim_source *first_source(sim *s)
{
    sim_source *best = NULL;
    for (int k = 0; k < s->n_src; k++) {
        sim_source *c = &s->src[k];
        if (c->t < INFINITY && (!best || c->t < best->t || (c->t == best->t && c->seq < best->seq)))
            best = c;
    }
    return best;
}

/* The next event to run, at or before horizon: the queue's or a source's, whichever
 * comes first. 0 when there is none.
 * q_lo is a lower bound on the queue's earliest event: exact after every call into
 * the queue (evq_pop_before reports the front), lowered by each push (sim_at), and
 * still a bound after a cancel. A source before it goes first without asking the
 * queue, which is most events: the population streams are sources. */
static inline int next_event(sim *s, double horizon, evq_event *ev)
{
    sim_source *c = first_source(s);
    if (!c)
        return evq_pop_before(s->q, INFINITY, UINT64_MAX, horizon, ev, &s->q_lo);
    int ahead = c->t < s->q_lo.t || (c->t == s->q_lo.t && c->seq < s->q_lo.seq);
    if (!ahead && evq_pop_before(s->q, c->t, c->seq, horizon, ev, &s->q_lo))
        return 1;
    if (!(c->t <= horizon))
        return 0;
    *ev = (evq_event){c->t, c->seq, c->kind, c->a, c->b};
    c->t = INFINITY;
    return 1;
}

int sim_run(sim *s, double horizon)
{
    evq_event ev;
    s->stop = 0;
    s->gen++;
    s->horizon = horizon;
    while (!s->stop && next_event(s, horizon, &ev)) {
        s->now = ev.t;
        if (s->periodic[ev.kind].period > 0)
            sim_at(s, ev.t + s->periodic[ev.kind].period, ev.kind, ev.a, ev.b);
        sim_handler h = s->handler[ev.kind];
        assert(h != NULL);
        s->events++;
        h(s, &ev, s->ctx);
    }
    return s->status;
}
