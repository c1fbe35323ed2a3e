/*
 * discover.h — scenario discovery on a sweep database: which region of the swept
 * parameters holds the runs of interest (PRIM, prim.h), and which settings of the
 * scheme's parameters are safe. The glue between adb.h (points, per-run verdicts and
 * values) and prim.h; `crucible discover` and the report's discovery section use it.
 *
 * Cases are runs: every finished run of a point counts, with its point's values, so a
 * point with 4 replicates weighs 4 and a point whose runs disagree is a mixed point.
 * The result says how many runs and how many distinct points each box rests on.
 *
 * Ownership: discover_compute / discover_safe fill caller-owned results;
 * discover_free / discover_safe_free release them (a zeroed result is a no-op).
 */
#ifndef CRC_DISCOVER_H
#define CRC_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "adb.h"
#include "prim.h"
#include "table.h"
#include "util/err.h"

/* Which runs are the cases of interest. */
typedef struct discover_opts {
    const char *criterion;  /* cases: runs where it fails (holds when holds = 1)   */
    int holds;
    const char *metric;     /* or: runs where `metric op value` (criterion NULL)    */
    int stat;               /* adb_stat of the metric                               */
    const char *op;         /* "<", "<=", ">", ">=", "==", "!="                      */
    double value;
    double alpha;           /* peeling fraction (0.05)                              */
    double min_mass;        /* peeling stops below this share of runs (0.05)        */
    double min_coverage;    /* the box rule: densest box with coverage >= it (0.8)  */
    long box;               /* a trajectory index to pick instead of the rule; -1   */
    size_t n_boot;          /* resamples for the bounds' stability (200)            */
    uint64_t seed;          /* bootstrap seed                                       */
} discover_opts;

/* discover_opts with the defaults above (no cases chosen yet). */
void discover_opts_default(discover_opts *o);

/* One swept parameter as the chosen box sees it. */
typedef struct discover_dim {
    char *param;
    int restricted;
    double lo, hi;              /* the box's bounds (the data's range when free)      */
    double min, max;            /* the data's range                                  */
    double p_value;             /* quasi-p-value (NaN when not restricted)            */
    double share;               /* resamples whose box restricts it too               */
    double lo_q05, lo_q95;      /* 5% and 95% quantiles of its bounds over resamples */
    double hi_q05, hi_q95;
    double narrowing;           /* (hi - lo) / (max - min): smaller = more restrictive */
} discover_dim;

typedef struct discover_result {
    char what[256];             /* the cases: "no_backdoor fails"                    */
    size_t runs, points, cases; /* runs with a verdict, their points, cases of them  */
    size_t k;
    discover_dim *dims;         /* k, in the sweep's parameter order                 */
    prim_traj traj;             /* the peeling trajectory                            */
    size_t chosen;              /* the trajectory box the box grew from              */
    size_t box_runs, box_points, box_cases; /* the chosen box after pasting          */
    double coverage, density, mass;
    size_t n_boot;              /* resamples done                                    */
    /* The data, kept for the figures: x[i * k + j] of run i, y[i], point ids. */
    double *x;
    unsigned char *y;
    long *point;
} discover_result;

/* Finds the box. CRC_EINPUT (with what to do) when d is not a sweep, has one point,
 * lacks the criterion or metric, or has no case of interest (or only such cases). */
int discover_compute(const adb *d, const discover_opts *o, discover_result *r, crc_err *err);

void discover_free(discover_result *r);

/* The box as a table: parameter, lo, hi, p_value, restricted_share, lo_q05, lo_q95,
 * hi_q05, hi_q95 — restricted parameters only, most restrictive first. */
void discover_box_table(const discover_result *r, table *t);

/* The trajectory as a table: box, runs, coverage, density, mass, restricted. */
void discover_traj_table(const discover_result *r, table *t);

/* The two figures, through gnuplot (plot.h conventions: FILE.gp and FILE.dat beside):
 * the trajectory (coverage against density, each box labelled with how many parameters
 * it restricts; the chosen box marked) and the box over its two most restrictive
 * parameters with every run as a point. caption: scenario, hash and version. */
int discover_plot_trajectory(const discover_result *r, const char *out, const char *caption,
                             crc_err *err);
int discover_plot_box(const discover_result *r, const char *out, const char *caption,
                      crc_err *err);

/* ---- safe settings ----------------------------------------------------------------- */

enum { DISCOVER_COLS = 3 }; /* conservative, moderate, aggressive                     */
extern const char *const discover_col_names[DISCOVER_COLS];
extern const double discover_col_margins[DISCOVER_COLS]; /* 0.4, 0.2, 0.05 of the width */

typedef struct discover_safe_opts {
    char **criteria;        /* the criteria that must all hold; NULL: every one       */
    size_t n_criteria;
    char **scheme;          /* the scheme's parameters; NULL: the default rule        */
    size_t n_scheme;
    double target;          /* P(all hold) >= target (0.95)                            */
    double level;           /* of the Wilson bound (0.95)                              */
    double alpha, min_mass; /* peeling, as for discover                                */
    const double *current;  /* the base scenario's value per swept parameter (NaN: ?) */
} discover_safe_opts;

void discover_safe_opts_default(discover_safe_opts *o);

/* Whether a swept parameter is the scheme's by the default rule: a defense, emission,
 * fee, staking, vesting, treasury, reward or token setting — what a designer chooses —
 * rather than an attacker's or the world's. */
int discover_is_scheme(const char *path);

typedef struct discover_safe_result {
    char criteria[512];     /* "no_backdoor, harm_under_1pct"                          */
    size_t runs, points, k;
    char **params;          /* k swept parameters                                      */
    unsigned char *scheme;  /* k flags                                                  */
    int found;              /* 0: no safe region in the swept space                    */
    double *lo, *hi;        /* k: the safe box (free parameters: the whole range)      */
    double *min, *max;      /* k: the swept range                                      */
    size_t box_runs, box_points, box_pass;
    double p, p_lo, p_hi;   /* pass rate of all criteria in the box and its interval   */
    double best_p_lo;       /* found == 0: the best Wilson bound any box reached       */
    double *current;        /* k (NaN: unknown)                                        */
    double *rec;            /* DISCOVER_COLS * k: recommended values (scheme dims)     */
    /* Fresh replicates of each column (discover_safe_fresh). */
    size_t fresh_n[DISCOVER_COLS], fresh_pass[DISCOVER_COLS];
    double fresh_p[DISCOVER_COLS], fresh_lo[DISCOVER_COLS], fresh_hi[DISCOVER_COLS];
    /* For fresh replicates: the values of every swept parameter of each point. */
    size_t n_points_x;
    double *point_x;        /* n_points_x * k                                          */
    double level;
} discover_safe_result;

/* The safe region: PRIM on the scheme's parameters with the runs where every criterion
 * held as cases, and among the trajectory's boxes the one holding the most runs whose
 * Wilson lower bound of P(all hold) is >= target. Then the recommendations: for each
 * margin m, the point nearest the current setting that keeps m of the box's width from
 * each restricted edge (integral parameters rounded inward). The other parameters
 * (attack, world) stay free: the region is safe against the spread they were swept
 * over. CRC_EINPUT as for discover_compute, and when no criterion is named or known. */
int discover_safe(const adb *d, const discover_safe_opts *o, discover_safe_result *r,
                  crc_err *err);

/* Evaluates all criteria on fresh replicates 0..n-1 of one recommendation column:
 * replicate i at x[i * k .. i * k + k) (every swept parameter, in r->params order: the
 * column's scheme values, the other parameters from a sweep point). Sets hold[i] to 1
 * when every criterion held on replicate i, else 0; returns CRC_OK, or an error (the
 * fresh evaluation stops). The replicates are independent (each has its own seed), so
 * an evaluator may run them in any order or at once. */
typedef int (*discover_eval_fn)(void *ctx, size_t column, const double *x, size_t n,
                                int *hold, crc_err *err);

/* Runs n_fresh replicates of each recommended column through eval, one call per
 * column; replicate i takes the non-scheme parameters of sweep point i · points /
 * n_fresh (evenly over the sweep). Fills fresh_* with P(all hold) and its Wilson interval
 * at r->level. */
int discover_safe_fresh(discover_safe_result *r, size_t n_fresh, discover_eval_fn eval,
                        void *ctx, crc_err *err);

/* "path=value" for scenario_set, with value as a scenario file writes it: an enum
 * parameter's level by name ("emission.schedule=halving" for index 3), a bool as true or
 * false, an integer as a whole number, anything else as the shortest text that reads
 * back as exactly x. Truncated to len. */
void discover_set_text(const char *path, double x, char *buf, size_t len);

/* A swept parameter's value as people read it in a table: an enum's level name, true or
 * false for a bool, else 4 significant digits; "" for NaN. */
void discover_value_text(const char *path, double x, char *buf, size_t len);

/* The recommendation table: parameter | current | conservative | moderate | aggressive,
 * the scheme's restricted parameters (all scheme parameters when none is), then rows
 * for P(all hold) on fresh replicates and its interval when they were run. */
void discover_safe_table(const discover_safe_result *r, table *t);

void discover_safe_free(discover_safe_result *r);

#endif
