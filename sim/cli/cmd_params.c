/*
 * cmd_params.c — `crucible params [WORD...] [--json|--markdown]`: the parameter reference,
 * generated from the registry (model/params.def) so it cannot drift from the code.
 * Plain text for people at a terminal, JSON for tools, Markdown for
 * docs/parameters.md (committed; `make docs` regenerates it and a test fails when it
 * is stale).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/core/dist.h"
#include "model/model.h"
#include "model/core/params.h"
#include "table.h"

/* The default of d as a scenario would write it. */
static void default_text(const crc_params *defs, const param_def *d, char *buf, size_t len)
{
    params_format(defs, d, buf, len);
}

/* Allowed values in a short form for tables. */
static void allowed_short(const param_def *d, char *buf, size_t len, int markdown)
{
    char lo[40], hi[40];
    params_format_number(d->lo, lo, sizeof lo);
    params_format_number(d->hi, hi, sizeof hi);
    switch (d->type) {
    case PT_NUM:
    case PT_INT: snprintf(buf, len, "%s to %s", lo, hi); break;
    case PT_BOOL: snprintf(buf, len, "true, false"); break;
    case PT_ENUM: {
        size_t o = 0;
        buf[0] = '\0';
        for (int i = 0;; i++) {
            char name[64];
            params_enum_name(d, i, name, sizeof name);
            if (!name[0])
                break;
            int w = snprintf(buf + o, len - o, markdown ? "%s`%s`" : "%s%s", i ? ", " : "",
                             name);
            if (w < 0 || (size_t)w >= len - o)
                break;
            o += (size_t)w;
        }
        break;
    }
    case PT_DIST: snprintf(buf, len, "any distribution, mean in [%s, %s]; draws clamped there", lo, hi); break;
    }
}

/* Writes s with '|' escaped, for a Markdown table cell. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void json_number(FILE *f, double x)
{
    char buf[40];
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    params_format_number(x, buf, sizeof buf);
    fputs(buf, f);
}

/* The words the listing is filtered by (none: every parameter). */
static char **filter_words;
static int n_filter_words;

/* Whether hay contains needle, ignoring case. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* Whether parameter i is listed: its path starts with, or its path or description
 * contains, one of the filter words. */
static int listed(size_t i)
{
    if (!n_filter_words)
        return 1;
    for (int w = 0; w < n_filter_words; w++)
        if (contains_nocase(params_table[i].path, filter_words[w]) ||
            contains_nocase(params_table[i].doc, filter_words[w]))
            return 1;
    return 0;
}

/* The first segment of a path ("emission" for "emission.split.data"). */
static size_t group_len(const char *path)
{
    const char *dot = strchr(path, '.');
    return dot ? (size_t)(dot - path) : strlen(path);
}

/* 1 when an earlier parameter has the same first segment as parameter i. */
static int group_seen_before(size_t i)
{
    size_t n = group_len(params_table[i].path);
    for (size_t j = 0; j < i; j++)
        if (listed(j) && group_len(params_table[j].path) == n &&
            !strncmp(params_table[j].path, params_table[i].path, n))
            return 1;
    return 0;
}

static int same_group(size_t i, size_t j)
{
    size_t n = group_len(params_table[i].path);
    return group_len(params_table[j].path) == n &&
           !strncmp(params_table[j].path, params_table[i].path, n);
}

static size_t n_groups(void)
{
    size_t n = 0;
    for (size_t i = 0; i < params_count; i++)
        n += listed(i) && !group_seen_before(i);
    return n;
}

static size_t n_listed(void)
{
    size_t n = 0;
    for (size_t i = 0; i < params_count; i++)
        n += (size_t)listed(i);
    return n;
}

/* Appended to the description of a parameter no intervention may set (model_fixed_param). */
#define FIXED_NOTE " Fixed during a run: no intervention may set it."

static void print_text(FILE *f, const crc_params *defs)
{
    if (n_filter_words)
        fprintf(f, "%zu of %zu scenario parameters match (crucible params --markdown for the "
                   "full guide)\n", n_listed(), params_count);
    else
        fprintf(f, "%zu scenario parameters (crucible params --markdown for the full guide)\n",
                params_count);
    for (size_t g = 0; g < params_count; g++) {
        if (!listed(g) || group_seen_before(g))
            continue;
        fprintf(f, "\n[%.*s]\n", (int)group_len(params_table[g].path), params_table[g].path);
        for (size_t i = g; i < params_count; i++) {
            if (!listed(i) || !same_group(g, i))
                continue;
            const param_def *d = &params_table[i];
            char def[128], allowed[256];
            default_text(defs, d, def, sizeof def);
            allowed_short(d, allowed, sizeof allowed, 0);
            fprintf(f, "  %-34s %-12s default %s; %s%s%s\n      %s%s\n", d->path,
                    params_type_name(d->type), def, allowed, d->unit[0] ? " " : "", d->unit,
                    d->doc, model_fixed_param(d->path) ? FIXED_NOTE : "");
        }
    }
}

static void print_json(FILE *f, const crc_params *defs)
{
    fputs("{\"parameters\": [\n", f);
    size_t left = n_listed();
    for (size_t i = 0; i < params_count; i++) {
        if (!listed(i))
            continue;
        left--;
        const param_def *d = &params_table[i];
        char def[128];
        default_text(defs, d, def, sizeof def);
        fputs("  {\"path\": ", f);
        table_json_string(f, d->path);
        fprintf(f, ", \"type\": \"%s\", \"default\": ", params_type_name(d->type));
        crc_pvalue v;
        params_read(defs, d, &v);
        switch (d->type) {
        case PT_NUM:
        case PT_INT: json_number(f, v.x); break;
        case PT_BOOL: fputs(v.x != 0 ? "true" : "false", f); break;
        case PT_ENUM:
        case PT_DIST: table_json_string(f, def); break;
        }
        if (d->type == PT_NUM || d->type == PT_INT || d->type == PT_DIST) {
            fputs(", \"min\": ", f);
            json_number(f, d->lo);
            fputs(", \"max\": ", f);
            json_number(f, d->hi);
        }
        if (d->type == PT_DIST) {
            fprintf(f, ", \"default_dist\": {\"dist\": \"%s\"", dist_kind_name(v.d.kind));
            for (int a = 0; a < dist_nargs(v.d.kind); a++) {
                fprintf(f, ", \"%s\": ", dist_arg_name(v.d.kind, a));
                json_number(f, a == 0 ? v.d.a : v.d.b);
            }
            fputs("}", f);
        }
        if (d->type == PT_ENUM) {
            fputs(", \"choices\": [", f);
            for (int c = 0;; c++) {
                char name[64];
                params_enum_name(d, c, name, sizeof name);
                if (!name[0])
                    break;
                if (c)
                    fputs(", ", f);
                table_json_string(f, name);
            }
            fputs("]", f);
        }
        fputs(", \"unit\": ", f);
        table_json_string(f, d->unit);
        fputs(", \"description\": ", f);
        table_json_string(f, d->doc);
        fprintf(f, ", \"fixed_during_run\": %s}%s\n", model_fixed_param(d->path) ? "true" : "false",
                left ? "," : "");
    }
    fputs("],\n\"distributions\": [\n", f);
    for (int k = 0; k < DIST_KIND_COUNT; k++) {
        fprintf(f, "  {\"dist\": \"%s\", \"args\": [", dist_kind_name(k));
        for (int a = 0; a < dist_nargs(k); a++)
            fprintf(f, "%s\"%s\"", a ? ", " : "", dist_arg_name(k, a));
        fprintf(f, "]}%s\n", k + 1 < DIST_KIND_COUNT ? "," : "");
    }
    fputs("]}\n", f);
}

static const char md_intro[] =
    "# Scenario parameters\n"
    "\n"
    "<!-- Generated from the parameter registry (sim/model/core/params*.def) by\n"
    "     `crucible params --markdown`. Do not edit by hand: run `make docs`. -->\n"
    "\n"
    "A scenario is a YAML file. Everything in it is optional: what it does not set keeps\n"
    "its default from the tables below. `crucible validate FILE` checks a file without\n"
    "running it and reports every error in one pass; each names file:line:column, the\n"
    "parameter, what was wrong and what is allowed. `crucible params WORD` lists only the\n"
    "parameters whose path or description holds WORD (`crucible params fees`).\n"
    "\n"
    "```yaml\n"
    "name: burn_proposal                # defaults to the file name\n"
    "description: \"Burn 10% of model fees from day 180\"\n"
    "seed: 42                           # 0 to 2^64-1; default 1\n"
    "replicates: 20                     # 1 to 1000000; default 1\n"
    "params:\n"
    "  emission:                        # nested groups...\n"
    "    half_life: 200\n"
    "  fees.burn: 0.05                  # ...or dotted paths, or both\n"
    "  providers.quality: {dist: beta, a: 8, b: 2}\n"
    "  builders.price: uniform(0.004,0.016)\n"
    "interventions:\n"
    "  - {at: 180, set: {fees.burn: 0.10}}   # the treasury takes what fee shares leave\n"
    "criteria:\n"
    "  - {name: price_holds, metric: price_usd, at: min, op: \">\", value: 0.001}\n"
    "```\n"
    "\n"
    "- **`extends: base.yaml`** starts from another scenario (the path is relative to the\n"
    "  file that names it; chains are followed, cycles are errors) and overrides only what\n"
    "  this file names. Precedence, lowest first: the defaults below, the extended\n"
    "  file(s), this file, then `--set PATH=VALUE` options on the command line (same\n"
    "  checks as the file; repeatable).\n"
    "- **`interventions:`** change parameters at a given day, from 0 to `world.horizon`:\n"
    "  `- {at: 180, set: {fees.burn: 0.10}}`. An extending file's interventions are added\n"
    "  after its base's; at equal days they apply in file order. The parameters must stay\n"
    "  consistent after each day's changes (`crucible validate` checks this). The run's\n"
    "  clock and what exists at t = 0 cannot be changed by an intervention: the tables\n"
    "  below mark those parameters \"Fixed during a run\", and `crucible validate` rejects\n"
    "  an intervention on one (to add agents later, raise an `.entry` rate or\n"
    "  `consumers.arrival`).\n"
    "- **`criteria:`** are pass/fail tests on a metric or summary value (`crucible metrics`\n"
    "  lists them; any other name is refused before a run): its final value (`at: end`, the\n"
    "  default) or its `max`, `min` or `mean` over the run, compared with `op` (one of\n"
    "  `\"<\"`, `\"<=\"`, `\">\"`, `\">=\"`, `\"==\"`, `\"!=\"`: quote them, `>` alone means something\n"
    "  else in YAML) against `value`. A criterion with the same name as one in the\n"
    "  extended file replaces it.\n"
;
/* Split in two: ISO C guarantees string literals of 4095 characters only. */
static const char md_input_rules[] =
    "- **`tranches:`** replaces the six `allocation.*` shares by a table of up to 64\n"
    "  tranches, as a YAML list or the name of a CSV file beside the scenario:\n"
    "  `- {name: team, share: 0.15, role: holder, tge: 0, cliff_months: 12,\n"
    "  vesting_months: 36, shape: linear, sell: 0.01}`. Roles: holder, reserve, liquidity,\n"
    "  market, treasury, ecosystem; shapes: linear, monthly; the shares sum to 1 and one\n"
    "  row has role liquidity. An extending file's table replaces its base's; `--set` and\n"
    "  sweeps do not reach it (docs/model.md §10, \"Genesis and allocation\").\n"
    "- **Numbers** are written plainly, in decimal: an optional sign, digits, an optional\n"
    "  fraction and exponent (`0.1`, `-2`, `1e-4`, `4.9e-324`). The same rule holds in\n"
    "  scenario files, `--set` values and sweep files, and every refusal says what to write:\n"
    "  a quoted `\"0.1\"` is text (drop the quotes); hexadecimal `0x10` and octal `0o17`\n"
    "  are refused (write `16`, `15`); a leading zero as in `010` is refused because YAML\n"
    "  1.1 reads it as octal 8 and YAML 1.2 as decimal 10 (write `10` or `8`); `inf`,\n"
    "  `.nan` and numbers beyond 1.8e308 are not numbers. Tiny numbers (subnormals, or\n"
    "  ones that round to 0) are numbers, then range-checked. A value out of range is\n"
    "  quoted with every digit that matters (`100000.0000000001 is out of range`).\n"
    "  **Booleans** are `true`/`false`. **Enums** take one of the listed names.\n"
    "- **YAML tags** follow one rule: `!!int` and `!!float` are allowed on numbers,\n"
    "  `!!str` makes a value text (like quotes), and any other tag (`!!null`, `!custom`)\n"
    "  is refused.\n"
    "- **Limits**: a file is at most 16 MiB, nested at most 64 mappings and lists deep\n"
    "  (checked while the YAML is read), with at most 100,000 interventions and as many\n"
    "  criteria. Before a run, `validate`, `run` and `sweep` estimate its memory and work\n"
    "  (about 300 bytes per agent at the largest population, ~5 M events per CPU second,\n"
    "  docs/model.md §8) and refuse a scenario that cannot fit the machine's physical\n"
    "  memory (`sweep` checks its base, as its `set:` leaves it, before the first run);\n"
    "  `validate`, `run` and `sweep` warn, with the estimate, about one that would take over\n"
    "  an hour or half the memory (`--quiet` leaves the warning out).\n"
    "- An error between parameters (e.g. fee shares that sum past 1) is reported at the\n"
    "  line of the parameter set last, naming the others involved.\n"
    "\n"
    "## Distributions\n"
    "\n"
    "A distribution parameter takes a mapping `{dist: KIND, ARG: value, ...}`, the short\n"
    "form `KIND(arg1,arg2)`, or a plain number (a constant). Each agent draws its own value\n"
    "when it enters; draws are clamped to the parameter's range, and the distribution's\n"
    "mean must lie in that range.\n"
    "\n"
    "| dist | arguments | short form |\n"
    "|---|---|---|\n";

static void print_markdown(FILE *f, const crc_params *defs)
{
    fputs(md_intro, f);
    fputs(md_input_rules, f);
    for (int k = 0; k < DIST_KIND_COUNT; k++) {
        fprintf(f, "| `%s` | ", dist_kind_name(k));
        for (int a = 0; a < dist_nargs(k); a++)
            fprintf(f, "%s`%s`", a ? ", " : "", dist_arg_name(k, a));
        fprintf(f, " | `%s(", dist_kind_name(k));
        for (int a = 0; a < dist_nargs(k); a++)
            fprintf(f, "%s%s", a ? "," : "", dist_arg_name(k, a));
        fputs(")` |\n", f);
    }
    fprintf(f, "\n## Parameters\n\n%zu parameters in %zu groups.\n", params_count, n_groups());
    for (size_t g = 0; g < params_count; g++) {
        if (group_seen_before(g))
            continue;
        fprintf(f, "\n### %.*s\n\n", (int)group_len(params_table[g].path), params_table[g].path);
        fputs("| Parameter | Type | Default | Allowed | Unit | Description |\n"
              "|---|---|---|---|---|---|\n",
              f);
        for (size_t i = g; i < params_count; i++) {
            if (!same_group(g, i))
                continue;
            const param_def *d = &params_table[i];
            char def[128], allowed[256];
            default_text(defs, d, def, sizeof def);
            allowed_short(d, allowed, sizeof allowed, 1);
            fprintf(f, "| `%s` | %s | `", d->path, params_type_name(d->type));
            md_cell(f, def);
            fputs("` | ", f);
            md_cell(f, allowed);
            fputs(" | ", f);
            md_cell(f, d->unit);
            fputs(" | ", f);
            md_cell(f, d->doc);
            if (model_fixed_param(d->path))
                md_cell(f, FIXED_NOTE);
            fputs(" |\n", f);
        }
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: crucible params [WORD...] [--json | --markdown]\n\n"
               "Prints every scenario parameter: path, type, default, allowed values, unit and\n"
               "description. --json is for tools; --markdown is docs/parameters.md (`make docs`).\n"
               "WORDs keep only the parameters whose path or description holds one of them\n"
               "(any case): `crucible params fees` lists fees.*, `crucible params burn` every\n"
               "parameter about burning.\n");
}

int cmd_params(int argc, char **argv)
{
    int mode = 0; /* 0 text, 1 json, 2 markdown */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            mode = 1;
        else if (!strcmp(argv[i], "--markdown"))
            mode = 2;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "crucible params: unknown option '%s'; see 'crucible params --help'\n",
                    argv[i]);
            return 2;
        } else {
            argv[1 + n_filter_words++] = argv[i]; /* the words, packed at the front */
        }
    }
    filter_words = argv + 1;
    if (n_filter_words && mode == 2) {
        fprintf(stderr, "crucible params: --markdown writes the whole reference; filter the "
                        "text or --json listing instead\n");
        return 2;
    }
    if (n_filter_words && !n_listed()) {
        /* near a path, its last segment or its group ("feez" -> "fees") */
        const char *words[3 * 256];
        char groups[256][48];
        size_t n = 0;
        size_t m = params_count < 256 ? params_count : 256;
        for (size_t i = 0; i < m; i++) { /* groups first: they win a tie */
            snprintf(groups[i], sizeof groups[i], "%.*s", (int)group_len(params_table[i].path),
                     params_table[i].path);
            words[n++] = groups[i];
        }
        for (size_t i = 0; i < m; i++) {
            words[n++] = params_table[i].path;
            const char *tail = strrchr(params_table[i].path, '.');
            if (tail)
                words[n++] = tail + 1;
        }
        const char *near = cli_nearest(filter_words[0], words, n);
        fprintf(stderr, "crucible params: no parameter path or description holds '%s'%s%s%s "
                        "('crucible params' lists them all)\n",
                filter_words[0], near ? "; did you mean '" : "", near ? near : "",
                near ? "'?" : "");
        return 2;
    }
    crc_params *defs = malloc(sizeof *defs);
    if (!defs) {
        fprintf(stderr, "crucible params: out of memory\n");
        return 1;
    }
    params_defaults(defs);
    if (mode == 1)
        print_json(stdout, defs);
    else if (mode == 2)
        print_markdown(stdout, defs);
    else
        print_text(stdout, defs);
    free(defs);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "crucible params: cannot write the output\n");
        return 1;
    }
    return 0;
}
