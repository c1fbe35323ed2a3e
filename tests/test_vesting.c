/* test_vesting.c — reward vesting (linear for a single grant, exact totals, steady
 * state, clawback) and insider unlocks (cliff, linear release, sales). */
#include <criterion/criterion.h>
#include <math.h>

#include "engine/pcg.h"
#include "model/token/token.h"
#include "model/token/vesting.h"

typedef struct fixture {
    crc_params p;
    ledger *l;
    vesting *v;
    acct_id res, esc;
} fixture;

static void setup(fixture *f, double immediate, double days)
{
    params_defaults(&f->p);
    f->p.vesting_immediate = immediate;
    f->p.vesting_days = days;
    f->l = ledger_alloc(16);
    f->v = vesting_alloc(&f->p);
    f->res = ledger_system(f->l, CLS_RESERVE);
    f->esc = ledger_system(f->l, CLS_VESTING_ESCROW);
    ledger_mint(f->l, f->res, 1e12, RSN_MINT);
}

static void teardown(fixture *f)
{
    vesting_free(f->v);
    ledger_free(f->l);
}

Test(vesting, single_grant_pays_the_immediate_share_then_vests_linearly)
{
    fixture f;
    setup(&f, 0.25, 100);
    acct_id a = ledger_open(f.l, CLS_HONEST);
    cr_assert_eq(vesting_reward(f.v, f.l, f.res, a, 1000, RSN_EMISSION, 0), 0);
    cr_expect_float_eq(ledger_balance(f.l, a), 250, 1e-9);
    cr_expect_float_eq(ledger_balance(f.l, f.esc), 750, 1e-9);
    const double at[] = {10, 50, 99, 100, 130};
    for (int i = 0; i < 5; i++) {
        vesting_settle(f.v, f.l, at[i]);
        double want = 250 + 750 * fmin(at[i] / 100, 1);
        cr_expect_float_eq(ledger_balance(f.l, a), want, 1e-9, "t %g", at[i]);
        cr_expect_float_eq(vesting_unvested(f.v, a), 1000 - want, 1e-9);
    }
    cr_expect_eq(ledger_balance(f.l, f.esc), 0.0);
    cr_expect_eq(ledger_flow(f.l, CLS_VESTING_ESCROW, CLS_HONEST, RSN_VESTING), 750.0);
    teardown(&f);
}

/* A release never asks the escrow for more than it holds: an escrow short of the
 * bookkeeping (here drained on purpose) pays what it has, and the entry still vests. */
Test(vesting, release_pays_no_more_than_the_escrow_holds)
{
    fixture f;
    setup(&f, 0.25, 100);
    acct_id a = ledger_open(f.l, CLS_HONEST), tre = ledger_system(f.l, CLS_TREASURY);
    cr_assert_eq(vesting_reward(f.v, f.l, f.res, a, 1000, RSN_EMISSION, 0), 0);
    vesting_settle(f.v, f.l, 50); /* 375 of 750 released */
    cr_expect_float_eq(ledger_balance(f.l, a), 625, 1e-9);
    cr_assert_eq(ledger_transfer(f.l, f.esc, tre, 300, RSN_FEE), 0);
    vesting_settle(f.v, f.l, 100); /* 375 due, 75 left in escrow */
    cr_expect_float_eq(ledger_balance(f.l, a), 700, 1e-9);
    cr_expect_eq(ledger_balance(f.l, f.esc), 0.0);
    cr_expect_eq(vesting_unvested(f.v, a), 0.0);
    cr_expect_eq(vesting_unvested_total(f.v), 0.0);
    cr_expect_lt(ledger_check(f.l), 1e-12);
    teardown(&f);
}

Test(vesting, zero_period_or_full_immediate_share_pays_everything_at_once)
{
    fixture f;
    setup(&f, 0.25, 0);
    acct_id a = ledger_open(f.l, CLS_HONEST);
    vesting_reward(f.v, f.l, f.res, a, 1000, RSN_EMISSION, 3);
    cr_expect_eq(ledger_balance(f.l, a), 1000.0);
    f.p.vesting_days = 50;
    f.p.vesting_immediate = 1;
    vesting_reward(f.v, f.l, f.res, a, 10, RSN_EMISSION, 3);
    cr_expect_eq(ledger_balance(f.l, a), 1010.0);
    cr_expect_eq(vesting_unvested_total(f.v), 0.0);
    teardown(&f);
}

Test(vesting, every_granted_token_is_paid_exactly_once)
{
    enum { N = 500 };
    fixture f;
    setup(&f, 0.3, 60);
    acct_id a[N];
    double granted[N] = {0};
    for (int i = 0; i < N; i++)
        a[i] = ledger_open(f.l, CLS_HONEST);
    pcg32 g;
    pcg32_seed(&g, 99u, 2u);
    for (int day = 1; day <= 200; day++) {
        for (int k = 0; k < 300; k++) {
            int i = (int)(pcg32_next(&g) % N);
            double amt = 1000 * pcg32_double(&g);
            double t = day - 1 + pcg32_double(&g); /* grants between settlements */
            cr_assert_eq(vesting_reward(f.v, f.l, f.res, a[i], amt, RSN_EMISSION, t), 0);
            granted[i] += amt;
        }
        vesting_settle(f.v, f.l, day);
        cr_assert_lt(ledger_check(f.l), 1e-9);
        cr_assert_float_eq(ledger_balance(f.l, f.esc), vesting_unvested_total(f.v),
                           1e-6 * ledger_balance(f.l, f.esc) + 1e-6);
    }
    vesting_settle(f.v, f.l, 200 + 60);
    for (int i = 0; i < N; i++)
        cr_expect_float_eq(ledger_balance(f.l, a[i]), granted[i], 1e-9 * granted[i] + 1e-9,
                           "account %d", i);
    cr_expect_lt(ledger_balance(f.l, f.esc), 1e-6);
    cr_expect_eq(vesting_unvested_total(f.v), 0.0);
    teardown(&f);
}

/* A steady stream of R per day escrowed, settled daily: exact linear vesting holds
 * R·(V+1)/2 unvested right after each grant (tranches of age 0..V−1 days); the
 * aggregate approximation must reproduce it (its continuous steady state is R·V/2). */
Test(vesting, steady_stream_holds_the_exact_steady_state_unvested_amount)
{
    fixture f;
    const double V = 100, R = 10;
    setup(&f, 0, V);
    acct_id a = ledger_open(f.l, CLS_HONEST);
    for (int day = 0; day < 600; day++) {
        vesting_settle(f.v, f.l, day);
        vesting_reward(f.v, f.l, f.res, a, R, RSN_EMISSION, day);
    }
    double exact = R * (V + 1) / 2;
    /* discretisation of the merge is O(1/V) relative */
    cr_expect_float_eq(vesting_unvested(f.v, a), exact, exact * 2.0 / V,
                       "unvested %.6g vs exact %.6g", vesting_unvested(f.v, a), exact);
    teardown(&f);
}

Test(vesting, clawback_takes_only_unvested_rewards_to_treasury_or_burn)
{
    fixture f;
    setup(&f, 0.5, 100);
    acct_id a = ledger_open(f.l, CLS_POISONER), b = ledger_open(f.l, CLS_POISONER);
    acct_id tre = ledger_system(f.l, CLS_TREASURY);
    vesting_reward(f.v, f.l, f.res, a, 1000, RSN_EMISSION, 0);
    vesting_reward(f.v, f.l, f.res, b, 1000, RSN_EMISSION, 0);
    vesting_settle(f.v, f.l, 40); /* 200 of 500 vested each */
    double s0 = ledger_supply(f.l);
    cr_expect_float_eq(vesting_clawback(f.v, f.l, a, tre), 300, 1e-9);
    cr_expect_float_eq(ledger_balance(f.l, tre), 300, 1e-9);
    cr_expect_float_eq(ledger_balance(f.l, a), 700, 1e-9);
    cr_expect_float_eq(vesting_clawback(f.v, f.l, b, UINT32_MAX), 300, 1e-9);
    cr_expect_float_eq(s0 - ledger_supply(f.l), 300, 1e-6);
    cr_expect_eq(vesting_clawback(f.v, f.l, a, tre), 0.0);
    cr_expect_float_eq(ledger_flow(f.l, CLS_VESTING_ESCROW, CLS_TREASURY, RSN_CLAWBACK), 300, 1e-9);
    vesting_settle(f.v, f.l, 200);
    cr_expect_float_eq(ledger_balance(f.l, a), 700, 1e-9);
    cr_expect_lt(ledger_balance(f.l, f.esc), 1e-9);
    teardown(&f);
}

Test(vesting, insider_unlock_is_zero_before_the_cliff_then_linear)
{
    crc_params p;
    params_defaults(&p);
    double L = p.vesting_months * VESTING_MONTH_DAYS, c = p.vesting_cliff, T = 1e6;
    cr_expect_eq(vesting_unlocked_at(&p, T, 0), 0.0);
    cr_expect_eq(vesting_unlocked_at(&p, T, c - 1e-9), 0.0);
    cr_expect_eq(vesting_unlocked_at(&p, T, c), 0.0);
    cr_expect_float_eq(vesting_unlocked_at(&p, T, c + L / 4), T / 4, 1e-6);
    cr_expect_float_eq(vesting_unlocked_at(&p, T, c + L / 2), T / 2, 1e-6);
    cr_expect_eq(vesting_unlocked_at(&p, T, c + L), T);
    cr_expect_eq(vesting_unlocked_at(&p, T, c + 10 * L), T);
}

Test(vesting, insiders_receive_the_schedule_and_hold_when_they_do_not_sell)
{
    crc_params p;
    params_defaults(&p);
    p.vesting_sell = 0;
    p.emission_rate = 0;
    crc_err err = {0};
    token *t = token_alloc(&p, 0, NULL, &err);
    cr_assert(t, "%s", err.msg);
    ledger *l = t->ledger;
    double team = p.token_initial_supply * p.alloc_team;
    double inv = p.token_initial_supply * p.alloc_investors;
    acct_id at = vesting_insider(t->vest, INSIDER_TEAM);
    acct_id ai = vesting_insider(t->vest, INSIDER_INVESTORS);
    double L = p.vesting_months * VESTING_MONTH_DAYS;
    for (int d = 0; d < 365 + 1200; d++) {
        token_epoch_begin(t, d, d + 1, 0);
        token_epoch_end(t, d, d + 1);
        double now = d + 1;
        double want = now <= 365 ? 0 : fmin((now - 365) / L, 1);
        cr_assert_float_eq(ledger_balance(l, at), team * want, 1e-12 * team, "day %g", now);
        cr_assert_float_eq(ledger_balance(l, ai), inv * want, 1e-12 * inv, "day %g", now);
        cr_assert_float_eq(vesting_locked(t->vest), (team + inv) * (1 - want), 1e-3);
    }
    cr_expect_lt(ledger_balance(l, ledger_system(l, CLS_VESTING_ESCROW)), 1e-3);
    cr_expect_lt(ledger_check(l), 1e-9);
    token_free(t);
}

Test(vesting, insiders_sell_their_propensity_each_epoch_on_the_amm)
{
    crc_params p;
    params_defaults(&p);
    p.vesting_sell = 0.1;
    p.emission_rate = 0;
    crc_err err = {0};
    token *t = token_alloc(&p, 0, NULL, &err);
    ledger *l = t->ledger;
    acct_id at = vesting_insider(t->vest, INSIDER_TEAM);
    double team = p.token_initial_supply * p.alloc_team;
    double L = p.vesting_months * VESTING_MONTH_DAYS;
    double held = 0, price0 = amm_price(&t->amm);
    for (int d = 0; d < 400; d++) {
        token_epoch_begin(t, d, d + 1, 0);
        token_epoch_end(t, d, d + 1);
        double now = d + 1;
        double u_prev = now - 1 <= 365 ? 0 : team * (now - 1 - 365) / L;
        double u_now = now <= 365 ? 0 : team * (now - 365) / L;
        held = 0.9 * (held + (u_now - u_prev));
        cr_assert_float_eq(ledger_balance(l, at), held, 1e-6 * fmax(held, 1), "day %g", now);
    }
    cr_expect_lt(amm_price(&t->amm), price0);
    cr_expect_gt(ledger_flow(l, CLS_INSIDER, CLS_AMM, RSN_SALE), 0.0);
    token_free(t);
}
