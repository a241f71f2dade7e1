//! End-to-end STARK proving (p3-uni-stark 0.8) of Plonky3's Keccak-f AIR over BabyBear:
//! the stock configuration (`Radix2DitParallel` + `MerkleTreeMmcs`, Poseidon2-16) against
//! `cherenkov::plonky3::config` with the same permutation, FRI parameters and challenger, in
//! one criterion group. Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench prove`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use p3_uni_stark::prove;

use cherenkov::field::BabyBear;
use cherenkov::plonky3::config::{self, FriSettings};
use cherenkov::poseidon2::Poseidon2Constants;

fn keccak(c: &mut Criterion) {
    let fri = FriSettings::default();
    let engine = common::engine();
    let ours = config::on(Poseidon2Constants::babybear_default_16(), engine.clone(), fri);
    let stock = config::stock(Poseidon2Constants::babybear_default_16(), fri);
    let air = p3_keccak_air::KeccakAir {};
    // 2^14 rows: 682 Keccak-f permutations (24 rows each) padded to the next power of two.
    let hashes = (1 << 14) / 24;
    let trace = air.generate_random_trace_rows::<BabyBear>(hashes, fri.log_blowup);
    common::versus(
        c,
        "prove/babybear/keccak_air/2^14_rows".into(),
        None,
        &trace,
        (&engine, |t| prove(&ours, &air, t, &[]).unwrap()),
        ("plonky3", "Radix2DitParallel + MerkleTreeMmcs", |t| prove(&stock, &air, t, &[]).unwrap()),
    );
}

criterion_group!(benches, keccak);
criterion_main!(benches);
