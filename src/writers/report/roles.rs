//! The report's account of each role: what it is paid on (its scorecard and payout), the
//! levers it pulls and the rules its fitted playbook plays, what the fit expected it to earn,
//! and whether its playbook is a best response.

use super::words::{list_nums, named, of_plan};
use crate::numbers::{grouped, readable, whole_percent};
use crate::scenario::format::{Role, RoleMetric};
use crate::scenario::model::{metric_name, Model, RoleSpec};
use crate::scenario::playbook::Deviation;
use crate::stats::metrics::Aggregate;
use serde::Serialize;

/// One role as the page shows it.
#[derive(Serialize)]
pub(super) struct RoleView {
    name: String,
    description: String,
    scorecard: Vec<String>,
    payout: String,
    levers: Vec<String>,
    plays: Vec<String>,
    fit: String,
}

/// Each role in words, in the scenario's order.
pub(super) fn role_views(model: &Model, agg: &Aggregate) -> Vec<RoleView> {
    let raw = model.scenario.roles.iter().zip(&model.roles);
    raw.enumerate()
        .map(|(r, (raw, spec))| RoleView {
            name: raw.name.clone(),
            description: raw.description.clone(),
            scorecard: scorecard_lines(model, r, raw, spec),
            payout: format!(
                "pays from {} of target (half the bonus) up to a cap at {}",
                whole_percent(spec.card.threshold),
                whole_percent(spec.card.cap)
            ),
            levers: raw
                .levers
                .iter()
                .map(|l| format!("{}: options {}", l.name, list_nums(&l.options)))
                .chain(spec.levers.iter().filter_map(|&j| {
                    let gated = model.levers[j].approves?;
                    Some(format!(
                        "whether to approve each request to change {}'s {}",
                        model.roles[model.levers[gated].role].name, model.levers[gated].name
                    ))
                }))
                .collect(),
            plays: rule_lines(model, spec),
            fit: fit_words(model, agg, r),
        })
        .collect()
}

fn scorecard_lines(model: &Model, r: usize, raw: &Role, spec: &RoleSpec) -> Vec<String> {
    let plan = model.plan.as_ref().and_then(|p| p.components.get(r));
    raw.scorecard
        .components
        .iter()
        .zip(&spec.card.components)
        .enumerate()
        .map(|(k, (c, compiled))| {
            let at = c
                .stock_point
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            // Turns are annual; cover, reach and shares are averages; the rest are period sums.
            let unit = match c.metric {
                RoleMetric::InventoryTurns => "a year",
                RoleMetric::WeeksOfCover => "weeks on average",
                RoleMetric::Reach | RoleMetric::FillRate | RoleMetric::OnShelfAvailability => {
                    "on average"
                }
                RoleMetric::TradeRate => "of gross sell-in at most",
                _ => "per period",
            };
            let plan_value = plan.and_then(|p| p.get(k)).copied();
            format!(
                "{}{at}: target {} {unit}{}, weight {}",
                named(&metric_name(c.metric)),
                readable(compiled.target),
                of_plan(compiled.plan, plan_value),
                whole_percent(compiled.weight)
            )
        })
        .collect()
}

/// Each of the role's levers with its rule in words.
fn rule_lines(model: &Model, spec: &RoleSpec) -> Vec<String> {
    spec.levers
        .iter()
        .map(|&j| {
            let lever = &model.levers[j];
            let rule = &model.playbook.rules[j];
            format!("{}: {}", lever.name, lever.describe(rule))
        })
        .collect()
}

/// What the fit expected the role to be paid, against its best constant policy and against
/// what it was paid.
fn fit_words(model: &Model, agg: &Aggregate, r: usize) -> String {
    let book = &model.playbook;
    if !book.fitted {
        return "No playbook was fitted: every lever stays at its initial option.".into();
    }
    let fit = &book.fits[r];
    let trials = grouped(book.fit_trials as f64);
    let mut s = if model.roles[r].levers.is_empty() {
        format!("With no lever of its own, it expected {} target bonuses a period on the {trials} fitting trials", readable(fit.payout))
    } else {
        format!("Fitted on {trials} trials, the playbook was expected to pay {} target bonuses a period", readable(fit.payout))
    };
    if let Some((options, pay)) = &fit.best_constant {
        let levers = &model.roles[r].levers;
        let policy: Vec<String> = levers
            .iter()
            .zip(options)
            .map(|(&j, &o)| {
                let l = &model.levers[j];
                if l.approves.is_some() {
                    format!("{} {}", l.name, l.option_words(o))
                } else {
                    format!("{} {}", l.name, readable(l.options[o]))
                }
            })
            .collect();
        s += &format!(
            ", against {} for its best constant policy ({})",
            readable(*pay),
            policy.join(", ")
        );
    }
    let [_, paid, _, bias] = &agg.roles[r];
    s += &format!(
        ". It was paid {} on average: a projection bias (projection_bias) of {}.",
        readable(paid.moments.mean()),
        readable(bias.moments.mean())
    );
    if let Some(words) = certificate_words(model, r) {
        s += " ";
        s += &words;
    }
    s
}

/// A deviation's levers and rules in words: ("promo_depth", "promo_depth: always 0.1"), or for
/// two levers ("promo_depth + trade_loading", "promo_depth: ...; trade_loading: ...").
pub fn deviation_words(model: &Model, d: &Deviation) -> (String, String) {
    let levers: Vec<&str> = d
        .changes
        .iter()
        .map(|(j, _)| model.levers[*j].name.as_str())
        .collect();
    let rules: Vec<String> = d
        .changes
        .iter()
        .map(|(j, rule)| {
            let l = &model.levers[*j];
            format!("{}: {}", l.name, l.describe(rule))
        })
        .collect();
    (levers.join(" + "), rules.join("; "))
}

/// The certificate in a sentence: whether the role could gain by playing another rule of its
/// own family, and what.
fn certificate_words(model: &Model, r: usize) -> Option<String> {
    let cert = model.playbook.certificate.as_ref()?;
    let rc = &cert.roles[r];
    let d = rc.best.as_ref()?;
    let searched = grouped(rc.searched as f64);
    let [lo, hi] = d.ci95();
    let (_, rule) = deviation_words(model, d);
    Some(if d.beats_playbook() {
        format!(
            "Its playbook is not a best response: of {searched} other rules searched out of sample, playing {rule} would gain it {} (95% CI {} to {}) on {} fresh trials, so what this role does in the story is partly an artefact of the fit.",
            readable(d.gain),
            readable(lo),
            readable(hi),
            grouped(d.trials as f64)
        )
    } else {
        format!(
            "It plays a best response: of {searched} other rules searched out of sample, the best ({rule}) would change its utility by {} (95% CI {} to {}) on {} fresh trials, within two standard errors of nothing.",
            readable(d.gain),
            readable(lo),
            readable(hi),
            grouped(d.trials as f64)
        )
    })
}
