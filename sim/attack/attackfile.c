/* attackfile.c — the attack: block of a scenario file. See attackfile.h and
 * docs/attack.md. */
#include "attack/attackfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scenario/scenario.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct actx {
    const char *file;
    yaml_document_t *doc;
    crc_err *err;
} actx;

static int at(const actx *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int at(const actx *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return crc_err_at(y->err, CRC_EINPUT, y->file, n ? (int)n->start_mark.line + 1 : 0,
                      n ? (int)n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *text(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(const actx *y, int id) { return yaml_document_get_node(y->doc, id); }

static int number(const actx *y, const yaml_node_t *n, const char *what, double *out)
{
    const char *s = text(n);
    char *end = NULL;
    errno = 0;
    double x = s && *s ? strtod(s, &end) : NAN;
    if (!s || !*s || *end || errno == ERANGE || !isfinite(x))
        return at(y, n, "attack: %s must be a number", what);
    *out = x;
    return CRC_OK;
}

static int whole(const actx *y, const yaml_node_t *n, const char *what, long lo, long hi,
                 long *out)
{
    double x = NAN;
    if (number(y, n, what, &x) != CRC_OK || x != floor(x) || x < (double)lo || x > (double)hi)
        return at(y, n, "attack: %s must be a whole number from %ld to %ld", what, lo, hi);
    *out = (long)x;
    return CRC_OK;
}

static int boolean(const actx *y, const yaml_node_t *n, const char *what, int *out)
{
    const char *s = text(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
        *out = 1;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
        *out = 0;
    else
        return at(y, n, "attack: %s must be true or false", what);
    return CRC_OK;
}

/* Checks that every key of mapping m is one of keys[0..n). */
static int check_keys(const actx *y, const yaml_node_t *m, const char *where,
                      const char *const *keys, size_t n)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = node(y, p->key);
        const char *k = text(kn);
        int ok = 0;
        for (size_t i = 0; k && i < n; i++)
            ok |= !strcmp(k, keys[i]);
        if (ok)
            continue;
        char allowed[300] = "";
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(allowed);
            snprintf(allowed + l, sizeof allowed - l, "%s%s", i ? ", " : "", keys[i]);
        }
        const char *near = k ? params_nearest_word(k, keys, n) : NULL;
        if (near)
            return at(y, kn, "%s.%s: unknown key; did you mean `%s`? (allowed: %s)", where,
                      k ? k : "?", near, allowed);
        return at(y, kn, "%s.%s: unknown key; allowed: %s", where, k ? k : "?", allowed);
    }
    return CRC_OK;
}

static yaml_node_t *get(const actx *y, const yaml_node_t *m, const char *key,
                        yaml_node_t **key_node)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
         p++) {
        const char *k = text(node(y, p->key));
        if (k && !strcmp(k, key)) {
            if (key_node)
                *key_node = node(y, p->key);
            return node(y, p->value);
        }
    }
    return NULL;
}

/* One entry of attack.params. */
static int parse_param(const actx *y, atk_spec *s, yaml_node_t *kn, yaml_node_t *vn)
{
    static const char *const keys[] = {"min", "max", "scale", "integer"};
    const char *path = text(kn);
    const param_def *d = path ? params_find(path) : NULL;
    if (!d) {
        const char *near = path ? params_nearest(path) : NULL;
        if (near)
            return at(y, kn, "attack.params: unknown parameter '%s'; did you mean '%s'? "
                             "(`crucible params` lists them all)",
                      path ? path : "?", near);
        return at(y, kn, "attack.params: unknown parameter '%s' (`crucible params` lists them "
                         "all)",
                  path ? path : "?");
    }
    if (d->type != PT_NUM && d->type != PT_INT && d->type != PT_DIST)
        return at(y, kn, "attack.params: %s is a %s; the attacker controls numbers, whole "
                         "numbers and distributions (set to a constant)",
                  path, d->type == PT_BOOL ? "true/false switch" : "choice");
    for (size_t i = 0; i < s->n_params; i++)
        if (s->params[i].param == d)
            return at(y, kn, "attack.params: %s appears twice", path);
    if (s->n_params >= OPT_MAX_DIM)
        return at(y, kn, "attack.params: more than %d parameters; the search handles 1 to %d",
                  OPT_MAX_DIM, OPT_MAX_DIM);
    if (!vn || vn->type != YAML_MAPPING_NODE)
        return at(y, vn ? vn : kn, "attack.params.%s: expected {min: A, max: B} with optional "
                                   "scale: linear|log and integer: true|false",
                  path);
    char where[160];
    snprintf(where, sizeof where, "attack.params.%s", path);
    int rc = check_keys(y, vn, where, keys, NELEM(keys));
    if (rc)
        return rc;
    atk_param p = {.param = d, .integer = d->type == PT_INT,
                   .line = (int)kn->start_mark.line + 1, .col = (int)kn->start_mark.column + 1};
    yaml_node_t *mn = get(y, vn, "min", NULL), *xn = get(y, vn, "max", NULL);
    if (!mn || !xn)
        return at(y, vn, "%s: give both min and max", where);
    if ((rc = number(y, mn, "min", &p.lo)) || (rc = number(y, xn, "max", &p.hi)))
        return rc;
    if (!(p.lo < p.hi))
        return at(y, mn, "%s: empty range [%g, %g]: min must be below max (to fix a "
                         "parameter, set it under params: instead)",
                  where, p.lo, p.hi);
    if (p.lo < d->lo || p.hi > d->hi)
        return at(y, p.lo < d->lo ? mn : xn, "%s: [%g, %g] leaves the parameter's range [%g, %g]",
                  where, p.lo, p.hi, d->lo, d->hi);
    yaml_node_t *sn = get(y, vn, "scale", NULL), *in = get(y, vn, "integer", NULL);
    if (sn) {
        const char *sc = text(sn);
        if (sc && !strcmp(sc, "log"))
            p.log = 1;
        else if (!sc || strcmp(sc, "linear"))
            return at(y, sn, "%s.scale: expected linear or log", where);
        if (p.log && p.lo <= 0)
            return at(y, mn, "%s: a log scale needs min > 0 (got %g)", where, p.lo);
    }
    if (in) {
        int b = 0;
        if ((rc = boolean(y, in, "integer", &b)))
            return rc;
        if (!b && d->type == PT_INT)
            return at(y, in, "%s: an integer parameter takes whole numbers only", where);
        p.integer = b;
    }
    if (p.integer && ceil(p.lo) > floor(p.hi))
        return at(y, mn, "%s: no whole number in [%g, %g]", where, p.lo, p.hi);
    atk_param *np = realloc(s->params, (s->n_params + 1) * sizeof *np);
    if (!np)
        return crc_err_set(y->err, CRC_ENOMEM, "out of memory");
    s->params = np;
    s->params[s->n_params++] = p;
    return CRC_OK;
}

/* attack.start: {min: DAY, max: DAY}, whole days from 0 (the horizon is checked once the
 * scenario's final values are known, atk_plan_init). */
static int parse_start(const actx *y, atk_spec *s, yaml_node_t *vn)
{
    static const char *const keys[] = {"min", "max"};
    if (vn->type != YAML_MAPPING_NODE)
        return at(y, vn, "attack.start: expected {min: DAY, max: DAY}, the range of days on "
                         "which the attack may start");
    int rc = check_keys(y, vn, "attack.start", keys, NELEM(keys));
    if (rc)
        return rc;
    yaml_node_t *mn = get(y, vn, "min", NULL), *xn = get(y, vn, "max", NULL);
    if (!mn || !xn)
        return at(y, vn, "attack.start: give both min and max (days)");
    long lo = 0, hi = 0;
    if ((rc = whole(y, mn, "start.min", 0, 1000000, &lo)) ||
        (rc = whole(y, xn, "start.max", 0, 1000000, &hi)))
        return rc;
    if (!(lo < hi))
        return at(y, mn, "attack.start: empty range [%ld, %ld]: min must be below max (to start "
                         "on a fixed day, use the range [D, D+1])",
                  lo, hi);
    if (s->n_params >= OPT_MAX_DIM)
        return at(y, vn, "attack.start: with %zu parameters the search would have more than %d "
                         "dimensions; control fewer parameters",
                  s->n_params, OPT_MAX_DIM);
    s->has_start = 1;
    s->start_lo = (double)lo;
    s->start_hi = (double)hi;
    s->start_line = (int)vn->start_mark.line + 1;
    s->start_col = (int)vn->start_mark.column + 1;
    return CRC_OK;
}

static int parse_objective(const actx *y, atk_spec *s, yaml_node_t *on)
{
    static const char *const keys[] = {"maximize", "minimize", "break", "at", "probability"};
    static const char *const stats[] = {[CRIT_END] = "end", [CRIT_MAX] = "max",
                                        [CRIT_MIN] = "min", [CRIT_MEAN] = "mean"};
    s->obj_line = (int)on->start_mark.line + 1;
    s->obj_col = (int)on->start_mark.column + 1;
    const char *name = text(on);
    if (name) {
        if (!*name || strlen(name) >= sizeof s->metric)
            return at(y, on, "attack.objective: expected a metric or summary name");
        snprintf(s->metric, sizeof s->metric, "%s", name);
        return CRC_OK;
    }
    if (on->type != YAML_MAPPING_NODE)
        return at(y, on, "attack.objective: expected a name (maximised), {maximize: NAME}, "
                         "{minimize: NAME} or {break: CRITERION, probability: P}");
    int rc = check_keys(y, on, "attack.objective", keys, NELEM(keys));
    if (rc)
        return rc;
    yaml_node_t *kn = NULL, *mx = get(y, on, "maximize", NULL), *mn = get(y, on, "minimize", NULL),
                *br = get(y, on, "break", &kn), *atn = get(y, on, "at", NULL),
                *pn = get(y, on, "probability", NULL);
    if (!!mx + !!mn + !!br != 1)
        return at(y, on, "attack.objective: give exactly one of maximize, minimize, break");
    yaml_node_t *v = mx ? mx : mn ? mn : br;
    name = text(v);
    if (!name || !*name || strlen(name) >= (br ? sizeof s->criterion : sizeof s->metric))
        return at(y, v, "attack.objective: expected a %s name", br ? "criterion" : "metric");
    s->obj_line = (int)v->start_mark.line + 1;
    s->obj_col = (int)v->start_mark.column + 1;
    if (br) {
        s->goal = ATK_BREAK;
        snprintf(s->criterion, sizeof s->criterion, "%s", name);
        if (atn)
            return at(y, atn, "attack.objective: `at` goes with maximize/minimize; a criterion "
                              "has its own");
        if (pn && (rc = number(y, pn, "objective.probability", &s->probability)))
            return rc;
        if (!(s->probability > 0 && s->probability <= 1))
            return at(y, pn, "attack.objective.probability must be in (0, 1] (got %g)",
                      s->probability);
        return CRC_OK;
    }
    if (pn)
        return at(y, pn, "attack.objective: `probability` goes with break");
    s->goal = mx ? ATK_MAXIMIZE : ATK_MINIMIZE;
    snprintf(s->metric, sizeof s->metric, "%s", name);
    if (atn) {
        const char *st = text(atn);
        int k = -1;
        for (int i = 0; st && i < (int)NELEM(stats); i++)
            if (!strcmp(st, stats[i]))
                k = i;
        if (k < 0)
            return at(y, atn, "attack.objective.at: expected end, max, min or mean (a summary "
                              "value has one value per run and ignores it)");
        s->stat = k;
    }
    return CRC_OK;
}

static int parse_search(const actx *y, atk_spec *s, yaml_node_t *sn)
{
    static const char *const keys[] = {"method", "evaluations", "replicates", "fresh", "seed",
                                       "batch"};
    if (sn->type != YAML_MAPPING_NODE)
        return at(y, sn, "attack.search: expected {method, evaluations, replicates, fresh, "
                         "seed, batch}");
    int rc = check_keys(y, sn, "attack.search", keys, NELEM(keys));
    yaml_node_t *n;
    if (!rc && (n = get(y, sn, "method", NULL))) {
        crc_err e;
        crc_err_clear(&e);
        if (!text(n) || opt_method_parse(text(n), &s->method, &e) != CRC_OK)
            return at(y, n, "attack.search.method: expected cmaes, nm, cem or random");
    }
    if (!rc && (n = get(y, sn, "evaluations", NULL)))
        rc = whole(y, n, "search.evaluations", 1, 1000000, &s->evaluations);
    if (!rc && (n = get(y, sn, "replicates", NULL)))
        rc = whole(y, n, "search.replicates", 1, 100000, &s->replicates);
    if (!rc && (n = get(y, sn, "fresh", NULL)))
        rc = whole(y, n, "search.fresh", 2, 100000, &s->fresh);
    if (!rc && (n = get(y, sn, "batch", NULL)))
        rc = whole(y, n, "search.batch", 1, 100000, &s->batch);
    if (!rc && (n = get(y, sn, "seed", NULL))) {
        const char *t = text(n);
        char *end = NULL;
        errno = 0;
        unsigned long long v = t && *t && *t != '-' ? strtoull(t, &end, 10) : 0;
        if (!t || !*t || *t == '-' || *end || errno)
            return at(y, n, "attack.search.seed must be a whole number from 0 to 2^64-1");
        s->seed = v;
        s->has_seed = 1;
    }
    return rc;
}

static int parse_block(const actx *y, atk_spec *s, yaml_node_t *an)
{
    static const char *const keys[] = {"params", "start", "budget", "spend", "objective",
                                       "search"};
    if (an->type != YAML_MAPPING_NODE)
        return at(y, an, "attack: expected a mapping with params, budget, objective and search");
    int rc = check_keys(y, an, "attack", keys, NELEM(keys));
    if (rc)
        return rc;
    yaml_node_t *pn = get(y, an, "params", NULL), *bn = get(y, an, "budget", NULL),
                *stn = get(y, an, "start", NULL),
                *spn = get(y, an, "spend", NULL),
                *on = get(y, an, "objective", NULL), *sn = get(y, an, "search", NULL);
    if (!pn || pn->type != YAML_MAPPING_NODE || pn->data.mapping.pairs.start ==
                                                    pn->data.mapping.pairs.top)
        return at(y, pn ? pn : an, "attack.params: name the parameters the attacker controls, "
                                   "e.g. params: {farmers.budget: {min: 0, max: 50}}");
    for (yaml_node_pair_t *p = pn->data.mapping.pairs.start; p < pn->data.mapping.pairs.top; p++)
        if ((rc = parse_param(y, s, node(y, p->key), node(y, p->value))))
            return rc;
    if (stn && (rc = parse_start(y, s, stn)))
        return rc;
    if (!bn)
        return at(y, an, "attack: give a budget (USD) bounding the attack's spend, e.g. "
                         "budget: 10000");
    if ((rc = number(y, bn, "budget", &s->budget)))
        return rc;
    if (!(s->budget > 0))
        return at(y, bn, "attack.budget must be > 0 USD (got %g)", s->budget);
    if (spn) {
        const char *t = text(spn);
        if (!t || !*t || strlen(t) >= sizeof s->spend)
            return at(y, spn, "attack.spend: expected a summary value name, e.g. "
                              "cost_usd.farmer (default attack_cost_usd)");
        snprintf(s->spend, sizeof s->spend, "%s", t);
        s->spend_line = (int)spn->start_mark.line + 1;
        s->spend_col = (int)spn->start_mark.column + 1;
    }
    if (on && (rc = parse_objective(y, s, on)))
        return rc;
    if (sn && (rc = parse_search(y, s, sn)))
        return rc;
    return CRC_OK;
}

/* Reads the block from a parser whose input is set: the defaults, then the block. */
static int load(atk_spec *s, const char *path, yaml_parser_t *parser, crc_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->file, sizeof s->file, "%s", path);
    s->goal = ATK_MAXIMIZE;
    snprintf(s->metric, sizeof s->metric, "attacker_profit_usd");
    snprintf(s->spend, sizeof s->spend, "attack_cost_usd");
    s->stat = CRIT_MEAN;
    s->probability = 0.5;
    s->method = OPT_CMAES;
    s->evaluations = 120;
    s->replicates = 4;
    s->fresh = 16;
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc))
        return crc_err_at(err, CRC_EINPUT, path, (int)parser->problem_mark.line + 1,
                          (int)parser->problem_mark.column + 1, "not valid YAML: %s",
                          parser->problem ? parser->problem : "?");
    int rc = CRC_OK;
    actx y = {.file = path, .doc = &doc, .err = err};
    yaml_node_t *root = yaml_document_get_root_node(&doc), *kn = NULL;
    yaml_node_t *an = root && root->type == YAML_MAPPING_NODE ? get(&y, root, "attack", &kn)
                                                              : NULL;
    if (an) {
        s->present = 1;
        s->line = (int)kn->start_mark.line + 1;
        s->col = (int)kn->start_mark.column + 1;
        rc = parse_block(&y, s, an);
    }
    yaml_document_delete(&doc);
    return rc;
}

int atkfile_load(atk_spec *s, const char *path, crc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(s, 0, sizeof *s);
        return crc_err_at(err, CRC_EFAIL, path, 0, 0, "cannot read the scenario: %s",
                          strerror(errno));
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = load(s, path, &parser, err);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

int atkfile_load_text(atk_spec *s, const char *path, const char *text, size_t len, crc_err *err)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = load(s, path, &parser, err);
    yaml_parser_delete(&parser);
    return rc;
}

void atkfile_describe_objective(const atk_spec *s, char *buf, size_t len)
{
    static const char *const stats[] = {"end", "max", "min", "mean"};
    if (s->goal == ATK_BREAK)
        snprintf(buf, len, "break %s with probability >= %g", s->criterion, s->probability);
    else
        snprintf(buf, len, "%s %s (%s)", s->goal == ATK_MAXIMIZE ? "maximize" : "minimize",
                 s->metric, s->stat < 0 ? "summary" : stats[s->stat & 3]);
}

void atkfile_free(atk_spec *s)
{
    if (!s)
        return;
    free(s->params);
    memset(s, 0, sizeof *s);
}
