/* pcg.c — see pcg.h. */
#include "engine/pcg.h"

static inline void pcg32_step(pcg32 *g) { g->state = g->state * PCG32_MULT + g->inc; }

void pcg32_seed(pcg32 *g, uint64_t initstate, uint64_t initseq)
{
    g->state = 0;
    g->inc = (initseq << 1u) | 1u;
    pcg32_step(g);
    g->state += initstate;
    pcg32_step(g);
}

void pcg32_advance(pcg32 *g, uint64_t delta)
{
    /* Jump an LCG x' = a x + c by delta steps: compose the affine map by repeated
     * squaring (Brown, "Random number generation with arbitrary strides", 1994). */
    uint64_t cur_mult = PCG32_MULT, cur_plus = g->inc;
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

void pcg32_stride_init(pcg32_stride *st, const pcg32 *g)
{
    uint64_t mult = PCG32_MULT, plus = g->inc;
    for (int k = 0; k < PCG32_STRIDE; k++) {
        st->mult[k] = mult;
        st->plus[k] = plus;
        plus = plus * PCG32_MULT + g->inc; /* one step more: a(m s + p) + c */
        mult *= PCG32_MULT;
    }
}
