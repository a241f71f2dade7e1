//! SP1 v6's shard prover (`sp1_hypercube::prover::CpuShardProver`) with cherenkov's tensor
//! commitments: what `sp1-core-machine`'s RISC-V core shards, and any other SP1 machine, are
//! proven with.

use slop_challenger::IopCtx;
use slop_koala_bear::KoalaBearDegree4Duplex;
use sp1_hypercube::prover::{CpuShardProver, DefaultTraceGenerator, ZerocheckAir};
use sp1_hypercube::{GkrProverImpl, LogupGkrCpuTraceGenerator, SP1InnerPcs, ShardContextImpl, ShardVerifier};

use crate::{jagged_prover, InnerPcsProver};

type F = <KoalaBearDegree4Duplex as IopCtx>::F;
type EF = <KoalaBearDegree4Duplex as IopCtx>::EF;

/// `CpuShardProver<SP1GlobalContext, SP1InnerPcs, SP1InnerPcsProver, A>` with cherenkov's Merkle
/// prover: for core shards `A` is `sp1_core_machine::riscv::RiscvAir<KoalaBear>`. Its proofs are
/// byte-identical to the stock prover's. `ShardProver::new(verifier)` builds the Merkle prover
/// from `CHERENKOV_BACKEND` (see `MerkleProver::default`); [`shard_prover`] takes the engine.
pub type ShardProver<A> = CpuShardProver<KoalaBearDegree4Duplex, SP1InnerPcs, InnerPcsProver, A>;

/// The verifier a [`ShardProver`] proves for.
pub type ShardVerifierOf<A> =
    ShardVerifier<KoalaBearDegree4Duplex, ShardContextImpl<KoalaBearDegree4Duplex, SP1InnerPcs, A>>;

/// What `CpuShardProver::new(verifier)` builds (trace generator, LogUp-GKR prover, jagged PCS
/// prover), with the tensor commitments on `engine`.
pub fn shard_prover<A: ZerocheckAir<F, EF>>(verifier: ShardVerifierOf<A>, engine: cherenkov::Engine) -> ShardProver<A> {
    let ShardVerifier { jagged_pcs_verifier, machine } = verifier;
    let pcs = jagged_prover(&jagged_pcs_verifier, engine);
    let gkr = GkrProverImpl::new(LogupGkrCpuTraceGenerator::default());
    ShardProver::from_components(DefaultTraceGenerator::new(machine), gkr, pcs)
}
