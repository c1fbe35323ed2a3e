/* cli.c — helpers shared by the subcommands. See cli.h. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "stats.h"
#include "table.h"

void cli_print_nonfinite(const table *t, int fmt, const char *cmd)
{
    if (!t->nrows)
        return;
    if (fmt == TABLE_CSV) {
        for (size_t r = 0; r < t->nrows; r++) {
            fprintf(stderr, "crucible %s: note:", cmd);
            for (size_t c = 0; c < t->ncol; c++)
                fprintf(stderr, " %s=%s", t->head[c], t->cells[r * t->ncol + c]);
            fprintf(stderr, " (infinite values are left out of the statistics)\n");
        }
        return;
    }
    printf(fmt == TABLE_MARKDOWN ? "\n### Non-finite values\n\n" : "\nNon-finite values\n");
    printf("Runs whose value is +inf or -inf are reported here and left out of the "
           "statistics above (n counts the finite values only).\n%s",
           fmt == TABLE_MARKDOWN ? "\n" : "");
    table_print(t, stdout, (table_format)fmt);
}

void cli_warn_gsl(const char *cmd, const char *what)
{
    crc_err e;
    crc_err_clear(&e);
    if (stats_gsl_check(&e) != CRC_OK)
        fprintf(stderr, "crucible %s: %s: %s; its statistics are shown as nan\n", cmd, what,
                e.msg);
}

void cli_warn_large(const char *path, const scenario *sc)
{
    scenario_cost c;
    scenario_estimate(sc, &c);
    if (!scenario_cost_is_large(&c))
        return;
    char text[400];
    scenario_cost_text(&c, text, sizeof text);
    fprintf(stderr, "%s: warning: a large run: %s; lower world.horizon, raise world.epoch or "
                    "lower the agent counts if that is not intended\n",
            path, text);
}

int cli_bad_option(crc_err *err, const char *cmd, const char *opt)
{
    return crc_err_set(err, CRC_EINPUT,
                       "unknown option or missing value '%s'; see 'crucible %s --help'", opt,
                       cmd);
}

int cli_report(const char *cmd, const crc_err *err)
{
    char buf[2200];
    fprintf(stderr, "crucible %s: %s\n", cmd, crc_err_format(err, buf, sizeof buf));
    return crc_exit_code(err->code ? err->code : CRC_EFAIL);
}

const char *const cli_stat_names[4] = {"end", "mean", "max", "min"};

int cli_opt_format(const char *arg, int *fmt, crc_err *err)
{
    int f = table_format_from_name(arg);
    if (f < 0)
        return crc_err_set(err, CRC_EINPUT, "--format %s: use table, csv, markdown or json", arg);
    *fmt = f;
    return CRC_OK;
}

int cli_opt_stat(const char *arg, int *stat, crc_err *err)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(arg, cli_stat_names[i])) {
            *stat = i;
            return CRC_OK;
        }
    return crc_err_set(err, CRC_EINPUT, "--stat %s: use end, mean, max or min", arg);
}

int cli_opt_level(const char *arg, double *level, crc_err *err)
{
    char *end;
    double x = strtod(arg, &end);
    if (end == arg || *end || !(x > 0 && x < 1))
        return crc_err_set(err, CRC_EINPUT,
                           "--level %s: give a confidence level in (0, 1), e.g. 0.95", arg);
    *level = x;
    return CRC_OK;
}

int cli_opt_names(const char *arg, char ***list, size_t *n, crc_err *err)
{
    char *copy = strdup(arg);
    if (!copy)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char **nl = realloc(*list, (*n + 1) * sizeof *nl);
        if (nl)
            *list = nl;
        if (!nl || !(nl[*n] = strdup(tok))) {
            free(copy);
            return crc_err_set(err, CRC_ENOMEM, "out of memory");
        }
        (*n)++;
    }
    free(copy);
    return CRC_OK;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps); SIZE_MAX for
 * words too long to be names. */
static size_t osa_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *cli_nearest(const char *word, const char *const *words, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, len = strlen(word);
    for (size_t i = 0; i < n; i++) {
        size_t d = osa_distance(word, words[i]);
        if (d < best_d) {
            best_d = d;
            best = words[i];
        }
    }
    size_t limit = len <= 5 ? 1 : len / 3 + 1;
    if (best && best_d <= limit)
        return best;
    /* "price" for "price_usd": the shortest name that starts with the word */
    best = NULL;
    for (size_t i = 0; len >= 3 && i < n; i++)
        if (!strncmp(words[i], word, len) && (!best || strlen(words[i]) < strlen(best)))
            best = words[i];
    return best;
}
