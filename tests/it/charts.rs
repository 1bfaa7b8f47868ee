//! Charts and the HTML report: every file is written and readable, nothing in them
//! depends on the thread count, and the report's text is pinned by a snapshot.
//!
//! Update the snapshot after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test --test it charts`.

use crate::common::run_into;
use orgsim::run::chunks::RunConfig;
use orgsim::stats::metrics::GLOBAL_METRICS;
use orgsim::writers::charts::{CHARTS, HEIGHT, WIDTH};
use orgsim::writers::output::RunInfo;
use std::fs;
use std::path::{Path, PathBuf};

const SEED: u64 = 7;

/// The built-in headline scenario with overrides (fewer stores keeps tests quick).
fn model(sets: &[&str]) -> orgsim::Prepared {
    crate::common::prepared("promo_vs_inventory", sets)
}

const SMALL: &[&str] = &["world.stores=10"];

/// The charts a promotions scenario draws: all but the launch's.
fn promo_charts() -> Vec<&'static (&'static str, &'static str)> {
    CHARTS.iter().filter(|(n, _)| *n != "launch").collect()
}

/// Runs `trials` trials into `dir/name` and returns that folder.
fn run(
    dir: &Path,
    name: &str,
    sets: &[&str],
    trials: u64,
    threads: usize,
    charts: bool,
) -> PathBuf {
    let out = dir.join(name);
    let mut command: Vec<String> = format!("orgsim run --trials {trials} --seed {SEED}")
        .split(' ')
        .map(String::from)
        .collect();
    for s in sets {
        command.extend(["--set".to_string(), s.to_string()]);
    }
    let info = RunInfo {
        source: "built-in promo_vs_inventory".into(),
        command,
        force: false,
        charts,
    };
    let cfg = RunConfig {
        seed: SEED,
        trials,
        threads,
    };
    run_into(&model(sets), &cfg, &out, &info);
    out
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Share of pixels that are not the white background.
fn inked_share(path: &Path) -> f64 {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let px = frame.color_type.samples();
    let data = &buf[..frame.buffer_size()];
    let inked = data
        .chunks(px)
        .filter(|p| p[..3] != [255, 255, 255])
        .count();
    inked as f64 / (data.len() / px) as f64
}

/// Drawn SVG elements (text, shapes, lines).
fn drawn_elements(svg: &str) -> usize {
    [
        "<text",
        "<rect",
        "<circle",
        "<polyline",
        "<polygon",
        "<line",
        "<path",
    ]
    .iter()
    .map(|tag| svg.matches(tag).count())
    .sum()
}

fn check_charts(out: &Path) {
    for (name, title) in promo_charts() {
        let png = out.join("charts").join(format!("{name}.png"));
        let svg = out.join("charts").join(format!("{name}.svg"));
        assert_eq!(png_size(&read(&png)), (WIDTH, HEIGHT), "{name}.png size");
        assert_eq!((WIDTH, HEIGHT), (1280, 720));
        let inked = inked_share(&png);
        // A white page inks 0; a drawn chart at least its frame, title, legend and labels. The
        // sparest real one here, promotions by week with a single 10% bar, inks 0.048.
        assert!(
            inked > 0.04,
            "{name}.png is nearly blank ({inked:.3} inked)"
        );
        let text = String::from_utf8(read(&svg)).unwrap();
        assert!(text.contains(title), "{name}.svg lacks its title '{title}'");
        let n = drawn_elements(&text);
        // A few bars per week of the period, against a year of weeks or a cloud of trials.
        let least = if *name == "promotions_by_week_of_period" {
            30
        } else {
            60
        };
        assert!(n > least, "{name}.svg draws only {n} elements");
    }
}

fn check_report(out: &Path) {
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        promo_charts().len(),
        "one inline SVG per chart"
    );
    for (_, title) in promo_charts() {
        assert!(html.contains(title), "report lacks chart '{title}'");
    }
    // Every metric, but those only meetings or a launch give a value (this scenario has
    // neither).
    for m in GLOBAL_METRICS {
        let row = html.contains(&format!("(<code>{m}</code>)</td>"));
        let meeting = orgsim::scenario::vocabulary::MEETING_METRICS.contains(m);
        let launch = orgsim::scenario::vocabulary::LAUNCH_METRICS.contains(m);
        assert!(
            row != (meeting || launch),
            "report lacks metric {m}, or shows a meeting or launch row"
        );
    }
    // Plain words beside the identifiers, the roles' rules and what the fit expected.
    for words in [
        "On-shelf availability (<code>on_shelf_availability</code>)",
        "Plays:",
        "best constant policy",
        "projection bias",
        "of the plan&#x27;s",
    ] {
        assert!(html.contains(words), "report lacks '{words}'");
    }
    let captions = html.matches("<figcaption>").count();
    assert_eq!(captions, 2, "captions under the two promotion charts");
    assert!(
        html.contains("<figcaption>When sales was behind")
            || html.contains("<figcaption>Sales was"),
        "the week-of-period chart's caption names the promoting role"
    );
    for role in ["sales", "procurement", "marketing", "retailer", "finance"] {
        assert!(
            html.contains(&format!("<td>{role}</td>")),
            "report lacks role {role}"
        );
    }
    // Self-contained: no scripts, nothing loaded from elsewhere.
    for banned in ["<script", " src=", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "report contains {banned}");
    }
    assert!(
        html.contains("Coordinated divergence: in "),
        "headline finding"
    );
    assert!(
        html.contains(env!("CARGO_PKG_VERSION")),
        "version to reproduce"
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(dir.join("report.html"));
    files.sort();
    files
}

#[test]
fn charts_and_report_are_complete_and_identical_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let one = run(tmp.path(), "one", SMALL, 150, 1, true);
    let two = run(tmp.path(), "two", SMALL, 150, 2, true);
    check_charts(&one);
    check_report(&one);
    let (a, b) = (files_under(&one), files_under(&two));
    assert_eq!(a.len(), 2 * promo_charts().len() + 1);
    for (fa, fb) in a.iter().zip(&b) {
        assert_eq!(fa.file_name(), fb.file_name());
        assert!(
            read(fa) == read(fb),
            "{:?} differs between 1 and 2 threads",
            fa.file_name().unwrap()
        );
    }
}

/// The new chart by name: a PNG with ink, and an SVG with its title.
#[test]
fn promotions_by_week_of_period_is_drawn_and_skipped_without_a_promotion_lever() {
    let name = "promotions_by_week_of_period";
    let (_, title) = CHARTS.iter().find(|(n, _)| *n == name).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), "with", SMALL, 40, 1, true);
    let png = out.join("charts").join(format!("{name}.png"));
    assert_eq!(png_size(&read(&png)), (WIDTH, HEIGHT));
    assert!(inked_share(&png) > 0.03, "{name}.png is nearly blank");
    let svg = String::from_utf8(read(&out.join("charts").join(format!("{name}.svg")))).unwrap();
    assert!(svg.contains(title), "{name}.svg lacks its title");
    assert!(svg.contains("behind target at mid-period"), "legend");

    // Without a promotion lever there is nothing to split: no chart, and the report still renders.
    let no_promo = r#"roles.sales.levers=[{"name":"trade_loading","acts_on":{"kind":"trade_loading"},"options":[0,1,2]}]"#;
    let out = run(
        tmp.path(),
        "without",
        &["world.stores=10", no_promo],
        20,
        1,
        true,
    );
    assert!(!out.join("charts").join(format!("{name}.png")).exists());
    assert!(!out.join("charts").join(format!("{name}.svg")).exists());
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert_eq!(html.matches("<svg").count(), promo_charts().len() - 1);
    assert!(!html.contains(title));
}

#[test]
fn no_charts_writes_neither_charts_nor_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), "plain", SMALL, 20, 1, false);
    assert!(!out.join("charts").exists());
    assert!(!out.join("report.html").exists());
    assert!(out.join("summary.json").exists());
}

/// The report's words and numbers, without markup or charts.
fn report_text(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [("<style", "</style>"), ("<svg", "</svg>")] {
        while let Some(a) = s.find(open) {
            let b = s[a..]
                .find(close)
                .map(|b| a + b + close.len())
                .unwrap_or(s.len());
            s.replace_range(a..b, "");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn report_text_matches_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), "snap", &[], 100, 2, true);
    let text = report_text(&String::from_utf8(read(&out.join("report.html"))).unwrap());
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/report_promo_vs_inventory.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(&path, &text).unwrap();
        return;
    }
    let Ok(expected) = fs::read_to_string(&path) else {
        panic!(
            "no snapshot at {}; create it with: UPDATE_SNAPSHOTS=1 cargo test --test it charts",
            path.display()
        );
    };
    if text != expected {
        let line = text
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(text.lines().count().min(expected.lines().count()));
        panic!(
            "report text differs from {} at line {}:\n  now:      {}\n  expected: {}\nIf the change is intended, run: UPDATE_SNAPSHOTS=1 cargo test --test it charts",
            path.display(),
            line + 1,
            text.lines().nth(line).unwrap_or("(end)"),
            expected.lines().nth(line).unwrap_or("(end)"),
        );
    }
}

#[test]
fn a_launch_draws_its_own_chart_and_tells_its_story() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("launch");
    let source = orgsim::scenario::load::resolve("launch").unwrap();
    let model = crate::common::prepared("launch", &["world.stores=50"]);
    let info = RunInfo {
        source: source.name.clone(),
        command: vec!["orgsim".into(), "run".into(), "launch".into()],
        force: false,
        charts: true,
    };
    let cfg = RunConfig {
        seed: SEED,
        trials: 60,
        threads: 1,
    };
    run_into(&model, &cfg, &out, &info);
    let charts = out.join("charts");
    assert!(!charts.join("promotions_vs_inventory.png").exists());
    let png = charts.join("launch.png");
    assert_eq!(png_size(&read(&png)), (WIDTH, HEIGHT));
    assert!(inked_share(&png) > 0.05);
    let svg = String::from_utf8(read(&charts.join("launch.svg"))).unwrap();
    assert!(svg.contains("The launch, week by week") && svg.contains("shelf day"));
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert!(html.contains("The launch story"));
    assert!(html.contains("The launch: the product went on shelf in week 4"));
    for m in orgsim::scenario::vocabulary::LAUNCH_METRICS {
        assert!(html.contains(&format!("(<code>{m}</code>)</td>")), "{m}");
    }
}
