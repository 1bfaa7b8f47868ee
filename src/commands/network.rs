//! `orgsim run` on a network scenario (the supply-chain classics): the trials, the files, and
//! the few lines printed after.

use super::*;
use orgsim::scenario::network::{trial_columns, NetworkModel};
use orgsim::sim::network::NetworkRow;
use orgsim::writers::network::{cell, findings, publish_network_run};
use orgsim::writers::output::RunFolder;

/// What `orgsim run` was asked, as far as a network run uses it.
pub struct NetworkRun {
    /// The scenario, from a file or a built-in.
    pub source: load::Source,
    /// `--set` overrides.
    pub sets: Vec<String>,
    /// Number of trials.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Output folder, if given.
    pub out: Option<PathBuf>,
    /// `--name`.
    pub name: Option<String>,
    /// `--force`.
    pub force: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// `--no-charts`.
    pub no_charts: bool,
}

/// Runs a network scenario's trials and writes its files.
pub fn execute(run: NetworkRun) -> orgsim::Result<()> {
    let mut model = load::load_network(&run.source, &run.sets)?;
    let folder_name = match run.name {
        Some(name) => {
            check_name(&name)?;
            model.name = name.clone();
            name
        }
        None => model.scenario.name.clone(),
    };
    let out = run
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(folder_name));
    orgsim::writers::folder::check(
        &out,
        run.force,
        &["summary.json", "trials.csv", "series.csv", "report.html"],
    )?;
    let cfg = RunConfig {
        seed: run.seed,
        trials: run.trials,
        threads: run.threads,
    };
    let info = RunInfo {
        source: run.source.name.clone(),
        command: std::env::args().collect(),
        force: run.force,
        charts: !run.no_charts,
    };
    let cancel = interrupt_flag();
    let outcome = with_progress(run.trials, run.quiet, |progress| {
        // The command drives the run; the folder is its sink, a row per trial.
        let spec = &model.scenario.network;
        let from = orgsim::writers::network::provenance(&model, &cfg);
        let mut folder = RunFolder::stage(&out, run.force, trial_columns(spec), from)?;
        let on_trial = &mut |r: &NetworkRow| folder.row(r.trial, &r.metrics, cell);
        let agg = orgsim::run::network::run(spec, &cfg, on_trial, progress, cancel)
            .map_err(|e| e.at(&out))?;
        publish_network_run(folder, &model, &cfg, &info, agg)
    })?;
    if !run.quiet {
        say(&summary(&model, &outcome))?;
        if !run.no_charts {
            say(&report_line(&outcome.out))?;
        }
    }
    Ok(())
}

fn summary(model: &NetworkModel, outcome: &orgsim::writers::network::NetworkOutcome) -> String {
    let agg = &outcome.aggregate;
    let mut s = format!(
        "{}: {} trials in {:.1} s, written to {}\n",
        model.name,
        agg.trials,
        outcome.seconds,
        outcome.out.display()
    );
    for f in findings(model, agg) {
        s.push_str(&format!("  {f}\n"));
    }
    let cols = trial_columns(&model.scenario.network);
    s.push_str(&format!(
        "  ({} metrics per trial in trials.csv; means and intervals in summary.json)\n",
        cols.len()
    ));
    s
}
