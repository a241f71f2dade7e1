//! `cherenkov-sp1-v6-patch-demo --seed N [--out FILE]`: runs the cases of
//! `adapters/sp1-v6/tests/common/cases.rs` (DFTs through `slop_dft::p3::Radix2DitParallel`,
//! SP1 v6's jagged PCS through slop's unmodified Basefold prover) in a build where `slop-dft` is
//! cherenkov's patch crate, prints what ran on cherenkov, and writes the outcomes to FILE for
//! `adapters/sp1-v6/tests/patch.rs` to compare with stock slop's. `CHERENKOV_BACKEND` picks the
//! engine (default auto).

// The same file as the stock side's test.
#[path = "../../../tests/common/cases.rs"]
mod cases;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (seed, out) = match args.as_slice() {
        [flag, seed] if flag == "--seed" => (seed.parse::<u64>().ok(), None),
        [flag, seed, out_flag, path] if flag == "--seed" && out_flag == "--out" => {
            (seed.parse::<u64>().ok(), Some(path.clone()))
        }
        _ => (None, None),
    };
    let Some(seed) = seed else {
        eprintln!("usage: cherenkov-sp1-v6-patch-demo --seed N [--out FILE]");
        return ExitCode::from(2);
    };
    let engine = cherenkov_sp1_v6_support::engine().name();
    let start = std::time::Instant::now();
    let outcomes = cases::run(seed);
    let stats = cherenkov_sp1_v6_support::stats();
    println!(
        "{} cases through the patched slop-dft in {:.2?}: {} DFT calls ran on cherenkov ({engine})",
        outcomes.len(),
        start.elapsed(),
        stats.dft_calls
    );
    if let Some(e) = cherenkov_sp1_v6_support::last_device_error() {
        println!("recovered on the cpu from a device error: {e}");
    }
    if stats.dft_calls == 0 {
        eprintln!("the patched slop-dft is not in use: no DFT ran on cherenkov");
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
