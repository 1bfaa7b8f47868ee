//! The checks of each role and its levers: names used once, each lever's menu of options, its
//! stock point, its approver and the options the strategy leaves it, one lever per target in
//! the whole organisation, levers that would silently do nothing, how the role decides, and
//! what it sees. Also the approval gates: a lever another role approves gets a lever of the
//! approver's that decides each request.

use crate::error::Problem;
use crate::scenario::format::{
    Approval, Behaviour, Lever, LeverTarget, Objective, OrderPolicy, Role, Scenario, Strategy,
};
use crate::scenario::limits::{self, number as num, MAX_OPTIONS, MAX_STOCK_POINTS};
use crate::scenario::model::checker::Check;
use crate::scenario::model::compiled_parts::{CardSpec, LeverSpec, RoleSpec, StockPointSpec};

impl Check {
    /// Each role's levers, scorecard, behaviour and visibility, checked and compiled; the levers
    /// of all roles are numbered together, in the order of the file.
    pub(super) fn roles(
        &mut self,
        s: &Scenario,
        names: &[&str],
        role_names: &[&str],
    ) -> (Vec<LeverSpec>, Vec<RoleSpec>) {
        let mut levers = Vec::new();
        let mut roles = Vec::new();
        for (ri, r) in s.roles.iter().enumerate() {
            let p = format!("roles[{ri}]");
            let mut ids = Vec::new();
            let lever_names: Vec<&str> = r.levers.iter().map(|l| l.name.as_str()).collect();
            self.unique(&format!("{p}.levers"), &lever_names);
            for (li, l) in r.levers.iter().enumerate() {
                ids.push(levers.len());
                levers.push(self.lever(
                    &format!("{p}.levers[{li}]"),
                    ri,
                    l,
                    names,
                    role_names,
                    &s.strategy,
                ));
            }
            let card = self.card(&format!("{p}.scorecard"), &r.scorecard, names);
            self.behaviour(&format!("{p}.behaviour"), &r.behaviour);
            let sees = self.visibility(&p, r, names);
            let emphasis = emphasis(&card);
            roles.push(RoleSpec {
                name: r.name.clone(),
                levers: ids,
                card,
                behaviour: r.behaviour.clone(),
                sees,
                emphasis,
                shares_bonus: true,
            });
        }
        (levers, roles)
    }

    /// What the role at `p` sees of each stock point, and after what delay.
    fn visibility(
        &mut self,
        p: &str,
        r: &Role,
        names: &[&str],
    ) -> [Option<usize>; MAX_STOCK_POINTS] {
        // One meaning: a listed stock point is seen (after its delay, 0 if none); an unlisted one is not.
        let mut sees = [None; MAX_STOCK_POINTS];
        for (vi, v) in r.visibility.iter().enumerate() {
            let vp = format!("{p}.visibility[{vi}]");
            if let Some(e) = self.stock_point(&format!("{vp}.stock_point"), &v.stock_point, names) {
                // A chain longer than MAX_STOCK_POINTS is already a problem; do not index past it.
                if let Some(seen) = sees.get_mut(e) {
                    *seen = Some(v.delay_weeks.unwrap_or(0) as usize);
                }
                if let Some(d) = v.delay_weeks {
                    self.range(
                        &format!("{vp}.delay_weeks"),
                        d as f64,
                        limits::VISIBILITY_DELAY,
                    );
                }
            }
        }
        sees
    }

    /// The lever at `p` of role `role`, checked and compiled: its menu, its decision interval and
    /// cap, its stock point, its approval, and the options the strategy leaves it.
    fn lever(
        &mut self,
        p: &str,
        role: usize,
        l: &Lever,
        names: &[&str],
        roles: &[&str],
        strat: &Strategy,
    ) -> LeverSpec {
        self.lever_menu(p, l);
        self.range(
            &format!("{p}.decide_every_weeks"),
            l.decide_every_weeks as f64,
            limits::WEEKS_IN_A_YEAR,
        );
        if let Some(k) = l.max_uses_per_period {
            self.range(
                &format!("{p}.max_uses_per_period"),
                k as f64,
                limits::WEEKS_IN_A_YEAR,
            );
        }
        let echelon = self.lever_stock_point(p, &l.acts_on, names);
        let latency = match &l.approval {
            Some(a) => self.approval(p, a, roles),
            None => 0,
        };
        let options = self.options_left(p, role, l, roles, strat);
        LeverSpec {
            role,
            name: l.name.clone(),
            target: l.acts_on.clone(),
            echelon,
            initial_value: l.options.get(l.initial).copied().unwrap_or(0.0),
            options,
            every: l.decide_every_weeks.max(1) as usize,
            latency,
            max_uses: l.max_uses_per_period.map(|k| k as usize),
            gate: None,
            approves: None,
        }
    }

    /// A lever's menu: 1 to [`MAX_OPTIONS`] options, each once and in its kind's range, and an
    /// initial option that is a position in it.
    fn lever_menu(&mut self, p: &str, l: &Lever) {
        let n = l.options.len();
        if n == 0 || n > MAX_OPTIONS {
            self.push(Problem::new(
                format!("{p}.options"),
                format!("1 to {MAX_OPTIONS} options"),
                format!("{n}"),
            ));
        }
        let range = l.acts_on.option_range();
        for (i, o) in l.options.iter().enumerate() {
            if l.options[..i].contains(o) {
                self.push(Problem::new(
                    format!("{p}.options[{i}]"),
                    "each option once",
                    format!("{} again", num(*o)),
                ));
            }
            self.range(&format!("{p}.options[{i}]"), *o, range);
        }
        if l.initial >= n.max(1) {
            self.push(
                Problem::new(
                    format!("{p}.initial"),
                    format!("an option index below {n}"),
                    format!("{}", l.initial),
                )
                .hint("initial is the position in options, counting from 0, not the value"),
            );
        }
    }

    /// The echelon a stock-point lever acts on (0 for any other lever, or one naming no stock
    /// point); only the stores can be served or not.
    fn lever_stock_point(&mut self, p: &str, target: &LeverTarget, names: &[&str]) -> usize {
        match target {
            LeverTarget::OrderCover { stock_point } | LeverTarget::ForwardBuy { stock_point } => {
                let e = self.stock_point(&format!("{p}.acts_on.stock_point"), stock_point, names);
                e.unwrap_or(0)
            }
            LeverTarget::StoresServed { stock_point } => {
                let path = format!("{p}.acts_on.stock_point");
                let e = self.stock_point(&path, stock_point, names);
                // Only stores can be served or not: the last stock point, replicated per store.
                if let Some(e) = e.filter(|&e| e + 1 != names.len()) {
                    self.push(Problem::new(
                        path,
                        format!("the stores' stock point ('{}')", names[names.len() - 1]),
                        format!("'{}', stock point {} of {}", names[e], e + 1, names.len()),
                    ));
                }
                e.unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// A lever's approval: an approver that is a role, and a latency in range (returned).
    fn approval(&mut self, p: &str, a: &Approval, roles: &[&str]) -> usize {
        if !roles.contains(&a.by.as_str()) {
            let mut pr = Problem::new(
                format!("{p}.approval.by"),
                format!("a role ({})", roles.join(", ")),
                format!("'{}'", a.by),
            );
            if let Some(near) = crate::scenario::suggest::nearest(&a.by, roles.iter().copied()) {
                pr = pr.hint(format!("did you mean '{near}'?"));
            }
            self.push(pr);
        }
        self.range(
            &format!("{p}.approval.latency_weeks"),
            a.latency_weeks as f64,
            limits::LEAD_WEEKS,
        );
        a.latency_weeks as usize
    }

    /// The lever's options that `strategy.exclusions` leaves its role; at least one must be left.
    fn options_left(
        &mut self,
        p: &str,
        role: usize,
        l: &Lever,
        roles: &[&str],
        strat: &Strategy,
    ) -> Vec<f64> {
        let n = l.options.len();
        let role_name = roles.get(role).copied().unwrap_or("");
        let excluded: Vec<f64> = strat
            .exclusions
            .iter()
            .filter(|x| x.role == role_name && x.lever == l.name)
            .flat_map(|x| x.options.iter().copied())
            .collect();
        let options: Vec<f64> = l
            .options
            .iter()
            .copied()
            .filter(|o| !excluded.contains(o))
            .collect();
        if options.is_empty() && n > 0 {
            self.push(Problem::new(
                format!("{p}.options"),
                "at least one option left after strategy.exclusions",
                "every option excluded",
            ));
        }
        options
    }

    pub(super) fn unique_lever_targets(&mut self, levers: &[LeverSpec], roles: &[RoleSpec]) {
        let path = |k: usize| {
            let r = levers[k].role;
            let j = roles[r].levers.iter().position(|&id| id == k).unwrap_or(0);
            format!("roles[{r}].levers[{j}]")
        };
        for (i, l) in levers.iter().enumerate() {
            if let Some(first) = levers[..i].iter().position(|m| m.target == l.target) {
                let what = match &l.target {
                    LeverTarget::OrderCover { stock_point } => {
                        format!("order_cover of '{stock_point}'")
                    }
                    LeverTarget::ForwardBuy { stock_point } => {
                        format!("forward_buy at '{stock_point}'")
                    }
                    LeverTarget::StoresServed { stock_point } => {
                        format!("stores_served at '{stock_point}'")
                    }
                    LeverTarget::PromoDepth => "promo_depth".into(),
                    LeverTarget::TradeLoading => "trade_loading".into(),
                    LeverTarget::MediaSpend => "media_spend".into(),
                    LeverTarget::Approval => "approval".into(),
                };
                self.push(Problem::new(
                    format!("{}.acts_on", path(i)),
                    "one lever per target in the whole organisation",
                    format!(
                        "a second lever ('{}') on {what}, already set by '{}' ({})",
                        l.name,
                        levers[first].name,
                        path(first)
                    ),
                ));
            }
        }
    }

    /// Serving a share of the stores needs stores: a last stock point replicated per store.
    /// Pooled into one node, a share of it would silently do nothing.
    pub(super) fn serving_needs_stores(&mut self, roles: &[Role], chain: &[StockPointSpec]) {
        let Some(last) = chain.last() else {
            return;
        };
        for (ri, r) in roles.iter().enumerate() {
            for (li, l) in r.levers.iter().enumerate() {
                let LeverTarget::StoresServed { stock_point } = &l.acts_on else {
                    continue;
                };
                if stock_point == &last.name && !last.per_store {
                    self.push(
                        Problem::new(
                            format!("roles[{ri}].levers[{li}].acts_on"),
                            "a stock point replicated per store (per_store: true)",
                            format!("'{stock_point}', one pooled node"),
                        )
                        .hint("a share of one node serves all of it or nothing: mark the stores per_store, or drop the lever"),
                    );
                }
            }
        }
    }

    /// A cover lever on a point that orders a fixed quantity would silently do nothing.
    pub(super) fn covers_need_a_policy_with_cover(
        &mut self,
        roles: &[Role],
        chain: &[StockPointSpec],
    ) {
        for (ri, r) in roles.iter().enumerate() {
            for (li, l) in r.levers.iter().enumerate() {
                let LeverTarget::OrderCover { stock_point } = &l.acts_on else {
                    continue;
                };
                let fixed = chain
                    .iter()
                    .find(|e| &e.name == stock_point)
                    .is_some_and(|e| matches!(e.policy, OrderPolicy::Fixed { .. }));
                if fixed {
                    self.push(
                        Problem::new(format!("roles[{ri}].levers[{li}].acts_on"), "a stock point whose policy has a cover (order_up_to or sterman)", format!("'{stock_point}', which orders a fixed quantity"))
                            .hint("the lever would change nothing: give the stock point an order_up_to policy, or drop the lever"),
                    );
                }
            }
        }
    }

    /// How the role decides: the weight of the deck, slips, motivated reading.
    fn behaviour(&mut self, p: &str, b: &Behaviour) {
        self.range(
            &format!("{p}.deck_weight"),
            b.deck_weight,
            limits::DECK_WEIGHT,
        );
        self.range(&format!("{p}.temperature"), b.temperature, limits::SHARE);
        self.range(
            &format!("{p}.motivated_reading"),
            b.motivated_reading,
            limits::SHARE,
        );
    }
}

/// Gives each lever that another role approves a gate: a lever of the approver's, options
/// refuse (0) and approve (1), approving at first, decided as often as the lever it gates and
/// fitted like any other lever, to the approver's own scorecard and reading of the strategy.
/// Why a lever: the approver's rule then reads its own standing, the fit and the certificate
/// search its family, and the trace and charts show its decisions, with no machinery of its own.
/// A role that approves its own lever has no gate: only the latency remains.
pub(super) fn add_approval_gates(
    s: &Scenario,
    levers: &mut Vec<LeverSpec>,
    roles: &mut [RoleSpec],
) {
    for j in 0..levers.len() {
        let owner = levers[j].role;
        let Some(raw) = s.roles[owner]
            .levers
            .iter()
            .find(|l| l.name == levers[j].name)
        else {
            continue;
        };
        let Some(by) = raw
            .approval
            .as_ref()
            .and_then(|a| roles.iter().position(|r| r.name == a.by))
        else {
            continue;
        };
        if by == owner {
            continue;
        }
        let g = levers.len();
        levers[j].gate = Some(g);
        levers.push(LeverSpec {
            role: by,
            name: format!("approve_{}", levers[j].name),
            target: LeverTarget::Approval,
            echelon: 0,
            options: vec![0.0, 1.0],
            initial_value: 1.0,
            every: levers[j].every,
            latency: 0,
            max_uses: None,
            gate: None,
            approves: Some(j),
        });
        roles[by].levers.push(g);
    }
}

/// The objectives a scorecard speaks to, by weight (summing to 1), for motivated reading.
fn emphasis(card: &CardSpec) -> [f64; 3] {
    let mut e = [0.0; 3];
    for comp in &card.components {
        let k = Objective::ALL
            .iter()
            .position(|o| *o == comp.metric.emphasis())
            .unwrap();
        e[k] += comp.weight;
    }
    let s: f64 = e.iter().sum();
    if s > 0.0 {
        e.iter_mut().for_each(|x| *x /= s);
    }
    e
}
