//! Writing a network run's files: `trials.csv`, `series.csv`, `summary.json`, the manifest,
//! and, when asked, the chart of the wave and `report.html`. The same folder rules as an
//! organisation's run ([`OutputFolder`]): staged, published whole, nothing of the user's
//! touched.
//!
//! The data files keep the organisation run's shapes, so a notebook reads both the same way:
//! `trials.csv` has a `trial` column then one column per metric (an undefined ratio, over a
//! variance of 0, is an empty cell), and `series.csv` is `tick,series,mean,p10,p50,p90`.

use crate::error::Result;
use crate::numbers::push_float;
use crate::numbers::three_figures;
use crate::run::chunks::RunConfig;
use crate::scenario::network::{
    series_names, trial_columns, Demand, NetworkModel, NetworkSpec, POINT_METRICS,
};
use crate::sim::network::bullwhip_closed_form;
use crate::sim::network::{self, NetworkAggregate};
use crate::writers::folder::{write_file, OutputFolder};
use crate::writers::output::{
    object, rayon_threads, rounded, run_manifest, stat_json, write_series_csv, ManifestScenario,
    Outcome, RunFolder, RunInfo,
};
use serde_json::{json, Map, Value};
use std::path::Path;

/// A finished network run.
pub type NetworkOutcome = Outcome<NetworkAggregate>;

/// Publishes a network run from its folder, whose `trials.csv` rows the command handed in
/// ([`RunFolder::row`] with [`cell`]): `summary.json`, `series.csv`, when asked the wave chart and
/// `report.html`, and the manifest.
pub fn publish_network_run(
    folder: RunFolder,
    model: &NetworkModel,
    cfg: &RunConfig,
    info: &RunInfo,
    aggregate: NetworkAggregate,
) -> Result<NetworkOutcome> {
    let out = folder.out().to_path_buf();
    let agg = &aggregate;
    let seconds = folder.publish_with(
        |tmp| {
            write_file(
                &tmp.join("summary.json"),
                summary_json(model, cfg, agg).as_bytes(),
            )?;
            write_series(model, agg, &tmp.join("series.csv"))?;
            if info.charts {
                let svg = crate::writers::charts::network::write_wave(model, agg, tmp)?;
                let html = report(model, agg, &svg, cfg.seed, &info.command);
                write_file(&tmp.join("report.html"), html.as_bytes())?;
            }
            Ok(())
        },
        |started, seconds| {
            let scenario = ManifestScenario {
                name: &model.scenario.name,
                run_name: &model.name,
                sha256: &model.source_sha256,
                resolved: json!(model.scenario),
            };
            run_manifest(scenario, cfg, info, started, seconds)
        },
    )?;
    Ok(Outcome {
        aggregate,
        out,
        seconds,
    })
}

/// A network trial's cell: the value, or nothing where it is undefined (NaN).
pub fn cell(out: &mut String, v: f64) {
    if v.is_finite() {
        push_float(out, v);
    }
}

/// A network run's provenance (the columns its `trials.csv` opens with).
pub fn provenance(model: &NetworkModel, cfg: &RunConfig) -> crate::writers::output::Provenance {
    let sets: Vec<&str> = model.overrides.iter().map(|o| o.arg.as_str()).collect();
    crate::writers::output::Provenance::new(
        &model.scenario.name,
        &model.source_sha256,
        &sets,
        cfg.seed,
        cfg.trials,
    )
}

/// The contents of `summary.json`.
pub fn summary_json(model: &NetworkModel, cfg: &RunConfig, agg: &NetworkAggregate) -> String {
    let spec = &model.scenario.network;
    let mut metrics = Map::new();
    for (name, s) in trial_columns(spec).iter().zip(&agg.metrics) {
        let mut v = stat_json(s);
        if let Value::Object(m) = &mut v {
            // A ratio over a variance of 0 is undefined in that trial, and left out.
            m.insert("trials_defined".into(), json!(s.moments.count()));
        }
        metrics.insert(name.clone(), v);
    }
    let closed: Map<String, Value> = spec
        .stock_points
        .iter()
        .filter_map(|p| bullwhip_closed_form(&p.policy).map(|v| (p.name.clone(), rounded(v))))
        .collect();
    let doc = json!({
        "kind": "network",
        "run_id": provenance(model, cfg).run_id,
        "scenario": model.scenario.name,
        "name": model.name,
        "scenario_sha256": model.source_sha256,
        "overrides": model.overrides.iter().map(|o| o.arg.as_str()).collect::<Vec<_>>(),
        "seed": cfg.seed,
        "trials": agg.trials,
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "stock_points": spec.stock_points.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        "point_metrics": POINT_METRICS,
        "bullwhip_closed_form": closed,
        "metrics": metrics,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("summary serializes");
    s.push('\n');
    s
}

/// Writes a network run's `series.csv`, as an organisation run's ([`write_series_csv`]).
fn write_series(model: &NetworkModel, agg: &NetworkAggregate, path: &Path) -> Result<()> {
    let names = series_names(&model.scenario.network);
    write_series_csv(path, &names, agg.weeks, |s, t| agg.series_at(s, t))
}

/// A metric's mean and 95% interval, in words: `15.7 (15.1 to 16.2)`, or the value alone when
/// every trial gave the same.
fn mean_ci(agg: &NetworkAggregate, spec_cols: &[String], name: &str) -> Option<String> {
    let k = spec_cols.iter().position(|c| c == name)?;
    let s = &agg.metrics[k];
    if s.moments.count() == 0 {
        return None;
    }
    let (m, ci) = (s.moments.mean(), s.ci95());
    if s.moments.sd() == 0.0 {
        Some(three_figures(m))
    } else {
        Some(format!(
            "{} ({} to {})",
            three_figures(m),
            three_figures(ci[0]),
            three_figures(ci[1])
        ))
    }
}

/// The findings, in the story's words: the wave upstream, the factory's peak, the bill, and
/// for an order-up-to point its ratio against the textbook's.
pub fn findings(model: &NetworkModel, agg: &NetworkAggregate) -> Vec<String> {
    let spec = &model.scenario.network;
    let cols = trial_columns(spec);
    let points = &spec.stock_points;
    let (first, last) = (&points[0].name, &points[points.len() - 1].name);
    let mut out = Vec::new();
    let amp = |p: &str| mean_ci(agg, &cols, &format!("amp_{p}"));
    if points.len() > 1 {
        if let (Some(a), Some(b)) = (amp(first), amp(last)) {
            out.push(format!(
                "Orders swell on their way upstream: the {first}'s orders vary {a} times as much as the customers' demand, the {last}'s {b} times (mean and 95% interval over trials)."
            ));
        }
        if let (Some(peak), Some(week)) = (
            mean_ci(agg, &cols, &format!("peak_order_{last}")),
            mean_ci(agg, &cols, &format!("peak_week_{last}")),
        ) {
            let demand_top = match &spec.demand {
                crate::scenario::network::Demand::Normal { mean, .. } => *mean,
                d => (1..=spec.weeks as usize)
                    .map(|w| d.mean(w))
                    .fold(0.0, f64::max),
            };
            out.push(format!(
                "The {last}'s largest order is {peak} a week, in week {week}, where the customers never ask for more than {} on average.",
                three_figures(demand_top)
            ));
        }
    } else if let Some(a) = amp(first) {
        out.push(format!(
            "The {first}'s orders vary {a} times as much as the customers' demand."
        ));
    }
    if let Some(c) = mean_ci(agg, &cols, "total_cost") {
        out.push(format!(
            "The chain's holding and backlog costs come to {c} over {} weeks.",
            spec.weeks
        ));
    }
    out.extend(claims_finding(spec, agg, &cols));
    out.extend(meetings_finding(spec, agg, &cols));
    for p in points {
        let (Some(formula), Some(ratio)) = (
            bullwhip_closed_form(&p.policy),
            mean_ci(agg, &cols, &format!("bullwhip_ratio_{}", p.name)),
        ) else {
            continue;
        };
        out.push(format!(
            "The {}'s bullwhip ratio, measured over weeks p + 2 to {}, is {ratio}; the textbook's closed form for its window and lead time is {}. Over a finite window with its mean removed, the measured ratio sits above the closed form by about (ratio - 1)/(weeks - 1).",
            p.name,
            spec.weeks,
            three_figures(formula)
        ));
    }
    out
}

/// The roles' side: how often each player keeps to its budget, how often the chain does, and
/// whether the chain fails while every player claims success.
fn claims_finding(spec: &NetworkSpec, agg: &NetworkAggregate, cols: &[String]) -> Option<String> {
    let rate = |name: &str| {
        let k = cols.iter().position(|c| c == name)?;
        let s = &agg.metrics[k];
        (s.moments.count() > 0).then(|| s.moments.mean())
    };
    if spec.stock_points.len() < 2 {
        // One player is the chain: there is no one to diverge from.
        return None;
    }
    let pct = |v: f64| format!("{:.0}%", 100.0 * v);
    let claims: Vec<String> = spec
        .stock_points
        .iter()
        .filter_map(|p| {
            rate(&format!("claims_success_{}", p.name))
                .map(|c| format!("the {} {}", p.name, pct(c)))
        })
        .collect();
    let (met, divergence) = (rate("strategy_met")?, rate("coordinated_divergence")?);
    let mut text = format!(
        "Each player is paid on its own costs against a budget set from the plan. It keeps to its budget, and claims success, in this share of trials: {}. The chain keeps to its own budget in {} of trials, and misses it while every player claims success (coordinated divergence) in {}.",
        claims.join(", "),
        pct(met),
        pct(divergence)
    );
    if matches!(spec.demand, Demand::Schedule { .. }) {
        text.push_str(" Demand here is its own expectation, so the game is its own plan and every budget is met exactly.");
    } else if budgets_add_up(spec) {
        text.push_str(" The players' budgets add up to the chain's, so the chain cannot fail while all of them claim success: they succeed and fail together.");
    }
    Some(text)
}

/// The meeting story on the board: how often the players' room was silent, what it stated
/// against how alike they ordered, and what its decisions ruled out.
fn meetings_finding(spec: &NetworkSpec, agg: &NetworkAggregate, cols: &[String]) -> Option<String> {
    let g = spec.meetings.as_ref()?;
    let mean = |name: &str| {
        let k = cols.iter().position(|c| c == name)?;
        let s = &agg.metrics[k];
        (s.moments.count() > 0).then(|| s.moments.mean())
    };
    let held = mean("meetings_held").filter(|h| *h > 0.0)?;
    let pct = |v: f64| format!("{:.0}%", 100.0 * v);
    let (decisions, excluded) = (mean("decisions_made")?, mean("options_excluded")?);
    let mut text = format!(
        "The players meet every {} weeks at psychological safety {}: {} meetings a trial, in {} of which nobody voiced a doubt about the demand the others believe in. The room stated {} agreement while the players' orders agreed {}.",
        g.every_weeks,
        three_figures(g.psychological_safety),
        three_figures(held),
        pct(1.0 - mean("meetings_with_dissent")? / held),
        pct(mean("stated_agreement")?),
        pct(mean("operational_agreement")?),
    );
    if decisions > 0.0 && excluded == 0.0 {
        text += &format!(
            " Its {} decisions a trial ruled nothing out: nothing was decided.",
            three_figures(decisions)
        );
    } else if decisions > 0.0 {
        text += &format!(
            " Its {} decisions a trial made {} players a trial stop ignoring what they had on order: each lost the habit its own heuristic wanted.",
            three_figures(decisions),
            three_figures(excluded)
        );
    } else {
        text += " No meeting decided anything.";
    }
    if let Some(d) = mean("departures").filter(|d| *d > 0.0) {
        text += &format!(
            " Doubt left unsaid ended in {} departures a trial; an empty seat passes on what it is asked for.",
            three_figures(d)
        );
    }
    Some(text)
}

/// Whether every player is charged the costs the chain is judged on and their budgets sum to
/// at most the chain's: then coordinated divergence is impossible by construction.
fn budgets_add_up(spec: &NetworkSpec) -> bool {
    let scoring = network::Scoring::new(spec);
    let own = spec
        .stock_points
        .iter()
        .zip(&scoring.weights)
        .all(|(p, &w)| w == (p.holding_cost, p.backlog_cost));
    own && scoring.budgets.iter().sum::<f64>() <= scoring.total_budget
}

/// `report.html`: the scenario in words, the findings, the chart, the metrics, how to
/// reproduce it. One file, nothing fetched.
fn report(
    model: &NetworkModel,
    agg: &NetworkAggregate,
    svg: &str,
    seed: u64,
    command: &[String],
) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let spec = &model.scenario.network;
    let cols = trial_columns(spec);
    let mut rows = String::new();
    for (name, s) in cols.iter().zip(&agg.metrics) {
        let cell = if s.moments.count() == 0 {
            "undefined".to_string()
        } else {
            let ci = s.ci95();
            format!(
                "{}</td><td>{} to {}</td><td>{}",
                three_figures(s.moments.mean()),
                three_figures(ci[0]),
                three_figures(ci[1]),
                s.moments.count()
            )
        };
        rows.push_str(&format!("<tr><td>{}</td><td>{cell}</td></tr>\n", esc(name)));
    }
    let findings: String = findings(model, agg)
        .iter()
        .map(|f| format!("<li>{}</li>\n", esc(f)))
        .collect();
    let line = crate::writers::report::shell_line(command);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"DejaVu Sans",Verdana,sans-serif;max-width:1300px;margin:2em auto;color:#1e1e1e}}
td,th{{padding:2px 10px;text-align:right}} td:first-child{{text-align:left}} svg{{max-width:100%;height:auto}}
code{{background:#f3f3f3;padding:1px 4px}}</style></head><body>
<h1>{title}</h1>
<p>{desc}</p>
<h2>What happened</h2>
<ul>
{findings}</ul>
<figure>{svg}</figure>
<h2>Every metric, over {trials} trials</h2>
<table><tr><th>metric</th><th>mean</th><th>95% interval</th><th>trials defined</th></tr>
{rows}</table>
<h2>Reproduce</h2>
<p><code>{line}</code> (seed {seed}, orgsim {version}). The same scenario, seed and version give the same files on any number of threads.</p>
</body></html>
"#,
        title = esc(&model.name),
        desc = esc(&model.scenario.description),
        trials = agg.trials,
        line = esc(&line),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// Writes a network comparison (`orgsim compare` on network scenarios): `compare.csv` and
/// `compare.json`, as an organisation's comparison writes them, and the manifest. No charts yet.
pub fn write_network_compare(
    arms: &[crate::experiment::compare::NetworkArm],
    rows: &[crate::experiment::compare::Row],
    cfg: &RunConfig,
    out: &Path,
    info: &RunInfo,
) -> Result<()> {
    let folder = OutputFolder::stage(out, info.force)?;
    let arms_json: Vec<Value> = arms
        .iter()
        .map(|a| {
            json!({
                "label": a.label,
                "scenario": a.model.scenario.name,
                "name": a.model.name,
                "scenario_sha256": a.model.source_sha256,
                "overrides": a.model.overrides.iter().map(|o| o.arg.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    crate::writers::output::write_compare_files(folder.dir(), rows, arms_json, cfg)?;
    if info.charts && arms.len() > 1 {
        let labels: Vec<String> = arms.iter().map(|a| a.label.clone()).collect();
        let points: Vec<&str> = arms[0]
            .model
            .scenario
            .network
            .stock_points
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let metrics = crate::writers::charts::compare::network_forest(&points);
        crate::writers::charts::compare::write_forest_of(rows, &labels, &metrics, folder.dir())?;
    }
    folder.publish(object(json!({
        "orgsim_version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "seed": cfg.seed,
        "trials": cfg.trials,
        "threads": rayon_threads(cfg.threads),
        "arms": arms.iter().map(|a| a.label.as_str()).collect::<Vec<_>>(),
    })))
}
