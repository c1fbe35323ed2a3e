/* wire.c — the worker-to-writer run format. See wire.h. */
#include "sweep/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_NULL 0xffffffffu

void wire_buf_free(wire_buf *b)
{
    if (!b)
        return;
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void put(wire_buf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u8(wire_buf *b, unsigned char v) { put(b, &v, 1); }
static void put_u32(wire_buf *b, uint32_t v) { put(b, &v, sizeof v); }
static void put_u64(wire_buf *b, uint64_t v) { put(b, &v, sizeof v); }
static void put_f64(wire_buf *b, double v) { put(b, &v, sizeof v); }

static void put_str(wire_buf *b, const char *s)
{
    if (!s) {
        put_u32(b, WIRE_NULL);
        return;
    }
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    put(b, s, n + 1);
}

/* ---- encoder ------------------------------------------------------------------- */

void wire_enc_init(wire_enc *e, wire_buf *out)
{
    memset(e, 0, sizeof *e);
    e->out = out;
}

void wire_enc_free(wire_enc *e)
{
    for (size_t i = 0; i < e->n_names; i++)
        free(e->names[i]);
    free(e->names);
    e->names = NULL;
    e->n_names = e->cap_names = 0;
}

/* The id of name, defining it in the stream the first time; (uint32_t)-1 when out of
 * memory. */
static uint32_t intern(wire_enc *e, const char *name)
{
    if (e->hint < e->n_names && !strcmp(e->names[e->hint], name))
        return (uint32_t)e->hint++;
    for (size_t i = 0; i < e->n_names; i++)
        if (!strcmp(e->names[i], name)) {
            e->hint = i + 1;
            return (uint32_t)i;
        }
    if (e->n_names == e->cap_names) {
        size_t cap = e->cap_names ? 2 * e->cap_names : 64;
        char **v = realloc(e->names, cap * sizeof *v);
        if (!v)
            return WIRE_NULL;
        e->names = v;
        e->cap_names = cap;
    }
    char *s = strdup(name);
    if (!s)
        return WIRE_NULL;
    e->names[e->n_names] = s;
    put_u8(e->out, 'N');
    put_str(e->out, name);
    e->hint = e->n_names + 1;
    return (uint32_t)e->n_names++;
}

static int enc_metric(void *ctx, double t, const char *name, double v)
{
    wire_enc *e = ctx;
    uint32_t id = intern(e, name);
    put_u8(e->out, 'M');
    put_u32(e->out, id);
    put_f64(e->out, t);
    put_f64(e->out, v);
    return id == WIRE_NULL || e->out->oom ? CRC_ENOMEM : 0;
}

static int enc_summary(void *ctx, const char *name, double v)
{
    wire_enc *e = ctx;
    uint32_t id = intern(e, name);
    put_u8(e->out, 'S');
    put_u32(e->out, id);
    put_f64(e->out, v);
    return id == WIRE_NULL || e->out->oom ? CRC_ENOMEM : 0;
}

static int enc_flow(void *ctx, double t, const char *src, const char *dst, const char *reason,
                    double amount)
{
    wire_enc *e = ctx;
    size_t hint = e->hint; /* labels must not disturb the metric order guess */
    uint32_t a = intern(e, src), b = intern(e, dst), c = intern(e, reason);
    e->hint = hint;
    put_u8(e->out, 'F');
    put_f64(e->out, t);
    put_u32(e->out, a);
    put_u32(e->out, b);
    put_u32(e->out, c);
    put_f64(e->out, amount);
    return a == WIRE_NULL || b == WIRE_NULL || c == WIRE_NULL || e->out->oom ? CRC_ENOMEM : 0;
}

static int enc_intervention(void *ctx, double t, const char *path, const char *value)
{
    wire_enc *e = ctx;
    size_t hint = e->hint;
    uint32_t a = intern(e, path), b = intern(e, value);
    e->hint = hint;
    put_u8(e->out, 'I');
    put_f64(e->out, t);
    put_u32(e->out, a);
    put_u32(e->out, b);
    return a == WIRE_NULL || b == WIRE_NULL || e->out->oom ? CRC_ENOMEM : 0;
}

crc_sink wire_enc_sink(wire_enc *e)
{
    crc_sink s = {e, enc_metric, enc_summary, enc_flow, enc_intervention};
    return s;
}

/* ---- decoding ------------------------------------------------------------------ */

typedef struct rd {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rd;

static void get(rd *r, void *dst, size_t n)
{
    if (r->bad || r->n - r->at < n) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}

static unsigned char get_u8(rd *r)
{
    unsigned char v;
    get(r, &v, 1);
    return v;
}
static uint32_t get_u32(rd *r)
{
    uint32_t v;
    get(r, &v, sizeof v);
    return v;
}
static uint64_t get_u64(rd *r)
{
    uint64_t v;
    get(r, &v, sizeof v);
    return v;
}
static double get_f64(rd *r)
{
    double v;
    get(r, &v, sizeof v);
    return v;
}

/* A string in place (NUL-terminated inside the buffer); NULL for a NULL string or when
 * malformed (then r->bad is set). */
static const char *get_str(rd *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || n == WIRE_NULL)
        return NULL;
    if (r->n - r->at < (size_t)n + 1 || r->p[r->at + n] != 0) {
        r->bad = 1;
        return NULL;
    }
    const char *s = (const char *)r->p + r->at;
    r->at += (size_t)n + 1;
    return s;
}

int wire_replay(const unsigned char *p, size_t n, const crc_sink *sink, crc_err *err)
{
    rd r = {p, n, 0, 0};
    const char **names = NULL;
    size_t n_names = 0, cap = 0;
    int rc = CRC_OK;
    while (rc == CRC_OK && !r.bad && r.at < r.n) {
        unsigned char tag = get_u8(&r);
        switch (tag) {
        case 'N': {
            const char *s = get_str(&r);
            if (!s) {
                r.bad = 1;
                break;
            }
            if (n_names == cap) {
                cap = cap ? 2 * cap : 64;
                const char **v = realloc(names, cap * sizeof *v);
                if (!v) {
                    rc = crc_err_set(err, CRC_ENOMEM, "out of memory replaying a run");
                    break;
                }
                names = v;
            }
            names[n_names++] = s;
            break;
        }
        case 'M': {
            uint32_t id = get_u32(&r);
            double t = get_f64(&r), v = get_f64(&r);
            if (r.bad || id >= n_names)
                r.bad = 1;
            else
                rc = sink_metric(sink, t, names[id], v);
            break;
        }
        case 'S': {
            uint32_t id = get_u32(&r);
            double v = get_f64(&r);
            if (r.bad || id >= n_names)
                r.bad = 1;
            else
                rc = sink_summary(sink, names[id], v);
            break;
        }
        case 'F': {
            double t = get_f64(&r);
            uint32_t a = get_u32(&r), b = get_u32(&r), c = get_u32(&r);
            double v = get_f64(&r);
            if (r.bad || a >= n_names || b >= n_names || c >= n_names)
                r.bad = 1;
            else
                rc = sink_flow(sink, t, names[a], names[b], names[c], v);
            break;
        }
        case 'I': {
            double t = get_f64(&r);
            uint32_t a = get_u32(&r), b = get_u32(&r);
            if (r.bad || a >= n_names || b >= n_names)
                r.bad = 1;
            else
                rc = sink_intervention(sink, t, names[a], names[b]);
            break;
        }
        default: r.bad = 1; break;
        }
    }
    free(names);
    if (rc == CRC_OK && r.bad)
        rc = crc_err_set(err, CRC_EFAIL, "malformed run message from a sweep worker (byte %zu)",
                         r.at);
    return rc;
}

void wire_put_result(wire_buf *out, const wire_result *r)
{
    size_t head = out->n;
    put_u32(out, WIRE_MAGIC);
    put_u64(out, 0); /* body length, patched below */
    size_t body = out->n;
    put_u64(out, r->run);
    put_u32(out, (uint32_t)r->status);
    put_f64(out, r->wall_seconds);
    put_str(out, r->started_at);
    put_str(out, r->ended_at);
    put_str(out, r->scenario);
    put_str(out, r->yaml);
    put_str(out, r->hash);
    put_str(out, r->error);
    put_u32(out, (uint32_t)r->n_criteria);
    for (size_t i = 0; i < r->n_criteria; i++) {
        const store_criterion *c = &r->criteria[i];
        put_str(out, c->name);
        put_str(out, c->metric);
        put_str(out, c->stat);
        put_str(out, c->op);
        put_f64(out, c->threshold);
        put_f64(out, c->value);
        put_u32(out, (uint32_t)c->passed);
        put_str(out, c->error);
    }
    put_u64(out, r->events_len);
    if (r->events_len)
        put(out, r->events, r->events_len);
    if (!out->oom) {
        uint64_t len = out->n - body;
        memcpy(out->p + head + sizeof(uint32_t), &len, sizeof len);
    }
}

int wire_get_result(const unsigned char *body, size_t n, wire_result *res, crc_err *err)
{
    memset(res, 0, sizeof *res);
    rd r = {body, n, 0, 0};
    res->run = get_u64(&r);
    res->status = (int)get_u32(&r);
    res->wall_seconds = get_f64(&r);
    res->started_at = get_str(&r);
    res->ended_at = get_str(&r);
    res->scenario = get_str(&r);
    res->yaml = get_str(&r);
    res->hash = get_str(&r);
    res->error = get_str(&r);
    uint32_t nc = get_u32(&r);
    if (!r.bad && nc > (r.n - r.at) / 8)
        r.bad = 1;
    if (!r.bad && nc) {
        res->criteria = calloc(nc, sizeof *res->criteria);
        if (!res->criteria)
            return crc_err_set(err, CRC_ENOMEM, "out of memory decoding a run");
        res->n_criteria = nc;
        for (uint32_t i = 0; i < nc && !r.bad; i++) {
            store_criterion *c = &res->criteria[i];
            c->name = get_str(&r);
            c->metric = get_str(&r);
            c->stat = get_str(&r);
            c->op = get_str(&r);
            c->threshold = get_f64(&r);
            c->value = get_f64(&r);
            c->passed = (int)get_u32(&r);
            c->error = get_str(&r);
        }
    }
    uint64_t ev = get_u64(&r);
    if (!r.bad && ev != r.n - r.at)
        r.bad = 1;
    if (r.bad) {
        wire_result_free(res);
        return crc_err_set(err, CRC_EFAIL, "malformed run message from a sweep worker");
    }
    res->events = body + r.at;
    res->events_len = (size_t)ev;
    return CRC_OK;
}

void wire_result_free(wire_result *r)
{
    if (!r)
        return;
    free(r->criteria);
    r->criteria = NULL;
    r->n_criteria = 0;
}

void wire_put_run(wire_buf *msg, uint64_t run, const scenario *sc, const char *name,
                  runner_info *info, const wire_buf *events)
{
    store_criterion *crit = runner_criteria_rows(info);
    if (info->n_criteria && !crit && info->status == CRC_OK) {
        info->status = CRC_ENOMEM;
        snprintf(info->error, sizeof info->error, "out of memory sending criteria");
    }
    char *yaml = sc ? scenario_resolved_text(sc) : NULL;
    char hash[17] = "";
    if (sc)
        scenario_hash(sc, hash);
    wire_result r;
    memset(&r, 0, sizeof r);
    r.run = run;
    r.status = info->status;
    r.wall_seconds = info->wall_seconds;
    r.started_at = info->started_at;
    r.ended_at = info->ended_at;
    r.scenario = sc ? sc->name : name;
    r.yaml = yaml;
    r.hash = hash[0] ? hash : NULL;
    r.error = info->error[0] ? info->error : NULL;
    r.criteria = crit;
    r.n_criteria = crit ? info->n_criteria : 0;
    r.events = events->p;
    r.events_len = events->oom ? 0 : events->n;
    msg->n = 0;
    msg->oom = 0;
    wire_put_result(msg, &r);
    free(yaml);
    free(crit);
}

/* ---- one run, computed into a message and stored from it ------------------------------ */

void wire_compute_run(wire_buf *msg, wire_buf *events, uint64_t run, const scenario *sc,
                      uint64_t seed, long replicate, long seed_point, wire_measure_fn measure,
                      void *measure_ctx)
{
    crc_err err;
    crc_err_clear(&err);
    memsink m;
    wire_enc enc;
    events->n = 0;
    events->oom = 0;
    wire_enc_init(&enc, events);
    crc_sink encsink = wire_enc_sink(&enc);
    memsink_init(&m, &encsink);
    runner_info info;
    memset(&info, 0, sizeof info);
    runner_opts ro;
    memset(&ro, 0, sizeof ro);
    runner_run(sc, seed, replicate, seed_point, &ro, &m, &info, &err);
    if (info.status == CRC_OK && measure)
        measure(measure_ctx, &info, &m);
    if (info.status == CRC_OK && (m.oom || events->oom)) {
        info.status = CRC_ENOMEM;
        snprintf(info.error, sizeof info.error, "out of memory recording the run");
    }
    wire_put_run(msg, run, sc, sc->name, &info, events);
    runner_info_free(&info);
    memsink_free(&m);
    wire_enc_free(&enc);
}

int wire_store_run(store *st, const wire_result *r, uint64_t seed, long point, long replicate,
                   const crc_params *output, memsink *m, crc_err *err)
{
    crc_sink ms = memsink_sink(m);
    int rc = r->events ? wire_replay(r->events, r->events_len, &ms, err) : CRC_OK;
    if (rc == CRC_OK && m->oom)
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory storing a run");
    if (rc != CRC_OK || !st)
        return rc;
    run_record rec;
    memset(&rec, 0, sizeof rec);
    rec.scenario = r->scenario;
    rec.scenario_yaml = r->yaml;
    rec.scenario_hash = r->hash;
    rec.seed = seed;
    rec.replicate = replicate;
    rec.point = point;
    rec.started_at = r->started_at;
    rec.ended_at = r->ended_at;
    rec.wall_seconds = r->wall_seconds;
    rec.status = r->status == CRC_OK ? "done" : "failed";
    rec.error = r->error;
    rec.criteria = r->criteria;
    rec.n_criteria = r->n_criteria;
    store_output out;
    store_output_from_params(output, &out);
    rec.output = &out;
    return store_write_run(st, &rec, m, NULL, err);
}
