//! How a number prints, in every file orgsim writes and every chart, report and terminal line:
//! the same on every machine, so that files are byte-identical across platforms, thread counts
//! and shard splits. Every number format lives here, each under one name.

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

/// `12,345`: whole, with thousands grouped, for captions, tables and sentences.
pub fn grouped(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out.chars().any(|c| c != '0' && c != ',') {
        out.insert(0, '-');
    }
    out
}

/// A compact axis label: `80k`, `1.5M`, `0.25`.
pub fn axis_label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim_zeros(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim_zeros(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        trim_zeros(format!("{v:.2}"))
    }
}

/// A share as a whole percentage: `0.25` reads `25%`.
pub fn whole_percent(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// A share as a percentage, with a decimal only where one is needed: `97%`, `97.5%`.
pub fn percent(v: f64) -> String {
    let p = 100.0 * v;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A number for the report's tables and sentences: `72,725`, `58.2`, `0.994`, `0.1`.
pub fn readable(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        return grouped(v);
    }
    let s = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    let s = trim_zeros(s);
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// About three figures, for a network report's sentences: whole from 100, one decimal from 10,
/// two below (`1234`, `12.3`, `1.23`).
pub fn three_figures(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// The terminal summary's numbers: scientific from a million, whole from 100, three decimals
/// below.
pub fn three_decimals_or_scientific(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.3e}", v)
    } else if a >= 100.0 {
        format!("{:.0}", v)
    } else {
        format!("{:.3}", v)
    }
}

/// A number at a precision set by the size of the metric it belongs to (its mean in a
/// comparison's first arm): whole from 100, two decimals from 1, four below.
pub fn to_precision_of(v: f64, size: f64) -> String {
    match size.abs() {
        s if s >= 100.0 => format!("{v:.0}"),
        s if s >= 1.0 => format!("{v:.2}"),
        _ => format!("{v:.4}"),
    }
}

/// A difference with its sign, at [`to_precision_of`]'s precision: `+12`, `-0.25`, `+0.0031`.
pub fn signed_to_precision_of(v: f64, size: f64) -> String {
    let v = if v == 0.0 { 0.0 } else { v };
    match size.abs() {
        s if s >= 100.0 => format!("{v:+.0}"),
        s if s >= 1.0 => format!("{v:+.2}"),
        _ => format!("{v:+.4}"),
    }
}

/// Drops trailing zeros after a decimal point, and the point if nothing follows it.
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(80000.0), "80,000");
        assert_eq!(grouped(-1234567.4), "-1,234,567");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(axis_label(80000.0), "80k");
        assert_eq!(axis_label(1_500_000.0), "1.5M");
        assert_eq!(axis_label(0.25), "0.25");
        assert_eq!(readable(72725.0), "72,725");
        assert_eq!(readable(58.21), "58.2");
        assert_eq!(readable(-0.0001), "0");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(whole_percent(0.975), "98%");
        assert_eq!(signed_to_precision_of(-0.0, 0.5), "+0.0000");
    }
}
