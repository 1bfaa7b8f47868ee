//! The stores' week: consumer demand drawn around the market's mean at each store the
//! retailer serves (Poisson, negative binomial or normal, one uniform per store, capped at
//! its share of the units limit), sold from the shelf, and what is not sold lost or
//! backlogged.

use crate::scenario::format::{DemandDistribution, Unmet};
use crate::scenario::model::Model;
use crate::sim::rng;
use crate::sim::world::market_demand::base_demand;
use crate::sim::world::supply_chain::Chain;
use crate::sim::world::{Flows, Settings};
use rand_chacha::ChaCha8Rng;

impl Chain {
    /// This week's consumers at every consumer-facing node: demand drawn (or its mean, in a
    /// mental model), served from stock, the rest lost or owed.
    pub(super) fn consumers(
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
}
