/* test_emission.c — with no agents the reserve pays out exactly ∫E for every schedule
 * (closed forms written out here independently), never more than it holds; the pool
 * split, the gate and the unpaid rules. */
#include <criterion/criterion.h>
#include <math.h>

#include <gsl/gsl_integration.h>

#include "model/token/emission.h"
#include "model/token/token.h"

/* ∫_0^T E for each schedule, from the textbook forms (not the module's code path). */
static double closed_form(const crc_params *p, double T)
{
    double r = p->emission_rate;
    switch (p->emission_schedule) {
    case EMIT_CONSTANT: return r * T;
    case EMIT_LINEAR: {
        double L = p->emission_linear_end;
        return T >= L ? r * L / 2 : r * (T - T * T / (2 * L));
    }
    case EMIT_EXPONENTIAL: {
        double h = p->emission_half_life;
        return r * h / log(2.0) * (1 - pow(2.0, -T / h));
    }
    case EMIT_HALVING: {
        double P = p->emission_halving_period, sum = 0, rate = r, t = 0;
        while (t + P <= T) {
            sum += rate * P;
            rate /= 2;
            t += P;
        }
        return sum + rate * (T - t);
    }
    case EMIT_POOL: return p->emission_pool_size * fmin(T, p->emission_pool_days) / p->emission_pool_days;
    }
    return NAN;
}

static double outside_reserve(const token *t)
{
    const ledger *l = t->ledger;
    return ledger_supply(l) - ledger_balance(l, ledger_system(l, CLS_RESERVE));
}

/* Runs the economy with no agents over [0, T] with epochs of length dt and returns
 * the tokens that left the reserve; checks each epoch's outflow against the module's
 * own integral and the invariant. */
static double run_no_agents(const crc_params *p, double T, double dt)
{
    crc_err err = {0};
    token *t = token_alloc(p, 0, NULL, &err);
    cr_assert(t, "%s", err.msg);
    double start = outside_reserve(t);
    emission_schedule s;
    emission_schedule_from_params(&s, p);
    for (double t0 = 0; t0 < T - 1e-9; t0 += dt) {
        double t1 = fmin(t0 + dt, T);
        double before = outside_reserve(t);
        token_epoch_begin(t, t0, t1, 0);
        token_epoch_end(t, t0, t1);
        double want = emission_integral(&s, t0, t1);
        cr_assert_float_eq(outside_reserve(t) - before, want, 1e-6 + 1e-12 * want,
                           "epoch [%g, %g]", t0, t1);
        cr_assert_lt(ledger_check(t->ledger), 1e-9);
        ledger_epoch_reset(t->ledger);
    }
    double out = outside_reserve(t) - start;
    cr_expect_float_eq(out, t->em.emitted_total, 1e-9 * fmax(out, 1));
    token_free(t);
    return out;
}

static void quiet(crc_params *p)
{
    params_defaults(p);
    p->vesting_sell = 0; /* insiders hold: only emissions move */
    p->alloc_reserve = 0.8;
    p->alloc_team = 0.05;
    p->alloc_investors = 0.05;
    p->alloc_ecosystem = 0.0;
}

Test(emission, no_agents_supply_follows_each_schedule_exactly)
{
    const char *names[] = {"constant", "linear", "exponential", "halving", "pool"};
    const double dts[] = {1.0, 0.7};
    for (int k = EMIT_CONSTANT; k <= EMIT_POOL; k++)
        for (int d = 0; d < 2; d++) {
            crc_params p;
            quiet(&p);
            p.emission_schedule = k;
            p.emission_rate = 250000;
            p.emission_linear_end = 500;
            p.emission_half_life = 180;
            p.emission_halving_period = 200;
            p.emission_pool_size = 5e7;
            p.emission_pool_days = 300;
            double T = 1000;
            double got = run_no_agents(&p, T, dts[d]);
            double want = closed_form(&p, T);
            cr_expect_float_eq(got, want, 1e-9 * want, "%s dt %g: %.17g vs %.17g",
                               names[k], dts[d], got, want);
        }
}

Test(emission, integral_matches_numerical_quadrature_of_the_rate)
{
    crc_params p;
    params_defaults(&p);
    p.emission_linear_end = 500;
    p.emission_halving_period = 200;
    p.emission_pool_days = 300;
    const double iv[][2] = {{0, 1}, {3.5, 77.25}, {150, 650}, {499, 501}, {0, 1000}};
    for (int k = EMIT_CONSTANT; k <= EMIT_POOL; k++) {
        p.emission_schedule = k;
        emission_schedule s;
        emission_schedule_from_params(&s, &p);
        for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
            /* breakpoints where the rate has kinks or jumps */
            double pts[16];
            size_t n = 0;
            pts[n++] = iv[i][0];
            double brk[] = {200, 300, 400, 500, 600, 800};
            for (size_t b = 0; b < 6; b++)
                if (brk[b] > iv[i][0] && brk[b] < iv[i][1])
                    pts[n++] = brk[b];
            pts[n++] = iv[i][1];
            double num = 0;
            for (size_t j = 0; j + 1 < n; j++) {
                /* Gauss–Legendre on each smooth piece */
                gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(40);
                double a = pts[j], b = pts[j + 1], sum = 0;
                for (size_t q = 0; q < 40; q++) {
                    double xi, wi;
                    gsl_integration_glfixed_point(a, b, q, &xi, &wi, tab);
                    sum += wi * emission_rate(&s, xi);
                }
                gsl_integration_glfixed_table_free(tab);
                num += sum;
            }
            double an = emission_integral(&s, iv[i][0], iv[i][1]);
            cr_expect_float_eq(an, num, 1e-9 * fmax(num, 1), "kind %d [%g, %g]: %.17g vs %.17g",
                               k, iv[i][0], iv[i][1], an, num);
        }
    }
}

Test(emission, never_pays_more_than_the_reserve_holds)
{
    crc_params p;
    quiet(&p);
    p.emission_schedule = EMIT_CONSTANT;
    p.emission_rate = 2e6; /* the 8e8 reserve lasts 400 days */
    crc_err err = {0};
    token *t = token_alloc(&p, 0, NULL, &err);
    cr_assert(t);
    double reserve0 = ledger_balance(t->ledger, ledger_system(t->ledger, CLS_RESERVE));
    double short_days = 0;
    for (int d = 0; d < 500; d++) {
        token_epoch_begin(t, d, d + 1, 0);
        token_epoch_end(t, d, d + 1);
        cr_assert_leq(t->em.emitted_total, reserve0 * (1 + 1e-12));
        cr_assert_geq(ledger_balance(t->ledger, ledger_system(t->ledger, CLS_RESERVE)), 0.0);
        short_days += t->em.short_epoch > 0;
    }
    cr_expect_float_eq(t->em.emitted_total, reserve0, 1e-9 * reserve0);
    cr_expect_eq(short_days, 100.0);
    cr_expect_lt(ledger_check(t->ledger), 1e-9);
    token_free(t);
}

Test(emission, budget_is_split_into_pools_and_paid_only_up_to_each_pool)
{
    crc_params p;
    quiet(&p);
    p.emission_schedule = EMIT_CONSTANT;
    p.emission_rate = 1000;
    crc_err err = {0};
    token *t = token_alloc(&p, 4, NULL, &err);
    acct_id a = ledger_open(t->ledger, CLS_HONEST);
    double total = token_epoch_begin(t, 0, 2, 0);
    cr_expect_float_eq(total, 2000, 1e-9);
    const double split[POOL_COUNT] = {p.emission_split_data, p.emission_split_model,
                                      p.emission_split_compute, p.emission_split_staking,
                                      p.emission_split_treasury};
    for (int i = 0; i < POOL_COUNT; i++)
        cr_expect_float_eq(emission_left(&t->em, i), 2000 * split[i], 1e-9);
    /* asking for more than the data pool pays only the pool */
    double paid = emission_pay(&t->em, t->ledger, NULL, POOL_DATA, a, 1e9, 2);
    cr_expect_float_eq(paid, 2000 * split[POOL_DATA], 1e-9);
    cr_expect_eq(emission_pay(&t->em, t->ledger, NULL, POOL_DATA, a, 1, 2), 0.0);
    cr_expect_eq(ledger_balance(t->ledger, a), paid);
    cr_expect_eq(ledger_flow(t->ledger, CLS_RESERVE, CLS_HONEST, RSN_EMISSION), paid);
    token_epoch_end(t, 0, 2);
    /* the rest went to the treasury (emission.unpaid = treasury) */
    cr_expect_float_eq(ledger_balance(t->ledger, ledger_system(t->ledger, CLS_TREASURY)),
                       2000 - paid, 1e-9);
    token_free(t);
}

Test(emission, unpaid_rules_leave_in_reserve_or_burn)
{
    for (int rule = UNPAID_RESERVE; rule <= UNPAID_BURN; rule++) {
        crc_params p;
        quiet(&p);
        p.emission_schedule = EMIT_CONSTANT;
        p.emission_rate = 1000;
        p.emission_unpaid = rule;
        crc_err err = {0};
        token *t = token_alloc(&p, 0, NULL, &err);
        ledger *l = t->ledger;
        double s0 = ledger_supply(l), r0 = ledger_balance(l, ledger_system(l, CLS_RESERVE));
        token_epoch_begin(t, 0, 1, 0);
        token_epoch_end(t, 0, 1);
        double tre = ledger_balance(l, ledger_system(l, CLS_TREASURY));
        cr_expect_float_eq(tre, 1000 * p.emission_split_treasury, 1e-9);
        double r1 = ledger_balance(l, ledger_system(l, CLS_RESERVE));
        if (rule == UNPAID_RESERVE) {
            cr_expect_float_eq(r0 - r1, tre, 1e-6);
            cr_expect_eq(ledger_supply(l), s0);
        } else {
            cr_expect_float_eq(r0 - r1, 1000, 1e-6);
            cr_expect_float_eq(s0 - ledger_supply(l), 1000 - tre, 1e-6);
        }
        token_free(t);
    }
}

/* A token with a constant emission of 10000 a day and the fee gate at multiple m, the
 * withheld share going where `withheld` says. */
static token *gated_token(crc_params *p, double m, int withheld)
{
    quiet(p);
    p->emission_schedule = EMIT_CONSTANT;
    p->emission_rate = 10000;
    p->emission_gate_multiple = m;
    p->emission_gate_withheld = withheld;
    crc_err err = {0};
    token *t = token_alloc(p, 0, NULL, &err);
    cr_assert_not_null(t, "%s", err.msg);
    return t;
}

Test(emission, gate_caps_emission_at_m_times_external_fees)
{
    crc_params p;
    token *t = gated_token(&p, 2, GATE_BURN);
    ledger *l = t->ledger;
    double s0 = ledger_supply(l);
    double fees = 1500, cap = p.emission_gate_multiple * fees, withheld = p.emission_rate - cap;
    double b = token_epoch_begin(t, 0, 1, fees);
    cr_expect_float_eq(b, cap, 1e-9);
    cr_expect_float_eq(t->em.withheld_epoch, withheld, 1e-9);
    cr_expect_float_eq(s0 - ledger_supply(l), withheld, 1e-6); /* withheld is burned */
    cr_expect_float_eq(ledger_flow(l, CLS_RESERVE, CLS_COUNT, RSN_GATE), withheld, 1e-9);
    token_epoch_end(t, 0, 1);
    /* a fee volume above the cap's need: no withholding */
    b = token_epoch_begin(t, 1, 2, 1e9);
    cr_expect_float_eq(b, p.emission_rate, 1e-9);
    cr_expect_eq(t->em.withheld_epoch, 0.0);
    token_epoch_end(t, 1, 2);
    token_free(t);
}

Test(emission, gate_can_leave_the_withheld_share_in_the_reserve)
{
    crc_params p;
    token *t = gated_token(&p, 1, GATE_RESERVE);
    ledger *l = t->ledger;
    double s0 = ledger_supply(l), r0 = ledger_balance(l, ledger_system(l, CLS_RESERVE));
    double fees = 4000; /* cap m * fees = 4000 of the 10000 is paid; the rest stays */
    token_epoch_begin(t, 0, 1, fees);
    token_epoch_end(t, 0, 1);
    cr_expect_eq(ledger_supply(l), s0);
    cr_expect_float_eq(r0 - ledger_balance(l, ledger_system(l, CLS_RESERVE)),
                       p.emission_gate_multiple * fees, 1e-6);
    token_free(t);
}

Test(emission, paying_through_vesting_escrows_the_deferred_share_of_the_pool)
{
    crc_params p;
    quiet(&p);
    p.emission_schedule = EMIT_CONSTANT;
    p.emission_rate = 1000;
    p.vesting_immediate = 0.25;
    p.vesting_days = 10;
    crc_err err = {0};
    token *t = token_alloc(&p, 4, NULL, &err);
    ledger *l = t->ledger;
    acct_id a = ledger_open(l, CLS_BUILDER);
    token_epoch_begin(t, 0, 1, 0);
    double paid = emission_pay(&t->em, l, t->vest, POOL_MODEL, a, 100, 1);
    cr_expect_float_eq(paid, 100, 1e-12);
    cr_expect_float_eq(emission_left(&t->em, POOL_MODEL), 1000 * p.emission_split_model - 100, 1e-9);
    cr_expect_float_eq(ledger_balance(l, a), 25, 1e-12);
    cr_expect_float_eq(vesting_unvested(t->vest, a), 75, 1e-12);
    cr_expect_float_eq(ledger_flow(l, CLS_RESERVE, CLS_VESTING_ESCROW, RSN_EMISSION), 75, 1e-12);
    token_epoch_end(t, 0, 1);
    for (int d = 1; d < 11; d++) {
        token_epoch_begin(t, d, d + 1, 0);
        token_epoch_end(t, d, d + 1);
    }
    cr_expect_float_eq(ledger_balance(l, a), 100, 1e-9);
    token_free(t);
}
