//! orgsim: an agent-based organisation simulator.
//!
//! Departments (sales, procurement, marketing, a retail partner) are agents with their
//! own scorecards acting on a shared, ambiguously specified strategy. Each scores its
//! options against its scorecard and its reading of the strategy; coordinated
//! divergence (everyone succeeds by their own measure while the system fails) emerges
//! from those decisions.
//!
//! The code is grouped by layer, and each layer uses only those listed before it
//! (`tests/it/architecture.rs` checks this, and that no two modules import each other):
//!
//! 1. [`error`] and [`numbers`]: what every layer shares;
//! 2. [`scenario`]: the JSON format, its checks, and the checked [`scenario::model::Model`];
//! 3. [`stats`]: per-trial results and their exact, mergeable aggregation;
//! 4. [`sim`]: the world, the roles, one trial's tick loop, the plan and the playbook fit: pure
//!    functions of their inputs, with no I/O, no clock and no threads of their own;
//! 5. [`run`]: many trials on a pool of threads, folded in a fixed order;
//! 6. [`experiment`]: paired comparisons and sweeps built from runs;
//! 7. [`writers`]: the output folder, data files, charts, report and trace;
//! 8. [`workshop`]: `orgsim serve`, a room playing the roles live, and its debrief.
//!
//! The command line (`src/main.rs`, `src/commands/`) sits on top. Data flows one way:
//! scenario text -> [`scenario::load`] -> model -> [`sim::plan`] and [`sim::fit`] -> [`sim::trial`]
//! (run many at a time by [`run`]) -> [`stats::metrics::TrialResult`] ->
//! [`stats::metrics::Aggregate`] -> [`writers`].
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! let source = orgsim::scenario::load::resolve("promo_vs_inventory").unwrap();
//! let how = orgsim::PrepareConfig { threads: 0, cancel: &AtomicBool::new(false), certify: false };
//! let model = orgsim::prepare(&source, &["world.stores=5".into()], &how).unwrap().unwrap();
//! let result = orgsim::sim::trial::run_trial(&model, 1, 0);
//! assert!(result.metrics[orgsim::stats::metrics::metric("fill_rate")] <= 1.0);
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod experiment;
pub mod numbers;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod workshop;
pub mod writers;

pub use error::{Error, Problem, Result};

pub use run::prepare::{prepare, PrepareConfig, Prepared};
