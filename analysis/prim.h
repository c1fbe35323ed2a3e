/*
 * prim.h — the Patient Rule Induction Method (Friedman & Fisher 1999) on plain arrays:
 * find a box (one interval per dimension) in which the cases of interest are dense.
 * docs/analysis.md ("discover") explains it for economists.
 *
 * Data: n cases (rows), k dimensions, x[i * k + j], y[i] = 1 for a case of interest.
 * A box holds case i when lo[j] <= x[i*k+j] <= hi[j] for every j; the whole space is
 * the box [min_j, max_j] of the data. For a box B:
 *   coverage = cases of interest in B / cases of interest in all,
 *   density  = cases of interest in B / cases in B,
 *   mass     = cases in B / n.
 *
 * Peeling: from the whole space, each step removes a slice of about alpha of the box's
 * cases from the low or the high end of one dimension (all cases tied at the cut go
 * together, so on a grid a step removes a whole level), choosing the slice whose removal
 * leaves the highest density (ties: the larger box, then the lower dimension, low end
 * first). It stops when the next box would hold under min_mass · n cases or nothing can
 * be peeled. The trajectory keeps every box that is at least as dense as all before it
 * (a box both smaller and less dense than an earlier one is never the one to pick), so
 * its density never decreases and its coverage never increases.
 *
 * Pasting grows a box back: each round adds the slice of about alpha of the box's cases
 * just outside one bound that raises the density most, until no slice raises it.
 *
 * Functions are pure (no state, no I/O); prim_peel allocates the trajectory, which the
 * caller releases with prim_traj_free.
 */
#ifndef CRC_PRIM_H
#define CRC_PRIM_H

#include <stddef.h>

typedef struct prim_data {
    size_t n, k;
    const double *x;        /* n * k, row-major; every value finite               */
    const unsigned char *y; /* n: 1 = case of interest                            */
} prim_data;

typedef struct prim_traj {
    size_t k, n_boxes;
    double *lo, *hi;        /* n_boxes * k bounds; box 0 is the whole space       */
    size_t *n_in, *n_hit;   /* n_boxes: cases, cases of interest in the box       */
} prim_traj;

/* Peels d with fraction alpha (0 < alpha < 0.5) down to min_mass (0 <= min_mass < 1)
 * into t. Returns 0, or -1 when out of memory (t is then empty). n must be >= 1. */
int prim_peel(const prim_data *d, double alpha, double min_mass, prim_traj *t);

void prim_traj_free(prim_traj *t);

/* The default box-choice rule: the densest box of the trajectory whose coverage is at
 * least min_coverage (ties: the larger). Box 0 (coverage 1) always qualifies. */
size_t prim_choose(const prim_traj *t, double min_coverage);

/* Pastes the box lo/hi (k each, changed in place) with fraction alpha. Returns 0, or -1
 * when out of memory (the box is then unchanged). */
int prim_paste(const prim_data *d, double alpha, double *lo, double *hi);

/* Cases and cases of interest in the box; skip (a dimension index, or k for none) is
 * left unrestricted. */
void prim_count(const prim_data *d, const double *lo, const double *hi, size_t skip,
                size_t *n_in, size_t *n_hit);

/* Whether the box restricts dimension j: a bound inside the data's range. */
int prim_restricts(const prim_data *d, const double *lo, const double *hi, size_t j);

/* The quasi-p-value of the box's restriction on dimension j (as EMA Workbench reports
 * it): with H of the box's T cases of interest, and p the density of the same box
 * without its restriction on j, the one-sided binomial probability P(X >= H) for
 * X ~ Binomial(T, p) — how likely the box would be as dense by chance if dimension j
 * did not matter. 1 when H = 0; NaN when the box is empty. */
double prim_quasi_p(const prim_data *d, const double *lo, const double *hi, size_t j);

#endif
