//! The interpretations chart, `interpretations`: the weight each role reads into each of the
//! strategy's objectives (mean bars with 10th to 90th percentile whiskers), beside the weights as
//! written.

use super::style::{
    header, legend, text, Keyed, KeyedChart, Mark, BLUE, DESC_PX, GREEN, GRID, INK, ORANGE, TICK_PX,
};
use super::{Ctx, Drawn};
use crate::numbers::whole_percent;
use crate::scenario::format::Objective;
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn interpretation_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let note = format!(
        "{} trials. Bars: mean weight each role reads into the strategy; black ticks: the weights as written (ambiguity {}).",
        ctx.agg.trials, ctx.model.scenario.strategy.ambiguity
    );
    let body = header(root, ctx, title, &note)?;
    let (plot, strip) = body.split_vertically(body.dim_in_pixel().1 as i32 - 44);
    let mut chart = interpretation_axes(&plot, ctx)?;
    interpretation_bars(&mut chart, ctx)?;
    let mut items: Vec<(Mark, String)> = Objective::ALL
        .iter()
        .enumerate()
        .map(|(k, o)| (Mark::Bar(objective_colour(k)), o.name().to_string()))
        .collect();
    items.push((Mark::Line(INK), "as written".into()));
    items.push((Mark::Whisker, "10th to 90th percentile".into()));
    legend(&strip, &items, (120, 12), true)
}

/// One group of bars per role, after a first group for the strategy as written.
fn interpretation_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
) -> Drawn<KeyedChart<'a, DB>> {
    let mut names = vec!["as written".to_string()];
    names.extend(ctx.model.roles.iter().map(|r| r.name.clone()));
    let n = names.len();
    // Weights are shares: the axis runs 0 to 100% whatever the readings.
    let x = Keyed::new(-0.5..n as f64 - 0.5, (0..n).map(|g| g as f64).collect());
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .margin_right(30)
        .x_label_area_size(50)
        .y_label_area_size(96)
        .build_cartesian_2d(x, 0.0..1.0)?;
    let label = |v: &f64| {
        names
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_labels(6)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| whole_percent(*v))
        .label_style(text(TICK_PX + 1.0))
        .axis_desc_style(text(DESC_PX))
        .y_desc("weight on the objective")
        .draw()?;
    Ok(chart)
}

const BAR_STEP: f64 = 0.27;
const BAR_HALF: f64 = 0.12;

fn interpretation_bars<DB: DrawingBackend>(chart: &mut KeyedChart<DB>, ctx: &Ctx) -> Drawn {
    let truth = ctx.model.weights;
    let mut bars = Vec::new();
    let mut whiskers = Vec::new();
    let mut ticks = Vec::new();
    for k in 0..3 {
        let off = (k as f64 - 1.0) * BAR_STEP;
        bars.push((off, truth[k], objective_colour(k)));
        for (r, stats) in ctx.agg.interpretations.iter().enumerate() {
            let x = r as f64 + 1.0 + off;
            let st = &stats[k];
            bars.push((x, st.moments.mean(), objective_colour(k)));
            whiskers.push((x, st.sketch.quantile(0.1), st.sketch.quantile(0.9)));
            ticks.push((x, truth[k]));
        }
    }
    chart
        .draw_series(bars.iter().map(|(x, h, c)| {
            Rectangle::new([(x - BAR_HALF, 0.0), (x + BAR_HALF, *h)], c.filled())
        }))?;
    for (x, lo, hi) in whiskers {
        let cap = BAR_HALF * 0.5;
        for seg in [
            [(x, lo), (x, hi)],
            [(x - cap, lo), (x + cap, lo)],
            [(x - cap, hi), (x + cap, hi)],
        ] {
            chart.draw_series(std::iter::once(PathElement::new(seg, INK.stroke_width(2))))?;
        }
    }
    chart.draw_series(ticks.into_iter().map(|(x, w)| {
        PathElement::new(
            [(x - BAR_HALF - 0.03, w), (x + BAR_HALF + 0.03, w)],
            INK.stroke_width(4),
        )
    }))?;
    Ok(())
}

/// The colour of objective `k`, in [`Objective::ALL`] order.
fn objective_colour(k: usize) -> RGBColor {
    [ORANGE, BLUE, GREEN][k % 3]
}
