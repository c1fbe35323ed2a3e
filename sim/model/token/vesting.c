/* vesting.c — reward vesting escrow with O(1) state per account, and insider unlocks
 * with a cliff and a linear release (vesting.h; docs/model-token.md §Vesting). */
#include "model/token/vesting.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/fmin.h"

#define NONE UINT32_MAX

/* An unlock plan: `total` tokens, `released` of them already moved to acct. tranche is
 * the index of its row in p->tranches, or -1 for a legacy insider plan, which reads
 * vesting.insiders.* live. */
typedef struct insider_plan {
    double total, released;
    acct_id acct;
    int tranche;
} insider_plan;

struct vesting {
    const crc_params *p;
    /* pos[a]: index of account a in the dense arrays, NONE when it has nothing
     * unvested. The dense arrays hold, per vesting account: its id, unvested amount
     * u, amount-weighted mean end time e, and the time `since` at which u was last
     * brought up to date (vesting runs linearly from since to e). */
    uint32_t *pos;
    size_t pos_cap;
    acct_id *acct;
    double *u, *end, *since;
    size_t n, cap;
    double unvested;          /* Σ u */
    insider_plan plan[CRC_MAX_TRANCHES];
    int n_plans;
};

vesting *vesting_alloc(const crc_params *p)
{
    vesting *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->p = p;
    for (int i = 0; i < CRC_MAX_TRANCHES; i++) {
        v->plan[i].acct = NONE;
        v->plan[i].tranche = -1;
    }
    return v;
}

void vesting_free(vesting *v)
{
    if (!v)
        return;
    free(v->pos);
    free(v->acct);
    free(v->u);
    free(v->end);
    free(v->since);
    free(v);
}

static int grow_pos(vesting *v, acct_id a)
{
    if (a < v->pos_cap)
        return 0;
    size_t cap = v->pos_cap ? v->pos_cap : 64;
    while (cap <= a)
        cap *= 2;
    uint32_t *np = realloc(v->pos, cap * sizeof *np);
    if (!np)
        return -1;
    for (size_t i = v->pos_cap; i < cap; i++)
        np[i] = NONE;
    v->pos = np;
    v->pos_cap = cap;
    return 0;
}

static int grow_dense(vesting *v)
{
    if (v->n < v->cap)
        return 0;
    size_t cap = v->cap ? v->cap * 2 : 64;
    acct_id *na = realloc(v->acct, cap * sizeof *na);
    if (!na)
        return -1;
    v->acct = na;
    double *nu = realloc(v->u, cap * sizeof *nu);
    if (!nu)
        return -1;
    v->u = nu;
    double *ne = realloc(v->end, cap * sizeof *ne);
    if (!ne)
        return -1;
    v->end = ne;
    double *ns = realloc(v->since, cap * sizeof *ns);
    if (!ns)
        return -1;
    v->since = ns;
    v->cap = cap;
    return 0;
}

static inline void remove_at(vesting *v, size_t i)
{
    v->pos[v->acct[i]] = NONE;
    size_t last = --v->n;
    if (i != last) {
        v->acct[i] = v->acct[last];
        v->u[i] = v->u[last];
        v->end[i] = v->end[last];
        v->since[i] = v->since[last];
        v->pos[v->acct[i]] = (uint32_t)i;
    }
}

/* The rest of a release of rel out of entry i (u before it), once paid: removes the
 * entry when fully vested; returns 1 when it did. */
static inline int release_rest(vesting *v, size_t i, double t, double u, double rel)
{
    v->u[i] = u - rel;
    v->since[i] = t;
    if (t >= v->end[i] || !(v->u[i] > 0)) {
        remove_at(v, i);
        return 1;
    }
    return 0;
}

/* release for an escrow that cannot pay rel plainly (a rounding shortfall the ledger's
 * slack absorbs, or worse), out of line and reached by a tail call. */
static __attribute__((noinline, cold)) int release_slow(vesting *v, ledger *l, size_t i,
                                                        double t, double u, double rel)
{
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    double pay = crc_fmin(rel, ledger_balance(l, esc));
    ledger_transfer(l, esc, v->acct[i], pay, RSN_VESTING);
    v->unvested -= rel;
    return release_rest(v, i, t, u, rel);
}

/* Releases what entry i vested in (since, t]; removes it when fully vested. Returns 1
 * when the entry was removed. Its common path makes no call (a call on the way made
 * each of the ~750 k releases of a baseline year save and restore registers). */
static int release(vesting *v, ledger *l, size_t i, double t)
{
    double u = v->u[i], rel;
    if (t >= v->end[i])
        rel = u;
    else if (t > v->since[i])
        rel = u * (t - v->since[i]) / (v->end[i] - v->since[i]);
    else
        return 0;
    if (rel > 0) {
        /* the escrow's ledger balance and the module's bookkeeping agree up to
         * rounding; never ask the ledger for more than it holds */
        acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
        double b = ledger_balance(l, esc), pay = crc_fmin(rel, b);
        if (!ledger_debit_plain(pay, b))
            return release_slow(v, l, i, t, u, rel);
        ledger_move(l, esc, v->acct[i], pay, RSN_VESTING);
        v->unvested -= rel;
    }
    return release_rest(v, i, t, u, rel);
}

int vesting_reward(vesting *v, ledger *l, acct_id src, acct_id dst, double amount,
                   int reason, double t)
{
    const crc_params *p = v->p;
    if (!(amount >= 0) || !isfinite(amount) || ledger_balance(l, src) < amount)
        return -1;
    double V = p->vesting_days, s = p->vesting_immediate;
    double now = s >= 1 || V <= 0 ? amount : amount * s;
    double later = amount - now;
    if (later > 0 && (grow_pos(v, dst) != 0 || (v->pos[dst] == NONE && grow_dense(v) != 0)))
        return -2;
    if (ledger_transfer(l, src, dst, now, reason) != 0)
        return -1;
    if (!(later > 0))
        return 0;
    if (ledger_transfer(l, src, ledger_system(l, CLS_VESTING_ESCROW), later, reason) != 0)
        return -1;
    uint32_t i = v->pos[dst];
    if (i != NONE && release(v, l, i, t))
        i = NONE;
    if (i == NONE) {
        i = (uint32_t)v->n++;
        v->acct[i] = dst;
        v->u[i] = 0;
        v->end[i] = t;
        v->pos[dst] = i;
    }
    /* merge: keep the total and the amount-weighted mean end time */
    double u = v->u[i];
    v->end[i] = (u * v->end[i] + later * (t + V)) / (u + later);
    v->u[i] = u + later;
    v->since[i] = t;
    v->unvested += later;
    return 0;
}

double vesting_settle(vesting *v, ledger *l, double t)
{
    double before = v->unvested;
    size_t i = 0;
    while (i < v->n)
        if ((v->since[i] >= t && t < v->end[i]) || !release(v, l, i, t))
            i++; /* the first test: released up to t already (a reward at t) */
    if (v->n == 0)
        v->unvested = 0; /* drop accumulated rounding */
    return before - v->unvested;
}

double vesting_clawback(vesting *v, ledger *l, acct_id a, acct_id dst)
{
    if (a >= v->pos_cap || v->pos[a] == NONE)
        return 0;
    uint32_t i = v->pos[a];
    double u = v->u[i];
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    double take = fmin(u, ledger_balance(l, esc));
    if (dst == NONE)
        ledger_burn(l, esc, take, RSN_CLAWBACK);
    else
        ledger_transfer(l, esc, dst, take, RSN_CLAWBACK);
    v->unvested -= u;
    remove_at(v, i);
    if (v->n == 0)
        v->unvested = 0;
    return u;
}

double vesting_unvested(const vesting *v, acct_id a)
{
    return a < v->pos_cap && v->pos[a] != NONE ? v->u[v->pos[a]] : 0;
}

double vesting_unvested_total(const vesting *v) { return v->unvested; }

void vesting_lock_insiders(vesting *v, int plan, double amount, acct_id to)
{
    if (plan < 0 || plan >= INSIDER_COUNT)
        return;
    v->plan[plan] = (insider_plan){amount, 0, to, -1};
    if (v->n_plans <= plan)
        v->n_plans = plan + 1;
}

int vesting_lock_tranche(vesting *v, int tranche, double total, double released, acct_id to)
{
    if (v->n_plans >= CRC_MAX_TRANCHES)
        return -1;
    v->plan[v->n_plans++] = (insider_plan){total, released, to, tranche};
    return v->n_plans - 1;
}

double vesting_unlocked_at(const crc_params *p, double total, double t)
{
    double cliff = p->vesting_cliff, L = p->vesting_months * VESTING_MONTH_DAYS;
    if (t < cliff)
        return 0;
    if (L <= 0 || t >= cliff + L)
        return total;
    return total * ((t - cliff) / L);
}

double vesting_tranche_unlocked(const crc_tranche *tr, double total, double t)
{
    double c = tr->cliff * VESTING_MONTH_DAYS, L = tr->vesting * VESTING_MONTH_DAYS;
    double f;
    if (t < c)
        f = 0;
    else if (L <= 0 || t >= c + L)
        f = 1;
    else if (tr->shape == TR_MONTHLY)
        f = floor((t - c) / VESTING_MONTH_DAYS) / tr->vesting;
    else
        f = (t - c) / L;
    if (t < 0)
        return 0;
    return f >= 1 ? total : total * (tr->tge + (1 - tr->tge) * f);
}

/* The cumulative amount plan pl has unlocked by t, and the share of its holdings its
 * account sells each epoch. */
static double plan_unlocked(const vesting *v, const insider_plan *pl, double t, double *sell)
{
    const crc_params *p = v->p;
    if (pl->tranche < 0) {
        *sell = p->vesting_sell;
        return vesting_unlocked_at(p, pl->total, t);
    }
    const crc_tranche *tr = &p->tranches.t[pl->tranche];
    *sell = tr->role == TR_HOLDER ? tr->sell : 0;
    return vesting_tranche_unlocked(tr, pl->total, t);
}

double vesting_locked(const vesting *v)
{
    double s = 0;
    for (int i = 0; i < v->n_plans; i++)
        s += v->plan[i].total - v->plan[i].released;
    return s;
}

acct_id vesting_insider(const vesting *v, int plan)
{
    return plan >= 0 && plan < v->n_plans ? v->plan[plan].acct : NONE;
}

double vesting_unlock(vesting *v, ledger *l, amm *a, double t)
{
    double usd = 0;
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    for (int i = 0; i < v->n_plans; i++) {
        insider_plan *pl = &v->plan[i];
        if (pl->acct == NONE)
            continue;
        double share;
        double u = plan_unlocked(v, pl, t, &share);
        if (u > pl->released) {
            /* clamp: rounding between plan totals and the escrow balance */
            double d = fmin(u - pl->released, ledger_balance(l, esc));
            if (ledger_transfer(l, esc, pl->acct, d, RSN_UNLOCK) == 0)
                pl->released = u;
        }
        double sell = share * ledger_balance(l, pl->acct);
        if (a && sell > 0) {
            double got = amm_sell(a, l, pl->acct, sell);
            if (got > 0)
                usd += got;
        }
    }
    return usd;
}
