//! orgsim's integration tests: one binary, one module per area, so the suite links once and
//! its areas run side by side. `tests/no_alloc.rs` is the one other binary: it installs a
//! counting global allocator, which would count every other test's allocations too.
//!
//! Where a new test goes:
//! - a behaviour of the promotion scenarios (a story, a cause moved and its effect watched):
//!   `behaviour`; of the launch: `launch`; of the meetings: `meetings`;
//! - the supply-chain classics, reproduced exactly: `classics`;
//! - what a user types and sees (commands, files, exit codes, determinism across threads and
//!   shards, the fit cache): `cli`;
//! - a bad scenario file and its message: a pair of files in `tests/bad_scenarios/`, run by
//!   `bad_scenarios`; random and mutated input: `fuzz_loader`; the limits: `limits`;
//! - charts and the report: `charts`; the files as pandas, polars and jsonschema read them: `python`;
//! - the stepping API (`Trial`): `trial_api`; properties over random scenarios: `invariants`;
//! - the code's layers and its documents' references: `architecture`;
//! - the workshop (`orgsim serve`): its game and log (`workshop`; on a network scenario,
//!   `workshop_chain`), its HTTP API under load and bad input (`workshop_http`), and its pages
//!   in a real browser (`workshop_browser`).
//!
//! Shared helpers (a fitted model from the suite's fit cache, paired statistics, the binary)
//! live in `common`.

mod common;

mod architecture;
mod bad_scenarios;
mod behaviour;
mod charts;
mod classics;
mod cli;
mod fuzz_loader;
mod invariants;
mod launch;
mod limits;
mod meetings;
mod python;
mod trial_api;
mod workshop;
mod workshop_browser;
mod workshop_chain;
mod workshop_http;
