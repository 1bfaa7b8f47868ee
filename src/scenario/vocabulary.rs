//! The names of what a trial measures: the metrics a scorecard, a strategy objective or a
//! target may name, and the per-role values. The scenario's checks need them, and so does
//! everything that measures or writes them.

/// Per-trial global metrics, in the column order of `trials.csv`.
pub const GLOBAL_METRICS: &[&str] = &[
    "sell_out_units",
    "sell_in_units",
    "consumer_demand_units",
    "revenue",
    "company_revenue",
    "gross_margin",
    "profit",
    "company_profit",
    "fill_rate",
    "on_shelf_availability",
    "stockout_store_weeks",
    "lost_sales_units",
    "write_off_units",
    "ending_inventory_units",
    "holding_cost",
    "media_spend",
    "promo_weeks",
    "trade_spend",
    "oos_promo_weeks",
    "oos_other_weeks",
    "promo_lift_realised",
    "write_off_after_flops",
    "bullwhip_ratio",
    "strategy_met",
    "coordinated_divergence",
    "strategy_attainment",
    "divergence_gap",
    "interpretation_spread",
    "operational_spread",
    "requests_refused",
    "meetings_held",
    "meetings_with_dissent",
    "decisions_made",
    "options_excluded",
    "stated_agreement",
    "operational_agreement",
    "departures",
    "media_weeks_late",
    "stores_served_share",
    "sell_out_vs_plan",
];

/// Per-trial metrics that only meetings give a value to (0 in a scenario that holds none).
pub const MEETING_METRICS: &[&str] = &[
    "meetings_held",
    "meetings_with_dissent",
    "decisions_made",
    "options_excluded",
    "stated_agreement",
    "departures",
];

/// Per-trial metrics that only a launch (`world.launch`) gives a meaning to (0, and all stores
/// served, in a scenario without one).
pub const LAUNCH_METRICS: &[&str] = &["media_weeks_late", "stores_served_share"];

/// Index of a global metric by name (panics on a typo in code, never on user input).
pub fn metric(name: &str) -> usize {
    GLOBAL_METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Per-role, per-trial values.
pub const ROLE_METRICS: &[&str] = &["attainment", "payout", "claims_success", "projection_bias"];

/// Number of per-role, per-trial values ([`ROLE_METRICS`]).
pub const ROLE_VALUES: usize = 4;
