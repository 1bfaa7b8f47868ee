//! The shared reality: the market (demand mean) and the chain of stock points.
//!
//! The same code steps the real world of a trial (random demand, one node per store)
//! and each role's mental model of it (expected demand, stores pooled into one node):
//! a role's projection is the world as it believes it to be, stepped forward.
//!
//! Units are integers, so conservation is exact: every unit is on hand, in transit,
//! sold, or written off (see the conservation property test). They are 64-bit integers, kept
//! far from overflow by [`UNITS_LIMIT`].
//!
//! This file holds what a week of the world takes and gives ([`Settings`], [`Flows`]), the
//! units limit, and [`advance`], one week of it; the rest lives under `world/`, re-exported
//! here:
//! - `world/market_demand.rs`: the mean of demand (season, media, promotion, shelf day);
//! - `world/supply_chain.rs`: the [`Chain`] of stock points and the order of a week's steps;
//! - `world/stock_point_state.rs`: one stock point's units, for all its copies;
//! - `world/consumer_sales.rs`: the stores' demand drawn and sold;
//! - `world/replenishment_orders.rs`: each stock point's orders upstream;
//! - `world/order_filling.rs`: the shipments that fill them, trade loading and sell-in.

mod consumer_sales;
mod market_demand;
mod order_filling;
mod replenishment_orders;
mod stock_point_state;
mod supply_chain;

pub use market_demand::{base_demand, shelf_tick, Market};
pub use supply_chain::Chain;

use crate::scenario::model::{Model, MAX_STOCK_POINTS};
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
    pub cover: [f64; MAX_STOCK_POINTS],
    /// Forward-buy weeks per echelon while a deal is on.
    pub forward_buy: [f64; MAX_STOCK_POINTS],
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
            cover: [f64::NAN; MAX_STOCK_POINTS],
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
    pub orders: [f64; MAX_STOCK_POINTS],
    /// Units shipped out of each echelon (to consumers for the last).
    pub outflow: [f64; MAX_STOCK_POINTS],
    /// Stock on hand at each echelon at the end of the week.
    pub on_hand: [f64; MAX_STOCK_POINTS],
    /// Forecast demand per week at each echelon.
    pub forecast: [f64; MAX_STOCK_POINTS],
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
    use super::stock_point_state::StockPointState;
    use super::*;
    use crate::scenario::load;
    use crate::sim::rng;

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
        let held = |l: &StockPointState, c: usize| {
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
