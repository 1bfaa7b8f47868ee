//! Behaviour 7 of docs/model.md, the meeting story: low psychological safety yields silent,
//! unanimous meetings, high stated agreement and low operational agreement; raising safety
//! turns some meetings into decisions, and what a decision rules out changes the outcome.
//!
//! Each test fits the playbooks once and then moves only the meeting (its safety, or whether it
//! is held), so every comparison is paired: the same trials, the same demand, the same rules.

use orgsim::scenario::model::{MeetingSpec, Model};
use orgsim::sim::trial::run_trial;
use orgsim::stats::metrics::{metric, TrialResult};

const SEED: u64 = 11;

fn prepared(name: &str, sets: &[&str]) -> Model {
    crate::common::model(name, sets)
}

fn trials(model: &Model, n: u64) -> Vec<TrialResult> {
    (0..n).map(|i| run_trial(model, SEED, i)).collect()
}

fn with_safety(model: &Model, safety: f64) -> Model {
    let mut m = model.clone();
    m.meetings.as_mut().expect("meetings are held").safety = safety;
    m
}

/// Mean and standard error of `f` over the trials.
fn mean_se(rs: &[TrialResult], f: impl Fn(&TrialResult) -> f64) -> (f64, f64) {
    let xs: Vec<f64> = rs.iter().map(f).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Paired difference b - a of metric `k`, as (mean, standard error).
fn paired(a: &[TrialResult], b: &[TrialResult], k: usize) -> (f64, f64) {
    let d: Vec<TrialResult> = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            let mut r = y.clone();
            r.metrics[k] = y.metrics[k] - x.metrics[k];
            r
        })
        .collect();
    mean_se(&d, |r| r.metrics[k])
}

#[test]
fn silence_falls_and_decisions_rise_with_psychological_safety() {
    let base = prepared("okr_offsite", &[]);
    let levels = [0.0, 0.25, 0.5, 0.75, 1.0];
    let runs: Vec<Vec<TrialResult>> = levels
        .iter()
        .map(|s| trials(&with_safety(&base, *s), 200))
        .collect();
    let k = |name| metric(name);
    for w in 0..levels.len() - 1 {
        let (lo, hi) = (&runs[w], &runs[w + 1]);
        let at = format!("safety {} -> {}", levels[w], levels[w + 1]);
        // Each step up in safety: more meetings hear a doubt, more decide, less is merely stated.
        for (name, sign) in [
            ("meetings_with_dissent", 1.0),
            ("decisions_made", 1.0),
            ("stated_agreement", -1.0),
        ] {
            let (d, se) = paired(lo, hi, k(name));
            assert!(sign * d > 3.0 * se, "{at}: {name} moved {d} (se {se})");
        }
    }
    // Doubt left unsaid builds into departures; a room where doubts are voiced keeps its people.
    let (d, se) = paired(&runs[0], &runs[4], k("departures"));
    assert!(
        d < -3.0 * se,
        "departures moved {d} (se {se}) from safety 0 to 1"
    );
}

#[test]
fn a_room_without_safety_states_agreement_it_does_not_have() {
    let base = prepared("okr_offsite", &[]);
    let (held, dissent) = (metric("meetings_held"), metric("meetings_with_dissent"));
    let (stated, operational) = (metric("stated_agreement"), metric("operational_agreement"));
    let unsafe_room = trials(&with_safety(&base, 0.1), 200);
    let (silent, _) = mean_se(&unsafe_room, |r| 1.0 - r.metrics[dissent] / r.metrics[held]);
    assert!(
        silent > 0.6,
        "only {silent} of the meetings were silent at safety 0.1"
    );
    let (gap, se) = mean_se(&unsafe_room, |r| r.metrics[stated] - r.metrics[operational]);
    assert!(
        gap > 0.05 && gap > 3.0 * se,
        "stated minus operational agreement: {gap} (se {se})"
    );
    let safe_room = trials(&with_safety(&base, 1.0), 200);
    let (gap, se) = mean_se(&safe_room, |r| r.metrics[stated] - r.metrics[operational]);
    assert!(
        gap < -3.0 * se,
        "at safety 1 the gap is {gap} (se {se}): dissent is said aloud"
    );
}

/// The meeting metrics, and the readings a decision moves; everything else is operational.
const ABOUT_MEETINGS: &[&str] = &[
    "meetings_held",
    "meetings_with_dissent",
    "decisions_made",
    "options_excluded",
    "stated_agreement",
    "departures",
    "interpretation_spread",
];

fn meeting(roles: usize, safety: f64, fear: f64) -> Option<MeetingSpec> {
    Some(MeetingSpec {
        every: 4,
        safety,
        fear,
        quorum: 0.5,
        departure: None,
        vacancy: 8,
        roles: (0..roles).collect(),
    })
}

#[test]
fn a_meeting_that_decides_nothing_changes_nothing_operational() {
    let without = prepared("promo_vs_inventory", &["world.stores=20"]);
    let mut quiet = without.clone();
    quiet.meetings = meeting(without.roles.len(), 0.0, 100.0);
    let (a, b) = (trials(&without, 150), trials(&quiet, 150));
    let decisions = metric("decisions_made");
    let undecided: Vec<usize> = (0..a.len())
        .filter(|&i| b[i].metrics[decisions] == 0.0)
        .collect();
    assert!(
        undecided.len() >= 140,
        "{} of 150 trials decided nothing",
        undecided.len()
    );
    for i in undecided {
        for (k, name) in orgsim::stats::metrics::GLOBAL_METRICS.iter().enumerate() {
            if !ABOUT_MEETINGS.contains(name) {
                assert_eq!(a[i].metrics[k], b[i].metrics[k], "trial {i}: {name}");
            }
        }
        assert_eq!(a[i].roles, b[i].roles, "trial {i}: the roles' pay");
    }
}

#[test]
fn a_decision_rules_out_an_option_and_someone_loses_what_it_wanted() {
    let base = prepared("promo_vs_inventory", &["world.stores=20"]);
    let n = base.roles.len();
    let (mut quiet, mut open) = (base.clone(), base.clone());
    quiet.meetings = meeting(n, 0.0, 100.0);
    open.meetings = meeting(n, 1.0, 2.0);
    let (a, b) = (trials(&quiet, 200), trials(&open, 200));
    let (excluded, _) = mean_se(&b, |r| r.metrics[metric("options_excluded")]);
    assert!(
        excluded >= 0.5,
        "a safe room ruled out {excluded} options a trial"
    );
    // What was ruled out shows in the outcome...
    let moved = ["profit", "ending_inventory_units", "stockout_store_weeks"]
        .iter()
        .filter(|name| {
            let (d, se) = paired(&a, &b, metric(name));
            d.abs() > 4.0 * se
        })
        .count();
    assert!(
        moved >= 2,
        "only {moved} of profit, ending stock and stockouts moved"
    );
    // ... and in somebody's pay: the owner of the option loses what it played it for.
    let payout = |r: &TrialResult, role: usize| r.roles[role][1];
    let worst = (0..n)
        .map(|role| {
            let d: Vec<f64> = a
                .iter()
                .zip(&b)
                .map(|(x, y)| payout(y, role) - payout(x, role))
                .collect();
            let m = d.iter().sum::<f64>() / d.len() as f64;
            let se = (d.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
                / (d.len() as f64 - 1.0)
                / d.len() as f64)
                .sqrt();
            (m, se)
        })
        .fold((0.0, 0.0), |w, x| if x.0 < w.0 { x } else { w });
    assert!(worst.0 < -3.0 * worst.1, "no role lost pay: {worst:?}");
}

#[test]
fn where_everyone_reads_the_strategy_alike_there_is_nothing_to_say() {
    let m = prepared("okr_offsite", &["strategy.ambiguity=0"]);
    for r in trials(&with_safety(&m, 1.0), 50) {
        assert_eq!(r.metrics[metric("meetings_with_dissent")], 0.0);
        assert_eq!(r.metrics[metric("decisions_made")], 0.0);
        assert_eq!(r.metrics[metric("stated_agreement")], 1.0);
    }
}
