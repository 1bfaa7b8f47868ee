//! What every per-trial metric means, in a line, with its unit: for `orgsim metrics`, and for
//! anyone who opens `trials.csv` and meets a column name. The README's "What a run writes" says
//! the same in prose; a test holds that every metric a run writes has a line here.

/// `(metric, unit, meaning)` for each of [`super::vocabulary::GLOBAL_METRICS`].
pub const GLOBAL: &[(&str, &str, &str)] = &[
    ("sell_out_units", "units", "units sold to consumers across every store"),
    ("sell_in_units", "units", "units the company shipped to the retailer"),
    ("consumer_demand_units", "units", "units consumers asked for, sold or not"),
    ("revenue", "money", "consumer revenue of the whole chain"),
    ("company_revenue", "money", "the company's sell-in revenue"),
    ("gross_margin", "money", "the chain's consumer revenue less the goods sold, at unit cost"),
    ("profit", "money", "the chain's profit: gross margin less holding, write-offs at cost, media, and the stock left at the end less its salvage"),
    ("company_profit", "money", "the company's own profit: sell-in revenue less goods, its holding, write-offs and media, less its stock left at the end"),
    ("fill_rate", "share 0-1", "share of consumer demand served"),
    ("on_shelf_availability", "share 0-1", "share of store-weeks in which every customer was served"),
    ("stockout_store_weeks", "store-weeks", "store-weeks with a customer turned away"),
    ("lost_sales_units", "units", "demand not served (lost, never owed)"),
    ("write_off_units", "units", "units written off: past their shelf life, or left at the end"),
    ("ending_inventory_units", "units", "stock left in the chain after the last week"),
    ("holding_cost", "money", "the cost of holding stock, every stock point, every week"),
    ("media_spend", "money", "marketing's media spend"),
    ("promo_weeks", "weeks", "weeks with a promotion running"),
    ("trade_spend", "money", "deals and loading discounts given on sell-in"),
    ("oos_promo_weeks", "share 0-1", "share of store-weeks out of stock in promotion weeks"),
    ("oos_other_weeks", "share 0-1", "share of store-weeks out of stock in other weeks"),
    ("promo_lift_realised", "factor", "the promotions' mean realised lift over the expected (1 as expected; 1 without promotions)"),
    ("write_off_after_flops", "units", "units written off within 8 weeks of a promotion that lifted less than half its expected extra volume"),
    ("bullwhip_ratio", "ratio", "production-order variance over consumer-demand variance"),
    ("strategy_met", "0 or 1", "1 when every strategy target was met"),
    ("coordinated_divergence", "0 or 1", "1 when the strategy was missed while every claimant met its own scorecard"),
    ("strategy_attainment", "ratio", "how far the worst-met strategy target is met (1 exactly met)"),
    ("divergence_gap", "ratio", "the claimants' mean attainment less the strategy's: the continuous measure beside coordinated_divergence"),
    ("interpretation_spread", "share 0-1", "mean distance between the roles' readings of the strategy's weights (total variation)"),
    ("operational_spread", "share 0-1", "how differently the roles' choices pull on the objectives"),
    ("requests_refused", "weeks", "weeks an approver refused a lever's request"),
    ("meetings_held", "meetings", "meetings held"),
    ("meetings_with_dissent", "meetings", "meetings in which someone voiced a doubt"),
    ("decisions_made", "decisions", "decisions the meetings made"),
    ("options_excluded", "options", "lever options the meetings' decisions ruled out"),
    ("stated_agreement", "share 0-1", "1 less the share of the room that voiced dissent, averaged over meetings (0 without meetings)"),
    ("operational_agreement", "share 0-1", "1 less operational_spread: agreement shown in what the roles did"),
    ("departures", "people", "people who left after meetings"),
    ("media_weeks_late", "weeks", "weeks a launch campaign started after shelf day"),
    ("stores_served_share", "share 0-1", "share of store-weeks from shelf day on in which a store carried the launched product"),
    ("sell_out_vs_plan", "ratio", "sell-out against the plan's"),
];

/// `(metric, unit, meaning)` for each of [`super::vocabulary::ROLE_METRICS`], written per role as
/// `<role>_<metric>`.
pub const ROLE: &[(&str, &str, &str)] = &[
    ("attainment", "ratio", "the role's scorecard attainment, its periods averaged (1 on target)"),
    ("payout", "share of target bonus", "the bonus the scorecard paid, its periods averaged"),
    ("claims_success", "0 or 1", "1 when the role met its scorecard"),
    ("projection_bias", "share of target bonus", "what the role's fit expected to be paid less what it was paid (near 0 for a role that knows its own game)"),
];

/// `(metric, unit, meaning)` for a network scenario's columns: the chain's, then each stock
/// point's, written `<metric>_<point>`.
pub const NETWORK: &[(&str, &str, &str)] = &[
    (
        "total_cost",
        "money",
        "the chain's holding and backlog cost",
    ),
    (
        "demand_var",
        "units²",
        "the variance of the customers' weekly demand",
    ),
    (
        "strategy_met",
        "0 or 1",
        "1 when the total cost kept to the strategy's budget",
    ),
    (
        "strategy_attainment",
        "ratio",
        "the total cost against its budget (1 on budget, 2 at no cost)",
    ),
    (
        "coordinated_divergence",
        "0 or 1",
        "1 when the chain missed its budget while every point kept to its own",
    ),
    (
        "divergence_gap",
        "ratio",
        "the points' mean attainment less the strategy's",
    ),
    (
        "cost_<point>",
        "money",
        "the point's holding and backlog cost",
    ),
    (
        "order_var_<point>",
        "units²",
        "the variance of the point's weekly orders",
    ),
    (
        "amp_<point>",
        "ratio",
        "the point's order variance over the customers' demand variance",
    ),
    (
        "stage_amp_<point>",
        "ratio",
        "the point's order variance over the orders it received",
    ),
    (
        "bullwhip_ratio_<point>",
        "ratio",
        "order variance over demand variance over the weeks measured (the textbook's ratio)",
    ),
    (
        "peak_order_<point>",
        "units",
        "the point's largest weekly order",
    ),
    (
        "peak_week_<point>",
        "week",
        "the week of that order (1-based)",
    ),
    (
        "attainment_<point>",
        "ratio",
        "the point's player's scorecard attainment against its budget",
    ),
    (
        "claims_success_<point>",
        "0 or 1",
        "1 when the point kept to its own budget",
    ),
];

/// The unit and meaning of a global metric (None for a name that is not one).
pub fn of(metric: &str) -> Option<(&'static str, &'static str)> {
    GLOBAL
        .iter()
        .find(|(m, ..)| *m == metric)
        .map(|(_, u, w)| (*u, *w))
}

#[cfg(test)]
mod tests {
    use super::super::network::{NETWORK_GLOBALS, POINT_METRICS};
    use super::super::vocabulary::{GLOBAL_METRICS, ROLE_METRICS};
    use super::*;

    #[test]
    fn every_metric_a_run_writes_has_a_meaning_in_order() {
        let names =
            |t: &[(&str, &str, &str)]| t.iter().map(|x| x.0.to_string()).collect::<Vec<_>>();
        assert_eq!(names(GLOBAL), GLOBAL_METRICS);
        assert_eq!(names(ROLE), ROLE_METRICS);
        let network = names(NETWORK);
        for m in NETWORK_GLOBALS {
            assert!(network.contains(&m.to_string()), "{m}");
        }
        for m in POINT_METRICS {
            assert!(network.contains(&format!("{m}_<point>")), "{m}");
        }
    }
}
