//! What the scenario's promotion lever fixes on a chart: how deep the depth axis runs, the depth
//! that marks a week as a promotion week, and the role named as the promoter.
//!
//! Read from the scenario as written, not from the data, so two runs of one scenario share
//! their scales and their shading.

use super::style::min_max;
use crate::scenario::model::Model;

/// Top of the promotion-depth axis, % off, when the scenario offers no promotion.
const DEPTH_TOP: f64 = 50.0;

/// The promotion lever's options as the scenario writes them (before exclusions, so ruling a
/// depth out does not rescale the chart).
fn promo_options(model: &Model) -> Option<&[f64]> {
    let lever = &model.levers[model.promo_lever?];
    let written = model.scenario.roles.get(lever.role).and_then(|r| {
        let l = r.levers.iter().find(|l| l.name == lever.name)?;
        Some(l.options.as_slice())
    });
    Some(written.unwrap_or(&lever.options))
}

/// Top of a promotion-depth axis, % off: the deepest option on offer.
pub(super) fn depth_top(model: &Model) -> f64 {
    let hi = promo_options(model).map_or(0.0, |o| min_max(o.iter().copied()).1);
    if hi > 0.0 {
        100.0 * hi
    } else {
        DEPTH_TOP
    }
}

/// A week is shaded as a promotion week when its mean depth (% off) reaches half the shallowest
/// promotion on offer: 5% off for options 0, 0.1, 0.2, 0.3. Set by the scenario, not the data.
pub(super) fn promo_mark(model: &Model) -> f64 {
    let positive = promo_options(model)
        .into_iter()
        .flatten()
        .copied()
        .filter(|o| *o > 0.0);
    50.0 * positive.fold(f64::INFINITY, f64::min)
}

/// The role that runs promotions.
pub(super) fn promoter(model: &Model) -> &str {
    model.promo_lever.map_or("the promoting role", |j| {
        model.roles[model.levers[j].role].name.as_str()
    })
}
