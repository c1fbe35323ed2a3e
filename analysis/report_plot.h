/*
 * report_plot.h — the report's comparison picture of one metric: the two arms over time
 * (median and 5–95% band over replicates) with the intervention days marked, above a
 * difference panel (proposal − baseline, paired by replicate: median and 5–95% band).
 * Where the arms are identical in every replicate at every stored day, one line is
 * drawn for both and the picture says so.
 *
 * Like plot.h, it writes FILE.dat and FILE.gp beside FILE.png (the script runs from any
 * directory) and renders through plot_render (whole or not at all).
 */
#ifndef CRC_REPORT_PLOT_H
#define CRC_REPORT_PLOT_H

#include "adb.h"
#include "util/err.h"

/* Draws out (a .png path) for metric from b and p (legend names lb, lp). *identical is
 * set when every paired sample agrees (report_same_value). CRC_EINPUT when the metric
 * has no time series in one of the databases (a summary value, or a misspelled name:
 * the message lists the known names); CRC_EFAIL from gnuplot or the disk. */
int report_plot_compare(const adb *b, const adb *p, const char *metric, const char *lb,
                        const char *lp, const char *out, int *identical, crc_err *err);

#endif
