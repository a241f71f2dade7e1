//! Self-check mode against a deliberately broken device: the emulator with `fault_byte` (what
//! `CHERENKOV_EMU_FAULT` sets) flips one bit of every download. For each checked primitive:
//! without a check the broken device's result is wrong (so the fault is real); with the check
//! and the `Error` policy the call fails with `Error::SelfCheck` and the failure is recorded;
//! with the `Recompute` policy the result equals the cpu's; on a working device the check
//! passes and changes nothing.

use crate::common;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, PrimeGroup};
use cherenkov::backend::EmuConfig;
use cherenkov::field::{BabyBear, Bn254Fr, DeviceField};
use cherenkov::merkle;
use cherenkov::msm::{self, MsmConfig};
use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::plonky3::Dft;
use cherenkov::poseidon2::{self, Poseidon2Constants};
use cherenkov::verify::{OnFailure, SelfCheck};
use cherenkov::{Engine, Error};
use p3_dft::TwoAdicSubgroupDft;
use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// The emulator, broken (one bit of byte `fault` flipped in every download) or not, with a
/// self-check of `policy` (or none).
fn emu(fault: Option<usize>, policy: Option<OnFailure>) -> Engine {
    let mut check = policy.map(SelfCheck::new);
    if let Some(c) = check.as_mut() {
        c.single_msm = true;
    }
    Engine::emu(EmuConfig { fault_byte: fault, ..EmuConfig::default() }).with_self_check(check)
}

fn random<F: DeviceField>(n: usize, rng: &mut StdRng) -> Vec<F> {
    (0..n).map(|_| F::random(rng)).collect()
}

/// The four situations for one operation `op` whose cpu result is `want`.
fn caught<T: PartialEq + std::fmt::Debug>(
    what: &str,
    fault: usize,
    want: &T,
    op: impl Fn(&Engine) -> cherenkov::Result<T>,
) {
    let broken = op(&emu(Some(fault), None)).expect("the broken device returns something");
    assert_ne!(&broken, want, "{what}: the fault did not change the result (the test would prove nothing)");

    let checked = emu(Some(fault), Some(OnFailure::Error));
    match op(&checked) {
        Err(Error::SelfCheck { .. }) => {}
        other => panic!("{what}: a broken result was not caught: {other:?}"),
    }
    let record = checked.self_check().unwrap();
    assert!(record.failures() >= 1 && record.last_failure().is_some(), "{what}: not recorded");

    let recompute = emu(Some(fault), Some(OnFailure::Recompute));
    assert_eq!(&op(&recompute).unwrap(), want, "{what}: the cpu recomputation");
    assert!(recompute.self_check().unwrap().failures() >= 1);

    let working = emu(None, Some(OnFailure::Error));
    assert_eq!(&op(&working).unwrap(), want, "{what}: a correct result");
    let c = working.self_check().unwrap();
    assert!(c.checks() >= 1 && c.failures() == 0, "{what}: {} checks, {} failures", c.checks(), c.failures());
}

#[test]
fn ntt_and_lde_results_are_checked() {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let (log_n, width) = (9, 5);
    let x: Vec<BabyBear> = random(width << log_n, &mut rng);
    for (direction, shift) in [(Direction::Forward, BabyBear::ONE), (Direction::Inverse, BabyBear::GENERATOR)] {
        let t = Transform::new(direction).coset(shift).orders(Order::BitReversed, Order::Natural);
        let want = ntt::transform_batch(&Engine::Cpu, x.clone(), width, t).unwrap();
        // Byte 100: element 25 of the result.
        caught("babybear transform", 100, &want, |e| ntt::transform_batch(e, x.clone(), width, t));
    }
    let want =
        ntt::coset_lde_batch(&Engine::Cpu, x.clone(), width, 2, BabyBear::GENERATOR, Order::BitReversed).unwrap();
    caught("babybear lde", 4 * (x.len() * 4 - 1), &want, |e| {
        ntt::coset_lde_batch(e, x.clone(), width, 2, BabyBear::GENERATOR, Order::BitReversed)
    });
    // Large enough that the transfers hand the check several pieces (256 KiB each): the fault
    // in the last one, in a row a piece boundary does not split.
    let (log_n, width) = (15, 5);
    let x: Vec<BabyBear> = random(width << log_n, &mut rng);
    let t = Transform::new(Direction::Forward).orders(Order::Natural, Order::BitReversed);
    let want = ntt::transform_batch(&Engine::Cpu, x.clone(), width, t).unwrap();
    caught("babybear transform, several pieces", 4 * (x.len() - 3), &want, |e| {
        ntt::transform_batch(e, x.clone(), width, t)
    });
    let f: Vec<Bn254Fr> = random(1 << 6, &mut rng);
    let t = Transform::new(Direction::Forward);
    let want = ntt::transform_batch(&Engine::Cpu, f.clone(), 1, t).unwrap();
    caught("bn254 fft", 0, &want, |e| ntt::transform_batch(e, f.clone(), 1, t));
}

#[test]
fn merkle_trees_and_poseidon2_are_checked() {
    let mut rng = StdRng::seed_from_u64(common::seed() ^ 1);
    let c = Poseidon2Constants::babybear_default_16();
    let mats = vec![
        RowMajorMatrix::new(random::<BabyBear>(64 * 7, &mut rng), 7),
        RowMajorMatrix::new(random::<BabyBear>(16 * 3, &mut rng), 3),
    ];
    let root = |e: &Engine| merkle::build(e, &c, mats.clone()).map(|t| t.digest_layers().to_vec());
    let want = root(&Engine::Cpu).unwrap();
    // Byte 0: node 0 of every layer a download brings back (on the first leaf's path).
    caught("merkle tree", 0, &want, root);
    // A leaf digest in the middle of layer 0 is caught when sampled; with a sample as large as
    // the tree it always is.
    let traces = vec![(BabyBear::ONE, RowMajorMatrix::new(random::<BabyBear>(32 * 4, &mut rng), 4))];
    let fused =
        |e: &Engine| merkle::commit_lde(e, &c, traces.clone(), 1).map(|t| (t.root(), t.leaves()[0].values.clone()));
    let want = fused(&Engine::Cpu).unwrap();
    caught("lde and commit", 8, &want, fused);

    let states: Vec<BabyBear> = random(16 * 40, &mut rng);
    let permute = |e: &Engine| {
        let mut s = states.clone();
        poseidon2::permute_batch(e, &c, &mut s).map(|()| s)
    };
    let want = permute(&Engine::Cpu).unwrap();
    caught("poseidon2 first state", 4, &want, permute);
    caught("poseidon2 last state", states.len() * 4 - 1, &want, permute);
    let rows: Vec<BabyBear> = random(9 * 30, &mut rng);
    let want = poseidon2::hash_rows(&Engine::Cpu, &c, &rows, 9).unwrap();
    caught("row hashes", 0, &want, |e| poseidon2::hash_rows(e, &c, &rows, 9));
    let want2 = poseidon2::compress_pairs(&Engine::Cpu, &c, &want).unwrap();
    caught("compressions", 0, &want2, |e| poseidon2::compress_pairs(e, &c, &want));
}

#[test]
fn msm_batches_and_single_msms_are_checked() {
    let mut rng = StdRng::seed_from_u64(common::seed() ^ 2);
    let n = 300;
    let (bases, _) = cherenkov::bench::msm_inputs::<ark_bn254::g1::Config>(n, common::seed());
    let sets: Vec<Vec<Fr>> = (0..3).map(|_| (0..n).map(|_| Fr::from(rng_u64(&mut rng))).collect()).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(|s| &s[..]).collect();
    let cfg = MsmConfig::default();
    let affine = |v: Vec<G1Projective>| v.into_iter().map(|p| p.into_affine()).collect::<Vec<G1Affine>>();
    let want = affine(msm::g1_batch(&Engine::Cpu, &bases, &refs, &cfg).unwrap());
    // Byte 0 of every download: the first segment sum of every MSM of the batch.
    caught("msm batch", 0, &want, |e| msm::g1_batch(e, &bases, &refs, &cfg).map(affine));
    let resident = |e: &Engine| msm::DeviceBases::new(e, &bases, &cfg)?.msm_batch(&refs).map(affine);
    caught("msm batch over resident bases", 0, &want, resident);
    let want = msm::g1(&Engine::Cpu, &bases, &sets[0], &cfg).unwrap().into_affine();
    caught("single msm", 0, &want, |e| msm::g1(e, &bases, &sets[0], &cfg).map(|p| p.into_affine()));
    let resident = |e: &Engine| msm::DeviceBases::new(e, &bases, &cfg)?.msm(&sets[0]).map(|p| p.into_affine());
    caught("single msm over resident bases", 0, &want, resident);
    assert_ne!(want, G1Projective::generator().into_affine());
}

fn rng_u64(rng: &mut StdRng) -> u64 {
    use rand::RngExt;
    rng.random()
}

#[test]
fn adapters_recompute_on_the_cpu_after_a_failed_check() {
    // The Plonky3 DFT has no error channel: a failed check is a device failure to it, recorded
    // in last_device_error and answered on the cpu, so the broken device gives correct results.
    let mut rng = StdRng::seed_from_u64(common::seed() ^ 3);
    let m = RowMajorMatrix::new(random::<BabyBear>(64 * 4, &mut rng), 4);
    let dft = Dft::on(emu(Some(12), Some(OnFailure::Error)));
    let got = dft.coset_lde_batch(m.clone(), 1, BabyBear::GENERATOR).to_row_major_matrix();
    let want = p3_dft::Radix2DitParallel::default().coset_lde_batch(m, 1, BabyBear::GENERATOR).to_row_major_matrix();
    assert_eq!(got, want);
    let why = dft.last_device_error().expect("the failed check is recorded");
    assert!(why.contains("self-check"), "{why}");
}

#[test]
fn cherenkov_verify_selects_the_policy() {
    assert!(SelfCheck::parse(Some("1")).unwrap().is_some());
    assert!(matches!(SelfCheck::parse(Some("sometimes")), Err(Error::Config { .. })));
    assert!(Engine::Cpu.with_self_check(Some(SelfCheck::new(OnFailure::Error))).self_check().is_none());
    let e = emu(None, Some(OnFailure::Recompute));
    assert!(e.name().contains("self-checked"), "{}", e.name());
}
