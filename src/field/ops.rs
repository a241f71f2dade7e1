//! Element-wise field arithmetic on any backend: the cross-check of the kernels' field layer.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::DeviceField;
use crate::backend::{plan, Engine, Gpu, Launch};
use crate::error::{Error, Result};

/// An element-wise operation; the discriminants are the kernels' `ff_op` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum FieldOp {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Sqr = 3,
    Neg = 4,
    Dbl = 5,
    /// The inverse, with 0^-1 = 0.
    Inv = 6,
}

impl FieldOp {
    pub const ALL: [FieldOp; 7] = [Self::Add, Self::Sub, Self::Mul, Self::Sqr, Self::Neg, Self::Dbl, Self::Inv];
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Sub => "sub",
            Self::Mul => "mul",
            Self::Sqr => "sqr",
            Self::Neg => "neg",
            Self::Dbl => "dbl",
            Self::Inv => "inv",
        }
    }
}

/// `out[i] = op(a[i], b[i])` (unary ops ignore `b`) on `engine`.
pub fn apply<F: DeviceField>(engine: &Engine, op: FieldOp, a: &[F], b: &[F]) -> Result<Vec<F>> {
    if a.len() != b.len() {
        return Err(Error::LengthMismatch { what: "b", expected: a.len(), got: b.len() });
    }
    match engine {
        Engine::Cpu => Ok(a.par_iter().zip(b).map(|(&x, &y)| F::reference_op(op, x, y)).collect()),
        Engine::Gpu(gpu) => apply_on_device(gpu, op, a, b),
    }
}

#[allow(unsafe_code)] // one launch, bounds checked above
fn apply_on_device<F: DeviceField>(gpu: &Gpu, op: FieldOp, a: &[F], b: &[F]) -> Result<Vec<F>> {
    let n = a.len();
    let Some((grid, block)) = plan::elementwise(n as u64, &gpu.props()) else {
        return Ok(Vec::new());
    };
    let da = gpu.upload(&F::encode_slice(a))?;
    let db = gpu.upload(&F::encode_slice(b))?;
    let out = gpu.alloc::<F::Repr>(n)?;
    let launch = Launch::new(F::OPS_KERNEL, grid, block).u32(op as u32).buf(&da).buf(&db).buf(&out).u64(n as u64);
    // SAFETY: the kernel touches indices < n of three buffers of n elements each.
    unsafe { gpu.launch(&launch)? };
    F::decode_vec(gpu.download(&out)?)
}

/// Field elements to their device encodings. In parallel: besides the conversion, writing a
/// fresh vector faults its pages in, which costs more than the copy (seen on a GPU host: one
/// thread encoding 256 MiB took 180 ms, the upload 35 ms).
pub fn encode<F: DeviceField>(values: &[F]) -> Vec<F::Repr> {
    let _t = crate::backend::trace::span("encode", || format!("{} {}", values.len(), F::NAME));
    if values.len() < PARALLEL_FROM {
        return values.iter().map(|x| x.to_repr()).collect();
    }
    values.par_iter().map(|x| x.to_repr()).collect()
}

/// Below this many elements a conversion runs on the calling thread: waking the pool costs
/// more (up to milliseconds on a busy or virtualized host).
pub(crate) const PARALLEL_FROM: usize = 1 << 16;

/// Device encodings back to field elements; a non-canonical one is an error, never a value.
/// One indexed parallel pass (collecting into `Result<Vec<_>>` would go through rayon's
/// unindexed path, seen taking 200-500 ms for 2^26 elements on 16 cores); the first bad index is
/// kept aside.
pub fn decode<F: DeviceField>(reprs: &[F::Repr]) -> Result<Vec<F>> {
    let _t = crate::backend::trace::span("decode", || format!("{} {}", reprs.len(), F::NAME));
    let Some(zero) = F::from_repr(bytemuck::Zeroable::zeroed()) else {
        unreachable!("the all-zero encoding is zero in every field here")
    };
    let first_bad = AtomicUsize::new(usize::MAX);
    let one = |(index, r): (usize, &F::Repr)| {
        F::from_repr(*r).unwrap_or_else(|| {
            first_bad.fetch_min(index, Ordering::Relaxed);
            zero
        })
    };
    let out: Vec<F> = if reprs.len() < PARALLEL_FROM {
        reprs.iter().enumerate().map(one).collect()
    } else {
        reprs.par_iter().enumerate().map(one).collect()
    };
    match first_bad.into_inner() {
        usize::MAX => Ok(out),
        index => Err(Error::NonCanonical { field: F::NAME, index }),
    }
}
