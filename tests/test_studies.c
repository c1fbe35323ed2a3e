/* test_studies.c — the headline findings of docs/studies.md hold over replicates.
 *
 * Each test loads scenarios of the library (scenarios/NAME.yaml) as shipped, shortens them
 * with the same overrides a user would pass as --set (a shorter horizon), runs n
 * replicates in process through the runner (seeds rng_derive_seed(scenario seed, 0, r),
 * as `crucible run` does), and checks a finding with a margin that follows from the
 * sample size: pass rates with Wilson 95% intervals (analysis/stats.h), differences of
 * means with Welch 95% intervals. The seeds are fixed, so each test is deterministic; the
 * margins say the finding is not a fluke of these particular replicates.
 *
 * Plus one cheap test of the library itself: every scenario file validates and opens
 * with the comment the issue asks for (question, mechanism, criteria), and has criteria.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/core/memsink.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "stats.h"
#include "helpers.h"

#define MAX_REPS 32

/* One number per run, as `crucible summarize --stat` computes it. */
enum { AT_END, AT_MEAN, AT_MAX, AT_MIN, AT_SUMMARY, AT_MEAN_2ND_HALF };

static double series_stat(const memsink *m, const char *metric, int at)
{
    if (at == AT_SUMMARY) {
        double v = memsink_summary(m, metric);
        cr_assert(!isnan(v), "summary value %s missing", metric);
        return v;
    }
    const memsink_series *s = memsink_get(m, metric);
    cr_assert(s && s->n > 0, "metric %s missing", metric);
    if (at == AT_END)
        return s->v[s->n - 1];
    if (at == AT_MEAN_2ND_HALF) { /* mean over the samples after half the horizon */
        double half = s->t[s->n - 1] / 2, sum = 0;
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++)
            if (s->t[i] > half && !isnan(s->v[i])) {
                sum += s->v[i];
                k++;
            }
        return k ? sum / (double)k : NAN;
    }
    double acc = at == AT_MEAN ? 0 : s->v[0];
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->v[i];
        if (isnan(v))
            continue;
        k++;
        if (at == AT_MEAN)
            acc += v;
        else if (at == AT_MAX ? v > acc : v < acc)
            acc = v;
    }
    return at == AT_MEAN ? (k ? acc / (double)k : NAN) : acc;
}

/* What a test reads from each replicate. */
typedef struct probe {
    const char *metric;
    int at;
    double v[MAX_REPS];
} probe;

/* Runs replicates 0..n-1 of sc and fills every probe. */
static void run_reps(const scenario *sc, int n, probe *pr, size_t npr)
{
    cr_assert(n <= MAX_REPS);
    memsink m;
    memsink_init(&m, NULL);
    for (int r = 0; r < n; r++) {
        runner_info info;
        crc_err err;
        crc_err_clear(&err);
        int rc = runner_run(sc, sc->seed, r, -1, NULL, &m, &info, &err);
        cr_assert_eq(rc, CRC_OK, "%s replicate %d: %s", sc->name, r, err.msg);
        for (size_t k = 0; k < npr; k++)
            pr[k].v[r] = series_stat(&m, pr[k].metric, pr[k].at);
        runner_info_free(&info);
    }
    memsink_free(&m);
}

static size_t count_if(const double *v, int n, int (*pred)(double))
{
    size_t k = 0;
    for (int i = 0; i < n; i++)
        k += (size_t)pred(v[i]);
    return k;
}

static int negative(double x) { return x < 0; }
static int positive(double x) { return x > 0; }

/* Poisoning: naive attribution pays poisoners; audits + bonds + slashing do not.
 * 20 replicates of each scheme over 60 days (the first retrains and the first bans both
 * happen within a month). The poisoners' return is their class's trailing return
 * (roi.poisoner, the scenarios' criterion); the attack's return over the whole run
 * (summary roi_run.poisoner, cumulative income over cost - 1) must agree: positive in
 * every naive replicate, negative on average under the defenses (t interval below 0).
 * The finding: the naive scheme makes the trailing return positive in at least 95% of
 * replicates, and the Wilson 95% intervals of the two "poisoners lose" rates do not overlap
 * (so the difference is not replicate noise). 20 replicates per arm: with 10, the defended
 * mean's t interval was about ±0.13 wide, as wide as the mean itself; with 20 it is
 * −0.19 [−0.29, −0.09]. Entry follows profit (docs/model.md §3): poisoners pour into the naive
 * scheme and only probe the defended one, so every defended replicate sees fewer
 * entrants than every naive one. (Before entry followed profit, poisoners kept arriving at
 * poison.entry into the defended scheme and lost, which made its end-of-run trailing
 * return negative in 10 of 10; now the class's return at day 60 is mostly the first
 * wave's, and some replicates end slightly positive.) */
Test(studies, defenses_make_poisoning_unprofitable_where_naive_attribution_pays)
{
    const char *const sets[] = {"world.horizon=60", "world.flows_every=0", NULL};
    enum { N = 20 };
    scenario naive, defended;
    th_load(&naive, "scenarios/poisoning.yaml", sets);
    th_load(&defended, "scenarios/poisoning-defended.yaml", sets);
    probe pn[] = {{"roi.poisoner", AT_END, {0}}, {"roi_run.poisoner", AT_SUMMARY, {0}},
                  {"entered.poisoner", AT_SUMMARY, {0}}};
    probe pd[] = {{"roi.poisoner", AT_END, {0}}, {"roi_run.poisoner", AT_SUMMARY, {0}},
                  {"entered.poisoner", AT_SUMMARY, {0}}};
    run_reps(&naive, N, pn, 3);
    run_reps(&defended, N, pd, 3);
    double fewest = pn[2].v[0], most = pd[2].v[0];
    for (int r = 1; r < N; r++) {
        fewest = fmin(fewest, pn[2].v[r]);
        most = fmax(most, pd[2].v[r]);
    }
    cr_expect_lt(most, fewest, "poisoners entering: defended up to %g, naive from %g", most, fewest);
    /* The attack's return over the run: positive in every naive replicate; under the
     * defenses its mean is negative with a 95% t interval entirely below 0 (single
     * replicates of the first wave can still end slightly positive: docs/studies.md). */
    double work[N];
    stats_desc dd;
    stats_describe(pd[1].v, N, 0.95, work, &dd);
    cr_expect_lt(dd.ci_hi, 0, "defended attack return %g [%g, %g]", dd.mean, dd.ci_lo, dd.ci_hi);
    cr_expect_eq(count_if(pn[1].v, N, positive), (size_t)N, "naive attack return positive in %zu/%d",
                 count_if(pn[1].v, N, positive), N);
    const probe *pnr = &pn[0], *pdr = &pd[0];
    size_t lose_naive = count_if(pnr->v, N, negative);
    size_t lose_def = count_if(pdr->v, N, negative);
    cr_expect_geq((double)count_if(pnr->v, N, positive) / N, 0.95,
                  "naive: poisoners profit in only %zu/%d", count_if(pnr->v, N, positive), N);
    stats_prop wn, wd;
    stats_wilson(lose_naive, N, 0.95, &wn);
    stats_wilson(lose_def, N, 0.95, &wd);
    cr_expect_gt(wd.lo, wn.hi, "Wilson intervals overlap: naive [%g, %g], defended [%g, %g]",
                 wn.lo, wn.hi, wd.lo, wd.hi);
    scenario_free(&naive);
    scenario_free(&defended);
}

/* The emission gate cuts self-referential demand: wash-demand.yaml against
 * emission-gate.yaml (the same plus a gate of 1 x external fees) over 240 days, 4
 * replicates each. Over the first months external fees are tiny (the network's models
 * are still weak), so both self_ref_shares stay near 1: the gate cuts wash *volume* and
 * the farmers' take at once, and the *share* once external demand has grown. Findings:
 *  - wash fee volume (mean USD/day over the run) falls (by ~60% at these seeds): the
 *    Welch 95% interval of gate - no gate lies below -0.3 x the no-gate mean;
 *  - farmer_capture (mean over the run) falls by at least 0.2 (Welch interval below -0.2);
 *  - self_ref_share over the second half of the run is lower in every gated replicate
 *    than in every ungated one (Mann-Whitney exact two-sided p = 2/70 < 0.05 for 4 vs 4:
 *    the gated shares vary a lot, from a few percent to about half, as probes re-enter);
 *  - with the gate, farmers lose in every replicate. */
Test(studies, emission_gate_cuts_self_referential_share)
{
    const char *const sets[] = {"world.horizon=240", "world.flows_every=0", NULL};
    enum { N = 4 };
    scenario wash, gate;
    th_load(&wash, "scenarios/wash-demand.yaml", sets);
    th_load(&gate, "scenarios/emission-gate.yaml", sets);
    probe pw[] = {{"self_ref_share", AT_MEAN_2ND_HALF, {0}},
                  {"wash_fee_usd", AT_MEAN, {0}},
                  {"farmer_capture", AT_MEAN, {0}},
                  {"roi.farmer", AT_END, {0}}};
    probe pg[] = {{"self_ref_share", AT_MEAN_2ND_HALF, {0}},
                  {"wash_fee_usd", AT_MEAN, {0}},
                  {"farmer_capture", AT_MEAN, {0}},
                  {"roi.farmer", AT_END, {0}}};
    run_reps(&wash, N, pw, 4);
    run_reps(&gate, N, pg, 4);
    stats_welch w;
    double mean_wash = 0;
    for (int r = 0; r < N; r++)
        mean_wash += pw[1].v[r] / N;
    stats_welch_test(pw[1].v, N, pg[1].v, N, 0.95, &w); /* diff = gate - no gate */
    cr_expect_lt(w.ci_hi, -0.3 * mean_wash, "wash fee USD/day gate - no gate: %g [%g, %g] of %g",
                 w.diff, w.ci_lo, w.ci_hi, mean_wash);
    stats_welch_test(pw[2].v, N, pg[2].v, N, 0.95, &w);
    cr_expect_lt(w.ci_hi, -0.2, "farmer_capture gate - no gate: %g [%g, %g]", w.diff, w.ci_lo,
                 w.ci_hi);
    double work[4 * N];
    stats_mw mw;
    cr_assert_eq(stats_mann_whitney(pg[0].v, N, pw[0].v, N, work, &mw), 0);
    cr_expect_eq(mw.u_a, 0.0, "some gated replicate's self_ref_share is above an ungated one");
    cr_expect_lt(mw.p, 0.05, "Mann-Whitney p = %g", mw.p);
    cr_expect_eq(count_if(pg[3].v, N, negative), (size_t)N, "gated farmers lose in %zu/%d",
                 count_if(pg[3].v, N, negative), N);
    scenario_free(&wash);
    scenario_free(&gate);
}

/* No external demand: real_yield is exactly 0 in every epoch (no external fee exists),
 * emissions still flow, the builders (who live on fees) leave, and the price, held up
 * for a while by stakers' purchases, falls from its peak. 4 replicates of the shipped
 * year (no consumers makes them cheap). Margins: the fall is at least 3% of the peak in
 * every replicate (the replicates' spread of the final price is ~2%). */
Test(studies, no_external_demand_recycles_emission_and_price_falls)
{
    const char *const sets[] = {"world.flows_every=0", NULL};
    enum { N = 4 };
    scenario sc;
    th_load(&sc, "scenarios/no-external-demand.yaml", sets);
    probe p[] = {{"real_yield", AT_MAX, {0}},     {"emitted_tkn", AT_END, {0}},
                 {"active.builder", AT_END, {0}}, {"price_usd", AT_END, {0}},
                 {"price_usd", AT_MAX, {0}},      {"ext_fee_usd", AT_MAX, {0}}};
    run_reps(&sc, N, p, sizeof p / sizeof *p);
    for (int r = 0; r < N; r++) {
        cr_expect_eq(p[0].v[r], 0.0, "replicate %d: max real_yield %g", r, p[0].v[r]);
        cr_expect_eq(p[5].v[r], 0.0, "replicate %d: external fees %g", r, p[5].v[r]);
        cr_expect_gt(p[1].v[r], 0.0, "replicate %d: emission stopped", r);
        cr_expect_lt(p[2].v[r], 10.0, "replicate %d: %g builders stayed without fees", r,
                     p[2].v[r]);
        cr_expect_lt(p[3].v[r], 0.97 * p[4].v[r], "replicate %d: price %g vs peak %g", r,
                     p[3].v[r], p[4].v[r]);
    }
    scenario_free(&sc);
}

/* Speculative exit: outside holders selling all year lower the price and, with it, the
 * USD value of each epoch's emission; consumers pay USD prices, so real_yield =
 * ext_fee_usd / emission_usd rises although nobody's demand changed. 4 replicates of
 * each shipped year, the same seeds (so the same consumers). Margins: Welch 95% intervals
 * of speculative - baseline at the end of the year lie below 0 for the price and the
 * emission's USD value, and above 0 for real_yield. */
Test(studies, speculative_exit_lowers_the_price_and_flatters_real_yield)
{
    const char *const sets[] = {"world.flows_every=0", NULL};
    enum { N = 4 };
    scenario base, spec;
    th_load(&base, "scenarios/baseline.yaml", sets);
    th_load(&spec, "scenarios/speculative-exit.yaml", sets);
    probe pb[] = {{"price_usd", AT_END, {0}}, {"emission_usd", AT_END, {0}},
                  {"real_yield", AT_END, {0}}};
    probe ps[] = {{"price_usd", AT_END, {0}}, {"emission_usd", AT_END, {0}},
                  {"real_yield", AT_END, {0}}};
    run_reps(&base, N, pb, 3);
    run_reps(&spec, N, ps, 3);
    stats_welch w;
    stats_welch_test(pb[0].v, N, ps[0].v, N, 0.95, &w);
    cr_expect_lt(w.ci_hi, 0, "price speculative - baseline: %g [%g, %g]", w.diff, w.ci_lo, w.ci_hi);
    stats_welch_test(pb[1].v, N, ps[1].v, N, 0.95, &w);
    cr_expect_lt(w.ci_hi, 0, "emission_usd speculative - baseline: %g [%g, %g]", w.diff, w.ci_lo,
                 w.ci_hi);
    stats_welch_test(pb[2].v, N, ps[2].v, N, 0.95, &w);
    cr_expect_gt(w.ci_lo, 0, "real_yield speculative - baseline: %g [%g, %g]", w.diff, w.ci_lo,
                 w.ci_hi);
    scenario_free(&base);
    scenario_free(&spec);
}

/* Fake compute: unverified fake nodes take the consumers' queries, which fail, and
 * demand collapses; re-executing 1% of jobs keeps every fake node out of the router. A
 * node claiming J = 2,000 jobs a day survives its first day with probability
 * (1 - v c)^J = e^(-18) ~ 1.5e-8 at v = 0.01, c = 0.9, and it takes queries only from
 * the epoch after it arrives; ~10^5 fake nodes are fielded in a year, so the expected
 * number ever routed is ~10^-3: fake_queries must be 0 in every epoch of every
 * replicate. 4 replicates of 150 days each (consumers turn to the network near day 32).
 * Margin: every unverified run ends with fewer than a tenth of the consumers of every
 * verified run. */
Test(studies, verification_keeps_fake_nodes_from_wrecking_service)
{
    const char *const open[] = {"world.horizon=150", "world.flows_every=0", NULL};
    const char *const verified[] = {"world.horizon=150", "world.flows_every=0",
                                    "defense.verify.rate=0.01", NULL};
    enum { N = 4 };
    scenario a, b;
    th_load(&a, "scenarios/fake-compute.yaml", open);
    th_load(&b, "scenarios/fake-compute.yaml", verified);
    probe pa[] = {{"consumers", AT_END, {0}}, {"fake_queries", AT_MAX, {0}}};
    probe pb[] = {{"consumers", AT_END, {0}}, {"fake_queries", AT_MAX, {0}}};
    run_reps(&a, N, pa, 2);
    run_reps(&b, N, pb, 2);
    double least = pb[0].v[0];
    for (int r = 0; r < N; r++) {
        least = fmin(least, pb[0].v[r]);
        cr_expect_eq(pb[1].v[r], 0.0, "verified replicate %d: fake nodes took %g queries in an epoch",
                     r, pb[1].v[r]);
        cr_expect_gt(pa[1].v[r], 0.0, "unverified replicate %d: fake nodes took no query", r);
    }
    for (int r = 0; r < N; r++)
        cr_expect_lt(pa[0].v[r], 0.1 * least, "unverified replicate %d: %g consumers against %g",
                     r, pa[0].v[r], least);
    scenario_free(&a);
    scenario_free(&b);
}

/* Unlock shock: the demand shock alone costs the price little, the insiders' unlock on
 * top of it crashes it. 3 replicates each over 240 days (the cliff and the shock are at
 * day 180). Margin: every unlock run's minimum price is below half of every
 * demand-only run's minimum. */
Test(studies, insider_unlock_not_the_demand_shock_crashes_the_price)
{
    const char *const both[] = {"world.horizon=240", "world.flows_every=0", NULL};
    const char *const demand[] = {"world.horizon=240", "world.flows_every=0",
                                  "vesting.insiders.cliff=365", NULL};
    enum { N = 3 };
    scenario a, b;
    th_load(&a, "scenarios/unlock-shock.yaml", both);
    th_load(&b, "scenarios/unlock-shock.yaml", demand);
    probe pa = {"price_usd", AT_MIN, {0}}, pb = {"price_usd", AT_MIN, {0}};
    run_reps(&a, N, &pa, 1);
    run_reps(&b, N, &pb, 1);
    double worst_b = INFINITY, best_a = 0;
    for (int r = 0; r < N; r++) {
        worst_b = fmin(worst_b, pb.v[r]);
        best_a = fmax(best_a, pa.v[r]);
    }
    cr_expect_lt(best_a, 0.5 * worst_b, "min price with unlock %g vs demand shock only %g",
                 best_a, worst_b);
    scenario_free(&a);
    scenario_free(&b);
}

/* The library: every scenario under scenarios/ (and proposal-example/) validates, opens
 * with a comment stating its question, mechanism and criteria, and has criteria. */
static void check_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    char head[8192];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = 0;
    cr_expect_eq(head[0], '#', "%s does not open with a comment", path);
    cr_expect(strstr(head, "Question"), "%s: no 'Question' in its opening comment", path);
    /* baseline.yaml (not part of this library's files) states its mechanism in words. */
    if (!strstr(path, "scenarios/baseline.yaml"))
        cr_expect(strstr(head, "Mechanism"), "%s: no 'Mechanism' in its opening comment", path);
    cr_expect(strstr(head, "Criteria") || strstr(head, "criteria"),
              "%s: no criteria in its opening comment", path);
    scenario sc;
    th_load(&sc, path, NULL);
    cr_expect_gt(sc.n_criteria, 0, "%s has no criteria", path);
    scenario_free(&sc);
}

Test(studies, every_library_scenario_states_its_question_and_validates)
{
    const char *dirs[] = {"scenarios", "scenarios/proposal-example"};
    size_t files = 0;
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        cr_assert(dir, "cannot open %s", dirs[d]);
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            check_file(path);
            files++;
        }
        closedir(dir);
    }
    cr_expect_geq(files, 14, "only %zu scenario files found", files);
}
