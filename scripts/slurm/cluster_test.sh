#!/usr/bin/env bash
# The cluster path on a real Slurm: installs Debian's slurmctld, slurmd, slurm-client and munge
# (when missing), starts a one-node cluster by hand (munged, slurmctld, slurmd: there is no init
# system), submits a run as a job array of shards plus a dependent merge through submit.sh, and
# checks that the merged files equal the same run in one process, byte for byte. It stops the
# daemons it started and removes its scratch folder, whatever happens. Needs root (it installs
# packages and writes /etc/slurm). Called by .ci/run after cargo test.
#
#   scripts/slurm/cluster_test.sh [ORGSIM_BINARY]     (default: target/debug/orgsim, built by cargo test)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(readlink -f "${1:-$root/target/debug/orgsim}")
[ -x "$bin" ] || { echo "cluster test: no orgsim binary at $bin (run cargo test or cargo build first)" >&2; exit 1; }
say() { printf 'cluster test: %s\n' "$*"; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld, slurmd, slurm-client and munge from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

scratch=$(mktemp -d /tmp/orgsim-slurm.XXXXXX)
started=()
stop() {
  # Stop only what this script started, by the pids it recorded.
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$scratch"
  # The configuration this script wrote (it refuses to replace anyone else's).
  if [ -n "${wrote_conf:-}" ]; then rm -f "$conf"; fi
}
conf=/etc/slurm/slurm.conf
trap stop EXIT

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
if [ -e "$conf" ] && ! grep -q '^# written by orgsim' "$conf"; then
  say "$conf exists and is not ours: refusing to replace it"; exit 1
fi
mkdir -p /etc/slurm "$scratch/ctld" "$scratch/d" "$scratch/log"
wrote_conf=1
cat > "$conf" <<CONF
# written by orgsim's scripts/slurm/cluster_test.sh: a one-node cluster for its test
ClusterName=orgsim-ci
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$scratch/ctld
SlurmdSpoolDir=$scratch/d
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

# munge: a key if the package left none, then the daemon (as root, hence --force).
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge /var/log/munge /var/lib/munge
munged --force --foreground --socket=/run/munge/munge.socket.2 >"$scratch/log/munged.log" 2>&1 &
started+=($!)
slurmctld -D -i >"$scratch/log/slurmctld.out" 2>&1 &
started+=($!)
slurmd -D >"$scratch/log/slurmd.out" 2>&1 &
started+=($!)

for _ in $(seq 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "${state:-}" != idle ]; then
  say "the node did not come up (state '${state:-none}')"
  tail -n 20 "$scratch"/log/* >&2 || true
  exit 1
fi
say "one-node cluster up on $host ($cpus cpus)"

args="promo_vs_inventory --trials 400 --seed 11 --set world.stores=6 --set horizon_weeks=20"
# shellcheck disable=SC2086
"$bin" run $args --out "$scratch/single" --quiet
ORGSIM="$bin" SBATCH_WAIT=1 "$root/scripts/slurm/submit.sh" 3 "$scratch/work" "$scratch/merged" run $args

for f in summary.json trials.csv series.csv report.html charts/promotions_vs_inventory.png; do
  if ! cmp -s "$scratch/single/$f" "$scratch/merged/$f"; then
    say "$f from the Slurm array and merge differs from the single-process run"
    exit 1
  fi
done
shards=$(ls -d "$scratch"/work/shard-* | wc -l)
say "run: a job array of $shards shards and a dependent merge gave the single-process files, byte for byte"

# A sweep, sharded by grid points.
sweep="promo_vs_inventory --vary strategy.ambiguity=0,0.5,1 --set world.stores=4 --set horizon_weeks=12 --trials 60"
# shellcheck disable=SC2086
"$bin" sweep $sweep --out "$scratch/sweep-single" --quiet
ORGSIM="$bin" SBATCH_WAIT=1 "$root/scripts/slurm/submit.sh" 2 "$scratch/work-sweep" "$scratch/sweep-merged" sweep $sweep
for f in sweep.csv sweep.json charts/sweep_lines.png; do
  if ! cmp -s "$scratch/sweep-single/$f" "$scratch/sweep-merged/$f"; then
    say "$f from the Slurm sweep array and merge differs from the single-process sweep"
    exit 1
  fi
done
say "sweep: a job array of 2 shards and a dependent merge gave the single-process files, byte for byte"
