//! The start-up test of the warm-up: how many unscored weeks a trial needs before its first
//! scored period looks like the later ones.
//!
//! ```text
//! cargo run --release --example warmup            # 400 trials a setting
//! cargo run --release --example warmup -- 1000    # more
//! cargo run --release --example warmup -- 400 launch okr_offsite   # some scenarios only
//! ```
//!
//! Every trial opens with stock and pipelines at the plan's levels, not where the roles' rules
//! would keep them; the unscored warm-up lets them settle. For each built-in organisation
//! scenario, with the playbook fitted at its own settings held fixed, at 10 and 400 stores and
//! several warm-ups (rounded up to whole periods, as the model does), this prints the share of
//! store-weeks out of stock in the first scored period, against the same period after a warm-up
//! of two years. The comparison is with the same period, not with the later ones, because demand
//! is seasonal: the calendar starts at the first scored week whatever the warm-up, so only the
//! start-up differs. The test passes where the two are within 1.2x of each other, or both below
//! 0.1% of store-weeks.

use orgsim::run::chunks::RunConfig;
use orgsim::run::organisation::run;
use orgsim::scenario::load;
use orgsim::stats::metrics::series_names;
use std::sync::atomic::AtomicBool;

fn main() {
    let trials: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(400);
    let only: Vec<String> = std::env::args().skip(2).collect();
    println!("scenario | stores | warm-up weeks | first period | after 104 weeks | ratio | scored weeks, against 104 | passes");
    println!("---|---|---|---|---|---|---|---");
    for name in load::BUILTINS.iter().map(|b| b.name) {
        let source = load::resolve(name).expect("a built-in");
        if load::is_network(&source) || !(only.is_empty() || only.iter().any(|o| o == name)) {
            continue;
        }
        let how = orgsim::PrepareConfig {
            threads: 0,
            cancel: &AtomicBool::new(false),
            certify: false,
        };
        let fitted = orgsim::prepare(&source, &[], &how)
            .expect("a built-in prepares")
            .expect("never cancelled");
        for stores in [10, 400] {
            let mut reference = None;
            let mut seen = Vec::new();
            for warm in [104, 0, 4, 8, 13, 26, 52] {
                let sets = [
                    format!("world.stores={stores}"),
                    format!("warmup_weeks={warm}"),
                ];
                let loaded = orgsim::run::prepare::load(&source, &sets).expect("a built-in loads");
                let warmup = loaded.model().warmup;
                if seen.contains(&warmup) {
                    continue; // rounded up to the same whole periods
                }
                seen.push(warmup);
                let planned = match loaded.plan() {
                    Ok(planned) => planned,
                    Err(e) => {
                        println!("{name} | {stores} | {warmup} | refused: {e} | | | |");
                        continue;
                    }
                };
                // Every warm-up plays the playbook fitted at the default: what is measured is
                // the start-up, not a refit.
                let model = planned.remembered(fitted.playbook.clone());
                let (first, all) = stockout_shares(&model, trials);
                let (ref_first, ref_all) = *reference.get_or_insert((first, all));
                let ratio = first / ref_first.max(1e-12);
                let passes = (1.0 / 1.2..=1.2).contains(&ratio) || first.max(ref_first) < 1e-3;
                println!(
                    "{name} | {stores} | {} | {:.2}% | {:.2}% | {ratio:.2} | {:.2} | {}",
                    model.warmup,
                    100.0 * first,
                    100.0 * ref_first,
                    all / ref_all.max(1e-12),
                    if passes { "yes" } else { "no" }
                );
            }
        }
    }
}

/// The mean share of store-weeks out of stock in the first scored period, and in all of them.
fn stockout_shares(model: &orgsim::Prepared, trials: u64) -> (f64, f64) {
    let cfg = RunConfig {
        seed: 1,
        trials,
        threads: 0,
    };
    let agg = run(
        model,
        &cfg,
        &mut |_| Ok(()),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("the run completes");
    let s = series_names(model)
        .iter()
        .position(|n| n == "stockout_rate")
        .expect("every scenario has the series");
    let weekly: Vec<f64> = (0..model.horizon)
        .map(|t| agg.series_at(s, t).moments.mean())
        .collect();
    let p = model.period.max(1);
    let mean = |w: &[f64]| w.iter().sum::<f64>() / w.len().max(1) as f64;
    (mean(&weekly[..p]), mean(&weekly))
}
