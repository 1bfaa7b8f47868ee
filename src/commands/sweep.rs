//! `orgsim sweep`: a grid of scenario values (the product of every `--vary`), each point a run on
//! the same trial seeds.

use super::*;

/// Sweep a grid of scenario values (the product of every --vary), each point a run on the
/// same trial seeds: sweep.csv (tidy, long) and sweep.json.
#[derive(clap::Args)]
pub struct Args {
    /// A scenario file, or the name of a built-in scenario.
    #[arg(default_value = DEFAULT_SCENARIO)]
    pub scenario: String,
    /// A path and its values: a list (strategy.ambiguity=0,0.25,0.5), a range FROM:TO:N
    /// (strategy.ambiguity=0:1:11, ends included) or a JSON array. Repeat for a grid.
    #[arg(
        long = "vary",
        value_name = "PATH=SPEC",
        required_unless_present = "design"
    )]
    pub varies: Vec<String>,
    /// Instead of --vary, a design matrix: a CSV file whose header names scenario paths and whose
    /// rows are the points (values as --set reads them), run in the file's row order on the same
    /// trials: SALib's Morris or Sobol samples, a Latin hypercube, any list of points.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "varies")]
    pub design: Option<PathBuf>,
    /// An override applied at every point, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub run: TrialArgs,
    /// Output folder (default: output/sweep-<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only part I of N of the grid's points (1 <= I <= N) and write a partial result for
    /// `orgsim merge` (default folder output/sweep-<name>-shard-I-of-N).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub refit: RefitArg,
}

/// Runs the command.
///
/// Long because it is the command's steps in the order a user meets them (check every point, refuse the folder, prepare and run each point, write, report), each a call or
/// a few lines, after twenty lines that unpack the arguments.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let Args {
        scenario,
        varies,
        design,
        sets,
        out,
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
    let vary_args = varies.clone();
    let (varies, grid) = match &design {
        Some(path) => {
            if shard.is_some() {
                return Err(Error::Usage(
                    "--design cannot be sharded yet: run the design whole, or split its rows into several files".into(),
                ));
            }
            let text = std::fs::read_to_string(path).map_err(|source| Error::MissingInput {
                path: path.clone(),
                source,
            })?;
            orgsim::experiment::sweep::parse_design(&text)
                .map_err(|m| Error::Usage(format!("--design {}: {m}", path.display())))?
        }
        None => parse_grid(&varies)?,
    };
    let source = load::resolve(&scenario)?;
    // A value the grid wrote is named by where it came from.
    let origin = |path: &str| match &design {
        Some(file) => format!("--design {} (column {path})", file.display()),
        None => format!("--vary {path}"),
    };
    let name = check_points(&source, &sets, &varies, &grid, &origin)?;
    let folder_name = match shard {
        Some(s) => format!("sweep-{name}-shard-{}-of-{}", s.index + 1, s.count),
        None => format!("sweep-{name}"),
    };
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(folder_name));
    let job = shard.map(|s| {
        let of = orgsim::writers::partial::ShardOf::Sweep {
            name: name.clone(),
            vary: vary_args.clone(),
        };
        let identity = shard_identity(&source, &sets, seed, trials, s, of);
        output::ShardJob {
            shard: s,
            identity,
            playbooks: Vec::new(),
        }
    });
    if let Some(job) = &job {
        if already_complete(&out, &job.identity, job.shard, quiet)? {
            return Ok(());
        }
    }
    let range = match shard {
        Some(s) => orgsim::experiment::sweep::shard_points(grid.len(), s),
        None => 0..grid.len(),
    };
    orgsim::writers::folder::check(&out, force, &["sweep.csv", "sweep.json"])?;
    let how = Fitting {
        threads,
        refit: refit.refit,
        quiet,
        certify: false,
        out: &out,
        total: grid.len() as u64 * trials,
        known: &[],
    };
    let points = run_points(&source, &sets, &varies, &grid, range.clone(), &cfg, &how)?;
    let info = RunInfo {
        source: source.name.clone(),
        command: std::env::args().collect(),
        force,
        // A design's points are no grid to draw lines or a heatmap over.
        charts: !no_charts && design.is_none(),
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
    let inert = match design {
        Some(_) => Vec::new(),
        None => orgsim::experiment::sweep::inert_axes(&varies, &points),
    };
    for path in inert {
        eprintln!(
            "orgsim: warning: --vary {path} changes nothing: at every setting of the other axes, each of its values gives every metric the same summary (is the setting used by this scenario?)"
        );
    }
    if !quiet {
        say(&format!("sweep in {}\n", out.join("sweep.csv").display()))?;
    }
    Ok(())
}

/// The `--vary` arguments parsed, and their grid (the product of every axis).
fn parse_grid(
    varies: &[String],
) -> orgsim::Result<(Vec<orgsim::experiment::sweep::Vary>, Vec<Vec<String>>)> {
    let parsed: Vec<orgsim::experiment::sweep::Vary> = varies
        .iter()
        .map(|a| {
            orgsim::experiment::sweep::parse_vary(a)
                .map_err(|m| orgsim::experiment::sweep::vary_error(a, m))
        })
        .collect::<Result<_, _>>()?;
    let grid = orgsim::experiment::sweep::grid(&parsed)
        .map_err(|m| Error::Usage(format!("--vary: {m}")))?;
    Ok((parsed, grid))
}

/// Every point loaded before the first fit, so a bad value fails at once; gives the scenario's
/// name.
fn check_points(
    source: &load::Source,
    sets: &[String],
    varies: &[orgsim::experiment::sweep::Vary],
    grid: &[Vec<String>],
    origin: &dyn Fn(&str) -> String,
) -> orgsim::Result<String> {
    let mut name = String::new();
    for point in grid {
        let own = orgsim::experiment::sweep::point_sets(varies, point);
        let all: Vec<String> = sets.iter().cloned().chain(own.iter().cloned()).collect();
        let model = load::load(source, &all).map_err(|mut e| {
            for (v, set) in varies.iter().zip(&own) {
                e = e.through(std::slice::from_ref(set), &origin(&v.path));
            }
            e
        })?;
        name = model.scenario.name.clone();
    }
    Ok(name)
}

/// Prepares and runs the points of `range` in grid order, each on the same trials; an interrupt
/// counts the trials of the points before it.
fn run_points(
    source: &load::Source,
    sets: &[String],
    varies: &[orgsim::experiment::sweep::Vary],
    grid: &[Vec<String>],
    range: std::ops::Range<usize>,
    cfg: &RunConfig,
    how: &Fitting,
) -> orgsim::Result<Vec<orgsim::experiment::sweep::Point>> {
    let trials = cfg.trials;
    let interrupted = |done| Error::Interrupted {
        done,
        total: trials * grid.len() as u64,
        out: how.out.to_path_buf(),
    };
    let cancel = interrupt_flag();
    let mut points = Vec::new();
    for (i, point) in grid.iter().enumerate().filter(|(i, _)| range.contains(i)) {
        let point_sets = orgsim::experiment::sweep::point_sets(varies, point);
        if !how.quiet {
            eprintln!(
                "point {} of {}: {}",
                i + 1,
                grid.len(),
                point_sets.join(" ")
            );
        }
        let all: Vec<String> = sets.iter().cloned().chain(point_sets).collect();
        let (model, _) = prepare(source, &all, None, how).map_err(|e| match e {
            Error::Interrupted { .. } => interrupted(i as u64 * trials),
            e => e,
        })?;
        let p = orgsim::experiment::sweep::run_point(&model, point.clone(), cfg, cancel).map_err(
            |e| match e {
                Error::Interrupted { done, .. } => interrupted(i as u64 * trials + done),
                e => e,
            },
        )?;
        points.push(p);
    }
    Ok(points)
}
