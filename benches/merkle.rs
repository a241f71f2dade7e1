//! cherenkov's Poseidon2 Merkle commitments against Plonky3's `MerkleTreeMmcs` with packed
//! hashing (p3-maybe-rayon/parallel), same criterion groups, same inputs; and raw Poseidon2-16
//! permutations (throughput in states). Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench merkle`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use p3_commit::Mmcs as _;
use p3_field::{Field, PackedValue};
use p3_matrix::dense::RowMajorMatrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, Permutation, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::plonky3::Mmcs;
use cherenkov::poseidon2::{self, Poseidon2Constants};
use cherenkov::{Backend, Engine};

type Perm = p3_baby_bear::Poseidon2BabyBear<16>;
type Packing = <BabyBear as Field>::Packing;
type P3Mmcs =
    MerkleTreeMmcs<Packing, Packing, PaddingFreeSponge<Perm, 16, 8, 8>, TruncatedPermutation<Perm, 2, 8, 16>, 2, 8>;

fn engine() -> Engine {
    let b: Backend = std::env::var("CHERENKOV_BENCH_BACKEND").ok().map(|s| s.parse().unwrap()).unwrap_or(Backend::Cpu);
    b.engine().unwrap()
}

fn matrix(log_h: usize, w: usize) -> RowMajorMatrix<BabyBear> {
    let mut rng = StdRng::seed_from_u64(log_h as u64 * 1000 + w as u64);
    RowMajorMatrix::new((0..(w << log_h)).map(|_| BabyBear::random(&mut rng)).collect(), w)
}

fn commit(c: &mut Criterion) {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let p3 = P3Mmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 0);
    let ours = Mmcs::on(Poseidon2Constants::babybear_default_16(), 0, engine());
    let batches: [(&str, Vec<(usize, usize)>); 2] =
        [("2^20x16", vec![(20, 16)]), ("2^20x8+2^19x16+2^18x32", vec![(20, 8), (19, 16), (18, 32)])];
    for (name, shapes) in batches {
        let mats: Vec<_> = shapes.iter().map(|&(h, w)| matrix(h, w)).collect();
        assert_eq!(ours.commit(mats.clone()).0, p3.commit(mats.clone()).0, "roots differ");
        let mut g = c.benchmark_group(format!("merkle/babybear/commit/{name}"));
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("cherenkov", ours.engine().name()), |b| {
            b.iter_batched(|| mats.clone(), |m| ours.commit(m), BatchSize::LargeInput)
        });
        g.bench_function(BenchmarkId::new("plonky3", "MerkleTreeMmcs packed"), |b| {
            b.iter_batched(|| mats.clone(), |m| p3.commit(m), BatchSize::LargeInput)
        });
        g.finish();
    }
}

fn permutations(c: &mut Criterion) {
    let engine = engine();
    let constants = Poseidon2Constants::babybear_default_16();
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let log_n = 20;
    let mut rng = StdRng::seed_from_u64(5);
    let states: Vec<BabyBear> = (0..16usize << log_n).map(|_| BabyBear::random(&mut rng)).collect();
    let mut g = c.benchmark_group(format!("poseidon2/babybear/permute_16/2^{log_n}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(1 << log_n));
    g.bench_function(BenchmarkId::new("cherenkov", engine.name()), |b| {
        b.iter_batched(
            || states.clone(),
            |mut v| poseidon2::permute_batch(&engine, &constants, &mut v).map(|_| v),
            BatchSize::LargeInput,
        )
    });
    // Plonky3's packed permutation over lane-interleaved states, on rayon.
    g.bench_function(BenchmarkId::new("plonky3", "Poseidon2BabyBear<16> packed"), |b| {
        b.iter_batched(
            || states.clone(),
            |mut v| {
                v.par_chunks_exact_mut(16 * Packing::WIDTH).for_each(|chunk| {
                    let packed = Packing::pack_slice_mut(chunk);
                    perm.permute_mut(<&mut [Packing; 16]>::try_from(packed).unwrap());
                });
                v
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, commit, permutations);
criterion_main!(benches);
