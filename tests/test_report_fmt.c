/*
 * test_report_fmt.c — the report's numbers (analysis/fmt.h): grouping, the minus sign,
 * decimals that follow the interval's half-width at several magnitudes, noise printed
 * as zero, percentages, and intervals that cannot wrap.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fmt.h"

#define M FMT_MINUS
#define S FMT_NBSP "to" FMT_NBSP

Test(report_fmt, groups_thousands_and_uses_a_true_minus)
{
    char b[64];
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 109586.4, 0, 0), "109,586");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, -6616.2, 0, 1), M "6,616");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 6616.2, 0, 1), "+6,616");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 100000000, 0, 0), "100,000,000");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 999.5, 0, 0), "1,000", "rounding carries into a group");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 123, 0, 0), "123");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 1234.5678, 2, 0), "1,234.57");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, -0.00012, 5, 0), M "0.00012");
}

Test(report_fmt, noise_below_the_resolution_is_zero_without_sign)
{
    char b[64];
    cr_expect_str_eq(fmt_fixed(b, sizeof b, -1.11e-16, 3, 1), "0");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 2.842e-14, 0, 1), "0");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, 0.0, 4, 1), "0");
    cr_expect(fmt_is_zero(-1.11e-16, -0.004951, 0.004951));
    cr_expect(fmt_is_zero(-7.105e-14, -135.8, 135.8));
    cr_expect(!fmt_is_zero(-6616, -7201, -6031));
    cr_expect(!fmt_is_zero(0.01, 0.004, 0.016), "a small but resolved difference is not zero");
    cr_expect_str_eq(fmt_diff_ci(b, sizeof b, -1.11e-16, -0.004951, 0.004951),
                     "0 [" M "0.005" S "+0.005]");
}

/* One significant digit of the half-width (two when it starts with 1 or 2), at
 * magnitudes from 1e-6 to 1e3. */
Test(report_fmt, decimals_follow_the_half_width)
{
    cr_expect_eq(fmt_decimals(495, 0, 4), 0);
    cr_expect_eq(fmt_decimals(0.00495, 0, 4), 3);
    cr_expect_eq(fmt_decimals(0.0015, 0, 4), 4, "a leading 1 keeps a second digit");
    cr_expect_eq(fmt_decimals(0.25, 0, 4), 2);
    cr_expect_eq(fmt_decimals(0.5, 0, 4), 1);
    cr_expect_eq(fmt_decimals(4.61e-6, 0, 4), 6);
    cr_expect_eq(fmt_decimals(0, 0.95, 4), 4, "no interval: four significant digits");
    cr_expect_eq(fmt_decimals(0, 3189, 4), 0);
    cr_expect_eq(fmt_decimals(NAN, 0, 4), 0);
    cr_expect_eq(fmt_decimals(1e-30, 0, 4), 12, "clamped");
}

Test(report_fmt, the_tutorials_numbers_read_plainly)
{
    char b[128];
    cr_expect_str_eq(fmt_mean_ci(b, sizeof b, 109586, 109091, 110081),
                     "109,586 [109,091" S "110,081]");
    cr_expect_str_eq(fmt_mean_ci(b, sizeof b, 0.2338, 0.2289, 0.2388),
                     "0.234 [0.229" S "0.239]");
    cr_expect_str_eq(fmt_diff_ci(b, sizeof b, -6616, -7201, -6031),
                     M "6,616 [" M "7,201" S M "6,031]");
    cr_expect_str_eq(fmt_pct_ci(b, sizeof b, -6616, -7201, -6031, 109586),
                     M "6.0% [" M "6.6%" S M "5.5%]");
    cr_expect_str_eq(fmt_mean_ci(b, sizeof b, 0.95, 0.95, 0.95), "0.95 in every run");
    cr_expect_str_eq(fmt_mean_ci(b, sizeof b, 0, 0, 0), "0 in every run");
    cr_expect_str_eq(fmt_mean_ci(b, sizeof b, 3189.2, 3095.1, 3283.3),
                     "3,189 [3,095" S "3,283]");
    cr_expect_str_eq(fmt_diff_ci(b, sizeof b, 0, 0, 0), "0");
    cr_expect_str_eq(fmt_pct_ci(b, sizeof b, 5, 1, 9, 0), "n/a", "no base, no percentage");
    cr_expect_null(strstr(fmt_mean_ci(b, sizeof b, 1e8, 99999700, 100000200), "e+"),
                   "no exponent for 1e8: %s", b);
}

Test(report_fmt, intervals_hold_no_breaking_space)
{
    char b[128];
    fmt_diff_ci(b, sizeof b, -6616, -7201, -6031);
    cr_expect_null(strchr(strchr(b, '['), ' '), "an ordinary space inside the brackets: %s", b);
}

Test(report_fmt, extremes_fall_back_to_scientific_with_a_true_minus)
{
    char b[64];
    cr_expect_str_eq(fmt_sig(b, sizeof b, 2.5e-20, 3), "2.50e" M "20");
    cr_expect_str_eq(fmt_sig(b, sizeof b, 3e16, 3), "3.00e+16");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, INFINITY, 0, 0), "\xe2\x88\x9e");
    cr_expect_str_eq(fmt_fixed(b, sizeof b, NAN, 0, 0), "n/a");
    cr_expect_str_eq(fmt_sig(b, sizeof b, 0.5, 4), "0.5");
    cr_expect_str_eq(fmt_sig(b, sizeof b, -1234.6, 4), M "1,235");
}
