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

#endif
