//! Merkle trees and the `Mmcs` adapter on every backend against Plonky3's `MerkleTreeMmcs`
//! (p3-merkle-tree 0.8) over Plonky3's own `Poseidon2BabyBear<16>` / `Poseidon2KoalaBear<16>`:
//! every digest layer (the first, each injection, the root), caps, single and multi openings;
//! the stock verifier accepts our proofs and ours accepts the stock's; tampering is an error.

use crate::common;

use cherenkov::field::{BabyBear, DeviceField, KoalaBear};
use cherenkov::merkle::{self, Digest};
use cherenkov::plonky3::Mmcs;
use cherenkov::poseidon2::{Poseidon2Constants, Poseidon2Hasher};
use cherenkov::{Engine, Error};
use p3_commit::{BatchOpeningRef, Mmcs as _};
use p3_field::{Field, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{CryptographicPermutation, PaddingFreeSponge, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

type Stock<F, P> = MerkleTreeMmcs<
    <F as Field>::Packing,
    <F as Field>::Packing,
    PaddingFreeSponge<P, 16, 8, 8>,
    TruncatedPermutation<P, 2, 8, 16>,
    2,
    8,
>;

fn stock<F: Field, P>(perm: P, cap_height: usize) -> Stock<F, P>
where
    P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[F::Packing; 16]>,
{
    MerkleTreeMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), cap_height)
}

/// Random matrices of the given (height, width); a few rows are the edge values 0, 1, p − 1.
fn matrices<F: Field + DeviceField>(rng: &mut StdRng, shapes: &[(usize, usize)]) -> Vec<RowMajorMatrix<F>> {
    shapes
        .iter()
        .map(|&(h, w)| {
            let mut v: Vec<F> = (0..h * w).map(|_| F::random(rng)).collect();
            for (i, x) in v.iter_mut().take(3 * w).enumerate() {
                *x = [F::ZERO, F::ONE, F::NEG_ONE][i / w.max(1)];
            }
            RowMajorMatrix::new(v, w)
        })
        .collect()
}

/// The stock tree's digest layers, read through its serde form (its fields are crate-private).
fn stock_layers<F: Field + serde::de::DeserializeOwned, T: serde::Serialize>(tree: &T) -> Vec<Vec<Digest<F>>> {
    let v = serde_json::to_value(tree).unwrap();
    serde_json::from_value(v["digest_layers"].clone()).unwrap()
}

/// Shapes: single matrices of widths around the rate, several matrices of
/// one height, injections at several layers, non-power-of-two ladders, a single row, and trees
/// large enough for several cpu tasks, device blocks and compress launches.
const SHAPES: &[&[(usize, usize)]] = &[
    &[(1, 5)],
    &[(2, 1)],
    &[(64, 8)],
    &[(64, 5), (64, 3)],
    &[(33, 9)],
    &[(256, 16), (256, 7), (64, 24), (128, 1), (32, 8), (1, 3)],
    &[(37, 4), (19, 8), (10, 17), (5, 2), (3, 9), (2, 1), (1, 16)],
    &[(4096, 16), (2048, 9), (1024, 32)],
    &[(3001, 3), (1501, 8), (751, 5), (47, 2)],
];

fn tree_vs_stock<F, P>(engine: &Engine, c: &Poseidon2Constants<F, 16>, perm: P, rng: &mut StdRng)
where
    F: Poseidon2Hasher + serde::de::DeserializeOwned + serde::Serialize,
    P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[F::Packing; 16]>,
{
    for shapes in SHAPES {
        // The device tests run the larger shapes on the emulator too, but only once per field.
        let mats = matrices::<F>(rng, shapes);
        let ours = merkle::build(engine, c, mats.clone()).unwrap();
        for cap_height in [0, 1, 3, 64] {
            let stock = stock::<F, P>(perm.clone(), cap_height);
            // Plonky3 panics on caps that are not a power of two (padded layers): ours errs.
            let committed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stock.commit(mats.clone())));
            let Ok((stock_cap, stock_tree)) = committed else {
                assert!(matches!(ours.cap(cap_height), Err(Error::InvalidShape(_))), "{shapes:?}: cap {cap_height}");
                continue;
            };
            if cap_height == 0 {
                let want = stock_layers::<F, _>(&stock_tree);
                assert_eq!(ours.digest_layers().len(), want.len(), "{shapes:?}: layer count on {}", engine.name());
                for (k, (a, b)) in ours.digest_layers().iter().zip(&want).enumerate() {
                    assert!(a == b, "{shapes:?}: layer {k} of {} differs on {}", want.len(), engine.name());
                }
            }
            assert_eq!(ours.cap(cap_height).unwrap(), stock_cap, "{shapes:?}: cap {cap_height}");
            let height = shapes.iter().map(|s| s.0).max().unwrap();
            let indices: Vec<usize> = (0..5).map(|_| rng.random_range(0..height)).chain([0, height - 1]).collect();
            for &i in &indices {
                let opening = stock.open_batch(i, &stock_tree);
                assert_eq!(ours.rows(i).unwrap(), opening.opened_values, "{shapes:?}: rows at {i}");
                assert_eq!(ours.siblings(i, cap_height).unwrap(), opening.opening_proof, "{shapes:?}: proof at {i}");
            }
            let (_, multi) = stock.open_multi_batch(&indices, &stock_tree);
            assert_eq!(ours.pruned_siblings(&indices, cap_height).unwrap(), multi.sibling_hashes, "{shapes:?}: multi");
        }
    }
}

fn babybear_tree_vs_stock(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    tree_vs_stock::<BabyBear, _>(engine, &Poseidon2Constants::babybear_default_16(), perm, &mut rng);
}
backend_tests!(babybear_tree_vs_stock);

fn koalabear_tree_vs_stock(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let perm = p3_koala_bear::default_koalabear_poseidon2_16();
    tree_vs_stock::<KoalaBear, _>(engine, &Poseidon2Constants::koalabear_default_16(), perm, &mut rng);
}
backend_tests!(koalabear_tree_vs_stock);

/// SP1's instances have no Plonky3 permutation type: the stock tree runs over our cpu
/// permutation of them (itself checked against SP1's crates in tests/suite/sp1_poseidon2.rs).
fn sp1_trees_vs_stock(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let c = Poseidon2Constants::sp1_v5_babybear_16();
    tree_vs_stock::<BabyBear, _>(engine, &c, c.cpu_permutation(), &mut rng);
    let c = Poseidon2Constants::sp1_v6_koalabear_16();
    tree_vs_stock::<KoalaBear, _>(engine, &c, c.cpu_permutation(), &mut rng);
}
backend_tests!(sp1_trees_vs_stock);

/// The adapter: our commitments and proofs verify with the stock MMCS, the stock's with ours,
/// serde forms are identical, and a tampered opening is an error.
fn mmcs_interoperates(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let shapes = [(512, 16), (256, 7), (64, 24), (33 - 1, 5)];
    for cap_height in [0, 2] {
        let mats = matrices::<BabyBear>(&mut rng, &shapes);
        let dims: Vec<_> = mats.iter().map(|m| m.dimensions()).collect();
        let ours = Mmcs::on(Poseidon2Constants::babybear_default_16(), cap_height, engine.clone());
        let theirs = stock::<BabyBear, _>(p3_baby_bear::default_babybear_poseidon2_16(), cap_height);
        let (cap, tree) = ours.commit(mats.clone());
        let (stock_cap, stock_tree) = theirs.commit(mats);
        assert_eq!(serde_json::to_string(&cap).unwrap(), serde_json::to_string(&stock_cap).unwrap());
        for i in [0, 1, 200, 511] {
            let o = ours.open_batch(i, &tree);
            theirs.verify_batch(&cap, &dims, i, BatchOpeningRef::new(&o.opened_values, &o.opening_proof)).unwrap();
            let s = theirs.open_batch(i, &stock_tree);
            assert_eq!(
                serde_json::to_string(&o.opening_proof).unwrap(),
                serde_json::to_string(&s.opening_proof).unwrap()
            );
            ours.verify_batch(&stock_cap, &dims, i, BatchOpeningRef::new(&s.opened_values, &s.opening_proof)).unwrap();
            // Tampering: a changed value, a changed sibling, a wrong index: errors, not panics.
            let mut bad = o.opened_values.clone();
            bad[1][3] += BabyBear::ONE;
            assert!(ours.verify_batch(&cap, &dims, i, BatchOpeningRef::new(&bad, &o.opening_proof)).is_err());
            let mut bad_proof = o.opening_proof.clone();
            bad_proof[0][0] += BabyBear::ONE;
            assert!(ours.verify_batch(&cap, &dims, i, BatchOpeningRef::new(&o.opened_values, &bad_proof)).is_err());
            assert!(ours
                .verify_batch(&cap, &dims, i ^ 1, BatchOpeningRef::new(&o.opened_values, &o.opening_proof))
                .is_err());
        }
        let indices = [3, 4, 5, 300, 3];
        let (values, proof) = ours.open_multi_batch(&indices, &tree);
        theirs.verify_multi_batch(&cap, &dims, &indices, &values, &proof).unwrap();
        let (svalues, sproof) = theirs.open_multi_batch(&indices, &stock_tree);
        assert_eq!(serde_json::to_string(&proof).unwrap(), serde_json::to_string(&sproof).unwrap());
        ours.verify_multi_batch(&stock_cap, &dims, &indices, &svalues, &sproof).unwrap();
        let mut bad = values.clone();
        bad[2][0][0] += BabyBear::ONE;
        assert!(ours.verify_multi_batch(&cap, &dims, &indices, &bad, &proof).is_err());
    }
}
backend_tests!(mmcs_interoperates);

#[test]
fn bad_shapes_are_errors() {
    let c = Poseidon2Constants::babybear_default_16();
    let m = |h: usize| RowMajorMatrix::new(vec![BabyBear::ONE; h * 2], 2);
    for engine in [Engine::Cpu, common::emu(cherenkov::backend::Schedule::Forward)] {
        let r = merkle::build(&engine, &c, vec![m(8), m(3)]);
        assert!(matches!(r, Err(Error::IncompatibleHeights { height: 3, expected: 4, .. })), "{r:?}");
        assert!(matches!(
            merkle::build(&engine, &c, Vec::<RowMajorMatrix<BabyBear>>::new()),
            Err(Error::InvalidShape(_))
        ));
        let tree = merkle::build(&engine, &c, vec![m(8)]).unwrap();
        assert!(matches!(tree.rows(8), Err(Error::IndexOutOfBounds { index: 8, len: 8 })));
        assert!(matches!(tree.siblings(9, 0), Err(Error::IndexOutOfBounds { .. })));
        let mmcs = Mmcs::on(c.clone(), 0, engine.clone());
        assert!(matches!(mmcs.try_commit(vec![m(4), m(3)]), Err(Error::IncompatibleHeights { .. })));
    }
}

/// A device that cannot run the Merkle kernels (too little shared memory for their tiles): the
/// adapter recomputes on the cpu, records why, and commits the same tree.
#[test]
fn mmcs_falls_back_to_the_cpu_on_device_failure() {
    let small = Engine::emu(cherenkov::backend::EmuConfig { max_dynamic_shared: 64, ..Default::default() });
    let mut rng = StdRng::seed_from_u64(common::seed());
    let mats = matrices::<BabyBear>(&mut rng, &[(64, 9), (32, 4)]);
    let c = Poseidon2Constants::babybear_default_16();
    let on_device = Mmcs::on(c.clone(), 0, small);
    let (cap, _) = on_device.commit(mats.clone());
    assert_eq!(cap, Mmcs::on(c, 0, Engine::Cpu).commit(mats).0);
    let why = on_device.last_device_error().expect("the device failure is recorded");
    assert!(why.contains("shared memory"), "{why}");
}

/// Trees kept on the device (`merkle::build_on_device`): the root and the opened paths equal the
/// cpu tree's (itself checked against Plonky3's above) for several indices at once, only the
/// top layers and the paths come back, and an index past the leaves or mixed heights are errors.
#[test]
fn device_resident_trees_equal_the_cpu_tree() {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let c = Poseidon2Constants::sp1_v6_koalabear_16();
    let shapes: [&[(usize, usize)]; 6] =
        [&[(1, 3)], &[(2, 1)], &[(6, 5)], &[(1024, 8), (1024, 17)], &[(512, 64)], &[(4096, 9)]];
    for engine in cherenkov::backend::device_engines() {
        let Engine::Gpu(gpu) = &engine else { unreachable!("device engines") };
        for shapes in shapes {
            let mats = matrices::<KoalaBear>(&mut rng, shapes);
            let host = merkle::build(&Engine::Cpu, &c, mats.clone()).unwrap();
            engine.reset_stats();
            let tree = merkle::build_on_device(gpu, &c, &mats).unwrap();
            let built = engine.stats();
            let layers = host.digest_layers();
            assert_eq!(tree.root(), layers.last().unwrap()[0], "{shapes:?} on {}", engine.name());
            assert_eq!(tree.levels(), layers.len() - 1);
            let leaves = layers[0].len();
            let indices: Vec<usize> = (0..7).map(|_| rng.random_range(0..leaves)).chain([0, leaves - 1]).collect();
            let want: Vec<Digest<KoalaBear>> = indices.iter().flat_map(|&i| host.siblings(i, 0).unwrap()).collect();
            engine.reset_stats();
            assert!(tree.siblings(&indices).unwrap() == want, "{shapes:?}: paths on {}", engine.name());
            let opened = engine.stats();
            // Only the top layers (the root's run) at build; only the paths when opening.
            if leaves >= 1024 {
                assert!(built.bytes_to_host < (leaves * 32 / 4) as u64, "{shapes:?}: {built}");
            }
            assert_eq!(opened.bytes_to_host, (indices.len() * tree.levels() * 32) as u64, "{shapes:?}: {opened}");
            if tree.levels() > 0 {
                // One upload (indices and offsets packed), one output, one download: two
                // buffers, and a synchronization for each transfer and fresh allocation.
                assert_eq!(opened.allocations + opened.pooled_allocations, 2, "{shapes:?}: {opened}");
                assert_eq!(opened.synchronizations, 2 + opened.allocations, "{shapes:?}: {opened}");
            }
            assert!(matches!(tree.siblings(&[leaves]), Err(Error::IndexOutOfBounds { .. })));
        }
        let mixed = matrices::<KoalaBear>(&mut rng, &[(8, 2), (4, 2)]);
        assert!(matches!(merkle::build_on_device(gpu, &c, &mixed), Err(Error::InvalidShape(_))));
    }
}

/// LDE trees kept on the device (`Mmcs::commit_lde_kept_on_device`): the commitment equals the
/// cpu's; nothing but the digest layers comes back at commit; the opened rows of a batch are
/// gathered there (exactly their bytes come back) and equal the cpu tree's, for matrices of
/// several heights; the host copy is made when asked for and equals the cpu's LDEs.
#[test]
fn kept_lde_trees_open_on_the_device() {
    let mut rng = StdRng::seed_from_u64(common::seed());
    let c = Poseidon2Constants::babybear_default_16();
    let shapes = [(64, 9), (64, 3), (16, 5)];
    let traces: Vec<_> = matrices::<BabyBear>(&mut rng, &shapes)
        .into_iter()
        .map(|m| {
            (
                p3_field::coset::TwoAdicMultiplicativeCoset::new(BabyBear::ONE, m.height().trailing_zeros() as usize)
                    .unwrap(),
                m,
            )
        })
        .collect();
    let cpu = Mmcs::on(c.clone(), 1, Engine::Cpu);
    let (want_cap, want) = cpu.commit_lde(traces.clone(), 1).unwrap();
    for engine in cherenkov::backend::device_engines() {
        let mmcs = Mmcs::on(c.clone(), 1, engine.clone());
        engine.reset_stats();
        let (cap, tree) = mmcs.commit_lde_kept_on_device(traces.clone(), 1).unwrap();
        let committed = engine.stats();
        assert_eq!(cap, want_cap, "on {}", engine.name());
        assert!(!tree.leaves_on_host());
        let layer_bytes: usize = want.digest_layers().iter().map(|l| l.len() * 32).sum();
        assert!(committed.bytes_to_host <= layer_bytes as u64, "{committed}");
        assert_eq!(tree.dims(), [(128, 9), (128, 3), (32, 5)]);
        assert_eq!(mmcs.get_matrix_heights(&tree), [128, 128, 32]);

        let indices = [0, 127, 5, 64, 5, rng.random_range(0..128)];
        engine.reset_stats();
        let (values, proof) = mmcs.open_multi_batch(&indices, &tree);
        let opened = engine.stats();
        assert_eq!(opened.bytes_to_host, (indices.len() * (9 + 3 + 5) * 4) as u64, "{opened}");
        let (want_values, want_proof) = cpu.open_multi_batch(&indices, &want);
        assert!(values == want_values && proof.sibling_hashes == want_proof.sibling_hashes);
        assert!(mmcs.open_batch(64, &tree).opened_values == cpu.open_batch(64, &want).opened_values);
        assert!(matches!(tree.rows_batch(&[128]), Err(Error::IndexOutOfBounds { index: 128, len: 128 })));
        assert!(!tree.leaves_on_host());

        // Several kept trees opened together (FRI's query phase): every tree's rows in one
        // upload of row numbers and one download, whatever the trees and matrices.
        let (_, second) = mmcs.commit_lde_kept_on_device(traces[1..].to_vec(), 1).unwrap();
        let (_, want_second) = cpu.commit_lde(traces[1..].to_vec(), 1).unwrap();
        let halves: Vec<usize> = indices.iter().map(|i| i / 2).collect();
        let both = [(&tree, &indices[..]), (&second, &halves[..]), (&tree, &halves[..])];
        mmcs.try_open_multi_batches(&both).unwrap();
        engine.reset_stats();
        let got = mmcs.try_open_multi_batches(&both).unwrap();
        let s = engine.stats();
        assert_eq!(s.synchronizations, 2, "one upload, one download: {s}");
        assert_eq!(s.bytes_to_host, ((2 * indices.len() * (9 + 3 + 5) + halves.len() * (3 + 5)) * 4) as u64, "{s}");
        for ((values, proof), (t, at)) in
            got.iter().zip([(&want, &indices[..]), (&want_second, &halves[..]), (&want, &halves[..])])
        {
            let (want_values, want_proof) = cpu.open_multi_batch(at, t);
            assert!(*values == want_values && proof.sibling_hashes == want_proof.sibling_hashes);
        }
        assert!(!tree.leaves_on_host() && !second.leaves_on_host());

        assert!(tree.leaves() == want.leaves());
        assert!(tree.leaves_on_host());
        assert!(tree.rows_batch(&indices).unwrap() == want_values);
        assert_eq!(mmcs.last_device_error(), None);
    }
}
