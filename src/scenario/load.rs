//! From text to a checked [`Model`]: find the scenario (file or built-in), parse it,
//! apply `--set PATH=VALUE` overrides ([`crate::scenario::overrides`]), deserialize, validate.

// A `Problem` carries a whole diagnosis (path, expected, found, hint, position): it is the
// value of these functions, not an exceptional path worth boxing.

use crate::error::{Error, Problem, Result};
use crate::scenario::format::Scenario;
use crate::scenario::model::Model;
use crate::scenario::network::{NetworkModel, NetworkScenario};
use crate::scenario::overrides;
use crate::scenario::parse::{parse, parse_as};
use crate::scenario::suggest::nearest;
use serde_json::Value;
use std::path::Path;

/// The stories the built-ins tell, in the order a workshop tells them (`orgsim list` groups by it).
pub const STORIES: &[&str] = &["promotions", "launch", "meetings", "classics"];

/// A built-in scenario, shipped inside the binary and in `scenarios/`.
pub struct Builtin {
    /// Name used on the command line.
    pub name: &'static str,
    /// The story it tells: one of [`STORIES`].
    pub story: &'static str,
    /// The JSON text.
    pub json: &'static str,
}

/// The built-in scenarios, default first.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "promo_vs_inventory",
        story: "promotions",
        json: include_str!("../../scenarios/promo_vs_inventory.json"),
    },
    Builtin {
        name: "promo_vs_inventory_aligned",
        story: "promotions",
        json: include_str!("../../scenarios/promo_vs_inventory_aligned.json"),
    },
    Builtin {
        name: "trade_loading",
        story: "promotions",
        json: include_str!("../../scenarios/trade_loading.json"),
    },
    Builtin {
        name: "launch",
        story: "launch",
        json: include_str!("../../scenarios/launch.json"),
    },
    Builtin {
        name: "okr_offsite",
        story: "meetings",
        json: include_str!("../../scenarios/okr_offsite.json"),
    },
];

/// The built-in network scenarios: the supply-chain classics, played on the stock-point network
/// ([`crate::scenario::network`]) rather than by an organisation's roles.
pub const NETWORK_BUILTINS: &[Builtin] = &[
    Builtin {
        name: "beer_game_classic",
        story: "classics",
        json: include_str!("../../scenarios/beer_game_classic.json"),
    },
    Builtin {
        name: "beer_game",
        story: "classics",
        json: include_str!("../../scenarios/beer_game.json"),
    },
    Builtin {
        name: "bullwhip_order_up_to",
        story: "classics",
        json: include_str!("../../scenarios/bullwhip_order_up_to.json"),
    },
];

/// Every built-in: the organisation's, then the networks'.
pub fn all_builtins() -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().chain(NETWORK_BUILTINS)
}

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
    match all_builtins().find(|b| b.name == spec) {
        Some(b) => Ok(Source {
            name: format!("built-in {}", b.name),
            text: b.json.to_string(),
        }),
        None => {
            let names: Vec<&str> = all_builtins().map(|b| b.name).collect();
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

/// Parses, overrides, deserializes and validates. The model carries the overrides and the
/// warnings (legal values that are almost surely slips), each located like a problem.
pub fn load(source: &Source, sets: &[String]) -> Result<Model> {
    if is_network(source) {
        return Err(Error::Usage(format!(
            "{} is a network scenario (the supply-chain classics): orgsim run, validate and compare play it; sweep, trace and shards do not yet",
            source.name
        )));
    }
    let invalid = |problems| Error::InvalidScenario {
        source_name: source.name.clone(),
        problems,
    };
    let scenario = parse(&source.text).map_err(|first| invalid(structural(&source.text, first)))?;
    let (scenario, overrides) = overrides::apply_sets(scenario, sets).map_err(invalid)?;
    let place = |problems| overrides::locate_all(&source.text, &overrides, problems);
    let mut model = Model::compile(scenario).map_err(|problems| invalid(place(problems)))?;
    model.warnings = place(crate::scenario::lint::warnings(&model.scenario, &overrides));
    model.name = run_name(&model.scenario.name, &overrides);
    model.overrides = overrides;
    model.source_sha256 = sha256_hex(&source.text);
    Ok(model)
}

/// Whether the text is a network scenario: a JSON object with a top-level `network`.
pub fn is_network(source: &Source) -> bool {
    serde_json::from_str::<Value>(&source.text)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.contains_key("network")))
        .unwrap_or(false)
}

/// [`load`], for a network scenario: parses, applies `--set` overrides, checks.
pub fn load_network(source: &Source, sets: &[String]) -> Result<NetworkModel> {
    let invalid = |problems| Error::InvalidScenario {
        source_name: source.name.clone(),
        problems,
    };
    let scenario: NetworkScenario = parse_as(&source.text).map_err(|p| invalid(vec![p]))?;
    let (scenario, overrides) = if sets.is_empty() {
        (scenario, Vec::new())
    } else {
        let mut doc = serde_json::to_value(&scenario).expect("a scenario always serializes");
        let applied = overrides::apply_to_doc(&mut doc, sets).map_err(invalid)?;
        let parsed = parse_as::<NetworkScenario>(&doc.to_string()).map_err(|mut p| {
            // Lines and columns of this generated text mean nothing to the user.
            p.line = None;
            p.column = None;
            invalid(overrides::attribute(&applied, vec![p]))
        })?;
        (parsed, applied)
    };
    let problems = crate::scenario::network::check(&scenario);
    if !problems.is_empty() {
        return Err(invalid(overrides::locate_all(
            &source.text,
            &overrides,
            problems,
        )));
    }
    Ok(NetworkModel {
        name: run_name(&scenario.name, &overrides),
        scenario,
        overrides,
        source_sha256: sha256_hex(&source.text),
    })
}

/// A run's name from its scenario's and its overrides: `promo_vs_inventory [strategy.ambiguity=0.2]`.
/// A long override (a whole scorecard) is cut at 40 characters, since the name goes on charts;
/// `summary.json` keeps every override in full.
pub fn run_name(scenario: &str, overrides: &[crate::scenario::overrides::Override]) -> String {
    if overrides.is_empty() {
        return scenario.to_string();
    }
    let short: Vec<String> = overrides
        .iter()
        .map(|o| {
            let arg = o.arg.trim();
            match arg.char_indices().nth(40) {
                Some((i, _)) => format!("{}…", &arg[..i]),
                None => arg.to_string(),
            }
        })
        .collect();
    format!("{scenario} [{}]", short.join("; "))
}

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// All structural problems of a text whose first problem serde found (a syntax error is alone).
fn structural(text: &str, first: Problem) -> Vec<Problem> {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => crate::scenario::diagnose::structural(text, &doc, first),
        Err(_) => vec![first],
    }
}

/// The JSON Schema of the network scenario format, pretty-printed.
pub fn network_schema_json() -> String {
    let schema = schemars::schema_for!(NetworkScenario);
    serde_json::to_string_pretty(&schema).expect("schema serializes")
}

/// The JSON Schema of the scenario format, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).expect("schema serializes")
}
