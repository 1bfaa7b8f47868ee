//! How the report writes an identifier: "on-shelf availability (on_shelf_availability)", plain
//! words with the identifier a reader can find in the CSV files beside them, and a value against
//! the plan. Numbers themselves are formatted by `crate::numbers`, as everywhere else.

use crate::numbers::{percent, readable};

// ---------------------------------------------------------------- plain words

/// Plain words for an identifier of a metric (global, per role or on a scorecard) or an
/// objective; an unknown identifier reads with its underscores as spaces.
pub(super) fn words(id: &str) -> String {
    let w = match id {
        "sell_out_units" => "units sold to consumers",
        "sell_in_units" => "units shipped to the retailer",
        "consumer_demand_units" => "consumer demand in units",
        "revenue" => "consumer revenue",
        "company_revenue" => "company revenue on sell-in",
        "fill_rate" => "share of demand served",
        "on_shelf_availability" => "on-shelf availability",
        "stockout_store_weeks" => "store-weeks with an empty shelf",
        "lost_sales_units" => "lost sales in units",
        "write_off_units" => "units written off",
        "ending_inventory_units" => "units in stock at the end",
        "promo_weeks" => "weeks on promotion",
        "oos_promo_weeks" => "share of store-weeks out of stock in promotion weeks",
        "oos_other_weeks" => "share of store-weeks out of stock in other weeks",
        "promo_lift_realised" => "promotions' realised lift against expected",
        "write_off_after_flops" => "units written off in the 8 weeks after a flopped promotion",
        "requests_refused" => "weeks an approver refused a lever's request",
        "bullwhip_ratio" => "variance of orders over variance of demand",
        "coordinated_divergence" => "claimants succeed while the strategy is missed",
        "strategy_attainment" => "attainment of the strategy's worst-met target",
        "divergence_gap" => "claimants' attainment less the strategy's",
        "interpretation_spread" => "spread of the roles' readings of the strategy",
        "operational_spread" => "spread of where the roles' playbooks pull",
        "claims_success" => "claims success",
        "sell_in_revenue" => "sell-in revenue",
        "trade_rate" => "trade spend as a share of gross sell-in",
        "trade_spend" => "trade spend (deals and loading discounts on sell-in)",
        "sell_out" => "sell-out",
        "inventory_turns" => "inventory turns",
        "weeks_of_cover" => "weeks of cover",
        "chain_contribution" => "the chain's contribution",
        "company_profit" => "the company's profit",
        "category_margin" => "the retailer's category margin",
        "launch_sell_in" => "sell-in before shelf day",
        "media_weeks_late" => "weeks the campaign aired after shelf day",
        "stores_served_share" => "share of stores carrying the product",
        "sell_out_vs_plan" => "sell-out against the plan's",
        other => return other.replace('_', " "),
    };
    w.to_string()
}

/// "on-shelf availability (on_shelf_availability)"; just "profit" where the words are the identifier.
pub(super) fn named(id: &str) -> String {
    let w = words(id);
    if w == id.replace('_', " ") {
        w
    } else {
        format!("{w} ({id})")
    }
}

pub(super) fn capitalised(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// " (97% of the plan's 0.96)" for a target written relative to the plan.
pub(super) fn of_plan(factor: Option<f64>, plan_value: Option<f64>) -> String {
    match (factor, plan_value) {
        (Some(f), Some(v)) => format!(" ({} of the plan's {})", percent(f), readable(v)),
        (Some(f), None) => format!(" ({} of plan)", percent(f)),
        _ => String::new(),
    }
}

/// Numbers as a list: `0, 0.1, 0.2`.
pub(super) fn list_nums(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|x| readable(*x)).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::metrics::GLOBAL_METRICS;

    #[test]
    fn identifiers_come_with_plain_words() {
        assert_eq!(
            named("on_shelf_availability"),
            "on-shelf availability (on_shelf_availability)"
        );
        assert_eq!(
            named("profit"),
            "profit",
            "no identifier beside the same words"
        );
        assert_eq!(named("some_new_metric"), "some new metric");
        assert_eq!(capitalised(words("holding_cost")), "Holding cost");
        for m in GLOBAL_METRICS {
            assert!(!words(m).contains('_'), "{m} reads as words");
        }
        assert_eq!(of_plan(Some(0.97), Some(0.99)), " (97% of the plan's 0.99)");
        assert_eq!(of_plan(Some(1.025), None), " (102.5% of plan)");
        assert_eq!(of_plan(None, Some(3.0)), "");
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(readable(72725.4), "72,725");
        assert_eq!(readable(0.9944), "0.994");
        assert_eq!(readable(19.28), "19.3");
        assert_eq!(readable(0.0), "0");
        assert_eq!(readable(0.1), "0.1");
        assert_eq!(readable(12.0), "12");
        assert_eq!(readable(-0.0001), "0");
    }
}
