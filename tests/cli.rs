//! The `orgsim` command line as a user meets it: outputs, determinism, and errors.

use std::path::Path;
use std::process::{Command, Output};

fn orgsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orgsim"))
        .args(args)
        .output()
        .expect("orgsim runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run_into(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--trials",
        "150",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = orgsim(&args);
    assert!(o.status.success(), "{}", text(&o));
    o
}

/// The `summary.json` of a run folder.
fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

const DATA: [&str; 3] = ["summary.json", "trials.csv", "series.csv"];

#[test]
fn same_seed_gives_identical_files_on_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    run_into(&a, &["--seed", "5", "--threads", "1"]);
    run_into(&b, &["--seed", "5", "--threads", "2"]);
    run_into(&c, &["--seed", "5", "--threads", "2"]);
    for f in DATA {
        let x = std::fs::read(a.join(f)).unwrap();
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
        assert_eq!(
            x,
            std::fs::read(c.join(f)).unwrap(),
            "{f} differs between two identical runs"
        );
    }
}

#[test]
fn a_different_seed_gives_different_trials_and_the_seed_is_written_down() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_into(&a, &["--seed", "1"]);
    run_into(&b, &["--seed", "2"]);
    let ta = std::fs::read_to_string(a.join("trials.csv")).unwrap();
    assert_ne!(ta, std::fs::read_to_string(b.join("trials.csv")).unwrap());
    let summary: serde_json::Value = summary(&b);
    assert_eq!(summary["seed"], 2);
    assert_eq!(summary["trials"], 150);
    assert_eq!(ta.lines().count(), 151, "a header and one row per trial");
}

#[test]
fn run_writes_the_contract_files_with_their_shapes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = orgsim(&["run", "--trials", "80", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let table = text(&o);
    assert!(
        table.contains("coordinated_divergence") && table.contains("claims success"),
        "{table}"
    );

    let s: serde_json::Value = summary(&out);
    for key in [
        "scenario",
        "seed",
        "trials",
        "orgsim_version",
        "metrics",
        "roles",
        "coordinated_divergence_rate",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    for m in orgsim::metrics::GLOBAL_METRICS {
        let stat = &s["metrics"][m];
        for k in ["mean", "sd", "ci95", "p10", "p50", "p90"] {
            assert!(stat.get(k).is_some(), "metrics.{m} lacks {k}");
        }
        let (lo, hi) = (
            stat["ci95"][0].as_f64().unwrap(),
            stat["ci95"][1].as_f64().unwrap(),
        );
        assert!(
            lo <= stat["mean"].as_f64().unwrap() && stat["mean"].as_f64().unwrap() <= hi,
            "{m}"
        );
    }
    assert!(s["roles"]["sales"]["claims_success_rate"].is_number());

    let series = std::fs::read_to_string(out.join("series.csv")).unwrap();
    assert!(series.starts_with("tick,series,mean,p10,p50,p90\n"));
    for name in [
        "promo_depth",
        "inventory.warehouse",
        "weeks_of_cover.stores",
        "stockout_rate",
        "consumer_demand",
        "sell_in",
        "sell_out",
        "orders.retailer_dc",
    ] {
        assert_eq!(
            series
                .lines()
                .filter(|l| l.split(',').nth(1) == Some(name))
                .count(),
            52,
            "series {name}"
        );
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("duration_s") && manifest.contains("threads"));
}

#[test]
fn list_schema_and_validate() {
    let o = orgsim(&["list"]);
    assert!(o.status.success());
    for b in orgsim::load::BUILTINS {
        assert!(text(&o).contains(b.name));
    }
    let o = orgsim(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(schema["properties"]["strategy"].is_object());
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = f.unwrap().path();
        if path.to_string_lossy().ends_with(".schema.json") {
            continue;
        }
        let o = orgsim(&["validate", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", path.display(), text(&o));
    }
}

#[test]
fn shipped_schema_file_matches_the_types() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/scenario.schema.json"
    ))
    .unwrap();
    assert_eq!(
        shipped.trim_end(),
        orgsim::load::schema_json().trim_end(),
        "run: cargo run -- schema > scenarios/scenario.schema.json"
    );
}

#[test]
fn overrides_change_the_run_and_bad_ones_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_into(&out, &["--set", "strategy.ambiguity=0"]);
    let s: serde_json::Value = summary(&out);
    assert_eq!(s["metrics"]["interpretation_spread"]["mean"], 0.0);

    let o = orgsim(&[
        "run",
        "--trials",
        "5",
        "--set",
        "strategy.ambiguty=0.2",
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(65));
    let msg = text(&o);
    assert!(
        msg.contains("strategy.ambiguty") && msg.contains("did you mean 'ambiguity'"),
        "{msg}"
    );
    assert!(!tmp.path().join("x").exists(), "nothing written on error");

    let o = orgsim(&[
        "validate",
        "promo_vs_inventory",
        "--set",
        "world.stores=many",
    ]);
    assert_eq!(o.status.code(), Some(65));
    assert!(text(&o).contains("expected a number"), "{}", text(&o));

    let o = orgsim(&[
        "validate",
        "promo_vs_inventory",
        "--set",
        "roles.sales.behaviour.temperature=-1",
    ]);
    assert_eq!(o.status.code(), Some(65));
    assert!(
        text(&o).contains("roles[0].behaviour.temperature"),
        "{}",
        text(&o)
    );
}

#[test]
fn bad_input_gives_clear_errors_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let o = orgsim(&["run", "no/such/file.json"]);
    assert_eq!(o.status.code(), Some(66), "{}", text(&o));
    assert!(text(&o).contains("no/such/file.json"));

    let o = orgsim(&["run", "promo_vs_inventry"]);
    assert_eq!(o.status.code(), Some(66));
    assert!(
        text(&o).contains("did you mean 'promo_vs_inventory'"),
        "{}",
        text(&o)
    );

    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"name\": \"x\",\n \"description\": 3}").unwrap();
    let o = orgsim(&["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(65));
    let msg = text(&o);
    assert!(
        msg.contains("bad.json") && msg.contains("description") && msg.contains("line 2"),
        "{msg}"
    );

    let o = orgsim(&["run", "--trials", "0"]);
    assert_eq!(o.status.code(), Some(2));

    let foreign = tmp.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.tex"), "precious").unwrap();
    let o = orgsim(&["run", "--trials", "5", "--out", foreign.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.tex")).unwrap(),
        "precious"
    );
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_rerun_replaces_only_what_orgsim_wrote_and_never_deletes_a_users_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("prev2");
    run_into(&out, &["--seed", "1"]);
    let first = std::fs::read(out.join("trials.csv")).unwrap();
    // A re-run into its own folder replaces the files (no --force needed) ...
    run_into(&out, &["--seed", "2", "--no-charts"]);
    assert_ne!(std::fs::read(out.join("trials.csv")).unwrap(), first);
    // ... and leaves none of the earlier run's files behind (this run drew no charts).
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
    // The user saves a notebook and a note into the folder.
    std::fs::create_dir(out.join("notebooks")).unwrap();
    std::fs::write(out.join("notebooks/a.ipynb"), "{}").unwrap();
    std::fs::write(out.join("README_client.md"), "for the client").unwrap();
    let args = [
        "run",
        "--trials",
        "100",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = orgsim(&args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let msg = text(&o);
    assert!(
        msg.contains("README_client.md")
            && msg.contains("notebooks/a.ipynb")
            && msg.contains("--force"),
        "the refusal names the user's files and the way out: {msg}"
    );
    // With --force the run writes beside them, never over them.
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = orgsim(&forced);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("README_client.md")).unwrap(),
        "for the client"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notebooks/a.ipynb")).unwrap(),
        "{}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"trials.csv") && !files.contains(&"README_client.md"),
        "{files:?}"
    );
    assert_eq!(
        names(tmp.path()),
        ["prev2"],
        "no staging folders left behind"
    );
}

#[test]
fn force_never_writes_over_a_file_orgsim_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "mine").unwrap();
    let o = orgsim(&[
        "run",
        "--trials",
        "50",
        "--quiet",
        "--no-charts",
        "--force",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("summary.json"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("summary.json")).unwrap(),
        "mine"
    );
    assert_eq!(names(&out), ["summary.json"]);
    assert_eq!(names(tmp.path()), ["o"]);
}

#[test]
fn the_current_folder_or_one_above_it_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path().join("project");
    std::fs::create_dir(&here).unwrap();
    std::fs::write(here.join("notes.txt"), "mine").unwrap();
    for out in [".", "..", "../project", "./"] {
        let o = Command::new(env!("CARGO_BIN_EXE_orgsim"))
            .args([
                "run",
                "--trials",
                "20",
                "--quiet",
                "--no-charts",
                "--force",
                "--out",
                out,
            ])
            .current_dir(&here)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", text(&o));
        assert!(
            text(&o).contains("current folder"),
            "--out {out}: {}",
            text(&o)
        );
        assert_eq!(names(&here), ["notes.txt"], "--out {out}");
        assert_eq!(names(tmp.path()), ["project"], "--out {out}");
    }
}

/// A folder this process cannot write into: read-only for an ordinary user; for root, who may
/// write anywhere, a place the kernel itself refuses (sysfs).
fn unwritable(tmp: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let ro = tmp.join("rodir");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), "").is_ok() {
        return Path::new("/sys/orgsim-cannot-write-here").to_path_buf();
    }
    ro
}

#[test]
fn a_folder_that_cannot_be_written_is_named_as_the_user_gave_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = unwritable(tmp.path()).join("results");
    let o = orgsim(&[
        "run",
        "--trials",
        "20",
        "--quiet",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let msg = text(&o);
    assert!(
        msg.contains(out.to_str().unwrap()) && !msg.contains("orgsim-partial"),
        "the message names --out, not the staging folder: {msg}"
    );
}

#[test]
fn a_full_device_is_an_error_not_a_success() {
    if !Path::new("/dev/full").exists() {
        eprintln!("no /dev/full here: the full-device case is checked on Linux only");
        return;
    }
    for args in [
        &["schema"][..],
        &["list"],
        &["validate", "promo_vs_inventory"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_orgsim"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("standard output") && err.contains("No space left"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn series_csv_quotes_names_that_need_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_into(
        &out,
        &[
            "--no-charts",
            "--set",
            r#"roles.marketing.levers.media_spend.name="media, \"big\"""#,
        ],
    );
    let mut r = csv::Reader::from_path(out.join("series.csv")).unwrap();
    let mut found = false;
    for row in r.records() {
        let row = row.unwrap();
        assert_eq!(row.len(), 6, "{row:?}");
        found |= &row[1] == r#"lever.marketing.media, "big""#;
    }
    assert!(found, "the lever's series is there under its own name");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orgsim"))
        .arg("schema")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before orgsim writes (like `orgsim schema | head -0`): its write fails with EPIPE.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{:?}", o.status);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_killed_runs_staging_folder_is_cleaned_up_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    // What a run killed with SIGKILL leaves: a hidden staging folder named after a dead process.
    let abandoned = tmp.path().join(".o.orgsim-partial-4000000");
    std::fs::create_dir(&abandoned).unwrap();
    std::fs::write(abandoned.join("trials.csv"), "trial\n0\n").unwrap();
    run_into(&tmp.path().join("o"), &["--no-charts"]);
    assert!(!abandoned.exists());
}

#[test]
fn trace_says_why_each_role_chose_and_writes_a_tidy_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("t");
    let args = ["trace", "--trial", "3", "--out", out.to_str().unwrap()];
    let o = orgsim(&[&args[..], &["--role", "sales"]].concat());
    assert!(o.status.success(), "{}", text(&o));
    let account = String::from_utf8_lossy(&o.stdout);
    // The playbook in words, then the weeks where its rule pushed, each with its standing.
    assert!(account.contains("promo_depth: "), "{account}");
    assert!(account.contains("best constant policy"), "{account}");
    assert!(
        account
            .lines()
            .any(|l| l.starts_with("week ") && l.contains("behind") && l.contains("chose")),
        "{account}"
    );
    assert!(
        !account.contains("procurement"),
        "--role sales shows sales only: {account}"
    );
    let csv = std::fs::read_to_string(out.join("trace.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for col in [
        "week",
        "role",
        "lever",
        "option",
        "projected_payout",
        "pressure",
        "reading_margin",
        "chosen",
    ] {
        assert!(header.split(',').any(|c| c == col), "{col} in {header}");
    }
    // Two promotion decisions a week x 52 weeks for sales' two levers.
    assert_eq!(csv.lines().count(), 1 + 2 * 52);
    // The same trial replayed gives the same account: a trace is as deterministic as a run.
    let again = orgsim(&[&args[..], &["--role", "sales"]].concat());
    assert_eq!(o.stdout, again.stdout);
    let bad = orgsim(&[&args[..], &["--role", "sails"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("sails") && text(&bad).contains("sales"),
        "{}",
        text(&bad)
    );
}

#[test]
fn a_long_run_says_how_long_before_it_starts() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // 20,000 stores for ten years: about a second a trial, so hours with the fit.
    let mut child = Command::new(env!("CARGO_BIN_EXE_orgsim"))
        .args(["run", "--no-charts", "--out", out.to_str().unwrap()])
        .args(["--set", "world.stores=20000", "--set", "horizon_weeks=520"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let estimate = lines.find_map(|l| l.ok().filter(|l| l.contains("this will take about")));
    child.kill().unwrap();
    child.wait().unwrap();
    let estimate = estimate.expect("an estimate before the work");
    assert!(
        estimate.contains(" h ") && estimate.contains("one trial takes"),
        "{estimate}"
    );
    // A small run says nothing of the kind.
    let o = orgsim(&[
        "run",
        "--trials",
        "20",
        "--no-charts",
        "--out",
        tmp.path().join("s").to_str().unwrap(),
    ]);
    assert!(
        o.status.success() && !text(&o).contains("will take about"),
        "{}",
        text(&o)
    );
}
