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
    &["experiment"],
    &["writers"],
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
