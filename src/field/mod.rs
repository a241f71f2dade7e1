//! Field and curve representations shared with the kernels, and element-wise arithmetic on
//! every backend.
//!
//! The bit-exactness contract: 31-bit fields cross every boundary in Plonky3's Montgomery form
//! (R = 2^32), BN254 fields in arkworks' Montgomery form (4 x u64, little-endian), always
//! canonical. Kernels read exactly these bits; nothing is converted on the hot path.

pub(crate) mod bn254;
pub mod curve;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // SIMD intrinsics: gathers and scatters take raw pointers
pub(crate) mod fq2_lanes;
pub(crate) mod fq2_wide;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // SIMD intrinsics: loads, stores, gathers and scatters take raw pointers
pub(crate) mod lanes52;
#[allow(unsafe_code)] // Plonky3 types <-> their Montgomery u32 (repr(transparent))
pub(crate) mod mont31;
pub mod ops;
pub mod params;

use std::borrow::Cow;
use std::fmt::Debug;

use bytemuck::Pod;
use rand::rngs::StdRng;

use crate::backend::{DeviceBuffer, Gpu, Visit};

pub use ops::{apply, decode, encode, FieldOp};

/// A field the kernels implement, with its device encoding and its reference arithmetic.
pub trait DeviceField: Copy + Send + Sync + PartialEq + Debug + 'static {
    /// The bits a kernel reads and writes for one element.
    type Repr: Pod + PartialEq + Debug + Send + Sync;
    /// Short name, as in kernel symbols (`babybear` in `chk_ff_babybear_ops`).
    const NAME: &'static str;
    /// The element-wise arithmetic kernel.
    const OPS_KERNEL: &'static str;

    fn to_repr(self) -> Self::Repr;
    /// `None` when `r` is not a canonical encoding (some limb or coefficient >= p).
    fn from_repr(r: Self::Repr) -> Option<Self>;
    /// `op` computed by the reference implementation (Plonky3 or arkworks). The inverse of
    /// zero is defined as zero, as the kernels compute it.
    fn reference_op(op: FieldOp, a: Self, b: Self) -> Self;
    /// A uniformly random element.
    fn random(rng: &mut StdRng) -> Self;
    /// Values at the edges of the representation: 0, 1, p - 1, and elements whose Montgomery
    /// encodings are 1 and p - 1.
    fn edge_values() -> Vec<Self>;

    /// The encodings of `values` ([`encode`]), borrowed where the encoding is the elements'
    /// memory layout (the 31-bit fields): no pass and no allocation before an upload.
    fn encode_slice(values: &[Self]) -> Cow<'_, [Self::Repr]> {
        Cow::Owned(encode(values))
    }
    /// `reprs` as elements, borrowed where the encoding is the memory layout; `None` when one
    /// is not canonical.
    fn view_reprs(reprs: &[Self::Repr]) -> Option<Cow<'_, [Self]>> {
        reprs.iter().map(|&r| Self::from_repr(r)).collect::<Option<Vec<_>>>().map(Cow::Owned)
    }
    /// [`decode`] of an owned vector, reusing its allocation where the encoding is the memory
    /// layout (then the pass only checks that every encoding is canonical).
    fn decode_vec(reprs: Vec<Self::Repr>) -> crate::Result<Vec<Self>> {
        decode(&reprs)
    }
    /// Downloads `buf` into `dst` (decoded): straight into `dst`'s memory where the encoding is
    /// the memory layout, then checked in place; elsewhere through a decoded copy. A
    /// non-canonical encoding is an error, and then `dst` holds unspecified but valid elements
    /// (never an invalid one).
    fn download_into(gpu: &Gpu, buf: &DeviceBuffer<Self::Repr>, dst: &mut [Self]) -> crate::Result<()> {
        Self::download_into_visit(gpu, buf, dst, None)
    }
    /// [`DeviceField::download_into`], `visit` shown the encodings as they arrive
    /// ([`Gpu::download_into_visit`]).
    fn download_into_visit(
        gpu: &Gpu,
        buf: &DeviceBuffer<Self::Repr>,
        dst: &mut [Self],
        visit: Option<Visit<'_, Self::Repr>>,
    ) -> crate::Result<()> {
        let mut reprs = crate::mem::zeroed::<Self::Repr>(buf.len())?;
        gpu.download_into_visit(buf, &mut reprs, visit)?;
        let decoded = Self::decode_vec(reprs)?;
        if decoded.len() != dst.len() {
            return Err(crate::Error::LengthMismatch {
                what: "download destination",
                expected: decoded.len(),
                got: dst.len(),
            });
        }
        dst.copy_from_slice(&decoded);
        Ok(())
    }
}

pub use bn254::{Bn254Fq, Bn254Fr};
pub use mont31::{BabyBear, BabyBear4, KoalaBear, KoalaBear4};
