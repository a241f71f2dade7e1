//! cherenkov's NTT against its peers in the same criterion groups: Plonky3's
//! `Radix2DitParallel` (with p3-maybe-rayon/parallel) and arkworks' `Radix2EvaluationDomain`.
//! Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench ntt`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

mod common;

use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use criterion::{criterion_group, criterion_main, Criterion};
use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::Field;
use rand::rngs::StdRng;
use rand::SeedableRng;

use cherenkov::field::{BabyBear, Bn254Fr, DeviceField};
use cherenkov::ntt::{self, Direction, Transform};
use cherenkov::plonky3::Dft;

fn babybear(c: &mut Criterion) {
    let ours = Dft::on(common::engine());
    let p3 = Radix2DitParallel::<BabyBear>::default();
    let shift = BabyBear::GENERATOR;
    for &(log_h, w) in &[(20usize, 64usize), (16, 256), (22, 16)] {
        let m = common::matrix(log_h, w);
        common::versus(
            c,
            format!("ntt/babybear/coset_lde/log_h={log_h}/w={w}/added_bits=1"),
            None,
            &m,
            (ours.engine(), |m| ours.coset_lde_batch(m, 1, shift)),
            ("plonky3", "Radix2DitParallel", |m| p3.coset_lde_batch(m, 1, shift)),
        );
        common::versus(
            c,
            format!("ntt/babybear/dft/log_h={log_h}/w={w}"),
            None,
            &m,
            (ours.engine(), |m| ours.dft_batch(m)),
            ("plonky3", "Radix2DitParallel", |m| p3.dft_batch(m)),
        );
    }
}

fn bn254(c: &mut Criterion) {
    let engine = common::engine();
    let log_n = 20;
    let mut rng = StdRng::seed_from_u64(7);
    let v: Vec<Bn254Fr> = (0..1 << log_n).map(|_| Bn254Fr::random(&mut rng)).collect();
    let d = Radix2EvaluationDomain::<Bn254Fr>::new(1 << log_n).unwrap();
    let fwd = Transform::new(Direction::Forward);
    common::versus(
        c,
        format!("ntt/bn254_fr/fft/log_n={log_n}"),
        None,
        &v,
        (&engine, |v| ntt::transform_batch(&engine, v, 1, fwd).unwrap()),
        ("arkworks", "Radix2EvaluationDomain", |mut v: Vec<Bn254Fr>| {
            d.fft_in_place(&mut v);
            v
        }),
    );
}

criterion_group!(benches, babybear, bn254);
criterion_main!(benches);
