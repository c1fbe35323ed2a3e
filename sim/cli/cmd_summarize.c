/*
 * cmd_summarize.c — `crucible summarize DB`: per metric (and per sweep point with
 * --by-point), over replicates, n, mean, sd, a Student-t interval for the mean, median,
 * 5th and 95th percentiles; per criterion the probability it holds with a Wilson
 * interval. Reads only the results database (analysis/adb.h); statistics come from
 * analysis/stats.h. docs/analysis.md explains every column.
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
    fputs("usage: crucible summarize DB [--metric M]... [--by-point] [--stat end|mean|max|min]\n"
          "                          [--level 0.95] [--format table|csv|markdown|json]\n\n"
          "Summarises each metric over the replicates of a results database: n, mean, sd,\n"
          "confidence interval of the mean (Student t), median, 5th and 95th percentiles;\n"
          "and for each criterion the probability it holds, with a Wilson interval.\n"
          "Each run contributes one value per metric: its final sample (--stat end, the\n"
          "default), or its mean, max or min over the run; names found only in the summary\n"
          "table use that value. --metric may repeat or take a comma list (default: all;\n"
          "with --by-point, the key metrics). --by-point gives one row per sweep point, with\n"
          "the swept parameters' values in as few significant digits as tell the design's\n"
          "levels apart (full precision in csv and json).\n",
          f);
}

/* x in dg significant digits, plainly: whole numbers as they are (100000, not 1e+05),
 * 3419.95 as 3420 at 3 digits, small values in %g form. */
static void fmt_level(double x, int dg, char *buf, size_t len)
{
    double ax = fabs(x);
    if (x == floor(x) && ax < 1e15)
        snprintf(buf, len, "%.0f", x);
    else if (ax >= 1 && ax < 1e15) {
        int intdigits = (int)floor(log10(ax)) + 1;
        snprintf(buf, len, "%.*f", dg > intdigits ? dg - intdigits : 0, x);
    } else
        snprintf(buf, len, "%.*g", dg, x);
}

/* Significant digits (3 to 17) that tell every value of swept parameter j apart: a
 * log-spaced level prints as 3.42, not 3.41995, while 0.05 and 0.051 stay distinct. */
static int level_digits(const adb_points *pts, size_t j)
{
    for (int dg = 3; dg < 17; dg++) {
        int clash = 0;
        for (size_t a = 0; a < pts->n_points && !clash; a++)
            for (size_t b = a + 1; b < pts->n_points && !clash; b++) {
                double x = pts->x[a * pts->n_params + j], y = pts->x[b * pts->n_params + j];
                char bx[64], by[64];
                fmt_level(x, dg, bx, sizeof bx);
                fmt_level(y, dg, by, sizeof by);
                clash = x != y && !strcmp(bx, by);
            }
        if (!clash)
            return dg;
    }
    return 17;
}

/* A swept value: an enum or bool level by its name, a distribution as written (text,
 * from the points table); a number in dg significant digits (fmt_level) for people,
 * exact (table_num) for csv and json. */
static void level_cell(table *t, int fmt, double x, const char *text, int dg)
{
    char buf[64];
    if (text) {
        table_cell(t, "%s", text);
        return;
    }
    if (fmt == TABLE_CSV || fmt == TABLE_JSON || isnan(x)) {
        table_num(t, x);
        return;
    }
    fmt_level(x, dg, buf, sizeof buf);
    table_cell(t, "%s", buf);
}

/* Whether parameter j's levels are written as words (an enum, a bool, a distribution):
 * its column is text. */
static int named_levels(const adb_points *pts, size_t j)
{
    for (size_t p = 0; p < pts->n_points; p++)
        if (pts->text[p * pts->n_params + j])
            return 1;
    return 0;
}

typedef struct group {
    long point;
    size_t first, count; /* runs [first, first+count) of the adb (sorted by point) */
} group;

int cmd_summarize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, NULL, 'm'}, {"by-point", no_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'}, {"stat", required_argument, NULL, 's'},
        {"level", required_argument, NULL, 'l'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    char **metrics = NULL;
    size_t n_metrics = 0;
    int by_point = 0, fmt = TABLE_TEXT, stat = ADB_END;
    double level = 0.95;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "m:pf:s:l:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (cli_opt_names(optarg, &metrics, &n_metrics, &err))
                goto out;
            break;
        case 'p': by_point = 1; break;
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
            cli_bad_option(&err, "summarize", argv[optind - 1]);
            goto out;
        }
    }
    int explicit_metrics = n_metrics > 0;
    if (optind != argc - 1) {
        crc_err_set(&err, CRC_EINPUT, "give exactly one results database (got %d); see "
                    "'crucible summarize --help'", argc - optind);
        goto out;
    }

    adb d;
    if (adb_open(&d, argv[optind], &err))
        goto out;
    if (!d.n_runs) {
        crc_err_set(&err, CRC_EINPUT, "%s: no finished run to summarise (%zu failed)"
                    ADB_NO_RUN_FIX, d.path,
                    d.n_failed);
        adb_close(&d);
        goto out;
    }
    /* Per point, every metric would be thousands of rows: the key metrics then. */
    if (!n_metrics && (by_point ? adb_key_metrics(&d, &metrics, &n_metrics, &err)
                                : adb_value_names(&d, &metrics, &n_metrics, &err))) {
        adb_close(&d);
        goto out;
    }

    char **crit = NULL;
    size_t n_crit = 0;
    adb_names(&d, "criteria", &crit, &n_crit, &err);
    crc_err_clear(&err);

    /* Groups: one per point with --by-point, else one over every run. */
    group *groups = calloc(d.n_runs, sizeof *groups);
    size_t n_groups = 0;
    for (size_t i = 0; groups && i < d.n_runs; i++) {
        if (!by_point && n_groups) {
            groups[0].count++;
            continue;
        }
        if (n_groups && groups[n_groups - 1].point == d.runs[i].point)
            groups[n_groups - 1].count++;
        else
            groups[n_groups++] = (group){d.runs[i].point, i, 1};
    }
    adb_points pts = {0};
    crc_err ignored;
    int *digits = NULL;
    if (by_point) {
        adb_load_points(&d, &pts, &ignored); /* a plain run has no points: no columns */
        digits = calloc(pts.n_params ? pts.n_params : 1, sizeof *digits);
        for (size_t j = 0; digits && j < pts.n_params; j++)
            digits[j] = level_digits(&pts, j);
    }

    double *vals = malloc(d.n_runs * sizeof *vals), *sample = malloc(d.n_runs * sizeof *vals);
    double *work = malloc(d.n_runs * sizeof *work);
    int *passed = malloc(d.n_runs * sizeof *passed);
    int *from_summary = calloc(n_metrics ? n_metrics : 1, sizeof *from_summary);
    double *all = malloc((n_metrics ? n_metrics : 1) * d.n_runs * sizeof *all);
    table tm, tc, tn;
    table_init(&tm);
    table_init(&tc);
    table_init(&tn);
    if (!groups || !vals || !sample || !work || !passed || !from_summary || !all) {
        crc_err_set(&err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t m = 0; m < n_metrics; m++)
        if (adb_run_values(&d, metrics[m], (adb_stat)stat, all + m * d.n_runs,
                           &from_summary[m], &err))
            goto done;

    /* Columns shared by both tables. */
    table *tabs[2] = {&tm, &tc};
    for (int ti = 0; ti < 2; ti++) {
        if (by_point) {
            table_col(tabs[ti], "point", 1);
            for (size_t j = 0; j < pts.n_params; j++)
                table_col(tabs[ti], pts.paths[j], !named_levels(&pts, j));
        }
    }
    table_col(&tm, "metric", 0);
    table_col(&tm, "stat", 0);
    const char *mcols[] = {"n", "mean", "sd", "ci_lo", "ci_hi", "median", "p5", "p95"};
    for (size_t i = 0; i < 8; i++)
        table_col(&tm, mcols[i], 1);
    if (by_point)
        table_col(&tn, "point", 1);
    table_col(&tn, "metric", 0);
    table_col(&tn, "infinite_runs", 1);
    table_col(&tn, "runs", 1);
    table_col(&tc, "criterion", 0);
    const char *ccols[] = {"n", "passed", "p_pass", "ci_lo", "ci_hi"};
    for (size_t i = 0; i < 5; i++)
        table_col(&tc, ccols[i], 1);

    for (size_t g = 0; g < n_groups; g++) {
        const group *gr = &groups[g];
        size_t pi = SIZE_MAX;
        for (size_t q = 0; q < pts.n_points; q++)
            if (pts.ids[q] == gr->point)
                pi = q;
        for (size_t m = 0; m < n_metrics; m++) {
            size_t n_inf = 0;
            memcpy(sample, all + m * d.n_runs + gr->first, gr->count * sizeof *sample);
            size_t n = stats_finite(sample, gr->count, &n_inf);
            if (n_inf) {
                if (by_point)
                    table_cell(&tn, "%ld", gr->point);
                table_cell(&tn, "%s", metrics[m]);
                table_cell(&tn, "%zu", n_inf);
                table_cell(&tn, "%zu", gr->count);
            }
            stats_desc s;
            stats_describe(sample, n, level, work, &s);
            cli_warn_gsl("summarize", metrics[m]);
            if (by_point) {
                table_cell(&tm, "%ld", gr->point);
                for (size_t j = 0; j < pts.n_params; j++)
                    level_cell(&tm, fmt, pi == SIZE_MAX ? NAN : pts.x[pi * pts.n_params + j],
                               pi == SIZE_MAX ? NULL : pts.text[pi * pts.n_params + j],
                               digits ? digits[j] : 17);
            }
            table_cell(&tm, "%s", metrics[m]);
            table_cell(&tm, "%s", from_summary[m] ? "summary" : cli_stat_names[stat]);
            table_cell(&tm, "%zu", s.n);
            table_num(&tm, s.mean);
            table_num(&tm, s.sd);
            table_num(&tm, s.ci_lo);
            table_num(&tm, s.ci_hi);
            table_num(&tm, s.median);
            table_num(&tm, s.p5);
            table_num(&tm, s.p95);
        }
        for (size_t k = 0; k < n_crit; k++) {
            if (adb_criterion(&d, crit[k], passed, &err))
                goto done;
            size_t n = 0, ok = 0;
            for (size_t r = gr->first; r < gr->first + gr->count; r++)
                if (passed[r] >= 0) {
                    n++;
                    ok += (size_t)passed[r];
                }
            stats_prop p;
            stats_wilson(ok, n, level, &p);
            if (by_point) {
                table_cell(&tc, "%ld", gr->point);
                for (size_t j = 0; j < pts.n_params; j++)
                    level_cell(&tc, fmt, pi == SIZE_MAX ? NAN : pts.x[pi * pts.n_params + j],
                               pi == SIZE_MAX ? NULL : pts.text[pi * pts.n_params + j],
                               digits ? digits[j] : 17);
            }
            table_cell(&tc, "%s", crit[k]);
            table_cell(&tc, "%zu", n);
            table_cell(&tc, "%zu", ok);
            table_num(&tc, p.p);
            table_num(&tc, p.lo);
            table_num(&tc, p.hi);
        }
    }

    const char *how = stat == ADB_END ? "its final sample" : stat == ADB_MEAN ? "its mean over the run"
                      : stat == ADB_MAX ? "its maximum over the run" : "its minimum over the run";
    switch (fmt) {
    case TABLE_JSON:
        printf("{\"database\": ");
        table_json_string(stdout, d.path);
        printf(", \"runs\": %zu, \"failed_runs\": %zu, \"level\": %g, \"value_per_run\": ",
               d.n_runs, d.n_failed, level);
        table_json_string(stdout, cli_stat_names[stat]);
        printf(",\n \"metrics\": ");
        table_print(&tm, stdout, TABLE_JSON);
        printf(",\n \"criteria\": ");
        table_print(&tc, stdout, TABLE_JSON);
        printf(",\n \"non_finite\": ");
        table_print(&tn, stdout, TABLE_JSON);
        printf("}\n");
        break;
    case TABLE_CSV:
        /* One table per invocation keeps the file machine-readable: metrics, then (when
         * the database has criteria) the criteria table after one blank line. */
        table_print(&tm, stdout, TABLE_CSV);
        if (n_crit) {
            putchar('\n');
            table_print(&tc, stdout, TABLE_CSV);
        }
        break;
    default: {
        int md = fmt == TABLE_MARKDOWN;
        printf("%s%s: %zu finished runs (%zu failed, excluded). Each run counts once, with %s "
               "(column stat; 'summary' = read from the summary table). Intervals: %g%% "
               "Student t for means, Wilson for pass probabilities.\n\n",
               md ? "" : "", d.path, d.n_runs, d.n_failed, how, 100 * level);
        printf(md ? "### Metrics\n\n" : "Metrics\n");
        if (by_point && !explicit_metrics)
            printf("The key metrics; --metric NAME,... for others ('crucible metrics %s' lists "
                   "them).\n%s",
                   d.path, md ? "\n" : "");
        table_print(&tm, stdout, (table_format)fmt);
        if (n_crit) {
            printf(md ? "\n### Criteria\n\n" : "\nCriteria\n");
            table_print(&tc, stdout, (table_format)fmt);
        }
        break;
    }
    }
    if (fmt != TABLE_JSON)
        cli_print_nonfinite(&tn, fmt, "summarize");
    if (tm.oom || tc.oom || tn.oom)
        crc_err_set(&err, CRC_ENOMEM, "out of memory formatting the tables");
done:
    table_free(&tm);
    table_free(&tc);
    table_free(&tn);
    free(groups);
    free(vals);
    free(sample);
    free(work);
    free(passed);
    free(from_summary);
    free(all);
    adb_points_free(&pts);
    free(digits);
    adb_strings_free(crit, n_crit);
    adb_close(&d);
out:
    adb_strings_free(metrics, n_metrics);
    return err.code ? cli_report(argv[0], &err) : 0;
}
