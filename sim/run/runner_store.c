/* runner_store.c — runner_store: a finished run into the results database. See runner.h. */
#include "run/runner.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


store_criterion *runner_criteria_rows(const runner_info *info)
{
    store_criterion *crit = info->n_criteria ? calloc(info->n_criteria, sizeof *crit) : NULL;
    for (size_t i = 0; crit && i < info->n_criteria; i++) {
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
    return crit;
}

int runner_store(store *st, const scenario *sc, const runner_info *info, const memsink *m,
                 int64_t *run_id, crc_err *err)
{
    store_criterion *crit = runner_criteria_rows(info);
    if (info->n_criteria && !crit)
        return crc_err_set(err, CRC_ENOMEM, "out of memory storing a run");
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

/* What a database holds of `crucible run`s: its runs' scenario, hash, seed and point
 * (n_kinds distinct (hash, seed, point); the first of them), and its replicates. */
typedef struct held {
    char scenario[128], hash[64];
    uint64_t seed;
    long long point, n_kinds;
    long long n_runs, n_done, min_rep, max_rep;
} held;

static int read_held(store *st, held *h, crc_err *err)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q = NULL;
    memset(h, 0, sizeof *h);
    h->max_rep = -1;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT scenario, coalesce(scenario_hash, ''), seed, point FROM "
                                "runs GROUP BY scenario_hash, seed, point LIMIT 2",
                                -1, &q, NULL);
    while (q && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (h->n_kinds++)
            continue;
        snprintf(h->scenario, sizeof h->scenario, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(h->hash, sizeof h->hash, "%s", (const char *)sqlite3_column_text(q, 1));
        h->seed = (uint64_t)sqlite3_column_int64(q, 2);
        h->point = sqlite3_column_int64(q, 3);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == SQLITE_DONE)
        rc = sqlite3_prepare_v2(db,
                                "SELECT count(*), coalesce(sum(status = 'done'), 0), "
                                "coalesce(min(replicate), 0), coalesce(max(replicate), -1) FROM "
                                "runs WHERE point = -1",
                                -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        h->n_runs = sqlite3_column_int64(q, 0);
        h->n_done = sqlite3_column_int64(q, 1);
        h->min_rep = sqlite3_column_int64(q, 2);
        h->max_rep = sqlite3_column_int64(q, 3);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_OK || rc == SQLITE_DONE
               ? CRC_OK
               : store_fail(err, store_path(st), db, rc, "reading the runs of");
}

/* Refuses a database that is not a `crucible run` of sc on seed: see runner_store_claim. */
static int check_same_run(store *st, const scenario *sc, uint64_t seed, const held *h,
                          crc_err *err)
{
    const char *path = store_path(st);
    char cmd[32] = "", name[160] = "", hash[64] = "", seed_s[32] = "", mine[17];
    store_meta_get(st, "command", cmd, sizeof cmd);
    if (store_meta_get(st, "sweep_hash", name, sizeof name) || !strcmp(cmd, "sweep") ||
        (h->n_kinds && h->point != -1)) {
        if (!store_meta_get(st, "sweep_name", name, sizeof name))
            snprintf(name, sizeof name, "?");
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "holds sweep '%s' (written by `crucible sweep`); a database holds one "
                          "scenario or one sweep, so this run is not added to it. Write the "
                          "run to another --out",
                          name);
    }
    if (cmd[0] && strcmp(cmd, "run") != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "was written by `crucible %s`, not by `crucible run`; write this run "
                          "to another --out",
                          cmd);
    if (h->n_kinds > 1)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "already pools runs of more than one scenario or seed (an older "
                          "crucible appended them); write this run to another --out");
    scenario_hash(sc, mine);
    if (!store_meta_get(st, "scenario_hash", hash, sizeof hash))
        snprintf(hash, sizeof hash, "%s", h->hash);
    const char *held_name = h->scenario[0] ? h->scenario : "?";
    if (hash[0] && strcmp(hash, mine) != 0)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "holds runs of scenario '%s' (hash %s), not of this one, '%s' (hash "
                          "%s)%s. A database holds one scenario: pooling two would mix their "
                          "results. Write this run to another --out",
                          held_name, hash, sc->name, mine,
                          strcmp(held_name, sc->name) == 0
                              ? ": the same name, but a parameter, an intervention or a "
                                "criterion differs (another --set?)"
                              : "");
    uint64_t have = h->seed;
    int known = h->n_kinds > 0;
    if (!known && store_meta_get(st, "seed", seed_s, sizeof seed_s)) {
        have = strtoull(seed_s, NULL, 10);
        known = 1;
    }
    if (known && have != seed)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "holds scenario '%s' run on base seed %llu, not %llu: replicates of "
                          "two seeds would be pooled. Pass --seed %llu (with --resume) to add "
                          "replicates to it, or write to another --out",
                          sc->name, (unsigned long long)have, (unsigned long long)seed,
                          (unsigned long long)have);
    return CRC_OK;
}

int runner_store_claim(store *st, const scenario *sc, const char *scenario_path, uint64_t seed,
                       long replicates, int resume, unsigned char *done, size_t *n_done,
                       crc_err *err)
{
    const char *path = store_path(st);
    *n_done = 0;
    held h;
    int rc = read_held(st, &h, err);
    if (rc == CRC_OK)
        rc = check_same_run(st, sc, seed, &h, err);
    if (rc != CRC_OK)
        return rc;
    if (h.n_runs && !resume)
        return crc_err_at(err, CRC_EINPUT, path, 0, 0,
                          "already holds %lld replicates of this run (replicates %lld..%lld, "
                          "%lld done); they are not stored twice. Pass --resume to run only "
                          "the replicates that are missing or failed, or write to another "
                          "--out",
                          h.n_runs, h.min_rep, h.max_rep, h.n_done);
    if (h.n_runs) {
        if ((rc = store_check_resume_version(st, "this run", err)) != CRC_OK ||
            (rc = store_check_complete(st, err)) != CRC_OK)
            return rc;
        if ((rc = store_drop_unfinished(st, err)) != CRC_OK)
            return rc;
        sqlite3_stmt *q = NULL;
        int src = sqlite3_prepare_v2(store_db(st),
                                     "SELECT replicate FROM runs WHERE point = -1 AND status = "
                                     "'done'",
                                     -1, &q, NULL);
        while (q && (src = sqlite3_step(q)) == SQLITE_ROW) {
            sqlite3_int64 r = sqlite3_column_int64(q, 0);
            if (r >= 0 && r < replicates && !done[r]) {
                done[r] = 1;
                (*n_done)++;
            }
        }
        sqlite3_finalize(q);
        if (src != SQLITE_DONE)
            return store_fail(err, path, store_db(st), src, "reading the runs of");
    }
    char num[32], hash[17];
    scenario_hash(sc, hash);
    rc = store_exec(st, "BEGIN", err);
    if (rc == CRC_OK)
        rc = store_exec(st, "DELETE FROM meta WHERE key = 'replicates_stored'", err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "command", "run", err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "scenario", scenario_path, err);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "scenario_hash", hash, err);
    snprintf(num, sizeof num, "%llu", (unsigned long long)seed);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "seed", num, err);
    snprintf(num, sizeof num, "%lld",
             (long long)replicates > h.max_rep + 1 ? (long long)replicates : h.max_rep + 1);
    if (rc == CRC_OK)
        rc = store_meta_set(st, "replicates", num, err);
    if (rc == CRC_OK)
        return store_exec(st, "COMMIT", err);
    store_exec(st, "ROLLBACK", NULL);
    return rc;
}
