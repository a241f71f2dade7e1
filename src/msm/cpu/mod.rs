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
use ark_ff::{BigInteger, Field, MontConfig, PrimeField, Zero};
use rayon::prelude::*;

use super::Layout;
use crate::error::Result;
use crate::mem::{self, Size};
use bucket::{invert_all, running_sum};

mod bucket;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // gathers/scatters at the queued offsets; the features checked once per MSM
mod ifma;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // gathers of bucket records
mod xyzz8;

/// Additions gathered before their denominators are inverted together, at most ([`batch_len`]).
const BATCH: usize = 512;

/// The signed window width for `n` points: accumulation costs n per window and the reduction
/// 2^c per window, so c grows with log n, about 0.75 log2 n (measured best on BN254 G1 with
/// batch-affine buckets: 13 at 2^16, 16 at 2^20; one bit less was 4–6% slower).
pub fn window_bits(n: usize) -> u32 {
    let bits = usize::BITS - n.max(1).leading_zeros();
    (bits * 3 / 4 + 1).clamp(4, 16)
}

/// Signed digits of every scalar, window-major (`digits[w * n + i]`, so one window's digits are
/// contiguous): each window's digit is in [-2^(c-1), 2^(c-1)], the carry going to the next
/// window, so `windows` windows cover the scalar field with room for the last carry.
pub fn signed_digits<B: BigInteger>(scalars: &[B], c: u32, windows: usize) -> Result<Vec<i32>> {
    const BLOCK: usize = 4096;
    let n = scalars.len();
    let mut digits = mem::zeroed::<i32>(Size::of(windows, "MSM digits").times(n).get()?)?;
    // Block k of every window's column, for each block of scalars: one task writes them all.
    let mut columns: Vec<_> = digits.chunks_mut(n.max(1)).map(|col| col.chunks_mut(BLOCK)).collect();
    let blocks: Vec<Vec<&mut [i32]>> =
        (0..n.div_ceil(BLOCK)).map(|_| columns.iter_mut().filter_map(Iterator::next).collect()).collect();
    let (full, half) = (1i64 << c, 1i64 << (c - 1));
    blocks.into_par_iter().zip(scalars.par_chunks(BLOCK)).for_each(|(mut block, scalars)| {
        for (i, s) in scalars.iter().enumerate() {
            let mut carry = 0i64;
            for (w, column) in block.iter_mut().enumerate() {
                let v = bits(s, w * c as usize, c as usize) as i64 + carry;
                carry = i64::from(v > half);
                column[i] = (v - carry * full) as i32;
            }
        }
    });
    Ok(digits)
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

/// [`window_bits`] for G2 on the portable path: about log2(n)/2 + 4, narrower from 2^14 points
/// on. Its window sums run in arkworks' Fq2 arithmetic (XYZZ, ~3.5× a G1 addition) against the
/// accumulation's batch-affine additions, so fewer buckets pay. Measured on BN254 G2 (2 threads,
/// medians of 5, then on the IFMA path whose window sums were still arkworks'): 2^14 c = 11
/// 55–72 ms against c = 12 66–87 ms, 2^16 c = 12 185 ms against c = 13 186 ms, 2^18 c = 13
/// 516 ms against c = 15 627 ms; portable 2^16 c = 12 351 ms against c = 13 411 ms; at 2^12 both
/// rules give 10, the best there. The IFMA path sums its windows in vector XYZZ and takes
/// [`window_bits`] ([`g2_cpu_window_bits`]).
pub fn g2_window_bits(n: usize) -> u32 {
    let log_n = usize::BITS - 1 - n.max(1).leading_zeros();
    window_bits(n).min(log_n / 2 + 4)
}

/// G2's window width on this CPU: [`window_bits`] where the IFMA path runs (its window sums
/// are eight-lane XYZZ like G1's: 2^14 52–55 ms at c = 12 against 62 ms at c = 11, 2^16
/// 183 ms at c = 13 against 204–206 ms at c = 12, medians of 5), [`g2_window_bits`] otherwise.
pub fn g2_cpu_window_bits(n: usize) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if ifma::available() {
        return window_bits(n);
    }
    g2_window_bits(n)
}

/// Which cpu path BN254 takes on this machine ("avx512ifma" or "portable"): the G1 and G2
/// MSMs, and the Fr FFT of one column.
pub fn bn254_path() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if ifma::available() {
        return "avx512ifma";
    }
    "portable"
}

/// [`bn254_path`]'s former name (it never was G1's alone).
#[deprecated(note = "renamed bn254_path: the path covers the G1 and G2 MSMs and the Fr FFT")]
pub fn g1_path() -> &'static str {
    bn254_path()
}

/// How a curve runs its cpu MSM: the portable batch-affine Pippenger unless it has a faster
/// path on this CPU (BN254 G1 and G2 with AVX-512 IFMA).
pub trait CpuCurve: SWCurveConfig {
    /// The signed window width of an `n`-point MSM on the cpu.
    fn cpu_window_bits(n: usize) -> u32 {
        window_bits(n)
    }

    /// One MSM per digit set over one table (each set window-major, as [`signed_digits`] writes
    /// them for `layout`): what the subgroup test's random combinations run, the bases prepared
    /// once for all of them.
    fn cpu_msm_digits(table: &[Affine<Self>], sets: &[&[i32]], layout: Layout) -> Result<Vec<Projective<Self>>> {
        portable_sets(table, sets, layout)
    }

    /// The base field's product in the portable accumulator and the running sums: arkworks'
    /// unless the curve sets its own (BN254 G1: arkworks' Montgomery product called inline;
    /// G2: [`crate::field::fq2_wide`]).
    fn base_mul(a: &Self::BaseField, b: &Self::BaseField) -> Self::BaseField {
        *a * b
    }

    /// The base field's square in the portable accumulator, as [`CpuCurve::base_mul`].
    fn base_square(a: &Self::BaseField) -> Self::BaseField {
        a.square()
    }
}

macro_rules! ifma_curve {
    ($config:ty, $window_bits:path $(, $mul:path, $square:path)?) => {
        impl CpuCurve for $config {
            fn cpu_window_bits(n: usize) -> u32 {
                $window_bits(n)
            }

            $(
                #[inline(always)]
                fn base_mul(a: &Self::BaseField, b: &Self::BaseField) -> Self::BaseField {
                    $mul(a, b)
                }

                #[inline(always)]
                fn base_square(a: &Self::BaseField) -> Self::BaseField {
                    $square(a)
                }
            )?

            fn cpu_msm_digits(
                table: &[Affine<Self>],
                sets: &[&[i32]],
                layout: Layout,
            ) -> Result<Vec<Projective<Self>>> {
                #[cfg(target_arch = "x86_64")]
                if ifma::available() {
                    return ifma::msm_digits(table, sets, layout);
                }
                portable_sets(table, sets, layout)
            }
        }
    };
}
ifma_curve!(ark_bn254::g1::Config, window_bits, fq_mul, fq_square);
ifma_curve!(ark_bn254::g2::Config, g2_cpu_window_bits, crate::field::fq2_wide::mul, crate::field::fq2_wide::square);

/// BN254 Fq's product and square: arkworks' own Montgomery product (as fast as a wide one),
/// forced inline: its `Mul` is an out-of-line call in the accumulator's loops.
#[inline(always)]
fn fq_mul(a: &ark_bn254::Fq, b: &ark_bn254::Fq) -> ark_bn254::Fq {
    let mut r = *a;
    <ark_bn254::FqConfig as MontConfig<4>>::mul_assign(&mut r, b);
    r
}

#[inline(always)]
fn fq_square(a: &ark_bn254::Fq) -> ark_bn254::Fq {
    let mut r = *a;
    <ark_bn254::FqConfig as MontConfig<4>>::square_in_place(&mut r);
    r
}

/// Σ scalars[i] · bases[i] where `table` holds `layout.copies` copies of the n bases
/// (copy-major; copy j = 2^(j·c·windows) · base): window w of the MSM takes scalar window
/// j·windows + w of every scalar against copy j. The curve's fastest path for this CPU.
pub fn msm<P: CpuCurve>(
    table: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
    layout: Layout,
) -> Result<Projective<P>> {
    if let Some(small) = few_points(table, scalars, layout) {
        return Ok(small);
    }
    let digits = signed_digits(scalars, layout.c, layout.scalar_windows as usize)?;
    let mut sums = P::cpu_msm_digits(table, &[&digits], layout)?;
    Ok(sums.pop().expect("one sum per digit set"))
}

/// [`msm`] on the portable path (scalar field arithmetic: [`CpuCurve::base_mul`]), whatever the
/// CPU.
pub fn msm_portable<P: CpuCurve>(
    table: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
    layout: Layout,
) -> Result<Projective<P>> {
    if let Some(small) = few_points(table, scalars, layout) {
        return Ok(small);
    }
    let digits = signed_digits(scalars, layout.c, layout.scalar_windows as usize)?;
    portable_digits(table, &digits, layout)
}

/// A handful of points without copies: one scalar multiplication each beats any bucket setup.
fn few_points<P: SWCurveConfig>(
    table: &[Affine<P>],
    scalars: &[<P::ScalarField as PrimeField>::BigInt],
    layout: Layout,
) -> Option<Projective<P>> {
    (scalars.len() <= 16 && layout.copies == 1).then(|| table.iter().zip(scalars).map(|(b, s)| b.mul_bigint(s)).sum())
}

/// [`portable_digits`] for each digit set, the sets in parallel; one-window sets (the subgroup
/// test's rounds) by [`portable_rounds`].
fn portable_sets<P: CpuCurve>(table: &[Affine<P>], sets: &[&[i32]], layout: Layout) -> Result<Vec<Projective<P>>> {
    if sets.len() > 1 && layout.windows == 1 && layout.copies == 1 {
        return portable_rounds(table, sets, layout.c);
    }
    sets.par_iter().map(|digits| portable_digits(table, digits, layout)).collect()
}

/// Buckets one accumulator of side-by-side one-window sets ([`side_by_side`]) takes at most:
/// 4096 G2 buckets are ~0.6 MB of records, about what stays in L2 while batches gather from
/// them at random (with 16384, the 2^16-point subgroup test ran 10–40% slower).
const ROUND_BUCKETS: usize = 4096;

/// How many accumulators (groups of sets) `sets` one-window sets of `buckets` buckets each take:
/// one per thread at least, and few enough sets in each that their buckets stay within
/// [`ROUND_BUCKETS`].
fn rounds_groups(sets: usize, buckets: usize) -> usize {
    rayon::current_num_threads().max((sets * buckets).div_ceil(ROUND_BUCKETS)).clamp(1, sets.max(1))
}

/// The sums of one-window digit sets over the same `n` points (the subgroup test's rounds),
/// side by side: the sets cut into groups ([`rounds_groups`]), the groups in parallel, each
/// given to `group_sums` with its additions (bucket k·2^(c-1) + |d| − 1 of set k, point index,
/// negated) point by point, and returning its sets' sums in order. One accumulator per group
/// holds its sets' bucket ranges next to each other: a set's window alone has few buckets
/// (2^(c-1), c = 10), and a batch takes a quarter of them, so each inversion served 128
/// additions; side by side, batches are as long as a wide window's, and each point is read once
/// for all the sets of its group.
pub(crate) fn side_by_side<P, F>(n: usize, sets: &[&[i32]], c: u32, group_sums: F) -> Result<Vec<Projective<P>>>
where
    P: SWCurveConfig,
    F: Fn(usize, &mut dyn Iterator<Item = (usize, usize, bool)>) -> Result<Vec<Projective<P>>> + Sync,
{
    let buckets = 1usize << (c - 1);
    let sums = sets
        .par_chunks(sets.len().div_ceil(rounds_groups(sets.len(), buckets)))
        .map(|group| {
            let mut additions = (0..n).flat_map(|i| {
                group.iter().enumerate().filter_map(move |(k, digits)| {
                    let d = digits[i];
                    (d != 0).then(|| (k * buckets + (d.unsigned_abs() - 1) as usize, i, d < 0))
                })
            });
            group_sums(Size::of(group.len(), "MSM buckets").times(buckets).get()?, &mut additions)
        })
        .collect::<Result<Vec<Vec<_>>>>()?;
    Ok(sums.into_iter().flatten().collect())
}

/// [`side_by_side`] on the portable accumulator.
fn portable_rounds<P: CpuCurve>(table: &[Affine<P>], sets: &[&[i32]], c: u32) -> Result<Vec<Projective<P>>> {
    let range = 1usize << (c - 1);
    side_by_side(table.len(), sets, c, |buckets, additions| {
        let mut acc = Accumulator::new(buckets)?;
        for (b, i, neg) in additions {
            let p = &table[i];
            if !p.is_zero() {
                acc.add(b, if neg { -*p } else { *p });
            }
        }
        let (sums, extra) = acc.finish();
        Ok(sums.chunks(range).zip(extra.chunks(range)).map(|(b, e)| running_sum(b, e).into()).collect())
    })
}

/// The portable accumulator over precomputed digits.
fn portable_digits<P: CpuCurve>(table: &[Affine<P>], digits: &[i32], layout: Layout) -> Result<Projective<P>> {
    pippenger(table, digits, layout, |pairs, buckets| {
        let mut acc = Accumulator::new(buckets)?;
        pairs.for_each(|(i, d)| {
            let p = &table[i];
            if !p.is_zero() {
                acc.add((d.unsigned_abs() - 1) as usize, if d < 0 { -*p } else { *p });
            }
        });
        let (buckets, extra) = acc.finish();
        Ok(running_sum(&buckets, &extra))
    })
}

/// The Pippenger frame every accumulator shares: one rayon task per window (each given the
/// (table index, non-zero digit) pairs of its window and the bucket count), and the windows'
/// sums combined by Horner's rule. `digits` holds `layout.scalar_windows` windows of the n
/// scalars, window-major.
pub(crate) fn pippenger<P, F, I>(
    table: &[Affine<P>],
    digits: &[i32],
    layout: Layout,
    window_sum: F,
) -> Result<Projective<P>>
where
    P: SWCurveConfig,
    F: Fn(WindowPairs<'_>, usize) -> Result<I> + Sync,
    I: Into<Projective<P>> + Send,
{
    let n = table.len() / layout.copies as usize;
    debug_assert_eq!(digits.len(), n * layout.scalar_windows as usize);
    let c = layout.c;
    let sums: Vec<Projective<P>> = (0..layout.windows as usize)
        .into_par_iter()
        .map(|w| {
            let pairs = WindowPairs {
                digits,
                n,
                windows: layout.windows as usize,
                copies: layout.copies as usize,
                w,
                j: 0,
                i: 0,
            };
            window_sum(pairs, 1usize << (c - 1)).map(Into::into)
        })
        .collect::<Result<_>>()?;
    // Σ_w 2^(c·w) · sums[w], Horner from the top window.
    let mut total = Projective::<P>::zero();
    for s in sums.iter().rev() {
        for _ in 0..c {
            total.double_in_place();
        }
        total += s;
    }
    Ok(total)
}

/// The (table index, non-zero digit) pairs of window `w`: scalar window j·windows + w of every scalar
/// against copy j, for every copy whose scalar window exists.
#[derive(Clone)]
pub(crate) struct WindowPairs<'a> {
    digits: &'a [i32],
    n: usize,
    windows: usize,
    copies: usize,
    w: usize,
    j: usize,
    i: usize,
}

impl WindowPairs<'_> {
    /// The largest |digit| of the window (a pass over its digits).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // only the IFMA path asks
    pub(crate) fn max_digit(&self) -> u32 {
        (0..self.copies)
            .map(|j| j * self.windows + self.w)
            .filter(|&k| (k + 1) * self.n <= self.digits.len())
            .flat_map(|k| &self.digits[k * self.n..(k + 1) * self.n])
            .map(|d| d.unsigned_abs())
            .max()
            .unwrap_or(0)
    }
}

impl Iterator for WindowPairs<'_> {
    type Item = (usize, i32);
    fn next(&mut self) -> Option<(usize, i32)> {
        loop {
            let k = self.j * self.windows + self.w;
            if self.j >= self.copies || k * self.n >= self.digits.len() {
                return None;
            }
            let column = &self.digits[k * self.n..(k + 1) * self.n];
            while self.i < self.n {
                let (i, d) = (self.i, column[self.i]);
                self.i += 1;
                if d != 0 {
                    return Some((self.j * self.n + i, d));
                }
            }
            self.j += 1;
            self.i = 0;
        }
    }

    /// `for_each` and the other internal iterations: a plain loop over each column, without
    /// `next`'s column lookup per digit.
    fn fold<B, F: FnMut(B, (usize, i32)) -> B>(self, mut acc: B, mut f: F) -> B {
        let mut start = self.i;
        for j in self.j..self.copies {
            let k = j * self.windows + self.w;
            let Some(column) = self.digits.get(k * self.n..(k + 1) * self.n) else { break };
            for (i, &d) in column.iter().enumerate().skip(start) {
                if d != 0 {
                    acc = f(acc, (j * self.n + i, d));
                }
            }
            start = 0;
        }
        acc
    }
}

/// Additions pending (their bucket already in the batch) kept, in batches; beyond, the side
/// sums take them.
pub(crate) const PENDING: usize = 4;

/// How many additions a batch takes before its inversion, for `buckets` buckets and at most
/// `most`: a quarter of the buckets, so that few additions meet a bucket already in the batch
/// (a batch as large as the bucket count fills only when every bucket is in it, and sends
/// most points to the side sums: the subgroup test's one-window rounds did that).
pub(crate) fn batch_len(buckets: usize, most: usize) -> usize {
    (buckets / 4).clamp(8, most)
}

/// Buckets of affine points with batched additions. A point for a bucket already in the
/// current batch waits in the pending list and is retried after the batch; once the list is
/// full it goes to the bucket's XYZZ side sum instead (a mixed addition): waiting without a
/// bound would make inputs that hit few buckets (equal scalars, structured scalars) take an
/// inversion per addition.
struct Accumulator<P: CpuCurve> {
    buckets: Vec<Affine<P>>,
    extra: Vec<Bucket<P>>,
    busy: Vec<bool>,
    batch: Vec<(usize, Affine<P>)>,
    pending: Vec<(usize, Affine<P>)>,
    denominators: Vec<P::BaseField>,
    /// Prefix products of the denominators (their batched inversion's scratch).
    prefix: Vec<P::BaseField>,
    most: usize,
}

impl<P: CpuCurve> Accumulator<P> {
    fn new(buckets: usize) -> Result<Self> {
        let most = batch_len(buckets, BATCH);
        Ok(Self {
            buckets: mem::vec_filled(buckets, Affine::identity())?,
            extra: mem::vec_filled(buckets, Bucket::ZERO)?,
            busy: mem::zeroed(buckets)?,
            batch: Vec::with_capacity(most),
            pending: Vec::with_capacity(PENDING * most),
            denominators: Vec::with_capacity(most),
            prefix: Vec::with_capacity(most),
            most,
        })
    }

    fn add(&mut self, b: usize, p: Affine<P>) {
        self.place(b, p);
        while self.batch.len() >= self.most {
            self.flush();
            self.retry_pending();
        }
    }

    fn place(&mut self, b: usize, p: Affine<P>) {
        if self.busy[b] {
            if self.pending.len() < PENDING * self.most {
                self.pending.push((b, p));
            } else {
                self.extra[b] += p;
            }
        } else if self.buckets[b].is_zero() {
            self.buckets[b] = p;
        } else {
            self.busy[b] = true;
            self.batch.push((b, p));
        }
    }

    fn retry_pending(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        for (b, p) in pending.drain(..) {
            self.place(b, p);
        }
        // Keep the list's allocation when nothing new waits.
        if self.pending.is_empty() {
            self.pending = pending;
        }
    }

    /// The buckets and side sums, after flushing until nothing waits. A batch of under 64
    /// additions means the rest wait for a few buckets (structured input): they go to the
    /// side sums instead of an inversion each.
    fn finish(mut self) -> (Vec<Affine<P>>, Vec<Bucket<P>>) {
        loop {
            self.flush();
            if self.pending.is_empty() {
                break;
            }
            self.retry_pending();
            if self.batch.len() < 64 {
                self.flush();
                for (b, p) in std::mem::take(&mut self.pending) {
                    self.extra[b] += p;
                }
                break;
            }
        }
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
        invert_all::<P>(&mut self.denominators, &mut self.prefix);
        for (&(b, p), inv) in self.batch.iter().zip(&self.denominators) {
            let a = self.buckets[b];
            self.busy[b] = false;
            let lambda = if a.x != p.x {
                P::base_mul(&(p.y - a.y), inv)
            } else if a.y == p.y && !a.y.is_zero() {
                let xx = P::base_square(&a.x);
                P::base_mul(&(xx.double() + xx + P::COEFF_A), inv)
            } else {
                self.buckets[b] = Affine::identity();
                continue;
            };
            let x = P::base_square(&lambda) - a.x - p.x;
            let y = P::base_mul(&lambda, &(a.x - x)) - a.y;
            self.buckets[b] = Affine::new_unchecked(x, y);
        }
        self.batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
    use ark_std::UniformRand;

    /// Points with identities, repeats of one point and pairs P, −P among random ones.
    fn points<P: SWCurveConfig>(rng: &mut StdRng, n: usize) -> Vec<Affine<P>> {
        let mut points: Vec<Affine<P>> = (0..n).map(|_| Projective::<P>::rand(rng).into_affine()).collect();
        for i in (0..n).step_by(17) {
            points[i] = Affine::identity();
        }
        for i in (5..n).step_by(23) {
            points[i] = points[3];
            points[i + 1] = -points[3];
        }
        points
    }

    /// Σ d_i · P_i with arkworks, the digits as scalars.
    fn reference<P: SWCurveConfig>(points: &[Affine<P>], digits: &[i32]) -> Projective<P> {
        let scalars: Vec<P::ScalarField> = digits
            .iter()
            .map(|&d| {
                let s = P::ScalarField::from(d.unsigned_abs());
                if d < 0 {
                    -s
                } else {
                    s
                }
            })
            .collect();
        Projective::<P>::msm(points, &scalars).expect("equal lengths")
    }

    /// One-window sets over one table (the subgroup test's rounds) run side by side in shared
    /// accumulators: each set's sum must be its own, on the portable path and on this CPU's.
    fn one_window_sets<P: CpuCurve>(seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = 700;
        let table = points::<P>(&mut rng, n);
        for (c, count) in [(3, 5), (6, 9), (10, 9)] {
            let half = 1i32 << (c - 1);
            let mut sets: Vec<Vec<i32>> =
                (0..count).map(|_| (0..n).map(|_| rng.gen_range(-half..=half)).collect()).collect();
            // A set reaching one bucket (its additions wait, then go to the side sum), and one
            // with no digit at all.
            sets[1] = vec![half; n];
            sets[2] = vec![0; n];
            let refs: Vec<&[i32]> = sets.iter().map(Vec::as_slice).collect();
            let layout = Layout { c, scalar_windows: 1, copies: 1, windows: 1 };
            let want: Vec<_> = sets.iter().map(|d| reference(&table, d)).collect();
            assert_eq!(portable_sets(&table, &refs, layout).unwrap(), want, "portable, c = {c}");
            assert_eq!(P::cpu_msm_digits(&table, &refs, layout).unwrap(), want, "{}, c = {c}", bn254_path());
        }
    }

    /// `fold` (the accumulators' `for_each`) and `next` yield the same pairs in the same order,
    /// also from an iterator part-way through, over copies and windows.
    #[test]
    fn window_pairs_fold_equals_next() {
        let mut rng = StdRng::seed_from_u64(0x9a1f);
        for (n, windows, copies) in [(1, 1, 1), (7, 3, 1), (16, 4, 2), (33, 5, 4)] {
            // Column j·windows + w holds copy j of window w; a third of the digits are 0.
            let digits: Vec<i32> = (0..n * windows * copies).map(|_| rng.gen_range(-4..=4)).collect();
            let digits = digits.as_slice();
            for w in 0..windows {
                let pairs = WindowPairs { digits, n, windows, copies, w, j: 0, i: 0 };
                let by_next: Vec<_> = pairs.clone().collect();
                let want: Vec<_> = (0..copies)
                    .flat_map(|j| (0..n).map(move |i| (j * n + i, digits[(j * windows + w) * n + i])))
                    .filter(|&(_, d)| d != 0)
                    .collect();
                assert_eq!(by_next, want, "next: n {n}, windows {windows}, copies {copies}, w {w}");
                for skip in 0..=want.len() {
                    let mut rest = pairs.clone();
                    rest.by_ref().take(skip).for_each(drop);
                    let by_fold = rest.fold(Vec::new(), |mut v, p| {
                        v.push(p);
                        v
                    });
                    assert_eq!(by_fold, want[skip..], "fold after {skip}: n {n}, copies {copies}, w {w}");
                }
            }
        }
    }

    #[test]
    fn one_window_sets_side_by_side_equal_arkworks() {
        one_window_sets::<ark_bn254::g1::Config>(0x5e75);
        one_window_sets::<ark_bn254::g2::Config>(0x5e76);
    }
}
