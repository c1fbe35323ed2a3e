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

/* Version 1 schema. Only ever add to it (new tables, new nullable columns, indexes):
 * readers written against an older version must keep working. */
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
    "CREATE TABLE IF NOT EXISTS metrics(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL NOT NULL, name TEXT NOT NULL, value REAL);"
    "CREATE TABLE IF NOT EXISTS summary(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, value REAL, PRIMARY KEY(run, name));"
    "CREATE TABLE IF NOT EXISTS criteria(run INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, metric TEXT, stat TEXT, op TEXT, threshold REAL,"
    " value REAL, passed INTEGER, error TEXT, PRIMARY KEY(run, name));"
    "CREATE TABLE IF NOT EXISTS interventions(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL, path TEXT, value TEXT);"
    "CREATE TABLE IF NOT EXISTS flows(run INTEGER NOT NULL REFERENCES runs(id),"
    " t REAL, src TEXT, dst TEXT, reason TEXT, amount_tkn REAL);"
    "CREATE TABLE IF NOT EXISTS points(point INTEGER NOT NULL, path TEXT NOT NULL,"
    " value REAL, text TEXT, PRIMARY KEY(point, path));";

/* Read-side indexes, built by store_finish once the runs are written: building them in
 * bulk is far cheaper than maintaining them row by row while a run is stored (measured:
 * the metrics index made every run's write ~35% slower). */
static const char index_sql[] =
    "CREATE INDEX IF NOT EXISTS metrics_run_name ON metrics(run, name);"
    "CREATE INDEX IF NOT EXISTS flows_run ON flows(run);"
    "CREATE INDEX IF NOT EXISTS interventions_run ON interventions(run);";

enum {
    ST_RUN, ST_METRIC, ST_SUMMARY, ST_CRITERION, ST_INTERVENTION, ST_FLOW,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_META_SET, ST_META_GET, ST_POINT, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_RUN] = "INSERT INTO runs(scenario, scenario_yaml, scenario_hash, seed, replicate,"
               " point, version, git_commit, started_at, ended_at, wall_seconds, status,"
               " error) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [ST_METRIC] = "INSERT INTO metrics(run, t, name, value) VALUES(?,?,?,?)",
    [ST_SUMMARY] = "INSERT OR REPLACE INTO summary(run, name, value) VALUES(?,?,?)",
    [ST_CRITERION] = "INSERT OR REPLACE INTO criteria(run, name, metric, stat, op, threshold,"
                     " value, passed, error) VALUES(?,?,?,?,?,?,?,?,?)",
    [ST_INTERVENTION] = "INSERT INTO interventions(run, t, path, value) VALUES(?,?,?,?)",
    [ST_FLOW] = "INSERT INTO flows(run, t, src, dst, reason, amount_tkn) VALUES(?,?,?,?,?,?)",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?",
    [ST_POINT] = "INSERT OR REPLACE INTO points(point, path, value, text) VALUES(?,?,?,?)",
};

struct store {
    sqlite3 *db;
    char *path;
    int readonly;
    sqlite3_stmt *st[ST_COUNT]; /* prepared on first use, finalized by store_close */
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

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
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
    if (m && m->n_series) {
        if (!(q = stmt(s, ST_METRIC, err)))
            return -1;
        for (size_t i = 0; i < m->n_series && rc == SQLITE_OK; i++) {
            const memsink_series *ser = &m->series[i];
            for (size_t k = 0; k < ser->n && rc == SQLITE_OK; k++) {
                sqlite3_bind_int64(q, 1, run);
                sqlite3_bind_double(q, 2, ser->t[k]);
                sqlite3_bind_text(q, 3, ser->name, -1, SQLITE_STATIC);
                bind_real(q, 4, ser->v[k]);
                rc = step(q);
            }
        }
    }
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
    if (m && m->n_flows && rc == SQLITE_OK) {
        if (!(q = stmt(s, ST_FLOW, err)))
            return -1;
        for (size_t i = 0; i < m->n_flows && rc == SQLITE_OK; i++) {
            const memsink_flow *f = &m->flows[i];
            sqlite3_bind_int64(q, 1, run);
            bind_real(q, 2, f->t);
            bind_text(q, 3, memsink_label(m, f->src));
            bind_text(q, 4, memsink_label(m, f->dst));
            bind_text(q, 5, memsink_label(m, f->reason));
            bind_real(q, 6, f->amount_tkn);
            rc = step(q);
        }
    }
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
