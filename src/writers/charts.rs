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

use crate::error::{Error, Result};
use crate::scenario::format::Objective;
use crate::scenario::model::Model;
use crate::stats::metrics::{metric, series_names, Aggregate, PromoPhase, Stat};
use crate::stats::period::{extreme, fold};
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::Once;

pub mod compare;
pub mod network;
pub mod sweep;

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

fn failed(path: &Path, msg: String) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(msg),
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
            .map_err(|m| io(&svg_path)(std::io::Error::other(m)))?;
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
        .map_err(|m| io(&png_path)(std::io::Error::other(m)))?;
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
        "promotions_vs_inventory" => promo_chart(root, ctx, title),
        "launch" => launch_chart(root, ctx, title),
        "promotions_by_week_of_period" => phase_chart(root, ctx, title),
        "scorecards_vs_outcome" => scorecard_chart(root, ctx, title),
        "outcomes" => outcome_chart(root, ctx, title),
        _ => interpretation_chart(root, ctx, title),
    }
}

/// Whether chart `name` has anything to show for this run.
fn applies(name: &str, ctx: &Ctx) -> bool {
    let launch = ctx.model.scenario.world.launch.is_some();
    match name {
        "promotions_by_week_of_period" => phase(ctx).is_some(),
        // A launch's week-by-week story is its own chart, not the promotions'.
        "promotions_vs_inventory" => !launch,
        "launch" => launch,
        _ => true,
    }
}

/// The sentence the report prints under chart `name`.
fn caption(name: &str, ctx: &Ctx) -> String {
    match name {
        "promotions_vs_inventory" => headline_caption(ctx),
        "promotions_by_week_of_period" => phase(ctx)
            .map(|(means, counts)| phase_sentence(promoter(ctx.model), &means, &counts))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------- style

const INK: RGBColor = RGBColor(30, 30, 30);
const GREY: RGBColor = RGBColor(110, 110, 110);
const GRID: RGBColor = RGBColor(228, 228, 228);
// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print.
const ORANGE: RGBColor = RGBColor(230, 159, 0);
const SKY: RGBColor = RGBColor(86, 180, 233);
const GREEN: RGBColor = RGBColor(0, 158, 115);
const BLUE: RGBColor = RGBColor(0, 114, 178);
const VERMILION: RGBColor = RGBColor(213, 94, 0);
const PURPLE: RGBColor = RGBColor(204, 121, 167);
const STOCKOUT: RGBColor = RGBColor(200, 30, 30);
const SERIES: [RGBColor; 5] = [BLUE, GREEN, PURPLE, SKY, VERMILION];

const TITLE_PX: f64 = 34.0;
const NOTE_PX: f64 = 19.0;
const CAPTION_PX: f64 = 21.0;
const DESC_PX: f64 = 19.0;
const TICK_PX: f64 = 17.0;
const LEGEND_PX: f64 = 18.0;

fn text(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

fn objective_colour(k: usize) -> RGBColor {
    [ORANGE, BLUE, GREEN][k % 3]
}

/// Title and a one-line note under it; returns the area below.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    title: &str,
    note: &str,
) -> Drawn<DrawingArea<DB, Shift>> {
    let (top, rest) = root.split_vertically(84);
    top.draw_text(title, &text(TITLE_PX), (24, 12))?;
    // The run's name after the title, smaller, cut to fit: a variant's chart must not pass for
    // the scenario's own.
    let (w, _) = top.estimate_text_size(title, &text(TITLE_PX))?;
    let x = 24 + w as i32 + 18;
    let room = WIDTH as i32 - 24 - x;
    let name_font = text(NOTE_PX).color(&GREY);
    let mut name = format!("· {}", ctx.model.name);
    let mut kept: Vec<char> = name.chars().collect();
    while top.estimate_text_size(&name, &name_font)?.0 as i32 > room && kept.len() > 3 {
        kept.pop();
        name = kept.iter().collect::<String>() + "…";
    }
    if room > 40 {
        top.draw_text(&name, &name_font, (x, 12 + (TITLE_PX - NOTE_PX) as i32))?;
    }
    top.draw_text(note, &text(NOTE_PX).color(&GREY), (24, 54))?;
    Ok(rest)
}

/// How a legend entry is drawn.
enum Mark {
    Line(RGBColor),
    Dashed(RGBColor),
    Band(RGBColor),
    Bar(RGBColor),
    Dot(RGBColor),
    Whisker,
}

fn draw_mark<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, m: &Mark, x: i32, y: i32) -> Drawn {
    let mid = y + 10;
    match m {
        Mark::Line(c) => area.draw(&PathElement::new(
            [(x, mid), (x + 30, mid)],
            c.stroke_width(4),
        ))?,
        Mark::Dashed(c) => {
            for s in [0, 12, 24] {
                area.draw(&PathElement::new(
                    [(x + s, mid), (x + s + 7, mid)],
                    c.stroke_width(2),
                ))?;
            }
        }
        Mark::Band(c) => area.draw(&Rectangle::new(
            [(x, y + 2), (x + 30, y + 18)],
            c.mix(0.25).filled(),
        ))?,
        Mark::Bar(c) => area.draw(&Rectangle::new(
            [(x + 5, y + 1), (x + 25, y + 19)],
            c.filled(),
        ))?,
        Mark::Dot(c) => area.draw(&Circle::new((x + 15, mid), 6, c.filled()))?,
        Mark::Whisker => {
            area.draw(&PathElement::new(
                [(x + 15, y), (x + 15, y + 20)],
                INK.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                [(x + 9, y), (x + 21, y)],
                INK.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                [(x + 9, y + 20), (x + 21, y + 20)],
                INK.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Draws legend entries in a column (`across` false) or a row, starting at `at`.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(Mark, String)],
    at: (i32, i32),
    across: bool,
) -> Drawn {
    // Centred on the mark's midline: top-anchored text sits differently in SVG and PNG.
    let style = text(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut x, mut y) = at;
    for (mark, label) in items {
        draw_mark(area, mark, x, y)?;
        area.draw_text(label, &style, (x + 38, y + 10))?;
        if across {
            let (w, _) = area.estimate_text_size(label, &style)?;
            x += 38 + w as i32 + 30;
        } else {
            y += 30;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- numbers

/// `12,345` style, for axis labels and captions.
pub fn grouped(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out.chars().any(|c| c != '0' && c != ',') {
        out.insert(0, '-');
    }
    out
}

/// Compact axis label: `80k`, `1.5M`, `0.25`.
fn short(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        trim(format!("{v:.2}"))
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// Pads a range so data never sits on the frame, and keeps it non-empty.
fn padded(lo: f64, hi: f64, share: f64) -> std::ops::Range<f64> {
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - span * share)..(hi + span * share)
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

// ---------------------------------------------------------------- 1: promotions vs inventory

/// Top of the stockout axis, % of stores: fixed, so two runs' charts compare by eye.
const STOCKOUT_TOP: f64 = 50.0;
/// Top of the weeks-of-cover axis, fixed; a higher value is drawn at the top.
const COVER_TOP: f64 = 8.0;
/// Top of the promotion-depth axis, % off, when the scenario offers no promotion.
const DEPTH_TOP: f64 = 50.0;

/// Per-week statistics of one series across trials.
struct Band {
    p10: Vec<f64>,
    p90: Vec<f64>,
    mean: Vec<f64>,
}

fn band(agg: &Aggregate, s: usize, scale: f64) -> Band {
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

fn series_index(model: &Model, name: &str) -> Option<usize> {
    series_names(model).iter().position(|n| n == name)
}

/// The mean of series `name` each week, times `scale` (zeros if the run has no such series).
fn weekly_mean(ctx: &Ctx, name: &str, scale: f64) -> Vec<f64> {
    let horizon = ctx.agg.horizon;
    match series_index(ctx.model, name) {
        Some(s) => (0..horizon)
            .map(|t| scale * ctx.agg.series_at(s, t).moments.mean())
            .collect(),
        None => vec![0.0; horizon],
    }
}

/// The promotion lever's options as the scenario writes them (before exclusions, so ruling a
/// depth out does not rescale the chart).
fn promo_options(model: &Model) -> Option<&[f64]> {
    let lever = &model.levers[model.promo_lever?];
    let written = model.scenario.roles.get(lever.role).and_then(|r| {
        let l = r.levers.iter().find(|l| l.name == lever.name)?;
        Some(l.options.as_slice())
    });
    Some(written.unwrap_or(&lever.options))
}

/// Top of a promotion-depth axis, % off: the deepest option on offer.
fn depth_top(model: &Model) -> f64 {
    let hi = promo_options(model).map_or(0.0, |o| min_max(o.iter().copied()).1);
    if hi > 0.0 {
        100.0 * hi
    } else {
        DEPTH_TOP
    }
}

/// A week is shaded as a promotion week when its mean depth (% off) reaches half the shallowest
/// promotion on offer: 5% off for options 0, 0.1, 0.2, 0.3. Set by the scenario, not the data.
fn promo_mark(model: &Model) -> f64 {
    let positive = promo_options(model)
        .into_iter()
        .flatten()
        .copied()
        .filter(|o| *o > 0.0);
    50.0 * positive.fold(f64::INFINITY, f64::min)
}

/// The role that runs promotions.
fn promoter(model: &Model) -> &str {
    model.promo_lever.map_or("the promoting role", |j| {
        model.roles[model.levers[j].role].name.as_str()
    })
}

/// What the three stacked panels share: the week axis, period ends, promotion weeks.
struct Weeks {
    horizon: usize,
    period: usize,
    labels: Vec<f64>,
    /// Mean promotion depth each week, % off.
    promo: Vec<f64>,
    /// Mean share of stores out of stock each week, %.
    stockout: Vec<f64>,
    /// Weeks whose mean depth reaches this (% off) are shaded.
    promo_mark: f64,
}

impl Weeks {
    fn new(ctx: &Ctx) -> Self {
        let horizon = ctx.model.horizon;
        let period = ctx.model.period.max(1);
        // Label period ends, thinned to at most ~20 labels.
        let step = period * (horizon / period).div_ceil(20).max(1);
        let labels = (1..=horizon / step).map(|k| (k * step) as f64).collect();
        Weeks {
            horizon,
            period,
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
fn headline_caption(ctx: &Ctx) -> String {
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

/// A linear axis whose ticks sit exactly where asked (period ends, bar groups).
struct Keyed {
    range: std::ops::Range<f64>,
    keys: Vec<f64>,
}

impl Keyed {
    fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> Self {
        Keyed { range, keys }
    }
}

impl Ranged for Keyed {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let share = (v - self.range.start) / (self.range.end - self.range.start);
        limit.0 + (share * (limit.1 - limit.0) as f64).round() as i32
    }
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Only bold (labelled) lines: light grid lines would double the period lines.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

impl ValueFormatter<f64> for Keyed {
    fn format(v: &f64) -> String {
        format!("{v}")
    }
}

type KeyedChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Keyed, RangedCoordf64>>;

/// One panel on the shared week axis; only the bottom one carries week labels.
fn week_panel<'a, DB: DrawingBackend>(
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
        .y_label_formatter(&|v| short(*v))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc(if bottom {
            "week (labels at period ends)"
        } else {
            ""
        })
        .y_desc(y_desc)
        .draw()?;
    Ok(chart)
}

/// Shaded promotion weeks behind the data, and dashed period ends.
fn week_marks<DB: DrawingBackend>(chart: &mut KeyedChart<DB>, weeks: &Weeks) -> Drawn {
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
fn weekly_bars<DB: DrawingBackend>(
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

fn draw_band<DB: DrawingBackend>(
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

fn draw_line<DB: DrawingBackend>(
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

/// Grey lines of text in a panel's gutter, from `y` down; skipped where they would not fit.
fn gutter_note<DB: DrawingBackend>(
    gutter: &DrawingArea<DB, Shift>,
    lines: &[String],
    y: i32,
) -> Drawn {
    let bottom = y + 24 * lines.len() as i32;
    if bottom > gutter.dim_in_pixel().1 as i32 {
        return Ok(());
    }
    let style = text(LEGEND_PX - 1.0).color(&GREY);
    let style = style.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, line) in lines.iter().enumerate() {
        gutter.draw_text(line, &style, (8, y + 10 + 24 * i as i32))?;
    }
    Ok(())
}

/// A panel of a week-by-week chart and its gutter (legend and notes) on the right.
type Panel<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// The week-by-week charts' layout: three panels stacked (176 and 214 pixels, then the rest,
/// which holds the week axis).
fn three_panels<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>) -> [Panel<DB>; 3] {
    let (plots, gutter) = body.split_horizontally(WIDTH as i32 - 290);
    let (top, rest) = plots.split_vertically(176);
    let (mid, low) = rest.split_vertically(214);
    let (g_top, g_rest) = gutter.split_vertically(176);
    let (g_mid, g_low) = g_rest.split_vertically(214);
    [(top, g_top), (mid, g_mid), (low, g_low)]
}

fn promo_chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, title: &str) -> Drawn {
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

/// The launch: the campaign's spend against shelf day, customers against sell-out, and the
/// stores out of stock, week by week.
fn launch_chart<DB: DrawingBackend>(
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
    let shelf_line = |chart: &mut KeyedChart<DB>| -> Drawn {
        let y = chart.y_range();
        chart.draw_series(DashedLineSeries::new(
            [(shelf - 0.5, y.start), (shelf - 0.5, y.end)],
            6,
            4,
            STOCKOUT.stroke_width(2),
        ))?;
        Ok(())
    };
    // The campaign.
    let media = weekly_mean(ctx, "media_spend", 1.0);
    let top_spend = media
        .iter()
        .fold(l.campaign_spend, |a, &v| a.max(v))
        .max(1e-9)
        * 1.1;
    let mut chart = week_panel(&top, &weeks, 0.0..top_spend, ("media per store", 4), false)?;
    weekly_bars(&mut chart, &media, top_spend, BLUE)?;
    shelf_line(&mut chart)?;
    let n = ctx.agg.sample.len().max(1) as f64;
    let k = metric("media_weeks_late");
    let late = ctx.agg.sample.iter().filter(|r| r.metrics[k] > 0.0).count() as f64 / n;
    legend(
        &g_top,
        &[(Mark::Bar(BLUE), "media spend, mean".to_string())],
        (6, 12),
        false,
    )?;
    let lines = [
        format!("aired after shelf day in {}", pct(late)),
        "of trials".to_string(),
    ];
    gutter_note(&g_top, &lines, 12 + 30 + 4)?;
    // Customers who came against what they could buy.
    let demand = weekly_mean(ctx, "consumer_demand", 1.0);
    let sold = weekly_mean(ctx, "sell_out", 1.0);
    let top_units = demand
        .iter()
        .chain(&sold)
        .fold(0.0f64, |a, &v| a.max(v))
        .max(1e-9)
        * 1.1;
    let mut chart = week_panel(&mid, &weeks, 0.0..top_units, ("units a week", 5), false)?;
    draw_line(&mut chart, &demand, top_units, GREY.stroke_width(3))?;
    draw_line(&mut chart, &sold, top_units, GREEN.stroke_width(3))?;
    shelf_line(&mut chart)?;
    let items = [
        (Mark::Line(GREY), "customers' demand, mean".to_string()),
        (Mark::Line(GREEN), "sell-out, mean".to_string()),
    ];
    legend(&g_mid, &items, (6, 12), false)?;
    let served = ctx.agg.metrics[metric("stores_served_share")]
        .moments
        .mean();
    let vs_plan = ctx.agg.metrics[metric("sell_out_vs_plan")].moments.mean();
    let lines = [
        format!("stores stocked: {}", pct(served)),
        format!("sell-out: {} of plan", pct(vs_plan)),
    ];
    gutter_note(&g_mid, &lines, 12 + 30 * items.len() as i32 + 4)?;
    // Shelves.
    let y = 0.0..100.0;
    let mut chart = week_panel(&low, &weeks, y, ("stores out (%)", 6), true)?;
    weekly_bars(&mut chart, &weeks.stockout, 100.0, STOCKOUT)?;
    shelf_line(&mut chart)?;
    let items = [
        (Mark::Bar(STOCKOUT), "stores out of stock, mean".to_string()),
        (Mark::Dashed(STOCKOUT), "shelf day".to_string()),
    ];
    legend(&g_low, &items, (6, 12), false)
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
        let mark = format!("promotion week: {}% or more", short(weeks.promo_mark));
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

// ---------------------------------------------------------------- 2: promotions by week of period

/// The two sides of [`PromoPhase`]: label and colour.
const SIDES: [(&str, RGBColor); 2] = [
    ("behind target at mid-period", VERMILION),
    ("on or ahead of target at mid-period", BLUE),
];

/// Mean promotion depth by week of the period, behind and not, with the numbers of periods:
/// `None` without a promotion lever or a whole period.
fn phase(ctx: &Ctx) -> Option<([Vec<f64>; 2], [f64; 2])> {
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

fn phase_chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, title: &str) -> Drawn {
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
        .y_label_formatter(&|v| short(*v))
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

// ---------------------------------------------------------------- 3: scorecards vs outcome

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

fn scorecard_chart<DB: DrawingBackend>(
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
        pct(claims_while_missed(ctx.agg, r))
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
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc("attainment (1 = target)")
        .y_desc(if first_col { "profit (money)" } else { "" })
        .draw()?;
    quadrant(&mut chart, x, y, target)?;
    role_points(&mut chart, ctx, r)
}

type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

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

// ---------------------------------------------------------------- 4: outcomes

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

fn outcome_chart<DB: DrawingBackend>(
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
        caption += &format!(", zero in {}", pct(zeros as f64 / total));
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
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(DESC_PX))
        .x_desc(spec.desc)
        .y_desc("% of trials")
        .draw()?;
    Ok(chart)
}

// ---------------------------------------------------------------- 5: interpretations

fn interpretation_chart<DB: DrawingBackend>(
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
        .y_label_formatter(&|v| pct(*v))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(80000.0), "80,000");
        assert_eq!(grouped(-1234567.4), "-1,234,567");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(short(80000.0), "80k");
        assert_eq!(short(1_500_000.0), "1.5M");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(nice(3.3), 5.0);
        assert_eq!(nice(0.21), 0.25);
    }

    #[test]
    fn a_period_folds_and_reads_as_words() {
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
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
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
