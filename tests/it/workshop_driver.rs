//! The workshop's load driver: `orgsim serve` started as a user starts it, a plain HTTP client,
//! and a room of participants played from threads, each as a participant's page plays (its seat's
//! event stream, a decision for every week its levers are open). Shared through `#[path]` by the
//! load test (`tests/it/workshop_http.rs`) and the benchmark (`benches/workshop_load.rs`), so the
//! figures in BENCHMARKS.md come from the load the test checks.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The overrides every load session plays: a year, and five stores so that a week is cheap.
pub const SETS: [&str; 2] = ["horizon_weeks=52", "world.stores=5"];
/// The scenario.
pub const SCENARIO: &str = "promo_vs_inventory";
/// The seats participants take in each team (marketing is left to the robot; finance has no
/// lever).
pub const HUMAN_ROLES: [&str; 3] = ["sales", "procurement", "retailer"];

/// A running `orgsim serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its `--data` folder.
    pub data: PathBuf,
    /// The server's key (`<data>/key`).
    pub key: String,
}

impl Server {
    /// Starts `command` (the `orgsim` binary) as `serve --port 0 --data DATA --plays 200` and
    /// waits for the line that says where it listens.
    pub fn start(mut command: Command, data: &Path) -> Server {
        command
            .args(["serve", "--port", "0", "--plays", "200", "--data"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("orgsim serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout);
            let mut first = String::new();
            let _ = lines.read_line(&mut first);
            let _ = tx.send(first);
            // The rest of the banner, and anything after it, so the pipe never fills.
            let _ = std::io::copy(&mut lines, &mut std::io::sink());
        });
        let first = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("orgsim serve printed nothing for 120 s");
            }
        };
        let base = first
            .strip_prefix("orgsim serve: listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "orgsim serve did not say where it listens; it printed {first:?} ({status:?})"
                )
            })
            .to_string();
        let key = std::fs::read_to_string(data.join("key"))
            .expect("the server's key")
            .trim()
            .to_string();
        Server {
            child,
            base,
            data: data.to_path_buf(),
            key,
        }
    }

    /// Kills the server with SIGKILL, as a crash or a pulled plug would, and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// `BASE/api/sessions/CODE/WHAT`.
    pub fn url(&self, code: &str, what: &str) -> String {
        format!("{}/api/sessions/{code}/{what}", self.base)
    }

    /// Waits until session `code` answers: a restarted server reloads its sessions once its
    /// port is open, each as soon as it is ready.
    pub fn wait_for(&self, code: &str, within: Duration) {
        let a = agent(Duration::from_secs(10));
        let until = Instant::now() + within;
        loop {
            let r = get(&a, &self.url(code, "board"), None);
            if r.status == 200 {
                return;
            }
            assert!(
                Instant::now() < until,
                "session {code} was not reloaded within {within:?}: {} {}",
                r.status,
                r.body
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP client whose 4xx and 5xx answers come back as answers, and whose every read gives up
/// after `read` (so that a stuck server fails a test instead of hanging it).
pub fn agent(read: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_per_read(Some(read))
        .timeout_per_write(Some(read))
        .build();
    ureq::Agent::new_with_config(config)
}

/// A status and a body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics, with the body, if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The `error` of an error's body.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {} {}", self.status, self.body))
            .to_string()
    }
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, String> {
    let mut r = r.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok(Reply { status, body })
}

fn bearer(token: Option<&str>) -> Option<String> {
    token.map(|t| format!("Bearer {t}"))
}

/// GET `url`, with `token` as a bearer token.
pub fn try_get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Result<Reply, String> {
    let mut req = agent.get(url);
    if let Some(b) = bearer(token) {
        req = req.header("Authorization", b);
    }
    reply(req.call())
}

/// POST `body` as JSON to `url`, with `token` as a bearer token.
pub fn try_post(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<Reply, String> {
    let mut req = agent.post(url);
    if let Some(b) = bearer(token) {
        req = req.header("Authorization", b);
    }
    reply(req.send_json(body))
}

/// POST raw bytes as `application/json` (malformed or oversized bodies).
pub fn try_post_raw(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    body: &[u8],
) -> Result<Reply, String> {
    let mut req = agent.post(url).content_type("application/json");
    if let Some(b) = bearer(token) {
        req = req.header("Authorization", b);
    }
    reply(req.send(body))
}

/// [`try_get`], panicking on a transport error.
pub fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Reply {
    try_get(agent, url, token).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// [`try_post`], panicking on a transport error.
pub fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, body: &Value) -> Reply {
    try_post(agent, url, token, body).unwrap_or_else(|e| panic!("POST {url}: {e}"))
}

/// Creates a session of [`SCENARIO`] with `sets` and `teams` teams, no timer and no second act:
/// its join code and facilitator token.
pub fn create(server: &Server, teams: usize, sets: &[&str], title: &str) -> (String, String) {
    // Generous: the first session of a model the fit cache does not hold waits for its fit.
    let agent = agent(Duration::from_secs(900));
    let body = json!({
        "title": title, "scenario": SCENARIO, "sets": sets, "teams": teams, "seed": 7,
        "round_seconds": null, "act_two": null,
    });
    let r = post(
        &agent,
        &format!("{}/api/sessions", server.base),
        Some(&server.key),
        &body,
    );
    assert_eq!(r.status, 201, "creating a session: {}", r.body);
    let v = r.json();
    (
        v["code"].as_str().unwrap().to_string(),
        v["token"].as_str().unwrap().to_string(),
    )
}

/// Takes team `team`'s (from 1) `role` seat: its token.
pub fn join(
    agent: &ureq::Agent,
    server: &Server,
    code: &str,
    name: &str,
    team: usize,
    role: &str,
) -> String {
    let r = post(
        agent,
        &server.url(code, "join"),
        None,
        &json!({ "name": name, "team": team, "role": role }),
    );
    assert_eq!(r.status, 200, "joining team {team} as {role}: {}", r.body);
    let v = r.json();
    assert_eq!(
        (v["team"].as_u64(), v["role"].as_str()),
        (Some(team as u64), Some(role)),
        "{}",
        r.body
    );
    v["token"].as_str().unwrap().to_string()
}

/// A facilitator's action (`{"action": ...}`), answered.
pub fn control(
    agent: &ureq::Agent,
    server: &Server,
    code: &str,
    facilitator: &str,
    action: &str,
) -> Reply {
    post(
        agent,
        &server.url(code, "control"),
        Some(facilitator),
        &json!({ "action": action }),
    )
}

/// The option a participant picks for a lever: fixed by (session, seat, week, lever), so that a
/// run is the same run every time, and spread over the menu.
pub fn pick(
    session: usize,
    team: usize,
    role: &str,
    week: u64,
    lever: &str,
    options: usize,
) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{session}/{team}/{role}/{week}/{lever}").bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    // A last avalanche (splitmix64's finaliser), so nearby weeks do not pick alike.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h % options.max(1) as u64) as usize
}

/// The decision a participant makes from their seat's view: every lever open this week, none
/// other, each option from [`pick`].
pub fn choices(seat: &Value, session: usize) -> Value {
    let team = seat["seat"]["team"].as_u64().unwrap_or(0) as usize;
    let role = seat["seat"]["role"].as_str().unwrap_or("");
    let week = seat["week"].as_u64().unwrap_or(0);
    let mut out = serde_json::Map::new();
    for l in seat["view"]["levers"].as_array().into_iter().flatten() {
        if l["open"] == true {
            let name = l["name"].as_str().unwrap_or("");
            let n = l["options"].as_array().map_or(1, Vec::len);
            out.insert(
                name.to_string(),
                json!(pick(session, team, role, week, name, n)),
            );
        }
    }
    Value::Object(out)
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sse {
    /// Its `id:` (the rounds closed).
    pub id: Option<u64>,
    /// Its `event:` name.
    pub event: String,
    /// Its `data:`, lines joined.
    pub data: String,
}

/// Opens an event stream (`token` as `?token=`, as a browser's EventSource sends it).
pub fn open_events(
    agent: &ureq::Agent,
    server: &Server,
    code: &str,
    token: Option<&str>,
) -> Result<BufReader<ureq::BodyReader<'static>>, String> {
    let url = match token {
        Some(t) => format!("{}?token={t}", server.url(code, "events")),
        None => server.url(code, "events"),
    };
    let r = agent
        .get(&url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    if r.status() != 200 {
        let status = r.status();
        let body = r.into_body().read_to_string().unwrap_or_default();
        return Err(format!("GET {url}: {status} {body}"));
    }
    Ok(BufReader::new(r.into_body().into_reader()))
}

/// The next event of a stream (keep-alive comments skipped), within a minute.
pub fn next_event(stream: &mut impl BufRead) -> Result<Sse, String> {
    next_event_by(stream, Instant::now() + Duration::from_secs(60))
}

/// The next event of a stream (keep-alive comments skipped), unless `until` passes first. (A
/// stream with no event still sends a keep-alive comment every 15 s; each read is bounded by the
/// client's read timeout.)
pub fn next_event_by(stream: &mut impl BufRead, until: Instant) -> Result<Sse, String> {
    let mut e = Sse {
        id: None,
        event: String::new(),
        data: String::new(),
    };
    let mut any = false;
    let mut line = String::new();
    loop {
        if Instant::now() > until {
            return Err("no event came in time".into());
        }
        line.clear();
        let n = stream
            .read_line(&mut line)
            .map_err(|e| format!("reading the event stream: {e}"))?;
        if n == 0 {
            return Err("the event stream closed".into());
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if any {
                return Ok(e);
            }
            continue;
        }
        if l.starts_with(':') {
            continue;
        }
        let (field, value) = l.split_once(':').unwrap_or((l, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        any = true;
        match field {
            "id" => e.id = value.parse().ok(),
            "event" => e.event = value.to_string(),
            "data" => {
                if !e.data.is_empty() {
                    e.data.push('\n');
                }
                e.data.push_str(value);
            }
            _ => {}
        }
    }
}

/// A seat of a load session.
#[derive(Debug, Clone)]
pub struct Seat {
    /// Team, from 1.
    pub team: usize,
    /// Role name.
    pub role: String,
    /// Its token.
    pub token: String,
}

/// A session of the load, and what its participants did.
#[derive(Debug)]
pub struct Played {
    /// Its index in the load (for [`pick`]).
    pub index: usize,
    /// Join code.
    pub code: String,
    /// Facilitator's token.
    pub facilitator: String,
    /// Its participants.
    pub seats: Vec<Seat>,
    /// Every decision the server accepted: (seat token, act, week).
    pub accepted: Mutex<Vec<(String, u64, u64)>>,
}

/// The load's outcome.
#[derive(Debug)]
pub struct Load {
    /// The sessions.
    pub sessions: Vec<Arc<Played>>,
    /// From the first participant's start to the last one's end.
    pub elapsed: Duration,
    /// Every decision's round trip, accepted or refused, sorted.
    pub latencies: Vec<Duration>,
    /// Decisions refused with 409 (the round had moved on, or a stale view): re-read and retried.
    pub conflicts: usize,
    /// What went wrong, participant by participant (empty when all went well).
    pub failures: Vec<String>,
}

impl Load {
    /// Decisions accepted, all sessions together.
    pub fn decisions(&self) -> usize {
        self.sessions
            .iter()
            .map(|s| s.accepted.lock().unwrap().len())
            .sum()
    }

    /// Accepted decisions a second.
    pub fn rate(&self) -> f64 {
        self.decisions() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile of the decisions' latency (0 to 1): the smallest latency at least a
    /// share `q` of decisions took no longer than.
    pub fn latency(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let k = ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[k - 1]
    }

    /// One line: decisions, seconds, rate and latencies.
    pub fn summary(&self) -> String {
        format!(
            "{} decisions in {} sessions in {:.2} s: {:.0} decisions/s; decide latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} refused with 409 and retried",
            self.decisions(),
            self.sessions.len(),
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.latency(0.5).as_secs_f64() * 1e3,
            self.latency(0.99).as_secs_f64() * 1e3,
            self.latency(1.0).as_secs_f64() * 1e3,
            self.conflicts,
        )
    }
}

/// Creates `sessions` sessions of `teams` teams each, seats a participant in every
/// [`HUMAN_ROLES`] seat and starts them. The first is created alone, so that a model the fit cache
/// does not hold is fitted once.
pub fn set_up(server: &Server, sessions: usize, teams: usize) -> Vec<Arc<Played>> {
    let agent = agent(Duration::from_secs(60));
    let mut out = Vec::new();
    for index in 0..sessions {
        let (code, facilitator) = create(server, teams, &SETS, &format!("load {index}"));
        let mut seats = Vec::new();
        for team in 1..=teams {
            for role in HUMAN_ROLES {
                let token = join(&agent, server, &code, &format!("{role} {team}"), team, role);
                seats.push(Seat {
                    team,
                    role: role.to_string(),
                    token,
                });
            }
        }
        let r = control(&agent, server, &code, &facilitator, "start");
        assert_eq!(r.status, 200, "starting {code}: {}", r.body);
        out.push(Arc::new(Played {
            index,
            code,
            facilitator,
            seats,
            accepted: Mutex::new(Vec::new()),
        }));
    }
    out
}

/// Plays every seat of `sessions` from its own thread until each session has ended, or
/// `deadline` passes.
pub fn play(server: &Server, sessions: &[Arc<Played>], deadline: Duration) -> Load {
    let started = Instant::now();
    let until = started + deadline;
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let conflicts = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for s in sessions {
        for seat in &s.seats {
            let (s, seat, base) = (s.clone(), seat.clone(), server.base.clone());
            let (latencies, conflicts) = (latencies.clone(), conflicts.clone());
            let t = std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || {
                    participant(&base, &s, &seat, until, &latencies, &conflicts).map_err(|e| {
                        format!("session {} team {} {}: {e}", s.code, seat.team, seat.role)
                    })
                })
                .expect("a participant's thread");
            threads.push(t);
        }
    }
    let failures: Vec<String> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap_or_else(|_| Err("panicked".into())).err())
        .collect();
    let elapsed = started.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort();
    Load {
        sessions: sessions.to_vec(),
        elapsed,
        latencies,
        conflicts: conflicts.load(Ordering::Relaxed),
        failures,
    }
}

/// One participant, as their page plays: the seat's event stream says what the seat sees; when
/// its levers are open and it has not decided, it decides; a 409 (the round moved on) re-reads
/// the seat. Ends when the session has ended.
fn participant(
    base: &str,
    s: &Played,
    seat: &Seat,
    until: Instant,
    latencies: &Mutex<Vec<Duration>>,
    conflicts: &AtomicUsize,
) -> Result<(), String> {
    let agent = agent(Duration::from_secs(30));
    let url = |what: &str| format!("{base}/api/sessions/{}/{what}", s.code);
    let events_url = format!("{}?token={}", url("events"), seat.token);
    let r = agent
        .get(&events_url)
        .call()
        .map_err(|e| format!("opening the event stream: {e}"))?;
    if r.status() != 200 {
        return Err(format!("opening the event stream: {}", r.status()));
    }
    let mut events = BufReader::new(r.into_body().into_reader());
    let read_seat = || -> Result<Value, String> {
        let r = try_get(&agent, &url("seat"), Some(&seat.token))?;
        if r.status != 200 {
            return Err(format!("GET seat: {} {}", r.status, r.body));
        }
        serde_json::from_str(&r.body).map_err(|e| e.to_string())
    };
    let mut view = read_seat()?;
    let mut done = (0, 0);
    let decide_url = url("decide");
    loop {
        if Instant::now() > until {
            return Err(format!(
                "the deadline passed at act {} week {} ({})",
                view["act"], view["week"], view["phase"]
            ));
        }
        if view["phase"] == "ended" {
            return Ok(());
        }
        let (act, week) = (
            view["act"].as_u64().unwrap_or(0),
            view["week"].as_u64().unwrap_or(0),
        );
        if view["phase"] == "running"
            && view["acts_this_week"] == true
            && view["decided"] == false
            && (act, week) > done
        {
            let body = json!({ "act": act, "week": week, "choices": choices(&view, s.index) });
            let t0 = Instant::now();
            let r = try_post(&agent, &decide_url, Some(&seat.token), &body)?;
            latencies.lock().unwrap().push(t0.elapsed());
            match r.status {
                200 => {
                    done = (act, week);
                    s.accepted
                        .lock()
                        .unwrap()
                        .push((seat.token.clone(), act, week));
                }
                409 => {
                    conflicts.fetch_add(1, Ordering::Relaxed);
                    view = read_seat()?;
                    continue;
                }
                _ => {
                    return Err(format!(
                        "deciding act {act} week {week}: {} {}",
                        r.status, r.body
                    ))
                }
            }
        }
        let e = next_event_by(&mut events, until)?;
        match e.event.as_str() {
            "state" => {
                view = serde_json::from_str(&e.data)
                    .map_err(|e| format!("a state event that is not JSON: {e}"))?
            }
            other => return Err(format!("an unexpected '{other}' event: {}", e.data)),
        }
    }
}

/// The lines of a session's event log, parsed.
pub fn log_lines(data: &Path, code: &str) -> Vec<Value> {
    let path = data.join("sessions").join(code).join("events.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!("{}: a line that is not JSON ({e}): {l}", path.display())
            })
        })
        .collect()
}

/// The log's decisions as (act, week, team, role), in order, and the tokens of its seats.
pub fn logged_decisions(lines: &[Value]) -> Vec<(u64, u64, u64, u64)> {
    lines
        .iter()
        .filter(|l| l["event"] == "decided")
        .map(|l| {
            (
                l["act"].as_u64().unwrap(),
                l["week"].as_u64().unwrap(),
                l["team"].as_u64().unwrap(),
                l["role"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Whether a list has no value twice.
pub fn distinct<T: Ord + Clone>(xs: &[T]) -> bool {
    xs.iter().cloned().collect::<BTreeSet<_>>().len() == xs.len()
}

/// Reads `r` to its end (for a body).
pub fn read_all(mut r: impl Read) -> String {
    let mut s = String::new();
    let _ = r.read_to_string(&mut s);
    s
}
