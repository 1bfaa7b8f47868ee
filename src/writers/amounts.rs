//! How a report and a chart write a metric's value and a difference: a share or a rate (0 to 1)
//! in percent and its differences in percentage points ("+2.5 points"), anything else at the
//! precision of its size; a difference that rounds to nothing as 0, never "-0.0000".

use crate::numbers::{signed_to_precision_of, to_precision_of};

/// Whether a metric is a share or a rate (0 to 1), by its unit in [`crate::scenario::meanings`].
pub fn is_share(metric: &str) -> bool {
    crate::scenario::meanings::of(metric)
        .is_some_and(|(unit, _)| unit == "share 0-1" || unit == "0 or 1")
}

/// A level: a share as a percentage ("96.7%"), else at the precision of `whole`.
pub fn level(metric: &str, v: f64, whole: f64) -> String {
    if is_share(metric) {
        format!("{:.1}%", 100.0 * v + 0.0)
    } else {
        to_precision_of(v, whole)
    }
}

/// A difference: a share's in percentage points ("+2.5 points"), else signed at the precision
/// of `whole`; one that rounds to nothing is "0" ("0 points").
pub fn change(metric: &str, v: f64, whole: f64) -> String {
    if is_share(metric) {
        let points = (1000.0 * v).round() / 10.0 + 0.0;
        if points == 0.0 {
            "0 points".to_string()
        } else {
            format!("{points:+.1} points")
        }
    } else {
        let text = signed_to_precision_of(v, whole);
        if text
            .trim_start_matches(['+', '-'])
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".to_string()
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_in_points_and_no_signed_zeros() {
        assert_eq!(change("on_shelf_availability", 0.0252, 0.96), "+2.5 points");
        assert_eq!(change("coordinated_divergence", -0.00001, 0.4), "0 points");
        assert_eq!(level("fill_rate", 0.9671, 0.9671), "96.7%");
        assert_eq!(change("profit", -0.00001, 0.5), "0");
        assert_eq!(change("profit", 1157.2, 3285.0), "+1157");
        assert_eq!(change("divergence_gap", -0.0312, 0.29), "-0.0312");
    }
}
