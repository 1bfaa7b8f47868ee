//! The playbook a command runs with: remembered from an earlier fit of the same model by the same
//! build (a shard's partial, or the fit cache), else fitted, certified when asked, and remembered.

use super::*;
use orgsim::run::prepare::{Planned, Prepared};
use orgsim::scenario::load::Source;
use orgsim::scenario::model::Model;
use orgsim::scenario::playbook::Playbook;
use orgsim::writers::fit_cache::{FitCache, Keyed, Lookup};

/// The flag every fitting command takes.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct RefitArg {
    /// Fit the playbooks afresh even when the fit cache holds them (the cache is then updated).
    /// The cache lives in $ORGSIM_CACHE_DIR, else $XDG_CACHE_HOME/orgsim, else ~/.cache/orgsim;
    /// ORGSIM_CACHE_DIR set to an empty value turns it off.
    #[arg(long, env = "ORGSIM_REFIT")]
    pub refit: bool,
}

/// How to come by a playbook.
pub(crate) struct Fitting<'a> {
    pub(crate) threads: usize,
    pub(crate) refit: bool,
    pub(crate) quiet: bool,
    /// Whether the run reports the best-response certificate.
    pub(crate) certify: bool,
    /// The run's folder and trial count, for the message if the fit is interrupted.
    pub(crate) out: &'a std::path::Path,
    pub(crate) total: u64,
    /// Playbooks a merge found in its shards' partials.
    pub(crate) known: &'a [Keyed],
}

/// What it took.
pub(crate) struct Fitted {
    /// Whether the playbook was remembered rather than fitted.
    pub(crate) reused: bool,
    pub(crate) fit_seconds: f64,
    /// Seconds the certificate took (0 when remembered); `None` when not asked for.
    pub(crate) certify_seconds: Option<f64>,
}

/// The fit cache's folder: `ORGSIM_CACHE_DIR` (empty: no cache), else `$XDG_CACHE_HOME/orgsim`,
/// else `$HOME/.cache/orgsim`.
pub(crate) fn cache() -> Option<FitCache> {
    let var = |k: &str| std::env::var_os(k);
    let dir = match var("ORGSIM_CACHE_DIR") {
        Some(d) if d.is_empty() => return None,
        Some(d) => PathBuf::from(d),
        None => match (var("XDG_CACHE_HOME"), var("HOME")) {
            (Some(x), _) if !x.is_empty() => PathBuf::from(x).join("orgsim"),
            (_, Some(h)) if !h.is_empty() => PathBuf::from(h).join(".cache").join("orgsim"),
            _ => return None,
        },
    };
    Some(FitCache::at(dir.join("playbooks")))
}

/// Loads a scenario with its overrides, names it (`--name`, or a merged run's name), plays its
/// plan and gives it its playbook ([`fit_playbook`]): the door every command but `run` takes in
/// one step (`run` does work between the steps).
pub(crate) fn prepare(
    source: &Source,
    sets: &[String],
    name: Option<String>,
    how: &Fitting,
) -> orgsim::Result<(Prepared, Fitted)> {
    let mut loaded = orgsim::run::prepare::load(source, sets)?;
    if let Some(name) = name {
        loaded.rename(name);
    }
    fit_playbook(loaded.plan()?, how)
}

/// Gives a planned model its playbook (and certificate, when asked): remembered if it can be,
/// else fitted and remembered. A remembered playbook is the one a fresh fit gives, to the bit
/// (`orgsim::writers::fit_cache`), so the run's files are the same either way.
pub(crate) fn fit_playbook(planned: Planned, how: &Fitting) -> orgsim::Result<(Prepared, Fitted)> {
    let started = std::time::Instant::now();
    let cache = cache();
    let known = match how.refit {
        true => None,
        false => remembered(planned.model(), how, cache.as_ref()),
    };
    let reused = known.is_some();
    let interrupted = || Error::Interrupted {
        done: 0,
        total: how.total,
        out: how.out.to_path_buf(),
    };
    let mut prepared = match known {
        Some(playbook) => planned.remembered(playbook),
        None => planned
            .fit(how.threads, interrupt_flag())?
            .ok_or_else(interrupted)?,
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let mut changed = !reused;
    let certify_seconds = match (how.certify, prepared.playbook.certificate.is_some()) {
        (false, _) => None,
        (true, true) => Some(0.0),
        (true, false) => {
            changed = true;
            Some(certify(&mut prepared, how.threads, how.quiet, how.out)?)
        }
    };
    if let (true, Some(c)) = (changed, &cache) {
        if let Err(e) = c.store(&prepared, &prepared.playbook) {
            if !how.quiet {
                eprintln!(
                    "orgsim: warning: could not remember the playbook in {}: {e}",
                    c.dir().display()
                );
            }
        }
    }
    let certificate = prepared.playbook.certificate.as_ref();
    if how.certify && !how.quiet && certificate.is_some_and(|c| !c.holds()) {
        eprintln!(
            "orgsim: warning: a role can gain by more than two paired standard errors by playing another rule: its playbook is not a best response (see summary.json, roles.*.best_deviation)"
        );
    }
    if !how.certify {
        // Remembered with it or not, a run that did not ask reports none.
        prepared.forget_certificate();
    }
    let fitted = Fitted {
        reused,
        fit_seconds,
        certify_seconds,
    };
    Ok((prepared, fitted))
}

/// Computes the best-response certificate of the model's fitted playbook and keeps it with the
/// playbook (`summary.json`'s `roles.*.best_deviation`, the report). Returns the seconds it took.
fn certify(
    prepared: &mut Prepared,
    threads: usize,
    quiet: bool,
    out: &std::path::Path,
) -> orgsim::Result<f64> {
    if !quiet {
        eprintln!(
            "{}: certifying the playbook (each role's best deviation, out of sample) ...",
            prepared.name
        );
    }
    let started = std::time::Instant::now();
    prepared
        .certify(threads, interrupt_flag())?
        .ok_or_else(|| Error::Interrupted {
            done: 0,
            total: 0,
            out: out.to_path_buf(),
        })?;
    Ok(started.elapsed().as_secs_f64())
}

/// Looks for the model's playbook in the merge's partials, then in the cache.
fn remembered(model: &Model, how: &Fitting, cache: Option<&FitCache>) -> Option<Playbook> {
    if let Some(p) = how.known.iter().find_map(|k| k.playbook_for(model)) {
        if !how.quiet {
            eprintln!("{}: the playbook the shards ran with", model.name);
        }
        return Some(p);
    }
    match cache?.lookup(model) {
        Lookup::Hit(p) => {
            if !how.quiet {
                eprintln!(
                    "{}: the playbook fitted before (fit cache {}; --refit fits afresh)",
                    model.name,
                    cache?.dir().display()
                );
            }
            Some(*p)
        }
        Lookup::Miss => None,
        Lookup::Ignored(why) => {
            eprintln!("orgsim: warning: ignored a fit cache entry, fitting afresh: {why}");
            None
        }
    }
}
