//! The chain of stock points ([`Chain`]): its construction (the real world with a node per
//! store, or an empty one-store copy for a mental model), what it holds, and one week's
//! steps in order: arrivals and expiry, consumers, then from the stores upstream each point's
//! orders (`replenishment_orders.rs`) and the shipments that fill them (`order_filling.rs`),
//! and the week's holding costs.

use crate::scenario::model::Model;
use crate::sim::rng;
use crate::sim::world::market_demand::{base_demand, shelf_tick};
use crate::sim::world::stock_point_state::StockPointState;
use crate::sim::world::{Flows, Settings};
use rand_chacha::ChaCha8Rng;

/// The chain of stock points.
#[derive(Debug, Clone)]
pub struct Chain {
    pub(super) levels: Vec<StockPointState>,
    /// Relative size of each consumer-facing node.
    pub(super) sizes: Vec<f64>,
    /// Each consumer-facing node's rank by size, 0 the largest: a retailer serving a share of
    /// its stores serves the largest (ties by index).
    pub(super) rank: Vec<usize>,
    /// The world-clock week of a launch's shelf day (0 without a launch).
    pub(super) shelf: usize,
    /// Retailer's weighted average cost per unit.
    pub(super) retailer_wac: f64,
    /// StockPointSpec receiving sell-in.
    pub(super) sell_in: usize,
    /// Whether demand is drawn (the real world) or taken as its mean (a mental model).
    pub(super) random: bool,
    /// The first stock point whose orders or demand reached
    /// [`UNITS_LIMIT`](super::UNITS_LIMIT) (and were capped there): the trial's numbers are
    /// then no longer the model's.
    pub capped: Option<usize>,
    /// Per consumer-facing node: whether its order this week is missed (`miss_orders`).
    pub(super) missed: Vec<bool>,
}

/// Ranks of the nodes by size, largest first (0), ties by index.
fn size_ranks(sizes: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].total_cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![0; sizes.len()];
    for (k, &c) in order.iter().enumerate() {
        rank[c] = k;
    }
    rank
}

impl Chain {
    /// The real world at week 0: one node per store, opening stock at each point's cover.
    pub fn new(model: &Model, sizes: Vec<f64>) -> Chain {
        let n = model.chain.len();
        let copies_last = if model.chain[n - 1].per_store {
            model.stores
        } else {
            1
        };
        let total = base_demand(model) * sizes.iter().sum::<f64>();
        let levels = (0..n)
            .map(|e| {
                let copies = if e == n - 1 { copies_last } else { 1 };
                let fc = |c: usize| {
                    if e == n - 1 {
                        base_demand(model) * sizes[c]
                    } else {
                        total
                    }
                };
                StockPointState::new(model, e, copies, fc, true)
            })
            .collect();
        Chain {
            levels,
            rank: size_ranks(&sizes),
            sizes,
            shelf: shelf_tick(model),
            retailer_wac: model.scenario.world.prices.list_price,
            sell_in: model.sell_in,
            random: true,
            capped: None,
            missed: vec![false; copies_last],
        }
    }

    /// Draws this week's missed store orders: one uniform per consumer-facing node from `rng`,
    /// always, each a miss with probability `world.store_order_miss`. Call before
    /// [`advance`](super::advance); without a call (the plan) no order is missed.
    pub fn miss_orders(&mut self, model: &Model, rng: &mut ChaCha8Rng) {
        let p = model.scenario.world.store_order_miss;
        for m in self.missed.iter_mut() {
            *m = rng::open01(rng) < p;
        }
    }

    /// An empty one-store chain of the same shape, to hold a mental model.
    pub fn scratch(model: &Model) -> Chain {
        let levels = (0..model.chain.len())
            .map(|e| StockPointState::new(model, e, 1, |_| 0.0, false))
            .collect();
        Chain {
            levels,
            sizes: vec![1.0],
            rank: vec![0],
            shelf: shelf_tick(model),
            retailer_wac: 0.0,
            sell_in: model.sell_in,
            random: false,
            capped: None,
            missed: vec![false],
        }
    }

    /// Fills `into` (made by [`Chain::scratch`]) with this chain pooled into one store.
    pub fn pool_into(&self, into: &mut Chain) {
        for (src, dst) in self.levels.iter().zip(into.levels.iter_mut()) {
            src.pool_into(dst);
        }
        into.sizes[0] = self.sizes.iter().sum();
        into.retailer_wac = self.retailer_wac;
    }

    /// Copies state between chains of the same shape without allocating.
    pub fn copy_from(&mut self, other: &Chain) {
        for (dst, src) in self.levels.iter_mut().zip(&other.levels) {
            dst.on_hand.copy_from_slice(&src.on_hand);
            dst.on_order.copy_from_slice(&src.on_order);
            dst.owed.copy_from_slice(&src.owed);
            dst.forecast.copy_from_slice(&src.forecast);
            dst.mse.copy_from_slice(&src.mse);
            dst.ma.copy_from_slice(&src.ma);
            dst.inbound.copy_from_slice(&src.inbound);
            dst.pipe.copy_from_slice(&src.pipe);
            dst.cohorts.copy_from_slice(&src.cohorts);
            dst.customer_owed.copy_from_slice(&src.customer_owed);
        }
        self.sizes.copy_from_slice(&other.sizes);
        self.retailer_wac = other.retailer_wac;
    }

    /// Replaces what a role believes an echelon holds (stale or assumed stock).
    pub fn set_on_hand(&mut self, e: usize, units: f64) {
        let l = &mut self.levels[e];
        l.on_hand[0] = units.max(0.0).round() as i64;
    }

    /// Sum of store size factors (the market's size in stores).
    pub fn total_size(&self) -> f64 {
        self.sizes.iter().sum()
    }

    /// Forecast weekly demand at an echelon (summed over copies).
    pub fn forecast(&self, e: usize) -> f64 {
        self.levels[e].forecast.iter().sum()
    }

    /// Units the company still holds: on hand and in transit at the stock points upstream of
    /// the sell-in point.
    pub fn company_units(&self) -> i64 {
        self.levels[..self.sell_in]
            .iter()
            .map(|l| l.on_hand.iter().sum::<i64>() + l.inbound.iter().sum::<i64>())
            .sum()
    }

    /// Units on hand, in transit, owed to the chain, in pipes: everything the chain holds.
    pub fn units_in_system(&self) -> i64 {
        self.levels
            .iter()
            .map(|l| l.on_hand.iter().sum::<i64>() + l.inbound.iter().sum::<i64>())
            .sum()
    }

    /// Steps one week. `u` supplies one uniform per consumer-facing node (ignored by a mental model).
    pub fn step(
        &mut self,
        model: &Model,
        t: usize,
        s: &Settings,
        mult: f64,
        rng: Option<&mut ChaCha8Rng>,
        f: &mut Flows,
    ) {
        let n = self.levels.len();
        for (e, l) in self.levels.iter_mut().enumerate() {
            let expired = l.arrive(t, model.chain[e].lead) as f64;
            f.write_off += expired;
            if e >= self.sell_in {
                f.retailer_costs += expired * self.retailer_wac;
            } else {
                f.company_costs += expired * model.scenario.world.prices.unit_cost;
            }
        }
        self.consumers(model, t, s, mult, rng, f);
        let deal = s.promo_depth > 0.0;
        for e in (0..n).rev() {
            self.place_orders(model, e, t, s, deal, f);
            self.fill_orders(model, e, t, s, f);
        }
        for (e, l) in self.levels.iter().enumerate() {
            let oh: i64 = l.on_hand.iter().sum();
            f.on_hand[e] = oh as f64;
            f.forecast[e] = l.forecast.iter().sum();
            f.holding += oh as f64 * model.chain[e].holding;
            if e >= self.sell_in {
                f.retailer_costs += oh as f64 * model.chain[e].holding;
            } else {
                f.company_costs += oh as f64 * model.chain[e].holding;
            }
        }
    }

    /// How many consumer-facing nodes carry the product under `s` (the largest first).
    pub(super) fn served_count(&self, s: &Settings) -> usize {
        let n = self.rank.len();
        ((s.served * n as f64).round() as usize).clamp(1, n)
    }
}
