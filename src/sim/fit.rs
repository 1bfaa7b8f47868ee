//! Fitting each role's playbook to its own scorecard, by best response on common random numbers.
//!
//! Why fitted rules, not projections: a role that projects its options with a mental model of
//! the world is only as good as that model, and measured against the world it was not (its
//! promotions lowered its own bonus). Here every candidate rule is scored on the world's own code
//! (`sim::sample`), on the same trials (common random numbers), with the other roles playing
//! their current rules.
//!
//! 1. **The climb.** On [`FIT_TRIALS`] fitting trials, each role in turn first takes the best
//!    constant policy for its levers, then improves one rule parameter at a time, keeping a change
//!    only when it raises the role's own expected utility by more than [`MARGIN`] paired standard
//!    errors. Rounds repeat until no role changes or [`ROUNDS`] is reached; then no role may be
//!    beaten by a constant of its own on those trials.
//! 2. **The races** (`fit_races`, 0 by default). The climb can stop short of a better rule that is
//!    several steps away, or whose first step gains too little to show on 64 trials. A race
//!    (`sim::race`) screens every rule of each lever's family and pairs of a role's levers, and a
//!    role takes a deviation verified on fresh trials by more than MARGIN paired standard errors.
//!    Races repeat, each role answering the others' latest rules, until no role moves.
//!
//! The result is a pure function of the model: the fitting trials and the races use seeds of
//! their own, so every run's trials, and the certificate's (`sim::certificate`), are out of sample.
//!
//! A role's utility is its payout (a fraction of target bonus per period, averaged over the
//! horizon, each period at its share) plus `deck_weight` times the strategy as it reads it: its
//! reading's weights on sell-out, profit and fill rate, each relative to the plan.

use crate::scenario::model::Model;
use crate::scenario::playbook::{Playbook, RoleFit, Rule, TRIGGERS};
use crate::sim::race::{apply, race_role, Samples};
use crate::sim::sample::{paired, Sampler, Scores};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Fitting trials per candidate.
pub const FIT_TRIALS: u64 = 64;
/// The fitting trials' seed: fixed, so the playbook depends on the scenario alone.
pub const FIT_SEED: u64 = 0x0F17_5EED;
/// Rounds of best response at most.
pub const ROUNDS: usize = 8;
/// A change is kept when it raises the role's utility by more than this many paired standard errors.
pub const MARGIN: f64 = 2.0;
/// The seeds of the fit's own races (screen and narrow, confirm, verify): not the certificate's,
/// so the certificate checks the fit on trials the fit never saw.
pub const RACE_SEEDS: [u64; 3] = [0x0F17_0001, 0x0F17_0002, 0x0F17_0003];

struct Fitter<'m> {
    sampler: Sampler<'m>,
}

impl<'m> Fitter<'m> {
    fn scores(&mut self, rules: &[Rule]) -> Arc<Scores> {
        self.sampler.scores(rules, FIT_TRIALS)
    }

    /// Whether `cand` beats `cur` for role `r` by more than MARGIN paired standard errors.
    fn better(&mut self, r: usize, cand: &[Rule], cur: &[Rule]) -> bool {
        if cand == cur {
            return false;
        }
        let (d, se) = self.paired_gain(r, cand, cur);
        d > 1e-12 && d > MARGIN * se
    }

    /// The mean gain of `cand` over `cur` for role `r` on the fitting trials.
    fn gains(&mut self, r: usize, cand: &[Rule], cur: &[Rule]) -> f64 {
        if cand == cur {
            return 0.0;
        }
        self.paired_gain(r, cand, cur).0
    }

    fn paired_gain(&mut self, r: usize, cand: &[Rule], cur: &[Rule]) -> (f64, f64) {
        let a = self.scores(cur);
        let b = self.scores(cand);
        paired(&a.utility[r], &b.utility[r])
    }
}

/// Every constant policy for a role's levers (option indices in lever order).
pub fn constants(model: &Model, r: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &j in &model.roles[r].levers {
        let n = model.levers[j].options.len();
        out = out
            .into_iter()
            .flat_map(|c| {
                (0..n).map(move |o| {
                    let mut c = c.clone();
                    c.push(o);
                    c
                })
            })
            .collect();
    }
    out
}

fn with_constant(model: &Model, rules: &[Rule], r: usize, combo: &[usize]) -> Vec<Rule> {
    let mut out = rules.to_vec();
    for (&j, &o) in model.roles[r].levers.iter().zip(combo) {
        out[j] = Rule::constant(o);
    }
    out
}

/// The variations of one rule tried in a coordinate step: the two options together (a rule that
/// holds back and then pushes is two changes away from a constant, and each alone may be worse),
/// then the trigger and the window each on its own.
fn variations(rule: &Rule, options: usize, period: usize) -> Vec<Rule> {
    let mut out = Vec::new();
    for base in 0..options {
        for push in 0..options {
            out.push(Rule {
                base,
                push,
                ..*rule
            });
        }
    }
    if !rule.is_constant() {
        for trigger in 0..TRIGGERS.len() {
            out.push(Rule { trigger, ..*rule });
        }
        for window in 1..=period {
            out.push(Rule { window, ..*rule });
        }
    }
    out.retain(|r| r != rule);
    out
}

/// Climbs: each role in turn takes the best constant policy for its levers, then improves one
/// rule parameter at a time (a change kept when it wins by MARGIN paired standard errors on the
/// fitting trials), in rounds until no role changes or ROUNDS is reached.
fn climb(f: &mut Fitter, rules: &mut Vec<Rule>) {
    let model = f.sampler.model;
    for _ in 0..ROUNDS {
        let mut changed = false;
        for r in 0..model.roles.len() {
            if model.roles[r].levers.is_empty() {
                continue;
            }
            let before = rules.clone();
            for combo in constants(model, r) {
                let cand = with_constant(model, rules, r, &combo);
                if f.better(r, &cand, rules) {
                    *rules = cand;
                }
            }
            for &j in &model.roles[r].levers {
                let n = model.levers[j].options.len();
                let mut i = 0;
                // Re-derive the variations after each change, so each step starts from the current rule.
                loop {
                    let vars = variations(&rules[j], n, model.period);
                    let Some(v) = vars.get(i) else { break };
                    let mut cand = rules.clone();
                    cand[j] = *v;
                    if f.better(r, &cand, rules) {
                        *rules = cand;
                        i = 0;
                    } else {
                        i += 1;
                    }
                }
            }
            changed |= *rules != before;
        }
        if !changed {
            break;
        }
    }
}

/// Best response need not settle in ROUNDS (two roles can chase each other). Whatever the
/// rounds left, no role may end beaten by a constant policy of its own against the others'
/// final rules, by any margin at all on the fitting trials: take the constant where one wins,
/// until none does. Returns whether that settled.
fn settle_constants(f: &mut Fitter, rules: &mut Vec<Rule>) -> bool {
    let model = f.sampler.model;
    for _ in 0..ROUNDS {
        let mut changed = false;
        for r in 0..model.roles.len() {
            for combo in constants(model, r) {
                let cand = with_constant(model, rules, r, &combo);
                if f.gains(r, &cand, rules) > 1e-12 {
                    *rules = cand;
                    changed = true;
                }
            }
        }
        if !changed {
            return true;
        }
    }
    false
}

/// One race of every role's whole rule family (`sim::race`), each role in turn from the rules
/// as the roles before it left them. A role is raced again only when the rules it plays against
/// changed since its last race (`raced` keeps them): its best response cannot have moved
/// otherwise. Returns whether any role moved.
fn race_pass(
    model: &Model,
    rules: &mut Vec<Rule>,
    raced: &mut [Option<Vec<Rule>>],
    samples: &mut Samples,
) -> bool {
    let mut moved = false;
    for (r, last) in raced.iter_mut().enumerate() {
        if model.roles[r].levers.is_empty() || last.as_deref() == Some(&rules[..]) {
            continue;
        }
        if let Some(d) = race_role(model, rules, r, samples).best {
            if d.beats_playbook() {
                *rules = apply(rules, &d.changes);
                moved = true;
            }
        }
        *last = Some(rules.clone());
    }
    moved
}

/// About how many candidate playbooks [`fit`] plays for `model`, each on [`FIT_TRIALS`]
/// trials: two rounds of every role's search (the search stops early or runs longer, so this
/// is for a time estimate, not a bound).
pub fn candidates_hint(model: &Model) -> usize {
    let per_round: usize = (0..model.roles.len())
        .map(|r| {
            let steps: usize = model.roles[r]
                .levers
                .iter()
                .map(|&j| model.levers[j].options.len().pow(2) + TRIGGERS.len() + model.period)
                .sum();
            constants(model, r).len() + steps
        })
        .sum();
    2 * per_round
}

/// Fits every role's playbook (see the module doc) on the caller's thread pool (all cores, unless
/// the caller installed another: `crate::run::pool::fit_until`). Needs the plan (for the deck
/// term).
pub fn fit(model: &Model) -> Playbook {
    search(model, &AtomicBool::new(false)).expect("never cancelled")
}

/// [`fit`], stopping early (with `None`) once `cancel` is set: a long fit answers Ctrl-C. The
/// playbook is the same on any number of threads.
pub fn fit_cancellable(model: &Model, cancel: &AtomicBool) -> Option<Playbook> {
    search(model, cancel)
}

fn search(model: &Model, cancel: &AtomicBool) -> Option<Playbook> {
    // The options' leanings first, every lever as the plan plays it and nobody following the
    // deck (leanings emptied, in case `model` was fitted before); then the whole fit plays with
    // roles past their cap following it. Measured whether or not a role follows the deck, so a
    // fitted playbook can be played with it switched on (about 25 of the fit's candidates).
    let mut model = model.clone();
    model.playbook.leanings = Vec::new();
    model.playbook.leanings = {
        let mut f = Fitter {
            sampler: Sampler::new(&model, FIT_SEED, cancel),
        };
        pulls(&mut f, &model.playbook.rules)
    };
    let model = &model;
    let mut f = Fitter {
        sampler: Sampler::new(model, FIT_SEED, cancel),
    };
    let mut rules = model.playbook.rules.clone();
    climb(&mut f, &mut rules);
    let converged = settle_constants(&mut f, &mut rules);
    // Then race each role's whole rule family, from the climbed rules, on samples of the fit's
    // own: a better rule several steps away, or one whose first step gains too little to show on
    // the fitting trials, is found here. A deviation is taken only when it wins on fresh
    // verification trials by more than MARGIN paired standard errors. Races repeat (each role's
    // best response to the others' latest rules) until none moves. No climb follows a race: on its
    // 64 trials it would undo what a thousand verified.
    let mut samples = Samples::new(model, RACE_SEEDS, cancel);
    let mut raced: Vec<Option<Vec<Rule>>> = vec![None; model.roles.len()];
    let races = model.scenario.fit_races as usize;
    let mut settled = races == 0;
    for _ in 0..races {
        if !race_pass(model, &mut rules, &mut raced, &mut samples) {
            settled = true;
            break;
        }
    }
    let converged = converged && settled;
    let fits = (0..model.roles.len())
        .map(|r| role_fit(&mut f, &rules, r))
        .collect();
    let pulls = pulls(&mut f, &rules);
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    Some(Playbook {
        rules,
        fits,
        fitted: true,
        converged,
        pulls,
        leanings: model.playbook.leanings.clone(),
        fit_trials: FIT_TRIALS,
        candidates: f.sampler.played(),
        certificate: None,
    })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn role_fit(f: &mut Fitter, rules: &[Rule], r: usize) -> RoleFit {
    let own = f.scores(rules);
    let best_constant = if f.sampler.model.roles[r].levers.is_empty() {
        None
    } else {
        constants(f.sampler.model, r)
            .into_iter()
            .map(|c| {
                let s = f.scores(&with_constant(f.sampler.model, rules, r, &c));
                let p = mean(&s.payout[r]);
                (c, p)
            })
            .fold(None, |best: Option<(Vec<usize>, f64)>, (c, p)| match best {
                Some((_, bp)) if bp >= p => best,
                _ => Some((c, p)),
            })
    };
    RoleFit {
        payout: mean(&own.payout[r]),
        utility: mean(&own.utility[r]),
        best_constant,
    }
}

/// Per lever and option: the objectives when that lever plays that option throughout (others
/// as fitted), relative to the lever's average option.
fn pulls(f: &mut Fitter, rules: &[Rule]) -> Vec<Vec<[f64; 3]>> {
    (0..f.sampler.model.levers.len())
        .map(|j| {
            let n = f.sampler.model.levers[j].options.len();
            let objs: Vec<[f64; 3]> = (0..n)
                .map(|o| {
                    let mut cand = rules.to_vec();
                    cand[j] = Rule::constant(o);
                    f.scores(&cand).objectives()
                })
                .collect();
            let avg: [f64; 3] =
                std::array::from_fn(|k| objs.iter().map(|g| g[k]).sum::<f64>() / n as f64);
            objs.iter()
                .map(|g| std::array::from_fn(|k| g[k] - avg[k]))
                .collect()
        })
        .collect()
}
