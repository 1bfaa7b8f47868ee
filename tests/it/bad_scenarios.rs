//! Scenario files with the mistakes people make when they edit them by hand, each next to
//! the exact message `orgsim validate` prints for it.
//!
//! `tests/bad_scenarios/NN_short_name.json` is a built-in scenario with one realistic mistake
//! (a few have several of different kinds); `NN_short_name.expected` is everything
//! `orgsim validate tests/bad_scenarios/NN_short_name.json` writes to stderr. Every file must
//! be rejected with exit code 65 (invalid scenario), by `validate` and by `run` alike, and
//! `run` must not create its output folder.
//!
//! After a deliberate change of wording, rewrite the expected files and review the diff:
//!
//! ```sh
//! UPDATE_EXPECTED=1 cargo test --test it bad_scenarios
//! git diff tests/bad_scenarios
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Where the files are, relative to the crate root (the names appear in the messages).
const DIR: &str = "tests/bad_scenarios";

/// Exit code of `orgsim validate` for an invalid scenario (sysexits.h EX_DATAERR). Every file
/// here is a readable file holding an invalid scenario, so none expects 66 (missing input)
/// or 2 (usage error).
const INVALID: i32 = 65;

/// Words that would show the user a crash or Rust's insides instead of their own file.
const FORBIDDEN: &[&str] = &[
    "panicked",
    "RUST_BACKTRACE",
    "u32",
    "u64",
    "usize",
    "f64",
    "f32",
    "struct ",
    "enum ",
    "Option<",
    "Vec<",
    "unit value",
    "sequence",
    "internally tagged",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn orgsim(args: &[&str]) -> Output {
    crate::common::orgsim_command()
        .args(args)
        .current_dir(root())
        .output()
        .expect("orgsim runs")
}

/// Every `.json` under `DIR`, as the relative path the messages name, sorted.
fn cases() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(DIR))
        .expect("tests/bad_scenarios exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("{DIR}/{n}"))
        .collect();
    out.sort();
    out
}

fn expected_path(case: &str) -> PathBuf {
    root().join(case.replace(".json", ".expected"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECTED").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Expected and actual text line by line, the differing lines marked.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut s = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => writeln!(s, "      {x}").unwrap(),
            (x, y) => {
                if let Some(x) = x {
                    writeln!(s, "    - {x}").unwrap();
                }
                if let Some(y) = y {
                    writeln!(s, "    + {y}").unwrap();
                }
            }
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        writeln!(s, "    (the final line break differs)").unwrap();
    }
    s
}

/// What is wrong with the shape of a message, whatever its exact words.
fn shape_problems(case: &str, stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in FORBIDDEN {
        if stderr.contains(word) {
            out.push(format!("the message contains '{word}'"));
        }
    }
    let mut lines = stderr.lines();
    let header = lines.next().unwrap_or("");
    let prefix = format!("orgsim: {case}: invalid scenario (");
    let Some(count) = header
        .strip_prefix(&prefix)
        .and_then(|r| r.split_once(' '))
        .and_then(|(n, rest)| rest.starts_with("problem").then_some(n))
        .and_then(|n| n.parse::<usize>().ok())
    else {
        out.push(format!("the first line is not '{prefix}K problems):'"));
        return out;
    };
    let items: Vec<&str> = lines.collect();
    if items.len() != count {
        out.push(format!(
            "the header says {count} problems, {} lines follow",
            items.len()
        ));
    }
    for item in items {
        if !item.starts_with(&format!("  {case}: ")) || !item.contains(": expected ") {
            out.push(format!(
                "a problem line does not read '  FILE: PATH: expected ..., found ...': {item}"
            ));
        }
    }
    out
}

#[test]
fn each_bad_scenario_is_rejected_by_validate_with_exactly_the_expected_message() {
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "only {} files in {DIR}: the suite is meant to cover at least 30 mistakes",
        cases.len()
    );
    let update = updating();
    let mut failures = Vec::new();
    for case in &cases {
        let o = orgsim(&["validate", case]);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let mut wrong = Vec::new();
        if o.status.code() != Some(INVALID) {
            wrong.push(format!(
                "exit code {:?}, expected {INVALID}; stdout: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout).trim()
            ));
        }
        wrong.extend(shape_problems(case, &stderr));
        let path = expected_path(case);
        if update {
            std::fs::write(&path, &stderr).unwrap();
        } else {
            match std::fs::read_to_string(&path) {
                Ok(expected) if expected == stderr => {}
                Ok(expected) => wrong.push(format!(
                    "stderr differs from {} (- expected, + actual):\n{}",
                    path.strip_prefix(root()).unwrap_or(&path).display(),
                    diff(&expected, &stderr)
                )),
                Err(e) => wrong.push(format!(
                    "cannot read {}: {e}; orgsim printed:\n{stderr}",
                    path.display()
                )),
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{case}:\n  {}", wrong.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad scenarios went wrong:\n\n{}\n\nIf the new wording is intended, rewrite the expected files with\n    UPDATE_EXPECTED=1 cargo test --test it bad_scenarios\nand review `git diff {DIR}`.",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn each_bad_scenario_stops_a_run_before_anything_is_written() {
    let mut failures = Vec::new();
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("x");
        let v = orgsim(&["validate", &case]);
        let r = orgsim(&[
            "run",
            &case,
            "--trials",
            "1",
            "--out",
            out.to_str().unwrap(),
            "--no-charts",
        ]);
        let (v_err, r_err) = (
            String::from_utf8_lossy(&v.stderr),
            String::from_utf8_lossy(&r.stderr),
        );
        let mut wrong = Vec::new();
        if r.status.code() != v.status.code() || r.status.code() != Some(INVALID) {
            wrong.push(format!(
                "run exits with {:?}, validate with {:?}; expected {INVALID} from both",
                r.status.code(),
                v.status.code()
            ));
        }
        if !r_err.contains(v_err.as_ref()) {
            wrong.push(format!(
                "run does not report what validate reports (- validate, + run):\n{}",
                diff(&v_err, &r_err)
            ));
        }
        for word in FORBIDDEN {
            if r_err.contains(word) {
                wrong.push(format!("run's message contains '{word}'"));
            }
        }
        if out.exists() {
            wrong.push("run created the output folder".into());
        }
        let left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        if !left.is_empty() {
            wrong.push(format!("run left {left:?} next to the output folder"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{case}:\n  {}", wrong.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn each_bad_scenario_has_an_expected_file_and_each_expected_file_a_scenario() {
    let names: Vec<String> = std::fs::read_dir(root().join(DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut wrong = Vec::new();
    for n in &names {
        let stem = n
            .strip_suffix(".json")
            .or_else(|| n.strip_suffix(".expected"));
        let Some(stem) = stem else {
            wrong.push(format!("{n}: neither .json nor .expected"));
            continue;
        };
        let well_named = stem.len() > 3
            && stem[..2].bytes().all(|b| b.is_ascii_digit())
            && stem.as_bytes()[2] == b'_';
        if !well_named {
            wrong.push(format!("{n}: not named NN_short_name"));
        }
        let other = if n.ends_with(".json") {
            format!("{stem}.expected")
        } else {
            format!("{stem}.json")
        };
        // While updating, a new .json gets its .expected from the other test.
        let being_written = updating() && n.ends_with(".json");
        if !names.contains(&other) && !being_written {
            wrong.push(format!("{n} has no {other}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
