/*
 * memsink.h — an in-memory crc_sink: keeps every metric sample and summary value of a
 * run so tests and criteria can read them back. Optionally forwards everything to
 * another sink (a tee), so the runner can store to SQLite and evaluate criteria in one
 * pass.
 *
 * Ownership: memsink_init allocates nothing until the first sample; memsink_free
 * releases everything. Names are copied (interned once per distinct name).
 */
#ifndef CRC_MEMSINK_H
#define CRC_MEMSINK_H

#include <stddef.h>

#include "model/sink.h"

typedef struct memsink_series {
    char *name;
    double *t, *v;
    size_t n, cap;
} memsink_series;

typedef struct memsink {
    memsink_series *series;
    size_t n_series, cap_series;
    char **sum_name;
    double *sum_value;
    size_t n_sum, cap_sum;
    size_t n_flows, n_interventions;
    const crc_sink *next; /* forward to this sink too (NULL: none) */
    int oom;              /* set when an allocation failed         */
} memsink;

/* Prepares m; next may be NULL. */
void memsink_init(memsink *m, const crc_sink *next);

/* Releases everything m owns. */
void memsink_free(memsink *m);

/* A crc_sink that writes into m. */
crc_sink memsink_sink(memsink *m);

/* The series of a metric, or NULL when it was never written. */
const memsink_series *memsink_get(const memsink *m, const char *name);

/* Last value of a metric; NAN when absent. */
double memsink_last(const memsink *m, const char *name);

/* A summary value; NAN when absent. */
double memsink_summary(const memsink *m, const char *name);

#endif
