//! What `cherenkov prove` runs: real STARK proofs of Plonky3's Keccak-f AIR (BabyBear,
//! Poseidon2-16 FRI, p3-uni-stark 0.8) with the stock configuration and with
//! [`crate::plonky3::config`] on a backend. Every proof is checked by the *stock* verifier.
//! Proof bytes equal the stock proof's whenever proof-of-work grinding is reproducible: with 0
//! grinding bits, or on one thread (Plonky3 searches witnesses with a parallel `find_any`, so
//! with several threads two stock proofs of one trace can differ too).

use std::time::{Duration, Instant};

use p3_keccak_air::KeccakAir;
use p3_matrix::dense::RowMajorMatrix;
use p3_uni_stark::{prove, verify, Proof};

use crate::backend::Engine;
use crate::error::{Error, Result};
use crate::field::BabyBear;
use crate::plonky3::config::{self, FriSettings, StockConfig};
use crate::poseidon2::Poseidon2Constants;

/// Rows of one Keccak-f permutation in the AIR.
pub const ROWS_PER_HASH: usize = 24;

/// One proof: who made it, how long proving and stock verification took, its bytes.
#[derive(Debug, Clone)]
pub struct ProveRun {
    pub prover: String,
    pub prove: Duration,
    pub verify: Duration,
    pub proof: Vec<u8>,
}

/// The Keccak-f AIR's trace of 2^log_rows rows: ⌊2^log_rows / 24⌋ permutations of fixed-seed
/// random inputs (at least one), padded.
pub fn keccak_trace(log_rows: u32, fri: &FriSettings) -> Result<RowMajorMatrix<BabyBear>> {
    check_log_rows(log_rows)?;
    let hashes = ((1usize << log_rows) / ROWS_PER_HASH).max(1);
    Ok(KeccakAir {}.generate_random_trace_rows::<BabyBear>(hashes, fri.log_blowup))
}

/// The trace heights the demo proves: 2^5 (one permutation's 24 rows) to 2^22.
pub fn check_log_rows(log_rows: u32) -> Result<()> {
    if !(5..=22).contains(&log_rows) {
        return Err(Error::InvalidArgument(format!("--log-rows {log_rows}: the demo proves 2^5 to 2^22 rows")));
    }
    Ok(())
}

fn stock_config(fri: FriSettings) -> StockConfig<BabyBear> {
    config::stock(Poseidon2Constants::babybear_default_16(), fri)
}

/// Verifies serialized proof bytes with the stock configuration.
fn stock_verify(proof: &[u8], fri: FriSettings) -> Result<Duration> {
    let proof: Proof<StockConfig<BabyBear>> =
        serde_json::from_slice(proof).map_err(|e| Error::Verification(format!("proof does not deserialize: {e}")))?;
    let t0 = Instant::now();
    verify(&stock_config(fri), &KeccakAir {}, &proof, &[])
        .map_err(|e| Error::Verification(format!("stock verifier: {e:?}")))?;
    Ok(t0.elapsed())
}

/// Times `prove`, then serializes its proof (untimed) and has the stock verifier check it.
fn run<P: serde::Serialize, E: std::fmt::Debug>(
    prover: String,
    fri: FriSettings,
    prove: impl FnOnce() -> std::result::Result<P, E>,
) -> Result<ProveRun> {
    let t0 = Instant::now();
    let proof = prove().map_err(|e| Error::Verification(format!("prover: {e:?}")))?;
    let prove_time = t0.elapsed();
    let proof =
        serde_json::to_vec(&proof).map_err(|e| Error::Verification(format!("proof does not serialize: {e}")))?;
    let verify_time = stock_verify(&proof, fri)?;
    Ok(ProveRun { prover, prove: prove_time, verify: verify_time, proof })
}

/// Proves `trace` with the stock configuration (`Radix2DitParallel` + `MerkleTreeMmcs`).
pub fn stock(trace: RowMajorMatrix<BabyBear>, fri: FriSettings) -> Result<ProveRun> {
    let config = stock_config(fri);
    run("Plonky3 stock".into(), fri, || prove(&config, &KeccakAir {}, trace, &[]))
}

/// Proves `trace` with cherenkov's configuration on `engine`; the stock verifier checks it.
pub fn cherenkov(engine: &Engine, trace: RowMajorMatrix<BabyBear>, fri: FriSettings) -> Result<ProveRun> {
    let config = config::on(Poseidon2Constants::babybear_default_16(), engine.clone(), fri);
    run(format!("cherenkov {}", engine.name()), fri, || prove(&config, &KeccakAir {}, trace, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_keccak_proof_is_identical_and_verifies() {
        let fri = FriSettings { num_queries: 8, query_proof_of_work_bits: 2, ..FriSettings::default() };
        let trace = keccak_trace(5, &fri).unwrap();
        // Grinding (2 bits) is reproducible only on one thread: Plonky3 searches witnesses with
        // a parallel `find_any`.
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let s = one.install(|| stock(trace.clone(), fri)).unwrap();
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            let c = one.install(|| cherenkov(&engine, trace.clone(), fri)).unwrap();
            assert!(c.proof == s.proof, "{}", c.prover);
        }
        assert!(keccak_trace(4, &fri).is_err());
        let mut bad = s.proof.clone();
        let at = bad.len() / 2;
        bad[at] = if bad[at] == b'1' { b'2' } else { b'1' };
        assert!(stock_verify(&bad, fri).is_err());
    }
}
