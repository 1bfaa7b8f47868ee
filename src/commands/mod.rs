//! The commands of the `orgsim` binary: one module each for the long ones, and what they share
//! (printing, warnings, signals, progress, shards). Terminal I/O lives here and in `main.rs`,
//! never in the library.

pub mod compare;
pub mod fitting;
pub mod flags;
pub mod merge;
pub mod network;
pub mod run;
pub mod serve;
pub mod shard;
pub mod show;
pub mod sweep;
pub mod trace;

pub(crate) use fitting::{fit_playbook, prepare, Fitted, Fitting, RefitArg};
pub(crate) use flags::{TrialArgs, WriteArgs};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use orgsim::run::chunks::RunConfig;
use orgsim::scenario::load::{self, DEFAULT_SCENARIO};
use orgsim::writers::folder::OutputFolder;
use orgsim::writers::output::{self, RunInfo};
use orgsim::Error;
pub(crate) use shard::*;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Applies `--name` to the model; returns the name of the default output folder: the name given,
/// else the scenario's (a run named for its overrides would make an unreadable folder name).
pub(crate) fn run_name(
    loaded: &mut orgsim::run::prepare::Loaded,
    name: Option<String>,
) -> Result<String, Error> {
    let Some(name) = name else {
        return Ok(loaded.model().scenario.name.clone());
    };
    check_name(&name)?;
    loaded.rename(name.clone());
    Ok(name)
}

/// Refuses a `--name` that cannot also name a folder.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(Error::Usage(format!(
            "--name: expected a name that can also name a folder (not empty, no / or \\), found '{name}'"
        )));
    }
    Ok(())
}

/// The signal that asked the run to stop (0: none yet).
pub(crate) static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C, SIGTERM and SIGHUP ask the run to stop at the next batch; the staging folder is
/// removed and nothing is written. A second signal ends the process at once (the next run
/// removes the hidden staging folder it leaves).
pub(crate) fn interrupt_flag() -> &'static AtomicBool {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                for sig in signals.forever() {
                    if CANCEL.swap(true, Ordering::SeqCst) {
                        std::process::exit(128 + sig);
                    }
                    STOPPED_BY.store(sig, Ordering::SeqCst);
                }
            });
        }
    }
    #[cfg(not(unix))]
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        STOPPED_BY.store(2, Ordering::SeqCst);
    });
    &CANCEL
}

/// Prints to stdout. A closed pipe (`orgsim schema | head`) ends quietly; any other failure
/// (a full disk, `> /dev/full`) is an error, never a silent success.
pub(crate) fn say(text: &str) -> orgsim::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(source) => Err(Error::Io {
            path: PathBuf::from("standard output"),
            source,
        }),
    }
}

/// Prints a scenario's warnings (legal values that are almost surely slips) on stderr.
pub(crate) fn warn(source: &load::Source, model: &orgsim::scenario::model::Model) {
    for w in &model.warnings {
        eprintln!("orgsim: warning: {}", w.report_line(&source.name));
    }
}

/// A bar on stderr with trials done, rate and time left; hidden unless stderr is a terminal.
/// Runs `work` with a progress bar over `trials` (hidden when quiet or not on a terminal),
/// cleared before the result is returned, so what is printed next starts on a clean line.
pub(crate) fn with_progress<T>(
    trials: u64,
    quiet: bool,
    work: impl FnOnce(&dyn Fn(u64)) -> T,
) -> T {
    let bar = progress_bar(trials, quiet);
    let result = work(&|done| bar.set_position(done));
    bar.finish_and_clear();
    result
}

/// Where the report is, for the line a run ends with.
pub(crate) fn report_line(out: &std::path::Path) -> String {
    format!("report in {}\n", out.join("report.html").display())
}

pub(crate) fn progress_bar(trials: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style =
        ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} trials  {rate}  {eta} left")
            .expect("the progress template is valid")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} trials/s", s.per_sec());
            });
    ProgressBar::new(trials).with_style(style)
}
