/* test_sweep_wire.c — the worker-to-writer format (sim/sweep/wire.h): a run encoded by
 * a worker and replayed by the writer rebuilds the same memsink bit for bit, messages
 * round-trip every field, and a damaged message is refused rather than misread. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "model/core/memsink.h"
#include "sweep/wire.h"

/* Writes a small run through sink: metrics over epochs (names repeating in a fixed
 * order), summary values, flows and an intervention, including NaN and -0.0. */
static void write_run(const crc_sink *s)
{
    for (int e = 1; e <= 50; e++) {
        double t = e;
        sink_metric(s, t, "price_usd", 1.0 / e);
        sink_metric(s, t, "supply", 1e9 + e * 0.1);
        sink_metric(s, t, "real_yield", e % 7 ? 0.5 * e : NAN);
        sink_flow(s, t, "treasury", "burn", "fee", e * 1.5);
        sink_flow(s, t, "amm", "farmer", "swap", -0.0);
        if (e == 25)
            sink_intervention(s, t, "fees.burn", "0.1");
    }
    sink_summary(s, "price_drawdown", 0.25);
    sink_summary(s, "time_to_real_yield_1", NAN);
}

static void assert_same_memsink(const memsink *a, const memsink *b)
{
    cr_assert_eq(a->n_series, b->n_series);
    for (size_t i = 0; i < a->n_series; i++) {
        cr_assert_str_eq(a->series[i].name, b->series[i].name);
        cr_assert_eq(a->series[i].n, b->series[i].n);
        cr_assert_eq(memcmp(a->series[i].t, b->series[i].t, a->series[i].n * sizeof(double)), 0);
        cr_assert_eq(memcmp(a->series[i].v, b->series[i].v, a->series[i].n * sizeof(double)), 0);
    }
    cr_assert_eq(a->n_sum, b->n_sum);
    for (size_t i = 0; i < a->n_sum; i++) {
        cr_assert_str_eq(a->sum_name[i], b->sum_name[i]);
        cr_assert_eq(memcmp(&a->sum_value[i], &b->sum_value[i], sizeof(double)), 0);
    }
    cr_assert_eq(a->n_flows, b->n_flows);
    for (size_t i = 0; i < a->n_flows; i++) {
        cr_assert_str_eq(memsink_label(a, a->flows[i].src), memsink_label(b, b->flows[i].src));
        cr_assert_str_eq(memsink_label(a, a->flows[i].dst), memsink_label(b, b->flows[i].dst));
        cr_assert_str_eq(memsink_label(a, a->flows[i].reason),
                         memsink_label(b, b->flows[i].reason));
        cr_assert_eq(memcmp(&a->flows[i].amount_tkn, &b->flows[i].amount_tkn, sizeof(double)),
                     0);
    }
    cr_assert_eq(a->n_interventions, b->n_interventions);
    for (size_t i = 0; i < a->n_interventions; i++) {
        cr_assert_str_eq(a->interventions[i].path, b->interventions[i].path);
        cr_assert_str_eq(a->interventions[i].value, b->interventions[i].value);
    }
}

Test(sweep_wire, replay_rebuilds_the_workers_memsink_bit_for_bit)
{
    /* Worker side: a memsink teeing into the encoder, as compute_run does. */
    wire_buf ev = {0};
    wire_enc enc;
    wire_enc_init(&enc, &ev);
    crc_sink es = wire_enc_sink(&enc);
    memsink worker;
    memsink_init(&worker, &es);
    crc_sink ws = memsink_sink(&worker);
    write_run(&ws);
    cr_assert_not(ev.oom);
    /* Every name is sent once: 150 samples of 21 bytes plus names, flows and the rest
     * stay well under what sending names each time would take. */
    cr_assert_lt(ev.n, 150 * 21 + 100 * 37 + 400);

    memsink writer;
    memsink_init(&writer, NULL);
    crc_sink rs = memsink_sink(&writer);
    crc_err err = {0};
    cr_assert_eq(wire_replay(ev.p, ev.n, &rs, &err), CRC_OK, "%s", err.msg);
    assert_same_memsink(&worker, &writer);
    cr_assert(isnan(memsink_summary(&writer, "time_to_real_yield_1")));

    /* A truncated stream is refused, not half-read silently. */
    memsink cut;
    memsink_init(&cut, NULL);
    crc_sink cs = memsink_sink(&cut);
    cr_assert_eq(wire_replay(ev.p, ev.n - 3, &cs, &err), CRC_EFAIL);
    memsink_free(&cut);
    memsink_free(&worker);
    memsink_free(&writer);
    wire_enc_free(&enc);
    wire_buf_free(&ev);
}

Test(sweep_wire, result_message_round_trips_every_field)
{
    static const unsigned char events[] = {'N', 1, 0, 0, 0, 'x', 0};
    store_criterion crit[2] = {
        {"farmers_lose", "roi.farmer", "end", "<", 0, -0.5, 1, NULL},
        {"bad", "nope", "max", ">=", 1, NAN, 0, "unknown metric 'nope'"},
    };
    wire_result r = {0};
    r.run = 123456789012ULL;
    r.status = 1;
    r.wall_seconds = 0.125;
    r.started_at = "2026-11-22T05:00:00Z";
    r.ended_at = "2026-11-22T05:00:01Z";
    r.scenario = "tiny";
    r.yaml = "name: tiny\nparams: {}\n";
    r.hash = "0123456789abcdef";
    r.error = NULL;
    r.criteria = crit;
    r.n_criteria = 2;
    r.events = events;
    r.events_len = sizeof events;
    wire_buf msg = {0};
    wire_put_result(&msg, &r);
    cr_assert_not(msg.oom);
    uint32_t magic;
    uint64_t len;
    memcpy(&magic, msg.p, sizeof magic);
    memcpy(&len, msg.p + sizeof magic, sizeof len);
    cr_assert_eq(magic, WIRE_MAGIC);
    cr_assert_eq(len + WIRE_HEAD, msg.n);

    wire_result d;
    crc_err err = {0};
    cr_assert_eq(wire_get_result(msg.p + WIRE_HEAD, (size_t)len, &d, &err), CRC_OK, "%s",
                 err.msg);
    cr_assert_eq(d.run, r.run);
    cr_assert_eq(d.status, 1);
    cr_assert_eq(d.wall_seconds, 0.125);
    cr_assert_str_eq(d.started_at, r.started_at);
    cr_assert_str_eq(d.ended_at, r.ended_at);
    cr_assert_str_eq(d.scenario, "tiny");
    cr_assert_str_eq(d.yaml, r.yaml);
    cr_assert_str_eq(d.hash, r.hash);
    cr_assert_null(d.error);
    cr_assert_eq(d.n_criteria, 2);
    cr_assert_str_eq(d.criteria[0].name, "farmers_lose");
    cr_assert_eq(d.criteria[0].value, -0.5);
    cr_assert_eq(d.criteria[0].passed, 1);
    cr_assert_null(d.criteria[0].error);
    cr_assert(isnan(d.criteria[1].value));
    cr_assert_str_eq(d.criteria[1].error, "unknown metric 'nope'");
    cr_assert_eq(d.events_len, sizeof events);
    cr_assert_eq(memcmp(d.events, events, sizeof events), 0);
    wire_result_free(&d);

    /* A body cut short anywhere is refused. */
    for (size_t n = 0; n < (size_t)len; n += 7)
        cr_assert_eq(wire_get_result(msg.p + WIRE_HEAD, n, &d, &err), CRC_EFAIL, "cut at %zu",
                     n);
    wire_buf_free(&msg);
}
