//! orgsim: an agent-based organisation simulator.
//!
//! Departments (sales, procurement, marketing, a retail partner) are agents with their
//! own scorecards acting on a shared, ambiguously specified strategy. Each scores its
//! options against its scorecard and its reading of the strategy; coordinated
//! divergence (everyone succeeds by their own measure while the system fails) emerges
//! from those decisions.
//!
//! Data flows one way:
//! [`scenario`] (JSON) -> [`load`] -> [`model::Model`] -> [`engine`] (trials, built from
//! [`world`] and [`org`]) -> [`metrics::TrialResult`] -> [`metrics::Aggregate`] -> [`output`].
//!
//! ```
//! let source = orgsim::load::resolve("promo_vs_inventory").unwrap();
//! let model = orgsim::load::load(&source, &["world.stores=5".into()]).unwrap();
//! let result = orgsim::engine::run_trial(&model, 1, 0);
//! assert!(result.metrics[orgsim::metrics::metric("fill_rate")] <= 1.0);
//! ```

#![warn(missing_docs)]

pub mod charts;
pub mod diagnose;
pub mod engine;
pub mod error;
pub mod load;
pub mod locate;
pub mod metrics;
pub mod model;
pub mod org;
pub mod output;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod world;

pub use error::{Error, Problem, Result};
