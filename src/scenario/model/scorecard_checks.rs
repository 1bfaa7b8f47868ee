//! The checks of a scorecard (a role's, or the organisation's shared bonus): at least one
//! line, each line's weight, target and stock point, weights that sum to a whole, and the
//! payout curve; compiled to a [`CardSpec`] with weights normalised.

use crate::error::Problem;
use crate::scenario::format::{RoleMetric, ScoreComponent, Scorecard, TargetValue};
use crate::scenario::limits;
use crate::scenario::model::checker::Check;
use crate::scenario::model::compiled_parts::{metric_name, CardSpec, ComponentSpec};

impl Check {
    /// The scorecard at `p`, checked and compiled.
    pub(super) fn card(&mut self, p: &str, card: &Scorecard, names: &[&str]) -> CardSpec {
        if card.components.is_empty() {
            self.push(Problem::new(
                format!("{p}.components"),
                "at least one component",
                "an empty list",
            ));
        }
        let total: f64 = card
            .components
            .iter()
            .map(|c| c.weight)
            .filter(|w| w.is_finite())
            .sum();
        let mut comps = Vec::new();
        for (i, comp) in card.components.iter().enumerate() {
            let cp = format!("{p}.components[{i}]");
            comps.push(self.component(&cp, comp, names, total));
        }
        if !card.components.is_empty() && total <= 0.0 {
            self.push(Problem::new(
                format!("{p}.components"),
                "weights with a positive sum",
                "weights summing to 0",
            ));
        } else {
            self.sum_is_sensible(&format!("{p}.components"), total);
        }
        self.range(
            &format!("{p}.payout.threshold"),
            card.payout.threshold,
            limits::PAYOUT_THRESHOLD,
        );
        self.range(
            &format!("{p}.payout.cap"),
            card.payout.cap,
            limits::PAYOUT_CAP,
        );
        CardSpec {
            components: comps,
            threshold: card.payout.threshold,
            cap: card.payout.cap,
        }
    }

    /// One scorecard line at `cp`: its weight (normalised by the card's `total`), its target (a
    /// number, or a multiple of the plan), and its stock point.
    fn component(
        &mut self,
        cp: &str,
        comp: &ScoreComponent,
        names: &[&str],
        total: f64,
    ) -> ComponentSpec {
        self.range(&format!("{cp}.weight"), comp.weight, limits::WEIGHT);
        let (target, plan) = match comp.target {
            TargetValue::Absolute(v) => {
                // Fill rate and reach are shares: range() hints at a percentage written for a fraction.
                let range = if RoleMetric::SHARES.contains(&comp.metric) {
                    limits::SHARE
                } else {
                    limits::TARGET
                };
                self.range(&format!("{cp}.target"), v, range);
                (v, None)
            }
            TargetValue::Plan { plan } => {
                self.plan_factor(&format!("{cp}.target.plan"), plan);
                (f64::NAN, Some(plan))
            }
        };
        let echelon = self.component_stock_point(cp, comp, names);
        ComponentSpec {
            metric: comp.metric,
            echelon,
            target,
            plan,
            weight: comp.weight / total.max(1e-300),
        }
    }

    /// The stock point of a scorecard line: named by a stock metric, and only by one.
    fn component_stock_point(&mut self, cp: &str, comp: &ScoreComponent, names: &[&str]) -> usize {
        match (&comp.stock_point, comp.metric.needs_stock_point()) {
            (Some(sp), true) => self
                .stock_point(&format!("{cp}.stock_point"), sp, names)
                .unwrap_or(0),
            (None, true) => {
                self.push(Problem::new(
                    format!("{cp}.stock_point"),
                    format!(
                        "the stock point {} measures ({})",
                        metric_name(comp.metric),
                        names.join(", ")
                    ),
                    "none",
                ));
                0
            }
            (Some(sp), false) => {
                self.push(
                    Problem::new(
                        format!("{cp}.stock_point"),
                        format!(
                            "no stock_point ({} is not measured per stock point)",
                            metric_name(comp.metric)
                        ),
                        format!("'{sp}'"),
                    )
                    .hint("only inventory_turns and weeks_of_cover take a stock_point"),
                );
                0
            }
            (None, false) => 0,
        }
    }
}
