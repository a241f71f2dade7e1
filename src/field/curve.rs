//! BN254 G1 points as the kernels store them (`kernels/ec/bn254_g1.cuh`): affine inputs and XYZZ
//! accumulators (x = X/ZZ, y = Y/ZZZ), as `#[repr(C)]` mirrors converted from and to arkworks'
//! types coordinate by coordinate.

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, One, Zero};
use bytemuck::{Pod, Zeroable};

use super::bn254::{from_limbs, limbs};
use crate::backend::{plan, Engine, Launch};
use crate::error::{Error, Result};

/// An affine point; (0, 0) is the point at infinity, as in arkworks.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct G1AffineRepr {
    pub x: [u64; 4],
    pub y: [u64; 4],
}

/// A point in XYZZ coordinates; ZZ = 0 is the point at infinity.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct G1XyzzRepr {
    pub x: [u64; 4],
    pub y: [u64; 4],
    pub zz: [u64; 4],
    pub zzz: [u64; 4],
}

fn fq(l: [u64; 4]) -> Result<Fq> {
    from_limbs::<ark_bn254::FqConfig>(l).ok_or(Error::NonCanonical { field: "bn254_fq", index: 0 })
}

impl G1AffineRepr {
    pub fn from_ark(p: &G1Affine) -> Self {
        match p.xy() {
            Some((x, y)) => Self { x: limbs(x), y: limbs(y) },
            None => Self::zeroed(),
        }
    }

    /// The arkworks point, if the coordinates are canonical and on the curve (BN254 G1 has
    /// cofactor 1, so on the curve means in the group).
    pub fn to_ark(&self) -> Result<G1Affine> {
        let (x, y) = (fq(self.x)?, fq(self.y)?);
        if x.is_zero() && y.is_zero() {
            return Ok(G1Affine::identity());
        }
        let p = G1Affine::new_unchecked(x, y);
        if !p.is_on_curve() {
            return Err(Error::NotOnCurve { index: 0 });
        }
        Ok(p)
    }
}

impl G1XyzzRepr {
    /// `p` with coordinates scaled by `lambda` (X = x·λ², Y = y·λ³): the same point in one of its
    /// many XYZZ encodings, so tests exercise non-trivial ZZ and ZZZ.
    pub fn from_ark_scaled(p: &G1Affine, lambda: Fq) -> Self {
        match p.xy() {
            Some((x, y)) if !lambda.is_zero() => {
                let l2 = lambda.square();
                let l3 = l2 * lambda;
                Self { x: limbs(x * l2), y: limbs(y * l3), zz: limbs(l2), zzz: limbs(l3) }
            }
            _ => Self::zeroed(),
        }
    }

    pub fn from_ark(p: &G1Affine) -> Self {
        Self::from_ark_scaled(p, Fq::one())
    }

    /// The point, if the encoding is consistent (ZZ³ = ZZZ²) and on the curve.
    pub fn to_ark(&self) -> Result<G1Affine> {
        let (x, y, zz, zzz) = (fq(self.x)?, fq(self.y)?, fq(self.zz)?, fq(self.zzz)?);
        if zz.is_zero() {
            return Ok(G1Affine::identity());
        }
        if zz.square() * zz != zzz.square() {
            return Err(Error::NotOnCurve { index: 0 });
        }
        let p = G1Affine::new_unchecked(x * zz.inverse().unwrap(), y * zzz.inverse().unwrap());
        if !p.is_on_curve() {
            return Err(Error::NotOnCurve { index: 0 });
        }
        Ok(p)
    }
}

/// A point operation; the discriminants are the kernel's `ec_op` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum G1Op {
    /// a + b, both XYZZ.
    Add = 0,
    /// a + c, c affine (the MSM's bucket accumulation).
    AddAffine = 1,
    /// 2a.
    Dbl = 2,
    /// -a.
    Neg = 3,
}

impl G1Op {
    pub const ALL: [G1Op; 4] = [Self::Add, Self::AddAffine, Self::Dbl, Self::Neg];
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::AddAffine => "add_affine",
            Self::Dbl => "dbl",
            Self::Neg => "neg",
        }
    }
}

/// `op` over n points, returned as affine points. On the cpu engine arkworks computes it.
#[allow(unsafe_code)] // one launch, bounds checked above
pub fn g1_apply(
    engine: &Engine,
    op: G1Op,
    a: &[G1XyzzRepr],
    b: &[G1XyzzRepr],
    c: &[G1AffineRepr],
) -> Result<Vec<G1Affine>> {
    let n = a.len();
    for (what, len) in [("b", b.len()), ("c", c.len())] {
        if len != n {
            return Err(Error::LengthMismatch { what, expected: n, got: len });
        }
    }
    let at = |i: usize| {
        move |e: Error| match e {
            Error::NotOnCurve { .. } => Error::NotOnCurve { index: i },
            Error::NonCanonical { field, .. } => Error::NonCanonical { field, index: i },
            e => e,
        }
    };
    // Every input is validated on every engine: the kernels assume points on the curve.
    let points = (0..n)
        .map(|i| Ok((a[i].to_ark().map_err(at(i))?, b[i].to_ark().map_err(at(i))?, c[i].to_ark().map_err(at(i))?)))
        .collect::<Result<Vec<_>>>()?;
    let gpu = match engine {
        Engine::Cpu => {
            return Ok(points
                .into_iter()
                .map(|(pa, pb, pc)| {
                    let pa = G1Projective::from(pa);
                    let r = match op {
                        G1Op::Add => pa + pb,
                        G1Op::AddAffine => pa + pc,
                        G1Op::Dbl => pa.double(),
                        G1Op::Neg => -pa,
                    };
                    r.into_affine()
                })
                .collect());
        }
        Engine::Gpu(gpu) => gpu,
    };
    let Some((grid, block)) = plan::elementwise(n as u64, &gpu.props()) else {
        return Ok(Vec::new());
    };
    let (da, db, dc) = (gpu.upload(a)?, gpu.upload(b)?, gpu.upload(c)?);
    let out = gpu.alloc::<G1XyzzRepr>(n)?;
    let launch = Launch::new("chk_ec_bn254_g1_ops", grid, block)
        .u32(op as u32)
        .buf(&da)
        .buf(&db)
        .buf(&dc)
        .buf(&out)
        .u64(n as u64);
    // SAFETY: the kernel touches indices < n of four buffers of n elements each.
    unsafe { gpu.launch(&launch)? };
    gpu.download(&out)?.iter().enumerate().map(|(i, p)| p.to_ark().map_err(at(i))).collect()
}
