//! A scorecard as written in the file: its weighted components (a metric, a stock point for
//! stock metrics, a target), the metrics a role can be paid on, and the payout curve. Roles
//! and the organisation's shared bonus both use it.

use super::conditional_ranges::{keywords, push_case, when};
use super::strategy::{Objective, TargetValue};
use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A role's incentive function.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    /// Weighted components; attainment is their weighted mean.
    #[schemars(length(min = 1))]
    pub components: Vec<ScoreComponent>,
    /// How attainment turns into payout.
    #[serde(default)]
    pub payout: Payout,
}

/// One scorecard line: a metric, its per-period target, its weight.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = component_target_ranges)]
pub struct ScoreComponent {
    /// What is measured each period.
    pub metric: RoleMetric,
    /// The stock point, for stock metrics (`inventory_turns`, `weeks_of_cover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_point: Option<String>,
    /// Target per period (turns are per year, cover and reach are averages): a number, or
    /// `{"plan": f}` for f times the plan's value per period.
    pub target: TargetValue,
    /// Weight in the scorecard; the weights sum to 1 (or to 100, as percentages).
    #[schemars(transform = limits::WEIGHT.schema())]
    pub weight: f64,
}

/// Metrics a scorecard can pay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleMetric {
    /// Company revenue on shipments to the retailer (net of trade deals).
    SellInRevenue,
    /// Units shipped to the retailer.
    SellInUnits,
    /// Units sold to consumers.
    SellOutUnits,
    /// Annualised turns of a stock point: outflow / average stock x 52 / period (higher is better).
    InventoryTurns,
    /// Average weeks of cover at a stock point (lower is better).
    WeeksOfCover,
    /// Media spend against its budget (closer is better).
    MediaSpend,
    /// Average awareness in the period, 0 to 1.
    Reach,
    /// Retailer's margin: consumer revenue less the cost of the units it sold.
    RetailerMargin,
    /// Share of consumer demand served.
    FillRate,
    /// On-shelf availability: share of store-weeks in which a store served all its demand.
    OnShelfAvailability,
    /// The whole chain's contribution (the strategy's margin).
    ChainContribution,
    /// The company's own profit: sell-in revenue less the cost of goods sold in, its own stock's
    /// holding and write-offs, and media (the retailer's margin is not the company's).
    CompanyProfit,
    /// The retailer's margin on the category: its margin on this product less what its private
    /// label would have earned on the shelf space the product takes in every store it serves
    /// (`world.launch.private_label_margin` per store-week; without a launch, its margin).
    CategoryMargin,
    /// Units shipped to the retailer before a launch's shelf day: the load-in, the trucks that
    /// arrived on time (0 without a launch).
    LaunchSellIn,
    /// Trade spend as a share of gross sell-in (sell-in at list price): what the deals sales
    /// grants cost the company, as the trade measures it. A budget, as trade budgets are run:
    /// within it the component scores 1 (what is not spent earns nothing), beyond it the score
    /// falls to 0 at twice the budget.
    TradeRate,
}

impl RoleMetric {
    /// Metrics that are shares from 0 to 1: a target on one is a share too.
    pub const SHARES: [RoleMetric; 4] = [
        RoleMetric::FillRate,
        RoleMetric::OnShelfAvailability,
        RoleMetric::Reach,
        RoleMetric::TradeRate,
    ];
    /// The strategy objective this metric speaks to (used for motivated reading).
    pub fn emphasis(self) -> Objective {
        match self {
            RoleMetric::SellInRevenue
            | RoleMetric::SellInUnits
            | RoleMetric::SellOutUnits
            | RoleMetric::MediaSpend
            | RoleMetric::Reach
            | RoleMetric::LaunchSellIn => Objective::SellOut,
            RoleMetric::InventoryTurns
            | RoleMetric::WeeksOfCover
            | RoleMetric::RetailerMargin
            | RoleMetric::ChainContribution
            | RoleMetric::CompanyProfit
            | RoleMetric::CategoryMargin
            | RoleMetric::TradeRate => Objective::Margin,
            RoleMetric::FillRate | RoleMetric::OnShelfAvailability => Objective::Availability,
        }
    }
    /// The snake_case name used in files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
    /// Whether the metric needs `stock_point`.
    pub fn needs_stock_point(self) -> bool {
        matches!(self, RoleMetric::InventoryTurns | RoleMetric::WeeksOfCover)
    }
}

/// Payout curve: nothing below `threshold`, half at threshold, all at target (attainment 1), more up to `cap`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payout {
    /// Attainment below which nothing is paid.
    #[schemars(transform = limits::PAYOUT_THRESHOLD.schema())]
    pub threshold: f64,
    /// Attainment above which payout stops growing.
    #[schemars(transform = limits::PAYOUT_CAP.schema())]
    pub cap: f64,
}

impl Default for Payout {
    fn default() -> Self {
        Payout {
            threshold: 0.8,
            cap: 1.2,
        }
    }
}

/// A scorecard target on a share is a share; any other absolute target is positive.
fn component_target_ranges(schema: &mut schemars::Schema) {
    let shares = RoleMetric::SHARES.iter().map(|m| m.name()).collect();
    let case = when(
        "metric",
        shares,
        json!({ "target": keywords(limits::SHARE) }),
        Some(json!({ "target": keywords(limits::TARGET) })),
    );
    push_case(schema, case);
}
