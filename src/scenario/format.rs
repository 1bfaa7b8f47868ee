//! The scenario file: the serde types that *are* the format, and loading it.
//!
//! A scenario is one JSON document. The JSON Schema shipped with orgsim is derived
//! from these types (`orgsim schema`), so the documentation cannot drift from the code.
//! Structural problems (wrong type, unknown key) are reported by serde with the JSON
//! path; semantic problems (a lever naming a stock point that does not exist, weights
//! that sum to zero) are collected by [`crate::scenario::model::Model::compile`], all of them at once.

use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One scenario: the world, the roles acting on it, the strategy they read, and the org design.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Optional pointer to the JSON Schema, so editors can validate the file.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Short identifier, used for the output folder.
    pub name: String,
    /// What the scenario shows, in plain words for a consultant or a workshop.
    pub description: String,
    /// Number of weekly ticks in one trial.
    #[serde(default = "defaults::horizon_weeks")]
    #[schemars(transform = limits::HORIZON_WEEKS.schema())]
    pub horizon_weeks: u32,
    /// Ticks per scorecard period (targets and bonuses are per period). A last period cut short by
    /// the horizon is scored against its pro-rated target.
    #[serde(default = "defaults::period_weeks")]
    #[schemars(transform = limits::PERIOD_WEEKS.schema())]
    pub period_weeks: u32,
    /// Unscored weeks played before week 1 with every lever at its `initial` option, so that a trial
    /// starts in the steady state of its opening policies (pipelines, forecasts and stock settled):
    /// the opening stock must not decide the outcome.
    #[serde(default = "defaults::warmup_weeks")]
    #[schemars(transform = limits::WARMUP_WEEKS.schema())]
    pub warmup_weeks: u32,
    /// How hard the fit looks for each role's best response. After climbing one rule parameter at
    /// a time, it races every role's whole rule family (every rule of each lever, and pairs of a
    /// role's levers) on samples of its own, takes a deviation verified on a thousand fresh trials,
    /// and repeats, up to this many times, until no role moves. 0 (the default): the climb alone,
    /// fast, but it can stop short of a role's best rule (the run's certificate says when).
    /// Each race of the default scenario takes about 20 s on 2 cores.
    #[serde(default)]
    #[schemars(transform = limits::FIT_RACES.schema())]
    pub fit_races: u32,
    /// The shared reality: market, stock points, money.
    pub world: World,
    /// What the organisation says it wants.
    pub strategy: Strategy,
    /// The departments and partners, each with levers and a scorecard.
    #[schemars(length(min = 1))]
    pub roles: Vec<Role>,
    /// Organisation design: shared bonus, consequences of defection.
    #[serde(default)]
    pub org: Org,
}

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
    #[schemars(length(min = 1, max = limits::MAX_ECHELONS))]
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

/// What the organisation says it wants, and how clearly.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// The words on the slide.
    #[serde(default)]
    pub statement: String,
    /// The objectives and their true weights.
    #[schemars(length(min = 1))]
    pub objectives: Vec<ObjectiveWeight>,
    /// A stated priority order (most important first); empty = none stated.
    #[serde(default)]
    pub priority: Vec<Objective>,
    /// Options ruled out whatever anyone prefers.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// 0 = everyone reads the true weights; 1 = readings are mostly noise and motivated reading.
    #[schemars(transform = limits::SHARE.schema())]
    pub ambiguity: f64,
    /// What success means for the whole organisation; a trial that misses any target has missed the strategy.
    pub targets: Vec<Target>,
    /// Roles whose joint success, while the strategy is missed, counts as coordinated divergence (default: all).
    #[serde(default)]
    pub claimants: Vec<String>,
}

/// A global objective of the strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Consumer sales volume.
    SellOut,
    /// Contribution of the whole chain: gross margin less holding, write-off and media costs.
    Margin,
    /// Share of consumer demand served from the shelf (fill rate).
    Availability,
}

impl Objective {
    /// All objectives, in the order used in outputs.
    pub const ALL: [Objective; 3] = [
        Objective::SellOut,
        Objective::Margin,
        Objective::Availability,
    ];
    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Objective::SellOut => "sell_out",
            Objective::Margin => "margin",
            Objective::Availability => "availability",
        }
    }
}

/// An objective with its weight.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveWeight {
    /// Which objective.
    pub objective: Objective,
    /// Its true weight; the weights sum to 1 (or to 100, as percentages).
    #[schemars(transform = limits::WEIGHT.schema())]
    pub weight: f64,
}

/// Options of one lever that nobody may choose.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The role owning the lever.
    pub role: String,
    /// The lever's name.
    pub lever: String,
    /// Option values ruled out.
    pub options: Vec<f64>,
}

/// A bound on a global per-trial metric (e.g. `fill_rate` at least 0.95).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = schema::share_target_ranges)]
pub struct Target {
    /// A per-trial metric name, as in `trials.csv`.
    pub metric: String,
    /// Lowest acceptable value: a number, or `{"plan": f}` for f times the plan's value.
    #[serde(default)]
    pub at_least: Option<TargetValue>,
    /// Highest acceptable value: a number, or `{"plan": f}` for f times the plan's value.
    #[serde(default)]
    pub at_most: Option<TargetValue>,
}

/// By hand rather than `#[serde(untagged)]`, so that a wrong value gets serde's usual
/// "invalid type: ..., expected ..." (which the loader turns into plain words and hints, e.g. for
/// "80,000" in quotes) instead of "data did not match any variant".
impl<'de> Deserialize<'de> for TargetValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TargetValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, or {\"plan\": f} for f times the plan's value")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<TargetValue, E> {
                Ok(TargetValue::Absolute(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<TargetValue, E> {
                Ok(TargetValue::Absolute(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<TargetValue, E> {
                Ok(TargetValue::Absolute(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TargetValue, A::Error> {
                let mut plan = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "plan" {
                        return Err(serde::de::Error::unknown_field(&key, &["plan"]));
                    }
                    if plan.is_some() {
                        return Err(serde::de::Error::duplicate_field("plan"));
                    }
                    plan = Some(map.next_value::<f64>()?);
                }
                plan.map(|plan| TargetValue::Plan { plan })
                    .ok_or_else(|| serde::de::Error::missing_field("plan"))
            }
        }
        d.deserialize_any(V)
    }
}

impl TargetValue {
    /// The value, if absolute.
    pub fn absolute(self) -> Option<f64> {
        match self {
            TargetValue::Absolute(v) => Some(v),
            TargetValue::Plan { .. } => None,
        }
    }
}

/// A target, set the way budgets are: an absolute number, or a multiple of the plan's value.
///
/// The plan is the scenario with every lever at its `initial` option and demand at its
/// expectation (see `orgsim::sim::plan`). A target written as `{"plan": 1.05}` keeps its meaning when
/// the store count, the horizon or the prices change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TargetValue {
    /// An absolute value.
    Absolute(f64),
    /// A multiple of the plan's value of the same metric.
    Plan {
        /// The multiple (1.05 = 5% above plan), above 0 and at most 10.
        #[schemars(transform = limits::PLAN_FACTOR.schema())]
        plan: f64,
    },
}

/// A department or partner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name used in outputs and references.
    pub name: String,
    /// Who this is, in plain words.
    #[serde(default)]
    pub description: String,
    /// The decisions this role controls.
    pub levers: Vec<Lever>,
    /// How this role is paid.
    pub scorecard: Scorecard,
    /// How this role decides (pressure, rationality, planning horizon).
    #[serde(default)]
    pub behaviour: Behaviour,
    /// What this role sees of each stock point's stock; stock points not listed are seen without delay.
    #[serde(default)]
    pub visibility: Vec<Visibility>,
}

/// A decision with a finite menu of options.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = schema::lever_option_ranges)]
pub struct Lever {
    /// Name used in outputs and exclusions.
    pub name: String,
    /// What the lever changes in the world.
    pub acts_on: LeverTarget,
    /// The menu of option values (meaning depends on `acts_on`).
    #[schemars(length(min = 1, max = limits::MAX_OPTIONS))]
    pub options: Vec<f64>,
    /// Index of the option in effect before the first decision.
    #[serde(default)]
    pub initial: usize,
    /// Decide every this many weeks.
    #[serde(default = "defaults::decide_every_weeks")]
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub decide_every_weeks: u32,
    /// A change takes effect only after another role approves it.
    #[serde(default)]
    pub approval: Option<Approval>,
    /// At most this many decisions per period may be away from the initial option (the retailer's
    /// promotion slots, a trade budget); beyond it the lever plays its initial option. Absent = no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub max_uses_per_period: Option<u32>,
}

/// What a lever sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LeverTarget {
    /// Consumer price discount this week (0.2 = 20% off), funded by a trade deal on sell-in.
    PromoDepth,
    /// Extra units pushed to the retailer this week, in weeks of its forecast demand.
    TradeLoading,
    /// Media spend this week, per store (the cost is this times the store count).
    MediaSpend,
    /// The cover (weeks) of a stock point's ordering policy.
    OrderCover {
        /// The stock point.
        stock_point: String,
    },
    /// Extra weeks of forecast demand a stock point buys while a promotion deal is on.
    ForwardBuy {
        /// The stock point.
        stock_point: String,
    },
    /// The share of the stores that carry the product, the largest first (the retailer's
    /// allocation, unseen by the company): the others order none and sell none.
    StoresServed {
        /// The per-store stock point.
        stock_point: String,
    },
    /// An approver's decision on another role's lever (0 = refuse the request, 1 = approve it):
    /// compiled from that lever's `approval`, never written in a file.
    #[serde(skip)]
    #[schemars(skip)]
    Approval,
}

impl LeverTarget {
    /// One target of each kind (stock points left empty), in declaration order.
    pub fn each_kind() -> [LeverTarget; 6] {
        let sp = String::new;
        [
            LeverTarget::PromoDepth,
            LeverTarget::TradeLoading,
            LeverTarget::MediaSpend,
            LeverTarget::OrderCover { stock_point: sp() },
            LeverTarget::ForwardBuy { stock_point: sp() },
            LeverTarget::StoresServed { stock_point: sp() },
        ]
    }

    /// The `kind` written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            LeverTarget::PromoDepth => "promo_depth",
            LeverTarget::TradeLoading => "trade_loading",
            LeverTarget::MediaSpend => "media_spend",
            LeverTarget::OrderCover { .. } => "order_cover",
            LeverTarget::ForwardBuy { .. } => "forward_buy",
            LeverTarget::StoresServed { .. } => "stores_served",
            LeverTarget::Approval => "approval",
        }
    }

    /// Where an option of a lever on this target must lie.
    pub fn option_range(&self) -> limits::Range {
        match self {
            LeverTarget::PromoDepth => limits::DISCOUNT,
            LeverTarget::TradeLoading => limits::TRADE_LOADING_WEEKS,
            LeverTarget::MediaSpend => limits::MEDIA_SPEND,
            LeverTarget::OrderCover { .. } => limits::COVER_WEEKS,
            LeverTarget::ForwardBuy { .. } => limits::FORWARD_BUY_WEEKS,
            LeverTarget::StoresServed { .. } => limits::STORES_SERVED,
            LeverTarget::Approval => limits::SHARE,
        }
    }
}

/// Approval needed before a chosen option takes effect.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The approving role. Another role decides each request by a rule of its own, fitted to its
    /// own scorecard and its reading of the strategy: a refused request leaves the lever where
    /// it was (counted in `requests_refused`). The lever's own role approves everything it asks.
    pub by: String,
    /// Weeks between the decision and its effect.
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub latency_weeks: u32,
}

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
#[schemars(transform = schema::component_target_ranges)]
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

/// How a role decides. Its playbook (a rule per lever) is fitted to its own scorecard by
/// `orgsim::sim::fit`; these settings say what it is fitted to and how it is played.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// How much expected bonus (as a fraction of target bonus) the role would give up for one unit
    /// of the strategy as it reads it (its reading of sell-out, margin and availability against the
    /// plan). Small by default: the bonus is louder than the deck.
    #[serde(default = "defaults::deck_weight")]
    #[schemars(transform = limits::DECK_WEIGHT.schema())]
    pub deck_weight: f64,
    /// Probability of a slip: at each decision the role takes a different allowed option, at random,
    /// with this probability (bounded rationality; 0 = always its rule's option).
    #[serde(default = "defaults::temperature")]
    #[schemars(transform = limits::SHARE.schema())]
    pub temperature: f64,
    /// Share of ambiguity-driven reading that follows the role's own scorecard rather than noise.
    #[serde(default = "defaults::motivated_reading")]
    #[schemars(transform = limits::SHARE.schema())]
    pub motivated_reading: f64,
    /// Past its bonus cap (the bonus flat, so only the deck term of its utility is left), the role
    /// plays the option its own reading of the strategy prefers instead of its rule's: ambiguity,
    /// a stated priority and its scorecard's emphasis then move what it does. Off by default
    /// until the map of what it does to the stories is complete (docs/model.md).
    #[serde(default)]
    pub follow_deck_past_cap: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            deck_weight: defaults::deck_weight(),
            temperature: defaults::temperature(),
            motivated_reading: defaults::motivated_reading(),
            follow_deck_past_cap: false,
        }
    }
}

/// What a role sees of one stock point.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Visibility {
    /// The stock point.
    pub stock_point: String,
    /// Weeks of delay before the role sees the stock count (0 = this week's count; absent = 0).
    /// A stock point that is not listed is not seen at all.
    #[serde(default)]
    #[schemars(transform = limits::VISIBILITY_DELAY.schema())]
    pub delay_weeks: Option<u32>,
}

/// Organisation design.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// A component added to every role's bonus, tied to global outcomes.
    #[serde(default)]
    pub shared_bonus: Option<SharedBonus>,
    /// A clawback: when the organisation misses its strategy, every role gives back this much of its
    /// bonus (as a fraction of target bonus a period) per unit the strategy's attainment falls short
    /// of 1 (0 = no consequence designed in). Roles' playbooks are fitted to their pay after it.
    #[serde(default)]
    #[schemars(transform = limits::DEFECTION_COST.schema())]
    pub defection_cost: f64,
    /// Alignment meetings (absent = none are held).
    #[serde(default)]
    pub meetings: Option<Meetings>,
}

/// The alignment ritual: every `every_weeks` the roles meet. Each holds a doubt (how far its
/// reading of the strategy is from the group's); it voices it only when its doubt outweighs
/// its fear of speaking, which psychological safety and others' voices lower. Without enough
/// voices the meeting records stated agreement and changes nothing; with them it forces a
/// decision: the loudest voice settles the trade-off, every reading in the room moves halfway
/// to it, and the option that pulls hardest against it is excluded for the rest of the trial
/// (its owner loses it). A network scenario (`network.meetings`) holds the same meetings among
/// its stock points' players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meetings {
    /// Weeks between meetings; the first opens week 1.
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub every_weeks: u32,
    /// 0 = speaking up feels dangerous (fear at its full height), 1 = every doubt is voiced.
    #[schemars(transform = limits::SHARE.schema())]
    pub psychological_safety: f64,
    /// The doubt it takes to speak up alone in a room with no psychological safety, for the most
    /// fearful: each meeting a role's fear is drawn evenly between 0 and this, then lowered by
    /// safety and by the share of the others already heard. A doubt is a distance between
    /// readings, from 0 to 1, so a fear above 1 leaves even total disagreement sometimes unsaid.
    #[serde(default = "default_fear")]
    #[schemars(transform = limits::FEAR.schema())]
    pub fear: f64,
    /// Share of the participants whose voiced dissent forces a decision.
    #[serde(default = "default_quorum")]
    #[schemars(transform = limits::QUORUM.schema())]
    pub decision_quorum: f64,
    /// Unvoiced doubt, summed over meetings, at which a role's holder leaves; absent = nobody
    /// leaves. A doubt is a distance between readings, from 0 to 1.
    #[serde(default)]
    #[schemars(transform = limits::DEPARTURE_DOUBT.schema())]
    pub departure_doubt: Option<f64>,
    /// Weeks a seat stays empty after a departure (its levers stay at their initial options).
    #[serde(default = "default_vacancy")]
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub vacancy_weeks: u32,
    /// The roles in the room, by name; empty (the default) means every role.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn default_fear() -> f64 {
    2.0
}

fn default_quorum() -> f64 {
    0.5
}

fn default_vacancy() -> u32 {
    8
}

/// A shared component in every bonus.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedBonus {
    /// Share of every role's bonus paid on the shared scorecard (0.5 = half of every bonus is shared).
    #[schemars(transform = limits::SHARE.schema())]
    pub weight: f64,
    /// The shared scorecard.
    pub scorecard: Scorecard,
    /// The roles whose bonus it covers, by name; empty (the default) covers every role. An
    /// external partner (the retailer's buyer) is paid by its own company, not by this one.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Ranges that depend on a sibling field (a lever's options on its kind, a target on its
/// metric), stated in the schema as `if`/`then` cases built from the same functions and
/// constants as the validator's checks.
mod schema {
    use super::{LeverTarget, RoleMetric};
    use crate::scenario::limits::{self, Range};
    use serde_json::{json, Value};

    /// Adds `case` to the schema's `allOf`.
    fn push_case(schema: &mut schemars::Schema, case: Value) {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        match map.entry("allOf").or_insert_with(|| json!([])) {
            Value::Array(cases) => cases.push(case),
            _ => unreachable!("allOf is always a list"),
        }
    }

    /// `{"if": key is one of names, "then": ..., "else": ...}` on the object's own keys.
    fn when(key: &str, names: Vec<String>, then: Value, otherwise: Option<Value>) -> Value {
        let mut case = json!({
            "if": { "required": [key], "properties": { key: { "enum": names } } },
            "then": { "properties": then },
        });
        if let Some(other) = otherwise {
            case["else"] = json!({ "properties": other });
        }
        case
    }

    fn keywords(r: Range) -> Value {
        Value::Object(r.keywords())
    }

    /// Each lever kind's range on its `options`.
    pub fn lever_option_ranges(schema: &mut schemars::Schema) {
        for target in LeverTarget::each_kind() {
            let kind = target.kind();
            let case = json!({
                "if": {
                    "required": ["acts_on"],
                    "properties": { "acts_on": {
                        "required": ["kind"],
                        "properties": { "kind": { "const": kind } },
                    } },
                },
                "then": { "properties": { "options": { "items": keywords(target.option_range()) } } },
            });
            push_case(schema, case);
        }
    }

    /// A scorecard target on a share is a share; any other absolute target is positive.
    pub fn component_target_ranges(schema: &mut schemars::Schema) {
        let shares = RoleMetric::SHARES.iter().map(|m| m.name()).collect();
        let case = when(
            "metric",
            shares,
            json!({ "target": keywords(limits::SHARE) }),
            Some(json!({ "target": keywords(limits::TARGET) })),
        );
        push_case(schema, case);
    }

    /// A strategy target's absolute bounds on a share metric are shares.
    pub fn share_target_ranges(schema: &mut schemars::Schema) {
        let shares = limits::SHARE_METRICS
            .iter()
            .map(|m| m.to_string())
            .collect();
        let share = keywords(limits::SHARE);
        let then = json!({ "at_least": share, "at_most": share });
        push_case(schema, when("metric", shares, then, None));
    }
}

pub(crate) mod defaults {
    pub fn horizon_weeks() -> u32 {
        52
    }
    pub fn period_weeks() -> u32 {
        4
    }
    pub fn warmup_weeks() -> u32 {
        52
    }
    pub fn end_salvage_fraction() -> f64 {
        0.5
    }
    pub fn promo_elasticity() -> f64 {
        3.0
    }
    pub fn dip_weeks() -> u32 {
        2
    }
    pub fn loading_discount() -> f64 {
        0.05
    }
    pub fn retailer_max_cover_weeks() -> f64 {
        4.0
    }
    pub fn decide_every_weeks() -> u32 {
        1
    }
    pub fn deck_weight() -> f64 {
        0.05
    }
    pub fn temperature() -> f64 {
        0.0
    }
    pub fn motivated_reading() -> f64 {
        0.4
    }
}
