//! SP1 v5's core machine on a real RISC-V program (tests/common/riscv.rs: the RV32IM ELF that
//! `sp1-prover` 5.2.4 ships), proven by stock SP1 v5 in this process and through cherenkov's
//! `[patch.crates-io]` crates by the patch demo (`adapters/sp1-v5/patch`, built here first: a
//! patch replaces the crates for a whole build, so the two sides are two binaries). Prints cycles,
//! shards, setup / prove (execution, trace generation and shard proofs, pipelined) / verify times, whether the proofs are byte-identical (with more
//! than one rayon thread they may not be: the fork's proof-of-work grinding keeps whichever
//! witness a thread finds first; both verify), and where each side's time went, from SP1's and
//! Plonky3's own tracing spans summed over setup and every shard (the spans nest: the rows do not
//! add up), the calls that ran on cherenkov and its engine's device counters (`Engine::stats()`;
//! on the emulator what a GPU would move). `CHERENKOV_BACKEND` picks cherenkov's engine (unset:
//! the best available). `cherenkov sp1 --version 5` runs this example.
//!
//! `cargo run --release -p cherenkov-sp1-v5 --example riscv_shard_v5 [-- N [SHARD_SIZE]]`: the
//! program's input (default 500: 11 106 cycles; input N runs 5 106 + 12 N) and the
//! shard size in cycles (default 2^22: one shard). The demo is built with this process's
//! environment (`RUSTFLAGS`, `NVCC` for the cuda engine) into `target/sp1-patch-example`, apart
//! from the test's build in `target/sp1-patch`, which takes neither.

// Shared with the tests, which use the rest of it.
#[allow(dead_code)]
#[path = "../tests/common/riscv.rs"]
mod riscv;
#[path = "../../shared/span_times.rs"]
mod span_times;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The spans that make up a v5 shard proof (sp1-stark's `prover.rs`, p3-fri, p3-dft,
/// p3-merkle-tree; the patch crates open the same LDE and tree spans), with what they cover.
const SPLIT: &[(&str, &str)] = &[
    ("generate traces for shard", "trace generation"),
    ("coset_lde_batch", "LDEs (every commitment, setup included)"),
    ("build merkle tree", "Merkle trees (every commitment, setup included)"),
    ("generate permutation traces", "permutation (LogUp) traces"),
    ("compute quotient values", "quotient values (constraint evaluation)"),
    ("open multi batches", "PCS opening, of which:"),
    ("FRI prover", "  FRI (commit phase and queries)"),
    ("compute opened values with Lagrange interpolation", "  opened values (interpolation)"),
    ("reduce rows", "  reduced openings"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().map_or(500, |s| s.parse().expect("N is a number"));
    let shard_size: usize = args.next().map_or(1 << 22, |s| s.parse().expect("SHARD_SIZE is a number"));
    let demo = build_demo();

    let times = span_times::SpanTimes::install();
    let stock = riscv::prove(n, shard_size, false);
    let stock_split = times.take();

    let proof_file = std::env::temp_dir().join(format!("cherenkov-sp1-v5-riscv-{}.bin", std::process::id()));
    let out = Command::new(&demo)
        .arg("--riscv")
        .arg(n.to_string())
        .arg(shard_size.to_string())
        .arg(&proof_file)
        .output()
        .expect("the demo runs");
    assert!(out.status.success(), "the demo failed: {}", String::from_utf8_lossy(&out.stderr));
    let ours = Demo::parse(&String::from_utf8_lossy(&out.stdout));
    let identical = std::fs::read(&proof_file).expect("the demo wrote its proof") == stock.proof;
    let _ = std::fs::remove_file(&proof_file);

    let secs = |d: Duration| d.as_secs_f64();
    println!("| prover | cycles | shards | setup | prove | verify | verifier |\n|---|---|---|---|---|---|---|");
    let verdict = |ok: bool| if ok { "accepts" } else { "REJECTS" };
    println!(
        "| stock SP1 v5 | {} | {} | {:.2} s | {:.2} s | {:.2} s | {} |",
        stock.cycles,
        stock.shards,
        secs(stock.setup),
        secs(stock.prove),
        secs(stock.verify),
        verdict(stock.accepted)
    );
    let value = |key: &str| -> f64 { ours.value(key).parse().expect("the demo printed seconds") };
    println!(
        "| cherenkov {} (patch crates) | {} | {} | {:.2} s | {:.2} s | {:.2} s | {} |",
        ours.engine,
        ours.value("cycles"),
        ours.value("shards"),
        value("setup"),
        value("prove"),
        value("verify"),
        verdict(ours.value("accepted") == "true")
    );
    println!(
        "\nprove: {:.2}× stock; setup: {:.2}× stock; proofs byte-identical: {identical}",
        secs(stock.prove) / value("prove"),
        secs(stock.setup) / value("setup")
    );
    println!(
        "cherenkov ({}): {}; device counters for setup and every shard: {}",
        ours.engine,
        ours.value("calls"),
        ours.value("device")
    );
    println!("\n| step (span) | stock | cherenkov {} | ratio |\n|---|---|---|---|", ours.engine);
    for &(span, what) in SPLIT {
        let s = stock_split.get(span).map_or(0.0, |d| secs(*d));
        let o = ours.spans.get(span).copied().unwrap_or(0.0);
        let ratio = if o > 0.0 { format!("{:.2}×", s / o) } else { "-".into() };
        println!("| {what} (`{span}`) | {s:.2} s | {o:.2} s | {ratio} |");
    }
}

/// What `--riscv` printed.
struct Demo {
    engine: String,
    values: HashMap<String, String>,
    spans: HashMap<String, f64>,
}

impl Demo {
    fn parse(stdout: &str) -> Self {
        let mut d = Demo { engine: String::new(), values: HashMap::new(), spans: HashMap::new() };
        for line in stdout.lines() {
            if let Some(span) = line.strip_prefix("span ") {
                let (name, t) = span.rsplit_once('\t').expect("span NAME\tSECONDS");
                d.spans.insert(name.into(), t.parse().expect("seconds"));
            } else if let Some((key, value)) = line.split_once(' ') {
                d.values.insert(key.into(), value.into());
            }
        }
        d.engine = d.value("engine").to_string();
        d
    }

    fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("?", String::as_str)
    }
}

/// Builds the patch demo with this process's environment and returns its path.
fn build_demo() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("../../target/sp1-patch-example");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--locked", "-p", "cherenkov-sp1-v5-patch-demo", "--manifest-path"])
        .arg(root.join("patch/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the patch workspace does not build");
    target.join("release/cherenkov-sp1-v5-patch-demo")
}
