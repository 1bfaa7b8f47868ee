//! The supply-chain classics of `docs/classics.md`, played on orgsim's stock-point network
//! (`orgsim::sim::network`), with the numbers a researcher checks them by:
//!
//! ```text
//! cargo run --release --example classics            # 1000 trials
//! cargo run --release --example classics -- 5000    # more trials
//! ```
//!
//! `orgsim run beer_game_classic`, `beer_game` and `bullwhip_order_up_to` play the same
//! networks with files, charts and a report; this program adds what a researcher checks them
//! by: the pooled ratio over trials, the convention side by side, the share within 2%.

use orgsim::sim::network::{
    beer_game, order_up_to, order_up_to_sums, run_network, PassThrough, Policy, BEER_GAME_POINTS,
    STERMAN_FITTED,
};

fn main() {
    let trials: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    beer_game_classic();
    beer_game_monte_carlo(trials);
    bullwhip(trials);
}

fn beer_game_classic() {
    let r = run_network(&beer_game(false, STERMAN_FITTED), 1, 0);
    println!("Beer Game, classic (demand 4, then 8 from week 5; Sterman's fitted θ, α_S, β, S')");
    println!(
        "  {:<12} {:>9} {:>9} {:>10} {:>11}",
        "echelon", "cost", "amp", "stage_amp", "peak (week)"
    );
    let (amp, stage, peak) = (r.amplification(), r.stage_amplification(), r.peak_order());
    for (i, name) in BEER_GAME_POINTS.iter().enumerate() {
        println!(
            "  {name:<12} {:>9.2} {:>9.2} {:>10.2} {:>6.2} ({:>2})",
            r.cost[i], amp[i], stage[i], peak[i].0, peak[i].1
        );
    }
    let simple = run_network(&beer_game(false, pass_through()), 1, 0);
    println!(
        "  total cost {:.2}; ordering exactly what was asked for costs {:.2}\n",
        r.total_cost(),
        simple.total_cost()
    );
}

fn pass_through() -> Policy {
    Policy::OrderUpTo {
        window: 1,
        lead_weeks: 0.0,
        pass_through: PassThrough::Newest,
    }
}

/// Mean and 95% half-width.
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, 1.96 * (v / n).sqrt())
}

fn beer_game_monte_carlo(trials: u64) {
    let net = beer_game(true, STERMAN_FITTED);
    let simple = beer_game(true, pass_through());
    let rs: Vec<_> = (0..trials).map(|t| run_network(&net, 1, t)).collect();
    println!("Beer Game, Monte Carlo (Poisson demand, {trials} trials, mean ± 95% CI)");
    for (i, name) in BEER_GAME_POINTS.iter().enumerate() {
        let amp: Vec<f64> = rs.iter().map(|r| r.amplification()[i]).collect();
        let cost: Vec<f64> = rs.iter().map(|r| r.cost[i]).collect();
        let ((a, ah), (c, ch)) = (mean_ci(&amp), mean_ci(&cost));
        println!("  {name:<12} cost {c:>8.1} ± {ch:<6.1} amp {a:>7.2} ± {ah:.2}");
    }
    let total: Vec<f64> = rs.iter().map(|r| r.total_cost()).collect();
    let ratio: Vec<f64> = (0..trials)
        .map(|t| total[t as usize] / run_network(&simple, 1, t).total_cost())
        .collect();
    let ((c, ch), (q, qh)) = (mean_ci(&total), mean_ci(&ratio));
    println!("  total cost {c:.1} ± {ch:.1}: {q:.2} ± {qh:.2} times pass-through's, paired\n");
}

fn bullwhip(trials: u64) {
    println!(
        "Order-up-to on a p-week moving average, lead L, N(100, 10²) demand, 200 weeks measured"
    );
    println!(
        "  {:>3} {:>3} {:>9} {:>12} {:>8} {:>14} {:>13} {:>11}",
        "p", "L", "timing", "closed form", "pooled", "per-trial mean", "per-trial sd", "within 2%"
    );
    for (p, lead) in [(1, 1), (2, 1), (5, 2), (10, 2), (4, 4), (20, 5)] {
        for pass in [PassThrough::Newest, PassThrough::Previous] {
            let net = order_up_to(p, lead, 200, pass);
            let (pf, lf) = (p as f64, lead as f64);
            let formula = match (pass, p) {
                (PassThrough::Newest, _) => 1.0 + 2.0 * lf / pf + 2.0 * lf * lf / (pf * pf),
                (PassThrough::Previous, 1) => (1.0 - lf).powi(2) + lf * lf,
                (PassThrough::Previous, _) => 1.0 + 2.0 * lf * lf / (pf * pf),
            };
            let sums: Vec<(f64, f64)> = (0..trials)
                .map(|t| order_up_to_sums(&run_network(&net, 7, t), 0, p, pass))
                .collect();
            let pooled =
                sums.iter().map(|s| s.0).sum::<f64>() / sums.iter().map(|s| s.1).sum::<f64>();
            let each: Vec<f64> = sums.iter().map(|(q, d)| q / d).collect();
            let (m, _) = mean_ci(&each);
            let sd = (each.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
                / (each.len() as f64 - 1.0).max(1.0))
            .sqrt();
            let near = each
                .iter()
                .filter(|x| (*x / formula - 1.0).abs() <= 0.02)
                .count();
            let timing = match pass {
                PassThrough::Newest => "standard",
                PassThrough::Previous => "lagged",
            };
            println!(
                "  {p:>3} {lead:>3} {timing:>9} {formula:>12.4} {pooled:>8.4} {m:>14.4} {sd:>13.4} {:>10.1}%",
                100.0 * near as f64 / trials as f64
            );
        }
    }
}
