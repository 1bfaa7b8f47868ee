//! The one door from a scenario to a runnable model: [`prepare`], in three stages whose types
//! carry what has been done.
//!
//! ```text
//! Source + --set ──load──▶ Loaded ──plan──▶ Planned ──fit (or a remembered playbook)──▶ Prepared
//! ```
//!
//! - [`Loaded`]: the scenario parsed and checked, the overrides applied; it may still be renamed
//!   (`--name`).
//! - [`Planned`]: the plan played and plan-relative targets resolved from it; what a fit needs,
//!   and what the fit cache's key is made of.
//! - [`Prepared`]: every role's playbook fitted (or remembered from an earlier fit of the same
//!   model), with its certificate when asked. A run accepts nothing else
//!   ([`crate::run::organisation::run`], comparisons' arms, sweeps' points).
//!
//! Each stage's model is private and read through `model()`: after the door nobody changes it,
//! so what a run plays is what was prepared. [`prepare`] goes through all three at once; a
//! command that has work to do between them (refuse an output folder before a long fit, look in
//! the fit cache, say how long the run will take) takes them one at a time.

use crate::error::{Error, Result};
use crate::run::pool;
use crate::scenario::load::{self, Source};
use crate::scenario::model::Model;
use crate::scenario::overrides;
use crate::scenario::playbook::Playbook;
use crate::sim::plan;
use std::sync::atomic::AtomicBool;

/// How [`prepare`] fits.
#[derive(Debug, Clone, Copy)]
pub struct PrepareConfig<'a> {
    /// Worker threads for the fit and the certificate (0 = all cores).
    pub threads: usize,
    /// Set to stop the fit at its next step ([`prepare`] then gives `None`).
    pub cancel: &'a AtomicBool,
    /// Whether to compute the best-response certificate after the fit.
    pub certify: bool,
}

/// A scenario loaded and checked, overrides applied (see the module doc).
#[derive(Debug, Clone)]
pub struct Loaded {
    model: Model,
    source: Source,
}

/// A loaded scenario with its plan played and its plan-relative targets resolved.
#[derive(Debug, Clone)]
pub struct Planned {
    model: Model,
}

/// A runnable model: targets resolved and every role's playbook fitted (or remembered).
#[derive(Debug, Clone)]
pub struct Prepared {
    model: Model,
}

/// Loads `source` with the `--set` overrides `sets`, plays its plan and fits every role's
/// playbook, on `cfg.threads` threads; `None` if `cfg.cancel` was set before the fit ended.
pub fn prepare(source: &Source, sets: &[String], cfg: &PrepareConfig) -> Result<Option<Prepared>> {
    let planned = load(source, sets)?.plan()?;
    let Some(mut prepared) = planned.fit(cfg.threads, cfg.cancel)? else {
        return Ok(None);
    };
    if cfg.certify && prepared.certify(cfg.threads, cfg.cancel)?.is_none() {
        return Ok(None);
    }
    Ok(Some(prepared))
}

/// The first stage: `source` parsed and checked, with the `--set` overrides `sets` applied.
pub fn load(source: &Source, sets: &[String]) -> Result<Loaded> {
    Ok(Loaded {
        model: load::load(source, sets)?,
        source: source.clone(),
    })
}

impl Loaded {
    /// The model as loaded (no plan, no playbook yet).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Names the run (`--name`): in chart titles, the report and `summary.json`.
    pub fn rename(&mut self, name: String) {
        self.model.name = name;
    }

    /// Plays the plan and resolves plan-relative targets; a target the plan cannot set is an
    /// invalid scenario, located in the source text like every other problem.
    pub fn plan(self) -> Result<Planned> {
        let Loaded { mut model, source } = self;
        let values = plan::compute(&model);
        plan::resolve(&mut model, values).map_err(|problems| Error::InvalidScenario {
            source_name: source.name.clone(),
            problems: overrides::locate_all(&source.text, &model.overrides, problems),
        })?;
        Ok(Planned { model })
    }
}

impl Planned {
    /// The model with its targets resolved, its playbook not yet fitted.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Fits every role's playbook on `threads` threads (0 = all cores); `None` once `cancel` is
    /// set. The playbook is the same on any number of threads.
    pub fn fit(self, threads: usize, cancel: &AtomicBool) -> Result<Option<Prepared>> {
        let mut model = self.model;
        let Some(playbook) = pool::fit_until(&model, threads, cancel)? else {
            return Ok(None);
        };
        model.playbook = playbook;
        Ok(Some(Prepared { model }))
    }

    /// Takes a playbook an earlier fit of this same model gave (the fit cache's, a shard's
    /// partial's) instead of fitting again. The caller vouches that it is this model's: the fit
    /// cache keys its entries by the resolved scenario and the build (`writers::fit_cache`).
    pub fn remembered(self, playbook: Playbook) -> Prepared {
        let mut model = self.model;
        model.playbook = playbook;
        Prepared { model }
    }
}

impl Prepared {
    /// The runnable model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Computes the best-response certificate of the fitted playbook on `threads` threads and
    /// keeps it with the playbook; `None` once `cancel` is set.
    pub fn certify(&mut self, threads: usize, cancel: &AtomicBool) -> Result<Option<()>> {
        let Some(certificate) = pool::certify_until(&self.model, threads, cancel)? else {
            return Ok(None);
        };
        self.model.playbook.certificate = Some(certificate);
        Ok(Some(()))
    }

    /// Drops the certificate: a run that did not ask for one reports none, even when the
    /// playbook was remembered with it.
    pub fn forget_certificate(&mut self) {
        self.model.playbook.certificate = None;
    }
}

impl std::ops::Deref for Prepared {
    type Target = Model;
    /// Read-only access to the prepared model, so that a prepared run reads as a model does.
    fn deref(&self) -> &Model {
        &self.model
    }
}
