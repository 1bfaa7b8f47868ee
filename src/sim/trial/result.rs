//! The end of a trial: its books closed into a [`TrialResult`] (metrics, each role's values,
//! the weekly series and the hockey-stick table).

use super::Trial;
use crate::scenario::model::Model;
use crate::sim::{org, world};
use crate::stats::metrics::{metric, TrialResult, GLOBAL_METRICS, ROLE_VALUES};

impl Trial<'_> {
    /// Plays any remaining weeks and reports the trial.
    ///
    /// Long because it is one list: every metric in the order of `GLOBAL_METRICS`, so the order
    /// can be checked against that table line by line; split, the order would be in pieces.
    pub fn finish(mut self) -> TrialResult {
        while !self.is_done() {
            self.step();
        }
        let m = self.model;
        let p = &m.scenario.world.prices;
        let tot = &self.totals;
        let fl = &tot.flows;
        let ending = self.chain.units_in_system() as f64;
        let gross = fl.revenue - fl.sold * p.unit_cost;
        let profit = gross
            - tot.holding
            - tot.write_off * p.unit_cost
            - fl.media_spend
            - ending * p.unit_cost * (1.0 - m.scenario.world.end_salvage_fraction);
        let var = |a: &[f64; 3]| {
            if a[0] > 1.0 {
                (a[2] - a[1] * a[1] / a[0]) / (a[0] - 1.0)
            } else {
                0.0
            }
        };
        let (vd, vo) = (var(&tot.demand), var(&tot.orders));
        let bullwhip = if vd > 1e-12 { vo / vd } else { 0.0 };
        let periods = self.periods_done.max(1e-9);
        let mut roles: Vec<[f64; ROLE_VALUES]> = (0..m.roles.len())
            .map(|r| {
                let a = self.attainment[r] / periods;
                [a, self.payout[r] / periods, (a >= 1.0) as u8 as f64, 0.0]
            })
            .collect();
        let mut metrics = vec![0.0; GLOBAL_METRICS.len()];
        // Non-finite values are kept: `run` refuses them by name instead of writing a 0.
        let mut set = |name: &str, v: f64| metrics[metric(name)] = v;
        set("sell_out_units", fl.sold);
        set("sell_in_units", fl.sell_in_units);
        set("consumer_demand_units", fl.demand);
        set("revenue", fl.revenue);
        set("company_revenue", fl.sell_in_revenue);
        set("gross_margin", gross);
        set("profit", profit);
        // The company's stock left at the end is valued as the chain's is in `profit`.
        let company_ending = self.chain.company_units() as f64;
        set(
            "company_profit",
            fl.company_profit
                - company_ending * p.unit_cost * (1.0 - m.scenario.world.end_salvage_fraction),
        );
        set(
            "fill_rate",
            if fl.demand > 0.0 {
                fl.sold / fl.demand
            } else {
                1.0
            },
        );
        set("stockout_store_weeks", tot.stockout_store_weeks);
        set(
            "on_shelf_availability",
            1.0 - tot.stockout_store_weeks / (m.horizon * store_nodes(m)) as f64,
        );
        set("lost_sales_units", tot.lost);
        set("write_off_units", tot.write_off);
        set("ending_inventory_units", ending);
        set("holding_cost", tot.holding);
        set("media_spend", fl.media_spend);
        set("promo_weeks", tot.promo_weeks);
        set("trade_spend", fl.trade_spend);
        let nodes = store_nodes(m) as f64;
        let other_weeks = m.horizon as f64 - tot.promo_weeks;
        set(
            "oos_promo_weeks",
            if tot.promo_weeks > 0.0 {
                tot.promo_stockouts / (nodes * tot.promo_weeks)
            } else {
                0.0
            },
        );
        set(
            "oos_other_weeks",
            if other_weeks > 0.0 {
                (tot.stockout_store_weeks - tot.promo_stockouts) / (nodes * other_weeks)
            } else {
                0.0
            },
        );
        set(
            "promo_lift_realised",
            if tot.promo_weeks > 0.0 {
                tot.lift / tot.promo_weeks
            } else {
                1.0
            },
        );
        set("write_off_after_flops", tot.write_off_after_flops);
        set("bullwhip_ratio", bullwhip);
        set(
            "interpretation_spread",
            org::interpretation_spread(&self.readings),
        );
        let spread = org::operational_spread(&self.pulls);
        set("operational_spread", spread);
        let rec = &self.meetings.record;
        set("meetings_held", rec.held);
        set("meetings_with_dissent", rec.with_dissent);
        set("decisions_made", rec.decisions);
        set("options_excluded", rec.excluded);
        set("requests_refused", tot.refused);
        set("stated_agreement", rec.stated_agreement());
        set("operational_agreement", 1.0 - spread);
        set("departures", rec.departures);
        let shelf = world::shelf_tick(m);
        set(
            "media_weeks_late",
            self.campaign.start.saturating_sub(shelf) as f64,
        );
        // Store-weeks from shelf day to the horizon's end.
        let on_shelf = (m.warmup + m.horizon).saturating_sub(shelf.max(m.warmup));
        let possible = (on_shelf * store_nodes(m)) as f64;
        set(
            "stores_served_share",
            if possible > 0.0 {
                fl.served_store_weeks / possible
            } else {
                0.0
            },
        );
        // Against the plan's sell-out (the plan measured against itself is 1).
        let planned = m
            .plan
            .as_ref()
            .map(|p| p.metrics[metric("sell_out_units")])
            .filter(|v| *v > 0.0);
        set("sell_out_vs_plan", planned.map_or(1.0, |p| fl.sold / p));
        let met = m.targets.iter().all(|tg| {
            let v = metrics[tg.metric];
            tg.at_least.is_none_or(|lo| v >= lo) && tg.at_most.is_none_or(|hi| v <= hi)
        });
        let strategy = strategy_attainment(m, &metrics);
        // The designed-in consequence of defection: a clawback on every bonus when the
        // organisation misses. Claims of success stand on attainment, which it does not touch.
        let clawback = m.defection_cost * (1.0 - strategy).max(0.0);
        for (r, v) in roles.iter_mut().enumerate() {
            v[1] = (v[1] - clawback).max(0.0);
            // The fit's expected payout against what this trial paid: its mean over trials is the
            // role's projection bias (zero for a role that knows its own game).
            if m.playbook.fitted {
                v[3] = m.playbook.fits[r].payout - v[1];
            }
        }
        let all_claim = m.claimants.iter().all(|&r| roles[r][2] > 0.5);
        let claimed = if m.claimants.is_empty() {
            strategy
        } else {
            m.claimants.iter().map(|&r| roles[r][0]).sum::<f64>() / m.claimants.len() as f64
        };
        metrics[metric("strategy_met")] = met as u8 as f64;
        metrics[metric("coordinated_divergence")] = (!met && all_claim) as u8 as f64;
        metrics[metric("strategy_attainment")] = strategy;
        metrics[metric("divergence_gap")] = claimed - strategy;
        TrialResult {
            trial: self.trial,
            metrics,
            roles,
            interpretations: self.readings.clone(),
            promo_phase: self.promo_phase(),
            series: self.series,
            capped: self.chain.capped,
        }
    }
}

impl Trial<'_> {
    /// The per-trial hockey-stick table ([`crate::stats::metrics::PromoPhase`]), from the recorded series.
    fn promo_phase(&self) -> Vec<f64> {
        let m = self.model;
        let Some(j) = m.promo_lever else {
            return Vec::new();
        };
        let (h, p) = (m.horizon, m.period);
        let role = m.levers[j].role;
        let pressure = &self.series[(self.layout.pressure + role) * h..][..h];
        let depth = &self.series[(self.layout.levers + j) * h..][..h];
        let mut out = vec![0.0; 2 * p + 2];
        for start in (0..h).step_by(p).filter(|s| s + p <= h) {
            let side = if pressure[start + p / 2] > 0.0 { 0 } else { 1 };
            for k in 0..p {
                out[side * p + k] += depth[start + k];
            }
            out[2 * p + side] += 1.0;
        }
        out
    }
}

/// Consumer-facing nodes: one per store where the last stock point is per store.
pub(super) fn store_nodes(model: &Model) -> usize {
    if model.chain.last().is_some_and(|e| e.per_store) {
        model.stores
    } else {
        1
    }
}

/// How far the trial's outcome meets the strategy's targets, as attainment (1 = exactly at the
/// worst-met target, above 1 = every target beaten). The worst target decides, as a strategy is
/// met only when all are. Each bound is measured relative to its own size, capped to 0..2.
fn strategy_attainment(model: &Model, metrics: &[f64]) -> f64 {
    let rel = |gap: f64, scale: f64| (1.0 + gap / scale.abs().max(1e-9)).clamp(0.0, 2.0);
    model
        .targets
        .iter()
        .flat_map(|tg| {
            let v = metrics[tg.metric];
            let lo = tg.at_least.map(|lo| rel(v - lo, lo));
            let hi = tg.at_most.map(|hi| rel(hi - v, hi.max(1.0)));
            lo.into_iter().chain(hi)
        })
        .fold(None, |acc: Option<f64>, x| {
            Some(acc.map_or(x, |a| a.min(x)))
        })
        .unwrap_or(1.0)
}
