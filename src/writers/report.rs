//! `report.html`: one self-contained page per run (inline SVG charts and CSS, no
//! scripts, nothing fetched), rendered from `templates/report.html` with minijinja.
//!
//! The page speaks in plain words and gives each identifier beside them ("on-shelf
//! availability (on_shelf_availability)"), so a reader can find the column in the CSV files.
//! It holds only what the inputs determine (no time, host or duration), so two identical
//! runs give byte-identical reports whatever the thread count.

use crate::error::{Error, Result};
use crate::scenario::format::{Objective, Role, RoleMetric, TargetValue};
use crate::scenario::model::{metric_name, Model, RoleSpec, TargetSpec};
use crate::scenario::playbook::Deviation;
use crate::stats::metrics::{metric, series_names, Aggregate, Stat, GLOBAL_METRICS};
use crate::stats::period;
use crate::writers::charts::{claims_while_missed, grouped, Chart};
use serde::Serialize;
use std::path::Path;

pub mod compare;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Writes `dir/report.html`.
pub fn write_report(
    model: &Model,
    agg: &Aggregate,
    charts: &[Chart],
    seed: u64,
    command: &[String],
    dir: &Path,
) -> Result<()> {
    let path = dir.join("report.html");
    let html = render(model, agg, charts, seed, command).map_err(|e| Error::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    crate::writers::folder::write_file(&path, html.as_bytes())
}

/// The report's HTML text.
pub fn render(
    model: &Model,
    agg: &Aggregate,
    charts: &[Chart],
    seed: u64,
    command: &[String],
) -> std::result::Result<String, minijinja::Error> {
    let page = Page {
        scenario: scenario_view(model),
        roles: role_views(model, agg),
        sample: agg.sample.len(),
        trials: agg.trials,
        findings: findings(model, agg),
        charts: charts.iter().map(ChartView::from).collect(),
        metrics: metric_rows(model, agg),
        role_rows: role_rows(model, agg),
        objectives: Objective::ALL.iter().map(|o| named(o.name())).collect(),
        reproduce: Reproduce {
            command: shell_line(command),
            seed,
            trials: agg.trials,
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    let mut env = minijinja::Environment::new();
    // The name ends in .html, so minijinja escapes every value unless marked `safe`.
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(&page)
}

#[derive(Serialize)]
struct Page {
    scenario: ScenarioView,
    roles: Vec<RoleView>,
    sample: usize,
    trials: u64,
    findings: Vec<String>,
    charts: Vec<ChartView>,
    metrics: Vec<MetricRow>,
    role_rows: Vec<RoleRow>,
    objectives: Vec<String>,
    reproduce: Reproduce,
}

#[derive(Serialize)]
struct ScenarioView {
    name: String,
    /// The story it tells, as `orgsim list` groups the built-ins.
    story: &'static str,
    /// The scenario's own name, when the run's differs (overrides or `--name`).
    base: Option<String>,
    /// The `--set` overrides, as typed.
    overrides: Vec<String>,
    description: String,
    statement: String,
    objectives: Vec<String>,
    priority: String,
    ambiguity: f64,
    targets: Vec<String>,
    claimants: String,
    exclusions: Vec<String>,
    world: String,
    org: String,
    plan: String,
}

#[derive(Serialize)]
struct RoleView {
    name: String,
    description: String,
    scorecard: Vec<String>,
    payout: String,
    levers: Vec<String>,
    plays: Vec<String>,
    fit: String,
}

#[derive(Serialize)]
struct ChartView {
    name: String,
    title: String,
    caption: String,
    svg: String,
}

impl From<&Chart> for ChartView {
    fn from(c: &Chart) -> Self {
        // Drop the XML prolog, if any: inline SVG in HTML starts at <svg.
        let start = c.svg.find("<svg").unwrap_or(0);
        ChartView {
            name: c.name.clone(),
            title: c.title.clone(),
            caption: c.caption.clone(),
            svg: c.svg[start..].to_string(),
        }
    }
}

/// An identifier with its plain words, for the table of metrics.
#[derive(Serialize)]
struct Named {
    words: String,
    id: &'static str,
}

impl Named {
    fn of(id: &'static str) -> Self {
        Named {
            words: capitalised(words(id)),
            id,
        }
    }
}

#[derive(Serialize)]
struct MetricRow {
    name: Named,
    mean: String,
    ci: String,
    p10: String,
    p50: String,
    p90: String,
    plan: String,
}

#[derive(Serialize)]
struct RoleRow {
    name: String,
    attainment: String,
    attainment_ci: String,
    payout: String,
    claims: String,
    claims_missed: String,
    bias: String,
    reading: Vec<String>,
}

#[derive(Serialize)]
struct Reproduce {
    command: String,
    seed: u64,
    trials: u64,
    version: &'static str,
}

/// A number for tables and sentences, formatted the same on every machine: `72,725`,
/// `58.2`, `0.994`, `0.1`.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        return grouped(v);
    }
    let s = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// A multiple as a percentage, with a decimal only where one is needed: `97%`, `97.5%`.
fn share(v: f64) -> String {
    let p = 100.0 * v;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

// ---------------------------------------------------------------- plain words

/// Plain words for an identifier of a metric (global, per role or on a scorecard) or an
/// objective; an unknown identifier reads with its underscores as spaces.
fn words(id: &str) -> String {
    let w = match id {
        "sell_out_units" => "units sold to consumers",
        "sell_in_units" => "units shipped to the retailer",
        "consumer_demand_units" => "consumer demand in units",
        "revenue" => "consumer revenue",
        "company_revenue" => "company revenue on sell-in",
        "fill_rate" => "share of demand served",
        "on_shelf_availability" => "on-shelf availability",
        "stockout_store_weeks" => "store-weeks with an empty shelf",
        "lost_sales_units" => "lost sales in units",
        "write_off_units" => "units written off",
        "ending_inventory_units" => "units in stock at the end",
        "promo_weeks" => "weeks on promotion",
        "oos_promo_weeks" => "share of store-weeks out of stock in promotion weeks",
        "oos_other_weeks" => "share of store-weeks out of stock in other weeks",
        "promo_lift_realised" => "promotions' realised lift against expected",
        "write_off_after_flops" => "units written off in the 8 weeks after a flopped promotion",
        "requests_refused" => "weeks an approver refused a lever's request",
        "bullwhip_ratio" => "variance of orders over variance of demand",
        "coordinated_divergence" => "claimants succeed while the strategy is missed",
        "strategy_attainment" => "attainment of the strategy's worst-met target",
        "divergence_gap" => "claimants' attainment less the strategy's",
        "interpretation_spread" => "spread of the roles' readings of the strategy",
        "operational_spread" => "spread of where the roles' playbooks pull",
        "claims_success" => "claims success",
        "sell_in_revenue" => "sell-in revenue",
        "trade_rate" => "trade spend as a share of gross sell-in",
        "trade_spend" => "trade spend (deals and loading discounts on sell-in)",
        "sell_out" => "sell-out",
        "inventory_turns" => "inventory turns",
        "weeks_of_cover" => "weeks of cover",
        "chain_contribution" => "the chain's contribution",
        "company_profit" => "the company's profit",
        "category_margin" => "the retailer's category margin",
        "launch_sell_in" => "sell-in before shelf day",
        "media_weeks_late" => "weeks the campaign aired after shelf day",
        "stores_served_share" => "share of stores carrying the product",
        "sell_out_vs_plan" => "sell-out against the plan's",
        other => return other.replace('_', " "),
    };
    w.to_string()
}

/// "on-shelf availability (on_shelf_availability)"; just "profit" where the words are the identifier.
fn named(id: &str) -> String {
    let w = words(id);
    if w == id.replace('_', " ") {
        w
    } else {
        format!("{w} ({id})")
    }
}

fn capitalised(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// " (97% of the plan's 0.96)" for a target written relative to the plan.
fn of_plan(factor: Option<f64>, plan_value: Option<f64>) -> String {
    match (factor, plan_value) {
        (Some(f), Some(v)) => format!(" ({} of the plan's {})", share(f), fmt_num(v)),
        (Some(f), None) => format!(" ({} of plan)", share(f)),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------- the scenario in words

/// The story a scenario tells: a built-in's own, else what its world and org make it (a launch,
/// meetings, or promotions against inventory).
fn story(model: &Model) -> &'static str {
    let s = &model.scenario;
    if let Some(b) = crate::scenario::load::all_builtins().find(|b| b.name == s.name) {
        return b.story;
    }
    if s.world.launch.is_some() {
        "launch"
    } else if s.org.meetings.is_some() {
        "meetings"
    } else {
        "promotions"
    }
}

fn scenario_view(model: &Model) -> ScenarioView {
    let s = &model.scenario;
    let st = &s.strategy;
    let objectives = Objective::ALL
        .iter()
        .zip(model.weights)
        .filter(|(_, w)| *w > 0.0)
        .map(|(o, w)| format!("{} {}", named(o.name()), pct(w)))
        .collect();
    let priority = if st.priority.is_empty() {
        "none stated".to_string()
    } else {
        let names: Vec<String> = st.priority.iter().map(|o| words(o.name())).collect();
        names.join(" before ")
    };
    let exclusions = st
        .exclusions
        .iter()
        .map(|e| {
            format!(
                "{}'s {}: {} ruled out",
                e.role,
                e.lever,
                list_nums(&e.options)
            )
        })
        .collect();
    ScenarioView {
        name: model.name.clone(),
        story: story(model),
        base: (model.name != s.name).then(|| s.name.clone()),
        overrides: model.overrides.iter().map(|o| o.arg.clone()).collect(),
        description: s.description.clone(),
        statement: st.statement.clone(),
        objectives,
        priority,
        ambiguity: st.ambiguity,
        targets: model
            .targets
            .iter()
            .map(|t| target_words(model, t))
            .collect(),
        claimants: claimant_words(model),
        exclusions,
        world: world_words(model),
        org: org_words(model),
        plan: plan_words(model),
    }
}

fn list_nums(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|x| fmt_num(*x)).collect();
    parts.join(", ")
}

/// "on-shelf availability (on_shelf_availability) at least 0.931 (97% of the plan's 0.96)":
/// the bounds as resolved, and what they were relative to.
fn target_words(model: &Model, t: &TargetSpec) -> String {
    let name = named(GLOBAL_METRICS[t.metric]);
    let plan_value = model.plan.as_ref().map(|p| p.metrics[t.metric]);
    let bound = |v: Option<f64>, k: usize| {
        let factor = match t.written[k] {
            Some(TargetValue::Plan { plan }) => Some(plan),
            _ => None,
        };
        v.map(|v| format!("{}{}", fmt_num(v), of_plan(factor, plan_value)))
    };
    match (bound(t.at_least, 0), bound(t.at_most, 1)) {
        (Some(lo), Some(hi)) => format!("{name} from {lo} to {hi}"),
        (Some(lo), None) => format!("{name} at least {lo}"),
        (None, Some(hi)) => format!("{name} at most {hi}"),
        (None, None) => name,
    }
}

/// "sales", "both sales and procurement", "all 5 roles", "each of a, b and c".
fn claimant_words(model: &Model) -> String {
    let names: Vec<&str> = model
        .claimants
        .iter()
        .map(|&r| model.roles[r].name.as_str())
        .collect();
    match names.len() {
        0 => "no role".into(),
        1 => names[0].into(),
        2 => format!("both {} and {}", names[0], names[1]),
        n if n == model.roles.len() => format!("all {n} roles"),
        n => format!("each of {} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn world_words(model: &Model) -> String {
    let chain: Vec<&str> = model.chain.iter().map(|e| e.name.as_str()).collect();
    format!(
        "{} weeks in periods of {} weeks; {} stores; stock flows {}.",
        model.horizon,
        model.period,
        model.stores,
        chain.join(" → ")
    )
}

fn org_words(model: &Model) -> String {
    let shared = match &model.shared {
        Some((w, _)) if model.roles.iter().all(|r| r.shares_bonus) => {
            format!("{} of every bonus is paid on a shared scorecard", pct(*w))
        }
        Some((w, _)) => {
            let covered: Vec<&str> = model
                .roles
                .iter()
                .filter(|r| r.shares_bonus)
                .map(|r| r.name.as_str())
                .collect();
            format!(
                "{} of the bonus of {} is paid on a shared scorecard",
                pct(*w),
                covered.join(", ")
            )
        }
        None => "no shared bonus".into(),
    };
    let cost = if model.defection_cost > 0.0 {
        format!("a cost of defection of {}", fmt_num(model.defection_cost))
    } else {
        "no cost of defection".into()
    };
    format!("{shared}; {cost}.")
}

fn plan_words(model: &Model) -> String {
    if model.plan.is_none() {
        return "not computed: every target is absolute.".into();
    }
    "every lever at its initial option and demand at its expectation, played once after the warm-up. Targets written relative to the plan are multiples of its values (the plan column of Every metric; a scorecard's per period).".into()
}

fn role_views(model: &Model, agg: &Aggregate) -> Vec<RoleView> {
    let raw = model.scenario.roles.iter().zip(&model.roles);
    raw.enumerate()
        .map(|(r, (raw, spec))| RoleView {
            name: raw.name.clone(),
            description: raw.description.clone(),
            scorecard: scorecard_lines(model, r, raw, spec),
            payout: format!(
                "pays from {} of target (half the bonus) up to a cap at {}",
                pct(spec.card.threshold),
                pct(spec.card.cap)
            ),
            levers: raw
                .levers
                .iter()
                .map(|l| format!("{}: options {}", l.name, list_nums(&l.options)))
                .chain(spec.levers.iter().filter_map(|&j| {
                    let gated = model.levers[j].approves?;
                    Some(format!(
                        "whether to approve each request to change {}'s {}",
                        model.roles[model.levers[gated].role].name, model.levers[gated].name
                    ))
                }))
                .collect(),
            plays: rule_lines(model, spec),
            fit: fit_words(model, agg, r),
        })
        .collect()
}

fn scorecard_lines(model: &Model, r: usize, raw: &Role, spec: &RoleSpec) -> Vec<String> {
    let plan = model.plan.as_ref().and_then(|p| p.components.get(r));
    raw.scorecard
        .components
        .iter()
        .zip(&spec.card.components)
        .enumerate()
        .map(|(k, (c, compiled))| {
            let at = c
                .stock_point
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            // Turns are annual; cover, reach and shares are averages; the rest are period sums.
            let unit = match c.metric {
                RoleMetric::InventoryTurns => "a year",
                RoleMetric::WeeksOfCover => "weeks on average",
                RoleMetric::Reach | RoleMetric::FillRate | RoleMetric::OnShelfAvailability => {
                    "on average"
                }
                RoleMetric::TradeRate => "of gross sell-in at most",
                _ => "per period",
            };
            let plan_value = plan.and_then(|p| p.get(k)).copied();
            format!(
                "{}{at}: target {} {unit}{}, weight {}",
                named(&metric_name(c.metric)),
                fmt_num(compiled.target),
                of_plan(compiled.plan, plan_value),
                pct(compiled.weight)
            )
        })
        .collect()
}

/// Each of the role's levers with its rule in words.
fn rule_lines(model: &Model, spec: &RoleSpec) -> Vec<String> {
    spec.levers
        .iter()
        .map(|&j| {
            let lever = &model.levers[j];
            let rule = &model.playbook.rules[j];
            format!("{}: {}", lever.name, lever.describe(rule))
        })
        .collect()
}

/// What the fit expected the role to be paid, against its best constant policy and against
/// what it was paid.
fn fit_words(model: &Model, agg: &Aggregate, r: usize) -> String {
    let book = &model.playbook;
    if !book.fitted {
        return "No playbook was fitted: every lever stays at its initial option.".into();
    }
    let fit = &book.fits[r];
    let trials = grouped(book.fit_trials as f64);
    let mut s = if model.roles[r].levers.is_empty() {
        format!("With no lever of its own, it expected {} target bonuses a period on the {trials} fitting trials", fmt_num(fit.payout))
    } else {
        format!("Fitted on {trials} trials, the playbook was expected to pay {} target bonuses a period", fmt_num(fit.payout))
    };
    if let Some((options, pay)) = &fit.best_constant {
        let levers = &model.roles[r].levers;
        let policy: Vec<String> = levers
            .iter()
            .zip(options)
            .map(|(&j, &o)| {
                let l = &model.levers[j];
                if l.approves.is_some() {
                    format!("{} {}", l.name, l.option_words(o))
                } else {
                    format!("{} {}", l.name, fmt_num(l.options[o]))
                }
            })
            .collect();
        s += &format!(
            ", against {} for its best constant policy ({})",
            fmt_num(*pay),
            policy.join(", ")
        );
    }
    let [_, paid, _, bias] = &agg.roles[r];
    s += &format!(
        ". It was paid {} on average: a projection bias (projection_bias) of {}.",
        fmt_num(paid.moments.mean()),
        fmt_num(bias.moments.mean())
    );
    if let Some(words) = certificate_words(model, r) {
        s += " ";
        s += &words;
    }
    s
}

/// A deviation's levers and rules in words: ("promo_depth", "promo_depth: always 0.1"), or for
/// two levers ("promo_depth + trade_loading", "promo_depth: ...; trade_loading: ...").
pub fn deviation_words(model: &Model, d: &Deviation) -> (String, String) {
    let levers: Vec<&str> = d
        .changes
        .iter()
        .map(|(j, _)| model.levers[*j].name.as_str())
        .collect();
    let rules: Vec<String> = d
        .changes
        .iter()
        .map(|(j, rule)| {
            let l = &model.levers[*j];
            format!("{}: {}", l.name, l.describe(rule))
        })
        .collect();
    (levers.join(" + "), rules.join("; "))
}

/// The certificate in a sentence: whether the role could gain by playing another rule of its
/// own family, and what.
fn certificate_words(model: &Model, r: usize) -> Option<String> {
    let cert = model.playbook.certificate.as_ref()?;
    let rc = &cert.roles[r];
    let d = rc.best.as_ref()?;
    let searched = grouped(rc.searched as f64);
    let [lo, hi] = d.ci95();
    let (_, rule) = deviation_words(model, d);
    Some(if d.beats_playbook() {
        format!(
            "Its playbook is not a best response: of {searched} other rules searched out of sample, playing {rule} would gain it {} (95% CI {} to {}) on {} fresh trials, so what this role does in the story is partly an artefact of the fit.",
            fmt_num(d.gain),
            fmt_num(lo),
            fmt_num(hi),
            grouped(d.trials as f64)
        )
    } else {
        format!(
            "It plays a best response: of {searched} other rules searched out of sample, the best ({rule}) would change its utility by {} (95% CI {} to {}) on {} fresh trials, within two standard errors of nothing.",
            fmt_num(d.gain),
            fmt_num(lo),
            fmt_num(hi),
            grouped(d.trials as f64)
        )
    })
}

// ---------------------------------------------------------------- findings

fn findings(model: &Model, agg: &Aggregate) -> Vec<String> {
    let mut out = vec![
        divergence(model, agg),
        strategy(model, agg),
        gap(model, agg),
    ];
    out.extend(claims_and_shelves(model, agg));
    out.extend(hockey_stick(model, agg));
    out.push(shelves(agg));
    out.extend(readings(model, agg));
    out.extend(meetings(model, agg));
    out.extend(launch(model, agg));
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// The launch in its own words: the late radio, the stores left empty, the sell-out.
fn launch(model: &Model, agg: &Aggregate) -> Option<String> {
    let l = model.scenario.world.launch.as_ref()?;
    let n = agg.sample.len().max(1) as f64;
    let k = metric("media_weeks_late");
    let late = agg.sample.iter().filter(|r| r.metrics[k] > 0.0).count() as f64 / n;
    Some(format!(
        "The launch: the product went on shelf in week {}, and its campaign aired after shelf day in {} of trials, {} weeks late on average (marketing learned the date {} to {} weeks ahead; approval took {} to {}). The retailer stocked {} of the {} stores the launch was shipped for, and sell-out came to {} of plan.",
        l.shelf_week,
        pct(late),
        fmt_num(mean_of(agg, "media_weeks_late")),
        l.notice_weeks.min,
        l.notice_weeks.max,
        l.approval_weeks.min,
        l.approval_weeks.max,
        pct(mean_of(agg, "stores_served_share")),
        grouped(model.stores as f64),
        pct(mean_of(agg, "sell_out_vs_plan")),
    ))
}

fn mean_of(agg: &Aggregate, name: &str) -> f64 {
    agg.metrics[metric(name)].moments.mean()
}

fn divergence(model: &Model, agg: &Aggregate) -> String {
    format!(
        "Coordinated divergence: in {} of trials {} claimed success while the organisation missed its strategy.",
        pct(mean_of(agg, "coordinated_divergence")),
        claimant_words(model)
    )
}

/// Share of sampled trials meeting each strategy target, and all of them.
fn strategy(model: &Model, agg: &Aggregate) -> String {
    let n = agg.sample.len().max(1) as f64;
    let parts: Vec<String> = model
        .targets
        .iter()
        .map(|t| {
            let ok = agg.sample.iter().filter(|r| {
                let v = r.metrics[t.metric];
                t.at_least.is_none_or(|lo| v >= lo) && t.at_most.is_none_or(|hi| v <= hi)
            });
            let share = pct(ok.count() as f64 / n);
            format!("{} in {share}", target_words(model, t))
        })
        .collect();
    let all = pct(mean_of(agg, "strategy_met"));
    if parts.is_empty() {
        return format!("The strategy sets no targets, so it counts as met in {all} of trials.");
    }
    format!(
        "The strategy was met in {all} of trials. Target by target: {}.",
        parts.join("; ")
    )
}

/// How far the strategy was attained, against what the claimants' scorecards said.
fn gap(model: &Model, agg: &Aggregate) -> String {
    let strategy = mean_of(agg, "strategy_attainment");
    let gap = mean_of(agg, "divergence_gap");
    let mut s = format!(
        "The strategy's worst-met target was attained to {} on average (strategy attainment, strategy_attainment; 1 = met exactly)",
        fmt_num(strategy)
    );
    if !model.claimants.is_empty() {
        s += &format!(
            ", while {} attained {} of their own targets: a divergence gap (divergence_gap) of {}",
            claimant_words(model),
            fmt_num(strategy + gap),
            fmt_num(gap)
        );
    }
    s + "."
}

/// For each claimant: how often it met its target, and the shelves in those trials.
fn claims_and_shelves(model: &Model, agg: &Aggregate) -> Vec<String> {
    let so = metric("stockout_store_weeks");
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    model
        .claimants
        .iter()
        .map(|&r| {
            let (won, lost): (Vec<_>, Vec<_>) =
                agg.sample.iter().partition(|t| t.roles[r][2] > 0.5);
            let shelves = |ts: &[&crate::stats::metrics::TrialResult]| {
                avg(&ts.iter().map(|t| t.metrics[so]).collect::<Vec<_>>())
            };
            let share = won.len() as f64 / agg.sample.len().max(1) as f64;
            let mut s = format!(
                "In {} of trials {} met its target (attainment of 1 or more)",
                pct(share),
                model.roles[r].name
            );
            if !won.is_empty() {
                s += &format!(
                    " while shelves were empty in {} store-weeks on average",
                    fmt_num(shelves(&won))
                );
            }
            if !lost.is_empty() && !won.is_empty() {
                s += &format!(
                    ", against {} in the trials where it missed",
                    fmt_num(shelves(&lost))
                );
            }
            s + "."
        })
        .collect()
}

/// Mean promotion depth in each week of the period: the deepest week against the others.
fn hockey_stick(model: &Model, agg: &Aggregate) -> Option<String> {
    let s = series_names(model)
        .iter()
        .position(|n| n == "promo_depth")?;
    let p = model.period;
    if model.promo_lever.is_none() || p < 2 || model.horizon < p {
        return None;
    }
    let weekly: Vec<f64> = (0..model.horizon)
        .map(|t| agg.series_at(s, t).moments.mean())
        .collect();
    // The charts' fold: whole periods only (the horizon holds at least one), week by week.
    let depth = period::fold(&weekly, p);
    let (week, peak) = period::extreme(&depth, true);
    let others = (depth.iter().sum::<f64>() - peak) / (p - 1) as f64;
    // `week` counts from 1: in the second half of the period (its middle week, for an odd one).
    let verdict = if peak > 1.5 * others + 0.005 && 2 * week > p {
        "Promotions bunch towards period ends"
    } else if peak > 1.5 * others + 0.005 {
        "Promotions bunch early in the period"
    } else {
        "Promotions do not bunch"
    };
    Some(format!(
        "{verdict}: the mean promotion depth was deepest in week {week} of {p} at {:.1}%, against {:.1}% in the other weeks.",
        100.0 * peak,
        100.0 * others
    ))
}

fn shelves(agg: &Aggregate) -> String {
    let so = mean_of(agg, "stockout_store_weeks");
    let wrote_off = agg.metrics[metric("write_off_units")].sketch.quantile(0.5);
    let share_wo = agg
        .sample
        .iter()
        .filter(|t| t.metrics[metric("write_off_units")] > 0.0)
        .count() as f64
        / agg.sample.len().max(1) as f64;
    format!(
        "Shelves were empty in {} store-weeks per trial on average, an on-shelf availability (on_shelf_availability) of {:.1}%, losing {} units of demand (fill rate {:.1}%). Stock was written off in {} of trials (median {} units, mean {}).",
        fmt_num(so),
        100.0 * mean_of(agg, "on_shelf_availability"),
        fmt_num(mean_of(agg, "lost_sales_units")),
        100.0 * mean_of(agg, "fill_rate"),
        pct(share_wo),
        fmt_num(wrote_off),
        fmt_num(mean_of(agg, "write_off_units")),
    )
}

/// The widest gap between a role's mean reading and the weight as written.
fn readings(model: &Model, agg: &Aggregate) -> Option<String> {
    let mut best: Option<(f64, usize, usize)> = None;
    for (r, stats) in agg.interpretations.iter().enumerate() {
        for (k, st) in stats.iter().enumerate() {
            let gap = (st.moments.mean() - model.weights[k]).abs();
            if best.is_none_or(|(g, _, _)| gap > g) {
                best = Some((gap, r, k));
            }
        }
    }
    let (gap, r, k) = best?;
    if gap < 0.01 {
        return Some("Every role reads the strategy's weights as written.".into());
    }
    Some(format!(
        "Readings diverge: {} reads a weight of {} on {} into the strategy, which states {} (spread of the readings, interpretation_spread: {}).",
        model.roles[r].name,
        pct(agg.interpretations[r][k].moments.mean()),
        named(Objective::ALL[k].name()),
        pct(model.weights[k]),
        fmt_num(mean_of(agg, "interpretation_spread")),
    ))
}

/// The meeting story in a sentence or two: how often the room was silent, what it stated
/// against what the roles did, and what its decisions ruled out.
fn meetings(model: &Model, agg: &Aggregate) -> Option<String> {
    let g = model.meetings.as_ref()?;
    let held = mean_of(agg, "meetings_held");
    if held <= 0.0 {
        return None;
    }
    let silent = 1.0 - mean_of(agg, "meetings_with_dissent") / held;
    let (decisions, excluded) = (
        mean_of(agg, "decisions_made"),
        mean_of(agg, "options_excluded"),
    );
    let mut s = format!(
        "Meetings: {} a trial, every {} weeks, at psychological safety {}. In {} of them nobody voiced a doubt. The room stated {} agreement while the roles' actions agreed {}",
        fmt_num(held),
        g.every,
        fmt_num(g.safety),
        pct(silent),
        pct(mean_of(agg, "stated_agreement")),
        pct(mean_of(agg, "operational_agreement")),
    );
    if decisions > 0.0 && excluded == 0.0 {
        s += &format!(
            ". Its {} decisions a trial ruled nothing out: nothing was decided",
            fmt_num(decisions)
        );
    } else if decisions > 0.0 {
        s += &format!(
            ". Its {} decisions a trial ruled out {} options; the role that played each one lost it",
            fmt_num(decisions),
            fmt_num(excluded)
        );
    } else if decisions == 0.0 {
        s += ". No meeting decided anything, and nothing was ruled out";
    }
    let departures = mean_of(agg, "departures");
    if departures > 0.0 {
        s += &format!(
            ". Doubt left unsaid ended in {} departures a trial",
            fmt_num(departures)
        );
    }
    Some(s + ".")
}

// ---------------------------------------------------------------- tables

fn metric_rows(model: &Model, agg: &Aggregate) -> Vec<MetricRow> {
    GLOBAL_METRICS
        .iter()
        .zip(&agg.metrics)
        .enumerate()
        // A scenario without meetings has nothing to say about them: six rows of zeros; nor
        // one without a launch about its campaign and allocation.
        .filter(|(_, (name, _))| {
            model.meetings.is_some() || !crate::scenario::vocabulary::MEETING_METRICS.contains(name)
        })
        .filter(|(_, (name, _))| {
            model.scenario.world.launch.is_some()
                || !crate::scenario::vocabulary::LAUNCH_METRICS.contains(name)
        })
        .map(|(m, (name, st))| {
            let ci = st.ci95();
            let q = |p| fmt_num(st.sketch.quantile(p));
            let plan = model
                .plan
                .as_ref()
                .filter(|_| !crate::scenario::model::not_in_plan(name));
            MetricRow {
                name: Named::of(name),
                mean: fmt_num(st.moments.mean()),
                ci: format!("{} to {}", fmt_num(ci[0]), fmt_num(ci[1])),
                p10: q(0.1),
                p50: q(0.5),
                p90: q(0.9),
                plan: plan.map_or("–".into(), |p| fmt_num(p.metrics[m])),
            }
        })
        .collect()
}

fn role_rows(model: &Model, agg: &Aggregate) -> Vec<RoleRow> {
    let ci = |s: &Stat| {
        let c = s.ci95();
        format!("{} to {}", fmt_num(c[0]), fmt_num(c[1]))
    };
    model
        .roles
        .iter()
        .enumerate()
        .map(|(r, role)| {
            let [a, p, c, bias] = &agg.roles[r];
            RoleRow {
                name: role.name.clone(),
                attainment: fmt_num(a.moments.mean()),
                attainment_ci: ci(a),
                payout: fmt_num(p.moments.mean()),
                claims: pct(c.moments.mean()),
                claims_missed: pct(claims_while_missed(agg, r)),
                bias: fmt_num(bias.moments.mean()),
                reading: agg.interpretations[r]
                    .iter()
                    .map(|s| pct(s.moments.mean()))
                    .collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- reproduce

/// Options that change no result, left out of the line that reproduces one: the threads, the
/// output folder, the shard (a merged run's report equals the unsharded run's), how much is
/// printed or overwritten, and whether charts are drawn (shards run without them; the merge
/// draws them). Each takes a value but the last three.
const NO_RESULT: [(&str, bool); 6] = [
    ("--threads", true),
    ("--out", true),
    ("--shard", true),
    ("--quiet", false),
    ("--force", false),
    ("--no-charts", false),
];

/// The command as one shell line: the program named `orgsim` (not the path it ran from), without
/// the options that change no result (`--out`, `--quiet`, `--force`, `--no-charts` ...): each
/// would make the reports of the same run differ.
pub fn shell_line(command: &[String]) -> String {
    let mut words = vec!["orgsim".to_string()];
    let mut skip = false;
    for a in command.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        let option = a.split('=').next().unwrap_or(a);
        if let Some(&(_, takes_value)) = NO_RESULT.iter().find(|(o, _)| *o == option) {
            skip = takes_value && !a.contains('=');
            continue;
        }
        words.push(quote(a));
    }
    words.join(" ")
}

fn quote(a: &str) -> String {
    let plain = !a.is_empty()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_portable() {
        let cmd: Vec<String> = [
            "/tmp/x/orgsim",
            "run",
            "--threads",
            "8",
            "--set",
            "strategy.statement=it's fine",
            "--threads=2",
            "--out",
            "results/x",
            "--shard=2/8",
            "--quiet",
            "--no-charts",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            shell_line(&cmd),
            "orgsim run --set 'strategy.statement=it'\\''s fine'"
        );
    }

    #[test]
    fn identifiers_come_with_plain_words() {
        assert_eq!(
            named("on_shelf_availability"),
            "on-shelf availability (on_shelf_availability)"
        );
        assert_eq!(
            named("profit"),
            "profit",
            "no identifier beside the same words"
        );
        assert_eq!(named("some_new_metric"), "some new metric");
        assert_eq!(capitalised(words("holding_cost")), "Holding cost");
        for m in GLOBAL_METRICS {
            assert!(!words(m).contains('_'), "{m} reads as words");
        }
        assert_eq!(of_plan(Some(0.97), Some(0.99)), " (97% of the plan's 0.99)");
        assert_eq!(of_plan(Some(1.025), None), " (102.5% of plan)");
        assert_eq!(of_plan(None, Some(3.0)), "");
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(fmt_num(72725.4), "72,725");
        assert_eq!(fmt_num(0.9944), "0.994");
        assert_eq!(fmt_num(19.28), "19.3");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(-0.0001), "0");
    }
}
