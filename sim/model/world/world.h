/*
 * world.h — the state of one model run (docs/model.md), shared by the model's modules.
 *
 * One `world` holds the engine, the token economy (token.h: ledger, AMM, emission,
 * vesting, staking, treasury, market), the datanets as aggregates and the agent
 * populations as struct-of-arrays, plus the per-epoch tallies the metrics read.
 * Arrays are sized at run start and grow only by doubling when agents enter (at epoch
 * boundaries), never per event.
 *
 * Module prefixes: wld_ (world.c: setup, growth, stream scheduling, trailing returns, the
 * consumers' listing table). The modules that act on this state declare their own
 * functions: the agents in agents/agents.h (prov_, bld_, node_, cons_, hold_, rew_),
 * the adversaries in the adversary/ headers, the metrics in metrics.h (met_).
 *
 * Ownership: wld_alloc allocates everything, wld_free releases everything; nothing is
 * kept in static storage, so runs are independent.
 */
#ifndef CRC_WORLD_H
#define CRC_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "engine/alias.h"
#include "engine/sim.h"
#include "engine/fcfs.h"
#include "engine/zig.h"
#include "model/token/classes.h"
#include "model/core/params.h"
#include "model/core/pstream.h"
#include "model/core/sink.h"
#include "model/token/token.h"

/* Event kinds registered with the engine. */
enum {
    EV_EPOCH = 1,   /* settle rewards, sample metrics, agents reconsider (periodic) */
    EV_QUERY,       /* a consumer query (the consumers' stream; b its generation)   */
    EV_CONTRIB,     /* a data contribution (the providers' stream; b its generation)*/
    EV_DEPART,      /* node a: training job b ends, or (b = 1) its last job leaves  */
    EV_TRAIN,       /* builder a (generation b) starts a (re)training job           */
    EV_INTERVENE,   /* governance intervention a is applied                         */
    EV_KIND_COUNT
};

/* Random-stream purposes for rng_stream_alloc(seed, replicate, purpose): one per
 * population or mechanism, so that adding draws to one never shifts another. */
enum {
    RNG_PROVIDERS, RNG_CONTRIB, RNG_BUILDERS, RNG_NODES, RNG_SERVICE, RNG_ROUTE,
    RNG_CONSUMERS, RNG_QUERIES, RNG_TASTES, RNG_STAKERS, RNG_FARMERS, RNG_ENTRY,
    RNG_ATTRIB, RNG_MARKET, RNG_METRICS, RNG_REFERENCE, RNG_ARRIVALS, RNG_COUNT
};
#define WLD_RNG_BASE 0x6d6f64656c000000ULL /* "model" */

#define WLD_REGIONS 4
#define WLD_ROUTE_RING 64  /* routing uniforms drawn ahead of use (a power of two) */
#define WLD_TRAIN_BIT (1ULL << 63)
#define WLD_MAX_METRICS 128
#define WLD_GINI_SAMPLE 50000 /* agents beyond which reward_gini is estimated on a sample */
#define WLD_YIELD_CAP 1e9  /* real_yield reported when fees flow but nothing is emitted */

enum { PK_HONEST = 0, PK_SPAMMER = 1, PK_POISONER = 2 }; /* provider variants */


/* Trailing return on cost: EMAs of USD income and cost per day, time constant W. */
typedef struct wld_acc {
    double R, C;
} wld_acc;

/* Per-class tallies (index: acct_class). */
typedef struct wld_class {
    long active, entered, exited;
    double ep_tkn, ep_usd, ep_cost;      /* rewards and costs this epoch         */
    double cum_tkn, cum_usd, cum_cost;
    double cum_income_usd;               /* rewards + other income (payments)   */
    double ep_income_usd;
    wld_acc acc;                          /* class trailing return               */
} wld_class;

typedef struct wld_datanets {
    uint32_t n;
    double *count, *qvol, *poisoned, *dups, *score;
    double *fee_tkn;        /* data fee share held for settlement this epoch      */
    double *fee_usd;        /* model fees earned on this datanet this epoch       */
    double *fee_ema;        /* trailing model fee USD/day (builders' choice)      */
    double *rew_ema;        /* trailing data reward USD/day per provider          */
    double *rew_usd;        /* data rewards paid this epoch                       */
    uint32_t *n_prov, *n_models;
} wld_datanets;

/* A provider's fields touched by every contribution, packed in one 32-byte record
 * (two to a cache line, never split across two) because contributions pick
 * providers at random. */
typedef struct wld_prov {
    double score;         /* attribution score held in its datanet          */
    float q, cost;
    float ep_count, ep_qvol, ep_cost;  /* this epoch                        */
    uint32_t dn : 30;     /* its datanet (world.datanets <= 100000)         */
    uint32_t kind : 2;    /* PK_*                                           */
} wld_prov;
_Static_assert(sizeof(wld_prov) == 32, "a provider's record is 32 bytes");

typedef struct wld_providers {
    uint32_t n, cap;
    wld_prov *r;
    float *rate;                /* contributions per day: read when a window is drawn */
    acct_id *acct;
    float *born;
    double *ep_tkn;
    wld_acc *acc;
    pstream st;                 /* contributions: one Poisson stream (pstream.h) */
} wld_providers;

/* A model builder's fields that a query reads or tallies, in one 64-byte record on
 * one cache line: queries reach builders at random, and one line fetched ahead of the
 * query serves them all (a column per field cost a miss per field). */
typedef struct wld_builder {
    /* This epoch's tallies. ep_tkn is what the builder earned in TKN; until the
     * epoch settles it is the model share of its queries' fees, owed from the
     * consumers' pool and paid at settlement (rew_settle, step 0). */
    double ep_fee_usd, ep_queries, ep_tkn, ep_cost, ep_pay;
    float price, Q;           /* USD per query; quality                          */
    acct_id acct;
    uint32_t dn;              /* its datanet                                     */
    uint32_t gen;             /* bumped at each birth in the slot (stale events) */
    uint8_t alive, listed, backdoor;
} wld_builder;
_Static_assert(sizeof(wld_builder) == 64, "a builder's record is one cache line");

typedef struct wld_builders {
    uint32_t n, cap;                      /* slot high-water mark, capacity     */
    uint32_t *free_list, n_free;
    wld_builder *r;                       /* 64-byte aligned (crc_realloc_big)  */
    float *fixed_cost, *born;
    float *train_V, *train_pi, *train_pois, *train_S;
    wld_acc *acc;
} wld_builders;

/* A compute node's fields that its jobs touch, in one 64-byte record on one cache
 * line: the queue (a 32-byte station), the account, the region and the epoch's
 * tallies. Queries reach nodes at random, so a query or a departure reads one line
 * rather than one per column. */
typedef struct wld_node {
    fcfs st;    /* its queue: departures known at arrival, no departure events */
    acct_id acct;
    uint8_t region, alive, leaving, fake;
    /* This epoch's tallies; until settlement ep_tkn is the compute shares owed from
     * the consumers' pool (as a builder's ep_tkn is its model shares). */
    double ep_work, ep_tkn, ep_cost;
} wld_node;
_Static_assert(sizeof(wld_node) == 64, "a node's record is one cache line");

typedef struct wld_nodes {
    uint32_t n, cap;
    uint32_t *free_list, n_free;
    wld_node *r;                           /* 64-byte aligned (crc_realloc_big)   */
    float *fixed_cost, *born;
    double *ep_pay;
    wld_acc *acc;
    uint32_t *active, *apos, n_active;     /* routing set (dense)                 */
    uint32_t *load;     /* jobs at the node, in service or waiting, as of due[n]'s last
                         * update: the router's view, a dense column that stays in the
                         * cache (node_jobs brings it up to date)                      */
    double *due;        /* the node's next departure (st.due): load is current before it */
} wld_nodes;

/* A consumer: every field a query touches, in one 16-byte record (four to a cache
 * line, never split across two). */
typedef struct wld_cons {
    float budget, spent, sat;
    uint16_t taste;
} wld_cons;
_Static_assert(sizeof(wld_cons) == 16, "a consumer's record is 16 bytes");

/* A query of the consumers' merged stream, drawn WLD_QUERY_AHEAD queries before it
 * fires and completed in steps as it nears (consumers.c): its time, the alias table's
 * cell and keep test, the consumer, the choice's uniform and the chosen builder slot. */
typedef struct wld_query {
    double t, rest;
    uint32_t cell, i, u, b;
} wld_query;
#define WLD_QUERY_AHEAD 32 /* a power of two */

typedef struct wld_consumers {
    uint32_t n, cap;
    wld_cons *r;
    float *rate;                /* queries per day: read only when the alias table is built */
    /* The queries of all consumers are one Poisson process of the summed rate, each
     * query consumer i's with probability rate_i / sum (consumers.c): one exponential
     * clock and an alias table over the rates, rebuilt when the members change. */
    alias_table by_rate;
    int stale;                  /* members changed since by_rate was built          */
    double t1;                  /* the window's end: no query at or after it        */
    double t_drawn;             /* the time of the last query drawn                 */
    double mean_gap;            /* 1 / the summed rate: days between queries        */
    uint64_t pos;               /* the next query to fire: ring[pos % AHEAD]        */
    wld_query ring[WLD_QUERY_AHEAD];
    pcg32_stride arrivals;      /* RNG_ARRIVALS's 1..4-step maps (q_draw)            */
    int src;                    /* the engine source holding the next query          */
} wld_consumers;

/* Stakers (CLS_STAKER) and farmers (CLS_FARMER): accounts with a USD stake/budget. */
typedef struct wld_holders {
    uint32_t n, cap;
    acct_id *acct;
    float *born;
    double *usd, *ep_tkn, *bal0;
    wld_acc *acc;
} wld_holders;

/* What consumers choose from this epoch: options 0..m-1 are listed models (builder
 * slots in model[]), option m is the incumbent. With c_k(j) taste k's cumulative logit
 * probability of options 0..j (c_k(m) == 1), cut[k*(m+1) + j] = ceil(c_k(j) 2^32) - 1:
 * for a uniform u = x/2^32 the choice is the first j with c_k(j) > u, i.e. with
 * cut >= x (exact, in 4 bytes per entry instead of 8).
 * guide[k*G + g], G = 2^gbits >= 2(m + 1), answers for the x of cell g = x >> (32 - gbits)
 * (the guide-table method of inverse-CDF sampling): j is the first option with
 * c_k(j) > g/G and c its cut; x <= c chooses j, else, when the top bit of j is set,
 * j + 1 holds the rest of the cell, else the scan goes on from j + 1. G is a power of
 * two so that g/G <= u holds exactly. Most queries read the guide entry only, one
 * load where a binary search over a table too large for the cache takes a dozen. */
typedef struct wld_guide {
    uint32_t j;   /* first option of the cell; top bit: j + 1 takes the rest of it */
    uint32_t c;   /* cut of option j                                              */
} wld_guide;

typedef struct wld_listing {
    uint32_t m, cap;
    uint32_t *model;
    uint32_t *cut;
    size_t cut_cap;
    double *row;              /* scratch: one taste's cumulative probabilities       */
    size_t row_cap;
    wld_guide *guide;
    size_t guide_cap;
    double *memo;             /* per taste and option: the last exponent and its exp */
    uint32_t memo_cap;
    unsigned gbits;
    uint32_t tastes;
    double *beta_q, *beta_p;
    double q_inc;
} wld_listing;

/* What node_prefetch_route has read of the routing whose uniforms start at ring place
 * k: its two candidates, and the one it will likely pick (UINT32_MAX until guessed). */
typedef struct wld_route_guess {
    uint32_t k, a, b, n;
} wld_route_guess;

struct world;
struct model_input;

/* What the adversary layer (sim/model/adversary) may do to the agents' populations,
 * which live in the layer above it (sim/model/agents): the top of the model installs
 * the agents' functions here when a run starts (model.c), so the adversaries add
 * poisoners and farmers and remove them without calling upwards (docs/architecture.md). */
typedef struct wld_pop_ops {
    int (*prov_birth)(struct world *w, int kind, double t);  /* prov_birth          */
    void (*prov_remove)(struct world *w, uint32_t i);        /* prov_remove         */
    int (*farmer_birth)(struct world *w, double t);          /* hold_farmer_birth   */
    void (*farmer_remove)(struct world *w, uint32_t i);      /* hold_farmer_remove  */
} wld_pop_ops;

typedef struct world {
    const struct model_input *in; /* the run's input (model.h); set by model_run     */
    uint64_t seed, replicate;     /* the run's streams: rng_stream_alloc(seed, replicate, .) */
    wld_pop_ops ops;          /* population hooks the agents' layer installs    */
    crc_params p;             /* current parameters (interventions change them) */
    const crc_sink *sink;
    crc_err *err;
    sim s;
    token *tok;
    ledger *L;                /* tok->ledger                                    */
    amm *A;                   /* &tok->amm                                      */
    acct_id pool;             /* pooled consumers' account (CLS_CONSUMER)       */
    gsl_rng *rng[RNG_COUNT];
    /* The router's uniforms, drawn from RNG_ROUTE WLD_ROUTE_RING draws before they are
     * used and used in the order drawn: the same values as drawing at use, but the
     * router's next picks can be read, and their nodes fetched, ahead (node_route). */
    double route_u[WLD_ROUTE_RING];
    zig_exp zexp; /* the ziggurat table of the service times' exponential draws */
    uint32_t route_pos;
    wld_route_guess route_guess[WLD_ROUTE_RING / 2]; /* node_prefetch_route's guesses */
    /* Fake nodes taking queries this epoch (farmers.c sets it when each epoch ends): the
     * router draws among the active nodes and these, and a fake node never has a queue. */
    uint32_t fake_n;

    wld_datanets dn;
    wld_providers pv;
    wld_builders bd;
    wld_nodes nd;
    wld_consumers cs;
    wld_holders sk, fm;
    wld_listing ls;
    wld_class cls[CLS_COUNT];
    struct atk_state *atk;    /* adversaries and defenses (attack.h)          */

    double region_cost[WLD_REGIONS];      /* USD per query, spread applied      */
    double region_factor[WLD_REGIONS];    /* region cost / mean regional cost   */
    double region_work[WLD_REGIONS];      /* queries served this epoch          */
    wld_acc region_acc[WLD_REGIONS];      /* trailing return of nodes there     */

    acct_id *gone;            /* accounts of agents that left, liquidating      */
    uint32_t n_gone, cap_gone;
    double *scratch;          /* per-epoch scratch (Gini, shares), then met_sort's */
    uint32_t cap_scratch;
    uint32_t *scratch_cnt;    /* met_sort's bucket counts                        */
    uint32_t cap_scratch_cnt;

    /* tallies of the current epoch */
    double ep_ext_queries, ep_wash_queries, ep_inc_queries, ep_blocked;
    double ep_ext_fee_usd, ep_wash_fee_usd, ep_ext_fee_tkn;
    /* the stakers', treasury's and burnt shares of the consumers' fees, held in the
     * pool until the epoch settles (rew_settle, step 0) */
    double ep_fee_stakers, ep_fee_treasury, ep_fee_burn;
    double ep_q_sum, ep_harm;
    double ep_lat_sum, ep_lat_n;
    double ep_audits, ep_detected, ep_slashed;
    double ep_entered, ep_churned;
    double t_prev;
    double t_next;            /* the next epoch's time: the streams' window end   */
    long epoch;

    /* run-level */
    double price_peak, drawdown, t_real_yield;
    double n_queries_total;
    const char *last_name[WLD_MAX_METRICS]; /* latest value of each metric        */
    double last_val[WLD_MAX_METRICS];
    int n_last;
    char names[WLD_MAX_METRICS][64];        /* per-class metric names             */
    int n_names;
} world;

static inline gsl_rng *wld_rng(world *w, int purpose) { return w->rng[purpose]; }

/* The guide entry that taste k's choice for the uniform u = x/2^32 reads first. */
static inline const wld_guide *wld_guide_entry(const wld_listing *ls, uint32_t k, uint32_t x)
{
    return &ls->guide[((size_t)k << ls->gbits) + (x >> (32 - ls->gbits))];
}

/* The option taste k chooses for the uniform u = x/2^32: the first j with c_k(j) > u
 * (wld_listing). */
static inline uint32_t wld_choose(const wld_listing *ls, uint32_t k, uint32_t x)
{
    wld_guide e = *wld_guide_entry(ls, k, x);
    /* x <= c chooses j: as often either way, so no branch. Past c, a marked cell
     * gives j + 1; an unmarked one (rare: wld_listing_rebuild sizes the guide so that
     * most cells hold at most two options) scans on. */
    uint32_t over = x > e.c;
    uint32_t j = (e.j & 0x7fffffffu) + over;
    if (over & !(e.j >> 31)) {
        const uint32_t *cut = ls->cut + (size_t)k * (ls->m + 1);
        while (cut[j] < x) /* cut[m] == 2^32 - 1 >= x */
            j++;
    }
    return j;
}

/* ---- world.c ---------------------------------------------------------------- */

/* Builds the run's state: copies the parameters, allocates the streams of (seed,
 * replicate), the token economy (genesis) and the datanets; the populations are the
 * agents' layer's (model.c adds them). On failure frees what it made and returns the
 * status with err set. */
int wld_alloc(world *w, const crc_params *params, uint64_t seed, uint64_t replicate,
              const crc_sink *sink, crc_err *err);
void wld_free(world *w);

/* Recomputes what is derived from the parameters (region costs, the AMM fee) after
 * an intervention or at an epoch. */
void wld_refresh(world *w);

/* Grows *p (elements of size sz) so that it holds need elements; doubles. 0 or -1. */
int wld_grow(void **p, size_t sz, uint32_t *cap, uint32_t need);
/* Grows n struct-of-arrays columns (ptrs[i] of element size sizes[i]) sharing one
 * capacity; new elements are zeroed. 0 or -1 (then nothing is lost: columns already
 * grown keep their data). */
int wld_grow_soa(uint32_t *cap, uint32_t need, size_t n, void **const ptrs[],
                 const size_t sizes[]);

/* Ends the drawing of a stream's new window (pstream_seal) and schedules its first
 * event (of `kind`), cancelling the pending one of the old window; the old window's
 * events are then never fired. 0, or -1 when out of memory. */
int wld_stream_start(world *w, pstream *st, uint32_t kind);

/* Takes the stream's event that fires now into *e and schedules the one after it.
 * 0, or -1 when out of memory (the run is then failed). */
int wld_stream_fire(world *w, pstream *st, uint32_t kind, pstream_ev *e);

/* The trailing returns' EMA: x <- x + g (y - x) for income and cost per day, with the
 * epoch's gain g = wld_acc_gain(dt, W) = 1 − e^{−dt/W}, taken once for all accounts. */
double wld_acc_gain(double dt, double W);
void wld_acc_step(wld_acc *a, double income_usd, double cost_usd, double dt, double g);
/* (R - C) / C; 0 when both are 0; capped to [-1e6, 1e6]. */
double wld_acc_roi(const wld_acc *a);

/* Poisson entry rate of a class (agents/day, docs/model.md §3):
 *   base·π + agents.entry_gain · active · x/(1 + x),  x = max(0, roi − agents.hurdle),
 * roi = wld_acc_roi(acc), π = probe when the class has a record (acc not all zero) and
 * its return is below the hurdle, else 1. Honest classes pass probe = 1. */
double wld_entry_rate(const crc_params *p, double base, const wld_acc *acc, double active,
                      double probe);

/* Remembers an account whose owner left, so its tokens (vesting releases, unbonded
 * stake) are sold as they arrive. */
int wld_gone_add(world *w, acct_id a);

/* Rebuilds the listing table and the tastes' logit tables (docs/model.md §consumers). */
int wld_listing_rebuild(world *w);

/* Sells share of a's liquid balance on the AMM; returns USD received. */
double wld_sell(world *w, acct_id a, double share);

/* Pays amount from src to dst as a fee (RSN_FEE), never more than src holds (shares
 * are products of a bought amount and may exceed it by a rounding ulp); returns what
 * moved. */
double wld_pay(world *w, acct_id src, acct_id dst, double amount);
/* A fee paid in TKN bought at that moment (consumers' queries, wash batches): buys the
 * TKN part of fs (fs->tkn_usd) on the AMM for payer, credits the buyback share to the
 * treasury's USD fund, writes the TKN bought to *tkn and returns the TKN per USD of
 * the TKN part (0 when there is none), to scale the shares with. */
double wld_fee_buy(world *w, acct_id payer, const fee_split *fs, double *tkn);
/* wld_fee_buy for fees paid one after another by one account, through a lane opened
 * with amm_buy_lane_open(w->L, ln, payer) (inline: the consumers' queries). */
static inline double wld_fee_buy_lane(world *w, const ledger_lane *ln, const fee_split *fs,
                                      double *tkn)
{
    *tkn = fs->tkn_usd > 0 ? amm_buy_lane(w->A, ln, fs->tkn_usd) : 0;
    if (fs->buyback_usd > 0)
        treasury_add_usd(&w->tok->tr, fs->buyback_usd);
    return fs->tkn_usd > 0 ? *tkn / fs->tkn_usd : 0;
}
/* The shares every fee pays the same way, in TKN from src, in this order: the
 * stakers' (into the staking fee pot), the treasury's, and the burnt share (each
 * capped at what src holds). */
void wld_fee_rest(world *w, acct_id src, double stakers, double to_treasury, double burn);

/* The baseline world: the registry defaults plus the token settings of
 * scenarios/baseline.yaml (emission.rate 3000 TKN/day, token.initial_supply 1e8).
 * Tests and `crucible bench model` start from it. */
void wld_baseline(crc_params *p);
/* Agents at t = 0 (every population's count). */
double wld_baseline_agents(const crc_params *p);
/* Scales a world by f: counts, entry and arrival rates, the emission rate and pool,
 * and the genesis supply (so each agent faces the same economics at every scale). */
void wld_scale(crc_params *p, double f);

#endif
