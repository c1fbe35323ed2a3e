/* helpers.c — helpers several test files share. See helpers.h. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

const char *th_bin(void)
{
    const char *b = getenv("CRUCIBLE_BIN");
    if (!b)
        cr_skip_test("CRUCIBLE_BIN is not set (run through make test)");
    return b;
}

void th_scratch(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/crucible-%s-XXXXXX", tag);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

static int status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int th_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return status_of(system(cmd));
}

int th_run(char *out, size_t len, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd - 8, fmt, ap);
    va_end(ap);
    strcat(cmd, " 2>&1");
    out[0] = 0;
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "%s", cmd);
    size_t n = fread(out, 1, len - 1, p);
    out[n] = 0;
    return status_of(pclose(p));
}

char *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert(s);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    if (len)
        *len = got;
    return s;
}

char *th_report_cli(const char *dir, const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert(bin, "CRUCIBLE_BIN is set by make test");
    char cmd[4096], path[256];
    snprintf(cmd, sizeof cmd, "timeout 600 '%s' report %s > '%s/stdout.txt' 2> '%s/stderr.txt'",
             bin, args, dir, dir);
    int st = system(cmd);
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    char *errtxt = th_slurp(path, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit %d: %s", WEXITSTATUS(st),
              errtxt ? errtxt : "");
    cr_assert(errtxt);
    return errtxt;
}

uint64_t th_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

double th_db_value(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", path);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s", sql);
    double x = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL
                   ? sqlite3_column_double(q, 0)
                   : NAN;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return x;
}

long th_done_runs(const char *path)
{
    sqlite3 *db = NULL;
    long n = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM runs WHERE status = 'done'", -1, &q,
                               NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return n;
}

long th_wait_done_runs(const char *path, long n, long polls)
{
    struct timespec nap = {0, 2000000};
    long seen = th_done_runs(path);
    for (long i = 0; i < polls && seen < n; i++) {
        nanosleep(&nap, NULL);
        seen = th_done_runs(path);
    }
    return seen;
}

int th_model_run(const crc_params *p, uint64_t seed, uint64_t replicate, int check,
                 const crc_intervention *iv, size_t n_iv, memsink *m)
{
    model_input in;
    memset(&in, 0, sizeof in);
    in.params = p;
    in.seed = seed;
    in.replicate = replicate;
    in.check = check;
    in.interventions = iv;
    in.n_interventions = n_iv;
    memsink_init(m, NULL);
    crc_sink k = memsink_sink(m);
    crc_err err;
    crc_err_clear(&err);
    int rc = model_run(&in, &k, &err);
    if (rc)
        cr_log_error("model_run: %s", err.msg);
    return rc;
}

void th_load(scenario *sc, const char *path, const char *const *sets)
{
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(scenario_load(sc, path, &err), CRC_OK, "%s: %s", path, err.msg);
    for (size_t i = 0; sets && sets[i]; i++)
        cr_assert_eq(scenario_set(sc, sets[i], &err), CRC_OK, "%s: %s", sets[i], err.msg);
    cr_assert_eq(scenario_validate(sc, &err), CRC_OK, "%s: %s", path, err.msg);
}

void th_logit(const double *u, size_t n, double *P)
{
    double umax = -INFINITY, sum = 0;
    for (size_t j = 0; j < n; j++)
        umax = fmax(umax, u[j]);
    for (size_t j = 0; j < n; j++)
        sum += P[j] = exp(u[j] - umax);
    for (size_t j = 0; j < n; j++)
        P[j] /= sum;
}
