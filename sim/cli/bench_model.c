/*
 * bench_model.c — `crucible bench model`: the whole marketplace model end to end.
 *
 *   crucible bench model --agents N --days D [--seed S] [--json]
 *
 * Runs the baseline world (wld_baseline: the registry defaults plus the baseline's
 * token settings, as in scenarios/baseline.yaml) scaled to N agents at t = 0: every
 * population count, every entry rate, the consumers' arrival rate, the emission rate
 * and the genesis supply are multiplied by N / (the baseline's agent count), so each
 * agent faces the same economics at every scale. Metrics go to a sink that keeps only
 * the summary (the benchmark measures the model, not storage). Prints events_per_sec
 * (events / CPU seconds, the machine may be shared), wall and CPU seconds, agents
 * (at t = 0) and agents_end (alive at the end: entry grows populations), days,
 * peak_rss_bytes (getrusage), and bytes per agent at t = 0 and at the end (the peak
 * divided by the larger population: populations grow by entry over a year, and the
 * peak comes with the largest population).
 */
#include "cli/bench.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "model/model.h"
#include "model/world.h"

typedef struct bm_sink {
    double events, agents_end, queries;
} bm_sink;

static int bm_summary(void *ctx, const char *name, double v)
{
    bm_sink *b = ctx;
    if (!strcmp(name, "events"))
        b->events = v;
    else if (!strncmp(name, "final.active.", 13) || !strcmp(name, "final.consumers"))
        b->agents_end += v; /* agents alive at the end (populations grow by entry) */
    else if (!strcmp(name, "queries_total"))
        b->queries = v;
    return 0;
}

static double now_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: crucible bench model [--agents N] [--days D] [--seed S] [--check] [--json]\n"
               "  Runs the baseline world scaled to N agents (default 3260) for D days\n"
               "  (default 365). Prints events per CPU second and peak memory.\n");
}

static int parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "crucible bench model: %s must be a number in [%g, %g], got '%s'\n", opt,
                lo, hi, v);
        return 2;
    }
    *out = x;
    return 0;
}

int bench_model(int argc, char **argv)
{
    double agents = 3260, days = 365, seed = 1;
    int json = 0, check = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(o, "--json")) {
            json = 1;
        } else if (!strcmp(o, "--check")) {
            check = 1;
        } else if (!strcmp(o, "--agents") || !strcmp(o, "--days") || !strcmp(o, "--seed")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crucible bench model: %s needs a value\n", o);
                return 2;
            }
            const char *v = argv[++i];
            int rc = !strcmp(o, "--agents") ? parse_num(o, v, 10, 1e8, &agents)
                   : !strcmp(o, "--days")   ? parse_num(o, v, 1, 36500, &days)
                                            : parse_num(o, v, 0, 9007199254740992.0, &seed);
            if (rc)
                return rc;
        } else {
            fprintf(stderr, "crucible bench model: unknown option '%s'\n", o);
            usage(stderr);
            return 2;
        }
    }
    crc_params p;
    wld_baseline(&p);
    double base = wld_baseline_agents(&p);
    wld_scale(&p, agents / base);
    p.world_horizon = days;
    p.world_flows_every = 0;
    double n0 = wld_baseline_agents(&p);

    bm_sink b = {0, 0, 0};
    crc_sink sink = {&b, NULL, bm_summary, NULL, NULL};
    model_input in;
    memset(&in, 0, sizeof in);
    in.params = &p;
    in.seed = (uint64_t)seed;
    in.check = check;
    crc_err err;
    crc_err_clear(&err);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss0 = (double)ru.ru_maxrss * 1024.0; /* the program before the world exists */
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    int rc = model_run(&in, &sink, &err);
    double wall = now_s(CLOCK_MONOTONIC) - w0, cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (rc) {
        char buf[2048];
        fprintf(stderr, "crucible bench model: %s\n", crc_err_format(&err, buf, sizeof buf));
        return crc_exit_code(rc);
    }
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss * 1024.0;
    double most = fmax(n0, b.agents_end);
    double eps = cpu > 0 ? b.events / cpu : INFINITY;
    if (json)
        printf("{\"bench\":\"model\",\"agents\":%.0f,\"days\":%g,\"seed\":%.0f,\"events\":%.0f,"
               "\"queries\":%.0f,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"events_per_sec\":%.0f,"
               "\"events_per_wall_sec\":%.0f,\"peak_rss_bytes\":%.0f,\"bytes_per_agent\":%.1f,"
               "\"agents_end\":%.0f,\"bytes_per_agent_end\":%.1f,\"base_rss_bytes\":%.0f,"
               "\"model_bytes_per_agent_end\":%.1f}\n",
               n0, days, seed, b.events, b.queries, wall, cpu, eps, wall > 0 ? b.events / wall : 0,
               rss, rss / n0, b.agents_end, rss / most, rss0, (rss - rss0) / most);
    else
        printf("model: %.0f agents, %g days: %.0f events in %.3f s CPU (%.3f s wall): "
               "%.2f M events/s; peak RSS %.1f MB (%.0f bytes/agent)\n",
               n0, days, b.events, cpu, wall, eps / 1e6, rss / 1048576.0, rss / n0);
    return 0;
}
