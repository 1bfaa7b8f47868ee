//! The scenario file: the serde types that *are* the format, and loading it.
//!
//! A scenario is one JSON document. The JSON Schema shipped with orgsim is derived
//! from these types (`orgsim schema`), so the documentation cannot drift from the code.
//! Structural problems (wrong type, unknown key) are reported by serde with the JSON
//! path; semantic problems (a lever naming a stock point that does not exist, weights
//! that sum to zero) are collected by [`crate::scenario::model::Model::compile`], all of them at once.
//!
//! The types are grouped by what they describe, a file each, and all re-exported here, so
//! that `crate::scenario::format::X` names every one of them:
//! - [`Scenario`], the whole document, is in this file;
//! - `format/world.rs`: the world's market (stores, demand, prices, media, a launch);
//! - `format/stock_points.rs`: the chain's stock points and their ordering policies;
//! - `format/strategy.rs`: objectives, priority, exclusions and targets;
//! - `format/roles_and_levers.rs`: a role, its levers, its behaviour and what it sees;
//! - `format/scorecards.rs`: scorecards, the metrics they pay on, the payout curve;
//! - `format/organisation.rs`: the shared bonus, the cost of defection, the meetings;
//! - `format/defaults.rs`: the values of optional fields left out;
//! - `format/conditional_ranges.rs`: the pieces of the schema's `if`/`then` range cases.

mod conditional_ranges;
pub(crate) mod defaults;
mod organisation;
mod roles_and_levers;
mod scorecards;
mod stock_points;
mod strategy;
mod world;

pub use organisation::{Meetings, Org, SharedBonus};
pub use roles_and_levers::{Approval, Behaviour, Lever, LeverTarget, Role, Visibility};
pub use scorecards::{Payout, RoleMetric, ScoreComponent, Scorecard};
pub use stock_points::{Forecast, OrderPolicy, StockPoint, Unmet};
pub use strategy::{Exclusion, Objective, ObjectiveWeight, Strategy, Target, TargetValue};
pub use world::{Demand, DemandDistribution, Launch, Media, Prices, WeekSpan, World};

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
