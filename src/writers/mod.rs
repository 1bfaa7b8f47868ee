//! The writers: an output folder that never deletes what orgsim did not write ([`folder`]),
//! the data files ([`output`]), the charts ([`charts`]), the one-file report ([`report`]) and
//! the trace of one trial ([`trace`]).

pub mod charts;
pub mod folder;
pub mod output;
pub mod report;
pub mod trace;
