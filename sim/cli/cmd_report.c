/*
 * cmd_report.c — `crucible report --baseline A.yaml --proposal B.yaml [--replicates N]
 * [--seed S] [--out DIR]`: runs both scenarios with the same seeds (common random
 * numbers, so the comparison is paired by replicate) into DIR/baseline.db and
 * DIR/proposal.db through the runner (run/runner.h), then writes DIR/report.md and a
 * self-contained DIR/report.html (analysis/report.h).
 *
 * All input is checked before anything runs: a bad scenario exits 2 and runs nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attack/attack.h"
#include "cli/cli.h"
#include "model/memsink.h"
#include "model/params.h"
#include "report.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "util/version.h"

static void usage(FILE *f)
{
    fputs("usage: crucible report --baseline A.yaml --proposal B.yaml [--replicates N]\n"
          "                       [--seed S] [--out DIR] [--question TEXT]\n\n"
          "Runs the baseline and the proposal with the same seeds and replicates into\n"
          "DIR/baseline.db and DIR/proposal.db (replacing them), then writes DIR/report.md\n"
          "and a self-contained DIR/report.html (plots embedded) for a governance proposal:\n"
          "the question, what the proposal changes, key metrics with intervals, criteria\n"
          "verdicts, plots and a reproducibility block.\n\n"
          "  --replicates N  replicates of each (default: the baseline's replicates:, at\n"
          "                  least 2 so that intervals exist)\n"
          "  --seed S        base seed of both (default: the baseline's seed:)\n"
          "  --out DIR       output directory (default: report)\n"
          "  --question T    the question the report answers (default: the proposal's\n"
          "                  description:, else a generic question)\n",
          f);
}

/* Appends one change row; grows the array. */
static int add_change(report_change **rows, size_t *n, size_t *cap, const char *what,
                      const char *b, const char *p)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        report_change *nr = realloc(*rows, nc * sizeof *nr);
        if (!nr)
            return -1;
        *rows = nr;
        *cap = nc;
    }
    report_change *r = &(*rows)[(*n)++];
    snprintf(r->what, sizeof r->what, "%s", what);
    snprintf(r->base, sizeof r->base, "%s", b);
    snprintf(r->prop, sizeof r->prop, "%s", p);
    return 0;
}

/* "day T: path = value" for intervention i of sc. */
static void intervention_text(const scenario *sc, size_t i, char *what, size_t wlen,
                              char *val, size_t vlen)
{
    const crc_intervention *iv = &sc->interventions[i];
    crc_params tmp = sc->params;
    params_assign(&tmp, iv->param, &iv->value);
    params_format(&tmp, iv->param, val, vlen);
    snprintf(what, wlen, "intervention at day %g: %s", iv->t, iv->param->path);
}

static void criterion_text(const crc_criterion *c, char *buf, size_t len)
{
    static const char *const stats[] = {"end", "max", "min", "mean"};
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    snprintf(buf, len, "%s at %s %s %.6g", c->metric,
             c->stat >= 0 && c->stat < 4 ? stats[c->stat] : "?",
             c->op >= 0 && c->op < 6 ? ops[c->op] : "?", c->value);
}

/* What differs between the two resolved scenarios: parameters in registry order,
 * interventions, criteria. */
static int diff_scenarios(const scenario *a, const scenario *b, report_change **rows,
                          size_t *n)
{
    size_t cap = 0;
    *rows = NULL;
    *n = 0;
    char va[256], vb[256], what[200];
    for (size_t i = 0; i < params_count; i++) {
        const param_def *d = &params_table[i];
        params_format(&a->params, d, va, sizeof va);
        params_format(&b->params, d, vb, sizeof vb);
        if (strcmp(va, vb)) {
            char w[200];
            snprintf(w, sizeof w, "%s%s%s%s", d->path, *d->unit ? " (" : "", d->unit,
                     *d->unit ? ")" : "");
            if (add_change(rows, n, &cap, w, va, vb))
                return -1;
        }
    }
    /* Interventions: those of one side that the other lacks (same day, path, value). */
    const scenario *sides[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        const scenario *x = sides[s], *y = sides[1 - s];
        for (size_t i = 0; i < x->n_interventions; i++) {
            intervention_text(x, i, what, sizeof what, va, sizeof va);
            int found = 0;
            for (size_t j = 0; j < y->n_interventions && !found; j++) {
                char w2[200];
                intervention_text(y, j, w2, sizeof w2, vb, sizeof vb);
                found = !strcmp(what, w2) && !strcmp(va, vb);
            }
            if (!found && add_change(rows, n, &cap, what, s ? "-" : va, s ? va : "-"))
                return -1;
        }
    }
    for (int s = 0; s < 2; s++) {
        const scenario *x = sides[s], *y = sides[1 - s];
        for (size_t i = 0; i < x->n_criteria; i++) {
            criterion_text(&x->criteria[i], va, sizeof va);
            int same = 0, named = 0;
            for (size_t j = 0; j < y->n_criteria; j++)
                if (!strcmp(x->criteria[i].name, y->criteria[j].name)) {
                    named = 1;
                    criterion_text(&y->criteria[j], vb, sizeof vb);
                    same = !strcmp(va, vb);
                }
            if (same || (named && s == 1))
                continue; /* a changed criterion is listed once, from the baseline's side */
            snprintf(what, sizeof what, "criterion %s", x->criteria[i].name);
            if (named) {
                if (add_change(rows, n, &cap, what, va, vb))
                    return -1;
            } else if (add_change(rows, n, &cap, what, s ? "-" : va, s ? va : "-"))
                return -1;
        }
    }
    return 0;
}

/* Runs `reps` replicates of sc into a fresh database at path. */
static int run_side(const scenario *sc, const char *file, const char *label, const char *path,
                    uint64_t seed, long reps, crc_err *err)
{
    char tmp[1100];
    remove(path);
    snprintf(tmp, sizeof tmp, "%s-wal", path);
    remove(tmp);
    snprintf(tmp, sizeof tmp, "%s-shm", path);
    remove(tmp);
    store *db = NULL;
    int rc = store_open(&db, path, err);
    if (rc)
        return rc;
    char num[32];
    store_meta_set(db, "command", "report", NULL);
    store_meta_set(db, "scenario", file, NULL);
    snprintf(num, sizeof num, "%llu", (unsigned long long)seed);
    store_meta_set(db, "seed", num, NULL);
    snprintf(num, sizeof num, "%ld", reps);
    store_meta_set(db, "replicates", num, NULL);
    memsink m;
    memsink_init(&m, NULL);
    runner_opts ro = {0};
    int tty = isatty(STDERR_FILENO);
    size_t failed = 0;
    for (long r = 0; r < reps && !rc; r++) {
        if (tty)
            fprintf(stderr, "\rcrucible report: %s replicate %ld/%ld ", label, r + 1, reps);
        runner_info info;
        crc_err rerr;
        crc_err_clear(&rerr);
        if (runner_run(sc, seed, r, -1, &ro, &m, &info, &rerr) != CRC_OK)
            failed++;
        rc = runner_store(db, sc, &info, &m, NULL, err);
        runner_info_free(&info);
    }
    if (tty)
        fputc('\n', stderr);
    memsink_free(&m);
    if (!rc)
        rc = store_finish(db, err);
    store_close(db);
    if (!rc && failed)
        fprintf(stderr, "crucible report: %zu of %ld %s replicates failed (see runs.error in "
                        "%s); the report uses the finished ones\n", failed, reps, label, path);
    if (!rc && failed == (size_t)reps)
        rc = crc_err_set(err, CRC_EFAIL, "every %s replicate failed; see runs.error in %s",
                         label, path);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"baseline", required_argument, NULL, 'b'}, {"proposal", required_argument, NULL, 'p'},
        {"replicates", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},      {"question", required_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *fa = NULL, *fb = NULL, *dir = "report", *question = NULL;
    long reps = -1;
    unsigned long long seed = 0;
    int have_seed = 0;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "b:p:r:s:o:q:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': fa = optarg; break;
        case 'p': fb = optarg; break;
        case 'o': dir = optarg; break;
        case 'q': question = optarg; break;
        case 'r':
            errno = 0;
            reps = strtol(optarg, &end, 10);
            if (*end || errno || reps < 1 || reps > 1000000) {
                crc_err_set(&err, CRC_EINPUT, "--replicates %s: give a count from 1 to 1000000",
                            optarg);
                return cli_report(argv[0], &err);
            }
            break;
        case 's':
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (*end || errno || optarg[0] == '-') {
                crc_err_set(&err, CRC_EINPUT, "--seed %s: give an integer from 0 to 2^64-1",
                            optarg);
                return cli_report(argv[0], &err);
            }
            have_seed = 1;
            break;
        case 'h': usage(stdout); return 0;
        default:
            cli_bad_option(&err, "report", argv[optind - 1]);
            return cli_report(argv[0], &err);
        }
    }
    if (!fa || !fb || optind != argc) {
        crc_err_set(&err, CRC_EINPUT, "give --baseline A.yaml and --proposal B.yaml (and no "
                    "other arguments); see 'crucible report --help'");
        return cli_report(argv[0], &err);
    }
    scenario sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    report_change *changes = NULL;
    size_t n_changes = 0;
    int rc;
    if ((rc = scenario_load(&sa, fa, &err)) || (rc = scenario_validate(&sa, &err)) ||
        (rc = scenario_load(&sb, fb, &err)) || (rc = scenario_validate(&sb, &err)))
        goto done;
    if (!have_seed)
        seed = sa.seed;
    if (reps < 0)
        reps = sa.replicates > 2 ? sa.replicates : 2;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        rc = crc_err_set(&err, CRC_EINPUT, "--out %s: cannot create the directory: %s", dir,
                         strerror(errno));
        goto done;
    }
    if (diff_scenarios(&sa, &sb, &changes, &n_changes)) {
        rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/baseline.db", dir);
    snprintf(pb, sizeof pb, "%s/proposal.db", dir);
    if ((rc = run_side(&sa, fa, "baseline", pa, seed, reps, &err)) ||
        (rc = run_side(&sb, fb, "proposal", pb, seed, reps, &err)))
        goto done;
    int attacked; /* the cost-of-attack section (docs/attack.md), when fa declares attack: */
    if ((rc = atk_report_pair(fa, fb, dir, (int)sysconf(_SC_NPROCESSORS_ONLN), &attacked, &err)))
        goto done;

    char cmd0[4400], cmd1[4400], cmd2[4400], cmd3[4400];
    snprintf(cmd0, sizeof cmd0,
             "crucible report --baseline %s --proposal %s --replicates %ld --seed %llu --out %s",
             fa, fb, reps, seed, dir);
    snprintf(cmd1, sizeof cmd1, "crucible run %s --seed %llu --replicates %ld --out %s", fa,
             seed, reps, pa);
    snprintf(cmd2, sizeof cmd2, "crucible run %s --seed %llu --replicates %ld --out %s", fb,
             seed, reps, pb);
    snprintf(cmd3, sizeof cmd3, "crucible compare %s %s", pa, pb);
    const char *cmds[] = {"# the whole report:", cmd0,
                          "# the same runs one by one, then the comparison:", cmd1, cmd2,
                          cmd3};
    report_input in = {.dir = dir, .base_db = pa, .prop_db = pb, .base_file = fa,
                       .prop_file = fb,
                       .question = question ? question : sb.description,
                       .changes = changes, .n_changes = n_changes, .commands = cmds,
                       .n_commands = sizeof cmds / sizeof *cmds, .seed = seed,
                       .replicates = reps, .level = 0.95};
    rc = report_write(&in, &err);
    if (!rc || strstr(err.msg, "gnuplot"))
        printf("wrote %s/report.md and %s/report.html (runs in %s and %s)\n", dir, dir, pa, pb);
done:
    free(changes);
    scenario_free(&sa);
    scenario_free(&sb);
    return rc ? cli_report(argv[0], &err) : 0;
}
