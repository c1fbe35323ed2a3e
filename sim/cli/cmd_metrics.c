/*
 * cmd_metrics.c — `crucible metrics [DB] [--format F]`: every metric and summary value,
 * with its unit and meaning, from the model's metric table (model/metdoc.h); with a
 * results database, the names that database holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "adb.h"
#include "cli/cli.h"
#include "model/metdoc.h"
#include "table.h"

static void usage(FILE *f)
{
    fputs("usage: crucible metrics [DB] [--format table|csv|markdown|json]\n\n"
          "Lists every metric the model writes (a time series, sampled every epoch) and every\n"
          "summary value (one per run), with its unit and meaning (docs/model.md §6). A name\n"
          "ending in '.<class>', '.<region>' or '.<strategy>' is a family: roi.honest,\n"
          "roi.farmer, ... With DB, lists the names that results database holds instead.\n"
          "A summary value final.X is the series X's value at the end of the run.\n",
          f);
}

/* "roi." -> "roi.<...>" for display. */
static void display_name(const metdoc *m, char *buf, size_t len)
{
    size_t n = strlen(m->name);
    if (m->name[n - 1] == '.')
        snprintf(buf, len, "%s<%s>", m->name,
                 !strncmp(m->meaning, "per region", 10)            ? "region"
                 : !strncmp(m->meaning, "per farmer strategy", 19) ? "strategy"
                                                                   : "class");
    else
        snprintf(buf, len, "%s", m->name);
}

static void row(table *t, const char *name, const char *kind, const metdoc *m)
{
    table_cell(t, "%s", name);
    table_cell(t, "%s", kind);
    table_cell(t, "%s", m ? m->unit : "");
    table_cell(t, "%s", m ? m->meaning : "(not in the model's metric table)");
    table_cell(t, "%s", m && m->label ? m->label : "");
}

/* Whether name is among names[0..n) (sorted). */
static int has(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

int cmd_metrics(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int fmt = TABLE_TEXT, c;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_opt_format(optarg, &fmt, &err))
                return cli_report(argv[0], &err);
            break;
        case 'h': usage(stdout); return 0;
        default: cli_bad_option(&err, argv[0], argv[optind - 1]); return cli_report(argv[0], &err);
        }
    }
    if (argc - optind > 1) {
        crc_err_set(&err, CRC_EINPUT,
                    "give at most one results database; see 'crucible "
                    "metrics --help'");
        return cli_report(argv[0], &err);
    }
    table t;
    table_init(&t);
    table_col(&t, "name", 0);
    table_col(&t, "kind", 0);
    table_col(&t, "unit", 0);
    table_col(&t, "meaning", 0);
    table_col(&t, "label", 0); /* what plots and the report call it */
    if (optind == argc) {
        for (size_t i = 0; i < metdoc_count; i++) {
            char name[96];
            display_name(&metdoc_table[i], name, sizeof name);
            row(&t, name, metdoc_table[i].summary ? "summary" : "series", &metdoc_table[i]);
        }
    } else {
        adb d;
        char **series = NULL, **all = NULL;
        size_t n_series = 0, n_all = 0;
        if (adb_open(&d, argv[optind], &err) ||
            adb_names(&d, "metrics", &series, &n_series, &err) ||
            adb_value_names(&d, &all, &n_all, &err)) {
            adb_close(&d);
            adb_strings_free(series, n_series);
            table_free(&t);
            return cli_report(argv[0], &err);
        }
        for (size_t i = 0; i < n_all; i++)
            row(&t, all[i], has(series, n_series, all[i]) ? "series" : "summary",
                metdoc_find(all[i]));
        adb_close(&d);
        adb_strings_free(series, n_series);
        adb_strings_free(all, n_all);
    }
    int rc = table_print(&t, stdout, (table_format)fmt);
    table_free(&t);
    if (rc || fflush(stdout)) {
        crc_err_set(&err, CRC_EFAIL, "cannot write the output");
        return cli_report(argv[0], &err);
    }
    return 0;
}
