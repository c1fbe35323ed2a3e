/*
 * plot.h — pictures of results through gnuplot, an external program we drive.
 *
 * For an output FILE.png (or .svg, .pdf) plot_make writes FILE.dat (the numbers, with a
 * comment header saying what each column is) and FILE.gp (a gnuplot script that reads
 * FILE.dat by its base name and writes FILE.png by its base name), then runs
 * `gnuplot FILE.gp` in FILE's directory. An analyst restyles a picture by editing the
 * script and running gnuplot again; the numbers never need recomputing.
 *
 * Every picture has a title, axis labels with units, a legend (or a colour box) and a
 * caption line with the scenario name, its hash and the crucible version that ran it.
 * Terminals: pngcairo (.png), svg (.svg), pdfcairo (.pdf).
 *
 * Kinds:
 *   timeseries   median and 5–95% band over replicates of a metric against time; a
 *                second database (db2) is overlaid (baseline and proposal);
 *   heatmap      a metric's mean (of its final values) or a criterion's pass
 *                probability over two swept parameters (x, y) of a sweep;
 *   rewards      stacked areas of reward_tkn.<class> over time (mean over replicates);
 *   sensitivity  bars of Sobol S1 and ST with their bootstrap intervals (sobol sweep),
 *                or of Morris mu* and sigma (morris sweep);
 *   flows        total tokens moved between classes over the run (mean over
 *                replicates), one bar per src -> dst, stacked by reason.
 */
#ifndef CRC_PLOT_H
#define CRC_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "adb.h"
#include "util/err.h"

typedef enum plot_kind {
    PLOT_TIMESERIES, PLOT_HEATMAP, PLOT_REWARDS, PLOT_SENSITIVITY, PLOT_FLOWS, PLOT_KIND_COUNT
} plot_kind;

typedef struct plot_opts {
    int kind;            /* plot_kind                                                  */
    const char *metric;  /* timeseries, heatmap, sensitivity (heatmap: or a criterion) */
    const char *x, *y;   /* heatmap: swept parameter paths                             */
    const char *out;     /* FILE.png | FILE.svg | FILE.pdf                             */
    long point;          /* timeseries/rewards: only runs of this sweep point; -2: all */
    const char *label1, *label2; /* legend names of the databases (NULL: scenario name) */
    size_t n_boot;       /* sensitivity: bootstrap resamples                           */
    uint64_t seed;       /* sensitivity: bootstrap seed                                */
    double level;        /* sensitivity: interval level                                */
} plot_opts;

/* Kind for a name ("heatmap"), -1 when unknown; name of a kind. */
int plot_kind_from_name(const char *name);
const char *plot_kind_name(int kind);

/* Full path of gnuplot found on PATH into buf; 0 when found, -1 when not. */
int plot_find_gnuplot(char *buf, size_t len);

/* A parameter's short label from the first clause of its one-line doc in the registry
 * ("Emission gate m", "Base arrival rate of new consumers"), at most ~40 characters, and
 * its axis text "label (unit) [path]"; the path alone for a parameter the registry no
 * longer has. */
void plot_param_text(const char *path, char *label, size_t llen, char *axis, size_t alen);

/* The unit of a metric for axis labels ("USD per TKN", "TKN", "fraction", ...; "" when
 * unknown). */
const char *plot_metric_unit(const char *metric);

/* Draws one picture of d (and d2 for an overlaid timeseries; may be NULL). Writes
 * FILE.dat and FILE.gp even when gnuplot is missing; then CRC_EFAIL with a message
 * naming the Debian package gnuplot-nox. CRC_EINPUT for bad options (unknown
 * extension, metric, parameter). */
int plot_make(const adb *d, const adb *d2, const plot_opts *o, crc_err *err);

/* Writes the opening of a gnuplot script whose data file dpath sits beside it: `here`
 * (the script's folder, so the script runs from any directory), `datafile`, and a stop
 * with "no data: …" before any picture is opened when the data file is missing. */
void plot_script_prologue(FILE *gp, const char *dpath);

/* Writes s to f as a gnuplot single-quoted string ('' for a quote, newlines dropped). */
void plot_quote(FILE *f, const char *s);

/* The three paths derived from o->out: script (FILE.gp) and data (FILE.dat). */
void plot_paths(const char *out, char *gp, char *dat, size_t len);

/* Draws the picture out (.png, .svg or .pdf) from the gnuplot script gpath (data dpath,
 * both written already, beside out): gnuplot runs in out's folder with crucible_stdout
 * set, so the script must send the picture to standard output then (`if
 * (exists('crucible_stdout')) { set output } else { set output 'NAME' }`); the picture is
 * stored whole or not at all (ofile) and only when gnuplot exits 0 with a complete
 * picture. CRC_EFAIL naming what failed (gnuplot missing, its exit status, a full disk). */
int plot_render(const char *out, const char *gpath, const char *dpath, crc_err *err);

#endif
