//! Statistics and aggregation: one trial's results, exact mergeable moments, quantile
//! sketches and the run's [`metrics::Aggregate`]; a weekly series folded into the weeks of the
//! bonus period (`period`).
//!
//! Built on the scenario layer alone: the simulation feeds it and knows how, not the other way.

pub mod metrics;
pub(crate) mod period;
