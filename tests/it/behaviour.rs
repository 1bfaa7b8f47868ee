//! docs/model.md behaviours 0 and 2 to 5 on the built-in promotion scenarios.
//!
//! Each claim is statistical: it is tested on hundreds or thousands of trials, on common random
//! numbers (trial i of every arm sees the same demand draws), with the tolerance stated next to
//! the assertion. Where a behaviour has a cause, the test also moves the cause and checks that
//! the behaviour moves.

use crate::common::*;
use orgsim::scenario::model::Model;
use orgsim::scenario::playbook::Rule;
use orgsim::stats::metrics::{SeriesLayout, TrialResult, FIXED_SERIES};

fn seed() -> u64 {
    std::env::var("ORGSIM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
}
const N: u64 = 400;

/// Per-trial values of a role's per-trial metric (0 attainment, 1 payout, 2 claims, 3 bias).
fn role_values(rs: &[TrialResult], m: &Model, role: &str, k: usize) -> Vec<f64> {
    let r = m.roles.iter().position(|x| x.name == role).unwrap();
    rs.iter().map(|t| t.roles[r][k]).collect()
}

/// Behaviour 0: each role executes well by its own scorecard. Against every constant policy for
/// its own levers (the other roles unchanged), on 2000 paired trials at the scenario's
/// temperature, the role's own decisions are never worse on its own payout: the 95% interval
/// of (own - constant) never lies wholly below zero. Sales, whose gaming is the story, beats
/// its best constant policy outright. Its projections of its own payout are unbiased.
#[test]
fn each_role_executes_well_by_its_own_scorecard() {
    const PAIRED: u64 = 2000;
    for name in ["promo_vs_inventory", "promo_vs_inventory_aligned"] {
        let m = model(name, &[]);
        assert!(m.playbook.converged, "{name}: the fit did not settle");
        let own = trials(&m, seed(), PAIRED);
        for (r, role) in m.roles.iter().enumerate() {
            if role.levers.is_empty() {
                continue;
            }
            let mine: Vec<f64> = own.iter().map(|t| t.roles[r][1]).collect();
            // The smallest lower bound of (own - constant) over all constant policies.
            let mut best = f64::MAX;
            let mut worst = (Vec::new(), 0.0, 0.0);
            for combo in orgsim::sim::fit::constants(&m, r) {
                let mut alt = m.clone();
                for (&j, &o) in role.levers.iter().zip(&combo) {
                    alt.playbook.rules[j] = Rule::constant(o);
                }
                let rs = trials(&alt, seed(), PAIRED);
                let theirs: Vec<f64> = rs.iter().map(|t| t.roles[r][1]).collect();
                let (d, se) = paired(&theirs, &mine);
                assert!(
                    d + 1.96 * se >= 0.0,
                    "{name}: {} earns {d:.4} (se {se:.4}) less by its own decisions than by always playing {combo:?}",
                    role.name
                );
                if d - 1.96 * se < best {
                    best = d - 1.96 * se;
                    worst = (combo.clone(), d, se);
                }
            }
            eprintln!(
                "{name}: {} against its closest constant policy {:?}: {:+.4} ± {:.4} payout",
                role.name,
                worst.0,
                worst.1,
                1.96 * worst.2
            );
            // In the story's scenario (not the aligned one, where sales plays a steady promotion).
            if role.name == "sales" && name == "promo_vs_inventory" {
                // A clear margin: even the lower end of the interval against the best constant is above 0.02.
                assert!(
                    best > 0.02,
                    "{name}: sales beats its best constant policy by only {best:.4} (lower 95% bound)"
                );
            }
            // Projection bias: the fit's expected payout less what was paid. The fit's estimate
            // comes from 64 trials, so its own standard error is sd / 8; allow four of those.
            let (bias, _) = mean_se(&own.iter().map(|t| t.roles[r][3]).collect::<Vec<_>>());
            let (_, se_pay) = mean_se(&mine);
            let sd = se_pay * (PAIRED as f64).sqrt();
            assert!(
                bias.abs() < 4.0 * sd / 8.0 + 0.005,
                "{name}: {} projection bias {bias:.4} (payout sd {sd:.3})",
                role.name
            );
        }
    }
}

/// Behaviour 2: sales paid on sell-in, procurement on turns and the retailer on its own margin,
/// under an ambiguous strategy, give emptier shelves and far more coordinated divergence than
/// the same organisation with half of every bonus on availability and contribution.
#[test]
fn silo_scorecards_empty_shelves_and_both_claim_success() {
    let base = trials(&model("promo_vs_inventory", &[]), seed(), N);
    let aligned = trials(&model("promo_vs_inventory_aligned", &[]), seed(), N);

    let (d, se) = paired_on(&base, &aligned, "stockout_store_weeks");
    let (b, _) = mean_se(&values(&base, "stockout_store_weeks"));
    // Aligned has fewer stockout store-weeks: at least 4 standard errors and 30% of baseline.
    assert!(
        d < -4.0 * se && d < -0.3 * b,
        "stockouts: baseline {b:.1}, paired change {d:.1} (se {se:.1})"
    );
    let (d, se) = paired_on(&base, &aligned, "on_shelf_availability");
    // Fuller shelves when aligned, by at least 4 standard errors ...
    assert!(
        d > 4.0 * se,
        "availability: paired change {d:.4} (se {se:.4})"
    );
    let (d, se) = paired_on(&base, &aligned, "profit");
    // ... and they are not bought with profit: the aligned organisation earns at least as much
    // (the change is not below zero by 2 standard errors).
    assert!(d > -2.0 * se, "profit: paired change {d:.0} (se {se:.0})");

    let (cd_base, _) = mean_se(&values(&base, "coordinated_divergence"));
    let (cd_aligned, _) = mean_se(&values(&aligned, "coordinated_divergence"));
    // "A high rate": over a third of baseline trials; aligned at most half of that.
    assert!(cd_base > 0.35, "baseline coordinated divergence {cd_base}");
    assert!(
        cd_aligned < 0.5 * cd_base,
        "aligned {cd_aligned} vs baseline {cd_base}"
    );
    let (gap_d, gap_se) = paired_on(&base, &aligned, "divergence_gap");
    assert!(
        gap_d < -4.0 * gap_se,
        "divergence gap: paired change {gap_d:.3} (se {gap_se:.3})"
    );
}

/// Mean promotion depth in each week of the period (0 = first), over the periods in which
/// `keep` holds for sales' standing at mid-period (its pressure series: 0 when on or ahead of
/// its pro-rated target, positive when behind).
fn depth_by_week(rs: &[TrialResult], m: &Model, keep: impl Fn(f64) -> bool) -> (Vec<f64>, usize) {
    let h = m.horizon;
    let layout = SeriesLayout::new(m);
    let promo = FIXED_SERIES
        .iter()
        .position(|s| *s == "promo_depth")
        .unwrap();
    let sales = m.roles.iter().position(|r| r.name == "sales").unwrap();
    let mid = m.period / 2;
    let mut sum = vec![0.0; m.period];
    let mut periods = 0;
    for r in rs {
        for start in (0..h).step_by(m.period) {
            if start + m.period > h {
                continue;
            }
            if !keep(r.series[(layout.pressure + sales) * h + start + mid]) {
                continue;
            }
            periods += 1;
            for (k, s) in sum.iter_mut().enumerate() {
                *s += r.series[promo * h + start + k];
            }
        }
    }
    (
        sum.iter().map(|s| s / periods.max(1) as f64).collect(),
        periods,
    )
}

/// Behaviour 3: the hockey stick. Where sales is behind its pro-rated target at mid-period,
/// promotions pile up towards the period end, not in an every-other-week sawtooth; where it is
/// ahead (its target moved 20% lower, the cause), they do not.
#[test]
fn promotions_ramp_to_the_period_end_when_sales_is_behind() {
    let m = model("promo_vs_inventory", &[]);
    let rs = trials(&m, seed(), N);
    let (behind, n) = depth_by_week(&rs, &m, |p| p > 0.0);
    assert!(n > 1000, "periods behind at mid-period: {n}");
    // A ramp, not a sawtooth: nothing in the first half of the period (the promotion is held
    // back until the deadline nears), and the second half at least 0.05 deeper on average
    // (mean depths are about 0.1 at most; standard errors with thousands of periods are below
    // 0.005). One promotion slot a period: once used, the last week cannot promote again.
    let half = m.period / 2;
    let first: f64 = behind[..half].iter().sum::<f64>() / half as f64;
    let second: f64 = behind[half..].iter().sum::<f64>() / (m.period - half) as f64;
    assert!(
        first < 0.01,
        "promotions early in the period when behind: {behind:?}"
    );
    assert!(second > first + 0.05, "no ramp when behind: {behind:?}");

    let easy = model(
        "promo_vs_inventory",
        &[r#"roles.sales.scorecard.components.0.target={"plan":0.8}"#],
    );
    let rs = trials(&easy, seed(), N);
    let (ahead, n) = depth_by_week(&rs, &easy, |p| p == 0.0);
    assert!(n > 300, "periods ahead at mid-period: {n}");
    let late: f64 = ahead[half..].iter().sum::<f64>() / (m.period - half) as f64;
    assert!(late < 0.02, "promotions still ramp when ahead: {ahead:?}");
}

/// Behaviour 4, the part this version shows: a vaguer strategy is read more differently.
/// (Coordinated divergence does not yet rise with ambiguity: roles play fitted rules, and the
/// strategy as they read it weighs little against their bonus. See docs/model.md's note in the README.)
#[test]
fn ambiguity_raises_interpretation_spread() {
    let mut spread = Vec::new();
    for a in [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] {
        let m = model("promo_vs_inventory", &[&format!("strategy.ambiguity={a}")]);
        let rs = trials(&m, seed(), 100);
        spread.push(mean_se(&values(&rs, "interpretation_spread")).0);
    }
    assert!(spread[0] < 1e-12, "no ambiguity, no spread: {spread:?}");
    assert!(
        spread.windows(2).all(|w| w[1] > w[0] + 0.02),
        "spread rises at every step: {spread:?}"
    );
}

/// Behaviour 5: interventions on incentives move the outcome the expected way, trial by trial
/// against the baseline on common random numbers: availability up by at least 3 standard errors.
#[test]
fn interventions_move_the_outcome_in_the_expected_direction() {
    let base = trials(&model("promo_vs_inventory", &[]), seed(), N);
    let shared = r#"org.shared_bonus={"weight":0.5,"scorecard":{"components":[{"metric":"on_shelf_availability","target":{"plan":0.99},"weight":0.7},{"metric":"chain_contribution","target":{"plan":1.0},"weight":0.3}]}}"#;
    let cases: &[(&str, &str)] = &[
        ("a shared component in every bonus", shared),
        (
            "an exclusion of deep promotions",
            r#"strategy.exclusions=[{"role":"sales","lever":"promo_depth","options":[0.2,0.3]}]"#,
        ),
        (
            "a clawback when the strategy is missed",
            "org.defection_cost=10",
        ),
    ];
    for (what, set) in cases {
        let arm = trials(&model("promo_vs_inventory", &[set]), seed(), N);
        let (d, se) = paired_on(&base, &arm, "on_shelf_availability");
        assert!(
            d > 3.0 * se,
            "{what}: availability change {d:.4} (se {se:.4})"
        );
    }
}

/// Randomness by source: a different decision never moves the demand draws of trial i. The
/// retailer holding three times the store cover changes stock and stockouts, but (with promotions
/// and media held fixed, so the demand mean is the same) every week's consumer demand is drawn
/// from the same uniforms, so it is identical.
#[test]
fn a_different_decision_leaves_demand_draws_where_they_were() {
    // Sales and marketing play constants (and never follow the deck past their cap), so no
    // decision feeds back into the demand mean.
    let mut a = model("promo_vs_inventory", &[]);
    for j in 0..a.levers.len() {
        let owner = &a.roles[a.levers[j].role].name;
        if owner == "sales" || owner == "marketing" {
            a.playbook.rules[j] = Rule::constant(a.playbook.rules[j].base);
        }
    }
    for role in a.roles.iter_mut() {
        if role.name == "sales" || role.name == "marketing" {
            role.behaviour.deck_weight = 0.0;
        }
    }
    let mut b = a.clone();
    let retailer = b.roles.iter().position(|r| r.name == "retailer").unwrap();
    let cover = *b.roles[retailer]
        .levers
        .iter()
        .find(|&&j| b.levers[j].name == "store_cover")
        .unwrap();
    b.playbook.rules[cover] = Rule::constant(b.levers[cover].options.len() - 1);
    let ra = trials(&a, seed(), 50);
    let rb = trials(&b, seed(), 50);
    let h = a.horizon;
    let demand = FIXED_SERIES
        .iter()
        .position(|s| *s == "consumer_demand")
        .unwrap();
    let (sa, sb) = (
        values(&ra, "stockout_store_weeks"),
        values(&rb, "stockout_store_weeks"),
    );
    assert_ne!(sa, sb, "the decision changed nothing");
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(
            x.series[demand * h..(demand + 1) * h],
            y.series[demand * h..(demand + 1) * h],
            "trial {}",
            x.trial
        );
    }
}

/// Targets from a plan: other prices, played with the same rules, leave attainment, payout, claims of success, coordinated
/// divergence and the divergence gap where they were, within sampling error; 10x the stores
/// leave every role's attainment there. (Claims and divergence are thresholds on trial means,
/// payout is a kinked curve of attainment, and the gap reads the worst-met strategy target:
/// with 10x the stores each trial is less noisy, so a role whose expected attainment is just
/// above 1 claims success in nearly every trial, one near its cap is paid a little more, and the
/// gap moves from 0.29 to 0.40. Open, in the issue's note. Twice the horizon, or 49 weeks,
/// do not yet: there the fit settles in another equilibrium, a steady promotion or stocked
/// shelves, and divergence falls. Open, in the issue's note. The short last period's
/// pro-rating itself is tested in `engine`.)
#[test]
fn plan_relative_targets_keep_their_meaning_across_scale() {
    let base = trials(&model("promo_vs_inventory", &[]), seed(), N);
    // (what, overrides, trials, whether rates of claims and divergence are compared too)
    let variants: &[(&str, &[&str], u64, bool)] = &[
        (
            "other prices",
            &["world.prices.shelf_price=6", "world.prices.list_price=4.2"],
            N,
            true,
        ),
        ("ten times the stores", &["world.stores=400"], N / 4, false),
    ];
    let m0 = model("promo_vs_inventory", &[]);
    for (what, sets, n, rates) in variants {
        let mut mv = model("promo_vs_inventory", sets);
        if *rates {
            // Other prices, the same rules: what is tested is the targets' meaning, not which of
            // the climb's equilibria a refit lands in. (Refitted, sales lands in another one, a
            // steady 10% promotion, paid 0.06 less: the fit's path dependence, in docs/model.md.)
            mv.playbook = m0.playbook.clone();
        }
        let rs = trials(&mv, seed(), *n);
        for role in ["sales", "procurement", "retailer"] {
            // Payout and attainment within 4 standard errors of the difference, or 0.05 (a target
            // moved 5%); a role's claims of success within 0.1. Procurement's turns sit far above
            // its cap, where attainment may drift without changing its pay: its attainment is
            // held to 0.1.
            for (k, what_k, floor) in [
                (1, "payout", 0.05),
                (0, "attainment", 0.05),
                (2, "claims", 0.1),
            ] {
                // Across store counts, attainment only (see the doc comment).
                if k != 0 && !rates {
                    continue;
                }
                let floor = if role == "procurement" && k == 0 {
                    0.1
                } else {
                    floor
                };
                let (a0, s0) = mean_se(&role_values(&base, &m0, role, k));
                let (a1, s1) = mean_se(&role_values(&rs, &mv, role, k));
                eprintln!("{what}: {role} {what_k} {a0:.3} -> {a1:.3}");
                let tol = (4.0 * (s0 * s0 + s1 * s1).sqrt()).max(floor);
                assert!(
                    (a1 - a0).abs() < tol,
                    "{what}: {role} {what_k} {a0:.3} -> {a1:.3} (tolerance {tol:.3})"
                );
            }
        }
        let (c0, _) = mean_se(&values(&base, "coordinated_divergence"));
        let (c1, _) = mean_se(&values(&rs, "coordinated_divergence"));
        eprintln!("{what}: coordinated divergence {c0:.3} -> {c1:.3}");
        // The rate: within 0.1 (binomial standard errors here are about 0.02 to 0.04).
        assert!(
            !rates || (c1 - c0).abs() < 0.1,
            "{what}: coordinated divergence {c0:.3} -> {c1:.3}"
        );
        let (g0, s0) = mean_se(&values(&base, "divergence_gap"));
        let (g1, s1) = mean_se(&values(&rs, "divergence_gap"));
        let tol = (4.0 * (s0 * s0 + s1 * s1).sqrt()).max(0.05);
        eprintln!("{what}: divergence gap {g0:.3} -> {g1:.3}");
        assert!(
            !rates || (g1 - g0).abs() < tol,
            "{what}: divergence gap {g0:.3} -> {g1:.3} (tolerance {tol:.3})"
        );
    }
}

/// The continuous measure moves smoothly with a target: moving sales' target in steps of 5%
/// moves the divergence gap by steps of about the same size, never by a cliff.
#[test]
fn divergence_gap_moves_smoothly_with_a_target() {
    let mut gaps = Vec::new();
    for f in [0.9, 0.95, 1.0, 1.05, 1.1] {
        let m = model(
            "promo_vs_inventory",
            &[&format!(
                r#"roles.sales.scorecard.components.0.target={{"plan":{f}}}"#
            )],
        );
        let rs = trials(&m, seed(), N);
        gaps.push(mean_se(&values(&rs, "divergence_gap")).0);
    }
    eprintln!("divergence gap at sales' target 0.9 to 1.1 x plan: {gaps:?}");
    // Each target refits every playbook, so the gap need not be monotone; but a 5% step never
    // moves it by more than 0.1 (a cliff would be a jump of the rate's size, up to 1), and the
    // gap stays positive: the claimants stand above the strategy all along.
    for w in gaps.windows(2) {
        assert!((w[0] - w[1]).abs() < 0.1, "gap jumps: {gaps:?}");
    }
    assert!(gaps.iter().all(|g| *g > 0.0), "{gaps:?}");
}

/// No start-up artefact: after the warm-up, the first period's share of stockouts is within 1.5x
/// of the later periods' average share.
#[test]
fn the_opening_stock_does_not_decide_the_outcome() {
    let m = model("promo_vs_inventory", &[]);
    let rs = trials(&m, seed(), N);
    let h = m.horizon;
    let rate = FIXED_SERIES
        .iter()
        .position(|s| *s == "stockout_rate")
        .unwrap();
    let periods = h / m.period;
    let mut per_period = vec![0.0; periods];
    for r in &rs {
        for t in 0..periods * m.period {
            per_period[t / m.period] += r.series[rate * h + t];
        }
    }
    let later = per_period[1..].iter().sum::<f64>() / (periods - 1) as f64;
    assert!(
        per_period[0] <= 1.5 * later,
        "first period {:.1} vs later periods' average {later:.1}",
        per_period[0]
    );
    // And the opening cover no longer decides whether the strategy is met.
    let met = |cover: f64| {
        let m = model(
            "promo_vs_inventory",
            &[&format!("world.chain.stores.initial_cover_weeks={cover}")],
        );
        mean_se(&values(&trials(&m, seed(), N), "on_shelf_availability")).0
    };
    let (a, b) = (met(1.0), met(3.0));
    assert!(
        (a - b).abs() < 0.005,
        "availability with opening cover 1: {a}, 3: {b}"
    );
}

/// The world is calibrated so that promotions and media are worth something to the
/// organisation: the question is when and how deep, not whether. The best constant plan (each
/// lever at one option throughout, found one lever at a time on 200 paired trials) promotes and
/// advertises, and earns more than the plan. Printed: where the baseline and the
/// aligned organisation stand against it.
#[test]
fn promotions_and_media_are_worth_something_to_the_organisation() {
    const TRIALS: u64 = 200;
    let m = model("promo_vs_inventory", &[]);
    let profit = |rules: &[Rule]| {
        let mut alt = m.clone();
        alt.playbook.rules = rules.to_vec();
        values(&trials(&alt, seed(), TRIALS), "profit")
    };
    let mut best: Vec<Rule> = (0..m.levers.len())
        .map(|j| Rule::constant(m.levers[j].initial_index()))
        .collect();
    let plan = profit(&best);
    let mut best_profit = plan.clone();
    for _round in 0..2 {
        for j in 0..m.levers.len() {
            for o in 0..m.levers[j].options.len() {
                let mut cand = best.clone();
                cand[j] = Rule::constant(o);
                let p = profit(&cand);
                if mean_se(&p).0 > mean_se(&best_profit).0 {
                    best = cand;
                    best_profit = p;
                }
            }
        }
    }
    let option = |name: &str| {
        let j = m.levers.iter().position(|l| l.name == name).unwrap();
        m.levers[j].options[best[j].base]
    };
    let (d, se) = paired(&plan, &best_profit);
    eprintln!(
        "best constant plan: {:?}; profit {:.0} against the plan's {:.0}",
        m.levers
            .iter()
            .zip(&best)
            .map(|(l, r)| format!("{}={}", l.name, l.options[r.base]))
            .collect::<Vec<_>>(),
        mean_se(&best_profit).0,
        mean_se(&plan).0
    );
    for name in ["promo_vs_inventory", "promo_vs_inventory_aligned"] {
        let rs = trials(&model(name, &[]), seed(), TRIALS);
        eprintln!(
            "{name}: profit {:.0}, on-shelf availability {:.3}",
            mean_se(&values(&rs, "profit")).0,
            mean_se(&values(&rs, "on_shelf_availability")).0
        );
    }
    assert!(
        option("promo_depth") > 0.0,
        "the best constant plan never promotes"
    );
    assert!(
        option("media_spend") > 0.0,
        "the best constant plan never advertises"
    );
    assert!(
        d > 3.0 * se,
        "best constant plan earns {d:.0} (se {se:.0}) over the plan"
    );
}

/// Behaviour 0's certificate moves with its cause: procurement, fitted to keep the warehouse
/// lean, has no deviation in its rule family that gains two paired standard errors out of
/// sample; made to hold six weeks of cover instead (the others unchanged), the certificate
/// finds the way back, with a gain far outside its interval.
#[test]
fn the_certificate_finds_money_a_role_leaves_on_the_table() {
    use orgsim::sim::certificate::certify_role;
    let m = model("promo_vs_inventory", &[]);
    let p = m
        .roles
        .iter()
        .position(|r| r.name == "procurement")
        .unwrap();
    let j = m.roles[p].levers[0];
    let fitted = certify_role(&m, p);
    let d = fitted.best.expect("procurement has a lever");
    assert!(
        !d.beats_playbook(),
        "fitted procurement gains {:.4} (se {:.4}) by {:?}",
        d.gain,
        d.se,
        d.changes
    );
    assert!(fitted.searched >= m.levers[j].options.len().pow(2));

    let mut lazy = m.clone();
    let widest = m.levers[j].options.len() - 1;
    lazy.playbook.rules[j] = Rule::constant(widest);
    let d = certify_role(&lazy, p)
        .best
        .expect("procurement has a lever");
    assert!(
        d.beats_playbook() && d.gain > 0.05,
        "procurement at {} weeks of cover: best deviation gains only {:.4} (se {:.4})",
        m.levers[j].options[widest],
        d.gain,
        d.se
    );
    assert!(d.changes.iter().all(|(lever, _)| *lever == j));
}

/// The fit's races find what its climb misses. Fitted by the climb alone, the retailer leaves
/// money on the table (its certificate finds a rule that gains more than two paired standard
/// errors, out of sample); with one race of every role's whole rule family (`fit_races`), the
/// certificate finds none, on trials neither the fit nor its race saw.
#[test]
fn racing_the_rule_families_makes_the_retailer_a_best_response() {
    use orgsim::sim::certificate::certify_role;
    let climbed = model("promo_vs_inventory", &[]);
    let r = climbed
        .roles
        .iter()
        .position(|x| x.name == "retailer")
        .unwrap();
    let d = certify_role(&climbed, r).best.unwrap();
    assert!(
        d.beats_playbook(),
        "the climb's retailer already plays a best response ({:.4}, se {:.4}): this test no longer moves its cause",
        d.gain,
        d.se
    );
    let raced = model("promo_vs_inventory", &["fit_races=1"]);
    let d = certify_role(&raced, r).best.unwrap();
    assert!(
        !d.beats_playbook(),
        "after a race the retailer still gains {:.4} (se {:.4}) by {:?}",
        d.gain,
        d.se,
        d.changes
    );
}

/// Uncertain lift (`world.demand.lift_spread`), with the playbook held fixed: at spread 0 every
/// promotion lifts exactly as expected and none flops; at 0.8 the realised lift varies from
/// trial to trial around 1 (its mean is the elasticity's expectation), and the stock bought for
/// promotions that flop is written off. The demand draws are the same in both worlds: the lift
/// has its own stream.
#[test]
fn uncertain_lift_makes_flops_whose_stock_ages() {
    let spread = model("promo_vs_inventory", &["world.demand.lift_spread=0.8"]);
    let mut exact = spread.clone();
    exact.scenario.world.demand.lift_spread = 0.0;
    let a = trials(&exact, seed(), N);
    let b = trials(&spread, seed(), N);
    let promos = values(&b, "promo_weeks");
    assert!(promos.iter().all(|p| *p > 0.0), "the fitted sales promotes");
    assert!(values(&a, "promo_lift_realised").iter().all(|l| *l == 1.0));
    assert!(values(&a, "write_off_after_flops")
        .iter()
        .all(|w| *w == 0.0));
    let (lift, lift_se) = mean_se(&values(&b, "promo_lift_realised"));
    let sd = lift_se * (N as f64).sqrt();
    // Per trial, about a dozen promotions at log-sd 0.8: a trial's mean lift has sd near 0.25.
    assert!(sd > 0.1, "realised lift hardly varies: sd {sd:.3}");
    assert!(
        (lift - 1.0).abs() < 4.0 * lift_se + 0.02,
        "mean lift {lift:.3} (se {lift_se:.3})"
    );
    let (d, se) = paired_on(&a, &b, "write_off_after_flops");
    assert!(
        d > 4.0 * se && d > 0.0,
        "write-offs after flops: +{d:.0} (se {se:.0})"
    );
}

/// Out-of-stocks split by week: every stockout store-week is in a promotion week or another one,
/// and in the shipped scenario promotion weeks are far worse than the others.
#[test]
fn stockouts_split_into_promotion_weeks_and_other_weeks() {
    let m = model("promo_vs_inventory", &[]);
    let rs = trials(&m, seed(), 200);
    let nodes = m.stores as f64;
    for r in &rs {
        let g = |k: &str| r.metrics[orgsim::stats::metrics::metric(k)];
        let promo = g("promo_weeks");
        let split = g("oos_promo_weeks") * nodes * promo
            + g("oos_other_weeks") * nodes * (m.horizon as f64 - promo);
        assert!(
            (split - g("stockout_store_weeks")).abs() < 1e-6,
            "trial {}: {split} against {}",
            r.trial,
            g("stockout_store_weeks")
        );
    }
    let (p, _) = mean_se(&values(&rs, "oos_promo_weeks"));
    let (o, _) = mean_se(&values(&rs, "oos_other_weeks"));
    assert!(
        p > 2.0 * o + 0.01,
        "promotion weeks {p:.4}, other weeks {o:.4}"
    );
}

/// A trade-spend budget on sales' scorecard (`trade_rate`) makes a promotion cost sales
/// something: the tighter the budget, the less sales spends on deals.
#[test]
fn a_trade_budget_makes_sales_spend_less_on_deals() {
    let card = |budget: f64| {
        format!(
            r#"roles.sales.scorecard.components=[{{"metric":"sell_in_revenue","target":{{"plan":1.0}},"weight":0.7}},{{"metric":"trade_rate","target":{budget},"weight":0.3}}]"#
        )
    };
    let loose = trials(&model("promo_vs_inventory", &[&card(0.2)]), seed(), N);
    let tight = trials(&model("promo_vs_inventory", &[&card(0.02)]), seed(), N);
    let (d, se) = paired_on(&loose, &tight, "trade_spend");
    let (base, _) = mean_se(&values(&loose, "trade_spend"));
    assert!(
        d < -4.0 * se && d < -0.2 * base,
        "trade spend: {base:.0} with a loose budget, paired change {d:.0} (se {se:.0}) with a tight one"
    );
}

/// Ordinary out-of-stocks have an ordinary cause (`world.store_order_miss`): with the playbook
/// held fixed, stores that miss a tenth of their weekly orders run out in ordinary weeks far
/// more often, trial by trial on the same demand.
#[test]
fn missed_store_orders_empty_shelves_in_ordinary_weeks() {
    let m = model("promo_vs_inventory", &[]);
    let mut missing = m.clone();
    missing.scenario.world.store_order_miss = 0.1;
    let a = trials(&m, seed(), 200);
    let b = trials(&missing, seed(), 200);
    let (d, se) = paired_on(&a, &b, "oos_other_weeks");
    assert!(
        d > 4.0 * se && d > 0.01,
        "ordinary-week out-of-stocks: +{d:.4} (se {se:.4})"
    );
}

/// The strategy has a voice where the bonus is quiet: a role that follows the deck past its cap
/// (`behaviour.follow_deck_past_cap`, here on for every role) plays the option its reading of the
/// strategy prefers once its bonus is flat. With the fitted playbook held fixed, so that only the
/// readings move: a clear strategy (ambiguity 0, every role reads the stated weights) against
/// an ambiguous one (1, each role reads its own scorecard and noise into it), trial by trial on
/// the same demand, moves what sales promotes and how many shelves empty; a stated priority
/// (availability, then margin, then sell-out) moves them too; and with no weight on the deck
/// nothing follows it. Tolerance: 4 paired standard errors on 400 trials.
#[test]
fn ambiguity_and_priority_move_what_roles_past_their_cap_do() {
    let mut base = model("promo_vs_inventory", &[]);
    base.roles
        .iter_mut()
        .for_each(|r| r.behaviour.follow_deck_past_cap = true);
    let with = |f: &dyn Fn(&mut Model)| {
        let mut m = base.clone();
        f(&mut m);
        trials(&m, seed(), N)
    };
    let clear = with(&|m| m.scenario.strategy.ambiguity = 0.0);
    let vague = with(&|m| m.scenario.strategy.ambiguity = 1.0);
    for metric in ["promo_weeks", "stockout_store_weeks"] {
        let (d, se) = paired(&values(&clear, metric), &values(&vague, metric));
        assert!(
            d.abs() > 4.0 * se,
            "{metric}: ambiguity 0 to 1 moves it by {d:.3} (se {se:.3})"
        );
    }
    let stated = trials(&base, seed(), N);
    let ordered = with(&|m| m.priority = vec![2, 1, 0]);
    let (d, se) = paired_on(&stated, &ordered, "stockout_store_weeks");
    assert!(
        d < -4.0 * se,
        "availability first: stockouts move by {d:.2} (se {se:.2})"
    );
    // No weight on the deck: the readings no longer act, whatever the ambiguity.
    let deaf = |a: f64| {
        with(&|m: &mut Model| {
            m.scenario.strategy.ambiguity = a;
            m.roles
                .iter_mut()
                .for_each(|r| r.behaviour.deck_weight = 0.0);
        })
    };
    assert_eq!(
        values(&deaf(0.0), "stockout_store_weeks"),
        values(&deaf(1.0), "stockout_store_weeks"),
        "with deck_weight 0 ambiguity acted"
    );
}

/// Decision rights are real: the approver decides each request by its own fitted rule.
/// Procurement's warehouse cover (3 weeks in the plan) approved by finance, paid on the chain's
/// contribution, is cut to 1 week as procurement's turns ask; approved by sales, who needs stock
/// for its promotions, the cut is refused and shelves stay fuller, trial by trial; approved by
/// procurement itself, there is no gate at all. With the playbooks held fixed, an approver that
/// refuses every request counts its refusals and keeps the cover (and the holding cost) up, and
/// a longer approval latency delays what a pushing rule does. Tolerance: 4 paired standard errors.
#[test]
fn who_approves_and_how_long_it_takes_change_what_happens() {
    let by = |role: &str| {
        model(
            "promo_vs_inventory",
            &[&format!("roles.procurement.levers.0.approval.by={role}")],
        )
    };
    assert!(
        by("procurement").levers.iter().all(|l| l.gate.is_none()),
        "a role approving itself has no gate"
    );
    let finance = by("finance");
    let sales = by("sales");
    let (a, b) = (trials(&finance, seed(), N), trials(&sales, seed(), N));
    let (d, se) = paired_on(&a, &b, "stockout_store_weeks");
    assert!(
        d < -4.0 * se,
        "stockouts, approved by sales rather than finance: {d:.1} (se {se:.1})"
    );
    // Held fixed: procurement asks for 1 week every week, and finance refuses every request.
    let gate = finance
        .levers
        .iter()
        .position(|l| l.approves.is_some())
        .unwrap();
    let cover = finance.levers[gate].approves.unwrap();
    let mut asks = finance.clone();
    asks.playbook.rules[cover] = Rule::constant(0);
    asks.playbook.rules[gate] = Rule::constant(1);
    let mut strict = asks.clone();
    strict.playbook.rules[gate] = Rule::constant(0);
    let (a, b) = (trials(&asks, seed(), N), trials(&strict, seed(), N));
    let (refused, _) = mean_se(&values(&b, "requests_refused"));
    assert!(
        values(&a, "requests_refused").iter().all(|x| *x == 0.0)
            && refused >= asks.horizon as f64 - 1.0,
        "refusals: {refused} a trial from a strict approver"
    );
    let (d, se) = paired_on(&a, &b, "holding_cost");
    assert!(
        d > 4.0 * se,
        "holding cost under a strict approver: {d:.1} (se {se:.1})"
    );
    // Latency delays what a rule that moves does. Procurement, far ahead of its turns target,
    // never pushes; sales' fitted promotions late in a period, approved at once or 4 weeks on
    // (then they land early in the next period, on stock ordered for ordinary weeks).
    let promo = finance.promo_lever.unwrap();
    let mut prompt = finance.clone();
    prompt.levers[promo].latency = 0;
    let mut slow = finance.clone();
    slow.levers[promo].latency = 4;
    let (d, se) = paired(
        &values(&trials(&prompt, seed(), N), "stockout_store_weeks"),
        &values(&trials(&slow, seed(), N), "stockout_store_weeks"),
    );
    assert!(
        d.abs() > 4.0 * se,
        "latency 0 to 4 weeks: stockouts move {d:.2} (se {se:.2})"
    );
}

/// Trade loading is its own story (`trade_loading`). Paid on sell-in against a quarterly quota,
/// sales (its rules raced, and certified in every run) pushes stock into the retailer in the
/// quarter's last weeks: sell-in runs far above sell-out there, and below it at the next
/// quarter's start, while the retailer's centre sells the load off. Paid on sell-out instead
/// (the cause moved), the quarter-end load is gone (sales then spends its one load a quarter in
/// the quarter's first week, where it moves no quota). Per trial, units of sell-in less
/// sell-out in the weeks a load lands (the quarter's 11th and 12th of 13) and in the three that
/// follow; tolerance: 4 standard errors.
#[test]
fn a_quarterly_sell_in_quota_loads_the_retailer_at_the_quarter_end() {
    let swings = |m: &Model| -> (Vec<f64>, Vec<f64>) {
        let h = m.horizon;
        let at = |name: &str| FIXED_SERIES.iter().position(|s| *s == name).unwrap();
        let (sell_in, sell_out) = (at("sell_in"), at("sell_out"));
        let rs = trials(m, seed(), 200);
        let gap =
            |r: &TrialResult, t: usize| r.series[sell_in * h + t] - r.series[sell_out * h + t];
        let (mut end, mut start) = (Vec::new(), Vec::new());
        for r in &rs {
            let (mut e, mut s) = (0.0, 0.0);
            // The load lands in the quarter's second-to-last week or the one before it; the
            // retailer's orders fall away in the quarter's last week and the next one's first two.
            for t in 0..h {
                match t % m.period {
                    k if k + 3 == m.period || k + 2 == m.period => e += gap(r, t),
                    k if k + 1 == m.period || k < 2 => s += gap(r, t),
                    _ => {}
                }
            }
            end.push(e);
            start.push(s);
        }
        (end, start)
    };
    let paper = model("trade_loading", &[]);
    let (end, start) = swings(&paper);
    let (e, se) = mean_se(&end);
    let (s, ss) = mean_se(&start);
    assert!(
        e > 4.0 * se && e > 1000.0 && s < -4.0 * ss,
        "sell-in less sell-out: {e:.0} (se {se:.0}) where loads land, {s:.0} (se {ss:.0}) after"
    );
    let honest = model(
        "trade_loading",
        &[r#"roles.sales.scorecard.components.0.metric="sell_out_units""#],
    );
    let (end_honest, _) = swings(&honest);
    let (d, sd) = paired(&end, &end_honest);
    assert!(
        d < -4.0 * sd && mean_se(&end_honest).0 < 0.25 * e,
        "paid on sell-out, the quarter-end load moves by {d:.0} (se {sd:.0})"
    );
}
