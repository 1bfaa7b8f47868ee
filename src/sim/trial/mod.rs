//! One trial: a pure function of (model, seed, trial index), stepped a week at a time.
//!
//! Any lever's decision can be supplied from outside ([`Trial::step_with`]): the batch run and a
//! live workshop are the same code. Running many trials on threads is the run layer's
//! ([`crate::run`]); nothing here starts a thread, touches a file or reads a clock.
//!
//! The trial is in three files: this one steps the weeks, [`view`] says what a role sees before
//! it decides, and `result` closes the books into a [`TrialResult`].

use crate::scenario::model::{Model, MAX_DELAY, MAX_STOCK_POINTS};
use crate::sim::meeting::{self, Record, Room, Seats};
use crate::sim::org::{self, Tally};
use crate::sim::rng::{self, Source};
use crate::sim::world::{self, Chain, Flows, Market};
use crate::stats::metrics::{SeriesLayout, TrialResult};
use rand_chacha::ChaCha8Rng;

mod result;
use result::store_nodes;
pub mod view;

pub use view::{Decision, LeverView, RoleView, SeenStock};

/// Whole-trial sums.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    flows: Tally,
    lost: f64,
    write_off: f64,
    holding: f64,
    stockout_store_weeks: f64,
    promo_weeks: f64,
    /// Stockout store-weeks in promotion weeks (the rest are in other weeks).
    promo_stockouts: f64,
    /// Sum of the realised lift factors of the promotion weeks.
    lift: f64,
    /// Units written off within [`AFTER_FLOP_WEEKS`] of a promotion that flopped.
    write_off_after_flops: f64,
    /// Scored weeks since the last flop (`usize::MAX`: none yet).
    since_flop: usize,
    /// Scored weeks in which an approver refused a lever's request.
    refused: f64,
    /// (n, sum, sum of squares) of weekly consumer demand and of production orders.
    demand: [f64; 3],
    orders: [f64; 3],
}

/// A promotion flops when it lifts less than half its expected extra volume.
pub const FLOP_LIFT: f64 = 0.5;
/// Weeks after a flop (its own week included) whose write-offs count as the flop's.
pub const AFTER_FLOP_WEEKS: usize = 8;

/// One seeded run of the scenario over its horizon.
pub struct Trial<'m> {
    model: &'m Model,
    trial: u64,
    /// The week about to be played, counted from the start of the warm-up (the world's clock).
    /// Weeks before `model.warmup` are unscored; scored week `t` is `tau - model.warmup`.
    tau: usize,
    market: Market,
    chain: Chain,
    /// `None` for the plan: demand at its expectation.
    demand_rng: Option<ChaCha8Rng>,
    /// Promotions' realised lift, scored weeks and warm-up (`Source::Lift`, `WarmupLift`).
    lift_rng: ChaCha8Rng,
    warm_lift_rng: ChaCha8Rng,
    /// Stores' missed orders, scored weeks and warm-up (`Source::OrderMiss`, `WarmupOrderMiss`).
    miss_rng: ChaCha8Rng,
    warm_miss_rng: ChaCha8Rng,
    /// Demand and slips during the warm-up, so that scored weeks draw the same numbers whatever
    /// the warm-up's length.
    warm_rng: ChaCha8Rng,
    choice_rngs: Vec<ChaCha8Rng>,
    readings: Vec<[f64; 3]>,
    /// `chosen[lever][tau]`: the option value chosen (in effect after the approval latency).
    chosen: Vec<Vec<f64>>,
    decided: Vec<f64>,
    /// Per lever: decisions away from the initial option this period (for `max_uses`).
    uses: Vec<usize>,
    pulls: Vec<[f64; 3]>,
    pressures: Vec<f64>,
    stock_history: [[f64; MAX_STOCK_POINTS]; MAX_DELAY + 1],
    period: Tally,
    /// Per period, per role tallies are not kept: only the sums of share-weighted attainment and payout.
    attainment: Vec<f64>,
    payout: Vec<f64>,
    /// Sum of the scored periods' shares of a full period (a short last period counts its share).
    periods_done: f64,
    /// Per closed period: its tally (for the plan's per-period values).
    period_tallies: Option<Vec<Tally>>,
    totals: Totals,
    layout: SeriesLayout,
    series: Vec<f64>,
    trace: Option<Vec<Decision>>,
    /// Whether roles slip (their temperature); never in the plan.
    slips: bool,
    /// Meetings' state and record (all empty without `org.meetings`).
    meetings: Meetings,
    /// A launch's campaign: the world-clock weeks it airs (empty without a launch).
    campaign: std::ops::Range<usize>,
}

/// What meetings have done so far in a trial, and their scratch space (made once, in
/// `Trial::new`, so a meeting allocates nothing).
struct Meetings {
    rng: ChaCha8Rng,
    /// Per lever, per option: excluded by a meeting's decision, for the rest of the trial.
    excluded: Vec<Vec<bool>>,
    /// Per lever, per option: scored weeks it was played so far.
    played: Vec<Vec<u32>>,
    /// Per role: unvoiced doubt, and when an emptied seat is filled again.
    seats: Seats,
    room: Room,
    record: Record,
}

impl<'m> Trial<'m> {
    /// Sets up trial `trial` of a run seeded with `seed`: store sizes and readings are drawn here,
    /// then the unscored warm-up weeks are played.
    pub fn new(model: &'m Model, seed: u64, trial: u64) -> Self {
        let cv = model.scenario.world.demand.store_size_cv;
        let mut sizes_rng = rng::stream(seed, trial, Source::StoreSizes);
        let sizes: Vec<f64> = (0..store_nodes(model))
            .map(|_| {
                let z = rng::normal_quantile(rng::open01(&mut sizes_rng));
                let s2 = (1.0 + cv * cv).ln();
                (s2.sqrt() * z - s2 / 2.0).exp()
            })
            .collect();
        let readings = (0..model.roles.len())
            .map(|r| {
                org::interpret(
                    model,
                    &model.roles[r],
                    &mut rng::stream(seed, trial, Source::Interpretation(r)),
                )
            })
            .collect();
        let mut trial = Trial::blank(model, trial, sizes, readings, seed);
        if let Some(l) = &model.scenario.world.launch {
            // Marketing asks for its campaign the week it learns the shelf date, and it airs
            // once approved: on shelf day if the notice covered the approval, late if not.
            let mut r = rng::stream(seed, trial.trial, Source::Launch);
            let mut draw = |span: crate::scenario::format::WeekSpan| {
                let k = (rng::open01(&mut r) * (span.max - span.min + 1) as f64) as u32;
                (span.min + k.min(span.max - span.min)) as usize
            };
            let (notice, approval) = (draw(l.notice_weeks), draw(l.approval_weeks));
            let start = world::shelf_tick(model) + approval.saturating_sub(notice);
            trial.campaign = start..start + l.campaign_weeks as usize;
        }
        trial.warm_up();
        trial
    }

    /// The plan: every lever at its initial option, demand at its expectation, every store of
    /// expected size, every role reading the strategy as written. Deterministic.
    pub fn plan(model: &'m Model) -> Self {
        let sizes = vec![1.0; store_nodes(model)];
        let mut trial = Trial::blank(model, 0, sizes, vec![model.weights; model.roles.len()], 0);
        trial.demand_rng = None;
        trial.slips = false;
        trial.warm_up();
        trial.period_tallies = Some(Vec::new());
        trial
    }

    fn blank(
        model: &'m Model,
        trial: u64,
        sizes: Vec<f64>,
        readings: Vec<[f64; 3]>,
        seed: u64,
    ) -> Self {
        let layout = SeriesLayout::new(model);
        // The plan's campaign: on shelf day, as the launch plan has it.
        let campaign = match &model.scenario.world.launch {
            Some(l) => {
                let start = world::shelf_tick(model);
                start..start + l.campaign_weeks as usize
            }
            None => 0..0,
        };
        Trial {
            campaign,
            model,
            trial,
            tau: 0,
            market: Market::new(),
            chain: Chain::new(model, sizes),
            demand_rng: Some(rng::stream(seed, trial, Source::Demand)),
            lift_rng: rng::stream(seed, trial, Source::Lift),
            warm_lift_rng: rng::stream(seed, trial, Source::WarmupLift),
            miss_rng: rng::stream(seed, trial, Source::OrderMiss),
            warm_miss_rng: rng::stream(seed, trial, Source::WarmupOrderMiss),
            warm_rng: rng::stream(seed, trial, Source::Warmup),
            choice_rngs: (0..model.roles.len())
                .map(|r| rng::stream(seed, trial, Source::Choice(r)))
                .collect(),
            readings,
            chosen: model
                .levers
                .iter()
                .map(|_| vec![0.0; model.warmup + model.horizon])
                .collect(),
            decided: vec![0.0; model.levers.len()],
            uses: vec![0; model.levers.len()],
            pulls: vec![[0.0; 3]; model.roles.len()],
            pressures: vec![0.0; model.roles.len()],
            stock_history: [[0.0; MAX_STOCK_POINTS]; MAX_DELAY + 1],
            period: Tally::default(),
            attainment: vec![0.0; model.roles.len()],
            payout: vec![0.0; model.roles.len()],
            periods_done: 0.0,
            period_tallies: None,
            totals: Totals {
                since_flop: usize::MAX,
                ..Totals::default()
            },
            series: vec![0.0; layout.count * model.horizon],
            layout,
            trace: None,
            slips: true,
            meetings: Meetings {
                rng: rng::stream(seed, trial, Source::Meeting),
                excluded: model
                    .levers
                    .iter()
                    .map(|l| vec![false; l.options.len()])
                    .collect(),
                played: model
                    .levers
                    .iter()
                    .map(|l| vec![0; l.options.len()])
                    .collect(),
                seats: Seats::new(model.roles.len()),
                room: Room::new(model.roles.len()),
                record: Record::default(),
            },
        }
    }

    /// Plays the unscored warm-up: whole periods with every role playing its own playbook, so
    /// that week 1 starts in the steady state of the policies the trial will play.
    fn warm_up(&mut self) {
        while self.tau < self.model.warmup {
            self.play_week(&[]);
        }
    }

    /// Records every decision from now on (for `orgsim trace`); the batch path never does.
    pub fn traced(mut self) -> Self {
        self.trace = Some(Vec::new());
        self
    }

    /// The decisions recorded so far, if traced.
    pub fn decisions(&self) -> &[Decision] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// The week about to be played.
    pub fn week(&self) -> usize {
        self.tau.saturating_sub(self.model.warmup)
    }

    /// Whether every week has been played.
    pub fn is_done(&self) -> bool {
        self.week() >= self.model.horizon
    }

    /// The weekly series so far, `series[s * horizon + t]` in [`SeriesLayout`] order
    /// ([`crate::stats::metrics::series_names`]); weeks not yet played are 0.
    pub fn series(&self) -> &[f64] {
        &self.series
    }

    /// The model the trial plays.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// Each role's reading of the strategy (weights on sell-out, margin, availability).
    pub fn readings(&self) -> &[[f64; 3]] {
        &self.readings
    }
    /// Plays one week with every decision made by the model's roles.
    pub fn step(&mut self) {
        self.step_with(&[]);
    }

    /// Plays one week; `external[j] = Some(i)` makes lever `j` take option `i` instead of
    /// the role's own choice (a workshop participant in that seat). Out-of-range
    /// options are ignored.
    pub fn step_with(&mut self, external: &[Option<usize>]) {
        if !self.is_done() {
            self.play_week(external);
        }
    }

    /// One week, warm-up or scored: decide, act, and (scored weeks only) record.
    fn play_week(&mut self, external: &[Option<usize>]) {
        let (m, tau) = (self.model, self.tau);
        let scored = tau >= m.warmup;
        // The warm-up is whole periods, so the period phase runs on through it.
        let ps = tau / m.period * m.period;
        let period_len = m.period.min(m.warmup + m.horizon - ps);
        if let Some(g) = &m.meetings {
            if scored && (tau - m.warmup) % g.every == 0 {
                self.meet(tau);
            }
        }
        self.decide(tau, tau - ps, period_len, external);
        let mut s = org::settings(m, |j| org::lever_value(m, &self.chosen, j, tau, tau + 1));
        if self.campaign.contains(&tau) {
            s.media_spend += m
                .scenario
                .world
                .launch
                .as_ref()
                .map_or(0.0, |l| l.campaign_spend);
        }
        s.promo_lift = self.draw_lift(scored);
        if self.demand_rng.is_some() && m.scenario.world.store_order_miss > 0.0 {
            let rng = if scored {
                &mut self.miss_rng
            } else {
                &mut self.warm_miss_rng
            };
            self.chain.miss_orders(m, rng);
        }
        let demand = match (&mut self.demand_rng, scored) {
            (None, _) => None,
            (Some(d), true) => Some(d),
            (Some(_), false) => Some(&mut self.warm_rng),
        };
        let f = world::advance(m, tau, &s, &mut self.market, &mut self.chain, demand);
        self.period.add(&f, m);
        self.stock_history[tau % (MAX_DELAY + 1)] = f.on_hand;
        let period_ends = tau + 1 == ps + period_len;
        if scored {
            self.record(tau - m.warmup, &f, &s);
            if period_ends {
                self.close_period(period_len);
            }
        } else if period_ends {
            self.period = Tally::default();
            self.uses.iter_mut().for_each(|u| *u = 0);
        }
        self.tau += 1;
    }

    /// This week's realised lift factor: lognormal with mean 1 and log standard deviation
    /// `lift_spread`, from one uniform drawn every week (promotion or not), so that a different
    /// promotion decision moves no other week's lift. The plan's lift is its expectation, 1.
    fn draw_lift(&mut self, scored: bool) -> f64 {
        let rng = if scored {
            &mut self.lift_rng
        } else {
            &mut self.warm_lift_rng
        };
        let u = rng::open01(rng);
        let sigma = self.model.scenario.world.demand.lift_spread;
        if self.demand_rng.is_none() || sigma == 0.0 {
            return 1.0;
        }
        (sigma * rng::normal_quantile(u) - 0.5 * sigma * sigma).exp()
    }

    /// Every lever's choice this week: the deck's (past its cap) or the role's rule, with its
    /// slip, unless a participant chose from outside; then an empty seat, an exclusion and the
    /// period's uses hold it back, and approvals settle what is requested.
    ///
    /// Long because the steps on a choice run in the order they bind (deck or rule, slip,
    /// outside choice, empty seat, exclusion, uses) and each reads the same week's state; the
    /// trace records the choice where it is made.
    fn decide(
        &mut self,
        tau: usize,
        elapsed: usize,
        period_len: usize,
        external: &[Option<usize>],
    ) {
        let m = self.model;
        let scored = tau >= m.warmup;
        for (r, role) in m.roles.iter().enumerate() {
            let st = org::standing(m, role, &self.period, elapsed, period_len);
            let pressure = org::pressure(&st);
            self.pressures[r] = pressure;
            for &j in &role.levers {
                let lever = &m.levers[j];
                if tau % lever.every != 0 {
                    self.decided[j] = self.kept(j, tau);
                    continue;
                }
                let rule = &m.playbook.rules[j];
                // The plan (no slips) plays its rules as written: nobody follows the deck there.
                let deck = if self.slips {
                    org::deck_choice(m, r, j, &st, &self.readings[r], &self.meetings.excluded[j])
                } else {
                    None
                };
                let rule_option = deck.unwrap_or_else(|| rule.option(&st));
                let n = lever.options.len();
                let slip = if self.slips {
                    role.behaviour.temperature
                } else {
                    0.0
                };
                let rng = if scored {
                    &mut self.choice_rngs[r]
                } else {
                    &mut self.warm_rng
                };
                let played = org::play(rule_option, n, slip, rng);
                let outside = external.get(j).copied().flatten().filter(|i| *i < n);
                let home = lever.initial_index();
                let mut option = outside.unwrap_or(played);
                let asked = option;
                if self.meetings.seats.vacant(r, tau) {
                    // An empty seat: nobody moves the lever from where the plan has it.
                    option = home;
                }
                if self.meetings.excluded[j][option] {
                    option = nearest_allowed(&lever.options, &self.meetings.excluded[j], option);
                }
                if option != home {
                    // Out of slots this period: the lever stays at its initial option.
                    if lever.max_uses.is_some_and(|k| self.uses[j] >= k) {
                        option = home;
                    } else {
                        self.uses[j] += 1;
                    }
                }
                self.decided[j] = lever.options[option];
                if !scored {
                    continue;
                }
                self.meetings.played[j][option] += 1;
                for k in 0..3 {
                    self.pulls[r][k] += m.playbook.pulls[j][option][k];
                }
                if let Some(trace) = &mut self.trace {
                    trace.push(Decision {
                        week: tau - m.warmup,
                        role: r,
                        lever: j,
                        standing: st,
                        pressure,
                        pushed: rule.pushes(&st),
                        rule_option,
                        asked,
                        chosen: option,
                        external: outside.is_some(),
                        followed_deck: deck.is_some(),
                    });
                }
            }
        }
        self.approve(tau, scored);
        for (j, v) in self.decided.iter().enumerate() {
            self.chosen[j][tau] = *v;
        }
    }

    /// Each gated lever's request (a decision other than the value it would otherwise keep) goes
    /// to its approver, whose gate decided this week too: refused, the lever keeps that value.
    /// After every role has decided, so the order of the roles does not matter.
    fn approve(&mut self, tau: usize, scored: bool) {
        let m = self.model;
        for (j, lever) in m.levers.iter().enumerate() {
            let Some(g) = lever.gate else { continue };
            let kept = self.kept(j, tau);
            if self.decided[j] != kept && self.decided[g] < 0.5 {
                self.decided[j] = kept;
                if scored {
                    self.totals.refused += 1.0;
                }
            }
        }
    }

    /// The value lever `j` keeps at week `tau` when nothing new is decided (or approved): last
    /// week's, or its initial value before the first week.
    fn kept(&self, j: usize, tau: usize) -> f64 {
        if tau == 0 {
            self.model.levers[j].initial_value
        } else {
            self.chosen[j][tau - 1]
        }
    }

    /// One meeting, at the start of week `tau`: who voices a doubt, and what follows.
    fn meet(&mut self, tau: usize) {
        let m = self.model;
        let Some(g) = &m.meetings else {
            return;
        };
        let n = g.roles.len();
        let mut mean = [0.0; 3];
        for &r in &g.roles {
            for (mk, rk) in mean.iter_mut().zip(self.readings[r]) {
                *mk += rk / n as f64;
            }
        }
        let mt = &mut self.meetings;
        for (i, &r) in g.roles.iter().enumerate() {
            let doubt = 0.5
                * (0..3)
                    .map(|k| (self.readings[r][k] - mean[k]).abs())
                    .sum::<f64>();
            mt.room.seat(i, doubt, &mut mt.rng);
        }
        mt.room.voice(g, n);
        if !meeting::close(g, &mt.room, &mut mt.seats, &mut mt.record, tau) {
            return;
        }
        // A decision: the loudest dissent (the largest doubt voiced) settles the trade-off, and
        // every reading in the room moves halfway to it (a decision persuades, it does not rewrite
        // minds). The option that has pulled hardest against it, weighted by how often it was
        // played, is ruled out: its owner loses something it wanted.
        let loudest = mt.room.loudest(n).expect("a decision has a voice");
        let settled = self.readings[g.roles[loudest]];
        for &r in &g.roles {
            for (rk, sk) in self.readings[r].iter_mut().zip(settled) {
                *rk = 0.5 * *rk + 0.5 * sk;
            }
        }
        let mut worst: Option<(f64, usize, usize)> = None;
        for &r in &g.roles {
            for &j in &m.roles[r].levers {
                let lever = &m.levers[j];
                let home = lever.initial_index();
                let open = mt.excluded[j].iter().filter(|x| !**x).count();
                let plays: u32 = mt.played[j].iter().sum();
                if open <= 2 || plays == 0 {
                    continue; // a lever keeps its plan option and one other
                }
                for o in 0..lever.options.len() {
                    if o == home || mt.excluded[j][o] {
                        continue;
                    }
                    let pull = &m.playbook.pulls[j][o];
                    let used = mt.played[j][o] as f64 / plays as f64;
                    let score: f64 = used * (0..3).map(|k| settled[k] * pull[k]).sum::<f64>();
                    if score < 0.0 && worst.is_none_or(|(s, _, _)| score < s) {
                        worst = Some((score, j, o));
                    }
                }
            }
        }
        if let Some((_, j, o)) = worst {
            mt.excluded[j][o] = true;
            mt.record.excluded += 1.0;
        }
    }

    fn record(&mut self, t: usize, f: &Flows, s: &world::Settings) {
        let m = self.model;
        let h = m.horizon;
        let tot = &mut self.totals;
        tot.flows.add(f, m);
        tot.lost += f.lost;
        tot.write_off += f.write_off;
        tot.holding += f.holding;
        tot.stockout_store_weeks += f.stockout_stores;
        let promo = s.promo_depth > 0.0;
        tot.promo_weeks += promo as u8 as f64;
        if promo {
            tot.promo_stockouts += f.stockout_stores;
            tot.lift += s.promo_lift;
            if s.promo_lift < FLOP_LIFT {
                tot.since_flop = 0;
            }
        }
        if tot.since_flop < AFTER_FLOP_WEEKS {
            tot.write_off_after_flops += f.write_off;
        }
        tot.since_flop = tot.since_flop.saturating_add(1);
        for (acc, x) in [(&mut tot.demand, f.demand), (&mut tot.orders, f.orders[0])] {
            acc[0] += 1.0;
            acc[1] += x;
            acc[2] += x * x;
        }
        let nodes = store_nodes(m) as f64;
        let fixed = [
            f.demand,
            f.sold,
            f.sell_in_units,
            f.lost,
            f.stockout_stores / nodes,
            f.write_off,
            s.promo_depth,
            s.media_spend,
            f.awareness,
        ];
        let ser = &mut self.series;
        for (i, v) in fixed.iter().enumerate() {
            ser[i * h + t] = *v;
        }
        let l = &self.layout;
        for e in 0..m.chain.len() {
            ser[(l.inventory + e) * h + t] = f.on_hand[e];
            ser[(l.cover + e) * h + t] = (f.on_hand[e] / f.forecast[e].max(1e-9)).min(52.0);
            ser[(l.orders + e) * h + t] = f.orders[e];
        }
        for (r, p) in self.pressures.iter().enumerate() {
            ser[(l.pressure + r) * h + t] = *p;
        }
        for j in 0..m.levers.len() {
            let tau = t + m.warmup;
            ser[(l.levers + j) * h + t] = org::lever_value(m, &self.chosen, j, tau, tau + 1);
        }
    }

    fn close_period(&mut self, period_len: usize) {
        let m = self.model;
        // A last period cut short by the horizon is scored against its pro-rated target and
        // weighs its share in the trial's averages.
        let share = period_len as f64 / m.period as f64;
        for (r, role) in m.roles.iter().enumerate() {
            self.attainment[r] += share * org::blended_attainment(m, role, &self.period, share);
            self.payout[r] += share * org::blended_payout(m, role, &self.period, share);
        }
        self.periods_done += share;
        self.uses.iter_mut().for_each(|u| *u = 0);
        if let Some(tallies) = &mut self.period_tallies {
            tallies.push(self.period);
        }
        self.period = Tally::default();
    }

    /// The tallies of the periods closed so far (kept by the plan only).
    pub fn period_tallies(&self) -> &[Tally] {
        self.period_tallies.as_deref().unwrap_or(&[])
    }
}

/// One trial, replayed with its decisions.
pub struct Traced {
    /// Every decision of every role, in week order.
    pub decisions: Vec<Decision>,
    /// The trial's result (the same as in a run with the same seed).
    pub result: TrialResult,
}

/// Replays trial `trial` of a run seeded with `seed`.
pub fn replay(model: &Model, seed: u64, trial: u64) -> Traced {
    let mut t = Trial::new(model, seed, trial).traced();
    while !t.is_done() {
        t.step();
    }
    let decisions = t.decisions().to_vec();
    Traced {
        decisions,
        result: t.finish(),
    }
}

/// Runs one whole trial.
pub fn run_trial(model: &Model, seed: u64, trial: u64) -> TrialResult {
    Trial::new(model, seed, trial).finish()
}

/// The allowed option nearest in value to `option` (the lower on a tie). The plan's option is
/// never excluded, so there is always one.
fn nearest_allowed(options: &[f64], excluded: &[bool], option: usize) -> usize {
    let mut best = None;
    for (o, v) in options.iter().enumerate() {
        if excluded[o] {
            continue;
        }
        let d = (v - options[option]).abs();
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((o, d));
        }
    }
    best.map_or(option, |(o, _)| o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::metrics::metric;

    fn model() -> Model {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        crate::scenario::load::load(&source, &["world.stores=3".into()]).unwrap()
    }

    #[test]
    fn company_profit_bears_the_company_s_costs_and_not_the_retailer_s() {
        // Same decisions (the initial playbook) and the same demand: only a cost moves.
        let with = |sets: &[&str]| {
            let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
            let mut all = vec!["world.stores=3".to_string()];
            all.extend(sets.iter().map(|s| s.to_string()));
            crate::scenario::load::load(&source, &all).unwrap()
        };
        let (base, retailer_dc, warehouse) = (
            with(&[]),
            with(&["world.chain.1.holding_cost=0.5"]),
            with(&["world.chain.0.holding_cost=0.5"]),
        );
        let (cp, p) = (metric("company_profit"), metric("profit"));
        for trial in 0..4 {
            let [b, r, w] = [&base, &retailer_dc, &warehouse].map(|m| run_trial(m, 3, trial));
            assert_eq!(
                r.metrics[cp], b.metrics[cp],
                "trial {trial}: the retailer's holding"
            );
            assert!(
                r.metrics[p] < b.metrics[p],
                "trial {trial}: the chain bears it"
            );
            assert!(
                w.metrics[cp] < b.metrics[cp],
                "trial {trial}: the company's holding"
            );
            assert!(w.metrics[p] < b.metrics[p], "trial {trial}");
        }
    }

    #[test]
    fn a_short_last_period_is_judged_against_its_pro_rated_target() {
        // The plan itself, 49 weeks: the last period is one week long. Every role in the plan
        // meets its plan-relative targets as well in that week as in a full period.
        let mut m = model();
        m.horizon = 49;
        let values = crate::sim::plan::compute(&m);
        crate::sim::plan::resolve(&mut m, values).unwrap();
        let mut t = Trial::plan(&m);
        while !t.is_done() {
            t.step();
        }
        let tallies = t.period_tallies().to_vec();
        assert_eq!(tallies.len(), 13);
        assert_eq!(tallies[12].weeks, 1.0);
        let sales = &m.roles[0];
        let full = org::blended_attainment(&m, sales, &tallies[11], 1.0);
        let short = org::blended_attainment(&m, sales, &tallies[12], 0.25);
        // Seasons move a week's sales by a few percent; scored as a full period it would be 0.25.
        assert!(
            (short - full).abs() < 0.1,
            "full period {full:.3}, short {short:.3}"
        );
    }
}
