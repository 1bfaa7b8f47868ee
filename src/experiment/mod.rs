//! Experiments built from runs: paired comparisons of arms on common random numbers
//! ([`compare`]) and parameter sweeps ([`sweep`]), each shardable and exactly mergeable.

pub mod compare;
pub mod sweep;
