/* tranches.c — the allocation table of a scenario, from YAML or CSV (tranches.h). */
#include "scenario/tranches.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/core/params.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CSV_MAX_BYTES ((size_t)1 << 20)

enum { K_NAME, K_SHARE, K_ROLE, K_TGE, K_CLIFF, K_VESTING, K_SHAPE, K_SELL, K_COUNT };
static const char *const keys[K_COUNT] = {"name", "share", "role", "tge", "cliff_months",
                                          "vesting_months", "shape", "sell"};
static const char *const roles[TR_ROLES] = {"holder", "reserve", "liquidity", "market",
                                            "treasury", "ecosystem"};
static const char *const shapes[TR_SHAPES] = {"linear", "monthly"};

/* Where problems go, and whether any was found. */
typedef struct sink {
    const char *file;
    tranche_report rep;
    void *ctx;
    int bad;
} sink;

__attribute__((format(printf, 4, 5))) static void say(sink *s, int line, int col,
                                                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->bad = 1;
    s->rep(s->ctx, s->file, line, col, msg);
}

static int word_index(const char *w, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(w, words[i]))
            return i;
    return -1;
}

/* " (did you mean 'x'?)" or "". */
static void nearest(char *buf, size_t len, const char *w, const char *const *words, size_t n)
{
    const char *near = params_nearest_word(w, words, n);
    if (near)
        snprintf(buf, len, " (did you mean '%s'?)", near);
    else
        buf[0] = 0;
}

/* Sets field k of row tr from text (plain: 1 when the YAML scalar was unquoted, so a
 * number may be read from it). Reports at (line, col). */
static void set_field(sink *s, crc_tranche *tr, int k, const char *text, int plain, int line,
                      int col)
{
    char hint[96];
    if (k == K_NAME) {
        size_t n = strlen(text);
        int ok = n > 0 && n < CRC_TRANCHE_NAME;
        for (size_t i = 0; ok && i < n; i++) {
            char c = text[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        }
        if (!ok)
            say(s, line, col, "tranche name '%s': use 1 to %d letters, digits, '-', '_' or '.'",
                text, CRC_TRANCHE_NAME - 1);
        else
            memcpy(tr->name, text, n + 1);
        return;
    }
    if (k == K_ROLE || k == K_SHAPE) {
        const char *const *w = k == K_ROLE ? roles : shapes;
        int n = k == K_ROLE ? TR_ROLES : TR_SHAPES;
        int i = word_index(text, w, n);
        if (i < 0) {
            nearest(hint, sizeof hint, text, w, (size_t)n);
            say(s, line, col, "%s: '%s' is not one of %s%s", keys[k], text,
                k == K_ROLE ? CRC_TRANCHE_ROLES : CRC_TRANCHE_SHAPES, hint);
        } else if (k == K_ROLE) {
            tr->role = i;
        } else {
            tr->shape = i;
        }
        return;
    }
    double x, hi = k == K_CLIFF || k == K_VESTING ? 1200 : 1;
    char why[256];
    if (!plain) {
        say(s, line, col, "%s: \"%s\" is quoted text; write the number without quotes", keys[k],
            text);
        return;
    }
    if (params_parse_number(text, &x, why, sizeof why) != 0) {
        say(s, line, col, "%s: %s", keys[k], why);
        return;
    }
    if (!(x >= 0 && x <= hi)) {
        say(s, line, col, "%s: %s is out of range; use a number from 0 to %g%s", keys[k], text, hi,
            k == K_CLIFF || k == K_VESTING ? " (months)" : "");
        return;
    }
    double *f[K_COUNT] = {[K_SHARE] = &tr->share, [K_TGE] = &tr->tge, [K_CLIFF] = &tr->cliff,
                          [K_VESTING] = &tr->vesting, [K_SELL] = &tr->sell};
    *f[k] = x;
}

/* Checks a finished row (seen[k]: the key was given) and adds it to out. */
static void finish_row(sink *s, crc_tranches *out, crc_tranche *tr, const int *seen, int line,
                       int col)
{
    if (!seen[K_NAME] || !seen[K_SHARE]) {
        say(s, line, col, "a tranche needs %s; write e.g. {name: team, share: 0.15, ...}",
            !seen[K_NAME] ? (!seen[K_SHARE] ? "a name and a share" : "a name") : "a share");
        return;
    }
    if (tr->shape == TR_MONTHLY && tr->vesting != floor(tr->vesting))
        say(s, line, col, "tranche %s: monthly steps need a whole number of vesting_months, not "
            "%g", tr->name, tr->vesting);
    if (seen[K_SELL] && tr->role != TR_HOLDER && tr->sell > 0)
        say(s, line, col, "tranche %s: sell applies to role holder only (a %s tranche never "
            "sells by itself); drop it or make the role holder", tr->name, roles[tr->role]);
    int whole = tr->role == TR_RESERVE || tr->role == TR_LIQUIDITY || tr->role == TR_MARKET;
    if (whole && (tr->cliff > 0 || tr->vesting > 0 || (seen[K_TGE] && tr->tge < 1)))
        say(s, line, col, "tranche %s: a %s tranche is whole at TGE; drop tge, cliff_months and "
            "vesting_months (or make it a holder, treasury or ecosystem tranche)", tr->name,
            roles[tr->role]);
    for (int i = 0; i < out->n; i++)
        if (!strcmp(out->t[i].name, tr->name)) {
            say(s, line, col, "tranche name '%s' is used twice; give each tranche its own name",
                tr->name);
            return;
        }
    if (out->n >= CRC_MAX_TRANCHES) {
        say(s, line, col, "more than %d tranches; merge some", CRC_MAX_TRANCHES);
        return;
    }
    out->t[out->n++] = *tr;
}

static crc_tranche row_defaults(void)
{
    crc_tranche tr;
    memset(&tr, 0, sizeof tr);
    tr.role = TR_HOLDER;
    tr.shape = TR_LINEAR;
    return tr;
}

/* The key's index, or reports it (with the nearest key) and returns -1. */
static int key_of(sink *s, const char *k, int line, int col)
{
    int i = word_index(k, keys, K_COUNT);
    if (i < 0) {
        char hint[96];
        nearest(hint, sizeof hint, k, keys, K_COUNT);
        say(s, line, col, "unknown tranche key '%s'%s; a tranche takes name, share, role, tge, "
            "cliff_months, vesting_months, shape and sell", k, hint);
    }
    return i;
}

static void check_sum(sink *s, const crc_tranches *out, int line, int col)
{
    double sum = 0, liq = 0;
    for (int i = 0; i < out->n; i++) {
        sum += out->t[i].share;
        if (out->t[i].role == TR_LIQUIDITY)
            liq += out->t[i].share;
    }
    if (out->n == 0)
        say(s, line, col, "tranches: the table is empty; list at least one tranche, or drop "
            "the key to use allocation.*");
    else if (fabs(sum - 1) > 1e-9)
        say(s, line, col, "tranches: the shares sum to %.10g, not 1; raise or lower a share "
            "by %.10g", sum, 1 - sum);
    else if (!(liq > 0))
        say(s, line, col, "tranches: no row with role liquidity and a share above 0; the AMM "
            "needs tokens to trade (add one, e.g. {name: liquidity, share: 0.05, role: "
            "liquidity})");
}

/* ---- YAML ---------------------------------------------------------------------------- */

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static int col_of(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static void yaml_rows(sink *s, yaml_document_t *doc, const yaml_node_t *v, crc_tranches *out)
{
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        const yaml_node_t *m = yaml_document_get_node(doc, *it);
        if (!m || m->type != YAML_MAPPING_NODE) {
            say(s, m ? line_of(m) : 0, m ? col_of(m) : 0,
                "a tranche is a mapping such as {name: team, share: 0.15, cliff_months: 12}");
            continue;
        }
        crc_tranche tr = row_defaults();
        int seen[K_COUNT] = {0};
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
             p++) {
            const yaml_node_t *kn = yaml_document_get_node(doc, p->key);
            const yaml_node_t *vn = yaml_document_get_node(doc, p->value);
            if (!kn || kn->type != YAML_SCALAR_NODE) {
                say(s, line_of(m), col_of(m), "a tranche key must be a plain word");
                continue;
            }
            int k = key_of(s, (const char *)kn->data.scalar.value, line_of(kn), col_of(kn));
            if (k < 0)
                continue;
            if (seen[k]) {
                say(s, line_of(kn), col_of(kn), "%s is given twice in this tranche", keys[k]);
                continue;
            }
            seen[k] = 1;
            if (!vn || vn->type != YAML_SCALAR_NODE) {
                say(s, line_of(kn), col_of(kn), "%s: expected one value, not a list or mapping",
                    keys[k]);
                continue;
            }
            set_field(s, &tr, k, (const char *)vn->data.scalar.value,
                      vn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, line_of(vn), col_of(vn));
        }
        finish_row(s, out, &tr, seen, line_of(m), col_of(m));
    }
}

/* ---- CSV ----------------------------------------------------------------------------- */

/* The CSV path: name as written when absolute, else relative to the scenario's
 * directory. */
static void csv_path(char *buf, size_t len, const char *file, const char *name)
{
    const char *slash = strrchr(file, '/');
    if (name[0] == '/' || !slash)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%.*s/%s", (int)(slash - file), file, name);
}

/* Splits line (modified in place) at commas into at most max trimmed fields; cols gets
 * each field's 1-based column. Returns the number of fields. */
static int split(char *line, char **f, int *cols, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (n < max) {
            f[n] = p;
            cols[n] = (int)(p - line) + 1;
        }
        n++;
        char *c = strchr(p, ',');
        char *end = c ? c : p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            end--;
        if (c) {
            *end = 0;
            p = c + 1;
        } else {
            *end = 0;
            return n;
        }
    }
}

static void csv_rows(sink *s, const char *text, crc_tranches *out)
{
    int col_key[K_COUNT + 8], ncols = 0, lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[4096];
        if (len >= sizeof line) {
            say(s, lineno, 1, "line longer than %zu characters", sizeof line - 1);
            return;
        }
        memcpy(line, p, len);
        line[len] = 0;
        p = nl ? nl + 1 : p + len;
        char *q = line;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (!*q || *q == '#')
            continue;
        char *f[K_COUNT + 8];
        int cols[K_COUNT + 8];
        int n = split(line, f, cols, (int)NELEM(f));
        if (n > (int)NELEM(f)) {
            say(s, lineno, 1, "%d columns; a tranche table has at most %d", n, K_COUNT);
            return;
        }
        if (ncols == 0) { /* the header */
            int seen[K_COUNT] = {0};
            for (int i = 0; i < n; i++) {
                int k = key_of(s, f[i], lineno, cols[i]);
                if (k >= 0 && seen[k]) {
                    say(s, lineno, cols[i], "column %s appears twice", keys[k]);
                    k = -1;
                }
                if (k >= 0)
                    seen[k] = 1;
                col_key[i] = k;
            }
            if (!seen[K_NAME] || !seen[K_SHARE])
                say(s, lineno, 1, "the header must name the columns name and share (and any of "
                    "role, tge, cliff_months, vesting_months, shape, sell)");
            ncols = n;
            if (s->bad)
                return;
            continue;
        }
        if (n != ncols) {
            say(s, lineno, cols[n < ncols ? n - 1 : ncols], "%d fields; the header names %d", n,
                ncols);
            continue;
        }
        crc_tranche tr = row_defaults();
        int seen[K_COUNT] = {0};
        for (int i = 0; i < n; i++) {
            if (col_key[i] < 0 || !f[i][0])
                continue; /* an empty field keeps the default */
            seen[col_key[i]] = 1;
            set_field(s, &tr, col_key[i], f[i], 1, lineno, cols[i]);
        }
        finish_row(s, out, &tr, seen, lineno, 1);
    }
    if (ncols == 0)
        say(s, 1, 1, "no header line; the first line names the columns (name,share,role,...)");
}

static void csv_load(sink *s, const yaml_node_t *v, crc_tranches *out)
{
    char path[1024];
    csv_path(path, sizeof path, s->file, (const char *)v->data.scalar.value);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        say(s, line_of(v), col_of(v), "tranches: cannot open '%s'; name a CSV file relative "
            "to this scenario, or write the table as a YAML list", path);
        return;
    }
    char *buf = malloc(CSV_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, CSV_MAX_BYTES + 1, fp) : 0;
    fclose(fp);
    if (!buf || n > CSV_MAX_BYTES) {
        say(s, line_of(v), col_of(v), buf ? "tranches: '%s' is larger than 1 MB" :
            "tranches: out of memory reading '%s'", path);
        free(buf);
        return;
    }
    buf[n] = 0;
    if (memchr(buf, 0, n)) {
        say(s, line_of(v), col_of(v), "tranches: '%s' is not a text file", path);
        free(buf);
        return;
    }
    sink cs = {path, s->rep, s->ctx, 0};
    csv_rows(&cs, buf, out);
    free(buf);
    if (cs.bad) {
        s->bad = 1;
        return;
    }
    check_sum(&cs, out, 1, 1);
    s->bad |= cs.bad;
}

int tranches_load(const char *file, yaml_document_t *doc, const yaml_node_t *v,
                  crc_tranches *out, tranche_report rep, void *ctx)
{
    sink s = {file, rep, ctx, 0};
    memset(out, 0, sizeof *out);
    if (v->type == YAML_SEQUENCE_NODE) {
        yaml_rows(&s, doc, v, out);
        if (!s.bad)
            check_sum(&s, out, line_of(v), col_of(v));
    } else if (v->type == YAML_SCALAR_NODE && v->data.scalar.length > 0) {
        csv_load(&s, v, out);
    } else {
        say(&s, line_of(v), col_of(v), "tranches: expected a list of {name, share, ...} or the "
            "name of a CSV file");
    }
    if (s.bad)
        memset(out, 0, sizeof *out);
    return s.bad ? -1 : 0;
}

char *tranches_text(const crc_tranches *t)
{
    if (t->n <= 0)
        return NULL;
    size_t cap = 64 + (size_t)t->n * 400, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    len += (size_t)snprintf(buf, cap, "tranches:\n");
    for (int i = 0; i < t->n; i++) {
        const crc_tranche *tr = &t->t[i];
        char sh[40], tg[40], cl[40], ve[40], se[40];
        params_format_number(tr->share, sh, sizeof sh);
        params_format_number(tr->tge, tg, sizeof tg);
        params_format_number(tr->cliff, cl, sizeof cl);
        params_format_number(tr->vesting, ve, sizeof ve);
        params_format_number(tr->sell, se, sizeof se);
        int whole = tr->role == TR_RESERVE || tr->role == TR_LIQUIDITY || tr->role == TR_MARKET;
        if (whole)
            len += (size_t)snprintf(buf + len, cap - len,
                                    "  - {name: \"%s\", share: %s, role: %s}\n", tr->name, sh,
                                    roles[tr->role]);
        else
            len += (size_t)snprintf(buf + len, cap - len,
                                    "  - {name: \"%s\", share: %s, role: %s, tge: %s, "
                                    "cliff_months: %s, vesting_months: %s, shape: %s, sell: %s}\n",
                                    tr->name, sh, roles[tr->role], tg, cl, ve, shapes[tr->shape],
                                    se);
    }
    return buf;
}
