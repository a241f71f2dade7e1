//! Element-wise field arithmetic on any backend: the cross-check of the kernels' field layer.

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
    let encode = |v: &[F]| v.iter().map(|x| x.to_repr()).collect::<Vec<_>>();
    let da = gpu.upload(&encode(a))?;
    let db = gpu.upload(&encode(b))?;
    let out = gpu.alloc::<F::Repr>(n)?;
    let launch = Launch::new(F::OPS_KERNEL, grid, block).u32(op as u32).buf(&da).buf(&db).buf(&out).u64(n as u64);
    // SAFETY: the kernel touches indices < n of three buffers of n elements each.
    unsafe { gpu.launch(&launch)? };
    decode(&gpu.download(&out)?)
}

/// Device encodings back to field elements; a non-canonical one is an error, never a value.
pub fn decode<F: DeviceField>(reprs: &[F::Repr]) -> Result<Vec<F>> {
    reprs
        .iter()
        .enumerate()
        .map(|(index, r)| F::from_repr(*r).ok_or(Error::NonCanonical { field: F::NAME, index }))
        .collect()
}
