/* params.c — the registry table and typed parsing/validation. See params.h. */
#include "model/core/params.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const param_def params_table[] = {
#define PARAM_NUM(id, path, def, lo, hi, unit, doc) \
    {path, PT_NUM, offsetof(crc_params, id), def, lo, hi, unit, NULL, doc, {0, 0, 0}},
#define PARAM_INT(id, path, def, lo, hi, unit, doc) \
    {path, PT_INT, offsetof(crc_params, id), def, lo, hi, unit, NULL, doc, {0, 0, 0}},
#define PARAM_BOOL(id, path, def, doc) \
    {path, PT_BOOL, offsetof(crc_params, id), def, 0, 1, "", NULL, doc, {0, 0, 0}},
#define PARAM_ENUM(id, path, def, choices, doc) \
    {path, PT_ENUM, offsetof(crc_params, id), def, 0, 0, "", choices, doc, {0, 0, 0}},
#define PARAM_DIST(id, path, kind, a, b, lo, hi, unit, doc) \
    {path, PT_DIST, offsetof(crc_params, id), 0, lo, hi, unit, NULL, doc, {kind, a, b}},
#include "model/core/params.def"
#undef PARAM_NUM
#undef PARAM_INT
#undef PARAM_BOOL
#undef PARAM_ENUM
#undef PARAM_DIST
};

const size_t params_count = sizeof params_table / sizeof params_table[0];

void params_defaults(crc_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < params_count; i++) {
        crc_pvalue v = {params_table[i].def, params_table[i].def_dist};
        params_assign(p, &params_table[i], &v);
    }
}

const param_def *params_find(const char *path)
{
    /* The first-character test skips most strcmp calls (the loader calls this for
     * every key of a resolved scenario). */
    for (size_t i = 0; i < params_count; i++)
        if (params_table[i].path[0] == path[0] && strcmp(params_table[i].path, path) == 0)
            return &params_table[i];
    return NULL;
}

size_t params_index(const param_def *d) { return (size_t)(d - params_table); }

/* Levenshtein distance, bounded to short strings (paths are < 128 chars); stops early
 * and returns a value above bound once every alignment costs more than bound. */
static size_t edit_distance(const char *a, const char *b, size_t bound)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127 || lb > 127)
        return SIZE_MAX;
    size_t row[128];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        size_t row_min = row[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
            if (best < row_min)
                row_min = best;
        }
        if (row_min > bound)
            return bound + 1;
    }
    return row[lb];
}

const char *params_nearest(const char *path)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    /* A path whose last segment matches a known last segment is a strong hint. */
    const char *tail = strrchr(path, '.');
    tail = tail ? tail + 1 : path;
    size_t plen = strlen(path);
    for (size_t i = 0; i < params_count; i++) {
        /* The distance is at least the difference in length: skip hopeless candidates
         * (a match needs d <= max(len/3, 3), or twice that with the same last segment). */
        size_t qlen = strlen(params_table[i].path);
        size_t diff = plen > qlen ? plen - qlen : qlen - plen;
        size_t bound = 2 * (plen / 3 > 3 ? plen / 3 : 3) + 2;
        if (diff > bound)
            continue;
        size_t d = edit_distance(path, params_table[i].path, bound);
        const char *t = strrchr(params_table[i].path, '.');
        if (t && strcmp(t + 1, tail) == 0 && d > 2)
            d = d / 2;
        if (d < best_d) {
            best_d = d;
            best = params_table[i].path;
        }
    }
    size_t len = strlen(path);
    return best && best_d <= (len / 3 > 3 ? len / 3 : 3) ? best : NULL;
}

int params_enum_index(const param_def *d, const char *name)
{
    if (!d->choices)
        return -1;
    size_t n = strlen(name);
    int i = 0;
    for (const char *c = d->choices; *c; i++) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, name, n) == 0)
            return i;
        if (!bar)
            break;
        c = bar + 1;
    }
    return -1;
}

void params_enum_name(const param_def *d, int i, char *buf, size_t len)
{
    buf[0] = '\0';
    const char *c = d->choices;
    for (int k = 0; c && k < i; k++) {
        c = strchr(c, '|');
        if (c)
            c++;
    }
    if (!c || i < 0)
        return;
    const char *bar = strchr(c, '|');
    size_t n = bar ? (size_t)(bar - c) : strlen(c);
    snprintf(buf, len, "%.*s", (int)n, c);
}

static void range_text(const param_def *d, char *buf, size_t len)
{
    const char *u = d->unit && d->unit[0] ? d->unit : "";
    if (d->type == PT_INT)
        snprintf(buf, len, "a whole number from %.0f to %.0f%s%s", d->lo, d->hi, u[0] ? " " : "", u);
    else
        snprintf(buf, len, "a number from %g to %g%s%s", d->lo, d->hi, u[0] ? " " : "", u);
}

int params_check(const param_def *d, const crc_pvalue *v, crc_err *err)
{
    char allowed[160];
    switch (d->type) {
    case PT_NUM:
    case PT_INT:
        if (isfinite(v->x) && v->x >= d->lo && v->x <= d->hi &&
            (d->type != PT_INT || v->x == floor(v->x)))
            return CRC_OK;
        range_text(d, allowed, sizeof allowed);
        /* The value in as many digits as it takes to tell it from the bound it
         * crosses: 100000.0000000001 is not "100000". */
        char num[40];
        params_format_number(v->x, num, sizeof num);
        if (!isfinite(v->x) || v->x < d->lo || v->x > d->hi)
            return crc_err_set(err, CRC_EINPUT, "%s: %s is out of range; expected %s", d->path,
                               num, allowed);
        return crc_err_set(err, CRC_EINPUT, "%s: %s is not a whole number; expected %s",
                           d->path, num, allowed);
    case PT_BOOL:
        if (v->x != 0 && v->x != 1)
            return crc_err_set(err, CRC_EINPUT, "%s: expected true or false", d->path);
        return CRC_OK;
    case PT_ENUM: {
        char name[64];
        params_enum_name(d, (int)v->x, name, sizeof name);
        if (v->x != floor(v->x) || !name[0])
            return crc_err_set(err, CRC_EINPUT, "%s: expected one of %s", d->path, d->choices);
        return CRC_OK;
    }
    case PT_DIST: {
        crc_err e;
        crc_err_clear(&e);
        if (dist_validate(&v->d, &e) != CRC_OK)
            return crc_err_set(err, CRC_EINPUT, "%s: %s", d->path, e.msg);
        double m = dist_mean(&v->d);
        if (!(m >= d->lo && m <= d->hi))
            return crc_err_set(err, CRC_EINPUT,
                               "%s: the distribution's mean %g lies outside the allowed values "
                               "[%g, %g]%s%s",
                               d->path, m, d->lo, d->hi, d->unit[0] ? " " : "", d->unit);
        return CRC_OK;
    }
    }
    return crc_err_set(err, CRC_EFAIL, "%s: unknown parameter type", d->path);
}

/* 1 when s[0..n) are all decimal digits (n > 0). */
static int all_digits(const char *s, size_t n, int max_digit)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > max_digit)
            return 0;
    return 1;
}

int params_parse_number(const char *text, double *out, char *why, size_t whylen)
{
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (!n) {
        snprintf(why, whylen, "no number given");
        return -1;
    }
    const char *m = s + (*s == '+' || *s == '-'); /* magnitude, after the sign */
    size_t mn = n - (size_t)(m - s);
    char tmp[64];
    /* Hexadecimal (0x10, 0x1p3) and YAML 1.2 octal (0o10): C and YAML read them, we
     * do not, so that every number in a scenario reads the same to every reader. */
    if (mn > 1 && m[0] == '0' && (m[1] == 'x' || m[1] == 'X' || m[1] == 'o' || m[1] == 'O')) {
        int hex = m[1] == 'x' || m[1] == 'X';
        double x = 0;
        if (hex) {
            char *end;
            x = strtod(s, &end);
            if (end != s + n)
                x = NAN;
        } else if (all_digits(m + 2, mn - 2, '7')) {
            x = (double)strtoull(m + 2, NULL, 8) * (*s == '-' ? -1 : 1);
        } else {
            x = NAN;
        }
        if (isfinite(x)) {
            params_format_number(x, tmp, sizeof tmp);
            snprintf(why, whylen, "'%.*s' is %s; numbers are written in decimal: write %s",
                     (int)(n < 64 ? n : 64), s, hex ? "hexadecimal" : "octal", tmp);
        } else {
            snprintf(why, whylen, "'%.*s' is not a number; numbers are written in decimal "
                     "(e.g. 16, 0.25, 1e-3)", (int)(n < 64 ? n : 64), s);
        }
        return -1;
    }
    /* The grammar: digits with an optional fraction and exponent (YAML 1.2's core
     * schema without .inf/.nan). */
    size_t i = 0, int_digits = 0, frac_digits = 0;
    while (i < mn && m[i] >= '0' && m[i] <= '9')
        i++, int_digits++;
    if (i < mn && m[i] == '.') {
        i++;
        while (i < mn && m[i] >= '0' && m[i] <= '9')
            i++, frac_digits++;
    }
    int ok = int_digits + frac_digits > 0;
    if (ok && i < mn && (m[i] == 'e' || m[i] == 'E')) {
        i++;
        if (i < mn && (m[i] == '+' || m[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < mn && m[i] >= '0' && m[i] <= '9')
            i++;
        ok = i > e0;
    }
    if (!ok || i != mn) {
        int special = mn >= 3 && (!strncasecmp(m, "inf", 3) || !strncasecmp(m, "nan", 3) ||
                                  !strncasecmp(m, ".inf", 4) || !strncasecmp(m, ".nan", 4));
        snprintf(why, whylen, "'%.*s' is not %s", (int)(n < 64 ? n : 64), s,
                 special ? "a number (only finite decimal numbers are)" : "a number");
        return -1;
    }
    /* A leading zero before more digits: YAML 1.1 reads 010 as octal 8, YAML 1.2 (and
     * C's strtod) as decimal 10. Refuse the ambiguity rather than guess. */
    if (int_digits > 1 && m[0] == '0') {
        size_t z = 0;
        while (z + 1 < int_digits && m[z] == '0')
            z++;
        if (frac_digits == 0 && i == int_digits && all_digits(m, int_digits, '7'))
            snprintf(why, whylen, "'%.*s' has a leading zero, which YAML 1.1 reads as octal "
                     "(%llu) and YAML 1.2 as decimal (%.*s); write %s%.*s or %s%llu",
                     (int)(n < 64 ? n : 64), s, strtoull(m, NULL, 8),
                     (int)(int_digits - z), m + z, *s == '-' ? "-" : "",
                     (int)(int_digits - z), m + z, *s == '-' ? "-" : "",
                     strtoull(m, NULL, 8));
        else
            snprintf(why, whylen, "'%.*s' has a leading zero; write %s%.*s without it",
                     (int)(n < 64 ? n : 64), s, *s == '-' ? "-" : "",
                     (int)(mn - z < 64 ? mn - z : 64), m + z);
        return -1;
    }
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    /* strtod flags underflow (subnormals such as 4.9e-324, or values that round to 0)
     * with ERANGE too: those are numbers, and the range check decides. Overflow is not. */
    if (!isfinite(x)) {
        snprintf(why, whylen, "'%.*s' is not a number: it is too large (beyond 1.8e308)",
                 (int)(n < 64 ? n : 64), s);
        return -1;
    }
    *out = x;
    return 0;
}

/* Parses a whole string as a finite decimal number; 0 on success. */
static int parse_double(const char *s, double *out)
{
    char why[8];
    return params_parse_number(s, out, why, sizeof why);
}

/* "beta(8, 2)", "beta(a=8, b=2)", "const(3)". */
static int parse_dist_call(const char *text, crc_dist *out)
{
    char name[32];
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    if (!open || !close || close < open || (size_t)(open - text) >= sizeof name)
        return -1;
    for (const char *c = close + 1; *c; c++)
        if (!isspace((unsigned char)*c))
            return -1;
    snprintf(name, sizeof name, "%.*s", (int)(open - text), text);
    int kind = dist_kind_from_name(name);
    if (kind < 0)
        return -1;
    char args[256];
    if ((size_t)(close - open - 1) >= sizeof args)
        return -1;
    snprintf(args, sizeof args, "%.*s", (int)(close - open - 1), open + 1);
    double v[2] = {0, 0};
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(args, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (n >= 2 || parse_double(eq ? eq + 1 : tok, &v[n]) != 0)
            return -1;
        n++;
    }
    if (n != dist_nargs(kind))
        return -1;
    out->kind = kind;
    out->a = v[0];
    out->b = v[1];
    return 0;
}

int params_parse(const param_def *d, const char *text, crc_pvalue *out, crc_err *err)
{
    char why[200];
    memset(out, 0, sizeof *out);
    switch (d->type) {
    case PT_NUM:
    case PT_INT:
        if (params_parse_number(text, &out->x, why, sizeof why) != 0) {
            char allowed[160];
            range_text(d, allowed, sizeof allowed);
            return crc_err_set(err, CRC_EINPUT, "%s: %s; expected %s", d->path, why, allowed);
        }
        break;
    case PT_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "on") ||
            !strcmp(text, "1"))
            out->x = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "off") ||
                 !strcmp(text, "0"))
            out->x = 0;
        else
            return crc_err_set(err, CRC_EINPUT, "%s: '%s' is not a boolean; expected true or false",
                               d->path, text);
        break;
    case PT_ENUM: {
        int i = params_enum_index(d, text);
        if (i < 0)
            return crc_err_set(err, CRC_EINPUT, "%s: '%s' is not allowed; expected one of %s",
                               d->path, text, d->choices);
        out->x = i;
        break;
    }
    case PT_DIST: {
        double c;
        const char *t = text;
        while (isspace((unsigned char)*t))
            t++;
        if (params_parse_number(text, &c, why, sizeof why) == 0) {
            out->d.kind = DIST_CONST;
            out->d.a = c;
        } else if (*t == '+' || *t == '-' || *t == '.' || isdigit((unsigned char)*t)) {
            return crc_err_set(err, CRC_EINPUT, "%s: %s", d->path, why);
        } else if (parse_dist_call(text, &out->d) != 0) {
            return crc_err_set(err, CRC_EINPUT,
                               "%s: '%s' is not a distribution; write a number, or e.g. "
                               "beta(8,2), uniform(0.1,0.9), normal(1,0.2), lognormal(0,0.5), "
                               "gamma(2,1.5), exponential(30), const(3)",
                               d->path, text);
        }
        break;
    }
    }
    return params_check(d, out, err);
}

void params_assign(crc_params *p, const param_def *d, const crc_pvalue *v)
{
    char *base = (char *)p + d->offset;
    switch (d->type) {
    case PT_NUM: *(double *)(void *)base = v->x; break;
    case PT_INT: *(long *)(void *)base = (long)v->x; break;
    case PT_BOOL:
    case PT_ENUM: *(int *)(void *)base = (int)v->x; break;
    case PT_DIST: *(crc_dist *)(void *)base = v->d; break;
    }
}

void params_read(const crc_params *p, const param_def *d, crc_pvalue *out)
{
    const char *base = (const char *)p + d->offset;
    memset(out, 0, sizeof *out);
    switch (d->type) {
    case PT_NUM: out->x = *(const double *)(const void *)base; break;
    case PT_INT: out->x = (double)*(const long *)(const void *)base; break;
    case PT_BOOL:
    case PT_ENUM: out->x = *(const int *)(const void *)base; break;
    case PT_DIST: out->d = *(const crc_dist *)(const void *)base; break;
    }
}

/* Shortest "%.Ng" text that reads back as exactly x (at most 17 digits), without an
 * exponent for numbers whose integer part has at most 17 digits (180, not 1.8e+02). */
void params_format_number(double x, char *buf, size_t len)
{
    char tmp[40];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    double ax = fabs(x);
    if (isfinite(ax) && ax >= 1 && ax < 1e17) {
        int digits = (int)floor(log10(ax)) + 1;
        if (digits > prec)
            prec = digits;
    }
    snprintf(tmp, sizeof tmp, "%.*g", prec, x);
    snprintf(buf, len, "%s", tmp);
}

void params_format_value(const param_def *d, const crc_pvalue *v, char *buf, size_t len)
{
    char a[40], b[40];
    switch (d->type) {
    case PT_NUM: params_format_number(v->x, buf, len); break;
    case PT_INT: snprintf(buf, len, "%ld", (long)v->x); break;
    case PT_BOOL: snprintf(buf, len, "%s", v->x != 0 ? "true" : "false"); break;
    case PT_ENUM: params_enum_name(d, (int)v->x, buf, len); break;
    case PT_DIST: {
        const char *name = dist_kind_name(v->d.kind);
        params_format_number(v->d.a, a, sizeof a);
        params_format_number(v->d.b, b, sizeof b);
        if (!name)
            snprintf(buf, len, "invalid");
        else if (dist_nargs(v->d.kind) == 1)
            snprintf(buf, len, "%s(%s)", name, a);
        else
            snprintf(buf, len, "%s(%s,%s)", name, a, b);
        break;
    }
    }
}

void params_format(const crc_params *p, const param_def *d, char *buf, size_t len)
{
    crc_pvalue v;
    params_read(p, d, &v);
    params_format_value(d, &v, buf, len);
}

const char *params_type_name(param_type t)
{
    switch (t) {
    case PT_NUM: return "number";
    case PT_INT: return "integer";
    case PT_BOOL: return "bool";
    case PT_ENUM: return "enum";
    case PT_DIST: return "distribution";
    }
    return "?";
}

void params_allowed(const param_def *d, char *buf, size_t len)
{
    char lo[40], hi[40];
    const char *u = d->unit ? d->unit : "";
    switch (d->type) {
    case PT_NUM:
    case PT_INT: range_text(d, buf, len); break;
    case PT_BOOL: snprintf(buf, len, "true or false"); break;
    case PT_ENUM: snprintf(buf, len, "one of %s", d->choices ? d->choices : ""); break;
    case PT_DIST:
        params_format_number(d->lo, lo, sizeof lo);
        params_format_number(d->hi, hi, sizeof hi);
        snprintf(buf, len,
                 "a number, or a distribution {dist: const|uniform|normal|lognormal|beta|gamma|"
                 "exponential, ...} whose mean lies in [%s, %s]%s%s",
                 lo, hi, u[0] ? " " : "", u);
        break;
    }
}

int params_is_group(const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < params_count; i++)
        if (strncmp(params_table[i].path, prefix, n) == 0 && params_table[i].path[n] == '.')
            return 1;
    return 0;
}

const char *params_nearest_word(const char *word, const char *const *words, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t dd = edit_distance(word, words[i], SIZE_MAX - 1);
        if (dd < best_d) {
            best_d = dd;
            best = words[i];
        }
    }
    size_t len = strlen(word);
    return best && best_d <= (len / 3 > 1 ? len / 3 : 1) ? best : NULL;
}
