/* test_tranches.c — the allocation table (docs/model.md §10 "Genesis and allocation",
 * "Unlocks"): genesis puts each tranche where its role says, the unlocked totals follow
 * the table's integral at every date, the table loads the same from YAML and CSV and
 * round-trips through the resolved scenario, and a bad table is refused with
 * file:line:column. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "model/token/token.h"
#include "scenario/scenario.h"

#define FIX "tests/fixtures/tranches/"
#define MONTH 30.4375

static void load(scenario *sc, const char *path)
{
    crc_err e;
    crc_err_clear(&e);
    cr_assert_eq(scenario_load(sc, path, &e), CRC_OK, "%s: %s", path, e.msg);
}

/* The table's integral, written out here independently of vesting.c: a tranche of T
 * tokens unlocks k·T at TGE, nothing more before the cliff c, then the rest (1 − k)·T
 * at rate (1 − k)·T/L for L = vesting months (linear) or in n equal steps at c + M,
 * c + 2M, ... (monthly); whole roles are entirely out at TGE. */
static double integral(const crc_tranche *tr, double T, double t)
{
    if (tr->role == TR_RESERVE || tr->role == TR_LIQUIDITY || tr->role == TR_MARKET)
        return T;
    double c = tr->cliff * MONTH, L = tr->vesting * MONTH, rest = (1 - tr->tge) * T, got = 0;
    if (L == 0)
        got = t >= c ? rest : 0;
    else if (tr->shape == TR_LINEAR)
        got = rest * fmax(0, fmin(1, (t - c) / L));
    else
        for (int k = 1; k <= (int)tr->vesting; k++)
            got += t >= c + k * MONTH ? rest / tr->vesting : 0;
    return tr->tge * T + got;
}

/* The account a tranche's tokens reach: plan order is table order skipping whole roles. */
static acct_id account_of(const token *tok, int i)
{
    const crc_tranches *tt = &tok->p->tranches;
    int plan = 0;
    for (int j = 0; j < i; j++)
        plan += !(tt->t[j].role == TR_RESERVE || tt->t[j].role == TR_LIQUIDITY ||
                  tt->t[j].role == TR_MARKET);
    return vesting_insider(tok->vest, plan);
}

static void check_unlocks(const char *path, double dt)
{
    scenario sc;
    load(&sc, path);
    crc_params *p = &sc.params;
    p->token_initial_supply = 1e9;
    crc_err e;
    crc_err_clear(&e);
    token *tok = token_alloc(p, 0, NULL, &e);
    cr_assert(tok, "%s", e.msg);
    ledger *l = tok->ledger;
    const crc_tranches *tt = &p->tranches;
    cr_assert_eq(tt->n, 8);
    /* whole roles at TGE */
    cr_expect_float_eq(ledger_balance(l, ledger_system(l, CLS_RESERVE)), 0.35e9, 1e-3);
    cr_expect_float_eq(ledger_balance(l, ledger_system(l, CLS_MARKET)), 0.02e9, 1e-3);
    cr_expect_float_eq(tok->amm.x, 0.03e9, 1e-3);
    cr_expect_float_eq(amm_price(&tok->amm), p->amm_initial_price, 1e-12);
    /* every epoch end from TGE to past 48 months (dates on, between and across the
     * month ends, the cliffs and the ends of vesting) */
    double locked0 = vesting_locked(tok->vest);
    for (long k = 0; k * dt <= 1600; k++) {
        double t = (double)k * dt, sum = 0;
        vesting_unlock(tok->vest, l, NULL, t); /* no AMM: nobody sells */
        for (int i = 0; i < tt->n; i++) {
            const crc_tranche *tr = &tt->t[i];
            if (tr->role == TR_RESERVE || tr->role == TR_LIQUIDITY || tr->role == TR_MARKET)
                continue;
            double T = 1e9 * tr->share, want = integral(tr, T, t);
            double got = ledger_balance(l, account_of(tok, i));
            sum += got;
            cr_assert_leq(fabs(got - want), 1e-9 * T, "%s, t = %g (dt %g): %.9g unlocked, "
                          "integral %.9g", tr->name, t, dt, got, want);
        }
        /* what left the escrow is what the locked tranches' integrals say */
        double tge = 0.1e9 + 0.1 * 0.2e9 + 0.25 * 0.05e9;
        cr_assert_float_eq(locked0 - vesting_locked(tok->vest), sum - tge, 1e-9 * 1e9, "t = %g", t);
        cr_assert_lt(ledger_check(l), 1e-12);
    }
    /* everything has unlocked by 48 months */
    cr_expect_lt(vesting_locked(tok->vest), 1e-3);
    token_free(tok);
    scenario_free(&sc);
}

Test(tranches, unlock_totals_equal_the_tables_integral_at_several_dates)
{
    check_unlocks(FIX "table.yaml", 1);   /* daily epochs */
    check_unlocks(FIX "table.yaml", 0.7); /* epochs that straddle month ends */
}

Test(tranches, circulating_at_tge_is_the_whole_roles_and_the_tge_shares)
{
    /* OpenLedger as the calibrated scenario enters it: liquidity 5% + the community's
     * TGE tranche 16.55% = the 21.55% the posts quote. */
    scenario sc;
    load(&sc, "scenarios/calibrated/openledger.yaml");
    crc_err e;
    crc_err_clear(&e);
    token *tok = token_alloc(&sc.params, 0, NULL, &e);
    cr_assert(tok, "%s", e.msg);
    cr_expect_float_eq(token_circulating(tok), 0.2155e9, 1e-3);
    cr_expect_float_eq(ledger_supply(tok->ledger), 1e9, 1e-3);
    token_free(tok);
    scenario_free(&sc);
}

static int same_table(const crc_tranches *a, const crc_tranches *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++) {
        const crc_tranche *x = &a->t[i], *y = &b->t[i];
        if (strcmp(x->name, y->name) || x->share != y->share || x->tge != y->tge ||
            x->cliff != y->cliff || x->vesting != y->vesting || x->sell != y->sell ||
            x->role != y->role || x->shape != y->shape)
            return 0;
    }
    return 1;
}

Test(tranches, yaml_and_csv_load_the_same_table_and_it_round_trips)
{
    scenario a, b, c;
    load(&a, FIX "table.yaml");
    load(&b, FIX "csv.yaml");
    cr_expect(same_table(&a.params.tranches, &b.params.tranches));
    char *text = scenario_resolved_text(&b);
    cr_assert(text);
    cr_expect(strstr(text, "tranches:\n"), "the resolved text carries the table");
    crc_err e;
    crc_err_clear(&e);
    cr_assert_eq(scenario_load_text(&c, "resolved.yaml", text, strlen(text), &e), CRC_OK, "%s",
                 e.msg);
    cr_expect(same_table(&b.params.tranches, &c.params.tranches));
    char h1[17], h2[17];
    scenario_hash(&b, h1);
    scenario_hash(&c, h2);
    cr_expect_str_eq(h1, h2);
    free(text);
    /* a scenario without a table keeps its resolved text free of one */
    scenario d;
    load(&d, "scenarios/baseline.yaml");
    text = scenario_resolved_text(&d);
    cr_expect_null(strstr(text, "tranches"));
    free(text);
    scenario_free(&a);
    scenario_free(&b);
    scenario_free(&c);
    scenario_free(&d);
}

/* Loads text and expects an error at line:col whose message holds want. */
static void refused(const char *text, int line, int col, const char *want)
{
    scenario sc;
    crc_err errs[4];
    size_t n = 0;
    int rc = scenario_load_diag(&sc, "bad.yaml", text, strlen(text), errs, 4, &n);
    cr_assert_eq(rc, CRC_EINPUT, "accepted: %s", text);
    cr_assert_geq(n, 1);
    cr_expect_eq(errs[0].line, line, "line %d, not %d: %s", errs[0].line, line, errs[0].msg);
    cr_expect_eq(errs[0].col, col, "column %d, not %d: %s", errs[0].col, col, errs[0].msg);
    cr_expect(strstr(errs[0].msg, want), "'%s' lacks '%s'", errs[0].msg, want);
}

Test(tranches, a_bad_table_is_refused_with_file_line_column_and_the_fix)
{
    refused("name: x\ntranches:\n  - {name: a, share: 0.5}\n  - {name: b, share: 0.4, role: liquidity}\n",
            3, 3, "sum to 0.9, not 1");
    refused("name: x\ntranches:\n  - {name: a, share: 0.95, cliff_month: 3}\n"
            "  - {name: b, share: 0.05, role: liquidity}\n",
            3, 28, "did you mean 'cliff_months'");
    refused("name: x\ntranches:\n  - {name: a, share: 0.95, role: holdr}\n"
            "  - {name: b, share: 0.05, role: liquidity}\n",
            3, 34, "did you mean 'holder'");
    refused("name: x\ntranches:\n  - {name: a, share: 0.5}\n  - {name: a, share: 0.5, role: liquidity}\n",
            4, 5, "used twice");
    refused("name: x\ntranches:\n  - {name: a, share: 0.95, vesting_months: 2.5, shape: monthly}\n"
            "  - {name: b, share: 0.05, role: liquidity}\n",
            3, 5, "whole number");
    refused("name: x\ntranches:\n  - {name: a, share: 1.5}\n", 3, 22, "out of range");
    refused("name: x\ntranches:\n  - {name: a, share: \"0.5\"}\n", 3, 22, "quoted");
    refused("name: x\ntranches:\n  - {name: a, share: 1}\n", 3, 3, "role liquidity");
    refused("name: x\ntranches:\n  - {share: 1, role: liquidity}\n", 3, 5, "a name");
    refused("name: x\ntranches:\n  - {name: l, share: 1, role: liquidity, cliff_months: 3}\n", 3, 5,
            "whole at TGE");
    refused("name: x\ntranches: 3\n", 2, 11, "cannot open");
    refused("name: x\ntranches: {a: 1}\n", 2, 11, "expected a list");
}

Test(tranches, a_bad_csv_row_is_reported_at_its_line_and_column)
{
    scenario sc;
    crc_err errs[4];
    size_t n = 0;
    const char *text = "name: x\ntranches: bad.csv\n";
    /* the CSV lies beside the named scenario file */
    FILE *f = fopen(FIX "bad.csv", "w");
    cr_assert(f);
    fputs("name,share,role\nteam,0.5,holder\nliq,0.5x,liquidity\n", f);
    fclose(f);
    int rc = scenario_load_diag(&sc, FIX "inline.yaml", text, strlen(text), errs, 4, &n);
    remove(FIX "bad.csv");
    cr_assert_eq(rc, CRC_EINPUT);
    cr_expect_str_eq(errs[0].file, FIX "bad.csv");
    cr_expect_eq(errs[0].line, 3);
    cr_expect_eq(errs[0].col, 5);
    cr_expect(strstr(errs[0].msg, "share"), "%s", errs[0].msg);
}
