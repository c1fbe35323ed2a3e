/* test_pcg.c — pcg32 against the published reference outputs; jump-ahead; streams. */
#include <criterion/criterion.h>

#include "engine/pcg.h"
#include "engine/rng.h"

Test(pcg, matches_published_reference_seed42_stream54)
{
    /* pcg32-demo output for pcg32_srandom_r(&rng, 42u, 54u). */
    static const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                    0x83d2f293, 0xbfa4784b, 0xcbed606e};
    pcg32 g;
    pcg32_seed(&g, 42u, 54u);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_eq(pcg32_next(&g), want[i], "output %zu", i);
}

Test(pcg, advance_equals_stepping)
{
    static const uint64_t deltas[] = {0, 1, 2, 7, 1000, 123457};
    for (size_t k = 0; k < sizeof deltas / sizeof deltas[0]; k++) {
        pcg32 a, b;
        pcg32_seed(&a, 9u, 3u);
        b = a;
        for (uint64_t i = 0; i < deltas[k]; i++)
            pcg32_next(&a);
        pcg32_advance(&b, deltas[k]);
        cr_expect_eq(a.state, b.state, "delta %llu", (unsigned long long)deltas[k]);
        cr_expect_eq(pcg32_next(&a), pcg32_next(&b));
    }
}

Test(pcg, advance_backwards_by_wrapping)
{
    pcg32 a, b;
    pcg32_seed(&a, 1u, 2u);
    b = a;
    for (int i = 0; i < 50; i++)
        pcg32_next(&a);
    pcg32_advance(&a, (uint64_t)0 - 50u);
    cr_expect_eq(a.state, b.state);
}

Test(rng, streams_differ_by_purpose_and_replicate_and_repeat_by_seed)
{
    gsl_rng *a = rng_stream_alloc(7, 0, 1), *b = rng_stream_alloc(7, 0, 2);
    gsl_rng *c = rng_stream_alloc(7, 1, 1), *d = rng_stream_alloc(7, 0, 1);
    unsigned long xa = gsl_rng_get(a), xb = gsl_rng_get(b), xc = gsl_rng_get(c);
    cr_expect_neq(xa, xb);
    cr_expect_neq(xa, xc);
    cr_expect_eq(xa, gsl_rng_get(d));
    cr_expect_str_eq(gsl_rng_name(a), "pcg32");
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    gsl_rng_free(d);
}
