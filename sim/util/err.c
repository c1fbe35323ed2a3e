/* err.c — see err.h. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void crc_err_clear(crc_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int crc_err_set(crc_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->file[0] = '\0';
    err->line = err->col = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int crc_err_at(crc_err *err, int code, const char *file, int line, int col,
               const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *crc_err_format(const crc_err *err, char *buf, size_t len)
{
    if (!err || len == 0)
        return "";
    if (err->file[0] && err->line > 0 && err->col > 0)
        snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, len, "%s:%d: %s", err->file, err->line, err->msg);
    else if (err->file[0])
        snprintf(buf, len, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, len, "%s", err->msg);
    return buf;
}

int crc_exit_code(int status)
{
    switch (status) {
    case CRC_OK: return 0;
    case CRC_EINPUT: return 2;
    case CRC_ECRITERIA: return 3;
    default: return 1;
    }
}
