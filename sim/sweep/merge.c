/* merge.c — joining shard databases. See merge.h. */
#include "sweep/merge.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"

/* The sweep identity of one database. */
typedef struct dbinfo {
    char hash[64], name[160], shard[64];
    char version[64];   /* of its runs ("" when it has none) */
} dbinfo;

/* Reads the sweep identity of an input after checking it is whole and sound
 * (store_open_input: not being written, quick_check, schema, counts). */
static int read_info(const char *path, dbinfo *info, crc_err *err)
{
    store *s = NULL;
    int rc = store_open_input(&s, path, err);
    if (rc != CRC_OK)
        return rc;
    memset(info, 0, sizeof *info);
    int ok = store_meta_get(s, "sweep_hash", info->hash, sizeof info->hash);
    store_meta_get(s, "sweep_name", info->name, sizeof info->name);
    store_meta_get(s, "shard", info->shard, sizeof info->shard);
    int mixed = 0;
    rc = store_runs_version(s, info->version, sizeof info->version, &mixed, err);
    int schema = store_schema_version(s);
    store_close(s);
    if (rc == CRC_OK && schema < STORE_SCHEMA_VERSION)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "this database was written by crucible < 0.6 (schema %d); merge "
                          "only shards of this version: rerun the shard, or export it",
                          schema);
    if (rc != CRC_OK)
        return rc;
    if (!ok)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "not a sweep database (its meta table has no sweep_hash); merge "
                          "joins the shards of one `crucible sweep`");
    if (mixed)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "holds runs of more than one crucible version (seeded results may "
                          "differ between versions); merge shards run by one version");
    return CRC_OK;
}

static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (!realpath(a, ra) || !realpath(b, rb))
        return 0;
    return strcmp(ra, rb) == 0;
}

static int sql_fail(crc_err *err, sqlite3 *db, const char *path, const char *doing)
{
    return store_fail(err, path, db, sqlite3_errcode(db), doing);
}

static int exec_sql(sqlite3 *db, const char *sql, const char *path, crc_err *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(err, db, path, "merging");
    return CRC_OK;
}

/* Comma-separated columns of main.table except skip ("" for none), into buf. */
static int columns(sqlite3 *db, const char *table, const char *skip, char *buf, size_t len)
{
    sqlite3_stmt *q = NULL;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", table);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    buf[0] = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 0);
        if (!strcmp(c, skip))
            continue;
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s\"%s\"", n ? "," : "", c);
    }
    sqlite3_finalize(q);
    return 0;
}

/* Copies the runs of the attached database `src` into main with new ids. */
static int copy_runs(sqlite3 *db, const char *path, size_t *n_runs, crc_err *err)
{
    char run_cols[2048], sql[8192];
    if (columns(db, "runs", "id", run_cols, sizeof run_cols) != 0)
        return sql_fail(err, db, path, "reading the schema");
    /* The child tables: every main table with a `run` column that src has too, but the
     * samples and flows, whose name ids are the source's: they are copied through the
     * dictionaries (main's ids for the same names), added first. */
    static const char *const by_name[] = {
        "INSERT OR IGNORE INTO main.metric_names(name) SELECT name FROM src.metric_names "
        "ORDER BY id;"
        "INSERT OR IGNORE INTO main.flow_labels(label) SELECT label FROM src.flow_labels "
        "ORDER BY id",
        "INSERT INTO main.metric_values(run, metric, t, value) SELECT ?1, n.id, v.t, v.value "
        "FROM src.metric_values v JOIN src.metric_names sn ON sn.id = v.metric "
        "JOIN main.metric_names n ON n.name = sn.name WHERE v.run = ?2 ORDER BY 2, 3",
        "INSERT INTO main.flow_values(run, t, src, dst, reason, amount_tkn) "
        "SELECT ?1, f.t, a.id, b.id, c.id, f.amount_tkn FROM src.flow_values f "
        "JOIN src.flow_labels sa ON sa.id = f.src JOIN main.flow_labels a ON a.label = sa.label "
        "JOIN src.flow_labels sb ON sb.id = f.dst JOIN main.flow_labels b ON b.label = sb.label "
        "JOIN src.flow_labels sr ON sr.id = f.reason "
        "JOIN main.flow_labels c ON c.label = sr.label WHERE f.run = ?2 ORDER BY 2, 3, 4, 5"};
    int rc = exec_sql(db, by_name[0], path, err);
    sqlite3_stmt *child[32];
    size_t n_child = 0;
    for (size_t i = 1; i < sizeof by_name / sizeof *by_name && rc == CRC_OK; i++)
        if (sqlite3_prepare_v2(db, by_name[i], -1, &child[n_child], NULL) != SQLITE_OK)
            rc = sql_fail(err, db, path, "preparing the copy");
        else
            n_child++;
    sqlite3_stmt *tq = NULL;
    if (rc == CRC_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT m.name FROM main.sqlite_master m, pragma_table_info(m.name) c "
                           "WHERE m.type = 'table' AND c.name = 'run' AND m.name IN "
                           "(SELECT name FROM src.sqlite_master WHERE type = 'table') AND "
                           "m.name NOT IN ('metric_values', 'flow_values')",
                           -1, &tq, NULL) != SQLITE_OK)
        rc = sql_fail(err, db, path, "reading the schema");
    while (rc == CRC_OK && sqlite3_step(tq) == SQLITE_ROW && n_child < 32) {
        const char *t = (const char *)sqlite3_column_text(tq, 0);
        char cols[2048];
        if (columns(db, t, "run", cols, sizeof cols) != 0) {
            rc = sql_fail(err, db, path, "reading the schema");
            break;
        }
        snprintf(sql, sizeof sql,
                 "INSERT INTO main.\"%s\"(run,%s) SELECT ?1,%s FROM src.\"%s\" WHERE run = ?2",
                 t, cols, cols, t);
        if (sqlite3_prepare_v2(db, sql, -1, &child[n_child], NULL) != SQLITE_OK)
            rc = sql_fail(err, db, path, "preparing the copy");
        else
            n_child++;
    }
    sqlite3_finalize(tq);
    sqlite3_stmt *ids = NULL, *ins = NULL;
    snprintf(sql, sizeof sql, "INSERT INTO main.runs(%s) SELECT %s FROM src.runs WHERE id = ?1",
             run_cols, run_cols);
    if (rc == CRC_OK &&
        (sqlite3_prepare_v2(db, "SELECT id FROM src.runs ORDER BY id", -1, &ids, NULL) !=
             SQLITE_OK ||
         sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK))
        rc = sql_fail(err, db, path, "preparing the copy");
    while (rc == CRC_OK && sqlite3_step(ids) == SQLITE_ROW) {
        sqlite3_int64 old = sqlite3_column_int64(ids, 0);
        sqlite3_bind_int64(ins, 1, old);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = sql_fail(err, db, path, "copying runs");
            break;
        }
        sqlite3_reset(ins);
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        for (size_t c = 0; c < n_child && rc == CRC_OK; c++) {
            sqlite3_bind_int64(child[c], 1, id);
            sqlite3_bind_int64(child[c], 2, old);
            if (sqlite3_step(child[c]) != SQLITE_DONE)
                rc = sql_fail(err, db, path, "copying a run's rows");
            sqlite3_reset(child[c]);
        }
        (*n_runs)++;
    }
    sqlite3_finalize(ids);
    sqlite3_finalize(ins);
    for (size_t c = 0; c < n_child; c++)
        sqlite3_finalize(child[c]);
    return rc;
}

static int attach(sqlite3 *db, const char *path, crc_err *err)
{
    char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS src", path);
    if (!sql)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    int rc = exec_sql(db, sql, path, err);
    sqlite3_free(sql);
    return rc;
}

/* Copies the whole database from into to (page by page: schema, indexes, application_id). */
static int copy_db(store *from, store *to, crc_err *err)
{
    sqlite3 *dst = store_db(to);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", store_db(from), "main");
    if (!b)
        return store_fail(err, store_path(to), dst, sqlite3_errcode(dst), "copying into");
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE)
        rc = fin;
    return rc == SQLITE_OK || rc == SQLITE_DONE
               ? CRC_OK
               : store_fail(err, store_path(to), dst, rc, "copying into");
}

/* Checks that st (a copy of OUT, or a new file) may take the inputs' sweep: the same
 * sweep and version, no (point, replicate) twice across it and the inputs. */
static int check_out(store *st, const char *out, const char *const *inputs, size_t n,
                     const dbinfo *first, crc_err *err)
{
    sqlite3 *db = store_db(st);
    char have[64], out_ver[64];
    int out_mixed = 0;
    int rc = store_runs_version(st, out_ver, sizeof out_ver, &out_mixed, err);
    if (rc != CRC_OK)
        return rc;
    if (out_ver[0] && first->version[0] && (out_mixed || strcmp(out_ver, first->version)))
        return crc_err_at(err, CRC_EINPUT, out, 0, 0,
                          "holds runs of crucible %s%s, the shards are of crucible %s: seeded "
                          "results may differ between versions; merge into a new file",
                          out_ver, out_mixed ? " and others" : "", first->version);
    if (store_meta_get(st, "sweep_hash", have, sizeof have)) {
        if (strcmp(have, first->hash) != 0) {
            char nm[160] = "?";
            store_meta_get(st, "sweep_name", nm, sizeof nm);
            return crc_err_at(err, CRC_EINPUT, out, 0, 0,
                              "already holds sweep '%s' (hash %s), not '%s' (hash %s); merge "
                              "into a new file",
                              nm, have, first->name, first->hash);
        }
    } else {
        sqlite3_stmt *q = NULL;
        long nr = 0;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            nr = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        if (nr)
            return crc_err_at(err, CRC_EINPUT, out, 0, 0,
                              "holds %ld runs that are not of a sweep; merge into a new file",
                              nr);
    }

    /* Every (point, replicate) once across out and the inputs. */
    if ((rc = exec_sql(db,
                       "CREATE TEMP TABLE merge_seen(point INTEGER, replicate INTEGER, src TEXT,"
                       " PRIMARY KEY(point, replicate));"
                       "INSERT OR IGNORE INTO merge_seen SELECT point, replicate, NULL FROM "
                       "main.runs;",
                       out, err)) != CRC_OK)
        return rc;
    for (size_t i = 0; i < n && rc == CRC_OK; i++) {
        if ((rc = attach(db, inputs[i], err)) != CRC_OK)
            break;
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db,
                               "SELECT r.point, r.replicate, s.src FROM src.runs r JOIN "
                               "merge_seen s ON s.point = r.point AND s.replicate = r.replicate "
                               "UNION ALL SELECT point, replicate, ?1 FROM src.runs GROUP BY "
                               "point, replicate HAVING count(*) > 1 LIMIT 1",
                               -1, &q, NULL) != SQLITE_OK) {
            rc = sql_fail(err, db, inputs[i], "reading runs");
        } else {
            sqlite3_bind_text(q, 1, inputs[i], -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW) {
                const char *where = (const char *)sqlite3_column_text(q, 2);
                rc = crc_err_at(err, CRC_EINPUT, inputs[i], 0, 0,
                                "holds run (point %lld, replicate %lld), which %s already "
                                "holds: is a shard named twice, or merged before? Nothing was "
                                "written",
                                (long long)sqlite3_column_int64(q, 0),
                                (long long)sqlite3_column_int64(q, 1), where ? where : out);
            }
        }
        sqlite3_finalize(q);
        if (rc == CRC_OK) {
            char *sql = sqlite3_mprintf("INSERT INTO merge_seen SELECT point, replicate, %Q "
                                        "FROM src.runs",
                                        inputs[i]);
            rc = sql ? exec_sql(db, sql, inputs[i], err)
                     : crc_err_set(err, CRC_ENOMEM, "out of memory");
            sqlite3_free(sql);
        }
        crc_err ignore;
        exec_sql(db, "DETACH DATABASE src", inputs[i], &ignore);
    }
    crc_err ignore;
    exec_sql(db, "DROP TABLE temp.merge_seen", out, &ignore);
    return rc;
}

/* Copies every input into st, each in one transaction, and records the shards. */
static int copy_inputs(store *st, const char *const *inputs, size_t n, const dbinfo *infos,
                       merge_stats *stats, crc_err *err)
{
    sqlite3 *db = store_db(st);
    char shards[1024] = "";
    int rc = CRC_OK;
    store_meta_get(st, "shards_merged", shards, sizeof shards);
    for (size_t i = 0; i < n && rc == CRC_OK; i++) {
        if ((rc = attach(db, inputs[i], err)) != CRC_OK)
            break;
        rc = exec_sql(db, "BEGIN", inputs[i], err);
        if (rc == CRC_OK)
            rc = exec_sql(db,
                          "INSERT OR IGNORE INTO main.meta SELECT key, value FROM src.meta "
                          "WHERE key NOT IN ('schema_version', 'created_by', 'shard', "
                          "'shards_merged');"
                          "INSERT OR IGNORE INTO main.points SELECT * FROM src.points;",
                          inputs[i], err);
        if (rc == CRC_OK)
            rc = copy_runs(db, inputs[i], &stats->runs, err);
        if (rc == CRC_OK) {
            size_t l = strlen(shards);
            snprintf(shards + l, sizeof shards - l, "%s%s", l ? "," : "",
                     infos[i].shard[0] ? infos[i].shard : "all");
            rc = store_meta_set(st, "shards_merged", shards, err);
        }
        if (rc == CRC_OK)
            rc = exec_sql(db, "COMMIT", inputs[i], err);
        else {
            crc_err ignore;
            exec_sql(db, "ROLLBACK", inputs[i], &ignore);
        }
        crc_err ignore;
        exec_sql(db, "DETACH DATABASE src", inputs[i], &ignore);
        stats->inputs++;
    }
    if (rc == CRC_OK) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT point) FROM points", -1, &q, NULL) ==
                SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            stats->points = (size_t)sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return rc;
}

/* Puts the finished temporary file tmp in place of out: a rename when out existed (its
 * writer's lock is ours), otherwise a link that fails rather than replace an out another
 * process created meanwhile. Then makes the new name durable. */
static int put_in_place(const char *tmp, const char *out, int replace, crc_err *err)
{
    int r;
    if (replace) {
        r = rename(tmp, out);
    } else {
        r = link(tmp, out);
        if (r == 0)
            unlink(tmp);
        else if (errno != EEXIST) /* a file system without hard links */
            r = access(out, F_OK) == 0 ? (errno = EEXIST, -1) : rename(tmp, out);
    }
    if (r != 0)
        return errno == EEXIST
                   ? crc_err_at(err, CRC_EFAIL, out, 0, 0,
                                "appeared while the merge ran (another process wrote it); "
                                "nothing was replaced: run the same command again")
                   : crc_err_at(err, CRC_EFAIL, out, 0, 0,
                                "cannot put the merged database in place (%s); run the same "
                                "command again",
                                strerror(errno));
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", out);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return CRC_OK;
}

int merge_run(const char *out, const char *const *inputs, size_t n, merge_stats *stats,
              crc_err *err)
{
    memset(stats, 0, sizeof *stats);
    if (n == 0)
        return crc_err_set(err, CRC_EINPUT, "nothing to merge: name the shard databases");
    dbinfo *infos = calloc(n, sizeof *infos);
    if (!infos)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    dbinfo first;
    int rc = CRC_OK;
    /* 1. The inputs: each named once, whole and sound, of one sweep and one version. */
    for (size_t i = 0; i < n && rc == CRC_OK; i++) {
        const dbinfo *info = &infos[i];
        if (same_file(inputs[i], out)) {
            rc = crc_err_at(err, CRC_EINPUT, inputs[i], 0, 0,
                            "is also the output; merge into a new file");
            break;
        }
        for (size_t j = 0; j < i && rc == CRC_OK; j++)
            if (same_file(inputs[i], inputs[j]))
                rc = crc_err_at(err, CRC_EINPUT, inputs[i], 0, 0,
                                "is named twice; its runs would be duplicated");
        if (rc != CRC_OK || (rc = read_info(inputs[i], &infos[i], err)) != CRC_OK)
            break;
        if (i == 0) {
            first = infos[0];
            continue;
        }
        if (strcmp(info->hash, first.hash) != 0)
            rc = crc_err_at(err, CRC_EINPUT, inputs[i], 0, 0,
                            "holds sweep '%s' (hash %s) but %s holds sweep '%s' (hash %s): "
                            "only shards of one sweep (same base, seed, replicates and "
                            "design) can be merged",
                            info->name, info->hash, inputs[0], first.name, first.hash);
        else if (info->version[0] && first.version[0] && strcmp(info->version, first.version))
            rc = crc_err_at(err, CRC_EINPUT, inputs[i], 0, 0,
                            "was run by crucible %s but %s by crucible %s: seeded results "
                            "may differ between versions; run every shard with one version",
                            info->version, inputs[0], first.version);
        else if (!first.version[0])
            snprintf(first.version, sizeof first.version, "%s", info->version);
    }
    if (rc != CRC_OK) {
        free(infos);
        return rc;
    }

    /* 2. The output is built under a temporary name in its folder, from a copy of OUT
     * (whose writer's lock is held throughout), and renamed into place only when whole:
     * a full disk or a kill leaves OUT as it was, and the same command finishes it. */
    char tmp[PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.partial", out) >= (int)sizeof tmp) {
        free(infos);
        return crc_err_at(err, CRC_EINPUT, out, 0, 0, "path too long");
    }
    struct stat sb;
    int out_exists = lstat(out, &sb) == 0, out_lock = -1;
    store *o = NULL, *t = NULL;
    if (out_exists)
        rc = store_open(&o, out, err);
    if (rc == CRC_OK)
        rc = store_remove_stale(tmp, err);
    if (rc == CRC_OK)
        rc = store_open(&t, tmp, err);
    if (rc == CRC_OK && o) {
        rc = copy_db(o, t, err);
        /* Fold OUT's WAL in and close it, so no -wal of the old file is left beside the
         * new one; its lock stays ours until the rename is done. */
        if (rc == CRC_OK)
            rc = store_finish(o, err);
        out_lock = store_close_keep_lock(o);
        o = NULL;
    }
    if (rc == CRC_OK)
        rc = check_out(t, out, inputs, n, &first, err);
    if (rc == CRC_OK)
        rc = copy_inputs(t, inputs, n, infos, stats, err);
    if (rc == CRC_OK)
        rc = store_finish(t, err);
    if (rc == CRC_OK) /* one self-contained file, without -wal or -shm, to rename */
        rc = store_exec(t, "PRAGMA journal_mode=DELETE", err);
    if (rc == CRC_OK)
        rc = put_in_place(tmp, out, out_exists, err);
    if (rc == CRC_OK)
        store_close(t);
    else
        store_discard(t);
    store_close(o);
    store_unlock(out_lock);
    free(infos);
    return rc;
}
