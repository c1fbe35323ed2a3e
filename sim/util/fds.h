/*
 * fds.h — descriptors a forked worker must not keep, and whole reads and writes on the
 * pipes between workers and the writer.
 *
 * fork() shares every open file description with the child, and a flock belongs to the
 * description: a worker that kept the writer's locked results database open would hold
 * the writer's lock after the writer was killed (kill -9), and refuse the `--resume`
 * run right after it. A worker therefore closes what it inherited, first thing.
 */
#ifndef CRC_FDS_H
#define CRC_FDS_H

#include <stddef.h>

/* Closes every descriptor above standard error but the n in keep. For the child of a
 * fork, before it does anything else; the parent's descriptors stay open (and its locks
 * held) in the parent. */
void crc_close_inherited(const int *keep, size_t n);

/* Writes all n bytes of buf to fd, retrying on EINTR and short writes; 0, or -1 (errno
 * set) when the descriptor fails or is closed. */
int crc_write_full(int fd, const void *buf, size_t n);

/* Reads exactly n bytes into buf, retrying on EINTR and short reads; 0 on success, 1 at
 * end of file before any byte (the other end closed cleanly), -1 otherwise. */
int crc_read_full(int fd, void *buf, size_t n);

#endif
