/*
 * fuzz_scenario.c — libFuzzer target for the scenario loader and the --set parser
 * (`make fuzz`).
 *
 * Input: scenario text, optionally followed by a NUL byte and --set assignments
 * separated by newlines or NULs. Besides crashes and sanitizer reports, the target
 * aborts when a contract breaks:
 *   - a load fails exactly when it reports errors, and every bad-input error names a
 *     line and column and says something;
 *   - the resolved text of whatever loaded (after the --set overrides) loads back, and
 *     resolving that gives the same text (the round trip `crucible run` relies on);
 *   - scenario_copy gives the same resolved text and hash.
 * The input is loaded as if it were a file in a temporary directory holding a few base
 * files, so that `extends:` chains (and cycles) are reachable from the corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/crucible-fuzz-XXXXXX";
static char input_name[sizeof dir + 16];

static void write_file(const char *name, const char *text)
{
    char path[sizeof dir + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir))
        abort();
    snprintf(input_name, sizeof input_name, "%s/fuzz.yaml", dir);
    write_file("base.yaml", "name: base\nseed: 7\nparams:\n  world.horizon: 200\n"
                            "interventions:\n  - {at: 5, set: {world.epoch: 2}}\n"
                            "criteria:\n  - {name: c1, metric: price_usd, op: \">\", value: 0}\n");
    write_file("mid.yaml", "extends: base.yaml\nparams: {world: {datanets: 3}}\n");
    write_file("loop.yaml", "extends: loop2.yaml\n");
    write_file("loop2.yaml", "extends: loop.yaml\n");
    write_file("bad.yaml", "params: {world.horizon: -1}\n");
    return 0;
}

static void check_errors(int rc, const crc_err *errs, size_t cap, size_t n)
{
    if ((rc == CRC_OK) != (n == 0)) {
        fprintf(stderr, "status %d but %zu errors\n", rc, n);
        abort();
    }
    for (size_t i = 0; i < n && i < cap; i++) {
        const crc_err *e = &errs[i];
        if (!e->msg[0] || (e->code == CRC_EINPUT && (e->line < 1 || e->col < 1))) {
            fprintf(stderr, "error without a position or message: %d:%d: %s\n", e->line,
                    e->col, e->msg);
            abort();
        }
    }
}

/* Resolved text of sc; it must load back and resolve to itself. Returns it (owned). */
static char *round_trip(const scenario *sc)
{
    char *t1 = scenario_resolved_text(sc);
    if (!t1)
        abort();
    scenario back;
    crc_err e;
    if (scenario_load_text(&back, "resolved.yaml", t1, strlen(t1), &e) != CRC_OK) {
        char buf[2200];
        fprintf(stderr, "resolved text does not load: %s\n---\n%s---\n",
                crc_err_format(&e, buf, sizeof buf), t1);
        abort();
    }
    char *t2 = scenario_resolved_text(&back);
    if (!t2 || strcmp(t1, t2) != 0) {
        fprintf(stderr, "round trip changed the text:\n---\n%s---\n%s---\n", t1, t2 ? t2 : "");
        abort();
    }
    free(t2);
    scenario_free(&back);
    return t1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    scenario sc;
    crc_err errs[4];
    size_t n = 0;
    int rc = scenario_load_diag(&sc, input_name, (const char *)data, tlen, errs, 4, &n);
    check_errors(rc, errs, 4, n);
    if (rc != CRC_OK && !nul)
        return 0;
    if (rc != CRC_OK && scenario_load_text(&sc, "fuzz.yaml", "{}", 2, NULL) != CRC_OK)
        abort();
    if (nul) {
        /* The rest: --set assignments, one per line. */
        const char *p = (const char *)nul + 1, *end = (const char *)data + size;
        for (int k = 0; p < end && k < 16; k++) {
            const char *q = p;
            while (q < end && *q != '\n' && *q != '\0')
                q++;
            char *arg = malloc((size_t)(q - p) + 1);
            if (!arg)
                abort();
            memcpy(arg, p, (size_t)(q - p));
            arg[q - p] = '\0';
            crc_err e;
            if (scenario_set(&sc, arg, &e) != CRC_OK && !e.msg[0])
                abort();
            free(arg);
            p = q + 1;
        }
    }
    char *t1 = round_trip(&sc);
    scenario copy;
    if (scenario_copy(&copy, &sc) != CRC_OK)
        abort();
    char *t3 = scenario_resolved_text(&copy);
    char h1[17], h2[17];
    scenario_hash(&sc, h1);
    scenario_hash(&copy, h2);
    if (!t3 || strcmp(t1, t3) != 0 || strcmp(h1, h2) != 0)
        abort();
    free(t1);
    free(t3);
    scenario_free(&copy);
    scenario_free(&sc);
    return 0;
}
