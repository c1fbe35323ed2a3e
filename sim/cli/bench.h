/*
 * bench.h — `crucible bench <what>`: benchmarks a user can run (make bench runs them
 * through analysis/bench.sh). Each bench_* function parses its own options (argv[0] is
 * the benchmark's name), prints one JSON object with --json or a readable line
 * otherwise, and returns the exit code (0 done, 1 failure, 2 bad input).
 * Timing uses the wall clock here, in the CLI layer only; nothing measured feeds back
 * into a simulation.
 */
#ifndef CRC_BENCH_H
#define CRC_BENCH_H

/* The classic hold model on the pending-event set (sim/cli/cmd_bench.c). */
int bench_hold(int argc, char **argv);

/* An M/M/c queue on the engine (sim + station), with its Erlang C theory. */
int bench_mm1(int argc, char **argv);

/* The full model (implemented in sim/cli/bench_model.c by the model's owner; the
 * dispatcher in cmd_bench.c lists it once that file exists). */
int bench_model(int argc, char **argv);

/* The attack search's optimisers on noisy test functions (sim/cli/bench_optim.c). */
int bench_optim(int argc, char **argv);

#endif
