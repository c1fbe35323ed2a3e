/* test_amm.c — constant product: k never decreases, price impact and round-trip loss
 * match their closed forms. */
#include <criterion/criterion.h>
#include <math.h>

#include "engine/pcg.h"
#include "model/token/amm.h"
#include "model/token/ledger.h"

static ledger *pool_ledger(amm *a, double x, double y, double fee, acct_id *trader, double tkn)
{
    ledger *l = ledger_alloc(1);
    ledger_mint(l, ledger_system(l, CLS_AMM), x, RSN_MINT);
    amm_init(a, x, y, fee);
    *trader = ledger_open(l, CLS_CONSUMER);
    ledger_mint(l, *trader, tkn, RSN_MINT);
    return l;
}

/* A pool of 5e7 TKN and 5e6 USD with the fee, a trader holding tkn, and the generator
 * of a test's random swaps, seeded. */
static ledger *random_swaps(amm *a, double fee, acct_id *tr, double tkn, pcg32 *g,
                            uint64_t seed, uint64_t seq)
{
    pcg32_seed(g, seed, seq);
    return pool_ledger(a, 5e7, 5e6, fee, tr, tkn);
}

Test(amm, k_never_decreases_over_random_swaps)
{
    const double fees[] = {0.0, 0.003, 0.05};
    for (int fi = 0; fi < 3; fi++) {
        amm a;
        acct_id tr;
        pcg32 g;
        ledger *l = random_swaps(&a, fees[fi], &tr, 1e9, &g, 7u + (uint64_t)fi, 1u);
        for (int k = 0; k < 20000; k++) {
            double k0 = amm_k(&a);
            double size = pow(10.0, 6.0 * pcg32_double(&g));
            if (pcg32_next(&g) & 1)
                amm_buy(&a, l, tr, size);
            else
                amm_sell(&a, l, tr, fmin(size * 10, ledger_balance(l, tr)));
            cr_assert_geq(amm_k(&a), k0, "fee %g swap %d: k fell from %.17g to %.17g",
                          fees[fi], k, k0, amm_k(&a));
        }
        cr_expect_eq(a.x, ledger_balance(l, ledger_system(l, CLS_AMM)));
        ledger_free(l);
    }
}

/* A swap pays the quote lowered until k holds (amm_keep_k_), to the bit, whether or not
 * rounding broke k: without a fee it does for a good share of random swaps, which then
 * take the out-of-line path (amm_keep_k_slow) of amm_sell (from its slow path) and of
 * amm_buy_lane, the queries' purchases. */
Test(amm, swap_pays_the_quote_kept_to_k_exactly)
{
    const double fees[] = {0.0, 0.003};
    for (int fi = 0; fi < 2; fi++) {
        amm a;
        acct_id tr;
        pcg32 g;
        ledger *l = random_swaps(&a, fees[fi], &tr, 1e12, &g, 21u + (uint64_t)fi, 3u);
        int lowered[2] = {0, 0};
        for (int k = 0; k < 10000; k++) {
            int buy = k & 1;
            double size = pow(10.0, 6.0 * pcg32_double(&g));
            double quote = buy ? amm_quote_buy(&a, size) : amm_quote_sell(&a, size);
            double want = buy ? amm_keep_k_(quote, size, a.y, a.x)
                              : amm_keep_k_(quote, size, a.x, a.y);
            lowered[buy] += want != quote;
            double got = buy ? amm_buy(&a, l, tr, size) : amm_sell(&a, l, tr, size);
            cr_assert(got == want, "fee %g %s %d: paid %.17g, kept quote %.17g", fees[fi],
                      buy ? "buy" : "sale", k, got, want);
        }
        if (fees[fi] == 0)
            cr_expect(lowered[0] > 100 && lowered[1] > 100,
                      "rounding broke k in only %d of 5000 sales and %d of 5000 buys",
                      lowered[0], lowered[1]);
        ledger_free(l);
    }
}

Test(amm, swap_output_and_price_impact_equal_the_formula)
{
    const double x = 4e7, y = 2e6, f = 0.003, u = 150000;
    amm a;
    acct_id tr;
    ledger *l = pool_ledger(&a, x, y, f, &tr, 0);
    double p0 = amm_price(&a);
    double out = amm_buy(&a, l, tr, u);
    double g = 1 - f;
    cr_expect_float_eq(out, u * g * x / (y + u * g), 1e-9);
    /* after the buy x' = x·y/(y + u·g), y' = y + u, so p' = (y + u)(y + u·g)/(x·y) */
    double p1 = (y + u) * (y + u * g) / (x * y);
    cr_expect_float_eq(amm_price(&a), p1, 1e-14 * p1);
    cr_expect_gt(amm_price(&a), p0);
    cr_expect_eq(ledger_balance(l, tr), out);
    ledger_free(l);

    /* fee 0: the textbook impact p'/p = (1 + u/y)^2 */
    l = pool_ledger(&a, x, y, 0, &tr, 0);
    amm_buy(&a, l, tr, u);
    cr_expect_float_eq(amm_price(&a) / p0, (1 + u / y) * (1 + u / y), 1e-13);
    ledger_free(l);

    /* a sale of s: p' = y·x/(x + s·g) / (x + s) */
    l = pool_ledger(&a, x, y, f, &tr, 1e6);
    double s = 1e6, got = amm_sell(&a, l, tr, s);
    cr_expect_float_eq(got, s * g * y / (x + s * g), 1e-9);
    double p2 = (y - s * g * y / (x + s * g)) / (x + s);
    cr_expect_float_eq(amm_price(&a), p2, 1e-14 * p2);
    ledger_free(l);
}

Test(amm, round_trip_loses_exactly_the_fees)
{
    const double x = 1e8, y = 1e7;
    const double fees[] = {0.0, 0.003, 0.01, 0.3};
    const double sizes[] = {10, 1e4, 1e6, 5e7};
    for (int fi = 0; fi < 4; fi++)
        for (int si = 0; si < 4; si++) {
            amm a;
            acct_id tr;
            ledger *l = pool_ledger(&a, x, y, fees[fi], &tr, 0);
            double u = sizes[si], g = 1 - fees[fi];
            double t = amm_buy(&a, l, tr, u);
            double back = amm_sell(&a, l, tr, t);
            /* closed form: u' = u·g²·(y + u)/(y + u·g²), loss u·y·(1 − g²)/(y + u·g²) */
            double loss = u * y * (1 - g * g) / (y + u * g * g);
            cr_expect_float_eq(u - back, loss, 1e-9 * u + 1e-9,
                               "fee %g size %g: lost %.17g, formula %.17g",
                               fees[fi], u, u - back, loss);
            cr_expect_eq(ledger_balance(l, tr), 0.0);
            ledger_free(l);
        }
}

Test(amm, inverse_quotes_are_inverses)
{
    amm a;
    amm_init(&a, 3e6, 9e5, 0.003);
    double t = 12345.0;
    double need = amm_usd_for_tkn(&a, t);
    cr_expect_float_eq(amm_quote_buy(&a, need), t, 1e-9);
    double usd = 777.0;
    double sell = amm_tkn_for_usd(&a, usd);
    cr_expect_float_eq(amm_quote_sell(&a, sell), usd, 1e-9);
    cr_expect(isinf(amm_usd_for_tkn(&a, 3e6)));
    cr_expect(isinf(amm_tkn_for_usd(&a, 9e5)));
}

Test(amm, sell_without_the_tokens_trades_nothing)
{
    amm a;
    acct_id tr;
    ledger *l = pool_ledger(&a, 1e6, 1e5, 0.003, &tr, 5);
    double k0 = amm_k(&a);
    cr_expect_eq(amm_sell(&a, l, tr, 6), -1.0);
    cr_expect_eq(amm_sell(&a, l, tr, -1), -1.0);
    cr_expect_eq(amm_sell(&a, l, tr, 0), 0.0);
    cr_expect_eq(amm_buy(&a, l, tr, -1), 0.0);
    cr_expect_eq(amm_k(&a), k0);
    cr_expect_eq(ledger_balance(l, tr), 5.0);
    ledger_free(l);
}
