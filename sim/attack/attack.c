/* attack.c — the attack search and the cost-of-attack frontier. See attack.h and
 * docs/attack.md. */
#include "attack/attack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <sqlite3.h>

#include "attack/optim.h"
#include "run/criteria.h"
#include "run/runner.h"
#include "store/store.h"
#include "sweep/batch.h"
#include "util/version.h"

const char *const atk_damage_names[ATK_N_DAMAGE] = {"harm_rate", "self_ref_share",
                                                     "farmer_capture", "roi.honest",
                                                     "price_drawdown"};
/* harm, wash and capture shares averaged over the run; the honest return at the end;
 * the drawdown is a summary value (criteria_eval falls back to it). */
static const int damage_stat[ATK_N_DAMAGE] = {CRIT_MEAN, CRIT_MEAN, CRIT_MEAN, CRIT_END,
                                              CRIT_END};

#define PENALTY 1e12

/* ---- plan ---------------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Whether a one-day run of sc writes `name`: 1 as a metric, 2 as a summary value only,
 * 0 neither (*near_out: the nearest name); -1 when the check could not run (then an
 * unknown name makes every run's objective NaN, the worst). */
static int model_writes(const scenario *sc, const char *name, const char **near_out)
{
    static char near[96];
    scenario s;
    if (scenario_copy(&s, sc) != CRC_OK)
        return -1;
    s.params.world_horizon = s.params.world_horizon < 1 ? s.params.world_horizon : 1;
    memsink m;
    memsink_init(&m, NULL);
    runner_info info;
    runner_opts ro;
    memset(&ro, 0, sizeof ro);
    crc_err e;
    crc_err_clear(&e);
    int known = -1;
    if (runner_run(&s, 1, 0, 0, &ro, &m, &info, &e) == CRC_OK) {
        known = memsink_get(&m, name) ? 1 : memsink_has_summary(&m, name) ? 2 : 0;
        if (!known) {
            size_t n = m.n_series + m.n_sum;
            const char **words = malloc((n ? n : 1) * sizeof *words);
            for (size_t i = 0; words && i < m.n_series; i++)
                words[i] = m.series[i].name;
            for (size_t i = 0; words && i < m.n_sum; i++)
                words[m.n_series + i] = m.sum_name[i];
            const char *w = words ? params_nearest_word(name, words, n) : NULL;
            snprintf(near, sizeof near, "%s", w ? w : "");
            *near_out = near[0] ? near : NULL;
            free(words);
        }
    }
    runner_info_free(&info);
    memsink_free(&m);
    scenario_free(&s);
    return known;
}

int atk_plan_init(atk_plan *p, const char *path, const atk_overrides *o, crc_err *err)
{
    memset(p, 0, sizeof *p);
    int rc = scenario_load(&p->base, path, err);
    if (rc != CRC_OK)
        return rc;
    for (size_t i = 0; o && i < o->n_sets; i++)
        if ((rc = scenario_set(&p->base, o->sets[i], err)) != CRC_OK)
            return rc;
    if ((rc = scenario_validate(&p->base, err)) != CRC_OK)
        return rc;
    const char *afile = o && o->attack_file ? o->attack_file : path;
    if ((rc = atkfile_load(&p->spec, afile, err)) != CRC_OK)
        return rc;
    atk_spec *s = &p->spec;
    if (!s->present)
        return crc_err_at(err, CRC_EINPUT, afile, 0, 0,
                          "no attack: block; add one naming the parameters the attacker "
                          "controls, a budget and an objective (docs/attack.md)");
    p->seed = o && o->has_seed ? o->seed : s->has_seed ? s->seed : p->base.seed;
    p->replicates = o && o->replicates > 0 ? o->replicates : s->replicates;
    p->evaluations = o && o->evaluations > 0 ? o->evaluations : s->evaluations;
    p->fresh = s->fresh;
    if (o && o->has_method)
        s->method = o->method;
    if (s->goal == ATK_BREAK) {
        size_t j = 0;
        while (j < p->base.n_criteria && strcmp(p->base.criteria[j].name, s->criterion))
            j++;
        if (j == p->base.n_criteria) {
            char names[400] = "";
            for (size_t k = 0; k < p->base.n_criteria; k++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", k ? ", " : "",
                         p->base.criteria[k].name);
            }
            return crc_err_at(err, CRC_EINPUT, afile, s->obj_line, s->obj_col,
                              "attack.objective: the scenario has no criterion '%s' (its "
                              "criteria: %s)",
                              s->criterion, names[0] ? names : "none");
        }
    } else {
        const char *near = NULL;
        int kind = model_writes(&p->base, s->metric, &near);
        if (kind == 2)
            s->stat = -1; /* a summary value: one per run */
        if (kind == 0) {
            if (near)
                return crc_err_at(err, CRC_EINPUT, afile, s->obj_line, s->obj_col,
                                  "attack.objective: '%s' is neither a metric nor a summary "
                                  "value of this model; did you mean '%s'? (docs/model.md "
                                  "§6, §11 list them)",
                                  s->metric, near);
            return crc_err_at(err, CRC_EINPUT, afile, s->obj_line, s->obj_col,
                              "attack.objective: '%s' is neither a metric nor a summary value "
                              "of this model (docs/model.md §6, §11 list them)",
                              s->metric);
        }
    }
    const char *snear = NULL;
    int skind = model_writes(&p->base, s->spend, &snear);
    if (skind == 0 || skind == 1)
        return crc_err_at(err, CRC_EINPUT, afile, s->spend_line, s->spend_col,
                          "attack.spend: '%s' is not a summary value of this model%s%s%s "
                          "(the spend is a summary value such as attack_cost_usd or "
                          "cost_usd.farmer)",
                          s->spend, snear ? "; did you mean '" : "", snear ? snear : "",
                          snear ? "'?" : "");
    if (s->has_start && s->start_hi > p->base.params.world_horizon)
        return crc_err_at(err, CRC_EINPUT, afile, s->start_line, s->start_col,
                          "attack.start: [%g, %g] ends after the horizon (world.horizon = %g "
                          "days); start no later than day %g",
                          s->start_lo, s->start_hi, (double)p->base.params.world_horizon,
                          (double)p->base.params.world_horizon);
    atkfile_describe_objective(s, p->objective, sizeof p->objective);
    /* What determines the runs and the search path. */
    char bh[17];
    scenario_hash(&p->base, bh);
    int n = snprintf(p->canonical, sizeof p->canonical,
                     "base_hash: %s\nseed: %llu\nreplicates: %ld\nfresh: %ld\nevaluations: "
                     "%ld\nmethod: %s\nbatch: %ld\nobjective: %s\nspend: %s\nparams:",
                     bh, (unsigned long long)p->seed, p->replicates, p->fresh, p->evaluations,
                     opt_method_name(s->method), s->batch, p->objective, s->spend);
    for (size_t j = 0; j < s->n_params && n > 0 && (size_t)n < sizeof p->canonical; j++)
        n += snprintf(p->canonical + n, sizeof p->canonical - (size_t)n, " %s[%.17g,%.17g%s%s]",
                      s->params[j].param->path, s->params[j].lo, s->params[j].hi,
                      s->params[j].log ? ",log" : "", s->params[j].integer ? ",int" : "");
    if (s->has_start && n > 0 && (size_t)n < sizeof p->canonical)
        snprintf(p->canonical + n, sizeof p->canonical - (size_t)n, "\nstart: [%g,%g]",
                 s->start_lo, s->start_hi);
    return CRC_OK;
}

void atk_plan_free(atk_plan *p)
{
    if (!p)
        return;
    atkfile_free(&p->spec);
    scenario_free(&p->base);
    memset(p, 0, sizeof *p);
}

size_t atk_dim(const atk_plan *p) { return p->spec.n_params + (p->spec.has_start ? 1 : 0); }

const char *atk_dim_name(const atk_plan *p, size_t j)
{
    return j < p->spec.n_params ? p->spec.params[j].param->path : "attack.start";
}

void atk_least(const atk_plan *p, double *u)
{
    for (size_t j = 0; j < atk_dim(p); j++)
        u[j] = j < p->spec.n_params ? 0 : 1;
}

void atk_values(const atk_plan *p, const double *u, double *v)
{
    if (p->spec.has_start) {
        size_t j = p->spec.n_params;
        double x = u[j] < 0 ? 0 : u[j] > 1 ? 1 : u[j];
        v[j] = floor(p->spec.start_lo + x * (p->spec.start_hi - p->spec.start_lo) + 0.5);
        if (v[j] > p->spec.start_hi)
            v[j] = p->spec.start_hi;
    }
    for (size_t j = 0; j < p->spec.n_params; j++) {
        const atk_param *a = &p->spec.params[j];
        double x = u[j] < 0 ? 0 : u[j] > 1 ? 1 : u[j];
        double y = a->log ? exp(log(a->lo) + x * (log(a->hi) - log(a->lo)))
                          : a->lo + x * (a->hi - a->lo);
        if (a->integer) {
            y = floor(y + 0.5);
            if (y < ceil(a->lo))
                y = ceil(a->lo);
            if (y > floor(a->hi))
                y = floor(a->hi);
        }
        v[j] = y < a->lo ? a->lo : y > a->hi ? a->hi : y;
    }
}

enum { V_VALUE, V_SPEND, V_DAMAGE, V_N = V_DAMAGE + ATK_N_DAMAGE };

/* ---- measuring a run (in the worker) ------------------------------------------- */

/* The hooks' context: the plan (worker side) and the task values (writer side). */
typedef struct hook_ctx {
    const atk_plan *p;
    double *vals; /* n tasks x V_N */
} hook_ctx;

static void measure(void *ctx, const batch_task *t, const runner_info *info, memsink *m)
{
    (void)t;
    const atk_plan *p = ((const hook_ctx *)ctx)->p;
    const atk_spec *s = &p->spec;
    crc_sink k = memsink_sink(m);
    double v = NAN;
    if (s->goal == ATK_BREAK) {
        for (size_t i = 0; i < info->n_criteria; i++)
            if (!strcmp(info->criteria[i].name, s->criterion))
                v = info->criteria[i].passed ? 0 : 1;
    } else {
        crc_criterion c;
        memset(&c, 0, sizeof c);
        snprintf(c.metric, sizeof c.metric, "%s", s->metric);
        c.stat = s->stat < 0 ? CRIT_END : s->stat;
        crit_result r;
        criteria_eval(&c, m, &r);
        v = r.value;
    }
    sink_summary(&k, "attack.value", v);
    sink_summary(&k, "attack.spend", memsink_summary(m, s->spend));
    for (int d = 0; d < ATK_N_DAMAGE; d++) {
        crc_criterion c;
        memset(&c, 0, sizeof c);
        snprintf(c.metric, sizeof c.metric, "%s", atk_damage_names[d]);
        c.stat = damage_stat[d];
        crit_result r;
        criteria_eval(&c, m, &r);
        char name[128];
        snprintf(name, sizeof name, "attack.damage.%s", atk_damage_names[d]);
        sink_summary(&k, name, r.value);
    }
}

/* ---- one run's measured values --------------------------------------------------- */


static void read_values(const memsink *m, double *out)
{
    out[V_VALUE] = memsink_summary(m, "attack.value");
    out[V_SPEND] = memsink_summary(m, "attack.spend");
    for (int d = 0; d < ATK_N_DAMAGE; d++) {
        char name[128];
        snprintf(name, sizeof name, "attack.damage.%s", atk_damage_names[d]);
        out[V_DAMAGE + d] = memsink_summary(m, name);
    }
}

static int on_done(void *ctx, size_t i, int status, const memsink *m, crc_err *err)
{
    (void)err;
    double *v = ((hook_ctx *)ctx)->vals + i * V_N;
    if (status == CRC_OK)
        read_values(m, v);
    else
        for (int k = 0; k < V_N; k++)
            v[k] = NAN;
    return CRC_OK;
}

/* The search state shared by the functions below. */
typedef struct search {
    const atk_plan *p;
    const atk_exec *o;
    store *st;
    sqlite3_stmt *lookup, *point_ins;
    atk_result *r;
    double budget;
    size_t computed, read;
} search;

/* Reads the measured values of a done run (point, replicate) from the database; 1 when
 * found. */
static int lookup(search *s, long point, long rep, double *v)
{
    sqlite3_stmt *q = s->lookup;
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, point);
    sqlite3_bind_int64(q, 2, rep);
    int found = 0;
    for (int k = 0; k < V_N; k++)
        v[k] = NAN;
    while (sqlite3_step(q) == SQLITE_ROW) {
        found = 1;
        const char *name = (const char *)sqlite3_column_text(q, 0);
        double x = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
        if (!name)
            continue;
        if (!strcmp(name, "attack.value"))
            v[V_VALUE] = x;
        else if (!strcmp(name, "attack.spend"))
            v[V_SPEND] = x;
        else
            for (int d = 0; d < ATK_N_DAMAGE; d++)
                if (!strncmp(name, "attack.damage.", 14) && !strcmp(name + 14, atk_damage_names[d]))
                    v[V_DAMAGE + d] = x;
    }
    return found;
}

static int record_point(search *s, long point, const double *values, crc_err *err)
{
    for (size_t j = 0; j < atk_dim(s->p); j++) {
        char txt[64];
        params_format_number(values[j], txt, sizeof txt);
        sqlite3_stmt *q = s->point_ins;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, point);
        sqlite3_bind_text(q, 2, atk_dim_name(s->p, j), -1, SQLITE_STATIC);
        sqlite3_bind_double(q, 3, values[j]);
        sqlite3_bind_text(q, 4, txt, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_DONE)
            return crc_err_set(err, CRC_EFAIL, "%s: recording a candidate: %s",
                               store_path(s->st), sqlite3_errmsg(store_db(s->st)));
    }
    return CRC_OK;
}

/* Adds to sc, after its own interventions at the same day, one at day t setting each
 * controlled parameter to its value in late (the candidate's values). */
static int add_start(scenario *sc, const scenario *late, const atk_plan *p, double t,
                     crc_err *err)
{
    size_t k = p->spec.n_params, n = sc->n_interventions;
    crc_intervention *iv = realloc(sc->interventions, (n + k) * sizeof *iv);
    if (iv)
        sc->interventions = iv;
    scenario_pos *ps = iv ? realloc(sc->intervention_pos, (n + k) * sizeof *ps) : NULL;
    if (!ps)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    sc->intervention_pos = ps;
    size_t at = 0; /* the first of sc's interventions after day t */
    while (at < n && iv[at].t <= t)
        at++;
    memmove(iv + at + k, iv + at, (n - at) * sizeof *iv);
    memmove(ps + at + k, ps + at, (n - at) * sizeof *ps);
    for (size_t j = 0; j < k; j++) {
        const param_def *d = p->spec.params[j].param;
        iv[at + j].t = t;
        iv[at + j].param = d;
        params_read(&late->params, d, &iv[at + j].value);
        memset(&ps[at + j], 0, sizeof ps[at + j]);
    }
    sc->n_interventions = n + k;
    return CRC_OK;
}

/* The scenario of a candidate; CRC_EINPUT when the model rejects it (a cross-parameter
 * constraint), which makes it the worst candidate rather than an error of the search.
 * With a start day s the candidate's values apply from day s (an intervention) and the
 * scenario's own before. */
static int candidate_scenario(const atk_plan *p, const double *values, scenario *out,
                              crc_err *err)
{
    if (scenario_copy(out, &p->base) != CRC_OK) {
        memset(out, 0, sizeof *out);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < p->spec.n_params; j++) {
        char txt[64], set[256];
        params_format_number(values[j], txt, sizeof txt);
        snprintf(set, sizeof set, "%s=%s", p->spec.params[j].param->path, txt);
        int rc = scenario_set(out, set, err);
        if (rc != CRC_OK)
            return rc;
    }
    int rc = scenario_validate(out, err);
    if (rc != CRC_OK || !p->spec.has_start)
        return rc;
    scenario late = *out; /* the candidate's values; out becomes the base plus a start */
    if (scenario_copy(out, &p->base) != CRC_OK) {
        memset(out, 0, sizeof *out);
        scenario_free(&late);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    rc = add_start(out, &late, p, values[p->spec.n_params], err);
    scenario_free(&late);
    return rc == CRC_OK ? scenario_validate(out, err) : rc;
}

/* Evaluates candidates (values, n x dim) at points pt[i], replicates rep0..rep0+nrep-1:
 * vals receives n x nrep x V_N (NAN for a rejected candidate or a failed run). */
static int evaluate(search *s, const double *values, const long *pt, size_t n, long rep0,
                    long nrep, double *vals, crc_err *err)
{
    const atk_plan *p = s->p;
    size_t dim = atk_dim(p), nt = n * (size_t)nrep;
    scenario *sc = calloc(n, sizeof *sc);
    int *ok = calloc(n, sizeof *ok);
    batch_task *tasks = calloc(nt, sizeof *tasks);
    size_t *slot = calloc(nt, sizeof *slot);
    double *tv = calloc(nt * V_N, sizeof *tv);
    size_t n_tasks = 0;
    int rc = CRC_OK;
    if (!sc || !ok || !tasks || !slot || !tv) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == CRC_OK; i++) {
        crc_err ce;
        crc_err_clear(&ce);
        int c = candidate_scenario(p, values + i * dim, &sc[i], &ce);
        if (c == CRC_ENOMEM) {
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
            break;
        }
        ok[i] = c == CRC_OK;
        if (ok[i])
            rc = record_point(s, pt[i], values + i * dim, err);
        for (long r = 0; r < nrep; r++) {
            double *v = vals + (i * (size_t)nrep + (size_t)r) * V_N;
            if (!ok[i]) {
                for (int k = 0; k < V_N; k++)
                    v[k] = NAN;
            } else if (lookup(s, pt[i], rep0 + r, v)) {
                s->read++;
            } else {
                tasks[n_tasks] = (batch_task){&sc[i], pt[i], rep0 + r};
                slot[n_tasks++] = i * (size_t)nrep + (size_t)r;
            }
        }
    }
    if (rc == CRC_OK && n_tasks) {
        hook_ctx hc = {p, tv};
        batch_hooks h = {measure, on_done, &hc};
        rc = batch_exec(s->st, p->seed, 0, tasks, n_tasks, s->o->jobs, &h, err);
        for (size_t t = 0; rc == CRC_OK && t < n_tasks; t++)
            memcpy(vals + slot[t] * V_N, tv + t * V_N, V_N * sizeof *tv);
        s->computed += n_tasks;
    }
out:
    for (size_t i = 0; sc && i < n; i++)
        scenario_free(&sc[i]);
    free(sc);
    free(ok);
    free(tasks);
    free(slot);
    free(tv);
    return rc;
}

/* Whether the objective is maximising a profit in USD (attacker_profit_usd,
 * profit_usd.<class>): then success means profitable beyond the fresh interval. */
static int atk_is_profit(const atk_plan *p)
{
    const char *m = p->spec.metric;
    return p->spec.goal == ATK_MAXIMIZE &&
           (!strcmp(m, "attacker_profit_usd") || !strncmp(m, "profit_usd.", 11));
}

/* ---- one search ------------------------------------------------------------------ */

/* Mean of column k over nrep runs' values (NAN if any is NAN). */
static double mean_of(const double *v, long nrep, int k)
{
    double sum = 0;
    for (long r = 0; r < nrep; r++)
        sum += v[(size_t)r * V_N + (size_t)k];
    return sum / (double)nrep;
}

/* The value told to the optimiser (to minimise) for a candidate's runs; *feasible. */
static double told_value(const atk_plan *p, double budget, const double *v, int *feasible)
{
    long R = p->replicates;
    double spend = mean_of(v, R, V_SPEND), value = mean_of(v, R, V_VALUE);
    *feasible = 0;
    if (!isfinite(spend) || !isfinite(value))
        return NAN;
    double over = spend / budget - 1;
    if (p->spec.goal == ATK_BREAK) {
        if (over > 0)
            return 100 + over;
        if (value < p->spec.probability)
            return 10 + 10 * (p->spec.probability - value) + (1 - spend / budget);
        *feasible = 1;
        return spend / budget;
    }
    if (over > 0)
        return PENALTY * (1 + over);
    *feasible = 1;
    return p->spec.goal == ATK_MAXIMIZE ? -value : value;
}

/* Mean and 95% t interval of x[0..n) (stride V_N, column k). */
static void interval(const double *v, long n, int k, double *mean, double *lo, double *hi)
{
    double m = mean_of(v, n, k), ss = 0;
    for (long r = 0; r < n; r++) {
        double d = v[(size_t)r * V_N + (size_t)k] - m;
        ss += d * d;
    }
    double half = n > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sqrt(ss / (double)(n - 1)) /
                              sqrt((double)n)
                        : INFINITY;
    *mean = m;
    *lo = m - half;
    *hi = m + half;
}

static void progress_line(const search *s, size_t evals, double best)
{
    if (!s->o->progress)
        return;
    /* progress 2 (not a terminal): one plain line per batch, no carriage return */
    fprintf(stderr, "%scrucible attack: budget %g: %zu/%ld candidates, best %s%g, %zu runs "
                    "computed, %zu read%s",
            s->o->progress == 2 ? "" : "\r", s->budget, evals, s->p->evaluations,
            s->p->spec.goal == ATK_BREAK ? "spend/budget " : "told ", best, s->computed,
            s->read, s->o->progress == 2 ? "\n" : "   ");
    fflush(stderr);
}

static int search_budget(search *s, long b, crc_err *err)
{
    const atk_plan *p = s->p;
    size_t dim = atk_dim(p);
    long R = p->replicates;
    atk_result *r = s->r;
    opt_config c = {.method = p->spec.method, .dim = dim, .batch = (size_t)p->spec.batch,
                    .seed = p->seed, .max_evals = (size_t)p->evaluations};
    opt *o = NULL;
    int rc = opt_alloc(&o, &c, err);
    if (rc != CRC_OK)
        return rc;
    size_t bm = opt_batch_max(o);
    /* One slot more than a batch: the least attack rides along with the first. */
    double *u = malloc((bm + 1) * dim * sizeof *u), *x = malloc((bm + 1) * dim * sizeof *x);
    double *f = malloc((bm + 1) * sizeof *f);
    double *vals = malloc((bm + 1) * (size_t)R * V_N * sizeof *vals);
    long *pt = malloc((bm + 1) * sizeof *pt);
    double best_f = INFINITY, none_x[OPT_MAX_DIM];
    int have_best = 0;
    long none_pt = b * ATK_POINT_STRIDE + ATK_NONE_POINT;
    if (!u || !x || !f || !vals || !pt)
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
    size_t n;
    while (rc == CRC_OK && (n = opt_ask(o, u)) > 0) {
        for (size_t i = 0; i < n; i++) {
            atk_values(p, u + i * dim, x + i * dim);
            pt[i] = b * ATK_POINT_STRIDE + (long)(r->evaluations + i);
        }
        /* The least attack, on the same replicates, last in the first batch: it is not
         * told to the optimiser (whose path stays its own) but competes for the best. */
        size_t ne = n;
        if (r->evaluations == 0) {
            atk_least(p, u + n * dim);
            atk_values(p, u + n * dim, x + n * dim);
            memcpy(none_x, x + n * dim, dim * sizeof *x);
            pt[ne++] = none_pt;
        }
        if ((rc = evaluate(s, x, pt, ne, 0, R, vals, err)) != CRC_OK)
            break;
        for (size_t i = 0; i < ne; i++) {
            int feasible;
            f[i] = told_value(p, s->budget, vals + i * (size_t)R * V_N, &feasible);
            /* The best feasible candidate; the first of equals (ask order is fixed). */
            if (feasible && f[i] < best_f) {
                best_f = f[i];
                have_best = 1;
                r->point = pt[i];
                memcpy(r->values, x + i * dim, dim * sizeof *x);
                r->search_mean = mean_of(vals + i * (size_t)R * V_N, R, V_VALUE);
            }
        }
        if (ne > n) {
            int feasible;
            told_value(p, s->budget, vals + n * (size_t)R * V_N, &feasible);
            r->none_found = feasible;
        }
        r->evaluations += n;
        rc = opt_tell(o, f, n, err);
        progress_line(s, r->evaluations, best_f);
    }
    r->found = have_best;
    if (rc == CRC_OK && have_best) {
        /* Honest re-evaluation on replicates the search never saw. */
        long F = p->fresh;
        double *fv = malloc((size_t)F * V_N * sizeof *fv);
        if (!fv)
            rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        if (rc == CRC_OK && r->none_found) {
            rc = evaluate(s, none_x, &none_pt, 1, R, F, fv, err);
            if (rc == CRC_OK) {
                r->none_mean = mean_of(fv, F, V_VALUE);
                r->none_spend = mean_of(fv, F, V_SPEND);
            }
        }
        if (rc == CRC_OK)
            rc = evaluate(s, r->values, &r->point, 1, R, F, fv, err);
        if (rc == CRC_OK) {
            r->fresh = F;
            interval(fv, F, V_SPEND, &r->spend, &r->spend_low, &r->spend_high);
            interval(fv, F, V_VALUE, &r->mean, &r->ci_low, &r->ci_high);
            for (int d = 0; d < ATK_N_DAMAGE; d++)
                r->damage[d] = mean_of(fv, F, V_DAMAGE + d);
            if (p->spec.goal == ATK_BREAK) {
                /* Wilson 95% interval of the failure rate; the cost is the spend. */
                double ph = r->mean, z = 1.959963984540054, nn = (double)F;
                double den = 1 + z * z / nn, mid = (ph + z * z / (2 * nn)) / den;
                double half = z * sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / den;
                r->rate = ph;
                r->rate_low = mid - half;
                r->rate_high = mid + half;
                r->mean = r->spend;
                r->ci_low = r->spend_low;
                r->ci_high = r->spend_high;
                r->success = r->rate >= p->spec.probability;
            } else if (atk_is_profit(p)) {
                /* Profitable, and beating the least attack on the same fresh replicates. */
                r->success = r->ci_low > 0 && r->point != none_pt &&
                             !(r->none_found && r->ci_low <= r->none_mean);
            } else {
                r->success = 1;
            }
        }
        free(fv);
    }
    if (s->o->progress == 1)
        fputc('\n', stderr);
    free(u);
    free(x);
    free(f);
    free(vals);
    free(pt);
    opt_free(o);
    return rc;
}

/* ---- the database ------------------------------------------------------------------ */

/* Checks the database is this search's (resume) or new, and writes the meta rows of a
 * new one; drops unfinished runs of a resumed one. */
static int prepare_db(store *st, const atk_plan *p, const char *hash, const char *budgets,
                      const atk_exec *o, crc_err *err)
{
    char have[64], shard[64] = "", want[64] = "";
    const char *path = store_path(st);
    if (o->shard_n > 1)
        snprintf(want, sizeof want, "%ld/%ld", o->shard_k, o->shard_n);
    if (store_meta_get(st, "sweep_hash", have, sizeof have)) {
        char cmd[32] = "";
        store_meta_get(st, "command", cmd, sizeof cmd);
        if (strcmp(cmd, "attack") != 0 || strcmp(have, hash) != 0)
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "this database holds another %s (hash %s, this search's is %s): "
                              "its scenario, attack block, seed, budgets or search settings "
                              "differ; write to another --out",
                              strcmp(cmd, "attack") ? "sweep" : "attack search", have, hash);
        store_meta_get(st, "shard", shard, sizeof shard);
        char merged[256] = "";
        store_meta_get(st, "shards_merged", merged, sizeof merged);
        if (!merged[0] && strcmp(shard, want) != 0)
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "this database holds %s%s of the search, not %s%s; pass the "
                              "same --shard as when it was started",
                              shard[0] ? "shard " : "the whole search", shard,
                              want[0] ? "shard " : "the whole search", want);
        if (!o->resume)
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "this database already holds this attack search; pass --resume "
                              "to finish it (what is stored is read, not run again), or "
                              "write to another --out");
        /* Runs that did not finish are run again (the store removes them and their
         * rows from every table that holds rows of runs). */
        return store_drop_unfinished(st, err);
    }
    sqlite3_stmt *q = NULL;
    long nruns = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM runs", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        nruns = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (nruns)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "this database holds %ld runs that are not of an attack search; "
                          "write to another --out",
                          nruns);
    char ver[160], buf[64];
    snprintf(ver, sizeof ver, "crucible %s (%s)", crc_version(), crc_git_commit());
    int rc = store_exec(st, "BEGIN", err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "command", "attack", err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "created_by", ver, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "sweep_hash", hash, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "sweep_name", p->base.name, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "attack_search", p->canonical, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "attack_objective", p->objective, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "attack_budgets", budgets, err);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->seed);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "sweep_seed", buf, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "attack_seeds",
                            "run seed rng_derive_seed(sweep_seed, 0, replicate) for every "
                            "candidate (common random numbers); replicates >= the search's "
                            "are the fresh re-evaluation of the best",
                            err);
    if (rc == CRC_OK && want[0])
        rc = store_meta_set(st, "shard", want, err);
    if (rc == CRC_OK)
        return store_exec(st, "COMMIT", err);
    crc_err ignore;
    store_exec(st, "ROLLBACK", &ignore);
    return rc;
}

int atk_run(const atk_plan *p, const double *budgets, size_t nb, const atk_exec *o,
            atk_result *res, crc_err *err)
{
    memset(res, 0, nb * sizeof *res);
    char list[2048] = "";
    for (size_t b = 0; b < nb; b++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%.17g", b ? "," : "", budgets[b]);
        res[b].budget = budgets[b];
    }
    char hash[17];
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, p->canonical);
    h = fnv1a(h, "\nbudgets: ");
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)fnv1a(h, list));
    store *st = NULL;
    int rc = store_open(&st, o->out, err);
    if (rc != CRC_OK)
        return rc;
    search s = {.p = p, .o = o, .st = st};
    rc = prepare_db(st, p, hash, list, o, err);
    if (rc == CRC_OK &&
        (sqlite3_prepare_v2(store_db(st),
                            "SELECT s.name, s.value FROM runs r JOIN summary s ON s.run = r.id "
                            "WHERE r.point = ?1 AND r.replicate = ?2 AND r.status = 'done' AND "
                            "s.name LIKE 'attack.%'",
                            -1, &s.lookup, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(store_db(st),
                            "INSERT OR IGNORE INTO points(point, path, value, text) "
                            "VALUES(?1, ?2, ?3, ?4)",
                            -1, &s.point_ins, NULL) != SQLITE_OK))
        rc = crc_err_set(err, CRC_EFAIL, "%s: %s", o->out, sqlite3_errmsg(store_db(st)));
    long k = o->shard_n > 1 ? o->shard_k : 1, n = o->shard_n > 1 ? o->shard_n : 1;
    for (size_t b = 0; rc == CRC_OK && b < nb; b++) {
        if ((long)(b % (size_t)n) != k - 1)
            continue;
        s.r = &res[b];
        s.budget = budgets[b];
        s.computed = s.read = 0;
        res[b].searched = 1;
        rc = search_budget(&s, (long)b, err);
        res[b].computed = s.computed;
        res[b].runs = s.computed + s.read;
    }
    sqlite3_finalize(s.lookup);
    sqlite3_finalize(s.point_ins);
    if (rc == CRC_OK)
        rc = store_finish(st, err);
    store_close(st);
    return rc;
}

void atk_verdict(const atk_plan *p, const atk_result *r, char *buf, size_t len)
{
    const atk_spec *s = &p->spec;
    if (!r->searched) {
        snprintf(buf, len, "budget %g USD: not in this shard", r->budget);
    } else if (s->goal == ATK_BREAK) {
        if (r->found && r->success)
            snprintf(buf, len, "budget %g USD: %s fails with probability %.2f [%.2f, %.2f] at "
                               "a cost of %.6g USD [%.6g, %.6g]",
                     r->budget, s->criterion, r->rate, r->rate_low, r->rate_high, r->mean,
                     r->ci_low, r->ci_high);
        else
            snprintf(buf, len, "no attack within budget %g USD broke %s with probability >= %g "
                               "after %zu evaluations of %ld replicates%s",
                     r->budget, s->criterion, s->probability, r->evaluations, p->replicates,
                     r->found ? " (the best broke it on the search replicates, not on fresh "
                                "ones)"
                              : "");
    } else if (!r->found) {
        snprintf(buf, len, "no attack within budget %g USD after %zu evaluations of %ld "
                           "replicates (every candidate spent more)",
                 r->budget, r->evaluations, p->replicates);
    } else if (!r->success) { /* a profit objective (atk_is_profit) */
        snprintf(buf, len, "no profitable attack found within budget %g USD after %zu "
                           "evaluations of %ld replicates (best: %.6g USD [%.6g, %.6g] on %ld "
                           "fresh replicates)",
                 r->budget, r->evaluations, p->replicates, r->mean, r->ci_low, r->ci_high,
                 r->fresh);
    } else {
        snprintf(buf, len, "budget %g USD: %s = %.6g [%.6g, %.6g] on %ld fresh replicates, "
                           "spending %.6g USD",
                 r->budget, s->metric, r->mean, r->ci_low, r->ci_high, r->fresh, r->spend);
    }
}

int atk_report_pair(const char *fa, const char *fb, const char *dir, int jobs, int *ran,
                    crc_err *err)
{
    *ran = 0;
    atk_spec sa, sb;
    int rc = atkfile_load(&sa, fa, err);
    if (rc == CRC_OK)
        rc = atkfile_load(&sb, fb, err);
    int present = sa.present, own = sb.present;
    atkfile_free(&sa);
    atkfile_free(&sb);
    if (rc != CRC_OK || !present)
        return rc;
    const char *files[2] = {fa, fb}, *names[2] = {"baseline", "proposal"};
    for (int i = 0; i < 2 && rc == CRC_OK; i++) {
        atk_overrides ov;
        memset(&ov, 0, sizeof ov);
        ov.attack_file = i == 1 && !own ? fa : NULL;
        atk_plan p;
        char out[1100];
        snprintf(out, sizeof out, "%s/attack-%s.db", dir, names[i]);
        atk_exec ex = {.out = out, .jobs = jobs, .resume = 1, .shard_k = 1, .shard_n = 1};
        atk_result r;
        rc = atk_plan_init(&p, files[i], &ov, err);
        if (rc == CRC_OK)
            rc = atk_run(&p, &p.spec.budget, 1, &ex, &r, err);
        atk_plan_free(&p);
    }
    *ran = rc == CRC_OK;
    return rc;
}
