//! `cherenkov::plonky3::Mmcs` inside Plonky3's `TwoAdicFriPcs` (as `ValMmcs`, and inside
//! `ExtensionMmcs` for the challenge field), and the fused `Mmcs::commit_lde`: commitments equal
//! the all-stock PCS's, and proofs opened from our prover data verify with the all-stock PCS.

use crate::common;

use cherenkov::field::BabyBear;
use cherenkov::plonky3::config::FriSettings;
use cherenkov::plonky3::{Dft, Mmcs};
use cherenkov::poseidon2::Poseidon2Constants;
use cherenkov::Engine;
use p3_challenger::{CanObserve, DuplexChallenger, FieldChallenger};
use p3_commit::{ExtensionMmcs, Pcs};
use p3_dft::Radix2DitParallel;
use p3_field::extension::BinomialExtensionField;
use p3_field::Field;
use p3_fri::{FriParameters, TwoAdicFriPcs};
use p3_matrix::dense::RowMajorMatrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

type Ef = BinomialExtensionField<BabyBear, 4>;
type Perm = p3_baby_bear::Poseidon2BabyBear<16>;
type Challenger = DuplexChallenger<BabyBear, Perm, 16, 8>;
type StockMmcs = MerkleTreeMmcs<
    <BabyBear as Field>::Packing,
    <BabyBear as Field>::Packing,
    PaddingFreeSponge<Perm, 16, 8, 8>,
    TruncatedPermutation<Perm, 2, 8, 16>,
    2,
    8,
>;
type StockPcs = TwoAdicFriPcs<BabyBear, Radix2DitParallel<BabyBear>, StockMmcs, ExtensionMmcs<BabyBear, Ef, StockMmcs>>;
type OurPcs = TwoAdicFriPcs<BabyBear, Dft, Mmcs<BabyBear>, ExtensionMmcs<BabyBear, Ef, Mmcs<BabyBear>>>;

const LOG_BLOWUP: usize = 1;

/// Small FRI: folding by 2, a constant final polynomial, 10 queries, 1 bit of query grinding.
const FOLD_BY_2: FriSettings = FriSettings {
    log_blowup: LOG_BLOWUP,
    log_final_poly_len: 0,
    max_log_arity: 1,
    num_queries: 10,
    batch_proof_of_work_bits: 0,
    commit_proof_of_work_bits: 0,
    query_proof_of_work_bits: 1,
};

fn fri<M>(mmcs: M) -> FriParameters<M> {
    FOLD_BY_2.parameters(mmcs)
}

fn fri_pcs_round_trip(engine: &Engine, seed: u64) {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let stock_mmcs = StockMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm.clone()), 1);
    let stock =
        StockPcs::new(Radix2DitParallel::default(), stock_mmcs.clone(), fri(ExtensionMmcs::new(stock_mmcs.clone())));
    let ours_mmcs = Mmcs::on(Poseidon2Constants::babybear_default_16(), 1, engine.clone());
    let ours = OurPcs::new(Dft::on(engine.clone()), ours_mmcs.clone(), fri(ExtensionMmcs::new(ours_mmcs.clone())));

    let mut rng = StdRng::seed_from_u64(seed);
    let evals: Vec<_> = [6usize, 4, 6, 3]
        .iter()
        .map(|&log_n| {
            let width = 1 + rng.random_range(0..9);
            let m = RowMajorMatrix::new((0..width << log_n).map(|_| rng.random()).collect(), width);
            (<StockPcs as Pcs<Ef, Challenger>>::natural_domain_for_degree(&stock, 1 << log_n), m)
        })
        .collect();

    let (stock_commit, stock_data) = <StockPcs as Pcs<Ef, Challenger>>::commit(&stock, evals.clone()).unwrap();
    let (pcs_commit, _) = <OurPcs as Pcs<Ef, Challenger>>::commit(&ours, evals.clone()).unwrap();
    let (fused_commit, fused_data) = ours_mmcs.commit_lde(evals.clone(), LOG_BLOWUP).unwrap();
    assert_eq!(pcs_commit, stock_commit, "pcs.commit with our Dft and Mmcs on {}", engine.name());
    assert_eq!(fused_commit, stock_commit, "Mmcs::commit_lde on {}", engine.name());
    let stock_ldes = <StockMmcs as p3_commit::Mmcs<BabyBear>>::get_matrices(&stock_mmcs, &stock_data);
    for (a, b) in fused_data.leaves().iter().zip(stock_ldes) {
        assert!(a.values == b.values, "the fused LDE differs from the stock PCS's on {}", engine.name());
    }

    // Open from the fused prover data with our PCS (our Mmcs and ExtensionMmcs over it); the
    // stock PCS verifies.
    let base = Challenger::new(perm);
    let mut p = base.clone();
    p.observe(fused_commit.clone());
    let zeta: Ef = p.sample_algebra_element();
    let points = vec![vec![zeta]; evals.len()];
    let (opened, proof) = ours.open(vec![(&fused_data, points).into()], &mut p).unwrap();
    let mut v = base.clone();
    v.observe(stock_commit.clone());
    assert_eq!(v.sample_algebra_element::<Ef>(), zeta);
    // Our proof in the stock PCS's proof type: the same serde form.
    type StockProof = <StockPcs as Pcs<Ef, Challenger>>::Proof;
    let proof: StockProof = serde_json::from_str(&serde_json::to_string(&proof).unwrap()).unwrap();
    let claims: Vec<_> =
        evals.iter().zip(&opened[0]).map(|((domain, _), values)| (*domain, vec![(zeta, values[0].clone())])).collect();
    stock.verify(vec![(stock_commit.clone(), claims.clone()).into()], &proof, &mut v.clone()).unwrap();
    // A wrong claimed value is rejected.
    let mut bad = claims;
    bad[0].1[0].1[0] += Ef::from(BabyBear::new(1));
    assert!(stock.verify(vec![(stock_commit, bad).into()], &proof, &mut v).is_err());
}
backend_tests!(fri_pcs_round_trip);

/// `FusedPcs::open` over LDEs kept on the device (`commit_kept_on_device`): the columns, the
/// compressed rows and FRI's commit phase run there (`cherenkov::plonky3::fri`), and the proof is
/// the stock PCS's byte for byte — for matrices of four heights (the reduced openings join FRI's
/// codeword in three rounds), one and two opening points, folding arities 2 and up to 8, a final
/// polynomial of 1 and 2 coefficients, proof-of-work before every challenge, cap height 1. On the
/// cpu the same calls take p3-fri's host path. No device failure is recovered on the host.
fn fused_pcs_opens_and_folds_on_the_device(engine: &Engine, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for (i, settings) in fri_variants().into_iter().enumerate() {
        let (ours, stock) = fused_and_stock(engine, &settings);
        let evals = random_evaluations(&mut rng, &stock);
        let opened = open_both(&ours, &stock, &evals, &mut rng);
        assert!(opened.0 == opened.1, "FRI settings {i} on {}: the proofs differ", engine.name());
        assert_eq!(ours.mmcs().last_device_error(), None, "settings {i} on {}", engine.name());
    }
}
backend_tests!(fused_pcs_opens_and_folds_on_the_device);

/// On a profiled emulator: FRI's codeword is folded on the device, one fold launch per halving
/// (Σ log2 arity over the rounds the proof shows), and the reduced openings it starts from are
/// combined there (a compression per matrix, a reduction per matrix and point).
#[test]
fn fri_folds_where_the_codeword_lies() {
    let engine = Engine::emu(cherenkov::backend::EmuConfig {
        profile: cherenkov::backend::profile::available(),
        ..Default::default()
    });
    let mut rng = StdRng::seed_from_u64(common::seed());
    for settings in fri_variants() {
        let (ours, stock) = fused_and_stock(&engine, &settings);
        let evals = random_evaluations(&mut rng, &stock);
        engine.take_profiles();
        let (proof, want) = open_both(&ours, &stock, &evals, &mut rng);
        assert!(proof == want);
        let opened: serde_json::Value = serde_json::from_slice(&proof).unwrap();
        let halvings: usize = opened[1]["commit_phase_openings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| (step["sibling_values"][0].as_array().unwrap().len() + 1).trailing_zeros() as usize)
            .sum();
        assert!(halvings > 0);
        if cherenkov::backend::profile::available() {
            let launches = engine.take_profiles();
            let count = |kernel: &str| launches.iter().filter(|p| p.kernel == kernel).count();
            assert_eq!(count("chk_fri_fold_babybear"), halvings, "with {settings:?}");
            // The reduced openings too: one launch per (matrix, point), from rows compressed there.
            assert_eq!(count("chk_stark_compress_rows_babybear"), evals.len());
            assert_eq!(count("chk_stark_reduce_opening_babybear"), evals.len() + evals.len().div_ceil(2));
        }
        assert_eq!(ours.mmcs().last_device_error(), None);
    }
}

fn fri_variants() -> [FriSettings; 2] {
    let wide = FriSettings {
        log_blowup: 2,
        log_final_poly_len: 1,
        max_log_arity: 3,
        batch_proof_of_work_bits: 1,
        commit_proof_of_work_bits: 1,
        ..FOLD_BY_2
    };
    [FOLD_BY_2, wide]
}

/// cherenkov's `FusedPcs` on `engine` and the all-stock PCS, cap height 1, the same FRI.
fn fused_and_stock(engine: &Engine, settings: &FriSettings) -> (cherenkov::plonky3::FusedPcs<BabyBear>, StockPcs) {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let stock_mmcs = StockMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), 1);
    let stock = StockPcs::new(
        Radix2DitParallel::default(),
        stock_mmcs.clone(),
        settings.parameters(ExtensionMmcs::new(stock_mmcs)),
    );
    let mmcs = Mmcs::on(Poseidon2Constants::babybear_default_16(), 1, engine.clone());
    (cherenkov::plonky3::FusedPcs::new(Dft::on(engine.clone()), mmcs, settings), stock)
}

type Evaluations = Vec<(p3_field::coset::TwoAdicMultiplicativeCoset<BabyBear>, RowMajorMatrix<BabyBear>)>;

/// Matrices of 2^6, 2^4, 2^3 and 2^2 rows (two of the tallest), random widths and values.
fn random_evaluations(rng: &mut StdRng, stock: &StockPcs) -> Evaluations {
    [6usize, 4, 6, 3, 2]
        .iter()
        .map(|&log_n| {
            let width = 1 + rng.random_range(0..9);
            let m = RowMajorMatrix::new((0..width << log_n).map(|_| rng.random()).collect(), width);
            (<StockPcs as Pcs<Ef, Challenger>>::natural_domain_for_degree(stock, 1 << log_n), m)
        })
        .collect()
}

/// Commits `evals` with both PCSs (ours keeping the LDEs on its device), opens both at the same
/// points (two for every other matrix) from the same transcript, and returns both proofs and
/// opened values as JSON.
fn open_both(
    ours: &cherenkov::plonky3::FusedPcs<BabyBear>,
    stock: &StockPcs,
    evals: &Evaluations,
    rng: &mut StdRng,
) -> (Vec<u8>, Vec<u8>) {
    let (commit, tree) = ours.commit_kept_on_device(evals.clone()).unwrap();
    let (stock_commit, stock_data) = <StockPcs as Pcs<Ef, Challenger>>::commit(stock, evals.clone()).unwrap();
    assert_eq!(commit, stock_commit);
    let (zeta, other): (Ef, Ef) = (rng.random(), rng.random());
    let points: Vec<Vec<Ef>> =
        (0..evals.len()).map(|i| if i % 2 == 0 { vec![zeta, other] } else { vec![zeta] }).collect();
    let mut challenger = Challenger::new(p3_baby_bear::default_babybear_poseidon2_16());
    challenger.observe(commit);
    let mut stock_challenger = challenger.clone();
    let ours_opened = Pcs::<Ef, Challenger>::open(ours, vec![(&tree, points.clone()).into()], &mut challenger).unwrap();
    // Ours on the test's rayon pool, stock on one thread: both grind the smallest witness.
    let stock_opened =
        common::one_thread(|| stock.open(vec![(&stock_data, points).into()], &mut stock_challenger)).unwrap();
    (serde_json::to_vec(&ours_opened).unwrap(), serde_json::to_vec(&stock_opened).unwrap())
}
