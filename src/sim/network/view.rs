//! What one stock point's player sees when the week's orders are due: the Beer Game's board
//! from their chair. Their own stock, backlog and pipeline, the order that just came in and
//! the shipment that just arrived; the customers' demand only at the point that faces them.
//! A workshop's second act may show every point's stock to everyone.

use super::{NetworkResult, NetworkSpec, NetworkTrial};
use serde::Serialize;

/// A stock point's view before it orders (after the week's receive, fill, cost and mail).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageView {
    /// The week being played (1-based).
    pub week: usize,
    /// Weeks in the game.
    pub weeks: usize,
    /// The point's name.
    pub stage: String,
    /// Who it ships to: the next point downstream, or "customers".
    pub ships_to: String,
    /// Who it orders from: the next point upstream, or "production".
    pub orders_from: String,
    /// On hand after this week's shipments went out.
    pub inventory: f64,
    /// Owed downstream after this week's shipments went out.
    pub backlog: f64,
    /// The orders it received this week (the customers' demand, at the first point).
    pub incoming: f64,
    /// The shipment it received this week.
    pub received: f64,
    /// Ordered and not yet received.
    pub on_order: f64,
    /// Shipments on their way here, arriving next week first.
    pub arriving: Vec<f64>,
    /// Its orders still in the mail, the one its supplier reads next first.
    pub in_mail: Vec<f64>,
    /// Its orders so far, week 1 first.
    pub orders: Vec<f64>,
    /// The orders it received so far, week 1 first (this week's last).
    pub incoming_so_far: Vec<f64>,
    /// Its cost so far (holding and backlog).
    pub cost: f64,
    /// Cost per unit-week on hand.
    pub holding_cost: f64,
    /// Cost per unit-week owed.
    pub backlog_cost: f64,
    /// This week's customer demand, where this point can see it (the first point, or everyone
    /// when every point is shown).
    pub customer_demand: Option<f64>,
    /// Every other point's stock, when every point is shown; empty otherwise.
    pub others: Vec<StageGlimpse>,
}

/// Another point's stock, as a second act that shows everything shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageGlimpse {
    /// The point's name.
    pub stage: String,
    /// On hand.
    pub inventory: f64,
    /// Owed downstream.
    pub backlog: f64,
    /// Ordered and not yet received.
    pub on_order: f64,
    /// The orders it received this week.
    pub incoming: f64,
}

impl NetworkTrial<'_> {
    /// What point `i`'s player sees now; with `see_all`, every point's stock and the
    /// customers' demand too. Taken between [`Self::open_week`] and [`Self::place_orders`].
    pub fn view(&self, i: usize, see_all: bool) -> StageView {
        let spec = &self.network.stock_points;
        let p = &self.points[i];
        let name = |j: usize| spec[j].name.clone();
        let w = self.week;
        let played = if self.opened { w + 1 } else { w };
        let mail_len = p.mail.len().saturating_sub(1);
        StageView {
            week: w + 1,
            weeks: self.network.weeks as usize,
            stage: name(i),
            ships_to: if i == 0 {
                "customers".into()
            } else {
                name(i - 1)
            },
            orders_from: if i + 1 == spec.len() {
                "production".into()
            } else {
                name(i + 1)
            },
            inventory: p.inventory,
            backlog: p.backlog,
            incoming: p.incoming,
            received: p.received,
            on_order: p.supply_line,
            arriving: p.ship.clone(),
            in_mail: p.mail[..mail_len].to_vec(),
            orders: self.result.orders[i][..w].to_vec(),
            incoming_so_far: self.incoming_history(i, played),
            cost: p.cost,
            holding_cost: spec[i].holding_cost,
            backlog_cost: spec[i].backlog_cost,
            customer_demand: (i == 0 || see_all)
                .then(|| played.checked_sub(1).map(|x| self.result.demand[x]))
                .flatten(),
            others: if see_all {
                (0..spec.len())
                    .filter(|&j| j != i)
                    .map(|j| StageGlimpse {
                        stage: name(j),
                        inventory: self.points[j].inventory,
                        backlog: self.points[j].backlog,
                        on_order: self.points[j].supply_line,
                        incoming: self.points[j].incoming,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The orders point `i` received in the first `weeks` weeks: the customers' demand at the
    /// first point; upstream, the orders placed below it `order_delay` weeks earlier (the
    /// opening flow before week 1).
    fn incoming_history(&self, i: usize, weeks: usize) -> Vec<f64> {
        if i == 0 {
            return self.result.demand[..weeks].to_vec();
        }
        let delay = self.network.stock_points[i - 1].order_delay_weeks as usize;
        (0..weeks)
            .map(|w| match w.checked_sub(delay) {
                Some(x) => self.result.orders[i - 1][x],
                None => self.network.initial_flow,
            })
            .collect()
    }

    /// What each point's policy asked for in the last week placed, whatever was ordered.
    pub fn rule_orders(&self) -> &[f64] {
        &self.rule[..self.points.len()]
    }

    /// The trial so far: every series is written up to the weeks played (costs at
    /// [`Self::finish`]).
    pub fn so_far(&self) -> &NetworkResult {
        &self.result
    }

    /// The network played.
    pub fn network(&self) -> &NetworkSpec {
        self.network
    }
}

#[cfg(test)]
mod tests {
    use super::super::{beer_game, run_network, NetworkTrial, STERMAN_FITTED};

    #[test]
    fn a_week_opened_and_placed_is_a_step_and_the_view_reads_the_board() {
        let spec = beer_game(true, STERMAN_FITTED);
        let whole = run_network(&spec, 3, 5);
        let mut t = NetworkTrial::new(&spec, 3, 5);
        let mut seen_incoming = Vec::new();
        while !t.is_done() {
            t.open_week();
            let v = t.view(2, false);
            assert_eq!(v.incoming_so_far.last(), Some(&v.incoming));
            assert_eq!(v.incoming_so_far.len(), v.week);
            assert!(v.customer_demand.is_none() && v.others.is_empty());
            seen_incoming.push(v.incoming);
            assert_eq!(
                t.view(0, false).customer_demand,
                Some(v.incoming_so_far.len()).map(|_| t.so_far().demand[v.week - 1])
            );
            t.place_orders(&[]);
        }
        let r = t.finish();
        assert_eq!(format!("{r:?}"), format!("{whole:?}"));
        // The wholesaler's incoming orders are the retailer's, one mail delay later.
        assert_eq!(seen_incoming.len(), spec.weeks as usize);
    }

    #[test]
    fn a_supplied_order_is_placed_and_the_rule_is_still_reported() {
        let spec = beer_game(true, STERMAN_FITTED);
        let mut a = NetworkTrial::new(&spec, 1, 0);
        let mut b = NetworkTrial::new(&spec, 1, 0);
        a.place_orders(&[Some(9.0)]);
        b.step();
        assert_eq!(a.so_far().orders[0][0], 9.0);
        assert_eq!(a.rule_orders(), b.rule_orders());
        assert_eq!(b.so_far().orders[0][0], b.rule_orders()[0]);
        assert_eq!(a.so_far().orders[1][0], b.so_far().orders[1][0]);
    }
}
