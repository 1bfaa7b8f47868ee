//! The loader and the engine never panic, whatever the input: random bytes, random JSON,
//! random mutations of the built-in scenarios and random `--set PATH=VALUE` overrides all
//! give `Ok` or `Err`, and a scenario the loader accepts runs one trial to finite metrics.
//!
//! The case counts (1024 for random input, 512 for mutations and overrides) keep this file
//! at a second or two in `cargo test`. To search harder, e.g. before a release or after
//! changing `load.rs`, `diagnose.rs` or `model.rs`:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --test it fuzz_loader    # about a minute
//! ```
//!
//! `PROPTEST_CASES` replaces every count below. Keep the test profile (optimised, with debug
//! assertions and overflow checks) rather than `--release`, which would hide overflows. A
//! failure is shrunk to a small input and saved in `tests/it/fuzz_loader.proptest-regressions`,
//! which is replayed first on every run: commit that file with the fix.

use orgsim::scenario::load::{load, Source, BUILTINS};
use orgsim::scenario::model::Model;
use orgsim::scenario::overrides::apply_sets;
use orgsim::scenario::parse::parse;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};

/// A model this small runs a trial in a few milliseconds; larger ones are checked by the
/// loader only (it caps stores at 100,000 and the horizon at 520 weeks).
const MAX_STORE_WEEKS: usize = 20_000;

/// `cases` unless `PROPTEST_CASES` is set.
fn config(cases: u32) -> Config {
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    Config {
        cases: from_env.unwrap_or(cases),
        // A panic is what we look for: shrink it to something a person can read.
        max_shrink_iters: 2048,
        ..Config::default()
    }
}

fn source(text: String) -> Source {
    Source {
        name: "fuzz".into(),
        text,
    }
}

/// Runs one trial of an accepted model (when small enough) and checks its numbers.
fn run_if_small(model: &Model) -> Result<(), TestCaseError> {
    if model.horizon * model.stores > MAX_STORE_WEEKS {
        return Ok(());
    }
    let r = orgsim::sim::trial::run_trial(model, 1, 0);
    // Summarised as a run would, in a build with overflow checks: never a panic. A trial whose
    // numbers a run cannot summarise is refused by name (TooLarge), never wrapped.
    orgsim::stats::metrics::Aggregate::new(model).add(&r);
    if let Err(e) = orgsim::run::organisation::finite(model, &r) {
        prop_assert!(matches!(e, orgsim::Error::TooLarge { .. }), "{e}");
    }
    for (name, v) in orgsim::stats::metrics::GLOBAL_METRICS
        .iter()
        .zip(&r.metrics)
    {
        prop_assert!(v.is_finite(), "metric {name} is {v}");
    }
    for (role, values) in model.roles.iter().zip(&r.roles) {
        prop_assert!(
            values.iter().all(|v| v.is_finite()),
            "role {} attainment, payout, claims: {values:?}",
            role.name
        );
    }
    for (role, w) in model.roles.iter().zip(&r.interpretations) {
        prop_assert!(
            w.iter().all(|v| v.is_finite()),
            "role {} reading of the strategy: {w:?}",
            role.name
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Random values
// ---------------------------------------------------------------------------------------

/// Numbers a scenario author (or a bug) might write: zero, negatives, huge, tiny, fractions,
/// whole numbers around the u32 limit.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(0.5)),
        Just(json!(-0.5)),
        Just(json!(1e300)),
        Just(json!(-1e300)),
        Just(json!(1e-300)),
        Just(json!(4294967295u64)),
        Just(json!(4294967296u64)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        (0u32..60).prop_map(|n| json!(n)),
        (-100.0f64..100.0).prop_map(|x| json!(x)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
    ]
}

/// Names that mean something somewhere in a scenario, so that references sometimes resolve.
const NAMES: &[&str] = &[
    "warehouse",
    "retailer_dc",
    "stores",
    "sales",
    "procurement",
    "marketing",
    "retailer",
    "finance",
    "promo_depth",
    "trade_loading",
    "media_spend",
    "order_cover",
    "forward_buy",
    "warehouse_cover",
    "dc_cover",
    "order_up_to",
    "sterman",
    "fixed",
    "moving_average",
    "exp_smoothing",
    "poisson",
    "negative_binomial",
    "normal",
    "backlog",
    "lost",
    "sell_out",
    "margin",
    "availability",
    "sell_in_revenue",
    "inventory_turns",
    "weeks_of_cover",
    "fill_rate",
    "profit",
    "stockout_store_weeks",
    "",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NAMES).prop_map(str::to_owned),
        "[a-z_]{0,12}",
        "\\PC{0,16}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => number(),
        2 => string().prop_map(Value::String),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => Just(json!([])),
        1 => Just(json!({})),
    ]
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

// ---------------------------------------------------------------------------------------
// Mutations of the built-in scenarios
// ---------------------------------------------------------------------------------------

/// One edit somewhere in the document; `at` picks the node among all nodes.
#[derive(Debug, Clone)]
enum Edit {
    Replace {
        at: prop::sample::Index,
        by: Value,
    },
    DeleteKey {
        at: prop::sample::Index,
    },
    DuplicateElement {
        at: prop::sample::Index,
    },
    AddKey {
        at: prop::sample::Index,
        key: String,
        value: Value,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<prop::sample::Index>();
    prop_oneof![
        4 => (at.clone(), any_json()).prop_map(|(at, by)| Edit::Replace { at, by }),
        2 => at.clone().prop_map(|at| Edit::DeleteKey { at }),
        2 => at.clone().prop_map(|at| Edit::DuplicateElement { at }),
        1 => (at, string(), any_json()).prop_map(|(at, key, value)| Edit::AddKey { at, key, value }),
    ]
}

/// JSON pointers of every node, the root first.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{here}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The pointers of the nodes that are objects (or arrays), for edits that need one.
fn containers(doc: &Value, arrays: bool) -> Vec<String> {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    all.into_iter()
        .filter(|p| match doc.pointer(p) {
            Some(Value::Array(_)) => arrays,
            Some(Value::Object(_)) => !arrays,
            _ => false,
        })
        .collect()
}

fn apply(doc: &mut Value, e: &Edit) {
    match e {
        Edit::Replace { at, by } => {
            let mut all = Vec::new();
            pointers(doc, String::new(), &mut all);
            let p = at.get(&all[..]).clone();
            if let Some(node) = doc.pointer_mut(&p) {
                *node = by.clone();
            }
        }
        Edit::DeleteKey { at } => {
            let objects = containers(doc, false);
            if objects.is_empty() {
                return;
            }
            if let Some(Value::Object(m)) = doc.pointer_mut(at.get(&objects[..]).as_str()) {
                if !m.is_empty() {
                    let k = m.keys().nth(at.index(m.len())).unwrap().clone();
                    m.shift_remove(&k);
                }
            }
        }
        Edit::DuplicateElement { at } => {
            let arrays = containers(doc, true);
            if arrays.is_empty() {
                return;
            }
            if let Some(Value::Array(a)) = doc.pointer_mut(at.get(&arrays[..]).as_str()) {
                if !a.is_empty() {
                    let i = at.index(a.len());
                    let copy = a[i].clone();
                    a.insert(i + 1, copy);
                }
            }
        }
        Edit::AddKey { at, key, value } => {
            let objects = containers(doc, false);
            if objects.is_empty() {
                return;
            }
            if let Some(Value::Object(m)) = doc.pointer_mut(at.get(&objects[..]).as_str()) {
                m.insert(key.clone(), value.clone());
            }
        }
    }
}

/// A new value for a number node.
#[derive(Debug, Clone)]
enum NewNumber {
    /// Any number.
    Set(Value),
    /// The old value times this factor (rounded for whole numbers).
    Scale(f64),
}

fn builtin(i: usize) -> Value {
    serde_json::from_str(BUILTINS[i].json).unwrap()
}

// ---------------------------------------------------------------------------------------
// --set overrides
// ---------------------------------------------------------------------------------------

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "world",
                "strategy",
                "roles",
                "org",
                "horizon_weeks",
                "period_weeks",
                "stores",
                "demand",
                "chain",
                "policy",
                "forecast",
                "kind",
                "behaviour",
                "levers",
                "options",
                "scorecard",
                "components",
                "objectives",
                "priority",
                "ambiguity",
                "shared_bonus",
                "weight",
                "0",
                "1",
                "2",
                "99",
                "18446744073709551616",
                "-1",
                // The printed form of a path, appending, and brackets gone wrong.
                "roles[0]",
                "levers[1]",
                "components[+]",
                "options[99]",
                "chain[18446744073709551616]",
                "[+]",
                "roles[",
                "]",
            ][..]
        )
        .prop_map(str::to_owned),
        prop::sample::select(NAMES).prop_map(str::to_owned),
        "\\PC{0,6}",
    ]
}

fn set_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any_json().prop_map(|v| v.to_string()),
        "\\PC{0,12}",
        Just(String::new()),
        Just("1e400".to_string()),
        Just("[".to_string()),
    ]
}

/// The `--set` path of a node of the first built-in, array elements by index or by name.
fn set_path(pointer: &str, by_name: bool) -> String {
    let doc = builtin(0);
    let mut here = &doc;
    let mut out = Vec::new();
    for seg in pointer.split('/').skip(1) {
        let next = match here {
            Value::Array(a) => &a[seg.parse::<usize>().unwrap()],
            Value::Object(m) => &m[seg],
            _ => unreachable!(),
        };
        match next.get("name").and_then(Value::as_str) {
            Some(name) if by_name && here.is_array() => out.push(name.to_string()),
            _ => out.push(seg.to_string()),
        }
        here = next;
    }
    out.join(".")
}

/// `PATH=VALUE`: real paths with random values (these often load, so the engine runs), random
/// paths, and strings that are not overrides at all.
fn set() -> impl Strategy<Value = String> {
    let mut all = Vec::new();
    pointers(&builtin(0), String::new(), &mut all);
    let real = (
        prop::sample::select(all),
        any::<bool>(),
        prop_oneof![
            3 => number().prop_map(|v| v.to_string()),
            1 => set_value(),
        ],
    )
        .prop_map(|(p, by_name, value)| format!("{}={value}", set_path(&p, by_name)));
    prop_oneof![
        6 => real,
        6 => (prop::collection::vec(segment(), 0..6), set_value())
            .prop_map(|(path, value)| format!("{}={value}", path.join("."))),
        1 => "\\PC{0,24}",
        1 => Just("=".to_string()),
    ]
}

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(1024))]

    /// (a) Arbitrary bytes (read as the CLI reads a file: lossily as UTF-8).
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = load(&source(text), &[]);
    }

    /// (a) Arbitrary JSON documents, compact and pretty.
    #[test]
    fn random_json_never_panics(doc in any_json(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&doc).unwrap()
        } else {
            doc.to_string()
        };
        let _ = load(&source(text), &[]);
    }

    /// (a) Arbitrary JSON under the top-level keys of a scenario, so deeper code runs.
    #[test]
    fn random_scenario_shaped_json_never_panics(
        parts in prop::collection::vec(
            (prop::sample::select(&["name", "description", "horizon_weeks", "period_weeks",
                "world", "strategy", "roles", "org", "$schema"][..]), any_json()),
            0..9,
        )
    ) {
        let doc: Map<String, Value> = parts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let _ = load(&source(Value::Object(doc).to_string()), &[]);
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// (b) One to three edits anywhere in a built-in scenario: the loader answers, and a
    /// scenario it accepts runs to finite metrics.
    #[test]
    fn mutated_builtins_load_or_fail_cleanly_and_run(
        which in 0..BUILTINS.len(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let mut doc = builtin(which);
        for e in &edits {
            apply(&mut doc, e);
        }
        let text = serde_json::to_string_pretty(&doc).unwrap();
        if let Ok(model) = load(&source(text), &[]) {
            run_if_small(&model)?;
        }
    }

    /// (b) Edits that keep the document loadable more often, so that the engine runs odd
    /// but valid scenarios: numbers only, on number nodes, half of them the old value scaled.
    #[test]
    fn builtins_with_random_numbers_load_or_fail_cleanly_and_run(
        which in 0..BUILTINS.len(),
        picks in prop::collection::vec(
            (any::<prop::sample::Index>(), prop_oneof![
                number().prop_map(NewNumber::Set),
                (0.0f64..3.0).prop_map(NewNumber::Scale),
            ]),
            1..6,
        ),
    ) {
        let mut doc = builtin(which);
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let numbers: Vec<String> = all
            .into_iter()
            .filter(|p| doc.pointer(p).is_some_and(Value::is_number))
            .collect();
        for (at, n) in &picks {
            let node = doc.pointer_mut(at.get(&numbers[..]).as_str()).unwrap();
            *node = match n {
                NewNumber::Set(v) => v.clone(),
                NewNumber::Scale(f) => match (node.as_u64(), node.as_f64()) {
                    (Some(k), _) => json!((k as f64 * f).round() as u64),
                    (None, Some(x)) => json!(x * f),
                    _ => node.clone(),
                },
            };
        }
        if let Ok(model) = load(&source(doc.to_string()), &[]) {
            run_if_small(&model)?;
        }
    }

    /// (c) Random `--set PATH=VALUE` overrides, through `load` and `apply_sets` directly.
    #[test]
    fn random_overrides_never_panic(
        which in 0..BUILTINS.len(),
        sets in prop::collection::vec(set(), 1..4),
    ) {
        let src = source(BUILTINS[which].json.to_string());
        if let Ok(model) = load(&src, &sets) {
            run_if_small(&model)?;
        }
        let scenario = parse(BUILTINS[which].json).unwrap();
        let _ = apply_sets(scenario, &sets);
    }
}

/// The edits above reach every kind of node: a sanity check of the generator, not of orgsim.
#[test]
fn the_mutations_can_reach_deep_nodes() {
    let doc = builtin(0);
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    assert!(all.contains(&"/roles/1/levers/0/approval/by".to_string()));
    assert!(all.contains(&"/world/chain/2/policy/forecast/alpha".to_string()));
    assert!(all.contains(&"/$schema".to_string()));
}

/// Found by hand while writing these tests: a role's visibility of the 9th or later stock point
/// of a chain longer than the 8 allowed indexed past a fixed-size array in `Model::compile`.
#[test]
fn a_chain_longer_than_allowed_is_a_problem_even_where_a_role_sees_its_far_end() {
    let mut doc = builtin(0);
    let chain = doc["world"]["chain"].as_array_mut().unwrap();
    let stores = chain.pop().unwrap();
    for i in 0..7 {
        let mut dc = chain[1].clone();
        dc["name"] = json!(format!("regional_dc_{i}"));
        chain.push(dc);
    }
    chain.push(stores);
    doc["roles"][0]["visibility"] = json!([{"stock_point": "stores", "delay_weeks": 1}]);
    let err = load(&source(doc.to_string()), &[]).expect_err("10 stock points are too many");
    assert!(err.to_string().contains("world.chain"), "{err}");
}
