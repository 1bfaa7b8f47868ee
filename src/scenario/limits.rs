//! The ranges a scenario's numbers must lie in, in one place.
//!
//! Two readers use each constant: the validator ([`crate::scenario::model::Model::compile`]) refuses a
//! value outside it, and the JSON Schema ([`crate::scenario::format`]'s schemars attributes, through
//! [`Range::schema`]) states it, so an editor and `orgsim validate` cannot disagree about a
//! range. A test (`scripts/check_schema.py`, run by `tests/it/python.rs`) checks the shipped
//! schema against the bad scenarios with an independent validator.
//!
//! These limits keep a scenario within the model's sense (a share is at most 1, a lead time at
//! most a year); what a trial's totals can reach from them, and why the statistics hold it all,
//! is argued at [`crate::stats::metrics::VALUE_LIMIT`] and [`crate::sim::world::UNITS_LIMIT`].

use crate::error::Problem;
use serde_json::Value;

/// Where a number must lie: from `min` (or above it, when `min` itself is excluded) to `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The least value, allowed unless `above` is set.
    pub min: f64,
    /// The value must be above `min`, not equal to it ("a price above 0").
    pub above: bool,
    /// The largest value allowed.
    pub max: f64,
}

impl Range {
    /// `min <= v <= max`.
    pub const fn from(min: f64, max: f64) -> Range {
        Range {
            min,
            above: false,
            max,
        }
    }

    /// `0 < v <= max`.
    pub const fn above_zero(max: f64) -> Range {
        Range {
            min: 0.0,
            above: true,
            max,
        }
    }

    /// Whether `v` is finite and in the range.
    pub fn contains(self, v: f64) -> bool {
        let low = if self.above {
            v > self.min
        } else {
            v >= self.min
        };
        v.is_finite() && low && v <= self.max
    }

    /// What a message expects, in the validator's words.
    pub fn expected(self) -> String {
        if self.above {
            format!(
                "a number above {} and at most {}",
                bound(self.min),
                bound(self.max)
            )
        } else {
            format!("a number from {} to {}", bound(self.min), bound(self.max))
        }
    }

    /// The problem with `v` at `path`, if it is out of range. A share written as a percentage
    /// (70 for 0.7) is the common slip, so it gets a hint.
    pub fn problem(self, path: &str, v: f64) -> Option<Problem> {
        if self.contains(v) {
            return None;
        }
        let p = Problem::new(path, self.expected(), number(v));
        let percent = self.max <= 1.0 && (2.0..=100.0).contains(&v) && v.fract() == 0.0;
        Some(if percent {
            p.hint(format!(
                "this is a fraction, not a percentage: {} for {v}%",
                v / 100.0
            ))
        } else {
            p
        })
    }

    /// The range as JSON Schema keywords, on a number's schema (`minimum` or
    /// `exclusiveMinimum`, and `maximum`). Use as `#[schemars(transform = RANGE.schema())]`.
    pub fn schema(self) -> impl FnMut(&mut schemars::Schema) {
        move |s: &mut schemars::Schema| {
            if let Some(map) = s.as_object_mut() {
                map.extend(self.keywords());
            }
        }
    }

    /// `minimum` (or `exclusiveMinimum`) and `maximum`, as JSON.
    pub fn keywords(self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        let low = if self.above {
            "exclusiveMinimum"
        } else {
            "minimum"
        };
        m.insert(low.into(), json_number(self.min));
        m.insert("maximum".into(), json_number(self.max));
        m
    }

    /// The range a schema node states, if it states one (the inverse of [`Range::keywords`]).
    pub fn of_schema(node: &Value) -> Option<Range> {
        let get = |k: &str| node.get(k).and_then(Value::as_f64);
        let max = get("maximum")?;
        match (get("minimum"), get("exclusiveMinimum")) {
            (Some(min), _) => Some(Range::from(min, max)),
            (None, Some(min)) => Some(Range {
                min,
                above: true,
                max,
            }),
            (None, None) => None,
        }
    }
}

/// A whole number's range, for counts of weeks and stores (the schema says `1`, not `1.0`).
pub const fn whole(min: u32, max: u32) -> Range {
    Range::from(min as f64, max as f64)
}

/// 1 for whole numbers, 1.5 otherwise, and 1e12 rather than 1000000000000.0.
fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// A limit in a message: 1e9 rather than 1000000000.
pub fn bound(v: f64) -> String {
    if v.abs() >= 1e7 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A value in a message.
pub fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "a non-finite number".to_string()
    }
}

/// A fraction of a whole (probabilities, weights of a mix, shares of demand).
pub const SHARE: Range = Range::from(0.0, 1.0);

// The calendar.
/// Longest horizon, in weeks (ten years).
pub const MAX_HORIZON: u32 = 520;
/// `horizon_weeks`.
pub const HORIZON_WEEKS: Range = whole(1, MAX_HORIZON);
/// `period_weeks` (and at most `horizon_weeks`, which the validator checks).
pub const PERIOD_WEEKS: Range = whole(1, MAX_HORIZON);
/// `world.store_order_miss`: at most every other order missed.
pub const STORE_ORDER_MISS: Range = Range::from(0.0, 0.5);
/// `fit_races`.
pub const FIT_RACES: Range = whole(0, 8);
/// `warmup_weeks`.
pub const WARMUP_WEEKS: Range = whole(0, 104);
/// Weeks a lead time, order delay or approval latency may take.
pub const LEAD_WEEKS: Range = whole(0, 52);
/// Weeks between decisions, and decisions per period away from the initial option.
pub const WEEKS_IN_A_YEAR: Range = whole(1, 52);

// The market.
/// Most stores (beyond this a trial stops being a simulation of an organisation and starts
/// being an OOM).
pub const MAX_STORES: u32 = 100_000;
/// `world.stores`.
pub const STORES: Range = whole(1, MAX_STORES);
/// `world.demand.base_per_store`, units per store per week.
pub const BASE_PER_STORE: Range = Range::above_zero(1e6);
/// The negative binomial's dispersion.
pub const DISPERSION: Range = Range::above_zero(1e6);
/// The normal demand's coefficient of variation.
pub const DEMAND_CV: Range = Range::from(0.0, 3.0);
/// `world.demand.store_size_cv`.
pub const STORE_SIZE_CV: Range = Range::from(0.0, 2.0);
/// `world.demand.season_amplitude` (below 1, so demand stays positive).
pub const SEASON_AMPLITUDE: Range = Range::from(0.0, 0.95);
/// `world.demand.season_peak_week`.
pub const SEASON_PEAK_WEEK: Range = whole(0, 52);
/// `world.demand.promo_elasticity`.
pub const PROMO_ELASTICITY: Range = Range::from(0.0, 20.0);
/// `world.demand.lift_spread`: the log standard deviation of a promotion's realised lift (2 puts
/// a tenth of promotions above 6 times their expected extra volume).
pub const LIFT_SPREAD: Range = Range::from(0.0, 2.0);
/// `world.demand.dip_weeks`.
pub const DIP_WEEKS: Range = whole(1, 12);
/// Shelf price, list price and unit cost, per unit.
pub const PRICE: Range = Range::above_zero(1e9);
/// `world.prices.loading_discount`, and the deepest promotion.
pub const DISCOUNT: Range = Range::from(0.0, 0.9);
/// `world.media.adstock_decay` (below 1, so adstock stays finite).
pub const ADSTOCK_DECAY: Range = Range::from(0.0, 0.99);
/// `world.media.saturation_spend`, per store.
pub const SATURATION_SPEND: Range = Range::above_zero(1e12);
/// `world.media.max_uplift` (5 = demand six times as high at full awareness).
pub const MAX_UPLIFT: Range = Range::from(0.0, 5.0);
/// Weeks of cover: opening stock, ordering policies, the retailer's storage, a cover lever.
pub const COVER_WEEKS: Range = Range::from(0.0, 52.0);

// The chain.
/// Most stock points in a chain (keeps per-tick state in fixed-size arrays).
pub const MAX_STOCK_POINTS: usize = 8;
/// `world.chain[i].shelf_life_weeks` (five years).
pub const SHELF_LIFE_WEEKS: Range = whole(1, 260);
/// `world.chain[i].holding_cost`, per unit per week.
pub const HOLDING_COST: Range = Range::from(0.0, 1e6);
/// A moving average's window, in weeks.
pub const FORECAST_WINDOW: Range = whole(1, 52);
/// Exponential smoothing's weight on the newest week.
pub const SMOOTHING_ALPHA: Range = Range::above_zero(1.0);
/// `safety_factor`, in standard deviations.
pub const SAFETY_FACTOR: Range = Range::from(0.0, 5.0);
/// A budget as a multiple of the plan's (a network scorecard's, or its strategy's).
pub const BUDGET_VS_PLAN: Range = Range::from(0.0, 100.0);
/// A fixed policy's units per week.
pub const FIXED_QUANTITY: Range = Range::from(0.0, 1e9);

// The organisation.
/// Most options on one lever.
pub const MAX_OPTIONS: usize = 16;
/// Longest visibility delay, in weeks.
pub const MAX_DELAY: usize = 8;
/// `roles[i].visibility[j].delay_weeks`.
pub const VISIBILITY_DELAY: Range = whole(0, MAX_DELAY as u32);
/// Options of a `trade_loading` lever, in weeks of the retailer's forecast.
pub const TRADE_LOADING_WEEKS: Range = Range::from(0.0, 10.0);
/// Options of a `media_spend` lever, per store per week.
pub const MEDIA_SPEND: Range = Range::from(0.0, 1e12);
/// Options of a `forward_buy` lever, in weeks of forecast.
pub const FORWARD_BUY_WEEKS: Range = Range::from(0.0, 26.0);
/// A weight of an objective or a scorecard component (they sum to 1, or to 100).
pub const WEIGHT: Range = Range::from(0.0, 1e6);
/// An absolute scorecard target that is not a share.
pub const TARGET: Range = Range::above_zero(1e15);
/// A multiple of the plan (a target ten times the plan is a slip).
pub const PLAN_FACTOR: Range = Range::above_zero(10.0);
/// `payout.threshold`, as attainment.
pub const PAYOUT_THRESHOLD: Range = Range::from(0.0, 0.99);
/// `payout.cap`, as attainment.
pub const PAYOUT_CAP: Range = Range::from(1.0, 10.0);
/// `behaviour.deck_weight`.
pub const DECK_WEIGHT: Range = Range::from(0.0, 10.0);
/// `org.defection_cost`.
pub const DEFECTION_COST: Range = Range::from(0.0, 100.0);
/// `org.meetings.fear`: the doubt it takes to speak alone, at most.
pub const FEAR: Range = Range::above_zero(100.0);
/// `org.meetings.decision_quorum`: a share of the room, more than nobody.
pub const QUORUM: Range = Range::above_zero(1.0);
/// `org.meetings.departure_doubt`: summed doubts, each at most 1.
pub const DEPARTURE_DOUBT: Range = Range::above_zero(1000.0);

/// Weeks in one trial of a network scenario (at least two, for a variance; at most a century:
/// the bullwhip case measures hundreds).
pub const NETWORK_WEEKS: Range = whole(2, 5200);
/// The week a demand step starts.
pub const STEP_WEEK: Range = whole(1, 5200);
/// A network's quantities: opening stock and flow, desired stock, demand per week.
pub const NETWORK_QUANTITY: Range = Range::from(0.0, 1e9);
/// Weeks an order spends in the mail or a shipment on the road, in a network (at least one slot).
pub const NETWORK_SLOTS: Range = whole(1, 52);
/// Weeks in an order-up-to point's moving average.
pub const NETWORK_WINDOW: Range = whole(1, 520);

/// A launch's notice and approval, in whole weeks.
pub const LAUNCH_WEEKS: Range = whole(0, 52);
/// Weeks a launch campaign airs.
pub const CAMPAIGN_WEEKS: Range = whole(1, 52);
/// The share of stores a retailer serves (at least some).
pub const STORES_SERVED: Range = Range::above_zero(1.0);
/// A private label's margin per store-week.
pub const PRIVATE_LABEL_MARGIN: Range = Range::from(0.0, 1e9);

/// Per-trial metrics that are shares from 0 to 1: a strategy target on one is a share too.
pub const SHARE_METRICS: &[&str] = &[
    "fill_rate",
    "on_shelf_availability",
    "strategy_met",
    "coordinated_divergence",
    "interpretation_spread",
    "operational_spread",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_reads_back_from_its_schema_keywords() {
        for r in [SHARE, PRICE, STORES, SMOOTHING_ALPHA, MEDIA_SPEND] {
            let node = Value::Object(r.keywords());
            assert_eq!(Range::of_schema(&node), Some(r));
        }
        assert_eq!(
            Value::Object(STORES.keywords()).to_string(),
            r#"{"minimum":1,"maximum":100000}"#
        );
    }

    #[test]
    fn above_zero_excludes_zero() {
        assert!(!PRICE.contains(0.0));
        assert!(PRICE.contains(1e9));
        assert!(!PRICE.contains(1e9 * (1.0 + f64::EPSILON)));
        assert!(SHARE.contains(0.0) && !SHARE.contains(f64::NAN));
    }
}
