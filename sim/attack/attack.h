/*
 * attack.h — the attack search: the attacker's best response within a budget, found by
 * a derivative-free optimiser (attack/optim.h) over the parameters the scenario's
 * `attack:` block hands the attacker (attack/attackfile.h), evaluated through the sweep
 * machinery (sweep/batch.h) into one results database. docs/attack.md is the guide.
 *
 * A layer above the model, beside sim/sweep/: it drives runs; the model does not know
 * it exists.
 *
 * One search (per budget B of a frontier):
 *   1. the optimiser asks a batch of candidates u in [0,1]^d; each coordinate maps onto
 *      its parameter's range (linear, or log) and is rounded for whole-number ones; with
 *      `start:` the last coordinate is the start day s (whole days), and the candidate's
 *      values apply from day s through an intervention (the scenario's own before);
 *   2. every candidate runs on the same R replicate seeds (common random numbers: run
 *      seed rng_derive_seed(seed, 0, r), r = 0..R-1, whatever the candidate), in -j
 *      workers; each run is stored (runs.point = the candidate, points table = its
 *      values) with its measured objective as the summary value `attack.value`;
 *   3. the optimiser is told each candidate's mean over the R replicates (negated to
 *      maximise), or a penalty when the candidate is infeasible (the budget rule below);
 *   3b. the least attack (atk_least) runs beside the first batch on the same R replicates;
 *      not told to the optimiser, it competes for the best and is re-evaluated on the
 *      fresh replicates too, so a profitable attack must beat it;
 *   4. after the evaluation bound, the best feasible candidate is re-evaluated on F
 *      fresh replicates r = R..R+F-1 that the search never saw, and reported with its
 *      95% t interval (no winner's curse).
 *
 * The budget rule: a candidate is feasible when its mean measured spend (the block's
 * `spend:` summary value, default `attack_cost_usd`) over the R replicates is at most B. Infeasible candidates are
 * told a penalty above every feasible value, growing with the excess (B' = spend/B - 1):
 * maximise/minimise: 1e12 (1 + B'); break: 100 + B'. "Break criterion C with probability
 * p" minimises spend/B among candidates whose failure rate of C over the R replicates
 * is at least p; candidates below p are told 10 + 10 (p - rate) + (1 - spend/B), which
 * pushes the search towards more spending until C breaks, then towards less.
 *
 * Determinism: the optimiser's draws come from the search seed, the replicate seeds
 * from the scenario seed scheme above, and the told values from stored runs; so the
 * same seed gives the same search path and result whatever -j. Resume replays the
 * search from its start, reading every run already in the database instead of
 * computing it, so a search killed with kill -9 and resumed equals an uninterrupted one.
 *
 * Ownership: atk_plan_init fills a plan that owns its spec and base scenario;
 * atk_plan_free releases them.
 */
#ifndef CRC_ATTACK_H
#define CRC_ATTACK_H

#include <stddef.h>
#include <stdint.h>

#include "attack/attackfile.h"
#include "scenario/scenario.h"
#include "util/err.h"

/* Stored points of budget b's search: b * ATK_POINT_STRIDE + candidate index. */
#define ATK_POINT_STRIDE 1000000L

/* The damage reported with every result: metric, statistic over the run (crit_stat). */
#define ATK_N_DAMAGE 5
extern const char *const atk_damage_names[ATK_N_DAMAGE];

typedef struct atk_overrides {
    const char *attack_file; /* read the attack: block from this file (NULL: the scenario) */
    char *const *sets;   /* "path=value" applied to the scenario, in order  */
    size_t n_sets;
    int has_seed;
    uint64_t seed;
    long replicates;     /* 0: the block's                                  */
    long evaluations;    /* 0: the block's                                  */
    int has_method;
    opt_method method;
} atk_overrides;

typedef struct atk_plan {
    atk_spec spec;
    scenario base;       /* the scenario after --set                         */
    uint64_t seed;       /* search seed: optimiser and replicate seeds       */
    long replicates, fresh, evaluations;
    char objective[200]; /* atkfile_describe_objective                       */
    char canonical[4096];/* what the hash covers (without budgets)           */
} atk_plan;

/* Loads the scenario and its attack: block, applies overrides, and checks the objective
 * against the model: the metric or summary name must be one a run writes (checked on a
 * one-day run of the scenario), the criterion one the scenario declares. CRC_EINPUT
 * with file:line:col. */
int atk_plan_init(atk_plan *p, const char *scenario_path, const atk_overrides *o,
                  crc_err *err);
void atk_plan_free(atk_plan *p);

/* The search's dimensions: the controlled parameters, then the start day when the block
 * has `start:`. */
size_t atk_dim(const atk_plan *p);
/* The name of dimension j: the parameter's path, or "attack.start" for the start day. */
const char *atk_dim_name(const atk_plan *p, size_t j);

/* The values of unit point u (atk_dim of them: parameters, then the start day). */
void atk_values(const atk_plan *p, const double *u, double *values);

/* The least attack: every parameter at the lower end of its range and the start day
 * (if any) at the latest day of its range. Always evaluated in the search's first batch
 * (stored at point b * ATK_POINT_STRIDE + ATK_NONE_POINT) so that the best attack is
 * compared against it. */
#define ATK_NONE_POINT (ATK_POINT_STRIDE - 1)
void atk_least(const atk_plan *p, double *u);

typedef struct atk_result {
    double budget;
    int searched;        /* 0: not in this shard                               */
    size_t evaluations;  /* candidates evaluated                               */
    size_t runs;         /* runs used (search and fresh), computed or read     */
    size_t computed;     /* runs computed now (the rest came from the database) */
    int found;           /* a feasible candidate exists                         */
    long point;          /* the best candidate's stored point                  */
    double values[OPT_MAX_DIM];
    double search_mean;  /* its objective mean on the search replicates        */
    long fresh;          /* fresh replicates                                   */
    double mean, ci_low, ci_high; /* fresh: the objective (break: the spend)    */
    double spend, spend_low, spend_high;
    double rate, rate_low, rate_high; /* break: failure rate, Wilson 95%        */
    double damage[ATK_N_DAMAGE];      /* fresh means                            */
    int none_found;      /* the least attack was within budget                 */
    double none_mean, none_spend; /* the least attack on the fresh replicates   */
    int success;         /* profitable (ci_low > 0 and above the least attack's
                            fresh mean) / broken (rate >= p) / found            */
} atk_result;

typedef struct atk_exec {
    const char *out;     /* results database                                     */
    int jobs;
    int resume;
    long shard_k, shard_n; /* budgets with index mod N == K-1                    */
    int progress;        /* on stderr: 0 none, 1 a live line (terminal), 2 a line per batch */
} atk_exec;

/* Runs one independent search per budget into o->out (res[b] for budgets[b]; budgets
 * outside the shard get searched = 0). CRC_EINPUT when the database holds another
 * search or resume is off for an existing one. */
int atk_run(const atk_plan *p, const double *budgets, size_t n_budgets, const atk_exec *o,
            atk_result *res, crc_err *err);

/* For `crucible report`: when the baseline scenario fa declares attack:, runs that search
 * (its budget, objective and settings) on the baseline into DIR/attack-baseline.db and on
 * the proposal fb into DIR/attack-proposal.db — with the proposal's own attack: block
 * when it has one, else the baseline's (the same attacker against the new scheme).
 * Databases already there are resumed. *ran = 0 (and nothing runs) without a block. */
int atk_report_pair(const char *fa, const char *fb, const char *dir, int jobs, int *ran,
                    crc_err *err);

/* One sentence on a result, e.g. "no profitable attack found within budget 5000 USD
 * after 120 evaluations of 4 replicates". */
void atk_verdict(const atk_plan *p, const atk_result *r, char *buf, size_t len);

#endif
