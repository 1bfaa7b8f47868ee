//! What a trial measures, and the streaming statistics that summarise many trials.
//!
//! Aggregation merges exactly: moments are kept as fixed-point integer sums and quantiles come
//! from integer counts over relative-error value buckets ([`Sketch`], a DDSketch), so merging
//! partial results in any order, from any number of threads or shards, gives the same bytes.

use crate::scenario::model::Model;

pub use crate::scenario::vocabulary::{metric, GLOBAL_METRICS, ROLE_METRICS, ROLE_VALUES};

/// Column names of `trials.csv` after `trial`: global metrics, then `ROLE_METRIC` per role.
pub fn trial_columns(model: &Model) -> Vec<String> {
    let mut cols: Vec<String> = GLOBAL_METRICS.iter().map(|s| s.to_string()).collect();
    for r in &model.roles {
        for m in ROLE_METRICS {
            cols.push(format!("{}_{m}", r.name));
        }
    }
    cols
}

/// Names of the per-tick series, in `series.csv` order.
pub fn series_names(model: &Model) -> Vec<String> {
    let mut names: Vec<String> = FIXED_SERIES.iter().map(|s| s.to_string()).collect();
    for kind in ["inventory", "weeks_of_cover", "orders"] {
        for e in &model.chain {
            names.push(format!("{kind}.{}", e.name));
        }
    }
    for r in &model.roles {
        names.push(format!("pressure.{}", r.name));
    }
    for l in &model.levers {
        names.push(format!("lever.{}.{}", model.roles[l.role].name, l.name));
    }
    names
}

/// Series every scenario has, in order.
pub const FIXED_SERIES: &[&str] = &[
    "consumer_demand",
    "sell_out",
    "sell_in",
    "lost_sales",
    "stockout_rate",
    "write_off",
    "promo_depth",
    "media_spend",
    "awareness",
];

/// Where each group of series starts in a trial's series buffer.
#[derive(Debug, Clone, Copy)]
pub struct SeriesLayout {
    /// First `inventory.*` series.
    pub inventory: usize,
    /// First `weeks_of_cover.*` series.
    pub cover: usize,
    /// First `orders.*` series.
    pub orders: usize,
    /// First `pressure.*` series.
    pub pressure: usize,
    /// First `lever.*` series.
    pub levers: usize,
    /// Number of series.
    pub count: usize,
}

impl SeriesLayout {
    /// The layout for a model.
    pub fn new(model: &Model) -> Self {
        let n = model.chain.len();
        let inventory = FIXED_SERIES.len();
        let pressure = inventory + 3 * n;
        let levers = pressure + model.roles.len();
        SeriesLayout {
            inventory,
            cover: inventory + n,
            orders: inventory + 2 * n,
            pressure,
            levers,
            count: levers + model.levers.len(),
        }
    }
}

/// The hockey stick, per trial: for every whole period, the promotion depth in each of its weeks,
/// summed separately over periods in which the promoting role was behind its pro-rated target at
/// mid-period and periods in which it was not; then the two counts of periods.
/// Layout: `[behind: week 1..P][ahead: week 1..P][periods behind, periods ahead]`.
pub struct PromoPhase;

impl PromoPhase {
    /// Entries for a model (0 without a promotion lever).
    pub fn len(model: &Model) -> usize {
        if model.promo_lever.is_some() {
            2 * model.period + 2
        } else {
            0
        }
    }

    /// Mean depth in each week of the period, behind and ahead, with the numbers of periods,
    /// from an aggregate.
    pub fn means(model: &Model, agg: &Aggregate) -> Option<([Vec<f64>; 2], [f64; 2])> {
        if agg.promo_phase.is_empty() {
            return None;
        }
        let p = model.period;
        let mean = |i: usize| agg.promo_phase[i].moments.mean();
        let counts = [mean(2 * p), mean(2 * p + 1)];
        let by = |side: usize| {
            (0..p)
                .map(|k| mean(side * p + k) / counts[side].max(1e-12))
                .collect()
        };
        let n = agg.trials as f64;
        Some(([by(0), by(1)], [counts[0] * n, counts[1] * n]))
    }
}

/// Everything one trial reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrialResult {
    /// Trial index.
    pub trial: u64,
    /// Global metrics, in [`GLOBAL_METRICS`] order.
    pub metrics: Vec<f64>,
    /// Per role: attainment, payout, claims_success, projection_bias ([`ROLE_METRICS`]).
    pub roles: Vec<[f64; ROLE_VALUES]>,
    /// Interpreted strategy weights per role, in objective order.
    pub interpretations: Vec<[f64; 3]>,
    /// Promotion depth by week of the period, split by where the promoting role stood at
    /// mid-period: see [`PromoPhase`].
    pub promo_phase: Vec<f64>,
    /// Per-tick series, `series[s * horizon + t]`.
    pub series: Vec<f64>,
    /// The first stock point whose orders or demand in a week reached `world::UNITS_LIMIT` and
    /// were capped there, if any: the trial's numbers are then not the model's (a run refuses it).
    pub capped: Option<usize>,
}

mod sketch;
mod wide;
pub use sketch::Sketch;
use wide::Wide;

/// Fixed point: values are summed as whole multiples of 2^-16.
const SCALE: f64 = 65536.0;

/// The largest magnitude a summarised value may have: 2^110, about 1.3e33. A run refuses a trial
/// with a value beyond it, by name ([`crate::run::organisation::finite`]), rather than clamp or wrap it.
///
/// Why the statistics are wide rather than the inputs narrow. [`Moments`] keep sums exactly, so
/// that merging in any order gives the same bytes. In i128 at 2^-16 a sum of squares held values
/// up to about 2^47 over one trial and less over more (sqrt(n) less), so whether a value fitted
/// depended on the trial count, and a media spend of 1e12 a store overflowed in the first trial.
/// Bounding every price and quantity so that their products (revenue is price x units x stores x
/// weeks) fitted that would have refused ordinary large scenarios. So the sums are 384-bit: with
/// |v| <= 2^110, q = v x 2^16 has |q| <= 2^126 (an i128); over n < 2^64 values |sum| < 2^190
/// and sumsq < 2^316, and the variance's n x sumsq - sum^2 < 2^380: all within 384 bits, for any
/// trial count.
///
/// What the inputs can reach. The world counts units in i64 below 2^60 and caps a stock point's
/// weekly orders or demand at 2^49 ([`crate::sim::world::UNITS_LIMIT`]); so over at most 624 weeks
/// units total below 2^61, money (units at a price of at most 1e9, stock at a holding cost of at
/// most 1e6 a week) below 2^92, media spend (1e12 a store, 1e5 stores) below 2^66: all far below
/// the limit. Only a ratio can pass it, such as a bullwhip ratio over demand whose variance is
/// rounding noise; that trial is refused by name.
pub const VALUE_LIMIT: f64 = 1_298_074_214_633_706_907_132_624_082_305_024.0; // 2^110

/// `x` rounded half away from zero, as `x.round() as i128` gives it, without the two library calls
/// (`round` and the float-to-i128 conversion) that were a tenth of a `beer_game` run: below
/// 2^62 in size, through an i64 cast and the exact fraction `x - trunc(x)`.
fn to_fixed(x: f64) -> i128 {
    if x.abs() < 4.611_686_018_427_388e18 {
        // Below 2^52 both `i as f64` and `x - i` are exact; above it `x` is whole, the fraction 0.
        let i = x as i64;
        let frac = x - i as f64;
        let i = if frac >= 0.5 {
            i + 1
        } else if frac <= -0.5 {
            i - 1
        } else {
            i
        };
        i as i128
    } else {
        x.round() as i128
    }
}

/// Count, sum and sum of squares in fixed point: exact and associative.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    n: u64,
    sum: Wide,
    sumsq: Wide,
}

impl Moments {
    /// Adds a value. Values beyond [`VALUE_LIMIT`] are clamped to it, non-finite ones count as
    /// 0: a run never adds them (it refuses the trial first), so only a caller outside a run can.
    pub fn add(&mut self, v: f64) {
        let q = to_fixed(v.clamp(-VALUE_LIMIT, VALUE_LIMIT) * SCALE);
        self.n += 1;
        self.sum.add_i128(q);
        // Below 2^48 in size (nearly every value), the square fits a u128: the short way.
        match u64::try_from(q.unsigned_abs()) {
            Ok(a) => self.sumsq.add_u128(a as u128 * a as u128),
            Err(_) => self.sumsq.add(&Wide::from_i128(q).square()),
        }
    }
    /// Merges another set of moments.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.add(&o.sum);
        self.sumsq.add(&o.sumsq);
    }
    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum.to_f64() / SCALE / self.n as f64
        }
    }
    /// Sample standard deviation.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        // n*sumsq - sum^2 is exact in integers, so no cancellation error; never negative.
        let num = self.sumsq.times(self.n).sub(&self.sum.square()).to_f64();
        (num.max(0.0) / (self.n as f64 * (self.n - 1) as f64)).sqrt() / SCALE
    }
}

/// Summary of one quantity across trials.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stat {
    /// Moments.
    pub moments: Moments,
    /// Distribution.
    pub sketch: Sketch,
}

impl Stat {
    /// A statistic for per-trial values.
    pub fn fine() -> Self {
        Stat {
            moments: Moments::default(),
            sketch: Sketch::fine(),
        }
    }
    /// A statistic for per-tick values.
    pub fn coarse() -> Self {
        Stat {
            moments: Moments::default(),
            sketch: Sketch::coarse(),
        }
    }
    /// Adds a value.
    pub fn add(&mut self, v: f64) {
        self.moments.add(v);
        self.sketch.add(v);
    }
    /// Merges.
    pub fn merge(&mut self, o: &Stat) {
        self.moments.merge(&o.moments);
        self.sketch.merge(&o.sketch);
    }
    /// Normal-approximation 95% interval of the mean.
    pub fn ci95(&self) -> [f64; 2] {
        let n = self.moments.count().max(1) as f64;
        let half = 1.96 * self.moments.sd() / n.sqrt();
        [self.moments.mean() - half, self.moments.mean() + half]
    }
}

/// Everything a run keeps about its trials, independent of how many there were.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Aggregate {
    /// Trials folded in.
    pub trials: u64,
    /// One per global metric.
    pub metrics: Vec<Stat>,
    /// Per role: one per [`ROLE_METRICS`].
    pub roles: Vec<[Stat; ROLE_VALUES]>,
    /// Per role and objective: interpreted weight.
    pub interpretations: Vec<[Stat; 3]>,
    /// Per entry of [`TrialResult::promo_phase`]: the per-trial sums (their means' ratios are
    /// pooled averages, and merge exactly).
    pub promo_phase: Vec<Stat>,
    /// Per series and tick.
    pub series: Vec<Stat>,
    /// Horizon (ticks per series).
    pub horizon: usize,
    /// The first [`SAMPLE_TRIALS`] trials by index (series dropped), in trial order: points for
    /// per-trial charts. Keeping trials by index, not by arrival, keeps merges exact.
    pub sample: Vec<TrialResult>,
}

/// How many trials (the lowest indices) an [`Aggregate`] keeps whole for per-trial charts.
pub const SAMPLE_TRIALS: u64 = 2000;

impl Aggregate {
    /// An empty aggregate for a model.
    pub fn new(model: &Model) -> Self {
        let n_series = SeriesLayout::new(model).count;
        let fine3 = || [Stat::fine(), Stat::fine(), Stat::fine()];
        Aggregate {
            trials: 0,
            metrics: GLOBAL_METRICS.iter().map(|_| Stat::fine()).collect(),
            roles: model
                .roles
                .iter()
                .map(|_| std::array::from_fn(|_| Stat::fine()))
                .collect(),
            interpretations: model.roles.iter().map(|_| fine3()).collect(),
            promo_phase: (0..PromoPhase::len(model)).map(|_| Stat::fine()).collect(),
            series: (0..n_series * model.horizon)
                .map(|_| Stat::coarse())
                .collect(),
            horizon: model.horizon,
            sample: Vec::new(),
        }
    }

    /// Folds in one trial.
    pub fn add(&mut self, r: &TrialResult) {
        self.trials += 1;
        for (s, v) in self.metrics.iter_mut().zip(&r.metrics) {
            s.add(*v);
        }
        for (s, v) in self.roles.iter_mut().zip(&r.roles) {
            for k in 0..ROLE_VALUES {
                s[k].add(v[k]);
            }
        }
        for (s, v) in self.promo_phase.iter_mut().zip(&r.promo_phase) {
            s.add(*v);
        }
        for (s, v) in self.interpretations.iter_mut().zip(&r.interpretations) {
            for k in 0..3 {
                s[k].add(v[k]);
            }
        }
        for (s, v) in self.series.iter_mut().zip(&r.series) {
            s.add(*v);
        }
        if r.trial < SAMPLE_TRIALS {
            let pos = self.sample.partition_point(|x| x.trial < r.trial);
            let mut kept = r.clone();
            kept.series = Vec::new();
            self.sample.insert(pos, kept);
        }
    }

    /// Merges another aggregate of the same model.
    pub fn merge(&mut self, o: &Aggregate) {
        self.trials += o.trials;
        let pairs = self.metrics.iter_mut().zip(&o.metrics);
        pairs.for_each(|(a, b)| a.merge(b));
        for (a, b) in self.roles.iter_mut().zip(&o.roles) {
            for k in 0..ROLE_VALUES {
                a[k].merge(&b[k]);
            }
        }
        for (a, b) in self.promo_phase.iter_mut().zip(&o.promo_phase) {
            a.merge(b);
        }
        for (a, b) in self.interpretations.iter_mut().zip(&o.interpretations) {
            for k in 0..3 {
                a[k].merge(&b[k]);
            }
        }
        self.series
            .iter_mut()
            .zip(&o.series)
            .for_each(|(a, b)| a.merge(b));
        self.sample.extend(o.sample.iter().cloned());
        self.sample.sort_by_key(|r| r.trial);
    }

    /// The statistic of series `s` at tick `t`.
    pub fn series_at(&self, s: usize, t: usize) -> &Stat {
        &self.series[s * self.horizon + t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_order_does_not_matter() {
        let vals: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 1013) as f64 * 1.37 - 300.0)
            .collect();
        let mut whole = Stat::fine();
        vals.iter().for_each(|v| whole.add(*v));
        for split in [1, 7, 2500, 4999] {
            let (a, b) = vals.split_at(split);
            let (mut sa, mut sb) = (Stat::fine(), Stat::fine());
            a.iter().for_each(|v| sa.add(*v));
            b.iter().for_each(|v| sb.add(*v));
            let mut ba = sb.clone();
            ba.merge(&sa);
            sa.merge(&sb);
            assert_eq!(sa, whole);
            assert_eq!(ba, whole);
        }
    }

    #[test]
    fn moments_at_the_value_limit_stay_exact_whatever_the_merge_order() {
        let big = [VALUE_LIMIT, -VALUE_LIMIT, VALUE_LIMIT / 3.0, 1e30, -7.5];
        let mut whole = Moments::default();
        let mut chunks = vec![Moments::default(); 7];
        for i in 0..7000 {
            let v = big[i % big.len()];
            whole.add(v);
            chunks[i % 7].add(v);
        }
        let mut merged = Moments::default();
        for c in chunks.iter().rev() {
            merged.merge(c);
        }
        assert_eq!(merged, whole);
        let n = 7000.0;
        let mean = big.iter().sum::<f64>() * (n / big.len() as f64) / n;
        assert!(
            (whole.mean() - mean).abs() <= 1e-12 * VALUE_LIMIT,
            "{}",
            whole.mean()
        );
        let sd = whole.sd();
        assert!(
            sd.is_finite() && sd > 0.5 * VALUE_LIMIT && sd < VALUE_LIMIT,
            "{sd}"
        );
        // The same huge value over and over: the mean is that value, the spread exactly 0.
        let mut same = Moments::default();
        (0..1000).for_each(|_| same.add(VALUE_LIMIT));
        assert_eq!((same.mean(), same.sd()), (VALUE_LIMIT, 0.0));
    }

    #[test]
    fn fixed_point_rounds_as_round_does() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let check = |v: f64| assert_eq!(to_fixed(v), v.round() as i128, "{v:e}");
        for v in [
            0.5,
            -0.5,
            1.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
        ] {
            check(v);
        }
        for _ in 0..200_000 {
            // xorshift: values of every size and sign, and halves.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mag = 2f64.powi((x % 130) as i32 - 4);
            let v = (x >> 11) as f64 / (1u64 << 53) as f64 * mag;
            let v = if x & 1 == 1 { -v } else { v };
            check(v);
            check((v * 2.0).round() / 2.0);
        }
    }

    #[test]
    fn moments_match_textbook_values() {
        let mut m = Moments::default();
        for v in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.add(v);
        }
        assert!((m.mean() - 5.0).abs() < 1e-9);
        assert!((m.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-9);
    }
}
