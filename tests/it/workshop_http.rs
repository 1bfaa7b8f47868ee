//! The workshop over HTTP, as a room meets it: `orgsim serve` started as a user starts it, on
//! loopback. A load of twenty sessions played by 120 participants at once loses no decision,
//! applies none twice and gives each session the result its log replays to; bad input is refused
//! with a status and words a person can act on, and crashes nothing; a dropped event stream and a
//! killed server lose nothing; the event stream's id is the round.
//!
//! The load driver is shared with the benchmark (`benches/workshop_load.rs`).

#[path = "workshop_driver.rs"]
mod driver;

use crate::common::{orgsim_command, prepared};
use driver::{
    agent, control, create, get, join, log_lines, logged_decisions, next_event, open_events, post,
    Server, SCENARIO, SETS,
};
use orgsim::stats::metrics::{metric, TrialResult};
use orgsim::workshop::event::Event;
use orgsim::workshop::game::organisation::OrgGame;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The load: 20 sessions of 2 teams, each seat of [`driver::HUMAN_ROLES`] taken, for 52 weeks.
const SESSIONS: usize = 20;
const TEAMS: usize = 2;
const WEEKS: usize = 52;

/// The bad-input session's overrides: the load's, and sales' `trade_loading` decided every other
/// week (so that a lever can be closed this week).
const CADENCE: [&str; 3] = [
    "horizon_weeks=52",
    "world.stores=5",
    "roles.sales.levers.trade_loading.decide_every_weeks=2",
];

/// The debrief's JSON text, waiting while its simulated plays run (503).
fn debrief_text(server: &Server, code: &str, within: Duration) -> String {
    let agent = agent(Duration::from_secs(60));
    let until = Instant::now() + within;
    loop {
        let r = get(&agent, &server.url(code, "debrief"), None);
        match r.status {
            200 => return r.body,
            503 if Instant::now() < until => std::thread::sleep(Duration::from_millis(100)),
            _ => panic!("the debrief of {code}: {} {}", r.status, r.body),
        }
    }
}

/// A session rebuilt in this process from its log alone: a game of the same model, each logged
/// decision given to it and each logged round closed, in order (the robots the game plays must be
/// the ones the log names). Each team's trial result.
fn replayed(model: &orgsim::Prepared, lines: &[Value]) -> Vec<TrialResult> {
    let events: Vec<Event> = lines
        .iter()
        .map(|l| serde_json::from_value(l.clone()).expect("a session event"))
        .collect();
    let Event::Created { setup, .. } = &events[0] else {
        panic!("the log starts with its setup")
    };
    assert_eq!(setup.sets, SETS, "the session's overrides");
    assert_eq!(model.scenario.name, SCENARIO);
    let mut game = OrgGame::new(model, setup.seed, setup.teams);
    for e in &events[1..] {
        match e {
            Event::Decided {
                team,
                role,
                choices,
                ..
            } => game
                .decide(*team, *role, choices)
                .expect("a logged decision stands"),
            Event::Advanced { week, robots, .. } => {
                assert_eq!(game.week() + 1, *week);
                assert_eq!(&game.close_round(), robots, "week {week}'s robots");
            }
            _ => {}
        }
    }
    assert!(game.is_done(), "the log plays every week");
    game.finish().into_iter().map(|t| t.result).collect()
}

/// Each debriefed quantity of each team against the replayed results.
fn check_debrief_against(
    debrief: &Value,
    model: &orgsim::Prepared,
    results: &[TrialResult],
    code: &str,
) {
    let act = &debrief["acts"][0];
    assert_eq!(
        act["ended_at_week"],
        Value::Null,
        "{code} was played to its end"
    );
    let metrics = act["metrics"].as_array().expect("the debrief's metrics");
    assert!(!metrics.is_empty());
    for m in metrics {
        let key = m["key"].as_str().unwrap();
        for (t, r) in results.iter().enumerate() {
            let want = match key.strip_prefix("payout.") {
                Some(role) => r.roles[model.roles.iter().position(|x| x.name == role).unwrap()][1],
                None => r.metrics[metric(key)],
            };
            let got = &m["teams"][t]["value"];
            match got.as_f64() {
                Some(g) => assert!(
                    (g - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{code} team {} {key}: the debrief says {g}, the replay {want}",
                    t + 1
                ),
                None => assert!(
                    !want.is_finite() && got.is_null(),
                    "{code} team {} {key}: {got} against {want}",
                    t + 1
                ),
            }
        }
    }
}

#[test]
fn twenty_sessions_of_six_participants_play_a_year_at_once_and_lose_nothing() {
    // Fitted (or taken from the suite's fit cache) before the server starts, so that its sessions
    // find the playbook in the cache; the replay below plays the same model.
    let model = prepared(SCENARIO, &SETS);
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(orgsim_command(), dir.path());
    let set_up = Instant::now();
    let sessions = driver::set_up(&server, SESSIONS, TEAMS);
    eprintln!(
        "workshop load: {SESSIONS} sessions created, seated and started in {:.2} s",
        set_up.elapsed().as_secs_f64()
    );
    let load = driver::play(&server, &sessions, Duration::from_secs(120));
    eprintln!("workshop load: {}", load.summary());
    eprintln!(
        "workshop load: {:.0} decisions/s, 99th-percentile decide latency {:.2} ms",
        load.rate(),
        load.latency(0.99).as_secs_f64() * 1e3
    );
    assert!(
        load.failures.is_empty(),
        "{} participants failed, the first: {:#?}",
        load.failures.len(),
        &load.failures[..load.failures.len().min(5)]
    );
    let seats = TEAMS * driver::HUMAN_ROLES.len();
    assert_eq!(
        load.decisions(),
        SESSIONS * seats * WEEKS,
        "every participant decided every week once"
    );

    let marketing = model
        .roles
        .iter()
        .position(|r| r.name == "marketing")
        .unwrap() as u64;
    let empty: Vec<u64> = (0..model.roles.len() as u64)
        .filter(|&r| !driver::HUMAN_ROLES.contains(&model.roles[r as usize].name.as_str()))
        .collect();
    let a = agent(Duration::from_secs(30));
    let mut debriefs = BTreeMap::new();
    for s in &sessions {
        let board = get(&a, &server.url(&s.code, "board"), None).json();
        assert_eq!(
            (board["phase"].as_str(), board["round"].as_u64()),
            (Some("ended"), Some(WEEKS as u64)),
            "{} ended by itself after its last week",
            s.code
        );
        let lines = log_lines(dir.path(), &s.code);
        // The seats, from the log: a token's team and role index.
        let seat_of: BTreeMap<String, (u64, u64)> = lines
            .iter()
            .filter(|l| l["event"] == "joined")
            .map(|l| {
                (
                    l["token"].as_str().unwrap().to_string(),
                    (l["team"].as_u64().unwrap(), l["role"].as_u64().unwrap()),
                )
            })
            .collect();
        assert_eq!(seat_of.len(), seats);
        let logged = logged_decisions(&lines);
        assert!(
            driver::distinct(&logged),
            "{}: a decision logged twice",
            s.code
        );
        let mut accepted: Vec<(u64, u64, u64, u64)> = s
            .accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(token, act, week)| {
                let (t, r) = seat_of[token];
                (*act, *week, t, r)
            })
            .collect();
        assert_eq!(
            logged.len(),
            accepted.len(),
            "{}: decisions logged against decisions accepted",
            s.code
        );
        let mut sorted = logged.clone();
        sorted.sort();
        accepted.sort();
        assert_eq!(
            sorted, accepted,
            "{}: the log holds exactly the accepted decisions",
            s.code
        );
        // Nobody was left to the robot: each week's robots are the seats nobody took (marketing's
        // and finance's), never a participant's.
        let advanced: Vec<&Value> = lines.iter().filter(|l| l["event"] == "advanced").collect();
        assert_eq!(advanced.len(), WEEKS);
        for l in advanced {
            let robots: Vec<(u64, u64)> = l["robots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| (x[0].as_u64().unwrap(), x[1].as_u64().unwrap()))
                .collect();
            assert!(
                robots.iter().all(|&(_, r)| empty.contains(&r)),
                "{} week {}: the robot played {robots:?}",
                s.code,
                l["week"]
            );
            assert!(
                robots.iter().any(|&(_, r)| r == marketing),
                "{} week {}: the robot played {robots:?}",
                s.code,
                l["week"]
            );
        }
        // The session's result is its log's: replayed here, and compared with its debrief.
        let text = debrief_text(&server, &s.code, Duration::from_secs(60));
        let debrief: Value = serde_json::from_str(&text).unwrap();
        check_debrief_against(&debrief, &model, &replayed(&model, &lines), &s.code);
        debriefs.insert(s.code.clone(), text);
    }

    // And as the server rebuilds it: restarted on the same folder, each session restored from its
    // log gives the same debrief, to the byte.
    server.kill();
    let restarted = Server::start(orgsim_command(), dir.path());
    for (code, before) in &debriefs {
        restarted.wait_for(code, Duration::from_secs(120));
        let after = debrief_text(&restarted, code, Duration::from_secs(60));
        assert!(
            *before == after,
            "{code}: the debrief after a restart differs from the one before"
        );
    }
}

/// Asserts a refusal: its status, and words of its message.
#[track_caller]
fn refused(r: &driver::Reply, status: u16, words: &[&str]) {
    assert_eq!(
        r.status, status,
        "expected {status}, got {} {}",
        r.status, r.body
    );
    let message = r.error();
    for w in words {
        assert!(
            message.contains(w),
            "the message {message:?} does not say {w:?}"
        );
    }
}

fn decide(
    a: &ureq::Agent,
    server: &Server,
    code: &str,
    token: &str,
    week: u64,
    choices: Value,
) -> driver::Reply {
    post(
        a,
        &server.url(code, "decide"),
        Some(token),
        &json!({ "act": 1, "week": week, "choices": choices }),
    )
}

fn seat(a: &ureq::Agent, server: &Server, code: &str, token: &str) -> Value {
    let r = get(a, &server.url(code, "seat"), Some(token));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn board(a: &ureq::Agent, server: &Server, code: &str) -> Value {
    let r = get(a, &server.url(code, "board"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn bad_input_is_refused_with_words_a_person_can_act_on_and_crashes_nothing() {
    let _ = prepared(SCENARIO, &CADENCE);
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(orgsim_command(), dir.path());
    let a = agent(Duration::from_secs(30));
    let (code, facilitator) = create(&server, 2, &CADENCE, "bad input");
    let sales = join(&a, &server, &code, "Ada", 1, "sales");
    let procurement = join(&a, &server, &code, "Bo", 1, "procurement");
    let week1 = json!({ "promo_depth": 1, "trade_loading": 2 });

    // Before the act starts.
    refused(
        &decide(&a, &server, &code, &sales, 1, week1.clone()),
        409,
        &["not started"],
    );
    // A join code nobody gave; a session of more teams than a room holds.
    refused(
        &post(
            &a,
            &server.url("ZZZZZ9", "join"),
            None,
            &json!({ "name": "Cy" }),
        ),
        404,
        &["no session", "ZZZZZ9"],
    );
    refused(
        &get(&a, &server.url("ZZZZZ9", "board"), None),
        404,
        &["no session"],
    );
    let too_many = json!({ "scenario": SCENARIO, "sets": SETS, "teams": 21, "round_seconds": null, "act_two": null });
    refused(
        &post(
            &a,
            &format!("{}/api/sessions", server.base),
            Some(&server.key),
            &too_many,
        ),
        400,
        &["teams", "1 to 20", "21"],
    );
    // The session's controls: not with a seat's token, not without a token.
    refused(
        &control(&a, &server, &code, &sales, "start"),
        403,
        &["facilitator"],
    );
    let r = post(
        &a,
        &server.url(&code, "control"),
        None,
        &json!({ "action": "start" }),
    );
    refused(&r, 401, &["facilitator", "token"]);
    assert_eq!(
        board(&a, &server, &code)["phase"],
        "lobby",
        "a refused start started nothing"
    );
    assert_eq!(
        control(&a, &server, &code, &facilitator, "start").status,
        200
    );

    // A token that holds no seat.
    let forged = "0123456789abcdef0123456789abcdef";
    refused(
        &get(&a, &server.url(&code, "seat"), Some(forged)),
        403,
        &["token", "no seat"],
    );
    refused(
        &decide(&a, &server, &code, forged, 1, week1.clone()),
        403,
        &["token", "no seat"],
    );
    // A seat acts only for itself: a body naming another seat is refused as a whole.
    let other = json!({ "act": 1, "week": 1, "team": 2, "role": "sales", "choices": week1 });
    let r = post(&a, &server.url(&code, "decide"), Some(&sales), &other);
    assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
    assert!(r.error().contains("unknown field `team`"), "{}", r.body);
    // Decisions the menu does not hold.
    refused(
        &decide(
            &a,
            &server,
            &code,
            &sales,
            1,
            json!({ "promo_depth": 99, "trade_loading": 0 }),
        ),
        400,
        &["promo_depth", "options 0 to 3", "99"],
    );
    refused(
        &decide(
            &a,
            &server,
            &code,
            &sales,
            1,
            json!({ "promo_depth": 0, "trade_loading": 0, "warehouse_cover": 0 }),
        ),
        400,
        &[
            "warehouse_cover",
            "not one of sales's levers",
            "promo_depth, trade_loading",
        ],
    );
    refused(
        &decide(&a, &server, &code, &sales, 1, json!({ "promo_depth": 0 })),
        400,
        &["trade_loading", "missing"],
    );
    refused(
        &decide(&a, &server, &code, &sales, 2, week1.clone()),
        409,
        &["week 2", "not open yet", "this round is act 1 week 1"],
    );
    // Bodies that are not a decision.
    let url = server.url(&code, "decide");
    let r = driver::try_post_raw(
        &a,
        &url,
        Some(&sales),
        b"{\"act\": 1, \"week\": 1, \"choices\": {",
    )
    .unwrap();
    refused(&r, 400, &["JSON"]);
    let huge = format!(
        "{{\"act\": 1, \"week\": 1, \"choices\": {{\"{}\": 0}}}}",
        "x".repeat(20 << 10)
    );
    let r = driver::try_post_raw(&a, &url, Some(&sales), huge.as_bytes()).unwrap();
    refused(&r, 413, &["too large", "16 KiB"]);
    // None of it reached the log, and the seat has still to decide.
    assert!(logged_decisions(&log_lines(dir.path(), &code)).is_empty());
    assert_eq!(seat(&a, &server, &code, &sales)["decided"], false);

    // A decision, then the same again: taken once.
    assert_eq!(
        decide(&a, &server, &code, &sales, 1, week1.clone()).status,
        200
    );
    refused(
        &decide(&a, &server, &code, &sales, 1, week1.clone()),
        409,
        &["already decided week 1"],
    );
    assert_eq!(
        logged_decisions(&log_lines(dir.path(), &code)),
        vec![(1, 1, 0, 0)]
    );
    assert_eq!(
        decide(
            &a,
            &server,
            &code,
            &procurement,
            1,
            json!({ "warehouse_cover": 4 })
        )
        .status,
        200
    );
    let b = board(&a, &server, &code);
    assert_eq!(
        (b["week"].as_u64(), b["round"].as_u64()),
        (Some(2), Some(1)),
        "both seats decided: the round closed"
    );
    // Week 2: week 1 is played; trade_loading is decided every other week.
    refused(
        &decide(&a, &server, &code, &sales, 1, week1.clone()),
        409,
        &["week 1", "already played", "this round is act 1 week 2"],
    );
    let s = seat(&a, &server, &code, &sales);
    let open: Vec<bool> = s["view"]["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["open"] == true)
        .collect();
    assert_eq!(open, [true, false], "{}", s["view"]["levers"]);
    refused(
        &decide(&a, &server, &code, &sales, 2, week1.clone()),
        400,
        &["trade_loading", "every 2 weeks", "not this week"],
    );
    assert_eq!(
        decide(&a, &server, &code, &sales, 2, json!({ "promo_depth": 0 })).status,
        200
    );

    // A participant's page that closes its event stream mid-round: the session goes on.
    {
        let events_agent = agent(Duration::from_secs(30));
        let mut stream = open_events(&events_agent, &server, &code, Some(&procurement)).unwrap();
        let first = next_event(&mut stream).unwrap();
        assert_eq!((first.event.as_str(), first.id), ("state", Some(1)));
    }
    assert_eq!(
        decide(
            &a,
            &server,
            &code,
            &procurement,
            2,
            json!({ "warehouse_cover": 0 })
        )
        .status,
        200
    );
    assert_eq!(board(&a, &server, &code)["week"], 3);

    // The server killed mid-round, after one of the round's two decisions: restarted on the same
    // folder, the seat's token still works, its decision is still there, and the round closes
    // when the other seat decides, as it would have.
    assert_eq!(
        decide(&a, &server, &code, &sales, 3, week1.clone()).status,
        200
    );
    server.kill();
    let server = Server::start(orgsim_command(), dir.path());
    server.wait_for(&code, Duration::from_secs(120));
    let a = agent(Duration::from_secs(30));
    let s = seat(&a, &server, &code, &sales);
    assert_eq!(
        (
            s["week"].as_u64(),
            s["decided"].as_bool(),
            s["phase"].as_str()
        ),
        (Some(3), Some(true), Some("running")),
        "{s}"
    );
    assert_eq!(seat(&a, &server, &code, &procurement)["decided"], false);
    refused(
        &decide(&a, &server, &code, &sales, 3, week1.clone()),
        409,
        &["already decided week 3"],
    );
    assert_eq!(
        decide(
            &a,
            &server,
            &code,
            &procurement,
            3,
            json!({ "warehouse_cover": 2 })
        )
        .status,
        200
    );
    let b = board(&a, &server, &code);
    assert_eq!(
        (b["week"].as_u64(), b["round"].as_u64()),
        (Some(4), Some(3))
    );
    let logged = logged_decisions(&log_lines(dir.path(), &code));
    assert_eq!(
        logged,
        vec![
            (1, 1, 0, 0),
            (1, 1, 0, 1),
            (1, 2, 0, 0),
            (1, 2, 0, 1),
            (1, 3, 0, 0),
            (1, 3, 0, 1)
        ]
    );

    // After all of it, the server still answers.
    assert_eq!(board(&a, &server, &code)["phase"], "running");
    assert_eq!(get(&a, &format!("{}/play", server.base), None).status, 200);
}

#[test]
fn the_event_stream_id_is_the_round_and_a_closed_round_sends_the_next() {
    let _ = prepared(SCENARIO, &SETS);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(orgsim_command(), dir.path());
    let a = agent(Duration::from_secs(30));
    let (code, facilitator) = create(&server, 1, &SETS, "events");
    let sales = join(&a, &server, &code, "Ada", 1, "sales");
    assert_eq!(
        control(&a, &server, &code, &facilitator, "start").status,
        200
    );
    let round = board(&a, &server, &code)["round"].as_u64().unwrap();
    let ea = agent(Duration::from_secs(30));
    let mut wall = open_events(&ea, &server, &code, None).unwrap();
    let mut mine = open_events(&ea, &server, &code, Some(&sales)).unwrap();
    for stream in [&mut wall, &mut mine] {
        let first = next_event(stream).unwrap();
        assert_eq!(
            (first.event.as_str(), first.id),
            ("state", Some(round)),
            "the first event is the board's round"
        );
        let data: Value = serde_json::from_str(&first.data).unwrap();
        assert_eq!(data["round"].as_u64(), Some(round));
    }
    // The only participant decides: the round closes, and both streams send the next id. (A
    // stream sends the latest state: events between are not owed, so each close is awaited.)
    let s = seat(&a, &server, &code, &sales);
    let choices = driver::choices(&s, 0);
    assert_eq!(decide(&a, &server, &code, &sales, 1, choices).status, 200);
    let next = |stream: &mut std::io::BufReader<ureq::BodyReader<'static>>, want: u64| loop {
        let e = next_event(stream).unwrap();
        let data: Value = serde_json::from_str(&e.data).unwrap();
        assert_eq!(e.id, data["round"].as_u64(), "an event's id is its round");
        let id = e.id.unwrap();
        assert!(id <= want, "round {id} before round {want}");
        if id == want {
            return data;
        }
    };
    for stream in [&mut wall, &mut mine] {
        assert_eq!(next(stream, round + 1)["week"], 2);
    }
    // The facilitator closes the next round without waiting for anyone.
    let r = control(&a, &server, &code, &facilitator, "advance");
    assert_eq!(r.status, 200, "{}", r.body);
    for stream in [&mut wall, &mut mine] {
        assert_eq!(next(stream, round + 2)["week"], 3);
    }
}

#[test]
fn a_beer_game_is_played_over_http_and_its_debrief_is_the_trial_its_orders_make() {
    // A network session: the seats are stock points, the decision a whole number of units.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(orgsim_command(), dir.path());
    let a = agent(Duration::from_secs(60));
    let weeks = 10u64;
    let r = post(
        &a,
        &format!("{}/api/sessions", server.base),
        Some(&server.key),
        &json!({ "title": "beer", "scenario": "beer_game", "sets": [format!("network.weeks={weeks}")],
                 "teams": 2, "seed": 5, "round_seconds": null, "act_two": null }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let (code, facilitator) = (
        r.json()["code"].as_str().unwrap().to_string(),
        r.json()["token"].as_str().unwrap().to_string(),
    );
    let retailer = join(&a, &server, &code, "Ada", 1, "retailer");
    let factory = join(&a, &server, &code, "Bo", 2, "factory");
    assert_eq!(board(&a, &server, &code)["kind"], "network");
    assert_eq!(
        control(&a, &server, &code, &facilitator, "start").status,
        200
    );
    let s = seat(&a, &server, &code, &retailer);
    assert_eq!(s["seat"]["kind"], "network");
    assert_eq!(s["view"]["orders_from"], "wholesaler");
    let most = s["max_order"].as_u64().unwrap();
    refused(
        &decide(
            &a,
            &server,
            &code,
            &retailer,
            1,
            json!({ "order": most + 1 }),
        ),
        400,
        &[
            "an order is a whole number of units from 0 to",
            &(most + 1).to_string(),
        ],
    );
    refused(
        &decide(&a, &server, &code, &retailer, 1, json!({ "order": -3 })),
        400,
        &[
            "choices.order: expected a whole number 0 or more",
            "found -3",
        ],
    );
    refused(
        &decide(
            &a,
            &server,
            &code,
            &retailer,
            1,
            json!({ "price_depth": 1 }),
        ),
        400,
        &["'price_depth' is not one of retailer's levers (its levers: order)"],
    );
    let order = |week: u64, team: u64| (week * 3 + team * 7) % 11;
    for week in 1..=weeks {
        for (team, token) in [(1, &retailer), (2, &factory)] {
            let r = decide(
                &a,
                &server,
                &code,
                token,
                week,
                json!({ "order": order(week, team) }),
            );
            assert_eq!(r.status, 200, "week {week}: {}", r.body);
        }
    }
    assert_eq!(board(&a, &server, &code)["phase"], "ended");
    let debrief: Value =
        serde_json::from_str(&debrief_text(&server, &code, Duration::from_secs(120))).unwrap();
    let act = &debrief["acts"][0];
    assert_eq!(act["kind"], "network");
    assert_eq!(
        act["decisions"].as_array().unwrap().len(),
        2 * weeks as usize
    );
    // Each team's cost is a batch trial given the same orders.
    let source = orgsim::scenario::load::resolve("beer_game").unwrap();
    let model =
        orgsim::scenario::load::load_network(&source, &[format!("network.weeks={weeks}")]).unwrap();
    let spec = &model.scenario.network;
    let total = act["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "total_cost")
        .unwrap();
    for (t, point) in [(0usize, 0usize), (1, spec.stock_points.len() - 1)] {
        let mut batch = orgsim::sim::network::NetworkTrial::new(spec, 5, t as u64);
        for week in 1..=weeks {
            let mut supplied = vec![None; spec.stock_points.len()];
            supplied[point] = Some(order(week, t as u64 + 1) as f64);
            batch.place_orders(&supplied);
        }
        let want = batch.finish().total_cost();
        assert_eq!(
            total["teams"][t]["value"].as_f64(),
            Some(want),
            "team {}",
            t + 1
        );
    }
    let csv = get(&a, &server.url(&code, "decisions.csv"), None);
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.lines().nth(1).unwrap().contains(",order,"),
        "{}",
        csv.body
    );
    let html = get(&a, &server.url(&code, "debrief.html"), None);
    assert_eq!(html.status, 200);
    assert!(
        html.body.contains("Bo (factory)") && html.body.contains("<svg"),
        "the offline report shows the orders and who made them"
    );
    assert!(!html.body.contains("<script"));
}
