//! The `orgsim` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use orgsim::engine::RunConfig;
use orgsim::load::{self, BUILTINS, DEFAULT_SCENARIO};
use orgsim::output::{self, RunInfo};
use orgsim::Error;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

#[derive(Parser)]
#[command(
    name = "orgsim",
    version,
    about = "Agent-based organisation simulator: departments with their own scorecards acting on an ambiguous strategy"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run many seeded trials of a scenario and write summary, per-trial and per-week results.
    Run {
        /// A scenario file, or the name of a built-in scenario (see `orgsim list`).
        #[arg(default_value = DEFAULT_SCENARIO)]
        scenario: String,
        /// Number of trials.
        #[arg(long, default_value_t = 1000)]
        trials: u64,
        /// Base seed; the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output folder (default: output/<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a scenario value by its JSON path, e.g. strategy.ambiguity=0.2 or roles.sales.behaviour.temperature=0.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Replace --out even if it holds files orgsim did not write.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no summary, no progress bar).
        #[arg(long)]
        quiet: bool,
        /// Skip the charts (charts/*.png, charts/*.svg) and report.html.
        #[arg(long)]
        no_charts: bool,
    },
    /// Replay one trial and say why each role chose as it did: trace.csv and an account in words.
    Trace {
        /// A scenario file, or the name of a built-in scenario.
        #[arg(default_value = DEFAULT_SCENARIO)]
        scenario: String,
        /// The trial to replay (its index in a run).
        #[arg(long)]
        trial: u64,
        /// The run's base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only this role's decisions.
        #[arg(long)]
        role: Option<String>,
        /// Folder for trace.csv (default: output/<scenario name>-trace).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a scenario value by its JSON path, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// List the built-in scenarios.
    List,
    /// Check a scenario file and report every problem found.
    Validate {
        /// The scenario file (or built-in name).
        file: String,
        /// Overrides to check along with the file.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Print the JSON Schema of the scenario format.
    Schema,
}

/// Ctrl-C asks the run to stop at the next batch (nothing is written); a second Ctrl-C ends at once.
fn interrupt_flag() -> &'static AtomicBool {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    &CANCEL
}

fn main() {
    let cli = Cli::parse();
    let code = match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("orgsim: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// Prints to stdout; a closed pipe (`orgsim schema | head`) ends quietly.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

fn execute(cli: Cli) -> orgsim::Result<()> {
    match cli.command {
        Command::List => {
            let mut s = String::new();
            for b in BUILTINS {
                s.push_str(&format!(
                    "{:<30} [{}] {}\n",
                    b.name,
                    b.story,
                    load::builtin_summary(b)
                ));
            }
            say(&s);
            Ok(())
        }
        Command::Trace {
            scenario,
            trial,
            seed,
            role,
            out,
            sets,
        } => {
            let source = load::resolve(&scenario)?;
            let model = orgsim::prepare(&source, &sets)?;
            let role = match role {
                None => None,
                Some(name) => Some(model.roles.iter().position(|r| r.name == name).ok_or_else(
                    || {
                        let names: Vec<&str> =
                            model.roles.iter().map(|r| r.name.as_str()).collect();
                        Error::Usage(format!(
                            "--role: expected a role of {} ({}), found '{name}'",
                            source.name,
                            names.join(", ")
                        ))
                    },
                )?),
            };
            let traced = orgsim::trace::replay(&model, seed, trial);
            orgsim::engine::finite(&model, &traced.result)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("output").join(format!("{}-trace", model.scenario.name))
            });
            std::fs::create_dir_all(&out).map_err(|e| Error::Io {
                path: out.clone(),
                source: e,
            })?;
            let path = out.join("trace.csv");
            output::write_file(&path, orgsim::trace::csv(&model, &traced, role).as_bytes())?;
            say(&orgsim::trace::account(&model, &traced, role));
            say(&format!("trace in {}\n", path.display()));
            Ok(())
        }
        Command::Schema => {
            say(&(load::schema_json() + "\n"));
            Ok(())
        }
        Command::Validate { file, sets } => {
            let source = load::resolve(&file)?;
            let mut model = load::load(&source, &sets)?;
            // Plan-relative targets are checked too: the plan is one deterministic trial.
            orgsim::plan_targets(&mut model, &source)?;
            say(&format!(
                "{}: valid ({} roles, {} levers, {} stock points, {} weeks)\n",
                source.name,
                model.roles.len(),
                model.levers.len(),
                model.chain.len(),
                model.horizon
            ));
            Ok(())
        }
        Command::Run {
            scenario,
            trials,
            seed,
            threads,
            out,
            sets,
            force,
            quiet,
            no_charts,
        } => {
            if trials == 0 {
                return Err(Error::Usage("--trials must be at least 1".into()));
            }
            let source = load::resolve(&scenario)?;
            if !quiet {
                eprintln!(
                    "{}: playing the plan and fitting each role's playbook ...",
                    source.name
                );
            }
            let started = std::time::Instant::now();
            let model = orgsim::prepare(&source, &sets)?;
            let fitted_in = started.elapsed().as_secs_f64();
            if !model.playbook.converged {
                eprintln!(
                    "orgsim: warning: the roles' best responses did not settle; the last playbook stands, and a role may lose to a constant policy of its own (see summary.json, roles.*.playbook)"
                );
            }
            let out = out.unwrap_or_else(|| PathBuf::from("output").join(&model.scenario.name));
            let cfg = RunConfig {
                seed,
                trials,
                threads,
            };
            let info = RunInfo {
                source: source.name.clone(),
                command: std::env::args().collect(),
                force,
                charts: !no_charts,
            };
            let cancel = interrupt_flag();
            let bar = progress_bar(trials, quiet);
            let result = output::run_to_dir(
                &model,
                &cfg,
                &out,
                &info,
                &|done| bar.set_position(done),
                cancel,
            );
            bar.finish_and_clear();
            let outcome = result?;
            if !quiet {
                say(&format!("playbooks fitted in {fitted_in:.1} s; "));
                say(&summary_table(&model, &outcome));
                if !no_charts {
                    say(&format!(
                        "report in {}\n",
                        outcome.out.join("report.html").display()
                    ));
                }
            }
            Ok(())
        }
    }
}

/// A bar on stderr with trials done, rate and time left; hidden unless stderr is a terminal.
fn progress_bar(trials: u64, quiet: bool) -> ProgressBar {
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

fn summary_table(model: &orgsim::model::Model, o: &output::Outcome) -> String {
    use orgsim::metrics::GLOBAL_METRICS;
    let agg = &o.aggregate;
    let mut s = format!(
        "{}: {} trials in {:.2} s ({:.0} trials/s)\n\n{:<26} {:>12} {:>25} {:>12}\n",
        model.scenario.name,
        agg.trials,
        o.seconds,
        agg.trials as f64 / o.seconds.max(1e-9),
        "metric",
        "mean",
        "95% interval",
        "median"
    );
    for (name, st) in GLOBAL_METRICS.iter().zip(&agg.metrics) {
        let ci = st.ci95();
        s.push_str(&format!(
            "{:<26} {:>12} {:>25} {:>12}\n",
            name,
            short(st.moments.mean()),
            format!("[{}, {}]", short(ci[0]), short(ci[1])),
            short(st.sketch.quantile(0.5))
        ));
    }
    s.push_str(&format!(
        "\n{:<26} {:>12} {:>18}\n",
        "role", "attainment", "claims success"
    ));
    for (r, role) in model.roles.iter().enumerate() {
        let [a, _, c, _] = &agg.roles[r];
        s.push_str(&format!(
            "{:<26} {:>12} {:>17.0}%\n",
            role.name,
            short(a.moments.mean()),
            100.0 * c.moments.mean()
        ));
    }
    s.push_str(&format!("\nresults in {}\n", o.out.display()));
    s
}

fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.3e}", v)
    } else if a >= 100.0 {
        format!("{:.0}", v)
    } else {
        format!("{:.3}", v)
    }
}
