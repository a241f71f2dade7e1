//! Proofs of cherenkov's configuration and of its stock twin are the same data under two types:
//! `Proof<Config<F>>` and `Proof<StockConfig<F>>` differ only in the MMCS type parameters, whose
//! commitments, proofs and multi-proofs are the same types. [`to_stock`] and [`from_stock`] move
//! the fields across (no copy, no serde), so the stock verifier takes our proof directly:
//!
//! ```no_run
//! # use cherenkov::plonky3::{config::{self, FriSettings}, proof};
//! # use cherenkov::poseidon2::Poseidon2Constants;
//! # fn demo<A>(air: &A, p: p3_uni_stark::Proof<config::BabyBearConfig>) where
//! #   A: p3_air::Air<p3_uni_stark::SymbolicAirBuilder<cherenkov::field::BabyBear>>
//! #     + for<'a> p3_air::Air<p3_uni_stark::VerifierConstraintFolder<'a, config::StockConfig<cherenkov::field::BabyBear>>> {
//! let stock = config::stock(Poseidon2Constants::babybear_default_16(), FriSettings::default());
//! p3_uni_stark::verify(&stock, air, &proof::to_stock(p), &[]).expect("the stock verifier accepts it");
//! # }
//! ```

use p3_field::extension::BinomiallyExtendable;
use p3_field::{PrimeField64, TwoAdicField};
use p3_fri::{BatchMultiOpening, CommitPhaseMultiStep, FriProof};
use p3_uni_stark::Proof;

use super::config::{Config, StockConfig};
use crate::ntt::NttField;
use crate::poseidon2::Poseidon2Hasher;

/// Our proof as the stock configuration's type, for `p3_uni_stark::verify` with
/// [`super::config::stock`].
pub fn to_stock<F>(proof: Proof<Config<F>>) -> Proof<StockConfig<F>>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + PrimeField64 + BinomiallyExtendable<4> + Ord,
{
    Proof {
        commitments: proof.commitments,
        opened_values: proof.opened_values,
        opening_proof: convert_fri(proof.opening_proof),
        degree_bits: proof.degree_bits,
        ood_pow_witness: proof.ood_pow_witness,
    }
}

/// A stock proof as our configuration's type (for `p3_uni_stark::verify` with ours).
pub fn from_stock<F>(proof: Proof<StockConfig<F>>) -> Proof<Config<F>>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + PrimeField64 + BinomiallyExtendable<4> + Ord,
{
    Proof {
        commitments: proof.commitments,
        opened_values: proof.opened_values,
        opening_proof: convert_fri(proof.opening_proof),
        degree_bits: proof.degree_bits,
        ood_pow_witness: proof.ood_pow_witness,
    }
}

/// A FRI proof between two MMCS types with the same commitment, proof and multi-proof types.
fn convert_fri<F, EF, M1, M2, I1, I2>(
    p: FriProof<EF, M1, F, Vec<BatchMultiOpening<F, I1>>>,
) -> FriProof<EF, M2, F, Vec<BatchMultiOpening<F, I2>>>
where
    F: Send + Sync + Clone,
    EF: p3_field::Field,
    M1: p3_commit::Mmcs<EF>,
    M2: p3_commit::Mmcs<EF, Commitment = M1::Commitment, MultiProof = M1::MultiProof>,
    I1: p3_commit::Mmcs<F>,
    I2: p3_commit::Mmcs<F, MultiProof = I1::MultiProof>,
{
    FriProof {
        batch_pow_witness: p.batch_pow_witness,
        commit_phase_commits: p.commit_phase_commits,
        commit_pow_witnesses: p.commit_pow_witnesses,
        input_openings: p
            .input_openings
            .into_iter()
            .map(|o| BatchMultiOpening { opened_values: o.opened_values, opening_proof: o.opening_proof })
            .collect(),
        commit_phase_openings: p
            .commit_phase_openings
            .into_iter()
            .map(|s| CommitPhaseMultiStep { sibling_values: s.sibling_values, opening_proof: s.opening_proof })
            .collect(),
        final_poly: p.final_poly,
        query_pow_witness: p.query_pow_witness,
    }
}
