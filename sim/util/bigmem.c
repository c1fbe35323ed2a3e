/* bigmem.c — large arrays on transparent huge pages (bigmem.h). */
#include "util/bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *crc_realloc_big(void *p, size_t old_size, size_t new_size)
{
    void *q;
    if (new_size < CRC_BIG_BYTES) {
        if (posix_memalign(&q, CRC_LINE_BYTES, new_size ? new_size : 1) != 0)
            return NULL;
    } else {
        size_t len = (new_size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        if (posix_memalign(&q, HUGE_PAGE, len) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        (void)madvise(q, len, MADV_HUGEPAGE); /* advice only: without it, 4 KB pages */
#endif
    }
    if (p)
        memcpy(q, p, old_size < new_size ? old_size : new_size);
    free(p);
    return q;
}

int crc_reserve_big(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    free(*p);
    *p = NULL;
    *cap = 0;
    if (!(*p = crc_realloc_big(NULL, 0, need * sz)))
        return -1;
    *cap = need;
    return 0;
}
