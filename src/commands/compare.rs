//! `orgsim compare`: what if? Several arms on the same trial seeds (common random numbers), each
//! metric compared with the first arm, trial by trial.

use super::*;

/// What if? Run several arms on the same trial seeds (common random numbers) and compare each
/// metric with the first arm, trial by trial: compare.csv and compare.json.
#[derive(clap::Args)]
pub struct Args {
    /// The first arm (the baseline), then any further arms: scenario files or built-in names.
    #[arg(required = true)]
    pub scenarios: Vec<String>,
    /// A further arm built on the first scenario: 'LABEL: PATH=VALUE; PATH=VALUE', e.g.
    /// 'shared bonus: org.shared_bonus.weight=0.5'. Repeat for several arms.
    #[arg(long = "arm", value_name = "LABEL: PATH=VALUE; ...")]
    pub arms: Vec<String>,
    /// An override applied to every arm (before an --arm's own), as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    #[command(flatten)]
    pub run: TrialArgs,
    /// Output folder (default: output/compare-<first scenario's name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only part I of N of the trials, in every arm (1 <= I <= N), and write a partial result
    /// for `orgsim merge` (default folder output/compare-<name>-shard-I-of-N).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    #[command(flatten)]
    pub refit: RefitArg,
}

/// Runs the command.
///
/// Long because it is the command's steps in the order a user meets them (check every arm, refuse the folder, prepare the arms, play them on the same trials, write, report), each a call or
/// a few lines, after twenty lines that unpack the arguments.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let Args {
        scenarios,
        arms,
        sets: common,
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
    let info = RunInfo {
        source: scenarios.join(" "),
        command: std::env::args().collect(),
        force,
        charts: !no_charts,
    };
    let first = load::resolve(&scenarios[0])?;
    if load::is_network(&first) {
        if shard.is_some() {
            return Err(Error::Usage(format!(
                "--shard: {} is a network scenario, and network comparisons are not yet split into shards; run it whole",
                first.name
            )));
        }
        return compare_networks(&scenarios, &arms, &common, &cfg, out, &info, quiet);
    }
    let specs = arm_specs(&scenarios, &arms, &common)?;
    let folder_name = match shard {
        Some(s) => format!(
            "compare-{}-shard-{}-of-{}",
            specs[0].0,
            s.index + 1,
            s.count
        ),
        None => format!("compare-{}", specs[0].0),
    };
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(folder_name));
    let mut job = shard.map(|s| {
        let arms = specs
            .iter()
            .map(
                |(label, source, sets)| orgsim::writers::partial::ArmIdentity {
                    label: label.clone(),
                    scenario_source: source.name.clone(),
                    scenario_text: source.text.clone(),
                    sets: sets.clone(),
                },
            )
            .collect();
        let of = orgsim::writers::partial::ShardOf::Compare { arms };
        let identity = shard_identity(&specs[0].1, &common, seed, trials, s, of);
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
    orgsim::writers::folder::check(&out, force, &["compare.csv", "compare.json"])?;
    let cancel = interrupt_flag();
    let how = Fitting {
        threads,
        refit: refit.refit,
        quiet,
        certify: false,
        out: &out,
        total: trials,
        known: &[],
    };
    let prepared = prepare_arms(specs, &how, job.as_mut(), quiet)?;
    if let Some(job) = &job {
        let sums = orgsim::experiment::compare::compare_shard(&prepared, &cfg, job.shard, cancel)
            .map_err(|e| e.at(&out))?;
        output::write_compare_partial(job, &sums, &out, &info)?;
        if !quiet {
            let part = job.shard.trials(trials);
            say(&format!(
                "shard {}/{}: {} trials in every arm in {}; combine all {} with orgsim merge\n",
                job.shard.index + 1,
                job.shard.count,
                part.end - part.start,
                out.display(),
                job.shard.count
            ))?;
        }
        return Ok(());
    }
    let found =
        orgsim::experiment::compare::compare(&prepared, &cfg, cancel).map_err(|e| e.at(&out))?;
    output::write_compare(&prepared, &found, &cfg, &out, &info)?;
    for label in orgsim::experiment::compare::inert_arms(&found.rows) {
        eprintln!(
            "orgsim: warning: arm '{label}' changes no trial: every metric of every trial equals the first arm's (is the setting used by this scenario?)"
        );
    }
    if !quiet {
        say(&compare_table(&found.rows))?;
        let file = if no_charts {
            "compare.csv"
        } else {
            "report.html"
        };
        say(&format!("comparison in {}\n", out.join(file).display()))?;
    }
    Ok(())
}

/// An arm before it is prepared: its label, its scenario and its `--set` overrides.
type ArmSpec = (String, load::Source, Vec<String>);

/// Every arm's scenario and overrides, checked before any fit: the scenarios given (each
/// labelled by its name), then each `--arm` built on the first; two arms may not share a label.
fn arm_specs(
    scenarios: &[String],
    arms: &[String],
    common: &[String],
) -> orgsim::Result<Vec<ArmSpec>> {
    let mut specs: Vec<ArmSpec> = Vec::new();
    for spec in scenarios {
        let source = load::resolve(spec)?;
        let model = load::load(&source, common)?;
        warn(&source, &model);
        specs.push((model.scenario.name.clone(), source, common.to_vec()));
    }
    for spec in arms {
        let (label, own) = parse_arm(spec)?;
        let source = specs[0].1.clone();
        let sets: Vec<String> = common.iter().chain(&own).cloned().collect();
        let model =
            load::load(&source, &sets).map_err(|e| e.through(&own, &format!("--arm '{label}'")))?;
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
    Ok(specs)
}

/// Every arm prepared (its plan played, its playbook fitted or remembered); a shard's job keeps
/// the playbooks, so that `orgsim merge` need not fit them again.
fn prepare_arms(
    specs: Vec<ArmSpec>,
    how: &Fitting,
    mut job: Option<&mut output::ShardJob>,
    quiet: bool,
) -> orgsim::Result<Vec<orgsim::experiment::compare::Arm>> {
    let mut prepared = Vec::new();
    for (label, source, sets) in specs {
        if !quiet {
            eprintln!("{label}: playing the plan and fitting each role's playbook ...");
        }
        let (model, _) = prepare(&source, &sets, None, how)?;
        if let Some(job) = job.as_deref_mut() {
            let keyed = orgsim::writers::fit_cache::Keyed::of(&model, &model.playbook);
            job.playbooks.extend(keyed);
        }
        prepared.push(orgsim::experiment::compare::Arm { label, model });
    }
    Ok(prepared)
}

/// `orgsim compare` on network scenarios: every scenario must be one, each `--arm` changes the
/// first; the arms run on common random numbers and `compare.csv` and `compare.json` are written.
fn compare_networks(
    scenarios: &[String],
    arm_specs: &[String],
    common: &[String],
    cfg: &RunConfig,
    out: Option<PathBuf>,
    info: &RunInfo,
    quiet: bool,
) -> orgsim::Result<()> {
    use orgsim::experiment::compare::NetworkArm;
    let mut arms: Vec<NetworkArm> = Vec::new();
    for spec in scenarios {
        let source = load::resolve(spec)?;
        if !load::is_network(&source) {
            return Err(Error::Usage(format!(
                "{} is not a network scenario, and {} is: a comparison's arms must all be one kind",
                source.name, scenarios[0]
            )));
        }
        let model = load::load_network(&source, common)?;
        arms.push(NetworkArm {
            label: model.scenario.name.clone(),
            model,
        });
    }
    for spec in arm_specs {
        let (label, own) = parse_arm(spec)?;
        let source = load::resolve(&scenarios[0])?;
        let sets: Vec<String> = common.iter().chain(&own).cloned().collect();
        let model = load::load_network(&source, &sets)
            .map_err(|e| e.through(&own, &format!("--arm '{label}'")))?;
        arms.push(NetworkArm { label, model });
    }
    for (i, a) in arms.iter().enumerate() {
        if arms[..i].iter().any(|b| b.label == a.label) {
            return Err(Error::Usage(format!(
                "two arms are labelled '{}': give each --arm its own label (a scenario given twice needs an --arm instead)",
                a.label
            )));
        }
    }
    let out = out.unwrap_or_else(|| {
        PathBuf::from("output").join(format!("compare-{}", arms[0].model.scenario.name))
    });
    orgsim::writers::folder::check(&out, info.force, &["compare.csv", "compare.json"])?;
    let cancel = interrupt_flag();
    let rows = orgsim::experiment::compare::compare_networks(&arms, cfg, cancel)
        .map_err(|e| e.at(&out))?;
    orgsim::writers::network::write_network_compare(&arms, &rows, cfg, &out, info)?;
    if !quiet {
        // The bill and the wave at the top of the chain.
        let top = arms[0]
            .model
            .scenario
            .network
            .stock_points
            .last()
            .map(|p| p.name.clone());
        let keep =
            |m: &str| m == "total_cost" || top.as_ref().is_some_and(|t| m == format!("amp_{t}"));
        let headline: Vec<_> = rows.iter().filter(|r| keep(&r.metric)).cloned().collect();
        say(&table(&headline))?;
        say(&format!(
            "comparison in {}\n",
            out.join("compare.csv").display()
        ))?;
    }
    Ok(())
}

/// Parses `--arm 'LABEL: PATH=VALUE; PATH=VALUE'` into its label and its overrides. The label
/// ends at the first `: ` (a colon and a space) before the first `=`, so a colon inside a value
/// (`{"plan":0.95}`) is the value's; the overrides are split at `;` outside a value's brackets and
/// strings.
pub(crate) fn parse_arm(spec: &str) -> Result<(String, Vec<String>), Error> {
    const EXAMPLE: &str =
        r#"--arm 'sales at 95% of plan: roles.sales.scorecard.components.0.target={"plan":0.95}'"#;
    let bad = |what: &str| {
        Error::Usage(format!(
            "--arm '{spec}': expected 'LABEL: PATH=VALUE; PATH=VALUE', found {what}; for example {EXAMPLE}"
        ))
    };
    let head = &spec[..spec.find('=').unwrap_or(spec.len())];
    let Some(at) = head.find(": ") else {
        return Err(bad(
            "no label (a label and ': ' come before the first PATH=VALUE)",
        ));
    };
    let label = spec[..at].trim();
    if label.is_empty() {
        return Err(bad("an empty label"));
    }
    let sets = split_outside_json(&spec[at + 2..], ';');
    if sets.is_empty() {
        return Err(bad("no PATH=VALUE after the label"));
    }
    if let Some(s) = sets.iter().find(|s| !s.contains('=')) {
        return Err(bad(&format!("'{s}', which is not PATH=VALUE")));
    }
    Ok((label.to_string(), sets))
}

/// `text` split at `sep` where it stands outside brackets, braces and double-quoted strings, each
/// part trimmed, empty parts dropped.
fn split_outside_json(text: &str, sep: char) -> Vec<String> {
    let (mut parts, mut part) = (Vec::new(), String::new());
    let (mut depth, mut in_string, mut escaped) = (0i32, false, false);
    for c in text.chars() {
        if in_string {
            in_string = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else {
            match c {
                '"' => in_string = true,
                '[' | '{' => depth += 1,
                ']' | '}' => depth -= 1,
                _ if c == sep && depth <= 0 => {
                    parts.push(std::mem::take(&mut part));
                    continue;
                }
                _ => {}
            }
        }
        part.push(c);
    }
    parts.push(part);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The headline rows of a comparison, as a table: each arm's mean and its paired difference.
pub(crate) fn compare_table(rows: &[orgsim::experiment::compare::Row]) -> String {
    const HEADLINE: [&str; 6] = [
        "profit",
        "on_shelf_availability",
        "stockout_store_weeks",
        "write_off_units",
        "coordinated_divergence",
        "divergence_gap",
    ];
    let headline: Vec<_> = rows
        .iter()
        .filter(|r| HEADLINE.contains(&r.metric.as_str()))
        .cloned()
        .collect();
    table(&headline)
}

/// Rows as a table: each arm's mean and its paired difference with its interval.
fn table(rows: &[orgsim::experiment::compare::Row]) -> String {
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
    for r in rows {
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

#[cfg(test)]
mod tests {
    use super::parse_arm;

    #[test]
    fn an_arm_label_ends_at_the_first_colon_and_space_before_any_value() {
        let (label, sets) = parse_arm(r#"at plan: roles.sales.scorecard.components.0.target={"plan":0.95}; org.shared_bonus={"weight":0.5,"on":"a; b"}"#).unwrap();
        assert_eq!(label, "at plan");
        assert_eq!(
            sets,
            [
                r#"roles.sales.scorecard.components.0.target={"plan":0.95}"#,
                r#"org.shared_bonus={"weight":0.5,"on":"a; b"}"#
            ]
        );
        // No label: the colon inside the JSON is the value's, and the message names --arm.
        let e = parse_arm(r#"roles.sales.scorecard.components.0.target={"plan":0.95}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--arm 'roles.sales"), "{e}");
        assert!(
            e.contains("found no label") && e.contains("for example --arm 'sales at 95% of plan: "),
            "{e}"
        );
        assert!(!e.contains("--set"), "{e}");
        let e = parse_arm("x: a=1; b").unwrap_err().to_string();
        assert!(e.contains("found 'b', which is not PATH=VALUE"), "{e}");
    }
}
