"""Morris elementary effects of four scenario settings, as a researcher runs them: SALib draws the
design, `orgsim sweep --design` runs every point on the same trials, SALib analyses the result.

    python tests/python/morris.py ORGSIM_BINARY WORK_DIR

Prints each setting's mu_star (the mean absolute elementary effect on chain profit) and sigma, and
writes WORK_DIR/morris.csv. Exits 1 if the sweep's rows are not the design's, or if a mu_star is
not a number. Each point is a run of its own: its playbooks are fitted to its settings, so an
effect includes how the departments change their play.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as analyze
from SALib.sample import morris as sample

orgsim, work = sys.argv[1], Path(sys.argv[2])
work.mkdir(parents=True, exist_ok=True)

problem = {
    "num_vars": 4,
    "names": [
        "world.demand.promo_elasticity",
        "world.demand.base_per_store",
        "world.prices.unit_cost",
        "org.defection_cost",
    ],
    "bounds": [[1.0, 5.0], [10.0, 30.0], [1.5, 2.5], [0.0, 10.0]],
}
# Four trajectories on a four-level grid: 20 points. The seed makes the design the same each run.
X = sample.sample(problem, N=4, num_levels=4, seed=7)
design = work / "points.csv"
pd.DataFrame(X, columns=problem["names"]).to_csv(design, index=False)

out = work / "sweep"
small = ["--set", "world.stores=3", "--set", "horizon_weeks=12", "--set", "warmup_weeks=4"]
subprocess.run(
    [orgsim, "sweep", "--design", str(design), "--trials", "40", "--quiet", "--out", str(out), *small],
    check=True,
)

rows = pd.read_csv(out / "sweep.csv")
profit = rows[rows["metric"] == "profit"].reset_index(drop=True)
# sweep.csv keeps the design's row order: each row's settings are the design's.
if len(profit) != len(X) or not np.allclose(profit[problem["names"]].to_numpy(), X):
    sys.exit("sweep.csv's points are not the design's rows, in order")

Si = analyze.analyze(problem, X, profit["mean"].to_numpy(), num_levels=4, seed=7)
result = pd.DataFrame({"name": problem["names"], "mu_star": Si["mu_star"], "sigma": Si["sigma"]})
result.to_csv(work / "morris.csv", index=False)
print(result.to_string(index=False))
if not np.all(np.isfinite(result["mu_star"])):
    sys.exit("a mu_star is not finite")
