//! The cpu MSM: Pippenger over signed-digit windows, one rayon task per window, bucket
//! accumulation in affine coordinates with one shared inversion per batch of additions
//! (Montgomery's trick), bucket reduction by running sums in projective coordinates.
//!
//! Why batch-affine: an affine addition with its share of a batched inversion costs about 6
//! multiplications, a mixed XYZZ/Jacobian addition 10 to 11; accumulation is where an MSM spends
//! its time (n additions per window), so it sets the speed. Generic over short-Weierstrass
//! curves, so G1 (over Fq) and G2 (over Fq2) share it.

use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::{batch_inversion, BigInteger, Field, PrimeField, Zero};
use rayon::prelude::*;

use super::Layout;

/// Additions gathered before their denominators are inverted together.
const BATCH: usize = 512;

/// The signed window width for `n` points: accumulation costs n per window and the reduction
/// 2^c per window, so c grows with log n, about 0.75 log2 n (measured best on BN254 G1 with
/// batch-affine buckets: 13 at 2^16, 16 at 2^20; one bit less was 4–6% slower).
pub fn window_bits(n: usize) -> u32 {
    let bits = usize::BITS - n.max(1).leading_zeros();
    (bits * 3 / 4 + 1).clamp(4, 16)
}

/// Signed digits of every scalar, scalar-major (`digits[i * windows + w]`): each window's digit
/// is in [-2^(c-1), 2^(c-1)], the carry going to the next window, so `windows` windows (see
/// [`windows`]) cover the scalar field with room for the last carry.
pub fn signed_digits<B: BigInteger>(scalars: &[B], c: u32, windows: usize) -> Vec<i32> {
    let mut digits = vec![0i32; windows * scalars.len()];
    let (full, half) = (1i64 << c, 1i64 << (c - 1));
    digits.par_chunks_mut(windows).zip(scalars).for_each(|(out, s)| {
        let mut carry = 0i64;
        for (w, d) in out.iter_mut().enumerate() {
            let v = bits(s, w * c as usize, c as usize) as i64 + carry;
            carry = i64::from(v > half);
            *d = (v - carry * full) as i32;
        }
    });
    digits
}

/// `len` bits of `s` from bit `at` (bits past the top are 0).
fn bits<B: BigInteger>(s: &B, at: usize, len: usize) -> u64 {
    let limbs = s.as_ref();
    let (limb, shift) = (at / 64, at % 64);
    if limb >= limbs.len() {
        return 0;
    }
    let mut v = limbs[limb] >> shift;
    if shift + len > 64 && limb + 1 < limbs.len() {
        v |= limbs[limb + 1] << (64 - shift);
    }
    v & ((1u64 << len) - 1)
}

/// Σ scalars[i] · bases[i] where `table` holds `layout.copies` copies of the n bases
/// (copy-major; copy j = 2^(j·c·windows) · base): window w of the MSM takes scalar window
/// j·windows + w of every scalar against copy j.
pub fn msm<P: SWCurveConfig>(
    table: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
    layout: Layout,
) -> Projective<P> {
    let n = scalars.len();
    debug_assert_eq!(table.len(), n * layout.copies as usize);
    if n <= 16 && layout.copies == 1 {
        return table.iter().zip(scalars).map(|(b, s)| b.mul_bigint(s)).sum();
    }
    let (c, sw) = (layout.c, layout.scalar_windows as usize);
    let digits = signed_digits(scalars, c, sw);
    let sums: Vec<Projective<P>> = (0..layout.windows as usize)
        .into_par_iter()
        .map(|w| {
            // (base, digit) over every copy: scalar window j·windows + w against copy j.
            let digits = &digits;
            let pairs = (0..layout.copies as usize)
                .map(|j| (j, j * layout.windows as usize + w))
                .take_while(|&(_, k)| k < sw)
                .flat_map(move |(j, k)| {
                    table[j * n..(j + 1) * n].iter().enumerate().map(move |(i, p)| (p, digits[i * sw + k]))
                });
            window_sum(pairs, 1usize << (c - 1))
        })
        .collect();
    // Σ_w 2^(c·w) · sums[w], Horner from the top window.
    let mut total = Projective::<P>::zero();
    for s in sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    total
}

/// Σ_i digit_i · bases[i] for one window: accumulate into `buckets` buckets (bucket b holds the
/// points whose digit is ±(b+1), negated for −), then Σ (b+1) · bucket[b] by running sums.
fn window_sum<'a, P: SWCurveConfig>(
    pairs: impl Iterator<Item = (&'a Affine<P>, i32)>,
    buckets: usize,
) -> Projective<P> {
    let mut acc = Accumulator::new(buckets);
    for (p, d) in pairs {
        if d != 0 && !p.is_zero() {
            let point = if d < 0 { -*p } else { *p };
            acc.add((d.unsigned_abs() - 1) as usize, point);
        }
    }
    let (buckets, extra) = acc.finish();
    // XYZZ running sums (arkworks' `Bucket`): cheaper additions than Jacobian coordinates.
    let (mut running, mut sum) = (Bucket::<P>::ZERO, Bucket::<P>::ZERO);
    for (b, e) in buckets.iter().zip(&extra).rev() {
        running += b;
        running += e;
        sum += &running;
    }
    sum.into()
}

/// Buckets of affine points with batched additions. A point for a bucket already in the
/// current batch goes to the bucket's XYZZ side sum instead (a mixed addition): queueing
/// it would make inputs that hit few buckets (equal scalars, structured scalars) quadratic.
struct Accumulator<P: SWCurveConfig> {
    buckets: Vec<Affine<P>>,
    extra: Vec<Bucket<P>>,
    busy: Vec<bool>,
    batch: Vec<(usize, Affine<P>)>,
    denominators: Vec<P::BaseField>,
}

impl<P: SWCurveConfig> Accumulator<P> {
    fn new(buckets: usize) -> Self {
        Self {
            buckets: vec![Affine::identity(); buckets],
            extra: vec![Bucket::ZERO; buckets],
            busy: vec![false; buckets],
            batch: Vec::with_capacity(BATCH),
            denominators: Vec::with_capacity(BATCH),
        }
    }

    fn add(&mut self, b: usize, p: Affine<P>) {
        if self.busy[b] {
            self.extra[b] += p;
        } else if self.buckets[b].is_zero() {
            self.buckets[b] = p;
        } else {
            self.busy[b] = true;
            self.batch.push((b, p));
            if self.batch.len() == BATCH {
                self.flush();
            }
        }
    }

    fn finish(mut self) -> (Vec<Affine<P>>, Vec<Bucket<P>>) {
        self.flush();
        (self.buckets, self.extra)
    }

    /// Adds every batched point to its bucket: denominators x_p − x_b (2·y for a doubling,
    /// 1 for P + (−P)), one inversion for all, then λ, x and y for each.
    fn flush(&mut self) {
        self.denominators.clear();
        for &(b, p) in &self.batch {
            let a = &self.buckets[b];
            let d = if a.x != p.x {
                p.x - a.x
            } else if a.y == p.y && !a.y.is_zero() {
                a.y.double()
            } else {
                P::BaseField::ONE
            };
            self.denominators.push(d);
        }
        batch_inversion(&mut self.denominators);
        for (&(b, p), inv) in self.batch.iter().zip(&self.denominators) {
            let a = self.buckets[b];
            self.busy[b] = false;
            let lambda = if a.x != p.x {
                (p.y - a.y) * inv
            } else if a.y == p.y && !a.y.is_zero() {
                let xx = a.x.square();
                (xx.double() + xx + P::COEFF_A) * inv
            } else {
                self.buckets[b] = Affine::identity();
                continue;
            };
            let x = lambda.square() - a.x - p.x;
            let y = lambda * (a.x - x) - a.y;
            self.buckets[b] = Affine::new_unchecked(x, y);
        }
        self.batch.clear();
    }
}
