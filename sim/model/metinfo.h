/*
 * metinfo.h — what each metric and summary value the model writes means: a short label
 * for axes and titles, its unit and a one-line meaning (docs/model.md §6 and the
 * adversary's metrics). The store copies the table into every results database
 * (`metric_info`, docs/results.md) so that analysis, which reads only the database,
 * can name a metric "treasury balance (TKN)" instead of `treasury_tkn`.
 *
 * A name is exact ("price_usd") or a family ("reward_tkn.*": one metric per class or
 * region); a family's label holds a '*' where the member's suffix goes ("rewards to *").
 * The table is static and constant; nothing here allocates.
 */
#ifndef CRC_METINFO_H
#define CRC_METINFO_H

#include <stddef.h>

typedef struct met_info {
    const char *name;  /* "price_usd" or a family "reward_tkn.*"                */
    const char *label; /* short, lower case, for axes ("token price")           */
    const char *unit;  /* "USD/TKN", "TKN per epoch", ...; "" when a plain count
                          or ratio needs none                                   */
    const char *doc;   /* one line: what it measures                            */
} met_info;

extern const met_info met_info_table[];
extern const size_t met_info_count;

/* The entry for a metric name: the exact name, else its family (the part before the
 * last '.' followed by ".*"), else for "final.X" the entry of X; NULL when unknown. */
const met_info *met_info_find(const char *name);

#endif
