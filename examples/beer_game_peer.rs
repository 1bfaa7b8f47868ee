//! The whole-process peer of `orgsim run beer_game --threads 1`: the Beer Game with Poisson demand
//! played by the hand-written loop of `benches/beer_game_loop.rs` (checked to the bit against the
//! engine before it is timed), on one thread, with each echelon's cost and the total summarised
//! by their means and standard deviations. No files, no quantiles, no per-week statistics: what a
//! researcher's own script would do, against which the binary's bookkeeping is measured
//! (`scripts/benchmarks.sh`, BENCHMARKS.md).
//!
//! ```text
//! cargo run --release --example beer_game_peer -- 500000
//! ```

#[path = "../benches/beer_game_loop.rs"]
mod beer_game_loop;

use beer_game_loop::{assert_is_the_game, total, yardstick_costs};

fn main() {
    let trials: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    assert_is_the_game(50);
    // Welford's running mean and sum of squared deviations: retailer .. factory, then the total.
    let mut n = 0.0;
    let mut mean = [0.0f64; 5];
    let mut m2 = [0.0f64; 5];
    for t in 0..trials {
        let c = yardstick_costs(1, t);
        let values = [c[0], c[1], c[2], c[3], total(&c)];
        n += 1.0;
        for k in 0..5 {
            let d = values[k] - mean[k];
            mean[k] += d / n;
            m2[k] += d * (values[k] - mean[k]);
        }
    }
    let names = ["retailer", "wholesaler", "distributor", "factory", "total"];
    for k in 0..5 {
        let sd = (m2[k] / (n - 1.0).max(1.0)).sqrt();
        println!("{}: mean cost {:.2}, sd {:.2}", names[k], mean[k], sd);
    }
}
