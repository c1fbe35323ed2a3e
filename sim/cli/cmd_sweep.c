/*
 * cmd_sweep.c — `crucible sweep [SWEEP.yaml] [-j N] [--out DB] [--resume] [--shard K/N]
 * [--dry-run] [--seed S] [--replicates R] [--base SCENARIO] [--set p=v]...
 * [--grid|--zip|--random|--lhs|--sobol|--morris p=SPEC]... [--samples N]
 * [--trajectories R] [--levels P] [--json] [--quiet]`: runs every (point, replicate) of a
 * design in worker processes and stores them in one results database (sim/sweep/,
 * docs/sweeps.md).
 *
 * Everything the user gave is checked (sweep file, base scenario, design) before any
 * file is created. Exit: 0 every run done; 1 some run failed (stored with its error;
 * --resume reruns it) or the database could not be written; 2 bad input.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sweep/design.h"
#include "sweep/sweep.h"
#include "sweep/sweepfile.h"
#include "table.h"

int cmd_sweep(int argc, char **argv); /* also declared by cli.h from commands.def */

static void usage(FILE *f)
{
    fputs("usage: crucible sweep [SWEEP.yaml] [-j N] [--out DB] [--resume] [--shard K/N]\n"
          "                      [--dry-run] [--seed S] [--replicates R] [--json] [--quiet]\n"
          "                      [--base SCENARIO] [--set path=value]...\n"
          "                      [--grid|--zip path=v1,v2,...|path=from:to:steps[:log]]...\n"
          "                      [--random|--lhs|--sobol|--morris path=min:max[:log]|"
          "path=normal:mean:sd]...\n"
          "                      [--samples N] [--trajectories R] [--levels P]\n\n"
          "Runs every point of a design over a base scenario, each for R replicates, in N\n"
          "worker processes, into one results database (default results/<sweep>.db).\n"
          "Run (point p, replicate r) runs on seed rng_derive_seed(S, p, r), so results do\n"
          "not depend on -j, shards or resuming. docs/sweeps.md has the file format.\n\n"
          "  -j, --jobs N     worker processes (default: the number of CPUs)\n"
          "  --out DB         results database\n"
          "  --resume         finish a sweep already in DB: run only what is not done\n"
          "  --shard K/N      run only runs with index mod N == K-1, into their own DB;\n"
          "                   join the shards with `crucible merge OUT.db SHARD.db...`\n"
          "  --dry-run        print the runs (run, point, replicate, seed, values) as TSV\n"
          "  --seed S         sweep seed (default: the sweep file's, else the base's)\n"
          "  --replicates R   replicates per point (default: the file's, else the base's)\n"
          "  --base SCENARIO  base scenario when no sweep file is given\n"
          "  --set p=v        fix a parameter of the base (repeatable)\n"
          "  --grid p=...     a design from the command line (replaces the file's design);\n"
          "                   flags of one kind only, repeatable for several parameters\n"
          "  --samples N      points of --random/--lhs; base samples of --sobol\n"
          "  --trajectories R, --levels P   Morris trajectories and grid levels (default 4)\n"
          "  --json           print what was done as one JSON object on stdout\n"
          "  --quiet          no progress and no summary line\n\n"
          "Exit status: 0 every run done, 1 some run failed (its error is in runs.error;\n"
          "--resume reruns it) or the database could not be written, 2 bad input.\n",
          f);
}

enum {
    OPT_DRY = CLI_BATCH_OPT_END, OPT_BASE, OPT_GRID, OPT_ZIP, OPT_RANDOM, OPT_LHS, OPT_SOBOL,
    OPT_MORRIS, OPT_SAMPLES, OPT_TRAJ, OPT_LEVELS
};

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_BATCH_LONGOPTS,
        {"dry-run", no_argument, NULL, OPT_DRY},
        {"base", required_argument, NULL, OPT_BASE},
        {"grid", required_argument, NULL, OPT_GRID},
        {"zip", required_argument, NULL, OPT_ZIP},
        {"random", required_argument, NULL, OPT_RANDOM},
        {"lhs", required_argument, NULL, OPT_LHS},
        {"sobol", required_argument, NULL, OPT_SOBOL},
        {"morris", required_argument, NULL, OPT_MORRIS},
        {"samples", required_argument, NULL, OPT_SAMPLES},
        {"trajectories", required_argument, NULL, OPT_TRAJ},
        {"levels", required_argument, NULL, OPT_LEVELS},
        {NULL, 0, NULL, 0},
    };
    crc_err err;
    crc_err_clear(&err);
    sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    sweep_plan plan;
    memset(&plan, 0, sizeof plan);
    sweep_opts so;
    memset(&so, 0, sizeof so);
    int dry = 0, rc = CRC_OK, exit_code = -1;
    const char *base = NULL;
    unsigned long long samples = 0, traj = 0, levels = 0;
    /* Design flags and --set are applied after the sweep file is read. */
    char **flag_arg = calloc((size_t)argc + 1, sizeof *flag_arg);
    int *flag_kind = calloc((size_t)argc + 1, sizeof *flag_kind);
    size_t n_flags = 0;
    cli_batch bo;
    if (cli_batch_init(&bo, "sweep", argc, 1000000, &err) || !flag_arg || !flag_kind) {
        rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
        goto fail;
    }
    optind = 1;
    opterr = 0;
    int c;
    while (rc == CRC_OK && !bo.help &&
           (c = getopt_long(argc, argv, CLI_BATCH_SHORTOPTS, opts, NULL)) != -1) {
        if ((rc = cli_batch_opt(&bo, c, optarg, argv, optind, &err)) != 1)
            continue;
        rc = CRC_OK;
        switch (c) {
        case OPT_DRY: dry = 1; break;
        case OPT_BASE: base = optarg; break;
        case OPT_GRID: case OPT_ZIP: case OPT_RANDOM: case OPT_LHS: case OPT_SOBOL:
        case OPT_MORRIS:
            flag_kind[n_flags] = c == OPT_GRID     ? DESIGN_GRID
                                 : c == OPT_ZIP    ? DESIGN_ZIP
                                 : c == OPT_RANDOM ? DESIGN_RANDOM
                                 : c == OPT_LHS    ? DESIGN_LHS
                                 : c == OPT_SOBOL  ? DESIGN_SOBOL
                                                   : DESIGN_MORRIS;
            flag_arg[n_flags++] = optarg;
            break;
        case OPT_SAMPLES:
            rc = cli_opt_ulong("--samples", optarg, 1, 100000000, &samples, &err);
            break;
        case OPT_TRAJ:
            rc = cli_opt_ulong("--trajectories", optarg, 1, 10000000, &traj, &err);
            break;
        case OPT_LEVELS: rc = cli_opt_ulong("--levels", optarg, 2, 1000, &levels, &err); break;
        default: rc = cli_bad_option(&err, "sweep", argv[optind - 1]); break;
        }
    }
    if (rc == CRC_OK && bo.help) {
        usage(stdout);
        goto done;
    }
    if (rc != CRC_OK)
        goto fail;
    if (argc - optind > 1) {
        rc = crc_err_set(&err, CRC_EINPUT,
                         "one sweep file at most (got '%s' and '%s'); see crucible sweep --help",
                         argv[optind], argv[optind + 1]);
        goto fail;
    }
    if (optind < argc) {
        if ((rc = sweepfile_load(&spec, argv[optind], &err)) != CRC_OK)
            goto fail;
        if (base)
            snprintf(spec.base, sizeof spec.base, "%s", base);
    } else {
        if (!base) {
            usage(stderr);
            rc = crc_err_set(&err, CRC_EINPUT,
                             "give a sweep file, or --base SCENARIO with design flags");
            goto fail;
        }
        snprintf(spec.base, sizeof spec.base, "%s", base);
        const char *slash = strrchr(base, '/');
        snprintf(spec.name, sizeof spec.name, "%s-sweep", slash ? slash + 1 : base);
        char *dot = strstr(spec.name, ".yaml");
        if (dot)
            memmove(dot, dot + 5, strlen(dot + 5) + 1);
    }
    for (size_t i = 0; i < n_flags && rc == CRC_OK; i++)
        rc = sweepfile_cli_factor(&spec, flag_kind[i], flag_arg[i], &err);
    for (size_t i = 0; i < bo.n_sets && rc == CRC_OK; i++)
        rc = sweepfile_add_set(&spec, bo.sets[i], &err);
    if (rc != CRC_OK)
        goto fail;
    if (samples)
        spec.design.samples = (size_t)samples;
    if (traj)
        spec.design.trajectories = (size_t)traj;
    if (levels)
        spec.design.levels = (size_t)levels;
    if (bo.has_seed) {
        spec.seed = bo.seed;
        spec.has_seed = 1;
    }
    if (bo.replicates)
        spec.replicates = bo.replicates;
    if ((rc = sweep_plan_init(&plan, &spec, &err)) != CRC_OK)
        goto fail;
    if (!bo.quiet)
        cli_warn_large(plan.base.path, &plan.base);
    if (dry) {
        sweep_dry_run(&plan, bo.shard_k, bo.shard_n, stdout);
        goto done;
    }
    char outbuf[1200];
    const char *out = bo.out;
    if (!out) {
        /* The name becomes a file name: no directories, no spaces. */
        char safe[sizeof spec.name];
        snprintf(safe, sizeof safe, "%s", spec.name);
        for (char *ch = safe; *ch; ch++)
            if (*ch == '/' || *ch == ' ' || *ch == '\\')
                *ch = '_';
        cli_batch_default_out(&bo, safe, outbuf, sizeof outbuf);
        out = outbuf;
    }
    so.jobs = bo.jobs;
    so.resume = bo.resume;
    so.shard_k = bo.shard_k;
    so.shard_n = bo.shard_n;
    so.out = out;
    so.progress = cli_batch_progress(&bo);
    sweep_stats st;
    rc = sweep_exec(&plan, &so, &st, &err);
    if (rc != CRC_OK) {
        exit_code = cli_report("sweep", &err);
        if (st.done + st.failed > 0 && !so.resume) /* e.g. a full disk mid-sweep */
            fprintf(stderr,
                    "crucible sweep: %zu runs were stored in %s, each whole; run the same "
                    "command with --resume to run the rest\n",
                    st.done + st.failed, out);
        goto done;
    }
    size_t computed = st.done + st.failed;
    double rate = st.wall_seconds > 0 ? (double)computed / st.wall_seconds : 0;
    double share = st.wall_seconds > 0 ? st.store_seconds / st.wall_seconds : 0;
    if (bo.json) {
        printf("{\"sweep\": ");
        table_json_string(stdout, spec.name);
        printf(", \"hash\": \"%s\", \"db\": ", plan.hash);
        table_json_string(stdout, out);
        printf(", \"design\": \"%s\", \"points\": %zu, \"replicates\": %ld, \"shard\": "
               "\"%ld/%ld\", \"jobs\": %d, \"runs\": %zu, \"skipped\": %zu, \"done\": %zu, "
               "\"failed\": %zu, \"wall_seconds\": %.6f, \"runs_per_second\": %.6f, "
               "\"compute_seconds\": %.6f, \"store_seconds\": %.6f, \"store_share\": %.6f, "
               "\"workers_cpu_seconds\": %.6f, \"store_cpu_seconds\": %.6f, "
               "\"store_cpu_share\": %.6f}\n",
               design_kind_name(spec.design.kind), plan.n_points, plan.replicates, so.shard_k,
               so.shard_n, so.jobs, st.runs, st.skipped, st.done, st.failed, st.wall_seconds,
               rate, st.compute_seconds, st.store_seconds, share, st.workers_cpu_seconds,
               st.store_cpu_seconds,
               st.workers_cpu_seconds + st.store_cpu_seconds > 0
                   ? st.store_cpu_seconds / (st.workers_cpu_seconds + st.store_cpu_seconds)
                   : 0.0);
    } else if (!bo.quiet) {
        fprintf(stderr,
                "crucible sweep: %s: %zu runs (%zu already done), %zu done, %zu failed in "
                "%.2f s (%.2f runs/s, %.1f%% of the time storing) -> %s\n",
                spec.name, st.runs, st.skipped, st.done, st.failed, st.wall_seconds, rate,
                100 * share, out);
    }
    if (st.failed) {
        fprintf(stderr,
                "crucible sweep: %zu run%s failed (stored with status 'failed' and their error: "
                "sqlite3 %s \"SELECT point, replicate, error FROM runs WHERE status='failed'\"); "
                "--resume runs %s again\n",
                st.failed, st.failed == 1 ? "" : "s", out, st.failed == 1 ? "it" : "them");
        rc = CRC_EFAIL;
    }
    goto done;
fail:
    exit_code = cli_report("sweep", &err);
done:
    sweep_plan_free(&plan);
    sweepfile_free(&spec);
    free(flag_arg);
    free(flag_kind);
    cli_batch_free(&bo);
    return exit_code >= 0 ? exit_code : crc_exit_code(rc);
}
