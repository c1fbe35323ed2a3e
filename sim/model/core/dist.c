/* dist.c — see dist.h. */
#include "model/core/dist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

static const struct {
    const char *name;
    int nargs;
    const char *arg[2];
} kinds[DIST_KIND_COUNT] = {
    [DIST_CONST] = {"const", 1, {"value", NULL}},
    [DIST_UNIFORM] = {"uniform", 2, {"min", "max"}},
    [DIST_NORMAL] = {"normal", 2, {"mean", "sd"}},
    [DIST_LOGNORMAL] = {"lognormal", 2, {"mu", "sigma"}},
    [DIST_BETA] = {"beta", 2, {"a", "b"}},
    [DIST_GAMMA] = {"gamma", 2, {"shape", "scale"}},
    [DIST_EXPONENTIAL] = {"exponential", 1, {"mean", NULL}},
};

const char *dist_kind_name(int kind)
{
    return kind >= 0 && kind < DIST_KIND_COUNT ? kinds[kind].name : NULL;
}

int dist_kind_from_name(const char *name)
{
    for (int k = 0; k < DIST_KIND_COUNT; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return k;
    return -1;
}

int dist_nargs(int kind) { return kind >= 0 && kind < DIST_KIND_COUNT ? kinds[kind].nargs : 0; }

const char *dist_arg_name(int kind, int i)
{
    return i >= 0 && i < dist_nargs(kind) ? kinds[kind].arg[i] : NULL;
}

int dist_validate(const crc_dist *d, crc_err *err)
{
    if (!dist_kind_name(d->kind))
        return crc_err_set(err, CRC_EINPUT,
                           "unknown distribution; allowed: const, uniform, normal, lognormal, "
                           "beta, gamma, exponential");
    if (!isfinite(d->a) || (dist_nargs(d->kind) > 1 && !isfinite(d->b)))
        return crc_err_set(err, CRC_EINPUT, "%s: arguments must be finite numbers",
                           kinds[d->kind].name);
    switch (d->kind) {
    case DIST_UNIFORM:
        if (d->a > d->b)
            return crc_err_set(err, CRC_EINPUT, "uniform: min (%g) must not exceed max (%g)",
                               d->a, d->b);
        break;
    case DIST_NORMAL:
        if (d->b < 0)
            return crc_err_set(err, CRC_EINPUT, "normal: sd must be >= 0 (got %g)", d->b);
        break;
    case DIST_LOGNORMAL:
        if (d->b < 0)
            return crc_err_set(err, CRC_EINPUT, "lognormal: sigma must be >= 0 (got %g)", d->b);
        break;
    case DIST_BETA:
        if (d->a <= 0 || d->b <= 0)
            return crc_err_set(err, CRC_EINPUT, "beta: a and b must be > 0 (got a=%g, b=%g)",
                               d->a, d->b);
        break;
    case DIST_GAMMA:
        if (d->a <= 0 || d->b <= 0)
            return crc_err_set(err, CRC_EINPUT,
                               "gamma: shape and scale must be > 0 (got shape=%g, scale=%g)",
                               d->a, d->b);
        break;
    case DIST_EXPONENTIAL:
        if (d->a <= 0)
            return crc_err_set(err, CRC_EINPUT, "exponential: mean must be > 0 (got %g)", d->a);
        break;
    default:
        break;
    }
    return CRC_OK;
}

double dist_sample(const crc_dist *d, const gsl_rng *r, double lo, double hi)
{
    double x;
    switch (d->kind) {
    case DIST_UNIFORM: x = gsl_ran_flat(r, d->a, d->b); break;
    case DIST_NORMAL: x = d->a + gsl_ran_gaussian_ziggurat(r, d->b); break;
    case DIST_LOGNORMAL: x = gsl_ran_lognormal(r, d->a, d->b); break;
    case DIST_BETA: x = gsl_ran_beta(r, d->a, d->b); break;
    case DIST_GAMMA: x = gsl_ran_gamma(r, d->a, d->b); break;
    case DIST_EXPONENTIAL: x = gsl_ran_exponential(r, d->a); break;
    case DIST_CONST:
    default: x = d->a; break;
    }
    return x < lo ? lo : x > hi ? hi : x;
}

double dist_noise_mean1(const gsl_rng *r, double sigma)
{
    return exp(sigma * gsl_ran_gaussian_ziggurat(r, 1.0) - 0.5 * sigma * sigma);
}

double dist_mean(const crc_dist *d)
{
    switch (d->kind) {
    case DIST_UNIFORM: return 0.5 * (d->a + d->b);
    case DIST_NORMAL: return d->a;
    case DIST_LOGNORMAL: return exp(d->a + 0.5 * d->b * d->b);
    case DIST_BETA: return d->a / (d->a + d->b);
    case DIST_GAMMA: return d->a * d->b;
    case DIST_EXPONENTIAL: return d->a;
    default: return d->a;
    }
}

double dist_variance(const crc_dist *d)
{
    double s = d->a + d->b;
    switch (d->kind) {
    case DIST_UNIFORM: return (d->b - d->a) * (d->b - d->a) / 12.0;
    case DIST_NORMAL: return d->b * d->b;
    case DIST_LOGNORMAL: return (exp(d->b * d->b) - 1.0) * exp(2.0 * d->a + d->b * d->b);
    case DIST_BETA: return d->a * d->b / (s * s * (s + 1.0));
    case DIST_GAMMA: return d->a * d->b * d->b;
    case DIST_EXPONENTIAL: return d->a * d->a;
    default: return 0.0;
    }
}

void dist_format(const crc_dist *d, char *buf, size_t len)
{
    const char *name = dist_kind_name(d->kind);
    if (!name)
        snprintf(buf, len, "invalid");
    else if (kinds[d->kind].nargs == 1)
        snprintf(buf, len, "%s(%s=%.17g)", name, kinds[d->kind].arg[0], d->a);
    else
        snprintf(buf, len, "%s(%s=%.17g, %s=%.17g)", name, kinds[d->kind].arg[0], d->a,
                 kinds[d->kind].arg[1], d->b);
}
