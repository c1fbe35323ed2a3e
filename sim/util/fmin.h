/*
 * fmin.h — C's fmin, inline.
 *
 * GCC calls libm's fmin (it must honour NaNs), and a caller that keeps values in
 * registers across the call saves and restores them: in the epoch's per-account loops
 * (a vesting release, an emission payment) that was a fifth of their instructions.
 */
#ifndef CRC_FMIN_H
#define CRC_FMIN_H

/* fmin(a, b) as glibc's x86-64 fmin gives it: the lesser, the other when one is a NaN,
 * and b when they compare equal (+0 and -0), as its minsd does. */
static inline double crc_fmin(double a, double b) { return a < b || b != b ? a : b; }

#endif
