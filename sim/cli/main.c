/*
 * main.c — bin/crucible: dispatches to a subcommand (sim/cli/commands.def).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "stats.h"
#include "util/version.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
#define CMD(name, summary) {#name, cmd_##name, summary},
#include "cli/commands.def"
#undef CMD
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "crucible %s — stress-test the reward scheme of a decentralized AI network\n\n"
               "usage: crucible <command> [options]   (crucible <command> --help for more)\n\n"
               "commands:\n",
            crc_version());
    for (const command *c = commands; c->name; c++)
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "  %-12s %s\n", "version", "print the version and the git commit");
}

int main(int argc, char **argv)
{
    stats_gsl_install(); /* GSL errors become messages, never an abort */
    /* A write past the file-size limit (ulimit -f) then fails with EFBIG, which the store
     * reports as a full disk with what to do, instead of killing the process mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("crucible %s (%s)\n", crc_version(), crc_git_commit());
        return 0;
    }
    for (const command *c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->fn(argc - 1, argv + 1);
    const char *names[sizeof commands / sizeof *commands + 1];
    size_t n = 0;
    for (const command *c = commands; c->name; c++)
        names[n++] = c->name;
    names[n++] = "version";
    const char *near = cli_nearest(argv[1], names, n);
    if (near)
        fprintf(stderr, "crucible: unknown command '%s'; did you mean '%s'?\n", argv[1], near);
    else
        fprintf(stderr, "crucible: unknown command '%s'; run 'crucible --help' for the list\n",
                argv[1]);
    return 2;
}
