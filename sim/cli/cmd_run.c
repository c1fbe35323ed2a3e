/*
 * cmd_run.c — `crucible run SCENARIO [--seed N] [--replicates N] [--set p=v]...
 * [--out FILE.db] [--resume] [--quiet] [--strict] [--check]`: runs the replicates of a scenario,
 * stores each in the results database (sim/store, docs/results.md) and prints the
 * final values of the key metrics and the criteria verdicts.
 *
 * Everything the user gave is checked before any file is created: bad input exits 2
 * and leaves no results file. Replicate r runs on rng_derive_seed(seed, 0, r) (see
 * run/runner.h), so `--replicates 10 --resume` extends `--replicates 5` with the same first
 * five. A database holds one scenario and each replicate once (runner_store_claim): an
 * existing --out is refused unless --resume, which runs only the missing replicates.
 * Exit: 0 done; 2 bad input; 3 a criterion failed under --strict; 1 anything else (a
 * failed run, a criterion that could not be evaluated, the database not writable).
 */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "run/progress.h"
#include "run/runner.h"
#include "scenario/scenario.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: crucible run SCENARIO [--seed N] [--replicates N] [--set path=value]...\n"
          "                    [--out FILE.db] [--resume] [--quiet] [--strict] [--check]\n\n"
          "Runs a scenario and stores every replicate in an SQLite results database\n"
          "(default results/<scenario>-<UTC time>.db; docs/results.md), then prints the\n"
          "final value of the key metrics (mean over replicates) and how many replicates\n"
          "passed each criterion.\n\n"
          "  --seed N        base seed (default: the scenario's seed:); replicate r runs on\n"
          "                  rng_derive_seed(N, 0, r)\n"
          "  --replicates N  number of replicates (default: the scenario's replicates:)\n"
          "  --set p=v       override a parameter (repeatable; same checks as the file)\n"
          "  --out FILE.db   results database; it holds one scenario and each replicate\n"
          "                  once: an existing one is refused unless --resume\n"
          "  --resume        finish a run already in --out (same scenario, seed, version):\n"
          "                  run only the replicates that are missing or failed\n"
          "  --quiet         print nothing but errors\n"
          "  --strict        exit 3 when a criterion fails in any replicate\n"
          "  --check         verify the ledger invariant after every epoch\n\n"
          "Exit status: 0 done, 2 bad input (no results file is created), 3 a criterion\n"
          "failed under --strict, 1 anything else (a run failed, a criterion could not be\n"
          "evaluated, the results file could not be written).\n",
          f);
}

/* results/<name>-<UTC>.db, made unique; creates results/ when absent. */
static int default_out(const char *name, char *buf, size_t len, crc_err *err)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST)
        return crc_err_at(err, CRC_EFAIL, "results", 0, 0,
                          "cannot create the results directory (%s); create it or give "
                          "--out FILE.db",
                          strerror(errno));
    char safe[128];
    size_t i = 0;
    for (; name[i] && i < sizeof safe - 1; i++) {
        char c = name[i];
        safe[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '-' || c == '_' || c == '.'
                      ? c
                      : '_';
    }
    safe[i] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(buf, len, "results/%s-%s.db", safe, stamp);
        else
            snprintf(buf, len, "results/%s-%s-%d.db", safe, stamp, k);
        if (access(buf, F_OK) != 0)
            return CRC_OK;
    }
    return crc_err_set(err, CRC_EFAIL, "too many results files named results/%s-%s*.db; "
                                       "give --out FILE.db", safe, stamp);
}

/* The metrics the closing table shows, when the model wrote them. */
static const char *const key_metrics[] = {
    "price_usd", "supply", "real_yield", "self_ref_share", "farmer_capture",
    "mean_model_quality", "harm_rate", "consumers", "poisoned_share", "treasury_tkn",
};
enum { N_KEY = sizeof key_metrics / sizeof key_metrics[0] };

typedef struct tally {
    double *final[N_KEY]; /* final value per done replicate (NaN when absent) */
    size_t n_done, n_failed;
    size_t *passed;       /* per criterion: replicates that passed           */
    size_t *errors;       /* per criterion: replicates where it errored      */
} tally;

/* A number for the closing table: plain digits for large magnitudes (supplies, balances)
 * rather than an exponent, 6 significant digits otherwise. */
static void put_num(char *buf, size_t len, double x)
{
    double a = fabs(x);
    if (a >= 1e5 && a < 1e15)
        snprintf(buf, len, "%.0f", x);
    else
        snprintf(buf, len, "%.6g", x);
}

static void print_table(const scenario *sc, const tally *ta, long reps, size_t skipped,
                        uint64_t seed, const char *out)
{
    printf("%s: %zu of %ld replicate%s done", sc->name, ta->n_done + skipped, reps,
           reps == 1 ? "" : "s");
    if (skipped)
        printf(" (%zu already stored, %zu run now)", skipped, ta->n_done + ta->n_failed);
    if (ta->n_failed)
        printf(", %zu FAILED", ta->n_failed);
    printf(" (seed %llu) -> %s\n", (unsigned long long)seed, out);
    if (skipped && ta->n_done)
        printf("  (the table covers the replicates run now; `crucible summarize %s` covers "
               "all)\n", out);
    if (ta->n_done) {
        printf("\n  %-22s %16s", "final value", ta->n_done > 1 ? "mean" : "value");
        if (ta->n_done > 1)
            printf(" %14s %14s %14s", "sd", "min", "max");
        printf("\n");
        double *x = malloc(ta->n_done * sizeof *x);
        for (size_t k = 0; x && k < N_KEY; k++) {
            size_t n = 0;
            for (size_t r = 0; r < ta->n_done; r++)
                if (!isnan(ta->final[k][r]))
                    x[n++] = ta->final[k][r];
            if (n == 0)
                continue;
            char a[40], b[40], c[40], d[40];
            put_num(a, sizeof a, gsl_stats_mean(x, 1, n));
            printf("  %-22s %16s", key_metrics[k], a);
            if (ta->n_done > 1) {
                put_num(b, sizeof b, n > 1 ? gsl_stats_sd(x, 1, n) : 0.0);
                put_num(c, sizeof c, gsl_stats_min(x, 1, n));
                put_num(d, sizeof d, gsl_stats_max(x, 1, n));
                printf(" %14s %14s %14s", b, c, d);
            }
            if (n < ta->n_done)
                printf("  (defined in %zu)", n);
            printf("\n");
        }
        free(x);
    }
    if (sc->n_criteria) {
        /* Columns as wide as the longest name and test, so the verdicts line up. */
        char(*tests)[160] = calloc(sc->n_criteria, sizeof *tests);
        if (!tests)
            return;
        int wn = (int)strlen("criterion"), wt = (int)strlen("test");
        for (size_t i = 0; i < sc->n_criteria; i++) {
            const crc_criterion *c = &sc->criteria[i];
            snprintf(tests[i], sizeof tests[i], "%s(%s) %s %g", criteria_stat_name(c->stat),
                     c->metric, criteria_op_name(c->op), c->value);
            if ((int)strlen(c->name) > wn)
                wn = (int)strlen(c->name);
            if ((int)strlen(tests[i]) > wt)
                wt = (int)strlen(tests[i]);
        }
        printf("\n  %-*s  %-*s  %s\n", wn, "criterion", wt, "test", "passed");
        for (size_t i = 0; i < sc->n_criteria; i++) {
            const crc_criterion *c = &sc->criteria[i];
            const char *test = tests[i];
            printf("  %-*s  %-*s  %zu/%zu%s%s\n", wn, c->name, wt, test, ta->passed[i], ta->n_done,
                   ta->n_done && ta->passed[i] == ta->n_done ? "  ok" : "  FAIL",
                   ta->errors[i] ? "  (could not be evaluated; see the error above)" : "");
        }
        free(tests);
    }
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},  {"replicates", required_argument, NULL, 'r'},
        {"set", required_argument, NULL, 'S'},   {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},       {"strict", no_argument, NULL, 'x'},
        {"check", no_argument, NULL, 'c'},       {"help", no_argument, NULL, 'h'},
        {"resume", no_argument, NULL, 'R'},      {NULL, 0, NULL, 0}};
    const char *seed_arg = NULL, *reps_arg = NULL, *out = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t n_sets = 0;
    int quiet = 0, strict = 0, check = 0, resume = 0, c;
    crc_err err;
    crc_err_clear(&err);
    if (!sets)
        return crc_exit_code(CRC_ENOMEM);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "s:r:S:o:qxchR", opts, NULL)) != -1) {
        switch (c) {
        case 's': seed_arg = optarg; break;
        case 'r': reps_arg = optarg; break;
        case 'S': sets[n_sets++] = optarg; break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'x': strict = 1; break;
        case 'c': check = 1; break;
        case 'R': resume = 1; break;
        case 'h': usage(stdout); free(sets); return 0;
        default:
            free(sets);
            cli_bad_option(&err, "run", argv[optind - 1]);
            return cli_report("run", &err);
        }
    }
    if (optind != argc - 1) {
        free(sets);
        if (!quiet)
            usage(stderr);
        crc_err_set(&err, CRC_EINPUT, optind >= argc ? "give a scenario file"
                                                     : "give exactly one scenario file");
        return cli_report("run", &err);
    }
    const char *path = argv[optind];

    /* 1. Everything the user gave, checked before any file is created. */
    scenario sc;
    memset(&sc, 0, sizeof sc);
    unsigned long long seed = 0, reps = 0;
    int rc = CRC_OK;
    struct stat st;
    if (stat(path, &st) != 0)
        rc = crc_err_at(&err, CRC_EINPUT, path, 0, 0, "no such scenario file (%s)",
                        strerror(errno));
    if (!rc)
        rc = scenario_load(&sc, path, &err);
    if (rc == CRC_EFAIL && err.code == CRC_EFAIL) /* unreadable scenario: bad input too */
        err.code = rc = CRC_EINPUT;
    for (size_t i = 0; !rc && i < n_sets; i++)
        rc = scenario_set(&sc, sets[i], &err);
    if (!rc)
        rc = scenario_validate(&sc, &err);
    if (!rc)
        seed = sc.seed;
    if (!rc && seed_arg)
        rc = cli_opt_ulong("--seed", seed_arg, 0, UINT64_MAX, &seed, &err);
    if (!rc)
        reps = (unsigned long long)sc.replicates;
    if (!rc && reps_arg)
        rc = cli_opt_ulong("--replicates", reps_arg, 1, 1000000, &reps, &err);
    free(sets);
    if (rc) {
        scenario_free(&sc);
        return cli_report("run", &err);
    }
    if (!quiet)
        cli_warn_large(path, &sc);

    /* 2. The results database. */
    char outbuf[600];
    if (!out) {
        if ((rc = default_out(sc.name, outbuf, sizeof outbuf, &err))) {
            scenario_free(&sc);
            return cli_report("run", &err);
        }
        out = outbuf;
    }
    int existed = access(out, F_OK) == 0;
    store *db;
    /* store_open removes a file it created when it fails */
    if ((rc = store_open(&db, out, &err))) {
        scenario_free(&sc);
        return cli_report("run", &err);
    }
    /* One scenario per file, each replicate once; --resume skips those done. */
    size_t skipped = 0;
    unsigned char *done = calloc(reps, 1);
    if (!done)
        rc = crc_err_set(&err, CRC_ENOMEM, "out of memory");
    if (!rc)
        rc = runner_store_claim(db, &sc, path, seed, (long)reps, resume, done, &skipped, &err);
    if (rc) {
        if (existed)
            store_close(db);
        else
            store_discard(db);
        free(done);
        scenario_free(&sc);
        return cli_report("run", &err);
    }
    char num[32];

    /* 3. The replicates. */
    tally ta;
    memset(&ta, 0, sizeof ta);
    int oom = 0;
    for (size_t k = 0; k < N_KEY; k++)
        oom |= !(ta.final[k] = calloc(reps, sizeof(double)));
    ta.passed = calloc(sc.n_criteria + 1, sizeof *ta.passed);
    ta.errors = calloc(sc.n_criteria + 1, sizeof *ta.errors);
    oom |= !ta.passed || !ta.errors;
    progress pr;
    double horizon = sc.params.world_horizon;
    progress_init(&pr, stderr, horizon * (double)(reps - skipped), !quiet && !oom);
    progress_name(&pr, "crucible run");
    runner_opts ro = {.check = check, .progress = progress_model_cb, .progress_ctx = &pr};
    memsink m;
    memsink_init(&m, NULL);
    int store_failed = oom, crit_error = 0, crit_failed = 0;
    size_t stored = 0, ran = 0;
    if (oom)
        crc_err_set(&err, CRC_ENOMEM, "out of memory");
    for (unsigned long long r = 0; r < reps && !store_failed; r++) {
        if (done[r])
            continue;
        char label[64];
        snprintf(label, sizeof label, "replicate %llu/%llu", r + 1, reps);
        progress_piece(&pr, horizon * (double)ran++, label);
        runner_info info;
        crc_err rerr = {0};
        int st_run = runner_run(&sc, seed, (long)r, -1, &ro, &m, &info, &rerr);
        crc_err serr = {0};
        if (runner_store(db, &sc, &info, &m, NULL, &serr)) {
            err = serr;
            store_failed = 1;
        } else {
            stored++;
        }
        progress_end(&pr);
        if (st_run != CRC_OK) {
            ta.n_failed++;
            fprintf(stderr, "crucible run: replicate %llu failed: %s\n", r, info.error);
        } else {
            size_t d = ta.n_done++;
            for (size_t k = 0; k < N_KEY; k++)
                ta.final[k][d] = memsink_last(&m, key_metrics[k]);
            for (size_t i = 0; i < info.n_criteria; i++) {
                ta.passed[i] += (size_t)info.criteria[i].passed;
                if (info.criteria[i].error[0]) {
                    if (ta.errors[i]++ == 0) {
                        const scenario_pos *at = sc.criterion_pos ? &sc.criterion_pos[i]
                                                                  : NULL;
                        if (at && at->line > 0)
                            fprintf(stderr, "crucible run: %s:%d:%d: %s\n", at->file,
                                    at->line, at->col, info.criteria[i].error);
                        else
                            fprintf(stderr, "crucible run: %s: %s\n", path,
                                    info.criteria[i].error);
                    }
                    crit_error = 1;
                } else if (!info.criteria[i].passed) {
                    crit_failed = 1;
                }
            }
        }
        runner_info_free(&info);
    }
    memsink_free(&m);
    progress_end(&pr);
    free(done);

    snprintf(num, sizeof num, "%zu", stored + skipped);
    crc_err ferr = {0};
    if (!store_failed && (store_meta_set(db, "replicates_stored", num, &ferr) ||
                          store_finish(db, &ferr))) {
        err = ferr;
        store_failed = 1;
    }
    int discard = store_failed && stored == 0 && !existed;
    if (discard) /* nothing was stored: leave no results file that looks like a result */
        store_discard(db);
    else
        store_close(db);

    int status;
    if (store_failed) {
        cli_report("run", &err);
        if (discard) {
            fprintf(stderr, "crucible run: no replicate was stored; %s removed\n", out);
        } else {
            fprintf(stderr,
                    "crucible run: RESULTS INCOMPLETE: %zu of %llu replicates stored in %s "
                    "(each stored run is whole; meta.replicates_stored is not set). Run the "
                    "same command with --resume to run the rest\n",
                    stored + skipped, reps, out);
        }
        status = CRC_EFAIL;
    } else {
        if (!quiet)
            print_table(&sc, &ta, (long)reps, skipped, seed, out);
        status = ta.n_failed || crit_error ? CRC_EFAIL
                 : strict && crit_failed   ? CRC_ECRITERIA
                                           : CRC_OK;
    }
    for (size_t k = 0; k < N_KEY; k++)
        free(ta.final[k]);
    free(ta.passed);
    free(ta.errors);
    scenario_free(&sc);
    return crc_exit_code(status);
}
