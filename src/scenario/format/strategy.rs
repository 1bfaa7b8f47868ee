//! The strategy as written in the file: the objectives and their true weights, the stated
//! priority, the options ruled out, how ambiguous the words are, the targets that say what
//! success is (each an absolute number or a multiple of the plan), and who claims success.

use super::conditional_ranges::{keywords, push_case, when};
use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

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
#[schemars(transform = share_target_ranges)]
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

/// A strategy target's absolute bounds on a share metric are shares.
fn share_target_ranges(schema: &mut schemars::Schema) {
    let shares = limits::SHARE_METRICS
        .iter()
        .map(|m| m.to_string())
        .collect();
    let share = keywords(limits::SHARE);
    let then = json!({ "at_least": share, "at_most": share });
    push_case(schema, when("metric", shares, then, None));
}
