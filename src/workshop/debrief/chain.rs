//! A network act's debrief (the Beer Game): the chain's cost, each point's cost, how much its
//! orders swing against the customers' demand, its peak order and its scorecard; each
//! participant's order beside the point's rule's in the same state; the orders' bands by point
//! with the teams over them.

use super::{claim_sentence, who, Bands, Plays, Quantity, Said};
use crate::error::Result;
use crate::run::chunks::RunConfig;
use crate::scenario::network::{trial_columns, NetworkModel};
use crate::sim::network::{NetworkAggregate, NetworkRow, NetworkSpec, Policy, Scoring};
use crate::workshop::game::chain::{ChainPlayed, ORDER};
use crate::workshop::room::{ActPlayed, Room};
use crate::writers::charts::debrief::{chain_over_plays, ChainLine};
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

/// The quantities, each with its column in a network trial's metrics.
fn quantities(spec: &NetworkSpec) -> Vec<(Quantity, usize)> {
    let columns = trial_columns(spec);
    let col = |k: &str| columns.iter().position(|c| c == k);
    let mut wanted: Vec<(String, String, Option<bool>)> = vec![
        (
            "total_cost".into(),
            "the chain's total cost".into(),
            Some(false),
        ),
        (
            "strategy_attainment".into(),
            "strategy attainment".into(),
            Some(true),
        ),
        (
            "divergence_gap".into(),
            "divergence gap".into(),
            Some(false),
        ),
    ];
    for p in &spec.stock_points {
        let n = &p.name;
        wanted.push((format!("cost_{n}"), format!("{n}'s cost"), Some(false)));
        wanted.push((
            format!("amp_{n}"),
            format!("{n}'s order swing (its orders' variance over the customers')"),
            Some(false),
        ));
        wanted.push((
            format!("peak_order_{n}"),
            format!("{n}'s peak order"),
            Some(false),
        ));
        wanted.push((
            format!("attainment_{n}"),
            format!("{n}'s scorecard attainment"),
            None,
        ));
    }
    wanted
        .into_iter()
        .filter_map(|(key, label, more_is_better)| {
            let c = col(&key)?;
            Some((
                Quantity {
                    key,
                    label,
                    more_is_better,
                },
                c,
            ))
        })
        .collect()
}

pub(super) fn simulate(
    model: &NetworkModel,
    seed: u64,
    plays: u64,
    cancel: &AtomicBool,
) -> Result<Plays> {
    let spec = &model.scenario.network;
    let qs = quantities(spec);
    let div = column(spec, "coordinated_divergence");
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(plays as usize); qs.len()];
    let mut diverged = 0u64;
    let cfg = RunConfig {
        seed,
        trials: plays,
        threads: 0,
    };
    let mut on_trial = |r: &NetworkRow| {
        for ((_, c), v) in qs.iter().zip(values.iter_mut()) {
            v.push(r.metrics[*c]);
        }
        diverged += (r.metrics[div] > 0.5) as u64;
        Ok(())
    };
    let agg = crate::run::network::run(spec, &cfg, &mut on_trial, &|_| {}, cancel)?;
    Ok(Plays {
        trials: agg.trials,
        bands: Bands::Network(agg),
        values,
        divergence: diverged as f64 / plays.max(1) as f64,
    })
}

fn column(spec: &NetworkSpec, name: &str) -> usize {
    trial_columns(spec)
        .iter()
        .position(|c| c == name)
        .expect("every network has the organisation's global columns")
}

pub(super) fn act(
    room: &Room,
    model: &NetworkModel,
    played: &ActPlayed,
    teams: &[ChainPlayed],
    agg: &NetworkAggregate,
) -> Result<Said> {
    let spec = &model.scenario.network;
    let scoring = Scoring::new(spec);
    let metrics: Vec<Vec<f64>> = teams
        .iter()
        .map(|t| t.result.metrics(spec, &scoring))
        .collect();
    let qs = quantities(spec);
    let values = qs
        .iter()
        .map(|(_, c)| metrics.iter().map(|m| m[*c]).collect())
        .collect();
    let points: Vec<&str> = spec.stock_points.iter().map(|p| p.name.as_str()).collect();
    let lines: Vec<ChainLine> = teams
        .iter()
        .enumerate()
        .map(|(t, r)| ChainLine {
            label: format!("team {}", t + 1),
            result: &r.result,
        })
        .collect();
    Ok(Said {
        chart: chain_over_plays(&model.name, &points, agg, &lines)?,
        quantities: qs.into_iter().map(|(q, _)| q).collect(),
        teams: values,
        claims: claims(room, spec, played, &metrics),
        decisions: decisions(room, spec, played, teams),
    })
}

/// Who claimed success while the chain missed its budget, team by team: the points whose own
/// scorecard kept to its budget.
fn claims(room: &Room, spec: &NetworkSpec, played: &ActPlayed, metrics: &[Vec<f64>]) -> Vec<Value> {
    let met = column(spec, "strategy_met");
    metrics
        .iter()
        .enumerate()
        .map(|(t, m)| {
            let missed = m[met] < 0.5;
            let claimed: Vec<Value> = spec
                .stock_points
                .iter()
                .enumerate()
                .filter(|(_, p)| m[column(spec, &format!("claims_success_{}", p.name))] > 0.5)
                .map(|(c, p)| {
                    json!({
                        "role": p.name,
                        "who": who(room, c, played.seated[t][c].as_ref()),
                        "attainment": m[column(spec, &format!("attainment_{}", p.name))],
                    })
                })
                .collect();
            let names: Vec<String> = claimed
                .iter()
                .map(|c| c["who"].as_str().unwrap_or("").to_string())
                .collect();
            json!({ "team": t + 1, "strategy_met": !missed, "claimed": claimed, "sentence": claim_sentence(t, missed, &names) })
        })
        .collect()
}

/// Units as a person writes them: whole numbers bare, others to one decimal.
fn units(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0 + 0.0;
    if r == r.trunc() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The rule of point `i`, in words.
fn rule_words(spec: &NetworkSpec, i: usize) -> String {
    match spec.stock_points[i].policy {
        Policy::Sterman {
            theta,
            alpha_s,
            beta,
            desired_stock,
        } => format!(
            "its rule (Sterman's anchoring and adjustment: θ {theta}, α_S {alpha_s}, β {beta}, desired stock {}) orders the demand it expects, plus {alpha_s} of the gap to its desired stock, less {beta} of {} on order",
            units(desired_stock),
            if beta > 0.0 { "what is" } else { "nothing" }
        ),
        Policy::OrderUpTo {
            window,
            lead_weeks,
            ..
        } => format!(
            "its rule (order-up-to) keeps {lead_weeks} weeks of the mean of the last {window} orders received"
        ),
    }
}

/// Every participant's order beside the point's rule's in the same week and state.
fn decisions(
    room: &Room,
    spec: &NetworkSpec,
    played: &ActPlayed,
    teams: &[ChainPlayed],
) -> Vec<Value> {
    let mut out = Vec::new();
    for (t, team) in teams.iter().enumerate() {
        for d in &team.decisions {
            let s = &d.seen;
            let why = format!(
                "{} on hand, {} owed, {} on order, {} ordered from it this week; {}",
                units(s.inventory),
                units(s.backlog),
                units(s.on_order),
                units(s.incoming),
                rule_words(spec, d.stage)
            );
            out.push(json!({
                "team": t + 1, "week": d.week + 1, "role": spec.stock_points[d.stage].name,
                "who": who(room, d.stage, played.deciders.get(&(t, d.week, d.stage))),
                "lever": ORDER,
                "chosen": units(d.ordered), "played": units(d.ordered),
                "model": units(d.rule),
                "same": (d.ordered - d.rule).abs() < 0.5, "why": why, "note": Value::Null,
            }));
        }
    }
    out
}
