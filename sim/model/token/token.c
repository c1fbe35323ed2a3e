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

/* The tranche table's own sums (the loader checks them with positions; this is for
 * tables built in code). */
static int validate_tranches(const crc_tranches *tt, crc_err *err)
{
    if (tt->n < 0 || tt->n > CRC_MAX_TRANCHES)
        return crc_err_set(err, CRC_EINPUT, "tranches: %d rows; at most %d", tt->n,
                           CRC_MAX_TRANCHES);
    double sum = 0, liq = 0;
    for (int i = 0; i < tt->n; i++) {
        const crc_tranche *tr = &tt->t[i];
        sum += tr->share;
        if (tr->role == TR_LIQUIDITY)
            liq += tr->share;
        if (tr->shape == TR_MONTHLY && tr->vesting != floor(tr->vesting))
            return crc_err_set(err, CRC_EINPUT, "tranche %s: monthly steps need a whole number "
                               "of vesting months, not %g", tr->name, tr->vesting);
    }
    int rc = check_sum(err, "tranche", "the share of every row of tranches:", sum);
    if (rc)
        return rc;
    if (!(liq > 0))
        return crc_err_set(err, CRC_EINPUT, "tranches: no row with role liquidity and a share "
                           "above 0; the AMM needs tokens to trade (add one, e.g. share 0.05)");
    return CRC_OK;
}

int token_validate(const crc_params *p, crc_err *err)
{
    int rc = p->tranches.n > 0
                 ? validate_tranches(&p->tranches, err)
                 : check_sum(err, "allocation", "allocation.reserve + .team + .investors + "
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
    if (p->rew_cap_end < p->rew_cap_start)
        return crc_err_set(err, CRC_EINPUT,
                           "rewards.cap.end_round (%ld) is before rewards.cap.start_round (%ld): "
                           "the multiplier falls from start_round to end_round; raise end_round "
                           "to at least %ld", p->rew_cap_end, p->rew_cap_start, p->rew_cap_start);
    if (p->tranches.n == 0 && !(p->alloc_liquidity > 0))
        return crc_err_set(err, CRC_EINPUT, "allocation.liquidity is 0: the AMM needs "
                           "tokens to trade; set it above 0 (e.g. 0.05)");
    return CRC_OK;
}

/* Genesis from the legacy allocation.* shares: two insider plans under
 * vesting.insiders.*. Returns the TKN seeded into the AMM. */
static double genesis_legacy(token *tok, const crc_params *p)
{
    ledger *l = tok->ledger;
    double S = p->token_initial_supply;
    ledger_mint(l, ledger_system(l, CLS_RESERVE), S * p->alloc_reserve, RSN_MINT);
    ledger_mint(l, ledger_system(l, CLS_ECOSYSTEM), S * p->alloc_ecosystem, RSN_MINT);
    ledger_mint(l, ledger_system(l, CLS_MARKET), S * p->alloc_public, RSN_MINT);
    double liq = S * p->alloc_liquidity;
    ledger_mint(l, ledger_system(l, CLS_AMM), liq, RSN_MINT);
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    double shares[INSIDER_COUNT] = {p->alloc_team, p->alloc_investors};
    for (int i = 0; i < INSIDER_COUNT; i++) {
        acct_id who = ledger_open(l, CLS_INSIDER);
        ledger_mint(l, esc, S * shares[i], RSN_MINT);
        vesting_lock_insiders(tok->vest, i, S * shares[i], who);
    }
    return liq;
}

/* Genesis from the tranche table (docs/model.md §10 "Genesis and allocation"): whole
 * roles to their accounts; locked roles pay their TGE share at once and escrow the rest
 * under an unlock plan. Returns the TKN seeded into the AMM. */
static double genesis_tranches(token *tok, const crc_params *p)
{
    ledger *l = tok->ledger;
    double S = p->token_initial_supply, liq = 0;
    acct_id esc = ledger_system(l, CLS_VESTING_ESCROW);
    for (int i = 0; i < p->tranches.n; i++) {
        const crc_tranche *tr = &p->tranches.t[i];
        double amt = S * tr->share;
        acct_id to;
        switch (tr->role) {
        case TR_RESERVE:
            ledger_mint(l, ledger_system(l, CLS_RESERVE), amt, RSN_MINT);
            continue;
        case TR_LIQUIDITY:
            ledger_mint(l, ledger_system(l, CLS_AMM), amt, RSN_MINT);
            liq += amt;
            continue;
        case TR_MARKET:
            ledger_mint(l, ledger_system(l, CLS_MARKET), amt, RSN_MINT);
            continue;
        case TR_TREASURY:
            to = ledger_system(l, CLS_TREASURY);
            break;
        case TR_ECOSYSTEM:
            to = ledger_system(l, CLS_ECOSYSTEM);
            break;
        default:
            to = ledger_open(l, CLS_INSIDER);
            break;
        }
        double now = vesting_tranche_unlocked(tr, amt, 0);
        ledger_mint(l, to, now, RSN_MINT);
        ledger_mint(l, esc, amt - now, RSN_MINT);
        vesting_lock_tranche(tok->vest, i, amt, now, to);
    }
    return liq;
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
    tok->ledger = ledger_alloc(capacity + CRC_MAX_TRANCHES);
    tok->vest = vesting_alloc(p);
    tok->stake = staking_alloc(p);
    if (!tok->ledger || !tok->vest || !tok->stake) {
        token_free(tok);
        crc_err_set(err, CRC_ENOMEM, "out of memory allocating the token economy");
        return NULL;
    }
    ledger *l = tok->ledger;
    double liq = p->tranches.n > 0 ? genesis_tranches(tok, p) : genesis_legacy(tok, p);
    amm_init(&tok->amm, liq, liq * p->amm_initial_price, p->amm_fee);
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
    treasury_spend(&tok->tr, &tok->amm, l, t1 - t0);
    market_epoch(&tok->mkt, &tok->amm, l, t0, t1);
}

double token_circulating(const token *tok)
{
    const ledger *l = tok->ledger;
    return ledger_supply(l) - ledger_balance(l, ledger_system(l, CLS_RESERVE)) -
           ledger_balance(l, ledger_system(l, CLS_VESTING_ESCROW));
}

double token_reward_cap(const crc_params *p, double t0)
{
    if (!p->rew_cap_enabled)
        return INFINITY;
    double r = floor(t0 / p->rew_cap_round_days) + 1;
    double s = (double)p->rew_cap_start, e = (double)p->rew_cap_end;
    if (r < s)
        return INFINITY;
    if (r > e)
        return p->rew_cap_floor;
    if (e == s)
        return p->rew_cap_final;
    return p->rew_cap_initial + (p->rew_cap_final - p->rew_cap_initial) * (r - s) / (e - s);
}
