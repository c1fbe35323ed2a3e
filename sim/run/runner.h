/*
 * runner.h — runs one replicate of a scenario and stores it: the code shared by
 * `crucible run` and `crucible sweep`.
 *
 * Compute and storage are separate calls so that sweeps can compute in worker
 * processes and write from a single writer:
 *
 *     memsink m; memsink_init(&m, NULL);
 *     runner_info info;
 *     runner_run(sc, seed, rep, point, &opts, &m, &info, &err);  // model + criteria
 *     runner_store(st, sc, &info, &m, &id, &err);               // one transaction
 *     runner_info_free(&info); memsink_free(&m);
 *
 * Seeds: seed is the base seed (the `--seed` of a run, the sweep seed of a sweep).
 * The model runs on run_seed = rng_derive_seed(seed, max(point, 0), replicate) and the
 * replicate index, so a replicate is reproduced from (seed, point, replicate) alone,
 * whatever order, worker or shard it ran in. `runs.seed` stores the base seed.
 */
#ifndef CRC_RUNNER_H
#define CRC_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/memsink.h"
#include "run/criteria.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "util/err.h"

typedef struct runner_opts {
    int check;  /* model_input.check: verify the ledger invariant every epoch */
    /* Passed to the model (once per epoch); may be NULL. progress_model_cb fits. */
    void (*progress)(void *ctx, double t, double horizon);
    void *progress_ctx;
} runner_opts;

/* What one run did, kept in memory until it is stored. */
typedef struct runner_info {
    char scenario[128];
    uint64_t seed;          /* base seed                                             */
    uint64_t run_seed;      /* the seed the model ran on                             */
    long replicate;
    long point;             /* -1 for a plain run                                    */
    char started_at[32];    /* ISO 8601 UTC                                          */
    char ended_at[32];
    double wall_seconds;    /* of model_run alone                                    */
    int status;             /* CRC_OK: done (ran to the horizon); else failed        */
    char error[1600];       /* why it failed; or the first criterion error           */
    crit_result *criteria;  /* one per scenario criterion, in scenario order         */
    size_t n_criteria;
    size_t n_failed;        /* criteria that did not pass (including n_errors)       */
    size_t n_errors;        /* criteria that could not be evaluated                  */
} runner_info;

/* Runs replicate `replicate` of sweep point `point` (-1: a plain run) of sc with base
 * seed `seed` into out, then evaluates sc's criteria on it. out must have been
 * initialised (memsink_init); runner_run empties it first, so one memsink can serve
 * many runs. info is overwritten (release it with runner_info_free).
 * Returns CRC_OK when the model ran to the horizon, whatever the criteria said
 * (info->n_failed, info->n_errors); otherwise the model's status with err filled and
 * info->status/error set: the run is still meant to be stored, as failed. */
int runner_run(const scenario *sc, uint64_t seed, long replicate, long point,
               const runner_opts *o, memsink *out, runner_info *info, crc_err *err);

/* Writes a finished run (done or failed) in one transaction: the record (with sc's
 * resolved text and hash, versions, times), its metrics, summary, flows,
 * interventions and criteria verdicts (see store_write_run). *run_id may be NULL. */
int runner_store(store *st, const scenario *sc, const runner_info *info, const memsink *m,
                 int64_t *run_id, crc_err *err);

/* Claims st for replicates 0..replicates-1 of sc on base seed `seed` (a `crucible run`;
 * scenario_path is the file as given). A database holds one scenario: refuses with
 * CRC_EINPUT, saying what to do, one that holds a sweep or another command's results,
 * runs of another scenario (another scenario_hash: the name, a parameter, an
 * intervention or a criterion differs) or of another seed, and, unless resume, one that
 * already holds some of these replicates; on resume, one whose runs another crucible
 * version wrote (seeded results may differ between versions). On resume it removes the
 * runs that are not done and sets done[r] (replicates bytes, zeroed by the caller) for
 * each replicate r already done, counted in *n_done. Then records the run in meta
 * (command, scenario, scenario_hash, seed, replicates) and clears replicates_stored. */
int runner_store_claim(store *st, const scenario *sc, const char *scenario_path, uint64_t seed,
                       long replicates, int resume, unsigned char *done, size_t *n_done,
                       crc_err *err);

/* The `criteria` rows of info's verdicts (pointing into info), calloc'd for the caller to
 * free; NULL when info has none or when out of memory (tell them apart by
 * info->n_criteria). */
store_criterion *runner_criteria_rows(const runner_info *info);

/* Releases what info owns (its criteria); a zeroed info is a no-op. */
void runner_info_free(runner_info *info);

#endif
