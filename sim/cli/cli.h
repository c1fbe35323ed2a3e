/*
 * cli.h — the subcommands of bin/crucible (declared from commands.def) and small
 * helpers they share. Only the CLI layer prints to the terminal or decides exit codes.
 */
#ifndef CRC_CLI_H
#define CRC_CLI_H

#include "util/err.h"

#define CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "cli/commands.def"
#undef CMD

/* Prints "crucible <cmd>: <file:line:col: message>" to stderr and returns the exit
 * code for err->code. */
int cli_report(const char *cmd, const crc_err *err);

/* Sets err (CRC_EINPUT) for an option getopt did not accept: unknown, or missing its
 * value; names it and the command's --help. Returns CRC_EINPUT. */
int cli_bad_option(crc_err *err, const char *cmd, const char *opt);

/* Options shared by the analysis commands. Each parses optarg, or fills err with the
 * allowed values and returns CRC_EINPUT. */
extern const char *const cli_stat_names[4]; /* end, mean, max, min: a run's value of a metric */
int cli_opt_format(const char *arg, int *fmt, crc_err *err);   /* table|csv|markdown|json */
int cli_opt_stat(const char *arg, int *stat, crc_err *err);    /* index in cli_stat_names */
int cli_opt_level(const char *arg, double *level, crc_err *err); /* confidence level in (0,1) */
/* Appends the names of a comma-separated list ("a,b,c") to *list (free with
 * adb_strings_free); CRC_ENOMEM if memory runs out. */
int cli_opt_names(const char *arg, char ***list, size_t *n, crc_err *err);

/* The word of words[0..n) nearest to word, for "did you mean": by edit distance with a
 * swap of two neighbours counting as one edit ("rnu" -> "run"), accepted when at most
 * 1 edit for words up to 5 characters and len/3 + 1 beyond; failing that, the shortest
 * word that starts with a word of 3 or more characters ("price" -> "price_usd"); NULL
 * when none is close. */
const char *cli_nearest(const char *word, const char *const *words, size_t n);

/* Prints the table of non-finite values an analysis command left out of its statistics
 * (rows: what, runs with an infinite value, runs in all), when it has rows: as a section
 * after the other tables for text and Markdown, as lines on stderr for CSV (so stdout
 * stays one machine-readable file). JSON callers embed the table themselves. */
struct table;
void cli_print_nonfinite(const struct table *t, int fmt, const char *cmd);

/* Warns on stderr ("PATH: warning: a large run: ...", with what to lower) when one run
 * of sc is estimated to take over an hour of CPU or over half the physical memory
 * (scenario_cost_is_large); a scenario that cannot fit at all is refused by
 * scenario_check_cost instead. */
struct scenario;
void cli_warn_large(const char *path, const struct scenario *sc);

/* Warns on stderr when GSL recorded an error while computing `what` (the statistics
 * are then NaN in the table). */
void cli_warn_gsl(const char *cmd, const char *what);

#endif
