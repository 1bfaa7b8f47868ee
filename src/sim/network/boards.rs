//! The classic boards, built in code: the Beer Distribution Game and the order-up-to bullwhip
//! case, as the built-in scenarios `beer_game_classic`, `beer_game` and `bullwhip_order_up_to`
//! write them out (docs/classics.md).

use crate::scenario::network::{
    Demand, NetworkSpec, NetworkStockPoint, NetworkStrategy, PassThrough, PointScorecard, Policy,
    Step,
};

/// Sterman's average fitted parameters (θ, α_S, β, S'), as in docs/classics.md.
pub const STERMAN_FITTED: Policy = Policy::Sterman {
    theta: 0.36,
    alpha_s: 0.26,
    beta: 0.34,
    desired_stock: 17.0,
};

/// The names of the Beer Game's stock points, downstream first.
pub const BEER_GAME_POINTS: [&str; 4] = ["retailer", "wholesaler", "distributor", "factory"];

/// The Beer Distribution Game on the System Dynamics Society board: 36 weeks, customer demand
/// 4 then 8 from week 5 (`random`: Poisson with those means), every point playing `policy`.
/// Orders spend 2 weeks in the mail, shipments 2 weeks on the road; the factory's request
/// waits 1 week and production takes 2. The built-ins `beer_game_classic` and `beer_game`
/// are this network, written out.
pub fn beer_game(random: bool, policy: Policy) -> NetworkSpec {
    let steps = vec![
        Step {
            from_week: 1,
            value: 4.0,
        },
        Step {
            from_week: 5,
            value: 8.0,
        },
    ];
    let stock_points = BEER_GAME_POINTS
        .iter()
        .enumerate()
        .map(|(i, name)| NetworkStockPoint {
            name: name.to_string(),
            initial_inventory: 12.0,
            order_delay_weeks: if i == 3 { 1 } else { 2 },
            ship_delay_weeks: 2,
            holding_cost: 0.5,
            backlog_cost: 1.0,
            policy: policy.clone(),
            scorecard: Some(PointScorecard {
                holding: None,
                backlog: None,
                budget_vs_plan: 1.0,
            }),
        })
        .collect();
    NetworkSpec {
        weeks: 36,
        initial_flow: 4.0,
        demand: if random {
            Demand::Poisson { steps }
        } else {
            Demand::Schedule { steps }
        },
        stock_points,
        meetings: None,
        strategy: Some(NetworkStrategy {
            total_cost_vs_plan: 1.0,
        }),
    }
}

/// One stock point ordering up to a `window`-week moving average times `lead`, facing i.i.d.
/// normal demand N(100, 10²), over `window + 1 + measured` weeks: the bullwhip case of Chen et
/// al. (2000). Its supplier delivers in `lead` weeks (at least 1), so the pipeline the level
/// covers is real; the ratio does not depend on it. The built-in `bullwhip_order_up_to` is
/// this network with p = 5, L = 2 and 200 measured weeks.
pub fn order_up_to(
    window: usize,
    lead: usize,
    measured: usize,
    pass_through: PassThrough,
) -> NetworkSpec {
    NetworkSpec {
        weeks: (window + 1 + measured) as u32,
        initial_flow: 100.0,
        demand: Demand::Normal {
            mean: 100.0,
            sd: 10.0,
        },
        stock_points: vec![NetworkStockPoint {
            name: "stock_point".to_string(),
            initial_inventory: 100.0 * lead as f64,
            order_delay_weeks: 1,
            ship_delay_weeks: lead.max(1) as u32,
            holding_cost: 1.0,
            backlog_cost: 1.0,
            policy: Policy::OrderUpTo {
                window: window as u32,
                lead_weeks: lead as f64,
                pass_through,
            },
            scorecard: None,
        }],
        strategy: None,
        meetings: None,
    }
}
