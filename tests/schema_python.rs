//! The shipped JSON Schema, checked by an independent validator: `scripts/check_schema.py` runs
//! Python's `jsonschema` over the shipped scenarios (each must validate) and the bad scenarios
//! (each range refusal of orgsim's must be the schema's too, at the same path).
//!
//! It needs a Python with `jsonschema`: the one named by `ORGSIM_PYTHON`, else `.venv` in the
//! repository root. Without either the test says so loudly and passes, so that a plain
//! `cargo test` works on a fresh clone; CI sets `ORGSIM_REQUIRE_PYTHON=1` to make it fail instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const MAKE_VENV: &str =
    "python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `ORGSIM_PYTHON`, else the repository's `.venv`, if it exists.
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ORGSIM_PYTHON").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let venv = root().join(".venv");
    [venv.join("bin/python"), venv.join("Scripts/python.exe")]
        .into_iter()
        .find(|p| p.exists())
}

fn required() -> bool {
    std::env::var_os("ORGSIM_REQUIRE_PYTHON").is_some_and(|v| v == "1")
}

#[test]
fn shipped_schema_agrees_with_the_validator_by_pythons_jsonschema() {
    let Some(python) = python() else {
        let how = format!(
            "no Python for the schema check (set ORGSIM_PYTHON, or make the venv: {MAKE_VENV})"
        );
        assert!(!required(), "ORGSIM_REQUIRE_PYTHON=1 but {how}");
        // Straight to stderr, not eprintln!: the test harness would capture that and show it only
        // for a failing test.
        let note = format!("\n*** SKIPPED schema check: {how} ***\n\n");
        std::io::stderr().write_all(note.as_bytes()).unwrap();
        return;
    };
    let o = Command::new(&python)
        .args([
            "scripts/check_schema.py",
            "scenarios/scenario.schema.json",
            "tests/bad_scenarios",
        ])
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    println!("{out}");
    assert!(
        o.status.success(),
        "scripts/check_schema.py failed ({}) with {}:\n{out}\n{err}\nIf jsonschema is missing: {MAKE_VENV}",
        o.status,
        python.display()
    );
}
