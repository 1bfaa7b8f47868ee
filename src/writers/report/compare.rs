//! `report.html` for a comparison: the arms in words, findings as sentences computed from the
//! paired differences, the forest plot, a table, and each arm's headline chart on the same
//! scales. Rendered from `templates/compare.html`; like a run's report it holds only what the
//! inputs determine.

use super::shell_line;
use super::words::named;
use crate::error::{Error, Result};
use crate::experiment::compare::{Arm, Row};
use crate::numbers::to_precision_of;
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
                format!(
                    "{}: {words} {dir} by {} a trial than in {base} (95% interval {} to {}): {}.",
                    arm.label,
                    to_precision_of(r.diff.abs(), whole),
                    to_precision_of(a, whole),
                    to_precision_of(b, whole),
                    if better { "better" } else { "worse" }
                )
            } else {
                format!(
                    "{}: no clear change in {words} against {base} (paired difference {}, 95% interval {} to {}).",
                    arm.label,
                    to_precision_of(r.diff, whole),
                    to_precision_of(lo, whole),
                    to_precision_of(hi, whole)
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
            TableRow {
                arm: r.arm.clone(),
                metric: named(&r.metric),
                mean: to_precision_of(r.mean, whole),
                ci: format!(
                    "{} to {}",
                    to_precision_of(r.ci95[0], whole),
                    to_precision_of(r.ci95[1], whole)
                ),
                diff: to_precision_of(r.diff, whole),
                diff_ci: format!(
                    "{} to {}",
                    to_precision_of(r.diff_ci95[0], whole),
                    to_precision_of(r.diff_ci95[1], whole)
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
