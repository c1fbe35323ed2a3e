/* test_treasury.c — the treasury's spending rule (docs/model.md §10 "Treasury policy"):
 * the USD that reaches the pool each epoch is the rule's amount, min(B, P·X/R)·dt/M, the
 * TKN sold are the constant-product closed form for raising that much, grants follow
 * their budget, and a fee burn taken from the treasury moves the price once the
 * treasury spends. */
#include <criterion/criterion.h>
#include <math.h>
#include <unistd.h>

#include "adv_fixture.h"
#include "model/core/memsink.h"
#include "model/token/token.h"
#include "run/runner.h"
#include "scenario/scenario.h"

#define MONTH 30.4375

typedef struct fixture {
    crc_params p;
    ledger *l;
    amm a;
    treasury tr;
    acct_id t;
} fixture;

static void setup(fixture *f, double x0, double price, double fee, double held)
{
    params_defaults(&f->p);
    f->l = ledger_alloc(8);
    ledger_mint(f->l, ledger_system(f->l, CLS_AMM), x0, RSN_MINT);
    amm_init(&f->a, x0, x0 * price, fee);
    f->t = ledger_system(f->l, CLS_TREASURY);
    ledger_mint(f->l, f->t, held, RSN_MINT);
    treasury_init(&f->tr, &f->p);
}

/* Runs n epochs of dt and checks each against the rule and the AMM closed form: selling
 * s TKN into reserves (x, y) with g = 1 − f returns u = s·g·y/(x + s·g), so raising u
 * takes s = u·x/(g·(y − u)). */
static void check_epochs(fixture *f, int n, double dt)
{
    double g = 1 - f->a.fee;
    for (int k = 0; k < n; k++) {
        double x = f->a.x, y = f->a.y, X = ledger_balance(f->l, f->t), P = y / x;
        double rate = f->p.treasury_budget;
        if (f->p.treasury_runway > 0)
            rate = fmin(rate, P * X / f->p.treasury_runway);
        double u = rate * dt / MONTH;
        double s = u * x / (g * (y - u));
        double out0 = f->a.usd_out;
        double got = treasury_spend(&f->tr, &f->a, f->l, dt);
        cr_assert_float_eq(got, u, 1e-9 * u, "epoch %d: raised %.12g, rule %.12g", k, got, u);
        cr_expect_float_eq(f->a.usd_out - out0, u, 1e-9 * u, "epoch %d: USD out of the pool", k);
        cr_expect_float_eq(f->a.y, y - u, 1e-9 * y, "epoch %d: pool USD side", k);
        cr_expect_float_eq(X - ledger_balance(f->l, f->t), s, 1e-9 * s, "epoch %d: TKN sold", k);
        cr_expect_float_eq(f->a.x, x + s, 1e-9 * x, "epoch %d: pool TKN side", k);
        cr_expect_eq(ledger_check(f->l) < 1e-12, 1);
    }
}

Test(treasury, a_budget_reaches_the_pool_as_usd_per_month_at_the_price_of_sale)
{
    /* Two points: 12,000 USD/month, daily epochs, f = 0.003; 50,000 USD/month over
     * half-day epochs, f = 0.01, a thinner pool. No runway target: the budget binds. */
    fixture f;
    setup(&f, 5e6, 0.1, 0.003, 1e7);
    f.p.treasury_budget = 12000;
    check_epochs(&f, 200, 1);
    cr_expect_float_eq(f.tr.spent_usd_total, 12000 * 200 / MONTH, 1e-9 * 1e5);
    ledger_free(f.l);

    setup(&f, 1e6, 0.4, 0.01, 5e6);
    f.p.treasury_budget = 50000;
    check_epochs(&f, 300, 0.5);
    ledger_free(f.l);
}

Test(treasury, a_runway_target_caps_spending_at_holdings_over_runway)
{
    /* The runway binds (budget far above P·X/R): spending is P·X/R a month, so the
     * holdings fall geometrically and the spending with them; then a budget below
     * P·X/R binds instead. */
    fixture f;
    setup(&f, 5e6, 0.1, 0.003, 2e6);
    f.p.treasury_budget = 1e9;
    f.p.treasury_runway = 6;
    double first = 0.1 * 2e6 / 6 / MONTH;
    check_epochs(&f, 120, 1);
    cr_expect_lt(f.tr.spent_usd_total / 120, first, "spending falls with the holdings");
    ledger_free(f.l);

    setup(&f, 5e6, 0.1, 0.003, 2e6);
    f.p.treasury_budget = 1000; /* P·X/R = 33,333 USD/month: the budget binds */
    f.p.treasury_runway = 6;
    check_epochs(&f, 60, 1);
    cr_expect_float_eq(f.tr.spent_usd_total, 1000 * 60 / MONTH, 1e-9 * 2000);
    ledger_free(f.l);
}

Test(treasury, spending_stops_at_an_empty_treasury_and_grants_follow_their_budget)
{
    fixture f;
    setup(&f, 1e6, 1, 0.003, 100);
    f.p.treasury_budget = 1e6; /* far more than 100 TKN fetch */
    double got = treasury_spend(&f.tr, &f.a, f.l, 1);
    cr_expect_eq(ledger_balance(f.l, f.t), 0.0, "the treasury sold all it held");
    cr_expect_float_eq(got, 100 * 0.997 * 1e6 / (1e6 + 100 * 0.997), 1e-9);
    cr_expect_eq(treasury_spend(&f.tr, &f.a, f.l, 1), 0.0);
    ledger_free(f.l);
    f.p.treasury_grants = 0.05;
    cr_expect_float_eq(treasury_grant_budget(&f.p, 1e6, 2), 1e6 * 0.05 * 2 / MONTH, 1e-6);
    cr_expect_eq(treasury_grant_budget(&f.p, 1e6, 0), 0.0);
    f.p.treasury_grants = 1;
    cr_expect_eq(treasury_grant_budget(&f.p, 10, 100), 10.0, "never more than it holds");
}

static double final_price(const char *path, const char *set)
{
    scenario sc;
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(scenario_load(&sc, path, &err), CRC_OK, "%s: %s", path, err.msg);
    cr_assert_eq(scenario_set(&sc, "world.horizon=240", &err), CRC_OK, "%s", err.msg);
    if (set)
        cr_assert_eq(scenario_set(&sc, set, &err), CRC_OK, "%s", err.msg);
    memsink m;
    memsink_init(&m, NULL);
    runner_opts o = {.check = 1};
    runner_info info;
    cr_assert_eq(runner_run(&sc, sc.seed, 0, -1, &o, &m, &info, &err), CRC_OK, "%s", err.msg);
    double p = memsink_last(&m, "price_usd");
    runner_info_free(&info);
    memsink_free(&m);
    scenario_free(&sc);
    return p;
}

/* The tutorial's proposal (burn the treasury's fee share from day 180): with the
 * treasury spending under a runway target (proposal-example/baseline.yaml) the burn
 * leaves less to sell, so the price ends higher; with spending off the treasury's
 * tokens never reach the pool and the price is the same to the bit. */
Test(treasury, a_fee_burn_from_the_treasury_moves_the_price_once_the_treasury_spends)
{
    alarm(600); /* time limit (see tests/README.md): slow under make check */
    const char *base = "scenarios/proposal-example/baseline.yaml";
    const char *prop = "scenarios/proposal-example/proposal.yaml";
    double b = final_price(base, NULL), q = final_price(prop, NULL);
    cr_expect_gt(q, b, "with spending: proposal %.9g, status quo %.9g", q, b);
    double b0 = final_price(base, "treasury.budget=0"), q0 = final_price(prop, "treasury.budget=0");
    cr_expect_eq(b0, q0, "without spending the burn should not reach the pool");
}

/* Grants in a run: a treasury with no income (no fee, emission or unpaid share reaches
 * it) funded at TGE by a treasury tranche grants γ·Δ/M of what it holds each epoch to the
 * data providers (reason grant). Each epoch's grant flow must equal γ·Δ/M × the treasury's
 * balance at the end of the epoch before, at two rates and epoch lengths. */
Test(treasury, grants_pay_their_share_of_holdings_to_contributors_each_epoch)
{
    alarm(600); /* time limit (see tests/README.md): slow under make check */
    const double gammas[] = {0.05, 0.3}, epochs[] = {1, 0.5};
    for (int k = 0; k < 2; k++) {
        crc_params p;
        adv_base(&p);
        p.world_horizon = 40;
        p.world_epoch = epochs[k];
        p.world_flows_every = 1;
        p.treasury_grants = gammas[k];
        p.emission_split_data = 0.5;
        p.emission_split_treasury = 0;
        p.emission_unpaid = 1; /* reserve */
        p.fees_stakers = 0;
        p.fees_burn = 0.3; /* model .2 + data .4 + compute .1 + burn .3: no treasury share */
        p.tranches.n = 3;
        p.tranches.t[0] = (crc_tranche){.name = "reserve", .share = 0.8, .role = TR_RESERVE};
        p.tranches.t[1] = (crc_tranche){.name = "treasury", .share = 0.15, .tge = 1,
                                        .role = TR_TREASURY};
        p.tranches.t[2] = (crc_tranche){.name = "liquidity", .share = 0.05, .role = TR_LIQUIDITY};
        memsink m;
        cr_assert_eq(adv_run(&p, 7, &m), 0);
        const memsink_series *x = memsink_get(&m, "treasury_tkn");
        cr_assert(x && x->n > 10);
        double held = 0.15 * p.token_initial_supply, total = 0;
        size_t checked = 0;
        for (size_t i = 0; i < x->n; i++) {
            double g = 0;
            for (size_t f = 0; f < m.n_flows; f++)
                if (m.flows[f].t == x->t[i] && !strcmp(memsink_label(&m, m.flows[f].reason), "grant"))
                    g += m.flows[f].amount_tkn;
            double want = held * gammas[k] * p.world_epoch / MONTH;
            cr_expect_float_eq(g, want, 1e-9 * want, "gamma %g, t = %g: granted %.12g, rule %.12g",
                               gammas[k], x->t[i], g, want);
            total += g;
            held = x->v[i];
            checked++;
        }
        cr_expect_eq(checked, (size_t)(40 / epochs[k] + 0.5));
        cr_expect_gt(total, 0);
        memsink_free(&m);
    }
}
