//! A trial stepped week by week from outside, as a live workshop will drive it.

use crate::common::model;
use orgsim::sim::trial::{run_trial, Trial};
use orgsim::stats::metrics::FIXED_SERIES;

#[test]
fn stepping_week_by_week_is_the_batch_trial() {
    let m = model("promo_vs_inventory", &[]);
    let mut t = Trial::new(&m, 9, 4);
    while !t.is_done() {
        t.step();
    }
    assert_eq!(t.finish(), run_trial(&m, 9, 4));
}

#[test]
fn a_participant_can_take_a_seat() {
    let m = model("promo_vs_inventory", &[]);
    let promo = m
        .levers
        .iter()
        .position(|l| l.name == "promo_depth")
        .unwrap();
    let deepest = m.levers[promo].options.len() - 1;
    let mut t = Trial::new(&m, 9, 4);
    let mut seat = vec![None; m.levers.len()];
    // The participant in the sales seat promotes as deep as allowed in weeks 10, 11 and 13, never
    // otherwise. Weeks 8 to 11 are one period with one promotion slot: week 11 is refused.
    let asked = [10, 11, 13];
    for week in 0..m.horizon {
        seat[promo] = Some(if asked.contains(&week) { deepest } else { 0 });
        t.step_with(&seat);
    }
    let r = t.finish();
    let depth = FIXED_SERIES
        .iter()
        .position(|s| *s == "promo_depth")
        .unwrap();
    let played: Vec<f64> = r.series[depth * m.horizon..(depth + 1) * m.horizon].to_vec();
    for (week, d) in played.iter().enumerate() {
        let want = if [10, 13].contains(&week) {
            m.levers[promo].options[deepest]
        } else {
            0.0
        };
        assert_eq!(*d, want, "week {week}");
    }
}

#[test]
fn a_role_sees_what_its_visibility_allows() {
    let m = model("promo_vs_inventory", &[]);
    let mut t = Trial::new(&m, 9, 4);
    for _ in 0..6 {
        t.step();
    }
    let sales = m.roles.iter().position(|r| r.name == "sales").unwrap();
    let v = t.view(sales);
    assert_eq!((v.week, v.week_of_period, v.period_weeks), (6, 3, 4));
    let seen = |sp: &str| {
        v.stock
            .iter()
            .find(|s| s.stock_point == sp)
            .unwrap()
            .clone()
    };
    // The scenario: sales sees its own warehouse now (listed without a delay), the retailer's DC
    // two weeks late, the stores not at all (not listed).
    assert_eq!(seen("warehouse").as_of_week, Some(5));
    assert_eq!(seen("retailer_dc").as_of_week, Some(3));
    assert_eq!(seen("stores").units, None);
    let marketing = m.roles.iter().position(|r| r.name == "marketing").unwrap();
    assert!(
        t.view(marketing).stock.iter().all(|s| s.units.is_none()),
        "marketing lists no stock point and sees none"
    );
    assert!(v
        .levers
        .iter()
        .any(|l| l.name == "promo_depth" && l.options.len() == 4));
    let json = serde_json::to_string(&v).unwrap();
    assert!(
        json.contains("\"pressure\""),
        "a view is a value a page can show: {json}"
    );
}

#[test]
fn the_trace_calls_a_slip_a_slip_and_a_spent_lever_a_spent_lever() {
    // Sales' promotion has one use a period. A participant who asks for the deepest promotion
    // every week gets it once a period; the other weeks the lever keeps its usual value: the
    // game's rules, not the participant's choice and not a slip. The account says which is which.
    let m = model("promo_vs_inventory", &[]);
    let promo = m
        .levers
        .iter()
        .position(|l| l.name == "promo_depth")
        .unwrap();
    let deepest = m.levers[promo].options.len() - 1;
    let mut seat = vec![None; m.levers.len()];
    seat[promo] = Some(deepest);
    let mut t = Trial::new(&m, 1, 0).traced();
    while !t.is_done() {
        t.step_with(&seat);
    }
    let decisions = t.decisions().to_vec();
    let traced = orgsim::sim::trial::Traced {
        decisions,
        result: t.finish(),
    };
    let asked: Vec<_> = traced
        .decisions
        .iter()
        .filter(|d| d.lever == promo)
        .collect();
    assert!(asked.iter().all(|d| d.asked == deepest && d.external));
    let kept = asked.iter().filter(|d| d.chosen != deepest).count();
    let periods = m.horizon.div_ceil(m.period);
    assert!(
        kept >= m.horizon - periods,
        "{kept} of {} weeks kept the usual value",
        m.horizon
    );
    let slips = traced
        .decisions
        .iter()
        .filter(|d| d.asked != d.rule_option && !d.external)
        .count();
    let account = orgsim::writers::trace::account(&m, &traced, None);
    assert_eq!(account.matches("it slipped").count(), slips);
    let all_kept = traced
        .decisions
        .iter()
        .filter(|d| d.asked != d.chosen)
        .count();
    assert_eq!(account.matches("the game's rules kept").count(), all_kept);
}
