/*
 * pstream.c — a population's Poisson stream: rate buckets, the bucket choice and the
 * pick by rejection with candidates drawn ahead (pstream.h; docs/model.md §1).
 */
#include "model/pstream.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"
#include "util/bigmem.h"
#include "util/prefetch.h"

/* 2^(j/16), j = 0..15, written out so that bucket bounds are the same bits on every
 * machine (no libm in the loop). */
static const double sub_lo[PSTREAM_SUB] = {
    1.0, 1.0442737824274138, 1.0905077326652577, 1.1387886347566916, 1.189207115002721,
    1.241857812073484, 1.2968395546510096, 1.3542555469368927, 1.4142135623730951,
    1.4768261459394993, 1.5422108254079407, 1.6104903319492543, 1.681792830507429,
    1.7562521603732995, 1.8340080864093424, 1.9152065613971474,
};
_Static_assert(PSTREAM_SUB == 16, "sub_lo holds 2^(j/16)");

double pstream_bucket_lo(int k)
{
    return ldexp(sub_lo[k % PSTREAM_SUB], k / PSTREAM_SUB + PSTREAM_MIN);
}

int pstream_bucket_of(double rate)
{
    int e;
    double f = frexp(rate, &e); /* rate = f 2^e, f in [0.5, 1) */
    int oct = e - 1 - PSTREAM_MIN;
    if (oct < 0)
        return 0;
    if (oct >= PSTREAM_BUCKETS / PSTREAM_SUB)
        return PSTREAM_BUCKETS - 1;
    int j = PSTREAM_SUB - 1;
    while (j > 0 && 2 * f < sub_lo[j])
        j--;
    return oct * PSTREAM_SUB + j;
}

/* The packed copy's entry of bucket k's j-th member. */
static inline pstream_member *packed(const pstream *s, int k, uint32_t j)
{
    return &s->pack[s->base[k] + j];
}

int pstream_add(pstream *s, uint32_t i, float r, uint32_t aux, uint16_t *k, uint32_t *pos)
{
    int b = pstream_bucket_of(r);
    pstream_bucket *bb = &s->bk[b];
    if (bb->n == bb->cap) {
        uint32_t cap = bb->cap ? 2 * bb->cap : 16;
        if (cap < bb->cap)
            return -1;
        pstream_member *m = realloc(bb->m, (size_t)cap * sizeof *m);
        if (!m)
            return -1;
        bb->m = m;
        bb->cap = cap;
    }
    if (bb->n == 0)
        bb->top = pstream_bucket_lo(b + 1);
    if (r > bb->top) /* only past the last bound, 2^24 a day */
        bb->top = r;
    *k = (uint16_t)b;
    *pos = bb->n;
    bb->m[bb->n++] = (pstream_member){i, r, aux};
    s->dirty = 1;
    s->n_cand = 0;
    return 0;
}

uint32_t pstream_remove(pstream *s, int k, uint32_t pos)
{
    pstream_bucket *b = &s->bk[k];
    s->dirty = 1;
    s->n_cand = 0;
    uint32_t last = --b->n;
    if (pos == last)
        return UINT32_MAX;
    b->m[pos] = b->m[last];
    return b->m[pos].i;
}

void pstream_rename(pstream *s, int k, uint32_t pos, uint32_t new_i)
{
    s->bk[k].m[pos].i = new_i;
    if (!s->dirty)
        packed(s, k, pos)->i = new_i;
}

int pstream_prepare(pstream *s)
{
    double w[PSTREAM_BUCKETS];
    double total = 0;
    uint32_t n = 0;
    size_t members = 0;
    for (int k = 0; k < PSTREAM_BUCKETS; k++)
        members += s->bk[k].n;
    if (members > s->pack_cap &&
        crc_reserve_big((void **)&s->pack, &s->pack_cap, members + members / 4, sizeof *s->pack))
        return -1;
    size_t at = 0;
    for (int k = 0; k < PSTREAM_BUCKETS; k++) {
        const pstream_bucket *b = &s->bk[k];
        s->base[k] = (uint32_t)at;
        if (b->n)
            memcpy(s->pack + at, b->m, (size_t)b->n * sizeof *b->m);
        at += b->n;
        double sum = 0;
        for (uint32_t j = 0; j < b->n; j++)
            sum += b->m[j].rate;
        if (sum > 0) {
            s->live[n] = (uint16_t)k;
            w[n++] = sum;
            total += sum;
        }
    }
    gsl_ran_discrete_free(s->choose);
    s->choose = NULL;
    s->n_live = 0;
    s->rate = 0;
    s->n_cand = 0;
    if (n > 0) {
        s->choose = gsl_ran_discrete_preproc(n, w);
        if (!s->choose)
            return -1;
    }
    s->n_live = n;
    s->rate = total;
    s->dirty = 0;
    return 0;
}

static inline uint32_t draw_pos(pcg32 *g, uint32_t n)
{
    return (uint32_t)(pcg32_double(g) * n);
}

/* A candidate: a bucket by rate, then a uniform position in it. */
static inline void draw_cand(const pstream *s, gsl_rng *r, pcg32 *g, uint16_t *k, uint32_t *j)
{
    *k = s->live[gsl_ran_discrete(r, s->choose)];
    *j = draw_pos(g, s->bk[*k].n);
}

uint32_t pstream_pick(pstream *s, gsl_rng *r, const void *rec, size_t stride)
{
    if (s->dirty && pstream_prepare(s))
        return UINT32_MAX;
    if (s->n_live == 0)
        return UINT32_MAX;
    pcg32 *g = rng_pcg(r);
    if (s->n_cand == 0) {
        draw_cand(s, r, g, &s->cand_k[0], &s->cand_j[0]);
        draw_cand(s, r, g, &s->cand_k[1], &s->cand_j[1]);
        s->n_cand = 2;
    }
    /* Rejection within the chosen bucket: accept entry j with probability
     * rate_j / top, which picks its members proportionally to their rates. */
    const pstream_bucket *b = &s->bk[s->cand_k[0]];
    const pstream_member *m = packed(s, s->cand_k[0], 0);
    const pstream_member *e = &m[s->cand_j[0]];
    for (int tries = 0; !(pcg32_double(g) * b->top < e->rate); tries++) {
        if (tries >= 1 << 20) {
            e = &m[0];
            break;
        }
        e = &m[draw_pos(g, b->n)];
    }
    uint32_t i = e->i;
    /* Advance: the one after next becomes next (its entry should be in cache by now:
     * prefetch its record), and a new one after next is drawn (prefetch its entry). */
    s->cand_k[0] = s->cand_k[1];
    s->cand_j[0] = s->cand_j[1];
    draw_cand(s, r, g, &s->cand_k[1], &s->cand_j[1]);
    crc_prefetch(packed(s, s->cand_k[1], s->cand_j[1]));
    if (rec) {
        uint32_t next = packed(s, s->cand_k[0], s->cand_j[0])->i;
        const char *p = (const char *)rec + (size_t)next * stride;
        crc_prefetch(p);
        crc_prefetch(p + stride - 1);
    }
    return i;
}

int pstream_next_aux(const pstream *s, uint32_t *aux)
{
    if (s->n_cand == 0 || s->dirty)
        return 0;
    *aux = packed(s, s->cand_k[0], s->cand_j[0])->aux;
    return 1;
}

void pstream_free(pstream *s)
{
    for (int k = 0; k < PSTREAM_BUCKETS; k++)
        free(s->bk[k].m);
    free(s->pack);
    s->pack = NULL;
    s->pack_cap = 0;
    gsl_ran_discrete_free(s->choose);
    s->choose = NULL;
}
