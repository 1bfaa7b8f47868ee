//! `orgsim merge`: the partial results of `run`, `sweep` or `compare` with `--shard I/N`, combined into
//! exactly the files the unsharded command writes.

use super::*;

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
    let known: Vec<_> = shards.iter().flat_map(|s| s.playbooks.clone()).collect();
    let how = |certify: bool| Fitting {
        threads: 0,
        refit: refit.refit,
        quiet,
        certify,
        out: &out,
        total: 0,
        known: &known,
    };
    orgsim::writers::folder::check(&out, force)?;
    let id = &shards[0].identity;
    match id.get("kind").and_then(|k| k.as_str()) {
        Some("sweep") => return merge_sweep(&shards, &out, no_charts, force, quiet),
        Some("compare") => return merge_compare(&shards, &out, no_charts, force, &how(false)),
        _ => {}
    }
    let text_of = |k: &str| id.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let (source, sets) = source_and_sets(&serde_json::Value::Object(id.clone()));
    if !quiet {
        eprintln!(
            "{}: {} shards; playing the plan and taking each role's playbook from the shards ...",
            source.name,
            shards.len()
        );
    }
    let certify = id.get("certificate").and_then(|v| v.as_bool()) == Some(true);
    let (model, _) = prepare(&source, &sets, Some(text_of("name")), &how(certify))?;
    let number = |k: &str| id.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let cfg = RunConfig {
        seed: number("seed"),
        trials: number("trials"),
        threads: 0,
    };
    let mut agg = orgsim::stats::metrics::Aggregate::new(&model);
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

/// `merge` of a sweep's shards: their points in order, written as the unsharded sweep writes.
pub(crate) fn merge_sweep(
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
    let varies: Vec<orgsim::experiment::sweep::Vary> = strings("vary")
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

/// Reads every shard, checks that they are the N shards of one run, each once, and returns them
/// in shard order.
pub(crate) fn read_shards(dirs: &[PathBuf]) -> Result<Vec<ShardPart>, Error> {
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

/// `merge` of a comparison's shards: every arm prepared again from the scenario text in the
/// partials, their sums merged, written as the unsharded comparison writes.
fn merge_compare(
    shards: &[ShardPart],
    out: &std::path::Path,
    no_charts: bool,
    force: bool,
    how: &Fitting,
) -> Result<(), Error> {
    let quiet = how.quiet;
    let id = &shards[0].identity;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
    };
    let mut arms = Vec::new();
    for a in id
        .get("arms")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let (source, sets) = source_and_sets(a);
        let label = text(a, "label");
        if !quiet {
            eprintln!(
                "{label}: playing the plan and taking each role's playbook from the shards ..."
            );
        }
        let (model, _) = prepare(&source, &sets, None, how)?;
        arms.push(orgsim::experiment::compare::Arm { label, model });
    }
    if arms.is_empty() {
        return Err(Error::Usage(format!(
            "{}: a comparison's partial with no arms",
            shards[0].dir.display()
        )));
    }
    let mut parts = shards.iter().map(|s| {
        s.sums
            .as_ref()
            .ok_or_else(|| Error::Usage(format!("{}: a partial with no sums", s.dir.display())))
    });
    let mut sums = parts
        .next()
        .expect("read_shards returns at least one")?
        .clone();
    for part in parts {
        sums.merge(part?);
    }
    let found = orgsim::experiment::compare::finish(&arms, sums);
    let number = |k: &str| id.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    let cfg = RunConfig {
        seed: number("seed"),
        trials: number("trials"),
        threads: 0,
    };
    let info = RunInfo {
        source: text(&serde_json::Value::Object(id.clone()), "scenario_source"),
        command: shards[0].command.clone(),
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

/// A partial's scenario (its source's name and text) and its overrides, from `v`: the identity
/// of a run's shard, or one arm of a comparison's.
fn source_and_sets(v: &serde_json::Value) -> (load::Source, Vec<String>) {
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let source = load::Source {
        name: text("scenario_source"),
        text: text("scenario_text"),
    };
    let sets = v
        .get("sets")
        .and_then(|x| x.as_array())
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    (source, sets)
}
