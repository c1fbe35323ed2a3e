/* cli.c — helpers shared by the subcommands. See cli.h. */
#include "cli/cli.h"

#include <stdio.h>

int cli_report(const char *cmd, const crc_err *err)
{
    char buf[2200];
    fprintf(stderr, "crucible %s: %s\n", cmd, crc_err_format(err, buf, sizeof buf));
    return crc_exit_code(err->code ? err->code : CRC_EFAIL);
}
