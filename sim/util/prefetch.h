/*
 * prefetch.h — a hint to fetch a cache line ahead of its use (no effect on results).
 * The model's populations outgrow the cache at 10^5 agents; it prefetches what the
 * events ahead will read (sim/model/consumers.c, providers.c; docs/model.md §8).
 */
#ifndef CRC_PREFETCH_H
#define CRC_PREFETCH_H

static inline void crc_prefetch(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

#endif
