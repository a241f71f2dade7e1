//! cherenkov inside `sp1-prover` 6.10.0, the level an SP1 v6 application proves at: its local
//! node (`SP1LocalNodeBuilder`) and workers take their shard provers from an
//! [`SP1ProverComponents`] type, and [`CherenkovProverComponents`] is stock's
//! `CpuSP1ProverComponents` with cherenkov's tensor commitments in the core prover (RISC-V
//! shards) and in the recursion prover (compress and shrink shards), both KoalaBear Poseidon2.
//! The wrap prover (BN254 Poseidon2, outer context) stays stock: cherenkov has no seam there.
//!
//! ```no_run
//! # async fn run(elf: &[u8]) -> anyhow::Result<()> {
//! use sp1_prover::worker::SP1LocalNodeBuilder;
//!
//! let builder = cherenkov_sp1_v6_prover::worker_builder(cherenkov::Backend::Auto.engine()?);
//! let node = SP1LocalNodeBuilder::from_worker_client_builder(builder).build().await?;
//! let vk = node.setup(elf).await?;
//! # Ok(()) }
//! ```
//!
//! Proofs are those of stock components (the commitments are byte-identical to slop's, see
//! cherenkov-sp1-v6's tests), so stock verifiers and SP1's recursion verifying-key map accept
//! them. The Basefold encoder's DFT is reached through cherenkov-sp1-v6's `[patch.crates-io]`
//! `slop-dft` (adapters/sp1-v6/patch), not through this crate.

use std::sync::Arc;

use cherenkov::Engine;
use cherenkov_sp1_v6::{shard_prover, ShardProver};
use sp1_core_executor::SP1CoreOpts;
use sp1_core_machine::riscv::RiscvAir;
use sp1_hypercube::prover::{CpuShardProver, ProverSemaphore, SP1OuterPcsProver};
use sp1_hypercube::{Machine, SP1OuterPcs};
use sp1_primitives::{SP1Field, SP1OuterGlobalContext};
use sp1_prover::worker::{LocalWorkerClient, SP1WorkerBuilder};
use sp1_prover::{CompressAir, SP1ProverComponents, WrapAir, WrapProverBuilder};
use sp1_prover_types::InMemoryArtifactClient;

/// Provers that `CpuSP1ProverComponents`'s default worker runs at once (its own figure).
const PROVER_PERMITS: usize = 4;

/// `sp1_prover`'s prover components with cherenkov's Merkle prover in the core and recursion
/// shard provers. Build the provers with [`worker_builder`] (or [`core_prover`] and
/// [`recursion_prover`] for a builder of your own).
pub struct CherenkovProverComponents;

impl SP1ProverComponents for CherenkovProverComponents {
    type CoreProver = ShardProver<RiscvAir<SP1Field>>;
    type RecursionProver = ShardProver<CompressAir<SP1Field>>;
    type WrapProver = CpuShardProver<SP1OuterGlobalContext, SP1OuterPcs, SP1OuterPcsProver, WrapAir<SP1Field>>;
    type WrapProverBuilder = StockWrapProverBuilder;
}

/// Builds the stock wrap prover when a proof first needs it, as `CpuWrapProverBuilder` does for
/// `CpuSP1ProverComponents` (that one is tied to the stock components type).
pub struct StockWrapProverBuilder;

impl WrapProverBuilder<CherenkovProverComponents> for StockWrapProverBuilder {
    fn build(&self) -> Arc<<CherenkovProverComponents as SP1ProverComponents>::WrapProver> {
        let verifier = CherenkovProverComponents::wrap_verifier();
        Arc::new(CpuShardProver::new(verifier.shard_verifier().clone()))
    }
}

/// The core (RISC-V) shard prover of `machine` with its tensor commitments on `engine`.
pub fn core_prover(
    machine: Machine<SP1Field, RiscvAir<SP1Field>>,
    engine: Engine,
) -> <CherenkovProverComponents as SP1ProverComponents>::CoreProver {
    let verifier = CherenkovProverComponents::core_verifier(machine);
    shard_prover(verifier.shard_verifier().clone(), engine)
}

/// The compress (`shrink == false`) or shrink recursion prover on `engine`.
pub fn recursion_prover(
    shrink: bool,
    engine: Engine,
) -> <CherenkovProverComponents as SP1ProverComponents>::RecursionProver {
    let verifier = if shrink {
        CherenkovProverComponents::shrink_verifier()
    } else {
        CherenkovProverComponents::compress_verifier()
    };
    shard_prover(verifier.shard_verifier().clone(), engine)
}

/// What `sp1_prover::worker::cpu_worker_builder()` builds, with [`CherenkovProverComponents`] on
/// `engine`: SP1's RISC-V machine, default core options, four prover permits, an in-memory
/// artifact client and a local worker client. Hand it to
/// `SP1LocalNodeBuilder::from_worker_client_builder`.
pub fn worker_builder(engine: Engine) -> SP1WorkerBuilder<CherenkovProverComponents> {
    worker_builder_with_machine(RiscvAir::machine(), engine)
}

/// [`worker_builder`] for a custom RISC-V machine (`cpu_worker_builder_with_machine`'s twin).
pub fn worker_builder_with_machine(
    machine: Machine<SP1Field, RiscvAir<SP1Field>>,
    engine: Engine,
) -> SP1WorkerBuilder<CherenkovProverComponents> {
    let permits = ProverSemaphore::new(PROVER_PERMITS);
    let core = Arc::new(core_prover(machine.clone(), engine.clone()));
    let compress = Arc::new(recursion_prover(false, engine.clone()));
    let shrink = Arc::new(recursion_prover(true, engine));
    let (worker_client, _) = LocalWorkerClient::init();
    SP1WorkerBuilder::new_with_machine(machine)
        .with_artifact_client(InMemoryArtifactClient::new())
        .with_worker_client(worker_client)
        .with_core_opts(SP1CoreOpts::default())
        .with_core_air_prover(core, permits.clone())
        .with_compress_air_prover(compress, permits.clone())
        .with_shrink_air_prover(shrink, permits.clone())
        .with_wrap_air_prover(StockWrapProverBuilder, permits)
}
