/* test_store.c — the results database: a run stored and read back in every table, failed
 * runs, refusing foreign files, unwritable paths and a full disk, integrity after the
 * writer is killed, and docs/results.md matching the schema the code creates. */
#include <criterion/criterion.h>

#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "engine/pcg.h"
#include "model/core/memsink.h"
#include "store/store.h"

static char dir[64];

static void mkdir_tmp(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-store-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *tmp_path(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* A run like the model's: n_epochs epochs of n_metrics metrics, a summary, flows and
 * one intervention, written through the sink interface. */
static void fill(memsink *m, int n_epochs, int n_metrics)
{
    crc_sink k = memsink_sink(m);
    char name[32];
    for (int e = 1; e <= n_epochs; e++) {
        for (int j = 0; j < n_metrics; j++) {
            snprintf(name, sizeof name, "metric_%02d", j);
            cr_assert_eq(sink_metric(&k, e, name, e * 1000.0 + j + 0.25), 0);
        }
        cr_assert_eq(sink_flow(&k, e, "treasury", "honest", "reward", 10.0 * e), 0);
        cr_assert_eq(sink_flow(&k, e, "farmer", "amm", "sell", 2.5), 0);
    }
    cr_assert_eq(sink_summary(&k, "final_price", 1.5), 0);
    cr_assert_eq(sink_summary(&k, "drawdown", 0.25), 0);
    cr_assert_eq(sink_intervention(&k, 2.0, "fees.burn", "0.1"), 0);
}

static const store_criterion crits[] = {
    {"price_holds", "metric_00", "end", ">", 0.0, 5000.25, 1, NULL},
    {"typo", "metrc_00", "end", "<", 1.0, NAN, 0, "unknown metric 'metrc_00'"},
};

static run_record record(const char *status, const char *error)
{
    run_record r = {.scenario = "unit", .scenario_yaml = "seed: 7\n",
                    .scenario_hash = "0123456789abcdef", .seed = 7, .replicate = 2,
                    .point = -1, .started_at = "2026-01-01T00:00:00Z",
                    .ended_at = "2026-01-01T00:00:01Z", .wall_seconds = 1.0,
                    .status = status, .error = error, .criteria = crits,
                    .n_criteria = 2};
    return r;
}

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static double real(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    double v = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(q);
}

TestSuite(store, .init = mkdir_tmp, .fini = rm_tmp);

Test(store, run_is_read_back_from_every_table)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m, 5, 3);
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("a.db"), &err), CRC_OK, "%s", err.msg);
    run_record r = record("done", NULL);
    int64_t id = 0;
    cr_assert_eq(store_write_run(s, &r, &m, &id, &err), CRC_OK, "%s", err.msg);
    cr_expect_eq(id, 1);
    sqlite3 *db = store_db(s);
    char buf[256];

    text(db, "SELECT value FROM meta WHERE key='schema_version'", buf, sizeof buf);
    cr_expect_str_eq(buf, "2");
    text(db, "PRAGMA journal_mode", buf, sizeof buf);
    cr_expect_str_eq(buf, "wal");
    text(db, "SELECT scenario||'|'||scenario_yaml||'|'||scenario_hash||'|'||seed||'|'||"
             "replicate||'|'||point||'|'||status||'|'||started_at||'|'||ended_at "
             "FROM runs WHERE id=1", buf, sizeof buf);
    cr_expect_str_eq(buf, "unit|seed: 7\n|0123456789abcdef|7|2|-1|done|"
                          "2026-01-01T00:00:00Z|2026-01-01T00:00:01Z");
    cr_expect(count(db, "SELECT error IS NULL AND version IS NOT NULL AND git_commit IS "
                        "NOT NULL FROM runs"));

    cr_expect_eq(count(db, "SELECT count(*) FROM metrics WHERE run=1"), 15);
    cr_expect_eq(count(db, "SELECT count(DISTINCT name) FROM metrics"), 3);
    cr_expect_eq(real(db, "SELECT value FROM metrics WHERE name='metric_02' AND t=4"),
                 4002.25);
    cr_expect_eq(real(db, "SELECT sum(value) FROM metrics WHERE name='metric_01'"),
                 (1 + 2 + 3 + 4 + 5) * 1000.0 + 5 * 1.25);

    cr_expect_eq(count(db, "SELECT count(*) FROM summary"), 2);
    cr_expect_eq(real(db, "SELECT value FROM summary WHERE name='drawdown'"), 0.25);

    cr_expect_eq(count(db, "SELECT count(*) FROM flows"), 10);
    cr_expect_eq(real(db, "SELECT sum(amount_tkn) FROM flows WHERE src='treasury' AND "
                          "dst='honest' AND reason='reward'"), 150.0);
    cr_expect_eq(real(db, "SELECT sum(amount_tkn) FROM flows WHERE reason='sell'"), 12.5);

    text(db, "SELECT t||'|'||path||'|'||value FROM interventions WHERE run=1", buf,
         sizeof buf);
    cr_expect_str_eq(buf, "2.0|fees.burn|0.1");

    text(db, "SELECT metric||'|'||stat||'|'||op||'|'||threshold||'|'||value||'|'||passed||"
             "'|'||coalesce(error,'-') FROM criteria WHERE name='price_holds'", buf,
         sizeof buf);
    cr_expect_str_eq(buf, "metric_00|end|>|0.0|5000.25|1|-");
    cr_expect(count(db, "SELECT value IS NULL AND passed=0 AND error LIKE '%metrc_00%' "
                        "FROM criteria WHERE name='typo'"));
    store_close(s);
    memsink_free(&m);
}

Test(store, failed_run_keeps_status_and_error_but_no_series)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m, 3, 2);
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("f.db"), &err), CRC_OK, "%s", err.msg);
    run_record r = record("failed", "ledger invariant broken at t=3");
    cr_assert_eq(store_write_run(s, &r, &m, NULL, &err), CRC_OK, "%s", err.msg);
    sqlite3 *db = store_db(s);
    char buf[256];
    text(db, "SELECT status||': '||error FROM runs", buf, sizeof buf);
    cr_expect_str_eq(buf, "failed: ledger invariant broken at t=3");
    cr_expect_eq(count(db, "SELECT count(*) FROM metrics"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM summary"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM flows"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM criteria"), 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM interventions"), 1);
    store_close(s);
    memsink_free(&m);
}

Test(store, rejects_an_unknown_status_and_writes_nothing)
{
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("st.db"), &err), CRC_OK, "%s", err.msg);
    run_record r = record("running", NULL);
    cr_expect_neq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK);
    cr_expect(strstr(err.msg, "'done' or 'failed'"), "%s", err.msg);
    cr_expect_eq(count(store_db(s), "SELECT count(*) FROM runs"), 0);
    store_close(s);
}

Test(store, reopening_appends_runs)
{
    crc_err err = {0};
    for (int i = 1; i <= 3; i++) {
        store *s;
        cr_assert_eq(store_open(&s, tmp_path("r.db"), &err), CRC_OK, "%s", err.msg);
        run_record r = record("done", NULL);
        r.replicate = i; /* a run is stored once: each reopening adds another replicate */
        int64_t id;
        cr_assert_eq(store_write_run(s, &r, NULL, &id, &err), CRC_OK, "%s", err.msg);
        cr_expect_eq(id, i);
        store_close(s);
    }
}

Test(store, meta_and_points_round_trip)
{
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("m.db"), &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(store_meta_set(s, "sweep_name", "burn", &err), CRC_OK);
    cr_assert_eq(store_write_point(s, 3, "fees.burn", 0.2, "0.2", &err), CRC_OK);
    char buf[64];
    cr_expect(store_meta_get(s, "sweep_name", buf, sizeof buf));
    cr_expect_str_eq(buf, "burn");
    cr_expect_not(store_meta_get(s, "absent", buf, sizeof buf));
    cr_expect_eq(real(store_db(s), "SELECT value FROM points WHERE point=3"), 0.2);
    store_close(s);
}

Test(store, refuses_files_that_are_not_crucible_databases)
{
    crc_err err = {0};
    store *s = NULL;
    const char *p = tmp_path("notes.txt");
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs("these are my notes, not a database\n", f);
    fclose(f);
    cr_expect_eq(store_open(&s, p, &err), CRC_EINPUT);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "not a Crucible results database"), "%s", err.msg);
    cr_expect_str_eq(err.file, p);
    /* the file is left untouched */
    struct stat st;
    cr_expect_eq(stat(p, &st), 0);
    cr_expect_eq(st.st_size, 35);

    sqlite3 *db;
    p = tmp_path("other.db");
    cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE invoices(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_expect_eq(store_open(&s, p, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "not a Crucible results database"), "%s", err.msg);
    cr_expect_eq(store_open_readonly(&s, p, &err), CRC_EINPUT);

    cr_expect_eq(store_open_readonly(&s, tmp_path("absent.db"), &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "no such results database"), "%s", err.msg);
}

Test(store, refuses_a_newer_schema)
{
    crc_err err = {0};
    store *s;
    const char *p = tmp_path("new.db");
    cr_assert_eq(store_open(&s, p, &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(store_meta_set(s, "schema_version", "99", &err), CRC_OK);
    store_close(s);
    cr_expect_eq(store_open(&s, p, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "schema version 99"), "%s", err.msg);
}

Test(store, unwritable_path_names_the_file_and_the_fix, .init = mkdir_tmp, .fini = rm_tmp)
{
    crc_err err = {0};
    store *s = NULL;
    /* Missing folders are created, so make one impossible: a file stands in the way. */
    FILE *f = fopen(tmp_path("no"), "w");
    cr_assert_not_null(f);
    fclose(f);
    char p[256];
    snprintf(p, sizeof p, "%s", tmp_path("no/such/dir/x.db"));
    cr_expect_eq(store_open(&s, p, &err), CRC_EFAIL);
    cr_expect_null(s);
    cr_expect_str_eq(err.file, p);
    cr_expect(strstr(err.msg, "--out"), "%s", err.msg);
    cr_expect_eq(store_open(&s, dir, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "directory"), "%s", err.msg);
}

Test(store, full_disk_stores_nothing_of_the_run)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m, 365, 60);
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("full.db"), &err), CRC_OK, "%s", err.msg);
    run_record r = record("done", NULL);
    cr_assert_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK, "%s", err.msg);
    long long pages = count(store_db(s), "PRAGMA page_count");
    /* Cap the file a few pages above its size: the big run cannot fit. */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", pages + 8);
    cr_assert_eq(store_exec(s, sql, &err), CRC_OK);
    r.replicate = 3;
    cr_expect_eq(store_write_run(s, &r, &m, NULL, &err), CRC_EFAIL);
    cr_expect(strstr(err.msg, "is full: free space and run the same command again"), "%s",
              err.msg);
    cr_expect(strstr(err.msg, "the rest was not stored"), "%s", err.msg);
    cr_expect_str_eq(err.file, tmp_path("full.db"));
    cr_expect_eq(count(store_db(s), "SELECT count(*) FROM runs"), 1);
    cr_expect_eq(count(store_db(s), "SELECT count(*) FROM metrics"), 0);
    /* the store is still usable afterwards */
    cr_expect_eq(store_write_run(s, &r, NULL, NULL, &err), CRC_OK, "%s", err.msg);
    store_close(s);
    memsink_free(&m);
}

/* Child: writes full-size runs until killed, telling the parent (one byte on fd) when
 * its first run is committed. Never returns. */
static void writer_loop(const char *path, int fd, int round)
{
    memsink m;
    memsink_init(&m, NULL);
    fill(&m, 365, 60);
    store *s;
    crc_err err = {0};
    if (store_open(&s, path, &err))
        _exit(10);
    run_record r = record("done", NULL);
    for (int n = 0;; n++) {
        r.replicate = round * 1000000L + n; /* a run is stored once */
        if (store_write_run(s, &r, &m, NULL, &err))
            _exit(11);
        if (n == 0 && write(fd, "1", 1) != 1)
            _exit(12);
    }
}

Test(store, killed_writer_leaves_an_intact_database)
{
    alarm(120); /* time limit (see tests/README.md) */
    const char *p = tmp_path("kill.db");
    char path[128];
    snprintf(path, sizeof path, "%s", p);
    pcg32 g; /* fixed seed: the kill moments are "random" but reproducible */
    pcg32_seed(&g, 20261122u, 3u);
    int kills = 0;
    for (int round = 0; round < 5; round++) {
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        pid_t pid = fork();
        cr_assert_neq(pid, -1);
        if (pid == 0) {
            close(fds[0]);
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a test that aborted */
#endif
            writer_loop(path, fds[1], round);
        }
        close(fds[1]);
        char c;
        /* wait for its first commit (a dead child gives EOF), then kill it mid-stream */
        ssize_t got = read(fds[0], &c, 1);
        close(fds[0]);
        if (got != 1) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            cr_assert_fail("the writer died before its first commit (round %d)", round);
        }
        unsigned ms = pcg32_next(&g) % 200;
        struct timespec ts = {0, (long)ms * 1000000L};
        nanosleep(&ts, NULL);
        int status = 0;
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "writer exited by itself (status %d) in round %d", status, round);
        kills++;
    }
    cr_expect_eq(kills, 5);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char buf[64];
    text(db, "PRAGMA integrity_check", buf, sizeof buf);
    cr_expect_str_eq(buf, "ok");
    long long done = count(db, "SELECT count(*) FROM runs WHERE status='done'");
    cr_expect_geq(done, 5, "each writer committed at least once before it was killed");
    /* every committed run is complete: all its rows or none of them */
    cr_expect_eq(count(db, "SELECT count(*) FROM runs WHERE status='done' AND "
                           "((SELECT count(*) FROM metrics WHERE run=runs.id) <> 365*60 OR "
                           " (SELECT count(*) FROM summary WHERE run=runs.id) <> 2 OR "
                           " (SELECT count(*) FROM flows WHERE run=runs.id) <> 730 OR "
                           " (SELECT count(*) FROM criteria WHERE run=runs.id) <> 2 OR "
                           " (SELECT count(*) FROM interventions WHERE run=runs.id) <> 1)"),
                 0);
    cr_expect_eq(count(db, "SELECT count(*) FROM metrics WHERE run NOT IN "
                           "(SELECT id FROM runs)"), 0);
    sqlite3_close(db);
    /* and the store opens it again and appends */
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, path, &err), CRC_OK, "%s", err.msg);
    store_close(s);
}

/* Every table and column the code creates appears in docs/results.md. */
Test(store, results_doc_lists_every_table_and_column)
{
    FILE *f = fopen("docs/results.md", "r");
    cr_assert_not_null(f, "run the tests from the repository root");
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);
    store *s;
    crc_err err = {0};
    cr_assert_eq(store_open(&s, tmp_path("doc.db"), &err), CRC_OK, "%s", err.msg);
    sqlite3 *db = store_db(s);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name, upper(type) FROM sqlite_schema WHERE "
                                        "type IN ('table', 'view')",
                                    -1, &q, NULL), SQLITE_OK);
    int tables = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        char head[96];
        snprintf(head, sizeof head, "CREATE %s %s(", (const char *)sqlite3_column_text(q, 1), t);
        const char *at = strstr(doc, head);
        cr_expect_not_null(at, "docs/results.md does not document table %s", t);
        if (!at)
            continue;
        tables++;
        const char *end = strstr(at, ";");
        cr_assert_not_null(end);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", t);
        sqlite3_stmt *c;
        cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &c, NULL), SQLITE_OK);
        while (sqlite3_step(c) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(c, 0);
            size_t len = strlen(col);
            int found = 0;
            for (const char *x = at + strlen(head); x < end && !found; x++)
                found = !strncmp(x, col, len) && x[len] && strchr(" ,)", x[len]) &&
                        (x[-1] == '(' || x[-1] == ' ' || x[-1] == ',');
            cr_expect(found, "docs/results.md: table %s lacks column %s", t, col);
        }
        sqlite3_finalize(c);
    }
    sqlite3_finalize(q);
    cr_expect_eq(tables, 12); /* 10 tables and the views metrics and flows */
    store_close(s);
}

/* A database another tool wrote from docs/results.md (no application_id) is accepted. */
Test(store, accepts_a_database_written_from_the_documented_schema)
{
    const char *p = tmp_path("doc-schema.db");
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db,
                              "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                              "INSERT INTO meta VALUES('schema_version','1');"
                              "CREATE TABLE runs(id INTEGER PRIMARY KEY, scenario TEXT NOT NULL,"
                              " seed INTEGER NOT NULL, replicate INTEGER NOT NULL,"
                              " status TEXT NOT NULL);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);
    store *s = NULL;
    crc_err err = {0};
    cr_expect_eq(store_open_readonly(&s, p, &err), CRC_OK, "%s", err.msg);
    store_close(s);
}

/* ---- memsink: what store_write_run reads ------------------------------------------ */

static int n_forwarded;
static int count_metric(void *ctx, double t, const char *name, double v)
{
    (void)ctx, (void)t, (void)name, (void)v;
    n_forwarded++;
    return 0;
}

Test(memsink, keeps_series_whatever_the_order_and_interns_flow_labels)
{
    crc_sink tee = {NULL, count_metric, NULL, NULL, NULL};
    memsink m;
    memsink_init(&m, &tee);
    crc_sink k = memsink_sink(&m);
    n_forwarded = 0;
    /* epoch 1: a, b; epoch 2: b, a, c (order changes, a series appears late) */
    sink_metric(&k, 1, "a", 1);
    sink_metric(&k, 1, "b", 2);
    sink_metric(&k, 2, "b", 20);
    sink_metric(&k, 2, "a", 10);
    sink_metric(&k, 2, "c", 300);
    sink_metric(&k, 3, "a", 100);
    cr_expect_eq(n_forwarded, 6, "the tee saw every sample");
    cr_expect_eq(m.n_series, 3);
    cr_expect_eq(memsink_samples(&m), 6);
    const memsink_series *a = memsink_get(&m, "a");
    cr_assert_not_null(a);
    cr_expect_eq(a->n, 3);
    cr_expect_eq(a->t[2], 3);
    cr_expect_eq(a->v[1], 10);
    cr_expect_eq(memsink_last(&m, "b"), 20);
    cr_expect_eq(memsink_get(&m, "c")->n, 1);
    cr_expect(isnan(memsink_last(&m, "zz")));

    sink_flow(&k, 1, "treasury", "honest", "reward", 5);
    sink_flow(&k, 1, "honest", "amm", "swap", 2);
    sink_flow(&k, 2, "treasury", "honest", "reward", 7);
    cr_expect_eq(m.n_flows, 3);
    cr_expect_eq(m.n_labels, 5, "treasury, honest, reward, amm, swap: each stored once");
    cr_expect_str_eq(memsink_label(&m, m.flows[2].src), "treasury");
    cr_expect_str_eq(memsink_label(&m, m.flows[1].reason), "swap");
    cr_expect_eq(m.flows[2].amount_tkn, 7);

    sink_intervention(&k, 4.5, "fees.burn", "0.1");
    cr_expect_eq(m.n_interventions, 1);
    cr_expect_str_eq(m.interventions[0].value, "0.1");
    sink_summary(&k, "x", 1);
    sink_summary(&k, "x", 2);
    cr_expect_eq(memsink_summary(&m, "x"), 2, "the last value written wins");

    memsink_free(&m);
    cr_expect_eq(m.n_series + m.n_flows + m.n_interventions + m.n_sum, 0);
    cr_expect_eq(m.next, &tee, "memsink_free keeps the tee so the sink can be reused");
    sink_metric(&k, 1, "a", 1);
    cr_expect_eq(memsink_samples(&m), 1);
    memsink_free(&m);
}

Test(store, creating_a_database_makes_its_missing_folders, .init = mkdir_tmp, .fini = rm_tmp)
{
    store *s = NULL;
    crc_err e;
    crc_err_clear(&e);
    const char *path = tmp_path("study/one/base.db");
    cr_assert_eq(store_open(&s, path, &e), CRC_OK, "%s", e.msg);
    store_close(s);
    struct stat st;
    cr_expect_eq(stat(path, &st), 0, "the database file exists");
    /* A folder that cannot be made (a file stands in its way) is a clear error. */
    FILE *f = fopen(tmp_path("plain"), "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_expect_eq(store_open(&s, tmp_path("plain/sub/x.db"), &e), CRC_EFAIL);
    cr_expect_null(s);
    cr_expect(strstr(e.msg, "cannot create the folder") != NULL, "%s", e.msg);
}
