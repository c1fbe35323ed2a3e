/* test_defense.c — defenses (docs/model.md §11, defenses): detection and catch
 * probabilities, the poisoner's margin under audits; in the model: audits with
 * slashing turn poisoners' ROI negative exactly on the side theory says, slashes go
 * where defense.slash.to says, bans remove repeat offenders, wash detection cuts wash
 * emissions, the emission gate lowers the self-referential share and the farmers'
 * capture (also through the CLI, as a governance intervention), and verification
 * lowers fake nodes' share of compute rewards. */
#include <criterion/criterion.h>
#include <unistd.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "adv_fixture.h"
#include "engine/rng.h"
#include "model/adversary/defense.h"

/* ---- pure rules ------------------------------------------------------------------ */

Test(defense, detection_probability_by_kind)
{
    cr_expect_float_eq(def_detect_prob(0.2, 0.5, 0.8, DEF_KIND_POISON), 0.1, 1e-15);
    cr_expect_float_eq(def_detect_prob(0.2, 0.5, 0.8, DEF_KIND_SPAM), 0.16, 1e-15);
    cr_expect_eq(def_detect_prob(0.2, 0.5, 0.8, DEF_KIND_HONEST), 0, "no false accusations");
}

Test(defense, poison_margin_changes_sign_where_expected_slash_meets_reward)
{
    /* With no cost and no lost reward (s d_p small): margin ≈ r − s d_p φ b. */
    double r = 1, s = 0.1, dp = 0.5, phi = 0.5;
    double b = ((1 - s * dp) * r) / (s * dp * phi); /* exact break-even bond */
    cr_expect(fabs(def_poison_margin(r, 0, s, dp, phi, b)) < 1e-12);
    cr_expect(def_poison_margin(r, 0, s, dp, phi, 0.9 * b) > 0);
    cr_expect(def_poison_margin(r, 0, s, dp, phi, 1.1 * b) < 0);
    cr_expect_float_eq(def_poison_margin(r, 0.2, 0, dp, phi, b), 0.8, 1e-12, "no audits: r − c");
}

Test(defense, catch_probability_matches_repeated_trials)
{
    /* 1 − (1 − v c)^J against a direct simulation: each of J jobs is re-executed with
     * probability v and then exposes the node with probability c. 4 standard errors. */
    gsl_rng *r = rng_stream_alloc(5, 0, 2);
    const double v = 0.01, c = 0.6;
    const unsigned J = 150, N = 20000;
    unsigned caught = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned ver = gsl_ran_binomial(r, v, J);
        caught += gsl_ran_binomial(r, c, ver) > 0;
    }
    double P = def_catch_prob(v, c, J);
    cr_expect_float_eq(P, 1 - pow(1 - v * c, J), 1e-12);
    double se = sqrt(P * (1 - P) / N);
    cr_expect(fabs((double)caught / N - P) < 4 * se, "sim %g vs %g", (double)caught / N, P);
    cr_expect_eq(def_catch_prob(0, c, J), 0);
    cr_expect_eq(def_catch_prob(1, 1, 1), 1);
    gsl_rng_free(r);
    cr_expect_eq(def_banned_by(2, 3), 0);
    cr_expect_eq(def_banned_by(3, 3), 1);
    cr_expect_eq(def_banned_by(1e9, 0), 0, "ban 0: never");
}

/* ---- in the model ------------------------------------------------------------------ */

static void poisoners(crc_params *p)
{
    p->poison_count = 4;
    p->def_audit_rate = 0.4;
    p->def_detect_poison = 0.5;
    p->def_slash = 0.5;
    p->def_ban_points = 0;   /* no bans: isolate the slash */
    p->def_clawback = 0;     /* nothing vests anyway (immediate = 1) */
}

/* A poisoner's expected profit per sample is (1 − q) r − c − q φ b with q = s d_p
 * (def_poison_margin). r, the reward per accepted sample, is measured in the same
 * world with no bond; then bonds at 0.25 and 0.5 of the break-even b* must leave the
 * poisoners' return positive, and bonds at 2 and 4 b* must make it negative.
 * In each bonded run the return must also follow the formula: with that run's own
 * reward per accepted sample r_b (the economy moves a little with each run's slashes,
 * so r_b is measured, not assumed) and the detected share q̂ of its n samples, which is
 * binomial: q̂ within 4 standard errors of q, and the return within the band the
 * formula gives for q ± 4 standard errors. */
Test(defense, audits_with_slashing_turn_poisoners_roi_negative_only_above_threshold)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    adv_base(&p);
    poisoners(&p);
    memsink m;
    cr_assert_eq(adv_run(&p, 13, &m), 0);
    double accepted = memsink_last(&m, "poisoned_max"); /* one target datanet */
    double r = memsink_summary(&m, "reward_usd.poisoner") / accepted;
    cr_assert(accepted > 100 && r > 0);
    cr_expect(memsink_summary(&m, "roi_run.poisoner") > 0, "no bond: poison pays");
    memsink_free(&m);
    double q = p.def_audit_rate * p.def_detect_poison;
    double bstar = ((1 - q) * r - p.poison_cost) / (q * p.def_slash);
    const double xs[] = {0.25, 0.5, 2, 4};
    for (int i = 0; i < 4; i++) {
        crc_params b = p;
        b.def_bond = xs[i] * bstar;
        cr_assert_eq(adv_run(&b, 13, &m), 0);
        double roi = memsink_summary(&m, "roi_run.poisoner");
        double acc = memsink_last(&m, "poisoned_max");
        double det = memsink_summary(&m, "slashed_usd.poisoner") / (p.def_slash * b.def_bond);
        double n = acc + det, qhat = det / n, se = sqrt(q * (1 - q) / n);
        double rb = memsink_summary(&m, "income_usd.poisoner") / acc;
        cr_log_info("poison r=%g USD/sample, b*=%g; bond %g b*: roi %g (r_b %g, q̂ %g of %g)", r,
                    bstar, xs[i], roi, rb, qhat, n);
        cr_expect(fabs(qhat - q) < 4 * se, "bond %g b*: detected share %g, s d_p = %g (se %g)",
                  xs[i], qhat, q, se);
        /* Cost: c per sample plus φ b per detection (summed in float per epoch). */
        double cost = memsink_summary(&m, "cost_usd.poisoner");
        cr_expect(fabs(cost / (n * p.poison_cost + det * p.def_slash * b.def_bond) - 1) < 1e-4,
                  "bond %g b*: cost %g", xs[i], cost);
        /* Per sample contributed: income (1 − q) r_b, cost c + q φ b; decreasing in q. */
        double lo_q = q + 4 * se, hi_q = q - 4 * se;
        double lo = (1 - lo_q) * rb / (p.poison_cost + lo_q * p.def_slash * b.def_bond) - 1;
        double hi = (1 - hi_q) * rb / (p.poison_cost + hi_q * p.def_slash * b.def_bond) - 1;
        cr_expect(roi > lo && roi < hi, "bond %g b*: roi %g outside theory [%g, %g]", xs[i], roi,
                  lo, hi);
        if (xs[i] < 1)
            cr_expect(roi > 0, "bond %g b*: s d_p phi b < r, poison should still pay (roi %g)", xs[i], roi);
        else
            cr_expect(roi < 0, "bond %g b*: s d_p phi b > r, poison should lose (roi %g)", xs[i], roi);
        cr_expect(memsink_summary(&m, "slashed_usd.poisoner") > 0);
        memsink_free(&m);
    }
}

/* Sum of the slash flows (reason "slash") into a destination label. */
static double slash_into(const memsink *m, const char *dst)
{
    double sum = 0;
    for (size_t i = 0; i < m->n_flows; i++) {
        const memsink_flow *f = &m->flows[i];
        if (strcmp(memsink_label(m, f->reason), "slash") == 0 &&
            strcmp(memsink_label(m, f->dst), dst) == 0)
            sum += f->amount_tkn;
    }
    return sum;
}

Test(defense, slashes_go_where_slash_to_says)
{
    alarm(120); /* time limit (see tests/README.md) */
    const char *dst[] = {"treasury", "honest", "none"}; /* treasury | reporter | burn */
    for (int d = 0; d < 3; d++) {
        crc_params p;
        adv_base(&p);
        poisoners(&p);
        p.world_horizon = 20;
        p.world_flows_every = 1;
        p.def_bond = 1;
        p.def_slash_to = d;
        memsink m;
        cr_assert_eq(adv_run(&p, 3, &m), 0);
        double total = adv_sum(&m, "slashed_tkn", 0, 20);
        cr_assert(total > 0);
        for (int o = 0; o < 3; o++) {
            double x = slash_into(&m, dst[o]);
            if (o == d)
                cr_expect(fabs(x - total) <= 1e-9 * total, "%s got %g of %g", dst[o], x, total);
            else
                cr_expect_eq(x, 0, "%s got slashed tokens meant for %s", dst[o], dst[d]);
        }
        memsink_free(&m);
    }
}

Test(defense, bans_remove_repeat_offenders)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    adv_base(&p);
    poisoners(&p);
    p.world_horizon = 20;
    p.def_audit_rate = 1;
    p.def_detect_poison = 1;
    p.def_ban_points = 2;
    memsink m;
    cr_assert_eq(adv_run(&p, 3, &m), 0);
    /* Every sample is detected: nothing poisoned gets in and every poisoner is banned
     * at its second sample, then removed at the epoch. */
    cr_expect_eq(memsink_last(&m, "poisoned_max"), 0);
    cr_expect_eq(memsink_last(&m, "active.poisoner"), 0);
    cr_expect_eq(memsink_summary(&m, "banned_total"), p.poison_count);
    memsink_free(&m);
}

static void washers(crc_params *p)
{
    p->farm_count = 2;
    p->farm_budget = (crc_dist){DIST_CONST, 5, 0};
    p->farm_mix_sybil = p->farm_mix_fake = p->farm_mix_stake = 0;
    p->farm_mix_wash = 1;
    p->emission_rate = 1000; /* about twice the wash break-even in this world */
}

Test(defense, wash_detection_cuts_wash_emissions)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    adv_base(&p);
    washers(&p);
    p.def_wash_recall = 1;
    memsink m;
    cr_assert_eq(adv_run(&p, 7, &m), 0);
    cr_expect_eq(adv_sum(&m, "wash_return", 0, 90), 0, "flagged fees earn no emission");
    cr_expect_eq(adv_mean(&m, "wash_queries", 80, 90), 0, "unpaid washing dies out");
    memsink_free(&m);
}

Test(defense, emission_gate_lowers_self_ref_share_and_farmer_capture)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    adv_base(&p);
    washers(&p);
    memsink m;
    cr_assert_eq(adv_run(&p, 7, &m), 0);
    double self0 = adv_mean(&m, "self_ref_share", 30, 90);
    double cap0 = adv_mean(&m, "farmer_capture", 30, 90);
    memsink_free(&m);
    p.emission_gate_multiple = 1; /* emissions <= the external fee volume */
    cr_assert_eq(adv_run(&p, 7, &m), 0);
    double self1 = adv_mean(&m, "self_ref_share", 30, 90);
    double cap1 = adv_mean(&m, "farmer_capture", 30, 90);
    memsink_free(&m);
    cr_log_info("gate: self_ref %g -> %g, capture %g -> %g", self0, self1, cap0, cap1);
    cr_expect(self0 > 0.05, "without the gate washing pays (%g)", self0);
    cr_expect(self1 < 0.5 * self0, "gate: self_ref_share %g -> %g", self0, self1);
    cr_expect(cap1 < 0.5 * cap0, "gate: farmer_capture %g -> %g", cap0, cap1);
}

Test(defense, verification_lowers_fake_nodes_share_of_compute_rewards)
{
    alarm(120); /* time limit (see tests/README.md) */
    const double vs[] = {0, 1e-4, 1e-3, 1e-2};
    double share[4];
    for (int i = 0; i < 4; i++) {
        crc_params p;
        adv_base(&p);
        p.farm_count = 2;
        p.farm_budget = (crc_dist){DIST_CONST, 5, 0};
        p.farm_mix_sybil = p.farm_mix_wash = p.farm_mix_stake = 0;
        p.def_verify_rate = vs[i];
        p.def_stake_node = 10;
        memsink m;
        cr_assert_eq(adv_run(&p, 7, &m), 0);
        share[i] = adv_mean(&m, "fake_compute_share", 0, 90);
        if (vs[i] == 0)
            cr_expect_eq(adv_sum(&m, "fake_caught", 0, 90), 0);
        else
            cr_expect(memsink_summary(&m, "slashed_usd.fake_compute") > 0);
        memsink_free(&m);
    }
    cr_log_info("fake share by v: %g %g %g %g", share[0], share[1], share[2], share[3]);
    cr_expect(share[0] > 0.5, "unverified claims take most of the pool (%g)", share[0]);
    for (int i = 1; i < 4; i++)
        cr_expect(share[i] < share[i - 1], "share at v=%g (%g) not below v=%g (%g)", vs[i], share[i],
                  vs[i - 1], share[i - 1]);
}

/* End to end through the CLI and YAML: wash_gate.yaml turns the gate on at day 30 by a
 * governance intervention (criteria: washing paid before, gone after, farmers left);
 * poison_audit.yaml sets bonds above the break-even (criteria: poisoners lose, leave,
 * slashes burned). All criteria must hold under --strict, with the ledger checked
 * every epoch. */
Test(defense, adversary_scenarios_pass_their_criteria_from_the_cli)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set: run the tests with make test");
    char dir[] = "/tmp/crucible-adv-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *files[] = {"wash_gate", "poison_audit"};
    char cmd[4096];
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd,
                 "'%s' run tests/fixtures/adversary/%s.yaml --out '%s/%s.db' --strict --check --quiet",
                 bin, files[i], dir, files[i]);
        int st = system(cmd);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s -> %d", cmd, WEXITSTATUS(st));
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* Minimum stakes cost their holders defense.capital_cost a year and change nothing else
 * in a closed world: each class's cumulative cost rises by exactly
 * holders × stake × capital_cost × H/365 (providers' epoch costs are floats: 1e-5). */
Test(defense, minimum_stakes_cost_their_holders_exactly)
{
    alarm(120); /* time limit (see tests/README.md) */
    crc_params p;
    adv_base(&p);
    memsink m;
    cr_assert_eq(adv_run(&p, 21, &m), 0);
    double c0[3] = {memsink_summary(&m, "cost_usd.honest"), memsink_summary(&m, "cost_usd.builder"),
                    memsink_summary(&m, "cost_usd.compute")};
    double q0 = adv_sum(&m, "ext_queries", 0, 90);
    memsink_free(&m);
    p.def_stake_prov = 1000;
    p.def_stake_model = 5000;
    p.def_stake_node = 3000;
    p.def_capital_cost = 0.1;
    cr_assert_eq(adv_run(&p, 21, &m), 0);
    double c1[3] = {memsink_summary(&m, "cost_usd.honest"), memsink_summary(&m, "cost_usd.builder"),
                    memsink_summary(&m, "cost_usd.compute")};
    double years = p.world_horizon / 365.0;
    double want[3] = {p.prov_honest_count * 1000 * 0.1 * years, p.bld_count * 5000 * 0.1 * years,
                      p.node_count * 3000 * 0.1 * years};
    for (int i = 0; i < 3; i++)
        cr_expect(fabs((c1[i] - c0[i]) - want[i]) < 1e-5 * want[i], "class %d: +%g, want +%g", i,
                  c1[i] - c0[i], want[i]);
    cr_expect_eq(adv_sum(&m, "ext_queries", 0, 90), q0, "nothing else changes");
    memsink_free(&m);
}

/* Clawback: with rewards vesting, a detection sends the offender's whole unvested
 * balance to the slash destination (here the treasury). The amount is checked against
 * the balance from the flows: a reward R pays s·R at once (reserve -> poisoner, reason
 * emission) and escrows (1 − s)·R, so the poisoners' unvested balance is
 * (1 − s)/s × (their immediate emission) − (what vested to them). Audits are off until
 * day 20; from then every poisoned sample is audited and detected and one detection
 * bans, so every poisoner is caught at its first contribution after day 20, accepts no
 * sample and earns no reward after it: the clawback must then equal the whole balance
 * (a clawback of the wrong amount, or one that left part in the escrow, fails). Two
 * vesting shares (s = 0.25 and 0.6); nothing moves when defense.clawback is off. */
static double flow_sum(const memsink *m, const char *src, const char *dst, const char *reason)
{
    double s = 0;
    for (size_t i = 0; i < m->n_flows; i++) {
        const memsink_flow *f = &m->flows[i];
        if (!strcmp(memsink_label(m, f->reason), reason) && !strcmp(memsink_label(m, f->src), src) &&
            !strcmp(memsink_label(m, f->dst), dst))
            s += f->amount_tkn;
    }
    return s;
}

Test(defense, detections_claw_back_unvested_rewards)
{
    alarm(120); /* time limit (see tests/README.md) */
    const double shares[] = {0.25, 0.6};
    for (int k = 0; k < 2; k++)
        for (int on = 0; on < 2; on++) {
            crc_params p;
            adv_base(&p);
            poisoners(&p);
            p.def_audit_rate = 0;
            p.world_horizon = 30;
            p.world_flows_every = 1;
            p.vesting_immediate = shares[k];
            p.def_clawback = on;
            crc_intervention iv[3] = {
                {20, params_find("defense.audit.rate"), {1, {0}}},
                {20, params_find("defense.audit.detect_poison"), {1, {0}}},
                {20, params_find("defense.penalty.ban"), {1, {0}}},
            };
            memsink m;
            model_input in;
            memset(&in, 0, sizeof in);
            in.params = &p;
            in.interventions = iv;
            in.n_interventions = 3;
            in.seed = 19;
            memsink_init(&m, NULL);
            crc_sink sk = memsink_sink(&m);
            crc_err e;
            crc_err_clear(&e);
            cr_assert_eq(model_run(&in, &sk, &e), 0, "%s", e.msg);
            double s = shares[k];
            double imm = flow_sum(&m, "reserve", "poisoner", "emission");
            double vested = flow_sum(&m, "vesting_escrow", "poisoner", "vesting");
            double claw = flow_sum(&m, "vesting_escrow", "treasury", "clawback");
            double unvested = (1 - s) / s * imm - vested;
            cr_assert_gt(imm, 0, "the poisoners earned no emission before day 20");
            cr_expect_gt(memsink_summary(&m, "banned_total"), 0, "nobody was caught after day 20");
            if (on) {
                cr_expect_gt(claw, 0);
                cr_expect_float_eq(claw, unvested, 1e-9 * unvested,
                                   "s = %g: clawed %.12g, unvested balance %.12g", s, claw, unvested);
                cr_expect_float_eq(memsink_summary(&m, "clawback_tkn.poisoner"), claw, 1e-9 * claw);
            } else {
                cr_expect_eq(claw, 0);
                cr_expect_eq(memsink_summary(&m, "clawback_tkn.poisoner"), 0);
                /* the balance stays in the escrow and keeps vesting */
                cr_expect_gt(unvested, 0);
            }
            memsink_free(&m);
        }
}

Test(defense, bad_adversary_parameters_get_clear_errors)
{
    crc_params p;
    adv_base(&p);
    crc_err e;
    crc_err_clear(&e);
    cr_expect_eq(model_validate(&p, &e), CRC_OK);
    p.farm_count = 2;
    p.farm_mix_sybil = p.farm_mix_wash = p.farm_mix_fake = p.farm_mix_stake = 0;
    cr_expect_eq(model_validate(&p, &e), CRC_EINPUT);
    cr_expect(strstr(e.msg, "farmers.mix") && strstr(e.msg, "positive weight"), "%s", e.msg);
    adv_base(&p);
    p.poison_target = 2; /* two datanets: 0 and 1 */
    crc_err_clear(&e);
    cr_expect_eq(model_validate(&p, &e), CRC_EINPUT);
    cr_expect(strstr(e.msg, "poison.target") && strstr(e.msg, "0 to 1"), "%s", e.msg);
}
