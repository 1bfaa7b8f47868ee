//! Behaviour 8 of MODEL.md: the supply-chain classics hold on the stock-point network
//! (`orgsim::sim::network`), played by the rules of `../shared/CLASSICS.md`.
//!
//! - The order-up-to bullwhip case measures the closed form of Chen, Drezner, Ryan &
//!   Simchi-Levi (2000) over several (p, L), and the `lagged` off-by-one its own ratio.
//! - In the Beer Game, Sterman's heuristic amplifies order variance upstream, swings from
//!   backlog to surplus, and costs far more than a simple benchmark on the same demand.
//! - Moving the cause (the weight β the players give their supply line) moves the effect.
//!
//! Every statistical claim is paired on common random numbers (trial `t` of every variant sees
//! the same demand) and states its tolerance.

use orgsim::sim::network::{
    order_up_to_sums, run_network, Network, NetworkResult, PassThrough, Policy, STERMAN_FITTED,
};

/// Pooled ratio `Σ SS(q) / Σ SS(D)` over `trials` trials of `measured` weeks each.
fn pooled_ratio(p: usize, lead: usize, pass: PassThrough, trials: u64) -> f64 {
    let net = Network::order_up_to(p, lead, 200, pass);
    let (mut q, mut d) = (0.0, 0.0);
    for t in 0..trials {
        let (sq, sd) = order_up_to_sums(&run_network(&net, 7, t), p, pass);
        q += sq;
        d += sd;
    }
    q / d
}

#[test]
fn order_up_to_on_a_moving_average_gives_the_closed_form() {
    // 400 trials x 200 measured weeks = 80,000 order-weeks per (p, L). The sample variance of
    // that many weeks has a relative standard error near 0.5% (more where orders are strongly
    // autocorrelated, at small p), so 2.5% is about five standard errors.
    for (p, lead) in [(1, 1), (2, 1), (5, 2), (10, 2), (4, 4), (20, 5)] {
        let (pf, lf) = (p as f64, lead as f64);
        let formula = 1.0 + 2.0 * lf / pf + 2.0 * lf * lf / (pf * pf);
        let measured = pooled_ratio(p, lead, PassThrough::Newest, 400);
        assert!(
            (measured / formula - 1.0).abs() < 0.025,
            "p {p}, L {lead}: measured {measured:.4}, closed form {formula:.4}"
        );
    }
}

#[test]
fn the_lagged_convention_measures_its_own_smaller_ratio() {
    // The counter-check: passing through a demand one week older than the newest in the
    // window gives 1 + 2L²/p² (p >= 2), (1 - L)² + L² for p = 1: it must measure that, and not
    // the standard ratio, so the two conventions cannot be confused.
    for (p, lead) in [(1, 1), (2, 1), (5, 2), (4, 4)] {
        let (pf, lf) = (p as f64, lead as f64);
        let formula = if p == 1 {
            (1.0 - lf).powi(2) + lf * lf
        } else {
            1.0 + 2.0 * lf * lf / (pf * pf)
        };
        let standard = 1.0 + 2.0 * lf / pf + 2.0 * lf * lf / (pf * pf);
        let measured = pooled_ratio(p, lead, PassThrough::Previous, 400);
        assert!(
            (measured / formula - 1.0).abs() < 0.025,
            "p {p}, L {lead}: measured {measured:.4}, lagged closed form {formula:.4}"
        );
        assert!(measured < 0.9 * standard, "p {p}, L {lead}");
    }
}

#[test]
fn a_longer_lead_time_or_a_shorter_window_amplifies_more() {
    // The cause moved both ways, on the same demand.
    let base = pooled_ratio(5, 2, PassThrough::Newest, 100);
    assert!(pooled_ratio(5, 4, PassThrough::Newest, 100) > base * 1.3);
    assert!(pooled_ratio(2, 2, PassThrough::Newest, 100) > base * 1.3);
    assert!(pooled_ratio(20, 2, PassThrough::Newest, 100) < base * 0.8);
}

fn classic() -> NetworkResult {
    run_network(&Network::beer_game(false, STERMAN_FITTED), 1, 0)
}

#[test]
fn the_classic_game_is_deterministic_and_ignores_the_seed() {
    let a = classic();
    assert_eq!(
        a,
        run_network(&Network::beer_game(false, STERMAN_FITTED), 99, 5)
    );
    assert_eq!(a.demand[..4], [4.0; 4]);
    assert!(a.demand[4..].iter().all(|&d| d == 8.0));
    assert_eq!(a.orders.len(), 4);
    assert_eq!(a.demand.len(), 36);
}

#[test]
fn the_classic_amplifies_orders_upstream_and_the_factory_peaks_late() {
    let r = classic();
    let amp = r.amplification();
    for i in 1..4 {
        assert!(amp[i] > amp[i - 1], "amplification {amp:?}");
    }
    // A step of 4 in customer demand becomes a factory order peak several times its size, weeks
    // after the step (week 5): the wave travels up the chain.
    let (peak, week) = r.peak_order()[3];
    assert!(peak > 8.0 + 3.0 * 4.0, "factory peak {peak}");
    assert!(week > 5 + 8, "factory peak in week {week}");
    // Stage amplification from one echelon to the next is above 1 at every stage.
    assert!(r.stage_amplification().iter().all(|&s| s > 1.0));
}

#[test]
fn the_classic_swings_from_backlog_to_surplus() {
    // Sterman's oscillation: every echelon runs into backlog after the step, then overshoots
    // into more stock than it wanted (S' = 17) once the orders it panicked into arrive; the
    // factory's orders boom, then stop.
    let r = classic();
    for i in 0..4 {
        let net: Vec<f64> = (0..36)
            .map(|w| r.inventory[i][w] - r.backlog[i][w])
            .collect();
        let first_short = net.iter().position(|&s| s < 0.0);
        let short = first_short.unwrap_or_else(|| panic!("echelon {i} never short: {net:?}"));
        assert!(
            net[short..].iter().any(|&s| s > 17.0),
            "echelon {i} never overshoots after its backlog: {net:?}"
        );
    }
    let factory = &r.orders[3];
    let (peak, week) = r.peak_order()[3];
    assert!(factory[week..].contains(&0.0), "{factory:?} {peak}");
}

/// Pass-through: each echelon orders exactly what it was asked for (a moving average of one
/// week, lead 0): the simplest policy that does not amplify.
fn pass_through() -> Policy {
    Policy::OrderUpTo {
        window: 1,
        lead: 0.0,
        pass_through: PassThrough::Newest,
    }
}

fn paired_mean(diffs: &[f64]) -> (f64, f64) {
    let n = diffs.len() as f64;
    let m = diffs.iter().sum::<f64>() / n;
    let v = diffs.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (n - 1.0);
    (m, 1.96 * (v / n).sqrt())
}

#[test]
fn sterman_players_cost_far_more_than_passing_orders_through() {
    // On the classic board and on 1000 Poisson trials paired on the same demand, the fitted
    // heuristic costs more than twice what passing orders through costs. (Sterman reports
    // player costs about ten times his benchmark; pass-through is a weaker benchmark.)
    let sterman = classic().total_cost();
    let simple = run_network(&Network::beer_game(false, pass_through()), 1, 0).total_cost();
    assert!(sterman > 2.5 * simple, "{sterman} vs {simple}");
    let (a, b) = (
        Network::beer_game(true, STERMAN_FITTED),
        Network::beer_game(true, pass_through()),
    );
    let diffs: Vec<f64> = (0..1000)
        .map(|t| {
            let (x, y) = (run_network(&a, 5, t), run_network(&b, 5, t));
            assert_eq!(x.demand, y.demand, "trial {t}: demand is common to both");
            x.total_cost() - 2.0 * y.total_cost()
        })
        .collect();
    let (m, half) = paired_mean(&diffs);
    assert!(m - half > 0.0, "cost - 2 x benchmark: {m:.1} ± {half:.1}");
}

#[test]
fn random_demand_amplifies_upstream_in_almost_every_trial() {
    // Poisson demand adds noise the heuristic amplifies: amplification grows from each echelon
    // to the next in at least 95% of 1000 trials (about 99% measured).
    let net = Network::beer_game(true, STERMAN_FITTED);
    let rising = (0..1000)
        .filter(|&t| {
            let a = run_network(&net, 2, t).amplification();
            a.windows(2).all(|w| w[1] > w[0])
        })
        .count();
    assert!(rising >= 950, "{rising} of 1000");
}

#[test]
fn counting_the_supply_line_damps_the_factory_wave() {
    // Sterman's diagnosis: players under-weight the orders they already placed (β = 0.34 < 1).
    // Raising β damps the factory's amplification; ignoring the supply line (β = 0) worsens
    // it. Paired over 500 trials, each step of β moves the factory's log amplification the
    // expected way with a 95% interval clear of 0.
    let with_beta = |beta: f64| Policy::Sterman {
        theta: 0.36,
        alpha_s: 0.26,
        beta,
        desired_stock: 17.0,
    };
    let amp3 = |beta: f64| -> Vec<f64> {
        let net = Network::beer_game(true, with_beta(beta));
        (0..500)
            .map(|t| run_network(&net, 4, t).amplification()[3].ln())
            .collect()
    };
    let (none, fitted, full) = (amp3(0.0), amp3(0.34), amp3(1.0));
    for (lo, hi, what) in [(&fitted, &none, "0.34 -> 0"), (&full, &fitted, "1 -> 0.34")] {
        let d: Vec<f64> = hi.iter().zip(lo.iter()).map(|(h, l)| h - l).collect();
        let (m, half) = paired_mean(&d);
        assert!(
            m - half > 0.0,
            "β {what}: log amplification up {m:.3} ± {half:.3}"
        );
    }
}

#[test]
fn monte_carlo_demand_has_the_documented_means() {
    // Poisson with mean 4 for weeks 1-4 and 8 from week 5: over 2000 trials the weekly means
    // are within 4 standard errors.
    let net = Network::beer_game(true, STERMAN_FITTED);
    let n = 2000;
    let mut sums = vec![0.0; 36];
    for t in 0..n {
        for (s, d) in sums.iter_mut().zip(run_network(&net, 8, t).demand) {
            *s += d;
        }
    }
    for (w, s) in sums.iter().enumerate() {
        let mean = if w < 4 { 4.0 } else { 8.0 };
        let se = (mean / n as f64).sqrt();
        assert!(
            (s / n as f64 - mean).abs() < 4.0 * se,
            "week {}: {}",
            w + 1,
            s / n as f64
        );
    }
}
