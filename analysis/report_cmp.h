/*
 * report_cmp.h — the numbers behind a governance report: each key metric compared
 * between the arms (what moved beyond noise, what is identical in every replicate),
 * and every criterion of either arm evaluated on both.
 *
 * Read from two results databases (adb.h) only. The arms are paired by replicate
 * index (report runs both with the same seeds), which is what "identical in every
 * replicate" means: for each replicate both arms' values agree to one part in 10^9.
 *
 * Ownership: the arrays returned are malloc'd; the caller frees them with free().
 */
#ifndef CRC_REPORT_CMP_H
#define CRC_REPORT_CMP_H

#include <stddef.h>

#include "adb.h"
#include "stats.h"
#include "util/err.h"

/* One key metric, compared. "Moved" means the Welch interval of the difference
 * excludes 0 and the difference is not zero at the interval's resolution (fmt.h). */
typedef struct report_metric {
    char name[96];
    char label[128];           /* meta.metric_info's label; the name when unknown    */
    char unit[64];             /* its unit, else plot_metric_unit; "" when unknown   */
    int from_summary;          /* the value per run is a summary value               */
    stats_desc b, p;           /* baseline and proposal, finite values only          */
    stats_welch w;             /* proposal − baseline                                 */
    double mw_p, cliff;        /* Mann–Whitney p; Cliff's delta of proposal vs base  */
    size_t inf_b, inf_p;       /* runs with an infinite value, left out              */
    size_t n_pairs;            /* replicates present in both arms                    */
    int identical;             /* every paired replicate agrees (and n_pairs > 0)    */
    int moved;
} report_metric;

/* Compares every key metric (adb_key_metrics of b) present in both. *out holds *n
 * entries in key-metric order. CRC_ENOMEM, or CRC_EFAIL on a database error. */
int report_compare(const adb *b, const adb *p, double level, report_metric **out, size_t *n,
                   crc_err *err);

/* Whether two values of one replicate agree (to one part in 10^9, or both zero). */
int report_same_value(double a, double b);

/* One criterion, evaluated on both arms. An arm that does not declare it is evaluated
 * here from its stored values: exact for `end` and summary values, on the stored
 * (weekly by default) samples for max, min and mean, where the run itself used every
 * epoch (approx is then set). */
typedef struct report_crit {
    char name[64];
    char test[256];            /* "price_usd at end >= 0.24"                         */
    int declared[2];           /* by the baseline [0], by the proposal [1]           */
    int approx[2];             /* evaluated here on stored samples                   */
    stats_prop pr[2];          /* pass rate per arm (n = 0: could not be evaluated)   */
} report_crit;

/* Every criterion of b or p (b's first, then p's own), on both arms. */
int report_criteria(const adb *b, const adb *p, double level, report_crit **out, size_t *n,
                    crc_err *err);

#endif
