//! The chain's stock points as written in the file (`world.chain`): lead times, opening
//! stock, shelf life, holding cost, what happens to unfilled orders, and how each point orders
//! (order-up-to with its forecast, Sterman's heuristic, or a fixed quantity).

use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A stock point (warehouse, distribution centre, store, ...).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StockPoint {
    /// Name used by levers, scorecards and visibility.
    pub name: String,
    /// Replicated once per store (only the last stock point may be).
    #[serde(default)]
    pub per_store: bool,
    /// Weeks from shipment by the upstream point (or production) to arrival here.
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub lead_time_weeks: u32,
    /// Weeks from placing an order to the upstream point receiving it.
    #[serde(default)]
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub order_delay_weeks: u32,
    /// Opening stock, in weeks of expected demand.
    #[schemars(transform = limits::COVER_WEEKS.schema())]
    pub initial_cover_weeks: f64,
    /// What happens to orders from downstream this point cannot fill (stores always lose unmet consumer demand).
    #[serde(default)]
    pub unmet: Unmet,
    /// Units older than this (weeks since arrival here) are written off.
    #[serde(default)]
    #[schemars(transform = limits::SHELF_LIFE_WEEKS.schema())]
    pub shelf_life_weeks: Option<u32>,
    /// Holding cost per unit per week.
    #[schemars(transform = limits::HOLDING_COST.schema())]
    pub holding_cost: f64,
    /// How this point orders from upstream.
    pub policy: OrderPolicy,
}

/// Fate of unfilled orders from downstream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unmet {
    /// Kept and shipped when stock arrives.
    #[default]
    Backlog,
    /// Dropped; the downstream point orders again.
    Lost,
}

/// An ordering policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderPolicy {
    /// Order up to `forecast x (lead time + order delay + cover_weeks) + safety`, counting stock on hand and on order.
    OrderUpTo {
        /// How the demand seen by this point is forecast.
        forecast: Forecast,
        /// Weeks of cover beyond the replenishment lead time (a lever may set it).
        #[schemars(transform = limits::COVER_WEEKS.schema())]
        cover_weeks: f64,
        /// Safety stock in forecast standard deviations over the lead time (0 = none).
        #[serde(default)]
        #[schemars(transform = limits::SAFETY_FACTOR.schema())]
        safety_factor: f64,
    },
    /// Sterman's (1989) anchoring-and-adjustment heuristic of the Beer Distribution Game.
    Sterman {
        /// Smoothing of expected demand (theta).
        #[schemars(transform = limits::SHARE.schema())]
        theta: f64,
        /// Fraction of the stock gap ordered each week (alpha_S).
        #[schemars(transform = limits::SHARE.schema())]
        alpha_s: f64,
        /// Weight given to the supply line (beta).
        #[schemars(transform = limits::SHARE.schema())]
        beta: f64,
        /// Desired stock, as weeks of expected demand (a lever with kind order_cover may set it).
        #[schemars(transform = limits::COVER_WEEKS.schema())]
        desired_cover_weeks: f64,
    },
    /// The same quantity every week.
    Fixed {
        /// Units per week.
        #[schemars(transform = limits::FIXED_QUANTITY.schema())]
        quantity: f64,
    },
}

/// A demand forecast.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Forecast {
    /// Mean of the last `window` weeks.
    MovingAverage {
        /// Weeks averaged.
        #[schemars(transform = limits::FORECAST_WINDOW.schema())]
        window: u32,
    },
    /// Exponential smoothing with weight `alpha` on the newest week.
    ExpSmoothing {
        /// Smoothing weight in (0, 1].
        #[schemars(transform = limits::SMOOTHING_ALPHA.schema())]
        alpha: f64,
    },
}
