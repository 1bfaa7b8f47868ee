//! A checked, compiled scenario: names resolved to indices, weights normalised,
//! ranges enforced. The engine only ever sees a [`Model`], so it never re-checks input.
//!
//! This file holds the [`Model`] itself; the rest lives under `model/`, and everything a
//! caller names is re-exported here (`crate::scenario::model::X`):
//! - `model/compiled_parts.rs`: the model's parts (stock points, levers, scorecards, roles,
//!   targets, meetings, the plan's values);
//! - `model/compile.rs`: [`Model::compile`], the order of the checks and the model put together;
//! - `model/checker.rs`: the problem collector and the checks every part uses;
//! - `model/world_checks.rs`, `model/role_checks.rs`, `model/scorecard_checks.rs`,
//!   `model/strategy_checks.rs`, `model/organisation_checks.rs`: the checks of each part.

mod checker;
mod compile;
mod compiled_parts;
mod organisation_checks;
mod role_checks;
mod scorecard_checks;
mod strategy_checks;
mod world_checks;

pub(crate) use compiled_parts::metric_name;
pub use compiled_parts::{
    not_in_plan, CardSpec, ComponentSpec, LeverSpec, MeetingSpec, PlanValues, RoleSpec,
    StockPointSpec, TargetSpec, NOT_IN_PLAN,
};
pub use organisation_checks::meeting_spec;

use crate::error::Problem;
use crate::scenario::format::Scenario;

pub use crate::scenario::limits::{MAX_DELAY, MAX_OPTIONS, MAX_STOCK_POINTS};

/// The compiled scenario the engine runs.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario as given (after overrides), for reports.
    pub scenario: Scenario,
    /// Weeks per trial.
    pub horizon: usize,
    /// Weeks per period.
    pub period: usize,
    /// Unscored weeks before week 1 (`warmup_weeks` rounded up to whole periods).
    pub warmup: usize,
    /// Number of stores.
    pub stores: usize,
    /// Stock points, upstream first.
    pub chain: Vec<StockPointSpec>,
    /// All levers of all roles.
    pub levers: Vec<LeverSpec>,
    /// Roles.
    pub roles: Vec<RoleSpec>,
    /// True strategy weights by [`Objective::ALL`](crate::scenario::format::Objective::ALL) order (sum 1).
    pub weights: [f64; 3],
    /// Stated priority, as objective indices.
    pub priority: Vec<usize>,
    /// Strategy targets.
    pub targets: Vec<TargetSpec>,
    /// Roles whose success counts for coordinated divergence.
    pub claimants: Vec<usize>,
    /// Shared bonus weight and scorecard.
    pub shared: Option<(f64, CardSpec)>,
    /// Cost of defection.
    pub defection_cost: f64,
    /// Alignment meetings, if held (`org.meetings`).
    pub meetings: Option<MeetingSpec>,
    /// StockPointSpec whose receipts are sell-in.
    pub sell_in: usize,
    /// The promotion lever, if any.
    pub promo_lever: Option<usize>,
    /// The trade-loading lever, if any.
    pub loading_lever: Option<usize>,
    /// The media lever, if any.
    pub media_lever: Option<usize>,
    /// The plan's values, once computed (`orgsim::sim::plan`); plan-relative targets are resolved from it.
    pub plan: Option<PlanValues>,
    /// How each role plays its levers: a rule per lever, fitted to its scorecard by `orgsim::sim::fit`
    /// (each lever at its initial option until then).
    pub playbook: crate::scenario::playbook::Playbook,
    /// The `--set` overrides applied to the scenario, so that a problem found later in a value
    /// one of them wrote (a plan-relative target) names it.
    pub overrides: Vec<crate::scenario::overrides::Override>,
    /// The run's name, for titles, the report and `summary.json`: the scenario's name, with its
    /// `--set` overrides in brackets, unless the command named the run (`--name`). A variant run
    /// must not pass for the scenario it varies.
    pub name: String,
    /// SHA-256 of the scenario's text as read (the file, or the built-in), in hex: which version
    /// of a file a run used, beside the overrides applied to it.
    pub source_sha256: String,
    /// Legal values that are almost surely slips (a unit cost above the list price), each
    /// located like a problem; the CLI prints them as warnings.
    pub warnings: Vec<Problem>,
}
