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

void sim_stop(sim *s) { s->stop = 1; }

void sim_fail(sim *s, int status)
{
    if (s->status == CRC_OK)
        s->status = status;
    s->stop = 1;
}

int sim_run(sim *s, double horizon)
{
    evq_event ev;
    s->stop = 0;
    while (!s->stop && evq_pop_until(s->q, horizon, &ev)) {
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
