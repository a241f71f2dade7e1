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
//! - [`InnerPcsProver`] is SP1 v6's inner PCS prover (`sp1_hypercube::prover::SP1InnerPcsProver`)
//!   with [`MerkleProver`] in place of slop's: `CpuShardProver<SP1GlobalContext,
//!   InnerPcsProver, RiscvAir>` builds it through `DefaultJaggedProver` (the Merkle prover from
//!   `CHERENKOV_BACKEND`); [`jagged_prover`] builds it on a given engine.
//! - [`ShardProver`] is SP1 v6's `CpuShardProver` over [`InnerPcsProver`]; [`shard_prover`]
//!   builds one on a given engine. With `sp1_core_machine::riscv::RiscvAir` it proves RISC-V
//!   core shards, byte-identical to stock SP1 (`tests/riscv.rs`).
//!
//! The Basefold encoder's DFT is a concrete `slop_dft::p3::Radix2DitParallel` inside
//! slop-basefold-prover, out of reach of any type parameter: `patch/` holds cherenkov's
//! `slop-dft` for `[patch.crates-io]`, which runs that type's KoalaBear DFTs on cherenkov.
//!
//! Elements cross between the fork's KoalaBear and upstream's (cherenkov's) through canonical
//! `u32`s: one conversion each way per element.

mod dft;
mod shard;
mod tcs;

pub use dft::Dft;
pub use shard::{shard_prover, ShardProver, ShardVerifierOf};
pub use tcs::{MerkleProver, TreeData};

use std::sync::Arc;

use slop_basefold_prover::{BasefoldProver, CpuDftEncoder};
use slop_jagged::{JaggedAssistProver, JaggedPcsVerifier, JaggedProver};
use slop_koala_bear::KoalaBearDegree4Duplex;
use slop_stacked::{StackedBasefoldProof, StackedPcsProver, StackedPcsVerifier};

/// SP1 v6's inner PCS prover (`StackedPcsProver<Poseidon2KoalaBear16Prover, SP1GlobalContext>`)
/// with cherenkov's tensor commitments.
pub type InnerPcsProver = StackedPcsProver<MerkleProver, KoalaBearDegree4Duplex>;

/// The jagged PCS prover SP1 v6's shard prover holds, over [`InnerPcsProver`] with its Merkle
/// prover on `engine`.
pub type JaggedInnerProver =
    JaggedProver<KoalaBearDegree4Duplex, StackedBasefoldProof<KoalaBearDegree4Duplex>, InnerPcsProver>;

/// slop-jagged's interleave batch size for a prover built from its verifier
/// (`DefaultJaggedProver`; private there).
const INTERLEAVE_BATCH_SIZE: usize = 32;

/// What `JaggedProver::from_verifier(verifier)` builds for [`InnerPcsProver`], with the Merkle
/// prover on `engine` instead of the one `CHERENKOV_BACKEND` names.
pub fn jagged_prover(
    verifier: &JaggedPcsVerifier<KoalaBearDegree4Duplex, StackedPcsVerifier<KoalaBearDegree4Duplex>>,
    engine: cherenkov::Engine,
) -> JaggedInnerProver {
    let basefold = &verifier.pcs_verifier.basefold_verifier;
    let encoder = CpuDftEncoder { config: basefold.fri_config, dft: Arc::new(slop_dft::p3::Radix2DitParallel) };
    let pcs = BasefoldProver::from_parts(encoder, MerkleProver::on(engine));
    let stacked = StackedPcsProver::new(pcs, verifier.pcs_verifier.log_stacking_height, INTERLEAVE_BATCH_SIZE);
    JaggedProver::new(verifier.max_log_row_count, stacked, JaggedAssistProver::<KoalaBearDegree4Duplex>::default())
}

/// SP1 v6's field (the fork's KoalaBear).
pub use cherenkov_sp1_v6_support::KoalaBear;
