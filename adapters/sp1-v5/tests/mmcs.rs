//! cherenkov's fork-`Mmcs` against the fork's `FieldMerkleTreeMmcs` with SP1 v5's Poseidon2
//! (`BabyBearPoseidon2`'s `ValMmcs`): commitments, openings and proofs equal, the fork's verifier
//! accepts ours and rejects a tampered opening; batches of one and several matrices, injected
//! shorter ones, heights 1 to 2^10 (and non-powers of two, which take the fork's own tree);
//! cpu, emu (two schedules), cuda when present.

mod common;

use cherenkov::Engine;
use cherenkov_sp1_v5::{BabyBear, Mmcs, ProverData};
use p3_commit::Mmcs as _;
use p3_field::AbstractField;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Batches as (height, width) lists.
const BATCHES: &[&[(usize, usize)]] = &[
    &[(1, 3)],
    &[(2, 1)],
    &[(8, 16)],
    &[(64, 8), (64, 5), (32, 24), (4, 9)],
    &[(1024, 25), (256, 7), (1024, 1)],
    &[(37, 4), (19, 9)],
];

fn equal_to_the_fork(engine: Engine) {
    let mut rng = StdRng::seed_from_u64(cherenkov::check::seed_from_env());
    let ours = Mmcs::on(engine);
    let fork = ours.stock().clone();
    for batch in BATCHES {
        let what = format!("{batch:?} on {}", ours.engine().name());
        let mats: Vec<RowMajorMatrix<BabyBear>> = batch.iter().map(|&(h, w)| common::matrix(&mut rng, h, w)).collect();
        let dims: Vec<_> = mats.iter().map(|m| m.dimensions()).collect();
        let (commit, data) = ours.commit(mats.clone());
        let (want_commit, want_data) = fork.commit(mats);
        assert_eq!(commit, want_commit, "commitment, {what}");
        let ours_built_it = matches!(data, ProverData::Ours { .. });
        assert_eq!(ours_built_it, batch.iter().all(|b| b.0.is_power_of_two()), "who built the tree, {what}");
        let max = batch.iter().map(|b| b.0).max().unwrap();
        let shape = |d: &[p3_matrix::Dimensions]| d.iter().map(|d| (d.height, d.width)).collect::<Vec<_>>();
        let got_dims: Vec<_> = ours.get_matrices(&data).iter().map(|m| m.dimensions()).collect();
        assert_eq!(shape(&got_dims), shape(&dims), "matrices, {what}");
        let mut indices = vec![0, max - 1, max / 2];
        indices.extend((0..4).map(|_| rng.random_range(0..max)));
        for index in indices {
            let (values, proof) = ours.open_batch(index, &data);
            let (want_values, want_proof) = fork.open_batch(index, &want_data);
            assert_eq!(values, want_values, "openings at {index}, {what}");
            assert_eq!(proof, want_proof, "proof at {index}, {what}");
            assert_eq!(fork.verify_batch(&commit, &dims, index, &values, &proof), Ok(()), "fork verifies, {what}");
            let mut bad = values.clone();
            bad[0][0] += BabyBear::one();
            assert!(fork.verify_batch(&commit, &dims, index, &bad, &proof).is_err(), "tampered, {what}");
            assert_eq!(ours.verify_batch(&commit, &dims, index, &values, &proof), Ok(()));
        }
    }
}

#[test]
fn cpu_equals_the_fork() {
    equal_to_the_fork(Engine::Cpu);
}

#[test]
fn devices_equal_the_fork() {
    for engine in cherenkov::backend::device_engines() {
        equal_to_the_fork(engine);
    }
}

#[test]
fn device_failures_rebuild_on_the_cpu() {
    let small = Engine::emu(cherenkov::backend::EmuConfig { max_dynamic_shared: 64, ..Default::default() });
    let mut rng = StdRng::seed_from_u64(cherenkov::check::seed_from_env());
    let mats = vec![common::matrix(&mut rng, 64, 9), common::matrix(&mut rng, 32, 4)];
    let on_device = Mmcs::on(small);
    let (commit, data) = on_device.commit(mats.clone());
    assert_eq!(commit, on_device.stock().commit(mats).0);
    assert!(matches!(data, ProverData::Ours { .. }));
    let why = on_device.last_device_error().expect("the device failure is recorded");
    assert!(why.contains("shared memory"), "{why}");
    assert!(Mmcs::on(Engine::Cpu).last_device_error().is_none());
}
