/*
 * store.c — the results database on SQLite. See store.h for the contract and
 * docs/results.md for the schema (keep the two in step: tests/test_store.c checks
 * that every table and column created here is documented there).
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/version.h"

/* Version 2 schema. Only ever add to it (new tables, new nullable columns, indexes):
 * readers written against an older version must keep working. Version 2 keeps the
 * metric samples and token flows in WITHOUT ROWID tables keyed by run, with names as
 * small integers, behind the views `metrics` and `flows` that have version 1's columns
 * (docs/results.md, "Tables" and "Size"): a sample costs ~18 bytes instead of ~53. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY,"
    " scenario TEXT NOT NULL,"
    " scenario_yaml TEXT,"
    " scenario_hash TEXT,"
    " seed INTEGER NOT NULL,"
    " replicate INTEGER NOT NULL,"
    " point INTEGER NOT NULL DEFAULT -1,"
    " version TEXT, git_commit TEXT,"
    " started_at TEXT, ended_at TEXT, wall_seconds REAL,"
    " status TEXT NOT NULL CHECK(status IN ('done','failed')),"
    " error TEXT);"
    "CREATE TABLE IF NOT EXISTS metric_names(id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS metric_values(run INTEGER NOT NULL REFERENCES runs(id),"
    " metric INTEGER NOT NULL REFERENCES metric_names(id), t REAL NOT NULL, value REAL,"
    " PRIMARY KEY(run, metric, t)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS metrics(run, t, name, value) AS"
    " SELECT v.run, v.t, n.name, v.value FROM metric_values v"
    " JOIN metric_names n ON n.id = v.metric;"
    "CREATE TABLE IF NOT EXISTS summary(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, value REAL, PRIMARY KEY(run, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS criteria(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, metric TEXT, stat TEXT, op TEXT, threshold REAL,"
    " value REAL, passed INTEGER, error TEXT, PRIMARY KEY(run, name));"
    "CREATE TABLE IF NOT EXISTS interventions(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL, path TEXT, value TEXT);"
    "CREATE TABLE IF NOT EXISTS flow_labels(id INTEGER PRIMARY KEY,"
    " label TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS flow_values(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL NOT NULL, src INTEGER NOT NULL, dst INTEGER NOT NULL, reason INTEGER NOT NULL,"
    " amount_tkn REAL, PRIMARY KEY(run, t, src, dst, reason)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS flows(run, t, src, dst, reason, amount_tkn) AS"
    " SELECT f.run, f.t, s.label, d.label, r.label, f.amount_tkn FROM flow_values f"
    " JOIN flow_labels s ON s.id = f.src JOIN flow_labels d ON d.id = f.dst"
    " JOIN flow_labels r ON r.id = f.reason;"
    "CREATE TABLE IF NOT EXISTS points(point INTEGER NOT NULL, path TEXT NOT NULL,"
    " value REAL, text TEXT, PRIMARY KEY(point, path));";

/* Read-side indexes, built by store_finish once the runs are written: building them in
 * bulk is far cheaper than maintaining them row by row while a run is stored. The
 * samples and flows need none: their primary keys start with the run. */
static const char index_sql[] =
    "CREATE INDEX IF NOT EXISTS interventions_run ON interventions(run);";

enum {
    ST_RUN, ST_METRIC, ST_SUMMARY, ST_CRITERION, ST_INTERVENTION, ST_FLOW,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_META_SET, ST_META_GET, ST_POINT,
    ST_METRIC_ID, ST_METRIC_NEW, ST_LABEL_ID, ST_LABEL_NEW, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_RUN] = "INSERT INTO runs(scenario, scenario_yaml, scenario_hash, seed, replicate,"
               " point, version, git_commit, started_at, ended_at, wall_seconds, status,"
               " error) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [ST_METRIC] = "INSERT OR REPLACE INTO metric_values(run, metric, t, value) VALUES(?,?,?,?)",
    [ST_SUMMARY] = "INSERT OR REPLACE INTO summary(run, name, value) VALUES(?,?,?)",
    [ST_CRITERION] = "INSERT OR REPLACE INTO criteria(run, name, metric, stat, op, threshold,"
                     " value, passed, error) VALUES(?,?,?,?,?,?,?,?,?)",
    [ST_INTERVENTION] = "INSERT INTO interventions(run, t, path, value) VALUES(?,?,?,?)",
    [ST_FLOW] = "INSERT OR REPLACE INTO flow_values(run, t, src, dst, reason, amount_tkn)"
                " VALUES(?,?,?,?,?,?)",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?",
    [ST_POINT] = "INSERT OR REPLACE INTO points(point, path, value, text) VALUES(?,?,?,?)",
    [ST_METRIC_ID] = "SELECT id FROM metric_names WHERE name = ?",
    [ST_METRIC_NEW] = "INSERT INTO metric_names(name) VALUES(?)",
    [ST_LABEL_ID] = "SELECT id FROM flow_labels WHERE label = ?",
    [ST_LABEL_NEW] = "INSERT INTO flow_labels(label) VALUES(?)",
};

/* The ids of the names (metric names, flow labels) this handle has stored or looked up.
 * Only committed ids stay cached: a rolled-back run may have added names that no longer
 * exist, so the cache is emptied then. Rows of the dictionaries are never deleted. */
typedef struct name_ids {
    int get, add;   /* ST_METRIC_ID/ST_METRIC_NEW or ST_LABEL_ID/ST_LABEL_NEW */
    char **name;
    sqlite3_int64 *id;
    size_t n, cap, hint;
} name_ids;

/* One flow being summed over a sampling window: label ids and the running amount. */
typedef struct flow_acc {
    sqlite3_int64 src, dst, reason;
    double amount;
} flow_acc;

struct store {
    sqlite3 *db;
    char *path;
    int readonly;
    int schema;                 /* meta.schema_version of the file */
    sqlite3_stmt *st[ST_COUNT]; /* prepared on first use, finalized by store_close */
    name_ids metric_ids, label_ids;
    flow_acc *acc;              /* a run's flows of one window (write_flows) */
    size_t cap_acc;
    sqlite3_int64 *label_map;   /* memsink label index -> flow_labels.id */
    size_t cap_label_map;
};

/* Fills err for a failed SQLite call on s's file, with a fix the user can act on. */
static int fail(crc_err *err, const char *path, sqlite3 *db, int rc, const char *doing)
{
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char *what = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys = db ? sqlite3_system_errno(db) : 0;
    char sysmsg[160] = "";
    if (sys)
        snprintf(sysmsg, sizeof sysmsg, " (%s)", strerror(sys));
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "disk full while %s the results database: %s%s; nothing of "
                          "this run was stored. Free some space, or write elsewhere "
                          "with --out FILE.db",
                          doing, what, sysmsg);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "cannot write the results database while %s: %s%s. Check that "
                          "its directory exists and is writable and that the disk has "
                          "space, or write elsewhere with --out FILE.db",
                          doing, what, sysmsg);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "not a Crucible results database (%s). Choose another file, "
                          "or remove this one if it is yours to replace",
                          what);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "the results database is locked by another process while %s "
                          "(%s); wait for it to finish or write elsewhere with --out",
                          doing, what);
    default:
        return crc_err_at(err, CRC_EFAIL, path, 0, 0, "SQLite error %d while %s: %s%s",
                          ext, doing, what, sysmsg);
    }
}

static sqlite3_stmt *stmt(store *s, int which, crc_err *err)
{
    if (!s->st[which]) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->st[which], NULL);
        if (rc != SQLITE_OK) {
            fail(err, s->path, s->db, rc, "preparing a statement");
            return NULL;
        }
    }
    return s->st[which];
}

static int exec(store *s, const char *sql, const char *doing, crc_err *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CRC_OK : fail(err, s->path, s->db, rc, doing);
}

/* Integer result of a one-value query; -1 when it fails (rc in *rc_out). */
static long long query_int(sqlite3 *db, const char *sql, int *rc_out)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(q);
    if (rc_out)
        *rc_out = rc;
    return v;
}

static void name_ids_clear(name_ids *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->name[i]);
    c->n = c->hint = 0;
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    name_ids_clear(&s->metric_ids);
    name_ids_clear(&s->label_ids);
    free(s->metric_ids.name);
    free(s->metric_ids.id);
    free(s->label_ids.name);
    free(s->label_ids.id);
    free(s->acc);
    free(s->label_map);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

const char *store_path(const store *s)
{
    return s ? s->path : "";
}

struct sqlite3 *store_db(store *s)
{
    return s ? s->db : NULL;
}

/* Checks that the open file is a Crucible database of a schema we can read. Sets
 * *empty when it is an SQLite file without any table (ours to initialise). */
static int verify(store *s, int *empty, crc_err *err)
{
    int rc;
    long long tables =
        query_int(s->db, "SELECT count(*) FROM sqlite_schema", &rc);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading");
    *empty = tables == 0;
    if (*empty)
        return CRC_OK;
    long long app = query_int(s->db, "PRAGMA application_id", &rc);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading");
    /* Ours when it carries our application_id, or (a file another tool wrote from
     * docs/results.md) when it has a meta table with a schema_version and a runs table. */
    long long ver = query_int(
        s->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", &rc);
    int has_meta = rc == SQLITE_OK && ver >= 1;
    long long has_runs = query_int(
        s->db, "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='runs'", &rc);
    if (app != STORE_APPLICATION_ID && !(has_meta && has_runs == 1))
        return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                          "not a Crucible results database (an SQLite file with other "
                          "tables). Choose another file with --out, or remove this one "
                          "if it is yours to replace");
    if (!has_meta)
        return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                          "damaged Crucible results database: its meta table has no "
                          "schema_version. Write to a new file with --out");
    s->schema = (int)ver;
    if (ver > STORE_SCHEMA_VERSION)
        return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                          "results database has schema version %lld, newer than this "
                          "Crucible (%s) reads (version %d); upgrade Crucible or write to "
                          "a new file with --out",
                          ver, crc_version(), STORE_SCHEMA_VERSION);
    return CRC_OK;
}

static int create_schema(store *s, crc_err *err)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "creating", err);
    if (rc)
        return rc;
    char sql[256];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", STORE_APPLICATION_ID);
    rc = exec(s, schema_sql, "creating the schema of", err);
    if (!rc)
        rc = exec(s, sql, "creating", err);
    if (!rc) {
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '%d'),"
                 "('created_by', 'crucible %s (%s)')",
                 STORE_SCHEMA_VERSION, crc_version(), crc_git_commit());
        rc = exec(s, sql, "creating", err);
    }
    if (!rc)
        rc = exec(s, "COMMIT", "creating", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Creates the missing folders above path (like mkdir -p of its directory), so
 * `--out results/study/base.db` works on a fresh checkout. */
static int make_parent_dirs(const char *path, crc_err *err)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0, "path too long");
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return CRC_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            break; /* reported below, for the deepest folder */
        *p = '/';
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "cannot create the folder %s (%s); create it, or write elsewhere "
                          "with --out FILE.db", dir, strerror(errno));
    return CRC_OK;
}

/* Writing into a file of an older schema would mix layouts: refuse, saying what to do. */
static int refuse_old_schema(const store *s, crc_err *err)
{
    if (s->schema >= STORE_SCHEMA_VERSION)
        return CRC_OK;
    return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                      "this database was written by crucible < 0.6 (schema %d); start a new "
                      "--out or export it (`crucible export` and the analysis commands still "
                      "read it)",
                      s->schema);
}

int store_schema_version(store *s)
{
    return s ? s->schema : 0;
}

static int open_common(store **out, const char *path, int readonly, crc_err *err)
{
    *out = NULL;
    if (!path || !*path)
        return crc_err_set(err, CRC_EINPUT, "no results database path given");
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "is a directory, not a results database file; give a file name "
                          "such as %s/run.db",
                          path);
    if (readonly && !exists)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "no such results database (%s); check the path",
                          strerror(errno));
    if (readonly && st.st_size == 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "empty file: not a Crucible results database");
    if (!readonly && !exists) {
        int rc = make_parent_dirs(path, err);
        if (rc)
            return rc;
    }

    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return crc_err_set(err, CRC_ENOMEM, "out of memory opening %s", path);
    }
    s->readonly = readonly;
    s->metric_ids = (name_ids){.get = ST_METRIC_ID, .add = ST_METRIC_NEW};
    s->label_ids = (name_ids){.get = ST_LABEL_ID, .add = ST_LABEL_NEW};
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int r = fail(err, path, s->db, rc, "opening");
        store_close(s);
        return r;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);

    int empty = 0;
    int r = verify(s, &empty, err);
    if (!r && empty && readonly)
        r = crc_err_at(err, CRC_EINPUT, path, 0, 0,
                       "an SQLite file without any table: not a Crucible results database");
    if (!r && !readonly) {
        /* WAL: readers never block the writer and a killed writer leaves the last
         * committed state; NORMAL sync is durable against process death. */
        r = exec(s, "PRAGMA journal_mode=WAL", "opening", err);
        if (!r)
            r = exec(s, "PRAGMA synchronous=NORMAL", "opening", err);
        if (!r && empty)
            r = create_schema(s, err);
        if (!r && empty) /* another process may have raced us to create it */
            r = verify(s, &empty, err);
        if (!r)
            r = refuse_old_schema(s, err);
    }
    if (r) {
        store_close(s);
        return r;
    }
    *out = s;
    return CRC_OK;
}

int store_open(store **out, const char *path, crc_err *err)
{
    return open_common(out, path, 0, err);
}

int store_open_readonly(store **out, const char *path, crc_err *err)
{
    return open_common(out, path, 1, err);
}

static int bind_text(sqlite3_stmt *q, int i, const char *v)
{
    return v ? sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(q, i);
}

static int bind_real(sqlite3_stmt *q, int i, double v)
{
    return isnan(v) ? sqlite3_bind_null(q, i) : sqlite3_bind_double(q, i, v);
}

/* Steps an INSERT and resets it; SQLite status. (No clear_bindings: every caller binds
 * every parameter each time.) */
static int step(sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The id of name in dictionary c (metric_names or flow_labels), adding the name when
 * new. -1 on error, with the SQLite status (or -1: err is filled) in *rc. Runs inside
 * the run's transaction, which holds the write lock, so no other writer races it. */
static sqlite3_int64 name_id(store *s, name_ids *c, const char *name, int *rc, crc_err *err)
{
    /* Series arrive in the same order in every run: try the one after the last hit. */
    if (c->hint < c->n && strcmp(c->name[c->hint], name) == 0)
        return c->id[c->hint++];
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) {
            c->hint = i + 1;
            return c->id[i];
        }
    sqlite3_stmt *q = stmt(s, c->get, err);
    if (!q)
        return *rc = -1;
    bind_text(q, 1, name);
    sqlite3_int64 id = -1;
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW)
        id = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return *rc = r, -1;
    if (id < 0) {
        if (!(q = stmt(s, c->add, err)))
            return *rc = -1;
        bind_text(q, 1, name);
        if ((r = step(q)) != SQLITE_OK)
            return *rc = r, -1;
        id = sqlite3_last_insert_rowid(s->db);
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **nn = realloc(c->name, cap * sizeof *nn);
        if (nn)
            c->name = nn;
        sqlite3_int64 *ni = nn ? realloc(c->id, cap * sizeof *ni) : NULL;
        if (!ni)
            return *rc = SQLITE_NOMEM, -1;
        c->id = ni;
        c->cap = cap;
    }
    if (!(c->name[c->n] = strdup(name)))
        return *rc = SQLITE_NOMEM, -1;
    c->id[c->n++] = id;
    c->hint = c->n;
    return id;
}

/* 1 when a sample at t ends a sampling window, the previous sample being at prev: a
 * multiple of every days lies in (prev, t]. Every sample does when every <= 0. (The
 * 1e-9 absorbs t accumulated from fractional epochs landing a hair below a multiple.) */
static int window_ends(double prev, double t, double every)
{
    return !(every > 0) || floor(t / every + 1e-9) > floor(prev / every + 1e-9);
}

/* 1 when o excludes the metric: an entry equal to name, or a prefix ending in '.'. */
static int excluded(const store_output *o, const char *name)
{
    for (size_t i = 0; o && i < o->n_exclude; i++) {
        const char *x = o->exclude[i];
        size_t n = strlen(x);
        if (n && x[n - 1] == '.' ? strncmp(name, x, n) == 0 : strcmp(name, x) == 0)
            return 1;
    }
    return 0;
}

/* The kept samples of every series not excluded, into metric_values. SQLite status. */
static int write_metrics(store *s, const memsink *m, int64_t run, const store_output *o,
                         crc_err *err)
{
    if (!m->n_series)
        return SQLITE_OK;
    sqlite3_stmt *q = stmt(s, ST_METRIC, err);
    if (!q)
        return -1;
    double every = o ? o->sample_every : 0;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < m->n_series && rc == SQLITE_OK; i++) {
        const memsink_series *ser = &m->series[i];
        if (!ser->n || excluded(o, ser->name))
            continue;
        sqlite3_int64 id = name_id(s, &s->metric_ids, ser->name, &rc, err);
        for (size_t k = 0; k < ser->n && id >= 0 && rc == SQLITE_OK; k++) {
            if (k + 1 < ser->n && !window_ends(k ? ser->t[k - 1] : 0, ser->t[k], every))
                continue;
            sqlite3_bind_int64(q, 1, run);
            sqlite3_bind_int64(q, 2, id);
            sqlite3_bind_double(q, 3, ser->t[k]);
            bind_real(q, 4, ser->v[k]);
            rc = step(q);
        }
    }
    return rc;
}

/* Adds one flow to the window's sums (s->acc[0..*n)), keyed by its label ids. */
static int flow_add(store *s, size_t *n, sqlite3_int64 src, sqlite3_int64 dst,
                    sqlite3_int64 reason, double amount)
{
    for (size_t i = 0; i < *n; i++)
        if (s->acc[i].src == src && s->acc[i].dst == dst && s->acc[i].reason == reason) {
            s->acc[i].amount += amount;
            return SQLITE_OK;
        }
    if (*n == s->cap_acc) {
        size_t cap = s->cap_acc ? 2 * s->cap_acc : 64;
        flow_acc *a = realloc(s->acc, cap * sizeof *a);
        if (!a)
            return SQLITE_NOMEM;
        s->acc = a;
        s->cap_acc = cap;
    }
    s->acc[(*n)++] = (flow_acc){src, dst, reason, amount};
    return SQLITE_OK;
}

static int flow_cmp(const void *pa, const void *pb)
{
    const flow_acc *a = pa, *b = pb;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    return (a->reason > b->reason) - (a->reason < b->reason);
}

/* The sampling grid of a run: the epochs of its longest series (every epoch, as the
 * model writes every metric each epoch), g[0..n). */
static const double *epoch_grid(const memsink *m, size_t *n)
{
    const double *g = NULL;
    *n = 0;
    for (size_t i = 0; i < m->n_series; i++)
        if (m->series[i].n > *n) {
            g = m->series[i].t;
            *n = m->series[i].n;
        }
    return g;
}

/* Writes the window sums s->acc[0..n) stamped t; SQLite status. */
static int flush_flows(store *s, sqlite3_stmt *q, int64_t run, double t, size_t n)
{
    /* In key order, so that the rows append to the table's pages (full pages). */
    qsort(s->acc, n, sizeof *s->acc, flow_cmp);
    int rc = SQLITE_OK;
    for (size_t k = 0; k < n && rc == SQLITE_OK; k++) {
        sqlite3_bind_int64(q, 1, run);
        bind_real(q, 2, t);
        sqlite3_bind_int64(q, 3, s->acc[k].src);
        sqlite3_bind_int64(q, 4, s->acc[k].dst);
        sqlite3_bind_int64(q, 5, s->acc[k].reason);
        bind_real(q, 6, s->acc[k].amount);
        rc = step(q);
    }
    return rc;
}

/* The run's flows summed over the sampling windows of its metric samples, each sum
 * stamped with the time of the sample that ends its window (flows after the last
 * sample, or in a run without metrics, keep their own time). SQLite status. */
static int write_flows(store *s, const memsink *m, int64_t run, const store_output *o,
                       crc_err *err)
{
    if (!m->n_flows || (o && !o->flows))
        return SQLITE_OK;
    if (m->n_labels > s->cap_label_map) {
        sqlite3_int64 *lm = realloc(s->label_map, m->n_labels * sizeof *lm);
        if (!lm)
            return SQLITE_NOMEM;
        s->label_map = lm;
        s->cap_label_map = m->n_labels;
    }
    int rc = SQLITE_OK;
    for (size_t i = 0; i < m->n_labels && rc == SQLITE_OK; i++)
        s->label_map[i] = name_id(s, &s->label_ids, memsink_label(m, i), &rc, err);
    sqlite3_stmt *q = rc == SQLITE_OK ? stmt(s, ST_FLOW, err) : NULL;
    if (!q)
        return rc == SQLITE_OK ? -1 : rc;
    double every = o ? o->sample_every : 0;
    size_t gn, k = 0, n_acc = 0;
    const double *g = epoch_grid(m, &gn);
    double cur = NAN; /* the end of the window being summed */
    for (size_t i = 0; i < m->n_flows && rc == SQLITE_OK; i++) {
        const memsink_flow *f = &m->flows[i];
        /* the first kept sample at or after the flow: the grid only moves forward */
        while (k < gn && (g[k] < f->t ||
                          (k + 1 < gn && !window_ends(k ? g[k - 1] : 0, g[k], every))))
            k++;
        double end = k < gn ? g[k] : f->t;
        if (n_acc && end != cur) {
            rc = flush_flows(s, q, run, cur, n_acc);
            n_acc = 0;
        }
        cur = end;
        if (rc == SQLITE_OK)
            rc = flow_add(s, &n_acc, s->label_map[f->src], s->label_map[f->dst],
                          s->label_map[f->reason], f->amount_tkn);
    }
    if (n_acc && rc == SQLITE_OK)
        rc = flush_flows(s, q, run, cur, n_acc);
    return rc;
}

static int write_rows(store *s, const run_record *rec, const memsink *m, int64_t run,
                      int done, crc_err *err)
{
    sqlite3_stmt *q;
    int rc = SQLITE_OK;
    if (m && m->n_interventions) {
        if (!(q = stmt(s, ST_INTERVENTION, err)))
            return -1;
        for (size_t i = 0; i < m->n_interventions && rc == SQLITE_OK; i++) {
            const memsink_intervention *iv = &m->interventions[i];
            sqlite3_bind_int64(q, 1, run);
            bind_real(q, 2, iv->t);
            bind_text(q, 3, iv->path);
            bind_text(q, 4, iv->value);
            rc = step(q);
        }
    }
    if (!done || rc != SQLITE_OK)
        return rc;
    if (m && rc == SQLITE_OK)
        rc = write_metrics(s, m, run, rec->output, err);
    if (m && m->n_sum && rc == SQLITE_OK) {
        if (!(q = stmt(s, ST_SUMMARY, err)))
            return -1;
        for (size_t i = 0; i < m->n_sum && rc == SQLITE_OK; i++) {
            sqlite3_bind_int64(q, 1, run);
            bind_text(q, 2, m->sum_name[i]);
            bind_real(q, 3, m->sum_value[i]);
            rc = step(q);
        }
    }
    if (m && rc == SQLITE_OK)
        rc = write_flows(s, m, run, rec->output, err);
    if (rec->n_criteria && rc == SQLITE_OK) {
        if (!(q = stmt(s, ST_CRITERION, err)))
            return -1;
        for (size_t i = 0; i < rec->n_criteria && rc == SQLITE_OK; i++) {
            const store_criterion *c = &rec->criteria[i];
            sqlite3_bind_int64(q, 1, run);
            bind_text(q, 2, c->name ? c->name : "");
            bind_text(q, 3, c->metric);
            bind_text(q, 4, c->stat);
            bind_text(q, 5, c->op);
            bind_real(q, 6, c->threshold);
            bind_real(q, 7, c->value);
            sqlite3_bind_int(q, 8, c->passed ? 1 : 0);
            bind_text(q, 9, c->error);
            rc = step(q);
        }
    }
    return rc;
}

int store_write_run(store *s, const run_record *rec, const memsink *m, int64_t *run_id,
                    crc_err *err)
{
    if (run_id)
        *run_id = -1;
    if (!s || !rec)
        return crc_err_set(err, CRC_EFAIL, "store_write_run: no store or no record");
    if (s->readonly)
        return crc_err_at(err, CRC_EFAIL, s->path, 0, 0, "opened read-only; cannot store a run");
    int done = rec->status && strcmp(rec->status, "done") == 0;
    if (!done && !(rec->status && strcmp(rec->status, "failed") == 0))
        return crc_err_set(err, CRC_EFAIL, "store_write_run: status must be 'done' or "
                                           "'failed', not '%s'",
                           rec->status ? rec->status : "(null)");
    if (done && m && m->oom)
        return crc_err_set(err, CRC_ENOMEM,
                           "the run ran out of memory while recording its results; "
                           "it cannot be stored as done");

    sqlite3_stmt *q = stmt(s, ST_BEGIN, err);
    if (!q)
        return err ? err->code : CRC_EFAIL;
    int rc = step(q);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "starting to write a run to");

    q = stmt(s, ST_RUN, err);
    int64_t run = -1;
    if (!q) {
        rc = -1;
    } else {
        bind_text(q, 1, rec->scenario ? rec->scenario : "");
        bind_text(q, 2, rec->scenario_yaml);
        bind_text(q, 3, rec->scenario_hash);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)rec->seed);
        sqlite3_bind_int64(q, 5, rec->replicate);
        sqlite3_bind_int64(q, 6, rec->point);
        bind_text(q, 7, crc_version());
        bind_text(q, 8, crc_git_commit());
        bind_text(q, 9, rec->started_at);
        bind_text(q, 10, rec->ended_at);
        bind_real(q, 11, rec->wall_seconds);
        bind_text(q, 12, rec->status);
        bind_text(q, 13, rec->error);
        rc = step(q);
        run = sqlite3_last_insert_rowid(s->db);
    }
    if (rc == SQLITE_OK)
        rc = write_rows(s, rec, m, run, done, err);
    if (rc == SQLITE_OK) {
        q = stmt(s, ST_COMMIT, err);
        rc = q ? step(q) : -1;
    }
    if (rc != SQLITE_OK) {
        int r = rc == -1 ? (err ? err->code : CRC_EFAIL)
                         : fail(err, s->path, s->db, rc, "writing a run to");
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        /* Names added by this run are gone with it. */
        name_ids_clear(&s->metric_ids);
        name_ids_clear(&s->label_ids);
        return r;
    }
    if (run_id)
        *run_id = run;
    return CRC_OK;
}

int store_meta_set(store *s, const char *key, const char *value, crc_err *err)
{
    sqlite3_stmt *q = stmt(s, ST_META_SET, err);
    if (!q)
        return err ? err->code : CRC_EFAIL;
    bind_text(q, 1, key);
    bind_text(q, 2, value);
    int rc = step(q);
    return rc == SQLITE_OK ? CRC_OK : fail(err, s->path, s->db, rc, "writing meta to");
}

int store_meta_get(store *s, const char *key, char *buf, size_t len)
{
    sqlite3_stmt *q = stmt(s, ST_META_GET, NULL);
    if (!q || len == 0)
        return 0;
    bind_text(q, 1, key);
    int found = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(q, 0);
        snprintf(buf, len, "%s", v ? (const char *)v : "");
        found = 1;
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return found;
}

int store_runs_version(store *s, char *buf, size_t len, int *mixed, crc_err *err)
{
    sqlite3_stmt *q = NULL;
    buf[0] = 0;
    *mixed = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT DISTINCT coalesce(version, '') FROM runs LIMIT 2",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading the runs of");
    int n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n++ == 0)
            snprintf(buf, len, "%s", (const char *)sqlite3_column_text(q, 0));
        else
            *mixed = 1;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CRC_OK : fail(err, s->path, s->db, rc, "reading the runs of");
}

int store_write_point(store *s, long point, const char *path, double value,
                      const char *text, crc_err *err)
{
    sqlite3_stmt *q = stmt(s, ST_POINT, err);
    if (!q)
        return err ? err->code : CRC_EFAIL;
    sqlite3_bind_int64(q, 1, point);
    bind_text(q, 2, path);
    bind_real(q, 3, value);
    bind_text(q, 4, text);
    int rc = step(q);
    return rc == SQLITE_OK ? CRC_OK : fail(err, s->path, s->db, rc, "writing a sweep point to");
}

int store_finish(store *s, crc_err *err)
{
    if (!s || s->readonly)
        return CRC_OK;
    int r = exec(s, index_sql, "indexing", err);
    if (!r) /* fold the WAL back into the main file so the .db can be copied alone */
        r = exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing", err);
    return r;
}

int store_exec(store *s, const char *sql, crc_err *err)
{
    return exec(s, sql, "executing SQL on", err);
}
