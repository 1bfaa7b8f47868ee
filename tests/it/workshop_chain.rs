//! The workshop on a network scenario (the Beer Game), without the server: a session rebuilt from
//! its log is the live one; a team's trial equals a batch `NetworkTrial` given the participants'
//! orders through `place_orders`; a team of robots is `orgsim network`'s trial; and a retailer who
//! passes on what customers order calms the chain above it, which the debrief shows.

use crate::common::{mean_se, paired};
use orgsim::scenario::load::{load_network, resolve};
use orgsim::scenario::network::trial_columns;
use orgsim::sim::network::{run_network, NetworkResult, NetworkTrial, Scoring};
use orgsim::workshop::debrief;
use orgsim::workshop::event::{ActTwo, Event, Setup};
use orgsim::workshop::game::ActModel;
use orgsim::workshop::room::{Phase, Room};
use std::sync::atomic::AtomicBool;

const SEED: u64 = 11;

fn models(sets: &[&str]) -> Vec<ActModel> {
    let source = resolve("beer_game").unwrap();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    vec![ActModel::Network(Box::new(
        load_network(&source, &sets).unwrap(),
    ))]
}

fn spec(models: &[ActModel]) -> &orgsim::sim::network::NetworkSpec {
    match &models[0] {
        ActModel::Network(n) => &n.scenario.network,
        ActModel::Organisation(_) => panic!("a network scenario"),
    }
}

fn setup(teams: usize, act_two: Option<ActTwo>) -> Setup {
    let source = resolve("beer_game").unwrap();
    Setup {
        orgsim: env!("CARGO_PKG_VERSION").into(),
        code: "BEER01".into(),
        facilitator: "f".repeat(32),
        title: "beer".into(),
        scenario: source.name,
        scenario_text: source.text,
        sets: Vec::new(),
        teams,
        seed: SEED,
        round_seconds: None,
        act_two,
    }
}

/// Seats `names` (stock points) in each of the first `seated_teams` teams; returns their tokens.
fn seat(
    room: &mut Room,
    seated_teams: usize,
    names: &[&str],
    log: &mut Vec<Event>,
) -> Vec<(String, usize, usize)> {
    let mut tokens = Vec::new();
    for t in 0..seated_teams {
        for name in names {
            let (team, role) = room.free_seat(Some(t), Some(name)).unwrap();
            let token = format!("{t}-{name}");
            let e = Event::Joined {
                at: 0,
                team,
                role,
                name: name.to_string(),
                token: token.clone(),
            };
            room.apply(&e).unwrap();
            log.push(e);
            tokens.push((token, team, role));
        }
    }
    tokens
}

/// Plays the act to its end: each seated participant orders what `order` says, from what the
/// seat sees; every change an event, kept in `log`.
fn play(
    room: &mut Room,
    tokens: &[(String, usize, usize)],
    log: &mut Vec<Event>,
    order: &dyn Fn(&serde_json::Value, usize, usize) -> usize,
) {
    let e = Event::Started { at: 0 };
    room.apply(&e).unwrap();
    log.push(e);
    while room.phase == Phase::Running {
        let week = room.game().unwrap().week();
        for (token, t, r) in tokens {
            let view = room.seat(*t, *r, None);
            let units = order(&view["view"], week, *t);
            let e = room
                .check_decision(token, room.act + 1, week + 1, vec![("order".into(), units)])
                .unwrap();
            room.apply(&e).unwrap();
            log.push(e);
        }
        let close = room.closing_event().unwrap();
        room.apply(&close).unwrap();
        log.push(close);
    }
}

fn results(room: &Room, act: usize) -> Vec<NetworkResult> {
    room.played[act]
        .teams
        .network()
        .unwrap()
        .iter()
        .map(|t| t.result.clone())
        .collect()
}

fn bytes(r: &NetworkResult) -> String {
    format!("{r:?}")
}

#[test]
fn a_beer_game_session_is_its_log_its_orders_and_orgsim_networks_trials() {
    let models = models(&[]);
    let mut room = Room::new(setup(3, None), &models);
    let mut log = Vec::new();
    let tokens = seat(&mut room, 2, &["retailer", "distributor"], &mut log);
    let ordered = |_: &serde_json::Value, week: usize, t: usize| (week * 5 + t * 3) % 13;
    play(&mut room, &tokens, &mut log, &ordered);
    assert_eq!(room.phase, Phase::Ended);
    let live = results(&room, 0);

    // Rebuilt from the log alone.
    let mut again = Room::new(setup(3, None), &models);
    for e in &log {
        let text = serde_json::to_string(e).unwrap();
        again.apply(&serde_json::from_str(&text).unwrap()).unwrap();
    }
    assert_eq!(
        live.iter().map(bytes).collect::<Vec<_>>(),
        results(&again, 0).iter().map(bytes).collect::<Vec<_>>(),
        "a session rebuilt from its log is the live session"
    );

    // A batch trial given the same orders through place_orders.
    let spec = spec(&models);
    let points: Vec<usize> = ["retailer", "distributor"]
        .iter()
        .map(|n| spec.stock_points.iter().position(|p| p.name == *n).unwrap())
        .collect();
    for (t, result) in live.iter().enumerate().take(2) {
        let mut batch = NetworkTrial::new(spec, SEED, t as u64);
        let mut week = 0;
        while !batch.is_done() {
            let mut supplied = vec![None; spec.stock_points.len()];
            for &p in &points {
                supplied[p] = Some(ordered(&serde_json::Value::Null, week, t) as f64);
            }
            batch.place_orders(&supplied);
            week += 1;
        }
        assert_eq!(bytes(result), bytes(&batch.finish()), "team {t}");
    }
    // Team 3 had nobody: its robots are orgsim network's trial 2.
    assert_eq!(bytes(&live[2]), bytes(&run_network(spec, SEED, 2)));
    assert_ne!(bytes(&live[0]), bytes(&run_network(spec, SEED, 0)));
}

#[test]
fn a_retailer_who_passes_on_what_customers_order_calms_the_chain_and_the_debrief_says_so() {
    // The cause: the retailer's seat orders exactly what customers ordered this week, where the
    // robot (Sterman's fitted heuristic) chases its stock gap and ignores most of its supply line.
    // The effect, paired team by team with the robot twin on the same demand: the retailer's
    // orders swing no more than demand, and the wholesaler above it swings less.
    let models = models(&[]);
    let teams = 24;
    let mut room = Room::new(setup(teams, None), &models);
    let mut log = Vec::new();
    let tokens = seat(&mut room, teams, &["retailer"], &mut log);
    let pass_on =
        |v: &serde_json::Value, _: usize, _: usize| v["incoming"].as_f64().unwrap() as usize;
    play(&mut room, &tokens, &mut log, &pass_on);
    let spec = spec(&models);
    let scoring = Scoring::new(spec);
    let cols = trial_columns(spec);
    let col = |k: &str| cols.iter().position(|c| c == k).unwrap();
    let humans: Vec<Vec<f64>> = results(&room, 0)
        .iter()
        .map(|r| r.metrics(spec, &scoring))
        .collect();
    let robots: Vec<Vec<f64>> = (0..teams as u64)
        .map(|t| run_network(spec, SEED, t).metrics(spec, &scoring))
        .collect();
    let of = |rows: &[Vec<f64>], k: &str| rows.iter().map(|m| m[col(k)]).collect::<Vec<_>>();
    let (amp, _) = mean_se(&of(&humans, "amp_retailer"));
    assert!(
        (amp - 1.0).abs() < 1e-9,
        "a retailer who passes demand on amplifies nothing: {amp}"
    );
    let (robot_amp, _) = mean_se(&of(&robots, "amp_retailer"));
    assert!(robot_amp > 1.5, "the robot retailer amplifies: {robot_amp}");
    // Paired: pass-on minus robot, team by team.
    for k in ["amp_wholesaler", "total_cost"] {
        let (d, se) = paired(&of(&robots, k), &of(&humans, k));
        let (base, _) = mean_se(&of(&robots, k));
        eprintln!("{k}: pass-on retailer minus robot {d:.2} ± {se:.2} (SE, {teams} teams; robots {base:.2})");
        assert!(d < -3.0 * se && d < 0.0, "{k} falls: {d:.2} ± {se:.2}");
    }

    // The debrief places the room's teams low among the plays, where their robot twins are not.
    let plays = debrief::simulate(&models[0], SEED, 1000, &AtomicBool::new(false)).unwrap();
    assert_eq!(plays.trials(), 1000);
    let act = debrief::act(&room, &room.played[0], &plays).unwrap();
    let all: Vec<Vec<f64>> = (0..1000)
        .map(|t| run_network(spec, SEED, t).metrics(spec, &scoring))
        .collect();
    for k in ["amp_wholesaler", "total_cost"] {
        let mut sorted = of(&all, k);
        sorted.sort_by(f64::total_cmp);
        let m = act["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == k)
            .unwrap();
        let room_pct: Vec<f64> = m["teams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["percentile"].as_f64().unwrap())
            .collect();
        let ours: Vec<f64> = of(&humans, k)
            .iter()
            .map(|&x| debrief::percentile(&sorted, x))
            .collect();
        assert_eq!(
            room_pct, ours,
            "{k}: the debrief's percentiles are the plays'"
        );
        let robot_pct: Vec<f64> = of(&robots, k)
            .iter()
            .map(|&x| debrief::percentile(&sorted, x))
            .collect();
        let (h, r) = (mean_se(&room_pct).0, mean_se(&robot_pct).0);
        eprintln!("{k}: mean percentile among 1,000 plays: the room {h:.1}, robots {r:.1}");
        assert!(h + 20.0 < r, "{k}: the room {h:.1}, robots {r:.1}");
    }
    // Every order is shown beside the robot's, with what the seat saw.
    let decisions = act["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), teams * spec.weeks as usize);
    assert!(decisions
        .iter()
        .all(|d| d["lever"] == "order" && d["why"].as_str().unwrap().contains("on hand")));
    assert!(act["chart_svg"].as_str().unwrap().contains("<svg"));
}

#[test]
fn the_second_act_shows_every_point_to_everyone_on_the_same_draws() {
    let models = models(&[]);
    let models = vec![
        models.into_iter().next().unwrap(),
        self::models(&[]).into_iter().next().unwrap(),
    ];
    let mut room = Room::new(setup(1, Some(ActTwo::SeeEverything)), &models);
    let mut log = Vec::new();
    let tokens = seat(&mut room, 1, &["factory"], &mut log);
    let first = room.seat(0, tokens[0].2, None);
    assert!(first["view"]["others"].as_array().unwrap().is_empty());
    assert!(
        first["view"]["customer_demand"].is_null(),
        "the factory does not see customers in act one"
    );
    room.apply(&Event::Started { at: 0 }).unwrap();
    while let Some(close) = room.closing_event() {
        room.apply(&close).unwrap();
    }
    assert_eq!(room.phase, Phase::Interval);
    room.apply(&Event::NextAct { at: 0 }).unwrap();
    let second = room.seat(0, tokens[0].2, None);
    assert_eq!(second["view"]["others"].as_array().unwrap().len(), 3);
    assert!(second["view"]["customer_demand"].is_number());
    room.apply(&Event::Ended { at: 0 }).unwrap();
    // Robots in both acts: the same trial, since they read no more than before.
    assert_eq!(bytes(&results(&room, 0)[0]), bytes(&results(&room, 1)[0]));
}

#[test]
fn an_order_outside_the_rules_is_refused_with_the_rule() {
    let models = models(&[]);
    let mut room = Room::new(setup(1, None), &models);
    let mut log = Vec::new();
    let tokens = seat(&mut room, 1, &["retailer"], &mut log);
    room.apply(&Event::Started { at: 0 }).unwrap();
    let token = &tokens[0].0;
    let refused = |choices: Vec<(String, usize)>| {
        room.check_decision(token, 1, 1, choices)
            .unwrap_err()
            .message
    };
    let most = room.seat(0, 0, None)["max_order"].as_u64().unwrap() as usize;
    assert_eq!(
        refused(vec![("order".into(), most + 1)]),
        format!(
            "an order is a whole number of units from 0 to {most}; found {}",
            most + 1
        )
    );
    assert!(refused(vec![("price".into(), 1)])
        .contains("'price' is not one of retailer's levers (its levers: order)"));
    assert!(refused(vec![]).contains("a decision for 'order' is missing"));
    assert!(refused(vec![("order".into(), 1), ("order".into(), 2)]).contains("decided twice"));
    assert!(room
        .check_decision(token, 1, 1, vec![("order".into(), most)])
        .is_ok());
}
