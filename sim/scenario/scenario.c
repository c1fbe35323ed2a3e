/*
 * scenario.c — reads scenario YAML into a scenario (see scenario.h).
 *
 * Files are parsed with libyaml's document API so that every node keeps its start
 * mark and every error names file:line:column. Loading is one walk over the document
 * that binds keys to the parameter registry (model/params.h). The walk reports every
 * problem it meets (up to the caller's limit) rather than stopping at the first, so
 * `crucible validate` can list them all in one go.
 *
 * Precedence: registry defaults < the extends chain (loaded first, recursively) < this
 * file; --set overrides (scenario_set) come after loading.
 *
 * Hostile input: the file size, the extends depth, the nesting of parameter groups,
 * the keys per mapping and the number of nodes visited (aliases can make a small
 * document expand exponentially, or refer to themselves) are all bounded. The nesting
 * of the YAML itself and its tags are checked event by event before libyaml builds the
 * document (yamlcheck.h), and the lists of interventions and criteria grow
 * geometrically with a hashed duplicate check, so loading stays O(n log n) in the
 * file's size.
 *
 * Numbers follow one rule everywhere (params_parse_number): decimal only, written
 * plainly; a quoted or !!str-tagged value is text and is refused where a number is
 * expected, with a message saying so.
 */
#include "scenario/scenario.h"
#include "scenario/tranches.h"
#include "scenario/yamlcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

enum {
    SC_MAX_EXTENDS = 16,     /* files in one extends chain                 */
    SC_MAX_NEST = 16,        /* nested parameter groups                    */
    SC_MAX_KEYS = 4096,      /* keys in one mapping                        */
    SC_MAX_ITEMS = 100000,   /* interventions or criteria                  */
    SC_MAX_VISITS = 200000,  /* YAML node visits while loading one file, beyond
                                twice the nodes the file itself holds (only
                                aliases can use more)                      */
    SC_MAX_DESC = 65536,     /* bytes of description                       */
    SC_PATH_LEN = 256        /* longest dotted parameter path              */
};
#define SC_MAX_BYTES ((size_t)16 << 20)

static const char *const top_keys[] = {"name",   "description",   "seed",    "replicates",
                                       "extends", "params", "interventions", "criteria",
                                       "attack", "tranches"};
static const char *const intervention_keys[] = {"at", "set"};
static const char *const criterion_keys[] = {"name", "metric", "at", "op", "value"};
static const char *const stat_names[] = {[CRIT_END] = "end", [CRIT_MAX] = "max",
                                         [CRIT_MIN] = "min", [CRIT_MEAN] = "mean"};
static const char *const op_names[] = {[CRIT_LT] = "<", [CRIT_LE] = "<=", [CRIT_GT] = ">",
                                       [CRIT_GE] = ">=", [CRIT_EQ] = "==", [CRIT_NE] = "!="};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define DIST_LIST "const, uniform, normal, lognormal, beta, gamma, exponential"

/* ---- error collection ------------------------------------------------------------ */

typedef struct loader {
    crc_err *errs;   /* caller's array                                         */
    size_t cap, n;   /* its capacity; errors found so far (may exceed cap)     */
    int code;        /* status of the first error                              */
    char *chain[SC_MAX_EXTENDS + 1]; /* canonical paths being loaded (cycles)  */
    char *shown[SC_MAX_EXTENDS + 1]; /* the same, as shown to the user         */
    int depth;
    size_t visits;   /* nodes visited in the current file                      */
    size_t budget;   /* visits allowed in the current file                     */
} loader;

/* One parsed file. */
typedef struct yfile {
    const char *path; /* as shown in messages */
    yaml_document_t *doc;
    const ycheck *yc; /* the tags of its scalars (NULL: none) */
} yfile;

__attribute__((format(printf, 6, 0))) static void vreport(loader *L, int code, const char *file,
                                                          int line, int col, const char *fmt,
                                                          va_list ap)
{
    if (L->code == CRC_OK)
        L->code = code;
    if (L->n < L->cap) {
        char msg[sizeof L->errs[0].msg];
        vsnprintf(msg, sizeof msg, fmt, ap);
        crc_err_at(&L->errs[L->n], code, file, line, col, "%s", msg);
    }
    L->n++;
}

/* An error at an explicit position (line 0: position unknown). */
__attribute__((format(printf, 6, 7))) static void report_pos(loader *L, int code,
                                                             const char *file, int line,
                                                             int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(L, code, file, line, col, fmt, ap);
    va_end(ap);
}

/* A bad-input error at a node's start. */
__attribute__((format(printf, 4, 5))) static void report(loader *L, const yfile *f,
                                                         const yaml_node_t *n, const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = n ? (int)n->start_mark.line + 1 : 1;
    int col = n ? (int)n->start_mark.column + 1 : 1;
    vreport(L, CRC_EINPUT, f->path, line, col, fmt, ap);
    va_end(ap);
}

static void report_nomem(loader *L, const yfile *f)
{
    report_pos(L, CRC_ENOMEM, f ? f->path : "", 0, 0, "out of memory while loading");
}

/* Counts a visited node; 0 while within budget. Reports once when the budget runs out. */
static int visit(loader *L, const yfile *f, const yaml_node_t *n)
{
    if (++L->visits == L->budget)
        report(L, f, n,
               "the scenario is too large: more than %zu YAML nodes (each use of an alias "
               "counts); write fewer values or fewer aliases",
               L->budget);
    return L->visits >= L->budget;
}

/* ---- YAML node helpers ------------------------------------------------------------- */

static yaml_node_t *node_at(const yfile *f, int id) { return yaml_document_get_node(f->doc, id); }

static const char *kind_name(const yaml_node_t *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    default: return "a single value";
    }
}

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* 1 when a scalar holds a NUL byte (from a "\0" escape): C strings would cut it. */
static int has_nul(const yaml_node_t *n) { return strlen(sval(n)) != n->data.scalar.length; }

static int is_plain(const yaml_node_t *n) { return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE; }

/* 1 when a scalar is text by the tag rule (yamlcheck.h): quoted, or tagged !!str. */
static int is_text(const yfile *f, const yaml_node_t *n)
{
    return ycheck_is_text(f->yc, n->start_mark.index, !is_plain(n));
}

static int is_str_tagged(const yfile *f, const yaml_node_t *n)
{
    return ycheck_tag_at(f->yc, n->start_mark.index) == YCHECK_STR;
}

/* YAML's null: a missing value, ~ or null (only when not quoted). */
static int is_null(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || !is_plain(n))
        return 0;
    const char *s = sval(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static size_t map_len(const yaml_node_t *m)
{
    return (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

/* The text of a mapping key, or NULL when it is not a usable key (reported by
 * check_keys). */
static const char *key_text(const yfile *f, const yaml_node_pair_t *p)
{
    const yaml_node_t *k = node_at(f, p->key);
    if (!k || k->type != YAML_SCALAR_NODE || has_nul(k) || is_null(k) || !*sval(k))
        return NULL;
    return sval(k);
}

/* The value under key in mapping m, or NULL; *key_node receives the key's node. */
static yaml_node_t *map_get(const yfile *f, const yaml_node_t *m, const char *key,
                            yaml_node_t **key_node)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = key_text(f, p);
        if (k && !strcmp(k, key)) {
            if (key_node)
                *key_node = node_at(f, p->key);
            return node_at(f, p->value);
        }
    }
    return NULL;
}

typedef struct keyref {
    const char *k;
    size_t i;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Reports keys that are not plain names and keys that appear twice (in file order).
 * where prefixes the messages ("params", "criteria #2"). Returns a malloc'd array of
 * one flag per pair, nonzero for a pair the walk must skip (a bad key, or a repeat of
 * an earlier key, already reported); NULL (reported) when the mapping cannot be
 * walked. Sorting keeps this O(n log n) for the long mappings of resolved text. */
static unsigned char *check_keys(loader *L, const yfile *f, const yaml_node_t *m,
                                 const char *where)
{
    size_t n = map_len(m);
    if (n > SC_MAX_KEYS) {
        report(L, f, m, "%s: %zu keys in one mapping; at most %d are allowed", where, n,
               SC_MAX_KEYS);
        return NULL;
    }
    unsigned char *skip = calloc(n + 1, 1);
    keyref *refs = malloc((n + 1) * sizeof *refs);
    size_t *first = malloc((n + 1) * sizeof *first);
    if (!skip || !refs || !first) {
        free(skip);
        free(refs);
        free(first);
        report_nomem(L, f);
        return NULL;
    }
    const yaml_node_pair_t *pairs = m->data.mapping.pairs.start;
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = key_text(f, &pairs[i]);
        if (k)
            refs[nk++] = (keyref){k, i};
        else
            skip[i] = 1;
    }
    qsort(refs, nk, sizeof *refs, keyref_cmp);
    for (size_t j = 1, g = 0; j < nk; j++) {
        if (strcmp(refs[j].k, refs[g].k) != 0) {
            g = j;
            continue;
        }
        skip[refs[j].i] = 2;
        first[refs[j].i] = refs[g].i;
    }
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *k = node_at(f, pairs[i].key);
        if (skip[i] == 1)
            report(L, f, k, "%s: a key must be a plain name, not %s; write `name: value`",
                   where[0] ? where : "scenario",
                   k && k->type == YAML_SCALAR_NODE ? "an empty or null key" : kind_name(k));
        else if (skip[i] == 2)
            report(L, f, k,
                   "%s%s%s: duplicate key (first at line %d); each key may appear only once "
                   "in a mapping",
                   where, where[0] ? "." : "", key_text(f, &pairs[i]),
                   (int)node_at(f, pairs[first[i]].key)->start_mark.line + 1);
    }
    free(refs);
    free(first);
    return skip;
}

/* Reports a key that is not one of words[], suggesting the nearest. */
static void unknown_key(loader *L, const yfile *f, const yaml_node_t *k, const char *where,
                        const char *key, const char *const *words, size_t n)
{
    char allowed[256] = "";
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(allowed);
        snprintf(allowed + len, sizeof allowed - len, "%s%s", i ? ", " : "", words[i]);
    }
    const char *near = params_nearest_word(key, words, n);
    if (near)
        report(L, f, k, "%s%s%s: unknown key; did you mean `%s`? (allowed: %s)", where,
               where[0] ? "." : "", key, near, allowed);
    else
        report(L, f, k, "%s%s%s: unknown key; allowed: %s", where, where[0] ? "." : "", key,
               allowed);
}

/* A number under the one number rule (params_parse_number), written plainly (or
 * tagged !!int/!!float). 0 on success; otherwise reports "what: ..." saying what was
 * wrong and what to write, and returns -1. */
static int number_node(loader *L, const yfile *f, const yaml_node_t *n, const char *what,
                       const char *expect, double *out)
{
    if (!n || n->type != YAML_SCALAR_NODE || is_null(n)) {
        report(L, f, n, "%s: expected %s, got %s", what, expect,
               n && n->type == YAML_SCALAR_NODE ? "no value" : kind_name(n));
        return -1;
    }
    if (has_nul(n)) {
        report(L, f, n, "%s: the value contains a NUL character (\\0); expected %s", what,
               expect);
        return -1;
    }
    if (is_text(f, n)) {
        char msg[600];
        ycheck_quoted_number(msg, sizeof msg, what, sval(n), expect, is_str_tagged(f, n));
        report(L, f, n, "%s", msg);
        return -1;
    }
    char why[200];
    if (params_parse_number(sval(n), out, why, sizeof why) != 0) {
        report(L, f, n, "%s: expected %s, but %s", what, expect, why);
        return -1;
    }
    return 0;
}

/* The text of a scalar that may be quoted or not; NULL (reported) for anything else. */
static const char *text_value(loader *L, const yfile *f, const yaml_node_t *v, const char *what,
                              const char *expect)
{
    if (!v || v->type != YAML_SCALAR_NODE || is_null(v)) {
        report(L, f, v, "%s: expected %s, got %s", what, expect,
               v && v->type == YAML_SCALAR_NODE ? "no value" : kind_name(v));
        return NULL;
    }
    if (has_nul(v)) {
        report(L, f, v, "%s: the text contains a NUL character (\\0); expected %s", what,
               expect);
        return NULL;
    }
    return sval(v);
}

/* Makes room for item n (0-based) in two parallel arrays that grow together, doubling:
 * while loading, an array of n items has capacity n rounded up to a power of two, so
 * appending is amortised O(1) (one realloc per item made 100k interventions take
 * minutes under ASan). 0 on success; on failure the arrays are unchanged. */
static int grow_pair(void **a, size_t asz, void **b, size_t bsz, size_t n)
{
    if (n & (n - 1)) /* n is not a power of two (nor 0): there is room */
        return 0;
    size_t cap = n ? 2 * n : 1;
    void *na = realloc(*a, cap * asz);
    if (!na)
        return -1;
    *a = na;
    void *nb = realloc(*b, cap * bsz);
    if (!nb)
        return -1;
    *b = nb;
    return 0;
}

/* ---- binding values to the registry ------------------------------------------------- */

static void dist_usage(int kind, char *buf, size_t len)
{
    if (dist_nargs(kind) == 1)
        snprintf(buf, len, "{dist: %s, %s: ...}", dist_kind_name(kind), dist_arg_name(kind, 0));
    else
        snprintf(buf, len, "{dist: %s, %s: ..., %s: ...}", dist_kind_name(kind),
                 dist_arg_name(kind, 0), dist_arg_name(kind, 1));
}

static int bind_dist_keys(loader *L, const yfile *f, const param_def *d, const yaml_node_t *m,
                          const unsigned char *skip, crc_pvalue *out);

/* A distribution written as a mapping {dist: beta, a: 8, b: 2}. */
static int bind_dist(loader *L, const yfile *f, const param_def *d, const yaml_node_t *m,
                     crc_pvalue *out)
{
    unsigned char *skip = check_keys(L, f, m, d->path);
    if (!skip)
        return -1;
    int rc = bind_dist_keys(L, f, d, m, skip, out);
    free(skip);
    return rc;
}

static int bind_dist_keys(loader *L, const yfile *f, const param_def *d, const yaml_node_t *m,
                          const unsigned char *skip, crc_pvalue *out)
{
    yaml_node_t *kn = NULL;
    yaml_node_t *kv = map_get(f, m, "dist", &kn);
    if (!kv) {
        report(L, f, m,
               "%s: a distribution needs `dist:` naming its kind (%s); e.g. {dist: beta, a: 8, "
               "b: 2}",
               d->path, DIST_LIST);
        return -1;
    }
    char what[SC_PATH_LEN + 8];
    snprintf(what, sizeof what, "%s.dist", d->path);
    const char *kname = text_value(L, f, kv, what, "the name of a distribution (" DIST_LIST ")");
    if (!kname)
        return -1;
    int kind = dist_kind_from_name(kname);
    if (kind < 0) {
        report(L, f, kv, "%s: unknown distribution '%.64s'; allowed: %s", d->path, kname,
               DIST_LIST);
        return -1;
    }
    char usage[96];
    dist_usage(kind, usage, sizeof usage);
    double arg[2] = {0, 0};
    int have[2] = {0, 0}, ok = 1;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = key_text(f, p);
        if (!k || !strcmp(k, "dist") || skip[p - m->data.mapping.pairs.start])
            continue;
        int i = -1;
        for (int j = 0; j < dist_nargs(kind); j++)
            if (!strcmp(k, dist_arg_name(kind, j)))
                i = j;
        if (i < 0) {
            report(L, f, node_at(f, p->key), "%s: `%.64s` is not an argument of %s; write %s",
                   d->path, k, kname, usage);
            ok = 0;
            continue;
        }
        const yaml_node_t *v = node_at(f, p->value);
        char argwhat[SC_PATH_LEN + 80];
        snprintf(argwhat, sizeof argwhat, "%s: %s.%.32s", d->path, kname, k);
        if (number_node(L, f, v, argwhat, "a number", &arg[i]) != 0) {
            ok = 0;
            continue;
        }
        have[i] = 1;
    }
    for (int j = 0; j < dist_nargs(kind); j++)
        if (!have[j] && ok) {
            report(L, f, m, "%s: %s needs `%s`; write %s", d->path, kname,
                   dist_arg_name(kind, j), usage);
            ok = 0;
        }
    if (!ok)
        return -1;
    memset(out, 0, sizeof *out);
    out->d.kind = kind;
    out->d.a = arg[0];
    out->d.b = arg[1];
    crc_err e;
    crc_err_clear(&e);
    if (params_check(d, out, &e) != CRC_OK) {
        report(L, f, m, "%s", e.msg);
        return -1;
    }
    return 0;
}

/* Binds a YAML value to parameter d: the scalar forms params_parse reads, or a
 * distribution mapping. Reports and returns -1 when it does not fit. */
static int bind_value(loader *L, const yfile *f, const param_def *d, const yaml_node_t *v,
                      crc_pvalue *out)
{
    char allowed[320];
    params_allowed(d, allowed, sizeof allowed);
    if (!v || is_null(v)) {
        report(L, f, v, "%s: no value given; expected %s", d->path, allowed);
        return -1;
    }
    if (v->type == YAML_MAPPING_NODE) {
        if (d->type == PT_DIST)
            return bind_dist(L, f, d, v, out);
        report(L, f, v, "%s: expected %s, not a mapping", d->path, allowed);
        return -1;
    }
    if (v->type != YAML_SCALAR_NODE) {
        report(L, f, v, "%s: expected %s, not %s", d->path, allowed, kind_name(v));
        return -1;
    }
    if (has_nul(v)) {
        report(L, f, v, "%s: the value contains a NUL character (\\0); expected %s", d->path,
               allowed);
        return -1;
    }
    double ignored;
    char why[8];
    if (is_text(f, v) &&
        (d->type == PT_NUM || d->type == PT_INT || d->type == PT_BOOL ||
         (d->type == PT_DIST && params_parse_number(sval(v), &ignored, why, sizeof why) == 0))) {
        char msg[600];
        ycheck_quoted_number(msg, sizeof msg, d->path, sval(v), allowed, is_str_tagged(f, v));
        report(L, f, v, "%s", msg);
        return -1;
    }
    crc_err e;
    crc_err_clear(&e);
    if (params_parse(d, sval(v), out, &e) != CRC_OK) {
        report(L, f, v, "%s", e.msg);
        return -1;
    }
    return 0;
}

/* ---- walking nested parameter mappings ------------------------------------------------ */

typedef struct binder binder;
struct binder {
    /* Called for every key that names a parameter. */
    void (*bind)(loader *L, const yfile *f, binder *b, const param_def *d,
                 const yaml_node_t *key, const yaml_node_t *val);
    scenario *sc;
    int *seen;          /* per registry index: line where this scope set it, 0 = not yet */
    double t;           /* interventions: the time                                       */
    scenario_pos at;    /* interventions: where `at:` is                                 */
    size_t count;       /* parameters bound                                              */
};

static void unknown_param(loader *L, const yfile *f, const yaml_node_t *k, const char *path)
{
    if (params_is_group(path)) {
        const char *eg = NULL;
        size_t n = strlen(path);
        for (size_t i = 0; i < params_count && !eg; i++)
            if (!strncmp(params_table[i].path, path, n) && params_table[i].path[n] == '.')
                eg = params_table[i].path;
        report(L, f, k,
               "%s: this is a group of parameters, not a parameter; set its members, e.g. `%s: "
               "...` (`crucible params` lists them)",
               path, eg);
        return;
    }
    const char *near = params_nearest(path);
    if (near)
        report(L, f, k, "%s: unknown parameter; did you mean `%s`?", path, near);
    else
        report(L, f, k, "%s: unknown parameter; `crucible params` lists the known ones", path);
}

/* Walks a mapping whose keys are parameter paths or groups of them: `emission:
 * {half_life: 200}` and `emission.half_life: 200` name the same parameter. */
static void walk_params(loader *L, const yfile *f, const yaml_node_t *m, const char *prefix,
                        int depth, binder *b)
{
    if (visit(L, f, m))
        return;
    if (depth > SC_MAX_NEST) {
        report(L, f, m, "%s: nested more than %d levels deep; parameter paths are shorter",
               prefix, SC_MAX_NEST);
        return;
    }
    unsigned char *skip = check_keys(L, f, m, prefix);
    if (!skip)
        return;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = key_text(f, p);
        const yaml_node_t *kn = node_at(f, p->key);
        const yaml_node_t *v = node_at(f, p->value);
        if (!k || skip[p - m->data.mapping.pairs.start])
            continue;
        char path[SC_PATH_LEN];
        int w = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", k);
        if (w < 0 || (size_t)w >= sizeof path) {
            report(L, f, kn, "%.64s...: unknown parameter; paths are at most %d characters",
                   prefix[0] ? prefix : k, SC_PATH_LEN - 1);
            continue;
        }
        const param_def *d = params_find(path);
        if (d) {
            b->bind(L, f, b, d, kn, v);
            continue;
        }
        if (v && v->type == YAML_MAPPING_NODE && map_len(v) > 0 && !map_get(f, v, "dist", NULL)) {
            walk_params(L, f, v, path, depth + 1, b);
            if (L->visits >= L->budget)
                break;
            continue;
        }
        unknown_param(L, f, kn, path);
    }
    free(skip);
}

/* Marks d as set in the current scope; 0 when it was not set there before. */
static int mark_seen(loader *L, const yfile *f, binder *b, const param_def *d,
                     const yaml_node_t *key, const char *scope)
{
    size_t i = params_index(d);
    if (b->seen[i]) {
        report(L, f, key, "%s: set twice in %s (first at line %d); set it once", d->path, scope,
               b->seen[i]);
        return -1;
    }
    b->seen[i] = (int)key->start_mark.line + 1;
    return 0;
}

static scenario_pos pos_of(const yfile *f, const yaml_node_t *n);

static void bind_param(loader *L, const yfile *f, binder *b, const param_def *d,
                       const yaml_node_t *key, const yaml_node_t *val)
{
    if (mark_seen(L, f, b, d, key, "params"))
        return;
    crc_pvalue v;
    if (bind_value(L, f, d, val, &v) == 0) {
        params_assign(&b->sc->params, d, &v);
        b->count++;
        scenario *sc = b->sc;
        if (!sc->param_pos && !(sc->param_pos = calloc(params_count, sizeof *sc->param_pos))) {
            report_nomem(L, f);
            return;
        }
        sc->param_pos[params_index(d)] = pos_of(f, key);
    }
}

static void bind_intervention(loader *L, const yfile *f, binder *b, const param_def *d,
                              const yaml_node_t *key, const yaml_node_t *val)
{
    if (mark_seen(L, f, b, d, key, "this intervention"))
        return;
    crc_pvalue v;
    if (bind_value(L, f, d, val, &v) != 0)
        return;
    scenario *sc = b->sc;
    if (sc->n_interventions >= SC_MAX_ITEMS) {
        report(L, f, key, "interventions: more than %d; schedule fewer changes", SC_MAX_ITEMS);
        return;
    }
    size_t n = sc->n_interventions;
    if (grow_pair((void **)&sc->interventions, sizeof *sc->interventions,
                  (void **)&sc->intervention_pos, sizeof *sc->intervention_pos, n) != 0) {
        report_nomem(L, f);
        return;
    }
    sc->interventions[n] = (crc_intervention){b->t, d, v};
    sc->intervention_pos[n] = b->at;
    sc->n_interventions = n + 1;
    b->count++;
}

/* ---- the sections of a scenario file ---------------------------------------------------- */

static scenario_pos pos_of(const yfile *f, const yaml_node_t *n)
{
    scenario_pos p;
    snprintf(p.file, sizeof p.file, "%s", f->path);
    p.line = (int)n->start_mark.line + 1;
    p.col = (int)n->start_mark.column + 1;
    return p;
}

static void load_params(loader *L, const yfile *f, const yaml_node_t *v, scenario *sc, int *seen)
{
    if (is_null(v))
        return;
    if (v->type != YAML_MAPPING_NODE) {
        report(L, f, v,
               "params: expected a mapping of parameter paths to values (e.g. params: "
               "{emission.half_life: 200}), not %s",
               kind_name(v));
        return;
    }
    binder b = {bind_param, sc, seen, 0, {"", 0, 0}, 0};
    walk_params(L, f, v, "", 0, &b);
}

static void load_interventions(loader *L, const yfile *f, const yaml_node_t *v, scenario *sc)
{
    if (is_null(v))
        return;
    if (v->type != YAML_SEQUENCE_NODE) {
        report(L, f, v,
               "interventions: expected a list of {at: DAY, set: {path: value, ...}}, not %s",
               kind_name(v));
        return;
    }
    int *seen = calloc(params_count ? params_count : 1, sizeof *seen);
    if (!seen) {
        report_nomem(L, f);
        return;
    }
    size_t i = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        char where[48];
        snprintf(where, sizeof where, "interventions #%zu", ++i);
        const yaml_node_t *m = node_at(f, *it);
        if (!m || visit(L, f, m))
            break;
        if (m->type != YAML_MAPPING_NODE) {
            report(L, f, m, "%s: expected a mapping {at: DAY, set: {path: value, ...}}, not %s",
                   where, kind_name(m));
            continue;
        }
        unsigned char *skip = check_keys(L, f, m, where);
        if (!skip)
            continue;
        free(skip); /* repeated keys are reported; the last one counts */
        const yaml_node_t *at = NULL, *set = NULL;
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
             p++) {
            const char *k = key_text(f, p);
            if (!k)
                continue;
            if (!strcmp(k, "at"))
                at = node_at(f, p->value);
            else if (!strcmp(k, "set"))
                set = node_at(f, p->value);
            else
                unknown_key(L, f, node_at(f, p->key), where, k, intervention_keys,
                            NELEM(intervention_keys));
        }
        double t = 0;
        char atwhat[64];
        snprintf(atwhat, sizeof atwhat, "%s: at", where);
        if (!at) {
            report(L, f, m, "%s: missing `at:`, the day the change takes effect (0 to "
                            "world.horizon)", where);
        } else if (number_node(L, f, at, atwhat, "a day, a number from 0 to world.horizon",
                               &t) != 0) {
            at = NULL;
        } else if (t < 0) {
            report(L, f, at, "%s: at: %g is negative; expected a day from 0 to world.horizon",
                   where, t);
            at = NULL;
        }
        if (!set) {
            report(L, f, m, "%s: missing `set:`, the parameters to change, e.g. set: "
                            "{fees.burn: 0.1}", where);
            continue;
        }
        if (set->type != YAML_MAPPING_NODE || map_len(set) == 0) {
            report(L, f, set, "%s: set: expected a non-empty mapping of parameter paths to "
                              "values, not %s",
                   where, set->type == YAML_MAPPING_NODE ? "an empty one" : kind_name(set));
            continue;
        }
        if (!at)
            continue;
        memset(seen, 0, params_count * sizeof *seen);
        binder b = {bind_intervention, sc, seen, t, pos_of(f, at), 0};
        walk_params(L, f, set, "", 0, &b);
    }
    free(seen);
}

/* 1 when s is 1..max chars of the given alphabet. */
static int is_word(const char *s, size_t max, int upper_and_dash)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (const char *c = s; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.';
        if (upper_and_dash)
            ok = ok || (*c >= 'A' && *c <= 'Z') || *c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

/* The criteria's names, hashed (open addressing) to their index in sc->criteria, with
 * the line where this file declared each (0: from a base), for the duplicate check and
 * for replacing a base's criterion of the same name in O(1). */
typedef struct name_index {
    size_t *slot; /* index + 1; 0 = empty */
    size_t mask;
    int *line;    /* per criterion index */
} name_index;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot for name: the one holding it, or the empty one where it would go. */
static size_t *name_slot(const name_index *ix, const scenario *sc, const char *name)
{
    for (size_t i = (size_t)name_hash(name) & ix->mask;; i = (i + 1) & ix->mask)
        if (!ix->slot[i] || !strcmp(sc->criteria[ix->slot[i] - 1].name, name))
            return &ix->slot[i];
}

static void load_criteria(loader *L, const yfile *f, const yaml_node_t *v, scenario *sc)
{
    if (is_null(v))
        return;
    if (v->type != YAML_SEQUENCE_NODE) {
        report(L, f, v,
               "criteria: expected a list of {name, metric, at: end|max|min|mean, op, value}, "
               "not %s",
               kind_name(v));
        return;
    }
    size_t n_items = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    size_t most = n_items + sc->n_criteria, cap = 4;
    while (cap < 2 * most)
        cap *= 2;
    name_index ix = {calloc(cap, sizeof *ix.slot), cap - 1,
                     calloc(most ? most : 1, sizeof *ix.line)};
    if (!ix.slot || !ix.line) {
        free(ix.slot);
        free(ix.line);
        report_nomem(L, f);
        return;
    }
    for (size_t j = 0; j < sc->n_criteria; j++)
        *name_slot(&ix, sc, sc->criteria[j].name) = j + 1;
    size_t i = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        char where[48];
        snprintf(where, sizeof where, "criteria #%zu", ++i);
        const yaml_node_t *m = node_at(f, *it);
        if (!m || visit(L, f, m))
            break;
        if (m->type != YAML_MAPPING_NODE) {
            report(L, f, m,
                   "%s: expected a mapping {name, metric, at: end|max|min|mean, op, value}, "
                   "not %s",
                   where, kind_name(m));
            continue;
        }
        unsigned char *skip = check_keys(L, f, m, where);
        if (!skip)
            continue;
        free(skip); /* repeated keys are reported; the last one counts */
        const yaml_node_t *kv[NELEM(criterion_keys)] = {0};
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
             p++) {
            const char *k = key_text(f, p);
            if (!k)
                continue;
            size_t j = 0;
            while (j < NELEM(criterion_keys) && strcmp(k, criterion_keys[j]))
                j++;
            if (j < NELEM(criterion_keys))
                kv[j] = node_at(f, p->value);
            else
                unknown_key(L, f, node_at(f, p->key), where, k, criterion_keys,
                            NELEM(criterion_keys));
        }
        crc_criterion c;
        memset(&c, 0, sizeof c);
        c.stat = CRIT_END;
        int ok = 1;
        char what[96];
        /* name */
        snprintf(what, sizeof what, "%s: name", where);
        const char *s = kv[0] ? text_value(L, f, kv[0], what, "a name") : NULL;
        if (!kv[0]) {
            report(L, f, m, "%s: missing `name:`, a short name for the verdict (e.g. "
                            "farmers_lose)", where);
            ok = 0;
        } else if (!s) {
            ok = 0;
        } else if (!is_word(s, sizeof c.name - 1, 1)) {
            report(L, f, kv[0],
                   "%s: name: '%.64s' is not allowed; use 1 to %zu letters, digits, '_', '-' "
                   "or '.'",
                   where, s, sizeof c.name - 1);
            ok = 0;
        } else {
            snprintf(c.name, sizeof c.name, "%s", s);
            snprintf(where, sizeof where, "criteria #%zu (%.20s)", i, c.name);
        }
        /* metric */
        snprintf(what, sizeof what, "%s: metric", where);
        s = kv[1] ? text_value(L, f, kv[1], what, "a metric name") : NULL;
        if (!kv[1]) {
            report(L, f, m, "%s: missing `metric:`, the metric to test (e.g. roi.farmer)",
                   where);
            ok = 0;
        } else if (!s) {
            ok = 0;
        } else if (!is_word(s, sizeof c.metric - 1, 0)) {
            report(L, f, kv[1],
                   "%s: metric: '%.64s' is not a metric name; use 1 to %zu lower-case letters, "
                   "digits, '_' and '.' (e.g. roi.farmer)",
                   where, s, sizeof c.metric - 1);
            ok = 0;
        } else {
            snprintf(c.metric, sizeof c.metric, "%s", s);
        }
        /* at */
        if (kv[2]) {
            snprintf(what, sizeof what, "%s: at", where);
            s = text_value(L, f, kv[2], what, "end, max, min or mean");
            int st = -1;
            for (size_t j = 0; s && j < NELEM(stat_names); j++)
                if (!strcmp(s, stat_names[j]))
                    st = (int)j;
            if (s && st < 0)
                report(L, f, kv[2],
                       "%s: at: '%.32s' is not allowed; expected end (the final value), max, "
                       "min or mean (over the run)",
                       where, s);
            if (st < 0)
                ok = 0;
            else
                c.stat = st;
        }
        /* op */
        snprintf(what, sizeof what, "%s: op", where);
        if (!kv[3]) {
            report(L, f, m, "%s: missing `op:`, one of \"<\", \"<=\", \">\", \">=\", \"==\", "
                            "\"!=\"", where);
            ok = 0;
        } else {
            int op = -1;
            const yaml_node_t *o = kv[3];
            if (o->type == YAML_SCALAR_NODE && !has_nul(o))
                for (size_t j = 0; j < NELEM(op_names); j++)
                    if (!strcmp(sval(o), op_names[j]))
                        op = (int)j;
            if (op < 0) {
                report(L, f, o,
                       "%s: op: %s%.16s%s is not an operator; expected one of \"<\", \"<=\", "
                       "\">\", \">=\", \"==\", \"!=\" (in quotes: op: \">=\")",
                       where, o->type == YAML_SCALAR_NODE ? "'" : kind_name(o),
                       o->type == YAML_SCALAR_NODE && !has_nul(o) ? sval(o) : "",
                       o->type == YAML_SCALAR_NODE ? "'" : "");
                ok = 0;
            } else {
                c.op = op;
            }
        }
        /* value */
        if (!kv[4]) {
            report(L, f, m, "%s: missing `value:`, the number the metric is compared with",
                   where);
            ok = 0;
        } else {
            snprintf(what, sizeof what, "%s: value", where);
            if (number_node(L, f, kv[4], what, "a number", &c.value) != 0)
                ok = 0;
        }
        if (!ok)
            continue;
        size_t *slot = name_slot(&ix, sc, c.name);
        size_t j = *slot ? *slot - 1 : sc->n_criteria;
        if (*slot && ix.line[j]) {
            report(L, f, kv[0],
                   "%s: a criterion named '%s' is already declared at line %d; names must "
                   "be unique",
                   where, c.name, ix.line[j]);
            continue;
        }
        /* Same name as a base's criterion: replace it where it stands. */
        if (j == sc->n_criteria) {
            if (sc->n_criteria >= SC_MAX_ITEMS) {
                report(L, f, m, "criteria: more than %d; declare fewer", SC_MAX_ITEMS);
                break;
            }
            if (grow_pair((void **)&sc->criteria, sizeof *sc->criteria,
                          (void **)&sc->criterion_pos, sizeof *sc->criterion_pos, j) != 0) {
                report_nomem(L, f);
                break;
            }
            sc->n_criteria = j + 1;
        }
        sc->criteria[j] = c;
        sc->criterion_pos[j] = pos_of(f, m);
        ix.line[j] = (int)kv[0]->start_mark.line + 1;
        *slot = j + 1;
    }
    free(ix.slot);
    free(ix.line);
}

/* A whole number from lo to hi under the number rule, written with digits only (a
 * seed needs all 64 bits, which a double does not hold). 0 on success; otherwise
 * reports and returns -1. */
static int whole_node(loader *L, const yfile *f, const yaml_node_t *n, const char *what,
                      uint64_t lo, uint64_t hi, uint64_t *out)
{
    char expect[96];
    snprintf(expect, sizeof expect, "a whole number from %llu to %llu", (unsigned long long)lo,
             (unsigned long long)hi);
    double x;
    if (number_node(L, f, n, what, expect, &x) != 0)
        return -1;
    const char *s = sval(n);
    while (*s == ' ')
        s++;
    if (*s == '+')
        s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    int digits = len > 0;
    for (size_t i = 0; i < len; i++)
        digits = digits && s[i] >= '0' && s[i] <= '9';
    errno = 0;
    unsigned long long u = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || errno == ERANGE || u < lo || u > hi) {
        char num[40];
        params_format_number(x, num, sizeof num);
        report(L, f, n, "%s: expected %s, written with digits only; got %s", what, expect,
               digits && errno != ERANGE ? num : sval(n));
        return -1;
    }
    *out = (uint64_t)u;
    return 0;
}

/* ---- files ------------------------------------------------------------------------------ */

/* Reads a regular file of at most SC_MAX_BYTES. On failure returns the status and
 * writes the reason into why. */
static int read_file(const char *path, char **buf, size_t *len, char *why, size_t whylen)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO must not hang; we refuse anything but regular files. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, whylen, "%s", strerror(e));
        return e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG || e == ELOOP || e == EISDIR
                   ? CRC_EINPUT
                   : CRC_EFAIL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        close(fd);
        return CRC_EFAIL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "%s; expected a YAML file",
                 S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
        close(fd);
        return CRC_EINPUT;
    }
    size_t cap = st.st_size > 0 && (size_t)st.st_size < SC_MAX_BYTES ? (size_t)st.st_size + 1
                                                                     : 4096;
    char *b = malloc(cap);
    if (!b) {
        close(fd);
        snprintf(why, whylen, "out of memory");
        return CRC_ENOMEM;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > SC_MAX_BYTES) {
                free(b);
                close(fd);
                snprintf(why, whylen, "it is larger than %zu MiB; a scenario is a short text",
                         SC_MAX_BYTES >> 20);
                return CRC_EINPUT;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                close(fd);
                snprintf(why, whylen, "out of memory");
                return CRC_ENOMEM;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, whylen, "%s", strerror(errno));
            free(b);
            close(fd);
            return CRC_EFAIL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > SC_MAX_BYTES) {
        free(b);
        snprintf(why, whylen, "it is larger than %zu MiB; a scenario is a short text",
                 SC_MAX_BYTES >> 20);
        return CRC_EINPUT;
    }
    *buf = b;
    *len = n;
    return CRC_OK;
}

/* Reports a libyaml parse failure at its position. */
static void syntax_error(loader *L, const char *path, const char *buf, size_t len,
                         const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR) {
        report_pos(L, CRC_ENOMEM, path, 0, 0, "out of memory while parsing YAML");
        return;
    }
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR) {
        /* The reader knows only the byte offset: count lines up to it. */
        int line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (buf[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        report_pos(L, CRC_EINPUT, path, line, col,
                   "not a valid YAML text: %s (byte 0x%02x); a scenario is UTF-8 text without "
                   "control characters",
                   problem, (unsigned)p->problem_value & 0xffu);
        return;
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context)
        report_pos(L, CRC_EINPUT, path, line, col,
                   "YAML syntax error: %s (%s at line %d); check the indentation, quotes and "
                   "brackets, and write one `key: value` per line",
                   problem, p->context, (int)p->context_mark.line + 1);
    else
        report_pos(L, CRC_EINPUT, path, line, col,
                   "YAML syntax error: %s; check the indentation, quotes and brackets, and "
                   "write one `key: value` per line",
                   problem);
}

/* name <- file name without directory and .yaml/.yml, as valid UTF-8 without controls. */
static void name_from_path(char *name, size_t len, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".yaml"))
        n -= 5;
    else if (n > 4 && !strcmp(base + n - 4, ".yml"))
        n -= 4;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < len; i++) {
        unsigned char c = (unsigned char)base[i];
        name[o++] = c < 0x20 || c >= 0x7f ? '_' : (char)c;
    }
    name[o] = '\0';
    if (!o)
        snprintf(name, len, "scenario");
}

/* 1 when s holds control characters (other than tab) that a name should not have. */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t')
            return 1;
    return 0;
}

static void load_top_scalar(loader *L, const yfile *f, const char *key, const yaml_node_t *kn,
                            const yaml_node_t *v, scenario *sc, int *have_name)
{
    if (!strcmp(key, "name")) {
        const char *s = text_value(L, f, v, "name", "the scenario's name as text");
        if (!s)
            return;
        if (!*s || strlen(s) >= sizeof sc->name || has_control(s)) {
            report(L, f, v, "name: expected 1 to %zu characters of text on one line",
                   sizeof sc->name - 1);
            return;
        }
        snprintf(sc->name, sizeof sc->name, "%s", s);
        *have_name = 1;
    } else if (!strcmp(key, "description")) {
        free(sc->description);
        sc->description = NULL;
        if (is_null(v))
            return;
        const char *s = text_value(L, f, v, "description", "text");
        if (!s)
            return;
        if (strlen(s) > SC_MAX_DESC) {
            report(L, f, v, "description: %zu bytes long; at most %d allowed", strlen(s),
                   SC_MAX_DESC);
            return;
        }
        sc->description = strdup(s);
        if (!sc->description)
            report_nomem(L, f);
    } else if (!strcmp(key, "seed")) {
        uint64_t x;
        if (whole_node(L, f, v, "seed", 0, UINT64_MAX, &x) == 0)
            sc->seed = x;
    } else if (!strcmp(key, "replicates")) {
        uint64_t x;
        if (whole_node(L, f, v, "replicates", 1, 1000000, &x) == 0)
            sc->replicates = (long)x;
    }
    (void)kn;
}

/* `tranches:` (sim/scenario/tranches.c): the allocation table, replacing the base's. */
static void tranche_problem(void *ctx, const char *file, int line, int col, const char *msg)
{
    report_pos(ctx, CRC_EINPUT, file, line, col, "%s", msg);
}

static void load_tranches(loader *L, const yfile *f, const yaml_node_t *v, scenario *sc)
{
    tranches_load(f->path, f->doc, v, &sc->params.tranches, tranche_problem, L);
}

static void free_contents(scenario *sc)
{
    free(sc->param_pos);
    sc->param_pos = NULL;
    free(sc->description);
    free(sc->interventions);
    free(sc->intervention_pos);
    free(sc->criteria);
    free(sc->criterion_pos);
    sc->description = NULL;
    sc->interventions = NULL;
    sc->intervention_pos = NULL;
    sc->criteria = NULL;
    sc->criterion_pos = NULL;
    sc->n_interventions = sc->n_criteria = 0;
}

static void set_defaults(scenario *sc)
{
    free_contents(sc);
    params_defaults(&sc->params);
    sc->seed = 1;
    sc->replicates = 1;
}

static int load_file(loader *L, scenario *sc, const char *path, const char *text, size_t len,
                     const yfile *inc, const yaml_node_t *inc_node);

/* Loads the file named by `extends:` (relative to f) into sc. */
static int load_base(loader *L, const yfile *f, const yaml_node_t *v, scenario *sc)
{
    const char *rel = text_value(L, f, v, "extends", "the path of the scenario this one builds on");
    if (!rel)
        return -1;
    char path[4096];
    const char *slash = strrchr(f->path, '/');
    int w;
    if (rel[0] == '/' || !slash)
        w = snprintf(path, sizeof path, "%s", rel);
    else
        w = snprintf(path, sizeof path, "%.*s/%s", (int)(slash - f->path), f->path, rel);
    if (w < 0 || (size_t)w >= sizeof path) {
        report(L, f, v, "extends: the path is too long; at most %zu characters",
               sizeof path - 1);
        return -1;
    }
    return load_file(L, sc, path, NULL, 0, f, v);
}

/* Loads one file (and, first, its extends chain) over sc. text == NULL reads path.
 * inc/inc_node name the `extends:` that led here (NULL for the top file). Returns 0
 * when this file and its bases loaded without error. */
static int load_file(loader *L, scenario *sc, const char *path, const char *text, size_t len,
                     const yfile *inc, const yaml_node_t *inc_node)
{
    size_t errors_before = L->n;
    char *owned = NULL;
    if (!text) {
        char why[256];
        int rc = read_file(path, &owned, &len, why, sizeof why);
        if (rc != CRC_OK) {
            if (inc)
                report_pos(L, rc, inc->path, (int)inc_node->start_mark.line + 1,
                           (int)inc_node->start_mark.column + 1,
                           "extends: cannot load '%s': %s; `extends:` takes a path relative "
                           "to the file that names it",
                           path, why);
            else
                report_pos(L, rc, path, 0, 0, "cannot read the scenario: %s", why);
            return -1;
        }
        text = owned;
    }
    /* Cycle detection on canonical paths (a text buffer is known by its name). */
    if (L->depth >= SC_MAX_EXTENDS) {
        report(L, inc, inc_node, "extends: the chain is longer than %d files; flatten it",
               SC_MAX_EXTENDS);
        free(owned);
        return -1;
    }
    char *canon = realpath(path, NULL);
    if (!canon)
        canon = strdup(path);
    char *shown = strdup(path);
    if (!canon || !shown) {
        free(canon);
        free(shown);
        free(owned);
        report_nomem(L, inc);
        return -1;
    }
    for (int i = 0; i < L->depth; i++)
        if (!strcmp(L->chain[i], canon)) {
            char cyc[1024] = "";
            for (int j = i; j < L->depth; j++) {
                size_t n = strlen(cyc);
                snprintf(cyc + n, sizeof cyc - n, "%s -> ", L->shown[j]);
            }
            size_t n = strlen(cyc);
            snprintf(cyc + n, sizeof cyc - n, "%s", path);
            report(L, inc, inc_node, "extends: cycle %s; a scenario cannot extend itself", cyc);
            free(canon);
            free(shown);
            free(owned);
            return -1;
        }
    L->chain[L->depth] = canon;
    L->shown[L->depth] = shown;
    L->depth++;
    size_t visits_before = L->visits, budget_before = L->budget;
    L->visits = 0;
    L->budget = SC_MAX_VISITS;

    yaml_parser_t parser;
    yaml_document_t doc, next;
    int have_doc = 0, have_parser = 0;
    ycheck yc = {0};
    yfile f = {path, &doc, &yc};
    int *seen = NULL;
    unsigned char *top_skip = NULL;
    crc_err se;
    crc_err_clear(&se);
    if (ycheck_scan(&yc, path, text, len, &se) != CRC_OK) {
        report_pos(L, se.code, se.file, se.line, se.col, "%s", se.msg);
        goto out;
    }
    if (!yaml_parser_initialize(&parser)) {
        report_nomem(L, &f);
        goto out;
    }
    have_parser = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(L, path, text, len, &parser);
        goto out_parser;
    }
    have_doc = 1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        report_pos(L, CRC_EINPUT, path, 1, 1,
                   "the file is empty; a scenario is a YAML mapping of name, description, seed, "
                   "replicates, extends, params, interventions and criteria");
        goto out_parser;
    }
    if (root->type != YAML_MAPPING_NODE) {
        report(L, &f, root,
               "a scenario must be a YAML mapping (`key: value` lines such as `params:`), not %s",
               kind_name(root));
        goto out_parser;
    }
    /* One scenario per file: a second document is an error, and so is a syntax error
     * after the first one. */
    if (!yaml_parser_load(&parser, &next)) {
        syntax_error(L, path, text, len, &parser);
    } else {
        yaml_node_t *r2 = yaml_document_get_root_node(&next);
        if (r2)
            report_pos(L, CRC_EINPUT, path, (int)next.start_mark.line + 1,
                       (int)next.start_mark.column + 1,
                       "a second YAML document starts here; put one scenario per file");
        yaml_document_delete(&next);
    }
    top_skip = check_keys(L, &f, root, "");
    if (!top_skip)
        goto out_parser;

    /* extends first: the base is the starting point this file overrides. */
    yaml_node_t *ext = map_get(&f, root, "extends", NULL);
    if (ext && !is_null(ext)) {
        if (load_base(L, &f, ext, sc) != 0)
            set_defaults(sc); /* keep checking this file against the defaults */
    } else if (ext) {
        report(L, &f, ext, "extends: no file named; write `extends: base.yaml` or drop the key");
        set_defaults(sc);
    } else {
        set_defaults(sc);
    }
    /* A long list costs a few visits per item; only aliases visit more nodes than the
     * file holds, and those are what the budget is for. */
    L->visits = 0;
    L->budget = SC_MAX_VISITS + 2 * (size_t)(doc.nodes.top - doc.nodes.start);

    seen = calloc(params_count ? params_count : 1, sizeof *seen);
    if (!seen) {
        report_nomem(L, &f);
        goto out_parser;
    }
    int have_name = 0;
    free(sc->description); /* not inherited */
    sc->description = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const char *k = key_text(&f, p);
        const yaml_node_t *kn = node_at(&f, p->key);
        const yaml_node_t *v = node_at(&f, p->value);
        /* attack: is the attack search's (sim/attack/attackfile.c); the model ignores it. */
        if (!k || !strcmp(k, "extends") || !strcmp(k, "attack") ||
            top_skip[p - root->data.mapping.pairs.start])
            continue;
        if (!strcmp(k, "params"))
            load_params(L, &f, v, sc, seen);
        else if (!strcmp(k, "interventions"))
            load_interventions(L, &f, v, sc);
        else if (!strcmp(k, "criteria"))
            load_criteria(L, &f, v, sc);
        else if (!strcmp(k, "tranches"))
            load_tranches(L, &f, v, sc);
        else if (!strcmp(k, "name") || !strcmp(k, "description") || !strcmp(k, "seed") ||
                 !strcmp(k, "replicates"))
            load_top_scalar(L, &f, k, kn, v, sc, &have_name);
        else if (params_find(k) || params_is_group(k))
            report(L, &f, kn, "%s: parameters go under `params:`; write `params: {%s: ...}`", k,
                   k);
        else
            unknown_key(L, &f, kn, "", k, top_keys, NELEM(top_keys));
    }
    if (!have_name)
        name_from_path(sc->name, sizeof sc->name, path);

out_parser:
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&parser);
out:
    ycheck_free(&yc);
    free(seen);
    free(top_skip);
    L->depth--;
    free(L->chain[L->depth]);
    free(L->shown[L->depth]);
    L->visits = visits_before;
    L->budget = budget_before;
    free(owned);
    return L->n > errors_before ? -1 : 0;
}

/* ---- public API ----------------------------------------------------------------------- */

typedef struct tagged {
    crc_intervention iv;
    scenario_pos pos;
    size_t seq;
} tagged;

static int tagged_cmp(const void *a, const void *b)
{
    const tagged *x = a, *y = b;
    if (x->iv.t != y->iv.t)
        return x->iv.t < y->iv.t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts interventions by time, keeping file order (base before extension) at ties. */
static int sort_interventions(scenario *sc)
{
    size_t n = sc->n_interventions;
    if (n < 2)
        return CRC_OK;
    tagged *t = malloc(n * sizeof *t);
    if (!t)
        return CRC_ENOMEM;
    for (size_t i = 0; i < n; i++)
        t[i] = (tagged){sc->interventions[i], sc->intervention_pos[i], i};
    qsort(t, n, sizeof *t, tagged_cmp);
    for (size_t i = 0; i < n; i++) {
        sc->interventions[i] = t[i].iv;
        sc->intervention_pos[i] = t[i].pos;
    }
    free(t);
    return CRC_OK;
}

/* scenario_load_diag, and scenario_load_keep when keep (sc is then not freed on
 * failure). */
static int load_diag(scenario *sc, const char *path, const char *text, size_t len,
                     crc_err *errs, size_t max_errs, size_t *n_errs, int keep)
{
    memset(sc, 0, sizeof *sc);
    loader L;
    memset(&L, 0, sizeof L);
    L.errs = errs;
    L.cap = errs ? max_errs : 0;
    if (!path)
        path = "<scenario>";
    set_defaults(sc);
    load_file(&L, sc, path, text, text ? len : 0, NULL, NULL);
    if ((L.n == 0 || keep) && sort_interventions(sc) != CRC_OK)
        report_pos(&L, CRC_ENOMEM, path, 0, 0, "out of memory while sorting interventions");
    if (n_errs)
        *n_errs = L.n;
    snprintf(sc->path, sizeof sc->path, "%s", path);
    if (L.n) {
        if (!keep)
            scenario_free(sc);
        return L.code;
    }
    return CRC_OK;
}

int scenario_load_diag(scenario *sc, const char *path, const char *text, size_t len,
                       crc_err *errs, size_t max_errs, size_t *n_errs)
{
    return load_diag(sc, path, text, len, errs, max_errs, n_errs, 0);
}

int scenario_load_keep(scenario *sc, const char *path, crc_err *errs, size_t max_errs,
                       size_t *n_errs)
{
    return load_diag(sc, path, NULL, 0, errs, max_errs, n_errs, 1);
}

int scenario_load(scenario *sc, const char *path, crc_err *err)
{
    crc_err_clear(err);
    return scenario_load_diag(sc, path, NULL, 0, err, err ? 1 : 0, NULL);
}

int scenario_load_text(scenario *sc, const char *name, const char *text, size_t len,
                       crc_err *err)
{
    crc_err_clear(err);
    if (!text) {
        text = "";
        len = 0;
    }
    return scenario_load_diag(sc, name, text, len, err, err ? 1 : 0, NULL);
}

/* Copies s[0..n) without surrounding blanks into buf. */
static void trim_copy(char *buf, size_t len, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), s);
}

/* Parses a --set value written as a YAML mapping ({dist: beta, a: 8, b: 2}). */
static int set_mapping(const param_def *d, const char *value, crc_pvalue *out, crc_err *e)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.errs = e;
    L.cap = 1;
    L.budget = SC_MAX_VISITS;
    yaml_parser_t parser;
    yaml_document_t doc;
    ycheck yc = {0};
    if (ycheck_scan(&yc, "", value, strlen(value), e) != CRC_OK) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e->msg);
        ycheck_free(&yc);
        return crc_err_set(e, e->code, "%s: %.1400s", d->path, msg);
    }
    if (!yaml_parser_initialize(&parser)) {
        ycheck_free(&yc);
        return crc_err_set(e, CRC_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)value, strlen(value));
    yfile f = {"", &doc, &yc};
    if (!yaml_parser_load(&parser, &doc)) {
        syntax_error(&L, "", value, strlen(value), &parser);
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root || root->type != YAML_MAPPING_NODE)
            report(&L, &f, root, "%s: expected a mapping such as {dist: beta, a: 8, b: 2}",
                   d->path);
        else
            bind_value(&L, &f, d, root, out);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    ycheck_free(&yc);
    if (L.n) {
        /* Positions inside a command-line argument read as columns of the value. */
        char msg[sizeof e->msg];
        if (e->col > 0)
            snprintf(msg, sizeof msg, "%.1480s (at character %d of the value)", e->msg, e->col);
        else
            snprintf(msg, sizeof msg, "%s", e->msg);
        crc_err_set(e, L.code, "%s", msg);
        return L.code;
    }
    return CRC_OK;
}

int scenario_set(scenario *sc, const char *assignment, crc_err *err)
{
    crc_err_clear(err);
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return crc_err_set(err, CRC_EINPUT,
                           "--set '%.200s': expected PATH=VALUE, e.g. --set world.horizon=730",
                           assignment);
    char path[SC_PATH_LEN], value[1024];
    trim_copy(path, sizeof path, assignment, (size_t)(eq - assignment));
    trim_copy(value, sizeof value, eq + 1, strlen(eq + 1));
    if (!path[0])
        return crc_err_set(err, CRC_EINPUT,
                           "--set '%.200s': no parameter named before '='; write PATH=VALUE, "
                           "e.g. --set world.horizon=730",
                           assignment);
    const param_def *d = params_find(path);
    if (!d) {
        const char *near = params_nearest(path);
        if (near)
            return crc_err_set(err, CRC_EINPUT,
                               "--set '%.200s': %s: unknown parameter; did you mean `%s`?",
                               assignment, path, near);
        return crc_err_set(err, CRC_EINPUT,
                           "--set '%.200s': %s: unknown parameter; `crucible params` lists the "
                           "known ones",
                           assignment, path);
    }
    char allowed[320];
    params_allowed(d, allowed, sizeof allowed);
    if (!value[0])
        return crc_err_set(err, CRC_EINPUT, "--set '%.200s': %s: no value given; expected %s",
                           assignment, d->path, allowed);
    if (strlen(eq + 1) >= sizeof value)
        return crc_err_set(err, CRC_EINPUT, "--set '%.200s...': %s: the value is too long",
                           assignment, d->path);
    crc_pvalue v;
    crc_err e;
    crc_err_clear(&e);
    int rc = value[0] == '{' ? set_mapping(d, value, &v, &e) : params_parse(d, value, &v, &e);
    if (rc != CRC_OK)
        return crc_err_set(err, rc, "--set '%.200s': %s", assignment, e.msg);
    params_assign(&sc->params, d, &v);
    if (!sc->param_pos)
        sc->param_pos = calloc(params_count, sizeof *sc->param_pos);
    if (sc->param_pos) {
        scenario_pos *p = &sc->param_pos[params_index(d)];
        snprintf(p->file, sizeof p->file, "--set");
        p->line = -1;
        p->col = 0;
    }
    return CRC_OK;
}

int scenario_copy(scenario *dst, const scenario *src)
{
    *dst = *src;
    dst->description = NULL;
    dst->interventions = NULL;
    dst->intervention_pos = NULL;
    dst->criteria = NULL;
    dst->criterion_pos = NULL;
    dst->param_pos = NULL;
    if (src->param_pos) {
        dst->param_pos = malloc(params_count * sizeof *dst->param_pos);
        if (!dst->param_pos)
            goto fail;
        memcpy(dst->param_pos, src->param_pos, params_count * sizeof *dst->param_pos);
    }
    size_t ni = src->n_interventions, nc = src->n_criteria;
    if (src->description && !(dst->description = strdup(src->description)))
        goto fail;
    if (ni) {
        dst->interventions = malloc(ni * sizeof *dst->interventions);
        dst->intervention_pos = malloc(ni * sizeof *dst->intervention_pos);
        if (!dst->interventions || !dst->intervention_pos)
            goto fail;
        memcpy(dst->interventions, src->interventions, ni * sizeof *dst->interventions);
        if (src->intervention_pos)
            memcpy(dst->intervention_pos, src->intervention_pos,
                   ni * sizeof *dst->intervention_pos);
        else
            memset(dst->intervention_pos, 0, ni * sizeof *dst->intervention_pos);
    }
    if (nc) {
        dst->criteria = malloc(nc * sizeof *dst->criteria);
        dst->criterion_pos = malloc(nc * sizeof *dst->criterion_pos);
        if (!dst->criteria || !dst->criterion_pos)
            goto fail;
        memcpy(dst->criteria, src->criteria, nc * sizeof *dst->criteria);
        if (src->criterion_pos)
            memcpy(dst->criterion_pos, src->criterion_pos, nc * sizeof *dst->criterion_pos);
        else
            memset(dst->criterion_pos, 0, nc * sizeof *dst->criterion_pos);
    }
    return CRC_OK;
fail:
    scenario_free(dst);
    return CRC_ENOMEM;
}

void scenario_free(scenario *sc)
{
    if (!sc)
        return;
    free_contents(sc);
    memset(sc, 0, sizeof *sc);
}
