//! The Beer Game with Poisson demand and Sterman's fitted players, hand-written in fixed arrays:
//! the yardstick the engine is measured against (`benches/yardstick.rs`) and the whole-process
//! peer a run is timed against (`examples/beer_game_peer.rs`). Shared by both through `#[path]`,
//! so there is one copy of the loop.

use orgsim::sim::network::{beer_game, run_network, STERMAN_FITTED};
use orgsim::sim::rng::{self, Source};

/// Weeks of the game.
pub const WEEKS: usize = 36;

/// One trial of the Beer Game in fixed arrays. Returns each echelon's cost (retailer first).
pub fn yardstick_costs(seed: u64, trial: u64) -> [f64; 4] {
    let (theta, alpha, beta, s_star) = (0.36, 0.26, 0.34, 17.0);
    let mut inv = [12.0f64; 4];
    let mut back = [0.0f64; 4];
    // Mail: [0] is read next; the factory's request waits 1 week, the others' 2.
    let mut mail = [[4.0f64; 2]; 4];
    let mail_len = [2usize, 2, 2, 1];
    let mut ship = [[4.0f64; 2]; 4];
    let mut expected = [4.0f64; 4];
    let mut supply = [16.0f64, 16.0, 16.0, 12.0];
    let mut cost = [0.0f64; 4];
    let mut incoming = [0.0f64; 4];
    let mut rng = rng::stream(seed, trial, Source::Demand);
    for w in 1..=WEEKS {
        for i in 0..4 {
            let a = ship[i][0];
            inv[i] += a;
            supply[i] -= a;
            ship[i] = [ship[i][1], 0.0];
        }
        let mean = if w < 5 { 4.0 } else { 8.0 };
        let d = rng::poisson(mean, rng::open01(&mut rng)) as f64;
        incoming[0] = d;
        for i in 1..4 {
            incoming[i] = mail[i - 1][0];
        }
        for i in 0..4 {
            let due = back[i] + incoming[i];
            let sent = if inv[i] < due { inv[i] } else { due };
            inv[i] -= sent;
            back[i] = due - sent;
            if i > 0 {
                ship[i - 1][1] = sent;
            }
        }
        ship[3][1] = mail[3][0];
        for i in 0..4 {
            cost[i] += 0.5 * inv[i] + 1.0 * back[i];
        }
        for i in 0..4 {
            if mail_len[i] == 2 {
                mail[i] = [mail[i][1], 0.0];
            } else {
                mail[i][0] = 0.0;
            }
        }
        for i in 0..4 {
            expected[i] = theta * incoming[i] + (1.0 - theta) * expected[i];
            let stock = inv[i] - back[i];
            let x = expected[i] + alpha * ((s_star - stock) - (beta * supply[i]));
            let order = if x > 0.0 { x } else { 0.0 };
            supply[i] += order;
            mail[i][mail_len[i] - 1] = order;
        }
    }
    cost
}

/// The echelons' costs summed in order, as the engine sums them.
pub fn total(costs: &[f64; 4]) -> f64 {
    costs.iter().fold(0.0, |a, c| a + c)
}

/// One trial's total cost.
pub fn yardstick_trial(seed: u64, trial: u64) -> f64 {
    total(&yardstick_costs(seed, trial))
}

/// Panics unless the loop is the engine's game: the same total cost, to the bit, on trials
/// `0..trials` of seed 1. Checked before the loop is timed.
pub fn assert_is_the_game(trials: u64) {
    let spec = beer_game(true, STERMAN_FITTED);
    for t in 0..trials {
        let engine = run_network(&spec, 1, t).total_cost();
        assert_eq!(
            yardstick_trial(1, t),
            engine,
            "trial {t}: the hand-written loop is not the game"
        );
    }
}
