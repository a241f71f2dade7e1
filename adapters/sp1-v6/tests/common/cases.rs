//! The cases `tests/patch.rs` runs twice: in this workspace against stock `slop-dft`, and in
//! the patch workspace's demo (`patch/demo`, which includes this file) against cherenkov's
//! patched `slop-dft`. Every outcome is bytes (bincode), so the two runs compare exactly.
//!
//! - DFTs through `slop_dft::p3::Radix2DitParallel`, the type slop-basefold-prover's encoder
//!   holds: KoalaBear matrices of 1 to 2^10 rows, blowups 1 to 4, natural and bit-reversed rows,
//!   shift 1 and the generator;
//! - SP1 v6's jagged PCS (`JaggedProver` over `StackedPcsProver`, Basefold, FRI) committing two
//!   rounds of padded multilinears and proving their evaluations, once with slop's
//!   `Poseidon2KoalaBear16Prover` and once with [`cherenkov_sp1_v6::InnerPcsProver`]; each
//!   outcome holds the commitments, the proof and the stock verifier's verdict.

// Each includer uses a part: tests/pcs.rs the proving, tests/patch.rs and the demo `run`.
#![allow(dead_code)]

use std::sync::Arc;

use rand08::rngs::StdRng;
use rand08::{Rng, SeedableRng};
use slop_algebra::AbstractField;
use slop_basefold::FriConfig;
use slop_challenger::{CanObserve, IopCtx};
use slop_commit::Rounds;
use slop_dft::p3::Radix2DitParallel;
use slop_dft::{Dft, DftOrdering};
use slop_jagged::{DefaultJaggedProver, JaggedPcsProof, JaggedPcsVerifier, JaggedProver};
use slop_koala_bear::{KoalaBear, KoalaBearDegree4Duplex};
use slop_merkle_tree::Poseidon2KoalaBear16Prover;
use slop_multilinear::{Evaluations, Mle, MleEval, MultilinearPcsProver, PaddedMle, Point};
use slop_stacked::{StackedBasefoldProof, StackedPcsProver, StackedPcsVerifier};
use slop_tensor::Tensor;

type GC = KoalaBearDegree4Duplex;
pub type EF = <GC as IopCtx>::EF;
pub type Digest = <GC as IopCtx>::Digest;
pub type Proof = JaggedPcsProof<GC, StackedBasefoldProof<GC>>;

/// A case's name and its outcome, serialized.
pub type Outcome = (String, Vec<u8>);

/// Runs `f` on a one-thread rayon pool. SP1 v6's proof-of-work grinding (slop-challenger's
/// `DuplexChallenger::grind`, inside every Basefold proof) is a parallel `find_any` that keeps
/// whichever witness a thread finds first; on one thread it keeps the smallest, so proofs made
/// there compare byte for byte (on more, two stock proofs can differ when the machine is busy).
pub fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool").install(f)
}

pub fn run(seed: u64) -> Vec<Outcome> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = dfts(&mut rng);
    let case = JaggedCase::new(&mut rng);
    for (name, outcome) in [
        (
            "jagged pcs, slop's Poseidon2KoalaBear16Prover",
            case.outcome::<StackedPcsProver<Poseidon2KoalaBear16Prover, GC>>(),
        ),
        ("jagged pcs, cherenkov_sp1_v6::InnerPcsProver", case.outcome::<cherenkov_sp1_v6::InnerPcsProver>()),
    ] {
        out.push((name.to_string(), outcome));
    }
    out
}

fn tensor(rng: &mut StdRng, height: usize, width: usize) -> Tensor<KoalaBear> {
    let edges = [KoalaBear::zero(), KoalaBear::one(), -KoalaBear::one()];
    let v: Vec<KoalaBear> = (0..height * width)
        .map(|i| if i < 3 { edges[i] } else { KoalaBear::from_canonical_u32(rng.gen_range(0..0x7f00_0001)) })
        .collect();
    Tensor::from(v).reshape([height, width])
}

fn dfts(rng: &mut StdRng) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (height, width) in [(1, 1), (2, 5), (16, 3), (1024, 17)] {
        let src = tensor(rng, height, width);
        for log_blowup in 0..=2 {
            for ordering in [DftOrdering::Normal, DftOrdering::BitReversed] {
                for shift in [KoalaBear::one(), KoalaBear::generator()] {
                    let got = Radix2DitParallel.coset_dft(&src, shift, log_blowup, ordering, 0).expect("infallible");
                    let name = format!("dft {height} x {width}, blowup 2^{log_blowup}, {ordering:?}, shift {shift}");
                    out.push((name, bincode::serialize(&(got.sizes().to_vec(), got.as_slice())).expect("serializes")));
                }
            }
        }
    }
    out
}

/// Two commit rounds of padded multilinears (SP1's shape of a shard: tables of different heights,
/// an empty one, wide and narrow ones) and a random evaluation point.
pub struct JaggedCase {
    verifier: JaggedPcsVerifier<GC, StackedPcsVerifier<GC>>,
    rounds: Rounds<Vec<PaddedMle<KoalaBear>>>,
    point: Point<EF>,
}

/// Tables per round as (log2 rows, columns); 0 rows is an empty table.
pub type Shapes<'a> = &'a [&'a [(u32, usize)]];

impl JaggedCase {
    /// The test case: tables of 2^3 to 2^10 rows, one empty, 1 to 512 columns; stacking height
    /// 2^11.
    pub fn new(rng: &mut StdRng) -> Self {
        Self::with_shapes(rng, &[&[(10, 128), (0, 45), (10, 32), (7, 9)], &[(8, 512), (3, 1)]], 11, 10)
    }

    /// Random tables of `shapes`, a PCS of stacking height 2^`log_stacking_height` for tables of
    /// up to 2^`max_log_row_count` rows, FRI with slop's default parameters.
    pub fn with_shapes(rng: &mut StdRng, shapes: Shapes, log_stacking_height: u32, max_log_row_count: u32) -> Self {
        let rounds = shapes
            .iter()
            .map(|round| {
                round
                    .iter()
                    .map(|&(log_rows, columns)| {
                        if log_rows == 0 {
                            PaddedMle::zeros(columns, max_log_row_count)
                        } else {
                            PaddedMle::padded_with_zeros(Arc::new(Mle::rand(rng, columns, log_rows)), max_log_row_count)
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Rounds<_>>();
        let verifier = JaggedPcsVerifier::new_from_basefold_params(
            FriConfig::default_fri_config(),
            log_stacking_height,
            max_log_row_count as usize,
            shapes.len(),
        );
        let point = (0..max_log_row_count).map(|_| rng.gen::<EF>()).collect::<Point<_>>();
        Self { verifier, rounds, point }
    }

    fn claims(&self) -> Rounds<Evaluations<EF>> {
        self.rounds
            .iter()
            .map(|round| round.iter().map(|mle| mle.eval_at(&self.point)).collect::<Evaluations<_>>())
            .collect()
    }

    pub fn verifier(&self) -> &JaggedPcsVerifier<GC, StackedPcsVerifier<GC>> {
        &self.verifier
    }

    /// Commits every round and proves the evaluations with `P`, built the way SP1's shard prover
    /// builds it: from the verifier, the Merkle prover from `Default`.
    pub fn prove<P>(&self) -> (Vec<Digest>, Proof)
    where
        P: MultilinearPcsProver<GC, StackedBasefoldProof<GC>> + DefaultJaggedProver<GC, StackedPcsVerifier<GC>>,
    {
        self.prove_with(&JaggedProver::<GC, _, P>::from_verifier(&self.verifier))
    }

    /// Only the commitments of every round, with `prover`.
    pub fn commit_with<P>(&self, prover: &JaggedProver<GC, StackedBasefoldProof<GC>, P>) -> Vec<Digest>
    where
        P: MultilinearPcsProver<GC, StackedBasefoldProof<GC>>,
    {
        self.rounds.iter().map(|round| prover.commit_multilinears(round.clone()).expect("commits").0).collect()
    }

    /// Commits every round and proves the evaluations with `prover`.
    pub fn prove_with<P>(&self, prover: &JaggedProver<GC, StackedBasefoldProof<GC>, P>) -> (Vec<Digest>, Proof)
    where
        P: MultilinearPcsProver<GC, StackedBasefoldProof<GC>>,
    {
        let mut challenger = self.verifier.challenger();
        let (mut data, mut commitments) = (Rounds::new(), Vec::new());
        for round in self.rounds.iter() {
            let (commitment, round_data) = prover.commit_multilinears(round.clone()).expect("commits");
            challenger.observe(commitment);
            data.push(round_data);
            commitments.push(commitment);
        }
        let proof =
            prover.prove_trusted_evaluations(self.point.clone(), self.claims(), data, &mut challenger).expect("proves");
        (commitments, proof)
    }

    /// The stock verifier's verdict on `proof` for `commitments`.
    pub fn verify(&self, commitments: &[Digest], proof: &Proof) -> bool {
        let mut challenger = self.verifier.challenger();
        for commitment in commitments {
            challenger.observe(*commitment);
        }
        let claims: Vec<MleEval<EF>> = self
            .claims()
            .iter()
            .map(|round| round.iter().flat_map(|evals| evals.iter().cloned()).collect::<MleEval<_>>())
            .collect();
        self.verifier
            .verify_trusted_evaluations(commitments, self.point.clone(), &claims, proof, &mut challenger)
            .is_ok()
    }

    fn outcome<P>(&self) -> Vec<u8>
    where
        P: MultilinearPcsProver<GC, StackedBasefoldProof<GC>> + DefaultJaggedProver<GC, StackedPcsVerifier<GC>>,
    {
        let (commitments, proof) = one_thread(|| self.prove::<P>());
        let verified = self.verify(&commitments, &proof);
        bincode::serialize(&(commitments, proof, verified)).expect("serializes")
    }
}
