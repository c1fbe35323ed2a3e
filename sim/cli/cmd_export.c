/*
 * cmd_export.c — `crucible export DB [--table T] [--format csv|tsv] [--out FILE]`:
 * one table of a results database as CSV (RFC 4180) or TSV, for spreadsheets and R.
 *
 * Numbers are written in the shortest form that reads back to the identical double
 * (at most 17 significant digits), so exports of byte-identical tables are identical.
 * With --out the text goes to a temporary file beside FILE and is renamed over FILE
 * only when complete and synced (util/ofile.h): a full disk or a kill never leaves a
 * truncated export that looks whole, and FILE must be absent or a regular file (a
 * device, FIFO, folder or symbolic link is refused and left untouched).
 */
#include <getopt.h>
#include <sqlite3.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/ofile.h"

static void usage(FILE *f)
{
    fputs("usage: crucible export DB [--table T] [--format csv|tsv] [--out FILE]\n\n"
          "Writes one table of a results database (default: metrics) with a header line,\n"
          "to standard output or FILE. Tables: meta, runs, metrics, summary, criteria,\n"
          "interventions, flows, points (docs/results.md). CSV quotes fields holding a\n"
          "comma, quote or line break (RFC 4180); TSV escapes \\ tab CR LF as \\\\ \\t \\r \\n.\n"
          "NULL is an empty field.\n",
          f);
}

enum { FMT_CSV, FMT_TSV };

static void put_field(FILE *o, const char *s, int fmt)
{
    if (fmt == FMT_TSV) {
        for (; *s; s++) {
            switch (*s) {
            case '\\': fputs("\\\\", o); break;
            case '\t': fputs("\\t", o); break;
            case '\n': fputs("\\n", o); break;
            case '\r': fputs("\\r", o); break;
            default: fputc(*s, o);
            }
        }
        return;
    }
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, o);
        return;
    }
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

/* Shortest %.{15,16,17}g text that reads back to exactly x. */
static void fmt_real(char *buf, size_t len, double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static int write_table(sqlite3_stmt *q, FILE *o, int fmt)
{
    const char sep = fmt == FMT_TSV ? '\t' : ',';
    int ncol = sqlite3_column_count(q);
    for (int i = 0; i < ncol; i++) {
        if (i)
            fputc(sep, o);
        put_field(o, sqlite3_column_name(q, i), fmt);
    }
    fputc('\n', o);
    int rc;
    char num[64];
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            if (i)
                fputc(sep, o);
            switch (sqlite3_column_type(q, i)) {
            case SQLITE_NULL:
                break;
            case SQLITE_INTEGER:
                fprintf(o, "%lld", (long long)sqlite3_column_int64(q, i));
                break;
            case SQLITE_FLOAT:
                fmt_real(num, sizeof num, sqlite3_column_double(q, i));
                fputs(num, o);
                break;
            case SQLITE_BLOB: {
                const unsigned char *b = sqlite3_column_blob(q, i);
                int n = sqlite3_column_bytes(q, i);
                for (int k = 0; k < n; k++)
                    fprintf(o, "%02x", b[k]);
                break;
            }
            default:
                put_field(o, (const char *)sqlite3_column_text(q, i), fmt);
            }
        }
        if (fputc('\n', o) == EOF)
            return SQLITE_IOERR;
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"table", required_argument, NULL, 't'}, {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *table = "metrics", *out = NULL;
    int fmt = FMT_CSV, c;
    crc_err err;
    crc_err_clear(&err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "t:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 't': table = optarg; break;
        case 'o': out = optarg; break;
        case 'f':
            if (!strcmp(optarg, "csv"))
                fmt = FMT_CSV;
            else if (!strcmp(optarg, "tsv"))
                fmt = FMT_TSV;
            else {
                crc_err_set(&err, CRC_EINPUT, "--format %s: choose csv or tsv", optarg);
                return cli_report("export", &err);
            }
            break;
        case 'h': usage(stdout); return 0;
        default:
            cli_bad_option(&err, "export", argv[optind - 1]);
            return cli_report("export", &err);
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        crc_err_set(&err, CRC_EINPUT, "give exactly one results database (DB)");
        return cli_report("export", &err);
    }
    const char *path = argv[optind];
    store *st;
    if (store_open_readonly(&st, path, &err))
        return cli_report("export", &err);
    sqlite3 *db = store_db(st);

    /* The table must exist: its name goes into SQL, so only a known name may. */
    sqlite3_stmt *q = NULL;
    char tables[512] = "";
    int found = 0, is_table = 0;
    /* Rowid tables are written in rowid order; WITHOUT ROWID tables and views in the
     * order they scan (primary-key order), which is as deterministic. */
    if (sqlite3_prepare_v2(db, "SELECT name, type = 'table' AND sql NOT LIKE '%WITHOUT ROWID%' "
                               "FROM sqlite_schema WHERE type IN ('table','view') ORDER BY name",
                           -1, &q, NULL) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *n = (const char *)sqlite3_column_text(q, 0);
            if (!strcmp(n, table)) {
                found = 1;
                is_table = sqlite3_column_int(q, 1);
            }
            size_t used = strlen(tables);
            snprintf(tables + used, sizeof tables - used, "%s%s", used ? ", " : "", n);
        }
    }
    sqlite3_finalize(q);
    if (!found) {
        crc_err_at(&err, CRC_EINPUT, path, 0, 0, "no table '%s' in this database; tables: %s",
                   table, tables);
        store_close(st);
        return cli_report("export", &err);
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"%s", table, is_table ? " ORDER BY rowid" : "");
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        crc_err_at(&err, CRC_EFAIL, path, 0, 0, "cannot read table %s: %s", table,
                   sqlite3_errmsg(db));
        store_close(st);
        return cli_report("export", &err);
    }

    ofile of = {.fd = -1};
    FILE *o = stdout;
    if (out) {
        if (ofile_open(&of, out, &err)) {
            sqlite3_finalize(q);
            store_close(st);
            return cli_report("export", &err);
        }
        o = of.f;
    }
    int rc = write_table(q, o, fmt);
    sqlite3_finalize(q);
    store_close(st);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR) {
        ofile_abort(&of);
        crc_err_at(&err, CRC_EFAIL, path, 0, 0, "reading table %s failed (SQLite %d); "
                   "nothing was written", table, rc);
        return cli_report("export", &err);
    }
    if (out) {
        if (ofile_commit(&of, &err))
            return cli_report("export", &err);
        return 0;
    }
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno ? errno : EIO;
        crc_err_set(&err, CRC_EFAIL, "writing to standard output failed (%s%s); what it "
                    "received is incomplete", strerror(e),
                    e == ENOSPC ? ": the disk is full" : "");
        return cli_report("export", &err);
    }
    return 0;
}
