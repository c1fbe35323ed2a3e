/* memsink.c — see memsink.h. */
#include "model/memsink.h"

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
    memset(m, 0, sizeof *m);
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
    /* Metrics arrive in the same order every epoch: try the slot after the last hit. */
    for (size_t i = 0; i < m->n_series; i++)
        if (strcmp(m->series[i].name, name) == 0)
            return &m->series[i];
    if (grow((void **)&m->series, &m->cap_series, m->n_series + 1, sizeof *m->series))
        return NULL;
    memsink_series *s = &m->series[m->n_series];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    if (!s->name)
        return NULL;
    m->n_series++;
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

static int ms_flow(void *ctx, double t, const char *src, const char *dst, const char *reason,
                   double amount)
{
    memsink *m = ctx;
    m->n_flows++;
    return sink_flow(m->next, t, src, dst, reason, amount);
}

static int ms_intervention(void *ctx, double t, const char *path, const char *value)
{
    memsink *m = ctx;
    m->n_interventions++;
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
