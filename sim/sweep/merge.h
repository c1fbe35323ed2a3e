/*
 * merge.h — joining the databases of a sweep's shards (`crucible merge OUT IN...`).
 *
 * Every input must hold the same sweep (equal meta sweep_hash); no (point, replicate)
 * may appear twice across the inputs and the output. Both are checked before anything
 * is written, so a refused merge leaves OUT as it was. OUT may be new or already hold
 * earlier shards of the same sweep. Runs get new ids in OUT; every table with a `run`
 * column is copied with the ids remapped, so tables added to the schema later are
 * carried along. Each input is copied in one transaction.
 */
#ifndef CRC_MERGE_H
#define CRC_MERGE_H

#include <stddef.h>

#include "util/err.h"

typedef struct merge_stats {
    size_t inputs, runs, points;
} merge_stats;

/* Merges inputs[0..n) into out. CRC_EINPUT (naming the files) for mismatched sweeps,
 * duplicate runs, a file that is not a sweep database or an input that is the output. */
int merge_run(const char *out, const char *const *inputs, size_t n, merge_stats *st,
              crc_err *err);

#endif
