//! The run's threads: a pool of its own when the user asked for a number of threads, and the
//! fit and the certificate searched on it, so `--threads 1` means one core for the whole run.

use crate::error::{Error, Result};
use crate::scenario::model::Model;
use crate::scenario::playbook::{Certificate, Playbook};
use crate::sim::{certificate, fit};
use std::sync::atomic::AtomicBool;

/// A pool of `threads` worker threads (0 = one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))
}

/// The fit ([`fit::fit_cancellable`]) on `threads` threads (0 = all cores), the run's own: `--threads
/// 1` means one core for the whole run, the fit included. Stops early (with `None`) once `cancel`
/// is set: a long fit answers Ctrl-C. The playbook is the same on any number of threads.
pub fn fit_until(model: &Model, threads: usize, cancel: &AtomicBool) -> Result<Option<Playbook>> {
    if threads == 0 {
        // All cores: rayon's global pool is that already, and its threads live on, where a
        // pool of our own would start them for this fit and leave them exiting after it.
        return Ok(fit::fit_cancellable(model, cancel));
    }
    Ok(pool(threads)?.install(|| fit::fit_cancellable(model, cancel)))
}

/// The certificate ([`certificate::certify_cancellable`]) on `threads` threads (0 = all cores),
/// or `None` once `cancel` is set.
pub fn certify_until(
    model: &Model,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Option<Certificate>> {
    if threads == 0 {
        return Ok(certificate::certify_cancellable(model, cancel));
    }
    Ok(pool(threads)?.install(|| certificate::certify_cancellable(model, cancel)))
}
