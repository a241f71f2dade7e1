//! cherenkov behind SP1 v6's (Hypercube's) seams, slop 6.10.0 on Succinct's Plonky3 fork 0.4.3.
//!
//! - [`Dft`] implements `slop_dft::Dft<KoalaBear>` (what SP1 v6's Basefold encoder calls): the
//!   columns of `src` are coefficients, `dst` receives their evaluations on `shift · K`, K of
//!   order `height << log_blowup`, rows in natural or bit-reversed order — equal to slop's own
//!   `Radix2DitParallel` implementation.
//! - [`MerkleProver`] implements `slop_merkle_tree::TensorCsProver<KoalaBearDegree4Duplex>` (and
//!   `ComputeTcsOpenings`) with SP1 v6's Poseidon2-KoalaBear-16: commitments, prover data and
//!   opening proofs equal to slop's `Poseidon2KoalaBear16Prover`, so slop's
//!   `MerkleTreeTcs::verify_tensor_openings` accepts them.
//!
//! Elements cross between the fork's KoalaBear and upstream's (cherenkov's) through canonical
//! `u32`s: one conversion each way per element.

mod dft;
mod tcs;

pub use dft::Dft;
pub use tcs::{MerkleProver, TreeData};

/// SP1 v6's field (the fork's KoalaBear).
pub type KoalaBear = slop_koala_bear::KoalaBear;
