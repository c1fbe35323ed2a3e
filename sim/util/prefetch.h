/*
 * prefetch.h — a hint to fetch a cache line ahead of its use (no effect on results).
 * The model's populations outgrow the cache at 10^5 agents; it prefetches what the
 * events ahead will read (sim/model/consumers.c, providers.c; docs/model.md §8).
 */
#ifndef CRC_PREFETCH_H
#define CRC_PREFETCH_H

/* The hint must be something the compiler keeps: __builtin_prefetch has no side effects
 * in GCC's model, so with link-time optimisation a function that only prefetches
 * (node_prefetch_route, once also a ledger prefetch) is found pure and its calls are deleted as
 * dead code; that silently dropped the node and ledger prefetches until it was noticed
 * in the disassembly. On x86-64 the hint is an asm statement; elsewhere an empty
 * volatile asm naming the address keeps the builtin's function impure. */
static inline void crc_prefetch(const void *p)
{
#if defined(__GNUC__) && defined(__x86_64__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#elif defined(__GNUC__)
    __builtin_prefetch(p);
    __asm__ volatile("" : : "r"(p));
#else
    (void)p;
#endif
}

#endif
