//! BN254 G1 points in XYZZ coordinates eight at a time ([`fq8`]), for the bucket reduction
//! Σ (b+1) · bucket[b]: the buckets are cut into eight segments, one per lane, each lane keeps
//! the running sums of its segment, and the eight lanes are combined at the end.
//!
//! The formulas are arkworks' `Bucket` ones (add-2008-s, madd-2008-s). Lanes where an addition
//! degenerates (equal points, or a point and its negation: P ≡ 0 below) are redone with
//! arkworks' own `Bucket` arithmetic, which has the doubling and the identity; that happens
//! for structured inputs (a running sum meeting an equal bucket), rarely for random ones.

use std::arch::x86_64::*;

use ark_bn254::{g1::Config as G1, G1Affine};
use ark_ec::short_weierstrass::Bucket;

use crate::field::lanes52::{self as fq8, Fq52, Fq8, Modulus52, LIMBS};

/// Eight points; the lanes in `zero` are the identity (their coordinates mean nothing).
/// Coordinates of the other lanes are below 2p.
#[derive(Clone, Copy)]
struct Xyzz8 {
    x: Fq8,
    y: Fq8,
    zz: Fq8,
    zzz: Fq8,
    zero: __mmask8,
}

impl Xyzz8 {
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn identity() -> Self {
        let z = Fq8::splat([0; LIMBS]);
        Self { x: z, y: z, zz: z, zzz: z, zero: 0xff }
    }

    #[target_feature(enable = "avx512f")]
    fn lane(&self, l: usize) -> Bucket<G1> {
        if self.zero & (1 << l) != 0 {
            return Bucket::ZERO;
        }
        let coord = |v: &Fq8| Fq52::to_ark(fq8::reduce_below(v, 2).lane(l));
        Bucket { x: coord(&self.x), y: coord(&self.y), zz: coord(&self.zz), zzz: coord(&self.zzz) }
    }

    #[target_feature(enable = "avx512f")]
    fn set_lane(&mut self, l: usize, b: &Bucket<G1>) {
        if b.is_zero() {
            self.zero |= 1 << l;
            return;
        }
        self.zero &= !(1 << l);
        self.x = self.x.with_lane(l, Fq52::from_ark(&b.x));
        self.y = self.y.with_lane(l, Fq52::from_ark(&b.y));
        self.zz = self.zz.with_lane(l, Fq52::from_ark(&b.zz));
        self.zzz = self.zzz.with_lane(l, Fq52::from_ark(&b.zzz));
    }

    /// Where `mask` is set, the lanes of `other`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn take_lanes(&mut self, mask: __mmask8, other: &Self) {
        self.x = Fq8::select(mask, self.x, other.x);
        self.y = Fq8::select(mask, self.y, other.y);
        self.zz = Fq8::select(mask, self.zz, other.zz);
        self.zzz = Fq8::select(mask, self.zzz, other.zzz);
        self.zero = (self.zero & !mask) | (other.zero & mask);
    }
}

/// x3 = r² − ppp − 2q and y3 = r(q − x3) − s1·ppp, both canonical; inputs below 2p.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn chord(r: &Fq8, ppp: &Fq8, q: &Fq8, s1: &Fq8) -> (Fq8, Fq8) {
    let x3 = fq8::reduce_below(&fq8::sub4(&fq8::sub2(&fq8::mul(r, r), ppp), &fq8::add(q, q)), 8);
    let y3 = fq8::reduce_below(&fq8::sub2(&fq8::mul(r, &fq8::sub(q, &x3)), &fq8::mul(s1, ppp)), 4);
    (x3, y3)
}

/// acc += (x, y) on the lanes in `has` ((x, y) canonical affine coordinates).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn add_affine(acc: &mut Xyzz8, x: &Fq8, y: &Fq8, has: __mmask8) {
    let u2 = fq8::mul(x, &acc.zz);
    let s2 = fq8::mul(y, &acc.zzz);
    let p = fq8::sub2(&u2, &acc.x);
    let r = fq8::sub2(&s2, &acc.y);
    let pp = fq8::mul(&p, &p);
    let ppp = fq8::mul(&pp, &p);
    let q = fq8::mul(&acc.x, &pp);
    let (x3, y3) = chord(&r, &ppp, &q, &acc.y);
    let sum = Xyzz8 { x: x3, y: y3, zz: fq8::mul(&acc.zz, &pp), zzz: fq8::mul(&acc.zzz, &ppp), zero: 0 };
    let one = Fq8::splat(Fq52::one());
    let start = Xyzz8 { x: *x, y: *y, zz: one, zzz: one, zero: 0 };
    let degenerate = has & !acc.zero & fq8::zero_lanes(&p, 4);
    let (from_start, from_sum) = (has & acc.zero, has & !acc.zero & !degenerate);
    let before = *acc;
    acc.take_lanes(from_sum, &sum);
    acc.take_lanes(from_start, &start);
    for l in (0..8).filter(|l| degenerate & (1 << l) != 0) {
        let mut b = before.lane(l);
        b += G1Affine::new_unchecked(Fq52::to_ark(x.lane(l)), Fq52::to_ark(y.lane(l)));
        acc.set_lane(l, &b);
    }
}

/// acc += other.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn add_xyzz(acc: &mut Xyzz8, other: &Xyzz8) {
    let u1 = fq8::mul(&acc.x, &other.zz);
    let u2 = fq8::mul(&other.x, &acc.zz);
    let s1 = fq8::mul(&acc.y, &other.zzz);
    let s2 = fq8::mul(&other.y, &acc.zzz);
    let p = fq8::sub2(&u2, &u1);
    let r = fq8::sub2(&s2, &s1);
    let pp = fq8::mul(&p, &p);
    let ppp = fq8::mul(&pp, &p);
    let q = fq8::mul(&u1, &pp);
    let (x3, y3) = chord(&r, &ppp, &q, &s1);
    let zz = fq8::mul(&fq8::mul(&acc.zz, &other.zz), &pp);
    let zzz = fq8::mul(&fq8::mul(&acc.zzz, &other.zzz), &ppp);
    let sum = Xyzz8 { x: x3, y: y3, zz, zzz, zero: 0 };
    let both = !acc.zero & !other.zero;
    let degenerate = both & fq8::zero_lanes(&p, 4);
    let before = *acc;
    acc.take_lanes(both & !degenerate, &sum);
    acc.take_lanes(acc.zero & !other.zero, other);
    for l in (0..8).filter(|l| degenerate & (1 << l) != 0) {
        let mut b = before.lane(l);
        b += &other.lane(l);
        acc.set_lane(l, &b);
    }
}

/// Σ (b+1) · bucket[b] over the buckets in `filled` (records of x then y, canonical 52-bit
/// limbs, `words` words apart), as an arkworks bucket. The bucket count must be a multiple of 8.
///
/// # Safety
/// `records` must hold `filled.len()` records of `words` ≥ 2·LIMBS words.
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn bucket_sum(records: *const u64, words: usize, filled: &[bool]) -> Bucket<G1> {
    let segment = filled.len() / 8;
    debug_assert_eq!(segment * 8, filled.len());
    let (mut running, mut sum) = (Xyzz8::identity(), Xyzz8::identity());
    for k in (0..segment).rev() {
        let index: [u64; 8] = std::array::from_fn(|l| ((l * segment + k) * words) as u64);
        let has = (0..8).fold(0u8, |m, l| m | (u8::from(filled[l * segment + k]) << l));
        let index = _mm512_loadu_si512(index.as_ptr().cast());
        let (x, y) = (Fq8::gather(records, index, 0), Fq8::gather(records, index, LIMBS));
        add_affine(&mut running, &x, &y, has);
        add_xyzz(&mut sum, &running);
    }
    // Lane l's sum weighs its buckets 1..=segment; they need l·segment more each:
    // Σ_l l·running_l by running sums over the lanes, then `segment` (a power of two) times it.
    let (mut total, mut above, mut weighted) = (Bucket::<G1>::ZERO, Bucket::<G1>::ZERO, Bucket::<G1>::ZERO);
    for l in (0..8).rev() {
        total += &sum.lane(l);
        weighted += &above;
        above += &running.lane(l);
    }
    debug_assert!(segment.is_power_of_two());
    for _ in 0..segment.trailing_zeros() {
        weighted.double_in_place();
    }
    total += &weighted;
    total
}

/// Σ_b (b+1) · Σ_s bucket[b + stride·s] over b < stride and s < copies (a multiple of 8): the
/// buckets of a window that reaches few of them, spread over `copies` copies. Lane l keeps the
/// running sums of copies l, l+8, …; the lanes' sums add up to the total.
///
/// # Safety
/// `records` must hold stride·copies records of `words` ≥ 2·LIMBS words.
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn copies_sum(
    records: *const u64,
    words: usize,
    filled: &[bool],
    stride: usize,
    copies: usize,
) -> Bucket<G1> {
    debug_assert!(copies.is_multiple_of(8) && filled.len() == stride * copies);
    let (mut running, mut sum) = (Xyzz8::identity(), Xyzz8::identity());
    for b in (0..stride).rev() {
        for t in 0..copies / 8 {
            let bucket = |l: usize| b + stride * (8 * t + l);
            let index: [u64; 8] = std::array::from_fn(|l| (bucket(l) * words) as u64);
            let has = (0..8).fold(0u8, |m, l| m | (u8::from(filled[bucket(l)]) << l));
            let index = _mm512_loadu_si512(index.as_ptr().cast());
            let (x, y) = (Fq8::gather(records, index, 0), Fq8::gather(records, index, LIMBS));
            add_affine(&mut running, &x, &y, has);
        }
        add_xyzz(&mut sum, &running);
    }
    let mut total = Bucket::<G1>::ZERO;
    for l in 0..8 {
        total += &sum.lane(l);
    }
    total
}
