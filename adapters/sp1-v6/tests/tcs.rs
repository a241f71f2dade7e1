//! cherenkov's `TensorCsProver` against slop's own `Poseidon2KoalaBear16Prover` (SP1 v6's
//! Merkle tensor commitments): commitments, opening proofs and openings equal on random and edge
//! tensors (heights 1 to 2^10, powers of two and not, several tensors of mixed widths), slop's
//! verifier accepts ours and rejects a tampered opening; cpu, emu, cuda (power-of-two trees kept
//! on the device and opened there). Zero-width tensors are an error (slop cannot commit them).

mod common;

use cherenkov::Engine;
use cherenkov_sp1_v6::{KoalaBear, MerkleProver};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use slop_algebra::AbstractField;
use slop_commit::Message;
use slop_koala_bear::KoalaBearDegree4Duplex;
use slop_merkle_tree::{ComputeTcsOpenings, MerkleTreeTcs, Poseidon2KoalaBear16Prover, TensorCsProver};
use slop_tensor::Tensor;

/// (height, widths of the tensors committed together)
const SHAPES: &[(usize, &[usize])] =
    &[(1, &[3]), (2, &[1]), (8, &[16]), (5, &[3, 9]), (37, &[8, 1]), (64, &[7, 8, 9, 25]), (1024, &[25, 25, 25])];

fn equal_to_slop(engine: Engine) {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let ours = MerkleProver::on(engine);
    let slop = Poseidon2KoalaBear16Prover::default();
    let tcs = MerkleTreeTcs::<KoalaBearDegree4Duplex>::default();
    for &(height, widths) in SHAPES {
        let what = format!("height {height}, widths {widths:?} on {}", ours.engine().name());
        let tensors: Message<Tensor<KoalaBear>> = widths.iter().map(|&w| common::tensor(&mut rng, height, w)).collect();
        let (want_commit, want_data) = slop.commit_tensors(tensors.clone()).unwrap();
        let (commit, data) = ours.commit_tensors(tensors.clone()).unwrap();
        assert_eq!(commit, want_commit, "commitment, {what}");
        assert_eq!(data.root(), want_data.1, "root, {what}");
        assert_eq!((data.log_height(), data.width()), (want_data.2, want_data.3), "shape, {what}");
        // A device keeps power-of-two trees and opens them there (no self-check on these engines).
        let device = matches!(ours.engine(), Engine::Gpu(_));
        assert_eq!(data.on_device(), device && height.is_power_of_two(), "where the tree is, {what}");

        let mut indices = vec![0, height - 1, height / 2];
        indices.extend((0..5).map(|_| rng.random_range(0..height)));
        let want = slop.prove_openings_at_indices(want_data, &indices).unwrap();
        let proof = ours.prove_openings_at_indices(data.clone(), &indices).unwrap();
        assert_eq!(proof.paths.sizes(), want.paths.sizes(), "paths shape, {what}");
        assert!(proof.paths.as_slice() == want.paths.as_slice(), "paths, {what}");
        assert_eq!(
            (proof.merkle_root, proof.log_tensor_height, proof.width),
            (want.merkle_root, want.log_tensor_height, want.width),
            "proof header, {what}"
        );

        let openings = ours.compute_openings_at_indices(tensors.clone(), &indices);
        let want_openings = slop.compute_openings_at_indices(tensors, &indices);
        assert_eq!(openings.sizes(), want_openings.sizes(), "openings shape, {what}");
        assert!(openings.as_slice() == want_openings.as_slice(), "openings, {what}");

        let total: usize = widths.iter().sum();
        let log_height = data.log_height();
        tcs.verify_tensor_openings(&commit, &indices, &openings, total, log_height, &proof)
            .unwrap_or_else(|e| panic!("slop rejects our proof ({e}), {what}"));
        {
            let mut bad = openings.clone();
            bad.as_mut_slice()[0] += KoalaBear::one();
            assert!(
                tcs.verify_tensor_openings(&commit, &indices, &bad, total, log_height, &proof).is_err(),
                "a tampered opening verified, {what}"
            );
        }
        let mut bad_proof = proof.clone();
        if let Some(first) = bad_proof.paths.as_mut_slice().first_mut() {
            first[0] += KoalaBear::one();
            assert!(
                tcs.verify_tensor_openings(&commit, &indices, &openings, total, log_height, &bad_proof).is_err(),
                "a tampered path verified, {what}"
            );
        }
        assert!(ours.prove_openings_at_indices(data, &[height.next_power_of_two()]).is_err(), "index past the leaves");
    }
}

#[test]
fn cpu_equals_slop() {
    equal_to_slop(Engine::Cpu);
}

#[test]
fn devices_equal_slop() {
    for engine in cherenkov::backend::device_engines() {
        equal_to_slop(engine);
    }
}

#[test]
fn bad_commitments_are_errors() {
    let ours = MerkleProver::on(Engine::Cpu);
    let none: Message<Tensor<KoalaBear>> = Message::from(Vec::<Tensor<KoalaBear>>::new());
    assert!(ours.commit_tensors(none).is_err(), "no tensors");
    let ragged: Message<Tensor<KoalaBear>> = vec![
        Tensor::from(vec![KoalaBear::one(); 8]).reshape([4, 2]),
        Tensor::from(vec![KoalaBear::one(); 6]).reshape([2, 3]),
    ]
    .into();
    assert!(ours.commit_tensors(ragged).is_err(), "two heights");
    let cube: Message<Tensor<KoalaBear>> = Tensor::from(vec![KoalaBear::one(); 8]).reshape([2, 2, 2]).into();
    assert!(ours.commit_tensors(cube).is_err(), "a 3-dimensional tensor");
    let empty: Message<Tensor<KoalaBear>> = Tensor::from(Vec::<KoalaBear>::new()).reshape([0, 4]).into();
    assert!(ours.commit_tensors(empty).is_err(), "no rows");
}

/// slop cannot commit zero-width tensors (its prover panics, or, past that, hashes such a tensor
/// as a matrix of height 0 injected at the root, which its verifier rejects); ours refuses them.
#[test]
fn zero_width_tensors_are_errors() {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let tensors: Message<Tensor<KoalaBear>> =
        vec![common::tensor(&mut rng, 8, 0), common::tensor(&mut rng, 8, 5)].into();
    assert!(MerkleProver::on(Engine::Cpu).commit_tensors(tensors.clone()).is_err());

    let slop_verifies = std::panic::catch_unwind(|| {
        let slop = Poseidon2KoalaBear16Prover::default();
        let (commit, data) = slop.commit_tensors(tensors.clone()).unwrap();
        let proof = slop.prove_openings_at_indices(data, &[3]).unwrap();
        let openings = slop.compute_openings_at_indices(tensors, &[3]);
        let tcs = MerkleTreeTcs::<KoalaBearDegree4Duplex>::default();
        tcs.verify_tensor_openings(&commit, &[3], &openings, 5, 3, &proof).is_ok()
    });
    assert!(!matches!(slop_verifies, Ok(true)), "slop now handles zero-width tensors: accept them too");
}

/// slop's jagged PCS builds its Merkle prover as `P::default()` (`StackedPcsProver<P, _>:
/// DefaultJaggedProver` needs `P: ComputeTcsOpenings + Default`): ours qualifies, runs on the
/// engine `CHERENKOV_BACKEND` names, and commits as slop does.
#[test]
fn default_prover_follows_cherenkov_backend() {
    fn slop_builds_it<P: ComputeTcsOpenings<KoalaBearDegree4Duplex, slop_alloc::CpuBackend> + Default>() -> P {
        P::default()
    }
    let ours: MerkleProver = slop_builds_it();
    let want = cherenkov::Backend::from_env().and_then(cherenkov::Backend::engine).unwrap_or(Engine::Cpu);
    assert_eq!(ours.engine().name(), want.name());
    let mut rng = StdRng::seed_from_u64(common::seed());
    let tensors: Message<Tensor<KoalaBear>> = [common::tensor(&mut rng, 37, 9)].into_iter().collect();
    let want = Poseidon2KoalaBear16Prover::default().commit_tensors(tensors.clone()).unwrap().0;
    assert_eq!(ours.commit_tensors(tensors).unwrap().0, want);
}
