//! One act of a workshop: each team is one trial of the act's model, advanced a round (a week) at a
//! time, participants' decisions supplied from outside and the model's robots playing every other
//! seat. Pure: no I/O, no clock, no threads, so a session rebuilt from its event log is the same
//! game to the bit.
//!
//! Two kinds of game, as there are two kinds of scenario: an organisation's ([`organisation`]),
//! where a seat is a role and decides its levers' options, and a network's ([`chain`], the Beer
//! Game), where a seat is a stock point and decides how much to order. [`Game`] is either, and
//! says the same things about both to the room.

pub mod chain;
pub mod organisation;

use crate::run::prepare::Prepared;
use crate::scenario::network::NetworkModel;
use crate::sim::trial::Traced;
use chain::{ChainGame, ChainPlayed};
use organisation::OrgGame;

/// The model of one act: a fitted organisation, or a network.
pub enum ActModel {
    /// An organisation scenario, its playbook fitted.
    Organisation(Box<Prepared>),
    /// A network scenario (its policies are its robots).
    Network(Box<NetworkModel>),
}

impl ActModel {
    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        match self {
            ActModel::Organisation(m) => &m.scenario.name,
            ActModel::Network(n) => &n.scenario.name,
        }
    }

    /// Weeks in a trial.
    pub fn horizon(&self) -> usize {
        match self {
            ActModel::Organisation(m) => m.horizon,
            ActModel::Network(n) => n.scenario.network.weeks as usize,
        }
    }

    /// Every role (a stock point, for a network) by name, and whether it is a seat: whether it
    /// has anything to decide.
    pub fn roles(&self) -> Vec<(&str, bool)> {
        match self {
            ActModel::Organisation(m) => m
                .roles
                .iter()
                .map(|r| (r.name.as_str(), !r.levers.is_empty()))
                .collect(),
            ActModel::Network(n) => n
                .scenario
                .network
                .stock_points
                .iter()
                .map(|p| (p.name.as_str(), true))
                .collect(),
        }
    }

    /// `"organisation"` or `"network"`, as the pages read it.
    pub fn kind(&self) -> &'static str {
        match self {
            ActModel::Organisation(_) => "organisation",
            ActModel::Network(_) => "network",
        }
    }
}

/// A decision the game refuses, with the words a participant's page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The lever is not this role's.
    #[error("'{lever}' is not one of {role}'s levers (its levers: {levers})")]
    NotYourLever {
        /// The lever named.
        lever: String,
        /// The seat's role.
        role: String,
        /// The role's levers, listed.
        levers: String,
    },
    /// The option index is not on the lever's menu.
    #[error("'{lever}' has options 0 to {last}; found option {found}")]
    OutsideMenu {
        /// The lever.
        lever: String,
        /// The last option's index.
        last: usize,
        /// The index given.
        found: usize,
    },
    /// An order beyond the largest a participant may place.
    #[error("an order is a whole number of units from 0 to {most}; found {found}")]
    TooMany {
        /// The largest order.
        most: usize,
        /// The order given.
        found: usize,
    },
    /// The lever is not decided this week.
    #[error("'{lever}' is decided every {every} weeks and not this week")]
    NotThisWeek {
        /// The lever.
        lever: String,
        /// Its cadence.
        every: usize,
    },
    /// An open lever was left out.
    #[error("a decision for '{lever}' is missing: decide every lever open this week")]
    Missing {
        /// The lever left out.
        lever: String,
    },
    /// The same lever twice in one decision.
    #[error("'{lever}' is decided twice in one submission")]
    Twice {
        /// The lever.
        lever: String,
    },
    /// The seat has decided this week already.
    #[error("this seat has already decided week {week}")]
    AlreadyDecided {
        /// The week (1-based).
        week: usize,
    },
    /// The act is over.
    #[error("the act is over: every week has been played")]
    Over,
}

/// One act's teams and this round's decisions, of either kind.
pub enum Game<'m> {
    /// An organisation's roles.
    Organisation(OrgGame<'m>),
    /// A network's stock points.
    Network(ChainGame<'m>),
}

/// An act's teams, played to the end.
pub enum Teams {
    /// Each team's trial with every decision recorded.
    Organisation(Vec<Traced>),
    /// Each team's network trial with every participant's order.
    Network(Vec<ChainPlayed>),
}

impl Teams {
    /// How many teams.
    pub fn len(&self) -> usize {
        match self {
            Teams::Organisation(t) => t.len(),
            Teams::Network(t) => t.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An organisation's teams (None for a network's).
    pub fn organisation(&self) -> Option<&[Traced]> {
        match self {
            Teams::Organisation(t) => Some(t),
            Teams::Network(_) => None,
        }
    }

    /// A network's teams (None for an organisation's).
    pub fn network(&self) -> Option<&[ChainPlayed]> {
        match self {
            Teams::Network(t) => Some(t),
            Teams::Organisation(_) => None,
        }
    }
}

impl<'m> Game<'m> {
    /// `teams` trials of `model` seeded with `seed` (team `i` is trial `i`); with `see_all`, a
    /// network's points see every point's stock (an organisation sees what its model's
    /// visibility says).
    pub fn new(model: &'m ActModel, seed: u64, teams: usize, see_all: bool) -> Self {
        match model {
            ActModel::Organisation(m) => Game::Organisation(OrgGame::new(m, seed, teams)),
            ActModel::Network(n) => {
                Game::Network(ChainGame::new(&n.scenario.network, seed, teams, see_all))
            }
        }
    }

    /// An organisation's game (None for a network's).
    pub fn organisation(&self) -> Option<&OrgGame<'m>> {
        match self {
            Game::Organisation(g) => Some(g),
            Game::Network(_) => None,
        }
    }

    /// A network's game (None for an organisation's).
    pub fn network(&self) -> Option<&ChainGame<'m>> {
        match self {
            Game::Network(g) => Some(g),
            Game::Organisation(_) => None,
        }
    }

    /// The week about to be played (0-based), the same for every team.
    pub fn week(&self) -> usize {
        match self {
            Game::Organisation(g) => g.week(),
            Game::Network(g) => g.week(),
        }
    }

    /// Whether every week has been played.
    pub fn is_done(&self) -> bool {
        match self {
            Game::Organisation(g) => g.is_done(),
            Game::Network(g) => g.is_done(),
        }
    }

    /// Whether role `r` has something to decide this week.
    pub fn acts_this_week(&self, r: usize) -> bool {
        match self {
            Game::Organisation(g) => g.acts_this_week(r),
            Game::Network(g) => !g.is_done(),
        }
    }

    /// Whether a participant in team `t`'s seat `r` has decided this round.
    pub fn has_decided(&self, t: usize, r: usize) -> bool {
        match self {
            Game::Organisation(g) => g.has_decided(t, r),
            Game::Network(g) => g.has_decided(t, r),
        }
    }

    /// A participant's decision for seat `r` of team `t` this week: `(lever, option)` pairs for
    /// an organisation's open levers, `[("order", units)]` for a stock point.
    pub fn decide(
        &mut self,
        t: usize,
        r: usize,
        choices: &[(String, usize)],
    ) -> Result<(), Refusal> {
        match self {
            Game::Organisation(g) => g.decide(t, r, choices),
            Game::Network(g) => g.decide(t, r, choices),
        }
    }

    /// Whether [`Game::decide`] would take the decision, changing nothing.
    pub fn check(&self, t: usize, r: usize, choices: &[(String, usize)]) -> Result<(), Refusal> {
        match self {
            Game::Organisation(g) => g.check(t, r, choices).map(drop),
            Game::Network(g) => g.check(t, r, choices).map(drop),
        }
    }

    /// Closes the round: every team plays the week. Returns the seats `[team, role]` that had
    /// something to decide and were played by the robot.
    pub fn close_round(&mut self) -> Vec<[usize; 2]> {
        match self {
            Game::Organisation(g) => g.close_round(),
            Game::Network(g) => g.close_round(),
        }
    }

    /// Plays any remaining weeks with robots in every seat and closes each team's books.
    pub fn finish(self) -> Teams {
        match self {
            Game::Organisation(g) => Teams::Organisation(g.finish()),
            Game::Network(g) => Teams::Network(g.finish()),
        }
    }
}
