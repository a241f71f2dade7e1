//! BabyBear, KoalaBear and their degree-4 extensions: Plonky3's own types, whose memory is the
//! Montgomery `u32` the kernels use (`MontyField31` and `ExtField` are `#[repr(transparent)]`).

use p3_field::extension::BinomialExtensionField;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing, PrimeField32};
use rand::rngs::StdRng;
use rand::RngExt;

use super::{DeviceField, FieldOp};

pub use p3_baby_bear::BabyBear;
pub use p3_koala_bear::KoalaBear;
pub type BabyBear4 = BinomialExtensionField<BabyBear, 4>;
pub type KoalaBear4 = BinomialExtensionField<KoalaBear, 4>;

/// Plonky3 field types whose in-memory value is the Montgomery form.
pub(crate) trait Mont31: PrimeField32 {
    fn to_mont(self) -> u32;
    /// `None` unless `v < p`.
    fn from_mont(v: u32) -> Option<Self>;
}

macro_rules! mont31 {
    ($ty:ty) => {
        const _: () = assert!(size_of::<$ty>() == 4 && align_of::<$ty>() == 4);
        impl Mont31 for $ty {
            fn to_mont(self) -> u32 {
                // SAFETY: MontyField31 is #[repr(transparent)] over its Montgomery u32.
                unsafe { std::mem::transmute::<$ty, u32>(self) }
            }
            fn from_mont(v: u32) -> Option<Self> {
                // SAFETY: as above; `v < p` is the type's invariant, checked first.
                (v < <$ty>::ORDER_U32).then(|| unsafe { std::mem::transmute::<u32, $ty>(v) })
            }
        }
    };
}
mont31!(BabyBear);
mont31!(KoalaBear);

/// `len` arrays of N zero elements from a zeroed allocation (calloc): fresh pages come from the
/// OS already zero and are faulted in by whichever thread first writes them, so a big digest
/// layer costs no single-threaded fill pass. A failed allocation is `OutOfMemory`.
pub(crate) fn zeroed_arrays<F: Mont31, const N: usize>(len: usize) -> crate::Result<Vec<[F; N]>> {
    let words = crate::mem::Size::of(len, "zeroed arrays").times(N).get()?;
    if words == 0 {
        return Ok(vec![[F::ZERO; N]; len]); // nothing to allocate (len = 0 or N = 0)
    }
    let mut flat = std::mem::ManuallyDrop::new(crate::mem::zeroed::<u32>(words)?);
    debug_assert_eq!(flat.capacity(), words, "mem::zeroed allocates exactly");
    // SAFETY: F is #[repr(transparent)] over u32 (size and align 4, asserted above), so [F; N] is
    // N u32s without padding and `len` arrays occupy exactly the `words` u32s allocated (capacity
    // equals length), with the same alignment, so the allocation is freed with the layout it was
    // made with; the all-zero u32 is F::ZERO (Montgomery 0), a valid value.
    Ok(unsafe { Vec::from_raw_parts(flat.as_mut_ptr().cast::<[F; N]>(), len, len) })
}

fn reference<F: PrimeCharacteristicRing + p3_field::Field>(op: FieldOp, a: F, b: F) -> F {
    match op {
        FieldOp::Add => a + b,
        FieldOp::Sub => a - b,
        FieldOp::Mul => a * b,
        FieldOp::Sqr => a.square(),
        FieldOp::Neg => -a,
        FieldOp::Dbl => a.double(),
        FieldOp::Inv => a.try_inverse().unwrap_or(F::ZERO),
    }
}

fn base_edges<F: Mont31>() -> Vec<F> {
    let p = F::ORDER_U32;
    let mut v = vec![F::ZERO, F::ONE, F::TWO, F::NEG_ONE, -F::TWO, F::from_u32((p - 1) / 2)];
    v.extend([1, 2, p - 1, p - 2].iter().map(|&m| F::from_mont(m).unwrap()));
    v
}

macro_rules! base_field {
    ($ty:ty, $name:literal) => {
        impl DeviceField for $ty {
            type Repr = u32;
            const NAME: &'static str = $name;
            const OPS_KERNEL: &'static str = concat!("chk_ff_", $name, "_ops");
            fn to_repr(self) -> u32 {
                self.to_mont()
            }
            fn from_repr(r: u32) -> Option<Self> {
                Self::from_mont(r)
            }
            fn reference_op(op: FieldOp, a: Self, b: Self) -> Self {
                reference(op, a, b)
            }
            fn random(rng: &mut StdRng) -> Self {
                rng.random()
            }
            fn edge_values() -> Vec<Self> {
                base_edges()
            }
            fn encode_slice(values: &[Self]) -> std::borrow::Cow<'_, [u32]> {
                // SAFETY: the type is #[repr(transparent)] over its Montgomery u32 (size and
                // align asserted in mont31!), which is exactly `to_repr`.
                std::borrow::Cow::Borrowed(unsafe { std::slice::from_raw_parts(values.as_ptr().cast(), values.len()) })
            }
            fn decode_vec(reprs: Vec<u32>) -> crate::Result<Vec<Self>> {
                reinterpret_canonical(reprs)
            }
            fn view_reprs(reprs: &[u32]) -> Option<std::borrow::Cow<'_, [Self]>> {
                // SAFETY: as in encode_slice, every word checked below p first.
                reprs.iter().fold(true, |ok, &r| ok & (r < Self::ORDER_U32)).then(|| {
                    std::borrow::Cow::Borrowed(unsafe {
                        std::slice::from_raw_parts(reprs.as_ptr().cast(), reprs.len())
                    })
                })
            }
            fn download_into_visit(
                gpu: &crate::backend::Gpu,
                buf: &crate::backend::DeviceBuffer<u32>,
                dst: &mut [Self],
                visit: Option<crate::backend::Visit<'_, u32>>,
            ) -> crate::Result<()> {
                // SAFETY: as in encode_slice; every u32 written is checked below before the
                // slice is used as field elements again (a visitor checks its own pieces).
                let words: &mut [u32] = unsafe { std::slice::from_raw_parts_mut(dst.as_mut_ptr().cast(), dst.len()) };
                gpu.download_into_visit(buf, words, visit)?;
                canonical_in_place::<Self>(words)
            }
        }
    };
}

/// The index of the first word that is not below p. Pieces are first tested with a branch-free
/// fold (which compiles to SIMD compares, ~0.1 ns a word); only a piece that fails is searched
/// word by word. `position_first` over every word was a scalar loop at ~5 ns a word: 0.65 s for
/// each 512 MiB a device returned.
fn first_non_canonical(words: &[u32], p: u32) -> Option<usize> {
    use rayon::prelude::*;
    const PIECE: usize = 1 << 14;
    let find = |(i, piece): (usize, &[u32])| {
        let bad = piece.iter().fold(false, |bad, &r| bad | (r >= p));
        bad.then(|| i * PIECE + piece.iter().position(|&r| r >= p).unwrap_or(0))
    };
    if words.len() < super::ops::PARALLEL_FROM {
        words.chunks(PIECE).enumerate().find_map(find)
    } else {
        words.par_chunks(PIECE).enumerate().find_map_first(find)
    }
}

/// Checks that every Montgomery word is below p; where one is not, zeroes every such word (so
/// the memory holds valid elements) and names the first.
fn canonical_in_place<F: Mont31 + DeviceField>(words: &mut [u32]) -> crate::Result<()> {
    use rayon::prelude::*;
    let p = F::ORDER_U32;
    let Some(index) = first_non_canonical(words, p) else { return Ok(()) };
    words.par_iter_mut().filter(|r| **r >= p).for_each(|r| *r = 0);
    Err(crate::Error::NonCanonical { field: F::NAME, index })
}

/// `reprs` as field elements in place, after checking every one is below p.
fn reinterpret_canonical<F: Mont31 + DeviceField>(reprs: Vec<u32>) -> crate::Result<Vec<F>> {
    if let Some(index) = first_non_canonical(&reprs, F::ORDER_U32) {
        return Err(crate::Error::NonCanonical { field: F::NAME, index });
    }
    let mut v = std::mem::ManuallyDrop::new(reprs);
    // SAFETY: F is #[repr(transparent)] over u32 (size and align 4), every value is below p so
    // a valid Montgomery form; pointer, length and capacity are the vector's own, so it is
    // freed with the layout it was allocated with.
    Ok(unsafe { Vec::from_raw_parts(v.as_mut_ptr().cast::<F>(), v.len(), v.capacity()) })
}
base_field!(BabyBear, "babybear");
base_field!(KoalaBear, "koalabear");

macro_rules! ext_field {
    ($ty:ty, $base:ty, $name:literal) => {
        impl DeviceField for $ty {
            type Repr = [u32; 4];
            const NAME: &'static str = $name;
            const OPS_KERNEL: &'static str = concat!("chk_ff_", $name, "_ops");
            fn to_repr(self) -> [u32; 4] {
                let c: &[$base] = self.as_basis_coefficients_slice();
                [c[0].to_mont(), c[1].to_mont(), c[2].to_mont(), c[3].to_mont()]
            }
            fn from_repr(r: [u32; 4]) -> Option<Self> {
                let c = [
                    <$base>::from_mont(r[0])?,
                    <$base>::from_mont(r[1])?,
                    <$base>::from_mont(r[2])?,
                    <$base>::from_mont(r[3])?,
                ];
                Some(Self::new(c))
            }
            fn reference_op(op: FieldOp, a: Self, b: Self) -> Self {
                reference(op, a, b)
            }
            fn random(rng: &mut StdRng) -> Self {
                rng.random()
            }
            fn edge_values() -> Vec<Self> {
                let e = base_edges::<$base>();
                let z = <$base>::ZERO;
                let mut v: Vec<Self> = e.iter().map(|&x| Self::new([x, z, z, z])).collect();
                v.extend(e.iter().map(|&x| Self::new([z, z, z, x])));
                v.extend(e.iter().map(|&x| Self::new([x, x, x, x])));
                v.push(Self::new([z, <$base>::ONE, z, z]));
                v
            }
        }
    };
}
ext_field!(BabyBear4, BabyBear, "babybear4");
ext_field!(KoalaBear4, KoalaBear, "koalabear4");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_bits_are_x_times_2_pow_32() {
        for x in [0u32, 1, 2, 12345, 0x78000000] {
            let f = BabyBear::from_u32(x);
            assert_eq!(f.to_mont() as u64, ((x as u64) << 32) % BabyBear::ORDER_U32 as u64);
            let k = KoalaBear::from_u32(x % KoalaBear::ORDER_U32);
            assert_eq!(k.to_mont() as u64, (((x % KoalaBear::ORDER_U32) as u64) << 32) % KoalaBear::ORDER_U32 as u64);
        }
        assert_eq!(BabyBear::from_mont(BabyBear::ORDER_U32), None);
        assert_eq!(KoalaBear::from_mont(u32::MAX), None);
    }

    /// A download checked in place: the first non-canonical word is named, and every
    /// non-canonical word is left as zero (valid), the canonical ones untouched.
    #[test]
    fn non_canonical_words_are_named_and_cleared() {
        let p = BabyBear::ORDER_U32;
        for len in [5usize, super::super::ops::PARALLEL_FROM + 3] {
            let mut w: Vec<u32> = (0..len as u32).map(|i| i % p).collect();
            assert!(canonical_in_place::<BabyBear>(&mut w).is_ok());
            w[3] = p;
            w[len - 1] = u32::MAX;
            let before = w.clone();
            let err = canonical_in_place::<BabyBear>(&mut w).unwrap_err();
            assert!(matches!(err, crate::Error::NonCanonical { index: 3, .. }), "{err}");
            for (i, (a, b)) in before.iter().zip(&w).enumerate() {
                assert_eq!(*b, if *a >= p { 0 } else { *a }, "word {i}");
            }
        }
    }

    /// The first bad word is found wherever it lies: in the first or a later piece, on a piece
    /// boundary, behind another bad word, in the serial and the parallel search.
    #[test]
    fn the_first_non_canonical_word_is_found() {
        let p = KoalaBear::ORDER_U32;
        let len = (1 << 16) + 5;
        let clean: Vec<u32> = (0..len as u32).map(|i| i % p).collect();
        assert_eq!(first_non_canonical(&clean, p), None);
        for at in [0, 1, (1 << 14) - 1, 1 << 14, 3 << 14, len - 1] {
            for n in [len, at + 1] {
                let mut w = clean[..n].to_vec();
                w[at] = p + (at as u32 % 7);
                if at + 2 < n {
                    w[at + 2] = u32::MAX;
                }
                assert_eq!(first_non_canonical(&w, p), Some(at), "bad word {at} of {n}");
            }
        }
    }
}
