//! What the NTT needs of a field, implemented for Plonky3's BabyBear/KoalaBear and arkworks'
//! BN254 Fr with the roots of unity their own DFTs use, so results match them bit for bit.

use std::ops::{Add, Mul, Neg, Sub};

use ark_ff::{FftField, Field as _};
use p3_field::{Field, PackedValue, PrimeCharacteristicRing, TwoAdicField};

use crate::field::{BabyBear, Bn254Fr, DeviceField, KoalaBear};

/// Two consecutive stages on four rows r0..r3 spaced q apart (a radix-4 step): the larger
/// stage pairs (r0, r2) with twiddle w1 and (r1, r3) with w2, the smaller pairs (r0, r1) and
/// (r2, r3) with w3. DIF runs the larger stage first, DIT the smaller. One load and store of each
/// row for two stages: the passes are bound by cache bandwidth, not arithmetic.
#[inline(always)]
pub fn radix4<T: Copy + Add<Output = T> + Sub<Output = T> + Mul<Output = T>>(
    r: [T; 4],
    w1: T,
    w2: T,
    w3: T,
    dif: bool,
) -> [T; 4] {
    let [a, b, c, d] = r;
    if dif {
        let (a, c) = (a + c, (a - c) * w1);
        let (b, d) = (b + d, (b - d) * w2);
        [a + b, (a - b) * w3, c + d, (c - d) * w3]
    } else {
        let b = b * w3;
        let d = d * w3;
        let (a, b) = (a + b, a - b);
        let (c, d) = (c + d, c - d);
        let c = c * w1;
        let d = d * w2;
        [a + c, b + d, a - c, b - d]
    }
}

/// The kernels of one field's radix-2 NTT (`kernels/ntt/ntt_radix2.cu`).
#[derive(Debug, Clone, Copy)]
pub struct NttKernels {
    pub block_pass: &'static str,
    pub bitrev: &'static str,
    pub scale_rows: &'static str,
}

/// A two-adic field the NTT runs over.
pub trait NttField:
    DeviceField + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self>
{
    /// The largest `k` with a subgroup of order 2^k: the largest supported height is 2^k.
    const TWO_ADICITY: usize;
    /// Bits of the modulus (how likely a random point hits a root: the self-check's soundness).
    const MODULUS_BITS: u32;
    const KERNELS: NttKernels;
    fn zero() -> Self;
    fn one() -> Self;
    fn from_u64(x: u64) -> Self;
    /// The generator of the subgroup of order 2^log_n that the reference DFT uses.
    fn root_of_unity(log_n: usize) -> Self;
    /// The inverse of a non-zero element.
    fn inv(self) -> Self;
    /// (a, b) -> (a + b, (a - b) w), element-wise over two rows.
    fn dif_rows(a: &mut [Self], b: &mut [Self], w: Self) {
        for (x, y) in a.iter_mut().zip(b) {
            let (s, d) = (*x + *y, (*x - *y) * w);
            *x = s;
            *y = d;
        }
    }
    /// (a, b) -> (a + b w, a - b w), element-wise over two rows.
    fn dit_rows(a: &mut [Self], b: &mut [Self], w: Self) {
        for (x, y) in a.iter_mut().zip(b) {
            let t = *y * w;
            let (s, d) = (*x + t, *x - t);
            *x = s;
            *y = d;
        }
    }
    /// [`radix4`] element-wise over four rows.
    fn radix4_rows(rows: [&mut [Self]; 4], w: [Self; 3], dif: bool) {
        let [r0, r1, r2, r3] = rows;
        for (((a, b), c), d) in r0.iter_mut().zip(r1.iter_mut()).zip(r2.iter_mut()).zip(r3.iter_mut()) {
            [*a, *b, *c, *d] = radix4([*a, *b, *c, *d], w[0], w[1], w[2], dif);
        }
    }
    /// (a, b) -> (a + b, a - b): the butterfly of either kind when the twiddle is 1 (every
    /// butterfly of the narrowest stage), without the multiplication.
    fn add_sub_rows(a: &mut [Self], b: &mut [Self]) {
        for (x, y) in a.iter_mut().zip(b) {
            let (s, d) = (*x + *y, *x - *y);
            *x = s;
            *y = d;
        }
    }
    /// row[i] *= f.
    fn scale_row_in_place(row: &mut [Self], f: Self) {
        for x in row {
            *x = *x * f;
        }
    }
    /// `out[i] = Σ_c m[i][c] · r[c]` for the `width`-column row-major `m` (the self-check's
    /// random combination of the columns).
    fn combine_rows(m: &[Self], width: usize, r: &[Self], out: &mut [Self]) {
        for (o, row) in out.iter_mut().zip(m.chunks_exact(width)) {
            *o = Self::dot(row, r);
        }
    }
    /// Σ row[i] · r[i].
    fn dot(row: &[Self], r: &[Self]) -> Self {
        row.iter().zip(r).fold(Self::zero(), |acc, (&x, &c)| acc + x * c)
    }
    /// Σ_i col[i] · x_i / (z − x_i), x_i = c0 · table[i], for every z of `zs`: one chunk of the
    /// self-check's barycentric sum.
    fn barycentric_chunk(col: &[Self], c0: Self, table: &[Self], zs: &[Self]) -> Vec<Self> {
        crate::verify::poly::barycentric(col, c0, table, zs)
    }
    /// The whole DIF of one column (natural order in, bit-reversed out; `tw` the size-2^log_n
    /// table) by a faster path of this field's own, when this CPU has one: `Ok(false)` leaves
    /// `v` untouched for the generic stages.
    fn dif_column_fast(v: &mut [Self], log_n: u32, tw: &[Self]) -> crate::Result<bool> {
        let _ = (v, log_n, tw);
        Ok(false)
    }
    fn pow_u64(self, e: u64) -> Self {
        let (mut r, mut b, mut e) = (Self::one(), self, e);
        while e > 0 {
            if e & 1 == 1 {
                r = r * b;
            }
            b = b * b;
            e >>= 1;
        }
        r
    }
}

macro_rules! kernels {
    ($name:literal) => {
        NttKernels {
            block_pass: concat!("chk_ntt_", $name, "_block_pass"),
            bitrev: concat!("chk_ntt_", $name, "_bitrev"),
            scale_rows: concat!("chk_ntt_", $name, "_scale_rows"),
        }
    };
}

macro_rules! p3_ntt_field {
    ($ty:ty, $name:literal) => {
        impl NttField for $ty {
            const TWO_ADICITY: usize = <$ty as TwoAdicField>::TWO_ADICITY;
            const MODULUS_BITS: u32 = 31;
            const KERNELS: NttKernels = kernels!($name);
            fn zero() -> Self {
                Self::ZERO
            }
            fn one() -> Self {
                Self::ONE
            }
            fn from_u64(x: u64) -> Self {
                <$ty as PrimeCharacteristicRing>::from_u64(x)
            }
            fn root_of_unity(log_n: usize) -> Self {
                Self::two_adic_generator(log_n)
            }
            fn inv(self) -> Self {
                Field::inverse(&self)
            }
            // Plonky3's packed arithmetic (AVX2 / AVX-512 / NEON as compiled for) across the row.
            fn dif_rows(a: &mut [Self], b: &mut [Self], w: Self) {
                type P = <$ty as Field>::Packing;
                let (ap, a_tail) = P::pack_slice_with_suffix_mut(a);
                let (bp, b_tail) = P::pack_slice_with_suffix_mut(b);
                let wp = P::from(w);
                for (x, y) in ap.iter_mut().zip(bp) {
                    let (s, d) = (*x + *y, (*x - *y) * wp);
                    *x = s;
                    *y = d;
                }
                for (x, y) in a_tail.iter_mut().zip(b_tail) {
                    let (s, d) = (*x + *y, (*x - *y) * w);
                    *x = s;
                    *y = d;
                }
            }
            fn radix4_rows(rows: [&mut [Self]; 4], w: [Self; 3], dif: bool) {
                type P = <$ty as Field>::Packing;
                let [r0, r1, r2, r3] = rows;
                let (p0, t0) = P::pack_slice_with_suffix_mut(r0);
                let (p1, t1) = P::pack_slice_with_suffix_mut(r1);
                let (p2, t2) = P::pack_slice_with_suffix_mut(r2);
                let (p3, t3) = P::pack_slice_with_suffix_mut(r3);
                let wp = w.map(P::from);
                for (((a, b), c), d) in p0.iter_mut().zip(p1.iter_mut()).zip(p2.iter_mut()).zip(p3.iter_mut()) {
                    [*a, *b, *c, *d] = radix4([*a, *b, *c, *d], wp[0], wp[1], wp[2], dif);
                }
                for (((a, b), c), d) in t0.iter_mut().zip(t1.iter_mut()).zip(t2.iter_mut()).zip(t3.iter_mut()) {
                    [*a, *b, *c, *d] = radix4([*a, *b, *c, *d], w[0], w[1], w[2], dif);
                }
            }
            fn add_sub_rows(a: &mut [Self], b: &mut [Self]) {
                type P = <$ty as Field>::Packing;
                let (ap, a_tail) = P::pack_slice_with_suffix_mut(a);
                let (bp, b_tail) = P::pack_slice_with_suffix_mut(b);
                for (x, y) in ap.iter_mut().zip(bp) {
                    let (s, d) = (*x + *y, *x - *y);
                    *x = s;
                    *y = d;
                }
                for (x, y) in a_tail.iter_mut().zip(b_tail) {
                    let (s, d) = (*x + *y, *x - *y);
                    *x = s;
                    *y = d;
                }
            }
            fn dot(row: &[Self], r: &[Self]) -> Self {
                type P = <$ty as Field>::Packing;
                let (rowp, row_tail) = P::pack_slice_with_suffix(row);
                let (rp, r_tail) = P::pack_slice_with_suffix(&r[..row.len()]);
                // Four words per Montgomery reduction (Plonky3's lazy dot product), the lanes
                // summed in u64 with one reduction (its `Sum`).
                let mut acc = P::ZERO;
                let (rowp4, rowp1) = rowp.split_at(rowp.len() & !3);
                for (x, c) in rowp4.chunks_exact(4).zip(rp.chunks_exact(4)) {
                    acc += P::dot_product::<4>(x.try_into().unwrap(), c.try_into().unwrap());
                }
                for (&x, &c) in rowp1.iter().zip(&rp[rowp4.len()..]) {
                    acc += x * c;
                }
                let tail = row_tail.iter().zip(r_tail).fold(Self::ZERO, |a, (&x, &c)| a + x * c);
                tail + acc.as_slice().iter().copied().sum::<Self>()
            }
            fn barycentric_chunk(col: &[Self], c0: Self, table: &[Self], zs: &[Self]) -> Vec<Self> {
                crate::verify::poly::barycentric_packed(col, c0, table, zs)
            }
            fn combine_rows(m: &[Self], width: usize, r: &[Self], out: &mut [Self]) {
                crate::verify::poly::combine_rows_packed(m, width, r, out)
            }
            fn scale_row_in_place(row: &mut [Self], f: Self) {
                type P = <$ty as Field>::Packing;
                let (rp, r_tail) = P::pack_slice_with_suffix_mut(row);
                let fp = P::from(f);
                for x in rp {
                    *x *= fp;
                }
                for x in r_tail {
                    *x *= f;
                }
            }
            fn dit_rows(a: &mut [Self], b: &mut [Self], w: Self) {
                type P = <$ty as Field>::Packing;
                let (ap, a_tail) = P::pack_slice_with_suffix_mut(a);
                let (bp, b_tail) = P::pack_slice_with_suffix_mut(b);
                let wp = P::from(w);
                for (x, y) in ap.iter_mut().zip(bp) {
                    let t = *y * wp;
                    let (s, d) = (*x + t, *x - t);
                    *x = s;
                    *y = d;
                }
                for (x, y) in a_tail.iter_mut().zip(b_tail) {
                    let t = *y * w;
                    let (s, d) = (*x + t, *x - t);
                    *x = s;
                    *y = d;
                }
            }
        }
    };
}
p3_ntt_field!(BabyBear, "babybear");
p3_ntt_field!(KoalaBear, "koalabear");

impl NttField for Bn254Fr {
    const TWO_ADICITY: usize = <Bn254Fr as FftField>::TWO_ADICITY as usize;
    const MODULUS_BITS: u32 = 254;
    const KERNELS: NttKernels = kernels!("bn254_fr");
    fn zero() -> Self {
        <Self as ark_ff::Zero>::zero()
    }
    fn one() -> Self {
        <Self as ark_ff::One>::one()
    }
    fn from_u64(x: u64) -> Self {
        Self::from(x)
    }
    /// As `ark_poly::Radix2EvaluationDomain::new(2^log_n).group_gen`.
    fn root_of_unity(log_n: usize) -> Self {
        Self::get_root_of_unity(1u64 << log_n).expect("log_n <= TWO_ADICITY is checked by the caller")
    }
    fn inv(self) -> Self {
        self.inverse().expect("only called on non-zero elements")
    }
    /// Eight lanes of 52-bit limbs with AVX-512 IFMA (`super::lanes`), where the CPU has it.
    fn dif_column_fast(v: &mut [Self], log_n: u32, tw: &[Self]) -> crate::Result<bool> {
        #[cfg(target_arch = "x86_64")]
        return super::lanes::dif_column(v, log_n, tw);
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (v, log_n, tw);
            Ok(false)
        }
    }
}
