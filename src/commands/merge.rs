//! `orgsim merge`: the partial results of `run`, `sweep` or `compare` with `--shard I/N`, combined into
//! exactly the files the unsharded command writes.

use super::*;
use orgsim::writers::partial::{ShardIdentity, ShardOf, ShardPartial};

/// Combine the partial results of `run`, `sweep` or `compare` with `--shard I/N` into exactly
/// the files the unsharded command writes.
#[derive(clap::Args)]
pub struct Args {
    /// The shards' folders, all N of them, in any order.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub refit: RefitArg,
}

/// Runs the command.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let Args {
        dirs,
        out,
        refit,
        write: WriteArgs {
            force,
            quiet,
            no_charts,
        },
    } = args;
    let shards = read_shards(&dirs)?;
    // The shards' own playbooks: a merge does not fit again what they were fitted to.
    let known: Vec<_> = shards
        .iter()
        .flat_map(|s| s.partial.playbooks().to_vec())
        .collect();
    let how = |certify: bool| Fitting {
        threads: 0,
        refit: refit.refit,
        quiet,
        certify,
        out: &out,
        total: 0,
        known: &known,
    };
    orgsim::writers::folder::check(&out, force, &[])?;
    let id = shards[0].identity();
    let (name, certify) = match &id.of {
        ShardOf::Run { name, certificate } => (name, *certificate),
        ShardOf::Sweep { name, vary } => {
            return merge_sweep(&shards, name, vary, &out, no_charts, force, quiet)
        }
        ShardOf::Compare { arms } => {
            return merge_compare(&shards, arms, &out, no_charts, force, &how(false))
        }
    };
    let source = load::Source {
        name: id.scenario_source.clone(),
        text: id.scenario_text.clone(),
    };
    if !quiet {
        eprintln!(
            "{}: {} shards; playing the plan and taking each role's playbook from the shards ...",
            source.name,
            shards.len()
        );
    }
    let (model, _) = prepare(&source, &id.sets, Some(name.clone()), &how(certify))?;
    let cfg = config(id);
    let mut agg = orgsim::stats::metrics::Aggregate::new(&model);
    for s in &shards {
        let ShardPartial::Run(part) = &s.partial else {
            return Err(Error::Usage(format!(
                "{}: a partial with no aggregate",
                s.dir.display()
            )));
        };
        agg.merge(&part.aggregate);
    }
    // The unsharded command, for the report: the first shard's, less its --shard.
    let command = shards[0].partial.command().to_vec();
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

/// The seed and trials every shard of a command shares.
fn config(id: &ShardIdentity) -> RunConfig {
    RunConfig {
        seed: id.seed,
        trials: id.trials,
        threads: 0,
    }
}

/// `merge` of a sweep's shards: their points in order, written as the unsharded sweep writes.
/// `name` and `vary` are the sweep's, from its identity.
pub(crate) fn merge_sweep(
    shards: &[ShardPart],
    name: &str,
    vary: &[String],
    out: &std::path::Path,
    no_charts: bool,
    force: bool,
    quiet: bool,
) -> Result<(), Error> {
    let id = shards[0].identity();
    let varies: Vec<orgsim::experiment::sweep::Vary> = vary
        .iter()
        .map(|a| {
            orgsim::experiment::sweep::parse_vary(a)
                .map_err(|m| orgsim::experiment::sweep::vary_error(a, m))
        })
        .collect::<Result<_, _>>()?;
    let expected = orgsim::experiment::sweep::grid(&varies)
        .map_err(|m| Error::Usage(format!("--vary: {m}")))?
        .len();
    let mut points = Vec::new();
    for s in shards {
        if let ShardPartial::Sweep(part) = &s.partial {
            points.extend(part.points.iter().cloned());
        }
    }
    if points.len() != expected {
        return Err(Error::Usage(format!(
            "expected the {expected} points of the sweep, found {} in the shards",
            points.len()
        )));
    }
    let cfg = config(id);
    let info = RunInfo {
        source: id.scenario_source.clone(),
        command: shards[0].partial.command().to_vec(),
        force,
        charts: !no_charts,
    };
    output::write_sweep(name, &varies, &points, &cfg, out, &info)?;
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

/// Reads every shard, checks that they are the N shards of one run, each once, and returns them
/// in shard order.
pub(crate) fn read_shards(dirs: &[PathBuf]) -> Result<Vec<ShardPart>, Error> {
    let mut parts: Vec<ShardPart> = dirs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<_, _>>()?;
    // Compared as the file holds them, key by key, to name the first that differs.
    let as_map = |p: &ShardPart| match serde_json::to_value(p.identity()) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => unreachable!("an identity serializes as a JSON object"),
    };
    let first = &parts[0];
    let first_id = as_map(first);
    for p in &parts[1..] {
        let id = as_map(p);
        for (k, v) in &first_id {
            let other = id.get(k);
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
    let n = first.identity().shards;
    parts.sort_by_key(|p| p.partial.shard());
    for w in parts.windows(2) {
        if w[0].partial.shard() == w[1].partial.shard() {
            return Err(Error::Usage(format!(
                "shard {}/{n} is given twice: {} and {}",
                w[0].partial.shard(),
                w[0].dir.display(),
                w[1].dir.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|i| !parts.iter().any(|p| p.partial.shard() == *i))
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

/// `merge` of a comparison's shards: every arm (`arms`, from the identity) prepared again from
/// the scenario text in the partials, their sums merged, written as the unsharded comparison
/// writes.
fn merge_compare(
    shards: &[ShardPart],
    arms_of: &[orgsim::writers::partial::ArmIdentity],
    out: &std::path::Path,
    no_charts: bool,
    force: bool,
    how: &Fitting,
) -> Result<(), Error> {
    let quiet = how.quiet;
    let id = shards[0].identity();
    let mut arms = Vec::new();
    for a in arms_of {
        let source = load::Source {
            name: a.scenario_source.clone(),
            text: a.scenario_text.clone(),
        };
        let label = a.label.clone();
        if !quiet {
            eprintln!(
                "{label}: playing the plan and taking each role's playbook from the shards ..."
            );
        }
        let (model, _) = prepare(&source, &a.sets, None, how)?;
        arms.push(orgsim::experiment::compare::Arm { label, model });
    }
    if arms.is_empty() {
        return Err(Error::Usage(format!(
            "{}: a comparison's partial with no arms",
            shards[0].dir.display()
        )));
    }
    let mut parts = shards.iter().map(|s| match &s.partial {
        ShardPartial::Compare(part) => Ok(&part.sums),
        _ => Err(Error::Usage(format!(
            "{}: a partial with no sums",
            s.dir.display()
        ))),
    });
    let mut sums = parts
        .next()
        .expect("read_shards returns at least one")?
        .clone();
    for part in parts {
        sums.merge(part?);
    }
    let found = orgsim::experiment::compare::finish(&arms, sums);
    let cfg = config(id);
    let info = RunInfo {
        source: id.scenario_source.clone(),
        command: shards[0].partial.command().to_vec(),
        force,
        charts: !no_charts,
    };
    output::write_compare(&arms, &found, &cfg, out, &info)?;
    if !quiet {
        say(&format!(
            "merged {} shards ({} arms) into {}\n",
            shards.len(),
            arms.len(),
            out.display()
        ))?;
    }
    Ok(())
}
