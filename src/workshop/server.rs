//! The workshop's HTTP server: four pages shipped inside the binary (facilitator, participant,
//! wall, debrief), a JSON API, and one server-sent event stream per page whose event id is the
//! round, so a page that reconnects starts from the room's state.
//!
//! Who may do what: creating and listing sessions needs the server's key (printed at start and kept
//! in `<data>/key`); a session's controls need its facilitator's token; a decision needs the seat's
//! token, and a seat's stream shows only what that seat can see; the wall needs only the join code.
//! Tokens travel as `Authorization: Bearer TOKEN`, or as `?token=` where a browser cannot set a
//! header (the event stream, downloads).

use super::event::{ActTwo, Setup};
use super::room::Refused;
use super::session::{self, Action, Handle, Msg, Settings};
use crate::scenario::load::{self, Source};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};

/// The largest request body, except a session's setup (which may carry a scenario).
pub const BODY_LIMIT: usize = 16 * 1024;
/// The largest session setup, scenario included.
pub const SETUP_LIMIT: usize = 2 * 1024 * 1024;
/// The most teams a session may have.
pub const MAX_TEAMS: usize = 20;

/// The server's state: its sessions, its key, and how to make more.
pub struct Workshop {
    sessions: RwLock<BTreeMap<String, Handle>>,
    key: String,
    settings: Settings,
    /// Scenario files named on the command line, offered beside the built-ins.
    offered: Vec<Source>,
    /// The address participants reach the server at, if it is not the one the page was opened at.
    public_url: Option<String>,
}

/// A session that could not be reloaded at start, and why.
#[derive(Debug)]
pub struct NotRestored {
    /// Its folder.
    pub folder: std::path::PathBuf,
    /// Why.
    pub error: crate::Error,
}

impl Workshop {
    /// Opens the data folder (its key is made on first use). The sessions kept there are
    /// reloaded by [`Workshop::restore`], which the caller runs once the port is open.
    pub fn open(
        settings: Settings,
        offered: Vec<Source>,
        public_url: Option<String>,
    ) -> crate::Result<Arc<Workshop>> {
        let key = read_or_make_key(&settings.data)?;
        Ok(Arc::new(Workshop {
            sessions: RwLock::new(BTreeMap::new()),
            key,
            settings,
            offered,
            public_url,
        }))
    }

    /// The session folders kept in the data folder.
    pub fn kept(&self) -> Vec<std::path::PathBuf> {
        let dir = self.settings.data.join("sessions");
        let mut folders: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("events.jsonl").is_file())
            .collect();
        folders.sort();
        folders
    }

    /// Rebuilds every kept session from its log, one at a time, each joining the server as soon
    /// as it is ready. Sessions that fail to load are returned, never deleted.
    pub fn restore(&self) -> Vec<NotRestored> {
        let mut failed = Vec::new();
        for folder in self.kept() {
            match session::restore(&self.settings, &folder) {
                Ok(h) => {
                    if let Ok(mut s) = self.sessions.write() {
                        s.insert(h.code.clone(), h);
                    }
                }
                Err(error) => failed.push(NotRestored { folder, error }),
            }
        }
        failed
    }

    /// The server's key (for the facilitator's link).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The codes of the sessions held.
    pub fn codes(&self) -> Vec<String> {
        self.sessions
            .read()
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn session(&self, code: &str) -> Result<Handle, ApiError> {
        let code = code.trim().to_uppercase();
        self.sessions
            .read()
            .ok()
            .and_then(|s| s.get(&code).cloned())
            .ok_or_else(|| {
                ApiError(Refused::new(
                    404,
                    format!("no session with the code '{code}' (a server that has just started may still be reloading its sessions)"),
                ))
            })
    }

    fn check_key(&self, headers: &HeaderMap, query: &TokenQuery) -> Result<(), ApiError> {
        match token(headers, query) {
            Some(t) if super::room::same_token(&t, &self.key) => Ok(()),
            Some(_) => Err(refused(403, "that is not this server's key")),
            None => Err(refused(
                401,
                "the server's key is needed for this (the link `orgsim serve` printed)",
            )),
        }
    }
}

fn read_or_make_key(data: &std::path::Path) -> crate::Result<String> {
    let path = data.join("key");
    let io = |source| crate::Error::Io {
        path: path.clone(),
        source,
    };
    if let Ok(k) = std::fs::read_to_string(&path) {
        let k = k.trim().to_string();
        if k.len() >= 16 && k.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(k);
        }
        return Err(crate::Error::Usage(format!(
            "{}: expected the server's key (hex), found something else; move it aside",
            path.display()
        )));
    }
    std::fs::create_dir_all(data).map_err(|source| crate::Error::Io {
        path: data.to_path_buf(),
        source,
    })?;
    let key = session::new_token();
    let mut opts = std::fs::OpenOptions::new();
    opts.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).map_err(io)?;
    std::io::Write::write_all(&mut f, key.as_bytes()).map_err(io)?;
    Ok(key)
}

/// An error as the API answers it: a status and `{"error": message}`.
#[derive(Debug)]
pub struct ApiError(Refused);

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        ApiError(r)
    }
}

fn refused(status: u16, message: impl Into<String>) -> ApiError {
    ApiError(Refused::new(status, message))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(json!({ "error": self.0.message }))).into_response()
    }
}

/// A JSON body whose refusal (malformed, wrong shape, too large) is answered as every other error.
struct Body<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(refused(
                413,
                format!("the request body is too large: at most {} KiB ({} MiB for a session's setup, which may carry a scenario)", BODY_LIMIT / 1024, SETUP_LIMIT / (1024 * 1024)),
            )),
            Err(e) => Err(refused(e.status().as_u16(), e.body_text())),
        }
    }
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    token: Option<String>,
}

fn token(headers: &HeaderMap, query: &TokenQuery) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer
        .or_else(|| query.token.clone())
        .filter(|t| !t.is_empty())
}

fn need_token(headers: &HeaderMap, query: &TokenQuery, whose: &str) -> Result<String, ApiError> {
    token(headers, query).ok_or_else(|| refused(401, format!("{whose} token is needed for this")))
}

type App = State<Arc<Workshop>>;

/// The routes.
pub fn router(w: Arc<Workshop>) -> Router {
    let api = Router::new()
        .route("/api/scenarios", get(scenarios))
        .route(
            "/api/sessions",
            get(list)
                .post(create)
                .layer(DefaultBodyLimit::max(SETUP_LIMIT)),
        )
        .route("/api/sessions/{code}", get(facilitator_state))
        .route("/api/sessions/{code}/board", get(board))
        .route("/api/sessions/{code}/join", post(join))
        .route("/api/sessions/{code}/seat", get(seat))
        .route("/api/sessions/{code}/decide", post(decide))
        .route("/api/sessions/{code}/control", post(control))
        .route("/api/sessions/{code}/events", get(events))
        .route("/api/sessions/{code}/debrief", get(debrief_json))
        .route("/api/sessions/{code}/debrief.html", get(debrief_html))
        .route("/api/sessions/{code}/decisions.csv", get(decisions_csv))
        .route("/api/sessions/{code}/results.csv", get(results_csv))
        .route("/api/qr.svg", get(qr));
    let pages = Router::new()
        .route("/", get(|| async { page(PLAY) }))
        .route("/play", get(|| async { page(PLAY) }))
        .route("/facilitate", get(|| async { page(FACILITATE) }))
        .route("/wall", get(|| async { page(WALL) }))
        .route("/debrief", get(|| async { page(DEBRIEF) }))
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        );
    api.merge(pages)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .fallback(not_found)
        .with_state(w)
}

async fn not_found() -> ApiError {
    refused(404, "no such page")
}

const PLAY: &str = include_str!("pages/play.html");
const FACILITATE: &str = include_str!("pages/facilitate.html");
const WALL: &str = include_str!("pages/wall.html");
const DEBRIEF: &str = include_str!("pages/debrief.html");
const APP_JS: &str = include_str!("pages/app.js");
const STYLE_CSS: &str = include_str!("pages/style.css");

/// Pages load nothing from elsewhere: scripts and styles from this server only.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

fn page(html: &'static str) -> Response {
    let mut r = axum::response::Html(html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `"network"` for a network scenario (its seats are stock points), else `"organisation"`.
fn kind(source: &load::Source) -> &'static str {
    if load::is_network(source) {
        "network"
    } else {
        "organisation"
    }
}

async fn scenarios(State(w): App) -> axum::Json<Value> {
    let mut list: Vec<Value> = w
        .offered
        .iter()
        .map(|s| json!({ "name": s.name, "summary": "named when the server was started", "kind": kind(s) }))
        .collect();
    list.extend(
        load::all_builtins()
            .map(|b| json!({ "name": b.name, "summary": load::builtin_summary(b), "kind": kind(&load::resolve(b.name).expect("a built-in resolves")) })),
    );
    let default = w
        .offered
        .first()
        .map_or(load::DEFAULT_SCENARIO.to_string(), |s| s.name.clone());
    axum::Json(json!({ "scenarios": list, "default": default, "public_url": w.public_url }))
}

/// A session's setup as the facilitator's page sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSession {
    title: Option<String>,
    /// A built-in scenario's name.
    scenario: Option<String>,
    /// Or an uploaded scenario's JSON text.
    scenario_text: Option<String>,
    #[serde(default)]
    sets: Vec<String>,
    teams: usize,
    seed: Option<u64>,
    round_seconds: Option<u32>,
    act_two: Option<ActTwo>,
}

async fn create(
    State(w): App,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
    Body(new): Body<NewSession>,
) -> Result<Response, ApiError> {
    w.check_key(&headers, &q)?;
    if new.teams == 0 || new.teams > MAX_TEAMS {
        return Err(refused(
            400,
            format!("teams: expected 1 to {MAX_TEAMS}, found {}", new.teams),
        ));
    }
    if new.round_seconds.is_some_and(|s| !(5..=3600).contains(&s)) {
        return Err(refused(
            400,
            "round_seconds: expected 5 to 3600, or null for no timer",
        ));
    }
    let source = match (&new.scenario, &new.scenario_text) {
        (Some(name), None) => match w.offered.iter().find(|s| s.name == *name) {
            Some(s) => s.clone(),
            None => {
                let b = load::all_builtins()
                    .find(|b| b.name == name)
                    .ok_or_else(|| {
                        let mut names: Vec<&str> =
                            w.offered.iter().map(|s| s.name.as_str()).collect();
                        names.extend(load::all_builtins().map(|b| b.name));
                        refused(
                            400,
                            format!(
                                "scenario: expected one of {}, found '{name}'",
                                names.join(", ")
                            ),
                        )
                    })?;
                load::resolve(b.name).map_err(|e| refused(400, e.to_string()))?
            }
        },
        (None, Some(text)) => Source {
            name: "uploaded scenario".into(),
            text: text.clone(),
        },
        _ => {
            return Err(refused(
                400,
                "give either scenario (a built-in's name) or scenario_text (a scenario's JSON)",
            ))
        }
    };
    let code = loop {
        let c = session::new_code();
        if !w
            .sessions
            .read()
            .map(|s| s.contains_key(&c))
            .unwrap_or(true)
            && !session::folder(&w.settings.data, &c).exists()
        {
            break c;
        }
    };
    let setup = Setup {
        orgsim: env!("CARGO_PKG_VERSION").to_string(),
        code: code.clone(),
        facilitator: session::new_token(),
        title: new
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("Workshop {code}")),
        scenario: source.name.clone(),
        scenario_text: source.text,
        sets: new.sets,
        teams: new.teams,
        seed: new.seed.unwrap_or(1),
        round_seconds: new.round_seconds,
        act_two: new.act_two,
    };
    let token = setup.facilitator.clone();
    let settings = w.settings.clone();
    let handle = tokio::task::spawn_blocking(move || session::create(&settings, setup))
        .await
        .map_err(|e| refused(500, e.to_string()))?
        .map_err(|e| refused(400, e.to_string()))?;
    w.sessions
        .write()
        .map_err(|_| refused(500, "the session table is poisoned"))?
        .insert(code.clone(), handle);
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "code": code, "token": token })),
    )
        .into_response())
}

async fn list(
    State(w): App,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<axum::Json<Value>, ApiError> {
    w.check_key(&headers, &q)?;
    let sessions: Vec<Value> = w
        .sessions
        .read()
        .map_err(|_| refused(500, "the session table is poisoned"))?
        .values()
        .map(|h| {
            let snap = h.snapshots.borrow().clone();
            let board: Value = serde_json::from_str(&snap.board).unwrap_or(Value::Null);
            json!({ "code": h.code, "title": h.title, "phase": board["phase"], "token": snap.facilitator.0 })
        })
        .collect();
    Ok(axum::Json(json!({ "sessions": sessions })))
}

fn json_text(text: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        text.to_string(),
    )
        .into_response()
}

async fn facilitator_state(
    State(w): App,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let h = w.session(&code)?;
    let t = need_token(&headers, &q, "the facilitator's")?;
    let snap = h.snapshots.borrow().clone();
    if !super::room::same_token(&t, &snap.facilitator.0) {
        return Err(refused(403, "that is not this session's facilitator token"));
    }
    Ok(json_text(&snap.facilitator.1))
}

async fn board(State(w): App, Path(code): Path<String>) -> Result<Response, ApiError> {
    let h = w.session(&code)?;
    let snap = h.snapshots.borrow().clone();
    Ok(json_text(&snap.board))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinRequest {
    name: String,
    /// From 1.
    team: Option<usize>,
    role: Option<String>,
}

async fn join(
    State(w): App,
    Path(code): Path<String>,
    Body(j): Body<JoinRequest>,
) -> Result<axum::Json<Value>, ApiError> {
    let h = w.session(&code)?;
    if j.team == Some(0) {
        return Err(refused(400, "team: teams are numbered from 1"));
    }
    let team = j.team.map(|t| t - 1);
    Ok(axum::Json(
        h.ask(|reply| Msg::Join {
            name: j.name,
            team,
            role: j.role,
            reply,
        })
        .await?,
    ))
}

async fn seat(
    State(w): App,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let h = w.session(&code)?;
    let t = need_token(&headers, &q, "a seat's")?;
    let snap = h.snapshots.borrow().clone();
    match snap.seats.get(&t) {
        Some(s) => Ok(json_text(s)),
        None => Err(refused(
            403,
            "this token holds no seat in this session (freed, or never given)",
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    act: usize,
    week: usize,
    /// Lever name to option index (for a stock point: `order` to units), checked by [`whole`].
    choices: BTreeMap<String, Value>,
}

/// A choice's value as a whole number 0 or more, or the words that say what was expected.
fn whole(name: &str, v: &Value) -> Result<usize, ApiError> {
    v.as_u64().map(|x| x as usize).ok_or_else(|| {
        refused(
            400,
            format!("choices.{name}: expected a whole number 0 or more (an option's number, or the units to order), found {v}"),
        )
    })
}

async fn decide(
    State(w): App,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
    Body(d): Body<Decision>,
) -> Result<axum::Json<Value>, ApiError> {
    let h = w.session(&code)?;
    let token = need_token(&headers, &q, "a seat's")?;
    let choices = d
        .choices
        .iter()
        .map(|(k, v)| Ok((k.clone(), whole(k, v)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(axum::Json(
        h.ask(|reply| Msg::Decide {
            token,
            act: d.act,
            week: d.week,
            choices,
            reply,
        })
        .await?,
    ))
}

async fn control(
    State(w): App,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
    Body(action): Body<Action>,
) -> Result<axum::Json<Value>, ApiError> {
    let h = w.session(&code)?;
    let token = need_token(&headers, &q, "the facilitator's")?;
    Ok(axum::Json(
        h.ask(|reply| Msg::Control {
            token,
            action,
            reply,
        })
        .await?,
    ))
}

/// Which view a stream sends.
#[derive(Clone)]
enum Audience {
    Wall,
    Facilitator,
    Seat(String),
}

async fn events(
    State(w): App,
    Path(code): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let h = w.session(&code)?;
    let snap = h.snapshots.borrow().clone();
    let audience = match token(&headers, &q) {
        None => Audience::Wall,
        Some(t) if super::room::same_token(&t, &snap.facilitator.0) => Audience::Facilitator,
        Some(t) if snap.seats.contains_key(&t) => Audience::Seat(t),
        Some(_) => return Err(refused(403, "this token holds no seat in this session")),
    };
    let rx = h.snapshots.clone();
    let stream = futures_util::stream::unfold((rx, true, false), move |(mut rx, first, done)| {
        let audience = audience.clone();
        async move {
            if done || (!first && rx.changed().await.is_err()) {
                return None;
            }
            let snap = rx.borrow_and_update().clone();
            let (name, data, end) = match &audience {
                Audience::Wall => ("state", snap.board.clone(), false),
                Audience::Facilitator => ("state", snap.facilitator.1.clone(), false),
                Audience::Seat(t) => match snap.seats.get(t) {
                    Some(s) => ("state", s.clone(), false),
                    None => (
                        "freed",
                        json!({ "error": "this seat was freed by the facilitator" }).to_string(),
                        true,
                    ),
                },
            };
            let event = SseEvent::default()
                .id(snap.round.to_string())
                .event(name)
                .data(data);
            Some((Ok::<_, Infallible>(event), (rx, false, end)))
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

async fn the_debrief(w: &Workshop, code: &str) -> Result<Arc<session::Debrief>, ApiError> {
    let h = w.session(code)?;
    Ok(h.ask(|reply| Msg::Debrief { reply }).await?)
}

async fn debrief_json(
    State(w): App,
    Path(code): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(the_debrief(&w, &code).await?.json.clone()))
}

fn download(kind: &'static str, name: String, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut r = ([(header::CONTENT_TYPE, kind)], Bytes::from(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// One of the debrief's files, as a download named for the session.
async fn debrief_file(
    w: &Workshop,
    code: &str,
    (kind, stem, ext): (&'static str, &str, &str),
    body: fn(&session::Debrief) -> &String,
) -> Result<Response, ApiError> {
    let d = the_debrief(w, code).await?;
    let name = format!("{stem}-{}.{ext}", code.to_uppercase());
    Ok(download(kind, name, body(&d).clone()))
}

async fn debrief_html(State(w): App, Path(code): Path<String>) -> Result<Response, ApiError> {
    let kind = ("text/html; charset=utf-8", "debrief", "html");
    debrief_file(&w, &code, kind, |d| &d.html).await
}

async fn decisions_csv(State(w): App, Path(code): Path<String>) -> Result<Response, ApiError> {
    let kind = ("text/csv; charset=utf-8", "decisions", "csv");
    debrief_file(&w, &code, kind, |d| &d.decisions_csv).await
}

async fn results_csv(State(w): App, Path(code): Path<String>) -> Result<Response, ApiError> {
    let kind = ("text/csv; charset=utf-8", "results", "csv");
    debrief_file(&w, &code, kind, |d| &d.results_csv).await
}

#[derive(Deserialize)]
struct QrQuery {
    text: String,
}

/// A QR code of a short text (the join link), as SVG.
async fn qr(Query(q): Query<QrQuery>) -> Result<Response, ApiError> {
    if q.text.len() > 300 {
        return Err(refused(400, "text: at most 300 characters"));
    }
    let code = qrcode::QrCode::new(q.text.as_bytes()).map_err(|e| refused(400, e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    w: Arc<Workshop>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(w))
        .with_graceful_shutdown(shutdown)
        .await
}
