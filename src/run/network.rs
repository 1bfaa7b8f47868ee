//! A network scenario's run (the Beer Game, order-up-to chains): its trials on the run's threads
//! (see [`crate::run::chunks`]), each refused by name if a value is beyond what the statistics
//! hold, folded into a [`NetworkAggregate`].

use crate::error::{Error, Result};
use crate::run::chunks::{run_chunks, Partial, RunConfig, CHUNK};
use crate::scenario::network::trial_columns;
use crate::sim::network::{NetworkAggregate, NetworkRow, NetworkSpec, NetworkTrial, Scoring};
use crate::stats::metrics::VALUE_LIMIT;
use std::sync::atomic::AtomicBool;

/// Runs `cfg.trials` trials in parallel, in fixed chunks folded in chunk order, so the result
/// is the same bytes on any number of threads; calls `on_trial` for each in trial order and
/// `progress` after each batch. Refuses a trial with a value beyond what the statistics hold
/// exactly ([`VALUE_LIMIT`]), by name.
pub fn run(
    spec: &NetworkSpec,
    cfg: &RunConfig,
    on_trial: &mut (dyn FnMut(&NetworkRow) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<NetworkAggregate> {
    let chunks = 0..cfg.trials.div_ceil(CHUNK);
    let total = NetworkAggregate::new(spec);
    let scoring = Scoring::new(spec);
    let run = |c| run_chunk(spec, &scoring, cfg, c);
    run_chunks(cfg, chunks, total, &run, on_trial, progress, cancel)
}

impl Partial for NetworkAggregate {
    fn merge(&mut self, next: &Self) {
        NetworkAggregate::merge(self, next);
    }
    fn trials(&self) -> u64 {
        self.trials
    }
}

fn run_chunk(
    spec: &NetworkSpec,
    scoring: &Scoring,
    cfg: &RunConfig,
    chunk: u64,
) -> Result<(NetworkAggregate, Vec<NetworkRow>)> {
    let mut agg = NetworkAggregate::new(spec);
    let first = chunk * CHUNK;
    let last = (first + CHUNK).min(cfg.trials);
    let mut rows = Vec::with_capacity((last - first) as usize);
    let columns = trial_columns(spec);
    let mut game = NetworkTrial::new(spec, cfg.seed, first);
    for trial in first..last {
        game.reset(cfg.seed, trial);
        let r = game.play();
        let metrics = r.metrics(spec, scoring);
        if let Some(k) = metrics.iter().position(|v| v.abs() > VALUE_LIMIT) {
            return Err(Error::TooLarge {
                what: format!(
                    "metric '{}' is {:e}, beyond the {VALUE_LIMIT:e} the statistics hold exactly",
                    columns[k], metrics[k]
                ),
                trial,
                hint: None,
            });
        }
        agg.add(r, &metrics);
        rows.push(NetworkRow { trial, metrics });
    }
    Ok((agg, rows))
}
