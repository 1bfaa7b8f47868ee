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

/// The count is global: tests that read it take turns, or each would count the other's work.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn stepping_a_trial_allocates_nothing() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
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
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for net in &networks {
        let mut trial = NetworkTrial::new(net, 3, 11);
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        while !trial.is_done() {
            trial.step();
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(during, 0, "{during} allocations stepping {:?}", net.demand);
        let _ = trial.finish();
    }
}
