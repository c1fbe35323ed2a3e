/*
 * prim.c — PRIM peeling, pasting and the box statistics (prim.h has the contract).
 *
 * Densities are compared exactly, as hits_a · cases_b against hits_b · cases_a, so the
 * choice between two slices never depends on rounding.
 */
#include "prim.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

typedef struct prim_pair {
    double x;
    unsigned char y;
} prim_pair;

static int pair_up(const void *a, const void *b)
{
    double u = ((const prim_pair *)a)->x, v = ((const prim_pair *)b)->x;
    return (u > v) - (u < v);
}

static int pair_down(const void *a, const void *b)
{
    return pair_up(b, a);
}

/* Whether hits_a / n_a > hits_b / n_b (cmp > 0), equal (0) or smaller (< 0). */
static int dens_cmp(size_t hits_a, size_t n_a, size_t hits_b, size_t n_b)
{
    double l = (double)hits_a * (double)n_b, r = (double)hits_b * (double)n_a;
    return (l > r) - (l < r);
}

static size_t slice(size_t m, double alpha)
{
    size_t r = (size_t)ceil(alpha * (double)m);
    return r < 1 ? 1 : r;
}

static int in_box(const prim_data *d, size_t i, const double *lo, const double *hi,
                  size_t skip)
{
    const double *xi = d->x + i * d->k;
    for (size_t j = 0; j < d->k; j++)
        if (j != skip && (xi[j] < lo[j] || xi[j] > hi[j]))
            return 0;
    return 1;
}

void prim_count(const prim_data *d, const double *lo, const double *hi, size_t skip,
                size_t *n_in, size_t *n_hit)
{
    size_t a = 0, h = 0;
    for (size_t i = 0; i < d->n; i++)
        if (in_box(d, i, lo, hi, skip)) {
            a++;
            h += d->y[i] != 0;
        }
    *n_in = a;
    *n_hit = h;
}

static void data_range(const prim_data *d, size_t j, double *mn, double *mx)
{
    *mn = INFINITY;
    *mx = -INFINITY;
    for (size_t i = 0; i < d->n; i++) {
        double v = d->x[i * d->k + j];
        *mn = v < *mn ? v : *mn;
        *mx = v > *mx ? v : *mx;
    }
}

int prim_restricts(const prim_data *d, const double *lo, const double *hi, size_t j)
{
    double mn, mx;
    data_range(d, j, &mn, &mx);
    return lo[j] > mn || hi[j] < mx;
}

void prim_traj_free(prim_traj *t)
{
    free(t->lo);
    free(t->hi);
    free(t->n_in);
    free(t->n_hit);
    memset(t, 0, sizeof *t);
}

static int traj_push(prim_traj *t, size_t *cap, const double *lo, const double *hi,
                     size_t n_in, size_t n_hit)
{
    if (t->n_boxes == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        double *l = realloc(t->lo, c * t->k * sizeof *l);
        if (l)
            t->lo = l;
        double *h = realloc(t->hi, c * t->k * sizeof *h);
        if (h)
            t->hi = h;
        size_t *a = realloc(t->n_in, c * sizeof *a);
        if (a)
            t->n_in = a;
        size_t *b = realloc(t->n_hit, c * sizeof *b);
        if (b)
            t->n_hit = b;
        if (!l || !h || !a || !b)
            return -1;
        *cap = c;
    }
    memcpy(t->lo + t->n_boxes * t->k, lo, t->k * sizeof *lo);
    memcpy(t->hi + t->n_boxes * t->k, hi, t->k * sizeof *hi);
    t->n_in[t->n_boxes] = n_in;
    t->n_hit[t->n_boxes] = n_hit;
    t->n_boxes++;
    return 0;
}

/* One candidate slice: removing (peel) or adding (paste) cases at one bound. */
typedef struct prim_cand {
    int ok;
    size_t j;
    int high;       /* 0: the low bound moves, 1: the high bound                       */
    double bound;   /* its new value                                                  */
    size_t n, hits; /* the box after the move                                         */
} prim_cand;

static void cand_offer(prim_cand *best, const prim_cand *c)
{
    if (!best->ok) {
        *best = *c;
        return;
    }
    int cmp = dens_cmp(c->hits, c->n, best->hits, best->n);
    if (cmp > 0 || (cmp == 0 && c->n > best->n))
        *best = *c;
}

int prim_peel(const prim_data *d, double alpha, double min_mass, prim_traj *t)
{
    assert(d->n >= 1 && alpha > 0 && alpha < 0.5);
    size_t n = d->n, k = d->k, cap = 0;
    memset(t, 0, sizeof *t);
    t->k = k;
    double *lo = malloc(k * sizeof *lo), *hi = malloc(k * sizeof *hi);
    size_t *idx = malloc(n * sizeof *idx);
    prim_pair *v = malloc(n * sizeof *v);
    int rc = -1;
    if (!lo || !hi || !idx || !v)
        goto out;
    size_t m = n, hits = 0;
    for (size_t i = 0; i < n; i++) {
        idx[i] = i;
        hits += d->y[i] != 0;
    }
    for (size_t j = 0; j < k; j++)
        data_range(d, j, &lo[j], &hi[j]);
    if (traj_push(t, &cap, lo, hi, m, hits))
        goto out;
    size_t last = 0; /* the last box kept on the trajectory */
    double floor_n = min_mass * (double)n;
    for (;;) {
        prim_cand best = {0};
        size_t r = slice(m, alpha);
        for (size_t j = 0; j < k && m > 1; j++) {
            size_t h_all = 0;
            for (size_t a = 0; a < m; a++) {
                v[a].x = d->x[idx[a] * k + j];
                v[a].y = d->y[idx[a]] != 0;
                h_all += v[a].y;
            }
            qsort(v, m, sizeof *v, pair_up);
            /* Low end: drop every case at or below the r-th smallest value. */
            size_t s = 0, h_cut = 0;
            double cut = v[r - 1].x;
            while (s < m && v[s].x <= cut)
                h_cut += v[s++].y;
            if (s < m && (double)(m - s) >= floor_n)
                cand_offer(&best, &(prim_cand){1, j, 0, v[s].x, m - s, h_all - h_cut});
            /* High end: drop every case at or above the r-th largest value. */
            size_t e = m, h_top = 0;
            cut = v[m - r].x;
            while (e > 0 && v[e - 1].x >= cut)
                h_top += v[--e].y;
            if (e > 0 && (double)e >= floor_n)
                cand_offer(&best, &(prim_cand){1, j, 1, v[e - 1].x, e, h_all - h_top});
        }
        if (!best.ok)
            break;
        (best.high ? hi : lo)[best.j] = best.bound;
        size_t w = 0;
        for (size_t a = 0; a < m; a++) {
            double x = d->x[idx[a] * k + best.j];
            if (x >= lo[best.j] && x <= hi[best.j])
                idx[w++] = idx[a];
        }
        assert(w == best.n);
        m = w;
        if (dens_cmp(best.hits, best.n, t->n_hit[last], t->n_in[last]) >= 0) {
            if (traj_push(t, &cap, lo, hi, best.n, best.hits))
                goto out;
            last = t->n_boxes - 1;
        }
    }
    rc = 0;
out:
    if (rc)
        prim_traj_free(t);
    free(lo);
    free(hi);
    free(idx);
    free(v);
    return rc;
}

size_t prim_choose(const prim_traj *t, double min_coverage)
{
    size_t all = t->n_hit[0], best = 0;
    for (size_t b = 1; b < t->n_boxes; b++) {
        if ((double)t->n_hit[b] < min_coverage * (double)all)
            continue;
        int cmp = dens_cmp(t->n_hit[b], t->n_in[b], t->n_hit[best], t->n_in[best]);
        if (cmp > 0 || (cmp == 0 && t->n_in[b] > t->n_in[best]))
            best = b;
    }
    return best;
}

int prim_paste(const prim_data *d, double alpha, double *lo, double *hi)
{
    size_t n = d->n, k = d->k;
    prim_pair *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    for (;;) {
        size_t m, hits;
        prim_count(d, lo, hi, k, &m, &hits);
        size_t r = slice(m, alpha);
        prim_cand best = {0};
        for (size_t j = 0; j < k; j++) {
            for (int high = 0; high <= 1; high++) {
                /* The cases just outside this bound, nearest first. */
                size_t c = 0;
                for (size_t i = 0; i < n; i++) {
                    double x = d->x[i * k + j];
                    if ((high ? x > hi[j] : x < lo[j]) && in_box(d, i, lo, hi, j)) {
                        v[c].x = x;
                        v[c++].y = d->y[i] != 0;
                    }
                }
                if (!c)
                    continue;
                qsort(v, c, sizeof *v, high ? pair_up : pair_down);
                double cut = v[(r < c ? r : c) - 1].x;
                size_t a = 0, h = 0;
                while (a < c && (high ? v[a].x <= cut : v[a].x >= cut))
                    h += v[a++].y;
                prim_cand cd = {1, j, high, cut, m + a, hits + h};
                if (dens_cmp(cd.hits, cd.n, hits, m) > 0)
                    cand_offer(&best, &cd);
            }
        }
        if (!best.ok)
            break;
        (best.high ? hi : lo)[best.j] = best.bound;
    }
    free(v);
    return 0;
}

double prim_quasi_p(const prim_data *d, const double *lo, const double *hi, size_t j)
{
    size_t t_box, h_box, t_wo, h_wo;
    prim_count(d, lo, hi, d->k, &t_box, &h_box);
    if (!t_box)
        return NAN;
    if (!h_box)
        return 1.0;
    prim_count(d, lo, hi, j, &t_wo, &h_wo);
    double p = (double)h_wo / (double)t_wo;
    /* P(X >= H) = P(X > H - 1) = Q(H - 1). */
    return gsl_cdf_binomial_Q((unsigned)(h_box - 1), p, (unsigned)t_box);
}
