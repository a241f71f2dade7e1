//! The `[patch.crates-io]` crate (`adapters/sp1-v6/patch`), the way an SP1 v6 prover uses it:
//! that workspace is built with cargo (its own lock file, its own target directory under this
//! one), its demo runs the cases of `common/cases.rs` against the patched `slop-dft` on the cpu
//! and on the emulator, and every outcome (DFTs through `Radix2DitParallel`, jagged PCS
//! commitments, proofs and the stock verifier's verdicts, with slop's and cherenkov's Merkle
//! provers) must be byte-identical to the same cases run here against stock slop. The demo
//! itself fails when no DFT ran on cherenkov, so a patch that silently ran the fork's code
//! could not pass.

#[path = "common/cases.rs"]
mod cases;

use std::path::{Path, PathBuf};
use std::process::Command;

fn patch_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("patch")
}

/// Builds the demo (in `target/sp1-patch`, shared by the v5 and v6 patch workspaces: cherenkov
/// and their common dependencies compile once) and returns its path.
fn build_demo() -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/sp1-patch");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The kernels' nvcc build is checked by this workspace's own build; the patch workspace
    // needs only the emulator's host build.
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "-p", "cherenkov-sp1-v6-patch-demo", "--manifest-path"])
        .arg(patch_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("NVCC")
        .env_remove("CHERENKOV_REQUIRE_NVCC")
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the patch workspace does not build");
    target.join("release/cherenkov-sp1-v6-patch-demo")
}

fn run_demo(demo: &Path, seed: u64, backend: &str) -> Vec<cases::Outcome> {
    let out = std::env::temp_dir().join(format!("cherenkov-sp1-v6-patch-{}-{backend}.bin", std::process::id()));
    let result = Command::new(demo)
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(&out)
        .env("CHERENKOV_BACKEND", backend)
        .output()
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    println!("{backend}: {stdout}");
    assert!(result.status.success(), "demo on {backend} failed: {stdout}{}", String::from_utf8_lossy(&result.stderr));
    let bytes = std::fs::read(&out).expect("demo wrote its outcomes");
    let _ = std::fs::remove_file(&out);
    bincode::deserialize(&bytes).expect("outcomes deserialize")
}

#[test]
fn patched_sp1_v6_equals_stock() {
    let seed = cherenkov::check::seed_from_env();
    let stock = cases::run(seed);
    // Both Merkle provers' proofs are one proof, and it verifies.
    let proofs: Vec<&cases::Outcome> = stock.iter().filter(|(name, _)| name.starts_with("jagged")).collect();
    assert_eq!(proofs.len(), 2);
    assert!(proofs[0].1 == proofs[1].1, "cherenkov's Merkle prover changes the proof");
    assert_eq!(proofs[0].1.last(), Some(&1), "the stock verifier rejects the stock proof");
    let demo = build_demo();
    for backend in ["cpu", "emu"] {
        let patched = run_demo(&demo, seed, backend);
        assert_eq!(patched.len(), stock.len(), "{backend}: number of cases");
        for ((name, want), (got_name, got)) in stock.iter().zip(&patched) {
            assert_eq!(name, got_name, "{backend}: case order");
            assert!(want == got, "{backend}: `{name}` differs from stock slop's");
        }
    }
}
