//! Randomness by source.
//!
//! Inside a trial each random process draws from its own ChaCha8 stream: the key is
//! derived from (seed, source) and the stream number is the trial index. A decision
//! that changes how much one source is used (say, what sales chooses) therefore never
//! shifts the draws of another (consumer demand), so trial `i` of two arms that differ
//! only in org design see the same demand: the basis of paired comparisons.
//!
//! Demand counts are drawn by inversion with exactly one uniform per store-week, so
//! even a changed *mean* (a promotion) leaves every other draw where it was, and the
//! two arms' counts stay monotonically coupled.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random process inside a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Consumer demand at the stores: one uniform per store per week, in store order.
    Demand,
    /// Store size factors, drawn once per trial.
    StoreSizes,
    /// A role's reading of the strategy, drawn once per trial.
    Interpretation(usize),
    /// A role's slips (its temperature): one uniform per lever decision.
    Choice(usize),
    /// Consumer demand in the unscored warm-up weeks, so that the scored weeks' draws do not
    /// depend on how long the warm-up is.
    Warmup,
}

impl Source {
    fn id(self) -> u64 {
        match self {
            Source::Demand => 1,
            Source::StoreSizes => 2,
            Source::Interpretation(r) => 0x1_0000 + r as u64,
            Source::Choice(r) => 0x2_0000 + r as u64,
            Source::Warmup => 3,
        }
    }
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of `source` in trial `trial` of a run seeded with `seed`.
pub fn stream(seed: u64, trial: u64, source: Source) -> ChaCha8Rng {
    let mut state = seed ^ splitmix(&mut source.id().clone());
    let mut key = [0u8; 32];
    for chunk in key.chunks_mut(8) {
        chunk.copy_from_slice(&splitmix(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(trial);
    rng
}

/// A uniform number strictly inside (0, 1).
#[inline]
pub fn open01(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
#[allow(clippy::excessive_precision)] // the published coefficients, as published
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Above this mean, counts use a skew-corrected normal approximation instead of exact inversion.
const EXACT_BELOW: f64 = 64.0;

/// Poisson count with mean `lambda` at quantile `u` (exact inversion for small means).
pub fn poisson(lambda: f64, u: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < EXACT_BELOW {
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let mut k = 0u64;
        while u > cdf && p > 0.0 {
            k += 1;
            p *= lambda / k as f64;
            cdf += p;
        }
        return k;
    }
    let z = normal_quantile(u);
    let skewed = z + (z * z - 1.0) / (6.0 * lambda.sqrt());
    (lambda + lambda.sqrt() * skewed + 0.5).floor().max(0.0) as u64
}

/// Negative-binomial count with the given mean and dispersion at quantile `u`.
pub fn negative_binomial(mean: f64, dispersion: f64, u: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    let var = mean + mean * mean / dispersion;
    if mean < EXACT_BELOW && var < 16.0 * EXACT_BELOW {
        let q = mean / (mean + dispersion);
        let mut p = (dispersion * (1.0 - q).ln()).exp();
        let mut cdf = p;
        let mut k = 0u64;
        while u > cdf && p > 0.0 && k < 100_000 {
            p *= (k as f64 + dispersion) / (k as f64 + 1.0) * q;
            k += 1;
            cdf += p;
        }
        return k;
    }
    (mean + var.sqrt() * normal_quantile(u) + 0.5)
        .floor()
        .max(0.0) as u64
}

/// Normal count, rounded and truncated at zero.
pub fn normal_count(mean: f64, cv: f64, u: f64) -> u64 {
    (mean + cv * mean * normal_quantile(u) + 0.5)
        .floor()
        .max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_source_trial_and_seed() {
        let a = stream(1, 0, Source::Demand).next_u64();
        assert_ne!(a, stream(1, 1, Source::Demand).next_u64());
        assert_ne!(a, stream(2, 0, Source::Demand).next_u64());
        assert_ne!(a, stream(1, 0, Source::Choice(0)).next_u64());
        assert_eq!(a, stream(1, 0, Source::Demand).next_u64());
    }

    #[test]
    fn poisson_inversion_has_the_right_mean_and_variance() {
        for lambda in [0.5, 7.0, 30.0, 200.0] {
            let mut rng = stream(9, 0, Source::Demand);
            let n = 200_000;
            let xs: Vec<f64> = (0..n)
                .map(|_| poisson(lambda, open01(&mut rng)) as f64)
                .collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            // Standard error of the mean is sqrt(lambda/n); allow 5 of them. Variance within 3%.
            assert!(
                (m - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "lambda {lambda}: mean {m}"
            );
            assert!(
                (v / lambda - 1.0).abs() < 0.03,
                "lambda {lambda}: variance {v}"
            );
        }
    }

    #[test]
    fn negative_binomial_is_overdispersed_as_specified() {
        let (mean, r) = (10.0, 5.0);
        let mut rng = stream(3, 0, Source::Demand);
        let n = 200_000;
        let xs: Vec<f64> = (0..n)
            .map(|_| negative_binomial(mean, r, open01(&mut rng)) as f64)
            .collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((m - mean).abs() < 0.05, "mean {m}");
        assert!(
            (v / (mean + mean * mean / r) - 1.0).abs() < 0.04,
            "variance {v}"
        );
    }

    #[test]
    fn inversion_is_monotone_in_the_uniform() {
        let mut last = 0;
        for i in 1..1000 {
            let k = poisson(20.0, i as f64 / 1000.0);
            assert!(k >= last);
            last = k;
        }
    }
}
