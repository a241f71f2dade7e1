//! cherenkov's NTT against its peers in the same criterion groups: Plonky3's
//! `Radix2DitParallel` (with p3-maybe-rayon/parallel) and arkworks' `Radix2EvaluationDomain`.
//! Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench ntt`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::Field;
use p3_matrix::dense::RowMajorMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use cherenkov::field::{BabyBear, Bn254Fr, DeviceField};
use cherenkov::plonky3::Dft;
use cherenkov::{Backend, Engine};

fn engine() -> Engine {
    let b: Backend = std::env::var("CHERENKOV_BENCH_BACKEND").ok().map(|s| s.parse().unwrap()).unwrap_or(Backend::Cpu);
    b.engine().unwrap()
}

fn matrix(log_h: usize, w: usize) -> RowMajorMatrix<BabyBear> {
    let mut rng = StdRng::seed_from_u64(log_h as u64 * 1000 + w as u64);
    RowMajorMatrix::new((0..(w << log_h)).map(|_| BabyBear::random(&mut rng)).collect(), w)
}

fn babybear(c: &mut Criterion) {
    let ours = Dft::on(engine());
    let p3 = Radix2DitParallel::<BabyBear>::default();
    for &(log_h, w) in &[(20usize, 64usize), (16, 256), (22, 16)] {
        let m = matrix(log_h, w);
        let mut g = c.benchmark_group(format!("ntt/babybear/coset_lde/log_h={log_h}/w={w}/added_bits=1"));
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("cherenkov", ours.engine().name()), |b| {
            b.iter_batched(|| m.clone(), |m| ours.coset_lde_batch(m, 1, BabyBear::GENERATOR), BatchSize::LargeInput)
        });
        g.bench_function(BenchmarkId::new("plonky3", "Radix2DitParallel"), |b| {
            b.iter_batched(|| m.clone(), |m| p3.coset_lde_batch(m, 1, BabyBear::GENERATOR), BatchSize::LargeInput)
        });
        g.finish();
        let mut g = c.benchmark_group(format!("ntt/babybear/dft/log_h={log_h}/w={w}"));
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("cherenkov", ours.engine().name()), |b| {
            b.iter_batched(|| m.clone(), |m| ours.dft_batch(m), BatchSize::LargeInput)
        });
        g.bench_function(BenchmarkId::new("plonky3", "Radix2DitParallel"), |b| {
            b.iter_batched(|| m.clone(), |m| p3.dft_batch(m), BatchSize::LargeInput)
        });
        g.finish();
    }
}

fn bn254(c: &mut Criterion) {
    let engine = engine();
    let log_n = 20;
    let mut rng = StdRng::seed_from_u64(7);
    let v: Vec<Bn254Fr> = (0..1 << log_n).map(|_| Bn254Fr::random(&mut rng)).collect();
    let d = Radix2EvaluationDomain::<Bn254Fr>::new(1 << log_n).unwrap();
    let mut g = c.benchmark_group(format!("ntt/bn254_fr/fft/log_n={log_n}"));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("cherenkov", engine.name()), |b| {
        let fwd = cherenkov::ntt::Transform::new(cherenkov::ntt::Direction::Forward);
        b.iter_batched(
            || v.clone(),
            |v| cherenkov::ntt::transform_batch(&engine, v, 1, fwd).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.bench_function(BenchmarkId::new("arkworks", "Radix2EvaluationDomain"), |b| {
        b.iter_batched(|| v.clone(), |mut v| d.fft_in_place(&mut v), BatchSize::LargeInput)
    });
    g.finish();
}

criterion_group!(benches, babybear, bn254);
criterion_main!(benches);
