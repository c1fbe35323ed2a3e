/*
 * metdoc.h — what each metric and summary value the model writes is called, means and is
 * measured in: the one table (metdoc.c) behind `crucible metrics`, did-you-mean lists,
 * and the labels of plots and reports (the store copies it into every results database
 * as meta.metric_info, docs/results.md, since analysis reads only the database).
 * The definitions are docs/model.md §6, §10 and §11 ("Metrics and summary"); tests check
 * that every name a run writes has an entry. The table is constant; nothing allocates.
 */
#ifndef CRC_METDOC_H
#define CRC_METDOC_H

#include <stddef.h>

typedef struct metdoc {
    const char *name;    /* a full name, or a family ending in '.' ("roi.") */
    int summary;         /* 0: a time series sampled every epoch; 1: one value per run */
    const char *label;   /* short, lower case, for axes and titles ("treasury balance");
                            a family's holds '*' where the member goes ("rewards to *") */
    const char *unit;    /* "TKN", "USD per TKN", "fraction, 0-1", ... ("" for a count) */
    const char *meaning; /* one line; a family's says what its suffix names */
    const char *members; /* a family's suffixes, separated by spaces; NULL otherwise */
} metdoc;

extern const metdoc metdoc_table[];
extern const size_t metdoc_count;

/* The entry of a metric or summary name: an exact name first, then the longest family
 * it belongs to ("roi.honest" -> "roi."); "final.X" is X's entry (the summary's last
 * value of the series X). NULL when the model writes no such name. */
const metdoc *metdoc_find(const char *name);

/* 1 when suffix is one of family m's members ("honest" of "roi."), else 0. */
int metdoc_member(const metdoc *m, const char *suffix);

/* The name the model writes that is nearest to an unknown one (a full name: a family's
 * members spelled out) into buf; "" when none is close. */
void metdoc_nearest(const char *name, char *buf, size_t len);

#endif
