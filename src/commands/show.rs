//! `orgsim show`: a scenario as it will run (every default filled in, every `--set` applied), or
//! with `--paths` every value `--set` can change, with its range and meaning.

use super::say;
use orgsim::scenario::load;
use orgsim::scenario::settings::settings;
use serde_json::Value;

/// Show a scenario as it will run, or (--paths) every value --set can change.
#[derive(clap::Args)]
pub struct Args {
    /// A scenario file, or the name of a built-in scenario.
    #[arg(default_value = load::DEFAULT_SCENARIO)]
    pub scenario: String,
    /// Overrides applied first, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// List every settable value: PATH=VALUE (as --set takes it), its range and its meaning.
    #[arg(long)]
    pub paths: bool,
}

/// Runs the command.
pub fn execute(args: Args) -> orgsim::Result<()> {
    let source = load::resolve(&args.scenario)?;
    let (doc, schema) = if load::is_network(&source) {
        let model = load::load_network(&source, &args.sets)?;
        (to_value(&model.scenario), load::network_schema_json())
    } else {
        let model = load::load(&source, &args.sets)?;
        (to_value(&model.scenario), load::schema_json())
    };
    if !args.paths {
        return say(&(serde_json::to_string_pretty(&doc).expect("JSON prints") + "\n"));
    }
    let schema: Value = serde_json::from_str(&schema).expect("the schema is JSON");
    let rows = settings(&doc, &schema);
    let width = rows
        .iter()
        .map(|r| r.path.chars().count() + 1 + r.value.chars().count())
        .filter(|w| *w <= 60)
        .max()
        .unwrap_or(20);
    let mut s = String::new();
    for r in rows {
        // A long text (a description) is cut: the listing is for finding paths.
        let value: String = match r.value.chars().count() {
            n if n > 60 => r.value.chars().take(57).collect::<String>() + "…\"",
            _ => r.value.clone(),
        };
        let set = format!("{}={value}", r.path);
        let mut about = r.meaning.clone();
        if !r.range.is_empty() {
            about = format!("[{}] {about}", r.range);
        }
        s.push_str(&format!("{set:<width$}  {about}\n"));
    }
    say(&s)
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("a scenario serializes")
}
