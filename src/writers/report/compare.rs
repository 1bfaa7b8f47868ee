//! `report.html` for a comparison: the arms in words, findings as sentences computed from the
//! paired differences, the forest plot, a table, and each arm's headline chart on the same
//! scales. Rendered from `templates/compare.html`; like a run's report it holds only what the
//! inputs determine.

use super::shell_line;
use super::words::named;
use crate::error::{Error, Result};
use crate::experiment::compare::{Arm, Row};
use crate::numbers::to_precision_of;
use crate::writers::amounts::{change, is_share, level};
use crate::writers::charts::compare::FOREST;
use crate::writers::charts::Chart;
use serde::Serialize;
use std::path::Path;

const TEMPLATE: &str = include_str!("../../../templates/compare.html");
/// The template's name, as the template engine and its errors know it.
const TEMPLATE_NAME: &str = "compare.html";

#[derive(Serialize)]
struct Page {
    base: String,
    version: &'static str,
    trials: u64,
    seed: u64,
    arms: Vec<ArmView>,
    answer: Vec<String>,
    ranked: Vec<RankRow>,
    findings: Vec<String>,
    forest: Option<String>,
    table: Vec<TableRow>,
    headlines: Vec<Headline>,
    command: String,
}

#[derive(Serialize)]
struct ArmView {
    label: String,
    words: String,
}

#[derive(Serialize)]
struct RankRow {
    arm: String,
    strategy: String,
    divergence: String,
    profit: String,
    stockouts: String,
}

#[derive(Serialize)]
struct TableRow {
    arm: String,
    metric: String,
    mean: String,
    ci: String,
    diff: String,
    diff_ci: String,
}

#[derive(Serialize)]
struct Headline {
    label: String,
    svg: String,
    caption: String,
}

/// What an arm is, in words: its scenario, and the overrides it adds to the first arm's.
fn arm_words(arm: &Arm, first: &Arm) -> String {
    let own: Vec<String> = arm
        .model
        .overrides
        .iter()
        .map(|o| o.arg.clone())
        .filter(|a| !first.model.overrides.iter().any(|f| &f.arg == a))
        .collect();
    let scenario = &arm.model.scenario.name;
    match (own.is_empty(), scenario == &first.model.scenario.name) {
        (true, true) => format!("the scenario {scenario} as written"),
        (true, false) => format!("the scenario {scenario}"),
        (false, _) => format!(
            "the scenario {scenario}, changed by --set {}",
            own.join("; --set ")
        ),
    }
}

/// A difference with its interval: "+2.5 points (95% interval +1.9 to +3.1)".
fn change_with_interval(r: &Row) -> String {
    let m = &r.metric;
    format!(
        "{} (95% interval {} to {})",
        change(m, r.diff, r.mean),
        change(m, r.diff_ci95[0], r.mean),
        change(m, r.diff_ci95[1], r.mean)
    )
}

fn row<'r>(rows: &'r [Row], arm: &str, metric: &str) -> Option<&'r Row> {
    rows.iter().find(|r| r.arm == arm && r.metric == metric)
}

/// The answer in three lines: which arm serves the strategy best, by how much; what it does to
/// profit, stockouts and the shelves; and what it costs whom (each role's payout).
fn answer(rows: &[Row], arms: &[Arm]) -> Vec<String> {
    let base = &arms[0].label;
    let on =
        |a: &Arm| row(rows, &a.label, "strategy_attainment").map_or(f64::NEG_INFINITY, |r| r.mean);
    let Some(best) = arms[1..].iter().max_by(|a, b| on(a).total_cmp(&on(b))) else {
        return Vec::new();
    };
    let Some(s) = row(rows, &best.label, "strategy_attainment") else {
        return Vec::new();
    };
    let clear = s.diff_ci95[0] > 0.0 || s.diff_ci95[1] < 0.0;
    let first = match (clear, s.diff > 0.0) {
        (true, true) => format!(
            "{} serves the strategy best: strategy attainment {}, {} against {base}.",
            best.label,
            level(&s.metric, s.mean, s.mean),
            change_with_interval(s)
        ),
        (true, false) => format!(
            "No arm serves the strategy better than {base}: the best of the others, {}, changes its attainment by {}.",
            best.label,
            change_with_interval(s)
        ),
        (false, _) => format!(
            "No arm clearly changes how well the strategy is served: the best of the others, {}, changes its attainment by {} against {base}.",
            best.label,
            change_with_interval(s)
        ),
    };
    let effects: Vec<String> = ["profit", "stockout_store_weeks", "on_shelf_availability"]
        .iter()
        .filter_map(|m| row(rows, &best.label, m))
        .map(|r| format!("{} {}", named(&r.metric), change_with_interval(r)))
        .collect();
    let second = format!("Against {base}, {}: {}.", best.label, effects.join("; "));
    let costs: Vec<String> = rows
        .iter()
        .filter(|r| r.arm == best.label && r.metric.ends_with("_payout"))
        .map(|r| {
            let role = r.metric.trim_end_matches("_payout");
            format!(
                "{role} {} of a target bonus ({} to {})",
                crate::numbers::signed_to_precision_of(r.diff, 1.0),
                crate::numbers::signed_to_precision_of(r.diff_ci95[0], 1.0),
                crate::numbers::signed_to_precision_of(r.diff_ci95[1], 1.0)
            )
        })
        .collect();
    let third = if costs.is_empty() {
        String::new()
    } else {
        format!(
            "What it costs whom, each role's bonus a period against {base}: {}.",
            costs.join("; ")
        )
    };
    [first, second, third]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect()
}

/// The arms ranked on the strategy's attainment, best first, with profit and stockouts beside.
fn ranked(rows: &[Row], arms: &[Arm]) -> Vec<RankRow> {
    let mut out: Vec<(f64, RankRow)> = arms
        .iter()
        .filter_map(|a| {
            let s = row(rows, &a.label, "strategy_attainment")?;
            let cell = |m: &str| {
                row(rows, &a.label, m).map_or(String::new(), |r| {
                    let mut t = level(m, r.mean, r.mean);
                    if a.label != arms[0].label {
                        t.push_str(&format!(" ({})", change(m, r.diff, r.mean)));
                    }
                    t
                })
            };
            Some((
                s.mean,
                RankRow {
                    arm: a.label.clone(),
                    strategy: cell("strategy_attainment"),
                    divergence: cell("coordinated_divergence"),
                    profit: cell("profit"),
                    stockouts: cell("stockout_store_weeks"),
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.into_iter().map(|(_, r)| r).collect()
}

/// One sentence per arm and headline metric, from the paired difference and its interval.
fn findings(rows: &[Row], arms: &[Arm]) -> Vec<String> {
    let base = &arms[0].label;
    let mut out = Vec::new();
    for arm in &arms[1..] {
        for (metric, _, more_is_better) in FOREST {
            let Some(r) = rows
                .iter()
                .find(|r| r.arm == arm.label && r.metric == metric)
            else {
                continue;
            };
            let whole = r.mean;
            let words = named(metric);
            let [lo, hi] = r.diff_ci95;
            let sentence = if lo > 0.0 || hi < 0.0 {
                let (dir, a, b) = if r.diff > 0.0 {
                    ("higher", lo, hi)
                } else {
                    ("lower", -hi, -lo)
                };
                let better = (r.diff > 0.0) == more_is_better;
                let size = |v: f64| match is_share(metric) {
                    true => format!("{:.1} points", 100.0 * v),
                    false => to_precision_of(v, whole),
                };
                format!(
                    "{}: {words} {dir} by {} a trial than in {base} (95% interval {} to {}): {}.",
                    arm.label,
                    size(r.diff.abs()),
                    size(a),
                    size(b),
                    if better { "better" } else { "worse" }
                )
            } else {
                format!(
                    "{}: no clear change in {words} against {base} (paired difference {}, 95% interval {} to {}).",
                    arm.label,
                    change(metric, r.diff, whole),
                    change(metric, lo, whole),
                    change(metric, hi, whole)
                )
            };
            out.push(sentence);
        }
    }
    out
}

/// Writes `dir/report.html` for a comparison.
pub fn write_compare_report(
    arms: &[Arm],
    rows: &[Row],
    forest: Option<String>,
    headlines: &[Chart],
    seed: u64,
    command: &[String],
    dir: &Path,
) -> Result<()> {
    let table = rows
        .iter()
        .filter(|r| FOREST.iter().any(|(m, ..)| *m == r.metric))
        .map(|r| {
            let whole = r.mean;
            let m = &r.metric;
            TableRow {
                arm: r.arm.clone(),
                metric: named(m),
                mean: level(m, r.mean, whole),
                ci: format!(
                    "{} to {}",
                    level(m, r.ci95[0], whole),
                    level(m, r.ci95[1], whole)
                ),
                diff: change(m, r.diff, whole),
                diff_ci: format!(
                    "{} to {}",
                    change(m, r.diff_ci95[0], whole),
                    change(m, r.diff_ci95[1], whole)
                ),
            }
        })
        .collect();
    let page = Page {
        base: arms[0].label.clone(),
        version: env!("CARGO_PKG_VERSION"),
        trials: rows.first().map_or(0, |r| r.trials),
        seed,
        arms: arms
            .iter()
            .map(|a| ArmView {
                label: a.label.clone(),
                words: arm_words(a, &arms[0]),
            })
            .collect(),
        answer: answer(rows, arms),
        ranked: ranked(rows, arms),
        findings: findings(rows, arms),
        forest,
        table,
        headlines: arms
            .iter()
            .zip(headlines)
            .map(|(a, c)| Headline {
                label: a.label.clone(),
                svg: c.svg.clone(),
                caption: c.caption.clone(),
            })
            .collect(),
        command: shell_line(command),
    };
    let path = dir.join("report.html");
    let render = || -> std::result::Result<String, minijinja::Error> {
        let mut env = minijinja::Environment::new();
        env.add_template(TEMPLATE_NAME, TEMPLATE)?;
        env.get_template(TEMPLATE_NAME)?.render(&page)
    };
    let html = render().map_err(|e| Error::Template {
        path: path.clone(),
        name: TEMPLATE_NAME.into(),
        message: e.to_string(),
    })?;
    crate::writers::folder::write_file(&path, html.as_bytes())
}
