/*
 * cmd_plot.c — `crucible plot DB --kind K ...`: one picture through gnuplot, with its
 * script and data written beside it (analysis/plot.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adb.h"
#include "cli/cli.h"
#include "plot.h"

static void usage(FILE *f)
{
    fputs("usage: crucible plot DB --kind timeseries|heatmap|rewards|sensitivity|flows\n"
          "       (or: crucible plot KIND DB ...)\n"
          "                     [--metric M[,M...]] [--db2 DB2] [--x PARAM --y PARAM] [--point P]\n"
          "                     [--label1 NAME --label2 NAME] [--boot B] [--seed S]\n"
          "                     [--out FILE.png|FILE.svg|FILE.pdf]\n\n"
          "  timeseries   median and 5-95% band of --metric over replicates against time;\n"
          "               --db2 overlays a second database (baseline and proposal)\n"
          "  heatmap      mean final value of --metric, or pass probability when --metric\n"
          "               names a criterion, over swept parameters --x and --y\n"
          "  rewards      stacked rewards by class (reward_tkn.<class>) over time\n"
          "  sensitivity  Sobol S1/ST bars with bootstrap intervals (sobol sweep) or Morris\n"
          "               mu*/sigma bars (morris sweep) for --metric\n"
          "  flows        tokens moved between classes over the run, stacked by reason\n\n"
          "--metric takes a comma list and may be repeated: one picture per metric, named\n"
          "FILE-METRIC.png when there are several ('crucible metrics DB' lists them).\n"
          "Writes FILE.gp (the gnuplot script) and FILE.dat (its data) beside the picture;\n"
          "edit the script and run 'gnuplot FILE.gp' to restyle. Default --out: KIND.png.\n"
          "Needs gnuplot (Debian package gnuplot-nox).\n",
          f);
}

/* Whether name is one of names[0..n). */
static int among(const char *name, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

/* Checks every metric of the list against what d holds for this kind of picture (time
 * series for timeseries and sensitivity's metric samples, any value and criterion for a
 * heatmap), before anything is drawn. An unknown one gets did-you-mean in err and the
 * complete list of known names on stderr. */
static int check_metrics(const adb *d, int kind, char **metrics, size_t n_metrics,
                         crc_err *err)
{
    char **names = NULL, **crit = NULL;
    size_t n = 0, n_crit = 0;
    int rc = kind == PLOT_TIMESERIES ? adb_names(d, "metrics", &names, &n, err)
                                     : adb_value_names(d, &names, &n, err);
    if (rc == CRC_OK && kind == PLOT_HEATMAP)
        rc = adb_names(d, "criteria", &crit, &n_crit, err);
    for (size_t m = 0; rc == CRC_OK && m < n_metrics; m++) {
        if (among(metrics[m], names, n) || among(metrics[m], crit, n_crit))
            continue;
        const char *near = cli_nearest(metrics[m], (const char *const *)names, n);
        if (!near && n_crit)
            near = cli_nearest(metrics[m], (const char *const *)crit, n_crit);
        fprintf(stderr, "known %s in %s:", kind == PLOT_TIMESERIES ? "time series" : "names",
                d->path);
        for (size_t i = 0, col = 80; i < n + n_crit; i++) {
            const char *w = i < n ? names[i] : crit[i - n];
            if (col + strlen(w) + 2 > 78) {
                fputs("\n ", stderr);
                col = 1;
            }
            fprintf(stderr, " %s", w);
            col += strlen(w) + 1;
        }
        fputc('\n', stderr);
        rc = crc_err_set(err, CRC_EINPUT,
                         "%s: no run has the %s '%s'%s%s%s (the list above; 'crucible metrics "
                         "%s' says what each means)",
                         d->path, kind == PLOT_TIMESERIES ? "time series" : "metric",
                         metrics[m], near ? "; did you mean '" : "", near ? near : "",
                         near ? "'?" : "", d->path);
    }
    adb_strings_free(names, n);
    adb_strings_free(crit, n_crit);
    return rc;
}

/* The picture of metric m of n: out itself for one metric, else FILE-METRIC.EXT. */
static void metric_out(const char *out, const char *metric, size_t n, char *buf, size_t len)
{
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (n <= 1) {
        snprintf(buf, len, "%s", out);
        return;
    }
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - out) : strlen(out);
    snprintf(buf, len, "%.*s-%s%s", (int)stem, out, metric, out + stem);
}

int cmd_plot(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},   {"metric", required_argument, NULL, 'm'},
        {"db2", required_argument, NULL, '2'},    {"x", required_argument, NULL, 'x'},
        {"y", required_argument, NULL, 'y'},      {"out", required_argument, NULL, 'o'},
        {"point", required_argument, NULL, 'p'},  {"label1", required_argument, NULL, 'a'},
        {"label2", required_argument, NULL, 'b'}, {"boot", required_argument, NULL, 'B'},
        {"seed", required_argument, NULL, 'S'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    plot_opts o = {.kind = -1, .point = -2, .n_boot = 1000, .seed = 1, .level = 0.95};
    const char *db2 = NULL;
    char def_out[64];
    char **metrics = NULL;
    size_t n_metrics = 0;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    unsigned long long num = 0;
    while ((c = getopt_long(argc, argv, "k:m:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if ((o.kind = plot_kind_from_name(optarg)) < 0) {
                crc_err_set(&err, CRC_EINPUT, "--kind %s: use timeseries, heatmap, rewards, "
                            "sensitivity or flows", optarg);
                goto bad;
            }
            break;
        case 'm':
            if (cli_opt_names(optarg, &metrics, &n_metrics, &err))
                goto bad;
            break;
        case '2': db2 = optarg; break;
        case 'x': o.x = optarg; break;
        case 'y': o.y = optarg; break;
        case 'o': o.out = optarg; break;
        case 'a': o.label1 = optarg; break;
        case 'b': o.label2 = optarg; break;
        case 'p':
            if (cli_opt_long("--point", optarg, -1, 1000000000, &o.point, &err))
                goto bad;
            break;
        case 'B':
            if (cli_opt_ulong("--boot", optarg, 0, 100000, &num, &err))
                goto bad;
            o.n_boot = (size_t)num;
            break;
        case 'S':
            if (cli_opt_ulong("--seed", optarg, 0, UINT64_MAX, &num, &err))
                goto bad;
            o.seed = num;
            break;
        case 'h':
            usage(stdout);
            adb_strings_free(metrics, n_metrics);
            return 0;
        default:
            cli_bad_option(&err, "plot", argv[optind - 1]);
            goto bad;
        }
    }
    /* `crucible plot heatmap DB ...` reads like `--kind heatmap`. */
    if (o.kind < 0 && optind == argc - 2 && plot_kind_from_name(argv[optind]) >= 0)
        o.kind = plot_kind_from_name(argv[optind++]);
    if (optind != argc - 1 || o.kind < 0) {
        crc_err_set(&err, CRC_EINPUT, "%s; see 'crucible plot --help'",
                    o.kind < 0 ? "give --kind timeseries|heatmap|rewards|sensitivity|flows"
                               : "give exactly one results database");
        goto bad;
    }
    if (!o.out) {
        snprintf(def_out, sizeof def_out, "%s.png", plot_kind_name(o.kind));
        o.out = def_out;
    }
    if (db2 && o.kind != PLOT_TIMESERIES) {
        crc_err_set(&err, CRC_EINPUT, "--db2 overlays a second database on a timeseries only");
        goto bad;
    }
    adb d = {0}, d2 = {0};
    if (adb_open(&d, argv[optind], &err) || (db2 && adb_open(&d2, db2, &err)))
        goto bad_db;
    int uses_metric = o.kind == PLOT_TIMESERIES || o.kind == PLOT_HEATMAP ||
                      o.kind == PLOT_SENSITIVITY;
    if (uses_metric && n_metrics &&
        (check_metrics(&d, o.kind, metrics, n_metrics, &err) ||
         (db2 && check_metrics(&d2, o.kind, metrics, n_metrics, &err))))
        goto bad_db;
    /* Kinds without a metric draw once; the others once per metric. */
    size_t n_pics = uses_metric && n_metrics ? n_metrics : 1;
    const char *out = o.out;
    for (size_t m = 0; m < n_pics; m++) {
        char pic[1024], gp[1024], dat[1024];
        o.metric = n_metrics ? metrics[m] : NULL;
        metric_out(out, o.metric ? o.metric : "", n_pics, pic, sizeof pic);
        o.out = pic;
        if (plot_make(&d, db2 ? &d2 : NULL, &o, &err))
            goto bad_db;
        plot_paths(pic, gp, dat, sizeof gp);
        printf("wrote %s (script %s, data %s)\n", pic, gp, dat);
    }
    adb_close(&d);
    adb_close(&d2);
    adb_strings_free(metrics, n_metrics);
    return 0;
bad_db:
    adb_close(&d);
    adb_close(&d2);
bad:
    adb_strings_free(metrics, n_metrics);
    return cli_report(argv[0], &err);
}
