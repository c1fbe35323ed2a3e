/*
 * zig.h — the ziggurat method for exponential variates (Marsaglia & Tsang, "The
 * Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000).
 *
 * GSL has a ziggurat for the normal (gsl_ran_gaussian_ziggurat) but draws exponentials
 * by inversion, -mu log1p(-u), which costs a log1p per draw. The ziggurat covers the
 * density e^-x with 256 layers of equal area: a 32-bit draw picks a layer (its low 8
 * bits) and a point in it (its top 24 bits), and 98.9% of draws fall inside the layer's
 * rectangle under the curve and cost one multiplication. The rest take the exact
 * rejection step at the layer's edge, or the tail beyond r = 7.6971..., which is again an
 * exponential (memorylessness): r - log(u). Every draw is exactly Exp(1) up to the
 * 24-bit resolution of a point within its layer.
 *
 * The table is built once (zig_exp_init) and read only: no static mutable state. The
 * generator is a PCG32 stream (engine/pcg.h), so draws are reproducible from the seed.
 */
#ifndef CRC_ZIG_H
#define CRC_ZIG_H

#include <stdint.h>

#include "engine/pcg.h"

#define ZIG_LAYERS 256

typedef struct zig_exp {
    uint32_t k[ZIG_LAYERS]; /* a point u (24 bits) of layer i is under the curve when u < k[i] */
    double w[ZIG_LAYERS];   /* x = u * w[i]                                               */
    double f[ZIG_LAYERS];   /* e^-x at the layer's right edge                               */
} zig_exp;

/* Fills the table. */
void zig_exp_init(zig_exp *z);

/* The rare draw outside a layer's rectangle (1.1% of draws); called by zig_exp_draw. */
double zig_exp_edge(const zig_exp *z, pcg32 *g, uint32_t x);

/* The common case of a draw from the 32-bit output x: 1 and the variate in *e when x's
 * point lies inside its layer's rectangle (98.9%), else 0 (zig_exp_edge finishes it). */
static inline int zig_exp_inside(const zig_exp *z, uint32_t x, double *e)
{
    uint32_t i = x & (ZIG_LAYERS - 1), u = x >> 8;
    *e = u * z->w[i];
    return u < z->k[i];
}

/* An Exp(1) variate (mean 1); times mu for mean mu. One 32-bit draw most of the time. */
static inline double zig_exp_draw(const zig_exp *z, pcg32 *g)
{
    uint32_t x = pcg32_next(g);
    double e;
    return zig_exp_inside(z, x, &e) ? e : zig_exp_edge(z, g, x);
}

#endif
