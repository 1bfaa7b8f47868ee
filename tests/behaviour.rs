//! MODEL.md behaviours 2 to 5 on the built-in promotion scenarios.
//!
//! Each claim is statistical: it is tested on several hundred trials, on common random
//! numbers (trial i of every arm sees the same demand draws), with the tolerance stated
//! next to the assertion. Where a behaviour has a cause, the test also removes the cause
//! and checks that the behaviour moves.

mod common;
use common::*;
use orgsim::metrics::{SeriesLayout, FIXED_SERIES};

fn seed() -> u64 {
    std::env::var("ORGSIM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
}
const N: u64 = 400;

/// Behaviour 2: sales paid on sell-in and procurement on turns, under an ambiguous strategy,
/// give more empty shelves, more waste and far more coordinated divergence than the same
/// organisation with a shared objective, a stated priority and a clear strategy.
#[test]
fn silo_scorecards_empty_shelves_and_both_claim_success() {
    let base = trials(&model("promo_vs_inventory", &[]), seed(), N);
    let aligned = trials(&model("promo_vs_inventory_aligned", &[]), seed(), N);

    let (d, se) = paired(
        &values(&base, "stockout_store_weeks"),
        &values(&aligned, "stockout_store_weeks"),
    );
    let (b, _) = mean_se(&values(&base, "stockout_store_weeks"));
    // Aligned has fewer stockout store-weeks: at least 4 standard errors and 20% of baseline.
    assert!(
        d < -4.0 * se && d < -0.2 * b,
        "stockouts: baseline {b:.1}, paired change {d:.1} (se {se:.1})"
    );

    let waste = |rs: &[orgsim::metrics::TrialResult]| -> Vec<f64> {
        let w = values(rs, "write_off_units");
        let e = values(rs, "ending_inventory_units");
        w.iter().zip(e).map(|(w, e)| w + e).collect()
    };
    let (d, se) = paired(&waste(&base), &waste(&aligned));
    // Write-offs plus stock left at the end: lower when aligned, by at least 3 standard errors.
    assert!(
        d < -3.0 * se,
        "write-off + excess: paired change {d:.1} (se {se:.1})"
    );

    let (cd_base, _) = mean_se(&values(&base, "coordinated_divergence"));
    let (cd_aligned, _) = mean_se(&values(&aligned, "coordinated_divergence"));
    // "A high rate": at least a quarter of baseline trials; aligned at most half of that.
    assert!(cd_base > 0.25, "baseline coordinated divergence {cd_base}");
    assert!(
        cd_aligned < 0.5 * cd_base,
        "aligned {cd_aligned} vs baseline {cd_base}"
    );
}

/// Share of period-week slots `k` (0 = first week of a period) with a promotion, counting
/// only slots where sales' pressure is above its base level (it is behind) if `behind`.
fn promo_share(
    rs: &[orgsim::metrics::TrialResult],
    m: &orgsim::model::Model,
    k: usize,
    behind: bool,
) -> f64 {
    let h = m.horizon;
    let layout = SeriesLayout::new(m);
    let promo = FIXED_SERIES
        .iter()
        .position(|s| *s == "promo_depth")
        .unwrap();
    let sales = m.roles.iter().position(|r| r.name == "sales").unwrap();
    let base = m.roles[sales].behaviour.pressure_base;
    let (mut hits, mut slots) = (0.0, 0.0f64);
    for r in rs {
        for t in (k..h).step_by(m.period) {
            let p = r.series[(layout.pressure + sales) * h + t];
            if behind && p <= base + 1e-9 {
                continue;
            }
            slots += 1.0;
            hits += (r.series[promo * h + t] > 0.0) as u8 as f64;
        }
    }
    hits / slots.max(1.0)
}

/// Behaviour 3: the hockey stick. When sales is behind its pro-rated target, promotions
/// bunch into the last week of the period; take away the bonus's pull and fewer do.
#[test]
fn promotions_bunch_at_period_end_when_sales_is_behind() {
    let m = model("promo_vs_inventory", &[]);
    let rs = trials(&m, seed(), N);
    let first = promo_share(&rs, &m, 0, false);
    let last_behind = promo_share(&rs, &m, m.period - 1, true);
    // Binomial standard errors here are about 0.01 (thousands of slots): 0.1 is a wide margin.
    assert!(
        last_behind > first + 0.1,
        "last week when behind {last_behind:.3} vs first week {first:.3}"
    );

    let calm = model(
        "promo_vs_inventory",
        &[
            "roles.sales.behaviour.pressure_gain=0",
            "roles.sales.behaviour.pressure_base=0",
        ],
    );
    let rs_calm = trials(&calm, seed(), N);
    let last_all = promo_share(&rs, &m, m.period - 1, false);
    let last_calm = promo_share(&rs_calm, &calm, calm.period - 1, false);
    // When the bonus does not pull at all, fewer last-week promotions.
    assert!(
        last_calm < last_all - 0.05,
        "last-week promotions: {last_all:.3} with pressure, {last_calm:.3} without"
    );
}

/// Behaviour 4: a vaguer strategy is read more differently, and coordinated divergence rises.
/// Measured as the trend over ambiguity 0 to 0.8. Near 1 the readings are mostly noise and
/// self-interest: sales over-promotes, misses its own target more often, and divergence falls
/// back a little (the organisation misses more, but fewer of its parts can claim success).
#[test]
fn ambiguity_raises_interpretation_spread_and_divergence() {
    let levels: Vec<f64> = (0..=8).map(|i| i as f64 / 10.0).collect();
    let (mut xs, mut ys, mut spread) = (Vec::new(), Vec::new(), Vec::new());
    for a in &levels {
        let rs = trials(
            &model("promo_vs_inventory", &[&format!("strategy.ambiguity={a}")]),
            seed(),
            N,
        );
        spread.push(mean_se(&values(&rs, "interpretation_spread")).0);
        for y in values(&rs, "coordinated_divergence") {
            xs.push(*a);
            ys.push(y);
        }
    }
    assert!(spread[0] < 1e-12, "no ambiguity, no spread: {spread:?}");
    assert!(
        spread.windows(2).all(|w| w[1] > w[0] + 0.02),
        "spread rises at every step: {spread:?}"
    );
    let (slope, se) = ols_slope(&xs, &ys);
    // Divergence per unit of ambiguity: positive by at least 3 standard errors.
    assert!(
        slope > 3.0 * se,
        "coordinated divergence trend {slope:.3} per unit ambiguity (se {se:.3})"
    );
}

/// Least-squares slope of y on x and its standard error.
fn ols_slope(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let slope = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / sxx;
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - my - slope * (a - mx)).powi(2))
        .sum();
    (slope, (rss / (n - 2.0) / sxx).sqrt())
}

/// Behaviour 5: each intervention, alone, moves the outcome the expected way (profit up, measured
/// trial by trial against the baseline on common random numbers, by at least 3 standard errors).
#[test]
fn interventions_move_the_outcome_in_the_expected_direction() {
    let base = trials(&model("promo_vs_inventory", &[]), seed(), N);
    let shared = r#"org.shared_bonus={"weight":0.5,"scorecard":{"components":[{"metric":"fill_rate","target":0.97,"weight":0.5},{"metric":"chain_contribution","target":8000,"weight":0.5}]}}"#;
    let cases: &[(&str, &str)] = &[
        ("a shared component in every bonus", shared),
        (
            "a stated priority order",
            r#"strategy.priority=["availability","margin","sell_out"]"#,
        ),
        (
            "an exclusion of deep promotions",
            r#"strategy.exclusions=[{"role":"sales","lever":"promo_depth","options":[0.2,0.3]}]"#,
        ),
        ("a consequence for defection", "org.defection_cost=0.5"),
    ];
    for (what, set) in cases {
        let arm = trials(&model("promo_vs_inventory", &[set]), seed(), N);
        let (d, se) = paired(&values(&base, "profit"), &values(&arm, "profit"));
        assert!(d > 3.0 * se, "{what}: profit change {d:.0} (se {se:.0})");
        let (d, se) = paired(
            &values(&base, "stockout_store_weeks"),
            &values(&arm, "stockout_store_weeks"),
        );
        assert!(d < 0.0, "{what}: stockouts change {d:.1} (se {se:.1})");
    }
}

/// Behaviour 5, approvals: when finance signs off warehouse cover changes at once instead of
/// after three weeks, less stock expires and profit does not fall.
#[test]
fn shorter_approval_latency_wastes_less() {
    // A smaller effect than the others: 3 times the trials, and 2.5 standard errors.
    let slow = trials(&model("promo_vs_inventory", &[]), seed(), 3 * N);
    let fast = trials(
        &model(
            "promo_vs_inventory",
            &["roles.procurement.levers.0.approval.latency_weeks=0"],
        ),
        seed(),
        3 * N,
    );
    let (d, se) = paired(
        &values(&slow, "write_off_units"),
        &values(&fast, "write_off_units"),
    );
    assert!(d < -2.5 * se, "write-off change {d:.1} (se {se:.1})");
    let (d, se) = paired(&values(&slow, "profit"), &values(&fast, "profit"));
    assert!(d > -2.0 * se, "profit change {d:.0} (se {se:.0})");
}

/// Randomness by source: an org-design change never moves the demand draws of trial i, so a
/// week with no promotion in either arm sees the same consumer demand in both.
#[test]
fn interventions_leave_demand_draws_where_they_were() {
    let a = model("promo_vs_inventory", &[]);
    let b = model("promo_vs_inventory_aligned", &[]);
    let ra = trials(&a, seed(), 20);
    let rb = trials(&b, seed(), 20);
    let h = a.horizon;
    let demand = FIXED_SERIES
        .iter()
        .position(|s| *s == "consumer_demand")
        .unwrap();
    let promo = FIXED_SERIES
        .iter()
        .position(|s| *s == "promo_depth")
        .unwrap();
    let media = FIXED_SERIES
        .iter()
        .position(|s| *s == "media_spend")
        .unwrap();
    let mut compared = 0;
    for (x, y) in ra.iter().zip(&rb) {
        // Only the first week: later weeks carry promotion dips and media that differ by design.
        let same_mean = x.series[promo * h] == y.series[promo * h]
            && x.series[media * h] == y.series[media * h];
        if same_mean {
            assert_eq!(
                x.series[demand * h],
                y.series[demand * h],
                "trial {}",
                x.trial
            );
            compared += 1;
        }
    }
    assert!(
        compared > 0,
        "no trial with the same week-0 promotion and media in both arms"
    );
}
