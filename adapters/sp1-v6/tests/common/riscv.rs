//! A RISC-V program for SP1 v6's core machine, written with its instruction builder, and its proof
//! through any shard prover (tests/riscv.rs; examples/riscv_shard.rs).

// Each includer uses a part.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cherenkov_sp1_v6::{KoalaBear, ShardVerifierOf};
use slop_basefold::FriConfig;
use slop_koala_bear::KoalaBearDegree4Duplex as Gc;
use sp1_core_executor::{add_halt, Instruction, Opcode, Program, SP1Context, SP1CoreOpts};
use sp1_core_machine::{io::SP1Stdin, riscv::RiscvAir, utils::prove_core};
use sp1_hypercube::prover::{AirProver, CpuShardProver, PreprocessedData, SP1InnerPcsProver, SimpleProver};
use sp1_hypercube::{
    MachineProof, MachineVerifier, MachineVerifyingKey, SP1InnerPcs, SP1PcsProofInner, ShardContextImpl, ShardVerifier,
};

pub type Air = RiscvAir<KoalaBear>;
pub type Sc = ShardContextImpl<Gc, SP1InnerPcs, Air>;
pub type Proof = MachineProof<Gc, SP1PcsProofInner>;

pub fn verifier() -> ShardVerifierOf<Air> {
    ShardVerifier::from_basefold_parameters(FriConfig::default_fri_config(), 21, 22, RiscvAir::machine())
}

/// A loop of `iters` iterations over the ALU (add, sub, logic, shifts, compares, 32-bit ops),
/// mul/div/rem, byte/word/double loads and stores, and a backward branch; then forward branches
/// taken and not, jumps, and the SHA-256 message-schedule precompile (an `ECALL`) over 64 words
/// whose first 16 the program stores.
pub fn program(iters: u64) -> Program {
    use Opcode::*;
    let i = Instruction::new;
    let mut body = vec![
        i(ADD, 4, 2, 1, false, false),
        i(MUL, 2, 4, 4, false, false),
        i(MULHU, 3, 4, 2, false, false),
        i(XOR, 6, 2, 1, false, false),
        i(DIVU, 7, 6, 1, false, false),
        i(REMU, 8, 6, 1, false, false),
        i(DIV, 13, 3, 1, false, false),
        i(SW, 7, 0, 0x2765_4320, false, true),
        i(LW, 9, 0, 0x2765_4320, false, true),
        i(SB, 2, 0, 0x2765_4325, false, true),
        i(LBU, 14, 0, 0x2765_4325, false, true),
        i(SD, 2, 0, 0x2765_4328, false, true),
        i(LD, 15, 0, 0x2765_4328, false, true),
        i(SRL, 10, 9, 8, false, false),
        i(SRA, 16, 3, 8, false, false),
        i(SLL, 17, 6, 8, false, false),
        i(SLTU, 11, 10, 2, false, false),
        i(SUBW, 18, 15, 14, false, false),
        i(OR, 19, 17, 16, false, false),
        i(AND, 20, 19, 18, false, false),
        i(ADDI, 1, 1, (-1i64) as u64, false, true),
    ];
    let back = (-(body.len() as i64 * 4)) as u64;
    body.push(i(BNE, 1, 0, back, false, true));
    let mut instructions = vec![i(ADDI, 1, 0, iters, false, true), i(ADDI, 2, 0, 3, false, true)];
    instructions.extend(body);
    instructions.extend([
        i(BLT, 0, 2, 8, false, true),
        i(ADDI, 21, 0, 0xff, false, true),
        i(BGEU, 0, 2, 8, false, true),
        i(JAL, 27, 8, 0, true, true),
        i(ADDI, 21, 0, 0xee, false, true),
        i(JAL, 26, 4, 0, true, true),
        i(ADDI, 10, 0, 0x2000_0000, false, true),
        i(ADDI, 11, 0, 0, false, true),
    ]);
    for w in 0..16u64 {
        instructions.push(i(ADDI, 12, 0, 0x0123_4567 * (w + 1), false, true));
        instructions.push(i(SD, 12, 0, 0x2000_0000 + 8 * w, false, true));
    }
    instructions.push(i(ADDI, 5, 0, sp1_core_executor::SyscallCode::SHA_EXTEND as u64, false, true));
    instructions.push(i(ECALL, 5, 10, 11, false, false));
    add_halt(&mut instructions);
    Program::new(instructions, 0, 0)
}

/// A proof of [`program`] and what it took.
pub struct Proved {
    pub vk: MachineVerifyingKey<Gc>,
    pub proof: Proof,
    pub cycles: u64,
    pub setup: Duration,
    /// Execution, trace generation and the shard proofs.
    pub prove: Duration,
}

/// Setup, execution and the shard proofs of `program(iters)` through `shard_prover`.
pub fn prove<P: AirProver<Gc, Sc>>(shard_prover: P, iters: u64) -> Proved {
    let program = Arc::new(program(iters));
    let prover = SimpleProver::new(verifier(), shard_prover);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let start = Instant::now();
        let (PreprocessedData { pk, permit }, vk) = prover.setup(program.clone()).await;
        let setup = start.elapsed();
        let start = Instant::now();
        let (proof, cycles) =
            prove_core(&prover, pk, program, SP1Stdin::new(), SP1CoreOpts::default(), SP1Context::default())
                .await
                .expect("the program executes and proves");
        let prove = start.elapsed();
        drop(permit);
        assert!(cycles > iters * 22, "{cycles} cycles: the loop ran");
        Proved { vk, proof, cycles, setup, prove }
    })
}

/// The stock prover (`SP1InnerPcsProver`: slop's Merkle prover).
pub fn stock_prover() -> CpuShardProver<Gc, SP1InnerPcs, SP1InnerPcsProver, Air> {
    CpuShardProver::new(verifier())
}

/// Whether the stock verifier accepts `proof` (what `SimpleProver::verify` calls, without
/// building a prover for it).
pub fn verify(vk: &MachineVerifyingKey<Gc>, proof: &Proof) -> bool {
    MachineVerifier::new(verifier()).verify(vk, proof).is_ok()
}
