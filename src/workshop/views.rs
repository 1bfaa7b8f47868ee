//! What each audience's page is sent about the game, as JSON: a seat's own view (a role's levers
//! and scorecard, or a stock point's board), and the facilitator's running results per team.
//! The wall and the seats see no team results: the wall is seen by the whole room.

use super::game::chain::ChainGame;
use super::game::organisation::OrgGame;
use super::game::{ActModel, Game};
use serde_json::{json, Value};

/// Adds to `v` what the participant in seat `(team, role)` sees: the seat, its view this week,
/// and whether it has decided.
pub fn seat(
    v: &mut Value,
    m: &ActModel,
    g: Option<&Game>,
    (t, r): (usize, usize),
    name: Option<String>,
) {
    match m {
        ActModel::Organisation(m) => {
            let role = &m.roles[r];
            let card: Vec<Value> = role
                .card
                .components
                .iter()
                .map(|c| json!({ "metric": crate::scenario::model::metric_name(c.metric), "weight": c.weight, "target": c.target }))
                .collect();
            v["seat"] = json!({
                "team": t + 1,
                "role": role.name,
                "kind": "organisation",
                "name": name,
                "scorecard": card,
                "period_weeks": m.period,
            });
            if let Some(Game::Organisation(g)) = g {
                let words: Vec<Vec<String>> = role
                    .levers
                    .iter()
                    .map(|&j| {
                        let l = &m.levers[j];
                        (0..l.options.len()).map(|i| l.option_words(i)).collect()
                    })
                    .collect();
                v["view"] = serde_json::to_value(g.view(t, r)).unwrap_or(Value::Null);
                v["words"] = json!(words);
                v["decided"] = json!(g.has_decided(t, r));
                v["acts_this_week"] = json!(g.acts_this_week(r));
            }
        }
        ActModel::Network(n) => {
            let p = &n.scenario.network.stock_points[r];
            v["seat"] = json!({
                "team": t + 1,
                "role": p.name,
                "kind": "network",
                "name": name,
                "holding_cost": p.holding_cost,
                "backlog_cost": p.backlog_cost,
            });
            if let Some(Game::Network(g)) = g {
                v["view"] = serde_json::to_value(g.view(t, r)).unwrap_or(Value::Null);
                v["max_order"] = json!(g.max_order());
                v["decided"] = json!(g.has_decided(t, r));
                v["acts_this_week"] = json!(!g.is_done());
            }
        }
    }
}

/// Team `t`'s totals so far, for the facilitator.
pub fn so_far(g: &Game, t: usize) -> Value {
    match g {
        Game::Organisation(g) => org_so_far(g, t),
        Game::Network(g) => json!({ "cost": g.cost_so_far(t).round() + 0.0 }),
    }
}

/// Team `t`'s weekly lines so far, for the facilitator's charts.
pub fn lines(g: &Game, t: usize) -> Value {
    match g {
        Game::Organisation(g) => org_lines(g, t),
        Game::Network(g) => chain_lines(g, t),
    }
}

/// Series `name` of team `t`'s trial, over the weeks played.
fn org_series<'a>(g: &'a OrgGame, t: usize, name: &str) -> &'a [f64] {
    let h = g.model().horizon;
    let s = crate::stats::metrics::FIXED_SERIES
        .iter()
        .position(|x| *x == name)
        .unwrap_or(0);
    &g.trial(t).series()[s * h..s * h + g.week()]
}

/// Sell-out, lost sales and write-offs so far.
fn org_so_far(g: &OrgGame, t: usize) -> Value {
    let sum = |name: &str| org_series(g, t, name).iter().sum::<f64>().round() + 0.0;
    json!({
        "sell_out": sum("sell_out"),
        "lost_sales": sum("lost_sales"),
        "write_off": sum("write_off"),
    })
}

fn org_lines(g: &OrgGame, t: usize) -> Value {
    let line = |name: &str| org_series(g, t, name).to_vec();
    json!({ "team": t + 1, "sell_out": line("sell_out"), "consumer_demand": line("consumer_demand"), "lost_sales": line("lost_sales") })
}

/// The customers' demand and each point's orders, over the weeks played.
fn chain_lines(g: &ChainGame, t: usize) -> Value {
    let r = g.so_far(t);
    let w = g.week();
    let orders: serde_json::Map<String, Value> = g
        .spec()
        .stock_points
        .iter()
        .zip(&r.orders)
        .map(|(p, o)| (p.name.clone(), json!(o[..w])))
        .collect();
    json!({ "team": t + 1, "demand": r.demand[..w], "orders": orders })
}
