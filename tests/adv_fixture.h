/* adv_fixture.h — small, fast scenarios and run helpers shared by test_adversary.c and
 * test_defense.c (fixed populations, so each run isolates one adversarial mechanism). */
#ifndef CRC_TEST_ADV_FIXTURE_H
#define CRC_TEST_ADV_FIXTURE_H

#include <math.h>
#include <string.h>

#include "model/core/memsink.h"
#include "model/model.h"
#include "model/core/params.h"

#include "helpers.h"

/* A small closed market: fixed populations (no entry, no exit, no churn), a constant
 * emission paid at once (no vesting), 90 days. */
static inline void adv_base(crc_params *p)
{
    params_defaults(p);
    p->world_horizon = 90;
    p->world_datanets = 2;
    p->prov_honest_count = 100;
    p->prov_honest_entry = 0;
    p->prov_spammer_count = 0;
    p->prov_spammer_entry = 0;
    p->bld_count = 4;
    p->bld_entry = 0;
    p->node_count = 6;
    p->node_entry = 0;
    p->cons_count = 400;
    p->cons_arrival = 0;
    p->cons_wom = 0;
    p->cons_churn = 0;
    p->stk_count = 0;
    p->stk_entry = 0;
    p->farm_count = 0;
    p->farm_entry = 0;
    p->agents_exit_roi = -1e9;
    p->agents_entry_gain = 0;
    p->emission_schedule = 0; /* constant */
    p->emission_rate = 20000;
    p->vesting_immediate = 1;
    p->world_flows_every = 0;
    p->model_v_half = 100;
    p->bld_retrain = 5;
}

static inline int adv_run(const crc_params *p, uint64_t seed, memsink *m)
{
    return th_model_run(p, seed, 0, 0, NULL, 0, m);
}

/* Mean of a metric over samples with t in [t0, t1]; NAN when none. */
static inline double adv_mean(const memsink *m, const char *name, double t0, double t1)
{
    const memsink_series *s = memsink_get(m, name);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; s && i < s->n; i++)
        if (s->t[i] >= t0 && s->t[i] <= t1) {
            sum += s->v[i];
            n++;
        }
    return n ? sum / (double)n : NAN;
}

/* Sum of a metric over samples with t in [t0, t1]. */
static inline double adv_sum(const memsink *m, const char *name, double t0, double t1)
{
    const memsink_series *s = memsink_get(m, name);
    double sum = 0;
    for (size_t i = 0; s && i < s->n; i++)
        if (s->t[i] >= t0 && s->t[i] <= t1)
            sum += s->v[i];
    return sum;
}

#endif
