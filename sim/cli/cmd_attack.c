/*
 * cmd_attack.c — `crucible attack SCENARIO [--frontier BUDGETS] [-j N] [--out DB]
 * [--resume] [--shard K/N] [--seed S] [--replicates R] [--max-evals N] [--method M]
 * [--set p=v]... [--plot FILE.png] [--json] [--quiet]`: searches for the attacker's best
 * response within a budget (sim/attack/, docs/attack.md), or one search per budget of a
 * frontier, and prints the best attack re-evaluated on fresh replicates.
 *
 * Exit: 0 the search ran (whatever it found); 1 the database could not be written or a
 * worker failed; 2 bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack/attack.h"
#include "cli/cli.h"
#include "plot.h"
#include "sweep/sweep.h"
#include "table.h"
#include "util/ofile.h"

static void usage(FILE *f)
{
    fputs("usage: crucible attack SCENARIO [--frontier BUDGETS] [-j N] [--out DB] [--resume]\n"
          "                       [--shard K/N] [--seed S] [--replicates R] [--max-evals N]\n"
          "                       [--method cmaes|nm|cem|random] [--set path=value]...\n"
          "                       [--plot FILE.png] [--json] [--quiet]\n\n"
          "Searches for the attacker's best response: the values of the parameters the\n"
          "scenario's attack: block hands the attacker that best serve its objective\n"
          "(default: maximise attacker_profit_usd) while its measured spend\n"
          "(attack_cost_usd, mean over the replicates) stays within the budget. Every\n"
          "candidate runs on the same R replicate seeds (common random numbers); every run\n"
          "is stored in DB. The best candidate is then re-evaluated on fresh replicates the\n"
          "search never saw and reported with its 95% interval. docs/attack.md is the guide.\n\n"
          "  --frontier B     one independent search per budget (USD): a list 1000,5000,20000\n"
          "                   or a range FROM:TO:STEPS[:log]; prints the cost-of-attack table\n"
          "                   and draws it (--plot); default: the block's budget alone\n"
          "  -j, --jobs N     worker processes (default: the number of CPUs)\n"
          "  --out DB         results database (default results/<scenario>-attack.db)\n"
          "  --resume         finish a search already in DB: it replays from the start,\n"
          "                   reading stored runs instead of running them again\n"
          "  --shard K/N      search only budgets with index mod N == K-1, into their own DB;\n"
          "                   join with `crucible merge OUT.db SHARD.db...`, then rerun with\n"
          "                   --out OUT.db --resume for the table (nothing is recomputed)\n"
          "  --seed S         search seed: the optimiser and the replicate seeds\n"
          "                   (default: the block's search.seed, else the scenario's)\n"
          "  --replicates R   replicates per candidate (default: search.replicates, 4)\n"
          "  --max-evals N    candidates each search evaluates (default: search.evaluations)\n"
          "  --method M       cmaes (default), nm (Nelder-Mead with restarts), cem\n"
          "                   (cross-entropy), random (scrambled Sobol points)\n"
          "  --set p=v        override a scenario parameter (repeatable)\n"
          "  --plot FILE.png  with --frontier: the frontier picture (default: next to DB,\n"
          "                   <DB without .db>-frontier.png; also .gp and .dat)\n"
          "  --json           print the result as one JSON object on stdout: objective,\n"
          "                   evaluations, replicates, best {params, mean, ci_low, ci_high,\n"
          "                   replicates, spend, damage}, verdict; with --frontier, frontier\n"
          "                   [{budget, mean, ci_low, ci_high, params, ...}] and best\n"
          "                   the best of the budgets searched (break: the smallest that\n"
          "                   broke the criterion)\n"
          "  --quiet          no progress lines\n\n"
          "Exit status: 0 the search ran (whatever it found), 1 the database could not be\n"
          "written, 2 bad input (the scenario, its attack: block, an option).\n",
          f);
}

enum { OPT_EVALS = CLI_BATCH_OPT_END, OPT_METHOD, OPT_FRONTIER, OPT_PLOT };

/* Budgets from "a,b,c" or "from:to:steps[:log]" (malloc'd into *out). */
static int parse_budgets(const char *s, double **out, size_t *n, crc_err *err)
{
#define BUDGET_FIX "--frontier %s: expected budgets in USD above 0, as a list " \
                   "(1000,5000,20000) or a range FROM:TO:STEPS[:log] (1000:100000:6:log)"
    *out = NULL;
    *n = 0;
    if (strchr(s, ':')) {
        char *end;
        double a = strtod(s, &end), b;
        long steps;
        if (*end != ':')
            return crc_err_set(err, CRC_EINPUT, BUDGET_FIX, s);
        b = strtod(end + 1, &end);
        if (*end != ':')
            return crc_err_set(err, CRC_EINPUT, BUDGET_FIX, s);
        steps = strtol(end + 1, &end, 10);
        int logscale = !strcmp(end, ":log");
        if ((*end && !logscale) || !(a > 0) || !(b > a) || steps < 2 || steps > 1000 ||
            !isfinite(b))
            return crc_err_set(err, CRC_EINPUT, BUDGET_FIX, s);
        *out = malloc((size_t)steps * sizeof **out);
        if (!*out)
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
        for (long i = 0; i < steps; i++) {
            double t = (double)i / (double)(steps - 1);
            (*out)[i] = logscale ? exp(log(a) + t * (log(b) - log(a))) : a + t * (b - a);
            char txt[32]; /* 6 significant digits: budgets read as written */
            snprintf(txt, sizeof txt, "%.6g", (*out)[i]);
            (*out)[i] = strtod(txt, NULL);
        }
        *n = (size_t)steps;
        return CRC_OK;
    }
    size_t cap = 1;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    *out = malloc(cap * sizeof **out);
    if (!*out)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    const char *c = s;
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(c, &end);
        if (end == c || errno || !(v > 0) || !isfinite(v) || (*end && *end != ',')) {
            free(*out);
            *out = NULL;
            return crc_err_set(err, CRC_EINPUT, BUDGET_FIX, s);
        }
        (*out)[(*n)++] = v;
        if (!*end)
            break;
        c = end + 1;
    }
    return CRC_OK;
}

static void print_params(FILE *f, const atk_plan *p, const atk_result *r)
{
    for (size_t j = 0; j < atk_dim(p); j++) {
        char v[64];
        params_format_number(r->values[j], v, sizeof v);
        fprintf(f, "%s%s = %s", j ? ", " : "", atk_dim_name(p, j), v);
    }
}

static void json_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else
        fputs("null", f);
}

/* The best result across the budgets searched here (`best` of --json): for "break", the
 * smallest budget that broke the criterion (`smallest`, -1 when none), else the highest
 * fresh failure rate; otherwise the best fresh mean of the objective; ties and "nothing
 * found" go to the smallest budget searched. Without --frontier that is the one budget. */
static size_t best_of(const atk_plan *p, const atk_result *res, size_t nb, long smallest)
{
    if (p->spec.goal == ATK_BREAK && smallest >= 0)
        return (size_t)smallest;
    long best = -1;
    for (size_t b = 0; b < nb; b++) {
        const atk_result *r = &res[b];
        if (!r->searched)
            continue;
        if (best < 0) {
            best = (long)b;
            continue;
        }
        const atk_result *o = &res[best];
        double v = p->spec.goal == ATK_BREAK ? r->rate : r->mean;
        double w = p->spec.goal == ATK_BREAK ? o->rate : o->mean;
        if (p->spec.goal == ATK_MINIMIZE) {
            v = -v;
            w = -w;
        }
        int better = r->found && (!o->found || v > w || (v == w && r->budget < o->budget));
        if (better)
            best = (long)b;
    }
    return best < 0 ? 0 : (size_t)best;
}

static void json_result(FILE *f, const atk_plan *p, const atk_result *r)
{
    char verdict[1024];
    atk_verdict(p, r, verdict, sizeof verdict);
    fputs("{\"budget\": ", f);
    json_num(f, r->budget);
    fprintf(f, ", \"evaluations\": %zu, \"runs\": %zu, \"found\": %s, \"point\": %ld",
            r->evaluations, r->runs, r->found ? "true" : "false", r->found ? r->point : -1L);
    fputs(", \"params\": {", f);
    for (size_t j = 0; r->found && j < atk_dim(p); j++) {
        fprintf(f, "%s", j ? ", " : "");
        table_json_string(f, atk_dim_name(p, j));
        fputs(": ", f);
        json_num(f, r->values[j]);
    }
    fputs("}, \"mean\": ", f);
    json_num(f, r->found ? r->mean : NAN);
    fputs(", \"ci_low\": ", f);
    json_num(f, r->found ? r->ci_low : NAN);
    fputs(", \"ci_high\": ", f);
    json_num(f, r->found ? r->ci_high : NAN);
    fprintf(f, ", \"replicates\": %ld, \"search_mean\": ", r->fresh);
    json_num(f, r->found ? r->search_mean : NAN);
    fputs(", \"spend\": ", f);
    json_num(f, r->found ? r->spend : NAN);
    fputs(", \"no_attack\": {\"mean\": ", f);
    json_num(f, r->none_found && r->fresh ? r->none_mean : NAN);
    fputs(", \"spend\": ", f);
    json_num(f, r->none_found && r->fresh ? r->none_spend : NAN);
    fputc('}', f);
    if (p->spec.goal == ATK_BREAK) {
        fputs(", \"failure_rate\": ", f);
        json_num(f, r->found ? r->rate : NAN);
        fputs(", \"failure_low\": ", f);
        json_num(f, r->found ? r->rate_low : NAN);
        fputs(", \"failure_high\": ", f);
        json_num(f, r->found ? r->rate_high : NAN);
    }
    fputs(", \"damage\": {", f);
    for (int d = 0; d < ATK_N_DAMAGE; d++) {
        fprintf(f, "%s\"%s\": ", d ? ", " : "", atk_damage_names[d]);
        json_num(f, r->found ? r->damage[d] : NAN);
    }
    fprintf(f, "}, \"success\": %s, \"verdict\": ", r->success ? "true" : "false");
    table_json_string(f, verdict);
    fputc('}', f);
}

/* The frontier picture: FILE.dat, FILE.gp and the image through gnuplot, each written
 * whole or not at all (ofile; plot_render). */
static int plot_frontier(const char *png, const atk_plan *p, const atk_result *res, size_t nb,
                         crc_err *err)
{
    char gp[1024], dat[1024];
    plot_paths(png, gp, dat, sizeof gp);
    int rc;
    if ((rc = ofile_check(png, err)) || (rc = ofile_check(gp, err)) ||
        (rc = ofile_check(dat, err)))
        return rc;
    ofile gf, df;
    if ((rc = ofile_open(&gf, gp, err)))
        return rc;
    if ((rc = ofile_open(&df, dat, err))) {
        ofile_abort(&gf);
        return rc;
    }
    FILE *g = gf.f, *d = df.f;
    /* Every searched budget is a row; where nothing was found (no profitable attack, or
     * none that breaks the criterion) its values are NaN and column 2 of the "none"
     * series marks it at 0, so a frontier with nothing found still draws. */
    fprintf(d, "# budget_usd\tmean\tci_low\tci_high\tspend_usd\tnone_found");
    for (int k = 0; k < ATK_N_DAMAGE; k++)
        fprintf(d, "\t%s", atk_damage_names[k]);
    fputc('\n', d);
    double lo = INFINITY, hi = 0;
    int any_found = 0;
    for (size_t b = 0; b < nb; b++) {
        if (!res[b].searched)
            continue;
        const atk_result *r = &res[b];
        lo = fmin(lo, r->budget);
        hi = fmax(hi, r->budget);
        any_found |= r->found;
        if (r->found)
            fprintf(d, "%.17g\t%.17g\t%.17g\t%.17g\t%.17g\tNaN", r->budget, r->mean,
                    r->ci_low, r->ci_high, r->spend);
        else
            fprintf(d, "%.17g\tNaN\tNaN\tNaN\tNaN\t0", r->budget);
        for (int k = 0; k < ATK_N_DAMAGE; k++)
            fprintf(d, "\t%.17g", r->found ? r->damage[k] : NAN);
        fputc('\n', d);
    }
    if (!(hi > 0)) {
        ofile_abort(&gf);
        ofile_abort(&df);
        return crc_err_set(err, CRC_EFAIL, "no budget was searched: nothing to plot");
    }
    const char *ylabel =
        p->spec.goal == ATK_BREAK ? "cost of the cheapest breaking attack (USD)" : p->spec.metric;
    fprintf(g, "# written by crucible attack; run: gnuplot %s\n", strrchr(gp, '/') ? strrchr(gp, '/') + 1 : gp);
    plot_script_prologue(g, dat);
    fprintf(g, "set terminal pngcairo size 900,560 noenhanced\n"
               "if (exists('crucible_stdout')) { set output } else { set output here.'%s' }\n",
            strrchr(png, '/') ? strrchr(png, '/') + 1 : png);
    fprintf(g, "set title 'Cost-of-attack frontier: %s (%s)%s'\n", p->base.name, p->objective,
            any_found ? "" : p->spec.goal == ATK_BREAK
                                 ? ": no budget broke it"
                                 : ": nothing profitable at any budget");
    fprintf(g, "set xlabel 'attack budget (USD)'\nset ylabel '%s'\nset logscale x\nset grid\n"
               "set key top left\nset xrange [%.17g:%.17g]\n",
            ylabel, lo / 1.5, hi * 1.5);
    if (!any_found)
        fputs("set yrange [-1:1]\n", g);
    /* Only the series that have points: a legend line nobody can see misleads. */
    const char *found_series = "datafile using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'best "
                               "attack, 95% interval on fresh replicates', '' using 1:5 with "
                               "linespoints dt 2 title 'its spend (USD)'";
    const char *none_series = "datafile using 1:6 with points pt 6 ps 2 title 'none found "
                              "within the budget'";
    int all_found = 1;
    for (size_t b = 0; b < nb; b++)
        all_found &= !res[b].searched || res[b].found;
    fprintf(g, "plot %s%s%s\n", any_found ? found_series : "",
            any_found && !all_found ? ", " : "", all_found ? "" : none_series);
    if ((rc = ofile_commit(&df, err))) {
        ofile_abort(&gf);
        return rc;
    }
    if ((rc = ofile_commit(&gf, err)))
        return rc;
    return plot_render(png, gp, dat, err);
}

int cmd_attack(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_BATCH_LONGOPTS,
        {"max-evals", required_argument, NULL, OPT_EVALS},
        {"method", required_argument, NULL, OPT_METHOD},
        {"frontier", required_argument, NULL, OPT_FRONTIER},
        {"plot", required_argument, NULL, OPT_PLOT},
        {NULL, 0, NULL, 0},
    };
    crc_err err;
    crc_err_clear(&err);
    atk_overrides ov;
    memset(&ov, 0, sizeof ov);
    int rc = CRC_OK, frontier = 0;
    const char *out = NULL, *plot = NULL;
    double *budgets = NULL;
    size_t nb = 0;
    atk_result *res = NULL;
    atk_plan plan;
    memset(&plan, 0, sizeof plan);
    cli_batch bo;
    if (cli_batch_init(&bo, "attack", argc, 100000, &err))
        return cli_report("attack", &err);
    optind = 1;
    opterr = 0;
    int c;
    while (rc == CRC_OK && !bo.help &&
           (c = getopt_long(argc, argv, CLI_BATCH_SHORTOPTS, opts, NULL)) != -1) {
        if ((rc = cli_batch_opt(&bo, c, optarg, argv, optind, &err)) != 1)
            continue;
        rc = CRC_OK;
        switch (c) {
        case OPT_EVALS:
            rc = cli_opt_long("--max-evals", optarg, 1, 1000000, &ov.evaluations, &err);
            break;
        case OPT_METHOD:
            ov.has_method = 1;
            rc = opt_method_parse(optarg, &ov.method, &err);
            break;
        case OPT_FRONTIER:
            free(budgets);
            rc = parse_budgets(optarg, &budgets, &nb, &err);
            frontier = 1;
            break;
        case OPT_PLOT: plot = optarg; break;
        default: rc = cli_bad_option(&err, "attack", argv[optind - 1]); break;
        }
    }
    if (bo.help && rc == CRC_OK) {
        usage(stdout);
        free(budgets);
        cli_batch_free(&bo);
        return 0;
    }
    atk_exec ex = {.jobs = bo.jobs, .resume = bo.resume, .shard_k = bo.shard_k,
                   .shard_n = bo.shard_n};
    ov.has_seed = bo.has_seed;
    ov.seed = bo.seed;
    ov.replicates = bo.replicates;
    ov.n_sets = bo.n_sets;
    out = bo.out;
    int json = bo.json;
    ov.sets = bo.sets;
    if (rc == CRC_OK && optind != argc - 1)
        rc = crc_err_set(&err, CRC_EINPUT, "name one scenario file (with an attack: block); "
                                           "see 'crucible attack --help'");
    if (rc == CRC_OK)
        rc = atk_plan_init(&plan, argv[optind], &ov, &err);
    if (rc == CRC_OK && !frontier) {
        budgets = malloc(sizeof *budgets);
        if (!budgets)
            rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
        else
            budgets[nb++] = plan.spec.budget;
    }
    char outbuf[700], plotbuf[800];
    if (rc == CRC_OK && !out) {
        char stem[sizeof plan.base.name + 8];
        snprintf(stem, sizeof stem, "%s-attack", plan.base.name);
        cli_batch_default_out(&bo, stem, outbuf, sizeof outbuf);
        out = outbuf;
    }
    if (rc == CRC_OK && frontier && !plot) {
        size_t l = strlen(out);
        snprintf(plotbuf, sizeof plotbuf, "%.*s-frontier.png",
                 (int)(l > 3 && !strcmp(out + l - 3, ".db") ? l - 3 : l), out);
        plot = plotbuf;
    }
    if (rc == CRC_OK && !(res = calloc(nb, sizeof *res)))
        rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
    if (rc == CRC_OK) {
        ex.out = out;
        ex.progress = cli_batch_progress(&bo);
        rc = atk_run(&plan, budgets, nb, &ex, res, &err);
    }
    if (rc != CRC_OK) {
        int code = cli_report("attack", &err);
        atk_plan_free(&plan);
        free(budgets);
        free(res);
        cli_batch_free(&bo);
        return code;
    }
    crc_err perr;
    crc_err_clear(&perr);
    int plotted = frontier && plot_frontier(plot, &plan, res, nb, &perr) == CRC_OK;
    size_t evals = 0;
    for (size_t b = 0; b < nb; b++)
        evals += res[b].evaluations;
    long smallest = -1;
    for (size_t b = 0; b < nb; b++)
        if (res[b].searched && res[b].success && (smallest < 0 || res[b].budget < budgets[smallest]))
            smallest = (long)b;
    if (json) {
        printf("{\"scenario\": ");
        table_json_string(stdout, plan.base.name);
        printf(", \"objective\": ");
        table_json_string(stdout, plan.objective);
        printf(", \"method\": \"%s\", \"seed\": %llu, \"replicates\": %ld, \"fresh\": %ld, "
               "\"evaluations\": %zu, \"db\": ",
               opt_method_name(plan.spec.method), (unsigned long long)plan.seed, plan.replicates,
               plan.fresh, evals);
        table_json_string(stdout, out);
        printf(", \"best\": ");
        json_result(stdout, &plan, &res[best_of(&plan, res, nb, smallest)]);
        if (frontier) {
            printf(", \"frontier\": [");
            int first = 1;
            for (size_t b = 0; b < nb; b++) {
                if (!res[b].searched)
                    continue;
                printf("%s", first ? "" : ", ");
                json_result(stdout, &plan, &res[b]);
                first = 0;
            }
            printf("], \"smallest_successful_budget\": ");
            json_num(stdout, smallest >= 0 ? budgets[smallest] : NAN);
            if (plotted) {
                printf(", \"plot\": ");
                table_json_string(stdout, plot);
            }
        }
        printf("}\n");
    } else {
        printf("attack search on %s: %s; %s, %ld candidates x %ld replicates per budget, seed "
               "%llu; runs in %s\n",
               plan.base.name, plan.objective, opt_method_name(plan.spec.method),
               plan.evaluations, plan.replicates, (unsigned long long)plan.seed, out);
        for (size_t b = 0; b < nb; b++) {
            if (!res[b].searched)
                continue;
            char verdict[1024];
            atk_verdict(&plan, &res[b], verdict, sizeof verdict);
            printf("%s\n", verdict);
            if (!res[b].found)
                continue;
            printf("  best attack: ");
            print_params(stdout, &plan, &res[b]);
            printf("\n  its damage (mean of %ld fresh replicates):", res[b].fresh);
            for (int d = 0; d < ATK_N_DAMAGE; d++)
                printf(" %s %.4g", atk_damage_names[d], res[b].damage[d]);
            printf("\n  runs: %zu (%zu computed now)\n", res[b].runs, res[b].computed);
        }
        if (frontier) {
            printf("\n%-12s %-14s %-14s %-14s %-12s", "budget_usd", "mean", "ci_low", "ci_high",
                   "spend_usd");
            for (int d = 0; d < ATK_N_DAMAGE; d++)
                printf(" %-14s", atk_damage_names[d]);
            printf("\n");
            for (size_t b = 0; b < nb; b++) {
                if (!res[b].searched)
                    continue;
                if (!res[b].found) {
                    printf("%-12.6g (no feasible attack)\n", res[b].budget);
                    continue;
                }
                printf("%-12.6g %-14.6g %-14.6g %-14.6g %-12.6g", res[b].budget, res[b].mean,
                       res[b].ci_low, res[b].ci_high, res[b].spend);
                for (int d = 0; d < ATK_N_DAMAGE; d++)
                    printf(" %-14.6g", res[b].damage[d]);
                printf("\n");
            }
            if (plan.spec.goal == ATK_BREAK)
                printf(smallest >= 0 ? "smallest budget that breaks %s: %g USD\n"
                                     : "no budget of the frontier breaks %s\n",
                       plan.spec.criterion, smallest >= 0 ? budgets[smallest] : 0.0);
            if (plotted)
                printf("frontier picture: %s\n", plot);
        }
    }
    if (frontier && !plotted)
        fprintf(stderr, "crucible attack: the frontier picture was not drawn: %s\n", perr.msg);
    atk_plan_free(&plan);
    free(budgets);
    free(res);
    cli_batch_free(&bo);
    return 0;
}
