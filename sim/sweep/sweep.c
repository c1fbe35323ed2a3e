/* sweep.c — planning and executing sweeps: workers, the single writer, resume, shards.
 * See sweep.h and docs/sweeps.md. */
#include "sweep/sweep.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sqlite3.h>

#include "engine/rng.h"
#include "model/core/memsink.h"
#include "run/criteria.h"
#include "run/runner.h"
#include "store/store.h"
#include "sweep/wire.h"
#include "util/fds.h"
#include "util/version.h"

/* ---- plan ---------------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int sweep_plan_init(sweep_plan *p, sweep_spec *spec, crc_err *err)
{
    memset(p, 0, sizeof *p);
    p->spec = spec;
    if (!spec->base[0])
        return crc_err_set(err, CRC_EINPUT,
                           "no base scenario: give a sweep file with base:, or --base SCENARIO");
    if (!spec->has_design || spec->design.k == 0)
        return crc_err_set(err, CRC_EINPUT,
                           "no design: give a sweep file with design:, or flags such as --grid "
                           "path=v1,v2");
    int rc = scenario_load(&p->base, spec->base, err);
    if (rc != CRC_OK)
        return rc;
    for (size_t i = 0; i < spec->n_set; i++)
        if ((rc = scenario_set(&p->base, spec->set[i], err)) != CRC_OK) {
            if (spec->path[0] && !err->file[0])
                snprintf(err->file, sizeof err->file, "%s", spec->path);
            return rc;
        }
    /* A base (as the sweep sets it) too large for this machine is refused before the
     * sweep starts, with the estimate, rather than stored as a failure at every point.
     * Points the design makes larger are refused one by one as they run. */
    if ((rc = scenario_check_cost(&p->base, err)) != CRC_OK)
        return rc;
    p->seed = spec->has_seed ? spec->seed : p->base.seed;
    p->replicates = spec->replicates > 0 ? spec->replicates : p->base.replicates;
    if (p->replicates < 1)
        p->replicates = 1;
    rc = design_generate(&spec->design, p->seed, err);
    if (rc != CRC_OK) {
        if (spec->path[0] && !err->file[0])
            snprintf(err->file, sizeof err->file, "%s", spec->path);
        return rc;
    }
    p->n_points = spec->design.n_points;
    if ((size_t)p->replicates > ((size_t)-1) / p->n_points ||
        p->n_points * (size_t)p->replicates > (size_t)1 << 40)
        return crc_err_set(err, CRC_EINPUT, "%zu points x %ld replicates is too many runs",
                           p->n_points, p->replicates);
    p->n_runs = p->n_points * (size_t)p->replicates;
    p->design_text = design_describe(&spec->design);
    char bh[17];
    scenario_hash(&p->base, bh);
    /* What determines the runs, and nothing else (not the name, not where the base
     * file lives): the resolved base, the seed, the replicates and the design. */
    char *hashed = p->design_text
                       ? xprintf("base_hash: %s\nreplicates: %ld\nseed: %llu\ndesign: \"%s\"\n",
                                 bh, p->replicates, (unsigned long long)p->seed,
                                 p->design_text)
                       : NULL;
    if (!hashed)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    snprintf(p->hash, sizeof p->hash, "%016llx",
             (unsigned long long)fnv1a(0xcbf29ce484222325ULL, hashed));
    p->canonical = xprintf("name: \"%s\"\nbase: \"%s\"\n%s", spec->name, spec->base, hashed);
    free(hashed);
    if (!p->canonical)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    return CRC_OK;
}

void sweep_plan_free(sweep_plan *p)
{
    if (!p)
        return;
    scenario_free(&p->base);
    free(p->canonical);
    free(p->design_text);
    memset(p, 0, sizeof *p);
}

int sweep_point_scenario(const sweep_plan *p, size_t point, scenario *out, crc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = scenario_copy(out, &p->base);
    if (rc != CRC_OK) {
        memset(out, 0, sizeof *out);
        return crc_err_set(err, rc, "out of memory copying the base scenario");
    }
    const design *d = &p->spec->design;
    for (size_t j = 0; j < d->k; j++) {
        char val[256], set[512];
        design_text(d, point, j, val, sizeof val);
        snprintf(set, sizeof set, "%s=%s", d->factors[j].param->path, val);
        if ((rc = scenario_set(out, set, err)) != CRC_OK)
            return rc;
    }
    return scenario_validate(out, err);
}

uint64_t sweep_run_seed(const sweep_plan *p, size_t run)
{
    return rng_derive_seed(p->seed, run / (size_t)p->replicates, run % (size_t)p->replicates);
}

int sweep_parse_shard(const char *text, long *k, long *n, crc_err *err)
{
    char *end;
    errno = 0;
    long a = strtol(text, &end, 10);
    if (end != text && *end == '/') {
        const char *s = end + 1;
        long b = strtol(s, &end, 10);
        if (end != s && !*end && !errno && b >= 1 && a >= 1 && a <= b) {
            *k = a;
            *n = b;
            return CRC_OK;
        }
    }
    return crc_err_set(err, CRC_EINPUT,
                       "--shard %s: expected K/N with 1 <= K <= N (e.g. --shard 2/8; under "
                       "Slurm: --shard $((SLURM_ARRAY_TASK_ID+1))/N for 0-based arrays)",
                       text);
}

int sweep_in_shard(size_t run, long k, long n) { return run % (size_t)n == (size_t)(k - 1); }

void sweep_dry_run(const sweep_plan *p, long k, long n, FILE *out)
{
    const design *d = &p->spec->design;
    fprintf(out, "run\tpoint\treplicate\tseed");
    for (size_t j = 0; j < d->k; j++)
        fprintf(out, "\t%s", d->factors[j].param->path);
    fputc('\n', out);
    for (size_t i = 0; i < p->n_runs; i++) {
        if (!sweep_in_shard(i, k, n))
            continue;
        size_t pt = i / (size_t)p->replicates;
        fprintf(out, "%zu\t%zu\t%zu\t%llu", i, pt, i % (size_t)p->replicates,
                (unsigned long long)sweep_run_seed(p, i));
        for (size_t j = 0; j < d->k; j++) {
            char val[256];
            design_text(d, pt, j, val, sizeof val);
            fprintf(out, "\t%s", val);
        }
        fputc('\n', out);
    }
}

/* ---- worker ---------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Computes run i into a message in msg (cleared first). Never fails as a whole: a
 * failing run (a point the model rejects, a model error) becomes a message with its
 * error. */
static void compute_run(const sweep_plan *p, size_t run, wire_buf *msg, wire_buf *events)
{
    size_t point = run / (size_t)p->replicates;
    long rep = (long)(run % (size_t)p->replicates);
    crc_err err;
    crc_err_clear(&err);
    scenario sc;
    int rc = sweep_point_scenario(p, point, &sc, &err);
    if (rc == CRC_OK) {
        wire_compute_run(msg, events, run, &sc, p->seed, rep, (long)point, NULL, NULL);
    } else {
        /* The point itself is bad (e.g. a cross-parameter constraint): a failed run. */
        runner_info info;
        memset(&info, 0, sizeof info);
        info.status = rc;
        crc_err_format(&err, info.error, sizeof info.error);
        iso_now(info.started_at, sizeof info.started_at);
        snprintf(info.ended_at, sizeof info.ended_at, "%s", info.started_at);
        events->n = 0;
        events->oom = 0;
        /* sweep_point_scenario leaves sc zeroed when it could not even copy the base. */
        int have_sc = sc.path[0] != 0 || sc.name[0] != 0;
        wire_put_run(msg, run, have_sc ? &sc : NULL, p->base.name, &info, events);
        runner_info_free(&info);
    }
    scenario_free(&sc);
}

/* The worker loop: read a run index, compute it, send the message; exit on EOF. */
static void worker_main(const sweep_plan *p, int task_fd, int result_fd)
{
    wire_buf msg = {0}, events = {0};
    for (;;) {
        uint64_t run;
        if (crc_read_full(task_fd, &run, sizeof run) != 0)
            break;
        compute_run(p, (size_t)run, &msg, &events);
        if (msg.oom) {
            /* Out of memory building the message: send a bare failure instead. */
            wire_result r;
            memset(&r, 0, sizeof r);
            r.run = run;
            r.status = CRC_ENOMEM;
            r.scenario = p->base.name;
            r.error = "out of memory sending the run's results to the writer";
            msg.n = 0;
            msg.oom = 0;
            wire_put_result(&msg, &r);
        }
        if (msg.oom || crc_write_full(result_fd, msg.p, msg.n) != 0)
            break;
    }
    wire_buf_free(&msg);
    wire_buf_free(&events);
}

/* ---- writer ---------------------------------------------------------------------- */

typedef struct worker {
    pid_t pid;
    int task_fd, result_fd; /* parent's ends; -1 when closed */
    long busy;              /* run index in progress, -1 when idle */
} worker;

typedef struct exec_state {
    const sweep_plan *p;
    const sweep_opts *o;
    store *st;
    worker *w;
    int nw;
    size_t *todo, n_todo, next;
    sweep_stats *stats;
    unsigned char *body;
    size_t body_cap;
    double t0, last_progress;
    size_t tenths_shown;  /* progress 2: tenths of the runs reported so far */
    double children_cpu0; /* RUSAGE_CHILDREN before the workers started */
} exec_state;

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int spawn_worker(exec_state *x, int i, crc_err *err)
{
    int task[2], result[2];
    if (pipe(task) != 0)
        return crc_err_set(err, CRC_EFAIL, "cannot create a pipe for a worker: %s",
                           strerror(errno));
    if (pipe(result) != 0) {
        close(task[0]);
        close(task[1]);
        return crc_err_set(err, CRC_EFAIL, "cannot create a pipe for a worker: %s",
                           strerror(errno));
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(task[0]);
        close(task[1]);
        close(result[0]);
        close(result[1]);
        return crc_err_set(err, CRC_EFAIL, "cannot start a worker process: %s",
                           strerror(errno));
    }
    if (pid == 0) {
#ifdef __linux__
        /* Die with the writer: a killed sweep must not leave workers computing. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        if (getppid() != parent)
            _exit(0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        /* Nothing of the writer's: not the other workers' pipes, and above all not the
         * results database's locked descriptor, whose flock the fork shares (a worker
         * outliving a killed writer would refuse the --resume after it). */
        int keep[] = {task[0], result[1]};
        crc_close_inherited(keep, 2);
        worker_main(x->p, task[0], result[1]);
        _exit(0);
    }
    close(task[0]);
    close(result[1]);
    x->w[i].pid = pid;
    x->w[i].task_fd = task[1];
    x->w[i].result_fd = result[0];
    x->w[i].busy = -1;
    return CRC_OK;
}

/* Gives worker i its next run, or closes its task pipe when nothing is left. */
static void dispatch(exec_state *x, int i)
{
    worker *w = &x->w[i];
    if (x->next < x->n_todo) {
        uint64_t run = x->todo[x->next];
        if (crc_write_full(w->task_fd, &run, sizeof run) == 0) {
            w->busy = (long)run;
            x->next++;
            return;
        }
    }
    close_fd(&w->task_fd);
}

static void progress(exec_state *x, int final)
{
    if (!x->o->progress)
        return;
    double now = now_seconds();
    if (!final && now - x->last_progress < 0.25)
        return;
    x->last_progress = now;
    sweep_stats *s = x->stats;
    size_t left = s->runs - s->skipped, finished = s->done + s->failed;
    double el = now - x->t0, rate = el > 0 ? (double)finished / el : 0;
    char eta[32] = "?";
    if (rate > 0) {
        double sec = (double)(left - finished) / rate;
        if (sec < 90)
            snprintf(eta, sizeof eta, "%.0fs", sec);
        else if (sec < 5400)
            snprintf(eta, sizeof eta, "%.0fm", sec / 60);
        else
            snprintf(eta, sizeof eta, "%.1fh", sec / 3600);
    }
    if (x->o->progress == 2) { /* not a terminal: a plain line per tenth of the runs */
        size_t tenths = left ? finished * 10 / left : 10;
        if (tenths <= x->tenths_shown)
            return;
        x->tenths_shown = tenths;
        fprintf(stderr, "crucible sweep: %zu/%zu runs done, %zu failed, %.1f runs/s, ETA %s\n",
                finished, left, s->failed, rate, eta);
        fflush(stderr);
        return;
    }
    fprintf(stderr, "\rcrucible sweep: %zu/%zu runs done, %zu failed, %.1f runs/s, ETA %s   %s",
            finished, left, s->failed, rate, eta, final ? "\n" : "");
    fflush(stderr);
}

/* Stores one decoded run. What to keep comes from the base scenario: output.* are not
 * swept. */
static int store_result(exec_state *x, const wire_result *r, crc_err *err)
{
    const sweep_plan *p = x->p;
    memsink m;
    memsink_init(&m, NULL);
    int rc = wire_store_run(x->st, r, p->seed, (long)(r->run / (size_t)p->replicates),
                            (long)(r->run % (size_t)p->replicates), &p->base.params, &m, err);
    memsink_free(&m);
    if (rc == CRC_OK) {
        if (r->status == CRC_OK)
            x->stats->done++;
        else
            x->stats->failed++;
        x->stats->compute_seconds += r->wall_seconds;
    }
    return rc;
}

/* Records run as failed because its worker died; then replaces the worker. */
static int worker_died(exec_state *x, int i, crc_err *err)
{
    worker *w = &x->w[i];
    int status = 0;
    close_fd(&w->result_fd);
    close_fd(&w->task_fd);
    if (w->pid > 0)
        waitpid(w->pid, &status, 0);
    w->pid = -1;
    if (w->busy < 0)
        return CRC_OK;
    char why[128];
    if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "the worker computing this run died of signal %d (%s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(why, sizeof why, "the worker computing this run exited (status %d) without "
                                  "sending its results",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    wire_result r;
    memset(&r, 0, sizeof r);
    r.run = (uint64_t)w->busy;
    r.status = CRC_EFAIL;
    r.scenario = x->p->base.name;
    r.error = why;
    w->busy = -1;
    double t = now_seconds();
    int rc = store_result(x, &r, err);
    x->stats->store_seconds += now_seconds() - t;
    if (rc != CRC_OK)
        return rc;
    if (x->next < x->n_todo) {
        if ((rc = spawn_worker(x, i, err)) != CRC_OK)
            return rc;
        dispatch(x, i);
    }
    return CRC_OK;
}

/* Reads one message from worker i, hands it its next run, stores the result. */
static int collect(exec_state *x, int i, crc_err *err)
{
    worker *w = &x->w[i];
    unsigned char head[WIRE_HEAD];
    int r = crc_read_full(w->result_fd, head, sizeof head);
    uint32_t magic;
    uint64_t len;
    memcpy(&magic, head, sizeof magic);
    memcpy(&len, head + sizeof magic, sizeof len);
    if (r != 0 || magic != WIRE_MAGIC || len > ((uint64_t)1 << 40))
        return worker_died(x, i, err);
    if (len > x->body_cap) {
        unsigned char *b = realloc(x->body, (size_t)len);
        if (!b)
            return crc_err_set(err, CRC_ENOMEM, "out of memory receiving a run of %llu bytes",
                               (unsigned long long)len);
        x->body = b;
        x->body_cap = (size_t)len;
    }
    if (crc_read_full(w->result_fd, x->body, (size_t)len) != 0)
        return worker_died(x, i, err);
    long run = w->busy;
    w->busy = -1;
    /* Keep the worker busy while this process stores the result. */
    dispatch(x, i);
    double t = now_seconds(), c = cpu_seconds();
    wire_result res;
    int rc = wire_get_result(x->body, (size_t)len, &res, err);
    if (rc == CRC_OK && (long)res.run != run)
        rc = crc_err_set(err, CRC_EFAIL, "a worker answered run %llu when asked for run %ld",
                         (unsigned long long)res.run, run);
    if (rc == CRC_OK)
        rc = store_result(x, &res, err);
    wire_result_free(&res);
    x->stats->store_seconds += now_seconds() - t;
    x->stats->store_cpu_seconds += cpu_seconds() - c;
    progress(x, 0);
    return rc;
}

/* Meta rows and points of a new sweep database, in one transaction. */
static int write_sweep_meta(store *st, const sweep_plan *p, const sweep_opts *o, crc_err *err)
{
    const design *d = &p->spec->design;
    int rc = store_exec(st, "BEGIN", err);
    if (rc != CRC_OK)
        return rc;
    char buf[256], ver[160];
    snprintf(ver, sizeof ver, "crucible %s (%s)", crc_version(), crc_git_commit());
    struct {
        const char *k;
        char v[160];
    } kv[] = {
        {"command", "sweep"},
        {"created_by", ""},
        {"sweep_name", ""},
        {"sweep_hash", ""},
        {"design", ""},
        {"sweep_seed", ""},
        {"points", ""},
        {"replicates", ""},
        {"runs", ""},
        {"base", ""},
        {"design_params", ""},
    };
    snprintf(kv[1].v, sizeof kv[1].v, "%s", ver);
    snprintf(kv[2].v, sizeof kv[2].v, "%s", p->spec->name);
    snprintf(kv[3].v, sizeof kv[3].v, "%s", p->hash);
    /* The type and its sizes, e.g. "morris trajectories=10 levels=4" (the first part of
     * design_describe): readers match the leading type word. */
    snprintf(kv[4].v, sizeof kv[4].v, "%.*s", (int)strcspn(p->design_text, ";"),
             p->design_text);
    snprintf(kv[5].v, sizeof kv[5].v, "%llu", (unsigned long long)p->seed);
    snprintf(kv[6].v, sizeof kv[6].v, "%zu", p->n_points);
    snprintf(kv[7].v, sizeof kv[7].v, "%ld", p->replicates);
    snprintf(kv[8].v, sizeof kv[8].v, "%zu", p->n_runs);
    snprintf(kv[9].v, sizeof kv[9].v, "%s", p->base.name);
    for (size_t i = 0; i < sizeof kv / sizeof kv[0] - 1 && rc == CRC_OK; i++)
        rc = store_meta_set(st, kv[i].k, kv[i].v, err);
    /* Long values. */
    char *params = NULL;
    size_t plen = 0;
    for (size_t j = 0; j < d->k; j++)
        plen += strlen(d->factors[j].param->path) + 1;
    params = calloc(plen + 1, 1);
    if (!params && rc == CRC_OK)
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (size_t j = 0; params && j < d->k; j++) {
        if (j)
            strcat(params, ",");
        strcat(params, d->factors[j].param->path);
    }
    if (rc == CRC_OK)
        rc = store_meta_set(st, "design_params", params, err);
    free(params);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "sweep_yaml", p->canonical, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "design_spec", p->design_text, err);
    if (rc == CRC_OK && o->shard_n > 1) {
        snprintf(buf, sizeof buf, "%ld/%ld", o->shard_k, o->shard_n);
        rc = store_meta_set(st, "shard", buf, err);
    }
    /* What `crucible sensitivity` needs to read the design back (docs/sweeps.md). */
    if (rc == CRC_OK && d->kind == DESIGN_SOBOL) {
        snprintf(buf, sizeof buf, "%zu", d->samples);
        rc = store_meta_set(st, "sobol_n", buf, err);
        snprintf(buf, sizeof buf, "%zu", d->k);
        if (rc == CRC_OK)
            rc = store_meta_set(st, "sobol_k", buf, err);
        if (rc == CRC_OK)
            rc = store_meta_set(st, "design_layout",
                                "saltelli-interleaved: point j*(k+2)+0 = A_j, j*(k+2)+i = AB_i,j "
                                "(A_j with parameter i from B_j, i = 1..k), j*(k+2)+k+1 = B_j",
                                err);
    }
    if (rc == CRC_OK && d->kind == DESIGN_MORRIS) {
        snprintf(buf, sizeof buf, "%zu", d->trajectories);
        rc = store_meta_set(st, "morris_r", buf, err);
        snprintf(buf, sizeof buf, "%zu", d->levels);
        if (rc == CRC_OK)
            rc = store_meta_set(st, "morris_levels", buf, err);
        snprintf(buf, sizeof buf, "%.17g", d->delta);
        if (rc == CRC_OK)
            rc = store_meta_set(st, "morris_delta", buf, err);
        if (rc == CRC_OK)
            rc = store_meta_set(st, "design_layout",
                                "morris: trajectory t = points t*(k+1) .. t*(k+1)+k; each step "
                                "moves one parameter by +-delta in unit coordinates",
                                err);
    }
    for (size_t i = 0; rc == CRC_OK && i < p->n_points; i++)
        for (size_t j = 0; rc == CRC_OK && j < d->k; j++) {
            char val[256];
            design_text(d, i, j, val, sizeof val);
            rc = store_write_point(st, (long)i, d->factors[j].param->path, design_value(d, i, j),
                                   val, err);
        }
    if (rc == CRC_OK)
        return store_exec(st, "COMMIT", err);
    crc_err ignore;
    store_exec(st, "ROLLBACK", &ignore);
    return rc;
}

/* Checks that the database is this sweep's (resume) or new. *fresh = no sweep in it. */
static int check_db(store *st, const sweep_plan *p, const sweep_opts *o, int *fresh,
                    crc_err *err)
{
    char hash[64], name[160], shard[64], want_shard[64] = "";
    const char *path = store_path(st);
    if (o->shard_n > 1)
        snprintf(want_shard, sizeof want_shard, "%ld/%ld", o->shard_k, o->shard_n);
    if (!store_meta_get(st, "sweep_hash", hash, sizeof hash)) {
        char cmd[32] = "", what[160] = "";
        /* A database holds one sweep or one scenario: not a sweep over a run's meta. */
        if (store_meta_get(st, "command", cmd, sizeof cmd) && strcmp(cmd, "sweep") != 0) {
            store_meta_get(st, "scenario", what, sizeof what);
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "holds a `crucible %s`%s%s%s; a database holds one scenario or "
                              "one sweep, so this sweep is not added to it. Write the sweep to "
                              "another --out",
                              cmd, what[0] ? " of '" : "", what, what[0] ? "'" : "");
        }
        sqlite3_stmt *q = NULL;
        long n = 0;
        if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM runs", -1, &q, NULL) ==
                SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        if (n > 0)
            return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                              "this database holds %ld runs but no sweep (a `crucible run` "
                              "file?); write the sweep to another --out",
                              n);
        *fresh = 1;
        return CRC_OK;
    }
    *fresh = 0;
    if (!store_meta_get(st, "sweep_name", name, sizeof name))
        snprintf(name, sizeof name, "?");
    if (strcmp(hash, p->hash) != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "this database holds a different sweep ('%s', hash %s) than the one "
                          "asked for ('%s', hash %s): its base scenario, seed, replicates or "
                          "design differ. Resume it with the sweep file it was started with, "
                          "or write to another --out",
                          name, hash, p->spec->name, p->hash);
    if (!store_meta_get(st, "shard", shard, sizeof shard))
        shard[0] = 0;
    if (strcmp(shard, want_shard) != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "this database holds %s%s of sweep '%s', not %s%s; pass the same "
                          "--shard as when it was started",
                          shard[0] ? "shard " : "the whole sweep", shard, name,
                          want_shard[0] ? "shard " : "the whole sweep", want_shard);
    if (!o->resume)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "this database already holds sweep '%s'; pass --resume to run what "
                          "is not done yet, or write to another --out",
                          name);
    /* Seeded results may differ between versions: finishing a sweep with another
     * version would mix two models' draws in one design. */
    char what[200];
    snprintf(what, sizeof what, "sweep '%s'", name);
    int rc = store_check_resume_version(st, what, err);
    /* The runs counted as done must be whole: a table or rows lost are refused, not
     * passed off as a finished sweep. */
    return rc != CRC_OK ? rc : store_check_complete(st, err);
}

/* Marks done[i] for every run already done in the database. */
static int load_done(store *st, const sweep_plan *p, unsigned char *done, size_t *n_done,
                     crc_err *err)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q = NULL;
    *n_done = 0;
    if (sqlite3_prepare_v2(db, "SELECT point, replicate FROM runs WHERE status = 'done'", -1,
                           &q, NULL) != SQLITE_OK)
        return crc_err_set(err, CRC_EFAIL, "%s: %s", store_path(st), sqlite3_errmsg(db));
    while (sqlite3_step(q) == SQLITE_ROW) {
        sqlite3_int64 pt = sqlite3_column_int64(q, 0), rep = sqlite3_column_int64(q, 1);
        if (pt < 0 || (size_t)pt >= p->n_points || rep < 0 || rep >= p->replicates)
            continue;
        size_t i = (size_t)pt * (size_t)p->replicates + (size_t)rep;
        if (!done[i])
            (*n_done)++;
        done[i] = 1;
    }
    sqlite3_finalize(q);
    return CRC_OK;
}

int sweep_exec(const sweep_plan *p, const sweep_opts *o, sweep_stats *stats, crc_err *err)
{
    memset(stats, 0, sizeof *stats);
    long k = o->shard_n > 0 ? o->shard_k : 1, n = o->shard_n > 0 ? o->shard_n : 1;
    double t0 = now_seconds();
    store *st = NULL;
    int rc = store_open(&st, o->out, err);
    if (rc != CRC_OK)
        return rc;
    int fresh = 0;
    unsigned char *done = calloc(p->n_runs, 1);
    exec_state x;
    memset(&x, 0, sizeof x);
    if (!done) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = check_db(st, p, o, &fresh, err)) != CRC_OK)
        goto out;
    if (fresh)
        rc = write_sweep_meta(st, p, o, err);
    else
        rc = store_drop_unfinished(st, err);
    size_t n_done = 0;
    if (rc == CRC_OK && !fresh)
        rc = load_done(st, p, done, &n_done, err);
    if (rc != CRC_OK)
        goto out;

    x.p = p;
    x.o = o;
    x.st = st;
    x.stats = stats;
    x.todo = malloc((p->n_runs / (size_t)n + 1) * sizeof *x.todo);
    if (!x.todo) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->n_runs; i++) {
        if (!sweep_in_shard(i, k, n))
            continue;
        stats->runs++;
        if (done[i])
            stats->skipped++;
        else
            x.todo[x.n_todo++] = i;
    }
    x.nw = o->jobs < 1 ? 1 : o->jobs;
    if ((size_t)x.nw > x.n_todo)
        x.nw = (int)x.n_todo;
    x.w = calloc((size_t)(x.nw ? x.nw : 1), sizeof *x.w);
    if (!x.w) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < x.nw; i++)
        x.w[i].task_fd = x.w[i].result_fd = -1, x.w[i].pid = -1, x.w[i].busy = -1;
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    x.t0 = now_seconds();
    struct rusage ru0;
    if (getrusage(RUSAGE_CHILDREN, &ru0) == 0)
        x.children_cpu0 = (double)ru0.ru_utime.tv_sec + 1e-6 * (double)ru0.ru_utime.tv_usec +
                          (double)ru0.ru_stime.tv_sec + 1e-6 * (double)ru0.ru_stime.tv_usec;
    for (int i = 0; i < x.nw && rc == CRC_OK; i++)
        if ((rc = spawn_worker(&x, i, err)) == CRC_OK)
            dispatch(&x, i);
    struct pollfd *pf = calloc((size_t)(x.nw ? x.nw : 1), sizeof *pf);
    int *who = calloc((size_t)(x.nw ? x.nw : 1), sizeof *who);
    if (!pf || !who)
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
    while (rc == CRC_OK) {
        int np = 0;
        for (int i = 0; i < x.nw; i++)
            if (x.w[i].busy >= 0 && x.w[i].result_fd >= 0) {
                pf[np].fd = x.w[i].result_fd;
                pf[np].events = POLLIN;
                pf[np].revents = 0;
                who[np++] = i;
            }
        if (np == 0)
            break;
        int r = poll(pf, (nfds_t)np, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = crc_err_set(err, CRC_EFAIL, "waiting for workers: %s", strerror(errno));
            break;
        }
        for (int j = 0; j < np && rc == CRC_OK; j++)
            if (pf[j].revents)
                rc = collect(&x, who[j], err);
    }
    free(pf);
    free(who);
    if (rc == CRC_OK && x.next < x.n_todo)
        rc = crc_err_set(err, CRC_EFAIL,
                         "the worker processes exited with %zu runs not started; the runs "
                         "done are stored, and --resume runs the rest",
                         x.n_todo - x.next);
    /* Shut the workers down: EOF on their task pipe ends their loop. */
    for (int i = 0; i < x.nw; i++) {
        close_fd(&x.w[i].task_fd);
        close_fd(&x.w[i].result_fd);
    }
    for (int i = 0; i < x.nw; i++)
        if (x.w[i].pid > 0) {
            if (rc != CRC_OK)
                kill(x.w[i].pid, SIGKILL);
            waitpid(x.w[i].pid, NULL, 0);
        }
    signal(SIGPIPE, old_pipe);
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        stats->workers_cpu_seconds =
            (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
            (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec - x.children_cpu0;
    if (x.n_todo)
        progress(&x, 1);
    if (rc == CRC_OK)
        rc = store_finish(st, err);
out:
    free(x.todo);
    free(x.w);
    free(x.body);
    free(done);
    store_close(st);
    stats->wall_seconds = now_seconds() - t0;
    return rc;
}
