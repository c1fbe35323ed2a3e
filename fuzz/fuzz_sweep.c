/*
 * fuzz_sweep.c — libFuzzer target for the sweep-file parser and the command-line design
 * flags (`make fuzz`, or `make fuzz FUZZ_TARGETS=fuzz_sweep`).
 *
 * Input: sweep-file text, optionally followed by a NUL byte and command-line specs, one
 * per line: "grid:SPEC", "zip:SPEC", "random:SPEC", "lhs:SPEC", "sobol:SPEC",
 * "morris:SPEC" (what --grid SPEC etc. receive) or "set:PATH=VALUE". Besides crashes and
 * sanitizer reports, the target aborts when a contract breaks:
 *   - a call fails exactly when it says something, with a known status;
 *   - a spec that loaded passes design_check, and a design of at most a few thousand
 *     points generates, with every value's text reading back through params_parse.
 * Inputs that ask for a range of 10^5 to 10^7 steps are skipped: generating a million
 * legitimate values takes seconds under ASan, which is size, not a defect (the 10^7
 * limit itself is tested in tests/test_integrity_input.c, and ranges past it are still
 * fuzzed: they are refused before any value is made).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweepfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, const crc_err *e)
{
    if (rc != CRC_OK && (!e->msg[0] || (rc != CRC_EINPUT && rc != CRC_EFAIL &&
                                        rc != CRC_ENOMEM))) {
        fprintf(stderr, "status %d with message '%s'\n", rc, e->msg);
        abort();
    }
}

/* Applies one command-line spec line to s. */
static void apply_line(sweep_spec *s, char *line)
{
    char *colon = strchr(line, ':');
    if (!colon)
        return;
    *colon = '\0';
    crc_err e;
    crc_err_clear(&e);
    int rc;
    if (!strcmp(line, "set"))
        rc = sweepfile_add_set(s, colon + 1, &e);
    else {
        int kind = design_kind_from_name(line);
        if (kind < 0)
            return;
        rc = sweepfile_cli_factor(s, kind, colon + 1, &e);
    }
    check(rc, &e);
}

/* 1 when a number after "steps" (a sweep file's range) or the third field of a
 * "from:to:steps" spec lies in (1e5, 1e7]: legal, but slow to generate. */
static int slow_range(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    for (size_t i = 0; i < size; i++)
        text[i] = data[i] ? (char)data[i] : '\n';
    text[size] = '\0';
    int slow = 0;
    for (char *p = text; *p && !slow; p++) {
        const char *num = NULL;
        if (!strncmp(p, "steps", 5)) {
            num = p + 5;
            while (*num && !(*num >= '0' && *num <= '9') && *num != '+' && *num != '.' &&
                   num < p + 16)
                num++;
        } else if (*p == ':' && (p == text || p[-1] != ':')) {
            num = p + 1; /* any field after a colon could be the steps of a spec */
        }
        if (num && *num) {
            double x = strtod(num, NULL);
            slow = x > 1e5 && x <= 1e7;
        }
    }
    free(text);
    return slow;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (slow_range(data, size))
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    sweep_spec s;
    memset(&s, 0, sizeof s);
    crc_err e;
    crc_err_clear(&e);
    int rc = sweepfile_load_text(&s, "/tmp/fuzz-sweep.yaml", (const char *)data, tlen, &e);
    check(rc, &e);
    if (rc != CRC_OK) {
        sweepfile_free(&s);
        memset(&s, 0, sizeof s);
        if (!nul)
            return 0;
    }
    if (nul) {
        const char *p = (const char *)nul + 1, *end = (const char *)data + size;
        for (int k = 0; p < end && k < 8; k++) {
            const char *q = p;
            while (q < end && *q != '\n' && *q != '\0')
                q++;
            char *line = malloc((size_t)(q - p) + 1);
            if (!line)
                abort();
            memcpy(line, p, (size_t)(q - p));
            line[q - p] = '\0';
            apply_line(&s, line);
            free(line);
            p = q + 1;
        }
    }
    if (s.has_design && s.design.k && design_check(&s.design, &e) == CRC_OK) {
        design *d = &s.design;
        /* Generate only small designs: the point is the parser, not the allocator. */
        size_t est = 1;
        for (size_t j = 0; j < d->k && est <= 4096; j++)
            est *= d->factors[j].n_values ? d->factors[j].n_values : 1;
        if (est <= 4096 && d->samples <= 256 && d->trajectories <= 64) {
            rc = design_generate(d, 42, &e);
            check(rc, &e);
            for (size_t i = 0; rc == CRC_OK && i < d->n_points && i < 64; i++)
                for (size_t j = 0; j < d->k; j++) {
                    char buf[256];
                    design_text(d, i, j, buf, sizeof buf);
                    crc_pvalue v;
                    crc_err pe;
                    crc_err_clear(&pe);
                    if (params_parse(d->factors[j].param, buf, &v, &pe) != CRC_OK) {
                        fprintf(stderr, "point %zu: %s='%s' does not read back: %s\n", i,
                                d->factors[j].param->path, buf, pe.msg);
                        abort();
                    }
                }
        }
        char *desc = design_describe(d);
        free(desc);
    }
    sweepfile_free(&s);
    return 0;
}
