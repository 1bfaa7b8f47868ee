//! Many trials on a pool of threads, folded in a fixed order: the same bytes on any number of
//! threads and any split into shards.
//!
//! Trials are grouped in chunks of [`CHUNK`]; a batch of chunks is computed in parallel, and
//! each chunk's partial result is merged in chunk order. Organisation runs
//! ([`crate::run::organisation`]) and network runs ([`crate::run::network`]) share it.

use crate::error::{Error, Result};
use crate::run::pool::pool;
use crate::stats::metrics::Aggregate;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Trials per chunk: the unit of parallel work and of in-order merging.
pub const CHUNK: u64 = 64;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Base seed.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

/// One of `count` parts of a run's trials (`index` from 0): the part a job of a cluster array
/// computes. Parts are whole chunks, contiguous, as even as chunks allow; merged in any order
/// their aggregates equal the whole run's, since every statistic merges exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 0.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// The chunks of a run of `trials` trials in this part.
    pub fn chunks(&self, trials: u64) -> std::ops::Range<u64> {
        let chunks = trials.div_ceil(CHUNK);
        let at = |i: u64| (chunks as u128 * i as u128 / self.count.max(1) as u128) as u64;
        at(self.index)..at(self.index + 1)
    }
    /// The trials of a run of `trials` trials in this part.
    pub fn trials(&self, trials: u64) -> std::ops::Range<u64> {
        let c = self.chunks(trials);
        (c.start * CHUNK).min(trials)..(c.end * CHUNK).min(trials)
    }
}

/// A partial result of some chunks of trials, merged in chunk order.
pub trait Partial: Send {
    /// Folds in the next chunk's partial result.
    fn merge(&mut self, next: &Self);
    /// Trials folded in so far.
    fn trials(&self) -> u64;
}

impl Partial for Aggregate {
    fn merge(&mut self, next: &Self) {
        Aggregate::merge(self, next);
    }
    fn trials(&self) -> u64 {
        self.trials
    }
}

/// Runs `chunks` on `cfg.threads` threads, a batch of chunks at a time, folding each chunk's
/// partial result into `total` in chunk order, so the result is the same bytes on any number of
/// threads, and handing its rows to `on_row` in order; `progress` after each batch. Stops at the
/// next batch once `cancel` is set. Organisation runs and network runs share it.
///
/// Folding a batch into the run (writing its rows, merging it into the total) is serial. On more
/// than one thread it runs as one more task in the pool while the next batch is computed, so no
/// worker waits for it and `cfg.threads` stays the number of threads at work: on 2 threads a
/// `beer_game` run waited for it a fifth of its time. On one thread each batch is folded at
/// once, while it is still in the cache.
pub fn run_chunks<A: Partial, R: Send>(
    cfg: &RunConfig,
    chunks: std::ops::Range<u64>,
    mut total: A,
    chunk: &(dyn Fn(u64) -> Result<(A, Vec<R>)> + Sync),
    on_row: &mut (dyn FnMut(&R) -> Result<()> + Send),
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<A> {
    let pool = pool(cfg.threads)?;
    // Eight chunks a thread: enough for the batch's neighbours-first merge to spare the run's
    // total most merges, few enough that a batch's partials and rows stay small (at 16 a
    // thread, promo_vs_inventory's peak memory rose from 40 to 60 MB, no faster).
    let batch = (pool.current_num_threads() as u64 * 8).max(1);
    let overlap = pool.current_num_threads() > 1;
    let mut next = chunks.start;
    // A batch computed but not yet folded into `total` (only while overlapping).
    let mut computed: Option<Batch<A, R>> = None;
    loop {
        let stop = cancel.load(Ordering::Relaxed);
        let ids: Vec<u64> = if stop {
            Vec::new()
        } else {
            (next..(next + batch).min(chunks.end)).collect()
        };
        let previous = computed.take();
        if ids.is_empty() && previous.is_none() {
            if stop && next < chunks.end {
                return Err(Error::Interrupted {
                    done: total.trials(),
                    total: cfg.trials,
                    out: Default::default(),
                });
            }
            return Ok(total);
        }
        let compute = || compute_batch(&ids, chunk);
        if overlap {
            let (done, folded) =
                pool.install(|| rayon::join(compute, || fold(&mut total, previous, on_row)));
            folded?;
            computed = done?;
        } else {
            let done = pool.install(compute)?;
            fold(&mut total, done, on_row)?;
        }
        progress(total.trials());
        next += ids.len() as u64;
    }
}

/// A batch of chunks merged into one partial result, and its rows in chunk order.
type Batch<A, R> = (A, Vec<Vec<R>>);

/// Computes a batch's chunks in parallel and merges their partials; the first chunk that
/// failed, in chunk order, is the run's error. `None` for no chunks.
fn compute_batch<A: Partial, R: Send>(
    ids: &[u64],
    chunk: &(dyn Fn(u64) -> Result<(A, Vec<R>)> + Sync),
) -> Result<Option<Batch<A, R>>> {
    let done: Vec<Result<(A, Vec<R>)>> = ids.par_iter().map(|&c| chunk(c)).collect();
    let mut partials = Vec::with_capacity(done.len());
    let mut rows = Vec::with_capacity(done.len());
    for part in done {
        let (partial, r) = part?;
        partials.push(partial);
        rows.push(r);
    }
    Ok(merge_in_order(partials).map(|p| (p, rows)))
}

/// Folds a computed batch into `total` and hands its rows to `on_row`, in order.
fn fold<A: Partial, R: Send>(
    total: &mut A,
    batch: Option<Batch<A, R>>,
    on_row: &mut (dyn FnMut(&R) -> Result<()> + Send),
) -> Result<()> {
    let Some((partial, rows)) = batch else {
        return Ok(());
    };
    for row in rows.iter().flatten() {
        on_row(row)?;
    }
    total.merge(&partial);
    Ok(())
}

/// The batch's partial results merged into one, neighbours first, in parallel: the same as
/// folding them in order (merging is exact, as for shards), but each small partial is merged
/// into another small one, and only the batch's whole into the run's total, where folding
/// each chunk into the total paid a pass over the total's sketches per chunk.
fn merge_in_order<A: Partial>(mut parts: Vec<A>) -> Option<A> {
    while parts.len() > 1 {
        parts.par_chunks_mut(2).for_each(|pair| {
            if let [a, b] = pair {
                a.merge(b);
            }
        });
        parts = parts.into_iter().step_by(2).collect();
    }
    parts.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partial that remembers the order it was merged in: the chunks it holds, in turn.
    struct Order(Vec<u64>);

    impl Partial for Order {
        fn merge(&mut self, next: &Self) {
            self.0.extend(&next.0);
        }
        fn trials(&self) -> u64 {
            self.0.len() as u64
        }
    }

    /// Runs 100 chunks of `chunk` on `threads` threads: the total, the rows in the order they
    /// were handed on, and the progress reported.
    fn run_order(
        threads: usize,
        chunk: &(dyn Fn(u64) -> Result<(Order, Vec<u64>)> + Sync),
        cancel: &AtomicBool,
    ) -> (Result<Order>, Vec<u64>, Vec<u64>) {
        let cfg = RunConfig {
            seed: 1,
            trials: 100,
            threads,
        };
        let mut rows = Vec::new();
        let seen = std::sync::Mutex::new(Vec::new());
        let total = run_chunks(
            &cfg,
            0..100,
            Order(Vec::new()),
            chunk,
            &mut |r| {
                rows.push(*r);
                Ok(())
            },
            &|n| seen.lock().unwrap().push(n),
            cancel,
        );
        (total, rows, seen.into_inner().unwrap())
    }

    #[test]
    fn batches_fold_in_chunk_order_on_any_number_of_threads() {
        let chunk = |c: u64| Ok((Order(vec![c]), vec![c]));
        for threads in [1, 2, 3] {
            let (total, rows, seen) = run_order(threads, &chunk, &AtomicBool::new(false));
            let all: Vec<u64> = (0..100).collect();
            assert_eq!(total.unwrap().0, all, "{threads} threads");
            assert_eq!(rows, all, "{threads} threads");
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&100));
        }
    }

    #[test]
    fn a_cancelled_run_stops_with_the_trials_it_folded_and_their_rows() {
        for threads in [1, 2] {
            let cancel = AtomicBool::new(false);
            let chunk = |c: u64| {
                if c == 20 {
                    cancel.store(true, Ordering::Relaxed);
                }
                Ok((Order(vec![c]), vec![c]))
            };
            let (total, rows, _) = run_order(threads, &chunk, &cancel);
            let Err(Error::Interrupted { done, total, .. }) = total else {
                panic!("{threads} threads: not interrupted");
            };
            assert_eq!(total, 100);
            assert!(done > 20 && done < 100, "{threads} threads: {done}");
            assert_eq!(rows, (0..done).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn the_first_failed_chunk_is_the_run_s_error() {
        let chunk = |c: u64| {
            if c == 37 || c == 60 {
                return Err(Error::Usage(format!("chunk {c}")));
            }
            Ok((Order(vec![c]), vec![c]))
        };
        for threads in [1, 2] {
            let (total, rows, _) = run_order(threads, &chunk, &AtomicBool::new(false));
            let Err(Error::Usage(m)) = total else {
                panic!("{threads} threads: no error");
            };
            assert_eq!(m, "chunk 37");
            assert!(rows.iter().all(|&r| r < 37), "{threads} threads");
        }
    }
}
