/*
 * ofile.h — output files written whole or not at all.
 *
 * Every file a command writes for the user (an export, a plot and its script and data,
 * a report) goes through here: the target must be absent or a regular file (never a
 * device, FIFO, socket, directory or symbolic link: we do not replace what is not ours
 * nor write through a link); the text goes to a temporary file beside the target; on
 * commit every buffered write, the fsync and the close are checked and only then is the
 * temporary renamed over the target. A full disk, a killed process or any error leaves
 * the target as it was (absent, or the previous complete file), never a truncated file
 * under the final name. Errors name the file and say what to do; a full disk says so:
 * OFILE_FULL_TEXT below.
 *
 * Ownership: an ofile is a caller-owned struct; ofile_open fills it, and exactly one of
 * ofile_commit or ofile_abort releases it (both are no-ops on a released or zeroed one).
 * While open it must stay where it is: the stream refers to it (no copying or moving).
 * A stream is used by one thread at a time.
 */
#ifndef CRC_OFILE_H
#define CRC_OFILE_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

/* What every disk-full message says after "the disk holding FILE is full". */
#define OFILE_FULL_TEXT ": free space and run the same command again"
/* What every refusal of a target says after "PATH is a directory" (or the like). */
#define OFILE_REFUSED_TEXT ", not a file crucible may replace; it was left untouched"

typedef struct ofile {
    FILE *f;             /* write here (stdio); NULL when not open                      */
    int fd;              /* the temporary file's descriptor (owned by f)                */
    int werr;            /* errno of the first failed write, 0 when none                */
    char path[1024];     /* the final name                                              */
    char tmp[1100];      /* the temporary name beside it; "" when none                  */
} ofile;

/* 0 when path is absent or a regular file. Otherwise CRC_EINPUT naming path and saying
 * what it is (a directory, a symbolic link, a device, a FIFO, a socket) and what to do;
 * CRC_EFAIL when it cannot be examined (permissions, a missing folder on the way). */
int ofile_check(const char *path, crc_err *err);

/* Checks path (ofile_check), then creates a temporary file beside it (same folder, so
 * the final rename is atomic) and opens o->f on it. On failure nothing is left behind
 * and o is released. */
int ofile_open(ofile *o, const char *path, crc_err *err);

/* Flushes, fsyncs and closes the temporary file, checking each, checks the target once
 * more and renames the temporary over it, then syncs the folder. On any failure the
 * temporary is removed, the target is left as it was, and err says why. Releases o. */
int ofile_commit(ofile *o, crc_err *err);

/* Closes and removes the temporary file; the target is untouched. Releases o. */
void ofile_abort(ofile *o);

/* ofile_open + fwrite(buf, 1, n) + ofile_commit. */
int ofile_put(const char *path, const void *buf, size_t n, crc_err *err);

/* Removes path when it is a regular file (an old output of ours); absent is fine;
 * anything else is refused as in ofile_check and left alone. */
int ofile_remove(const char *path, crc_err *err);

/* Sets err for a failed system call `doing` ("writing", "creating", ...) on path with
 * errno errnum: a full disk or quota (ENOSPC, EDQUOT) gives "the disk holding PATH is
 * full" + OFILE_FULL_TEXT; EFBIG names the file-size limit; anything else the system's
 * words. Returns CRC_EFAIL. */
int ofile_fail(crc_err *err, const char *path, int errnum, const char *doing);

/* 1 when err is a disk-full error from ofile_fail. */
int ofile_is_full(const crc_err *err);

/* 1 when err is ofile_check's refusal of a target that is not a regular file. */
int ofile_is_refused(const crc_err *err);

/* 1 when the filesystem holding path (a file or folder) has no block left for an
 * unprivileged writer; 0 otherwise or when it cannot be asked. */
int ofile_no_space(const char *path);

/* Syncs the folder holding path (or path itself when it is a folder), so that renames
 * and removals in it survive a crash. 0, or -1 with errno. */
int ofile_sync_dir(const char *path);

#endif
