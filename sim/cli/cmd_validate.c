/*
 * cmd_validate.c — `crucible validate FILE... [--set PATH=VALUE]... [--resolved]`:
 * loads each scenario, applies the overrides and runs every check a run would make,
 * without running anything and without writing any file. Prints "FILE: ok" on stdout,
 * or every error (as file:line:col: message, the form editors jump to) on stderr.
 * Exit status: 0 all valid, 2 some input is bad, 1 a file could not be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

enum { MAX_SHOWN = 50 };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crucible validate FILE... [--set PATH=VALUE]... [--resolved]\n\n"
            "Checks scenario files without running them: YAML syntax, every key, type, range\n"
            "and distribution, extends chains, interventions and criteria, and the model's\n"
            "cross-parameter constraints. --set overrides apply to every FILE, as in `run`.\n\n"
            "  --set PATH=VALUE  override a parameter (repeatable), e.g. --set world.horizon=730\n"
            "  --resolved        print each valid scenario fully resolved (the text `run`\n"
            "                    stores with its results)\n\n"
            "Exit status: 0 all valid, 2 bad input, 1 a file could not be read.\n");
}

static void print_errors(const crc_err *errs, size_t n)
{
    char buf[2200];
    size_t shown = n < MAX_SHOWN ? n : MAX_SHOWN;
    for (size_t i = 0; i < shown; i++)
        fprintf(stderr, "%s\n", crc_err_format(&errs[i], buf, sizeof buf));
    if (n > shown)
        fprintf(stderr, "... and %zu more errors\n", n - shown);
}

/* Checks one file in one pass, reporting every error: those of loading (syntax, keys,
 * types, ranges), of the --set overrides, then those that depend on the final values
 * (interventions, criteria, sums of fee shares), on what did load. Returns its status. */
static int validate_one(const char *path, char **sets, int n_sets, int resolved)
{
    crc_err *errs = malloc(MAX_SHOWN * sizeof *errs); /* 2 kB each: not on the stack */
    if (!errs) {
        fprintf(stderr, "crucible validate: out of memory\n");
        return CRC_ENOMEM;
    }
    size_t n = 0;
    scenario sc;
    int rc = scenario_load_keep(&sc, path, errs, MAX_SHOWN, &n);
    if (rc == CRC_EFAIL || rc == CRC_ENOMEM) {
        /* nothing loaded to check further (the file could not be read) */
        print_errors(errs, n);
        fprintf(stderr, "%s: %zu error%s\n", path, n, n == 1 ? "" : "s");
        scenario_free(&sc);
        free(errs);
        return rc;
    }
    for (int i = 0; i < n_sets; i++) {
        crc_err e;
        int src = scenario_set(&sc, sets[i], &e);
        if (src != CRC_OK) {
            if (rc == CRC_OK)
                rc = src;
            if (n < MAX_SHOWN)
                errs[n] = e;
            n++;
        }
    }
    size_t nv = 0, shown = n < MAX_SHOWN ? n : MAX_SHOWN;
    int vrc = scenario_validate_diag(&sc, errs + shown, MAX_SHOWN - shown, &nv);
    if (rc == CRC_OK)
        rc = vrc;
    n += nv;
    if (rc != CRC_OK) {
        print_errors(errs, n);
        fprintf(stderr, "%s: %zu error%s\n", path, n, n == 1 ? "" : "s");
    } else {
        printf("%s: ok\n", path);
        cli_warn_large(path, &sc);
        if (resolved) {
            char *text = scenario_resolved_text(&sc);
            if (!text) {
                fprintf(stderr, "crucible validate: out of memory\n");
                rc = CRC_ENOMEM;
            } else {
                fputs(text, stdout);
                free(text);
            }
        }
    }
    scenario_free(&sc);
    free(errs);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    char *files[256], *sets[256];
    int n_files = 0, n_sets = 0, resolved = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--resolved")) {
            resolved = 1;
        } else if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
            char *v = a[5] == '=' ? argv[i] + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                fprintf(stderr, "crucible validate: --set needs PATH=VALUE, e.g. --set "
                                "world.horizon=730\n");
                return 2;
            }
            if (n_sets == (int)(sizeof sets / sizeof sets[0])) {
                fprintf(stderr, "crucible validate: too many --set options (at most %zu)\n",
                        sizeof sets / sizeof sets[0]);
                return 2;
            }
            sets[n_sets++] = v;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "crucible validate: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            if (n_files == (int)(sizeof files / sizeof files[0])) {
                fprintf(stderr, "crucible validate: too many files (at most %zu per call)\n",
                        sizeof files / sizeof files[0]);
                return 2;
            }
            files[n_files++] = argv[i];
        }
    }
    if (n_files == 0) {
        fprintf(stderr, "crucible validate: no scenario file given\n");
        usage(stderr);
        return 2;
    }
    int worst = 0;
    for (int i = 0; i < n_files; i++) {
        int code = crc_exit_code(validate_one(files[i], sets, n_sets, resolved));
        /* Bad input (2) outranks a failure to read (1). */
        if (code == 2 || (code == 1 && worst == 0))
            worst = code;
    }
    return worst;
}
