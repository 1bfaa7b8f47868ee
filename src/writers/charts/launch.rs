//! The launch's week-by-week chart, `launch`, drawn in place of the promotions' for a scenario
//! with a launch: the campaign's spend against shelf day, customers against sell-out, and the
//! stores out of stock.

use super::style::KeyedChart;
use super::style::{gutter_note, header, legend, Mark, BLUE, GREEN, GREY, STOCKOUT};
use super::weeks::{draw_line, three_panels, week_panel, weekly_bars, weekly_mean, Weeks};
use super::{Ctx, Drawn};
use crate::numbers::whole_percent;
use crate::stats::metrics::metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The launch: the campaign's spend against shelf day, customers against sell-out, and the
/// stores out of stock, week by week.
pub(super) fn launch_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let Some(l) = ctx.model.scenario.world.launch.as_ref() else {
        return Ok(());
    };
    let weeks = Weeks::new(ctx);
    let shelf = l.shelf_week as f64;
    let note = format!(
        "{} trials, means across trials. Dashed red: shelf day (week {}), when the campaign was planned to start.",
        ctx.agg.trials, l.shelf_week
    );
    let body = header(root, ctx, title, &note)?;
    let [(top, g_top), (mid, g_mid), (low, g_low)] = three_panels(&body);
    campaign_panel(&top, &g_top, ctx, &weeks, (shelf, l.campaign_spend))?;
    customers_panel(&mid, &g_mid, ctx, &weeks, shelf)?;
    shelves_panel(&low, &g_low, &weeks, shelf)
}

/// The dashed red line at shelf day, across the panel.
fn shelf_line<DB: DrawingBackend>(chart: &mut KeyedChart<DB>, shelf: f64) -> Drawn {
    let y = chart.y_range();
    chart.draw_series(DashedLineSeries::new(
        [(shelf - 0.5, y.start), (shelf - 0.5, y.end)],
        6,
        4,
        STOCKOUT.stroke_width(2),
    ))?;
    Ok(())
}

/// The campaign: media spend each week against shelf day (week `shelf`), on an axis that
/// reaches at least the planned spend a store a week (`campaign_spend`); and how often the
/// campaign aired after shelf day.
fn campaign_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    weeks: &Weeks,
    (shelf, campaign_spend): (f64, f64),
) -> Drawn {
    let media = weekly_mean(ctx, "media_spend", 1.0);
    let top_spend = media
        .iter()
        .fold(campaign_spend, |a, &v| a.max(v))
        .max(1e-9)
        * 1.1;
    let mut chart = week_panel(area, weeks, 0.0..top_spend, ("media per store", 4), false)?;
    weekly_bars(&mut chart, &media, top_spend, BLUE)?;
    shelf_line(&mut chart, shelf)?;
    let n = ctx.agg.sample.len().max(1) as f64;
    let k = metric("media_weeks_late");
    let late = ctx.agg.sample.iter().filter(|r| r.metrics[k] > 0.0).count() as f64 / n;
    legend(
        gutter,
        &[(Mark::Bar(BLUE), "media spend, mean".to_string())],
        (6, 12),
        false,
    )?;
    let lines = [
        format!("aired after shelf day in {}", whole_percent(late)),
        "of trials".to_string(),
    ];
    gutter_note(gutter, &lines, 12 + 30 + 4)
}

/// Customers who came against what they could buy, with the stores stocked and sell-out
/// against plan.
fn customers_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    weeks: &Weeks,
    shelf: f64,
) -> Drawn {
    let demand = weekly_mean(ctx, "consumer_demand", 1.0);
    let sold = weekly_mean(ctx, "sell_out", 1.0);
    let top_units = demand
        .iter()
        .chain(&sold)
        .fold(0.0f64, |a, &v| a.max(v))
        .max(1e-9)
        * 1.1;
    let mut chart = week_panel(area, weeks, 0.0..top_units, ("units a week", 5), false)?;
    draw_line(&mut chart, &demand, top_units, GREY.stroke_width(3))?;
    draw_line(&mut chart, &sold, top_units, GREEN.stroke_width(3))?;
    shelf_line(&mut chart, shelf)?;
    let items = [
        (Mark::Line(GREY), "customers' demand, mean".to_string()),
        (Mark::Line(GREEN), "sell-out, mean".to_string()),
    ];
    legend(gutter, &items, (6, 12), false)?;
    let served = ctx.agg.metrics[metric("stores_served_share")]
        .moments
        .mean();
    let vs_plan = ctx.agg.metrics[metric("sell_out_vs_plan")].moments.mean();
    let lines = [
        format!("stores stocked: {}", whole_percent(served)),
        format!("sell-out: {} of plan", whole_percent(vs_plan)),
    ];
    gutter_note(gutter, &lines, 12 + 30 * items.len() as i32 + 4)
}

/// The shelves: the share of stores out of stock each week, on a full 0 to 100% axis.
fn shelves_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    weeks: &Weeks,
    shelf: f64,
) -> Drawn {
    let y = 0.0..100.0;
    let mut chart = week_panel(area, weeks, y, ("stores out (%)", 6), true)?;
    weekly_bars(&mut chart, &weeks.stockout, 100.0, STOCKOUT)?;
    shelf_line(&mut chart, shelf)?;
    let items = [
        (Mark::Bar(STOCKOUT), "stores out of stock, mean".to_string()),
        (Mark::Dashed(STOCKOUT), "shelf day".to_string()),
    ];
    legend(gutter, &items, (6, 12), false)
}
