//! Properties of the engine that hold for any valid scenario: units are conserved between
//! stock points, and every metric stays within its range.

use orgsim::scenario::load::BUILTINS;
use orgsim::scenario::model::Model;
use orgsim::scenario::parse::parse;
use orgsim::sim::world::{advance, Chain, Market, Settings};
use orgsim::stats::metrics::{metric, GLOBAL_METRICS};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Random but valid variations of the default scenario's world and organisation.
fn scenario() -> impl Strategy<Value = Value> {
    let chain = (
        prop::collection::vec(
            (
                0u32..4,
                0u32..3,
                prop::option::of(1u32..10),
                prop::bool::ANY,
                0u32..3,
            ),
            3,
        ),
        1u32..12,
    );
    let demand = (1.0f64..60.0, 0usize..3, 0.0f64..0.9, 0.0f64..1.0);
    let org = (0.0f64..=1.0, 0.0f64..1.0, 0.0f64..0.2, 1u32..6);
    (chain, demand, org).prop_map(|((points, stores), (base, dist, cv, pull), (ambiguity, defection, temp, horizon_periods))| {
        let mut s: Value = serde_json::from_str(BUILTINS[0].json).unwrap();
        s["world"]["stores"] = json!(stores);
        s["horizon_weeks"] = json!(4 * horizon_periods + 1);
        s["world"]["demand"]["base_per_store"] = json!(base);
        s["world"]["demand"]["store_size_cv"] = json!(cv);
        s["world"]["demand"]["pull_forward"] = json!(pull);
        s["world"]["demand"]["distribution"] = match dist {
            0 => json!({"kind": "poisson"}),
            1 => json!({"kind": "negative_binomial", "dispersion": 2.0}),
            _ => json!({"kind": "normal", "cv": 0.5}),
        };
        for (i, (lead, delay, shelf, lost, policy)) in points.into_iter().enumerate() {
            let p = &mut s["world"]["chain"][i];
            p["lead_time_weeks"] = json!(lead);
            p["order_delay_weeks"] = json!(delay);
            p["shelf_life_weeks"] = json!(shelf);
            p["unmet"] = json!(if lost { "lost" } else { "backlog" });
            // The built-in's stock points all have cover levers, which a fixed policy may not carry.
            let policy = if policy == 3 { 2 } else { policy };
            p["policy"] = match policy {
                0 => json!({"kind": "order_up_to", "forecast": {"kind": "moving_average", "window": 3}, "cover_weeks": 1.5, "safety_factor": 0.5}),
                1 => json!({"kind": "order_up_to", "forecast": {"kind": "exp_smoothing", "alpha": 0.3}, "cover_weeks": 2.0}),
                2 => json!({"kind": "sterman", "theta": 0.3, "alpha_s": 0.3, "beta": 0.2, "desired_cover_weeks": 2.0}),
                _ => json!({"kind": "fixed", "quantity": base * stores as f64}),
            };
        }
        s["strategy"]["ambiguity"] = json!(ambiguity);
        s["org"]["defection_cost"] = json!(defection);
        for r in s["roles"].as_array_mut().unwrap() {
            r["behaviour"]["temperature"] = json!(temp);
        }
        s
    })
}

fn compile(v: &Value) -> Model {
    let scenario = parse(&v.to_string()).unwrap_or_else(|p| panic!("{p}"));
    Model::compile(scenario).unwrap_or_else(|ps| panic!("{ps:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every unit released by production is, at every week, on a shelf or in a warehouse,
    /// in transit, sold, or written off: none created, none lost.
    #[test]
    fn units_are_conserved(v in scenario(), promos in prop::collection::vec((0usize..4, 0usize..3, 0usize..5), 40), seed in 0u64..1000) {
        let m = compile(&v);
        let stores = if m.chain.last().unwrap().per_store { m.stores } else { 1 };
        let mut chain = Chain::new(&m, vec![1.0; stores]);
        let mut market = Market::new();
        let mut rng = orgsim::sim::rng::stream(seed, 0, orgsim::sim::rng::Source::Demand);
        let opening = chain.units_in_system() as f64;
        let (mut produced, mut sold, mut written) = (0.0, 0.0, 0.0);
        for (t, (depth, load, cover)) in promos.into_iter().enumerate() {
            let mut s = Settings::none();
            s.promo_depth = [0.0, 0.1, 0.2, 0.3][depth];
            s.loading_weeks = load as f64;
            s.forward_buy[1] = load as f64;
            s.cover[0] = [0.0, 1.0, 2.0, 4.0, 8.0][cover];
            let f = advance(&m, t, &s, &mut market, &mut chain, Some(&mut rng));
            produced += f.produced;
            sold += f.sold;
            written += f.write_off;
            prop_assert_eq!(opening + produced, sold + written + chain.units_in_system() as f64, "week {}", t);
            prop_assert!(f.sold <= f.demand + f.sold.max(0.0));
            prop_assert!(f.lost >= 0.0 && f.lost <= f.demand);
            prop_assert!(f.stockout_stores <= stores as f64);
            for e in 0..m.chain.len() {
                prop_assert!(f.on_hand[e] >= 0.0, "negative stock at {} in week {}", m.chain[e].name, t);
            }
        }
    }

    /// Whole trials: every metric is finite and within its range, and money adds up.
    #[test]
    fn metrics_stay_in_range(v in scenario(), seed in 0u64..1000) {
        let m = compile(&v);
        let r = orgsim::sim::trial::run_trial(&m, seed, 0);
        for (name, x) in GLOBAL_METRICS.iter().zip(&r.metrics) {
            prop_assert!(x.is_finite(), "{} = {}", name, x);
        }
        let get = |n: &str| r.metrics[metric(n)];
        for n in ["fill_rate", "interpretation_spread", "operational_spread", "coordinated_divergence", "strategy_met"] {
            prop_assert!((0.0..=1.0).contains(&get(n)), "{} = {}", n, get(n));
        }
        let nodes = if m.chain.last().unwrap().per_store { m.stores } else { 1 };
        prop_assert!(get("stockout_store_weeks") <= (nodes * m.horizon) as f64);
        prop_assert!(get("lost_sales_units") <= get("consumer_demand_units"));
        prop_assert!(get("sell_out_units") <= get("consumer_demand_units") + get("ending_inventory_units") + get("sell_in_units"));
        let p = &m.scenario.world.prices;
        prop_assert!((get("gross_margin") - (get("revenue") - get("sell_out_units") * p.unit_cost)).abs() < 1e-6 * get("revenue").abs().max(1.0));
        prop_assert!(get("profit") <= get("gross_margin") + 1e-9);
        // Money adds up: profit is gross margin less every cost the chain carries.
        let costs = get("holding_cost") + get("write_off_units") * p.unit_cost + get("media_spend")
            + get("ending_inventory_units") * p.unit_cost * (1.0 - m.scenario.world.end_salvage_fraction);
        prop_assert!((get("profit") - (get("gross_margin") - costs)).abs() < 1e-6 * get("revenue").abs().max(1.0));
        for role in &r.roles {
            prop_assert!(role.iter().all(|x| x.is_finite() && *x >= 0.0), "{:?}", role);
        }
        for w in &r.interpretations {
            prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", w);
        }
    }
}
