//! The `orgsim` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use orgsim::engine::RunConfig;
use orgsim::load::{self, BUILTINS, DEFAULT_SCENARIO};
use orgsim::output::{self, RunInfo};
use orgsim::output_folder::OutputFolder;
use orgsim::Error;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

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
        /// Override a scenario value by its JSON path, e.g. strategy.ambiguity=0.2, roles.sales.behaviour.temperature=0 or roles[0].levers[1].options=[0,1]; PATH[+]=VALUE appends to a list.
        ///
        /// PATH is written as messages print it (roles[0].levers[1].options), with dotted indices
        /// (roles.0.levers.1.options), or with names of roles, levers and stock points
        /// (roles.sales.levers.promo_depth.options). PATH[+]=VALUE appends VALUE to the list at PATH,
        /// e.g. 'roles.sales.scorecard.components[+]={"metric":"fill_rate","target":0.95,"weight":0.2}'.
        /// VALUE is JSON; text that is not JSON is a string. Repeat --set for several overrides.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Name the run: in chart titles, the report and summary.json, and the default folder
        /// (output/<NAME>). Without it a run is named for its scenario, with any --set overrides in
        /// brackets, and writes to output/<scenario name>.
        #[arg(long)]
        name: Option<String>,
        /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no summary, no progress bar).
        #[arg(long)]
        quiet: bool,
        /// Skip the charts (charts/*.png, charts/*.svg) and report.html.
        #[arg(long)]
        no_charts: bool,
        /// Run only part I of N of the trials (1 <= I <= N) and write a partial result for
        /// `orgsim merge` (default folder output/<name>-shard-I-of-N). A shard already complete in
        /// its folder is skipped, so a re-submitted array resumes.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Combine the partial results of `run --shard I/N` into exactly the files the unsharded run
    /// writes.
    Merge {
        /// The shards' folders, all N of them, in any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Skip the charts and report.html.
        #[arg(long)]
        no_charts: bool,
        /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
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
        /// Name the run: in chart titles, the report and summary.json, and the default folder
        /// (output/<NAME>-trace). Without it a run is named for its scenario, with any --set overrides in
        /// brackets, and writes to output/<scenario name>-trace.
        #[arg(long)]
        name: Option<String>,
        /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
        #[arg(long)]
        force: bool,
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
    /// Sweep a grid of scenario values (the product of every --vary), each point a run on the
    /// same trial seeds: sweep.csv (tidy, long) and sweep.json.
    Sweep {
        /// A scenario file, or the name of a built-in scenario.
        #[arg(default_value = DEFAULT_SCENARIO)]
        scenario: String,
        /// A path and its values: a list (strategy.ambiguity=0,0.25,0.5), a range FROM:TO:N
        /// (strategy.ambiguity=0:1:11, ends included) or a JSON array. Repeat for a grid.
        #[arg(long = "vary", value_name = "PATH=SPEC", required = true)]
        varies: Vec<String>,
        /// An override applied at every point, as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Trials per point (the same trials at every point).
        #[arg(long, default_value_t = 1000)]
        trials: u64,
        /// Base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output folder (default: output/sweep-<scenario name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Skip the charts (one varied number: lines with bands; two: heat maps).
        #[arg(long)]
        no_charts: bool,
        /// Run only part I of N of the grid's points (1 <= I <= N) and write a partial result for
        /// `orgsim merge` (default folder output/sweep-<name>-shard-I-of-N).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// What if? Run several arms on the same trial seeds (common random numbers) and compare each
    /// metric with the first arm, trial by trial: compare.csv and compare.json.
    Compare {
        /// The first arm (the baseline), then any further arms: scenario files or built-in names.
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// A further arm built on the first scenario: 'LABEL: PATH=VALUE; PATH=VALUE', e.g.
        /// 'shared bonus: org.shared_bonus.weight=0.5'. Repeat for several arms.
        #[arg(long = "arm", value_name = "LABEL: PATH=VALUE; ...")]
        arms: Vec<String>,
        /// An override applied to every arm (before an --arm's own), as for `run`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Trials per arm (the same trials in every arm).
        #[arg(long, default_value_t = 1000)]
        trials: u64,
        /// Base seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Output folder (default: output/compare-<first scenario's name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Skip the charts and report.html.
        #[arg(long)]
        no_charts: bool,
        /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
}

/// Parses `--arm 'LABEL: PATH=VALUE; PATH=VALUE'` into its label and its overrides.
fn parse_arm(spec: &str) -> Result<(String, Vec<String>), Error> {
    let bad = |what: &str| {
        Error::Usage(format!(
            "--arm '{spec}': expected 'LABEL: PATH=VALUE; PATH=VALUE' ({what})"
        ))
    };
    let (label, sets) = spec
        .split_once(':')
        .ok_or_else(|| bad("no ':' after a label"))?;
    let label = label.trim();
    if label.is_empty() {
        return Err(bad("the label is empty"));
    }
    let sets: Vec<String> = sets
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if sets.is_empty() {
        return Err(bad("no PATH=VALUE after the label"));
    }
    Ok((label.to_string(), sets))
}

/// The headline rows of a comparison, as a table: each arm's mean and its paired difference.
fn compare_table(rows: &[orgsim::compare::Row]) -> String {
    const HEADLINE: [&str; 6] = [
        "profit",
        "on_shelf_availability",
        "stockout_store_weeks",
        "write_off_units",
        "coordinated_divergence",
        "divergence_gap",
    ];
    let w = rows
        .iter()
        .map(|r| r.arm.chars().count())
        .max()
        .unwrap_or(3)
        .max(3);
    let mut out = format!(
        "{:<w$}  {:<24} {:>12} {:>14} {:>26}\n",
        "arm", "metric", "mean", "paired diff", "95% interval of the diff"
    );
    for r in rows
        .iter()
        .filter(|r| HEADLINE.contains(&r.metric.as_str()))
    {
        // One precision per row, set by the metric's size, so a row's numbers line up.
        let whole = r.mean.abs() >= 100.0;
        let g = |v: f64| {
            if whole {
                format!("{v:.0}")
            } else {
                format!("{v:.4}")
            }
        };
        out += &format!(
            "{:<w$}  {:<24} {:>12} {:>14} {:>26}\n",
            r.arm,
            r.metric,
            g(r.mean),
            g(r.diff),
            format!("[{}, {}]", g(r.diff_ci95[0]), g(r.diff_ci95[1]))
        );
    }
    out
}

/// Parses `--shard I/N` (1 <= I <= N).
fn parse_shard(text: &str) -> Result<orgsim::engine::Shard, Error> {
    let bad = || {
        Error::Usage(format!(
            "--shard: expected I/N with 1 <= I <= N <= 100000 (e.g. 3/8), found '{text}'"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n || n > 100_000 {
        return Err(bad());
    }
    Ok(orgsim::engine::Shard {
        index: i - 1,
        count: n,
    })
}

/// Which run a shard belongs to: everything that decides its numbers. `merge` requires every
/// shard's to be equal, and a shard whose folder already holds a complete partial of the same
/// run is skipped.
fn shard_identity(
    model: &orgsim::model::Model,
    source: &load::Source,
    sets: &[String],
    seed: u64,
    trials: u64,
    shard: orgsim::engine::Shard,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = shard_identity_of(source, sets, seed, trials, shard);
    m.insert("kind".into(), "run".into());
    m.insert("name".into(), model.name.clone().into());
    m
}

/// The identity every kind of shard shares: version, scenario, overrides, seed, trials, shards.
fn shard_identity_of(
    source: &load::Source,
    sets: &[String],
    seed: u64,
    trials: u64,
    shard: orgsim::engine::Shard,
) -> serde_json::Map<String, serde_json::Value> {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(source.text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut m = serde_json::Map::new();
    m.insert("orgsim_version".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("scenario_source".into(), source.name.clone().into());
    m.insert("scenario_sha256".into(), sha.into());
    m.insert("sets".into(), sets.to_vec().into());
    m.insert("seed".into(), seed.into());
    m.insert("trials".into(), trials.into());
    m.insert("shards".into(), shard.count.into());
    // The text itself, so that `merge` needs no access to the scenario file.
    m.insert("scenario_text".into(), source.text.clone().into());
    m
}

/// A shard's partial result, as `merge` reads it: a run's (its aggregate) or a sweep's (its
/// points).
struct ShardPart {
    dir: PathBuf,
    identity: serde_json::Map<String, serde_json::Value>,
    index: u64,
    command: Vec<String>,
    aggregate: Option<orgsim::metrics::Aggregate>,
    points: Option<Vec<orgsim::sweep::Point>>,
}

fn read_part(dir: &std::path::Path) -> Result<ShardPart, Error> {
    let path = dir.join(output::PARTIAL);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::Usage(format!(
            "{}: not a shard's folder (no readable {}: {e})",
            dir.display(),
            output::PARTIAL
        ))
    })?;
    #[derive(serde::Deserialize)]
    struct Doc {
        identity: serde_json::Map<String, serde_json::Value>,
        shard: u64,
        command: Vec<String>,
        aggregate: Option<orgsim::metrics::Aggregate>,
        points: Option<Vec<orgsim::sweep::Point>>,
    }
    let doc: Doc = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{}: not a partial result of orgsim run --shard ({e})",
            path.display()
        ))
    })?;
    Ok(ShardPart {
        dir: dir.to_path_buf(),
        identity: doc.identity,
        index: doc.shard,
        command: doc.command,
        aggregate: doc.aggregate,
        points: doc.points,
    })
}

/// Whether `out` already holds the complete partial of this shard of this run.
fn shard_complete(
    out: &std::path::Path,
    identity: &serde_json::Map<String, serde_json::Value>,
    shard: orgsim::engine::Shard,
) -> bool {
    out.join("manifest.json").is_file()
        && read_part(out).is_ok_and(|p| &p.identity == identity && p.index == shard.index + 1)
}

/// Reads every shard, checks that they are the N shards of one run, each once, and returns them
/// in shard order.
fn read_shards(dirs: &[PathBuf]) -> Result<Vec<ShardPart>, Error> {
    let mut parts: Vec<ShardPart> = dirs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<_, _>>()?;
    let first = &parts[0];
    for p in &parts[1..] {
        for (k, v) in &first.identity {
            let other = p.identity.get(k);
            if other != Some(v) {
                let shown = |v: Option<&serde_json::Value>| match v {
                    Some(serde_json::Value::String(s)) if s.len() > 60 => {
                        "another text".to_string()
                    }
                    Some(v) => v.to_string(),
                    None => "nothing".to_string(),
                };
                return Err(Error::Usage(format!(
                    "{} is a shard of another run than {}: its {k} is {}, expected {}",
                    p.dir.display(),
                    first.dir.display(),
                    shown(other),
                    shown(Some(v))
                )));
            }
        }
    }
    let n = first
        .identity
        .get("shards")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    parts.sort_by_key(|p| p.index);
    for w in parts.windows(2) {
        if w[0].index == w[1].index {
            return Err(Error::Usage(format!(
                "shard {}/{n} is given twice: {} and {}",
                w[0].index,
                w[0].dir.display(),
                w[1].dir.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|i| !parts.iter().any(|p| p.index == *i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "expected all {n} shards of the run, found {}; missing: {}",
            parts.len(),
            missing.join(", ")
        )));
    }
    Ok(parts)
}

/// `merge` of a sweep's shards: their points in order, written as the unsharded sweep writes.
fn merge_sweep(
    shards: &[ShardPart],
    out: &std::path::Path,
    no_charts: bool,
    force: bool,
    quiet: bool,
) -> Result<(), Error> {
    let id = &shards[0].identity;
    let strings = |k: &str| -> Vec<String> {
        id.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let varies: Vec<orgsim::sweep::Vary> = strings("vary")
        .iter()
        .map(|a| orgsim::sweep::parse_vary(a).map_err(|m| orgsim::sweep::vary_error(a, m)))
        .collect::<Result<_, _>>()?;
    let expected = orgsim::sweep::grid(&varies)
        .map_err(|m| Error::Usage(format!("--vary: {m}")))?
        .len();
    let mut points = Vec::new();
    for s in shards {
        points.extend(s.points.clone().unwrap_or_default());
    }
    if points.len() != expected {
        return Err(Error::Usage(format!(
            "expected the {expected} points of the sweep, found {} in the shards",
            points.len()
        )));
    }
    let number = |k: &str| id.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let cfg = RunConfig {
        seed: number("seed"),
        trials: number("trials"),
        threads: 0,
    };
    let name = id
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let info = RunInfo {
        source: id
            .get("scenario_source")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .into(),
        command: shards[0].command.clone(),
        force,
        charts: !no_charts,
    };
    output::write_sweep(&name, &varies, &points, &cfg, out, &info)?;
    if !quiet {
        say(&format!(
            "merged {} shards ({} points) into {}\n",
            shards.len(),
            points.len(),
            out.display()
        ))?;
    }
    Ok(())
}

/// Applies `--name` to the model; returns the name of the default output folder: the name given,
/// else the scenario's (a run named for its overrides would make an unreadable folder name).
fn run_name(model: &mut orgsim::model::Model, name: Option<String>) -> Result<String, Error> {
    let Some(name) = name else {
        return Ok(model.scenario.name.clone());
    };
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
    model.name = name.clone();
    Ok(name)
}

/// The signal that asked the run to stop (0: none yet).
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C, SIGTERM and SIGHUP ask the run to stop at the next batch; the staging folder is
/// removed and nothing is written. A second signal ends the process at once (the next run
/// removes the hidden staging folder it leaves).
fn interrupt_flag() -> &'static AtomicBool {
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

fn main() {
    let cli = Cli::parse();
    let code = match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("orgsim: {e}");
            match (&e, STOPPED_BY.load(Ordering::SeqCst)) {
                // As shells report a process ended by a signal: 128 + its number.
                (Error::Interrupted { .. }, sig) if sig > 0 => 128 + sig,
                _ => e.exit_code(),
            }
        }
    };
    std::process::exit(code);
}

/// Prints to stdout. A closed pipe (`orgsim schema | head`) ends quietly; any other failure
/// (a full disk, `> /dev/full`) is an error, never a silent success.
fn say(text: &str) -> orgsim::Result<()> {
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
            say(&s)?;
            Ok(())
        }
        Command::Trace {
            scenario,
            trial,
            seed,
            role,
            out,
            sets,
            name,
            force,
        } => {
            let source = load::resolve(&scenario)?;
            let mut model = orgsim::prepare(&source, &sets)?;
            warn(&source, &model);
            let folder_name = run_name(&mut model, name)?;
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
            let out =
                out.unwrap_or_else(|| PathBuf::from("output").join(format!("{folder_name}-trace")));
            let folder = OutputFolder::stage(&out, force)?;
            let csv = orgsim::trace::csv(&model, &traced, role);
            output::write_file(&folder.dir().join("trace.csv"), csv.as_bytes())?;
            folder.publish(trace_manifest(&model, &source, seed, trial))?;
            let path = out.join("trace.csv");
            say(&orgsim::trace::account(&model, &traced, role))?;
            say(&format!("trace in {}\n", path.display()))?;
            Ok(())
        }
        Command::Compare {
            scenarios,
            arms,
            sets: common,
            trials,
            seed,
            threads,
            out,
            no_charts,
            force,
            quiet,
        } => {
            if trials == 0 {
                return Err(Error::Usage("--trials must be at least 1".into()));
            }
            // Every arm's file and overrides are checked before any fit: (label, source, sets).
            let mut specs: Vec<(String, load::Source, Vec<String>)> = Vec::new();
            for spec in &scenarios {
                let source = load::resolve(spec)?;
                let model = load::load(&source, &common)?;
                warn(&source, &model);
                specs.push((model.scenario.name.clone(), source, common.clone()));
            }
            for spec in &arms {
                let (label, own) = parse_arm(spec)?;
                let source = specs[0].1.clone();
                let sets: Vec<String> = common.iter().chain(&own).cloned().collect();
                let model = load::load(&source, &sets)?;
                warn(&source, &model);
                specs.push((label, source, sets));
            }
            for (i, (label, ..)) in specs.iter().enumerate() {
                if specs[..i].iter().any(|(l, ..)| l == label) {
                    return Err(Error::Usage(format!(
                        "two arms are labelled '{label}': give each --arm its own label (a scenario given twice needs an --arm instead)"
                    )));
                }
            }
            let out = out
                .unwrap_or_else(|| PathBuf::from("output").join(format!("compare-{}", specs[0].0)));
            orgsim::output_folder::check(&out, force)?;
            let cancel = interrupt_flag();
            let mut prepared = Vec::new();
            for (label, source, sets) in specs {
                if !quiet {
                    eprintln!("{label}: playing the plan and fitting each role's playbook ...");
                }
                let mut model = load::load(&source, &sets)?;
                orgsim::plan_targets(&mut model, &source)?;
                model.playbook =
                    orgsim::fit::fit_until(&model, cancel).ok_or_else(|| Error::Interrupted {
                        done: 0,
                        total: trials,
                        out: out.clone(),
                    })?;
                prepared.push(orgsim::compare::Arm { label, model });
            }
            let cfg = RunConfig {
                seed,
                trials,
                threads,
            };
            let found = orgsim::compare::compare(&prepared, &cfg, cancel).map_err(|e| match e {
                Error::Interrupted { done, total, .. } => Error::Interrupted {
                    done,
                    total,
                    out: out.clone(),
                },
                e => e,
            })?;
            let info = RunInfo {
                source: scenarios.join(" "),
                command: std::env::args().collect(),
                force,
                charts: !no_charts,
            };
            output::write_compare(&prepared, &found, &cfg, &out, &info)?;
            if !quiet {
                say(&compare_table(&found.rows))?;
                say(&format!(
                    "comparison in {}\n",
                    out.join(if no_charts {
                        "compare.csv"
                    } else {
                        "report.html"
                    })
                    .display()
                ))?;
            }
            Ok(())
        }
        Command::Merge {
            dirs,
            out,
            no_charts,
            force,
            quiet,
        } => {
            let shards = read_shards(&dirs)?;
            orgsim::output_folder::check(&out, force)?;
            let id = &shards[0].identity;
            if id.get("kind").and_then(|k| k.as_str()) == Some("sweep") {
                return merge_sweep(&shards, &out, no_charts, force, quiet);
            }
            let text_of = |k: &str| id.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let source = load::Source {
                name: text_of("scenario_source"),
                text: text_of("scenario_text"),
            };
            let sets: Vec<String> = id
                .get("sets")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if !quiet {
                eprintln!(
                    "{}: {} shards; playing the plan and fitting each role's playbook again ...",
                    source.name,
                    shards.len()
                );
            }
            let mut model = load::load(&source, &sets)?;
            orgsim::plan_targets(&mut model, &source)?;
            model.name = text_of("name");
            let cancel = interrupt_flag();
            model.playbook =
                orgsim::fit::fit_until(&model, cancel).ok_or_else(|| Error::Interrupted {
                    done: 0,
                    total: 0,
                    out: out.clone(),
                })?;
            let number = |k: &str| id.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
            let cfg = RunConfig {
                seed: number("seed"),
                trials: number("trials"),
                threads: 0,
            };
            let mut agg = orgsim::metrics::Aggregate::new(&model);
            for s in &shards {
                let part = s.aggregate.as_ref().ok_or_else(|| {
                    Error::Usage(format!("{}: a partial with no aggregate", s.dir.display()))
                })?;
                agg.merge(part);
            }
            // The unsharded command, for the report: the first shard's, less its --shard.
            let command = shards[0].command.clone();
            let info = RunInfo {
                source: source.name.clone(),
                command,
                force,
                charts: !no_charts,
            };
            let ordered: Vec<PathBuf> = shards.iter().map(|s| s.dir.clone()).collect();
            output::write_merged(&model, &cfg, &agg, &ordered, &out, &info)?;
            if !quiet {
                say(&format!(
                    "merged {} shards ({} trials) into {}\n",
                    shards.len(),
                    agg.trials,
                    out.display()
                ))?;
            }
            Ok(())
        }
        Command::Sweep {
            scenario,
            varies,
            sets,
            trials,
            seed,
            threads,
            out,
            no_charts,
            shard,
            force,
            quiet,
        } => {
            if trials == 0 {
                return Err(Error::Usage("--trials must be at least 1".into()));
            }
            let shard = shard.as_deref().map(parse_shard).transpose()?;
            let vary_args = varies.clone();
            let varies: Vec<orgsim::sweep::Vary> = varies
                .iter()
                .map(|a| orgsim::sweep::parse_vary(a).map_err(|m| orgsim::sweep::vary_error(a, m)))
                .collect::<Result<_, _>>()?;
            let grid =
                orgsim::sweep::grid(&varies).map_err(|m| Error::Usage(format!("--vary: {m}")))?;
            let source = load::resolve(&scenario)?;
            // Every point is checked before the first fit: a bad value fails at once.
            let mut name = String::new();
            for point in &grid {
                let all: Vec<String> = sets
                    .iter()
                    .cloned()
                    .chain(orgsim::sweep::point_sets(&varies, point))
                    .collect();
                let model = load::load(&source, &all)?;
                name = model.scenario.name.clone();
            }
            let folder_name = match shard {
                Some(s) => format!("sweep-{name}-shard-{}-of-{}", s.index + 1, s.count),
                None => format!("sweep-{name}"),
            };
            let out = out.unwrap_or_else(|| PathBuf::from("output").join(folder_name));
            let job = shard.map(|s| {
                let mut identity = shard_identity_of(&source, &sets, seed, trials, s);
                identity.insert("kind".into(), "sweep".into());
                identity.insert("name".into(), name.clone().into());
                identity.insert("vary".into(), vary_args.clone().into());
                output::ShardJob { shard: s, identity }
            });
            if let Some(job) = &job {
                if shard_complete(&out, &job.identity, job.shard) {
                    if !quiet {
                        say(&format!(
                            "shard {}/{} is already complete in {}: skipped\n",
                            job.shard.index + 1,
                            job.shard.count,
                            out.display()
                        ))?;
                    }
                    return Ok(());
                }
            }
            let range = match shard {
                Some(s) => orgsim::sweep::shard_points(grid.len(), s),
                None => 0..grid.len(),
            };
            orgsim::output_folder::check(&out, force)?;
            let cancel = interrupt_flag();
            let cfg = RunConfig {
                seed,
                trials,
                threads,
            };
            let interrupted = |done| Error::Interrupted {
                done,
                total: trials * grid.len() as u64,
                out: out.clone(),
            };
            let mut points = Vec::new();
            for (i, point) in grid.iter().enumerate() {
                if !range.contains(&i) {
                    continue;
                }
                let point_sets = orgsim::sweep::point_sets(&varies, point);
                if !quiet {
                    eprintln!(
                        "point {} of {}: {}",
                        i + 1,
                        grid.len(),
                        point_sets.join(" ")
                    );
                }
                let all: Vec<String> = sets.iter().cloned().chain(point_sets).collect();
                let mut model = load::load(&source, &all)?;
                orgsim::plan_targets(&mut model, &source)?;
                model.playbook = orgsim::fit::fit_until(&model, cancel)
                    .ok_or_else(|| interrupted(i as u64 * trials))?;
                let p =
                    orgsim::sweep::run_point(&model, point.clone(), &cfg, cancel).map_err(|e| {
                        match e {
                            Error::Interrupted { done, .. } => {
                                interrupted(i as u64 * trials + done)
                            }
                            e => e,
                        }
                    })?;
                points.push(p);
            }
            let info = RunInfo {
                source: source.name.clone(),
                command: std::env::args().collect(),
                force,
                charts: !no_charts,
            };
            if let Some(job) = &job {
                output::write_sweep_partial(job, range.start, &points, &out, &info)?;
                if !quiet {
                    say(&format!(
                        "shard {}/{}: points {} to {} of {} in {}; combine all {} with orgsim merge\n",
                        job.shard.index + 1,
                        job.shard.count,
                        range.start + 1,
                        range.end,
                        grid.len(),
                        out.display(),
                        job.shard.count
                    ))?;
                }
                return Ok(());
            }
            output::write_sweep(&name, &varies, &points, &cfg, &out, &info)?;
            if !quiet {
                say(&format!("sweep in {}\n", out.join("sweep.csv").display()))?;
            }
            Ok(())
        }
        Command::Schema => {
            say(&(load::schema_json() + "\n"))?;
            Ok(())
        }
        Command::Validate { file, sets } => {
            let source = load::resolve(&file)?;
            let mut model = load::load(&source, &sets)?;
            warn(&source, &model);
            // Plan-relative targets are checked too: the plan is one deterministic trial.
            orgsim::plan_targets(&mut model, &source)?;
            say(&format!(
                "{}: valid ({} roles, {} levers, {} stock points, {} weeks)\n",
                source.name,
                model.roles.len(),
                model.levers.len(),
                model.chain.len(),
                model.horizon
            ))?;
            Ok(())
        }
        Command::Run {
            scenario,
            trials,
            seed,
            threads,
            out,
            sets,
            name,
            force,
            quiet,
            no_charts,
            shard,
        } => {
            if trials == 0 {
                return Err(Error::Usage("--trials must be at least 1".into()));
            }
            let shard = shard.as_deref().map(parse_shard).transpose()?;
            let source = load::resolve(&scenario)?;
            let mut model = load::load(&source, &sets)?;
            warn(&source, &model);
            let folder_name = run_name(&mut model, name)?;
            let folder_name = match shard {
                Some(s) => format!("{folder_name}-shard-{}-of-{}", s.index + 1, s.count),
                None => folder_name,
            };
            let out = out.unwrap_or_else(|| PathBuf::from("output").join(folder_name));
            let identity = shard.map(|s| shard_identity(&model, &source, &sets, seed, trials, s));
            if let (Some(s), Some(id)) = (shard, &identity) {
                if shard_complete(&out, id, s) {
                    if !quiet {
                        say(&format!(
                            "shard {}/{} is already complete in {}: skipped\n",
                            s.index + 1,
                            s.count,
                            out.display()
                        ))?;
                    }
                    return Ok(());
                }
            }
            // A folder the run would refuse is refused now, not after the fit.
            orgsim::output_folder::check(&out, force)?;
            if !quiet {
                eprintln!(
                    "{}: playing the plan and fitting each role's playbook ...",
                    source.name
                );
            }
            let started = std::time::Instant::now();
            orgsim::plan_targets(&mut model, &source)?;
            if !quiet {
                let mut one = started.elapsed().as_secs_f64();
                // One cold trial of a small scenario can take ten times its usual time (a busy
                // machine, first-touch memory): before saying "this will take long", time the
                // plan twice more and keep the fastest.
                if estimate(&model, one, trials, threads).is_some() {
                    for _ in 0..2 {
                        let again = std::time::Instant::now();
                        orgsim::plan::compute(&model);
                        one = one.min(again.elapsed().as_secs_f64());
                    }
                }
                if let Some(note) = estimate(&model, one, trials, threads) {
                    eprintln!("orgsim: {note}");
                }
            }
            let cancel = interrupt_flag();
            let started = std::time::Instant::now();
            model.playbook =
                orgsim::fit::fit_until(&model, cancel).ok_or_else(|| Error::Interrupted {
                    done: 0,
                    total: trials,
                    out: out.clone(),
                })?;
            let fitted_in = started.elapsed().as_secs_f64();
            if !model.playbook.converged {
                eprintln!(
                    "orgsim: warning: the roles' best responses did not settle; the last playbook stands, and a role may lose to a constant policy of its own (see summary.json, roles.*.playbook)"
                );
            }
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
            if let (Some(s), Some(id)) = (shard, &identity) {
                let part = s.trials(trials);
                let bar = progress_bar(part.end - part.start, quiet);
                let first = part.start;
                let job = output::ShardJob {
                    shard: s,
                    identity: id.clone(),
                };
                let result = output::run_shard_to_dir(
                    &model,
                    &cfg,
                    &job,
                    &out,
                    &info,
                    &|done| bar.set_position(done),
                    cancel,
                );
                bar.finish_and_clear();
                let outcome = result?;
                if !quiet {
                    say(&format!(
                        "shard {}/{}: trials {} to {} ({} trials) in {}; combine all {} with orgsim merge\n",
                        s.index + 1,
                        s.count,
                        first,
                        part.end.max(first + 1) - 1,
                        outcome.aggregate.trials,
                        out.display(),
                        s.count
                    ))?;
                }
                return Ok(());
            }
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
                say(&format!("playbooks fitted in {fitted_in:.1} s; "))?;
                say(&summary_table(&model, &outcome))?;
                if !no_charts {
                    say(&format!(
                        "report in {}\n",
                        outcome.out.join("report.html").display()
                    ))?;
                }
            }
            Ok(())
        }
    }
}

/// A time estimate, when the command will take more than a minute: from the plan, which is
/// one trial, times the trials the fit and the run will play.
fn estimate(model: &orgsim::model::Model, one: f64, trials: u64, threads: usize) -> Option<String> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let candidates = orgsim::fit::candidates_hint(model);
    let fit = candidates as u64 * orgsim::fit::FIT_TRIALS;
    let seconds = one * (fit + trials) as f64 / threads as f64;
    (seconds > 60.0).then(|| {
        format!(
            "this will take about {}: one trial takes {one:.2} s, and fitting the playbooks plays about {fit} trials ({candidates} candidate rules x {}) before the {trials} of the run, on {threads} threads. Fewer stores, weeks or --trials run faster; Ctrl-C stops cleanly.",
            duration(seconds),
            orgsim::fit::FIT_TRIALS
        )
    })
}

/// `1 h 12 min`, `3 min`, `45 s`.
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=89 => format!("{s} s"),
        90..=5399 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600 + 30) / 60),
    }
}

/// What `trace` records beside trace.csv: enough to replay it.
fn trace_manifest(
    model: &orgsim::model::Model,
    source: &load::Source,
    seed: u64,
    trial: u64,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("orgsim_version".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("scenario".into(), model.scenario.name.clone().into());
    m.insert("scenario_source".into(), source.name.clone().into());
    m.insert("seed".into(), seed.into());
    m.insert("trial".into(), trial.into());
    let command: Vec<String> = std::env::args().collect();
    m.insert("command".into(), command.into());
    m
}

/// Prints a scenario's warnings (legal values that are almost surely slips) on stderr.
fn warn(source: &load::Source, model: &orgsim::model::Model) {
    for w in &model.warnings {
        eprintln!("orgsim: warning: {}", w.report_line(&source.name));
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
