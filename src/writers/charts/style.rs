//! How every chart looks: the palette, the text sizes, the title block, legends and gutter
//! notes, and the axes the charts share.
//!
//! One place for the look, so the run's charts, a comparison's and a sweep's read as one set:
//! the same colours mean the same things, and a change of font size changes every chart.

use super::{Ctx, Drawn, WIDTH};
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

// ---------------------------------------------------------------- colours and text

pub(super) const INK: RGBColor = RGBColor(30, 30, 30);
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);
pub(super) const GRID: RGBColor = RGBColor(228, 228, 228);
// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print.
pub(super) const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub(super) const SKY: RGBColor = RGBColor(86, 180, 233);
pub(super) const GREEN: RGBColor = RGBColor(0, 158, 115);
pub(super) const BLUE: RGBColor = RGBColor(0, 114, 178);
pub(super) const VERMILION: RGBColor = RGBColor(213, 94, 0);
pub(super) const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub(super) const STOCKOUT: RGBColor = RGBColor(200, 30, 30);
pub(super) const SERIES: [RGBColor; 5] = [BLUE, GREEN, PURPLE, SKY, VERMILION];

// Text sizes, in pixels.
pub(super) const TITLE_PX: f64 = 34.0;
pub(super) const NOTE_PX: f64 = 19.0;
pub(super) const CAPTION_PX: f64 = 21.0;
pub(super) const DESC_PX: f64 = 19.0;
pub(super) const TICK_PX: f64 = 17.0;
pub(super) const LEGEND_PX: f64 = 18.0;

/// Text in the embedded font at `size` pixels, in ink.
pub(super) fn text(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

/// Title and a one-line note under it; returns the area below.
pub(super) fn header<DB: DrawingBackend>(
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
pub(super) enum Mark {
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
pub(super) fn legend<DB: DrawingBackend>(
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

/// Grey lines of text in a panel's gutter, from `y` down; skipped where they would not fit.
pub(super) fn gutter_note<DB: DrawingBackend>(
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

// ---------------------------------------------------------------- axes

/// Pads a range so data never sits on the frame, and keeps it non-empty.
pub(super) fn padded(lo: f64, hi: f64, share: f64) -> std::ops::Range<f64> {
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - span * share)..(hi + span * share)
}

/// The least and greatest of `values` (infinities, the wrong way round, for none).
pub(super) fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// A linear axis whose ticks sit exactly where asked (period ends, bar groups).
pub(super) struct Keyed {
    range: std::ops::Range<f64>,
    keys: Vec<f64>,
}

impl Keyed {
    pub(super) fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> Self {
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

/// A chart on a [`Keyed`] x axis: the week-by-week panels, and bar groups.
pub(super) type KeyedChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Keyed, RangedCoordf64>>;

/// A chart on two plain linear axes: scatter plots and histograms.
pub(super) type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
