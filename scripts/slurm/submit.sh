#!/usr/bin/env bash
# Submits an orgsim run, sweep or comparison to Slurm as N shards (a job array) and a merge that waits for
# them all.
#
#   scripts/slurm/submit.sh N WORK OUT run|sweep|compare [arguments...]
#   scripts/slurm/submit.sh 16 /shared/orgsim-work /shared/results/clear \
#       run promo_vs_inventory --trials 100000 --seed 7 --set strategy.ambiguity=0.2
#   scripts/slurm/submit.sh 8 /shared/work-sweep /shared/results/ambiguity \
#       sweep promo_vs_inventory --vary strategy.ambiguity=0:1:21 --trials 2000
#
# WORK and OUT must be folders every node can reach. ORGSIM names the binary (default: orgsim on
# PATH). Prints the two job ids; SBATCH_WAIT=1 blocks until the merge ends.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
n=$1 work=$2 out=$3
shift 3
case $1 in
  run | sweep | compare) ;;
  *) echo "submit.sh: expected run, sweep or compare after OUT, found '$1'" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
ORGSIM=${ORGSIM:-$(command -v orgsim)}
export ORGSIM ORGSIM_WORK="$work" ORGSIM_OUT="$out" ORGSIM_ARGS="$*"
mkdir -p "$work"
array=$(sbatch --parsable --export=ALL --array="1-$n" --chdir="$work" "$here/sweep.sbatch")
wait=()
[ "${SBATCH_WAIT:-0}" = 1 ] && wait=(--wait)
echo "shards: job $array (array 1-$n)"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --chdir="$work" "${wait[@]}" "$here/merge.sbatch")
echo "merge: job $merge (after every shard succeeds) -> $out"
