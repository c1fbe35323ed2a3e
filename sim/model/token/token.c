/* token.c — genesis, cross-parameter validation and the per-epoch order of the token
 * economy's system steps (token.h; docs/model-token.md). */
#include "model/token/token.h"

#include <math.h>
#include <stdlib.h>

static int check_sum(crc_err *err, const char *what, const char *names, double sum)
{
    if (fabs(sum - 1.0) <= 1e-9)
        return CRC_OK;
    return crc_err_set(err, CRC_EINPUT,
                       "%s shares sum to %.10g, not 1: %s must add up to 1 "
                       "(lower one share or raise another)", what, sum, names);
}

int token_validate(const crc_params *p, crc_err *err)
{
    int rc = check_sum(err, "allocation", "allocation.reserve + .team + .investors + "
                       ".ecosystem + .liquidity + .public",
                       p->alloc_reserve + p->alloc_team + p->alloc_investors +
                       p->alloc_ecosystem + p->alloc_liquidity + p->alloc_public);
    if (rc)
        return rc;
    rc = check_sum(err, "emission split", "emission.split.data + .model + .compute + "
                   ".staking + .treasury",
                   p->emission_split_data + p->emission_split_model +
                   p->emission_split_compute + p->emission_split_staking +
                   p->emission_split_treasury);
    if (rc)
        return rc;
    /* The treasury takes what the fee shares leave, so they need only not exceed 1. */
    double fees = fees_explicit_sum(p);
    if (fees > 1.0 + 1e-9)
        return crc_err_set(err, CRC_EINPUT,
                           "fee split: fees.model + .data + .compute + .stakers + .burn sum "
                           "to %.10g, more than 1 (the treasury takes what they leave); "
                           "lower one of them", fees);
    if (!(p->alloc_liquidity > 0))
        return crc_err_set(err, CRC_EINPUT, "allocation.liquidity is 0: the AMM needs "
                           "tokens to trade; set it above 0 (e.g. 0.05)");
    return CRC_OK;
}

token *token_alloc(const crc_params *p, size_t capacity, gsl_rng *market_rng, crc_err *err)
{
    if (token_validate(p, err) != CRC_OK)
        return NULL;
    token *tok = calloc(1, sizeof *tok);
    if (!tok) {
        crc_err_set(err, CRC_ENOMEM, "out of memory allocating the token economy");
        return NULL;
    }
    tok->p = p;
    tok->ledger = ledger_alloc(capacity + INSIDER_COUNT);
    tok->vest = vesting_alloc(p);
    tok->stake = staking_alloc(p);
    if (!tok->ledger || !tok->vest || !tok->stake) {
        token_free(tok);
        crc_err_set(err, CRC_ENOMEM, "out of memory allocating the token economy");
        return NULL;
    }
    ledger *l = tok->ledger;
    double S = p->token_initial_supply;
    ledger_mint(l, ledger_system(l, CLS_RESERVE), S * p->alloc_reserve, RSN_MINT);
    ledger_mint(l, ledger_system(l, CLS_ECOSYSTEM), S * p->alloc_ecosystem, RSN_MINT);
    ledger_mint(l, ledger_system(l, CLS_MARKET), S * p->alloc_public, RSN_MINT);
    double liq = S * p->alloc_liquidity;
    ledger_mint(l, ledger_system(l, CLS_AMM), liq, RSN_MINT);
    amm_init(&tok->amm, liq, liq * p->amm_initial_price, p->amm_fee);
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    double shares[INSIDER_COUNT] = {p->alloc_team, p->alloc_investors};
    for (int i = 0; i < INSIDER_COUNT; i++) {
        acct_id who = ledger_open(l, CLS_INSIDER);
        ledger_mint(l, esc, S * shares[i], RSN_MINT);
        vesting_lock_insiders(tok->vest, i, S * shares[i], who);
    }
    /* genesis happens at t = 0, before the first epoch: keep it in the totals
     * (ledger_minted_total) but not in epoch 1's minted counter or flows */
    ledger_epoch_reset(l);
    emission_init(&tok->em, p);
    treasury_init(&tok->tr, p);
    market_init(&tok->mkt, p, market_rng);
    tok->mkt.stake = tok->stake;
    return tok;
}

void token_free(token *tok)
{
    if (!tok)
        return;
    ledger_free(tok->ledger);
    vesting_free(tok->vest);
    staking_free(tok->stake);
    free(tok);
}

double token_epoch_begin(token *tok, double t0, double t1, double ext_fee_tkn)
{
    double cap = tok->p->emission_gate_multiple > 0
                     ? tok->p->emission_gate_multiple * ext_fee_tkn : INFINITY;
    return emission_begin(&tok->em, tok->ledger, t0, t1, cap);
}

void token_epoch_end(token *tok, double t0, double t1)
{
    ledger *l = tok->ledger;
    staking_epoch(tok->stake, l, &tok->em, t0, t1);
    emission_settle(&tok->em, l);
    vesting_settle(tok->vest, l, t1);
    vesting_unlock(tok->vest, l, &tok->amm, t1);
    treasury_buyback(&tok->tr, &tok->amm, l);
    market_epoch(&tok->mkt, &tok->amm, l, t0, t1);
}

double token_circulating(const token *tok)
{
    const ledger *l = tok->ledger;
    return ledger_supply(l) - ledger_balance(l, ledger_system(l, CLS_RESERVE)) -
           ledger_balance(l, ledger_system(l, CLS_VESTING_ESCROW));
}
