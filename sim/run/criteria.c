/* criteria.c — see criteria.h. */
#include "run/criteria.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *criteria_stat_name(int stat)
{
    static const char *const names[] = {"end", "max", "min", "mean"};
    return stat >= 0 && stat <= CRIT_MEAN ? names[stat] : "?";
}

const char *criteria_op_name(int op)
{
    static const char *const names[] = {"<", "<=", ">", ">=", "==", "!="};
    return op >= 0 && op <= CRIT_NE ? names[op] : "?";
}

int criteria_compare(int op, double v, double x)
{
    if (isnan(v) || isnan(x))
        return 0;
    switch (op) {
    case CRIT_LT: return v < x;
    case CRIT_LE: return v <= x;
    case CRIT_GT: return v > x;
    case CRIT_GE: return v >= x;
    case CRIT_EQ: return v == x;
    case CRIT_NE: return v != x;
    default: return 0;
    }
}

/* Levenshtein distance, capped: names are short (< 96 chars). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 95 || lb > 95)
        return (size_t)-1;
    size_t row[96];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

typedef struct near {
    const char *name;
    size_t d;
} near;

static void consider(near best[3], const char *want, const char *name)
{
    size_t d = edit_distance(want, name);
    /* a name containing the wanted one (or the reverse) is near whatever its length */
    if (strstr(name, want) || strstr(want, name))
        d = d < 2 ? d : 2;
    for (int i = 0; i < 3; i++) {
        if (best[i].name && strcmp(best[i].name, name) == 0)
            return;
        if (!best[i].name || d < best[i].d) {
            for (int k = 2; k > i; k--)
                best[k] = best[k - 1];
            best[i] = (near){name, d};
            return;
        }
    }
}

/* Writes "did you mean ..." (or the list of what exists) into buf. */
static void suggest(const memsink *m, const char *want, char *buf, size_t len)
{
    near best[3] = {{0}};
    for (size_t i = 0; i < m->n_series; i++)
        consider(best, want, m->series[i].name);
    for (size_t i = 0; i < m->n_sum; i++)
        consider(best, want, m->sum_name[i]);
    size_t limit = strlen(want) / 3 + 2;
    size_t n = 0;
    char list[300] = "";
    for (int i = 0; i < 3; i++) {
        if (!best[i].name || best[i].d > limit)
            break;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s'%s'", n ? ", " : "", best[i].name);
        n++;
    }
    if (n) {
        snprintf(buf, len, "did you mean %s?", list);
        return;
    }
    /* nothing close: show what the run did write */
    size_t used = 0;
    used += (size_t)snprintf(buf, len, "the run wrote %zu metrics (", m->n_series);
    for (size_t i = 0; i < m->n_series && i < 8 && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 m->series[i].name);
    if (used < len)
        snprintf(buf + used, len - used, "%s) and %zu summary values",
                 m->n_series > 8 ? ", ..." : "", m->n_sum);
}

int criteria_eval(const crc_criterion *c, const memsink *m, crit_result *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", c->name);
    snprintf(out->metric, sizeof out->metric, "%s", c->metric);
    out->stat = c->stat;
    out->op = c->op;
    out->threshold = c->value;
    out->value = NAN;

    const memsink_series *s = memsink_get(m, c->metric);
    if (s && s->n) {
        if (c->stat == CRIT_END) {
            out->value = s->v[s->n - 1];
            if (isnan(out->value)) {
                snprintf(out->error, sizeof out->error,
                         "criterion '%s': metric '%s' is undefined (NaN) at the end of the "
                         "run, so `at: end` cannot be tested; use at: max, min or mean",
                         c->name, c->metric);
                return CRC_EINPUT;
            }
        } else {
            /* max/min/mean over the defined samples (NaN marks "undefined this epoch") */
            double *x = malloc(s->n * sizeof *x);
            if (!x) {
                snprintf(out->error, sizeof out->error, "criterion '%s': out of memory",
                         c->name);
                return CRC_ENOMEM;
            }
            size_t k = 0;
            for (size_t i = 0; i < s->n; i++)
                if (!isnan(s->v[i]))
                    x[k++] = s->v[i];
            if (k == 0) {
                free(x);
                snprintf(out->error, sizeof out->error,
                         "criterion '%s': metric '%s' is undefined (NaN) at every epoch",
                         c->name, c->metric);
                return CRC_EINPUT;
            }
            out->value = c->stat == CRIT_MAX   ? gsl_stats_max(x, 1, k)
                         : c->stat == CRIT_MIN ? gsl_stats_min(x, 1, k)
                                               : gsl_stats_mean(x, 1, k);
            free(x);
        }
    } else {
        double v = memsink_summary(m, c->metric);
        int found = 0;
        for (size_t i = 0; i < m->n_sum && !found; i++)
            found = strcmp(m->sum_name[i], c->metric) == 0;
        if (!found) {
            char hint[420];
            suggest(m, c->metric, hint, sizeof hint);
            snprintf(out->error, sizeof out->error,
                     "criterion '%s': the run wrote no metric or summary value named '%s'; "
                     "%s",
                     c->name, c->metric, hint);
            return CRC_EINPUT;
        }
        out->from_summary = 1;
        out->value = v;
        if (isnan(v)) {
            snprintf(out->error, sizeof out->error,
                     "criterion '%s': summary value '%s' is undefined (NaN) in this run",
                     c->name, c->metric);
            return CRC_EINPUT;
        }
    }
    out->passed = criteria_compare(c->op, out->value, c->value);
    return CRC_OK;
}
