/*
 * tranches.h — the scenario's allocation table (`tranches:`), read from a YAML list or a
 * CSV file the scenario names, into crc_params.tranches (model/core/tranche.h), and
 * written back as canonical YAML for the resolved scenario.
 *
 *   tranches:
 *     - {name: team, share: 0.15, role: holder, tge: 0, cliff_months: 12,
 *        vesting_months: 36, shape: linear, sell: 0.02}
 *     - ...
 *   tranches: allocation.csv        # relative to the scenario file
 *
 * The CSV file has a header line naming its columns (the same keys, any order; name and
 * share required) and one row per tranche; blank lines and lines starting with # are
 * skipped. Keys: name (letters, digits, - _ .; unique), share (0..1; all rows sum to 1),
 * role (holder|reserve|liquidity|market|treasury|ecosystem, default holder), tge (0..1,
 * default 0), cliff_months and vesting_months (0..1200, default 0), shape
 * (linear|monthly, default linear; monthly needs whole vesting months), sell (0..1 per
 * epoch, default 0; holders only). Every problem is reported with file:line:column,
 * what was wrong and what is allowed (the nearest key or word for a misspelt one).
 */
#ifndef CRC_TRANCHES_H
#define CRC_TRANCHES_H

#include <yaml.h>

#include "model/core/tranche.h"

/* Receives one problem: where (line, col 1-based; 0 when unknown) and the message. */
typedef void (*tranche_report)(void *ctx, const char *file, int line, int col,
                               const char *msg);

/* Reads the value of `tranches:` in document doc of file `file`: a list of mappings, or a
 * scalar naming a CSV file (relative to file's directory). Fills *out and returns 0, or
 * reports every problem found through rep and returns -1 (*out then holds n = 0). */
int tranches_load(const char *file, yaml_document_t *doc, const yaml_node_t *v,
                  crc_tranches *out, tranche_report rep, void *ctx);

/* The table as canonical YAML ("tranches:\n  - {...}\n" per row), malloc'd; the caller
 * frees. NULL when t->n is 0 or out of memory. Loading it back gives the same table. */
char *tranches_text(const crc_tranches *t);

#endif
