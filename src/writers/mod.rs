//! The writers: how amounts are written ([`amounts`]), an output folder that never deletes what orgsim did not write ([`folder`]),
//! the data files ([`output`]), the charts ([`charts`]), the one-file report (`report`) and
//! the trace of one trial ([`trace`]); a network run's files ([`network`]); fitted playbooks
//! remembered by what they were fitted to ([`fit_cache`]); a shard's partial result and the
//! identity of the command it is part of ([`partial`]).

pub mod amounts;
pub mod charts;
pub mod fit_cache;
pub mod folder;
pub mod network;
pub mod output;
pub mod partial;
pub(crate) mod report;
pub mod trace;
