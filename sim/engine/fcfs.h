/*
 * fcfs.h — a FIFO queue in front of c identical servers, for jobs whose service time is
 * known when they arrive: no departure events.
 *
 * Under first-come first-served with c servers, a job that arrives at a and needs S
 * starts at max(a, the earliest time a server is free) on that server, and leaves at
 * start + S (the Kiefer-Wolfowitz recursion). Nothing after its arrival changes that, so
 * when nothing in the model reacts to a departure, the departure needs no event: the
 * station keeps the servers' free times (a min-heap of c) and, so that it can say how
 * many jobs are at the station at any later time, the departure times of the jobs still
 * there (a min-heap, expired lazily). With c servers and the same service times in the
 * same order of arrival, every job's wait is the one an event-driven station
 * (station.h) gives it.
 *
 * Arrivals must come in time order (now never decreases from one call to the next);
 * that is how a discrete-event run calls it. A job whose departure time equals now has
 * left.
 *
 * The servers' free times are a min-heap, or, for c <= 8, an unordered array scanned
 * for its smallest (fcfs.c).
 *
 * Memory: one block of (c + cap) doubles, allocated at the first job and doubled as the
 * number of jobs present grows, never shrunk; an idle station that never had a job
 * costs sizeof(fcfs) = 32 bytes and no heap memory. The caller owns the struct (it can
 * live in an array); fcfs_free releases the block. A zeroed struct is NOT a valid
 * station: call fcfs_init first.
 */
#ifndef CRC_FCFS_H
#define CRC_FCFS_H

#include <math.h>
#include <stdint.h>

typedef struct fcfs {
    double *t;         /* NULL until the first job; [0, c) the servers' free times (a
                        * min-heap, or unordered for c <= 8); [c, c + len) departure
                        * times of the jobs present, a min-heap                       */
    double due;        /* the earliest departure of a job present (+inf when none)    */
    uint32_t servers;  /* c >= 1                                                      */
    uint32_t len;      /* jobs present as of the last call (in service or waiting)   */
    uint32_t cap;      /* room for departure times in t                               */
    uint32_t spare_;
} fcfs;
_Static_assert(sizeof(void *) != 8 || sizeof(fcfs) == 32, "an fcfs station is 32 bytes on LP64");

/* Prepares an idle station with `servers` (>= 1) servers. Allocates nothing. */
void fcfs_init(fcfs *q, uint32_t servers);

/* Releases the block; the station is then idle with no job. NULL is a no-op. */
void fcfs_free(fcfs *q);

/* Drops the jobs that have left by now (departure <= now); returns the jobs present.
 * Use fcfs_jobs, which calls it only when a job is due. */
uint32_t fcfs_expire(fcfs *q, double now);

/* Jobs at the station at time now (in service or waiting). */
static inline uint32_t fcfs_jobs(fcfs *q, double now)
{
    return now < q->due ? q->len : fcfs_expire(q, now);
}

/* A job needing `service` (>= 0) arrives at now: it takes the server that frees first,
 * when it frees (or now). Writes its wait in queue to *wait (its departure is
 * now + *wait + service) and returns 0; -1 when the block cannot grow (out of memory:
 * the job was not admitted, the station is unchanged). fcfs_arrive is the inline
 * common case (a station of up to FCFS_SCAN servers with room for the job); it hands
 * the rest to fcfs_arrive_general, which takes any station. */
int fcfs_arrive_general(fcfs *q, double now, double service, double *wait);

/* Servers up to which their free times are kept unordered and scanned for the
 * earliest; beyond, a min-heap. Either way a job starts at the smallest free time, so
 * the two give the same waits. */
#define FCFS_SCAN 8

/* The earliest-free of c <= FCFS_SCAN unordered servers, by selects: a heap's sift
 * compares free times, a branch mispredicted about half the time. */
static inline uint32_t fcfs_earliest_(const double *f, uint32_t c)
{
    uint32_t m = 0;
    double fm = f[0];
    for (uint32_t i = 1; i < c; i++) {
        uint32_t lt = -(uint32_t)(f[i] < fm);
        m ^= (m ^ i) & lt;
        fm = f[i] < fm ? f[i] : fm;
    }
    return m;
}

/* Adds departure d to the heap h of the jobs present (room for it checked). */
static inline void fcfs_depart_push_(fcfs *q, double *h, double d)
{
    uint32_t i = q->len++;
    while (i > 0 && d < h[(i - 1) / 2]) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = d;
    q->due = h[0];
}

static inline int fcfs_arrive(fcfs *q, double now, double service, double *wait)
{
    if (!(now < q->due)) { /* a job has left: one alone leaves the station empty */
        if (q->len == 1) {
            q->len = 0;
            q->due = INFINITY;
        } else {
            fcfs_expire(q, now);
        }
    }
    uint32_t c = q->servers;
    if (c > FCFS_SCAN || q->len == q->cap)
        return fcfs_arrive_general(q, now, service, wait);
    double *f = q->t;
    uint32_t m = fcfs_earliest_(f, c);
    double start = f[m] > now ? f[m] : now, d = start + service;
    f[m] = d;
    fcfs_depart_push_(q, f + c, d);
    *wait = start - now;
    return 0;
}

/* The time the last job present leaves (every server free from then on); now's value
 * when none is present. */
double fcfs_drained(const fcfs *q, double now);

/* Servers busy at time now (a server is busy when its free time is after now). */
uint32_t fcfs_busy(const fcfs *q, double now);

#endif
