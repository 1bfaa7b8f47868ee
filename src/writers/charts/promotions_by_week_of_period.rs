//! The hockey-stick chart, `promotions_by_week_of_period`: mean promotion depth in each week of
//! the bonus period, side by side for the periods where the promoting role was behind its
//! target at mid-period and those where it was not; and its caption, a sentence read from the
//! same numbers. Skipped for a scenario without a promotion lever.

use super::promo_lever::{depth_top, promoter};
use super::style::{
    header, legend, text, Keyed, KeyedChart, Mark, BLUE, DESC_PX, GRID, TICK_PX, VERMILION,
};
use super::{Ctx, Drawn};
use crate::numbers::axis_label;
use crate::numbers::grouped;
use crate::stats::metrics::PromoPhase;
use crate::stats::period::extreme;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The two sides of [`PromoPhase`]: label and colour.
const SIDES: [(&str, RGBColor); 2] = [
    ("behind target at mid-period", VERMILION),
    ("on or ahead of target at mid-period", BLUE),
];

/// Mean promotion depth by week of the period, behind and not, with the numbers of periods:
/// `None` without a promotion lever or a whole period.
pub(super) fn phase(ctx: &Ctx) -> Option<([Vec<f64>; 2], [f64; 2])> {
    let (means, counts) = PromoPhase::means(ctx.model, ctx.agg)?;
    (counts[0] + counts[1] > 0.0).then_some((means, counts))
}

/// How a week-of-period profile of depths moves, in words: "stayed at about 0.3% off", "rose
/// from 0.0% off in week 1 to 19.2% in week 3, then fell to 0.9% in week 4".
fn course(v: &[f64]) -> String {
    let pc = |x: f64| format!("{:.1}%", 100.0 * x);
    let (k_hi, hi) = extreme(v, true);
    let (k_lo, lo) = extreme(v, false);
    if hi - lo < 0.005 {
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        return format!("stayed at about {} off", pc(mean));
    }
    if k_hi == 1 {
        return format!(
            "was deepest in week 1 ({} off) and fell to {} by week {k_lo}",
            pc(hi),
            pc(lo)
        );
    }
    let mut s = format!(
        "rose from {} off in week 1 to {} in week {k_hi}",
        pc(v[0]),
        pc(hi)
    );
    let end = v[v.len() - 1];
    if k_hi < v.len() && end < hi - 0.005 {
        s += &format!(", then fell to {} in week {}", pc(end), v.len());
    }
    s
}

/// The sentence the report prints under the chart (empty when the chart is skipped).
pub(super) fn caption(ctx: &Ctx) -> String {
    phase(ctx)
        .map(|(means, counts)| phase_sentence(promoter(ctx.model), &means, &counts))
        .unwrap_or_default()
}

/// The chart in one sentence, from its numbers.
fn phase_sentence(role: &str, means: &[Vec<f64>; 2], counts: &[f64; 2]) -> String {
    let n = |c: f64| grouped(c);
    let [behind, ahead] = means;
    let s = match (counts[0] > 0.0, counts[1] > 0.0) {
        (true, true) => format!(
            "when {role} was behind its pro-rated target at mid-period ({} periods), mean promotion depth {}; when it was on or ahead ({} periods), it {}.",
            n(counts[0]), course(behind), n(counts[1]), course(ahead)
        ),
        (true, false) => format!(
            "{role} was behind its pro-rated target at mid-period in every period ({}); mean promotion depth {}.",
            n(counts[0]), course(behind)
        ),
        (false, true) => format!(
            "{role} was never behind its pro-rated target at mid-period ({} periods); mean promotion depth {}.",
            n(counts[1]), course(ahead)
        ),
        (false, false) => return String::new(),
    };
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

pub(super) fn phase_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
) -> Drawn {
    let Some((means, counts)) = phase(ctx) else {
        return Ok(());
    };
    let p = ctx.model.period;
    let note = format!(
        "{} trials. Mean promotion depth in each week of the {p}-week period, by where {} stood at mid-period.",
        ctx.agg.trials,
        promoter(ctx.model)
    );
    let body = header(root, ctx, title, &note)?;
    let (plot, strip) = body.split_vertically(body.dim_in_pixel().1 as i32 - 44);
    let top = depth_top(ctx.model);
    let mut chart = phase_axes(&plot, p, top)?;
    phase_bars(&mut chart, &means, &counts, top)?;
    let items: Vec<(Mark, String)> = SIDES
        .iter()
        .zip(counts)
        .map(|((label, c), n)| (Mark::Bar(*c), format!("{label} ({} periods)", grouped(n))))
        .collect();
    legend(&strip, &items, (120, 12), true)
}

fn phase_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    p: usize,
    top: f64,
) -> Drawn<KeyedChart<'a, DB>> {
    let x = Keyed::new(0.5..p as f64 + 0.5, (1..=p).map(|k| k as f64).collect());
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .margin_right(30)
        .x_label_area_size(58)
        .y_label_area_size(96)
        .build_cartesian_2d(x, 0.0..top * 1.1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_labels(6)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| axis_label(*v))
        .label_style(text(TICK_PX + 1.0))
        .axis_desc_style(text(DESC_PX))
        .x_desc("week of the period")
        .y_desc("promo depth (% off)")
        .draw()?;
    Ok(chart)
}

/// Side-by-side bars per week, labelled with their values while there is room.
fn phase_bars<DB: DrawingBackend>(
    chart: &mut KeyedChart<DB>,
    means: &[Vec<f64>; 2],
    counts: &[f64; 2],
    top: f64,
) -> Drawn {
    let label = text(TICK_PX).pos(Pos::new(HPos::Center, VPos::Center));
    for (side, values) in means.iter().enumerate() {
        if counts[side] <= 0.0 {
            continue;
        }
        let off = if side == 0 { -0.2 } else { 0.2 };
        let at = |k: usize, v: f64| (k as f64 + 1.0 + off, (100.0 * v).min(top));
        let colour = SIDES[side].1;
        chart.draw_series(values.iter().enumerate().map(|(k, v)| {
            let (x, h) = at(k, *v);
            Rectangle::new([(x - 0.18, 0.0), (x + 0.18, h)], colour.filled())
        }))?;
        if values.len() <= 8 {
            chart.draw_series(values.iter().enumerate().map(|(k, v)| {
                let (x, h) = at(k, *v);
                let s = format!("{:.1}%", 100.0 * v);
                Text::new(s, (x, h + top * 0.035), label.clone())
            }))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::period::fold;

    #[test]
    fn a_period_reads_as_words() {
        // The fold itself is tested in `stats::period`.
        let weekly = [0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 0.1, 0.02, 9.0];
        let by_week = fold(&weekly, 4);
        assert_eq!(
            course(&by_week),
            "rose from 0.0% off in week 1 to 15.0% in week 3, then fell to 1.0% in week 4"
        );
        assert_eq!(course(&[0.01, 0.012]), "stayed at about 1.1% off");
        assert_eq!(
            course(&[0.2, 0.0, 0.0]),
            "was deepest in week 1 (20.0% off) and fell to 0.0% by week 2"
        );
        let means = [vec![0.0, 0.12], vec![0.01, 0.01]];
        assert_eq!(
            phase_sentence("sales", &means, &[30.0, 1200.0]),
            "When sales was behind its pro-rated target at mid-period (30 periods), mean promotion depth rose from 0.0% off in week 1 to 12.0% in week 2; when it was on or ahead (1,200 periods), it stayed at about 1.0% off."
        );
        assert!(phase_sentence("sales", &means, &[0.0, 5.0]).starts_with("Sales was never behind"));
    }
}
