//! The checks of the strategy: its objectives and their weights, the stated priority, the
//! targets on per-trial metrics (each bound absolute, or a multiple of the plan where the plan
//! measures the metric), who claims success, and the options ruled out.

use crate::error::Problem;
use crate::scenario::format::{Objective, Role, Strategy, TargetValue};
use crate::scenario::limits::{self, number as num, SHARE_METRICS};
use crate::scenario::model::checker::{with_nearest, Check};
use crate::scenario::model::compiled_parts::{not_in_plan, TargetSpec};
use crate::scenario::vocabulary::GLOBAL_METRICS;

impl Check {
    /// The objectives' weights (normalised, by [`Objective::ALL`]) and the stated priority (as
    /// objective indices).
    pub(super) fn strategy(&mut self, s: &Strategy) -> ([f64; 3], Vec<usize>) {
        let mut w = [0.0; 3];
        if s.objectives.is_empty() {
            self.push(Problem::new(
                "strategy.objectives",
                "at least one objective",
                "an empty list",
            ));
        }
        for (i, o) in s.objectives.iter().enumerate() {
            let k = Objective::ALL
                .iter()
                .position(|x| *x == o.objective)
                .unwrap();
            if w[k] != 0.0 || s.objectives[..i].iter().any(|x| x.objective == o.objective) {
                self.push(Problem::new(
                    format!("strategy.objectives[{i}].objective"),
                    "each objective once",
                    format!("'{}' again", o.objective.name()),
                ));
            }
            self.range(
                &format!("strategy.objectives[{i}].weight"),
                o.weight,
                limits::WEIGHT,
            );
            if o.weight.is_finite() && o.weight >= 0.0 {
                w[k] += o.weight;
            }
        }
        let total: f64 = w.iter().sum();
        if !s.objectives.is_empty() && total <= 0.0 {
            self.push(Problem::new(
                "strategy.objectives",
                "weights with a positive sum",
                "weights summing to 0",
            ));
        } else if total > 0.0 {
            self.sum_is_sensible("strategy.objectives", total);
            w.iter_mut().for_each(|x| *x /= total);
        }
        self.range("strategy.ambiguity", s.ambiguity, limits::SHARE);
        let mut prio = Vec::new();
        for (i, o) in s.priority.iter().enumerate() {
            let k = Objective::ALL.iter().position(|x| x == o).unwrap();
            if prio.contains(&k) {
                self.push(Problem::new(
                    format!("strategy.priority[{i}]"),
                    "each objective once",
                    format!("'{}' again", o.name()),
                ));
            } else if !s.objectives.iter().any(|x| x.objective == *o) {
                self.push(Problem::new(
                    format!("strategy.priority[{i}]"),
                    "an objective listed in strategy.objectives",
                    format!("'{}'", o.name()),
                ));
            }
            prio.push(k);
        }
        (w, prio)
    }

    /// The strategy's targets, each on a per-trial metric, with at least one bound that can be met.
    pub(super) fn targets(&mut self, s: &Strategy) -> Vec<TargetSpec> {
        let mut out = Vec::new();
        for (i, t) in s.targets.iter().enumerate() {
            let p = format!("strategy.targets[{i}]");
            match GLOBAL_METRICS.iter().position(|m| *m == t.metric) {
                Some(metric) => out.push(TargetSpec {
                    metric,
                    at_least: t.at_least.and_then(TargetValue::absolute),
                    at_most: t.at_most.and_then(TargetValue::absolute),
                    written: [t.at_least, t.at_most],
                }),
                None => {
                    let mut pr = Problem::new(
                        format!("{p}.metric"),
                        format!("a per-trial metric ({})", GLOBAL_METRICS.join(", ")),
                        format!("'{}'", t.metric),
                    );
                    if let Some(n) =
                        crate::scenario::suggest::nearest(&t.metric, GLOBAL_METRICS.iter().copied())
                    {
                        pr = pr.hint(format!("did you mean '{n}'?"));
                    }
                    self.push(pr);
                }
            }
            if t.at_least.is_none() && t.at_most.is_none() {
                self.push(Problem::new(&p, "at_least or at_most", "neither"));
            }
            for (k, v) in [("at_least", t.at_least), ("at_most", t.at_most)] {
                self.target_bound(&p, k, v, &t.metric);
            }
            let (lo, hi) = (t.at_least, t.at_most);
            if let (Some(TargetValue::Absolute(lo)), Some(TargetValue::Absolute(hi))) = (lo, hi) {
                if lo > hi {
                    self.push(Problem::new(
                        &p,
                        "at_least no larger than at_most (a target that can be met)",
                        format!("at_least {} above at_most {}", num(lo), num(hi)),
                    ));
                }
            }
        }
        out
    }

    /// Bound `k` (`at_least` or `at_most`) of the target at `p` on `metric`: a multiple of the
    /// plan only where the plan measures the metric, an absolute bound finite, and a share's
    /// bound a share.
    fn target_bound(&mut self, p: &str, k: &str, v: Option<TargetValue>, metric: &str) {
        if let Some(TargetValue::Plan { plan }) = v {
            self.plan_factor(&format!("{p}.{k}.plan"), plan);
            if not_in_plan(metric) {
                self.push(Problem::new(
                    format!("{p}.{k}"),
                    format!("an absolute bound ({} has no plan value)", metric),
                    "a bound relative to the plan",
                ));
            }
        }
        if let Some(TargetValue::Absolute(v)) = v {
            if !v.is_finite() {
                self.push(Problem::new(format!("{p}.{k}"), "a finite number", num(v)));
            }
            // A share (fill rate, a rate of trials) cannot exceed 1: 95 means 0.95.
            if SHARE_METRICS.contains(&metric) && v.is_finite() && !limits::SHARE.contains(v) {
                let pr = Problem::new(
                    format!("{p}.{k}"),
                    format!("a share from 0 to 1 ({} is one)", metric),
                    num(v),
                );
                self.push(if v > 1.0 && v <= 100.0 {
                    pr.hint(format!(
                        "a fraction, not a percentage: {} for {v}%",
                        v / 100.0
                    ))
                } else {
                    pr
                });
            }
        }
    }

    /// The roles whose joint success counts for coordinated divergence (all, unless listed).
    pub(super) fn claimants(&mut self, s: &Strategy, roles: &[&str]) -> Vec<usize> {
        if s.claimants.is_empty() {
            return (0..roles.len()).collect();
        }
        self.role_list("strategy.claimants", &s.claimants, roles)
    }

    /// Each exclusion names a role, one of its levers, and options on that lever's menu.
    pub(super) fn exclusions(&mut self, s: &Strategy, roles: &[Role]) {
        for (i, x) in s.exclusions.iter().enumerate() {
            let p = format!("strategy.exclusions[{i}]");
            let Some(role) = roles.iter().find(|r| r.name == x.role) else {
                let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                let pr = Problem::new(
                    format!("{p}.role"),
                    format!("a role ({})", names.join(", ")),
                    format!("'{}'", x.role),
                );
                self.push(with_nearest(pr, &x.role, names.iter().copied()));
                continue;
            };
            let Some(lever) = role.levers.iter().find(|l| l.name == x.lever) else {
                let names: Vec<&str> = role.levers.iter().map(|l| l.name.as_str()).collect();
                let pr = Problem::new(
                    format!("{p}.lever"),
                    format!("a lever of {} ({})", x.role, names.join(", ")),
                    format!("'{}'", x.lever),
                );
                self.push(with_nearest(pr, &x.lever, names.iter().copied()));
                continue;
            };
            for (j, o) in x.options.iter().enumerate() {
                if !lever.options.contains(o) {
                    let opts: Vec<String> = lever.options.iter().map(|v| num(*v)).collect();
                    self.push(Problem::new(
                        format!("{p}.options[{j}]"),
                        format!(
                            "one of the options of {}.{} ({})",
                            x.role,
                            x.lever,
                            opts.join(", ")
                        ),
                        num(*o),
                    ));
                }
            }
        }
    }
}
