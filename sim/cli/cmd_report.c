/*
 * cmd_report.c — `crucible report --baseline A.yaml --proposal B.yaml [--replicates N]
 * [--seed S] [--out DIR]`: runs both scenarios with the same seeds (common random
 * numbers, so the comparison is paired by replicate) into DIR/baseline.db and
 * DIR/proposal.db through the runner (run/runner.h), then writes DIR/report.md and a
 * self-contained DIR/report.html (analysis/report.h).
 *
 * All input is checked before anything runs: a bad scenario exits 2 and runs nothing.
 * The folder is marked incomplete while the report is made (see "the output folder").
 */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attack/attack.h"
#include "cli/cli.h"
#include "model/core/memsink.h"
#include "model/core/params.h"
#include "model/metdoc.h"
#include "report.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"
#include "util/ofile.h"
#include "util/version.h"

static void usage(FILE *f)
{
    fputs("usage: crucible report --baseline A.yaml --proposal B.yaml [--replicates N]\n"
          "                       [--seed S] [--out DIR] [--question TEXT] [--metric M,...]\n"
          "                       [--sweep DB]\n\n"
          "Runs the baseline and the proposal with the same seeds and replicates into\n"
          "DIR/baseline.db and DIR/proposal.db (replacing them), then writes DIR/report.md\n"
          "and a self-contained DIR/report.html (plots embedded) for a governance proposal:\n"
          "the bottom line (what moved beyond noise), the question, what the proposal\n"
          "changes, key metrics with intervals, criteria on both arms, plots and a\n"
          "reproducibility block; then DIR/report.pdf and DIR/summary.png (a one-image\n"
          "summary for a forum post), printed by headless Chromium. While it works, DIR/INCOMPLETE\n"
          "marks the folder (the previous report's files are removed first); a folder\n"
          "holding INCOMPLETE is not a finished report: run the same command again.\n\n"
          "  --replicates N  replicates of each (default: the baseline's replicates:, at\n"
          "                  least 2 so that intervals exist)\n"
          "  --seed S        base seed of both (default: the baseline's seed:)\n"
          "  --out DIR       output directory (default: report)\n"
          "  --question T    the question the report answers (default: the proposal's\n"
          "                  description:, else a generic question)\n"
          "  --metric M      metrics to plot against time (a comma list, or the flag\n"
          "                  repeated; up to 8); default: the key metrics that moved\n"
          "                  beyond noise\n"
          "  --sweep DB      add a Scenario discovery section from a sweep database: where\n"
          "                  each of its criteria fails (PRIM; crucible discover)\n",
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

/* ---- the output folder ----------------------------------------------------------
 * A report folder is either whole (report.md, report.html, the two databases and the
 * pictures of one report) or marked: the previous report.md and report.html are removed
 * first, then DIR/INCOMPLETE is written, then the previous databases and pictures are
 * removed; the marker goes only after the new report is in place. So a previous report
 * never sits beside new partial data as if whole. Each database is run under NAME.partial and renamed into
 * place when finished; every other file is written whole or not at all (util/ofile.h).
 * Only files of ours are replaced: anything that is not a regular file, and a
 * baseline.db or proposal.db that is not a Crucible results database, is refused before
 * anything is touched. */

/* The attack section's searches (atk_report_pair) are report databases too: a new report
 * runs them again rather than resuming a search of other scenarios. */
static const char *const db_names[] = {"baseline.db", "proposal.db", "attack-baseline.db",
                                       "attack-proposal.db"};
/* A database, its partial twin, and SQLite's files beside each. */
static const char *const db_suffixes[] = {"", "-wal", "-shm", "-journal", ".partial",
                                          ".partial-wal", ".partial-shm", ".partial-journal"};
/* Pictures, scripts and data a report draws into DIR/plots (report.c, section_plots). */
static int is_plot_file(const char *name)
{
    static const char *const stems[] = {"timeseries_", "rewards_", "flows_", "compare_"};
    static const char *const exts[] = {".png", ".gp", ".dat"};
    int stem = 0;
    for (size_t i = 0; i < sizeof stems / sizeof *stems; i++)
        stem |= !strncmp(name, stems[i], strlen(stems[i]));
    if (!stem)
        return 0;
    if (strstr(name, ".tmp-")) /* a temporary left by a killed report */
        return 1;
    size_t n = strlen(name);
    for (size_t i = 0; i < 3; i++)
        if (n > strlen(exts[i]) && !strcmp(name + n - strlen(exts[i]), exts[i]))
            return 1;
    return 0;
}

/* Temporaries of report.md, report.html and INCOMPLETE left by a killed report. */
static int is_report_temp(const char *name)
{
    static const char *const stems[] = {"report.md.tmp-", "report.html.tmp-",
                                        "INCOMPLETE.tmp-", "report.tmp-", "summary.html.tmp-",
                                        "summary.tmp-"};
    for (size_t i = 0; i < sizeof stems / sizeof *stems; i++)
        if (!strncmp(name, stems[i], strlen(stems[i])))
            return 1;
    return 0;
}

/* Applies fn to every entry of folder whose name pick accepts; an absent folder (or one
 * that is not a folder: report_plots_dir refuses it) has none. */
static int each_in(const char *folder, int (*pick)(const char *),
                   int (*fn)(const char *, crc_err *), crc_err *err)
{
    DIR *d = opendir(folder);
    if (!d)
        return CRC_OK;
    struct dirent *e;
    char path[1400];
    int rc = CRC_OK;
    while (!rc && (e = readdir(d)))
        if (pick(e->d_name)) {
            snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
            rc = fn(path, err);
        }
    closedir(d);
    return rc;
}

/* Applies fn (ofile_check or ofile_remove) to every file of a report in dir. */
static int each_file(const char *dir, int (*fn)(const char *, crc_err *), crc_err *err)
{
    static const char *const names[] = {"report.md", "report.html", "report.pdf",
                                        "summary.html", "summary.png"};
    char path[1400];
    int rc;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((rc = fn(path, err)))
            return rc;
    }
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < sizeof db_suffixes / sizeof *db_suffixes; k++) {
            snprintf(path, sizeof path, "%s/%s%s", dir, db_names[i], db_suffixes[k]);
            if ((rc = fn(path, err)))
                return rc;
        }
    char plots[1100];
    snprintf(plots, sizeof plots, "%s/plots", dir);
    if ((rc = each_in(dir, is_report_temp, fn, err)))
        return rc;
    return each_in(plots, is_plot_file, fn, err);
}

/* CRC_OK when path is absent, empty, or a Crucible results database. */
static int our_database(const char *path, crc_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return CRC_OK; /* absent; a non-file is ofile_check's to refuse */
    store *db = NULL;
    crc_err e2;
    int rc = store_open_readonly(&db, path, &e2);
    store_close(db);
    if (rc)
        return crc_err_set(err, CRC_EINPUT, "%s is not a Crucible results database; report "
                           "replaces only its own databases, so it was left untouched: move "
                           "it away or choose another --out", path);
    return CRC_OK;
}

/* Checks everything report will replace in dir (creating dir when absent), then marks
 * dir incomplete and removes the previous report's files. */
static int prepare_dir(const char *dir, const char *command, crc_err *err)
{
    struct stat st;
    if (lstat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return crc_err_set(err, CRC_EINPUT, "--out %s is not a folder (a file, a symbolic "
                               "link or a device); it was left untouched: give a folder's "
                               "real path, or a new name", dir);
    } else if (mkdir(dir, 0777) != 0)
        return ofile_fail(err, dir, errno, "creating the folder");
    char path[1200], text[5200];
    int rc = CRC_OK;
    for (size_t i = 0; i < 2 && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, db_names[i]);
        rc = our_database(path, err);
    }
    snprintf(path, sizeof path, "%s/plots", dir);
    if (!rc && lstat(path, &st) == 0 && !S_ISDIR(st.st_mode))
        rc = report_plots_dir(path, err); /* refuses it */
    snprintf(path, sizeof path, "%s/INCOMPLETE", dir);
    if (rc || (rc = ofile_check(path, err)) || (rc = each_file(dir, ofile_check, err)))
        return rc;
    /* The previous report.md and report.html go first: a kill before the marker is
     * written leaves the previous databases and pictures, each whole, and no report. */
    static const char *const reports[] = {"report.md", "report.html", "report.pdf",
                                          "summary.png"};
    char old[1200];
    for (size_t i = 0; i < sizeof reports / sizeof *reports; i++) {
        snprintf(old, sizeof old, "%s/%s", dir, reports[i]);
        if ((rc = ofile_remove(old, err)))
            return rc;
    }
    snprintf(text, sizeof text,
             "This folder holds an unfinished crucible report: it is being written, or it was\n"
             "interrupted or failed (see the command's message). Its files may be partial or\n"
             "missing. Run the same command again to finish it:\n\n    %s\n", command);
    if ((rc = ofile_put(path, text, strlen(text), err)))
        return rc;
    return each_file(dir, ofile_remove, err);
}

/* Moves a finished database from NAME.partial to NAME. */
static int place_database(const char *partial, const char *path, crc_err *err)
{
    char side[1300];
    struct stat st;
    /* store_finish folded the WAL into the file; a WAL with content would be lost. */
    snprintf(side, sizeof side, "%s-wal", partial);
    if (lstat(side, &st) == 0 && st.st_size > 0)
        return crc_err_set(err, CRC_EFAIL, "%s still has a write-ahead log (%s); run the same "
                           "command again", partial, side);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", partial);
    remove(side);
    int rc = ofile_check(path, err);
    if (rc)
        return rc;
    if (rename(partial, path) != 0)
        return ofile_fail(err, path, errno, "moving into place");
    if (ofile_sync_dir(path) != 0 && errno != EINVAL && errno != EROFS)
        return ofile_fail(err, path, errno, "syncing the folder of");
    return CRC_OK;
}

/* Runs `reps` replicates of sc into a fresh database at path. */
static int run_side(const scenario *sc, const char *file, const char *label, const char *path,
                    uint64_t seed, long reps, crc_err *err)
{
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

enum { MAX_METRICS = 8 };

/* Splits a --metric value at commas into metrics (repeated flags add up). */
static int add_metrics(const char *arg, char (*metrics)[96], size_t *n, crc_err *err)
{
    for (const char *p = arg; *p;) {
        size_t len = strcspn(p, ",");
        if (len) {
            if (*n == MAX_METRICS)
                return crc_err_set(err, CRC_EINPUT, "--metric %s: at most %d metrics (a report "
                                   "with more pictures is hard to read); choose the ones that "
                                   "matter", arg, MAX_METRICS);
            if (len >= 96)
                return crc_err_set(err, CRC_EINPUT, "--metric: '%.40s...' is not a metric name",
                                   p);
            snprintf(metrics[(*n)++], 96, "%.*s", (int)len, p);
        }
        p += len + (p[len] == ',');
    }
    return CRC_OK;
}

/* Each --metric a series the model writes (model/metdoc.h), checked before anything
 * runs: a misspelt name would otherwise surface only after both arms ran. */
static int check_metrics(char (*metrics)[96], size_t n, crc_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = metrics[i];
        const metdoc *m = strncmp(name, "final.", 6) ? metdoc_find(name) : NULL;
        if (m && !m->summary)
            continue;
        if (m || !strncmp(name, "final.", 6))
            return crc_err_set(err, CRC_EINPUT, "--metric %s: a summary value (one number per "
                               "run, shown in the key metrics table), not a series to plot "
                               "over time; give a series (`crucible metrics` lists them)",
                               name);
        char near[96];
        metdoc_nearest(name, near, sizeof near);
        return crc_err_set(err, CRC_EINPUT, "--metric %s: the model writes no metric named "
                           "'%s'%s%s%s (`crucible metrics` lists them)", name, name,
                           near[0] ? "; did you mean '" : "", near, near[0] ? "'?" : "");
    }
    return CRC_OK;
}

/* One line per stage: on a terminal it replaces the replicate bar's line; in a log
 * (stderr captured) it is a line of its own, so a long report is never silent. */
static void stage_line(void *ctx, const char *what)
{
    (void)ctx;
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\rcrucible report: %s...\033[K\n", what);
    else
        fprintf(stderr, "crucible report: %s\n", what);
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"baseline", required_argument, NULL, 'b'}, {"proposal", required_argument, NULL, 'p'},
        {"replicates", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},      {"question", required_argument, NULL, 'q'},
        {"metric", required_argument, NULL, 'm'},  {"sweep", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *fa = NULL, *fb = NULL, *dir = "report", *question = NULL, *sweep = NULL;
    char metrics[MAX_METRICS][96];
    size_t n_metrics = 0;
    long reps = -1;
    unsigned long long seed = 0;
    int have_seed = 0;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "b:p:r:s:o:q:m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': fa = optarg; break;
        case 'p': fb = optarg; break;
        case 'o': dir = optarg; break;
        case 'q': question = optarg; break;
        case 'w': sweep = optarg; break; /* docs/analysis.md, "discover" */
        case 'm':
            if (add_metrics(optarg, metrics, &n_metrics, &err))
                return cli_report(argv[0], &err);
            break;
        case 'r':
            if (cli_opt_long("--replicates", optarg, 1, 1000000, &reps, &err))
                return cli_report(argv[0], &err);
            break;
        case 's':
            if (cli_opt_ulong("--seed", optarg, 0, UINT64_MAX, &seed, &err))
                return cli_report(argv[0], &err);
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
    if (check_metrics(metrics, n_metrics, &err))
        return cli_report(argv[0], &err);
    scenario sa, sb;
    memset(&sa, 0, sizeof sa);
    memset(&sb, 0, sizeof sb);
    report_change *changes = NULL;
    size_t n_changes = 0;
    int rc;
    char dir_mark[1100] = ""; /* DIR/INCOMPLETE once the folder may hold it */
    if ((rc = scenario_load(&sa, fa, &err)) || (rc = scenario_validate(&sa, &err)) ||
        (rc = scenario_load(&sb, fb, &err)) || (rc = scenario_validate(&sb, &err)))
        goto done;
    if (!have_seed)
        seed = sa.seed;
    if (reps < 0)
        reps = sa.replicates > 2 ? sa.replicates : 2;
    if (diff_scenarios(&sa, &sb, &changes, &n_changes)) {
        rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
        goto done;
    }
    char cmd0[4400], cmd1[4400], cmd2[4400], cmd3[4400];
    snprintf(cmd0, sizeof cmd0,
             "crucible report --baseline %s --proposal %s --replicates %ld --seed %llu --out %s",
             fa, fb, reps, seed, dir);
    for (size_t i = 0; i < n_metrics; i++) {
        size_t len = strlen(cmd0);
        snprintf(cmd0 + len, sizeof cmd0 - len, "%s%s", i ? "," : " --metric ", metrics[i]);
    }
    snprintf(dir_mark, sizeof dir_mark, "%s/INCOMPLETE", dir);
    if ((rc = prepare_dir(dir, cmd0, &err)))
        goto done;
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/baseline.db", dir);
    snprintf(pb, sizeof pb, "%s/proposal.db", dir);
    const scenario *scs[2] = {&sa, &sb};
    const char *files[2] = {fa, fb}, *labels[2] = {"baseline", "proposal"}, *dbs[2] = {pa, pb};
    for (int i = 0; i < 2; i++) {
        char partial[1100], what[200];
        snprintf(what, sizeof what, "running the %s: %ld replicates of %s", labels[i], reps,
                 files[i]);
        stage_line(NULL, what);
        snprintf(partial, sizeof partial, "%s.partial", dbs[i]);
        rc = run_side(scs[i], files[i], labels[i], partial, seed, reps, &err);
        /* The store speaks of one run; what matters here is the whole folder. */
        if (rc && (ofile_is_full(&err) || strstr(err.msg, "disk full") ||
                   strstr(err.msg, "disk is full") || ofile_no_space(dir)))
            rc = crc_err_set(&err, CRC_EFAIL, "the disk holding %s is full" OFILE_FULL_TEXT
                             " (running the %s)", dbs[i], labels[i]);
        if (rc || (rc = place_database(partial, dbs[i], &err)))
            goto done;
    }
    int attacked; /* the cost-of-attack section (docs/attack.md), when fa declares attack: */
    stage_line(NULL, "searching the attacks the baseline declares (if any)");
    if ((rc = atk_report_pair(fa, fb, dir, cli_default_jobs(), &attacked, &err)))
        goto done;

    snprintf(cmd1, sizeof cmd1, "crucible run %s --seed %llu --replicates %ld --out %s", fa,
             seed, reps, pa);
    snprintf(cmd2, sizeof cmd2, "crucible run %s --seed %llu --replicates %ld --out %s", fb,
             seed, reps, pb);
    snprintf(cmd3, sizeof cmd3, "crucible compare %s %s", pa, pb);
    const char *cmds[] = {"# the whole report:", cmd0,
                          "# the same runs one by one, then the comparison:", cmd1, cmd2,
                          cmd3};
    const char *mptr[MAX_METRICS];
    for (size_t i = 0; i < n_metrics; i++)
        mptr[i] = metrics[i];
    report_input in = {.dir = dir, .base_db = pa, .prop_db = pb, .base_file = fa,
                       .prop_file = fb,
                       .question = question ? question : sb.description,
                       .changes = changes, .n_changes = n_changes, .commands = cmds,
                       .n_commands = sizeof cmds / sizeof *cmds, .seed = seed,
                       .replicates = reps, .level = 0.95, .metrics = mptr,
                       .n_metrics = n_metrics, .print = 1, .stage = stage_line,
                       .sweep_db = sweep};
    rc = report_write(&in, &err);
    /* Both files were removed at the start: present now means written whole. A report
     * without pictures (no gnuplot) is whole too; its message says why. */
    char md[1100], html[1100];
    snprintf(md, sizeof md, "%s/report.md", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    if (access(md, F_OK) == 0 && access(html, F_OK) == 0) {
        crc_err e2;
        int r2 = ofile_remove(dir_mark, &e2);
        if (!r2 && ofile_sync_dir(dir) != 0 && errno != EINVAL && errno != EROFS)
            r2 = ofile_fail(&e2, dir, errno, "syncing the folder");
        if (r2 && !rc) {
            err = e2;
            rc = r2;
        }
        char pdf[1100], png[1100];
        snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
        snprintf(png, sizeof png, "%s/summary.png", dir);
        int printed = access(pdf, F_OK) == 0 && access(png, F_OK) == 0;
        printf("wrote %s and %s%s%s%s%s (runs in %s and %s)\n", md, html, printed ? ", " : "",
               printed ? pdf : "", printed ? " and " : "", printed ? png : "", pa, pb);
    }
done:
    if (rc && dir_mark[0] && access(dir_mark, F_OK) == 0) {
        size_t len = strlen(err.msg);
        snprintf(err.msg + len, sizeof err.msg - len, ". The folder %s is marked incomplete "
                 "(%s/INCOMPLETE) until the same command finishes", dir, dir);
    }
    free(changes);
    scenario_free(&sa);
    scenario_free(&sb);
    return rc ? cli_report(argv[0], &err) : 0;
}
