//! The plan, as budgets are set: the scenario with every lever at its `initial` option, every
//! store of expected size and demand at its expectation, played once after the warm-up.
//!
//! Targets written as `{"plan": f}` become f times the plan's value, so a scenario keeps its
//! meaning when the store count, the horizon or the prices change: 10x the stores give 10x the
//! sell-in target, not an impossible one.

use crate::error::Problem;
use crate::scenario::format::TargetValue;
use crate::scenario::model::{metric_name, CardSpec, Model, PlanValues};
use crate::sim::org::{self, Tally};
use crate::sim::trial::Trial;

/// Plays the plan and reads off every value a target may be relative to.
pub fn compute(model: &Model) -> PlanValues {
    let mut trial = Trial::plan(model);
    while !trial.is_done() {
        trial.step();
    }
    let tallies = trial.period_tallies().to_vec();
    let result = trial.finish();
    // Full periods only: a last period cut short would understate a summed metric.
    let full: Vec<&Tally> = tallies
        .iter()
        .filter(|t| t.weeks >= model.period as f64)
        .collect();
    let (sum, periods) = if full.is_empty() {
        // A horizon shorter than a period: scale what there is up to a full period.
        let t = tallies.iter().fold(Tally::default(), |a, b| a.plus(b));
        let share = t.weeks / model.period as f64;
        (t, share.max(1e-9))
    } else {
        let t = full.iter().fold(Tally::default(), |a, b| a.plus(b));
        (t, full.len() as f64)
    };
    let per_period = |card: &CardSpec| -> Vec<f64> {
        card.components
            .iter()
            .map(|c| {
                let v = org::component_value(c, &sum);
                if org::is_summed(c.metric) {
                    v / periods
                } else {
                    v
                }
            })
            .collect()
    };
    PlanValues {
        metrics: result.metrics,
        components: model.roles.iter().map(|r| per_period(&r.card)).collect(),
        shared: model
            .shared
            .as_ref()
            .map(|(_, card)| per_period(card))
            .unwrap_or_default(),
    }
}

/// Fills in every plan-relative target from the plan; a plan value that cannot carry a target
/// (zero, negative or infinite) is a problem naming the target.
pub fn resolve(model: &mut Model, plan: PlanValues) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut fill = |path: String, metric: &str, factor: f64, value: f64, out: &mut f64| {
        if value.is_finite() && value > 0.0 {
            *out = factor * value;
        } else {
            problems.push(
                Problem::new(
                    path,
                    format!("a target the plan can set ({metric} with a positive, finite plan value)"),
                    format!("a plan value of {value}"),
                )
                .hint("the plan plays every lever at its initial option with expected demand: write an absolute target, or change the initial options"),
            );
        }
    };
    for (r, role) in model.roles.iter_mut().enumerate() {
        for (k, c) in role.card.components.iter_mut().enumerate() {
            if let Some(f) = c.plan {
                let path = format!("roles[{r}].scorecard.components[{k}].target");
                fill(
                    path,
                    &metric_name(c.metric),
                    f,
                    plan.components[r][k],
                    &mut c.target,
                );
            }
        }
    }
    if let Some((_, card)) = &mut model.shared {
        for (k, c) in card.components.iter_mut().enumerate() {
            if let Some(f) = c.plan {
                let path = format!("org.shared_bonus.scorecard.components[{k}].target");
                fill(
                    path,
                    &metric_name(c.metric),
                    f,
                    plan.shared[k],
                    &mut c.target,
                );
            }
        }
    }
    for (i, tg) in model.targets.iter_mut().enumerate() {
        let name = crate::stats::metrics::GLOBAL_METRICS[tg.metric];
        let value = plan.metrics[tg.metric];
        for (k, (key, bound)) in [("at_least", &mut tg.at_least), ("at_most", &mut tg.at_most)]
            .into_iter()
            .enumerate()
        {
            if let Some(TargetValue::Plan { plan: f }) = tg.written[k] {
                // An upper bound of a multiple of zero (no stockouts in the plan) is a real bound: 0.
                if key == "at_most" && value == 0.0 {
                    *bound = Some(0.0);
                    continue;
                }
                let mut v = f64::NAN;
                fill(
                    format!("strategy.targets[{i}].{key}"),
                    name,
                    f,
                    value,
                    &mut v,
                );
                *bound = Some(v);
            }
        }
    }
    model.plan = Some(plan);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
