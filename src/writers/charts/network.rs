//! The chart of a network run: the wave. Above, the customer's demand and each stock point's
//! orders, week by week (means over trials); below, each point's net stock (on hand less
//! backlog). Read top to bottom, it shows the orders swelling upstream and the stock swinging
//! from backlog to surplus, the Beer Game's story in one picture.

use super::style::{text, GREY, GRID, INK, NOTE_PX, SERIES, TICK_PX, TITLE_PX};
use super::{write_figure, Figure};
use crate::error::Result;
use crate::scenario::network::NetworkModel;
use crate::sim::network::NetworkAggregate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

const WIDTH: u32 = super::WIDTH;

/// The chart's file stem under `charts/`, and its title.
pub const WAVE: (&str, &str) = ("orders_upstream", "Orders swell upstream, stock swings");

/// Draws `dir/charts/orders_upstream.{svg,png}`; returns the SVG text.
pub fn write_wave(model: &NetworkModel, agg: &NetworkAggregate, dir: &Path) -> Result<String> {
    write_figure(dir, WAVE.0, &Wave(model, agg))
}

struct Wave<'a>(&'a NetworkModel, &'a NetworkAggregate);

impl Figure for Wave<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        draw(root, self.0, self.1)
    }
}

/// Mean of series `s` (in [`crate::scenario::network::series_names`] order), week by week.
fn means(agg: &NetworkAggregate, s: usize) -> Vec<f64> {
    (0..agg.weeks)
        .map(|w| agg.series_at(s, w).moments.mean())
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    model: &NetworkModel,
    agg: &NetworkAggregate,
) -> std::result::Result<(), String> {
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (top, body) = root.split_vertically(84);
    top.draw_text(WAVE.1, &text(TITLE_PX), (24, 12))
        .map_err(e)?;
    let note = format!(
        "{} · means over {} trials · above: orders per week, grey: the customers' demand · below: on hand less backlog",
        model.name, agg.trials
    );
    top.draw_text(&note, &text(NOTE_PX).color(&GREY), (24, 54))
        .map_err(e)?;
    let points: Vec<&str> = model
        .scenario
        .network
        .stock_points
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let n = points.len();
    let demand = means(agg, 0);
    let orders: Vec<Vec<f64>> = (0..n).map(|i| means(agg, 1 + i)).collect();
    let net: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let (inv, back) = (means(agg, 1 + n + i), means(agg, 1 + 2 * n + i));
            inv.iter().zip(&back).map(|(a, b)| a - b).collect()
        })
        .collect();
    let (upper, lower) = body.split_vertically(body.dim_in_pixel().1 / 2);
    panel(&upper, "orders", Some(&demand), &orders, &points)?;
    panel(&lower, "net stock", None, &net, &points)?;
    Ok(())
}

/// One panel: a line per stock point (and the demand, grey), with a legend on the right.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    demand: Option<&[f64]>,
    lines: &[Vec<f64>],
    names: &[&str],
) -> std::result::Result<(), String> {
    let weeks = lines.first().map_or(0, Vec::len).max(2);
    let all = lines.iter().flatten().chain(demand.into_iter().flatten());
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let (plot, key) = area.split_horizontally(WIDTH as i32 - 230);
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(80)
        .build_cartesian_2d(1.0..weeks as f64, (lo - pad)..(hi + pad))
        .map_err(|x| x.to_string())?;
    chart
        .configure_mesh()
        .y_desc(label)
        .x_desc("week")
        .x_label_formatter(&|w| format!("{w:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(TICK_PX))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .draw()
        .map_err(|x| x.to_string())?;
    let at = |v: &[f64]| -> Vec<(f64, f64)> {
        v.iter()
            .enumerate()
            .map(|(w, &y)| ((w + 1) as f64, y))
            .collect()
    };
    if let Some(d) = demand {
        chart
            .draw_series(LineSeries::new(at(d), GREY.stroke_width(3)))
            .map_err(|x| x.to_string())?;
    }
    for (i, line) in lines.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        chart
            .draw_series(LineSeries::new(at(line), colour.stroke_width(3)))
            .map_err(|x| x.to_string())?;
    }
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let mut y = 24;
    if demand.is_some() {
        key.draw(&PathElement::new(
            [(8, y + 9), (40, y + 9)],
            GREY.stroke_width(3),
        ))
        .map_err(e)?;
        key.draw_text("customers", &text(TICK_PX).color(&INK), (48, y))
            .map_err(e)?;
        y += 28;
    }
    for (i, name) in names.iter().enumerate() {
        let colour = SERIES[i % SERIES.len()];
        key.draw(&PathElement::new(
            [(8, y + 9), (40, y + 9)],
            colour.stroke_width(3),
        ))
        .map_err(e)?;
        key.draw_text(name, &text(TICK_PX).color(&INK), (48, y))
            .map_err(e)?;
        y += 28;
    }
    Ok(())
}
