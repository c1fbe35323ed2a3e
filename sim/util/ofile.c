/*
 * ofile.c — see ofile.h.
 *
 * The stream is a stdio FILE over our own write function (fopencookie) so that the
 * errno of the first failed write is kept: a caller may print thousands of lines without
 * checking each, and at commit we still know whether the disk was full, the file too
 * large, or something else.
 */
#define _GNU_SOURCE /* fopencookie */
#include "util/ofile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

/* Refuses path, which exists and is not a regular file (st from lstat). */
static int refuse(crc_err *err, const char *path, const struct stat *st)
{
    const char *what, *fix = "give the name of a regular file (or of one that does not exist "
                             "yet)";
    if (S_ISDIR(st->st_mode)) {
        what = "a directory";
        fix = "give a file name inside it instead";
    } else if (S_ISLNK(st->st_mode)) {
        what = "a symbolic link";
        fix = "crucible neither writes through a link nor replaces one: give the real path "
              "(readlink -f) or remove the link";
    } else if (S_ISCHR(st->st_mode))
        what = "a character device";
    else if (S_ISBLK(st->st_mode))
        what = "a block device";
    else if (S_ISFIFO(st->st_mode))
        what = "a FIFO (named pipe)";
    else if (S_ISSOCK(st->st_mode))
        what = "a socket";
    else
        what = "not a regular file";
    return crc_err_set(err, CRC_EINPUT, "%s is %s" OFILE_REFUSED_TEXT ": %s", path, what, fix);
}

int ofile_fail(crc_err *err, const char *path, int errnum, const char *doing)
{
    switch (errnum) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return crc_err_set(err, CRC_EFAIL, "the disk holding %s is full" OFILE_FULL_TEXT
                           " (%s was not written)", path, path);
    case EFBIG:
        return crc_err_set(err, CRC_EFAIL, "%s would pass the largest file allowed here (the "
                           "file-size limit, ulimit -f, or the filesystem's): raise the limit "
                           "or write elsewhere and run the same command again (%s was not "
                           "written)", path, path);
    case EACCES:
    case EPERM:
        return crc_err_set(err, CRC_EFAIL, "no permission for %s %s: choose a folder you may "
                           "write to", doing, path);
    case ENOENT:
        return crc_err_set(err, CRC_EFAIL, "%s %s: its folder does not exist; create it or "
                           "choose another path", doing, path);
    case EROFS:
        return crc_err_set(err, CRC_EFAIL, "%s %s: the filesystem is read-only; write "
                           "elsewhere", doing, path);
    default:
        return crc_err_set(err, CRC_EFAIL, "%s %s failed: %s", doing, path, strerror(errnum));
    }
}

int ofile_is_full(const crc_err *err)
{
    return err && err->code == CRC_EFAIL && strstr(err->msg, " is full" OFILE_FULL_TEXT);
}

int ofile_is_refused(const crc_err *err)
{
    return err && err->code == CRC_EINPUT && strstr(err->msg, OFILE_REFUSED_TEXT);
}

int ofile_check(const char *path, crc_err *err)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        return S_ISREG(st.st_mode) ? CRC_OK : refuse(err, path, &st);
    if (errno == ENOENT)
        return CRC_OK;
    if (errno == ENOTDIR)
        return crc_err_set(err, CRC_EINPUT, "%s: a part of this path is not a folder; "
                           "choose another path", path);
    return ofile_fail(err, path, errno, "examining");
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    ofile *o = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!o->werr)
                o->werr = w < 0 ? errno : EIO;
            return 0; /* stdio marks the stream in error */
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

/* The descriptor and the temporary exist exactly while o->tmp is set, so a zeroed
 * ofile owns nothing (and descriptor 0 is never closed by mistake). */
static void release(ofile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) {
        if (o->fd >= 0)
            close(o->fd);
        unlink(o->tmp);
    }
    o->fd = -1;
    o->tmp[0] = '\0';
}

int ofile_open(ofile *o, const char *path, crc_err *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (strlen(path) >= sizeof o->path)
        return crc_err_set(err, CRC_EINPUT, "%.200s...: the path is too long (at most %zu "
                           "characters)", path, sizeof o->path - 1);
    int rc = ofile_check(path, err);
    if (rc)
        return rc;
    snprintf(o->path, sizeof o->path, "%s", path);
    /* O_EXCL on a fresh name: never an existing file, never through a link planted in
     * the meantime; the mode is 0666 less the umask, as for any file the user writes. */
    for (unsigned k = 0; o->fd < 0; k++) {
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld-%u", path, (long)getpid(), k);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd < 0 && (errno != EEXIST || k == 1000)) {
            int e = errno;
            o->tmp[0] = '\0';
            return ofile_fail(err, path, e, "creating");
        }
    }
    static const cookie_io_functions_t io = {.write = cookie_write};
    if (!(o->f = fopencookie(o, "w", io))) {
        release(o);
        return crc_err_set(err, CRC_ENOMEM, "out of memory opening %s", path);
    }
    return CRC_OK;
}

void ofile_abort(ofile *o)
{
    release(o);
}

int ofile_commit(ofile *o, crc_err *err)
{
    if (!o->f)
        return crc_err_set(err, CRC_EFAIL, "%s: internal error: committed twice", o->path);
    int e = 0;
    const char *doing = "writing";
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = o->werr ? o->werr : errno ? errno : EIO;
    else if (fsync(o->fd) != 0) {
        e = errno; /* delayed allocation: a full disk may show only here */
        doing = "syncing";
    }
    fclose(o->f);
    o->f = NULL;
    if (close(o->fd) != 0 && !e) {
        e = errno;
        doing = "closing";
    }
    o->fd = -1;
    if (e) {
        release(o);
        return ofile_fail(err, o->path, e, doing);
    }
    /* The target may have changed since ofile_open; rename never writes through a link,
     * but it would replace a device or FIFO put there meanwhile. */
    int rc = ofile_check(o->path, err);
    if (rc) {
        release(o);
        return rc;
    }
    if (rename(o->tmp, o->path) != 0) {
        e = errno;
        release(o);
        return ofile_fail(err, o->path, e, "moving into place");
    }
    o->tmp[0] = '\0';
    if (ofile_sync_dir(o->path) != 0 && errno != EINVAL && errno != EROFS)
        return ofile_fail(err, o->path, errno, "syncing the folder of");
    return CRC_OK;
}

int ofile_put(const char *path, const void *buf, size_t n, crc_err *err)
{
    ofile o;
    int rc = ofile_open(&o, path, err);
    if (rc)
        return rc;
    if (n)
        fwrite(buf, 1, n, o.f);
    return ofile_commit(&o, err);
}

int ofile_remove(const char *path, crc_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? CRC_OK : ofile_fail(err, path, errno, "examining");
    if (!S_ISREG(st.st_mode))
        return refuse(err, path, &st);
    if (unlink(path) != 0 && errno != ENOENT)
        return ofile_fail(err, path, errno, "removing");
    return CRC_OK;
}

/* The folder holding path: "." for a bare name, "/" for "/name". */
static void dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int ofile_no_space(const char *path)
{
    struct statvfs sv;
    char dir[1100];
    if (statvfs(path, &sv) != 0) {
        dir_of(path, dir, sizeof dir);
        if (statvfs(dir, &sv) != 0)
            return 0;
    }
    return sv.f_bavail == 0;
}

int ofile_sync_dir(const char *path)
{
    struct stat st;
    char dir[1100];
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(dir, sizeof dir, "%s", path);
    else
        dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}
