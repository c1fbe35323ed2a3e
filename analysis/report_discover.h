/*
 * report_discover.h — the governance report's "Scenario discovery" section: for a sweep
 * database given to `crucible report --sweep DB`, the PRIM box (discover.h) of the runs
 * where each of the sweep's criteria fails, with its table and the two figures.
 * Reads only the results schema.
 */
#ifndef CRC_REPORT_DISCOVER_H
#define CRC_REPORT_DISCOVER_H

#include <stdio.h>

#include "util/err.h"

/* Writes the section (markdown to md, HTML to html, figures as PNG into plots_dir and
 * embedded in the HTML) when sweep_db is not NULL; writes nothing and returns CRC_OK
 * when it is. A criterion that never fails (or always does) gets a sentence saying so.
 * Without gnuplot the tables are written and a note says the figures are missing.
 * CRC_EINPUT when sweep_db is not a sweep of two or more points. */
int report_discover_section(FILE *md, FILE *html, const char *sweep_db, const char *plots_dir,
                            crc_err *err);

#endif
