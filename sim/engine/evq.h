/*
 * evq.h — the pending-event set of the discrete-event engine.
 *
 * Events are small values ordered by time, then by insertion sequence, so that events
 * at the same time come out in the order they were pushed, in every run. The set is
 * array-backed: it grows by doubling (amortised), never allocates per event.
 * The engine knows nothing of what an event means: `kind` selects a handler and
 * `a`/`b` are the handler's payload (an agent id, a generation counter, ...).
 *
 * Ownership: the caller owns the evq struct; evq_free releases its arrays.
 */
#ifndef CRC_EVQ_H
#define CRC_EVQ_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t evq_handle; /* the event's insertion sequence number; 0 is "none" */
#define EVQ_NONE ((evq_handle)0)

typedef struct evq_event {
    double t;       /* event time                                         */
    uint64_t seq;   /* insertion sequence (also its handle), tie-breaker  */
    uint32_t kind;  /* handler index                                      */
    uint32_t a;     /* payload word (typically an id)                     */
    uint64_t b;     /* payload word                                       */
} evq_event;

typedef struct evq evq;

/* Allocates an empty set with room for capacity events before it first grows.
 * Returns NULL when out of memory. */
evq *evq_alloc(size_t capacity);

/* Frees q and everything it owns; NULL is a no-op. */
void evq_free(evq *q);

/* Number of pending (not cancelled, not popped) events. */
size_t evq_size(const evq *q);

/* Schedules an event; returns its handle, or EVQ_NONE when out of memory. t must not
 * be NaN. */
evq_handle evq_push(evq *q, double t, uint32_t kind, uint32_t a, uint64_t b);

/* Removes the earliest pending event into *out; returns 1, or 0 when empty. */
int evq_pop(evq *q, evq_event *out);

/* Time of the earliest pending event; +INFINITY when empty. */
double evq_peek_time(evq *q);

/* Cancels a pending event so it never pops. Returns 1 if h was pending, 0 if it had
 * already popped, been cancelled, or never existed. */
int evq_cancel(evq *q, evq_handle h);

/* Removes every pending event (keeps capacity). */
void evq_clear(evq *q);

#endif
