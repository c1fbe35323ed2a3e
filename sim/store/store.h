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
 * One writer per file: store_open takes an exclusive advisory lock (flock) on the
 * database file and holds it until store_close, so a second process that opens the same
 * file for writing is refused at once, naming the process that writes it. The lock is
 * inherited by forked children (a sweep's workers) and released when the last of them
 * exits. Readers (store_open_readonly) take no lock and may read while a writer writes.
 * Runs are unique by (point, replicate): the index runs_point_replicate enforces it.
 *
 * Ownership: store_open allocates a store; store_close releases it (NULL is a no-op).
 * A store is used by one thread at a time.
 */
#ifndef CRC_STORE_H
#define CRC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/memsink.h"
#include "util/err.h"

#define STORE_SCHEMA_VERSION 2
/* PRAGMA application_id of a Crucible results database ("CRCB"). */
#define STORE_APPLICATION_ID 0x43524342

typedef struct store store;
struct sqlite3;

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

/* What of a run's metric series and token flows the store keeps (docs/results.md,
 * "Sampling"). Each series keeps the sample whose interval (t_prev, t] holds a multiple
 * of sample_every days, and its last sample; flows are summed over the same windows and
 * stamped with the window's end, so totals over a run are unchanged. sample_every <= 0
 * keeps every sample. A metric whose name matches one of exclude[] is not stored: an
 * entry is a name, or a prefix ending in '.' ("reward_tkn." drops reward_tkn.honest, ...).
 * flows = 0 stores no flows. store_write_run with no output (NULL) keeps everything. */
#define STORE_MAX_EXCLUDE 16
typedef struct store_output {
    double sample_every;
    const char *exclude[STORE_MAX_EXCLUDE]; /* borrowed strings */
    size_t n_exclude;
    int flows;
} store_output;

struct crc_params;
/* The output choices of a scenario's parameters (output.* in sim/model/params_world.def). */
void store_output_from_params(const struct crc_params *p, store_output *o);

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
    const store_output *output; /* what of the series to keep; NULL: everything       */
} run_record;

/* Opens the results database at path for writing, creating it (with the schema) when
 * absent or empty, and takes the writer's lock (see above). Refuses with CRC_EINPUT a
 * path that exists and is not a regular file (a symbolic link, a directory, a device,
 * a FIFO), a file that is not a Crucible results database, a newer schema, a damaged
 * database (PRAGMA quick_check) and one that holds a (point, replicate) twice (older
 * versions allowed it; the message says how to keep one of each); CRC_EFAIL when
 * another process holds the lock, or the file cannot be created or written (the
 * message names the file and the fix). Refuses a file of schema 1 (crucible < 0.6),
 * which it only reads. A file store_open created is removed again when it fails.
 * Creates missing parent folders. */
int store_open(store **out, const char *path, crc_err *err);

/* The `schema_version` of s's file (1 for a file written by crucible < 0.6). */
int store_schema_version(store *s);

/* Opens an existing results database read-only (export, analysis). CRC_EINPUT when
 * the file is missing, not a regular file or not a Crucible results database. */
int store_open_readonly(store **out, const char *path, crc_err *err);

/* Opens the SQLite file at path for reading only (*db is set, as by sqlite3_open_v2,
 * even on failure; sqlite3_close it) and returns the SQLite status. Nothing is ever
 * written through it (PRAGMA query_only), yet it is opened read-write when the file
 * allows, so that the last connection to close tidies the -wal and -shm files SQLite
 * makes beside a WAL database on any open (a read-only connection leaves them behind);
 * a file only readable is opened read-only. Never creates path. */
int store_open_reader(const char *path, struct sqlite3 **db);

/* Opens a finished database read-only to use it as a whole (merge inputs): like
 * store_open_readonly, and refuses (CRC_EFAIL) one that a writer holds, keeping a
 * shared lock until store_close so that none starts; refuses (CRC_EINPUT) one that
 * PRAGMA quick_check finds damaged or that store_check_complete refuses. */
int store_open_input(store **out, const char *path, crc_err *err);

/* Checks that s holds every table and column of this version's schema, a known
 * application_id, no (point, replicate) twice, and rows in `metrics` and `summary` for
 * every done run. CRC_EINPUT naming the file and the first thing missing. */
int store_check_complete(store *s, crc_err *err);

void store_close(store *s);

/* Closes s and removes its file and the file's -wal, -shm and -journal companions, all
 * under its writer's lock: for a database that must not be left looking like a result
 * (nothing was stored in it, or a temporary file). */
void store_discard(store *s);

/* Closes s but keeps its writer's lock, returned as a descriptor (or -1) for
 * store_unlock: merge replaces the file by a rename while no other writer can start on
 * the file being replaced. */
int store_close_keep_lock(store *s);

void store_unlock(int lock);

/* Removes a leftover file at path (with its companions) that no process is writing: a
 * temporary output left by a killed or failed command. CRC_OK when path is absent or
 * was removed; CRC_EFAIL naming the process when a writer holds it. */
int store_remove_stale(const char *path, crc_err *err);

/* Removes the runs that are not done and their rows in every table with a `run` column,
 * in one transaction (resume runs them again). */
int store_drop_unfinished(store *s, crc_err *err);

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
 * the read-side index (interventions by run; samples and flows need none, their keys
 * start with the run) and checkpoints the WAL into the main file. Optional for correctness (a database that
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

/* Refuses (CRC_EINPUT) to add runs to s when its runs were written by another crucible
 * version, or by several: seeded results may differ between versions, so resuming would
 * mix two models' draws in one result. `what` names what would be resumed in the message
 * ("sweep 'burn'", "this run"). */
int store_check_resume_version(store *s, const char *what, crc_err *err);

/* Records the value of one swept parameter at a sweep point (`points` table): value
 * for numbers (NAN -> NULL), text for the parameter as written (may be NULL). */
int store_write_point(store *s, long point, const char *path, double value,
                      const char *text, crc_err *err);

/* Fills err for an SQLite status rc met while `doing` on the database file path: a full
 * disk says "the disk holding FILE is full: free space and run the same command again";
 * a damaged file says so. Returns the CRC_* code. db may be NULL. */
int store_fail(crc_err *err, const char *path, struct sqlite3 *db, int rc, const char *doing);

/* Runs sql (no result rows) — e.g. BEGIN/COMMIT around many store_write_point calls. */
int store_exec(store *s, const char *sql, crc_err *err);

/* The underlying handle, for modules (sweeps, analysis) that run their own SQL. */
struct sqlite3 *store_db(store *s);

#endif
