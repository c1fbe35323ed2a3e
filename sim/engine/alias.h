/*
 * alias.h — Walker's alias method for drawing an index with probability proportional to
 * its weight in O(1) (A. J. Walker, "An efficient method for generating discrete random
 * variables with general distributions", ACM TOMS 3(3), 1977; built by Vose's method,
 * M. D. Vose, IEEE TSE 17(9), 1991, which is exact in real arithmetic and O(n)).
 *
 * n cells of equal probability 1/n; cell i keeps itself with probability p[i] and
 * otherwise gives its alternative alt[i]. A draw is one uniform u in [0, 1): the cell
 * is floor(u n) and the keep test compares the rest, u n − cell, with p[i]. The two
 * steps are separate calls (alias_cell, alias_resolve) so that a caller can fetch the
 * cell's entry ahead of reading it.
 *
 * Ownership: the table is the caller's (zeroed to start); alias_build (re)allocates its
 * array, alias_free releases it. The build's scratch is allocated and freed inside it:
 * a table is built once per change of the weights, not per draw.
 */
#ifndef CRC_ALIAS_H
#define CRC_ALIAS_H

#include <stddef.h>
#include <stdint.h>

typedef struct alias_entry {
    float p;      /* probability that cell i gives i itself   */
    uint32_t alt; /* what it gives otherwise                   */
} alias_entry;

typedef struct alias_table {
    alias_entry *e;
    uint32_t n;    /* cells: the number of weights                            */
    size_t cap;
    double total;  /* the sum of the weights (0: nothing can be drawn)         */
} alias_table;

/* Builds the table for weights w[0, n) (each >= 0; a negative or NaN weight counts
 * as 0). 0, or -1 when out of memory (the table is then empty). */
int alias_build(alias_table *a, const float *w, uint32_t n);

/* The cell of the uniform u in [0, 1) and, in *rest, the keep test's uniform. */
static inline uint32_t alias_cell(const alias_table *a, double u, double *rest)
{
    double v = u * a->n;
    uint32_t i = (uint32_t)v;
    if (i >= a->n) /* u n rounded up to n */
        i = a->n - 1;
    *rest = v - i;
    return i;
}

/* The index drawn: cell i's own, or its alternative. The keep test is a coin of any
 * bias, which a branch would mispredict about half the time: the choice is a mask. */
static inline uint32_t alias_resolve(const alias_table *a, uint32_t i, double rest)
{
    alias_entry e = a->e[i];
    uint32_t keep = -(uint32_t)(rest < e.p);
    return (i & keep) | (e.alt & ~keep);
}

void alias_free(alias_table *a);

#endif
