/*
 * evq.c — the pending-event set: a ladder queue (R. Tang, R. Goh, I. Thng, "Ladder
 * queue: An O(1) priority queue structure for large-scale discrete event simulation",
 * ACM TOMACS 15(3), 2005), written for Crucible with a small sorted array (a 4-ary
 * heap when it grows large) as its bottom and lazy cancellation.
 *
 * Where a pending event lives (each in exactly one place):
 *   top     unsorted: events past the end of rung 0 (and all of them before the first
 *           pop).
 *   rungs   rung[0..nr): rung k has nb <= EVQ_RUNG_MAX buckets of width 1/inv_w from
 *           base; bucket i holds, unsorted, the events with floor((t - base) * inv_w)
 *           == i. Buckets before `next` have been drained; the last drained bucket of
 *           rung k is what rung k+1 (or, for the deepest rung, the bottom) spreads
 *           finer.
 *   bottom  (q->bot) the events of the deepest rung's current bucket, ~EVQ_TARGET of
 *           them, so they stay in L1 whatever the total: an array sorted on (t, seq)
 *           descending (the minimum last: pop is O(1), push an insertion from the
 *           minimum's end costing the new event's rank), or, once it would exceed
 *           EVQ_SORTED_MAX events, a 4-ary min-heap, sorted again (heapsort in place)
 *           when it has shrunk to EVQ_SORTED_MIN. The sorted form costs the new
 *           event's rank in moves per push and nothing per pop (the model's figures
 *           below).
 * Push walks the rungs from the coarsest and appends to the first bucket not yet
 * drained that covers t (O(1); few buckets per rung keep their tails in cache), or
 * enters the bottom when t falls in the current bucket of the deepest rung. Pop takes
 * the bottom's minimum; an empty bottom takes the deepest rung's next non-empty
 * bucket: straight in (sorted, or heapified when large) if it holds <= EVQ_SPAWN
 * events, else spread over a new, finer rung. A used-up rung is dropped; with no rung
 * left, rung 0 is rebuilt from the top, spanning its min..max, with as many buckets
 * (<= EVQ_RUNG_MAX) as give ~EVQ_TARGET events per bucket at the front. Every event is
 * moved O(1) times on average, so a hold costs O(1) amortised plus a sort of a dozen
 * events. A top of at most EVQ_SPAWN events becomes the bottom alone, which takes
 * every push until it outgrows EVQ_HEAP_MAX.
 *
 * Ordering is exact, not approximate: within a rung the bucket index is a monotone
 * function of t (one base, one width), an event in a later bucket or a coarser rung is
 * later than everything deeper, and equal times always share a bucket and are ordered
 * by seq in the bottom. A finer rung covers its parent's bucket only up to rounding:
 * an event before its start goes deeper (it is earlier than all the rung holds), one
 * past its end into its last bucket (see place_slow()). Degenerate cases (all events
 * at one time, infinite times) go straight to the bottom, a heap when that is large,
 * so the worst case is a plain heap. The same monotonicity gives push its fast path:
 * once an event has gone to the bottom, every push at or before its time does too
 * until the rungs change (bot_hi), and a new event has the largest seq, so its
 * insertion compares times only.
 *
 * Cancellation is lazy: each pending event owns a slot (recycled through a free list)
 * holding its seq. Cancel frees the slot; events whose slot no longer holds their seq
 * are dropped when they reach the bottom or its front, and purged everywhere when they
 * outnumber the live ones. A handle is (slot + 1) << 32 | (seq mod 2^32).
 *
 * Pop never allocates except for a new rung's buckets, and never fails: a bucket or
 * the top moves into the bottom by trading arrays with it when it does not fit, and
 * when memory for a rung cannot be had, the top goes to the bottom instead. Memory:
 * ~90 bytes per pending event at 10^6 (hold model, peak RSS 90 MB; 32-byte events in
 * the top and the buckets, 8-byte slots).
 *
 * Hold model (pop the earliest, push it back at t + Exp(1) drawn by gsl_ran_exponential
 * from PCG), million holds per CPU second on one core of the 2-core Xeon VM this was
 * written on, gcc -O2, while other jobs loaded the machine (figures vary +-20..30% from
 * run to run); pending events:
 *                                   10^2   10^3   10^4   10^5   10^6
 *   ladder, sorted bottom (this)    10.3   11.8    7.2    6.1    4.2
 *   ladder, 4-ary heap bottom        7.6    8.4    6.0    5.2    4.1
 *     (the previous revision; both rows: median of 6 runs of 3e6 holds, the two
 *      binaries alternating, load 2-3; best runs: 11.5 13.1 7.7 6.3 4.6 and
 *      8.3 9.0 6.9 7.2 5.3, i.e. at 10^5..10^6 the two are the same within noise)
 *   the same, measured earlier      10.9    9.5    9.2    7.3    5.9
 *     (a different hour of load: compare rows measured together only)
 *   calendar: one rung + top         9.6    8.0    9.3    6.8    3.5
 *     (bucket width from a sampled front density, up to 4n/32 buckets of 32;
 *      an earlier revision of this file)
 *   4-ary heap, lazy cancel          9.5    6.2    6.0    2.4    1.0
 *   binary heap, lazy cancel         8.9    4.7    5.3    2.7    1.4
 *   binary heap + hash index         7.6    4.4    4.2    2.0    1.0
 *     (the first version: position index for cancel, updated on every sift)
 * (`make bench` gives the current figures.) The Exp(1) draw alone costs ~26 ns
 * (log1p), i.e. caps any structure near 35 M/s. Build with -DEVQ_HEAP_ONLY (and
 * -DEVQ_ARITY=2) for the plain-heap rows.
 *
 * The model's workload is not the hold model's. Measured on `crucible bench model
 * --agents 10^4 --days 120` (4.3 M events) and 10^5 x 30 days (11.9 M): 100-230 resp.
 * 500-1300 events pending (one per non-empty rate bucket, compute departures, a few
 * periodic ones; no cancellations: superseded events are dropped by their handlers),
 * one rung and a bottom of 8-63 events (16-31 in 75% (10^4) / 95% (10^5) of pops), a
 * refill only every ~3800 (10^4) / ~10500 (10^5) pops, 1-2 rebuilds per run. 99.6% of
 * pushes go to the bottom, 70% (10^4) / 98% (10^5) of all pushes land within 2^-12
 * day of the last pop, and a new event's rank in the bottom is 0 in 28% / 11% of
 * pushes, below 5 in 76% / 52%. So the bottom's form is what counts: the 4-ary heap
 * cost a walk down and a sift up per pop (perf: ~25% of the model's CPU time in
 * heap_pop, heap_sift_up, evq_push, evq_pop_until, sim_run); the sorted array pops for
 * free and inserts in a few moves. Replaying the model's recorded push/pop sequence
 * against evq alone (best of 3; ns per event, i.e. one push and one pop, including
 * ~5 ns of reading the trace):                             10^4 x 120d   10^5 x 10d
 *   4-ary heap bottom (previous revision)                       87           88
 *   sorted bottom                                               48           56
 *   + fast path t <= bot_hi, t-only compare for new events     ~42          ~51
 *   + fast paths without calls or spills (slow paths outlined)  ~30          ~34
 * and the model benchmark itself (CPU seconds, before -> after, the two binaries
 * alternating; the machine's speed drifted by 1.5x between sessions, so compare pairs):
 * 10^4 x 120 days, 10 pairs: median 1.48 -> 1.09 s (2.9 -> 4.0 M events/s), best
 * 1.00 -> 0.90 s, 6-44% less per pair; 10^5 x 30 days, 6 pairs: 14-18% less per pair,
 * best 3.64 -> 3.07 s (3.3 -> 3.9 M events/s). The engine's share of the profile (the
 * functions above) fell to ~9%.
 * (Measured before the model made each population ONE Poisson stream, sim/model/pstream.c.
 * Now the two streams' next events are not in the set at all: they are
 * sim.h's sources, merged in sim_run by evq_pop_before. The set holds the compute
 * departures, training jobs and the periodic events. evq_pop_until is evq_pop_before
 * against (+inf, the largest seq), and their slow path is inline again: outlined, the
 * model ran 3-4% slower in three interleaved sets of 8 runs at 10^6 agents x 5 days;
 * the hold figures are the same within their noise. With the streams gone, a push is
 * mostly a departure at now + Exp(service time), whose rank in the bottom is uniform:
 * instrumented, the fast path found 1.3 / 10 / 26 / 75 events in the bottom and moved
 * 0.2 / 1.3 / 12.5 / 37 of them per push at 10^4 / 10^5 / 10^6 agents x 20 days and
 * 3*10^6 x 3 days, ~6% of the profile at 10^6. A heap bottom above 32 events
 * (EVQ_SORTED_MAX 32) and finer rungs above 24 (EVQ_SPAWN 24) were not distinguishable
 * from this in the machine's noise.)
 * evq_pop_before reports the set's front after each call, and sim.c keeps it as a bound
 * that pushes lower: a source's event ahead of it (most of the model's events) then
 * costs no call into the set at all. Instructions per event of `bench model --agents
 * 10^4 --days 90` (callgrind): 805 -> 780 (-3%), results unchanged.
 * Tried and not kept: EVQ_TARGET 8/16/24 and EVQ_SORTED_MAX 64/256 (within the noise
 * on the model's trace); refills sorted by counting each event's rank (branch-free,
 * O(k^2): 10-15% slower hold at 10^2..10^4 than insertion sort); insertion in blocks
 * of four by counting then memmove (slower: the call and its size dispatch); a tie
 * test split from the time test in insertion sort (no difference); putting the hot
 * fields in one cache line made no measurable difference but is kept.
 */
#include "engine/evq.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

#ifndef EVQ_ARITY
#define EVQ_ARITY 4
#endif
#ifndef EVQ_TARGET
#define EVQ_TARGET 12          /* events per bucket the rungs aim at (tuned: 8..32 are
                                  within noise of each other, 12 balances 10^3/10^6) */
#endif
#ifndef EVQ_SPAWN
#define EVQ_SPAWN (4 * EVQ_TARGET) /* a bucket larger than this spawns a finer rung */
#endif
#ifndef EVQ_RUNG_MAX
#define EVQ_RUNG_MAX 1024      /* buckets per rung: few enough that their tails stay
                                  in cache while events are scattered into them     */
#endif
#define EVQ_SAMPLE 128         /* top events sampled to size rung 0                  */
#define EVQ_RUNGS 8            /* deepest ladder; past it buckets go to the bottom  */
#define EVQ_HEAP_MAX 512       /* a set this small is just the bottom (no rungs)     */
#ifdef EVQ_HEAP_ONLY
#define EVQ_SORTED_MAX 0
#define EVQ_SORTED_MIN 0
#endif
#ifndef EVQ_SORTED_MAX
#define EVQ_SORTED_MAX 128     /* a sorted bottom that would outgrow this is a heap  */
#endif
#ifndef EVQ_SORTED_MIN
#define EVQ_SORTED_MIN 32      /* a heap bottom this small is sorted again           */
#endif
#define EVQ_ISORT_MAX 24       /* refills up to this size are insertion-sorted     */
#define EVQ_KIND_BITS 16
#define EVQ_SEQ_MAX ((UINT64_C(1) << (64 - EVQ_KIND_BITS)) - 1)
#define EVQ_FREE (UINT64_C(1) << 63) /* slot is free; low 32 bits link the free list */
#define EVQ_NO_SLOT UINT32_MAX
/* Slow paths stay out of line, so the fast paths need few registers (no spills). Not
 * marked cold: in the hold model at large sizes push_slow is the common path, and
 * gcc optimises cold functions for size (hold at 10^5..10^6 was 0-20% slower so, in
 * 6 of 8 paired runs). */
#define EVQ_OUTLINE __attribute__((noinline))

/* An event as stored: key = seq << 16 | kind, so comparing keys compares seqs. */
typedef struct evq_node {
    double t;
    uint64_t key;
    uint32_t a;
    uint32_t slot;
    uint64_t b;
} evq_node;

typedef struct evq_vec {
    evq_node *v;
    size_t n, cap;
} evq_vec;

typedef struct evq_rung {
    evq_vec *bucket;   /* bucket[0..nb): unsorted events, by floor((t - base) * inv_w) */
    size_t nb, bcap;   /* buckets in use, buckets allocated (their vectors are kept)   */
    size_t next;       /* next bucket to drain; next - 1 has been drained or spawned   */
    double base, inv_w;
} evq_rung;

struct evq {
    /* what the fast paths of push and pop touch, together in one cache line */
    evq_node *bot;     /* the bottom: sorted (descending) or a 4-ary min-heap      */
    size_t hn;         /* events in the bottom                                     */
    size_t bot_room;   /* see bot_form                                              */
    double bot_hi;     /* events with t <= bot_hi go to the bottom (place_slow)   */
    uint64_t *slot;    /* seq of the slot's event, or EVQ_FREE | next free slot    */
    uint64_t next_seq;
    size_t live;       /* pending events                                           */
    uint32_t free_head;
    int sorted;        /* 1: bot[0..hn) descending, minimum last; 0: a heap        */
    /* the rest */
    size_t hcap;
    size_t dead;       /* cancelled events still stored                            */
    uint32_t slot_n, slot_cap;
    int nr;
    double flat_hi;    /* when nr == 0: events with t <= flat_hi go to the bottom  */
    evq_vec top;
    double top_lo, top_hi;
    evq_rung rung[EVQ_RUNGS]; /* rung[0] coarsest; rung[nr-1] feeds the bottom      */
};

/* Branch-free on purpose: in a heap the outcome is a coin flip, and a mispredicted
 * branch costs more than evaluating both halves. */
static inline int node_less(const evq_node *x, const evq_node *y)
{
    return (x->t < y->t) | ((x->t == y->t) & (x->key < y->key));
}

/* ---- 4-ary heap ------------------------------------------------------------------ */

static void heap_sift_up(evq_node *h, size_t i, evq_node e)
{
    while (i > 0) {
        size_t p = (i - 1) / EVQ_ARITY;
        if (!node_less(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void heap_sift_down(evq_node *h, size_t n, size_t i, evq_node e)
{
    for (;;) {
        size_t c = EVQ_ARITY * i + 1;
        if (c >= n)
            break;
        size_t best = c;
#if EVQ_ARITY == 4
        if (c + 3 < n) {
            size_t m01 = c + (size_t)node_less(&h[c + 1], &h[c]);
            size_t m23 = c + 2 + (size_t)node_less(&h[c + 3], &h[c + 2]);
            best = node_less(&h[m23], &h[m01]) ? m23 : m01;
        } else
#endif
        {
            size_t end = c + EVQ_ARITY < n ? c + EVQ_ARITY : n;
            for (size_t k = c + 1; k < end; k++)
                if (node_less(&h[k], &h[best]))
                    best = k;
        }
        if (!node_less(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void heap_build(evq_node *h, size_t n)
{
    if (n < 2)
        return;
    for (size_t i = (n - 2) / EVQ_ARITY + 1; i-- > 0;)
        heap_sift_down(h, n, i, h[i]);
}

/* Bottom-up removal: the hole left by the minimum walks down along the smaller child
 * to a leaf (three comparisons per level, no data-dependent exit), then the last
 * element, which came from the bottom and is usually large, sifts up from there. */
static inline evq_node heap_pop_n(evq_node *h, size_t n)
{
    evq_node top = h[0];
    n--;
    if (n == 0)
        return top;
    size_t i = 0;
    for (;;) {
        size_t c = EVQ_ARITY * i + 1, best = c;
        if (c >= n)
            break;
#if EVQ_ARITY == 4
        if (c + 3 < n) {
            size_t m01 = c + (size_t)node_less(&h[c + 1], &h[c]);
            size_t m23 = c + 2 + (size_t)node_less(&h[c + 3], &h[c + 2]);
            best = node_less(&h[m23], &h[m01]) ? m23 : m01;
        } else
#endif
        {
            size_t end = c + EVQ_ARITY < n ? c + EVQ_ARITY : n;
            for (size_t k = c + 1; k < end; k++)
                if (node_less(&h[k], &h[best]))
                    best = k;
        }
        h[i] = h[best];
        i = best;
    }
    heap_sift_up(h, i, h[n]);
    return top;
}

/* ---- the bottom: a sorted array, or a heap when it is large ---------------------- */

/* Sets the bottom's form; bot_room is how many events the fast path of evq_push may
 * insert into it (0 for a heap). */
static inline void bot_form(evq *q, int sorted)
{
    q->sorted = sorted;
    q->bot_room = !sorted ? 0 : q->hcap < EVQ_SORTED_MAX ? q->hcap : EVQ_SORTED_MAX;
}

/* Inserts e into the descending array v[0..n) (room for n + 1): the events earlier
 * than e, at the end, move up one. Cost: e's rank from the front, which is small when
 * most events are scheduled soon after now, as in the model. */
static inline void sorted_insert(evq_node *v, size_t n, evq_node e)
{
    size_t j = n;
    while (j > 0 && node_less(&v[j - 1], &e)) {
        v[j] = v[j - 1];
        j--;
    }
    v[j] = e;
}

/* The same for a newly pushed e: its seq is the largest of all, so it goes after every
 * event at its time and comparing times is enough. */
static inline void sorted_insert_new(evq_node *v, size_t n, evq_node e)
{
    size_t j = n;
    while (j > 0 && v[j - 1].t <= e.t) {
        v[j] = v[j - 1];
        j--;
    }
    v[j] = e;
}

/* A descending array read backwards is ascending, and an ascending array is a heap. */
static void bot_to_heap(evq *q)
{
    for (size_t i = 0, j = q->hn; i + 1 < j; i++, j--) {
        evq_node x = q->bot[i];
        q->bot[i] = q->bot[j - 1];
        q->bot[j - 1] = x;
    }
    bot_form(q, 0);
}

/* Heapsort in place: each popped minimum goes to the slot the heap just gave up, so the
 * array ends descending. */
static void bot_to_sorted(evq *q)
{
    for (size_t k = q->hn; k > 1; k--) {
        evq_node m = heap_pop_n(q->bot, k);
        q->bot[k - 1] = m;
    }
    bot_form(q, 1);
}

/* Orders bot[0..hn) as a fresh bottom: sorted when small, else a heap. */
static void bot_order(evq *q)
{
    size_t n = q->hn;
    if (n > EVQ_SORTED_MAX) {
        heap_build(q->bot, n);
        bot_form(q, 0);
    } else if (n > EVQ_ISORT_MAX) {
        heap_build(q->bot, n);
        bot_to_sorted(q);
    } else {
        for (size_t i = 1; i < n; i++)
            sorted_insert(q->bot, i, q->bot[i]);
        bot_form(q, 1);
    }
}

static inline evq_node *bot_min(evq *q)
{
    return q->sorted ? &q->bot[q->hn - 1] : &q->bot[0];
}

static int bot_grow(evq *q)
{
    size_t cap = q->hcap * 2;
    evq_node *h = realloc(q->bot, cap * sizeof *h);
    if (!h)
        return -1;
    q->bot = h;
    q->hcap = cap;
    bot_form(q, q->sorted);
    return 0;
}

/* Adds a newly pushed event (the largest seq so far) to the bottom. */
static inline int bot_push(evq *q, const evq_node *e)
{
    if (q->hn == q->hcap && bot_grow(q) != 0)
        return -1;
    if (q->sorted) {
        if (q->hn < EVQ_SORTED_MAX) {
            sorted_insert_new(q->bot, q->hn++, *e);
            return 0;
        }
        bot_to_heap(q);
    }
    heap_sift_up(q->bot, q->hn++, *e);
    return 0;
}

/* Removes the minimum (hn > 0). A heap that has shrunk back to EVQ_SORTED_MIN events
 * becomes sorted again; the gap between the two thresholds bounds how often the bottom
 * can switch (each switch costs O(n) or O(n log n) and needs ~n pushes or pops). */
static inline evq_node bot_pop(evq *q)
{
    if (q->sorted)
        return q->bot[--q->hn];
    evq_node top = heap_pop_n(q->bot, q->hn--);
    if (q->hn <= EVQ_SORTED_MIN)
        bot_to_sorted(q);
    return top;
}

/* ---- vectors ---------------------------------------------------------------------- */

static int vec_reserve(evq_vec *v, size_t want)
{
    if (want <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : 8;
    while (cap < want)
        cap *= 2;
    evq_node *p = realloc(v->v, cap * sizeof *p);
    if (!p)
        return -1;
    v->v = p;
    v->cap = cap;
    return 0;
}

/* Frees the array of a drained vector that grew large. Every bucket of rung 0 is, in
 * turn, the crowded front of the set; keeping each one's peak capacity would cost
 * nb times the front's size, so a drained bucket starts small again (it regrows by
 * doubling: a few reallocations per bucket and rung, not per event). */
static void vec_trim(evq_vec *v)
{
    if (v->n == 0 && v->cap > 8 * EVQ_SPAWN) {
        free(v->v);
        v->v = NULL;
        v->cap = 0;
    }
}

static inline int vec_push(evq_vec *v, const evq_node *e)
{
    if (v->n == v->cap && vec_reserve(v, v->n + 1) != 0)
        return -1;
    v->v[v->n++] = *e;
    return 0;
}

static int top_push(evq *q, const evq_node *e)
{
    if (vec_push(&q->top, e) != 0)
        return -1;
    if (e->t < q->top_lo)
        q->top_lo = e->t;
    if (e->t > q->top_hi)
        q->top_hi = e->t;
    return 0;
}

/* ---- placement and refill --------------------------------------------------------- */

static inline int slot_live(const evq *q, const evq_node *e)
{
    return q->slot[e->slot] == e->key >> EVQ_KIND_BITS;
}

/* Small-set mode (no rung, flat_hi = +inf) ends when the bottom outgrows EVQ_HEAP_MAX:
 * the bottom moves to the top and the next pop builds a ladder. Returns -1 (nothing
 * moved) when the top cannot grow; the set then simply stays one (heap) bottom. */
static int spill(evq *q)
{
    if (vec_reserve(&q->top, q->top.n + q->hn) != 0)
        return -1;
    for (size_t i = 0; i < q->hn; i++) {
        double t = q->bot[i].t;
        q->top.v[q->top.n++] = q->bot[i];
        q->top_lo = t < q->top_lo ? t : q->top_lo;
        q->top_hi = t > q->top_hi ? t : q->top_hi;
    }
    q->hn = 0;
    bot_form(q, 1);
    q->flat_hi = q->bot_hi = -INFINITY;
    return 0;
}

/* Puts e where it belongs. An event that goes to the bottom raises bot_hi to its time,
 * and evq_push sends every later push with t <= bot_hi straight to the bottom: that
 * is exact, because for each rung the bucket index is monotone in t, so if t passes
 * every rung (earlier than its next bucket, or past the end of a used-up deeper rung)
 * so does every earlier time. The rungs change only in refill, which resets bot_hi. */
static int place_slow(evq *q, const evq_node *e)
{
#ifdef EVQ_HEAP_ONLY
    return bot_push(q, e);
#else
    if (q->nr == 0) {
        if (e->t <= q->flat_hi &&
            (q->hn < EVQ_HEAP_MAX || q->flat_hi < INFINITY || spill(q) != 0)) {
            if (q->flat_hi < INFINITY)
                q->bot_hi = q->flat_hi;
            return bot_push(q, e);
        }
        return top_push(q, e);
    }
    /* From the coarsest rung in: an event either falls in a bucket not yet drained,
     * or in the one being drained (then the next rung, or the bottom, takes it). Past
     * the end of rung 0 is the top; past the end of a deeper rung (it covers one
     * bucket of its parent, up to rounding) is its last bucket. */
    for (int k = 0; k < q->nr; k++) {
        const evq_rung *r = &q->rung[k];
        double d = (e->t - r->base) * r->inv_w;
        if (d >= (double)r->nb && k == 0)
            return top_push(q, e);
        if (d >= (double)r->next) {
            size_t i = d < (double)r->nb ? (size_t)d : r->nb - 1;
            /* A finer rung spans only the events its parent's bucket held when it
             * spawned: a later event past its end whose last bucket has already been
             * drained belongs deeper (or in the bottom), not in a drained bucket. */
            if (i >= r->next)
                return vec_push(&r->bucket[i], e);
        }
    }
    q->bot_hi = e->t;
    return bot_push(q, e);
#endif
}

/* Moves the live events of src into the empty bottom, orders them (bot_order), and
 * empties src. When they do not fit, the bottom and src swap arrays instead of
 * allocating, so a refill never needs memory. Checking the slots here, in one
 * streaming pass, also brings them into cache for the pops. */
static void fill_bottom(evq *q, evq_vec *src)
{
    size_t n = src->n, k = 0;
    if (n > q->hcap) {
        evq_node *h = q->bot;
        size_t cap = q->hcap;
        q->bot = src->v;
        q->hcap = src->cap;
        src->v = h;
        src->cap = cap;
        for (size_t i = 0; i < n; i++) {
            q->bot[k] = q->bot[i];
            k += (size_t)slot_live(q, &q->bot[i]);
        }
    } else if (n <= EVQ_ISORT_MAX) { /* the common case: sort while copying */
        for (size_t i = 0; i < n; i++)
            if (slot_live(q, &src->v[i]))
                sorted_insert(q->bot, k++, src->v[i]);
        src->n = 0;
        q->dead -= n - k;
        q->hn = k;
        bot_form(q, 1);
        return;
    } else {
        for (size_t i = 0; i < n; i++) {
            q->bot[k] = src->v[i];
            k += (size_t)slot_live(q, &src->v[i]);
        }
    }
    src->n = 0;
    q->dead -= n - k;
    q->hn = k;
    bot_order(q);
}

/* Moves the whole top into the empty bottom; no rung afterwards, and later pushes with
 * t <= flat_hi (which must be >= every event of the top) go to the bottom too. */
static void flatten_top(evq *q, double flat_hi)
{
    fill_bottom(q, &q->top);
    q->top_lo = INFINITY;
    q->top_hi = -INFINITY;
    q->nr = 0;
    q->flat_hi = flat_hi;
}

/* Spreads src (n events in [lo, hi], hi > lo, both finite) over a new rung of nb
 * buckets at depth level. For rung 0 (from the top) events past the rung's end stay
 * in src, compacted; deeper rungs take them in their last bucket. Returns 0, or -1
 * when memory for the rung cannot be had (nothing has moved then). */
static int spawn(evq *q, int level, evq_vec *src, double lo, double hi, size_t nb)
{
    size_t n = src->n;
    /* the largest event lands half a bucket before the end, clear of rounding */
    double inv_w = ((double)nb - 0.5) / (hi - lo);
    if (!(inv_w > 0) || !isfinite(inv_w))
        return -1;
    evq_rung *r = &q->rung[level];
    if (nb > r->bcap) {
        evq_vec *b = realloc(r->bucket, nb * sizeof *b);
        if (!b)
            return -1;
        memset(b + r->bcap, 0, (nb - r->bcap) * sizeof *b);
        r->bucket = b;
        r->bcap = nb;
    }
    /* Count, reserve, scatter: the only allocation happens before any event moves. */
    for (size_t i = 0; i < nb; i++)
        r->bucket[i].n = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (src->v[i].t - lo) * inv_w;
        if (d < (double)nb)
            r->bucket[(size_t)d].n++;
        else if (level > 0)
            r->bucket[nb - 1].n++;
    }
    for (size_t i = 0; i < nb; i++) {
        size_t want = r->bucket[i].n;
        r->bucket[i].n = 0;
        if (vec_reserve(&r->bucket[i], want) != 0)
            return -1;
    }
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        evq_node e = src->v[i];
        double d = (e.t - lo) * inv_w;
        if (d < (double)nb || level > 0) {
            evq_vec *b = &r->bucket[d < (double)nb ? (size_t)d : nb - 1];
            b->v[b->n++] = e;
        } else {
            src->v[keep++] = e;
        }
    }
    src->n = keep;
    r->nb = nb;
    r->next = 0;
    r->base = lo;
    r->inv_w = inv_w;
    q->nr = level + 1;
    return 0;
}

/* Builds rung 0 from the top (bottom empty, no rung). */
static void rebuild(evq *q)
{
    double lo = q->top_lo, hi = q->top_hi;
    if (q->top.n <= EVQ_SPAWN) { /* small: the bottom alone, up to EVQ_HEAP_MAX */
        flatten_top(q, INFINITY);
        return;
    }
    if (!(hi > lo)) {
        flatten_top(q, hi);
        return;
    }
    if (!isfinite(hi)) { /* +inf times stay in the top until only they are left */
        hi = -INFINITY;
        for (size_t i = 0; i < q->top.n; i++)
            if (q->top.v[i].t > hi && isfinite(q->top.v[i].t))
                hi = q->top.v[i].t;
        if (!(hi > lo)) { /* no two distinct finite times: all of it is the bottom */
            flatten_top(q, INFINITY);
            return;
        }
    }
    /* Rung 0 spans the whole top. Its width aims at EVQ_TARGET events per bucket where
     * events are densest, at the front (estimated from the lower quarter of a strided
     * sample), but it has at most EVQ_RUNG_MAX buckets: then crowded buckets spawn
     * finer rungs as they come up. */
    size_t n = q->top.n, m = n < EVQ_SAMPLE ? n : EVQ_SAMPLE, stride = n / m;
    double sample[EVQ_SAMPLE];
    for (size_t i = 0; i < m; i++)
        sample[i] = q->top.v[i * stride].t;
    gsl_sort(sample, 1, m);
    double front = sample[m / 4] - lo;              /* holds about n/4 events */
    double want = (hi - lo) / front * ((double)n / 4.0) / EVQ_TARGET;
    size_t nb = want >= 1.0 && want < (double)EVQ_RUNG_MAX ? (size_t)want + 1 : EVQ_RUNG_MAX;
    if (spawn(q, 0, &q->top, lo, hi, nb) != 0) {
        flatten_top(q, q->top_hi);
        return;
    }
    double tlo = INFINITY, thi = -INFINITY;
    for (size_t i = 0; i < q->top.n; i++) {
        double t = q->top.v[i].t;
        tlo = t < tlo ? t : tlo;
        thi = t > thi ? t : thi;
    }
    q->top_lo = tlo;
    q->top_hi = thi;
}

/* Refills the empty bottom; returns 0 when nothing is stored at all. */
static int refill(evq *q)
{
    q->bot_hi = -INFINITY; /* the rungs are about to change */
    while (q->hn == 0) {
        if (q->nr == 0) {
            if (q->top.n == 0)
                return 0;
            q->flat_hi = -INFINITY;
            rebuild(q);
            continue;
        }
        evq_rung *r = &q->rung[q->nr - 1];
        size_t i = r->next;
        while (i < r->nb && r->bucket[i].n == 0)
            i++;
        if (i == r->nb) { /* rung used up: its parent's next bucket is next */
            q->nr--;
            continue;
        }
        r->next = i + 1;
        evq_vec *b = &r->bucket[i];
        if (b->n > EVQ_SPAWN && q->nr < EVQ_RUNGS) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < b->n; k++) {
                double t = b->v[k].t;
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            size_t nb = b->n / EVQ_TARGET + 1;
            if (hi > lo && spawn(q, q->nr, b, lo, hi, nb < EVQ_RUNG_MAX ? nb : EVQ_RUNG_MAX) == 0) {
                vec_trim(b);
                continue;
            }
        }
        /* small, all at one time, too deep or no memory for a rung: straight in */
        fill_bottom(q, b);
        vec_trim(b);
    }
    return 1;
}

/* ---- slots -------------------------------------------------------------------------- */

static int slot_take(evq *q, uint64_t seq, uint32_t *out)
{
    uint32_t s = q->free_head;
    if (s != EVQ_NO_SLOT) {
        q->free_head = (uint32_t)q->slot[s];
    } else {
        if (q->slot_n == q->slot_cap) {
            if (q->slot_cap >= EVQ_NO_SLOT / 2)
                return -1;
            uint32_t cap = q->slot_cap ? q->slot_cap * 2 : 64;
            uint64_t *p = realloc(q->slot, (size_t)cap * sizeof *p);
            if (!p)
                return -1;
            q->slot = p;
            q->slot_cap = cap;
        }
        s = q->slot_n++;
    }
    q->slot[s] = seq;
    *out = s;
    return 0;
}

static inline void slot_release(evq *q, uint32_t s)
{
    q->slot[s] = EVQ_FREE | q->free_head;
    q->free_head = s;
}

/* ---- API ----------------------------------------------------------------------------- */

evq *evq_alloc(size_t capacity)
{
    evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    /* Events gather in the top until the first pop: that is where capacity helps. */
    q->hcap = 64;
    q->bot = malloc(q->hcap * sizeof *q->bot);
    if (q->bot && capacity > 0 && vec_reserve(&q->top, capacity) != 0) {
        evq_free(q);
        return NULL;
    }
    q->free_head = EVQ_NO_SLOT;
    bot_form(q, 1);
    q->flat_hi = q->bot_hi = -INFINITY;
    q->top_lo = INFINITY;
    q->top_hi = -INFINITY;
    q->next_seq = 1;
    if (!q->bot) {
        evq_free(q);
        return NULL;
    }
    return q;
}

void evq_free(evq *q)
{
    if (!q)
        return;
    free(q->bot);
    for (int k = 0; k < EVQ_RUNGS; k++) {
        for (size_t i = 0; i < q->rung[k].bcap; i++)
            free(q->rung[k].bucket[i].v);
        free(q->rung[k].bucket);
    }
    free(q->top.v);
    free(q->slot);
    free(q);
}

size_t evq_size(const evq *q) { return q->live; }

/* evq_push when the fast path does not apply (a free slot to recycle, a sorted bottom
 * with room, t <= bot_hi): may allocate, walks the rungs. */
EVQ_OUTLINE static evq_handle push_slow(evq *q, double t, uint32_t kind, uint32_t a,
                                        uint64_t b)
{
    if (q->next_seq > EVQ_SEQ_MAX)
        return EVQ_NONE;
    uint64_t seq = q->next_seq;
    uint32_t s;
    if (slot_take(q, seq, &s) != 0)
        return EVQ_NONE;
    evq_node e = {t, seq << EVQ_KIND_BITS | kind, a, s, b};
    if ((t <= q->bot_hi ? bot_push(q, &e) : place_slow(q, &e)) != 0) {
        slot_release(q, s);
        return EVQ_NONE;
    }
    q->next_seq++;
    q->live++;
    return ((uint64_t)(s + 1) << 32) | (seq & 0xffffffffu);
}

evq_handle evq_push(evq *q, double t, uint32_t kind, uint32_t a, uint64_t b)
{
    assert(!isnan(t));
    assert(kind < (1u << EVQ_KIND_BITS));
    uint32_t s = q->free_head;
    /* The model's common case, kept in registers and free of calls: a slot to recycle
     * and t in the range of the sorted bottom, which has room (bot_room is 0 when the
     * bottom is a heap). */
    if (t <= q->bot_hi && q->hn < q->bot_room && s != EVQ_NO_SLOT &&
        q->next_seq <= EVQ_SEQ_MAX) {
        uint64_t seq = q->next_seq++;
        q->free_head = (uint32_t)q->slot[s];
        q->slot[s] = seq;
        evq_node e = {t, seq << EVQ_KIND_BITS | kind, a, s, b};
        sorted_insert_new(q->bot, q->hn++, e);
        q->live++;
        return ((uint64_t)(s + 1) << 32) | (seq & 0xffffffffu);
    }
    return push_slow(q, t, kind, a, b);
}

/* Drops cancelled events from the front of the bottom (refilling it as needed); returns
 * 0 when no live event is stored. */
static int settle(evq *q)
{
    for (;;) {
        if (q->hn == 0 && !refill(q))
            return 0;
        if (slot_live(q, bot_min(q)))
            return 1;
        bot_pop(q);
        q->dead--;
    }
}

/* Hands a popped event out and frees its slot. */
static inline void emit(evq *q, const evq_node *e, evq_event *out)
{
    slot_release(q, e->slot);
    q->live--;
    out->t = e->t;
    out->seq = e->key >> EVQ_KIND_BITS;
    out->kind = (uint32_t)(e->key & ((1u << EVQ_KIND_BITS) - 1));
    out->a = e->a;
    out->b = e->b;
}

/* The earliest live event, or NULL when none. The common case, a sorted bottom whose
 * minimum (its last event) is live, needs no call; else the bottom's cancelled front is
 * dropped first (settle). */
static inline const evq_node *front_node(evq *q)
{
    size_t n = q->hn;
    if (n > 0 && q->sorted && slot_live(q, &q->bot[n - 1]))
        return &q->bot[n - 1];
    if (q->live == 0 || !settle(q))
        return NULL;
    return bot_min(q);
}

/* The key of m, or {+INFINITY, UINT64_MAX} when m is NULL. */
static inline void front_key(const evq_node *m, evq_key *front)
{
    *front = m ? (evq_key){m->t, m->key >> EVQ_KIND_BITS} : (evq_key){INFINITY, UINT64_MAX};
}

int evq_pop_before(evq *q, double t, uint64_t seq, double horizon, evq_event *out,
                   evq_key *front)
{
    const evq_node *m = front_node(q);
    if (!m || !(m->t <= horizon) ||
        !(m->t < t || (m->t == t && (m->key >> EVQ_KIND_BITS) < seq))) {
        front_key(m, front);
        return 0;
    }
    evq_node e = bot_pop(q);
    emit(q, &e, out);
    front_key(front_node(q), front);
    return 1;
}

/* No event comes after (+infinity, the largest seq): events at +infinity pop too. */
int evq_pop_until(evq *q, double horizon, evq_event *out)
{
    evq_key front;
    return evq_pop_before(q, INFINITY, UINT64_MAX, horizon, out, &front);
}

int evq_pop(evq *q, evq_event *out) { return evq_pop_until(q, INFINITY, out); }

uint64_t evq_take_seq(evq *q) { return q->next_seq <= EVQ_SEQ_MAX ? q->next_seq++ : 0; }

double evq_peek_time(evq *q)
{
    const evq_node *m = front_node(q);
    return m ? m->t : INFINITY;
}

/* Keeps only the live events of v. */
static size_t purge_vec(const evq *q, evq_node *v, size_t n)
{
    size_t keep = 0;
    for (size_t i = 0; i < n; i++)
        if (slot_live(q, &v[i]))
            v[keep++] = v[i];
    return keep;
}

static void purge(evq *q)
{
    q->hn = purge_vec(q, q->bot, q->hn); /* keeps a sorted bottom sorted */
    if (!q->sorted)
        heap_build(q->bot, q->hn);
    for (int k = 0; k < q->nr; k++)
        for (size_t i = q->rung[k].next; i < q->rung[k].nb; i++)
            q->rung[k].bucket[i].n = purge_vec(q, q->rung[k].bucket[i].v, q->rung[k].bucket[i].n);
    q->top.n = purge_vec(q, q->top.v, q->top.n);
    q->top_lo = INFINITY;
    q->top_hi = -INFINITY;
    for (size_t i = 0; i < q->top.n; i++) {
        double t = q->top.v[i].t;
        q->top_lo = t < q->top_lo ? t : q->top_lo;
        q->top_hi = t > q->top_hi ? t : q->top_hi;
    }
    q->dead = 0;
}

int evq_cancel(evq *q, evq_handle h)
{
    uint64_t s1 = h >> 32;
    if (s1 == 0 || s1 > q->slot_n)
        return 0;
    uint32_t s = (uint32_t)(s1 - 1);
    uint64_t seq = q->slot[s];
    if ((seq & EVQ_FREE) || (seq & 0xffffffffu) != (h & 0xffffffffu))
        return 0;
    slot_release(q, s);
    q->live--;
    q->dead++;
    if (q->dead > q->live + 1024)
        purge(q);
    return 1;
}

void evq_clear(evq *q)
{
    q->hn = 0;
    bot_form(q, 1);
    for (int k = 0; k < q->nr; k++)
        for (size_t i = 0; i < q->rung[k].nb; i++)
            q->rung[k].bucket[i].n = 0;
    q->nr = 0;
    q->flat_hi = q->bot_hi = -INFINITY;
    q->top.n = 0;
    q->top_lo = INFINITY;
    q->top_hi = -INFINITY;
    q->slot_n = 0;
    q->free_head = EVQ_NO_SLOT;
    q->live = q->dead = 0;
    /* next_seq keeps counting, so handles from before the clear stay stale. */
}
