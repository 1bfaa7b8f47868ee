//! Behaviour 6 of docs/model.md, the launch story, on the built-in `launch`: sell-in delivered on
//! time (sales claims success) while the media campaign airs late and the retailer serves far
//! fewer stores than were shipped for, and sell-out falls far below plan. Behaviour 0 holds for
//! every role with a lever, and the issue's interventions (a shorter approval, a shared launch
//! calendar, a scorecard on sell-out) move the outcome the expected way.
//!
//! Every comparison is paired on common random numbers (trial i of every arm sees the same
//! demand, store sizes and launch calendar) and states its tolerance.

use crate::common::*;
use orgsim::scenario::playbook::Rule;

const SEED: u64 = 5;
const N: u64 = 400;

fn share(xs: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    xs.iter().filter(|x| keep(**x)).count() as f64 / xs.len() as f64
}

fn role_col(
    rs: &[orgsim::stats::metrics::TrialResult],
    m: &orgsim::scenario::model::Model,
    role: &str,
    k: usize,
) -> Vec<f64> {
    let r = m.roles.iter().position(|x| x.name == role).unwrap();
    rs.iter().map(|t| t.roles[r][k]).collect()
}

#[test]
fn sales_claims_the_launch_while_media_is_late_and_the_shelves_are_half_empty() {
    let m = model("launch", &[]);
    let rs = trials(&m, SEED, N);
    // Sales: the load-in reached the retailer, complete; it claims success in nearly every trial.
    let claims = role_col(&rs, &m, "sales", 2);
    assert!(
        share(&claims, |c| c > 0.5) >= 0.9,
        "sales claims {}",
        share(&claims, |c| c > 0.5)
    );
    // The campaign airs after shelf day in most trials (about 3 in 4).
    let late = values(&rs, "media_weeks_late");
    assert!(
        share(&late, |w| w > 0.0) >= 0.6,
        "late in {}",
        share(&late, |w| w > 0.0)
    );
    // The retailer serves half its stores or fewer: the company shipped for all 1,000.
    let (served, _) = mean_se(&values(&rs, "stores_served_share"));
    assert!(served <= 0.6, "stores served {served}");
    // Sell-out far below plan, in every trial.
    let sold = values(&rs, "sell_out_vs_plan");
    let (mean, se) = mean_se(&sold);
    assert!(mean + 4.0 * se < 0.8, "sell-out {mean} ± {se} of plan");
    // And the organisation misses its launch while sales and marketing both claim success.
    let (cd, _) = mean_se(&values(&rs, "coordinated_divergence"));
    assert!(cd >= 0.5, "coordinated divergence {cd}");
}

/// Behaviour 0 on the launch: against every constant policy for its own levers, each role's own
/// decisions earn it at least as much (the 95% interval of own - constant never lies wholly
/// below zero, 1000 paired trials), and its projection of its payout is unbiased (four of the
/// fit's standard errors, 64 trials). The retailer's allocation is its best choice, not a slip.
#[test]
fn each_launch_role_plays_its_own_game_well() {
    const PAIRED: u64 = 1000;
    let m = model("launch", &[]);
    assert!(m.playbook.converged);
    let own = trials(&m, SEED, PAIRED);
    for (r, role) in m.roles.iter().enumerate() {
        if role.levers.is_empty() {
            continue;
        }
        let mine: Vec<f64> = own.iter().map(|t| t.roles[r][1]).collect();
        for combo in orgsim::sim::fit::constants(&m, r) {
            let mut alt = m.clone();
            for (&j, &o) in role.levers.iter().zip(&combo) {
                alt.playbook.rules[j] = Rule::constant(o);
            }
            let theirs: Vec<f64> = trials(&alt, SEED, PAIRED)
                .iter()
                .map(|t| t.roles[r][1])
                .collect();
            let (d, se) = paired(&theirs, &mine);
            assert!(
                d + 1.96 * se >= 0.0,
                "{} earns {d:.4} (se {se:.4}) less by its own decisions than by always playing {combo:?}",
                role.name
            );
        }
        let (bias, _) = mean_se(&own.iter().map(|t| t.roles[r][3]).collect::<Vec<_>>());
        let (_, se_pay) = mean_se(&mine);
        let sd = se_pay * (PAIRED as f64).sqrt();
        assert!(
            bias.abs() < 4.0 * sd / 8.0 + 0.005,
            "{} projection bias {bias:.4}",
            role.name
        );
    }
}

/// Paired difference (arm - base) of a metric, as (mean, standard error).
fn moved(
    base: &[orgsim::stats::metrics::TrialResult],
    arm: &[orgsim::stats::metrics::TrialResult],
    metric: &str,
) -> (f64, f64) {
    paired(&values(base, metric), &values(arm, metric))
}

#[test]
fn a_faster_approval_or_a_shared_calendar_puts_the_campaign_on_time() {
    let base = trials(&model("launch", &[]), SEED, N);
    for arm in [
        r#"world.launch.approval_weeks={"min":0,"max":1}"#,
        r#"world.launch.notice_weeks={"min":6,"max":8}"#,
    ] {
        let rs = trials(&model("launch", &[arm]), SEED, N);
        let (late, se) = moved(&base, &rs, "media_weeks_late");
        assert!(
            late + 4.0 * se < -1.5,
            "{arm}: lateness moved {late} ± {se}"
        );
        let (sold, se) = moved(&base, &rs, "sell_out_vs_plan");
        assert!(
            sold - 4.0 * se > 0.02,
            "{arm}: sell-out moved {sold} ± {se}"
        );
    }
}

#[test]
fn the_retailer_serves_more_stores_when_paid_on_sell_out_and_fewer_when_its_label_earns_more() {
    let base = trials(&model("launch", &[]), SEED, N);
    let served = |sets: &[&str]| {
        let rs = trials(&model("launch", sets), SEED, N);
        (mean_se(&values(&rs, "stores_served_share")).0, rs)
    };
    let (b, _) = mean_se(&values(&base, "stores_served_share"));
    // A scorecard on sell-out for the retailer: it serves every store, and sell-out rises.
    let (on_sell_out, rs) = served(&[
        r#"roles.retailer.scorecard.components=[{"metric":"sell_out_units","target":{"plan":1.0},"weight":1}]"#,
    ]);
    assert!(on_sell_out > b + 0.2, "served {b} -> {on_sell_out}");
    let (sold, se) = moved(&base, &rs, "sell_out_vs_plan");
    assert!(sold - 4.0 * se > 0.1, "sell-out moved {sold} ± {se}");
    // The cause moved both ways: the private label's margin on the shelf space.
    let (richer, _) = served(&["world.launch.private_label_margin=15"]);
    let (poorer, _) = served(&["world.launch.private_label_margin=9"]);
    assert!(richer < b && b < poorer, "served {poorer} > {b} > {richer}");
}

#[test]
fn the_launch_story_survives_changes_that_should_not_matter() {
    // Half or twice the stores, a sales target moved 5%, a retailer target moved 10%: the same
    // allocation, sell-out still far below plan, sales still claiming success.
    for sets in [
        &["world.stores=500"][..],
        &["world.stores=2000"],
        &[r#"roles.sales.scorecard.components.0.target={"plan":0.95}"#],
        &[r#"roles.retailer.scorecard.components.0.target={"plan":1.1}"#],
    ] {
        let m = model("launch", sets);
        let rs = trials(&m, SEED, 200);
        let (served, _) = mean_se(&values(&rs, "stores_served_share"));
        let (sold, _) = mean_se(&values(&rs, "sell_out_vs_plan"));
        let claims = role_col(&rs, &m, "sales", 2);
        assert!(served <= 0.6, "{sets:?}: served {served}");
        assert!(sold < 0.8, "{sets:?}: sell-out {sold}");
        assert!(share(&claims, |c| c > 0.5) >= 0.9, "{sets:?}");
    }
}
