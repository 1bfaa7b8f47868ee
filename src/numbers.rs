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
    let r = if v == v.trunc() { v } else { round9(v) };
    // -0.0 prints as "-0.0": a sign that means nothing to a reader.
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r}");
    if r.is_finite() && !s.contains(['.', 'e']) {
        s + ".0"
    } else {
        s
    }
}

/// Nine decimals: below any meaningful difference, and it hides float noise in the last digits.
pub fn round9(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}
