//! Real RISC-V programs, written with SP1 v6's instruction builder, proven by SP1's core shard
//! prover (sp1-core-machine's `RiscvAir`, the parameters of its own `run_test`: stacking height
//! 2^21, at most 2^22 rows, SP1's FRI configuration) through cherenkov's tensor commitments
//! ([`cherenkov_sp1_v6::shard_prover`]) on cpu, emu and cuda, and through stock SP1
//! (`SP1InnerPcsProver`): verifying keys and proofs byte-identical, the stock verifier accepts
//! them and rejects a tampered proof.
//!
//! Byte-identical needs one rayon thread. SP1 v6's proof-of-work grinding (slop-challenger's
//! `DuplexChallenger::grind`, before Basefold's batching and before its queries) is a parallel
//! `find_any` over candidate witnesses: it keeps whichever witness a thread finds first, which
//! depends on timing, and every later challenge depends on it. Two stock proofs of one program
//! differ whenever another thread wins the race (here: when the emulator's threads load the
//! machine); both verify. On one rayon thread the search runs in order and keeps the smallest
//! witness, so stock and cherenkov must agree byte for byte.

#[path = "common/riscv.rs"]
mod riscv;

use std::sync::OnceLock;

use cherenkov::Engine;
use cherenkov_sp1_v6::{shard_prover, KoalaBear};
use riscv::{prove, stock_prover, verifier, verify, Proved};
use slop_algebra::AbstractField;

/// Iterations of the program's loop: about 1 000 cycles. A core shard costs about the same from a
/// hundred cycles to a few thousand: every chip is padded to its minimum height.
const ITERATIONS: u64 = 40;

/// The global rayon pool with one thread (the first test to run builds it; see the module docs).
fn one_rayon_thread() {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(1).build_global();
    assert_eq!(rayon::current_num_threads(), 1, "the global rayon pool was built before the tests set it");
}

/// Stock SP1's verifying key and proof (bincode), computed once for every test.
fn stock() -> &'static (Vec<u8>, Vec<u8>) {
    static STOCK: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    STOCK.get_or_init(|| {
        let Proved { vk, proof, .. } = prove(stock_prover(), ITERATIONS);
        assert!(verify(&vk, &proof), "stock SP1's own proof verifies");
        (bincode::serialize(&vk).unwrap(), bincode::serialize(&proof).unwrap())
    })
}

fn equal_to_stock(engine: Engine) {
    one_rayon_thread();
    let name = engine.name();
    let Proved { vk, proof, .. } = prove(shard_prover(verifier(), engine), ITERATIONS);
    assert_eq!(proof.shard_proofs.len(), 1);
    let (want_vk, want_proof) = stock();
    assert!(bincode::serialize(&vk).unwrap() == *want_vk, "{name}: the verifying key differs from stock SP1's");
    assert!(bincode::serialize(&proof).unwrap() == *want_proof, "{name}: the proof differs from stock SP1's");
    assert!(verify(&vk, &proof), "{name}: the stock verifier rejects the proof");

    let mut tampered = proof.clone();
    tampered.shard_proofs[0].main_commitment[0] += KoalaBear::one();
    assert!(!verify(&vk, &tampered), "{name}: a tampered main-trace commitment is accepted");
    let mut tampered = proof;
    tampered.shard_proofs[0].public_values[0] += KoalaBear::one();
    assert!(!verify(&vk, &tampered), "{name}: tampered public values are accepted");
}

#[test]
fn cpu_equals_stock() {
    equal_to_stock(Engine::Cpu);
}

#[test]
fn devices_equal_stock() {
    for engine in cherenkov::backend::device_engines() {
        equal_to_stock(engine);
    }
}
