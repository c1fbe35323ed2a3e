/*
 * cmd_bench.c — `crucible bench hold|mm1`: engine benchmarks. See bench.h.
 *
 * Rates (events_per_sec, ...) are per second of process CPU time; see stopwatch.
 *
 * hold: N events pending at Exp(1) times; each hold pops the earliest and pushes it
 *       back at t + Exp(1) (the classic benchmark of pending-event sets). The N
 *       initial pushes are not timed. events_per_sec counts popped events, which
 *       equals holds_per_sec here (one pop and one push per hold).
 * mm1:  an M/M/c queue (c = --servers, default 1) on sim + station with service rate
 *       mu = 1 and arrival rate lambda = rho * c; customers are drawn on separate PCG
 *       streams for arrivals and services. mean_wait is the mean wait in queue of the
 *       customers after a 10% warm-up, with a batch-means standard error (20 batches);
 *       theory_wait is Erlang C / (c mu - lambda).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "cli/bench.h"
#include "cli/cli.h"
#include "engine/evq.h"
#include "engine/rng.h"
#include "engine/sim.h"
#include "engine/station.h"

/* Rates are per second of this process's CPU time (the benchmarks are single-threaded):
 * on a machine shared with other jobs, wall time would mostly measure the others.
 * Wall time is reported alongside. */
static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct stopwatch {
    double wall, cpu;
} stopwatch;

static stopwatch stopwatch_now(void)
{
    return (stopwatch){clock_seconds(CLOCK_MONOTONIC), clock_seconds(CLOCK_PROCESS_CPUTIME_ID)};
}

static stopwatch stopwatch_since(stopwatch start)
{
    stopwatch now = stopwatch_now();
    return (stopwatch){now.wall - start.wall, now.cpu - start.cpu};
}

/* Parses an unsigned integer option value in [lo, hi]; prints the error. */
static int parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo,
                     uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    double d = 0;
    unsigned long long v = strtoull(s, &end, 10);
    /* accept 1e6-style values too, when they are whole numbers */
    if (*end == 'e' || *end == 'E' || *end == '.') {
        d = strtod(s, &end);
        if (*end == '\0' && d >= 0 && d <= 1.8e19 && d == floor(d))
            v = (unsigned long long)d;
        else
            end = (char *)s;
    }
    if (s[0] == '-' || end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr,
                "crucible bench %s: %s expects a whole number in [%llu, %llu], got '%s'\n",
                cmd, opt, (unsigned long long)lo, (unsigned long long)hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_real(const char *cmd, const char *opt, const char *s, double lo, double hi,
                      double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v > lo && v < hi)) {
        fprintf(stderr, "crucible bench %s: %s expects a number in (%g, %g), got '%s'\n", cmd,
                opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Returns the value of option argv[*i] (advancing *i), or NULL after printing why. */
static const char *opt_value(const char *cmd, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "crucible bench %s: %s needs a value\n", cmd, argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* ---- hold ------------------------------------------------------------------------ */

static void hold_usage(FILE *f)
{
    fprintf(f, "usage: crucible bench hold --pending N --holds M [--seed S] [--json]\n"
               "  N events pending (1..1e8), M holds (1..1e11): pop the earliest event and\n"
               "  push it back at t + Exp(1). Prints holds (= events) per second.\n");
}

int bench_hold(int argc, char **argv)
{
    uint64_t pending = 0, holds = 0, seed = 1;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            hold_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--pending")) {
            if (!(v = opt_value("hold", argc, argv, &i)) ||
                parse_u64("hold", "--pending", v, 1, 100000000, &pending))
                return 2;
        } else if (!strcmp(argv[i], "--holds")) {
            if (!(v = opt_value("hold", argc, argv, &i)) ||
                parse_u64("hold", "--holds", v, 1, UINT64_C(100000000000), &holds))
                return 2;
        } else if (!strcmp(argv[i], "--seed")) {
            if (!(v = opt_value("hold", argc, argv, &i)) ||
                parse_u64("hold", "--seed", v, 0, UINT64_MAX, &seed))
                return 2;
        } else {
            fprintf(stderr, "crucible bench hold: unknown option '%s'\n", argv[i]);
            hold_usage(stderr);
            return 2;
        }
    }
    if (!pending || !holds) {
        fprintf(stderr, "crucible bench hold: --pending and --holds are required\n");
        hold_usage(stderr);
        return 2;
    }

    evq *q = evq_alloc((size_t)pending);
    gsl_rng *r = rng_stream_alloc(seed, 0, 1);
    if (!q || !r) {
        evq_free(q);
        gsl_rng_free(r);
        fprintf(stderr, "crucible bench hold: out of memory for %llu events\n",
                (unsigned long long)pending);
        return 1;
    }
    for (uint64_t i = 0; i < pending; i++)
        if (evq_push(q, gsl_ran_exponential(r, 1.0), 0, (uint32_t)i, 0) == EVQ_NONE)
            goto oom;
    /* checksum of the popped times: keeps the loop honest and shows determinism */
    double sum = 0.0;
    evq_event ev = {0};
    stopwatch t0 = stopwatch_now();
    for (uint64_t k = 0; k < holds; k++) {
        evq_pop(q, &ev);
        sum += ev.t;
        if (evq_push(q, ev.t + gsl_ran_exponential(r, 1.0), ev.kind, ev.a, ev.b) == EVQ_NONE)
            goto oom;
    }
    stopwatch el = stopwatch_since(t0);
    double rate = el.cpu > 0 ? (double)holds / el.cpu : INFINITY;
    if (json)
        printf("{\"bench\":\"hold\",\"pending\":%llu,\"holds\":%llu,\"seed\":%llu,"
               "\"cpu_seconds\":%.6f,\"wall_seconds\":%.6f,\"holds_per_sec\":%.0f,"
               "\"events_per_sec\":%.0f,\"final_time\":%.6f,\"time_checksum\":%.9e}\n",
               (unsigned long long)pending, (unsigned long long)holds,
               (unsigned long long)seed, el.cpu, el.wall, rate, rate, ev.t, sum);
    else
        printf("hold: %llu pending, %llu holds in %.3f s CPU (%.3f s wall): %.2f M holds/s\n",
               (unsigned long long)pending, (unsigned long long)holds, el.cpu, el.wall,
               rate / 1e6);
    evq_free(q);
    gsl_rng_free(r);
    return 0;
oom:
    evq_free(q);
    gsl_rng_free(r);
    fprintf(stderr, "crucible bench hold: out of memory\n");
    return 1;
}

/* ---- mm1 ------------------------------------------------------------------------- */

enum { MM_ARRIVE = 0, MM_DEPART = 1, MM_BATCHES = 20 };

typedef struct mm_state {
    station st;
    gsl_rng *arrivals, *services;
    double lambda;
    uint64_t customers, arrived, warmup;
    uint64_t counted;          /* waits recorded after the warm-up                 */
    uint64_t per_batch;
    double batch_sum[MM_BATCHES];
    uint64_t batch_n[MM_BATCHES];
} mm_state;

/* Records the wait of the customer that has just entered service (in start order). */
static void mm_record(mm_state *m, double wait)
{
    if (m->arrived <= m->warmup)
        return;
    uint64_t b = m->counted / m->per_batch;
    if (b >= MM_BATCHES)
        b = MM_BATCHES - 1;
    m->batch_sum[b] += wait;
    m->batch_n[b]++;
    m->counted++;
}

static void mm_arrive(sim *s, const evq_event *ev, void *ctx)
{
    mm_state *m = ctx;
    m->arrived++;
    int r = station_arrive(&m->st, s->now, m->arrived);
    if (r == STATION_STARTED) {
        mm_record(m, 0.0);
        sim_after(s, gsl_ran_exponential(m->services, 1.0), MM_DEPART, 0, m->arrived);
    } else if (r != STATION_QUEUED) {
        sim_fail(s, CRC_ENOMEM);
        return;
    }
    if (m->arrived < m->customers)
        sim_after(s, gsl_ran_exponential(m->arrivals, 1.0 / m->lambda), MM_ARRIVE, 0, 0);
}

static void mm_depart(sim *s, const evq_event *ev, void *ctx)
{
    mm_state *m = ctx;
    station_job next;
    if (station_depart(&m->st, &next)) {
        mm_record(m, s->now - next.arrived);
        sim_after(s, gsl_ran_exponential(m->services, 1.0), MM_DEPART, 0, next.id);
    }
}

/* Erlang C: probability that an arrival waits in an M/M/c queue with offered load a =
 * lambda/mu (a < c), from the closed form with the terms a^k/k! built iteratively. */
static double erlang_c(unsigned c, double a)
{
    double term = 1.0, sum = 0.0;
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (double)(k + 1);
    }
    double last = term * (double)c / ((double)c - a); /* a^c/c! * 1/(1 - rho) */
    return last / (sum + last);
}

static void mm1_usage(FILE *f)
{
    fprintf(f, "usage: crucible bench mm1 --customers N --rho R [--servers C] [--seed S] "
               "[--json]\n"
               "  M/M/c queue on the engine: service rate 1, arrival rate R*C (0 < R < 1),\n"
               "  N customers (100..1e10). Prints the mean wait in queue against Erlang C.\n");
}

int bench_mm1(int argc, char **argv)
{
    uint64_t customers = 0, servers = 1, seed = 1;
    double rho = 0;
    int json = 0, have_rho = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            mm1_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--customers")) {
            if (!(v = opt_value("mm1", argc, argv, &i)) ||
                parse_u64("mm1", "--customers", v, 100, UINT64_C(10000000000), &customers))
                return 2;
        } else if (!strcmp(argv[i], "--servers")) {
            if (!(v = opt_value("mm1", argc, argv, &i)) ||
                parse_u64("mm1", "--servers", v, 1, 100000, &servers))
                return 2;
        } else if (!strcmp(argv[i], "--rho")) {
            if (!(v = opt_value("mm1", argc, argv, &i)) ||
                parse_real("mm1", "--rho", v, 0.0, 1.0, &rho))
                return 2;
            have_rho = 1;
        } else if (!strcmp(argv[i], "--seed")) {
            if (!(v = opt_value("mm1", argc, argv, &i)) ||
                parse_u64("mm1", "--seed", v, 0, UINT64_MAX, &seed))
                return 2;
        } else {
            fprintf(stderr, "crucible bench mm1: unknown option '%s'\n", argv[i]);
            mm1_usage(stderr);
            return 2;
        }
    }
    if (!customers || !have_rho) {
        fprintf(stderr, "crucible bench mm1: --customers and --rho are required\n");
        mm1_usage(stderr);
        return 2;
    }

    mm_state m;
    memset(&m, 0, sizeof m);
    station_init(&m.st, (uint32_t)servers);
    m.lambda = rho * (double)servers;
    m.customers = customers;
    m.warmup = customers / 10;
    m.per_batch = (customers - m.warmup) / MM_BATCHES;
    if (m.per_batch == 0)
        m.per_batch = 1;
    m.arrivals = rng_stream_alloc(seed, 0, 1);
    m.services = rng_stream_alloc(seed, 0, 2);
    sim s;
    int rc = sim_init(&s, 1024, &m);
    if (rc != 0 || !m.arrivals || !m.services) {
        fprintf(stderr, "crucible bench mm1: out of memory\n");
        rc = 1;
        goto done;
    }
    sim_on(&s, MM_ARRIVE, mm_arrive);
    sim_on(&s, MM_DEPART, mm_depart);
    sim_at(&s, gsl_ran_exponential(m.arrivals, 1.0 / m.lambda), MM_ARRIVE, 0, 0);
    stopwatch t0 = stopwatch_now();
    rc = sim_run(&s, INFINITY);
    stopwatch el = stopwatch_since(t0);
    if (rc != 0) {
        fprintf(stderr, "crucible bench mm1: the run failed (status %d)\n", rc);
        rc = 1;
        goto done;
    }
    double means[MM_BATCHES], total = 0;
    size_t nb = 0;
    for (size_t b = 0; b < MM_BATCHES; b++)
        if (m.batch_n[b]) {
            means[nb++] = m.batch_sum[b] / (double)m.batch_n[b];
            total += m.batch_sum[b];
        }
    double mean = m.counted ? total / (double)m.counted : 0.0;
    double se = nb > 1 ? gsl_stats_sd(means, 1, nb) / sqrt((double)nb) : NAN;
    double theory = erlang_c((unsigned)servers, m.lambda) / ((double)servers - m.lambda);
    double eps = el.cpu > 0 ? (double)s.events / el.cpu : INFINITY;
    double cps = el.cpu > 0 ? (double)customers / el.cpu : INFINITY;
    if (json)
        printf("{\"bench\":\"mm1\",\"customers\":%llu,\"rho\":%.6g,\"servers\":%llu,"
               "\"seed\":%llu,\"cpu_seconds\":%.6f,\"wall_seconds\":%.6f,\"events\":%llu,"
               "\"events_per_sec\":%.0f,"
               "\"customers_per_sec\":%.0f,\"mean_wait\":%.6g,\"wait_stderr\":%.3g,"
               "\"theory_wait\":%.6g,\"warmup_customers\":%llu}\n",
               (unsigned long long)customers, rho, (unsigned long long)servers,
               (unsigned long long)seed, el.cpu, el.wall, (unsigned long long)s.events, eps, cps, mean,
               se, theory, (unsigned long long)m.warmup);
    else
        printf("mm1: c=%llu rho=%.3g, %llu customers in %.3f s CPU (%.2f M events/s): "
               "mean wait %.4g +- %.2g (theory %.4g)\n",
               (unsigned long long)servers, rho, (unsigned long long)customers, el.cpu,
               eps / 1e6, mean, se, theory);
    rc = 0;
done:
    sim_free(&s);
    station_free(&m.st);
    gsl_rng_free(m.arrivals);
    gsl_rng_free(m.services);
    return rc;
}

/* ---- dispatch ---------------------------------------------------------------------- */

typedef struct bench_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} bench_entry;

static const bench_entry benches[] = {
    {"hold", bench_hold, "pending-event set: pop earliest, push back at t + Exp(1)"},
    {"mm1", bench_mm1, "M/M/c queue on the engine against Erlang C"},
    {"model", bench_model, "the whole marketplace model, baseline world scaled to --agents"},
    {"optim", bench_optim, "the attack search's optimisers on noisy test functions"},
    {NULL, NULL, NULL},
};

int cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage: crucible bench <what> [options] [--json]   "
                   "(crucible bench <what> --help)\n\n");
        for (const bench_entry *b = benches; b->name; b++)
            fprintf(f, "  %-8s %s\n", b->name, b->summary);
        return argc < 2 ? 2 : 0;
    }
    for (const bench_entry *b = benches; b->name; b++)
        if (!strcmp(argv[1], b->name))
            return b->fn(argc - 1, argv + 1);
    fprintf(stderr, "crucible bench: unknown benchmark '%s'; run 'crucible bench --help'\n",
            argv[1]);
    return 2;
}
