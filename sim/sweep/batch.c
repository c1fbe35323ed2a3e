/* batch.c — runs chosen one batch at a time, computed in forked workers and stored by
 * this process. See batch.h. */
#include "sweep/batch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "run/criteria.h"
#include "sweep/wire.h"
#include "util/fds.h"

/* The caller's measure hook, for the task being computed. */
typedef struct measure_ctx {
    const batch_hooks *h;
    const batch_task *t;
} measure_ctx;

static void measure(void *vctx, const runner_info *info, memsink *m)
{
    measure_ctx *c = vctx;
    c->h->measure(c->h->ctx, c->t, info, m);
}

/* Computes task i into a wire message (msg cleared first); never fails as a whole. */
static void compute(const batch_task *t, size_t i, uint64_t seed, long seed_point,
                    const batch_hooks *h, wire_buf *msg, wire_buf *events)
{
    measure_ctx c = {h, t};
    wire_compute_run(msg, events, i, t->sc, seed, t->replicate, seed_point,
                     h && h->measure ? measure : NULL, &c);
}

static void worker_main(const batch_task *t, size_t n, size_t w, size_t nw, uint64_t seed,
                        long seed_point, const batch_hooks *h, int fd)
{
    wire_buf msg = {0}, events = {0};
    for (size_t i = w; i < n; i += nw) {
        compute(&t[i], i, seed, seed_point, h, &msg, &events);
        if (msg.oom || crc_write_full(fd, msg.p, msg.n) != 0)
            break;
    }
    wire_buf_free(&msg);
    wire_buf_free(&events);
}

/* Stores one decoded run and reports it to the done hook. The run's output.* choice is
 * its own scenario's, as for run and sweep. */
static int store_one(store *st, uint64_t seed, const batch_task *t, size_t i,
                     const wire_result *r, const batch_hooks *h, crc_err *err)
{
    memsink m;
    memsink_init(&m, NULL);
    int rc = wire_store_run(st, r, seed, t->point, t->replicate, &t->sc->params, &m, err);
    if (rc == CRC_OK && h && h->done)
        rc = h->done(h->ctx, i, r->status, &m, err);
    memsink_free(&m);
    return rc;
}

int batch_exec(store *st, uint64_t seed, long seed_point, const batch_task *tasks, size_t n,
               int jobs, const batch_hooks *h, crc_err *err)
{
    if (n == 0)
        return CRC_OK;
    size_t nw = jobs < 1 ? 1 : (size_t)jobs;
    if (nw > n)
        nw = n;
    pid_t *pid = calloc(nw, sizeof *pid);
    int *fd = calloc(nw, sizeof *fd);
    unsigned char *body = NULL;
    size_t body_cap = 0, n_got = 0;
    int rc = CRC_OK;
    if (!pid || !fd) {
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
        goto out;
    }
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    for (size_t w = 0; w < nw; w++)
        fd[w] = -1, pid[w] = -1;
    for (size_t w = 0; w < nw && rc == CRC_OK; w++) {
        int p[2];
        if (pipe(p) != 0) {
            rc = crc_err_set(err, CRC_EFAIL, "cannot create a pipe for a worker: %s",
                             strerror(errno));
            break;
        }
        fflush(NULL);
        pid_t parent = getpid();
        pid[w] = fork();
        if (pid[w] < 0) {
            close(p[0]);
            close(p[1]);
            rc = crc_err_set(err, CRC_EFAIL, "cannot start a worker process: %s",
                             strerror(errno));
            break;
        }
        if (pid[w] == 0) {
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGKILL); /* die with the writer (kill -9, resume) */
#endif
            if (getppid() != parent)
                _exit(0);
            signal(SIGPIPE, SIG_DFL);
            /* Nothing but its pipe: not the other workers' pipes, nor the results
             * database's locked descriptor, whose flock the fork shares (a worker
             * outliving a killed writer would refuse the --resume after it). */
            int keep[] = {p[1]};
            crc_close_inherited(keep, 1);
            worker_main(tasks, n, w, nw, seed, seed_point, h, p[1]);
            _exit(0);
        }
        close(p[1]);
        fd[w] = p[0];
    }
    /* Collect: worker w sends the results of tasks w, w + nw, ... in that order. */
    size_t *next = calloc(nw, sizeof *next);
    struct pollfd *pf = calloc(nw, sizeof *pf);
    size_t *who = calloc(nw, sizeof *who);
    if (rc == CRC_OK && (!next || !pf || !who))
        rc = crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (size_t w = 0; next && w < nw; w++)
        next[w] = w;
    while (rc == CRC_OK && n_got < n) {
        nfds_t np = 0;
        for (size_t w = 0; w < nw; w++)
            if (fd[w] >= 0 && next[w] < n) {
                pf[np] = (struct pollfd){.fd = fd[w], .events = POLLIN};
                who[np++] = w;
            }
        if (np == 0)
            break;
        int r = poll(pf, np, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = crc_err_set(err, CRC_EFAIL, "waiting for workers: %s", strerror(errno));
            break;
        }
        for (nfds_t j = 0; j < np && rc == CRC_OK; j++) {
            if (!pf[j].revents)
                continue;
            size_t w = who[j], i = next[w];
            unsigned char head[WIRE_HEAD];
            uint32_t magic = 0;
            uint64_t len = 0;
            int ok = crc_read_full(fd[w], head, sizeof head) == 0;
            memcpy(&magic, head, sizeof magic);
            memcpy(&len, head + sizeof magic, sizeof len);
            ok = ok && magic == WIRE_MAGIC && len <= ((uint64_t)1 << 40);
            if (ok && len > body_cap) {
                unsigned char *b = realloc(body, (size_t)len);
                if (!b) {
                    rc = crc_err_set(err, CRC_ENOMEM, "out of memory receiving a run");
                    break;
                }
                body = b;
                body_cap = (size_t)len;
            }
            ok = ok && crc_read_full(fd[w], body, (size_t)len) == 0;
            wire_result res;
            memset(&res, 0, sizeof res);
            if (ok && wire_get_result(body, (size_t)len, &res, err) == CRC_OK &&
                res.run == i) {
                rc = store_one(st, seed, &tasks[i], i, &res, h, err);
                wire_result_free(&res);
            } else {
                /* The worker died: its remaining runs are stored as failed. */
                wire_result_free(&res);
                close(fd[w]);
                fd[w] = -1;
                for (size_t k = i; k < n && rc == CRC_OK; k += nw) {
                    wire_result f;
                    memset(&f, 0, sizeof f);
                    f.run = k;
                    f.status = CRC_EFAIL;
                    f.scenario = tasks[k].sc->name;
                    f.error = "the worker computing this run died before sending it";
                    rc = store_one(st, seed, &tasks[k], k, &f, h, err);
                    n_got++;
                }
                next[w] = n;
                continue;
            }
            n_got++;
            next[w] = i + nw;
        }
    }
    free(next);
    free(pf);
    free(who);
    for (size_t w = 0; w < nw; w++) {
        if (fd[w] >= 0)
            close(fd[w]);
        if (pid[w] > 0) {
            if (rc != CRC_OK)
                kill(pid[w], SIGKILL);
            waitpid(pid[w], NULL, 0);
        }
    }
    signal(SIGPIPE, old_pipe);
out:
    free(pid);
    free(fd);
    free(body);
    return rc;
}
