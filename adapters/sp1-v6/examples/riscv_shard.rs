//! A RISC-V program (tests/common/riscv.rs: ALU, mul/div, loads and stores, branches, jumps and
//! the SHA-256 extend precompile) proven by SP1 v6's core shard prover, stock and through
//! cherenkov's tensor commitments, in one run: cycles, setup and prove times, the ratio, whether
//! the stock verifier accepts both and whether the proofs are byte-identical (with more than one
//! rayon thread they may not be: SP1's proof-of-work grinding keeps whichever witness a thread
//! finds first; see tests/riscv.rs). `RUST_LOG=debug` adds SP1's own spans (trace commitment,
//! LogUp-GKR, zerocheck, evaluation claims). `CHERENKOV_BACKEND` picks cherenkov's engine
//! (unset: the best available); on a device engine (cuda, emu) it also prints what the proof moved
//! (`Engine::stats()`: bytes each way, launches, allocations, host waits; the emulator's counts
//! equal a GPU's for the same calls).
//!
//! `cargo run --release -p cherenkov-sp1-v6 --example riscv_shard [-- ITERATIONS]` (default 300:
//! about 6 600 cycles; each iteration is 22 instructions).

#[path = "../tests/common/riscv.rs"]
mod riscv;

use cherenkov::{Backend, Engine};

fn main() {
    sp1_core_machine::utils::setup_logger();
    let iters: u64 = std::env::args().nth(1).map_or(300, |s| s.parse().expect("ITERATIONS is a number"));
    let engine = Backend::from_env().and_then(Backend::engine).expect("the engine CHERENKOV_BACKEND names starts");
    let name = engine.name();
    let stock = riscv::prove(riscv::stock_prover(), iters);
    engine.reset_stats();
    let ours = riscv::prove(cherenkov_sp1_v6::shard_prover(riscv::verifier(), engine.clone()), iters);
    let stats = engine.stats();
    println!("| prover | cycles | shards | setup | prove | stock verifier |\n|---|---|---|---|---|---|");
    for (who, p) in [("stock SP1 v6 (SP1InnerPcsProver)", &stock), (&*format!("cherenkov {name}"), &ours)] {
        println!(
            "| {who} | {} | {} | {:.2} s | {:.2} s | {} |",
            p.cycles,
            p.proof.shard_proofs.len(),
            p.setup.as_secs_f64(),
            p.prove.as_secs_f64(),
            if riscv::verify(&p.vk, &p.proof) { "accepts" } else { "REJECTS" }
        );
    }
    let identical = bincode::serialize(&stock.proof).unwrap() == bincode::serialize(&ours.proof).unwrap();
    println!(
        "\nprove: {:.2}× stock; setup: {:.2}× stock; proofs byte-identical: {identical}",
        stock.prove.as_secs_f64() / ours.prove.as_secs_f64(),
        stock.setup.as_secs_f64() / ours.setup.as_secs_f64()
    );
    if matches!(engine, Engine::Gpu(_)) {
        println!("{name}, setup + prove: {stats}");
    }
}
