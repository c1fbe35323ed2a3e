/* test_scenario.c — scenario files: every validation error path (file:line and
 * message), extends/--set precedence, interventions and criteria, the resolved-text
 * round trip and hash, and `crucible validate` as users run it. */
#include <criterion/criterion.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario/scenario.h"

#define FIX "tests/fixtures/scenarios/"

/* ---- helpers ----------------------------------------------------------------------- */

/* A fresh temporary directory (removed by the OS's /tmp cleaning; tests fork). */
static void temp_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/crucible-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

static double num(const scenario *sc, const char *path)
{
    const param_def *d = params_find(path);
    cr_assert_not_null(d, "registry has no %s", path);
    crc_pvalue v;
    params_read(&sc->params, d, &v);
    return v.x;
}

static crc_dist dist(const scenario *sc, const char *path)
{
    const param_def *d = params_find(path);
    cr_assert_not_null(d, "registry has no %s", path);
    crc_pvalue v;
    params_read(&sc->params, d, &v);
    return v.d;
}

static double default_num(const char *path)
{
    const param_def *d = params_find(path);
    cr_assert_not_null(d, "registry has no %s", path);
    return d->def;
}

/* Loads text as a file in a temp dir, then validates (as `crucible validate` does).
 * Returns the status; *e receives the first error. */
static int check_text(const char *text, size_t len, crc_err *e)
{
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    write_text(path, text, len);
    scenario sc;
    int rc = scenario_load(&sc, path, e);
    if (rc == CRC_OK) {
        rc = scenario_validate(&sc, e);
        scenario_free(&sc);
    }
    remove(path);
    rmdir(dir);
    return rc;
}

/* ---- malformed scenarios --------------------------------------------------------- */

typedef struct bad_case {
    const char *text;
    const char *want; /* substring of the message */
    int line;         /* line it must name */
} bad_case;

static const bad_case bad_cases[] = {
    /* keys */
    {"parms: {}\n", "did you mean `params`?", 1},
    {"params:\n  emision.half_life: 200\n", "did you mean `emission.half_life`?", 2},
    {"params:\n  emission:\n    half_lfe: 200\n",
     "emission.half_lfe: unknown parameter; did you mean `emission.half_life`?", 3},
    {"params:\n  nosuch.thing.at.all: 1\n", "nosuch.thing.at.all: unknown parameter", 2},
    {"emission.half_life: 200\n", "parameters go under `params:`", 1},
    {"params:\n  emission: 5\n", "emission: this is a group of parameters", 2},
    {"params:\n  world.horizon: 100\n  world.horizon: 200\n", "duplicate key (first at line 2)",
     3},
    {"params:\n  world.horizon: 100\n  world: {horizon: 200}\n",
     "world.horizon: set twice in params (first at line 2)", 3},
    {"seed: 1\nseed: 2\n", "seed: duplicate key (first at line 1)", 2},
    {"params:\n  \"\": 1\n", "a key must be a plain name", 2},
    {"? [a, b]\n: 1\n", "a key must be a plain name, not a list", 1},
    /* types and ranges */
    {"params:\n  world.horizon: abc\n", "world.horizon: 'abc' is not a number; expected a number from 1",
     2},
    {"params:\n  world.horizon: \"365\"\n", "\"365\" is quoted", 2},
    {"params:\n  world.horizon: 0\n", "world.horizon: 0 is out of range", 2},
    {"params:\n  world.horizon: 1e999\n", "is not a number", 2},
    {"params:\n  world.datanets: 2.5\n", "not a whole number", 2},
    {"params:\n  market.enabled: maybe\n", "'maybe' is not a boolean; expected true or false", 2},
    {"params:\n  emission.schedule: halvin\n", "expected one of constant|linear", 2},
    {"params:\n  world.horizon: [1, 2]\n", "world.horizon: expected a number from 1", 2},
    {"params:\n  world.horizon: {x: 1}\n", "not a mapping", 2},
    {"params:\n  world.horizon:\n", "world.horizon: no value given", 2},
    {"params: [1, 2]\n", "params: expected a mapping", 1},
    /* distributions */
    {"params:\n  providers.quality: {dist: beta, a: -1, b: 2}\n", "a and b must be > 0", 2},
    {"params:\n  providers.quality: {dist: betta, a: 1, b: 2}\n",
     "unknown distribution 'betta'; allowed: const, uniform", 2},
    {"params:\n  providers.quality: {a: 8, b: 2}\n", "a distribution needs `dist:`", 2},
    {"params:\n  providers.quality: {dist: beta, a: 8}\n", "beta needs `b`", 2},
    {"params:\n  providers.quality: {dist: beta, a: 8, b: 2, sd: 1}\n",
     "`sd` is not an argument of beta", 2},
    {"params:\n  providers.quality:\n    dist: beta\n    a: x\n    b: 2\n",
     "beta.a: expected a number", 4},
    {"params:\n  providers.quality: beta(8)\n", "is not a distribution", 2},
    {"params:\n  providers.quality: {dist: uniform, min: 0.9, max: 0.1}\n",
     "min (0.9) must not exceed max", 2},
    {"params:\n  providers.quality: {dist: normal, mean: 5, sd: 1}\n", "mean 5 lies outside", 2},
    {"params:\n  providers.rate: {dist: gamma, shape: 0, scale: 1}\n", "shape and scale must be > 0",
     2},
    /* interventions */
    {"interventions:\n  - {at: -5, set: {fees.burn: 0.1}}\n", "at: -5 is negative", 2},
    {"interventions:\n  - {at: 400, set: {fees.burn: 0.1}}\n",
     "day 400 (setting fees.burn) is after the end of the run", 2},
    {"interventions:\n  - {at: 10}\n", "missing `set:`", 2},
    {"interventions:\n  - {set: {fees.burn: 0.1}}\n", "missing `at:`", 2},
    {"interventions:\n  - {at: soon, set: {fees.burn: 0.1}}\n", "at: expected a day", 2},
    {"interventions:\n  - {at: 10, set: {fees.brn: 0.1}}\n", "did you mean `fees.burn`?", 2},
    {"interventions:\n  - {at: 10, sett: {fees.burn: 0.1}}\n",
     "sett: unknown key; did you mean `set`?", 2},
    {"interventions:\n  - {at: 10, set: {}}\n", "set: expected a non-empty mapping", 2},
    {"interventions:\n  - {at: 10, set: {fees.burn: 7}}\n", "fees.burn: 7 is out of range", 2},
    {"interventions:\n  - {at: 10, set: {world.epoch: 2}}\n",
     "world.epoch cannot change during a run: the epochs are scheduled once", 2},
    {"interventions:\n  - {at: 0, set: {providers.honest.count: 5000}}\n",
     "providers.honest.count cannot change during a run: it is the population at t = 0; to add "
     "agents later, raise the class's entry rate",
     2},
    {"interventions: {at: 1}\n", "interventions: expected a list", 1},
    {"params:\n  world.horizon: 300\n"
     "interventions:\n  - {at: 10, set: {staking.apr: 0.2}}\n  - {at: 20, set: {fees.burn: 0.3}}\n",
     "after the changes at day 20: fee split", 5},
    /* criteria */
    {"criteria:\n  - {name: c, metric: price_usd, op: \"=>\", value: 0}\n",
     "op: '=>' is not an operator", 2},
    {"criteria:\n  - name: c\n    metric: price_usd\n    op: <=>\n    value: 0\n",
     "is not an operator", 4},
    {"criteria:\n  - {name: c, metric: price_usd, at: median, op: \"<\", value: 0}\n",
     "at: 'median' is not allowed; expected end", 2},
    {"criteria:\n  - {name: c, metric: Price-USD, op: \"<\", value: 0}\n", "is not a metric name",
     2},
    {"criteria:\n  - {name: c, metric: price_usd, op: \"<\", value: lots}\n",
     "value: expected a number", 2},
    {"criteria:\n  - {name: c, metric: price_usd, op: \"<\", value: 0}\n"
     "  - {name: c, metric: supply, op: \">\", value: 0}\n",
     "already declared at line 2", 3},
    {"criteria:\n  - {metric: price_usd, op: \"<\", value: 0}\n", "missing `name:`", 2},
    {"criteria:\n  - {name: c, metric: price_usd, op: \"<\", value: 0, when: 3}\n",
     "when: unknown key", 2},
    /* top-level scalars */
    {"seed: -1\n", "seed: expected a whole number from 0", 1},
    {"replicates: 0\n", "replicates: expected a whole number from 1 to 1000000", 1},
    {"name: [a]\n", "name: expected", 1},
    {"description: \"a\\0b\"\n", "NUL character", 1},
    {"extends: no_such_base.yaml\n", "cannot load", 1},
    /* the document itself */
    {"- a\n- b\n", "must be a YAML mapping", 1},
    {"", "the file is empty", 1},
    {"# only a comment\n", "the file is empty", 1},
    {"params: {world.horizon: [1, 2}\n", "YAML syntax error", 1},
    {"params:\n\tworld.horizon: 1\n", "YAML syntax error", 2},
    {"params:\n  world.horizon: 1\n---\nparams: {}\n", "a second YAML document", 3},
    {"name: ok\nparams: {world.horizon: 10}\n  bad: indent\n", "YAML syntax error", 3},
    {"name: caf\xff\n", "not a valid YAML text", 1},
};

Test(scenario, every_malformed_scenario_names_its_line_and_the_problem)
{
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    cr_assert_geq(n, 30);
    for (size_t i = 0; i < n; i++) {
        const bad_case *c = &bad_cases[i];
        crc_err e;
        int rc = check_text(c->text, strlen(c->text), &e);
        char buf[2200];
        crc_err_format(&e, buf, sizeof buf);
        cr_expect_eq(rc, CRC_EINPUT, "case %zu (%s): status %d, want bad input; got: %s", i,
                     c->want, rc, buf);
        cr_expect(strstr(e.msg, c->want) != NULL, "case %zu: message lacks \"%s\":\n  %s", i,
                  c->want, buf);
        cr_expect_eq(e.line, c->line, "case %zu (%s): line %d, want %d: %s", i, c->want, e.line,
                     c->line, buf);
        cr_expect_gt(e.col, 0, "case %zu: no column: %s", i, buf);
        cr_expect(strstr(e.file, "t.yaml") != NULL, "case %zu: file not named: %s", i, buf);
    }
}

Test(scenario, error_column_points_at_the_key_or_value)
{
    crc_err e;
    const char *t = "params:\n  emission:\n    half_lfe: 200\n";
    cr_assert_eq(check_text(t, strlen(t), &e), CRC_EINPUT);
    cr_expect_eq(e.line, 3);
    cr_expect_eq(e.col, 5); /* the key */
    t = "params:\n  world.horizon: abc\n";
    cr_assert_eq(check_text(t, strlen(t), &e), CRC_EINPUT);
    cr_expect_eq(e.col, 18); /* the value */
}

Test(scenario, validate_reports_every_error_not_only_the_first)
{
    const char *t = "parms: {}\n"
                    "params:\n"
                    "  world.horizon: abc\n"
                    "  fees.brn: 0.1\n"
                    "criteria:\n"
                    "  - {name: c, metric: BAD, op: \"<\", value: 0}\n";
    crc_err errs[8];
    size_t n = 0;
    scenario sc;
    int rc = scenario_load_diag(&sc, "inline.yaml", t, strlen(t), errs, 8, &n);
    cr_assert_eq(rc, CRC_EINPUT);
    cr_assert_eq(n, 4, "found %zu errors", n);
    int lines[] = {1, 3, 4, 6};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(errs[i].line, lines[i], "error %zu at line %d: %s", i, errs[i].line,
                     errs[i].msg);
    cr_expect_null(sc.interventions);
}

Test(scenario, missing_file_is_bad_input_naming_the_file)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "does_not_exist.yaml", &e), CRC_EINPUT);
    cr_expect(strstr(e.file, "does_not_exist.yaml") != NULL);
    cr_expect(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
}

Test(scenario, directory_is_not_a_scenario)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "proposals", &e), CRC_EINPUT);
    cr_expect(strstr(e.msg, "directory") != NULL, "%s", e.msg);
}

Test(scenario, unreadable_file_is_a_failure)
{
    if (geteuid() == 0)
        cr_skip_test("running as root: permissions do not stop reads");
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/locked.yaml", dir);
    write_text(path, "seed: 1\n", 8);
    chmod(path, 0);
    scenario sc;
    crc_err e;
    cr_expect_eq(scenario_load(&sc, path, &e), CRC_EFAIL);
    cr_expect(strstr(e.msg, "Permission denied") != NULL, "%s", e.msg);
    remove(path);
    rmdir(dir);
}

/* ---- extends ----------------------------------------------------------------------- */

Test(scenario, extends_cycle_is_detected)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "cycle_a.yaml", &e), CRC_EINPUT);
    cr_expect(strstr(e.msg, "cycle") != NULL, "%s", e.msg);
    cr_expect(strstr(e.msg, "cycle_a.yaml -> ") != NULL, "%s", e.msg);
    cr_expect(strstr(e.file, "cycle_b.yaml") != NULL, "%s", e.file);
    cr_expect_eq(e.line, 2);
}

Test(scenario, error_in_a_base_names_the_base_file_and_line)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "extends_bad.yaml", &e), CRC_EINPUT);
    cr_expect(strstr(e.file, "bad_base.yaml") != NULL, "%s", e.file);
    cr_expect_eq(e.line, 3);
    cr_expect(strstr(e.msg, "world.epoch") != NULL, "%s", e.msg);
}

Test(scenario, missing_base_is_reported_at_the_extends_line)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "extends_missing.yaml", &e), CRC_EINPUT);
    cr_expect(strstr(e.file, "extends_missing.yaml") != NULL, "%s", e.file);
    cr_expect_eq(e.line, 2);
    cr_expect(strstr(e.msg, "no_such_base.yaml") != NULL, "%s", e.msg);
}

Test(scenario, precedence_set_over_file_over_extends_over_defaults)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "proposals/burn.yaml", &e), CRC_OK, "%s", e.msg);
    /* defaults: neither file names world.epoch */
    cr_expect_eq(num(&sc, "world.epoch"), default_num("world.epoch"));
    /* extends: only the base names world.horizon and providers.quality */
    cr_expect_eq(num(&sc, "world.horizon"), 400);
    crc_dist q = dist(&sc, "providers.quality");
    cr_expect_eq(q.kind, DIST_BETA);
    cr_expect_eq(q.a, 8);
    cr_expect_eq(q.b, 2);
    /* the file over its base */
    cr_expect_eq(num(&sc, "fees.burn"), 0.10);
    cr_expect_eq(num(&sc, "world.datanets"), 9);
    /* seed and replicates are inherited; name and description are not */
    cr_expect_eq(sc.seed, 11);
    cr_expect_eq(sc.replicates, 4);
    cr_expect_str_eq(sc.name, "burn");
    cr_expect_null(sc.description);
    /* --set over everything, last one wins */
    cr_assert_eq(scenario_set(&sc, "fees.burn=0.3", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(num(&sc, "fees.burn"), 0.3);
    cr_assert_eq(scenario_set(&sc, " world.horizon = 30 ", &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(scenario_set(&sc, "world.horizon=31", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(num(&sc, "world.horizon"), 31);
    cr_assert_eq(scenario_set(&sc, "providers.quality={dist: beta, a: 3, b: 5}", &e), CRC_OK,
                 "%s", e.msg);
    q = dist(&sc, "providers.quality");
    cr_expect(q.kind == DIST_BETA && q.a == 3 && q.b == 5);
    cr_assert_eq(scenario_set(&sc, "providers.quality=uniform(0.2,0.4)", &e), CRC_OK, "%s",
                 e.msg);
    q = dist(&sc, "providers.quality");
    cr_expect(q.kind == DIST_UNIFORM && q.a == 0.2 && q.b == 0.4);
    scenario_free(&sc);
}

Test(scenario, chains_of_extends_resolve_relative_to_each_file)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "chain.yaml", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(num(&sc, "world.horizon"), 500);   /* chain.yaml */
    cr_expect_eq(num(&sc, "fees.burn"), 0.10);      /* proposals/burn.yaml */
    cr_expect_eq(dist(&sc, "providers.quality").a, 8); /* base.yaml */
    cr_expect_str_eq(sc.name, "chained");
    cr_expect_eq(sc.n_interventions, 4);
    scenario_free(&sc);
}

Test(scenario, interventions_are_appended_after_the_base_and_sorted_stably)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "proposals/burn.yaml", &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(sc.n_interventions, 4);
    const crc_intervention *iv = sc.interventions;
    cr_expect_eq(iv[0].t, 50);
    cr_expect_str_eq(iv[0].param->path, "market.enabled");
    cr_expect_eq(iv[0].value.x, 1);
    /* day 100: the base's change first, then the proposal's (file order at ties) */
    cr_expect_eq(iv[1].t, 100);
    cr_expect_str_eq(iv[1].param->path, "staking.apr");
    cr_expect_eq(iv[1].value.x, 0.07);
    cr_expect_eq(iv[2].t, 100);
    cr_expect_eq(iv[2].value.x, 0.2);
    cr_expect_eq(iv[3].t, 300);
    cr_expect_str_eq(iv[3].param->path, "emission.schedule");
    cr_expect_eq(iv[3].value.x, params_enum_index(iv[3].param, "linear"));
    for (size_t i = 0; i < 4; i++)
        cr_expect_gt(sc.intervention_pos[i].line, 0);
    cr_expect(strstr(sc.intervention_pos[1].file, "base.yaml") != NULL);
    cr_expect(strstr(sc.intervention_pos[2].file, "burn.yaml") != NULL);
    scenario_free(&sc);
}

Test(scenario, one_intervention_can_set_several_parameters_nested_or_dotted)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "valid.yaml", &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(sc.n_interventions, 4);
    cr_expect_eq(sc.interventions[0].t, 30);
    cr_expect_str_eq(sc.interventions[0].param->path, "emission.schedule");
    cr_expect_eq(sc.interventions[1].t, 30);
    cr_expect_str_eq(sc.interventions[1].param->path, "providers.quality");
    cr_expect_eq(sc.interventions[1].value.d.kind, DIST_BETA);
    cr_expect_eq(sc.interventions[1].value.d.a, 4);
    cr_expect_eq(sc.interventions[2].t, 180);
    cr_expect_str_eq(sc.interventions[2].param->path, "fees.burn");
    cr_expect_eq(sc.interventions[2].value.x, 0.10);
    cr_expect_eq(sc.interventions[3].t, 180);
    cr_expect_str_eq(sc.interventions[3].param->path, "fees.stakers");
    cr_expect_eq(sc.interventions[3].value.x, 0.15);
    scenario_free(&sc);
}

Test(scenario, criteria_are_parsed_and_same_name_overrides_the_base)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "proposals/burn.yaml", &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(sc.n_criteria, 3);
    const crc_criterion *c = sc.criteria;
    cr_expect_str_eq(c[0].name, "price_holds");
    cr_expect_str_eq(c[0].metric, "price_usd");
    cr_expect_eq(c[0].stat, CRIT_MIN);
    cr_expect_eq(c[0].op, CRIT_GT);
    cr_expect_eq(c[0].value, 0.002); /* the proposal's, in the base's place */
    cr_expect_str_eq(c[1].name, "supply_ok");
    cr_expect_eq(c[1].stat, CRIT_MAX);
    cr_expect_eq(c[1].op, CRIT_LT);
    cr_expect_eq(c[1].value, 1e12);
    cr_expect_str_eq(c[2].name, "farmers_lose");
    cr_expect_str_eq(c[2].metric, "roi.farmer");
    cr_expect_eq(c[2].stat, CRIT_END);
    cr_expect_eq(c[2].value, 0);
    scenario_free(&sc);
}

Test(scenario, criteria_at_defaults_to_end_and_every_op_parses)
{
    const char *t = "criteria:\n"
                    "  - {name: a, metric: m, op: \"<\", value: 1}\n"
                    "  - {name: b, metric: m, op: \"<=\", value: 1}\n"
                    "  - {name: c, metric: m, op: \">\", value: 1}\n"
                    "  - {name: d, metric: m, op: \">=\", value: 1}\n"
                    "  - {name: e, metric: m, op: \"==\", value: 1}\n"
                    "  - {name: f, metric: m, op: \"!=\", value: -2.5e-3}\n";
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load_text(&sc, "ops.yaml", t, strlen(t), &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(sc.n_criteria, 6);
    int want[] = {CRIT_LT, CRIT_LE, CRIT_GT, CRIT_GE, CRIT_EQ, CRIT_NE};
    for (int i = 0; i < 6; i++) {
        cr_expect_eq(sc.criteria[i].op, want[i]);
        cr_expect_eq(sc.criteria[i].stat, CRIT_END);
    }
    cr_expect_eq(sc.criteria[5].value, -2.5e-3);
    scenario_free(&sc);
}

/* ---- --set ------------------------------------------------------------------------- */

Test(scenario, set_errors_name_the_argument_and_what_is_allowed)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load_text(&sc, "x.yaml", "{}", 2, &e), CRC_OK);
    struct {
        const char *arg, *want;
    } cases[] = {
        {"world.horizon", "--set 'world.horizon': expected PATH=VALUE"},
        {"=3", "no parameter named"},
        {"world.horizn=3", "did you mean `world.horizon`?"},
        {"world.horizon=", "world.horizon: no value given; expected a number from 1"},
        {"world.horizon=abc", "--set 'world.horizon=abc': world.horizon: 'abc' is not a number"},
        {"world.horizon=0", "out of range"},
        {"market.enabled=maybe", "not a boolean"},
        {"emission.schedule=halvin", "expected one of constant"},
        {"providers.quality=beta(1)", "is not a distribution"},
        {"providers.quality={dist: beta, a: 0, b: 1}", "a and b must be > 0"},
        {"providers.quality={dist: beta, a: 1", "YAML syntax error"},
        {"world.horizon={dist: beta, a: 1, b: 1}", "not a mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_eq(scenario_set(&sc, cases[i].arg, &e), CRC_EINPUT, "case %zu", i);
        cr_expect(strstr(e.msg, cases[i].want) != NULL, "case %zu: \"%s\" not in: %s", i,
                  cases[i].want, e.msg);
    }
    /* a failed --set leaves the value alone */
    cr_expect_eq(num(&sc, "world.horizon"), default_num("world.horizon"));
    scenario_free(&sc);
}

Test(scenario, validate_rechecks_interventions_after_set_changes_the_horizon)
{
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load(&sc, FIX "proposals/burn.yaml", &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(scenario_set(&sc, "world.horizon=200", &e), CRC_OK);
    cr_assert_eq(scenario_validate(&sc, &e), CRC_EINPUT);
    cr_expect(strstr(e.msg, "day 300") != NULL, "%s", e.msg);
    cr_expect(strstr(e.file, "base.yaml") != NULL, "%s", e.file);
    cr_expect_eq(e.line, 14);
    scenario_free(&sc);
}

/* ---- resolved text and hash -------------------------------------------------------- */

static void expect_same_scenario(const scenario *a, const scenario *b)
{
    cr_expect_str_eq(a->name, b->name);
    cr_expect_eq(a->seed, b->seed);
    cr_expect_eq(a->replicates, b->replicates);
    cr_expect((a->description == NULL) == (b->description == NULL));
    if (a->description && b->description)
        cr_expect_str_eq(a->description, b->description);
    for (size_t i = 0; i < params_count; i++) {
        crc_pvalue x, y;
        params_read(&a->params, &params_table[i], &x);
        params_read(&b->params, &params_table[i], &y);
        cr_expect(x.x == y.x && x.d.kind == y.d.kind && x.d.a == y.d.a && x.d.b == y.d.b,
                  "%s differs", params_table[i].path);
    }
    cr_assert_eq(a->n_interventions, b->n_interventions);
    for (size_t i = 0; i < a->n_interventions; i++) {
        const crc_intervention *x = &a->interventions[i], *y = &b->interventions[i];
        cr_expect(x->t == y->t && x->param == y->param && x->value.x == y->value.x &&
                      x->value.d.kind == y->value.d.kind && x->value.d.a == y->value.d.a &&
                      x->value.d.b == y->value.d.b,
                  "intervention %zu differs", i);
    }
    cr_assert_eq(a->n_criteria, b->n_criteria);
    for (size_t i = 0; i < a->n_criteria; i++) {
        const crc_criterion *x = &a->criteria[i], *y = &b->criteria[i];
        cr_expect_str_eq(x->name, y->name);
        cr_expect_str_eq(x->metric, y->metric);
        cr_expect(x->stat == y->stat && x->op == y->op && x->value == y->value);
    }
}

Test(scenario, resolved_text_loads_back_to_the_identical_scenario)
{
    const char *files[] = {FIX "valid.yaml", FIX "proposals/burn.yaml", FIX "chain.yaml"};
    for (size_t f = 0; f < 3; f++) {
        scenario a, b;
        crc_err e;
        cr_assert_eq(scenario_load(&a, files[f], &e), CRC_OK, "%s", e.msg);
        /* awkward values: full-precision doubles, a set distribution, odd text */
        cr_assert_eq(scenario_set(&a, "fees.burn=0.30000000000000004", &e), CRC_OK, "%s",
                     e.msg);
        cr_assert_eq(scenario_set(&a, "providers.rate=gamma(2.5,0.1)", &e), CRC_OK, "%s",
                     e.msg);
        char *t1 = scenario_resolved_text(&a);
        cr_assert_not_null(t1);
        cr_assert_eq(scenario_load_text(&b, "resolved.yaml", t1, strlen(t1), &e), CRC_OK,
                     "%s:%d: %s\n%s", e.file, e.line, e.msg, t1);
        expect_same_scenario(&a, &b);
        char *t2 = scenario_resolved_text(&b);
        cr_expect_str_eq(t1, t2);
        /* every parameter appears, in registry order */
        const char *at = t1;
        for (size_t i = 0; i < params_count; i++) {
            char key[300];
            snprintf(key, sizeof key, "\n  %s: ", params_table[i].path);
            const char *hit = strstr(at, key);
            cr_expect_not_null(hit, "%s missing or out of order", params_table[i].path);
            if (hit)
                at = hit;
        }
        free(t1);
        free(t2);
        scenario_free(&a);
        scenario_free(&b);
    }
}

Test(scenario, resolved_text_escapes_awkward_names_and_descriptions)
{
    const char *t = "name: \"quote\\\" back\\\\ tab\\t\"\n"
                    "description: \"line\\nbreak \\u2028 \\x85 caf\xc3\xa9 \\x01\"\n";
    scenario a, b;
    crc_err e;
    cr_assert_eq(scenario_load_text(&a, "odd.yaml", t, strlen(t), &e), CRC_OK, "%s", e.msg);
    cr_expect_str_eq(a.name, "quote\" back\\ tab\t");
    char *t1 = scenario_resolved_text(&a);
    cr_assert_eq(scenario_load_text(&b, "r.yaml", t1, strlen(t1), &e), CRC_OK, "%s\n%s", e.msg,
                 t1);
    expect_same_scenario(&a, &b);
    free(t1);
    scenario_free(&a);
    scenario_free(&b);
}

Test(scenario, hash_is_16_hex_and_tracks_the_resolved_text)
{
    scenario a, b;
    crc_err e;
    cr_assert_eq(scenario_load(&a, FIX "proposals/burn.yaml", &e), CRC_OK);
    cr_assert_eq(scenario_load(&b, FIX "proposals/burn.yaml", &e), CRC_OK);
    char ha[17], hb[17];
    scenario_hash(&a, ha);
    scenario_hash(&b, hb);
    cr_expect_eq(strlen(ha), 16);
    cr_expect_eq(strspn(ha, "0123456789abcdef"), 16);
    cr_expect_str_eq(ha, hb);
    /* the hash is FNV-1a 64 of the resolved text */
    char *t = scenario_resolved_text(&a);
    unsigned long long h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    char want[17];
    snprintf(want, sizeof want, "%016llx", h);
    cr_expect_str_eq(ha, want);
    free(t);
    cr_assert_eq(scenario_set(&b, "fees.burn=0.11", &e), CRC_OK);
    scenario_hash(&b, hb);
    cr_expect_str_neq(ha, hb);
    scenario_free(&a);
    scenario_free(&b);
}

Test(scenario, copy_is_deep_and_free_is_idempotent)
{
    scenario a, b;
    crc_err e;
    cr_assert_eq(scenario_load(&a, FIX "valid.yaml", &e), CRC_OK, "%s", e.msg);
    cr_assert_eq(scenario_copy(&b, &a), CRC_OK);
    cr_expect_neq(a.interventions, b.interventions);
    cr_expect_neq(a.description, b.description);
    expect_same_scenario(&a, &b);
    scenario_free(&a);
    cr_expect_eq(b.n_criteria, 2); /* b survives a's release */
    cr_expect_str_eq(b.criteria[1].name, "supply_mean");
    scenario_free(&b);
    scenario_free(&b);
    scenario zero;
    memset(&zero, 0, sizeof zero);
    scenario_free(&zero);
}

Test(scenario, aliases_cannot_blow_up_or_loop)
{
    /* each level multiplies by 9: 9^9 nodes if expanded naively */
    const char *bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d {x: *c, y: *c}\n"
                       "params: &p {w1: *d, w2: *d, w3: *d, w4: *d, w5: *d, w6: *d}\n"
                       "interventions: [{at: 1, set: *p}, {at: 2, set: *p}]\n";
    scenario sc;
    crc_err e;
    cr_expect_eq(scenario_load_text(&sc, "bomb.yaml", bomb, strlen(bomb), &e), CRC_EINPUT);
    /* aliases to valid parameters are fine */
    const char *ok = "params: &p {world.horizon: 90}\n"
                     "interventions: [{at: 1, set: *p}, {at: 2, set: *p}]\n";
    cr_assert_eq(scenario_load_text(&sc, "alias.yaml", ok, strlen(ok), &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(sc.n_interventions, 2);
    scenario_free(&sc);
}

/* ---- the command line ------------------------------------------------------------------ */

/* Runs `crucible ARGS` in dir; returns the exit status, output in dir/out and dir/err. */
static int run_cli(const char *dir, const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set (run the tests with make test)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out 2>err", dir, bin, args);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "crucible did not exit normally");
    return WEXITSTATUS(st);
}

static char *slurp(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* 1 when dir holds nothing but out, err and the files we wrote. */
static int only_files(const char *dir, const char *const *names, size_t n)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s' > '%s.ls'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s.ls", dir);
    FILE *f = fopen(path, "r");
    char line[256];
    int ok = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        int known = !strcmp(line, "out") || !strcmp(line, "err");
        for (size_t i = 0; i < n; i++)
            known = known || !strcmp(line, names[i]);
        if (!known)
            ok = 0;
    }
    fclose(f);
    remove(path);
    return ok;
}

Test(scenario_cli, validate_bad_input_exits_2_names_the_line_and_writes_nothing)
{
    char dir[64], path[128];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    const char *t = "params:\n  world.horizon: 100\n  emision.half_life: 20\n";
    write_text(path, t, strlen(t));
    cr_expect_eq(run_cli(dir, "validate bad.yaml"), 2);
    const char *err = slurp(dir, "err");
    cr_expect(strstr(err, "bad.yaml:3:3: emision.half_life: unknown parameter; did you mean "
                          "`emission.half_life`?") != NULL,
              "stderr: %s", err);
    const char *names[] = {"bad.yaml"};
    cr_expect(only_files(dir, names, 1), "validate created a file");
    /* a bad --set on a good file is bad input too */
    snprintf(path, sizeof path, "%s/good.yaml", dir);
    write_text(path, "seed: 3\n", 8);
    cr_expect_eq(run_cli(dir, "validate good.yaml --set world.horizon=-1"), 2);
    err = slurp(dir, "err");
    cr_expect(strstr(err, "--set 'world.horizon=-1'") != NULL, "stderr: %s", err);
    /* an intervention after the horizon is found without running */
    snprintf(path, sizeof path, "%s/late.yaml", dir);
    t = "interventions:\n  - {at: 50, set: {fees.burn: 0.2}}\n";
    write_text(path, t, strlen(t));
    cr_expect_eq(run_cli(dir, "validate late.yaml --set world.horizon=40"), 2);
    err = slurp(dir, "err");
    cr_expect(strstr(err, "late.yaml:2:10:") != NULL, "stderr: %s", err);
    const char *names2[] = {"bad.yaml", "good.yaml", "late.yaml"};
    cr_expect(only_files(dir, names2, 3), "validate created a file");
}

Test(scenario_cli, validate_good_files_prints_ok_and_exits_0)
{
    char dir[64];
    temp_dir(dir, sizeof dir);
    char cwd[1024], args[3000];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "validate '%s/" FIX "valid.yaml' '%s/" FIX "proposals/burn.yaml' --set staking.apr=0.2",
             cwd, cwd);
    cr_expect_eq(run_cli(dir, args), 0, "stderr: %s", slurp(dir, "err"));
    const char *out = slurp(dir, "out");
    cr_expect(strstr(out, "valid.yaml: ok\n") != NULL, "stdout: %s", out);
    cr_expect(strstr(out, "burn.yaml: ok\n") != NULL, "stdout: %s", out);
    /* one bad file among good ones makes the whole call bad input */
    snprintf(args, sizeof args, "validate '%s/" FIX "valid.yaml' '%s/" FIX "cycle_a.yaml'", cwd,
             cwd);
    cr_expect_eq(run_cli(dir, args), 2);
    cr_expect_eq(run_cli(dir, "validate"), 2);
    cr_expect_eq(run_cli(dir, "validate --bogus x.yaml"), 2);
    cr_expect_eq(run_cli(dir, "validate no_such_file.yaml"), 2);
    cr_expect(strstr(slurp(dir, "err"), "no_such_file.yaml: cannot read the scenario") != NULL,
              "stderr: %s", slurp(dir, "err"));
    /* --set=PATH=VALUE is the same as --set PATH=VALUE */
    snprintf(args, sizeof args, "validate '%s/" FIX "valid.yaml' --set=world.horizon=abc", cwd);
    cr_expect_eq(run_cli(dir, args), 2);
    cr_expect(strstr(slurp(dir, "err"), "'abc' is not a number") != NULL, "stderr: %s",
              slurp(dir, "err"));
}

Test(scenario_cli, validate_resolved_prints_text_that_validates_again)
{
    char dir[64], cwd[1024], args[3000];
    temp_dir(dir, sizeof dir);
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "validate --resolved '%s/" FIX "proposals/burn.yaml'", cwd);
    cr_assert_eq(run_cli(dir, args), 0);
    const char *out = slurp(dir, "out");
    const char *text = strchr(out, '\n');
    cr_assert_not_null(text);
    char path[128];
    snprintf(path, sizeof path, "%s/resolved.yaml", dir);
    write_text(path, text + 1, strlen(text + 1));
    cr_expect_eq(run_cli(dir, "validate resolved.yaml"), 0, "%s", slurp(dir, "err"));
}

Test(scenario, every_shipped_scenario_validates)
{
    /* Shipped scenarios must keep up with the registry and the model's constraints. */
    const char *patterns[] = {"scenarios/*.yaml", "scenarios/*/*.yaml"};
    size_t checked = 0;
    for (size_t k = 0; k < 2; k++) {
        glob_t g;
        if (glob(patterns[k], 0, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            if (strstr(g.gl_pathv[i], "/sweeps/"))
                continue; /* sweep files have their own format */
            scenario sc;
            crc_err e;
            int rc = scenario_load(&sc, g.gl_pathv[i], &e);
            if (rc == CRC_OK)
                rc = scenario_validate(&sc, &e);
            cr_expect_eq(rc, CRC_OK, "%s:%d:%d: %s", e.file, e.line, e.col, e.msg);
            scenario_free(&sc);
            checked++;
        }
        globfree(&g);
    }
    if (checked == 0)
        cr_skip_test("no shipped scenarios found (run from the repository root)");
}
