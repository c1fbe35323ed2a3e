/* test_util.c — utilities beneath the engine: arrays and tables grown on huge pages, and
 * fmin inline. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pcg.h"
#include "util/bigmem.h"
#include "util/fmin.h"

/* Grows an array of uint32 from 1 KB past CRC_BIG_BYTES and back down, by doubling and
 * halving: every element written survives each move, and big blocks start on a 2 MB
 * boundary (where huge pages can back them). */
Test(util, big_arrays_keep_their_contents_and_align_to_huge_pages)
{
    uint32_t *a = NULL;
    size_t n = 0;
    for (size_t cap = 256; cap * sizeof *a <= 4 * CRC_BIG_BYTES; cap *= 2) {
        uint32_t *q = crc_realloc_big(a, n * sizeof *a, cap * sizeof *a);
        cr_assert_not_null(q);
        a = q;
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(a[i], (uint32_t)(i * 2654435761u), "element %zu after growing to %zu", i, cap);
        for (size_t i = n; i < cap; i++)
            a[i] = (uint32_t)(i * 2654435761u);
        n = cap;
        if (cap * sizeof *a >= CRC_BIG_BYTES)
            cr_expect_eq((uintptr_t)a % ((uintptr_t)2 << 20), 0, "%zu bytes", cap * sizeof *a);
    }
    size_t half = n / 2;
    uint32_t *q = crc_realloc_big(a, n * sizeof *a, half * sizeof *a);
    cr_assert_not_null(q);
    for (size_t i = 0; i < half; i++)
        cr_assert_eq(q[i], (uint32_t)(i * 2654435761u));
    free(q);
}

/* A table rewritten whole: reserving no more than its capacity keeps the block, more
 * gives a block of exactly that many elements (2 MB-aligned once big), usable to its
 * end. */
Test(util, reserved_tables_grow_to_the_need_and_keep_their_block_below_it)
{
    double *t = NULL;
    size_t cap = 0;
    cr_assert_eq(crc_reserve_big((void **)&t, &cap, 1000, sizeof *t), 0);
    cr_assert_eq(cap, 1000);
    double *kept = t;
    cr_assert_eq(crc_reserve_big((void **)&t, &cap, 600, sizeof *t), 0);
    cr_expect_eq(t, kept);
    cr_expect_eq(cap, 1000);
    size_t big = CRC_BIG_BYTES / sizeof *t + 3;
    cr_assert_eq(crc_reserve_big((void **)&t, &cap, big, sizeof *t), 0);
    cr_expect_eq(cap, big);
    cr_expect_eq((uintptr_t)t % ((uintptr_t)2 << 20), 0);
    for (size_t i = 0; i < big; i++)
        t[i] = (double)i;
    cr_expect_eq(t[big - 1], (double)(big - 1));
    free(t);
}

/* crc_fmin gives libm's fmin to the bit: on every pair of special values (signed zeros,
 * infinities, NaNs, the least subnormal, equal values) and on random pairs of doubles of
 * any sign and magnitude. */
Test(util, fmin_inline_is_libm_fmin_to_the_bit)
{
    const double sp[] = {0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, -NAN, 0x1p-1074,
                         -0x1p-1074, 2.5, 1e300};
    const size_t ns = sizeof sp / sizeof *sp;
    pcg32 g;
    pcg32_seed(&g, 3u, 5u);
    for (size_t k = 0; k < ns * ns + 100000; k++) {
        double a, b;
        if (k < ns * ns) {
            a = sp[k / ns];
            b = sp[k % ns];
        } else {
            a = ldexp(pcg32_double(&g) - 0.5, (int)(pcg32_next(&g) % 200) - 100);
            b = k % 3 ? ldexp(pcg32_double(&g) - 0.5, (int)(pcg32_next(&g) % 200) - 100) : a;
        }
        double want = fmin(a, b), got = crc_fmin(a, b);
        cr_assert(memcmp(&want, &got, sizeof got) == 0, "fmin(%a, %a): %a, inline %a", a, b, want,
                  got);
    }
}
