/*
 * cmd_compare.c — `crucible compare BASE.db PROPOSAL.db`: for each key metric the
 * difference of means (proposal − baseline) with its Welch interval, Welch's t-test and
 * the Mann–Whitney U p-values, Cliff's delta and Cohen's d; criteria pass rates side by
 * side with Wilson intervals. Reads only the two results databases.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adb.h"
#include "cli/cli.h"
#include "stats.h"
#include "table.h"


static void usage(FILE *f)
{
    fputs("usage: crucible compare BASE.db PROPOSAL.db [--metric M]... [--stat end|mean|max|min]\n"
          "                        [--level 0.95] [--format table|csv|markdown|json]\n\n"
          "Compares a proposal with a baseline, metric by metric, over their replicates:\n"
          "difference of means (proposal - baseline) with a Welch confidence interval,\n"
          "Welch's t-test and Mann-Whitney U p-values (two-sided), Cliff's delta and\n"
          "Cohen's d; and each criterion's pass rate in both, with Wilson intervals.\n"
          "Default metrics: the key metrics (docs/analysis.md) present in the baseline.\n",
          f);
}


int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'm'}, {"format", required_argument, NULL, 'f'},
        {"stat", required_argument, NULL, 's'},   {"level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    char **metrics = NULL;
    size_t n_metrics = 0;
    int fmt = TABLE_TEXT, stat = ADB_END;
    double level = 0.95;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "m:f:s:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (cli_opt_names(optarg, &metrics, &n_metrics, &err))
                goto out;
            break;
        case 'f':
            if (cli_opt_format(optarg, &fmt, &err))
                goto out;
            break;
        case 's':
            if (cli_opt_stat(optarg, &stat, &err))
                goto out;
            break;
        case 'l':
            if (cli_opt_level(optarg, &level, &err))
                goto out;
            break;
        case 'h': usage(stdout); adb_strings_free(metrics, n_metrics); return 0;
        default:
            cli_bad_option(&err, "compare", argv[optind - 1]);
            goto out;
        }
    }
    if (optind != argc - 2) {
        crc_err_set(&err, CRC_EINPUT, "give two results databases, the baseline then the "
                    "proposal (got %d); see 'crucible compare --help'", argc - optind);
        goto out;
    }

    adb base = {0}, prop = {0};
    table tm, tc, tn;
    table_init(&tm);
    table_init(&tc);
    table_init(&tn);
    table_col(&tn, "metric", 0);
    table_col(&tn, "database", 0);
    table_col(&tn, "infinite_runs", 1);
    table_col(&tn, "runs", 1);
    double *va = NULL, *vb = NULL, *work = NULL;
    int *pa = NULL, *pb = NULL;
    char **crit = NULL;
    size_t n_crit = 0;
    if (adb_open(&base, argv[optind], &err) || adb_open(&prop, argv[optind + 1], &err))
        goto done;
    if (!base.n_runs || !prop.n_runs) {
        crc_err_set(&err, CRC_EINPUT, "%s: no finished run to compare"
                    ADB_NO_RUN_FIX,
                    base.n_runs ? prop.path : base.path);
        goto done;
    }
    if (!n_metrics && adb_key_metrics(&base, &metrics, &n_metrics, &err))
        goto done;
    va = malloc(base.n_runs * sizeof *va);
    vb = malloc(prop.n_runs * sizeof *vb);
    work = malloc(2 * (base.n_runs + prop.n_runs) * sizeof *work);
    pa = malloc(base.n_runs * sizeof *pa);
    pb = malloc(prop.n_runs * sizeof *pb);
    if (!va || !vb || !work || !pa || !pb) {
        crc_err_set(&err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    table_col(&tm, "metric", 0);
    table_col(&tm, "stat", 0);
    const char *mcols[] = {"n_base", "mean_base", "n_prop", "mean_prop", "diff", "diff_lo",
                           "diff_hi", "welch_p", "mw_p", "cliff_delta", "cohen_d"};
    for (size_t i = 0; i < sizeof mcols / sizeof *mcols; i++)
        table_col(&tm, mcols[i], 1);
    size_t shown = 0;
    for (size_t m = 0; m < n_metrics; m++) {
        int sa = 0, sb = 0;
        crc_err e2;
        if (adb_run_values(&base, metrics[m], (adb_stat)stat, va, &sa, &err))
            goto done;
        if (adb_run_values(&prop, metrics[m], (adb_stat)stat, vb, &sb, &e2)) {
            fprintf(stderr, "crucible compare: skipping %s: %s\n", metrics[m], e2.msg);
            continue;
        }
        size_t ia = 0, ib = 0;
        size_t na = stats_finite(va, base.n_runs, &ia), nb = stats_finite(vb, prop.n_runs, &ib);
        const adb *side[2] = {&base, &prop};
        size_t inf[2] = {ia, ib};
        for (int q = 0; q < 2; q++)
            if (inf[q]) {
                table_cell(&tn, "%s", metrics[m]);
                table_cell(&tn, "%s", side[q]->path);
                table_cell(&tn, "%zu", inf[q]);
                table_cell(&tn, "%zu", side[q]->n_runs);
            }
        stats_welch w;
        stats_mw mw;
        stats_welch_test(va, na, vb, nb, level, &w);
        if (stats_mann_whitney(va, na, vb, nb, work, &mw) && na && nb) {
            crc_err_set(&err, CRC_ENOMEM, "out of memory");
            goto done;
        }
        double ma = NAN, mb = NAN;
        if (na) {
            ma = 0;
            for (size_t i = 0; i < na; i++)
                ma += va[i] / (double)na;
        }
        mb = na && nb ? ma + w.diff : NAN;
        table_cell(&tm, "%s", metrics[m]);
        table_cell(&tm, "%s", sa || sb ? "summary" : cli_stat_names[stat]);
        table_cell(&tm, "%zu", na);
        table_num(&tm, ma);
        table_cell(&tm, "%zu", nb);
        table_num(&tm, mb);
        table_num(&tm, w.diff);
        table_num(&tm, w.ci_lo);
        table_num(&tm, w.ci_hi);
        table_num(&tm, w.p);
        table_num(&tm, mw.p);
        table_num(&tm, stats_cliff_delta(va, na, vb, nb));
        table_num(&tm, stats_cohen_d(va, na, vb, nb));
        cli_warn_gsl("compare", metrics[m]);
        shown++;
    }
    if (!shown) {
        crc_err_set(&err, CRC_EINPUT, "no metric is present in both databases");
        goto done;
    }

    /* Criteria: the union of both databases' names; a side without it shows n = 0. */
    {
        char **cb = NULL, **cp = NULL;
        size_t nb = 0, np = 0;
        crc_err e2;
        adb_names(&base, "criteria", &cb, &nb, &e2);
        adb_names(&prop, "criteria", &cp, &np, &e2);
        crit = calloc(nb + np + 1, sizeof *crit);
        for (size_t i = 0; crit && i < nb + np; i++) {
            char *s = i < nb ? cb[i] : cp[i - nb];
            int dup = 0;
            for (size_t j = 0; j < n_crit; j++)
                dup |= !strcmp(crit[j], s);
            if (!dup)
                crit[n_crit++] = strdup(s);
        }
        adb_strings_free(cb, nb);
        adb_strings_free(cp, np);
    }
    table_col(&tc, "criterion", 0);
    const char *ccols[] = {"n_base", "p_base", "base_lo", "base_hi",
                           "n_prop", "p_prop", "prop_lo", "prop_hi"};
    for (size_t i = 0; i < 8; i++)
        table_col(&tc, ccols[i], 1);
    for (size_t k = 0; k < n_crit; k++) {
        const adb *dbs[2] = {&base, &prop};
        int *ps[2] = {pa, pb};
        table_cell(&tc, "%s", crit[k]);
        for (int s = 0; s < 2; s++) {
            crc_err e2;
            size_t n = 0, ok = 0;
            if (adb_criterion(dbs[s], crit[k], ps[s], &e2) == CRC_OK)
                for (size_t r = 0; r < dbs[s]->n_runs; r++)
                    if (ps[s][r] >= 0) {
                        n++;
                        ok += (size_t)ps[s][r];
                    }
            stats_prop p;
            stats_wilson(ok, n, level, &p);
            table_cell(&tc, "%zu", n);
            table_num(&tc, p.p);
            table_num(&tc, p.lo);
            table_num(&tc, p.hi);
        }
    }

    if (fmt == TABLE_JSON) {
        printf("{\"baseline\": ");
        table_json_string(stdout, base.path);
        printf(", \"proposal\": ");
        table_json_string(stdout, prop.path);
        printf(", \"level\": %g, \"value_per_run\": ", level);
        table_json_string(stdout, cli_stat_names[stat]);
        printf(", \"diff\": \"proposal - baseline\", \"effect_size\": \"cliff_delta\",\n"
               " \"metrics\": ");
        table_print(&tm, stdout, TABLE_JSON);
        printf(",\n \"criteria\": ");
        table_print(&tc, stdout, TABLE_JSON);
        printf(",\n \"non_finite\": ");
        table_print(&tn, stdout, TABLE_JSON);
        printf("}\n");
    } else if (fmt == TABLE_CSV) {
        table_print(&tm, stdout, TABLE_CSV);
        if (n_crit) {
            putchar('\n');
            table_print(&tc, stdout, TABLE_CSV);
        }
    } else {
        int md = fmt == TABLE_MARKDOWN;
        printf("Baseline %s (%zu runs, %zu failed excluded) vs proposal %s (%zu runs, %zu "
               "failed excluded).\nEach run counts once (%s value). diff = proposal - "
               "baseline with a %g%% Welch interval; p-values two-sided: Welch's t-test and "
               "Mann-Whitney U (exact when both sides have <= 20 runs and no ties, else normal "
               "with tie correction). Effect size: Cliff's delta (share of pairs where the "
               "proposal is higher minus lower); Cohen's d for reference.\n\n",
               base.path, base.n_runs, base.n_failed, prop.path, prop.n_runs, prop.n_failed,
               cli_stat_names[stat], 100 * level);
        printf(md ? "### Metrics\n\n" : "Metrics\n");
        table_print(&tm, stdout, (table_format)fmt);
        if (n_crit) {
            printf(md ? "\n### Criteria (pass probability)\n\n"
                      : "\nCriteria (pass probability)\n");
            table_print(&tc, stdout, (table_format)fmt);
        }
    }
    if (fmt != TABLE_JSON)
        cli_print_nonfinite(&tn, fmt, "compare");
done:
    table_free(&tm);
    table_free(&tc);
    table_free(&tn);
    free(va);
    free(vb);
    free(work);
    free(pa);
    free(pb);
    adb_strings_free(crit, n_crit);
    adb_close(&base);
    adb_close(&prop);
out:
    adb_strings_free(metrics, n_metrics);
    return err.code ? cli_report(argv[0], &err) : 0;
}
