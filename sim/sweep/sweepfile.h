/*
 * sweepfile.h — a sweep specification: the base scenario, fixed overrides, replicates,
 * seed and a design, read from a sweep file (YAML, libyaml) or built from command-line
 * flags (`--grid fees.burn=0,0.05,0.1`). The format is documented in docs/sweeps.md:
 *
 *   name: poison-vs-audit          # optional; default: the file name without .yaml
 *   base: ../baseline.yaml         # relative to the sweep file
 *   replicates: 8                  # optional; default: the base scenario's
 *   seed: 42                       # optional; default: the base scenario's
 *   set: {world.horizon: 180}      # optional fixed overrides of the base
 *   design:
 *     type: grid                   # grid | zip | random | lhs | sobol | morris
 *     samples: 64                  # random, lhs: points; sobol: base samples N
 *     trajectories: 10             # morris
 *     levels: 4                    # morris
 *     params:
 *       fees.burn: [0, 0.05, 0.1]                       # grid, zip: values
 *       world.datanets: {from: 2, to: 32, steps: 5, log: true}
 *       agents.x: {dist: uniform, min: 0, max: 1}       # random-type designs
 *       agents.y: {dist: loguniform, min: 0.001, max: 0.1}
 *       agents.z: {dist: normal, mean: 0.5, sd: 0.1}
 *
 * Errors name file:line:column, what was wrong and what is allowed; an unknown
 * parameter gets the nearest known path.
 *
 * Ownership: sweepfile_load / sweepfile_cli_* fill a zero-initialised sweep_spec;
 * sweepfile_free releases it.
 */
#ifndef CRC_SWEEPFILE_H
#define CRC_SWEEPFILE_H

#include <stdint.h>

#include "sweep/design.h"
#include "util/err.h"

typedef struct sweep_spec {
    char name[128];
    char path[512];  /* the sweep file; "" when built from the command line      */
    char base[1024]; /* the base scenario's path (resolved against the file)     */
    long replicates; /* 0: take the base scenario's                               */
    int has_seed;
    uint64_t seed;
    char **set;      /* fixed "path=value" overrides applied to the base, in order */
    size_t n_set;
    design design;
    int has_design;  /* 0: none yet; 1: from the file; 2: from the command line     */
} sweep_spec;

/* Reads a sweep file into s. CRC_EINPUT with file:line:col on bad content; CRC_EFAIL
 * when the file cannot be read. */
int sweepfile_load(sweep_spec *s, const char *path, crc_err *err);

/* Like sweepfile_load, but reads the sweep file from text[0..len) (need not be
 * NUL-terminated); path stands for the file in messages and resolves base:. */
int sweepfile_load_text(sweep_spec *s, const char *path, const char *text, size_t len,
                        crc_err *err);

/* Adds one command-line factor to s's design, replacing a design that came from a
 * file (the first call resets it). kind is the design of the flag (--grid, --zip:
 * "path=v1,v2,..." or "path=from:to:steps[:log]"; --random, --lhs, --sobol, --morris:
 * "path=min:max", "path=min:max:log" or "path=normal:mean:sd"). All flags of one
 * command line must name the same design. err names the argument. */
int sweepfile_cli_factor(sweep_spec *s, int kind, const char *arg, crc_err *err);

/* Appends a fixed "path=value" override (copied). */
int sweepfile_add_set(sweep_spec *s, const char *assignment, crc_err *err);

void sweepfile_free(sweep_spec *s);

#endif
