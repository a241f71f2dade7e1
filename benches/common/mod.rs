//! Shared by the criterion benches: the engine under test, inputs, and one group that times
//! cherenkov and its peer on clones of the same input.
#![allow(dead_code)]

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use cherenkov::field::{BabyBear, DeviceField};
use cherenkov::{Backend, Engine};

/// `CHERENKOV_BENCH_BACKEND` (cpu when unset).
pub fn engine() -> Engine {
    let b: Backend = std::env::var("CHERENKOV_BENCH_BACKEND").ok().map(|s| s.parse().unwrap()).unwrap_or(Backend::Cpu);
    b.engine().unwrap()
}

/// A random 2^log_h × w BabyBear matrix, the same for the same shape.
pub fn matrix(log_h: usize, w: usize) -> RowMajorMatrix<BabyBear> {
    let mut rng = StdRng::seed_from_u64(log_h as u64 * 1000 + w as u64);
    RowMajorMatrix::new((0..(w << log_h)).map(|_| BabyBear::random(&mut rng)).collect(), w)
}

/// One criterion group, 10 samples: `ours` as "cherenkov/<engine>" and `peer` as
/// "<peer_name>/<peer_what>", each on a fresh clone of `input` (cloned outside the timing).
pub fn versus<I: Clone, A, B>(
    c: &mut Criterion,
    group: String,
    throughput: Option<Throughput>,
    input: &I,
    (engine, ours): (&Engine, impl Fn(I) -> A),
    (peer_name, peer_what, peer): (&str, &str, impl Fn(I) -> B),
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    if let Some(t) = throughput {
        g.throughput(t);
    }
    g.bench_function(BenchmarkId::new("cherenkov", engine.name()), |b| {
        b.iter_batched(|| input.clone(), &ours, BatchSize::LargeInput)
    });
    g.bench_function(BenchmarkId::new(peer_name, peer_what), |b| {
        b.iter_batched(|| input.clone(), &peer, BatchSize::LargeInput)
    });
    g.finish();
}
