//! An organisation scenario's run: its trials on the run's threads (see [`crate::run::chunks`]),
//! each checked for numbers the statistics cannot hold, folded into an [`Aggregate`].

use crate::error::{Error, Result};
use crate::run::chunks::{run_chunks, RunConfig, Shard, CHUNK};
use crate::run::prepare::Prepared;
use crate::scenario::model::Model;
use crate::sim::trial::run_trial;
use crate::stats::metrics::{Aggregate, TrialResult, GLOBAL_METRICS, VALUE_LIMIT};
use std::sync::atomic::AtomicBool;

/// Runs all trials of a prepared model in parallel; calls `on_trial` for each in trial order (with its
/// series dropped) and `progress` after each batch. Stops early, with
/// [`Error::Interrupted`], once `cancel` is set.
pub fn run(
    model: &Prepared,
    cfg: &RunConfig,
    on_trial: &mut (dyn FnMut(&TrialResult) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Aggregate> {
    let all = Shard { index: 0, count: 1 };
    run_shard(model, cfg, all, on_trial, progress, cancel)
}

/// [`run`], for the trials of one [`Shard`] only.
pub fn run_shard(
    model: &Prepared,
    cfg: &RunConfig,
    shard: Shard,
    on_trial: &mut (dyn FnMut(&TrialResult) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<Aggregate> {
    let model = model.model();
    let chunks = shard.chunks(cfg.trials);
    let total = Aggregate::new(model);
    let run = |c| run_chunk(model, cfg, c);
    run_chunks(cfg, chunks, total, &run, on_trial, progress, cancel)
}

fn run_chunk(model: &Model, cfg: &RunConfig, chunk: u64) -> Result<(Aggregate, Vec<TrialResult>)> {
    let mut agg = Aggregate::new(model);
    let first = chunk * CHUNK;
    let last = (first + CHUNK).min(cfg.trials);
    let mut rows = Vec::with_capacity((last - first) as usize);
    for i in first..last {
        let mut r = run_trial(model, cfg.seed, i);
        finite(model, &r)?;
        agg.add(&r);
        r.series = Vec::new();
        rows.push(r);
    }
    Ok((agg, rows))
}

/// A trial whose numbers a run cannot summarise is an error naming the number, never a silent 0,
/// a clamp or a wrapped sum in the files: a metric that came out non-finite, a metric or series
/// value beyond [`VALUE_LIMIT`], or units capped at [`crate::sim::world::UNITS_LIMIT`].
pub fn finite(model: &Model, r: &TrialResult) -> Result<()> {
    let too_large = |what: String| Error::TooLarge {
        what,
        trial: r.trial,
        hint: None,
    };
    if let Some(e) = r.capped {
        return Err(units_capped(model, e, r.trial));
    }
    let globals = GLOBAL_METRICS.iter().map(|m| m.to_string()).zip(&r.metrics);
    let roles = model.roles.iter().zip(&r.roles).flat_map(|(role, v)| {
        crate::stats::metrics::ROLE_METRICS
            .iter()
            .zip(v)
            .map(move |(m, x)| (format!("{}_{m}", role.name), x))
    });
    let beyond = |v: f64| v.abs() > VALUE_LIMIT;
    let mut metrics = globals.chain(roles);
    if let Some((metric, &value)) = metrics.find(|(_, v)| !v.is_finite() || beyond(**v)) {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                metric,
                value,
                trial: r.trial,
            });
        }
        return Err(too_large(beyond_words(format!("metric '{metric}'"), value)));
    }
    // Series values are bounded by the metrics they add up to, but are summarised too.
    if let Some(i) = r.series.iter().position(|v| !v.is_finite() || beyond(*v)) {
        let (s, t) = (i / model.horizon, i % model.horizon);
        let name = &crate::stats::metrics::series_names(model)[s];
        let what = format!("series '{name}' in week {}", t + 1);
        return Err(too_large(beyond_words(what, r.series[i])));
    }
    Ok(())
}

fn units_capped(model: &Model, e: usize, trial: u64) -> Error {
    let (copies, each) = match model.chain[e].per_store {
        true => (model.stores, " a store"),
        false => (1, ""),
    };
    let share = crate::sim::world::UNITS_LIMIT as f64 / copies as f64;
    Error::TooLarge {
        what: format!(
            "the orders or consumer demand of stock point '{}' in one week passed {share:.1e} \
             units{each}, the most orgsim counts exactly",
            model.chain[e].name
        ),
        trial,
        hint: Some(
            "demand, season, media and promotion uplift, covers and lead times multiply past any \
             real market: check base_per_store, stores, promo_elasticity and max_uplift"
                .into(),
        ),
    }
}

fn beyond_words(what: String, v: f64) -> String {
    if !v.is_finite() {
        return format!("{what} is {v}, not a finite number");
    }
    format!("{what} is {v:e}, beyond {VALUE_LIMIT:.1e}, the largest value orgsim's statistics hold exactly")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::metrics::metric;

    fn model() -> Model {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        crate::scenario::load::load(&source, &["world.stores=3".into()]).unwrap()
    }

    #[test]
    fn a_non_finite_metric_is_an_error_naming_it() {
        let m = model();
        let mut r = run_trial(&m, 1, 0);
        assert!(finite(&m, &r).is_ok());
        r.metrics[metric("profit")] = f64::NAN;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("'profit'") && e.contains("NaN"), "{e}");
        r.metrics[metric("profit")] = 0.0;
        r.roles[0][1] = f64::INFINITY;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("'sales_payout'"), "{e}");
    }

    #[test]
    fn a_value_beyond_what_the_statistics_hold_is_an_error_naming_it() {
        let m = model();
        let mut r = run_trial(&m, 1, 0);
        r.metrics[metric("bullwhip_ratio")] = 2.0 * VALUE_LIMIT;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(
            e.contains("'bullwhip_ratio'") && e.contains("1.3e33"),
            "{e}"
        );
        r.metrics[metric("bullwhip_ratio")] = 1.0;
        r.series[3 * m.horizon + 5] = -2.0 * VALUE_LIMIT;
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(e.contains("series 'lost_sales' in week 6"), "{e}");
        r.series[3 * m.horizon + 5] = 0.0;
        r.capped = Some(1);
        let e = finite(&m, &r).unwrap_err().to_string();
        assert!(
            e.contains("stock point 'retailer_dc'") && e.contains("hint:"),
            "{e}"
        );
    }
}
