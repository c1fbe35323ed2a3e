/*
 * progress.h — a progress bar with ETA on a terminal.
 *
 * Draws on the given stream only when it is a terminal (isatty) and the caller did not
 * ask for quiet; otherwise every call is a no-op, so logs and pipes stay clean. Redraws
 * at most ten times a second. Work is counted in arbitrary units (the runner uses
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
} progress;

/* Prepares p for total units on f; enabled when want is non-zero and f is a terminal. */
void progress_init(progress *p, FILE *f, double total, int want);

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
