/*
 * cmd_sensitivity.c — `crucible sensitivity DB`: Sobol first-order (Saltelli 2010) and
 * total-order (Jansen) indices with bootstrap intervals from a sobol sweep, or Morris
 * μ*, μ and σ from a morris sweep, for each requested metric (analysis/sensdb.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adb.h"
#include "cli/cli.h"
#include "sensdb.h"
#include "table.h"

static void usage(FILE *f)
{
    fputs("usage: crucible sensitivity DB [--metric M]... [--boot B] [--seed S] [--level 0.95]\n"
          "                             [--format table|csv|markdown|json]\n\n"
          "Global sensitivity of metrics to the swept parameters. From a sobol sweep:\n"
          "first-order index S1 (share of the output variance explained by the parameter\n"
          "alone; Saltelli 2010 estimator) and total-order index ST (including all its\n"
          "interactions; Jansen estimator), with percentile-bootstrap intervals (B resamples,\n"
          "default 1000, seed S, default 1). From a morris sweep: mu* (mean absolute\n"
          "elementary effect: importance), mu (signed mean) and sigma (non-linearity or\n"
          "interactions), in metric units per full range of the parameter.\n"
          "Each point's output is the mean over its replicates of the run's final value.\n",
          f);
}

int cmd_sensitivity(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'm'}, {"boot", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},   {"level", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char **metrics = NULL;
    size_t n_metrics = 0, n_boot = 1000;
    unsigned long long seed = 1;
    int fmt = TABLE_TEXT;
    double level = 0.95;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    unsigned long long num = 0;
    while ((c = getopt_long(argc, argv, "m:b:s:l:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (cli_opt_names(optarg, &metrics, &n_metrics, &err))
                goto out;
            break;
        case 'b':
            if (cli_opt_ulong("--boot", optarg, 0, 100000, &num, &err))
                goto out;
            n_boot = (size_t)num;
            break;
        case 's':
            if (cli_opt_ulong("--seed", optarg, 0, UINT64_MAX, &seed, &err))
                goto out;
            break;
        case 'l':
            if (cli_opt_level(optarg, &level, &err))
                goto out;
            break;
        case 'f':
            if (cli_opt_format(optarg, &fmt, &err))
                goto out;
            break;
        case 'h': usage(stdout); adb_strings_free(metrics, n_metrics); return 0;
        default:
            cli_bad_option(&err, "sensitivity", argv[optind - 1]);
            goto out;
        }
    }
    if (optind != argc - 1) {
        crc_err_set(&err, CRC_EINPUT, "give exactly one results database of a sobol or morris "
                    "sweep (got %d); see 'crucible sensitivity --help'", argc - optind);
        goto out;
    }
    adb d;
    if (adb_open(&d, argv[optind], &err))
        goto out;
    if (!n_metrics && adb_key_metrics(&d, &metrics, &n_metrics, &err)) {
        adb_close(&d);
        goto out;
    }
    table t;
    table_init(&t);
    /* One warning (or note) per metric whose Sobol sample is too small or imprecise
     * (sensdb_sobol_check). */
    char (*warn)[460] = calloc(n_metrics ? n_metrics : 1, sizeof *warn);
    size_t n_warn = 0;
    if (!warn) {
        crc_err_set(&err, CRC_ENOMEM, "out of memory");
        n_metrics = 0;
    }
    int kind = -1;
    size_t n_design = 0, reps = 0;
    for (size_t m = 0; m < n_metrics; m++) {
        sensdb_result r;
        if (sensdb_compute(&d, metrics[m], n_boot, level, seed, &r, &err))
            break;
        if (kind < 0) {
            kind = r.kind;
            n_design = r.n;
            reps = r.replicates;
            table_col(&t, "metric", 0);
            table_col(&t, "parameter", 0);
            if (kind == SENSDB_SOBOL) {
                const char *cols[] = {"S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"};
                for (int i = 0; i < 6; i++)
                    table_col(&t, cols[i], 1);
            } else {
                const char *cols[] = {"r", "mu_star", "mu", "sigma"};
                for (int i = 0; i < 4; i++)
                    table_col(&t, cols[i], 1);
            }
        }
        for (size_t j = 0; j < r.k; j++) {
            table_cell(&t, "%s", metrics[m]);
            table_cell(&t, "%s", r.params[j]);
            if (kind == SENSDB_SOBOL) {
                const sens_sobol_idx *s = &r.sobol[j];
                table_num(&t, s->s1);
                table_num(&t, s->s1_lo);
                table_num(&t, s->s1_hi);
                table_num(&t, s->st);
                table_num(&t, s->st_lo);
                table_num(&t, s->st_hi);
            } else {
                const sens_morris_idx *s = &r.morris[j];
                table_cell(&t, "%zu", s->r);
                table_num(&t, s->mu_star);
                table_num(&t, s->mu);
                table_num(&t, s->sigma);
            }
        }
        sensdb_check chk;
        sensdb_sobol_check(&r, &chk);
        if (*chk.msg)
            snprintf(warn[n_warn++], sizeof *warn, "%s: %s", metrics[m], chk.msg);
        sensdb_free(&r);
    }
    if (!err.code) {
        const char *kn = kind == SENSDB_SOBOL ? "sobol" : "morris";
        if (fmt == TABLE_JSON) {
            printf("{\"database\": ");
            table_json_string(stdout, d.path);
            printf(", \"design\": \"%s\", \"%s\": %zu, \"replicates_per_point\": %zu, "
                   "\"level\": %g, \"boot\": %zu, \"seed\": %llu,\n \"indices\": ",
                   kn, kind == SENSDB_SOBOL ? "base_samples" : "trajectories", n_design, reps,
                   level, n_boot, seed);
            table_print(&t, stdout, TABLE_JSON);
            printf(",\n \"warnings\": [");
            for (size_t w = 0; w < n_warn; w++) {
                printf("%s", w ? ", " : "");
                table_json_string(stdout, warn[w]);
            }
            printf("]}\n");
        } else if (fmt == TABLE_CSV) {
            table_print(&t, stdout, TABLE_CSV);
            for (size_t w = 0; w < n_warn; w++) /* the CSV stays data only */
                fprintf(stderr, "%s\n", warn[w]);
        } else {
            if (kind == SENSDB_SOBOL)
                printf("%s: sobol sweep, N = %zu base samples, %zu+ replicates per point. "
                       "S1: first order (Saltelli 2010), ST: total order (Jansen); %g%% "
                       "percentile bootstrap intervals, %zu resamples, seed %llu.\n\n",
                       d.path, n_design, reps, 100 * level, n_boot, seed);
            else
                printf("%s: morris sweep, r = %zu trajectories, %zu+ replicates per point. "
                       "mu*: mean |elementary effect|, mu: mean effect, sigma: sd of effects; "
                       "metric units per full parameter range.\n\n",
                       d.path, n_design, reps);
            table_print(&t, stdout, (table_format)fmt);
            for (size_t w = 0; w < n_warn; w++)
                printf("%s%s\n", w ? "" : "\n", warn[w]);
        }
    }
    free(warn);
    table_free(&t);
    adb_close(&d);
out:
    adb_strings_free(metrics, n_metrics);
    return err.code ? cli_report(argv[0], &err) : 0;
}
