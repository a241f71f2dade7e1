//! BN254 MSMs for arkworks users: the same inputs and output types as
//! `<G1Projective as VariableBaseMSM>::msm`, on a chosen backend, with typed errors instead of
//! `Err(shortest_length)`. Bases are validated (on the curve, in the subgroup); use
//! [`crate::msm`] directly to skip that for trusted inputs.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};

use crate::backend::Backend;
use crate::error::Result;
use crate::msm;

/// Σ scalars[i] · bases[i] on G1, equal to `G1Projective::msm(bases, scalars)`.
pub fn msm_g1(bases: &[G1Affine], scalars: &[Fr], backend: Backend) -> Result<G1Projective> {
    msm::g1(&backend.engine()?, bases, scalars, &msm::MsmConfig::default())
}

/// Σ scalars[i] · bases[i] on G2, equal to `G2Projective::msm(bases, scalars)`.
pub fn msm_g2(bases: &[G2Affine], scalars: &[Fr], backend: Backend) -> Result<G2Projective> {
    msm::g2(&backend.engine()?, bases, scalars, &msm::MsmConfig::default())
}
