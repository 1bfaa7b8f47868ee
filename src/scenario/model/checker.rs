//! [`Check`], which gathers every problem a scenario has instead of stopping at the first,
//! and the checks every part of a scenario uses: a number in its range, names used once, a
//! stock point or role that exists (with "did you mean"), weights that sum to a whole, a
//! multiple of the plan. The checks of each part (`world_checks.rs`, `role_checks.rs`,
//! `scorecard_checks.rs`, `strategy_checks.rs`, `organisation_checks.rs`) add their own
//! methods to it.

use crate::error::Problem;
use crate::scenario::limits::{self, number as num, Range};

/// The problems found so far; each check adds to them and goes on.
#[derive(Default)]
pub(super) struct Check {
    pub(super) problems: Vec<Problem>,
}

/// A problem with a "did you mean" hint when `word` is close to one of `names`.
pub(super) fn with_nearest<'a>(
    p: Problem,
    word: &str,
    names: impl Iterator<Item = &'a str>,
) -> Problem {
    match crate::scenario::suggest::nearest(word, names) {
        Some(n) => p.hint(format!("did you mean '{n}'?")),
        None => p,
    }
}

impl Check {
    pub(super) fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// `v` at `path` must lie in `range` (the schema states the same range).
    pub(super) fn range(&mut self, path: &str, v: f64, range: Range) {
        if let Some(p) = range.problem(path, v) {
            self.push(p);
        }
    }

    pub(super) fn unique(&mut self, path: &str, names: &[&str]) {
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                self.push(Problem::new(
                    format!("{path}[{i}].name"),
                    "a name not used before in this list",
                    format!("'{n}' again"),
                ));
            }
            if n.is_empty() {
                self.push(Problem::new(
                    format!("{path}[{i}].name"),
                    "a non-empty name",
                    "''",
                ));
            }
        }
    }

    pub(super) fn stock_point(&mut self, path: &str, name: &str, names: &[&str]) -> Option<usize> {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let mut p = Problem::new(
                path,
                format!("a stock point of world.chain ({})", names.join(", ")),
                format!("'{name}'"),
            );
            if let Some(n) = crate::scenario::suggest::nearest(name, names.iter().copied()) {
                p = p.hint(format!("did you mean '{n}'?"));
            }
            self.push(p);
        }
        found
    }

    /// Indices of the roles a list names; each name that is not a role is a problem at `path[i]`.
    pub(super) fn role_list(&mut self, path: &str, list: &[String], roles: &[&str]) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            match roles.iter().position(|r| r == c) {
                Some(k) => out.push(k),
                None => {
                    let p = Problem::new(
                        format!("{path}[{i}]"),
                        format!("a role ({})", roles.join(", ")),
                        format!("'{c}'"),
                    );
                    self.push(with_nearest(p, c, roles.iter().copied()));
                }
            }
        }
        out
    }

    /// Weights are shares of a whole: they sum to 1, or to 100 when written as percentages.
    /// Anything else (0.3 + 0.4 + 0.2) is almost always a slip, so it is refused, not normalised.
    pub(super) fn sum_is_sensible(&mut self, path: &str, total: f64) {
        let near = |x: f64, tol: f64| (total - x).abs() <= tol;
        if total > 0.0 && !near(1.0, 1e-6) && !near(100.0, 1e-4) {
            self.push(
                Problem::new(
                    path,
                    "weights summing to 1 (or to 100, as percentages)",
                    format!("weights summing to {}", num((total * 1e6).round() / 1e6)),
                )
                .hint("weights are shares of the whole: check for a missing or mistyped weight"),
            );
        }
    }

    /// A multiple of the plan: above 0, at most 10 (a target ten times the plan is a slip).
    pub(super) fn plan_factor(&mut self, path: &str, v: f64) {
        if v.is_finite() && v > limits::PLAN_FACTOR.max && v <= 1000.0 {
            self.push(
                Problem::new(path, limits::PLAN_FACTOR.expected(), num(v)).hint(format!(
                    "a multiple of the plan, not a percentage: {} for {v}%",
                    v / 100.0
                )),
            );
        } else {
            self.range(path, v, limits::PLAN_FACTOR);
        }
    }
}
