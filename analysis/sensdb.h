/*
 * sensdb.h — sensitivity indices of one metric from a sobol or morris sweep stored in a
 * results database: the glue between adb.h (points and per-run values) and the pure
 * estimators of sens.h. Used by `crucible sensitivity` and `crucible plot --kind
 * sensitivity`.
 *
 * Each sweep point's output is the mean over its finished replicates of the metric's
 * per-run value (final sample, or the summary value). The design kind comes from
 * meta.design ("sobol ..." / "morris ... levels=P ..."); without it the points are tried
 * as a Saltelli design.
 *
 * Ownership: sensdb_compute fills a caller-owned result; sensdb_free releases it.
 */
#ifndef CRC_SENSDB_H
#define CRC_SENSDB_H

#include <stddef.h>
#include <stdint.h>

#include "adb.h"
#include "sens.h"
#include "util/err.h"

enum { SENSDB_SOBOL = 0, SENSDB_MORRIS = 1 };

typedef struct sensdb_result {
    int kind;                /* SENSDB_SOBOL or SENSDB_MORRIS                        */
    size_t k;                /* parameters                                           */
    char **params;           /* k parameter paths                                    */
    size_t n;                /* sobol: base samples N; morris: trajectories r         */
    size_t replicates;       /* finished runs per point (smallest over points)        */
    double delta;            /* morris: step in unit coordinates                     */
    sens_sobol_idx *sobol;   /* k entries (sobol)                                    */
    sens_morris_idx *morris; /* k entries (morris)                                   */
} sensdb_result;

/* Computes the indices of `metric` (n_boot bootstrap resamples, confidence `level`,
 * bootstrap seed `seed` for Sobol). CRC_EINPUT when the database is not a sobol/morris
 * sweep, a point has no finished run, or the metric is unknown. */
int sensdb_compute(const adb *d, const char *metric, size_t n_boot, double level,
                   uint64_t seed, sensdb_result *out, crc_err *err);

void sensdb_free(sensdb_result *r);

/* Whether a Sobol result's sample is large enough for its indices to mean anything.
 * Too small when an interval is wider than the whole [0, 1] range an index lives in, or
 * an estimate lies outside [0, 1] with its whole interval (it cannot be a variance
 * share). The interval width shrinks as 1/sqrt(N), so N' = N (w / SENSDB_WIDTH)^2
 * base samples would bring the widest interval w down to SENSDB_WIDTH. */
#define SENSDB_WIDTH 0.2 /* an index known to about +-0.1 */

typedef struct sensdb_check {
    int too_small;     /* 1: the indices mean nothing yet (msg: "WARNING: ...")  */
    double width;      /* widest interval (NaN without bootstrap)              */
    size_t n_enough;   /* base samples for intervals of SENSDB_WIDTH (0: none needed
                          or unknown without bootstrap)                         */
    size_t runs_enough;/* n_enough x (k + 2) points x replicates                */
    char msg[400];     /* one sentence for the user: the warning, or a "note:" when the
                          widest interval exceeds SENSDB_WIDTH; "" when nothing to say */
} sensdb_check;

/* Fills c for r (a SENSDB_SOBOL result; for Morris c says nothing). */
void sensdb_sobol_check(const sensdb_result *r, sensdb_check *c);

#endif
