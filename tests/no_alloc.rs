//! The per-tick hot loop does not allocate: everything a week needs is set up with the trial.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn stepping_a_trial_allocates_nothing() {
    for name in orgsim::scenario::load::BUILTINS.iter().map(|b| b.name) {
        let source = orgsim::scenario::load::resolve(name).unwrap();
        let model = orgsim::prepare(&source, &[]).unwrap();
        let mut trial = orgsim::sim::engine::Trial::new(&model, 3, 11);
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        while !trial.is_done() {
            trial.step();
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(
            during, 0,
            "{name}: {during} allocations while stepping {} weeks",
            model.horizon
        );
        let _ = trial.finish();
    }
}
