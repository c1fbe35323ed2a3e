/*
 * emission.h — the emission schedule E(t), its split into pools, and the per-epoch
 * budget that the model divides among recipients (MODEL.md §4; docs/model-token.md).
 *
 * Emissions are paid out of the reserve account (CLS_RESERVE, seeded at genesis with
 * allocation.reserve × token.initial_supply): they move tokens, they mint nothing, so
 * the ledger supply changes only by burns and the circulating supply (outside the
 * reserve) grows by exactly ∫E while the reserve lasts.
 *
 * Per epoch [t0, t1], at the epoch's settlement (time t1), in this order:
 *   1. emission_begin(e, l, t0, t1, gate_cap): budget B = min(∫_{t0}^{t1} E, reserve,
 *      gate cap); B is split into pools by emission.split.*; the schedule's share
 *      above the gate cap is withheld (burned or left in the reserve).
 *   2. the model divides the data / model / compute pools by their bases and calls
 *      emission_pay for each recipient (through vesting when v != NULL);
 *      staking_epoch pays the staking pool (token_epoch_end does it).
 *   3. emission_settle(e, l): the treasury pool goes to the treasury, and what is
 *      left of any pool goes where emission.unpaid says (default: treasury, so the
 *      budget always leaves the reserve and circulating supply follows ∫E exactly).
 * The parameters are read live from p at each call, so an intervention that changes
 * the schedule takes effect from the next epoch (E is a function of absolute time).
 */
#ifndef CRC_EMISSION_H
#define CRC_EMISSION_H

#include "model/token/ledger.h"
#include "model/core/params.h"

struct vesting;

/* Order of the emission.schedule enum choices. */
typedef enum emission_kind {
    EMIT_CONSTANT, EMIT_LINEAR, EMIT_EXPONENTIAL, EMIT_HALVING, EMIT_POOL
} emission_kind;

/* Order of the emission.basis.* enum choices (the model applies them). */
enum { BASIS_DATA_VOLUME, BASIS_DATA_QUALITY, BASIS_DATA_ATTRIBUTION };
enum { BASIS_MODEL_FEES, BASIS_MODEL_QUERIES };
enum { BASIS_COMPUTE_VERIFIED_WORK };
/* Order of emission.unpaid and emission.gate.withheld. */
enum { UNPAID_TREASURY, UNPAID_RESERVE, UNPAID_BURN };
enum { GATE_BURN, GATE_RESERVE };

typedef enum emission_pool {
    POOL_DATA, POOL_MODEL, POOL_COMPUTE, POOL_STAKING, POOL_TREASURY, POOL_COUNT
} emission_pool;

/* The schedule's shape, from the emission.* parameters. */
typedef struct emission_schedule {
    int kind;              /* emission_kind                        */
    double rate;           /* E(0), TKN/day                        */
    double linear_end;     /* linear: day E reaches 0              */
    double half_life;      /* exponential                          */
    double halving_period; /* halving                              */
    double pool_size, pool_days; /* pool                          */
} emission_schedule;

void emission_schedule_from_params(emission_schedule *s, const crc_params *p);

/* E(t), TKN/day, for t >= 0 (E(t) = 0 for t < 0). Ignores the reserve cap. */
double emission_rate(const emission_schedule *s, double t);

/* ∫_{t0}^{t1} E(t) dt in closed form (0 when t1 <= t0). Ignores the reserve cap. */
double emission_integral(const emission_schedule *s, double t0, double t1);

/* The emission state of a run (a plain value; owns no memory). */
typedef struct emission {
    const crc_params *p;       /* read live                                    */
    double budget[POOL_COUNT]; /* this epoch's budget per pool                 */
    double paid[POOL_COUNT];   /* paid so far this epoch per pool              */
    double scheduled_epoch;    /* ∫E over the epoch                            */
    double withheld_epoch;     /* withheld by the gate this epoch              */
    double short_epoch;        /* scheduled but not in the reserve             */
    double emitted_epoch;      /* left the reserve this epoch (settled)        */
    double emitted_total, withheld_total;
    int open;                  /* between emission_begin and emission_settle  */
} emission;

void emission_init(emission *e, const crc_params *p);

/* Opens epoch [t0, t1]: computes the budget (see the file comment) and withholds the
 * gate's excess. gate_cap_tkn is m × the epoch's external fee volume in TKN (pass
 * INFINITY or any value when emission.gate.multiple is 0: the gate is then off; the
 * caller multiplies by m, so pass the fee volume × emission.gate.multiple). Returns
 * the total budget. */
double emission_begin(emission *e, ledger *l, double t0, double t1, double gate_cap_tkn);

/* Pays min(amount, what is left of the pool's budget) from the reserve to dst with
 * RSN_EMISSION; through vesting_reward when v != NULL (immediate share now, the rest
 * escrowed for dst). t is the current time (for vesting). Returns the amount paid
 * (0 outside begin/settle or for a negative amount). */
double emission_pay(emission *e, ledger *l, struct vesting *v, int pool, acct_id dst,
                    double amount, double t);

/* What is left of a pool's budget this epoch. */
double emission_left(const emission *e, int pool);

/* Closes the epoch: sends the treasury pool to CLS_TREASURY and every pool's unpaid
 * remainder per emission.unpaid. Sets emitted_epoch to what left the reserve. */
void emission_settle(emission *e, ledger *l);

#endif
