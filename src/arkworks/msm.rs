//! BN254 MSMs for arkworks users: the same inputs and output types as
//! `<G1Projective as VariableBaseMSM>::msm`, on a chosen backend, with typed errors instead of
//! `Err(shortest_length)`.
//!
//! Three ways in, by how much the caller trusts its bases:
//! - [`msm_g1`] / [`msm_g2`] validate every base on every call (on the curve, in the subgroup;
//!   for G2 that costs more than the MSM itself);
//! - [`ValidBases`] validates a base set once, and its MSMs skip the check;
//! - [`msm_g1_unchecked`] / [`msm_g2_unchecked`] trust the bases, as arkworks' `msm` does.

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};

use crate::backend::Backend;
use crate::error::Result;
use crate::msm::{self, MsmConfig};

pub use crate::msm::{DeviceBases, ValidBases};

/// Σ scalars[i] · bases[i] on G1, equal to `G1Projective::msm(bases, scalars)`; bases checked.
pub fn msm_g1(bases: &[G1Affine], scalars: &[Fr], backend: Backend) -> Result<G1Projective> {
    msm::g1(&backend.engine()?, bases, scalars, &MsmConfig::default())
}

/// Σ scalars[i] · bases[i] on G2, equal to `G2Projective::msm(bases, scalars)`; bases checked.
pub fn msm_g2(bases: &[G2Affine], scalars: &[Fr], backend: Backend) -> Result<G2Projective> {
    msm::g2(&backend.engine()?, bases, scalars, &MsmConfig::default())
}

/// [`msm_g1`] without the base check, arkworks' semantics: a base off the curve gives a
/// meaningless sum, not an error. Only for bases from a trusted source or a [`ValidBases`].
pub fn msm_g1_unchecked(bases: &[G1Affine], scalars: &[Fr], backend: Backend) -> Result<G1Projective> {
    msm::g1(&backend.engine()?, bases, scalars, &MsmConfig::TRUSTED)
}

/// [`msm_g2`] without the base check (see [`msm_g1_unchecked`]).
pub fn msm_g2_unchecked(bases: &[G2Affine], scalars: &[Fr], backend: Backend) -> Result<G2Projective> {
    msm::g2(&backend.engine()?, bases, scalars, &MsmConfig::TRUSTED)
}
