//! The `orgsim` command line as a user meets it: outputs, determinism, and errors.

use std::path::Path;
use std::process::Output;

use crate::common::orgsim_command as bin;

fn orgsim(args: &[&str]) -> Output {
    bin()
        .env("ORGSIM_NO_CERTIFICATE", "true")
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
    // a and b fit afresh, each on its own threads (the fit must not depend on them); c takes
    // the playbook b remembered.
    run_into(&a, &["--seed", "5", "--threads", "1", "--refit"]);
    run_into(&b, &["--seed", "5", "--threads", "2", "--refit"]);
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
    for m in orgsim::stats::metrics::GLOBAL_METRICS {
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
    let listed = text(&o);
    for b in orgsim::scenario::load::BUILTINS {
        // Listed under its story's heading, so none is left out of the groups.
        assert!(
            orgsim::scenario::load::STORIES.contains(&b.story),
            "{}",
            b.story
        );
        let heading = listed.find(&format!("{}\n", b.story)).expect("a heading");
        let at = listed.find(&format!("  {} ", b.name)).expect("listed");
        assert!(heading < at, "{} before its story:\n{listed}", b.name);
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
        // A shipped scenario is the model of a good one: not a single warning.
        assert!(o.stderr.is_empty(), "{}: {}", path.display(), text(&o));
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
        orgsim::scenario::load::schema_json().trim_end(),
        "run: cargo run -- schema > scenarios/scenario.schema.json"
    );
}

/// A variant run says what it varies: `summary.json` keeps the scenario's name, the hash of its
/// text and every override; the run is named for its overrides (report and charts) unless
/// `--name` names it, and `--name` also names the default folder. A file edited by one byte gets
/// another hash.
#[test]
fn a_run_records_its_scenario_hash_and_overrides_and_can_be_named() {
    let tmp = tempfile::tempdir().unwrap();
    let small = ["--set", "world.stores=4", "--set", "horizon_weeks=16"];
    let out = tmp.path().join("variant");
    let mut extra = small.to_vec();
    extra.extend(["--set", "strategy.ambiguity=0.2"]);
    run_into(&out, &extra);
    let s = summary(&out);
    assert_eq!(s["scenario"], "promo_vs_inventory");
    assert_eq!(
        s["name"],
        "promo_vs_inventory [world.stores=4; horizon_weeks=16; strategy.ambiguity=0.2]"
    );
    assert_eq!(
        s["overrides"],
        serde_json::json!([
            "world.stores=4",
            "horizon_weeks=16",
            "strategy.ambiguity=0.2"
        ])
    );
    let hash = s["scenario_sha256"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64, "{hash}");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("A variant of the scenario <code>promo_vs_inventory</code>")
            && report.contains("<code>--set strategy.ambiguity=0.2</code>"),
        "the report does not say what the run changed"
    );

    // The same scenario as a file, one byte different: another hash; the same text: the same.
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/promo_vs_inventory.json"),
    )
    .unwrap();
    let copy = tmp.path().join("copy.json");
    for (edited, same) in [(original.clone(), true), (original + " ", false)] {
        std::fs::write(&copy, edited).unwrap();
        let out = tmp.path().join(if same { "same" } else { "edited" });
        let mut args = vec![copy.to_str().unwrap()];
        args.extend(small);
        args.extend(["--set", "strategy.ambiguity=0.2", "--no-charts"]);
        run_into(&out, &args);
        assert_eq!(summary(&out)["scenario_sha256"] == hash.as_str(), same);
    }

    // --name: the run's name, and the default folder under output/ (run from a scratch folder).
    let o = bin()
        .env("ORGSIM_NO_CERTIFICATE", "true")
        .args([
            "run",
            "--trials",
            "20",
            "--quiet",
            "--no-charts",
            "--name",
            "half-bonus",
        ])
        .args(small)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let s = summary(&tmp.path().join("output/half-bonus"));
    assert_eq!(
        (s["name"].as_str(), s["scenario"].as_str()),
        (Some("half-bonus"), Some("promo_vs_inventory"))
    );
    for bad in ["", "..", "a/b"] {
        let o = orgsim(&["run", "--trials", "5", "--name", bad]);
        assert_eq!(o.status.code(), Some(2), "--name '{bad}': {}", text(&o));
        assert!(text(&o).contains("--name: expected"), "{}", text(&o));
    }
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
    assert!(text(&o).contains("expected a whole number"), "{}", text(&o));

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

/// Every refusal comes before the work: a user's own file where the run would write is refused
/// before the playbook is fitted (an empty fit cache stays empty), for `run`, `compare` and `sweep`.
#[test]
fn a_users_file_where_orgsim_would_write_is_refused_before_the_fit() {
    for (command, file) in [
        ("run", "summary.json"),
        ("compare", "compare.csv"),
        ("sweep", "sweep.json"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (out, cache) = (tmp.path().join("o"), tmp.path().join("cache"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::write(out.join(file), "mine").unwrap();
        let mut args = vec![command, "promo_vs_inventory", "--trials", "5", "--force"];
        args.extend(["--set", "world.stores=7", "--out", out.to_str().unwrap()]);
        match command {
            "compare" => args.extend(["--arm", "clear: strategy.ambiguity=0"]),
            "sweep" => args.extend(["--vary", "strategy.ambiguity=0,1"]),
            _ => {}
        }
        let o = bin()
            .env("ORGSIM_CACHE_DIR", &cache)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{command}: {}", text(&o));
        assert!(
            text(&o).contains(&format!(
                "{file} was not written by orgsim and stands where orgsim would write"
            )),
            "{command}: {}",
            text(&o)
        );
        assert_eq!(
            names(&cache),
            Vec::<String>::new(),
            "{command} fitted before refusing"
        );
        assert_eq!(std::fs::read_to_string(out.join(file)).unwrap(), "mine");
    }
}

#[test]
fn the_current_folder_or_one_above_it_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path().join("project");
    std::fs::create_dir(&here).unwrap();
    std::fs::write(here.join("notes.txt"), "mine").unwrap();
    for out in [".", "..", "../project", "./"] {
        let o = bin()
            .env("ORGSIM_NO_CERTIFICATE", "true")
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
        let o = bin()
            .env("ORGSIM_NO_CERTIFICATE", "true")
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
    let mut child = bin()
        .env("ORGSIM_NO_CERTIFICATE", "true")
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
    // 20,000 stores for ten years: about a second a trial, so hours with the fit (minutes at
    // the least on a much faster machine).
    let mut child = bin()
        .env("ORGSIM_NO_CERTIFICATE", "true")
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
        (estimate.contains(" h ") || estimate.contains(" min"))
            && estimate.contains("one trial takes"),
        "{estimate}"
    );
    // A small run says nothing of the kind: a trial of 2 stores for 8 weeks takes microseconds,
    // so no slowdown of a busy machine brings the estimate near a minute.
    let o = orgsim(&[
        "run",
        "--trials",
        "20",
        "--no-charts",
        "--set",
        "world.stores=2",
        "--set",
        "horizon_weeks=8",
        "--out",
        tmp.path().join("s").to_str().unwrap(),
    ]);
    assert!(
        o.status.success() && !text(&o).contains("will take about"),
        "{}",
        text(&o)
    );
}

/// `orgsim validate SCENARIO --set ...`: the exit code and everything written to stderr.
fn validate(scenario: &str, sets: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["validate", scenario];
    for s in sets {
        args.extend(["--set", s]);
    }
    let o = orgsim(&args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The first built-in with `edits` (JSON pointer, new value), pretty-printed into `dir`.
fn edited_builtin(dir: &Path, edits: &[(&str, serde_json::Value)]) -> (String, String) {
    let mut doc: serde_json::Value =
        serde_json::from_str(orgsim::scenario::load::BUILTINS[0].json).unwrap();
    for (pointer, v) in edits {
        *doc.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")) = v.clone();
    }
    let text = serde_json::to_string_pretty(&doc).unwrap();
    let path = dir.join("edited.json");
    std::fs::write(&path, &text).unwrap();
    (path.to_str().unwrap().to_string(), text)
}

/// `PATH (line L, column C)` for a value of `text`.
fn at(text: &str, path: &str) -> String {
    let (l, c) = orgsim::scenario::locate::locate(text, path).unwrap();
    format!("{path} (line {l}, column {c})")
}

#[test]
fn set_paths_are_typed_as_messages_print_them_and_lists_take_appended_items() {
    let (code, stderr) = validate(
        "promo_vs_inventory",
        &[
            "roles[0].levers[1].options=[0,1]",
            "roles.0.levers.0.initial=1",
            "roles.sales.scorecard.components[0].weight=0.8",
            r#"roles.sales.scorecard.components[+]={"metric":"fill_rate","target":0.95,"weight":0.2}"#,
            r#"roles.procurement.scorecard.components[0].target={"plan":1.2}"#,
        ],
    );
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}

#[test]
fn a_bad_set_argument_is_named_with_what_is_wrong_in_it() {
    let forms = "a path like roles[0].levers[1].options, roles.sales.levers.promo_depth.options or roles.sales.scorecard.components[+]";
    for (arg, problem) in [
        (
            "roles[0].levers[2].options=[0]".to_string(),
            "roles[0].levers: expected an index from 0 to 1, or one of the names promo_depth, trade_loading, found the index 2 (hint: to add an item, write roles[0].levers[+]=VALUE)".to_string(),
        ),
        (
            "world.stores[+]=3".into(),
            "world.stores: expected a list to append to with [+], found a number".into(),
        ),
        (
            "roles[0.levers=1".into(),
            format!("expected {forms}, found 'roles[0', with a '[' and no ']'"),
        ),
        (
            "roles[sales].name=x".into(),
            format!("expected {forms}, found '[sales]' (an index, 0 or more, or + goes between [ and ])"),
        ),
        (
            "roles.sales.scorecard.components[+].weight=1".into(),
            format!("expected {forms}, found 'roles.sales.scorecard.components[+].weight', with [+] before the end (it appends to the list the path ends at)"),
        ),
        (
            r#"roles.sales.scorecard.components[+]={metric:"fill_rate"}"#.into(),
            "roles[0].scorecard.components[+]: expected a JSON value, found '{metric:\"fill_rate\"}' (key must be a string) (hint: keys and strings take double quotes; in a shell, put the whole PATH=VALUE in single quotes)".into(),
        ),
    ] {
        let (code, stderr) = validate("promo_vs_inventory", &[&arg]);
        assert_eq!(code, Some(65), "{arg}: {stderr}");
        assert_eq!(
            stderr,
            format!("orgsim: built-in promo_vs_inventory: invalid scenario (1 problem):\n  --set {arg}: {problem}\n")
        );
    }
}

#[test]
fn a_problem_in_a_set_value_names_the_argument_and_one_in_the_file_keeps_its_line() {
    let (code, stderr) = validate("promo_vs_inventory", &["world.stores=0"]);
    assert_eq!(code, Some(65));
    assert_eq!(
        stderr,
        "orgsim: built-in promo_vs_inventory: invalid scenario (1 problem):\n  --set world.stores=0: world.stores: expected a number from 1 to 100000, found 0\n"
    );

    let tmp = tempfile::tempdir().unwrap();
    let (file, text) = edited_builtin(tmp.path(), &[("/strategy/ambiguity", 1.5.into())]);
    let (code, stderr) = validate(
        &file,
        &["world.stores=0", "roles.sales.behaviour.temperature=1.5"],
    );
    assert_eq!(code, Some(65));
    assert_eq!(
        stderr,
        format!(
            "orgsim: {file}: invalid scenario (3 problems):\n  \
             --set world.stores=0: world.stores: expected a number from 1 to 100000, found 0\n  \
             --set roles.sales.behaviour.temperature=1.5: roles[0].behaviour.temperature: expected a number from 0 to 1, found 1.5\n  \
             {file}: {}: expected a number from 0 to 1, found 1.5\n",
            at(&text, "strategy.ambiguity")
        )
    );

    // A problem the plan finds: in a target a --set wrote, and in one of the file's.
    let (code, stderr) = validate(
        "promo_vs_inventory",
        &[
            "roles.marketing.levers.media_spend.initial=0",
            r#"roles.marketing.scorecard.components[1].target={"plan":1}"#,
        ],
    );
    assert_eq!(code, Some(65));
    let builtin = orgsim::scenario::load::BUILTINS[0].json;
    let hint = "(hint: the plan plays every lever at its initial option with expected demand: write an absolute target, or change the initial options)";
    assert_eq!(
        stderr,
        format!(
            "orgsim: built-in promo_vs_inventory: invalid scenario (2 problems):\n  \
             built-in promo_vs_inventory: {}: expected a target the plan can set (media_spend with a positive, finite plan value), found a plan value of 0 {hint}\n  \
             --set roles.marketing.scorecard.components[1].target={{\"plan\":1}}: roles[2].scorecard.components[1].target: expected a target the plan can set (reach with a positive, finite plan value), found a plan value of 0 {hint}\n",
            at(builtin, "roles[2].scorecard.components[0].target")
        )
    );
}

#[test]
fn each_warning_fires_on_a_scenario_made_to_trigger_it_and_validate_still_passes() {
    use serde_json::json;
    let tmp = tempfile::tempdir().unwrap();
    // Edits of the first built-in (JSON pointer, new value), the path warned about, the warning.
    type Case = (
        Vec<(&'static str, serde_json::Value)>,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("/world/prices/unit_cost", json!(4.0))],
            "world.prices.unit_cost",
            "expected a unit cost below the list price (3.5), found 4 (hint: the company loses money on every unit it sells in: is a price in the wrong field?)",
        ),
        (
            // An absolute target for the retailer, whose margin the plan puts below zero.
            vec![
                ("/world/prices/list_price", json!(5.5)),
                ("/roles/3/scorecard/components/0/target", json!(1000)),
            ],
            "world.prices.list_price",
            "expected a list price no higher than the shelf price (5), found 5.5 (hint: the retailer pays more for a unit (list_price) than consumers pay for it (shelf_price) and loses on every sale)",
        ),
        (
            vec![("/period_weeks", json!(5))],
            "period_weeks",
            "expected a period that divides horizon_weeks (52) evenly, found 5 (hint: the last period is 2 weeks long and is scored against a pro-rated target; a period of 4 or 13 weeks divides 52)",
        ),
        (
            vec![("/strategy/objectives", json!([{"objective": "margin", "weight": 1}]))],
            "strategy.ambiguity",
            "expected 0 with a single objective, found 0.7 with only 'margin' (hint: with one objective every role reads the strategy the same way, whatever the ambiguity: add the objectives roles could weigh differently, or set ambiguity to 0)",
        ),
        (
            vec![("/roles/0/levers/1/options", json!([0]))],
            "roles[0].levers[1].options",
            "expected two or more options to choose from, found the one option 0 (hint: a lever with one option never changes anything: add options, or delete the lever)",
        ),
        (
            vec![("/roles/1/scorecard/components/0/target/plan", json!(3))],
            "roles[1].scorecard.components[0].target.plan",
            "expected a multiple of the plan from 0.5 to 2, found 3 (hint: a target this far from the plan is met, or missed, every period whatever the role does, so its pay does not follow its decisions; 1.05 is 5% above plan)",
        ),
    ];
    for (edits, path, warning) in cases {
        let (file, text) = edited_builtin(tmp.path(), &edits);
        let (code, stderr) = validate(&file, &[]);
        assert_eq!(code, Some(0), "{path}: {stderr}");
        assert_eq!(
            stderr,
            format!("orgsim: warning: {file}: {}: {warning}\n", at(&text, path))
        );
    }
}

#[test]
fn run_and_trace_warn_too_naming_the_set_argument_that_wrote_the_value() {
    let tmp = tempfile::tempdir().unwrap();
    let warning = "orgsim: warning: --set period_weeks=13: period_weeks: expected a period that divides horizon_weeks (50) evenly, found 13 (hint: the last period is 11 weeks long and is scored against a pro-rated target; a period of 10 or 25 weeks divides 50)\n";
    let sets = ["--set", "horizon_weeks=50", "--set", "period_weeks=13"];
    let out = tmp.path().join("r");
    let run = [
        &[
            "run",
            "--trials",
            "2",
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ][..],
        &sets,
    ]
    .concat();
    let o = orgsim(&run);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(warning),
        "{}",
        text(&o)
    );
    let out = tmp.path().join("t");
    let trace = [
        &["trace", "--trial", "0", "--out", out.to_str().unwrap()][..],
        &sets,
    ]
    .concat();
    let o = orgsim(&trace);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(warning),
        "{}",
        text(&o)
    );
}

/// `compare` as a consultant uses it: a built-in baseline, a second scenario and an `--arm` built
/// on the first, on the same trials. The baseline's differences are 0; the aligned scenario has
/// fewer stockouts; the tidy CSV has its documented columns and one row per arm and metric; the
/// charts and the report are written; a comparison is the same on 1 thread and on 2.
#[test]
fn compare_pairs_arms_on_the_same_trials() {
    let tmp = tempfile::tempdir().unwrap();
    let go = |out: &Path, threads: &str| {
        let o = orgsim(&[
            "compare",
            "promo_vs_inventory",
            "promo_vs_inventory_aligned",
            "--arm",
            "clear strategy: strategy.ambiguity=0",
            "--set",
            "world.stores=8",
            "--trials",
            "200",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    let a = tmp.path().join("a");
    let shown = go(&a, "1");
    assert!(
        shown.contains("clear strategy") && shown.contains("stockout_store_weeks"),
        "{shown}"
    );
    let csv = std::fs::read_to_string(a.join("compare.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("arm,metric,mean,ci95_lo,ci95_hi,diff,diff_lo,diff_hi,trials")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let arms: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(arms.len(), 3, "{arms:?}");
    let row = |arm: &str, metric: &str| -> Vec<f64> {
        let r = rows
            .iter()
            .find(|r| r[0] == arm && r[1] == metric)
            .unwrap_or_else(|| panic!("no row {arm} {metric}"));
        r[2..].iter().map(|v| v.parse().unwrap()).collect()
    };
    assert_eq!(row("promo_vs_inventory", "profit")[3..6], [0.0, 0.0, 0.0]);
    let aligned = row("promo_vs_inventory_aligned", "stockout_store_weeks");
    assert!(aligned[5] < 0.0, "aligned stockouts not lower: {aligned:?}");
    assert_eq!(aligned[6], 200.0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("compare.json")).unwrap()).unwrap();
    assert_eq!(
        json["arms"][2]["overrides"],
        serde_json::json!(["world.stores=8", "strategy.ambiguity=0"])
    );
    let b = tmp.path().join("b");
    go(&b, "2");
    // The pictures and the page a consultant shows: the forest plot, each arm's headline chart
    // on the same scales, and findings as sentences.
    for f in [
        "charts/compare_differences.png",
        "charts/headline_arm1.png",
        "charts/headline_arm3.svg",
    ] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let report = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(
        report.contains("promo_vs_inventory_aligned: store-weeks with an empty shelf")
            && report.contains("clear strategy</strong>: the scenario promo_vs_inventory, changed by --set strategy.ambiguity=0"),
        "the report does not say what each arm changed and found"
    );
    for f in [
        "compare.csv",
        "compare.json",
        "report.html",
        "charts/compare_differences.svg",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

/// Bad arms are refused before any fit, with exit 2 and what was expected; an override that does
/// not fit the scenario is named as for `run` (exit 65); nothing is written.
#[test]
fn compare_refuses_bad_arms_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--arm", "no colon here"], 2, "found no label"),
        (
            &["--arm", r#"roles.sales.scorecard.components.0.target={"plan":0.95}"#],
            2,
            "--arm 'roles.sales.scorecard.components.0.target={\"plan\":0.95}': expected 'LABEL: PATH=VALUE; PATH=VALUE', found no label",
        ),
        (
            &["--arm", ": strategy.ambiguity=0"],
            2,
            "found an empty label",
        ),
        (&["--arm", "empty:  ; "], 2, "no PATH=VALUE after the label"),
        (
            &[
                "--arm",
                "x: strategy.ambiguity=0",
                "--arm",
                "x: strategy.ambiguity=1",
            ],
            2,
            "two arms are labelled 'x'",
        ),
        (
            &["--arm", "typo: strategy.ambiguty=0"],
            65,
            "--arm 'typo' (strategy.ambiguty=0): strategy.ambiguty: expected one of the keys",
        ),
    ];
    for (extra, code, says) in cases {
        let mut args = vec!["compare", "promo_vs_inventory", "--trials", "5"];
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra.iter());
        let o = orgsim(&args);
        assert_eq!(o.status.code(), Some(*code), "{extra:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{extra:?}: {}", text(&o));
        assert!(!out.exists(), "{extra:?} wrote something");
    }
}

/// `sweep` as a researcher uses it: a range over one value and a list over another make a grid;
/// `sweep.csv` is tidy and long (the varied values, then metric and its statistics), one row per
/// point and metric; every point runs the same trials, so a point re-run alone with `run --set`
/// gives the same numbers; two numeric values draw heat maps.
#[test]
fn sweep_runs_a_grid_on_the_same_trials_and_a_point_reruns_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let small = ["--set", "world.stores=4", "--set", "horizon_weeks=16"];
    let mut args = vec![
        "sweep",
        "--vary",
        "strategy.ambiguity=0:1:3",
        "--vary",
        "org.defection_cost=0,10",
    ];
    args.extend(small);
    args.extend(["--trials", "60", "--out", out.to_str().unwrap()]);
    let o = orgsim(&args);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("strategy.ambiguity,org.defection_cost,metric,mean,sd,ci95_lo,ci95_hi,p10,p50,p90,trials")
    );
    let rows: Vec<&str> = lines.collect();
    let metrics = rows.iter().filter(|l| l.starts_with("0.0,0.0,")).count();
    assert!(metrics > 30, "{metrics} metrics at the first point");
    assert_eq!(rows.len(), 6 * metrics, "one row per point and metric");
    assert!(out.join("charts/sweep_heatmap.png").exists());

    // The point (0.5, 10), alone: the same mean profit, to the last printed digit.
    let alone = tmp.path().join("alone");
    let mut args = vec!["run", "--trials", "60", "--quiet", "--no-charts"];
    args.extend(small);
    args.extend([
        "--set",
        "strategy.ambiguity=0.5",
        "--set",
        "org.defection_cost=10",
    ]);
    args.extend(["--out", alone.to_str().unwrap()]);
    let o = orgsim(&args);
    assert!(o.status.success(), "{}", text(&o));
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let point = sweep["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["values"]["strategy.ambiguity"] == 0.5 && p["values"]["org.defection_cost"] == 10
        })
        .expect("the point (0.5, 10)");
    for m in ["profit", "stockout_store_weeks", "sales_payout"] {
        let got = &summary(&alone)["metrics"]
            .get(m)
            .cloned()
            .unwrap_or_else(|| {
                let (role, k) = m.split_once('_').unwrap();
                summary(&alone)["roles"][role][k].clone()
            });
        assert_eq!(&point["metrics"][m], got, "{m}");
    }
}

/// Bad sweeps are refused before any fit, naming the --vary and what was expected; nothing is
/// written.
#[test]
fn sweep_refuses_bad_specs_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let cases: &[(&str, i32, &str)] = &[
        ("strategy.ambiguity=0:1:0", 2, "an empty range"),
        ("strategy.ambiguity=0:1", 2, "expected a range FROM:TO:N"),
        ("strategy.ambiguity", 2, "no '='"),
        ("strategy.ambiguity=0:1:1000000", 2, "at most 10000 points"),
        (
            "strategy.ambiguty=0,1",
            65,
            "--vary strategy.ambiguty (strategy.ambiguty=0): ",
        ),
        ("world.stores=4,0", 65, "world.stores"),
    ];
    for (vary, code, says) in cases {
        let o = orgsim(&[
            "sweep",
            "--vary",
            vary,
            "--trials",
            "5",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(*code), "{vary}: {}", text(&o));
        assert!(text(&o).contains(says), "{vary}: {}", text(&o));
        assert!(!out.exists(), "{vary} wrote something");
    }
    let o = orgsim(&[
        "sweep",
        "--vary",
        "strategy.ambiguity=0:1:1000",
        "--vary",
        "org.defection_cost=0:1:1000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("1000000 (1000 x 1000)"), "{}", text(&o));
}

/// Runs `base` whole into `tmp/full`, then as N = 1, 2, 3 and 7 shards (with `shard_extra`,
/// given to the merge in reverse order), merges each split, and asserts that every file of
/// `files` is the same, byte for byte, as the whole command's.
fn sharded_merges_equal_whole(tmp: &Path, base: &[&str], shard_extra: &[&str], files: &[&str]) {
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        let o = orgsim(&a);
        assert!(o.status.success(), "{extra:?}: {}", text(&o));
    };
    let full = tmp.join("full");
    with(&["--out", full.to_str().unwrap()]);
    for n in [1, 2, 3, 7] {
        let mut dirs = Vec::new();
        for i in (1..=n).rev() {
            let d = tmp.join(format!("n{n}-{i}"));
            let shard = format!("{i}/{n}");
            let mut extra = vec!["--shard", &shard, "--out", d.to_str().unwrap()];
            extra.extend_from_slice(shard_extra);
            with(&extra);
            dirs.push(d);
        }
        let merged = tmp.join(format!("merged{n}"));
        let mut args = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
        args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
        let o = orgsim(&args);
        assert!(o.status.success(), "merge of {n}: {}", text(&o));
        for f in files {
            assert!(
                std::fs::read(full.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
                "{f} differs after {n} shards"
            );
        }
    }
}

/// `run --shard I/N` then `merge`: exactly the unsharded run's files, byte for byte, for N = 1,
/// 2, 3 and 7 (7 shards of 5 chunks leave some shards empty), shards given in any order. A
/// shard already complete is skipped when run again (a re-submitted array resumes).
#[test]
fn sharded_then_merged_equals_unsharded_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let base = [
        "run",
        "--trials",
        "300",
        "--seed",
        "4",
        "--quiet",
        "--set",
        "world.stores=4",
        "--set",
        "horizon_weeks=16",
    ];
    // As the cluster scripts run them: without charts (the merge draws them).
    let mut files = DATA.to_vec();
    files.extend([
        "report.html",
        "charts/promotions_vs_inventory.svg",
        "charts/outcomes.png",
    ]);
    sharded_merges_equal_whole(tmp.path(), &base, &["--no-charts"], &files);
    let mut args: Vec<&str> = base.iter().copied().filter(|a| *a != "--quiet").collect();
    let dir = tmp.path().join("n3-2");
    args.extend(["--shard", "2/3", "--out", dir.to_str().unwrap()]);
    let again = text(&orgsim(&args));
    assert!(again.contains("already complete"), "{again}");
}

/// A merge with a shard missing, a shard given twice, or a shard of another run (another seed)
/// is refused, naming the shard and the folder; nothing is written.
#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = |seed: &str, i: u32, n: u32| {
        let d = tmp.path().join(format!("s{seed}-{i}of{n}"));
        let o = orgsim(&[
            "run",
            "--trials",
            "130",
            "--seed",
            seed,
            "--quiet",
            "--set",
            "world.stores=3",
            "--set",
            "horizon_weeks=12",
            "--shard",
            &format!("{i}/{n}"),
            "--out",
            d.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        d.to_str().unwrap().to_string()
    };
    let (a, b, c) = (shard("1", 1, 3), shard("1", 2, 3), shard("1", 3, 3));
    let foreign = shard("2", 3, 3);
    let out = tmp.path().join("m");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![&a, &b], "missing: 3/3"),
        (vec![&a, &b, &b, &c], "given twice"),
        (vec![&a, &b, &foreign], "its seed is 2, expected 1"),
        (
            vec![&a, &b, tmp.path().to_str().unwrap()],
            "not a shard's folder",
        ),
    ];
    for (dirs, says) in cases {
        let mut args = vec!["merge", "--out", out.to_str().unwrap()];
        args.extend(dirs);
        let o = orgsim(&args);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(says), "{says}: {}", text(&o));
        assert!(!out.exists());
    }
    for bad in ["0/3", "4/3", "3", "a/b"] {
        let o = orgsim(&["run", "--trials", "5", "--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
        assert!(text(&o).contains("--shard: expected I/N"), "{}", text(&o));
    }
}

/// `sweep --shard I/N` then `merge`: the unsharded sweep's files, byte for byte, for N = 1, 2, 3
/// and 7 (7 shards of 6 points leave one empty), shards in any order.
#[test]
fn a_sharded_sweep_merges_to_the_unsharded_files() {
    let tmp = tempfile::tempdir().unwrap();
    let base = [
        "sweep",
        "--vary",
        "strategy.ambiguity=0:1:3",
        "--vary",
        "org.defection_cost=0,10",
        "--set",
        "world.stores=3",
        "--set",
        "horizon_weeks=12",
        "--trials",
        "40",
        "--quiet",
    ];
    sharded_merges_equal_whole(
        tmp.path(),
        &base,
        &[],
        &["sweep.csv", "sweep.json", "charts/sweep_heatmap.svg"],
    );
}

/// `compare --shard I/N` then `merge`: the unsharded comparison's files, byte for byte, for N =
/// 1, 2, 3 and 7, shards without charts (the merge draws them).
#[test]
fn a_sharded_comparison_merges_to_the_unsharded_files() {
    let tmp = tempfile::tempdir().unwrap();
    let base = [
        "compare",
        "promo_vs_inventory",
        "--arm",
        "clear: strategy.ambiguity=0",
        "--set",
        "world.stores=3",
        "--set",
        "horizon_weeks=12",
        "--trials",
        "300",
        "--quiet",
    ];
    sharded_merges_equal_whole(
        tmp.path(),
        &base,
        &["--no-charts"],
        &[
            "compare.csv",
            "compare.json",
            "report.html",
            "charts/compare_differences.svg",
            "charts/headline_arm2.png",
        ],
    );
}

/// The best-response certificate as a user meets it: every role with a lever has its best
/// deviation in summary.json (lever, rule in words, gain with its interval, trials), a role
/// without one has null, and the report says it in a sentence. It is the same on one thread
/// and two, and a run merged from shards carries the very same certificate. `--no-certificate`
/// (or ORGSIM_NO_CERTIFICATE, which the other tests set to save time) leaves it out.
#[test]
fn run_certifies_the_playbook_the_same_on_any_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let small = [
        "--trials",
        "60",
        "--seed",
        "3",
        "--quiet",
        "--set",
        "world.stores=6",
        "--set",
        "horizon_weeks=20",
    ];
    let certified = |dir: &str, extra: &[&str]| -> std::path::PathBuf {
        let out = tmp.path().join(dir);
        let o = bin()
            .env_remove("ORGSIM_NO_CERTIFICATE")
            .arg("run")
            .args(small)
            .args(extra)
            .args(["--out", out.to_str().unwrap()])
            .output()
            .expect("orgsim runs");
        assert!(o.status.success(), "{}", text(&o));
        out
    };
    // Both fit and certify afresh, on their own threads.
    let one = certified("one", &["--threads", "1", "--refit"]);
    let two = certified("two", &["--threads", "2", "--no-charts", "--refit"]);
    let s = summary(&one);
    for (role, v) in s["roles"].as_object().unwrap() {
        // Every role has a lever here, finance its approval of procurement's warehouse cover.
        let d = &v["best_deviation"];
        assert!(
            d["lever"].is_string() && d["rule"].is_string(),
            "{role}: {d}"
        );
        let (gain, ci) = (d["gain"].as_f64().unwrap(), d["ci95"].as_array().unwrap());
        assert!(ci[0].as_f64().unwrap() <= gain && gain <= ci[1].as_f64().unwrap());
        assert_eq!(d["trials"], 1000);
        // A whole family: finance's gate has two options (49 rules), every other lever more.
        let least = if role == "finance" { 40 } else { 100 };
        assert!(d["searched"].as_u64().unwrap() > least, "{role}: {d}");
    }
    assert!(s["certificate_holds"].is_boolean());
    let report = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(
        report.contains("other rules searched out of sample"),
        "the report says what the certificate found"
    );
    assert_eq!(
        std::fs::read(one.join("summary.json")).unwrap(),
        std::fs::read(two.join("summary.json")).unwrap(),
        "summary.json (and its certificate) differ between 1 and 2 threads"
    );

    // Two shards and their merge: the merge certifies once, and gets the same bytes.
    for part in ["1/2", "2/2"] {
        certified(
            &format!("shard{}", &part[..1]),
            &["--shard", part, "--no-charts"],
        );
    }
    let merged = tmp.path().join("merged");
    let o = orgsim(&[
        "merge",
        tmp.path().join("shard1").to_str().unwrap(),
        tmp.path().join("shard2").to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--quiet",
        "--no-charts",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read(merged.join("summary.json")).unwrap(),
        std::fs::read(two.join("summary.json")).unwrap(),
        "a merged run's summary.json differs from one process's"
    );

    let off = tmp.path().join("off");
    let o = orgsim(&[
        "run",
        "--trials",
        "20",
        "--quiet",
        "--no-charts",
        "--no-certificate",
        "--set",
        "world.stores=6",
        "--out",
        off.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(summary(&off)["roles"]["sales"]["best_deviation"].is_null());
}

/// An arm or an axis that changes nothing is said so: `compare` warns of an arm whose every
/// trial equals the first arm's, and `sweep` of a varied path along which no point moves; an arm
/// or axis that acts draws no warning.
#[test]
fn compare_and_sweep_warn_of_a_setting_that_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let small = [
        "--trials",
        "30",
        "--quiet",
        "--no-charts",
        "--set",
        "world.stores=4",
        "--set",
        "horizon_weeks=16",
    ];
    let out = tmp.path().join("cmp");
    let mut args = vec![
        "compare",
        "promo_vs_inventory",
        "--arm",
        "reworded: strategy.statement=\"Grow, profitably.\"",
        "--arm",
        "clawback: org.defection_cost=10",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(small);
    let o = orgsim(&args);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("arm 'reworded' changes no trial"),
        "no warning for the inert arm: {err}"
    );
    assert!(!err.contains("arm 'clawback' changes"), "{err}");

    let out = tmp.path().join("sweep");
    let mut args = vec![
        "sweep",
        "--vary",
        "strategy.statement=a,b",
        "--vary",
        "org.defection_cost=0,10",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(small);
    let o = orgsim(&args);
    assert!(o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--vary strategy.statement changes nothing"),
        "no warning for the inert axis: {err}"
    );
    assert!(!err.contains("--vary org.defection_cost changes"), "{err}");
}

/// The fit is remembered, and never trusted blindly. A second run of the same scenario takes
/// its playbooks from the fit cache and writes the same bytes as the first; `--refit` fits
/// afresh; a corrupt entry, or another scenario's entry under this one's name, is ignored with a
/// warning and replaced; a merge takes the playbooks its shards ran with, with no cache at all.
#[test]
fn a_fitted_playbook_is_remembered_and_never_trusted_blindly() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    // Six stores, unless `extra` sets another count (a value set twice is refused).
    let run = |cache: &Path, out: &str, extra: &[&str]| {
        let mut sets = vec!["--set", "horizon_weeks=26"];
        if !extra.iter().any(|a| a.starts_with("world.stores=")) {
            sets.extend(["--set", "world.stores=6"]);
        }
        let o = bin()
            .env("ORGSIM_CACHE_DIR", cache)
            .env("ORGSIM_NO_CERTIFICATE", "true")
            .args(["run", "--trials", "200", "--no-charts"])
            .args(&sets)
            .arg("--out")
            .arg(tmp.path().join(out))
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{out}: {}", text(&o));
        text(&o)
    };
    let same_as_first = |out: &str| {
        for f in DATA {
            let (a, b) = (
                tmp.path().join("first").join(f),
                tmp.path().join(out).join(f),
            );
            assert!(
                std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
                "{out}: {f} differs"
            );
        }
    };
    let entries = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir.join("playbooks"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let said = run(&cache, "first", &[]);
    assert!(!said.contains("fitted before"), "{said}");
    let entry = match entries(&cache).as_slice() {
        [one] => one.clone(),
        other => panic!("one entry expected, found {other:?}"),
    };
    let said = run(&cache, "again", &[]);
    assert!(said.contains("the playbook fitted before"), "{said}");
    assert!(said.contains("playbooks from the fit cache"), "{said}");
    same_as_first("again");
    let said = run(&cache, "refit", &["--refit"]);
    assert!(!said.contains("fitted before"), "{said}");
    same_as_first("refit");

    std::fs::write(&entry, "{\"format\": \"orgsim fit cache 1\", \"key\": ").unwrap();
    let said = run(&cache, "corrupt", &[]);
    assert!(
        said.contains("warning: ignored a fit cache entry"),
        "{said}"
    );
    same_as_first("corrupt");
    let good = std::fs::read_to_string(&entry).unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&good).is_ok(),
        "replaced whole"
    );

    // Another scenario's entry (seven stores) under this one's name.
    run(&cache, "other", &["--set", "world.stores=7"]);
    let other = entries(&cache).into_iter().find(|p| *p != entry).unwrap();
    std::fs::copy(&other, &entry).unwrap();
    let said = run(&cache, "foreign", &[]);
    assert!(said.contains("an entry for another key"), "{said}");
    same_as_first("foreign");

    // No cache: the shards fit, and the merge takes their playbooks.
    let none = Path::new("");
    let shards: Vec<String> = (1..=2)
        .map(|i| {
            let dir = format!("shard{i}");
            run(none, &dir, &["--shard", &format!("{i}/2")]);
            tmp.path().join(dir).to_str().unwrap().to_string()
        })
        .collect();
    let merged = tmp.path().join("merged");
    let o = bin()
        .env("ORGSIM_CACHE_DIR", "")
        .env("ORGSIM_NO_CERTIFICATE", "true")
        .args(["merge", "--no-charts", "--out", merged.to_str().unwrap()])
        .args(&shards)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("the playbook the shards ran with"),
        "{}",
        text(&o)
    );
    same_as_first("merged");
}

/// `orgsim metrics` names every column of a run's trials.csv with its unit and meaning.
#[test]
fn metrics_lists_every_column_a_run_writes_with_its_meaning() {
    let o = orgsim(&["metrics"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let listed = String::from_utf8(o.stdout).unwrap();
    let model = crate::common::model("promo_vs_inventory", &[]);
    for column in orgsim::stats::metrics::trial_columns(&model) {
        let generic = model
            .roles
            .iter()
            .find_map(|r| column.strip_prefix(&format!("{}_", r.name)))
            .filter(|m| orgsim::stats::metrics::ROLE_METRICS.contains(m))
            .map_or(column.clone(), |m| format!("<role>_{m}"));
        let line = listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(generic.as_str()))
            .unwrap_or_else(|| panic!("{column} is not listed:\n{listed}"));
        assert!(
            line.split_whitespace().count() > 3,
            "{column} has no meaning: {line}"
        );
    }
    let o = orgsim(&["metrics", "--network"]);
    let listed = String::from_utf8(o.stdout).unwrap();
    assert!(listed.contains("amp_<point>") && listed.contains("customers' demand variance"));
}

/// Many trials of a quick scenario (the issue: --trials 1000000000000 gave no estimate) say how
/// long, before the fit.
#[test]
fn a_trillion_trials_say_how_long_before_the_fit() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = bin()
        .env("ORGSIM_CACHE_DIR", "")
        .args(["run", "--trials", "1000000000000", "--no-charts", "--out"])
        .arg(tmp.path().join("o"))
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines().map_while(Result::ok) {
        let done = line.contains("this will take about");
        seen.push(line);
        if done || seen.len() > 20 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let said = seen.join("\n");
    let at = seen
        .iter()
        .position(|l| l.contains("this will take about"))
        .unwrap_or_else(|| panic!("no estimate:\n{said}"));
    assert!(
        seen[at].contains(" h ") && seen[at].contains("1000000000000"),
        "{said}"
    );
    assert!(
        !seen[..at]
            .iter()
            .any(|l| l.contains("certifying") || l.contains("trials/s")),
        "the estimate came after the work began:\n{said}"
    );
}

/// `orgsim show` prints the scenario as it will run; `--paths` lists every value `--set` takes,
/// with its range and meaning, after the overrides.
#[test]
fn show_prints_the_resolved_scenario_and_every_settable_path() {
    let o = orgsim(&["show", "promo_vs_inventory", "--set", "world.stores=3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["world"]["stores"], 3);
    assert!(doc["warmup_weeks"].is_number(), "defaults are filled in");
    let o = orgsim(&[
        "show",
        "promo_vs_inventory",
        "--paths",
        "--set",
        "world.stores=3",
    ]);
    let listed = String::from_utf8(o.stdout).unwrap();
    let line = listed
        .lines()
        .find(|l| l.starts_with("world.stores=3 "))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(
        line.contains("[a whole number from 1 to 100000]") && line.contains("Number of stores"),
        "{line}"
    );
    assert!(
        listed.contains("roles.procurement.scorecard.components.0.metric=\"inventory_turns\""),
        "{listed}"
    );
    let o = orgsim(&["show", "beer_game", "--paths"]);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("network.stock_points.factory.policy.beta="));
    let o = orgsim(&["show", "promo_vs_inventory", "--set", "world.stores=0"]);
    assert_eq!(o.status.code(), Some(65), "{}", text(&o));
}

/// A design matrix runs its rows in order; a bad one is refused before any fit, naming the file,
/// the row and the column.
#[test]
fn sweep_design_runs_its_rows_in_order_and_refuses_a_bad_one_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = write(
        "good.csv",
        "strategy.ambiguity,world.demand.promo_elasticity\n1,4\n0,2\n1,2\n",
    );
    let out = tmp.path().join("s");
    let small = [
        "--set",
        "world.stores=2",
        "--set",
        "horizon_weeks=8",
        "--trials",
        "10",
    ];
    let mut args = vec![
        "sweep",
        "--design",
        &good,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(small);
    let o = orgsim(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let points: Vec<String> = csv
        .lines()
        .filter(|l| l.contains(",profit,"))
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        points,
        ["1.0,4.0", "0.0,2.0", "1.0,2.0"],
        "the design's row order"
    );
    let cases: &[(&str, i32, &str)] = &[
        ("strategy.ambiguity\n0\n\n1\n", 0, ""),
        ("strategy.ambiguity,world.stores\n0,2\n1,\n", 2, "row 3, column world.stores: expected a value, found nothing"),
        ("strategy.ambiguity\n", 2, "expected at least one row of values"),
        ("world.demand.dip_weeks\n0\n", 65, "(column world.demand.dip_weeks) (world.demand.dip_weeks=0): world.demand.dip_weeks: expected a number from 1 to 12"),
    ];
    for (k, (design, code, says)) in cases.iter().enumerate() {
        let file = write(&format!("d{k}.csv"), design);
        let out = tmp.path().join(format!("o{k}"));
        let mut args = vec![
            "sweep",
            "--design",
            &file,
            "--quiet",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(small);
        let o = orgsim(&args);
        assert_eq!(o.status.code(), Some(*code), "{design:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{design:?}: {}", text(&o));
        if *code != 0 {
            assert!(!out.exists(), "{design:?} wrote something");
        }
    }
    let o = orgsim(&[
        "sweep",
        "--design",
        &good,
        "--vary",
        "strategy.ambiguity=0,1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// A comparison's report leads with the answer: the arm that serves the strategy best, by how
/// much, what it does to profit and the shelves, and what it costs each role; then the arms
/// ranked; shares as percentage points, never as "-0.0000".
#[test]
fn a_comparison_report_leads_with_the_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    let half = r#"half on profit: org.shared_bonus={"weight":0.5,"scorecard":{"components":[{"metric":"company_profit","weight":1,"target":{"plan":1}}]}}"#;
    let o = orgsim(&[
        "compare",
        "promo_vs_inventory",
        "--set",
        "world.stores=4",
        "--set",
        "horizon_weeks=16",
        "--trials",
        "100",
        "--quiet",
        "--arm",
        "as written again: strategy.ambiguity=0.5",
        "--arm",
        half,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("no {s:?}"));
    assert!(at("<h2>The answer</h2>") < at("<h2>The arms ranked on the strategy</h2>"));
    assert!(at("<h2>The arms ranked on the strategy</h2>") < at("<h2>The arms</h2>"));
    let answer = &page[at("<h2>The answer</h2>")..at("<h2>The arms ranked")];
    assert!(
        answer.contains("half on profit serves the strategy best"),
        "{answer}"
    );
    assert!(
        answer.contains("points (95% interval"),
        "availability in points: {answer}"
    );
    assert!(
        answer.contains("of a target bonus"),
        "what it costs whom: {answer}"
    );
    assert!(
        !page.contains("-0.0000") && !page.contains("+0.0000"),
        "a zero shown as a signed zero"
    );
}

/// A network comparison draws its forest plot too: the chain's cost, the strategy and each stock
/// point's order swing, each arm against the first.
#[test]
fn a_network_comparison_draws_its_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let o = orgsim(&[
        "compare",
        "beer_game",
        "--trials",
        "50",
        "--quiet",
        "--arm",
        "count the supply line: network.stock_points.factory.policy.beta=1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let svg = std::fs::read_to_string(out.join("charts/compare_differences.svg")).unwrap();
    for words in [
        "the chain&apos;s total cost",
        "factory&apos;s order swing",
        "count the supply line",
    ] {
        assert!(
            svg.contains(words) || svg.contains(&words.replace("&apos;", "'")),
            "{words}"
        );
    }
    let o = orgsim(&[
        "compare",
        "beer_game",
        "--trials",
        "50",
        "--quiet",
        "--no-charts",
        "--arm",
        "x: network.stock_points.factory.policy.beta=1",
        "--out",
        tmp.path().join("n").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        !tmp.path().join("n/charts").exists(),
        "--no-charts draws nothing"
    );
}
