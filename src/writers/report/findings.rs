//! The report's findings: what the run found, in sentences computed from the numbers. Whether
//! the roles claimed success while the strategy was missed, target by target; the gap between
//! the two; the shelves; whether promotions bunch at period ends; how the roles read the
//! strategy; and, where the scenario has them, the meetings and the launch.

use super::scenario::{claimant_words, target_words};
use super::words::named;
use crate::numbers::{grouped, readable, whole_percent};
use crate::scenario::format::Objective;
use crate::scenario::model::Model;
use crate::stats::metrics::{metric, series_names, Aggregate};
use crate::stats::period;

/// The findings, in the order the page prints them; a finding with nothing to say is left out.
pub(super) fn findings(model: &Model, agg: &Aggregate) -> Vec<String> {
    let mut out = vec![
        divergence(model, agg),
        strategy(model, agg),
        gap(model, agg),
    ];
    out.extend(claims_and_shelves(model, agg));
    out.extend(hockey_stick(model, agg));
    out.push(shelves(agg));
    out.extend(readings(model, agg));
    out.extend(meetings(model, agg));
    out.extend(launch(model, agg));
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// The launch in its own words: the late radio, the stores left empty, the sell-out.
fn launch(model: &Model, agg: &Aggregate) -> Option<String> {
    let l = model.scenario.world.launch.as_ref()?;
    let n = agg.sample.len().max(1) as f64;
    let k = metric("media_weeks_late");
    let late = agg.sample.iter().filter(|r| r.metrics[k] > 0.0).count() as f64 / n;
    Some(format!(
        "The launch: the product went on shelf in week {}, and its campaign aired after shelf day in {} of trials, {} weeks late on average (marketing learned the date {} to {} weeks ahead; approval took {} to {}). The retailer stocked {} of the {} stores the launch was shipped for, and sell-out came to {} of plan.",
        l.shelf_week,
        whole_percent(late),
        readable(mean_of(agg, "media_weeks_late")),
        l.notice_weeks.min,
        l.notice_weeks.max,
        l.approval_weeks.min,
        l.approval_weeks.max,
        whole_percent(mean_of(agg, "stores_served_share")),
        grouped(model.stores as f64),
        whole_percent(mean_of(agg, "sell_out_vs_plan")),
    ))
}

fn mean_of(agg: &Aggregate, name: &str) -> f64 {
    agg.metrics[metric(name)].moments.mean()
}

fn divergence(model: &Model, agg: &Aggregate) -> String {
    format!(
        "Coordinated divergence: in {} of trials {} claimed success while the organisation missed its strategy.",
        whole_percent(mean_of(agg, "coordinated_divergence")),
        claimant_words(model)
    )
}

/// Share of sampled trials meeting each strategy target, and all of them.
fn strategy(model: &Model, agg: &Aggregate) -> String {
    let n = agg.sample.len().max(1) as f64;
    let parts: Vec<String> = model
        .targets
        .iter()
        .map(|t| {
            let ok = agg.sample.iter().filter(|r| {
                let v = r.metrics[t.metric];
                t.at_least.is_none_or(|lo| v >= lo) && t.at_most.is_none_or(|hi| v <= hi)
            });
            let share = whole_percent(ok.count() as f64 / n);
            format!("{} in {share}", target_words(model, t))
        })
        .collect();
    let all = whole_percent(mean_of(agg, "strategy_met"));
    if parts.is_empty() {
        return format!("The strategy sets no targets, so it counts as met in {all} of trials.");
    }
    format!(
        "The strategy was met in {all} of trials. Target by target: {}.",
        parts.join("; ")
    )
}

/// How far the strategy was attained, against what the claimants' scorecards said.
fn gap(model: &Model, agg: &Aggregate) -> String {
    let strategy = mean_of(agg, "strategy_attainment");
    let gap = mean_of(agg, "divergence_gap");
    let mut s = format!(
        "The strategy's worst-met target was attained to {} on average (strategy attainment, strategy_attainment; 1 = met exactly)",
        readable(strategy)
    );
    if !model.claimants.is_empty() {
        s += &format!(
            ", while {} attained {} of their own targets: a divergence gap (divergence_gap) of {}",
            claimant_words(model),
            readable(strategy + gap),
            readable(gap)
        );
    }
    s + "."
}

/// For each claimant: how often it met its target, and the shelves in those trials.
fn claims_and_shelves(model: &Model, agg: &Aggregate) -> Vec<String> {
    let so = metric("stockout_store_weeks");
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    model
        .claimants
        .iter()
        .map(|&r| {
            let (won, lost): (Vec<_>, Vec<_>) =
                agg.sample.iter().partition(|t| t.roles[r][2] > 0.5);
            let shelves = |ts: &[&crate::stats::metrics::TrialResult]| {
                avg(&ts.iter().map(|t| t.metrics[so]).collect::<Vec<_>>())
            };
            let share = won.len() as f64 / agg.sample.len().max(1) as f64;
            let mut s = format!(
                "In {} of trials {} met its target (attainment of 1 or more)",
                whole_percent(share),
                model.roles[r].name
            );
            if !won.is_empty() {
                s += &format!(
                    " while shelves were empty in {} store-weeks on average",
                    readable(shelves(&won))
                );
            }
            if !lost.is_empty() && !won.is_empty() {
                s += &format!(
                    ", against {} in the trials where it missed",
                    readable(shelves(&lost))
                );
            }
            s + "."
        })
        .collect()
}

/// Mean promotion depth in each week of the period: the deepest week against the others.
fn hockey_stick(model: &Model, agg: &Aggregate) -> Option<String> {
    let s = series_names(model)
        .iter()
        .position(|n| n == "promo_depth")?;
    let p = model.period;
    if model.promo_lever.is_none() || p < 2 || model.horizon < p {
        return None;
    }
    let weekly: Vec<f64> = (0..model.horizon)
        .map(|t| agg.series_at(s, t).moments.mean())
        .collect();
    // The charts' fold: whole periods only (the horizon holds at least one), week by week.
    let depth = period::fold(&weekly, p);
    let (week, peak) = period::extreme(&depth, true);
    let others = (depth.iter().sum::<f64>() - peak) / (p - 1) as f64;
    // `week` counts from 1: in the second half of the period (its middle week, for an odd one).
    let verdict = if peak > 1.5 * others + 0.005 && 2 * week > p {
        "Promotions bunch towards period ends"
    } else if peak > 1.5 * others + 0.005 {
        "Promotions bunch early in the period"
    } else {
        "Promotions do not bunch"
    };
    Some(format!(
        "{verdict}: the mean promotion depth was deepest in week {week} of {p} at {:.1}%, against {:.1}% in the other weeks.",
        100.0 * peak,
        100.0 * others
    ))
}

fn shelves(agg: &Aggregate) -> String {
    let so = mean_of(agg, "stockout_store_weeks");
    let wrote_off = agg.metrics[metric("write_off_units")].sketch.quantile(0.5);
    let share_wo = agg
        .sample
        .iter()
        .filter(|t| t.metrics[metric("write_off_units")] > 0.0)
        .count() as f64
        / agg.sample.len().max(1) as f64;
    format!(
        "Shelves were empty in {} store-weeks per trial on average, an on-shelf availability (on_shelf_availability) of {:.1}%, losing {} units of demand (fill rate {:.1}%). Stock was written off in {} of trials (median {} units, mean {}).",
        readable(so),
        100.0 * mean_of(agg, "on_shelf_availability"),
        readable(mean_of(agg, "lost_sales_units")),
        100.0 * mean_of(agg, "fill_rate"),
        whole_percent(share_wo),
        readable(wrote_off),
        readable(mean_of(agg, "write_off_units")),
    )
}

/// The widest gap between a role's mean reading and the weight as written.
fn readings(model: &Model, agg: &Aggregate) -> Option<String> {
    let mut best: Option<(f64, usize, usize)> = None;
    for (r, stats) in agg.interpretations.iter().enumerate() {
        for (k, st) in stats.iter().enumerate() {
            let gap = (st.moments.mean() - model.weights[k]).abs();
            if best.is_none_or(|(g, _, _)| gap > g) {
                best = Some((gap, r, k));
            }
        }
    }
    let (gap, r, k) = best?;
    if gap < 0.01 {
        return Some("Every role reads the strategy's weights as written.".into());
    }
    Some(format!(
        "Readings diverge: {} reads a weight of {} on {} into the strategy, which states {} (spread of the readings, interpretation_spread: {}).",
        model.roles[r].name,
        whole_percent(agg.interpretations[r][k].moments.mean()),
        named(Objective::ALL[k].name()),
        whole_percent(model.weights[k]),
        readable(mean_of(agg, "interpretation_spread")),
    ))
}

/// The meeting story in a sentence or two: how often the room was silent, what it stated
/// against what the roles did, and what its decisions ruled out.
fn meetings(model: &Model, agg: &Aggregate) -> Option<String> {
    let g = model.meetings.as_ref()?;
    let held = mean_of(agg, "meetings_held");
    if held <= 0.0 {
        return None;
    }
    let silent = 1.0 - mean_of(agg, "meetings_with_dissent") / held;
    let (decisions, excluded) = (
        mean_of(agg, "decisions_made"),
        mean_of(agg, "options_excluded"),
    );
    let mut s = format!(
        "Meetings: {} a trial, every {} weeks, at psychological safety {}. In {} of them nobody voiced a doubt. The room stated {} agreement while the roles' actions agreed {}",
        readable(held),
        g.every,
        readable(g.safety),
        whole_percent(silent),
        whole_percent(mean_of(agg, "stated_agreement")),
        whole_percent(mean_of(agg, "operational_agreement")),
    );
    if decisions > 0.0 && excluded == 0.0 {
        s += &format!(
            ". Its {} decisions a trial ruled nothing out: nothing was decided",
            readable(decisions)
        );
    } else if decisions > 0.0 {
        s += &format!(
            ". Its {} decisions a trial ruled out {} options; the role that played each one lost it",
            readable(decisions),
            readable(excluded)
        );
    } else if decisions == 0.0 {
        s += ". No meeting decided anything, and nothing was ruled out";
    }
    let departures = mean_of(agg, "departures");
    if departures > 0.0 {
        s += &format!(
            ". Doubt left unsaid ended in {} departures a trial",
            readable(departures)
        );
    }
    Some(s + ".")
}
