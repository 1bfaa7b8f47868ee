//! Running many trials: the only layer below the command line that starts threads.
//!
//! - [`chunks`]: trials in chunks on a pool of threads, folded in chunk order (the same bytes
//!   on any number of threads and any split into shards);
//! - [`organisation`] and [`network`]: the runs of the two kinds of scenario;
//! - `pool`: the run's threads, and the fit and the certificate searched on them;
//! - [`prepare`]: the one door from a scenario to a runnable model ([`prepare::Prepared`], the
//!   only thing a run accepts).
//!
//! A trial itself ([`crate::sim::trial`]) is pure: the simulation does no I/O, reads no clock and
//! starts no threads (`tests/it/architecture.rs` checks this).

pub mod chunks;
pub mod network;
pub mod organisation;
pub(crate) mod pool;
pub mod prepare;
