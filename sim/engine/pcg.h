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

/* The 32-bit output of a step from LCG state old (XSH-RR: xorshift high bits, then a
 * random rotation chosen by the top 5 bits). */
static inline uint32_t pcg32_output(uint64_t old)
{
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

/* Next 32-bit output. Inline: every gsl_ran_* draw goes through it. */
static inline uint32_t pcg32_next(pcg32 *g)
{
    uint64_t old = g->state;
    g->state = old * PCG32_MULT + g->inc;
    return pcg32_output(old);
}

/* The affine maps of 1 .. PCG32_STRIDE steps of a generator: state k steps on is
 * mult[k-1] state + plus[k-1]. A caller that needs several outputs at once computes
 * each from the same state (independent multiplications) rather than one after the
 * other (a chain of dependent ones): the same outputs, sooner. */
#define PCG32_STRIDE 4
typedef struct pcg32_stride {
    uint64_t mult[PCG32_STRIDE], plus[PCG32_STRIDE];
} pcg32_stride;

/* Fills st for g's stream (it depends on g->inc only). */
void pcg32_stride_init(pcg32_stride *st, const pcg32 *g);

/* Uniform double in [0, 1) with 32 bits of resolution. */
static inline double pcg32_double(pcg32 *g) { return pcg32_next(g) * (1.0 / 4294967296.0); }

/* Advances g by delta steps in O(log delta) (delta may wrap: 2^64 - n goes back n). */
void pcg32_advance(pcg32 *g, uint64_t delta);

#endif
