/* metdoc.c — the metric table (metdoc.h). Order: as docs/model.md §6 lists them. */
#include "model/metdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/core/params.h"

/* The members of the families (model/token/classes.c, the regions, the farmer
 * strategies). */
#define CLASSES "honest spammer poisoner builder compute fake_compute farmer staker"
#define ADVERSARIES "spammer poisoner fake_compute farmer"
#define REGIONS "us eu asia nordic"
#define STRATEGIES "fake stake sybil wash"

const metdoc metdoc_table[] = {
    /* series, every epoch (docs/model.md §6) */
    {"price_usd", 0, "token price", "USD per TKN", "AMM price y/x after the epoch's trades", NULL},
    {"supply", 0, "token supply", "TKN", "tokens in existence (the ledger's supply)", NULL},
    {"minted", 0, "tokens minted", "TKN per epoch", "tokens minted this epoch", NULL},
    {"burned", 0, "tokens burned", "TKN per epoch", "tokens burned this epoch", NULL},
    {"emitted_tkn", 0, "emission paid", "TKN per epoch",
     "emission paid out of the reserve this epoch", NULL},
    {"circulating", 0, "circulating supply", "TKN",
     "supply outside the reserve and the escrows of locked or unvested tokens", NULL},
    {"treasury_tkn", 0, "treasury balance", "TKN", "the treasury's balance", NULL},
    {"treasury_spent_usd", 0, "treasury spending", "USD per epoch",
     "USD the treasury raised on the AMM this epoch (§10 Treasury policy)", NULL},
    {"staked_tkn", 0, "total stake", "TKN", "total stake", NULL},
    {"ext_queries", 0, "consumer queries", "queries per epoch", "network queries by consumers",
     NULL},
    {"wash_queries", 0, "wash queries", "queries per epoch", "queries by farmers paying themselves",
     NULL},
    {"ext_fee_usd", 0, "consumer fee volume", "USD per epoch",
     "fees consumers paid for network queries", NULL},
    {"wash_fee_usd", 0, "wash fee volume", "USD per epoch",
     "fees of the farmers' self-dealing queries", NULL},
    {"emission_usd", 0, "emission value", "USD per epoch", "emitted_tkn times the price", NULL},
    {"real_yield", 0, "real yield", "ratio",
     "ext_fee_usd / emission_usd: 1 when outside fees pay for emissions", NULL},
    {"self_ref_share", 0, "self-referential fee share", "fraction, 0-1",
     "wash fees' share of all query fees", NULL},
    {"mean_model_quality", 0, "model quality used", "quality, 0-1",
     "query-weighted mean quality Q of the models used", NULL},
    {"listed_models", 0, "listed models", "models", "models consumers can choose", NULL},
    {"data_count", 0, "accepted contributions", "contributions", "accepted data contributions",
     NULL},
    {"duplicate_share", 0, "duplicate data share", "fraction, 0-1",
     "duplicates' share of the accepted contributions", NULL},
    {"poisoned_share", 0, "poisoned data share", "fraction, 0-1",
     "poisoned share of the accepted contributions", NULL},
    {"backdoored_models", 0, "backdoored models", "models", "listed models with a backdoor", NULL},
    {"harm_rate", 0, "harmful query share", "fraction, 0-1",
     "harmful share of external network queries", NULL},
    {"consumers", 0, "active consumers", "agents", "active consumers", NULL},
    {"incumbent_share", 0, "incumbent's query share", "fraction, 0-1",
     "share of consumer queries that went to the incumbent", NULL},
    {"demand_queries", 0, "consumer demand", "queries per epoch",
     "all consumer queries (network and incumbent)", NULL},
    {"incumbent_quality", 0, "incumbent quality", "quality, 0-1",
     "the incumbent's quality q_inc(t)", NULL},
    {"reward_tkn.", 0, "rewards to *", "TKN",
     "per class: emissions and fee shares granted (series: this epoch; summary: over the run)",
     CLASSES},
    {"farmer_capture", 0, "rewards captured by farmers", "fraction, 0-1",
     "share of rewards taken by spammers, poisoners, fake nodes and farmers", NULL},
    {"roi.", 0, "return of *", "return on cost",
     "per class: the class's trailing return (R - C) / C", CLASSES},
    {"active.", 0, "active *", "agents", "per class: agents of the class", CLASSES},
    {"reward_gini", 0, "reward Gini", "Gini, 0-1",
     "Gini of this epoch's rewards over every rewarded agent", NULL},
    {"compute_hhi", 0, "compute concentration (HHI)", "HHI, 0-1",
     "Herfindahl index of queries served by region", NULL},
    {"compute_share.", 0, "compute share of *", "fraction, 0-1",
     "per region: its share of served queries", REGIONS},
    {"compute_income_cost.", 0, "income/cost of * nodes", "ratio",
     "per region: its nodes' trailing income / cost", REGIONS},
    {"nakamoto", 0, "Nakamoto coefficient", "operators",
     "fewest node operators serving more than half the queries", NULL},
    {"latency_mean", 0, "mean latency", "days",
     "mean wait + service of the queries served this epoch", NULL},
    {"audits", 0, "audits", "per epoch", "audits made this epoch", NULL},
    {"detected", 0, "detections", "per epoch", "cheats detected this epoch", NULL},
    {"slashed_tkn", 0, "tokens slashed", "TKN per epoch", "stake slashed this epoch", NULL},
    /* series of price formation, each only while its mechanism is on (§10) */
    {"lp_depth_usd", 0, "pool depth", "USD", "with lp.enabled: the pool's value 2y", NULL},
    {"lp_return", 0, "LP return over holding", "per year",
     "with lp.enabled: the LPs' trailing annual return over holding, rho", NULL},
    {"reference_price", 0, "reference price", "USD per TKN",
     "with a reference.mode: the outside price P", NULL},
    {"arb_volume_usd", 0, "arbitrage volume", "USD per epoch",
     "with a reference.mode: the epoch's arbitrage trade", NULL},
    {"arb_gain_usd", 0, "arbitrage gain", "USD per epoch",
     "with a reference.mode: the arbitrage's gain net of its cost", NULL},
    {"holder_tkn", 0, "holders' tokens", "TKN", "with holders.capital > 0: the holders' TKN", NULL},
    {"holder_target", 0, "holders' target share", "fraction, 0-1",
     "with holders.capital > 0: the share w* of their wealth holders want in TKN", NULL},
    /* series of the adversary module (docs/model-adversary.md) */
    {"poisoned_max", 0, "largest poisoned count", "contributions",
     "largest poisoned count in any datanet", NULL},
    {"wash_return", 0, "wash return", "TKN per TKN",
     "usage-linked emission to washers per TKN of their fees", NULL},
    {"fake_compute_share", 0, "fake nodes' compute share", "fraction, 0-1",
     "fake nodes' share of the compute pool", NULL},
    {"fake_nodes", 0, "fake nodes", "nodes", "fake compute nodes running", NULL},
    {"fake_caught", 0, "fake nodes caught", "nodes per epoch", "fake nodes caught this epoch",
     NULL},
    {"fake_queries", 0, "queries taken by fake nodes", "queries per epoch",
     "consumer queries fake nodes took", NULL},
    {"fake_failed", 0, "queries failed by fake nodes", "queries per epoch",
     "of those, the ones not re-executed (failed)", NULL},
    {"fake_fee_tkn", 0, "fees to fake nodes", "TKN per epoch",
     "compute fee share paid to fake nodes' operators", NULL},
    {"sybil_identities", 0, "sybil identities", "identities", "farmers' sybil identities", NULL},
    {"wash_rate", 0, "wash rate", "queries per day", "farmers' wash-trading rate", NULL},
    {"mercenary_usd", 0, "mercenary capital", "USD", "mercenary stakers' capital", NULL},
    {"banned", 0, "bans", "per epoch", "bans this epoch", NULL},
    {"clawback_tkn", 0, "tokens clawed back", "TKN per epoch", "rewards clawed back this epoch",
     NULL},
    /* summary: one value per run */
    {"price_drawdown", 1, "price drawdown", "fraction, 0-1",
     "largest fall of the price from a running peak", NULL},
    {"days_to_real_yield", 1, "days to real yield 1", "days",
     "first day real_yield reached 1 (empty when never)", NULL},
    {"cost_usd.", 1, "cost of *", "USD", "per class: costs over the run", CLASSES},
    {"reward_usd.", 1, "rewards to * in USD", "USD",
     "per class: rewards over the run, valued at the price of the day", CLASSES},
    {"income_usd.", 1, "income of *", "USD", "per class: income over the run", CLASSES},
    {"profit_usd.", 1, "profit of *", "USD", "per class: income - cost over the run", CLASSES},
    {"entered.", 1, "* entered", "agents", "per class: agents that entered during the run",
     CLASSES},
    {"exited.", 1, "* exited", "agents", "per class: agents that left during the run", CLASSES},
    {"attack_cost_usd", 1, "cost of attack", "USD",
     "cost of attack: the adversarial classes' costs over the run", NULL},
    {"attacker_profit_usd", 1, "attacker profit", "USD",
     "the adversarial classes' income - cost over the run", NULL},
    {"slashed_tkn.", 1, "tokens slashed from *", "TKN",
     "per adversarial class: stake slashed over the run", ADVERSARIES},
    {"clawback_tkn.", 1, "tokens clawed back from *", "TKN",
     "per adversarial class: rewards clawed back over the run", ADVERSARIES},
    {"slashed_usd.", 1, "value slashed from *", "USD",
     "per adversarial class: stake slashed over the run", ADVERSARIES},
    {"roi_run.", 1, "run return of *", "return on cost",
     "per adversarial class: (income - cost) / cost over the run", ADVERSARIES},
    {"farm_cost_usd.", 1, "farming cost (*)", "USD", "per farmer strategy: costs over the run",
     STRATEGIES},
    {"farm_income_usd.", 1, "farming income (*)", "USD", "per farmer strategy: income over the run",
     STRATEGIES},
    {"farm_profit_usd.", 1, "farming profit (*)", "USD",
     "per farmer strategy: income - cost over the run", STRATEGIES},
    {"farm_reward_tkn.", 1, "farming rewards (*)", "TKN",
     "per farmer strategy: rewards over the run", STRATEGIES},
    {"farmers_seen", 1, "farmers seen", "farmers", "farmers that took part", NULL},
    {"farmers_profitable_share", 1, "profitable farmer share", "fraction, 0-1",
     "share of them whose income exceeded their cost", NULL},
    {"farmers_departed", 1, "farmers departed", "farmers", "farmers that left", NULL},
    {"farmers_departed_profitable", 1, "farmers departed in profit", "farmers",
     "of those, how many left with income above cost", NULL},
    {"farmers_departed_profit_usd", 1, "departed farmers' profit", "USD",
     "their net profit, income - cost", NULL},
    {"attack_roi", 1, "attacker return", "return on cost",
     "the attackers' (income - cost) / cost over the run", NULL},
    {"banned_total", 1, "bans over the run", "bans", "bans over the run", NULL},
    {"queries_total", 1, "queries over the run", "queries", "queries over the run", NULL},
    {"events", 1, "simulation events", "events", "simulation events processed", NULL},
};
const size_t metdoc_count = sizeof metdoc_table / sizeof metdoc_table[0];

int metdoc_member(const metdoc *m, const char *suffix)
{
    size_t n = strlen(suffix);
    for (const char *p = m->members; n && p && *p;) {
        size_t w = strcspn(p, " ");
        if (w == n && !strncmp(p, suffix, n))
            return 1;
        p += w;
        p += *p == ' ';
    }
    return 0;
}

const metdoc *metdoc_find(const char *name)
{
    if (!strncmp(name, "final.", 6) && name[6])
        name += 6;
    const metdoc *family = NULL;
    size_t family_len = 0;
    for (size_t i = 0; i < metdoc_count; i++) {
        const char *m = metdoc_table[i].name;
        size_t n = strlen(m);
        if (m[n - 1] != '.') {
            if (!strcmp(m, name))
                return &metdoc_table[i];
        } else if (!strncmp(m, name, n) && metdoc_member(&metdoc_table[i], name + n) &&
                   n > family_len) {
            family = &metdoc_table[i];
            family_len = n;
        }
    }
    return family;
}

/* Among the table's names and every member of its families; "final.X" is matched as X
 * and suggested with its prefix. */
void metdoc_nearest(const char *name, char *buf, size_t len)
{
    if (!strncmp(name, "final.", 6) && name[6] && len > 6) {
        metdoc_nearest(name + 6, buf + 6, len - 6);
        if (buf[6])
            memcpy(buf, "final.", 6);
        else
            buf[0] = '\0';
        return;
    }
    enum { MAX_NAMES = 640 };
    char(*full)[64] = malloc(MAX_NAMES * sizeof *full);
    const char **w = malloc(MAX_NAMES * sizeof *w);
    size_t n = 0;
    buf[0] = '\0';
    if (!full || !w) {
        free(full);
        free(w);
        return;
    }
    for (size_t i = 0; i < metdoc_count; i++) {
        const metdoc *m = &metdoc_table[i];
        if (!m->members) {
            if (n < MAX_NAMES)
                w[n++] = m->name;
            continue;
        }
        for (const char *p = m->members; *p && n < MAX_NAMES;) {
            size_t k = strcspn(p, " ");
            snprintf(full[n], sizeof full[n], "%s%.*s", m->name, (int)k, p);
            w[n] = full[n];
            n++;
            p += k;
            p += *p == ' ';
        }
    }
    const char *near = params_nearest_word(name, w, n);
    snprintf(buf, len, "%s", near ? near : "");
    free(full);
    free(w);
}
