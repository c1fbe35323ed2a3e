/*
 * scenario_validate.c — checks on a loaded scenario that depend on its final values
 * (see scenario.h): they run after every --set, so they cannot run while loading.
 * Kept apart from the loader so that the loader (and its fuzz target) do not depend on
 * the model.
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/metdoc.h"

/* Adds one error to the caller's list (counting past its capacity). */
static void add(crc_err *errs, size_t cap, size_t *n, const crc_err *e)
{
    if (*n < cap)
        errs[*n] = *e;
    (*n)++;
}

/* Adds an error at intervention i's place in its file (the scenario's path when the
 * position is unknown). */
static void add_at_intervention(const scenario *sc, size_t i, const char *msg, crc_err *errs,
                                size_t cap, size_t *n, int *first)
{
    const scenario_pos *p = sc->intervention_pos ? &sc->intervention_pos[i] : NULL;
    crc_err e;
    crc_err_clear(&e);
    crc_err_at(&e, CRC_EINPUT, p ? p->file : sc->path, p ? p->line : 0, p ? p->col : 0, "%s",
               msg);
    if (*first == CRC_OK)
        *first = e.code;
    add(errs, cap, n, &e);
}

/* Places a model_validate error (which names parameters but no position) where the
 * user can fix it: each parameter the scenario set is put back to its default in turn,
 * and those whose reverting changes the verdict are the ones involved. The error goes
 * to the one set last in the file (the likely edit); the message lists the others. */
static void place_model_error(const scenario *sc, crc_err *e)
{
    if (!sc->param_pos)
        return;
    crc_params *p = malloc(sizeof *p), *def = malloc(sizeof *def);
    size_t *involved = malloc(params_count * sizeof *involved);
    size_t n = 0;
    if (p && def && involved) {
        params_defaults(def);
        for (size_t i = 0; i < params_count; i++) {
            if (sc->param_pos[i].line == 0)
                continue;
            const param_def *d = &params_table[i];
            crc_pvalue v;
            *p = sc->params;
            params_read(def, d, &v);
            params_assign(p, d, &v);
            crc_err m;
            crc_err_clear(&m);
            if (model_validate(p, &m) == CRC_OK || strcmp(m.msg, e->msg) != 0)
                involved[n++] = i;
        }
    }
    free(p);
    free(def);
    /* The one set last in a file (line -1, --set, counts as earliest). */
    size_t best = n;
    for (size_t k = 0; k < n; k++)
        if (best == n || sc->param_pos[involved[k]].line >= sc->param_pos[involved[best]].line)
            best = k;
    if (best < n) {
        const scenario_pos *at = &sc->param_pos[involved[best]];
        char others[600] = "";
        for (size_t k = 0; k < n; k++) {
            if (k == best)
                continue;
            const scenario_pos *o = &sc->param_pos[involved[k]];
            size_t len = strlen(others);
            if (o->line > 0)
                snprintf(others + len, sizeof others - len, "%s%s (line %d)", len ? ", " : "",
                         params_table[involved[k]].path, o->line);
            else
                snprintf(others + len, sizeof others - len, "%s%s (--set)", len ? ", " : "",
                         params_table[involved[k]].path);
        }
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%.900s (%.100s is set %s%s%.400s)", e->msg,
                 params_table[involved[best]].path, at->line > 0 ? "here" : "by --set",
                 others[0] ? "; also involved: " : "", others);
        int code = e->code ? e->code : CRC_EINPUT;
        if (at->line > 0)
            crc_err_at(e, code, at->file, at->line, at->col, "%s", msg);
        else
            crc_err_at(e, code, sc->path, 0, 0, "%s", msg);
    }
    free(involved);
}

static int metric_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

int scenario_validate_diag(const scenario *sc, crc_err *errs, size_t max_errs, size_t *n_errs)
{
    size_t n = 0;
    int first = CRC_OK;
    crc_err e;
    const param_def *hd = params_find("world.horizon");
    double horizon = INFINITY;
    if (hd) {
        crc_pvalue v;
        params_read(&sc->params, hd, &v);
        horizon = v.x;
    }
    for (size_t i = 0; i < sc->n_interventions; i++) {
        const crc_intervention *iv = &sc->interventions[i];
        char msg[sizeof e.msg];
        const char *why = iv->param ? model_fixed_param(iv->param->path) : NULL;
        if (why) {
            snprintf(msg, sizeof msg, "interventions: at: day %g: %s cannot change during a run: %s",
                     iv->t, iv->param->path, why);
            add_at_intervention(sc, i, msg, errs, max_errs, &n, &first);
        }
        if (!(iv->t >= 0 && iv->t <= horizon)) {
            snprintf(msg, sizeof msg,
                     "interventions: at: day %g (setting %s) is %s; allowed: 0 to world.horizon "
                     "= %g days",
                     iv->t, iv->param ? iv->param->path : "?",
                     iv->t < 0 ? "negative" : "after the end of the run", horizon);
            add_at_intervention(sc, i, msg, errs, max_errs, &n, &first);
        }
    }
    for (size_t i = 0; i < sc->n_criteria; i++) {
        const crc_criterion *c = &sc->criteria[i];
        int formed = metric_ok(c->metric) && c->stat >= CRIT_END && c->stat <= CRIT_MEAN &&
                     c->op >= CRIT_LT && c->op <= CRIT_NE && isfinite(c->value);
        if (formed && metdoc_find(c->metric))
            continue;
        const scenario_pos *p = sc->criterion_pos ? &sc->criterion_pos[i] : NULL;
        crc_err_clear(&e);
        if (formed) {
            /* Caught here rather than after a whole run: the model's metric table
             * lists every name a run writes. */
            char near[96];
            metdoc_nearest(c->metric, near, sizeof near);
            crc_err_at(&e, CRC_EINPUT, p ? p->file : sc->path, p ? p->line : 0,
                       p ? p->col : 0,
                       "criteria: '%s': the model writes no metric or summary value named "
                       "'%s'%s%s%s (`crucible metrics` lists them)",
                       c->name, c->metric, near[0] ? "; did you mean '" : "", near,
                       near[0] ? "'?" : "");
        } else {
            crc_err_at(&e, CRC_EINPUT, p ? p->file : sc->path, p ? p->line : 0,
                       p ? p->col : 0,
                       "criteria: '%s' is malformed; expected {name, metric (lower-case "
                       "letters, digits, '_', '.'), at: end|max|min|mean, op, value (a "
                       "number)}",
                       c->name);
        }
        if (first == CRC_OK)
            first = e.code;
        add(errs, max_errs, &n, &e);
    }
    crc_err_clear(&e);
    if (scenario_check_cost(sc, &e) != CRC_OK) {
        if (first == CRC_OK)
            first = e.code;
        add(errs, max_errs, &n, &e);
    }
    crc_err_clear(&e);
    if (model_validate(&sc->params, &e) != CRC_OK) {
        /* The model names the parameters; the file is where they were set. */
        place_model_error(sc, &e);
        if (!e.file[0])
            snprintf(e.file, sizeof e.file, "%s", sc->path);
        if (first == CRC_OK)
            first = e.code ? e.code : CRC_EINPUT;
        add(errs, max_errs, &n, &e);
    } else if (sc->n_interventions) {
        /* The model applies interventions as they come, so the parameters must stay
         * consistent after each day's changes too (e.g. a fee share raised by an
         * intervention without lowering another). */
        crc_params *p = malloc(sizeof *p);
        if (!p) {
            crc_err_set(&e, CRC_ENOMEM, "out of memory");
            add(errs, max_errs, &n, &e);
            first = CRC_ENOMEM;
        }
        for (size_t i = 0, j; p && i < sc->n_interventions; i = j) {
            if (i == 0)
                *p = sc->params;
            for (j = i; j < sc->n_interventions && sc->interventions[j].t == sc->interventions[i].t;
                 j++)
                params_assign(p, sc->interventions[j].param, &sc->interventions[j].value);
            crc_err m;
            crc_err_clear(&m);
            if (model_validate(p, &m) == CRC_OK)
                continue;
            const scenario_pos *at = sc->intervention_pos ? &sc->intervention_pos[i] : NULL;
            crc_err_clear(&e);
            crc_err_at(&e, CRC_EINPUT, at ? at->file : sc->path, at ? at->line : 0,
                       at ? at->col : 0,
                       "interventions: after the changes at day %g: %.1400s; change the "
                       "related parameters in the same intervention",
                       sc->interventions[i].t, m.msg);
            first = CRC_EINPUT;
            add(errs, max_errs, &n, &e);
            break; /* later days would repeat the same complaint */
        }
        free(p);
    }
    if (n_errs)
        *n_errs = n;
    return first;
}

int scenario_validate(const scenario *sc, crc_err *err)
{
    crc_err_clear(err);
    return scenario_validate_diag(sc, err, err ? 1 : 0, NULL);
}
