/*
 * table.h — the tables analysis commands print, in four formats: aligned text for a
 * terminal, CSV for spreadsheets and scripts, Markdown for proposals and issues, and
 * JSON for programs. Cells are kept as text; columns marked numeric are written
 * unquoted in JSON, and "nan"/"" become null.
 *
 * Ownership: table_init allocates nothing; cells are copied; table_free releases all.
 */
#ifndef CRC_TABLE_H
#define CRC_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef enum table_format { TABLE_TEXT, TABLE_CSV, TABLE_MARKDOWN, TABLE_JSON } table_format;

typedef struct table {
    size_t ncol;
    char **head;        /* ncol column names                              */
    unsigned char *num; /* ncol flags: 1 when the column holds numbers    */
    char **cells;       /* nrows x ncol                                   */
    size_t nrows, cap;
    size_t cur;         /* cells filled in the row being built            */
    int oom;
} table;

/* Format for a name ("table", "csv", "markdown"/"md", "json"); -1 when unknown. */
int table_format_from_name(const char *name);

/* Starts an empty table with no columns. */
void table_init(table *t);

/* Adds a column (before any row). numeric: 1 for numbers. */
void table_col(table *t, const char *name, int numeric);

/* Appends the next cell of the current row (a new row starts when the previous one is
 * full). printf-style. */
void table_cell(table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a number cell: %.6g, "nan" for NaN (JSON null, empty in CSV). */
void table_num(table *t, double v);

/* Prints t. For TABLE_JSON prints an array of objects (one per row); the caller
 * places it inside whatever document it writes. Returns -1 when t ran out of memory. */
int table_print(const table *t, FILE *f, table_format fmt);

void table_free(table *t);

/* Writes s as a JSON string literal (with quotes). */
void table_json_string(FILE *f, const char *s);

#endif
