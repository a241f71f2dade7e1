//! BN254 Fq2 = Fq[u]/(u² + 1) eight elements at a time: two [`Fq8`] vectors, the products by
//! Karatsuba (three Fq products), the inverse through the norm (one Fq inversion). The G2 MSM's
//! coordinates.
//!
//! Ranges: [`mul`] takes components below 4p (so a0 + a1 stays below the Fq product's 8p) and
//! returns them below 2p; [`sub`] is a − b + p per component, as for Fq.

use std::arch::x86_64::*;

use ark_bn254::Fq2;

use super::lanes52::{self as l52, Fq52, Fq8, Modulus52, LIMBS};

/// Eight Fq2 elements: real and imaginary parts.
#[derive(Clone, Copy)]
pub struct Fq2x8 {
    pub c0: Fq8,
    pub c1: Fq8,
}

/// The 52-bit forms of an Fq2 element's two components (ten limbs), canonical.
pub fn from_ark(x: &Fq2) -> [u64; 2 * LIMBS] {
    let mut out = [0; 2 * LIMBS];
    out[..LIMBS].copy_from_slice(&Fq52::from_ark(&x.c0));
    out[LIMBS..].copy_from_slice(&Fq52::from_ark(&x.c1));
    out
}

/// The element whose components' 52-bit forms are `l` (canonical limbs).
pub fn to_ark(l: &[u64]) -> Fq2 {
    let part = |w: &[u64]| Fq52::to_ark(w.try_into().expect("five limbs"));
    Fq2::new(part(&l[..LIMBS]), part(&l[LIMBS..2 * LIMBS]))
}

impl Fq2x8 {
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn splat(l: [u64; 2 * LIMBS]) -> Self {
        let (c0, c1) = l.split_at(LIMBS);
        Self { c0: Fq8::splat(c0.try_into().expect("five limbs")), c1: Fq8::splat(c1.try_into().expect("five limbs")) }
    }

    /// Components at words `offset..offset + 10` of the records `index` names (as
    /// [`Fq8::gather`]).
    ///
    /// # Safety
    /// As for [`Fq8::gather`], for ten words.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gather(base: *const u64, index: __m512i, offset: usize) -> Self {
        Self { c0: Fq8::gather(base, index, offset), c1: Fq8::gather(base, index, offset + LIMBS) }
    }

    /// # Safety
    /// As for [`Fq8::scatter`], for ten words.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scatter(self, base: *mut u64, index: __m512i, offset: usize, mask: __mmask8) {
        self.c0.scatter(base, index, offset, mask);
        self.c1.scatter(base, index, offset + LIMBS, mask);
    }

    /// Lane `l`'s ten words (c0's limbs, then c1's) into `out`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn lane_words(&self, l: usize, out: &mut [u64]) {
        let (c0, c1) = out.split_at_mut(LIMBS);
        self.c0.lane_words(l, c0);
        self.c1.lane_words(l, c1);
    }

    /// This vector with lane `l` set to the ten words `words`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn with_lane_words(&self, l: usize, words: &[u64]) -> Self {
        let (c0, c1) = words.split_at(LIMBS);
        Self { c0: self.c0.with_lane_words(l, c0), c1: self.c1.with_lane_words(l, c1) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn select(mask: __mmask8, a: Self, b: Self) -> Self {
        Self { c0: Fq8::select(mask, a.c0, b.c0), c1: Fq8::select(mask, a.c1, b.c1) }
    }
}

/// a + b per component.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn add(a: &Fq2x8, b: &Fq2x8) -> Fq2x8 {
    Fq2x8 { c0: l52::add(&a.c0, &b.c0), c1: l52::add(&a.c1, &b.c1) }
}

/// a − b + p per component.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub(a: &Fq2x8, b: &Fq2x8) -> Fq2x8 {
    Fq2x8 { c0: l52::sub(&a.c0, &b.c0), c1: l52::sub(&a.c1, &b.c1) }
}

/// a − b + 2p per component.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub2(a: &Fq2x8, b: &Fq2x8) -> Fq2x8 {
    Fq2x8 { c0: l52::sub2(&a.c0, &b.c0), c1: l52::sub2(&a.c1, &b.c1) }
}

/// a − b + 4p per component.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub4(a: &Fq2x8, b: &Fq2x8) -> Fq2x8 {
    Fq2x8 { c0: l52::sub4(&a.c0, &b.c0), c1: l52::sub4(&a.c1, &b.c1) }
}

/// a · b, components below 2p, for components of a and b below 4p.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul(a: &Fq2x8, b: &Fq2x8) -> Fq2x8 {
    let v0 = l52::mul(&a.c0, &b.c0);
    let v1 = l52::mul(&a.c1, &b.c1);
    let s = l52::mul(&l52::add(&a.c0, &a.c1), &l52::add(&b.c0, &b.c1));
    // (a0 b0 − a1 b1) + (a0 b1 + a1 b0) u, the second as s − v0 − v1.
    let c0 = l52::reduce_to_2p(&l52::sub2(&v0, &v1));
    let c1 = l52::reduce_to_2p(&l52::sub2(&s, &l52::reduce_to_2p(&l52::add(&v0, &v1))));
    Fq2x8 { c0, c1 }
}

/// v mod p per component, for components below `bound` · p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn reduce_below(v: &Fq2x8, bound: u32) -> Fq2x8 {
    Fq2x8 { c0: l52::reduce_below(&v.c0, bound), c1: l52::reduce_below(&v.c1, bound) }
}

/// The lanes where v ≡ 0, for components below `bound` · p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn zero_lanes(v: &Fq2x8, bound: u32) -> __mmask8 {
    l52::zero_lanes(&v.c0, bound) & l52::zero_lanes(&v.c1, bound)
}

/// a⁻¹ = (a0 − a1 u) / (a0² + a1²) in every lane, components below 2p; lanes must be non-zero.
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn invert(a: &Fq2x8) -> Fq2x8 {
    let norm = l52::add(&l52::mul(&a.c0, &a.c0), &l52::mul(&a.c1, &a.c1));
    let inv = l52::invert(&norm);
    let zero = Fq8::splat([0; LIMBS]);
    Fq2x8 { c0: l52::mul(&a.c0, &inv), c1: l52::mul(&l52::sub2(&zero, &a.c1), &inv) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, UniformRand, Zero};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn lanes(xs: &[Fq2; 8]) -> Fq2x8 {
        let l = xs.map(|x| from_ark(&x));
        let part = |o: usize| std::array::from_fn(|k| std::array::from_fn(|lane| l[lane][o + k]));
        // SAFETY: callers checked the features.
        unsafe { Fq2x8 { c0: Fq8::from_lanes(&part(0)), c1: Fq8::from_lanes(&part(LIMBS)) } }
    }

    fn unlanes(v: Fq2x8) -> [Fq2; 8] {
        // SAFETY: callers checked the features.
        let (a, b) = unsafe { (l52::reduce_below(&v.c0, 2).to_lanes(), l52::reduce_below(&v.c1, 2).to_lanes()) };
        std::array::from_fn(|lane| {
            let w: Vec<u64> = (0..LIMBS).map(|k| a[k][lane]).chain((0..LIMBS).map(|k| b[k][lane])).collect();
            to_ark(&w)
        })
    }

    #[test]
    fn fq2_lanes_match_arkworks() {
        if !l52::available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the portable paths run instead)");
            return;
        }
        let seed = 0xf92_1a7e5;
        eprintln!("seed {seed:#x}");
        let mut rng = StdRng::seed_from_u64(seed);
        let (zero, one) = (Fq2::zero(), Fq2::one());
        let minus_one = -one;
        let i = Fq2::new(ark_bn254::Fq::zero(), ark_bn254::Fq::one());
        for round in 0..200 {
            let mut a: [Fq2; 8] = std::array::from_fn(|_| Fq2::rand(&mut rng));
            let mut b: [Fq2; 8] = std::array::from_fn(|_| Fq2::rand(&mut rng));
            if round == 0 {
                a = [zero, one, minus_one, i, -i, one, minus_one, i + one];
                b = [minus_one, i, -i, i, zero, one, one, minus_one];
            }
            // SAFETY: features checked above.
            unsafe {
                let (va, vb) = (lanes(&a), lanes(&b));
                assert_eq!(unlanes(mul(&va, &vb)), std::array::from_fn(|l| a[l] * b[l]), "round {round}");
                let d = sub(&va, &vb);
                assert_eq!(unlanes(d), std::array::from_fn(|l| a[l] - b[l]), "round {round}");
                // Unreduced differences (below 2p) into a product.
                assert_eq!(unlanes(mul(&d, &d)), std::array::from_fn(|l| (a[l] - b[l]).square()), "round {round}");
                let equal = zero_lanes(&sub(&va, &va), 2);
                assert_eq!(equal, 0xff);
                let zeros = zero_lanes(&va, 2);
                let want = (0..8).filter(|&l| a[l].is_zero()).fold(0u8, |m, l| m | (1 << l));
                assert_eq!(zeros, want, "round {round}");
            }
            if a.iter().all(|x| !x.is_zero()) {
                // SAFETY: features checked above.
                let inv = unsafe { invert(&lanes(&a)) };
                assert_eq!(unlanes(inv), a.map(|x| x.inverse().unwrap()), "round {round}");
            }
        }
    }
}
