//! A checked, compiled scenario: names resolved to indices, weights normalised,
//! ranges enforced. The engine only ever sees a [`Model`], so it never re-checks input.

use crate::error::Problem;
use crate::scenario::format::*;
use crate::scenario::limits::{self, number as num, Range, SHARE_METRICS};
use crate::scenario::vocabulary::{GLOBAL_METRICS, MEETING_METRICS};

pub use crate::scenario::limits::{MAX_DELAY, MAX_ECHELONS, MAX_OPTIONS};

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
    /// Global per-trial metrics, in [`GLOBAL_METRICS`] order.
    pub metrics: Vec<f64>,
    /// Per role, per scorecard component: the plan's value per full period.
    pub components: Vec<Vec<f64>>,
    /// Per shared-bonus component: the plan's value per full period.
    pub shared: Vec<f64>,
}

/// A stock point, compiled.
#[derive(Debug, Clone)]
pub struct Echelon {
    /// Its name.
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
    /// Its name.
    pub name: String,
    /// What it sets.
    pub target: LeverTarget,
    /// Echelon index for stock-point levers.
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
    /// The metric.
    pub metric: RoleMetric,
    /// Echelon for stock metrics.
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
    /// Its name.
    pub name: String,
    /// Lever indices.
    pub levers: Vec<usize>,
    /// Its scorecard.
    pub card: CardSpec,
    /// How it decides.
    pub behaviour: Behaviour,
    /// Per echelon: `Some(delay)` if seen, `None` if hidden.
    pub sees: [Option<usize>; MAX_ECHELONS],
    /// The objectives its scorecard speaks to (sums to 1), used for motivated reading.
    pub emphasis: [f64; 3],
    /// Whether the org's shared bonus (if any) covers this role (`org.shared_bonus.roles`).
    pub shares_bonus: bool,
}

/// A strategy target on a global metric.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// Index into [`GLOBAL_METRICS`].
    pub metric: usize,
    /// Lower bound (for a plan-relative bound, filled in by `orgsim::sim::plan::resolve`).
    pub at_least: Option<f64>,
    /// Upper bound (likewise).
    pub at_most: Option<f64>,
    /// The bounds as written.
    pub written: [Option<TargetValue>; 2],
}

/// The compiled scenario the engine runs.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario as given (after overrides), for reports.
    pub scenario: Scenario,
    /// Weeks per trial.
    pub horizon: usize,
    /// Weeks per period.
    pub period: usize,
    /// Unscored weeks before week 1 (`warmup_weeks` rounded up to whole periods).
    pub warmup: usize,
    /// Number of stores.
    pub stores: usize,
    /// Stock points, upstream first.
    pub chain: Vec<Echelon>,
    /// All levers of all roles.
    pub levers: Vec<LeverSpec>,
    /// Roles.
    pub roles: Vec<RoleSpec>,
    /// True strategy weights by [`Objective::ALL`] order (sum 1).
    pub weights: [f64; 3],
    /// Stated priority, as objective indices.
    pub priority: Vec<usize>,
    /// Strategy targets.
    pub targets: Vec<TargetSpec>,
    /// Roles whose success counts for coordinated divergence.
    pub claimants: Vec<usize>,
    /// Shared bonus weight and scorecard.
    pub shared: Option<(f64, CardSpec)>,
    /// Cost of defection.
    pub defection_cost: f64,
    /// Alignment meetings, if held (`org.meetings`).
    pub meetings: Option<MeetingSpec>,
    /// Echelon whose receipts are sell-in.
    pub sell_in: usize,
    /// The promotion lever, if any.
    pub promo_lever: Option<usize>,
    /// The trade-loading lever, if any.
    pub loading_lever: Option<usize>,
    /// The media lever, if any.
    pub media_lever: Option<usize>,
    /// The plan's values, once computed (`orgsim::sim::plan`); plan-relative targets are resolved from it.
    pub plan: Option<PlanValues>,
    /// How each role plays its levers: a rule per lever, fitted to its scorecard by `orgsim::sim::fit`
    /// (each lever at its initial option until then).
    pub playbook: crate::scenario::playbook::Playbook,
    /// The `--set` overrides applied to the scenario, so that a problem found later in a value
    /// one of them wrote (a plan-relative target) names it.
    pub overrides: Vec<crate::scenario::overrides::Override>,
    /// The run's name, for titles, the report and `summary.json`: the scenario's name, with its
    /// `--set` overrides in brackets, unless the command named the run (`--name`). A variant run
    /// must not pass for the scenario it varies.
    pub name: String,
    /// SHA-256 of the scenario's text as read (the file, or the built-in), in hex: which version
    /// of a file a run used, beside the overrides applied to it.
    pub source_sha256: String,
    /// Legal values that are almost surely slips (a unit cost above the list price), each
    /// located like a problem; the CLI prints them as warnings.
    pub warnings: Vec<Problem>,
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

impl Model {
    /// Checks everything and resolves names; returns every problem found.
    pub fn compile(s: Scenario) -> Result<Model, Vec<Problem>> {
        let mut c = Check::default();
        c.check_top(&s);
        let chain = c.chain(&s.world);
        let names: Vec<&str> = s.world.chain.iter().map(|e| e.name.as_str()).collect();
        let role_names: Vec<&str> = s.roles.iter().map(|r| r.name.as_str()).collect();
        c.unique("roles", &role_names);
        if s.roles.is_empty() {
            c.push(Problem::new("roles", "at least one role", "an empty list"));
        }
        let mut levers = Vec::new();
        let mut roles = Vec::new();
        for (ri, r) in s.roles.iter().enumerate() {
            let p = format!("roles[{ri}]");
            let mut ids = Vec::new();
            let lever_names: Vec<&str> = r.levers.iter().map(|l| l.name.as_str()).collect();
            c.unique(&format!("{p}.levers"), &lever_names);
            for (li, l) in r.levers.iter().enumerate() {
                ids.push(levers.len());
                levers.push(c.lever(
                    &format!("{p}.levers[{li}]"),
                    ri,
                    l,
                    &names,
                    &role_names,
                    &s.strategy,
                ));
            }
            let card = c.card(&format!("{p}.scorecard"), &r.scorecard, &names);
            c.behaviour(&format!("{p}.behaviour"), &r.behaviour);
            // One meaning: a listed stock point is seen (after its delay, 0 if none); an unlisted one is not.
            let mut sees = [None; MAX_ECHELONS];
            for (vi, v) in r.visibility.iter().enumerate() {
                let vp = format!("{p}.visibility[{vi}]");
                if let Some(e) = c.stock_point(&format!("{vp}.stock_point"), &v.stock_point, &names)
                {
                    // A chain longer than MAX_ECHELONS is already a problem; do not index past it.
                    if let Some(seen) = sees.get_mut(e) {
                        *seen = Some(v.delay_weeks.unwrap_or(0) as usize);
                    }
                    if let Some(d) = v.delay_weeks {
                        c.range(
                            &format!("{vp}.delay_weeks"),
                            d as f64,
                            limits::VISIBILITY_DELAY,
                        );
                    }
                }
            }
            let emphasis = emphasis(&card);
            roles.push(RoleSpec {
                name: r.name.clone(),
                levers: ids,
                card,
                behaviour: r.behaviour.clone(),
                sees,
                emphasis,
                shares_bonus: true,
            });
        }
        c.unique_lever_targets(&levers, &roles);
        c.covers_need_a_policy_with_cover(&s.roles, &chain);
        c.serving_needs_stores(&s.roles, &chain);
        let (weights, priority) = c.strategy(&s.strategy);
        let targets = c.targets(&s.strategy);
        let claimants = c.claimants(&s.strategy, &role_names);
        c.exclusions(&s.strategy, &s.roles);
        let shared = s.org.shared_bonus.as_ref().map(|b| {
            c.range("org.shared_bonus.weight", b.weight, limits::SHARE);
            if !b.roles.is_empty() {
                let covered = c.role_list("org.shared_bonus.roles", &b.roles, &role_names);
                for (k, r) in roles.iter_mut().enumerate() {
                    r.shares_bonus = covered.contains(&k);
                }
            }
            (
                b.weight,
                c.card("org.shared_bonus.scorecard", &b.scorecard, &names),
            )
        });
        c.range(
            "org.defection_cost",
            s.org.defection_cost,
            limits::DEFECTION_COST,
        );
        let meetings = s
            .org
            .meetings
            .as_ref()
            .map(|g| c.meetings("org.meetings", g, &role_names));
        let sell_in = match &s.world.sell_in_point {
            Some(sp) => c
                .stock_point("world.sell_in_point", sp, &names)
                .unwrap_or(0),
            None => 1.min(names.len().saturating_sub(1)),
        };
        if !c.problems.is_empty() {
            return Err(c.problems);
        }
        add_approval_gates(&s, &mut levers, &mut roles);
        let find = |t: &LeverTarget| levers.iter().position(|l| &l.target == t);
        let playbook = crate::scenario::playbook::Playbook::initial(
            &levers
                .iter()
                .map(|l| (l.initial_index(), l.options.len()))
                .collect::<Vec<_>>(),
            roles.len(),
        );
        Ok(Model {
            horizon: s.horizon_weeks as usize,
            period: s.period_weeks as usize,
            // Whole periods, so that the warm-up's period phase carries into week 1.
            warmup: (s.warmup_weeks as usize).div_ceil(s.period_weeks.max(1) as usize)
                * s.period_weeks.max(1) as usize,
            plan: None,
            playbook,
            overrides: Vec::new(),
            name: s.name.clone(),
            source_sha256: String::new(),
            warnings: Vec::new(),
            stores: s.world.stores as usize,
            sell_in,
            promo_lever: find(&LeverTarget::PromoDepth),
            loading_lever: find(&LeverTarget::TradeLoading),
            media_lever: find(&LeverTarget::MediaSpend),
            chain,
            levers,
            roles,
            weights,
            priority,
            targets,
            claimants,
            shared,
            defection_cost: s.org.defection_cost,
            meetings,
            scenario: s,
        })
    }
}

/// Gives each lever that another role approves a gate: a lever of the approver's, options
/// refuse (0) and approve (1), approving at first, decided as often as the lever it gates and
/// fitted like any other lever, to the approver's own scorecard and reading of the strategy.
/// Why a lever: the approver's rule then reads its own standing, the fit and the certificate
/// search its family, and the trace and charts show its decisions, with no machinery of its own.
/// A role that approves its own lever has no gate: only the latency remains.
fn add_approval_gates(s: &Scenario, levers: &mut Vec<LeverSpec>, roles: &mut [RoleSpec]) {
    for j in 0..levers.len() {
        let owner = levers[j].role;
        let Some(raw) = s.roles[owner]
            .levers
            .iter()
            .find(|l| l.name == levers[j].name)
        else {
            continue;
        };
        let Some(by) = raw
            .approval
            .as_ref()
            .and_then(|a| roles.iter().position(|r| r.name == a.by))
        else {
            continue;
        };
        if by == owner {
            continue;
        }
        let g = levers.len();
        levers[j].gate = Some(g);
        levers.push(LeverSpec {
            role: by,
            name: format!("approve_{}", levers[j].name),
            target: LeverTarget::Approval,
            echelon: 0,
            options: vec![0.0, 1.0],
            initial_value: 1.0,
            every: levers[j].every,
            latency: 0,
            max_uses: None,
            gate: None,
            approves: Some(j),
        });
        roles[by].levers.push(g);
    }
}

fn emphasis(card: &CardSpec) -> [f64; 3] {
    let mut e = [0.0; 3];
    for comp in &card.components {
        let k = Objective::ALL
            .iter()
            .position(|o| *o == comp.metric.emphasis())
            .unwrap();
        e[k] += comp.weight;
    }
    let s: f64 = e.iter().sum();
    if s > 0.0 {
        e.iter_mut().for_each(|x| *x /= s);
    }
    e
}

/// `g` at `path`, checked, with its room among `roles`: the meetings of a network scenario
/// (`network.meetings`, its roles the stock points) have the organisation's format and checks.
pub fn meeting_spec(
    path: &str,
    g: &Meetings,
    roles: &[&str],
    problems: &mut Vec<Problem>,
) -> MeetingSpec {
    let mut c = Check::default();
    let spec = c.meetings(path, g, roles);
    problems.extend(c.problems);
    spec
}

#[derive(Default)]
struct Check {
    problems: Vec<Problem>,
}

/// A problem with a "did you mean" hint when `word` is close to one of `names`.
fn with_nearest<'a>(p: Problem, word: &str, names: impl Iterator<Item = &'a str>) -> Problem {
    match crate::scenario::suggest::nearest(word, names) {
        Some(n) => p.hint(format!("did you mean '{n}'?")),
        None => p,
    }
}

/// A scorecard metric as written in the file.
pub(crate) fn metric_name(m: RoleMetric) -> String {
    m.name()
}

impl Check {
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// `v` at `path` must lie in `range` (the schema states the same range).
    fn range(&mut self, path: &str, v: f64, range: Range) {
        if let Some(p) = range.problem(path, v) {
            self.push(p);
        }
    }

    fn unique(&mut self, path: &str, names: &[&str]) {
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                self.push(Problem::new(
                    format!("{path}[{i}].name"),
                    "a name not used before in this list",
                    format!("'{n}' again"),
                ));
            }
            if n.is_empty() {
                self.push(Problem::new(
                    format!("{path}[{i}].name"),
                    "a non-empty name",
                    "''",
                ));
            }
        }
    }

    fn stock_point(&mut self, path: &str, name: &str, names: &[&str]) -> Option<usize> {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let mut p = Problem::new(
                path,
                format!("a stock point of world.chain ({})", names.join(", ")),
                format!("'{name}'"),
            );
            if let Some(n) = crate::scenario::suggest::nearest(name, names.iter().copied()) {
                p = p.hint(format!("did you mean '{n}'?"));
            }
            self.push(p);
        }
        found
    }

    fn check_top(&mut self, s: &Scenario) {
        let ok_name = !s.name.is_empty()
            && s.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok_name {
            self.push(Problem::new(
                "name",
                "letters, digits, '_' or '-' (it names the output folder)",
                format!("'{}'", s.name),
            ));
        }
        self.range(
            "horizon_weeks",
            s.horizon_weeks as f64,
            limits::HORIZON_WEEKS,
        );
        self.period(s);
        self.shelf_day(s);
        self.range("warmup_weeks", s.warmup_weeks as f64, limits::WARMUP_WEEKS);
        self.range("fit_races", s.fit_races as f64, limits::FIT_RACES);
        let w = &s.world;
        self.range("world.stores", w.stores as f64, limits::STORES);
        let d = &w.demand;
        self.range(
            "world.demand.base_per_store",
            d.base_per_store,
            limits::BASE_PER_STORE,
        );
        match d.distribution {
            DemandDistribution::Poisson => {}
            DemandDistribution::NegativeBinomial { dispersion } => self.range(
                "world.demand.distribution.dispersion",
                dispersion,
                limits::DISPERSION,
            ),
            DemandDistribution::Normal { cv } => {
                self.range("world.demand.distribution.cv", cv, limits::DEMAND_CV)
            }
        }
        self.range(
            "world.demand.store_size_cv",
            d.store_size_cv,
            limits::STORE_SIZE_CV,
        );
        self.range(
            "world.demand.season_amplitude",
            d.season_amplitude,
            limits::SEASON_AMPLITUDE,
        );
        self.range(
            "world.demand.season_peak_week",
            d.season_peak_week as f64,
            limits::SEASON_PEAK_WEEK,
        );
        self.range(
            "world.demand.promo_elasticity",
            d.promo_elasticity,
            limits::PROMO_ELASTICITY,
        );
        self.range("world.demand.pull_forward", d.pull_forward, limits::SHARE);
        self.range(
            "world.demand.lift_spread",
            d.lift_spread,
            limits::LIFT_SPREAD,
        );
        self.range(
            "world.demand.dip_weeks",
            d.dip_weeks as f64,
            limits::DIP_WEEKS,
        );
        let p = &w.prices;
        self.range("world.prices.shelf_price", p.shelf_price, limits::PRICE);
        self.range("world.prices.list_price", p.list_price, limits::PRICE);
        self.range("world.prices.unit_cost", p.unit_cost, limits::PRICE);
        self.range(
            "world.prices.loading_discount",
            p.loading_discount,
            limits::DISCOUNT,
        );
        let m = &w.media;
        self.range(
            "world.media.adstock_decay",
            m.adstock_decay,
            limits::ADSTOCK_DECAY,
        );
        self.range(
            "world.media.saturation_spend",
            m.saturation_spend,
            limits::SATURATION_SPEND,
        );
        self.range("world.media.max_uplift", m.max_uplift, limits::MAX_UPLIFT);
        self.range(
            "world.retailer_max_cover_weeks",
            w.retailer_max_cover_weeks,
            limits::COVER_WEEKS,
        );
        self.range(
            "world.store_order_miss",
            w.store_order_miss,
            limits::STORE_ORDER_MISS,
        );
        self.range(
            "world.end_salvage_fraction",
            w.end_salvage_fraction,
            limits::SHARE,
        );
        if let Some(l) = &w.launch {
            self.launch(l);
        }
    }

    /// A launch's numbers; its shelf day against the horizon is checked with the horizon.
    fn launch(&mut self, l: &crate::scenario::format::Launch) {
        let p = "world.launch";
        self.range(
            &format!("{p}.shelf_week"),
            l.shelf_week as f64,
            limits::HORIZON_WEEKS,
        );
        for (name, span) in [
            ("notice_weeks", l.notice_weeks),
            ("approval_weeks", l.approval_weeks),
        ] {
            self.range(
                &format!("{p}.{name}.min"),
                span.min as f64,
                limits::LAUNCH_WEEKS,
            );
            self.range(
                &format!("{p}.{name}.max"),
                span.max as f64,
                limits::LAUNCH_WEEKS,
            );
            if span.min > span.max {
                self.push(Problem::new(
                    format!("{p}.{name}.max"),
                    format!("at least min ({})", span.min),
                    span.max.to_string(),
                ));
            }
        }
        self.range(
            &format!("{p}.campaign_weeks"),
            l.campaign_weeks as f64,
            limits::CAMPAIGN_WEEKS,
        );
        self.range(
            &format!("{p}.campaign_spend"),
            l.campaign_spend,
            limits::MEDIA_SPEND,
        );
        self.range(
            &format!("{p}.private_label_margin"),
            l.private_label_margin,
            limits::PRIVATE_LABEL_MARGIN,
        );
    }

    /// A period outside its fixed range (the schema's) is refused in those words; one within it
    /// but longer than the horizon names the horizon. Against a horizon that is itself out of
    /// range, a period cannot be judged: one problem, not two.
    /// A launch whose shelf day lies beyond the horizon never sells: nothing to measure.
    fn shelf_day(&mut self, s: &Scenario) {
        let Some(l) = &s.world.launch else {
            return;
        };
        let h = s.horizon_weeks;
        if limits::HORIZON_WEEKS.contains(h as f64) && l.shelf_week > h {
            self.push(Problem::new(
                "world.launch.shelf_week",
                format!("a week within the horizon (1 to horizon_weeks = {h})"),
                l.shelf_week.to_string(),
            ));
        }
    }

    fn period(&mut self, s: &Scenario) {
        let period = s.period_weeks as f64;
        if !limits::PERIOD_WEEKS.contains(period) {
            self.range("period_weeks", period, limits::PERIOD_WEEKS);
            return;
        }
        let horizon = s.horizon_weeks;
        if limits::HORIZON_WEEKS.contains(horizon as f64) && s.period_weeks > horizon {
            self.push(Problem::new(
                "period_weeks",
                format!("a number from 1 to {horizon} (horizon_weeks)"),
                s.period_weeks.to_string(),
            ));
        }
    }

    fn chain(&mut self, w: &World) -> Vec<Echelon> {
        let n = w.chain.len();
        if n == 0 || n > MAX_ECHELONS {
            self.push(Problem::new(
                "world.chain",
                format!("1 to {MAX_ECHELONS} stock points"),
                format!("{n}"),
            ));
        }
        let names: Vec<&str> = w.chain.iter().map(|e| e.name.as_str()).collect();
        self.unique("world.chain", &names);
        let mut out = Vec::new();
        for (i, sp) in w.chain.iter().enumerate() {
            let p = format!("world.chain[{i}]");
            if sp.per_store && i + 1 != n {
                self.push(
                    Problem::new(
                        format!("{p}.per_store"),
                        "false (only the last stock point, facing consumers, is per store)",
                        "true",
                    )
                    .hint("put the store stock point last in world.chain"),
                );
            }
            self.range(
                &format!("{p}.lead_time_weeks"),
                sp.lead_time_weeks as f64,
                limits::LEAD_WEEKS,
            );
            self.range(
                &format!("{p}.order_delay_weeks"),
                sp.order_delay_weeks as f64,
                limits::LEAD_WEEKS,
            );
            self.range(
                &format!("{p}.initial_cover_weeks"),
                sp.initial_cover_weeks,
                limits::COVER_WEEKS,
            );
            if let Some(sl) = sp.shelf_life_weeks {
                self.range(
                    &format!("{p}.shelf_life_weeks"),
                    sl as f64,
                    limits::SHELF_LIFE_WEEKS,
                );
            }
            self.range(
                &format!("{p}.holding_cost"),
                sp.holding_cost,
                limits::HOLDING_COST,
            );
            self.policy(&format!("{p}.policy"), &sp.policy);
            out.push(Echelon {
                name: sp.name.clone(),
                per_store: sp.per_store,
                lead: sp.lead_time_weeks as usize,
                order_delay: sp.order_delay_weeks as usize,
                initial_cover: sp.initial_cover_weeks,
                unmet: sp.unmet,
                shelf_life: sp.shelf_life_weeks.map(|s| s as usize),
                holding: sp.holding_cost,
                policy: sp.policy.clone(),
            });
        }
        out
    }

    fn policy(&mut self, p: &str, pol: &OrderPolicy) {
        match pol {
            OrderPolicy::OrderUpTo {
                forecast,
                cover_weeks,
                safety_factor,
            } => {
                match forecast {
                    Forecast::MovingAverage { window } => self.range(
                        &format!("{p}.forecast.window"),
                        *window as f64,
                        limits::FORECAST_WINDOW,
                    ),
                    Forecast::ExpSmoothing { alpha } => self.range(
                        &format!("{p}.forecast.alpha"),
                        *alpha,
                        limits::SMOOTHING_ALPHA,
                    ),
                }
                self.range(
                    &format!("{p}.cover_weeks"),
                    *cover_weeks,
                    limits::COVER_WEEKS,
                );
                self.range(
                    &format!("{p}.safety_factor"),
                    *safety_factor,
                    limits::SAFETY_FACTOR,
                );
            }
            OrderPolicy::Sterman {
                theta,
                alpha_s,
                beta,
                desired_cover_weeks,
            } => {
                self.range(&format!("{p}.theta"), *theta, limits::SHARE);
                self.range(&format!("{p}.alpha_s"), *alpha_s, limits::SHARE);
                self.range(&format!("{p}.beta"), *beta, limits::SHARE);
                self.range(
                    &format!("{p}.desired_cover_weeks"),
                    *desired_cover_weeks,
                    limits::COVER_WEEKS,
                );
            }
            OrderPolicy::Fixed { quantity } => {
                self.range(&format!("{p}.quantity"), *quantity, limits::FIXED_QUANTITY)
            }
        }
    }

    fn lever(
        &mut self,
        p: &str,
        role: usize,
        l: &Lever,
        names: &[&str],
        roles: &[&str],
        strat: &Strategy,
    ) -> LeverSpec {
        let n = l.options.len();
        if n == 0 || n > MAX_OPTIONS {
            self.push(Problem::new(
                format!("{p}.options"),
                format!("1 to {MAX_OPTIONS} options"),
                format!("{n}"),
            ));
        }
        let range = l.acts_on.option_range();
        for (i, o) in l.options.iter().enumerate() {
            if l.options[..i].contains(o) {
                self.push(Problem::new(
                    format!("{p}.options[{i}]"),
                    "each option once",
                    format!("{} again", num(*o)),
                ));
            }
            self.range(&format!("{p}.options[{i}]"), *o, range);
        }
        if l.initial >= n.max(1) {
            self.push(
                Problem::new(
                    format!("{p}.initial"),
                    format!("an option index below {n}"),
                    format!("{}", l.initial),
                )
                .hint("initial is the position in options, counting from 0, not the value"),
            );
        }
        self.range(
            &format!("{p}.decide_every_weeks"),
            l.decide_every_weeks as f64,
            limits::WEEKS_IN_A_YEAR,
        );
        if let Some(k) = l.max_uses_per_period {
            self.range(
                &format!("{p}.max_uses_per_period"),
                k as f64,
                limits::WEEKS_IN_A_YEAR,
            );
        }
        let echelon = match &l.acts_on {
            LeverTarget::OrderCover { stock_point } | LeverTarget::ForwardBuy { stock_point } => {
                let e = self.stock_point(&format!("{p}.acts_on.stock_point"), stock_point, names);
                e.unwrap_or(0)
            }
            LeverTarget::StoresServed { stock_point } => {
                let path = format!("{p}.acts_on.stock_point");
                let e = self.stock_point(&path, stock_point, names);
                // Only stores can be served or not: the last stock point, replicated per store.
                if let Some(e) = e.filter(|&e| e + 1 != names.len()) {
                    self.push(Problem::new(
                        path,
                        format!("the stores' stock point ('{}')", names[names.len() - 1]),
                        format!("'{}', stock point {} of {}", names[e], e + 1, names.len()),
                    ));
                }
                e.unwrap_or(0)
            }
            _ => 0,
        };
        let mut latency = 0;
        if let Some(a) = &l.approval {
            if !roles.contains(&a.by.as_str()) {
                let mut pr = Problem::new(
                    format!("{p}.approval.by"),
                    format!("a role ({})", roles.join(", ")),
                    format!("'{}'", a.by),
                );
                if let Some(near) = crate::scenario::suggest::nearest(&a.by, roles.iter().copied())
                {
                    pr = pr.hint(format!("did you mean '{near}'?"));
                }
                self.push(pr);
            }
            self.range(
                &format!("{p}.approval.latency_weeks"),
                a.latency_weeks as f64,
                limits::LEAD_WEEKS,
            );
            latency = a.latency_weeks as usize;
        }
        let role_name = roles.get(role).copied().unwrap_or("");
        let excluded: Vec<f64> = strat
            .exclusions
            .iter()
            .filter(|x| x.role == role_name && x.lever == l.name)
            .flat_map(|x| x.options.iter().copied())
            .collect();
        let options: Vec<f64> = l
            .options
            .iter()
            .copied()
            .filter(|o| !excluded.contains(o))
            .collect();
        if options.is_empty() && n > 0 {
            self.push(Problem::new(
                format!("{p}.options"),
                "at least one option left after strategy.exclusions",
                "every option excluded",
            ));
        }
        LeverSpec {
            role,
            name: l.name.clone(),
            target: l.acts_on.clone(),
            echelon,
            initial_value: l.options.get(l.initial).copied().unwrap_or(0.0),
            options,
            every: l.decide_every_weeks.max(1) as usize,
            latency,
            max_uses: l.max_uses_per_period.map(|k| k as usize),
            gate: None,
            approves: None,
        }
    }

    fn unique_lever_targets(&mut self, levers: &[LeverSpec], roles: &[RoleSpec]) {
        let path = |k: usize| {
            let r = levers[k].role;
            let j = roles[r].levers.iter().position(|&id| id == k).unwrap_or(0);
            format!("roles[{r}].levers[{j}]")
        };
        for (i, l) in levers.iter().enumerate() {
            if let Some(first) = levers[..i].iter().position(|m| m.target == l.target) {
                let what = match &l.target {
                    LeverTarget::OrderCover { stock_point } => {
                        format!("order_cover of '{stock_point}'")
                    }
                    LeverTarget::ForwardBuy { stock_point } => {
                        format!("forward_buy at '{stock_point}'")
                    }
                    LeverTarget::StoresServed { stock_point } => {
                        format!("stores_served at '{stock_point}'")
                    }
                    LeverTarget::PromoDepth => "promo_depth".into(),
                    LeverTarget::TradeLoading => "trade_loading".into(),
                    LeverTarget::MediaSpend => "media_spend".into(),
                    LeverTarget::Approval => "approval".into(),
                };
                self.push(Problem::new(
                    format!("{}.acts_on", path(i)),
                    "one lever per target in the whole organisation",
                    format!(
                        "a second lever ('{}') on {what}, already set by '{}' ({})",
                        l.name,
                        levers[first].name,
                        path(first)
                    ),
                ));
            }
        }
    }

    fn card(&mut self, p: &str, card: &Scorecard, names: &[&str]) -> CardSpec {
        if card.components.is_empty() {
            self.push(Problem::new(
                format!("{p}.components"),
                "at least one component",
                "an empty list",
            ));
        }
        let total: f64 = card
            .components
            .iter()
            .map(|c| c.weight)
            .filter(|w| w.is_finite())
            .sum();
        let mut comps = Vec::new();
        for (i, comp) in card.components.iter().enumerate() {
            let cp = format!("{p}.components[{i}]");
            self.range(&format!("{cp}.weight"), comp.weight, limits::WEIGHT);
            let (target, plan) = match comp.target {
                TargetValue::Absolute(v) => {
                    // Fill rate and reach are shares: range() hints at a percentage written for a fraction.
                    let range = if RoleMetric::SHARES.contains(&comp.metric) {
                        limits::SHARE
                    } else {
                        limits::TARGET
                    };
                    self.range(&format!("{cp}.target"), v, range);
                    (v, None)
                }
                TargetValue::Plan { plan } => {
                    self.plan_factor(&format!("{cp}.target.plan"), plan);
                    (f64::NAN, Some(plan))
                }
            };
            let echelon = match (&comp.stock_point, comp.metric.needs_stock_point()) {
                (Some(sp), true) => self
                    .stock_point(&format!("{cp}.stock_point"), sp, names)
                    .unwrap_or(0),
                (None, true) => {
                    self.push(Problem::new(
                        format!("{cp}.stock_point"),
                        format!(
                            "the stock point {} measures ({})",
                            metric_name(comp.metric),
                            names.join(", ")
                        ),
                        "none",
                    ));
                    0
                }
                (Some(sp), false) => {
                    self.push(
                        Problem::new(
                            format!("{cp}.stock_point"),
                            format!(
                                "no stock_point ({} is not measured per stock point)",
                                metric_name(comp.metric)
                            ),
                            format!("'{sp}'"),
                        )
                        .hint("only inventory_turns and weeks_of_cover take a stock_point"),
                    );
                    0
                }
                (None, false) => 0,
            };
            comps.push(ComponentSpec {
                metric: comp.metric,
                echelon,
                target,
                plan,
                weight: comp.weight / total.max(1e-300),
            });
        }
        if !card.components.is_empty() && total <= 0.0 {
            self.push(Problem::new(
                format!("{p}.components"),
                "weights with a positive sum",
                "weights summing to 0",
            ));
        } else {
            self.sum_is_sensible(&format!("{p}.components"), total);
        }
        self.range(
            &format!("{p}.payout.threshold"),
            card.payout.threshold,
            limits::PAYOUT_THRESHOLD,
        );
        self.range(
            &format!("{p}.payout.cap"),
            card.payout.cap,
            limits::PAYOUT_CAP,
        );
        CardSpec {
            components: comps,
            threshold: card.payout.threshold,
            cap: card.payout.cap,
        }
    }

    /// A multiple of the plan: above 0, at most 10 (a target ten times the plan is a slip).
    fn plan_factor(&mut self, path: &str, v: f64) {
        if v.is_finite() && v > limits::PLAN_FACTOR.max && v <= 1000.0 {
            self.push(
                Problem::new(path, limits::PLAN_FACTOR.expected(), num(v)).hint(format!(
                    "a multiple of the plan, not a percentage: {} for {v}%",
                    v / 100.0
                )),
            );
        } else {
            self.range(path, v, limits::PLAN_FACTOR);
        }
    }

    fn behaviour(&mut self, p: &str, b: &Behaviour) {
        self.range(
            &format!("{p}.deck_weight"),
            b.deck_weight,
            limits::DECK_WEIGHT,
        );
        self.range(&format!("{p}.temperature"), b.temperature, limits::SHARE);
        self.range(
            &format!("{p}.motivated_reading"),
            b.motivated_reading,
            limits::SHARE,
        );
    }

    fn strategy(&mut self, s: &Strategy) -> ([f64; 3], Vec<usize>) {
        let mut w = [0.0; 3];
        if s.objectives.is_empty() {
            self.push(Problem::new(
                "strategy.objectives",
                "at least one objective",
                "an empty list",
            ));
        }
        for (i, o) in s.objectives.iter().enumerate() {
            let k = Objective::ALL
                .iter()
                .position(|x| *x == o.objective)
                .unwrap();
            if w[k] != 0.0 || s.objectives[..i].iter().any(|x| x.objective == o.objective) {
                self.push(Problem::new(
                    format!("strategy.objectives[{i}].objective"),
                    "each objective once",
                    format!("'{}' again", o.objective.name()),
                ));
            }
            self.range(
                &format!("strategy.objectives[{i}].weight"),
                o.weight,
                limits::WEIGHT,
            );
            if o.weight.is_finite() && o.weight >= 0.0 {
                w[k] += o.weight;
            }
        }
        let total: f64 = w.iter().sum();
        if !s.objectives.is_empty() && total <= 0.0 {
            self.push(Problem::new(
                "strategy.objectives",
                "weights with a positive sum",
                "weights summing to 0",
            ));
        } else if total > 0.0 {
            self.sum_is_sensible("strategy.objectives", total);
            w.iter_mut().for_each(|x| *x /= total);
        }
        self.range("strategy.ambiguity", s.ambiguity, limits::SHARE);
        let mut prio = Vec::new();
        for (i, o) in s.priority.iter().enumerate() {
            let k = Objective::ALL.iter().position(|x| x == o).unwrap();
            if prio.contains(&k) {
                self.push(Problem::new(
                    format!("strategy.priority[{i}]"),
                    "each objective once",
                    format!("'{}' again", o.name()),
                ));
            } else if !s.objectives.iter().any(|x| x.objective == *o) {
                self.push(Problem::new(
                    format!("strategy.priority[{i}]"),
                    "an objective listed in strategy.objectives",
                    format!("'{}'", o.name()),
                ));
            }
            prio.push(k);
        }
        (w, prio)
    }

    fn targets(&mut self, s: &Strategy) -> Vec<TargetSpec> {
        let mut out = Vec::new();
        for (i, t) in s.targets.iter().enumerate() {
            let p = format!("strategy.targets[{i}]");
            match GLOBAL_METRICS.iter().position(|m| *m == t.metric) {
                Some(metric) => out.push(TargetSpec {
                    metric,
                    at_least: t.at_least.and_then(TargetValue::absolute),
                    at_most: t.at_most.and_then(TargetValue::absolute),
                    written: [t.at_least, t.at_most],
                }),
                None => {
                    let mut pr = Problem::new(
                        format!("{p}.metric"),
                        format!("a per-trial metric ({})", GLOBAL_METRICS.join(", ")),
                        format!("'{}'", t.metric),
                    );
                    if let Some(n) =
                        crate::scenario::suggest::nearest(&t.metric, GLOBAL_METRICS.iter().copied())
                    {
                        pr = pr.hint(format!("did you mean '{n}'?"));
                    }
                    self.push(pr);
                }
            }
            if t.at_least.is_none() && t.at_most.is_none() {
                self.push(Problem::new(&p, "at_least or at_most", "neither"));
            }
            for (k, v) in [("at_least", t.at_least), ("at_most", t.at_most)] {
                if let Some(TargetValue::Plan { plan }) = v {
                    self.plan_factor(&format!("{p}.{k}.plan"), plan);
                    if not_in_plan(&t.metric) {
                        self.push(Problem::new(
                            format!("{p}.{k}"),
                            format!("an absolute bound ({} has no plan value)", t.metric),
                            "a bound relative to the plan",
                        ));
                    }
                }
                if let Some(TargetValue::Absolute(v)) = v {
                    if !v.is_finite() {
                        self.push(Problem::new(format!("{p}.{k}"), "a finite number", num(v)));
                    }
                    // A share (fill rate, a rate of trials) cannot exceed 1: 95 means 0.95.
                    if SHARE_METRICS.contains(&t.metric.as_str())
                        && v.is_finite()
                        && !limits::SHARE.contains(v)
                    {
                        let pr = Problem::new(
                            format!("{p}.{k}"),
                            format!("a share from 0 to 1 ({} is one)", t.metric),
                            num(v),
                        );
                        self.push(if v > 1.0 && v <= 100.0 {
                            pr.hint(format!(
                                "a fraction, not a percentage: {} for {v}%",
                                v / 100.0
                            ))
                        } else {
                            pr
                        });
                    }
                }
            }
            let (lo, hi) = (t.at_least, t.at_most);
            if let (Some(TargetValue::Absolute(lo)), Some(TargetValue::Absolute(hi))) = (lo, hi) {
                if lo > hi {
                    self.push(Problem::new(
                        &p,
                        "at_least no larger than at_most (a target that can be met)",
                        format!("at_least {} above at_most {}", num(lo), num(hi)),
                    ));
                }
            }
        }
        out
    }

    /// Serving a share of the stores needs stores: a last stock point replicated per store.
    /// Pooled into one node, a share of it would silently do nothing.
    fn serving_needs_stores(&mut self, roles: &[Role], chain: &[Echelon]) {
        let Some(last) = chain.last() else {
            return;
        };
        for (ri, r) in roles.iter().enumerate() {
            for (li, l) in r.levers.iter().enumerate() {
                let LeverTarget::StoresServed { stock_point } = &l.acts_on else {
                    continue;
                };
                if stock_point == &last.name && !last.per_store {
                    self.push(
                        Problem::new(
                            format!("roles[{ri}].levers[{li}].acts_on"),
                            "a stock point replicated per store (per_store: true)",
                            format!("'{stock_point}', one pooled node"),
                        )
                        .hint("a share of one node serves all of it or nothing: mark the stores per_store, or drop the lever"),
                    );
                }
            }
        }
    }

    /// A cover lever on a point that orders a fixed quantity would silently do nothing.
    fn covers_need_a_policy_with_cover(&mut self, roles: &[Role], chain: &[Echelon]) {
        for (ri, r) in roles.iter().enumerate() {
            for (li, l) in r.levers.iter().enumerate() {
                let LeverTarget::OrderCover { stock_point } = &l.acts_on else {
                    continue;
                };
                let fixed = chain
                    .iter()
                    .find(|e| &e.name == stock_point)
                    .is_some_and(|e| matches!(e.policy, OrderPolicy::Fixed { .. }));
                if fixed {
                    self.push(
                        Problem::new(format!("roles[{ri}].levers[{li}].acts_on"), "a stock point whose policy has a cover (order_up_to or sterman)", format!("'{stock_point}', which orders a fixed quantity"))
                            .hint("the lever would change nothing: give the stock point an order_up_to policy, or drop the lever"),
                    );
                }
            }
        }
    }

    /// Weights are shares of a whole: they sum to 1, or to 100 when written as percentages.
    /// Anything else (0.3 + 0.4 + 0.2) is almost always a slip, so it is refused, not normalised.
    fn sum_is_sensible(&mut self, path: &str, total: f64) {
        let near = |x: f64, tol: f64| (total - x).abs() <= tol;
        if total > 0.0 && !near(1.0, 1e-6) && !near(100.0, 1e-4) {
            self.push(
                Problem::new(
                    path,
                    "weights summing to 1 (or to 100, as percentages)",
                    format!("weights summing to {}", num((total * 1e6).round() / 1e6)),
                )
                .hint("weights are shares of the whole: check for a missing or mistyped weight"),
            );
        }
    }

    fn claimants(&mut self, s: &Strategy, roles: &[&str]) -> Vec<usize> {
        if s.claimants.is_empty() {
            return (0..roles.len()).collect();
        }
        self.role_list("strategy.claimants", &s.claimants, roles)
    }

    /// Indices of the roles a list names; each name that is not a role is a problem at `path[i]`.
    /// `g` at `p` (`org.meetings`, `network.meetings`), checked against the room's possible
    /// members, `roles`.
    fn meetings(&mut self, p: &str, g: &Meetings, role_names: &[&str]) -> MeetingSpec {
        let c = self;
        c.range(
            &format!("{p}.every_weeks"),
            g.every_weeks as f64,
            limits::WEEKS_IN_A_YEAR,
        );
        c.range(
            &format!("{p}.psychological_safety"),
            g.psychological_safety,
            limits::SHARE,
        );
        c.range(&format!("{p}.fear"), g.fear, limits::FEAR);
        c.range(
            &format!("{p}.decision_quorum"),
            g.decision_quorum,
            limits::QUORUM,
        );
        if let Some(d) = g.departure_doubt {
            c.range(&format!("{p}.departure_doubt"), d, limits::DEPARTURE_DOUBT);
        }
        c.range(
            &format!("{p}.vacancy_weeks"),
            g.vacancy_weeks as f64,
            limits::LEAD_WEEKS,
        );
        let roles = if g.roles.is_empty() {
            (0..role_names.len()).collect()
        } else {
            c.role_list(&format!("{p}.roles"), &g.roles, role_names)
        };
        MeetingSpec {
            every: g.every_weeks.max(1) as usize,
            safety: g.psychological_safety,
            fear: g.fear,
            quorum: g.decision_quorum,
            departure: g.departure_doubt,
            vacancy: g.vacancy_weeks as usize,
            roles,
        }
    }

    fn role_list(&mut self, path: &str, list: &[String], roles: &[&str]) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            match roles.iter().position(|r| r == c) {
                Some(k) => out.push(k),
                None => {
                    let p = Problem::new(
                        format!("{path}[{i}]"),
                        format!("a role ({})", roles.join(", ")),
                        format!("'{c}'"),
                    );
                    self.push(with_nearest(p, c, roles.iter().copied()));
                }
            }
        }
        out
    }

    fn exclusions(&mut self, s: &Strategy, roles: &[Role]) {
        for (i, x) in s.exclusions.iter().enumerate() {
            let p = format!("strategy.exclusions[{i}]");
            let Some(role) = roles.iter().find(|r| r.name == x.role) else {
                let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                let pr = Problem::new(
                    format!("{p}.role"),
                    format!("a role ({})", names.join(", ")),
                    format!("'{}'", x.role),
                );
                self.push(with_nearest(pr, &x.role, names.iter().copied()));
                continue;
            };
            let Some(lever) = role.levers.iter().find(|l| l.name == x.lever) else {
                let names: Vec<&str> = role.levers.iter().map(|l| l.name.as_str()).collect();
                let pr = Problem::new(
                    format!("{p}.lever"),
                    format!("a lever of {} ({})", x.role, names.join(", ")),
                    format!("'{}'", x.lever),
                );
                self.push(with_nearest(pr, &x.lever, names.iter().copied()));
                continue;
            };
            for (j, o) in x.options.iter().enumerate() {
                if !lever.options.contains(o) {
                    let opts: Vec<String> = lever.options.iter().map(|v| num(*v)).collect();
                    self.push(Problem::new(
                        format!("{p}.options[{j}]"),
                        format!(
                            "one of the options of {}.{} ({})",
                            x.role,
                            x.lever,
                            opts.join(", ")
                        ),
                        num(*o),
                    ));
                }
            }
        }
    }
}
