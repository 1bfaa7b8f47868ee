//! The workshop's debrief chart: the room's teams, one line each, drawn over the bands of
//! thousands of simulated plays of the same scenario and seed family, on the headline chart's
//! three panels (promotion depth, weeks of cover where the shelves are, stores out of stock).
//! Where a team's line leaves the band, the room played differently from the model's roles.

use super::style::{header, legend, Mark, GREY, INK, ORANGE, SERIES, STOCKOUT};
use super::weeks::{
    band, draw_band, draw_line, series_index, three_panels, week_marks, week_panel, Band, Weeks,
};
use super::{register_font, Ctx, Drawn, HEIGHT, WIDTH};
use crate::error::{Error, Result};
use crate::scenario::model::Model;
use crate::stats::metrics::{Aggregate, TrialResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One team's line: its label and its trial.
pub struct TeamLine<'a> {
    /// "team 1".
    pub label: String,
    /// The team's trial, with its series.
    pub result: &'a TrialResult,
}

/// The debrief chart as an SVG document (`plays` is the reference run's aggregate).
pub fn room_over_plays(model: &Model, plays: &Aggregate, teams: &[TeamLine]) -> Result<String> {
    let ctx = Ctx { model, agg: plays };
    svg_document(HEIGHT, |root| draw(root, &ctx, teams))
}

/// A chart drawn by `draw` on a page `height` pixels tall, as an SVG document that names the
/// fonts a browser has (the page is shown inline, not as a file with its font embedded).
fn svg_document(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Drawn,
) -> Result<String> {
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(&root)
            .and_then(|_| Ok(root.present()?))
            .map_err(|e| Error::Drawing {
                path: "debrief chart".into(),
                message: e.0,
            })?;
    }
    Ok(svg.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
    ))
}

/// Series `name` of a team's trial, times `scale`.
fn line(model: &Model, r: &TrialResult, name: &str, scale: f64) -> Option<Vec<f64>> {
    let s = series_index(model, name)?;
    let h = model.horizon;
    r.series
        .get(s * h..(s + 1) * h)
        .map(|v| v.iter().map(|x| x * scale).collect())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, teams: &[TeamLine]) -> Drawn {
    root.fill(&WHITE)?;
    let weeks = Weeks::new(ctx);
    let note = format!(
        "Shaded: 10th to 90th percentile of {} plays by the model's roles; dashed: their mean; lines: the room's teams.",
        ctx.agg.trials
    );
    let body = header(root, ctx, "The room against the simulated plays", &note)?;
    let panels = three_panels(&body);
    let shelf = ctx
        .model
        .chain
        .last()
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let specs = [
        (
            "promo_depth".to_string(),
            "promo depth (% off)",
            100.0,
            ORANGE,
        ),
        (
            format!("weeks_of_cover.{shelf}"),
            "weeks of cover",
            1.0,
            SERIES[0],
        ),
        (
            "stockout_rate".to_string(),
            "stores out (%)",
            100.0,
            STOCKOUT,
        ),
    ];
    for (i, ((area, gutter), (name, desc, scale, colour))) in panels.iter().zip(specs).enumerate() {
        let Some(s) = series_index(ctx.model, &name) else {
            continue;
        };
        let b = band(ctx.agg, s, scale);
        let team_lines: Vec<Vec<f64>> = teams
            .iter()
            .filter_map(|t| line(ctx.model, t.result, &name, scale))
            .collect();
        let top = top_of(&b, &team_lines);
        let mut chart = week_panel(area, &weeks, 0.0..top, (desc, 5), i == 2)?;
        week_marks(&mut chart, &weeks)?;
        draw_band(&mut chart, &b, top, colour)?;
        let mean: Vec<(f64, f64)> = b
            .mean
            .iter()
            .enumerate()
            .map(|(t, v)| (t as f64 + 1.0, v.min(top)))
            .collect();
        chart.draw_series(DashedLineSeries::new(mean, 6, 4, GREY.stroke_width(2)))?;
        for (k, l) in team_lines.iter().enumerate() {
            draw_line(&mut chart, l, top, team_colour(k).stroke_width(3))?;
        }
        let mut items = vec![(
            Mark::Band(colour),
            format!("{}: plays, 10th-90th", short(&name)),
        )];
        items.extend(
            teams
                .iter()
                .enumerate()
                .map(|(k, t)| (Mark::Line(team_colour(k)), t.label.clone())),
        );
        legend(gutter, &items, (6, 8), false)?;
    }
    Ok(())
}

/// The axis top: the highest of the band and the lines, with a little room.
fn top_of(b: &Band, lines: &[Vec<f64>]) -> f64 {
    let hi = b
        .p90
        .iter()
        .chain(lines.iter().flatten())
        .fold(0.0f64, |a, v| a.max(*v));
    (hi * 1.08).max(1e-6)
}

fn short(name: &str) -> &str {
    match name {
        "promo_depth" => "depth",
        "stockout_rate" => "stores out",
        _ => "cover",
    }
}

/// Teams in ink first, then the series colours.
fn team_colour(k: usize) -> RGBColor {
    if k == 0 {
        INK
    } else {
        SERIES[(k - 1) % SERIES.len()]
    }
}

/// One team's line in a network debrief: its label and its trial.
pub struct ChainLine<'a> {
    /// "team 1".
    pub label: String,
    /// The team's trial.
    pub result: &'a crate::sim::network::NetworkResult,
}

/// The network debrief chart as an SVG document: one panel per stock point, its orders week by
/// week, the plays' 10th to 90th percentile shaded, their mean dashed and each team's line over
/// them (`plays` is the simulated plays' aggregate, `points` the stock points' names).
pub fn chain_over_plays(
    name: &str,
    points: &[&str],
    plays: &crate::sim::network::NetworkAggregate,
    teams: &[ChainLine],
) -> Result<String> {
    let height = 150 + 170 * points.len() as u32;
    svg_document(height, |root| draw_chain(root, name, points, plays, teams))
}

fn draw_chain<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    points: &[&str],
    plays: &crate::sim::network::NetworkAggregate,
    teams: &[ChainLine],
) -> Drawn {
    use super::style::{text, NOTE_PX, TICK_PX, TITLE_PX};
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(96);
    top.draw_text(
        "The room's orders against the simulated plays",
        &text(TITLE_PX),
        (24, 12),
    )?;
    let note = format!(
        "{name} · shaded: 10th to 90th percentile of {} plays by the model's rules; dashed: their mean; lines: the room's teams",
        plays.trials
    );
    top.draw_text(&note, &text(NOTE_PX).color(&GREY), (24, 58))?;
    let weeks = plays.weeks.max(2);
    let rows = body.split_evenly((points.len().max(1), 1));
    for (i, (area, point)) in rows.iter().zip(points).enumerate() {
        let (plot, key) = area.split_horizontally(WIDTH as i32 - 230);
        let s = 1 + i; // orders.<point> follows the demand in the series
        let q = |p: f64| -> Vec<f64> {
            (0..plays.weeks)
                .map(|w| plays.series_at(s, w).sketch.quantile(p))
                .collect()
        };
        let (p10, p90) = (q(0.1), q(0.9));
        let mean: Vec<f64> = (0..plays.weeks)
            .map(|w| plays.series_at(s, w).moments.mean())
            .collect();
        let lines: Vec<&[f64]> = teams
            .iter()
            .map(|t| t.result.orders[i].as_slice())
            .collect();
        let hi = p90
            .iter()
            .chain(lines.iter().copied().flatten())
            .fold(1.0f64, |a, v| a.max(*v))
            * 1.08;
        let lo = p10
            .iter()
            .chain(lines.iter().copied().flatten())
            .fold(0.0f64, |a, v| a.min(*v));
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .x_label_area_size(if i + 1 == points.len() { 34 } else { 8 })
            .y_label_area_size(80)
            .build_cartesian_2d(1.0..weeks as f64, lo..hi)?;
        let mut mesh = chart.configure_mesh();
        // Whole weeks only: a tick between two weeks would repeat a label.
        let week_label = |w: &f64| {
            if (w - w.round()).abs() < 1e-6 {
                format!("{w:.0}")
            } else {
                String::new()
            }
        };
        mesh.y_desc(format!("{point}'s orders"))
            .x_label_formatter(&week_label)
            .x_labels(weeks.min(13))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style(text(TICK_PX))
            .axis_desc_style(text(TICK_PX))
            .light_line_style(WHITE)
            .bold_line_style(super::style::GRID)
            .y_labels(4);
        if i + 1 == points.len() {
            mesh.x_desc("week");
        } else {
            mesh.x_labels(0);
        }
        mesh.draw()?;
        let colour = SERIES[i % SERIES.len()];
        let band: Vec<(f64, f64)> = p90
            .iter()
            .enumerate()
            .map(|(w, v)| (w as f64 + 1.0, *v))
            .chain(
                p10.iter()
                    .enumerate()
                    .rev()
                    .map(|(w, v)| (w as f64 + 1.0, *v)),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            colour.mix(0.22).filled(),
        )))?;
        let at = |v: &[f64]| -> Vec<(f64, f64)> {
            v.iter()
                .enumerate()
                .map(|(w, &y)| ((w + 1) as f64, y))
                .collect()
        };
        chart.draw_series(DashedLineSeries::new(at(&mean), 6, 4, GREY.stroke_width(2)))?;
        for (k, l) in lines.iter().enumerate() {
            chart.draw_series(LineSeries::new(at(l), team_colour(k).stroke_width(3)))?;
        }
        let mut items = vec![(Mark::Band(colour), format!("{point}: plays"))];
        if i == 0 {
            items.extend(
                teams
                    .iter()
                    .enumerate()
                    .map(|(k, t)| (Mark::Line(team_colour(k)), t.label.clone())),
            );
        }
        legend(&key, &items, (6, 8), false)?;
    }
    Ok(())
}
