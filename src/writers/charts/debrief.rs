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
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let ctx = Ctx { model, agg: plays };
        draw(&root, &ctx, teams)
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
