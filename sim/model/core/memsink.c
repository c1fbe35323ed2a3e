/* memsink.c — see memsink.h. */
#include "model/core/memsink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void memsink_init(memsink *m, const crc_sink *next)
{
    memset(m, 0, sizeof *m);
    m->next = next;
}

void memsink_free(memsink *m)
{
    const crc_sink *next = m->next;
    for (size_t i = 0; i < m->n_series; i++) {
        free(m->series[i].name);
        free(m->series[i].t);
        free(m->series[i].v);
    }
    free(m->series);
    for (size_t i = 0; i < m->n_sum; i++)
        free(m->sum_name[i]);
    free(m->sum_name);
    free(m->sum_value);
    free(m->flows);
    for (size_t i = 0; i < m->n_interventions; i++) {
        free(m->interventions[i].path);
        free(m->interventions[i].value);
    }
    free(m->interventions);
    for (size_t i = 0; i < m->n_labels; i++)
        free(m->labels[i]);
    free(m->labels);
    memset(m, 0, sizeof *m);
    m->next = next;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static memsink_series *find_or_add(memsink *m, const char *name)
{
    /* Metrics arrive in the same order every epoch: try the slot after the last hit
     * first, so a run of S series costs O(1) per sample instead of O(S). */
    if (m->hint < m->n_series && strcmp(m->series[m->hint].name, name) == 0) {
        memsink_series *s = &m->series[m->hint];
        m->hint = (m->hint + 1) % m->n_series;
        return s;
    }
    for (size_t i = 0; i < m->n_series; i++)
        if (strcmp(m->series[i].name, name) == 0) {
            m->hint = (i + 1) % m->n_series;
            return &m->series[i];
        }
    if (grow((void **)&m->series, &m->cap_series, m->n_series + 1, sizeof *m->series))
        return NULL;
    memsink_series *s = &m->series[m->n_series];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    if (!s->name)
        return NULL;
    m->n_series++;
    m->hint = 0; /* after a new series the next sample starts a new epoch */
    return s;
}

static int ms_metric(void *ctx, double t, const char *name, double v)
{
    memsink *m = ctx;
    memsink_series *s = find_or_add(m, name);
    size_t cap = s ? s->cap : 0;
    if (!s || grow((void **)&s->t, &cap, s->n + 1, sizeof *s->t) ||
        grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v)) {
        m->oom = 1;
        return 4;
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    s->n++;
    return sink_metric(m->next, t, name, v);
}

static int ms_summary(void *ctx, const char *name, double v)
{
    memsink *m = ctx;
    size_t cap = m->cap_sum;
    if (grow((void **)&m->sum_name, &cap, m->n_sum + 1, sizeof *m->sum_name) ||
        grow((void **)&m->sum_value, &m->cap_sum, m->n_sum + 1, sizeof *m->sum_value)) {
        m->oom = 1;
        return 4;
    }
    m->sum_name[m->n_sum] = strdup(name);
    if (!m->sum_name[m->n_sum]) {
        m->oom = 1;
        return 4;
    }
    m->sum_value[m->n_sum++] = v;
    return sink_summary(m->next, name, v);
}

/* Index of label s in the intern table, adding it when new; (size_t)-1 when out of
 * memory. Flow labels are few (account classes and reasons), so a linear scan wins. */
static size_t intern(memsink *m, const char *s)
{
    if (!s)
        s = "";
    for (size_t i = m->n_labels; i-- > 0;)
        if (strcmp(m->labels[i], s) == 0)
            return i;
    if (grow((void **)&m->labels, &m->cap_labels, m->n_labels + 1, sizeof *m->labels))
        return (size_t)-1;
    char *c = strdup(s);
    if (!c)
        return (size_t)-1;
    m->labels[m->n_labels] = c;
    return m->n_labels++;
}

static int ms_flow(void *ctx, double t, const char *src, const char *dst, const char *reason,
                   double amount)
{
    memsink *m = ctx;
    size_t a = intern(m, src), b = intern(m, dst), r = intern(m, reason);
    if (a == (size_t)-1 || b == (size_t)-1 || r == (size_t)-1 ||
        grow((void **)&m->flows, &m->cap_flows, m->n_flows + 1, sizeof *m->flows)) {
        m->oom = 1;
        return 4;
    }
    m->flows[m->n_flows++] = (memsink_flow){t, a, b, r, amount};
    return sink_flow(m->next, t, src, dst, reason, amount);
}

static int ms_intervention(void *ctx, double t, const char *path, const char *value)
{
    memsink *m = ctx;
    if (grow((void **)&m->interventions, &m->cap_interventions, m->n_interventions + 1,
             sizeof *m->interventions)) {
        m->oom = 1;
        return 4;
    }
    char *p = strdup(path ? path : ""), *v = strdup(value ? value : "");
    if (!p || !v) {
        free(p);
        free(v);
        m->oom = 1;
        return 4;
    }
    m->interventions[m->n_interventions++] = (memsink_intervention){t, p, v};
    return sink_intervention(m->next, t, path, value);
}

crc_sink memsink_sink(memsink *m)
{
    crc_sink s = {m, ms_metric, ms_summary, ms_flow, ms_intervention};
    return s;
}

const memsink_series *memsink_get(const memsink *m, const char *name)
{
    for (size_t i = 0; i < m->n_series; i++)
        if (strcmp(m->series[i].name, name) == 0)
            return &m->series[i];
    return NULL;
}

double memsink_last(const memsink *m, const char *name)
{
    const memsink_series *s = memsink_get(m, name);
    return s && s->n ? s->v[s->n - 1] : NAN;
}

double memsink_summary(const memsink *m, const char *name)
{
    for (size_t i = m->n_sum; i-- > 0;)
        if (strcmp(m->sum_name[i], name) == 0)
            return m->sum_value[i];
    return NAN;
}

int memsink_has_summary(const memsink *m, const char *name)
{
    for (size_t i = 0; i < m->n_sum; i++)
        if (strcmp(m->sum_name[i], name) == 0)
            return 1;
    return 0;
}

const char *memsink_label(const memsink *m, size_t i)
{
    return i < m->n_labels ? m->labels[i] : "";
}

size_t memsink_samples(const memsink *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_series; i++)
        n += m->series[i].n;
    return n;
}
