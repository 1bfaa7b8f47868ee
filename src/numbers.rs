//! How a number prints in every file orgsim writes: the same on every machine, so that files
//! are byte-identical across platforms, thread counts and shard splits.

/// Formats a number the same way on every machine (shortest round-trip form).
pub fn num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{}", round9(v))
    }
}

/// Formats a value of a float column in a data file: like [`num`], but always with a decimal
/// point (`0.0`, `12.0`, `0.25`). A column whose values all happen to be whole in one run must
/// still read as floats, or pandas and polars infer integers from it and refuse to stack that
/// run onto the next (or, for polars, fail on the first fractional row further down the file).
pub fn float(v: f64) -> String {
    let mut s = String::new();
    push_float(&mut s, v);
    s
}

/// Appends [`float`]'s form of `v` to `out`, allocating nothing once `out` has room: how a data
/// file's rows are written, a cell at a time into one reused buffer.
pub fn push_float(out: &mut String, v: f64) {
    use std::fmt::Write;
    let r = if v == v.trunc() { v } else { round9(v) };
    // -0.0 prints as "-0.0": a sign that means nothing to a reader.
    let r = if r == 0.0 { 0.0 } else { r };
    let start = out.len();
    let _ = write!(out, "{r}");
    if r.is_finite() && !out[start..].contains(['.', 'e']) {
        out.push_str(".0");
    }
}

/// Nine decimals: below any meaningful difference, and it hides float noise in the last digits.
pub fn round9(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}
