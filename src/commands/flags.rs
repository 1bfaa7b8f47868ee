//! The flags several commands share, declared once and flattened into each command's arguments
//! (`#[command(flatten)]`), so `--trials` or `--force` means the same everywhere.

/// The trials a running command plays: how many, from which seed, on how many threads.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct TrialArgs {
    /// Number of trials (in a comparison or a sweep: per arm or point, the same trials in each).
    #[arg(long, default_value_t = 1000)]
    pub trials: u64,
    /// Base seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

impl TrialArgs {
    /// The run's configuration; at least one trial.
    pub fn config(self) -> Result<orgsim::run::chunks::RunConfig, orgsim::Error> {
        if self.trials == 0 {
            return Err(orgsim::Error::Usage("--trials must be at least 1".into()));
        }
        Ok(orgsim::run::chunks::RunConfig {
            seed: self.seed,
            trials: self.trials,
            threads: self.threads,
        })
    }
}

/// How a command writes its output folder and what it prints.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WriteArgs {
    /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors (no summary, no progress bar).
    #[arg(long)]
    pub quiet: bool,
    /// Skip the charts (charts/*.png, charts/*.svg) and report.html.
    #[arg(long)]
    pub no_charts: bool,
}
