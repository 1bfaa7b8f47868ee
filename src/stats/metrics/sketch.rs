//! A quantile sketch with relative error, constant-time insertion and an exact merge: a DDSketch
//! (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
//! relative-error guarantees", VLDB 2019) over the float's own bits.
//!
//! A value's bucket is its magnitude's bit pattern with all but the top `bits` bits of the
//! mantissa dropped: 2^`bits` buckets an octave, each spanning a relative width of at most
//! 2^-`bits` (DDSketch's "linearly interpolated" mapping, computed with a shift rather than a
//! logarithm). Positive and negative values have a store each, zeros a count. A store is a dense
//! array of counts over its lowest to highest bucket; past `max_bins` buckets its lowest ones are
//! folded into the lowest it keeps (DDSketch's collapsing), so memory is bounded whatever the
//! values. Both the folding and the counts are functions of the multiset alone: adding and
//! merging in any order, on any number of threads or shards, gives the same sketch. A bucket
//! reports the end of its range nearest zero, clamped to the smallest and largest value seen, as
//! DDSketch implementations keep them: whole numbers below 2^`bits` and a multiset of one value
//! come back exactly.
//!
//! Why our own rather than a crate's: the kept crates (`sketches-ddsketch`) map values through
//! floating-point logarithms and merge with floating-point counts; ours must merge to the same
//! bytes in any order, so its buckets come from integer bit operations and its counts are
//! integers.
//!
//! A sketch first holds up to [`PENDING`] values as they came, and buckets them when it would hold
//! more: a run's per-chunk sketches, and a batch of them merged, then cost a list each rather
//! than an array over their range (a series of small whole numbers spans some 2,000 buckets), and
//! merging one into the run's total buckets its values. At 64 (a chunk's trials) the batch's
//! merges bucketed every pair, and a `beer_game` run was slower than with sorted vectors.

use std::collections::BTreeMap;

/// Values a sketch holds unbucketed: a batch of 16 chunks of `run::chunks::CHUNK` trials.
pub const PENDING: usize = 1024;

/// A multiset of values in relative-error buckets; see the module's documentation.
#[derive(Debug, Clone)]
pub struct Sketch {
    bits: u32,
    max_bins: usize,
    zeros: u64,
    /// The smallest and largest value bucketed (zeros as +0): quantiles are clamped to them, so
    /// a multiset of one value reports that value, whatever its bucket.
    range: Option<(f64, f64)>,
    pos: Store,
    neg: Store,
    /// Values not yet bucketed; never more than [`PENDING`].
    pending: Vec<f64>,
}

/// Counts over buckets `offset ..= offset + counts.len() - 1`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Store {
    offset: u32,
    counts: Vec<u64>,
}

impl Store {
    fn hi(&self) -> u32 {
        self.offset + self.counts.len() as u32 - 1
    }

    /// Makes the store cover exactly buckets `lo ..= hi` (`hi` at or above its highest): counts
    /// below `lo` are folded into `lo`.
    fn cover(&mut self, lo: u32, hi: u32) {
        if lo > self.offset {
            let cut = ((lo - self.offset) as usize).min(self.counts.len() - 1);
            let folded: u64 = self.counts[..=cut].iter().sum();
            self.counts.drain(..cut);
            self.counts[0] = folded;
            self.offset += cut as u32;
            // Everything lay below `lo`: it is all in `lo` now.
            self.offset = self.offset.max(lo);
        } else if lo < self.offset {
            let (len, grow) = (self.counts.len(), (self.offset - lo) as usize);
            self.counts.resize(len + grow, 0);
            self.counts.copy_within(0..len, grow);
            self.counts[..grow].fill(0);
            self.offset = lo;
        }
        self.counts.resize((hi - lo) as usize + 1, 0);
    }

    /// The buckets a store holding both `self`'s and `lo ..= hi` keeps, under `max` buckets.
    fn span(&self, lo: u32, hi: u32, max: usize) -> (u32, u32) {
        let (lo, hi) = match self.counts.is_empty() {
            true => (lo, hi),
            false => (lo.min(self.offset), hi.max(self.hi())),
        };
        (lo.max((hi + 1).saturating_sub(max as u32)), hi)
    }

    /// Adds `n` values in bucket `k`, folding the lowest buckets past `max` into the lowest kept.
    fn add(&mut self, k: u32, n: u64, max: usize) {
        if !self.counts.is_empty() && k >= self.offset && k <= self.hi() {
            self.counts[(k - self.offset) as usize] += n;
            return;
        }
        let (lo, hi) = self.span(k, k, max);
        self.place(lo, hi);
        self.counts[(k.max(lo) - lo) as usize] += n;
    }

    /// Adds another store's counts.
    fn merge(&mut self, o: &Store, max: usize) {
        if o.counts.is_empty() {
            return;
        }
        let (lo, hi) = self.span(o.offset, o.hi(), max);
        self.place(lo, hi);
        for (i, &c) in o.counts.iter().enumerate() {
            let k = (o.offset + i as u32).max(lo);
            self.counts[(k - lo) as usize] += c;
        }
    }

    fn place(&mut self, lo: u32, hi: u32) {
        if self.counts.is_empty() {
            self.offset = lo;
            self.counts.resize((hi - lo) as usize + 1, 0);
        } else {
            self.cover(lo, hi);
        }
    }

    /// (bucket, count) of the non-empty buckets, lowest first.
    fn bins(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        let offset = self.offset;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, c)| (offset + i as u32, *c))
    }
}

impl Sketch {
    fn with(bits: u32, max_bins: usize) -> Self {
        Sketch {
            bits,
            max_bins,
            zeros: 0,
            range: None,
            pos: Store::default(),
            neg: Store::default(),
            pending: Vec::new(),
        }
    }

    /// A sketch for per-trial metrics: 1,024 buckets an octave (a relative error below 0.1%,
    /// whole numbers below 1,024 exact), 16 octaves below the largest value kept apart.
    pub fn fine() -> Self {
        Sketch::with(10, 16 << 10)
    }

    /// A sketch for per-week series: 256 buckets an octave (a relative error below 0.4%, whole
    /// numbers below 256 exact), 16 octaves below the largest value kept apart.
    pub fn coarse() -> Self {
        Sketch::with(8, 16 << 8)
    }

    fn shift(&self) -> u32 {
        52 - self.bits
    }

    /// Adds a value.
    pub fn add(&mut self, v: f64) {
        if self.pending.len() == PENDING {
            self.settle();
        }
        self.pending.push(v);
    }

    fn bucket(&mut self, v: f64, n: u64) {
        self.widen((v, v));
        if v == 0.0 {
            self.zeros += n;
            return;
        }
        let k = (v.abs().to_bits() >> self.shift()) as u32;
        let store = if v > 0.0 {
            &mut self.pos
        } else {
            &mut self.neg
        };
        store.add(k, n, self.max_bins);
    }

    /// Widens the range to hold `lo ..= hi`. -0 counts as +0, so the range does not depend on
    /// which of the two came first.
    fn widen(&mut self, (lo, hi): (f64, f64)) {
        let (lo, hi) = (lo + 0.0, hi + 0.0);
        self.range = Some(match self.range {
            None => (lo, hi),
            Some((a, b)) => (if lo < a { lo } else { a }, if hi > b { hi } else { b }),
        });
    }

    /// Buckets the pending values.
    fn settle(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for &v in &pending {
            self.bucket(v, 1);
        }
        // Keep the allocation: a sketch that settled once will fill up again.
        self.pending = pending;
        self.pending.clear();
    }

    /// Merges another sketch of the same kind.
    pub fn merge(&mut self, o: &Sketch) {
        if self.pending.len() + o.pending.len() <= PENDING {
            self.pending.extend_from_slice(&o.pending);
        } else {
            for &v in &o.pending {
                self.bucket(v, 1);
            }
        }
        self.zeros += o.zeros;
        if let Some(r) = o.range {
            self.widen(r);
        }
        self.pos.merge(&o.pos, self.max_bins);
        self.neg.merge(&o.neg, self.max_bins);
    }

    /// The same multiset with nothing pending.
    fn settled(&self) -> std::borrow::Cow<'_, Sketch> {
        if self.pending.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut s = self.clone();
        s.settle();
        std::borrow::Cow::Owned(s)
    }

    /// The value a bucket reports: the end of its range nearest zero, a value it holds exactly
    /// (so a whole number below 2^`bits` comes back as itself).
    fn value(&self, k: u32, negative: bool) -> f64 {
        let v = f64::from_bits((k as u64) << self.shift());
        if negative {
            -v
        } else {
            v
        }
    }

    /// (value, count) pairs in increasing order of value.
    pub fn histogram(&self) -> Vec<(f64, u64)> {
        self.settled().buckets()
    }

    /// [`Sketch::histogram`] of a settled sketch (pending values are not in its buckets).
    fn buckets(&self) -> Vec<(f64, u64)> {
        debug_assert!(self.pending.is_empty(), "buckets of an unsettled sketch");
        let neg = self.neg.bins().rev().map(|(k, n)| (self.value(k, true), n));
        let zeros = (self.zeros > 0).then_some((0.0, self.zeros));
        let pos = self.pos.bins().map(|(k, n)| (self.value(k, false), n));
        neg.chain(zeros).chain(pos).collect()
    }

    /// The q-quantile by nearest rank (the bucket of the smallest value with at least q of the
    /// mass at or below it).
    pub fn quantile(&self, q: f64) -> f64 {
        let s = self.settled();
        let hist = s.buckets();
        let n: u64 = hist.iter().map(|e| e.1).sum();
        if n == 0 {
            return 0.0;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let (lo, hi) = s.range.unwrap_or((0.0, 0.0));
        let mut seen = 0;
        for (v, c) in hist {
            seen += c;
            if seen >= rank {
                return v.clamp(lo, hi);
            }
        }
        unreachable!("rank is at most the total count")
    }

    /// Signed bucket keys and counts: negative values' buckets as `-k - 1`, zeros as key 0 with
    /// positive buckets from 1 (`k + 1`). The canonical form: equal for equal multisets.
    fn keyed(&self) -> BTreeMap<i64, u64> {
        let s = self.settled();
        let neg = s.neg.bins().map(|(k, n)| (-(k as i64) - 1, n));
        let zeros = (s.zeros > 0).then_some((0, s.zeros));
        let pos = s.pos.bins().map(|(k, n)| (k as i64 + 1, n));
        neg.chain(zeros).chain(pos).collect()
    }
}

impl PartialEq for Sketch {
    fn eq(&self, o: &Sketch) -> bool {
        let bits = |s: &Sketch| s.settled().range.map(|(a, b)| (a.to_bits(), b.to_bits()));
        self.bits == o.bits
            && self.max_bins == o.max_bins
            && self.keyed() == o.keyed()
            && bits(self) == bits(o)
    }
}

/// What a partial result holds of a sketch: its kind and its non-empty buckets.
#[derive(serde::Serialize, serde::Deserialize)]
struct Form {
    bits: u32,
    max_bins: usize,
    /// The range's ends as their bit patterns: a float printed in JSON is not always read back
    /// to the same bits, and a merged run must give the unsharded run's bytes.
    range: Option<[u64; 2]>,
    buckets: BTreeMap<i64, u64>,
}

impl serde::Serialize for Sketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Form {
            bits: self.bits,
            max_bins: self.max_bins,
            range: self
                .settled()
                .range
                .map(|(a, b)| [a.to_bits(), b.to_bits()]),
            buckets: self.keyed(),
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = Form::deserialize(d)?;
        if !(1..=20).contains(&f.bits) || f.max_bins == 0 {
            return Err(serde::de::Error::custom("not a sketch's bits and size"));
        }
        let mut s = Sketch::with(f.bits, f.max_bins);
        s.range = f.range.map(|[a, b]| (f64::from_bits(a), f64::from_bits(b)));
        // A float's magnitude has 11 exponent bits above the `bits` of mantissa kept.
        let buckets = 1u64 << (11 + f.bits);
        for (key, n) in f.buckets {
            if key == 0 {
                s.zeros += n;
                continue;
            }
            let k = key.unsigned_abs() - 1;
            if k >= buckets {
                return Err(serde::de::Error::custom(format!("no bucket {key}")));
            }
            let store = if key > 0 { &mut s.pos } else { &mut s.neg };
            store.add(k as u32, n, f.max_bins);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_exact_and_the_rest_within_the_relative_error() {
        let mut same = Sketch::coarse();
        (0..100).for_each(|_| same.add(8.2392));
        assert_eq!(same.quantile(0.5), 8.2392, "one value reports itself");
        let mut s = Sketch::fine();
        for v in [3.0, 1.0, 2.0, 4.0, 5.0, 0.0, -7.0] {
            s.add(v);
        }
        assert_eq!(s.quantile(0.5), 2.0);
        assert_eq!(s.quantile(0.0), -7.0);
        assert_eq!(s.quantile(1.0), 5.0);
        assert_eq!(s.quantile(0.2), 0.0);
        let mut big = Sketch::coarse();
        for i in 0..100_000 {
            big.add(1000.0 + i as f64 * 0.01);
        }
        let med = big.quantile(0.5);
        assert!((med - 1500.0).abs() / 1500.0 < 1.0 / 256.0, "median {med}");
        for v in [1e-9, 0.37, 123_456.7, 6.02e23, -42.42] {
            let mut one = Sketch::fine();
            one.add(v);
            let got = one.quantile(0.5);
            assert!((got - v).abs() <= v.abs() / 1024.0, "{v}: {got}");
        }
    }

    #[test]
    fn a_wide_range_folds_its_lowest_buckets_and_keeps_the_top_sixteen_octaves() {
        let mut s = Sketch::coarse();
        let vals: Vec<f64> = (0..2000).map(|i| 2f64.powf(i as f64 / 40.0)).collect();
        vals.iter().for_each(|v| s.add(*v));
        s.settle();
        assert!(s.pos.counts.len() <= 16 << 8, "{}", s.pos.counts.len());
        // The top values are kept apart; the lowest are folded together.
        let top = *vals.last().unwrap();
        assert!((s.quantile(1.0) - top).abs() <= top / 256.0);
        assert!(s.quantile(0.0) > 1.0);
        let total: u64 = s.histogram().iter().map(|e| e.1).sum();
        assert_eq!(total, 2000);
    }

    #[test]
    fn any_split_any_order_and_a_json_round_trip_give_the_same_sketch() {
        // Wide enough to fold, with zeros and negatives; merged whole, in halves, in a tree of
        // chunks, reversed and through JSON.
        let vals: Vec<f64> = (0..5000)
            .map(|i| {
                let x = (i as f64 * 0.37).sin();
                if i % 11 == 0 {
                    0.0
                } else {
                    x * 10f64.powi(i % 13 - 3)
                }
            })
            .collect();
        let sketch_of = |vs: &[f64]| {
            let mut s = Sketch::coarse();
            vs.iter().for_each(|v| s.add(*v));
            s
        };
        let whole = sketch_of(&vals);
        for split in [1, 63, 64, 65, 2500, 4999] {
            let (a, b) = vals.split_at(split);
            let (mut sa, sb) = (sketch_of(a), sketch_of(b));
            let mut ba = sb.clone();
            ba.merge(&sa);
            sa.merge(&sb);
            assert_eq!(sa, whole, "split {split}");
            assert_eq!(ba, whole, "split {split}, reversed");
            assert_eq!(sa.histogram(), whole.histogram());
        }
        let mut parts: Vec<Sketch> = vals.chunks(64).map(sketch_of).collect();
        while parts.len() > 1 {
            let mut next = Vec::new();
            for pair in parts.rchunks(2) {
                let mut a = pair[pair.len() - 1].clone();
                if pair.len() == 2 {
                    a.merge(&pair[0]);
                }
                next.push(a);
            }
            parts = next;
        }
        assert_eq!(parts[0], whole);
        let text = serde_json::to_string(&whole).unwrap();
        let back: Sketch = serde_json::from_str(&text).unwrap();
        assert_eq!(back, whole);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert!(text.starts_with("{\"bits\":8,"), "{}", &text[..40]);
    }
}
