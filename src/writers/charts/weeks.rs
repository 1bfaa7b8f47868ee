//! The frame of the week-by-week charts (promotions against inventory, and a launch): the
//! week axis with its period ends and promotion weeks, three stacked panels with a gutter for
//! legends, and the bars, lines and bands drawn on them.
//!
//! Both week-by-week charts are drawn from these pieces, so their panels line up and their
//! weeks read the same.

use super::promo_lever::promo_mark;
use super::style::{text, Keyed, KeyedChart, DESC_PX, GREY, GRID, ORANGE, TICK_PX};
use super::{Ctx, Drawn, WIDTH};
use crate::numbers::axis_label;
use crate::scenario::model::Model;
use crate::stats::metrics::{series_names, Aggregate, Stat};
use plotters::coord::Shift;
use plotters::prelude::*;

// ---------------------------------------------------------------- the numbers by week

/// Per-week statistics of one series across trials.
pub(super) struct Band {
    p10: Vec<f64>,
    pub(super) p90: Vec<f64>,
    pub(super) mean: Vec<f64>,
}

/// The band of series `s`, times `scale`: its 10th and 90th percentiles and mean each week.
pub(super) fn band(agg: &Aggregate, s: usize, scale: f64) -> Band {
    let stats: Vec<&Stat> = (0..agg.horizon).map(|t| agg.series_at(s, t)).collect();
    let q = |p: f64| {
        stats
            .iter()
            .map(|st| scale * st.sketch.quantile(p))
            .collect()
    };
    Band {
        p10: q(0.1),
        p90: q(0.9),
        mean: stats.iter().map(|st| scale * st.moments.mean()).collect(),
    }
}

/// Where series `name` sits among the run's series, if it has one.
pub(super) fn series_index(model: &Model, name: &str) -> Option<usize> {
    series_names(model).iter().position(|n| n == name)
}

/// The mean of series `name` each week, times `scale` (zeros if the run has no such series).
pub(super) fn weekly_mean(ctx: &Ctx, name: &str, scale: f64) -> Vec<f64> {
    let horizon = ctx.agg.horizon;
    match series_index(ctx.model, name) {
        Some(s) => (0..horizon)
            .map(|t| scale * ctx.agg.series_at(s, t).moments.mean())
            .collect(),
        None => vec![0.0; horizon],
    }
}

/// What the three stacked panels share: the week axis, period ends, promotion weeks.
pub(super) struct Weeks {
    horizon: usize,
    pub(super) period: usize,
    /// Whether the labels are at period ends (else at weeks).
    by_period: bool,
    labels: Vec<f64>,
    /// Mean promotion depth each week, % off.
    pub(super) promo: Vec<f64>,
    /// Mean share of stores out of stock each week, %.
    pub(super) stockout: Vec<f64>,
    /// Weeks whose mean depth reaches this (% off) are shaded.
    pub(super) promo_mark: f64,
}

impl Weeks {
    pub(super) fn new(ctx: &Ctx) -> Self {
        let horizon = ctx.model.horizon;
        let period = ctx.model.period.max(1);
        let (labels, by_period) = week_labels(horizon, period);
        Weeks {
            horizon,
            period,
            by_period,
            labels,
            promo: weekly_mean(ctx, "promo_depth", 100.0),
            stockout: weekly_mean(ctx, "stockout_rate", 100.0),
            promo_mark: promo_mark(ctx.model),
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.5..self.horizon as f64 + 0.5
    }

    fn promo_weeks(&self) -> impl Iterator<Item = f64> + '_ {
        let weeks = self.promo.iter().enumerate();
        weeks
            .filter(|(_, v)| **v >= self.promo_mark)
            .map(|(t, _)| t as f64 + 1.0)
    }

    fn period_lines(&self) -> Vec<f64> {
        if self.horizon / self.period > 60 {
            return Vec::new();
        }
        (1..self.horizon.div_ceil(self.period))
            .map(|k| (k * self.period) as f64 + 0.5)
            .collect()
    }
}

/// Where the week axis is labelled, and whether at period ends: at period ends (thinned to about
/// 20 labels) when there are four periods or more; otherwise (a 13-week launch is one period)
/// period ends would be one or two labels, so at weeks, thinned to at most 13.
fn week_labels(horizon: usize, period: usize) -> (Vec<f64>, bool) {
    let periods = horizon / period.max(1);
    if periods >= 4 {
        let step = period * periods.div_ceil(20).max(1);
        let labels = (1..=horizon / step).map(|k| (k * step) as f64).collect();
        return (labels, true);
    }
    let step = horizon.div_ceil(13).max(1);
    let labels = (1..=horizon)
        .filter(|w| *w == 1 || w % step == 0)
        .map(|w| w as f64)
        .collect();
    (labels, false)
}

// ---------------------------------------------------------------- the panels

/// One panel on the shared week axis; only the bottom one carries week labels.
pub(super) fn week_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    weeks: &Weeks,
    y: std::ops::Range<f64>,
    (y_desc, y_ticks): (&str, usize),
    bottom: bool,
) -> Drawn<KeyedChart<'a, DB>> {
    let x = Keyed::new(weeks.range(), weeks.labels.clone());
    let mut chart = ChartBuilder::on(area)
        .margin_top(14)
        .margin_right(12)
        .x_label_area_size(if bottom { 58 } else { 0 })
        .y_label_area_size(96)
        .build_cartesian_2d(x, y)?;
    let blank = |_: &f64| String::new();
    let week = |v: &f64| format!("{v:.0}");
    let x_fmt: &dyn Fn(&f64) -> String = if bottom { &week } else { &blank };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_labels(y_ticks)
        .x_label_formatter(x_fmt)
        .y_label_formatter(&|v| axis_label(*v))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc(match (bottom, weeks.by_period) {
            (false, _) => "",
            (true, true) => "week (labels at period ends)",
            (true, false) => "week",
        })
        .y_desc(y_desc)
        .draw()?;
    Ok(chart)
}

/// Shaded promotion weeks behind the data, and dashed period ends.
pub(super) fn week_marks<DB: DrawingBackend>(chart: &mut KeyedChart<DB>, weeks: &Weeks) -> Drawn {
    let y = chart.y_range();
    chart.draw_series(weeks.promo_weeks().map(|w| {
        Rectangle::new(
            [(w - 0.5, y.start), (w + 0.5, y.end)],
            ORANGE.mix(0.16).filled(),
        )
    }))?;
    for x in weeks.period_lines() {
        chart.draw_series(DashedLineSeries::new(
            [(x, y.start), (x, y.end)],
            5,
            5,
            GREY.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// One bar a week, cut at `top` (the axis is fixed).
pub(super) fn weekly_bars<DB: DrawingBackend>(
    chart: &mut KeyedChart<DB>,
    values: &[f64],
    top: f64,
    colour: RGBColor,
) -> Drawn {
    chart.draw_series(values.iter().enumerate().map(|(t, v)| {
        let w = t as f64 + 1.0;
        Rectangle::new([(w - 0.38, 0.0), (w + 0.38, v.min(top))], colour.filled())
    }))?;
    Ok(())
}

pub(super) fn draw_band<DB: DrawingBackend>(
    chart: &mut KeyedChart<DB>,
    b: &Band,
    top: f64,
    colour: RGBColor,
) -> Drawn {
    let up = b
        .p90
        .iter()
        .enumerate()
        .map(|(t, v)| (t as f64 + 1.0, v.min(top)));
    let down = b.p10.iter().enumerate().rev();
    let down = down.map(|(t, v)| (t as f64 + 1.0, v.min(top)));
    chart.draw_series(std::iter::once(Polygon::new(
        up.chain(down).collect::<Vec<_>>(),
        colour.mix(0.2).filled(),
    )))?;
    Ok(())
}

pub(super) fn draw_line<DB: DrawingBackend>(
    chart: &mut KeyedChart<DB>,
    values: &[f64],
    top: f64,
    style: ShapeStyle,
) -> Drawn {
    let pts = values.iter().enumerate();
    let pts: Vec<(f64, f64)> = pts.map(|(t, v)| (t as f64 + 1.0, v.min(top))).collect();
    chart.draw_series(LineSeries::new(pts, style))?;
    Ok(())
}

/// A panel of a week-by-week chart and its gutter (legend and notes) on the right.
pub(super) type Panel<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// The week-by-week charts' layout: three panels stacked (176 and 214 pixels, then the rest,
/// which holds the week axis).
pub(super) fn three_panels<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>) -> [Panel<DB>; 3] {
    let (plots, gutter) = body.split_horizontally(WIDTH as i32 - 290);
    let (top, rest) = plots.split_vertically(176);
    let (mid, low) = rest.split_vertically(214);
    let (g_top, g_rest) = gutter.split_vertically(176);
    let (g_mid, g_low) = g_rest.split_vertically(214);
    [(top, g_top), (mid, g_mid), (low, g_low)]
}

#[cfg(test)]
mod tests {
    use super::week_labels;

    #[test]
    fn the_week_axis_has_labels_to_read_at_any_horizon() {
        let (year, by_period) = week_labels(52, 4);
        assert!(by_period && year.len() == 13 && year[0] == 4.0, "{year:?}");
        // A 13-week launch (one period) and a 6-week workshop: every week, never one label.
        assert_eq!(
            week_labels(13, 13).0,
            (1..=13).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(week_labels(6, 4).0.len(), 6);
        // Ten years of four-week periods: period ends, about 20 of them.
        let (long, _) = week_labels(520, 4);
        assert!(
            long.len() <= 20 && long.iter().all(|w| *w as usize % 4 == 0),
            "{long:?}"
        );
        // 26 weeks in one period: thinned to at most 13 week labels.
        assert!(week_labels(26, 26).0.len() <= 14);
    }
}
