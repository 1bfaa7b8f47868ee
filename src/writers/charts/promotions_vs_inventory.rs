//! The headline chart, `promotions_vs_inventory`: mean promotion depth, weeks of cover at each
//! stock point and the share of stores out of stock, week by week, in three stacked panels on
//! fixed scales; and the caption that says, in one sentence, where in the average period
//! promotions peak, stock bottoms out and stockouts peak.

use super::promo_lever::depth_top;
use super::style::{gutter_note, header, legend, Mark, GREY, ORANGE, SERIES, STOCKOUT};
use super::weeks::{
    band, draw_band, draw_line, series_index, three_panels, week_marks, week_panel, weekly_bars,
    Band, Weeks,
};
use super::{Ctx, Drawn};
use crate::numbers::axis_label;
use crate::stats::period::{extreme, fold};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Top of the stockout axis, % of stores: fixed, so two runs' charts compare by eye.
const STOCKOUT_TOP: f64 = 50.0;
/// Top of the weeks-of-cover axis, fixed; a higher value is drawn at the top.
const COVER_TOP: f64 = 8.0;

/// Weeks of cover at each stock point, upstream first: (name, band).
fn covers(ctx: &Ctx) -> Vec<(String, Band)> {
    let chain = ctx.model.chain.iter();
    chain
        .filter_map(|e| {
            let s = series_index(ctx.model, &format!("weeks_of_cover.{}", e.name))?;
            Some((e.name.clone(), band(ctx.agg, s, 1.0)))
        })
        .collect()
}

/// "a", "a and b", "a, b and c".
fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The headline in one sentence: where in the average period promotions peak, the
/// consumer-facing stock bottoms out and stockouts peak.
pub(super) fn headline_caption(ctx: &Ctx) -> String {
    let weeks = Weeks::new(ctx);
    let p = weeks.period;
    let mut parts = Vec::new();
    if ctx.model.promo_lever.is_some() {
        let (k, v) = extreme(&fold(&weeks.promo, p), true);
        parts.push(format!(
            "promotions are deepest in week {k} ({v:.1}% off on average)"
        ));
    }
    if let Some((name, b)) = covers(ctx).last() {
        let (k, v) = extreme(&fold(&b.mean, p), false);
        parts.push(format!(
            "cover at {name} is lowest in week {k} ({v:.2} weeks)"
        ));
    }
    let (k, v) = extreme(&fold(&weeks.stockout, p), true);
    parts.push(format!(
        "the most stores are out of stock in week {k} ({v:.1}% of stores)"
    ));
    format!("In the average {p}-week period, {}.", and_list(&parts))
}

pub(super) fn promo_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let weeks = Weeks::new(ctx);
    let note = format!(
        "{} trials, means across trials. Shaded: weeks of promotion; dashed: ends of the {}-week bonus periods.",
        ctx.agg.trials, weeks.period
    );
    let body = header(root, ctx, title, &note)?;
    let [(top, g_top), (mid, g_mid), (low, g_low)] = three_panels(&body);
    promo_panel(&top, &g_top, ctx, &weeks)?;
    cover_panel(&mid, &g_mid, ctx, &weeks)?;
    stockout_panel(&low, &g_low, &weeks)
}

fn promo_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    weeks: &Weeks,
) -> Drawn {
    let top = depth_top(ctx.model);
    let y_desc = ("promo depth (% off)", 5);
    let mut chart = week_panel(area, weeks, 0.0..top * 1.06, y_desc, false)?;
    week_marks(&mut chart, weeks)?;
    weekly_bars(&mut chart, &weeks.promo, top, ORANGE)?;
    let mut items = vec![(Mark::Bar(ORANGE), "promo depth, mean".to_string())];
    if weeks.promo_mark.is_finite() {
        let mark = format!("promotion week: {}% or more", axis_label(weeks.promo_mark));
        items.push((Mark::Band(ORANGE), mark));
    }
    legend(gutter, &items, (6, 12), false)?;
    if ctx.model.promo_lever.is_none() {
        return gutter_note(gutter, &["no promotion lever".into()], 80);
    }
    let (k, v) = extreme(&fold(&weeks.promo, weeks.period), true);
    let lines = [
        format!("deepest in week {k} of {}:", weeks.period),
        format!("{v:.1}% off on average"),
    ];
    gutter_note(gutter, &lines, 12 + 30 * items.len() as i32 + 4)
}

fn cover_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    weeks: &Weeks,
) -> Drawn {
    let bands = covers(ctx);
    let mut chart = week_panel(area, weeks, 0.0..COVER_TOP, ("weeks of cover", 5), false)?;
    week_marks(&mut chart, weeks)?;
    let colour = |i: usize| SERIES[i % SERIES.len()];
    // The consumer-facing point's spread: the one that empties the shelves.
    let last = bands.len().saturating_sub(1);
    if let Some((_, b)) = bands.last() {
        draw_band(&mut chart, b, COVER_TOP, colour(last))?;
    }
    for (i, (_, b)) in bands.iter().enumerate() {
        draw_line(&mut chart, &b.mean, COVER_TOP, colour(i).stroke_width(3))?;
    }
    let mut items: Vec<(Mark, String)> = bands
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (Mark::Line(colour(i)), format!("{name}, mean")))
        .collect();
    let Some((name, b)) = bands.last() else {
        return Ok(());
    };
    items.push((
        Mark::Band(colour(last)),
        format!("{name}, 10th to 90th pct"),
    ));
    legend(gutter, &items, (6, 12), false)?;
    let mut lines = Vec::new();
    let clipped = bands.iter().flat_map(|(_, b)| &b.mean).chain(&b.p90);
    if clipped.copied().any(|v| v > COVER_TOP) {
        lines.push(format!("above {COVER_TOP:.0} drawn at {COVER_TOP:.0}"));
    }
    let (k, v) = extreme(&fold(&b.mean, weeks.period), false);
    lines.push(format!("{name} lowest in week {k} of {}:", weeks.period));
    lines.push(format!("{v:.2} weeks on average"));
    gutter_note(gutter, &lines, 12 + 30 * items.len() as i32 + 4)
}

fn stockout_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    gutter: &DrawingArea<DB, Shift>,
    weeks: &Weeks,
) -> Drawn {
    let y = 0.0..STOCKOUT_TOP;
    let mut chart = week_panel(area, weeks, y, ("stores out (%)", 6), true)?;
    week_marks(&mut chart, weeks)?;
    weekly_bars(&mut chart, &weeks.stockout, STOCKOUT_TOP, STOCKOUT)?;
    let items = [
        (Mark::Bar(STOCKOUT), "stores out of stock, mean".to_string()),
        (Mark::Dashed(GREY), "end of a period".to_string()),
    ];
    legend(gutter, &items, (6, 12), false)?;
    let (k, v) = extreme(&fold(&weeks.stockout, weeks.period), true);
    let lines = [
        format!("most in week {k} of {}:", weeks.period),
        format!("{v:.1}% of stores on average"),
    ];
    gutter_note(gutter, &lines, 12 + 30 * items.len() as i32 + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_join_as_a_list() {
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
