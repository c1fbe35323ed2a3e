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

/* Bounded numbers. Each parses arg, the value of option opt ("--seed", "-j/--jobs"), as a
 * whole number (cli_opt_long, cli_opt_ulong: decimal, nothing after it) or a real number
 * (cli_opt_double) in [lo, hi], and stores it in *out; otherwise it leaves *out alone and
 * fills err (CRC_EINPUT) with one message style: the option, the value given, what is
 * wrong (not a number, text after the number, too large, out of range) and what to give,
 * e.g. "--replicates 0: out of range; give a whole number from 1 to 1000000". A range
 * bound of ±HUGE_VAL is left out of the message; hi = UINT64_MAX reads 2^64-1. */
int cli_opt_long(const char *opt, const char *arg, long lo, long hi, long *out, crc_err *err);
int cli_opt_ulong(const char *opt, const char *arg, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out, crc_err *err);
int cli_opt_double(const char *opt, const char *arg, double lo, double hi, double *out,
                   crc_err *err);

/* The default number of worker processes (-j): the CPUs online, at least 1. */
int cli_default_jobs(void);

/* The options `sweep` and `attack` share (CLI_BATCH_LONGOPTS in their getopt tables):
 * -j/--jobs N, --out DB, --resume, --shard K/N, --seed S, --replicates R, --set p=v
 * (repeatable), --json, --quiet, -h/--help. A command's own option codes start at
 * CLI_BATCH_OPT_END. */
enum {
    CLI_OPT_OUT = 256, CLI_OPT_RESUME, CLI_OPT_SHARD, CLI_OPT_SEED, CLI_OPT_REPS, CLI_OPT_SET,
    CLI_OPT_JSON, CLI_OPT_QUIET, CLI_OPT_HELP, CLI_BATCH_OPT_END
};
#define CLI_BATCH_LONGOPTS                                                                  \
    {"jobs", required_argument, NULL, 'j'}, {"out", required_argument, NULL, CLI_OPT_OUT},  \
        {"resume", no_argument, NULL, CLI_OPT_RESUME},                                      \
        {"shard", required_argument, NULL, CLI_OPT_SHARD},                                  \
        {"seed", required_argument, NULL, CLI_OPT_SEED},                                    \
        {"replicates", required_argument, NULL, CLI_OPT_REPS},                              \
        {"set", required_argument, NULL, CLI_OPT_SET},                                      \
        {"json", no_argument, NULL, CLI_OPT_JSON}, {"quiet", no_argument, NULL, CLI_OPT_QUIET}, \
        {"help", no_argument, NULL, CLI_OPT_HELP}
#define CLI_BATCH_SHORTOPTS ":j:h"

/* What those options said. sets points into argv (the array is owned: cli_batch_free). */
typedef struct cli_batch {
    const char *cmd;          /* "sweep", "attack": for messages                   */
    long max_replicates;      /* --replicates' upper bound                         */
    int jobs;                 /* default: the number of CPUs                       */
    const char *out;          /* NULL: the command's default                       */
    int resume, json, quiet, help;
    long shard_k, shard_n;    /* 1/1 without --shard                               */
    int has_seed;
    unsigned long long seed;
    long replicates;          /* 0: not given                                      */
    char **sets;
    size_t n_sets;
} cli_batch;

/* Defaults for cmd with argc arguments; CRC_ENOMEM if memory runs out. */
int cli_batch_init(cli_batch *b, const char *cmd, int argc, long max_replicates, crc_err *err);
void cli_batch_free(cli_batch *b);

/* Handles getopt_long's code c (with optarg arg; argv and optind for the option's name in
 * messages): a shared option, a missing value (':') or an unknown option ('?'). Returns
 * CRC_OK or CRC_EINPUT (err filled) when it did, 1 when c is the command's own option. */
int cli_batch_opt(cli_batch *b, int c, const char *arg, char **argv, int optind_now,
                  crc_err *err);

/* The progress mode for the runners: 0 none (--quiet, --json), 1 a live line (stderr is a
 * terminal), 2 a line per step. */
int cli_batch_progress(const cli_batch *b);

/* results/STEM.db, or results/STEM-shardKofN.db under --shard, into buf (the store
 * creates results/ when it opens the database). */
void cli_batch_default_out(const cli_batch *b, const char *stem, char *buf, size_t len);
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
