/*
 * rng.h — PCG streams as GSL generators.
 *
 * gsl_rng_pcg32 is a gsl_rng_type whose state is a pcg32, so every gsl_ran_* draw in
 * Crucible comes from a PCG stream. There is no global generator: each consumer of
 * randomness owns a gsl_rng derived from (seed, replicate, purpose), so adding a new
 * purpose never shifts the draws of another and a run is reproduced bit for bit from
 * its record whatever the number of workers.
 */
#ifndef CRC_RNG_H
#define CRC_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "engine/pcg.h"

extern const gsl_rng_type *gsl_rng_pcg32;

/* SplitMix64 finaliser: a bijective 64-bit mix used to derive seeds and streams. */
uint64_t rng_mix64(uint64_t x);

/* Sets an already allocated PCG gsl_rng to the stream for (seed, replicate, purpose). */
void rng_stream_set(gsl_rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose);

/* Allocates a PCG gsl_rng on the stream for (seed, replicate, purpose); NULL when out
 * of memory. Free with gsl_rng_free. */
gsl_rng *rng_stream_alloc(uint64_t seed, uint64_t replicate, uint64_t purpose);

/* The pcg32 inside a gsl_rng of type gsl_rng_pcg32 (for fast paths that skip GSL). */
pcg32 *rng_pcg(gsl_rng *r);

/* Seed for run (point, replicate) of a sweep whose seed is sweep_seed: the same
 * whatever order, worker or shard the run happens in. */
uint64_t rng_derive_seed(uint64_t sweep_seed, uint64_t point, uint64_t replicate);

#endif
