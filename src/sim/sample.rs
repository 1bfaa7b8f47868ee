//! Candidate playbooks played on a sample of trials, for the fit and the certificate.
//!
//! A candidate (every lever's rule) is played on trials `0..n` of one seed, with the world's own
//! code, and each role's utility and payout are kept per trial, so that two candidates compare
//! trial by trial on common random numbers (trial i of both sees the same demand). A candidate
//! is played once per sample and remembered; asked for more trials, it plays only those it lacks.

use crate::scenario::model::Model;
use crate::scenario::playbook::Rule;
use crate::sim::trial::Trial;
use crate::stats::metrics::{metric, TrialResult};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Per trial of a sample: each role's utility and payout, and the sums of the global
/// objectives (relative to the plan) over the trials.
pub(crate) struct Scores {
    pub(crate) utility: Vec<Vec<f64>>,
    pub(crate) payout: Vec<Vec<f64>>,
    objective_sums: [f64; 3],
}

impl Scores {
    /// Trials scored.
    pub(crate) fn len(&self) -> usize {
        self.utility.first().map_or(0, Vec::len)
    }

    /// The mean objectives over the trials.
    pub(crate) fn objectives(&self) -> [f64; 3] {
        let n = self.len().max(1) as f64;
        self.objective_sums.map(|x| x / n)
    }
}

/// Candidate playbooks played on the trials `0..n` of one seed, each scored once: the fit plays
/// on its own seed and the certificate (`sim::certificate`) on others, so that a rule is judged
/// out of sample. A sample of a playbook already played grows by the trials it lacks.
pub(crate) struct Sampler<'m> {
    pub(crate) model: &'m Model,
    seed: u64,
    cache: HashMap<Vec<Rule>, Arc<Scores>>,
    plan: [f64; 3],
    cancel: &'m AtomicBool,
}

impl<'m> Sampler<'m> {
    pub(crate) fn new(model: &'m Model, seed: u64, cancel: &'m AtomicBool) -> Sampler<'m> {
        Sampler {
            model,
            seed,
            cache: HashMap::new(),
            plan: plan_objectives(model),
            cancel,
        }
    }

    /// Candidate playbooks played so far.
    pub(crate) fn played(&self) -> usize {
        self.cache.len()
    }

    /// The scores of `rules` on the trials `0..n`.
    pub(crate) fn scores(&mut self, rules: &[Rule], n: u64) -> Arc<Scores> {
        let have = self.cache.get(rules).cloned();
        if let Some(s) = &have {
            if s.len() as u64 >= n {
                return s.clone();
            }
        }
        let n_roles = self.model.roles.len();
        if self.cancel.load(Ordering::Relaxed) {
            // Asked to stop: every candidate scores nothing, so the search ends at once and
            // the caller discards what it found.
            let none = vec![vec![0.0; n as usize]; n_roles];
            return Arc::new(Scores {
                utility: none.clone(),
                payout: none,
                objective_sums: [0.0; 3],
            });
        }
        let mut s = match have {
            Some(s) => Scores {
                utility: s.utility.clone(),
                payout: s.payout.clone(),
                objective_sums: s.objective_sums,
            },
            None => Scores {
                utility: vec![Vec::with_capacity(n as usize); n_roles],
                payout: vec![Vec::with_capacity(n as usize); n_roles],
                objective_sums: [0.0; 3],
            },
        };
        let mut m = self.model.clone();
        m.playbook.rules = rules.to_vec();
        let seed = self.seed;
        let results: Vec<TrialResult> = (s.len() as u64..n)
            .into_par_iter()
            .map(|i| Trial::new(&m, seed, i).finish())
            .collect();
        for res in &results {
            let g = objectives(res, &self.plan);
            for (sum, gk) in s.objective_sums.iter_mut().zip(g) {
                *sum += gk;
            }
            for r in 0..n_roles {
                let deck: f64 = (0..3).map(|k| res.interpretations[r][k] * g[k]).sum();
                let pay = res.roles[r][1];
                let u = pay + m.roles[r].behaviour.deck_weight * deck;
                // A candidate whose numbers break (NaN) is never preferred.
                s.utility[r].push(if u.is_finite() { u } else { f64::MIN / 4.0 });
                s.payout[r].push(pay);
            }
        }
        let s = Arc::new(s);
        self.cache.insert(rules.to_vec(), s.clone());
        s
    }
}

/// The plan's sell-out, profit and fill rate: the yardstick of a role's reading of the strategy.
fn plan_objectives(model: &Model) -> [f64; 3] {
    match &model.plan {
        Some(p) => [
            p.metrics[metric("sell_out_units")],
            p.metrics[metric("profit")],
            p.metrics[metric("on_shelf_availability")],
        ],
        None => [f64::NAN; 3],
    }
}

/// The trial's sell-out, profit and fill rate, each relative to the plan (0 = as planned).
fn objectives(r: &TrialResult, plan: &[f64; 3]) -> [f64; 3] {
    let v = [
        r.metrics[metric("sell_out_units")],
        r.metrics[metric("profit")],
        r.metrics[metric("on_shelf_availability")],
    ];
    std::array::from_fn(|k| {
        if plan[k].is_finite() && plan[k].abs() > 1e-9 {
            (v[k] - plan[k]) / plan[k].abs()
        } else {
            0.0
        }
    })
}

/// Mean and standard error of `b - a`, trial by trial.
pub(crate) fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    if n < 2.0 {
        return (0.0, 0.0);
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let m = d.iter().sum::<f64>() / n;
    let v = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}
