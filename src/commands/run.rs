//! `orgsim run`: run many seeded trials of a scenario and write summary, per-trial and per-week results.

use super::*;
use orgsim::numbers::three_decimals_or_scientific;
use orgsim::run::chunks::Shard;
use orgsim::run::prepare::Prepared;
use orgsim::stats::metrics::{trial_columns, Aggregate};
use orgsim::writers::fit_cache::Keyed;
use orgsim::writers::output::RunFolder;
use std::path::Path;

/// Run many seeded trials of a scenario and write summary, per-trial and per-week results.
#[derive(clap::Args)]
pub struct Args {
    /// A scenario file, or the name of a built-in scenario (see `orgsim list`).
    #[arg(default_value = DEFAULT_SCENARIO)]
    pub scenario: String,
    #[command(flatten)]
    pub run: TrialArgs,
    /// Output folder (default: output/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario value by its JSON path, e.g. strategy.ambiguity=0.2, roles.sales.behaviour.temperature=0 or roles[0].levers[1].options=[0,1]; PATH[+]=VALUE appends to a list.
    ///
    /// PATH is written as messages print it (roles[0].levers[1].options), with dotted indices
    /// (roles.0.levers.1.options), or with names of roles, levers and stock points
    /// (roles.sales.levers.promo_depth.options). PATH[+]=VALUE appends VALUE to the list at PATH,
    /// e.g. 'roles.sales.scorecard.components[+]={"metric":"fill_rate","target":0.95,"weight":0.2}'.
    /// VALUE is JSON; text that is not JSON is a string. Repeat --set for several overrides.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Name the run: in chart titles, the report and summary.json, and the default folder
    /// (output/<NAME>). Without it a run is named for its scenario, with any --set overrides in
    /// brackets, and writes to output/<scenario name>.
    #[arg(long)]
    pub name: Option<String>,
    /// Skip the best-response certificate (each role's best deviation from its playbook, searched
    /// out of sample after the fit; about half a minute for the default scenario on 2 cores).
    /// summary.json then gives roles.*.best_deviation as null.
    #[arg(long, env = "ORGSIM_NO_CERTIFICATE")]
    pub no_certificate: bool,
    /// Run only part I of N of the trials (1 <= I <= N) and write a partial result for
    /// `orgsim merge` (default folder output/<name>-shard-I-of-N). A shard already complete in
    /// its folder is skipped, so a re-submitted array resumes.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub refit: RefitArg,
}

/// Runs the command.
///
/// Long because it is the command's steps in the order a user meets them (check the input, name and refuse the folder, plan and estimate, fit, play the trials, report), each a call or
/// a few lines, after twenty lines that unpack the arguments.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let Args {
        scenario,
        out,
        sets,
        name,
        no_certificate,
        shard,
        refit,
        run,
        write: WriteArgs {
            force,
            quiet,
            no_charts,
        },
    } = args;
    let cfg = run.config()?;
    let RunConfig {
        seed,
        trials,
        threads,
    } = cfg.clone();
    let shard = shard.as_deref().map(parse_shard).transpose()?;
    let source = load::resolve(&scenario)?;
    if load::is_network(&source) {
        if shard.is_some() {
            return Err(Error::Usage(format!(
                "--shard: {} is a network scenario, and network runs are not yet split into shards; run it whole",
                source.name
            )));
        }
        return super::network::execute(super::network::NetworkRun {
            source,
            sets,
            trials,
            seed,
            threads,
            out,
            name,
            force,
            quiet,
            no_charts,
        });
    }
    let mut loaded = orgsim::run::prepare::load(&source, &sets)?;
    warn(&source, loaded.model());
    let folder_name = run_name(&mut loaded, name)?;
    let folder_name = match shard {
        Some(s) => format!("{folder_name}-shard-{}-of-{}", s.index + 1, s.count),
        None => folder_name,
    };
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(folder_name));
    let identity = shard.map(|s| {
        let of = orgsim::writers::partial::ShardOf::Run {
            name: loaded.model().name.clone(),
            // A shard does not certify: the merge does, once, when the run asked for it.
            certificate: !no_certificate,
        };
        shard_identity(&source, &sets, seed, trials, s, of)
    });
    if let (Some(s), Some(id)) = (shard, &identity) {
        if already_complete(&out, id, s, quiet)? {
            return Ok(());
        }
    }
    // A folder the run would refuse is refused now, not after the fit.
    orgsim::writers::folder::check(
        &out,
        force,
        &["summary.json", "trials.csv", "series.csv", "report.html"],
    )?;
    if !quiet {
        eprintln!(
            "{}: playing the plan and fitting each role's playbook ...",
            source.name
        );
    }
    let planned = plan_and_estimate(loaded, trials, threads, quiet)?;
    let cancel = interrupt_flag();
    // A shard does not certify: the merge does, once, when the run asked for it.
    let (model, fitted) = fit_playbook(
        planned,
        &Fitting {
            threads,
            refit: refit.refit,
            quiet,
            certify: !no_certificate && shard.is_none(),
            out: &out,
            total: trials,
            known: &[],
        },
    )?;
    if !model.playbook.converged {
        eprintln!(
                "orgsim: warning: the roles' best responses did not settle; the last playbook stands, and a role may lose to a constant policy of its own (see summary.json, roles.*.playbook)"
            );
    }
    let info = RunInfo {
        source: source.name.clone(),
        command: std::env::args().collect(),
        force,
        charts: !no_charts,
    };
    if let (Some(s), Some(id)) = (shard, identity) {
        let job = output::ShardJob {
            shard: s,
            identity: id,
            playbooks: Keyed::of(&model, &model.playbook).into_iter().collect(),
        };
        return play_shard(&model, &cfg, &info, &job, &out, quiet);
    }
    let outcome = with_progress(trials, quiet, |progress| {
        let all = Shard { index: 0, count: 1 };
        let (folder, agg) = play(&model, &cfg, all, &out, force, progress, cancel)?;
        folder.publish_run(&model, &cfg, &info, agg)
    })?;
    if !quiet {
        say(&fitted_line(&fitted))?;
        say(&summary_table(&model, &outcome))?;
        if !no_charts {
            say(&report_line(&outcome.out))?;
        }
    }
    Ok(())
}

/// Plays the plan (resolving plan-relative targets) and, unless quiet, says how long the run
/// will take when that is over a minute.
fn plan_and_estimate(
    loaded: orgsim::run::prepare::Loaded,
    trials: u64,
    threads: usize,
    quiet: bool,
) -> orgsim::Result<orgsim::run::prepare::Planned> {
    let planned = loaded.plan()?;
    if quiet {
        return Ok(planned);
    }
    let model = planned.model();
    // The plan is one trial without its random draws and runs faster than a trial, which made
    // the estimate short by half: time real trials (the playbook not yet fitted plays them as
    // well as any). One cold trial can take ten times its usual time (first-touch memory), so
    // keep the fastest of three, unless one alone took half a second.
    let mut one = f64::INFINITY;
    for k in 0..3 {
        let t = std::time::Instant::now();
        std::hint::black_box(orgsim::sim::trial::run_trial(model, 0, k));
        one = one.min(t.elapsed().as_secs_f64());
        if one > 0.5 {
            break;
        }
    }
    if let Some(note) = estimate(model, one, trials, threads) {
        eprintln!("orgsim: {note}");
    }
    Ok(planned)
}

/// Plays one shard of the run into its folder and says where it went.
fn play_shard(
    model: &Prepared,
    cfg: &RunConfig,
    info: &RunInfo,
    job: &output::ShardJob,
    out: &Path,
    quiet: bool,
) -> orgsim::Result<()> {
    let s = job.shard;
    let part = s.trials(cfg.trials);
    let first = part.start;
    let cancel = interrupt_flag();
    let outcome = with_progress(part.end - part.start, quiet, |progress| {
        let (folder, agg) = play(model, cfg, s, out, info.force, progress, cancel)?;
        folder.publish_shard(model, cfg, info, job, agg)
    })?;
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
    Ok(())
}

/// How the playbooks were come by, and how long that took.
fn fitted_line(fitted: &Fitted) -> String {
    let mut line = match fitted.reused {
        true => "playbooks from the fit cache; ".to_string(),
        false => format!("playbooks fitted in {:.1} s; ", fitted.fit_seconds),
    };
    if let Some(c) = fitted.certify_seconds.filter(|c| *c > 0.0) {
        line.push_str(&format!("certified in {c:.1} s; "));
    }
    line
}

/// A time estimate, when the command will take more than a minute: from the plan, which is
/// one trial, times the trials the fit and the run will play.
pub(crate) fn estimate(
    model: &orgsim::scenario::model::Model,
    one: f64,
    trials: u64,
    threads: usize,
) -> Option<String> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let candidates = orgsim::sim::fit::candidates_hint(model);
    let fit = candidates as u64 * orgsim::sim::fit::FIT_TRIALS;
    let seconds = one * (fit + trials) as f64 / threads as f64;
    (seconds > 60.0).then(|| {
        format!(
            "this will take about {}: one trial takes {}, and fitting the playbooks plays about {fit} trials ({candidates} candidate rules x {}) before the {trials} of the run, on {threads} threads. Fewer stores, weeks or --trials run faster; Ctrl-C stops cleanly.",
            duration(seconds),
            short_time(one),
            orgsim::sim::fit::FIT_TRIALS
        )
    })
}

/// A short time as a person reads it: `0.4 ms`, `12 ms`, `1.3 s`.
fn short_time(seconds: f64) -> String {
    match seconds {
        s if s < 0.01 => format!("{:.2} ms", s * 1e3),
        s if s < 1.0 => format!("{:.0} ms", s * 1e3),
        s => format!("{s:.1} s"),
    }
}

/// `1 h 12 min`, `3 min`, `45 s`.
pub(crate) fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=89 => format!("{s} s"),
        90..=5399 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600 + 30) / 60),
    }
}

pub(crate) fn summary_table(model: &orgsim::scenario::model::Model, o: &output::Outcome) -> String {
    use orgsim::stats::metrics::GLOBAL_METRICS;
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
            three_decimals_or_scientific(st.moments.mean()),
            format!(
                "[{}, {}]",
                three_decimals_or_scientific(ci[0]),
                three_decimals_or_scientific(ci[1])
            ),
            three_decimals_or_scientific(st.sketch.quantile(0.5))
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
            three_decimals_or_scientific(a.moments.mean()),
            100.0 * c.moments.mean()
        ));
    }
    s.push_str(&format!("\nresults in {}\n", o.out.display()));
    s
}

/// Plays the trials of part `shard` of the run into a staged folder for `out`: the command drives
/// the run, and the folder is its sink (each trial's row goes into `trials.csv` as it is folded).
/// The folder is published by the caller, with the aggregate.
fn play(
    model: &Prepared,
    cfg: &RunConfig,
    shard: Shard,
    out: &Path,
    force: bool,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> orgsim::Result<(RunFolder, Aggregate)> {
    let from = orgsim::writers::output::Provenance::of(model, cfg);
    let mut folder = RunFolder::stage(out, force, trial_columns(model), from)?;
    let on_trial = &mut |r: &_| folder.trial(r);
    let agg = orgsim::run::organisation::run_shard(model, cfg, shard, on_trial, progress, cancel)
        .map_err(|e| e.at(out))?;
    Ok((folder, agg))
}
