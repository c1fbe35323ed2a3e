/*
 * cmd_merge.c — `crucible merge OUT.db IN.db...`: joins the databases of a sweep's
 * shards (`crucible sweep --shard K/N`) into one (sim/sweep/merge.h, docs/sweeps.md).
 * Refuses, before writing anything, shards of different sweeps and runs present twice.
 * Exit: 0 merged; 2 refused (bad input); 1 a database could not be read or written.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sweep/merge.h"

int cmd_merge(int argc, char **argv); /* also declared by cli.h from commands.def */

int cmd_merge(int argc, char **argv)
{
    int quiet = 0, first = 1;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: crucible merge [--quiet] OUT.db IN.db...\n\n"
             "Joins the shard databases of one sweep (crucible sweep --shard K/N) into OUT.db\n"
             "(new, or holding earlier shards of the same sweep). Refuses shards of\n"
             "different sweeps and runs present twice, before writing anything.\n\n"
             "Exit status: 0 merged, 2 refused, 1 a database could not be read or written.");
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--quiet")) {
        quiet = 1;
        first = 2;
    }
    crc_err err;
    crc_err_clear(&err);
    if (argc - first < 2) {
        crc_err_set(&err, CRC_EINPUT,
                    "usage: crucible merge OUT.db IN.db... (the output first, then the shards)");
        return cli_report("merge", &err);
    }
    merge_stats st;
    int rc = merge_run(argv[first], (const char *const *)argv + first + 1,
                       (size_t)(argc - first - 1), &st, &err);
    if (rc != CRC_OK)
        return cli_report("merge", &err);
    if (!quiet)
        fprintf(stderr, "crucible merge: %zu databases, %zu runs, %zu points -> %s\n",
                st.inputs, st.runs, st.points, argv[first]);
    return 0;
}
