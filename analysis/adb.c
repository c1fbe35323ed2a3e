/*
 * adb.c — read-only access to a results database for analysis (contracts in adb.h,
 * schema in docs/results.md). Plain SQL through prepared statements; aggregation over
 * a run's samples happens here in one ordered scan so no index is required.
 */
#include "adb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s ? strdup((const char *)s) : NULL;
}

static int db_fail(const adb *d, crc_err *err, const char *what)
{
    return crc_err_set(err, CRC_EFAIL, "%s: %s: %s", d->path, what, sqlite3_errmsg(d->db));
}

static int prepare(const adb *d, const char *sql, sqlite3_stmt **st, crc_err *err)
{
    if (sqlite3_prepare_v2(d->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(d, err, "cannot read the results database");
    return CRC_OK;
}

int adb_open(adb *d, const char *path, crc_err *err)
{
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s", path);
    if (store_open_reader(path, &d->db) != SQLITE_OK) {
        crc_err_set(err, CRC_EINPUT, "%s: cannot open the results database (%s); give the "
                    "file written by 'crucible run' or 'crucible sweep'",
                    path, d->db ? sqlite3_errmsg(d->db) : "out of memory");
        adb_close(d);
        return CRC_EINPUT;
    }
    sqlite3_busy_timeout(d->db, 5000);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db,
                           "SELECT id, point, replicate, seed, scenario, scenario_hash, "
                           "version, git_commit, status FROM runs "
                           "ORDER BY point, replicate, id",
                           -1, &st, NULL) != SQLITE_OK) {
        crc_err_set(err, CRC_EINPUT, "%s: not a Crucible results database (%s); see "
                    "docs/results.md", path, sqlite3_errmsg(d->db));
        adb_close(d);
        return CRC_EINPUT;
    }
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *status = sqlite3_column_text(st, 8);
        if (!status || strcmp((const char *)status, "done")) {
            d->n_failed++;
            continue;
        }
        if (d->n_runs == cap) {
            cap = cap ? 2 * cap : 64;
            adb_run *nr = realloc(d->runs, cap * sizeof *nr);
            if (!nr) {
                sqlite3_finalize(st);
                adb_close(d);
                return crc_err_set(err, CRC_ENOMEM, "out of memory reading %s", path);
            }
            d->runs = nr;
        }
        adb_run *r = &d->runs[d->n_runs++];
        r->id = sqlite3_column_int64(st, 0);
        r->point = (long)sqlite3_column_int64(st, 1);
        r->replicate = (long)sqlite3_column_int64(st, 2);
        r->seed = (uint64_t)sqlite3_column_int64(st, 3);
        r->scenario = dup_col(st, 4);
        r->hash = dup_col(st, 5);
        r->version = dup_col(st, 6);
        r->git_commit = dup_col(st, 7);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        crc_err_set(err, CRC_EFAIL, "%s: reading runs: %s", path, sqlite3_errmsg(d->db));
        adb_close(d);
        return CRC_EFAIL;
    }
    return CRC_OK;
}

void adb_close(adb *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_runs; i++) {
        free(d->runs[i].scenario);
        free(d->runs[i].hash);
        free(d->runs[i].version);
        free(d->runs[i].git_commit);
    }
    free(d->runs);
    if (d->db)
        sqlite3_close(d->db);
    d->runs = NULL;
    d->n_runs = 0;
    d->db = NULL;
}

char *adb_meta(const adb *d, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = dup_col(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The line of meta.metric_info (name TAB label TAB unit) for key into label/unit, the
 * family's '*' replaced by member; 1 when found. */
static int info_line(const char *info, const char *key, const char *member, char *label,
                     size_t llen, char *unit, size_t ulen)
{
    size_t n = strlen(key);
    for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, n) || l[n] != '\t')
            continue;
        const char *lab = l + n + 1, *tab = strchr(lab, '\t');
        if (!tab)
            return 0;
        const char *un = tab + 1;
        size_t ul = strcspn(un, "\n");
        const char *star = memchr(lab, '*', (size_t)(tab - lab));
        if (star && member)
            snprintf(label, llen, "%.*s%s%.*s", (int)(star - lab), lab, member,
                     (int)(tab - star - 1), star + 1);
        else
            snprintf(label, llen, "%.*s", (int)(tab - lab), lab);
        snprintf(unit, ulen, "%.*s", (int)ul, un);
        return 1;
    }
    return 0;
}

int adb_metric_info(const adb *d, const char *name, char *label, size_t llen, char *unit,
                    size_t ulen)
{
    snprintf(label, llen, "%s", name);
    snprintf(unit, ulen, "%s", "");
    char *info = adb_meta(d, "metric_info");
    if (!info)
        return 0; /* a file from before meta.metric_info: the raw name */
    int found = 0;
    for (const char *n = name; !found && n; n = strncmp(n, "final.", 6) ? NULL : n + 6) {
        const char *dot = strrchr(n, '.');
        char fam[256];
        found = info_line(info, n, NULL, label, llen, unit, ulen);
        if (!found && dot &&
            snprintf(fam, sizeof fam, "%.*s.*", (int)(dot - n), n) < (int)sizeof fam)
            found = info_line(info, fam, dot + 1, label, llen, unit, ulen);
    }
    free(info);
    return found;
}

void adb_strings_free(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static int collect_strings(const adb *d, const char *sql, char ***names, size_t *n,
                           crc_err *err)
{
    sqlite3_stmt *st = NULL;
    *names = NULL;
    *n = 0;
    if (prepare(d, sql, &st, err))
        return CRC_EFAIL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            char **nn = realloc(*names, cap * sizeof *nn);
            if (!nn)
                break;
            *names = nn;
        }
        char *s = dup_col(st, 0);
        if (!s)
            continue;
        (*names)[(*n)++] = s;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        adb_strings_free(*names, *n);
        *names = NULL;
        *n = 0;
        return crc_err_set(err, CRC_EFAIL, "%s: listing names failed", d->path);
    }
    return CRC_OK;
}

/* 1 when d has the schema 2 layout (samples in metric_values, keyed by run and metric
 * id, behind the view `metrics`); 0 for a schema 1 file (a `metrics` table). */
static int compact_metrics(const adb *d)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'metric_values'", -1, &st, NULL) == SQLITE_OK)
        yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

int adb_names(const adb *d, const char *which, char ***names, size_t *n, crc_err *err)
{
    const char *sql;
    /* Schema 2 lists the names once (every name in metric_names has samples); reading
     * them from the view would scan every sample. */
    if (!strcmp(which, "metrics"))
        sql = compact_metrics(d) ? "SELECT name FROM metric_names ORDER BY name"
                                 : "SELECT DISTINCT name FROM metrics ORDER BY name";
    else if (!strcmp(which, "summary"))
        sql = "SELECT DISTINCT name FROM summary ORDER BY name";
    else if (!strcmp(which, "criteria"))
        sql = "SELECT DISTINCT name FROM criteria ORDER BY name";
    else
        return crc_err_set(err, CRC_EINPUT, "adb_names: unknown table '%s'", which);
    return collect_strings(d, sql, names, n, err);
}

int adb_value_names(const adb *d, char ***names, size_t *n, crc_err *err)
{
    return collect_strings(d,
                           compact_metrics(d)
                               ? "SELECT name FROM (SELECT name FROM metric_names UNION "
                                 "SELECT DISTINCT name FROM summary) ORDER BY name"
                               : "SELECT name FROM (SELECT DISTINCT name FROM metrics UNION "
                                 "SELECT DISTINCT name FROM summary) ORDER BY name",
                           names, n, err);
}

/* The questions MODEL.md asks of a reward scheme, in the order a reader wants them. */
static const char *const key_metrics[] = {
    "price_usd", "real_yield", "self_ref_share", "farmer_capture", "mean_model_quality",
    "poisoned_share", "harm_rate", "backdoored_models", "consumers", "incumbent_share",
    "treasury_tkn", "supply", "reward_gini", "price_drawdown", "attacker_profit_usd",
    "attack_cost_usd", NULL};

int adb_key_metrics(const adb *d, char ***names, size_t *n, crc_err *err)
{
    char **all = NULL;
    size_t n_all = 0;
    if (adb_value_names(d, &all, &n_all, err))
        return CRC_EFAIL;
    char **keep = malloc((n_all ? n_all : 1) * sizeof *keep);
    if (!keep) {
        adb_strings_free(all, n_all);
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (const char *const *m = key_metrics; *m; m++)
        for (size_t i = 0; i < n_all; i++)
            if (all[i] && !strcmp(all[i], *m)) {
                keep[k++] = all[i];
                all[i] = NULL;
                break;
            }
    if (k == 0) {
        free(keep);
        *names = all;
        *n = n_all;
        return CRC_OK;
    }
    adb_strings_free(all, n_all);
    *names = keep;
    *n = k;
    return CRC_OK;
}

/* Maps run ids to indices in d->runs through a table sorted by id. */
typedef struct id_pair {
    int64_t id;
    long idx;
} id_pair;

typedef struct id_map {
    id_pair *p;
    size_t n;
} id_map;

static int cmp_pair(const void *a, const void *b)
{
    int64_t x = ((const id_pair *)a)->id, y = ((const id_pair *)b)->id;
    return (x > y) - (x < y);
}

static int id_map_build(const adb *d, id_map *m)
{
    m->n = d->n_runs;
    m->p = malloc((m->n ? m->n : 1) * sizeof *m->p);
    if (!m->p)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        m->p[i] = (id_pair){d->runs[i].id, (long)i};
    qsort(m->p, m->n, sizeof *m->p, cmp_pair);
    return 0;
}

static long id_map_find(const id_map *m, int64_t id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->p[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->p[lo].id == id ? m->p[lo].idx : -1;
}

static void id_map_free(id_map *m)
{
    free(m->p);
}

static int unknown_name(const adb *d, const char *kind, const char *name, int criteria,
                        crc_err *err)
{
    char **names = NULL;
    size_t n = 0;
    char list[600] = "";
    crc_err ignored;
    if ((criteria ? adb_names(d, "criteria", &names, &n, &ignored)
                  : adb_value_names(d, &names, &n, &ignored)) == CRC_OK) {
        size_t len = 0;
        for (size_t i = 0; i < n && len + strlen(names[i]) + 3 < sizeof list - 8; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                    names[i]);
        if (n && len + 8 >= sizeof list - 8)
            snprintf(list + len, sizeof list - len, ", ...");
    }
    adb_strings_free(names, n);
    return crc_err_set(err, CRC_EINPUT, "%s: no run has the %s '%s'; known: %s", d->path,
                       kind, name, n ? list : "(none)");
}

/* 1 when some done run stored `name` in metrics or summary, even as NULL (*in_summary
 * then says which), 0 when none did, -1 on a database error (err set). */
static int name_stored(const adb *d, const char *name, int *in_summary, crc_err *err)
{
    static const char *const sql[2] = {
        "SELECT 1 FROM metrics m JOIN runs r ON r.id = m.run WHERE r.status = 'done' AND "
        "m.name = ?1 LIMIT 1",
        "SELECT 1 FROM summary s JOIN runs r ON r.id = s.run WHERE r.status = 'done' AND "
        "s.name = ?1 LIMIT 1"};
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *st = NULL;
        if (prepare(d, sql[k], &st, err))
            return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW) {
            *in_summary = k == 1;
            return 1;
        }
        if (rc != SQLITE_DONE) {
            db_fail(d, err, "reading value names");
            return -1;
        }
    }
    return 0;
}

/* Can one run's series of a metric be looked up without a scan? Schema 2 always (the
 * primary key of metric_values); schema 1 once the writer built its (run, name) index. */
static int has_run_name_index(const adb *d)
{
    if (compact_metrics(d))
        return 1;
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND "
                           "name = 'metrics_run_name' AND tbl_name = 'metrics'", -1, &st,
                           NULL) == SQLITE_OK)
        yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

int adb_run_values(const adb *d, const char *metric, adb_stat stat, double *out,
                   int *from_summary, crc_err *err)
{
    for (size_t i = 0; i < d->n_runs; i++)
        out[i] = NAN;
    if (from_summary)
        *from_summary = 0;
    id_map m;
    if (id_map_build(d, &m))
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    size_t found = 0;
    int rc;
    if (has_run_name_index(d)) {
        /* The writer's (run, name) index: one short lookup per run instead of a scan of
         * the whole table (a sweep's metrics table holds millions of rows). */
        if (prepare(d, "SELECT value FROM metrics WHERE run = ?1 AND name = ?2 "
                       "AND value IS NOT NULL ORDER BY t",
                    &st, err)) {
            id_map_free(&m);
            return CRC_EFAIL;
        }
        rc = SQLITE_DONE;
        for (size_t i = 0; i < d->n_runs && rc == SQLITE_DONE; i++) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, d->runs[i].id);
            sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
            double acc = 0;
            size_t cnt = 0;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                double v = sqlite3_column_double(st, 0);
                out[i] = cnt == 0 ? v : stat == ADB_MAX ? fmax(out[i], v)
                                      : stat == ADB_MIN ? fmin(out[i], v) : v;
                acc += v;
                cnt++;
            }
            if (cnt) {
                found++;
                if (stat == ADB_MEAN)
                    out[i] = acc / (double)cnt;
            }
        }
    } else {
        if (prepare(d, "SELECT run, t, value FROM metrics WHERE name = ?1 AND value IS NOT NULL "
                       "ORDER BY run, t",
                    &st, err)) {
            id_map_free(&m);
            return CRC_EFAIL;
        }
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
        long cur = -1;
        double acc = 0;
        size_t cnt = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            long i = id_map_find(&m, sqlite3_column_int64(st, 0));
            if (i < 0)
                continue;
            double v = sqlite3_column_double(st, 2);
            if (i != cur) {
                if (cur >= 0 && stat == ADB_MEAN)
                    out[cur] = acc / (double)cnt;
                cur = i;
                acc = 0;
                cnt = 0;
                found++;
                out[i] = v;
            }
            switch (stat) {
            case ADB_END: out[i] = v; break;
            case ADB_MAX: out[i] = fmax(out[i], v); break;
            case ADB_MIN: out[i] = fmin(out[i], v); break;
            case ADB_MEAN: acc += v; cnt++; break;
            }
        }
        if (cur >= 0 && stat == ADB_MEAN)
            out[cur] = acc / (double)cnt;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        id_map_free(&m);
        return db_fail(d, err, "reading metrics");
    }
    if (!found) {
        if (prepare(d, "SELECT run, value FROM summary WHERE name = ?1 AND value IS NOT NULL",
                    &st, err)) {
            id_map_free(&m);
            return CRC_EFAIL;
        }
        sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            long i = id_map_find(&m, sqlite3_column_int64(st, 0));
            if (i < 0)
                continue;
            out[i] = sqlite3_column_double(st, 1);
            found++;
        }
        sqlite3_finalize(st);
        if (from_summary && found)
            *from_summary = 1;
    }
    id_map_free(&m);
    if (!found) {
        /* A name every run stored as NULL ("never", e.g. days_to_real_yield when
         * real_yield never reached 1) is known: every value is NaN, not an error. */
        int in_summary = 0;
        int known = name_stored(d, metric, &in_summary, err);
        if (known < 0)
            return CRC_EFAIL;
        if (!known)
            return unknown_name(d, "metric", metric, 0, err);
        if (from_summary)
            *from_summary = in_summary;
    }
    return CRC_OK;
}

int adb_criterion(const adb *d, const char *name, int *passed, crc_err *err)
{
    for (size_t i = 0; i < d->n_runs; i++)
        passed[i] = -1;
    id_map m;
    if (id_map_build(d, &m))
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    if (prepare(d, "SELECT run, passed FROM criteria WHERE name = ?1 AND passed IS NOT NULL",
                &st, err)) {
        id_map_free(&m);
        return CRC_EFAIL;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    size_t found = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long i = id_map_find(&m, sqlite3_column_int64(st, 0));
        if (i < 0)
            continue;
        passed[i] = sqlite3_column_int(st, 1) ? 1 : 0;
        found++;
    }
    sqlite3_finalize(st);
    id_map_free(&m);
    if (!found)
        return unknown_name(d, "criterion", name, 1, err);
    return CRC_OK;
}

void adb_criterion_text(const adb *d, const char *name, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    buf[0] = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT metric, stat, op, threshold FROM criteria "
                           "WHERE name = ?1 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0), *s = sqlite3_column_text(st, 1),
                            *o = sqlite3_column_text(st, 2);
        snprintf(buf, len, "%s at %s %s %.6g", m ? (const char *)m : "?",
                 s ? (const char *)s : "?", o ? (const char *)o : "?",
                 sqlite3_column_double(st, 3));
    }
    sqlite3_finalize(st);
}

int adb_samples(const adb *d, const char *metric, long point, double **t, double **v,
                size_t *n, crc_err *err)
{
    *t = *v = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (prepare(d, "SELECT m.t, m.value FROM metrics m JOIN runs r ON r.id = m.run "
                   "WHERE r.status = 'done' AND m.name = ?1 AND m.value IS NOT NULL "
                   "AND (?2 = -2 OR r.point = ?2) ORDER BY m.t, m.run",
                &st, err))
        return CRC_EFAIL;
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, point);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *nt = realloc(*t, cap * sizeof *nt);
            if (nt)
                *t = nt;
            double *nv = realloc(*v, cap * sizeof *nv);
            if (nv)
                *v = nv;
            if (!nt || !nv) {
                sqlite3_finalize(st);
                free(*t);
                free(*v);
                *t = *v = NULL;
                *n = 0;
                return crc_err_set(err, CRC_ENOMEM, "out of memory reading %s", d->path);
            }
        }
        (*t)[*n] = sqlite3_column_double(st, 0);
        (*v)[*n] = sqlite3_column_double(st, 1);
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(d, err, "reading metrics");
    if (!*n)
        return unknown_name(d, "time series", metric, 0, err);
    return CRC_OK;
}

void adb_flows_free(adb_flow *rows, size_t n)
{
    if (!rows)
        return;
    for (size_t i = 0; i < n; i++) {
        free(rows[i].src);
        free(rows[i].dst);
        free(rows[i].reason);
    }
    free(rows);
}

int adb_flows(const adb *d, adb_flow **rows, size_t *n, crc_err *err)
{
    *rows = NULL;
    *n = 0;
    if (!d->n_runs)
        return crc_err_set(err, CRC_EINPUT, "%s: no finished run" ADB_NO_RUN_FIX, d->path);
    sqlite3_stmt *st = NULL;
    if (prepare(d, "SELECT f.src, f.dst, f.reason, SUM(f.amount_tkn) AS s FROM flows f "
                   "JOIN runs r ON r.id = f.run WHERE r.status = 'done' "
                   "GROUP BY f.src, f.dst, f.reason ORDER BY s DESC, f.src, f.dst, f.reason",
                &st, err))
        return CRC_EFAIL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            adb_flow *nr = realloc(*rows, cap * sizeof *nr);
            if (!nr) {
                sqlite3_finalize(st);
                adb_flows_free(*rows, *n);
                *rows = NULL;
                *n = 0;
                return crc_err_set(err, CRC_ENOMEM, "out of memory");
            }
            *rows = nr;
        }
        adb_flow *f = &(*rows)[(*n)++];
        f->src = dup_col(st, 0);
        f->dst = dup_col(st, 1);
        f->reason = dup_col(st, 2);
        f->amount_tkn = sqlite3_column_double(st, 3) / (double)d->n_runs;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(d, err, "reading flows");
    if (!*n)
        return crc_err_set(err, CRC_EINPUT, "%s: the flows table is empty", d->path);
    return CRC_OK;
}

void adb_points_free(adb_points *p)
{
    if (!p)
        return;
    free(p->ids);
    adb_strings_free(p->paths, p->n_params);
    adb_strings_free(p->text, p->n_points * p->n_params);
    free(p->x);
    memset(p, 0, sizeof *p);
}

/* Whether s is one number and nothing else (a numeric level's text). */
static int is_number(const char *s)
{
    char *end;
    (void)strtod(s, &end);
    return end != s && !*end;
}

int adb_load_points(const adb *d, adb_points *p, crc_err *err)
{
    memset(p, 0, sizeof *p);
    if (collect_strings(d, "SELECT path FROM points GROUP BY path ORDER BY MIN(rowid)",
                        &p->paths, &p->n_params, err))
        return CRC_EFAIL;
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    if (prepare(d, "SELECT DISTINCT point FROM points ORDER BY point", &st, err))
        goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->n_points == cap) {
            cap = cap ? 2 * cap : 64;
            long *ni = realloc(p->ids, cap * sizeof *ni);
            if (!ni) {
                sqlite3_finalize(st);
                crc_err_set(err, CRC_ENOMEM, "out of memory");
                goto fail;
            }
            p->ids = ni;
        }
        p->ids[p->n_points++] = (long)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!p->n_points || !p->n_params) {
        crc_err_set(err, CRC_EINPUT, "%s: the points table is empty: this database is not "
                    "from a sweep (run 'crucible sweep' first)", d->path);
        goto fail;
    }
    p->x = malloc(p->n_points * p->n_params * sizeof *p->x);
    p->text = calloc(p->n_points * p->n_params, sizeof *p->text);
    if (!p->x || !p->text) {
        crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < p->n_points * p->n_params; i++)
        p->x[i] = NAN;
    if (prepare(d, "SELECT point, path, value, text FROM points ORDER BY point", &st, err))
        goto fail;
    size_t pi = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long id = (long)sqlite3_column_int64(st, 0);
        while (pi < p->n_points && p->ids[pi] < id)
            pi++;
        if (pi == p->n_points)
            break;
        const unsigned char *path = sqlite3_column_text(st, 1);
        for (size_t j = 0; path && j < p->n_params; j++)
            if (!strcmp(p->paths[j], (const char *)path)) {
                if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                    p->x[pi * p->n_params + j] = sqlite3_column_double(st, 2);
                const char *text = (const char *)sqlite3_column_text(st, 3);
                if (text && !is_number(text) &&
                    !(p->text[pi * p->n_params + j] = strdup(text))) {
                    sqlite3_finalize(st);
                    crc_err_set(err, CRC_ENOMEM, "out of memory");
                    goto fail;
                }
                break;
            }
    }
    sqlite3_finalize(st);
    return CRC_OK;
fail:
    adb_points_free(p);
    return err && err->code ? err->code : CRC_EFAIL;
}

const char *adb_scenario(const adb *d)
{
    return d->n_runs && d->runs[0].scenario ? d->runs[0].scenario : "?";
}

const char *adb_hash(const adb *d)
{
    return d->n_runs && d->runs[0].hash ? d->runs[0].hash : "?";
}

const char *adb_version(const adb *d)
{
    return d->n_runs && d->runs[0].version ? d->runs[0].version : "?";
}
