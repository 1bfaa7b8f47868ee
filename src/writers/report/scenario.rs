//! The report's account of the scenario that was run: its story, the strategy as written
//! (objectives, priority, ambiguity, targets, who claims success, what is ruled out), the world,
//! the organisation and the plan, each in a sentence or a list.

use super::words::{list_nums, named, of_plan, words};
use crate::numbers::{readable, whole_percent};
use crate::scenario::format::{Objective, TargetValue};
use crate::scenario::model::{Model, TargetSpec};
use crate::stats::metrics::GLOBAL_METRICS;
use serde::Serialize;

/// The scenario as the page shows it.
#[derive(Serialize)]
pub(super) struct ScenarioView {
    name: String,
    /// The story it tells, as `orgsim list` groups the built-ins.
    story: &'static str,
    /// The scenario's own name, when the run's differs (overrides or `--name`).
    base: Option<String>,
    /// The `--set` overrides, as typed.
    overrides: Vec<String>,
    description: String,
    statement: String,
    objectives: Vec<String>,
    priority: String,
    ambiguity: f64,
    targets: Vec<String>,
    claimants: String,
    exclusions: Vec<String>,
    world: String,
    org: String,
    plan: String,
}

/// The story a scenario tells: a built-in's own, else what its world and org make it (a launch,
/// meetings, or promotions against inventory).
fn story(model: &Model) -> &'static str {
    let s = &model.scenario;
    if let Some(b) = crate::scenario::load::all_builtins().find(|b| b.name == s.name) {
        return b.story;
    }
    if s.world.launch.is_some() {
        "launch"
    } else if s.org.meetings.is_some() {
        "meetings"
    } else {
        "promotions"
    }
}

pub(super) fn scenario_view(model: &Model) -> ScenarioView {
    let s = &model.scenario;
    let st = &s.strategy;
    let objectives = Objective::ALL
        .iter()
        .zip(model.weights)
        .filter(|(_, w)| *w > 0.0)
        .map(|(o, w)| format!("{} {}", named(o.name()), whole_percent(w)))
        .collect();
    let priority = if st.priority.is_empty() {
        "none stated".to_string()
    } else {
        let names: Vec<String> = st.priority.iter().map(|o| words(o.name())).collect();
        names.join(" before ")
    };
    let exclusions = st
        .exclusions
        .iter()
        .map(|e| {
            format!(
                "{}'s {}: {} ruled out",
                e.role,
                e.lever,
                list_nums(&e.options)
            )
        })
        .collect();
    ScenarioView {
        name: model.name.clone(),
        story: story(model),
        base: (model.name != s.name).then(|| s.name.clone()),
        overrides: model.overrides.iter().map(|o| o.arg.clone()).collect(),
        description: s.description.clone(),
        statement: st.statement.clone(),
        objectives,
        priority,
        ambiguity: st.ambiguity,
        targets: model
            .targets
            .iter()
            .map(|t| target_words(model, t))
            .collect(),
        claimants: claimant_words(model),
        exclusions,
        world: world_words(model),
        org: org_words(model),
        plan: plan_words(model),
    }
}

/// "on-shelf availability (on_shelf_availability) at least 0.931 (97% of the plan's 0.96)":
/// the bounds as resolved, and what they were relative to.
pub(super) fn target_words(model: &Model, t: &TargetSpec) -> String {
    let name = named(GLOBAL_METRICS[t.metric]);
    let plan_value = model.plan.as_ref().map(|p| p.metrics[t.metric]);
    let bound = |v: Option<f64>, k: usize| {
        let factor = match t.written[k] {
            Some(TargetValue::Plan { plan }) => Some(plan),
            _ => None,
        };
        v.map(|v| format!("{}{}", readable(v), of_plan(factor, plan_value)))
    };
    match (bound(t.at_least, 0), bound(t.at_most, 1)) {
        (Some(lo), Some(hi)) => format!("{name} from {lo} to {hi}"),
        (Some(lo), None) => format!("{name} at least {lo}"),
        (None, Some(hi)) => format!("{name} at most {hi}"),
        (None, None) => name,
    }
}

/// "sales", "both sales and procurement", "all 5 roles", "each of a, b and c".
pub(super) fn claimant_words(model: &Model) -> String {
    let names: Vec<&str> = model
        .claimants
        .iter()
        .map(|&r| model.roles[r].name.as_str())
        .collect();
    match names.len() {
        0 => "no role".into(),
        1 => names[0].into(),
        2 => format!("both {} and {}", names[0], names[1]),
        n if n == model.roles.len() => format!("all {n} roles"),
        n => format!("each of {} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn world_words(model: &Model) -> String {
    let chain: Vec<&str> = model.chain.iter().map(|e| e.name.as_str()).collect();
    format!(
        "{} weeks in periods of {} weeks; {} stores; stock flows {}.",
        model.horizon,
        model.period,
        model.stores,
        chain.join(" → ")
    )
}

fn org_words(model: &Model) -> String {
    let shared = match &model.shared {
        Some((w, _)) if model.roles.iter().all(|r| r.shares_bonus) => {
            format!(
                "{} of every bonus is paid on a shared scorecard",
                whole_percent(*w)
            )
        }
        Some((w, _)) => {
            let covered: Vec<&str> = model
                .roles
                .iter()
                .filter(|r| r.shares_bonus)
                .map(|r| r.name.as_str())
                .collect();
            format!(
                "{} of the bonus of {} is paid on a shared scorecard",
                whole_percent(*w),
                covered.join(", ")
            )
        }
        None => "no shared bonus".into(),
    };
    let cost = if model.defection_cost > 0.0 {
        format!("a cost of defection of {}", readable(model.defection_cost))
    } else {
        "no cost of defection".into()
    };
    format!("{shared}; {cost}.")
}

fn plan_words(model: &Model) -> String {
    if model.plan.is_none() {
        return "not computed: every target is absolute.".into();
    }
    "every lever at its initial option and demand at its expectation, played once after the warm-up. Targets written relative to the plan are multiples of its values (the plan column of Every metric; a scorecard's per period).".into()
}
