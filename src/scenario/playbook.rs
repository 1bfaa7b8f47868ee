//! How roles play their levers: one small rule per lever, fitted to the role's own scorecard.
//!
//! A rule reads what a role always knows: the week of the period and how far it stands behind
//! (or ahead of) its pro-rated target. It plays a `base` option, and a `push` option when it is
//! behind by at least a trigger in the last weeks of a period. Constant policies are rules too
//! (`push == base`), so a rule fitted by best response (see `orgsim::sim::fit`) is never beaten by a
//! constant policy on the fitting trials, and the hockey stick, if it comes, comes from the
//! scorecard's threshold and period end rather than from a formula written here.
//!
//! This module is data and a lookup: the engine plays it in the tick loop without allocating.

/// Shortfall triggers a rule may use: push when `1 - attainment so far` is at least this.
/// Negative values push while slightly ahead (a role protecting its cap or its margin of safety).
pub const TRIGGERS: [f64; 6] = [-0.1, 0.0, 0.03, 0.07, 0.15, 0.3];

/// One lever's rule, as option indices into the lever's allowed options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// Option played when not pushing.
    pub base: usize,
    /// Option played when behind near the period end.
    pub push: usize,
    /// Index into [`TRIGGERS`].
    pub trigger: usize,
    /// Push only in the last `window` weeks of a period (1 = the last week only).
    pub window: usize,
}

/// Where a role stands when it decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// Weeks of the period already played (0 at its first week).
    pub elapsed: usize,
    /// Weeks left in the period, this one included.
    pub weeks_left: usize,
    /// `1 - attainment so far` against the pro-rated target (negative when ahead); 0 at a period's
    /// first week, when nothing has been counted yet.
    pub shortfall: f64,
}

impl Rule {
    /// Always the same option.
    pub fn constant(option: usize) -> Rule {
        Rule {
            base: option,
            push: option,
            trigger: 2,
            window: 2,
        }
    }

    /// Whether this rule plays one option whatever happens.
    pub fn is_constant(&self) -> bool {
        self.base == self.push
    }

    /// Whether the rule pushes in this standing.
    pub fn pushes(&self, s: &Standing) -> bool {
        !self.is_constant()
            && s.elapsed > 0
            && s.weeks_left <= self.window
            && s.shortfall >= TRIGGERS[self.trigger]
    }

    /// The option the rule plays.
    pub fn option(&self, s: &Standing) -> usize {
        if self.pushes(s) {
            self.push
        } else {
            self.base
        }
    }
}

/// What the fit found for one role: its expected payout under the playbook and under each
/// constant policy for its own levers, on the fitting trials.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RoleFit {
    /// Expected payout (fraction of target bonus a period) under the fitted playbook.
    pub payout: f64,
    /// The same with the deck term: what the rule was fitted to.
    pub utility: f64,
    /// The best constant policy for the role's levers (option indices, in lever order) and its payout.
    pub best_constant: Option<(Vec<usize>, f64)>,
}

/// Every lever's rule, and what fitting them found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Playbook {
    /// One rule per lever, in `Model::levers` order.
    pub rules: Vec<Rule>,
    /// Per role, once fitted.
    pub fits: Vec<RoleFit>,
    /// Whether the rules were fitted (false: every lever at its initial option).
    pub fitted: bool,
    /// Whether the fit ended with no role beaten by a constant policy of its own on the fitting
    /// trials. False when best responses kept chasing each other (no settled equilibrium was
    /// found): the last rules stand, and a role may then lose to a constant.
    pub converged: bool,
    /// Per lever and option: the pull of playing that option throughout on (sell-out, margin,
    /// availability), relative to the lever's average option, against the plan. Used for the
    /// operational spread; zeros until fitted.
    pub pulls: Vec<Vec<[f64; 3]>>,
    /// Per lever and option: its leaning, the pull of playing that option throughout with every
    /// other lever at its initial option (as the plan plays them), measured before the fit. What
    /// a role past its bonus cap weighs by its reading of the strategy
    /// (`orgsim::sim::org::deck_choice`). Empty until fitted: then nobody follows the deck.
    pub leanings: Vec<Vec<[f64; 3]>>,
    /// Trials the rules were fitted on.
    pub fit_trials: u64,
    /// Candidate playbooks the fit played (each on `fit_trials` trials).
    pub candidates: usize,
    /// The best-response certificate, once computed (`orgsim::sim::certificate`): each role's
    /// best deviation from this playbook, found out of sample.
    pub certificate: Option<Certificate>,
}

/// A role's move away from the playbook: new rules for one of its levers, or for two together.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deviation {
    /// The levers changed (indices into `Model::levers`) and the rule each plays instead.
    pub changes: Vec<(usize, Rule)>,
    /// Mean paired gain in the role's utility (what its playbook was fitted to: payout plus the
    /// deck term) on the verification trials, which neither the fit nor the search saw.
    pub gain: f64,
    /// The paired standard error of `gain`.
    pub se: f64,
    /// Mean paired gain in the role's payout alone, on the same trials.
    pub payout_gain: f64,
    /// Verification trials.
    pub trials: u64,
}

impl Deviation {
    /// The 95% interval of the gain.
    pub fn ci95(&self) -> [f64; 2] {
        [self.gain - 1.96 * self.se, self.gain + 1.96 * self.se]
    }

    /// Whether the role would gain by more than two paired standard errors: its playbook is then
    /// not a best response, and the story it tells is an artefact.
    pub fn beats_playbook(&self) -> bool {
        self.gain > 2.0 * self.se
    }
}

/// What the certificate found for one role.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RoleCertificate {
    /// The deviation with the largest gain found (`None` for a role with no levers).
    pub best: Option<Deviation>,
    /// Deviations screened: every rule of each lever's family, and pairs of levers.
    pub searched: usize,
}

/// The best-response certificate: per role, the best unilateral deviation from the playbook over
/// each lever's whole rule family (and pairs of the role's levers), with its paired gain.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Certificate {
    /// Per role, in `Model::roles` order.
    pub roles: Vec<RoleCertificate>,
    /// Trials each deviation was screened on.
    pub screen_trials: u64,
}

impl Certificate {
    /// Whether no role can gain by more than two paired standard errors.
    pub fn holds(&self) -> bool {
        self.roles
            .iter()
            .all(|r| r.best.as_ref().is_none_or(|d| !d.beats_playbook()))
    }
}

/// Every rule a lever with `options` options can play in a period of `period` weeks: each
/// constant, and each (base, push) pair with every trigger and window.
pub fn family(options: usize, period: usize) -> Vec<Rule> {
    let mut out: Vec<Rule> = (0..options).map(Rule::constant).collect();
    for base in 0..options {
        for push in (0..options).filter(|p| *p != base) {
            for trigger in 0..TRIGGERS.len() {
                for window in 1..=period.max(1) {
                    out.push(Rule {
                        base,
                        push,
                        trigger,
                        window,
                    });
                }
            }
        }
    }
    out
}

impl Playbook {
    /// Every lever at its initial option: the plan's playbook. `levers` gives each lever's
    /// initial option and its number of options.
    pub fn initial(levers: &[(usize, usize)], roles: usize) -> Playbook {
        Playbook {
            rules: levers
                .iter()
                .map(|&(home, _)| Rule::constant(home))
                .collect(),
            fits: vec![RoleFit::default(); roles],
            fitted: false,
            converged: false,
            pulls: levers.iter().map(|&(_, n)| vec![[0.0; 3]; n]).collect(),
            leanings: Vec::new(),
            fit_trials: 0,
            candidates: 0,
            certificate: None,
        }
    }
}

/// A rule in words, for the trace and the report: "30% when at least 3% behind in the last 2 weeks, else 0".
pub fn describe(rule: &Rule, options: &[f64]) -> String {
    describe_with(rule, |i| fmt_option(options[i]))
}

/// A rule in words, each option named by `o` (its index in, its words out).
pub fn describe_with(rule: &Rule, o: impl Fn(usize) -> String) -> String {
    if rule.is_constant() {
        return format!("always {}", o(rule.base));
    }
    let t = TRIGGERS[rule.trigger];
    let when = if t < 0.0 {
        format!("unless more than {:.0}% ahead", -t * 100.0)
    } else if t == 0.0 {
        "when behind at all".to_string()
    } else {
        format!("when at least {:.0}% behind", t * 100.0)
    };
    let weeks = if rule.window == 1 {
        "in the last week of a period".to_string()
    } else {
        format!("in the last {} weeks of a period", rule.window)
    };
    format!("{} {when} {weeks}, else {}", o(rule.push), o(rule.base))
}

/// An option's value as rules say it: whole numbers without a decimal point.
pub fn fmt_option(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_pushes_only_behind_late_and_after_the_first_week() {
        let r = Rule {
            base: 0,
            push: 3,
            trigger: 2,
            window: 2,
        };
        let s = |elapsed, weeks_left, shortfall| Standing {
            elapsed,
            weeks_left,
            shortfall,
        };
        assert_eq!(r.option(&s(2, 2, 0.05)), 3);
        assert_eq!(r.option(&s(3, 1, 0.03)), 3);
        assert_eq!(r.option(&s(1, 3, 0.5)), 0, "too early in the period");
        assert_eq!(r.option(&s(2, 2, 0.01)), 0, "not far enough behind");
        assert_eq!(r.option(&s(0, 1, 0.5)), 0, "nothing counted yet");
        assert_eq!(Rule::constant(2).option(&s(3, 1, 0.9)), 2);
    }

    #[test]
    fn rules_read_as_sentences() {
        let r = Rule {
            base: 0,
            push: 3,
            trigger: 3,
            window: 2,
        };
        assert_eq!(
            describe(&r, &[0.0, 0.1, 0.2, 0.3]),
            "0.3 when at least 7% behind in the last 2 weeks of a period, else 0"
        );
        assert_eq!(describe(&Rule::constant(1), &[1.0, 2.0]), "always 2");
    }

    #[test]
    fn a_family_holds_every_distinct_rule_once() {
        let f = family(3, 4);
        assert_eq!(f.len(), 3 + 3 * 2 * TRIGGERS.len() * 4);
        let distinct: std::collections::HashSet<_> = f.iter().collect();
        assert_eq!(distinct.len(), f.len());
        assert_eq!(f.iter().filter(|r| r.is_constant()).count(), 3);
    }
}
