/*
 * design.h — experimental designs over registry parameters: which points a sweep runs.
 *
 * A design is a list of factors (registry parameters) and a kind; design_generate turns
 * it into n_points points, each a value for every factor. The layouts (the order of the
 * points, which is what `crucible sensitivity` relies on) are documented in
 * docs/sweeps.md:
 *
 *   grid    Cartesian product of each factor's values; the LAST factor varies fastest.
 *   zip     the value lists taken together (all of the same length).
 *   random  `samples` independent draws per factor (uniform, log-uniform or normal).
 *   lhs     Latin hypercube: each factor's [0,1) is cut into `samples` strata and every
 *           stratum holds exactly one point; strata are paired by random permutations.
 *   sobol   Saltelli cross-sampling on GSL's Sobol sequence of dimension 2k (first k
 *           coordinates: matrix A, last k: matrix B; the origin is skipped). Base sample j
 *           gives k+2 consecutive points: j(k+2)+0 = A_j, j(k+2)+i = AB_i,j (A_j with
 *           column i taken from B_j, i = 1..k), j(k+2)+k+1 = B_j.
 *   morris  `trajectories` one-at-a-time trajectories of k+1 points on a p-level grid of
 *           [0,1]^k with step delta = p / (2(p-1)); trajectory r holds points r(k+1) ..
 *           r(k+1)+k, and step s changes factor order[r*k + s-1] by +-delta.
 *
 * Random, LHS and Morris draw from the PCG stream (design_seed, 0, DESIGN_PURPOSE), so
 * a design is a pure function of its spec and seed.
 *
 * Unit-cube coordinates u in [0,1) are mapped to values by each factor's range:
 * uniform min + u(max-min); log-uniform exp(log min + u(log max - log min)); normal
 * mean + sd * Phi^-1(u). Values are then rounded to 15 significant digits (so that their
 * text is short and exact), clamped to the parameter's registry range, and rounded to
 * whole numbers for integer parameters.
 *
 * Ownership: the caller zero-initialises a design and fills kind, factors and sizes
 * (design_add_* allocate); design_generate allocates the point arrays; design_free
 * releases everything.
 */
#ifndef CRC_DESIGN_H
#define CRC_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/params.h"
#include "util/err.h"

typedef enum design_kind {
    DESIGN_GRID, DESIGN_ZIP, DESIGN_RANDOM, DESIGN_LHS, DESIGN_SOBOL, DESIGN_MORRIS,
    DESIGN_KIND_COUNT
} design_kind;

typedef enum range_kind { RANGE_UNIFORM, RANGE_LOGUNIFORM, RANGE_NORMAL } range_kind;

/* Stream purpose of the design's own draws (disjoint from the model's purposes). */
#define DESIGN_PURPOSE 0x5357454550ULL /* "SWEEP" */

/* The largest number of factors a Sobol design takes: GSL's Sobol sequence has at most
 * 40 dimensions and Saltelli sampling needs 2k of them. */
#define DESIGN_SOBOL_MAX_K 20

/* Refuse designs larger than this (a typo in `steps` should not fill the disk). */
#define DESIGN_MAX_POINTS 10000000u

typedef struct design_factor {
    const param_def *param;
    /* grid/zip: the values, as canonical text (what scenario_set receives) and as a
     * number (bool 0/1, enum choice index; NAN for distributions). */
    char **text;
    double *num;
    size_t n_values;
    /* random/lhs/sobol/morris: the range. */
    int range;   /* range_kind                                      */
    double a, b; /* uniform/log-uniform: min, max; normal: mean, sd */
} design_factor;

typedef struct design {
    int kind; /* design_kind */
    design_factor *factors;
    size_t k;
    size_t samples;      /* random, lhs: points; sobol: base samples N   */
    size_t trajectories; /* morris: r                                    */
    size_t levels;       /* morris: p (even, >= 2)                       */

    /* Filled by design_generate. */
    size_t n_points;
    double *unit;   /* n_points x k unit coordinates (random-type kinds), else NULL */
    double *value;  /* n_points x k numeric values (NAN for distributions)           */
    size_t *index;  /* grid/zip: n_points x k indices into factor values, else NULL  */
    size_t *order;  /* morris: trajectories x k, the factor changed at each step     */
    double delta;   /* morris step in unit coordinates                               */
} design;

/* Name of a kind ("grid"), NULL when out of range; kind for a name, -1 when unknown. */
const char *design_kind_name(int kind);
int design_kind_from_name(const char *name);

/* Name of a range kind ("loguniform"); kind for a name, -1 when unknown. */
const char *design_range_name(int range);
int design_range_from_name(const char *name);

/* Appends a factor for param (NULL on out of memory). The pointer is valid until the
 * next design_add_factor (the array may move). Duplicate parameters are refused with
 * CRC_EINPUT by design_check. */
design_factor *design_add_factor(design *d, const param_def *param);

/* Appends one value to a list factor, parsing and range-checking text with
 * params_parse (err has no position; the caller adds it). */
int design_add_value(design_factor *f, const char *text, crc_err *err);

/* Appends `steps` values from..to (linear, or geometric when log) to a list factor:
 * numeric and integer parameters only; integer values are rounded. */
int design_add_range_values(design_factor *f, double from, double to, long steps, int logscale,
                            crc_err *err);

/* Checks, before they are generated, that `more` values added to list factor f (one
 * of d's) keep a grid (the product of the list lengths) or zip within
 * DESIGN_MAX_POINTS; CRC_EINPUT naming the size otherwise. */
int design_check_room(const design *d, const design_factor *f, size_t more, crc_err *err);

/* Checks the whole design: factor kinds allowed by the design, range arguments within
 * the parameter's range, list lengths (zip), sizes (samples, trajectories, levels),
 * duplicates, the Sobol dimension limit and the total number of points. */
int design_check(const design *d, crc_err *err);

/* Checks factor j alone (what design_check checks of each factor), so that a parser can
 * report the position of the factor at fault. */
int design_check_factor(const design *d, size_t j, crc_err *err);

/* Generates the points (design_check first). CRC_ENOMEM on allocation failure. */
int design_generate(design *d, uint64_t seed, crc_err *err);

/* Factor j's value at point i as the text scenario_set receives ("0.05", "halving",
 * "beta(8,2)"); numbers in the fewest digits that read back exactly. */
void design_text(const design *d, size_t i, size_t j, char *buf, size_t len);

/* Factor j's numeric value at point i (NAN for a distribution). */
double design_value(const design *d, size_t i, size_t j);

/* A one-line canonical description of the design (kind, sizes, factors and their ranges
 * or values), used in the sweep hash and the DB meta table. malloc'd; caller frees. */
char *design_describe(const design *d);

/* Releases what d owns and zeroes it. */
void design_free(design *d);

#endif
