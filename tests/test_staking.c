/* test_staking.c — APR accrual equals principal × APR × days/365; pro-rata scaling
 * when the pool is short; cooldown; fee pot; plus the exogenous market and buyback. */
#include <criterion/criterion.h>
#include <math.h>

#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"
#include "model/token/token.h"

static token *economy(crc_params *p)
{
    crc_err err = {0};
    token *t = token_alloc(p, 8, NULL, &err);
    cr_assert(t, "%s", err.msg);
    return t;
}

static acct_id funded(token *t, int cls, double amount)
{
    acct_id a = ledger_open(t->ledger, cls);
    ledger_transfer(t->ledger, ledger_system(t->ledger, CLS_ECOSYSTEM), a, amount, RSN_FEE);
    return a;
}

static void epoch(token *t, double t0, double t1)
{
    token_epoch_begin(t, t0, t1, 0);
    token_epoch_end(t, t0, t1);
    ledger_epoch_reset(t->ledger);
}

Test(staking, apr_over_a_year_equals_principal_times_apr)
{
    const double dts[] = {1.0, 0.25, 7.0};
    for (int k = 0; k < 3; k++) {
        crc_params p;
        params_defaults(&p);
        p.emission_schedule = EMIT_CONSTANT; /* a staking pool far above what is owed */
        p.staking_apr = 0.12;
        token *t = economy(&p);
        const double P = 2.5e6;
        acct_id a = funded(t, CLS_STAKER, P);
        cr_assert_eq(staking_stake(t->stake, t->ledger, a, P), 0);
        cr_expect_eq(ledger_balance(t->ledger, a), 0.0);
        double days = 364; /* a multiple of every dt */
        for (double t0 = 0; t0 < days - 1e-9; t0 += dts[k])
            epoch(t, t0, t0 + dts[k]);
        double want = P * p.staking_apr * days / 365.0;
        cr_expect_float_eq(ledger_balance(t->ledger, a), want, 1e-10 * want,
                           "dt %g: %.17g vs %.17g", dts[k], ledger_balance(t->ledger, a), want);
        cr_expect_eq(staking_staked(t->stake, a), P);
        cr_expect_lt(ledger_check(t->ledger), 1e-9);
        token_free(t);
    }
}

Test(staking, short_pool_is_shared_pro_rata_to_stake)
{
    crc_params p;
    params_defaults(&p);
    p.emission_schedule = EMIT_CONSTANT;
    p.emission_rate = 1000; /* staking pool 100 per day */
    p.staking_apr = 0.5;
    token *t = economy(&p);
    acct_id a = funded(t, CLS_STAKER, 1e6), b = funded(t, CLS_STAKER, 3e6);
    staking_stake(t->stake, t->ledger, a, 1e6);
    staking_stake(t->stake, t->ledger, b, 3e6);
    epoch(t, 0, 1); /* owed 4e6·0.5/365 ≈ 5479 > 100 */
    double pool = 1000 * p.emission_split_staking;
    cr_expect_float_eq(staking_apr_paid(t->stake), pool, 1e-9);
    cr_expect_float_eq(ledger_balance(t->ledger, a), pool / 4, 1e-9);
    cr_expect_float_eq(ledger_balance(t->ledger, b), 3 * pool / 4, 1e-9);
    token_free(t);
}

Test(staking, cooldown_returns_tokens_only_after_it_and_they_earn_nothing_meanwhile)
{
    crc_params p;
    params_defaults(&p);
    p.emission_schedule = EMIT_CONSTANT;
    p.staking_apr = 0.365; /* 0.001 per day */
    p.staking_cooldown = 14;
    token *t = economy(&p);
    acct_id a = funded(t, CLS_STAKER, 1000);
    staking_stake(t->stake, t->ledger, a, 1000);
    for (int d = 0; d < 10; d++)
        epoch(t, d, d + 1);
    cr_expect_float_eq(ledger_balance(t->ledger, a), 10.0, 1e-9); /* 1000·0.001·10 */
    cr_expect_eq(staking_unstake(t->stake, a, 400, 10), 400.0);
    cr_expect_eq(staking_unbonding(t->stake, a), 400.0);
    for (int d = 10; d < 23; d++)
        epoch(t, d, d + 1);
    /* day 23: still cooling down; earned 13 days on 600 */
    cr_expect_float_eq(ledger_balance(t->ledger, a), 10 + 0.6 * 13, 1e-9);
    epoch(t, 23, 24);
    cr_expect_float_eq(ledger_balance(t->ledger, a), 400 + 10 + 0.6 * 14, 1e-9);
    cr_expect_eq(staking_unbonding(t->stake, a), 0.0);
    cr_expect_eq(staking_staked(t->stake, a), 600.0);
    cr_expect_eq(staking_unstake(t->stake, a, 1e9, 24), 600.0); /* clamped */
    cr_expect_eq(staking_total(t->stake), 0.0);
    token_free(t);
}

Test(staking, fee_pot_is_shared_pro_rata_or_goes_to_treasury_without_stakers)
{
    crc_params p;
    params_defaults(&p);
    p.emission_rate = 0;
    token *t = economy(&p);
    ledger *l = t->ledger;
    acct_id payer = funded(t, CLS_CONSUMER, 1000);
    acct_id tre = ledger_system(l, CLS_TREASURY);
    cr_expect_eq(staking_fee(t->stake, l, payer, 100), 0);
    epoch(t, 0, 1);
    cr_expect_float_eq(ledger_balance(l, tre), 100, 1e-9);
    acct_id a = funded(t, CLS_STAKER, 100), b = funded(t, CLS_BUILDER, 300);
    staking_stake(t->stake, l, a, 100);
    staking_stake(t->stake, l, b, 300);
    staking_fee(t->stake, l, payer, 40);
    staking_fee(t->stake, l, payer, 60);
    cr_expect_eq(staking_fee(t->stake, l, payer, 1e9), -1);
    token_epoch_begin(t, 1, 2, 0);
    token_epoch_end(t, 1, 2);
    cr_expect_float_eq(ledger_balance(l, a), 25, 1e-9);
    cr_expect_float_eq(ledger_balance(l, b), 75, 1e-9);
    cr_expect_float_eq(ledger_flow(l, CLS_STAKE_ESCROW, CLS_BUILDER, RSN_FEE), 75, 1e-9);
    cr_expect_float_eq(ledger_balance(l, ledger_system(l, CLS_STAKE_ESCROW)), 400, 1e-9);
    token_free(t);
}

/* Random-walk increments F(t+1) − F(t) are N(μ, σ²): their sample mean lies within
 * 4 standard errors of μ, and their sample sd within 4·σ/√(2n) of σ. */
Test(market, flow_is_a_random_walk_with_the_given_drift_and_volatility)
{
    enum { N = 2000 };
    crc_params p;
    params_defaults(&p);
    p.emission_rate = 0;
    p.vesting_sell = 0;
    p.market_enabled = 1;
    p.market_initial = 0;
    p.market_drift = 5;
    p.market_volatility = 2000;
    p.alloc_reserve = 0.2; /* deep pool, shares still summing to 1 */
    p.alloc_liquidity = 0.3;
    p.alloc_public = 0.05;
    p.alloc_ecosystem = 0.1;
    gsl_rng *r = rng_stream_alloc(12345, 0, 77);
    crc_err err = {0};
    token *t = token_alloc(&p, 0, r, &err);
    cr_assert(t, "%s", err.msg);
    double inc[N], prev = 0;
    for (int d = 0; d < N; d++) {
        epoch(t, d, d + 1);
        inc[d] = t->mkt.flow - prev;
        prev = t->mkt.flow;
        cr_assert_lt(ledger_check(t->ledger), 1e-9);
        cr_assert_geq(ledger_balance(t->ledger, ledger_system(t->ledger, CLS_MARKET)), 0.0);
    }
    double m = gsl_stats_mean(inc, 1, N), sd = gsl_stats_sd(inc, 1, N);
    cr_expect_lt(fabs(m - 5), 4 * 2000 / sqrt(N), "mean %g", m);
    cr_expect_lt(fabs(sd - 2000), 4 * 2000 / sqrt(2.0 * N), "sd %g", sd);
    token_free(t);
    gsl_rng_free(r);
}

Test(market, disabled_market_trades_nothing)
{
    crc_params p;
    params_defaults(&p);
    p.market_drift = 1e6;
    token *t = economy(&p);
    double x = t->amm.x;
    p.emission_rate = 0;
    epoch(t, 0, 1);
    cr_expect_eq(t->amm.x, x);
    cr_expect_eq(t->mkt.usd_epoch, 0.0);
    token_free(t);
}

Test(market, steady_selling_lowers_the_price_and_buying_raises_it)
{
    for (int sign = -1; sign <= 1; sign += 2) {
        crc_params p;
        params_defaults(&p);
        p.emission_rate = 0;
        p.vesting_sell = 0;
        p.market_enabled = 1;
        p.market_initial = sign * 3e4; /* 30 days: 9e5 USD, within the traders' means */
        token *t = economy(&p);
        double p0 = amm_price(&t->amm);
        for (int d = 0; d < 30; d++)
            epoch(t, d, d + 1);
        cr_expect(sign > 0 ? amm_price(&t->amm) > p0 : amm_price(&t->amm) < p0);
        cr_expect_float_eq(fabs(t->mkt.usd_epoch), 3e4, 1e-9 * 3e4);
        token_free(t);
    }
}

Test(treasury, fee_split_sums_to_the_fee_and_buyback_burns_what_it_buys)
{
    crc_params p;
    params_defaults(&p);
    p.fees_buyback = 0.5;
    p.emission_rate = 0;
    fee_split fs;
    fee_split_usd(&p, 2.0, &fs);
    cr_expect_float_eq(fs.tkn_usd + fs.buyback_usd, 2.0, 1e-15);
    cr_expect_float_eq(fs.buyback_usd, 2.0 * fees_treasury_share(&p) * 0.5, 1e-15);
    cr_expect_float_eq(fs.data, 2.0 * p.fees_data, 1e-15);
    token *t = economy(&p);
    double s0 = ledger_supply(t->ledger), p0 = amm_price(&t->amm);
    double expect_tkn = amm_quote_buy(&t->amm, 5000);
    treasury_add_usd(&t->tr, 5000);
    epoch(t, 0, 1);
    cr_expect_float_eq(t->tr.burned_epoch, expect_tkn, 1e-9 * expect_tkn);
    cr_expect_float_eq(s0 - ledger_supply(t->ledger), expect_tkn, 1e-9 * expect_tkn);
    cr_expect_gt(amm_price(&t->amm), p0);
    cr_expect_eq(t->tr.usd, 0.0);
    token_free(t);
}

Test(market, traders_never_sell_more_than_they_hold)
{
    crc_params p;
    params_defaults(&p);
    p.emission_rate = 0;
    p.vesting_sell = 0;
    p.market_enabled = 1;
    p.market_initial = -1e9; /* far more than the public float fetches */
    token *t = economy(&p);
    ledger *l = t->ledger;
    double held = ledger_balance(l, ledger_system(l, CLS_MARKET));
    epoch(t, 0, 1);
    cr_expect_eq(ledger_balance(l, ledger_system(l, CLS_MARKET)), 0.0);
    cr_expect_float_eq(t->mkt.usd_sold, amm_quote_sell(&(amm){p.token_initial_supply * p.alloc_liquidity,
        p.token_initial_supply * p.alloc_liquidity * p.amm_initial_price, p.amm_fee, 0, 0, 0}, held),
        1e-6);
    epoch(t, 1, 2);
    cr_expect_eq(t->mkt.usd_epoch, 0.0);
    token_free(t);
}
