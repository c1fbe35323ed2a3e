/*
 * sens.h — global sensitivity analysis: Sobol indices from a Saltelli design and
 * Morris elementary effects from one-at-a-time trajectories.
 *
 * The estimators are pure functions on arrays of model outputs, so they are tested on
 * the Ishigami function without a database (tests/test_sensitivity.c). The layout
 * helpers recover which sweep point is which row of A, B and AB_i (or which step of
 * which trajectory) from the swept parameter values themselves, so a layout mismatch
 * between the sweep and the analysis is an error, never a silently wrong index.
 *
 * Notation (Saltelli et al. 2010, "Variance based sensitivity analysis of model
 * output", Comput. Phys. Commun. 181): A and B are N x k matrices of independent
 * samples; AB_i is A with its column i taken from B. f_A, f_B, f_ABi are the outputs.
 *   V    = Var(f_A ∪ f_B)                                  (2N values)
 *   S_i  = (1/N) Σ_j (f_B,j − f̄) (f_ABi,j − f_A,j) / V      (Saltelli 2010, first order)
 *   ST_i = (1/2N) Σ_j (f_A,j − f_ABi,j)² / V                (Jansen 1999, total order)
 * f̄ is the mean of f_A ∪ f_B: subtracting it leaves the estimator's expectation unchanged
 * (E[f_ABi − f_A] = 0) but removes the variance a large output mean would add (a
 * treasury of 5e5 TKN varying by 1e3 is otherwise hopeless at small N).
 * Confidence intervals: percentile bootstrap over base samples j (the same resample
 * for every index), on a PCG stream (seed, 0, SENS_PURPOSE).
 */
#ifndef CRC_SENS_H
#define CRC_SENS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define SENS_PURPOSE 0x53454e53ULL /* "SENS": the bootstrap's stream purpose */

typedef struct sens_sobol_idx {
    double s1, s1_lo, s1_hi;  /* first-order index and its bootstrap interval */
    double st, st_lo, st_hi;  /* total-order index and its bootstrap interval */
} sens_sobol_idx;

/* Sobol indices of k inputs from N base samples: fa[N], fb[N], fab[i * N + j] (the
 * output of AB_i's row j). n_boot bootstrap resamples (0: no intervals, fields NaN) at
 * confidence `level`, seeded by `seed`. out[k]. CRC_EINPUT when N < 2 or the outputs
 * have zero variance; CRC_ENOMEM. Deterministic for a given seed. */
int sens_sobol(size_t n, size_t k, const double *fa, const double *fb, const double *fab,
               size_t n_boot, double level, uint64_t seed, sens_sobol_idx *out,
               crc_err *err);

/* Finds the Saltelli layout of a sobol sweep's points x[p * k + c] (n_points x k):
 * first the interleaved layout of docs/sweeps.md (base sample j holds k+2 consecutive
 * points A_j, AB_1,j .. AB_k,j, B_j), then the block layout (A, B, AB_1 .. AB_k, each N
 * points). On success *n = N and rows[0..N) = A's point indices, rows[N..2N) = B's,
 * rows[(2+i)N + j] = AB_i,j's (malloc'd; caller frees). CRC_EINPUT when neither layout
 * fits (the message says which point breaks it). */
int sens_saltelli_layout(const double *x, size_t n_points, size_t k, size_t *n, size_t **rows,
                         crc_err *err);

typedef struct sens_morris_idx {
    size_t r;        /* elementary effects seen                     */
    double mu;       /* mean elementary effect                      */
    double mu_star;  /* mean absolute elementary effect (Campolongo) */
    double sigma;    /* standard deviation of the effects           */
} sens_morris_idx;

/* Morris statistics from m elementary effects ee[s] of factors factor[s] (< k). */
void sens_morris(size_t k, size_t m, const size_t *factor, const double *ee,
                 sens_morris_idx *out);

/* Elementary effects of Morris trajectories: points t(k+1) .. t(k+1)+k form trajectory
 * t (x as in sens_saltelli_layout, y[p] the output at point p); each step changes
 * exactly one factor, by ±delta in unit coordinates (the sign is the sign of the change
 * in value). factor and ee receive n_points/(k+1)·k entries (caller-allocated).
 * CRC_EINPUT when a step changes no factor or several. */
int sens_morris_effects(const double *x, const double *y, size_t n_points, size_t k,
                        double delta, size_t *factor, double *ee, crc_err *err);

#endif
