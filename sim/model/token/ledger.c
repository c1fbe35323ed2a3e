/* ledger.c — the token ledger: balances as struct-of-arrays, supply, per-epoch flow
 * tallies, and the compensated invariant check (ledger.h; docs/model-token.md). */
#include "model/token/ledger.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/bigmem.h"

#define NSYS (CLS_COUNT - CLS_RESERVE)
/* Agent accounts are handed out in runs of CHUNK consecutive ids per class, so that the
 * accounts of one class are neighbours: a fee's payees (a builder, a compute node) are
 * then a few thousand balances in a few hundred cache lines, not lines scattered
 * among millions of providers' accounts. At most CHUNK - 1 ids per class wait unused
 * (balance 0). */
#define CHUNK 64u

struct ledger {
    size_t n, cap;    /* ids issued (opened or reserved in a class's run) */
    size_t opened;    /* accounts opened                              */
    uint32_t run_next[CLS_COUNT], run_left[CLS_COUNT]; /* each class's current run */
    double *bal;      /* balance per account                        */
    uint8_t *cls;     /* class per account                          */
    double supply;    /* Neumaier sum: supply + supply_c            */
    double supply_c;
    double minted_total, burned_total, minted_epoch, burned_epoch;
    double flow[CLS_COUNT + 1][CLS_COUNT + 1][RSN_COUNT];
};

static int grow(ledger *l, size_t need)
{
    if (need <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 16;
    while (cap < need)
        cap *= 2;
    double *b = crc_realloc_big(l->bal, l->cap * sizeof *b, cap * sizeof *b);
    if (!b)
        return -1;
    l->bal = b;
    uint8_t *c = crc_realloc_big(l->cls, l->cap * sizeof *c, cap * sizeof *c);
    if (!c)
        return -1;
    l->cls = c;
    l->cap = cap;
    return 0;
}

ledger *ledger_alloc(size_t capacity)
{
    ledger *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    if (grow(l, capacity + NSYS) != 0) {
        ledger_free(l);
        return NULL;
    }
    for (int c = CLS_RESERVE; c < CLS_COUNT; c++) {
        l->bal[l->n] = 0;
        l->cls[l->n] = (uint8_t)c;
        l->n++;
    }
    l->opened = l->n;
    return l;
}

void ledger_free(ledger *l)
{
    if (!l)
        return;
    free(l->bal);
    free(l->cls);
    free(l);
}

acct_id ledger_system(const ledger *l, int cls)
{
    (void)l;
    if (cls < CLS_RESERVE || cls >= CLS_COUNT)
        return UINT32_MAX;
    return (acct_id)(cls - CLS_RESERVE);
}

size_t ledger_count(const ledger *l) { return l->opened; }

acct_id ledger_open(ledger *l, int cls)
{
    assert(cls >= 0 && cls < CLS_COUNT);
    if (l->run_left[cls] == 0) {
        if (l->n >= UINT32_MAX - CHUNK || grow(l, l->n + CHUNK) != 0)
            return UINT32_MAX;
        for (size_t i = l->n; i < l->n + CHUNK; i++) {
            l->bal[i] = 0;
            l->cls[i] = (uint8_t)cls;
        }
        l->run_next[cls] = (uint32_t)l->n;
        l->run_left[cls] = CHUNK;
        l->n += CHUNK;
    }
    l->run_left[cls]--;
    l->opened++;
    return l->run_next[cls]++;
}

void ledger_set_class(ledger *l, acct_id a, int cls)
{
    assert(a < l->n && cls >= 0 && cls < CLS_COUNT);
    l->cls[a] = (uint8_t)cls;
}

int ledger_class(const ledger *l, acct_id a)
{
    assert(a < l->n);
    return l->cls[a];
}

double ledger_balance(const ledger *l, acct_id a)
{
    assert(a < l->n);
    return l->bal[a];
}

double ledger_supply(const ledger *l) { return l->supply + l->supply_c; }
double ledger_minted_total(const ledger *l) { return l->minted_total; }
double ledger_burned_total(const ledger *l) { return l->burned_total; }
double ledger_minted_epoch(const ledger *l) { return l->minted_epoch; }
double ledger_burned_epoch(const ledger *l) { return l->burned_epoch; }

/* Neumaier step: adds v to the compensated pair (*s, *c). */
static void neumaier(double *s, double *c, double v)
{
    double t = *s + v;
    if (fabs(*s) >= fabs(v))
        *c += (*s - t) + v;
    else
        *c += (v - t) + *s;
    *s = t;
}

/* Takes amount from account a: -1 when it holds less (beyond rounding slack); on
 * success *amount may be lowered to the whole balance. */
static int debit(ledger *l, acct_id a, double *amount) { return ledger_debit_cell(&l->bal[a], amount); }

/* The credit side of a transfer, and its flow. */
static inline void credit(ledger *l, acct_id src, acct_id dst, double amount, int reason)
{
    l->bal[dst] += amount;
    l->flow[l->cls[src]][l->cls[dst]][reason] += amount;
}

/* ledger_transfer for the rare cases (an amount above the balance, negative or not
 * finite), out of line and reached by a tail call: ledger_debit_cell's fmax call would
 * otherwise make every transfer save and restore registers. */
static __attribute__((noinline, cold)) int transfer_slow(ledger *l, acct_id src, acct_id dst,
                                                         double amount, int reason)
{
    if (debit(l, src, &amount) != 0)
        return -1;
    credit(l, src, dst, amount, reason);
    return 0;
}

void ledger_lane_open(ledger *l, ledger_lane *ln, acct_id src, acct_id dst, int reason)
{
    assert(src < l->n && dst < l->n && reason >= 0 && reason < RSN_COUNT);
    ln->src = &l->bal[src];
    ln->dst = &l->bal[dst];
    ln->flow = &l->flow[l->cls[src]][l->cls[dst]][reason];
}

int ledger_transfer(ledger *l, acct_id src, acct_id dst, double amount, int reason)
{
    assert(src < l->n && dst < l->n && reason >= 0 && reason < RSN_COUNT);
    double b = l->bal[src];
    if (!ledger_debit_plain(amount, b))
        return transfer_slow(l, src, dst, amount, reason);
    l->bal[src] = b - amount;
    credit(l, src, dst, amount, reason);
    return 0;
}

void ledger_move(ledger *l, acct_id src, acct_id dst, double amount, int reason)
{
    assert(src < l->n && dst < l->n && reason >= 0 && reason < RSN_COUNT);
    assert(ledger_debit_plain(amount, l->bal[src]));
    l->bal[src] -= amount;
    credit(l, src, dst, amount, reason);
}

void ledger_mint(ledger *l, acct_id dst, double amount, int reason)
{
    assert(dst < l->n && reason >= 0 && reason < RSN_COUNT);
    if (!(amount >= 0) || !isfinite(amount))
        return;
    l->bal[dst] += amount;
    neumaier(&l->supply, &l->supply_c, amount);
    l->minted_total += amount;
    l->minted_epoch += amount;
    l->flow[CLS_COUNT][l->cls[dst]][reason] += amount;
}

int ledger_burn(ledger *l, acct_id src, double amount, int reason)
{
    assert(src < l->n && reason >= 0 && reason < RSN_COUNT);
    if (debit(l, src, &amount) != 0)
        return -1;
    neumaier(&l->supply, &l->supply_c, -amount);
    l->burned_total += amount;
    l->burned_epoch += amount;
    l->flow[l->cls[src]][CLS_COUNT][reason] += amount;
    return 0;
}

double ledger_flow(const ledger *l, int s, int d, int reason)
{
    assert(s >= 0 && s <= CLS_COUNT && d >= 0 && d <= CLS_COUNT);
    assert(reason >= 0 && reason < RSN_COUNT);
    return l->flow[s][d][reason];
}

int ledger_flow_row_any(const ledger *l, int s, int d)
{
    assert(s >= 0 && s <= CLS_COUNT && d >= 0 && d <= CLS_COUNT);
    /* a != 0 exactly when a's bits without the sign bit are not all zero; the OR of
     * the row's bits has no branch per cell */
    uint64_t m = 0;
    for (int r = 0; r < RSN_COUNT; r++) {
        uint64_t b;
        memcpy(&b, &l->flow[s][d][r], sizeof b);
        m |= b << 1;
    }
    return m != 0;
}

double ledger_flow_into(const ledger *l, int d, int reason)
{
    double s = 0;
    for (int c = 0; c <= CLS_COUNT; c++)
        s += ledger_flow(l, c, d, reason);
    return s;
}

void ledger_epoch_reset(ledger *l)
{
    memset(l->flow, 0, sizeof l->flow);
    l->minted_epoch = 0;
    l->burned_epoch = 0;
}

double ledger_check(const ledger *l)
{
    double s = 0, c = 0;
    for (size_t i = 0; i < l->n; i++) {
        double b = l->bal[i];
        if (!(b >= 0) || !isfinite(b))
            return INFINITY;
        neumaier(&s, &c, b);
    }
    double supply = ledger_supply(l);
    return fabs((s + c) - supply) / fmax(supply, 1.0);
}
