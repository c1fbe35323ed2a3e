/*
 * err.h — errors as values.
 *
 * Every fallible function in Crucible returns an int status (CRC_OK == 0) and, on
 * failure, fills a caller-owned crc_err with a message a user can act on: where (file,
 * line, column when known), what was wrong, and what is allowed. Library code never
 * exits; only main() turns a status into an exit code.
 */
#ifndef CRC_ERR_H
#define CRC_ERR_H

#include <stddef.h>

enum {
    CRC_OK = 0,
    CRC_EFAIL = 1,     /* anything else: I/O, a failed run, a library error      */
    CRC_EINPUT = 2,    /* bad input: scenario, parameter, command line, file      */
    CRC_ECRITERIA = 3, /* a declared criterion failed (only fatal under --strict) */
    CRC_ENOMEM = 4     /* out of memory (reported with exit status 1)             */
};

typedef struct crc_err {
    int code;          /* one of the CRC_* codes; CRC_OK when nothing is set      */
    char file[512];    /* input file the error is about, "" when none             */
    int line, col;     /* 1-based position in file, 0 when unknown                */
    char msg[1536];    /* the message proper, without the position prefix         */
} crc_err;

/* Clears err (err may be NULL). */
void crc_err_clear(crc_err *err);

/* Sets code and message (printf-style) and returns code, so callers can write
 * `return crc_err_set(err, CRC_EINPUT, "...")`. err may be NULL. */
int crc_err_set(crc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like crc_err_set but also records the position in an input file. */
int crc_err_at(crc_err *err, int code, const char *file, int line, int col,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Formats "file:line:col: msg" (omitting what is unknown) into buf. */
const char *crc_err_format(const crc_err *err, char *buf, size_t len);

/* Maps a status to the process exit code documented in the README
 * (0 done, 1 failure, 2 bad input, 3 criterion failed under --strict). */
int crc_exit_code(int status);

#endif
