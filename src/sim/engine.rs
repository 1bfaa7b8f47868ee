//! The tick engine: one [`Trial`] steps week by week; [`run`] runs many trials in
//! parallel and folds them into an [`Aggregate`] in a fixed order.
//!
//! A trial is a pure function of (model, seed, trial index). It can be stepped one
//! week at a time, and any lever's decision can be supplied from outside
//! ([`Trial::step_with`]): the batch engine and a live workshop are the same code.

use crate::error::{Error, Result};
use crate::scenario::model::{Model, MAX_DELAY, MAX_ECHELONS};
use crate::scenario::playbook::Standing;
use crate::sim::meeting::{self, Record, Room, Seats};
use crate::sim::org::{self, Tally};
use crate::sim::rng::{self, Source};
use crate::sim::world::{self, Chain, Flows, Market};
use crate::stats::metrics::{
    metric, Aggregate, SeriesLayout, TrialResult, GLOBAL_METRICS, ROLE_VALUES, VALUE_LIMIT,
};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// What a role sees at a decision week (see [`Trial::view`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoleView {
    /// The role.
    pub role: String,
    /// The week about to be played (0-based).
    pub week: usize,
    /// 1-based week within the scorecard period.
    pub week_of_period: usize,
    /// Length of this period.
    pub period_weeks: usize,
    /// How hard the bonus pulls now (0 to 0.95).
    pub pressure: f64,
    /// Scorecard attainment so far this period, against the pro-rated target.
    pub attainment_so_far: f64,
    /// The role's reading of the strategy (sell-out, margin, availability).
    pub reading: [f64; 3],
    /// Stock at each stock point as the role sees it.
    pub stock: Vec<SeenStock>,
    /// The role's levers.
    pub levers: Vec<LeverView>,
}

/// One stock point as a role sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeenStock {
    /// The stock point.
    pub stock_point: String,
    /// Units on hand, or None where the role cannot see (or cannot see yet).
    pub units: Option<f64>,
    /// The week those units were counted (negative: a warm-up week).
    pub as_of_week: Option<i64>,
}

/// A lever as its owner sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeverView {
    /// Its name.
    pub name: String,
    /// Allowed options.
    pub options: Vec<f64>,
    /// The value in effect before this week's decision.
    pub in_effect: f64,
}

/// One decision as the trace records it (see [`Trial::traced`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The week (0-based, scored weeks only).
    pub week: usize,
    /// Role index.
    pub role: usize,
    /// Lever index.
    pub lever: usize,
    /// Where the role stood.
    pub standing: Standing,
    /// How hard the bonus pulled (see [`org::pressure`]).
    pub pressure: f64,
    /// Whether the rule's push fired.
    pub pushed: bool,
    /// The rule's option (index).
    pub rule_option: usize,
    /// The option played (index): the rule's, a slip, or one supplied from outside.
    pub chosen: usize,
    /// Whether the choice was supplied from outside ([`Trial::step_with`]).
    pub external: bool,
    /// Whether the role was past its bonus cap and so played the option its reading of the
    /// strategy prefers (see [`org::deck_choice`]) in place of its rule's.
    pub followed_deck: bool,
}

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
    stock_history: [[f64; MAX_ECHELONS]; MAX_DELAY + 1],
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
            stock_history: [[0.0; MAX_ECHELONS]; MAX_DELAY + 1],
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

    /// Each role's reading of the strategy (weights on sell-out, margin, availability).
    pub fn readings(&self) -> &[[f64; 3]] {
        &self.readings
    }

    /// What role `r` sees before deciding this week: stock where it can see it (as of the week
    /// its visibility delay allows), its pressure, its scorecard so far, its levers. A value a
    /// workshop page can show to the participant in that seat.
    pub fn view(&self, r: usize) -> RoleView {
        let (m, t, tau) = (self.model, self.week(), self.tau);
        let role = &m.roles[r];
        let ps = t / m.period * m.period;
        let period_len = m.period.min(m.horizon.saturating_sub(ps)).max(1);
        let stock = m
            .chain
            .iter()
            .enumerate()
            .map(|(e, sp)| {
                // Stock is counted at the end of each week: d weeks late is the count of week t - 1 - d
                // (counts from the warm-up are there to be seen at the start).
                let seen = role.sees[e].and_then(|d| (tau > d).then(|| tau - 1 - d));
                SeenStock {
                    stock_point: sp.name.clone(),
                    units: seen.map(|w| self.stock_history[w % (MAX_DELAY + 1)][e]),
                    as_of_week: seen.map(|w| w as i64 - m.warmup as i64),
                }
            })
            .collect();
        let levers = role
            .levers
            .iter()
            .map(|&j| LeverView {
                name: m.levers[j].name.clone(),
                options: m.levers[j].options.clone(),
                in_effect: org::lever_value(m, &self.chosen, j, tau, tau),
            })
            .collect();
        let st = org::standing(m, role, &self.period, t - ps, period_len);
        RoleView {
            role: role.name.clone(),
            week: t,
            week_of_period: t - ps + 1,
            period_weeks: period_len,
            pressure: org::pressure(&st),
            attainment_so_far: 1.0 - st.shortfall,
            reading: self.readings[r],
            stock,
            levers,
        }
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

    /// Plays any remaining weeks and reports the trial.
    pub fn finish(mut self) -> TrialResult {
        while !self.is_done() {
            self.step();
        }
        let m = self.model;
        let p = &m.scenario.world.prices;
        let tot = &self.totals;
        let fl = &tot.flows;
        let ending = self.chain.units_in_system() as f64;
        let gross = fl.revenue - fl.sold * p.unit_cost;
        let profit = gross
            - tot.holding
            - tot.write_off * p.unit_cost
            - fl.media_spend
            - ending * p.unit_cost * (1.0 - m.scenario.world.end_salvage_fraction);
        let var = |a: &[f64; 3]| {
            if a[0] > 1.0 {
                (a[2] - a[1] * a[1] / a[0]) / (a[0] - 1.0)
            } else {
                0.0
            }
        };
        let (vd, vo) = (var(&tot.demand), var(&tot.orders));
        let bullwhip = if vd > 1e-12 { vo / vd } else { 0.0 };
        let periods = self.periods_done.max(1e-9);
        let mut roles: Vec<[f64; ROLE_VALUES]> = (0..m.roles.len())
            .map(|r| {
                let a = self.attainment[r] / periods;
                [a, self.payout[r] / periods, (a >= 1.0) as u8 as f64, 0.0]
            })
            .collect();
        let mut metrics = vec![0.0; GLOBAL_METRICS.len()];
        // Non-finite values are kept: `run` refuses them by name instead of writing a 0.
        let mut set = |name: &str, v: f64| metrics[metric(name)] = v;
        set("sell_out_units", fl.sold);
        set("sell_in_units", fl.sell_in_units);
        set("consumer_demand_units", fl.demand);
        set("revenue", fl.revenue);
        set("company_revenue", fl.sell_in_revenue);
        set("gross_margin", gross);
        set("profit", profit);
        // The company's stock left at the end is valued as the chain's is in `profit`.
        let company_ending = self.chain.company_units() as f64;
        set(
            "company_profit",
            fl.company_profit
                - company_ending * p.unit_cost * (1.0 - m.scenario.world.end_salvage_fraction),
        );
        set(
            "fill_rate",
            if fl.demand > 0.0 {
                fl.sold / fl.demand
            } else {
                1.0
            },
        );
        set("stockout_store_weeks", tot.stockout_store_weeks);
        set(
            "on_shelf_availability",
            1.0 - tot.stockout_store_weeks / (m.horizon * store_nodes(m)) as f64,
        );
        set("lost_sales_units", tot.lost);
        set("write_off_units", tot.write_off);
        set("ending_inventory_units", ending);
        set("holding_cost", tot.holding);
        set("media_spend", fl.media_spend);
        set("promo_weeks", tot.promo_weeks);
        set("trade_spend", fl.trade_spend);
        let nodes = store_nodes(m) as f64;
        let other_weeks = m.horizon as f64 - tot.promo_weeks;
        set(
            "oos_promo_weeks",
            if tot.promo_weeks > 0.0 {
                tot.promo_stockouts / (nodes * tot.promo_weeks)
            } else {
                0.0
            },
        );
        set(
            "oos_other_weeks",
            if other_weeks > 0.0 {
                (tot.stockout_store_weeks - tot.promo_stockouts) / (nodes * other_weeks)
            } else {
                0.0
            },
        );
        set(
            "promo_lift_realised",
            if tot.promo_weeks > 0.0 {
                tot.lift / tot.promo_weeks
            } else {
                1.0
            },
        );
        set("write_off_after_flops", tot.write_off_after_flops);
        set("bullwhip_ratio", bullwhip);
        set(
            "interpretation_spread",
            org::interpretation_spread(&self.readings),
        );
        let spread = org::operational_spread(&self.pulls);
        set("operational_spread", spread);
        let rec = &self.meetings.record;
        set("meetings_held", rec.held);
        set("meetings_with_dissent", rec.with_dissent);
        set("decisions_made", rec.decisions);
        set("options_excluded", rec.excluded);
        set("requests_refused", tot.refused);
        set("stated_agreement", rec.stated_agreement());
        set("operational_agreement", 1.0 - spread);
        set("departures", rec.departures);
        let shelf = world::shelf_tick(m);
        set(
            "media_weeks_late",
            self.campaign.start.saturating_sub(shelf) as f64,
        );
        // Store-weeks from shelf day to the horizon's end.
        let on_shelf = (m.warmup + m.horizon).saturating_sub(shelf.max(m.warmup));
        let possible = (on_shelf * store_nodes(m)) as f64;
        set(
            "stores_served_share",
            if possible > 0.0 {
                fl.served_store_weeks / possible
            } else {
                0.0
            },
        );
        // Against the plan's sell-out (the plan measured against itself is 1).
        let planned = m
            .plan
            .as_ref()
            .map(|p| p.metrics[metric("sell_out_units")])
            .filter(|v| *v > 0.0);
        set("sell_out_vs_plan", planned.map_or(1.0, |p| fl.sold / p));
        let met = m.targets.iter().all(|tg| {
            let v = metrics[tg.metric];
            tg.at_least.is_none_or(|lo| v >= lo) && tg.at_most.is_none_or(|hi| v <= hi)
        });
        let strategy = strategy_attainment(m, &metrics);
        // The designed-in consequence of defection: a clawback on every bonus when the
        // organisation misses. Claims of success stand on attainment, which it does not touch.
        let clawback = m.defection_cost * (1.0 - strategy).max(0.0);
        for (r, v) in roles.iter_mut().enumerate() {
            v[1] = (v[1] - clawback).max(0.0);
            // The fit's expected payout against what this trial paid: its mean over trials is the
            // role's projection bias (zero for a role that knows its own game).
            if m.playbook.fitted {
                v[3] = m.playbook.fits[r].payout - v[1];
            }
        }
        let all_claim = m.claimants.iter().all(|&r| roles[r][2] > 0.5);
        let claimed = if m.claimants.is_empty() {
            strategy
        } else {
            m.claimants.iter().map(|&r| roles[r][0]).sum::<f64>() / m.claimants.len() as f64
        };
        metrics[metric("strategy_met")] = met as u8 as f64;
        metrics[metric("coordinated_divergence")] = (!met && all_claim) as u8 as f64;
        metrics[metric("strategy_attainment")] = strategy;
        metrics[metric("divergence_gap")] = claimed - strategy;
        TrialResult {
            trial: self.trial,
            metrics,
            roles,
            interpretations: self.readings.clone(),
            promo_phase: self.promo_phase(),
            series: self.series,
            capped: self.chain.capped,
        }
    }
}

impl Trial<'_> {
    /// The per-trial hockey-stick table ([`crate::stats::metrics::PromoPhase`]), from the recorded series.
    fn promo_phase(&self) -> Vec<f64> {
        let m = self.model;
        let Some(j) = m.promo_lever else {
            return Vec::new();
        };
        let (h, p) = (m.horizon, m.period);
        let role = m.levers[j].role;
        let pressure = &self.series[(self.layout.pressure + role) * h..][..h];
        let depth = &self.series[(self.layout.levers + j) * h..][..h];
        let mut out = vec![0.0; 2 * p + 2];
        for start in (0..h).step_by(p).filter(|s| s + p <= h) {
            let side = if pressure[start + p / 2] > 0.0 { 0 } else { 1 };
            for k in 0..p {
                out[side * p + k] += depth[start + k];
            }
            out[2 * p + side] += 1.0;
        }
        out
    }
}

/// Consumer-facing nodes: one per store where the last stock point is per store.
fn store_nodes(model: &Model) -> usize {
    if model.chain.last().is_some_and(|e| e.per_store) {
        model.stores
    } else {
        1
    }
}

/// How far the trial's outcome meets the strategy's targets, as attainment (1 = exactly at the
/// worst-met target, above 1 = every target beaten). The worst target decides, as a strategy is
/// met only when all are. Each bound is measured relative to its own size, capped to 0..2.
fn strategy_attainment(model: &Model, metrics: &[f64]) -> f64 {
    let rel = |gap: f64, scale: f64| (1.0 + gap / scale.abs().max(1e-9)).clamp(0.0, 2.0);
    model
        .targets
        .iter()
        .flat_map(|tg| {
            let v = metrics[tg.metric];
            let lo = tg.at_least.map(|lo| rel(v - lo, lo));
            let hi = tg.at_most.map(|hi| rel(hi - v, hi.max(1.0)));
            lo.into_iter().chain(hi)
        })
        .fold(None, |acc: Option<f64>, x| {
            Some(acc.map_or(x, |a| a.min(x)))
        })
        .unwrap_or(1.0)
}

/// Runs one whole trial.
pub fn run_trial(model: &Model, seed: u64, trial: u64) -> TrialResult {
    Trial::new(model, seed, trial).finish()
}

/// Trials per chunk: the unit of parallel work and of in-order merging.
pub const CHUNK: u64 = 64;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Base seed.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// Runs all trials in parallel; calls `on_trial` for each in trial order (with its
/// series dropped) and `progress` after each batch. Stops early, with
/// [`Error::Interrupted`], once `cancel` is set.
pub fn run(
    model: &Model,
    cfg: &RunConfig,
    on_trial: &mut (dyn FnMut(&TrialResult) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Aggregate> {
    let all = Shard { index: 0, count: 1 };
    run_shard(model, cfg, all, on_trial, progress, cancel)
}

/// One of `count` parts of a run's trials (`index` from 0): the part a job of a cluster array
/// computes. Parts are whole chunks, contiguous, as even as chunks allow; merged in any order
/// their aggregates equal the whole run's, since every statistic merges exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 0.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// The chunks of a run of `trials` trials in this part.
    pub fn chunks(&self, trials: u64) -> std::ops::Range<u64> {
        let chunks = trials.div_ceil(CHUNK);
        let at = |i: u64| (chunks as u128 * i as u128 / self.count.max(1) as u128) as u64;
        at(self.index)..at(self.index + 1)
    }
    /// The trials of a run of `trials` trials in this part.
    pub fn trials(&self, trials: u64) -> std::ops::Range<u64> {
        let c = self.chunks(trials);
        (c.start * CHUNK).min(trials)..(c.end * CHUNK).min(trials)
    }
}

/// [`run`], for the trials of one [`Shard`] only.
pub fn run_shard(
    model: &Model,
    cfg: &RunConfig,
    shard: Shard,
    on_trial: &mut (dyn FnMut(&TrialResult) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Aggregate> {
    let chunks = shard.chunks(cfg.trials);
    let total = Aggregate::new(model);
    let run = |c| run_chunk(model, cfg, c);
    run_chunks(cfg, chunks, total, &run, on_trial, progress, cancel)
}

/// A partial result of some chunks of trials, merged in chunk order.
pub trait Partial: Send {
    /// Folds in the next chunk's partial result.
    fn merge(&mut self, next: &Self);
    /// Trials folded in so far.
    fn trials(&self) -> u64;
}

impl Partial for Aggregate {
    fn merge(&mut self, next: &Self) {
        Aggregate::merge(self, next);
    }
    fn trials(&self) -> u64 {
        self.trials
    }
}

/// A pool of `threads` worker threads (0 = one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))
}

/// Runs `chunks` on `cfg.threads` threads, a batch of chunks at a time, folding each chunk's
/// partial result into `total` in chunk order, so the result is the same bytes on any number of
/// threads, and handing its rows to `on_row` in order; `progress` after each batch. Stops at the
/// next batch once `cancel` is set. Organisation runs and network runs share it.
///
/// Folding a batch into the run (writing its rows, merging it into the total) is serial. On more
/// than one thread it runs as one more task in the pool while the next batch is computed, so no
/// worker waits for it and `cfg.threads` stays the number of threads at work: on 2 threads a
/// `beer_game` run waited for it a fifth of its time. On one thread each batch is folded at
/// once, while it is still in the cache.
pub fn run_chunks<A: Partial, R: Send>(
    cfg: &RunConfig,
    chunks: std::ops::Range<u64>,
    mut total: A,
    chunk: &(dyn Fn(u64) -> Result<(A, Vec<R>)> + Sync),
    on_row: &mut (dyn FnMut(&R) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<A> {
    let pool = pool(cfg.threads)?;
    // Eight chunks a thread: enough for the batch's neighbours-first merge to spare the run's
    // total most merges, few enough that a batch's partials and rows stay small (at 16 a
    // thread, promo_vs_inventory's peak memory rose from 40 to 60 MB, no faster).
    let batch = (pool.current_num_threads() as u64 * 8).max(1);
    let overlap = pool.current_num_threads() > 1;
    let mut next = chunks.start;
    // A batch computed but not yet folded into `total` (only while overlapping).
    let mut computed: Option<Batch<A, R>> = None;
    loop {
        let stop = cancel.load(Ordering::Relaxed);
        let ids: Vec<u64> = if stop {
            Vec::new()
        } else {
            (next..(next + batch).min(chunks.end)).collect()
        };
        let previous = computed.take();
        if ids.is_empty() && previous.is_none() {
            if stop && next < chunks.end {
                return Err(Error::Interrupted {
                    done: total.trials(),
                    total: cfg.trials,
                    out: Default::default(),
                });
            }
            return Ok(total);
        }
        let compute = || compute_batch(&ids, chunk);
        if overlap {
            let (done, folded) =
                pool.install(|| rayon::join(compute, || fold(&mut total, previous, on_row)));
            folded?;
            computed = done?;
        } else {
            let done = pool.install(compute)?;
            fold(&mut total, done, on_row)?;
        }
        progress(total.trials());
        next += ids.len() as u64;
    }
}

/// A batch of chunks merged into one partial result, and its rows in chunk order.
type Batch<A, R> = (A, Vec<Vec<R>>);

/// Computes a batch's chunks in parallel and merges their partials; the first chunk that
/// failed, in chunk order, is the run's error. `None` for no chunks.
fn compute_batch<A: Partial, R: Send>(
    ids: &[u64],
    chunk: &(dyn Fn(u64) -> Result<(A, Vec<R>)> + Sync),
) -> Result<Option<Batch<A, R>>> {
    let done: Vec<Result<(A, Vec<R>)>> = ids.par_iter().map(|&c| chunk(c)).collect();
    let mut partials = Vec::with_capacity(done.len());
    let mut rows = Vec::with_capacity(done.len());
    for part in done {
        let (partial, r) = part?;
        partials.push(partial);
        rows.push(r);
    }
    Ok(merge_in_order(partials).map(|p| (p, rows)))
}

/// Folds a computed batch into `total` and hands its rows to `on_row`, in order.
fn fold<A: Partial, R: Send>(
    total: &mut A,
    batch: Option<Batch<A, R>>,
    on_row: &mut (dyn FnMut(&R) -> Result<()> + Send),
) -> Result<()> {
    let Some((partial, rows)) = batch else {
        return Ok(());
    };
    for row in rows.iter().flatten() {
        on_row(row)?;
    }
    total.merge(&partial);
    Ok(())
}

/// The batch's partial results merged into one, neighbours first, in parallel: the same as
/// folding them in order (merging is exact, as for shards), but each small partial is merged
/// into another small one, and only the batch's whole into the run's total, where folding
/// each chunk into the total paid a pass over the total's sketches per chunk.
fn merge_in_order<A: Partial>(mut parts: Vec<A>) -> Option<A> {
    while parts.len() > 1 {
        parts.par_chunks_mut(2).for_each(|pair| {
            if let [a, b] = pair {
                a.merge(b);
            }
        });
        parts = parts.into_iter().step_by(2).collect();
    }
    parts.pop()
}

fn run_chunk(model: &Model, cfg: &RunConfig, chunk: u64) -> Result<(Aggregate, Vec<TrialResult>)> {
    let mut agg = Aggregate::new(model);
    let first = chunk * CHUNK;
    let last = (first + CHUNK).min(cfg.trials);
    let mut rows = Vec::with_capacity((last - first) as usize);
    for i in first..last {
        let mut r = run_trial(model, cfg.seed, i);
        finite(model, &r)?;
        agg.add(&r);
        r.series = Vec::new();
        rows.push(r);
    }
    Ok((agg, rows))
}

/// A trial whose numbers a run cannot summarise is an error naming the number, never a silent 0,
/// a clamp or a wrapped sum in the files: a metric that came out non-finite, a metric or series
/// value beyond [`VALUE_LIMIT`], or units capped at [`crate::sim::world::UNITS_LIMIT`].
pub fn finite(model: &Model, r: &TrialResult) -> Result<()> {
    let too_large = |what: String| Error::TooLarge {
        what,
        trial: r.trial,
        hint: None,
    };
    if let Some(e) = r.capped {
        return Err(units_capped(model, e, r.trial));
    }
    let globals = GLOBAL_METRICS.iter().map(|m| m.to_string()).zip(&r.metrics);
    let roles = model.roles.iter().zip(&r.roles).flat_map(|(role, v)| {
        crate::stats::metrics::ROLE_METRICS
            .iter()
            .zip(v)
            .map(move |(m, x)| (format!("{}_{m}", role.name), x))
    });
    let beyond = |v: f64| v.abs() > VALUE_LIMIT;
    let mut metrics = globals.chain(roles);
    if let Some((metric, &value)) = metrics.find(|(_, v)| !v.is_finite() || beyond(**v)) {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                metric,
                value,
                trial: r.trial,
            });
        }
        return Err(too_large(beyond_words(format!("metric '{metric}'"), value)));
    }
    // Series values are bounded by the metrics they add up to, but are summarised too.
    if let Some(i) = r.series.iter().position(|v| !v.is_finite() || beyond(*v)) {
        let (s, t) = (i / model.horizon, i % model.horizon);
        let name = &crate::stats::metrics::series_names(model)[s];
        let what = format!("series '{name}' in week {}", t + 1);
        return Err(too_large(beyond_words(what, r.series[i])));
    }
    Ok(())
}

fn units_capped(model: &Model, e: usize, trial: u64) -> Error {
    let (copies, each) = match model.chain[e].per_store {
        true => (model.stores, " a store"),
        false => (1, ""),
    };
    let share = crate::sim::world::UNITS_LIMIT as f64 / copies as f64;
    Error::TooLarge {
        what: format!(
            "the orders or consumer demand of stock point '{}' in one week passed {share:.1e} \
             units{each}, the most orgsim counts exactly",
            model.chain[e].name
        ),
        trial,
        hint: Some(
            "demand, season, media and promotion uplift, covers and lead times multiply past any \
             real market: check base_per_store, stores, promo_elasticity and max_uplift"
                .into(),
        ),
    }
}

fn beyond_words(what: String, v: f64) -> String {
    if !v.is_finite() {
        return format!("{what} is {v}, not a finite number");
    }
    format!("{what} is {v:e}, beyond {VALUE_LIMIT:.1e}, the largest value orgsim's statistics hold exactly")
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

    fn model() -> Model {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        crate::scenario::load::load(&source, &["world.stores=3".into()]).unwrap()
    }

    /// A partial that remembers the order it was merged in: the chunks it holds, in turn.
    struct Order(Vec<u64>);

    impl Partial for Order {
        fn merge(&mut self, next: &Self) {
            self.0.extend(&next.0);
        }
        fn trials(&self) -> u64 {
            self.0.len() as u64
        }
    }

    /// Runs 100 chunks of `chunk` on `threads` threads: the total, the rows in the order they
    /// were handed on, and the progress reported.
    fn run_order(
        threads: usize,
        chunk: &(dyn Fn(u64) -> Result<(Order, Vec<u64>)> + Sync),
        cancel: &AtomicBool,
    ) -> (Result<Order>, Vec<u64>, Vec<u64>) {
        let cfg = RunConfig {
            seed: 1,
            trials: 100,
            threads,
        };
        let mut rows = Vec::new();
        let seen = std::sync::Mutex::new(Vec::new());
        let total = run_chunks(
            &cfg,
            0..100,
            Order(Vec::new()),
            chunk,
            &mut |r| {
                rows.push(*r);
                Ok(())
            },
            &|n| seen.lock().unwrap().push(n),
            cancel,
        );
        (total, rows, seen.into_inner().unwrap())
    }

    #[test]
    fn batches_fold_in_chunk_order_on_any_number_of_threads() {
        let chunk = |c: u64| Ok((Order(vec![c]), vec![c]));
        for threads in [1, 2, 3] {
            let (total, rows, seen) = run_order(threads, &chunk, &AtomicBool::new(false));
            let all: Vec<u64> = (0..100).collect();
            assert_eq!(total.unwrap().0, all, "{threads} threads");
            assert_eq!(rows, all, "{threads} threads");
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&100));
        }
    }

    #[test]
    fn a_cancelled_run_stops_with_the_trials_it_folded_and_their_rows() {
        for threads in [1, 2] {
            let cancel = AtomicBool::new(false);
            let chunk = |c: u64| {
                if c == 20 {
                    cancel.store(true, Ordering::Relaxed);
                }
                Ok((Order(vec![c]), vec![c]))
            };
            let (total, rows, _) = run_order(threads, &chunk, &cancel);
            let Err(Error::Interrupted { done, total, .. }) = total else {
                panic!("{threads} threads: not interrupted");
            };
            assert_eq!(total, 100);
            assert!(done > 20 && done < 100, "{threads} threads: {done}");
            assert_eq!(rows, (0..done).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn the_first_failed_chunk_is_the_run_s_error() {
        let chunk = |c: u64| {
            if c == 37 || c == 60 {
                return Err(Error::Usage(format!("chunk {c}")));
            }
            Ok((Order(vec![c]), vec![c]))
        };
        for threads in [1, 2] {
            let (total, rows, _) = run_order(threads, &chunk, &AtomicBool::new(false));
            let Err(Error::Usage(m)) = total else {
                panic!("{threads} threads: no error");
            };
            assert_eq!(m, "chunk 37");
            assert!(rows.iter().all(|&r| r < 37), "{threads} threads");
        }
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
    fn a_non_finite_metric_is_an_error_naming_it() {
        let m = model();
        let mut r = run_trial(&m, 1, 0);
        assert!(finite(&m, &r).is_ok());
        r.metrics[metric("profit")] = f64::NAN;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("'profit'") && e.contains("NaN"), "{e}");
        r.metrics[metric("profit")] = 0.0;
        r.roles[0][1] = f64::INFINITY;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("'sales_payout'"), "{e}");
    }

    #[test]
    fn a_value_beyond_what_the_statistics_hold_is_an_error_naming_it() {
        let m = model();
        let mut r = run_trial(&m, 1, 0);
        r.metrics[metric("bullwhip_ratio")] = 2.0 * VALUE_LIMIT;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(
            e.contains("'bullwhip_ratio'") && e.contains("1.3e33"),
            "{e}"
        );
        r.metrics[metric("bullwhip_ratio")] = 1.0;
        r.series[3 * m.horizon + 5] = -2.0 * VALUE_LIMIT;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("series 'lost_sales' in week 6"), "{e}");
        r.series[3 * m.horizon + 5] = 0.0;
        r.capped = Some(1);
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(
            e.contains("stock point 'retailer_dc'") && e.contains("hint:"),
            "{e}"
        );
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
