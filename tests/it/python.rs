//! orgsim checked by the Python tools its users hold it to:
//! - the shipped JSON Schema by an independent validator: `scripts/check_schema.py` runs Python's
//!   `jsonschema` over the shipped scenarios (each must validate) and the bad scenarios (each range
//!   refusal of orgsim's must be the schema's too, at the same path);
//! - the data files by pandas and polars: `scripts/check_data.py` loads each CSV with no options,
//!   checks every column's type, and stacks two runs.
//!
//! They need a Python with `scripts/requirements.txt`: the one named by `ORGSIM_PYTHON`, else
//! `.venv` in the repository root. Without either the tests say so loudly and pass, so that a plain
//! `cargo test` works on a fresh clone; CI sets `ORGSIM_REQUIRE_PYTHON=1` to make them fail instead.

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

/// The Python to check with, or `None` after saying loudly why the check is skipped (and failing
/// instead when CI requires Python).
fn python_for(check: &str) -> Option<PathBuf> {
    let found = python();
    if found.is_none() {
        let how =
            format!("no Python for the {check} (set ORGSIM_PYTHON, or make the venv: {MAKE_VENV})");
        assert!(!required(), "ORGSIM_REQUIRE_PYTHON=1 but {how}");
        // Straight to stderr, not eprintln!: the test harness would capture that and show it only
        // for a failing test.
        let note = format!("\n*** SKIPPED {check}: {how} ***\n\n");
        std::io::stderr().write_all(note.as_bytes()).unwrap();
    }
    found
}

#[test]
fn shipped_schema_agrees_with_the_validator_by_pythons_jsonschema() {
    let Some(python) = python_for("schema check") else {
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

fn orgsim(args: &[&str]) {
    let o = crate::common::orgsim_command()
        .env("ORGSIM_NO_CERTIFICATE", "true")
        .args(args)
        .output()
        .expect("run orgsim");
    assert!(
        o.status.success(),
        "orgsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn check_data(python: &Path, dirs: &[PathBuf]) {
    let o = Command::new(python)
        .arg("scripts/check_data.py")
        .args(dirs)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert!(
        o.status.success(),
        "scripts/check_data.py failed ({}):\n{out}\n{}\nIf pandas or polars is missing: {MAKE_VENV}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A researcher's sweep in miniature: two runs, the second with promotions taken away (so its
/// promotion columns are all zeros, which once read as integers), each loaded by pandas and polars
/// with no options, every column of its documented type, and the two stacked. The same for two
/// traces, two comparisons and two sweeps. Small runs (4 stores, 16 weeks) keep it to seconds.
#[test]
fn data_files_load_in_pandas_and_polars_with_no_options_and_runs_stack() {
    let Some(python) = python_for("data check") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let small = ["--set", "world.stores=4", "--set", "horizon_weeks=16"];
    let never = ["--set", "roles.sales.levers.promo_depth.options=[0]"];
    let dir = |name: &str| tmp.path().join(name);
    let mut runs = Vec::new();
    let mut traces = Vec::new();
    for (k, extra) in [&[][..], &never[..]].iter().enumerate() {
        let run = dir(&format!("run{k}"));
        let trace = dir(&format!("trace{k}"));
        let mut args = vec!["run", "--trials", "40", "--no-charts", "--quiet"];
        args.extend(["--out", run.to_str().unwrap()]);
        args.extend(small.iter().chain(extra.iter()));
        orgsim(&args);
        let mut args = vec!["trace", "--trial", "3", "--out", trace.to_str().unwrap()];
        args.extend(small.iter().chain(extra.iter()));
        orgsim(&args);
        runs.push(run);
        traces.push(trace);
    }
    check_data(&python, &runs);
    check_data(&python, &traces);
    // Two comparisons, the first with an arm that never promotes.
    let mut comparisons = Vec::new();
    for (k, arm) in [
        "never: roles.sales.levers.promo_depth.options=[0]",
        "clear: strategy.ambiguity=0",
    ]
    .iter()
    .enumerate()
    {
        let out = dir(&format!("compare{k}"));
        let mut args = vec![
            "compare",
            "promo_vs_inventory",
            "--arm",
            arm,
            "--trials",
            "40",
        ];
        args.extend(["--quiet", "--out", out.to_str().unwrap()]);
        args.extend(small.iter());
        orgsim(&args);
        comparisons.push(out);
    }
    check_data(&python, &comparisons);
    // Two sweeps over the same value, the second with promotions taken away.
    let mut sweeps = Vec::new();
    for (k, extra) in [&[][..], &never[..]].iter().enumerate() {
        let out = dir(&format!("sweep{k}"));
        let mut args = vec![
            "sweep",
            "--vary",
            "strategy.ambiguity=0,0.5,1",
            "--trials",
            "30",
        ];
        args.extend(["--no-charts", "--quiet", "--out", out.to_str().unwrap()]);
        args.extend(small.iter().chain(extra.iter()));
        orgsim(&args);
        sweeps.push(out);
    }
    check_data(&python, &sweeps);
    // Two network runs: the classic (every trial the same) and the Beer Game's Monte Carlo.
    let mut networks = Vec::new();
    for (k, scenario) in ["beer_game_classic", "beer_game"].iter().enumerate() {
        let out = dir(&format!("network{k}"));
        let args = [
            "run",
            scenario,
            "--trials",
            "40",
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        orgsim(&args);
        networks.push(out);
    }
    check_data(&python, &networks);
    // Two network comparisons: the players count their supply line, or not.
    let mut network_comparisons = Vec::new();
    for (k, beta) in ["1", "0"].iter().enumerate() {
        let out = dir(&format!("network_compare{k}"));
        let arm = format!("factory beta: network.stock_points.factory.policy.beta={beta}");
        let args = [
            "compare",
            "beer_game",
            "--arm",
            &arm,
            "--trials",
            "40",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        orgsim(&args);
        network_comparisons.push(out);
    }
    check_data(&python, &network_comparisons);
}

/// docs/classics.md says two honest implementations of the Beer Game agree to the last bit. This one
/// holds orgsim to it: `scripts/beer_game_reference.py` was written from docs/classics.md alone,
/// without reading orgsim's source, and every order, inventory, backlog, cost, amplification and
/// peak of the classic (Sterman's fitted players, and two other parameter sets) must be the same
/// double. Floats cross as repr strings, parsed by Rust's correctly rounded parser.
#[test]
fn the_classic_agrees_with_an_independent_implementation_to_the_last_bit() {
    use orgsim::sim::network::{beer_game, run_network, Policy};
    let Some(python) = python_for("Beer Game reference") else {
        return;
    };
    for (theta, alpha, beta, s_prime) in [
        (0.36, 0.26, 0.34, 17.0),
        (0.0, 0.2, 1.0, 24.0),
        (1.0, 0.8, 0.0, 4.0),
    ] {
        let o = Command::new(&python)
            .arg("scripts/beer_game_reference.py")
            .arg("--exact")
            .args([
                "--theta",
                &theta.to_string(),
                "--alpha-s",
                &alpha.to_string(),
            ])
            .args([
                "--beta",
                &beta.to_string(),
                "--s-prime",
                &s_prime.to_string(),
            ])
            .current_dir(root())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let want: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let num = |v: &serde_json::Value| -> f64 {
            match v {
                serde_json::Value::String(s) => s.parse().unwrap(),
                serde_json::Value::Number(n) => n.as_f64().unwrap(),
                other => panic!("not a number: {other}"),
            }
        };
        let list = |k: &str| -> Vec<f64> { want[k].as_array().unwrap().iter().map(num).collect() };
        let table = |k: &str| -> Vec<Vec<f64>> {
            want[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row.as_array().unwrap().iter().map(num).collect())
                .collect()
        };
        let policy = Policy::Sterman {
            theta,
            alpha_s: alpha,
            beta,
            desired_stock: s_prime,
        };
        let r = run_network(&beer_game(false, policy), 1, 0);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let same = |what: &str, ours: &[f64], theirs: &[f64]| {
            assert_eq!(
                bits(ours),
                bits(theirs),
                "θ {theta}, α {alpha}, β {beta}, S' {s_prime}: {what}\n ours   {ours:?}\n theirs {theirs:?}"
            );
        };
        same("demand", &r.demand, &list("demand"));
        for (k, ours) in [
            ("orders", &r.orders),
            ("inventory", &r.inventory),
            ("backlog", &r.backlog),
        ] {
            for (i, (a, b)) in ours.iter().zip(table(k)).enumerate() {
                same(&format!("{k}[{i}]"), a, &b);
            }
        }
        same("cost", &r.cost, &list("cost"));
        same("total_cost", &[r.total_cost()], &[num(&want["total_cost"])]);
        same("amp", &r.amplification(), &list("amp"));
        same("stage_amp", &r.stage_amplification(), &list("stage_amp"));
        let peaks = r.peak_order();
        same(
            "peak_order",
            &peaks.iter().map(|p| p.0).collect::<Vec<_>>(),
            &list("peak_order"),
        );
        let weeks: Vec<usize> = peaks.iter().map(|p| p.1).collect();
        let theirs: Vec<usize> = list("peak_week").iter().map(|w| *w as usize).collect();
        assert_eq!(weeks, theirs, "peak_week");
    }
}

/// Sensitivity analysis where researchers do it: SALib's Morris design over four settings, run by
/// `orgsim sweep --design` on common random numbers, analysed by SALib (`tests/python/morris.py`).
/// Every mu_star is finite, the sweep keeps the design's row order, and the settings that enter
/// profit unit by unit rank first.
#[test]
fn salib_morris_runs_through_sweep_design() {
    let Some(python) = python_for("SALib Morris check") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(&python)
        .arg(root().join("tests/python/morris.py"))
        .arg(env!("CARGO_BIN_EXE_orgsim"))
        .arg(tmp.path())
        .env("ORGSIM_NO_CERTIFICATE", "true")
        .env("ORGSIM_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "morris.py failed:\n{said}");
    println!("{said}");
    let table = std::fs::read_to_string(tmp.path().join("morris.csv")).unwrap();
    let mu: Vec<(String, f64)> = table
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cells[1].parse().unwrap())
        })
        .collect();
    assert_eq!(mu.len(), 4, "{table}");
    // Profit is made unit by unit: the demand's volume and the unit cost move it most, ahead of
    // how strongly promotions lift (which the fitted departments partly play around) and the
    // cost of defecting from a decision.
    let mut ranked = mu.clone();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<&str> = ranked[..2].iter().map(|m| m.0.as_str()).collect();
    assert!(
        top.contains(&"world.demand.base_per_store") && top.contains(&"world.prices.unit_cost"),
        "{table}"
    );
}
