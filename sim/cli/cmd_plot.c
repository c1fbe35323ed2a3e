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
          "                     [--metric M] [--db2 DB2] [--x PARAM --y PARAM] [--point P]\n"
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
          "Writes FILE.gp (the gnuplot script) and FILE.dat (its data) beside the picture;\n"
          "edit the script and run 'gnuplot FILE.gp' to restyle. Default --out: KIND.png.\n"
          "Needs gnuplot (Debian package gnuplot-nox).\n",
          f);
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
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "k:m:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if ((o.kind = plot_kind_from_name(optarg)) < 0) {
                crc_err_set(&err, CRC_EINPUT, "--kind %s: use timeseries, heatmap, rewards, "
                            "sensitivity or flows", optarg);
                return cli_report(argv[0], &err);
            }
            break;
        case 'm': o.metric = optarg; break;
        case '2': db2 = optarg; break;
        case 'x': o.x = optarg; break;
        case 'y': o.y = optarg; break;
        case 'o': o.out = optarg; break;
        case 'a': o.label1 = optarg; break;
        case 'b': o.label2 = optarg; break;
        case 'p':
            o.point = strtol(optarg, &end, 10);
            if (*end || o.point < -1) {
                crc_err_set(&err, CRC_EINPUT, "--point %s: give a sweep point index (>= 0), "
                            "or -1 for plain runs", optarg);
                return cli_report(argv[0], &err);
            }
            break;
        case 'B':
            o.n_boot = (size_t)strtoul(optarg, &end, 10);
            if (*end || optarg[0] == '-' || o.n_boot > 100000) {
                crc_err_set(&err, CRC_EINPUT, "--boot %s: give 0 to 100000 resamples", optarg);
                return cli_report(argv[0], &err);
            }
            break;
        case 'S':
            o.seed = strtoull(optarg, &end, 10);
            if (*end || optarg[0] == '-') {
                crc_err_set(&err, CRC_EINPUT, "--seed %s: give a non-negative integer", optarg);
                return cli_report(argv[0], &err);
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            cli_bad_option(&err, "plot", argv[optind - 1]);
            return cli_report(argv[0], &err);
        }
    }
    /* `crucible plot heatmap DB ...` reads like `--kind heatmap`. */
    if (o.kind < 0 && optind == argc - 2 && plot_kind_from_name(argv[optind]) >= 0)
        o.kind = plot_kind_from_name(argv[optind++]);
    if (optind != argc - 1 || o.kind < 0) {
        crc_err_set(&err, CRC_EINPUT, "%s; see 'crucible plot --help'",
                    o.kind < 0 ? "give --kind timeseries|heatmap|rewards|sensitivity|flows"
                               : "give exactly one results database");
        return cli_report(argv[0], &err);
    }
    if (!o.out) {
        snprintf(def_out, sizeof def_out, "%s.png", plot_kind_name(o.kind));
        o.out = def_out;
    }
    if (db2 && o.kind != PLOT_TIMESERIES) {
        crc_err_set(&err, CRC_EINPUT, "--db2 overlays a second database on a timeseries only");
        return cli_report(argv[0], &err);
    }
    adb d = {0}, d2 = {0};
    if (adb_open(&d, argv[optind], &err) || (db2 && adb_open(&d2, db2, &err))) {
        adb_close(&d);
        return cli_report(argv[0], &err);
    }
    int rc = plot_make(&d, db2 ? &d2 : NULL, &o, &err);
    adb_close(&d);
    adb_close(&d2);
    if (rc)
        return cli_report(argv[0], &err);
    char gp[1024], dat[1024];
    plot_paths(o.out, gp, dat, sizeof gp);
    printf("wrote %s (script %s, data %s)\n", o.out, gp, dat);
    return 0;
}
