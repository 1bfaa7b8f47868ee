//! The organisation: scorecards (what a role is paid on), how roles read the strategy, where a
//! role stands against its target, and the levers' values in effect.
//!
//! How a role chooses is its playbook (`crate::scenario::playbook`), fitted to its own scorecard by
//! `crate::sim::fit`; this module only says what the scorecard pays and what the role can see of it.

use crate::scenario::format::{LeverTarget, RoleMetric};
use crate::scenario::model::{CardSpec, ComponentSpec, Model, RoleSpec, MAX_STOCK_POINTS};
use crate::scenario::playbook::Standing;
use crate::sim::rng;
use crate::sim::world::{Flows, Settings};
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
    /// The company's own profit (see [`Flows::company_profit`]).
    pub company_profit: f64,
    /// Media spend.
    pub media_spend: f64,
    /// Sum of weekly awareness.
    pub awareness: f64,
    /// Store-weeks played (consumer-facing nodes x weeks).
    pub store_weeks: f64,
    /// Store-weeks with unserved demand.
    pub stockout_store_weeks: f64,
    /// Store-weeks in which a store carried the product on shelf (after shelf day).
    pub served_store_weeks: f64,
    /// The private-label margin given up for the product's shelf space.
    pub shelf_space_cost: f64,
    /// Units shipped to the retailer before a launch's shelf day.
    pub launch_sell_in: f64,
    /// Trade spend: what the deals on sell-in cost the company.
    pub trade_spend: f64,
    /// Sell-in at list price (before deals).
    pub gross_sell_in: f64,
    /// Outflow per echelon.
    pub outflow: [f64; MAX_STOCK_POINTS],
    /// Sum of end-of-week stock per echelon.
    pub on_hand: [f64; MAX_STOCK_POINTS],
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
            company_profit: f.company_profit(model),
            media_spend: f.media_spend,
            awareness: f.awareness,
            store_weeks: f.stores,
            stockout_store_weeks: f.stockout_stores,
            served_store_weeks: f.served_stores,
            launch_sell_in: f.launch_sell_in,
            shelf_space_cost: f.served_stores
                * model
                    .scenario
                    .world
                    .launch
                    .as_ref()
                    .map_or(0.0, |l| l.private_label_margin),
            trade_spend: f.trade_spend,
            gross_sell_in: f.gross_sell_in,
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
        let sum = |a: [f64; MAX_STOCK_POINTS], b: [f64; MAX_STOCK_POINTS]| {
            std::array::from_fn(|e| a[e] + b[e])
        };
        Tally {
            weeks: self.weeks + o.weeks,
            sell_in_revenue: self.sell_in_revenue + o.sell_in_revenue,
            sell_in_units: self.sell_in_units + o.sell_in_units,
            sold: self.sold + o.sold,
            demand: self.demand + o.demand,
            revenue: self.revenue + o.revenue,
            retailer_costs: self.retailer_costs + o.retailer_costs,
            contribution: self.contribution + o.contribution,
            company_profit: self.company_profit + o.company_profit,
            media_spend: self.media_spend + o.media_spend,
            awareness: self.awareness + o.awareness,
            store_weeks: self.store_weeks + o.store_weeks,
            stockout_store_weeks: self.stockout_store_weeks + o.stockout_store_weeks,
            served_store_weeks: self.served_store_weeks + o.served_store_weeks,
            shelf_space_cost: self.shelf_space_cost + o.shelf_space_cost,
            launch_sell_in: self.launch_sell_in + o.launch_sell_in,
            trade_spend: self.trade_spend + o.trade_spend,
            gross_sell_in: self.gross_sell_in + o.gross_sell_in,
            outflow: sum(self.outflow, o.outflow),
            on_hand: sum(self.on_hand, o.on_hand),
        }
    }
}

/// The value of a scorecard metric over the weeks of a tally: a sum for flows (revenue, units,
/// spend), a rate for stock and service metrics (turns per year, weeks of cover, fill rate, reach).
pub fn component_value(c: &ComponentSpec, t: &Tally) -> f64 {
    let weeks = t.weeks.max(1e-9);
    match c.metric {
        RoleMetric::SellInRevenue => t.sell_in_revenue,
        RoleMetric::SellInUnits => t.sell_in_units,
        RoleMetric::SellOutUnits => t.sold,
        RoleMetric::InventoryTurns => {
            let avg = t.on_hand[c.echelon] / weeks;
            if avg > 0.0 {
                t.outflow[c.echelon] / avg * 52.0 / weeks
            } else {
                f64::INFINITY
            }
        }
        RoleMetric::WeeksOfCover => {
            let rate = t.outflow[c.echelon] / weeks;
            if rate > 0.0 {
                t.on_hand[c.echelon] / weeks / rate
            } else {
                52.0
            }
        }
        RoleMetric::MediaSpend => t.media_spend,
        RoleMetric::Reach => t.awareness / weeks,
        RoleMetric::RetailerMargin => t.revenue - t.retailer_costs,
        RoleMetric::CategoryMargin => t.revenue - t.retailer_costs - t.shelf_space_cost,
        RoleMetric::LaunchSellIn => t.launch_sell_in,
        RoleMetric::TradeRate => {
            if t.gross_sell_in > 0.0 {
                t.trade_spend / t.gross_sell_in
            } else {
                0.0
            }
        }
        RoleMetric::FillRate => {
            if t.demand > 0.0 {
                t.sold / t.demand
            } else {
                1.0
            }
        }
        RoleMetric::ChainContribution => t.contribution,
        RoleMetric::CompanyProfit => t.company_profit,
        RoleMetric::OnShelfAvailability => {
            if t.store_weeks > 0.0 {
                1.0 - t.stockout_store_weeks / t.store_weeks
            } else {
                1.0
            }
        }
    }
}

/// Whether a metric is summed over the weeks of a period (so its target is pro-rated by the share
/// of the period a tally covers) rather than a rate.
pub fn is_summed(m: RoleMetric) -> bool {
    matches!(
        m,
        RoleMetric::SellInRevenue
            | RoleMetric::SellInUnits
            | RoleMetric::SellOutUnits
            | RoleMetric::MediaSpend
            | RoleMetric::RetailerMargin
            | RoleMetric::CategoryMargin
            | RoleMetric::LaunchSellIn
            | RoleMetric::ChainContribution
            | RoleMetric::CompanyProfit
    )
}

/// Scorecard attainment (weighted mean of component ratios, each capped at 2).
/// `share` is the fraction of a full period the tally covers: summed targets are pro-rated by it,
/// so a last period cut short by the horizon, or a period so far, is judged fairly.
pub fn attainment(card: &CardSpec, t: &Tally, share: f64) -> f64 {
    if t.weeks <= 0.0 || share <= 0.0 {
        return 1.0;
    }
    card.components
        .iter()
        .map(|c| {
            let due = if is_summed(c.metric) {
                c.target * share
            } else {
                c.target
            };
            let v = component_value(c, t);
            let r = match c.metric {
                RoleMetric::WeeksOfCover => due / v.max(1e-9),
                RoleMetric::MediaSpend => 1.0 - (v - due).abs() / due,
                // A budget, as trade budgets are run: spending within it scores 1 (what is not
                // spent earns nothing), beyond it the score falls to 0 at twice the budget.
                RoleMetric::TradeRate if due > 0.0 => (2.0 - v / due).min(1.0),
                RoleMetric::TradeRate => 1.0 - (v > 0.0) as u8 as f64,
                _ if due > 0.0 => v / due,
                _ => 1.0,
            };
            c.weight * if r.is_nan() { 0.0 } else { r.clamp(0.0, 2.0) }
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

/// A role's attainment, blended with the shared bonus's if the org has one.
pub fn blended_attainment(model: &Model, role: &RoleSpec, t: &Tally, share: f64) -> f64 {
    let own = attainment(&role.card, t, share);
    match &model.shared {
        Some((w, card)) if role.shares_bonus => (1.0 - w) * own + w * attainment(card, t, share),
        _ => own,
    }
}

/// A role's payout for a tally, blended with the shared bonus's if the org has one.
pub fn blended_payout(model: &Model, role: &RoleSpec, t: &Tally, share: f64) -> f64 {
    let own = payout(&role.card, attainment(&role.card, t, share));
    match &model.shared {
        Some((w, card)) if role.shares_bonus => {
            (1.0 - w) * own + w * payout(card, attainment(card, t, share))
        }
        _ => own,
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

/// Where a role stands this week: weeks into the period, weeks left, and its shortfall against
/// the pro-rated target (shares are of a full period, so a short last period is judged fairly).
pub fn standing(
    model: &Model,
    role: &RoleSpec,
    to_date: &Tally,
    elapsed: usize,
    period_len: usize,
) -> Standing {
    let shortfall = if elapsed == 0 {
        0.0
    } else {
        let share = elapsed as f64 / model.period as f64;
        1.0 - blended_attainment(model, role, to_date, share)
    };
    Standing {
        elapsed,
        weeks_left: period_len - elapsed,
        shortfall,
    }
}

/// The option of lever `j` that role `r`'s reading of the strategy prefers, when the role
/// follows the deck past its cap (`behaviour.follow_deck_past_cap`), is past its bonus cap this
/// period and cares for the deck at all (`deck_weight` > 0); else `None`, and the role plays its
/// rule.
///
/// Why: past the cap the bonus is flat, so the role's utility (payout plus `deck_weight` times
/// the strategy as it reads it) is the deck's alone, and the deck decides. Each option is
/// judged by its leaning ([`crate::scenario::playbook::Playbook::leanings`]: what playing it
/// throughout does to sell-out, margin and availability against the plan) weighed by the role's
/// reading, so ambiguity (which moves readings), a stated priority (which orders them) and the
/// role's own emphasis all move what it does. Below the threshold the bonus is flat too, but
/// only where the threshold is out of reach, which a role cannot know mid-period: there it
/// keeps chasing, as its rule says. Options a meeting excluded are not preferred.
pub fn deck_choice(
    model: &Model,
    r: usize,
    j: usize,
    st: &Standing,
    reading: &[f64; 3],
    excluded: &[bool],
) -> Option<usize> {
    let role = &model.roles[r];
    let leanings = model.playbook.leanings.get(j)?;
    let past_cap = st.elapsed > 0 && 1.0 - st.shortfall >= role.card.cap;
    if !role.behaviour.follow_deck_past_cap || !past_cap || role.behaviour.deck_weight <= 0.0 {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (o, lean) in leanings.iter().enumerate() {
        if excluded.get(o).copied().unwrap_or(false) {
            continue;
        }
        let v: f64 = (0..3).map(|k| reading[k] * lean[k]).sum();
        // Strictly better only: ties keep the lower option, the same on every machine.
        if v.is_finite() && best.is_none_or(|(_, b)| v > b) {
            best = Some((o, v));
        }
    }
    best.map(|(o, _)| o)
}

/// How hard the bonus pulls on a role this week, 0 to 1: its shortfall against the pro-rated
/// target times how close the period end is. Shown in charts and the trace; the playbook reacts
/// to the same two things.
pub fn pressure(s: &Standing) -> f64 {
    let closeness = (s.elapsed + 1) as f64 / (s.elapsed + s.weeks_left) as f64;
    (s.shortfall.clamp(0.0, 1.0) * closeness).clamp(0.0, 1.0)
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
            LeverTarget::StoresServed { .. } => s.served = v,
            // Read by the engine when the gated lever's request is made.
            LeverTarget::Approval => {}
        }
    }
    s
}

/// A role's choice for one lever: its rule's option, or with probability `slip` (the role's
/// temperature) another allowed option at random. Draws exactly one uniform, always, so the
/// stream's use does not depend on what was chosen.
pub fn play(rule_option: usize, options: usize, slip: f64, rng: &mut ChaCha8Rng) -> usize {
    let u = rng::open01(rng);
    if options < 2 || u >= slip {
        return rule_option;
    }
    // u / slip is uniform on (0, 1): pick one of the other options evenly.
    let k = ((u / slip) * (options - 1) as f64) as usize;
    let k = k.min(options - 2);
    if k >= rule_option {
        k + 1
    } else {
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_picks_another_option_evenly_and_no_slip_keeps_the_rule() {
        let mut rng = rng::stream(1, 0, rng::Source::Choice(0));
        let mut counts = [0usize; 4];
        for _ in 0..40_000 {
            counts[play(1, 4, 0.3, &mut rng)] += 1;
        }
        // Rule option 1 with probability 0.7; each other option 0.1 (binomial sd about 0.0015).
        assert!(
            (counts[1] as f64 / 40_000.0 - 0.7).abs() < 0.01,
            "{counts:?}"
        );
        for k in [0, 2, 3] {
            assert!(
                (counts[k] as f64 / 40_000.0 - 0.1).abs() < 0.01,
                "{counts:?}"
            );
        }
        assert!((0..100).all(|_| play(2, 4, 0.0, &mut rng) == 2));
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

    /// `org.shared_bonus.roles` names the roles it covers: those are paid the blend, the others
    /// their own scorecard alone; a name that is not a role is refused at its path.
    #[test]
    fn a_shared_bonus_pays_only_the_roles_it_names() {
        let source = crate::scenario::load::resolve("promo_vs_inventory_aligned").unwrap();
        let only = |roles: &str| {
            crate::run::prepare::load(&source, &[format!("org.shared_bonus.roles={roles}")])
        };
        let m = only(r#"["sales","procurement"]"#).unwrap().plan().unwrap();
        let m = m.model();
        let covered: Vec<bool> = m.roles.iter().map(|r| r.shares_bonus).collect();
        assert_eq!(covered, [true, true, false, false, false]);
        // A period in which the shared scorecard pays nothing and sales' own pays in full.
        let t = Tally {
            weeks: 4.0,
            sell_in_revenue: 1e12,
            store_weeks: 4.0,
            stockout_store_weeks: 4.0,
            ..Tally::default()
        };
        let sales = &m.roles[0];
        let own = payout(&sales.card, attainment(&sales.card, &t, 1.0));
        assert!(own > 0.0);
        assert!(
            blended_payout(m, sales, &t, 1.0) < own,
            "sales shares the bonus"
        );
        let retailer = &m.roles[3];
        let own = payout(&retailer.card, attainment(&retailer.card, &t, 1.0));
        assert_eq!(
            blended_payout(m, retailer, &t, 1.0),
            own,
            "the retailer does not"
        );
        let all = crate::scenario::load::load(&source, &[]).unwrap();
        assert!(
            all.roles.iter().all(|r| r.shares_bonus),
            "empty covers every role"
        );

        let Err(crate::Error::InvalidScenario { problems, .. }) = only(r#"["sales","retailr"]"#)
        else {
            panic!("a role that does not exist was accepted");
        };
        let p = &problems[0];
        assert_eq!(p.path, "org.shared_bonus.roles[1]");
        assert!(p.to_string().contains("did you mean 'retailer'"), "{p}");
    }
}
