//! The parts of a checked [`Model`](crate::scenario::model::Model): a stock point, a lever,
//! a scorecard and its lines, a role, a strategy target, the meetings, and the plan's values.
//! Names are already resolved to indices and weights normalised, so the simulation reads them
//! as they are. Which per-trial metrics a plan cannot measure ([`not_in_plan`]) is decided
//! here too, since plan-relative targets and their checks both ask it.

use crate::scenario::format::{
    Behaviour, LeverTarget, OrderPolicy, RoleMetric, TargetValue, Unmet,
};
use crate::scenario::limits::MAX_STOCK_POINTS;
use crate::scenario::vocabulary::MEETING_METRICS;

/// Per-trial metrics about the organisation itself, which a plan (one deterministic trial
/// with every lever at its initial option) cannot give a value to, or measured against the plan
/// already (the campaign is on time in the plan, its sell-out is itself); the meetings' metrics
/// ([`MEETING_METRICS`]) are such metrics too (see [`not_in_plan`]).
pub const NOT_IN_PLAN: &[&str] = &[
    "strategy_met",
    "coordinated_divergence",
    "strategy_attainment",
    "divergence_gap",
    "interpretation_spread",
    "operational_spread",
    "operational_agreement",
    "media_weeks_late",
    "sell_out_vs_plan",
];

/// Whether a per-trial metric is one the plan cannot give a value to.
pub fn not_in_plan(metric: &str) -> bool {
    NOT_IN_PLAN.contains(&metric) || MEETING_METRICS.contains(&metric)
}

/// The plan: the scenario with every lever at its initial option and demand at its expectation,
/// played once (`orgsim::sim::plan`). Plan-relative targets are multiples of these values.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanValues {
    /// Global per-trial metrics, in [`GLOBAL_METRICS`](crate::scenario::vocabulary::GLOBAL_METRICS) order.
    pub metrics: Vec<f64>,
    /// Per role, per scorecard component: the plan's value per full period.
    pub components: Vec<Vec<f64>>,
    /// Per shared-bonus component: the plan's value per full period.
    pub shared: Vec<f64>,
}

/// A stock point, compiled.
#[derive(Debug, Clone)]
pub struct StockPointSpec {
    /// The stock point's name, as the scenario gives it (in series names and messages).
    pub name: String,
    /// One copy per store.
    pub per_store: bool,
    /// Shipping lead time into this point.
    pub lead: usize,
    /// Delay of its orders to upstream.
    pub order_delay: usize,
    /// Opening stock in weeks of demand.
    pub initial_cover: f64,
    /// Backlog or lose unmet downstream orders.
    pub unmet: Unmet,
    /// Shelf life in weeks since arrival.
    pub shelf_life: Option<usize>,
    /// Holding cost per unit-week.
    pub holding: f64,
    /// Ordering policy.
    pub policy: OrderPolicy,
}

/// A lever, compiled.
#[derive(Debug, Clone)]
pub struct LeverSpec {
    /// Owning role index.
    pub role: usize,
    /// The lever's name, as the scenario gives it (in series names and messages).
    pub name: String,
    /// What it sets.
    pub target: LeverTarget,
    /// StockPointSpec index for stock-point levers.
    pub echelon: usize,
    /// Options still allowed after exclusions.
    pub options: Vec<f64>,
    /// Value in effect before the first decision.
    pub initial_value: f64,
    /// Decision interval.
    pub every: usize,
    /// Approval latency.
    pub latency: usize,
    /// Most decisions per period away from the initial option.
    pub max_uses: Option<usize>,
    /// The approver's gate on this lever (the index of its [`LeverTarget::Approval`] lever), when
    /// another role approves it: a refused request leaves the lever where it was.
    pub gate: Option<usize>,
    /// For a gate: the lever whose requests it approves or refuses.
    pub approves: Option<usize>,
}

/// A scorecard line, compiled.
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    /// What the line measures, over the role's period.
    pub metric: RoleMetric,
    /// StockPointSpec for stock metrics.
    pub echelon: usize,
    /// Per-period target (for a plan-relative target, filled in by `orgsim::sim::plan::resolve`).
    pub target: f64,
    /// The multiple of the plan's value, for a plan-relative target.
    pub plan: Option<f64>,
    /// Normalised weight.
    pub weight: f64,
}

/// A scorecard, compiled.
#[derive(Debug, Clone)]
pub struct CardSpec {
    /// Components with weights summing to 1.
    pub components: Vec<ComponentSpec>,
    /// Payout threshold.
    pub threshold: f64,
    /// Payout cap.
    pub cap: f64,
}

/// A role, compiled.
#[derive(Debug, Clone)]
pub struct RoleSpec {
    /// The role's name, as the scenario gives it (in column names and messages).
    pub name: String,
    /// Lever indices.
    pub levers: Vec<usize>,
    /// How the role is paid: its scorecard lines, weights and payout curve.
    pub card: CardSpec,
    /// How it decides.
    pub behaviour: Behaviour,
    /// Per echelon: `Some(delay)` if seen, `None` if hidden.
    pub sees: [Option<usize>; MAX_STOCK_POINTS],
    /// The objectives its scorecard speaks to (sums to 1), used for motivated reading.
    pub emphasis: [f64; 3],
    /// Whether the org's shared bonus (if any) covers this role (`org.shared_bonus.roles`).
    pub shares_bonus: bool,
}

/// A strategy target on a global metric.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// Index into [`GLOBAL_METRICS`](crate::scenario::vocabulary::GLOBAL_METRICS).
    pub metric: usize,
    /// Lower bound (for a plan-relative bound, filled in by `orgsim::sim::plan::resolve`).
    pub at_least: Option<f64>,
    /// Upper bound (likewise).
    pub at_most: Option<f64>,
    /// The bounds as written.
    pub written: [Option<TargetValue>; 2],
}

/// `org.meetings`, checked (see [`crate::scenario::format::Meetings`]).
#[derive(Debug, Clone)]
pub struct MeetingSpec {
    /// Weeks between meetings.
    pub every: usize,
    /// Psychological safety, 0 to 1.
    pub safety: f64,
    /// The doubt it takes to speak alone with no safety, at most.
    pub fear: f64,
    /// Share of the room whose voices force a decision.
    pub quorum: f64,
    /// Summed unvoiced doubt at which a role's holder leaves.
    pub departure: Option<f64>,
    /// Weeks a seat stays empty.
    pub vacancy: usize,
    /// The roles in the room (indices).
    pub roles: Vec<usize>,
}

impl LeverSpec {
    /// Option `i` in words: its value, or for an approver's gate "refuse" or "approve".
    pub fn option_words(&self, i: usize) -> String {
        if self.approves.is_some() {
            if i == 0 { "refuse" } else { "approve" }.to_string()
        } else {
            crate::scenario::playbook::fmt_option(self.options[i])
        }
    }

    /// `rule` in words for this lever: its options' values, or for an approver's gate,
    /// "approve" and "refuse".
    pub fn describe(&self, rule: &crate::scenario::playbook::Rule) -> String {
        crate::scenario::playbook::describe_with(rule, |i| self.option_words(i))
    }

    /// Index of the lever's initial value among its allowed options (the nearest, if it was
    /// excluded).
    pub fn initial_index(&self) -> usize {
        let mut best = 0;
        for (i, o) in self.options.iter().enumerate() {
            if (o - self.initial_value).abs() < (self.options[best] - self.initial_value).abs() {
                best = i;
            }
        }
        best
    }
}

/// A scorecard metric as written in the file.
pub(crate) fn metric_name(m: RoleMetric) -> String {
    m.name()
}
