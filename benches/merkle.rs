//! cherenkov's Poseidon2 Merkle commitments against Plonky3's `MerkleTreeMmcs` with packed
//! hashing (p3-maybe-rayon/parallel), same criterion groups, same inputs; and raw Poseidon2-16
//! permutations (throughput in states). Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench merkle`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use p3_commit::Mmcs as _;
use p3_field::{Field, PackedValue};
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, Permutation, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::plonky3::Mmcs;
use cherenkov::poseidon2::{self, Poseidon2Constants};

type Perm = p3_baby_bear::Poseidon2BabyBear<16>;
type Packing = <BabyBear as Field>::Packing;
type P3Mmcs =
    MerkleTreeMmcs<Packing, Packing, PaddingFreeSponge<Perm, 16, 8, 8>, TruncatedPermutation<Perm, 2, 8, 16>, 2, 8>;

fn commit(c: &mut Criterion) {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let p3 = P3Mmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 0);
    let ours = Mmcs::on(Poseidon2Constants::babybear_default_16(), 0, common::engine());
    let batches: [(&str, Vec<(usize, usize)>); 2] =
        [("2^20x16", vec![(20, 16)]), ("2^20x8+2^19x16+2^18x32", vec![(20, 8), (19, 16), (18, 32)])];
    for (name, shapes) in batches {
        let mats: Vec<_> = shapes.iter().map(|&(h, w)| common::matrix(h, w)).collect();
        assert_eq!(ours.commit(mats.clone()).0, p3.commit(mats.clone()).0, "roots differ");
        common::versus(
            c,
            format!("merkle/babybear/commit/{name}"),
            None,
            &mats,
            (ours.engine(), |m| ours.commit(m)),
            ("plonky3", "MerkleTreeMmcs packed", |m| p3.commit(m)),
        );
    }
}

fn permutations(c: &mut Criterion) {
    let engine = common::engine();
    let constants = Poseidon2Constants::babybear_default_16();
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let log_n = 20;
    let mut rng = StdRng::seed_from_u64(5);
    let states: Vec<BabyBear> = (0..16usize << log_n).map(|_| BabyBear::random(&mut rng)).collect();
    common::versus(
        c,
        format!("poseidon2/babybear/permute_16/2^{log_n}"),
        Some(Throughput::Elements(1 << log_n)),
        &states,
        (&engine, |mut v| poseidon2::permute_batch(&engine, &constants, &mut v).map(|_| v)),
        // Plonky3's packed permutation over lane-interleaved states, on rayon.
        ("plonky3", "Poseidon2BabyBear<16> packed", |mut v: Vec<BabyBear>| {
            v.par_chunks_exact_mut(16 * Packing::WIDTH).for_each(|chunk| {
                let packed = Packing::pack_slice_mut(chunk);
                perm.permute_mut(<&mut [Packing; 16]>::try_from(packed).unwrap());
            });
            v
        }),
    );
}

criterion_group!(benches, commit, permutations);
criterion_main!(benches);
