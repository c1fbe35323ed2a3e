/* fmt.c — numbers for reports (fmt.h). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { MAX_DEC = 12 };

/* fmt_decimals without the clamp above (a tiny value may need more than MAX_DEC). */
static int decimals_raw(double h, double v, int sig)
{
    h = fabs(h);
    int d;
    if (h > 0 && isfinite(h)) {
        int e = (int)floor(log10(h));
        double lead = h / pow(10, e); /* in [1, 10) */
        d = -e + (lead < 3 ? 1 : 0);
    } else if (v != 0 && isfinite(v))
        d = sig - 1 - (int)floor(log10(fabs(v)));
    else
        d = 0;
    return d < 0 ? 0 : d;
}

int fmt_decimals(double h, double v, int sig)
{
    int d = decimals_raw(h, v, sig);
    return d > MAX_DEC ? MAX_DEC : d;
}

/* Copies the digits "1234567.89" into out with commas in the integer part. */
static void group(char *out, size_t len, const char *digits)
{
    const char *dot = strchr(digits, '.');
    size_t ni = dot ? (size_t)(dot - digits) : strlen(digits), o = 0;
    for (size_t i = 0; i < ni && o + 2 < len; i++) {
        out[o++] = digits[i];
        size_t left = ni - i - 1;
        if (left && left % 3 == 0)
            out[o++] = ',';
    }
    if (dot)
        for (const char *p = dot; *p && o + 1 < len; p++)
            out[o++] = *p;
    out[o < len ? o : len - 1] = 0;
}

char *fmt_fixed(char *buf, size_t len, double v, int decimals, int plus)
{
    if (!len)
        return buf;
    if (isnan(v)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, len, "%s\xe2\x88\x9e", v < 0 ? FMT_MINUS : plus ? "+" : "");
        return buf;
    }
    if (decimals < 0)
        decimals = 0;
    const char *sign = v < 0 ? FMT_MINUS : plus ? "+" : "";
    char digits[64], grouped[96];
    if (fabs(v) >= 1e15 || decimals > MAX_DEC) {
        snprintf(digits, sizeof digits, "%.2e", fabs(v));
        char *e = strchr(digits, 'e');
        if (e && e[1] == '-') { /* 1.23e-05 -> 1.23e−5: the true minus, no padding zero */
            *e = 0;
            int x = 0;
            sscanf(e + 2, "%d", &x);
            snprintf(buf, len, "%s%se" FMT_MINUS "%d", sign, digits, x);
        } else
            snprintf(buf, len, "%s%s", sign, digits);
        return buf;
    }
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    if (strspn(digits, "0.") == strlen(digits)) { /* rounds to zero: no sign, no decimals */
        snprintf(buf, len, "0");
        return buf;
    }
    group(grouped, sizeof grouped, digits);
    snprintf(buf, len, "%s%s", sign, grouped);
    return buf;
}

char *fmt_sig(char *buf, size_t len, double v, int sig)
{
    fmt_fixed(buf, len, v, decimals_raw(0, v, sig), 0);
    if (strchr(buf, '.') && !strchr(buf, 'e')) {
        char *end = buf + strlen(buf);
        while (end[-1] == '0')
            *--end = 0;
        if (end[-1] == '.')
            end[-1] = 0;
    }
    return buf;
}

/* Half the width of [lo, hi], or the distance from the centre c to the farther bound
 * when the interval is not centred (percentiles). */
static double half_width(double c, double lo, double hi)
{
    double a = fabs(c - lo), b = fabs(hi - c);
    double h = a > b ? a : b;
    return isfinite(c) ? h : (hi - lo) / 2;
}

static char *interval(char *buf, size_t len, double x, double lo, double hi, int d, int plus,
                      const char *unit)
{
    char a[64], b[64], c[64];
    fmt_fixed(a, sizeof a, x, d, plus);
    fmt_fixed(b, sizeof b, lo, d, plus);
    fmt_fixed(c, sizeof c, hi, d, plus);
    snprintf(buf, len, "%s%s [%s%s" FMT_NBSP "to" FMT_NBSP "%s%s]", a, unit, b, unit, c, unit);
    return buf;
}

char *fmt_mean_ci(char *buf, size_t len, double mean, double lo, double hi)
{
    if (isnan(lo) || isnan(hi))
        return fmt_sig(buf, len, mean, 4);
    if (lo == hi && hi == mean) {
        char a[64];
        snprintf(buf, len, "%s in every run", fmt_sig(a, sizeof a, mean, 4));
        return buf;
    }
    return interval(buf, len, mean, lo, hi, fmt_decimals(half_width(mean, lo, hi), mean, 4), 0,
                    "");
}

int fmt_is_zero(double diff, double lo, double hi)
{
    char a[64];
    int d = fmt_decimals(half_width(diff, lo, hi), diff, 4);
    if (!(half_width(diff, lo, hi) > 0))
        return fabs(diff) <= 1e-12 * (fabs(lo) + fabs(hi) + 1e-300) || diff == 0;
    return !strcmp(fmt_fixed(a, sizeof a, diff, d, 0), "0");
}

char *fmt_diff_ci(char *buf, size_t len, double diff, double lo, double hi)
{
    if (isnan(lo) || isnan(hi)) {
        char a[64];
        fmt_sig(a, sizeof a, diff, 4);
        snprintf(buf, len, "%s%s", diff > 0 ? "+" : "", a);
        return buf;
    }
    if (lo == hi && hi == diff && diff == 0) {
        snprintf(buf, len, "0");
        return buf;
    }
    return interval(buf, len, diff, lo, hi, fmt_decimals(half_width(diff, lo, hi), diff, 4), 1,
                    "");
}

char *fmt_pct_ci(char *buf, size_t len, double diff, double lo, double hi, double base)
{
    if (!(base != 0) || !isfinite(base) || !isfinite(diff)) {
        snprintf(buf, len, "n/a");
        return buf;
    }
    double s = 100 / fabs(base);
    if (isnan(lo) || isnan(hi) || (lo == hi && hi == diff)) {
        char a[64];
        if (diff == 0)
            snprintf(buf, len, "0%%");
        else
            snprintf(buf, len, "%s%s%%", diff > 0 ? "+" : "", fmt_sig(a, sizeof a, s * diff, 2));
        return buf;
    }
    return interval(buf, len, s * diff, s * lo, s * hi,
                    fmt_decimals(half_width(s * diff, s * lo, s * hi), s * diff, 2), 1, "%");
}
