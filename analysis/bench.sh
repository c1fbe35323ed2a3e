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
#   vs    this build against a reference build (crucible 0.5.0 by default) in the same
#         run: scenarios/bench/reduced-economy.yaml at 10^4, 10^5 and 10^6 consumers
#         (consumer-days per CPU second) and scenarios/baseline.yaml (CPU seconds per
#         replicate-year), each the median of BENCH_VS_REPEAT runs made alternately with
#         the two builds, and the ratio new / reference. It runs first.
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
#   REF            git commit (or tag) of the reference build (default bf41041, the commit
#                  of crucible 0.5.0, which has no tag); built once with `make` from
#                  `git archive REF` into build/ref/REF and kept there
#   BENCH_VS_CONSUMERS consumer counts of the reduced economy (default
#                  "10000 100000 1000000")
#   BENCH_VS_REPEAT runs per build and size (default: 5 up to 10^5 consumers, 3 above;
#                  a 10^6 year of 0.5.0 takes ~4 CPU minutes)
#   BENCH_VS_ONLY  1: run only the comparison (vs); 0: skip it (default: run everything)
#   REF2           a second reference (a commit, e.g. where a round of work started), built
#                  like REF and run in the same alternation (ref, ref2, new): each row is
#                  followed by this build's ratio to it (default: none)
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

REF=${REF:-bf41041}
VS_CONSUMERS=${BENCH_VS_CONSUMERS:-"10000 100000 1000000"}
VS_ONLY=${BENCH_VS_ONLY:-}

# ref_build [COMMIT]: builds COMMIT (default REF) once into build/ref/COMMIT (git archive + make, its own
# object directory) and prints the path of its binary.
ref_build() {
    r=${1:-$REF} # runs in $(...): nothing it sets leaks
    full=$(git rev-parse --verify --quiet "$r^{commit}") || {
        echo "bench.sh: REF=$r is not a commit of this repository" >&2
        return 1
    }
    dir=build/ref/$(printf '%s' "$full" | cut -c1-12)
    if [ ! -x "$dir/bin/crucible" ]; then
        echo "building the reference $r into $dir (once; cached)" >&2
        rm -rf "$dir"
        mkdir -p "$dir"
        git archive "$full" | tar -x -C "$dir"
        # GIT_COMMIT on the command line: the archive is not a repository of its own
        nice make -C "$dir" -j2 GIT_COMMIT="$(printf '%s' "$full" | cut -c1-12)" bin/crucible \
            >"$dir/build.log" 2>&1 || {
            echo "bench.sh: building $r failed; see $dir/build.log" >&2
            return 1
        }
    fi
    printf '%s\n' "$dir/bin/crucible"
}

# cpu_run BIN SCENARIO ARGS...: one run of the scenario with nothing printed and the
# results in a scratch database; prints "CPU-seconds peak-RSS-KB".
cpu_run() {
    b=$1
    shift
    db=$(mktemp -u /tmp/crucible-bench-XXXXXX.db)
    /usr/bin/time -f '%U %S %M' -o "$db.time" "$b" run "$@" --replicates 1 --out "$db" --quiet
    awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$db.time"
    rm -f "$db" "$db.time" "$db-journal" "$db-wal" "$db-shm"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# vs_row LABEL N REPS SCENARIO ARGS...: REPS runs of each build, alternately; prints the
# row and appends a JSON line. N is the consumer-days of one run (0: report CPU seconds).
vs_row() {
    label=$1 cd=$2 reps=$3
    shift 3
    rt=$(mktemp) nt=$(mktemp) r2t=$(mktemp)
    k=0
    while [ "$k" -lt "$reps" ]; do
        cpu_run "$REFBIN" "$@" >>"$rt"
        [ -z "$REF2BIN" ] || cpu_run "$REF2BIN" "$@" >>"$r2t"
        cpu_run "$BIN" "$@" >>"$nt"
        k=$((k + 1))
    done
    rc=$(cut -d' ' -f1 "$rt" | median) nc=$(cut -d' ' -f1 "$nt" | median)
    r2c=$(cut -d' ' -f1 "$r2t" | median) r2all=$(cut -d' ' -f1 "$r2t" | tr '\n' ' ')
    rm -f "$r2t"
    rr=$(cut -d' ' -f2 "$rt" | sort -n | tail -1) nr=$(cut -d' ' -f2 "$nt" | sort -n | tail -1)
    rall=$(cut -d' ' -f1 "$rt" | tr '\n' ' ') nall=$(cut -d' ' -f1 "$nt" | tr '\n' ' ')
    rm -f "$rt" "$nt"
    if [ "$cd" != 0 ]; then
        awk -v l="$label" -v n="$reps" -v cd="$cd" -v a="$rc" -v b="$nc" -v ra="$rr" -v rb="$nr" \
            'BEGIN { printf "%-22s %4d %12.3f %12.3f %8.2fx %9.2f %9.2f %8.1f %8.1f\n", l, n,
                     cd / a / 1e6, cd / b / 1e6, a / b, a, b, ra / 1024, rb / 1024 }'
    else
        awk -v l="$label" -v n="$reps" -v a="$rc" -v b="$nc" -v ra="$rr" -v rb="$nr" \
            'BEGIN { printf "%-22s %4d %12s %12s %8.2fx %9.2f %9.2f %8.1f %8.1f\n", l, n,
                     "-", "-", a / b, a, b, ra / 1024, rb / 1024 }'
    fi
    r2json=
    if [ -n "$REF2BIN" ]; then
        r2ratio=$(awk -v a="$r2c" -v b="$nc" 'BEGIN { print a / b }')
        printf '%-22s %4s %12s %12s %8.2fx %9.2f %9.2f   (against REF2 %s)\n' "" "" "" "" \
            "$r2ratio" "$r2c" "$nc" "$REF2"
        r2json=$(printf ', "ref2": "%s", "ref2_cpu_seconds": %s, "ref2_ratio": %s, "ref2_cpu_all": "%s"' \
            "$REF2" "$r2c" "$r2ratio" "$r2all")
    fi
    printf '{"bench": "vs", "case": "%s", "ref": "%s", "runs": %s, "consumer_days": %s, "ref_cpu_seconds": %s, "new_cpu_seconds": %s, "ratio": %s, "ref_peak_rss_kb": %s, "new_peak_rss_kb": %s, "ref_cpu_all": "%s", "new_cpu_all": "%s"%s}\n' \
        "$label" "$REF" "$reps" "$cd" "$rc" "$nc" "$(awk -v a="$rc" -v b="$nc" 'BEGIN { print a / b }')" \
        "$rr" "$nr" "$rall" "$nall" "$r2json" >>"$tmp"
}

if [ "$VS_ONLY" != 0 ]; then
    REFBIN=$(ref_build)
    REF2BIN=
    [ -z "${REF2:-}" ] || REF2BIN=$(ref_build "$REF2")
    echo "this build ($("$BIN" version 2>/dev/null | head -1)) against the reference $REF" \
        "($("$REFBIN" version 2>/dev/null | head -1)); CPU seconds are medians of runs made"
    echo "alternately (ref, then REF2 if set, then new); rates in M consumer-days per CPU second"
    printf '%-22s %4s %12s %12s %9s %9s %9s %8s %8s\n' "case" "runs" "ref M c-d/s" "new M c-d/s" \
        "speed-up" "ref CPU s" "new CPU s" "ref MB" "new MB"
    for n in $VS_CONSUMERS; do
        reps=${BENCH_VS_REPEAT:-$([ "$n" -le 100000 ] && echo 5 || echo 3)}
        vs_row "reduced-economy $n" "$((n * 365))" "$reps" scenarios/bench/reduced-economy.yaml \
            --seed "$SEED" --set "consumers.count=$n"
    done
    vs_row "baseline (1 rep-year)" 0 "${BENCH_VS_REPEAT:-5}" scenarios/baseline.yaml --seed "$SEED"
    echo
fi
# one JSON array of every result
write_json() {
    {
        echo "["
        sed '$!s/$/,/' "$tmp"
        echo "]"
    } >"$OUT.tmp" && mv -f "$OUT.tmp" "$OUT" # whole or not at all
    echo
    echo "wrote $OUT"
}
if [ "$VS_ONLY" = 1 ]; then
    write_json
    exit 0
fi
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

write_json
