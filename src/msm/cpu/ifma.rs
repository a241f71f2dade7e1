//! BN254 G1 and G2 bucket accumulation eight additions at a time with AVX-512 IFMA
//! ([`lanes52`](crate::field::lanes52), and [`fq2_lanes`](crate::field::fq2_lanes) for G2's
//! coordinates): the same batch-affine Pippenger as the portable path, with the batch's field
//! arithmetic in vectors.
//!
//! A batch of queued (bucket, point) additions is processed in groups of eight lanes: a forward
//! pass gathers the x coordinates, forms the denominators x_p − x_b and their running products
//! (lane l carries the products of items l, l+8, …); the eight lane products are inverted by
//! one vector exponentiation; a backward pass peels each item's inverse off the running product
//! and writes λ, x and y back to the buckets with a masked scatter.
//! Buckets and bases are kept canonical (fully reduced). A lane whose x equals its bucket's
//! (P + P, P + (−P)) gets denominator 1 and is not written back; its addition goes to the
//! bucket's XYZZ side sum (portable code), as do points for a bucket already in the batch once
//! the pending list is full. The window sum is taken eight bucket segments at a time in XYZZ
//! ([`xyzz8`], over Fq lanes for G1 and Fq2 lanes for G2). A window whose digits reach few
//! buckets (the top window, small scalars) spreads each bucket over copies so that batches
//! still fill.

// Loops over K groups use indices (see lanes52 for why not closures).
#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;

use ark_bn254::{g1::Config as G1, g2::Config as G2};
use ark_ec::short_weierstrass::{Affine, Bucket, Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use rayon::prelude::*;

use super::xyzz8;
use super::{batch_len, pippenger, running_sum, side_by_side, Layout, PENDING};
use crate::error::Result;
use crate::field::fq2_lanes::{self, Fq2x8};
use crate::field::lanes52::{self as fq8, Fq52, Fq8, Modulus52, LIMBS};
use crate::mem;

/// Additions per batch at most: enough to spread the inversion (≈ 330 vector products, one
/// chain) thin, few enough that the batch's stash and buckets stay in L2. Fewer with few
/// buckets ([`batch_len`]), so only windows of 2^15 buckets and more reach it: G1 2^20 (c = 16)
/// 872–888 ms against 906–930 ms at 2048 and 887–899 ms at 8192; G2 2^18 613–616 ms against
/// 620–623 ms at 2048 (medians of 7, with the bucket prefetch in `place`).
const BATCH: usize = 4096;

/// Marks the identity in x's first limb word 4 (a canonical limb is below 2^52).
const IDENTITY: u64 = u64::MAX;

const EMPTY: u8 = 0;
const FILLED: u8 = 1;
const QUEUED: u8 = 2;

/// Whether this CPU runs the IFMA path (and `CHERENKOV_CPU_PORTABLE` does not turn it off).
pub fn available() -> bool {
    fq8::available()
}

/// Eight lanes of a coordinate field: what the batch additions need of it. The methods are the
/// free functions of `lanes52` / `fq2_lanes` (see there for ranges), forwarded by always-inlined
/// methods without target features of their own: a `#[target_feature]` trait method is not
/// inlined into the accumulator's loops (measured: the Fq product became a call, G1 ~5% slower).
pub trait Coord8: Copy {
    /// Words of one coordinate in a record.
    const WORDS: usize;
    /// # Safety (every method)
    /// The CPU has AVX-512 F and IFMA; gathers and scatters as [`Fq8::gather`] and
    /// [`Fq8::scatter`] over `WORDS` words.
    unsafe fn one() -> Self;
    unsafe fn zero() -> Self;
    unsafe fn gather(base: *const u64, index: __m512i, offset: usize) -> Self;
    unsafe fn scatter(self, base: *mut u64, index: __m512i, offset: usize, mask: __mmask8);
    unsafe fn select(mask: __mmask8, a: Self, b: Self) -> Self;
    unsafe fn add(a: &Self, b: &Self) -> Self;
    unsafe fn sub(a: &Self, b: &Self) -> Self;
    unsafe fn sub2(a: &Self, b: &Self) -> Self;
    unsafe fn sub4(a: &Self, b: &Self) -> Self;
    unsafe fn mul(a: &Self, b: &Self) -> Self;
    unsafe fn reduce_below(v: &Self, bound: u32) -> Self;
    unsafe fn zero_lanes(v: &Self, bound: u32) -> __mmask8;
    unsafe fn invert(a: &Self) -> Self;
    /// Lane `l`'s `WORDS` words (limbs as stored), into `out`.
    unsafe fn lane_words(&self, l: usize, out: &mut [u64]);
    /// This vector with lane `l` set to `words`.
    unsafe fn with_lane_words(&self, l: usize, words: &[u64]) -> Self;
}

macro_rules! coord8 {
    ($ty:ty, $words:expr, $m:ident, $one:expr) => {
        impl Coord8 for $ty {
            const WORDS: usize = $words;
            #[inline(always)]
            unsafe fn one() -> Self {
                <$ty>::splat($one)
            }
            #[inline(always)]
            unsafe fn zero() -> Self {
                <$ty>::splat([0; $words])
            }
            #[inline(always)]
            unsafe fn gather(base: *const u64, index: __m512i, offset: usize) -> Self {
                <$ty>::gather(base, index, offset)
            }
            #[inline(always)]
            unsafe fn scatter(self, base: *mut u64, index: __m512i, offset: usize, mask: __mmask8) {
                <$ty>::scatter(self, base, index, offset, mask)
            }
            #[inline(always)]
            unsafe fn select(mask: __mmask8, a: Self, b: Self) -> Self {
                <$ty>::select(mask, a, b)
            }
            #[inline(always)]
            unsafe fn add(a: &Self, b: &Self) -> Self {
                $m::add(a, b)
            }
            #[inline(always)]
            unsafe fn sub(a: &Self, b: &Self) -> Self {
                $m::sub(a, b)
            }
            #[inline(always)]
            unsafe fn sub2(a: &Self, b: &Self) -> Self {
                $m::sub2(a, b)
            }
            #[inline(always)]
            unsafe fn sub4(a: &Self, b: &Self) -> Self {
                $m::sub4(a, b)
            }
            #[inline(always)]
            unsafe fn mul(a: &Self, b: &Self) -> Self {
                $m::mul(a, b)
            }
            #[inline(always)]
            unsafe fn reduce_below(v: &Self, bound: u32) -> Self {
                $m::reduce_below(v, bound)
            }
            #[inline(always)]
            unsafe fn zero_lanes(v: &Self, bound: u32) -> __mmask8 {
                $m::zero_lanes(v, bound)
            }
            #[inline(always)]
            unsafe fn invert(a: &Self) -> Self {
                $m::invert(a)
            }
            #[inline(always)]
            unsafe fn lane_words(&self, l: usize, out: &mut [u64]) {
                <$ty>::lane_words(self, l, out)
            }
            #[inline(always)]
            unsafe fn with_lane_words(&self, l: usize, words: &[u64]) -> Self {
                <$ty>::with_lane_words(self, l, words)
            }
        }
    };
}
coord8!(Fq8, LIMBS, fq8, Fq52::one());
coord8!(Fq2x8, 2 * LIMBS, fq2_lanes, {
    let mut one = [0; 2 * LIMBS];
    one[..LIMBS].copy_from_slice(&Fq52::one());
    one
});

/// A curve whose bucket accumulation runs in IFMA lanes: its coordinates' lanes, its records
/// (x then y, 52-bit limbs: what the gathers read), and its window sum.
pub trait IfmaCurve: super::CpuCurve {
    type Coord: Coord8;
    /// 2 · `Coord::WORDS` words.
    type Record: Copy + Send + Sync + bytemuck::Zeroable + AsRef<[u64]> + AsMut<[u64]>;
    fn write_coord(c: &Self::BaseField, out: &mut [u64]);
    fn read_coord(w: &[u64]) -> Self::BaseField;
    /// Σ (b+1) · bucket[b mod stride] over the filled buckets (`copies` copies of `stride`):
    /// in XYZZ eight bucket segments (or copies) at a time ([`xyzz8`]), by scalar running sums
    /// ([`running_sum`]) for a bucket count that is not a multiple of eight.
    fn bucket_sum(buckets: &[Self::Record], filled: &[bool], stride: usize, copies: usize) -> Bucket<Self> {
        let records = buckets.as_ptr().cast();
        if copies > 1 {
            // SAFETY: `buckets` holds stride·copies records; copies ≥ 8 and a power of two;
            // features checked in `msm_digits`.
            unsafe { xyzz8::copies_sum::<Self>(records, filled, stride, copies) }
        } else if buckets.len().is_multiple_of(8) {
            // SAFETY: `buckets` holds `filled.len()` records; features checked in `msm_digits`.
            unsafe { xyzz8::bucket_sum::<Self>(records, filled) }
        } else {
            scalar_bucket_sum::<Self>(buckets, filled, stride)
        }
    }
}

impl IfmaCurve for G1 {
    type Coord = Fq8;
    type Record = [u64; 2 * LIMBS];
    fn write_coord(c: &ark_bn254::Fq, out: &mut [u64]) {
        out.copy_from_slice(&Fq52::from_ark(c));
    }
    fn read_coord(w: &[u64]) -> ark_bn254::Fq {
        Fq52::to_ark(w.try_into().expect("five limbs"))
    }
}

impl IfmaCurve for G2 {
    type Coord = Fq2x8;
    type Record = [u64; 4 * LIMBS];
    fn write_coord(c: &ark_bn254::Fq2, out: &mut [u64]) {
        out.copy_from_slice(&fq2_lanes::from_ark(c));
    }
    fn read_coord(w: &[u64]) -> ark_bn254::Fq2 {
        fq2_lanes::to_ark(w)
    }
}

/// [`IfmaCurve::bucket_sum`] by scalar running sums ([`running_sum`]): the copies folded into
/// XYZZ side sums of the first `stride` buckets.
fn scalar_bucket_sum<P: IfmaCurve>(buckets: &[P::Record], filled: &[bool], stride: usize) -> Bucket<P> {
    let first: Vec<Affine<P>> =
        (0..stride).map(|b| if filled[b] { to_affine::<P>(&buckets[b]) } else { Affine::identity() }).collect();
    let mut folded = vec![Bucket::<P>::ZERO; stride];
    for b in (stride..buckets.len()).filter(|&b| filled[b]) {
        folded[b % stride] += &to_affine::<P>(&buckets[b]);
    }
    running_sum(&first, &folded)
}

/// The MSMs of [`super::CpuCurve::cpu_msm_digits`], the bases converted to 52-bit limbs once
/// for all the digit sets.
pub fn msm_digits<P: IfmaCurve>(table: &[Affine<P>], sets: &[&[i32]], layout: Layout) -> Result<Vec<Projective<P>>> {
    assert!(available(), "the IFMA MSM needs AVX-512 IFMA");
    let mut points: Vec<P::Record> = mem::with_capacity(table.len())?;
    points.par_extend(table.par_iter().map(to_record::<P>));
    if sets.len() > 1 && layout.windows == 1 && layout.copies == 1 {
        return rounds::<P>(&points, sets, layout.c);
    }
    sets.par_iter()
        .map(|digits| {
            pippenger(table, digits, layout, |pairs, buckets| {
                // A window whose digits reach few buckets (the top window; small scalars) would
                // queue few additions per batch: its buckets get `copies` copies, point i adding
                // into copy i mod copies, so that batches fill as in the other windows.
                let stride = (pairs.max_digit() as usize).next_power_of_two();
                let copies = if stride * 8 <= buckets { buckets / stride } else { 1 };
                let stride = if copies == 1 { buckets } else { stride };
                // Both powers of two: the copy is a mask, not a division per point.
                debug_assert!(buckets.is_power_of_two() && copies.is_power_of_two());
                let copy_mask = copies - 1;
                let mut acc = Accumulator::<P>::new(&points, buckets)?;
                pairs.for_each(|(i, d)| acc.add((d.unsigned_abs() - 1) as usize + stride * (i & copy_mask), i, d < 0));
                Ok(acc.finish(stride, copies))
            })
        })
        .collect()
}

/// [`side_by_side`] on the IFMA accumulator (the subgroup test's rounds).
fn rounds<P: IfmaCurve>(points: &[P::Record], sets: &[&[i32]], c: u32) -> Result<Vec<Projective<P>>> {
    side_by_side(points.len(), sets, c, |buckets, additions| {
        let mut acc = Accumulator::<P>::new(points, buckets)?;
        for (b, i, neg) in additions {
            acc.add(b, i, neg);
        }
        Ok(acc.finish_ranges(1 << (c - 1)).into_iter().map(Into::into).collect())
    })
}

/// Σ (b+1) · extra[b] over side sums `extra` (bucket b is copy b / stride of bucket
/// b mod stride): by scalar multiplication when few are set (random inputs: none), by running
/// sums over all of them otherwise.
fn extra_sum<P: super::CpuCurve>(extra: &[Bucket<P>], stride: usize) -> Bucket<P> {
    let set: Vec<usize> = (0..extra.len()).filter(|&b| !extra[b].is_zero()).collect();
    if set.len() * 16 < extra.len() {
        let weighted = |&b: &usize| Projective::<P>::from(extra[b]).mul_bigint([(b % stride) as u64 + 1]);
        Bucket::from(set.iter().map(weighted).sum::<Projective<P>>().into_affine())
    } else {
        // Fold the copies, then running sums.
        let mut folded = vec![Bucket::ZERO; stride];
        for (b, e) in extra.iter().enumerate() {
            folded[b % stride] += e;
        }
        running_sum(&vec![Affine::<P>::identity(); stride], &folded)
    }
}

/// Words of one record: x then y.
pub(super) fn words<P: IfmaCurve>() -> usize {
    2 * P::Coord::WORDS
}

fn is_identity<P: IfmaCurve>(p: &P::Record) -> bool {
    p.as_ref()[LIMBS - 1] == IDENTITY
}

fn to_record<P: IfmaCurve>(p: &Affine<P>) -> P::Record {
    let mut out: P::Record = bytemuck::Zeroable::zeroed();
    let w = P::Coord::WORDS;
    if p.is_zero() {
        out.as_mut()[LIMBS - 1] = IDENTITY;
    } else {
        P::write_coord(&p.x, &mut out.as_mut()[..w]);
        P::write_coord(&p.y, &mut out.as_mut()[w..]);
    }
    out
}

/// The affine point of a non-identity record.
fn to_affine<P: IfmaCurve>(p: &P::Record) -> Affine<P> {
    let (w, r) = (P::Coord::WORDS, p.as_ref());
    Affine::new_unchecked(P::read_coord(&r[..w]), P::read_coord(&r[w..]))
}

/// −p for a canonical non-identity record: p − c for every non-zero Fq component c of y (a G2
/// y can have a zero component; a G1 y is never 0, BN254 G1 has no point of order 2).
fn negate<P: IfmaCurve>(p: &P::Record) -> P::Record {
    let modulus = Fq52::P;
    let mut out = *p;
    let w = P::Coord::WORDS;
    for part in out.as_mut()[w..].chunks_exact_mut(LIMBS) {
        if part.iter().all(|&l| l == 0) {
            continue;
        }
        let mut borrow = 0i64;
        for k in 0..LIMBS {
            let v = modulus[k] as i64 - part[k] as i64 - borrow;
            borrow = i64::from(v < 0);
            part[k] = (v + (borrow << 52)) as u64;
        }
    }
    out
}

struct Accumulator<'a, P: IfmaCurve> {
    points: &'a [P::Record],
    buckets: Vec<P::Record>,
    state: Vec<u8>,
    extra: Vec<Bucket<P>>,
    /// Word offsets (index · words) of the queued additions' buckets and points, and an
    /// all-ones word where the point is negated: loaded eight at a time as gather indices.
    queue_bucket: Vec<u64>,
    queue_point: Vec<u64>,
    queue_neg: Vec<u64>,
    /// Additions whose bucket was already queued: retried after the next flush.
    pending: Vec<(usize, usize, bool)>,
    /// Per group of eight: x of the bucket, x of the point, the denominator, and the running
    /// product before it.
    stash: Vec<[P::Coord; 4]>,
    /// Per group of eight: the lanes whose x equals their bucket's.
    equal: Vec<__mmask8>,
    batch: usize,
}

impl<'a, P: IfmaCurve> Accumulator<'a, P> {
    fn new(points: &'a [P::Record], buckets: usize) -> Result<Self> {
        Ok(Self {
            points,
            buckets: mem::zeroed(buckets)?,
            state: mem::vec_filled(buckets, EMPTY)?,
            extra: mem::vec_filled(buckets, Bucket::ZERO)?,
            queue_bucket: Vec::with_capacity(2 * BATCH),
            queue_point: Vec::with_capacity(2 * BATCH),
            queue_neg: Vec::with_capacity(2 * BATCH),
            pending: Vec::new(),
            stash: Vec::with_capacity(2 * BATCH / 8),
            equal: Vec::with_capacity(2 * BATCH / 8),
            batch: batch_len(buckets, BATCH),
        })
    }

    /// Adds ±points[i] to bucket b.
    fn add(&mut self, b: usize, i: usize, neg: bool) {
        self.place(b, i, neg);
        while self.queue_bucket.len() >= self.batch {
            self.flush();
            for (b, i, neg) in std::mem::take(&mut self.pending) {
                self.place(b, i, neg);
            }
        }
    }

    fn place(&mut self, b: usize, i: usize, neg: bool) {
        let points = self.points;
        let p = &points[i];
        if is_identity::<P>(p) {
            return;
        }
        match self.state[b] {
            EMPTY => {
                self.buckets[b] = if neg { negate::<P>(p) } else { *p };
                self.state[b] = FILLED;
            }
            QUEUED if self.pending.len() < PENDING * self.batch => self.pending.push((b, i, neg)),
            FILLED => {
                // The flush gathers this bucket a batch later, at random: fetch it now (a
                // batch's buckets stay in L2; the gathers missed L2 at 2^15 buckets).
                mem::prefetch(&self.buckets[b]);
                self.queue_bucket.push((b * words::<P>()) as u64);
                self.queue_point.push((i * words::<P>()) as u64);
                self.queue_neg.push(if neg { u64::MAX } else { 0 });
                self.state[b] = QUEUED;
            }
            // A full pending list: the XYZZ side sum.
            _ => self.add_to_side_sum(b, i, neg),
        }
    }

    /// The window's sum Σ (b+1) · bucket[b]: the queue and the pending list drained, the
    /// buckets summed ([`IfmaCurve::bucket_sum`]), the side sums added.
    fn finish(mut self, stride: usize, copies: usize) -> Bucket<P> {
        self.drain();
        let filled: Vec<bool> = self.state.iter().map(|&s| s != EMPTY).collect();
        let mut total = P::bucket_sum(&self.buckets, &filled, stride, copies);
        total += &extra_sum(&self.extra, stride);
        total
    }

    /// The sum Σ (b+1) · bucket[b] of each range of `range` buckets (one set of
    /// [`rounds`] each), after the queue and the pending list are drained.
    fn finish_ranges(mut self, range: usize) -> Vec<Bucket<P>> {
        self.drain();
        let filled: Vec<bool> = self.state.iter().map(|&s| s != EMPTY).collect();
        (0..self.buckets.len())
            .step_by(range)
            .map(|at| {
                let r = at..at + range;
                let mut total = P::bucket_sum(&self.buckets[r.clone()], &filled[r.clone()], range, 1);
                total += &extra_sum(&self.extra[r], range);
                total
            })
            .collect()
    }

    /// Flushes until the pending list is empty. A round that queues a single addition means
    /// the rest wait for one bucket (structured input): they go to its side sum instead of an
    /// inversion each.
    fn drain(&mut self) {
        loop {
            self.flush();
            if self.pending.is_empty() {
                return;
            }
            for (b, i, neg) in std::mem::take(&mut self.pending) {
                self.place(b, i, neg);
            }
            if self.queue_bucket.len() < 64 {
                self.flush();
                let pending = std::mem::take(&mut self.pending);
                self.move_to_extra(pending);
                return;
            }
        }
    }

    fn move_to_extra(&mut self, items: Vec<(usize, usize, bool)>) {
        for (b, i, neg) in items {
            self.add_to_side_sum(b, i, neg);
        }
    }

    /// extra[b] += ±points[i] (XYZZ, arkworks): the additions the batches do not take.
    fn add_to_side_sum(&mut self, b: usize, i: usize, neg: bool) {
        let q = to_affine::<P>(&self.points[i]);
        self.extra[b] += if neg { -q } else { q };
    }

    fn flush(&mut self) {
        if self.queue_bucket.is_empty() {
            return;
        }
        // SAFETY: `msm` checked the CPU has the features (asserted there).
        unsafe { self.flush_ifma() };
        for &b in &self.queue_bucket {
            self.state[b as usize / words::<P>()] = FILLED;
        }
        for g in 0..self.equal.len() {
            let equal = self.equal[g];
            for l in (0..8).filter(|l| equal & (1 << l) != 0) {
                let item = g * 8 + l;
                let w = words::<P>();
                let (b, i) = (self.queue_bucket[item] as usize / w, self.queue_point[item] as usize / w);
                self.add_to_side_sum(b, i, self.queue_neg[item] != 0);
            }
        }
        self.queue_bucket.clear();
        self.queue_point.clear();
        self.queue_neg.clear();
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn flush_ifma(&mut self) {
        let live_items = self.queue_bucket.len();
        let groups = live_items.div_ceil(8);
        // Pad the last group with bucket 0 / point 0 lanes: read, never written (masked).
        for q in [&mut self.queue_bucket, &mut self.queue_point, &mut self.queue_neg] {
            q.resize(groups * 8, 0);
        }
        let buckets = self.buckets.as_mut_ptr().cast::<u64>();
        let points = self.points.as_ptr().cast::<u64>();
        let live = |g: usize| live_lanes(live_items, g);
        let one = P::Coord::one();

        // Forward: denominators and their running products.
        self.stash.clear();
        self.equal.clear();
        let mut product = one;
        for g in 0..groups {
            let (bi, pi) = (load8(&self.queue_bucket, g), load8(&self.queue_point, g));
            // SAFETY: every offset is a record of `buckets` / `points` (queued by `place`).
            let (bx, px) = (P::Coord::gather(buckets, bi, 0), P::Coord::gather(points, pi, 0));
            // Equal x (P + P or P + (−P)) has no chord: such a lane gets denominator 1, is not
            // written back, and its addition goes to the side sum after the batch. Padding
            // lanes get 1 too, so no factor of the running product is 0.
            let diff = P::Coord::sub(&px, &bx);
            let equal = live(g) & P::Coord::zero_lanes(&diff, 2);
            let d = P::Coord::select(live(g) & !equal, one, diff);
            self.stash.push([bx, px, d, product]);
            self.equal.push(equal);
            product = P::Coord::mul(&product, &d);
        }

        // The eight lanes' products inverted together.
        let mut inverse = P::Coord::invert(&product);

        // Backward: each item's inverse, the inverse of the products from it on times the
        // product before it (kept in the denominator's slot).
        for slot in self.stash.iter_mut().rev() {
            let inv = P::Coord::mul(&inverse, &slot[3]);
            inverse = P::Coord::mul(&inverse, &slot[2]);
            slot[2] = inv;
        }
        // Then λ = (y_p − y_b)/(x_p − x_b), x = λ² − x_b − x_p, y = λ(x_b − x) − y_b, reduced to
        // canonical and written back; two groups at a time, so that two independent chains of
        // products are in flight.
        let mut g = 0;
        while g + 2 <= groups {
            self.add_groups([g, g + 1], buckets, points, live_items);
            g += 2;
        }
        if g < groups {
            self.add_groups([g], buckets, points, live_items);
        }
        self.queue_bucket.truncate(live_items);
    }
}

impl<P: IfmaCurve> Accumulator<'_, P> {
    /// The additions of groups `gs` given their inverses (see [`Accumulator::flush_ifma`]).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn add_groups<const K: usize>(
        &self,
        gs: [usize; K],
        buckets: *mut u64,
        points: *const u64,
        live_items: usize,
    ) {
        // Step by step over the K groups (loops, not closures: see fq8), so their products
        // interleave.
        let zero = _mm512_setzero_si512();
        let (mut bi, mut pi) = ([zero; K], [zero; K]);
        let coord_zero = P::Coord::zero();
        let mut by = [coord_zero; K];
        let mut py = by;
        for k in 0..K {
            bi[k] = load8(&self.queue_bucket, gs[k]);
            pi[k] = load8(&self.queue_point, gs[k]);
            let neg = load8(&self.queue_neg, gs[k]);
            by[k] = P::Coord::gather(buckets, bi[k], P::Coord::WORDS);
            let y = P::Coord::gather(points, pi[k], P::Coord::WORDS);
            py[k] = P::Coord::select(_mm512_test_epi64_mask(neg, neg), y, P::Coord::sub(&coord_zero, &y));
        }
        let mut lambda = by;
        for k in 0..K {
            lambda[k] = P::Coord::mul(&P::Coord::sub(&py[k], &by[k]), &self.stash[gs[k]][2]);
        }
        let mut x = by;
        for k in 0..K {
            let [bx, px, ..] = &self.stash[gs[k]];
            let square = P::Coord::mul(&lambda[k], &lambda[k]);
            x[k] = P::Coord::reduce_below(&P::Coord::sub(&P::Coord::sub(&square, bx), px), 4);
        }
        let mut y = by;
        for k in 0..K {
            y[k] = P::Coord::mul(&lambda[k], &P::Coord::sub(&self.stash[gs[k]][0], &x[k]));
        }
        for k in 0..K {
            let y = P::Coord::reduce_below(&P::Coord::sub(&y[k], &by[k]), 4);
            let live = live_lanes(live_items, gs[k]) & !self.equal[gs[k]];
            x[k].scatter(buckets, bi[k], 0, live);
            y.scatter(buckets, bi[k], P::Coord::WORDS, live);
        }
    }
}

/// The lanes of group g that hold one of the `live_items` queued additions (the last group is
/// padded).
fn live_lanes(live_items: usize, g: usize) -> __mmask8 {
    let left = live_items - g * 8;
    if left >= 8 {
        0xff
    } else {
        (1u8 << left) - 1
    }
}

/// Words 8g..8g+8 of `q` as a vector.
#[inline]
#[target_feature(enable = "avx512f")]
fn load8(q: &[u64], g: usize) -> __m512i {
    let eight = &q[g * 8..g * 8 + 8];
    // SAFETY: `eight` is 64 readable bytes.
    unsafe { _mm512_loadu_si512(eight.as_ptr().cast()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn round_trip<P: IfmaCurve>(seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..20 {
            let p = Projective::<P>::rand(&mut rng).into_affine();
            assert_eq!(to_affine::<P>(&to_record::<P>(&p)), p);
            assert_eq!(to_affine::<P>(&negate::<P>(&to_record::<P>(&p))), -p);
        }
        assert!(is_identity::<P>(&to_record::<P>(&Affine::<P>::zero())));
    }

    /// Σ (b mod stride + 1) · bucket[b], the naive way.
    fn weighted_sum<P: IfmaCurve>(buckets: &[Affine<P>], stride: usize) -> Projective<P> {
        buckets.iter().enumerate().map(|(b, p)| p.mul_bigint([(b % stride) as u64 + 1])).sum()
    }

    /// [`IfmaCurve::bucket_sum`] (the vector XYZZ sums for bucket counts that are multiples of
    /// eight) against the naive sum: random buckets with empty ones, and buckets that make the
    /// lanes' additions degenerate (all equal: a running sum meets its own bucket; negations:
    /// sums that cancel to the identity).
    fn bucket_sums<P: IfmaCurve>(seed: u64) {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the portable paths run instead)");
            return;
        }
        eprintln!("seed {seed:#x}");
        let mut rng = StdRng::seed_from_u64(seed);
        let g = Projective::<P>::rand(&mut rng).into_affine();
        let cases: Vec<(&str, Vec<Affine<P>>)> = vec![
            (
                "random, a quarter empty",
                (0..64)
                    .map(|_| {
                        if u8::rand(&mut rng) < 64 {
                            Affine::zero()
                        } else {
                            Projective::<P>::rand(&mut rng).into_affine()
                        }
                    })
                    .collect(),
            ),
            ("all equal", vec![g; 64]),
            ("alternating signs", (0..64).map(|b| if b % 2 == 0 { g } else { -g }).collect()),
            ("one", [vec![g], vec![Affine::zero(); 7]].concat()),
        ];
        for (name, buckets) in cases {
            let records: Vec<P::Record> = buckets.iter().map(to_record::<P>).collect();
            let filled: Vec<bool> = buckets.iter().map(|p| !p.is_zero()).collect();
            let n = buckets.len();
            let got = Projective::from(P::bucket_sum(&records, &filled, n, 1));
            assert_eq!(got, weighted_sum(&buckets, n), "{name}: bucket sum");
            if n >= 64 {
                // Eight copies of eight buckets.
                let got = Projective::from(P::bucket_sum(&records, &filled, 8, 8));
                assert_eq!(got, weighted_sum(&buckets, 8), "{name}: copies sum");
            }
        }
    }

    #[test]
    fn vector_bucket_sums_equal_the_naive_sum() {
        bucket_sums::<G1>(0x9e4);
        bucket_sums::<G2>(0x9e5);
    }

    #[test]
    fn records_round_trip() {
        round_trip::<G1>(0x9e1);
        round_trip::<G2>(0x9e2);
    }

    /// A zero component of y stays zero when negated (p − 0 = p would not be canonical).
    #[test]
    fn negation_keeps_zero_components() {
        let mut rng = StdRng::seed_from_u64(0x9e3);
        let x = ark_bn254::Fq2::rand(&mut rng);
        let a = ark_bn254::Fq::rand(&mut rng);
        for y in [ark_bn254::Fq2::new(a, 0.into()), ark_bn254::Fq2::new(0.into(), a)] {
            let p = Affine::<G2>::new_unchecked(x, y);
            let neg = negate::<G2>(&to_record::<G2>(&p));
            assert_eq!(to_affine::<G2>(&neg), Affine::<G2>::new_unchecked(x, -y));
            assert!(neg.as_ref().iter().all(|&l| l < 1 << 52));
        }
    }
}
