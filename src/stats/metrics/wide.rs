//! A 384-bit two's-complement integer: just the arithmetic [`super::Moments`] needs (sums of
//! fixed-point values and of their squares, and `n * sumsq - sum^2`), exact and overflow-free
//! within the bounds stated at [`super::VALUE_LIMIT`]. Little-endian 64-bit limbs.

/// Limbs: 6 x 64 = 384 bits.
const LIMBS: usize = 6;

/// A signed integer of 384 bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wide([u64; LIMBS]);

impl Wide {
    /// `q`, sign-extended.
    pub fn from_i128(q: i128) -> Wide {
        let fill = if q < 0 { u64::MAX } else { 0 };
        let mut l = [fill; LIMBS];
        l[0] = q as u64;
        l[1] = (q >> 64) as u64;
        Wide(l)
    }

    fn negative(&self) -> bool {
        self.0[LIMBS - 1] >> 63 == 1
    }

    /// `self += o`. Within the bounds the caller keeps, the sign never overflows.
    pub fn add(&mut self, o: &Wide) {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(o.0) {
            let (s, c1) = a.overflowing_add(b);
            let (s, c2) = s.overflowing_add(carry as u64);
            *a = s;
            carry = c1 || c2;
        }
    }

    /// `self += q`, sign-extended; the upper limbs are touched only when a carry or borrow
    /// reaches them (the common case in [`super::Moments::add`] is two limbs).
    pub fn add_i128(&mut self, q: i128) {
        let (low, carry) = self.low().overflowing_add(q as u128);
        self.set_low(low);
        match (q < 0, carry) {
            (false, true) => self.ripple(u64::overflowing_add),
            (true, false) => self.ripple(u64::overflowing_sub),
            _ => {}
        }
    }

    /// `self += x`, for a non-negative `x`.
    pub fn add_u128(&mut self, x: u128) {
        let (low, carry) = self.low().overflowing_add(x);
        self.set_low(low);
        if carry {
            self.ripple(u64::overflowing_add);
        }
    }

    fn low(&self) -> u128 {
        (self.0[1] as u128) << 64 | self.0[0] as u128
    }

    fn set_low(&mut self, x: u128) {
        self.0[0] = x as u64;
        self.0[1] = (x >> 64) as u64;
    }

    /// Adds (or subtracts) 1 at limb 2, carrying (or borrowing) upwards as far as it goes.
    fn ripple(&mut self, step: fn(u64, u64) -> (u64, bool)) {
        for l in &mut self.0[2..] {
            let (s, more) = step(*l, 1);
            *l = s;
            if !more {
                break;
            }
        }
    }

    /// `-self`.
    fn neg(mut self) -> Wide {
        for l in &mut self.0 {
            *l = !*l;
        }
        self.add(&Wide::from_i128(1));
        self
    }

    /// `self - o`.
    pub fn sub(mut self, o: &Wide) -> Wide {
        self.add(&o.neg());
        self
    }

    /// `|self|` as limbs (exact: the bounds keep values far from -2^383).
    fn magnitude(&self) -> [u64; LIMBS] {
        if self.negative() {
            self.neg().0
        } else {
            self.0
        }
    }

    /// `self * self`, from the magnitude's low half (the caller keeps |self| below 2^192, so
    /// the square, below 2^384, fits).
    pub fn square(&self) -> Wide {
        let m = self.magnitude();
        let half = LIMBS / 2;
        debug_assert!(m[half..].iter().all(|&l| l == 0), "squaring beyond 2^192");
        let mut out = [0u64; LIMBS];
        for i in 0..half {
            let mut carry = 0u128;
            for j in 0..half {
                let t = m[i] as u128 * m[j] as u128 + out[i + j] as u128 + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
            out[i + half] = carry as u64;
        }
        Wide(out)
    }

    /// `self * n` for a non-negative `self` (the caller keeps the product below 2^383).
    pub fn times(&self, n: u64) -> Wide {
        debug_assert!(!self.negative(), "times() of a negative number");
        let mut out = [0u64; LIMBS];
        let mut carry = 0u128;
        for (o, &l) in out.iter_mut().zip(&self.0) {
            let t = l as u128 * n as u128 + carry;
            *o = t as u64;
            carry = t >> 64;
        }
        debug_assert!(carry == 0, "times() beyond 384 bits");
        Wide(out)
    }

    /// The nearest `f64` (ties to even), as `i128 as f64` gives where the value fits an i128.
    pub fn to_f64(self) -> f64 {
        let m = self.magnitude();
        let sign = if self.negative() { -1.0 } else { 1.0 };
        let top = (0..LIMBS).rev().find(|&k| m[k] != 0).unwrap_or(0);
        if top <= 1 {
            return sign * ((m[1] as u128) << 64 | m[0] as u128) as f64;
        }
        // The top two limbs hold at least 65 significant bits, so f64 rounds them at bit 12 or
        // above: the lower limbs matter only as a sticky bit below that.
        let sticky = m[..top - 1].iter().any(|&l| l != 0) as u128;
        let head = (m[top] as u128) << 64 | m[top - 1] as u128 | sticky;
        sign * head as f64 * 2f64.powi(64 * (top as i32 - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_i128_where_it_fits() {
        let xs = [
            0i128,
            1,
            -1,
            3 << 70,
            -(5 << 90),
            i128::MAX / 3,
            i128::MIN / 5,
        ];
        for &a in &xs {
            for &b in &xs {
                let mut s = Wide::from_i128(a / 2);
                s.add(&Wide::from_i128(b / 2));
                assert_eq!(s.to_f64(), (a / 2 + b / 2) as f64, "{a} + {b}");
                assert_eq!(Wide::from_i128(a).sub(&Wide::from_i128(a)), Wide::default());
            }
            let small = a >> 64;
            assert_eq!(
                Wide::from_i128(small).square().to_f64(),
                (small * small) as f64
            );
            assert_eq!(
                Wide::from_i128(small.abs()).times(7).to_f64(),
                (small.abs() * 7) as f64
            );
        }
    }

    #[test]
    fn beyond_i128_squares_and_rounds_exactly() {
        // (2^126 - 1)^2 = 2^252 - 2^127 + 1: to f64, 2^252 (the rest is far below an ulp).
        let q = Wide::from_i128((1 << 126) - 1);
        let sq = q.square();
        assert_eq!(sq.to_f64(), 2f64.powi(252));
        assert_eq!(sq.sub(&sq), Wide::default());
        // n * sumsq - sum^2 for 3 equal values is exactly 0, however large they are.
        let mut sum = Wide::default();
        let mut sumsq = Wide::default();
        for _ in 0..3 {
            sum.add(&q);
            sumsq.add(&sq);
        }
        assert_eq!(sumsq.times(3).sub(&sum.square()), Wide::default());
        // 2^200 + 2^147 is half an ulp above 2^200: a tie, to even (2^200). One more, far below
        // the top limbs, is the sticky bit that rounds it up.
        let mut x = Wide::from_i128(1 << 100).square();
        let half_ulp = Wide::from_i128(1 << 73).square();
        x.add(&half_ulp);
        x.add(&half_ulp);
        assert_eq!(x.to_f64(), 2f64.powi(200));
        x.add(&Wide::from_i128(1));
        assert_eq!(x.to_f64(), 2f64.powi(200) + 2f64.powi(148));
        assert_eq!(
            Wide::default().sub(&x).to_f64(),
            -(2f64.powi(200) + 2f64.powi(148))
        );
    }

    #[test]
    fn the_short_additions_agree_with_the_long_one() {
        let xs = [
            0i128,
            5,
            -5,
            i128::MAX,
            i128::MIN + 1,
            -(1 << 100),
            1 << 64,
            -1,
        ];
        let (mut short, mut long) = (Wide::from_i128(-3), Wide::from_i128(-3));
        for (i, &q) in xs.iter().cycle().take(64).enumerate() {
            short.add_i128(q);
            long.add(&Wide::from_i128(q));
            assert_eq!(short, long, "after {i} additions");
            let x = q.unsigned_abs();
            short.add_u128(x);
            long.add(&Wide::from_i128((x >> 1) as i128));
            long.add(&Wide::from_i128((x - (x >> 1)) as i128));
            assert_eq!(short, long, "after {i} unsigned additions");
        }
    }

    #[test]
    fn negative_values_round_like_positive_ones() {
        let q = Wide::from_i128(-((1i128 << 100) + 12345));
        let mut s = Wide::default();
        for _ in 0..1000 {
            s.add(&q);
        }
        let exact = -(((1i128 << 100) + 12345) * 1000) as f64;
        assert_eq!(s.to_f64(), exact);
    }
}
