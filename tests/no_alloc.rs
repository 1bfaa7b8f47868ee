//! The per-tick hot loop does not allocate: everything a week needs is set up with the trial.

// The playbooks come from the integration suite's fit cache, which `tests/it` (run first) fills.
#[allow(dead_code)]
#[path = "it/common.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread. Per thread, because a step runs on the thread that
    /// calls it, and other threads allocate whenever they like: the test harness reporting the
    /// test before, a thread pool's workers exiting after a fit. Counted globally, their
    /// allocations landed inside a step now and then, and the test failed for nothing the step
    /// did.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations this thread has made so far.
fn allocations() -> usize {
    ALLOCATIONS.with(|n| n.get())
}

#[test]
fn stepping_a_trial_allocates_nothing() {
    for name in orgsim::scenario::load::BUILTINS.iter().map(|b| b.name) {
        let model = common::model(name, &[]);
        let mut trial = orgsim::sim::trial::Trial::new(&model, 3, 11);
        let before = allocations();
        while !trial.is_done() {
            trial.step();
        }
        let during = allocations() - before;
        assert_eq!(
            during, 0,
            "{name}: {during} allocations while stepping {} weeks",
            model.horizon
        );
        let _ = trial.finish();
    }
}

#[test]
fn stepping_a_network_allocates_nothing() {
    use orgsim::sim::network::{beer_game, order_up_to, NetworkTrial, PassThrough, STERMAN_FITTED};
    // The last with its players meeting in a safe room, so meetings decide and seats empty.
    let mut meeting = beer_game(true, STERMAN_FITTED);
    meeting.meetings = Some(
        serde_json::from_value(
            serde_json::json!({"every_weeks": 2, "psychological_safety": 0.7,
            "departure_doubt": 0.3, "vacancy_weeks": 3}),
        )
        .unwrap(),
    );
    let networks = [
        beer_game(false, STERMAN_FITTED),
        beer_game(true, STERMAN_FITTED),
        order_up_to(5, 2, 100, PassThrough::Newest),
        meeting,
    ];
    for net in &networks {
        let mut trial = NetworkTrial::new(net, 3, 11);
        let before = allocations();
        while !trial.is_done() {
            trial.step();
        }
        let during = allocations() - before;
        assert_eq!(during, 0, "{during} allocations stepping {:?}", net.demand);
        let _ = trial.finish();
    }
}
