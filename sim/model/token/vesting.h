/*
 * vesting.h — reward vesting escrow and insider unlocks (MODEL.md §3, §4;
 * docs/model-token.md).
 *
 * Reward vesting. A reward R to account a pays s·R at once (s =
 * vesting.rewards.immediate) and escrows (1−s)·R in the CLS_VESTING_ESCROW account,
 * to vest linearly over V = vesting.rewards.days. Memory is O(1) per account: each
 * account with unvested rewards keeps its unvested amount u and the amount-weighted
 * mean end time e of its grants, and vests linearly at rate u / (e − t) until e.
 * A single grant vests exactly (linearly over V); the total is always exact; grants
 * that overlap are vested as one linear tranche ending at their amount-weighted mean
 * end — under a steady reward stream this gives the exact steady state (u = R'V/2
 * for a rate R' of escrowed rewards, mean delay V/2).
 * On a slash the model calls vesting_clawback: the account's unvested rewards go to
 * the treasury or are burned (RSN_CLAWBACK).
 *
 * Unlock plans. Locked allocations wait in the same escrow account from genesis (the
 * module keeps the locked amount apart from the reward escrow). A legacy insider plan
 * (team, investors; no tranche table) of T tokens has unlocked
 *   U(t) = T · clamp((t − cliff) / L, 0, 1),   L = months × 30.4375 days
 * (vesting.insiders.*, read live); a plan from a tranche table (core/tranche.h) has
 * unlocked vesting_tranche_unlocked (below). Each epoch what a plan has newly unlocked
 * moves to its account (RSN_UNLOCK); then a holder's account (legacy insiders and
 * role-holder tranches) sells its propensity of what it holds on the AMM (RSN_SALE).
 *
 * Calls: vesting_reward per reward (emission_pay does it), vesting_clawback per slash,
 * vesting_settle and vesting_unlock once per epoch (token_epoch_end does both).
 * Parameters are read live from p at each call.
 * Ownership: vesting_alloc / vesting_free; the per-account arrays grow by doubling.
 */
#ifndef CRC_VESTING_H
#define CRC_VESTING_H

#include <stddef.h>

#include "model/token/amm.h"
#include "model/token/ledger.h"
#include "model/core/params.h"

typedef struct vesting vesting;

/* Days in a month for vesting.insiders.months (365.25 / 12). */
#define VESTING_MONTH_DAYS 30.4375

/* Legacy insider plans (team, investors): plans 0 and 1 when there is no tranche
 * table. */
enum { INSIDER_TEAM, INSIDER_INVESTORS, INSIDER_COUNT };

/* Allocates the escrow state, reading p live. The insider plans start empty; call
 * vesting_lock_insiders at genesis. NULL when out of memory. */
vesting *vesting_alloc(const crc_params *p);
void vesting_free(vesting *v);

/* Pays a reward of amount from src to dst: the immediate share src -> dst with
 * `reason`, the rest src -> CLS_VESTING_ESCROW with `reason`, vesting for dst from
 * time t. With V = 0 or immediate = 1 everything is paid at once. Returns 0, -1 when
 * src holds less than amount (nothing moves), or CRC_ENOMEM-like -2 when the
 * per-account arrays could not grow (nothing moves). */
int vesting_reward(vesting *v, ledger *l, acct_id src, acct_id dst, double amount,
                   int reason, double t);

/* Releases what vested in (last settle, t] for every account: escrow -> account,
 * RSN_VESTING. Call once per epoch with t = the epoch's end. Returns the total
 * released. */
double vesting_settle(vesting *v, ledger *l, double t);

/* Claws back all of a's unvested rewards: escrow -> dst with RSN_CLAWBACK, or burned
 * (RSN_CLAWBACK) when dst is UINT32_MAX. Returns the amount clawed back. */
double vesting_clawback(vesting *v, ledger *l, acct_id a, acct_id dst);

/* Unvested rewards of a / of everyone (the insiders' locked tokens not included). */
double vesting_unvested(const vesting *v, acct_id a);
double vesting_unvested_total(const vesting *v);

/* Genesis: mints nothing; records that `amount` tokens already in the escrow account
 * belong to insider plan `plan`, unlocking to account `to` (a CLS_INSIDER account). */
void vesting_lock_insiders(vesting *v, int plan, double amount, acct_id to);

/* Cumulative unlocked amount of a plan of `total` tokens at time t (formula above,
 * with the current cliff and months). */
double vesting_unlocked_at(const crc_params *p, double total, double t);

/* Genesis, tranche tables: records a plan of `total` tokens of tranche row `tranche`,
 * `released` of them already paid to `to` at TGE and the rest already in the escrow.
 * Returns the plan's index, or -1 when CRC_MAX_TRANCHES plans exist. */
int vesting_lock_tranche(vesting *v, int tranche, double total, double released, acct_id to);

/* Cumulative unlocked amount of a tranche of `total` tokens at time t >= 0, with
 * c = cliff·M, L = vesting·M, M = 30.4375 days, k = tge:
 *   U(t) = total · (k + (1 − k)·f(t)),  f = 0 for t < c, 1 for t >= c + L (or L = 0),
 *   else (t − c)/L (linear) or floor((t − c)/M)/vesting (monthly steps). */
double vesting_tranche_unlocked(const crc_tranche *tr, double total, double t);

/* Still-locked tokens of every plan. */
double vesting_locked(const vesting *v);

/* Once per epoch at time t: moves newly unlocked tokens to the insider accounts
 * (RSN_UNLOCK), then sells vesting.insiders.sell × each insider account's balance on
 * the AMM (RSN_SALE). Returns the USD the insiders received this epoch. */
double vesting_unlock(vesting *v, ledger *l, amm *a, double t);

/* The account of a plan (UINT32_MAX for a plan not recorded). */
acct_id vesting_insider(const vesting *v, int plan);

#endif
