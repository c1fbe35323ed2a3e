/* report_cmp.c — metrics and criteria of a report, compared across arms (report_cmp.h). */
#include "report_cmp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fmt.h"
#include "plot.h"

int report_same_value(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 1;
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Index in d->runs of replicate r (point -1), or -1. */
static long run_of(const adb *d, long r)
{
    for (size_t i = 0; i < d->n_runs; i++)
        if (d->runs[i].replicate == r)
            return (long)i;
    return -1;
}

/* Pairs va (runs of b) with vb (runs of p) by replicate: the count of pairs, and
 * whether each pair agrees. */
static size_t pair_up(const adb *b, const adb *p, const double *va, const double *vb,
                      int *same)
{
    size_t n = 0;
    *same = 1;
    for (size_t i = 0; i < b->n_runs; i++) {
        long j = run_of(p, b->runs[i].replicate);
        if (j < 0)
            continue;
        n++;
        *same &= report_same_value(va[i], vb[j]);
    }
    return n;
}

int report_compare(const adb *b, const adb *p, double level, report_metric **out, size_t *n,
                   crc_err *err)
{
    char **names = NULL;
    size_t nn = 0;
    *out = NULL;
    *n = 0;
    if (adb_key_metrics(b, &names, &nn, err))
        return err->code;
    report_metric *m = calloc(nn + 1, sizeof *m);
    double *va = malloc((b->n_runs + 1) * sizeof *va), *vb = malloc((p->n_runs + 1) * sizeof *vb);
    double *ca = malloc((b->n_runs + 1) * sizeof *ca), *cb = malloc((p->n_runs + 1) * sizeof *cb);
    double *work = malloc((2 * (b->n_runs + p->n_runs) + 1) * sizeof *work);
    int rc = CRC_OK;
    if (!m || !va || !vb || !ca || !cb || !work) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < nn; k++) {
        int sa = 0, sp = 0;
        crc_err e2;
        if (adb_run_values(b, names[k], ADB_END, va, &sa, &e2) ||
            adb_run_values(p, names[k], ADB_END, vb, &sp, &e2))
            continue; /* absent from one arm: nothing to compare */
        report_metric *r = &m[(*n)++];
        snprintf(r->name, sizeof r->name, "%s", names[k]);
        if (!adb_metric_info(b, names[k], r->label, sizeof r->label, r->unit, sizeof r->unit))
            snprintf(r->unit, sizeof r->unit, "%s", plot_metric_unit(names[k]));
        r->from_summary = sa || sp;
        r->n_pairs = pair_up(b, p, va, vb, &r->identical);
        r->identical &= r->n_pairs > 0 && b->n_runs == p->n_runs;
        memcpy(ca, va, b->n_runs * sizeof *ca);
        memcpy(cb, vb, p->n_runs * sizeof *cb);
        size_t na = stats_finite(ca, b->n_runs, &r->inf_b);
        size_t nb = stats_finite(cb, p->n_runs, &r->inf_p);
        stats_describe(ca, na, level, work, &r->b);
        stats_describe(cb, nb, level, work, &r->p);
        stats_welch_test(ca, na, cb, nb, level, &r->w);
        stats_mw mw;
        stats_mann_whitney(ca, na, cb, nb, work, &mw);
        r->mw_p = mw.p;
        r->cliff = stats_cliff_delta(ca, na, cb, nb);
        if (r->identical) { /* exactly nothing: no noise-level statistics either */
            r->w.diff = 0;
            r->cliff = 0;
        }
        r->moved = !r->identical && !isnan(r->w.ci_lo) &&
                   (r->w.ci_lo > 0 || r->w.ci_hi < 0) &&
                   !fmt_is_zero(r->w.diff, r->w.ci_lo, r->w.ci_hi);
    }
done:
    if (rc) {
        free(m);
        m = NULL;
        *n = 0;
    }
    *out = m;
    free(va);
    free(vb);
    free(ca);
    free(cb);
    free(work);
    adb_strings_free(names, nn);
    return rc;
}

/* ---- criteria ------------------------------------------------------------------- */

typedef struct crit_def {
    char metric[96], stat[16], op[4];
    double threshold;
} crit_def;

static int crit_def_of(const adb *d, const char *name, crit_def *c)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT metric, stat, op, threshold FROM criteria "
                           "WHERE name = ?1 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0), *s = sqlite3_column_text(st, 1),
                            *o = sqlite3_column_text(st, 2);
        snprintf(c->metric, sizeof c->metric, "%s", m ? (const char *)m : "");
        snprintf(c->stat, sizeof c->stat, "%s", s ? (const char *)s : "");
        snprintf(c->op, sizeof c->op, "%s", o ? (const char *)o : "");
        c->threshold = sqlite3_column_double(st, 3);
        found = 1;
    }
    sqlite3_finalize(st);
    return found;
}

/* `v op t` as the run evaluates it (run/criteria.c); 0 for NaN. */
static int holds(const char *op, double v, double t)
{
    if (isnan(v))
        return 0;
    if (!strcmp(op, "<"))
        return v < t;
    if (!strcmp(op, "<="))
        return v <= t;
    if (!strcmp(op, ">"))
        return v > t;
    if (!strcmp(op, ">="))
        return v >= t;
    if (!strcmp(op, "=="))
        return v == t;
    if (!strcmp(op, "!="))
        return v != t;
    return 0;
}

/* Evaluates criterion c on every run of d: *k passes of *m evaluated runs. */
static void evaluate_here(const adb *d, const crit_def *c, double *v, size_t *k, size_t *m,
                          int *approx)
{
    adb_stat s = ADB_END;
    *approx = 0;
    if (!strcmp(c->stat, "max") || !strcmp(c->stat, "min") || !strcmp(c->stat, "mean")) {
        s = !strcmp(c->stat, "max") ? ADB_MAX : !strcmp(c->stat, "min") ? ADB_MIN : ADB_MEAN;
        *approx = 1;
    }
    *k = *m = 0;
    crc_err e2;
    if (adb_run_values(d, c->metric, s, v, NULL, &e2))
        return;
    for (size_t i = 0; i < d->n_runs; i++) {
        (*m)++;
        *k += (size_t)holds(c->op, v[i], c->threshold);
    }
}

int report_criteria(const adb *b, const adb *p, double level, report_crit **out, size_t *n,
                    crc_err *err)
{
    char **cb = NULL, **cp = NULL;
    size_t nb = 0, np = 0;
    crc_err e2;
    *out = NULL;
    *n = 0;
    adb_names(b, "criteria", &cb, &nb, &e2);
    adb_names(p, "criteria", &cp, &np, &e2);
    size_t most = b->n_runs > p->n_runs ? b->n_runs : p->n_runs;
    report_crit *c = calloc(nb + np + 1, sizeof *c);
    int *pass = malloc((most + 1) * sizeof *pass);
    double *v = malloc((most + 1) * sizeof *v);
    int rc = CRC_OK;
    if (!c || !pass || !v) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        free(c);
        c = NULL;
        goto done;
    }
    const adb *dbs[2] = {b, p};
    char **lists[2] = {cb, cp};
    size_t counts[2] = {nb, np};
    for (size_t i = 0; i < nb + np; i++) {
        const char *name = i < nb ? cb[i] : cp[i - nb];
        int dup = 0;
        for (size_t j = 0; j < *n && !dup; j++)
            dup = !strcmp(c[j].name, name);
        if (dup)
            continue;
        report_crit *r = &c[(*n)++];
        snprintf(r->name, sizeof r->name, "%s", name);
        for (int s = 0; s < 2; s++)
            for (size_t j = 0; j < counts[s]; j++)
                r->declared[s] |= !strcmp(lists[s][j], name);
        const adb *decl = r->declared[0] ? b : p;
        adb_criterion_text(decl, name, r->test, sizeof r->test);
        crit_def def;
        int have_def = crit_def_of(decl, name, &def);
        for (int s = 0; s < 2; s++) {
            size_t k = 0, m = 0;
            if (r->declared[s]) {
                if (adb_criterion(dbs[s], name, pass, &e2) == CRC_OK)
                    for (size_t q = 0; q < dbs[s]->n_runs; q++)
                        if (pass[q] >= 0) {
                            m++;
                            k += (size_t)pass[q];
                        }
            } else if (have_def)
                evaluate_here(dbs[s], &def, v, &k, &m, &r->approx[s]);
            stats_wilson(k, m, level, &r->pr[s]);
        }
    }
done:
    *out = c;
    free(pass);
    free(v);
    adb_strings_free(cb, nb);
    adb_strings_free(cp, np);
    return rc;
}
