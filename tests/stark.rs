//! Real STARK proofs through `cherenkov::plonky3::config` (p3-uni-stark 0.8): a Fibonacci AIR
//! (BabyBear and KoalaBear) and Plonky3's Keccak AIR (BabyBear), proved with cherenkov's `Dft` and
//! `Mmcs` on every backend and with an all-stock configuration built here from Plonky3's own
//! types (`Radix2DitParallel`, `MerkleTreeMmcs`, `Poseidon2BabyBear<16>`): the serialized proofs
//! are byte-identical, the stock verifier accepts ours, tampered public values are rejected.

mod common;

use cherenkov::field::{BabyBear, KoalaBear};
use cherenkov::plonky3::config::{self, Challenge, FriSettings};
use cherenkov::plonky3::proof;
use cherenkov::poseidon2::Poseidon2Constants;
use cherenkov::Engine;
use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::{Field, PrimeCharacteristicRing, PrimeField64, TwoAdicField};
use p3_fri::TwoAdicFriPcs;
use p3_matrix::dense::RowMajorMatrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{CryptographicPermutation, PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::{prove, verify, StarkConfig};

/// Two columns (a, b): a_0 = x, b_0 = y, then (a, b) -> (b, a + b); b at the last row = z.
struct Fibonacci;

impl<F> BaseAir<F> for Fibonacci {
    fn width(&self) -> usize {
        2
    }
    fn num_public_values(&self) -> usize {
        3
    }
    fn max_constraint_degree(&self) -> Option<usize> {
        Some(2)
    }
}

impl<AB: AirBuilder> Air<AB> for Fibonacci {
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let pis = builder.public_values();
        let (x, y, z) = (pis[0], pis[1], pis[2]);
        let row = main.current_slice();
        let next = main.next_slice();
        let (a, b, next_a, next_b) = (row[0], row[1], next[0], next[1]);
        builder.when_first_row().assert_eq(a, x);
        builder.when_first_row().assert_eq(b, y);
        builder.when_transition().assert_eq(next_a, b);
        builder.when_transition().assert_eq(next_b, a + b);
        builder.when_last_row().assert_eq(b, z);
    }
}

/// The trace of 2^log_n rows from (0, 1) and its public values.
fn fibonacci<F: PrimeField64>(log_n: usize) -> (RowMajorMatrix<F>, Vec<F>) {
    let mut v = vec![F::ZERO, F::ONE];
    for i in 1..1usize << log_n {
        let (a, b) = (v[2 * i - 2], v[2 * i - 1]);
        v.extend([b, a + b]);
    }
    let last = v[v.len() - 1];
    (RowMajorMatrix::new(v, 2), vec![F::ZERO, F::ONE, last])
}

type Packed<F> = <F as Field>::Packing;
type StockMmcs<F, P> =
    MerkleTreeMmcs<Packed<F>, Packed<F>, PaddingFreeSponge<P, 16, 8, 8>, TruncatedPermutation<P, 2, 8, 16>, 2, 8>;
type StockPcs<F, P> =
    TwoAdicFriPcs<F, Radix2DitParallel<F>, StockMmcs<F, P>, ExtensionMmcs<F, Challenge<F>, StockMmcs<F, P>>>;
type Stock<F, P> = StarkConfig<StockPcs<F, P>, Challenge<F>, DuplexChallenger<F, P, 16, 8>>;

/// The all-stock configuration, from Plonky3's types only.
fn stock<F, P>(perm: P, fri: FriSettings) -> Stock<F, P>
where
    F: TwoAdicField + Ord,
    P: CryptographicPermutation<[F; 16]> + CryptographicPermutation<[Packed<F>; 16]>,
{
    let mmcs = StockMmcs::<F, P>::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm.clone()), 0);
    let pcs = TwoAdicFriPcs::new(Radix2DitParallel::default(), mmcs.clone(), fri.parameters(ExtensionMmcs::new(mmcs)));
    StarkConfig::new(pcs, DuplexChallenger::new(perm))
}

/// Small but real FRI: few queries and little grinding keep the emulator runs short.
const FRI: FriSettings = FriSettings {
    log_blowup: 1,
    log_final_poly_len: 0,
    max_log_arity: 1,
    num_queries: 20,
    batch_proof_of_work_bits: 0,
    commit_proof_of_work_bits: 0,
    query_proof_of_work_bits: 4,
};

/// Proves `air` on `trace` both ways and checks byte identity, cross-verification, tampering.
macro_rules! prove_both {
    ($engine:expr, $field:ty, $constants:expr, $perm:expr, $air:expr, $trace:expr, $pis:expr) => {{
        let ours = config::on::<$field>($constants.clone(), $engine.clone(), FRI);
        let theirs = stock::<$field, _>($perm, FRI);
        let (trace, pis): (RowMajorMatrix<$field>, Vec<$field>) = ($trace, $pis);
        // Grinding is on (4 bits): reproducible only on one thread (see common::one_thread).
        let p_ours = common::one_thread(|| prove(&ours, &$air, trace.clone(), &pis).unwrap());
        let p_stock = common::one_thread(|| prove(&theirs, &$air, trace, &pis).unwrap());
        let (b_ours, b_stock) = (serde_json::to_vec(&p_ours).unwrap(), serde_json::to_vec(&p_stock).unwrap());
        assert!(b_ours == b_stock, "proofs differ on {} ({} vs {} bytes)", $engine.name(), b_ours.len(), b_stock.len());
        verify(&ours, &$air, &p_ours, &pis).unwrap();
        let as_stock = serde_json::from_slice(&b_ours).unwrap();
        verify(&theirs, &$air, &as_stock, &pis).unwrap();
        if !pis.is_empty() {
            let mut bad = pis.clone();
            bad[0] += <$field>::ONE;
            assert!(verify(&theirs, &$air, &as_stock, &bad).is_err());
            assert!(verify(&ours, &$air, &p_ours, &bad).is_err());
        }
        // Without serde: our proof as the stock twin's type, verified by the stock verifier with
        // config::stock, and back.
        let twin = config::stock::<$field>($constants, FRI);
        let converted = proof::to_stock(p_ours);
        verify(&twin, &$air, &converted, &pis).unwrap();
        assert!(serde_json::to_vec(&converted).unwrap() == b_ours, "the conversion changes no byte");
        verify(&ours, &$air, &proof::from_stock(converted), &pis).unwrap();
    }};
}

fn fibonacci_proofs(engine: &Engine, _seed: u64) {
    let (t, pis) = fibonacci::<BabyBear>(8);
    let c = Poseidon2Constants::babybear_default_16();
    prove_both!(engine, BabyBear, c, p3_baby_bear::default_babybear_poseidon2_16(), Fibonacci, t, pis);
    let (t, pis) = fibonacci::<KoalaBear>(7);
    let c = Poseidon2Constants::koalabear_default_16();
    prove_both!(engine, KoalaBear, c, p3_koala_bear::default_koalabear_poseidon2_16(), Fibonacci, t, pis);
}
backend_tests!(fibonacci_proofs);

/// Plonky3's Keccak-f AIR (2633 columns), 4 permutations = 2^7 rows.
fn keccak_proofs(engine: &Engine, _seed: u64) {
    let air = p3_keccak_air::KeccakAir {};
    let trace = air.generate_random_trace_rows::<BabyBear>(4, FRI.log_blowup);
    let c = Poseidon2Constants::babybear_default_16();
    prove_both!(engine, BabyBear, c, p3_baby_bear::default_babybear_poseidon2_16(), air, trace, Vec::new());
}
backend_tests!(keccak_proofs);
