/*
 * batch.h — running a list of runs (scenario, point, replicate) in forked worker
 * processes and storing each in a results database from this process: the sweep
 * machinery (sweep/wire.h messages, one writer) for callers that choose their runs as
 * they go, such as the attack search (sim/attack/), which asks for one batch of
 * candidates at a time.
 *
 * Every run of a call uses seed rng_derive_seed(seed, seed_point, replicate) whatever
 * its stored point (runner_run with point = seed_point), so that runs of different
 * candidates with the same replicate index share their random numbers (common random
 * numbers). A run's rows are committed in one transaction (store_write_run) with
 * runs.point = its point and runs.seed = seed. Before a run is sent, the worker calls
 * the caller's measure hook, which may add summary values to the run's memsink (they are
 * stored with the run, in the same transaction); after storing, this process calls the
 * done hook with the stored memsink. Results do not depend on the number of workers.
 *
 * Ownership: the tasks and their scenarios are borrowed (the workers inherit them).
 */
#ifndef CRC_BATCH_H
#define CRC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/memsink.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "util/err.h"

typedef struct batch_task {
    const scenario *sc; /* validated scenario of the run                   */
    long point;         /* runs.point                                      */
    long replicate;     /* runs.replicate; with seed_point, the run's seed */
} batch_task;

typedef struct batch_hooks {
    /* In the worker, after the run (info->status says whether it finished): add summary
     * values to m through memsink_sink(m). May be NULL. */
    void (*measure)(void *ctx, const batch_task *t, const runner_info *info, memsink *m);
    /* In this process, after task i was stored (status CRC_OK: done; else failed, and m
     * holds nothing). Non-zero stops the batch with that status. May be NULL. */
    int (*done)(void *ctx, size_t i, int status, const memsink *m, crc_err *err);
    void *ctx;
} batch_hooks;

/* Runs tasks[0..n) in min(jobs, n) forked workers (jobs >= 1) into st. A failing run is
 * stored as failed and reported to done with its status; the return value is an error
 * of the machinery (pipes, fork, the database). st may be NULL: nothing is stored, and
 * done still sees each run's memsink (discover's fresh re-runs). */
int batch_exec(store *st, uint64_t seed, long seed_point, const batch_task *tasks, size_t n,
               int jobs, const batch_hooks *h, crc_err *err);

#endif
