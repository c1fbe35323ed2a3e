/* test_ledger.c — the supply invariant under random mints, burns, transfers and swaps;
 * clean failures; flow tallies; genesis and token_validate. */
#include <criterion/criterion.h>
#include <math.h>

#include "engine/pcg.h"
#include "model/token/amm.h"
#include "model/token/ledger.h"
#include "model/token/token.h"

Test(ledger, system_accounts_exist_with_their_class)
{
    ledger *l = ledger_alloc(4);
    cr_assert(l);
    for (int c = CLS_RESERVE; c < CLS_COUNT; c++) {
        acct_id a = ledger_system(l, c);
        cr_assert_neq(a, UINT32_MAX);
        cr_expect_eq(ledger_class(l, a), c);
        cr_expect_eq(ledger_balance(l, a), 0.0);
    }
    cr_expect_eq(ledger_system(l, CLS_HONEST), UINT32_MAX);
    cr_expect_eq(ledger_count(l), (size_t)(CLS_COUNT - CLS_RESERVE));
    ledger_free(l);
}

Test(ledger, accounts_grow_past_capacity)
{
    ledger *l = ledger_alloc(2);
    acct_id last = 0;
    for (int i = 0; i < 1000; i++) {
        last = ledger_open(l, CLS_HONEST);
        ledger_mint(l, last, 1.0, RSN_MINT);
    }
    cr_expect_eq(ledger_balance(l, last), 1.0);
    cr_expect_eq(ledger_supply(l), 1000.0);
    cr_expect_lt(ledger_check(l), 1e-12);
    ledger_free(l);
}

Test(ledger, accounts_of_a_class_are_neighbours_whatever_the_order_of_opening)
{
    ledger *l = ledger_alloc(2);
    enum { N = 300 };
    acct_id b[N], c[N];
    for (int i = 0; i < N; i++) {
        b[i] = ledger_open(l, CLS_BUILDER);
        c[i] = ledger_open(l, CLS_COMPUTE);
        cr_assert_neq(b[i], UINT32_MAX);
        cr_assert_neq(c[i], UINT32_MAX);
        ledger_mint(l, b[i], 1.0, RSN_MINT);
        ledger_mint(l, c[i], 2.0, RSN_MINT);
    }
    /* Ids come in runs: within a class, all but one step in 64 is to the next id. */
    int jumps_b = 0, jumps_c = 0;
    for (int i = 1; i < N; i++) {
        jumps_b += b[i] != b[i - 1] + 1;
        jumps_c += c[i] != c[i - 1] + 1;
    }
    cr_expect_leq(jumps_b, N / 64);
    cr_expect_leq(jumps_c, N / 64);
    for (int i = 0; i < N; i++) {
        cr_expect_eq(ledger_class(l, b[i]), CLS_BUILDER);
        cr_expect_eq(ledger_class(l, c[i]), CLS_COMPUTE);
        cr_expect_eq(ledger_balance(l, b[i]), 1.0);
        cr_expect_eq(ledger_balance(l, c[i]), 2.0);
        for (int j = 0; j < N; j++)
            cr_assert_neq(b[i], c[j]);
    }
    cr_expect_eq(ledger_count(l), (size_t)(CLS_COUNT - CLS_RESERVE + 2 * N));
    cr_expect_eq(ledger_flow(l, CLS_COUNT, CLS_COMPUTE, RSN_MINT), 2.0 * N);
    cr_expect_lt(ledger_check(l), 1e-12);
    ledger_free(l);
}

Test(ledger, transfer_fails_cleanly_when_balance_is_short)
{
    ledger *l = ledger_alloc(2);
    acct_id a = ledger_open(l, CLS_HONEST), b = ledger_open(l, CLS_FARMER);
    ledger_mint(l, a, 10, RSN_MINT);
    cr_expect_eq(ledger_transfer(l, a, b, 10.5, RSN_FEE), -1);
    cr_expect_eq(ledger_transfer(l, a, b, -1, RSN_FEE), -1);
    cr_expect_eq(ledger_transfer(l, a, b, NAN, RSN_FEE), -1);
    cr_expect_eq(ledger_burn(l, a, 11, RSN_BURN), -1);
    cr_expect_eq(ledger_balance(l, a), 10.0);
    cr_expect_eq(ledger_balance(l, b), 0.0);
    cr_expect_eq(ledger_flow(l, CLS_HONEST, CLS_FARMER, RSN_FEE), 0.0);
    cr_expect_eq(ledger_transfer(l, a, b, 10, RSN_FEE), 0);
    cr_expect_eq(ledger_balance(l, a), 0.0);
    cr_expect_eq(ledger_balance(l, b), 10.0);
    ledger_free(l);
}

Test(ledger, rounding_excess_pays_whole_balance_never_negative)
{
    ledger *l = ledger_alloc(2);
    acct_id a = ledger_open(l, CLS_HONEST), b = ledger_open(l, CLS_HONEST);
    ledger_mint(l, a, 0.3, RSN_MINT);
    double want = 0.1 + 0.2; /* 0.30000000000000004 > 0.3 */
    cr_assert_gt(want, 0.3);
    cr_expect_eq(ledger_transfer(l, a, b, want, RSN_FEE), 0);
    cr_expect_eq(ledger_balance(l, a), 0.0);
    cr_expect_eq(ledger_balance(l, b), 0.3);
    ledger_free(l);
}

Test(ledger, move_is_a_transfer_the_caller_has_checked)
{
    ledger *a = ledger_alloc(4), *b = ledger_alloc(4);
    acct_id ha = ledger_open(a, CLS_HONEST), hb = ledger_open(b, CLS_HONEST);
    acct_id ma = ledger_system(a, CLS_AMM), mb = ledger_system(b, CLS_AMM);
    ledger_mint(a, ha, 1.0, RSN_MINT);
    ledger_mint(b, hb, 1.0, RSN_MINT);
    const double amounts[] = {0.1, 0.2, 0.0, 0.3, 0.4}; /* the last is all that is left */
    for (size_t i = 0; i < sizeof amounts / sizeof *amounts; i++) {
        cr_assert_eq(ledger_transfer(a, ha, ma, amounts[i], RSN_SALE), 0);
        double left = ledger_balance(b, hb), amt = amounts[i] < left ? amounts[i] : left;
        ledger_move(b, hb, mb, amt, RSN_SALE);
        cr_expect_eq(ledger_balance(b, hb), ledger_balance(a, ha), "step %zu", i);
        cr_expect_eq(ledger_balance(b, mb), ledger_balance(a, ma), "step %zu", i);
        cr_expect_eq(ledger_flow(b, CLS_HONEST, CLS_AMM, RSN_SALE),
                     ledger_flow(a, CLS_HONEST, CLS_AMM, RSN_SALE), "step %zu", i);
    }
    cr_expect_lt(ledger_check(b), 1e-12);
    ledger_free(a);
    ledger_free(b);
}

/* Whether any cell of the row (s, d) holds a nonzero flow, cell by cell. */
static int row_has_flow(const ledger *l, int s, int d)
{
    for (int r = 0; r < RSN_COUNT; r++)
        if (ledger_flow(l, s, d, r) != 0)
            return 1;
    return 0;
}

Test(ledger, flow_row_test_agrees_with_the_cells_of_every_row)
{
    ledger *l = ledger_alloc(4);
    acct_id h = ledger_open(l, CLS_HONEST), f = ledger_open(l, CLS_FARMER);
    acct_id tr = ledger_system(l, CLS_TREASURY);
    ledger_mint(l, h, 100, RSN_MINT);
    ledger_transfer(l, h, f, 30, RSN_GRANT); /* the row's last reason */
    ledger_transfer(l, f, tr, 0, RSN_SLASH); /* a zero flow leaves its row empty */
    ledger_burn(l, h, 15, RSN_EMISSION);     /* the row's first reason */
    ledger_lane ln;
    ledger_lane_open(l, &ln, f, h, RSN_FEE);
    cr_assert_eq(ledger_lane_move(&ln, 2), 0);
    int rows = 0;
    for (int s = 0; s <= CLS_COUNT; s++)
        for (int d = 0; d <= CLS_COUNT; d++) {
            cr_expect_eq(ledger_flow_row_any(l, s, d), row_has_flow(l, s, d), "row %d -> %d", s, d);
            rows += ledger_flow_row_any(l, s, d);
        }
    cr_expect_eq(rows, 4);
    cr_expect_not(ledger_flow_row_any(l, CLS_FARMER, CLS_TREASURY));
    ledger_epoch_reset(l);
    for (int s = 0; s <= CLS_COUNT; s++)
        for (int d = 0; d <= CLS_COUNT; d++)
            cr_expect_not(ledger_flow_row_any(l, s, d));
    ledger_free(l);
}

Test(ledger, flows_are_tallied_by_class_and_reason_and_reset_each_epoch)
{
    ledger *l = ledger_alloc(4);
    acct_id h = ledger_open(l, CLS_HONEST), f = ledger_open(l, CLS_FARMER);
    acct_id tr = ledger_system(l, CLS_TREASURY);
    ledger_mint(l, h, 100, RSN_MINT);
    ledger_transfer(l, h, f, 30, RSN_FEE);
    ledger_transfer(l, h, f, 5, RSN_FEE);
    ledger_transfer(l, f, tr, 7, RSN_SLASH);
    ledger_burn(l, h, 15, RSN_BURN);
    cr_expect_eq(ledger_flow(l, CLS_COUNT, CLS_HONEST, RSN_MINT), 100.0);
    cr_expect_eq(ledger_flow(l, CLS_HONEST, CLS_FARMER, RSN_FEE), 35.0);
    cr_expect_eq(ledger_flow(l, CLS_FARMER, CLS_TREASURY, RSN_SLASH), 7.0);
    cr_expect_eq(ledger_flow(l, CLS_HONEST, CLS_COUNT, RSN_BURN), 15.0);
    cr_expect_eq(ledger_flow_into(l, CLS_FARMER, RSN_FEE), 35.0);
    cr_expect_eq(ledger_minted_epoch(l), 100.0);
    cr_expect_eq(ledger_burned_epoch(l), 15.0);
    cr_expect_eq(ledger_supply(l), 85.0);
    ledger_set_class(l, f, CLS_POISONER);
    ledger_transfer(l, f, h, 1, RSN_FEE);
    cr_expect_eq(ledger_flow(l, CLS_POISONER, CLS_HONEST, RSN_FEE), 1.0);
    ledger_epoch_reset(l);
    cr_expect_eq(ledger_flow(l, CLS_HONEST, CLS_FARMER, RSN_FEE), 0.0);
    cr_expect_eq(ledger_minted_epoch(l), 0.0);
    cr_expect_eq(ledger_burned_epoch(l), 0.0);
    cr_expect_eq(ledger_minted_total(l), 100.0);
    cr_expect_eq(ledger_burned_total(l), 15.0);
    ledger_free(l);
}

/* 10^5 random operations; the invariant is checked after every one. Amounts span
 * nine orders of magnitude so rounding would show if transfers leaked. */
Test(ledger, supply_invariant_holds_after_every_operation_of_a_random_sequence)
{
    enum { NACC = 64, OPS = 100000 };
    ledger *l = ledger_alloc(NACC);
    acct_id acc[NACC];
    for (int i = 0; i < NACC; i++)
        acc[i] = ledger_open(l, i % CLS_RESERVE);
    acct_id pool = ledger_system(l, CLS_AMM);
    ledger_mint(l, pool, 1e6, RSN_MINT);
    amm a;
    amm_init(&a, 1e6, 1e5, 0.003);
    pcg32 g;
    pcg32_seed(&g, 20261122u, 4u);
    int failed = 0;
    double worst = 0;
    for (int k = 0; k < OPS; k++) {
        acct_id s = acc[pcg32_next(&g) % NACC], d = acc[pcg32_next(&g) % NACC];
        double amt = pow(10.0, -3.0 + 9.0 * pcg32_double(&g)) * pcg32_double(&g);
        switch (pcg32_next(&g) % 5) {
        case 0: ledger_mint(l, d, amt, RSN_EMISSION); break;
        case 1: failed += ledger_burn(l, s, amt, RSN_BURN) != 0; break;
        case 2:
        case 3: failed += ledger_transfer(l, s, d, amt, RSN_FEE) != 0; break;
        default:
            if (pcg32_next(&g) & 1)
                amm_buy(&a, l, d, amt * 0.1);
            else
                failed += amm_sell(&a, l, s, fmin(amt, ledger_balance(l, s))) < 0;
        }
        double c = ledger_check(l);
        if (c > worst)
            worst = c;
        if (!(c < 1e-9))
            cr_assert_fail("invariant broken at op %d: %g", k, c);
        cr_assert_eq(a.x, ledger_balance(l, pool), "AMM x mirrors the pool at op %d", k);
    }
    cr_log_info("worst relative invariant error %g; %d ops refused", worst, failed);
    cr_expect_gt(failed, 0, "the sequence exercised refused operations");
    ledger_free(l);
}

Test(token, validate_rejects_shares_that_do_not_sum_to_one)
{
    crc_params p;
    params_defaults(&p);
    crc_err err = {0};
    cr_expect_eq(token_validate(&p, &err), CRC_OK, "defaults valid: %s", err.msg);
    /* The treasury takes what the fee shares leave: a 10% burn comes out of its 10%... */
    p.fees_burn = 0.1;
    cr_expect_eq(token_validate(&p, &err), CRC_OK, "%s", err.msg);
    cr_expect_float_eq(fees_treasury_share(&p), 0.0, 1e-12);
    /* ...but shares summing above 1 leave the treasury less than nothing. */
    p.fees_burn = 0.2;
    cr_expect_eq(token_validate(&p, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "fees.model") != NULL, "names the fee params: %s", err.msg);
    params_defaults(&p);
    p.alloc_team = 0.5;
    cr_expect_eq(token_validate(&p, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "allocation") != NULL, "%s", err.msg);
    params_defaults(&p);
    p.emission_split_data = 0.1;
    cr_expect_eq(token_validate(&p, &err), CRC_EINPUT);
    cr_expect(strstr(err.msg, "emission.split") != NULL, "%s", err.msg);
}

Test(token, genesis_mints_the_allocation_and_prices_the_pool)
{
    crc_params p;
    params_defaults(&p);
    crc_err err = {0};
    token *t = token_alloc(&p, 16, NULL, &err);
    cr_assert(t, "%s", err.msg);
    ledger *l = t->ledger;
    double S = p.token_initial_supply;
    cr_expect_float_eq(ledger_supply(l), S, 1e-12 * S);
    cr_expect_eq(ledger_balance(l, ledger_system(l, CLS_RESERVE)), S * p.alloc_reserve);
    cr_expect_eq(ledger_balance(l, ledger_system(l, CLS_AMM)), S * p.alloc_liquidity);
    cr_expect_eq(ledger_balance(l, ledger_system(l, CLS_MARKET)), S * p.alloc_public);
    cr_expect_float_eq(ledger_balance(l, ledger_system(l, CLS_VESTING_ESCROW)),
                       S * (p.alloc_team + p.alloc_investors), 1e-6);
    cr_expect_float_eq(amm_price(&t->amm), p.amm_initial_price, 1e-15);
    cr_expect_eq(ledger_class(l, vesting_insider(t->vest, INSIDER_TEAM)), CLS_INSIDER);
    cr_expect_lt(ledger_check(l), 1e-12);
    token_free(t);
}

Test(ledger, class_and_reason_names_are_the_metric_names_and_unique)
{
    cr_expect_str_eq(class_name(CLS_FAKE_COMPUTE), "fake_compute");
    cr_expect_str_eq(class_name(CLS_HONEST), "honest");
    cr_expect_str_eq(class_name(CLS_STAKER), "staker");
    cr_expect_str_eq(class_name(CLS_COUNT), "none");
    cr_expect_str_eq(class_name(-1), "?");
    cr_expect_str_eq(reason_name(RSN_BUYBACK), "buyback");
    cr_expect_str_eq(reason_name(RSN_COUNT), "?");
    for (int a = 0; a <= CLS_COUNT; a++) {
        cr_expect_str_neq(class_name(a), "?", "class %d has a name", a);
        for (int b = a + 1; b <= CLS_COUNT; b++)
            cr_expect_str_neq(class_name(a), class_name(b));
    }
    for (int a = 0; a < RSN_COUNT; a++) {
        cr_expect_str_neq(reason_name(a), "?", "reason %d has a name", a);
        for (int b = a + 1; b < RSN_COUNT; b++)
            cr_expect_str_neq(reason_name(a), reason_name(b));
    }
}

Test(token, circulating_excludes_the_reserve_and_locked_escrow)
{
    crc_params p;
    params_defaults(&p);
    crc_err err = {0};
    token *t = token_alloc(&p, 0, NULL, &err);
    double S = p.token_initial_supply;
    double want = S * (p.alloc_ecosystem + p.alloc_liquidity + p.alloc_public);
    cr_expect_float_eq(token_circulating(t), want, 1e-9 * S);
    token_free(t);
}

Test(token, genesis_is_not_counted_in_the_first_epoch)
{
    crc_params p;
    params_defaults(&p);
    crc_err err = {0};
    token *t = token_alloc(&p, 0, NULL, &err);
    cr_expect_eq(ledger_minted_epoch(t->ledger), 0.0);
    cr_expect_eq(ledger_flow(t->ledger, CLS_COUNT, CLS_RESERVE, RSN_MINT), 0.0);
    cr_expect_float_eq(ledger_minted_total(t->ledger), p.token_initial_supply,
                       1e-12 * p.token_initial_supply);
    token_free(t);
}
