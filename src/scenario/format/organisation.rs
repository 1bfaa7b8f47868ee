//! The organisation's design as written in the file (`org`): the shared bonus, the cost of
//! defection, and the alignment meetings (which a network scenario's `network.meetings`
//! also uses).

use super::scorecards::Scorecard;
use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Organisation design.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// A component added to every role's bonus, tied to global outcomes.
    #[serde(default)]
    pub shared_bonus: Option<SharedBonus>,
    /// A clawback: when the organisation misses its strategy, every role gives back this much of its
    /// bonus (as a fraction of target bonus a period) per unit the strategy's attainment falls short
    /// of 1 (0 = no consequence designed in). Roles' playbooks are fitted to their pay after it.
    #[serde(default)]
    #[schemars(transform = limits::DEFECTION_COST.schema())]
    pub defection_cost: f64,
    /// Alignment meetings (absent = none are held).
    #[serde(default)]
    pub meetings: Option<Meetings>,
}

/// The alignment ritual: every `every_weeks` the roles meet. Each holds a doubt (how far its
/// reading of the strategy is from the group's); it voices it only when its doubt outweighs
/// its fear of speaking, which psychological safety and others' voices lower. Without enough
/// voices the meeting records stated agreement and changes nothing; with them it forces a
/// decision: the loudest voice settles the trade-off, every reading in the room moves halfway
/// to it, and the option that pulls hardest against it is excluded for the rest of the trial
/// (its owner loses it). A network scenario (`network.meetings`) holds the same meetings among
/// its stock points' players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meetings {
    /// Weeks between meetings; the first opens week 1.
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub every_weeks: u32,
    /// 0 = speaking up feels dangerous (fear at its full height), 1 = every doubt is voiced.
    #[schemars(transform = limits::SHARE.schema())]
    pub psychological_safety: f64,
    /// The doubt it takes to speak up alone in a room with no psychological safety, for the most
    /// fearful: each meeting a role's fear is drawn evenly between 0 and this, then lowered by
    /// safety and by the share of the others already heard. A doubt is a distance between
    /// readings, from 0 to 1, so a fear above 1 leaves even total disagreement sometimes unsaid.
    #[serde(default = "default_fear")]
    #[schemars(transform = limits::FEAR.schema())]
    pub fear: f64,
    /// Share of the participants whose voiced dissent forces a decision.
    #[serde(default = "default_quorum")]
    #[schemars(transform = limits::QUORUM.schema())]
    pub decision_quorum: f64,
    /// Unvoiced doubt, summed over meetings, at which a role's holder leaves; absent = nobody
    /// leaves. A doubt is a distance between readings, from 0 to 1.
    #[serde(default)]
    #[schemars(transform = limits::DEPARTURE_DOUBT.schema())]
    pub departure_doubt: Option<f64>,
    /// Weeks a seat stays empty after a departure (its levers stay at their initial options).
    #[serde(default = "default_vacancy")]
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub vacancy_weeks: u32,
    /// The roles in the room, by name; empty (the default) means every role.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn default_fear() -> f64 {
    2.0
}

fn default_quorum() -> f64 {
    0.5
}

fn default_vacancy() -> u32 {
    8
}

/// A shared component in every bonus.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedBonus {
    /// Share of every role's bonus paid on the shared scorecard (0.5 = half of every bonus is shared).
    #[schemars(transform = limits::SHARE.schema())]
    pub weight: f64,
    /// The shared scorecard.
    pub scorecard: Scorecard,
    /// The roles whose bonus it covers, by name; empty (the default) covers every role. An
    /// external partner (the retailer's buyer) is paid by its own company, not by this one.
    #[serde(default)]
    pub roles: Vec<String>,
}
