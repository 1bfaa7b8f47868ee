//! Line and column of a JSON path in the text it came from, so that a problem found after
//! parsing (a range, a reference) still points at the right place in the user's file.
//!
//! A small scanner rather than a span-keeping parser: it walks the already-valid text
//! along the path and stops at the value.

/// 1-based (line, column) of the value at `path` (`roles[0].scorecard.components[1].target`),
/// or of the deepest part of the path that exists.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for seg in segments(path) {
        match descend(bytes, pos, &seg) {
            Some(p) => pos = p,
            None => break,
        }
    }
    (pos < bytes.len()).then(|| line_col(text, pos))
}

enum Seg {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(pos, |n| pos - n - 1) + 1;
    (line, col)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// From the start of a container at `pos`, the start of the child named by `seg`.
fn descend(b: &[u8], pos: usize, seg: &Seg) -> Option<usize> {
    match (b.get(pos)?, seg) {
        (b'{', Seg::Key(want)) => {
            let mut i = skip_ws(b, pos + 1);
            while b.get(i) == Some(&b'"') {
                let end = skip_string(b, i)?;
                let key = std::str::from_utf8(&b[i + 1..end - 1]).ok()?;
                i = skip_ws(b, end);
                i = skip_ws(b, i + 1); // the ':'
                if key == want {
                    return Some(i);
                }
                i = next_item(b, skip_value(b, i)?)?;
            }
            None
        }
        (b'[', Seg::Index(want)) => {
            let mut i = skip_ws(b, pos + 1);
            for _ in 0..*want {
                i = next_item(b, skip_value(b, i)?)?;
            }
            (b.get(i)? != &b']').then_some(i)
        }
        _ => None,
    }
}

/// Past a ',' to the next item; None at the end of the container.
fn next_item(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_ws(b, i);
    (b.get(i)? == &b',').then(|| skip_ws(b, i + 1))
}

fn skip_string(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_nested_values() {
        let text = "{\n  \"a\": {\"b\": [1, {\"c\": \"x,]}\"}, 3]},\n  \"d\": 4\n}";
        assert_eq!(locate(text, "d"), Some((3, 8)));
        assert_eq!(locate(text, "a.b[2]"), Some((2, 33)));
        assert_eq!(locate(text, "a.b[1].c"), Some((2, 24)));
        // A path that goes too deep stops at the deepest part that exists.
        assert_eq!(locate(text, "a.b[9]"), Some((2, 14)));
    }
}
