/* runner.c — runner_run: one replicate through the model and its criteria. See runner.h.
 * (runner_store lives in runner_store.c so that compute-only users do not pull in the
 * scenario writer.) */
#include "run/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rng.h"
#include "model/model.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void runner_info_free(runner_info *info)
{
    if (!info)
        return;
    free(info->criteria);
    info->criteria = NULL;
    info->n_criteria = 0;
}

int runner_run(const scenario *sc, uint64_t seed, long replicate, long point,
               const runner_opts *o, memsink *out, runner_info *info, crc_err *err)
{
    memset(info, 0, sizeof *info);
    snprintf(info->scenario, sizeof info->scenario, "%s", sc->name);
    info->seed = seed;
    info->replicate = replicate;
    info->point = point;
    info->run_seed =
        rng_derive_seed(seed, point < 0 ? 0 : (uint64_t)point, (uint64_t)replicate);
    memsink_free(out); /* empty, ready for this run (keeps out->next) */

    model_input in = {
        .params = &sc->params,
        .interventions = sc->interventions,
        .n_interventions = sc->n_interventions,
        .seed = info->run_seed,
        .replicate = (uint64_t)replicate,
        .check = o ? o->check : 0,
        .progress = o ? o->progress : NULL,
        .progress_ctx = o ? o->progress_ctx : NULL,
    };
    crc_sink sink = memsink_sink(out);
    crc_err merr = {0};
    utc_now(info->started_at, sizeof info->started_at);
    double t0 = wall_now();
    int rc = model_run(&in, &sink, &merr);
    info->wall_seconds = wall_now() - t0;
    utc_now(info->ended_at, sizeof info->ended_at);
    if (rc == CRC_OK && out->oom)
        rc = crc_err_set(&merr, CRC_ENOMEM, "out of memory while recording the results");
    info->status = rc;
    if (rc != CRC_OK) {
        if (!merr.code)
            crc_err_set(&merr, rc, "the model failed (status %d) without a message", rc);
        crc_err_format(&merr, info->error, sizeof info->error);
        if (err)
            *err = merr;
        return rc;
    }

    if (sc->n_criteria) {
        info->criteria = calloc(sc->n_criteria, sizeof *info->criteria);
        if (!info->criteria) {
            info->status = CRC_ENOMEM;
            snprintf(info->error, sizeof info->error,
                     "out of memory evaluating the criteria");
            return crc_err_set(err, CRC_ENOMEM, "%s", info->error);
        }
        info->n_criteria = sc->n_criteria;
    }
    for (size_t i = 0; i < sc->n_criteria; i++) {
        crit_result *r = &info->criteria[i];
        if (criteria_eval(&sc->criteria[i], out, r) != CRC_OK) {
            if (info->n_errors++ == 0)
                snprintf(info->error, sizeof info->error, "%s", r->error);
        }
        if (!r->passed)
            info->n_failed++;
    }
    return CRC_OK;
}
