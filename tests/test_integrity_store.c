/* test_integrity_store.c — results are never doubled, mixed or passed off as whole
 * (issue 23), through the real binary (CRUCIBLE_BIN) and the store API:
 *
 *   - one writer per database: concurrent sweeps store every (point, replicate) once, and
 *     a second writer (sweep, run or merge) is refused naming the first;
 *   - a (point, replicate) is unique in the schema, also in databases of older versions;
 *   - `run` into an existing --out is refused without --resume, and --resume after a
 *     partial database equals an uninterrupted run;
 *   - a database holds one scenario or one sweep;
 *   - merge refuses damaged or incomplete shards, and on a full disk leaves OUT as it was
 *     and is finished by running the same command again;
 *   - a corrupt database is refused by run, sweep and merge;
 *   - a path that is not a regular file is never written. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/pcg.h"
#include "store/store.h"

#define FIX "tests/fixtures/sweeps/"

static char dir[64];

static const char *bin(void)
{
    const char *b = getenv("CRUCIBLE_BIN");
    if (!b)
        cr_skip_test("CRUCIBLE_BIN is not set (run through make test)");
    return b;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-integrity-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(integrity, .init = setup, .fini = teardown);

/* dir/name, in one of 64 rotating buffers: a test keeps a few paths for its whole body
 * while building commands from more. */
static const char *at(const char *name)
{
    static char buf[64][256];
    static int k;
    k = (k + 1) % 64;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs `crucible ARGS` in the repository root with stdout+stderr in dir/out.txt; returns
 * its exit status. */
static int crucible(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int crucible(const char *fmt, ...)
{
    char args[2048], cmd[3072];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", bin(), args, dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The whole of a small file (at most 64 KB), for messages. */
static const char *slurp(const char *path)
{
    static char buf[1 << 16];
    buf[0] = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
    }
    return buf;
}

static const char *output(void)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    return slurp(path);
}

static long long query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK, "%s", path);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    long long v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* Runs stored twice: (point, replicate) pairs minus distinct pairs. */
static long long doubled(const char *path)
{
    return query(path, "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT point, "
                       "replicate FROM runs)) FROM runs");
}

/* FNV-1a of a file's bytes: to show a refused command left it untouched. */
static uint64_t file_hash(const char *path)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    int c;
    while ((c = fgetc(f)) != EOF) {
        h ^= (unsigned char)c;
        h *= 0x100000001b3ULL;
    }
    fclose(f);
    return h;
}

/* Writes 4 KB of (seeded) random bytes into the middle of the file, as the issue's
 * damaged databases had, and checks that SQLite now finds it damaged. */
static void corrupt(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_gt(st.st_size, 16 * 4096, "%s is too small to damage in its middle", path);
    pcg32 g;
    pcg32_seed(&g, 23u, 4096u);
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)pcg32_next(&g);
    int fd = open(path, O_WRONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, junk, sizeof junk, st.st_size / 2), (ssize_t)sizeof junk);
    close(fd);
    sqlite3 *db = NULL;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *q = NULL;
    int ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
             sqlite3_step(q) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
    sqlite3_finalize(q);
    sqlite3_close(db);
    cr_assert_not(ok, "the damage went unnoticed by integrity_check: pick another seed");
}

/* Every row of every table with a `run` column, keyed by the run's (point, replicate)
 * instead of its id, is the same in a and b (compared as sets, both ways). Columns are
 * read from the schema, so the check follows the tables' layout. */
static void assert_same_results(const char *a, const char *b)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *sql = sqlite3_mprintf("ATTACH %Q AS a; ATTACH %Q AS b;", a, b);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_free(sql);
    sqlite3_stmt *t = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT m.name, group_concat('x.\"' || c.name || '\"') FROM "
                                    "a.sqlite_master m, pragma_table_info(m.name, 'a') c WHERE "
                                    "m.type = 'table' AND c.name <> 'run' AND m.name IN (SELECT "
                                    "m2.name FROM a.sqlite_master m2, pragma_table_info(m2.name,"
                                    " 'a') c2 WHERE c2.name = 'run') GROUP BY m.name",
                                    -1, &t, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(db));
    int tables = 0;
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        const char *cols = (const char *)sqlite3_column_text(t, 1);
        for (int dirn = 0; dirn < 2; dirn++) {
            const char *p = dirn ? "b" : "a", *q = dirn ? "a" : "b";
            char *diff = sqlite3_mprintf(
                "SELECT count(*) FROM (SELECT r.point, r.replicate, %s FROM %s.\"%w\" x JOIN "
                "%s.runs r ON r.id = x.run EXCEPT SELECT r.point, r.replicate, %s FROM "
                "%s.\"%w\" x JOIN %s.runs r ON r.id = x.run)",
                cols, p, name, p, cols, q, name, q);
            sqlite3_stmt *d = NULL;
            cr_assert_eq(sqlite3_prepare_v2(db, diff, -1, &d, NULL), SQLITE_OK, "%s",
                         sqlite3_errmsg(db));
            cr_assert_eq(sqlite3_step(d), SQLITE_ROW);
            cr_expect_eq(sqlite3_column_int64(d, 0), 0, "%s: rows of %s not in %s", name, p, q);
            sqlite3_finalize(d);
            sqlite3_free(diff);
        }
        tables++;
    }
    sqlite3_finalize(t);
    sqlite3_close(db);
    cr_expect_geq(tables, 2, "compared the metric and summary tables at least");
    cr_expect_eq(query(a, "SELECT count(*) FROM runs"), query(b, "SELECT count(*) FROM runs"));
    cr_expect_eq(query(a, "SELECT count(*) FROM metrics"),
                 query(b, "SELECT count(*) FROM metrics"));
}

/* ---- one writer, each run once ------------------------------------------------------ */

Test(integrity, two_sweeps_started_at_once_store_each_run_once)
{
    alarm(300); /* time limit (see tests/README.md) */
    char root[1024];
    cr_assert_not_null(getcwd(root, sizeof root));
    for (int round = 0; round < 3; round++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && rm -f cs.db*; B='%s'; S='%s/" FIX "small.yaml'; "
                 "($B sweep \"$S\" -j2 --out cs.db --resume --quiet 2> a.err; echo $? > a.rc) & "
                 "($B sweep \"$S\" -j2 --out cs.db --resume --quiet 2> b.err; echo $? > b.rc); "
                 "wait",
                 dir, bin(), root);
        cr_assert_eq(system(cmd), 0);
        const char *db = at("cs.db");
        cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 6, "round %d", round);
        cr_expect_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 6);
        cr_expect_eq(doubled(db), 0, "a (point, replicate) stored twice in round %d", round);
        int refused = 0;
        for (int k = 0; k < 2; k++) {
            int rc = atoi(slurp(at(k ? "b.rc" : "a.rc")));
            const char *e = slurp(at(k ? "b.err" : "a.err"));
            /* Either it ran (alone, or after the other finished: nothing left to do), or it
             * was refused while the other wrote. */
            cr_expect(rc == 0 || (rc == 1 && strstr(e, "another crucible process (pid ") &&
                                  strstr(e, "is writing") && strstr(e, "--out")),
                      "round %d, sweep %d: exit %d: %s", round, k, rc, e);
            refused += rc != 0;
        }
        cr_expect_leq(refused, 1, "both sweeps refused in round %d", round);
    }
}

Test(integrity, a_second_writer_is_refused_naming_the_first)
{
    alarm(120);
    const char *db = at("held.db");
    store *s = NULL;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, db, &err), CRC_OK, "%s", err.msg);
    char pid[64];
    snprintf(pid, sizeof pid, "another crucible process (pid %d) is writing", (int)getpid());
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --shard 1/3 --out '%s'",
                          at("s1.db")),
                 0, "%s", output());
    for (int i = 0; i < 3; i++) {
        int rc = i == 0   ? crucible("sweep " FIX "small.yaml -j2 --quiet --resume --out '%s'", db)
                 : i == 1 ? crucible("run " FIX "tiny.yaml --quiet --resume --out '%s'", db)
                          : crucible("merge '%s' '%s'", db, at("s1.db"));
        cr_expect_eq(rc, 1, "command %d: %s", i, output());
        cr_expect(strstr(output(), pid), "%s", output());
        cr_expect(strstr(output(), "wait for it to finish"), "%s", output());
    }
    cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 0, "a refused writer wrote runs");
    cr_expect_eq(query(db, "SELECT count(*) FROM meta WHERE key = 'command'"), 0);
    /* a shard being written is not merged either */
    store *shard = NULL;
    cr_assert_eq(store_open(&shard, at("s1.db"), &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(crucible("merge '%s' '%s'", at("m.db"), at("s1.db")), 1, "%s", output());
    cr_expect(strstr(output(), "still writing"), "%s", output());
    cr_expect_neq(access(at("m.db"), F_OK), 0, "merge created its output");
    store_close(shard);
    store_close(s);
    /* once the first writer is done, the same command runs */
    cr_expect_eq(crucible("sweep " FIX "small.yaml -j2 --quiet --resume --out '%s'", db), 0, "%s",
                 output());
    cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 6);
}

Test(integrity, a_point_and_replicate_is_stored_once_also_in_older_databases)
{
    const char *db = at("u.db");
    store *s = NULL;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, db, &err), CRC_OK, "%s", err.msg);
    run_record r = {.scenario = "u", .seed = 1, .replicate = 0, .point = 2, .status = "done"};
    cr_assert_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_EFAIL);
    cr_expect(strstr(err.msg, "run (point 2, replicate 0) is already stored"), "%s", err.msg);
    r.replicate = 1;
    cr_expect_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK, "%s", err.msg);
    store_close(s);
    cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 2);

    /* A file whose unique index is gone (dropped by hand; schema 1 files, which never had
     * it, are refused before this check) and that holds a run twice is refused untouched. */
    exec_sql(db, "DROP INDEX runs_point_replicate;"
                 "INSERT INTO runs(scenario, seed, replicate, point, status) "
                 "VALUES('u', 1, 0, 2, 'done'), ('u', 1, 0, 2, 'done');");
    cr_expect_eq(store_open(&s, db, &err), CRC_EINPUT);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "holds run (point 2, replicate 0) 3 times"), "%s", err.msg);
    cr_expect(strstr(err.msg, "Runs stored twice"), "the message says where the fix is: %s",
              err.msg);
    cr_expect_eq(query(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                           "'runs_point_replicate'"),
                 0);
    /* Once each run is kept once (the recipe of docs/results.md), it opens and is indexed. */
    exec_sql(db, "DELETE FROM runs WHERE id NOT IN (SELECT min(id) FROM runs GROUP BY point, "
                 "replicate)");
    cr_assert_eq(store_open(&s, db, &err), CRC_OK, "%s", err.msg);
    store_close(s);
    cr_expect_eq(query(db, "SELECT count(*) FROM sqlite_master WHERE name = "
                           "'runs_point_replicate'"),
                 1);
}

/* ---- run: each replicate once, one scenario per file ---------------------------------- */

Test(integrity, run_twice_into_one_out_is_refused_and_leaves_it_as_it_was)
{
    const char *db = at("r.db");
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 3 --quiet --out '%s'", db), 0, "%s",
                 output());
    uint64_t before = file_hash(db);
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 3 --quiet --out '%s'", db), 2);
    cr_expect(strstr(output(), "already holds 3 replicates"), "%s", output());
    cr_expect(strstr(output(), "--resume"), "%s", output());
    cr_expect(strstr(output(), "another --out"), "%s", output());
    cr_expect_eq(file_hash(db), before, "a refused run changed the database");
    /* more replicates than stored: still refused, since 0..2 are there */
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 5 --quiet --out '%s'", db), 2);
    cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 3);
    /* --resume with nothing missing runs nothing */
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 3 --resume --out '%s'", db), 0, "%s",
                 output());
    cr_expect(strstr(output(), "3 of 3 replicates done (3 already stored, 0 run now)"), "%s",
              output());
    cr_expect_eq(query(db, "SELECT count(*) FROM runs"), 3);
}

Test(integrity, run_resume_after_a_partial_database_equals_an_uninterrupted_run)
{
    const char *full = at("full.db"), *part = at("part.db");
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 5 --quiet --out '%s'", full), 0,
                 "%s", output());
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 5 --quiet --out '%s'", part), 0,
                 "%s", output());
    /* As a kill leaves it: replicates 3 and 4 never stored, replicate 1 stored as failed
     * (its rows gone, as for a failed run), and meta.replicates_stored unset. */
    exec_sql(part, "CREATE TEMP TABLE gone AS SELECT id FROM runs WHERE replicate IN (1, 3, 4);"
                   "DELETE FROM metric_values WHERE run IN gone; DELETE FROM summary WHERE run IN gone;"
                   "DELETE FROM flow_values WHERE run IN gone; DELETE FROM criteria WHERE run IN gone;"
                   "DELETE FROM interventions WHERE run IN gone;"
                   "DELETE FROM runs WHERE replicate IN (3, 4);"
                   "UPDATE runs SET status = 'failed', error = 'killed' WHERE replicate = 1;"
                   "DELETE FROM meta WHERE key = 'replicates_stored';");
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 5 --resume --out '%s'", part), 0,
                 "%s", output());
    cr_expect(strstr(output(), "5 of 5 replicates done (2 already stored, 3 run now)"), "%s",
              output());
    cr_expect_eq(query(part, "SELECT count(*) FROM runs WHERE status = 'done'"), 5);
    cr_expect_eq(doubled(part), 0);
    cr_expect_eq(query(part, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
                             "'replicates_stored'"),
                 5);
    assert_same_results(full, part);
    /* --replicates 7 --resume extends it with the same two runs a fresh run of 7 makes */
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 7 --resume --quiet --out '%s'", part),
                 0, "%s", output());
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 7 --quiet --out '%s'", at("f7.db")),
                 0, "%s", output());
    assert_same_results(at("f7.db"), part);
}

Test(integrity, a_database_holds_one_scenario)
{
    const char *db = at("one.db");
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 2 --quiet --out '%s'", db), 0, "%s",
                 output());
    uint64_t before = file_hash(db);
    FILE *f = fopen(at("other.yaml"), "w");
    cr_assert_not_null(f);
    fputs("name: other\nparams:\n  world.horizon: 3\n  consumers.count: 30\n", f);
    fclose(f);
    const char *says[] = {"holds runs of scenario 'tiny'", "the same name, but a parameter",
                          "base seed 11, not 12"};
    for (int i = 0; i < 3; i++) {
        int rc = i == 0 ? crucible("run '%s' --resume --quiet --out '%s'", at("other.yaml"), db)
                 : i == 1
                     ? crucible("run " FIX "tiny.yaml --set world.horizon=5 --resume --quiet "
                                "--out '%s'",
                                db)
                     : crucible("run " FIX "tiny.yaml --seed 12 --resume --quiet --out '%s'", db);
        cr_expect_eq(rc, 2, "case %d: %s", i, output());
        cr_expect(strstr(output(), says[i]), "case %d: %s", i, output());
        cr_expect(strstr(output(), "another --out"), "case %d: %s", i, output());
    }
    cr_expect_eq(file_hash(db), before, "a refused run changed the database");
}

Test(integrity, run_and_sweep_databases_refuse_each_other)
{
    alarm(120);
    const char *sw = at("sweep.db"), *rn = at("run.db");
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --out '%s'", sw), 0, "%s",
                 output());
    cr_assert_eq(crucible("run " FIX "tiny.yaml --quiet --out '%s'", rn), 0, "%s", output());
    uint64_t hs = file_hash(sw), hr = file_hash(rn);
    for (int resume = 0; resume < 2; resume++) {
        cr_expect_eq(crucible("run " FIX "tiny.yaml --quiet%s --out '%s'",
                              resume ? " --resume" : "", sw),
                     2, "%s", output());
        cr_expect(strstr(output(), "holds sweep 'small'"), "%s", output());
        cr_expect(strstr(output(), "another --out"), "%s", output());
        cr_expect_eq(crucible("sweep " FIX "small.yaml -j1 --quiet%s --out '%s'",
                              resume ? " --resume" : "", rn),
                     2, "%s", output());
        cr_expect(strstr(output(), "holds a `crucible run`"), "%s", output());
        cr_expect(strstr(output(), "another --out"), "%s", output());
    }
    cr_expect_eq(file_hash(sw), hs, "the sweep database was changed");
    cr_expect_eq(file_hash(rn), hr, "the run database was changed");
    cr_expect_eq(query(sw, "SELECT count(*) FROM runs WHERE point = -1"), 0);
}

Test(integrity, resume_refuses_a_database_whose_done_runs_lost_rows)
{
    alarm(120);
    const char *sw = at("sweep.db"), *rn = at("run.db");
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --out '%s'", sw), 0, "%s",
                 output());
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 2 --quiet --out '%s'", rn), 0, "%s",
                 output());
    exec_sql(sw, "DELETE FROM metric_values WHERE run = (SELECT max(id) FROM runs)");
    exec_sql(rn, "DELETE FROM summary WHERE run = (SELECT min(id) FROM runs)");
    cr_expect_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --resume --out '%s'", sw), 2, "%s",
                 output());
    cr_expect(strstr(output(), "1 done runs have no rows in `metric_values`"), "%s", output());
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 3 --resume --quiet --out '%s'", rn),
                 2, "%s", output());
    cr_expect(strstr(output(), "1 done runs have no rows in `summary`"), "%s", output());
    cr_expect_eq(query(rn, "SELECT count(*) FROM runs"), 2, "a replicate was added anyway");
}

/* ---- merge: whole inputs, all or nothing ------------------------------------------------ */

/* The three shards of small.yaml in dir/sK.db. */
static void shards(void)
{
    for (int k = 1; k <= 3; k++) {
        char name[16];
        snprintf(name, sizeof name, "s%d.db", k);
        cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --shard %d/3 --out '%s'", k,
                              at(name)),
                     0, "%s", output());
    }
}

Test(integrity, merge_refuses_a_shard_with_a_table_or_rows_missing)
{
    alarm(120);
    shards();
    struct {
        const char *damage, *says;
    } cases[] = {
        {"DROP TABLE metric_values", "table `metric_values` is missing"},
        {"DROP VIEW metrics", "view `metrics` is missing"},
        {"DROP TABLE summary", "table `summary` is missing"},
        {"ALTER TABLE runs DROP COLUMN scenario_hash",
         "column `scenario_hash` of table runs is missing"},
        {"DELETE FROM metric_values WHERE run = (SELECT min(id) FROM runs)",
         "1 done runs have no rows in `metric_values`"},
        {"DELETE FROM summary", "2 done runs have no rows in `summary`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", at("s2.db"), at("bad.db"));
        cr_assert_eq(system(cmd), 0);
        exec_sql(at("bad.db"), cases[i].damage);
        cr_expect_eq(crucible("merge '%s' '%s' '%s' '%s'", at("m.db"), at("s1.db"), at("bad.db"),
                              at("s3.db")),
                     2, "case %zu: %s", i, output());
        cr_expect(strstr(output(), at("bad.db")), "case %zu names the shard: %s", i, output());
        cr_expect(strstr(output(), cases[i].says), "case %zu: %s", i, output());
        cr_expect_neq(access(at("m.db"), F_OK), 0, "case %zu: an output was left", i);
        cr_expect_neq(access(at("m.db.partial"), F_OK), 0, "case %zu: a partial was left", i);
    }
    cr_expect_eq(crucible("merge '%s' '%s' '%s' '%s'", at("m.db"), at("s1.db"), at("s2.db"),
                          at("s3.db")),
                 0, "%s", output());
    cr_expect_eq(query(at("m.db"), "SELECT count(*) FROM runs"), 6);
}

Test(integrity, merge_on_a_full_disk_leaves_out_as_it_was_and_the_same_command_finishes)
{
    alarm(120);
    shards();
    cr_assert_eq(crucible("merge '%s' '%s'", at("m.db"), at("s1.db")), 0, "%s", output());
    cr_assert_eq(crucible("merge '%s' '%s' '%s' '%s'", at("whole.db"), at("s1.db"), at("s2.db"),
                          at("s3.db")),
                 0, "%s", output());
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", at("m.db"), at("before.db"));
    cr_assert_eq(system(cmd), 0);
    struct stat st;
    cr_assert_eq(stat(at("m.db"), &st), 0);
    /* RLIMIT_FSIZE makes writes past the limit fail as on a full disk: room for a copy of
     * m.db, not for the two shards added to it. crucible ignores SIGXFSZ itself (the
     * signal would kill it mid-write), so the write fails with EFBIG. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && (ulimit -f %lld; '%s' merge m.db s2.db s3.db; "
             "echo \"exit=$?\") > out.txt 2>&1",
             dir, (long long)st.st_size / 1024 + 8, bin());
    cr_assert_eq(system(cmd), 0);
    cr_expect(strstr(output(), "exit=1"), "%s", output());
    cr_expect(strstr(output(), "is full: free space and run the same command again"), "%s",
              output());
    /* OUT holds what it held (its bytes may differ: opening it for writing puts it in WAL
     * mode) */
    assert_same_results(at("before.db"), at("m.db"));
    cr_expect_eq(query(at("m.db"), "SELECT count(*) FROM runs"), 2);
    cr_expect_eq(query(at("m.db"), "SELECT value = '1/3' FROM meta WHERE key = "
                                   "'shards_merged'"),
                 1);
    cr_expect_neq(access(at("m.db.partial"), F_OK), 0, "a partial output was left");
    /* What a kill leaves (a partial file, here junk) does not stop the same command. */
    FILE *f = fopen(at("m.db.partial"), "w");
    cr_assert_not_null(f);
    fputs("half a database\n", f);
    fclose(f);
    cr_expect_eq(crucible("merge '%s' '%s' '%s'", at("m.db"), at("s2.db"), at("s3.db")), 0, "%s",
                 output());
    cr_expect_neq(access(at("m.db.partial"), F_OK), 0);
    cr_expect_eq(doubled(at("m.db")), 0);
    assert_same_results(at("whole.db"), at("m.db"));
    /* the merged file is a whole sweep: resume finds nothing to do */
    cr_expect_eq(crucible("sweep " FIX "small.yaml -j1 --resume --out '%s'", at("m.db")), 0, "%s",
                 output());
    cr_expect(strstr(output(), "(6 already done), 0 done"), "%s", output());
}

/* ---- damaged files and paths that are not files ----------------------------------------- */

Test(integrity, a_corrupt_database_is_refused_by_run_sweep_and_merge)
{
    alarm(120);
    const char *rn = at("run.db"), *sw = at("sweep.db");
    cr_assert_eq(crucible("run " FIX "tiny.yaml --replicates 12 --quiet --out '%s'", rn), 0,
                 "%s", output());
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --replicates 4 --out '%s'", sw),
                 0, "%s", output());
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --replicates 4 --shard 1/2 "
                          "--out '%s'",
                          at("s1.db")),
                 0, "%s", output());
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --replicates 4 --shard 2/2 "
                          "--out '%s'",
                          at("s2.db")),
                 0, "%s", output());
    corrupt(rn);
    corrupt(sw);
    corrupt(at("s2.db"));
    uint64_t hr = file_hash(rn), hs = file_hash(sw);
    cr_expect_eq(crucible("run " FIX "tiny.yaml --replicates 14 --resume --quiet --out '%s'", rn),
                 2, "%s", output());
    cr_expect(strstr(output(), "damaged"), "%s", output());
    cr_expect_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --replicates 4 --resume --out "
                          "'%s'",
                          sw),
                 2, "%s", output());
    cr_expect(strstr(output(), "damaged"), "%s", output());
    cr_expect_eq(crucible("merge '%s' '%s' '%s'", at("m.db"), at("s1.db"), at("s2.db")), 2, "%s",
                 output());
    cr_expect(strstr(output(), at("s2.db")) && strstr(output(), "damaged"), "%s", output());
    cr_expect_neq(access(at("m.db"), F_OK), 0, "merge created its output");
    cr_expect_eq(file_hash(rn), hr, "run wrote into the damaged database");
    cr_expect_eq(file_hash(sw), hs, "sweep wrote into the damaged database");
}

Test(integrity, paths_that_are_not_regular_files_are_never_written)
{
    alarm(120);
    cr_assert_eq(mkfifo(at("fifo.db"), 0600), 0);
    cr_assert_eq(symlink(at("target.db"), at("link.db")), 0);
    cr_assert_eq(mkdir(at("folder.db"), 0700), 0);
    struct {
        const char *path, *says;
    } cases[] = {
        {"/dev/null", "is a character device, not a regular file"},
        {at("fifo.db"), "is a FIFO, not a regular file"},
        {at("link.db"), "is a symbolic link, not a regular file"},
        {at("folder.db"), "is a directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_eq(crucible("run " FIX "tiny.yaml --quiet --out '%s'", cases[i].path), 2,
                     "run --out %s: %s", cases[i].path, output());
        cr_expect(strstr(output(), cases[i].says), "%s", output());
        cr_expect_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --out '%s'", cases[i].path),
                     2, "sweep --out %s: %s", cases[i].path, output());
        cr_expect(strstr(output(), cases[i].says), "%s", output());
    }
    cr_expect_neq(access("/dev/null-journal", F_OK), 0, "/dev/null-journal was created");
    cr_expect_neq(access("/dev/null-wal", F_OK), 0, "/dev/null-wal was created");
    cr_expect_neq(access(at("target.db"), F_OK), 0, "written through the symbolic link");
    struct stat st;
    cr_expect(lstat(at("fifo.db"), &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    /* merge's output and inputs too */
    cr_assert_eq(crucible("sweep " FIX "small.yaml -j1 --quiet --shard 1/3 --out '%s'",
                          at("s1.db")),
                 0, "%s", output());
    cr_expect_eq(crucible("merge '%s' '%s'", at("link.db"), at("s1.db")), 2, "%s", output());
    cr_expect(strstr(output(), "symbolic link"), "%s", output());
    cr_expect_eq(crucible("merge '%s' /dev/null", at("m.db")), 2, "%s", output());
    cr_expect(strstr(output(), "character device"), "%s", output());
    cr_expect_neq(access(at("target.db"), F_OK), 0, "written through the symbolic link");
}
