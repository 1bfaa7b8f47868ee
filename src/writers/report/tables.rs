//! The report's two tables: every metric (mean, 95% interval, percentiles and the plan's
//! value) and every role (attainment, payout, how often it claims success, and claims while
//! the strategy is missed, bias and its reading of the strategy).

use super::words::{capitalised, words};
use crate::numbers::{readable, whole_percent};
use crate::scenario::model::Model;
use crate::stats::metrics::{Aggregate, Stat, GLOBAL_METRICS};
use crate::writers::charts::claims_while_missed;
use serde::Serialize;

/// An identifier with its plain words, for the table of metrics.
#[derive(Serialize)]
struct Named {
    words: String,
    id: &'static str,
}

impl Named {
    fn of(id: &'static str) -> Self {
        Named {
            words: capitalised(words(id)),
            id,
        }
    }
}

/// A row of the table of metrics.
#[derive(Serialize)]
pub(super) struct MetricRow {
    name: Named,
    mean: String,
    ci: String,
    p10: String,
    p50: String,
    p90: String,
    plan: String,
}

/// A row of the table of roles.
#[derive(Serialize)]
pub(super) struct RoleRow {
    name: String,
    attainment: String,
    attainment_ci: String,
    payout: String,
    claims: String,
    claims_missed: String,
    bias: String,
    reading: Vec<String>,
}

// ---------------------------------------------------------------- the rows

/// The table of metrics: every global metric but those of meetings or a launch the scenario
/// does not have.
pub(super) fn metric_rows(model: &Model, agg: &Aggregate) -> Vec<MetricRow> {
    GLOBAL_METRICS
        .iter()
        .zip(&agg.metrics)
        .enumerate()
        // A scenario without meetings has nothing to say about them: six rows of zeros; nor
        // one without a launch about its campaign and allocation.
        .filter(|(_, (name, _))| {
            model.meetings.is_some() || !crate::scenario::vocabulary::MEETING_METRICS.contains(name)
        })
        .filter(|(_, (name, _))| {
            model.scenario.world.launch.is_some()
                || !crate::scenario::vocabulary::LAUNCH_METRICS.contains(name)
        })
        .map(|(m, (name, st))| {
            let ci = st.ci95();
            let q = |p| readable(st.sketch.quantile(p));
            let plan = model
                .plan
                .as_ref()
                .filter(|_| !crate::scenario::model::not_in_plan(name));
            MetricRow {
                name: Named::of(name),
                mean: readable(st.moments.mean()),
                ci: format!("{} to {}", readable(ci[0]), readable(ci[1])),
                p10: q(0.1),
                p50: q(0.5),
                p90: q(0.9),
                plan: plan.map_or("–".into(), |p| readable(p.metrics[m])),
            }
        })
        .collect()
}

/// The table of roles, one row each.
pub(super) fn role_rows(model: &Model, agg: &Aggregate) -> Vec<RoleRow> {
    let ci = |s: &Stat| {
        let c = s.ci95();
        format!("{} to {}", readable(c[0]), readable(c[1]))
    };
    model
        .roles
        .iter()
        .enumerate()
        .map(|(r, role)| {
            let [a, p, c, bias] = &agg.roles[r];
            RoleRow {
                name: role.name.clone(),
                attainment: readable(a.moments.mean()),
                attainment_ci: ci(a),
                payout: readable(p.moments.mean()),
                claims: whole_percent(c.moments.mean()),
                claims_missed: whole_percent(claims_while_missed(agg, r)),
                bias: readable(bias.moments.mean()),
                reading: agg.interpretations[r]
                    .iter()
                    .map(|s| whole_percent(s.moments.mean()))
                    .collect(),
            }
        })
        .collect()
}
