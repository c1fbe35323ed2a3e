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
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "model/metdoc.h"
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
    int lock_fd;     /* the flock'd descriptor (exclusive for writers, shared for
                        store_open_input); -1 when none. Closed after db, never before:
                        closing a descriptor of the file drops SQLite's POSIX locks */
    int created;     /* store_open created the file: remove it again if opening fails */
    int schema;                 /* meta.schema_version of the file */
    sqlite3_stmt *st[ST_COUNT]; /* prepared on first use, finalized by store_close */
    name_ids metric_ids, label_ids;
    flow_acc *acc;              /* a run's flows of one window (write_flows) */
    size_t cap_acc;
    sqlite3_int64 *label_map;   /* memsink label index -> flow_labels.id */
    size_t cap_label_map;
};

/* Whether an SQLite status (and the system errno behind it) means the disk is full. A
 * file size limit (ulimit -f: EFBIG) is met and fixed the same way. */
static int is_full(int rc, int sys)
{
    return (rc & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT || sys == EFBIG;
}

int store_fail(crc_err *err, const char *path, sqlite3 *db, int rc, const char *doing)
{
    int e = errno; /* first: nothing below may change it before it is read */
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char *what = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys = db ? sqlite3_system_errno(db) : 0;
    /* SQLite 3.40 leaves the system errno unset when a COMMIT's write fails (the WAL
     * frames of a transaction): the failed write's errno is still errno here, and the
     * three that mean "no room" are set by nothing but writes. */
    if (!sys && (rc & 0xff) == SQLITE_IOERR && (e == ENOSPC || e == EDQUOT || e == EFBIG))
        sys = e;
    char sysmsg[160] = "";
    if (sys)
        snprintf(sysmsg, sizeof sysmsg, " (%s)", strerror(sys));
    if (is_full(rc, sys))
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "the disk holding %s is full: free space and run the same command "
                          "again (it stopped while %s the results database: %s%s; what was "
                          "committed before is whole, the rest was not stored)",
                          path, doing, what, sysmsg);
    switch (rc & 0xff) {
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
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "not a Crucible results database (%s). Choose another file, "
                          "or remove this one if it is yours to replace",
                          what);
    case SQLITE_CORRUPT:
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "the results database is damaged (%s while %s it); nothing was "
                          "written to it. Restore it from a copy, or write to another file "
                          "(`sqlite3 %s .recover` may save the runs stored before the damage)",
                          what, doing, path);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "the results database is locked by another process while %s "
                          "(%s); wait for it to finish or write elsewhere with --out",
                          doing, what);
    default:
        /* No cause the user can fix was recognised: most likely a fault of ours. */
        return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                          "SQLite error %d while %s: %s%s. The file is as the last whole "
                          "run left it; please report this with the command that failed "
                          "(and the file, if you can share it)",
                          ext, doing, what, sysmsg);
    }
}

static int fail(crc_err *err, const char *path, sqlite3 *db, int rc, const char *doing)
{
    return store_fail(err, path, db, rc, doing);
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

/* Closes the SQLite handle and frees s; returns its lock descriptor, still locked. */
static int close_keep_lock(store *s)
{
    if (!s)
        return -1;
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
    int fd = s->lock_fd;
    free(s->path);
    free(s);
    return fd;
}

void store_unlock(int lock)
{
    if (lock >= 0)
        close(lock); /* releases the flock */
}

int store_close_keep_lock(store *s)
{
    return close_keep_lock(s);
}

void store_close(store *s)
{
    store_unlock(close_keep_lock(s));
}

/* Removes path and its SQLite companions. */
static void remove_files(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char side[4200];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(side, sizeof side, "%s%s", path, suffix[i]);
        unlink(side);
    }
}

void store_discard(store *s)
{
    if (!s)
        return;
    char *path = strdup(s->path);
    int fd = close_keep_lock(s);
    if (path && fd >= 0) /* only what we hold the lock of */
        remove_files(path);
    free(path);
    store_unlock(fd);
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

/* What each metric is called and measured in (model/metdoc.h), for analysis' titles and
 * axes: meta.metric_info, one "name TAB label TAB unit" line per entry (docs/results.md),
 * a family "x." written "x.*" (any member). A meta row, not a table: it fits the meta
 * page, so the file grows by nothing, and files written before it existed simply lack
 * the key (readers show the raw names). */
static int write_metric_info(store *s, crc_err *err)
{
    size_t len = 1;
    for (size_t i = 0; i < metdoc_count; i++)
        len += strlen(metdoc_table[i].name) + strlen(metdoc_table[i].label) +
               strlen(metdoc_table[i].unit) + 4;
    char *text = malloc(len);
    if (!text)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < metdoc_count; i++) {
        const metdoc *m = &metdoc_table[i];
        size_t n = strlen(m->name);
        at += (size_t)snprintf(text + at, len - at, "%s%s\t%s\t%s\n", m->name,
                               n && m->name[n - 1] == '.' ? "*" : "", m->label, m->unit);
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) "
                                "VALUES('metric_info', ?)", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(q);
    free(text);
    return rc == SQLITE_OK ? CRC_OK : fail(err, s->path, s->db, rc, "creating");
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
    if (!rc)
        rc = write_metric_info(s, err);
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

/* ---- one writer per file ------------------------------------------------------------ */

/* The pid holding a flock on the file st describes, from /proc/locks (Linux); 0 when
 * unknown. */
static long lock_holder(const struct stat *st)
{
    FILE *f = fopen("/proc/locks", "r");
    if (!f)
        return 0;
    char line[256], kind[16];
    long pid = 0, same_ino = 0, p;
    unsigned maj, min;
    unsigned long ino;
    while (!pid && fgets(line, sizeof line, f)) {
        /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:123456 0 EOF" */
        if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%lu", kind, &p, &maj, &min, &ino) != 5 ||
            strcmp(kind, "FLOCK") != 0 || ino != (unsigned long)st->st_ino)
            continue;
        if (maj == major(st->st_dev) && min == minor(st->st_dev))
            pid = p;
        else if (!same_ino) /* overlay file systems report another device */
            same_ino = p;
    }
    fclose(f);
    return pid ? pid : same_ino;
}

static const char *file_kind(mode_t m)
{
    return S_ISCHR(m)    ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
           : S_ISLNK(m)  ? "a symbolic link"
           : S_ISDIR(m)  ? "a directory"
                         : "not a regular file";
}

/* Refuses a path that exists and is not a regular file: a database is only ever written
 * into a regular file, never through a link or into a device (`--out /dev/null` would
 * leave /dev/null-journal). Readers follow links. *exists says whether path exists. */
static int check_path(const char *path, int readonly, int *exists, crc_err *err)
{
    struct stat st;
    *exists = 0;
    if (lstat(path, &st) != 0)
        return CRC_OK;
    *exists = 1;
    if (S_ISLNK(st.st_mode) && readonly && stat(path, &st) != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "is a symbolic link to nothing (%s); check the path", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "is a directory, not a results database file; give a file name "
                          "such as %s/run.db",
                          path);
    if (!S_ISREG(st.st_mode))
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "is %s, not a regular file: results databases are written only "
                          "into regular files%s. Give a file name such as results/run.db",
                          file_kind(st.st_mode),
                          S_ISLNK(st.st_mode) ? " (give the file it points to)" : "");
    if (readonly)
        return CRC_OK;
    static const char *const companion[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof companion / sizeof companion[0]; i++) {
        char side[4200];
        snprintf(side, sizeof side, "%s%s", path, companion[i]);
        if (lstat(side, &st) == 0 && !S_ISREG(st.st_mode))
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "its companion file %s is %s, not a regular file; remove it, "
                              "or write elsewhere with --out",
                              side, file_kind(st.st_mode));
    }
    return CRC_OK;
}

/* Opens path (creating it when `create`; *created = 1 when this call did) and takes a
 * flock on it without waiting, exclusive or shared. The lock is taken on the file the
 * name still points to afterwards (a file replaced meanwhile is opened again). *fd is -1
 * when path does not exist and create is 0. A file system without flock is written
 * without the lock (the unique index still refuses a run stored twice). */
static int take_lock(const char *path, int exclusive, int create, int *fd, int *created,
                     crc_err *err)
{
    *fd = -1;
    *created = 0;
    int flags = (exclusive ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    for (int attempt = 0; attempt < 8; attempt++) {
        int made = 0, f = create ? open(path, flags | O_CREAT | O_EXCL, 0666) : -1;
        if (f >= 0)
            made = 1;
        else if (!create || errno == EEXIST)
            f = open(path, flags);
        if (f < 0) {
            if (errno == ENOENT && create)
                continue; /* removed between the two opens */
            if (errno == ENOENT)
                return CRC_OK;
            if (errno == ELOOP)
                return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                                  "is a symbolic link; results databases are written only "
                                  "into regular files: give the file it points to");
            return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                              "cannot open the results database (%s); check that its folder "
                              "is writable, or write elsewhere with --out FILE.db",
                              strerror(errno));
        }
        struct stat st, now;
        if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(f);
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "is not a regular file: results databases are written only "
                              "into regular files");
        }
        int op = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
        int held = flock(f, op) != 0 && errno == EWOULDBLOCK;
        long pid = held ? lock_holder(&st) : 0;
        /* No holder listed: it let go between the two looks (it finished); try again. */
        for (int again = 0; held && pid <= 0 && again < 3; again++) {
            held = flock(f, op) != 0 && errno == EWOULDBLOCK;
            pid = held ? lock_holder(&st) : 0;
        }
        if (held) {
            char who[64] = "another crucible process";
            if (pid > 0)
                snprintf(who, sizeof who, "another crucible process (pid %ld)", pid);
            close(f); /* a file we made stays: the process that locked it now uses it */
            return exclusive ? crc_err_at(err, CRC_EFAIL, path, 0, 0,
                                          "%s is writing %s; wait for it to finish, or write "
                                          "to another --out",
                                          who, path)
                             : crc_err_at(err, CRC_EFAIL, path, 0, 0,
                                          "%s is still writing %s; wait for it to finish, "
                                          "then run the same command again",
                                          who, path);
        }
        if (stat(path, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
            *fd = f;
            *created = made;
            return CRC_OK;
        }
        close(f); /* replaced or removed while we locked it: lock what is there now */
    }
    return crc_err_at(err, CRC_EFAIL, path, 0, 0,
                      "kept being replaced while it was opened; is another program "
                      "rewriting it? Write elsewhere with --out");
}

int store_remove_stale(const char *path, crc_err *err)
{
    int exists, fd, made;
    int rc = check_path(path, 0, &exists, err);
    if (rc || !exists)
        return rc;
    if ((rc = take_lock(path, 1, 0, &fd, &made, err)) != CRC_OK)
        return rc;
    if (fd >= 0)
        remove_files(path);
    store_unlock(fd);
    return CRC_OK;
}

/* ---- checks ------------------------------------------------------------------------- */

/* PRAGMA quick_check: refuses a damaged database (a cheaper integrity_check: every page,
 * b-tree and record, not the indexes' contents). */
static int quick_check(store *s, crc_err *err)
{
    sqlite3_stmt *q = NULL;
    char first[300] = "";
    int n = 0, rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(3)", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(q, 0);
            if (n++ == 0) /* its lines on one line: "*** in database main ***; Page 17..." */
                for (size_t i = 0, j = 0; t && t[i] && j + 3 < sizeof first; i++) {
                    if (t[i] == '\n') {
                        first[j++] = ';';
                        first[j++] = ' ';
                    } else {
                        first[j++] = (char)t[i];
                    }
                    first[j] = '\0';
                }
        }
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "checking");
    if (n == 1 && strcmp(first, "ok") == 0)
        return CRC_OK;
    return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                      "the results database is damaged: PRAGMA quick_check reports \"%s\"%s. "
                      "Nothing was written to it; restore it from a copy, or write to another "
                      "file (`sqlite3 %s .recover` may save the runs stored before the damage)",
                      first, n > 1 ? " and more" : "", s->path);
}

/* Refuses a database that holds a (point, replicate) more than once. */
static int check_unique(store *s, crc_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "SELECT point, replicate, n, (SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY point,"
        " replicate HAVING count(*) > 1)) FROM (SELECT point, replicate, count(*) AS n FROM "
        "runs GROUP BY point, replicate HAVING count(*) > 1) LIMIT 1",
        -1, &q, NULL);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading the runs of");
    rc = sqlite3_step(q);
    int r = CRC_OK;
    if (rc == SQLITE_ROW)
        r = crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                       "holds run (point %lld, replicate %lld) %lld times, and %lld "
                       "(point, replicate) in all more than once: an older crucible stored "
                       "them when two processes wrote this file at once or a `crucible run` "
                       "was repeated into it, and every statistic would count them twice. "
                       "Nothing was written. Write to another --out, or keep one copy of each "
                       "(docs/results.md, \"Runs stored twice\")",
                       (long long)sqlite3_column_int64(q, 0),
                       (long long)sqlite3_column_int64(q, 1),
                       (long long)sqlite3_column_int64(q, 2),
                       (long long)sqlite3_column_int64(q, 3));
    else if (rc != SQLITE_DONE)
        r = fail(err, s->path, s->db, rc, "reading the runs of");
    sqlite3_finalize(q);
    return r;
}

/* A run is unique by (point, replicate): the index is made with the file. A file that
 * lost it (dropped by hand) gets it back here, after check_unique refuses one that already
 * breaks it; schema 1 files, which never had it, are refused before (refuse_old_schema). */
static const char unique_sql[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_point_replicate ON runs(point, replicate)";

static int ensure_unique_runs(store *s, crc_err *err)
{
    int rc;
    long long have = query_int(s->db,
                               "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                               "name = 'runs_point_replicate'",
                               &rc);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading");
    if (have > 0)
        return CRC_OK;
    int r = check_unique(s, err);
    return r ? r : exec(s, unique_sql, "indexing", err);
}

/* Tables every done run has rows in (when this version's schema has them): real tables,
 * never the views over them (`metrics` reads metric_values). */
static const char *const per_run_tables[] = {"metric_values", "summary"};

int store_check_complete(store *s, crc_err *err)
{
    int rc;
    long long app = query_int(s->db, "PRAGMA application_id", &rc);
    if (rc != SQLITE_OK)
        return fail(err, s->path, s->db, rc, "reading");
    if (app != 0 && app != STORE_APPLICATION_ID)
        return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                          "not a Crucible results database (application_id 0x%llx, not "
                          "0x%x)",
                          (unsigned long long)app, STORE_APPLICATION_ID);
    /* This version's schema, built in memory, is what the file must hold at least: its
     * tables and views, with their columns. */
    sqlite3 *ref = NULL;
    sqlite3_stmt *cols = NULL, *has = NULL;
    int r = CRC_OK;
    if (sqlite3_open(":memory:", &ref) != SQLITE_OK ||
        sqlite3_exec(ref, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ref,
                           "SELECT m.name, c.name, m.type FROM sqlite_schema m, "
                           "pragma_table_info(m.name) c WHERE m.type IN ('table', 'view') "
                           "ORDER BY m.name, c.cid",
                           -1, &cols, NULL) != SQLITE_OK)
        r = crc_err_set(err, CRC_ENOMEM, "out of memory checking %s", s->path);
    if (!r && (rc = sqlite3_prepare_v2(
                   s->db,
                   "SELECT (SELECT count(*) FROM sqlite_schema WHERE type = ?3 AND "
                   "name = ?1), (SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2)",
                   -1, &has, NULL)) != SQLITE_OK)
        r = fail(err, s->path, s->db, rc, "reading");
    while (!r && sqlite3_step(cols) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(cols, 0);
        const char *c = (const char *)sqlite3_column_text(cols, 1);
        const char *type = (const char *)sqlite3_column_text(cols, 2);
        sqlite3_bind_text(has, 1, t, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(has, 2, c, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(has, 3, type, -1, SQLITE_TRANSIENT);
        if ((rc = sqlite3_step(has)) != SQLITE_ROW)
            r = fail(err, s->path, s->db, rc, "reading");
        else if (sqlite3_column_int(has, 0) == 0 || sqlite3_column_int(has, 1) == 0) {
            char what[300];
            if (sqlite3_column_int(has, 0))
                snprintf(what, sizeof what, "column `%s` of %s %s", c, type, t);
            else
                snprintf(what, sizeof what, "%s `%s`", type, t);
            r = crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                           "incomplete results database: %s is missing. Run what wrote it "
                           "again into a new file (for a shard: crucible sweep ... --shard "
                           "K/N --out NEW.db), or restore it from a copy",
                           what);
        }
        sqlite3_reset(has);
    }
    sqlite3_finalize(has);
    sqlite3_finalize(cols);
    for (size_t i = 0; !r && i < sizeof per_run_tables / sizeof per_run_tables[0]; i++) {
        const char *t = per_run_tables[i];
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = 'run'",
                 t);
        if (query_int(ref, sql, NULL) != 1)
            continue;
        snprintf(sql, sizeof sql,
                 "SELECT point, replicate, (SELECT count(*) FROM runs WHERE status = 'done' AND"
                 " id NOT IN (SELECT run FROM \"%s\")) FROM runs WHERE status = 'done' AND id "
                 "NOT IN (SELECT run FROM \"%s\") LIMIT 1",
                 t, t);
        sqlite3_stmt *q = NULL;
        if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL)) != SQLITE_OK)
            r = fail(err, s->path, s->db, rc, "reading");
        else if ((rc = sqlite3_step(q)) == SQLITE_ROW)
            r = crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                           "incomplete results database: %lld done runs have no rows in `%s` "
                           "(the first: point %lld, replicate %lld); they were deleted or "
                           "lost. Run what wrote it again into a new file (for a shard: "
                           "crucible sweep ... --shard K/N --out NEW.db), or restore it from "
                           "a copy",
                           (long long)sqlite3_column_int64(q, 2), t,
                           (long long)sqlite3_column_int64(q, 0),
                           (long long)sqlite3_column_int64(q, 1));
        else if (rc != SQLITE_DONE)
            r = fail(err, s->path, s->db, rc, "reading");
        sqlite3_finalize(q);
    }
    sqlite3_close(ref);
    return r ? r : check_unique(s, err);
}

/* ---- opening ------------------------------------------------------------------------ */

enum { OPEN_WRITE, OPEN_READ, OPEN_INPUT };

static int open_common(store **out, const char *path, int mode, crc_err *err)
{
    *out = NULL;
    if (!path || !*path)
        return crc_err_set(err, CRC_EINPUT, "no results database path given");
    int readonly = mode != OPEN_WRITE, exists = 0;
    int rc = check_path(path, readonly, &exists, err);
    if (rc)
        return rc;
    struct stat st;
    if (readonly && stat(path, &st) != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "no such results database (%s); check the path",
                          strerror(errno));
    if (readonly && st.st_size == 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "empty file: not a Crucible results database");
    if (!readonly && !exists && (rc = make_parent_dirs(path, err)) != CRC_OK)
        return rc;

    store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return crc_err_set(err, CRC_ENOMEM, "out of memory opening %s", path);
    }
    s->readonly = readonly;
    s->metric_ids = (name_ids){.get = ST_METRIC_ID, .add = ST_METRIC_NEW};
    s->label_ids = (name_ids){.get = ST_LABEL_ID, .add = ST_LABEL_NEW};
    s->lock_fd = -1;
    if (mode != OPEN_READ &&
        (rc = take_lock(path, mode == OPEN_WRITE, mode == OPEN_WRITE, &s->lock_fd,
                        &s->created, err)) != CRC_OK) {
        store_close(s);
        return rc;
    }
    rc = readonly ? store_open_reader(path, &s->db)
                  : sqlite3_open_v2(path, &s->db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                        SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                                    NULL);
    int r = CRC_OK;
    if (rc != SQLITE_OK)
        r = fail(err, path, s->db, rc, "opening");
    if (!r) {
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, 10000);
    }
    int empty = 0;
    if (!r)
        r = verify(s, &empty, err);
    if (!r && empty && readonly)
        r = crc_err_at(err, CRC_EINPUT, path, 0, 0,
                       "an SQLite file without any table: not a Crucible results database");
    if (!r && !empty && mode != OPEN_READ)
        r = quick_check(s, err);
    if (!r && mode == OPEN_INPUT)
        r = refuse_old_schema(s, err);
    if (!r && mode == OPEN_INPUT)
        r = store_check_complete(s, err);
    if (!r && !readonly) {
        /* WAL: readers never block the writer and a killed writer leaves the last
         * committed state; NORMAL sync is durable against process death. */
        r = exec(s, "PRAGMA journal_mode=WAL", "opening", err);
        if (!r)
            r = exec(s, "PRAGMA synchronous=NORMAL", "opening", err);
        if (!r && empty)
            r = create_schema(s, err);
        if (!r && empty)
            r = verify(s, &empty, err);
        if (!r)
            r = refuse_old_schema(s, err);
        if (!r)
            r = ensure_unique_runs(s, err);
    }
    if (r) {
        if (s->created)
            store_discard(s);
        else
            store_close(s);
        return r;
    }
    *out = s;
    return CRC_OK;
}

int store_open_reader(const char *path, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK && *db) {
        /* a file we may not write (or on a read-only mount): read-only it is */
        sqlite3_close(*db);
        rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(*db, "PRAGMA query_only=1", NULL, NULL, NULL);
    return rc;
}

int store_open(store **out, const char *path, crc_err *err)
{
    return open_common(out, path, OPEN_WRITE, err);
}

int store_open_readonly(store **out, const char *path, crc_err *err)
{
    return open_common(out, path, OPEN_READ, err);
}

int store_open_input(store **out, const char *path, crc_err *err)
{
    return open_common(out, path, OPEN_INPUT, err);
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
        if (rc == SQLITE_CONSTRAINT_UNIQUE) { /* runs_point_replicate */
            crc_err_at(err, CRC_EFAIL, s->path, 0, 0,
                            "run (point %ld, replicate %ld) is already stored in it: a run is "
                            "stored once. Another process may be writing the same runs; "
                            "resume runs only those that are missing",
                            rec->point, rec->replicate);
            rc = -1;
        }
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

int store_check_resume_version(store *s, const char *what, crc_err *err)
{
    char ver[64];
    int mixed, rc = store_runs_version(s, ver, sizeof ver, &mixed, err);
    if (rc != CRC_OK)
        return rc;
    if (ver[0] && (mixed || strcmp(ver, crc_version()) != 0))
        return crc_err_at(err, CRC_EINPUT, s->path, 0, 0,
                          "%s was started by crucible %s%s; this is crucible %s, whose seeded "
                          "results may differ, so resuming would mix two versions in one "
                          "result. Finish it with crucible %s, or run it again with another "
                          "--out",
                          what, ver, mixed ? " and others" : "", crc_version(), ver);
    return CRC_OK;
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

int store_drop_unfinished(store *s, crc_err *err)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "starting to clean", err);
    if (rc != CRC_OK)
        return rc;
    sqlite3_stmt *q = NULL;
    int src = sqlite3_prepare_v2(s->db,
                                 "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c "
                                 "WHERE m.type = 'table' AND c.name = 'run'",
                                 -1, &q, NULL);
    if (src != SQLITE_OK)
        rc = fail(err, s->path, s->db, src, "reading the schema of");
    while (rc == CRC_OK && sqlite3_step(q) == SQLITE_ROW) {
        char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE run IN (SELECT id FROM runs WHERE "
                                    "status <> 'done')",
                                    (const char *)sqlite3_column_text(q, 0));
        rc = sql ? exec(s, sql, "removing unfinished runs from", err)
                 : crc_err_set(err, CRC_ENOMEM, "out of memory");
        sqlite3_free(sql);
    }
    sqlite3_finalize(q);
    if (rc == CRC_OK)
        rc = exec(s, "DELETE FROM runs WHERE status <> 'done'", "removing unfinished runs from",
                  err);
    if (rc == CRC_OK)
        return exec(s, "COMMIT", "removing unfinished runs from", err);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
