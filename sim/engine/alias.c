/* alias.c — Walker's alias table built by Vose's method. See alias.h. */
#include "engine/alias.h"

#include <stdlib.h>

#include "util/bigmem.h"

int alias_build(alias_table *a, const float *w, uint32_t n)
{
    a->n = 0;
    a->total = 0;
    double total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += w[i] > 0 ? w[i] : 0;
    if (n == 0 || !(total > 0))
        return 0;
    if (crc_reserve_big((void **)&a->e, &a->cap, n, sizeof *a->e))
        return -1;
    /* q[i] = w_i n / total; the cells below 1 ("small") fill from the front of idx,
     * those at or above 1 ("large") from the back. */
    double *q = malloc((size_t)n * sizeof *q);
    uint32_t *idx = malloc((size_t)n * sizeof *idx);
    if (!q || !idx) {
        free(q);
        free(idx);
        return -1;
    }
    uint32_t ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        q[i] = (w[i] > 0 ? w[i] : 0) * (double)n / total;
        if (q[i] < 1)
            idx[ns++] = i;
        else
            idx[n - 1 - nl++] = i;
    }
    /* Each step pairs a small cell with a large one, which gives the small cell the rest
     * of its probability and stays in the lists with what it has left. */
    while (ns > 0 && nl > 0) {
        uint32_t s = idx[--ns], l = idx[n - nl];
        a->e[s] = (alias_entry){(float)q[s], l};
        q[l] = (q[l] + q[s]) - 1;
        if (q[l] < 1) { /* l becomes small: it leaves the large list for the small one */
            nl--;
            idx[ns++] = l;
        }
    }
    /* What is left is 1 up to rounding: such a cell always gives itself. */
    while (nl > 0) {
        uint32_t l = idx[n - nl--];
        a->e[l] = (alias_entry){1.0f, l};
    }
    while (ns > 0) {
        uint32_t s = idx[--ns];
        a->e[s] = (alias_entry){1.0f, s};
    }
    free(q);
    free(idx);
    a->n = n;
    a->total = total;
    return 0;
}

void alias_free(alias_table *a)
{
    if (!a)
        return;
    free(a->e);
    a->e = NULL;
    a->n = 0;
    a->cap = 0;
    a->total = 0;
}
