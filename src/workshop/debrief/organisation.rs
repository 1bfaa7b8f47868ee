//! An organisation act's debrief: profit, stockouts, lost sales, write-offs, the strategy and
//! each role's payout; each participant's lever beside the fitted rule's; the headline chart's
//! bands with the teams over them.

use super::{claim_sentence, who, Bands, Plays, Quantity, Said};
use crate::error::Result;
use crate::run::chunks::RunConfig;
use crate::run::prepare::Prepared;
use crate::scenario::model::Model;
use crate::sim::trial::Traced;
use crate::stats::metrics::{metric, Aggregate, TrialResult};
use crate::workshop::room::{ActPlayed, Room};
use crate::writers::charts::debrief::{room_over_plays, TeamLine};
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

/// Where a quantity is in a trial's result: a global metric, or a role's payout.
enum At {
    Metric(usize),
    Payout(usize),
}

fn of(at: &At, r: &TrialResult) -> f64 {
    match *at {
        At::Metric(m) => r.metrics[m],
        At::Payout(role) => r.roles[role][1],
    }
}

fn quantities(model: &Model) -> Vec<(Quantity, At)> {
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
    let mut out: Vec<(Quantity, At)> = global
        .iter()
        .map(|(k, l, b)| {
            let q = Quantity {
                key: k.to_string(),
                label: l.to_string(),
                more_is_better: *b,
            };
            (q, At::Metric(metric(k)))
        })
        .collect();
    for (r, role) in model.roles.iter().enumerate() {
        let q = Quantity {
            key: format!("payout.{}", role.name),
            label: format!("{}'s bonus payout", role.name),
            more_is_better: None,
        };
        out.push((q, At::Payout(r)));
    }
    out
}

pub(super) fn simulate(
    model: &Prepared,
    seed: u64,
    plays: u64,
    cancel: &AtomicBool,
) -> Result<Plays> {
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
        for ((_, at), v) in qs.iter().zip(values.iter_mut()) {
            v.push(of(at, r));
        }
        diverged += (r.metrics[div] > 0.5) as u64;
        Ok(())
    };
    let agg = crate::run::organisation::run(model, &cfg, &mut on_trial, &|_| {}, cancel)?;
    Ok(Plays {
        trials: agg.trials,
        bands: Bands::Organisation(agg),
        values,
        divergence: diverged as f64 / plays.max(1) as f64,
    })
}

pub(super) fn act(
    room: &Room,
    model: &Model,
    played: &ActPlayed,
    teams: &[Traced],
    agg: &Aggregate,
) -> Result<Said> {
    let qs = quantities(model);
    let values = qs
        .iter()
        .map(|(_, at)| teams.iter().map(|t| of(at, &t.result)).collect())
        .collect();
    let lines: Vec<TeamLine> = teams
        .iter()
        .enumerate()
        .map(|(t, r)| TeamLine {
            label: format!("team {}", t + 1),
            result: &r.result,
        })
        .collect();
    Ok(Said {
        chart: room_over_plays(model, agg, &lines)?,
        quantities: qs.into_iter().map(|(q, _)| q).collect(),
        teams: values,
        claims: claims(room, model, played, teams),
        decisions: decisions(room, model, played, teams),
    })
}

/// Who claimed success while the organisation missed, team by team.
fn claims(room: &Room, model: &Model, played: &ActPlayed, teams: &[Traced]) -> Vec<Value> {
    let met = metric("strategy_met");
    teams
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
            json!({ "team": t + 1, "strategy_met": !missed, "claimed": claimed, "sentence": claim_sentence(t, missed, &names) })
        })
        .collect()
}

/// Every participant's decision beside the model role's, with the role's standing and rule.
fn decisions(room: &Room, model: &Model, played: &ActPlayed, teams: &[Traced]) -> Vec<Value> {
    let mut out = Vec::new();
    for (t, traced) in teams.iter().enumerate() {
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

/// The robot twin of team `t`: its trial with every seat the model's role (a check the tests make).
pub fn robot_twin(model: &Model, seed: u64, t: u64) -> Traced {
    crate::sim::trial::replay(model, seed, t)
}
