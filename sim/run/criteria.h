/*
 * criteria.h — evaluating a scenario's pass/fail criteria on a finished run.
 *
 * A criterion `{name, metric, at: end|max|min|mean, op, value}` is evaluated on the
 * run's series of `metric` (end: its last value; max/min/mean: over every epoch,
 * skipping undefined (NaN) samples), or, when no metric of that name was written, on
 * the run summary value of that name. A name that is neither is not a crash: the
 * criterion fails with an error naming the nearest known names.
 */
#ifndef CRC_CRITERIA_H
#define CRC_CRITERIA_H

#include <stddef.h>

#include "model/core/memsink.h"
#include "scenario/scenario.h"

typedef struct crit_result {
    char name[64];
    char metric[96];
    int stat;          /* crit_stat as declared                                   */
    int op;            /* crit_op                                                 */
    int from_summary;  /* evaluated on a summary value rather than a series       */
    double threshold;
    double value;      /* the statistic; NAN when it could not be evaluated       */
    int passed;        /* 1 when `value op threshold` held                         */
    char error[1024];  /* why it could not be evaluated; "" when it was           */
} crit_result;

/* Evaluates c on the run recorded in m into *out. Returns CRC_OK when it could be
 * evaluated (whether or not it passed), CRC_EINPUT when not (out->error says why;
 * out->passed is 0). */
int criteria_eval(const crc_criterion *c, const memsink *m, crit_result *out);

/* "end", "max", "min", "mean" ("?" when out of range). */
const char *criteria_stat_name(int stat);

/* "<", "<=", ">", ">=", "==", "!=" ("?" when out of range). */
const char *criteria_op_name(int op);

/* Whether `value op threshold` holds (0 for NaN). */
int criteria_compare(int op, double value, double threshold);

#endif
