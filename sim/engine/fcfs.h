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
 * the job was not admitted, the station is unchanged). */
int fcfs_arrive(fcfs *q, double now, double service, double *wait);

/* The time the last job present leaves (every server free from then on); now's value
 * when none is present. */
double fcfs_drained(const fcfs *q, double now);

/* Servers busy at time now (a server is busy when its free time is after now). */
uint32_t fcfs_busy(const fcfs *q, double now);

#endif
