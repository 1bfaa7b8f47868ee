//! Helpers shared by the integration tests: the binary, and many trials of a (modified)
//! built-in scenario.

use orgsim::scenario::model::Model;
use orgsim::sim::trial::run_trial;
use orgsim::stats::metrics::{metric, TrialResult};
use orgsim::Prepared;
use rayon::prelude::*;
use std::sync::atomic::AtomicBool;

/// The suite's fit cache, apart from the user's: a scenario fitted by one test is reused by the
/// next, as a user's second run reuses the first's. `tests/no_alloc.rs` shares it too.
pub const FIT_CACHE: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/fit-cache");

/// The `orgsim` binary, pointed at the suite's fit cache.
pub fn orgsim_command() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_orgsim"));
    c.env("ORGSIM_CACHE_DIR", FIT_CACHE);
    c
}

/// A built-in scenario with `--set` style overrides applied, prepared to run (plan, playbooks).
/// The playbooks come from the suite's fit cache when an earlier test fitted the same model, as
/// a user's second run takes them: the same playbook, to the bit (`orgsim::writers::fit_cache`).
pub fn prepared(name: &str, sets: &[&str]) -> Prepared {
    use orgsim::writers::fit_cache::{FitCache, Lookup};
    let source = orgsim::scenario::load::resolve(name).expect("built-in exists");
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let planned = orgsim::run::prepare::load(&source, &sets)
        .and_then(|loaded| loaded.plan())
        .unwrap_or_else(|e| panic!("{e}"));
    let cache = FitCache::at(std::path::Path::new(FIT_CACHE).join("playbooks"));
    match cache.lookup(planned.model()) {
        // A certificate is a run's, not `prepare`'s: one a CLI test cached is dropped here.
        Lookup::Hit(p) => {
            let mut prepared = planned.remembered(*p);
            prepared.forget_certificate();
            prepared
        }
        _ => {
            let never = AtomicBool::new(false);
            let prepared = planned.fit(0, &never).unwrap().expect("never cancelled");
            let _ = cache.store(&prepared, &prepared.playbook);
            prepared
        }
    }
}

/// [`prepared`]'s model, for a test that changes it before it plays trials of it.
pub fn model(name: &str, sets: &[&str]) -> Model {
    prepared(name, sets).model().clone()
}

/// Trials `0..n` of `model` with seed `seed` (whole results, series included).
pub fn trials(model: &Model, seed: u64, n: u64) -> Vec<TrialResult> {
    (0..n)
        .into_par_iter()
        .map(|i| run_trial(model, seed, i))
        .collect()
}

/// Per-trial values of a global metric.
pub fn values(rs: &[TrialResult], name: &str) -> Vec<f64> {
    let k = metric(name);
    rs.iter().map(|r| r.metrics[k]).collect()
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Paired difference `b - a` (trial by trial, on common random numbers): mean and standard error.
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    mean_se(&d)
}

/// Paired difference of global metric `name` between two runs of the same trials (`b - a`):
/// mean and standard error.
pub fn paired_on(a: &[TrialResult], b: &[TrialResult], name: &str) -> (f64, f64) {
    paired(&values(a, name), &values(b, name))
}

/// A whole run written to `out`, as `orgsim run` drives it: the folder staged as the run's sink,
/// every trial's row handed to it, the folder published with the aggregate.
pub fn run_into(
    model: &Prepared,
    cfg: &orgsim::run::chunks::RunConfig,
    out: &std::path::Path,
    info: &orgsim::writers::output::RunInfo,
) -> orgsim::writers::output::Outcome {
    use orgsim::writers::output::RunFolder;
    let columns = orgsim::stats::metrics::trial_columns(model);
    let from = orgsim::writers::output::Provenance::of(model, cfg);
    let mut folder = RunFolder::stage(out, info.force, columns, from).unwrap();
    let never = AtomicBool::new(false);
    let on_trial = &mut |r: &TrialResult| folder.trial(r);
    let agg = orgsim::run::organisation::run(model, cfg, on_trial, &|_| {}, &never).unwrap();
    folder.publish_run(model, cfg, info, agg).unwrap()
}
