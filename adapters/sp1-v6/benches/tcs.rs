//! `cherenkov_sp1_v6::MerkleProver` against slop's `Poseidon2KoalaBear16Prover` (what SP1 v6's
//! shard prover commits with), `TensorCsProver::commit_tensors` as Basefold calls it, in the
//! same criterion groups on the same tensors. Shapes are SP1's, scaled to a 2-core box: a stacked
//! trace codeword (rows × the interleave batch of 32 columns, several batches per commitment)
//! and a FRI round's folded codeword (8 columns: two extension elements). Build both sides with
//! the same flags, e.g. `RUSTFLAGS="-C target-cpu=native" cargo bench -p cherenkov-sp1-v6 --bench tcs`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

#[path = "../tests/common/cases.rs"]
mod cases;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use slop_algebra::AbstractField;
use slop_alloc::CpuBackend;
use slop_commit::Message;
use slop_jagged::JaggedProver;
use slop_koala_bear::KoalaBearDegree4Duplex;
use slop_merkle_tree::{Poseidon2KoalaBear16Prover, TensorCsProver};
use slop_tensor::Tensor;

use cherenkov::Backend;
use cherenkov_sp1_v6::{KoalaBear, MerkleProver};

/// (log2 rows, tensors, columns each)
const SHAPES: &[(u32, usize, usize)] = &[(20, 2, 32), (18, 8, 32), (20, 1, 8)];

fn tensors(log_rows: u32, count: usize, width: usize) -> Message<Tensor<KoalaBear>> {
    let mut rng = StdRng::seed_from_u64(u64::from(log_rows) * 1000 + (count * width) as u64);
    (0..count)
        .map(|_| {
            let v: Vec<KoalaBear> = (0..width << log_rows)
                .map(|_| KoalaBear::from_canonical_u32(rng.random_range(0..0x7f00_0001)))
                .collect();
            Tensor::from(v).reshape([1 << log_rows, width])
        })
        .collect()
}

fn commit(c: &mut Criterion) {
    let ours = MerkleProver::new(backend()).expect("engine");
    let slop = Poseidon2KoalaBear16Prover::default();
    for &(log_rows, count, width) in SHAPES {
        let input = tensors(log_rows, count, width);
        let mut g = c.benchmark_group(format!("tcs commit 2^{log_rows} x {count}x{width}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(((count * width) as u64) << log_rows));
        g.bench_function(BenchmarkId::new("cherenkov", ours.engine().name()), |b| {
            b.iter_batched(|| input.clone(), |t| ours.commit_tensors(t).expect("commits").0, BatchSize::LargeInput)
        });
        g.bench_function(BenchmarkId::new("slop", "Poseidon2KoalaBear16Prover"), |b| {
            b.iter_batched(
                || input.clone(),
                |t| {
                    <Poseidon2KoalaBear16Prover as TensorCsProver<KoalaBearDegree4Duplex, CpuBackend>>::commit_tensors(
                        &slop, t,
                    )
                    .unwrap()
                    .0
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

/// SP1-like tables at 2^16 rows (a shard's main traces: wide and narrow, one short, one empty;
/// then a second round), stacking height 2^16.
const PCS_SHAPES: &[&[(u32, usize)]] = &[&[(16, 64), (15, 120), (12, 30), (0, 10)], &[(16, 20)]];

type SlopPcsProver = slop_stacked::StackedPcsProver<Poseidon2KoalaBear16Prover, KoalaBearDegree4Duplex>;

fn pcs(c: &mut Criterion) {
    use rand08::SeedableRng as _;
    let engine = backend().engine().expect("engine");
    let case = cases::JaggedCase::with_shapes(&mut rand08::rngs::StdRng::seed_from_u64(1), PCS_SHAPES, 16, 16);
    let ours = cherenkov_sp1_v6::jagged_prover(case.verifier(), engine.clone());
    let slop = JaggedProver::<_, _, SlopPcsProver>::from_verifier(case.verifier());
    let mut g = c.benchmark_group("jagged pcs commit, 2^16 rows");
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("cherenkov", engine.name()), |b| b.iter(|| case.commit_with(&ours)));
    g.bench_function(BenchmarkId::new("slop", "SP1InnerPcsProver"), |b| b.iter(|| case.commit_with(&slop)));
    g.finish();
    let mut g = c.benchmark_group("jagged pcs commit + prove, 2^16 rows");
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("cherenkov", engine.name()), |b| {
        b.iter(|| case.prove_with(&cherenkov_sp1_v6::jagged_prover(case.verifier(), engine.clone())))
    });
    g.bench_function(BenchmarkId::new("slop", "SP1InnerPcsProver"), |b| b.iter(|| case.prove::<SlopPcsProver>()));
    g.finish();
}

fn backend() -> Backend {
    std::env::var("CHERENKOV_BENCH_BACKEND").ok().map(|s| s.parse().unwrap()).unwrap_or(Backend::Cpu)
}

criterion_group!(benches, commit, pcs);
criterion_main!(benches);
