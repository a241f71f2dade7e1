//! SP1 v6's jagged PCS (`JaggedProver` over the stacked Basefold PCS, SP1's inner PCS) with
//! cherenkov's tensor commitments ([`cherenkov_sp1_v6::InnerPcsProver`]): commitments and proofs
//! byte-identical to slop's own prover's (`Poseidon2KoalaBear16Prover`) on cpu, emu and cuda,
//! built through `DefaultJaggedProver` (as SP1's shard prover builds it) and through
//! [`cherenkov_sp1_v6::jagged_prover`]; the stock verifier accepts them and rejects a proof or a
//! commitment that was tampered with. Proofs are made on one rayon thread (`cases::one_thread`:
//! SP1's grinding keeps whichever witness a thread finds first).

#[path = "common/cases.rs"]
mod cases;

use cherenkov::Engine;
use cherenkov_sp1_v6::{jagged_prover, InnerPcsProver, KoalaBear};
use rand08::rngs::StdRng;
use rand08::SeedableRng;
use slop_algebra::AbstractField;
use slop_koala_bear::KoalaBearDegree4Duplex;
use slop_merkle_tree::Poseidon2KoalaBear16Prover;
use slop_stacked::StackedPcsProver;

type SlopPcsProver = StackedPcsProver<Poseidon2KoalaBear16Prover, KoalaBearDegree4Duplex>;

fn case() -> cases::JaggedCase {
    cases::JaggedCase::new(&mut StdRng::seed_from_u64(cherenkov::check::seed_from_env()))
}

fn equal_to_slop(engine: Engine) {
    let case = case();
    let (want_commitments, want) = cases::one_thread(|| case.prove::<SlopPcsProver>());
    assert!(case.verify(&want_commitments, &want), "slop's own proof verifies");
    let want_bytes = bincode::serialize(&want).unwrap();
    let name = engine.name();
    let (commitments, proof) = cases::one_thread(|| case.prove_with(&jagged_prover(case.verifier(), engine)));
    assert_eq!(commitments, want_commitments, "{name}: commitments");
    assert!(bincode::serialize(&proof).unwrap() == want_bytes, "{name}: the proof differs from slop's");
    assert!(case.verify(&commitments, &proof), "{name}: the stock verifier rejects the proof");

    let mut tampered = proof.clone();
    tampered.expected_eval += cases::EF::one();
    assert!(!case.verify(&commitments, &tampered), "{name}: a tampered evaluation is accepted");
    let mut wrong = commitments.clone();
    wrong[1][3] += KoalaBear::one();
    assert!(!case.verify(&wrong, &proof), "{name}: a tampered commitment is accepted");
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

/// SP1's shard prover builds its PCS prover with `JaggedProver::from_verifier`, the Merkle prover
/// from `Default` (`CHERENKOV_BACKEND`, the best available when unset).
#[test]
fn default_jagged_prover_equals_slop() {
    let case = case();
    let (want_commitments, want) = cases::one_thread(|| case.prove::<SlopPcsProver>());
    let (commitments, proof) = cases::one_thread(|| case.prove::<InnerPcsProver>());
    assert_eq!(commitments, want_commitments);
    assert!(bincode::serialize(&proof).unwrap() == bincode::serialize(&want).unwrap());
}
