//! A live session: one thread owns its models, its [`Room`] and its event log, and takes requests
//! one at a time from a channel, so a session's state changes in one order, the log's. The round
//! timer is the channel's timeout. After every change the thread publishes a [`Snapshot`] that the
//! pages' event streams send on.
//!
//! Every change is written to the log before it is applied, so a change that could not be logged
//! did not happen; the log is synced to disk at the end of every round and at every change of act.

use super::debrief::{self, Plays};
use super::event::{now_ms, ActTwo, Event, Setup};
use super::game::ActModel;
use super::room::{Phase, Refused, Room};
use crate::error::{Error, Result};
use crate::run::prepare::Prepared;
use crate::scenario::load::{self, Source};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// Prepares a model (loads, checks, fits or remembers its playbook): given by the command, which
/// owns the fit cache.
pub type Preparer = Arc<dyn Fn(&Source, &[String]) -> Result<Prepared> + Send + Sync>;

/// What every page's stream sends: the state as each audience may see it, as JSON text.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Rounds closed so far (the stream's event id).
    pub round: u64,
    /// The wall's view (anyone with the code).
    pub board: String,
    /// The facilitator's token and view.
    pub facilitator: (String, String),
    /// Per seat token, the seat's view.
    pub seats: BTreeMap<String, String>,
}

/// A facilitator's action.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Starts the act's rounds.
    Start,
    /// Stops the round's clock.
    Pause,
    /// Restarts it (with a full round's time).
    Resume,
    /// Closes the round now: robots decide for every seat that has not.
    Advance,
    /// Sets the round timer (None: no timer).
    Timer {
        /// Seconds a round.
        seconds: Option<u32>,
    },
    /// A message to the room.
    Broadcast {
        /// The text (at most 500 characters).
        message: String,
    },
    /// Seats a named participant and returns their seat's token (to hand over as a link).
    Assign {
        /// Team, from 1.
        team: usize,
        /// Role name.
        role: String,
        /// Who.
        name: String,
    },
    /// Frees a seat: its token stops working, and the robot plays it.
    Free {
        /// Team, from 1.
        team: usize,
        /// Role name.
        role: String,
    },
    /// Begins the second act.
    NextAct,
    /// Ends the session: any weeks left are played by robots, then the debrief.
    End,
}

/// What a request gets back.
pub type Reply = std::result::Result<Value, Refused>;

/// A request to a session's thread.
pub enum Msg {
    /// A newcomer takes a seat.
    Join {
        /// Their name.
        name: String,
        /// The team asked for (0-based), if any.
        team: Option<usize>,
        /// The role asked for, if any.
        role: Option<String>,
        /// Where the answer goes.
        reply: oneshot::Sender<Reply>,
    },
    /// A participant's decision.
    Decide {
        /// Their seat token.
        token: String,
        /// Act, from 1.
        act: usize,
        /// Week, from 1.
        week: usize,
        /// (lever, option index) for each lever open this week.
        choices: Vec<(String, usize)>,
        /// Where the answer goes.
        reply: oneshot::Sender<Reply>,
    },
    /// A facilitator's action.
    Control {
        /// The facilitator's token.
        token: String,
        /// What to do.
        action: Action,
        /// Where the answer goes.
        reply: oneshot::Sender<Reply>,
    },
    /// The debrief: JSON, HTML and CSV.
    Debrief {
        /// Where the answer goes.
        reply: oneshot::Sender<std::result::Result<Arc<Debrief>, Refused>>,
    },
    /// The simulated plays of an act are ready.
    Plays(usize, Box<Result<Plays>>),
}

/// The debrief, computed once the session has ended (and written to its folder).
#[derive(Debug)]
pub struct Debrief {
    /// For the page.
    pub json: Value,
    /// The offline report.
    pub html: String,
    /// Every participant's decision and the model's.
    pub decisions_csv: String,
    /// Each team's place among the plays.
    pub results_csv: String,
}

/// A running session, as the server holds it.
#[derive(Clone)]
pub struct Handle {
    /// The join code.
    pub code: String,
    /// The session's title.
    pub title: String,
    tx: Sender<Msg>,
    /// The latest snapshot.
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
}

impl Handle {
    /// Sends a request; the answer, or a 503 if the session's thread has stopped.
    pub async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<std::result::Result<T, Refused>>) -> Msg,
    ) -> std::result::Result<T, Refused> {
        let (reply, answer) = oneshot::channel();
        let gone = || {
            Refused::new(
                503,
                format!(
                    "session {} has stopped; restart the server to reload it",
                    self.code
                ),
            )
        };
        self.tx.send(make(reply)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// How sessions are kept and debriefed.
#[derive(Clone)]
pub struct Settings {
    /// Where sessions' folders are (`<data>/sessions/<CODE>/events.jsonl`).
    pub data: PathBuf,
    /// Simulated plays each act's debrief compares with.
    pub plays: u64,
    /// Loads and fits a scenario.
    pub prepare: Preparer,
}

/// The session folder of `code`.
pub fn folder(data: &Path, code: &str) -> PathBuf {
    data.join("sessions").join(code)
}

/// The models of a session's acts: its scenario with its overrides, and the second act's. A
/// network's "everyone sees everything" is the same network, shown differently
/// ([`Room::sees_all`]).
fn models(settings: &Settings, setup: &Setup) -> Result<Vec<ActModel>> {
    let source = Source {
        name: setup.scenario.clone(),
        text: setup.scenario_text.clone(),
    };
    let network = load::is_network(&source);
    let model = |sets: &[String]| -> Result<ActModel> {
        Ok(if network {
            ActModel::Network(Box::new(load::load_network(&source, sets)?))
        } else {
            ActModel::Organisation(Box::new((settings.prepare)(&source, sets)?))
        })
    };
    let mut out = vec![model(&setup.sets)?];
    if let Some(two) = &setup.act_two {
        let mut sets = setup.sets.clone();
        match (two, &out[0]) {
            (ActTwo::SeeEverything, ActModel::Organisation(m)) => sets.extend(see_everything(m)),
            (ActTwo::SeeEverything, ActModel::Network(_)) => {}
            (ActTwo::Arm { sets: more, .. }, _) => sets.extend(more.iter().cloned()),
        }
        out.push(model(&sets)?);
    }
    Ok(out)
}

/// The overrides that let every role see every stock point's stock without delay.
fn see_everything(model: &Prepared) -> Vec<String> {
    let all: Vec<Value> = model
        .chain
        .iter()
        .map(|e| json!({ "stock_point": e.name }))
        .collect();
    model
        .roles
        .iter()
        .map(|r| format!("roles.{}.visibility={}", r.name, Value::Array(all.clone())))
        .collect()
}

/// Creates a session: prepares its models, then writes the first line of its log (so a setup that
/// does not load leaves nothing behind), and starts its thread.
pub fn create(settings: &Settings, setup: Setup) -> Result<Handle> {
    let dir = folder(&settings.data, &setup.code);
    start(settings, setup, move |room| Log::create(&dir, &room.setup))
}

/// Restores a session from its log: the setup, then every event replayed.
pub fn restore(settings: &Settings, dir: &Path) -> Result<Handle> {
    let path = dir.join("events.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let shown = path.display().to_string();
    let bad =
        move |line: usize, message: String| Error::Usage(format!("{shown}:{line}: {message}"));
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // A last line cut short by a crash is the one change that did not happen.
        match serde_json::from_str::<Event>(line) {
            Ok(e) => events.push(e),
            Err(e) if i + 1 == text.lines().count() && !text.ends_with('\n') => drop(e),
            Err(e) => return Err(bad(i + 1, format!("not a session event: {e}"))),
        }
    }
    let Some(Event::Created { setup, .. }) = events.first().cloned() else {
        return Err(bad(1, "expected a 'created' event first".into()));
    };
    let dir = dir.to_path_buf();
    start(settings, setup, move |room| {
        for (i, e) in events.iter().enumerate().skip(1) {
            room.apply(e).map_err(|r| bad(i + 1, r.message))?;
        }
        Log::append(&dir)
    })
}

/// Starts a session's thread: prepares its models and builds its room, lets `open` bring the room
/// to its state and open its log, then serves requests. Returns once the first snapshot is out,
/// or with the error that stopped it.
fn start(
    settings: &Settings,
    setup: Setup,
    open: impl FnOnce(&mut Room) -> Result<Log> + Send + 'static,
) -> Result<Handle> {
    let (tx, rx) = channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
    let (snap_tx, snapshots) = watch::channel(Arc::new(Snapshot::default()));
    let (code, title) = (setup.code.clone(), setup.title.clone());
    let settings = settings.clone();
    let own_tx = tx.clone();
    std::thread::Builder::new()
        .name(format!("session-{code}"))
        .spawn(move || {
            let models = match models(&settings, &setup) {
                Ok(m) => m,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            let mut room = Room::new(setup, &models);
            let log = match open(&mut room) {
                Ok(l) => l,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            run(room, log, &settings, rx, own_tx, snap_tx, ready_tx);
        })
        .map_err(|e| Error::Usage(format!("cannot start a session's thread: {e}")))?;
    ready_rx
        .recv()
        .map_err(|_| Error::Usage("the session's thread stopped while loading".into()))??;
    Ok(Handle {
        code,
        title,
        tx,
        snapshots,
    })
}

/// The append-only log.
struct Log {
    path: PathBuf,
    file: std::fs::File,
}

impl Log {
    fn create(dir: &Path, setup: &Setup) -> Result<Log> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join("events.jsonl");
        let mut opts = std::fs::OpenOptions::new();
        opts.create_new(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&path).map_err(io(&path))?;
        let mut log = Log { path, file };
        log.write(
            &Event::Created {
                at: now_ms(),
                setup: setup.clone(),
            },
            true,
        )?;
        Ok(log)
    }

    fn append(dir: &Path) -> Result<Log> {
        let path = dir.join("events.jsonl");
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Log { path, file })
    }

    /// Appends one line; syncs it to disk when `sync`.
    fn write(&mut self, event: &Event, sync: bool) -> Result<()> {
        let mut line = serde_json::to_string(event).expect("events serialise");
        line.push('\n');
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io)?;
        if sync {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }
}

/// The session's thread.
struct Live<'r, 'm> {
    room: &'r mut Room<'m>,
    log: Log,
    deadline: Option<Instant>,
    /// Per act, the simulated plays once they are done (or why they failed).
    plays: Vec<Option<std::result::Result<Arc<Plays>, String>>>,
    /// Per act, whether its plays have been started.
    simulating: Vec<bool>,
    debrief: Option<Arc<Debrief>>,
    dir: PathBuf,
    /// This session's own channel, for the plays' threads to report on.
    tx: Sender<Msg>,
    how_many: u64,
    cancel: Arc<AtomicBool>,
}

/// Says the session is ready (on `ready`) once its first snapshot is published, so that the
/// server never shows a session, new or restored, before its state.
fn run(
    mut room: Room,
    log: Log,
    settings: &Settings,
    rx: Receiver<Msg>,
    tx: Sender<Msg>,
    snap: watch::Sender<Arc<Snapshot>>,
    ready: std::sync::mpsc::SyncSender<Result<()>>,
) {
    let acts = room.acts();
    let dir = folder(&settings.data, &room.setup.code);
    let ended = room.phase == Phase::Ended;
    let mut live = Live {
        room: &mut room,
        log,
        deadline: None,
        plays: (0..acts).map(|_| None).collect(),
        simulating: vec![false; acts],
        debrief: None,
        dir,
        tx,
        how_many: settings.plays,
        cancel: Arc::new(AtomicBool::new(false)),
    };
    // A live session's plays run while the room plays; an ended one's (reloaded at start) only
    // when its debrief is asked for, so that a server with many old sessions starts at once.
    if !ended {
        (0..acts).for_each(|act| live.simulate(act));
    }
    live.open_round();
    live.publish(&snap);
    let _ = ready.send(Ok(()));
    loop {
        let msg = match live.deadline {
            Some(d) => rx.recv_timeout(d.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match msg {
            Ok(m) => live.handle(m, &snap),
            Err(RecvTimeoutError::Timeout) => {
                let _ = live.close_round();
                live.publish(&snap);
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    live.cancel.store(true, Ordering::Relaxed);
}

impl Live<'_, '_> {
    /// Starts act `act`'s simulated plays on a thread of their own, once.
    fn simulate(&mut self, act: usize) {
        if std::mem::replace(&mut self.simulating[act], true) {
            return;
        }
        let model = match self.room.model(act) {
            ActModel::Organisation(m) => ActModel::Organisation(m.clone()),
            ActModel::Network(n) => ActModel::Network(n.clone()),
        };
        let (tx, cancel) = (self.tx.clone(), self.cancel.clone());
        let (seed, plays) = (self.room.setup.seed, self.how_many);
        let spawned = std::thread::Builder::new()
            .name(format!("plays-{}-{act}", self.room.setup.code))
            .spawn(move || {
                let result = debrief::simulate(&model, seed, plays, &cancel);
                let _ = tx.send(Msg::Plays(act, Box::new(result)));
            });
        if let Err(e) = spawned {
            self.plays[act] = Some(Err(format!("cannot start the plays' thread: {e}")));
        }
    }

    /// Handles one request. A change is published before its answer is sent, so that whoever is
    /// answered reads the state their request made (their seat after a join, the next week after
    /// the decision that closed the round).
    fn handle(&mut self, msg: Msg, snap: &watch::Sender<Arc<Snapshot>>) {
        match msg {
            Msg::Join {
                name,
                team,
                role,
                reply,
            } => {
                let answer = self.join(name, team, role.as_deref());
                self.publish(snap);
                let _ = reply.send(answer);
            }
            Msg::Decide {
                token,
                act,
                week,
                choices,
                reply,
            } => {
                let result = self
                    .room
                    .check_decision(&token, act, week, choices)
                    .and_then(|e| self.record(e));
                let answer = result.map(|_| json!({ "accepted": true, "act": act, "week": week }));
                self.settle();
                self.publish(snap);
                let _ = reply.send(answer);
            }
            Msg::Control {
                token,
                action,
                reply,
            } => {
                let answer = if super::room::same_token(&token, &self.room.setup.facilitator) {
                    self.control(action)
                } else {
                    Err(Refused::new(
                        403,
                        "the facilitator's token is needed for this",
                    ))
                };
                self.settle();
                self.publish(snap);
                let _ = reply.send(answer);
            }
            Msg::Debrief { reply } => {
                let _ = reply.send(self.debrief());
            }
            Msg::Plays(act, result) => {
                self.plays[act] = Some(result.map(Arc::new).map_err(|e| e.to_string()));
            }
        }
    }

    /// Logs and applies an event; the log is synced when the event closes a round or an act.
    fn record(&mut self, event: Event) -> std::result::Result<(), Refused> {
        let sync = matches!(
            event,
            Event::Advanced { .. }
                | Event::NextAct { .. }
                | Event::Ended { .. }
                | Event::Started { .. }
        );
        self.log.write(&event, sync).map_err(|e| {
            Refused::new(
                500,
                format!("could not record the change, so it did not happen: {e}"),
            )
        })?;
        self.room.apply(&event).map_err(|r| {
            Refused::new(
                500,
                format!("a logged change failed to apply: {}", r.message),
            )
        })
    }

    fn join(&mut self, name: String, team: Option<usize>, role: Option<&str>) -> Reply {
        let name = clean_name(&name)?;
        if self.room.phase == Phase::Ended {
            return Err(Refused::new(409, "the session has ended"));
        }
        let (t, r) = self.room.free_seat(team, role)?;
        let token = new_token();
        self.record(Event::Joined {
            at: now_ms(),
            team: t,
            role: r,
            name,
            token: token.clone(),
        })?;
        Ok(json!({ "token": token, "team": t + 1, "role": self.room.model(0).roles()[r].0 }))
    }

    fn control(&mut self, action: Action) -> Reply {
        let at = now_ms();
        let seat = |room: &Room,
                    team: usize,
                    role: &str|
         -> std::result::Result<(usize, usize), Refused> {
            let r = room
                .model(0)
                .roles()
                .iter()
                .position(|x| x.0 == role)
                .ok_or_else(|| Refused::new(400, format!("no role '{role}'")))?;
            if team == 0 || team > room.setup.teams {
                return Err(Refused::new(
                    400,
                    format!(
                        "team {team} does not exist (teams 1 to {})",
                        room.setup.teams
                    ),
                ));
            }
            Ok((team - 1, r))
        };
        let event = match action {
            Action::Start => Event::Started { at },
            Action::Pause => Event::Paused { at },
            Action::Resume => Event::Resumed { at },
            Action::Advance => {
                self.close_round()?;
                return Ok(json!({ "round": self.room.rounds }));
            }
            Action::Timer { seconds } => {
                if seconds.is_some_and(|s| !(5..=3600).contains(&s)) {
                    return Err(Refused::new(
                        400,
                        "a round timer is 5 to 3600 seconds, or null for none",
                    ));
                }
                Event::Timer { at, seconds }
            }
            Action::Broadcast { message } => {
                if message.chars().count() > 500 {
                    return Err(Refused::new(400, "a message is at most 500 characters"));
                }
                Event::Broadcast { at, message }
            }
            Action::Assign { team, role, name } => {
                let (t, r) = seat(self.room, team, &role)?;
                let (t, r) = self
                    .room
                    .free_seat(Some(t), Some(self.room.model(0).roles()[r].0))?;
                let token = new_token();
                self.record(Event::Joined {
                    at,
                    team: t,
                    role: r,
                    name: clean_name(&name)?,
                    token: token.clone(),
                })?;
                return Ok(json!({ "token": token, "team": t + 1, "role": role }));
            }
            Action::Free { team, role } => {
                let (t, r) = seat(self.room, team, &role)?;
                Event::Freed {
                    at,
                    team: t,
                    role: r,
                }
            }
            Action::NextAct => Event::NextAct { at },
            Action::End => Event::Ended { at },
        };
        let before = self.room.phase;
        // Checked on the state first, so that a refused action is never logged.
        check_phase(&event, before, self.room.acts(), self.room.act)?;
        let timer = matches!(event, Event::Timer { .. });
        self.record(event)?;
        // A new timer times the round under way from now: what the pages show at once.
        if matches!(self.room.phase, Phase::Running) && (before != Phase::Running || timer) {
            self.open_round();
        }
        if self.room.phase != Phase::Running {
            self.deadline = None;
        }
        Ok(json!({ "phase": self.room.phase }))
    }

    /// Closes the round now (robots for every seat that has not decided), then opens the next.
    fn close_round(&mut self) -> std::result::Result<(), Refused> {
        let Some(event) = self.room.closing_event() else {
            return Err(Refused::new(409, "there is no round to close"));
        };
        self.record(event)?;
        self.open_round();
        Ok(())
    }

    /// Closes every round the room has finished (everyone seated has decided, or nobody has a
    /// lever this week).
    fn settle(&mut self) {
        while self.room.round_complete() {
            if self.close_round().is_err() {
                break;
            }
        }
    }

    fn open_round(&mut self) {
        self.deadline = match (self.room.phase, self.room.setup.round_seconds) {
            (Phase::Running, Some(s)) => Some(Instant::now() + Duration::from_secs(s as u64)),
            _ => None,
        };
        if self.room.phase == Phase::Running {
            self.settle();
        }
    }

    fn deadline_ms(&self) -> Option<u64> {
        self.deadline
            .map(|d| now_ms() + d.saturating_duration_since(Instant::now()).as_millis() as u64)
    }

    fn publish(&self, snap: &watch::Sender<Arc<Snapshot>>) {
        let d = self.deadline_ms();
        let room = &*self.room;
        let mut seats = BTreeMap::new();
        for (t, roles) in room.seats.iter().enumerate() {
            for (r, o) in roles.iter().enumerate() {
                if let Some(o) = o {
                    seats.insert(o.token.clone(), room.seat(t, r, d).to_string());
                }
            }
        }
        snap.send_replace(Arc::new(Snapshot {
            round: room.rounds,
            board: room.board(d).to_string(),
            facilitator: (
                room.setup.facilitator.clone(),
                room.facilitator(d).to_string(),
            ),
            seats,
        }));
    }

    fn debrief(&mut self) -> std::result::Result<Arc<Debrief>, Refused> {
        if self.room.phase != Phase::Ended {
            return Err(Refused::new(
                409,
                "the debrief opens when the session has ended",
            ));
        }
        if let Some(d) = &self.debrief {
            return Ok(d.clone());
        }
        let mut acts = Vec::new();
        let played: Vec<usize> = self.room.played.iter().map(|p| p.act).collect();
        for act in played {
            self.simulate(act);
        }
        for played in &self.room.played {
            let plays = match &self.plays[played.act] {
                None => {
                    return Err(Refused::new(
                        503,
                        format!(
                            "the {} simulated plays are still running; try again in a few seconds",
                            self.how_many
                        ),
                    ))
                }
                Some(Err(e)) => {
                    return Err(Refused::new(
                        500,
                        format!("the simulated plays failed: {e}"),
                    ))
                }
                Some(Ok(p)) => p.clone(),
            };
            acts.push(
                debrief::act(self.room, played, &plays)
                    .map_err(|e| Refused::new(500, e.to_string()))?,
            );
        }
        let title = self.room.setup.title.clone();
        let html = debrief::html(&title, &acts).map_err(|e| Refused::new(500, e.to_string()))?;
        let d = Arc::new(Debrief {
            decisions_csv: debrief::decisions_csv(&acts),
            results_csv: debrief::results_csv(&acts),
            json: json!({ "title": title, "code": self.room.setup.code, "acts": acts }),
            html,
        });
        write_debrief(&self.dir, &d).map_err(|e| Refused::new(500, e.to_string()))?;
        self.debrief = Some(d.clone());
        Ok(d)
    }
}

/// Refuses an action the phase does not allow, before it is logged.
fn check_phase(
    event: &Event,
    phase: Phase,
    acts: usize,
    act: usize,
) -> std::result::Result<(), Refused> {
    let wrong = |what: &str| {
        Err(Refused::new(
            409,
            format!("cannot {what}: the session is {}", phase_word(phase)),
        ))
    };
    match event {
        Event::Started { .. } if phase != Phase::Lobby => wrong("start"),
        Event::Paused { .. } if phase != Phase::Running => wrong("pause"),
        Event::Resumed { .. } if phase != Phase::Paused => wrong("resume"),
        Event::NextAct { .. } if phase != Phase::Interval || act + 1 >= acts => {
            wrong("begin the second act")
        }
        Event::Ended { .. } if phase == Phase::Ended => wrong("end"),
        _ => Ok(()),
    }
}

fn phase_word(p: Phase) -> &'static str {
    match p {
        Phase::Lobby => "in the lobby",
        Phase::Running => "running",
        Phase::Paused => "paused",
        Phase::Interval => "between acts",
        Phase::Ended => "over",
    }
}

/// Writes the debrief's files into the session's folder, each whole or not at all.
fn write_debrief(dir: &Path, d: &Debrief) -> Result<()> {
    let out = dir.join("debrief");
    std::fs::create_dir_all(&out).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    for (name, text) in [
        ("debrief.html", &d.html),
        ("decisions.csv", &d.decisions_csv),
        ("results.csv", &d.results_csv),
    ] {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.partial"));
        std::fs::write(&tmp, text).map_err(|source| Error::Io {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(())
}

/// A participant's name: trimmed, 1 to 40 characters, no control characters.
fn clean_name(name: &str) -> std::result::Result<String, Refused> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 40 || n.chars().any(char::is_control) {
        return Err(Refused::new(
            400,
            "a name is 1 to 40 characters, with no control characters",
        ));
    }
    Ok(n.to_string())
}

/// A seat or facilitator token: 128 bits from the operating system, in hex. Tokens are not part
/// of any trial, so they come from the OS, not from the seeded streams.
pub fn new_token() -> String {
    use rand::TryRngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system gives random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A join code: six letters and digits that cannot be mistaken for one another.
pub fn new_code() -> String {
    use rand::TryRngCore;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system gives random bytes");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
