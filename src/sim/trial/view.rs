//! What a role sees at a decision week, and what it decided: the values a workshop page shows
//! the participant in that seat, and a trace explains.

use super::Trial;
use crate::scenario::model::MAX_DELAY;
use crate::scenario::playbook::Standing;
use crate::sim::org;

/// What a role sees at a decision week (see [`Trial::view`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoleView {
    /// The role's name, as the scenario gives it.
    pub role: String,
    /// The week about to be played (0-based).
    pub week: usize,
    /// 1-based week within the scorecard period.
    pub week_of_period: usize,
    /// Length of this period.
    pub period_weeks: usize,
    /// How hard the bonus pulls now (0 to 0.95).
    pub pressure: f64,
    /// Scorecard attainment so far this period, against the pro-rated target.
    pub attainment_so_far: f64,
    /// Scorecard periods closed so far (a short last period counts its share).
    pub periods_closed: f64,
    /// Mean attainment over the closed periods (0 before the first closes).
    pub mean_attainment: f64,
    /// Mean bonus payout over the closed periods, as a share of target bonus (0 before the first).
    pub mean_payout: f64,
    /// The role's reading of the strategy (sell-out, margin, availability).
    pub reading: [f64; 3],
    /// Stock at each stock point as the role sees it.
    pub stock: Vec<SeenStock>,
    /// The role's levers.
    pub levers: Vec<LeverView>,
}

/// One stock point as a role sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeenStock {
    /// The stock point.
    pub stock_point: String,
    /// Units on hand, or None where the role cannot see (or cannot see yet).
    pub units: Option<f64>,
    /// The week those units were counted (negative: a warm-up week).
    pub as_of_week: Option<i64>,
}

/// A lever as its owner sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeverView {
    /// The lever's name, as the scenario gives it.
    pub name: String,
    /// Allowed options.
    pub options: Vec<f64>,
    /// The value in effect before this week's decision.
    pub in_effect: f64,
    /// Decided every this many weeks.
    pub every: usize,
    /// Whether the lever is decided this week (otherwise it keeps its value).
    pub open: bool,
    /// Moves away from its usual value left this period, where the lever limits them (a
    /// decision past the limit keeps the usual value).
    pub uses_left: Option<usize>,
}

/// One decision as the trace records it (see [`Trial::traced`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The week (0-based, scored weeks only).
    pub week: usize,
    /// Role index.
    pub role: usize,
    /// Lever index.
    pub lever: usize,
    /// Where the role stood.
    pub standing: Standing,
    /// How hard the bonus pulled (see `org::pressure`).
    pub pressure: f64,
    /// Whether the rule's push fired.
    pub pushed: bool,
    /// The rule's option (index).
    pub rule_option: usize,
    /// The option asked for (index): the rule's, a slip, or one supplied from outside, before the
    /// game's rules (an empty seat, an option a meeting excluded, a lever's uses a period) had
    /// their say.
    pub asked: usize,
    /// The option played (index): the one asked for, unless the game's rules kept another.
    pub chosen: usize,
    /// Whether the choice was supplied from outside ([`Trial::step_with`]).
    pub external: bool,
    /// Whether the role was past its bonus cap and so played the option its reading of the
    /// strategy prefers (see `org::deck_choice`) in place of its rule's.
    pub followed_deck: bool,
}

impl Trial<'_> {
    /// What role `r` sees before deciding this week: stock where it can see it (as of the week
    /// its visibility delay allows), its pressure, its scorecard so far, its levers. A value a
    /// workshop page can show to the participant in that seat.
    pub fn view(&self, r: usize) -> RoleView {
        let (m, t, tau) = (self.model, self.week(), self.tau);
        let role = &m.roles[r];
        let ps = t / m.period * m.period;
        let period_len = m.period.min(m.horizon.saturating_sub(ps)).max(1);
        let stock = m
            .chain
            .iter()
            .enumerate()
            .map(|(e, sp)| {
                // Stock is counted at the end of each week: d weeks late is the count of week t - 1 - d
                // (counts from the warm-up are there to be seen at the start).
                let seen = role.sees[e].and_then(|d| (tau > d).then(|| tau - 1 - d));
                SeenStock {
                    stock_point: sp.name.clone(),
                    units: seen.map(|w| self.stock_history[w % (MAX_DELAY + 1)][e]),
                    as_of_week: seen.map(|w| w as i64 - m.warmup as i64),
                }
            })
            .collect();
        let levers = role
            .levers
            .iter()
            .map(|&j| LeverView {
                name: m.levers[j].name.clone(),
                options: m.levers[j].options.clone(),
                in_effect: org::lever_value(m, &self.chosen, j, tau, tau),
                every: m.levers[j].every,
                open: tau % m.levers[j].every == 0,
                uses_left: m.levers[j].max_uses.map(|k| k.saturating_sub(self.uses[j])),
            })
            .collect();
        let st = org::standing(m, role, &self.period, t - ps, period_len);
        let closed = self.periods_done;
        let mean = |sum: f64| if closed > 0.0 { sum / closed } else { 0.0 };
        RoleView {
            role: role.name.clone(),
            week: t,
            week_of_period: t - ps + 1,
            period_weeks: period_len,
            pressure: org::pressure(&st),
            attainment_so_far: 1.0 - st.shortfall,
            periods_closed: closed,
            mean_attainment: mean(self.attainment[r]),
            mean_payout: mean(self.payout[r]),
            reading: self.readings[r],
            stock,
            levers,
        }
    }
}
