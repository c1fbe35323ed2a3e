#!/bin/sh
# studies.sh — reproduces every figure of docs/studies.md.
#
# Runs each scenario of the library (scenarios/*.yaml) and the five study sweeps
# (scenarios/sweeps/{poison-vs-audit,emission-vs-recall,wash-gate-vs-demand,fake-vs-verify,
# discover-poison}.yaml) into
# results databases under $OUT, then draws the figures with `crucible plot` and copies the
# PNGs into results/examples/ (the curated, committed copies). Scripts (.gp) and data
# (.dat) of every figure stay beside the PNGs in $OUT/plots, to restyle with gnuplot.
#
# Usage (from the repository root, after `make`):
#   analysis/studies.sh                 # everything: ~10 CPU minutes + ~10 wall minutes for the attacks (ATTACKS=0 skips them)
#   REPS=10 JOBS=4 analysis/studies.sh  # more replicates, more workers
#   ATTACKS=0 SWEEPS=0 analysis/studies.sh   # scenarios only (~3 CPU minutes)
#   ATTACKS_ONLY=1 analysis/studies.sh  # the attack frontiers only (~10 minutes at -j2)
#
# Environment: CRUCIBLE (default bin/crucible), OUT (default results/studies), FIG
# (default results/examples), REPS (replicates per scenario, default 5), JOBS (sweep
# workers, default 2), SWEEPS (1: also run the sweeps, default 1), NICE (default "nice":
# the machine is shared), ATTACKS (1: also run the attack frontiers, default 1), AJOBS
# (attack workers, default 2), AREPS (replicates of the attack studies' scripted runs,
# default 4). Every run is seeded by its file, so the numbers and the figures
# are the same on every machine with the same crucible version (the captions carry the
# scenario hash and the version).
set -eu

CRUCIBLE=${CRUCIBLE:-bin/crucible}
OUT=${OUT:-results/studies}
FIG=${FIG:-results/examples}
REPS=${REPS:-5}
JOBS=${JOBS:-2}
SWEEPS=${SWEEPS:-1}
NICE=${NICE:-nice}

if [ ! -x "$CRUCIBLE" ]; then
    echo "studies.sh: $CRUCIBLE not found; run make first (or set CRUCIBLE)" >&2
    exit 2
fi
mkdir -p "$OUT/plots" "$FIG"

# run NAME FILE [--set ...]: a fresh database for every scenario (crucible run appends).
run() {
    name=$1 file=$2
    shift 2
    rm -f "$OUT/$name.db" "$OUT/$name.db-wal" "$OUT/$name.db-shm"
    echo "== run $name ($file, $REPS replicates)"
    $NICE "$CRUCIBLE" run "$file" --replicates "$REPS" --out "$OUT/$name.db" --quiet "$@"
}

# plot FIGURE DB ARGS...: draw into $OUT/plots and copy the PNG to $FIG.
plot() {
    fig=$1 db=$2
    shift 2
    "$CRUCIBLE" plot "$OUT/$db.db" --out "$OUT/plots/$fig.png" "$@"
    # a temporary name, then a rename: a killed script never leaves a cut figure
    cp "$OUT/plots/$fig.png" "$FIG/.$fig.png.tmp" && mv -f "$FIG/.$fig.png.tmp" "$FIG/$fig.png"
    echo "   $FIG/$fig.png"
}

# overlay FIGURE METRIC DB1 LABEL1 DB2 LABEL2: two scenarios' timeseries of one metric.
overlay() {
    plot "$1" "$3" --kind timeseries --metric "$2" --db2 "$OUT/$5.db" --label1 "$4" --label2 "$6"
}

# price_vs_reference FIGURE DB: the pool price and the reference price of one database in
# one picture (crucible plot draws one metric a picture): both series' data from
# `crucible plot`, then a gnuplot script of ours beside them, with the caption of the first.
price_vs_reference() {
    fig=$1 db=$2
    "$CRUCIBLE" plot "$OUT/$db.db" --kind timeseries --metric price_usd,reference_price \
        --out "$OUT/plots/$fig.png" >/dev/null
    caption=$(grep "^set label 101" "$OUT/plots/$fig-price_usd.gp")
    cat >"$OUT/plots/$fig.gp" <<EOF
# $fig.gp — written by analysis/studies.sh from $fig-price_usd.dat and $fig-reference_price.dat
set terminal pngcairo size 1100,650 noenhanced font 'sans,10' background rgb 'white'
set output '$fig.png'
set encoding utf8
set title "pool price and outside (reference) price: median and 5-95% band over replicates"
$caption
set bmargin 8
set grid lc rgb '#dddddd'
set border lc rgb '#444444'
set key at screen 0.5, screen 0.045 center bottom horizontal maxrows 2 box lc rgb '#bbbbbb' Left reverse width 2
set xlabel 'time (days)'
set ylabel 'price (USD/TKN)'
set autoscale xfix
set style fill transparent solid 0.25 noborder
plot '$fig-price_usd.dat' index 0 using 1:3:4 with filledcurves lc rgb '#4477AA' title 'pool price: 5-95%', \\
     '' index 0 using 1:2 with lines lw 2 lc rgb '#4477AA' title 'pool price: median', \\
     '$fig-reference_price.dat' index 0 using 1:3:4 with filledcurves lc rgb '#EE6677' title 'reference price: 5-95%', \\
     '' index 0 using 1:2 with lines lw 2 dt 2 lc rgb '#EE6677' title 'reference price: median'
EOF
    (cd "$OUT/plots" && gnuplot "$fig.gp")
    cp "$OUT/plots/$fig.png" "$FIG/.$fig.png.tmp" && mv -f "$FIG/.$fig.png.tmp" "$FIG/$fig.png"
    echo "   $FIG/$fig.png"
}

# ---- attack studies (scenarios/attacks/, docs/studies.md "scenarios/attacks/") ----------
# One frontier search per study, -j $AJOBS workers (default 2; the search path and the
# result are the same whatever -j), into $OUT/attack-NAME.db; the frontier figure (.png,
# with its .gp and .dat) goes to $FIG/attack-NAME-frontier.*. The search sizes are in each
# file's `search:` line. Then each study's scripted adversary in the same world, $AREPS
# replicates (default 4). ATTACKS_ONLY=1 runs only this part: ~1,600 runs of 180 days,
# ~10 minutes of wall time at -j2 on a loaded 2-core machine.
attack_frontier() {
    name=$1 budgets=$2
    rm -f "$OUT/attack-$name.db" "$OUT/attack-$name.db-wal" "$OUT/attack-$name.db-shm"
    echo "== attack $name (--frontier $budgets)"
    $NICE "$CRUCIBLE" attack "scenarios/attacks/$name.yaml" --frontier "$budgets" -j "$AJOBS" \
        --out "$OUT/attack-$name.db" --plot "$OUT/plots/attack-$name-frontier.png" --quiet \
        | tee "$OUT/attack-$name.txt"
    # No picture (gnuplot missing, or the attack failed): drop the old one rather than
    # leave a figure of another search under this one's name.
    [ -f "$OUT/plots/attack-$name-frontier.png" ] || rm -f "$FIG/attack-$name-frontier.png"
    for ext in png gp dat; do
        [ -f "$OUT/plots/attack-$name-frontier.$ext" ] || continue
        cp "$OUT/plots/attack-$name-frontier.$ext" "$FIG/.attack-$name-frontier.$ext.tmp" &&
            mv -f "$FIG/.attack-$name-frontier.$ext.tmp" "$FIG/attack-$name-frontier.$ext"
    done
}
# attack_candidates NAME CRITERION R: every candidate of a `break:` search, its mean spend
# against the share of its R search replicates in which CRITERION failed and in which a
# backdoor was listed at some time of the run (sqlite3 and gnuplot), to
# $FIG/attack-NAME-candidates.{png,gp,dat}.
attack_candidates() {
    name=$1 crit=$2 r=$3
    sqlite3 -separator '	' "$OUT/attack-$name.db" "
        with bd as (select v.run, max(v.value) > 0 as listed from metric_values v
                    join metric_names m on m.id = v.metric
                    where m.name = 'backdoored_models' group by v.run)
        select avg(s.value), avg(1 - c.passed), avg(bd.listed), r.point / 1000000
        from runs r join summary s on s.run = r.id and s.name = 'attack.spend'
        join criteria c on c.run = r.id and c.name = '$crit' join bd on bd.run = r.id
        where r.replicate < $r group by r.point order by r.point" \
        >"$FIG/attack-$name-candidates.dat"
    cat >"$FIG/attack-$name-candidates.gp" <<GP
# written by analysis/studies.sh; run: gnuplot attack-$name-candidates.gp
# columns of the .dat: mean spend (USD), share of replicates breaking $crit, share with a
# backdoor listed at some time, budget index of the search
set terminal pngcairo size 900,560 noenhanced
set output 'attack-$name-candidates.png'
set title 'Every candidate of the $name searches ($r replicates each)'
set xlabel 'measured spend (USD, mean over the replicates)'
set ylabel 'share of the replicates'
set logscale x
set yrange [-0.05:1.05]
set grid
set key left center
plot 'attack-$name-candidates.dat' using 1:3 with points pt 6 ps 1.2 title 'a backdoor listed at some time', \\
     '' using 1:2 with points pt 7 ps 1.2 title '$crit broken (a backdoor listed at the end)'
GP
    (cd "$FIG" && gnuplot "attack-$name-candidates.gp")
    echo "   $FIG/attack-$name-candidates.png"
}
attacks() {
    attack_frontier wash-volume 1000:1000000:3:log
    attack_frontier wash-gate 1000:1000000:3:log
    attack_frontier sybil-dedup 1000:1000000:3:log
    attack_frontier poison-audit 10:10000:3:log
    attack_candidates poison-audit no_backdoor 6
    # The scripted adversary of each study in the same world (`run` ignores attack:), on
    # $AREPS replicates whatever REPS says (docs/studies.md quotes 4).
    reps=$REPS
    REPS=$AREPS
    for name in wash-volume wash-gate sybil-dedup poison-audit; do
        run "attack-$name-scripted" "scenarios/attacks/$name.yaml"
    done
    REPS=$reps
}
AJOBS=${AJOBS:-2}
AREPS=${AREPS:-4}
ATTACKS=${ATTACKS:-1}
if [ "${ATTACKS_ONLY:-0}" = 1 ]; then
    attacks
    echo "done: attack databases and tables in $OUT, frontier figures in $FIG"
    exit 0
fi

# ---- scenarios ---------------------------------------------------------------------
run baseline scenarios/baseline.yaml
run no-external-demand scenarios/no-external-demand.yaml
run unlock-shock scenarios/unlock-shock.yaml
# The demand shock alone: the same interventions with the insiders' cliff moved to the
# horizon (nothing unlocks within the year).
run demand-shock-only scenarios/unlock-shock.yaml --set vesting.insiders.cliff=365
run mercenary-exit scenarios/mercenary-exit.yaml
run speculative-exit scenarios/speculative-exit.yaml
run compute-centralization scenarios/compute-centralization.yaml
run baseline-730 scenarios/baseline.yaml --set world.horizon=730
run poisoning scenarios/poisoning.yaml
run poisoning-defended scenarios/poisoning-defended.yaml
run wash-demand scenarios/wash-demand.yaml
run emission-gate scenarios/emission-gate.yaml
run sybil-spam scenarios/sybil-spam.yaml
run sybil-spam-quality scenarios/sybil-spam.yaml --set emission.basis.data=quality
run sybil-spam-bonded scenarios/sybil-spam.yaml --set defense.audit.rate=0.05 --set defense.bond=0.1
run fake-compute scenarios/fake-compute.yaml
run fake-compute-verified scenarios/fake-compute.yaml --set defense.verify.rate=0.01
# Price formation (docs/studies.md "market-depth.yaml"): speculative-exit's selling met by
# LPs, an outside reference price with arbitrage and holders; then each mechanism removed.
run market-depth scenarios/market-depth.yaml
run market-depth-fixed scenarios/market-depth.yaml --set reference.mode=fixed
run market-depth-noarb-nomark scenarios/market-depth.yaml --set arb.capital=0 --set returns.mark_stake=false
run market-depth-noarb scenarios/market-depth.yaml --set arb.capital=0
rm -f "$OUT"/proposal-example/*.db
echo "== report proposal-example"
$NICE "$CRUCIBLE" report --baseline scenarios/proposal-example/baseline.yaml \
    --proposal scenarios/proposal-example/proposal.yaml --out "$OUT/proposal-example" >/dev/null
mkdir -p "$OUT/plots"
cp "$OUT/proposal-example/baseline.db" "$OUT/status-quo.db"
cp "$OUT/proposal-example/proposal.db" "$OUT/burn-treasury-share.db"

echo "== figures"
overlay no-demand-price price_usd baseline baseline no-external-demand no-demand
overlay no-demand-builders active.builder baseline baseline no-external-demand no-demand
overlay no-demand-providers active.honest baseline baseline no-external-demand no-demand
overlay unlock-shock-price price_usd unlock-shock unlock+demand-shock demand-shock-only demand-shock-only
overlay unlock-shock-fees ext_fee_usd unlock-shock unlock+demand-shock demand-shock-only demand-shock-only
overlay mercenary-exit-providers active.honest mercenary-exit subsidy-cut baseline baseline
overlay mercenary-exit-price price_usd mercenary-exit subsidy-cut baseline baseline
plot mercenary-exit-farmers mercenary-exit --kind timeseries --metric mercenary_usd
overlay speculative-exit-price price_usd speculative-exit speculative-exit baseline baseline
overlay speculative-exit-real-yield real_yield speculative-exit speculative-exit baseline baseline
overlay centralization-hhi compute_hhi compute-centralization cost-gaps-x2 baseline-730 baseline
overlay centralization-nordic compute_share.nordic compute-centralization cost-gaps-x2 baseline-730 baseline
overlay poisoning-harm harm_rate poisoning naive poisoning-defended defended
overlay poisoning-roi roi.poisoner poisoning naive poisoning-defended defended
overlay poisoning-quality mean_model_quality poisoning naive poisoning-defended defended
overlay wash-self-ref self_ref_share wash-demand no-gate emission-gate gate-m1
overlay wash-honest active.honest wash-demand no-gate emission-gate gate-m1
plot wash-rewards wash-demand --kind rewards
overlay sybil-capture farmer_capture sybil-spam volume-pay sybil-spam-quality quality-pay
overlay sybil-honest active.honest sybil-spam volume-pay sybil-spam-bonded audits+bonds
# The pool price against the outside (reference) price it is arbitraged towards; and the
# pool price with and without the outside market.
price_vs_reference market-depth-price-vs-reference market-depth
overlay market-depth-price price_usd market-depth market-depth speculative-exit no-outside-market
overlay fake-compute-nodes active.compute fake-compute no-verification fake-compute-verified verify-1pct
overlay proposal-price price_usd status-quo status-quo burn-treasury-share burn-from-day-180
overlay proposal-treasury treasury_tkn status-quo status-quo burn-treasury-share burn-from-day-180

# ---- calibration and history (docs/studies.md "Calibration and history") -------------
run ocean-df-multiplier scenarios/calibrated/ocean-df-multiplier.yaml
run ocean-df-no-cap scenarios/calibrated/ocean-df-multiplier.yaml --set rewards.cap.enabled=false
run looksrare-volume-rewards scenarios/calibrated/looksrare-volume-rewards.yaml
run openledger scenarios/calibrated/openledger.yaml
run openledger-no-spending scenarios/calibrated/openledger.yaml --set treasury.budget=0
overlay history-ocean-wash wash_fee_usd ocean-df-multiplier multiplier ocean-df-no-cap no-cap
overlay history-ocean-self-ref self_ref_share ocean-df-multiplier multiplier ocean-df-no-cap no-cap
plot history-looksrare-self-ref looksrare-volume-rewards --kind timeseries --metric self_ref_share
overlay openledger-price price_usd openledger treasury-spends openledger-no-spending no-spending
overlay openledger-circulating circulating openledger treasury-spends openledger-no-spending no-spending
if [ "$SWEEPS" = 1 ]; then
    rm -f "$OUT/openledger-fee-split.db" "$OUT/openledger-fee-split.db-wal" "$OUT/openledger-fee-split.db-shm"
    echo "== sweep openledger-fee-split (-j $JOBS)"
    $NICE "$CRUCIBLE" sweep scenarios/sweeps/openledger-fee-split.yaml -j "$JOBS" \
        --out "$OUT/openledger-fee-split.db" --quiet
    plot openledger-split-price openledger-fee-split --kind heatmap --metric price_usd --x fees.data --y fees.stakers
    plot openledger-split-real-yield openledger-fee-split --kind heatmap --metric real_yield --x fees.data --y fees.stakers
fi

# ---- sweeps --------------------------------------------------------------------------
if [ "$SWEEPS" = 1 ]; then
    for s in poison-vs-audit emission-vs-recall wash-gate-vs-demand fake-vs-verify; do
        rm -f "$OUT/$s.db" "$OUT/$s.db-wal" "$OUT/$s.db-shm"
        echo "== sweep $s (-j $JOBS)"
        $NICE "$CRUCIBLE" sweep "scenarios/sweeps/$s.yaml" -j "$JOBS" --out "$OUT/$s.db" --quiet
    done
    hm="--kind heatmap"
    plot poison-audit-lose poison-vs-audit $hm --metric poisoners_lose --x defense.audit.rate --y poison.count
    plot poison-audit-backdoor poison-vs-audit $hm --metric backdoored_models --x defense.audit.rate --y poison.count
    plot poison-audit-harm poison-vs-audit $hm --metric harm_rate --x defense.audit.rate --y poison.count
    plot recall-self-ref emission-vs-recall $hm --metric self_ref_share --x defense.wash.recall --y emission.rate
    plot recall-farmers-lose emission-vs-recall $hm --metric farmers_lose --x defense.wash.recall --y emission.rate
    plot gate-self-ref wash-gate-vs-demand $hm --metric self_ref_share --x emission.gate.multiple --y consumers.arrival
    plot gate-farmers-lose wash-gate-vs-demand $hm --metric farmers_lose --x emission.gate.multiple --y consumers.arrival
    plot gate-honest wash-gate-vs-demand $hm --metric active.honest --x emission.gate.multiple --y consumers.arrival
    plot fake-verify-consumers fake-vs-verify $hm --metric consumers --x defense.verify.rate --y farmers.count

    # Scenario discovery over five defense and attack parameters (docs/studies.md,
    # "Scenario discovery"): 800 runs, ~6 CPU minutes.
    s=discover-poison
    rm -f "$OUT/$s.db" "$OUT/$s.db-wal" "$OUT/$s.db-shm"
    echo "== sweep $s (-j $JOBS)"
    $NICE "$CRUCIBLE" sweep "scenarios/sweeps/$s.yaml" -j "$JOBS" --out "$OUT/$s.db" --quiet
    for c in no_backdoor harm_under_1pct poisoners_lose; do
        echo "== discover $s --criterion $c"
        "$CRUCIBLE" discover "$OUT/$s.db" --criterion "$c" --format markdown \
            --plot "$OUT/plots/$s-$c"
    done
    for k in trajectory box; do
        cp "$OUT/plots/$s-no_backdoor-$k.png" "$FIG/.$s-$k.png.tmp" &&
            mv -f "$FIG/.$s-$k.png.tmp" "$FIG/$s-$k.png"
        echo "   $FIG/$s-$k.png"
    done
    echo "== discover $s --safe (fresh replicates of each recommendation)"
    $NICE "$CRUCIBLE" discover "$OUT/$s.db" --safe --fresh 32 --format markdown
fi
if [ "$ATTACKS" = 1 ]; then
    attacks
fi
echo "done: databases in $OUT, figures in $FIG (scripts and data in $OUT/plots)"
