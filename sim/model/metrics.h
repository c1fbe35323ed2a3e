/*
 * metrics.h — the metrics and the run summary the model writes through its sink
 * (metrics.c; MODEL.md §7, docs/model.md §6), with the sorting and concentration
 * helpers they use.
 */
#ifndef CRC_METRICS_H
#define CRC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "model/world/world.h"

/* ---- metrics.c -------------------------------------------------------------- */
/* Writes every metric of the epoch ending at t and its flows; 0 or a sink status. */
int met_epoch(world *w, double t);
/* Writes the run summary. */
int met_summary(world *w);
/* Sorts x[0..n) ascending: the same array gsl_sort gives, faster on many values. The
 * values are spread into up to n + 1 buckets, narrow ranges of value, by the top bits of
 * their bit patterns (increasing in x for x >= 0), and each bucket is sorted in place
 * (by insertion, a crowded one by a quicksort); negative values are sorted by gsl_sort
 * at the front. tmp has room
 * for n values and cnt for MET_SORT_COUNTS(n); either may be NULL, and then (as for n
 * under 64) gsl_sort sorts the whole array. */
#define MET_SORT_COUNTS(n) ((size_t)(n) + 2)
void met_sort(double *x, size_t n, double *tmp, uint32_t *cnt);
/* Gini coefficient of x[0..n); 0 when the sum is 0. Reorders x (its nonzero values end
 * up sorted at the front); tmp and cnt as met_sort's. */
double met_gini(double *x, size_t n, double *tmp, uint32_t *cnt);
/* Herfindahl index of shares of x[0..n) (0 when the sum is 0). */
double met_hhi(const double *x, size_t n);
/* Smallest number of entries of x[0..n) holding more than half the total (sorts x
 * in place, ascending); 0 when the sum is 0. tmp and cnt as met_sort's. */
long met_nakamoto(double *x, size_t n, double *tmp, uint32_t *cnt);

#endif
