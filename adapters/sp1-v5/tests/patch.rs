//! The `[patch.crates-io]` crates (`adapters/sp1-v5/patch`), the way an SP1 v5 prover uses
//! them: that workspace is built with cargo (its own lock file, its own target directory under
//! this one), its demo runs the cases of `common/cases.rs` against the patched `p3-dft` /
//! `p3-merkle-tree` / `p3-interpolation` on the cpu and on the emulator, and every outcome (DFT
//! outputs, Merkle roots, openings and verdicts, opened values, Fibonacci proofs through
//! `BabyBearPoseidon2::new()`, the RISC-V proof) must be
//! byte-identical to the same cases run here against the stock fork. The demo itself fails when
//! nothing ran on cherenkov, so a patch that silently fell back to a copy could not pass.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cases::{self, Outcome};

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
        .args(["build", "--release", "--locked", "-p", "cherenkov-sp1-v5-patch-demo", "--manifest-path"])
        .arg(patch_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("NVCC")
        .env_remove("CHERENKOV_REQUIRE_NVCC")
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the patch workspace does not build");
    target.join("release/cherenkov-sp1-v5-patch-demo")
}

fn run_demo(demo: &Path, backend: &str) -> Vec<Outcome> {
    let out = std::env::temp_dir().join(format!("cherenkov-sp1-v5-patch-{}-{backend}.bin", std::process::id()));
    let result =
        Command::new(demo).arg("--out").arg(&out).env("CHERENKOV_BACKEND", backend).output().expect("demo runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    println!("{backend}: {stdout}");
    assert!(result.status.success(), "demo on {backend} failed: {stdout}{}", String::from_utf8_lossy(&result.stderr));
    let bytes = std::fs::read(&out).expect("demo wrote its outcomes");
    let _ = std::fs::remove_file(&out);
    bincode::deserialize(&bytes).expect("outcomes deserialize")
}

#[test]
fn patched_sp1_v5_equals_stock() {
    // The RISC-V case proves on SP1's own threads, whose rayon work goes to the global pool: one
    // thread makes its proof-of-work witness, and so its bytes, reproducible (the demo does the
    // same).
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global().expect("rayon's global pool is not built yet");
    let stock = cases::run();
    let demo = build_demo();
    for backend in ["cpu", "emu"] {
        let patched = run_demo(&demo, backend);
        assert_eq!(patched.len(), stock.len(), "{backend}: number of cases");
        for ((name, want), (got_name, got)) in stock.iter().zip(&patched) {
            assert_eq!(name, got_name, "{backend}: case order");
            assert!(want == got, "{backend}: `{name}` differs from the stock fork's");
        }
    }
}
