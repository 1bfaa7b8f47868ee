//! Every structural problem in a scenario file at once.
//!
//! serde stops at the first problem; the JSON Schema derived from the same types finds
//! them all. serde's own message stays first (it is the most precise one), the schema
//! adds the others, and each problem gets the line and column of its path.

use crate::error::Problem;
use crate::scenario::limits::Range;
use crate::scenario::suggest::nearest;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;
use std::sync::OnceLock;

fn schema() -> &'static (Value, jsonschema::Validator) {
    static SCHEMA: OnceLock<(Value, jsonschema::Validator)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let value = serde_json::to_value(schemars::schema_for!(crate::scenario::format::Scenario))
            .expect("schema serializes");
        let validator = jsonschema::validator_for(&value).expect("the derived schema is valid");
        (value, validator)
    })
}

/// serde's first problem plus every other problem the schema finds, each located in `text`.
pub fn structural(text: &str, doc: &Value, first: Problem) -> Vec<Problem> {
    let (root, validator) = schema();
    let mut extra: Vec<Problem> = validator
        .iter_errors(doc)
        .flat_map(|e| from_schema(root, doc, &e))
        .collect();
    extra.sort_by(|a, b| a.path.cmp(&b.path));
    // serde cannot name the choices of a name given as a number; the schema can.
    let mut first = match extra.iter().position(|p| p.path == first.path) {
        Some(i) if first.expected == crate::scenario::parse::A_NAME => extra.remove(i),
        _ => first,
    };
    // serde knows a count only as "a whole number (0 or more)"; the schema knows its range.
    if first.expected.starts_with("a whole number") {
        if let Some(r) = node_at(root, &first.path).and_then(Range::of_schema) {
            first.expected = r.expected().replacen("a number", "a whole number", 1);
        }
    }
    let mut out = vec![first];
    for p in extra {
        let related = out.iter().any(|q| {
            q.path == p.path
                || q.path.starts_with(&format!("{}.", p.path))
                || q.path.starts_with(&format!("{}[", p.path))
        });
        if !related {
            out.push(p);
        }
    }
    with_positions(text, out)
}

/// Adds line and column to problems that lack them (those in `--set` arguments have none).
pub fn with_positions(text: &str, mut problems: Vec<Problem>) -> Vec<Problem> {
    for p in &mut problems {
        if p.line.is_none() && p.set.is_none() && !p.path.contains(' ') {
            if let Some((l, c)) = crate::scenario::locate::locate(text, &p.path) {
                p.line = Some(l);
                p.column = Some(c);
            }
        }
    }
    problems
}

/// `/roles/0/scorecard` -> `roles[0].scorecard`.
fn dotted(pointer: &str) -> String {
    let mut s = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.parse::<usize>().is_ok() {
            s.push_str(&format!("[{seg}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(&seg);
        }
    }
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

fn pointer_of(l: &jsonschema::paths::Location) -> String {
    serde_json::to_value(l)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The schema node at a keyword location, following `$ref`s on the way.
fn schema_at<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = root;
    for seg in pointer.split('/').skip(1) {
        if seg == "$ref" {
            node = root.pointer(node.get("$ref")?.as_str()?.trim_start_matches('#'))?;
            continue;
        }
        node = match node {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The schema node that describes the value at a document path (`world.stores`,
/// `roles[0].levers[1].options[2]`), following `$ref`s, object properties, list items and the
/// alternatives of `oneOf` and `anyOf` (the first that has the next step); `None` where the
/// schema does not say.
pub(crate) fn node_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = deref(root, root)?;
    for step in path.replace('[', ".[").split('.').filter(|s| !s.is_empty()) {
        node = step_into(root, node, step)?;
    }
    Some(node)
}

fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        node = root.pointer(r.trim_start_matches('#'))?;
    }
    Some(node)
}

fn step_into<'a>(root: &'a Value, node: &'a Value, step: &str) -> Option<&'a Value> {
    let node = deref(root, node)?;
    let next = if step.starts_with('[') {
        node.get("items")
    } else {
        node.get("properties").and_then(|p| p.get(step))
    };
    if let Some(n) = next {
        return deref(root, n);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|alt| step_into(root, alt, step))
}

/// The `kind` names of a tagged enum's variants (from its `oneOf` in the schema).
fn variant_kinds(root: &Value, schema_ptr: &str) -> Vec<String> {
    let Some(Value::Array(variants)) = schema_at(root, schema_ptr) else {
        return Vec::new();
    };
    variants
        .iter()
        .filter_map(|v| {
            let kind = v.get("properties")?.get("kind")?;
            kind.get("const")
                .or_else(|| kind.get("enum")?.get(0))?
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// The names of a plain enum's variants (a `oneOf` of string constants in the schema).
fn variant_names(root: &Value, schema_ptr: &str) -> Vec<String> {
    let Some(Value::Array(variants)) = schema_at(root, schema_ptr) else {
        return Vec::new();
    };
    variants
        .iter()
        .filter_map(|v| v.get("const")?.as_str().map(str::to_owned))
        .collect()
}

/// A JSON type name as the rest of orgsim's messages say it.
fn article(t: &str) -> String {
    match t {
        "integer" => "a whole number".into(),
        "array" => "a list".into(),
        "object" => "an object".into(),
        "null" => "null".into(),
        other => format!("a {other}"),
    }
}

fn describe(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => format!("the boolean {b}"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) => format!("the string '{s}'"),
        Some(Value::Array(_)) => "a list".into(),
        Some(Value::Object(_)) => "an object".into(),
    }
}

/// A number outside the range its schema node states, in the validator's words (the schema's
/// ranges are the validator's: [`crate::scenario::limits`]).
fn out_of_range(
    root: &Value,
    e: &jsonschema::ValidationError,
    path: &str,
    here: Option<&Value>,
) -> Option<Problem> {
    let keyword = pointer_of(e.schema_path());
    let node = keyword
        .rsplit_once('/')
        .and_then(|(n, _)| schema_at(root, n));
    let v = here.and_then(Value::as_f64)?;
    match node.and_then(Range::of_schema) {
        Some(range) => range.problem(path, v),
        None => Some(Problem::new(
            path,
            "a number the scenario schema allows",
            describe(here),
        )),
    }
}

fn items(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

fn describe_len(v: Option<&Value>) -> String {
    match v {
        Some(Value::Array(list)) => items(list.len()),
        other => describe(other),
    }
}

/// One schema error in the words of the bad-scenario suite.
///
/// Long because it is one match over the schema's error kinds, each worded for a reader; the
/// suite in `tests/bad_scenarios/` pins every arm.
fn from_schema(root: &Value, doc: &Value, e: &jsonschema::ValidationError) -> Vec<Problem> {
    let ptr = pointer_of(e.instance_path());
    let path = dotted(&ptr);
    let here = doc.pointer(&ptr);
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let schema_ptr = pointer_of(e.schema_path());
            let object = schema_at(root, schema_ptr.trim_end_matches("/additionalProperties"));
            let keys: Vec<String> = object
                .and_then(|o| o.get("properties"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|k| {
                    let at = if path == "." {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let p = Problem::new(
                        at,
                        format!("one of the keys {}", keys.join(", ")),
                        format!("unknown key '{k}'"),
                    );
                    match nearest(k, keys.iter().map(String::as_str)) {
                        Some(n) => p.hint(format!("did you mean '{n}'?")),
                        None => p,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![Problem::new(path, format!("a key '{name}'"), "none")]
        }
        ValidationErrorKind::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                // An optional key allows null too; saying so only distracts.
                TypeKind::Multiple(ts) => {
                    let names: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                    let shown: Vec<String> = names
                        .iter()
                        .filter(|t| names.len() == 1 || t.as_str() != "null")
                        .map(|t| article(t))
                        .collect();
                    shown.join(" or ")
                }
            };
            let found = describe(here);
            let p = Problem::new(path, &want, &found);
            match crate::scenario::parse::quoted_number(&found) {
                Some(n) if want.contains("number") => {
                    vec![p.hint(format!("write numbers without quotes: {n}"))]
                }
                _ => vec![p],
            }
        }
        ValidationErrorKind::Enum { options } => {
            vec![Problem::new(
                path,
                format!("one of {options}"),
                describe(here),
            )]
        }
        ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. } => {
            out_of_range(root, e, &path, here).into_iter().collect()
        }
        ValidationErrorKind::MinItems { limit } => {
            vec![Problem::new(
                path,
                format!("at least {}", items(*limit as usize)),
                describe_len(here),
            )]
        }
        ValidationErrorKind::MaxItems { limit } => {
            vec![Problem::new(
                path,
                format!("at most {}", items(*limit as usize)),
                describe_len(here),
            )]
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let kinds = variant_kinds(root, &pointer_of(e.schema_path()));
            // A plain list of names (backlog, lost): the value is not one of them.
            let names = variant_names(root, &pointer_of(e.schema_path()));
            if kinds.is_empty() && !names.is_empty() {
                let p = Problem::new(path, format!("one of {}", names.join(", ")), describe(here));
                return match here
                    .and_then(Value::as_str)
                    .and_then(|k| nearest(k, names.iter().map(String::as_str)))
                {
                    Some(n) => vec![p.hint(format!("did you mean '{n}'?"))],
                    None => vec![p],
                };
            }
            // A known kind: the problem is inside that variant, so report that variant's own errors.
            let kind = here.and_then(|v| v.get("kind")).and_then(Value::as_str);
            if let Some(i) = kind.and_then(|k| kinds.iter().position(|x| x == k)) {
                if let Some(errors) = context.get(i).filter(|errs| !errs.is_empty()) {
                    return errors
                        .iter()
                        .flat_map(|e| from_schema(root, doc, e))
                        .collect();
                }
            }
            let found = match here.and_then(|v| v.get("kind")) {
                Some(Value::String(k)) => format!("the kind '{k}'"),
                Some(k) => format!("\"kind\": {}", describe(Some(k))),
                None => describe(here),
            };
            let p = Problem::new(
                path,
                format!("an object with \"kind\" one of {}", kinds.join(", ")),
                found,
            );
            match here
                .and_then(|v| v.get("kind"))
                .and_then(Value::as_str)
                .and_then(|k| nearest(k, kinds.iter().map(String::as_str)))
            {
                Some(n) => vec![p.hint(format!(
                    "did you mean '{n}'? Then check the keys that kind takes: orgsim schema"
                ))],
                None => vec![p],
            }
        }
        _ => vec![Problem::new(
            path,
            "a value the scenario schema allows",
            e.to_string(),
        )],
    }
}
