//! One stock point's state, for all its copies at once (struct of arrays): stock on hand by
//! arrival week (for shelf life), in transit, in the order pipe, owed by upstream, and its
//! demand forecast; and the unit movements on it (arrivals and expiry, shipments in, units
//! taken oldest first, the forecast updated by what it saw).

use crate::scenario::format::{Forecast, OrderPolicy};
use crate::scenario::model::Model;
use crate::sim::world::UNITS_LIMIT;

/// One stock point's state, for all its copies (struct of arrays).
#[derive(Debug, Clone)]
pub(super) struct StockPointState {
    pub(super) copies: usize,
    /// The most one copy may order, or be demanded, in a week: its share of [`UNITS_LIMIT`].
    pub(super) cap: i64,
    pub(super) on_hand: Vec<i64>,
    /// Ordered, not yet received (in transit, in the order pipe, or owed upstream).
    pub(super) on_order: Vec<i64>,
    /// Owed to this copy by its upstream point (backlog).
    pub(super) owed: Vec<i64>,
    pub(super) forecast: Vec<f64>,
    pub(super) mse: Vec<f64>,
    /// Moving-average history, `window` slots per copy.
    pub(super) ma: Vec<f64>,
    pub(super) ma_window: usize,
    /// Arrivals, `lead + 1` slots per copy, indexed by arrival week.
    pub(super) inbound: Vec<i64>,
    /// Orders on their way upstream, `order_delay + 1` slots per copy, indexed by due week.
    pub(super) pipe: Vec<i64>,
    /// Units by arrival week, `shelf_life` slots per copy (empty without shelf life).
    pub(super) cohorts: Vec<i64>,
    pub(super) shelf_life: usize,
    /// The current week (for cohort order).
    pub(super) now: usize,
    /// Demand seen this week (consumer demand or orders received), per copy.
    pub(super) seen: Vec<i64>,
    /// Consumer backlog (a last echelon that backlogs its customers).
    pub(super) customer_owed: Vec<i64>,
}

impl StockPointState {
    pub(super) fn new(
        model: &Model,
        e: usize,
        copies: usize,
        fc: impl Fn(usize) -> f64,
        track_age: bool,
    ) -> StockPointState {
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
        let mut l = StockPointState {
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
                l.inbound[StockPointState::slot(k, spec.lead + 1, c, copies)] = per_week;
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
                l.pipe[StockPointState::slot(k, spec.order_delay + 1, c, copies)] = per_week;
                l.on_order[c] += per_week;
            }
        }
        l
    }

    #[inline]
    pub(super) fn slot(week: usize, len: usize, copy: usize, _copies: usize) -> usize {
        copy * len + week % len
    }

    pub(super) fn pool_into(&self, dst: &mut StockPointState) {
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
    pub(super) fn arrive(&mut self, t: usize, lead: usize) -> i64 {
        let mut expired = 0;
        self.now = t;
        for c in 0..self.copies {
            let slot = StockPointState::slot(t, lead + 1, c, self.copies);
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
    pub(super) fn ship_in(&mut self, t: usize, lead: usize, c: usize, q: i64) {
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
            self.inbound[StockPointState::slot(t + lead, lead + 1, c, self.copies)] += q;
        }
    }

    /// Units copy `c` takes from trade loading: `weeks` of its forecast, within its room below
    /// `max_cover` weeks of forecast (counting what it holds on hand and in transit).
    pub(super) fn loading_want(&self, c: usize, weeks: f64, max_cover: f64) -> f64 {
        let fc = self.forecast[c];
        let w = self.inbound.len() / self.copies;
        let held = self.on_hand[c] + self.inbound[c * w..(c + 1) * w].iter().sum::<i64>();
        (weeks * fc).min((max_cover * fc - held as f64).max(0.0))
    }

    /// Removes `q` units from copy `c`, oldest first.
    pub(super) fn take(&mut self, c: usize, q: i64) {
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

    pub(super) fn observe(&mut self, c: usize, x: f64, policy: &OrderPolicy) {
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
