/* pcg.c — see pcg.h. */
#include "engine/pcg.h"

#define PCG_MULT 6364136223846793005ULL

static inline void pcg32_step(pcg32 *g) { g->state = g->state * PCG_MULT + g->inc; }

void pcg32_seed(pcg32 *g, uint64_t initstate, uint64_t initseq)
{
    g->state = 0;
    g->inc = (initseq << 1u) | 1u;
    pcg32_step(g);
    g->state += initstate;
    pcg32_step(g);
}

uint32_t pcg32_next(pcg32 *g)
{
    uint64_t old = g->state;
    pcg32_step(g);
    /* XSH-RR: xorshift high bits, then a random rotation chosen by the top 5 bits. */
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

double pcg32_double(pcg32 *g) { return pcg32_next(g) * (1.0 / 4294967296.0); }

void pcg32_advance(pcg32 *g, uint64_t delta)
{
    /* Jump an LCG x' = a x + c by delta steps: compose the affine map by repeated
     * squaring (Brown, "Random number generation with arbitrary strides", 1994). */
    uint64_t cur_mult = PCG_MULT, cur_plus = g->inc;
    uint64_t acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    g->state = acc_mult * g->state + acc_plus;
}
