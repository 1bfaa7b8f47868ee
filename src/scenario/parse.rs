//! Scenario text to [`Scenario`]: serde's first problem in the words of someone editing the
//! file by hand, with its JSON path, line and column.

// A Problem is large, and returned only once per file read: boxing it would buy nothing.

use crate::error::Problem;
use crate::scenario::format::Scenario;
use crate::scenario::suggest::nearest;
use serde_json::Value;

/// Parses scenario text, reporting the JSON path, line and column of the first structural problem.
pub fn parse(text: &str) -> std::result::Result<Scenario, Problem> {
    parse_as::<Scenario>(text)
}

/// [`parse`], for any scenario format (an organisation's or a network's).
pub fn parse_as<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = display_path(&e.path().to_string());
        let inner = e.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let msg = inner.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        let mut p = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                syntax_problem(text, &path, msg, line, column)
            }
            _ => serde_problem(&path, msg),
        };
        if line > 0 && p.line.is_none() {
            p.line = Some(line);
            // serde_json says column 0 at the very start of a line (e.g. at the end of the file).
            p.column = Some(column.max(1));
        }
        p
    })
}

/// serde_path_to_error writes `?` for a part of the path it could not name (inside a key
/// that does not parse): those parts say nothing to a user.
fn display_path(p: &str) -> String {
    let known: Vec<&str> = p
        .split('.')
        .filter(|s| !s.is_empty() && *s != "?")
        .collect();
    if known.is_empty() {
        ".".to_string()
    } else {
        known.join(".")
    }
}

/// The text at a 1-based line and column, to the end of that line (shortened), for messages.
fn text_at(text: &str, line: usize, column: usize) -> String {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let rest = l.get(column.saturating_sub(1)..).unwrap_or("").trim_end();
    let short: String = rest.chars().take(30).collect();
    if short.len() < rest.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let off = start + column.checked_sub(1)?;
    (off <= text.len()).then_some(off)
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, off: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..off];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = off
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |n| n + 1)
        + 1;
    (line, col)
}

/// What serde_json's "expected value" means in a file that is valid JSON: a name (an enum
/// such as `unmet` or `objective`) given as a number, boolean, list or null.
/// [`crate::scenario::diagnose::structural`] replaces it with the schema's problem, which lists the names.
pub(crate) const A_NAME: &str = "a name in double quotes";

/// A JSON syntax error in the words of someone editing the file by hand.
///
/// Long because it is one table: each shape of mistake (a missing comma, a comment, single
/// quotes, a trailing comma, ...) tried in turn, most specific first; the order is the logic.
fn syntax_problem(text: &str, path: &str, msg: &str, line: usize, column: usize) -> Problem {
    if text.trim().is_empty() {
        let mut p = Problem::new(".", "a scenario (a JSON object)", "an empty file");
        p.line = Some(1);
        p.column = Some(1);
        return p;
    }
    let bytes = text.as_bytes();
    let at = offset_of(text, line, column);
    // Where the mistake itself is, when serde_json noticed it later: the comma before a
    // closing bracket, the first character of a number.
    let start = match (msg, at) {
        ("trailing comma", Some(off)) => bytes[..off]
            .iter()
            .rposition(|b| *b == b',')
            .map(|i| line_col(text, i)),
        ("number out of range" | "invalid number", Some(off)) => {
            let is_num =
                |b: &u8| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-');
            let first = bytes[..off.min(bytes.len())]
                .iter()
                .rposition(|b| !is_num(b))
                .map_or(0, |i| i + 1);
            Some(line_col(text, first))
        }
        _ => None,
    };
    let (line, column) = start.unwrap_or((line, column));
    let mut near = text_at(text, line, column);
    // The value itself, without what follows it on the line.
    let near_token = near
        .split([',', ']', '}'])
        .next()
        .unwrap_or("")
        .trim_end()
        .to_string();
    if msg == "expected value" && serde_json::from_str::<Value>(text).is_ok() {
        let mut p = Problem::new(path, A_NAME, format!("'{near_token}'"));
        p.line = Some(line);
        p.column = Some(column.max(1));
        return p;
    }
    if msg.contains("number") {
        let end = near
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')))
            .unwrap_or(near.len());
        near.truncate(end);
    }
    let found_near = if near.is_empty() {
        "the end of the line".to_string()
    } else if msg == "expected value" {
        format!("'{near_token}'")
    } else {
        format!("'{near}'")
    };
    let (expected, found, hint): (&str, String, Option<&str>) = match msg {
        "trailing comma" => (
            "no comma after the last item of a list or object",
            "a comma followed by the closing bracket".to_string(),
            Some("delete this comma: JSON allows none after the last item"),
        ),
        "key must be a string" => (
            "a key in double quotes (\"key\": value)",
            found_near.clone(),
            Some("put the key in double quotes"),
        ),
        "expected value" => (
            "a value (a number, a \"string\", true, false, null, a [list] or an {object})",
            found_near.clone(),
            None,
        ),
        "expected `,` or `}`" => (
            "a comma before the next key, or the closing }",
            found_near.clone(),
            Some("is a comma missing at the end of the line before?"),
        ),
        "expected `,` or `]`" => (
            "a comma before the next item, or the closing ]",
            found_near.clone(),
            Some("is a comma missing at the end of the line before?"),
        ),
        "expected `:`" => ("a colon after the key", found_near.clone(), None),
        "number out of range" => (
            "a number of ordinary size",
            format!("{found_near}, too large to represent"),
            Some("JSON has no infinity: write a finite number"),
        ),
        "invalid number" => ("a number", found_near.clone(), None),
        "trailing characters" => (
            "the end of the file after the closing }",
            found_near.clone(),
            Some("is there an extra } or a second document?"),
        ),
        "EOF while parsing a string" => (
            "a closing double quote",
            "the end of the file".to_string(),
            None,
        ),
        m if m.starts_with("EOF while parsing") => (
            "the rest of the document",
            "the end of the file".to_string(),
            Some("a closing } or ] is missing, or the file was cut short"),
        ),
        m if m.starts_with("control character") => (
            "a string on one line (write \\n for a line break)",
            "a line break or control character inside a string".to_string(),
            Some("is a closing double quote missing?"),
        ),
        "invalid escape" => (
            "a valid escape after a backslash (\\\" \\\\ \\/ \\n \\t \\uXXXX)",
            found_near.clone(),
            Some("write a backslash as \\\\"),
        ),
        _ => ("valid JSON", msg.to_string(), None),
    };
    let (found, hint) = if near.starts_with('\u{feff}') {
        (
            "an invisible byte order mark (U+FEFF) before the first '{'".to_string(),
            Some("save the file with the encoding \"UTF-8\", not \"UTF-8 with BOM\""),
        )
    } else if near.starts_with("//") || near.starts_with("/*") || near.starts_with('#') {
        (
            found,
            Some("JSON has no comments: delete it, or put the note in \"description\""),
        )
    } else if near.starts_with('\'') {
        (found, Some("JSON strings and keys use double quotes"))
    } else if ["NaN", "nan", "Infinity", "-Infinity", "inf"]
        .iter()
        .any(|w| near.starts_with(w))
    {
        (found, Some("JSON has no NaN or infinity: write a number"))
    } else {
        (found, hint)
    };
    let mut p = Problem::new(path, expected, found);
    p.hint = hint.map(str::to_owned);
    if line > 0 {
        p.line = Some(line);
        p.column = Some(column.max(1));
    }
    p
}

/// Turns serde's message into expected/found, with a spelling hint for unknown keys.
fn serde_problem(path: &str, msg: &str) -> Problem {
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
        if let Some((raw_found, expected)) = rest.split_once(", expected ") {
            let found = plain_found(raw_found);
            let mut expected = plain_type(expected);
            // A whole number too large for its field (serde says only "u32"): say why.
            if expected.starts_with("a whole number")
                && raw_found.starts_with("integer `")
                && !raw_found.starts_with("integer `-")
            {
                expected = "a whole number no larger than 4294967295".into();
            }
            let p = Problem::new(path, &expected, &found);
            return match quoted_number(&found) {
                Some(n) if expected.contains("number") => {
                    p.hint(format!("write numbers without quotes: {n}"))
                }
                _ => p,
            };
        }
    }
    if let Some(rest) = msg.strip_prefix("duplicate field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let at = if path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return Problem::new(at, "each key once", format!("'{name}' a second time"))
            .hint("delete one of them: orgsim does not guess which one you meant");
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

/// serde's description of a value it did not want, in the words the rest of orgsim uses.
fn plain_found(found: &str) -> String {
    let ticked = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_string())
    };
    if let Some(n) = ticked("integer ").or_else(|| ticked("floating point ")) {
        return format!("the number {n}");
    }
    if let Some(b) = ticked("boolean ") {
        return format!("the boolean {b}");
    }
    if let Some(s) = found.strip_prefix("string ") {
        let s = serde_json::from_str::<String>(s).unwrap_or_else(|_| s.to_string());
        return format!("the string '{s}'");
    }
    match found {
        "unit value" | "null" => "null".into(),
        "sequence" => "a list".into(),
        "map" => "an object".into(),
        other => other.replace(['`', '"'], "'"),
    }
}

/// The number in `the string '80,000'`, when the string is a number someone put in quotes.
pub(crate) fn quoted_number(found: &str) -> Option<String> {
    let s = found.strip_prefix("the string '")?.strip_suffix('\'')?;
    let bare: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    bare.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|_| bare)
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
