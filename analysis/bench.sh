#!/bin/sh
# bench.sh — what `make bench` runs: the engine benchmarks at several sizes, a table on
# stdout and every result as one JSON array in results/bench.json.
#
#   hold  pending-event set, hold model, 10^2 .. 10^6 pending events
#   mm1   M/M/1 at rho 0.5 and 0.9, M/M/4 at rho 0.9 (mean wait in queue vs theory)
#   model the full model at 10^4 and 10^5 agents over a year (a 10^6-agent year takes
#         about 10 CPU minutes: BENCH_AGENTS="1000000" to run it)
#   sweep the baseline scenario swept with one worker, then two: runs per second, the
#         speed-up, and the share of time spent storing results
#
# Rates are per second of the benchmark's CPU time (it is single-threaded), so other
# jobs on the machine slow the wall clock more than the figures. Environment:
#   CRUCIBLE_BIN   the binary (default bin/crucible)
#   BENCH_SIZES    pending sizes for hold (default "100 1000 10000 100000 1000000")
#   BENCH_HOLDS    holds per size (default: max(10^7, 20 x pending))
#   BENCH_CUSTOMERS customers per mm1 run (default 2000000)
#   BENCH_AGENTS   agent counts for the model (default "10000 100000")
#   BENCH_DAYS     simulated days for the model (default 365)
#   BENCH_REPEAT   runs per model size (default: 5 up to 10^4 agents, 1 above; a 10^4
#                  year is a 3-second run, which a shared machine's slow minute can
#                  halve): the table gives the median run's rate and the slowest and
#                  fastest (the peak RSS is over all of them)
#   BENCH_SWEEP_REPS replicates per point of the 5-point sweep (default 4: 20 runs)
#   BENCH_SEED     seed (default 1)
#   BENCH_OUT      output file (default results/bench.json)
set -eu

BIN=${CRUCIBLE_BIN:-bin/crucible}
SIZES=${BENCH_SIZES:-"100 1000 10000 100000 1000000"}
CUSTOMERS=${BENCH_CUSTOMERS:-2000000}
AGENTS=${BENCH_AGENTS:-"10000 100000"}
DAYS=${BENCH_DAYS:-365}
SWEEP_REPS=${BENCH_SWEEP_REPS:-4}
SEED=${BENCH_SEED:-1}
OUT=${BENCH_OUT:-results/bench.json}

if [ ! -x "$BIN" ]; then
    echo "bench.sh: $BIN is missing; run 'make' first (or set CRUCIBLE_BIN)" >&2
    exit 1
fi
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# field NAME JSON: the value of a top-level number or string field of a flat object
field() {
    printf '%s\n' "$2" | sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

run() { # run ARGS...: one JSON line appended to $tmp and echoed back
    line=$("$BIN" bench "$@" --seed "$SEED" --json)
    printf '%s\n' "$line" >>"$tmp"
    printf '%s\n' "$line"
}

echo "crucible benchmarks ($("$BIN" version 2>/dev/null || echo unknown version)); rates per CPU second"
echo
printf '%-6s %12s %14s %16s\n' "bench" "pending" "holds" "M holds/s"
for n in $SIZES; do
    holds=${BENCH_HOLDS:-$(( n * 20 > 10000000 ? n * 20 : 10000000 ))}
    j=$(run hold --pending "$n" --holds "$holds")
    printf '%-6s %12s %14s %16.2f\n' hold "$n" "$holds" \
        "$(awk -v r="$(field holds_per_sec "$j")" 'BEGIN { print r / 1e6 }')"
done

echo
printf '%-6s %4s %5s %10s %14s %11s %11s %11s\n' "bench" "c" "rho" "customers" "M events/s" \
    "mean_wait" "+- se" "theory"
for spec in "1 0.5" "1 0.9" "4 0.9"; do
    set -- $spec
    j=$(run mm1 --customers "$CUSTOMERS" --rho "$2" --servers "$1")
    printf '%-6s %4s %5s %10s %14.2f %11.4f %11.4f %11.4f\n' mm1 "$1" "$2" "$CUSTOMERS" \
        "$(awk -v r="$(field events_per_sec "$j")" 'BEGIN { print r / 1e6 }')" \
        "$(field mean_wait "$j")" "$(field wait_stderr "$j")" "$(field theory_wait "$j")"
done

echo
printf '%-6s %10s %6s %4s %14s %13s %14s %12s %14s %14s\n' "bench" "agents" "days" "runs" \
    "M events/s" "(min..max)" "peak RSS MB" "agents end" "B/agent (end)" "net of program"
for n in $AGENTS; do
    reps=${BENCH_REPEAT:-$([ "$n" -le 10000 ] && echo 5 || echo 1)}
    j=$(run model --agents "$n" --days "$DAYS" --repeat "$reps")
    printf '%-6s %10s %6s %4s %14.2f %13s %14.1f %12s %14s %14s\n' model "$(field agents "$j")" \
        "$(field days "$j")" "$reps" \
        "$(awk -v r="$(field events_per_sec "$j")" 'BEGIN { print r / 1e6 }')" \
        "$(awk -v a="$(field events_per_sec_min "$j")" -v b="$(field events_per_sec_max "$j")" \
            'BEGIN { printf "%.2f..%.2f", a / 1e6, b / 1e6 }')" \
        "$(awk -v r="$(field peak_rss_bytes "$j")" 'BEGIN { print r / 1048576 }')" \
        "$(field agents_end "$j")" "$(field bytes_per_agent_end "$j")" \
        "$(field model_bytes_per_agent_end "$j")"
done

# The sweep: the same 5-point design with -j1 then -j2 (wall-clock rates: run it on an
# otherwise idle machine; the speed-up is only meaningful with two free cores).
echo
printf '%-6s %4s %6s %12s %14s %16s\n' "bench" "jobs" "runs" "runs/s" "store share" \
    "store CPU share"
sdb=$(mktemp -d)
r1=
for jobs in 1 2; do
    j=$("$BIN" sweep scenarios/sweeps/burn-from-treasury.yaml --replicates "$SWEEP_REPS" \
        --seed "$SEED" -j "$jobs" --out "$sdb/j$jobs.db" --json 2>/dev/null)
    printf '%s\n' "$j" >>"$tmp"
    rps=$(field runs_per_second "$j")
    [ -n "$r1" ] || r1=$rps
    printf '%-6s %4s %6s %12.3f %14.4f %16.4f\n' sweep "$jobs" "$(field runs "$j")" "$rps" \
        "$(field store_share "$j")" "$(field store_cpu_share "$j")"
done
rm -rf "$sdb"
echo "sweep speed-up, -j2 over -j1: $(awk -v a="$r1" -v b="$rps" 'BEGIN { printf "%.2f", b / a }')"

# one JSON array of every result
{
    echo "["
    sed '$!s/$/,/' "$tmp"
    echo "]"
} >"$OUT"
echo
echo "wrote $OUT"
