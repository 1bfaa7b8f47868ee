//! Engine benchmarks: one trial of each built-in scenario, and whole runs on 1 and 2 threads.
//!
//! `cargo bench --bench engine`; whole runs use the library's streaming run (no files). The
//! organisation's trials are timed after the playbooks are fitted (`prepare`), so a trial here
//! is what a run pays per trial; the fit's own cost shows in the binary's timings
//! (`scripts/benchmarks.sh`).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use orgsim::run::chunks::RunConfig;
use orgsim::run::organisation::run;
use orgsim::scenario::load::{load_network, resolve, BUILTINS, NETWORK_BUILTINS};
use orgsim::sim::network::{self, NetworkTrial};
use orgsim::sim::trial::run_trial;
use std::sync::atomic::AtomicBool;

fn model(name: &str) -> orgsim::Prepared {
    let source = resolve(name).unwrap();
    let how = orgsim::PrepareConfig {
        threads: 0,
        cancel: &AtomicBool::new(false),
        certify: false,
    };
    orgsim::prepare(&source, &[], &how).unwrap().unwrap()
}

fn network_spec(name: &str) -> network::NetworkSpec {
    load_network(&resolve(name).unwrap(), &[])
        .unwrap()
        .scenario
        .network
}

fn one_trial(c: &mut Criterion) {
    let mut g = c.benchmark_group("trial");
    for b in BUILTINS {
        let m = model(b.name);
        let mut i = 0;
        g.bench_function(b.name, |bench| {
            bench.iter(|| {
                i += 1;
                run_trial(&m, 1, i)
            })
        });
    }
    for b in NETWORK_BUILTINS {
        let spec = network_spec(b.name);
        let mut game = NetworkTrial::new(&spec, 1, 0);
        let mut i = 0;
        g.bench_function(b.name, |bench| {
            bench.iter(|| {
                i += 1;
                game.reset(1, i);
                black_box(game.play().total_cost())
            })
        });
    }
    g.finish();
}

fn threads(c: &mut Criterion, group: &str, trials: u64, mut run_once: impl FnMut(&RunConfig)) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.throughput(Throughput::Elements(trials));
    for threads in [1, 2] {
        let cfg = RunConfig {
            seed: 1,
            trials,
            threads,
        };
        g.bench_with_input(BenchmarkId::new("threads", threads), &cfg, |bench, cfg| {
            bench.iter(|| run_once(cfg))
        });
    }
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let m = model("promo_vs_inventory");
    threads(c, "run_2000_trials", 2_000, |cfg| {
        run(&m, cfg, &mut |_| Ok(()), &|_| {}, &AtomicBool::new(false)).unwrap();
    });
    let spec = network_spec("beer_game");
    threads(c, "beer_game_run_20000_trials", 20_000, |cfg| {
        orgsim::run::network::run(
            &spec,
            cfg,
            &mut |_| Ok(()),
            &|_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    });
}

criterion_group!(benches, one_trial, whole_run);
criterion_main!(benches);
