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
#include "model/params.h"
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

typedef struct scenario {
    char name[128];          /* file name without directory and .yaml          */
    char path[512];          /* as given                                       */
    crc_params params;
    crc_intervention *interventions; /* sorted by t (stable)                   */
    size_t n_interventions;
    crc_criterion *criteria;
    size_t n_criteria;
    uint64_t seed;           /* `seed:` in the file (default 1)                */
    long replicates;         /* `replicates:` in the file (default 1)          */
} scenario;

/* Loads path (following extends:). On failure returns CRC_EINPUT (or CRC_EFAIL for an
 * unreadable file) with err naming file:line:column, the parameter, what was wrong,
 * what is allowed, and the nearest known key for an unknown one. */
int scenario_load(scenario *sc, const char *path, crc_err *err);

/* Applies one "path=value" override with the same validation as the file (err names
 * the argument). */
int scenario_set(scenario *sc, const char *assignment, crc_err *err);

/* Checks cross-parameter constraints (model_validate) and the criteria's metrics. */
int scenario_validate(const scenario *sc, crc_err *err);

/* The fully resolved scenario as canonical YAML text (every parameter, interventions,
 * criteria), malloc'd; the caller frees. Loading it back gives the same scenario. */
char *scenario_resolved_text(const scenario *sc);

/* Hex hash (16 chars + NUL) of the resolved text: identical scenarios hash alike. */
void scenario_hash(const scenario *sc, char out[17]);

/* Deep copy (dst must not be initialised); CRC_ENOMEM on failure. */
int scenario_copy(scenario *dst, const scenario *src);

/* Releases what sc owns; a zeroed scenario is a no-op. */
void scenario_free(scenario *sc);

#endif
