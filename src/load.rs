//! From text to a checked [`Model`]: find the scenario (file or built-in), parse it,
//! apply `--set PATH=VALUE` overrides, deserialize, validate.

// A `Problem` carries a whole diagnosis (path, expected, found, hint, position): it is the
// value of these functions, not an exceptional path worth boxing.
#![allow(clippy::result_large_err)]

use crate::error::{Error, Problem, Result};
use crate::model::Model;
use crate::scenario::Scenario;
use serde_json::Value;
use std::path::Path;

/// A built-in scenario, shipped inside the binary and in `scenarios/`.
pub struct Builtin {
    /// Name used on the command line.
    pub name: &'static str,
    /// The story it tells.
    pub story: &'static str,
    /// The JSON text.
    pub json: &'static str,
}

/// The built-in scenarios, default first.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "promo_vs_inventory",
        story: "promotions",
        json: include_str!("../scenarios/promo_vs_inventory.json"),
    },
    Builtin {
        name: "promo_vs_inventory_aligned",
        story: "promotions",
        json: include_str!("../scenarios/promo_vs_inventory_aligned.json"),
    },
];

/// The scenario `orgsim run` uses when none is named.
pub const DEFAULT_SCENARIO: &str = "promo_vs_inventory";

/// One-line description of a built-in: the first sentence of its `description`.
pub fn builtin_summary(b: &Builtin) -> String {
    let desc = serde_json::from_str::<Value>(b.json)
        .ok()
        .and_then(|v| {
            v.get("description")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    match desc.find(". ") {
        Some(i) => desc[..=i].to_string(),
        None => desc,
    }
}

/// Where a scenario came from, for messages and the manifest.
#[derive(Debug, Clone)]
pub struct Source {
    /// `path/to/file.json` or `built-in NAME`.
    pub name: String,
    /// The text as read.
    pub text: String,
}

/// Finds a scenario: an existing path, else a built-in name.
pub fn resolve(spec: &str) -> Result<Source> {
    let path = Path::new(spec);
    if path.exists() || spec.ends_with(".json") || spec.contains('/') {
        let text = std::fs::read_to_string(path).map_err(|source| Error::MissingInput {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok(Source {
            name: spec.to_string(),
            text,
        });
    }
    match BUILTINS.iter().find(|b| b.name == spec) {
        Some(b) => Ok(Source {
            name: format!("built-in {}", b.name),
            text: b.json.to_string(),
        }),
        None => {
            let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
            let near = nearest(spec, names.iter().copied());
            let mut msg = format!(
                "no scenario file or built-in scenario named '{spec}' (built-ins: {})",
                names.join(", ")
            );
            if let Some(n) = near {
                msg.push_str(&format!("; did you mean '{n}'?"));
            }
            Err(Error::MissingInput {
                path: spec.into(),
                source: std::io::Error::other(msg),
            })
        }
    }
}

/// Parses, overrides, deserializes and validates.
pub fn load(source: &Source, sets: &[String]) -> Result<Model> {
    let invalid = |problems| Error::InvalidScenario {
        source_name: source.name.clone(),
        problems,
    };
    let scenario = parse(&source.text).map_err(|first| invalid(structural(&source.text, first)))?;
    let scenario = if sets.is_empty() {
        scenario
    } else {
        apply_sets(scenario, sets).map_err(invalid)?
    };
    Model::compile(scenario)
        .map_err(|problems| invalid(crate::diagnose::with_positions(&source.text, problems)))
}

/// All structural problems of a text whose first problem serde found (a syntax error is alone).
fn structural(text: &str, first: Problem) -> Vec<Problem> {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => crate::diagnose::structural(text, &doc, first),
        Err(_) => vec![first],
    }
}

/// Parses scenario text, reporting the JSON path, line and column of the first structural problem.
pub fn parse(text: &str) -> std::result::Result<Scenario, Problem> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let path = display_path(&e.path().to_string());
        let inner = e.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let mut p = serde_problem(&path, &inner.to_string());
        if line > 0 {
            p.line = Some(line);
            p.column = Some(column);
        }
        p
    })
}

fn display_path(p: &str) -> String {
    if p.is_empty() || p == "." {
        ".".to_string()
    } else {
        p.to_string()
    }
}

/// Turns serde's message into expected/found, with a spelling hint for unknown keys.
fn serde_problem(path: &str, msg: &str) -> Problem {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut p = Problem::new(
            path,
            format!("one of the keys {}", keys.join(", ")),
            format!("unknown key '{name}'"),
        );
        if let Some(n) = nearest(name, keys.iter().copied()) {
            p = p.hint(format!("did you mean '{n}'?"));
        }
        return p;
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return Problem::new(path, format!("a key '{name}'"), "none");
    }
    if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
    {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let found = found.replace(['`', '"'], "'");
            let found = match found.strip_prefix("string ") {
                Some(s) => format!("the string {s}"),
                None => found,
            };
            return Problem::new(path, plain_type(expected), found);
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut p = Problem::new(
            path,
            format!("one of {}", names.join(", ")),
            format!("'{name}'"),
        );
        if let Some(n) = nearest(name, names.iter().copied()) {
            p = p.hint(format!("did you mean '{n}'?"));
        }
        return p;
    }
    Problem::new(path, "valid scenario JSON", msg.to_string())
}

/// serde's Rust type names in words a scenario author uses.
fn plain_type(expected: &str) -> String {
    match expected {
        "u32" | "u64" | "usize" => "a whole number (0 or more)".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" | "a string" => expected.into(),
        e if e.starts_with("a sequence") => "a list".into(),
        e if e.starts_with("struct ") || e.starts_with("internally tagged") => "an object".into(),
        e => e.into(),
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Applies `PATH=VALUE` overrides to the scenario in its full (defaults filled in) JSON form.
/// A path segment may be an array index or, for arrays of named objects, a name
/// (`roles.sales.behaviour.temperature`).
pub fn apply_sets(
    scenario: Scenario,
    sets: &[String],
) -> std::result::Result<Scenario, Vec<Problem>> {
    let mut doc = serde_json::to_value(&scenario).expect("a scenario always serializes");
    let mut problems = Vec::new();
    for set in sets {
        if let Err(p) = apply_set(&mut doc, set) {
            problems.push(p);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = doc.to_string();
    parse(&text).map_err(|mut p| {
        p.line = None;
        p.column = None;
        vec![p]
    })
}

fn apply_set(doc: &mut Value, set: &str) -> std::result::Result<(), Problem> {
    let Some((path, raw)) = set.split_once('=') else {
        return Err(Problem::new(
            format!("--set {set}"),
            "PATH=VALUE",
            format!("'{set}'"),
        ));
    };
    let label = format!("--set {path}");
    let mut here = doc;
    let mut walked = String::new();
    for seg in path.split('.') {
        here = step(here, seg).map_err(|(expected, hint)| {
            let found = format!(
                "no '{seg}' under '{}'",
                if walked.is_empty() { "." } else { &walked }
            );
            let p = Problem::new(label.clone(), expected, found);
            match hint {
                Some(h) => p.hint(format!("did you mean '{h}'?")),
                None => p,
            }
        })?;
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
    }
    let new: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    if !same_kind(here, &new) {
        return Err(Problem::new(
            label,
            kind_name(here),
            format!("{} '{raw}'", kind_name(&new)),
        ));
    }
    *here = new;
    Ok(())
}

fn step<'a>(
    here: &'a mut Value,
    seg: &str,
) -> std::result::Result<&'a mut Value, (String, Option<String>)> {
    match here {
        Value::Object(map) => {
            if map.contains_key(seg) {
                return Ok(map.get_mut(seg).unwrap());
            }
            let keys: Vec<String> = map.keys().cloned().collect();
            let hint = nearest(seg, keys.iter().map(String::as_str)).map(str::to_owned);
            Err((format!("one of the keys {}", keys.join(", ")), hint))
        }
        Value::Array(items) => {
            if let Ok(i) = seg.parse::<usize>() {
                let n = items.len();
                return items
                    .get_mut(i)
                    .ok_or((format!("an index below {n}"), None));
            }
            let names: Vec<String> = items
                .iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect();
            match items
                .iter()
                .position(|v| v.get("name").and_then(Value::as_str) == Some(seg))
            {
                Some(i) => Ok(&mut items[i]),
                None => {
                    let hint = nearest(seg, names.iter().map(String::as_str)).map(str::to_owned);
                    Err((
                        format!("an index or one of the names {}", names.join(", ")),
                        hint,
                    ))
                }
            }
        }
        other => Err((format!("a path ending at this {}", kind_name(other)), None)),
    }
}

fn same_kind(old: &Value, new: &Value) -> bool {
    matches!(
        (old, new),
        (Value::Null, _)
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The JSON Schema of the scenario format, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).expect("schema serializes")
}
