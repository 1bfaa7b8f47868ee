//! Filling each stock point's orders from the point above it (or production): the orders
//! due this week added to what each copy is owed, shipped in full when there is enough and
//! in proportion when there is not, unfilled orders dropped where the point above loses them;
//! units pushed by trade loading into the sell-in point; and the sell-in's revenue, trade
//! spend and the retailer's average cost.

use crate::scenario::format::Unmet;
use crate::scenario::model::{Model, StockPointSpec};
use crate::sim::world::stock_point_state::StockPointState;
use crate::sim::world::supply_chain::Chain;
use crate::sim::world::{Flows, Settings};

impl Chain {
    /// Ships the orders of echelon `e` that are due now, from echelon `e - 1` (or production).
    pub(super) fn fill_orders(
        &mut self,
        model: &Model,
        e: usize,
        t: usize,
        s: &Settings,
        f: &mut Flows,
    ) {
        let spec = &model.chain[e];
        let (up, down) = self.levels.split_at_mut(e);
        let child = &mut down[0];
        let parent = up.last_mut();
        let available = parent.as_ref().map_or(i64::MAX, |p| p.on_hand[0]);
        let (shipped_total, new_orders) = ship_due_orders(child, available, t, spec);
        let unmet_lost = parent.as_ref().is_some() && model.chain[e - 1].unmet == Unmet::Lost;
        if unmet_lost {
            for c in 0..child.copies {
                child.on_order[c] -= std::mem::take(&mut child.owed[c]);
            }
        }
        let mut loaded = 0i64;
        if let Some(p) = parent {
            p.take(0, shipped_total);
            p.seen[0] = new_orders;
            if e == self.sell_in && s.loading_weeks > 0.0 {
                let max_cover = model.scenario.world.retailer_max_cover_weeks;
                loaded = load_trade(child, p, t, spec.lead, s.loading_weeks, max_cover);
            }
            f.outflow[e - 1] += (shipped_total + loaded) as f64;
        } else {
            f.produced += shipped_total as f64;
        }
        if e == self.sell_in {
            self.record_sell_in(model, t, s, shipped_total, loaded, f);
        }
    }

    /// The sell-in of week `t`: `shipped` units at the deal price and `loaded` at the loading
    /// discount on top, as revenue, trade spend and units, and the retailer's average cost of
    /// what it holds (every stock point from the sell-in point down).
    fn record_sell_in(
        &mut self,
        model: &Model,
        t: usize,
        s: &Settings,
        shipped_total: i64,
        loaded: i64,
        f: &mut Flows,
    ) {
        let prices = &model.scenario.world.prices;
        let deal = prices.list_price * (1.0 - s.promo_depth);
        let revenue =
            shipped_total as f64 * deal + loaded as f64 * deal * (1.0 - prices.loading_discount);
        let units = (shipped_total + loaded) as f64;
        let held: i64 = self.levels[self.sell_in..]
            .iter()
            .map(|l| l.on_hand.iter().sum::<i64>())
            .sum();
        if units > 0.0 {
            self.retailer_wac = (self.retailer_wac * held as f64 + revenue) / (held as f64 + units);
        }
        f.sell_in_units += units;
        f.sell_in_revenue += revenue;
        f.gross_sell_in += units * prices.list_price;
        f.trade_spend += units * prices.list_price - revenue;
        if model.scenario.world.launch.is_some() && t < self.shelf {
            f.launch_sell_in += units;
        }
    }
}

/// Adds the orders of `child` due in week `t` to what each copy is owed, then ships what is
/// owed from `available` units: all of it when there is enough, else in proportion, the
/// rounding remainder to the earliest copies. Returns the units shipped and the units newly
/// ordered.
fn ship_due_orders(
    child: &mut StockPointState,
    available: i64,
    t: usize,
    spec: &StockPointSpec,
) -> (i64, i64) {
    let due_slot = |c| StockPointState::slot(t, spec.order_delay + 1, c, child.copies);
    let (mut total, mut new_orders) = (0i64, 0i64);
    for c in 0..child.copies {
        let q = std::mem::take(&mut child.pipe[due_slot(c)]);
        child.owed[c] += q;
        new_orders += q;
        total += child.owed[c];
    }
    let mut shipped_total = 0i64;
    let mut remainder = available.min(total);
    for c in 0..child.copies {
        let want = child.owed[c];
        let q = if total <= available {
            want
        } else {
            // Proportional allocation; the rounding remainder goes to the earliest copies.
            let share = (want as i128 * available as i128 / total as i128) as i64;
            share.min(remainder)
        };
        remainder -= q;
        shipped_total += q;
        child.owed[c] -= q;
        child.ship_in(t, spec.lead, c, q);
    }
    if remainder > 0 {
        for c in 0..child.copies {
            let extra = remainder.min(child.owed[c]);
            if extra > 0 {
                remainder -= extra;
                shipped_total += extra;
                child.owed[c] -= extra;
                child.ship_in(t, spec.lead, c, extra);
            }
        }
    }
    (shipped_total, new_orders)
}

/// Pushes trade loading from `parent` into `child`, the sell-in point: each copy (each store,
/// at a per-store point) takes `weeks` of its own forecast, up to its own room below
/// `max_cover` weeks; the whole units are spread in proportion to those wants (cumulative
/// rounding: each copy gets its share rounded down or up, and the units sum exactly). Returns
/// the units loaded.
fn load_trade(
    child: &mut StockPointState,
    parent: &mut StockPointState,
    t: usize,
    lead: usize,
    weeks: f64,
    max_cover: f64,
) -> i64 {
    let total_want: f64 = (0..child.copies)
        .map(|c| child.loading_want(c, weeks, max_cover))
        .sum();
    let loaded = ((total_want + 0.5).floor() as i64)
        .min(parent.on_hand[0])
        .max(0);
    parent.take(0, loaded);
    let (mut cum, mut given) = (0.0, 0i64);
    for c in 0..child.copies {
        if given == loaded {
            break;
        }
        cum += child.loading_want(c, weeks, max_cover);
        let upto = if c + 1 == child.copies {
            loaded
        } else {
            ((loaded as f64 * cum / total_want + 0.5).floor() as i64).min(loaded)
        };
        let q = upto - given;
        given = upto;
        child.ship_in(t, lead, c, q);
        child.on_order[c] += q;
    }
    loaded
}
