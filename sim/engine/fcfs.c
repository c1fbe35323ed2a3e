/* fcfs.c — FIFO c-server station without departure events. See fcfs.h. */
#include "engine/fcfs.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void fcfs_init(fcfs *q, uint32_t servers)
{
    assert(servers >= 1);
    memset(q, 0, sizeof *q);
    q->servers = servers;
    q->due = INFINITY;
}

void fcfs_free(fcfs *q)
{
    if (!q)
        return;
    free(q->t);
    q->t = NULL;
    q->len = q->cap = 0;
    q->due = INFINITY;
}

/* Restores the min-heap h[0, n) after h[i] grew. */
static void sift_down(double *h, uint32_t n, uint32_t i)
{
    double x = h[i];
    for (;;) {
        uint32_t k = 2 * i + 1;
        if (k >= n)
            break;
        if (k + 1 < n && h[k + 1] < h[k])
            k++;
        if (!(h[k] < x))
            break;
        h[i] = h[k];
        i = k;
    }
    h[i] = x;
}

uint32_t fcfs_expire(fcfs *q, double now)
{
    if (q->len == 0)
        return 0;
    double *h = q->t + q->servers;
    while (q->len > 0 && h[0] <= now) {
        h[0] = h[--q->len];
        sift_down(h, q->len, 0);
    }
    q->due = q->len ? h[0] : INFINITY;
    return q->len;
}

/* Room for one more departure time: the block doubles (first 4 departures). */
static int grow(fcfs *q)
{
    uint32_t cap = q->cap ? 2 * q->cap : 4;
    if (cap < q->cap || (uint64_t)q->servers + cap > SIZE_MAX / sizeof(double))
        return -1;
    double *t = realloc(q->t, ((size_t)q->servers + cap) * sizeof *t);
    if (!t)
        return -1;
    if (!q->t) /* a new station: every server free since the beginning of time */
        for (uint32_t i = 0; i < q->servers; i++)
            t[i] = -INFINITY;
    q->t = t;
    q->cap = cap;
    return 0;
}

int fcfs_arrive_general(fcfs *q, double now, double service, double *wait)
{
    fcfs_jobs(q, now);
    if (q->len == q->cap && grow(q) != 0)
        return -1;
    double *f = q->t, *h = q->t + q->servers;
    double start, d;
    if (q->servers <= FCFS_SCAN) {
        uint32_t m = fcfs_earliest_(f, q->servers);
        start = f[m] > now ? f[m] : now;
        d = start + service;
        f[m] = d;
    } else {
        start = f[0] > now ? f[0] : now;
        d = start + service;
        f[0] = d; /* the earliest-free server takes the job */
        sift_down(f, q->servers, 0);
    }
    fcfs_depart_push_(q, h, d);
    *wait = start - now;
    return 0;
}

double fcfs_drained(const fcfs *q, double now)
{
    double last = now;
    if (q->t)
        for (uint32_t i = 0; i < q->servers; i++)
            if (q->t[i] > last)
                last = q->t[i];
    return last;
}

uint32_t fcfs_busy(const fcfs *q, double now)
{
    uint32_t b = 0;
    if (q->t)
        for (uint32_t i = 0; i < q->servers; i++)
            b += q->t[i] > now;
    return b;
}
