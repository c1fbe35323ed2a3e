/*
 * attackfile.h — the `attack:` block of a scenario: what the attacker controls, how much
 * it may spend, what it is after, and how to search (docs/attack.md is the user's guide):
 *
 *   attack:
 *     params:                                   # 1..OPT_MAX_DIM registry parameters
 *       farmers.budget: {min: 0, max: 50}       # linear; number, integer or distribution
 *       poison.rate: {min: 1, max: 1000, scale: log}          # log needs min > 0
 *       poison.count: {min: 0, max: 40}         # integer parameters round to whole numbers
 *       farmers.wash.price: {min: 0.001, max: 0.1, integer: false}
 *     start: {min: 0, max: 300}                 # optional: day the attack starts (whole days)
 *     budget: 20000                             # USD (> 0): bound on the measured spend
 *     spend: cost_usd.farmer                    # what is measured (default attack_cost_usd)
 *     objective: attacker_profit_usd            # = {maximize: attacker_profit_usd}
 *     # objective: {maximize: harm_rate, at: mean}     # any metric (end|max|min|mean)
 *     # objective: {minimize: roi.honest, at: end}     # or summary value
 *     # objective: {break: no-backdoor, probability: 0.5}  # cheapest attack failing it
 *     search: {method: cmaes, evaluations: 200, replicates: 4, fresh: 16, seed: 7}
 *
 * The scenario loader accepts and ignores `attack:`; only the top file's block counts
 * (an `extends:` base's is not inherited). Errors name file:line:column, what was wrong
 * and what is allowed; unknown keys and parameters get the nearest known one.
 *
 * Ownership: atkfile_load fills a zero-initialised atk_spec; atkfile_free releases it.
 */
#ifndef CRC_ATTACKFILE_H
#define CRC_ATTACKFILE_H

#include <stddef.h>
#include <stdint.h>

#include "attack/optim.h"
#include "model/core/params.h"
#include "util/err.h"

typedef enum atk_goal { ATK_MAXIMIZE, ATK_MINIMIZE, ATK_BREAK } atk_goal;

/* One parameter the attacker controls. */
typedef struct atk_param {
    const param_def *param;
    double lo, hi;  /* the range (lo < hi)                                           */
    int log;        /* log scale: u in [0,1] maps to exp(log lo + u (log hi - log lo)) */
    int integer;    /* round to whole numbers (always for integer parameters)         */
    int line, col;  /* of the key, for messages                                      */
} atk_param;

typedef struct atk_spec {
    char file[512];      /* the scenario file                                          */
    int present;         /* it has an attack: block                                    */
    int line, col;       /* of the `attack` key                                        */
    atk_param *params;
    size_t n_params;
    int has_start;       /* start: {min, max}: the day the controlled parameters take
                            their candidate values (whole days; the search's last axis) */
    double start_lo, start_hi;
    int start_line, start_col;
    double budget;       /* USD, > 0                                                   */
    char spend[96];      /* the summary value the budget bounds (default attack_cost_usd) */
    int spend_line, spend_col;
    int goal;            /* atk_goal                                                   */
    char metric[96];     /* maximize/minimize: a metric or summary value               */
    int stat;            /* crit_stat over the metric's series (default mean); -1 once
                            the search found the name is a summary value             */
    char criterion[64];  /* break: the scenario criterion's name                       */
    double probability;  /* break: the failure probability to reach (default 0.5)      */
    int obj_line, obj_col; /* of the objective, for messages found later               */
    opt_method method;   /* default CMA-ES                                             */
    long evaluations;    /* candidates the search evaluates (default 120)              */
    long replicates;     /* replicates per candidate (default 4)                       */
    long fresh;          /* fresh replicates re-evaluating the best (default 16)       */
    long batch;          /* candidates per batch (0: the method's default)             */
    int has_seed;
    uint64_t seed;       /* search seed (default: the scenario's)                      */
} atk_spec;

/* Reads the attack: block of the scenario file at path into s (s->present = 0 when it
 * has none). CRC_EINPUT with file:line:col on bad content; CRC_EFAIL when unreadable. */
int atkfile_load(atk_spec *s, const char *path, crc_err *err);

/* atkfile_load on text[0..len) already in memory (the fuzz target); path names it in
 * messages. */
int atkfile_load_text(atk_spec *s, const char *path, const char *text, size_t len, crc_err *err);

/* The objective in words, e.g. "maximize attacker_profit_usd (summary)",
 * "break no-backdoor with probability >= 0.5". */
void atkfile_describe_objective(const atk_spec *s, char *buf, size_t len);

void atkfile_free(atk_spec *s);

#endif
