/*
 * attack.h — the adversaries' state in a run and the attacker accounting
 * (MODEL.md §2, §5, §7; docs/model.md §11).
 *
 * One atk_state per run, hung on world.atk (allocated by atk_alloc when model.c populates the world,
 * freed by atk_free before wld_free). It holds the adversary model's own random streams
 * (so farmers and defenses never shift the draws of the honest populations), per-account
 * penalty points and bans, the farmers (farmers.h), and, per agent class, the tokens
 * slashed and clawed back. The rest of a class's accounting (cost, rewards, income)
 * is the model's wld_class tallies, which the adversary modules feed.
 *
 * The hooks, in the order the model calls them each epoch [t0, t1]:
 *   atk_pay        in rew_settle right after token_epoch_begin: the farmers' activity
 *                  of the epoch and their usage-linked emissions (farmers.c);
 *   atk_settle     in rew_settle before the class tallies close: farmers sell and
 *                  book income and cost;
 *   atk_metrics    in met_epoch: the adversary metrics the core table lacks;
 *   atk_reconsider in the epoch handler after exits: bans take effect, farmers adapt,
 *                  poisoners enter;
 * and atk_summary once in met_summary: per adversarial class cost of attack, rewards,
 * slashed amounts, profit and ROI.
 */
#ifndef CRC_ATTACK_H
#define CRC_ATTACK_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "model/token/classes.h"
#include "model/adversary/farmers.h"
#include "model/token/ledger.h"
#include "model/core/params.h"
#include "model/world/world.h"
#include "util/err.h"

/* The adversary model's random-stream purposes (rng_stream_alloc). */
enum { ATK_RNG_POISON, ATK_RNG_AUDIT, ATK_RNG_FARM, ATK_RNG_ENTRY, ATK_RNG_VERIFY, ATK_RNG_COUNT };
#define ATK_RNG_BASE 0x6164766572000000ULL /* "adver" */

typedef struct atk_state {
    gsl_rng *rng[ATK_RNG_COUNT];
    /* per ledger account */
    uint32_t cap_acct;
    float *points;
    uint8_t *banned;
    uint32_t *slot_of;   /* farmer slot + 1 of a farmer's account (0: none) */
    /* the farmers */
    farm_pop fm;
    /* per agent class, cumulative */
    double slashed_tkn[CLS_COUNT], slashed_usd[CLS_COUNT];
    double clawback_tkn[CLS_COUNT], clawback_usd[CLS_COUNT];
    /* this epoch (reset after atk_metrics) */
    double ep_clawback, ep_banned, ep_caught;
    double ep_wash_fee_tkn, ep_wash_emission;
    double ep_fake_tkn, ep_compute_tkn;
    double ep_fake_queries, ep_fake_failed, ep_fake_fee_tkn; /* consumer queries fake nodes
                                  took, of them not re-executed (failed), their fee share */
    double *wash_dwt;    /* per farmer slot: its data-pool weight this epoch   */
    uint32_t cap_dwt;
    double banned_total;
    long bans_pending;   /* banned providers not yet removed (0: skip the scan) */
} atk_state;

/* Cross-parameter checks of the adversary and defense parameters (model_validate calls
 * it): farmers with no strategy weight, a poison.target that is not a datanet.
 * CRC_EINPUT with a message naming the parameters and the fix. */
int atk_validate(const crc_params *p, crc_err *err);

/* Allocates w->atk and adds the poisoners of poison.count. CRC_OK or CRC_ENOMEM. */
int atk_alloc(struct world *w);
void atk_free(struct world *w);

/* Makes sure the per-account arrays cover account a. 0 or -1 (out of memory). */
int atk_acct_reserve(struct world *w, acct_id a);

void atk_pay(struct world *w, double t0, double t1);
void atk_settle(struct world *w, double t0, double t1, double price);
/* 0, or -1 when out of memory adding agents. */
int atk_reconsider(struct world *w, double t, double dt);
/* 0 or the sink's status. */
int atk_metrics(struct world *w, double t);
int atk_summary(struct world *w);

/* Return on cost (income − cost) / cost; 0 when both are 0, ±1e6 at the caps. */
double atk_roi(double income, double cost);

/* The adversary model's stream for a purpose (ATK_RNG_*). */
static inline gsl_rng *atk_rng(struct world *w, int purpose) { return w->atk->rng[purpose]; }

#endif
