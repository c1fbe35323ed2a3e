/* station.c — FIFO queue with c identical servers. See station.h. */
#include "engine/station.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void station_init(station *st, uint32_t servers)
{
    assert(servers >= 1);
    memset(st, 0, sizeof *st);
    st->servers = servers;
}

void station_free(station *st)
{
    if (!st)
        return;
    free(st->ring);
    st->ring = NULL;
    st->cap = st->head = st->len = 0;
}

void station_set_limit(station *st, uint32_t max_waiting) { st->limit = max_waiting; }

/* Doubles the ring (first size 4), unwrapping it so the oldest job sits at index 0. */
static int ring_grow(station *st)
{
    uint32_t cap = st->cap ? st->cap * 2 : 4;
    if (cap < st->cap) /* 2^32 waiting jobs: refuse rather than wrap */
        return -1;
    station_job *r = malloc((size_t)cap * sizeof *r);
    if (!r)
        return -1;
    for (uint32_t i = 0; i < st->len; i++)
        r[i] = st->ring[(st->head + i) & (st->cap - 1)];
    free(st->ring);
    st->ring = r;
    st->cap = cap;
    st->head = 0;
    return 0;
}

int station_arrive(station *st, double now, uint64_t job_id)
{
    if (st->busy < st->servers) {
        st->busy++;
        return STATION_STARTED;
    }
    if (st->limit && st->len >= st->limit)
        return STATION_REJECTED;
    if (st->len == st->cap && ring_grow(st) != 0)
        return STATION_ENOMEM;
    station_job *slot = &st->ring[(st->head + st->len) & (st->cap - 1)];
    slot->id = job_id;
    slot->arrived = now;
    st->len++;
    return STATION_QUEUED;
}

int station_depart(station *st, station_job *next)
{
    assert(st->busy > 0);
    if (st->len == 0) {
        st->busy--;
        return 0;
    }
    /* The server stays busy: it passes straight to the oldest waiting job. */
    station_job j = st->ring[st->head];
    st->head = (st->head + 1) & (st->cap - 1);
    st->len--;
    if (next)
        *next = j;
    return 1;
}

int station_take(station *st, station_job *out)
{
    if (st->len == 0)
        return 0;
    *out = st->ring[st->head];
    st->head = (st->head + 1) & (st->cap - 1);
    st->len--;
    return 1;
}
