//! Every value of a scenario that `--set` can change, as `orgsim show SCENARIO --paths` lists it:
//! the path in the form `--set` takes (items of a named list by name: `roles.sales.levers.
//! promo_depth.options`), the value after every override, the range the validator holds it to, and
//! the schema's one-line meaning. The ranges and meanings are read from the format's JSON Schema,
//! which is derived from the same types the loader parses into (so they cannot drift apart).

use crate::scenario::diagnose::node_at;
use crate::scenario::limits::Range;
use serde_json::Value;

/// One settable value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The path as `--set` takes it, named items by name.
    pub path: String,
    /// The value, as JSON text.
    pub value: String,
    /// The range the validator holds it (or its items) to, in words; empty where none is stated.
    pub range: String,
    /// The first sentence of the schema's description; empty where none is given.
    pub meaning: String,
}

/// Every leaf of `doc` (a scenario, defaults filled and overrides applied) described from
/// `schema` (the format's JSON Schema). A list of plain values (a lever's options) is one leaf.
pub fn settings(doc: &Value, schema: &Value) -> Vec<Setting> {
    let mut out = Vec::new();
    walk(doc, schema, String::new(), String::new(), &mut out);
    out
}

/// `shown` is the path as `--set` takes it; `indexed` the same path with list indices, as the
/// schema is walked.
fn walk(v: &Value, schema: &Value, shown: String, indexed: String, out: &mut Vec<Setting>) {
    let join = |base: &str, key: &str| {
        if base.is_empty() {
            key.to_string()
        } else {
            format!("{base}.{key}")
        }
    };
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, item) in map {
                if k == "$schema" {
                    continue;
                }
                walk(item, schema, join(&shown, k), join(&indexed, k), out);
                // A lever's options lie in a range its target (`acts_on`) sets, which the schema
                // cannot say.
                if k == "options" {
                    let target = map.get("acts_on").cloned().map(serde_json::from_value);
                    if let (Some(Ok(t)), Some(last)) = (target, out.last_mut()) {
                        let t: crate::scenario::format::LeverTarget = t;
                        last.range = t.option_range().expected();
                    }
                }
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for (i, item) in items.iter().enumerate() {
                let name = item.get("name").and_then(Value::as_str);
                let step = name.map_or(i.to_string(), str::to_string);
                walk(
                    item,
                    schema,
                    join(&shown, &step),
                    format!("{indexed}[{i}]"),
                    out,
                );
            }
        }
        _ => out.push(describe(v, schema, shown, &indexed)),
    }
}

fn describe(v: &Value, schema: &Value, path: String, indexed: &str) -> Setting {
    let node = node_at(schema, indexed);
    let ranged = node
        .and_then(|n| Range::of_schema(n).or_else(|| n.get("items").and_then(Range::of_schema)));
    let whole = node.is_some_and(|n| n.get("type").and_then(Value::as_str) == Some("integer"));
    let range = ranged.map_or(String::new(), |r| {
        let words = r.expected();
        if whole {
            words.replacen("a number", "a whole number", 1)
        } else {
            words
        }
    });
    let meaning = node
        .and_then(|n| n.get("description"))
        .and_then(Value::as_str)
        .map(first_sentence)
        .unwrap_or_default();
    Setting {
        path,
        value: v.to_string(),
        range,
        meaning,
    }
}

/// Up to the first full stop followed by a space (or the end), on one line.
fn first_sentence(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.find(". ") {
        Some(i) => one_line[..=i].to_string(),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Vec<Setting> {
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        let model = crate::scenario::load::load(&source, &["world.stores=7".into()]).unwrap();
        let doc = serde_json::to_value(&model.scenario).unwrap();
        let schema: Value = serde_json::from_str(&crate::scenario::load::schema_json()).unwrap();
        settings(&doc, &schema)
    }

    #[test]
    fn every_value_is_listed_by_the_path_set_takes_with_its_range_and_meaning() {
        let all = org();
        let at = |p: &str| {
            all.iter()
                .find(|s| s.path == p)
                .unwrap_or_else(|| panic!("{p}"))
        };
        let stores = at("world.stores");
        assert_eq!(stores.value, "7", "the value after the overrides");
        assert_eq!(stores.range, "a whole number from 1 to 100000");
        assert!(
            stores.meaning.starts_with("Number of stores"),
            "{}",
            stores.meaning
        );
        let options = at("roles.sales.levers.promo_depth.options");
        assert!(
            options.value.starts_with('['),
            "a list of plain values is one setting"
        );
        assert_eq!(options.range, "a number from 0 to 0.9");
        // Every path listed is one `--set` accepts, and setting it to its own value changes nothing.
        let source = crate::scenario::load::resolve("promo_vs_inventory").unwrap();
        for s in all
            .iter()
            .filter(|s| s.path.starts_with("world.") || s.path.starts_with("roles."))
        {
            let set = format!("{}={}", s.path, s.value);
            crate::scenario::load::load(&source, std::slice::from_ref(&set))
                .unwrap_or_else(|e| panic!("{set}: {e}"));
        }
    }
}
