//! A network scenario: the supply-chain classics' format, its checks, and the checked
//! [`NetworkModel`] that [`crate::sim::network`] plays.
//!
//! A network scenario is a JSON file with a top-level `network` object in place of the
//! organisation's `world`, `strategy` and `roles`: stock points ordering by a policy
//! (Sterman's heuristic, or order-up-to on a moving average), facing customer demand on a
//! schedule, Poisson or normal. Its schema ships as `scenarios/network.schema.json`
//! (`orgsim schema --network`), with the same ranges as [`check`] (both read [`limits`]).

// A `Problem` carries a whole diagnosis: it is the value of these functions, not an
// exceptional path worth boxing.

use crate::error::Problem;
use crate::scenario::format::Meetings;
use crate::scenario::limits::{self, Range};
use crate::scenario::model::{meeting_spec, MeetingSpec};
use crate::scenario::overrides::Override;
use crate::scenario::vocabulary::GLOBAL_METRICS;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A network scenario: a name, a description a facilitator can read out, and the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkScenario {
    /// Optional pointer to the JSON Schema, so editors can validate the file.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Short identifier, used for the output folder.
    pub name: String,
    /// What the scenario shows, in plain words.
    pub description: String,
    /// The stock points, their policies and the demand they face.
    pub network: NetworkSpec,
}

/// Stock points listed downstream first, the customer's demand, and the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Weeks played in one trial (T).
    #[schemars(transform = limits::NETWORK_WEEKS.schema())]
    pub weeks: u32,
    /// The flow the board opens with: in every order and shipping slot, and in each point's
    /// expected demand.
    #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
    pub initial_flow: f64,
    /// Customer demand at the first stock point.
    pub demand: Demand,
    /// The stock points, the customer-facing one first; the last orders from production.
    #[schemars(length(min = 1, max = 8))]
    pub stock_points: Vec<NetworkStockPoint>,
    /// What the chain as a whole is judged on (absent: its total cost, budgeted at the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<NetworkStrategy>,
    /// The players' meetings, with the organisation's format (`org.meetings`), its roles the
    /// stock points by name (absent: none are held). Each player's reading is the customer
    /// demand it believes in; a decision settles that figure and rules out one player's habit
    /// of ignoring its supply line (see [`crate::sim::network`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meetings: Option<Meetings>,
}

/// The chain's strategy: its total holding and backlog cost (every point's own `holding_cost`
/// and `backlog_cost`) within a budget set from the plan, the same network with each week's
/// demand at its expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkStrategy {
    /// The budget for the total cost, as a multiple of the plan's total cost (default 1).
    #[serde(default = "one")]
    #[schemars(transform = limits::BUDGET_VS_PLAN.schema())]
    pub total_cost_vs_plan: f64,
}

/// How the role that runs a stock point is paid: its own holding and backlog, weighed as its
/// bonus weighs them, within a budget set from the plan. Absent: the point's own costs,
/// budgeted at the plan, as in the Beer Game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PointScorecard {
    /// What the scorecard charges per unit-week on hand (default: the point's `holding_cost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = limits::HOLDING_COST.schema())]
    pub holding: Option<f64>,
    /// What the scorecard charges per unit-week of backlog (default: the point's `backlog_cost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = limits::HOLDING_COST.schema())]
    pub backlog: Option<f64>,
    /// The budget, as a multiple of what the scorecard charges in the plan (default 1).
    #[serde(default = "one")]
    #[schemars(transform = limits::BUDGET_VS_PLAN.schema())]
    pub budget_vs_plan: f64,
}

fn one() -> f64 {
    1.0
}

/// One stock point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkStockPoint {
    /// Its name (the role that runs it: retailer, wholesaler, ...), in column and series names.
    pub name: String,
    /// On hand before week 1.
    #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
    pub initial_inventory: f64,
    /// Weeks an order spends in the mail before the supplier reads it (for the last point:
    /// before production starts it).
    #[schemars(transform = limits::NETWORK_SLOTS.schema())]
    pub order_delay_weeks: u32,
    /// Weeks a shipment spends on its way here (for the last point: in production).
    #[schemars(transform = limits::NETWORK_SLOTS.schema())]
    pub ship_delay_weeks: u32,
    /// Cost per unit-week on hand, counted after the week's orders are filled.
    #[schemars(transform = limits::HOLDING_COST.schema())]
    pub holding_cost: f64,
    /// Cost per unit-week of backlog (unfilled orders are owed, never lost).
    #[schemars(transform = limits::HOLDING_COST.schema())]
    pub backlog_cost: f64,
    /// How it orders.
    pub policy: Policy,
    /// How the role that runs it is paid (absent: on its own costs, budgeted at the plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<PointScorecard>,
}

/// How a stock point decides what to order, at the end of each week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// Sterman's (1989) anchoring and adjustment:
    /// `E = θ·I + (1 − θ)·E`, `O = max(0, E + α_S·((S' − S) − β·SL))`, with `S` on hand minus
    /// backlog and `SL` the supply line (placed, not yet received).
    Sterman {
        /// Weight of the newest incoming order in expected demand (θ).
        #[schemars(transform = limits::SHARE.schema())]
        theta: f64,
        /// Fraction of the stock gap ordered each week (α_S).
        #[schemars(transform = limits::SHARE.schema())]
        alpha_s: f64,
        /// Weight given to the supply line (β; 1 counts it fully, 0 ignores it).
        #[schemars(transform = limits::SHARE.schema())]
        beta: f64,
        /// Desired stock, in units (S').
        #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
        desired_stock: f64,
    },
    /// Order up to `y = lead_weeks · m`, where `m` is the mean of the last `window` incoming
    /// orders, with no safety stock; the order is `y − y_prev + pass-through`, negative orders
    /// allowed (Chen, Drezner, Ryan & Simchi-Levi 2000). Until the window has filled, the point
    /// passes the newest incoming order through.
    OrderUpTo {
        /// Weeks in the moving average (p).
        #[schemars(transform = limits::NETWORK_WINDOW.schema())]
        window: u32,
        /// Lead time the level covers, in weeks (L).
        #[schemars(transform = limits::COVER_WEEKS.schema())]
        lead_weeks: f64,
        /// Which incoming order is passed through (default `newest`).
        #[serde(default)]
        pass_through: PassThrough,
    },
}

/// The demand an order-up-to point passes through, relative to its forecast window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PassThrough {
    /// The newest demand inside the forecast window: the convention under which the closed
    /// form `1 + 2L/p + 2L²/p²` holds (CLASSICS' `standard`).
    #[default]
    Newest,
    /// One week older than the newest in the window: the off-by-one kept as a counter-check
    /// (CLASSICS' `lagged`, ratio `1 + 2L²/p²` for p ≥ 2).
    Previous,
}

/// Customer demand, week by week (weeks count from 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Demand {
    /// A deterministic schedule: each step's value holds from its week until the next step.
    Schedule {
        /// Steps in increasing week order, the first from week 1.
        #[schemars(length(min = 1))]
        steps: Vec<Step>,
    },
    /// Poisson, with the schedule's value as its mean.
    Poisson {
        /// Steps in increasing week order, the first from week 1.
        #[schemars(length(min = 1))]
        steps: Vec<Step>,
    },
    /// Normal and i.i.d., real-valued: as the textbook's, it may be negative far in the tail.
    Normal {
        /// Mean per week.
        #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
        mean: f64,
        /// Standard deviation per week.
        #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
        sd: f64,
    },
}

/// One step of a demand schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The first week (from 1) at this value.
    #[schemars(transform = limits::STEP_WEEK.schema())]
    pub from_week: u32,
    /// Demand per week (the mean, for Poisson).
    #[schemars(transform = limits::NETWORK_QUANTITY.schema())]
    pub value: f64,
}

impl Demand {
    /// The schedule's value (or the mean) in week `w`.
    pub fn mean(&self, w: usize) -> f64 {
        match self {
            Demand::Schedule { steps } | Demand::Poisson { steps } => steps
                .iter()
                .take_while(|s| s.from_week as usize <= w)
                .last()
                .map_or(0.0, |s| s.value),
            Demand::Normal { mean, .. } => *mean,
        }
    }
}

/// A checked network scenario, with what the run needs to name and trace it.
#[derive(Debug, Clone)]
pub struct NetworkModel {
    /// The scenario, overrides applied.
    pub scenario: NetworkScenario,
    /// The run's name: the scenario's, with any overrides in brackets.
    pub name: String,
    /// The `--set` overrides applied.
    pub overrides: Vec<Override>,
    /// SHA-256 of the scenario text as read.
    pub source_sha256: String,
}

/// Every problem of a parsed network scenario, each at its JSON path.
///
/// Long because it is one checklist, field by field in the order of the format, so a reader can
/// hold it against the schema.
pub fn check(s: &NetworkScenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let n = &s.network;
    let mut range = |r: Range, path: String, v: f64| out.extend(r.problem(&path, v));
    range(
        limits::NETWORK_WEEKS,
        "network.weeks".into(),
        n.weeks as f64,
    );
    range(
        limits::NETWORK_QUANTITY,
        "network.initial_flow".into(),
        n.initial_flow,
    );
    match &n.demand {
        Demand::Schedule { steps } | Demand::Poisson { steps } => {
            for (k, st) in steps.iter().enumerate() {
                let at = format!("network.demand.steps[{k}]");
                range(
                    limits::STEP_WEEK,
                    format!("{at}.from_week"),
                    st.from_week as f64,
                );
                range(limits::NETWORK_QUANTITY, format!("{at}.value"), st.value);
            }
        }
        Demand::Normal { mean, sd } => {
            range(
                limits::NETWORK_QUANTITY,
                "network.demand.mean".into(),
                *mean,
            );
            range(limits::NETWORK_QUANTITY, "network.demand.sd".into(), *sd);
        }
    }
    if let Some(st) = &n.strategy {
        range(
            limits::BUDGET_VS_PLAN,
            "network.strategy.total_cost_vs_plan".into(),
            st.total_cost_vs_plan,
        );
    }
    for (i, p) in n.stock_points.iter().enumerate() {
        let at = format!("network.stock_points[{i}]");
        if let Some(card) = &p.scorecard {
            let at = format!("{at}.scorecard");
            if let Some(h) = card.holding {
                range(limits::HOLDING_COST, format!("{at}.holding"), h);
            }
            if let Some(b) = card.backlog {
                range(limits::HOLDING_COST, format!("{at}.backlog"), b);
            }
            range(
                limits::BUDGET_VS_PLAN,
                format!("{at}.budget_vs_plan"),
                card.budget_vs_plan,
            );
        }
        range(
            limits::NETWORK_QUANTITY,
            format!("{at}.initial_inventory"),
            p.initial_inventory,
        );
        range(
            limits::NETWORK_SLOTS,
            format!("{at}.order_delay_weeks"),
            p.order_delay_weeks as f64,
        );
        range(
            limits::NETWORK_SLOTS,
            format!("{at}.ship_delay_weeks"),
            p.ship_delay_weeks as f64,
        );
        range(
            limits::HOLDING_COST,
            format!("{at}.holding_cost"),
            p.holding_cost,
        );
        range(
            limits::HOLDING_COST,
            format!("{at}.backlog_cost"),
            p.backlog_cost,
        );
        match &p.policy {
            Policy::Sterman {
                theta,
                alpha_s,
                beta,
                desired_stock,
            } => {
                range(limits::SHARE, format!("{at}.policy.theta"), *theta);
                range(limits::SHARE, format!("{at}.policy.alpha_s"), *alpha_s);
                range(limits::SHARE, format!("{at}.policy.beta"), *beta);
                range(
                    limits::NETWORK_QUANTITY,
                    format!("{at}.policy.desired_stock"),
                    *desired_stock,
                );
            }
            Policy::OrderUpTo {
                window, lead_weeks, ..
            } => {
                range(
                    limits::NETWORK_WINDOW,
                    format!("{at}.policy.window"),
                    *window as f64,
                );
                range(
                    limits::COVER_WEEKS,
                    format!("{at}.policy.lead_weeks"),
                    *lead_weeks,
                );
            }
        }
    }
    if let Some(g) = &n.meetings {
        meeting_spec("network.meetings", g, &point_names(n), &mut out);
    }
    out.extend(check_shape(s));
    out
}

fn point_names(n: &NetworkSpec) -> Vec<&str> {
    n.stock_points.iter().map(|p| p.name.as_str()).collect()
}

/// The network's meetings, checked, their room as stock point indices; `None` where none are
/// held. Call it on a scenario [`check`] has passed: a problem is not reported here.
pub fn meetings(n: &NetworkSpec) -> Option<MeetingSpec> {
    let g = n.meetings.as_ref()?;
    Some(meeting_spec(
        "network.meetings",
        g,
        &point_names(n),
        &mut Vec::new(),
    ))
}

/// What ranges cannot say: names, the order of steps, room to measure.
fn check_shape(s: &NetworkScenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let n = &s.network;
    let points = &n.stock_points;
    if points.is_empty() || points.len() > limits::MAX_STOCK_POINTS {
        out.push(Problem::new(
            "network.stock_points",
            format!("1 to {} stock points", limits::MAX_STOCK_POINTS),
            format!("{}", points.len()),
        ));
    }
    for (i, p) in points.iter().enumerate() {
        let named = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if p.name.is_empty() || !p.name.chars().all(named) {
            out.push(Problem::new(
                format!("network.stock_points[{i}].name"),
                "a name of letters, digits and _ (it names columns such as cost_<name>)",
                format!("\"{}\"", p.name),
            ));
        } else if points[..i].iter().any(|q| q.name == p.name) {
            out.push(Problem::new(
                format!("network.stock_points[{i}].name"),
                "a name no other stock point has",
                format!("\"{}\", also an earlier stock point's", p.name),
            ));
        }
        if let Policy::OrderUpTo { window, .. } = p.policy {
            // The measured weeks are p + 2 .. T: at least two of them, for a variance.
            if window as usize + 3 > n.weeks as usize {
                out.push(
                    Problem::new(
                        format!("network.stock_points[{i}].policy.window"),
                        format!("at most network.weeks - 3 = {}", n.weeks.saturating_sub(3)),
                        window.to_string(),
                    )
                    .hint("the bullwhip ratio is measured over weeks window + 2 to the last: leave at least two"),
                );
            }
        }
    }
    if let Demand::Schedule { steps } | Demand::Poisson { steps } = &n.demand {
        if steps.first().is_none_or(|s| s.from_week != 1) {
            out.push(Problem::new(
                "network.demand.steps",
                "a first step from week 1",
                steps.first().map_or("no steps".into(), |s| {
                    format!("a first step from week {}", s.from_week)
                }),
            ));
        }
        for k in 1..steps.len() {
            if steps[k].from_week <= steps[k - 1].from_week {
                out.push(Problem::new(
                    format!("network.demand.steps[{k}].from_week"),
                    format!(
                        "a week after the step before's ({})",
                        steps[k - 1].from_week
                    ),
                    steps[k].from_week.to_string(),
                ));
            }
        }
    }
    out
}

/// Per-trial metric names, in the column order of a network run's `trials.csv`: `total_cost`,
/// `demand_var`, [`NETWORK_GLOBALS`] and [`meeting_columns`]; then for each stock point its cost, order variance,
/// amplification against customer demand (`amp_`), against the point below (`stage_amp_`),
/// bullwhip ratio over its measured weeks, its peak order and that order's week, and its
/// role's scorecard attainment and claim of success.
pub fn trial_columns(n: &NetworkSpec) -> Vec<String> {
    let mut cols = vec!["total_cost".to_string(), "demand_var".to_string()];
    cols.extend(NETWORK_GLOBALS.iter().map(|s| s.to_string()));
    cols.extend(meeting_columns().iter().map(|s| s.to_string()));
    for kind in POINT_METRICS {
        for p in &n.stock_points {
            cols.push(format!("{kind}_{}", p.name));
        }
    }
    cols
}

/// The per-stock-point metrics, in column order (each followed by `_<point>`).
pub const POINT_METRICS: &[&str] = &[
    "cost",
    "order_var",
    "amp",
    "stage_amp",
    "bullwhip_ratio",
    "peak_order",
    "peak_week",
    "attainment",
    "claims_success",
];

/// The organisation's measures of a network trial, after `total_cost` and `demand_var`, with
/// the organisation engine's names and meanings: whether the total cost kept to the
/// strategy's budget, its attainment, whether it missed while every role claimed success on
/// its own scorecard, and the roles' mean attainment above the strategy's. Then come
/// [`meeting_columns`].
pub const NETWORK_GLOBALS: &[&str] = &[
    "strategy_met",
    "strategy_attainment",
    "coordinated_divergence",
    "divergence_gap",
];

/// The meetings' measures, the organisation's own names in its order (`meetings_held` to
/// `departures` in [`GLOBAL_METRICS`]): meetings held, those with a voiced doubt, decisions,
/// options ruled out, stated agreement, operational agreement (for a network, 1 less the mean
/// relative gap between two players' orders in a week) and departures. Without
/// `network.meetings` all but operational agreement are 0.
pub fn meeting_columns() -> &'static [&'static str] {
    let at = |name: &str| GLOBAL_METRICS.iter().position(|m| *m == name);
    let (first, last) = (at("meetings_held"), at("departures"));
    &GLOBAL_METRICS[first.expect("meetings_held")..=last.expect("departures")]
}

/// The per-week series of a network run, in `series.csv` order: the customer's demand, then
/// each stock point's orders, inventory and backlog (after the week's fill).
pub fn series_names(n: &NetworkSpec) -> Vec<String> {
    let mut names = vec!["demand".to_string()];
    for kind in ["orders", "inventory", "backlog"] {
        for p in &n.stock_points {
            names.push(format!("{kind}.{}", p.name));
        }
    }
    names
}
