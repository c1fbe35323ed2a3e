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

#include <gsl/gsl_rng.h>

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

/* Theoretical mean and variance (before clamping). */
double dist_mean(const crc_dist *d);
double dist_variance(const crc_dist *d);

/* Writes the distribution as "beta(a=8, b=2)" into buf. */
void dist_format(const crc_dist *d, char *buf, size_t len);

#endif
