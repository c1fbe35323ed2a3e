/* emission.c — E(t), its closed-form integral, and the per-epoch pool budgets paid
 * from the reserve (emission.h; docs/model-token.md §Emission). */
#include "model/token/emission.h"

#include <math.h>

#include "model/token/vesting.h"
#include "util/fmin.h"

void emission_schedule_from_params(emission_schedule *s, const crc_params *p)
{
    s->kind = p->emission_schedule;
    s->rate = p->emission_rate;
    s->linear_end = p->emission_linear_end;
    s->half_life = p->emission_half_life;
    s->halving_period = p->emission_halving_period;
    s->pool_size = p->emission_pool_size;
    s->pool_days = p->emission_pool_days;
}

double emission_rate(const emission_schedule *s, double t)
{
    if (t < 0)
        return 0;
    switch (s->kind) {
    case EMIT_CONSTANT: return s->rate;
    case EMIT_LINEAR: return t < s->linear_end ? s->rate * (1.0 - t / s->linear_end) : 0;
    case EMIT_EXPONENTIAL: return s->rate * exp2(-t / s->half_life);
    case EMIT_HALVING: return s->rate * exp2(-floor(t / s->halving_period));
    case EMIT_POOL: return t < s->pool_days ? s->pool_size / s->pool_days : 0;
    default: return 0;
    }
}

/* Cumulative emission C(t) = ∫_0^t E for the halving schedule:
 * n = floor(t/P) full periods give r·P·2·(1 − 2^−n), plus r·2^−n·(t − nP). */
static double halving_cum(const emission_schedule *s, double t)
{
    double P = s->halving_period, n = floor(t / P);
    double h = exp2(-n);
    return s->rate * (2.0 * P * (1.0 - h) + h * (t - n * P));
}

double emission_integral(const emission_schedule *s, double t0, double t1)
{
    if (t0 < 0)
        t0 = 0;
    if (!(t1 > t0))
        return 0;
    double r = s->rate;
    switch (s->kind) {
    case EMIT_CONSTANT: return r * (t1 - t0);
    case EMIT_LINEAR: {
        double T = s->linear_end, a = fmin(t0, T), b = fmin(t1, T);
        /* ∫ r(1 − t/T) = r[(b − a) − (b² − a²)/(2T)] = r(b − a)(1 − (a + b)/(2T)) */
        return r * (b - a) * (1.0 - (a + b) / (2.0 * T));
    }
    case EMIT_EXPONENTIAL: {
        double lam = M_LN2 / s->half_life;
        /* (r/λ)(e^{−λa} − e^{−λb}) = (r/λ) e^{−λa} (−expm1(−λ(b − a))) */
        return r / lam * exp(-lam * t0) * -expm1(-lam * (t1 - t0));
    }
    case EMIT_HALVING: {
        double P = s->halving_period;
        if (floor(t0 / P) == floor(t1 / P)) /* same period: exact rectangle */
            return r * exp2(-floor(t0 / P)) * (t1 - t0);
        return halving_cum(s, t1) - halving_cum(s, t0);
    }
    case EMIT_POOL: {
        double N = s->pool_days;
        return s->pool_size / N * (fmin(t1, N) - fmin(t0, N));
    }
    default: return 0;
    }
}

void emission_init(emission *e, const crc_params *p)
{
    *e = (emission){0};
    e->p = p;
}

static const double *split_of(const crc_params *p, double out[POOL_COUNT])
{
    out[POOL_DATA] = p->emission_split_data;
    out[POOL_MODEL] = p->emission_split_model;
    out[POOL_COMPUTE] = p->emission_split_compute;
    out[POOL_STAKING] = p->emission_split_staking;
    out[POOL_TREASURY] = p->emission_split_treasury;
    return out;
}

double emission_begin(emission *e, ledger *l, double t0, double t1, double gate_cap_tkn)
{
    const crc_params *p = e->p;
    emission_schedule s;
    emission_schedule_from_params(&s, p);
    acct_id res = ledger_system(l, CLS_RESERVE);
    double sched = emission_integral(&s, t0, t1);
    double reserve = ledger_balance(l, res);
    double avail = fmin(sched, reserve);
    double budget = avail;
    e->withheld_epoch = 0;
    if (p->emission_gate_multiple > 0 && budget > gate_cap_tkn) {
        double cap = gate_cap_tkn > 0 ? gate_cap_tkn : 0;
        e->withheld_epoch = budget - cap;
        budget = cap;
        if (p->emission_gate_withheld == GATE_BURN)
            ledger_burn(l, res, e->withheld_epoch, RSN_GATE);
        e->withheld_total += e->withheld_epoch;
    }
    e->scheduled_epoch = sched;
    e->short_epoch = sched - avail;
    double split[POOL_COUNT];
    split_of(p, split);
    for (int i = 0; i < POOL_COUNT; i++) {
        e->budget[i] = budget * split[i];
        e->paid[i] = 0;
    }
    e->emitted_epoch = 0;
    e->open = 1;
    return budget;
}

double emission_left(const emission *e, int pool)
{
    if (!e->open || pool < 0 || pool >= POOL_COUNT)
        return 0;
    double left = e->budget[pool] - e->paid[pool];
    return left > 0 ? left : 0;
}

double emission_pay(emission *e, ledger *l, struct vesting *v, int pool, acct_id dst,
                    double amount, double t)
{
    double left = emission_left(e, pool);
    if (!(amount > 0) || left <= 0)
        return 0;
    if (amount > left)
        amount = left;
    acct_id res = ledger_system(l, CLS_RESERVE);
    /* the budget never exceeds the reserve but its split can by rounding */
    amount = crc_fmin(amount, ledger_balance(l, res));
    int rc = v ? vesting_reward(v, l, res, dst, amount, RSN_EMISSION, t)
               : ledger_transfer(l, res, dst, amount, RSN_EMISSION);
    if (rc != 0)
        return 0;
    e->paid[pool] += amount;
    e->emitted_epoch += amount;
    return amount;
}

void emission_settle(emission *e, ledger *l)
{
    if (!e->open)
        return;
    acct_id res = ledger_system(l, CLS_RESERVE);
    acct_id tre = ledger_system(l, CLS_TREASURY);
    for (int i = 0; i < POOL_COUNT; i++) {
        double left = fmin(emission_left(e, i), ledger_balance(l, res));
        if (left <= 0)
            continue;
        int rule = i == POOL_TREASURY ? UNPAID_TREASURY : e->p->emission_unpaid;
        if (rule == UNPAID_TREASURY) {
            if (ledger_transfer(l, res, tre, left, RSN_EMISSION) == 0)
                e->emitted_epoch += left;
        } else if (rule == UNPAID_BURN) {
            ledger_burn(l, res, left, RSN_BURN);
        }
        e->paid[i] = e->budget[i];
    }
    e->emitted_total += e->emitted_epoch;
    e->open = 0;
}
