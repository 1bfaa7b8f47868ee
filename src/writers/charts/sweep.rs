//! A sweep's charts: for one numeric varied value, the headline metrics as lines with their 95%
//! bands; for two, heat maps of coordinated divergence and of the divergence gap over the grid.
//! Written as PNG and SVG like a run's charts, with the embedded font; other sweeps get none.

use super::style::{text, BLUE, GREY, INK, NOTE_PX, TICK_PX, TITLE_PX, VERMILION};
use super::{write_figure, Figure};
use crate::error::Result;
use crate::experiment::sweep::{Point, Vary};
use crate::stats::metrics::Stat;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

const HEIGHT: u32 = super::HEIGHT;

/// The metrics drawn against one varied value, with their axis words.
const LINES: [(&str, &str); 4] = [
    (
        "coordinated_divergence",
        "coordinated divergence (share of trials)",
    ),
    ("divergence_gap", "divergence gap"),
    ("profit", "profit"),
    ("on_shelf_availability", "on-shelf availability"),
];

/// The metrics drawn as heat maps over two varied values.
const HEATS: [(&str, &str); 2] = [
    ("coordinated_divergence", "coordinated divergence"),
    ("divergence_gap", "divergence gap"),
];

fn number(text: &str) -> Option<f64> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Number(n)) => n.as_f64(),
        _ => None,
    }
}

/// A tick label without a needless ".0": 24300, 0.25, 1.
fn tick(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn stat<'a>(p: &'a Point, name: &str) -> Option<&'a Stat> {
    p.metrics.iter().find(|(n, _)| n == name).map(|(_, s)| s)
}

/// Draws the charts that apply into `dir/charts/`; returns their file stems.
pub fn write(scenario: &str, varies: &[Vary], points: &[Point], dir: &Path) -> Result<Vec<String>> {
    let numeric = varies
        .iter()
        .all(|v| v.values.iter().all(|x| number(x).is_some()));
    let which = match (varies.len(), numeric) {
        (1, true) if varies[0].values.len() > 1 => "sweep_lines",
        (2, true) => "sweep_heatmap",
        _ => return Ok(Vec::new()),
    };
    write_figure(dir, which, &Sweep(which, scenario, varies, points))?;
    Ok(vec![which.to_string()])
}

struct Sweep<'a>(&'a str, &'a str, &'a [Vary], &'a [Point]);

impl Figure for Sweep<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        draw(root, self.0, self.1, self.2, self.3)
    }
}

fn lines<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    vary: &Vary,
    points: &[Point],
) -> std::result::Result<(), String> {
    let xs: Vec<f64> = vary.values.iter().filter_map(|x| number(x)).collect();
    let (x0, x1) = (
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let panels = body.split_evenly((2, 2));
    for (panel, (name, words)) in panels.iter().zip(LINES) {
        let rows: Vec<(f64, f64, [f64; 2])> = xs
            .iter()
            .zip(points)
            .filter_map(|(&x, p)| stat(p, name).map(|s| (x, s.moments.mean(), s.ci95())))
            .collect();
        let lo = rows.iter().map(|r| r.2[0]).fold(f64::INFINITY, f64::min);
        let hi = rows
            .iter()
            .map(|r| r.2[1])
            .fold(f64::NEG_INFINITY, f64::max);
        let pad = ((hi - lo) * 0.08).max(1e-9 + hi.abs() * 1e-6);
        let (y0, y1) = (lo - pad, hi + pad);
        let mut chart = ChartBuilder::on(panel)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(86)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc(vary.path.as_str())
            .y_desc(words)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .label_style(text(TICK_PX))
            .axis_desc_style(text(TICK_PX))
            .draw()
            .map_err(|e| e.to_string())?;
        let band: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| (r.0, r.2[1]))
            .chain(rows.iter().rev().map(|r| (r.0, r.2[0])))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.18).filled())))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.0, r.1)),
                BLUE.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                rows.iter()
                    .map(|r| Circle::new((r.0, r.1), 4, BLUE.filled())),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Two heat maps side by side (one per metric of `HEATS`) over the two varied numbers, each
/// cell shaded by the metric's mean and labelled with it, a note in words under each.
///
/// Long because it is one figure's drawing calls in the order they paint (the note, the axes,
/// the cells and their labels); apart, each piece would need the whole layout passed to it.
fn heatmaps<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    varies: &[Vary],
    points: &[Point],
) -> std::result::Result<(), String> {
    let (nx, ny) = (varies[0].values.len(), varies[1].values.len());
    let halves = body.split_evenly((1, 2));
    for (half, (name, words)) in halves.iter().zip(HEATS) {
        let values: Vec<f64> = points
            .iter()
            .map(|p| stat(p, name).map_or(f64::NAN, |s| s.moments.mean()))
            .collect();
        let hi = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let lo = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        let (area, label) = half.split_vertically(HEIGHT as i32 - 84 - 40);
        label
            .draw_text(words, &text(NOTE_PX), (90, 6))
            .map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&area)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(|e| e.to_string())?;
        let xl = |v: &f64| {
            let i = v.floor() as usize;
            if (v - v.floor() - 0.5).abs() < 1e-9 && i < nx {
                varies[0].values[i].clone()
            } else {
                String::new()
            }
        };
        let yl = |v: &f64| {
            let i = v.floor() as usize;
            if (v - v.floor() - 0.5).abs() < 1e-9 && i < ny {
                varies[1].values[i].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx.min(12) * 2 + 1)
            .y_labels(ny.min(12) * 2 + 1)
            .x_label_formatter(&xl)
            .y_label_formatter(&yl)
            .x_desc(varies[0].path.as_str())
            .y_desc(varies[1].path.as_str())
            .label_style(text(TICK_PX))
            .axis_desc_style(text(TICK_PX))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, &v) in values.iter().enumerate() {
            let (i, j) = (k / ny, k % ny);
            let share = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
            let colour = if v.is_finite() {
                VERMILION.mix(0.1 + 0.85 * share)
            } else {
                GREY.mix(0.2)
            };
            let (x, y) = (i as f64, j as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    colour.filled(),
                )))
                .map_err(|e| e.to_string())?;
            if nx * ny <= 64 {
                let style = text(TICK_PX)
                    .color(&INK)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{v:.2}"),
                        (x + 0.5, y + 0.5),
                        style,
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    which: &str,
    scenario: &str,
    varies: &[Vary],
    points: &[Point],
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = match which {
        "sweep_lines" => format!("{scenario}: the outcome as {} moves", varies[0].path),
        _ => format!("{scenario}: over {} and {}", varies[0].path, varies[1].path),
    };
    let (top, body) = root.split_vertically(84);
    top.draw_text(&title, &text(TITLE_PX), (24, 12))
        .map_err(|e| e.to_string())?;
    let note = format!(
        "{} trials at every point, the same trials (common random numbers).{}",
        points.first().map_or(0, |p| p.trials),
        if which == "sweep_lines" {
            " Lines: means; bands: 95% intervals."
        } else {
            " Each cell: the mean."
        }
    );
    top.draw_text(&note, &text(NOTE_PX).color(&GREY), (24, 54))
        .map_err(|e| e.to_string())?;
    if which == "sweep_lines" {
        lines(&body, &varies[0], points)
    } else {
        heatmaps(&body, varies, points)
    }
}
