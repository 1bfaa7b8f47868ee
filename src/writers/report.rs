//! `report.html`: one self-contained page per run (inline SVG charts and CSS, no
//! scripts, nothing fetched), rendered from `templates/report.html` with minijinja.
//!
//! The page speaks in plain words and gives each identifier beside them ("on-shelf
//! availability (on_shelf_availability)"), so a reader can find the column in the CSV files.
//! It holds only what the inputs determine (no time, host or duration), so two identical
//! runs give byte-identical reports whatever the thread count.
//!
//! Each part of the page is worded in its own file: the scenario (`scenario`), each role
//! (`roles`), the findings (`findings`), the tables of metrics and roles (`tables`) and how to
//! reproduce the run (`reproduce`), all with one way of writing numbers and identifiers
//! (`words`). This file gathers them into the page and renders it. A comparison's report is
//! [`compare`].

use crate::error::{Error, Result};
use crate::scenario::format::Objective;
use crate::scenario::model::Model;
use crate::stats::metrics::Aggregate;
use crate::writers::charts::Chart;
use serde::Serialize;
use std::path::Path;

pub(crate) mod compare;

mod findings;
mod reproduce;
mod roles;
mod scenario;
mod tables;
mod words;

pub use reproduce::shell_line;
pub use roles::deviation_words;

use findings::findings;
use reproduce::Reproduce;
use roles::{role_views, RoleView};
use scenario::{scenario_view, ScenarioView};
use tables::{metric_rows, role_rows, MetricRow, RoleRow};
use words::named;

const TEMPLATE: &str = include_str!("../../templates/report.html");
/// The template's name, as the template engine and its errors know it.
const TEMPLATE_NAME: &str = "report.html";

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
    let html = render(model, agg, charts, seed, command).map_err(|e| Error::Template {
        path: path.clone(),
        name: TEMPLATE_NAME.into(),
        message: e.to_string(),
    })?;
    crate::writers::folder::write_file(&path, html.as_bytes())
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
        roles: role_views(model, agg),
        sample: agg.sample.len(),
        trials: agg.trials,
        findings: findings(model, agg),
        charts: charts.iter().map(ChartView::from).collect(),
        metrics: metric_rows(model, agg),
        role_rows: role_rows(model, agg),
        objectives: Objective::ALL.iter().map(|o| named(o.name())).collect(),
        reproduce: Reproduce {
            command: shell_line(command),
            seed,
            trials: agg.trials,
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    let mut env = minijinja::Environment::new();
    // The name ends in .html, so minijinja escapes every value unless marked `safe`.
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    env.get_template(TEMPLATE_NAME)?.render(&page)
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
    objectives: Vec<String>,
    reproduce: Reproduce,
}

#[derive(Serialize)]
struct ChartView {
    name: String,
    title: String,
    caption: String,
    svg: String,
}

impl From<&Chart> for ChartView {
    fn from(c: &Chart) -> Self {
        // Drop the XML prolog, if any: inline SVG in HTML starts at <svg.
        let start = c.svg.find("<svg").unwrap_or(0);
        ChartView {
            name: c.name.clone(),
            title: c.title.clone(),
            caption: c.caption.clone(),
            svg: c.svg[start..].to_string(),
        }
    }
}
