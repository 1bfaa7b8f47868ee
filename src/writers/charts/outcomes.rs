//! The outcomes chart, `outcomes`: four histograms across trials (profit, on-shelf
//! availability, fill rate, write-offs), each with its mean and the strategy's target where it
//! sets one, and the equal-width bins they are drawn from.

use super::style::{
    header, min_max, padded, text, XyChart, CAPTION_PX, DESC_PX, GRID, INK, SKY, STOCKOUT, TICK_PX,
};
use super::{Ctx, Drawn};
use crate::numbers::axis_label;
use crate::numbers::{grouped, whole_percent};
use crate::scenario::model::Model;
use crate::stats::metrics::{metric, Stat};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A histogram panel: which metric, its title and axis text, and how it is shown.
struct Outcome {
    metric: &'static str,
    label: &'static str,
    desc: &'static str,
    /// Display scale (100 shows a share as a percentage).
    scale: f64,
    unit: &'static str,
}

const OUTCOMES: [Outcome; 4] = [
    Outcome {
        metric: "profit",
        label: "Profit",
        desc: "profit per trial (money)",
        scale: 1.0,
        unit: "",
    },
    Outcome {
        metric: "on_shelf_availability",
        label: "On-shelf availability",
        desc: "store-weeks with stock on the shelf (%)",
        scale: 100.0,
        unit: "%",
    },
    Outcome {
        metric: "fill_rate",
        label: "Fill rate",
        desc: "consumer demand served (%)",
        scale: 100.0,
        unit: "%",
    },
    Outcome {
        metric: "write_off_units",
        label: "Write-offs",
        desc: "units written off per trial",
        scale: 1.0,
        unit: " units",
    },
];

/// Equal-width bins over a sketch's (value, count) pairs: (first edge, width, counts).
fn bins(hist: &[(f64, u64)], scale: f64) -> (f64, f64, Vec<u64>) {
    let (lo, hi) = min_max(hist.iter().map(|(v, _)| v * scale));
    if hist.is_empty() {
        return (0.0, 1.0, vec![0]);
    }
    let integral = hist.iter().all(|(v, _)| (v * scale).fract() == 0.0);
    let mut width = nice((hi - lo) / 30.0);
    if integral {
        width = width.ceil().max(1.0);
    }
    if width <= 0.0 {
        width = (lo.abs() * 0.05).max(1.0);
    }
    let start = (lo / width).floor() * width;
    let n = (((hi - start) / width).floor() as usize + 1).min(1000);
    let mut counts = vec![0u64; n];
    for (v, c) in hist {
        let i = (((v * scale) - start) / width)
            .floor()
            .clamp(0.0, (n - 1) as f64) as usize;
        counts[i] += c;
    }
    (start, width, counts)
}

/// The smallest 1, 2, 2.5 or 5 times a power of ten at or above `x`.
fn nice(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 0.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let m = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .find(|m| m * p >= x * 0.999);
    m.unwrap_or(10.0) * p
}

pub(super) fn outcome_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let note = format!(
        "{} trials. Bars: share of trials; solid line: mean; dashed red line: the strategy's target, where it sets one.",
        ctx.agg.trials
    );
    let body = header(root, ctx, title, &note)?;
    for (area, spec) in body.split_evenly((2, 2)).iter().zip(&OUTCOMES) {
        histogram_panel(area, ctx, spec)?;
    }
    Ok(())
}

/// The strategy's bound on metric `m`, if any: (value, "at least" or "at most").
fn target_of(model: &Model, m: usize) -> Option<(f64, &'static str)> {
    let t = model.targets.iter().find(|t| t.metric == m)?;
    match (t.at_least, t.at_most) {
        (Some(lo), _) => Some((lo, "at least")),
        (None, Some(hi)) => Some((hi, "at most")),
        _ => None,
    }
}

fn with_unit(v: f64, spec: &Outcome) -> String {
    let n = if spec.scale != 1.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1000.0 {
        grouped(v)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{n}{}", spec.unit)
}

fn histogram_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    spec: &Outcome,
) -> Drawn {
    let m = metric(spec.metric);
    let stat = &ctx.agg.metrics[m];
    let (start, width, counts) = bins(&stat.sketch.histogram(), spec.scale);
    let total = stat.moments.count().max(1) as f64;
    let end = start + width * counts.len() as f64;
    let target = target_of(ctx.model, m).map(|(v, w)| (v * spec.scale, w));
    // A target far from the data would squash the bars into a sliver: name it instead.
    let span = end - start;
    let near = target
        .map(|(t, _)| t)
        .filter(|t| *t >= start - span && *t <= end + span);
    let caption = histogram_caption(spec, stat, target, near.is_some());
    let (lo, hi) = near.map_or((start, end), |t| (start.min(t), end.max(t)));
    let top = counts.iter().copied().max().unwrap_or(1) as f64 / total * 100.0;
    let y_top = (top * 1.12).max(1.0);
    let mut chart = histogram_axes(area, spec, caption, padded(lo, hi, 0.03), y_top)?;
    let bar = |(i, c): (usize, &u64)| {
        let x0 = start + width * i as f64;
        [(x0, 0.0), (x0 + width, *c as f64 / total * 100.0)]
    };
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .map(|b| Rectangle::new(bar(b), SKY.filled())),
    )?;
    // Thin white edges keep neighbouring bars apart in print.
    let edge = WHITE.stroke_width(1);
    chart.draw_series(
        counts
            .iter()
            .enumerate()
            .map(|b| Rectangle::new(bar(b), edge)),
    )?;
    let mean = stat.moments.mean() * spec.scale;
    let line = [(mean, 0.0), (mean, y_top)];
    chart.draw_series(std::iter::once(PathElement::new(line, INK.stroke_width(3))))?;
    if let Some(t) = near {
        let line = [(t, 0.0), (t, y_top)];
        chart.draw_series(DashedLineSeries::new(line, 8, 5, STOCKOUT.stroke_width(3)))?;
    }
    Ok(())
}

/// "Profit: mean 72,725, target at least 80,000", plus the share of zeros where they pile up.
fn histogram_caption(
    spec: &Outcome,
    stat: &Stat,
    target: Option<(f64, &str)>,
    on_axis: bool,
) -> String {
    let mean = stat.moments.mean() * spec.scale;
    let mut caption = format!("{}: mean {}", spec.label, with_unit(mean, spec));
    if let Some((t, word)) = target {
        let off = if on_axis { "" } else { " (off the scale)" };
        caption += &format!(", target {word} {}{off}", with_unit(t, spec));
    }
    let total = stat.moments.count().max(1) as f64;
    let hist = stat.sketch.histogram();
    let zeros = hist
        .first()
        .filter(|(v, _)| *v == 0.0)
        .map_or(0, |(_, c)| *c);
    if zeros as f64 >= 0.2 * total {
        // A spike at zero hides in the first bar; say it.
        caption += &format!(", zero in {}", whole_percent(zeros as f64 / total));
    }
    caption
}

fn histogram_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    spec: &Outcome,
    caption: String,
    x: std::ops::Range<f64>,
    y_top: f64,
) -> Drawn<XyChart<'a, DB>> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(CAPTION_PX))
        .margin(10)
        .margin_right(24)
        .x_label_area_size(52)
        .y_label_area_size(80)
        .build_cartesian_2d(x, 0.0..y_top)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_x_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|v| axis_label(*v))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc(spec.desc)
        .y_desc("% of trials")
        .draw()?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_nice() {
        assert_eq!(nice(3.3), 5.0);
        assert_eq!(nice(0.21), 0.25);
    }

    #[test]
    fn bins_cover_every_value_once() {
        let hist = vec![(0.0, 5), (3.0, 2), (41.0, 1), (100.0, 7)];
        let (start, width, counts) = bins(&hist, 1.0);
        assert_eq!(counts.iter().sum::<u64>(), 15);
        assert!(start <= 0.0 && start + width * counts.len() as f64 > 100.0);
        assert_eq!(width, width.round(), "integer data gets integer bins");
    }
}
