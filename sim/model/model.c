/*
 * model.c — model_run and model_validate (model.h): one replicate of the marketplace
 * model on the discrete-event engine (docs/model.md).
 *
 * This first version sets up the ledger, the AMM and the emission schedule, settles
 * one epoch per world.epoch (emission budget to the treasury: no agents yet) and
 * writes the supply metrics. The agent populations grow into world.c and friends.
 */
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/sim.h"
#include "model/amm.h"
#include "model/emission.h"
#include "model/ledger.h"

typedef struct mini {
    const model_input *in;
    const crc_sink *sink;
    crc_err *err;
    ledger *L;
    amm A;
    emission E;
    double t_prev;
} mini;

enum { EV_EPOCH = 1 };

int model_validate(const crc_params *p, crc_err *err)
{
    if (p->world_epoch > p->world_horizon)
        return crc_err_set(err, CRC_EINPUT,
                           "world.epoch (%g days) is longer than world.horizon (%g days): "
                           "set world.epoch <= world.horizon",
                           p->world_epoch, p->world_horizon);
    return CRC_OK;
}

static void on_epoch(sim *s, const evq_event *ev, void *ctx)
{
    mini *m = ctx;
    double t = s->now;
    (void)ev;
    emission_begin(&m->E, m->L, m->t_prev, t, INFINITY);
    emission_settle(&m->E, m->L);
    double price = amm_price(&m->A);
    int rc = 0;
    rc |= sink_metric(m->sink, t, "price_usd", price);
    rc |= sink_metric(m->sink, t, "supply", ledger_supply(m->L));
    rc |= sink_metric(m->sink, t, "minted", ledger_minted_epoch(m->L));
    rc |= sink_metric(m->sink, t, "burned", ledger_burned_epoch(m->L));
    rc |= sink_metric(m->sink, t, "emission_usd", m->E.emitted_epoch * price);
    rc |= sink_metric(m->sink, t, "treasury_tkn",
                      ledger_balance(m->L, ledger_system(m->L, CLS_TREASURY)));
    if (rc) {
        crc_err_set(m->err, CRC_EFAIL, "the results sink refused a metric at t = %g", t);
        sim_fail(s, CRC_EFAIL);
        return;
    }
    if (m->in->check && ledger_check(m->L) > 1e-9) {
        crc_err_set(m->err, CRC_EFAIL,
                    "ledger invariant broken at t = %g: |sum of balances - supply| / supply "
                    "= %g (> 1e-9)",
                    t, ledger_check(m->L));
        sim_fail(s, CRC_EFAIL);
        return;
    }
    ledger_epoch_reset(m->L);
    m->t_prev = t;
}

int model_run(const model_input *in, const crc_sink *sink, crc_err *err)
{
    const crc_params *p = in->params;
    int rc = model_validate(p, err);
    if (rc)
        return rc;
    mini m;
    memset(&m, 0, sizeof m);
    m.in = in;
    m.sink = sink;
    m.err = err;
    m.L = ledger_alloc(16);
    if (!m.L)
        return crc_err_set(err, CRC_ENOMEM, "out of memory allocating the ledger");
    double S = p->token_initial_supply;
    ledger_mint(m.L, ledger_system(m.L, CLS_RESERVE), S * p->alloc_reserve, RSN_MINT);
    ledger_mint(m.L, ledger_system(m.L, CLS_AMM), S * p->alloc_liquidity, RSN_MINT);
    ledger_mint(m.L, ledger_system(m.L, CLS_ECOSYSTEM),
                S * (1 - p->alloc_reserve - p->alloc_liquidity), RSN_MINT);
    m.A.x = S * p->alloc_liquidity;
    m.A.y = m.A.x * p->amm_initial_price;
    m.A.fee = p->amm_fee;
    emission_init(&m.E, p);
    ledger_epoch_reset(m.L);

    sim s;
    if (sim_init(&s, 64, &m) != CRC_OK) {
        ledger_free(m.L);
        return crc_err_set(err, CRC_ENOMEM, "out of memory allocating the event queue");
    }
    sim_on(&s, EV_EPOCH, on_epoch);
    sim_every(&s, p->world_epoch, p->world_epoch, EV_EPOCH, 0, 0);
    rc = sim_run(&s, p->world_horizon + 1e-9);
    if (rc == CRC_OK) {
        sink_summary(sink, "final.price_usd", amm_price(&m.A));
        sink_summary(sink, "final.supply", ledger_supply(m.L));
    } else if (err && err->code == CRC_OK) {
        crc_err_set(err, rc, "model run failed at t = %g", s.now);
    }
    sim_free(&s);
    ledger_free(m.L);
    return rc;
}
