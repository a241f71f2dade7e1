//! BN254 Fq or Fr eight elements at a time with AVX-512 IFMA: five 52-bit limbs per element,
//! one `__m512i` per limb (lane l of every limb vector is element l), Montgomery form with
//! R = 2^260. Generic over the modulus ([`Modulus52`]): the MSM runs it over Fq, the FFT over Fr.
//!
//! Why 52-bit limbs: `vpmadd52{lo,hi}uq` multiply eight 52-bit pairs and add the low or high
//! half of each 104-bit product to a 64-bit accumulator, so limb products accumulate without
//! carry chains; twelve spare bits per word absorb the sums, and carries are propagated once
//! at the end. A product costs 105 IFMA instructions for eight elements.
//!
//! Ranges (both moduli are ≈ 0.76 · 2^254): [`mul`] takes inputs below 8p and returns a result
//! below 2p (the Montgomery sum (ab + mp)/2^260 < 64p²/2^260 + p < 1.76p), so sums and
//! differences of a few reduced values go straight into a product; [`reduce_below`] brings a
//! value back to [0, p) where canonical bits are needed (stored buckets, equality, conversion).
//!
//! Conversion to and from arkworks (R = 2^256): the 52-bit form of x is x · 2^260 mod p, which
//! is arkworks' stored form of 16·x (four doublings); the way back multiplies by 1/16. A value
//! kept in arkworks' own form (x · 2^256) stays in it when multiplied by a 52-bit-form factor
//! (x · 2^256 · w · 2^260 / 2^260): the FFT multiplies arkworks' words by twiddles that way,
//! with no conversion of the data but its limb split.

// Limb loops are written with indices, not `array::from_fn`/`map` closures: those closures are
// called from std code built without the target features, so they cannot be inlined.
#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;
use std::marker::PhantomData;
use std::sync::OnceLock;

use ark_bn254::{Fq, FqConfig, Fr, FrConfig};
use ark_ff::{AdditiveGroup, BigInt, Field, MontConfig, One};

pub const LIMBS: usize = 5;
const MASK: u64 = (1 << 52) - 1;

/// Whether this CPU runs the IFMA paths: AVX-512 F and IFMA, and `CHERENKOV_CPU_PORTABLE`
/// unset (set it to time or test the portable paths on an IFMA machine).
pub fn available() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var_os("CHERENKOV_CPU_PORTABLE").is_none_or(|v| v.is_empty() || v == "0")
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512ifma")
    })
}

/// A 254-bit prime in 52-bit limbs, with the arkworks field it belongs to.
pub trait Modulus52: Copy + Send + Sync + 'static {
    type Ark: Field;
    /// p as four 64-bit words.
    const WORDS: [u64; 4];
    /// p, 2p and 4p in 52-bit limbs (they fit: 4p < 2^256).
    const P: [u64; LIMBS] = split(Self::WORDS);
    const P2: [u64; LIMBS] = split(double(Self::WORDS, 1));
    const P4: [u64; LIMBS] = split(double(Self::WORDS, 2));
    /// −p⁻¹ mod 2^52, the Montgomery reduction factor.
    const P_INV: u64 = neg_inverse(Self::P[0]);
    /// arkworks' stored words of x (x · 2^256 mod p).
    fn raw(x: &Self::Ark) -> [u64; 4];
    /// The element whose stored words are `w` (canonical).
    fn from_raw(w: [u64; 4]) -> Self::Ark;
    /// 1/16, the factor from the 52-bit form back to arkworks'.
    fn inv16() -> Self::Ark;

    /// The 52-bit Montgomery form of `x` (x · 2^260 mod p), canonical.
    fn from_ark(x: &Self::Ark) -> [u64; LIMBS] {
        let sixteen_x = x.double().double().double().double();
        split(Self::raw(&sixteen_x))
    }
    /// The arkworks element whose 52-bit Montgomery form is `l` (canonical limbs).
    fn to_ark(l: [u64; LIMBS]) -> Self::Ark {
        Self::from_raw(join(l)) * Self::inv16()
    }
    /// The 52-bit Montgomery form of one, canonical.
    fn one() -> [u64; LIMBS] {
        Self::from_ark(&Self::Ark::one())
    }
}

macro_rules! modulus52 {
    ($name:ident, $ark:ty, $config:ty, $what:literal) => {
        #[doc = concat!("BN254 ", $what, ".")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Modulus52 for $name {
            type Ark = $ark;
            const WORDS: [u64; 4] = <$config>::MODULUS.0;
            fn raw(x: &$ark) -> [u64; 4] {
                x.0 .0
            }
            fn from_raw(w: [u64; 4]) -> $ark {
                <$ark>::new_unchecked(BigInt(w))
            }
            fn inv16() -> $ark {
                static INV16: OnceLock<$ark> = OnceLock::new();
                *INV16.get_or_init(|| <$ark>::from(16u64).inverse().expect("16 is invertible mod p"))
            }
        }
    };
}
modulus52!(Fq52, Fq, FqConfig, "Fq, the base field (MSM coordinates)");
modulus52!(Fr52, Fr, FrConfig, "Fr, the scalar field (FFTs)");

/// Four 64-bit words → five 52-bit limbs (the top limb takes bits 208..256).
pub const fn split(w: [u64; 4]) -> [u64; LIMBS] {
    [
        w[0] & MASK,
        ((w[0] >> 52) | (w[1] << 12)) & MASK,
        ((w[1] >> 40) | (w[2] << 24)) & MASK,
        ((w[2] >> 28) | (w[3] << 36)) & MASK,
        w[3] >> 16,
    ]
}

/// Five normalized 52-bit limbs of a value below 2^256 → four 64-bit words.
pub const fn join(l: [u64; LIMBS]) -> [u64; 4] {
    [l[0] | (l[1] << 52), (l[1] >> 12) | (l[2] << 40), (l[2] >> 24) | (l[3] << 28), (l[3] >> 36) | (l[4] << 16)]
}

/// `w · 2^k` for a 4-word value with k spare top bits.
const fn double(w: [u64; 4], k: u32) -> [u64; 4] {
    [w[0] << k, (w[1] << k) | (w[0] >> (64 - k)), (w[2] << k) | (w[1] >> (64 - k)), (w[3] << k) | (w[2] >> (64 - k))]
}

/// −x⁻¹ mod 2^52 for odd x (Newton's iteration doubles the correct bits each step).
const fn neg_inverse(x: u64) -> u64 {
    let mut inv = 1u64;
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg() & MASK
}

/// Eight field elements, limb-major.
#[derive(Clone, Copy)]
pub struct Lanes8<M>(pub [__m512i; LIMBS], PhantomData<M>);

/// Eight Fq elements (MSM coordinates).
pub type Fq8 = Lanes8<Fq52>;
/// Eight Fr elements (FFT values).
pub type Fr8 = Lanes8<Fr52>;

#[inline]
#[target_feature(enable = "avx512f")]
fn splat(c: u64) -> __m512i {
    _mm512_set1_epi64(c as i64)
}

impl<M: Modulus52> Lanes8<M> {
    /// The vector of these limb vectors.
    #[inline(always)]
    pub fn new(limbs: [__m512i; LIMBS]) -> Self {
        Self(limbs, PhantomData)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn splat(l: [u64; LIMBS]) -> Self {
        let mut out = [_mm512_setzero_si512(); LIMBS];
        for k in 0..LIMBS {
            out[k] = splat(l[k]);
        }
        Self::new(out)
    }

    /// Lanes limb by limb from `limbs[k][lane]`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn from_lanes(limbs: &[[u64; 8]; LIMBS]) -> Self {
        // SAFETY: each [u64; 8] is 64 readable bytes; loadu has no alignment requirement.
        let mut out = [_mm512_setzero_si512(); LIMBS];
        for k in 0..LIMBS {
            out[k] = unsafe { _mm512_loadu_si512(limbs[k].as_ptr().cast()) };
        }
        Self::new(out)
    }

    /// `limbs[k][lane]`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn to_lanes(self) -> [[u64; 8]; LIMBS] {
        let mut out = [[0u64; 8]; LIMBS];
        for (o, v) in out.iter_mut().zip(self.0) {
            // SAFETY: 64 writable bytes.
            unsafe { _mm512_storeu_si512(o.as_mut_ptr().cast(), v) };
        }
        out
    }

    /// Limb k of element `index[l]` of a table of `stride`-word records, for each lane l
    /// (the element's limbs at words `offset..offset + 5` of its record).
    ///
    /// # Safety
    /// Every `index[l] · stride + offset + 4` must be inside the table `base` points at.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gather(base: *const u64, index: __m512i, offset: usize) -> Self {
        let base = base.add(offset).cast::<i64>();
        let mut out = [_mm512_setzero_si512(); LIMBS];
        for (k, o) in out.iter_mut().enumerate() {
            *o = _mm512_i64gather_epi64::<8>(index, base.add(k));
        }
        Self::new(out)
    }

    /// The lanes in `mask` written back as [`Fq8::gather`] reads them.
    ///
    /// # Safety
    /// As for [`Fq8::gather`], for the lanes in `mask`; no two of them may share an index.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub unsafe fn scatter(self, base: *mut u64, index: __m512i, offset: usize, mask: __mmask8) {
        let base = base.add(offset).cast::<i64>();
        for (k, v) in self.0.into_iter().enumerate() {
            _mm512_mask_i64scatter_epi64::<8>(base.add(k), mask, index, v);
        }
    }

    /// Lane `l`'s limbs.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn lane(&self, l: usize) -> [u64; LIMBS] {
        let lanes = self.to_lanes();
        std::array::from_fn(|k| lanes[k][l])
    }

    /// This vector with lane `l` set to `limbs`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn with_lane(&self, l: usize, limbs: [u64; LIMBS]) -> Self {
        let mut lanes = self.to_lanes();
        for (k, limb) in limbs.into_iter().enumerate() {
            lanes[k][l] = limb;
        }
        Self::from_lanes(&lanes)
    }

    /// Lane `l`'s limbs into `out` (five words).
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn lane_words(&self, l: usize, out: &mut [u64]) {
        out.copy_from_slice(&self.lane(l));
    }

    /// This vector with lane `l` set to the five limbs `words`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn with_lane_words(&self, l: usize, words: &[u64]) -> Self {
        self.with_lane(l, words.try_into().expect("five limbs"))
    }

    /// `a` where `mask` is clear, `b` where it is set.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub fn select(mask: __mmask8, a: Self, b: Self) -> Self {
        let mut out = a.0;
        for k in 0..LIMBS {
            out[k] = _mm512_mask_blend_epi64(mask, a.0[k], b.0[k]);
        }
        Self::new(out)
    }
}

/// Propagates carries so every limb is below 2^52 (the value must be non-negative; limbs may be
/// negative when `signed`).
#[inline]
#[target_feature(enable = "avx512f")]
fn normalize<M: Modulus52>(mut t: [__m512i; LIMBS], signed: bool) -> Lanes8<M> {
    let mask = splat(MASK);
    for k in 0..LIMBS - 1 {
        let carry = if signed { _mm512_srai_epi64::<52>(t[k]) } else { _mm512_srli_epi64::<52>(t[k]) };
        t[k] = _mm512_and_si512(t[k], mask);
        t[k + 1] = _mm512_add_epi64(t[k + 1], carry);
    }
    Lanes8::new(t)
}

/// a + b, normalized (the value is the plain sum).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn add<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>) -> Lanes8<M> {
    let mut t = a.0;
    for k in 0..LIMBS {
        t[k] = _mm512_add_epi64(a.0[k], b.0[k]);
    }
    normalize(t, false)
}

/// a − b + p: non-negative for b ≤ a + p, below a + p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>) -> Lanes8<M> {
    minus_plus(a, b, &M::P)
}

/// a − b + 2p: non-negative for b ≤ a + 2p, below a + 2p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub2<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>) -> Lanes8<M> {
    minus_plus(a, b, &M::P2)
}

/// a − b + 4p: non-negative for b ≤ a + 4p, below a + 4p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn sub4<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>) -> Lanes8<M> {
    minus_plus(a, b, &M::P4)
}

/// The lanes where v ≡ 0 mod p, for v below `bound` · p.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn zero_lanes<M: Modulus52>(v: &Lanes8<M>, bound: u32) -> __mmask8 {
    let r = reduce_below(v, bound);
    let any = r.0.iter().fold(_mm512_setzero_si512(), |acc, l| _mm512_or_si512(acc, *l));
    _mm512_cmpeq_epi64_mask(any, _mm512_setzero_si512())
}

/// a − b + m (m a multiple of p in limbs), normalized with signed carries.
#[inline]
#[target_feature(enable = "avx512f")]
fn minus_plus<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>, m: &[u64; LIMBS]) -> Lanes8<M> {
    let mut t = a.0;
    for k in 0..LIMBS {
        t[k] = _mm512_sub_epi64(_mm512_add_epi64(a.0[k], splat(m[k])), b.0[k]);
    }
    normalize(t, true)
}

/// v − m if that is non-negative, else v.
#[inline]
#[target_feature(enable = "avx512f")]
fn sub_if_not_below<M: Modulus52>(v: &Lanes8<M>, m: &[u64; LIMBS]) -> Lanes8<M> {
    let mut t = v.0;
    for k in 0..LIMBS {
        t[k] = _mm512_sub_epi64(v.0[k], splat(m[k]));
    }
    let t = normalize(t, true);
    let negative = _mm512_cmplt_epi64_mask(t.0[LIMBS - 1], _mm512_setzero_si512());
    Lanes8::select(negative, t, *v)
}

/// v − 2p where that is non-negative: below 2p for v below 4p (one conditional subtraction
/// where [`reduce_below`] would make two).
#[inline]
#[target_feature(enable = "avx512f")]
pub fn reduce_to_2p<M: Modulus52>(v: &Lanes8<M>) -> Lanes8<M> {
    sub_if_not_below(v, &M::P2)
}

/// v mod p for v below `bound` · p, `bound` ∈ {1, 2, 4, 8}.
#[inline]
#[target_feature(enable = "avx512f")]
pub fn reduce_below<M: Modulus52>(v: &Lanes8<M>, bound: u32) -> Lanes8<M> {
    let mut v = *v;
    if bound > 4 {
        v = sub_if_not_below(&v, &M::P4);
    }
    if bound > 2 {
        v = sub_if_not_below(&v, &M::P2);
    }
    if bound > 1 {
        v = sub_if_not_below(&v, &M::P);
    }
    v
}

/// a · b / 2^260 mod p, below 2p, for a and b below 8p with normalized limbs.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn mul<M: Modulus52>(a: &Lanes8<M>, b: &Lanes8<M>) -> Lanes8<M> {
    let zero = _mm512_setzero_si512();
    let p = Lanes8::<M>::splat(M::P).0;
    let p_inv = splat(M::P_INV);
    let mut t = [zero; LIMBS + 1];
    for &bi in &b.0 {
        for j in 0..LIMBS {
            t[j] = _mm512_madd52lo_epu64(t[j], a.0[j], bi);
        }
        for j in 0..LIMBS {
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a.0[j], bi);
        }
        // m · p cancels the low limb: m = t0 · (−p⁻¹) mod 2^52.
        let m = _mm512_madd52lo_epu64(zero, t[0], p_inv);
        for j in 0..LIMBS {
            t[j] = _mm512_madd52lo_epu64(t[j], m, p[j]);
        }
        for j in 0..LIMBS {
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, p[j]);
        }
        // t0 is now a multiple of 2^52: shift one limb down, keeping its carry.
        let carry = _mm512_srli_epi64::<52>(t[0]);
        t[0] = _mm512_add_epi64(t[1], carry);
        t.copy_within(2.., 1);
        t[LIMBS] = zero;
    }
    normalize([t[0], t[1], t[2], t[3], t[4]], false)
}

/// a⁻¹ in every lane (Fermat: a^(p−2), 4-bit fixed windows), below 2p; lanes must be non-zero.
/// Eight inversions for the price of one chain of ≈ 330 products.
#[target_feature(enable = "avx512f,avx512ifma")]
pub fn invert<M: Modulus52>(a: &Lanes8<M>) -> Lanes8<M> {
    let mut exponent = M::WORDS;
    exponent[0] -= 2; // p is odd and its low word is above 2: no borrow
    let mut powers = [Lanes8::splat(M::one()); 16];
    for k in 1..16 {
        powers[k] = mul(&powers[k - 1], a);
    }
    let mut acc = Lanes8::splat(M::one());
    for nibble in (0..64).rev() {
        for _ in 0..4 {
            acc = mul(&acc, &acc);
        }
        let digit = (exponent[nibble / 16] >> (4 * (nibble % 16))) & 15;
        if digit != 0 {
            acc = mul(&acc, &powers[digit as usize]);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{UniformRand, Zero};
    use ark_std::rand::{rngs::StdRng, SeedableRng};

    fn lanes<M: Modulus52>(xs: &[M::Ark; 8]) -> [[u64; 8]; LIMBS] {
        let l = xs.map(|x| M::from_ark(&x));
        std::array::from_fn(|k| std::array::from_fn(|lane| l[lane][k]))
    }

    fn unlanes<M: Modulus52>(v: Lanes8<M>) -> [M::Ark; 8] {
        // SAFETY: callers checked the features.
        let l = unsafe { reduce_below(&v, 2).to_lanes() };
        std::array::from_fn(|lane| M::to_ark(std::array::from_fn(|k| l[k][lane])))
    }

    #[test]
    fn limbs_round_trip_and_constants() {
        let p = FqConfig::MODULUS.0;
        assert_eq!(join(split(p)), p);
        assert_eq!(Fq52::P[0].wrapping_mul(Fq52::P_INV.wrapping_neg()) & MASK, 1);
        assert_eq!(Fr52::P[0].wrapping_mul(Fr52::P_INV.wrapping_neg()) & MASK, 1);
        assert_eq!(join(Fr52::P), FrConfig::MODULUS.0);
        let x = Fq::from(123456789u64);
        assert_eq!(Fq52::to_ark(Fq52::from_ark(&x)), x);
        assert_eq!(Fq52::from_ark(&Fq::zero()), [0; LIMBS]);
        let y = Fr::from(987654321u64);
        assert_eq!(Fr52::to_ark(Fr52::from_ark(&y)), y);
    }

    fn lanes_match<M: Modulus52>(seed: u64)
    where
        M::Ark: UniformRand,
    {
        if !available() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (the portable paths run instead)");
            return;
        }
        eprintln!("seed {seed:#x}");
        let mut rng = StdRng::seed_from_u64(seed);
        let (zero, one) = (M::Ark::zero(), M::Ark::one());
        let minus_one = -one;
        for round in 0..200 {
            let mut a: [M::Ark; 8] = std::array::from_fn(|_| M::Ark::rand(&mut rng));
            let mut b: [M::Ark; 8] = std::array::from_fn(|_| M::Ark::rand(&mut rng));
            if round == 0 {
                a = [zero, one, minus_one, minus_one, zero, one, minus_one, one.double()];
                b = [minus_one, minus_one, minus_one, zero, zero, one, one, minus_one];
            }
            // SAFETY: features checked above.
            unsafe {
                let (va, vb) = (Lanes8::<M>::from_lanes(&lanes::<M>(&a)), Lanes8::<M>::from_lanes(&lanes::<M>(&b)));
                let prod = mul(&va, &vb);
                let sum = add(&va, &vb);
                let diff = sub(&va, &vb);
                // A product of unreduced sums (below 4p) still lands below 2p.
                let big = mul(&add(&sum, &diff), &add(&sum, &sum));
                let want_prod: [M::Ark; 8] = std::array::from_fn(|l| a[l] * b[l]);
                assert_eq!(unlanes(prod), want_prod, "round {round}");
                assert_eq!(unlanes(sum), std::array::from_fn(|l| a[l] + b[l]), "round {round}");
                assert_eq!(unlanes(diff), std::array::from_fn(|l| a[l] - b[l]), "round {round}");
                let want_big: [M::Ark; 8] =
                    std::array::from_fn(|l| (a[l] + b[l] + a[l] - b[l]) * (a[l] + b[l]).double());
                assert_eq!(unlanes(big), want_big, "round {round}");
                // Reduction from below 4p.
                let four = reduce_below(&add(&sum, &sum), 4);
                assert_eq!(unlanes(four), std::array::from_fn(|l| (a[l] + b[l]).double()));
            }
            if a.iter().all(|x| !x.is_zero()) {
                // SAFETY: features checked above.
                let inv = unsafe { invert(&Lanes8::<M>::from_lanes(&lanes::<M>(&a))) };
                assert_eq!(unlanes(inv), a.map(|x| x.inverse().unwrap()), "round {round}");
            }
        }
    }

    #[test]
    fn fq_lanes_match_arkworks() {
        lanes_match::<Fq52>(0x5eed_f908);
    }

    #[test]
    fn fr_lanes_match_arkworks() {
        lanes_match::<Fr52>(0x5eed_f908 + 1);
    }
}
