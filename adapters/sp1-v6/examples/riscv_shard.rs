//! A RISC-V program (tests/common/riscv.rs: ALU, mul/div, loads and stores, branches, jumps and
//! the SHA-256 extend precompile) proven by SP1 v6's core shard prover, stock and through
//! cherenkov's tensor commitments, in one run: cycles, setup and prove times, the ratio, whether
//! the stock verifier accepts both and whether the proofs are byte-identical (with more than one
//! rayon thread they may not be: SP1's proof-of-work grinding keeps whichever witness a thread
//! finds first; see tests/riscv.rs), and where each prover's time went, from SP1's own tracing
//! spans (busy time summed over shards; the spans nest, so the rows do not add up to the
//! total). `CHERENKOV_BACKEND` picks cherenkov's engine
//! (unset: the best available); on a device engine (cuda, emu) it also prints what the proof moved
//! (`Engine::stats()`: bytes each way, launches, allocations, host waits; the emulator's counts
//! equal a GPU's for the same calls).
//!
//! `cargo run --release -p cherenkov-sp1-v6 --example riscv_shard [-- ITERATIONS]` (default 300:
//! about 6 600 cycles; each iteration is 22 instructions). `cherenkov sp1 --version 6` runs it.

#[path = "../tests/common/riscv.rs"]
mod riscv;

#[path = "../../shared/span_times.rs"]
mod span_times;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cherenkov::{Backend, Engine};
use span_times::SpanTimes;

/// SP1 v6's spans that make up a shard proof (sp1-hypercube's `prover/shard.rs`, slop-jagged's
/// `prover.rs`), with what they cover.
const SPLIT: &[(&str, &str)] = &[
    ("simple_setup", "setup (preprocessed traces and their commitment)"),
    ("generate main traces", "trace generation"),
    ("commit traces", "main trace commitment (Reed-Solomon encoding and Merkle trees)"),
    ("logup gkr proof", "LogUp-GKR"),
    ("zerocheck", "zerocheck"),
    ("prove evaluation claims", "evaluation claims (jagged PCS), of which:"),
    ("jagged evaluation proof", "  jagged sumcheck and evaluation proof"),
    ("Dense PCS evaluation proof", "  Basefold (FRI folding commitments and queries)"),
];

fn main() {
    let times = SpanTimes::install();
    let iters: u64 = std::env::args().nth(1).map_or(300, |s| s.parse().expect("ITERATIONS is a number"));
    let engine = Backend::from_env().and_then(Backend::engine).expect("the engine CHERENKOV_BACKEND names starts");
    let name = engine.name();
    let stock = riscv::prove(riscv::stock_prover(), iters);
    let stock_split = times.take();
    engine.reset_stats();
    let ours = riscv::prove(cherenkov_sp1_v6::shard_prover(riscv::verifier(), engine.clone()), iters);
    let stats = engine.stats();
    let our_split = times.take();
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
    println!("\n| step (SP1's span) | stock | cherenkov {name} | ratio |\n|---|---|---|---|");
    let verify = |p: &riscv::Proved| {
        let start = Instant::now();
        riscv::verify(&p.vk, &p.proof);
        start.elapsed()
    };
    let rows = SPLIT.iter().map(|&(span, what)| {
        let get = |m: &HashMap<&str, Duration>| m.get(span).copied().unwrap_or_default();
        (format!("{what} (`{span}`)"), get(&stock_split), get(&our_split))
    });
    for (what, s, o) in rows.chain([("stock verifier".to_string(), verify(&stock), verify(&ours))]) {
        let ratio = if o.is_zero() { "-".into() } else { format!("{:.2}×", s.as_secs_f64() / o.as_secs_f64()) };
        println!("| {what} | {:.2} s | {:.2} s | {ratio} |", s.as_secs_f64(), o.as_secs_f64());
    }
    if matches!(engine, Engine::Gpu(_)) {
        println!("{name}, setup + prove: {stats}");
    }
}
