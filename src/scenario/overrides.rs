//! `--set PATH=VALUE`: a scenario's values overridden from the command line.
//!
//! A path can be written as messages print it (`roles[0].levers[1].options`), with dotted
//! indices (`roles.0.levers.1.options`), or with the names of named items
//! (`roles.sales.levers.promo_depth.options`); `PATH[+]=VALUE` appends an item to a list.
//!
//! Each override remembers the path it wrote, in the form messages print, so that a problem
//! found later in its value (by the schema, by [`crate::scenario::model::Model::compile`], by the plan)
//! names the `--set` argument rather than a line of a scenario file that does not hold the value.

// A `Problem` carries a whole diagnosis: it is the value of these functions, not an
// exceptional path worth boxing.

use crate::error::Problem;
use crate::scenario::format::Scenario;
use crate::scenario::suggest::nearest;
use serde_json::Value;
use std::fmt;

/// Locates problems found after parsing: one at, in or around a value a `--set` wrote names
/// that argument; any other gets its line and column in `text`.
pub fn locate_all(text: &str, overrides: &[Override], problems: Vec<Problem>) -> Vec<Problem> {
    crate::scenario::diagnose::with_positions(text, attribute(overrides, problems))
}

/// One applied `--set`: the argument as typed and the path of the value it wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The argument, `PATH=VALUE`, as typed.
    pub arg: String,
    /// The value it wrote, as messages print paths (`roles[0].levers[1].options`).
    pub path: String,
}

/// What a well-formed path looks like, for messages about one that is not.
const PATH_FORMS: &str = "a path like roles[0].levers[1].options, roles.sales.levers.promo_depth.options or roles.sales.scorecard.components[+]";

/// Applies `PATH=VALUE` overrides to the scenario in its full (defaults filled in) JSON form.
/// Returns the scenario and, for each argument, the path it wrote; or every problem, each
/// naming its argument.
pub fn apply_sets(
    scenario: Scenario,
    sets: &[String],
) -> Result<(Scenario, Vec<Override>), Vec<Problem>> {
    if sets.is_empty() {
        return Ok((scenario, Vec::new()));
    }
    let mut doc = serde_json::to_value(&scenario).expect("a scenario always serializes");
    let applied = apply_to_doc(&mut doc, sets)?;
    let text = doc.to_string();
    let scenario = crate::scenario::parse::parse(&text).map_err(|first| {
        // Every structural problem, as for a file; lines and columns of this generated text
        // mean nothing to the user.
        let mut all = crate::scenario::diagnose::structural(&text, &doc, first);
        for p in &mut all {
            p.line = None;
            p.column = None;
        }
        attribute(&applied, all)
    })?;
    Ok((scenario, applied))
}

/// Applies `PATH=VALUE` overrides to a scenario document of any format. Returns, for each
/// argument, the path it wrote; or every problem, each naming its argument.
pub fn apply_to_doc(doc: &mut Value, sets: &[String]) -> Result<Vec<Override>, Vec<Problem>> {
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for arg in sets {
        match apply_set(doc, arg) {
            // Two arguments that write the same value: the last would win in silence.
            Ok(path) => match applied.iter().find(|o: &&Override| o.path == path) {
                Some(first) => problems.push(
                    Problem::new(
                        &path,
                        "each value set once",
                        format!("a second setting of it, after {}", first.arg),
                    )
                    .hint("keep the one you mean: orgsim does not guess")
                    .in_set(arg),
                ),
                None => applied.push(Override {
                    arg: arg.clone(),
                    path,
                }),
            },
            Err(p) => problems.push(p.in_set(arg)),
        }
    }
    if problems.is_empty() {
        Ok(applied)
    } else {
        Err(problems)
    }
}

/// Gives each problem at, inside or around a value an override wrote to that `--set` argument
/// (the last one, when several wrote there): the value is not in the file, so a line and
/// column there would point at the wrong thing.
pub fn attribute(overrides: &[Override], mut problems: Vec<Problem>) -> Vec<Problem> {
    for p in problems.iter_mut().filter(|p| p.set.is_none()) {
        if let Some(o) = overrides.iter().rev().find(|o| related(&o.path, &p.path)) {
            p.set = Some(o.arg.clone());
            p.line = None;
            p.column = None;
        }
    }
    problems
}

/// Whether an override wrote the value at `path`, or a value inside it or around it.
pub fn wrote(overrides: &[Override], path: &str) -> bool {
    overrides.iter().any(|o| related(&o.path, path))
}

/// Whether one path is the other or lies inside it.
fn related(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| {
        x.strip_prefix(y)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    inside(a, b) || inside(b, a)
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A key, or in a list an index written with a dot or an item's name.
    Name(String),
    /// `[i]`.
    Index(usize),
    /// `[+]`: a new item at the end of a list.
    Append,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Name(k) => write!(f, ".{k}"),
            Step::Index(i) => write!(f, "[{i}]"),
            Step::Append => write!(f, "[+]"),
        }
    }
}

/// Applies one override; returns the path of the value it wrote. Problems name no argument
/// (the caller adds it).
fn apply_set(doc: &mut Value, arg: &str) -> Result<String, Problem> {
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(Problem::new("", "PATH=VALUE", "no '='"));
    };
    let steps = parse_path(path).map_err(|found| Problem::new("", PATH_FORMS, found))?;
    let (last, walk) = steps.split_last().expect("a parsed path has a step");
    let mut here = doc;
    let mut at = String::new();
    for s in walk {
        // An object the scenario leaves out or writes as null (an optional one, such as
        // `org.meetings`) is made
        // empty on the way: the parser then judges its keys, so a misspelt one is named with
        // the keys it could have been, as in a file.
        if let (Value::Object(map), Step::Name(k)) = (&mut *here, s) {
            let slot = map.entry(k.clone()).or_insert(Value::Null);
            if slot.is_null() {
                *slot = Value::Object(Default::default());
            }
        }
        (here, at) = step(here, &at, s)?;
    }
    let new = value(raw, &child_path(&at, last))?;
    match (here, last) {
        (Value::Array(items), Step::Append) => {
            let path = format!("{at}[{}]", items.len());
            items.push(new);
            Ok(path)
        }
        (other, Step::Append) => Err(Problem::new(
            shown(&at),
            "a list to append to with [+]",
            kind_name(other),
        )),
        // A key the scenario leaves out (an optional one): the schema judges the new key.
        (Value::Object(map), Step::Name(k)) if !map.contains_key(k) => {
            map.insert(k.clone(), new);
            Ok(child_path(&at, last))
        }
        (here, last) => {
            let (old, path) = step(here, &at, last)?;
            check_shape(old, &new, raw, &path)?;
            *old = new;
            Ok(path)
        }
    }
}

/// `roles[0].levers.promo_depth.options` -> its steps; for a malformed path, what is wrong.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let end = part.find(['[', ']']).unwrap_or(part.len());
        let (name, mut rest) = part.split_at(end);
        if name.is_empty() {
            return Err(match (path.is_empty(), part.is_empty()) {
                (true, _) => "an empty path".to_string(),
                (false, true) => format!("'{path}', with an empty part between dots"),
                (false, false) => format!("'{part}', with no name before its '['"),
            });
        }
        steps.push(Step::Name(name.to_string()));
        while let Some(inside) = rest.strip_prefix('[') {
            let Some(close) = inside.find(']') else {
                return Err(format!("'{part}', with a '[' and no ']'"));
            };
            steps.push(bracket(&inside[..close])?);
            rest = &inside[close + 1..];
        }
        if rest.starts_with(']') {
            return Err(format!("'{part}', with a ']' and no '['"));
        }
        if !rest.is_empty() {
            return Err(format!(
                "'{part}', with '{rest}' after a ']' (a '.' or '[' goes there)"
            ));
        }
    }
    if steps[..steps.len() - 1].contains(&Step::Append) {
        return Err(format!(
            "'{path}', with [+] before the end (it appends to the list the path ends at)"
        ));
    }
    Ok(steps)
}

/// What goes between `[` and `]`: an index or `+`.
fn bracket(inner: &str) -> Result<Step, String> {
    if inner == "+" {
        return Ok(Step::Append);
    }
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return inner
            .parse()
            .map(Step::Index)
            .map_err(|_| format!("'[{inner}]', an index far past any list's end"));
    }
    Err(format!(
        "'[{inner}]' (an index, 0 or more, or + goes between [ and ])"
    ))
}

/// `at` extended by one step, as messages print paths (an index of a list in brackets).
fn child_path(at: &str, s: &Step) -> String {
    match s {
        Step::Name(k) if at.is_empty() => k.clone(),
        Step::Name(k) => format!("{at}.{k}"),
        Step::Index(i) => format!("{at}[{i}]"),
        Step::Append => format!("{at}[+]"),
    }
}

/// A path for a message: `.` for the whole document.
fn shown(at: &str) -> &str {
    if at.is_empty() {
        "."
    } else {
        at
    }
}

/// One step down from `here` (at path `at`): the child and its path.
fn step<'a>(here: &'a mut Value, at: &str, s: &Step) -> Result<(&'a mut Value, String), Problem> {
    match here {
        Value::Object(map) => match s {
            Step::Name(k) if map.contains_key(k) => Ok((&mut map[k], child_path(at, s))),
            _ => Err(no_key(map, at, s)),
        },
        Value::Array(items) => match s {
            Step::Name(k) => match k.parse::<usize>() {
                Ok(i) => item(items, at, i),
                Err(_) => named_item(items, at, k),
            },
            Step::Index(i) => item(items, at, *i),
            // [+] ends a path, and is handled where the path ends.
            Step::Append => Err(Problem::new(
                at,
                "[+] at the end of the path",
                "more after it",
            )),
        },
        other => Err(Problem::new(
            shown(at),
            format!("the end of the path ({} has no parts)", kind_name(other)),
            format!("'{s}'"),
        )),
    }
}

/// A step an object does not have: a key it lacks, or an index.
fn no_key(map: &serde_json::Map<String, Value>, at: &str, s: &Step) -> Problem {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let (found, near) = match s {
        Step::Name(k) => (format!("no key '{k}'"), nearest(k, keys.iter().copied())),
        _ => (format!("'{s}'"), None),
    };
    let p = Problem::new(
        shown(at),
        format!("one of the keys {}", keys.join(", ")),
        found,
    );
    match near {
        Some(n) => p.hint(format!("did you mean '{n}'?")),
        None => p,
    }
}

/// Item `i` of a list at `at`.
fn item<'a>(
    items: &'a mut [Value],
    at: &str,
    i: usize,
) -> Result<(&'a mut Value, String), Problem> {
    let n = items.len();
    if i < n {
        return Ok((&mut items[i], format!("{at}[{i}]")));
    }
    let expected = match (n, names(items)) {
        (0, _) => "an item, and the list is empty".to_string(),
        (_, names) if names.is_empty() => format!("an index from 0 to {}", n - 1),
        (_, names) => format!(
            "an index from 0 to {}, or one of the names {}",
            n - 1,
            names.join(", ")
        ),
    };
    let p = Problem::new(at, expected, format!("the index {i}"));
    Err(if i == n {
        p.hint(format!("to add an item, write {at}[+]=VALUE"))
    } else {
        p
    })
}

/// The item named `name` in a list of named objects at `at`.
fn named_item<'a>(
    items: &'a mut [Value],
    at: &str,
    name: &str,
) -> Result<(&'a mut Value, String), Problem> {
    let names = names(items);
    if let Some(i) = names.iter().position(|n| n == name) {
        return Ok((&mut items[i], format!("{at}[{i}]")));
    }
    let expected = match (items.len(), names.is_empty()) {
        (0, _) => "an item, and the list is empty".to_string(),
        (n, true) => format!("an index from 0 to {}", n - 1),
        (n, false) => format!(
            "an index from 0 to {}, or one of the names {}",
            n - 1,
            names.join(", ")
        ),
    };
    let p = Problem::new(at, expected, format!("no item named '{name}'"));
    Err(match nearest(name, names.iter().map(String::as_str)) {
        Some(h) => p.hint(format!("did you mean '{h}'?")),
        None => p,
    })
}

/// The `name`s of a list's items (empty unless they are named objects).
fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The value of an override: JSON, or else the text as a string (`name=my_run`).
fn value(raw: &str, path: &str) -> Result<Value, Problem> {
    match serde_json::from_str(raw) {
        Ok(v) => Ok(v),
        // A list or an object that does not parse is a mistake, not a string.
        Err(e) if raw.trim_start().starts_with(['[', '{']) => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            Err(Problem::new(
                path,
                "a JSON value",
                format!("'{raw}' ({msg})"),
            )
            .hint("keys and strings take double quotes; in a shell, put the whole PATH=VALUE in single quotes"))
        }
        Err(_) => Ok(Value::String(raw.to_string())),
    }
}

/// A list stays a list, and an object does not become one; anything else is the schema's to
/// judge, with the rest of the scenario (a target may be a number or {"plan": f}). serde would
/// read a list in place of an object as the object's fields in order, and say so obscurely.
fn check_shape(old: &Value, new: &Value, raw: &str, path: &str) -> Result<(), Problem> {
    let changed = match old {
        Value::Array(_) => !matches!(new, Value::Array(_) | Value::Null),
        Value::Object(_) => new.is_array(),
        _ => false,
    };
    if !changed {
        return Ok(());
    }
    Err(Problem::new(
        path,
        kind_name(old),
        format!("{} '{raw}'", kind_name(new)),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_in_every_form_and_malformed_ones_say_why() {
        let name = |s: &str| Step::Name(s.to_string());
        assert_eq!(
            parse_path("roles[0].levers[1].options"),
            Ok(vec![
                name("roles"),
                Step::Index(0),
                name("levers"),
                Step::Index(1),
                name("options")
            ])
        );
        assert_eq!(
            parse_path("a.b[2][+]"),
            Ok(vec![name("a"), name("b"), Step::Index(2), Step::Append])
        );
        for (bad, why) in [
            ("", "an empty path"),
            ("a..b", "empty part"),
            ("a.[0]", "no name before"),
            ("a[0", "no ']'"),
            ("a0]", "no '['"),
            ("a[0]x", "'x' after a ']'"),
            ("a[x]", "'[x]'"),
            ("a[]", "'[]'"),
            ("a[+].b", "[+] before the end"),
        ] {
            let e = parse_path(bad).expect_err(bad);
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    fn builtin() -> Scenario {
        crate::scenario::parse::parse(crate::scenario::load::BUILTINS[0].json).unwrap()
    }

    fn set(args: &[&str]) -> Result<(Scenario, Vec<Override>), Vec<Problem>> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        apply_sets(builtin(), &args)
    }

    #[test]
    fn the_printed_form_dotted_indices_and_names_reach_the_same_value() {
        for path in [
            "roles[0].levers[1].options",
            "roles.0.levers.1.options",
            "roles.sales.levers.trade_loading.options",
            "roles[0].levers.trade_loading.options",
        ] {
            let (s, o) =
                set(&[&format!("{path}=[0,0.5]")]).unwrap_or_else(|p| panic!("{path}: {p:?}"));
            assert_eq!(s.roles[0].levers[1].options, vec![0.0, 0.5], "{path}");
            assert_eq!(o[0].path, "roles[0].levers[1].options", "{path}");
        }
    }

    #[test]
    fn append_adds_an_item_at_the_end_of_a_list() {
        let (s, o) = set(&[
            r#"roles.sales.scorecard.components[+]={"metric":"fill_rate","target":0.95,"weight":0.5}"#,
            "roles.sales.scorecard.components.0.weight=0.5",
        ])
        .unwrap();
        let c = &s.roles[0].scorecard.components;
        assert_eq!(c.len(), 2);
        assert_eq!(
            c[1].target,
            crate::scenario::format::TargetValue::Absolute(0.95)
        );
        assert_eq!(o[0].path, "roles[0].scorecard.components[1]");
    }

    #[test]
    fn a_path_through_an_optional_object_the_scenario_leaves_out_creates_it() {
        let (s, o) = set(&[
            "org.meetings.every_weeks=4",
            "org.meetings.psychological_safety=0.8",
        ])
        .unwrap();
        let m = s.org.meetings.expect("meetings made by --set");
        assert_eq!((m.every_weeks, m.psychological_safety), (4, 0.8));
        assert_eq!(o[0].path, "org.meetings.every_weeks");
        // A misspelt object is not made silently: the parser names it with the keys it could be.
        let problems = set(&["org.meeting.every_weeks=4"]).expect_err("a typo");
        let text = problems[0].to_string();
        assert!(text.contains("unknown key 'meeting'"), "{text}");
        assert!(text.contains("did you mean 'meetings'?"), "{text}");
        assert!(
            text.starts_with("--set org.meeting.every_weeks=4"),
            "{text}"
        );
    }

    #[test]
    fn a_problem_in_an_argument_names_it_and_says_what_went_wrong() {
        for (arg, line) in [
            ("world.stores=0x", "--set world.stores=0x: world.stores: expected a whole number from 1 to 100000, found the string '0x'"),
            // serde knows only "a whole number"; the message gives the schema's (the validator's) range.
            ("world.stores=1e20", "--set world.stores=1e20: world.stores: expected a whole number from 1 to 100000, found the number 1e+20"),
            ("roles.sales.levers.promo_depth.decide_every_weeks=0.5", "--set roles.sales.levers.promo_depth.decide_every_weeks=0.5: roles[0].levers[0].decide_every_weeks: expected a whole number from 1 to 52, found the number 0.5"),
            ("roles[7].name=x", "--set roles[7].name=x: roles: expected an index from 0 to 4, or one of the names sales, procurement, marketing, retailer, finance, found the index 7"),
            ("world.stores[+]=1", "--set world.stores[+]=1: world.stores: expected a list to append to with [+], found a number"),
            ("roles[99999999999999999999999].name=x", "--set roles[99999999999999999999999].name=x: expected a path like roles[0].levers[1].options, roles.sales.levers.promo_depth.options or roles.sales.scorecard.components[+], found '[99999999999999999999999]', an index far past any list's end"),
        ] {
            let problems = set(&[arg]).expect_err(arg);
            assert_eq!(problems.len(), 1, "{arg}");
            assert_eq!(problems[0].to_string(), line);
        }
    }

    #[test]
    fn a_value_set_twice_is_refused_naming_both_and_appends_are_not_twice() {
        let problems = set(&["world.stores=5", "world.stores=6"]).expect_err("twice");
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["--set world.stores=6: world.stores: expected each value set once, found a second setting of it, after world.stores=5 (hint: keep the one you mean: orgsim does not guess)"]
        );
        // The same value by two spellings of its path is still twice.
        assert!(set(&[
            "roles.sales.levers.promo_depth.options=[0,0.2]",
            "roles[0].levers[0].options=[0,0.3]"
        ])
        .is_err());
        let c = r#"roles.sales.scorecard.components[+]={"metric":"fill_rate","weight":0.1,"target":0.9}"#;
        assert!(set(&[c, c]).is_ok(), "two appends write two values");
    }

    #[test]
    fn a_problem_in_or_around_an_overridden_value_names_the_argument() {
        let o = |path: &str, arg: &str| Override {
            arg: arg.into(),
            path: path.into(),
        };
        let overrides = [
            o("world.stores", "world.stores=0"),
            o("roles[1]", "a"),
            o("roles[1].name", "b"),
        ];
        let mut p = Problem::new("world.stores", "x", "y");
        p.line = Some(3);
        let ps = vec![
            p,
            Problem::new("world.stores_x", "x", "y"),
            Problem::new("roles[1].levers", "x", "y"),
            Problem::new("roles", "x", "y"),
            Problem::new("roles[10]", "x", "y"),
        ];
        let got: Vec<_> = attribute(&overrides, ps)
            .into_iter()
            .map(|p| (p.set, p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("world.stores=0".into()), None),
                (None, None),
                (Some("a".into()), None),
                (Some("b".into()), None),
                (None, None),
            ]
        );
    }
}
