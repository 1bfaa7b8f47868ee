//! A weekly series seen through the bonus period: its mean in each week of the period, and
//! the week where that profile peaks or bottoms out.
//!
//! Pure arithmetic over numbers, so the charts' gutter notes and captions and the report's
//! finding on promotions bunching at period ends fold a series the same way, from one copy.

/// Mean of a weekly series in each week of the period, over whole periods (over every week when
/// the horizon is shorter than a period). Entry `k` averages weeks `k`, `k + period`, ... in
/// order; a last period cut short by the horizon is left out.
pub fn fold(values: &[f64], period: usize) -> Vec<f64> {
    let whole = values.len() / period * period;
    let used = if whole > 0 { &values[..whole] } else { values };
    (0..period.min(used.len()))
        .map(|k| {
            let v: Vec<f64> = used.iter().skip(k).step_by(period).copied().collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
        .collect()
}

/// (week of the period, counting from 1; value) of the highest or lowest entry, the first on ties.
pub fn extreme(v: &[f64], highest: bool) -> (usize, f64) {
    let mut best = (1, v.first().copied().unwrap_or(0.0));
    for (k, x) in v.iter().enumerate() {
        if (highest && *x > best.1) || (!highest && *x < best.1) {
            best = (k + 1, *x);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_folds_to_its_weeks() {
        let weekly = [0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 0.1, 0.02, 9.0];
        let by_week = fold(&weekly, 4);
        assert_eq!(by_week.len(), 4, "the cut-short last period is left out");
        assert!((by_week[2] - 0.15).abs() < 1e-12);
        assert_eq!(extreme(&by_week, true), (3, by_week[2]));
        assert_eq!(extreme(&by_week, false), (1, 0.0));
        assert_eq!(
            fold(&[1.0, 3.0], 4),
            [1.0, 3.0],
            "shorter than a period: every week"
        );
    }
}
