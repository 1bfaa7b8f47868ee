//! Ranges that depend on a sibling field (a lever's options on its kind, a target on its
//! metric), stated in the schema as `if`/`then` cases built from the same functions and
//! constants as the validator's checks.
//!
//! This file holds the pieces every such case is built from; each case itself sits beside
//! the type whose schema it amends (`Lever`, `ScoreComponent`, `Target`).

use crate::scenario::limits::Range;
use serde_json::{json, Value};

/// Adds `case` to the schema's `allOf`.
pub(super) fn push_case(schema: &mut schemars::Schema, case: Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    match map.entry("allOf").or_insert_with(|| json!([])) {
        Value::Array(cases) => cases.push(case),
        _ => unreachable!("allOf is always a list"),
    }
}

/// `{"if": key is one of names, "then": ..., "else": ...}` on the object's own keys.
pub(super) fn when(key: &str, names: Vec<String>, then: Value, otherwise: Option<Value>) -> Value {
    let mut case = json!({
        "if": { "required": [key], "properties": { key: { "enum": names } } },
        "then": { "properties": then },
    });
    if let Some(other) = otherwise {
        case["else"] = json!({ "properties": other });
    }
    case
}

/// A range's JSON Schema keywords, as one object.
pub(super) fn keywords(r: Range) -> Value {
    Value::Object(r.keywords())
}
