/*
 * farmers.h — reward farmers: the strategy mix, the adaptive budget and per-farmer
 * accounting (MODEL.md §2.5; docs/model.md §11, farmers).
 *
 * A farmer (class CLS_FARMER, created by the model's holders.c with a USD budget)
 * runs up to four strategies, each with its own activity level a_s, its own ledger
 * account and its own books:
 *   sybil  identities contributing cheap spam/duplicates to a datanet; paid from the
 *          data pool like any contributor (and the data fee share by attribution);
 *   wash   queries/day bought from its own model: it pays the fee (TKN bought on the
 *          AMM), gets back the model share and its datanet share of the data share,
 *          and collects the usage-linked emissions of the model pool (and of the data
 *          pool under attribution) its self-paid fees earn; flagged queries (wash
 *          recall rho) earn no emissions; wash fees never count as external fees;
 *   fake   fake compute nodes (class CLS_FAKE_COMPUTE) claiming farmers.fake.claims
 *          jobs/day each; paid from the compute pool by claimed work; caught by
 *          verification (defense.h), slashed and ejected;
 *   stake  mercenary staking: USD staked for the APR and the stakers' fee share.
 * Budget: the farmer's budget B (farmers.budget) is split by the normalised mix; a
 * strategy's capacity is its share of B divided by the USD one unit costs per day
 * (stake: per USD staked), and it starts at farmers.initial × capacity.
 * Adaptation (farm_adapt), every epoch of length dt: the farmer's estimate of profit
 * per unit of activity is an EMA (time constant farmers.window) of
 * (income − cost) / (a dt); while it is positive a grows by the factor
 * 1 + farmers.adapt·dt up to capacity, while negative it shrinks by 1 − adapt·dt. Exit
 * is a profit test at the activity it adapts to: a second EMA holds the undiluted profit
 * per unit (what its pools would pay it per unit were the farmers' weight in them
 * vanishing: the best any activity of the strategy earns), and the strategy stops once
 * that estimate has been negative for farmers.patience days in a row — so a strategy that
 * pays at some smaller activity never stops while it adapts there, whatever its budget.
 * A farmer whose strategies all stopped leaves. Farmers sell every token at once.
 * Entry (farm_reconsider), by strategy: each strategy's books over all farmers give a
 * trailing return (EMA over agents.window, like every class's) and new farmers arrive
 * for strategy s at wld_entry_rate(m_s·farmers.entry, that return, farmers running s,
 * agents.probe), each running s alone with its whole budget (docs/model.md §11).
 */
#ifndef CRC_FARMERS_H
#define CRC_FARMERS_H

#include <stdint.h>

#include "model/token/ledger.h"
#include "model/world/world.h"

struct world;

enum { STRAT_SYBIL, STRAT_WASH, STRAT_FAKE, STRAT_STAKE, STRAT_COUNT };

/* Where farmers are paid from a pool: wash from the model pool and (under attribution) the
 * data pool, sybils from the data pool, fake nodes from the compute pool. */
enum { FARM_SITE_MODEL, FARM_SITE_DATA_WASH, FARM_SITE_DATA_SYBIL, FARM_SITE_COMPUTE, FARM_SITES };

/* "sybil", "wash", "fake", "stake". */
const char *farm_strategy_name(int s);

/* Farmers, by stable slot (free list). */
typedef struct farm_pop {
    uint32_t n, cap;
    uint32_t *free_list, n_free;
    uint8_t *alive;
    acct_id *owner;                 /* the farmer's account in w->fm            */
    uint32_t *dn;                   /* datanet of its sybils and its model      */
    long *seen;                     /* last epoch it was found in w->fm         */
    double *sybil_score;            /* attribution score its sybils hold in dn  */
    double *points;                 /* penalty points of its sybil identities   */
    double *stake_b0, *stake_u0;    /* stake account: balance, unbonding at pay */
    double *f_inc, *f_cost;         /* this farmer's cumulative income and cost */
    acct_id *acct[STRAT_COUNT];
    double *act[STRAT_COUNT], *capy[STRAT_COUNT], *ema[STRAT_COUNT];
    double *neg[STRAT_COUNT];       /* days in a row farm_undiluted was < 0     */
    /* per pay site (FARM_SITE_*): the pool pay (USD) and the weight per unit of
     * activity (EMAs over farmers.window), and this epoch's pay (TKN) and weight */
    double *pe[FARM_SITES], *om[FARM_SITES], *ep_pay[FARM_SITES], *ep_w[FARM_SITES];
    double *ep_inc[STRAT_COUNT], *ep_cost[STRAT_COUNT], *ep_tkn[STRAT_COUNT];
    double *ep_wt[STRAT_COUNT];     /* weight claimed in its pool this epoch    */
    /* fake nodes: how many run this epoch (taking consumer queries), the queries they
     * took and the compute fee share owed for them (paid at settlement) */
    double *fnodes, *fq, *fq_tkn;
    uint32_t *fcum;                 /* fake nodes of the slots before, and own  */
    /* cumulative per strategy over all farmers (the summary) */
    double cum_inc[STRAT_COUNT], cum_cost[STRAT_COUNT], cum_tkn[STRAT_COUNT];
    /* per strategy over all farmers: this epoch's books, the trailing return that
     * drives entry, and how many farmers run it */
    double ep_sinc[STRAT_COUNT], ep_scost[STRAT_COUNT];
    /* per pay site: the pool divided and its honest weight this epoch, their EMAs per
     * day, and the USD a TKN sold for at the last settlement */
    double site_b[FARM_SITES], site_wh[FARM_SITES], site_bbar[FARM_SITES], site_whbar[FARM_SITES];
    double sell;
    wld_acc acc[STRAT_COUNT];
    long running[STRAT_COUNT];
    long live;                      /* farmers alive                            */
    long done, done_profitable;     /* farmers that left; of them in profit     */
    double done_profit_usd;         /* net profit (income − cost) of those gone */
} farm_pop;

/* One adaptation step (see the file comment): the new activity given activity a,
 * capacity cap, the realised profit-per-unit estimate ema, step = farmers.adapt × dt, the
 * days neg the undiluted estimate has been negative in a row (this epoch included; the
 * caller counts them, and that estimate is never below ema) and patience.
 * Returns 0 when the strategy stops (and whenever a or cap is 0). */
double farm_adapt(double a, double cap, double ema, double step, double neg, double patience);

/* Farmer k's undiluted profit per unit of strategy s (the exit test, docs/model.md §11):
 * its realised estimate ema with, for each pool paying s, its realised pool pay per unit
 * p̄ replaced by the pool's rate over the honest weight alone, (B̄/W̄_h)·ω̄ valued at the
 * last sale price (B̄, W̄_h the pool and its honest weight per day, ω̄ the farmer's weight
 * per unit: EMAs over farmers.window) — what the pool would pay it were the farmers'
 * weight in it vanishing, the best per-unit profit any activity of s can earn. */
double farm_undiluted(const farm_pop *f, int s, uint32_t k);

/* Profit of wash consumption per USD of self-paid fee, with every token passing the
 * AMM at an unchanged price: the fee buys (1−f)/P TKN per USD, the farmer gets back a
 * share k of the fee and e TKN of usage-linked emission per TKN of fee, and sells them
 * for (1−f) P; c is its overhead per USD of fee:
 *   profit = (k + e)(1 − f)^2 − 1 − c.
 * (k counts the shares of the TKN part of the fee; with fees.buyback = 0 that is all.) */
double farm_wash_profit(double k, double e, double f, double c);

/* The usage-linked return e at which wash consumption breaks even:
 *   e* = (1 + c)/(1 − f)^2 − k   (so e + k ≈ 1 + c when the swap fee f is small). */
double farm_wash_breakeven(double k, double f, double c);

/* Hooks (attack.h calls them). */
/* A consumer query taken by fake node j (0 <= j < w->fake_n, the router's index among
 * the epoch's fake nodes): counts it for the node's farmer, who is owed `tkn` of the
 * compute fee share. */
void farm_fake_served(struct world *w, uint32_t j, double tkn);

int farm_pop_init(farm_pop *f);
void farm_pop_free(farm_pop *f);
void farm_pay(struct world *w, double t0, double t1);
void farm_settle(struct world *w, double t0, double t1, double price);
int farm_reconsider(struct world *w, double t, double dt);

#endif
