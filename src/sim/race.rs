//! Racing a role's whole rule family: the search the fit uses to find best responses and the
//! certificate uses to check them.
//!
//! Each lever's family ([`family`]) holds hundreds of rules; a role with three levers, thousands
//! of deviations. Playing each on thousands of trials would take minutes, so the search races:
//! 1. **screen** every deviation on [`SCREEN`] trials; keep the [`KEEP_SCREENED`] best per lever;
//! 2. **narrow** those (and pairs of each role's levers built from them and from the constants)
//!    on [`NARROW`] trials; keep the [`KEEP_NARROWED`] best per lever and per pair of levers;
//! 3. **confirm** the survivors on [`CONFIRM`] fresh trials, and take the best;
//! 4. **verify** it on [`VERIFY`] fresh trials again: the gain reported is from trials that played
//!    no part in choosing it, so it carries no winner's curse.
//!
//! Every stage compares a deviation with the rules it deviates from trial by trial, on common
//! random numbers. The result is a pure function of the model, the rules and the seeds (trial
//! results are collected in trial order), so it is the same on any number of threads.

use crate::scenario::model::Model;
use crate::scenario::playbook::{family, Deviation, RoleCertificate, Rule};
use crate::sim::sample::{paired, Sampler};
use std::sync::atomic::AtomicBool;

/// Trials every deviation is screened on.
pub const SCREEN: u64 = 32;
/// Deviations kept per lever after screening.
pub const KEEP_SCREENED: usize = 12;
/// Trials the screened deviations are narrowed on.
pub const NARROW: u64 = 160;
/// Deviations kept per lever (and per pair of levers) after narrowing.
pub const KEEP_NARROWED: usize = 2;
/// Fresh trials the survivors are confirmed on.
pub const CONFIRM: u64 = 500;
/// Fresh trials the best deviation is verified on: its reported gain.
pub const VERIFY: u64 = 1000;

/// A candidate: the levers it changes and their rules.
pub(crate) type Changes = Vec<(usize, Rule)>;

/// The playbook's rules with `changes` applied.
pub(crate) fn apply(rules: &[Rule], changes: &[(usize, Rule)]) -> Vec<Rule> {
    let mut out = rules.to_vec();
    for &(j, rule) in changes {
        out[j] = rule;
    }
    out
}

/// Mean paired gain (and its standard error) of `changes` for role `r` on `n` trials.
fn gain(
    s: &mut Sampler,
    rules: &[Rule],
    r: usize,
    changes: &[(usize, Rule)],
    n: u64,
) -> (f64, f64) {
    let own = s.scores(rules, n);
    let alt = s.scores(&apply(rules, changes), n);
    paired(&own.utility[r][..n as usize], &alt.utility[r][..n as usize])
}

/// The `keep` candidates with the largest mean gain on `n` trials, best first (ties keep the
/// candidates' order, so the result does not depend on sorting's stability).
fn race(
    s: &mut Sampler,
    rules: &[Rule],
    r: usize,
    candidates: Vec<Changes>,
    n: u64,
    keep: usize,
) -> Vec<(Changes, f64)> {
    let mut scored: Vec<(usize, Changes, f64)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let g = gain(s, rules, r, &c, n).0;
            (i, c, g)
        })
        .collect();
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    scored.truncate(keep);
    scored.into_iter().map(|(_, c, g)| (c, g)).collect()
}

/// The three samples a race draws on (screen and narrow, confirm, verify), one seed each.
pub(crate) struct Samples<'m> {
    screen: Sampler<'m>,
    confirm: Sampler<'m>,
    verify: Sampler<'m>,
}

impl<'m> Samples<'m> {
    pub(crate) fn new(model: &'m Model, seeds: [u64; 3], cancel: &'m AtomicBool) -> Samples<'m> {
        Samples {
            screen: Sampler::new(model, seeds[0], cancel),
            confirm: Sampler::new(model, seeds[1], cancel),
            verify: Sampler::new(model, seeds[2], cancel),
        }
    }
}

/// The best deviation of role `r` from `rules` (see the module doc for the stages). The fit
/// races on samples of its own (`fit::RACE_SEEDS`) to find best responses; the certificate on
/// its own, to check them.
///
/// Long because the four stages (screen, narrow, confirm, verify) share their samples and
/// survivors; each stage is a few lines, and apart they would pass the same state around.
pub(crate) fn race_role(
    model: &Model,
    rules: &[Rule],
    r: usize,
    samples: &mut Samples,
) -> RoleCertificate {
    let Samples {
        screen,
        confirm,
        verify,
    } = samples;
    let levers = &model.roles[r].levers;
    if levers.is_empty() {
        return RoleCertificate::default();
    }
    let mut searched = 0;
    // Per lever: every rule of its family but the one it plays, screened, then narrowed.
    let mut narrowed: Vec<Vec<(Changes, f64)>> = Vec::new();
    let mut survivors: Vec<Changes> = Vec::new();
    for &j in levers {
        let all: Vec<Changes> = family(model.levers[j].options.len(), model.period)
            .into_iter()
            .filter(|rule| *rule != rules[j])
            .map(|rule| vec![(j, rule)])
            .collect();
        searched += all.len();
        let kept = race(screen, rules, r, all, SCREEN, KEEP_SCREENED);
        let kept = race(
            screen,
            rules,
            r,
            kept.into_iter().map(|(c, _)| c).collect(),
            NARROW,
            KEEP_SCREENED,
        );
        survivors.extend(kept.iter().take(KEEP_NARROWED).map(|(c, _)| c.clone()));
        narrowed.push(kept);
    }
    // Pairs of levers, coarsely: each lever's screened best and its constants, together.
    for a in 0..levers.len() {
        for b in a + 1..levers.len() {
            let pick = |k: usize| -> Vec<(usize, Rule)> {
                let j = levers[k];
                let mut out: Vec<(usize, Rule)> =
                    narrowed[k].iter().take(3).map(|(c, _)| c[0]).collect();
                for o in 0..model.levers[j].options.len() {
                    let c = (j, Rule::constant(o));
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                out
            };
            let pairs: Vec<Changes> = pick(a)
                .iter()
                .flat_map(|x| pick(b).into_iter().map(move |y| vec![*x, y]))
                .filter(|c| c.iter().all(|(j, rule)| rules[*j] != *rule))
                .collect();
            searched += pairs.len();
            let kept = race(screen, rules, r, pairs, NARROW, KEEP_NARROWED);
            survivors.extend(kept.into_iter().map(|(c, _)| c));
        }
    }
    let best = race(confirm, rules, r, survivors, CONFIRM, 1)
        .into_iter()
        .next()
        .map(|(changes, _)| {
            let (g, se) = gain(verify, rules, r, &changes, VERIFY);
            let own = verify.scores(rules, VERIFY);
            let alt = verify.scores(&apply(rules, &changes), VERIFY);
            let (payout_gain, _) = paired(&own.payout[r], &alt.payout[r]);
            Deviation {
                changes,
                gain: g,
                se,
                payout_gain,
                trials: VERIFY,
            }
        });
    RoleCertificate { best, searched }
}
