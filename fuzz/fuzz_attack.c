/*
 * fuzz_attack.c — libFuzzer target for the `attack:` block parser (sim/attack/attackfile.c;
 * `make fuzz FUZZ_TARGETS=fuzz_attack`).
 *
 * Input: scenario text. Besides crashes and sanitizer reports, the target aborts when a
 * contract of atkfile.h breaks:
 *   - a call fails exactly when it says something, with a known status;
 *   - a block that loaded holds 1..OPT_MAX_DIM distinct registry parameters, each with a
 *     range min < max inside the parameter's own range (min > 0 on a log scale, a whole
 *     number in it when integer), a start range min < max only when a dimension is left
 *     for it, a budget > 0, and search sizes at least 1 (fresh 2);
 *   - the objective describes itself in a bounded buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "attack/attackfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "contract broken: %s\n", what);
    abort();
}

static void check_spec(const atk_spec *s)
{
    if (!s->present)
        return;
    if (s->n_params < 1 || s->n_params > OPT_MAX_DIM)
        fail("1..OPT_MAX_DIM parameters");
    for (size_t i = 0; i < s->n_params; i++) {
        const atk_param *p = &s->params[i];
        if (!p->param || !(p->lo < p->hi) || p->lo < p->param->lo || p->hi > p->param->hi)
            fail("a parameter's range");
        if (p->log && !(p->lo > 0))
            fail("log scale with min <= 0");
        if (p->integer && ceil(p->lo) > floor(p->hi))
            fail("an integer range without a whole number");
        for (size_t j = 0; j < i; j++)
            if (s->params[j].param == p->param)
                fail("a parameter twice");
    }
    if (!(s->budget > 0))
        fail("budget > 0");
    if (s->evaluations < 1 || s->replicates < 1 || s->fresh < 2 || s->batch < 0)
        fail("search sizes");
    if (s->has_start && (!(s->start_lo < s->start_hi) || s->n_params + 1 > OPT_MAX_DIM))
        fail("start range, or one dimension too many");
    char buf[64];
    atkfile_describe_objective(s, buf, sizeof buf);
    if (strlen(buf) >= sizeof buf)
        fail("description length");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    atk_spec s;
    crc_err e;
    crc_err_clear(&e);
    int rc = atkfile_load_text(&s, "/tmp/fuzz-attack.yaml", (const char *)data, size, &e);
    if (rc != CRC_OK && (!e.msg[0] || (rc != CRC_EINPUT && rc != CRC_EFAIL && rc != CRC_ENOMEM)))
        fail(e.msg[0] ? e.msg : "a failure without a message");
    if (rc == CRC_OK)
        check_spec(&s);
    atkfile_free(&s);
    return 0;
}
