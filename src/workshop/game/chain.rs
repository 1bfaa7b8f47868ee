//! One act of a network scenario (the Beer Game): each team is one trial of the network (team `i`
//! is trial `i`, as in `orgsim network`), and each week is opened (receive, fill, costs, mail),
//! shown to the players, then closed with their orders ([`NetworkTrial::place_orders`]): the batch
//! engine's own code. A seat is a stock point; its decision is one whole number, the order.

use super::Refusal;
use crate::sim::network::{NetworkResult, NetworkSpec, NetworkTrial, StageView};

/// The one thing a stock point decides, as the pages and the log name it.
pub const ORDER: &str = "order";

/// A participant's order, beside what the point's policy (the robot) would have ordered there.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainDecision {
    /// The week (0-based).
    pub week: usize,
    /// The stock point.
    pub stage: usize,
    /// What the participant ordered.
    pub ordered: f64,
    /// What the point's policy asked for in the same state.
    pub rule: f64,
    /// What the point saw when it ordered.
    pub seen: StageView,
}

/// A team's trial played to the end, with every participant's order.
pub struct ChainPlayed {
    /// The trial.
    pub result: NetworkResult,
    /// The participants' orders, week by week.
    pub decisions: Vec<ChainDecision>,
}

/// One act's teams and this round's orders.
pub struct ChainGame<'m> {
    spec: &'m NetworkSpec,
    see_all: bool,
    teams: Vec<NetworkTrial<'m>>,
    /// Per team, per point: the order a participant gave this round.
    pending: Vec<Vec<Option<f64>>>,
    /// Per team: the orders placed by participants so far, the rule's filled in at the close.
    decisions: Vec<Vec<ChainDecision>>,
    max_order: usize,
}

impl<'m> ChainGame<'m> {
    /// `teams` trials of `spec` seeded with `seed`, each at its first week's decision; with
    /// `see_all`, every point sees every point's stock.
    pub fn new(spec: &'m NetworkSpec, seed: u64, teams: usize, see_all: bool) -> Self {
        let teams: Vec<NetworkTrial> = (0..teams as u64)
            .map(|i| {
                let mut t = NetworkTrial::new(spec, seed, i);
                t.open_week();
                t
            })
            .collect();
        let n = spec.stock_points.len();
        ChainGame {
            spec,
            see_all,
            pending: vec![vec![None; n]; teams.len()],
            decisions: (0..teams.len()).map(|_| Vec::new()).collect(),
            teams,
            max_order: max_order(spec),
        }
    }

    /// The network played.
    pub fn spec(&self) -> &'m NetworkSpec {
        self.spec
    }

    /// The week about to be played (0-based), the same for every team.
    pub fn week(&self) -> usize {
        self.teams.first().map_or(0, NetworkTrial::week)
    }

    /// Whether every week has been played.
    pub fn is_done(&self) -> bool {
        self.teams.iter().all(NetworkTrial::is_done)
    }

    /// How many teams play.
    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// The largest order a participant may place.
    pub fn max_order(&self) -> usize {
        self.max_order
    }

    /// What point `r` of team `t` sees this week.
    pub fn view(&self, t: usize, r: usize) -> StageView {
        self.teams[t].view(r, self.see_all)
    }

    /// Team `t`'s trial so far.
    pub fn so_far(&self, t: usize) -> &NetworkResult {
        self.teams[t].so_far()
    }

    /// Team `t`'s total cost so far.
    pub fn cost_so_far(&self, t: usize) -> f64 {
        (0..self.spec.stock_points.len())
            .map(|r| self.teams[t].view(r, false).cost)
            .sum()
    }

    /// Whether a participant in team `t`'s seat `r` has ordered this round.
    pub fn has_decided(&self, t: usize, r: usize) -> bool {
        self.pending[t][r].is_some()
    }

    /// A participant's order for point `r` of team `t` this week: `[("order", units)]`.
    pub fn decide(
        &mut self,
        t: usize,
        r: usize,
        choices: &[(String, usize)],
    ) -> Result<(), Refusal> {
        let units = self.check(t, r, choices)?;
        self.pending[t][r] = Some(units as f64);
        let (seen, week) = (self.view(t, r), self.week());
        self.decisions[t].push(ChainDecision {
            week,
            stage: r,
            ordered: units as f64,
            rule: f64::NAN,
            seen,
        });
        Ok(())
    }

    /// Whether [`ChainGame::decide`] would take the order, changing nothing: the units if so.
    pub fn check(&self, t: usize, r: usize, choices: &[(String, usize)]) -> Result<usize, Refusal> {
        if self.is_done() {
            return Err(Refusal::Over);
        }
        if self.has_decided(t, r) {
            return Err(Refusal::AlreadyDecided {
                week: self.week() + 1,
            });
        }
        let mut units = None;
        for (name, value) in choices {
            if name != ORDER {
                return Err(Refusal::NotYourLever {
                    lever: name.clone(),
                    role: self.spec.stock_points[r].name.clone(),
                    levers: ORDER.to_string(),
                });
            }
            if units.replace(*value).is_some() {
                return Err(Refusal::Twice {
                    lever: name.clone(),
                });
            }
        }
        let units = units.ok_or_else(|| Refusal::Missing {
            lever: ORDER.to_string(),
        })?;
        if units > self.max_order {
            return Err(Refusal::TooMany {
                most: self.max_order,
                found: units,
            });
        }
        Ok(units)
    }

    /// Closes the round: every team places its week's orders, participants' as given and the
    /// policy's elsewhere, and opens the next week. Returns the seats `(team, point)` the robot
    /// played.
    pub fn close_round(&mut self) -> Vec<[usize; 2]> {
        let mut robots = Vec::new();
        if self.is_done() {
            return robots;
        }
        let week = self.week();
        for (t, trial) in self.teams.iter_mut().enumerate() {
            for (r, p) in self.pending[t].iter().enumerate() {
                if p.is_none() {
                    robots.push([t, r]);
                }
            }
            trial.place_orders(&self.pending[t]);
            for d in self.decisions[t].iter_mut().filter(|d| d.week == week) {
                d.rule = trial.rule_orders()[d.stage];
            }
            trial.open_week();
            self.pending[t].iter_mut().for_each(|o| *o = None);
        }
        robots
    }

    /// Plays any remaining weeks with robots at every point and reports each team.
    pub fn finish(self) -> Vec<ChainPlayed> {
        // Orders given in a round that never closed (the session ended) were not played.
        let week = self.week();
        self.teams
            .into_iter()
            .zip(self.decisions)
            .map(|(trial, mut decisions)| {
                decisions.retain(|d| d.week < week);
                ChainPlayed {
                    result: trial.finish(),
                    decisions,
                }
            })
            .collect()
    }
}

/// The largest order a participant may place: a hundred weeks of the opening flow, and at
/// least 10,000 units, so a slip of the keyboard cannot take the statistics past what they
/// hold while any order a player means stays open.
fn max_order(spec: &NetworkSpec) -> usize {
    (100.0 * spec.initial_flow).clamp(10_000.0, 1e9) as usize
}
