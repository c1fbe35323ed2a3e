/*
 * merge.h — joining the databases of a sweep's shards (`crucible merge OUT IN...`).
 *
 * Every input must be whole and sound (store_open_input: not being written, PRAGMA
 * quick_check, every table and column of the schema, metric and summary rows for every
 * done run) and hold the same sweep (equal meta sweep_hash) run by one crucible version;
 * no (point, replicate) may appear twice across the inputs and the output. OUT may be
 * new or already hold earlier shards of the same sweep. Runs get new ids in OUT; every
 * table with a `run` column is copied with the ids remapped, so tables added to the
 * schema later are carried along.
 *
 * The result is built in OUT.partial (a copy of OUT, then the inputs) and renamed onto
 * OUT only when complete, with OUT's writer's lock held throughout: a refusal, a full
 * disk or a kill leaves OUT as it was (and at most an OUT.partial, which the next merge
 * removes), so running the same command again finishes the merge.
 */
#ifndef CRC_MERGE_H
#define CRC_MERGE_H

#include <stddef.h>

#include "util/err.h"

typedef struct merge_stats {
    size_t inputs, runs, points;
} merge_stats;

/* Merges inputs[0..n) into out. CRC_EINPUT (naming the files) for mismatched sweeps,
 * duplicate runs, a file that is not a sweep database, a damaged or incomplete input or
 * an input that is the output; CRC_EFAIL when a file is being written by another
 * process or cannot be written (a full disk: "the disk holding FILE is full"). */
int merge_run(const char *out, const char *const *inputs, size_t n, merge_stats *st,
              crc_err *err);

#endif
