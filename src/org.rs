//! The organisation: how roles read the strategy, how hard their bonus pulls, and how
//! they choose.
//!
//! A role decides by scoring every allowed option of a lever:
//!
//! `U(o) = (1 - p) * sum_k w^_k * dG_k(o) + p * B(o) - c * D(o)`
//!
//! where `dG_k` is the role's projection of global objective `k` (sell-out, margin,
//! availability) under option `o`, `w^` its reading of the strategy, `B` its projected
//! bonus payout, `p` its incentive pull, and `D` how much worse `o` serves the true
//! strategy than the best option (priced at `c`, the designed-in consequence). The
//! projections come from stepping the role's *belief* of the world forward with the
//! same code as the world itself (see [`crate::world`]); nothing in here knows what a
//! "good" promotion week is.

use crate::model::{CardSpec, Model, RoleSpec, MAX_DELAY, MAX_ECHELONS};
use crate::rng;
use crate::scenario::{LeverTarget, RoleMetric};
use crate::world::{base_demand, Chain, Flows, Market, Settings};
use rand_chacha::ChaCha8Rng;

/// Sums of flows over some weeks: what scorecards are computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Weeks summed.
    pub weeks: f64,
    /// Company revenue from sell-in.
    pub sell_in_revenue: f64,
    /// Units sold in.
    pub sell_in_units: f64,
    /// Units sold to consumers.
    pub sold: f64,
    /// Consumer demand.
    pub demand: f64,
    /// Consumer revenue.
    pub revenue: f64,
    /// Retailer's costs (goods sold, holding, write-offs).
    pub retailer_costs: f64,
    /// Chain contribution.
    pub contribution: f64,
    /// Media spend.
    pub media_spend: f64,
    /// Sum of weekly awareness.
    pub awareness: f64,
    /// Outflow per echelon.
    pub outflow: [f64; MAX_ECHELONS],
    /// Sum of end-of-week stock per echelon.
    pub on_hand: [f64; MAX_ECHELONS],
}

impl Tally {
    /// One week's flows as a tally.
    pub fn week(f: &Flows, model: &Model) -> Tally {
        Tally {
            weeks: 1.0,
            sell_in_revenue: f.sell_in_revenue,
            sell_in_units: f.sell_in_units,
            sold: f.sold,
            demand: f.demand,
            revenue: f.revenue,
            retailer_costs: f.retailer_costs,
            contribution: f.contribution(model),
            media_spend: f.media_spend,
            awareness: f.awareness,
            outflow: f.outflow,
            on_hand: f.on_hand,
        }
    }

    /// Adds one week.
    pub fn add(&mut self, f: &Flows, model: &Model) {
        *self = self.plus(&Tally::week(f, model));
    }

    /// The sum of two tallies.
    pub fn plus(&self, o: &Tally) -> Tally {
        let sum =
            |a: [f64; MAX_ECHELONS], b: [f64; MAX_ECHELONS]| std::array::from_fn(|e| a[e] + b[e]);
        Tally {
            weeks: self.weeks + o.weeks,
            sell_in_revenue: self.sell_in_revenue + o.sell_in_revenue,
            sell_in_units: self.sell_in_units + o.sell_in_units,
            sold: self.sold + o.sold,
            demand: self.demand + o.demand,
            revenue: self.revenue + o.revenue,
            retailer_costs: self.retailer_costs + o.retailer_costs,
            contribution: self.contribution + o.contribution,
            media_spend: self.media_spend + o.media_spend,
            awareness: self.awareness + o.awareness,
            outflow: sum(self.outflow, o.outflow),
            on_hand: sum(self.on_hand, o.on_hand),
        }
    }
}

/// Scorecard attainment (weighted mean of component ratios, each capped at 2).
/// `share` is the fraction of the period the tally covers: summed targets are pro-rated by it.
pub fn attainment(card: &CardSpec, t: &Tally, share: f64) -> f64 {
    if t.weeks <= 0.0 || share <= 0.0 {
        return 1.0;
    }
    let ratio = |actual: f64, target: f64| if target > 0.0 { actual / target } else { 1.0 };
    card.components
        .iter()
        .map(|c| {
            let due = c.target * share;
            let r = match c.metric {
                RoleMetric::SellInRevenue => ratio(t.sell_in_revenue, due),
                RoleMetric::SellInUnits => ratio(t.sell_in_units, due),
                RoleMetric::SellOutUnits => ratio(t.sold, due),
                RoleMetric::InventoryTurns => {
                    let avg = t.on_hand[c.echelon] / t.weeks;
                    let turns = if avg > 0.0 {
                        t.outflow[c.echelon] / avg * 52.0 / t.weeks
                    } else {
                        2.0 * c.target
                    };
                    ratio(turns, c.target)
                }
                RoleMetric::WeeksOfCover => {
                    let rate = t.outflow[c.echelon] / t.weeks;
                    let cover = if rate > 0.0 {
                        t.on_hand[c.echelon] / t.weeks / rate
                    } else {
                        52.0
                    };
                    ratio(c.target, cover.max(1e-9))
                }
                RoleMetric::MediaSpend => 1.0 - (t.media_spend - due).abs() / due,
                RoleMetric::Reach => ratio(t.awareness / t.weeks, c.target),
                RoleMetric::RetailerMargin => ratio(t.revenue - t.retailer_costs, due),
                RoleMetric::FillRate => ratio(
                    if t.demand > 0.0 {
                        t.sold / t.demand
                    } else {
                        1.0
                    },
                    c.target,
                ),
                RoleMetric::ChainContribution => ratio(t.contribution, due),
            };
            c.weight * r.clamp(0.0, 2.0)
        })
        .sum()
}

/// Payout as a fraction of target bonus: 0 below threshold, 0.5 at it, 1 at target, growing to the cap.
pub fn payout(card: &CardSpec, a: f64) -> f64 {
    if a < card.threshold {
        0.0
    } else {
        0.5 + 0.5 * (a.min(card.cap) - card.threshold) / (1.0 - card.threshold)
    }
}

/// A role's attainment including the shared bonus, if the org has one.
pub fn blended(model: &Model, role: &RoleSpec, t: &Tally, share: f64, pay: bool) -> f64 {
    let own = attainment(&role.card, t, share);
    let own = if pay { payout(&role.card, own) } else { own };
    match &model.shared {
        Some((w, card)) => {
            let s = attainment(card, t, share);
            (1.0 - w) * own + w * if pay { payout(card, s) } else { s }
        }
        None => own,
    }
}

/// A role's reading of the strategy: the true weights moved, by an amount that grows with
/// ambiguity, towards a mix of noise and the role's own scorecard emphasis; then made to
/// respect a stated priority order.
pub fn interpret(model: &Model, role: &RoleSpec, rng: &mut ChaCha8Rng) -> [f64; 3] {
    let a = model.scenario.strategy.ambiguity;
    let present: Vec<bool> = model.weights.iter().map(|w| *w > 0.0).collect();
    let mut noise = [0.0; 3];
    for k in 0..3 {
        // Always draw, so the stream's use does not depend on which objectives exist.
        let e = -rng::open01(rng).ln();
        noise[k] = if present[k] { e } else { 0.0 };
    }
    let mut emph = role.emphasis;
    for k in 0..3 {
        if !present[k] {
            emph[k] = 0.0;
        }
    }
    normalise(&mut noise);
    if !normalise(&mut emph) {
        emph = model.weights;
    }
    let m = role.behaviour.motivated_reading;
    let mut w = [0.0; 3];
    for k in 0..3 {
        w[k] = (1.0 - a) * model.weights[k] + a * (m * emph[k] + (1.0 - m) * noise[k]);
    }
    respect_priority(&mut w, &model.priority);
    normalise(&mut w);
    w
}

fn normalise(w: &mut [f64; 3]) -> bool {
    let s: f64 = w.iter().sum();
    if s > 0.0 {
        w.iter_mut().for_each(|x| *x /= s);
        true
    } else {
        false
    }
}

/// Reassigns the weights of the prioritised objectives so that they are non-increasing in priority order.
fn respect_priority(w: &mut [f64; 3], priority: &[usize]) {
    if priority.len() < 2 {
        return;
    }
    let mut vals: Vec<f64> = priority.iter().map(|&k| w[k]).collect();
    vals.sort_by(|a, b| b.total_cmp(a));
    for (&k, v) in priority.iter().zip(vals) {
        w[k] = v;
    }
}

/// Mean total-variation distance between every pair of readings (0 = all read alike).
pub fn interpretation_spread(readings: &[[f64; 3]]) -> f64 {
    let mut sum = 0.0;
    let mut pairs = 0;
    for i in 0..readings.len() {
        for j in i + 1..readings.len() {
            sum += 0.5
                * (0..3)
                    .map(|k| (readings[i][k] - readings[j][k]).abs())
                    .sum::<f64>();
            pairs += 1;
        }
    }
    if pairs == 0 {
        0.0
    } else {
        sum / pairs as f64
    }
}

/// Mean over pairs of roles of `(1 - cos) / 2` between the directions their choices pulled the objectives.
pub fn operational_spread(pulls: &[[f64; 3]]) -> f64 {
    let norm = |v: &[f64; 3]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut sum = 0.0;
    let mut pairs = 0;
    for i in 0..pulls.len() {
        for j in i + 1..pulls.len() {
            let (ni, nj) = (norm(&pulls[i]), norm(&pulls[j]));
            if ni > 1e-12 && nj > 1e-12 {
                let cos = (0..3).map(|k| pulls[i][k] * pulls[j][k]).sum::<f64>() / (ni * nj);
                sum += (1.0 - cos) / 2.0;
                pairs += 1;
            }
        }
    }
    if pairs == 0 {
        0.0
    } else {
        sum / pairs as f64
    }
}

/// The incentive pull on a role this week: base plus a term growing with the shortfall
/// against the pro-rated period target and with how close the period end is.
pub fn pressure(
    model: &Model,
    role: &RoleSpec,
    to_date: &Tally,
    elapsed: usize,
    period_len: usize,
) -> f64 {
    let b = &role.behaviour;
    if elapsed == 0 {
        return b.pressure_base.min(0.95);
    }
    let share = elapsed as f64 / period_len as f64;
    let att = blended(model, role, to_date, share, false);
    let shortfall = (1.0 - att).max(0.0);
    // Squared: the deadline is felt mostly in the last weeks of the period.
    let closeness = ((elapsed + 1) as f64 / period_len as f64).powi(2);
    (b.pressure_base + b.pressure_gain * shortfall * closeness).clamp(0.0, 0.95)
}

/// What a role can see and what is already decided, for one decision week.
pub struct View<'a> {
    /// This week.
    pub t: usize,
    /// The real chain (the role pools it into its belief).
    pub chain: &'a Chain,
    /// The real market state.
    pub market: &'a Market,
    /// End-of-week stock per echelon for the last weeks, indexed by week mod (MAX_DELAY + 1).
    pub stock_history: &'a [[f64; MAX_ECHELONS]; MAX_DELAY + 1],
    /// Lever values chosen per week so far (`chosen[lever][week]`).
    pub chosen: &'a [Vec<f64>],
    /// Period-to-date tally.
    pub to_date: &'a Tally,
    /// Weeks elapsed in this period and its length.
    pub elapsed: usize,
    /// Length of the current period.
    pub period_len: usize,
}

/// The value of lever `j` in week `w`, as known at decision week `t` (later choices assumed unchanged).
pub fn lever_value(model: &Model, chosen: &[Vec<f64>], j: usize, w: usize, t: usize) -> f64 {
    let l = &model.levers[j];
    match w.checked_sub(l.latency) {
        None => l.initial_value,
        Some(d) if d < t => chosen[j][d],
        Some(_) if t > 0 => chosen[j][t - 1],
        Some(_) => l.initial_value,
    }
}

/// Settings the world reads from per-lever values.
pub fn settings(model: &Model, value: impl Fn(usize) -> f64) -> Settings {
    let mut s = Settings::none();
    for (j, l) in model.levers.iter().enumerate() {
        let v = value(j);
        match l.target {
            LeverTarget::PromoDepth => s.promo_depth = v,
            LeverTarget::TradeLoading => s.loading_weeks = v,
            LeverTarget::MediaSpend => s.media_spend = v,
            LeverTarget::OrderCover { .. } => s.cover[l.echelon] = v,
            LeverTarget::ForwardBuy { .. } => s.forward_buy[l.echelon] = v,
        }
    }
    s
}

/// One role's decision about one lever, with what it was based on.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    /// Index of the chosen option.
    pub option: usize,
    /// Pull of the chosen option on each objective, relative to the menu's average.
    pub pull: [f64; 3],
}

/// Scratch space for projections, allocated once per trial so deciding never allocates.
pub struct Mind {
    belief: Chain,
    work: Chain,
    utility: [f64; crate::model::MAX_OPTIONS],
    gains: [[f64; 3]; crate::model::MAX_OPTIONS],
}

impl Mind {
    /// Scratch for a model.
    pub fn new(model: &Model) -> Self {
        Mind {
            belief: Chain::scratch(model),
            work: Chain::scratch(model),
            utility: [0.0; crate::model::MAX_OPTIONS],
            gains: [[0.0; 3]; crate::model::MAX_OPTIONS],
        }
    }

    /// Builds the role's belief of the chain: pooled, with stale or assumed stock where it cannot see.
    pub fn believe(&mut self, model: &Model, role: &RoleSpec, v: &View) {
        v.chain.pool_into(&mut self.belief);
        for (e, spec) in model.chain.iter().enumerate() {
            match role.sees[e] {
                Some(0) => {}
                // Stock is counted at the end of each week: d weeks late is the count of week t - 1 - d.
                Some(d) if v.t > d => {
                    let seen = v.stock_history[(v.t - 1 - d) % (MAX_DELAY + 1)][e];
                    self.belief.set_on_hand(e, seen);
                }
                _ => {
                    let nominal = self.belief.forecast(e) * spec.initial_cover;
                    self.belief.set_on_hand(e, nominal);
                }
            }
        }
    }

    /// Scores every option of lever `j` for `role` and picks one (soft-max, one uniform drawn).
    #[allow(clippy::too_many_arguments)] // the inputs of U(o), each named in the formula
    pub fn decide(
        &mut self,
        model: &Model,
        r: usize,
        j: usize,
        reading: &[f64; 3],
        p: f64,
        v: &View,
        rng: &mut ChaCha8Rng,
    ) -> Decision {
        let role = &model.roles[r];
        let lever = &model.levers[j];
        let rem = v.period_len - v.elapsed;
        let look = role.behaviour.lookahead_weeks as usize;
        // Roles plan past the end of the simulated horizon: for them the business goes on.
        let horizon = rem.max(look);
        // Objectives in "normal weeks": a normal week's sales, contribution, and demand lost.
        let week = base_demand(model) * v.chain_size();
        let prices = &model.scenario.world.prices;
        let week_margin = week * (prices.shelf_price - prices.unit_cost);
        let n = lever.options.len();
        for (i, &o) in lever.options.iter().enumerate() {
            let [this, next, global] =
                self.project(model, j, o, horizon, rem.min(horizon), look.min(horizon), v);
            self.gains[i] = [
                global.sold / week,
                global.contribution / week_margin,
                -(global.demand - global.sold) / week,
            ];
            // The bonus of this period, plus what the projection shows of the next one, discounted:
            // money now is louder than money later.
            let mut b = blended(model, role, &v.to_date.plus(&this), 1.0, true);
            if next.weeks > 0.0 {
                let later = blended(model, role, &next, next.weeks / v.period_len as f64, true);
                b += role.behaviour.next_period_weight * later;
            }
            self.utility[i] = p * b;
        }
        let mut best_strategy = f64::MIN;
        for i in 0..n {
            let own: f64 = (0..3).map(|k| reading[k] * self.gains[i][k]).sum();
            self.utility[i] += (1.0 - p) * own;
            best_strategy = best_strategy.max(self.strategy_value(model, i));
        }
        let status_quo = if lever.target.is_pulse() {
            lever.initial_value
        } else {
            lever_value(model, v.chosen, j, v.t, v.t)
        };
        for i in 0..n {
            self.utility[i] -=
                model.defection_cost * (best_strategy - self.strategy_value(model, i));
            if lever.options[i] != status_quo {
                self.utility[i] -= role.behaviour.inertia;
            }
        }
        let option = choose(
            &self.utility[..n],
            role.behaviour.temperature,
            rng::open01(rng),
        );
        let gains = &self.gains[..n];
        let pull = std::array::from_fn(|k| {
            gains[option][k] - gains.iter().map(|g| g[k]).sum::<f64>() / n as f64
        });
        Decision { option, pull }
    }

    fn strategy_value(&self, model: &Model, i: usize) -> f64 {
        (0..3).map(|k| model.weights[k] * self.gains[i][k]).sum()
    }

    /// Steps the belief forward with lever `j` set to `o`; returns tallies over the rest of this
    /// period, the weeks after it, and the global lookahead window.
    #[allow(clippy::too_many_arguments)]
    fn project(
        &mut self,
        model: &Model,
        j: usize,
        o: f64,
        horizon: usize,
        bonus_weeks: usize,
        look: usize,
        v: &View,
    ) -> [Tally; 3] {
        self.work.copy_from(&self.belief);
        let mut market = *v.market;
        let (mut bonus, mut next, mut global) =
            (Tally::default(), Tally::default(), Tally::default());
        let lever = &model.levers[j];
        // A pulse (a promotion week) is projected for its decision interval, then off again;
        // a standing setting (a cover target) is projected to stay.
        let until = if lever.target.is_pulse() {
            lever.latency + lever.every
        } else {
            usize::MAX
        };
        for k in 0..horizon {
            let w = v.t + k;
            let s = settings(model, |i| match i == j && k >= lever.latency {
                true if k < until => o,
                true => lever.initial_value,
                false => lever_value(model, v.chosen, i, w, v.t),
            });
            let f = crate::world::advance(model, w, &s, &mut market, &mut self.work, None);
            if k < bonus_weeks {
                bonus.add(&f, model);
            } else {
                next.add(&f, model);
            }
            if k < look {
                global.add(&f, model);
            }
        }
        [bonus, next, global]
    }
}

impl View<'_> {
    fn chain_size(&self) -> f64 {
        self.chain.total_size()
    }
}

/// Soft-max choice with temperature `tau` at uniform `u` (tau = 0: the first best option).
pub fn choose(utility: &[f64], tau: f64, u: f64) -> usize {
    let best = utility.iter().cloned().fold(f64::MIN, f64::max);
    if tau <= 0.0 {
        return utility.iter().position(|x| *x == best).unwrap_or(0);
    }
    let total: f64 = utility.iter().map(|x| ((x - best) / tau).exp()).sum();
    let mut acc = 0.0;
    for (i, x) in utility.iter().enumerate() {
        acc += ((x - best) / tau).exp() / total;
        if u <= acc {
            return i;
        }
    }
    utility.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_max_prefers_the_better_option_and_zero_temperature_is_argmax() {
        let u = [0.0, 1.0, 0.5];
        assert_eq!(choose(&u, 0.0, 0.99), 1);
        let picks = (1..1000)
            .filter(|i| choose(&u, 0.2, *i as f64 / 1000.0) == 1)
            .count();
        // exp(5) / (1 + exp(5) + exp(2.5)) = 0.918
        assert!((picks as f64 / 999.0 - 0.918).abs() < 0.01, "{picks}");
    }

    #[test]
    fn priority_reorders_weights() {
        let mut w = [0.6, 0.1, 0.3];
        respect_priority(&mut w, &[2, 1, 0]);
        assert_eq!(w, [0.1, 0.3, 0.6]);
    }

    #[test]
    fn spreads_are_zero_for_identical_and_positive_for_different() {
        assert_eq!(interpretation_spread(&[[0.2, 0.3, 0.5]; 3]), 0.0);
        assert!(interpretation_spread(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]) > 0.99);
        assert_eq!(operational_spread(&[[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]), 0.0);
        assert!((operational_spread(&[[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]) - 1.0).abs() < 1e-12);
    }
}
