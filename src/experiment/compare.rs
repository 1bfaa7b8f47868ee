//! What-if on common random numbers: several arms (scenarios, or one scenario with overrides) run
//! on the same trial seeds, each metric's mean per arm and its paired difference to the first arm.
//!
//! Why paired. Trial i of every arm draws demand from the same streams, derived from (seed, i,
//! source) alone, so where the arms share a world the noise they share cancels in the per-trial
//! difference. The difference's interval is then far narrower than the one two independent runs
//! would give; each row keeps both half-widths, so a reader can see what pairing bought.
//!
//! Memory is flat in the trial count: trials run in chunks, in parallel, and only exact
//! [`Moments`] are kept, merged in chunk order. The result depends on (arms, seed, trials) alone.

use crate::error::{Error, Result};
use crate::run::chunks::{run_chunks, Partial, RunConfig, Shard, CHUNK};
use crate::run::organisation::finite;
use crate::run::prepare::Prepared;
use crate::scenario::network::{trial_columns as network_columns, NetworkModel};
use crate::sim::network::{run_network, Scoring};
use crate::sim::trial::run_trial;
use crate::stats::metrics::{trial_columns, Aggregate, Moments, TrialResult};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// One arm: a label and a prepared (planned and fitted) model.
pub struct Arm {
    /// The arm's label in tables and charts.
    pub label: String,
    /// The model the arm runs.
    pub model: Prepared,
}

/// One metric of one arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The arm's label.
    pub arm: String,
    /// The metric (a `trials.csv` column).
    pub metric: String,
    /// Mean over trials.
    pub mean: f64,
    /// Its 95% interval.
    pub ci95: [f64; 2],
    /// Mean of (this arm - first arm), trial by trial; 0 for the first arm.
    pub diff: f64,
    /// The paired difference's 95% interval.
    pub diff_ci95: [f64; 2],
    /// Half-width of the 95% interval two independent runs would give the difference
    /// (sqrt(se_a^2 + se_b^2) x 1.96): what pairing narrowed.
    pub unpaired_half_width: f64,
    /// Trials.
    pub trials: u64,
}

/// What a comparison found: the rows, and each arm's whole aggregate (for its charts).
pub struct Comparison {
    /// One per arm and shared metric, arms in order.
    pub rows: Vec<Row>,
    /// Per arm, everything a run of it would keep.
    pub aggregates: Vec<Aggregate>,
}

/// Per arm, the moments of every shared metric and of its difference to the first arm, and the
/// arm's aggregate: what a shard of a comparison keeps, and what shards merge into exactly.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Sums {
    value: Vec<Vec<Moments>>,
    diff: Vec<Vec<Moments>>,
    aggregates: Vec<Aggregate>,
}

impl Sums {
    /// Empty sums for `arms` comparing `metrics` shared metrics.
    pub fn new(arms: &[Arm], metrics: usize) -> Sums {
        Sums {
            value: vec![vec![Moments::default(); metrics]; arms.len()],
            diff: vec![vec![Moments::default(); metrics]; arms.len()],
            aggregates: arms.iter().map(|a| Aggregate::new(&a.model)).collect(),
        }
    }
    /// Adds another part's sums (any order gives the same totals).
    pub fn merge(&mut self, o: &Sums) {
        for (a, b) in self.aggregates.iter_mut().zip(&o.aggregates) {
            a.merge(b);
        }
        for (a, b) in self.value.iter_mut().zip(&o.value) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        for (a, b) in self.diff.iter_mut().zip(&o.diff) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
    }
}

/// The metrics every arm reports (`trials.csv` columns of the first arm found in every other
/// arm's, in the first arm's order), and where each sits in each arm's values.
fn shared_metrics(arms: &[Arm]) -> (Vec<String>, Vec<Vec<usize>>) {
    let cols: Vec<Vec<String>> = arms.iter().map(|a| trial_columns(&a.model)).collect();
    let names: Vec<String> = cols[0]
        .iter()
        .filter(|c| cols.iter().all(|cs| cs.contains(c)))
        .cloned()
        .collect();
    let at = cols
        .iter()
        .map(|cs| {
            names
                .iter()
                .map(|n| cs.iter().position(|c| c == n).expect("shared"))
                .collect()
        })
        .collect();
    (names, at)
}

fn values(r: &TrialResult) -> impl Iterator<Item = f64> + '_ {
    r.metrics
        .iter()
        .copied()
        .chain(r.roles.iter().flat_map(|v| v.iter().copied()))
}

/// Runs every arm on trials `0..cfg.trials` of `cfg.seed` and compares them with the first.
/// Stops early, with [`Error::Interrupted`], once `cancel` is set.
pub fn compare(arms: &[Arm], cfg: &RunConfig, cancel: &AtomicBool) -> Result<Comparison> {
    let all = Shard { index: 0, count: 1 };
    let sums = compare_shard(arms, cfg, all, cancel)?;
    Ok(finish(arms, sums))
}

/// The comparison's rows from its (merged) sums.
pub fn finish(arms: &[Arm], sums: Sums) -> Comparison {
    let (names, _) = shared_metrics(arms);
    Comparison {
        rows: rows(arms, &names, &sums),
        aggregates: sums.aggregates,
    }
}

/// The sums of one [`Shard`] of a comparison's trials (`compare --shard I/N`).
pub fn compare_shard(
    arms: &[Arm],
    cfg: &RunConfig,
    shard: Shard,
    cancel: &AtomicBool,
) -> Result<Sums> {
    assert!(!arms.is_empty(), "a comparison needs an arm");
    let (names, at) = shared_metrics(arms);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", cfg.threads)))?;
    let chunk_sums = |chunk: u64| -> Result<Sums> {
        let mut sums = Sums::new(arms, names.len());
        let mut row: Vec<Vec<f64>> = vec![Vec::new(); arms.len()];
        for i in chunk * CHUNK..((chunk + 1) * CHUNK).min(cfg.trials) {
            for (a, arm) in arms.iter().enumerate() {
                let r = run_trial(&arm.model, cfg.seed, i);
                finite(&arm.model, &r)?;
                let all: Vec<f64> = values(&r).collect();
                row[a] = at[a].iter().map(|&k| all[k]).collect();
                sums.aggregates[a].add(&r);
            }
            for (a, values) in row.iter().enumerate() {
                for (m, (&v, &v0)) in values.iter().zip(&row[0]).enumerate() {
                    sums.value[a][m].add(v);
                    sums.diff[a][m].add(v - v0);
                }
            }
        }
        Ok(sums)
    };
    let range = shard.chunks(cfg.trials);
    let chunks = range.end;
    let batch = (pool.current_num_threads() as u64 * 4).max(1);
    let mut total = Sums::new(arms, names.len());
    let mut next = range.start;
    while next < chunks {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted {
                done: next * CHUNK,
                total: cfg.trials,
                out: Default::default(),
            });
        }
        let ids: Vec<u64> = (next..(next + batch).min(chunks)).collect();
        let done: Vec<Result<Sums>> =
            pool.install(|| ids.par_iter().map(|&c| chunk_sums(c)).collect());
        for sums in done {
            total.merge(&sums?);
        }
        next += ids.len() as u64;
    }
    Ok(total)
}

fn half_width(m: &Moments) -> f64 {
    1.96 * m.sd() / (m.count().max(1) as f64).sqrt()
}

fn rows(arms: &[Arm], names: &[String], total: &Sums) -> Vec<Row> {
    let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
    table(&labels, names, &total.value, &total.diff)
}

/// The rows of a comparison from each arm's moments of every metric (`value[arm][metric]`) and
/// of its difference to the first arm.
fn table(
    labels: &[&str],
    names: &[String],
    value: &[Vec<Moments>],
    diff: &[Vec<Moments>],
) -> Vec<Row> {
    let mut out = Vec::new();
    for (a, label) in labels.iter().enumerate() {
        for (m, name) in names.iter().enumerate() {
            let v = &value[a][m];
            let d = &diff[a][m];
            let (hv, hd) = (half_width(v), half_width(d));
            let h0 = half_width(&value[0][m]);
            out.push(Row {
                arm: label.to_string(),
                metric: name.clone(),
                mean: v.mean(),
                ci95: [v.mean() - hv, v.mean() + hv],
                diff: d.mean(),
                diff_ci95: [d.mean() - hd, d.mean() + hd],
                unpaired_half_width: if a == 0 { 0.0 } else { hv.hypot(h0) },
                trials: v.count(),
            });
        }
    }
    out
}

/// The labels of the arms (after the first) that change no trial: every metric of every trial is
/// the first arm's (each paired difference has mean 0 and no spread, in exact sums). Such an arm
/// is almost surely a setting that does nothing, and a user should hear so, not read a row of
/// zeros as a finding.
pub fn inert_arms(rows: &[Row]) -> Vec<String> {
    let mut labels: Vec<&str> = Vec::new();
    for r in rows {
        if !labels.contains(&r.arm.as_str()) {
            labels.push(&r.arm);
        }
    }
    labels
        .iter()
        .skip(1)
        .filter(|label| {
            rows.iter()
                .filter(|r| r.arm == **label)
                .all(|r| r.diff == 0.0 && r.diff_ci95 == [0.0, 0.0])
        })
        .map(|l| l.to_string())
        .collect()
}

/// One arm of a network comparison: a label and a checked network scenario.
pub struct NetworkArm {
    /// The arm's label in tables.
    pub label: String,
    /// The network it plays.
    pub model: NetworkModel,
}

/// A network comparison's running sums: per arm and shared metric, the moments of the value
/// and of its difference to the first arm. A metric undefined in a trial (a ratio over a
/// variance of 0) is left out of that trial's value, and of its difference.
struct NetworkSums {
    value: Vec<Vec<Moments>>,
    diff: Vec<Vec<Moments>>,
    trials: u64,
}

impl Partial for NetworkSums {
    fn merge(&mut self, next: &Self) {
        for (a, b) in self
            .value
            .iter_mut()
            .flatten()
            .zip(next.value.iter().flatten())
        {
            a.merge(b);
        }
        for (a, b) in self
            .diff
            .iter_mut()
            .flatten()
            .zip(next.diff.iter().flatten())
        {
            a.merge(b);
        }
        self.trials += next.trials;
    }
    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Runs every network arm on trials `0..cfg.trials` of `cfg.seed` (trial i of every arm draws
/// the same demand) and compares each metric the arms share with the first arm's, trial by
/// trial. Memory is flat in the trial count; the result depends on (arms, seed, trials) alone.
pub fn compare_networks(
    arms: &[NetworkArm],
    cfg: &RunConfig,
    cancel: &AtomicBool,
) -> Result<Vec<Row>> {
    assert!(!arms.is_empty(), "a comparison needs an arm");
    let columns: Vec<Vec<String>> = arms
        .iter()
        .map(|a| network_columns(&a.model.scenario.network))
        .collect();
    let names: Vec<String> = columns[0]
        .iter()
        .filter(|n| columns.iter().all(|c| c.contains(n)))
        .cloned()
        .collect();
    let at: Vec<Vec<usize>> = columns
        .iter()
        .map(|c| {
            names
                .iter()
                .map(|n| c.iter().position(|x| x == n).expect("shared"))
                .collect()
        })
        .collect();
    let scorings: Vec<Scoring> = arms
        .iter()
        .map(|a| Scoring::new(&a.model.scenario.network))
        .collect();
    let empty = || NetworkSums {
        value: vec![vec![Moments::default(); names.len()]; arms.len()],
        diff: vec![vec![Moments::default(); names.len()]; arms.len()],
        trials: 0,
    };
    let chunk = |c: u64| -> Result<(NetworkSums, Vec<()>)> {
        let mut sums = empty();
        for i in c * CHUNK..((c + 1) * CHUNK).min(cfg.trials) {
            let rows: Vec<Vec<f64>> = arms
                .iter()
                .zip(&at)
                .zip(&scorings)
                .map(|((arm, at), scoring)| {
                    let spec = &arm.model.scenario.network;
                    let all = run_network(spec, cfg.seed, i).metrics(spec, scoring);
                    at.iter().map(|&k| all[k]).collect()
                })
                .collect();
            for (a, row) in rows.iter().enumerate() {
                for (m, (&v, &v0)) in row.iter().zip(&rows[0]).enumerate() {
                    if v.is_finite() {
                        sums.value[a][m].add(v);
                        if v0.is_finite() {
                            sums.diff[a][m].add(v - v0);
                        }
                    }
                }
            }
            sums.trials += 1;
        }
        Ok((sums, Vec::new()))
    };
    let chunks = 0..cfg.trials.div_ceil(CHUNK);
    let total = run_chunks(
        cfg,
        chunks,
        empty(),
        &chunk,
        &mut |_| Ok(()),
        &|_| {},
        cancel,
    )?;
    let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
    Ok(table(&labels, &names, &total.value, &total.diff))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(sets: &[&str]) -> Prepared {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        let mut all: Vec<String> = vec!["world.stores=3".into(), "horizon_weeks=12".into()];
        all.extend(sets.iter().map(|s| s.to_string()));
        // The plan only: the comparison's arithmetic does not need fitted playbooks, so the
        // arms play the playbook as loaded.
        let planned = crate::run::prepare::load(&source, &all)
            .unwrap()
            .plan()
            .unwrap();
        let as_loaded = planned.model().playbook.clone();
        planned.remembered(as_loaded)
    }

    /// The paired difference and its interval, computed by hand from the arms' own trials.
    #[test]
    fn paired_intervals_match_a_hand_computation() {
        let arms = [
            Arm {
                label: "base".into(),
                model: small(&[]),
            },
            Arm {
                label: "cheap".into(),
                model: small(&["world.prices.unit_cost=1.5"]),
            },
        ];
        let cfg = RunConfig {
            seed: 7,
            trials: 150,
            threads: 2,
        };
        let rows = compare(&arms, &cfg, &AtomicBool::new(false)).unwrap().rows;
        let k = crate::stats::metrics::metric("profit");
        let by_hand: Vec<f64> = (0..cfg.trials)
            .map(|i| {
                let a = run_trial(&arms[0].model, cfg.seed, i).metrics[k];
                let b = run_trial(&arms[1].model, cfg.seed, i).metrics[k];
                b - a
            })
            .collect();
        let n = by_hand.len() as f64;
        let mean = by_hand.iter().sum::<f64>() / n;
        let sd = (by_hand.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let half = 1.96 * sd / n.sqrt();
        let row = rows
            .iter()
            .find(|r| r.arm == "cheap" && r.metric == "profit")
            .unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
        assert!(close(row.diff, mean), "{} vs {mean}", row.diff);
        assert!(close(row.diff_ci95[0], mean - half), "{:?}", row.diff_ci95);
        assert!(close(row.diff_ci95[1], mean + half), "{:?}", row.diff_ci95);
        // A cheaper unit cost changes no decision of the plan's playbook and no demand draw:
        // the difference moves only with the units bought (0.5 a unit), so pairing must narrow
        // the interval a great deal (about 4.9x here; profit itself varies with demand and price).
        assert!(
            row.unpaired_half_width > 3.0 * half,
            "paired {half}, unpaired {}",
            row.unpaired_half_width
        );
        let base = rows
            .iter()
            .find(|r| r.arm == "base" && r.metric == "profit")
            .unwrap();
        assert_eq!((base.diff, base.diff_ci95), (0.0, [0.0, 0.0]));
        assert_eq!(base.trials, cfg.trials);
    }

    /// The same comparison on 1 thread and on 3 gives the same rows, exactly.
    #[test]
    fn any_thread_count_gives_the_same_rows() {
        let arms = || {
            [
                Arm {
                    label: "a".into(),
                    model: small(&[]),
                },
                Arm {
                    label: "b".into(),
                    model: small(&["strategy.ambiguity=0"]),
                },
            ]
        };
        let run = |threads| {
            let cfg = RunConfig {
                seed: 3,
                trials: 200,
                threads,
            };
            compare(&arms(), &cfg, &AtomicBool::new(false))
                .unwrap()
                .rows
        };
        assert_eq!(run(1), run(3));
    }
}
