//! Field and curve arithmetic, bit-exact on every backend against Plonky3 and arkworks, on edge
//! values and seeded random inputs; plus a third, naive opinion for the 31-bit fields.

use crate::common;

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::Field;
use cherenkov::backend::{Dim3, Launch};
use cherenkov::check::{field_inputs, g1_inputs};
use cherenkov::field::curve::{g1_apply, G1AffineRepr, G1Op, G1XyzzRepr};
use cherenkov::field::{self, BabyBear, BabyBear4, Bn254Fq, Bn254Fr, DeviceField, FieldOp, KoalaBear, KoalaBear4};
use cherenkov::{Engine, Error};
use p3_field::{PrimeCharacteristicRing, PrimeField32};

const RANDOM: usize = 300;

fn check_field<F: DeviceField>(engine: &Engine, seed: u64) {
    let (a, b) = field_inputs::<F>(seed, RANDOM);
    for op in FieldOp::ALL {
        let got = field::apply(engine, op, &a, &b).unwrap();
        for i in 0..a.len() {
            let want = F::reference_op(op, a[i], b[i]);
            assert_eq!(
                got[i].to_repr(),
                want.to_repr(),
                "{} {} on {}: index {i}, inputs {:?} {:?}",
                F::NAME,
                op.name(),
                engine.name(),
                a[i],
                b[i]
            );
        }
    }
}

fn babybear(engine: &Engine, seed: u64) {
    check_field::<BabyBear>(engine, seed)
}
fn koalabear(engine: &Engine, seed: u64) {
    check_field::<KoalaBear>(engine, seed)
}
fn babybear4(engine: &Engine, seed: u64) {
    check_field::<BabyBear4>(engine, seed)
}
fn koalabear4(engine: &Engine, seed: u64) {
    check_field::<KoalaBear4>(engine, seed)
}
fn bn254_fr(engine: &Engine, seed: u64) {
    check_field::<Bn254Fr>(engine, seed)
}
fn bn254_fq(engine: &Engine, seed: u64) {
    check_field::<Bn254Fq>(engine, seed)
}
backend_tests!(babybear);
backend_tests!(koalabear);
backend_tests!(babybear4);
backend_tests!(koalabear4);
backend_tests!(bn254_fr);
backend_tests!(bn254_fq);

fn g1(engine: &Engine, seed: u64) {
    let (a, b, c) = g1_inputs(seed, 64);
    let pa: Vec<G1Projective> = a.iter().map(|p| p.to_ark().unwrap().into()).collect();
    for op in G1Op::ALL {
        let got = g1_apply(engine, op, &a, &b, &c).unwrap();
        for i in 0..a.len() {
            let want = match op {
                G1Op::Add => pa[i] + b[i].to_ark().unwrap(),
                G1Op::AddAffine => pa[i] + c[i].to_ark().unwrap(),
                G1Op::Dbl => pa[i] + pa[i],
                G1Op::Neg => -pa[i],
            };
            assert_eq!(got[i], want.into_affine(), "g1 {} on {}: index {i}", op.name(), engine.name());
        }
    }
}
backend_tests!(g1);

/// The 31-bit references themselves against plain u64 arithmetic on canonical values.
#[test]
fn mont31_references_agree_with_naive_modular_arithmetic() {
    fn naive<F: DeviceField + PrimeField32>(seed: u64) {
        let p = F::ORDER_U32 as u64;
        let (a, b) = field_inputs::<F>(seed, 2000);
        for (x, y) in a.iter().zip(&b) {
            let (u, v) = (x.as_canonical_u32() as u64, y.as_canonical_u32() as u64);
            let c = |f: F| f.as_canonical_u32() as u64;
            assert_eq!(c(F::reference_op(FieldOp::Add, *x, *y)), (u + v) % p);
            assert_eq!(c(F::reference_op(FieldOp::Sub, *x, *y)), (u + p - v) % p);
            assert_eq!(c(F::reference_op(FieldOp::Mul, *x, *y)), u * v % p);
            assert_eq!(c(F::reference_op(FieldOp::Neg, *x, *y)), (p - u) % p);
            let inv = c(F::reference_op(FieldOp::Inv, *x, *y));
            assert_eq!(if u == 0 { inv } else { inv * u % p }, if u == 0 { 0 } else { 1 });
        }
    }
    let seed = common::seed();
    naive::<BabyBear>(seed);
    naive::<KoalaBear>(seed);
}

#[test]
fn extension_inverse_is_an_inverse() {
    let (a, _) = field_inputs::<BabyBear4>(common::seed(), 200);
    let inv = field::apply(&common::emu(cherenkov::backend::Schedule::Forward), FieldOp::Inv, &a, &a).unwrap();
    for (x, y) in a.iter().zip(&inv) {
        let expect = if *x == BabyBear4::ZERO { BabyBear4::ZERO } else { BabyBear4::ONE };
        assert_eq!(*x * *y, expect);
    }
}

#[test]
fn non_canonical_encodings_are_rejected() {
    assert_eq!(BabyBear::from_repr(0x7800_0001), None);
    assert_eq!(BabyBear::from_repr(u32::MAX), None);
    assert_eq!(KoalaBear::from_repr(0x7f00_0001), None);
    assert_eq!(BabyBear4::from_repr([0, 0, 0x7800_0001, 0]), None);
    let fr_p = [0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029];
    assert_eq!(Bn254Fr::from_repr(fr_p), None);
    assert_eq!(Bn254Fq::from_repr([u64::MAX; 4]), None);
    let mut below = fr_p;
    below[0] -= 1;
    assert_eq!(Bn254Fr::from_repr(below).map(|x| x.to_repr()), Some(below));
    assert!(matches!(
        field::decode::<BabyBear>(&[1, 2, 0x7800_0001]),
        Err(Error::NonCanonical { field: "babybear", index: 2 })
    ));
    // Many bad encodings across rayon's splits: the first one is reported.
    let mut many = vec![7u32; 1 << 16];
    for i in [40_000, 777, 65_535, 20_000] {
        many[i] = u32::MAX;
    }
    assert!(matches!(field::decode::<BabyBear>(&many), Err(Error::NonCanonical { index: 777, .. })));
    let good = field::decode::<BabyBear>(&many[..777]).unwrap();
    assert!(good.len() == 777 && good.iter().all(|x| x.to_repr() == 7));
}

#[test]
fn length_mismatch_is_an_error() {
    let a = [BabyBear::ONE; 3];
    for engine in [Engine::Cpu, common::emu(cherenkov::backend::Schedule::Forward)] {
        assert!(matches!(
            field::apply(&engine, FieldOp::Add, &a, &a[..2]),
            Err(Error::LengthMismatch { expected: 3, got: 2, .. })
        ));
        assert_eq!(field::apply::<BabyBear>(&engine, FieldOp::Add, &[], &[]).unwrap(), vec![]);
    }
}

#[test]
fn points_off_the_curve_are_rejected() {
    let g = G1Projective::generator().into_affine();
    let (x, y) = g.xy().unwrap();
    let off = G1AffineRepr::from_ark(&G1Affine::new_unchecked(x, y + Fq::ONE));
    assert!(matches!(off.to_ark(), Err(Error::NotOnCurve { .. })));
    // An XYZZ encoding with ZZ^3 != ZZZ^2 is not a point either.
    let mut bad = G1XyzzRepr::from_ark(&g);
    bad.zzz = G1XyzzRepr::from_ark_scaled(&g, Fq::from(2u64)).zzz;
    assert!(matches!(bad.to_ark(), Err(Error::NotOnCurve { .. })));
    let p = G1XyzzRepr::from_ark(&g);
    for engine in [Engine::Cpu, common::emu(cherenkov::backend::Schedule::Forward)] {
        assert!(matches!(
            g1_apply(&engine, G1Op::AddAffine, &[p, p], &[p, p], &[G1AffineRepr::from_ark(&g), off]),
            Err(Error::NotOnCurve { index: 1 })
        ));
        assert!(matches!(
            g1_apply(&engine, G1Op::Add, &[p, bad], &[p, p], &[G1AffineRepr::from_ark(&g); 2]),
            Err(Error::NotOnCurve { index: 1 })
        ));
    }
}

/// The bulk conversions (borrowed / in place for the 31-bit fields) agree with the per-element
/// ones, and reject non-canonical encodings at the same first index.
fn bulk_conversions_agree<F: DeviceField>(seed: u64) {
    let (values, _) = field_inputs::<F>(seed, 70_000);
    let reprs: Vec<F::Repr> = values.iter().map(|x| x.to_repr()).collect();
    assert!(*F::encode_slice(&values) == reprs[..], "{}", F::NAME);
    assert!(F::decode_vec(reprs.clone()).unwrap() == values, "{}", F::NAME);
    let mut all_ones: F::Repr = bytemuck::Zeroable::zeroed();
    bytemuck::bytes_of_mut(&mut all_ones).fill(0xff);
    let mut bad = reprs;
    for i in [69_999, 40_123, 40_000] {
        bad[i] = all_ones;
    }
    let first = |r: Result<Vec<F>, Error>| match r {
        Err(Error::NonCanonical { index, .. }) => index,
        other => panic!("{}: {other:?}", F::NAME),
    };
    assert_eq!(first(F::decode_vec(bad.clone())), 40_000, "{}", F::NAME);
    assert_eq!(first(field::decode::<F>(&bad)), 40_000, "{}", F::NAME);
}

#[test]
fn bulk_conversions_agree_with_per_element_ones() {
    let seed = common::seed();
    bulk_conversions_agree::<BabyBear>(seed);
    bulk_conversions_agree::<KoalaBear>(seed);
    bulk_conversions_agree::<BabyBear4>(seed);
    bulk_conversions_agree::<KoalaBear4>(seed);
    bulk_conversions_agree::<Bn254Fr>(seed);
    bulk_conversions_agree::<Bn254Fq>(seed);
}

/// The product and sum chains whose SASS `cherenkov info --kernels` reads for the cost of one
/// product or addition (`ff_mul_chain`, `ff_add_chain`): x · y^N and x + N·y for N = 1 and 17,
/// against the reference.
fn chain<F: DeviceField>(engine: &Engine, seed: u64) {
    let Engine::Gpu(gpu) = engine else { unreachable!("gpu_only") };
    let (a, b) = field_inputs::<F>(seed, 8);
    for (x, y) in a.iter().zip(&b) {
        let input = gpu.upload(&[x.to_repr(), y.to_repr()]).unwrap();
        for (op, name) in [(FieldOp::Mul, "mul"), (FieldOp::Add, "add")] {
            for n in [1, 17] {
                let out = gpu.alloc::<F::Repr>(1).unwrap();
                let kernel = chain_kernel(F::NAME, name, n);
                let l = Launch::new(kernel, Dim3::x(1), Dim3::x(1)).buf(&input).buf(&out);
                // SAFETY: the kernel reads two elements of `input` and writes one of `out`.
                unsafe { gpu.launch(&l).unwrap() };
                let want = (0..n).fold(*x, |acc, _| F::reference_op(op, acc, *y));
                assert_eq!(gpu.download(&out).unwrap()[0], want.to_repr(), "{kernel} on {}", engine.name());
            }
        }
    }
}
/// The kernel's name as a `&'static str` (the launch plan's type): looked up among the built ones.
fn chain_kernel(field: &str, op: &str, n: u32) -> &'static str {
    let name = format!("chk_ff_{field}_{op}_chain{n}");
    cherenkov::backend::emu::kernel_names()
        .into_iter()
        .find(|k| *k == name)
        .unwrap_or_else(|| panic!("no chain kernel {name}"))
}
fn mul_chains(engine: &Engine, seed: u64) {
    chain::<BabyBear>(engine, seed);
    chain::<KoalaBear>(engine, seed);
    chain::<Bn254Fr>(engine, seed);
    chain::<Bn254Fq>(engine, seed);
}
backend_tests!(mul_chains, gpu_only);

/// BN254's 32-bit carry-chain product (`mul_chain32`: `*` on a GPU) on every GPU backend, so the
/// emulator, whose `*` is the 64-bit-limb CIOS, runs the chains' portable twin too; random and
/// edge inputs against arkworks.
fn carry_chain_product<F: DeviceField>(engine: &Engine, seed: u64, kernel: &'static str) {
    let Engine::Gpu(gpu) = engine else { unreachable!("gpu_only") };
    let (mut a, mut b) = field_inputs::<F>(seed, RANDOM);
    let edges = F::edge_values();
    for x in &edges {
        for y in &edges {
            a.push(*x);
            b.push(*y);
        }
    }
    let (da, db) = (gpu.upload(&F::encode_slice(&a)).unwrap(), gpu.upload(&F::encode_slice(&b)).unwrap());
    let out = gpu.alloc::<F::Repr>(a.len()).unwrap();
    let (grid, block) = cherenkov::backend::plan::elementwise(a.len() as u64, &gpu.props()).unwrap();
    let l = Launch::new(kernel, grid, block).buf(&da).buf(&db).buf(&out).u64(a.len() as u64);
    // SAFETY: indices below a.len() of three buffers of that length.
    unsafe { gpu.launch(&l).unwrap() };
    let got = gpu.download(&out).unwrap();
    for i in 0..a.len() {
        let want = F::reference_op(FieldOp::Mul, a[i], b[i]);
        assert_eq!(got[i], want.to_repr(), "{kernel} on {}: {:?} * {:?}", engine.name(), a[i], b[i]);
    }
}
fn bn254_carry_chains(engine: &Engine, seed: u64) {
    carry_chain_product::<Bn254Fr>(engine, seed, "chk_ff_bn254_fr_mul_chain32");
    carry_chain_product::<Bn254Fq>(engine, seed, "chk_ff_bn254_fq_mul_chain32");
}
backend_tests!(bn254_carry_chains, gpu_only);
