/* sweepfile.c — sweep files and command-line designs. See sweepfile.h.
 *
 * Input rules are the scenario loader's: the YAML's depth and tags are checked event by
 * event before the document is built (scenario/yamlcheck.h), numbers follow
 * params_parse_number, a quoted or !!str value is text, and a design's size is checked
 * before its values are generated. */
#include "sweep/sweepfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scenario/yamlcheck.h"

/* A sweep file is a short text; past this it is refused unread. */
#define SWEEPFILE_MAX_BYTES ((size_t)16 << 20)

/* Parsing context: the file and its document. */
typedef struct yctx {
    const char *file;
    yaml_document_t *doc;
    crc_err *err;
    const ycheck *yc; /* the tags of its scalars */
} yctx;

static int at(const yctx *y, const yaml_node_t *n, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int at(const yctx *y, const yaml_node_t *n, int code, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return crc_err_at(y->err, code, y->file, n ? (int)n->start_mark.line + 1 : 0,
                      n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

/* Re-raises an error that has no position at node n. */
static int reat(const yctx *y, const yaml_node_t *n, int rc)
{
    char msg[sizeof y->err->msg];
    snprintf(msg, sizeof msg, "%s", y->err->msg);
    return at(y, n, rc, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_double_text(const char *s, double *out)
{
    char why[8];
    return s ? params_parse_number(s, out, why, sizeof why) : -1;
}

/* 1 when a scalar node is text by the tag rule: quoted, or tagged !!str. */
static int is_text(const yctx *y, const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE &&
           ycheck_is_text(y->yc, n->start_mark.index,
                          n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE);
}

/* The message for a quoted (or !!str) value where a number is expected. */
static int quoted_number(const yctx *y, const yaml_node_t *n, const char *what,
                         const char *expect)
{
    char msg[700];
    ycheck_quoted_number(msg, sizeof msg, what, scalar(n), expect,
                         ycheck_tag_at(y->yc, n->start_mark.index) == YCHECK_STR);
    return at(y, n, CRC_EINPUT, "%s", msg);
}

/* Refuses a quoted (or !!str) value where param p needs a number or a boolean. */
static int check_not_text(const yctx *y, const yaml_node_t *n, const param_def *p)
{
    double x;
    char why[8];
    if (!is_text(y, n) ||
        !(p->type == PT_NUM || p->type == PT_INT || p->type == PT_BOOL ||
          (p->type == PT_DIST && params_parse_number(scalar(n), &x, why, sizeof why) == 0)))
        return CRC_OK;
    char allowed[320];
    params_allowed(p, allowed, sizeof allowed);
    return quoted_number(y, n, p->path, allowed);
}

static int node_double(const yctx *y, const yaml_node_t *n, const char *what, double *out)
{
    char why[200];
    if (is_text(y, n))
        return quoted_number(y, n, what, "a number");
    if (!scalar(n))
        return at(y, n, CRC_EINPUT, "%s must be a number", what);
    if (params_parse_number(scalar(n), out, why, sizeof why) != 0)
        return at(y, n, CRC_EINPUT, "%s must be a number, but %s", what, why);
    return CRC_OK;
}

static int node_long(const yctx *y, const yaml_node_t *n, const char *what, long lo,
                     long *out)
{
    double x;
    int rc = node_double(y, n, what, &x);
    if (rc)
        return rc;
    if (x != floor(x) || x < (double)lo || x > 1e15) {
        char num[40];
        params_format_number(x, num, sizeof num);
        return at(y, n, CRC_EINPUT, "%s must be a whole number >= %ld (got %s)", what, lo, num);
    }
    *out = (long)x;
    return CRC_OK;
}

static int node_bool(const yctx *y, const yaml_node_t *n, const char *what, int *out)
{
    const char *s = scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
        *out = 1;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
        *out = 0;
    else
        return at(y, n, CRC_EINPUT, "%s must be true or false", what);
    return CRC_OK;
}

/* The key nearest to an unknown one among a short list (for "did you mean"). */
static const char *nearest_key(const char *key, const char *const *keys)
{
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (const char *const *k = keys; *k; k++) {
        size_t la = strlen(key), lb = strlen(*k), row[64];
        if (la > 60 || lb > 60)
            continue;
        for (size_t j = 0; j <= lb; j++)
            row[j] = j;
        for (size_t i = 1; i <= la; i++) {
            size_t diag = row[0];
            row[0] = i;
            for (size_t j = 1; j <= lb; j++) {
                size_t up = row[j], b = diag + (key[i - 1] != (*k)[j - 1]);
                if (row[j] + 1 < b)
                    b = row[j] + 1;
                if (row[j - 1] + 1 < b)
                    b = row[j - 1] + 1;
                row[j] = b;
                diag = up;
            }
        }
        if (row[lb] < best_d) {
            best_d = row[lb];
            best = *k;
        }
    }
    return best;
}

static int unknown_key(const yctx *y, const yaml_node_t *n, const char *where,
                       const char *const *keys)
{
    const char *key = scalar(n) ? scalar(n) : "?";
    const char *near = nearest_key(key, keys);
    char list[400] = "";
    for (const char *const *k = keys; *k; k++) {
        strncat(list, *k, sizeof list - strlen(list) - 3);
        if (k[1])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    if (near)
        return at(y, n, CRC_EINPUT, "unknown key '%s' in %s; did you mean '%s'? (allowed: %s)",
                  key, where, near, list);
    return at(y, n, CRC_EINPUT, "unknown key '%s' in %s (allowed: %s)", key, where, list);
}

/* Looks up key in mapping node m; NULL when absent. */
static yaml_node_t *map_get(const yctx *y, const yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
         p++) {
        const char *k = scalar(yaml_document_get_node(y->doc, p->key));
        if (k && !strcmp(k, key))
            return yaml_document_get_node(y->doc, p->value);
    }
    return NULL;
}

/* Checks that every key of mapping m is one of keys. */
static int check_keys(const yctx *y, const yaml_node_t *m, const char *where,
                      const char *const *keys)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = yaml_document_get_node(y->doc, p->key);
        const char *k = scalar(kn);
        int ok = 0;
        for (const char *const *c = keys; k && *c; c++)
            ok |= !strcmp(k, *c);
        if (!ok)
            return unknown_key(y, kn, where, keys);
    }
    return CRC_OK;
}

static const param_def *find_param(const yctx *y, const yaml_node_t *kn, crc_err *err)
{
    const char *path = scalar(kn);
    const param_def *p = path ? params_find(path) : NULL;
    if (p)
        return p;
    const char *near = path ? params_nearest(path) : NULL;
    if (near)
        at(y, kn, CRC_EINPUT, "unknown parameter '%s'; did you mean '%s'? (crucible params "
                              "lists them all)",
           path ? path : "?", near);
    else
        at(y, kn, CRC_EINPUT, "unknown parameter '%s' (crucible params lists them all)",
           path ? path : "?");
    return NULL;
}

static int is_list_design(int kind) { return kind == DESIGN_GRID || kind == DESIGN_ZIP; }

/* One entry of design.params: key node kn, value node vn. */
static int parse_factor(const yctx *y, design *d, yaml_node_t *kn, yaml_node_t *vn)
{
    const param_def *p = find_param(y, kn, y->err);
    if (!p)
        return CRC_EINPUT;
    for (size_t j = 0; j < d->k; j++)
        if (d->factors[j].param == p)
            return at(y, kn, CRC_EINPUT, "%s appears twice in the design", p->path);
    design_factor *f = design_add_factor(d, p);
    if (!f)
        return at(y, kn, CRC_ENOMEM, "out of memory");
    const char *kname = design_kind_name(d->kind);
    int rc;
    if (is_list_design(d->kind)) {
        if (vn->type == YAML_SCALAR_NODE) {
            rc = design_add_value(f, scalar(vn), y->err);
            return rc ? reat(y, vn, rc) : CRC_OK;
        }
        if (vn->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = vn->data.sequence.items.start;
                 it < vn->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(y->doc, *it);
                if (!scalar(e))
                    return at(y, e, CRC_EINPUT, "%s: each value must be a plain scalar",
                              p->path);
                if ((rc = check_not_text(y, e, p)) ||
                    (rc = design_check_room(d, f, 1, y->err) ? reat(y, e, CRC_EINPUT) : 0))
                    return rc;
                rc = design_add_value(f, scalar(e), y->err);
                if (rc)
                    return reat(y, e, rc);
            }
            if (f->n_values == 0)
                return at(y, vn, CRC_EINPUT, "%s: the list of values is empty", p->path);
            return CRC_OK;
        }
        static const char *const rkeys[] = {"from", "to", "steps", "log", NULL};
        if ((rc = check_keys(y, vn, "a {from, to, steps, log} range", rkeys)))
            return rc;
        yaml_node_t *from = map_get(y, vn, "from"), *to = map_get(y, vn, "to"),
                    *steps = map_get(y, vn, "steps"), *lg = map_get(y, vn, "log");
        if (!from || !to || !steps)
            return at(y, vn, CRC_EINPUT,
                      "%s: a range needs from, to and steps (e.g. {from: 0, to: 0.1, steps: "
                      "5}), or write a list of values",
                      p->path);
        double a, b;
        long n = 0;
        int logscale = 0;
        if ((rc = node_double(y, from, "from", &a)) || (rc = node_double(y, to, "to", &b)) ||
            (rc = node_long(y, steps, "steps", 1, &n)) ||
            (lg && (rc = node_bool(y, lg, "log", &logscale))))
            return rc;
        if (design_check_room(d, f, (size_t)n, y->err))
            return reat(y, steps, CRC_EINPUT);
        rc = design_add_range_values(f, a, b, n, logscale, y->err);
        return rc ? reat(y, vn, rc) : CRC_OK;
    }
    /* random, lhs, sobol, morris: a range. */
    if (vn->type != YAML_MAPPING_NODE)
        return at(y, vn, CRC_EINPUT,
                  "%s: a %s design takes a range such as {dist: uniform, min: 0, max: 1}, "
                  "{dist: loguniform, min: 0.001, max: 0.1} or {dist: normal, mean: 0.5, sd: "
                  "0.1}",
                  p->path, kname);
    static const char *const dkeys[] = {"dist", "min", "max", "mean", "sd", NULL};
    if ((rc = check_keys(y, vn, "a range", dkeys)))
        return rc;
    yaml_node_t *dn = map_get(y, vn, "dist");
    const char *dname = dn ? scalar(dn) : "uniform";
    int range = dname ? design_range_from_name(dname) : -1;
    if (range < 0)
        return at(y, dn, CRC_EINPUT, "%s: unknown dist '%s'; expected uniform, loguniform or "
                                     "normal",
                  p->path, dname ? dname : "?");
    f->range = range;
    const char *ka = range == RANGE_NORMAL ? "mean" : "min";
    const char *kb = range == RANGE_NORMAL ? "sd" : "max";
    yaml_node_t *an = map_get(y, vn, ka), *bn = map_get(y, vn, kb);
    if (!an || !bn)
        return at(y, vn, CRC_EINPUT, "%s: a %s range needs %s and %s", p->path, dname, ka, kb);
    if ((rc = node_double(y, an, ka, &f->a)) || (rc = node_double(y, bn, kb, &f->b)))
        return rc;
    return CRC_OK;
}

static int parse_design(const yctx *y, sweep_spec *s, yaml_node_t *dn)
{
    static const char *const keys[] = {"type", "samples", "trajectories", "levels", "params",
                                       NULL};
    if (dn->type != YAML_MAPPING_NODE)
        return at(y, dn, CRC_EINPUT, "design must be a mapping with type: and params:");
    int rc = check_keys(y, dn, "design", keys);
    if (rc)
        return rc;
    design *d = &s->design;
    yaml_node_t *tn = map_get(y, dn, "type");
    if (!tn)
        return at(y, dn, CRC_EINPUT,
                  "design needs type: grid, zip, random, lhs, sobol or morris");
    d->kind = scalar(tn) ? design_kind_from_name(scalar(tn)) : -1;
    if (d->kind < 0)
        return at(y, tn, CRC_EINPUT,
                  "unknown design type '%s'; expected grid, zip, random, lhs, sobol or morris",
                  scalar(tn) ? scalar(tn) : "?");
    s->has_design = 1;
    yaml_node_t *n;
    long v;
    if ((n = map_get(y, dn, "samples"))) {
        if ((rc = node_long(y, n, "samples", 1, &v)))
            return rc;
        d->samples = (size_t)v;
    }
    if ((n = map_get(y, dn, "trajectories"))) {
        if ((rc = node_long(y, n, "trajectories", 1, &v)))
            return rc;
        d->trajectories = (size_t)v;
    }
    if ((n = map_get(y, dn, "levels"))) {
        if ((rc = node_long(y, n, "levels", 2, &v)))
            return rc;
        d->levels = (size_t)v;
    } else {
        d->levels = 4;
    }
    yaml_node_t *pn = map_get(y, dn, "params");
    if (!pn || pn->type != YAML_MAPPING_NODE)
        return at(y, pn ? pn : dn, CRC_EINPUT,
                  "design needs params: a mapping from parameter paths to values or ranges");
    for (yaml_node_pair_t *p = pn->data.mapping.pairs.start; p < pn->data.mapping.pairs.top;
         p++) {
        yaml_node_t *vn = yaml_document_get_node(y->doc, p->value);
        rc = parse_factor(y, d, yaml_document_get_node(y->doc, p->key), vn);
        if (rc)
            return rc;
        if ((rc = design_check_factor(d, d->k - 1, y->err)))
            return reat(y, vn, rc);
    }
    rc = design_check(d, y->err);
    return rc ? reat(y, dn, rc) : CRC_OK;
}

int sweepfile_add_set(sweep_spec *s, const char *assignment, crc_err *err)
{
    char **v = realloc(s->set, (s->n_set + 1) * sizeof *v);
    if (!v)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    s->set = v;
    if (!(s->set[s->n_set] = strdup(assignment)))
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    s->n_set++;
    return CRC_OK;
}

static int parse_root(const yctx *y, sweep_spec *s, yaml_node_t *root, const char *path)
{
    static const char *const keys[] = {"name", "base", "replicates", "seed", "set", "design",
                                       "description", NULL};
    if (!root || root->type != YAML_MAPPING_NODE)
        return at(y, root, CRC_EINPUT,
                  "a sweep file is a mapping with base:, design: and optionally name:, "
                  "replicates:, seed:, set:");
    int rc = check_keys(y, root, "a sweep file", keys);
    if (rc)
        return rc;
    yaml_node_t *n;
    if ((n = map_get(y, root, "name"))) {
        if (!scalar(n) || !scalar(n)[0] || strlen(scalar(n)) >= sizeof s->name)
            return at(y, n, CRC_EINPUT, "name must be a short text (under %zu characters)",
                      sizeof s->name);
        snprintf(s->name, sizeof s->name, "%s", scalar(n));
    }
    if (!(n = map_get(y, root, "base")) || !scalar(n) || !scalar(n)[0])
        return at(y, n ? n : root, CRC_EINPUT,
                  "a sweep file needs base: the scenario to vary (a path relative to the "
                  "sweep file)");
    const char *b = scalar(n);
    const char *slash = strrchr(path, '/');
    if (b[0] == '/' || !slash)
        snprintf(s->base, sizeof s->base, "%s", b);
    else
        snprintf(s->base, sizeof s->base, "%.*s/%s", (int)(slash - path), path, b);
    if ((n = map_get(y, root, "replicates")) && (rc = node_long(y, n, "replicates", 1,
                                                                &s->replicates)))
        return rc;
    if ((n = map_get(y, root, "seed"))) {
        const char *t = scalar(n);
        char *end;
        errno = 0;
        unsigned long long v = t ? strtoull(t, &end, 10) : 0;
        if (!t || !*t || *end || errno || t[0] == '-')
            return at(y, n, CRC_EINPUT, "seed must be a whole number from 0 to 2^64-1");
        s->seed = v;
        s->has_seed = 1;
    }
    if ((n = map_get(y, root, "set"))) {
        if (n->type != YAML_MAPPING_NODE)
            return at(y, n, CRC_EINPUT, "set must be a mapping from parameter paths to values");
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *kn = yaml_document_get_node(y->doc, p->key);
            yaml_node_t *vn = yaml_document_get_node(y->doc, p->value);
            const param_def *pd = find_param(y, kn, y->err);
            if (!pd)
                return CRC_EINPUT;
            if (!scalar(vn))
                return at(y, vn, CRC_EINPUT, "%s: the value must be a plain scalar", pd->path);
            crc_pvalue pv;
            if ((rc = check_not_text(y, vn, pd)))
                return rc;
            if ((rc = params_parse(pd, scalar(vn), &pv, y->err)))
                return reat(y, vn, rc);
            char buf[1200];
            snprintf(buf, sizeof buf, "%s=%s", pd->path, scalar(vn));
            if ((rc = sweepfile_add_set(s, buf, y->err)))
                return rc;
        }
    }
    if (!(n = map_get(y, root, "design")))
        return at(y, root, CRC_EINPUT,
                  "a sweep file needs design: {type: grid|zip|random|lhs|sobol|morris, "
                  "params: ...}");
    return parse_design(y, s, n);
}

int sweepfile_load_text(sweep_spec *s, const char *path, const char *text, size_t len,
                        crc_err *err)
{
    snprintf(s->path, sizeof s->path, "%s", path);
    const char *slash = strrchr(path, '/');
    snprintf(s->name, sizeof s->name, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(s->name, '.');
    if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
        *dot = 0;

    ycheck yc = {0};
    int rc = ycheck_scan(&yc, path, text, len, err);
    if (rc != CRC_OK) {
        ycheck_free(&yc);
        return rc;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ycheck_free(&yc);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = crc_err_at(err, parser.error == YAML_MEMORY_ERROR ? CRC_ENOMEM : CRC_EINPUT, path,
                        (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
                        "YAML syntax: %s%s%s", parser.problem ? parser.problem : "unreadable",
                        parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        ycheck_free(&yc);
        return rc;
    }
    yctx y = {path, &doc, err, &yc};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        rc = crc_err_at(err, CRC_EINPUT, path, 1, 1, "the sweep file is empty");
    else
        rc = parse_root(&y, s, root, path);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    ycheck_free(&yc);
    return rc;
}

int sweepfile_load(sweep_spec *s, const char *path, crc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return crc_err_at(err, CRC_EFAIL, path, 0, 0, "cannot open the sweep file: %s",
                          strerror(errno));
    char *buf = malloc(SWEEPFILE_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    size_t len = fread(buf, 1, SWEEPFILE_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = crc_err_at(err, CRC_EFAIL, path, 0, 0, "cannot read the sweep file");
    else if (len > SWEEPFILE_MAX_BYTES)
        rc = crc_err_at(err, CRC_EINPUT, path, 0, 0,
                        "the sweep file is larger than %zu MiB; a sweep file is a short text",
                        SWEEPFILE_MAX_BYTES >> 20);
    else
        rc = sweepfile_load_text(s, path, buf, len, err);
    free(buf);
    return rc;
}

/* Splits "a,b(1,2),c" at commas outside parentheses; returns the number of parts. */
static size_t split_top(char *s, char **parts, size_t max)
{
    size_t n = 0;
    int depth = 0;
    parts[n++] = s;
    for (char *c = s; *c; c++) {
        if (*c == '(')
            depth++;
        else if (*c == ')')
            depth--;
        else if (*c == ',' && depth == 0) {
            if (n == max)
                return max + 1;
            *c = 0;
            parts[n++] = c + 1;
        }
    }
    return n;
}

int sweepfile_cli_factor(sweep_spec *s, int kind, const char *arg, crc_err *err)
{
    const char *flag = design_kind_name(kind);
    if (s->has_design == 1) {
        /* The first command-line factor replaces the file's design. */
        design_free(&s->design);
        s->has_design = 0;
    }
    if (s->has_design && s->design.kind != kind)
        return crc_err_set(err, CRC_EINPUT,
                           "--%s %s: a sweep has one design, and --%s was given before; use "
                           "one kind of design flag",
                           flag, arg, design_kind_name(s->design.kind));
    if (!s->has_design) {
        s->design.kind = kind;
        s->design.levels = s->design.levels ? s->design.levels : 4;
        s->has_design = 2; /* from the command line */
    }
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return crc_err_set(err, CRC_EINPUT, "--%s %s: expected path=values", flag, arg);
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)(eq - arg), arg);
    const param_def *p = params_find(path);
    if (!p) {
        const char *near = params_nearest(path);
        return crc_err_set(err, CRC_EINPUT, "--%s: unknown parameter '%s'%s%s%s", flag, path,
                           near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    for (size_t j = 0; j < s->design.k; j++)
        if (s->design.factors[j].param == p)
            return crc_err_set(err, CRC_EINPUT, "--%s: %s is given twice", flag, path);
    design_factor *f = design_add_factor(&s->design, p);
    if (!f)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    char *text = strdup(eq + 1);
    if (!text)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    char *parts[4096];
    int rc = CRC_OK;
    if (kind == DESIGN_GRID || kind == DESIGN_ZIP) {
        char *c1 = strchr(text, ':');
        if (c1 && !strchr(text, ',') && !strchr(text, '(')) {
            /* from:to:steps[:log] */
            char *fld[5];
            size_t nf = 0;
            char *save = NULL;
            for (char *t = strtok_r(text, ":", &save); t && nf < 5; t = strtok_r(NULL, ":", &save))
                fld[nf++] = t;
            double a, b, st;
            if ((nf != 3 && nf != 4) || parse_double_text(fld[0], &a) ||
                parse_double_text(fld[1], &b) || parse_double_text(fld[2], &st) ||
                st != floor(st) || (nf == 4 && strcmp(fld[3], "log")))
                rc = crc_err_set(err, CRC_EINPUT,
                                 "--%s %s: expected path=v1,v2,... or path=from:to:steps[:log]",
                                 flag, arg);
            else if (!(st >= 1 && st <= 1e15))
                rc = crc_err_set(err, CRC_EINPUT, "steps must be a whole number >= 1");
            else if ((rc = design_check_room(&s->design, f, (size_t)st, err)) == CRC_OK)
                rc = design_add_range_values(f, a, b, (long)st, nf == 4, err);
        } else {
            size_t n = split_top(text, parts, sizeof parts / sizeof *parts);
            if (n > sizeof parts / sizeof *parts)
                rc = crc_err_set(err, CRC_EINPUT, "--%s: too many values", flag);
            if (rc == CRC_OK)
                rc = design_check_room(&s->design, f, n, err);
            for (size_t i = 0; rc == CRC_OK && i < n; i++)
                rc = design_add_value(f, parts[i], err);
        }
    } else {
        char *fld[4];
        size_t nf = 0;
        char *save = NULL;
        for (char *t = strtok_r(text, ":", &save); t && nf < 4; t = strtok_r(NULL, ":", &save))
            fld[nf++] = t;
        double a, b;
        if (nf == 3 && !strcmp(fld[0], "normal") && !parse_double_text(fld[1], &a) &&
            !parse_double_text(fld[2], &b)) {
            f->range = RANGE_NORMAL;
        } else if ((nf == 2 || (nf == 3 && !strcmp(fld[2], "log"))) &&
                   !parse_double_text(fld[0], &a) && !parse_double_text(fld[1], &b)) {
            f->range = nf == 3 ? RANGE_LOGUNIFORM : RANGE_UNIFORM;
        } else {
            free(text);
            return crc_err_set(err, CRC_EINPUT,
                               "--%s %s: expected path=min:max, path=min:max:log or "
                               "path=normal:mean:sd",
                               flag, arg);
        }
        f->a = a;
        f->b = b;
    }
    free(text);
    if (rc != CRC_OK) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return crc_err_set(err, rc, "--%s %s: %s", flag, arg, msg);
    }
    return CRC_OK;
}

void sweepfile_free(sweep_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_set; i++)
        free(s->set[i]);
    free(s->set);
    design_free(&s->design);
    memset(s, 0, sizeof *s);
}
