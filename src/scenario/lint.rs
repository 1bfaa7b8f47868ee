//! Warnings: values that are legal but almost surely a slip (a unit cost above the list price, a
//! horizon that ends mid-period). [`crate::scenario::model::Model::compile`] rejects what cannot run; this
//! module only points at what runs but probably does not say what its author meant.
//!
//! A warning is a [`Problem`] (path, what is usual, what was found, a hint), so that it is located
//! as problems are: a line and column in the file, or the `--set` argument that wrote the value.
//! Where a warning is about two values, it is placed at the one a `--set` wrote, if any.

use crate::error::Problem;
use crate::scenario::format::{Scenario, Scorecard, TargetValue};
use crate::scenario::overrides::{wrote, Override};

/// Multiples of the plan outside this range make a scorecard target met, or missed, whatever the
/// role does (1.05 means 5% above plan; 20 meant as 20% is caught by the compile check).
const PLAN_FACTOR_USUAL: (f64, f64) = (0.5, 2.0);

/// Every warning for a compiled (so valid) scenario, in the order of the file.
pub(crate) fn warnings(s: &Scenario, overrides: &[Override]) -> Vec<Problem> {
    let mut out = Vec::new();
    periods(s, overrides, &mut out);
    prices(s, overrides, &mut out);
    ambiguity(s, overrides, &mut out);
    for (ri, role) in s.roles.iter().enumerate() {
        for (li, lever) in role.levers.iter().enumerate() {
            if let [only] = lever.options[..] {
                out.push(
                    Problem::new(
                        format!("roles[{ri}].levers[{li}].options"),
                        "two or more options to choose from",
                        format!("the one option {only}"),
                    )
                    .hint("a lever with one option never changes anything: add options, or delete the lever"),
                );
            }
        }
        plan_factors(&format!("roles[{ri}].scorecard"), &role.scorecard, &mut out);
    }
    if let Some(shared) = &s.org.shared_bonus {
        plan_factors("org.shared_bonus.scorecard", &shared.scorecard, &mut out);
    }
    decision_rights(s, &mut out);
    out
}

/// A gate its own role holds: it approves every request it makes, so nothing is gated. (A
/// claimant that decides nothing is not warned about: the launch's marketing is one by design,
/// its claim made by the calendar rather than by play.)
fn decision_rights(s: &Scenario, out: &mut Vec<Problem>) {
    for (ri, role) in s.roles.iter().enumerate() {
        for (li, lever) in role.levers.iter().enumerate() {
            if lever.approval.as_ref().is_some_and(|a| a.by == role.name) {
                out.push(
                    Problem::new(
                        format!("roles[{ri}].levers[{li}].approval.by"),
                        "another role than the lever's own",
                        format!("'{}', the lever's own role", role.name),
                    )
                    .hint("a role approves every request it makes, so this gate changes nothing: name the approving role, or delete approval"),
                );
            }
        }
    }
}

/// A horizon that is not a whole number of periods: the last period is short.
fn periods(s: &Scenario, overrides: &[Override], out: &mut Vec<Problem>) {
    let (h, p) = (s.horizon_weeks, s.period_weeks);
    let short = h % p;
    if short == 0 {
        return;
    }
    let consequence = format!(
        "the last period is {short} week{} long and is scored against a pro-rated target",
        if short == 1 { "" } else { "s" }
    );
    let problem = if wrote(overrides, "horizon_weeks") && !wrote(overrides, "period_weeks") {
        Problem::new(
            "horizon_weeks",
            format!("a whole number of {p}-week periods (period_weeks)"),
            h.to_string(),
        )
        .hint(format!(
            "{consequence}; a horizon of {} or {} weeks holds whole periods",
            h - short,
            h - short + p
        ))
    } else {
        let below = (1..p).rev().find(|d| h % d == 0).unwrap_or(1);
        let above = (p + 1..=h).find(|d| h % d == 0).unwrap_or(h);
        Problem::new(
            "period_weeks",
            format!("a period that divides horizon_weeks ({h}) evenly"),
            p.to_string(),
        )
        .hint(format!(
            "{consequence}; a period of {below} or {above} weeks divides {h}"
        ))
    };
    out.push(problem);
}

/// Prices in the wrong order: every unit sold in, or sold out, loses money.
fn prices(s: &Scenario, overrides: &[Override], out: &mut Vec<Problem>) {
    let p = &s.world.prices;
    let wrote_it = |key: &str| wrote(overrides, &format!("world.prices.{key}"));
    if p.unit_cost >= p.list_price {
        let hint =
            "the company loses money on every unit it sells in: is a price in the wrong field?";
        out.push(
            if wrote_it("list_price") && !wrote_it("unit_cost") {
                Problem::new(
                    "world.prices.list_price",
                    format!("a list price above the unit cost ({})", p.unit_cost),
                    p.list_price.to_string(),
                )
            } else {
                Problem::new(
                    "world.prices.unit_cost",
                    format!("a unit cost below the list price ({})", p.list_price),
                    p.unit_cost.to_string(),
                )
            }
            .hint(hint),
        );
    }
    if p.list_price > p.shelf_price {
        let hint = "the retailer pays more for a unit (list_price) than consumers pay for it (shelf_price) and loses on every sale";
        out.push(
            if wrote_it("shelf_price") && !wrote_it("list_price") {
                Problem::new(
                    "world.prices.shelf_price",
                    format!(
                        "a shelf price no lower than the list price ({})",
                        p.list_price
                    ),
                    p.shelf_price.to_string(),
                )
            } else {
                Problem::new(
                    "world.prices.list_price",
                    format!(
                        "a list price no higher than the shelf price ({})",
                        p.shelf_price
                    ),
                    p.list_price.to_string(),
                )
            }
            .hint(hint),
        );
    }
}

/// Ambiguity with a single objective: every reading of the strategy is the same.
fn ambiguity(s: &Scenario, overrides: &[Override], out: &mut Vec<Problem>) {
    let st = &s.strategy;
    let mut weighed: Vec<&str> = st
        .objectives
        .iter()
        .filter(|o| o.weight > 0.0)
        .map(|o| o.objective.name())
        .collect();
    weighed.dedup();
    let [only] = weighed[..] else {
        return;
    };
    if st.ambiguity <= 0.0 {
        return;
    }
    let hint = "with one objective every role reads the strategy the same way, whatever the ambiguity: add the objectives roles could weigh differently, or set ambiguity to 0";
    out.push(
        if wrote(overrides, "strategy.objectives") && !wrote(overrides, "strategy.ambiguity") {
            Problem::new(
                "strategy.objectives",
                format!(
                    "two or more objectives, for ambiguity ({}) to act on",
                    st.ambiguity
                ),
                format!("only '{only}'"),
            )
        } else {
            Problem::new(
                "strategy.ambiguity",
                "0 with a single objective",
                format!("{} with only '{only}'", st.ambiguity),
            )
        }
        .hint(hint),
    );
}

/// Scorecard targets far from the plan.
fn plan_factors(card_path: &str, card: &Scorecard, out: &mut Vec<Problem>) {
    let (lo, hi) = PLAN_FACTOR_USUAL;
    for (k, c) in card.components.iter().enumerate() {
        if let TargetValue::Plan { plan } = c.target {
            if !(lo..=hi).contains(&plan) {
                out.push(
                    Problem::new(
                        format!("{card_path}.components[{k}].target.plan"),
                        format!("a multiple of the plan from {lo} to {hi}"),
                        plan.to_string(),
                    )
                    .hint("a target this far from the plan is met, or missed, every period whatever the role does, so its pay does not follow its decisions; 1.05 is 5% above plan"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::BUILTINS;
    use crate::scenario::parse::parse;

    fn scenario(edit: impl Fn(&mut serde_json::Value)) -> Scenario {
        let mut doc: serde_json::Value = serde_json::from_str(BUILTINS[0].json).unwrap();
        edit(&mut doc);
        parse(&doc.to_string()).unwrap()
    }

    fn paths(s: &Scenario, overrides: &[Override]) -> Vec<String> {
        warnings(s, overrides).into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn the_built_ins_give_no_warnings() {
        for b in BUILTINS {
            assert_eq!(
                paths(&parse(b.json).unwrap(), &[]),
                Vec::<String>::new(),
                "{}",
                b.name
            );
        }
    }

    #[test]
    fn each_slip_is_warned_about_at_its_value() {
        type Edit = fn(&mut serde_json::Value);
        let cases: [(&str, Edit); 7] = [
            ("world.prices.unit_cost", |d| {
                d["world"]["prices"]["unit_cost"] = 3.5.into()
            }),
            ("world.prices.list_price", |d| {
                d["world"]["prices"]["list_price"] = 6.0.into()
            }),
            ("period_weeks", |d| d["period_weeks"] = 5.into()),
            ("strategy.ambiguity", |d| {
                d["strategy"]["objectives"] =
                    serde_json::json!([{"objective": "margin", "weight": 1}]);
                d["strategy"]["priority"] = serde_json::json!([]);
            }),
            ("roles[0].levers[0].options", |d| {
                d["roles"][0]["levers"][0]["options"] = serde_json::json!([0])
            }),
            ("roles[0].scorecard.components[0].target.plan", |d| {
                d["roles"][0]["scorecard"]["components"][0]["target"]["plan"] = 3.into()
            }),
            ("roles[0].levers[0].approval.by", |d| {
                let own = d["roles"][0]["name"].clone();
                d["roles"][0]["levers"][0]["approval"] =
                    serde_json::json!({ "by": own, "latency_weeks": 0 });
            }),
        ];
        for (path, edit) in cases {
            assert_eq!(paths(&scenario(edit), &[]), vec![path.to_string()]);
        }
    }

    #[test]
    fn a_warning_about_two_values_is_placed_at_the_one_a_set_wrote() {
        let s = scenario(|d| d["horizon_weeks"] = 50.into());
        let set = Override {
            arg: "horizon_weeks=50".into(),
            path: "horizon_weeks".into(),
        };
        let w = warnings(&s, &[set]);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].path, "horizon_weeks");
        assert!(
            w[0].hint.as_deref().unwrap().contains("48 or 52 weeks"),
            "{}",
            w[0]
        );
    }
}
