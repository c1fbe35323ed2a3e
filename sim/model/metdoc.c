/* metdoc.c — the metric table (metdoc.h). Order: as docs/model.md §6 lists them. */
#include "model/metdoc.h"

#include <string.h>

/* The members of the families (model/token/classes.c, the regions, the farmer
 * strategies). */
#define CLASSES "honest spammer poisoner builder compute fake_compute farmer staker"
#define ADVERSARIES "spammer poisoner fake_compute farmer"
#define REGIONS "us eu asia nordic"
#define STRATEGIES "fake stake sybil wash"

const metdoc metdoc_table[] = {
    /* series, every epoch (docs/model.md §6) */
    {"price_usd", 0, "USD per TKN", "AMM price y/x after the epoch's trades", NULL},
    {"supply", 0, "TKN", "tokens in existence (the ledger's supply)", NULL},
    {"minted", 0, "TKN per epoch", "tokens minted this epoch", NULL},
    {"burned", 0, "TKN per epoch", "tokens burned this epoch", NULL},
    {"emitted_tkn", 0, "TKN per epoch", "emission paid out of the reserve this epoch", NULL},
    {"circulating", 0, "TKN", "supply outside the reserve and the escrows of locked tokens", NULL},
    {"treasury_tkn", 0, "TKN", "the treasury's balance", NULL},
    {"staked_tkn", 0, "TKN", "total stake", NULL},
    {"ext_queries", 0, "queries per epoch", "network queries by consumers", NULL},
    {"wash_queries", 0, "queries per epoch", "queries by farmers paying themselves", NULL},
    {"ext_fee_usd", 0, "USD per epoch", "fees consumers paid for network queries", NULL},
    {"wash_fee_usd", 0, "USD per epoch", "fees of the farmers' self-dealing queries", NULL},
    {"emission_usd", 0, "USD per epoch", "emitted_tkn times the price", NULL},
    {"real_yield", 0, "ratio", "ext_fee_usd / emission_usd: 1 when outside fees pay for emissions",
     NULL},
    {"self_ref_share", 0, "fraction, 0-1", "wash fees' share of all query fees", NULL},
    {"mean_model_quality", 0, "quality, 0-1", "query-weighted mean quality Q of the models used",
     NULL},
    {"listed_models", 0, "models", "models consumers can choose", NULL},
    {"data_count", 0, "contributions", "accepted data contributions", NULL},
    {"duplicate_share", 0, "fraction, 0-1", "duplicates' share of the accepted contributions",
     NULL},
    {"poisoned_share", 0, "fraction, 0-1", "poisoned share of the accepted contributions", NULL},
    {"backdoored_models", 0, "models", "listed models with a backdoor", NULL},
    {"harm_rate", 0, "fraction, 0-1", "harmful share of external network queries", NULL},
    {"consumers", 0, "agents", "active consumers", NULL},
    {"incumbent_share", 0, "fraction, 0-1", "share of consumer queries that went to the incumbent",
     NULL},
    {"demand_queries", 0, "queries per epoch", "all consumer queries (network and incumbent)",
     NULL},
    {"incumbent_quality", 0, "quality, 0-1", "the incumbent's quality q_inc(t)", NULL},
    {"reward_tkn.", 0, "TKN",
     "per class: emissions and fee shares granted (series: this epoch; summary: over the run)",
     CLASSES},
    {"farmer_capture", 0, "fraction, 0-1",
     "share of rewards taken by spammers, poisoners, fake nodes and farmers", NULL},
    {"roi.", 0, "return on cost", "per class: the class's trailing return (R - C) / C", CLASSES},
    {"active.", 0, "agents", "per class: agents of the class", CLASSES},
    {"reward_gini", 0, "Gini, 0-1", "Gini of this epoch's rewards over every rewarded agent", NULL},
    {"compute_hhi", 0, "HHI, 0-1", "Herfindahl index of queries served by region", NULL},
    {"compute_share.", 0, "fraction, 0-1", "per region: its share of served queries", REGIONS},
    {"compute_income_cost.", 0, "ratio", "per region: its nodes' trailing income / cost", REGIONS},
    {"nakamoto", 0, "operators", "fewest node operators serving more than half the queries", NULL},
    {"latency_mean", 0, "days", "mean wait + service of the queries served this epoch", NULL},
    {"audits", 0, "per epoch", "audits made this epoch", NULL},
    {"detected", 0, "per epoch", "cheats detected this epoch", NULL},
    {"slashed_tkn", 0, "TKN per epoch", "stake slashed this epoch", NULL},
    /* series of the adversary module (docs/model-adversary.md) */
    {"poisoned_max", 0, "contributions", "largest poisoned count in any datanet", NULL},
    {"wash_return", 0, "TKN per TKN", "usage-linked emission to washers per TKN of their fees",
     NULL},
    {"fake_compute_share", 0, "fraction, 0-1", "fake nodes' share of the compute pool", NULL},
    {"fake_nodes", 0, "nodes", "fake compute nodes running", NULL},
    {"fake_caught", 0, "nodes per epoch", "fake nodes caught this epoch", NULL},
    {"fake_queries", 0, "queries per epoch", "consumer queries fake nodes took", NULL},
    {"fake_failed", 0, "queries per epoch", "of those, the ones not re-executed (failed)", NULL},
    {"fake_fee_tkn", 0, "TKN per epoch", "compute fee share paid to fake nodes' operators", NULL},
    {"sybil_identities", 0, "identities", "farmers' sybil identities", NULL},
    {"wash_rate", 0, "queries per day", "farmers' wash-trading rate", NULL},
    {"mercenary_usd", 0, "USD", "mercenary stakers' capital", NULL},
    {"banned", 0, "per epoch", "bans this epoch", NULL},
    {"clawback_tkn", 0, "TKN per epoch", "rewards clawed back this epoch", NULL},
    /* summary: one value per run */
    {"price_drawdown", 1, "fraction, 0-1", "largest fall of the price from a running peak", NULL},
    {"days_to_real_yield", 1, "days", "first day real_yield reached 1 (empty when never)", NULL},
    {"cost_usd.", 1, "USD", "per class: costs over the run", CLASSES},
    {"reward_usd.", 1, "USD", "per class: rewards over the run, valued at the price of the day",
     CLASSES},
    {"income_usd.", 1, "USD", "per class: income over the run", CLASSES},
    {"profit_usd.", 1, "USD", "per class: income - cost over the run", CLASSES},
    {"entered.", 1, "agents", "per class: agents that entered during the run", CLASSES},
    {"exited.", 1, "agents", "per class: agents that left during the run", CLASSES},
    {"attack_cost_usd", 1, "USD", "cost of attack: the adversarial classes' costs over the run",
     NULL},
    {"attacker_profit_usd", 1, "USD", "the adversarial classes' income - cost over the run", NULL},
    {"slashed_tkn.", 1, "TKN", "per adversarial class: stake slashed over the run", ADVERSARIES},
    {"clawback_tkn.", 1, "TKN", "per adversarial class: rewards clawed back over the run",
     ADVERSARIES},
    {"slashed_usd.", 1, "USD", "per adversarial class: stake slashed over the run", ADVERSARIES},
    {"roi_run.", 1, "return on cost", "per adversarial class: (income - cost) / cost over the run",
     ADVERSARIES},
    {"farm_cost_usd.", 1, "USD", "per farmer strategy: costs over the run", STRATEGIES},
    {"farm_income_usd.", 1, "USD", "per farmer strategy: income over the run", STRATEGIES},
    {"farm_profit_usd.", 1, "USD", "per farmer strategy: income - cost over the run", STRATEGIES},
    {"farm_reward_tkn.", 1, "TKN", "per farmer strategy: rewards over the run", STRATEGIES},
    {"farmers_seen", 1, "farmers", "farmers that took part", NULL},
    {"farmers_profitable_share", 1, "fraction, 0-1",
     "share of them whose income exceeded their cost", NULL},
    {"farmers_departed", 1, "farmers", "farmers that left", NULL},
    {"farmers_departed_profitable", 1, "farmers", "of those, how many left with income above cost",
     NULL},
    {"farmers_departed_profit_usd", 1, "USD", "their net profit, income - cost", NULL},
    {"attack_roi", 1, "return on cost", "the attackers' (income - cost) / cost over the run", NULL},
    {"banned_total", 1, "bans", "bans over the run", NULL},
    {"queries_total", 1, "queries", "queries over the run", NULL},
    {"events", 1, "events", "simulation events processed", NULL},
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
