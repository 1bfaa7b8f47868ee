#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: criterion benchmarks (one trial of each built-in, whole runs on 1
# and 2 threads, the Beer Game against its hand-written yardstick) and the binary under
# /usr/bin/time (throughput on 1 and 2 threads, peak memory against the number of trials).
# Takes about ten minutes on 2 cores; run it on an otherwise idle machine.
#
#   bash scripts/benchmarks.sh            # all of it, then BENCHMARKS.md
#   BENCH_QUICK=1 bash scripts/benchmarks.sh   # criterion's shortest settings, for a check
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/orgsim
timings=target/benchmarks/timings.tsv
mkdir -p target/benchmarks
: > "$timings"
extra=()
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
  extra=(-- --warm-up-time 0.2 --measurement-time 0.5)
fi
cargo bench --quiet --bench engine --bench yardstick "${extra[@]}" > target/benchmarks/criterion.log
# The fit cache of these runs, apart from the user's: cold where a figure says so.
cache=$(mktemp -d)
export ORGSIM_CACHE_DIR=$cache/warm
waits=target/benchmarks/waits.tsv
: > "$waits"
# What a user waits for: LABEL then the command; appends its label, seconds and peak KB.
waited() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o target/benchmarks/time.txt "$@" > /dev/null
  printf '%s\t%s\n' "$label" "$(tr ' ' '\t' < target/benchmarks/time.txt)" >> "$waits"
}
work=$(mktemp -d)
waited "fit and certificate of promo_vs_inventory, cold (64 trials, 2 threads)" \
  "$bin" run --trials 64 --threads 2 --no-charts --quiet --out "$work/cold"
waited "the same run again, fit cached" \
  "$bin" run --trials 64 --threads 2 --no-charts --quiet --out "$work/again"
sweep=(sweep promo_vs_inventory --vary 'strategy.ambiguity=0:0.9:10' --trials 1000 --threads 2 --no-charts --quiet)
waited "sweep of 10 points of 1,000 trials, cold (2 threads)" \
  env ORGSIM_CACHE_DIR="$cache/sweep" "$bin" "${sweep[@]}" --out "$work/sweep"
waited "the same sweep again, fits cached" \
  env ORGSIM_CACHE_DIR="$cache/sweep" "$bin" "${sweep[@]}" --out "$work/sweep2"
arms=(compare promo_vs_inventory --arm 'clear: strategy.ambiguity=0' --arm 'consequence: org.defection_cost=10'
  --trials 10000 --threads 2 --no-charts --quiet)
waited "compare of 3 arms of 10,000 trials, cold (2 threads)" \
  env ORGSIM_CACHE_DIR="$cache/compare" "$bin" "${arms[@]}" --out "$work/compare"
waited "the same comparison again, fits cached" \
  env ORGSIM_CACHE_DIR="$cache/compare" "$bin" "${arms[@]}" --out "$work/compare2"
# The Beer Game against its whole-process peer (examples/beer_game_peer.rs), one thread each.
cargo build --release --quiet --example beer_game_peer
waited "beer_game peer: the hand-written loop, means and sds, 500,000 trials (1 thread)" \
  target/release/examples/beer_game_peer $((500000 / ${BENCH_SCALE:-1}))
waited "orgsim run beer_game, 500,000 trials (1 thread)" \
  "$bin" run beer_game --trials $((500000 / ${BENCH_SCALE:-1})) --threads 1 --no-charts --quiet --out "$work/peer"
rm -rf "$work"
# One timed run of SCENARIO with TRIALS trials (divided by BENCH_SCALE, for a quick check) on
# THREADS threads, its playbooks already fitted (the cache is warm: the figures are the trials').
# Appends its label, seconds and peak KB to the timings.
scale=${BENCH_SCALE:-1}
timed() {
  local scenario=$1 trials=$(($2 / scale)) threads=$3
  local out; out=$(mktemp -d)
  /usr/bin/time -f "%e %M" -o target/benchmarks/time.txt "$bin" run "$scenario" \
    --trials "$trials" --threads "$threads" --no-charts --quiet --out "$out/run"
  rm -rf "$out"
  printf '%s %s trials, %s thread(s)\t%s\n' "$scenario" "$trials" "$threads" \
    "$(tr ' ' '\t' < target/benchmarks/time.txt)" >> "$timings"
}
timed promo_vs_inventory 20000 1
timed promo_vs_inventory 20000 2
timed promo_vs_inventory 10000 2
timed promo_vs_inventory 100000 2
timed beer_game 100000 1
timed beer_game 100000 2
timed beer_game 10000 2
timed beer_game 1000000 2
rm -rf "$cache"
python3 scripts/benchmarks_md.py "$timings" target/criterion "$waits" > BENCHMARKS.md
echo "BENCHMARKS.md written"
