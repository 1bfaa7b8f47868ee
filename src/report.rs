//! `report.html`: one self-contained page per run (inline SVG charts and CSS, no
//! scripts, nothing fetched), rendered from `templates/report.html` with minijinja.
//!
//! The page holds only what the inputs determine (no time, host or duration), so two
//! identical runs give byte-identical reports whatever the thread count.

use crate::charts::{claims_while_missed, grouped, Chart};
use crate::error::{Error, Result};
use crate::metrics::{metric, series_names, Aggregate, Stat, GLOBAL_METRICS};
use crate::model::Model;
use crate::scenario::{Objective, Role, RoleMetric};
use serde::Serialize;
use std::path::Path;

const TEMPLATE: &str = include_str!("../templates/report.html");

/// Writes `dir/report.html`.
pub fn write_report(
    model: &Model,
    agg: &Aggregate,
    charts: &[Chart],
    seed: u64,
    command: &[String],
    dir: &Path,
) -> Result<()> {
    let path = dir.join("report.html");
    let html = render(model, agg, charts, seed, command).map_err(|e| Error::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    crate::output::write_file(&path, html.as_bytes())
}

/// The report's HTML text.
pub fn render(
    model: &Model,
    agg: &Aggregate,
    charts: &[Chart],
    seed: u64,
    command: &[String],
) -> std::result::Result<String, minijinja::Error> {
    let page = Page {
        scenario: scenario_view(model),
        roles: role_views(model),
        sample: agg.sample.len(),
        trials: agg.trials,
        findings: findings(model, agg),
        charts: charts.iter().map(ChartView::from).collect(),
        metrics: metric_rows(agg),
        role_rows: role_rows(model, agg),
        reproduce: Reproduce {
            command: shell_line(command),
            seed,
            trials: agg.trials,
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    let mut env = minijinja::Environment::new();
    // The name ends in .html, so minijinja escapes every value unless marked `safe`.
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(&page)
}

#[derive(Serialize)]
struct Page {
    scenario: ScenarioView,
    roles: Vec<RoleView>,
    sample: usize,
    trials: u64,
    findings: Vec<String>,
    charts: Vec<ChartView>,
    metrics: Vec<MetricRow>,
    role_rows: Vec<RoleRow>,
    reproduce: Reproduce,
}

#[derive(Serialize)]
struct ScenarioView {
    name: String,
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
}

#[derive(Serialize)]
struct RoleView {
    name: String,
    description: String,
    scorecard: Vec<String>,
    payout: String,
    levers: Vec<String>,
}

#[derive(Serialize)]
struct ChartView {
    name: String,
    title: String,
    svg: String,
}

impl From<&Chart> for ChartView {
    fn from(c: &Chart) -> Self {
        // Drop the XML prolog, if any: inline SVG in HTML starts at <svg.
        let start = c.svg.find("<svg").unwrap_or(0);
        ChartView {
            name: c.name.clone(),
            title: c.title.clone(),
            svg: c.svg[start..].to_string(),
        }
    }
}

#[derive(Serialize)]
struct MetricRow {
    name: &'static str,
    mean: String,
    ci: String,
    p10: String,
    p50: String,
    p90: String,
}

#[derive(Serialize)]
struct RoleRow {
    name: String,
    attainment: String,
    attainment_ci: String,
    payout: String,
    claims: String,
    claims_missed: String,
    reading: Vec<String>,
}

#[derive(Serialize)]
struct Reproduce {
    command: String,
    seed: u64,
    trials: u64,
    version: &'static str,
}

/// A number for tables and sentences, formatted the same on every machine: `72,725`,
/// `58.2`, `0.994`, `0.1`.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        return grouped(v);
    }
    let s = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

// ---------------------------------------------------------------- the scenario in words

fn scenario_view(model: &Model) -> ScenarioView {
    let s = &model.scenario;
    let st = &s.strategy;
    let objectives = Objective::ALL
        .iter()
        .zip(model.weights)
        .filter(|(_, w)| *w > 0.0)
        .map(|(o, w)| format!("{} ({})", o.name(), pct(w)))
        .collect();
    let priority = if st.priority.is_empty() {
        "none stated".to_string()
    } else {
        let names: Vec<&str> = st.priority.iter().map(|o| o.name()).collect();
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
        name: s.name.clone(),
        description: s.description.clone(),
        statement: st.statement.clone(),
        objectives,
        priority,
        ambiguity: st.ambiguity,
        targets: model.targets.iter().map(target_words).collect(),
        claimants: claimant_words(model),
        exclusions,
        world: world_words(model),
        org: org_words(model),
    }
}

fn list_nums(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|x| fmt_num(*x)).collect();
    parts.join(", ")
}

fn target_words(t: &crate::model::TargetSpec) -> String {
    let name = GLOBAL_METRICS[t.metric];
    match (t.at_least, t.at_most) {
        (Some(lo), Some(hi)) => format!("{name} from {} to {}", fmt_num(lo), fmt_num(hi)),
        (Some(lo), None) => format!("{name} at least {}", fmt_num(lo)),
        (None, Some(hi)) => format!("{name} at most {}", fmt_num(hi)),
        (None, None) => name.to_string(),
    }
}

/// "sales", "both sales and procurement", "all 5 roles", "each of a, b and c".
fn claimant_words(model: &Model) -> String {
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
        Some((w, _)) => format!("{} of every bonus is paid on a shared scorecard", pct(*w)),
        None => "no shared bonus".into(),
    };
    let cost = if model.defection_cost > 0.0 {
        format!("a cost of defection of {}", fmt_num(model.defection_cost))
    } else {
        "no cost of defection".into()
    };
    format!("{shared}; {cost}.")
}

fn role_views(model: &Model) -> Vec<RoleView> {
    model
        .scenario
        .roles
        .iter()
        .zip(&model.roles)
        .map(|(raw, spec)| RoleView {
            name: raw.name.clone(),
            description: raw.description.clone(),
            scorecard: scorecard_lines(raw, spec),
            payout: format!(
                "pays from {} of target (half the bonus) up to a cap at {}",
                pct(spec.card.threshold),
                pct(spec.card.cap)
            ),
            levers: raw
                .levers
                .iter()
                .map(|l| format!("{}: options {}", l.name, list_nums(&l.options)))
                .collect(),
        })
        .collect()
}

fn scorecard_lines(raw: &Role, spec: &crate::model::RoleSpec) -> Vec<String> {
    raw.scorecard
        .components
        .iter()
        .zip(&spec.card.components)
        .map(|(c, compiled)| {
            let metric = serde_json::to_value(c.metric)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let at = c
                .stock_point
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            // Turns are annual; cover, reach and fill rate are averages; the rest are period sums.
            let unit = match c.metric {
                RoleMetric::InventoryTurns => "a year",
                RoleMetric::WeeksOfCover => "weeks on average",
                RoleMetric::Reach | RoleMetric::FillRate | RoleMetric::OnShelfAvailability => {
                    "on average"
                }
                _ => "per period",
            };
            // A plan-relative target shows what it resolved to, and what it was relative to.
            let target = match compiled.plan {
                Some(f) => format!("{} ({} of plan)", fmt_num(compiled.target), pct(f)),
                None => fmt_num(compiled.target),
            };
            format!(
                "{metric}{at}: target {target} {unit}, weight {}",
                pct(compiled.weight)
            )
        })
        .collect()
}

// ---------------------------------------------------------------- findings

fn findings(model: &Model, agg: &Aggregate) -> Vec<String> {
    let mut out = vec![divergence(model, agg), strategy(model, agg)];
    out.extend(claims_and_shelves(model, agg));
    out.extend(hockey_stick(model, agg));
    out.push(shelves(model, agg));
    out.extend(readings(model, agg));
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn mean_of(agg: &Aggregate, name: &str) -> f64 {
    agg.metrics[metric(name)].moments.mean()
}

fn divergence(model: &Model, agg: &Aggregate) -> String {
    format!(
        "Coordinated divergence: in {} of trials {} claimed success while the organisation missed its strategy.",
        pct(mean_of(agg, "coordinated_divergence")),
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
            format!("{} in {}", target_words(t), pct(ok.count() as f64 / n))
        })
        .collect();
    let all = pct(mean_of(agg, "strategy_met"));
    if parts.is_empty() {
        return format!("The strategy sets no targets, so it counts as met in {all} of trials.");
    }
    format!(
        "The strategy was met in {all} of trials. Target by target: {}.",
        parts.join("; ")
    )
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
            let shelves = |ts: &[&crate::metrics::TrialResult]| {
                avg(&ts.iter().map(|t| t.metrics[so]).collect::<Vec<_>>())
            };
            let share = won.len() as f64 / agg.sample.len().max(1) as f64;
            let mut s = format!(
                "In {} of trials {} met its target (attainment of 1 or more)",
                pct(share),
                model.roles[r].name
            );
            if !won.is_empty() {
                s += &format!(
                    " while shelves were empty in {} store-weeks on average",
                    fmt_num(shelves(&won))
                );
            }
            if !lost.is_empty() && !won.is_empty() {
                s += &format!(
                    ", against {} in the trials where it missed",
                    fmt_num(shelves(&lost))
                );
            }
            s + "."
        })
        .collect()
}

/// Mean promotion depth in the last week of a period against the other weeks.
fn hockey_stick(model: &Model, agg: &Aggregate) -> Option<String> {
    let s = series_names(model)
        .iter()
        .position(|n| n == "promo_depth")?;
    let p = model.period;
    if model.promo_lever.is_none() || p < 2 || model.horizon < p {
        return None;
    }
    let (mut end, mut other) = (Vec::new(), Vec::new());
    for t in 0..model.horizon {
        let v = agg.series_at(s, t).moments.mean();
        if t % p == p - 1 {
            end.push(v)
        } else {
            other.push(v)
        }
    }
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (e, o) = (avg(&end), avg(&other));
    let verdict = if e > 1.2 * o {
        "Promotions bunch at period ends"
    } else {
        "Promotions do not bunch at period ends"
    };
    Some(format!(
        "{verdict}: the mean promotion depth in the last week of a period was {:.1}%, against {:.1}% in the other weeks.",
        100.0 * e,
        100.0 * o
    ))
}

fn shelves(model: &Model, agg: &Aggregate) -> String {
    let so = mean_of(agg, "stockout_store_weeks");
    let store_weeks = (model.stores * model.horizon).max(1) as f64;
    let wrote_off = agg.metrics[metric("write_off_units")].sketch.quantile(0.5);
    let share_wo = agg
        .sample
        .iter()
        .filter(|t| t.metrics[metric("write_off_units")] > 0.0)
        .count() as f64
        / agg.sample.len().max(1) as f64;
    format!(
        "Shelves were empty in {} store-weeks per trial on average ({:.1}% of all store-weeks), losing {} units of demand (fill rate {:.1}%). Stock was written off in {} of trials (median {} units, mean {}).",
        fmt_num(so),
        100.0 * so / store_weeks,
        fmt_num(mean_of(agg, "lost_sales_units")),
        100.0 * mean_of(agg, "fill_rate"),
        pct(share_wo),
        fmt_num(wrote_off),
        fmt_num(mean_of(agg, "write_off_units")),
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
        "Readings diverge: {} reads a weight of {} on {} into the strategy, which states {} (interpretation spread {}).",
        model.roles[r].name,
        pct(agg.interpretations[r][k].moments.mean()),
        Objective::ALL[k].name(),
        pct(model.weights[k]),
        fmt_num(mean_of(agg, "interpretation_spread")),
    ))
}

// ---------------------------------------------------------------- tables

fn metric_rows(agg: &Aggregate) -> Vec<MetricRow> {
    GLOBAL_METRICS
        .iter()
        .zip(&agg.metrics)
        .map(|(name, st)| {
            let ci = st.ci95();
            let q = |p| fmt_num(st.sketch.quantile(p));
            MetricRow {
                name,
                mean: fmt_num(st.moments.mean()),
                ci: format!("{} to {}", fmt_num(ci[0]), fmt_num(ci[1])),
                p10: q(0.1),
                p50: q(0.5),
                p90: q(0.9),
            }
        })
        .collect()
}

fn role_rows(model: &Model, agg: &Aggregate) -> Vec<RoleRow> {
    let ci = |s: &Stat| {
        let c = s.ci95();
        format!("{} to {}", fmt_num(c[0]), fmt_num(c[1]))
    };
    model
        .roles
        .iter()
        .enumerate()
        .map(|(r, role)| {
            let [a, p, c, _] = &agg.roles[r];
            RoleRow {
                name: role.name.clone(),
                attainment: fmt_num(a.moments.mean()),
                attainment_ci: ci(a),
                payout: fmt_num(p.moments.mean()),
                claims: pct(c.moments.mean()),
                claims_missed: pct(claims_while_missed(agg, r)),
                reading: agg.interpretations[r]
                    .iter()
                    .map(|s| pct(s.moments.mean()))
                    .collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- reproduce

/// The command as one shell line: the program named `orgsim` (not the path it ran from) and
/// `--threads` left out, since neither changes a result and both would make the report differ.
pub fn shell_line(command: &[String]) -> String {
    let mut words = vec!["orgsim".to_string()];
    let mut skip = false;
    for a in command.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a == "--threads" {
            skip = true;
            continue;
        }
        if a.starts_with("--threads=") {
            continue;
        }
        words.push(quote(a));
    }
    words.join(" ")
}

fn quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_portable() {
        let cmd: Vec<String> = [
            "/tmp/x/orgsim",
            "run",
            "--threads",
            "8",
            "--set",
            "strategy.statement=it's fine",
            "--threads=2",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            shell_line(&cmd),
            "orgsim run --set 'strategy.statement=it'\\''s fine'"
        );
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(fmt_num(72725.4), "72,725");
        assert_eq!(fmt_num(0.9944), "0.994");
        assert_eq!(fmt_num(19.28), "19.3");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(-0.0001), "0");
    }
}
