//! The yardsticks of issue 15: hand-written, allocation-free loops of the same game with the
//! same decisions and the same random draws, against which the engine is measured.
//!
//! - `beer_game/yardstick`: the Beer Game with Poisson demand (the built-in `beer_game`),
//!   Sterman's fitted players, in fixed arrays: the physical limit of one trial.
//! - `beer_game/engine_trial`: the engine's trial (`run_network`), with its recorded series.
//! - `beer_game/engine_trial_reused`: the same, replayed in one `NetworkTrial` as a run does.
//! - `beer_game/engine_trial_metrics`: the trial and its per-trial metrics, as a run computes them.
//!
//! - `promo_vs_inventory/demand_floor`: the consumer demand of one `promo_vs_inventory` trial
//!   and nothing else, drawn as the engine draws it. No world and no decisions: a floor under
//!   the promotions' own yardstick, against which `trial/promo_vs_inventory` (benches/engine.rs)
//!   is measured.
//!
//! Before measuring, the yardstick is checked against the engine: the same total cost, to the
//! bit, on the first trials. `cargo bench --bench yardstick`; figures in BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use orgsim::sim::network::{beer_game, run_network, NetworkTrial, Scoring, STERMAN_FITTED};
use orgsim::sim::rng::{self, Source};

#[path = "beer_game_loop.rs"]
mod beer_game_loop;
use beer_game_loop::{assert_is_the_game, yardstick_trial, WEEKS};

fn beer_game_benches(c: &mut Criterion) {
    assert_is_the_game(200);
    let spec = beer_game(true, STERMAN_FITTED);
    let scoring = Scoring::new(&spec);
    let mut g = c.benchmark_group("beer_game");
    g.throughput(Throughput::Elements(WEEKS as u64));
    let mut i = 0;
    g.bench_function("yardstick", |b| {
        b.iter(|| {
            i += 1;
            black_box(yardstick_trial(1, i))
        })
    });
    g.bench_function("engine_trial", |b| {
        b.iter(|| {
            i += 1;
            black_box(run_network(&spec, 1, i))
        })
    });
    let mut game = NetworkTrial::new(&spec, 1, 0);
    g.bench_function("engine_trial_reused", |b| {
        b.iter(|| {
            i += 1;
            game.reset(1, i);
            black_box(game.play().total_cost())
        })
    });
    g.bench_function("engine_trial_metrics", |b| {
        b.iter(|| {
            i += 1;
            game.reset(1, i);
            black_box(game.play().metrics(&spec, &scoring))
        })
    });
    g.finish();
}

/// The demand draws of one trial of `model` and nothing else: each store's size from the
/// engine's `StoreSizes` stream, then a Poisson count per store and week, warm-up and scored,
/// from the engine's `Warmup` and `Demand` streams with the engine's sampler (exact inversion,
/// one uniform a draw), at the base demand times size times season. Promotions, media and the
/// dip are left out: a promotion raises the mean, and a larger mean takes more steps to
/// invert, so the engine draws no cheaper than this. Returns the units drawn.
fn demand_floor(model: &orgsim::scenario::model::Model, seed: u64, trial: u64) -> u64 {
    let d = &model.scenario.world.demand;
    let s2 = (1.0 + d.store_size_cv * d.store_size_cv).ln();
    let mut sizes_rng = rng::stream(seed, trial, Source::StoreSizes);
    let mut sizes = [0.0f64; 64];
    let stores = model.scenario.world.stores as usize;
    assert!(
        stores <= sizes.len(),
        "the floor is written for at most 64 stores"
    );
    for s in &mut sizes[..stores] {
        let z = rng::normal_quantile(rng::open01(&mut sizes_rng));
        *s = (s2.sqrt() * z - s2 / 2.0).exp();
    }
    let mut warm = rng::stream(seed, trial, Source::Warmup);
    let mut demand = rng::stream(seed, trial, Source::Demand);
    let mut units = 0;
    for tau in 0..model.warmup + model.horizon {
        let week = tau as f64 - model.warmup as f64;
        let season = 1.0
            + d.season_amplitude
                * (2.0 * std::f64::consts::PI * (week - d.season_peak_week as f64) / 52.0).cos();
        let r = if tau < model.warmup {
            &mut warm
        } else {
            &mut demand
        };
        for s in &sizes[..stores] {
            units += rng::poisson(d.base_per_store * s * season, rng::open01(r));
        }
    }
    units
}

fn promo_floor_benches(c: &mut Criterion) {
    let source = orgsim::scenario::load::resolve("promo_vs_inventory").unwrap();
    let model = orgsim::scenario::load::load(&source, &[]).unwrap();
    let mut g = c.benchmark_group("promo_vs_inventory");
    g.throughput(Throughput::Elements(model.horizon as u64));
    let mut i = 0;
    g.bench_function("demand_floor", |b| {
        b.iter(|| {
            i += 1;
            black_box(demand_floor(&model, 1, i))
        })
    });
    g.finish();
}

criterion_group!(benches, beer_game_benches, promo_floor_benches);
criterion_main!(benches);
