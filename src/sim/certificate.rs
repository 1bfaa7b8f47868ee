//! The best-response certificate (behaviour 0 of `docs/model.md`): could any role gain by playing
//! another rule from its own family, the others unchanged?
//!
//! The fit (`sim::fit`) ends by racing each role's whole rule family on samples of its own, and
//! takes any deviation that wins there. The certificate runs the same race
//! (`crate::sim::race`) once more, from the fitted playbook, on trials that neither the fit nor
//! any earlier race saw, and reports each role's best deviation with its paired gain and its
//! 95% interval. A role that could gain by more than two paired standard errors is not competent,
//! and the story it tells is an artefact.

use crate::scenario::model::Model;
use crate::scenario::playbook::{Certificate, RoleCertificate};
use crate::sim::race::{race_role, Samples, SCREEN};
use std::sync::atomic::{AtomicBool, Ordering};

/// The seeds of the certificate's stages (screen and narrow, confirm, verify): none is the fit's
/// (`fit::FIT_SEED`, `fit::RACE_SEEDS`), nor a run's default.
const SEEDS: [u64; 3] = [0xCE27_0001, 0xCE27_0002, 0xCE27_0003];

/// Certifies the model's fitted playbook on the caller's thread pool, or `None` once `cancel` is
/// set (`crate::run::pool::certify_until` runs it on the run's threads).
pub fn certify_cancellable(model: &Model, cancel: &AtomicBool) -> Option<Certificate> {
    search(model, cancel)
}

/// [`certify_cancellable`] on the caller's thread pool, never cancelled.
pub fn certify(model: &Model) -> Certificate {
    search(model, &AtomicBool::new(false)).expect("never cancelled")
}

/// Role `r`'s part of the certificate alone, on all cores (a test of one role need not search
/// them all; the samples are the full certificate's, so the result is the same).
pub fn certify_role(model: &Model, r: usize) -> RoleCertificate {
    let cancel = AtomicBool::new(false);
    race_role(
        model,
        &model.playbook.rules,
        r,
        &mut Samples::new(model, SEEDS, &cancel),
    )
}

fn search(model: &Model, cancel: &AtomicBool) -> Option<Certificate> {
    let mut samples = Samples::new(model, SEEDS, cancel);
    let roles = (0..model.roles.len())
        .map(|r| race_role(model, &model.playbook.rules, r, &mut samples))
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    Some(Certificate {
        roles,
        screen_trials: SCREEN,
    })
}
