/*
 * scenario_estimate.c — what a run will cost, from the parameter registry alone, so
 * that `validate` (and run and sweep, through scenario_validate) can refuse a scenario
 * that cannot fit this machine before anything is allocated, and warn about one that
 * will run for hours. Kept out of the model: it reads values by path and knows the
 * model only through the figures of docs/model.md §8.
 *
 * The estimate is an order of magnitude, not a prediction:
 *   agents   start = every integer parameter counted in "agents"; peak = start plus
 *            every entry rate ("agents/day", "consumers/day") and word of mouth over
 *            the horizon;
 *   memory   SC_BASE_BYTES for the program, SC_BYTES_PER_AGENT per agent at the peak
 *            (§8 measures 133-300 B per agent; the high end), and the metric series
 *            the in-memory sink keeps: SC_METRICS series × epochs × 16 B (t, value);
 *   events   the streams' rates (queries, contributions) times their populations over
 *            the horizon, plus agents × epochs for the per-epoch work;
 *   time     (events + agent-epochs) / SCENARIO_EVENTS_PER_S.
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SC_BASE_BYTES 3.0e6
#define SC_BYTES_PER_AGENT 300.0
#define SC_METRICS 80.0     /* metric series sampled each epoch (79 in 0.5.0) */
#define SC_SAMPLE_BYTES 16.0

/* A parameter's value by path (a distribution's mean); 0 when the path is unknown. */
static double value_of(const scenario *sc, const char *path)
{
    const param_def *d = params_find(path);
    if (!d)
        return 0;
    crc_pvalue v;
    params_read(&sc->params, d, &v);
    return d->type == PT_DIST ? dist_mean(&v.d) : v.x;
}

/* Streams whose events scale with a population: rate (per agent per day) × count. */
static const struct {
    const char *rate, *count;
} streams[] = {
    {"consumers.rate", "consumers.count"},
    {"providers.rate", "providers.honest.count"},
    {"poison.rate", "poison.count"},
    {"farmers.sybil.rate", "farmers.count"},
};

void scenario_estimate(const scenario *sc, scenario_cost *out)
{
    memset(out, 0, sizeof *out);
    double horizon = value_of(sc, "world.horizon"), epoch = value_of(sc, "world.epoch");
    double epochs = epoch > 0 ? horizon / epoch : 0;
    double start = 0, entry = 0;
    for (size_t i = 0; i < params_count; i++) {
        const param_def *d = &params_table[i];
        if (d->type == PT_INT && !strcmp(d->unit, "agents"))
            start += value_of(sc, d->path);
        else if (d->type == PT_NUM &&
                 (!strcmp(d->unit, "agents/day") || !strcmp(d->unit, "consumers/day")) &&
                 strcmp(d->path, "consumers.wom") != 0)
            entry += value_of(sc, d->path);
    }
    entry += value_of(sc, "consumers.wom") * value_of(sc, "consumers.count");
    double peak = start + entry * horizon;
    double growth = start > 0 ? (start + peak) / (2 * start) : 1; /* mean over the run */
    double per_day = 0;
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        per_day += value_of(sc, streams[i].rate) * value_of(sc, streams[i].count);
    out->agents_start = start;
    out->agents_peak = peak;
    out->events = per_day * growth * horizon + entry * horizon + epochs;
    out->agent_epochs = start * growth * epochs;
    out->bytes = SC_BASE_BYTES + SC_BYTES_PER_AGENT * peak + SC_METRICS * epochs * SC_SAMPLE_BYTES;
    out->seconds = (out->events + out->agent_epochs) / SCENARIO_EVENTS_PER_S;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    out->phys_bytes = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
}

static void bytes_text(double b, char *buf, size_t len)
{
    if (b >= 1e12)
        snprintf(buf, len, "%.3g TB", b / 1e12);
    else if (b >= 1e9)
        snprintf(buf, len, "%.3g GB", b / 1e9);
    else
        snprintf(buf, len, "%.3g MB", b / 1e6);
}

static void time_text(double s, char *buf, size_t len)
{
    if (s >= 2 * 86400)
        snprintf(buf, len, "%.3g CPU days", s / 86400);
    else if (s >= 2 * 3600)
        snprintf(buf, len, "%.3g CPU hours", s / 3600);
    else if (s >= 120)
        snprintf(buf, len, "%.3g CPU minutes", s / 60);
    else
        snprintf(buf, len, "%.2g CPU seconds", s);
}

void scenario_cost_text(const scenario_cost *c, char *buf, size_t len)
{
    char mem[32], t[32];
    bytes_text(c->bytes, mem, sizeof mem);
    time_text(c->seconds, t, sizeof t);
    snprintf(buf, len,
             "about %s of memory per run (%.3g agents at the start, up to %.3g), %.3g events "
             "and %.3g agent-epochs, ~%s at %.0f M events/s",
             mem, c->agents_start, c->agents_peak, c->events, c->agent_epochs, t,
             SCENARIO_EVENTS_PER_S / 1e6);
}

int scenario_cost_is_large(const scenario_cost *c)
{
    return c->seconds > 3600 || (c->phys_bytes > 0 && c->bytes > c->phys_bytes / 2);
}

int scenario_check_cost(const scenario *sc, crc_err *err)
{
    scenario_cost c;
    scenario_estimate(sc, &c);
    if (!(c.phys_bytes > 0) || c.bytes <= c.phys_bytes)
        return CRC_OK;
    char text[400], phys[32];
    scenario_cost_text(&c, text, sizeof text);
    bytes_text(c.phys_bytes, phys, sizeof phys);
    return crc_err_at(err, CRC_EINPUT, sc->path, 0, 0,
                      "this scenario cannot fit this machine: %s, more than its %s of "
                      "physical memory; lower the agent counts (e.g. consumers.count), the "
                      "entry rates or world.horizon, or raise world.epoch",
                      text, phys);
}
