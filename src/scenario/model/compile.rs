//! [`Model::compile`]: the order in which a parsed scenario is checked, part by part (its
//! numbers and world, its roles and levers, the strategy, the organisation), and the checked
//! parts put together into a [`Model`]. No problem stops the checks: every one is collected
//! and all are returned at once.

use crate::error::Problem;
use crate::scenario::format::{LeverTarget, Scenario};
use crate::scenario::limits;
use crate::scenario::model::checker::Check;
use crate::scenario::model::compiled_parts::LeverSpec;
use crate::scenario::model::role_checks::add_approval_gates;
use crate::scenario::model::Model;
use crate::scenario::playbook::Playbook;

impl Model {
    /// Checks everything and resolves names; returns every problem found.
    pub fn compile(s: Scenario) -> Result<Model, Vec<Problem>> {
        let mut c = Check::default();
        c.check_top(&s);
        let chain = c.chain(&s.world);
        let names: Vec<&str> = s.world.chain.iter().map(|e| e.name.as_str()).collect();
        let role_names: Vec<&str> = s.roles.iter().map(|r| r.name.as_str()).collect();
        c.unique("roles", &role_names);
        if s.roles.is_empty() {
            c.push(Problem::new("roles", "at least one role", "an empty list"));
        }
        let (mut levers, mut roles) = c.roles(&s, &names, &role_names);
        c.unique_lever_targets(&levers, &roles);
        c.covers_need_a_policy_with_cover(&s.roles, &chain);
        c.serving_needs_stores(&s.roles, &chain);
        let (weights, priority) = c.strategy(&s.strategy);
        let targets = c.targets(&s.strategy);
        let claimants = c.claimants(&s.strategy, &role_names);
        c.exclusions(&s.strategy, &s.roles);
        let shared = s
            .org
            .shared_bonus
            .as_ref()
            .map(|b| c.shared_bonus(b, &role_names, &names, &mut roles));
        c.range(
            "org.defection_cost",
            s.org.defection_cost,
            limits::DEFECTION_COST,
        );
        let meetings = s
            .org
            .meetings
            .as_ref()
            .map(|g| c.meetings("org.meetings", g, &role_names));
        let sell_in = c.sell_in_point(&s.world, &names);
        if !c.problems.is_empty() {
            return Err(c.problems);
        }
        add_approval_gates(&s, &mut levers, &mut roles);
        let find = |t: &LeverTarget| levers.iter().position(|l| &l.target == t);
        let playbook = initial_playbook(&levers, roles.len());
        Ok(Model {
            horizon: s.horizon_weeks as usize,
            period: s.period_weeks as usize,
            // Whole periods, so that the warm-up's period phase carries into week 1.
            warmup: (s.warmup_weeks as usize).div_ceil(s.period_weeks.max(1) as usize)
                * s.period_weeks.max(1) as usize,
            plan: None,
            playbook,
            overrides: Vec::new(),
            name: s.name.clone(),
            source_sha256: String::new(),
            warnings: Vec::new(),
            stores: s.world.stores as usize,
            sell_in,
            promo_lever: find(&LeverTarget::PromoDepth),
            loading_lever: find(&LeverTarget::TradeLoading),
            media_lever: find(&LeverTarget::MediaSpend),
            chain,
            levers,
            roles,
            weights,
            priority,
            targets,
            claimants,
            shared,
            defection_cost: s.org.defection_cost,
            meetings,
            scenario: s,
        })
    }
}

/// The playbook before any fit: every lever at its initial option (`orgsim::sim::fit` fits it).
fn initial_playbook(levers: &[LeverSpec], roles: usize) -> Playbook {
    Playbook::initial(
        &levers
            .iter()
            .map(|l| (l.initial_index(), l.options.len()))
            .collect::<Vec<_>>(),
        roles,
    )
}
