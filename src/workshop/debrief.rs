//! The debrief: each team's trial placed on the distribution of thousands of plays of the same
//! scenario and seed family by the model's own roles; each participant's decision beside what the
//! model's role would have chosen there, and why; who claimed success while the organisation
//! missed. As JSON for the page, as CSV, and as one offline HTML file.

use super::room::{ActPlayed, Room};
use crate::error::Result;
use crate::run::chunks::RunConfig;
use crate::run::prepare::Prepared;
use crate::scenario::model::Model;
use crate::sim::trial::Traced;
use crate::stats::metrics::{metric, Aggregate, TrialResult};
use crate::writers::charts::debrief::{room_over_plays, TeamLine};
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

/// A quantity the debrief places each team on.
struct Quantity {
    key: String,
    label: String,
    /// Whether more is better for the organisation (for the words), None for neither.
    more_is_better: Option<bool>,
    /// Where it is in a trial's result: a global metric, or a role's payout.
    at: At,
}

enum At {
    Metric(usize),
    Payout(usize),
}

impl Quantity {
    fn of(&self, r: &TrialResult) -> f64 {
        match self.at {
            At::Metric(m) => r.metrics[m],
            At::Payout(role) => r.roles[role][1],
        }
    }
}

fn quantities(model: &Model) -> Vec<Quantity> {
    let global = [
        ("company_profit", "company profit", Some(true)),
        ("profit", "chain profit", Some(true)),
        (
            "stockout_store_weeks",
            "stockouts (store-weeks)",
            Some(false),
        ),
        ("lost_sales_units", "lost sales (units)", Some(false)),
        ("write_off_units", "written off (units)", Some(false)),
        ("strategy_attainment", "strategy attainment", Some(true)),
        ("divergence_gap", "divergence gap", Some(false)),
    ];
    let mut out: Vec<Quantity> = global
        .iter()
        .map(|(k, l, b)| Quantity {
            key: k.to_string(),
            label: l.to_string(),
            more_is_better: *b,
            at: At::Metric(metric(k)),
        })
        .collect();
    for (r, role) in model.roles.iter().enumerate() {
        out.push(Quantity {
            key: format!("payout.{}", role.name),
            label: format!("{}'s bonus payout", role.name),
            more_is_better: None,
            at: At::Payout(r),
        });
    }
    out
}

/// The simulated plays an act is compared with.
pub struct Plays {
    /// Their aggregate (for the chart's bands).
    pub agg: Aggregate,
    /// Per quantity, every play's value, sorted.
    values: Vec<Vec<f64>>,
    /// Share of plays with coordinated divergence.
    divergence: f64,
}

/// Plays `plays` trials of `model` with seed `seed`, every seat the model's role: trials 0 to
/// `plays - 1`, so team `i`'s robot twin is among them.
pub fn simulate(model: &Prepared, seed: u64, plays: u64, cancel: &AtomicBool) -> Result<Plays> {
    let qs = quantities(model);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(plays as usize); qs.len()];
    let mut diverged = 0u64;
    let div = metric("coordinated_divergence");
    let cfg = RunConfig {
        seed,
        trials: plays,
        threads: 0,
    };
    let mut on_trial = |r: &TrialResult| {
        for (q, v) in qs.iter().zip(values.iter_mut()) {
            v.push(q.of(r));
        }
        diverged += (r.metrics[div] > 0.5) as u64;
        Ok(())
    };
    let agg = crate::run::organisation::run(model, &cfg, &mut on_trial, &|_| {}, cancel)?;
    for v in &mut values {
        v.sort_by(f64::total_cmp);
    }
    Ok(Plays {
        agg,
        values,
        divergence: diverged as f64 / plays.max(1) as f64,
    })
}

/// The percentile of `x` among sorted `v`: the share below it, ties counted half (0 to 100).
pub fn percentile(v: &[f64], x: f64) -> f64 {
    if v.is_empty() {
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

/// One act's debrief as the page and the files show it.
pub fn act(room: &Room, played: &ActPlayed, plays: &Plays) -> Result<Value> {
    let model: &Model = room.model(played.act);
    let qs = quantities(model);
    let results: Vec<&TrialResult> = played.teams.iter().map(|t| &t.result).collect();
    let metrics: Vec<Value> = qs
        .iter()
        .zip(&plays.values)
        .map(|(q, v)| {
            let teams: Vec<Value> = results
                .iter()
                .map(|r| json!({ "value": q.of(r), "percentile": percentile(v, q.of(r)) }))
                .collect();
            json!({
                "key": q.key, "label": q.label, "more_is_better": q.more_is_better,
                "p10": quantile(v, 0.1), "p50": quantile(v, 0.5), "p90": quantile(v, 0.9),
                "teams": teams,
            })
        })
        .collect();
    let lines: Vec<TeamLine> = results
        .iter()
        .enumerate()
        .map(|(t, r)| TeamLine {
            label: format!("team {}", t + 1),
            result: r,
        })
        .collect();
    let chart = room_over_plays(model, &plays.agg, &lines)?;
    Ok(json!({
        "act": played.act + 1,
        "label": room.act_label(played.act),
        "plays": plays.agg.trials,
        "seed": room.setup.seed,
        "ended_at_week": played.ended_at.map(|w| w + 1),
        "plays_with_divergence": plays.divergence,
        "metrics": metrics,
        "claims": claims(room, played),
        "decisions": decisions(room, played),
        "chart_svg": chart,
    }))
}

/// Who claimed success while the organisation missed, team by team.
fn claims(room: &Room, played: &ActPlayed) -> Vec<Value> {
    let model: &Model = room.model(played.act);
    let met = metric("strategy_met");
    played
        .teams
        .iter()
        .enumerate()
        .map(|(t, traced)| {
            let r = &traced.result;
            let missed = r.metrics[met] < 0.5;
            let claimed: Vec<Value> = model
                .claimants
                .iter()
                .filter(|&&c| r.roles[c][2] > 0.5)
                .map(|&c| json!({ "role": model.roles[c].name, "who": who(room, c, played.seated[t][c].as_ref()), "attainment": r.roles[c][0] }))
                .collect();
            let names: Vec<String> = claimed.iter().map(|c| c["who"].as_str().unwrap_or("").to_string()).collect();
            let sentence = match (missed, names.is_empty()) {
                (true, false) => format!("Team {}: {} met their scorecards while the organisation missed its strategy.", t + 1, and_list(&names)),
                (true, true) => format!("Team {}: the organisation missed its strategy, and nobody's scorecard said otherwise.", t + 1),
                (false, _) => format!("Team {}: the organisation met its strategy.", t + 1),
            };
            json!({ "team": t + 1, "strategy_met": !missed, "claimed": claimed, "sentence": sentence })
        })
        .collect()
}

/// "the robot (sales)" or "Ada (sales)": `name` is whoever sat there.
fn who(room: &Room, r: usize, name: Option<&String>) -> String {
    let role = &room.model(0).roles[r].name;
    match name {
        Some(n) => format!("{n} ({role})"),
        None => format!("the robot ({role})"),
    }
}

fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Every participant's decision beside the model role's, with the role's standing and rule.
fn decisions(room: &Room, played: &ActPlayed) -> Vec<Value> {
    let model: &Model = room.model(played.act);
    let mut out = Vec::new();
    for (t, traced) in played.teams.iter().enumerate() {
        for d in traced.decisions.iter().filter(|d| d.external) {
            let l = &model.levers[d.lever];
            let st = &d.standing;
            let pct = (st.shortfall * 100.0).round();
            let standing = if pct > 0.0 {
                format!("{pct:.0}% behind its pro-rated target")
            } else if pct < 0.0 {
                format!("{:.0}% ahead of its pro-rated target", -pct)
            } else {
                "on its pro-rated target".to_string()
            };
            let why = format!(
                "{} weeks to the period's end, {standing}; its rule: {}{}",
                st.weeks_left,
                l.describe(&model.playbook.rules[d.lever]),
                if d.pushed { " (the push fired)" } else { "" }
            );
            let asked = d.asked;
            let kept = (asked != d.chosen).then(|| {
                format!(
                    "asked for {}, the game's rules kept {} (a lever's uses a period, an option a meeting excluded)",
                    l.option_words(asked),
                    l.option_words(d.chosen)
                )
            });
            out.push(json!({
                "team": t + 1, "week": d.week + 1, "role": model.roles[d.role].name,
                "who": who(room, d.role, played.deciders.get(&(t, d.week, d.role))), "lever": l.name,
                "chosen": l.option_words(asked), "played": l.option_words(d.chosen),
                "model": l.option_words(d.rule_option),
                "same": asked == d.rule_option, "why": why, "note": kept,
            }));
        }
    }
    out
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

/// The robot twin of team `t`: its trial with every seat the model's role (a check the tests make).
pub fn robot_twin(model: &Model, seed: u64, t: u64) -> Traced {
    crate::sim::trial::replay(model, seed, t)
}
