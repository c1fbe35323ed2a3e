/*
 * progress.h — a progress bar with ETA on a terminal, a line per stage elsewhere.
 *
 * On a terminal (isatty) it draws a live bar, redrawn at most ten times a second. On a
 * file or a pipe (a log, CI, a captured report) it prints one plain line per piece of
 * work instead ("crucible run: replicate 3/10 (20%, 0:04 elapsed)"), so a long command
 * captured is never silent and a log never fills with carriage returns. Nothing at all
 * when the caller asks for quiet. Work is counted in arbitrary units (the runner uses
 * simulated days: replicates x horizon). Uses the wall clock, which is fine here: the
 * bar is outside the model and never touches results.
 *
 * Ownership: a progress is a plain value; nothing to free.
 */
#ifndef CRC_PROGRESS_H
#define CRC_PROGRESS_H

#include <stdio.h>

typedef struct progress {
    FILE *f;
    int enabled;
    double total;     /* units of work in all                          */
    double base;      /* units finished before the current piece       */
    double t0;        /* wall clock at init, seconds                   */
    double last_draw; /* wall clock of the last redraw                 */
    char label[48];
    int drawn;        /* something is on the line (progress_end clears it) */
    int lines;        /* f is not a terminal: a line per piece instead of the bar */
    char name[32];    /* what the lines start with ("crucible run")            */
} progress;

/* Prepares p for total units on f when want is non-zero: a bar when f is a terminal,
 * lines otherwise, each line starting with name ("crucible run"; NULL: "crucible"). */
void progress_init(progress *p, FILE *f, double total, int want);
void progress_name(progress *p, const char *name);

/* Starts a new piece of work: later progress_at(u) values count from base. label names
 * the piece ("replicate 3/10"). */
void progress_piece(progress *p, double base, const char *label);

/* Reports that units u of the current piece are done (redraws when due). */
void progress_at(progress *p, double u);

/* A model_input progress callback: ctx is a progress, t the simulated time. */
void progress_model_cb(void *ctx, double t, double horizon);

/* Clears the bar from the line. */
void progress_end(progress *p);

#endif
