//! The values of the scenario's optional fields when a file leaves them out (serde's
//! `default = "defaults::..."`); the JSON Schema states the same defaults.

pub fn horizon_weeks() -> u32 {
    52
}
pub fn period_weeks() -> u32 {
    4
}
pub fn warmup_weeks() -> u32 {
    52
}
pub fn end_salvage_fraction() -> f64 {
    0.5
}
pub fn promo_elasticity() -> f64 {
    3.0
}
pub fn dip_weeks() -> u32 {
    2
}
pub fn loading_discount() -> f64 {
    0.05
}
pub fn retailer_max_cover_weeks() -> f64 {
    4.0
}
pub fn decide_every_weeks() -> u32 {
    1
}
pub fn deck_weight() -> f64 {
    0.05
}
pub fn temperature() -> f64 {
    0.0
}
pub fn motivated_reading() -> f64 {
    0.4
}
