//! Proves tests/common/rv64.rs's RISC-V program through `sp1-prover`'s local node and prints
//! what each step took: `cargo bench -p cherenkov-sp1-v6-prover --bench node --
//! [core|compressed] [ITERATIONS] [--stock]`. Without `--stock` the node runs
//! `CherenkovProverComponents` on the engine `CHERENKOV_BACKEND` names (unset: the best
//! available); with it, stock `CpuSP1ProverComponents`. A bench target, not an example, so
//! that `cargo test` does not build it (linking it takes minutes).

#[path = "../tests/common/rv64.rs"]
mod rv64;

use std::time::Instant;

use sp1_core_executor::SP1Context;
use sp1_core_machine::io::SP1Stdin;
use sp1_prover::worker::{cpu_worker_builder, SP1LocalNode, SP1LocalNodeBuilder};
use sp1_prover_types::network_base_types::ProofMode;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stock = args.iter().any(|a| a == "--stock");
    // `cargo bench` adds `--bench`.
    let mut rest = args.iter().filter(|a| *a != "--stock" && *a != "--bench");
    let mode = match rest.next().map(String::as_str) {
        None | Some("core") => ProofMode::Core,
        Some("compressed") => ProofMode::Compressed,
        Some(other) => anyhow::bail!("mode {other:?}: core or compressed"),
    };
    let iterations: u16 = match rest.next() {
        Some(n) => n.parse().map_err(|_| anyhow::anyhow!("ITERATIONS {n:?}: 1 to 2047"))?,
        None => 40,
    };
    anyhow::ensure!((1..2048).contains(&iterations), "ITERATIONS {iterations}: 1 to 2047");
    if let Some(extra) = rest.next() {
        anyhow::bail!("unexpected argument {extra:?}: [core|compressed] [ITERATIONS] [--stock]");
    }
    let elf = rv64::elf(&rv64::program(iterations));

    tokio::runtime::Runtime::new()?.block_on(async {
        let start = Instant::now();
        let (node, name): (SP1LocalNode, String) = if stock {
            (SP1LocalNodeBuilder::from_worker_client_builder(cpu_worker_builder()).build().await?, "stock".into())
        } else {
            let engine = cherenkov::Backend::from_env()?.engine()?;
            let name = format!("cherenkov {}", engine.name());
            let builder = cherenkov_sp1_v6_prover::worker_builder(engine);
            (SP1LocalNodeBuilder::from_worker_client_builder(builder).build().await?, name)
        };
        println!("{name}: node started in {:.1?}", start.elapsed());
        let context = || SP1Context { proof_nonce: [0x6368, 0x6572, 0x656e, 0x6b6f], ..Default::default() };
        let start = Instant::now();
        let vk = node.setup(&elf).await?;
        println!("{name}: setup {:.1?}", start.elapsed());
        let start = Instant::now();
        let proof = node.prove_with_mode(&elf, SP1Stdin::default(), context(), mode).await?;
        println!("{name}: {mode:?} proof of {} cycles in {:.1?}", rv64::cycles(iterations), start.elapsed());
        let start = Instant::now();
        node.verify(&vk, &proof.proof)?;
        println!(
            "{name}: verified in {:.1?}, {} bytes (bincode)",
            start.elapsed(),
            bincode::serialize(&proof.proof)?.len()
        );
        Ok(())
    })
}
