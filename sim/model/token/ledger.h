/*
 * ledger.h — the token ledger (MODEL.md §3).
 *
 * Every agent and system account has a balance. Only ledger_mint and ledger_burn
 * change supply; ledger_transfer moves tokens and can never create or destroy them, so
 * Σ balances = supply after every call (ledger_check verifies it exactly with a
 * compensated sum). Every movement carries a reason and is tallied per epoch in a
 * (src class, dst class, reason) matrix that the model flushes to the sink's flows.
 *
 * Ownership: ledger_alloc sizes the account arrays up front (they grow by doubling
 * when agents arrive); ledger_free releases everything.
 */
#ifndef CRC_LEDGER_H
#define CRC_LEDGER_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "model/token/classes.h"

typedef uint32_t acct_id;

typedef enum flow_reason {
    RSN_EMISSION,  /* reserve -> reward recipient                       */
    RSN_FEE,       /* query fee shares                                  */
    RSN_PURCHASE,  /* tokens bought from the AMM                        */
    RSN_SALE,      /* tokens sold to the AMM                            */
    RSN_BOND,      /* bond posted                                       */
    RSN_BOND_RELEASE,
    RSN_SLASH,
    RSN_STAKE,
    RSN_UNSTAKE,
    RSN_VESTING,   /* reward vesting into / out of escrow               */
    RSN_CLAWBACK,  /* unvested rewards clawed back                      */
    RSN_UNLOCK,    /* insider unlocks                                   */
    RSN_COMPUTE,   /* payment for compute jobs                          */
    RSN_BUYBACK,
    RSN_BURN,      /* destroyed (dst is none)                           */
    RSN_MINT,      /* created (src is none)                             */
    RSN_GATE,      /* withheld by the emission gate                     */
    RSN_LIQUIDITY, /* liquidity added to / removed from the AMM         */
    RSN_GRANT,     /* treasury grant to a contributor                   */
    RSN_COUNT
} flow_reason;

const char *reason_name(int reason);

typedef struct ledger ledger;

/* Allocates a ledger with one account per system class (CLS_RESERVE .. CLS_MARKET,
 * reachable with ledger_system; they are accounts 0 .. CLS_COUNT-CLS_RESERVE-1) and
 * room for capacity agent accounts. NULL when out of memory. Memory: 9 bytes per
 * account (balance + class) plus a fixed flow matrix. */
ledger *ledger_alloc(size_t capacity);
void ledger_free(ledger *l);

/* The account of a system class; UINT32_MAX for an agent class. */
acct_id ledger_system(const ledger *l, int cls);

/* Number of accounts opened so far (system ones included). Ids are small integers,
 * handed out in runs per class (not consecutively across classes). */
size_t ledger_count(const ledger *l);

/* Opens an agent account of a class with balance 0; returns its id, or UINT32_MAX
 * when out of memory. */
acct_id ledger_open(ledger *l, int cls);

/* Moves an account to another class (e.g. an honest provider turning poisoner). */
void ledger_set_class(ledger *l, acct_id a, int cls);
int ledger_class(const ledger *l, acct_id a);

double ledger_balance(const ledger *l, acct_id a);
double ledger_supply(const ledger *l);
double ledger_minted_total(const ledger *l);
double ledger_burned_total(const ledger *l);

/* Moves amount (>= 0) from src to dst. Returns 0, or -1 (and moves nothing) when src
 * holds less than amount, or amount is negative or not finite. An amount above the
 * balance by at most 1e-12 relative (rounding in the caller's arithmetic) is taken
 * as the whole balance, so "pay everything" never fails and never goes negative. */
int ledger_transfer(ledger *l, acct_id src, acct_id dst, double amount, int reason);

/* Takes *amount from the balance *bal, as ledger_transfer does: -1 (nothing taken)
 * when it is negative, not finite or above the balance beyond 1e-12 relative; on
 * success *amount may be lowered to the whole balance. */
static inline int ledger_debit_cell(double *bal, double *amount)
{
    double amt = *amount, b = *bal;
    if (!(amt >= 0) || !isfinite(amt))
        return -1;
    if (amt > b) {
        if (amt - b > 1e-12 * fmax(b, 1e-300) || b < 0)
            return -1;
        amt = b;
    }
    *bal = b - amt;
    *amount = amt;
    return 0;
}

/* Whether amount is the common case of a debit from balance b (finite, in [0, b]),
 * where ledger_debit_cell and ledger_transfer take it as it is. */
static inline int ledger_debit_plain(double amount, double b)
{
    return amount >= 0 && amount <= b && isfinite(amount);
}

/* ledger_transfer(l, src, dst, amount, reason) for a caller that has checked that src
 * holds amount (ledger_debit_plain(amount, the balance)): the same move, with no call in it,
 * so that the caller's common path need not save registers for one. */
void ledger_move(ledger *l, acct_id src, acct_id dst, double amount, int reason);

/* A lane: ledger_transfer from src to dst for one reason, made many times in a row (a
 * stream of purchases), with the three cells it touches looked up once. Valid until
 * the next account is opened (the balances may move). */
typedef struct ledger_lane {
    double *src, *dst, *flow;
} ledger_lane;

void ledger_lane_open(ledger *l, ledger_lane *ln, acct_id src, acct_id dst, int reason);

/* ledger_transfer(l, src, dst, amount, reason) through the lane: the same result. */
static inline int ledger_lane_move(const ledger_lane *ln, double amount)
{
    if (ledger_debit_cell(ln->src, &amount) != 0)
        return -1;
    *ln->dst += amount;
    *ln->flow += amount;
    return 0;
}

/* Creates amount (>= 0, finite; otherwise nothing happens) into dst / destroys amount
 * from src (supply changes). ledger_burn returns 0, or -1 (burning nothing) on the
 * same conditions as ledger_transfer. Both count in the minted/burned totals and the
 * epoch counters, and are tallied as flows from / to "none" (CLS_COUNT). */
void ledger_mint(ledger *l, acct_id dst, double amount, int reason);
int ledger_burn(ledger *l, acct_id src, double amount, int reason);

/* Tokens moved this epoch from class s to class d for a reason (CLS_COUNT stands for
 * "none": the src of a mint, the dst of a burn). */
double ledger_flow(const ledger *l, int s, int d, int reason);

/* Whether some reason's flow from class s to class d is nonzero this epoch, as
 * ledger_flow(l, s, d, r) != 0 for some r (a NaN counts, -0 does not): one test of a
 * row of RSN_COUNT cells, so that a scan of the matrix skips the many empty rows. */
int ledger_flow_row_any(const ledger *l, int s, int d);

/* Sum of ledger_flow over every src class into class d for a reason this epoch. */
double ledger_flow_into(const ledger *l, int d, int reason);

/* Clears the per-epoch flow tallies and the epoch's minted/burned counters. The model
 * calls it once per epoch, after sampling metrics and writing the flows. */
void ledger_epoch_reset(ledger *l);
double ledger_minted_epoch(const ledger *l);
double ledger_burned_epoch(const ledger *l);

/* |Σ balances − supply| relative to max(supply, 1), with Σ balances computed by a
 * Neumaier compensated sum; the invariant holds when this is below 1e-9. A negative
 * or non-finite balance returns +INFINITY. O(accounts). */
double ledger_check(const ledger *l);

#endif
