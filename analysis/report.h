/*
 * report.h — the governance report: a baseline and a proposal, already run into two
 * results databases, written up as DIR/report.md and a self-contained DIR/report.html
 * (plots embedded as base64 PNG data URIs), ready to attach to a proposal.
 *
 * It opens with the bottom line: what moved beyond noise (with its interval), what did
 * not, and the criteria on both arms. Sections, in order (docs/analysis.md shows one):
 *   1. The question            what the comparison asks (scenario descriptions)
 *   2. What the proposal changes   parameters and interventions that differ
 *   3. Key metrics             baseline and proposal means with intervals, the
 *                              difference (and in percent) with its Welch interval,
 *                              p-values, effect size; what moved comes first
 *   4. Criteria verdicts       pass probabilities with Wilson intervals, every
 *                              criterion of either arm evaluated on both
 *   5. Plots                   the metrics that moved (or --metric), each with a
 *                              difference panel and the intervention days; rewards by
 *                              class and flows (PNG, scripts and data in DIR/plots/)
 *   6. Reproducibility         commands, seeds, replicates, versions, git commit,
 *                              scenario hashes, database files
 *   7. How to read this        what each statistic means
 *
 * With print set, DIR/report.pdf (report.html printed by headless Chromium) and
 * DIR/summary.png (a 1200x630 card of the bottom line, from DIR/summary.html) follow.
 *
 * Everything numeric comes from the two databases (adb.h); the caller supplies what a
 * database cannot know (the command lines, the parameter diff it computed from the
 * scenarios).
 */
#ifndef CRC_REPORT_H
#define CRC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* One line of "what the proposal changes". */
typedef struct report_change {
    char what[160];     /* parameter path, or "intervention at day 180: fees.burn" */
    char base[256];     /* its value in the baseline ("-" when absent)             */
    char prop[256];     /* its value in the proposal                               */
} report_change;

typedef struct report_input {
    const char *dir;                  /* output directory (exists)                  */
    const char *base_db, *prop_db;    /* results databases                          */
    const char *base_file, *prop_file; /* scenario files as given                   */
    const char *question;             /* NULL: a default built from the names       */
    const report_change *changes;
    size_t n_changes;
    const char *const *commands;      /* command lines that reproduce the report    */
    size_t n_commands;
    uint64_t seed;
    long replicates;
    double level;                     /* confidence level, e.g. 0.95                */
    const char *sweep_db;             /* NULL, or a sweep for "Scenario discovery"  */
    const char *const *metrics;       /* metrics to plot; NULL: those that moved    */
    size_t n_metrics;
    int print;                        /* 1: also report.pdf and summary.png          */
    void (*stage)(void *ctx, const char *what); /* NULL, or told each stage begins   */
    void *stage_ctx;
} report_input;

/* Writes DIR/report.md, DIR/report.html and DIR/plots/ (and, with print, report.pdf,
 * summary.html and summary.png). When gnuplot is missing the report is still written,
 * without pictures (a note says why), and CRC_EFAIL is returned with a message naming
 * gnuplot-nox; when Chromium is missing, likewise without the PDF and the card, naming
 * chromium. A --metric with no time series is CRC_EINPUT before anything is written. Every file is written whole or not at
 * all (util/ofile.h): on a full disk or any other failure report.md and report.html are
 * left as they were and err says why; a report.md, report.html or picture that is not
 * a regular file (a link, FIFO, device) is refused and left untouched. */
int report_write(const report_input *in, crc_err *err);

/* Creates the folder DIR/plots when absent; CRC_EINPUT when something that is not a
 * folder (a file, a symbolic link) has its name. */
int report_plots_dir(const char *plots, crc_err *err);

/* Standard base64 (RFC 4648, with padding) of src[0..n) into a malloc'd,
 * NUL-terminated string; NULL when out of memory. */
char *report_base64(const unsigned char *src, size_t n);

#endif
