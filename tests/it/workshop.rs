//! The workshop's game and log, without the server: a session rebuilt from its event log is the
//! live one; a participant's decisions given to a batch trial give the same trial, to the byte; a
//! session of robots is `orgsim run`'s trial; and what a participant does moves the outcome and its
//! place among the simulated plays.

use crate::common::prepared;
use orgsim::run::chunks::RunConfig;
use orgsim::sim::trial::{run_trial, Trial};
use orgsim::stats::metrics::{metric, TrialResult};
use orgsim::workshop::debrief;
use orgsim::workshop::event::{ActTwo, Event, Setup};
use orgsim::workshop::game::ActModel;
use orgsim::workshop::room::{Phase, Room};
use orgsim::Prepared;
use std::sync::atomic::AtomicBool;

const SETS: &[&str] = &["horizon_weeks=12", "world.stores=5"];
const SEED: u64 = 7;

fn models() -> Vec<ActModel> {
    vec![ActModel::Organisation(Box::new(prepared(
        "promo_vs_inventory",
        SETS,
    )))]
}

/// The organisation act's model.
fn org(m: &ActModel) -> &Prepared {
    match m {
        ActModel::Organisation(p) => p,
        ActModel::Network(_) => panic!("an organisation scenario"),
    }
}

fn setup(teams: usize, act_two: Option<ActTwo>) -> Setup {
    let source = orgsim::scenario::load::resolve("promo_vs_inventory").unwrap();
    Setup {
        orgsim: env!("CARGO_PKG_VERSION").into(),
        code: "TEST01".into(),
        facilitator: "f".repeat(32),
        title: "test".into(),
        scenario: source.name,
        scenario_text: source.text,
        sets: SETS.iter().map(|s| s.to_string()).collect(),
        teams,
        seed: SEED,
        round_seconds: None,
        act_two,
    }
}

/// A participant's choice for lever `lever` of a role, varied by week and team so that it is not
/// the robot's.
fn choice(week: usize, team: usize, options: usize, k: usize) -> usize {
    (week * 7 + team * 3 + k * 5) % options
}

/// Plays a session live as the session thread does: two participants per team, each deciding every
/// open lever; every change an event, kept as the log's text. Returns the log.
fn play_live(room: &mut Room, seated: &[&str]) -> Vec<String> {
    let mut log = Vec::new();
    let mut record = |room: &mut Room, e: Event| {
        room.apply(&e).unwrap();
        log.push(serde_json::to_string(&e).unwrap());
    };
    let mut tokens = Vec::new();
    for t in 0..room.setup.teams {
        for name in seated {
            let (team, role) = room.free_seat(Some(t), Some(name)).unwrap();
            let token = format!("{t}-{name}");
            record(
                room,
                Event::Joined {
                    at: 0,
                    team,
                    role,
                    name: name.to_string(),
                    token: token.clone(),
                },
            );
            tokens.push((token, role));
        }
    }
    record(room, Event::Started { at: 0 });
    while room.phase == Phase::Running {
        let week = room.game().unwrap().week();
        for (i, (token, r)) in tokens.iter().enumerate() {
            let view = room
                .game()
                .unwrap()
                .organisation()
                .unwrap()
                .view(i / seated.len(), *r);
            let choices: Vec<(String, usize)> = view
                .levers
                .iter()
                .enumerate()
                .filter(|(_, l)| l.open)
                .map(|(k, l)| {
                    (
                        l.name.clone(),
                        choice(week, i / seated.len(), l.options.len(), k),
                    )
                })
                .collect();
            if choices.is_empty() {
                continue;
            }
            let e = room
                .check_decision(token, room.act + 1, week + 1, choices)
                .unwrap();
            record(room, e);
        }
        let close = room.closing_event().unwrap();
        record(room, close);
    }
    assert_eq!(room.phase, Phase::Ended);
    log
}

fn bytes(r: &TrialResult) -> String {
    serde_json::to_string(r).unwrap()
}

#[test]
fn a_session_rebuilt_from_its_log_is_the_live_session_to_the_byte() {
    let models = models();
    let mut live = Room::new(setup(3, None), &models);
    let log = play_live(&mut live, &["sales", "retailer"]);
    let mut again = Room::new(setup(3, None), &models);
    for line in &log {
        again
            .apply(&serde_json::from_str::<Event>(line).unwrap())
            .unwrap();
    }
    assert_eq!(again.phase, Phase::Ended);
    for (a, b) in live.played[0]
        .teams
        .organisation()
        .unwrap()
        .iter()
        .zip(again.played[0].teams.organisation().unwrap())
    {
        assert_eq!(bytes(&a.result), bytes(&b.result));
        assert_eq!(a.decisions, b.decisions);
    }
    assert_eq!(live.played[0].robots, again.played[0].robots);
    // Participants decided: the trials are not the robots'.
    let robot = run_trial(org(&models[0]), SEED, 0);
    assert_ne!(
        bytes(&live.played[0].teams.organisation().unwrap()[0].result),
        bytes(&robot)
    );
}

#[test]
fn a_session_s_trial_is_the_batch_trial_given_the_same_decisions() {
    let models = models();
    let m = org(&models[0]);
    let mut room = Room::new(setup(2, None), &models);
    let log = play_live(&mut room, &["sales", "procurement"]);
    // The decisions from the log, as a batch caller supplies them: per team, per week, per lever.
    let mut external = vec![vec![vec![None; m.levers.len()]; m.horizon]; 2];
    for line in &log {
        if let Event::Decided {
            week,
            team,
            choices,
            ..
        } = serde_json::from_str(line).unwrap()
        {
            for (lever, option) in choices {
                let j = m.levers.iter().position(|l| l.name == lever).unwrap();
                external[team][week - 1][j] = Some(option);
            }
        }
    }
    for (team, weeks) in external.iter().enumerate() {
        let mut batch = Trial::new(m, SEED, team as u64);
        for seat in weeks {
            batch.step_with(seat);
        }
        assert_eq!(
            bytes(&batch.finish()),
            bytes(&room.played[0].teams.organisation().unwrap()[team].result),
            "team {}",
            team + 1
        );
    }
}

#[test]
fn a_session_of_robots_is_orgsim_run_s_trial_of_the_same_index() {
    let models = models();
    let mut room = Room::new(setup(3, None), &models);
    room.apply(&Event::Started { at: 0 }).unwrap();
    while let Some(close) = room.closing_event() {
        room.apply(&close).unwrap();
    }
    assert_eq!(room.phase, Phase::Ended);
    // The run as the command writes it: trials.csv, one row per trial.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let cfg = RunConfig {
        seed: SEED,
        trials: 3,
        threads: 1,
    };
    let info = orgsim::writers::output::RunInfo {
        source: "built-in promo_vs_inventory".into(),
        ..Default::default()
    };
    crate::common::run_into(org(&models[0]), &cfg, &out, &info);
    let mut rows = csv::Reader::from_path(out.join("trials.csv")).unwrap();
    let header = rows.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "company_profit").unwrap();
    for (t, row) in rows.records().enumerate() {
        let team = &room.played[0].teams.organisation().unwrap()[t].result;
        assert_eq!(
            bytes(team),
            bytes(&run_trial(org(&models[0]), SEED, t as u64)),
            "team {}",
            t + 1
        );
        // The file keeps nine decimals (`orgsim::numbers::push_float`).
        let mut want = String::new();
        orgsim::numbers::push_float(&mut want, team.metrics[metric("company_profit")]);
        assert_eq!(&row.unwrap()[col], want, "trials.csv row {t}");
    }
}

/// Every team with a participant in the retailer's seat who keeps the shelves and the DC as deep
/// as the menus allow, every week, and never buys forward; every other seat a robot (whose fitted
/// retailer keeps them thin).
fn deep_shelves(models: &[ActModel], teams: usize) -> Vec<TrialResult> {
    let mut room = Room::new(setup(teams, None), models);
    let retailer = org(room.model(0))
        .roles
        .iter()
        .position(|r| r.name == "retailer")
        .unwrap();
    for t in 0..teams {
        let (team, role) = room.free_seat(Some(t), Some("retailer")).unwrap();
        room.apply(&Event::Joined {
            at: 0,
            team,
            role,
            name: "Ada".into(),
            token: format!("t{t}"),
        })
        .unwrap();
    }
    room.apply(&Event::Started { at: 0 }).unwrap();
    while room.phase == Phase::Running {
        let week = room.game().unwrap().week();
        for t in 0..teams {
            let view = room
                .game()
                .unwrap()
                .organisation()
                .unwrap()
                .view(t, retailer);
            // The most cover the menus allow; no forward buy.
            let choices = view
                .levers
                .iter()
                .filter(|l| l.open)
                .map(|l| {
                    (
                        l.name.clone(),
                        if l.name.ends_with("_cover") {
                            l.options.len() - 1
                        } else {
                            0
                        },
                    )
                })
                .collect();
            let e = room
                .check_decision(&format!("t{t}"), 1, week + 1, choices)
                .unwrap();
            room.apply(&e).unwrap();
        }
        let close = room.closing_event().unwrap();
        room.apply(&close).unwrap();
    }
    room.played[0]
        .teams
        .organisation()
        .unwrap()
        .iter()
        .map(|t| t.result.clone())
        .collect()
}

#[test]
fn a_retailer_who_keeps_the_shelves_deep_has_fewer_stockouts_and_the_debrief_says_so() {
    // Moves the cause (the retailer's participant keeps as much stock as the menus allow) and
    // watches the effect: fewer stockouts than the team's robot twin on the same draws, paired
    // over 24 teams, and a lower place among 1,000 plays by the model's roles.
    let models = models();
    let n = 24;
    let humans = deep_shelves(&models, n);
    let stock = metric("stockout_store_weeks");
    let diffs: Vec<f64> = (0..n)
        .map(|t| {
            humans[t].metrics[stock] - run_trial(org(&models[0]), SEED, t as u64).metrics[stock]
        })
        .collect();
    let (mean, se) = crate::common::mean_se(&diffs);
    eprintln!(
        "stockout store-weeks, deep shelves minus the robot twin: {mean:.2} ± {se:.2} (24 teams)"
    );
    assert!(
        mean < -3.0 * se && mean < 0.0,
        "stockouts, humans minus robots: {mean:.2} ± {se:.2}"
    );
    let plays = debrief::simulate(&models[0], SEED, 1000, &AtomicBool::new(false)).unwrap();
    assert_eq!(plays.trials(), 1000);
    let q = |r: &TrialResult| r.metrics[stock];
    let mut sorted: Vec<f64> = (0..1000)
        .map(|i| q(&run_trial(org(&models[0]), SEED, i)))
        .collect();
    sorted.sort_by(f64::total_cmp);
    let human_pct: f64 = humans
        .iter()
        .map(|r| debrief::percentile(&sorted, q(r)))
        .sum::<f64>()
        / n as f64;
    let robot_pct: f64 = (0..n)
        .map(|t| debrief::percentile(&sorted, q(&run_trial(org(&models[0]), SEED, t as u64))))
        .sum::<f64>()
        / n as f64;
    eprintln!("mean stockout percentile among 1,000 plays: deep shelves {human_pct:.1}, robots {robot_pct:.1}");
    assert!(
        human_pct + 10.0 < robot_pct,
        "mean stockout percentile: humans {human_pct:.1}, robots {robot_pct:.1}"
    );
}

#[test]
fn the_second_act_plays_its_own_model_on_the_same_draws() {
    // Act two (everyone sees everything) is the same teams on the same trial seeds, under the
    // second model: every role sees every stock point.
    let see_all = models().remove(0);
    let source = orgsim::scenario::load::resolve("promo_vs_inventory").unwrap();
    let sets: Vec<String> = SETS.iter().map(|s| s.to_string()).collect();
    let names: Vec<serde_json::Value> = org(&see_all)
        .chain
        .iter()
        .map(|e| serde_json::json!({ "stock_point": e.name }))
        .collect();
    let mut all = sets.clone();
    for r in &org(&see_all).roles {
        all.push(format!(
            "roles.{}.visibility={}",
            r.name,
            serde_json::Value::Array(names.clone())
        ));
    }
    let how = orgsim::PrepareConfig {
        threads: 0,
        cancel: &AtomicBool::new(false),
        certify: false,
    };
    let second = orgsim::prepare(&source, &all, &how).unwrap().unwrap();
    let models = vec![see_all, ActModel::Organisation(Box::new(second))];
    let mut room = Room::new(setup(1, Some(ActTwo::SeeEverything)), &models);
    room.apply(&Event::Started { at: 0 }).unwrap();
    while let Some(close) = room.closing_event() {
        room.apply(&close).unwrap();
    }
    assert_eq!(room.phase, Phase::Interval);
    room.apply(&Event::NextAct { at: 0 }).unwrap();
    let view = room.game().unwrap().organisation().unwrap().view(0, 0);
    assert!(
        view.stock.iter().all(|s| s.units.is_some()),
        "act two: sales sees every stock point"
    );
    room.apply(&Event::Ended { at: 0 }).unwrap();
    assert_eq!(room.played.len(), 2);
    assert_eq!(
        bytes(&room.played[1].teams.organisation().unwrap()[0].result),
        bytes(&run_trial(org(&models[1]), SEED, 0))
    );
}

#[test]
fn the_debrief_credits_each_decision_to_whoever_sat_in_the_seat_that_week() {
    // A seat changes hands during the act: Ada decides week 1, is freed, and Bo decides week 2.
    let models = models();
    let mut room = Room::new(setup(1, None), &models);
    let sales = org(room.model(0))
        .roles
        .iter()
        .position(|r| r.name == "sales")
        .unwrap();
    let sit = |room: &mut Room, name: &str| {
        let e = Event::Joined {
            at: 0,
            team: 0,
            role: sales,
            name: name.into(),
            token: name.into(),
        };
        room.apply(&e).unwrap();
    };
    let decide = |room: &mut Room, token: &str| {
        let week = room.game().unwrap().week();
        let view = room.game().unwrap().organisation().unwrap().view(0, sales);
        let choices = view
            .levers
            .iter()
            .filter(|l| l.open)
            .map(|l| (l.name.clone(), 0))
            .collect();
        let e = room.check_decision(token, 1, week + 1, choices).unwrap();
        room.apply(&e).unwrap();
        let close = room.closing_event().unwrap();
        room.apply(&close).unwrap();
    };
    sit(&mut room, "Ada");
    room.apply(&Event::Started { at: 0 }).unwrap();
    decide(&mut room, "Ada");
    room.apply(&Event::Freed {
        at: 0,
        team: 0,
        role: sales,
    })
    .unwrap();
    assert!(
        room.check_decision("Ada", 1, 2, vec![]).is_err(),
        "a freed token decides nothing"
    );
    sit(&mut room, "Bo");
    decide(&mut room, "Bo");
    room.apply(&Event::Ended { at: 0 }).unwrap();
    let plays = debrief::simulate(&models[0], SEED, 100, &AtomicBool::new(false)).unwrap();
    let act = debrief::act(&room, &room.played[0], &plays).unwrap();
    let who: Vec<(u64, String)> = act["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["week"].as_u64().unwrap(),
                d["who"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        who.iter().any(|(w, n)| *w == 1 && n == "Ada (sales)"),
        "{who:?}"
    );
    assert!(
        who.iter().any(|(w, n)| *w == 2 && n == "Bo (sales)"),
        "{who:?}"
    );
    assert!(
        who.iter().all(|(w, _)| *w <= 2),
        "weeks 3 on were the robot's: {who:?}"
    );
    assert_eq!(act["ended_at_week"], 3);
}
