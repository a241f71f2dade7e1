//! Real STARK proofs through `cherenkov::plonky3::config` (p3-uni-stark 0.8): a Fibonacci AIR
//! (BabyBear and KoalaBear) and Plonky3's Keccak AIR (BabyBear), proved with cherenkov's `Dft` and
//! `Mmcs` on every backend and with an all-stock configuration built here from Plonky3's own
//! types (`Radix2DitParallel`, `MerkleTreeMmcs`, `Poseidon2BabyBear<16>`): the serialized proofs
//! are byte-identical, the stock verifier accepts ours, tampered public values are rejected.

use crate::common;

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
use p3_matrix::Matrix;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{CryptographicPermutation, PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::{prove, verify, StarkConfig, StarkGenericConfig};

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

// ---- cherenkov::stark: the quotient as a compiled constraint program ----

/// Every operator, selector and leaf the symbolic builder produces, with public values and a
/// degree-4 constraint. Columns (a, b, c, d): a counts up from pis[0], b = a³, c = b − 7a,
/// d₀ = 1, d' = d·b + c, d at the last row = pis[1].
struct AllOps;

impl<F> BaseAir<F> for AllOps {
    fn width(&self) -> usize {
        4
    }
    fn num_public_values(&self) -> usize {
        2
    }
}

impl<AB: AirBuilder> Air<AB> for AllOps {
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let pis = builder.public_values();
        let (p0, p1) = (pis[0], pis[1]);
        let (row, next) = (main.current_slice(), main.next_slice());
        let (a, b, c, d) = (row[0].into(), row[1].into(), row[2].into(), row[3].into());
        let (next_a, next_d): (AB::Expr, AB::Expr) = (next[0].into(), next[3].into());
        let seven = AB::Expr::from_u32(7);
        builder.when_first_row().assert_eq(a.clone(), p0);
        builder.when_transition().assert_eq(next_a, a.clone() + AB::Expr::ONE);
        builder.assert_eq(b.clone(), a.clone() * a.clone() * a.clone());
        builder.assert_zero(-c.clone() + b.clone() - a.clone() * seven);
        builder.assert_zero(a.clone() * a.clone() * a.clone() * a.clone() - b.clone() * a.clone());
        builder.when_first_row().assert_one(d.clone());
        builder.when_transition().assert_eq(next_d, d.clone() * b + c);
        builder.when_last_row().assert_eq(d, p1);
        builder.assert_zero(AB::Expr::ZERO * a + AB::Expr::TWO - AB::Expr::ONE - AB::Expr::ONE);
    }
}

fn all_ops_trace<F: PrimeField64>(log_n: usize, start: u64) -> (RowMajorMatrix<F>, Vec<F>) {
    let mut v = Vec::with_capacity(4 << log_n);
    let mut d = F::ONE;
    for i in 0..1u64 << log_n {
        let a = F::from_u64(start + i);
        let b = a * a * a;
        let c = b - a * F::from_u64(7);
        v.extend([a, b, c, d]);
        d = d * b + c;
    }
    let last = v[v.len() - 1];
    (RowMajorMatrix::new(v, 4), vec![F::from_u64(start), last])
}

/// An AIR with a periodic column: the program cannot express it, and says so.
struct Periodic;

impl<F> BaseAir<F> for Periodic {
    fn width(&self) -> usize {
        1
    }
    fn num_periodic_columns(&self) -> usize {
        1
    }
}

impl<AB: AirBuilder> Air<AB> for Periodic {
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let p: AB::Expr = builder.periodic_values()[0].into();
        builder.assert_zero(main.current_slice()[0].into() * p);
    }
}

/// The program's quotient equals `p3_uni_stark::quotient_values` on random evaluations (every
/// constraint non-zero) at random α, for each AIR above, heights 2^0 to 2^6 of the trace (2^2
/// for Keccak-f), on every engine (the device kernel interprets the same program).
fn quotient_equals_p3_uni_stark(engine: &Engine, seed: u64) {
    use cherenkov::field::DeviceField;
    use cherenkov::stark::{quotient_values_on, ConstraintProgram};
    use p3_commit::PolynomialSpace;
    use p3_field::BasedVectorSpace;
    use p3_uni_stark::{get_log_num_quotient_chunks, quotient_values as stock_quotient, AirLayout};
    use rand::SeedableRng;

    macro_rules! compare {
        ($field:ty, $perm:expr, $air:expr, $log_n:expr, $rng:expr) => {{
            let air = $air;
            let fri = FriSettings { log_blowup: 2, ..FRI };
            let config = stock::<$field, _>($perm, fri);
            let pcs = p3_uni_stark::StarkGenericConfig::pcs(&config);
            let pis: Vec<$field> = (0..BaseAir::<$field>::num_public_values(&air))
                .map(|_| <$field as DeviceField>::random(&mut $rng))
                .collect();
            let width = BaseAir::<$field>::width(&air);
            let layout = AirLayout { main_width: width, num_public_values: pis.len(), ..Default::default() };
            let log_chunks = get_log_num_quotient_chunks::<$field, _>(&air, layout, 1 << $log_n, 0);
            let trace_domain = p3_field::coset::TwoAdicMultiplicativeCoset::new(<$field>::ONE, $log_n).unwrap();
            let quotient_domain = trace_domain.create_disjoint_domain(1 << ($log_n + log_chunks));
            let evals: Vec<$field> =
                (0..quotient_domain.size() * width).map(|_| <$field as DeviceField>::random(&mut $rng)).collect();
            let evals = RowMajorMatrix::new(evals, width);
            let alpha = Challenge::<$field>::from_basis_coefficients_fn(|_| <$field as DeviceField>::random(&mut $rng));
            let want = stock_quotient::<Stock<$field, _>, _, _>(
                pcs,
                &air,
                &pis,
                layout,
                trace_domain,
                quotient_domain,
                &evals,
                None,
                alpha,
            );
            let program = ConstraintProgram::<$field>::compile(&air).unwrap();
            let got = quotient_values_on(engine, &program, &pis, trace_domain, quotient_domain, &evals, alpha).unwrap();
            assert!(
                got == want,
                "{} 2^{}: the program's quotient differs from p3-uni-stark's",
                stringify!($air),
                $log_n
            );
            program
        }};
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let bb = p3_baby_bear::default_babybear_poseidon2_16;
    let kb = p3_koala_bear::default_koalabear_poseidon2_16;
    for log_n in [0, 1, 3, 6] {
        compare!(BabyBear, bb(), Fibonacci, log_n, rng);
        compare!(KoalaBear, kb(), Fibonacci, log_n, rng);
        compare!(BabyBear, bb(), AllOps, log_n, rng);
        compare!(KoalaBear, kb(), AllOps, log_n, rng);
    }
    let keccak = compare!(BabyBear, bb(), p3_keccak_air::KeccakAir {}, 2, rng);
    assert!(
        keccak.temporaries < keccak.instrs.len() / 20,
        "temporaries are reused: {} for {} instructions",
        keccak.temporaries,
        keccak.instrs.len()
    );
    // What the program cannot express is an error that names it.
    let err = ConstraintProgram::<BabyBear>::compile(&Periodic).unwrap_err();
    assert!(err.to_string().contains("periodic columns"), "{err}");
    // Domains p3-commit's selectors would panic on (a quotient domain that is not a coset off
    // the trace's subgroup, or smaller than it) are errors on every engine.
    let program = ConstraintProgram::<BabyBear>::compile(&Fibonacci).unwrap();
    let trace_domain = p3_field::coset::TwoAdicMultiplicativeCoset::new(BabyBear::ONE, 3).unwrap();
    let evals = RowMajorMatrix::new(vec![BabyBear::ONE; 8 * program.width], program.width);
    let pis = vec![BabyBear::ONE; program.num_public_values];
    let alpha = Challenge::<BabyBear>::ONE;
    let small = trace_domain.create_disjoint_domain(4);
    for quotient_domain in [trace_domain, small] {
        let err = quotient_values_on(engine, &program, &pis, trace_domain, quotient_domain, &evals, alpha).unwrap_err();
        assert!(matches!(err, cherenkov::Error::InvalidArgument(_)), "{err}");
    }
}
backend_tests!(quotient_equals_p3_uni_stark);

/// `cherenkov::stark::prove` gives `p3_uni_stark::prove`'s proof byte for byte (same
/// configuration, with proof-of-work before zeta and in FRI), and the stock verifier with the
/// stock twin accepts it. Ours runs on the test's rayon pool: its searches return the smallest
/// witness on any schedule; stock finds that one on one thread only (see common::one_thread).
macro_rules! prove_with_program {
    ($engine:expr, $field:ty, $constants:expr, $fri:expr, $air:expr, $trace:expr, $pis:expr) => {{
        let config = config::on::<$field>($constants.clone(), $engine.clone(), $fri).with_ood_proof_of_work_bits(3);
        let (trace, pis): (RowMajorMatrix<$field>, Vec<$field>) = ($trace, $pis);
        let ours = cherenkov::stark::prove_on($engine, &config, &$air, trace.clone(), &pis).unwrap();
        let stock_proof = common::one_thread(|| prove(&config, &$air, trace, &pis).unwrap());
        let (a, b) = (serde_json::to_vec(&ours).unwrap(), serde_json::to_vec(&stock_proof).unwrap());
        assert!(a == b, "cherenkov::stark proof differs on {} ({} vs {} bytes)", $engine.name(), a.len(), b.len());
        let stock_config = config::stock::<$field>($constants.clone(), $fri).with_ood_proof_of_work_bits(3);
        verify(&stock_config, &$air, &proof::to_stock(ours), &pis).unwrap();
    }};
}

fn stark_prover_proofs(engine: &Engine, _seed: u64) {
    let (bb, kb) = (Poseidon2Constants::babybear_default_16(), Poseidon2Constants::koalabear_default_16());
    let (t, pis) = fibonacci::<BabyBear>(6);
    prove_with_program!(engine, BabyBear, bb, FRI, Fibonacci, t, pis);
    let (t, pis) = fibonacci::<KoalaBear>(5);
    prove_with_program!(engine, KoalaBear, kb, FRI, Fibonacci, t, pis);
    // Grinding at every site FRI has, too.
    let fri = FriSettings { log_blowup: 2, batch_proof_of_work_bits: 2, commit_proof_of_work_bits: 3, ..FRI };
    let (t, pis) = all_ops_trace::<BabyBear>(5, 3);
    prove_with_program!(engine, BabyBear, bb, fri, AllOps, t, pis);
    let (t, pis) = all_ops_trace::<KoalaBear>(3, 11);
    prove_with_program!(engine, KoalaBear, kb, fri, AllOps, t, pis);
    let air = p3_keccak_air::KeccakAir {};
    let t = air.generate_random_trace_rows::<BabyBear>(2, FRI.log_blowup);
    prove_with_program!(engine, BabyBear, bb, FRI, air, t, Vec::new());
}
backend_tests!(stark_prover_proofs);

/// A wrong trace gives a proof the stock verifier rejects, as a stock proof of it would be; a
/// wrong number of public values is an error, not a proof.
#[test]
fn stark_prover_wrong_inputs() {
    let bb = Poseidon2Constants::babybear_default_16();
    let config = config::on::<BabyBear>(bb.clone(), Engine::Cpu, FRI);
    let (mut t, pis) = fibonacci::<BabyBear>(5);
    t.values[9] += BabyBear::ONE;
    let proof = cherenkov::stark::prove(&config, &Fibonacci, t.clone(), &pis).unwrap();
    assert!(verify(&config, &Fibonacci, &proof, &pis).is_err());
    let result = cherenkov::stark::prove(&config, &Fibonacci, t, &pis[..2]);
    assert!(matches!(result, Err(cherenkov::Error::LengthMismatch { .. })), "{:?}", result.err());
}

/// With cherenkov's configuration on a device the quotient reads the trace's LDE where the
/// commit left it and the openings run there: what goes up stays within the device budget
/// (1.05 × the trace + 1 MiB), what comes down within 2 × the proof + 1 MiB, where the same
/// prover over the stock PCS (LDE on the host) uploads the evaluations again.
#[test]
fn stark_prover_reads_the_committed_lde_in_place() {
    let bb = Poseidon2Constants::babybear_default_16();
    let engine = Engine::emu(Default::default());
    let air = p3_keccak_air::KeccakAir {};
    let trace = air.generate_random_trace_rows::<BabyBear>(2, FRI.log_blowup);
    let trace_bytes = (trace.values.len() * 4) as u64;
    let uploads = |config: &dyn Fn() -> Vec<u8>| {
        engine.reset_stats();
        let proof = config();
        let stats = engine.stats();
        (proof, stats.bytes_to_device, stats.bytes_to_host)
    };
    let ours = config::on::<BabyBear>(bb.clone(), engine.clone(), FRI);
    let (a, in_place, down) = uploads(&|| {
        let p = cherenkov::stark::prove_on(&engine, &ours, &air, trace.clone(), &[]).unwrap();
        serde_json::to_vec(&p).unwrap()
    });
    let stock_pcs = config::stock::<BabyBear>(bb.clone(), FRI);
    let (b, uploaded, _) = uploads(&|| {
        let p =
            common::one_thread(|| cherenkov::stark::prove_on(&engine, &stock_pcs, &air, trace.clone(), &[]).unwrap());
        serde_json::to_vec(&p).unwrap()
    });
    assert!(a == b, "the two proofs differ");
    assert!(ours.pcs().mmcs().last_device_error().is_none());
    // Only the prover's trace commit keeps its LDE on the device; `Pcs::commit` (what
    // p3-uni-stark's prover calls) gives it back to the pool.
    let domain = p3_field::coset::TwoAdicMultiplicativeCoset::new(BabyBear::ONE, 6).unwrap();
    let (_, plain) = <_ as p3_commit::Pcs<Challenge<BabyBear>, config::Challenger<BabyBear>>>::commit(
        ours.pcs(),
        [(domain, trace.clone())],
    )
    .unwrap();
    assert!(plain.device_leaves().is_none());
    let (_, kept) = ours.pcs().commit_kept_on_device([(domain, trace.clone())]).unwrap();
    assert_eq!(kept.device_leaves().map(|l| l.bytes()), Some(2 * trace_bytes as usize));
    let (up_budget, down_budget) = cherenkov::prove::device_budget(trace_bytes as usize, a.len());
    assert!(in_place <= up_budget, "{in_place} B up for a {trace_bytes} B trace");
    // The trace's LDE (2 × the trace) never comes back: only opened values, compressed rows,
    // opened rows and the small trees.
    assert!(down <= down_budget && down < trace_bytes, "{down} B down for a {} B proof", a.len());
    // The evaluations over the 2^7-point quotient domain (2 × the 2^6-row trace) went up.
    assert!(uploaded >= 2 * trace_bytes, "{uploaded} B up for a {trace_bytes} B trace");
}

/// `stark::device_bytes` is what a proof needs: on an emulated device with exactly that much
/// memory the proof runs there in full (no device failure recovered on the cpu); one byte less
/// and `prove_on` returns `OutOfMemory` before moving or launching anything.
#[test]
fn stark_prover_device_memory() {
    let bb = Poseidon2Constants::babybear_default_16();
    let air = p3_keccak_air::KeccakAir {};
    let trace = air.generate_random_trace_rows::<BabyBear>(2, FRI.log_blowup);
    let program = cherenkov::stark::ConstraintProgram::<BabyBear>::compile(&air).unwrap();
    let probe = Engine::emu(Default::default());
    let need = cherenkov::stark::device_bytes(&probe, &air, &program, trace.height(), FRI.log_blowup).unwrap();
    assert_eq!(cherenkov::stark::device_bytes(&Engine::Cpu, &air, &program, trace.height(), 1).unwrap(), 0);
    let lde_bytes = (trace.values.len() * 4) << FRI.log_blowup;
    assert!(need > lde_bytes && need < 4 * lde_bytes, "{need} B for a {lde_bytes} B LDE");
    let stock_proof = {
        let config = config::stock::<BabyBear>(bb.clone(), FRI);
        serde_json::to_vec(&common::one_thread(|| prove(&config, &air, trace.clone(), &[]).unwrap())).unwrap()
    };

    let device = |memory_bytes| Engine::emu(cherenkov::backend::EmuConfig { memory_bytes, ..Default::default() });
    let engine = device(need);
    let config = config::on::<BabyBear>(bb.clone(), engine.clone(), FRI);
    let proof = common::one_thread(|| cherenkov::stark::prove_on(&engine, &config, &air, trace.clone(), &[]));
    assert!(serde_json::to_vec(&proof.unwrap()).unwrap() == stock_proof);
    assert_eq!(config.pcs().mmcs().last_device_error(), None);

    let engine = device(need - 1);
    let config = config::on::<BabyBear>(bb.clone(), engine.clone(), FRI);
    let result = cherenkov::stark::prove_on(&engine, &config, &air, trace.clone(), &[]);
    assert!(matches!(result, Err(cherenkov::Error::OutOfMemory { bytes, .. }) if bytes == need), "{:?}", result.err());
    let stats = engine.stats();
    assert_eq!((stats.bytes_to_device, stats.launches, stats.allocations), (0, 0, 0), "{stats}");
}
