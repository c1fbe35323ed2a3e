/*
 * table.c — text, CSV, Markdown and JSON rendering of analysis tables (table.h).
 */
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int table_format_from_name(const char *name)
{
    if (!strcmp(name, "table") || !strcmp(name, "text"))
        return TABLE_TEXT;
    if (!strcmp(name, "csv"))
        return TABLE_CSV;
    if (!strcmp(name, "markdown") || !strcmp(name, "md"))
        return TABLE_MARKDOWN;
    if (!strcmp(name, "json"))
        return TABLE_JSON;
    return -1;
}

void table_init(table *t)
{
    memset(t, 0, sizeof *t);
}

void table_col(table *t, const char *name, int numeric)
{
    char **h = realloc(t->head, (t->ncol + 1) * sizeof *h);
    unsigned char *n = realloc(t->num, t->ncol + 1);
    if (h)
        t->head = h;
    if (n)
        t->num = n;
    char *s = strdup(name);
    if (!h || !n || !s) {
        free(s);
        t->oom = 1;
        return;
    }
    t->head[t->ncol] = s;
    t->num[t->ncol] = (unsigned char)(numeric != 0);
    t->ncol++;
}

static void put(table *t, char *s)
{
    if (!s || !t->ncol) {
        free(s);
        t->oom = 1;
        return;
    }
    if (t->cur == 0 || t->cur == t->ncol) {
        if (t->nrows == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 16;
            char **c = realloc(t->cells, cap * t->ncol * sizeof *c);
            if (!c) {
                free(s);
                t->oom = 1;
                return;
            }
            t->cells = c;
            t->cap = cap;
        }
        t->nrows++;
        t->cur = 0;
    }
    t->cells[(t->nrows - 1) * t->ncol + t->cur++] = s;
}

void table_cell(table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(t, strdup(buf));
}

void table_num(table *t, double v)
{
    if (isnan(v))
        table_cell(t, "nan");
    else
        table_cell(t, "%.6g", v);
}

static const char *cell(const table *t, size_t r, size_t c)
{
    /* A short last row prints blanks. */
    if (r == t->nrows - 1 && t->cur && c >= t->cur)
        return "";
    return t->cells[r * t->ncol + c];
}

void table_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int table_print(const table *t, FILE *f, table_format fmt)
{
    if (t->oom)
        return -1;
    size_t nc = t->ncol;
    switch (fmt) {
    case TABLE_TEXT: {
        size_t *w = calloc(nc ? nc : 1, sizeof *w);
        if (!w)
            return -1;
        for (size_t c = 0; c < nc; c++) {
            w[c] = strlen(t->head[c]);
            for (size_t r = 0; r < t->nrows; r++)
                if (strlen(cell(t, r, c)) > w[c])
                    w[c] = strlen(cell(t, r, c));
        }
        for (size_t c = 0; c < nc; c++)
            fprintf(f, "%s%-*s", c ? "  " : "", (int)w[c], t->head[c]);
        fputc('\n', f);
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t c = 0; c < nc; c++) {
                const char *s = cell(t, r, c);
                if (t->num[c])
                    fprintf(f, "%s%*s", c ? "  " : "", (int)w[c], s);
                else
                    fprintf(f, "%s%-*s", c ? "  " : "", (int)w[c], s);
            }
            fputc('\n', f);
        }
        free(w);
        break;
    }
    case TABLE_CSV:
        for (size_t c = 0; c < nc; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, t->head[c]);
        }
        fputc('\n', f);
        for (size_t r = 0; r < t->nrows; r++) {
            for (size_t c = 0; c < nc; c++) {
                const char *s = cell(t, r, c);
                if (c)
                    fputc(',', f);
                csv_field(f, strcmp(s, "nan") ? s : "");
            }
            fputc('\n', f);
        }
        break;
    case TABLE_MARKDOWN:
        fputc('|', f);
        for (size_t c = 0; c < nc; c++)
            fprintf(f, " %s |", t->head[c]);
        fputs("\n|", f);
        for (size_t c = 0; c < nc; c++)
            fputs(t->num[c] ? "---:|" : "---|", f);
        fputc('\n', f);
        for (size_t r = 0; r < t->nrows; r++) {
            fputc('|', f);
            for (size_t c = 0; c < nc; c++) {
                const char *s = cell(t, r, c);
                fputc(' ', f);
                for (; *s; s++) {
                    if (*s == '|')
                        fputc('\\', f);
                    fputc(*s, f);
                }
                fputs(" |", f);
            }
            fputc('\n', f);
        }
        break;
    case TABLE_JSON:
        fputc('[', f);
        for (size_t r = 0; r < t->nrows; r++) {
            fputs(r ? ",\n  {" : "\n  {", f);
            for (size_t c = 0; c < nc; c++) {
                const char *s = cell(t, r, c);
                if (c)
                    fputs(", ", f);
                table_json_string(f, t->head[c]);
                fputs(": ", f);
                if (t->num[c] && (!*s || !strcmp(s, "nan") || !strcmp(s, "inf") ||
                                  !strcmp(s, "-inf")))
                    fputs("null", f);
                else if (t->num[c])
                    fputs(s, f);
                else
                    table_json_string(f, s);
            }
            fputc('}', f);
        }
        fputs(t->nrows ? "\n]" : "]", f);
        break;
    }
    return 0;
}

void table_free(table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->ncol; c++)
        free(t->head[c]);
    size_t filled = t->nrows ? (t->nrows - 1) * t->ncol + (t->cur ? t->cur : t->ncol) : 0;
    for (size_t i = 0; i < filled; i++)
        free(t->cells[i]);
    free(t->head);
    free(t->num);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
