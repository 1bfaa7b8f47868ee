//! Each stock point's orders upstream: its forecast updated by what it saw, the quantity its
//! policy asks (order-up-to with safety stock, Sterman's heuristic, or a fixed quantity), a
//! forward buy while a deal is on, nothing from a store whose order is missed or that the
//! retailer does not serve, rounded to whole units and capped at the units limit, then put in
//! the order pipe.

use crate::scenario::format::OrderPolicy;
use crate::scenario::model::{Model, StockPointSpec};
use crate::sim::world::stock_point_state::StockPointState;
use crate::sim::world::supply_chain::Chain;
use crate::sim::world::{Flows, Settings};

impl Chain {
    /// Places this week's orders of every copy of echelon `e`; `deal` says a promotion deal is on.
    pub(super) fn place_orders(
        &mut self,
        model: &Model,
        e: usize,
        t: usize,
        s: &Settings,
        deal: bool,
        f: &mut Flows,
    ) {
        let spec = &model.chain[e];
        let owed_down: i64 = if e + 1 < self.levels.len() {
            self.levels[e + 1].owed.iter().sum()
        } else {
            0
        };
        let is_stores = e + 1 == self.levels.len();
        let served = if is_stores {
            self.served_count(s)
        } else {
            usize::MAX
        };
        let l = &mut self.levels[e];
        let mut capped = false;
        // Before a launch's shelf day nothing has sold: forecasts stay at the launch plan.
        let selling = t >= self.shelf;
        // Stores the retailer does not serve order nothing: `served` counts the largest stores.
        for c in 0..l.copies {
            let x = l.seen[c] as f64;
            if selling {
                l.observe(c, x, &spec.policy);
            }
            let fc = l.forecast[c];
            let position = (l.on_hand[c] + l.on_order[c] - owed_down - l.customer_owed[c]) as f64;
            let mut q = policy_order(spec, l, c, s.cover[e], position, owed_down);
            if deal && s.forward_buy[e] > 0.0 {
                let room = model.scenario.world.retailer_max_cover_weeks * fc - position - q;
                q += (s.forward_buy[e] * fc).min(room.max(0.0));
            }
            let missed = is_stores && spec.per_store && self.missed[c];
            let q = if missed || self.rank.get(c).is_some_and(|&r| r >= served) {
                0.0
            } else {
                q
            };
            // NaN (never seen) orders nothing, as `as` makes it.
            let q = (q + 0.5).floor();
            let q = if q.is_nan() || q <= l.cap as f64 {
                q as i64
            } else {
                capped = true;
                l.cap
            };
            let slot =
                StockPointState::slot(t + spec.order_delay, spec.order_delay + 1, c, l.copies);
            l.pipe[slot] += q;
            l.on_order[c] += q;
            f.orders[e] += q as f64;
        }
        if capped {
            self.capped.get_or_insert(e);
        }
    }
}

/// The units copy `c` of stock point `spec` asks for this week by its ordering policy, before
/// forward buys, missed orders and rounding: `cover` is a lever's cover (NaN: the policy's own),
/// `position` the copy's stock position (on hand and on order, less what it owes), `owed_down`
/// what it owes the point below.
fn policy_order(
    spec: &StockPointSpec,
    l: &StockPointState,
    c: usize,
    cover: f64,
    position: f64,
    owed_down: i64,
) -> f64 {
    // Units in the pipeline at the end of a week: ordered, not yet on hand.
    let lead = (spec.lead + spec.order_delay) as f64;
    // Risk period. Orders are placed after this week's consumers; one placed in week t is
    // shipped in week t + order delay and, with lead L >= 1, arrives at the start of week
    // t + delay + L, in time for that week's consumers. With lead 0 it goes on hand at once,
    // after this week's consumers: in time for next week, like lead 1. So the stock this
    // order brings up must last delay + max(L, 1) weeks, until the next order arrives. The
    // order-up-to level covers that, plus `cover_weeks`; the safety term uses one week more,
    // as it always has. For L >= 1 this is delay + L, as before; lead 0 now stocks like lead 1
    // (it stocked a week less: the built-in's stores filled 0.75 of demand instead of 1.00).
    let risk = (spec.lead.max(1) + spec.order_delay) as f64;
    let fc = l.forecast[c];
    match &spec.policy {
        OrderPolicy::OrderUpTo {
            cover_weeks,
            safety_factor,
            ..
        } => {
            let cover = if cover.is_nan() { *cover_weeks } else { cover };
            let safety = safety_factor * (l.mse[c] * (risk + 1.0)).sqrt();
            (fc * (risk + cover) + safety - position).max(0.0)
        }
        OrderPolicy::Sterman {
            alpha_s,
            beta,
            desired_cover_weeks,
            ..
        } => {
            let cover = if cover.is_nan() {
                *desired_cover_weeks
            } else {
                cover
            };
            let stock = (l.on_hand[c] - owed_down - l.customer_owed[c]) as f64;
            let supply_line = l.on_order[c] as f64;
            let desired_line = fc * lead;
            (fc + alpha_s * (fc * cover - stock + beta * (desired_line - supply_line))).max(0.0)
        }
        OrderPolicy::Fixed { quantity } => *quantity,
    }
}
