/*
 * metinfo.c — the table of metric labels, units and meanings (metinfo.h). One line per
 * metric or family; keep it in step with what metrics.c and the adversary write
 * (tests/test_plot.c checks that every name a baseline run stores is found here).
 */
#include "model/metinfo.h"

#include <stdio.h>
#include <string.h>

const met_info met_info_table[] = {
    /* Token market and supply (docs/model.md §6). */
    {"price_usd", "token price", "USD/TKN", "AMM price y/x after the epoch's trades"},
    {"supply", "token supply", "TKN", "ledger supply"},
    {"minted", "tokens minted", "TKN per epoch", "tokens minted this epoch"},
    {"burned", "tokens burned", "TKN per epoch", "tokens burned this epoch"},
    {"emitted_tkn", "emission paid", "TKN per epoch", "emission paid out of the reserve this epoch"},
    {"circulating", "circulating supply", "TKN", "supply outside the reserve and the escrows of locked or unvested tokens"},
    {"treasury_tkn", "treasury balance", "TKN", "the treasury's token balance"},
    {"staked_tkn", "total stake", "TKN", "tokens staked"},
    {"emission_usd", "emission value", "USD per epoch", "emitted_tkn times the price"},
    {"price_drawdown", "price drawdown", "fraction of peak", "largest fall of the price from a running peak over the run"},
    /* Demand and fees. */
    {"ext_queries", "consumer queries", "queries per epoch", "network queries by consumers"},
    {"wash_queries", "wash queries", "queries per epoch", "network queries by farmers' self-dealing"},
    {"ext_fee_usd", "consumer fee volume", "USD per epoch", "fees paid by consumers' queries"},
    {"wash_fee_usd", "wash fee volume", "USD per epoch", "fees paid by farmers' own queries"},
    {"real_yield", "real yield", "external fees / emission value", "ext_fee_usd / emission_usd: 1 means fees pay for emissions"},
    {"self_ref_share", "self-referential fee share", "fraction", "wash_fee_usd / (ext_fee_usd + wash_fee_usd)"},
    {"consumers", "active consumers", "agents", "consumers still using the network or the incumbent"},
    {"incumbent_share", "incumbent's query share", "fraction", "share of consumer queries that went to the incumbent"},
    {"demand_queries", "consumer demand", "queries per epoch", "all consumer queries (network and incumbent)"},
    {"incumbent_quality", "incumbent quality", "quality, 0-1", "q_inc(t), the outside option's quality"},
    {"days_to_real_yield", "days to real yield 1", "days", "first day real_yield reached 1 (empty when never)"},
    {"queries_total", "queries over the run", "queries", "every query served over the run"},
    {"events", "simulation events", "events", "events the engine processed"},
    /* Data and models. */
    {"mean_model_quality", "model quality used", "quality, 0-1", "query-weighted mean quality of the models consumers used"},
    {"listed_models", "listed models", "models", "models consumers can choose"},
    {"data_count", "accepted contributions", "contributions", "data contributions accepted"},
    {"duplicate_share", "duplicate data share", "fraction", "share of accepted contributions that are duplicates"},
    {"poisoned_share", "poisoned data share", "fraction", "share of accepted contributions that are poisoned"},
    {"poisoned_max", "largest poisoned count", "contributions", "largest poisoned count in any datanet"},
    {"backdoored_models", "backdoored models", "models", "listed models with a backdoor"},
    {"harm_rate", "harmful query share", "fraction", "harmful share of external network queries"},
    /* Rewards and returns by class. */
    {"reward_tkn.*", "rewards to *", "TKN per epoch", "emissions and fee shares granted to the class"},
    {"farmer_capture", "rewards captured by farmers", "fraction", "share of rewards taken by spammers, poisoners, fake nodes and farmers"},
    {"roi.*", "return of *", "(income - cost) / cost", "the class's trailing return"},
    {"roi_run.*", "run return of *", "(income - cost) / cost", "cumulative income minus cost over cost, over the run"},
    {"active.*", "active *", "agents", "agents of the class"},
    {"reward_gini", "reward Gini", "Gini, 0-1", "Gini coefficient of the epoch's rewards over every rewarded agent"},
    {"cost_usd.*", "cost of *", "USD", "the class's costs over the run"},
    {"reward_usd.*", "rewards to * in USD", "USD", "the class's rewards over the run at the price of the day"},
    {"income_usd.*", "income of *", "USD", "the class's income over the run"},
    {"profit_usd.*", "profit of *", "USD", "income minus cost of the class over the run"},
    {"entered.*", "* entered", "agents", "agents of the class that entered over the run"},
    {"exited.*", "* exited", "agents", "agents of the class that left over the run"},
    /* Compute. */
    {"compute_hhi", "compute concentration (HHI)", "HHI, 0-1", "Herfindahl index of queries served by region"},
    {"compute_share.*", "compute share of *", "fraction", "the region's share of served queries"},
    {"compute_income_cost.*", "income/cost of * nodes", "income / cost", "the region's nodes' trailing income over cost"},
    {"nakamoto", "Nakamoto coefficient", "operators", "fewest operators serving more than half of the queries"},
    {"latency_mean", "mean latency", "days", "mean wait and service of the queries that entered service"},
    /* Defenses and adversaries (docs/model-adversary.md). */
    {"audits", "audits", "per epoch", "audits run this epoch"},
    {"detected", "detections", "per epoch", "audits that caught a poisoner or fake node this epoch"},
    {"slashed_tkn", "tokens slashed", "TKN per epoch", "stake slashed this epoch"},
    {"slashed_tkn.*", "tokens slashed from *", "TKN", "stake slashed from the class over the run"},
    {"slashed_usd.*", "value slashed from *", "USD", "stake slashed from the class over the run, in USD"},
    {"clawback_tkn", "tokens clawed back", "TKN per epoch", "rewards clawed back this epoch"},
    {"clawback_tkn.*", "tokens clawed back from *", "TKN", "rewards clawed back from the class over the run"},
    {"banned", "bans", "per epoch", "identities banned this epoch"},
    {"banned_total", "bans over the run", "identities", "identities banned over the run"},
    {"wash_return", "wash return", "TKN per TKN of fees", "usage-linked emission to washers per TKN of their fees"},
    {"fake_compute_share", "fake nodes' compute share", "fraction", "fake nodes' share of the compute pool"},
    {"fake_nodes", "fake nodes", "nodes", "fake compute nodes running"},
    {"fake_caught", "fake nodes caught", "nodes per epoch", "fake nodes caught this epoch"},
    {"fake_queries", "queries taken by fake nodes", "queries per epoch", "consumer queries fake nodes took"},
    {"fake_failed", "queries failed by fake nodes", "queries per epoch", "queries fake nodes took and did not re-execute"},
    {"fake_fee_tkn", "fees to fake nodes", "TKN per epoch", "compute fee share paid to fake nodes' operators"},
    {"sybil_identities", "sybil identities", "identities", "identities farmers run"},
    {"wash_rate", "wash rate", "queries per epoch", "farmers' wash queries"},
    {"mercenary_usd", "mercenary capital", "USD", "capital farmers hold for the launch-period emissions"},
    {"attack_cost_usd", "cost of attack", "USD", "costs of the adversarial classes over the run"},
    {"attacker_profit_usd", "attacker profit", "USD", "income minus cost of the adversarial classes over the run"},
    {"attack_roi", "attacker return", "(income - cost) / cost", "the adversarial classes' return over the run"},
    {"farm_cost_usd.*", "farming cost (*)", "USD", "cost of the farmer strategy over the run"},
    {"farm_income_usd.*", "farming income (*)", "USD", "income of the farmer strategy over the run"},
    {"farm_profit_usd.*", "farming profit (*)", "USD", "income minus cost of the farmer strategy"},
    {"farm_reward_tkn.*", "farming rewards (*)", "TKN", "rewards to the farmer strategy over the run"},
    {"farmers_seen", "farmers seen", "agents", "farmers that took part over the run"},
    {"farmers_profitable_share", "profitable farmer share", "fraction", "share of farmers whose income exceeded their cost"},
    {"farmers_departed", "farmers departed", "agents", "farmers that left"},
    {"farmers_departed_profitable", "farmers departed in profit", "agents", "farmers that left with a net profit"},
    {"farmers_departed_profit_usd", "departed farmers' profit", "USD", "net profit of the farmers that left"},
};
const size_t met_info_count = sizeof met_info_table / sizeof *met_info_table;

static const met_info *lookup(const char *name)
{
    for (size_t i = 0; i < met_info_count; i++)
        if (!strcmp(met_info_table[i].name, name))
            return &met_info_table[i];
    return NULL;
}

const met_info *met_info_find(const char *name)
{
    const met_info *m = lookup(name);
    if (m)
        return m;
    const char *dot = strrchr(name, '.');
    if (dot) {
        char fam[128];
        if (snprintf(fam, sizeof fam, "%.*s.*", (int)(dot - name), name) < (int)sizeof fam &&
            (m = lookup(fam)))
            return m;
    }
    return !strncmp(name, "final.", 6) ? met_info_find(name + 6) : NULL;
}
