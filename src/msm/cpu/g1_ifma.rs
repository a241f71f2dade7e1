//! BN254 G1 bucket accumulation eight additions at a time with AVX-512 IFMA ([`fq8`](crate::field::lanes52)): the same
//! batch-affine Pippenger as the portable path, with the batch's field arithmetic in vectors.
//!
//! A batch of queued (bucket, point) additions is processed in groups of eight lanes: a forward
//! pass gathers the x coordinates, forms the denominators x_p − x_b and their running products
//! (lane l carries the products of items l, l+8, …); the eight lane products are inverted by
//! one vector exponentiation ([`fq8::invert`](crate::field::lanes52::invert)); a backward pass peels each item's inverse off
//! the running product and writes λ, x and y back to the buckets with a masked scatter.
//! Buckets and bases are kept canonical (fully reduced). A lane whose x equals its bucket's
//! (P + P, P + (−P)) gets denominator 1 and is not written back; its addition goes to the
//! bucket's XYZZ side sum (portable code), as do points for a bucket already in the batch once
//! the pending list is full. The window's sum is taken eight bucket segments at a time in XYZZ
//! ([`xyzz8`]). A window whose digits reach few buckets (the top window, small scalars) spreads
//! each bucket over copies so that batches still fill.

// Loops over K groups use indices (see fq8 for why not closures).
#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;

use ark_bn254::{g1::Config as G1, G1Affine, G1Projective};
use ark_ec::short_weierstrass::Bucket;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::BigInt;
use rayon::prelude::*;

use crate::field::lanes52::{self as fq8, Fq52, Fq8, Modulus52, LIMBS};
use super::xyzz8;
use super::{pippenger, running_sum, Layout};
use crate::error::Result;
use crate::mem;

/// Additions per batch at most: enough to spread the inversion (≈ 330 vector products, one
/// chain) thin, few enough that the batch's stash stays in L2. Fewer with few buckets
/// ([`batch_len`]).
const BATCH: usize = 2048;

/// Pending additions (bucket already queued) kept, in batches; beyond, the side sums take them.
const PENDING: usize = 4;

/// A batch fills at most a quarter of the buckets: each bucket takes one addition per batch,
/// and the rest wait in the pending list.
fn batch_len(buckets: usize) -> usize {
    (buckets / 4).clamp(8, BATCH)
}

/// x then y, 52-bit Montgomery limbs: the record the gathers read.
const WORDS: usize = 2 * LIMBS;
type Point52 = [u64; WORDS];
/// Marks the identity in x's top limb (a canonical limb is below 2^52).
const IDENTITY: u64 = u64::MAX;

const EMPTY: u8 = 0;
const FILLED: u8 = 1;
const QUEUED: u8 = 2;

/// Whether this CPU runs the IFMA path (and `CHERENKOV_CPU_PORTABLE` does not turn it off).
pub fn available() -> bool {
    fq8::available()
}

/// The MSM of [`super::msm`] for G1, bases converted to 52-bit limbs once.
pub fn msm(table: &[G1Affine], scalars: &[BigInt<4>], layout: Layout) -> Result<G1Projective> {
    assert!(available(), "the IFMA MSM needs AVX-512 IFMA");
    let mut points: Vec<Point52> = mem::with_capacity(table.len())?;
    points.par_extend(table.par_iter().map(to_point52));
    pippenger(table, scalars, layout, |pairs, buckets| {
        // A window whose digits reach few buckets (the top window; small scalars) would queue
        // few additions per batch: its buckets get `copies` copies, point i adding into copy
        // i mod copies, so that batches fill as in the other windows.
        let stride = (pairs.max_digit() as usize).next_power_of_two();
        let copies = if stride * 8 <= buckets { buckets / stride } else { 1 };
        let stride = if copies == 1 { buckets } else { stride };
        let mut acc = Accumulator::new(&points, buckets)?;
        for (i, d) in pairs {
            acc.add((d.unsigned_abs() - 1) as usize + stride * (i % copies), i, d < 0);
        }
        Ok(acc.finish(stride, copies))
    })
}

fn to_point52(p: &G1Affine) -> Point52 {
    let mut out = [0u64; WORDS];
    if p.is_zero() {
        out[LIMBS - 1] = IDENTITY;
    } else {
        out[..LIMBS].copy_from_slice(&Fq52::from_ark(&p.x));
        out[LIMBS..].copy_from_slice(&Fq52::from_ark(&p.y));
    }
    out
}

/// The affine point of a non-identity record.
fn to_affine(p: &Point52) -> G1Affine {
    let coord = |l: &[u64]| Fq52::to_ark(l.try_into().expect("five limbs"));
    G1Affine::new_unchecked(coord(&p[..LIMBS]), coord(&p[LIMBS..]))
}

/// −p for a canonical non-identity record (y ≠ 0 on BN254 G1: no point of order 2).
fn negate(p: &Point52) -> Point52 {
    let modulus = Fq52::P;
    let mut out = *p;
    let mut borrow = 0i64;
    for k in 0..LIMBS {
        let v = modulus[k] as i64 - p[LIMBS + k] as i64 - borrow;
        borrow = i64::from(v < 0);
        out[LIMBS + k] = (v + (borrow << 52)) as u64;
    }
    out
}

struct Accumulator<'a> {
    points: &'a [Point52],
    buckets: Vec<Point52>,
    state: Vec<u8>,
    extra: Vec<Bucket<G1>>,
    /// Word offsets (index · WORDS) of the queued additions' buckets and points, and an
    /// all-ones word where the point is negated: loaded eight at a time as gather indices.
    queue_bucket: Vec<u64>,
    queue_point: Vec<u64>,
    queue_neg: Vec<u64>,
    /// Additions whose bucket was already queued: retried after the next flush.
    pending: Vec<(usize, usize, bool)>,
    /// Per group of eight: x of the bucket, x of the point, the denominator, and the running
    /// product before it.
    stash: Vec<[Fq8; 4]>,
    /// Per group of eight: the lanes whose x equals their bucket's.
    equal: Vec<__mmask8>,
    batch: usize,
}

impl<'a> Accumulator<'a> {
    fn new(points: &'a [Point52], buckets: usize) -> Result<Self> {
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
            batch: batch_len(buckets),
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
        if p[LIMBS - 1] == IDENTITY {
            return;
        }
        match self.state[b] {
            EMPTY => {
                self.buckets[b] = if neg { negate(p) } else { *p };
                self.state[b] = FILLED;
            }
            QUEUED if self.pending.len() < PENDING * self.batch => self.pending.push((b, i, neg)),
            FILLED => {
                self.queue_bucket.push((b * WORDS) as u64);
                self.queue_point.push((i * WORDS) as u64);
                self.queue_neg.push(if neg { u64::MAX } else { 0 });
                self.state[b] = QUEUED;
            }
            // A full pending list: the XYZZ side sum.
            _ => self.add_to_side_sum(b, i, neg),
        }
    }

    /// The window's sum Σ (b+1) · bucket[b]: the queue and the pending list drained, the
    /// buckets reduced eight segments at a time ([`xyzz8::bucket_sum`]), the side sums added.
    fn finish(mut self, stride: usize, copies: usize) -> Bucket<G1> {
        self.drain();
        let nb = self.buckets.len();
        let filled: Vec<bool> = self.state.iter().map(|&s| s != EMPTY).collect();
        let records = self.buckets.as_ptr().cast();
        let mut total = if copies > 1 {
            // SAFETY: `buckets` holds stride·copies records of WORDS words; copies ≥ 8 and a
            // power of two; features checked in `msm`.
            unsafe { xyzz8::copies_sum(records, WORDS, &filled, stride, copies) }
        } else if nb.is_multiple_of(8) {
            // SAFETY: `buckets` holds nb records of WORDS words; features checked in `msm`.
            unsafe { xyzz8::bucket_sum(records, WORDS, &filled) }
        } else {
            let buckets: Vec<G1Affine> = self
                .buckets
                .iter()
                .zip(&self.state)
                .map(|(p, &s)| if s == EMPTY { G1Affine::identity() } else { to_affine(p) })
                .collect();
            running_sum(&buckets, &vec![Bucket::ZERO; nb])
        };
        total += &self.extra_sum(stride);
        total
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
        let q = to_affine(&self.points[i]);
        self.extra[b] += if neg { -q } else { q };
    }

    /// Σ (b+1) · extra[b]: by scalar multiplication when few side sums are set (random inputs:
    /// none), by running sums over all of them otherwise.
    /// (Bucket b is copy b / stride of bucket b mod stride.)
    fn extra_sum(&self, stride: usize) -> Bucket<G1> {
        let set: Vec<usize> = (0..self.extra.len()).filter(|&b| !self.extra[b].is_zero()).collect();
        if set.len() * 16 < self.extra.len() {
            let weighted = |&b: &usize| G1Projective::from(self.extra[b]).mul_bigint([(b % stride) as u64 + 1]);
            Bucket::from(set.iter().map(weighted).sum::<G1Projective>().into_affine())
        } else {
            // Fold the copies, then running sums.
            let mut folded = vec![Bucket::ZERO; stride];
            for (b, e) in self.extra.iter().enumerate() {
                folded[b % stride] += e;
            }
            running_sum(&vec![G1Affine::identity(); stride], &folded)
        }
    }

    fn flush(&mut self) {
        if self.queue_bucket.is_empty() {
            return;
        }
        // SAFETY: `msm` checked the CPU has the features (asserted there).
        unsafe { self.flush_ifma() };
        for &b in &self.queue_bucket {
            self.state[b as usize / WORDS] = FILLED;
        }
        for g in 0..self.equal.len() {
            let equal = self.equal[g];
            for l in (0..8).filter(|l| equal & (1 << l) != 0) {
                let item = g * 8 + l;
                let (b, i) = (self.queue_bucket[item] as usize / WORDS, self.queue_point[item] as usize / WORDS);
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
        let one = Fq8::splat(Fq52::one());

        // Forward: denominators and their running products.
        self.stash.clear();
        self.equal.clear();
        let mut product = one;
        for g in 0..groups {
            let (bi, pi) = (load8(&self.queue_bucket, g), load8(&self.queue_point, g));
            // SAFETY: every offset is a record of `buckets` / `points` (queued by `place`).
            let (bx, px) = (Fq8::gather(buckets, bi, 0), Fq8::gather(points, pi, 0));
            // Equal x (P + P or P + (−P)) has no chord: such a lane gets denominator 1, is not
            // written back, and its addition goes to the side sum after the batch. Padding
            // lanes get 1 too, so no factor of the running product is 0.
            let diff = fq8::sub(&px, &bx);
            let equal = live(g) & fq8::zero_lanes(&diff, 2);
            let d = Fq8::select(live(g) & !equal, one, diff);
            self.stash.push([bx, px, d, product]);
            self.equal.push(equal);
            product = fq8::mul(&product, &d);
        }

        // The eight lanes' products inverted together.
        let mut inverse = fq8::invert(&product);

        // Backward: each item's inverse, the inverse of the products from it on times the
        // product before it (kept in the denominator's slot).
        for slot in self.stash.iter_mut().rev() {
            let inv = fq8::mul(&inverse, &slot[3]);
            inverse = fq8::mul(&inverse, &slot[2]);
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

impl Accumulator<'_> {
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
        let mut by = [Fq8::new([zero; LIMBS]); K];
        let mut py = by;
        for k in 0..K {
            bi[k] = load8(&self.queue_bucket, gs[k]);
            pi[k] = load8(&self.queue_point, gs[k]);
            let neg = load8(&self.queue_neg, gs[k]);
            by[k] = Fq8::gather(buckets, bi[k], LIMBS);
            let y = Fq8::gather(points, pi[k], LIMBS);
            py[k] = Fq8::select(_mm512_test_epi64_mask(neg, neg), y, fq8::sub(&Fq8::new([zero; LIMBS]), &y));
        }
        let mut lambda = by;
        for k in 0..K {
            lambda[k] = fq8::mul(&fq8::sub(&py[k], &by[k]), &self.stash[gs[k]][2]);
        }
        let mut x = by;
        for k in 0..K {
            let [bx, px, ..] = &self.stash[gs[k]];
            x[k] = fq8::reduce_below(&fq8::sub(&fq8::sub(&fq8::mul(&lambda[k], &lambda[k]), bx), px), 4);
        }
        let mut y = by;
        for k in 0..K {
            y[k] = fq8::mul(&lambda[k], &fq8::sub(&self.stash[gs[k]][0], &x[k]));
        }
        for k in 0..K {
            let y = fq8::reduce_below(&fq8::sub(&y[k], &by[k]), 4);
            let live = live_lanes(live_items, gs[k]) & !self.equal[gs[k]];
            x[k].scatter(buckets, bi[k], 0, live);
            y.scatter(buckets, bi[k], LIMBS, live);
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

    #[test]
    fn records_round_trip() {
        let mut rng = StdRng::seed_from_u64(0x9e1);
        for _ in 0..20 {
            let p = G1Projective::rand(&mut rng).into_affine();
            assert_eq!(to_affine(&to_point52(&p)), p);
            assert_eq!(to_affine(&negate(&to_point52(&p))), -p);
        }
        assert_eq!(to_point52(&G1Affine::zero())[LIMBS - 1], IDENTITY);
    }
}
