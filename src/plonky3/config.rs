//! Ready STARK configurations for p3-uni-stark 0.8 over BabyBear and KoalaBear with cherenkov's
//! [`Dft`] and [`Mmcs`] (and `ExtensionMmcs` over it for the degree-4 challenge field): a prover
//! changes one type alias. Each has a stock twin ([`StockConfig`]: `Radix2DitParallel` +
//! `MerkleTreeMmcs`, same permutation, FRI parameters and challenger); proofs made with either
//! are byte-identical and either verifier accepts them.
//!
//! ```no_run
//! use cherenkov::plonky3::config::{self, FriSettings};
//! # fn main() -> cherenkov::Result<()> {
//! let config = config::babybear(cherenkov::Backend::Auto, FriSettings::default())?;
//! // p3_uni_stark::prove(&config, &air, trace, &public_values) as with any StarkConfig.
//! # Ok(()) }
//! ```

use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::extension::BinomialExtensionField;
use p3_field::{PrimeField64, TwoAdicField};
use p3_fri::{FriParameters, TwoAdicFriPcs};
use p3_uni_stark::StarkConfig;

use super::{Dft, FusedPcs, Mmcs, StockMmcs};
use crate::backend::{Backend, Engine};
use crate::error::{Error, Result};
use crate::field::{BabyBear, KoalaBear};
use crate::ntt::NttField;
use crate::poseidon2::{CpuPermutation, Poseidon2Constants, Poseidon2Hasher};

/// The challenge field: the degree-4 binomial extension.
pub type Challenge<F> = BinomialExtensionField<F, 4>;
/// The transcript: Plonky3's duplex sponge over the same Poseidon2-16.
pub type Challenger<F> = DuplexChallenger<F, CpuPermutation<F, 16>, 16, 8>;
pub type ChallengeMmcs<F> = ExtensionMmcs<F, Challenge<F>, Mmcs<F>>;
/// Plonky3's `TwoAdicFriPcs` over cherenkov's `Dft` and `Mmcs`, commits fused (LDE hashed where it
/// lies): [`FusedPcs`].
pub type Pcs<F> = FusedPcs<F>;
/// cherenkov's configuration.
pub type Config<F> = StarkConfig<Pcs<F>, Challenge<F>, Challenger<F>>;
pub type BabyBearConfig = Config<BabyBear>;
pub type KoalaBearConfig = Config<KoalaBear>;

pub type StockPcs<F> =
    TwoAdicFriPcs<F, Radix2DitParallel<F>, StockMmcs<F>, ExtensionMmcs<F, Challenge<F>, StockMmcs<F>>>;
/// The stock twin of [`Config`].
pub type StockConfig<F> = StarkConfig<StockPcs<F>, Challenge<F>, Challenger<F>>;

/// Plonky3's `FriParameters` without the MMCS. `Default` is `FriParameters::new_benchmark`'s
/// values (blowup 2, 100 queries, 16 bits of query grinding). [`FriSettings::check`] says
/// whether the values are ones p3-fri can run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriSettings {
    /// log2 of the blowup: each committed polynomial is evaluated on a domain 2^log_blowup
    /// times its degree (≥ 1; the quotient of a degree-d AIR needs ≥ log2(d − 1)).
    pub log_blowup: usize,
    /// log2 of the length of the final polynomial FRI sends in the clear (0: a constant).
    pub log_final_poly_len: usize,
    /// log2 of the largest folding arity per FRI round (1: fold by 2 each round).
    pub max_log_arity: usize,
    /// Query repetitions (≥ 1); with the blowup they set the soundness: about
    /// `log_blowup · num_queries + query_proof_of_work_bits` bits (p3-fri's `conjectured_soundness_bits`).
    pub num_queries: usize,
    /// Proof-of-work bits before the batching challenge (0: none).
    pub batch_proof_of_work_bits: usize,
    /// Proof-of-work bits before each folding challenge (0: none).
    pub commit_proof_of_work_bits: usize,
    /// Proof-of-work bits before the query indices are drawn (grinding; each bit doubles the
    /// prover's search). Every proof-of-work count must keep 2^bits below the field's order.
    pub query_proof_of_work_bits: usize,
}

impl Default for FriSettings {
    fn default() -> Self {
        Self {
            log_blowup: 1,
            log_final_poly_len: 0,
            max_log_arity: 1,
            num_queries: 100,
            batch_proof_of_work_bits: 0,
            commit_proof_of_work_bits: 0,
            query_proof_of_work_bits: 16,
        }
    }
}

impl FriSettings {
    /// An error naming the first value p3-fri would panic on or could not prove with: no
    /// queries, a blowup or arity of 0, or proof-of-work bits with 2^bits ≥ the field's order.
    pub fn check<F: PrimeField64>(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidArgument(msg));
        if self.num_queries == 0 {
            return bad("FRI needs at least one query (num_queries = 0)".into());
        }
        if self.log_blowup == 0 {
            return bad("log_blowup = 0: the quotient needs a blowup of at least 2".into());
        }
        if self.max_log_arity == 0 {
            return bad("max_log_arity = 0: FRI folds by at least 2".into());
        }
        let pow = [
            ("batch_proof_of_work_bits", self.batch_proof_of_work_bits),
            ("commit_proof_of_work_bits", self.commit_proof_of_work_bits),
            ("query_proof_of_work_bits", self.query_proof_of_work_bits),
        ];
        for (name, bits) in pow {
            if bits >= 64 || (1u64 << bits) >= F::ORDER_U64 {
                let max = F::ORDER_U64.ilog2();
                return bad(format!("{name} = {bits}: at most {max} over a field of order {}", F::ORDER_U64));
            }
        }
        Ok(())
    }

    pub fn parameters<M>(&self, mmcs: M) -> FriParameters<M> {
        FriParameters {
            log_blowup: self.log_blowup,
            log_final_poly_len: self.log_final_poly_len,
            max_log_arity: self.max_log_arity,
            num_queries: self.num_queries,
            batch_proof_of_work_bits: self.batch_proof_of_work_bits,
            commit_proof_of_work_bits: self.commit_proof_of_work_bits,
            query_proof_of_work_bits: self.query_proof_of_work_bits,
            mmcs,
        }
    }
}

/// cherenkov's configuration over `constants` on `engine` (cap height 0, as the stock's).
pub fn on<F>(constants: Poseidon2Constants<F, 16>, engine: Engine, fri: FriSettings) -> Config<F>
where
    F: Poseidon2Hasher + NttField + TwoAdicField,
{
    let mmcs = Mmcs::on(constants.clone(), 0, engine.clone());
    let pcs = FusedPcs::new(Dft::on(engine), mmcs, &fri);
    StarkConfig::new(pcs, DuplexChallenger::new(constants.cpu_permutation()))
}

/// The stock twin of [`on`]: Plonky3's `Radix2DitParallel` and `MerkleTreeMmcs`.
pub fn stock<F>(constants: Poseidon2Constants<F, 16>, fri: FriSettings) -> StockConfig<F>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + Ord,
{
    let mmcs = Mmcs::on(constants.clone(), 0, Engine::Cpu).stock().clone();
    let pcs = TwoAdicFriPcs::new(Radix2DitParallel::default(), mmcs.clone(), fri.parameters(ExtensionMmcs::new(mmcs)));
    StarkConfig::new(pcs, DuplexChallenger::new(constants.cpu_permutation()))
}

/// BabyBear with Plonky3's default Poseidon2-16 on `backend` (`fri` checked first).
pub fn babybear(backend: Backend, fri: FriSettings) -> Result<BabyBearConfig> {
    fri.check::<BabyBear>()?;
    Ok(on(Poseidon2Constants::babybear_default_16(), backend.engine()?, fri))
}

/// KoalaBear with Plonky3's default Poseidon2-16 on `backend` (`fri` checked first).
pub fn koalabear(backend: Backend, fri: FriSettings) -> Result<KoalaBearConfig> {
    fri.check::<KoalaBear>()?;
    Ok(on(Poseidon2Constants::koalabear_default_16(), backend.engine()?, fri))
}
