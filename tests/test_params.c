/* test_params.c — the parameter registry is well formed, its defaults are valid and
 * round-trip through text, did-you-mean works, and docs/parameters.md matches
 * `crucible params --markdown`. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/core/params.h"
#include "scenario/scenario.h"

Test(params, paths_are_unique_well_formed_and_never_also_a_group)
{
    cr_assert_gt(params_count, 0);
    for (size_t i = 0; i < params_count; i++) {
        const char *p = params_table[i].path;
        cr_expect(strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_.") == strlen(p),
                  "%s: paths use lower-case letters, digits, '_' and '.'", p);
        cr_expect(p[0] != '.' && p[strlen(p) - 1] != '.' && !strstr(p, ".."), "%s", p);
        cr_expect(!params_is_group(p), "%s is both a parameter and a group", p);
        cr_expect_eq(params_find(p), &params_table[i], "%s is registered twice", p);
        cr_expect_eq(params_index(&params_table[i]), i);
        cr_expect(params_table[i].doc && params_table[i].doc[0], "%s has no description", p);
        cr_expect_not_null(params_table[i].unit, "%s", p);
    }
}

Test(params, every_default_is_valid_and_reads_back_from_its_text)
{
    crc_params defs;
    params_defaults(&defs);
    for (size_t i = 0; i < params_count; i++) {
        const param_def *d = &params_table[i];
        crc_pvalue v, back;
        crc_err e;
        params_read(&defs, d, &v);
        cr_expect_leq(d->lo, d->hi, "%s: range is empty", d->path);
        cr_expect_eq(params_check(d, &v, &e), CRC_OK, "%s: default rejected: %s", d->path,
                     e.msg);
        char text[128];
        params_format(&defs, d, text, sizeof text);
        cr_assert_eq(params_parse(d, text, &back, &e), CRC_OK, "%s: '%s': %s", d->path, text,
                     e.msg);
        cr_expect(back.x == v.x && back.d.kind == v.d.kind && back.d.a == v.d.a &&
                      back.d.b == v.d.b,
                  "%s: '%s' reads back differently", d->path, text);
    }
}

Test(params, enum_choices_are_plain_yaml_words)
{
    static const char *const yaml_words[] = {"true", "false", "yes", "no", "on",  "off",
                                             "null", "y",     "n",   "~",  "Null"};
    for (size_t i = 0; i < params_count; i++) {
        const param_def *d = &params_table[i];
        if (d->type != PT_ENUM)
            continue;
        int n = 0;
        for (;; n++) {
            char name[64];
            params_enum_name(d, n, name, sizeof name);
            if (!name[0])
                break;
            cr_expect(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name),
                      "%s: choice '%s'", d->path, name);
            for (size_t w = 0; w < sizeof yaml_words / sizeof yaml_words[0]; w++)
                cr_expect(strcmp(name, yaml_words[w]), "%s: '%s' reads as YAML bool/null",
                          d->path, name);
            cr_expect_eq(params_enum_index(d, name), n);
        }
        cr_expect_gt(n, 0, "%s has no choices", d->path);
        cr_expect_lt(d->def, n, "%s: default index out of range", d->path);
    }
}

Test(params, numbers_format_in_the_shortest_exact_form)
{
    const param_def num = {"x", PT_NUM, 0, 0, -INFINITY, INFINITY, "", NULL, "", {0, 0, 0}};
    struct {
        double x;
        const char *want;
    } cases[] = {{0.1, "0.1"}, {180, "180"}, {0.30000000000000004, "0.30000000000000004"},
                 {1e-7, "1e-07"}, {-2.5, "-2.5"}, {1e20, "1e+20"}, {365, "365"},
                 {123456789, "123456789"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        crc_pvalue v = {cases[i].x, {0, 0, 0}};
        char buf[64];
        params_format_value(&num, &v, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].want);
        cr_expect_eq(strtod(buf, NULL), cases[i].x);
    }
}

Test(params, nearest_suggests_the_intended_path)
{
    const param_def *d = params_find("emission.half_life");
    cr_assert_not_null(d);
    cr_expect_str_eq(params_nearest("emission.half_lif"), "emission.half_life");
    cr_expect_str_eq(params_nearest("emision.half_life"), "emission.half_life");
    cr_expect_str_eq(params_nearest("tokenomics.emission.half_life"), "emission.half_life");
    cr_expect_null(params_nearest("zzzzzzzzzzzzzzzzzzzz"));
    static const char *const words[] = {"params", "criteria", "interventions"};
    cr_expect_str_eq(params_nearest_word("parms", words, 3), "params");
    cr_expect_null(params_nearest_word("xyzzy", words, 3));
    cr_expect(params_is_group("emission"));
    cr_expect(!params_is_group("emission.half_life"));
    cr_expect(!params_is_group("emiss"));
}

/* The whole output of `crucible ARGS` (malloc'd). */
static char *cli_output(const char *args)
{
    const char *bin = getenv("CRUCIBLE_BIN");
    cr_assert_not_null(bin, "CRUCIBLE_BIN is not set (run the tests with make test)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s", bin, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += r;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    cr_assert_eq(pclose(p), 0, "crucible %s failed", args);
    return buf;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

Test(params, parameters_md_matches_the_registry)
{
    char *want = cli_output("params --markdown");
    char *have = read_all("docs/parameters.md");
    if (strcmp(want, have) != 0) {
        size_t i = 0;
        while (want[i] && want[i] == have[i])
            i++;
        size_t line = 1;
        for (size_t k = 0; k < i; k++)
            line += want[k] == '\n';
        cr_assert_fail("docs/parameters.md is stale (first difference at line %zu): run make docs",
                line);
    }
    free(want);
    free(have);
}

Test(params, docs_example_is_a_valid_scenario)
{
    char *md = cli_output("params --markdown");
    char *start = strstr(md, "```yaml\n");
    cr_assert_not_null(start);
    start += 8;
    char *end = strstr(start, "```");
    cr_assert_not_null(end);
    scenario sc;
    crc_err e;
    cr_assert_eq(scenario_load_text(&sc, "example.yaml", start, (size_t)(end - start), &e),
                 CRC_OK, "the documented example does not load: line %d: %s", e.line, e.msg);
    cr_expect_eq(scenario_validate(&sc, &e), CRC_OK, "%s", e.msg);
    cr_expect_eq(sc.n_interventions, 1);
    cr_expect_eq(sc.n_criteria, 1);
    scenario_free(&sc);
    free(md);
}

Test(params, json_lists_every_parameter)
{
    char *json = cli_output("params --json");
    for (size_t i = 0; i < params_count; i++) {
        char key[300];
        snprintf(key, sizeof key, "{\"path\": \"%s\", \"type\": \"%s\"", params_table[i].path,
                 params_type_name(params_table[i].type));
        cr_expect_not_null(strstr(json, key), "%s missing from --json", params_table[i].path);
    }
    free(json);
}

/* The parameters an intervention may not change (model_fixed_param) are named by path:
 * every one of the thirteen must still be a registered parameter, so a renamed one cannot
 * slip out of the check unnoticed; an ordinary parameter stays changeable. */
Test(params, every_run_fixed_parameter_is_registered)
{
    size_t fixed = 0;
    for (size_t i = 0; i < params_count; i++)
        if (model_fixed_param(params_table[i].path))
            fixed++;
    cr_expect_eq(fixed, 13, "%zu registered parameters are fixed during a run", fixed);
    cr_expect_not_null(model_fixed_param("world.epoch"));
    cr_expect_null(model_fixed_param("fees.burn"));
    cr_expect_null(model_fixed_param("no.such.param"));
}
