/*
 * staking.h — staking with an APR, a fee share and an unstaking cooldown (MODEL.md §4;
 * docs/model-token.md).
 *
 * Staked and unbonding tokens sit in the CLS_STAKE_ESCROW account; the module keeps,
 * per staking account, its stake, its unbonding amount and the time that amount is
 * released. Each epoch [t0, t1], at settlement (staking_epoch, at t1):
 *   1. unbonding amounts whose release time is <= t1 go back to their owners
 *      (RSN_UNSTAKE);
 *   2. the APR is owed on the stake held at settlement: s_i · apr · (t1 − t0)/365
 *      (simple interest: rewards are paid out, not restaked); it is paid from the
 *      staking pool's emission budget (emission_pay, POOL_STAKING, not vested),
 *      scaled down pro rata when the budget is short;
 *   3. the fee pot (fees.stakers × each query fee, collected by staking_fee during
 *      the epoch into the escrow) is paid pro rata to stake (RSN_FEE); with no stake
 *      it goes to the treasury.
 * Unbonding tokens earn neither APR nor fees. An account has at most one unbonding
 * amount: a second unstake adds to it and restarts its cooldown from that time.
 * Memory: 4 bytes per ledger account plus 32 bytes per account holding stake or
 * unbonding tokens.
 * Calls: staking_stake / staking_unstake per agent decision, staking_fee per query,
 * staking_epoch once per epoch (token_epoch_end does it, before emission_settle).
 */
#ifndef CRC_STAKING_H
#define CRC_STAKING_H

#include <stddef.h>

#include "model/token/emission.h"
#include "model/token/ledger.h"
#include "model/core/params.h"

typedef struct staking staking;

/* NULL when out of memory. Reads staking.* live from p. */
staking *staking_alloc(const crc_params *p);
void staking_free(staking *s);

/* Moves amount from a to the escrow as stake. 0, -1 when a holds less (or amount is
 * negative / not finite), -2 out of memory; nothing moves on failure. */
int staking_stake(staking *s, ledger *l, acct_id a, double amount);

/* Starts the cooldown of amount of a's stake (clamped to its stake) at time t;
 * released at t + staking.cooldown by staking_epoch. Returns the amount put into
 * cooldown. */
double staking_unstake(staking *s, acct_id a, double amount, double t);

/* Collects a stakers' fee share: src -> escrow (RSN_FEE) into the epoch's fee pot.
 * 0 or -1 as ledger_transfer. */
int staking_fee(staking *s, ledger *l, acct_id src, double amount);

/* Settles epoch [t0, t1] as described above. e may be NULL (no APR is paid). Returns
 * the APR rewards paid. */
double staking_epoch(staking *s, ledger *l, emission *e, double t0, double t1);

double staking_staked(const staking *s, acct_id a);
double staking_unbonding(const staking *s, acct_id a);
double staking_total(const staking *s);      /* all stake (not unbonding)       */
/* Per-epoch figures of the last staking_epoch. */
double staking_apr_paid(const staking *s);
/* The stakers' yield of the last epoch of length dt, per year: (APR paid + fee pot
 * paid) / stake · 365/dt (0 with no stake). Both are in TKN, so the yield is the
 * same whatever the price; the fee part is the real yield. */
double staking_yield(const staking *s, double dt);

#endif
