//! orgsim: an agent-based organisation simulator.
//!
//! Departments (sales, procurement, marketing, a retail partner) are agents with their
//! own scorecards acting on a shared, ambiguously specified strategy. Each scores its
//! options against its scorecard and its reading of the strategy; coordinated
//! divergence (everyone succeeds by their own measure while the system fails) emerges
//! from those decisions.
//!
//! Data flows one way:
//! [`scenario`] (JSON) -> [`load`] -> [`model::Model`] -> [`plan`] and [`fit`] (the plan's
//! targets, each role's [`playbook`]) -> [`engine`] (trials, built from [`world`] and [`org`])
//! -> [`metrics::TrialResult`] -> [`metrics::Aggregate`] -> [`output`].
//!
//! ```
//! let source = orgsim::load::resolve("promo_vs_inventory").unwrap();
//! let model = orgsim::prepare(&source, &["world.stores=5".into()]).unwrap();
//! let result = orgsim::engine::run_trial(&model, 1, 0);
//! assert!(result.metrics[orgsim::metrics::metric("fill_rate")] <= 1.0);
//! ```

#![warn(missing_docs)]

pub mod charts;
pub mod compare;
pub mod diagnose;
pub mod engine;
pub mod error;
pub mod fit;
pub mod limits;
mod lint;
pub mod load;
pub mod locate;
pub mod metrics;
pub mod model;
pub mod org;
pub mod output;
pub mod output_folder;
pub mod overrides;
pub mod plan;
pub mod playbook;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sweep;
pub mod trace;
pub mod world;

pub use error::{Error, Problem, Result};

/// Loads a scenario (file or built-in, with `--set` overrides) and makes it runnable: the plan is
/// played, plan-relative targets are resolved from it, and every role's playbook is fitted.
pub fn prepare(source: &load::Source, sets: &[String]) -> Result<model::Model> {
    let mut model = load::load(source, sets)?;
    plan_targets(&mut model, source)?;
    model.playbook = fit::fit(&model);
    Ok(model)
}

/// Plays the plan and resolves plan-relative targets; a target the plan cannot set is an
/// invalid scenario, located in the source text like every other problem.
pub fn plan_targets(model: &mut model::Model, source: &load::Source) -> Result<()> {
    let values = plan::compute(model);
    plan::resolve(model, values).map_err(|problems| Error::InvalidScenario {
        source_name: source.name.clone(),
        problems: diagnose::locate_all(&source.text, &model.overrides, problems),
    })
}
