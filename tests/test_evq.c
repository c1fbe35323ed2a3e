/* test_evq.c — the pending-event set (order, ties, cancellation) and the event loop
 * (periodic events, horizon, stop). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/evq.h"
#include "engine/rng.h"
#include "engine/sim.h"

typedef struct ref_ev {
    double t;
    uint64_t seq;
    uint32_t a;
} ref_ev;

static int ref_cmp(const void *x, const void *y)
{
    const ref_ev *p = x, *q = y;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    return (p->seq > q->seq) - (p->seq < q->seq);
}

/* Pushes n events with times drawn so that many tie (a coarse grid) and some spread
 * far (a heavy tail), pops them all and checks the order against qsort on (t, seq). */
static void check_sorted_order(size_t n, uint64_t seed)
{
    gsl_rng *r = rng_stream_alloc(seed, 0, 7);
    evq *q = evq_alloc(16);
    ref_ev *ref = malloc(n * sizeof *ref);
    cr_assert(r && q && ref);
    for (size_t i = 0; i < n; i++) {
        double u = gsl_rng_uniform(r), t;
        if (u < 0.3)
            t = floor(gsl_rng_uniform(r) * 50.0); /* ties */
        else if (u < 0.95)
            t = gsl_ran_exponential(r, 10.0);
        else
            t = gsl_ran_pareto(r, 1.1, 100.0);   /* far outliers */
        evq_handle h = evq_push(q, t, (uint32_t)(i % 5), (uint32_t)i, i * 3);
        cr_assert_neq(h, EVQ_NONE);
        ref[i] = (ref_ev){t, 0, (uint32_t)i};
    }
    cr_assert_eq(evq_size(q), n);
    /* seqs are 1, 2, ... in push order */
    for (size_t i = 0; i < n; i++)
        ref[i].seq = i + 1;
    qsort(ref, n, sizeof *ref, ref_cmp);
    evq_event ev;
    for (size_t i = 0; i < n; i++) {
        cr_assert(evq_pop(q, &ev), "popped %zu of %zu", i, n);
        cr_assert_eq(ev.t, ref[i].t, "event %zu: t %.17g, want %.17g", i, ev.t, ref[i].t);
        cr_assert_eq(ev.seq, ref[i].seq, "event %zu at t=%g: seq %llu, want %llu", i, ev.t,
                     (unsigned long long)ev.seq, (unsigned long long)ref[i].seq);
        cr_assert_eq(ev.a, ref[i].a);
        cr_assert_eq(ev.kind, ref[i].a % 5);
        cr_assert_eq(ev.b, (uint64_t)ref[i].a * 3);
    }
    cr_assert_eq(evq_pop(q, &ev), 0);
    cr_assert_eq(evq_size(q), 0);
    cr_assert(isinf(evq_peek_time(q)));
    free(ref);
    evq_free(q);
    gsl_rng_free(r);
}

Test(evq, pops_1e5_random_events_in_sorted_order)
{
    check_sorted_order(100000, 1);
    check_sorted_order(1000, 2);
    check_sorted_order(3, 3);
}

Test(evq, ties_come_out_in_insertion_order_in_every_run)
{
    /* Two identical runs: 3000 events on 10 distinct times, pushed in a scrambled
     * time order; within a time, seqs must increase, and both runs must agree. */
    uint64_t first[3000];
    for (int run = 0; run < 2; run++) {
        evq *q = evq_alloc(0);
        for (uint32_t i = 0; i < 3000; i++)
            evq_push(q, (double)((i * 7) % 10), 0, i, 0);
        evq_event ev, prev = {0};
        for (int i = 0; i < 3000; i++) {
            cr_assert(evq_pop(q, &ev));
            if (i > 0) {
                cr_assert(ev.t >= prev.t);
                if (ev.t == prev.t)
                    cr_assert_gt(ev.seq, prev.seq, "tie at t=%g out of insertion order", ev.t);
            }
            if (run == 0)
                first[i] = ev.seq;
            else
                cr_assert_eq(ev.seq, first[i], "run 2 differs at pop %d", i);
            prev = ev;
        }
        evq_free(q);
    }
}

Test(evq, cancelled_events_never_fire)
{
    enum { N = 20000 };
    gsl_rng *r = rng_stream_alloc(11, 0, 1);
    evq *q = evq_alloc(64);
    evq_handle *h = malloc(N * sizeof *h);
    char *cancelled = calloc(N, 1);
    for (uint32_t i = 0; i < N; i++)
        h[i] = evq_push(q, gsl_ran_exponential(r, 5.0), 1, i, 0);
    size_t ncancel = 0;
    for (uint32_t i = 0; i < N; i += 3) {
        cr_assert_eq(evq_cancel(q, h[i]), 1, "first cancel of %u", i);
        cr_assert_eq(evq_cancel(q, h[i]), 0, "second cancel of %u", i);
        cancelled[i] = 1;
        ncancel++;
    }
    cr_assert_eq(evq_size(q), N - ncancel);
    cr_assert_eq(evq_cancel(q, EVQ_NONE), 0);
    cr_assert_eq(evq_cancel(q, (evq_handle)UINT64_MAX), 0);
    evq_event ev;
    size_t popped = 0;
    double last = -INFINITY;
    while (evq_pop(q, &ev)) {
        cr_assert(!cancelled[ev.a], "cancelled event %u fired", ev.a);
        cr_assert(ev.t >= last);
        last = ev.t;
        /* a fired event's handle no longer cancels anything */
        cr_assert_eq(evq_cancel(q, h[ev.a]), 0);
        popped++;
    }
    cr_assert_eq(popped, N - ncancel);
    free(h);
    free(cancelled);
    evq_free(q);
    gsl_rng_free(r);
}

/* Hold model with cancellations interleaved (exercises rung spawning, purging of
 * cancelled events and handle reuse): the popped sequence never goes back in
 * (t, seq), nothing cancelled fires, and every live event is popped exactly once. */
Test(evq, hold_with_cancellation_keeps_order_and_count)
{
    enum { PENDING = 50000, HOLDS = 400000 };
    gsl_rng *r = rng_stream_alloc(5, 0, 2);
    evq *q = evq_alloc(16);
    /* per agent: its one pending handle */
    evq_handle *h = malloc(PENDING * sizeof *h);
    uint64_t *gen = calloc(PENDING, sizeof *gen);
    for (uint32_t i = 0; i < PENDING; i++)
        h[i] = evq_push(q, gsl_ran_exponential(r, 1.0), 0, i, 0);
    evq_event ev, prev = {.t = -INFINITY, .seq = 0};
    size_t cancels = 0;
    for (size_t k = 0; k < HOLDS; k++) {
        cr_assert(evq_pop(q, &ev));
        cr_assert(ev.t > prev.t || (ev.t == prev.t && ev.seq > prev.seq),
                  "pop %zu went back: (%.17g,%llu) after (%.17g,%llu)", k, ev.t,
                  (unsigned long long)ev.seq, prev.t, (unsigned long long)prev.seq);
        cr_assert_eq(ev.b, gen[ev.a], "agent %u: a stale (cancelled) event fired", ev.a);
        prev = ev;
        double u = gsl_rng_uniform(r);
        double dt = u < 0.1 ? 0.0 : u < 0.2 ? 1000.0 * u : gsl_ran_exponential(r, 1.0);
        h[ev.a] = evq_push(q, ev.t + dt, 0, ev.a, gen[ev.a]);
        /* now and then another agent reschedules: cancel and push again */
        if (u > 0.7) {
            uint32_t j = (uint32_t)gsl_rng_uniform_int(r, PENDING);
            cr_assert_eq(evq_cancel(q, h[j]), 1, "agent %u's event was pending", j);
            gen[j]++;
            h[j] = evq_push(q, ev.t + gsl_ran_exponential(r, 2.0), 0, j, gen[j]);
            cancels++;
        }
        cr_assert_eq(evq_size(q), PENDING);
    }
    cr_assert_gt(cancels, HOLDS / 4);
    size_t left = 0;
    while (evq_pop(q, &ev)) {
        cr_assert(ev.t >= prev.t);
        cr_assert_eq(ev.b, gen[ev.a]);
        prev = ev;
        left++;
    }
    cr_assert_eq(left, PENDING);
    free(h);
    free(gen);
    evq_free(q);
    gsl_rng_free(r);
}

Test(evq, infinities_negative_times_and_late_pushes_are_ordered)
{
    evq *q = evq_alloc(4);
    evq_push(q, INFINITY, 0, 1, 0);
    for (uint32_t i = 0; i < 500; i++)
        evq_push(q, (double)i, 0, 100 + i, 0);
    evq_push(q, -INFINITY, 0, 2, 0);
    evq_push(q, -5.0, 0, 3, 0);
    evq_event ev;
    cr_assert(evq_pop(q, &ev));
    cr_assert_eq(ev.a, 2);
    cr_assert(evq_pop(q, &ev));
    cr_assert_eq(ev.a, 3);
    for (uint32_t i = 0; i < 250; i++) {
        cr_assert(evq_pop(q, &ev));
        cr_assert_eq(ev.a, 100 + i);
    }
    /* a push earlier than events already popped still comes out first */
    evq_push(q, 0.5, 0, 4, 0);
    cr_assert(evq_pop(q, &ev));
    cr_assert_eq(ev.a, 4);
    for (uint32_t i = 250; i < 500; i++) {
        cr_assert(evq_pop(q, &ev));
        cr_assert_eq(ev.a, 100 + i);
    }
    cr_assert(evq_pop(q, &ev));
    cr_assert_eq(ev.a, 1);
    cr_assert(isinf(ev.t) && ev.t > 0);
    cr_assert_eq(evq_pop(q, &ev), 0);
    evq_free(q);
}

Test(evq, clear_empties_and_invalidates_handles)
{
    evq *q = evq_alloc(8);
    evq_handle h = EVQ_NONE;
    for (int i = 0; i < 1000; i++)
        h = evq_push(q, (double)(i % 17), 0, 0, 0);
    evq_clear(q);
    cr_assert_eq(evq_size(q), 0);
    evq_event ev;
    cr_assert_eq(evq_pop(q, &ev), 0);
    cr_assert_eq(evq_cancel(q, h), 0);
    evq_push(q, 2.0, 0, 9, 0);
    cr_assert_eq(evq_cancel(q, h), 0, "a handle from before the clear cancels nothing");
    cr_assert(evq_pop(q, &ev));
    cr_assert_eq(ev.a, 9);
    evq_free(q);
    evq_free(NULL);
}

/* ---- the event loop ------------------------------------------------------------- */

typedef struct trace {
    double t[256];
    uint32_t kind[256];
    int n;
} trace;

static void record(sim *s, const evq_event *ev, void *ctx)
{
    trace *tr = ctx;
    cr_assert_eq(s->now, ev->t);
    if (tr->n < 256) {
        tr->t[tr->n] = ev->t;
        tr->kind[tr->n] = ev->kind;
        tr->n++;
    }
}

Test(sim, periodic_events_repeat_until_the_horizon)
{
    trace tr = {0};
    sim s;
    cr_assert_eq(sim_init(&s, 16, &tr), 0);
    sim_on(&s, 1, record);
    sim_every(&s, 0.5, 2.0, 1, 0, 0);
    cr_assert_eq(sim_run(&s, 10.0), 0);
    /* 0.5, 2.5, 4.5, 6.5, 8.5 */
    cr_assert_eq(tr.n, 5);
    for (int i = 0; i < tr.n; i++)
        cr_assert_float_eq(tr.t[i], 0.5 + 2.0 * i, 1e-12);
    /* the next occurrence stays pending after the horizon and runs on resumption */
    cr_assert_eq(evq_size(s.q), 1);
    cr_assert_float_eq(evq_peek_time(s.q), 10.5, 1e-12);
    cr_assert_eq(sim_run(&s, 12.5), 0);
    cr_assert_eq(tr.n, 7);
    cr_assert_float_eq(tr.t[6], 12.5, 1e-12, "an event exactly at the horizon runs");
    sim_free(&s);
}

Test(sim, same_time_events_run_in_scheduling_order_with_periodic_ones)
{
    trace tr = {0};
    sim s;
    sim_init(&s, 4, &tr);
    sim_on(&s, 1, record);
    sim_on(&s, 2, record);
    sim_on(&s, 3, record);
    sim_at(&s, 1.0, 2, 0, 0);       /* before the periodic one */
    sim_every(&s, 1.0, 1.0, 1, 0, 0);
    sim_at(&s, 1.0, 3, 0, 0);       /* after it */
    sim_at(&s, 2.0, 3, 0, 0);       /* scheduled before the 2nd occurrence exists */
    sim_run(&s, 2.0);
    cr_assert_eq(tr.n, 5);
    uint32_t want[] = {2, 1, 3, 3, 1};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(tr.kind[i], want[i], "event %d", i);
    sim_free(&s);
}

static void stopper(sim *s, const evq_event *ev, void *ctx)
{
    int *n = ctx;
    if (++*n == 3)
        sim_stop(s);
}

static void failer(sim *s, const evq_event *ev, void *ctx) { sim_fail(s, 2); }

Test(sim, stop_and_fail_end_the_run_and_cancel_works_through_the_loop)
{
    int n = 0;
    sim s;
    sim_init(&s, 4, &n);
    sim_on(&s, 0, stopper);
    for (int i = 0; i < 10; i++)
        sim_at(&s, (double)i, 0, 0, 0);
    evq_handle h = sim_at(&s, 4.5, 0, 0, 0);
    cr_assert_eq(sim_run(&s, 100.0), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(s.now, 2.0);
    cr_assert_eq(sim_cancel(&s, h), 1);
    cr_assert_eq(sim_cancel(&s, h), 0);
    n = 100;
    cr_assert_eq(sim_run(&s, 100.0), 0);
    cr_assert_eq(n, 107, "the 7 remaining events ran, the cancelled one did not");
    cr_assert_eq(s.events, 10);
    sim_on(&s, 1, failer);
    sim_at(&s, 20.0, 1, 0, 0);
    sim_at(&s, 21.0, 0, 0, 0);
    cr_assert_eq(sim_run(&s, 100.0), 2);
    cr_assert_eq(evq_size(s.q), 1);
    sim_free(&s);
    sim_free(&s);
}

/* Sources against the queue: two streams re-arm themselves and schedule other events,
 * on a coarse time grid so that ties are common, and now and then cancel the last one
 * scheduled (which may be the queue's front: sim's bound on the front must stay a bound);
 * with the streams pushed (sim_at) and with them as sources the runs must be the same
 * event for event. */
typedef struct src_world {
    int use_src;   /* 0: streams pushed; 1: sources; 2: sources, run on by sim_source_continue */
    int arm_last;  /* a stream re-arms after its other scheduling, not before */
    int src[2];
    gsl_rng *r;
    uint32_t n;
    double t[4096];
    uint64_t key[4096]; /* kind << 32 | a */
    uint64_t events;    /* the engine's count at the end */
    uint32_t inline_runs; /* events a stream ran in its own handler */
    evq_handle last;    /* the last kind-2 event scheduled */
    uint32_t cancelled;
} src_world;

static void src_arm(sim *s, src_world *sw, uint32_t k, double t, uint32_t a)
{
    if (sw->use_src)
        sim_source_at(s, sw->src[k], t, k, a, 0);
    else
        sim_at(s, t, k, a, 0);
}

/* One event of kind `kind` now; a stream's next event (kind < 2) is due at *next. */
static void src_one(sim *s, src_world *sw, uint32_t kind, uint32_t a, double *next)
{
    if (sw->n < 4096) {
        sw->t[sw->n] = s->now;
        sw->key[sw->n] = (uint64_t)kind << 32 | a;
        sw->n++;
    }
    double step = 0.25 * (double)gsl_rng_uniform_int(sw->r, 3); /* 0, 0.25 or 0.5 */
    *next = s->now + step;
    if (kind < 2 && !sw->arm_last)
        src_arm(s, sw, kind, *next, a + 1);
    if (gsl_rng_uniform(sw->r) < 0.5)
        sw->last = sim_at(s, s->now + 0.25 * (double)gsl_rng_uniform_int(sw->r, 3), 2, a, 0);
    if (gsl_rng_uniform(sw->r) < 0.1)
        sw->cancelled += (uint32_t)sim_cancel(s, sw->last);
}

static void src_event(sim *s, const evq_event *ev, void *ctx)
{
    src_world *sw = ctx;
    uint32_t a = ev->a;
    double next;
    src_one(s, sw, ev->kind, a, &next);
    if (ev->kind >= 2 || !sw->arm_last)
        return;
    /* the stream's events that come before every other event run here, in a loop */
    while (sw->use_src == 2 && sim_source_continue(s, sw->src[ev->kind], next)) {
        sw->inline_runs++;
        src_one(s, sw, ev->kind, ++a, &next);
    }
    src_arm(s, sw, ev->kind, next, a + 1);
}

static void src_run(src_world *sw, double horizon1, double horizon2)
{
    sim s;
    cr_assert_eq(sim_init(&s, 16, sw), 0);
    sw->r = rng_stream_alloc(11, 0, 3);
    for (uint32_t k = 0; k < 3; k++)
        sim_on(&s, k, src_event);
    if (sw->use_src)
        for (int k = 0; k < 2; k++)
            cr_assert_eq(sw->src[k] = sim_source_add(&s), k);
    sim_at(&s, 0.5, 2, 1000, 0);
    src_arm(&s, sw, 0, 0.5, 0);
    src_arm(&s, sw, 1, 0.5, 0);
    cr_assert_eq(sim_run(&s, horizon1), 0);
    cr_assert_eq(sim_run(&s, horizon2), 0, "resumed after the horizon");
    sw->events = s.events;
    gsl_rng_free(sw->r);
    sim_free(&s);
}

Test(sim, sources_run_exactly_where_pushed_events_would)
{
    static src_world a, b;
    a.use_src = 0;
    b.use_src = 1;
    src_run(&a, 40.0, 150.0);
    src_run(&b, 40.0, 150.0);
    cr_assert_gt(a.n, 1000);
    cr_assert_eq(a.n, b.n);
    uint32_t ties = 0;
    for (uint32_t i = 0; i < a.n; i++) {
        cr_assert_eq(a.t[i], b.t[i], "event %u", i);
        cr_assert_eq(a.key[i], b.key[i], "event %u", i);
        ties += i > 0 && a.t[i] == a.t[i - 1];
    }
    cr_assert_gt(ties, a.n / 2, "ties are common, so their order was tested");
    cr_assert_eq(a.cancelled, b.cancelled);
    cr_assert_gt(b.cancelled, 50, "cancels of pending events were tested");
}

/* A stream that runs its following events itself while they come first
 * (sim_source_continue) runs the same events in the same order, ties included, as one
 * that arms its source as its last act each time; and the engine counts them all. */
Test(sim, a_source_that_runs_on_in_its_handler_keeps_the_order)
{
    static src_world a, b;
    a.use_src = 1;
    b.use_src = 2;
    a.arm_last = b.arm_last = 1;
    src_run(&a, 40.0, 150.0);
    src_run(&b, 40.0, 150.0);
    cr_assert_gt(a.n, 1000);
    cr_assert_eq(a.n, b.n);
    uint32_t ties = 0, zero = 0;
    for (uint32_t i = 0; i < a.n; i++) {
        cr_assert_eq(a.t[i], b.t[i], "event %u", i);
        cr_assert_eq(a.key[i], b.key[i], "event %u", i);
        ties += i > 0 && a.t[i] == a.t[i - 1];
        zero += i > 0 && a.t[i] == a.t[i - 1] && a.key[i] == a.key[i - 1] + 1;
    }
    cr_assert_gt(ties, a.n / 2, "ties are common, so their order was tested");
    cr_assert_gt(zero, 100, "a stream's own back-to-back events were tested");
    cr_assert_eq(a.cancelled, b.cancelled);
    cr_assert_eq(a.events, b.events, "every event run inline is counted");
    cr_assert_gt(b.inline_runs, 100, "events were run inline (%u)", b.inline_runs);
    cr_assert_eq(a.inline_runs, 0);
}

Test(sim, a_cleared_source_never_fires_and_sources_are_limited)
{
    trace tr = {0};
    sim s;
    cr_assert_eq(sim_init(&s, 4, &tr), 0);
    sim_on(&s, 1, record);
    sim_on(&s, 2, record);
    int id = sim_source_add(&s);
    for (int k = 1; k < SIM_MAX_SOURCES; k++)
        cr_assert_eq(sim_source_add(&s), k);
    cr_assert_eq(sim_source_add(&s), -1, "no more than SIM_MAX_SOURCES");
    sim_source_at(&s, id, 1.0, 1, 0, 0);
    sim_source_at(&s, id, 2.0, 1, 0, 0); /* replaces the pending one */
    sim_at(&s, 3.0, 2, 0, 0);
    cr_assert_eq(sim_run(&s, 10.0), 0);
    cr_assert_eq(tr.n, 2);
    cr_assert_eq(tr.t[0], 2.0);
    cr_assert_eq(tr.t[1], 3.0);
    sim_source_at(&s, id, 11.0, 1, 0, 0);
    sim_source_clear(&s, id);
    cr_assert_eq(sim_run(&s, 20.0), 0);
    cr_assert_eq(tr.n, 2, "a cleared source does not fire");
    cr_assert_eq(s.events, 2);
    sim_free(&s);
}

Test(evq, pop_until_stops_at_the_horizon)
{
    evq *q = evq_alloc(4);
    for (int i = 0; i < 1000; i++)
        evq_push(q, (double)(i % 100), 0, (uint32_t)i, 0);
    evq_event ev;
    int n = 0;
    while (evq_pop_until(q, 49.0, &ev)) {
        cr_assert(ev.t <= 49.0);
        n++;
    }
    cr_assert_eq(n, 500, "every event with t <= 49 and no other");
    cr_assert_eq(evq_size(q), 500);
    cr_assert_eq(evq_peek_time(q), 50.0);
    cr_assert_eq(evq_pop_until(q, 49.999, &ev), 0);
    cr_assert(evq_pop_until(q, 50.0, &ev));
    cr_assert_eq(ev.t, 50.0);
    evq_free(q);
}

/* All agents start at t = 0 (a common pattern), then each reschedules itself: the
 * first wave pops in insertion order, later waves in time order. */
Test(evq, a_crowd_at_one_time_then_holds)
{
    enum { N = 20000 };
    gsl_rng *r = rng_stream_alloc(3, 0, 4);
    evq *q = evq_alloc(0);
    for (uint32_t i = 0; i < N; i++)
        evq_push(q, 0.0, 0, i, 0);
    evq_event ev, prev = {.t = -1.0};
    for (uint32_t k = 0; k < 5 * N; k++) {
        cr_assert(evq_pop(q, &ev));
        if (k < N)
            cr_assert(ev.t == 0.0 && ev.a == k, "first wave out of order at %u", k);
        cr_assert(ev.t > prev.t || (ev.t == prev.t && ev.seq > prev.seq));
        prev = ev;
        evq_push(q, ev.t + gsl_ran_exponential(r, 1.0), 0, ev.a, 0);
    }
    cr_assert_eq(evq_size(q), N);
    evq_free(q);
    gsl_rng_free(r);
}

/* Cancelling most events (past the purge threshold) in every state of the ladder:
 * pending in the top, in rungs, in the heap. */
Test(evq, mass_cancellation_purges_and_keeps_the_rest_in_order)
{
    enum { N = 30000 };
    gsl_rng *r = rng_stream_alloc(8, 0, 1);
    evq *q = evq_alloc(0);
    evq_handle *h = malloc(N * sizeof *h);
    char *gone = calloc(N, 1);
    for (uint32_t i = 0; i < N; i++)
        h[i] = evq_push(q, gsl_ran_exponential(r, 1.0), 0, i, 0);
    evq_event ev;
    /* a few pops build the ladder, so the cancelled events sit in every part of it */
    double last = -INFINITY;
    for (int k = 0; k < 100; k++) {
        cr_assert(evq_pop(q, &ev));
        gone[ev.a] = 1;
        last = ev.t;
    }
    size_t live = N - 100;
    for (uint32_t i = 0; i < N; i++)
        if (!gone[i] && i % 10 != 0) {
            cr_assert_eq(evq_cancel(q, h[i]), 1);
            gone[i] = 2;
            live--;
        }
    cr_assert_eq(evq_size(q), live);
    size_t n = 0;
    while (evq_pop(q, &ev)) {
        cr_assert_eq(gone[ev.a], 0, "event %u fired after being popped or cancelled", ev.a);
        cr_assert(ev.t >= last);
        last = ev.t;
        gone[ev.a] = 1;
        n++;
    }
    cr_assert_eq(n, live);
    free(h);
    free(gone);
    evq_free(q);
    gsl_rng_free(r);
}

/* ---- differential test against a reference heap ---------------------------------
 * Interleaves pushes at mixed time scales (1e-4 .. 1e4 days ahead of now, which spreads
 * events across several ladder rungs), pops and cancellations, and checks every pop
 * against a plain binary heap on (t, seq). This is the pattern of a large model run
 * (many streams at very different rates) that the sorted-order test above, which pushes
 * everything before popping, does not exercise. */
typedef struct diff_ev {
    double t;
    uint64_t seq;
    evq_handle h;
    int live;
} diff_ev;

typedef struct diff_heap {
    size_t *idx; /* indices into the event table, heap-ordered on (t, seq) */
    size_t n;
    diff_ev *ev;
} diff_heap;

static int diff_less(const diff_heap *hp, size_t x, size_t y)
{
    const diff_ev *a = &hp->ev[x], *b = &hp->ev[y];
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void diff_push(diff_heap *hp, size_t e)
{
    size_t i = hp->n++;
    hp->idx[i] = e;
    while (i > 0 && diff_less(hp, hp->idx[i], hp->idx[(i - 1) / 2])) {
        size_t p = (i - 1) / 2, tmp = hp->idx[p];
        hp->idx[p] = hp->idx[i];
        hp->idx[i] = tmp;
        i = p;
    }
}

static size_t diff_pop(diff_heap *hp)
{
    size_t top = hp->idx[0];
    hp->idx[0] = hp->idx[--hp->n];
    for (size_t i = 0;;) {
        size_t c = 2 * i + 1, m = i;
        if (c < hp->n && diff_less(hp, hp->idx[c], hp->idx[m]))
            m = c;
        if (c + 1 < hp->n && diff_less(hp, hp->idx[c + 1], hp->idx[m]))
            m = c + 1;
        if (m == i)
            break;
        size_t tmp = hp->idx[m];
        hp->idx[m] = hp->idx[i];
        hp->idx[i] = tmp;
        i = m;
    }
    return top;
}

/* Earliest live reference event (cancelled ones are dropped lazily), or SIZE_MAX. */
static size_t diff_pop_live(diff_heap *hp)
{
    while (hp->n > 0) {
        size_t e = diff_pop(hp);
        if (hp->ev[e].live)
            return e;
    }
    return SIZE_MAX;
}

static void run_differential(uint64_t seed, size_t ops, size_t warm)
{
    gsl_rng *r = rng_stream_alloc(seed, 0, 11);
    evq *q = evq_alloc(16);
    diff_heap hp = {malloc((ops + warm) * sizeof(size_t)), 0,
                    calloc(ops + warm, sizeof(diff_ev))};
    cr_assert(r && q && hp.idx && hp.ev);
    static const double scale[] = {1e-4, 1e-2, 1.0, 30.0, 1e4};
    size_t n_ev = 0, pops = 0, cancels = 0;
    double now = 0.0;
    for (size_t i = 0; i < ops + warm; i++) {
        double u = i < warm ? 0.0 : gsl_rng_uniform(r);
        if (u < 0.5) {
            double t = now + gsl_ran_exponential(r, scale[gsl_rng_uniform_int(r, 5)]);
            diff_ev *e = &hp.ev[n_ev];
            e->t = t;
            e->seq = n_ev;
            e->live = 1;
            e->h = evq_push(q, t, 1, (uint32_t)n_ev, 0);
            cr_assert_neq(e->h, EVQ_NONE);
            diff_push(&hp, n_ev++);
        } else if (u < 0.9) {
            size_t want = diff_pop_live(&hp);
            evq_event got;
            int ok = evq_pop(q, &got);
            if (want == SIZE_MAX) {
                cr_assert_eq(ok, 0, "evq popped an event the reference does not have");
                continue;
            }
            cr_assert_eq(ok, 1, "evq empty while %zu events are pending", hp.n + 1);
            cr_assert_eq(got.a, (uint32_t)want,
                         "pop %zu: evq gave event %u at t=%.17g, reference %zu at t=%.17g",
                         pops, got.a, got.t, want, hp.ev[want].t);
            hp.ev[want].live = 0;
            now = got.t;
            pops++;
        } else if (n_ev > 0) {
            size_t k = gsl_rng_uniform_int(r, n_ev);
            int was = hp.ev[k].live;
            cr_assert_eq(evq_cancel(q, hp.ev[k].h), was, "cancel of event %zu", k);
            hp.ev[k].live = 0;
            cancels += (size_t)was;
        }
    }
    /* Drain: the rest must come out in reference order too. */
    for (size_t want; (want = diff_pop_live(&hp)) != SIZE_MAX;) {
        evq_event got;
        cr_assert_eq(evq_pop(q, &got), 1);
        cr_assert_eq(got.a, (uint32_t)want, "drain: evq gave %u, reference %zu", got.a, want);
    }
    evq_event extra;
    cr_assert_eq(evq_pop(q, &extra), 0);
    cr_assert_gt(pops, ops / 4);
    /* ~10% of ops try a cancel; about a tenth of all events are live at a random
     * moment, so ~1% of ops cancel a live event: require at least a quarter of that. */
    cr_assert_gt(cancels, ops / 400);
    free(hp.idx);
    free(hp.ev);
    evq_free(q);
    gsl_rng_free(r);
}

Test(evq, interleaved_mixed_scale_operations_match_a_reference_heap)
{
    run_differential(1, 200000, 0);
    run_differential(2, 200000, 20000); /* a large pending set first: deeper rungs */
}

/* ---- the bottom's two forms --------------------------------------------------------
 * The events nearest the front live in a sorted array while they are few and in a heap
 * when many pile up there; the set switches form both ways as the front grows and
 * drains. These cases drive the front through both switches several times, with and
 * without a ladder above it and with all-equal times, and check every pop against the
 * reference heap. */
typedef struct bot_case {
    evq *q;
    diff_heap hp;
    size_t n_ev, cap;
    double now;
} bot_case;

static void bot_push_both(bot_case *c, double t)
{
    cr_assert_lt(c->n_ev, c->cap);
    diff_ev *e = &c->hp.ev[c->n_ev];
    e->t = t;
    e->seq = c->n_ev;
    e->live = 1;
    e->h = evq_push(c->q, t, 2, (uint32_t)c->n_ev, 0);
    cr_assert_neq(e->h, EVQ_NONE);
    diff_push(&c->hp, c->n_ev++);
}

static void bot_pop_both(bot_case *c)
{
    size_t want = diff_pop_live(&c->hp);
    evq_event got;
    cr_assert_neq(want, SIZE_MAX);
    cr_assert_eq(evq_pop(c->q, &got), 1);
    cr_assert_eq(got.a, (uint32_t)want, "evq gave event %u at t=%.17g, reference %zu at %.17g",
                 got.a, got.t, want, c->hp.ev[want].t);
    c->hp.ev[want].live = 0;
    c->now = got.t;
}

static void bot_case_run(uint64_t seed, size_t ladder, double spread)
{
    gsl_rng *r = rng_stream_alloc(seed, 0, 13);
    bot_case c = {evq_alloc(0), {NULL, 0, NULL}, 0, ladder + 4000, 0.0};
    c.hp.idx = malloc(c.cap * sizeof(size_t));
    c.hp.ev = calloc(c.cap, sizeof(diff_ev));
    cr_assert(r && c.q && c.hp.idx && c.hp.ev);
    /* ladder > 0: a large set far ahead, so a ladder sits above the front */
    for (size_t i = 0; i < ladder; i++)
        bot_push_both(&c, 1.0 + gsl_ran_exponential(r, 1.0));
    for (int i = 0; i < 20; i++)
        bot_push_both(&c, gsl_rng_uniform(r));
    bot_pop_both(&c);
    for (int round = 0; round < 3; round++) {
        /* the front grows well past the sorted limit (one pop per 4 pushes) ... */
        for (int i = 0; i < 400; i++) {
            double t = spread > 0 ? c.now + spread * gsl_rng_uniform(r) : c.now;
            bot_push_both(&c, t);
            if (i % 4 == 3)
                bot_pop_both(&c);
        }
        /* ... then drains below the heap limit */
        while (c.hp.n > ladder + 10)
            bot_pop_both(&c);
    }
    cr_assert_eq(evq_size(c.q), c.hp.n);
    while (c.hp.n > 0)
        bot_pop_both(&c);
    evq_event extra;
    cr_assert_eq(evq_pop(c.q, &extra), 0);
    free(c.hp.idx);
    free(c.hp.ev);
    evq_free(c.q);
    gsl_rng_free(r);
}

Test(evq, a_front_that_grows_and_drains_keeps_order)
{
    bot_case_run(1, 0, 1.0);      /* a small set: no ladder, the front is everything */
    bot_case_run(2, 0, 0.0);      /* all at the current time: ties in seq order      */
    bot_case_run(3, 20000, 1e-7); /* a ladder above: pushes land in its current bucket */
    bot_case_run(4, 20000, 0.0);
}
