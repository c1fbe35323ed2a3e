/*
 * poison.h — poisoners: poisoned contributions aimed at a target datanet, the damage
 * they do, the backdoor rule and their pay through attribution (MODEL.md §2.1, §2.2,
 * §4; docs/model.md §11, poisoners).
 *
 * Poisoners are data providers of kind PK_POISONER (class CLS_POISONER) in the
 * providers' population, so they share its contribution streams, its entry and exit
 * rule and its pay. What differs lives here:
 *   - attributes (poison.*): rate, cost, apparent quality, the target datanet;
 *   - an accepted poisoned sample adds 1 to its datanet's count and poisoned count and
 *     nothing to its honest volume V; quality-weighted pay sees poison.quality;
 *   - its attribution score is psi times mean-one lognormal noise (attribution.sigma):
 *     influence-based attribution can rate a backdoor sample highly (psi > q);
 *   - it is audited first (defense.h): a detected sample is removed, slashed, penalised.
 * Damage: Q = q_max (1 − e^{−V/v_half}) (1 − δ π/(π + π50)); backdoor when the poisoned
 * count in a model's training data reaches N* (model.backdoor_count), whatever the
 * corpus size; a backdoored model harms a share τ of its queries.
 */
#ifndef CRC_POISON_H
#define CRC_POISON_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "model/core/params.h"

struct world;

/* The damage factor 1 − δ π/(π + π50) for a poisoned share pi in [0, 1] (1 when pi is
 * 0): the multiplier that poison applies to a model's quality. */
double poison_damage_factor(const crc_params *p, double pi);

/* 1 when a training set with `poisoned` poisoned samples carries a backdoor: N* > 0
 * and poisoned >= N*. */
int poison_backdoor(double poisoned, long nstar);

/* Attribution score of one poisoned sample: psi × a mean-one lognormal draw with
 * sigma (psi exactly when sigma is 0). r must be a PCG stream. */
double poison_score(double psi, double sigma, gsl_rng *r);

/* The datanet a poisoner aims at: poison.target modulo the number of datanets, or
 * (target −1) the datanet with the most models, ties broken by the larger honest
 * volume, then the lower index. */
uint32_t poison_target(const struct world *w);

/* Sets provider i's attributes as a poisoner (rate, cost, apparent quality, target
 * datanet). Called by prov_birth for kind PK_POISONER before the provider joins its
 * population's stream. */
void poison_birth(struct world *w, uint32_t i);

/* One contribution of poisoner i (its cost is already counted): a banned poisoner's
 * sample is refused; an audit may detect it (removed, slashed, penalised); otherwise it
 * is accepted into the target datanet's aggregates with its attribution score. */
void poison_contrib(struct world *w, uint32_t i);

#endif
