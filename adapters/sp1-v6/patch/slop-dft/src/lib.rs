//! cherenkov's `slop-dft` 6.10.0, for `[patch.crates-io]`: the same items as slop's crate
//! (`Dft`, `DftOrdering`, `p3` re-exporting the fork's `p3-dft`), with
//! `p3::Radix2DitParallel`'s KoalaBear DFTs run on cherenkov — the DFT SP1 v6's Basefold encoder
//! (slop-basefold-prover's `CpuDftEncoder`) holds as a concrete type. Other fields run the fork's
//! radix-2 DIT, as in slop's crate.

use std::error::Error;

use serde::{Deserialize, Serialize};
use slop_algebra::Field;
use slop_alloc::{Backend, CpuBackend};
use slop_tensor::Tensor;

pub mod p3;

/// The order of a DFT's output rows.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DftOrdering {
    Normal,
    BitReversed,
}

/// A DFT of tensors (slop's trait, unchanged).
pub trait Dft<T: Field, A: Backend = CpuBackend>: 'static + Send + Sync {
    type Error: Error;

    /// The evaluations of `src`'s slices along `dim` (coefficients) on `shift · K`, K of order
    /// `src.sizes()[dim] << log_blowup`, written to `dst`. An implementation may return an error
    /// for a dimension, ordering or shift it does not support.
    fn coset_dft_into(
        &self,
        src: &Tensor<T, A>,
        dst: &mut Tensor<T, A>,
        shift: T,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<(), Self::Error>;

    fn coset_dft(
        &self,
        src: &Tensor<T, A>,
        shift: T,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<Tensor<T, A>, Self::Error> {
        let mut sizes = src.sizes().to_vec();
        sizes[dim] <<= log_blowup;
        let mut dst = Tensor::with_sizes_in(sizes, src.backend().clone());
        self.coset_dft_into(src, &mut dst, shift, log_blowup, ordering, dim)?;
        Ok(dst)
    }

    fn dft_into(
        &self,
        src: &Tensor<T, A>,
        dst: &mut Tensor<T, A>,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<(), Self::Error> {
        self.coset_dft_into(src, dst, T::one(), log_blowup, ordering, dim)
    }

    fn dft(
        &self,
        src: &Tensor<T, A>,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<Tensor<T, A>, Self::Error> {
        self.coset_dft(src, T::one(), log_blowup, ordering, dim)
    }
}
