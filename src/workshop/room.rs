//! A session's state: who sits where, which act and week, the game, the acts played. Every change
//! is an [`Event`] applied by [`Room::apply`], live and on replay alike, so the log is the state.
//! Pure: the caller ([`super::session`]) makes the tokens, keeps the clock and writes the log.

use super::event::{ActTwo, Event, Setup};
use super::game::{ActModel, Game, Refusal, Teams};
use super::views;
use serde_json::{json, Value};

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Seats are being taken; the act has not started.
    Lobby,
    /// Rounds are being played.
    Running,
    /// The clock is stopped; decisions are still taken.
    Paused,
    /// The first act is over and the second waits to begin.
    Interval,
    /// Every act is over: the debrief.
    Ended,
}

/// A participant in a seat.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupant {
    /// As they gave it.
    pub name: String,
    /// Their seat token.
    pub token: String,
}

/// One act, played to the end.
pub struct ActPlayed {
    /// Which model (0: the first act's, 1: the second's).
    pub act: usize,
    /// Each team's trial with every decision recorded.
    pub teams: Teams,
    /// The seats the robot played, per team, per week (0-based), as role indices.
    pub robots: Vec<Vec<Vec<usize>>>,
    /// The week (0-based) from which every seat was a robot because the session was ended early.
    pub ended_at: Option<usize>,
    /// Who decided, `(team, week, role) -> name`, as they were seated that week (a seat may
    /// change hands during an act).
    pub deciders: std::collections::BTreeMap<(usize, usize, usize), String>,
    /// Who sat where when the act ended: `seated[team][role]`.
    pub seated: Vec<Vec<Option<String>>>,
}

/// What went wrong applying an action: shown to whoever asked, with its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// HTTP status: 400 bad request, 403 not allowed, 404 no such seat, 409 conflict with the state.
    pub status: u16,
    /// The message.
    pub message: String,
}

impl Refused {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Refused {
            status,
            message: message.into(),
        }
    }
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Self {
        let status = match r {
            Refusal::AlreadyDecided { .. } | Refusal::Over => 409,
            _ => 400,
        };
        Refused::new(status, r.to_string())
    }
}

/// The session's state.
pub struct Room<'m> {
    /// How it was set up.
    pub setup: Setup,
    models: &'m [ActModel],
    /// `seats[team][role]`: the participant there, if any.
    pub seats: Vec<Vec<Option<Occupant>>>,
    /// Where the session is.
    pub phase: Phase,
    /// The act being played (0-based).
    pub act: usize,
    /// The facilitator's last message.
    pub message: Option<String>,
    /// Rounds closed so far, over both acts (the event id of the room's stream).
    pub rounds: u64,
    game: Option<Game<'m>>,
    robots: Vec<Vec<Vec<usize>>>,
    deciders: std::collections::BTreeMap<(usize, usize, usize), String>,
    /// The acts played to the end.
    pub played: Vec<ActPlayed>,
}

impl<'m> Room<'m> {
    /// A new room for `setup`, with its acts' models (one, or two with a second act).
    pub fn new(setup: Setup, models: &'m [ActModel]) -> Self {
        let seats = vec![vec![None; models[0].roles().len()]; setup.teams];
        let game = Game::new(&models[0], setup.seed, setup.teams, false);
        Room {
            robots: vec![Vec::new(); setup.teams],
            deciders: Default::default(),
            setup,
            models,
            seats,
            phase: Phase::Lobby,
            act: 0,
            message: None,
            rounds: 0,
            game: Some(game),
            played: Vec::new(),
        }
    }

    /// The number of acts.
    pub fn acts(&self) -> usize {
        1 + self.setup.act_two.is_some() as usize
    }

    /// The game being played (None once the session has ended).
    pub fn game(&self) -> Option<&Game<'m>> {
        self.game.as_ref()
    }

    /// The model of act `act`.
    pub fn model(&self, act: usize) -> &'m ActModel {
        &self.models[act]
    }

    /// Whether act `act` (0-based) shows a network's points every point's stock: a second act
    /// of "everyone sees everything". (An organisation's second act of that kind is its model,
    /// with every role's visibility widened.)
    pub fn sees_all(&self, act: usize) -> bool {
        act == 1 && matches!(self.setup.act_two, Some(ActTwo::SeeEverything))
    }

    /// The seat holding `token`.
    pub fn seat_of(&self, token: &str) -> Option<(usize, usize)> {
        self.seats.iter().enumerate().find_map(|(t, roles)| {
            roles
                .iter()
                .position(|o| o.as_ref().is_some_and(|o| same_token(&o.token, token)))
                .map(|r| (t, r))
        })
    }

    /// Whether the round can close now: someone sits, and every participant with a lever to decide
    /// this week has decided.
    pub fn round_complete(&self) -> bool {
        let Some(g) = &self.game else { return false };
        if g.is_done() || self.phase != Phase::Running {
            return false;
        }
        let mut anyone = false;
        for (t, roles) in self.seats.iter().enumerate() {
            for (r, o) in roles.iter().enumerate() {
                if o.is_some() {
                    anyone = true;
                    if g.acts_this_week(r) && !g.has_decided(t, r) {
                        return false;
                    }
                }
            }
        }
        anyone
    }

    /// A free seat for a newcomer: the one asked for, else a role with levers in the team with the
    /// fewest participants (the first such role in the scenario's order).
    pub fn free_seat(
        &self,
        team: Option<usize>,
        role: Option<&str>,
    ) -> Result<(usize, usize), Refused> {
        let roles = self.models[0].roles();
        let role = match role {
            Some(name) => Some(roles.iter().position(|r| r.0 == name).ok_or_else(|| {
                Refused::new(
                    400,
                    format!(
                        "no role '{name}' in this scenario (seats: {})",
                        self.role_names().join(", ")
                    ),
                )
            })?),
            None => None,
        };
        if let Some(r) = role.filter(|&r| !roles[r].1) {
            return Err(Refused::new(
                400,
                format!(
                    "{} has no lever to decide in this scenario, so it is not a seat (seats: {})",
                    roles[r].0,
                    self.role_names().join(", ")
                ),
            ));
        }
        if let Some(t) = team {
            if t >= self.setup.teams {
                return Err(Refused::new(
                    400,
                    format!(
                        "team {} does not exist (teams 1 to {})",
                        t + 1,
                        self.setup.teams
                    ),
                ));
            }
        }
        let mut teams: Vec<usize> = match team {
            Some(t) => vec![t],
            None => (0..self.setup.teams).collect(),
        };
        teams.sort_by_key(|&t| self.seats[t].iter().filter(|o| o.is_some()).count());
        for t in teams {
            for (r, &(_, seat)) in roles.iter().enumerate() {
                if role.is_some_and(|x| x != r) || !seat {
                    continue;
                }
                if self.seats[t][r].is_none() {
                    return Ok((t, r));
                }
            }
        }
        Err(Refused::new(
            409,
            match (team, role) {
                (Some(t), Some(r)) => format!("team {}'s {} seat is taken", t + 1, roles[r].0),
                _ => "every seat with a lever is taken".to_string(),
            },
        ))
    }

    fn role_names(&self) -> Vec<&str> {
        self.models[0].roles().into_iter().map(|r| r.0).collect()
    }

    /// Checks a participant's decision for `act` and `week` (both 1-based, as the page sends
    /// them) against the state, changing nothing: the event to log and apply if it stands.
    pub fn check_decision(
        &self,
        token: &str,
        act: usize,
        week: usize,
        choices: Vec<(String, usize)>,
    ) -> Result<Event, Refused> {
        let (t, r) = self
            .seat_of(token)
            .ok_or_else(|| Refused::new(403, "this seat token holds no seat in this session"))?;
        match self.phase {
            Phase::Running | Phase::Paused => {}
            Phase::Lobby => return Err(Refused::new(409, "the act has not started yet")),
            Phase::Interval | Phase::Ended => return Err(Refused::new(409, "the act is over")),
        }
        let g = self
            .game
            .as_ref()
            .ok_or_else(|| Refused::new(409, "the session has ended"))?;
        let now = (self.act + 1, g.week() + 1);
        if (act, week) != now {
            let when = if (act, week) < now {
                "already played"
            } else {
                "not open yet"
            };
            return Err(Refused::new(
                409,
                format!(
                    "act {act} week {week} is {when}: this round is act {} week {}",
                    now.0, now.1
                ),
            ));
        }
        g.check(t, r, &choices)?;
        Ok(Event::Decided {
            at: super::event::now_ms(),
            act,
            week,
            team: t,
            role: r,
            choices,
        })
    }

    /// Applies one event. Live, every action is checked first, so this succeeds; on replay a
    /// failure means the log is not one this version wrote.
    pub fn apply(&mut self, event: &Event) -> Result<(), Refused> {
        match event {
            Event::Created { .. } => return Err(Refused::new(400, "a second 'created' event")),
            Event::Joined {
                team,
                role,
                name,
                token,
                ..
            } => {
                let seat = self.seat_mut(*team, *role)?;
                *seat = Some(Occupant {
                    name: name.clone(),
                    token: token.clone(),
                });
            }
            Event::Freed { team, role, .. } => *self.seat_mut(*team, *role)? = None,
            Event::Started { .. } => self.expect(Phase::Lobby, Phase::Running)?,
            Event::Paused { .. } => self.expect(Phase::Running, Phase::Paused)?,
            Event::Resumed { .. } => self.expect(Phase::Paused, Phase::Running)?,
            Event::Timer { seconds, .. } => self.setup.round_seconds = *seconds,
            Event::Broadcast { message, .. } => self.message = Some(message.clone()),
            Event::Decided {
                act,
                week,
                team,
                role,
                choices,
                ..
            } => {
                let g = self
                    .game
                    .as_mut()
                    .ok_or_else(|| Refused::new(409, "the session has ended"))?;
                if (*act, *week) != (self.act + 1, g.week() + 1) {
                    return Err(Refused::new(
                        409,
                        format!("a decision for act {act} week {week} out of turn"),
                    ));
                }
                g.decide(*team, *role, choices)?;
                let week = g.week();
                if let Some(o) = &self.seats[*team][*role] {
                    self.deciders.insert((*team, week, *role), o.name.clone());
                }
            }
            Event::Advanced {
                act, week, robots, ..
            } => self.advance(*act, *week, robots)?,
            Event::NextAct { .. } => {
                if self.phase != Phase::Interval {
                    return Err(Refused::new(
                        409,
                        "the second act begins only after the first is over",
                    ));
                }
                self.act = 1;
                self.game = Some(Game::new(
                    &self.models[1],
                    self.setup.seed,
                    self.setup.teams,
                    self.sees_all(1),
                ));
                self.robots = vec![Vec::new(); self.setup.teams];
                self.phase = Phase::Lobby;
            }
            Event::Ended { .. } => {
                if self.phase == Phase::Ended {
                    return Err(Refused::new(409, "the session has ended already"));
                }
                self.close_act(true);
                self.phase = Phase::Ended;
            }
        }
        Ok(())
    }

    fn advance(&mut self, act: usize, week: usize, robots: &[[usize; 2]]) -> Result<(), Refused> {
        let g = self
            .game
            .as_mut()
            .ok_or_else(|| Refused::new(409, "the session has ended"))?;
        if (act, week) != (self.act + 1, g.week() + 1)
            || !matches!(self.phase, Phase::Running | Phase::Paused)
        {
            return Err(Refused::new(
                409,
                format!("act {act} week {week} cannot close now"),
            ));
        }
        let played = g.close_round();
        if played != robots {
            return Err(Refused::new(
                409,
                format!("week {week}: the log's robots {robots:?} are not the game's {played:?}"),
            ));
        }
        for (t, seats) in self.robots.iter_mut().enumerate() {
            seats.push(played.iter().filter(|s| s[0] == t).map(|s| s[1]).collect());
        }
        self.rounds += 1;
        if g.is_done() {
            self.close_act(false);
            self.phase = if self.act + 1 < self.acts() {
                Phase::Interval
            } else {
                Phase::Ended
            };
        }
        Ok(())
    }

    /// Plays out the act's remaining weeks with robots (if ended early) and files its trials.
    fn close_act(&mut self, early: bool) {
        let Some(g) = self.game.take() else { return };
        let ended_at = (early && !g.is_done()).then(|| g.week());
        self.played.push(ActPlayed {
            act: self.act,
            teams: g.finish(),
            robots: std::mem::take(&mut self.robots),
            ended_at,
            deciders: std::mem::take(&mut self.deciders),
            seated: self
                .seats
                .iter()
                .map(|roles| {
                    roles
                        .iter()
                        .map(|o| o.as_ref().map(|o| o.name.clone()))
                        .collect()
                })
                .collect(),
        });
    }

    /// The event that closes this round now, with the seats the robot will play.
    pub fn closing_event(&self) -> Option<Event> {
        let g = self.game.as_ref()?;
        if g.is_done() || !matches!(self.phase, Phase::Running | Phase::Paused) {
            return None;
        }
        let roles = self.models[self.act].roles().len();
        let robots = (0..self.setup.teams)
            .flat_map(|t| (0..roles).map(move |r| [t, r]))
            .filter(|&[t, r]| g.acts_this_week(r) && !g.has_decided(t, r))
            .collect();
        Some(Event::Advanced {
            at: super::event::now_ms(),
            act: self.act + 1,
            week: g.week() + 1,
            robots,
        })
    }

    fn seat_mut(&mut self, team: usize, role: usize) -> Result<&mut Option<Occupant>, Refused> {
        self.seats
            .get_mut(team)
            .and_then(|t| t.get_mut(role))
            .ok_or_else(|| {
                Refused::new(404, format!("no seat for team {} role {}", team + 1, role))
            })
    }

    fn expect(&mut self, from: Phase, to: Phase) -> Result<(), Refused> {
        if self.phase != from {
            return Err(Refused::new(
                409,
                format!("the session is {:?}, not {:?}", self.phase, from).to_lowercase(),
            ));
        }
        self.phase = to;
        Ok(())
    }

    /// The act's label, as the pages show it.
    pub fn act_label(&self, act: usize) -> String {
        match (act, &self.setup.act_two) {
            (0, _) => "act one: as the organisation is".to_string(),
            (_, Some(ActTwo::SeeEverything)) => "act two: everyone sees everything".to_string(),
            (_, Some(ActTwo::Arm { label, .. })) => format!("act two: {label}"),
            (_, None) => String::new(),
        }
    }

    /// What the wall shows (and every page starts from): the week, the clock, who sits where and
    /// who has decided; nothing a seat could not see (no stock, no results).
    pub fn board(&self, deadline_ms: Option<u64>) -> Value {
        let m = &self.models[self.act.min(self.models.len() - 1)];
        let g = self.game.as_ref();
        let teams: Vec<Value> = (0..self.setup.teams)
            .map(|t| {
                let seats: Vec<Value> = m
                    .roles()
                    .into_iter()
                    .enumerate()
                    .filter(|(_, role)| role.1)
                    .map(|(r, role)| {
                        json!({
                            "role": role.0,
                            "name": self.seats[t][r].as_ref().map(|o| o.name.clone()),
                            "robot": self.seats[t][r].is_none(),
                            "acts": g.is_some_and(|g| g.acts_this_week(r)),
                            "decided": g.is_some_and(|g| g.has_decided(t, r)),
                            // The robot played this seat last week: empty, or its participant
                            // had not decided when the round closed.
                            "robot_last_week": self.robots.get(t).and_then(|w| w.last()).is_some_and(|w| w.contains(&r)),
                        })
                    })
                    .collect();
                json!({ "team": t + 1, "seats": seats })
            })
            .collect();
        json!({
            "code": self.setup.code,
            "title": self.setup.title,
            "scenario": m.scenario_name(),
            "kind": m.kind(),
            "act": self.act + 1,
            "act_count": self.acts(),
            "act_label": self.act_label(self.act),
            "phase": self.phase,
            "week": g.map_or(m.horizon(), |g| g.week() + 1),
            "horizon": m.horizon(),
            "round": self.rounds,
            "round_seconds": self.setup.round_seconds,
            "deadline_ms": deadline_ms,
            "message": self.message,
            "teams": teams,
        })
    }

    /// What the facilitator's page shows: the board, every team's weekly lines so far, and the
    /// seats' names.
    pub fn facilitator(&self, deadline_ms: Option<u64>) -> Value {
        let mut v = self.board(deadline_ms);
        if let Some(g) = &self.game {
            // The teams' results so far: the facilitator's only. The wall is seen by the whole
            // room, and a seat sees only what its role sees.
            v["lines"] = Value::Array((0..self.setup.teams).map(|t| views::lines(g, t)).collect());
            for (t, team) in v["teams"].as_array_mut().into_iter().flatten().enumerate() {
                team["so_far"] = views::so_far(g, t);
            }
        }
        v["second_act"] = json!(self.setup.act_two.as_ref().map(ActTwo::label));
        v
    }

    /// What the participant in team `t`'s seat `r` sees: the board, and the role's own view.
    pub fn seat(&self, t: usize, r: usize, deadline_ms: Option<u64>) -> Value {
        let mut v = self.board(deadline_ms);
        let m = &self.models[self.act.min(self.models.len() - 1)];
        let name = self.seats[t][r].as_ref().map(|o| o.name.clone());
        views::seat(&mut v, m, self.game.as_ref(), (t, r), name);
        v
    }
}

/// Compares two tokens in time that does not depend on where they first differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
