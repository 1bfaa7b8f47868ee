//! A role as written in the file: its levers (what each acts on, its menu of options, how
//! often it is decided, who approves it), how it decides, and what it sees of the chain. Its
//! scorecard has its own file ([`super::scorecards`]).

use super::conditional_ranges::{keywords, push_case};
use super::defaults;
use super::scorecards::Scorecard;
use crate::scenario::limits;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A department or partner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Name used in outputs and references.
    pub name: String,
    /// Who this is, in plain words.
    #[serde(default)]
    pub description: String,
    /// The decisions this role controls.
    pub levers: Vec<Lever>,
    /// How this role is paid.
    pub scorecard: Scorecard,
    /// How this role decides (pressure, rationality, planning horizon).
    #[serde(default)]
    pub behaviour: Behaviour,
    /// What this role sees of each stock point's stock; stock points not listed are seen without delay.
    #[serde(default)]
    pub visibility: Vec<Visibility>,
}

/// A decision with a finite menu of options.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = lever_option_ranges)]
pub struct Lever {
    /// Name used in outputs and exclusions.
    pub name: String,
    /// What the lever changes in the world.
    pub acts_on: LeverTarget,
    /// The menu of option values (meaning depends on `acts_on`).
    #[schemars(length(min = 1, max = limits::MAX_OPTIONS))]
    pub options: Vec<f64>,
    /// Index of the option in effect before the first decision.
    #[serde(default)]
    pub initial: usize,
    /// Decide every this many weeks.
    #[serde(default = "defaults::decide_every_weeks")]
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub decide_every_weeks: u32,
    /// A change takes effect only after another role approves it.
    #[serde(default)]
    pub approval: Option<Approval>,
    /// At most this many decisions per period may be away from the initial option (the retailer's
    /// promotion slots, a trade budget); beyond it the lever plays its initial option. Absent = no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = limits::WEEKS_IN_A_YEAR.schema())]
    pub max_uses_per_period: Option<u32>,
}

/// What a lever sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LeverTarget {
    /// Consumer price discount this week (0.2 = 20% off), funded by a trade deal on sell-in.
    PromoDepth,
    /// Extra units pushed to the retailer this week, in weeks of its forecast demand.
    TradeLoading,
    /// Media spend this week, per store (the cost is this times the store count).
    MediaSpend,
    /// The cover (weeks) of a stock point's ordering policy.
    OrderCover {
        /// The stock point.
        stock_point: String,
    },
    /// Extra weeks of forecast demand a stock point buys while a promotion deal is on.
    ForwardBuy {
        /// The stock point.
        stock_point: String,
    },
    /// The share of the stores that carry the product, the largest first (the retailer's
    /// allocation, unseen by the company): the others order none and sell none.
    StoresServed {
        /// The per-store stock point.
        stock_point: String,
    },
    /// An approver's decision on another role's lever (0 = refuse the request, 1 = approve it):
    /// compiled from that lever's `approval`, never written in a file.
    #[serde(skip)]
    #[schemars(skip)]
    Approval,
}

impl LeverTarget {
    /// One target of each kind (stock points left empty), in declaration order.
    pub fn each_kind() -> [LeverTarget; 6] {
        let sp = String::new;
        [
            LeverTarget::PromoDepth,
            LeverTarget::TradeLoading,
            LeverTarget::MediaSpend,
            LeverTarget::OrderCover { stock_point: sp() },
            LeverTarget::ForwardBuy { stock_point: sp() },
            LeverTarget::StoresServed { stock_point: sp() },
        ]
    }

    /// The `kind` written in files.
    pub fn kind(&self) -> &'static str {
        match self {
            LeverTarget::PromoDepth => "promo_depth",
            LeverTarget::TradeLoading => "trade_loading",
            LeverTarget::MediaSpend => "media_spend",
            LeverTarget::OrderCover { .. } => "order_cover",
            LeverTarget::ForwardBuy { .. } => "forward_buy",
            LeverTarget::StoresServed { .. } => "stores_served",
            LeverTarget::Approval => "approval",
        }
    }

    /// Where an option of a lever on this target must lie.
    pub fn option_range(&self) -> limits::Range {
        match self {
            LeverTarget::PromoDepth => limits::DISCOUNT,
            LeverTarget::TradeLoading => limits::TRADE_LOADING_WEEKS,
            LeverTarget::MediaSpend => limits::MEDIA_SPEND,
            LeverTarget::OrderCover { .. } => limits::COVER_WEEKS,
            LeverTarget::ForwardBuy { .. } => limits::FORWARD_BUY_WEEKS,
            LeverTarget::StoresServed { .. } => limits::STORES_SERVED,
            LeverTarget::Approval => limits::SHARE,
        }
    }
}

/// Approval needed before a chosen option takes effect.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The approving role. Another role decides each request by a rule of its own, fitted to its
    /// own scorecard and its reading of the strategy: a refused request leaves the lever where
    /// it was (counted in `requests_refused`). The lever's own role approves everything it asks.
    pub by: String,
    /// Weeks between the decision and its effect.
    #[schemars(transform = limits::LEAD_WEEKS.schema())]
    pub latency_weeks: u32,
}

/// How a role decides. Its playbook (a rule per lever) is fitted to its own scorecard by
/// `orgsim::sim::fit`; these settings say what it is fitted to and how it is played.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// How much expected bonus (as a fraction of target bonus) the role would give up for one unit
    /// of the strategy as it reads it (its reading of sell-out, margin and availability against the
    /// plan). Small by default: the bonus is louder than the deck.
    #[serde(default = "defaults::deck_weight")]
    #[schemars(transform = limits::DECK_WEIGHT.schema())]
    pub deck_weight: f64,
    /// Probability of a slip: at each decision the role takes a different allowed option, at random,
    /// with this probability (bounded rationality; 0 = always its rule's option).
    #[serde(default = "defaults::temperature")]
    #[schemars(transform = limits::SHARE.schema())]
    pub temperature: f64,
    /// Share of ambiguity-driven reading that follows the role's own scorecard rather than noise.
    #[serde(default = "defaults::motivated_reading")]
    #[schemars(transform = limits::SHARE.schema())]
    pub motivated_reading: f64,
    /// Past its bonus cap (the bonus flat, so only the deck term of its utility is left), the role
    /// plays the option its own reading of the strategy prefers instead of its rule's: ambiguity,
    /// a stated priority and its scorecard's emphasis then move what it does. Off by default
    /// until the map of what it does to the stories is complete (docs/model.md).
    #[serde(default)]
    pub follow_deck_past_cap: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            deck_weight: defaults::deck_weight(),
            temperature: defaults::temperature(),
            motivated_reading: defaults::motivated_reading(),
            follow_deck_past_cap: false,
        }
    }
}

/// What a role sees of one stock point.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Visibility {
    /// The stock point.
    pub stock_point: String,
    /// Weeks of delay before the role sees the stock count (0 = this week's count; absent = 0).
    /// A stock point that is not listed is not seen at all.
    #[serde(default)]
    #[schemars(transform = limits::VISIBILITY_DELAY.schema())]
    pub delay_weeks: Option<u32>,
}

/// Each lever kind's range on its `options`.
fn lever_option_ranges(schema: &mut schemars::Schema) {
    for target in LeverTarget::each_kind() {
        let kind = target.kind();
        let case = json!({
            "if": {
                "required": ["acts_on"],
                "properties": { "acts_on": {
                    "required": ["kind"],
                    "properties": { "kind": { "const": kind } },
                } },
            },
            "then": { "properties": { "options": { "items": keywords(target.option_range()) } } },
        });
        push_case(schema, case);
    }
}
