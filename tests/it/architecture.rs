//! The map of the code holds: each layer of `src/` uses only the layers below it, no two
//! modules import each other (directly or round a circle), and the library does no terminal
//! I/O and knows nothing of the command line.
//!
//! It reads the sources as text: every `crate::a::b` path outside comments and test modules is
//! an import of the longest module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may use its own layer and those before it.
const LAYERS: &[&[&str]] = &[
    &["error", "numbers"],
    &["scenario"],
    &["stats"],
    &["sim"],
    &["run"],
    &["experiment"],
    &["writers"],
    &["workshop"],
];

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Module name (`sim::engine`) to the source text it owns (tests and comments removed).
fn library_sources() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "commands" || rel == "main.rs" || rel == "lib.rs" {
                continue; // the binary sits on top of every layer
            }
            if path.is_dir() {
                stack.push(path);
            } else if rel.ends_with(".rs") {
                let name = rel
                    .trim_end_matches(".rs")
                    .trim_end_matches("/mod")
                    .replace('/', "::");
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(name, code_only(&text));
            }
        }
    }
    out
}

/// The text without line comments and without the test module at the end of a file.
fn code_only(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each module's imports of other library modules (not of itself, nor of its own parents).
fn imports(sources: &BTreeMap<String, String>) -> Graph {
    let mut graph = Graph::new();
    for (name, text) in sources {
        let mut deps = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let segments: Vec<&str> = rest[..end].split("::").filter(|s| !s.is_empty()).collect();
            let mut paths: Vec<Vec<&str>> = vec![segments.clone()];
            // `use crate::a::{b, c::d}`: each item of the braces extends the path.
            if rest[end..].starts_with('{') {
                let inner = &rest[end + 1..rest[end..].find('}').map_or(rest.len(), |j| end + j)];
                for item in inner.split(',') {
                    let mut p = segments.clone();
                    p.extend(item.trim().split("::").filter(|s| !s.is_empty()));
                    paths.push(p);
                }
            }
            for p in paths {
                let target = (1..=p.len())
                    .rev()
                    .map(|k| p[..k].join("::"))
                    .find(|m| sources.contains_key(m));
                if let Some(t) = target {
                    let is_ancestor = name.starts_with(&format!("{t}::"));
                    if t != *name && !is_ancestor {
                        deps.insert(t);
                    }
                }
            }
        }
        graph.insert(name.clone(), deps);
    }
    graph
}

fn layer_of(module: &str) -> usize {
    let top = module.split("::").next().unwrap();
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("module {module} is in no layer: add its folder to LAYERS"))
}

/// Every import that goes up a layer, as `from -> to`.
fn upward(graph: &Graph) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, deps) in graph {
        for to in deps {
            if layer_of(to) > layer_of(from) {
                bad.push(format!("{from} -> {to}"));
            }
        }
    }
    bad
}

/// A circle of imports, if there is one (depth-first search for a back edge).
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit<'a>(
        g: &'a Graph,
        n: &'a str,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        path.push(n);
        for d in g.get(n).into_iter().flatten() {
            match state.get(d.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| *p == d).unwrap();
                    let mut c: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                    c.push(d.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(g, d, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(c) = visit(graph, n, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_layer_imports_a_layer_above_it() {
    let graph = imports(&library_sources());
    assert!(
        graph.len() > 30,
        "found only {} modules: is src/ where it was?",
        graph.len()
    );
    let bad = upward(&graph);
    assert!(
        bad.is_empty(),
        "imports that go up a layer:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let graph = imports(&library_sources());
    if let Some(c) = circle(&graph) {
        panic!("an import circle: {}", c.join(" -> "));
    }
}

#[test]
fn the_checks_see_what_they_look_for() {
    // A planted upward import and a planted circle, in the checker's own terms.
    let mut sources = BTreeMap::new();
    sources.insert(
        "scenario::model".to_string(),
        "use crate::writers::output::x;".to_string(),
    );
    sources.insert(
        "writers::output".to_string(),
        "use crate::{scenario::model::Model, error};".to_string(),
    );
    sources.insert("error".to_string(), String::new());
    let graph = imports(&sources);
    assert_eq!(upward(&graph), vec!["scenario::model -> writers::output"]);
    assert!(graph["writers::output"].contains("error"));
    let c = circle(&graph).expect("the planted circle");
    assert_eq!(c.first(), c.last());
}

#[test]
fn the_library_has_no_command_line_and_no_terminal() {
    let mut found = Vec::new();
    for (name, text) in library_sources() {
        for needle in [
            "println!",
            "eprintln!",
            "print!(",
            "eprint!(",
            "clap::",
            "std::process::exit",
        ] {
            if text.contains(needle) {
                found.push(format!("{name}: {needle}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "terminal I/O or CLI in the library:\n{}",
        found.join("\n")
    );
}

/// The files a reader is pointed to (by the documents, the sources and the scripts) that the
/// repository must hold: every backticked or bare `….rs`, `….py`, `….sh` and `docs/….md`.
/// Each `path::name` must also name a function in that file: tests are cited as evidence.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let is_path = |c: char| c.is_ascii_alphanumeric() || "_/.:-".contains(c);
    for (i, _) in text.match_indices(['.']) {
        let ext_end = text[i + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(text.len(), |j| i + 1 + j);
        let ext = &text[i + 1..ext_end];
        if !["rs", "py", "sh", "md"].contains(&ext) {
            continue;
        }
        let start = text[..i]
            .char_indices()
            .rev()
            .find(|(_, c)| !is_path(*c))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let mut end = ext_end;
        if text[end..].starts_with("::") {
            end += 2 + text[end + 2..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - end - 2);
        }
        let r = &text[start..end];
        let file = r.split("::").next().unwrap_or("");
        let stem = file.trim_end_matches(&format!(".{ext}"));
        // A file name, not a version like `0.1.md`.
        if stem.ends_with('/') || !stem.chars().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        out.push(r.to_string());
    }
    out
}

/// What a reader reads of a file: all of a document or a Python script (its docstrings), the
/// comments of Rust and shell (their code builds paths that are not references).
fn prose(file: &str, text: &str) -> String {
    let marker = match file.rsplit('.').next() {
        Some("rs") => "//",
        Some("sh") => "#",
        _ => return text.to_string(),
    };
    text.lines()
        .filter(|l| l.trim_start().starts_with(marker))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The repository's files, as paths from its root with `/`.
fn repository_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with('.') || ["target", "output"].contains(&rel.as_str()) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(rel);
            }
        }
    }
    out
}

/// Where `reference` fails to point: no such file (matched as a path suffix, so that
/// `sim/engine.rs` finds `src/sim/engine.rs`), a path outside the repository, or no such
/// function in it.
fn dangling(reference: &str, files: &[String]) -> Option<String> {
    let (file, item) = match reference.split_once("::") {
        Some((f, i)) => (f, Some(i)),
        None => (reference, None),
    };
    if file.contains("shared/") {
        return Some(format!(
            "{reference}: outside the repository, which a user does not have"
        ));
    }
    let file = file.trim_start_matches("../");
    let found: Vec<&String> = files
        .iter()
        .filter(|f| *f == file || f.ends_with(&format!("/{file}")))
        .collect();
    let Some(path) = found.first() else {
        return Some(format!("{reference}: no such file"));
    };
    if let Some(item) = item {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .unwrap_or_default();
        if !text.contains(&format!("fn {item}(")) && !text.contains(&format!("mod {item}")) {
            return Some(format!("{reference}: {path} has no `fn {item}`"));
        }
    }
    None
}

#[test]
fn every_file_and_test_a_document_names_exists() {
    let files = repository_files();
    let mut checked = 0;
    let mut bad = Vec::new();
    let readable = |f: &String| {
        f.ends_with(".md") || f.ends_with(".rs") || f.ends_with(".py") || f.ends_with(".sh")
    };
    // This file's own planted examples are not references.
    let this = "tests/it/architecture.rs";
    for doc in files.iter().filter(|f| readable(f) && *f != this) {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
        for r in references(&prose(doc, &text)) {
            checked += 1;
            if let Some(why) = dangling(&r, &files) {
                bad.push(format!("{doc}: {why}"));
            }
        }
    }
    bad.sort();
    bad.dedup();
    assert!(
        checked > 100,
        "found only {checked} references: is the scan broken?"
    );
    assert!(bad.is_empty(), "references to nothing:\n{}", bad.join("\n"));
}

#[test]
fn the_reference_check_sees_what_it_looks_for() {
    let files = vec![
        "src/sim/engine.rs".to_string(),
        "tests/it/cli.rs".to_string(),
    ];
    let text = "see `sim/engine.rs`, tests/it/cli.rs::no_such_test and ../shared/MODEL.md.";
    let refs = references(text);
    assert_eq!(
        refs,
        [
            "sim/engine.rs",
            "tests/it/cli.rs::no_such_test",
            "../shared/MODEL.md"
        ]
    );
    assert!(dangling("sim/engine.rs", &files).is_none());
    assert!(dangling("sim/gone.rs", &files).is_some());
    assert!(dangling("../shared/MODEL.md", &files).is_some());
    assert!(dangling("tests/it/cli.rs::no_such_test", &files).is_some());
}

/// What the simulation must not do, as text that would do it: touch files or the terminal, read a
/// clock, or start threads. (Spreading work over the pool its caller installed, `par_iter`, is
/// allowed: the run layer decides how many threads there are.)
const IMPURE: &[&str] = &[
    "std::fs",
    "File::",
    "std::io",
    "std::time",
    "Instant::",
    "SystemTime",
    "ThreadPoolBuilder",
    "std::thread",
    "thread::spawn",
    "env::var",
];

fn impurities(text: &str) -> Vec<&'static str> {
    IMPURE
        .iter()
        .copied()
        .filter(|n| text.contains(n))
        .collect()
}

/// Architecture invariant: a trial is a pure function of (model, seed, trial index). The
/// simulation and its statistics do no I/O, read no clock and start no threads; the run layer
/// (`src/run/`) owns the threads, the writers and the commands own the files and the terminal.
#[test]
fn the_simulation_does_no_io_reads_no_clock_and_starts_no_threads() {
    let mut found = Vec::new();
    let sources = library_sources();
    let pure = sources
        .iter()
        .filter(|(name, _)| name.starts_with("sim") || name.starts_with("stats"));
    for (name, text) in pure {
        for needle in impurities(text) {
            found.push(format!("{name}: {needle}"));
        }
    }
    assert!(
        sources.keys().filter(|n| n.starts_with("sim::")).count() > 10,
        "found too few sim modules: is src/sim/ where it was?"
    );
    assert!(found.is_empty(), "impure simulation:\n{}", found.join("\n"));
    // The check sees what it looks for.
    let planted = "let t = std::time::Instant::now(); rayon::ThreadPoolBuilder::new();";
    assert_eq!(
        impurities(planted),
        ["std::time", "Instant::", "ThreadPoolBuilder"]
    );
}

/// What a writer must not do, as text that would do it: play a trial, drive a run, fit.
const DRIVING: &[&str] = &[
    "Trial::new",
    "run_trial(",
    "run_network(",
    "run::organisation::run",
    "run::network::run",
    "run_chunks(",
    "fit_until(",
    "certify_until(",
];

fn driving(text: &str) -> Vec<&'static str> {
    DRIVING
        .iter()
        .copied()
        .filter(|n| text.contains(n))
        .collect()
}

/// Architecture invariant: writers are sinks. The command drives the run and hands rows and the
/// aggregate to the writers (`RunFolder`); a writer never plays a trial, runs trials or fits.
#[test]
fn the_writers_play_no_trial_and_run_nothing() {
    let mut found = Vec::new();
    for (name, text) in library_sources()
        .iter()
        .filter(|(n, _)| n.starts_with("writers"))
    {
        for needle in driving(text) {
            found.push(format!("{name}: {needle}"));
        }
    }
    assert!(
        found.is_empty(),
        "a writer that drives:\n{}",
        found.join("\n")
    );
    let planted = "let agg = crate::run::organisation::run(model, cfg, sink, p, c)?;";
    assert_eq!(driving(planted), ["run::organisation::run"]);
}
