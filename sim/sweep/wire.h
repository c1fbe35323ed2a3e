/*
 * wire.h — the compact binary format in which a sweep worker sends one finished run to
 * the writer process over a pipe.
 *
 * Both ends are the same binary on the same machine (workers are forked), so numbers
 * are in native byte order and doubles are sent bit for bit: the writer stores exactly
 * what the worker computed.
 *
 * A message is   u32 WIRE_MAGIC | u64 body length | body.   The body is
 *   u64 run index, u32 status (0 done, else a crc_err code), f64 wall seconds,
 *   str started_at, str ended_at, str scenario name, str resolved yaml, str hash,
 *   str error, u32 n criteria, n x {str name, str metric, str stat, str op,
 *   f64 threshold, f64 value, u32 passed, str error}, u64 events length, events.
 * A str is u32 length (0xffffffff for NULL) then the bytes and a NUL.
 *
 * The events are the sink callbacks of the run in the order the model made them, so
 * replaying them into a memsink rebuilds exactly the memsink the worker had:
 *   'N' str                     define the next name id (metric, summary, flow label,
 *                               intervention path or value)
 *   'M' u32 id, f64 t, f64 v    metric sample
 *   'S' u32 id, f64 v           summary value
 *   'F' f64 t, u32 src, u32 dst, u32 reason, f64 amount     flow
 *   'I' f64 t, u32 path, u32 value                          intervention
 * A metric sample is 21 bytes; every name is sent once per run.
 *
 * Ownership: a wire_buf owns its bytes (wire_buf_free); a decoded wire_result points
 * into the message buffer it was decoded from and owns only its criteria array
 * (wire_result_free).
 */
#ifndef CRC_WIRE_H
#define CRC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/memsink.h"
#include "model/core/sink.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "util/err.h"

#define WIRE_MAGIC 0x57535243u /* "CRSW" */
#define WIRE_HEAD 12           /* u32 magic + u64 body length */

typedef struct wire_buf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wire_buf;

void wire_buf_free(wire_buf *b);

/* An encoder: a crc_sink that appends every callback to a buffer. */
typedef struct wire_enc {
    wire_buf *out;
    char **names;   /* interned names, id = index */
    size_t n_names, cap_names;
    size_t hint;    /* the id expected next (metrics arrive in a fixed order) */
} wire_enc;

/* Prepares e to append events to out (not owned). */
void wire_enc_init(wire_enc *e, wire_buf *out);

/* A crc_sink writing into e; its callbacks fail with CRC_ENOMEM when out of memory. */
crc_sink wire_enc_sink(wire_enc *e);

/* Releases the name table (not the buffer). */
void wire_enc_free(wire_enc *e);

/* Replays the events in p[0..n) into sink. CRC_EFAIL on a malformed stream; a sink
 * callback's non-zero status is returned as is. */
int wire_replay(const unsigned char *p, size_t n, const crc_sink *sink, crc_err *err);

/* One run as the writer receives it. */
typedef struct wire_result {
    uint64_t run;
    int status;
    double wall_seconds;
    const char *started_at, *ended_at, *scenario, *yaml, *hash, *error;
    store_criterion *criteria; /* malloc'd array; strings point into the message */
    size_t n_criteria;
    const unsigned char *events;
    size_t events_len;
} wire_result;

/* Appends a whole message (head and body) for r to out; r->events/events_len are the
 * encoded events (e.g. another wire_buf's bytes). */
void wire_put_result(wire_buf *out, const wire_result *r);

/* The message of a computed run, in place of msg's content: info's status, times, error
 * and criteria (out of memory for those makes the run failed), the resolved text and hash
 * of sc (NULL when there was no scenario: name stands for it), and events, the run's
 * encoded sink calls (a failed run's partial series are not stored by the writer, so only
 * its interventions matter; sending everything keeps the writer's path uniform). */
void wire_put_run(wire_buf *msg, uint64_t run, const scenario *sc, const char *name,
                  runner_info *info, const wire_buf *events);

/* Called in the worker after a run (info->status says whether it finished); may add
 * summary values to the run's memsink m through memsink_sink(m). */
typedef void (*wire_measure_fn)(void *ctx, const runner_info *info, memsink *m);

/* Runs sc on (seed, replicate, seed_point) through the runner and puts the message of run
 * index run in msg (wire_put_run; cleared first). events is the caller's scratch buffer
 * for the encoded sink calls: the run's memsink tees every call into it, so the writer
 * rebuilds the same memsink (wire_store_run). measure (may be NULL) runs before the
 * message is built. Never fails as a whole: a model error or running out of memory
 * recording the run makes a failed run's message. */
void wire_compute_run(wire_buf *msg, wire_buf *events, uint64_t run, const scenario *sc,
                      uint64_t seed, long replicate, long seed_point, wire_measure_fn measure,
                      void *measure_ctx);

/* The writer's half: replays r's events into m (which the caller initialised with
 * memsink_init(m, NULL) and frees, so it can read the stored series after) and stores
 * r as the run (seed, point, replicate) in one transaction (store_write_run), keeping
 * what output's output.* parameters ask for. st NULL: only the replay. */
int wire_store_run(store *st, const wire_result *r, uint64_t seed, long point, long replicate,
                   const crc_params *output, memsink *m, crc_err *err);

/* Decodes a message body (without the 12-byte head) into r. CRC_EFAIL when
 * malformed. */
int wire_get_result(const unsigned char *body, size_t n, wire_result *r, crc_err *err);

void wire_result_free(wire_result *r);

#endif
