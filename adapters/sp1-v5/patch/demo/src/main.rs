//! `cherenkov-sp1-v5-patch-demo [--out FILE]`: runs the cases of
//! `adapters/sp1-v5/tests/common/cases.rs` (DFTs through `Radix2DitParallel`, Merkle trees
//! through `sp1_stark`'s `InnerValMmcs`, Fibonacci proofs through `BabyBearPoseidon2::new()`)
//! in a build where `p3-dft` and `p3-merkle-tree` are cherenkov's patch crates, prints what ran
//! on cherenkov, and writes the outcomes to FILE for `adapters/sp1-v5/tests/patch.rs` to compare
//! with the stock fork's. `CHERENKOV_BACKEND` picks the engine (default auto).

// The same files as the stock side's tests (`super::fib` in cases.rs is the crate root here).
#[path = "../../../tests/common/cases.rs"]
mod cases;
#[path = "../../../tests/common/fib.rs"]
mod fib;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--out" => Some(path.clone()),
        _ => {
            eprintln!("usage: cherenkov-sp1-v5-patch-demo [--out FILE]");
            return ExitCode::from(2);
        }
    };
    let engine = cherenkov_sp1_v5_support::engine().name();
    let start = std::time::Instant::now();
    let outcomes = cases::run();
    let stats = cherenkov_sp1_v5_support::stats();
    println!(
        "{} cases through the patched p3-dft / p3-merkle-tree in {:.2?}: {} DFT calls and {} Merkle commits ran on cherenkov ({engine})",
        outcomes.len(),
        start.elapsed(),
        stats.dft_calls,
        stats.commits
    );
    if let Some(e) = cherenkov_sp1_v5_support::last_device_error() {
        println!("recovered on the cpu from a device error: {e}");
    }
    if stats.dft_calls == 0 || stats.commits == 0 {
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
