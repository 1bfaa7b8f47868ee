//! The market: the mean of consumer demand per store each week, from the season, media
//! adstock and awareness, a promotion's uplift and the dip that follows it, and the shelf day
//! of a launch (no demand before it). The random draw around the mean is made where the
//! stores sell (`consumer_sales.rs`).

use crate::scenario::model::Model;
use crate::sim::world::Settings;

/// The demand mean: season, media adstock, promotion uplift and the dip that follows it.
#[derive(Debug, Clone, Copy)]
pub struct Market {
    adstock: f64,
    uplift_hist: [f64; 12],
}

impl Market {
    /// A market with no media history and no recent promotion.
    pub fn new() -> Self {
        Market {
            adstock: 0.0,
            uplift_hist: [0.0; 12],
        }
    }

    /// Advances media and promotion state by one week; returns (demand multiplier, awareness).
    pub fn step(&mut self, model: &Model, t: usize, s: &Settings) -> (f64, f64) {
        let d = &model.scenario.world.demand;
        let m = &model.scenario.world.media;
        self.adstock = m.adstock_decay * self.adstock + s.media_spend;
        let awareness = 1.0 - (-self.adstock / m.saturation_spend).exp();
        // `t` is the world's clock, which starts with the warm-up: week 0 of the calendar is the
        // first scored week.
        let week = t as f64 - model.warmup as f64;
        let season = 1.0
            + d.season_amplitude
                * (2.0 * std::f64::consts::PI * (week - d.season_peak_week as f64) / 52.0).cos();
        let expected = (d.promo_elasticity * s.promo_depth).exp();
        // Exactly as expected unless a lift was drawn: `1 + (x - 1)` need not be `x` to the bit.
        let uplift = if s.promo_lift == 1.0 {
            expected
        } else {
            1.0 + (expected - 1.0) * s.promo_lift
        };
        let dw = d.dip_weeks as usize;
        let owed: f64 = (1..=dw)
            .map(|j| self.uplift_hist[(t + 12 - j) % 12])
            .sum::<f64>();
        let dip = (1.0 - d.pull_forward * owed / dw as f64).max(0.0);
        self.uplift_hist[t % 12] = uplift - 1.0;
        // Before a launch's shelf day there is nothing to buy.
        let on_shelf = if t >= shelf_tick(model) { 1.0 } else { 0.0 };
        (
            on_shelf * season * (1.0 + m.max_uplift * awareness) * uplift * dip,
            awareness,
        )
    }
}

impl Default for Market {
    fn default() -> Self {
        Self::new()
    }
}

/// The world-clock week of a launch's shelf day: the warm-up, then `shelf_week - 1` scored weeks
/// (0 without a launch: the product has always been on shelf).
pub fn shelf_tick(model: &Model) -> usize {
    model
        .scenario
        .world
        .launch
        .as_ref()
        .map_or(0, |l| model.warmup + l.shelf_week as usize - 1)
}

/// Expected consumer demand per week at a size factor of 1 (no season, media or promotion).
pub fn base_demand(model: &Model) -> f64 {
    let last = model
        .chain
        .last()
        .expect("validated: a chain has a stock point");
    let per = model.scenario.world.demand.base_per_store;
    if last.per_store {
        per
    } else {
        per * model.stores as f64
    }
}
