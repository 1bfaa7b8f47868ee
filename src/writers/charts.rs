//! Charts of a run, written as PNG and SVG under `<out>/charts/`.
//!
//! Each chart is drawn by one function generic over the plotters backend, once into an
//! SVG string (kept for the report) and once into a PNG file, so both show the same
//! picture. Text is rasterised with an embedded font (DejaVu Sans), never a system font,
//! so a PNG is byte-identical on every machine; nothing in a chart depends on the clock.
//!
//! Axes whose range has a natural bound are fixed (promotion depth up to the lever's deepest
//! option, stores out of stock up to half of them, weeks of cover up to 8, weights up to 100%),
//! so the charts of two runs can be set side by side and compared by eye.
//!
//! Each chart of [`CHARTS`] is drawn in the file named after it (`promotions_vs_inventory`,
//! `launch`, `promotions_by_week_of_period`, `scorecards_vs_outcome`, `outcomes`,
//! `interpretations`), on pieces they share: the look (`style`), numbers as labels (`crate::numbers`),
//! the week-by-week frame (`weeks`) and what the promotion lever fixes (`promo_lever`). A
//! comparison's, a sweep's and a network run's charts are `compare`, `sweep` and `network`.
//! This file says which charts a run draws, and writes each as SVG and PNG.

use crate::error::{Error, Result};
use crate::scenario::model::Model;
use crate::stats::metrics::Aggregate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

pub(crate) mod compare;
pub(crate) mod debrief;
pub(crate) mod network;
pub(crate) mod sweep;

mod interpretations;
mod launch;
mod outcomes;
mod promo_lever;
mod promotions_by_week_of_period;
mod promotions_vs_inventory;
mod scorecards_vs_outcome;
mod style;
mod weeks;

pub use scorecards_vs_outcome::claims_while_missed;

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1280;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 720;

/// One chart that was written.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem under `charts/` (`NAME.png`, `NAME.svg`).
    pub name: String,
    /// The title drawn on the chart.
    pub title: String,
    /// One sentence on what the chart shows, computed from the numbers (empty for none).
    pub caption: String,
    /// The SVG document, for inlining in the report.
    pub svg: String,
}

/// The charts a run may draw, in report order: (file stem, title). A chart that does not apply
/// to a scenario (the week-of-period chart without a promotion lever) is skipped.
pub const CHARTS: &[(&str, &str)] = &[
    (
        "promotions_vs_inventory",
        "Promotions against inventory, week by week",
    ),
    ("launch", "The launch, week by week"),
    (
        "promotions_by_week_of_period",
        "Promotion depth by week of the bonus period",
    ),
    (
        "scorecards_vs_outcome",
        "Scorecard attainment against profit, one point per trial",
    ),
    ("outcomes", "Outcomes across trials"),
    ("interpretations", "How each role reads the strategy"),
];

/// Draws every chart of [`CHARTS`] that applies into `dir/charts/` and returns them in that order.
pub fn write_charts(model: &Model, agg: &Aggregate, dir: &Path) -> Result<Vec<Chart>> {
    register_font();
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| Error::Io {
        path: charts_dir.clone(),
        source,
    })?;
    let ctx = Ctx { model, agg };
    CHARTS
        .iter()
        .filter(|(name, _)| applies(name, &ctx))
        .map(|(name, title)| {
            let svg = render(name, title, &ctx, &charts_dir)?;
            Ok(Chart {
                name: name.to_string(),
                title: title.to_string(),
                caption: caption(name, &ctx),
                svg,
            })
        })
        .collect()
}

/// The font is compiled in, so registering it cannot fail at run time (a test proves it parses).
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        let ok = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok();
        assert!(ok, "the embedded DejaVu Sans font parses");
    });
}

struct Ctx<'a> {
    model: &'a Model,
    agg: &'a Aggregate,
}

/// A drawing failure, with the backend's message.
struct DrawError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(e.to_string())
    }
}

type Drawn<T = ()> = std::result::Result<T, DrawError>;

/// A drawing failure on the chart's file `path`.
fn failed(path: &Path, message: String) -> Error {
    Error::Drawing {
        path: path.to_path_buf(),
        message,
    }
}

/// The headline chart (promotions against inventory, or a launch's) of one arm of a comparison, as
/// `dir/charts/<stem>.svg` and `.png`. Its scales are fixed (depth, cover, stores out), so the
/// arms' charts share their axes and can be set side by side.
pub fn write_headline(model: &Model, agg: &Aggregate, dir: &Path, stem: &str) -> Result<Chart> {
    register_font();
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| Error::Io {
        path: charts_dir.clone(),
        source,
    })?;
    let ctx = Ctx { model, agg };
    // A launch's week-by-week story is its own chart (see `applies`).
    let (name, title) = *CHARTS
        .iter()
        .find(|(n, _)| applies(n, &ctx))
        .expect("one of the week-by-week charts applies");
    let svg = render_as(name, stem, title, &ctx, &charts_dir)?;
    Ok(Chart {
        name: stem.to_string(),
        title: title.to_string(),
        caption: caption(name, &ctx),
        svg,
    })
}

/// A chart that draws itself on any plotters backend: SVG for the report, PNG for the folder.
pub(crate) trait Figure {
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// Writes `dir/charts/<stem>.svg` and `<stem>.png` from one figure; returns the SVG text.
pub(crate) fn write_figure(dir: &Path, stem: &str, figure: &impl Figure) -> Result<String> {
    register_font();
    let charts = dir.join("charts");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&charts).map_err(io(&charts))?;
    let svg_path = charts.join(format!("{stem}.svg"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        figure
            .draw(&root)
            .and_then(|_| root.present().map_err(|e| e.to_string()))
            .map_err(|m| failed(&svg_path, m))?;
    }
    // Viewers of the SVG pick their own font; ask for the one the layout was measured with.
    let svg = svg.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
    );
    std::fs::write(&svg_path, &svg).map_err(io(&svg_path))?;
    let png_path = charts.join(format!("{stem}.png"));
    let root = BitMapBackend::new(&png_path, (WIDTH, HEIGHT)).into_drawing_area();
    figure
        .draw(&root)
        .and_then(|_| root.present().map_err(|e| e.to_string()))
        .map_err(|m| failed(&png_path, m))?;
    Ok(svg)
}

/// Draws chart `name` as SVG and PNG; returns the SVG text.
fn render(name: &str, title: &str, ctx: &Ctx, dir: &Path) -> Result<String> {
    render_as(name, name, title, ctx, dir)
}

/// Draws chart `name` into files named `stem`.
fn render_as(name: &str, stem: &str, title: &str, ctx: &Ctx, dir: &Path) -> Result<String> {
    let svg_path = dir.join(format!("{stem}.svg"));
    let png_path = dir.join(format!("{stem}.png"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(name, title, &root, ctx)
            .and_then(|_| Ok(root.present()?))
            .map_err(|e| failed(&svg_path, e.0))?;
    }
    // Viewers of the SVG pick their own font; ask for the one the layout was measured with.
    let svg = svg.replace(
        "font-family=\"sans-serif\"",
        "font-family=\"DejaVu Sans, Verdana, sans-serif\"",
    );
    std::fs::write(&svg_path, &svg).map_err(|source| Error::Io {
        path: svg_path.clone(),
        source,
    })?;
    let root = BitMapBackend::new(&png_path, (WIDTH, HEIGHT)).into_drawing_area();
    draw(name, title, &root, ctx)
        .and_then(|_| Ok(root.present()?))
        .map_err(|e| failed(&png_path, e.0))?;
    Ok(svg)
}

fn draw<DB: DrawingBackend>(
    name: &str,
    title: &str,
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
) -> Drawn {
    root.fill(&WHITE)?;
    match name {
        "promotions_vs_inventory" => promotions_vs_inventory::promo_chart(root, ctx, title),
        "launch" => launch::launch_chart(root, ctx, title),
        "promotions_by_week_of_period" => {
            promotions_by_week_of_period::phase_chart(root, ctx, title)
        }
        "scorecards_vs_outcome" => scorecards_vs_outcome::scorecard_chart(root, ctx, title),
        "outcomes" => outcomes::outcome_chart(root, ctx, title),
        _ => interpretations::interpretation_chart(root, ctx, title),
    }
}

/// Whether chart `name` has anything to show for this run.
fn applies(name: &str, ctx: &Ctx) -> bool {
    let launch = ctx.model.scenario.world.launch.is_some();
    match name {
        "promotions_by_week_of_period" => promotions_by_week_of_period::phase(ctx).is_some(),
        // A launch's week-by-week story is its own chart, not the promotions'.
        "promotions_vs_inventory" => !launch,
        "launch" => launch,
        _ => true,
    }
}

/// The sentence the report prints under chart `name`.
fn caption(name: &str, ctx: &Ctx) -> String {
    match name {
        "promotions_vs_inventory" => promotions_vs_inventory::headline_caption(ctx),
        "promotions_by_week_of_period" => promotions_by_week_of_period::caption(ctx),
        _ => String::new(),
    }
}
