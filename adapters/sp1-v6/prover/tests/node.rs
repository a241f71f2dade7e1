//! A RISC-V program (an RV64IM ELF, tests/common/rv64.rs) proven in core mode through
//! `sp1-prover`'s local node built from [`cherenkov_sp1_v6_prover::worker_builder`], as an SP1
//! application proves: the node starts (which sets up the shrink program on cherenkov's
//! recursion prover), executes the program, sets it up and proves it. The verifying key is
//! byte-identical to stock SP1's (its `CpuShardProver` on the same ELF), the node's verifier
//! (stock `SP1Verifier`) accepts the proof and rejects a tampered one.
//!
//! Proof bytes are compared with stock at the shard level, on one rayon thread
//! (cherenkov-sp1-v6's tests/riscv.rs): SP1 v6's proof-of-work grinding keeps whichever witness
//! a thread finds first, so two proofs of one program, stock or not, agree only when the search
//! runs in order, and a node on one thread takes minutes to start.

#[path = "common/rv64.rs"]
mod rv64;

use std::sync::Arc;
use std::time::Instant;

use cherenkov::Engine;
use slop_algebra::AbstractField;
use sp1_core_executor::{Program, SP1Context};
use sp1_core_machine::{io::SP1Stdin, riscv::RiscvAir};
use sp1_hypercube::prover::{CpuShardProver, SimpleProver};
use sp1_hypercube::MachineVerifyingKey;
use sp1_primitives::{SP1Field, SP1GlobalContext};
use sp1_prover::worker::{SP1LocalNodeBuilder, SP1Proof};
use sp1_prover::{CpuSP1ProverComponents, SP1ProverComponents};
use sp1_prover_types::network_base_types::ProofMode;

/// Iterations of the program's loop (22 instructions each): about 900 cycles.
const ITERATIONS: u16 = 40;

/// Stock SP1's verifying key for `elf`: the core verifier's `CpuShardProver` (slop's Merkle
/// prover) through `SimpleProver::setup`.
async fn stock_vk(elf: &[u8]) -> MachineVerifyingKey<SP1GlobalContext> {
    let verifier = CpuSP1ProverComponents::core_verifier(RiscvAir::machine());
    let shard_verifier = verifier.shard_verifier().clone();
    let stock: <CpuSP1ProverComponents as SP1ProverComponents>::CoreProver =
        CpuShardProver::new(shard_verifier.clone());
    let prover = SimpleProver::new(shard_verifier, stock);
    let program = Arc::new(Program::from(elf).expect("the ELF loads"));
    prover.setup(program).await.1
}

#[test]
fn core_proof_through_the_node() {
    let elf = rv64::elf(&rv64::program(ITERATIONS));
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let start = Instant::now();
        let builder = cherenkov_sp1_v6_prover::worker_builder(Engine::Cpu);
        let node = SP1LocalNodeBuilder::from_worker_client_builder(builder).build().await.expect("the node starts");
        let started = start.elapsed();

        let context = || SP1Context { proof_nonce: [0x6368, 0x6572, 0x656e, 0x6b6f], ..Default::default() };
        let (_, _, report) = node.execute(&elf, SP1Stdin::default(), context()).await.expect("the program runs");
        assert_eq!(report.total_instruction_count(), rv64::cycles(ITERATIONS), "the program ran every iteration");

        let start = Instant::now();
        let vk = node.setup(&elf).await.expect("setup");
        let set_up = start.elapsed();
        let stock = stock_vk(&elf).await;
        assert!(
            bincode::serialize(&vk.vk).unwrap() == bincode::serialize(&stock).unwrap(),
            "the verifying key differs from stock SP1's"
        );

        let start = Instant::now();
        let proof =
            node.prove_with_mode(&elf, SP1Stdin::default(), context(), ProofMode::Core).await.expect("a core proof");
        let proven = start.elapsed();
        println!("node started in {started:.1?}, set up in {set_up:.1?}, proved in {proven:.1?}");
        node.verify(&vk, &proof.proof).expect("SP1's verifier accepts the proof");

        let SP1Proof::Core(mut shards) = proof.proof else { panic!("a core-mode proof that is not SP1Proof::Core") };
        println!("{} shard proofs", shards.len());
        shards[0].public_values[0] += SP1Field::one();
        assert!(node.verify(&vk, &SP1Proof::Core(shards)).is_err(), "tampered public values are accepted");
    });
}
