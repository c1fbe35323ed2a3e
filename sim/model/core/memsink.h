/*
 * memsink.h — an in-memory crc_sink: keeps everything a run writes (every metric
 * sample, summary value, token flow and applied intervention) so tests and criteria
 * can read it back and the store can write a whole run from it in one transaction
 * (store_write_run). Optionally forwards everything to another sink (a tee).
 *
 * Ownership: memsink_init allocates nothing until the first sample; memsink_free
 * releases everything. Names are copied: metric names once per series, flow labels
 * (src, dst, reason) interned once per distinct string, intervention text per record.
 * Pointers returned by the accessors stay valid until the next write or memsink_free.
 */
#ifndef CRC_MEMSINK_H
#define CRC_MEMSINK_H

#include <stddef.h>

#include "model/core/sink.h"

typedef struct memsink_series {
    char *name;
    double *t, *v;
    size_t n, cap;
} memsink_series;

/* One flow record; src, dst and reason index the interned label table (memsink_label). */
typedef struct memsink_flow {
    double t;
    size_t src, dst, reason;
    double amount_tkn;
} memsink_flow;

/* One applied intervention, as the model reported it. */
typedef struct memsink_intervention {
    double t;
    char *path;
    char *value;
} memsink_intervention;

typedef struct memsink {
    memsink_series *series;
    size_t n_series, cap_series;
    char **sum_name;
    double *sum_value;
    size_t n_sum, cap_sum;
    size_t n_flows, n_interventions;
    const crc_sink *next; /* forward to this sink too (NULL: none) */
    int oom;              /* set when an allocation failed         */
    /* Added for storing whole runs (read through the accessors below). */
    memsink_flow *flows;
    size_t cap_flows;
    memsink_intervention *interventions;
    size_t cap_interventions;
    char **labels;        /* interned flow labels                  */
    size_t n_labels, cap_labels;
    size_t hint;          /* series expected next (metrics arrive in a fixed order) */
} memsink;

/* Prepares m; next may be NULL. */
void memsink_init(memsink *m, const crc_sink *next);

/* Releases everything m owns and leaves it as memsink_init left it (next kept). */
void memsink_free(memsink *m);

/* A crc_sink that writes into m. */
crc_sink memsink_sink(memsink *m);

/* The series of a metric, or NULL when it was never written. */
const memsink_series *memsink_get(const memsink *m, const char *name);

/* Last value of a metric; NAN when absent. */
double memsink_last(const memsink *m, const char *name);

/* A summary value (the last one written under that name); NAN when absent. */
double memsink_summary(const memsink *m, const char *name);

/* 1 when the run wrote a summary value of that name (its value may be NaN: "never"). */
int memsink_has_summary(const memsink *m, const char *name);

/* The interned flow label with index i (i < m->n_labels). */
const char *memsink_label(const memsink *m, size_t i);

/* Total number of metric samples over all series. */
size_t memsink_samples(const memsink *m);

#endif
