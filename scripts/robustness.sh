#!/usr/bin/env bash
# The map of where the promotions story holds: the silo organisation (promo_vs_inventory) against
# the aligned one (promo_vs_inventory_aligned) on the same seeds, at the centre of a stated box of
# things that should not matter and at each end of each of its axes, each run certified.
#
#   scripts/robustness.sh [--trials N] [--races N] [--world shipped|flops] [--out FILE] [--bin PATH]
#
# --races N   the fit's races of the whole rule families (fit_races; 0 = the climb alone)
# --world     shipped: the built-ins as they are; flops: without trade loading, lift spread 0.5
# --out FILE  where the markdown table goes (default docs/robustness.md; - for stdout)
#
# The box (docs/model.md): promotion elasticity x0.7 and x1.4, lift spread halved and doubled
# (flops world only), warehouse lead time -1 and +1 week, 10 and 400 stores, every plan-relative
# scorecard target -10% and +10%, the strategy's availability target -1 and +1 point.
# Each point fits both organisations and certifies them; at 400 stores that takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=400 races=0 world=shipped out=docs/robustness.md bin=target/release/orgsim
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --races) races=$2; shift 2 ;;
    --world) world=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "robustness.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base=(--set "fit_races=$races")
spread=0
if [ "$world" = flops ]; then
  spread=0.5
  base+=(--set 'roles.sales.levers=[{"name":"promo_depth","acts_on":{"kind":"promo_depth"},"options":[0,0.1,0.2,0.3],"max_uses_per_period":1}]'
         --set "world.demand.lift_spread=$spread")
fi

# Each point: a label and the --set arguments that make it (applied to both organisations).
points=(
  "centre|"
  "elasticity x0.7|world.demand.promo_elasticity=2.45"
  "elasticity x1.4|world.demand.promo_elasticity=4.9"
  "lead time -1|world.chain.warehouse.lead_time_weeks=2"
  "lead time +1|world.chain.warehouse.lead_time_weeks=4"
  "10 stores|world.stores=10"
  "400 stores|world.stores=400"
  "targets -10%|roles.sales.scorecard.components.0.target={\"plan\":0.9};roles.procurement.scorecard.components.0.target={\"plan\":1.44};roles.retailer.scorecard.components.0.target={\"plan\":0.99};roles.retailer.scorecard.components.1.target={\"plan\":1.17}"
  "targets +10%|roles.sales.scorecard.components.0.target={\"plan\":1.1};roles.procurement.scorecard.components.0.target={\"plan\":1.76};roles.retailer.scorecard.components.0.target={\"plan\":1.21};roles.retailer.scorecard.components.1.target={\"plan\":1.43}"
  "availability -1 point|strategy.targets.0.at_least={\"plan\":0.96}"
  "availability +1 point|strategy.targets.0.at_least={\"plan\":0.98}"
)
if [ "$world" = flops ]; then
  points+=("lift spread halved|world.demand.lift_spread=0.25" "lift spread doubled|world.demand.lift_spread=1")
fi

row() { # label, then the summary.json of the silo and the aligned run
  python3 - "$@" <<'PY'
import json, sys
label, silo, aligned = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
m = lambda s, k: s["metrics"][k]["mean"]
def cert(s):
    bad = [r for r, v in s["roles"].items() if (v.get("best_deviation") or {}).get("beats_playbook")]
    return "holds" if not bad else "fails: " + ", ".join(
        f"{r} {s['roles'][r]['best_deviation']['gain']:+.3f}" for r in bad)
rule = silo["roles"]["sales"]["playbook"]["rules"]["promo_depth"]
so, sa = m(silo, "stockout_store_weeks"), m(aligned, "stockout_store_weeks")
wo, wa = m(silo, "write_off_units"), m(aligned, "write_off_units")
go, ga = m(silo, "divergence_gap"), m(aligned, "divergence_gap")
# "More" means the silo's 95% interval lies wholly above the aligned one's: the runs are not
# paired here, so this is the cautious reading.
more = lambda k: silo["metrics"][k]["ci95"][0] > aligned["metrics"][k]["ci95"][1]
holds = (more("stockout_store_weeks") or more("write_off_units")) and more("divergence_gap")
print(f"| {label} | {rule} | {so:.1f} | {sa:.1f} | {wo:.0f} | {wa:.0f} | "
      f"{m(silo, 'coordinated_divergence'):.2f} / {m(aligned, 'coordinated_divergence'):.2f} | "
      f"{go:.3f} / {ga:.3f} | {'yes' if holds else 'no'} | {cert(silo)} | {cert(aligned)} |")
PY
}

{
  echo "# Where the promotions story holds"
  echo
  echo "Made by \`scripts/robustness.sh --trials $trials --races $races --world $world\` with orgsim"
  echo "$("$bin" --version 2>/dev/null || echo "(version unknown)"): silo (\`promo_vs_inventory\`) against aligned"
  echo "(\`promo_vs_inventory_aligned\`), $trials trials each on seed 1, both certified. The headline holds"
  echo "when the silo has more stockouts or more write-offs, and a larger divergence gap (each 95% interval"
  echo "wholly above the aligned one's). A failed"
  echo "certificate names the roles that could gain by another rule, and by how much."
  echo
  echo "| point | silo sales' promotion rule | silo stockout store-weeks | aligned | silo write-offs | aligned | coordinated divergence silo / aligned | divergence gap silo / aligned | headline holds | silo certificate | aligned certificate |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for p in "${points[@]}"; do
    label=${p%%|*}; sets=${p#*|}
    args=("${base[@]}")
    IFS=';' read -ra extra <<< "$sets"
    for s in "${extra[@]}"; do [ -n "$s" ] && args+=(--set "$s"); done
    for org in promo_vs_inventory promo_vs_inventory_aligned; do
      "$bin" run "$org" --trials "$trials" --seed 1 --out "$work/$org" --quiet --no-charts --force "${args[@]}" 2>/dev/null
    done
    row "$label" "$work/promo_vs_inventory/summary.json" "$work/promo_vs_inventory_aligned/summary.json"
  done
} > "$work/table.md"
if [ "$out" = - ]; then cat "$work/table.md"; else cp "$work/table.md" "$out"; echo "wrote $out"; fi
