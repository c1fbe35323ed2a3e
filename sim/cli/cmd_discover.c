/*
 * cmd_discover.c — `crucible discover DB`: scenario discovery on a sweep (PRIM: the box
 * of swept parameters where a criterion fails, or holds, or a metric crosses a value;
 * analysis/discover.h) and, with --safe, the safe settings of the scheme's parameters
 * with a recommendation table whose points are re-run here on fresh replicates (the one
 * part that runs the model, so it lives in the CLI layer, not in analysis).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "adb.h"
#include "cli/cli.h"
#include "discover.h"
#include "engine/rng.h"
#include "model/core/memsink.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "sweep/batch.h"
#include "table.h"
#include "util/version.h"

static void usage(FILE *f)
{
    fputs("usage: crucible discover DB (--criterion NAME [--holds] | --metric M [--stat end]\n"
          "                             --op OP --value V) [--alpha 0.05] [--min-mass 0.05]\n"
          "                             [--min-coverage 0.8] [--box I] [--boot 200] [--seed 1]\n"
          "                             [--plot PREFIX] [--format table|markdown|csv|json] [--json]\n"
          "       crucible discover DB --safe [--criteria A,B] [--target 0.95] [--level 0.95]\n"
          "                             [--scheme P,Q] [--fresh 32] [-j N] [--base SCENARIO]\n"
          "                             [--json]\n\n"
          "Scenario discovery over every swept parameter of a sweep (any design). The runs\n"
          "of interest are those where the criterion fails (--holds: holds) or where\n"
          "`stat(M) OP V` is true. PRIM peels slices of alpha of the runs off one end of one\n"
          "parameter at a time, keeping the densest box, down to --min-mass of the runs;\n"
          "the box shown is the densest on the trajectory whose coverage is >= --min-coverage\n"
          "(or box I of the trajectory), then pasted. For each restricted parameter: its\n"
          "bounds, the quasi-p-value (one-sided binomial) and the bounds' 5-95% range over\n"
          "--boot resamples of the runs (seed S). --plot writes PREFIX-trajectory.png and\n"
          "PREFIX-box.png (with their .gp and .dat).\n\n"
          "--safe: the region of the scheme's parameters (defense., emission., fees., ...;\n"
          "or --scheme) where every criterion (or --criteria) holds with a Wilson lower\n"
          "bound >= --target, pooled over the other swept parameters; a recommendation per\n"
          "margin (conservative 40%, moderate 20%, aggressive 5% of the box's width from its\n"
          "restricted edges, nearest the base scenario's setting), each re-run on --fresh\n"
          "replicates with seeds derived from the sweep seed, in -j N worker processes\n"
          "(default: the number of CPUs; the results do not depend on N). Enum and bool\n"
          "parameters are re-run and shown by their level's name. docs/analysis.md,\n"
          "'discover'.\n",
          f);
}

/* ---- fresh replicates through the runner -------------------------------------------- */

typedef struct fresh_ctx {
    scenario base;          /* a run's resolved scenario: the sweep's conditions      */
    char **paths;           /* the swept parameters                                   */
    size_t k;
    uint64_t seed;          /* the sweep seed                                         */
    size_t n_points;        /* fresh runs use points n_points + column: never swept   */
    char **criteria;
    size_t n_criteria;
    int jobs;               /* worker processes (-j)                                  */
    int *hold;              /* the column's verdicts, by replicate                    */
} fresh_ctx;

/* The summary value a worker adds to a fresh run: 1 when every criterion asked for held. */
#define FRESH_HOLD "discover.all_hold"

/* In the worker: whether every criterion asked for (or, without --criteria, every one)
 * held on the run, as the summary value FRESH_HOLD. */
static void fresh_measure(void *vctx, const batch_task *t, const runner_info *info,
                          memsink *m)
{
    const fresh_ctx *c = vctx;
    int all_hold = 1;
    for (size_t q = 0; all_hold && q < c->n_criteria; q++) {
        int seen = 0;
        for (size_t v = 0; v < info->n_criteria; v++)
            if (!strcmp(info->criteria[v].name, c->criteria[q])) {
                seen = 1;
                all_hold = info->criteria[v].passed == 1;
            }
        all_hold &= seen;
    }
    if (!c->n_criteria)
        all_hold &= info->n_failed == 0;
    crc_sink k = memsink_sink(m);
    sink_summary(&k, FRESH_HOLD, all_hold);
}

/* In this process: the verdict of task i. A run the model stops early counts as not
 * holding, not as an error. */
static int fresh_done(void *vctx, size_t i, int status, const memsink *m, crc_err *err)
{
    fresh_ctx *c = vctx;
    c->hold[i] = status == CRC_OK && memsink_summary(m, FRESH_HOLD) == 1;
    return CRC_OK;
}

/* Fresh replicates are run in chunks of this many (their scenarios are built up front). */
#define FRESH_CHUNK 256

/* discover_eval_fn: replicates 0..n-1 of a column, in c->jobs workers (sim/sweep/batch.h,
 * nothing stored); replicate i runs on seed (sweep seed, i, n_points + column), whatever
 * the number of workers. Enum and bool parameters are set by their level's name. */
static int fresh_eval(void *vctx, size_t column, const double *x, size_t n, int *hold,
                      crc_err *err)
{
    fresh_ctx *c = vctx;
    scenario *sc = calloc(FRESH_CHUNK, sizeof *sc);
    batch_task *tasks = calloc(FRESH_CHUNK, sizeof *tasks);
    int rc = sc && tasks ? CRC_OK : crc_err_set(err, CRC_ENOMEM, "out of memory");
    long seed_point = (long)(c->n_points + column);
    for (size_t from = 0; from < n && !rc; from += FRESH_CHUNK) {
        size_t m = n - from < FRESH_CHUNK ? n - from : FRESH_CHUNK, built = 0;
        for (; built < m && !rc; built++) {
            const double *xi = x + (from + built) * c->k;
            if ((rc = scenario_copy(&sc[built], &c->base))) {
                rc = crc_err_set(err, rc, "out of memory copying the scenario");
                break;
            }
            for (size_t j = 0; j < c->k && !rc; j++) {
                char set[512];
                discover_set_text(c->paths[j], xi[j], set, sizeof set);
                rc = scenario_set(&sc[built], set, err);
            }
            if (!rc)
                rc = scenario_validate(&sc[built], err);
            tasks[built] = (batch_task){.sc = &sc[built], .point = seed_point,
                                        .replicate = (long)(from + built)};
        }
        if (!rc) {
            c->hold = hold + from;
            batch_hooks h = {.measure = fresh_measure, .done = fresh_done, .ctx = c};
            rc = batch_exec(NULL, c->seed, seed_point, tasks, m, c->jobs, &h, err);
        }
        for (size_t i = 0; i < built; i++)
            scenario_free(&sc[i]);
    }
    free(sc);
    free(tasks);
    return rc;
}

/* The resolved scenario of the sweep's first finished run. */
static int load_run_scenario(const adb *d, scenario *sc, crc_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT scenario_yaml FROM runs WHERE status = 'done' AND "
                           "scenario_yaml IS NOT NULL ORDER BY id LIMIT 1", -1, &st, NULL))
        return crc_err_set(err, CRC_EINPUT, "%s: cannot read its runs table: %s", d->path,
                           sqlite3_errmsg(d->db));
    int rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        char name[600];
        snprintf(name, sizeof name, "%s (runs.scenario_yaml)", d->path);
        rc = scenario_load_text(sc, name, text, strlen(text), err);
    } else {
        rc = crc_err_set(err, CRC_EINPUT, "%s: no finished run holds its scenario, so the "
                         "recommendations cannot be re-run; use --fresh 0", d->path);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The base scenario's value of each swept parameter (NaN when unknown): from --base, else
 * from the base: path the sweep recorded in meta.sweep_yaml (relative to where the sweep
 * ran, so it may not be found). */
static void current_values(const adb *d, const char *base_path, char **paths, size_t k,
                           double *cur, char *from, size_t len)
{
    for (size_t j = 0; j < k; j++)
        cur[j] = NAN;
    snprintf(from, len, "unknown");
    char path[1024] = "";
    if (base_path) {
        snprintf(path, sizeof path, "%s", base_path);
    } else {
        char *y = adb_meta(d, "sweep_yaml");
        const char *b = y ? strstr(y, "\nbase: ") : NULL;
        if (b) {
            b += 7;
            b += *b == '"';
            size_t n = strcspn(b, "\"\n");
            snprintf(path, sizeof path, "%.*s", (int)(n < 1000 ? n : 1000), b);
        }
        free(y);
    }
    if (!path[0])
        return;
    scenario sc;
    crc_err e;
    if (scenario_load(&sc, path, &e))
        return;
    for (size_t j = 0; j < k; j++) {
        const param_def *pd = params_find(paths[j]);
        if (pd && pd->type != PT_DIST) {
            crc_pvalue v;
            params_read(&sc.params, pd, &v);
            cur[j] = v.x;
        }
    }
    snprintf(from, len, "%s", path);
    scenario_free(&sc);
}

static void json_num(double v)
{
    if (isfinite(v))
        printf("%.10g", v);
    else
        printf("null");
}

static int run_safe(const adb *d, discover_safe_opts *so, size_t n_fresh, int jobs,
                    const char *base, int fmt)
{
    crc_err err;
    crc_err_clear(&err);
    adb_points pts;
    if (adb_load_points(d, &pts, &err))
        return cli_report("discover", &err);
    double *cur = malloc(pts.n_params * sizeof *cur);
    char from[1024];
    if (!cur) {
        adb_points_free(&pts);
        crc_err_set(&err, CRC_ENOMEM, "out of memory");
        return cli_report("discover", &err);
    }
    current_values(d, base, pts.paths, pts.n_params, cur, from, sizeof from);
    so->current = cur;
    discover_safe_result r;
    int rc = discover_safe(d, so, &r, &err), have_r = rc == CRC_OK;
    if (!rc && r.found && n_fresh) {
        fresh_ctx c;
        memset(&c, 0, sizeof c);
        char *seed = adb_meta(d, "sweep_seed");
        c.seed = seed ? strtoull(seed, NULL, 10) : 0;
        free(seed);
        c.paths = r.params;
        c.k = r.k;
        c.n_points = r.n_points_x;
        c.criteria = so->criteria;
        c.n_criteria = so->n_criteria;
        c.jobs = jobs;
        if (!(rc = load_run_scenario(d, &c.base, &err))) {
            rc = discover_safe_fresh(&r, n_fresh, fresh_eval, &c, &err);
            scenario_free(&c.base);
        }
    }
    if (!rc && fmt == TABLE_JSON) {
        printf("{\"database\": ");
        table_json_string(stdout, d->path);
        printf(", \"criteria\": ");
        table_json_string(stdout, r.criteria);
        printf(", \"target\": %g, \"level\": %g, \"runs\": %zu, \"points\": %zu, "
               "\"found\": %s", so->target, so->level, r.runs, r.points,
               r.found ? "true" : "false");
        if (r.found) {
            printf(", \"box_runs\": %zu, \"box_points\": %zu, \"p\": ", r.box_runs,
                   r.box_points);
            json_num(r.p);
            printf(", \"p_lo\": ");
            json_num(r.p_lo);
            printf(", \"region\": [");
            int first = 1;
            for (size_t j = 0; j < r.k; j++) {
                if (!r.scheme[j])
                    continue;
                printf("%s{\"param\": ", first ? "" : ", ");
                first = 0;
                table_json_string(stdout, r.params[j]);
                printf(", \"lo\": ");
                json_num(r.lo[j]);
                printf(", \"hi\": ");
                json_num(r.hi[j]);
                printf(", \"restricted\": %s, \"current\": ",
                       r.lo[j] > r.min[j] || r.hi[j] < r.max[j] ? "true" : "false");
                json_num(r.current[j]);
                for (int col = 0; col < DISCOVER_COLS; col++) {
                    printf(", \"%s\": ", discover_col_names[col]);
                    json_num(r.rec[(size_t)col * r.k + j]);
                }
                printf("}");
            }
            printf("], \"fresh\": [");
            for (int col = 0; col < DISCOVER_COLS; col++) {
                printf("%s{\"column\": \"%s\", \"margin\": %g, \"replicates\": %zu, "
                       "\"pass\": %zu, \"p\": ", col ? ", " : "", discover_col_names[col],
                       discover_col_margins[col], r.fresh_n[col], r.fresh_pass[col]);
                json_num(r.fresh_n[col] ? r.fresh_p[col] : NAN);
                printf(", \"lo\": ");
                json_num(r.fresh_n[col] ? r.fresh_lo[col] : NAN);
                printf(", \"hi\": ");
                json_num(r.fresh_n[col] ? r.fresh_hi[col] : NAN);
                printf("}");
            }
            printf("]");
        } else {
            printf(", \"best_p_lo\": ");
            json_num(r.best_p_lo);
        }
        printf("}\n");
    } else if (!rc) {
        printf("%s: safe settings — every criterion of {%s} holding with P >= %g (Wilson "
               "%g%% lower bound), over %zu runs at %zu points; current values from %s.\n",
               d->path, r.criteria, so->target, 100 * so->level, r.runs, r.points, from);
        if (!r.found) {
            printf("\nNo safe region in the swept space: no box of the scheme's parameters "
                   "reaches a lower bound of %g (the best reached %.3f). Widen the sweep "
                   "towards stronger settings, or lower --target.\n", so->target, r.best_p_lo);
        } else {
            printf("\nSafe region (%zu runs at %zu points; P(all hold) = %.3f, %g%% interval "
                   "[%.3f, %.3f]):\n", r.box_runs, r.box_points, r.p, 100 * so->level, r.p_lo,
                   r.p_hi);
            for (size_t j = 0; j < r.k; j++) {
                if (!r.scheme[j])
                    continue;
                char lo[128], hi[128];
                discover_value_text(r.params[j], r.lo[j], lo, sizeof lo);
                discover_value_text(r.params[j], r.hi[j], hi, sizeof hi);
                printf("  %s in [%s, %s]%s\n", r.params[j], lo, hi,
                       r.lo[j] > r.min[j] || r.hi[j] < r.max[j] ? "" : " (the whole range)");
            }
            printf("\nRecommendations (margin from the region's restricted edges: "
                   "conservative %g, moderate %g, aggressive %g of its width)%s:\n\n",
                   discover_col_margins[0], discover_col_margins[1], discover_col_margins[2],
                   r.fresh_n[0] ? "; P on fresh replicates, seeds from the sweep seed" : "");
            table t;
            discover_safe_table(&r, &t);
            table_print(&t, stdout, fmt == TABLE_MARKDOWN ? TABLE_MARKDOWN : TABLE_TEXT);
            table_free(&t);
        }
    }
    if (have_r)
        discover_safe_free(&r);
    adb_points_free(&pts);
    free(cur);
    return rc ? cli_report("discover", &err) : 0;
}

/* ---- discovery ------------------------------------------------------------------------ */

static int write_plots(const adb *d, const discover_result *r, const char *prefix,
                       crc_err *err)
{
    char cap[1024], out[1100];
    const char *ver = adb_version(d);
    snprintf(cap, sizeof cap, "scenario %s  |  hash %s  |  crucible %s  |  %s", adb_scenario(d),
             adb_hash(d), strcmp(ver, "?") ? ver : crc_version(), d->path);
    snprintf(out, sizeof out, "%s-trajectory.png", prefix);
    int rc = discover_plot_trajectory(r, out, cap, err);
    if (!rc) {
        snprintf(out, sizeof out, "%s-box.png", prefix);
        rc = discover_plot_box(r, out, cap, err);
    }
    return rc;
}

static void print_json(const adb *d, const discover_opts *o, const discover_result *r)
{
    printf("{\"database\": ");
    table_json_string(stdout, d->path);
    printf(", \"cases\": ");
    table_json_string(stdout, r->what);
    printf(", \"runs\": %zu, \"points\": %zu, \"cases_total\": %zu, \"runs_total\": %zu, "
           "\"points_total\": %zu, \"coverage\": %.10g, \"density\": %.10g, \"mass\": %.10g, "
           "\"alpha\": %g, \"min_coverage\": %g, \"trajectory_box\": %zu, \"boot\": %zu, "
           "\"seed\": %llu,\n \"box\": ", r->box_runs, r->box_points, r->cases, r->runs,
           r->points, r->coverage, r->density, r->mass, o->alpha, o->min_coverage, r->chosen,
           r->n_boot, (unsigned long long)o->seed);
    table t;
    discover_box_table(r, &t);
    table_print(&t, stdout, TABLE_JSON);
    table_free(&t);
    printf(",\n \"trajectory\": ");
    discover_traj_table(r, &t);
    table_print(&t, stdout, TABLE_JSON);
    table_free(&t);
    printf("}\n");
}

static void print_text(const adb *d, const discover_opts *o, const discover_result *r,
                       int fmt)
{
    printf("%s: runs where %s — %zu of %zu runs (%zu points).\n", d->path, r->what, r->cases,
           r->runs, r->points);
    printf("Chosen box (trajectory box %zu, pasted; rule: %s): %zu runs at %zu points, "
           "coverage %.3f, density %.3f, mass %.3f.\n\n", r->chosen,
           o->box >= 0 ? "--box" : "the densest box with coverage >= --min-coverage",
           r->box_runs, r->box_points, r->coverage, r->density, r->mass);
    table t;
    discover_box_table(r, &t);
    if (!t.nrows)
        printf("The box restricts no parameter: the runs of interest are spread over the "
               "whole swept space.\n");
    else
        table_print(&t, stdout, (table_format)fmt);
    table_free(&t);
    if (fmt == TABLE_CSV)
        return;
    printf("\np_value: quasi-p-value (one-sided binomial: the box as dense by chance without "
           "this restriction); restricted_share and q05/q95: over %zu bootstrap resamples "
           "of the runs (seed %llu).\n\nTrajectory:\n\n", r->n_boot,
           (unsigned long long)o->seed);
    discover_traj_table(r, &t);
    table_print(&t, stdout, (table_format)fmt);
    table_free(&t);
}

int cmd_discover(int argc, char **argv)
{
    static const struct option opts[] = {
        {"criterion", required_argument, NULL, 'c'}, {"holds", no_argument, NULL, 'H'},
        {"metric", required_argument, NULL, 'm'},    {"stat", required_argument, NULL, 'S'},
        {"op", required_argument, NULL, 'o'},        {"value", required_argument, NULL, 'v'},
        {"alpha", required_argument, NULL, 'a'},     {"min-mass", required_argument, NULL, 'M'},
        {"min-coverage", required_argument, NULL, 'C'},
        {"box", required_argument, NULL, 'x'},       {"boot", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},      {"plot", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},    {"json", no_argument, NULL, 'J'},
        {"safe", no_argument, NULL, 'F'},            {"criteria", required_argument, NULL, 'q'},
        {"target", required_argument, NULL, 't'},    {"level", required_argument, NULL, 'l'},
        {"scheme", required_argument, NULL, 'k'},    {"fresh", required_argument, NULL, 'n'},
        {"base", required_argument, NULL, 'B'},      {"help", no_argument, NULL, 'h'},
        {"jobs", required_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    discover_opts o;
    discover_opts_default(&o);
    discover_safe_opts so;
    discover_safe_opts_default(&so);
    int fmt = TABLE_TEXT, safe = 0, has_value = 0;
    const char *plot = NULL, *base = NULL;
    unsigned long long num = 0;
    size_t n_fresh = 32;
    long jobs_l = 0;
    int jobs = cli_default_jobs();
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    while ((c = getopt_long(argc, argv, "hj:", opts, NULL)) != -1 && !err.code) {
        switch (c) {
        case 'c': o.criterion = optarg; break;
        case 'H': o.holds = 1; break;
        case 'm': o.metric = optarg; break;
        case 'S': cli_opt_stat(optarg, &o.stat, &err); break;
        case 'o':
            if (!strcmp(optarg, "<") || !strcmp(optarg, "<=") || !strcmp(optarg, ">") ||
                !strcmp(optarg, ">=") || !strcmp(optarg, "==") || !strcmp(optarg, "!="))
                o.op = optarg;
            else
                crc_err_set(&err, CRC_EINPUT, "--op %s: give one of < <= > >= == != (quote "
                            "it in the shell: --op '<')", optarg);
            break;
        case 'v':
            if (!cli_opt_double("--value", optarg, -HUGE_VAL, HUGE_VAL, &o.value, &err))
                has_value = 1;
            break;
        case 'a':
            if (!cli_opt_double("--alpha", optarg, 0.001, 0.49, &o.alpha, &err))
                so.alpha = o.alpha;
            break;
        case 'M':
            if (!cli_opt_double("--min-mass", optarg, 0, 0.99, &o.min_mass, &err))
                so.min_mass = o.min_mass;
            break;
        case 'C': cli_opt_double("--min-coverage", optarg, 0, 1, &o.min_coverage, &err); break;
        case 'x': cli_opt_long("--box", optarg, 0, 1000000000, &o.box, &err); break;
        case 'b':
            if (!cli_opt_ulong("--boot", optarg, 0, 100000, &num, &err))
                o.n_boot = (size_t)num;
            break;
        case 's':
            if (!cli_opt_ulong("--seed", optarg, 0, UINT64_MAX, &num, &err))
                o.seed = num;
            break;
        case 'p': plot = optarg; break;
        case 'f': cli_opt_format(optarg, &fmt, &err); break;
        case 'J': fmt = TABLE_JSON; break;
        case 'j':
            if (!cli_opt_long("-j/--jobs", optarg, 1, 4096, &jobs_l, &err))
                jobs = (int)jobs_l;
            break;
        case 'F': safe = 1; break;
        case 'q': cli_opt_names(optarg, &so.criteria, &so.n_criteria, &err); break;
        case 't': cli_opt_double("--target", optarg, 0, 0.9999, &so.target, &err); break;
        case 'l': cli_opt_level(optarg, &so.level, &err); break;
        case 'k': cli_opt_names(optarg, &so.scheme, &so.n_scheme, &err); break;
        case 'n':
            if (!cli_opt_ulong("--fresh", optarg, 0, 100000, &num, &err))
                n_fresh = (size_t)num;
            break;
        case 'B': base = optarg; break;
        case 'h':
            usage(stdout);
            goto done;
        default: cli_bad_option(&err, "discover", argv[optind - 1]);
        }
    }
    if (err.code)
        goto out;
    if (optind != argc - 1) {
        crc_err_set(&err, CRC_EINPUT, "give exactly one sweep database (got %d); see "
                    "'crucible discover --help'", argc - optind);
        goto out;
    }
    if (!safe && !!o.criterion == !!o.metric) {
        crc_err_set(&err, CRC_EINPUT, "say which runs are of interest: --criterion NAME "
                    "(where it fails; --holds: holds) or --metric M --op OP --value V");
        goto out;
    }
    if (!safe && o.metric && (!o.op || !has_value)) {
        crc_err_set(&err, CRC_EINPUT, "--metric %s needs --op and --value (e.g. --op '<' "
                    "--value 0)", o.metric);
        goto out;
    }
    adb d;
    if (adb_open(&d, argv[optind], &err))
        goto out;
    if (safe) {
        rc = run_safe(&d, &so, n_fresh, jobs, base, fmt);
        adb_close(&d);
        goto done;
    }
    discover_result r;
    if (!discover_compute(&d, &o, &r, &err)) {
        if (fmt == TABLE_JSON)
            print_json(&d, &o, &r);
        else
            print_text(&d, &o, &r, fmt);
        if (plot)
            write_plots(&d, &r, plot, &err);
        discover_free(&r);
    }
    adb_close(&d);
out:
    if (err.code)
        rc = cli_report(argv[0], &err);
done:
    adb_strings_free(so.criteria, so.n_criteria);
    adb_strings_free(so.scheme, so.n_scheme);
    return rc;
}
