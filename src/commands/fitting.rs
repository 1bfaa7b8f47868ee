//! The playbook a command runs with: remembered from an earlier fit of the same model by the same
//! build (a shard's partial, or the fit cache), else fitted, certified when asked, and remembered.

use super::*;
use orgsim::scenario::model::Model;
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

/// Gives `model` its playbook (and certificate, when asked): remembered if it can be, else
/// fitted and remembered. A remembered playbook is the one a fresh fit gives, to the bit
/// (`orgsim::writers::fit_cache`), so the run's files are the same either way.
pub(crate) fn fit_playbook(model: &mut Model, how: &Fitting) -> orgsim::Result<Fitted> {
    let started = std::time::Instant::now();
    let cache = cache();
    let reused = !how.refit && remembered(model, how, cache.as_ref());
    if !reused {
        model.playbook = orgsim::run::pool::fit_until(model, how.threads, interrupt_flag())?
            .ok_or_else(|| Error::Interrupted {
                done: 0,
                total: how.total,
                out: how.out.to_path_buf(),
            })?;
    }
    let fit_seconds = started.elapsed().as_secs_f64();
    let mut changed = !reused;
    let certify_seconds = match (how.certify, model.playbook.certificate.is_some()) {
        (false, _) => None,
        (true, true) => Some(0.0),
        (true, false) => {
            changed = true;
            Some(certify(model, how.threads, how.quiet, how.out)?)
        }
    };
    if let (true, Some(c)) = (changed, &cache) {
        if let Err(e) = c.store(model, &model.playbook) {
            if !how.quiet {
                eprintln!(
                    "orgsim: warning: could not remember the playbook in {}: {e}",
                    c.dir().display()
                );
            }
        }
    }
    let certificate = model.playbook.certificate.as_ref();
    if how.certify && !how.quiet && certificate.is_some_and(|c| !c.holds()) {
        eprintln!(
            "orgsim: warning: a role can gain by more than two paired standard errors by playing another rule: its playbook is not a best response (see summary.json, roles.*.best_deviation)"
        );
    }
    if !how.certify {
        // Remembered with it or not, a run that did not ask reports none.
        model.playbook.certificate = None;
    }
    Ok(Fitted {
        reused,
        fit_seconds,
        certify_seconds,
    })
}

/// Computes the best-response certificate of the model's fitted playbook and keeps it with the
/// playbook (`summary.json`'s `roles.*.best_deviation`, the report). Returns the seconds it took.
fn certify(
    model: &mut Model,
    threads: usize,
    quiet: bool,
    out: &std::path::Path,
) -> orgsim::Result<f64> {
    if !quiet {
        eprintln!(
            "{}: certifying the playbook (each role's best deviation, out of sample) ...",
            model.name
        );
    }
    let started = std::time::Instant::now();
    let certificate = orgsim::run::pool::certify_until(model, threads, interrupt_flag())?
        .ok_or_else(|| Error::Interrupted {
            done: 0,
            total: 0,
            out: out.to_path_buf(),
        })?;
    model.playbook.certificate = Some(certificate);
    Ok(started.elapsed().as_secs_f64())
}

/// Looks for the model's playbook in the merge's partials, then in the cache.
fn remembered(model: &mut Model, how: &Fitting, cache: Option<&FitCache>) -> bool {
    if let Some(p) = how.known.iter().find_map(|k| k.playbook_for(model)) {
        model.playbook = p;
        if !how.quiet {
            eprintln!("{}: the playbook the shards ran with", model.name);
        }
        return true;
    }
    let Some(cache) = cache else {
        return false;
    };
    match cache.lookup(model) {
        Lookup::Hit(p) => {
            model.playbook = *p;
            if !how.quiet {
                eprintln!(
                    "{}: the playbook fitted before (fit cache {}; --refit fits afresh)",
                    model.name,
                    cache.dir().display()
                );
            }
            true
        }
        Lookup::Miss => false,
        Lookup::Ignored(why) => {
            eprintln!("orgsim: warning: ignored a fit cache entry, fitting afresh: {why}");
            false
        }
    }
}
