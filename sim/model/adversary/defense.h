/*
 * defense.h — the defenses of MODEL.md §5 (docs/model.md §11, defenses): data
 * audits, bonds, slashing with its destination, penalty points and bans, clawback of
 * unvested rewards, wash detection, compute verification and minimum stakes.
 * The emission gate is applied by the token economy (emission.h, emission.gate.*):
 * the model hands it the external fee volume only, so wash fees never open the gate.
 *
 * Bonds and minimum stakes are collateral: the part that is not slashed comes back
 * to its owner unchanged, so only the slashed part moves on the ledger. It is bought
 * on the AMM by the offender at the slash (real buy pressure) and sent to the slash
 * destination (RSN_SLASH); holding a minimum stake costs its owner
 * defense.capital_cost a year (def_charge_stakes). Per-contribution bonds are posted for
 * a challenge window shorter than an epoch; their capital cost is neglected. The bond's
 * round trip through the AMM is not simulated.
 *
 * Pure functions first (tested on their own), then the hooks the model calls.
 */
#ifndef CRC_DEFENSE_H
#define CRC_DEFENSE_H

#include <stdint.h>

#include "model/token/ledger.h"

struct world;

/* What an audited contribution is (its detection probability differs). */
enum { DEF_KIND_HONEST, DEF_KIND_SPAM, DEF_KIND_POISON };

/* Order of the defense.slash.to choices. */
enum { SLASH_TREASURY, SLASH_REPORTER, SLASH_BURN };

/* Probability that one contribution of a kind is detected: s × d_kind (0 for honest
 * data: audits make no false accusations). */
double def_detect_prob(double s, double d_p, double d_s, int kind);

/* Expected profit per poisoned sample under audits and bonds (docs §audits):
 *   (1 − s d_p) r − c − s d_p φ b
 * r: reward per accepted sample, c: cost per sample, s: audit rate, d_p: detection
 * probability, φ: slash fraction, b: bond per sample (all USD). Audits deter poison
 * exactly where this is negative; with c small and s d_p small the condition is
 * s d_p φ b > r. */
double def_poison_margin(double r, double c, double s, double d_p, double phi, double b);

/* Probability that a fake node with J claimed jobs in an epoch is caught when a share
 * v of jobs is re-executed and each re-executed job exposes it with probability c:
 * 1 − (1 − v c)^J (J may be fractional). */
double def_catch_prob(double v, double c, double J);

/* Penalty points at which a contributor is banned: 1 when points >= ban > 0. */
int def_banned_by(double points, double ban);

/* ---- hooks -------------------------------------------------------------------------- */

/* Audits one contribution of provider i (kind DEF_KIND_*; its cost is already
 * counted). Returns 1 when the contribution must be dropped: the provider is banned,
 * or the audit detected it (then: removed, φ × defense.bond slashed, unvested rewards
 * clawed back, a penalty point, a ban at defense.penalty.ban). 0 when it is accepted. */
int def_audit_contrib(struct world *w, uint32_t i, int kind);

/* Slashes usd of collateral from account a of agent class cls: a buys the TKN on the
 * AMM and sends them to defense.slash.to (a reporter is a random honest provider).
 * With claw and defense.clawback, a's unvested rewards follow them (claw is 0 for a
 * farmer's pooled sybil identities, which are not linked to one another). Tallies the
 * slash per class and in the epoch's slashed_tkn. Returns the USD the offender paid
 * (its cost). */
double def_slash(struct world *w, acct_id a, int cls, double usd, int claw);

/* Charges every holder of a minimum stake its cost of capital for an epoch of dt days:
 * defense.capital_cost × stake × dt/365 to each provider (min_stake.provider), builder
 * with a model (min_stake.model) and running compute node (min_stake.node), added to
 * their epoch costs before their returns are booked. Farmers' identities, models and
 * fake nodes are charged in farmers.c. */
void def_charge_stakes(struct world *w, double dt);

/* 1 when account a is banned. */
int def_is_banned(const struct world *w, acct_id a);

#endif
