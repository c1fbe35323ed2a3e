/*
 * store.h — the results database (SQLite). Schema and column meanings: docs/results.md.
 *
 * One transaction per run: a run's rows and its `done` status are committed together,
 * so a run that did not finish is never marked done and a killed process leaves a
 * database that passes PRAGMA integrity_check. WAL mode; prepared statements.
 *
 * Ownership: store_open allocates a store; store_close releases it (NULL is a no-op).
 */
#ifndef CRC_STORE_H
#define CRC_STORE_H

#include <stdint.h>

#include "model/memsink.h"
#include "util/err.h"

typedef struct store store;

/* What the `runs` table records about one run. Strings may be NULL (stored as NULL). */
typedef struct run_record {
    const char *scenario;      /* scenario name                                     */
    const char *scenario_yaml; /* fully resolved scenario text                      */
    const char *scenario_hash;
    uint64_t seed;
    long replicate;
    long point;                /* sweep point index; -1 for a plain run             */
    const char *started_at;    /* ISO 8601 UTC                                      */
    const char *ended_at;
    double wall_seconds;
    const char *status;        /* "done" or "failed"                                */
    const char *error;         /* message when failed                               */
} run_record;

/* Opens (creating when absent, with the schema) the database at path. */
int store_open(store **out, const char *path, crc_err *err);

void store_close(store *s);

/* Writes one run — its record plus everything in m (metrics, summary, and the flows
 * and interventions m recorded) — in one transaction. *run_id receives the new id. */
int store_write_run(store *s, const run_record *rec, const memsink *m, int64_t *run_id,
                    crc_err *err);

/* The underlying handle, for modules (sweeps, analysis) that run their own SQL. */
struct sqlite3 *store_db(store *s);

#endif
