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

/* The probe: a generator that plays back one chosen word, then words that end GSL's
 * loop at once (strip 64, place 0), and counts what GSL asks of it. */
typedef struct probe {
    uint32_t first;
    int gets, doubles;
} probe;

static void probe_set(void *state, unsigned long seed)
{
    (void)state;
    (void)seed;
}

static unsigned long probe_get(void *state)
{
    probe *p = state;
    return p->gets++ == 0 ? p->first : 64u;
}

static double probe_get_double(void *state)
{
    probe *p = state;
    p->doubles++;
    return 0.5;
}

static const gsl_rng_type probe_type = {
    "crucible-probe", 0xffffffffUL, 0, sizeof(probe), &probe_set, &probe_get, &probe_get_double,
};

/* 1 when GSL draws the word at once (that word alone, no uniform); *x its draw. */
static int at_once(gsl_rng *r, uint32_t word, double *x)
{
    probe *p = r->state;
    *p = (probe){word, 0, 0};
    *x = gsl_ran_gaussian_ziggurat(r, 1.0);
    return p->gets == 1 && p->doubles == 0;
}

/* Checks n draws of z against GSL's, from one PCG stream: the same bits, and the
 * generators left in step. */
static int agrees(const dist_gauss *z, uint32_t n)
{
    gsl_rng *a = rng_stream_alloc(0x9a55, 0, 1), *b = rng_stream_alloc(0x9a55, 0, 1);
    int ok = a && b;
    const double sig[] = {1.0, 0.05, 3.0};
    for (uint32_t k = 0; ok && k < n; k++) {
        double s = sig[k % 3], x = dist_gauss_draw(z, a, s), y = gsl_ran_gaussian_ziggurat(b, s);
        ok = memcmp(&x, &y, sizeof x) == 0 && rng_pcg(a)->state == rng_pcg(b)->state;
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
    return ok;
}

void dist_gauss_init(dist_gauss *z)
{
    memset(z, 0, sizeof *z);
    gsl_rng *r = gsl_rng_alloc(&probe_type);
    if (!r)
        return;
    int ok = 1;
    for (uint32_t i = 0; i < 128 && ok; i++) {
        uint32_t up = 0x80u | i; /* the sign bit taken as "+" (agrees() checks it) */
        double x;
        if (!at_once(r, 1u << 8 | up, &x))
            continue; /* k[i] = 0: this strip's draws all go to GSL */
        if (!(x > 0)) {
            ok = 0;
            break;
        }
        z->w[i] = x; /* j = 1, sigma = 1 */
        /* The threshold: the smallest j that GSL does not draw at once (2^24: none). */
        uint32_t lo = 1, hi = 1u << 24;
        if (!at_once(r, 0xffffffu << 8 | up, &x))
            for (hi = 0xffffffu; hi - lo > 1;) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (at_once(r, mid << 8 | up, &x))
                    lo = mid;
                else
                    hi = mid;
            }
        z->k[i] = hi;
    }
    gsl_rng_free(r);
    z->ok = ok;
    if (ok && !agrees(z, 4096))
        z->ok = 0;
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
