//! BN254 Fr FFTs in place, equal to `ark_poly::Radix2EvaluationDomain<Fr>` of the slice's length
//! (`fft`, `ifft`, and on the coset `offset · H` as `domain.get_coset(offset)` gives).

use ark_bn254::Fr;

use crate::backend::Backend;
use crate::error::Result;
use crate::ntt::{self, Direction, Transform};

fn run(values: &mut [Fr], backend: Backend, t: Transform<Fr>) -> Result<()> {
    let engine = backend.engine()?;
    let out = ntt::transform_batch(&engine, values.to_vec(), 1, t)?;
    values.copy_from_slice(&out);
    Ok(())
}

/// Coefficients → evaluations on the subgroup of order `values.len()` (a power of two).
pub fn fft(values: &mut [Fr], backend: Backend) -> Result<()> {
    run(values, backend, Transform::new(Direction::Forward))
}

/// Evaluations on the subgroup → coefficients.
pub fn ifft(values: &mut [Fr], backend: Backend) -> Result<()> {
    run(values, backend, Transform::new(Direction::Inverse))
}

/// Coefficients → evaluations on `offset · H`.
pub fn coset_fft(values: &mut [Fr], offset: Fr, backend: Backend) -> Result<()> {
    run(values, backend, Transform::new(Direction::Forward).coset(offset))
}

/// Evaluations on `offset · H` → coefficients.
pub fn coset_ifft(values: &mut [Fr], offset: Fr, backend: Backend) -> Result<()> {
    run(values, backend, Transform::new(Direction::Inverse).coset(offset))
}
