//! `orgsim trace`: replay one trial and say why each role chose as it did: trace.csv and an account in words.

use super::*;

/// Replay one trial and say why each role chose as it did: trace.csv and an account in words.
#[derive(clap::Args)]
pub struct Args {
    /// A scenario file, or the name of a built-in scenario.
    #[arg(default_value = DEFAULT_SCENARIO)]
    pub scenario: String,
    /// The trial to replay (its index in a run).
    #[arg(long)]
    pub trial: u64,
    /// The run's base seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only this role's decisions.
    #[arg(long)]
    pub role: Option<String>,
    /// Folder for trace.csv (default: output/<scenario name>-trace).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario value by its JSON path, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Name the run: in chart titles, the report and summary.json, and the default folder
    /// (output/<NAME>-trace). Without it a run is named for its scenario, with any --set overrides in
    /// brackets, and writes to output/<scenario name>-trace.
    #[arg(long)]
    pub name: Option<String>,
    /// Write into --out even if it holds files orgsim did not write (beside them, never over them).
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let Args {
        scenario,
        trial,
        seed,
        role,
        out,
        sets,
        name,
        force,
    } = args;
    let source = load::resolve(&scenario)?;
    let mut loaded = orgsim::run::prepare::load(&source, &sets)?;
    warn(&source, loaded.model());
    let folder_name = run_name(&mut loaded, name)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(format!("{folder_name}-trace")));
    // The playbook a run of the same scenario plays: from the fit cache when a run fitted it.
    let how = Fitting {
        threads: 0,
        refit: false,
        quiet: true,
        certify: false,
        out: &out,
        total: 0,
        known: &[],
    };
    let (model, _) = fit_playbook(loaded.plan()?, &how)?;
    let role =
        match role {
            None => None,
            Some(name) => Some(model.roles.iter().position(|r| r.name == name).ok_or_else(
                || {
                    let names: Vec<&str> = model.roles.iter().map(|r| r.name.as_str()).collect();
                    Error::Usage(format!(
                        "--role: expected a role of {} ({}), found '{name}'",
                        source.name,
                        names.join(", ")
                    ))
                },
            )?),
        };
    let traced = orgsim::sim::trial::replay(&model, seed, trial);
    orgsim::run::organisation::finite(&model, &traced.result)?;
    let folder = OutputFolder::stage(&out, force)?;
    let csv = orgsim::writers::trace::csv(&model, &traced, role);
    orgsim::writers::folder::write_file(&folder.dir().join("trace.csv"), csv.as_bytes())?;
    folder.publish(trace_manifest(&model, &source, seed, trial))?;
    let path = out.join("trace.csv");
    say(&orgsim::writers::trace::account(&model, &traced, role))?;
    say(&format!("trace in {}\n", path.display()))?;
    Ok(())
}

/// What `trace` records beside trace.csv: enough to replay it.
pub(crate) fn trace_manifest(
    model: &orgsim::scenario::model::Model,
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
