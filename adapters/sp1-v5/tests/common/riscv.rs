//! A real RISC-V program through SP1 v5's core machine (`sp1-core-machine` 5.2.4): executed by
//! SP1's executor, its shards proven by `sp1_stark::CpuProver` over an unmodified
//! `BabyBearPoseidon2::new()` and checked by the machine's own verifier. Shared with the patch
//! demo (`adapters/sp1-v5/patch/demo`), which includes this file, so it names published crates
//! only: there the same calls run through cherenkov's patch crates.
//!
//! The program is the RV32IM ELF that `sp1-prover` 5.2.4 ships (`elf/riscv32im-succinct-zkvm-elf`,
//! proven there for its dummy proof with the input 500u32), copied to `tests/data/` because
//! `sp1-prover` itself is not a dependency (see `tests/data/README.md`).
//!
//! The proof is made the way SP1's own core tests make it (`sp1_core_machine::utils::prove_core`:
//! execution, checkpoints, trace generation and the shard proofs on SP1's threads), without a
//! shape configuration: traces are padded to powers of two only, which keeps a small program's
//! shards small. Byte-comparable proofs need rayon's global pool at one thread (the caller builds
//! it): the fork's proof-of-work grinding keeps whichever witness a thread finds first.

use std::time::{Duration, Instant};

use p3_baby_bear::BabyBear;
use p3_field::AbstractField;
use sp1_core_executor::{Program, SP1Context};
use sp1_core_machine::io::SP1Stdin;
use sp1_core_machine::riscv::RiscvAir;
use sp1_core_machine::utils::prove_core;
use sp1_stark::baby_bear_poseidon2::BabyBearPoseidon2;
use sp1_stark::{CpuProver, MachineProof, MachineProver, SP1CoreOpts, StarkGenericConfig, StarkVerifyingKey};

/// `sp1-prover` 5.2.4's `elf/riscv32im-succinct-zkvm-elf`.
pub const ELF: &[u8] = include_bytes!("../data/riscv32im-succinct-zkvm-elf");

type Proof = MachineProof<BabyBearPoseidon2>;
type Vk = StarkVerifyingKey<BabyBearPoseidon2>;

/// What proving the program gave.
pub struct Proved {
    pub cycles: u64,
    pub shards: usize,
    /// The verifying key and the proof, serialized with their chip orderings sorted (they are
    /// `HashMap`s, whose order differs from process to process).
    pub vk: Vec<u8>,
    pub proof: Vec<u8>,
    /// The machine's verifier accepts the proof.
    pub accepted: bool,
    /// It rejects the proof with shard 0's first public value changed.
    pub tampered_rejected: bool,
    pub setup: Duration,
    /// Execution, trace generation and the shard proofs (SP1 runs them as a pipeline).
    pub prove: Duration,
    /// The machine's verifier on the proof.
    pub verify: Duration,
}

/// Executes the ELF on input `n` in shards of `shard_size` cycles, proves every shard and
/// verifies the proof. With `reproducible`, rayon's global pool must have one thread.
pub fn prove(n: u32, shard_size: usize, reproducible: bool) -> Proved {
    assert!(
        !reproducible || rayon::current_num_threads() == 1,
        "reproducible proofs need rayon's global pool at one thread"
    );
    // The ELF was built against SP1 before v4 and writes its public values to file descriptor 3,
    // which v4 and later reserve: SP1's executor accepts it only with this opt-in.
    std::env::set_var("SP1_ALLOW_DEPRECATED_HOOKS", "true");
    let program = Program::from(ELF).expect("the ELF loads");
    let opts = SP1CoreOpts { shard_size, ..SP1CoreOpts::default() };
    let mut stdin = SP1Stdin::new();
    stdin.write(&n);

    let prover = CpuProver::new(RiscvAir::machine(BabyBearPoseidon2::new()));
    let start = Instant::now();
    let (pk, vk) = prover.setup(&program);
    let setup = start.elapsed();
    let start = Instant::now();
    let (proof, _, cycles) = prove_core(&prover, &pk, &vk, program, &stdin, opts, SP1Context::default(), None, None)
        .expect("the program executes and its shards prove");
    let prove = start.elapsed();

    let machine = prover.machine();
    let start = Instant::now();
    let accepted = machine.verify(&vk, &proof, &mut machine.config().challenger()).is_ok();
    let verify = start.elapsed();
    let mut tampered = proof.clone();
    tampered.shard_proofs[0].public_values[0] += BabyBear::one();
    let tampered_rejected = machine.verify(&vk, &tampered, &mut machine.config().challenger()).is_err();
    Proved {
        cycles,
        shards: proof.shard_proofs.len(),
        vk: vk_bytes(&vk),
        proof: proof_bytes(&proof),
        accepted,
        tampered_rejected,
        setup,
        prove,
        verify,
    }
}

/// A chip ordering's entries in name order.
fn sorted<'a>(ordering: impl IntoIterator<Item = (&'a String, &'a usize)>) -> Vec<(String, usize)> {
    let mut v: Vec<_> = ordering.into_iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort();
    v
}

fn vk_bytes(vk: &Vk) -> Vec<u8> {
    let fields = (&vk.commit, &vk.pc_start, &vk.initial_global_cumulative_sum, &vk.chip_information);
    bincode::serialize(&(fields, sorted(&vk.chip_ordering))).expect("the key serializes")
}

fn proof_bytes(proof: &Proof) -> Vec<u8> {
    let shards: Vec<_> = proof
        .shard_proofs
        .iter()
        .map(|s| (&s.commitment, &s.opened_values, &s.opening_proof, sorted(&s.chip_ordering), &s.public_values))
        .collect();
    bincode::serialize(&shards).expect("the proof serializes")
}
