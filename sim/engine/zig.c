/* zig.c — ziggurat exponential variates. See zig.h. */
#include "engine/zig.h"

#include <math.h>

/* r, the right edge of the base layer, and v, every layer's area, for 256 layers of
 * e^-x (Marsaglia & Tsang 2000, section 4). */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3
#define ZIG_M 16777216.0 /* 2^24: the resolution of a point within a layer */

void zig_exp_init(zig_exp *z)
{
    double de = ZIG_R, te = de, q = ZIG_V / exp(-de);
    z->k[0] = (uint32_t)(de / q * ZIG_M);
    z->k[1] = 0;
    z->w[0] = q / ZIG_M;
    z->w[ZIG_LAYERS - 1] = de / ZIG_M;
    z->f[0] = 1.0;
    z->f[ZIG_LAYERS - 1] = exp(-de);
    for (int i = ZIG_LAYERS - 2; i >= 1; i--) {
        de = -log(ZIG_V / de + exp(-de));
        z->k[i + 1] = (uint32_t)(de / te * ZIG_M);
        te = de;
        z->f[i] = exp(-de);
        z->w[i] = de / ZIG_M;
    }
}

/* A uniform on (0, 1]: never 0, so its log is finite. */
static double unit_open0(pcg32 *g) { return (pcg32_next(g) + 1.0) * (1.0 / 4294967296.0); }

double zig_exp_edge(const zig_exp *z, pcg32 *g, uint32_t x)
{
    for (;;) {
        uint32_t i = x & (ZIG_LAYERS - 1), u = x >> 8;
        if (u < z->k[i])
            return u * z->w[i];
        if (i == 0) /* the tail beyond r: r plus an exponential */
            return ZIG_R - log(unit_open0(g));
        double v = u * z->w[i];
        /* under the curve between the layer's edges: accept */
        if (z->f[i] + pcg32_double(g) * (z->f[i - 1] - z->f[i]) < exp(-v))
            return v;
        x = pcg32_next(g);
    }
}
