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
 *
 * --repeat R runs the same world R times, one after another in this process. A shared
 * machine's speed drifts from minute to minute, and a short run can fall entirely in a
 * slow minute; R runs give the spread. events_per_sec and cpu_seconds are then the
 * median run's, seconds and events_per_wall_sec the mean wall time per run's, and the
 * JSON adds every run's CPU seconds, the fastest and slowest run's rate and the pooled
 * rate (all events over all CPU seconds). The peak RSS is over all R runs. Every run must give the same number of
 * events (same world, same seed); a run that does not is an error.
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

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "model/model.h"
#include "model/world/world.h"

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
    fprintf(f, "usage: crucible bench model [--agents N] [--days D] [--seed S] [--repeat R] [--check]\n"
               "                             [--json]\n"
               "  Runs the baseline world scaled to N agents (default 3260) for D days\n"
               "  (default 365), R times (default 1). Prints events per CPU second (the\n"
               "  median run's) and peak memory.\n");
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
    double agents = 3260, days = 365, seed = 1, repeat = 1;
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
        } else if (!strcmp(o, "--agents") || !strcmp(o, "--days") || !strcmp(o, "--seed") ||
                   !strcmp(o, "--repeat")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crucible bench model: %s needs a value\n", o);
                return 2;
            }
            const char *v = argv[++i];
            int rc = !strcmp(o, "--agents") ? parse_num(o, v, 10, 1e8, &agents)
                   : !strcmp(o, "--days")   ? parse_num(o, v, 1, 36500, &days)
                   : !strcmp(o, "--repeat") ? parse_num(o, v, 1, 1000, &repeat)
                                            : parse_num(o, v, 0, 9007199254740992.0, &seed);
            if (!rc && !strcmp(o, "--repeat") && repeat != floor(repeat)) {
                fprintf(stderr, "crucible bench model: --repeat must be a whole number of runs, "
                                "got '%s'\n", v);
                rc = 2;
            }
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

    unsigned R = (unsigned)repeat;
    double *cpu = malloc(2 * R * sizeof *cpu);
    if (!cpu) {
        fprintf(stderr, "crucible bench model: out of memory\n");
        return 1;
    }
    double *sorted = cpu + R;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss0 = (double)ru.ru_maxrss * 1024.0; /* the program before the world exists */
    bm_sink b = {0, 0, 0};
    double wall = 0, events = 0;
    for (unsigned k = 0; k < R; k++) {
        b = (bm_sink){0, 0, 0};
        crc_sink sink = {&b, NULL, bm_summary, NULL, NULL};
        model_input in;
        memset(&in, 0, sizeof in);
        in.params = &p;
        in.seed = (uint64_t)seed;
        in.check = check;
        crc_err err;
        crc_err_clear(&err);
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
        int rc = model_run(&in, &sink, &err);
        cpu[k] = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        wall += now_s(CLOCK_MONOTONIC) - w0;
        if (rc) {
            char buf[2048];
            fprintf(stderr, "crucible bench model: %s\n", crc_err_format(&err, buf, sizeof buf));
            free(cpu);
            return crc_exit_code(rc);
        }
        if (k > 0 && b.events != events) {
            fprintf(stderr,
                    "crucible bench model: run %u of the same world and seed gave %.0f events, "
                    "run 1 gave %.0f: the model is not reproducible; please report it\n",
                    k + 1, b.events, events);
            free(cpu);
            return 1;
        }
        events = b.events;
    }
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss * 1024.0;
    double most = fmax(n0, b.agents_end);
    double total = 0;
    for (unsigned k = 0; k < R; k++) {
        sorted[k] = cpu[k];
        total += cpu[k];
    }
    gsl_sort(sorted, 1, R);
    double med = gsl_stats_median_from_sorted_data(sorted, 1, R);
    double eps = med > 0 ? events / med : INFINITY;
    wall /= R;
    if (json) {
        printf("{\"bench\":\"model\",\"agents\":%.0f,\"days\":%g,\"seed\":%.0f,\"events\":%.0f,"
               "\"queries\":%.0f,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"events_per_sec\":%.0f,"
               "\"events_per_wall_sec\":%.0f,\"peak_rss_bytes\":%.0f,\"bytes_per_agent\":%.1f,"
               "\"agents_end\":%.0f,\"bytes_per_agent_end\":%.1f,\"base_rss_bytes\":%.0f,"
               "\"model_bytes_per_agent_end\":%.1f,\"repeat\":%u,\"events_per_sec_min\":%.0f,"
               "\"events_per_sec_max\":%.0f,\"events_per_sec_pooled\":%.0f,\"cpu_seconds_runs\":[",
               n0, days, seed, events, b.queries, wall, med, eps, wall > 0 ? events / wall : 0, rss,
               rss / n0, b.agents_end, rss / most, rss0, (rss - rss0) / most, R,
               events / sorted[R - 1], events / sorted[0], total > 0 ? R * events / total : 0);
        for (unsigned k = 0; k < R; k++)
            printf("%s%.6f", k ? "," : "", cpu[k]);
        printf("]}\n");
    } else {
        printf("model: %.0f agents, %g days: %.0f events in %.3f s CPU (%.3f s wall): "
               "%.2f M events/s; peak RSS %.1f MB (%.0f bytes/agent)\n",
               n0, days, events, med, wall, eps / 1e6, rss / 1048576.0, rss / n0);
        if (R > 1)
            printf("  median of %u runs; fastest %.2f, slowest %.2f, pooled %.2f M events/s\n", R,
                   events / sorted[0] / 1e6, events / sorted[R - 1] / 1e6,
                   R * events / total / 1e6);
    }
    free(cpu);
    return 0;
}
