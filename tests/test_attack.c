/* test_attack.c — `crucible attack` end to end (bin/crucible, found through CRUCIBLE_BIN):
 * bad attack: blocks are refused with file:line:column and exit 2; the search is the
 * same whatever -j, and after a kill -9 and --resume; on the wash break-even world the
 * search finds no profitable attack below e* and a profitable one above it; on poisoning
 * the cheapest attack that breaks "no backdoor" poisons about N* samples.
 *
 * Runs are small (tests/fixtures/attack/: the adv_fixture.h world, 90 or fewer days). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adv_fixture.h"
#include "model/adversary/farmers.h"
#include "helpers.h"

#define FIX "tests/fixtures/attack/"

/* The number after `"key": ` at or after from in json; NAN when absent or null. */
static double jnum(const char *json, const char *from, const char *key)
{
    const char *s = from ? strstr(json, from) : json;
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    s = s ? strstr(s, pat) : NULL;
    if (!s)
        return NAN;
    s += strlen(pat);
    char *end;
    double x = strtod(s, &end);
    return end == s ? NAN : x;
}

/* Writes text into dir/name and returns the path (static buffer). */
static const char *write_file(const char *dir, const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- bad blocks ---------------------------------------------------------------------- */

static void refused(const char *dir, const char *block, const char *want_pos,
                    const char *want_msg)
{
    char text[4096], out[8192], cwd[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, "name: bad\nextends: %s/" FIX "wash.yaml\nattack:\n%s", cwd,
             block);
    const char *path = write_file(dir, "bad.yaml", text);
    int st = th_run(out, sizeof out, "%s attack %s --quiet --out %s/bad.db", th_bin(), path, dir);
    cr_expect_eq(st, 2, "exit 2 for bad input, got %d: %s", st, out);
    char pos[300];
    snprintf(pos, sizeof pos, "%s:%s:", path, want_pos);
    cr_expect(strstr(out, pos), "message at %s: %s", pos, out);
    cr_expect(strstr(out, want_msg), "message says '%s': %s", want_msg, out);
    char db[128];
    snprintf(db, sizeof db, "%s/bad.db", dir);
    cr_expect(access(db, F_OK) != 0, "no database is created for bad input");
}

Test(attack, bad_attack_blocks_are_refused_with_their_position)
{
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    /* The block starts at line 4 (after name, extends, attack:). */
    refused(dir, "  params:\n    farmers.budgit: {min: 0, max: 20}\n  budget: 1000\n", "5:5",
            "did you mean 'farmers.budget'");
    refused(dir, "  params:\n    farmers.budget: {min: 20, max: 20}\n  budget: 1000\n", "5:27",
            "empty range");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: 0\n", "6:11",
            "budget must be > 0");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: -5\n", "6:11",
            "budget must be > 0");
    refused(dir,
            "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: 1000\n"
            "  objective: {maximize: harm_rat}\n",
            "7:25", "did you mean 'harm_rate'");
    refused(dir,
            "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: 1000\n"
            "  objective: {break: no_such_criterion}\n",
            "7:22", "no criterion 'no_such_criterion'");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  budgte: 1000\n", "6:3",
            "did you mean `budget`");
    refused(dir,
            "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: 1000\n"
            "  search: {method: annealing}\n",
            "7:20", "expected cmaes, nm, cem or random");
    refused(dir,
            "  params:\n    farmers.budget: {min: 0, max: 20}\n  budget: 1000\n"
            "  spend: cost_usd.farmr\n",
            "7:10", "did you mean 'cost_usd.farmer'");
    /* The scenario loader itself accepts the block (validate, run ignore it). */
    char out[4096];
    cr_expect_eq(th_run(out, sizeof out, "%s validate " FIX "wash.yaml", th_bin()), 0, "%s", out);
    th_run(out, sizeof out, "rm -rf %s", dir);
}

/* ---- the wash break-even --------------------------------------------------------------- */

/* External fee volume F (TKN/day) of the fixture's world without farmers, under fee
 * split (fm, fd), measured as tests/test_adversary.c does (days 20-90). */
static double external_fees(double fm, double fd, crc_params *p)
{
    adv_base(p);
    p->emission_rate = 500;
    p->fees_model = fm;
    p->fees_data = fd;
    memsink m;
    cr_assert_eq(adv_run(p, 7, &m), 0);
    double F = adv_mean(&m, "ext_fee_usd", 20, 90) / adv_mean(&m, "price_usd", 20, 90);
    memsink_free(&m);
    cr_assert(F > 0);
    return F;
}

/* The search over the farmers' budget b in {0, 1, ..., 20} USD/day at e = x e*. */
static void wash_point(const char *dir, double x, double fm, double fd, char *json, size_t len)
{
    crc_params p;
    double F = external_fees(fm, fd, &p);
    double k = fm + fd * p.farm_wash_data_share;
    double es = farm_wash_breakeven(k, p.amm_fee, p.farm_wash_cost / p.farm_wash_price);
    double rate = x * es * F / p.emission_split_model;
    int st = th_run(json, len,
                 "%s attack " FIX "wash.yaml --set emission.rate=%.17g --set fees.model=%g "
                 "--set fees.data=%g -j2 --json --out %s/wash-%g.db",
                 th_bin(), rate, fm, fd, dir, x);
    cr_assert_eq(st, 0, "%s", json);
    cr_log_info("e = %g e* (e* %g, k %g): %s", x, es, k, json);
}

/* Theory (docs/model.md §11, the wash break-even): each USD of self-paid fee returns
 * (k + e)(1 - f)^2 - c - 1, so below e* every positive budget loses and the best attack is
 * no attack: budget 0, which spends and earns exactly nothing (interval [0, 0]); above
 * e* washing pays and the search must find a budget that profits on fresh replicates.
 * Points 0.3, 0.4, 1.6 and 2.5 e* (the existing break-even test uses 0.5, 0.8, 1.25
 * and 2), under two fee splits (k = 0.6 and 0.4). The margin on the upper bound below e*
 * is 1 USD, about 1% of what the search's resolution step (1 USD/day for 90 days) would
 * spend. Between about 0.5 and 1 e* the search does find small profitable attacks: the
 * launch-period profit docs/model.md §11 describes (the first days, before external fees
 * exist, pay e far above e*); those points are reported, not tested here. */
Test(attack, wash_search_finds_profit_only_above_the_breakeven)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char json[16384];
    struct { double x, fm, fd; } pts[] = {{0.4, 0.2, 0.4}, {0.3, 0.1, 0.3}, {1.6, 0.2, 0.4},
                                          {2.5, 0.1, 0.3}};
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
        wash_point(dir, pts[i].x, pts[i].fm, pts[i].fd, json, sizeof json);
        double b = jnum(json, "\"best\"", "farmers.budget");
        double lo = jnum(json, "\"best\"", "ci_low"), hi = jnum(json, "\"best\"", "ci_high");
        cr_log_info("e = %g e*: best budget %g USD/day, profit [%g, %g]", pts[i].x, b, lo, hi);
        if (pts[i].x < 1) {
            cr_expect_eq(b, 0, "e = %g e*: the best attack is none (budget %g)", pts[i].x, b);
            cr_expect(hi <= 1, "e = %g e*: profit interval [%g, %g] above the 1 USD margin",
                      pts[i].x, lo, hi);
            cr_expect(strstr(json, "no profitable attack found within budget 100000 USD after "
                                   "12 evaluations of 2 replicates"),
                      "%s", json);
        } else {
            cr_expect(b >= 1, "e = %g e*: washing pays, yet budget %g", pts[i].x, b);
            cr_expect(lo > 0, "e = %g e*: profit interval [%g, %g] should be above 0", pts[i].x,
                      lo, hi);
            cr_expect(strstr(json, "\"success\": true"), "%s", json);
        }
    }
    th_run(json, sizeof json, "rm -rf %s", dir);
}

/* ---- poisoning: the cheapest backdoor ---------------------------------------------------- */

/* A model trained on N* poisoned samples is backdoored whatever the corpus size
 * (docs/model.md §11 Poisoners), so the cheapest attack that breaks "no backdoor" (with
 * probability >= 0.75) poisons about N* samples whatever the honest corpus: here 0.2, 2
 * and 20 contributions/day for each of 100 providers. The attacker picks one poisoner's
 * rate r; by the end of the run it has poisoned about r T samples (Poisson, T ~ 59 days),
 * and the last training happens within builders.retrain = 5 days of the end. Bounds on
 * the best attack's mean final poisoned count n over 8 fresh replicates, with standard
 * error s = sqrt(N* / 8):
 *   n >= N* - 3 s   (the best broke it on at least 6 of its 8 search replicates, so its
 *                    count reaches N* in most runs),
 *   n <= N* (r^ / r-) T / (T - 5) + sqrt(N*) + 3 s   (search resolution: r- is the largest
 *        evaluated rate below the best r^, which did not break it; the count at which
 *        P(break) = 0.75 lies within one Poisson sd above N*).
 * The fresh failure rate must be above 0: the attack installs a backdoor. */
Test(attack, cheapest_backdoor_poisons_about_n_star_whatever_the_corpus)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char json[16384];
    const double rates[] = {0.2, 2, 20}, nstar = 60, days = 59;
    for (int i = 0; i < 3; i++) {
        char db[128], sql[512];
        snprintf(db, sizeof db, "%s/p%d.db", dir, i);
        cr_assert_eq(th_run(json, sizeof json, "%s attack " FIX "poison.yaml --set "
                                            "providers.rate=%g -j2 --json --out %s",
                         th_bin(), rates[i], db),
                     0, "%s", json);
        cr_expect(jnum(json, "\"best\"", "failure_rate") > 0, "corpus %g: no backdoor: %s",
                  rates[i], json);
        long point = (long)jnum(json, "\"best\"", "point");
        double r = jnum(json, "\"best\"", "poison.rate");
        snprintf(sql, sizeof sql,
                 "SELECT avg(m.value) FROM metrics m JOIN runs r ON r.id = m.run WHERE r.point = "
                 "%ld AND r.replicate >= 8 AND m.name = 'poisoned_max' AND m.t = (SELECT max(t) "
                 "FROM metrics WHERE run = r.id AND name = 'poisoned_max')",
                 point);
        double n = th_db_value(db, sql);
        snprintf(sql, sizeof sql, "SELECT max(value) FROM points WHERE path = 'poison.rate' AND "
                                  "value < %.17g",
                 r);
        double below = th_db_value(db, sql);
        double noise = 3 * sqrt(nstar / 8);
        double hi = nstar * (r / below) * days / (days - 5) + sqrt(nstar) + noise;
        cr_log_info("corpus %g/day: best rate %g (next below %g), poisoned %g, N* %g, bounds "
                    "[%g, %g]",
                    rates[i], r, below, n, nstar, nstar - noise, hi);
        cr_expect(isfinite(below), "the search tried rates below the best");
        cr_expect(n >= nstar - noise && n <= hi, "corpus %g: poisoned %g outside [%g, %g]",
                  rates[i], n, nstar - noise, hi);
    }
    th_run(json, sizeof json, "rm -rf %s", dir);
}

/* ---- determinism and resume ------------------------------------------------------------- */

/* A digest of every stored run's outcome (summary values, bit for bit, and criteria
 * verdicts) and of the candidates, keyed by (point, replicate), not by run id (ids
 * follow completion order); *runs receives the number of done runs. */
static uint64_t db_digest(const char *path, long *runs)
{
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "%s", path);
    const char *sql[] = {
        "SELECT r.point, r.replicate, s.name, s.value FROM summary s JOIN runs r ON r.id = "
        "s.run WHERE r.status = 'done' ORDER BY 1, 2, 3",
        "SELECT r.point, r.replicate, c.name, c.passed FROM criteria c JOIN runs r ON r.id = "
        "c.run ORDER BY 1, 2, 3",
        "SELECT point, path, value FROM points ORDER BY 1, 2"};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < sizeof sql / sizeof *sql; k++) {
        sqlite3_stmt *q = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, sql[k], -1, &q, NULL), SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW)
            for (int i = 0; i < sqlite3_column_count(q); i++) {
                char buf[128];
                if (sqlite3_column_type(q, i) == SQLITE_FLOAT)
                    snprintf(buf, sizeof buf, "%a|", sqlite3_column_double(q, i));
                else
                    snprintf(buf, sizeof buf, "%s|", (const char *)sqlite3_column_text(q, i));
                h = th_fnv(h, buf, strlen(buf));
            }
        sqlite3_finalize(q);
    }
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM runs WHERE status = 'done'", -1,
                                    &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    *runs = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return h;
}

/* The JSON from "best" on (everything but the database's path). */
static const char *from_best(const char *json)
{
    const char *s = strstr(json, "\"best\"");
    cr_assert_not_null(s, "%s", json);
    return s;
}

Test(attack, same_search_and_result_whatever_the_number_of_workers)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char j1[16384], j2[16384];
    cr_assert_eq(th_run(j1, sizeof j1, "%s attack " FIX "wash.yaml --set emission.rate=3000 -j1 "
                                     "--json --out %s/j1.db",
                     th_bin(), dir),
                 0, "%s", j1);
    cr_assert_eq(th_run(j2, sizeof j2, "%s attack " FIX "wash.yaml --set emission.rate=3000 -j2 "
                                     "--json --out %s/j2.db",
                     th_bin(), dir),
                 0, "%s", j2);
    cr_expect_str_eq(from_best(j1), from_best(j2));
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/j1.db", dir);
    snprintf(p2, sizeof p2, "%s/j2.db", dir);
    long n1, n2;
    uint64_t d1 = db_digest(p1, &n1), d2 = db_digest(p2, &n2);
    /* The least attack (farmers.budget = 0) rides along: 2 search and 8 fresh runs. */
    cr_expect_eq(n1, (12 + 1) * 2 + 8 + 8,
                 "12 candidates and the least attack x 2 replicates + 2 x 8 fresh: %ld runs", n1);
    cr_expect_eq(n1, n2);
    cr_expect_eq(d1, d2, "every stored value is the same with -j1 and -j2");
    th_run(j1, sizeof j1, "rm -rf %s", dir);
}

Test(attack, kill_9_then_resume_equals_an_uninterrupted_search)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64], ref[128], killed[128];
    th_scratch(dir, sizeof dir, "attack-test");
    snprintf(ref, sizeof ref, "%s/ref.db", dir);
    snprintf(killed, sizeof killed, "%s/killed.db", dir);
    static char jr[16384], jk[16384];
    cr_assert_eq(th_run(jr, sizeof jr, "%s attack " FIX "poison.yaml -j2 --json --out %s", th_bin(),
                     ref),
                 0, "%s", jr);
    long n_ref;
    uint64_t d_ref = db_digest(ref, &n_ref);
    /* The same search in its own process group, killed with SIGKILL mid-way. */
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(th_bin(), th_bin(), "attack", FIX "poison.yaml", "-j2", "--quiet", "--out", killed,
              (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    th_wait_done_runs(killed, 20, 50000);
    kill(-pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the search was killed");
    long before = th_done_runs(killed);
    cr_assert(before >= 20 && before < n_ref, "killed mid-way: %ld of %ld runs", before, n_ref);
    cr_assert_eq(th_run(jk, sizeof jk, "%s attack " FIX "poison.yaml -j1 --resume --json --out %s",
                     th_bin(), killed),
                 0, "%s", jk);
    cr_expect_str_eq(from_best(jk), from_best(jr), "resumed vs uninterrupted");
    long n_k;
    cr_expect_eq(db_digest(killed, &n_k), d_ref, "stored runs equal the uninterrupted search's");
    cr_expect_eq(n_k, n_ref);
    /* Without --resume an existing search is refused. */
    cr_expect_eq(th_run(jk, sizeof jk, "%s attack " FIX "poison.yaml --quiet --out %s", th_bin(),
                     killed),
                 2, "%s", jk);
    th_run(jk, sizeof jk, "rm -rf %s", dir);
}

/* ---- the frontier and the report ----------------------------------------------------------- */

/* Budgets 300, 1500 and 6000 USD over the wash world above break-even: a larger budget
 * allows every attack a smaller one does, so the best profit cannot fall (beyond the
 * fresh replicates' noise: each mean must stay below the next one's upper bound), and
 * every best attack keeps its search spend within its budget (the fresh spend within 20%:
 * 4 fresh replicates of a spend whose sd is a few %). */
Test(attack, frontier_profit_grows_with_the_budget_and_respects_it)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char json[32768];
    cr_assert_eq(th_run(json, sizeof json, "%s attack " FIX "report-base.yaml --frontier "
                                        "300,1500,6000 -j2 --json --out %s/f.db --plot "
                                        "%s/f.png",
                     th_bin(), dir, dir),
                 0, "%s", json);
    const char *f = strstr(json, "\"frontier\"");
    cr_assert_not_null(f, "%s", json);
    double prev_mean = -INFINITY, top = -INFINITY, top_budget = NAN;
    const double budgets[] = {300, 1500, 6000};
    for (int i = 0; i < 3; i++) {
        char key[64];
        snprintf(key, sizeof key, "{\"budget\": %g,", budgets[i]);
        const char *e = strstr(f, key);
        cr_assert_not_null(e, "budget %g in the frontier: %s", budgets[i], f);
        double mean = jnum(e, NULL, "mean"), hi = jnum(e, NULL, "ci_high");
        double spend = jnum(e, NULL, "spend");
        cr_log_info("budget %g: profit %g (<= %g), spend %g", budgets[i], mean, hi, spend);
        cr_expect(spend <= 1.2 * budgets[i], "budget %g: spend %g", budgets[i], spend);
        cr_expect(prev_mean <= hi, "budget %g: best profit %g fell below the smaller "
                                   "budget's %g",
                  budgets[i], hi, prev_mean);
        prev_mean = mean;
        if (mean > top)
            top = mean, top_budget = budgets[i];
    }
    /* `best` is the best of the frontier, not its first budget. */
    cr_expect_eq(jnum(json, "\"best\"", "budget"), top_budget, "best: %.300s", strstr(json, "\"best\""));
    cr_expect_eq(jnum(json, "\"best\"", "mean"), top);
    char png[128];
    snprintf(png, sizeof png, "%s/f.png", dir);
    cr_expect(access(png, F_OK) == 0 || !strstr(json, "\"plot\""), "the frontier picture");
    th_run(json, sizeof json, "rm -rf %s", dir);
}

/* A break frontier no budget of which breaks the criterion (budgets below the cheapest
 * poisoner's spend) still draws its picture, saying so, and the script runs from another
 * folder: gnuplot refused an all-empty plot ("x range is invalid") and the study lost its
 * figure. */
Test(attack, a_frontier_with_nothing_found_still_draws_and_says_so)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char out[32768];
    cr_assert_eq(th_run(out, sizeof out, "%s attack " FIX "poison.yaml --frontier 0.001,0.01 "
                                      "--max-evals 2 --replicates 1 --set world.horizon=10 "
                                      "--quiet --out %s/n.db --plot %s/n.png",
                     th_bin(), dir, dir),
                 0, "%s", out);
    char path[128];
    snprintf(path, sizeof path, "%s/n.png", dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "no frontier picture: %s", out);
    cr_expect_gt(st.st_size, 1000);
    th_run(out, sizeof out, "grep -c 'no budget broke it' %s/n.gp", dir);
    cr_expect_eq(atoi(out), 1, "the title says nothing broke it");
    th_run(out, sizeof out, "grep '^plot' %s/n.gp", dir);
    cr_expect(strstr(out, "none found") && !strstr(out, "best attack"), "%s", out);
    cr_expect_eq(th_run(out, sizeof out, "rm %s/n.png && cd / && gnuplot %s/n.gp && test -s %s/n.png",
                     dir, dir, dir),
                 0, "the script from another folder: %s", out);
    th_run(out, sizeof out, "rm -rf %s", dir);
}

/* Under the emission gate (emission <= 1 x external fees, wash fees excluded) the model
 * pool returns at most e = split.model x 1 = 0.2 TKN per TKN of fee, below e* = 0.43: no
 * wash attack can pay, so the report's cost-of-attack section shows the status quo's
 * profitable attack beside "none" (budget 0) under the proposal. */
Test(attack, report_shows_the_cost_of_attack_side_by_side)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    char args[512], path[128];
    snprintf(args, sizeof args, "--baseline " FIX "report-base.yaml --proposal " FIX
             "report-gate.yaml --replicates 2 --out %s/rep", dir);
    free(th_report_cli(dir, args));
    snprintf(path, sizeof path, "%s/rep/report.md", dir);
    char *out = th_slurp(path, NULL);
    cr_assert_not_null(out, "%s", path);
    const char *sec = strstr(out, "## Cost of attack");
    cr_assert_not_null(sec, "the report has the section");
    const char *row = strstr(sec, "| 100000 |");
    cr_assert_not_null(row, "%s", sec);
    const char *gate = strstr(row, "farmers.budget = 0");
    cr_expect(gate && strstr(row, "| 0 [0, 0]"), "no attack pays under the gate: %.400s", row);
    free(out);
    th_sh("rm -rf %s", dir);
}

/* Budgets are independent searches: shards 1/2 and 2/2 merged with `crucible merge` and
 * read back with --resume give the same frontier as the whole search, computing nothing. */
Test(attack, frontier_shards_merged_equal_the_whole_frontier)
{
    alarm(300); /* time limit (see tests/README.md) */
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    static char whole[32768], merged[32768], out[4096];
    const char *args = FIX "report-base.yaml --frontier 300,6000 -j2 --json";
    cr_assert_eq(th_run(whole, sizeof whole, "%s attack %s --out %s/whole.db --plot %s/w.png",
                     th_bin(), args, dir, dir),
                 0, "%s", whole);
    for (int k = 1; k <= 2; k++) {
        cr_assert_eq(th_run(out, sizeof out, "%s attack %s --shard %d/2 --out %s/s%d.db --plot "
                                          "%s/s%d.png",
                         th_bin(), args, k, dir, k, dir, k),
                     0, "%s", out);
        /* A shard's `best` is one of its own budgets (shard 2/2 searches only 6000). */
        cr_expect_eq(jnum(out, "\"best\"", "budget"), k == 1 ? 300 : 6000, "shard %d: %.300s", k,
                     out);
    }
    cr_assert_eq(th_run(out, sizeof out, "%s merge %s/merged.db %s/s1.db %s/s2.db", th_bin(), dir, dir,
                     dir),
                 0, "%s", out);
    cr_assert_eq(th_run(merged, sizeof merged, "%s attack %s --resume --out %s/merged.db --plot "
                                            "%s/m.png",
                     th_bin(), args, dir, dir),
                 0, "%s", merged);
    const char *fw = strstr(whole, "\"frontier\""), *fm = strstr(merged, "\"frontier\"");
    cr_assert(fw && fm, "%s\n%s", whole, merged);
    /* Equal up to the picture's path at the end. */
    size_t n = strcspn(fw, "\n");
    const char *pw = strstr(fw, "\"plot\""), *pm = strstr(fm, "\"plot\"");
    if (pw && pm)
        n = (size_t)(pw - fw);
    cr_expect_eq(strncmp(fw, fm, n), 0, "whole: %s\nmerged: %s", fw, fm);
    cr_expect(strstr(merged, "\"runs\": "), "%s", merged);
    th_run(out, sizeof out, "rm -rf %s", dir);
}

/* ---- the start day ----------------------------------------------------------------------- */

/* tests/fixtures/attack/wash-start.yaml: no farmers until the attack starts (day 40 or
 * 41, the block's start range); from then on farmers enter at the candidate's rate.
 * Every stored run (search, fresh and the least attack) has its start day in the points
 * table; none has a wash query on a day before it, and every one has some after (at
 * 0.5 to 2 entries/day for 49 days, P(no entry) < e^-24). */
Test(attack, start_day_in_range_is_honoured)
{
    char dir[64], out[16384], db[128];
    th_scratch(dir, sizeof dir, "attack-test");
    snprintf(db, sizeof db, "%s/start.db", dir);
    int st = th_run(out, sizeof out, "%s attack " FIX "wash-start.yaml -j2 --json --out %s", th_bin(),
                 db);
    cr_assert_eq(st, 0, "%s", out);
    double days = jnum(out, "\"best\"", "attack.start");
    cr_expect(days == 40 || days == 41, "best start day %g within [40, 41]: %s", days, out);
    double runs = th_db_value(db, "SELECT count(*) FROM runs WHERE status = 'done'");
    double before = th_db_value(
        db, "SELECT count(*) FROM metrics m JOIN runs r ON r.id = m.run JOIN points p ON "
            "p.point = r.point AND p.path = 'attack.start' WHERE m.name = 'wash_queries' AND "
            "m.value > 0 AND m.t < p.value");
    double starts_out = th_db_value(db, "SELECT count(*) FROM points WHERE path = 'attack.start' "
                                     "AND (value < 40 OR value > 41)");
    double washing = th_db_value(
        db, "SELECT count(DISTINCT r.id) FROM metrics m JOIN runs r ON r.id = m.run JOIN points "
            "p ON p.point = r.point AND p.path = 'attack.start' WHERE m.name = 'wash_queries' "
            "AND m.value > 0 AND m.t >= p.value");
    cr_expect(runs >= 8, "%g runs stored", runs);
    cr_expect_eq(starts_out, 0, "%g candidates start outside [40, 41]", starts_out);
    cr_expect_eq(before, 0, "%g days with wash queries before the start day", before);
    cr_expect_eq(washing, runs, "%g of %g runs wash after the start day", washing, runs);
    th_run(out, sizeof out, "rm -rf %s", dir);
}

Test(attack, bad_start_ranges_are_refused_with_their_position)
{
    char dir[64];
    th_scratch(dir, sizeof dir, "attack-test");
    /* The block starts at line 4; wash.yaml's horizon is 90 days. */
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  start: {min: 0, max: 200}\n"
                 "  budget: 1000\n",
            "6:10", "ends after the horizon");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  start: {min: 30, max: 30}\n"
                 "  budget: 1000\n",
            "6:16", "empty range");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  start: {min: -1, max: 9}\n"
                 "  budget: 1000\n",
            "6:16", "whole number from 0");
    refused(dir, "  params:\n    farmers.budget: {min: 0, max: 20}\n  start: {from: 1, max: 9}\n"
                 "  budget: 1000\n",
            "6:11", "unknown key");
    th_run((char[256]){0}, 256, "rm -rf %s", dir);
}

/* ---- no attack as a candidate -------------------------------------------------------------- */

/* At a budget of 1 USD every wash budget of 1 USD/day or more spends about 90 USD or
 * more, so the only candidate within budget is the least attack (farmers.budget = 0),
 * which CMA-ES, starting at the centre of [0, 20], never asks: the search must still
 * report it, spending 0, and no profitable attack. */
Test(attack, least_attack_is_the_answer_when_the_budget_allows_nothing_else)
{
    char dir[64], out[16384], cwd[1024], text[2048];
    th_scratch(dir, sizeof dir, "attack-test");
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "name: tiny\nextends: %s/" FIX "wash.yaml\nattack:\n  params:\n"
             "    farmers.budget: {min: 0, max: 20, integer: true}\n  budget: 1\n"
             "  search: {method: cmaes, evaluations: 8, replicates: 2, fresh: 4, seed: 5}\n",
             cwd);
    const char *path = write_file(dir, "tiny.yaml", text);
    int st = th_run(out, sizeof out, "%s attack %s -j2 --json --out %s/tiny.db", th_bin(), path, dir);
    cr_assert_eq(st, 0, "%s", out);
    cr_expect(strstr(out, "\"found\": true"), "%s", out);
    cr_expect_eq(jnum(out, "\"best\"", "farmers.budget"), 0, "%s", out);
    double spend = jnum(out, "\"best\"", "spend");
    cr_expect(spend >= 0 && spend <= 1, "spend %g within the budget: %s", spend, out);
    cr_expect(strstr(out, "\"success\": false"), "%s", out);
    cr_expect(strstr(out, "no profitable attack found within budget 1 USD after 8 evaluations "
                          "of 2 replicates"),
              "%s", out);
    th_run(out, sizeof out, "rm -rf %s", dir);
}
