//! The workshop server under load: the release binary's `orgsim serve` on loopback, 20 sessions
//! of `promo_vs_inventory` (a year, five stores), each with two teams of three participants
//! (sales, procurement, retailer), all 120 deciding at once from their own threads through HTTP,
//! every week to the end. Prints decisions a second and the decide latency's quantiles, as the
//! client measures them. The load is the test's (`tests/it/workshop_http.rs`), through the driver
//! they share.
//!
//!   cargo build --release && cargo bench --bench workshop_load
//!
//! The binary is `$ORGSIM_BIN`, else `target/release/orgsim`; the fit cache is the user's (or
//! `$ORGSIM_CACHE_DIR`), and the sessions' model is fitted, if it must be, before the clock
//! starts. `cargo test --benches` runs it as a check: one session, not timed.

#[path = "../tests/it/workshop_driver.rs"]
mod driver;

use std::time::{Duration, Instant};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: a check, not a measure.
    let timed = std::env::args().any(|a| a == "--bench");
    let bin = std::env::var("ORGSIM_BIN").unwrap_or_else(|_| "target/release/orgsim".to_string());
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(bin);
    if !bin.is_file() {
        eprintln!(
            "workshop_load: {} not found: run `cargo build --release` first (or set ORGSIM_BIN)",
            bin.display()
        );
        if timed {
            std::process::exit(2);
        }
        return;
    }
    let sessions = if timed { 20 } else { 1 };
    let data = tempfile::tempdir().expect("a temporary folder");
    let server = driver::Server::start(std::process::Command::new(&bin), data.path());
    // The model fitted (or taken from the cache) outside the timing: a session created alone.
    let fit = Instant::now();
    let _ = driver::create(&server, 1, &driver::SETS, "fit");
    eprintln!(
        "workshop_load: the model ready in {:.1} s",
        fit.elapsed().as_secs_f64()
    );
    let set_up = Instant::now();
    let played = driver::set_up(&server, sessions, 2);
    let set_up = set_up.elapsed();
    let load = driver::play(&server, &played, Duration::from_secs(600));
    if !load.failures.is_empty() {
        eprintln!(
            "workshop_load: {} participants failed, the first: {}",
            load.failures.len(),
            load.failures[0]
        );
        std::process::exit(1);
    }
    let want = sessions * 2 * driver::HUMAN_ROLES.len() * 52;
    assert_eq!(
        load.decisions(),
        want,
        "every participant decided every week once"
    );
    println!(
        "workshop_load: {} sessions created, seated and started in {:.2} s",
        sessions,
        set_up.as_secs_f64()
    );
    println!("workshop_load: {}", load.summary());
    println!(
        "workshop_load: decisions/s {:.0}; decide latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
        load.rate(),
        load.latency(0.5).as_secs_f64() * 1e3,
        load.latency(0.9).as_secs_f64() * 1e3,
        load.latency(0.99).as_secs_f64() * 1e3
    );
}
