/* test_price.c — price formation (docs/model.md §10, Price formation): liquidity
 * providers against the impermanent-loss closed form and their depth rule, arbitrage
 * trade sizes against the constant-product optimum, the reference walk's moments, the
 * holders' demand function and trades, and returns as agents see them (realised sale
 * proceeds, stakers' principal marked to market) in whole runs. Every closed form is
 * recomputed here from its equation, at points the code was not tuned on. */
#include <criterion/criterion.h>
#include <unistd.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "engine/rng.h"
#include "model/core/memsink.h"
#include "model/model.h"
#include "model/token/arb.h"
#include "model/token/lp.h"
#include "model/token/spec.h"
#include "model/world/world.h"
#include "scenario/scenario.h"
#include "helpers.h"

/* A pool of x TKN and y USD with fee f, and the outside float holding `flt` TKN. */
static ledger *pool(amm *a, double x, double y, double f, double flt)
{
    ledger *l = ledger_alloc(4);
    ledger_mint(l, ledger_system(l, CLS_AMM), x, RSN_MINT);
    ledger_mint(l, ledger_system(l, CLS_MARKET), flt, RSN_MINT);
    amm_init(a, x, y, f);
    return l;
}

static acct_id float_of(ledger *l) { return ledger_system(l, CLS_MARKET); }

/* ---- liquidity providers --------------------------------------------------------- */

/* Without fees, moving the price by the ratio r (by the arbitrage trade towards r·p0)
 * leaves an LP share worth 2√r/(1 + r) − 1 against holding its genesis reserves. */
Test(lp, no_fee_value_against_holding_matches_the_closed_form)
{
    const double rs[] = {0.083, 0.41, 1.37, 2.9, 7.3};
    for (size_t i = 0; i < sizeof rs / sizeof *rs; i++) {
        amm a;
        ledger *l = pool(&a, 3.7e6, 4.1e5, 0, 1e9);
        double x0 = a.x / a.shares, y0 = a.y / a.shares, p0 = amm_price(&a);
        double P = rs[i] * p0;
        double u = amm_arb_buy_usd(&a, P), s = amm_arb_sell_tkn(&a, P);
        cr_assert((u > 0) != (s > 0), "r %g: exactly one side trades", rs[i]);
        if (u > 0)
            amm_buy(&a, l, float_of(l), u);
        else
            amm_sell(&a, l, float_of(l), s);
        double p1 = amm_price(&a), r = p1 / p0;
        cr_expect_float_eq(r, rs[i], 1e-9 * rs[i], "price ratio %.12g, want %g", r, rs[i]);
        double hold = x0 * p1 + y0, lpv = amm_share_value(&a);
        double want = 2 * sqrt(r) / (1 + r) - 1;
        cr_expect_float_eq(lpv / hold - 1, want, 1e-9, "r %g: LP/hold − 1 = %.12g, want %.12g",
                           r, lpv / hold - 1, want);
        cr_expect_float_eq(amm_il(r), want, 1e-15);
        cr_expect_lt(ledger_check(l), 1e-12);
        ledger_free(l);
    }
}

/* One epoch of the depth rule from a known state: ret is the share's value over holding,
 * annualised; with a window far below the epoch ρ = ret, and the depth changes by
 * φ = e·(ρ − r)·Δ/365 (capped), proportionally: the price stays, the float pays φ·x. */
static void depth_step(double fee, double churn_usd, double drift_usd, double e, double r,
                       double dt, double cap)
{
    crc_params p;
    params_defaults(&p);
    p.lp_enabled = 1;
    p.lp_elasticity = e;
    p.market_outside_yield = r;
    p.lp_window = 1e-3;
    p.lp_max_step = cap;
    amm a;
    ledger *l = pool(&a, 2.3e6, 3.1e5, fee, 5e7);
    lp_state s;
    lp_init(&s, &p, &a);
    double xs0 = a.x / a.shares, ys0 = a.y / a.shares;
    /* volume: round trips that leave fees in the pool; drift: a net move of the price */
    acct_id flt = float_of(l);
    for (int k = 0; k < 5; k++) {
        double got = amm_buy(&a, l, flt, churn_usd);
        amm_sell(&a, l, flt, got);
    }
    amm_buy(&a, l, flt, drift_usd);
    double p1 = amm_price(&a);
    double v1 = (a.x * p1 + a.y) / a.shares, hold = xs0 * p1 + ys0;
    double ret = (v1 - hold) / (2 * ys0) * 365 / dt;
    double phi = fmax(-cap, fmin(cap, e * (ret - r) * dt / 365));
    double x1 = a.x, y1 = a.y, f1 = ledger_balance(l, flt), sh1 = a.shares;
    double got = lp_epoch(&s, &p, &a, l, flt, dt);
    cr_expect_float_eq(s.ret, ret, 1e-9 * fabs(ret) + 1e-12, "ret %.10g want %.10g", s.ret, ret);
    cr_expect_float_eq(got, phi, 1e-9 * fabs(phi) + 1e-15, "phi %.10g want %.10g", got, phi);
    cr_expect_float_eq(a.x, x1 * (1 + phi), 1e-9 * x1);
    cr_expect_float_eq(a.y, y1 * (1 + phi), 1e-9 * y1);
    cr_expect_float_eq(a.shares, sh1 * (1 + phi), 1e-9 * sh1);
    cr_expect_float_eq(amm_price(&a), p1, 1e-12 * p1, "liquidity moved the price");
    cr_expect_float_eq(ledger_balance(l, flt), f1 - phi * x1, 1e-9 * x1);
    cr_expect_lt(ledger_check(l), 1e-12);
    ledger_free(l);
}

Test(lp, depth_follows_fee_income_against_impermanent_loss_and_outside_yield)
{
    /* heavy volume at a 1% fee: fees beat the loss, LPs enter */
    depth_step(0.01, 2e5, 1e4, 3.0, 0.05, 1.0, 0.5);
    /* no fee and a 20% price move: only the loss, LPs leave */
    depth_step(0.0, 0, 6.7e4, 0.4, 0.02, 7.0, 0.5);
    /* the same at a high elasticity: the step is capped */
    depth_step(0.0, 0, 6.7e4, 500.0, 0.02, 7.0, 0.07);
}

/* ---- arbitrage --------------------------------------------------------------------- */

/* Gain of the arbitrage trade of u USD (buy side) or s TKN (sell side) at the quote. */
static double buy_gain(const amm *a, double P, double u) { return P * amm_quote_buy(a, u) - u; }
static double sell_gain(const amm *a, double P, double s) { return amm_quote_sell(a, s) - P * s; }

Test(arb, trade_size_matches_the_constant_product_optimum_capped_by_capital)
{
    struct { double x, y, f, ratio; } pt[] = {
        {4.2e6, 3.3e5, 0.003, 1.61}, {4.2e6, 3.3e5, 0.003, 0.52},
        {9.1e5, 2.7e5, 0.0, 1.13},   {9.1e5, 2.7e5, 0.01, 0.71},
    };
    for (size_t i = 0; i < sizeof pt / sizeof *pt; i++) {
        crc_params p;
        params_defaults(&p);
        p.ref_mode = REF_FIXED;
        p.arb_cost = 0;
        p.arb_capital = 1e12;
        amm a;
        ledger *l = pool(&a, pt[i].x, pt[i].y, pt[i].f, 1e9);
        double P = pt[i].ratio * amm_price(&a), g = 1 - pt[i].f, k = pt[i].x * pt[i].y;
        p.ref_price = P;
        double u = (sqrt(g * P * k) - pt[i].y) / g, s = (sqrt(g * k / P) - pt[i].x) / g;
        /* the closed form is the optimum: the gain is lower 0.1% either side */
        if (u > 0) {
            cr_expect_gt(buy_gain(&a, P, u), buy_gain(&a, P, u * 1.001));
            cr_expect_gt(buy_gain(&a, P, u), buy_gain(&a, P, u * 0.999));
        } else {
            cr_assert_gt(s, 0);
            cr_expect_gt(sell_gain(&a, P, s), sell_gain(&a, P, s * 1.001));
            cr_expect_gt(sell_gain(&a, P, s), sell_gain(&a, P, s * 0.999));
        }
        arb_state st;
        arb_init(&st, &p, NULL);
        arb_reference(&st, &p, 1);
        amm a0 = a;
        double usd = arb_trade(&st, &p, &a, l, float_of(l));
        if (u > 0) {
            cr_expect_float_eq(usd, u, 1e-12 * u, "point %zu: bought %.12g, want %.12g", i, usd, u);
            cr_expect_float_eq(st.gain_epoch, buy_gain(&a0, P, u), 1e-9 * u);
        } else {
            cr_expect_float_eq(-usd, amm_quote_sell(&a0, s), 1e-12 * P * s, "point %zu", i);
            cr_expect_float_eq(st.gain_epoch, sell_gain(&a0, P, s), 1e-9 * P * s);
        }
        /* after the trade, the next unit costs (or fetches) P: no gain is left */
        cr_expect_float_eq(amm_arb_buy_usd(&a, P) + amm_arb_sell_tkn(&a, P), 0, 1e-6 * a.y);
        /* capital a third of the optimum: the trade is exactly the capital */
        a = a0;
        p.arb_capital = (u > 0 ? u : P * s) / 3;
        usd = arb_trade(&st, &p, &a, l, float_of(l));
        if (u > 0)
            cr_expect_float_eq(usd, p.arb_capital, 1e-12 * u);
        else
            cr_expect_float_eq(-usd, amm_quote_sell(&a0, s / 3), 1e-12 * P * s);
        cr_expect_lt(ledger_check(l), 1e-12);
        ledger_free(l);
    }
}

Test(arb, no_trade_when_the_gain_is_below_the_cost_per_trade)
{
    const double ratios[] = {1.07, 0.9};
    for (int i = 0; i < 2; i++) {
        crc_params p;
        params_defaults(&p);
        p.ref_mode = REF_FIXED;
        p.arb_capital = 1e12;
        amm a;
        ledger *l = pool(&a, 5e6, 5e5, 0.003, 1e9);
        p.ref_price = ratios[i] * amm_price(&a);
        double u = amm_arb_buy_usd(&a, p.ref_price), s = amm_arb_sell_tkn(&a, p.ref_price);
        double gain = u > 0 ? buy_gain(&a, p.ref_price, u) : sell_gain(&a, p.ref_price, s);
        cr_assert_gt(gain, 0);
        arb_state st;
        arb_init(&st, &p, NULL);
        arb_reference(&st, &p, 1);
        amm a0 = a;
        p.arb_cost = gain * 1.0001;
        cr_expect_eq(arb_trade(&st, &p, &a, l, float_of(l)), 0.0, "ratio %g", ratios[i]);
        cr_expect_eq(a.x, a0.x);
        cr_expect_eq(st.trades, 0);
        p.arb_cost = gain * 0.9999;
        cr_expect_neq(arb_trade(&st, &p, &a, l, float_of(l)), 0.0, "ratio %g", ratios[i]);
        cr_expect_float_eq(st.gain_epoch, gain - p.arb_cost, 1e-9 * gain);
        ledger_free(l);
    }
}

/* ln P(t+Δ) − ln P(t) ~ N((μ − σ²/2)Δ/365, σ²Δ/365): sample mean and sd within four
 * standard errors, at two parameter points. */
Test(arb, reference_walk_has_the_geometric_drift_and_volatility)
{
    enum { N = 20000 };
    struct { double mu, sigma, dt; } pt[] = {{0.4, 0.9, 1.0}, {-0.2, 0.35, 7.0}};
    static double inc[N];
    for (int i = 0; i < 2; i++) {
        crc_params p;
        params_defaults(&p);
        p.ref_mode = REF_WALK;
        p.ref_price = 0.37;
        p.ref_drift = pt[i].mu;
        p.ref_volatility = pt[i].sigma;
        gsl_rng *r = rng_stream_alloc(99, (uint64_t)i, 5);
        arb_state st;
        arb_init(&st, &p, r);
        double prev = st.P;
        for (int k = 0; k < N; k++) {
            arb_reference(&st, &p, pt[i].dt);
            inc[k] = log(st.P / prev);
            prev = st.P;
        }
        double yr = pt[i].dt / 365, sd = pt[i].sigma * sqrt(yr);
        double m = gsl_stats_mean(inc, 1, N), s = gsl_stats_sd(inc, 1, N);
        double want = (pt[i].mu - 0.5 * pt[i].sigma * pt[i].sigma) * yr;
        cr_expect_lt(fabs(m - want), 4 * sd / sqrt(N), "mean %g want %g", m, want);
        cr_expect_lt(fabs(s - sd), 4 * sd / sqrt(2.0 * N), "sd %g want %g", s, sd);
        gsl_rng_free(r);
    }
}

/* ---- holders and speculators ---------------------------------------------------------- */

/* w* = clamp(w0 + a_m·M + a_y·(Y − r), 0, 1): slopes a_m and a_y inside, clamps outside. */
Test(holders, target_share_responds_to_momentum_and_yield_by_the_formula)
{
    struct { double w0, am, ay, r; } pt[] = {{0.3, 0.1, 1.0, 0.05}, {0.55, -0.4, 2.5, 0.08}};
    for (int i = 0; i < 2; i++) {
        crc_params p;
        params_defaults(&p);
        p.hold_weight = pt[i].w0;
        p.hold_momentum = pt[i].am;
        p.hold_yield = pt[i].ay;
        p.market_outside_yield = pt[i].r;
        double M = 0.17, Y = 0.11;
        double w = spec_target(&p, M, Y);
        cr_expect_float_eq(w, pt[i].w0 + pt[i].am * M + pt[i].ay * (Y - pt[i].r), 1e-15);
        /* direction and magnitude: a rise in momentum by dM moves w* by a_m·dM */
        cr_expect_float_eq(spec_target(&p, M + 0.05, Y) - w, pt[i].am * 0.05, 1e-12);
        cr_expect_float_eq(spec_target(&p, M, Y + 0.02) - w, pt[i].ay * 0.02, 1e-12);
        /* yield at the outside rate and no momentum: the base share */
        cr_expect_float_eq(spec_target(&p, 0, pt[i].r), pt[i].w0, 1e-15);
        cr_expect_eq(spec_target(&p, 0, pt[i].r + 50), pt[i].ay > 0 ? 1.0 : 0.0);
        cr_expect_eq(spec_target(&p, 0, pt[i].r - 50), pt[i].ay > 0 ? 0.0 : 1.0);
    }
}

/* From their genesis position, a price move and a yield: the momentum is the EMA of the
 * annualised log return, and they trade 1 − e^(−κΔ) of the gap to w*·W (buying it in
 * USD, or selling the TKN that fetches it). */
Test(holders, trade_closes_the_set_share_of_the_gap_to_the_target)
{
    struct { double move_usd, Y, kappa, dt; } pt[] = {
        {2e4, 0.30, 0.2, 1.0},    /* price up, rich yield: they buy            */
        {-3e4, 0.0, 0.05, 3.0},   /* price down, no yield: momentum sells       */
    };
    for (int i = 0; i < 2; i++) {
        crc_params p;
        params_defaults(&p);
        p.hold_capital = 2e5;
        p.hold_weight = 0.4;
        p.hold_momentum = 0.05;
        p.hold_yield = 0.8;
        p.hold_window = 9;
        p.hold_speed = pt[i].kappa;
        p.market_outside_yield = 0.04;
        amm a;
        ledger *l = pool(&a, 4e6, 4e5, 0.003, 1e8);
        spec_state s;
        spec_init(&s, &p, &a, l, float_of(l));
        double p0 = amm_price(&a), h0 = 0.4 * 2e5 / p0;
        cr_assert_float_eq(ledger_balance(l, s.acct), h0, 1e-9 * h0);
        cr_assert_float_eq(s.cash, 2e5 - h0 * p0, 1e-6);
        if (pt[i].move_usd > 0)
            amm_buy(&a, l, float_of(l), pt[i].move_usd);
        else
            amm_sell(&a, l, float_of(l), amm_tkn_for_usd(&a, -pt[i].move_usd));
        double p1 = amm_price(&a), dt = pt[i].dt;
        double M = (1 - exp(-dt / 9)) * log(p1 / p0) * 365 / dt;
        double w = fmax(0, fmin(1, 0.4 + 0.05 * M + 0.8 * (pt[i].Y - 0.04)));
        double gap = (w * (s.cash + h0 * p1) - h0 * p1) * (1 - exp(-pt[i].kappa * dt));
        amm a0 = a;
        double usd = spec_epoch(&s, &p, &a, l, pt[i].Y, dt);
        cr_expect_float_eq(s.M, M, 1e-9 * fabs(M));
        cr_expect_float_eq(s.target, w, 1e-12);
        cr_expect((gap > 0) == (pt[i].move_usd > 0), "point %d: gap %g", i, gap);
        if (gap > 0) {
            cr_expect_float_eq(usd, gap, 1e-9 * gap);
            cr_expect_float_eq(ledger_balance(l, s.acct), h0 + amm_quote_buy(&a0, gap), 1e-9 * h0);
        } else {
            cr_expect_float_eq(usd, gap, 1e-9 * fabs(gap), "sold for %g want %g", usd, gap);
            cr_expect_float_eq(ledger_balance(l, s.acct), h0 - amm_tkn_for_usd(&a0, -gap),
                               1e-9 * h0);
        }
        cr_expect_lt(ledger_check(l), 1e-12);
        ledger_free(l);
    }
}

/* ---- returns as agents see them (whole runs) -------------------------------------------- */

/* One staker with a stake of `stake` USD in a thin pool, nothing else trading: its APR
 * rewards are the only sales. */
static void lone_staker(crc_params *p, double stake)
{
    wld_baseline(p);
    p->prov_honest_count = p->prov_spammer_count = p->bld_count = p->node_count = 0;
    p->cons_count = p->farm_count = 0;
    p->prov_honest_entry = p->prov_spammer_entry = p->bld_entry = p->node_entry = 0;
    p->stk_entry = p->farm_entry = p->cons_arrival = 0;
    p->agents_entry_gain = 0;
    p->agents_exit_roi = -1e9;
    p->stk_count = 1;
    p->stk_stake = (crc_dist){.kind = DIST_CONST, .a = stake};
    p->vesting_sell = 0;
    p->staking_apr = 3.0;
    p->emission_rate = 5e5;
    p->world_horizon = 40;
}

/* The lone staker's run twice: as configured (*off) and with returns.basis realised
 * (basis) or returns.mark_stake (mark) switched on (*on). */
static void off_and_on(crc_params *p, int basis, int mark, memsink *off, memsink *on)
{
    cr_assert_eq(th_model_run(p, 3, 0, 1, NULL, 0, off), 0);
    p->returns_basis = basis;
    p->returns_mark_stake = mark;
    cr_assert_eq(th_model_run(p, 3, 0, 1, NULL, 0, on), 0);
}

/* A large sale fetches less than mid × amount: with returns.basis realised the
 * staker's income is, epoch by epoch, the constant-product proceeds of selling its
 * reward into the pool (recomputed here from genesis), which are below the pre-sale
 * mid value; with mid it is the reward at the post-trade price. */
Test(returns, realised_income_is_the_constant_product_sale_proceeds)
{
    alarm(60); /* time limit (see tests/README.md) */
    const double stakes[] = {2e5, 1.3e6};
    for (int i = 0; i < 2; i++) {
        crc_params p;
        lone_staker(&p, stakes[i]);
        memsink mid, real;
        off_and_on(&p, 1, 0, &mid, &real);
        const memsink_series *rw = memsink_get(&real, "reward_tkn.staker");
        const memsink_series *px = memsink_get(&mid, "price_usd");
        cr_assert(rw && px && rw->n == 40);
        /* the pool: genesis, then the staker's purchase, then one sale per epoch */
        double g = 1 - p.amm_fee, x = p.token_initial_supply * p.alloc_liquidity;
        double y = x * p.amm_initial_price, out = g * stakes[i] * x / (y + g * stakes[i]);
        x -= out;
        y += stakes[i];
        double proceeds = 0, at_mid = 0, at_post = 0;
        for (size_t t = 0; t < rw->n; t++) {
            double a = rw->v[t], got = g * a * y / (x + g * a);
            at_mid += a * y / x;
            x += a;
            y -= got;
            proceeds += got;
            at_post += a * px->v[t];
        }
        cr_assert_gt(at_mid, 0);
        double inc_real = memsink_summary(&real, "income_usd.staker");
        double inc_mid = memsink_summary(&mid, "income_usd.staker");
        cr_expect_float_eq(inc_real, proceeds, 1e-9 * proceeds, "realised %.10g vs proceeds %.10g",
                           inc_real, proceeds);
        cr_expect_lt(proceeds, at_mid * (1 - 1e-4), "slippage: %.8g vs mid %.8g", proceeds, at_mid);
        cr_expect_float_eq(inc_mid, at_post, 1e-9 * at_post);
        memsink_free(&mid);
        memsink_free(&real);
    }
}

/* With returns.mark_stake, the staker's income gains the change in its principal's
 * value: from what it paid to staked × the last price, telescoping over the epochs. */
Test(returns, staked_principal_is_marked_to_market)
{
    alarm(60); /* time limit (see tests/README.md) */
    const double stakes[] = {3e5, 9e5};
    for (int i = 0; i < 2; i++) {
        crc_params p;
        lone_staker(&p, stakes[i]);
        memsink off, on;
        off_and_on(&p, 0, 1, &off, &on);
        double g = 1 - p.amm_fee, x = p.token_initial_supply * p.alloc_liquidity;
        double y = x * p.amm_initial_price, staked = g * stakes[i] * x / (y + g * stakes[i]);
        const memsink_series *px = memsink_get(&on, "price_usd");
        double want = staked * px->v[px->n - 1] - stakes[i];
        double got = memsink_summary(&on, "income_usd.staker") -
                     memsink_summary(&off, "income_usd.staker");
        cr_expect_float_eq(got, want, 1e-9 * stakes[i], "marked %.10g want %.10g", got, want);
        cr_expect_gt(fabs(want), 1e-3 * stakes[i], "the mark is not trivially 0: %g", want);
        memsink_free(&off);
        memsink_free(&on);
    }
}

/* With returns.discount ρ, the vesting part (1 − s) of an emission reward counts at its
 * present value δ = (1 − e^(−x))/x, x = ρV/365. Providers paid only emissions (no
 * consumers, so no fees), whose decisions do not read their return (no exit, no entry):
 * both runs trade the same, and the income ratio is s + (1 − s)·δ exactly, at two ρ and
 * two vesting shapes. */
Test(returns, discounted_vesting_counts_at_its_present_value)
{
    alarm(60); /* time limit (see tests/README.md) */
    const double pt[][3] = {{0.3, 0.25, 180}, {2.0, 0.6, 45}}; /* ρ, s, V */
    for (int i = 0; i < 2; i++) {
        crc_params p;
        lone_staker(&p, 0);
        p.stk_count = 0;
        p.prov_honest_count = 30;
        p.vesting_immediate = pt[i][1];
        p.vesting_days = pt[i][2];
        memsink off, on;
        cr_assert_eq(th_model_run(&p, 3, 0, 1, NULL, 0, &off), 0);
        p.returns_discount = pt[i][0];
        cr_assert_eq(th_model_run(&p, 3, 0, 1, NULL, 0, &on), 0);
        double x = pt[i][0] * pt[i][2] / 365, d = (1 - exp(-x)) / x;
        double want = pt[i][1] + (1 - pt[i][1]) * d;
        double a = memsink_summary(&on, "income_usd.honest");
        double b = memsink_summary(&off, "income_usd.honest");
        cr_assert_gt(b, 0);
        cr_expect_float_eq(a / b, want, 1e-9, "ratio %.12g want %.12g", a / b, want);
        memsink_free(&off);
        memsink_free(&on);
    }
}

/* ---- the scenario ----------------------------------------------------------------------- */

/* scenarios/market-depth.yaml as shipped, shortened to 90 days, under the ledger check
 * every epoch; every price-formation metric is sampled, arbitrage trades, and the pool
 * ends nearer the reference than the no-arbitrage run of the same seed does. */
Test(price, market_depth_scenario_keeps_the_ledger_and_tracks_the_reference)
{
    alarm(120); /* time limit (see tests/README.md) */
    scenario sc;
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(scenario_load(&sc, "scenarios/market-depth.yaml", &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(scenario_set(&sc, "world.horizon=90", &err), CRC_OK, "%s", err.msg);
    cr_assert_eq(scenario_validate(&sc, &err), CRC_OK, "%s", err.msg);
    double gap[2];
    for (int arb = 1; arb >= 0; arb--) {
        crc_params p = sc.params;
        if (!arb)
            p.arb_capital = 0;
        memsink m;
        cr_assert_eq(th_model_run(&p, 3, 0, 1, NULL, 0, &m), 0); /* with the ledger check */
        const char *names[] = {"lp_depth_usd", "lp_return", "reference_price", "arb_volume_usd",
                               "arb_gain_usd", "holder_tkn", "holder_target"};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            const memsink_series *s = memsink_get(&m, names[i]);
            cr_assert(s && s->n == 90, "metric %s", names[i]);
        }
        const memsink_series *px = memsink_get(&m, "price_usd");
        const memsink_series *ref = memsink_get(&m, "reference_price");
        const memsink_series *vol = memsink_get(&m, "arb_volume_usd");
        double sum = 0, traded = 0;
        for (size_t t = 45; t < px->n; t++)
            sum += fabs(log(px->v[t] / ref->v[t]));
        for (size_t t = 0; t < vol->n; t++)
            traded += vol->v[t];
        gap[arb] = sum / (double)(px->n - 45);
        cr_expect(arb ? traded > 0 : traded == 0, "arbitrage volume %g", traded);
        memsink_free(&m);
    }
    cr_expect_lt(gap[1], 0.5 * gap[0], "mean |ln(pool/reference)| over days 45-90: %.4f with "
                 "arbitrage, %.4f without", gap[1], gap[0]);
    scenario_free(&sc);
}
