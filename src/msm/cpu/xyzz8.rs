//! BN254 points in XYZZ coordinates eight at a time, over either coordinate field of
//! [`IfmaCurve`] (Fq lanes for G1, Fq2 lanes for G2), for the bucket reduction
//! Σ (b+1) · bucket[b]: the buckets are cut into eight segments, one per lane, each lane keeps
//! the running sums of its segment, and the eight lanes are combined at the end.
//!
//! The formulas are arkworks' `Bucket` ones (add-2008-s, madd-2008-s). Lanes where an addition
//! degenerates (equal points, or a point and its negation: P ≡ 0 below) are redone with
//! arkworks' own `Bucket` arithmetic, which has the doubling and the identity; that happens
//! for structured inputs (a running sum meeting an equal bucket), rarely for random ones.
//!
//! Ranges: coordinates stay below 2p per Fq component, differences below 4p, which both
//! coordinate fields' products take ([`Coord8::mul`]).

use std::arch::x86_64::*;

use ark_ec::short_weierstrass::{Affine, Bucket};

use super::ifma::{words, Coord8, IfmaCurve};
use crate::field::lanes52::LIMBS;

/// Eight points; the lanes in `zero` are the identity (their coordinates mean nothing).
/// Coordinates of the other lanes are below 2p.
#[derive(Clone, Copy)]
struct Xyzz8<C> {
    x: C,
    y: C,
    zz: C,
    zzz: C,
    zero: __mmask8,
}

/// Room for one coordinate's words (the widest, Fq2: two Fq components).
type Words = [u64; 2 * LIMBS];

/// Lane `l` of `v` as the curve's field element (`v` below 2p per component).
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn lane_coord<P: IfmaCurve>(v: &P::Coord, l: usize) -> P::BaseField {
    let mut w: Words = [0; 2 * LIMBS];
    P::Coord::reduce_below(v, 2).lane_words(l, &mut w[..P::Coord::WORDS]);
    P::read_coord(&w[..P::Coord::WORDS])
}

impl<C: Coord8> Xyzz8<C> {
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn identity() -> Self {
        // SAFETY: the caller's features.
        let z = unsafe { C::zero() };
        Self { x: z, y: z, zz: z, zzz: z, zero: 0xff }
    }

    #[target_feature(enable = "avx512f")]
    fn lane<P: IfmaCurve<Coord = C>>(&self, l: usize) -> Bucket<P> {
        if self.zero & (1 << l) != 0 {
            return Bucket::ZERO;
        }
        // SAFETY: the caller's features.
        let coord = |v: &C| unsafe { lane_coord::<P>(v, l) };
        Bucket { x: coord(&self.x), y: coord(&self.y), zz: coord(&self.zz), zzz: coord(&self.zzz) }
    }

    #[target_feature(enable = "avx512f")]
    fn set_lane<P: IfmaCurve<Coord = C>>(&mut self, l: usize, b: &Bucket<P>) {
        if b.is_zero() {
            self.zero |= 1 << l;
            return;
        }
        self.zero &= !(1 << l);
        let with = |v: &C, c: &P::BaseField| {
            let mut w: Words = [0; 2 * LIMBS];
            P::write_coord(c, &mut w[..C::WORDS]);
            // SAFETY: the caller's features.
            unsafe { v.with_lane_words(l, &w[..C::WORDS]) }
        };
        self.x = with(&self.x, &b.x);
        self.y = with(&self.y, &b.y);
        self.zz = with(&self.zz, &b.zz);
        self.zzz = with(&self.zzz, &b.zzz);
    }

    /// Where `mask` is set, the lanes of `other`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn take_lanes(&mut self, mask: __mmask8, other: &Self) {
        // SAFETY: the caller's features.
        unsafe {
            self.x = C::select(mask, self.x, other.x);
            self.y = C::select(mask, self.y, other.y);
            self.zz = C::select(mask, self.zz, other.zz);
            self.zzz = C::select(mask, self.zzz, other.zzz);
        }
        self.zero = (self.zero & !mask) | (other.zero & mask);
    }
}

/// x3 = r² − ppp − 2q and y3 = r(q − x3) − s1·ppp, both canonical; r below 4p, the others below 2p.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn chord<C: Coord8>(r: &C, ppp: &C, q: &C, s1: &C) -> (C, C) {
    let x3 = C::reduce_below(&C::sub4(&C::sub2(&C::mul(r, r), ppp), &C::add(q, q)), 8);
    let y3 = C::reduce_below(&C::sub2(&C::mul(r, &C::sub(q, &x3)), &C::mul(s1, ppp)), 4);
    (x3, y3)
}

/// acc += (x, y) on the lanes in `has` ((x, y) canonical affine coordinates).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_affine<P: IfmaCurve>(acc: &mut Xyzz8<P::Coord>, x: &P::Coord, y: &P::Coord, has: __mmask8) {
    let u2 = P::Coord::mul(x, &acc.zz);
    let s2 = P::Coord::mul(y, &acc.zzz);
    let p = P::Coord::sub2(&u2, &acc.x);
    let r = P::Coord::sub2(&s2, &acc.y);
    let pp = P::Coord::mul(&p, &p);
    let ppp = P::Coord::mul(&pp, &p);
    let q = P::Coord::mul(&acc.x, &pp);
    let (x3, y3) = chord(&r, &ppp, &q, &acc.y);
    let sum = Xyzz8 { x: x3, y: y3, zz: P::Coord::mul(&acc.zz, &pp), zzz: P::Coord::mul(&acc.zzz, &ppp), zero: 0 };
    let one = P::Coord::one();
    let start = Xyzz8 { x: *x, y: *y, zz: one, zzz: one, zero: 0 };
    let degenerate = has & !acc.zero & P::Coord::zero_lanes(&p, 4);
    let (from_start, from_sum) = (has & acc.zero, has & !acc.zero & !degenerate);
    let before = *acc;
    acc.take_lanes(from_sum, &sum);
    acc.take_lanes(from_start, &start);
    for l in (0..8).filter(|l| degenerate & (1 << l) != 0) {
        let mut b = before.lane::<P>(l);
        b += Affine::<P>::new_unchecked(lane_coord::<P>(x, l), lane_coord::<P>(y, l));
        acc.set_lane(l, &b);
    }
}

/// acc += other.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_xyzz<P: IfmaCurve>(acc: &mut Xyzz8<P::Coord>, other: &Xyzz8<P::Coord>) {
    let u1 = P::Coord::mul(&acc.x, &other.zz);
    let u2 = P::Coord::mul(&other.x, &acc.zz);
    let s1 = P::Coord::mul(&acc.y, &other.zzz);
    let s2 = P::Coord::mul(&other.y, &acc.zzz);
    let p = P::Coord::sub2(&u2, &u1);
    let r = P::Coord::sub2(&s2, &s1);
    let pp = P::Coord::mul(&p, &p);
    let ppp = P::Coord::mul(&pp, &p);
    let q = P::Coord::mul(&u1, &pp);
    let (x3, y3) = chord(&r, &ppp, &q, &s1);
    let zz = P::Coord::mul(&P::Coord::mul(&acc.zz, &other.zz), &pp);
    let zzz = P::Coord::mul(&P::Coord::mul(&acc.zzz, &other.zzz), &ppp);
    let sum = Xyzz8 { x: x3, y: y3, zz, zzz, zero: 0 };
    let both = !acc.zero & !other.zero;
    let degenerate = both & P::Coord::zero_lanes(&p, 4);
    let before = *acc;
    acc.take_lanes(both & !degenerate, &sum);
    acc.take_lanes(acc.zero & !other.zero, other);
    for l in (0..8).filter(|l| degenerate & (1 << l) != 0) {
        let mut b = before.lane::<P>(l);
        b += &other.lane::<P>(l);
        acc.set_lane(l, &b);
    }
}

/// The affine coordinates of the records `index` names (word offsets), eight lanes.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn gather_xy<C: Coord8>(records: *const u64, index: &[u64; 8]) -> (C, C) {
    let index = _mm512_loadu_si512(index.as_ptr().cast());
    (C::gather(records, index, 0), C::gather(records, index, C::WORDS))
}

/// Σ (b+1) · bucket[b] over the buckets in `filled` (records of x then y, canonical 52-bit
/// limbs, 2 · `Coord::WORDS` words each), as an arkworks bucket. The bucket count must be a
/// multiple of 8.
///
/// # Safety
/// The CPU has AVX-512 F and IFMA; `records` holds `filled.len()` records.
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn bucket_sum<P: IfmaCurve>(records: *const u64, filled: &[bool]) -> Bucket<P> {
    let words = words::<P>();
    let segment = filled.len() / 8;
    debug_assert_eq!(segment * 8, filled.len());
    let (mut running, mut sum) = (Xyzz8::identity(), Xyzz8::identity());
    for k in (0..segment).rev() {
        let index: [u64; 8] = std::array::from_fn(|l| ((l * segment + k) * words) as u64);
        let has = (0..8).fold(0u8, |m, l| m | (u8::from(filled[l * segment + k]) << l));
        let (x, y) = gather_xy(records, &index);
        add_affine::<P>(&mut running, &x, &y, has);
        add_xyzz::<P>(&mut sum, &running);
    }
    // Lane l's sum weighs its buckets 1..=segment; they need l·segment more each:
    // Σ_l l·running_l by running sums over the lanes, then `segment` (a power of two) times it.
    let (mut total, mut above, mut weighted) = (Bucket::<P>::ZERO, Bucket::<P>::ZERO, Bucket::<P>::ZERO);
    for l in (0..8).rev() {
        total += &sum.lane::<P>(l);
        weighted += &above;
        above += &running.lane::<P>(l);
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
/// The CPU has AVX-512 F and IFMA; `records` holds stride·copies records.
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn copies_sum<P: IfmaCurve>(
    records: *const u64,
    filled: &[bool],
    stride: usize,
    copies: usize,
) -> Bucket<P> {
    debug_assert!(copies.is_multiple_of(8) && filled.len() == stride * copies);
    let words = words::<P>();
    let (mut running, mut sum) = (Xyzz8::identity(), Xyzz8::identity());
    for b in (0..stride).rev() {
        for t in 0..copies / 8 {
            let bucket = |l: usize| b + stride * (8 * t + l);
            let index: [u64; 8] = std::array::from_fn(|l| (bucket(l) * words) as u64);
            let has = (0..8).fold(0u8, |m, l| m | (u8::from(filled[bucket(l)]) << l));
            let (x, y) = gather_xy(records, &index);
            add_affine::<P>(&mut running, &x, &y, has);
        }
        add_xyzz::<P>(&mut sum, &running);
    }
    let mut total = Bucket::<P>::ZERO;
    for l in 0..8 {
        total += &sum.lane::<P>(l);
    }
    total
}
