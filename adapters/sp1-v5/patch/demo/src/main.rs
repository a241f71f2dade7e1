//! `cherenkov-sp1-v5-patch-demo [--out FILE]`: runs the cases of
//! `adapters/sp1-v5/tests/common/cases.rs` (DFTs through `Radix2DitParallel`, Merkle trees
//! through `sp1_stark`'s `InnerValMmcs`, Fibonacci proofs through `BabyBearPoseidon2::new()`,
//! opened values through `interpolate_coset`, a RISC-V program through SP1 v5's core machine) in a
//! build where `p3-dft`, `p3-merkle-tree` and `p3-interpolation` are cherenkov's patch crates,
//! prints what ran on cherenkov, and writes the outcomes to FILE for
//! `adapters/sp1-v5/tests/patch.rs` to compare with the stock fork's. `CHERENKOV_BACKEND` picks
//! the engine (default auto).

// The same files as the stock side's tests (`super::fib` in cases.rs is the crate root here).
#[path = "../../../tests/common/cases.rs"]
mod cases;
#[path = "../../../tests/common/fib.rs"]
mod fib;
#[path = "../../../tests/common/riscv.rs"]
mod riscv;
#[path = "../../../../shared/span_times.rs"]
mod span_times;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--out" => Some(path.clone()),
        [flag, n, shard_size, proof] if flag == "--riscv" => match (n.parse(), shard_size.parse()) {
            (Ok(n), Ok(shard_size)) => return riscv_timed(n, shard_size, proof),
            _ => {
                eprintln!("--riscv N SHARD_SIZE PROOF_FILE: N and SHARD_SIZE are numbers");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: cherenkov-sp1-v5-patch-demo [--out FILE | --riscv N SHARD_SIZE PROOF_FILE]");
            return ExitCode::from(2);
        }
    };
    // One rayon thread: the RISC-V case proves on SP1's own threads, whose rayon work goes to the
    // global pool, and only one thread makes its proof-of-work witness reproducible.
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global().expect("rayon's global pool is not built yet");
    let engine = cherenkov_sp1_v5_support::engine().name();
    let start = std::time::Instant::now();
    let outcomes = cases::run();
    let stats = cherenkov_sp1_v5_support::stats();
    println!(
        "{} cases through the patched p3-dft / p3-interpolation / p3-merkle-tree in {:.2?}: {} DFT calls, {} openings and {} Merkle commits ran on cherenkov ({engine})",
        outcomes.len(),
        start.elapsed(),
        stats.dft_calls,
        stats.openings,
        stats.commits
    );
    if let Some(e) = cherenkov_sp1_v5_support::last_device_error() {
        println!("recovered on the cpu from a device error: {e}");
    }
    if stats.dft_calls == 0 || stats.openings == 0 || stats.commits == 0 {
        eprintln!("the patch crates are not in use: nothing ran on cherenkov");
        return ExitCode::FAILURE;
    }
    if let Some(path) = out {
        let bytes = bincode::serialize(&outcomes).expect("outcomes serialize");
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// `--riscv`: proves the RISC-V program (`riscv.rs`) on rayon's global pool, writes the proof's
/// bytes to `proof_file` and prints, one per line, `key value` pairs for
/// `adapters/sp1-v5/examples/riscv_shard_v5.rs`: cycles, shards, the verifier's verdict, the
/// setup / prove / verify seconds, `span NAME seconds` for every span that ran, the engine, the
/// calls that ran on cherenkov and the engine's device counters.
fn riscv_timed(n: u32, shard_size: usize, proof_file: &str) -> ExitCode {
    let times = span_times::SpanTimes::install();
    let p = riscv::prove(n, shard_size, false);
    if let Err(e) = std::fs::write(proof_file, &p.proof) {
        eprintln!("cannot write {proof_file}: {e}");
        return ExitCode::FAILURE;
    }
    println!("cycles {}\nshards {}\naccepted {}", p.cycles, p.shards, p.accepted);
    for (key, t) in [("setup", p.setup), ("prove", p.prove), ("verify", p.verify)] {
        println!("{key} {:.3}", t.as_secs_f64());
    }
    for (name, t) in times.take() {
        println!("span {name}\t{:.3}", t.as_secs_f64());
    }
    let engine = cherenkov_sp1_v5_support::engine();
    let calls = cherenkov_sp1_v5_support::stats();
    println!("engine {}", engine.name());
    println!(
        "calls {} DFT calls, {} openings and {} Merkle commits on cherenkov",
        calls.dft_calls, calls.openings, calls.commits
    );
    // What the engine moved for setup and every shard (zeros on the cpu; on the emulator what a
    // GPU would move for the same calls).
    println!("device {}", engine.stats());
    ExitCode::SUCCESS
}
