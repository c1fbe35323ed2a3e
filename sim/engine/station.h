/*
 * station.h — a FIFO queue in front of c identical servers (a "G/G/c station").
 *
 * The station is passive bookkeeping: it never schedules events and knows nothing of
 * what a job is. The caller (a model, or the M/M/c test) draws service times and
 * schedules departures itself:
 *
 *     if (station_arrive(st, now, id) == STATION_STARTED)
 *         sim_after(s, service_time, DEPART, node, id);          // started at once
 *     ...
 *     // in the DEPART handler:
 *     station_job next;
 *     if (station_depart(st, &next))
 *         sim_after(s, service_time, DEPART, node, next.id);     // next one starts
 *
 * Waiting jobs are kept in a ring buffer of (job id, arrival time) that grows by
 * doubling and never shrinks, so in steady state there is no allocation per job. The
 * ring is allocated lazily at the first job that has to wait: a station whose queue
 * has always been empty costs sizeof(station) bytes (32 on LP64) and no heap memory,
 * so one station per compute node is cheap even for a million nodes, and a model can
 * keep it in one cache line with the fields its jobs touch.
 *
 * The station keeps no statistics: the caller counts what it needs from the results.
 * A job starts service when station_arrive returns STATION_STARTED (wait 0) or when
 * station_depart hands it over as `next` (wait now - next.arrived).
 *
 * Ownership: the caller owns the station struct (it can live in an array);
 * station_free releases the ring. A zeroed struct is NOT a valid station: call
 * station_init first.
 */
#ifndef CRC_STATION_H
#define CRC_STATION_H

#include <stddef.h>
#include <stdint.h>

typedef struct station_job {
    uint64_t id;     /* the caller's job id                                */
    double arrived;  /* time the job arrived at the station                */
} station_job;

typedef struct station {
    station_job *ring;   /* waiting jobs, FIFO; NULL until first needed          */
    uint32_t cap;        /* ring capacity (0 or a power of two)                  */
    uint32_t head;       /* ring index of the oldest waiting job                 */
    uint32_t len;        /* jobs waiting (not in service)                        */
    uint32_t limit;      /* max jobs waiting; 0 = unlimited                      */
    uint32_t servers;    /* c, >= 1                                              */
    uint32_t busy;       /* servers in use, <= servers                           */
} station;
_Static_assert(sizeof(void *) != 8 || sizeof(station) == 32, "a station is 32 bytes on LP64");

enum {
    STATION_QUEUED = 0,    /* the job waits in the queue                        */
    STATION_STARTED = 1,   /* a server was free: the job is in service now      */
    STATION_REJECTED = -1, /* queue at limit: the job was not admitted          */
    STATION_ENOMEM = -2    /* the ring could not grow: the job was not admitted */
};

/* Prepares an idle station with `servers` (>= 1) servers, an empty queue and no
 * limit. Allocates nothing. */
void station_init(station *st, uint32_t servers);

/* Releases the ring; the station is then an idle station with an empty queue. NULL is
 * a no-op. */
void station_free(station *st);

/* Caps the number of waiting jobs (0 = unlimited). Does not drop jobs already waiting. */
void station_set_limit(station *st, uint32_t max_waiting);

/* A job arrives at time now. If a server is free it takes the job at once
 * (STATION_STARTED, wait 0 counted); otherwise the job joins the back of the queue
 * (STATION_QUEUED), unless the queue is at its limit (STATION_REJECTED) or the ring
 * cannot grow (STATION_ENOMEM). The caller schedules the departure of a started job. */
int station_arrive(station *st, double now, uint64_t job_id);

/* A job in service departs (requires busy > 0). If a job is waiting, the
 * freed server takes the oldest one: it is written to *next (if next is not NULL) and
 * 1 is returned; the caller schedules its departure. Otherwise the server goes idle
 * and 0 is returned. */
int station_depart(station *st, station_job *next);

/* Removes the oldest waiting job without serving it (abandonment, a node going
 * offline): writes it to *out and returns 1, or returns 0 when none is waiting. */
int station_take(station *st, station_job *out);

/* Jobs waiting, jobs in service. */
static inline uint32_t station_waiting(const station *st) { return st->len; }
static inline uint32_t station_busy(const station *st) { return st->busy; }

#endif
