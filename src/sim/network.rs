//! A stock-point network in real numbers, stepped in the five phases of the Beer Distribution
//! Game: receive, fill orders, count costs, advance the mail, decide and place.
//!
//! This is the engine of the supply-chain classics (`docs/classics.md`): the Beer Game and
//! the order-up-to bullwhip case. It follows the classics' rules to the bit, so quantities are
//! `f64` and never rounded, backlog is never lost, and orders may be negative where a policy
//! allows it. The promotions chain ([`crate::sim::world`]) keeps whole units and its own week
//! order (arrive, consumers, place and fill from the stores up); the two agree on what a stock
//! point is, not yet on one implementation.
//!
//! Stock points are listed downstream first: point 0 faces the customer, the last point orders
//! from production, which has unlimited raw material. Each point's orders spend `order_slots`
//! weeks in the mail before its supplier reads them, and each shipment to it spends `ship_slots`
//! weeks on the way (for the last point: the production delay). The week's phases run for every
//! point before the next phase starts, and within a phase no point reads what another writes in
//! it, so the order among points does not matter: no point is a special case of the tick.
//!
//! Randomness: customer demand draws one uniform per week from the trial's
//! [`Source::Demand`](crate::sim::rng::Source) stream, so two variants of a network (a changed
//! heuristic, a changed lead time) see the same demand in the same trial.

use crate::scenario::limits::MAX_STOCK_POINTS;
use crate::scenario::model::MeetingSpec;
use crate::scenario::network::{series_names, trial_columns};
pub use crate::scenario::network::{
    Demand, NetworkSpec, NetworkStockPoint, NetworkStrategy, PassThrough, PointScorecard, Policy,
    Step,
};
use crate::sim::meeting::{self, Record, Room, Seats};
use crate::sim::rng::{self, Source};
use crate::stats::metrics::Stat;
use rand_chacha::ChaCha8Rng;

mod boards;
mod view;
pub use boards::{beer_game, order_up_to, BEER_GAME_POINTS, STERMAN_FITTED};
pub use view::{StageGlimpse, StageView};

/// This week's demand. Every kind draws exactly one uniform a week, so the stream's position
/// never depends on the demand's kind.
fn draw(demand: &Demand, w: usize, rng: &mut ChaCha8Rng) -> f64 {
    let u = rng::open01(rng);
    match demand {
        Demand::Schedule { .. } => demand.mean(w),
        Demand::Poisson { .. } => rng::poisson(demand.mean(w), u) as f64,
        Demand::Normal { mean, sd } => mean + sd * rng::normal_quantile(u),
    }
}

/// What one trial of a network gives.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkResult {
    /// Customer demand, week by week.
    pub demand: Vec<f64>,
    /// Per stock point: its order of each week.
    pub orders: Vec<Vec<f64>>,
    /// Per stock point: on hand after the week's fill.
    pub inventory: Vec<Vec<f64>>,
    /// Per stock point: backlog after the week's fill.
    pub backlog: Vec<Vec<f64>>,
    /// Per stock point: accumulated holding and backlog cost.
    pub cost: Vec<f64>,
    /// What the players' meetings did (all 0 without `network.meetings`).
    pub meetings: Record,
}

impl NetworkResult {
    /// `((cost[0] + cost[1]) + cost[2]) + ...`, in point order.
    pub fn total_cost(&self) -> f64 {
        self.cost.iter().fold(0.0, |a, c| a + c)
    }

    /// Per stock point: its largest order and the first week (from 1) that reached it.
    pub fn peak_order(&self) -> Vec<(f64, usize)> {
        self.orders
            .iter()
            .map(|o| {
                o.iter()
                    .enumerate()
                    .fold((f64::NEG_INFINITY, 0), |(best, wk), (k, &x)| {
                        if x > best {
                            (x, k + 1)
                        } else {
                            (best, wk)
                        }
                    })
            })
            .collect()
    }

    /// How differently the players act: the mean, over weeks and pairs of stock points, of the
    /// relative gap between their orders, `|O_i − O_j| / (|O_i| + |O_j|)` (0 where both order
    /// nothing), from 0 (all order alike) to 1. One minus it is the trial's operational
    /// agreement.
    pub fn operational_spread(&self) -> f64 {
        let (n, weeks) = (self.orders.len(), self.demand.len());
        if n < 2 || weeks == 0 {
            return 0.0;
        }
        let mut sum = 0.0;
        for w in 0..weeks {
            for i in 0..n {
                for j in i + 1..n {
                    let (a, b) = (self.orders[i][w], self.orders[j][w]);
                    let scale = a.abs() + b.abs();
                    if scale > 0.0 {
                        sum += (a - b).abs() / scale;
                    }
                }
            }
        }
        sum / (weeks * n * (n - 1) / 2) as f64
    }

    /// Per stock point: `Var(O_i) / Var(D)`, the amplification relative to customer demand.
    pub fn amplification(&self) -> Vec<f64> {
        let vd = variance(&self.demand);
        self.orders.iter().map(|o| variance(o) / vd).collect()
    }

    /// Per stock point: `Var(O_i) / Var(O_{i−1})`, with `O_{−1}` the customer's demand.
    pub fn stage_amplification(&self) -> Vec<f64> {
        let mut below = variance(&self.demand);
        self.orders
            .iter()
            .map(|o| {
                let v = variance(o);
                let r = v / below;
                below = v;
                r
            })
            .collect()
    }
}

/// Sample variance with denominator `n − 1`, in two passes as docs/classics.md writes it: the mean
/// first, then the squared deviations, both summed in order from 0.0. (A one-pass formula
/// rounds differently, and the classic must agree with other implementations to the bit.)
pub fn variance(x: &[f64]) -> f64 {
    sum_of_squares(x) / (x.len() as f64 - 1.0)
}

/// Sum of squared deviations from the mean, in two passes.
pub fn sum_of_squares(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0, |a, v| a + v) / x.len() as f64;
    x.iter().fold(0.0, |a, v| a + (v - m) * (v - m))
}

/// One stock point's state.
#[derive(Debug, Clone)]
struct NetworkStockPointState {
    inventory: f64,
    backlog: f64,
    /// Orders this point placed, in the mail; `[0]` is read by its supplier at the next fill.
    mail: Vec<f64>,
    /// Shipments on their way here; `[0]` arrives at the next receive.
    ship: Vec<f64>,
    /// Sterman's expected incoming orders (L^).
    expected: f64,
    /// Placed, not yet received.
    supply_line: f64,
    cost: f64,
    /// The orders received this week (the customer's demand, for point 0).
    incoming: f64,
    /// The shipment received this week.
    received: f64,
    /// Order-up-to: the last `window + 1` incoming orders, oldest first, and how many were seen.
    history: Vec<f64>,
    seen: usize,
    /// Order-up-to: last week's level, once the window has filled.
    level: Option<f64>,
    /// Sterman: a meeting's decision has ruled out ignoring the supply line: β is 1 from now.
    counts_supply_line: bool,
}

/// The players' meetings in a trial: the checked settings, the stream their fear is drawn
/// from, each seat's state, the scratch room and the record.
struct Gathering {
    spec: MeetingSpec,
    rng: ChaCha8Rng,
    seats: Seats,
    room: Room,
}

/// A network being played: the state of every stock point and the demand stream.
pub struct NetworkTrial<'n> {
    network: &'n NetworkSpec,
    points: Vec<NetworkStockPointState>,
    rng: ChaCha8Rng,
    week: usize,
    result: NetworkResult,
    meetings: Option<Gathering>,
    /// Whether this week's first four phases have run and its orders wait to be placed.
    opened: bool,
    /// Per point, the order its policy asked for in the last week placed (a workshop's robot
    /// twin: what the model would have ordered where a participant ordered).
    rule: [f64; MAX_STOCK_POINTS],
}

impl<'n> NetworkTrial<'n> {
    /// Trial `trial` of a run seeded with `seed`, at the opening board.
    pub fn new(network: &'n NetworkSpec, seed: u64, trial: u64) -> Self {
        let points = network
            .stock_points
            .iter()
            .map(|p| {
                let window = match p.policy {
                    Policy::OrderUpTo { window, .. } => window as usize + 1,
                    Policy::Sterman { .. } => 0,
                };
                NetworkStockPointState {
                    inventory: 0.0,
                    backlog: 0.0,
                    mail: vec![0.0; p.order_delay_weeks as usize],
                    ship: vec![0.0; p.ship_delay_weeks as usize],
                    expected: 0.0,
                    supply_line: 0.0,
                    cost: 0.0,
                    incoming: 0.0,
                    received: 0.0,
                    history: vec![0.0; window],
                    seen: 0,
                    level: None,
                    counts_supply_line: false,
                }
            })
            .collect();
        let meetings = crate::scenario::network::meetings(network).map(|spec| Gathering {
            rng: rng::stream(seed, trial, Source::Meeting),
            seats: Seats::new(network.stock_points.len()),
            room: Room::new(network.stock_points.len()),
            spec,
        });
        let (n, t) = (network.stock_points.len(), network.weeks as usize);
        let mut game = NetworkTrial {
            network,
            points,
            rng: rng::stream(seed, trial, Source::Demand),
            week: 0,
            result: NetworkResult {
                demand: vec![0.0; t],
                orders: vec![vec![0.0; t]; n],
                inventory: vec![vec![0.0; t]; n],
                backlog: vec![vec![0.0; t]; n],
                cost: vec![0.0; n],
                meetings: Record::default(),
            },
            meetings,
            opened: false,
            rule: [0.0; MAX_STOCK_POINTS],
        };
        game.reset(seed, trial);
        game
    }

    /// Back to the opening board, for trial `trial`: a run plays every trial of a chunk in one
    /// `NetworkTrial`, so a trial allocates nothing. Every recorded week is written again as
    /// it is played.
    pub fn reset(&mut self, seed: u64, trial: u64) {
        let flow = self.network.initial_flow;
        for (p, spec) in self.points.iter_mut().zip(&self.network.stock_points) {
            p.inventory = spec.initial_inventory;
            p.backlog = 0.0;
            p.mail.fill(flow);
            p.ship.fill(flow);
            p.expected = flow;
            p.supply_line = flow * (p.mail.len() + p.ship.len()) as f64;
            p.cost = 0.0;
            p.incoming = 0.0;
            p.received = 0.0;
            p.history.fill(0.0);
            p.seen = 0;
            p.level = None;
            p.counts_supply_line = false;
        }
        self.rng = rng::stream(seed, trial, Source::Demand);
        self.result.meetings = Record::default();
        if let Some(g) = &mut self.meetings {
            g.rng = rng::stream(seed, trial, Source::Meeting);
            g.seats.reset();
        }
        self.week = 0;
        self.opened = false;
        self.rule = [0.0; MAX_STOCK_POINTS];
    }

    /// Whether every week has been played.
    pub fn is_done(&self) -> bool {
        self.week >= self.network.weeks as usize
    }

    /// Plays one week in the five phases, after the players' meeting if one is due. Allocates
    /// nothing.
    pub fn step(&mut self) {
        self.open_week();
        self.place_orders(&[]);
    }

    /// The week number about to be played or being played (0-based).
    pub fn week(&self) -> usize {
        self.week
    }

    /// Runs the week up to the decision: the players' meeting if one is due, then phases 1 to 4
    /// (receive, fill orders, count costs, advance the mail). What a player sees before ordering
    /// is the state after this; [`Self::place_orders`] ends the week. Does nothing if the week is
    /// already open or every week has been played.
    ///
    /// Long because the phases are written out in the order docs/classics.md gives them, each a
    /// loop over every point: read beside the rules, a reader checks them phase by phase.
    pub fn open_week(&mut self) {
        if self.opened || self.is_done() {
            return;
        }
        self.opened = true;
        let w = self.week;
        let n = self.points.len();
        if let Some(g) = &mut self.meetings {
            if w % g.spec.every == 0 {
                let last = |i: usize| match w {
                    0 => self.network.initial_flow,
                    _ => self.result.orders[i][w - 1],
                };
                let last: [f64; MAX_STOCK_POINTS] =
                    std::array::from_fn(|i| if i < n { last(i) } else { 0.0 });
                meet(
                    g,
                    &mut self.points,
                    &self.network.stock_points,
                    &last[..n],
                    &mut self.result.meetings,
                    w,
                );
            }
        }
        // 1. Receive.
        for p in &mut self.points {
            let a = p.ship[0];
            p.received = a;
            p.inventory += a;
            p.supply_line -= a;
            shift(&mut p.ship);
        }
        // 2. Fill orders: incoming orders are read before anyone ships, so no point reads what
        // another wrote this phase.
        let d = draw(&self.network.demand, w + 1, &mut self.rng);
        self.result.demand[w] = d;
        for i in 0..n {
            self.points[i].incoming = if i == 0 {
                d
            } else {
                self.points[i - 1].mail[0]
            };
        }
        for i in 0..n {
            let p = &mut self.points[i];
            let due = p.backlog + p.incoming;
            let sent = if p.inventory < due { p.inventory } else { due };
            p.inventory -= sent;
            p.backlog = due - sent;
            if i > 0 {
                let last = self.points[i - 1].ship.len() - 1;
                self.points[i - 1].ship[last] = sent;
            }
        }
        // Production: unlimited raw material fills the last point's request in full.
        let top = &mut self.points[n - 1];
        let last = top.ship.len() - 1;
        top.ship[last] = top.mail[0];
        // 3. Costs, and the recorded series.
        for (i, (p, spec)) in self
            .points
            .iter_mut()
            .zip(&self.network.stock_points)
            .enumerate()
        {
            p.cost += spec.holding_cost * p.inventory + spec.backlog_cost * p.backlog;
            self.result.inventory[i][w] = p.inventory;
            self.result.backlog[i][w] = p.backlog;
        }
        // 4. Advance the mail.
        for p in &mut self.points {
            shift(&mut p.mail);
        }
    }

    /// Phase 5, decide and place, which ends the week (opening it first if it is not open):
    /// each point orders what its policy asks, or `supplied[i]` where that is given (a
    /// workshop participant's order; points past the slice's end follow their policy). The
    /// policy still reads the week, so a robot that takes over later has the same forecast.
    pub fn place_orders(&mut self, supplied: &[Option<f64>]) {
        self.open_week();
        if !self.opened {
            return;
        }
        self.opened = false;
        let w = self.week;
        for (i, (p, spec)) in self
            .points
            .iter_mut()
            .zip(&self.network.stock_points)
            .enumerate()
        {
            let mut rule = decide(p, &spec.policy);
            if self.meetings.as_ref().is_some_and(|g| g.seats.vacant(i, w)) {
                // An empty seat: whoever stands in passes on what was asked for.
                rule = p.incoming;
            }
            self.rule[i] = rule;
            let order = supplied.get(i).copied().flatten().unwrap_or(rule);
            p.supply_line += order;
            let last = p.mail.len() - 1;
            p.mail[last] = order;
            self.result.orders[i][w] = order;
        }
        self.week += 1;
    }

    /// Plays the remaining weeks and reports the trial.
    pub fn finish(mut self) -> NetworkResult {
        self.play();
        self.result
    }

    /// Plays the remaining weeks; the trial's result, kept for the next [`Self::reset`].
    pub fn play(&mut self) -> &NetworkResult {
        while !self.is_done() {
            self.step();
        }
        for (c, p) in self.result.cost.iter_mut().zip(&self.points) {
            *c = p.cost;
        }
        &self.result
    }
}

/// Moves every slot one week nearer: `[0] = [1], [1] = [2], ..., [last] = 0`.
fn shift(slots: &mut [f64]) {
    slots.rotate_left(1);
    let last = slots.len() - 1;
    slots[last] = 0.0;
}

/// A stock point's order this week, from what it has seen; updates its forecast state.
fn decide(p: &mut NetworkStockPointState, policy: &Policy) -> f64 {
    match *policy {
        Policy::Sterman {
            theta,
            alpha_s,
            beta,
            desired_stock,
        } => {
            // Evaluated exactly as docs/classics.md writes it, for bit-for-bit agreement.
            p.expected = theta * p.incoming + (1.0 - theta) * p.expected;
            let beta = if p.counts_supply_line { 1.0 } else { beta };
            let stock = p.inventory - p.backlog;
            let x = p.expected + alpha_s * ((desired_stock - stock) - (beta * p.supply_line));
            if x > 0.0 {
                x
            } else {
                0.0
            }
        }
        Policy::OrderUpTo {
            window,
            lead_weeks: lead,
            pass_through,
        } => {
            let window = window as usize;
            // `history` holds the last window + 1 incoming orders, oldest first.
            shift_in(&mut p.history, p.incoming);
            p.seen += 1;
            let newest = p.incoming;
            let previous = p.history[window - 1];
            if p.seen < window {
                p.expected = newest;
                return newest;
            }
            let mean = p.history[1..].iter().fold(0.0, |a, x| a + x) / window as f64;
            // What the point believes customers want, for a meeting to read.
            p.expected = mean;
            let level = lead * mean;
            let order = match p.level {
                // The first level: nothing to adjust from yet.
                None => newest,
                Some(before) => {
                    let through = match pass_through {
                        PassThrough::Newest => newest,
                        PassThrough::Previous => previous,
                    };
                    level - before + through
                }
            };
            p.level = Some(level);
            order
        }
    }
}

/// Appends `x` to a fixed-length history, dropping the oldest.
fn shift_in(history: &mut [f64], x: f64) {
    history.rotate_left(1);
    let last = history.len() - 1;
    history[last] = x;
}

/// The players' meeting at the start of week `w`, before its phases: docs/model.md's meeting, on
/// the Beer Game's board.
///
/// - **Reading.** What a player believes customers want: its expected demand (Sterman's `E`;
///   an order-up-to point's moving average).
/// - **Doubt.** How far that is from the room's mean belief `m`: `|E − m| / (|E| + |m|)`, from
///   0 to 1 like the organisation's distance between readings. The cascade of [`Room::voice`]
///   decides who says it.
/// - **Decision.** With a quorum of voices, the loudest doubt settles the figure and every
///   belief in the room moves halfway to it (an order-up-to point's belief is its window's
///   mean, which the next week recomputes). The player whose last order overshot the settled
///   figure most, weighted by how much of its supply line it ignores (`1 − β`), loses its habit
///   of ignoring what it has on order: from then on it counts its supply line in full (β = 1).
///   That is the option ruled out. A room in which no such player is left rules nothing out.
fn meet(
    g: &mut Gathering,
    points: &mut [NetworkStockPointState],
    specs: &[NetworkStockPoint],
    last_orders: &[f64],
    rec: &mut Record,
    w: usize,
) {
    let n = g.spec.roles.len();
    let m = g
        .spec
        .roles
        .iter()
        .fold(0.0, |a, &r| a + points[r].expected)
        / n.max(1) as f64;
    for (i, &r) in g.spec.roles.iter().enumerate() {
        let e = points[r].expected;
        let scale = e.abs() + m.abs();
        let doubt = if scale > 0.0 {
            (e - m).abs() / scale
        } else {
            0.0
        };
        g.room.seat(i, doubt, &mut g.rng);
    }
    g.room.voice(&g.spec, n);
    if !meeting::close(&g.spec, &g.room, &mut g.seats, rec, w) {
        return;
    }
    let loudest = g.room.loudest(n).expect("a decision has a voice");
    let settled = points[g.spec.roles[loudest]].expected;
    for &r in &g.spec.roles {
        points[r].expected = 0.5 * points[r].expected + 0.5 * settled;
    }
    let mut worst: Option<(f64, usize)> = None;
    for &r in &g.spec.roles {
        let Policy::Sterman { beta, .. } = specs[r].policy else {
            continue;
        };
        if points[r].counts_supply_line || beta >= 1.0 {
            continue;
        }
        let over = (last_orders[r] - settled) * (1.0 - beta);
        if over > 0.0 && worst.is_none_or(|(s, _)| over > s) {
            worst = Some((over, r));
        }
    }
    if let Some((_, r)) = worst {
        points[r].counts_supply_line = true;
        rec.excluded += 1.0;
    }
}

/// Plays one whole trial.
pub fn run_network(network: &NetworkSpec, seed: u64, trial: u64) -> NetworkResult {
    NetworkTrial::new(network, seed, trial).finish()
}

/// The sums of squared deviations `(SS(q), SS(D))` of stock point `point`'s orders and the
/// customer's demand over the measured weeks `t = p+2 ..= T` of docs/classics.md (`p` the point's
/// window): their ratio is the trial's bullwhip ratio. Under [`PassThrough::Newest`] the order
/// decided at the end of week `t − 1` is the textbook's `q_t` (placed at the start of week `t`,
/// before `D_t`); under [`PassThrough::Previous`] it is decided at the end of week `t`, after
/// `D_t`.
pub fn order_up_to_sums(
    r: &NetworkResult,
    point: usize,
    window: usize,
    pass_through: PassThrough,
) -> (f64, f64) {
    let weeks = r.demand.len();
    // 0-based indices of the measured weeks t = p+2 ..= weeks.
    let measured = window + 1..weeks;
    let decided = match pass_through {
        PassThrough::Newest => window..weeks - 1,
        PassThrough::Previous => measured.clone(),
    };
    (
        sum_of_squares(&r.orders[point][decided]),
        sum_of_squares(&r.demand[measured]),
    )
}

impl NetworkResult {
    /// Stock point `i`'s bullwhip ratio: for an order-up-to point, `SS(q)/SS(D)` over its
    /// measured weeks ([`order_up_to_sums`]); for any other, over all weeks (its `amp`).
    pub fn bullwhip_ratio(&self, spec: &NetworkSpec, i: usize) -> f64 {
        let (q, d) = match spec.stock_points[i].policy {
            Policy::OrderUpTo {
                window,
                pass_through,
                ..
            } => order_up_to_sums(self, i, window as usize, pass_through),
            Policy::Sterman { .. } => (
                sum_of_squares(&self.orders[i]),
                sum_of_squares(&self.demand),
            ),
        };
        q / d
    }

    /// The trial's values of [`crate::scenario::network::trial_columns`], in order. A ratio
    /// over a variance of 0 (constant demand, or a point below that never changes its order)
    /// is NaN: undefined, written as an empty cell and left out of the summary.
    pub fn metrics(&self, spec: &NetworkSpec, scoring: &Scoring) -> Vec<f64> {
        let n = self.orders.len();
        let peak = self.peak_order();
        let total = self.total_cost();
        let charged: Vec<f64> = (0..n).map(|i| scoring.charged(self, i)).collect();
        let budgets = &scoring.budgets;
        let attainment: Vec<f64> = charged
            .iter()
            .zip(budgets)
            .map(|(&c, &b)| budget_attainment(c, b))
            .collect();
        let claims: Vec<f64> = charged
            .iter()
            .zip(budgets)
            .map(|(c, b)| (c <= b) as u8 as f64)
            .collect();
        let met = total <= scoring.total_budget;
        let strategy = budget_attainment(total, scoring.total_budget);
        let claimed = attainment.iter().fold(0.0, |a, x| a + x) / n as f64;
        let mut out = vec![total, variance(&self.demand)];
        out.push(met as u8 as f64);
        out.push(strategy);
        out.push((!met && claims.iter().all(|&c| c > 0.5)) as u8 as f64);
        out.push(claimed - strategy);
        let rec = &self.meetings;
        out.extend([rec.held, rec.with_dissent, rec.decisions, rec.excluded]);
        out.extend([rec.stated_agreement(), 1.0 - self.operational_spread()]);
        out.push(rec.departures);
        out.extend(&self.cost);
        out.extend(self.orders.iter().map(|o| variance(o)));
        out.extend(self.amplification());
        out.extend(self.stage_amplification());
        out.extend((0..n).map(|i| self.bullwhip_ratio(spec, i)));
        out.extend(peak.iter().map(|p| p.0));
        out.extend(peak.iter().map(|p| p.1 as f64));
        out.extend(attainment);
        out.extend(claims);
        // x / 0 is NaN or infinite: both mean "undefined" here.
        for v in &mut out {
            if !v.is_finite() {
                *v = f64::NAN;
            }
        }
        out
    }
}

/// How a cost compares with its budget, on the organisation engine's scale for a target at
/// most: 1 on budget, 2 at no cost (or further under), 0 at twice the budget or more. A
/// budget under 1 is scaled as 1, so a plan that costs nothing does not make every unit a
/// catastrophe.
pub fn budget_attainment(cost: f64, budget: f64) -> f64 {
    (1.0 + (budget - cost) / budget.max(1.0)).clamp(0.0, 2.0)
}

/// How a network's roles and its strategy are judged, made once per run: each role's
/// scorecard weights and budget, and the total cost's budget, the budgets set from the plan
/// (the same network with each week's demand at its expectation, played once).
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Per stock point: what its scorecard charges per unit-week held and backlogged.
    pub weights: Vec<(f64, f64)>,
    /// Per stock point: its role's budget.
    pub budgets: Vec<f64>,
    /// The strategy's budget for the total cost.
    pub total_budget: f64,
    /// The plan's total cost, and each role's scorecard charge in it.
    pub plan_total: f64,
    /// Per stock point: what its scorecard charges in the plan.
    pub plan_charged: Vec<f64>,
}

impl Scoring {
    /// The scoring of `spec`: plays its plan once.
    pub fn new(spec: &NetworkSpec) -> Scoring {
        let weights: Vec<(f64, f64)> = spec
            .stock_points
            .iter()
            .map(|p| {
                let card = p.scorecard.as_ref();
                (
                    card.and_then(|c| c.holding).unwrap_or(p.holding_cost),
                    card.and_then(|c| c.backlog).unwrap_or(p.backlog_cost),
                )
            })
            .collect();
        let plan = run_network(&planned(spec), 0, 0);
        let mut scoring = Scoring {
            weights,
            budgets: Vec::new(),
            total_budget: 0.0,
            plan_total: plan.total_cost(),
            plan_charged: Vec::new(),
        };
        scoring.plan_charged = (0..spec.stock_points.len())
            .map(|i| scoring.charged(&plan, i))
            .collect();
        scoring.budgets = spec
            .stock_points
            .iter()
            .zip(&scoring.plan_charged)
            .map(|(p, c)| p.scorecard.as_ref().map_or(1.0, |s| s.budget_vs_plan) * c)
            .collect();
        let vs_plan = spec.strategy.as_ref().map_or(1.0, |s| s.total_cost_vs_plan);
        scoring.total_budget = vs_plan * scoring.plan_total;
        scoring
    }

    /// What stock point `i`'s scorecard charges in trial `r`: its weights on the point's
    /// inventory and backlog, week by week, summed in week order.
    pub fn charged(&self, r: &NetworkResult, i: usize) -> f64 {
        let (h, b) = self.weights[i];
        r.inventory[i]
            .iter()
            .zip(&r.backlog[i])
            .fold(0.0, |a, (inv, back)| a + (h * inv + b * back))
    }
}

/// The plan: `spec` with each week's demand at its expectation (a schedule of the means), and
/// no meetings: budgets are set from the chain as designed, before any ritual, and a meeting's
/// fear is a random draw the deterministic plan does not make.
pub fn planned(spec: &NetworkSpec) -> NetworkSpec {
    let mut plan = spec.clone();
    plan.meetings = None;
    plan.demand = match &spec.demand {
        Demand::Schedule { steps } | Demand::Poisson { steps } => Demand::Schedule {
            steps: steps.clone(),
        },
        Demand::Normal { mean, .. } => Demand::Schedule {
            steps: vec![Step {
                from_week: 1,
                value: *mean,
            }],
        },
    };
    plan
}

/// Everything a network run keeps about its trials, independent of how many there were; it
/// merges exactly, in any split (see [`Stat`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAggregate {
    /// Trials folded in.
    pub trials: u64,
    /// One per trial column; undefined (NaN) values are not counted.
    pub metrics: Vec<Stat>,
    /// Per series ([`crate::scenario::network::series_names`]) and week: `s * weeks + w`.
    pub series: Vec<Stat>,
    /// Weeks per series.
    pub weeks: usize,
}

impl NetworkAggregate {
    /// An empty aggregate for a network.
    pub fn new(spec: &NetworkSpec) -> Self {
        let weeks = spec.weeks as usize;
        let series = series_names(spec).len();
        NetworkAggregate {
            trials: 0,
            metrics: vec![Stat::fine(); trial_columns(spec).len()],
            series: vec![Stat::coarse(); series * weeks],
            weeks,
        }
    }

    /// Folds in one trial and its metrics.
    pub fn add(&mut self, r: &NetworkResult, metrics: &[f64]) {
        self.trials += 1;
        for (s, &v) in self.metrics.iter_mut().zip(metrics) {
            if v.is_finite() {
                s.add(v);
            }
        }
        let series = std::iter::once(&r.demand)
            .chain(&r.orders)
            .chain(&r.inventory)
            .chain(&r.backlog);
        for (k, values) in series.enumerate() {
            for (w, &v) in values.iter().enumerate() {
                self.series[k * self.weeks + w].add(v);
            }
        }
    }

    /// Merges another aggregate of the same network.
    pub fn merge(&mut self, o: &NetworkAggregate) {
        self.trials += o.trials;
        for (a, b) in self.metrics.iter_mut().zip(&o.metrics) {
            a.merge(b);
        }
        for (a, b) in self.series.iter_mut().zip(&o.series) {
            a.merge(b);
        }
    }

    /// Series `s` in week `w` (0-based).
    pub fn series_at(&self, s: usize, w: usize) -> &Stat {
        &self.series[s * self.weeks + w]
    }
}

/// One trial's row for `trials.csv`.
pub struct NetworkRow {
    /// The trial's index.
    pub trial: u64,
    /// Its metrics, in column order (NaN where undefined).
    pub metrics: Vec<f64>,
}

/// The textbook's variance ratio for an order-up-to point (Chen et al. 2000), in the
/// convention it plays: `1 + 2L/p + 2L²/p²` passing the newest demand through,
/// `1 + 2L²/p²` (`(1 − L)² + L²` for p = 1) passing the one before.
pub fn bullwhip_closed_form(policy: &Policy) -> Option<f64> {
    let Policy::OrderUpTo {
        window,
        lead_weeks,
        pass_through,
    } = policy
    else {
        return None;
    };
    let (p, l) = (*window as f64, *lead_weeks);
    Some(match (pass_through, *window) {
        (PassThrough::Newest, _) => 1.0 + 2.0 * l / p + 2.0 * l * l / (p * p),
        (PassThrough::Previous, 1) => (1.0 - l).powi(2) + l * l,
        (PassThrough::Previous, _) => 1.0 + 2.0 * l * l / (p * p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each meeting value lands in the column of its name: the columns are the organisation's
    /// names in its vocabulary's order, the values are pushed in a fixed order, so a reordered
    /// vocabulary fails here.
    #[test]
    fn meeting_values_are_written_under_their_names() {
        let mut spec = beer_game(true, STERMAN_FITTED);
        spec.meetings = Some(
            serde_json::from_value(serde_json::json!({"every_weeks": 3,
                "psychological_safety": 0.6, "departure_doubt": 0.4}))
            .unwrap(),
        );
        let cols = trial_columns(&spec);
        let r = run_network(&spec, 5, 2);
        let m = r.metrics(&spec, &Scoring::new(&spec));
        let at = |name: &str| m[cols.iter().position(|c| c == name).unwrap()];
        let rec = r.meetings;
        assert!(rec.decisions > 0.0 && rec.departures > 0.0, "{rec:?}");
        assert_eq!(at("meetings_held"), rec.held);
        assert_eq!(at("meetings_with_dissent"), rec.with_dissent);
        assert_eq!(at("decisions_made"), rec.decisions);
        assert_eq!(at("options_excluded"), rec.excluded);
        assert_eq!(at("stated_agreement"), rec.stated_agreement());
        assert_eq!(at("operational_agreement"), 1.0 - r.operational_spread());
        assert_eq!(at("departures"), rec.departures);
    }

    fn classic() -> NetworkResult {
        run_network(&beer_game(false, STERMAN_FITTED), 0, 0)
    }

    #[test]
    fn the_classic_opens_with_the_documented_first_orders() {
        // docs/classics.md: the board is not an equilibrium of the heuristic; the first orders are
        // 4.2392 for echelons 0-2 and 4.5928 for the factory. Computed as the rules write them.
        let r = classic();
        let (theta, alpha, beta, s) = (0.36, 0.26, 0.34, 17.0);
        let e = theta * 4.0 + (1.0 - theta) * 4.0;
        let first = |sl: f64| e + alpha * ((s - 12.0) - (beta * sl));
        for i in 0..3 {
            assert_eq!(r.orders[i][0], first(12.0), "point {i}");
            assert!((r.orders[i][0] - 4.2392).abs() < 1e-12);
        }
        assert_eq!(r.orders[3][0], first(8.0));
        assert!((r.orders[3][0] - 4.5928).abs() < 1e-12);
    }

    #[test]
    fn lead_times_follow_the_board() {
        // An order placed in week w enters inventory at the receive of week w + 4 (w + 3 for the
        // factory's production request): a unit impulse on the retailer's order in week 1 must
        // reach the wholesaler's incoming orders in week 3.
        let r = classic();
        // The retailer's week-1 order is the wholesaler's incoming order of week 3: before it
        // the wholesaler receives the board's slips of 4.
        let mut n = beer_game(false, STERMAN_FITTED);
        n.stock_points[1].policy = Policy::OrderUpTo {
            window: 1,
            lead_weeks: 0.0,
            pass_through: PassThrough::Newest,
        };
        let pass = run_network(&n, 0, 0);
        // With lead 0 and window 1 the wholesaler orders exactly what it received.
        assert_eq!(pass.orders[1][0], 4.0);
        assert_eq!(pass.orders[1][1], 4.0);
        assert_eq!(pass.orders[1][2], r.orders[0][0]);
        assert_eq!(pass.orders[1][3], r.orders[0][1]);
    }

    #[test]
    fn backlog_is_owed_not_lost() {
        // Everything the customer asked for is delivered or still owed at the end.
        let r = run_network(&beer_game(true, STERMAN_FITTED), 3, 5);
        let asked: f64 = r.demand.iter().sum();
        let weeks = r.demand.len();
        // The retailer's inventory balance: opening + received - sent = closing; sent =
        // asked - final backlog. Received is bounded by what it ordered plus the opening pipeline.
        let ordered: f64 = r.orders[0].iter().sum();
        let final_back = r.backlog[0][weeks - 1];
        let final_inv = r.inventory[0][weeks - 1];
        let sent = asked - final_back;
        let received = final_inv + sent - 12.0;
        assert!(
            received <= ordered + 16.0 + 1e-9,
            "{received} > {ordered} + 16"
        );
        assert!(received >= -1e-9);
    }

    #[test]
    fn variance_is_the_two_pass_sample_variance() {
        assert_eq!(variance(&[1.0, 2.0, 3.0, 4.0]), 5.0 / 3.0);
        assert_eq!(sum_of_squares(&[2.0, 2.0]), 0.0);
    }

    #[test]
    fn demand_schedule_steps() {
        let Demand::Schedule { steps } = beer_game(false, STERMAN_FITTED).demand else {
            panic!("the classic's demand is a schedule");
        };
        let d = Demand::Schedule { steps };
        assert_eq!(
            (1..=6).map(|w| d.mean(w)).collect::<Vec<_>>(),
            [4.0, 4.0, 4.0, 4.0, 8.0, 8.0]
        );
    }
}
