//! One act of an organisation scenario: each team is one trial of the same model and seed family
//! (team `i` is trial `i`, as in `orgsim run`), advanced a round (a week) at a time. A seat a participant holds
//! supplies its levers' options ([`Trial::step_with`]); every other seat is played by the model's
//! fitted role, the robot. Pure: no I/O, no clock, no threads, so a session rebuilt from its event
//! log is the same game to the bit.

use super::Refusal;
use crate::scenario::model::Model;
use crate::sim::trial::{RoleView, Traced, Trial};

/// One act's teams and this round's decisions.
pub struct OrgGame<'m> {
    model: &'m Model,
    teams: Vec<Trial<'m>>,
    /// Per team, per lever: the option a participant chose this round.
    pending: Vec<Vec<Option<usize>>>,
    /// Per team, per role: whether a participant has decided this round.
    decided: Vec<Vec<bool>>,
}

impl<'m> OrgGame<'m> {
    /// `teams` trials of `model` seeded with `seed`: team `i` is trial `i`, traced so that every
    /// decision can be explained at the debrief.
    pub fn new(model: &'m Model, seed: u64, teams: usize) -> Self {
        OrgGame {
            model,
            teams: (0..teams as u64)
                .map(|i| Trial::new(model, seed, i).traced())
                .collect(),
            pending: vec![vec![None; model.levers.len()]; teams],
            decided: vec![vec![false; model.roles.len()]; teams],
        }
    }

    /// The model played.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The week about to be played (0-based), the same for every team.
    pub fn week(&self) -> usize {
        self.teams.first().map_or(0, Trial::week)
    }

    /// Whether every week has been played.
    pub fn is_done(&self) -> bool {
        self.teams.iter().all(Trial::is_done)
    }

    /// How many teams play.
    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// Team `t`'s trial so far.
    pub fn trial(&self, t: usize) -> &Trial<'m> {
        &self.teams[t]
    }

    /// What role `r` of team `t` sees this week.
    pub fn view(&self, t: usize, r: usize) -> RoleView {
        self.teams[t].view(r)
    }

    /// Whether role `r` has a lever to decide this week.
    pub fn acts_this_week(&self, r: usize) -> bool {
        !self.is_done() && self.teams[0].view(r).levers.iter().any(|l| l.open)
    }

    /// Whether a participant in team `t`'s seat `r` has decided this round.
    pub fn has_decided(&self, t: usize, r: usize) -> bool {
        self.decided[t][r]
    }

    /// A participant's decision for role `r` of team `t` this week: `(lever name, option index)`
    /// for every lever of the role open this week, no more and no fewer.
    pub fn decide(
        &mut self,
        t: usize,
        r: usize,
        choices: &[(String, usize)],
    ) -> Result<(), Refusal> {
        let picked = self.check(t, r, choices)?;
        for (j, p) in picked.into_iter().enumerate() {
            if p.is_some() {
                self.pending[t][j] = p;
            }
        }
        self.decided[t][r] = true;
        Ok(())
    }

    /// Whether [`OrgGame::decide`] would take the decision, changing nothing: the option each lever
    /// would take if so.
    pub fn check(
        &self,
        t: usize,
        r: usize,
        choices: &[(String, usize)],
    ) -> Result<Vec<Option<usize>>, Refusal> {
        let m = self.model;
        if self.is_done() {
            return Err(Refusal::Over);
        }
        if self.decided[t][r] {
            return Err(Refusal::AlreadyDecided {
                week: self.week() + 1,
            });
        }
        let role = &m.roles[r];
        let view = self.teams[t].view(r);
        let mut picked = vec![None; m.levers.len()];
        for (name, option) in choices {
            let Some(k) = role.levers.iter().position(|&j| m.levers[j].name == *name) else {
                return Err(Refusal::NotYourLever {
                    lever: name.clone(),
                    role: role.name.clone(),
                    levers: view
                        .levers
                        .iter()
                        .map(|l| l.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let j = role.levers[k];
            let lever = &view.levers[k];
            if !lever.open {
                return Err(Refusal::NotThisWeek {
                    lever: name.clone(),
                    every: lever.every,
                });
            }
            if *option >= lever.options.len() {
                return Err(Refusal::OutsideMenu {
                    lever: name.clone(),
                    last: lever.options.len() - 1,
                    found: *option,
                });
            }
            if picked[j].replace(*option).is_some() {
                return Err(Refusal::Twice {
                    lever: name.clone(),
                });
            }
        }
        if let Some(k) = view
            .levers
            .iter()
            .enumerate()
            .position(|(k, l)| l.open && picked[role.levers[k]].is_none())
        {
            return Err(Refusal::Missing {
                lever: view.levers[k].name.clone(),
            });
        }
        Ok(picked)
    }

    /// Closes the round: every team plays the week, participants' decisions as given and the
    /// robot's elsewhere. Returns the seats `(team, role)` that had a lever to decide and were
    /// played by the robot.
    pub fn close_round(&mut self) -> Vec<[usize; 2]> {
        let mut robots = Vec::new();
        if self.is_done() {
            return robots;
        }
        for t in 0..self.teams.len() {
            for r in 0..self.model.roles.len() {
                if !self.decided[t][r] && self.acts_this_week(r) {
                    robots.push([t, r]);
                }
            }
        }
        for (t, trial) in self.teams.iter_mut().enumerate() {
            trial.step_with(&self.pending[t]);
            self.pending[t].iter_mut().for_each(|o| *o = None);
            self.decided[t].iter_mut().for_each(|d| *d = false);
        }
        robots
    }

    /// Plays any remaining weeks with robots in every seat and closes each team's books.
    pub fn finish(self) -> Vec<Traced> {
        self.teams
            .into_iter()
            .map(|mut trial| {
                while !trial.is_done() {
                    trial.step();
                }
                let decisions = trial.decisions().to_vec();
                Traced {
                    decisions,
                    result: trial.finish(),
                }
            })
            .collect()
    }
}
