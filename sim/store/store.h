/*
 * store.h — the results database (SQLite). Schema and column meanings: docs/results.md
 * (STORE_SCHEMA_VERSION below is the `schema_version` in its `meta` table).
 *
 * One transaction per run: a run's rows and its status are committed together, so a
 * run that did not finish is never marked done and a killed process leaves a database
 * that passes PRAGMA integrity_check. WAL journal, synchronous=NORMAL (a commit
 * survives a killed process; after a power cut the last commits may be lost, never
 * half of one). Every statement is prepared once per handle and reused.
 *
 * Ownership: store_open allocates a store; store_close releases it (NULL is a no-op).
 * A store is used by one thread at a time; several processes may open the same file
 * (writers wait up to 10 s for each other).
 */
#ifndef CRC_STORE_H
#define CRC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/memsink.h"
#include "util/err.h"

#define STORE_SCHEMA_VERSION 1
/* PRAGMA application_id of a Crucible results database ("CRCB"). */
#define STORE_APPLICATION_ID 0x43524342

typedef struct store store;

/* One row of the `criteria` table: a criterion's verdict in one run. */
typedef struct store_criterion {
    const char *name;
    const char *metric;
    const char *stat;     /* "end" | "max" | "min" | "mean"                           */
    const char *op;       /* "<" | "<=" | ">" | ">=" | "==" | "!="                    */
    double threshold;
    double value;         /* the evaluated statistic; NAN -> NULL (not evaluable)     */
    int passed;           /* 1 passed, 0 failed (also when it could not be evaluated) */
    const char *error;    /* why it could not be evaluated; NULL when it was          */
} store_criterion;

/* What the `runs` table records about one run. Strings may be NULL (stored as NULL). */
typedef struct run_record {
    const char *scenario;      /* scenario name                                     */
    const char *scenario_yaml; /* fully resolved scenario text                      */
    const char *scenario_hash;
    uint64_t seed;             /* the base seed (--seed, or the sweep's seed); the
                                  model ran on rng_derive_seed(seed, point, replicate) */
    long replicate;
    long point;                /* sweep point index; -1 for a plain run             */
    const char *started_at;    /* ISO 8601 UTC                                      */
    const char *ended_at;
    double wall_seconds;
    const char *status;        /* "done" or "failed"                                */
    const char *error;         /* message when failed (or a criterion error)        */
    const store_criterion *criteria; /* verdicts, written to `criteria`; may be NULL */
    size_t n_criteria;
} run_record;

/* Opens the results database at path for writing, creating it (with the schema) when
 * absent or empty. Refuses with CRC_EINPUT a file that is not a Crucible results
 * database or has a newer schema; CRC_EFAIL when the file cannot be created or
 * written (the message names the file and the fix). */
int store_open(store **out, const char *path, crc_err *err); /* creates missing parent folders */

/* Opens an existing results database read-only (export, analysis). CRC_EINPUT when
 * the file is missing or not a Crucible results database. */
int store_open_readonly(store **out, const char *path, crc_err *err);

void store_close(store *s);

/* The path the store was opened with. */
const char *store_path(const store *s);

/* Writes one run in one transaction: its `runs` row, and — only when rec->status is
 * "done" — every metric sample, summary value, flow and intervention in m plus
 * rec->criteria. A failed run keeps only its `runs` row (with the error) and the
 * interventions applied before the failure, so that no query can mistake its partial
 * series for a result. m may be NULL (nothing but the row). On any error the
 * transaction is rolled back: nothing of the run is stored. *run_id (may be NULL)
 * receives the new id. */
int store_write_run(store *s, const run_record *rec, const memsink *m, int64_t *run_id,
                    crc_err *err);

/* Call when done writing (after the last run of a `crucible run` or a sweep): builds
 * the read-side indexes (metrics by run and name, flows and interventions by run) and
 * checkpoints the WAL into the main file. Optional for correctness (a database that
 * never got it is complete, only slower to query); cheap to repeat. */
int store_finish(store *s, crc_err *err);

/* Sets (insert or replace) one `meta` key. */
int store_meta_set(store *s, const char *key, const char *value, crc_err *err);

/* Copies a `meta` value into buf; returns 1 when found, 0 when absent or on error. */
int store_meta_get(store *s, const char *key, char *buf, size_t len);

/* The Crucible version that wrote the runs of s into buf ("" when s has no run), and
 * *mixed = 1 when its runs come from more than one version (seeded results may differ
 * between versions, so a sweep must not mix them). CRC_OK or an error naming the file. */
int store_runs_version(store *s, char *buf, size_t len, int *mixed, crc_err *err);

/* Records the value of one swept parameter at a sweep point (`points` table): value
 * for numbers (NAN -> NULL), text for the parameter as written (may be NULL). */
int store_write_point(store *s, long point, const char *path, double value,
                      const char *text, crc_err *err);

/* Runs sql (no result rows) — e.g. BEGIN/COMMIT around many store_write_point calls. */
int store_exec(store *s, const char *sql, crc_err *err);

/* The underlying handle, for modules (sweeps, analysis) that run their own SQL. */
struct sqlite3 *store_db(store *s);

#endif
