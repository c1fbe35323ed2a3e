#!/bin/sh
# sweep-example.sh — a sweep from start to pictures: runs a grid sweep (emission gate
# multiplier x external demand), summarises it per point, and draws a heatmap of the
# real yield and its time series; then a small Morris screening and its sensitivity
# bars. Everything lands in OUTDIR (default results/sweep-example).
#
#   analysis/sweep-example.sh [OUTDIR] [-- extra crucible sweep flags]
#
# Environment: CRUCIBLE (default bin/crucible), JOBS (default: all CPUs),
# BASE (a base scenario replacing the sweep files' base:, e.g. a short one to try it),
# REPLICATES (override the files' replicates).
set -eu

CRUCIBLE=${CRUCIBLE:-bin/crucible}
OUT=${1:-results/sweep-example}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
mkdir -p "$OUT"

extra=""
[ -n "${BASE:-}" ] && extra="$extra --base $BASE"
[ -n "${REPLICATES:-}" ] && extra="$extra --replicates $REPLICATES"

# 1. The grid sweep. --resume: rerunning the script finishes an interrupted sweep
#    instead of starting again (and refuses if the sweep file changed).
# shellcheck disable=SC2086
"$CRUCIBLE" sweep scenarios/sweeps/gate-vs-demand.yaml -j "$JOBS" --resume \
    --out "$OUT/gate-vs-demand.db" $extra "$@"

# 2. Per-point statistics over replicates (mean, CI, quantiles; criteria pass rates).
"$CRUCIBLE" summarize "$OUT/gate-vs-demand.db" --by-point \
    --metric real_yield,self_ref_share,price_usd --format markdown \
    > "$OUT/gate-vs-demand-summary.md"
"$CRUCIBLE" summarize "$OUT/gate-vs-demand.db" --by-point --format csv \
    > "$OUT/gate-vs-demand-summary.csv"

# 3. Pictures (gnuplot; the .gp script and .dat data are written beside each one).
"$CRUCIBLE" plot "$OUT/gate-vs-demand.db" --kind heatmap --metric real_yield \
    --x emission.gate.multiple --y consumers.arrival --out "$OUT/gate-vs-demand-real-yield.png"
"$CRUCIBLE" plot "$OUT/gate-vs-demand.db" --kind timeseries --metric price_usd --point 0 \
    --out "$OUT/gate-vs-demand-price-point0.png"

# 4. A Morris screening of five levers and its mu*/sigma bars.
# shellcheck disable=SC2086
"$CRUCIBLE" sweep scenarios/sweeps/morris-small.yaml -j "$JOBS" --resume \
    --out "$OUT/morris-small.db" $extra "$@"
"$CRUCIBLE" plot "$OUT/morris-small.db" --kind sensitivity --metric real_yield \
    --out "$OUT/morris-small-real-yield.png"

echo "sweep-example: results, tables and pictures in $OUT/"
ls "$OUT"
