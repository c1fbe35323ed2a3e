/*
 * report_pdf.h — pictures of a finished report through headless Chromium, an external
 * program like gnuplot: report.html printed to report.pdf, and a small HTML card
 * photographed to a PNG for the top of a forum post.
 *
 * Chromium is found as $CRUCIBLE_CHROMIUM when set, else chromium or chromium-browser
 * on PATH. It runs with a private profile folder (created under $TMPDIR or /tmp and
 * removed after), no sandbox (it runs as the user, on our own file) and no network.
 * Every output is written whole or not at all: Chromium writes a temporary beside the
 * target, which is checked (a PDF ends in %%EOF, a PNG in IEND) and renamed.
 */
#ifndef CRC_REPORT_PDF_H
#define CRC_REPORT_PDF_H

#include <stddef.h>

#include "util/err.h"

/* Full path of Chromium into buf; 0 when found, -1 when not. */
int report_find_chromium(char *buf, size_t len);

/* Prints html (a file) to pdf (A4, no header or footer). CRC_EFAIL naming the Debian
 * package chromium when it is missing, or what failed. */
int report_print_pdf(const char *html, const char *pdf, crc_err *err);

/* Photographs html (a file) at width x height pixels into png. Errors as above. */
int report_screenshot(const char *html, const char *png, int width, int height,
                      crc_err *err);

#endif
