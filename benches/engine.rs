//! Engine benchmarks: one trial of each built-in scenario, and whole runs on 1 and 2 threads.
//!
//! `cargo bench --bench engine`; whole runs use the library's streaming run (no files).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use orgsim::sim::engine::{run, run_trial, RunConfig};
use std::sync::atomic::AtomicBool;

fn model(name: &str) -> orgsim::scenario::model::Model {
    let source = orgsim::scenario::load::resolve(name).unwrap();
    orgsim::prepare(&source, &[]).unwrap()
}

fn one_trial(c: &mut Criterion) {
    let mut g = c.benchmark_group("trial");
    for b in orgsim::scenario::load::BUILTINS {
        let m = model(b.name);
        let mut i = 0;
        g.bench_function(b.name, |bench| {
            bench.iter(|| {
                i += 1;
                run_trial(&m, 1, i)
            })
        });
    }
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let m = model("promo_vs_inventory");
    let mut g = c.benchmark_group("run_2000_trials");
    g.sample_size(10);
    g.throughput(Throughput::Elements(2_000));
    for threads in [1, 2] {
        g.bench_with_input(
            BenchmarkId::new("threads", threads),
            &threads,
            |bench, &threads| {
                let cfg = RunConfig {
                    seed: 1,
                    trials: 2_000,
                    threads,
                };
                bench.iter(|| {
                    run(&m, &cfg, &mut |_| Ok(()), &|_| {}, &AtomicBool::new(false)).unwrap()
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, one_trial, whole_run);
criterion_main!(benches);
