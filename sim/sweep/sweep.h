/*
 * sweep.h — running a sweep: every (point, replicate) of a design over a base scenario,
 * computed by forked worker processes and written by one writer (this process) to one
 * results database. docs/sweeps.md is the user's guide.
 *
 * The unit of work is a run: run index i = point * replicates + replicate. Its seed is
 * rng_derive_seed(sweep seed, point, replicate) whatever worker, order, shard or resume
 * computes it, so a sweep's results do not depend on how it was executed. A shard K/N
 * takes the runs with i mod N == K-1. A run's rows are committed in one transaction
 * when it ends (store_write_run), so after a kill -9 the database holds exactly the
 * runs that finished, and --resume runs the others.
 *
 * Workers compute a run into a memsink, encode what the model wrote (sweep/wire.h) and
 * send it over a pipe; the writer replays it into a memsink and stores it. A run that
 * fails (a point the model rejects, a broken invariant, a worker that crashed) is
 * stored with status 'failed' and its error, and the sweep goes on.
 *
 * Ownership: sweep_plan_init fills a plan that borrows spec (which must outlive it) and
 * owns the base scenario and the generated design; sweep_plan_free releases it.
 */
#ifndef CRC_SWEEP_H
#define CRC_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "sweep/sweepfile.h"
#include "util/err.h"

typedef struct sweep_plan {
    sweep_spec *spec;  /* borrowed; spec->design holds the generated points        */
    scenario base;     /* the base scenario after the sweep's set: overrides       */
    uint64_t seed;     /* the sweep seed                                            */
    long replicates;
    size_t n_points, n_runs;
    char hash[17];     /* identifies the sweep: equal hashes run identical runs     */
    char *canonical;   /* the canonical sweep text hashed (meta sweep_yaml)         */
    char *design_text; /* design_describe                                           */
} sweep_plan;

/* Loads the base scenario, applies the set: overrides, takes seed and replicates from
 * the spec (else from the base scenario), generates the design and computes the hash.
 * CRC_EINPUT with a positioned message when the base or an override is bad. */
int sweep_plan_init(sweep_plan *p, sweep_spec *spec, crc_err *err);

void sweep_plan_free(sweep_plan *p);

/* The scenario of one point: a copy of the base with the point's values set, validated.
 * out must not be initialised; the caller frees it with scenario_free (also on error). */
int sweep_point_scenario(const sweep_plan *p, size_t point, scenario *out, crc_err *err);

/* The seed of run index i. */
uint64_t sweep_run_seed(const sweep_plan *p, size_t run);

/* Parses "K/N" (1 <= K <= N). */
int sweep_parse_shard(const char *text, long *k, long *n, crc_err *err);

/* Whether run index i belongs to shard K/N. */
int sweep_in_shard(size_t run, long k, long n);

/* Writes the runs of shard K/N without running them: a header line, then one
 * tab-separated line per run: run, point, replicate, seed, then each swept value. */
void sweep_dry_run(const sweep_plan *p, long k, long n, FILE *out);

typedef struct sweep_opts {
    const char *out;   /* the results database                                     */
    int jobs;          /* worker processes (>= 1)                                  */
    int resume;        /* finish a sweep already in out                             */
    long shard_k, shard_n; /* 1/1 for the whole sweep                              */
    int progress;      /* on stderr: 0 none, 1 a live line (a terminal), 2 a line per
                        * tenth of the runs (a file or pipe)                        */
} sweep_opts;

typedef struct sweep_stats {
    size_t runs;          /* runs of the sweep (in this shard)                    */
    size_t skipped;       /* already done in the database (resume)                */
    size_t done, failed;  /* computed now                                         */
    double wall_seconds;  /* the whole execution                                  */
    double store_seconds; /* the writer's time decoding and storing results       */
    double compute_seconds; /* the sum of the runs' wall times in the workers     */
    double store_cpu_seconds;   /* CPU time of the writer decoding and storing    */
    double workers_cpu_seconds; /* CPU time of the workers (user + system)        */
} sweep_stats;

/* Runs the sweep into o->out, holding its writer's lock (store_open) for the whole
 * execution; the workers never open the database. CRC_EINPUT when out holds another sweep
 * (different hash or shard), holds a sweep and resume is off, holds a `crucible run`'s
 * results, is damaged or is not a regular file; CRC_EFAIL when another process is writing
 * it or it cannot be written. A failing run is not an error of sweep_exec (it is counted
 * in st->failed); st is filled also on error (runs stored before it). */
int sweep_exec(const sweep_plan *p, const sweep_opts *o, sweep_stats *st, crc_err *err);

#endif
