//! The scenario and its checks: the JSON format, every problem a file can have (located by
//! path, line and column, and attributed to the `--set` that caused it), and the checked
//! [`model::Model`] the simulation runs; the supply-chain classics' network scenarios
//! ([`network`]).
//!
//! This layer knows nothing of the simulation, the statistics or the writers above it.

pub(crate) mod diagnose;
pub mod format;
pub mod limits;
mod lint;
pub mod load;
pub mod locate;
pub mod meanings;
pub mod model;
pub mod network;
pub mod overrides;
pub mod parse;
pub mod playbook;
pub mod settings;
pub(crate) mod suggest;
pub mod vocabulary;
