/*
 * scenario.h — a scenario: a fully resolved parameter set plus interventions and
 * criteria, loaded from YAML (libyaml) with `extends:` inheritance and `--set`
 * overrides. This is the edge where text becomes a crc_params; the model never sees
 * YAML.
 *
 * Precedence (lowest to highest): registry defaults < extended file(s) < this file <
 * --set overrides (scenario_set, in call order).
 *
 * Ownership: scenario_load allocates; scenario_free releases everything.
 */
#ifndef CRC_SCENARIO_H
#define CRC_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "model/core/params.h"
#include "util/err.h"

typedef enum crit_stat { CRIT_END, CRIT_MAX, CRIT_MIN, CRIT_MEAN } crit_stat;
typedef enum crit_op { CRIT_LT, CRIT_LE, CRIT_GT, CRIT_GE, CRIT_EQ, CRIT_NE } crit_op;

/* A pass/fail test on a metric: `{name, metric, at: end|max|min|mean, op, value}`. */
typedef struct crc_criterion {
    char name[64];
    char metric[96]; /* a metric or summary name                              */
    int stat;        /* crit_stat: the metric's final value, or its max/min/mean */
    int op;          /* crit_op                                               */
    double value;    /* threshold                                             */
} crc_criterion;

/* Where a scenario element was written (for errors found after loading, e.g. an
 * intervention past world.horizon once --set has changed the horizon). line 0 = none. */
typedef struct scenario_pos {
    char file[256];
    int line, col;
} scenario_pos;

typedef struct scenario {
    char name[128];          /* `name:` of the top file, else its file name without
                                directory and .yaml                               */
    char path[512];          /* as given                                       */
    char *description;       /* `description:` of the top file (not inherited); NULL
                                when none                                         */
    crc_params params;
    crc_intervention *interventions; /* sorted by t (stable)                   */
    scenario_pos *intervention_pos;  /* parallel to interventions: the `at:`    */
    size_t n_interventions;
    crc_criterion *criteria;
    scenario_pos *criterion_pos;     /* parallel to criteria: the item          */
    size_t n_criteria;
    uint64_t seed;           /* `seed:` in the file (default 1)                */
    long replicates;         /* `replicates:` in the file (default 1)          */
    scenario_pos *param_pos; /* per registry index: where the value was set (line 0:
                                the default; line -1: by --set); NULL when every
                                value is a default                                */
} scenario;

/* Scenario file format (docs/parameters.md has the long version):
 *   name: text            description: text        seed: 0..2^64-1
 *   replicates: 1..1000000                          extends: base.yaml
 *   params:         nested or dotted registry paths, e.g. {emission: {half_life: 200}}
 *                   or {emission.half_life: 200}; distributions {dist: beta, a: 8, b: 2}
 *                   or "beta(8,2)"
 *   interventions:  - {at: DAY, set: {path: value, ...}}
 *   criteria:       - {name, metric, at: end|max|min|mean, op: "<", value}
 *   tranches:       the allocation table, a list of {name, share, role, ...} or a CSV
 *                   file name (tranches.h); it replaces the base's table
 * `extends:` is resolved relative to the including file; chains are followed and
 * cycles rejected. Interventions of an extending file are appended to its base's;
 * a criterion with the same name as one in the base replaces it. */

/* Loads path (following extends:). On failure returns CRC_EINPUT (or CRC_EFAIL for an
 * unreadable file) with err naming file:line:column, the parameter, what was wrong,
 * what is allowed, and the nearest known key for an unknown one. */
int scenario_load(scenario *sc, const char *path, crc_err *err);

/* Like scenario_load, but reads the scenario from text[0..len) (need not be
 * NUL-terminated); name stands for the file in messages and `extends:` paths are
 * resolved relative to its directory. */
int scenario_load_text(scenario *sc, const char *name, const char *text, size_t len,
                       crc_err *err);

/* Loads like the two above (text == NULL reads path) but keeps going after an error
 * and stores up to max_errs of them in errs (in file order); *n_errs receives how
 * many were found in all (may exceed max_errs). Returns the first error's status.
 * On failure sc holds nothing (scenario_free is a no-op). */
int scenario_load_diag(scenario *sc, const char *path, const char *text, size_t len,
                       crc_err *errs, size_t max_errs, size_t *n_errs);

/* Like scenario_load_diag (reading path), but on failure sc keeps what did load (a
 * value that was refused keeps the value it had before it, a default or the extended
 * file's), so that scenario_validate_diag can add, in the same pass, the errors that
 * depend on final values (interventions, sums of fee shares, criteria). The caller
 * calls scenario_free(sc) whatever the status; sc must not be run after a failure. */
int scenario_load_keep(scenario *sc, const char *path, crc_err *errs, size_t max_errs,
                       size_t *n_errs);

/* Applies one "path=value" override with the same validation as the file (err names
 * the argument). */
int scenario_set(scenario *sc, const char *assignment, crc_err *err);

/* Checks what depends on the final values, so call it after the last scenario_set:
 * every intervention lies in [0, world.horizon], criterion metric names are well
 * formed, and the model's cross-parameter constraints hold (model_validate), both at
 * the start and after each day's interventions. */
int scenario_validate(const scenario *sc, crc_err *err);

/* Like scenario_validate but reports every problem (up to max_errs, count in *n_errs). */
int scenario_validate_diag(const scenario *sc, crc_err *errs, size_t max_errs,
                           size_t *n_errs);

/* The fully resolved scenario as canonical YAML text (name, description, seed,
 * replicates, every parameter in registry order, interventions, criteria), malloc'd;
 * the caller frees; NULL when out of memory. Loading it back gives the same scenario. */
char *scenario_resolved_text(const scenario *sc);

/* Hex hash (16 chars + NUL): 64-bit FNV-1a of the resolved text, so identical
 * scenarios hash alike ("0000000000000000" if the text could not be allocated). */
void scenario_hash(const scenario *sc, char out[17]);

/* Deep copy (dst must not be initialised); CRC_ENOMEM on failure. */
int scenario_copy(scenario *dst, const scenario *src);

/* What a run of sc will cost, estimated from the registry before anything is
 * allocated (scenario_estimate.c; the figures of docs/model.md §8). */
typedef struct scenario_cost {
    double agents_start;  /* agents at t = 0                                      */
    double agents_peak;   /* at most, with entry and arrivals over the horizon     */
    double bytes;         /* peak memory of one run                               */
    double events;        /* events (queries, contributions, arrivals, epochs)    */
    double agent_epochs;  /* agents × epochs: the per-epoch work                  */
    double seconds;       /* CPU time of one run at SCENARIO_EVENTS_PER_S         */
    double phys_bytes;    /* this machine's physical memory (0 when unknown)      */
} scenario_cost;

/* Events per CPU second assumed for the time estimate (docs/model.md §8 measures
 * 5-10 M; the low end, so the estimate errs long). */
#define SCENARIO_EVENTS_PER_S 5e6

/* Estimates the cost of one run of sc. */
void scenario_estimate(const scenario *sc, scenario_cost *out);

/* Refuses (CRC_EINPUT, err at the scenario, with the estimate and what to lower) a
 * scenario whose estimated memory exceeds this machine's physical memory; CRC_OK
 * otherwise. scenario_validate calls it, so run and sweep refuse before starting. */
int scenario_check_cost(const scenario *sc, crc_err *err);

/* 1 when the estimate is large enough to warn about (over an hour of CPU, or over
 * half the physical memory); the caller prints it with scenario_cost_text. */
int scenario_cost_is_large(const scenario_cost *c);

/* "about 1.2 GB of memory for 4,100,000 agents, 3.1e9 events (~10 CPU minutes)". */
void scenario_cost_text(const scenario_cost *c, char *buf, size_t len);

/* Releases what sc owns; a zeroed scenario is a no-op. */
void scenario_free(scenario *sc);

#endif
