//! The debrief: each team's trial placed on the distribution of thousands of plays of the same
//! scenario and seed family by the model's own robots; each participant's decision beside what the
//! model's robot would have decided there, and why; who claimed success while the organisation
//! missed. As JSON for the page, as CSV, and as one offline HTML file.
//!
//! The shape is the same for both kinds of scenario; what is measured, explained and drawn is
//! each kind's own (`organisation`: profit, stockouts, payouts and levers; `chain`: costs,
//! amplification and orders).

mod chain;
mod organisation;

use super::game::{ActModel, Teams};
use super::room::{ActPlayed, Room};
use crate::error::Result;
use crate::sim::network::NetworkAggregate;
use crate::stats::metrics::Aggregate;
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

pub use organisation::robot_twin;

/// A quantity the debrief places each team on.
struct Quantity {
    key: String,
    label: String,
    /// Whether more is better for the organisation (for the words), None for neither.
    more_is_better: Option<bool>,
}

/// The simulated plays an act is compared with.
pub struct Plays {
    /// Their aggregate (for the chart's bands).
    bands: Bands,
    /// How many plays.
    trials: u64,
    /// Per quantity, every play's value, sorted (undefined values left out).
    values: Vec<Vec<f64>>,
    /// Share of plays with coordinated divergence.
    divergence: f64,
}

impl Plays {
    /// How many plays.
    pub fn trials(&self) -> u64 {
        self.trials
    }
}

enum Bands {
    Organisation(Aggregate),
    Network(NetworkAggregate),
}

/// Plays `plays` trials of `model` with seed `seed`, every seat the model's robot: trials 0 to
/// `plays - 1`, so team `i`'s robot twin is among them.
pub fn simulate(model: &ActModel, seed: u64, plays: u64, cancel: &AtomicBool) -> Result<Plays> {
    let mut p = match model {
        ActModel::Organisation(m) => organisation::simulate(m, seed, plays, cancel)?,
        ActModel::Network(n) => chain::simulate(n, seed, plays, cancel)?,
    };
    for v in &mut p.values {
        v.retain(|x| x.is_finite());
        v.sort_by(f64::total_cmp);
    }
    Ok(p)
}

/// What one kind says about an act: per quantity, each team's value; the claims, the decisions
/// and the chart.
struct Said {
    quantities: Vec<Quantity>,
    teams: Vec<Vec<f64>>,
    claims: Vec<Value>,
    decisions: Vec<Value>,
    chart: String,
}

/// One act's debrief as the page and the files show it.
pub fn act(room: &Room, played: &ActPlayed, plays: &Plays) -> Result<Value> {
    let said = match (room.model(played.act), &played.teams, &plays.bands) {
        (ActModel::Organisation(m), Teams::Organisation(teams), Bands::Organisation(agg)) => {
            organisation::act(room, m, played, teams, agg)?
        }
        (ActModel::Network(n), Teams::Network(teams), Bands::Network(agg)) => {
            chain::act(room, n, played, teams, agg)?
        }
        _ => unreachable!("an act's model, teams and plays are of one kind"),
    };
    let metrics: Vec<Value> = said
        .quantities
        .iter()
        .zip(&plays.values)
        .zip(&said.teams)
        .map(|((q, v), values)| {
            let teams: Vec<Value> = values
                .iter()
                .map(|&x| json!({ "value": clean(x), "percentile": percentile(v, x) }))
                .collect();
            json!({
                "key": q.key, "label": q.label, "more_is_better": q.more_is_better,
                "p10": clean(quantile(v, 0.1)), "p50": clean(quantile(v, 0.5)), "p90": clean(quantile(v, 0.9)),
                "teams": teams,
            })
        })
        .collect();
    Ok(json!({
        "act": played.act + 1,
        "kind": room.model(played.act).kind(),
        "label": room.act_label(played.act),
        "plays": plays.trials,
        "seed": room.setup.seed,
        "ended_at_week": played.ended_at.map(|w| w + 1),
        "plays_with_divergence": plays.divergence,
        "metrics": metrics,
        "claims": said.claims,
        "decisions": said.decisions,
        "chart_svg": said.chart,
    }))
}

/// A value as the page shows it: rounding noise (a gap of 1e-17, a negative zero) is 0.
fn clean(x: f64) -> f64 {
    if x.abs() < 1e-9 {
        0.0
    } else {
        x
    }
}

/// "the robot (sales)" or "Ada (sales)": `name` is whoever sat there.
fn who(room: &Room, r: usize, name: Option<&String>) -> String {
    let roles = room.model(0).roles();
    let role = roles[r].0;
    match name {
        Some(n) => format!("{n} ({role})"),
        None => format!("the robot ({role})"),
    }
}

/// "Team 2: Ada (sales) and Bo (procurement) met their scorecards while ...".
fn claim_sentence(t: usize, missed: bool, names: &[String]) -> String {
    match (missed, names.is_empty()) {
        (true, false) => format!(
            "Team {}: {} met their scorecards while the organisation missed its strategy.",
            t + 1,
            and_list(names)
        ),
        (true, true) => format!(
            "Team {}: the organisation missed its strategy, and nobody's scorecard said otherwise.",
            t + 1
        ),
        (false, _) => format!("Team {}: the organisation met its strategy.", t + 1),
    }
}

fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The percentile of `x` among sorted `v`: the share below it, ties counted half (0 to 100).
pub fn percentile(v: &[f64], x: f64) -> f64 {
    if v.is_empty() || !x.is_finite() {
        return f64::NAN;
    }
    let below = v.partition_point(|y| *y < x);
    let at_or_below = v.partition_point(|y| *y <= x);
    100.0 * (below as f64 + 0.5 * (at_or_below - below) as f64) / v.len() as f64
}

fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v[((q * v.len() as f64) as usize).min(v.len() - 1)]
}

/// `decisions.csv`: every participant's decision, the model's, and why.
pub fn decisions_csv(acts: &[Value]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    const MEMORY: &str = "writing CSV into memory cannot fail";
    w.write_record([
        "act",
        "team",
        "week",
        "role",
        "who",
        "lever",
        "chosen",
        "model_choice",
        "same",
        "why",
    ])
    .expect(MEMORY);
    for a in acts {
        for d in a["decisions"].as_array().into_iter().flatten() {
            let s = |k: &str| match &d[k] {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            w.write_record([
                a["act"].to_string(),
                s("team"),
                s("week"),
                s("role"),
                s("who"),
                s("lever"),
                s("chosen"),
                s("model"),
                s("same"),
                s("why"),
            ])
            .expect(MEMORY);
        }
    }
    String::from_utf8(w.into_inner().expect(MEMORY)).expect("UTF-8 fields")
}

/// `results.csv`: each team's value of each quantity and its percentile among the plays.
pub fn results_csv(acts: &[Value]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    const MEMORY: &str = "writing CSV into memory cannot fail";
    w.write_record([
        "act",
        "team",
        "quantity",
        "value",
        "percentile",
        "plays",
        "plays_p10",
        "plays_p50",
        "plays_p90",
    ])
    .expect(MEMORY);
    let f = |v: &Value| v.as_f64().map_or(String::new(), crate::numbers::float);
    for a in acts {
        for m in a["metrics"].as_array().into_iter().flatten() {
            for (t, team) in m["teams"].as_array().into_iter().flatten().enumerate() {
                w.write_record([
                    a["act"].to_string(),
                    (t + 1).to_string(),
                    m["key"].as_str().unwrap_or("").to_string(),
                    f(&team["value"]),
                    f(&team["percentile"]),
                    a["plays"].to_string(),
                    f(&m["p10"]),
                    f(&m["p50"]),
                    f(&m["p90"]),
                ])
                .expect(MEMORY);
            }
        }
    }
    String::from_utf8(w.into_inner().expect(MEMORY)).expect("UTF-8 fields")
}

/// The debrief as one offline HTML file: no script, no link, the charts inline.
pub fn html(title: &str, acts: &[Value]) -> Result<String> {
    let failed = |e: minijinja::Error| crate::error::Error::Template {
        path: "debrief.html".into(),
        name: "debrief.html".into(),
        message: e.to_string(),
    };
    let mut env = minijinja::Environment::new();
    env.add_template("debrief.html", include_str!("pages/debrief_export.html"))
        .map_err(failed)?;
    let tmpl = env.get_template("debrief.html").map_err(failed)?;
    tmpl.render(minijinja::context! { title, acts })
        .map_err(failed)
}
