//! cherenkov's BN254 MSM against arkworks' `VariableBaseMSM::msm` (ark-ec with `parallel`,
//! ark-ff with `asm`, both on every core) in the same criterion groups, on the same inputs:
//! G1 at 2^16 and 2^20 points, G2 at 2^16. Build both sides with the same flags, e.g.
//! `RUSTFLAGS="-C target-cpu=native" cargo bench --bench msm`.
//! `CHERENKOV_BENCH_BACKEND=emu|cuda` benches that backend instead of cpu.

mod common;

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use criterion::{criterion_group, criterion_main, Criterion};

use cherenkov::msm::{self, gpu::DeviceCurve, MsmConfig};

fn versus<P: DeviceCurve>(c: &mut Criterion, name: &str, log_n: u32) {
    let engine = common::engine();
    let input = cherenkov::bench::msm_inputs::<P>(1 << log_n, 7);
    // Trusted inputs on both sides: arkworks does not validate either.
    let cfg = MsmConfig::TRUSTED;
    common::versus(
        c,
        format!("msm/{name}/log_n={log_n}"),
        None,
        &input,
        (&engine, |(b, s): (Vec<Affine<P>>, Vec<Fr>)| msm::msm(&engine, &b, &s, &cfg).expect("msm").into_affine()),
        ("arkworks", "VariableBaseMSM::msm", |(b, s): (Vec<Affine<P>>, Vec<Fr>)| {
            Projective::<P>::msm(&b, &s).expect("equal lengths").into_affine()
        }),
    );
}

fn g1(c: &mut Criterion) {
    versus::<ark_bn254::g1::Config>(c, "g1", 16);
    versus::<ark_bn254::g1::Config>(c, "g1", 20);
}

fn g2(c: &mut Criterion) {
    versus::<ark_bn254::g2::Config>(c, "g2", 16);
}

criterion_group!(benches, g1, g2);
criterion_main!(benches);
