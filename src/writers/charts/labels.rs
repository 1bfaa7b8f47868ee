//! Numbers as a chart's reader sees them: `80,000` in a caption, `80k` on an axis, `12%` in a
//! note. The report writes its numbers with [`grouped`] too, so both read alike.

/// `12,345` style, for axis labels and captions.
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

/// Compact axis label: `80k`, `1.5M`, `0.25`.
pub(super) fn short(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        trim(format!("{v:.2}"))
    }
}

/// A share as a whole percentage: `0.25` reads `25%`.
pub(super) fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(80000.0), "80,000");
        assert_eq!(grouped(-1234567.4), "-1,234,567");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(short(80000.0), "80k");
        assert_eq!(short(1_500_000.0), "1.5M");
        assert_eq!(short(0.25), "0.25");
    }
}
