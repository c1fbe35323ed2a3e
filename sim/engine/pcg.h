/*
 * pcg.h — pcg32: 64-bit LCG state, XSH-RR 32-bit output, selectable stream
 * (M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
 * Algorithms for Random Number Generation", 2014). Written for Crucible; checked in
 * tests/test_pcg.c against the published reference outputs.
 *
 * A pcg32 is a plain value: copy it to fork a generator, no allocation.
 */
#ifndef CRC_PCG_H
#define CRC_PCG_H

#include <stdint.h>

typedef struct pcg32 {
    uint64_t state; /* LCG state                                   */
    uint64_t inc;   /* stream selector: always odd                 */
} pcg32;

/* Seeds g with a start state and a stream id (the reference pcg32_srandom_r). */
void pcg32_seed(pcg32 *g, uint64_t initstate, uint64_t initseq);

#define PCG32_MULT 6364136223846793005ULL

/* Next 32-bit output. Inline: every gsl_ran_* draw goes through it. */
static inline uint32_t pcg32_next(pcg32 *g)
{
    uint64_t old = g->state;
    g->state = old * PCG32_MULT + g->inc;
    /* XSH-RR: xorshift high bits, then a random rotation chosen by the top 5 bits. */
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

/* Uniform double in [0, 1) with 32 bits of resolution. */
static inline double pcg32_double(pcg32 *g) { return pcg32_next(g) * (1.0 / 4294967296.0); }

/* Advances g by delta steps in O(log delta) (delta may wrap: 2^64 - n goes back n). */
void pcg32_advance(pcg32 *g, uint64_t delta);

#endif
