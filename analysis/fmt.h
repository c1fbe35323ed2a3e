/*
 * fmt.h — numbers as a reader of a governance report reads them: plain digits grouped
 * by thousands (109,586), a true minus sign, percentages for changes, and no more
 * decimals than the interval around a number supports.
 *
 * The rule for decimals (fmt_decimals) is the one physicists use for a measurement
 * with an uncertainty: round the interval's half-width to one significant digit (two
 * when that digit is 1 or 2, where one would lose a third of its precision) and show
 * every number of the statement to that place. A value that rounds to zero at that
 * place is printed "0" without sign or decimals: floating-point noise such as
 * 1.11e-16 beside an interval of ±0.005 is zero to the reader.
 *
 * Intervals are written "[lo to hi]" with non-breaking spaces (FMT_NBSP), so a browser
 * or a PDF never wraps one across lines.
 *
 * Every function writes a NUL-terminated string into buf[0..len) (truncated when len is
 * too small) and returns buf. Pure: no state, no allocation.
 */
#ifndef CRC_FMT_H
#define CRC_FMT_H

#include <stddef.h>

#define FMT_NBSP "\xc2\xa0"       /* U+00A0 no-break space */
#define FMT_MINUS "\xe2\x88\x92"  /* U+2212 minus sign     */

/* Decimals to show for numbers whose interval has half-width h (see above): may be
 * negative in principle, clamped to [0, 12]. When h is zero or not finite, enough
 * decimals for `sig` significant digits of v (trailing zeros are then dropped by
 * fmt_fixed's caller, fmt_sig). */
int fmt_decimals(double h, double v, int sig);

/* v with `decimals` decimals (0..12), the integer part grouped by commas, U+2212 for
 * a minus, a leading '+' when plus and v > 0; "0" when v rounds to zero. Non-finite v:
 * "n/a", "∞" or "−∞". Magnitudes of 1e15 or more, and values that need more than 12
 * decimals, fall back to scientific notation with 3 significant digits. */
char *fmt_fixed(char *buf, size_t len, double v, int decimals, int plus);

/* v to `sig` significant digits, grouped, trailing zeros dropped ("0.95", "3,189",
 * "100,000,000"). */
char *fmt_sig(char *buf, size_t len, double v, int sig);

/* "mean [lo to hi]" with decimals from the interval; "mean in every run" when lo == hi
 * == mean; "mean" alone when lo or hi is NaN. */
char *fmt_mean_ci(char *buf, size_t len, double mean, double lo, double hi);

/* A difference and its interval, signed: "−6,616 [−7,201 to −6,031]"; "0 [...]" when
 * the difference is below the interval's resolution. */
char *fmt_diff_ci(char *buf, size_t len, double diff, double lo, double hi);

/* The same difference as a percentage of base (|base|): "−6.0% [−6.6% to −5.5%]";
 * "n/a" when base is 0 or not finite. */
char *fmt_pct_ci(char *buf, size_t len, double diff, double lo, double hi, double base);

/* Whether diff is zero at the resolution of its interval [lo, hi] (fmt_diff_ci prints
 * it as "0"). */
int fmt_is_zero(double diff, double lo, double hi);

#endif
