/*
 * bigmem.h — growth of large arrays on huge pages (no effect on results).
 *
 * The model's per-agent arrays (records, balances, logit tables) reach hundreds of
 * megabytes at 10^6 agents and are read at random, one event at a time. With 4 KB
 * pages nearly every such read also misses the TLB and walks the page table; Linux's
 * transparent huge pages (2 MB) cut that walk, but under the common "madvise" setting
 * only for memory that asks for them, and only in 2 MB-aligned runs.
 *
 * crc_realloc_big is realloc for such arrays: below CRC_BIG_BYTES the new block is
 * aligned to a cache line (CRC_LINE_BYTES), so that records of one or two lines never
 * straddle a third; at and above it the new block is 2 MB-aligned, advised MADV_HUGEPAGE (where the system
 * has it) and the first old_size bytes are copied over. Either way the result is
 * released with free(), and on failure NULL is returned with p untouched.
 * crc_reserve_big does the same for a table rewritten whole, without copying.
 */
#ifndef CRC_BIGMEM_H
#define CRC_BIGMEM_H

#include <stddef.h>

#define CRC_BIG_BYTES ((size_t)4 << 20)
#define CRC_LINE_BYTES 64

void *crc_realloc_big(void *p, size_t old_size, size_t new_size);

/* Makes *p hold at least need elements of size sz for a table rewritten whole after
 * each call (its contents are not kept): when *cap is short, the old block is freed
 * before the new one is had (crc_realloc_big), so the two never coexist at the peak
 * of memory, and *cap becomes need. 0, or -1 when out of memory (then *p is NULL and
 * *cap 0). */
int crc_reserve_big(void **p, size_t *cap, size_t need, size_t sz);

#endif
