/*
 * evq.h — the pending-event set of the discrete-event engine.
 *
 * Events are small values ordered by time, then by insertion sequence, so that events
 * at the same time come out in the order they were pushed, in every run. The set is
 * array-backed: it grows by doubling (amortised), never allocates per event.
 * Cost: push and pop are O(1) amortised plus an insertion into (or, when many events
 * crowd the front, a heap operation on) the few dozen earliest events; a push soon
 * after now costs its rank among them, a pop of a live event O(1) (see evq.c for the
 * structure and the measured figures); cancel is O(1).
 * The engine knows nothing of what an event means: `kind` selects a handler and
 * `a`/`b` are the handler's payload (an agent id, a generation counter, ...).
 *
 * Ownership: the caller owns the evq struct; evq_free releases its arrays.
 */
#ifndef CRC_EVQ_H
#define CRC_EVQ_H

#include <stddef.h>
#include <stdint.h>

/* An opaque handle for cancelling a pending event (not the event's seq). A handle of
 * an event that has fired or been cancelled stays recognised as stale for at least
 * 2^32 later pushes; models should still forget a handle once its event has fired. */
typedef uint64_t evq_handle;
#define EVQ_NONE ((evq_handle)0)
#define EVQ_MAX_KINDS 65536u /* kinds are stored in 16 bits                     */

typedef struct evq_event {
    double t;       /* event time                                         */
    uint64_t seq;   /* insertion sequence (1, 2, ...), the tie-breaker     */
    uint32_t kind;  /* handler index, < EVQ_MAX_KINDS                     */
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

/* Schedules an event; returns its handle, or EVQ_NONE when out of memory (or after
 * 2^48 pushes). t must not be NaN (±INFINITY is allowed); kind < EVQ_MAX_KINDS. An
 * event may be pushed earlier than one already popped: the set is a general priority
 * queue, not only a forward clock. */
evq_handle evq_push(evq *q, double t, uint32_t kind, uint32_t a, uint64_t b);

/* Removes the earliest pending event into *out; returns 1, or 0 when empty. */
int evq_pop(evq *q, evq_event *out);

/* Removes the earliest pending event into *out if its time is <= horizon; returns 1,
 * or 0 when the set is empty or its earliest event is later than horizon. */
int evq_pop_until(evq *q, double horizon, evq_event *out);

/* A place in the set's order: time, then seq. */
typedef struct evq_key {
    double t;
    uint64_t seq;
} evq_key;

/* Removes the earliest pending event into *out if it comes before the event (t, seq)
 * in the set's order (earlier time, or the same time and a smaller seq) and its time
 * is <= horizon; returns 1, or 0 otherwise. For an event kept outside the set whose
 * seq came from evq_take_seq (sim.h's sources). Either way *front is then the key of
 * the earliest event still pending ({+INFINITY, UINT64_MAX} when none), so that the
 * caller can tell without a call that an outside event comes first, until it pushes
 * (sim.c). */
int evq_pop_before(evq *q, double t, uint64_t seq, double horizon, evq_event *out,
                   evq_key *front);

/* Uses up the seq the next push would get, for an event kept outside the set that is
 * to order among the set's events as if it had been pushed now. 0 after 2^48 seqs. */
uint64_t evq_take_seq(evq *q);

/* Time of the earliest pending event; +INFINITY when empty. */
double evq_peek_time(evq *q);

/* Cancels a pending event so it never pops. Returns 1 if h was pending, 0 if it had
 * already popped, been cancelled, or never existed. */
int evq_cancel(evq *q, evq_handle h);

/* Removes every pending event (keeps capacity). */
void evq_clear(evq *q);

#endif
