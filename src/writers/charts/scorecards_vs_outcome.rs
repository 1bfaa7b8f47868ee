//! The scorecards chart, `scorecards_vs_outcome`: for each role, its attainment against the
//! trial's profit, one point per trial, with the quadrant where the role claims success while
//! profit misses its target shaded; and the share of trials in that quadrant, which the report's
//! table of roles prints too.

use super::style::{
    header, legend, min_max, padded, text, Mark, XyChart, BLUE, CAPTION_PX, DESC_PX, GREY, GRID,
    STOCKOUT, TICK_PX, VERMILION,
};
use super::{Ctx, Drawn};
use crate::numbers::axis_label;
use crate::numbers::whole_percent;
use crate::scenario::model::Model;
use crate::stats::metrics::{metric, Aggregate};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The strategy's lower bound on profit, if it sets one.
fn profit_target(model: &Model) -> Option<f64> {
    let p = metric("profit");
    model
        .targets
        .iter()
        .find(|t| t.metric == p)
        .and_then(|t| t.at_least)
}

/// Share of sampled trials in which role `r` claims success while the strategy is missed.
pub fn claims_while_missed(agg: &Aggregate, r: usize) -> f64 {
    let met = metric("strategy_met");
    let n = agg.sample.len().max(1) as f64;
    let hits = agg
        .sample
        .iter()
        .filter(|t| t.roles[r][2] > 0.5 && t.metrics[met] < 0.5);
    hits.count() as f64 / n
}

fn grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0..=3 => n.max(1),
        4 => 2,
        _ => 3,
    };
    (n.div_ceil(cols).max(1), cols)
}

pub(super) fn scorecard_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let note = format!(
        "{} trials. The % in each title: trials where the role claims success (attainment of 1 or more) and the strategy is missed.",
        ctx.agg.sample.len()
    );
    let body = header(root, ctx, title, &note)?;
    let (panels, strip) = body.split_vertically(body.dim_in_pixel().1 as i32 - 44);
    let profit = metric("profit");
    let (lo, hi) = min_max(ctx.agg.sample.iter().map(|t| t.metrics[profit]));
    let target = profit_target(ctx.model);
    let (lo, hi) = match target {
        Some(t) => (lo.min(t), hi.max(t)),
        None => (lo, hi),
    };
    let y = padded(lo, hi, 0.05);
    let n = ctx.model.roles.len();
    let (rows, cols) = grid(n);
    for (r, area) in panels.split_evenly((rows, cols)).iter().enumerate().take(n) {
        role_panel(area, ctx, r, y.clone(), target, r % cols == 0)?;
    }
    let mut items = vec![
        (Mark::Dot(BLUE), "strategy met".to_string()),
        (Mark::Dot(VERMILION), "strategy missed".to_string()),
        (
            Mark::Band(STOCKOUT),
            "claims success, profit below target".to_string(),
        ),
    ];
    if target.is_some() {
        items.push((Mark::Dashed(STOCKOUT), "profit target".into()));
    }
    legend(&strip, &items, (110, 12), true)
}

fn role_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    r: usize,
    y: std::ops::Range<f64>,
    target: Option<f64>,
    first_col: bool,
) -> Drawn {
    let sample = &ctx.agg.sample;
    let (lo, hi) = min_max(sample.iter().map(|t| t.roles[r][0]));
    let x = padded(lo.min(0.9), hi.max(1.1), 0.05);
    let caption = format!(
        "{}: {} succeed, org misses",
        ctx.model.roles[r].name,
        whole_percent(claims_while_missed(ctx.agg, r))
    );
    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(CAPTION_PX))
        .margin(8)
        .margin_right(22)
        .x_label_area_size(50)
        .y_label_area_size(if first_col { 84 } else { 56 })
        .build_cartesian_2d(x.clone(), y.clone())?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|v| axis_label(*v))
        .y_label_formatter(&|v| axis_label(*v))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc("attainment (1 = target)")
        .y_desc(if first_col { "profit (money)" } else { "" })
        .draw()?;
    quadrant(&mut chart, x, y, target)?;
    role_points(&mut chart, ctx, r)
}

fn quadrant<DB: DrawingBackend>(
    chart: &mut XyChart<DB>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    target: Option<f64>,
) -> Drawn {
    let top = target.unwrap_or(y.end);
    if x.end > 1.0 {
        let corners = [(1.0_f64.max(x.start), y.start), (x.end, top)];
        chart.draw_series(std::iter::once(Rectangle::new(
            corners,
            STOCKOUT.mix(0.12).filled(),
        )))?;
    }
    let line = [(1.0, y.start), (1.0, y.end)];
    chart.draw_series(std::iter::once(PathElement::new(
        line,
        GREY.stroke_width(1),
    )))?;
    if let Some(t) = target {
        let pts = [(x.start, t), (x.end, t)];
        chart.draw_series(DashedLineSeries::new(pts, 8, 5, STOCKOUT.stroke_width(2)))?;
    }
    Ok(())
}

/// One translucent dot per trial, fainter and smaller the more trials there are so dense
/// clouds keep their shape. Dots within 2 pixels of one already drawn (same colour) are
/// skipped: invisible at this size, and it keeps the SVG small.
fn role_points<DB: DrawingBackend>(chart: &mut XyChart<DB>, ctx: &Ctx, r: usize) -> Drawn {
    let (met, profit) = (metric("strategy_met"), metric("profit"));
    let n = ctx.agg.sample.len().max(1) as f64;
    let alpha = (8.0 / n.sqrt()).clamp(0.2, 0.6);
    let radius = if n > 500.0 { 3 } else { 4 };
    let mut seen = std::collections::BTreeSet::new();
    let mut dots = Vec::new();
    for t in &ctx.agg.sample {
        let p = (t.roles[r][0], t.metrics[profit]);
        let ok = t.metrics[met] > 0.5;
        let (x, y) = chart.backend_coord(&p);
        if seen.insert((x / 2, y / 2, ok)) {
            dots.push((p, ok));
        }
    }
    chart.draw_series(dots.into_iter().map(|(p, ok)| {
        let c = if ok { BLUE } else { VERMILION };
        Circle::new(p, radius, c.mix(alpha).filled())
    }))?;
    Ok(())
}
