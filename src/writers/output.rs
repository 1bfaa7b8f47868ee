//! Writing a run's files: `summary.json`, `trials.csv`, `series.csv`, `manifest.json`,
//! and, when asked, `charts/` and `report.html`.
//!
//! Everything goes through an [`OutputFolder`]: written into a staging folder, moved into
//! place only when complete, replacing only files an earlier orgsim command wrote.

use crate::error::{Error, Result};
use crate::numbers::{float, push_float, round9};
use crate::run::chunks::{RunConfig, Shard};
use crate::scenario::format::Objective;
use crate::scenario::model::Model;
use crate::stats::metrics::{
    series_names, Aggregate, Stat, TrialResult, GLOBAL_METRICS, ROLE_METRICS,
};
use crate::writers::folder::{io, write_file, OutputFolder};
use crate::writers::partial::{
    ComparePartial, RunPartial, ShardIdentity, ShardPartial, SweepPartial, PARTIAL,
};
use serde_json::{json, Map, Value};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What the caller knows about the run that the engine does not.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// Where the scenario came from (`built-in NAME` or a path).
    pub source: String,
    /// The command line, for the manifest and the report.
    pub command: Vec<String>,
    /// Write into a folder that also holds files orgsim did not write (beside them, never over them).
    pub force: bool,
    /// Draw `charts/` and write `report.html`.
    pub charts: bool,
}

/// A finished run, of an organisation (`A` = [`Aggregate`]) or of a network.
pub struct Outcome<A = Aggregate> {
    /// Every trial folded: what summary.json, the charts and the report are made from.
    pub aggregate: A,
    /// Where the files are.
    pub out: PathBuf,
    /// Seconds the trials took.
    pub seconds: f64,
}

/// A run's output folder while its trials are played: staged (nothing appears under `out` until
/// it is published whole), with `trials.csv` open. It is the run's sink: the command drives the
/// run (`crate::run`) and hands each trial's row here, then the aggregate; a writer never runs a
/// trial.
pub struct RunFolder {
    out: PathBuf,
    folder: OutputFolder,
    csv: TrialsCsv,
    started: SystemTime,
    clock: Instant,
}

impl RunFolder {
    /// Stages a folder for `out` (refusing one that holds files orgsim did not write, unless
    /// `force`) and opens its `trials.csv` with the provenance columns, `trial`, then `columns`.
    pub fn stage(
        out: &Path,
        force: bool,
        columns: Vec<String>,
        from: Provenance,
    ) -> Result<RunFolder> {
        let folder = OutputFolder::stage(out, force)?;
        let csv = TrialsCsv::create(folder.dir(), columns, from)?;
        Ok(RunFolder {
            out: out.to_path_buf(),
            folder,
            csv,
            started: SystemTime::now(),
            clock: Instant::now(),
        })
    }

    /// An organisation trial's row: its metrics, then each role's values.
    pub fn trial(&mut self, r: &TrialResult) -> Result<()> {
        let roles = r.roles.iter().flatten();
        self.csv
            .row(r.trial, r.metrics.iter().chain(roles), push_float)
    }

    /// A row of `values`, each cell written by `cell` (a network's leaves undefined cells
    /// empty).
    pub fn row<'v>(
        &mut self,
        trial: u64,
        values: impl IntoIterator<Item = &'v f64>,
        cell: fn(&mut String, f64),
    ) -> Result<()> {
        self.csv.row(trial, values, cell)
    }

    /// Where the run is going (for an error's message: `Error::at`).
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Closes `trials.csv`, writes the files made from the aggregate with `rest` (into the
    /// staging folder), and publishes the folder with `manifest(started, seconds)`. Returns the
    /// seconds the trials took.
    pub(crate) fn publish_with(
        self,
        rest: impl FnOnce(&Path) -> Result<()>,
        manifest: impl FnOnce(SystemTime, f64) -> Map<String, Value>,
    ) -> Result<f64> {
        let RunFolder {
            folder,
            csv,
            started,
            clock,
            ..
        } = self;
        csv.finish()?;
        let seconds = clock.elapsed().as_secs_f64();
        rest(folder.dir())?;
        folder.publish(manifest(started, seconds))?;
        Ok(seconds)
    }

    /// Publishes a whole organisation run: `summary.json`, `series.csv`, when asked the charts
    /// and `report.html`, and the manifest, from the run's aggregate.
    pub fn publish_run(
        self,
        model: &Model,
        cfg: &RunConfig,
        info: &RunInfo,
        aggregate: Aggregate,
    ) -> Result<Outcome> {
        self.publish(model, cfg, info, aggregate, |agg, tmp| {
            write_from_aggregate(model, cfg, info, agg, tmp)
        })
    }

    /// Publishes one shard of a run (`run --shard I/N`): its trials' rows and [`PARTIAL`]
    /// (`identity`, the shard, its aggregate, the playbooks it ran with). `identity` says which
    /// run the shard belongs to; `orgsim merge` requires every shard's to be equal.
    pub fn publish_shard(
        self,
        model: &Model,
        cfg: &RunConfig,
        info: &RunInfo,
        job: &ShardJob,
        aggregate: Aggregate,
    ) -> Result<Outcome> {
        self.publish(model, cfg, info, aggregate, |agg, tmp| {
            write_run_partial(job, info, agg, tmp)
        })
    }

    /// Publishes an organisation run's folder: `rest` writes the files made from the aggregate,
    /// then the manifest.
    fn publish(
        self,
        model: &Model,
        cfg: &RunConfig,
        info: &RunInfo,
        aggregate: Aggregate,
        rest: impl FnOnce(&Aggregate, &Path) -> Result<()>,
    ) -> Result<Outcome> {
        let out = self.out.clone();
        let seconds = self.publish_with(
            |tmp| rest(&aggregate, tmp),
            |started, seconds| manifest(model, cfg, info, started, seconds),
        )?;
        Ok(Outcome {
            aggregate,
            out,
            seconds,
        })
    }
}

/// The files made from a run's aggregate, whether it ran in one process or was merged from
/// shards: `summary.json`, `series.csv`, and when asked the charts and `report.html`.
fn write_from_aggregate(
    model: &Model,
    cfg: &RunConfig,
    info: &RunInfo,
    agg: &Aggregate,
    dir: &Path,
) -> Result<()> {
    write_file(
        &dir.join("summary.json"),
        summary_json(model, cfg, agg).as_bytes(),
    )?;
    write_series(model, agg, &dir.join("series.csv"))?;
    if info.charts {
        let charts = crate::writers::charts::write_charts(model, agg, dir)?;
        crate::writers::report::write_report(model, agg, &charts, cfg.seed, &info.command, dir)?;
    }
    Ok(())
}

/// Where a run's rows came from: the columns every row of `trials.csv` opens with, so that rows
/// stacked from many runs keep their origin. `run_id` names the run (the same for the same
/// scenario text, overrides, seed, trial count and orgsim version, so that shards and threads
/// write the same bytes) and is also in `summary.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// `run-` and 16 hex digits of the SHA-256 of what makes the run.
    pub run_id: String,
    /// The scenario's name.
    pub scenario: String,
    /// SHA-256 of the scenario's text as read.
    pub scenario_sha256: String,
    /// The run's seed.
    pub seed: u64,
}

/// The provenance columns, in the order `trials.csv` opens with them (`trial` follows).
pub const PROVENANCE_COLUMNS: [&str; 4] = ["run_id", "scenario", "scenario_sha256", "seed"];

impl Provenance {
    /// The provenance of a run of `scenario` (its text's SHA-256 `sha256`) with `overrides`,
    /// `seed` and `trials`.
    pub fn new(scenario: &str, sha256: &str, overrides: &[&str], seed: u64, trials: u64) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Each part on its own line: no two different runs give the same text.
        h.update(format!("orgsim {}\n{sha256}\n", env!("CARGO_PKG_VERSION")));
        for o in overrides {
            h.update(format!("--set {o}\n"));
        }
        h.update(format!("seed {seed}\ntrials {trials}\n"));
        let hex: String = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Provenance {
            run_id: format!("run-{hex}"),
            scenario: scenario.to_string(),
            scenario_sha256: sha256.to_string(),
            seed,
        }
    }

    /// An organisation run's.
    pub fn of(model: &Model, cfg: &RunConfig) -> Self {
        let sets: Vec<&str> = model.overrides.iter().map(|o| o.arg.as_str()).collect();
        Provenance::new(
            &model.scenario.name,
            &model.source_sha256,
            &sets,
            cfg.seed,
            cfg.trials,
        )
    }
}

/// A `trials.csv` being written: a buffered CSV writer that names its file in every error.
pub(crate) struct TrialsCsv {
    path: PathBuf,
    w: csv::Writer<std::io::BufWriter<fs::File>>,
    /// One cell's text, reused for every cell of every row.
    cell: String,
    /// The provenance cells every row opens with.
    from: [String; 4],
}

impl TrialsCsv {
    /// Creates `dir/trials.csv` and writes its header: the provenance columns, `trial`, then
    /// `columns`.
    pub(crate) fn create(dir: &Path, columns: Vec<String>, from: Provenance) -> Result<TrialsCsv> {
        let path = dir.join("trials.csv");
        let file = fs::File::create(&path).map_err(io(&path))?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let mut header: Vec<String> = PROVENANCE_COLUMNS.iter().map(|c| c.to_string()).collect();
        header.push("trial".to_string());
        header.extend(columns);
        w.write_record(&header).map_err(csv_error(&path))?;
        let seed = from.seed.to_string();
        Ok(TrialsCsv {
            path,
            w,
            cell: String::with_capacity(32),
            from: [from.run_id, from.scenario, from.scenario_sha256, seed],
        })
    }

    /// Writes one row: the trial's index, then each value as `format` writes it, a cell at a
    /// time through one reused buffer (no allocation a row).
    pub(crate) fn row<'v>(
        &mut self,
        trial: u64,
        values: impl IntoIterator<Item = &'v f64>,
        format: fn(&mut String, f64),
    ) -> Result<()> {
        use std::fmt::Write as _;
        let path = &self.path;
        for f in &self.from {
            self.w.write_field(f.as_bytes()).map_err(csv_error(path))?;
        }
        self.cell.clear();
        let _ = write!(self.cell, "{trial}");
        self.w
            .write_field(self.cell.as_bytes())
            .map_err(csv_error(path))?;
        for v in values {
            self.cell.clear();
            format(&mut self.cell, *v);
            self.w
                .write_field(self.cell.as_bytes())
                .map_err(csv_error(path))?;
        }
        self.w.write_record(None::<&[u8]>).map_err(csv_error(path))
    }

    /// Flushes every row to the file.
    pub(crate) fn finish(self) -> Result<()> {
        let path = self.path;
        // The last rows could not be flushed: the file's own failure.
        let mut inner = self.w.into_inner().map_err(|e| io(&path)(e.into_error()))?;
        inner.flush().map_err(io(&path))
    }
}

/// A CSV writer's failure on `path`: [`Error::Io`] when the file failed underneath, else
/// [`Error::Csv`].
pub(crate) fn csv_error(path: &Path) -> impl Fn(csv::Error) -> Error + Copy + '_ {
    move |e| {
        if !e.is_io_error() {
            return Error::Csv {
                path: path.to_path_buf(),
                message: e.to_string(),
            };
        }
        match e.into_kind() {
            csv::ErrorKind::Io(source) => io(path)(source),
            _ => unreachable!("is_io_error: an I/O error"),
        }
    }
}

/// The map inside a `json!` object literal (a manifest, a summary).
pub(crate) fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

/// A number for a JSON file: whole numbers as they are, others to nine decimals.
pub(crate) fn rounded(v: f64) -> Value {
    let r = if v == v.trunc() { v } else { round9(v) };
    json!(r)
}

/// `{mean, sd, ci95, p10, p50, p90}` of a statistic.
pub fn stat_json(s: &Stat) -> Value {
    let ci = s.ci95();
    json!({
        "mean": rounded(s.moments.mean()),
        "sd": rounded(s.moments.sd()),
        "ci95": [rounded(ci[0]), rounded(ci[1])],
        "p10": rounded(s.sketch.quantile(0.1)),
        "p50": rounded(s.sketch.quantile(0.5)),
        "p90": rounded(s.sketch.quantile(0.9)),
    })
}

/// The plan's values of the global metrics, and every target as resolved.
fn plan_json(model: &Model) -> Value {
    let Some(plan) = &model.plan else {
        return Value::Null;
    };
    let metrics: Map<String, Value> = GLOBAL_METRICS
        .iter()
        .zip(&plan.metrics)
        .filter(|(_, v)| v.is_finite())
        .map(|(n, v)| (n.to_string(), rounded(*v)))
        .collect();
    let targets: Vec<Value> = model
        .targets
        .iter()
        .map(|t| {
            json!({
                "metric": GLOBAL_METRICS[t.metric],
                "at_least": t.at_least.map(rounded),
                "at_most": t.at_most.map(rounded),
            })
        })
        .collect();
    let scorecards: Map<String, Value> = model
        .roles
        .iter()
        .map(|r| {
            let comps: Vec<Value> = r
                .card
                .components
                .iter()
                .map(|c| {
                    json!({
                        "metric": crate::scenario::model::metric_name(c.metric),
                        "target": rounded(c.target),
                        "plan_multiple": c.plan.map(rounded),
                    })
                })
                .collect();
            (r.name.clone(), Value::Array(comps))
        })
        .collect();
    json!({ "metrics": metrics, "strategy_targets": targets, "scorecard_targets": scorecards })
}

/// Role `r`'s best deviation from its playbook (the certificate), or null where the run was not
/// certified or the role has no lever.
fn best_deviation_json(model: &Model, r: usize) -> Value {
    let Some(cert) = &model.playbook.certificate else {
        return Value::Null;
    };
    let Some(d) = &cert.roles[r].best else {
        return Value::Null;
    };
    let (lever, rule) = crate::writers::report::deviation_words(model, d);
    let [lo, hi] = d.ci95();
    json!({
        "lever": lever,
        "rule": rule,
        "gain": rounded(d.gain),
        "se": rounded(d.se),
        "ci95": [rounded(lo), rounded(hi)],
        "payout_gain": rounded(d.payout_gain),
        "trials": d.trials,
        "searched": cert.roles[r].searched,
        "beats_playbook": d.beats_playbook(),
    })
}

/// The contents of `summary.json`.
pub fn summary_json(model: &Model, cfg: &RunConfig, agg: &Aggregate) -> String {
    let mut metrics = Map::new();
    for (name, s) in GLOBAL_METRICS.iter().zip(&agg.metrics) {
        metrics.insert(name.to_string(), stat_json(s));
    }
    let mut roles = Map::new();
    for (r, role) in model.roles.iter().enumerate() {
        let mut reading = Map::new();
        for (k, o) in Objective::ALL.iter().enumerate() {
            reading.insert(o.name().into(), stat_json(&agg.interpretations[r][k]));
        }
        let fit = &model.playbook.fits[r];
        let rules: Map<String, Value> = role
            .levers
            .iter()
            .map(|&j| {
                let l = &model.levers[j];
                let rule = l.describe(&model.playbook.rules[j]);
                (l.name.clone(), Value::String(rule))
            })
            .collect();
        let best_constant = fit.best_constant.as_ref().map(|(combo, payout)| {
            let options: Map<String, Value> = role
                .levers
                .iter()
                .zip(combo)
                .map(|(&j, &o)| {
                    (
                        model.levers[j].name.clone(),
                        rounded(model.levers[j].options[o]),
                    )
                })
                .collect();
            json!({ "options": options, "expected_payout": rounded(*payout) })
        });
        roles.insert(
            role.name.clone(),
            json!({
                "attainment": stat_json(&agg.roles[r][0]),
                "payout": stat_json(&agg.roles[r][1]),
                "claims_success_rate": rounded(agg.roles[r][2].moments.mean()),
                "projection_bias": stat_json(&agg.roles[r][3]),
                "playbook": {
                    "rules": rules,
                    "expected_payout": rounded(fit.payout),
                    "best_constant": best_constant,
                },
                "best_deviation": best_deviation_json(model, r),
                "interpretation": reading,
            }),
        );
    }
    let truth: Map<String, Value> = Objective::ALL
        .iter()
        .zip(model.weights)
        .map(|(o, w)| (o.name().to_string(), rounded(w)))
        .collect();
    let doc = json!({
        "run_id": Provenance::of(model, cfg).run_id,
        "scenario": model.scenario.name,
        "name": model.name,
        "scenario_sha256": model.source_sha256,
        "overrides": model.overrides.iter().map(|o| o.arg.as_str()).collect::<Vec<_>>(),
        "seed": cfg.seed,
        "trials": agg.trials,
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "strategy_weights": truth,
        "coordinated_divergence_rate": rounded(agg.metrics[crate::stats::metrics::metric("coordinated_divergence")].moments.mean()),
        "plan": plan_json(model),
        "playbook_converged": model.playbook.converged,
        "certificate_holds": model.playbook.certificate.as_ref().map(|c| c.holds()),
        "metrics": metrics,
        "roles": roles,
        "role_metrics": ROLE_METRICS,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("summary serializes");
    s.push('\n');
    s
}

/// Writes an organisation run's `series.csv` (`write_series_csv`).
pub fn write_series(model: &Model, agg: &Aggregate, path: &Path) -> Result<()> {
    let names = series_names(model);
    write_series_csv(path, &names, model.horizon, |s, t| agg.series_at(s, t))
}

/// Writes `series.csv`: `tick,series,mean,p10,p50,p90`, series by series, ticks from 0: the one
/// writer of an organisation's and a network's weekly series. Series names come from the
/// scenario (lever and stock point names), so fields are quoted where they need it.
pub(crate) fn write_series_csv<'a>(
    path: &Path,
    names: &[String],
    weeks: usize,
    series_at: impl Fn(usize, usize) -> &'a Stat,
) -> Result<()> {
    let csv_err = csv_error(path);
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(["tick", "series", "mean", "p10", "p50", "p90"])
        .map_err(csv_err)?;
    for (s, name) in names.iter().enumerate() {
        for t in 0..weeks {
            let st = series_at(s, t);
            let q = |p| float(st.sketch.quantile(p));
            w.write_record([
                t.to_string(),
                name.clone(),
                float(st.moments.mean()),
                q(0.1),
                q(0.5),
                q(0.9),
            ])
            .map_err(csv_err)?;
        }
    }
    w.flush().map_err(io(path))
}

/// The manifest's fields; [`OutputFolder::publish`] adds the list of files.
fn manifest(
    model: &Model,
    cfg: &RunConfig,
    info: &RunInfo,
    started: SystemTime,
    seconds: f64,
) -> Map<String, Value> {
    let scenario = ManifestScenario {
        name: &model.scenario.name,
        run_name: &model.name,
        sha256: &model.source_sha256,
        resolved: json!(model.scenario),
    };
    run_manifest(scenario, cfg, info, started, seconds)
}

/// What a manifest says about the scenario a run played.
pub(crate) struct ManifestScenario<'a> {
    /// The scenario's own name.
    pub name: &'a str,
    /// The run's name (the scenario's, with any overrides).
    pub run_name: &'a str,
    /// SHA-256 of the scenario text as read.
    pub sha256: &'a str,
    /// The scenario as played, overrides applied.
    pub resolved: Value,
}

/// A run's `manifest.json`: what ran, how, where and how fast.
pub(crate) fn run_manifest(
    scenario: ManifestScenario,
    cfg: &RunConfig,
    info: &RunInfo,
    started: SystemTime,
    seconds: f64,
) -> Map<String, Value> {
    let (host, since) = where_and_when(started);
    let doc = json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": scenario.name,
        "name": scenario.run_name,
        "scenario_source": info.source,
        "scenario_sha256": scenario.sha256,
        "seed": cfg.seed,
        "trials": cfg.trials,
        "threads": rayon_threads(cfg.threads),
        "command": info.command,
        "started_unix_s": since,
        "duration_s": seconds,
        "trials_per_second": if seconds > 0.0 { cfg.trials as f64 / seconds } else { 0.0 },
        "host": host,
        "scenario_resolved": scenario.resolved,
    });
    object(doc)
}

/// The machine's name and the run's start, in seconds since 1970, for a manifest.
pub(crate) fn where_and_when(started: SystemTime) -> (String, u64) {
    let host = fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let since = started
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (host, since)
}

/// The threads a run uses: `n`, or every core for 0.
pub(crate) fn rayon_threads(n: usize) -> usize {
    if n == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        n
    }
}

/// Writes a comparison: `compare.csv` (tidy: one row per arm and metric), `compare.json` (the
/// arms, what each changed, and every row with the half-width an unpaired comparison would have
/// had), the manifest, and when asked the charts (`compare_differences`, the forest plot, and
/// `headline_armK`, each arm's headline chart on shared scales) and `report.html`, through an
/// [`OutputFolder`] like a run's files.
pub fn write_compare(
    arms: &[crate::experiment::compare::Arm],
    found: &crate::experiment::compare::Comparison,
    cfg: &RunConfig,
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let rows = &found.rows;
    let folder = OutputFolder::stage(out, info.force)?;
    let dir = folder.dir().to_path_buf();
    if info.charts {
        let labels: Vec<String> = arms.iter().map(|a| a.label.clone()).collect();
        let forest = (arms.len() > 1)
            .then(|| crate::writers::charts::compare::write_forest(rows, &labels, &dir))
            .transpose()?;
        let headlines = arms
            .iter()
            .zip(&found.aggregates)
            .enumerate()
            .map(|(k, (a, agg))| {
                crate::writers::charts::write_headline(
                    &a.model,
                    agg,
                    &dir,
                    &format!("headline_arm{}", k + 1),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        crate::writers::report::compare::write_compare_report(
            arms,
            rows,
            forest,
            &headlines,
            cfg.seed,
            &info.command,
            &dir,
        )?;
    }
    let arms_json: Vec<Value> = arms
        .iter()
        .map(|a| {
            json!({
                "label": a.label,
                "scenario": a.model.scenario.name,
                "name": a.model.name,
                "scenario_sha256": a.model.source_sha256,
                "overrides": a.model.overrides.iter().map(|o| o.arg.as_str()).collect::<Vec<_>>(),
                "playbook_converged": a.model.playbook.converged,
            })
        })
        .collect();
    write_compare_files(&dir, rows, arms_json, cfg)?;
    let manifest = json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "seed": cfg.seed,
        "trials": cfg.trials,
        "threads": rayon_threads(cfg.threads),
        "arms": arms.iter().map(|a| a.label.as_str()).collect::<Vec<_>>(),
    });
    folder.publish(object(manifest))
}

/// `compare.csv` (tidy: one row per arm and metric) and `compare.json` (the arms as `arms`
/// describes them, and every row) into `dir`.
pub(crate) fn write_compare_files(
    dir: &Path,
    rows: &[crate::experiment::compare::Row],
    arms: Vec<Value>,
    cfg: &RunConfig,
) -> Result<()> {
    let path = dir.join("compare.csv");
    let csv_err = csv_error(&path);
    let mut w = csv::Writer::from_path(&path).map_err(csv_err)?;
    w.write_record([
        "arm", "metric", "mean", "ci95_lo", "ci95_hi", "diff", "diff_lo", "diff_hi", "trials",
    ])
    .map_err(csv_err)?;
    for r in rows {
        w.write_record([
            r.arm.clone(),
            r.metric.clone(),
            float(r.mean),
            float(r.ci95[0]),
            float(r.ci95[1]),
            float(r.diff),
            float(r.diff_ci95[0]),
            float(r.diff_ci95[1]),
            r.trials.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(io(&path))?;
    let rows_json: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "arm": r.arm,
                "metric": r.metric,
                "mean": rounded(r.mean),
                "ci95": [rounded(r.ci95[0]), rounded(r.ci95[1])],
                "diff": rounded(r.diff),
                "diff_ci95": [rounded(r.diff_ci95[0]), rounded(r.diff_ci95[1])],
                "unpaired_half_width": rounded(r.unpaired_half_width),
                "trials": r.trials,
            })
        })
        .collect();
    let doc = json!({
        "seed": cfg.seed,
        "trials": cfg.trials,
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "paired_on": "common random numbers: trial i of every arm uses seed (seed, i)",
        "arms": arms,
        "rows": rows_json,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("compare serializes");
    text.push('\n');
    write_file(&dir.join("compare.json"), text.as_bytes())
}

/// A varied value as a data file prints it: numbers as floats (so a column reads as floats in
/// every sweep), a JSON string without its quotes, anything else as its JSON text.
fn varied_cell(text: &str, numeric: bool) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Number(n)) if numeric => float(n.as_f64().unwrap_or(f64::NAN)),
        Ok(Value::String(s)) => s,
        _ => text.to_string(),
    }
}

/// Writes a sweep: `sweep.csv` (tidy and long: the varied values, then metric, mean, sd, ci95_lo,
/// ci95_hi, p10, p50, p90, trials), `sweep.json`, the manifest and, when asked and one or two
/// numeric values vary, `charts/sweep_lines` or `charts/sweep_heatmap`.
pub fn write_sweep(
    scenario: &str,
    varies: &[crate::experiment::sweep::Vary],
    points: &[crate::experiment::sweep::Point],
    cfg: &RunConfig,
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let folder = OutputFolder::stage(out, info.force)?;
    let dir = folder.dir().to_path_buf();
    let points_json = write_sweep_csv(&dir.join("sweep.csv"), varies, points)?;
    if info.charts {
        crate::writers::charts::sweep::write(scenario, varies, points, &dir)?;
    }
    let doc = json!({
        "scenario": scenario,
        "seed": cfg.seed,
        "trials": cfg.trials,
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "paired_on": "common random numbers: trial i of every point uses seed (seed, i)",
        "vary": varies.iter().map(|v| json!({"path": v.path, "values": v.values})).collect::<Vec<_>>(),
        "points": points_json,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("sweep serializes");
    text.push('\n');
    write_file(&dir.join("sweep.json"), text.as_bytes())?;
    let manifest = json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_source": info.source,
        "command": info.command,
        "seed": cfg.seed,
        "trials": cfg.trials,
        "threads": rayon_threads(cfg.threads),
        "points": points.len(),
    });
    folder.publish(object(manifest))
}

/// Writes `sweep.csv` (a row per point and metric) and gives each point as `sweep.json` holds it.
fn write_sweep_csv(
    path: &Path,
    varies: &[crate::experiment::sweep::Vary],
    points: &[crate::experiment::sweep::Point],
) -> Result<Vec<Value>> {
    let csv_err = csv_error(path);
    let numeric: Vec<bool> = varies
        .iter()
        .map(|v| {
            v.values
                .iter()
                .all(|x| matches!(serde_json::from_str::<Value>(x), Ok(Value::Number(_))))
        })
        .collect();
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    let mut header: Vec<String> = varies.iter().map(|v| v.path.clone()).collect();
    header.extend(
        [
            "metric", "mean", "sd", "ci95_lo", "ci95_hi", "p10", "p50", "p90", "trials",
        ]
        .map(String::from),
    );
    w.write_record(&header).map_err(csv_err)?;
    let mut points_json = Vec::new();
    for p in points {
        let cells: Vec<String> = p
            .values
            .iter()
            .zip(&numeric)
            .map(|(x, &n)| varied_cell(x, n))
            .collect();
        let mut metrics = Map::new();
        for (name, st) in &p.metrics {
            let ci = st.ci95();
            let q = |x| float(st.sketch.quantile(x));
            let mut row = cells.clone();
            row.extend([
                name.clone(),
                float(st.moments.mean()),
                float(st.moments.sd()),
                float(ci[0]),
                float(ci[1]),
                q(0.1),
                q(0.5),
                q(0.9),
                p.trials.to_string(),
            ]);
            w.write_record(&row).map_err(csv_err)?;
            metrics.insert(name.clone(), stat_json(st));
        }
        let values: Map<String, Value> = varies
            .iter()
            .zip(&p.values)
            .map(|(v, x)| {
                let value = serde_json::from_str(x).unwrap_or_else(|_| Value::String(x.clone()));
                (v.path.clone(), value)
            })
            .collect();
        points_json.push(json!({
            "values": values,
            "playbook_converged": p.converged,
            "metrics": metrics,
        }));
    }
    w.flush().map_err(io(path))?;
    Ok(points_json)
}

/// One shard of a command, and the identity of the command it belongs to.
pub struct ShardJob {
    /// Which part of the trials (of a sweep: of the grid's points).
    pub shard: Shard,
    /// Everything that decides the command's numbers: `orgsim merge` requires every shard's to
    /// be equal.
    pub identity: ShardIdentity,
    /// The playbooks the shard ran with, keyed by the model each was fitted to
    /// ([`crate::writers::fit_cache::Keyed`]): written into the partial, so that `orgsim merge`
    /// reuses them instead of fitting again.
    pub playbooks: Vec<crate::writers::fit_cache::Keyed>,
}

/// A shard's [`PARTIAL`] ([`RunPartial`]): its identity, its number, its trials' count and
/// aggregate, and the playbooks it ran with.
fn write_run_partial(job: &ShardJob, info: &RunInfo, agg: &Aggregate, dir: &Path) -> Result<()> {
    let doc = ShardPartial::Run(RunPartial {
        identity: job.identity.clone(),
        shard: job.shard.index + 1,
        trials_in_shard: agg.trials,
        command: info.command.clone(),
        playbooks: job.playbooks.clone(),
        aggregate: agg.clone(),
    });
    write_partial(&doc, dir)
}

/// Writes a merged run: exactly the files the unsharded run writes (but its manifest), from the
/// merged aggregate and the shards' `trials.csv` rows in shard order.
pub fn write_merged(
    model: &Model,
    cfg: &RunConfig,
    agg: &Aggregate,
    shard_dirs: &[PathBuf],
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let folder = OutputFolder::stage(out, info.force)?;
    let tmp = folder.dir().to_path_buf();
    let started = SystemTime::now();
    let path = tmp.join("trials.csv");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).map_err(io(&path))?);
    for (k, dir) in shard_dirs.iter().enumerate() {
        let part = dir.join("trials.csv");
        let text = fs::read_to_string(&part).map_err(io(&part))?;
        // Every shard's file starts with the same header; the first one's is kept.
        let body = if k == 0 {
            text.as_str()
        } else {
            text.split_once('\n').map_or("", |(_, rest)| rest)
        };
        file.write_all(body.as_bytes()).map_err(io(&path))?;
    }
    file.flush().map_err(io(&path))?;
    drop(file);
    write_from_aggregate(model, cfg, info, agg, &tmp)?;
    folder.publish(manifest(model, cfg, info, started, 0.0))
}

/// Writes part of a sweep (`sweep --shard I/N`): [`PARTIAL`] ([`SweepPartial`]: `identity`, the
/// shard, and its points), for `orgsim merge`.
pub fn write_sweep_partial(
    job: &ShardJob,
    first_point: usize,
    points: &[crate::experiment::sweep::Point],
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let folder = OutputFolder::stage(out, info.force)?;
    let doc = ShardPartial::Sweep(SweepPartial {
        identity: job.identity.clone(),
        shard: job.shard.index + 1,
        first_point,
        command: info.command.clone(),
        points: points.to_vec(),
    });
    write_partial(&doc, folder.dir())?;
    let manifest = json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "shard": job.shard.index + 1,
        "shards": job.shard.count,
        "points": points.len(),
    });
    folder.publish(object(manifest))
}

/// Writes part of a comparison (`compare --shard I/N`): [`PARTIAL`] ([`ComparePartial`]:
/// `identity`, the shard, and its exact sums), for `orgsim merge`.
pub fn write_compare_partial(
    job: &ShardJob,
    sums: &crate::experiment::compare::Sums,
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let folder = OutputFolder::stage(out, info.force)?;
    let doc = ShardPartial::Compare(ComparePartial {
        identity: job.identity.clone(),
        shard: job.shard.index + 1,
        command: info.command.clone(),
        playbooks: job.playbooks.clone(),
        sums: sums.clone(),
    });
    write_partial(&doc, folder.dir())?;
    folder.publish(object(json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "shard": job.shard.index + 1,
        "shards": job.shard.count,
    })))
}

/// Writes `doc` as `dir/`[`PARTIAL`], on one line.
fn write_partial(doc: &ShardPartial, dir: &Path) -> Result<()> {
    let text = serde_json::to_string(doc).expect("a partial serializes");
    write_file(&dir.join(PARTIAL), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV writer's failure is an I/O error when the file failed underneath (its message
    /// unchanged), and a CSV error, naming the file, when the rows did not fit.
    #[test]
    fn a_csv_failure_is_io_when_the_file_failed_and_csv_otherwise() {
        let path = Path::new("out/trials.csv");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["a", "b"]).unwrap();
        let e = w.write_record(["a"]).unwrap_err();
        let said = e.to_string();
        match csv_error(path)(e) {
            e @ Error::Csv { .. } => {
                assert_eq!(e.to_string(), format!("out/trials.csv: {said}"));
                assert_eq!(e.exit_code(), 1);
            }
            e => panic!("not a CSV error: {e:?}"),
        }
        let e = csv::Error::from(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "no space left",
        ));
        match csv_error(path)(e) {
            Error::Io { path: p, source } => {
                assert_eq!(p, path);
                assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
                assert_eq!(source.to_string(), "no space left");
            }
            e => panic!("not an I/O error: {e:?}"),
        }
    }
}
