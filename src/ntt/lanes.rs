//! BN254 Fr transforms of one column eight lanes at a time with AVX-512 IFMA
//! ([`crate::field::lanes52`]): a product of eight elements costs about what one arkworks
//! product does, so the butterflies run ~3× faster than the scalar stages.
//!
//! Lanes need eight transforms that share their twiddles, so a column of n = 8m is split as a
//! four-step FFT: with i = l·m + a and k = u + 8v,
//!
//!   X[u + 8v] = Σ_a w_m^(a·v) · w^(a·u) · Σ_l x[l·m + a] · w_8^(l·u),
//!
//! 1. for each column group a..a+8 (one vector a row l), the size-8 DFT over l, the product by
//!    w^(a·u), and an 8 × 8 transpose: block a holds t_u(a) in lane u;
//! 2. the size-m DIF over the blocks ([`super::cpu::stages`] with [`BlockRows`]): all eight lanes
//!    share each twiddle, which is w^(8j) of the column's own table;
//! 3. block c = bitrev_m(v) lane u is X[u + 8v], which the DIF puts at rev_3(u)·m + c: a transpose
//!    back, values made canonical, and eight contiguous stores per block group.
//!
//! Values stay in arkworks' Montgomery form (x · 2^256) throughout, below 2p between steps:
//! twiddles are in the 52-bit form (w · 2^260), and a product x·2^256 · w·2^260 / 2^260 is again
//! in arkworks' form, so only the limbs are split on the way in and joined on the way out.

// Limb loops are indexed (see lanes52 for why).
#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;

use ark_bn254::Fr;
use rayon::prelude::*;

use super::cpu::{self, RowOps};
use crate::error::Result;
use crate::field::lanes52::{self as l52, Fr52, Fr8, Modulus52, LIMBS};
use crate::mem;

/// Eight elements' limbs, limb-major: one aligned vector load per limb.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct Block([[u64; 8]; LIMBS]);

/// Smallest column the lanes take: 8 column groups of 8 (smaller ones are a few µs anyway).
const MIN_LOG_N: u32 = 6;
/// Column groups (of eight columns) per task in the transposing passes.
const GROUPS_PER_TASK: usize = 64;

/// The DIF of `v` (natural order in, bit-reversed out) with the size-2^log_n table `tw`
/// (w^i, i < n/2; w the forward or inverse root). `Ok(false)`: this CPU has no IFMA, or the
/// column is too small, and `v` is untouched.
pub(super) fn dif_column(v: &mut [Fr], log_n: u32, tw: &[Fr]) -> Result<bool> {
    if !l52::available() || log_n < MIN_LOG_N {
        return Ok(false);
    }
    debug_assert_eq!(v.len(), 1 << log_n);
    let (n, log_m) = (1usize << log_n, log_n - 3);
    let m = n >> 3;
    // w^e for any e (the table holds the first half of the circle; w^(n/2) = −1).
    let power = |e: usize| {
        let e = e % n;
        if e < n / 2 {
            tw[e]
        } else {
            -tw[e - n / 2]
        }
    };
    let w8: [[u64; LIMBS]; 4] = std::array::from_fn(|l| Fr52::from_ark(&power(l * m)));
    let step: [[u64; LIMBS]; 8] = std::array::from_fn(|u| Fr52::from_ark(&power(8 * u)));
    // n/16 conversions (65 536 at 2^20): on every core.
    let mut tw_m: Vec<[u64; LIMBS]> = mem::with_capacity(m / 2)?;
    tw_m.par_extend((0..m / 2).into_par_iter().map(|j| Fr52::from_ark(&tw[8 * j])));

    let mut blocks: Vec<Block> = mem::with_capacity(m)?;
    cpu::prefault(&mut blocks.spare_capacity_mut()[..m]);
    let src = SharedPtr(v.as_mut_ptr());
    blocks.spare_capacity_mut()[..m].par_chunks_mut(8 * GROUPS_PER_TASK).enumerate().for_each(|(task, out)| {
        let first = task * GROUPS_PER_TASK * 8;
        // t_u of lanes a..a+8 starts at w^(a·u) and steps by w^(8u) a group.
        let mut twiddle: [[[u64; 8]; LIMBS]; 8] = [[[0; 8]; LIMBS]; 8];
        for u in 0..8 {
            for lane in 0..8 {
                let limbs = Fr52::from_ark(&power((first + lane) * u));
                for k in 0..LIMBS {
                    twiddle[u][k][lane] = limbs[k];
                }
            }
        }
        // SAFETY: this path runs only where `available()` found AVX-512 F and IFMA; the group
        // reads columns first..first + 8·groups of the 8 rows of v (m = 8·(m/8) columns each),
        // and writes exactly its `out` blocks, which `set_len` below then covers.
        unsafe { first_step(src, m, first, out, &twiddle, &w8, &step) };
    });
    // SAFETY: the tasks above wrote every one of the m blocks (8 per group, m/8 groups).
    unsafe { blocks.set_len(m) };

    cpu::stages::<BlockRows>(&mut blocks, 1, log_m, 0, log_m - 1, &tw_m, true);

    let dst = SharedPtr(v.as_mut_ptr());
    blocks.par_chunks(8 * GROUPS_PER_TASK).enumerate().for_each(|(task, group)| {
        // SAFETY: features as above; the task writes columns first..first + group.len() of
        // each of the 8 rows of v, which no other task touches.
        unsafe { last_step(dst, m, task * GROUPS_PER_TASK * 8, group) };
    });
    Ok(true)
}

/// A pointer that tasks writing disjoint elements share.
#[derive(Clone, Copy)]
struct SharedPtr(*mut Fr);
// SAFETY: tasks only touch disjoint columns through it (see the callers).
unsafe impl Send for SharedPtr {}
unsafe impl Sync for SharedPtr {}

impl SharedPtr {
    /// # Safety
    /// `offset` lies inside the slice the pointer came from.
    unsafe fn at(self, offset: usize) -> *mut Fr {
        self.0.add(offset)
    }
}

/// Step 1 for the column groups of `out` (starting at column `first`): size-8 DFTs across the
/// rows, twiddles, transposes into blocks.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn first_step(
    v: SharedPtr,
    m: usize,
    first: usize,
    out: &mut [std::mem::MaybeUninit<Block>],
    twiddle: &[[[u64; 8]; LIMBS]; 8],
    w8: &[[u64; LIMBS]; 4],
    step: &[[u64; LIMBS]; 8],
) {
    let w8: [Fr8; 4] = std::array::from_fn(|l| Fr8::splat(w8[l]));
    let step: [Fr8; 8] = std::array::from_fn(|u| Fr8::splat(step[u]));
    let mut tw: [Fr8; 8] = std::array::from_fn(|u| Fr8::from_lanes(&twiddle[u]));
    for (g, blocks) in out.chunks_mut(8).enumerate() {
        let a = first + 8 * g;
        let mut x: [Fr8; 8] = std::array::from_fn(|l| load8(v.at(l * m + a)));
        dft8(&mut x, &w8);
        // x[q] holds z_(rev3 q); t_u = z_u · w^(a·u).
        let mut t = [x[0]; 8];
        for u in 1..8 {
            t[u] = l52::mul(&x[rev3(u)], &tw[u]);
            tw[u] = l52::mul(&tw[u], &step[u]);
        }
        for k in 0..LIMBS {
            let mut rows: [__m512i; 8] = std::array::from_fn(|u| t[u].0[k]);
            transpose8(&mut rows);
            for (lane, block) in blocks.iter_mut().enumerate() {
                _mm512_store_si512(block.as_mut_ptr().cast::<[u64; 8]>().add(k).cast(), rows[lane]);
            }
        }
    }
}

/// Step 3 for the blocks of `group` (block `first` onwards): transposes back, canonical values,
/// stores to rows rev3(u).
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn last_step(v: SharedPtr, m: usize, first: usize, group: &[Block]) {
    for (g, blocks) in group.chunks(8).enumerate() {
        let c = first + 8 * g;
        let mut limbs = [[_mm512_setzero_si512(); 8]; LIMBS];
        for k in 0..LIMBS {
            limbs[k] = std::array::from_fn(|lane| _mm512_load_si512(blocks[lane].0[k].as_ptr().cast()));
            transpose8(&mut limbs[k]);
        }
        for u in 0..8 {
            let x = Fr8::new(std::array::from_fn(|k| limbs[k][u]));
            store8(v.at(rev3(u) * m + c), &l52::reduce_below(&x, 2));
        }
    }
}

fn rev3(u: usize) -> usize {
    ((u & 1) << 2) | (u & 2) | (u >> 2)
}

/// The size-8 DIF across eight vectors (natural in, bit-reversed out), values below 2p; `w8`
/// holds w_8^0..3.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn dft8(x: &mut [Fr8; 8], w8: &[Fr8; 4]) {
    for half in [4, 2, 1] {
        for base in (0..8).step_by(2 * half) {
            for j in 0..half {
                let (p, q) = (base + j, base + j + half);
                // Twiddle w_(2·half)^j = w_8^(j · 4/half).
                let e = j * (4 / half);
                let d = l52::sub2(&x[p], &x[q]);
                x[p] = l52::reduce_to_2p(&l52::add(&x[p], &x[q]));
                x[q] = if e == 0 { l52::reduce_to_2p(&d) } else { l52::mul(&d, &w8[e]) };
            }
        }
    }
}

/// 8 × 8 transpose of 64-bit words: lane j of row i ↔ lane i of row j. Three rounds swap the
/// off-diagonal s × s blocks of every 2s × 2s block (s = 4, 2, 1).
#[inline]
#[target_feature(enable = "avx512f")]
fn transpose8(r: &mut [__m512i; 8]) {
    for s in [4usize, 2, 1] {
        // Row i (i & s = 0) keeps lanes j & s = 0 and takes row i+s's lanes j − s elsewhere;
        // row i+s takes row i's lanes j + s where j & s = 0 and keeps its own elsewhere.
        let lo: [i64; 8] = std::array::from_fn(|j| if j & s == 0 { j as i64 } else { (8 + j - s) as i64 });
        let hi: [i64; 8] = std::array::from_fn(|j| if j & s == 0 { (j + s) as i64 } else { (8 + j) as i64 });
        // SAFETY: 64 readable bytes each.
        let (lo, hi) = unsafe { (_mm512_loadu_si512(lo.as_ptr().cast()), _mm512_loadu_si512(hi.as_ptr().cast())) };
        for i in (0..8).filter(|i| i & s == 0) {
            let (a, b) = (r[i], r[i + s]);
            r[i] = _mm512_permutex2var_epi64(a, lo, b);
            r[i + s] = _mm512_permutex2var_epi64(a, hi, b);
        }
    }
}

/// Index vectors of the 2-element ↔ word-vector shuffles of [`load8`]/[`store8`].
#[inline]
#[target_feature(enable = "avx512f")]
fn index(i: [i64; 8]) -> __m512i {
    // SAFETY: 64 readable bytes.
    unsafe { _mm512_loadu_si512(i.as_ptr().cast()) }
}

const MASK52: u64 = (1 << 52) - 1;

/// The two shuffle rounds between four vectors of two elements each and four word vectors (the
/// same indices serve both ways, [`load8`] and [`store8`]): words 0, 1 (EVEN) or 2, 3 (ODD) of
/// four elements out of a pair of vectors, and the FIRST or SECOND halves of a pair joined.
const EVEN: [i64; 8] = [0, 4, 8, 12, 1, 5, 9, 13];
const ODD: [i64; 8] = [2, 6, 10, 14, 3, 7, 11, 15];
const FIRST: [i64; 8] = [0, 1, 2, 3, 8, 9, 10, 11];
const SECOND: [i64; 8] = [4, 5, 6, 7, 12, 13, 14, 15];

/// Eight consecutive arkworks elements (canonical words) as limb vectors.
///
/// # Safety
/// `p..p + 8` are readable elements.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load8(p: *const Fr) -> Fr8 {
    // q_i holds elements 2i, 2i+1 (four words each); w_k gathers word k of all eight.
    let q: [__m512i; 4] = std::array::from_fn(|i| _mm512_loadu_si512(p.cast::<u64>().add(8 * i).cast()));
    let (even, odd) = (index(EVEN), index(ODD));
    let t01 = [_mm512_permutex2var_epi64(q[0], even, q[1]), _mm512_permutex2var_epi64(q[2], even, q[3])];
    let t23 = [_mm512_permutex2var_epi64(q[0], odd, q[1]), _mm512_permutex2var_epi64(q[2], odd, q[3])];
    let (first, second) = (index(FIRST), index(SECOND));
    let w = [
        _mm512_permutex2var_epi64(t01[0], first, t01[1]),
        _mm512_permutex2var_epi64(t01[0], second, t01[1]),
        _mm512_permutex2var_epi64(t23[0], first, t23[1]),
        _mm512_permutex2var_epi64(t23[0], second, t23[1]),
    ];
    let mask = _mm512_set1_epi64(MASK52 as i64);
    let or = |a: __m512i, b: __m512i| _mm512_and_si512(_mm512_or_si512(a, b), mask);
    Fr8::new([
        _mm512_and_si512(w[0], mask),
        or(_mm512_srli_epi64::<52>(w[0]), _mm512_slli_epi64::<12>(w[1])),
        or(_mm512_srli_epi64::<40>(w[1]), _mm512_slli_epi64::<24>(w[2])),
        or(_mm512_srli_epi64::<28>(w[2]), _mm512_slli_epi64::<36>(w[3])),
        _mm512_srli_epi64::<16>(w[3]),
    ])
}

/// Eight canonical limb vectors stored as consecutive arkworks elements.
///
/// # Safety
/// `p..p + 8` are writable elements.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn store8(p: *mut Fr, x: &Fr8) {
    let l = x.0;
    let w = [
        _mm512_or_si512(l[0], _mm512_slli_epi64::<52>(l[1])),
        _mm512_or_si512(_mm512_srli_epi64::<12>(l[1]), _mm512_slli_epi64::<40>(l[2])),
        _mm512_or_si512(_mm512_srli_epi64::<24>(l[2]), _mm512_slli_epi64::<28>(l[3])),
        _mm512_or_si512(_mm512_srli_epi64::<36>(l[3]), _mm512_slli_epi64::<16>(l[4])),
    ];
    // The inverse of load8's shuffles: words 0, 1 (and 2, 3) of four elements, then elements.
    let (first, second) = (index(FIRST), index(SECOND));
    let t01 = [_mm512_permutex2var_epi64(w[0], first, w[1]), _mm512_permutex2var_epi64(w[0], second, w[1])];
    let t23 = [_mm512_permutex2var_epi64(w[2], first, w[3]), _mm512_permutex2var_epi64(w[2], second, w[3])];
    let (even, odd) = (index(EVEN), index(ODD));
    let q = [
        _mm512_permutex2var_epi64(t01[0], even, t23[0]),
        _mm512_permutex2var_epi64(t01[0], odd, t23[0]),
        _mm512_permutex2var_epi64(t01[1], even, t23[1]),
        _mm512_permutex2var_epi64(t01[1], odd, t23[1]),
    ];
    for (i, q) in q.into_iter().enumerate() {
        _mm512_storeu_si512(p.cast::<u64>().add(8 * i).cast(), q);
    }
}

/// Blocks of eight Fr lanes as rows of the generic stage passes, twiddles in the 52-bit form.
pub(super) struct BlockRows;

impl Block {
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn get(&self) -> Fr8 {
        // SAFETY: each limb row is 64 aligned bytes.
        Fr8::new(std::array::from_fn(|k| unsafe { _mm512_load_si512(self.0[k].as_ptr().cast()) }))
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn set(&mut self, x: Fr8) {
        for k in 0..LIMBS {
            // SAFETY: as in `get`.
            unsafe { _mm512_store_si512(self.0[k].as_mut_ptr().cast(), x.0[k]) };
        }
    }
}

/// a + b and a − b, both below 2p.
#[inline]
#[target_feature(enable = "avx512f")]
fn add_sub(a: &Fr8, b: &Fr8) -> (Fr8, Fr8) {
    (l52::reduce_to_2p(&l52::add(a, b)), l52::reduce_to_2p(&l52::sub2(a, b)))
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn add_sub_blocks(a: &mut [Block], b: &mut [Block]) {
    for (x, y) in a.iter_mut().zip(b) {
        let (s, d) = add_sub(&x.get(), &y.get());
        x.set(s);
        y.set(d);
    }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn dif_blocks(a: &mut [Block], b: &mut [Block], w: [u64; LIMBS]) {
    let w = Fr8::splat(w);
    for (x, y) in a.iter_mut().zip(b) {
        let (x0, y0) = (x.get(), y.get());
        x.set(l52::reduce_to_2p(&l52::add(&x0, &y0)));
        y.set(l52::mul(&l52::sub2(&x0, &y0), &w));
    }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn dit_blocks(a: &mut [Block], b: &mut [Block], w: [u64; LIMBS]) {
    let w = Fr8::splat(w);
    for (x, y) in a.iter_mut().zip(b) {
        let (s, d) = add_sub(&x.get(), &l52::mul(&y.get(), &w));
        x.set(s);
        y.set(d);
    }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn radix4_blocks(rows: [&mut [Block]; 4], w: [[u64; LIMBS]; 3], dif: bool) {
    let [w1, w2, w3] = w.map(|w| Fr8::splat(w));
    let [r0, r1, r2, r3] = rows;
    for (((a, b), c), d) in r0.iter_mut().zip(r1.iter_mut()).zip(r2.iter_mut()).zip(r3.iter_mut()) {
        let [x0, x1, x2, x3] = [a.get(), b.get(), c.get(), d.get()];
        let out = if dif {
            // As field::radix4: the larger stage (w1, w2), then the smaller (w3).
            let (s02, d02) = (l52::reduce_to_2p(&l52::add(&x0, &x2)), l52::mul(&l52::sub2(&x0, &x2), &w1));
            let (s13, d13) = (l52::reduce_to_2p(&l52::add(&x1, &x3)), l52::mul(&l52::sub2(&x1, &x3), &w2));
            [
                l52::reduce_to_2p(&l52::add(&s02, &s13)),
                l52::mul(&l52::sub2(&s02, &s13), &w3),
                l52::reduce_to_2p(&l52::add(&d02, &d13)),
                l52::mul(&l52::sub2(&d02, &d13), &w3),
            ]
        } else {
            let (s01, d01) = add_sub(&x0, &l52::mul(&x1, &w3));
            let (s23, d23) = add_sub(&x2, &l52::mul(&x3, &w3));
            let (c, d) = (l52::mul(&s23, &w1), l52::mul(&d23, &w2));
            let (o0, o2) = add_sub(&s01, &c);
            let (o1, o3) = add_sub(&d01, &d);
            [o0, o1, o2, o3]
        };
        a.set(out[0]);
        b.set(out[1]);
        c.set(out[2]);
        d.set(out[3]);
    }
}

// SAFETY (every method): blocks exist only inside `dif_column`, which runs after `available()`
// found AVX-512 F and IFMA.
impl RowOps for BlockRows {
    type E = Block;
    type W = [u64; LIMBS];
    /// 2^10 blocks (320 KiB) a task, as the field rows' 2^16 BabyBear words are 256 KiB.
    const GROUP_TASK_ELEMS: usize = 1 << 10;
    fn add_sub_rows(a: &mut [Block], b: &mut [Block]) {
        unsafe { add_sub_blocks(a, b) }
    }
    fn dif_rows(a: &mut [Block], b: &mut [Block], w: [u64; LIMBS]) {
        unsafe { dif_blocks(a, b, w) }
    }
    fn dit_rows(a: &mut [Block], b: &mut [Block], w: [u64; LIMBS]) {
        unsafe { dit_blocks(a, b, w) }
    }
    fn radix4_rows(rows: [&mut [Block]; 4], w: [[u64; LIMBS]; 3], dif: bool) {
        unsafe { radix4_blocks(rows, w, dif) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, UniformRand};
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    use crate::ntt::field::NttField;

    fn zero() -> Fr {
        <Fr as NttField>::zero()
    }
    fn one() -> Fr {
        <Fr as NttField>::one()
    }

    fn table(log_n: u32, inverse: bool) -> Vec<Fr> {
        let w = Fr::root_of_unity(log_n as usize);
        let w = if inverse { w.inverse().unwrap() } else { w };
        std::iter::successors(Some(one()), |x| Some(*x * w)).take(1 << (log_n - 1)).collect()
    }

    fn bitrev(i: usize, bits: u32) -> usize {
        i.reverse_bits() >> (usize::BITS - bits)
    }

    #[test]
    fn transposes_and_word_shuffles_round_trip() {
        if !l52::available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the scalar stages run instead)");
            return;
        }
        let mut rng = StdRng::seed_from_u64(0x1a7e5);
        let xs: Vec<Fr> = (0..8).map(|_| Fr::rand(&mut rng)).collect();
        let mut back = vec![zero(); 8];
        // SAFETY: features checked; eight elements each side.
        unsafe {
            let v = load8(xs.as_ptr());
            let lanes = v.to_lanes();
            for (lane, x) in xs.iter().enumerate() {
                assert_eq!(Fr52::from_raw(l52::join(std::array::from_fn(|k| lanes[k][lane]))), *x);
            }
            store8(back.as_mut_ptr(), &v);
            let mut rows: [__m512i; 8] = std::array::from_fn(|i| {
                let r: [i64; 8] = std::array::from_fn(|j| (10 * i + j) as i64);
                _mm512_loadu_si512(r.as_ptr().cast())
            });
            transpose8(&mut rows);
            for (i, r) in rows.iter().enumerate() {
                let mut out = [0i64; 8];
                _mm512_storeu_si512(out.as_mut_ptr().cast(), *r);
                assert_eq!(out, std::array::from_fn(|j| (10 * j + i) as i64));
            }
        }
        assert_eq!(back, xs);
    }

    /// The lanes' DIF against arkworks' FFT, bit-reversed, for forward and inverse roots, on
    /// random columns and columns of edge values.
    #[test]
    fn dif_column_matches_arkworks() {
        if !l52::available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the scalar stages run instead)");
            return;
        }
        let seed = 0xd1f_1a7e5;
        eprintln!("seed {seed:#x}");
        let mut rng = StdRng::seed_from_u64(seed);
        let edges = [zero(), one(), -one(), Fr::from(2u64), -Fr::from(2u64)];
        // Up to 2^15: block stages in one cache block (m ≤ 2^10) and in strided groups above.
        for log_n in MIN_LOG_N..=15 {
            let n = 1usize << log_n;
            let domain = Radix2EvaluationDomain::<Fr>::new(n).unwrap();
            for case in 0..3 {
                let x: Vec<Fr> = match case {
                    0 => (0..n).map(|_| Fr::rand(&mut rng)).collect(),
                    1 => (0..n).map(|i| edges[i % edges.len()]).collect(),
                    _ => vec![-one(); n],
                };
                for inverse in [false, true] {
                    let mut v = x.clone();
                    assert!(dif_column(&mut v, log_n, &table(log_n, inverse)).unwrap());
                    // The inverse root without 1/n: n · ifft.
                    let want = if inverse {
                        let scale = Fr::from(n as u64);
                        domain.ifft(&x).into_iter().map(|y| y * scale).collect()
                    } else {
                        domain.fft(&x)
                    };
                    for k in 0..n {
                        assert_eq!(v[bitrev(k, log_n)], want[k], "log_n {log_n} case {case} inverse {inverse} k {k}");
                    }
                }
            }
        }
    }

    /// The block stages' DIT (which `dif_column` does not use) undoes their DIF: n · x back.
    #[test]
    fn block_stages_dit_inverts_dif() {
        if !l52::available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the scalar stages run instead)");
            return;
        }
        let mut rng = StdRng::seed_from_u64(0xb10c5);
        for log_m in 1..=12 {
            let m = 1usize << log_m;
            let x: Vec<[u64; LIMBS]> = (0..8 * m).map(|_| Fr52::from_ark(&Fr::rand(&mut rng))).collect();
            let mut blocks: Vec<Block> = (0..m)
                .map(|b| Block(std::array::from_fn(|k| std::array::from_fn(|lane| x[8 * b + lane][k]))))
                .collect();
            let conv = |t: Vec<Fr>| t.iter().map(Fr52::from_ark).collect::<Vec<_>>();
            cpu::stages::<BlockRows>(&mut blocks, 1, log_m, 0, log_m - 1, &conv(table(log_m, false)), true);
            cpu::stages::<BlockRows>(&mut blocks, 1, log_m, 0, log_m - 1, &conv(table(log_m, true)), false);
            let scale = Fr::from(m as u64);
            for (b, block) in blocks.iter().enumerate() {
                for lane in 0..8 {
                    // SAFETY: features checked above.
                    let got = unsafe { l52::reduce_below(&block.get(), 2).lane(lane) };
                    assert_eq!(Fr52::to_ark(got), Fr52::to_ark(x[8 * b + lane]) * scale, "log_m {log_m}");
                }
            }
        }
    }
}
