/*
 * pstream.h — a population's Poisson stream: the events (contributions, queries) of a
 * dense population whose members act at their own rates, drawn a window at a time and
 * fired in time order (docs/model.md §1, population streams).
 *
 * Members and their rates change only at epoch boundaries (and interventions). Over a
 * window [t0, t1) in which they do not change, each member's events are a Poisson
 * process of its rate: N ~ Poisson(rate (t1 − t0)) events at independent uniform times
 * (the law of a Poisson process on an interval). The owner draws them member by member
 * (pstream_count, then pstream_push, in its index order, so the draws are
 * reproducible), may give each event a word of its own (aux: the consumers' choice of
 * model), and the stream hands them back in time order. The merged events are then a
 * Poisson process of the summed rate, each event member i's with probability
 * rate_i / rate, exactly the law of drawing a member per event; what changes is the
 * cost. The members are read
 * in order, not at random, once per window; the event that fires next and those after
 * it are known, so the owner can fetch their records well ahead.
 *
 * Times: an event's time is x / 2^32 of the way through the window, x a 32-bit draw
 * of the generator (pcg32's resolution, the same as gsl_rng_uniform's). So an event is
 * 12 bytes, x is the sort key, and ties (equal x) keep the order in which the events
 * were drawn.
 *
 * Sorting: a window's events go, as they are drawn, into one of up to PSTREAM_SLICES
 * slices by the top bits of x, and a slice is sorted (in cache, stably) only when the
 * stream reaches it. A whole-window sort would pass over hundreds of megabytes several
 * times; this passes once, and each slice is small. An owner that knows about how many
 * events it will draw says so (pstream_expect), and a small window then takes fewer
 * slices of some PSTREAM_SLICE_TARGET events each: a slice costs a visit and a sort's
 * setup however few events it holds. The order of the events is the same whatever the
 * number of slices (by x, ties in the order drawn).
 *
 * The owner schedules the events (src is its bookkeeping: the engine source that holds
 * the next event) and must draw a new window whenever members change: an event names
 * its member by index.
 * Ownership: the struct is the caller's (zeroed to start); pstream_free releases its
 * arrays.
 */
#ifndef CRC_PSTREAM_H
#define CRC_PSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct pstream_ev {
    uint32_t x;   /* time: x / 2^32 of the way through the window        */
    uint32_t i;   /* the population's index of the member                */
    uint32_t aux; /* the owner's word (consumers: the chosen builder)    */
} pstream_ev;

#define PSTREAM_SLICE_BITS 10
#define PSTREAM_SLICES (1u << PSTREAM_SLICE_BITS)
#define PSTREAM_SLICE_TARGET 256 /* events a slice holds when the owner's guess is right */

typedef struct pstream_slice {
    pstream_ev *ev;
    uint32_t n, cap;
} pstream_slice;

typedef struct pstream {
    pstream_slice sl[PSTREAM_SLICES]; /* the window's events by the top bits of x    */
    uint32_t cur, pos;   /* the next event: slice cur (sorted), place pos         */
    uint32_t n_sl;       /* the window's slices: 2^bits, by the top bits of x     */
    unsigned bits;
    double t0, t1, span; /* the window [t0, t1), span = t1 − t0                   */
    double t_last;       /* the largest double below t1: no event reaches t1      */
    pstream_ev *tmp;     /* sort scratch: one slice                               */
    size_t tmp_cap;
    int src;             /* the owner's engine source (sim.h) for the next event  */
} pstream;

/* Starts a new window [t0, t1) with no events (an empty window when t1 <= t0), in
 * PSTREAM_SLICES slices. */
void pstream_begin(pstream *s, double t0, double t1);

/* Between pstream_begin and the first push: the owner expects about n events in the
 * window, so it takes about n / PSTREAM_SLICE_TARGET slices (a power of two, at most
 * PSTREAM_SLICES). A guess only: any number of events is sorted right, a far larger
 * one more slowly. */
void pstream_expect(pstream *s, double n);

/* The number of events of a member of rate `rate` over the window: a draw of
 * Poisson(rate · span); 0, and no draw, when rate <= 0 or the window is empty. The
 * owner then pushes that many events of the member, each at a uniform time x (a fresh
 * 32-bit draw), members in its index order. */
unsigned pstream_count(const pstream *s, gsl_rng *r, double rate);

/* Appends an event to the window. 0, or -1 when out of memory. */
int pstream_push(pstream *s, uint32_t x, uint32_t i, uint32_t aux);

/* Ends the drawing: the stream stands at the window's first event (sorting its slice).
 * 0, or -1 when out of memory. */
int pstream_seal(pstream *s);

/* The next event, or NULL when the window is spent. */
static inline const pstream_ev *pstream_peek(const pstream *s)
{
    return s->cur < s->n_sl && s->pos < s->sl[s->cur].n ? &s->sl[s->cur].ev[s->pos] : NULL;
}

/* Steps past the next event (sorting the following slice when its turn comes). 0, or
 * -1 when out of memory. */
int pstream_advance(pstream *s);

/* The event k places after the next one when it is in the same slice, else NULL: for
 * fetching ahead what it will read. */
static inline const pstream_ev *pstream_ahead(const pstream *s, uint32_t k)
{
    return s->cur < s->n_sl && s->pos + k < s->sl[s->cur].n ? &s->sl[s->cur].ev[s->pos + k]
                                                            : NULL;
}

/* The time of an event of the window: t0 + span · x / 2^32, in [t0, t1), nondecreasing
 * in x. */
static inline double pstream_time(const pstream *s, const pstream_ev *e)
{
    double t = s->t0 + s->span * ((double)e->x * 0x1p-32);
    return t < s->t1 ? t : s->t_last;
}

void pstream_free(pstream *s);

#endif
