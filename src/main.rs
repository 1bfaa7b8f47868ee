//! The `orgsim` command line: a thin layer over the library.

mod commands;

use clap::{Parser, Subcommand};
use commands::{say, warn, STOPPED_BY};
use orgsim::scenario::load;
use orgsim::Error;
use std::sync::atomic::Ordering;

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
    Run(commands::run::Args),
    /// Combine the partial results of `run`, `sweep` or `compare` with `--shard I/N` into exactly
    /// the files the unsharded command writes.
    Merge(commands::merge::Args),
    /// Replay one trial and say why each role chose as it did: trace.csv and an account in words.
    Trace(commands::trace::Args),
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
    /// Print the JSON Schema of the scenario format (scenarios/scenario.schema.json).
    Schema {
        /// The network scenarios' format instead (scenarios/network.schema.json).
        #[arg(long)]
        network: bool,
    },
    /// Sweep a grid of scenario values (the product of every --vary), each point a run on the
    /// same trial seeds: sweep.csv (tidy, long) and sweep.json.
    Sweep(commands::sweep::Args),
    /// What if? Run several arms on the same trial seeds (common random numbers) and compare each
    /// metric with the first arm, trial by trial: compare.csv and compare.json.
    Compare(commands::compare::Args),
    /// Serve a workshop: a room plays the roles in their browsers, robots fill the empty seats,
    /// and the debrief shows the room against thousands of simulated plays.
    Serve(commands::serve::Args),
    /// Show a scenario as it will run (defaults filled in, --set applied), or with --paths every
    /// value --set can change: PATH=VALUE, its range and its meaning.
    Show(commands::show::Args),
    /// List every per-trial metric a run writes (the columns of trials.csv), with its unit and
    /// meaning.
    Metrics {
        /// A network scenario's metrics (the Beer Game's) instead.
        #[arg(long)]
        network: bool,
    },
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

fn execute(cli: Cli) -> orgsim::Result<()> {
    match cli.command {
        Command::Metrics { network } => say(&metrics_table(network)),
        Command::Show(args) => commands::show::execute(args),
        Command::List => {
            // Grouped by story, in the order a workshop tells them.
            let mut s = String::new();
            for story in load::STORIES {
                let mut group = load::all_builtins()
                    .filter(|b| b.story == *story)
                    .peekable();
                if group.peek().is_some() {
                    s.push_str(&format!("{story}\n"));
                }
                for b in group {
                    let summary = load::builtin_summary(b);
                    s.push_str(&format!("  {:<28} {summary}\n", b.name));
                }
            }
            say(&s)?;
            Ok(())
        }
        Command::Trace(args) => commands::trace::execute(args),
        Command::Compare(args) => commands::compare::execute(args),
        Command::Merge(args) => commands::merge::execute(args),
        Command::Sweep(args) => commands::sweep::execute(args),
        Command::Serve(args) => commands::serve::execute(args),
        Command::Schema { network } => {
            let schema = if network {
                load::network_schema_json()
            } else {
                load::schema_json()
            };
            say(&(schema + "\n"))?;
            Ok(())
        }
        Command::Validate { file, sets } => {
            let source = load::resolve(&file)?;
            if load::is_network(&source) {
                let model = load::load_network(&source, &sets)?;
                let n = &model.scenario.network;
                say(&format!(
                    "{}: valid (a network: {} stock points, {} weeks)\n",
                    source.name,
                    n.stock_points.len(),
                    n.weeks
                ))?;
                return Ok(());
            }
            let loaded = orgsim::run::prepare::load(&source, &sets)?;
            warn(&source, loaded.model());
            // Plan-relative targets are checked too: the plan is one deterministic trial.
            let planned = loaded.plan()?;
            let model = planned.model();
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
        Command::Run(args) => commands::run::execute(args),
    }
}

/// `orgsim metrics`: every per-trial metric with its unit and meaning, as aligned text.
fn metrics_table(network: bool) -> String {
    use orgsim::scenario::meanings::{GLOBAL, NETWORK, ROLE};
    let mut rows: Vec<(String, &str, &str)> = Vec::new();
    if network {
        rows.extend(NETWORK.iter().map(|(m, u, w)| (m.to_string(), *u, *w)));
    } else {
        rows.extend(GLOBAL.iter().map(|(m, u, w)| (m.to_string(), *u, *w)));
        rows.extend(ROLE.iter().map(|(m, u, w)| (format!("<role>_{m}"), *u, *w)));
    }
    let (w1, w2) = rows.iter().fold((6, 4), |(a, b), r| {
        (a.max(r.0.chars().count()), b.max(r.1.chars().count()))
    });
    let mut s = format!("{:<w1$}  {:<w2$}  meaning\n", "metric", "unit");
    for (m, u, w) in rows {
        s.push_str(&format!("{m:<w1$}  {u:<w2$}  {w}\n"));
    }
    s.push_str(if network {
        "\nEach row of a network run's trials.csv holds these, <point> being each stock point's name.\n"
    } else {
        "\nEach row of trials.csv holds these, <role> being each role's name; summary.json gives each one's mean, interval and quantiles.\n"
    });
    s
}
