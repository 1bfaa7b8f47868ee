//! The edges of what the validator accepts: the largest money and quantities run in a test build
//! (overflow checks on) and summarise exactly; units past what the world counts are refused by
//! name; one past each limit is refused naming the JSON path, what was expected and what was found.

use orgsim::run::chunks::RunConfig;
use orgsim::run::organisation::finite;
use orgsim::scenario::load::{load, Source, BUILTINS};
use orgsim::scenario::model::Model;
use orgsim::sim::trial::run_trial;
use orgsim::stats::metrics::{Aggregate, TrialResult, GLOBAL_METRICS};
use orgsim::Error;
use serde_json::{json, Value};
use std::sync::atomic::AtomicBool;

/// The default built-in with every plan-relative target made absolute (`{"plan": f}` -> `f`), so
/// that extreme prices cannot make a plan value negative.
fn absolute_targets() -> Value {
    fn absolute(v: Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("plan") => m["plan"].clone(),
            Value::Object(m) => {
                Value::Object(m.into_iter().map(|(k, x)| (k, absolute(x))).collect())
            }
            Value::Array(a) => Value::Array(a.into_iter().map(absolute).collect()),
            other => other,
        }
    }
    absolute(serde_json::from_str(BUILTINS[0].json).unwrap())
}

/// Every price and quantity at the largest value the validator accepts (40 stores).
fn largest() -> Value {
    let mut s = absolute_targets();
    let w = &mut s["world"];
    w["prices"] =
        json!({"shelf_price": 1e9, "list_price": 1e9, "unit_cost": 1e9, "loading_discount": 0.9});
    w["demand"]["base_per_store"] = json!(1e6);
    w["media"]["saturation_spend"] = json!(1e12);
    for sp in w["chain"].as_array_mut().unwrap() {
        sp["holding_cost"] = json!(1e6);
    }
    for role in s["roles"].as_array_mut().unwrap() {
        for lever in role["levers"].as_array_mut().unwrap() {
            if lever["acts_on"]["kind"] == "media_spend" {
                lever["options"] = json!([0, 1e12]);
                lever["initial"] = json!(1);
            }
        }
    }
    s
}

fn source(doc: &Value) -> Source {
    Source {
        name: "limits".into(),
        text: serde_json::to_string_pretty(doc).unwrap(),
    }
}

/// The moments a run keeps, against the trials' values summed in f64.
fn assert_summaries_match(model: &Model, agg: &Aggregate, rows: &[TrialResult]) {
    let n = rows.len() as f64;
    for (k, name) in GLOBAL_METRICS.iter().enumerate() {
        let xs: Vec<f64> = rows.iter().map(|r| r.metrics[k]).collect();
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let m = &agg.metrics[k].moments;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(mean.abs()) + 1e-4;
        assert!(
            m.mean().is_finite() && close(m.mean(), mean),
            "{name}: mean {} vs {mean}",
            m.mean()
        );
        assert!(
            m.sd().is_finite() && close(m.sd(), sd),
            "{name}: sd {} vs {sd}",
            m.sd()
        );
    }
    assert!(model.roles.len() == agg.roles.len());
}

#[test]
fn the_largest_prices_and_quantities_run_and_summarise_exactly() {
    let how = orgsim::PrepareConfig {
        threads: 0,
        cancel: &AtomicBool::new(false),
        certify: false,
    };
    let model = orgsim::prepare(&source(&largest()), &[], &how)
        .expect("the largest values are valid")
        .expect("never cancelled");
    let cfg = RunConfig {
        seed: 3,
        trials: 6,
        threads: 2,
    };
    let mut rows = Vec::new();
    let agg = orgsim::run::organisation::run(
        &model,
        &cfg,
        &mut |r| {
            rows.push(r.clone());
            Ok(())
        },
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("runs without a refusal");
    assert_summaries_match(&model, &agg, &rows);
    let revenue = agg.metrics[orgsim::stats::metrics::metric("revenue")]
        .moments
        .mean();
    let sold = agg.metrics[orgsim::stats::metrics::metric("sell_out_units")]
        .moments
        .mean();
    // Money far beyond what an i128 sum of squares at 2^-16 held (about 1.4e14).
    assert!(
        revenue > 1e17 && revenue <= sold * 1e9 * (1.0 + 1e-12),
        "revenue {revenue}, sold {sold}"
    );
}

#[test]
fn the_most_stores_with_the_most_demand_count_without_overflow() {
    let mut doc = largest();
    doc["world"]["stores"] = json!(100_000);
    doc["horizon_weeks"] = json!(8);
    doc["period_weeks"] = json!(4);
    doc["warmup_weeks"] = json!(0);
    // The most a fixed policy may order, at the warehouse (without the cover lever it would void).
    doc["world"]["chain"][0]["policy"] = json!({"kind": "fixed", "quantity": 1e9});
    assert_eq!(doc["roles"][1]["levers"][0]["name"], "warehouse_cover");
    doc["roles"][1]["levers"] = json!([]);
    // No fit (it plays thousands of trials): each lever at its initial option is enough here.
    let model = load(&source(&doc), &[]).expect("valid");
    let mut agg = Aggregate::new(&model);
    let rows: Vec<TrialResult> = (0..3).map(|i| run_trial(&model, 5, i)).collect();
    for r in &rows {
        finite(&model, r).expect("no value beyond what orgsim counts");
        agg.add(r);
    }
    assert_summaries_match(&model, &agg, &rows);
    let sold = agg.metrics[orgsim::stats::metrics::metric("sell_out_units")]
        .moments
        .mean();
    // 1e5 stores x 1e6 units x 8 weeks, give or take season, media and stockouts.
    assert!(sold > 1e11 && sold < 1e13, "sold {sold}");
}

#[test]
fn units_past_what_the_world_counts_are_refused_by_name() {
    let mut doc = largest();
    doc["world"]["demand"]["promo_elasticity"] = json!(20);
    let promo = &mut doc["roles"][0]["levers"][0];
    assert_eq!(promo["acts_on"]["kind"], "promo_depth");
    promo["options"] = json!([0.9]);
    promo["initial"] = json!(0);
    let model = load(&source(&doc), &[]).expect("valid: each number is within its range");
    let r = run_trial(&model, 1, 0);
    match finite(&model, &r) {
        Err(e @ Error::TooLarge { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("stock point 'stores'") && msg.contains("a store"),
                "{msg}"
            );
        }
        other => panic!("expected a refusal naming the stock point, got {other:?}"),
    }
    // The statistics hold whatever the capped trial holds.
    Aggregate::new(&model).add(&r);
}

#[test]
fn one_past_each_limit_is_refused_naming_path_expected_and_found() {
    let cases = [
        (
            "world.prices.shelf_price=1000000001",
            "world.prices.shelf_price",
            "a number above 0 and at most 1e9",
            "1000000001",
        ),
        (
            "world.prices.list_price=1e10",
            "world.prices.list_price",
            "a number above 0 and at most 1e9",
            "10000000000",
        ),
        (
            "world.prices.unit_cost=0",
            "world.prices.unit_cost",
            "a number above 0 and at most 1e9",
            "0",
        ),
        (
            "world.demand.base_per_store=1000001",
            "world.demand.base_per_store",
            "a number above 0 and at most 1000000",
            "1000001",
        ),
        (
            "world.stores=100001",
            "world.stores",
            "a number from 1 to 100000",
            "100001",
        ),
        (
            "world.media.saturation_spend=1.000001e12",
            "world.media.saturation_spend",
            "a number above 0 and at most 1e12",
            "1000001000000",
        ),
        (
            "world.chain.1.holding_cost=1000001",
            "world.chain[1].holding_cost",
            "a number from 0 to 1000000",
            "1000001",
        ),
        (
            "world.chain.0.policy={\"kind\":\"fixed\",\"quantity\":1000000001}",
            "world.chain[0].policy.quantity",
            "a number from 0 to 1e9",
            "1000000001",
        ),
        (
            "roles.marketing.levers.media_spend.options=[0,1.000001e12]",
            "roles[2].levers[0].options[1]",
            "a number from 0 to 1e12",
            "1000001000000",
        ),
        (
            "horizon_weeks=521",
            "horizon_weeks",
            "a number from 1 to 520",
            "521",
        ),
    ];
    let src = source(&absolute_targets());
    for (set, path, expected, found) in cases {
        let problems = match load(&src, &[set.to_string()]) {
            Err(Error::InvalidScenario { problems, .. }) => problems,
            other => panic!(
                "{set}: expected a refusal, got {:?}",
                other.map(|_| "a model")
            ),
        };
        let p = problems
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("{set}: no problem at {path}: {problems:?}"));
        assert_eq!(
            (p.expected.as_str(), p.found.as_str()),
            (expected, found),
            "{set}"
        );
    }
}
