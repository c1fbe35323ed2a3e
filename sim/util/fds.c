/*
 * fds.c — descriptors a forked worker must not keep (fds.h).
 */
#include "util/fds.h"

#include <errno.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

/* Closes lo..hi (hi may be "all above lo"). */
static void close_span(unsigned lo, unsigned hi)
{
    if (lo > hi)
        return;
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) /* a kernel without close_range: the usual range */
        max = 65536;
    for (unsigned fd = lo; fd <= hi && fd < (unsigned)max; fd++)
        close((int)fd);
}

void crc_close_inherited(const int *keep, size_t n)
{
    unsigned from = 3;
    for (;;) {
        /* the smallest kept descriptor at or above from */
        unsigned next = ~0U;
        for (size_t i = 0; i < n; i++)
            if (keep[i] >= (int)from && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next == ~0U) {
            close_span(from, ~0U);
            return;
        }
        if (next > from)
            close_span(from, next - 1);
        from = next + 1;
    }
}

int crc_write_full(int fd, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int crc_read_full(int fd, void *buf, size_t n)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return got ? -1 : 1;
        if (r < 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}
