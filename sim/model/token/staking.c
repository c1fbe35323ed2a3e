/* staking.c — stake, cooldown, APR from the staking pool, fee share (staking.h;
 * docs/model-token.md §Staking). */
#include "model/token/staking.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define NONE UINT32_MAX

struct staking {
    const crc_params *p;
    uint32_t *pos;            /* per ledger account: index in the dense arrays     */
    size_t pos_cap;
    acct_id *acct;            /* dense, per staking account                        */
    double *stake, *unb, *unb_at;
    size_t n, cap;
    double total;             /* Σ stake                                           */
    double pot;               /* fees collected this epoch                         */
    double apr_paid;
    double fee_paid;          /* fee pot paid to stakers at the last epoch           */
};

staking *staking_alloc(const crc_params *p)
{
    staking *s = calloc(1, sizeof *s);
    if (s)
        s->p = p;
    return s;
}

void staking_free(staking *s)
{
    if (!s)
        return;
    free(s->pos);
    free(s->acct);
    free(s->stake);
    free(s->unb);
    free(s->unb_at);
    free(s);
}

static int grow(staking *s, acct_id a)
{
    if (a >= s->pos_cap) {
        size_t cap = s->pos_cap ? s->pos_cap : 64;
        while (cap <= a)
            cap *= 2;
        uint32_t *np = realloc(s->pos, cap * sizeof *np);
        if (!np)
            return -1;
        for (size_t i = s->pos_cap; i < cap; i++)
            np[i] = NONE;
        s->pos = np;
        s->pos_cap = cap;
    }
    if (s->pos[a] == NONE && s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        acct_id *na = realloc(s->acct, cap * sizeof *na);
        if (!na)
            return -1;
        s->acct = na;
        double *d;
        if (!(d = realloc(s->stake, cap * sizeof *d)))
            return -1;
        s->stake = d;
        if (!(d = realloc(s->unb, cap * sizeof *d)))
            return -1;
        s->unb = d;
        if (!(d = realloc(s->unb_at, cap * sizeof *d)))
            return -1;
        s->unb_at = d;
        s->cap = cap;
    }
    return 0;
}

static void remove_at(staking *s, size_t i)
{
    s->pos[s->acct[i]] = NONE;
    size_t last = --s->n;
    if (i != last) {
        s->acct[i] = s->acct[last];
        s->stake[i] = s->stake[last];
        s->unb[i] = s->unb[last];
        s->unb_at[i] = s->unb_at[last];
        s->pos[s->acct[i]] = (uint32_t)i;
    }
}

int staking_stake(staking *s, ledger *l, acct_id a, double amount)
{
    if (!(amount >= 0) || !isfinite(amount) || ledger_balance(l, a) < amount)
        return -1;
    if (grow(s, a) != 0)
        return -2;
    if (ledger_transfer(l, a, ledger_system(l, CLS_STAKE_ESCROW), amount, RSN_STAKE) != 0)
        return -1;
    uint32_t i = s->pos[a];
    if (i == NONE) {
        i = (uint32_t)s->n++;
        s->acct[i] = a;
        s->stake[i] = s->unb[i] = s->unb_at[i] = 0;
        s->pos[a] = i;
    }
    s->stake[i] += amount;
    s->total += amount;
    return 0;
}

double staking_unstake(staking *s, acct_id a, double amount, double t)
{
    if (a >= s->pos_cap || s->pos[a] == NONE || !(amount > 0))
        return 0;
    uint32_t i = s->pos[a];
    if (amount > s->stake[i])
        amount = s->stake[i];
    s->stake[i] -= amount;
    s->total -= amount;
    s->unb[i] += amount;
    s->unb_at[i] = t + s->p->staking_cooldown;
    return amount;
}

int staking_fee(staking *s, ledger *l, acct_id src, double amount)
{
    if (ledger_transfer(l, src, ledger_system(l, CLS_STAKE_ESCROW), amount, RSN_FEE) != 0)
        return -1;
    s->pot += amount;
    return 0;
}

double staking_epoch(staking *s, ledger *l, emission *e, double t0, double t1)
{
    acct_id esc = ledger_system(l, CLS_STAKE_ESCROW);
    /* 1. matured cooldowns */
    size_t i = 0;
    while (i < s->n) {
        if (s->unb[i] > 0 && s->unb_at[i] <= t1) {
            ledger_transfer(l, esc, s->acct[i], fmin(s->unb[i], ledger_balance(l, esc)),
                            RSN_UNSTAKE);
            s->unb[i] = 0;
        }
        if (s->unb[i] <= 0 && s->stake[i] <= 0)
            remove_at(s, i);
        else
            i++;
    }
    /* recompute the total exactly so rounding from adds/removes cannot build up */
    double total = 0;
    for (i = 0; i < s->n; i++)
        total += s->stake[i];
    s->total = total;
    /* 2. APR, simple interest on the stake held at settlement */
    s->apr_paid = 0;
    double per = s->p->staking_apr * (t1 - t0) / 365.0;
    if (e && per > 0 && total > 0) {
        double owed = total * per, budget = emission_left(e, POOL_STAKING);
        double scale = budget >= owed ? 1.0 : budget / owed;
        for (i = 0; i < s->n; i++)
            if (s->stake[i] > 0)
                s->apr_paid += emission_pay(e, l, NULL, POOL_STAKING, s->acct[i],
                                            s->stake[i] * per * scale, t1);
    }
    /* 3. fee pot, pro rata to stake */
    s->fee_paid = 0;
    if (s->pot > 0) {
        if (total > 0) {
            double pot = fmin(s->pot, ledger_balance(l, esc));
            s->fee_paid = pot;
            for (i = 0; i < s->n; i++) {
                double share = pot * (s->stake[i] / total);
                if (share > 0)
                    ledger_transfer(l, esc, s->acct[i], share, RSN_FEE);
            }
        } else {
            ledger_transfer(l, esc, ledger_system(l, CLS_TREASURY),
                            fmin(s->pot, ledger_balance(l, esc)), RSN_FEE);
        }
        s->pot = 0;
    }
    return s->apr_paid;
}

double staking_staked(const staking *s, acct_id a)
{
    return a < s->pos_cap && s->pos[a] != NONE ? s->stake[s->pos[a]] : 0;
}

double staking_unbonding(const staking *s, acct_id a)
{
    return a < s->pos_cap && s->pos[a] != NONE ? s->unb[s->pos[a]] : 0;
}

double staking_total(const staking *s) { return s->total; }
double staking_apr_paid(const staking *s) { return s->apr_paid; }

double staking_yield(const staking *s, double dt)
{
    return s->total > 0 && dt > 0 ? (s->apr_paid + s->fee_paid) / s->total * 365.0 / dt : 0;
}
