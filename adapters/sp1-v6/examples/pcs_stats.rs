//! What SP1 v6's jagged PCS costs on a device engine, from `Engine::stats()`: bytes each way,
//! launches, allocations and host waits for the commits of each round and for the proof, beside
//! the bytes the committed tables hold. `CHERENKOV_BACKEND` picks the engine (default `emu`: the
//! counters are the same as on a GPU for the same calls).
//!
//! `cargo run --release -p cherenkov-sp1-v6 --example pcs_stats [-- LOG_ROWS]` (default 12:
//! tables of 2^LOG_ROWS rows, stacking height 2^LOG_ROWS).

#[path = "../tests/common/cases.rs"]
mod cases;

use cherenkov::Backend;
use rand08::SeedableRng;

fn main() {
    let log_rows: u32 = std::env::args().nth(1).map_or(12, |s| s.parse().expect("LOG_ROWS is a number"));
    let backend: Backend = match std::env::var("CHERENKOV_BACKEND") {
        Ok(s) => s.parse().expect("a backend name"),
        Err(_) => Backend::Emu,
    };
    let engine = backend.engine().expect("the engine starts");
    let shapes: &[&[(u32, usize)]] =
        &[&[(log_rows, 64), (log_rows - 1, 120), (log_rows - 4, 30), (0, 10)], &[(log_rows, 20)]];
    let values: usize = shapes.iter().flat_map(|r| r.iter()).filter(|s| s.0 > 0).map(|&(l, w)| w << l).sum();
    let case = cases::JaggedCase::with_shapes(&mut rand08::rngs::StdRng::seed_from_u64(1), shapes, log_rows, log_rows);
    let prover = cherenkov_sp1_v6::jagged_prover(case.verifier(), engine.clone());
    println!(
        "jagged PCS on {}: {} values in {} rounds ({} B as KoalaBear), stacking height 2^{log_rows}, FRI blowup 2",
        engine.name(),
        values,
        shapes.len(),
        values * 4
    );
    engine.reset_stats();
    let commitments = case.commit_with(&prover);
    println!("commit ({} rounds): {}", commitments.len(), engine.stats());
    engine.reset_stats();
    let (_, proof) = case.prove_with(&prover);
    println!("commit + prove: {}", engine.stats());
    assert!(case.verify(&commitments, &proof), "the stock verifier accepts the proof");
}
