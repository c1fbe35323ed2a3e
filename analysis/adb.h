/*
 * adb.h — analysis' read-only view of a results database (schema: docs/results.md).
 *
 * Analysis reads nothing else: every number a command prints or plots comes from the
 * tables documented there. The database is opened read-only, so analysing a sweep
 * that is still being written is safe (SQLite WAL readers see committed runs only).
 *
 * A run's "value" of a metric is one number per run, by default its final sample (the
 * row with the largest t in `metrics`); a name that only appears in `summary` (e.g. a
 * drawdown or a cost of attack) is read from there. Only runs with status 'done'
 * count; failed runs are counted separately and reported by the commands.
 *
 * Ownership: adb_open fills a caller-owned adb; adb_close releases it (a zeroed adb is
 * a no-op). Arrays returned through out-pointers are malloc'd; the caller frees them
 * (string lists with adb_strings_free).
 */
#ifndef CRC_ADB_H
#define CRC_ADB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sqlite3;

typedef struct adb_run {
    int64_t id;
    long point;             /* -1 for a plain run                                 */
    long replicate;
    uint64_t seed;
    char *scenario, *hash;  /* may be NULL                                        */
    char *version, *git_commit;
} adb_run;

typedef struct adb {
    struct sqlite3 *db;
    char path[512];
    adb_run *runs;          /* done runs, ordered by (point, replicate, id)        */
    size_t n_runs;
    size_t n_failed;        /* runs whose status is not 'done'                    */
} adb;

/* How one run's samples of a metric become one number. */
typedef enum adb_stat { ADB_END, ADB_MEAN, ADB_MAX, ADB_MIN } adb_stat;

/* Opens path read-only and loads the list of runs. CRC_EINPUT with a message naming
 * the file when it is missing or not a Crucible results database. */
int adb_open(adb *d, const char *path, crc_err *err);

/* What to do when a database holds no finished run: appended to every such message. */
#define ADB_NO_RUN_FIX                                                                     \
    "; see why in its runs table (status, error) and run it again, or finish a sweep "   \
    "with 'crucible sweep --resume'"

void adb_close(adb *d);

/* meta[key] as a malloc'd string, or NULL when absent. */
char *adb_meta(const adb *d, const char *key);

/* Distinct names in a table: which = "metrics", "summary" or "criteria" (sorted). */
int adb_names(const adb *d, const char *which, char ***names, size_t *n, crc_err *err);

/* Distinct metric names from `metrics` and `summary` together (sorted, no repeats). */
int adb_value_names(const adb *d, char ***names, size_t *n, crc_err *err);

void adb_strings_free(char **s, size_t n);

/* A metric's (or summary value's) label for titles and axes ("rewards to honest") and
 * unit ("TKN per epoch") from the database's meta.metric_info (exact name, then its
 * family "reward_tkn.*", then for final.X the entry of X). Returns 1 when found; 0 when
 * not, and then label is the name itself and unit "" (files written before
 * meta.metric_info existed). */
int adb_metric_info(const adb *d, const char *name, char *label, size_t llen, char *unit,
                    size_t ulen);


/* The key metrics for a governance comparison (docs/analysis.md lists them) that d
 * has, in that order; when d has none of them, every name adb_value_names gives. */
int adb_key_metrics(const adb *d, char ***names, size_t *n, crc_err *err);

/* out[i] = the value of `metric` in run d->runs[i] under stat (NaN when the run has
 * none, or stored NULL: "never"); mean, max and min are over the stored samples (weekly
 * by default: docs/results.md, "Sampling"), end is the run's last epoch either way. *from_summary (may be NULL) is set to 1 when the
 * values came from `summary`. CRC_EINPUT when no run has the metric at all, not even as
 * NULL (the message lists a few known names). */
int adb_run_values(const adb *d, const char *metric, adb_stat stat, double *out,
                   int *from_summary, crc_err *err);

/* passed[i] = 1/0 for criterion `name` in run i, -1 when the run has no verdict.
 * CRC_EINPUT when no run has the criterion. */
int adb_criterion(const adb *d, const char *name, int *passed, crc_err *err);

/* The criterion's test as text ("price_usd at end >= 1") into buf; "" when unknown. */
void adb_criterion_text(const adb *d, const char *name, char *buf, size_t len);

/* Every sample (t, value) of a metric over done runs (all runs when point == -2,
 * else only runs of that point), sorted by t. */
int adb_samples(const adb *d, const char *metric, long point, double **t, double **v,
                size_t *n, crc_err *err);

/* Token flows summed over the whole run, averaged over done runs, one row per
 * (src, dst, reason), largest first. */
typedef struct adb_flow {
    char *src, *dst, *reason;
    double amount_tkn;      /* mean over runs of the run's total                  */
} adb_flow;

int adb_flows(const adb *d, adb_flow **rows, size_t *n, crc_err *err);
void adb_flows_free(adb_flow *rows, size_t n);

/* The swept parameters: n_points points (ids ascending), n_params paths (in the order
 * the sweep wrote them), x[p * n_params + j] = value of path j at point p (NaN when
 * NULL). */
typedef struct adb_points {
    size_t n_points, n_params;
    long *ids;
    char **paths;
    double *x;
    char **text; /* [point * n_params + param]: the level as written when it is not a
                  * number (an enum or bool level's name, a distribution), else NULL */
} adb_points;

/* Loads the `points` table; CRC_EINPUT when it is empty (not a sweep). */
int adb_load_points(const adb *d, adb_points *p, crc_err *err);
void adb_points_free(adb_points *p);

/* The `scenario` and `scenario_hash` of the first done run and the crucible version
 * that wrote it, for captions ("?" when unknown). Pointers into d. */
const char *adb_scenario(const adb *d);
const char *adb_hash(const adb *d);
const char *adb_version(const adb *d);

#endif
