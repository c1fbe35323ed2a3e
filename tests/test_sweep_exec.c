/* test_sweep_exec.c — `crucible sweep` and `crucible merge` end to end (bin/crucible,
 * found through CRUCIBLE_BIN): the results of a sweep do not depend on the number of
 * workers, on shards merged afterwards, on a kill -9 and --resume, or on the GNU
 * parallel recipe of docs/sweeps.md; merge refuses shards of different sweeps and
 * duplicates; resume refuses another sweep's database.
 *
 * Results are compared through a digest of every stored value (bit for bit, via %a),
 * keyed by (point, replicate) rather than by run id, since ids follow completion order. */
#include <criterion/criterion.h>
#include <fcntl.h>

#include "engine/rng.h"
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"

#define FIX "tests/fixtures/sweeps/"

/* Marks every run of the database at path as written by crucible `version`. */
static void set_runs_version(const char *path, const char *version)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *sql = sqlite3_mprintf("UPDATE runs SET version = %Q", version);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_free(sql);
    sqlite3_close(db);
}

/* The stdout of a shell command (stderr too where cmd says 2>&1), for messages. */
static void capture(char *out, size_t len, const char *cmd)
{
    out[0] = 0;
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    size_t n = fread(out, 1, len - 1, p);
    out[n] = 0;
    pclose(p);
}

typedef struct digest {
    uint64_t h;
    long rows, runs, done;
} digest;

static void digest_query(sqlite3 *db, const char *sql, digest *d)
{
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        int n = sqlite3_column_count(q);
        for (int i = 0; i < n; i++) {
            char buf[64];
            switch (sqlite3_column_type(q, i)) {
            case SQLITE_NULL: d->h = th_fnv(d->h, "N", 1); break;
            case SQLITE_FLOAT:
                snprintf(buf, sizeof buf, "%a", sqlite3_column_double(q, i));
                d->h = th_fnv(d->h, buf, strlen(buf));
                break;
            default: {
                const unsigned char *t = sqlite3_column_text(q, i);
                d->h = th_fnv(d->h, t, strlen((const char *)t));
            }
            }
            d->h = th_fnv(d->h, "|", 1);
        }
        d->rows++;
    }
    sqlite3_finalize(q);
}

/* Everything a sweep stored that does not depend on timing: runs, metrics, summary,
 * criteria, flows, interventions and points, keyed by (point, replicate). */
static digest db_digest(const char *path)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", path);
    sqlite3_busy_timeout(db, 10000);
    digest d = {0xcbf29ce484222325ULL, 0, 0, 0};
    digest_query(db,
                 "SELECT point, replicate, seed, status, scenario_hash FROM runs ORDER BY "
                 "point, replicate",
                 &d);
    digest_query(db,
                 "SELECT r.point, r.replicate, m.name, m.t, m.value FROM metrics m JOIN runs r "
                 "ON r.id = m.run ORDER BY 1, 2, 3, 4",
                 &d);
    digest_query(db,
                 "SELECT r.point, r.replicate, s.name, s.value FROM summary s JOIN runs r ON "
                 "r.id = s.run ORDER BY 1, 2, 3",
                 &d);
    digest_query(db,
                 "SELECT r.point, r.replicate, c.name, c.value, c.passed FROM criteria c JOIN "
                 "runs r ON r.id = c.run ORDER BY 1, 2, 3",
                 &d);
    digest_query(db,
                 "SELECT r.point, r.replicate, f.t, f.src, f.dst, f.reason, f.amount_tkn FROM "
                 "flows f JOIN runs r ON r.id = f.run ORDER BY 1, 2, 3, 4, 5, 6, 7",
                 &d);
    digest_query(db, "SELECT point, path, value, text FROM points ORDER BY 1, 2", &d);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db, "SELECT count(*), sum(status = 'done') FROM runs", -1, &q, NULL);
    if (sqlite3_step(q) == SQLITE_ROW) {
        d.runs = sqlite3_column_int64(q, 0);
        d.done = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return d;
}

static void assert_same(const char *what, digest a, digest b)
{
    cr_assert_eq(a.runs, b.runs, "%s: %ld runs vs %ld", what, a.runs, b.runs);
    cr_assert_eq(a.rows, b.rows, "%s: %ld rows vs %ld", what, a.rows, b.rows);
    cr_assert_eq(a.h, b.h, "%s: the stored results differ", what);
}

/* The reference: small.yaml run whole with one worker. */
static digest reference(const char *dir)
{
    char cmd[1024], out[4096];
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j1 --quiet --out %s/ref.db", th_bin(), dir), 0);
    snprintf(cmd, sizeof cmd, "%s/ref.db", dir);
    digest d = db_digest(cmd);
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml --dry-run | wc -l", th_bin());
    capture(out, sizeof out, cmd);
    cr_assert_eq(d.runs, 6, "small.yaml has 3 points x 2 replicates");
    cr_assert_eq(d.done, 6);
    cr_assert_eq(atol(out), 7, "dry run: a header and one line per run");
    cr_assert_gt(d.rows, 6 * 10, "the runs stored metrics");
    return d;
}

Test(sweep_exec, one_and_four_workers_store_identical_results)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    digest ref = reference(dir);
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j4 --quiet --out %s/j4.db", th_bin(), dir), 0);
    snprintf(path, sizeof path, "%s/j4.db", dir);
    assert_same("-j4 vs -j1", db_digest(path), ref);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, three_shards_merged_equal_the_whole_sweep)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    digest ref = reference(dir);
    for (int k = 1; k <= 3; k++)
        cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j2 --quiet --shard %d/3 --out %s/s%d.db",
                        th_bin(), k, dir, k),
                     0);
    snprintf(path, sizeof path, "%s/s1.db", dir);
    cr_assert_eq(db_digest(path).runs, 2, "shard 1/3 holds runs 0 and 3");
    cr_assert_eq(th_sh("%s merge --quiet %s/all.db %s/s1.db %s/s2.db %s/s3.db", th_bin(), dir, dir,
                    dir, dir),
                 0);
    snprintf(path, sizeof path, "%s/all.db", dir);
    assert_same("3 shards merged vs whole", db_digest(path), ref);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, gnu_parallel_recipe_on_localhost_equals_the_whole_sweep)
{
    alarm(600); /* time limit (see tests/README.md) */
    if (th_sh("command -v parallel >/dev/null 2>&1") != 0)
        cr_skip_test("GNU parallel is not installed (apt-get install parallel)");
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    digest ref = reference(dir);
    /* The recipe of docs/sweeps.md, with the host list reduced to ':' (this machine). */
    cr_assert_eq(th_sh("cd %s && parallel --will-cite --sshlogin : --halt now,fail=1 "
                    "'%s sweep %s/" FIX "small.yaml -j1 --quiet --shard {}/3 --out "
                    "%s/shard-{}.db' ::: 1 2 3",
                    dir, th_bin(), getenv("PWD") ? getenv("PWD") : ".", dir),
                 0);
    cr_assert_eq(th_sh("%s merge --quiet %s/all.db %s/shard-*.db", th_bin(), dir, dir), 0);
    snprintf(path, sizeof path, "%s/all.db", dir);
    assert_same("GNU parallel shards merged vs whole", db_digest(path), ref);
    th_sh("rm -rf %s", dir);
}

/* Starts `crucible sweep small.yaml -jJOBS --quiet --out path` (with `--set set` when set
 * is not NULL) under a middle process that adopts the sweep's orphaned workers (a
 * subreaper), so that killing the sweep or a worker never hands stray children to the
 * test runner. Stores the sweep's pid in *sweep and returns the middle process, which
 * exits with the sweep's status: its exit code, or 128 + the signal that killed it. */
static pid_t reaped_sweep(const char *path, const char *set, const char *jobs, pid_t *sweep)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t mid = fork();
    cr_assert_geq(mid, 0);
    if (mid == 0) {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        pid_t s = fork();
        if (s == 0) {
            close(fds[0]);
            close(fds[1]);
            /* The sweep's messages (a killed worker's "runs failed") go to PATH.err, for
             * the test to read, not into the suite's output. */
            char errpath[512];
            snprintf(errpath, sizeof errpath, "%s.err", path);
            int efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (efd < 0 || dup2(efd, STDERR_FILENO) < 0)
                _exit(126);
            close(efd);
            if (set)
                execl(th_bin(), th_bin(), "sweep", FIX "small.yaml", "--set", set, "-j", jobs,
                      "--quiet", "--out", path, (char *)NULL);
            else
                execl(th_bin(), th_bin(), "sweep", FIX "small.yaml", "-j", jobs, "--quiet", "--out",
                      path, (char *)NULL);
            _exit(127);
        }
        if (write(fds[1], &s, sizeof s) != (ssize_t)sizeof s)
            _exit(3);
        int st = 0;
        waitpid(s, &st, 0);
        while (wait(NULL) > 0 || errno == EINTR)
            ;
        _exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WIFEXITED(st) ? WEXITSTATUS(st) : 99);
    }
    close(fds[1]);
    cr_assert_eq(read(fds[0], sweep, sizeof *sweep), (ssize_t)sizeof *sweep);
    close(fds[0]);
    /* Wait until the sweep has committed a first run: the database then holds some runs
     * and a worker is in the middle of the next. */
    th_wait_done_runs(path, 1, 300000);
    return mid;
}

/* The uninterrupted sweep the kill tests compare with, in dir/ref.db: runs of ~0.1 s
 * (a 60-day horizon), so that a kill lands mid-sweep and mid-run even on a loaded
 * machine (with the fixture's few-millisecond runs the whole sweep could finish
 * between its first commit and the kill). */
static digest slow_reference(const char *dir)
{
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml --set world.horizon=60 -j1 --quiet --out "
                    "%s/ref.db",
                    th_bin(), dir),
                 0);
    char refp[128];
    snprintf(refp, sizeof refp, "%s/ref.db", dir);
    digest ref = db_digest(refp);
    cr_assert_eq(ref.done, 6, "the reference sweep ran 3 points x 2 replicates");
    return ref;
}

/* The children of pid (Linux /proc), at most cap of them into out; how many. */
static size_t children(pid_t pid, pid_t *out, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int c;
    while (n < cap && fscanf(f, "%d", &c) == 1)
        out[n++] = (pid_t)c;
    fclose(f);
    return n;
}

/* The first child of pid, or -1. */
static pid_t first_child(pid_t pid)
{
    pid_t c;
    return children(pid, &c, 1) == 1 ? c : -1;
}

/* How many descriptors process pid has open on the file at path (Linux /proc). */
static int fds_on(pid_t pid, const char *path)
{
    char want[PATH_MAX], dir[64], link[PATH_MAX + 64], to[PATH_MAX];
    cr_assert_not_null(realpath(path, want));
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* gone */
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
        ssize_t len = readlink(link, to, sizeof to - 1);
        if (len > 0) {
            to[len] = '\0';
            n += strcmp(to, want) == 0;
        }
    }
    closedir(d);
    return n;
}

/* Kills a `sweep -jJOBS` writer with SIGKILL once it has stored a run, and resumes it: at
 * once (while the killed sweep's workers may still be dying) or after every process of
 * the killed sweep is gone. The resumed database equals the uninterrupted sweep's, each
 * run stored once, and a second resume runs nothing. A fork shares the writer's locked
 * descriptor of the database (and with it the flock): the workers must close it, or one
 * outliving the writer refuses the resume. */
static void kill_9_then_resume(const char *jobs, int at_once)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    digest ref = slow_reference(dir);
    snprintf(path, sizeof path, "%s/killed.db", dir);
    pid_t pid;
    pid_t mid = reaped_sweep(path, "world.horizon=60", jobs, &pid);
    pid_t workers[8];
    size_t nw = children(pid, workers, 8);
    cr_assert_eq(nw, (size_t)atoi(jobs), "the sweep runs %s workers", jobs);
    cr_assert_gt(fds_on(pid, path), 0, "the writer has the database open");
    for (size_t i = 0; i < nw; i++)
        cr_expect_eq(fds_on(workers[i], path), 0, "worker %d holds the writer's database",
                     (int)workers[i]);
    kill(pid, SIGKILL);
    int st;
    if (at_once) /* until the writer's own descriptors are closed */
        while (kill(pid, 0) == 0 && fds_on(pid, path) > 0)
            sched_yield();
    else
        waitpid(mid, &st, 0);
    long before = th_done_runs(path);
    cr_assert(before >= 1 && before < 6, "killed mid-way: %ld of 6 runs done", before);
    char out[4096], cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s sweep " FIX "small.yaml --set world.horizon=60 -j2 --resume --json --out %s",
             th_bin(), path);
    capture(out, sizeof out, cmd);
    if (at_once)
        waitpid(mid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGKILL,
              "the sweep was killed by SIGKILL before it finished");
    char want[64];
    snprintf(want, sizeof want, "\"skipped\": %ld, \"done\": %ld", before, 6 - before);
    cr_assert(strstr(out, want), "resume runs exactly the runs not done (%s): %s", want, out);
    assert_same("killed + resumed vs uninterrupted", db_digest(path), ref);
    /* Resuming a finished sweep runs nothing. */
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "\"skipped\": 6, \"done\": 0"), "%s", out);
    assert_same("resumed twice vs uninterrupted", db_digest(path), ref);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, kill_9_then_resume_equals_an_uninterrupted_sweep)
{
    kill_9_then_resume("1", 0);
}

Test(sweep_exec, kill_9_of_a_two_worker_sweep_then_resume_at_once_stores_every_run_once)
{
    kill_9_then_resume("2", 1);
}

Test(sweep_exec, database_of_another_sweep_is_refused)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], out[4096], cmd[1024];
    th_scratch(dir, sizeof dir, "sweep-test");
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j2 --quiet --shard 1/3 --out %s/a.db", th_bin(),
                    dir),
                 0);
    /* Resume with another sweep, or without --resume, or with another shard. */
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "other.yaml --resume --out %s/a.db --shard 1/3 2>&1",
             th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "different sweep"), "%s", out);
    cr_assert_eq(th_sh("%s sweep " FIX "other.yaml --resume --out %s/a.db --shard 1/3 2>/dev/null",
                    th_bin(), dir),
                 2);
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml --out %s/a.db --shard 1/3 2>&1", th_bin(),
             dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "--resume"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml --resume --out %s/a.db --shard 2/3 2>&1",
             th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "shard 1/3"), "%s", out);
    /* A sweep started by another version is not finished by this one: seeded results
     * may differ between versions. */
    char path[128];
    snprintf(path, sizeof path, "%s/a.db", dir);
    set_runs_version(path, "0.0.9");
    snprintf(cmd, sizeof cmd,
             "%s sweep " FIX "small.yaml --resume --out %s/a.db --shard 1/3 2>&1; echo exit=$?",
             th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "started by crucible 0.0.9") && strstr(out, "exit=2"), "%s", out);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, merge_refuses_other_sweeps_and_duplicates)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], out[4096], cmd[1024];
    th_scratch(dir, sizeof dir, "sweep-test");
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j2 --quiet --shard 1/3 --out %s/a1.db", th_bin(),
                    dir),
                 0);
    cr_assert_eq(th_sh("%s sweep " FIX "other.yaml -j2 --quiet --shard 2/3 --out %s/b2.db", th_bin(),
                    dir),
                 0);
    snprintf(cmd, sizeof cmd, "%s merge %s/m.db %s/a1.db %s/b2.db 2>&1; echo exit=$?", th_bin(),
             dir, dir, dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "only shards of one sweep"), "%s", out);
    cr_assert(strstr(out, "exit=2"), "%s", out);
    /* The same shard twice (a copy, so the file names differ). */
    th_sh("cp %s/a1.db %s/a1-copy.db", dir, dir);
    snprintf(cmd, sizeof cmd, "%s merge %s/m2.db %s/a1.db %s/a1-copy.db 2>&1; echo exit=$?",
             th_bin(), dir, dir, dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "already holds"), "%s", out);
    cr_assert(strstr(out, "exit=2"), "%s", out);
    /* Merging into a file that already holds the shard. */
    cr_assert_eq(th_sh("%s merge --quiet %s/m3.db %s/a1.db", th_bin(), dir, dir), 0);
    cr_assert_eq(th_sh("%s merge %s/m3.db %s/a1-copy.db 2>/dev/null", th_bin(), dir, dir), 2);
    char path[128];
    snprintf(path, sizeof path, "%s/m3.db", dir);
    cr_assert_eq(db_digest(path).runs, 2, "a refused merge writes nothing");
    /* Shards of one sweep run by two versions are not merged. */
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml -j2 --quiet --shard 2/3 --out %s/a2.db", th_bin(),
                    dir),
                 0);
    snprintf(path, sizeof path, "%s/a2.db", dir);
    set_runs_version(path, "0.0.9");
    snprintf(cmd, sizeof cmd, "%s merge %s/m4.db %s/a1.db %s/a2.db 2>&1; echo exit=$?", th_bin(),
             dir, dir, dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "crucible 0.0.9") && strstr(out, "one version") &&
                  strstr(out, "exit=2"),
              "%s", out);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, a_failing_point_is_stored_as_failed_and_the_sweep_goes_on)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    /* The explicit fee shares may not sum above 1 (model_validate; the treasury takes
     * what they leave): with the defaults' 0.9, a 0.5 burn is refused by the model's
     * cross-parameter check and stored as a failed run. */
    int rc = th_sh("%s sweep --base " FIX "tiny.yaml --replicates 1 "
                "--grid fees.burn=0,0.5 -j2 --quiet --out %s/f.db 2>/dev/null",
                th_bin(), dir);
    snprintf(path, sizeof path, "%s/f.db", dir);
    digest d = db_digest(path);
    cr_assert_eq(d.runs, 2, "both runs are recorded");
    cr_assert_eq(d.done, 1, "the valid point ran");
    cr_assert_eq(rc, 1, "a sweep with failed runs exits 1");
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, progress_is_a_live_line_on_a_terminal_and_plain_lines_in_a_pipe)
{
    alarm(600); /* time limit (see tests/README.md) */
    if (th_sh("command -v script >/dev/null 2>&1") != 0)
        cr_skip_test("script(1) is not installed (util-linux); it gives the sweep a terminal");
    char dir[64], out[8192], cmd[1024];
    th_scratch(dir, sizeof dir, "sweep-test");
    /* Under script(1) stderr is a pseudo-terminal. */
    snprintf(cmd, sizeof cmd,
             "script -qec '%s sweep " FIX "small.yaml -j2 --out %s/t.db' /dev/null 2>&1", th_bin(),
             dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "runs done, 0 failed"), "progress on a terminal: %s", out);
    cr_assert(strstr(out, "ETA"), "%s", out);
    /* Into a pipe: plain lines (no carriage returns), the last at 6/6, then the summary. */
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml -j2 --out %s/p.db 2>&1", th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert_null(strchr(out, '\r'), "a live line drawn into a pipe: %s", out);
    cr_assert(strstr(out, "crucible sweep: 6/6 runs done, 0 failed"), "%s", out);
    cr_assert(strstr(out, "6 done, 0 failed"), "%s", out);
    /* --quiet: nothing but errors */
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml -j2 --quiet --out %s/q.db 2>&1", th_bin(),
             dir);
    capture(out, sizeof out, cmd);
    cr_assert_null(strstr(out, "runs done"), "%s", out);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, dry_run_lists_each_run_with_its_derived_seed_and_shard)
{
    alarm(600); /* time limit (see tests/README.md) */
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "%s sweep " FIX "small.yaml --dry-run --shard 2/3", th_bin());
    capture(out, sizeof out, cmd);
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    cr_assert_not_null(line);
    cr_assert_str_eq(line, "run\tpoint\treplicate\tseed\temission.rate");
    size_t n = 0;
    static const long rate[3] = {100000, 400000, 1600000};
    while ((line = strtok_r(NULL, "\n", &save))) {
        unsigned long long run, point, rep, seed;
        double v;
        cr_assert_eq(sscanf(line, "%llu\t%llu\t%llu\t%llu\t%lf", &run, &point, &rep, &seed, &v), 5,
                     "%s", line);
        cr_assert_eq(run % 3, 1, "shard 2/3 holds runs with index mod 3 == 1");
        cr_assert_eq(run, point * 2 + rep, "run index = point x replicates + replicate");
        cr_assert_eq(seed, rng_derive_seed(2026, point, rep));
        cr_assert_eq(v, (double)rate[point]);
        n++;
    }
    cr_assert_eq(n, 2, "runs 1 and 4 of 6");
}

Test(sweep_exec, sobol_and_morris_sweeps_are_read_by_crucible_sensitivity)
{
    alarm(600); /* time limit (see tests/README.md) */
    /* The point layouts and meta keys of docs/sweeps.md are a contract with `crucible
     * sensitivity`: it must recognise both designs from the database alone. */
    char dir[64], out[8192], cmd[1024];
    th_scratch(dir, sizeof dir, "sweep-test");
    cr_assert_eq(th_sh("%s sweep --base " FIX "tiny.yaml --replicates 1 --samples 8 "
                    "--sobol emission.rate=1000:10000:log --sobol consumers.arrival=1:20 -j2 "
                    "--quiet --out %s/sobol.db",
                    th_bin(), dir),
                 0);
    snprintf(cmd, sizeof cmd, "%s sensitivity %s/sobol.db --metric price_usd --boot 50 2>&1",
             th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "N = 8"), "sensitivity reads the Saltelli layout: %s", out);
    cr_assert(strstr(out, "emission.rate") && strstr(out, "consumers.arrival"), "%s", out);
    cr_assert_eq(th_sh("%s sweep --base " FIX "tiny.yaml --replicates 1 --trajectories 3 "
                    "--morris emission.rate=1000:10000:log --morris consumers.arrival=1:20 -j2 "
                    "--quiet --out %s/morris.db",
                    th_bin(), dir),
                 0);
    snprintf(cmd, sizeof cmd, "%s sensitivity %s/morris.db --metric price_usd 2>&1", th_bin(), dir);
    capture(out, sizeof out, cmd);
    cr_assert(strstr(out, "r = 3"), "sensitivity reads the Morris trajectories: %s", out);
    th_sh("rm -rf %s", dir);
}

Test(sweep_exec, a_worker_killed_mid_run_is_recorded_and_resume_completes_the_sweep)
{
    alarm(600); /* time limit (see tests/README.md) */
    char dir[64], path[128];
    th_scratch(dir, sizeof dir, "sweep-test");
    digest ref = slow_reference(dir);
    snprintf(path, sizeof path, "%s/w.db", dir);
    pid_t sweep;
    pid_t mid = reaped_sweep(path, "world.horizon=60", "1", &sweep);
    pid_t worker = first_child(sweep);
    cr_assert_gt(worker, 0, "the sweep has a worker process");
    kill(worker, SIGKILL);
    int st;
    waitpid(mid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1,
              "the sweep finished the other runs and exits 1 for the failed one");
    char errpath[160], msg[4096] = "";
    snprintf(errpath, sizeof errpath, "%s.err", path);
    FILE *ef = fopen(errpath, "r");
    cr_assert_not_null(ef);
    msg[fread(msg, 1, sizeof msg - 1, ef)] = '\0';
    fclose(ef);
    cr_expect(strstr(msg, "crucible sweep: 1 run failed"), "the sweep says so: %s", msg);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT count(*), sum(status = 'failed'), sum(status = "
                                    "'failed' AND error LIKE '%signal 9%') FROM runs",
                                    -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), 6, "every run is recorded");
    cr_assert_eq(sqlite3_column_int(q, 1), 1, "the killed worker's run is recorded as failed");
    cr_assert_eq(sqlite3_column_int(q, 2), 1, "with the signal that killed it");
    sqlite3_finalize(q);
    sqlite3_close(db);
    cr_assert_eq(th_sh("%s sweep " FIX "small.yaml --set world.horizon=60 -j2 --quiet --resume "
                    "--out %s",
                    th_bin(), path),
                 0);
    assert_same("worker killed + resumed vs uninterrupted", db_digest(path), ref);
    th_sh("rm -rf %s", dir);
}
