/* runner_store.c — runner_store: a finished run into the results database. See runner.h. */
#include "run/runner.h"

#include <stdlib.h>

int runner_store(store *st, const scenario *sc, const runner_info *info, const memsink *m,
                 int64_t *run_id, crc_err *err)
{
    store_criterion *crit = NULL;
    if (info->n_criteria) {
        crit = calloc(info->n_criteria, sizeof *crit);
        if (!crit)
            return crc_err_set(err, CRC_ENOMEM, "out of memory storing a run");
    }
    for (size_t i = 0; i < info->n_criteria; i++) {
        const crit_result *r = &info->criteria[i];
        crit[i] = (store_criterion){
            .name = r->name,
            .metric = r->metric,
            .stat = r->from_summary ? "summary" : criteria_stat_name(r->stat),
            .op = criteria_op_name(r->op),
            .threshold = r->threshold,
            .value = r->value,
            .passed = r->passed,
            .error = r->error[0] ? r->error : NULL,
        };
    }
    char *yaml = scenario_resolved_text(sc);
    char hash[17];
    scenario_hash(sc, hash);
    store_output out;
    store_output_from_params(&sc->params, &out);
    run_record rec = {
        .scenario = sc->name,
        .scenario_yaml = yaml,
        .scenario_hash = hash,
        .seed = info->seed,
        .replicate = info->replicate,
        .point = info->point,
        .started_at = info->started_at,
        .ended_at = info->ended_at,
        .wall_seconds = info->wall_seconds,
        .status = info->status == CRC_OK ? "done" : "failed",
        .error = info->error[0] ? info->error : NULL,
        .criteria = crit,
        .n_criteria = info->n_criteria,
        .output = &out,
    };
    int rc = yaml ? store_write_run(st, &rec, m, run_id, err)
                  : crc_err_set(err, CRC_ENOMEM, "out of memory writing the resolved scenario");
    free(yaml);
    free(crit);
    return rc;
}
