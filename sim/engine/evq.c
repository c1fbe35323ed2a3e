/*
 * evq.c — pending-event set: a binary min-heap on (t, seq) stored in one array, with a
 * position index so that cancellation removes the event in O(log n).
 */
#include "engine/evq.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* slot[seq & mask] tracks the heap position of each live event, keyed by seq. A seq
 * is live while its slot's seq matches. The slot table is an open-addressing hash. */
typedef struct evq_slot {
    uint64_t seq; /* 0 when empty                                */
    size_t pos;   /* index in heap                               */
} evq_slot;

struct evq {
    evq_event *heap;
    size_t n, cap;
    evq_slot *slot;
    size_t slot_cap; /* power of two, > 2 * cap                  */
    size_t slot_used; /* live + tombstones (seq == UINT64_MAX)    */
    uint64_t next_seq;
};

#define EVQ_TOMB UINT64_MAX

static inline int ev_less(const evq_event *x, const evq_event *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static size_t slot_find(const evq *q, uint64_t seq)
{
    size_t mask = q->slot_cap - 1, i = (size_t)(seq * 0x9e3779b97f4a7c15ULL) & mask;
    while (q->slot[i].seq != 0) {
        if (q->slot[i].seq == seq)
            return i;
        i = (i + 1) & mask;
    }
    return SIZE_MAX;
}

static void slot_insert(evq *q, uint64_t seq, size_t pos)
{
    size_t mask = q->slot_cap - 1, i = (size_t)(seq * 0x9e3779b97f4a7c15ULL) & mask;
    while (q->slot[i].seq != 0 && q->slot[i].seq != EVQ_TOMB)
        i = (i + 1) & mask;
    if (q->slot[i].seq == 0)
        q->slot_used++;
    q->slot[i].seq = seq;
    q->slot[i].pos = pos;
}

static int slot_rehash(evq *q, size_t new_cap)
{
    evq_slot *fresh = calloc(new_cap, sizeof *fresh);
    if (!fresh)
        return -1;
    evq_slot *old = q->slot;
    size_t old_cap = q->slot_cap;
    q->slot = fresh;
    q->slot_cap = new_cap;
    q->slot_used = 0;
    for (size_t i = 0; i < q->n; i++)
        slot_insert(q, q->heap[i].seq, i);
    (void)old_cap;
    free(old);
    return 0;
}

static inline void set_pos(evq *q, size_t pos)
{
    size_t i = slot_find(q, q->heap[pos].seq);
    assert(i != SIZE_MAX);
    q->slot[i].pos = pos;
}

static void sift_up(evq *q, size_t i)
{
    evq_event e = q->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_less(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        set_pos(q, i);
        i = parent;
    }
    q->heap[i] = e;
    set_pos(q, i);
}

static void sift_down(evq *q, size_t i)
{
    evq_event e = q->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && ev_less(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!ev_less(&q->heap[c], &e))
            break;
        q->heap[i] = q->heap[c];
        set_pos(q, i);
        i = c;
    }
    q->heap[i] = e;
    set_pos(q, i);
}

evq *evq_alloc(size_t capacity)
{
    evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->cap = capacity < 16 ? 16 : capacity;
    q->heap = malloc(q->cap * sizeof *q->heap);
    q->slot_cap = 64;
    while (q->slot_cap < 4 * q->cap)
        q->slot_cap *= 2;
    q->slot = calloc(q->slot_cap, sizeof *q->slot);
    q->next_seq = 1;
    if (!q->heap || !q->slot) {
        evq_free(q);
        return NULL;
    }
    return q;
}

void evq_free(evq *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q->slot);
    free(q);
}

size_t evq_size(const evq *q) { return q->n; }

evq_handle evq_push(evq *q, double t, uint32_t kind, uint32_t a, uint64_t b)
{
    assert(!isnan(t));
    if (q->n == q->cap) {
        size_t cap = q->cap * 2;
        evq_event *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return EVQ_NONE;
        q->heap = h;
        q->cap = cap;
    }
    if (2 * (q->slot_used + 1) > q->slot_cap) {
        size_t want = q->slot_cap;
        while (want < 4 * (q->n + 1))
            want *= 2;
        if (slot_rehash(q, want) != 0)
            return EVQ_NONE;
    }
    evq_event e = {t, q->next_seq++, kind, a, b};
    size_t i = q->n++;
    q->heap[i] = e;
    slot_insert(q, e.seq, i);
    sift_up(q, i);
    return e.seq;
}

static void remove_at(evq *q, size_t pos)
{
    size_t s = slot_find(q, q->heap[pos].seq);
    q->slot[s].seq = EVQ_TOMB;
    q->n--;
    if (pos == q->n)
        return;
    q->heap[pos] = q->heap[q->n];
    set_pos(q, pos);
    if (pos > 0 && ev_less(&q->heap[pos], &q->heap[(pos - 1) / 2]))
        sift_up(q, pos);
    else
        sift_down(q, pos);
}

int evq_pop(evq *q, evq_event *out)
{
    if (q->n == 0)
        return 0;
    *out = q->heap[0];
    remove_at(q, 0);
    return 1;
}

double evq_peek_time(evq *q) { return q->n ? q->heap[0].t : INFINITY; }

int evq_cancel(evq *q, evq_handle h)
{
    if (h == EVQ_NONE || h == EVQ_TOMB)
        return 0;
    size_t s = slot_find(q, h);
    if (s == SIZE_MAX)
        return 0;
    remove_at(q, q->slot[s].pos);
    return 1;
}

void evq_clear(evq *q)
{
    q->n = 0;
    for (size_t i = 0; i < q->slot_cap; i++)
        q->slot[i].seq = 0;
    q->slot_used = 0;
}
