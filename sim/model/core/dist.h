/*
 * dist.h — attribute distributions named by scenarios ({dist: beta, a: 8, b: 2}).
 * Every draw goes through GSL on a PCG stream (engine/rng.h).
 *
 * kind        YAML arguments   meaning
 * const       value            always `value`
 * uniform     min, max         U(min, max)
 * normal      mean, sd         N(mean, sd^2)
 * lognormal   mu, sigma        exp(N(mu, sigma^2))
 * beta        a, b             Beta(a, b)
 * gamma       shape, scale     Gamma(shape, scale), mean shape*scale
 * exponential mean             Exp with that mean
 */
#ifndef CRC_DIST_H
#define CRC_DIST_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "engine/rng.h"
#include "util/err.h"

typedef enum dist_kind {
    DIST_CONST, DIST_UNIFORM, DIST_NORMAL, DIST_LOGNORMAL, DIST_BETA, DIST_GAMMA,
    DIST_EXPONENTIAL, DIST_KIND_COUNT
} dist_kind;

typedef struct crc_dist {
    int kind;    /* dist_kind                               */
    double a, b; /* first and second argument, per the table */
} crc_dist;

/* Name of a kind ("beta"), or NULL when out of range. */
const char *dist_kind_name(int kind);

/* Kind for a name; -1 when unknown. */
int dist_kind_from_name(const char *name);

/* Number of arguments of a kind (1 or 2) and their YAML names. */
int dist_nargs(int kind);
const char *dist_arg_name(int kind, int i);

/* Checks the arguments are valid for the kind (e.g. beta a, b > 0; uniform min <= max).
 * On failure fills err with what is wrong and what is allowed, returns CRC_EINPUT. */
int dist_validate(const crc_dist *d, crc_err *err);

/* One draw, clamped to [lo, hi] (pass -INFINITY/INFINITY for no clamp). */
double dist_sample(const crc_dist *d, const gsl_rng *r, double lo, double hi);

/* Mean-one lognormal noise, exp(sigma Z - sigma^2/2) with Z standard normal from
 * GSL's ziggurat (gsl_ran_gaussian_ziggurat): the law of gsl_ran_lognormal(r,
 * -sigma^2/2, sigma), whose polar method costs about three times as much per draw.
 * For the per-contribution attribution noise (docs/model.md §4). sigma >= 0. */
double dist_noise_mean1(const gsl_rng *r, double sigma);

/* gsl_ran_gaussian_ziggurat's draw to the bit, its common case without a call into GSL.
 * A PCG generator (rng.h) gives GSL's ziggurat one 32-bit word a try: 8 bits name a
 * strip and the sign, 24 bits j a place in it, and the draw is j times the strip's
 * width (times sigma) whenever j is below the strip's threshold, about 98% of draws.
 * dist_gauss_init reads the widths and thresholds out of the installed GSL by asking
 * it for draws from words it chooses (a generator that plays them back), and checks a
 * run of draws against GSL's; the fast path then takes that case, and the other words
 * go back to GSL with the generator as it was before the word, so GSL draws it all
 * itself. When anything disagrees (another GSL), every draw goes to GSL. */
typedef struct dist_gauss {
    double w[128];    /* each strip's width                                  */
    uint32_t k[128];  /* each strip's threshold: j below it takes the width  */
    int ok;           /* 0: every draw goes to GSL                           */
} dist_gauss;

/* Fills z from the installed GSL (a few thousand draws of its own). */
void dist_gauss_init(dist_gauss *z);

/* A draw of N(0, sigma^2) from the PCG generator r: gsl_ran_gaussian_ziggurat(r, sigma)
 * to the bit, leaving r where it leaves it. */
static inline double dist_gauss_draw(const dist_gauss *z, gsl_rng *r, double sigma)
{
    if (z->ok) {
        pcg32 *g = rng_pcg(r);
        pcg32 was = *g;
        uint32_t word = pcg32_next(g);
        uint32_t i = word & 0x7f, j = (word >> 8) & 0xffffff;
        if (j < z->k[i]) {
            /* GSL's sign * sigma * x; the sign is bit 7, flipped without a branch (it
             * is a coin toss that no predictor learns). */
            double x = sigma * ((double)j * z->w[i]);
            uint64_t b;
            memcpy(&b, &x, sizeof b);
            b ^= (uint64_t)(~word >> 7 & 1u) << 63;
            memcpy(&x, &b, sizeof x);
            return x;
        }
        *g = was;
    }
    return gsl_ran_gaussian_ziggurat(r, sigma);
}

/* dist_noise_mean1 with Z from dist_gauss_draw: the same draw to the bit. */
static inline double dist_noise_mean1_z(const dist_gauss *z, gsl_rng *r, double sigma)
{
    return exp(sigma * dist_gauss_draw(z, r, 1.0) - 0.5 * sigma * sigma);
}

/* Theoretical mean and variance (before clamping). */
double dist_mean(const crc_dist *d);
double dist_variance(const crc_dist *d);

/* Writes the distribution as "beta(a=8, b=2)" into buf. */
void dist_format(const crc_dist *d, char *buf, size_t len);

#endif
