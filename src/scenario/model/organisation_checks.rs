//! The checks of the organisation's design: the shared bonus (its weight, the roles it covers,
//! its scorecard) and the alignment meetings, which a network scenario's `network.meetings`
//! shares ([`meeting_spec`]).

use crate::error::Problem;
use crate::scenario::format::{Meetings, SharedBonus};
use crate::scenario::limits;
use crate::scenario::model::checker::Check;
use crate::scenario::model::compiled_parts::{CardSpec, MeetingSpec, RoleSpec};

/// `g` at `path`, checked, with its room among `roles`: the meetings of a network scenario
/// (`network.meetings`, its roles the stock points) have the organisation's format and checks.
pub fn meeting_spec(
    path: &str,
    g: &Meetings,
    roles: &[&str],
    problems: &mut Vec<Problem>,
) -> MeetingSpec {
    let mut c = Check::default();
    let spec = c.meetings(path, g, roles);
    problems.extend(c.problems);
    spec
}

impl Check {
    /// The shared bonus: its weight, the roles it covers (every role, unless listed: the others'
    /// `shares_bonus` is cleared) and its scorecard.
    pub(super) fn shared_bonus(
        &mut self,
        b: &SharedBonus,
        role_names: &[&str],
        names: &[&str],
        roles: &mut [RoleSpec],
    ) -> (f64, CardSpec) {
        self.range("org.shared_bonus.weight", b.weight, limits::SHARE);
        if !b.roles.is_empty() {
            let covered = self.role_list("org.shared_bonus.roles", &b.roles, role_names);
            for (k, r) in roles.iter_mut().enumerate() {
                r.shares_bonus = covered.contains(&k);
            }
        }
        (
            b.weight,
            self.card("org.shared_bonus.scorecard", &b.scorecard, names),
        )
    }

    /// `g` at `p` (`org.meetings`, `network.meetings`), checked against the room's possible
    /// members, `roles`.
    pub(super) fn meetings(&mut self, p: &str, g: &Meetings, role_names: &[&str]) -> MeetingSpec {
        let c = self;
        c.range(
            &format!("{p}.every_weeks"),
            g.every_weeks as f64,
            limits::WEEKS_IN_A_YEAR,
        );
        c.range(
            &format!("{p}.psychological_safety"),
            g.psychological_safety,
            limits::SHARE,
        );
        c.range(&format!("{p}.fear"), g.fear, limits::FEAR);
        c.range(
            &format!("{p}.decision_quorum"),
            g.decision_quorum,
            limits::QUORUM,
        );
        if let Some(d) = g.departure_doubt {
            c.range(&format!("{p}.departure_doubt"), d, limits::DEPARTURE_DOUBT);
        }
        c.range(
            &format!("{p}.vacancy_weeks"),
            g.vacancy_weeks as f64,
            limits::LEAD_WEEKS,
        );
        let roles = if g.roles.is_empty() {
            (0..role_names.len()).collect()
        } else {
            c.role_list(&format!("{p}.roles"), &g.roles, role_names)
        };
        MeetingSpec {
            every: g.every_weeks.max(1) as usize,
            safety: g.psychological_safety,
            fear: g.fear,
            quorum: g.decision_quorum,
            departure: g.departure_doubt,
            vacancy: g.vacancy_weeks as usize,
            roles,
        }
    }
}
