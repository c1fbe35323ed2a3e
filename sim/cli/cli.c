/* cli.c — helpers shared by the subcommands. See cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "stats.h"
#include "sweep/sweep.h"
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

/* What is wrong with a number option's value, for the message: "not a number" when
 * nothing was read, "'x' after the number", "too large" on overflow, else "out of
 * range". end is where the conversion stopped. */
static const char *number_fault(const char *arg, const char *end, int overflow, char *buf,
                                size_t len)
{
    if (end == arg)
        return "not a number";
    if (*end) {
        snprintf(buf, len, "'%.40s' after the number", end);
        return buf;
    }
    return overflow ? "too large" : "out of range";
}

/* "OPT ARG: FAULT; give WHAT from LO to HI" (lo_s, hi_s already formatted). */
static int number_error(crc_err *err, const char *opt, const char *arg, const char *fault,
                        const char *what, const char *lo_s, const char *hi_s)
{
    if (lo_s[0] && hi_s[0])
        return crc_err_set(err, CRC_EINPUT, "%s %s: %s; give %s from %s to %s", opt, arg, fault,
                           what, lo_s, hi_s);
    if (lo_s[0] || hi_s[0])
        return crc_err_set(err, CRC_EINPUT, "%s %s: %s; give %s %s %s", opt, arg, fault, what,
                           lo_s[0] ? "of at least" : "of at most", lo_s[0] ? lo_s : hi_s);
    return crc_err_set(err, CRC_EINPUT, "%s %s: %s; give %s", opt, arg, fault, what);
}

int cli_opt_long(const char *opt, const char *arg, long lo, long hi, long *out, crc_err *err)
{
    char *end, buf[64], lo_s[32], hi_s[32];
    errno = 0;
    long v = strtol(arg, &end, 10);
    int overflow = errno == ERANGE;
    if (end != arg && !*end && !overflow && v >= lo && v <= hi) {
        *out = v;
        return CRC_OK;
    }
    snprintf(lo_s, sizeof lo_s, "%ld", lo);
    snprintf(hi_s, sizeof hi_s, "%ld", hi);
    const char *fault = number_fault(arg, end, overflow, buf, sizeof buf);
    if (overflow && v < 0)
        fault = "too small";
    return number_error(err, opt, arg, fault, "a whole number", lo_s, hi_s);
}

int cli_opt_ulong(const char *opt, const char *arg, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out, crc_err *err)
{
    char *end, buf[64], lo_s[32], hi_s[32];
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    int overflow = errno == ERANGE;
    /* strtoull takes "-1" as 2^64-1: a minus sign is out of range, not a huge number. */
    int negative = strchr(arg, '-') != NULL && end != arg;
    if (end != arg && !*end && !overflow && !negative && v >= lo && v <= hi) {
        *out = v;
        return CRC_OK;
    }
    snprintf(lo_s, sizeof lo_s, "%llu", lo);
    if (hi == UINT64_MAX)
        snprintf(hi_s, sizeof hi_s, "2^64-1");
    else
        snprintf(hi_s, sizeof hi_s, "%llu", hi);
    const char *fault = number_fault(arg, end, overflow && !negative, buf, sizeof buf);
    return number_error(err, opt, arg, fault, "a whole number", lo_s, hi_s);
}

int cli_opt_double(const char *opt, const char *arg, double lo, double hi, double *out,
                   crc_err *err)
{
    char *end, buf[64], lo_s[32] = "", hi_s[32] = "";
    errno = 0;
    double v = strtod(arg, &end);
    /* Underflow (1e-400) reads as 0 or a tiny number: only an infinite result overflowed. */
    int overflow = errno == ERANGE && isinf(v);
    if (end != arg && !*end && !overflow && v >= lo && v <= hi) {
        *out = v;
        return CRC_OK;
    }
    if (isfinite(lo))
        snprintf(lo_s, sizeof lo_s, "%g", lo);
    if (isfinite(hi))
        snprintf(hi_s, sizeof hi_s, "%g", hi);
    const char *fault = number_fault(arg, end, overflow, buf, sizeof buf);
    if (overflow && v < 0)
        fault = "too small";
    return number_error(err, opt, arg, fault, "a number", lo_s, hi_s);
}

int cli_opt_level(const char *arg, double *level, crc_err *err)
{
    char *end, buf[64];
    errno = 0;
    double x = strtod(arg, &end);
    if (end != arg && !*end && x > 0 && x < 1) {
        *level = x;
        return CRC_OK;
    }
    return crc_err_set(err, CRC_EINPUT, "--level %s: %s; give a confidence level strictly "
                       "between 0 and 1, e.g. 0.95", arg,
                       number_fault(arg, end, errno == ERANGE && isinf(x), buf, sizeof buf));
}

/* ---- the options sweep and attack share ----------------------------------------------- */

int cli_default_jobs(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    return ncpu > 0 ? (int)ncpu : 1;
}

int cli_batch_init(cli_batch *b, const char *cmd, int argc, long max_replicates, crc_err *err)
{
    memset(b, 0, sizeof *b);
    b->cmd = cmd;
    b->max_replicates = max_replicates;
    b->jobs = cli_default_jobs();
    b->shard_k = b->shard_n = 1;
    b->sets = calloc((size_t)argc + 1, sizeof *b->sets);
    if (!b->sets)
        return crc_err_set(err, CRC_ENOMEM, "out of memory");
    return CRC_OK;
}

void cli_batch_free(cli_batch *b)
{
    free(b->sets);
    b->sets = NULL;
}

int cli_batch_opt(cli_batch *b, int c, const char *arg, char **argv, int optind_now,
                  crc_err *err)
{
    long v = 0;
    int rc = CRC_OK;
    switch (c) {
    case 'j':
        if ((rc = cli_opt_long("-j/--jobs", arg, 1, 4096, &v, err)) == CRC_OK)
            b->jobs = (int)v;
        return rc;
    case CLI_OPT_OUT: b->out = arg; return CRC_OK;
    case CLI_OPT_RESUME: b->resume = 1; return CRC_OK;
    case CLI_OPT_SHARD: return sweep_parse_shard(arg, &b->shard_k, &b->shard_n, err);
    case CLI_OPT_SEED:
        if ((rc = cli_opt_ulong("--seed", arg, 0, UINT64_MAX, &b->seed, err)) == CRC_OK)
            b->has_seed = 1;
        return rc;
    case CLI_OPT_REPS:
        return cli_opt_long("--replicates", arg, 1, b->max_replicates, &b->replicates, err);
    case CLI_OPT_SET: b->sets[b->n_sets++] = (char *)arg; return CRC_OK;
    case CLI_OPT_JSON: b->json = 1; return CRC_OK;
    case CLI_OPT_QUIET: b->quiet = 1; return CRC_OK;
    case 'h':
    case CLI_OPT_HELP: b->help = 1; return CRC_OK;
    case ':':
        return crc_err_set(err, CRC_EINPUT, "%s needs a value; see 'crucible %s --help'",
                           argv[optind_now - 1], b->cmd);
    case '?': return cli_bad_option(err, b->cmd, argv[optind_now - 1]);
    default: return 1;
    }
}

int cli_batch_progress(const cli_batch *b)
{
    return b->quiet || b->json ? 0 : isatty(STDERR_FILENO) ? 1 : 2;
}

void cli_batch_default_out(const cli_batch *b, const char *stem, char *buf, size_t len)
{
    if (b->shard_n > 1)
        snprintf(buf, len, "results/%s-shard%ldof%ld.db", stem, b->shard_k, b->shard_n);
    else
        snprintf(buf, len, "results/%s.db", stem);
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
