/* rng.c — see rng.h. */
#include "engine/rng.h"

#include <assert.h>

static void pcg_gsl_set(void *state, unsigned long seed)
{
    /* GSL convention: seed 0 selects the default seed. 54 is the reference stream. */
    pcg32_seed(state, seed ? (uint64_t)seed : 42u, 54u);
}

static unsigned long pcg_gsl_get(void *state) { return pcg32_next(state); }

static double pcg_gsl_get_double(void *state)
{
    /* GSL's uniform is on [0,1): 32 bits suffice for every gsl_ran_* we use, and match
     * what GSL's own 32-bit generators give. */
    return pcg32_double(state);
}

static const gsl_rng_type pcg32_type = {
    "pcg32", 0xffffffffUL, 0, sizeof(pcg32), &pcg_gsl_set, &pcg_gsl_get, &pcg_gsl_get_double,
};

const gsl_rng_type *gsl_rng_pcg32 = &pcg32_type;

uint64_t rng_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

pcg32 *rng_pcg(gsl_rng *r)
{
    assert(r->type == gsl_rng_pcg32);
    return (pcg32 *)r->state;
}

void rng_stream_set(gsl_rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose)
{
    uint64_t a = rng_mix64(seed ^ rng_mix64(replicate + 0x632be59bd9b4e019ULL));
    uint64_t b = rng_mix64(purpose ^ rng_mix64(a));
    pcg32_seed(rng_pcg(r), a, b);
}

gsl_rng *rng_stream_alloc(uint64_t seed, uint64_t replicate, uint64_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg32);
    if (r)
        rng_stream_set(r, seed, replicate, purpose);
    return r;
}

uint64_t rng_derive_seed(uint64_t sweep_seed, uint64_t point, uint64_t replicate)
{
    return rng_mix64(rng_mix64(sweep_seed) ^ rng_mix64(point * 0x100000001b3ULL + replicate));
}
