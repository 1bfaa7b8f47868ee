//! The shared reality: the market (demand mean) and the chain of stock points.
//!
//! The same code steps the real world of a trial (random demand, one node per store)
//! and each role's mental model of it (expected demand, stores pooled into one node):
//! a role's projection is the world as it believes it to be, stepped forward.
//!
//! Units are integers, so conservation is exact: every unit is on hand, in transit,
//! sold, or written off (see the conservation property test). They are 64-bit integers, kept
//! far from overflow by [`UNITS_LIMIT`].

use crate::scenario::format::{DemandDistribution, Forecast, OrderPolicy, Unmet};
use crate::scenario::model::{Model, MAX_ECHELONS};
use crate::sim::rng;
use rand_chacha::ChaCha8Rng;

/// The most units a stock point (all its copies together) may order in one week, and the
/// most its consumers may demand: 2^49, about 5.6e14. Each copy's order or demand draw is
/// capped at its share, `UNITS_LIMIT / copies`; a cap reached marks the chain
/// ([`Chain::capped`]) and a run refuses that trial by name, as it refuses a non-finite metric.
///
/// Why this size. Every count a stock point keeps (on hand, on order, owed, in transit, a
/// backlog), summed over its copies, is at most its opening stock and pipeline plus its orders or
/// demand since. The opening is at most 156 weeks (cover, lead time, order delay) of an opening
/// forecast of at most 1e6 units x 1e5 stores x 1.5e4 (the largest store size a lognormal draw
/// gives at cv 2): below 2^58. The orders or demand since are at most 624 weeks (warm-up and
/// horizon) of 2^49: below 2^58.3. So every count is below 2^60, and the four terms of a stock
/// position, or the stock held at all eight stock points, stay below 2^63. The validator's
/// largest market, 1e5 stores each selling 1e6 units a week, sells 1e11 a week: thousands of
/// times below the limit before season, media and promotion multiply it.
pub const UNITS_LIMIT: i64 = 1 << 49;

/// Lever values in effect this week, as the world reads them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Consumer discount (and matching trade deal).
    pub promo_depth: f64,
    /// Weeks of forecast pushed into the sell-in point.
    pub loading_weeks: f64,
    /// Media spend this week.
    pub media_spend: f64,
    /// Cover overrides per echelon (NaN = policy default).
    pub cover: [f64; MAX_ECHELONS],
    /// Forward-buy weeks per echelon while a deal is on.
    pub forward_buy: [f64; MAX_ECHELONS],
    /// Share of the stores that carry the product, the largest first (1 = all).
    pub served: f64,
    /// This week's promotion lift against its expectation: the promotion's extra volume is
    /// `exp(elasticity x depth) - 1` times this (1 = as expected; see `lift_spread`).
    pub promo_lift: f64,
}

impl Settings {
    /// Settings with no overrides.
    pub fn none() -> Self {
        Settings {
            cover: [f64::NAN; MAX_ECHELONS],
            served: 1.0,
            promo_lift: 1.0,
            ..Default::default()
        }
    }
}

/// What happened in one week (sums over stores and stock points).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flows {
    /// Mean consumer demand this week (before the random draw).
    pub demand_mean: f64,
    /// Consumer demand drawn.
    pub demand: f64,
    /// Units sold to consumers.
    pub sold: f64,
    /// Demand not served.
    pub lost: f64,
    /// Stores that could not serve all demand.
    pub stockout_stores: f64,
    /// Stores carrying the product on shelf this week (none before a launch's shelf day).
    pub served_stores: f64,
    /// Units sold in before a launch's shelf day (this week's, if it is before).
    pub launch_sell_in: f64,
    /// Consumer-facing nodes (stores, or one pooled node) this week.
    pub stores: f64,
    /// Consumer revenue.
    pub revenue: f64,
    /// Units shipped into the sell-in point.
    pub sell_in_units: f64,
    /// Company revenue on those units.
    pub sell_in_revenue: f64,
    /// Units written off (expired).
    pub write_off: f64,
    /// Holding cost.
    pub holding: f64,
    /// Media spend.
    pub media_spend: f64,
    /// Awareness, 0 to 1.
    pub awareness: f64,
    /// Retailer's costs: the units it sold at its average purchase price, its holding costs and its write-offs.
    pub retailer_costs: f64,
    /// The company's own stock costs: holding and write-offs (at unit cost) at the stock points
    /// upstream of the sell-in point.
    pub company_costs: f64,
    /// Trade spend on this week's sell-in: the deal on shipments, the loading discount on loads.
    pub trade_spend: f64,
    /// This week's sell-in at list price.
    pub gross_sell_in: f64,
    /// Units released by production into the first stock point.
    pub produced: f64,
    /// Orders placed by each echelon.
    pub orders: [f64; MAX_ECHELONS],
    /// Units shipped out of each echelon (to consumers for the last).
    pub outflow: [f64; MAX_ECHELONS],
    /// Stock on hand at each echelon at the end of the week.
    pub on_hand: [f64; MAX_ECHELONS],
    /// Forecast demand per week at each echelon.
    pub forecast: [f64; MAX_ECHELONS],
}

impl Flows {
    /// Whole-chain contribution: gross margin less holding, write-off and media.
    pub fn contribution(&self, model: &Model) -> f64 {
        let p = &model.scenario.world.prices;
        self.revenue
            - self.sold * p.unit_cost
            - self.holding
            - self.write_off * p.unit_cost
            - self.media_spend
    }

    /// The company's own profit: revenue on sell-in less the cost of the goods sold in, its own
    /// stock's holding and write-offs, and media. The retailer's margin is not the company's.
    pub fn company_profit(&self, model: &Model) -> f64 {
        let p = &model.scenario.world.prices;
        self.sell_in_revenue
            - self.sell_in_units * p.unit_cost
            - self.company_costs
            - self.media_spend
    }
}

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

/// One stock point's state, for all its copies (struct of arrays).
#[derive(Debug, Clone)]
struct Level {
    copies: usize,
    /// The most one copy may order, or be demanded, in a week: its share of [`UNITS_LIMIT`].
    cap: i64,
    on_hand: Vec<i64>,
    /// Ordered, not yet received (in transit, in the order pipe, or owed upstream).
    on_order: Vec<i64>,
    /// Owed to this copy by its upstream point (backlog).
    owed: Vec<i64>,
    forecast: Vec<f64>,
    mse: Vec<f64>,
    /// Moving-average history, `window` slots per copy.
    ma: Vec<f64>,
    ma_window: usize,
    /// Arrivals, `lead + 1` slots per copy, indexed by arrival week.
    inbound: Vec<i64>,
    /// Orders on their way upstream, `order_delay + 1` slots per copy, indexed by due week.
    pipe: Vec<i64>,
    /// Units by arrival week, `shelf_life` slots per copy (empty without shelf life).
    cohorts: Vec<i64>,
    shelf_life: usize,
    /// The current week (for cohort order).
    now: usize,
    /// Demand seen this week (consumer demand or orders received), per copy.
    seen: Vec<i64>,
    /// Consumer backlog (a last echelon that backlogs its customers).
    customer_owed: Vec<i64>,
}

/// The chain of stock points.
#[derive(Debug, Clone)]
pub struct Chain {
    levels: Vec<Level>,
    /// Relative size of each consumer-facing node.
    sizes: Vec<f64>,
    /// Each consumer-facing node's rank by size, 0 the largest: a retailer serving a share of
    /// its stores serves the largest (ties by index).
    rank: Vec<usize>,
    /// The world-clock week of a launch's shelf day (0 without a launch).
    shelf: usize,
    /// Retailer's weighted average cost per unit.
    retailer_wac: f64,
    /// Echelon receiving sell-in.
    sell_in: usize,
    /// Whether demand is drawn (the real world) or taken as its mean (a mental model).
    random: bool,
    /// The first stock point whose orders or demand reached [`UNITS_LIMIT`] (and were capped
    /// there): the trial's numbers are then no longer the model's.
    pub capped: Option<usize>,
    /// Per consumer-facing node: whether its order this week is missed (`miss_orders`).
    missed: Vec<bool>,
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
                Level::new(model, e, copies, fc, true)
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
    /// [`advance`]; without a call (the plan) no order is missed.
    pub fn miss_orders(&mut self, model: &Model, rng: &mut ChaCha8Rng) {
        let p = model.scenario.world.store_order_miss;
        for m in self.missed.iter_mut() {
            *m = rng::open01(rng) < p;
        }
    }

    /// An empty one-store chain of the same shape, to hold a mental model.
    pub fn scratch(model: &Model) -> Chain {
        let levels = (0..model.chain.len())
            .map(|e| Level::new(model, e, 1, |_| 0.0, false))
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
    fn served_count(&self, s: &Settings) -> usize {
        let n = self.rank.len();
        ((s.served * n as f64).round() as usize).clamp(1, n)
    }

    fn consumers(
        &mut self,
        model: &Model,
        t: usize,
        s: &Settings,
        mult: f64,
        mut rng: Option<&mut ChaCha8Rng>,
        f: &mut Flows,
    ) {
        let n = self.levels.len();
        let base = base_demand(model);
        let dist = model.scenario.world.demand.distribution;
        let price = model.scenario.world.prices.shelf_price * (1.0 - s.promo_depth);
        let backlog = !model.chain[n - 1].per_store && model.chain[n - 1].unmet == Unmet::Backlog;
        if t >= self.shelf {
            f.served_stores += self.served_count(s).min(self.levels[n - 1].copies) as f64;
        }
        let l = &mut self.levels[n - 1];
        for c in 0..l.copies {
            let mean = base * self.sizes[c] * mult;
            let drawn = match rng.as_deref_mut() {
                Some(r) if self.random => {
                    let u = rng::open01(r);
                    match dist {
                        DemandDistribution::Poisson => rng::poisson(mean, u),
                        DemandDistribution::NegativeBinomial { dispersion } => {
                            rng::negative_binomial(mean, dispersion, u)
                        }
                        DemandDistribution::Normal { cv } => rng::normal_count(mean, cv, u),
                    }
                }
                _ => (mean + 0.5).floor() as u64,
            };
            let drawn = match i64::try_from(drawn) {
                Ok(d) if d <= l.cap => d,
                _ => {
                    self.capped.get_or_insert(n - 1);
                    l.cap
                }
            };
            let want = drawn + l.customer_owed[c];
            let sold = want.min(l.on_hand[c]);
            l.take(c, sold);
            let short = want - sold;
            if backlog {
                l.customer_owed[c] = short;
            } else if short > 0 {
                f.lost += short as f64;
            }
            if short > 0 {
                f.stockout_stores += 1.0;
            }
            l.seen[c] = drawn;
            f.stores += 1.0;
            f.demand_mean += mean;
            f.demand += drawn as f64;
            f.sold += sold as f64;
            f.revenue += sold as f64 * price;
        }
        f.outflow[n - 1] += f.sold;
        f.retailer_costs += f.sold * self.retailer_wac;
    }

    fn place_orders(
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
            let cover = s.cover[e];
            let mut q = match &spec.policy {
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
                    (fc + alpha_s * (fc * cover - stock + beta * (desired_line - supply_line)))
                        .max(0.0)
                }
                OrderPolicy::Fixed { quantity } => *quantity,
            };
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
            let slot = Level::slot(t + spec.order_delay, spec.order_delay + 1, c, l.copies);
            l.pipe[slot] += q;
            l.on_order[c] += q;
            f.orders[e] += q as f64;
        }
        if capped {
            self.capped.get_or_insert(e);
        }
    }

    /// Ships the orders of echelon `e` that are due now, from echelon `e - 1` (or production).
    fn fill_orders(&mut self, model: &Model, e: usize, t: usize, s: &Settings, f: &mut Flows) {
        let spec = &model.chain[e];
        let prices = &model.scenario.world.prices;
        let (up, down) = self.levels.split_at_mut(e);
        let child = &mut down[0];
        let due_slot = |c| Level::slot(t, spec.order_delay + 1, c, child.copies);
        let (mut total, mut new_orders) = (0i64, 0i64);
        for c in 0..child.copies {
            let q = std::mem::take(&mut child.pipe[due_slot(c)]);
            child.owed[c] += q;
            new_orders += q;
            total += child.owed[c];
        }
        let parent = up.last_mut();
        let available = parent.as_ref().map_or(i64::MAX, |p| p.on_hand[0]);
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
                // Each copy (each store, at a per-store point) takes loading_weeks of its own
                // forecast, up to its own room; the whole units are spread in proportion to
                // those wants (cumulative rounding: each copy gets its share rounded down or up,
                // and the units sum exactly).
                let (weeks, max_cover) = (
                    s.loading_weeks,
                    model.scenario.world.retailer_max_cover_weeks,
                );
                let total_want: f64 = (0..child.copies)
                    .map(|c| child.loading_want(c, weeks, max_cover))
                    .sum();
                loaded = ((total_want + 0.5).floor() as i64).min(p.on_hand[0]).max(0);
                p.take(0, loaded);
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
                    child.ship_in(t, spec.lead, c, q);
                    child.on_order[c] += q;
                }
            }
            f.outflow[e - 1] += (shipped_total + loaded) as f64;
        } else {
            f.produced += shipped_total as f64;
        }
        if e == self.sell_in {
            let deal = prices.list_price * (1.0 - s.promo_depth);
            let revenue = shipped_total as f64 * deal
                + loaded as f64 * deal * (1.0 - prices.loading_discount);
            let units = (shipped_total + loaded) as f64;
            let held: i64 = down.iter().map(|l| l.on_hand.iter().sum::<i64>()).sum();
            if units > 0.0 {
                self.retailer_wac =
                    (self.retailer_wac * held as f64 + revenue) / (held as f64 + units);
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
}

impl Level {
    fn new(
        model: &Model,
        e: usize,
        copies: usize,
        fc: impl Fn(usize) -> f64,
        track_age: bool,
    ) -> Level {
        let spec = &model.chain[e];
        let ma_window = match &spec.policy {
            OrderPolicy::OrderUpTo {
                forecast: Forecast::MovingAverage { window },
                ..
            } => *window as usize,
            _ => 1,
        };
        let shelf_life = if track_age {
            spec.shelf_life.unwrap_or(0)
        } else {
            0
        };
        let mut l = Level {
            copies,
            cap: UNITS_LIMIT / copies as i64,
            on_hand: vec![0; copies],
            on_order: vec![0; copies],
            owed: vec![0; copies],
            forecast: (0..copies).map(&fc).collect(),
            mse: (0..copies).map(&fc).collect(),
            ma: vec![0.0; copies * ma_window],
            ma_window,
            inbound: vec![0; copies * (spec.lead + 1)],
            pipe: vec![0; copies * (spec.order_delay + 1)],
            cohorts: vec![0; copies * shelf_life],
            shelf_life,
            now: 0,
            seen: vec![0; copies],
            customer_owed: vec![0; copies],
        };
        for c in 0..copies {
            let f = l.forecast[c];
            for k in 0..ma_window {
                l.ma[c * ma_window + k] = f;
            }
            let units = (f * spec.initial_cover + 0.5).floor() as i64;
            l.on_hand[c] = units;
            if shelf_life > 0 {
                // Opening stock counts as fresh at week 0.
                l.cohorts[c * shelf_life] = units;
            }
            // Pipeline full at steady state: one week of forecast due in each future week. A
            // launch starts with nothing on the way: the product has never been ordered.
            let per_week = if model.scenario.world.launch.is_some() {
                0
            } else {
                (f + 0.5).floor() as i64
            };
            for k in 1..=spec.lead {
                l.inbound[Level::slot(k, spec.lead + 1, c, copies)] = per_week;
                l.on_order[c] += per_week;
            }
            if spec.lead == 0 {
                // Lead 0 delivers in time for next week, as lead 1 does (see `place_orders`):
                // the week of supply that lead 1 opens with in transit is on hand here.
                l.on_hand[c] += per_week;
                if shelf_life > 0 {
                    l.cohorts[c * shelf_life] += per_week;
                }
            }
            for k in 0..spec.order_delay {
                l.pipe[Level::slot(k, spec.order_delay + 1, c, copies)] = per_week;
                l.on_order[c] += per_week;
            }
        }
        l
    }

    #[inline]
    fn slot(week: usize, len: usize, copy: usize, _copies: usize) -> usize {
        copy * len + week % len
    }

    fn pool_into(&self, dst: &mut Level) {
        let sum_i = |v: &[i64], width: usize, k: usize| -> i64 {
            (0..self.copies).map(|c| v[c * width + k]).sum()
        };
        let sum_f = |v: &[f64], width: usize, k: usize| -> f64 {
            (0..self.copies).map(|c| v[c * width + k]).sum()
        };
        dst.on_hand[0] = sum_i(&self.on_hand, 1, 0);
        dst.on_order[0] = sum_i(&self.on_order, 1, 0);
        dst.owed[0] = sum_i(&self.owed, 1, 0);
        dst.forecast[0] = sum_f(&self.forecast, 1, 0);
        dst.mse[0] = sum_f(&self.mse, 1, 0);
        dst.customer_owed[0] = sum_i(&self.customer_owed, 1, 0);
        for k in 0..self.ma_window {
            dst.ma[k] = sum_f(&self.ma, self.ma_window, k);
        }
        let w = dst.inbound.len();
        for k in 0..w {
            dst.inbound[k] = sum_i(&self.inbound, w, k);
        }
        let w = dst.pipe.len();
        for k in 0..w {
            dst.pipe[k] = sum_i(&self.pipe, w, k);
        }
    }

    /// Expires old stock, then receives this week's arrivals. Returns units written off.
    fn arrive(&mut self, t: usize, lead: usize) -> i64 {
        let mut expired = 0;
        self.now = t;
        for c in 0..self.copies {
            let slot = Level::slot(t, lead + 1, c, self.copies);
            let a = std::mem::take(&mut self.inbound[slot]);
            if self.shelf_life > 0 {
                let s = c * self.shelf_life + t % self.shelf_life;
                if t >= self.shelf_life {
                    expired += self.cohorts[s];
                    self.on_hand[c] -= self.cohorts[s];
                    self.cohorts[s] = 0;
                }
                self.cohorts[s] += a;
            }
            self.on_hand[c] += a;
            self.on_order[c] -= a;
        }
        expired
    }

    /// Puts a shipment on its way to copy `c`, arriving at the start of week `t + lead`; with
    /// lead 0 it goes on hand now, after this week's consumers: in time for next week, as lead 1.
    fn ship_in(&mut self, t: usize, lead: usize, c: usize, q: i64) {
        if q == 0 {
            return;
        }
        if lead == 0 {
            self.on_hand[c] += q;
            self.on_order[c] -= q;
            if self.shelf_life > 0 {
                self.cohorts[c * self.shelf_life + t % self.shelf_life] += q;
            }
        } else {
            self.inbound[Level::slot(t + lead, lead + 1, c, self.copies)] += q;
        }
    }

    /// Units copy `c` takes from trade loading: `weeks` of its forecast, within its room below
    /// `max_cover` weeks of forecast (counting what it holds on hand and in transit).
    fn loading_want(&self, c: usize, weeks: f64, max_cover: f64) -> f64 {
        let fc = self.forecast[c];
        let w = self.inbound.len() / self.copies;
        let held = self.on_hand[c] + self.inbound[c * w..(c + 1) * w].iter().sum::<i64>();
        (weeks * fc).min((max_cover * fc - held as f64).max(0.0))
    }

    /// Removes `q` units from copy `c`, oldest first.
    fn take(&mut self, c: usize, q: i64) {
        self.on_hand[c] -= q;
        if self.shelf_life == 0 || q == 0 {
            return;
        }
        // Oldest cohort is the one that arrived shelf_life - 1 weeks ago: walk forward from it.
        let base = c * self.shelf_life;
        let mut left = q;
        let start = self.cohort_cursor();
        for k in 0..self.shelf_life {
            let s = base + (start + k) % self.shelf_life;
            let used = left.min(self.cohorts[s]);
            self.cohorts[s] -= used;
            left -= used;
            if left == 0 {
                break;
            }
        }
    }

    /// Cohort slots are indexed by arrival week mod shelf life, so the slot after this week's is the oldest.
    fn cohort_cursor(&self) -> usize {
        (self.now + 1) % self.shelf_life
    }

    fn observe(&mut self, c: usize, x: f64, policy: &OrderPolicy) {
        let old = self.forecast[c];
        self.mse[c] = 0.9 * self.mse[c] + 0.1 * (x - old) * (x - old);
        self.forecast[c] = match policy {
            OrderPolicy::OrderUpTo {
                forecast: Forecast::MovingAverage { window },
                ..
            } => {
                let w = *window as usize;
                let ring = &mut self.ma[c * w..(c + 1) * w];
                ring.rotate_left(1);
                ring[w - 1] = x;
                ring.iter().sum::<f64>() / w as f64
            }
            OrderPolicy::OrderUpTo {
                forecast: Forecast::ExpSmoothing { alpha },
                ..
            } => alpha * x + (1.0 - alpha) * old,
            OrderPolicy::Sterman { theta, .. } => theta * x + (1.0 - theta) * old,
            OrderPolicy::Fixed { .. } => old,
        };
    }
}

/// Advances market and chain by one week under `s`; the real world passes its demand stream.
pub fn advance(
    model: &Model,
    t: usize,
    s: &Settings,
    market: &mut Market,
    chain: &mut Chain,
    rng: Option<&mut ChaCha8Rng>,
) -> Flows {
    let (mult, awareness) = market.step(model, t, s);
    let mut f = Flows {
        // The lever is spend per store: the cost scales with the market, as the reach does.
        media_spend: s.media_spend * model.stores as f64,
        awareness,
        ..Flows::default()
    };
    chain.step(model, t, s, mult, rng, &mut f);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;

    fn model(sets: &[&str]) -> Model {
        let src = load::resolve("promo_vs_inventory").expect("built-in");
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load::load(&src, &sets).expect("valid scenario")
    }

    /// Uneven store sizes, so shares differ.
    fn sizes(m: &Model) -> Vec<f64> {
        let stores = if m.chain.last().unwrap().per_store {
            m.stores
        } else {
            1
        };
        (0..stores).map(|c| 0.5 + 0.25 * (c % 5) as f64).collect()
    }

    /// Stores' fill rate (sold / demand) over `weeks` weeks with no lever moved.
    fn fill_rate(m: &Model, weeks: usize, seed: u64) -> f64 {
        let mut chain = Chain::new(m, sizes(m));
        let mut market = Market::new();
        let mut rng = rng::stream(seed, 0, rng::Source::Demand);
        let (mut sold, mut demand) = (0.0, 0.0);
        for t in 0..weeks {
            let f = advance(
                m,
                t,
                &Settings::none(),
                &mut market,
                &mut chain,
                Some(&mut rng),
            );
            sold += f.sold;
            demand += f.demand;
        }
        sold / demand
    }

    #[test]
    fn lead_time_zero_is_never_worse_than_one() {
        // 40 stores x 26 weeks, three seeds, with and without safety stock. Lead 0 puts a
        // shipment on hand after this week's consumers, in time for next week, like lead 1; it
        // used to stock a week less (fill rate 0.745 against 1.000 at seed 1).
        for safety in ["1.0", "0.0"] {
            let safety = format!("world.chain.2.policy.safety_factor={safety}");
            for seed in 1..4 {
                let rate = |lead: u32| {
                    let lead = format!("world.chain.2.lead_time_weeks={lead}");
                    fill_rate(&model(&[&lead, &safety]), 26, seed)
                };
                let (zero, one) = (rate(0), rate(1));
                assert!(
                    zero >= one,
                    "{safety}, seed {seed}: lead 0 {zero} < lead 1 {one}"
                );
                assert!(zero > 0.9, "{safety}, seed {seed}: lead 0 {zero}");
            }
        }
    }

    #[test]
    fn trade_loading_spreads_over_the_stores() {
        let m = model(&["world.sell_in_point=stores"]);
        let n = m.chain.len();
        assert_eq!(m.sell_in, n - 1);
        let loading = Settings {
            loading_weeks: 1.5,
            ..Settings::none()
        };
        let max_cover = m.scenario.world.retailer_max_cover_weeks;
        let mut chain = Chain::new(&m, sizes(&m));
        let mut market = Market::new();
        let mut rng = rng::stream(7, 0, rng::Source::Demand);
        let held = |l: &Level, c: usize| {
            let w = l.inbound.len() / l.copies;
            l.on_hand[c] + l.inbound[c * w..(c + 1) * w].iter().sum::<i64>()
        };
        let mut loaded_weeks = 0;
        for t in 0..20 {
            // The same week twice from the same state and demand, without and with loading: the
            // stores' difference is what loading sent each of them.
            let (mut plain, mut plain_market, mut plain_rng) = (chain.clone(), market, rng.clone());
            let none = Settings::none();
            let pf = advance(
                &m,
                t,
                &none,
                &mut plain_market,
                &mut plain,
                Some(&mut plain_rng),
            );
            let lf = advance(&m, t, &loading, &mut market, &mut chain, Some(&mut rng));
            let total = (lf.sell_in_units - pf.sell_in_units) as i64;
            let (a, b) = (&chain.levels[n - 1], &plain.levels[n - 1]);
            let want = |c: usize| {
                let fc = b.forecast[c];
                (1.5 * fc).min((max_cover * fc - held(b, c) as f64).max(0.0))
            };
            let wants: f64 = (0..b.copies).map(want).sum();
            let mut sum = 0;
            for c in 0..b.copies {
                let got = held(a, c) - held(b, c);
                sum += got;
                let share = total as f64 * want(c) / wants;
                assert!(
                    (got as f64 - share).abs() < 1.0,
                    "week {t}, store {c}: {got} units, share {share} of {total}"
                );
            }
            assert_eq!(sum, total, "week {t}");
            if total > 0 {
                loaded_weeks += 1;
            }
        }
        assert!(loaded_weeks >= 10, "{loaded_weeks}");
    }
}
