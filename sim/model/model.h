/*
 * model.h — the marketplace model's one entry point (MODEL.md; docs/model.md).
 *
 * model_run simulates one replicate of a fully resolved parameter set on the
 * discrete-event engine and writes every metric through the sink. It knows nothing of
 * YAML or SQLite. It allocates its per-run state up front and frees it before
 * returning; it keeps no static mutable state, so runs in different processes or
 * threads are independent.
 */
#ifndef CRC_MODEL_H
#define CRC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "model/core/params.h"
#include "model/core/sink.h"
#include "util/err.h"

/* A governance intervention: at time t, parameter `param` takes `value`. */
typedef struct crc_intervention {
    double t;
    const param_def *param;
    crc_pvalue value;
} crc_intervention;

typedef struct model_input {
    const crc_params *params;
    const crc_intervention *interventions; /* sorted by t; may be NULL          */
    size_t n_interventions;
    uint64_t seed;                         /* run seed                          */
    uint64_t replicate;                    /* replicate index (selects streams) */
    int check;             /* verify the ledger invariant after every epoch     */
    /* Called once per epoch with the current time (may be NULL). */
    void (*progress)(void *ctx, double t, double horizon);
    void *progress_ctx;
} model_input;

/* Cross-parameter checks that the registry's per-parameter ranges cannot express
 * (e.g. a fee split summing to more than 1). CRC_EINPUT with a message naming the
 * parameters and the fix. */
int model_validate(const crc_params *p, crc_err *err);

/* Why an intervention cannot change the parameter at `path` during a run, as the end of
 * a sentence that says what to do instead; NULL when it can. Some parameters only shape
 * the run at t = 0 (the populations' initial counts, the datanets, the tastes) or its
 * clock (world.epoch, world.horizon): changed later they would be ignored, or would
 * put the streams' windows out of step with the epochs. */
const char *model_fixed_param(const char *path);

/* Runs one replicate. Returns CRC_OK, or an error status with err filled (a failed
 * invariant under `check`, a sink error, out of memory). */
int model_run(const model_input *in, const crc_sink *sink, crc_err *err);

#endif
