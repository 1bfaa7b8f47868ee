//! The world a scenario's roles act on, as written in the file: the stores, consumer demand
//! (its distribution, season, promotion response), prices, media, and a product launch.
//!
//! The chain of stock points the world holds has its own file ([`super::stock_points`]): a
//! reader of demand need not read ordering policies.

use super::defaults;
use super::stock_points::StockPoint;
use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The world all roles act on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Number of stores facing consumers (the stock point marked `per_store` is replicated this many times).
    #[schemars(transform = limits::STORES.schema())]
    pub stores: u32,
    /// Consumer demand at each store.
    pub demand: Demand,
    /// Prices and unit cost.
    pub prices: Prices,
    /// Media: spend builds awareness (adstock), awareness raises demand.
    #[serde(default)]
    pub media: Media,
    /// Stock points from the most upstream (supplied by production) to the stores, in order.
    #[schemars(length(min = 1, max = limits::MAX_STOCK_POINTS))]
    pub chain: Vec<StockPoint>,
    /// The stock point whose receipts are the company's sell-in (default: the second stock point, or the only one).
    #[serde(default)]
    pub sell_in_point: Option<String>,
    /// The retailer accepts units pushed by trade loading, and forward-buys, only while its stock at the
    /// sell-in point (on hand and on order) stays below this many weeks of its forecast (its storage).
    #[serde(default = "defaults::retailer_max_cover_weeks")]
    #[schemars(transform = limits::COVER_WEEKS.schema())]
    pub retailer_max_cover_weeks: f64,
    /// Probability that a store's weekly replenishment order is not placed (a missed order, the
    /// field's largest single cause of ordinary out-of-stocks), drawn per store and week from
    /// the trial's own stream. 0 (the default): every order is placed. Only a stock point marked
    /// `per_store` misses orders.
    #[serde(default)]
    #[schemars(transform = limits::STORE_ORDER_MISS.schema())]
    pub store_order_miss: f64,
    /// Fraction of unit cost recovered for stock left anywhere at the end of the horizon.
    #[serde(default = "defaults::end_salvage_fraction")]
    #[schemars(transform = limits::SHARE.schema())]
    pub end_salvage_fraction: f64,
    /// A new product's launch: no demand before shelf day, an empty chain but the company's
    /// launch build, a media campaign whose timing depends on when marketing learns the date and
    /// how long approval takes, and the private-label margin the retailer gives up for the space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch: Option<Launch>,
}

/// A product launch (the launch story).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    /// Scored week (from 1) the product goes on shelf: consumers buy from this week on, and no
    /// stock point forecasts from sales before it (there are none).
    #[schemars(transform = limits::HORIZON_WEEKS.schema())]
    pub shelf_week: u32,
    /// How many weeks before shelf day marketing learns the date, drawn per trial, evenly, from
    /// these whole weeks. A shared launch calendar makes both large.
    pub notice_weeks: WeekSpan,
    /// Weeks the campaign waits for approval once marketing asks for it, drawn per trial.
    pub approval_weeks: WeekSpan,
    /// Weeks the campaign airs. It is planned to start on shelf day, and starts when approved if
    /// that is later: `media_weeks_late` counts the difference.
    #[schemars(transform = limits::CAMPAIGN_WEEKS.schema())]
    pub campaign_weeks: u32,
    /// Media spend per store per week while the campaign airs (on top of any media lever).
    #[schemars(transform = limits::MEDIA_SPEND.schema())]
    pub campaign_spend: f64,
    /// The retailer's margin per store-week on the shelf space the product takes: what its
    /// private label earns there. The `category_margin` metric subtracts it for every store
    /// served.
    #[schemars(transform = limits::PRIVATE_LABEL_MARGIN.schema())]
    pub private_label_margin: f64,
}

/// Whole weeks from `min` to `max`, both included; a trial draws one evenly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekSpan {
    /// The fewest weeks.
    #[schemars(transform = limits::LAUNCH_WEEKS.schema())]
    pub min: u32,
    /// The most weeks (at least `min`).
    #[schemars(transform = limits::LAUNCH_WEEKS.schema())]
    pub max: u32,
}

/// Consumer demand per served store per week:
/// `base x season(t) x media(t) x promo_uplift(t) x post_promo_dip(t)`, then a random draw.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Mean units per store per week before season, media and promotion.
    #[schemars(transform = limits::BASE_PER_STORE.schema())]
    pub base_per_store: f64,
    /// Distribution of the weekly count around its mean.
    #[serde(default)]
    pub distribution: DemandDistribution,
    /// Spread of store sizes (coefficient of variation of a lognormal size factor; 0 = identical stores).
    #[serde(default)]
    #[schemars(transform = limits::STORE_SIZE_CV.schema())]
    pub store_size_cv: f64,
    /// Seasonal swing: demand is multiplied by `1 + amplitude x cos(2 pi (t - peak) / 52)`.
    #[serde(default)]
    #[schemars(transform = limits::SEASON_AMPLITUDE.schema())]
    pub season_amplitude: f64,
    /// Week of the seasonal peak.
    #[serde(default)]
    #[schemars(transform = limits::SEASON_PEAK_WEEK.schema())]
    pub season_peak_week: u32,
    /// Promotion uplift is `exp(elasticity x depth)` for a price discount `depth` in [0, 1).
    #[serde(default = "defaults::promo_elasticity")]
    #[schemars(transform = limits::PROMO_ELASTICITY.schema())]
    pub promo_elasticity: f64,
    /// Share of the extra promoted volume that is borrowed from the following weeks (the post-promotion dip).
    #[serde(default)]
    #[schemars(transform = limits::SHARE.schema())]
    pub pull_forward: f64,
    /// Number of weeks over which the borrowed volume is paid back.
    #[serde(default = "defaults::dip_weeks")]
    #[schemars(transform = limits::DIP_WEEKS.schema())]
    pub dip_weeks: u32,
    /// How uncertain a promotion's lift is: each promotion week's extra volume is its expected
    /// extra volume, `exp(elasticity x depth) - 1`, times a lognormal factor of mean 1 and this
    /// log standard deviation, drawn from the trial's own lift stream (some land big, some flop).
    /// 0 (the default): every promotion lifts exactly as expected.
    #[serde(default)]
    #[schemars(transform = limits::LIFT_SPREAD.schema())]
    pub lift_spread: f64,
}

/// How the weekly demand count is drawn around its mean. Each draw uses exactly one
/// uniform number (inversion), so a decision that changes the mean never shifts
/// later random draws: paired comparisons stay paired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DemandDistribution {
    /// Poisson with the given mean (variance = mean).
    #[default]
    Poisson,
    /// Negative binomial: variance = mean + mean^2 / dispersion (over-dispersed demand).
    NegativeBinomial {
        /// The dispersion parameter r (> 0); smaller is noisier.
        #[schemars(transform = limits::DISPERSION.schema())]
        dispersion: f64,
    },
    /// Normal, rounded and truncated at zero; sd = cv x mean.
    Normal {
        /// Coefficient of variation.
        #[schemars(transform = limits::DEMAND_CV.schema())]
        cv: f64,
    },
}

/// Prices per unit.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Consumer shelf price before any promotion.
    #[schemars(transform = limits::PRICE.schema())]
    pub shelf_price: f64,
    /// Price the retailer pays the company (sell-in), before any trade deal.
    #[schemars(transform = limits::PRICE.schema())]
    pub list_price: f64,
    /// Cost of goods per unit.
    #[schemars(transform = limits::PRICE.schema())]
    pub unit_cost: f64,
    /// Discount off list price on units pushed to the retailer by trade loading.
    #[serde(default = "defaults::loading_discount")]
    #[schemars(transform = limits::DISCOUNT.schema())]
    pub loading_discount: f64,
}

/// Media response: adstock with weekly decay, saturating awareness, demand uplift.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Media {
    /// Share of last week's adstock that carries over.
    #[schemars(transform = limits::ADSTOCK_DECAY.schema())]
    pub adstock_decay: f64,
    /// Adstock per store (weekly spend per store, carried over) at which awareness reaches 1 - 1/e.
    #[schemars(transform = limits::SATURATION_SPEND.schema())]
    pub saturation_spend: f64,
    /// Demand uplift at full awareness (0.3 = +30%).
    #[schemars(transform = limits::MAX_UPLIFT.schema())]
    pub max_uplift: f64,
}

impl Default for Media {
    fn default() -> Self {
        Media {
            adstock_decay: 0.7,
            saturation_spend: 1.0,
            max_uplift: 0.0,
        }
    }
}
