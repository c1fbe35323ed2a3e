/*
 * scenario_text.c — the canonical, fully resolved text of a scenario and its hash
 * (see scenario.h).
 *
 * The text is what the results database stores with every run, so that a run can be
 * reproduced from its record alone: every registry parameter in registry order (not
 * only the ones the file named), the interventions in time order and the criteria. It
 * is itself a valid scenario file, and loading it gives back the same scenario; the
 * numbers use the shortest form that reads back as the same double (params_format).
 */
#include "scenario/scenario.h"
#include "scenario/tranches.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string; oom latches on the first failed allocation. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_grow(sbuf *b, size_t need)
{
    if (b->oom || b->n + need + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

__attribute__((format(printf, 2, 3))) static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    sb_grow(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, or 0 when it is
 * not well-formed (*cp is then the byte). */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned char c = s[0];
    size_t len;
    unsigned long min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
        *cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
        *cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
        *cp = c & 0x07;
    } else {
        *cp = c;
        return 0;
    }
    if (len > n) {
        *cp = c;
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = c;
            return 0;
        }
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) {
        *cp = c;
        return 0;
    }
    return len;
}

/* Writes s as a YAML double-quoted scalar. Characters YAML does not allow raw
 * (controls, C1, U+FFFE/U+FFFF) and those it would fold as line breaks (U+0085,
 * U+2028, U+2029) are escaped so that the text reads back as s; a byte
 * that is not UTF-8 (impossible for text libyaml accepted) becomes U+FFFD. */
static void sb_quoted(sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        if (len == 0) {
            sb_printf(b, "\\uFFFD");
            i++;
            continue;
        }
        if (cp == '"')
            sb_printf(b, "\\\"");
        else if (cp == '\\')
            sb_printf(b, "\\\\");
        else if (cp == '\n')
            sb_printf(b, "\\n");
        else if (cp == '\t')
            sb_printf(b, "\\t");
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            sb_printf(b, "\\x%02lX", cp);
        else if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
            sb_printf(b, "\\u%04lX", cp);
        else
            sb_printf(b, "%.*s", (int)len, (const char *)(u + i));
        i += len;
    }
    sb_printf(b, "\"");
}

static const char *const stat_text[] = {[CRIT_END] = "end", [CRIT_MAX] = "max",
                                        [CRIT_MIN] = "min", [CRIT_MEAN] = "mean"};
static const char *const op_text[] = {[CRIT_LT] = "<", [CRIT_LE] = "<=", [CRIT_GT] = ">",
                                      [CRIT_GE] = ">=", [CRIT_EQ] = "==", [CRIT_NE] = "!="};

char *scenario_resolved_text(const scenario *sc)
{
    sbuf b = {NULL, 0, 0, 0};
    char buf[256];
    sb_printf(&b, "name: ");
    sb_quoted(&b, sc->name);
    sb_printf(&b, "\n");
    if (sc->description) {
        sb_printf(&b, "description: ");
        sb_quoted(&b, sc->description);
        sb_printf(&b, "\n");
    }
    sb_printf(&b, "seed: %" PRIu64 "\nreplicates: %ld\nparams:\n", sc->seed, sc->replicates);
    for (size_t i = 0; i < params_count; i++) {
        params_format(&sc->params, &params_table[i], buf, sizeof buf);
        sb_printf(&b, "  %s: %s\n", params_table[i].path, buf);
    }
    char *tt = tranches_text(&sc->params.tranches); /* NULL: no table */
    if (tt)
        sb_printf(&b, "%s", tt);
    free(tt);
    if (sc->n_interventions == 0)
        sb_printf(&b, "interventions: []\n");
    else
        sb_printf(&b, "interventions:\n");
    for (size_t i = 0; i < sc->n_interventions; i++) {
        const crc_intervention *iv = &sc->interventions[i];
        params_format_number(iv->t, buf, sizeof buf);
        sb_printf(&b, "  - at: %s\n", buf);
        params_format_value(iv->param, &iv->value, buf, sizeof buf);
        sb_printf(&b, "    set:\n      %s: %s\n", iv->param->path, buf);
    }
    if (sc->n_criteria == 0)
        sb_printf(&b, "criteria: []\n");
    else
        sb_printf(&b, "criteria:\n");
    for (size_t i = 0; i < sc->n_criteria; i++) {
        const crc_criterion *c = &sc->criteria[i];
        sb_printf(&b, "  - name: ");
        sb_quoted(&b, c->name);
        sb_printf(&b, "\n    metric: ");
        sb_quoted(&b, c->metric);
        params_format_number(c->value, buf, sizeof buf);
        sb_printf(&b, "\n    at: %s\n    op: \"%s\"\n    value: %s\n",
                  c->stat >= 0 && c->stat <= CRIT_MEAN ? stat_text[c->stat] : "end",
                  c->op >= 0 && c->op <= CRIT_NE ? op_text[c->op] : "==", buf);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

void scenario_hash(const scenario *sc, char out[17])
{
    /* FNV-1a, 64-bit: offset basis 14695981039346656037, prime 1099511628211. */
    uint64_t h = UINT64_C(14695981039346656037);
    char *text = scenario_resolved_text(sc);
    if (!text) {
        snprintf(out, 17, "%016" PRIx64, (uint64_t)0);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    free(text);
    snprintf(out, 17, "%016" PRIx64, h);
}
