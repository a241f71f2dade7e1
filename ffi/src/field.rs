//! Fields and encodings across the boundary: which field a buffer holds, and whether its
//! elements are canonical integers or Montgomery forms. Every element read is checked to be
//! canonical in its encoding; nothing non-canonical reaches a kernel.

use ark_ff::{AdditiveGroup, BigInteger256, PrimeField};
use cherenkov::field::{BabyBear, Bn254Fq, Bn254Fr, DeviceField, KoalaBear};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::status::{vec_with_capacity, Failure, FfiResult, CHK_ERR_INVALID_ARGUMENT, CHK_ERR_NON_CANONICAL};

/// BabyBear, p = 2^31 − 2^27 + 1 (SP1 v5): one `uint32_t` an element.
pub const CHK_FIELD_BABYBEAR: u32 = 0;
/// KoalaBear, p = 2^31 − 2^24 + 1 (SP1 v6, Plonky3): one `uint32_t` an element.
pub const CHK_FIELD_KOALABEAR: u32 = 1;
/// BabyBear's degree-4 extension: four `uint32_t` an element (coefficients, lowest first).
pub const CHK_FIELD_BABYBEAR4: u32 = 2;
/// KoalaBear's degree-4 extension: four `uint32_t` an element.
pub const CHK_FIELD_KOALABEAR4: u32 = 3;
/// BN254's scalar field Fr: four `uint64_t` little-endian limbs an element.
pub const CHK_FIELD_BN254_FR: u32 = 4;

/// Elements as integers in [0, p).
pub const CHK_ENCODING_CANONICAL: u32 = 0;
/// Elements in Montgomery form, exactly as the libraries store them: a·2^32 mod p for the
/// 31-bit fields (Plonky3's `MontyField31`), a·2^256 mod p for BN254 (arkworks' `Fp256`).
/// Saves a conversion pass when the caller already holds these bits.
pub const CHK_ENCODING_MONTGOMERY: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Canonical,
    Montgomery,
}

impl Encoding {
    pub fn from_code(code: u32) -> FfiResult<Self> {
        match code {
            CHK_ENCODING_CANONICAL => Ok(Self::Canonical),
            CHK_ENCODING_MONTGOMERY => Ok(Self::Montgomery),
            _ => Err(Failure::new(CHK_ERR_INVALID_ARGUMENT, format!("unknown encoding {code}"))),
        }
    }
}

/// A field element as it crosses the boundary: `WORDS` machine words.
pub(crate) trait Element: Copy + Send + Sync + 'static {
    type Word: Copy + Default + Send + Sync + 'static;
    const WORDS: usize;
    const NAME: &'static str;
    const ZERO: Self;
    /// The element `words` encode, `None` when they are not canonical.
    fn read(words: &[Self::Word], enc: Encoding) -> Option<Self>;
    fn write(self, enc: Encoding, out: &mut [Self::Word]);
}

macro_rules! mont31_element {
    ($ty:ty, $name:literal) => {
        impl Element for $ty {
            type Word = u32;
            const WORDS: usize = 1;
            const NAME: &'static str = $name;
            const ZERO: Self = <$ty as PrimeCharacteristicRing>::ZERO;
            fn read(w: &[u32], enc: Encoding) -> Option<Self> {
                match enc {
                    Encoding::Canonical => (w[0] < <$ty>::ORDER_U32).then(|| <$ty>::from_u32(w[0])),
                    Encoding::Montgomery => <$ty as DeviceField>::from_repr(w[0]),
                }
            }
            fn write(self, enc: Encoding, out: &mut [u32]) {
                out[0] = match enc {
                    Encoding::Canonical => self.as_canonical_u32(),
                    Encoding::Montgomery => self.to_repr(),
                };
            }
        }
    };
}
mont31_element!(BabyBear, "babybear");
mont31_element!(KoalaBear, "koalabear");

macro_rules! bn254_element {
    ($ty:ty, $name:literal) => {
        impl Element for $ty {
            type Word = u64;
            const WORDS: usize = 4;
            const NAME: &'static str = $name;
            const ZERO: Self = <$ty as AdditiveGroup>::ZERO;
            fn read(w: &[u64], enc: Encoding) -> Option<Self> {
                let limbs = BigInteger256::new(w.try_into().expect("4 limbs"));
                if limbs >= <$ty>::MODULUS {
                    return None;
                }
                Some(match enc {
                    Encoding::Canonical => <$ty>::from_bigint(limbs)?,
                    // Below the modulus, so a valid Montgomery form.
                    Encoding::Montgomery => <$ty>::new_unchecked(limbs),
                })
            }
            fn write(self, enc: Encoding, out: &mut [u64]) {
                let limbs = match enc {
                    Encoding::Canonical => self.into_bigint(),
                    Encoding::Montgomery => self.0,
                };
                out.copy_from_slice(&limbs.0);
            }
        }
    };
}
bn254_element!(Bn254Fr, "bn254_fr");
bn254_element!(Bn254Fq, "bn254_fq");

/// The elements `words` encode (`words.len() / E::WORDS` of them), or `CHK_ERR_NON_CANONICAL`
/// naming the first offending element.
pub(crate) fn read_all<E: Element>(words: &[E::Word], enc: Encoding, what: &str) -> FfiResult<Vec<E>> {
    debug_assert_eq!(words.len() % E::WORDS, 0);
    let n = words.len() / E::WORDS;
    let mut out = vec_with_capacity::<E>(n)?;
    let failed = AtomicBool::new(false);
    out.par_extend(words.par_chunks_exact(E::WORDS).map(|w| {
        E::read(w, enc).unwrap_or_else(|| {
            failed.store(true, Ordering::Relaxed);
            E::ZERO
        })
    }));
    if failed.into_inner() {
        let index = words.chunks_exact(E::WORDS).position(|w| E::read(w, enc).is_none()).unwrap_or(0);
        return Err(non_canonical::<E>(what, index));
    }
    Ok(out)
}

/// One element.
pub(crate) fn read_one<E: Element>(words: &[E::Word], enc: Encoding, what: &str) -> FfiResult<E> {
    E::read(words, enc).ok_or_else(|| non_canonical::<E>(what, 0))
}

pub(crate) fn non_canonical<E: Element>(what: &str, index: usize) -> Failure {
    Failure::new(CHK_ERR_NON_CANONICAL, format!("{what}: element {index} is not a canonical {} element", E::NAME))
}

/// Writes `values` into `out` (`values.len() × E::WORDS` words).
pub(crate) fn write_all<E: Element>(values: &[E], enc: Encoding, out: &mut [E::Word]) {
    out.par_chunks_exact_mut(E::WORDS).zip(values).for_each(|(w, v)| v.write(enc, w));
}
