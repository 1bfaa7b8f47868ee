//! A comparison's forest plot: for each headline metric, each arm's paired difference to the
//! first arm, with its 95% interval and the line of no difference. Each metric has its own
//! strip and scale (profit and a rate share no axis); the numbers are written beside the bars.

use super::style::{text, XyChart, BLUE, GREY, INK, NOTE_PX, TICK_PX, TITLE_PX, VERMILION};
use super::{write_figure, Figure};
use crate::error::Result;
use crate::experiment::compare::Row;
use crate::writers::amounts::{change, is_share};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

const WIDTH: u32 = super::WIDTH;

/// The metrics of the forest plot, with their words and whether more is better.
pub const FOREST: [(&str, &str, bool); 6] = [
    ("profit", "profit", true),
    ("on_shelf_availability", "on-shelf availability", true),
    ("stockout_store_weeks", "stockout store-weeks", false),
    ("write_off_units", "write-off units", false),
    ("coordinated_divergence", "coordinated divergence", false),
    ("divergence_gap", "divergence gap", false),
];

/// Draws `dir/charts/compare_differences.{svg,png}` for an organisation's comparison ([`FOREST`]'s
/// metrics); returns the SVG text.
pub fn write_forest(rows: &[Row], arms: &[String], dir: &Path) -> Result<String> {
    write_forest_of(rows, arms, &FOREST, dir)
}

/// The metrics a network comparison's forest plot draws: the chain's cost, the strategy,
/// divergence, and each stock point's order swing (`points`, the stock points' names).
pub fn network_forest(points: &[&str]) -> Vec<(String, String, bool)> {
    let mut m: Vec<(String, String, bool)> = [
        ("total_cost", "the chain's total cost", false),
        ("strategy_attainment", "strategy attainment", true),
        ("coordinated_divergence", "coordinated divergence", false),
        ("divergence_gap", "divergence gap", false),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
    .collect();
    m.extend(
        points
            .iter()
            .map(|p| (format!("amp_{p}"), format!("{p}'s order swing"), false)),
    );
    m
}

/// Draws `dir/charts/compare_differences.{svg,png}` with one strip per metric of `metrics`
/// (name, words, whether more is better); returns the SVG text.
pub fn write_forest_of<M: AsRef<str>>(
    rows: &[Row],
    arms: &[String],
    metrics: &[(M, M, bool)],
    dir: &Path,
) -> Result<String> {
    let metrics: Vec<(&str, &str, bool)> = metrics
        .iter()
        .map(|(m, w, b)| (m.as_ref(), w.as_ref(), *b))
        .collect();
    write_figure(dir, "compare_differences", &Forest(rows, arms, &metrics))
}

struct Forest<'a>(&'a [Row], &'a [String], &'a [(&'a str, &'a str, bool)]);

impl Figure for Forest<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        draw(root, self.0, self.1, self.2)
    }
}

fn row<'a>(rows: &'a [Row], arm: &str, metric: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r.arm == arm && r.metric == metric)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[Row],
    arms: &[String],
    metrics: &[(&str, &str, bool)],
) -> std::result::Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (top, body) = root.split_vertically(84);
    let title = format!("What changes against {}, trial by trial", arms[0]);
    top.draw_text(&title, &text(TITLE_PX), (24, 12))
        .map_err(e)?;
    let trials = rows.first().map_or(0, |r| r.trials);
    let note = format!(
        "Paired differences on {trials} common trials: dot, the mean; bar, its 95% interval; grey line, no difference. Blue: better, vermilion: worse."
    );
    top.draw_text(&note, &text(NOTE_PX).color(&GREY), (24, 54))
        .map_err(e)?;
    let strips = body.split_evenly((metrics.len(), 1));
    for (strip, spec) in strips.iter().zip(metrics) {
        metric_strip(strip, rows, arms, *spec)?;
    }
    Ok(())
}

/// One metric's strip: its words on the left, a bar for each arm against the first across the
/// middle, the numbers on the right. Empty but for the words when no arm has the metric.
fn metric_strip<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    rows: &[Row],
    arms: &[String],
    (metric, words, more_is_better): (&str, &str, bool),
) -> std::result::Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let others = &arms[1..];
    // The metric's words on a line of their own, so that no arm's label runs into them.
    let (head, strip) = strip.split_vertically(24);
    head.draw_text(words, &text(TICK_PX + 1.0), (24, 4))
        .map_err(e)?;
    let (label, plot) = strip.split_horizontally(320);
    let (plot, numbers) = plot.split_horizontally(WIDTH as i32 - 320 - 250);
    let found: Vec<&Row> = others.iter().filter_map(|a| row(rows, a, metric)).collect();
    if found.is_empty() {
        return Ok(());
    }
    let size = row(rows, &arms[0], metric).map_or(0.0, |r| r.mean);
    let lo = found.iter().map(|r| r.diff_ci95[0]).fold(0.0, f64::min);
    let hi = found.iter().map(|r| r.diff_ci95[1]).fold(0.0, f64::max);
    // No arm moves it at all (every difference 0): an axis a little either side of 0.
    let pad = match hi - lo > 1e-12 {
        true => (hi - lo) * 0.1,
        false => size.abs().max(1.0) * 0.05,
    };
    let n = others.len() as f64;
    let mut chart = strip_axes(&plot, (lo - pad)..(hi + pad), n, size, metric)?;
    for (k, arm) in others.iter().enumerate() {
        let Some(r) = row(rows, arm, metric) else {
            continue;
        };
        let y = n - k as f64 - 0.5;
        let better = (r.diff > 0.0) == more_is_better;
        let clear = r.diff_ci95[0] > 0.0 || r.diff_ci95[1] < 0.0;
        let colour = match (clear, better) {
            (false, _) => GREY,
            (true, true) => BLUE,
            (true, false) => VERMILION,
        };
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(r.diff_ci95[0], y), (r.diff_ci95[1], y)],
                colour.stroke_width(4),
            )))
            .map_err(|x| x.to_string())?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (r.diff, y),
                6,
                colour.filled(),
            )))
            .map_err(|x| x.to_string())?;
        // The bar's row, in pixels of the strip: the plot's range 0..n spans its height less
        // the axis area.
        let (_, h) = numbers.dim_in_pixel();
        let y_px = ((h as f64 - 30.0) * (k as f64 + 0.5) / n) as i32 - 4;
        // Short enough for the column: a share's in points, the unit said once.
        let (d, lo, hi) = (r.diff, r.diff_ci95[0], r.diff_ci95[1]);
        let line = match is_share(metric) {
            true => {
                let pt = |v: f64| change(metric, v, size).replace(" points", "");
                format!("{} pt [{}, {}]", pt(d), pt(lo), pt(hi))
            }
            false => format!(
                "{} [{}, {}]",
                change(metric, d, size),
                change(metric, lo, size),
                change(metric, hi, size)
            ),
        };
        numbers
            .draw_text(&line, &text(TICK_PX - 2.0).color(&INK), (8, y_px))
            .map_err(e)?;
        label
            .draw_text(
                &arm_label(arm),
                &text(TICK_PX - 3.0).color(&GREY),
                (40, y_px + 4),
            )
            .map_err(e)?;
    }
    Ok(())
}

/// A strip's axes: the differences across (`x`), one row for each of the `n` other arms, and
/// the grey line of no difference.
fn strip_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    n: f64,
    size: f64,
    metric: &str,
) -> std::result::Result<XyChart<'a, DB>, String> {
    // A share's axis in percentage points, as its numbers are written; no signed zero.
    let tick = |v: &f64| change(metric, *v, size).replace(" points", " pt");
    let mut chart = ChartBuilder::on(plot)
        .margin_top(4)
        .margin_bottom(4)
        .x_label_area_size(22)
        .build_cartesian_2d(x, 0.0..n)
        .map_err(|x| x.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(5)
        .x_label_formatter(&tick)
        .label_style(text(TICK_PX - 3.0))
        .light_line_style(WHITE)
        .draw()
        .map_err(|x| x.to_string())?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            [(0.0, 0.0), (0.0, n)],
            GREY.stroke_width(2),
        )))
        .map_err(|x| x.to_string())?;
    Ok(chart)
}

/// An arm's label cut to fit beside the strip.
fn arm_label(arm: &str) -> String {
    match arm.char_indices().nth(34) {
        Some((i, _)) => format!("{}…", &arm[..i]),
        None => arm.to_string(),
    }
}
