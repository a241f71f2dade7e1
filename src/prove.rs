//! What `cherenkov prove` runs: real STARK proofs of Plonky3's Keccak-f AIR (BabyBear,
//! Poseidon2-16 FRI, p3-uni-stark 0.8) with the stock configuration, and with
//! [`crate::plonky3::config`] on a backend by either prover: `p3_uni_stark::prove` ("stock")
//! or [`crate::stark::prove_on`] ("cherenkov"). Every proof is checked by the *stock* verifier;
//! on a device each run's [`DeviceStats`] are kept.
//! Proof bytes equal the stock proof's whenever proof-of-work grinding is reproducible: with 0
//! grinding bits, or on one thread (Plonky3 searches witnesses with a parallel `find_any`, so
//! with several threads two stock proofs of one trace can differ too).

use std::time::{Duration, Instant};

use p3_keccak_air::KeccakAir;
use p3_matrix::dense::RowMajorMatrix;
use p3_uni_stark::{prove, verify, Proof};

use crate::backend::{DeviceStats, Engine};
use crate::error::{Error, Result};
use crate::field::BabyBear;
use crate::plonky3::config::{self, FriSettings, StockConfig};
use crate::poseidon2::Poseidon2Constants;

/// Rows of one Keccak-f permutation in the AIR.
pub const ROWS_PER_HASH: usize = 24;

/// One proof: who made it, how long proving and stock verification took, its bytes, and on a
/// device what proving moved and launched.
#[derive(Debug, Clone)]
pub struct ProveRun {
    pub prover: String,
    pub prove: Duration,
    pub verify: Duration,
    pub proof: Vec<u8>,
    pub device: Option<DeviceStats>,
}

/// Which prover runs over cherenkov's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prover {
    /// `p3_uni_stark::prove`: Plonky3's prover, cherenkov's PCS.
    Stock,
    /// [`crate::stark::prove_on`]: the quotient on the engine too.
    Cherenkov,
}

impl Prover {
    pub fn name(self) -> &'static str {
        match self {
            Self::Stock => "p3-uni-stark",
            Self::Cherenkov => "cherenkov::stark",
        }
    }
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

/// Times `prove` on `engine` (counting its device traffic there), then serializes its proof
/// (untimed) and has the stock verifier check it.
fn run<P: serde::Serialize, E: std::fmt::Debug>(
    prover: String,
    engine: &Engine,
    fri: FriSettings,
    prove: impl FnOnce() -> std::result::Result<P, E>,
) -> Result<ProveRun> {
    engine.reset_stats();
    let t0 = Instant::now();
    let proof = prove().map_err(|e| Error::Verification(format!("prover: {e:?}")))?;
    let prove_time = t0.elapsed();
    let device = matches!(engine, Engine::Gpu(_)).then(|| engine.stats());
    let proof =
        serde_json::to_vec(&proof).map_err(|e| Error::Verification(format!("proof does not serialize: {e}")))?;
    let verify_time = stock_verify(&proof, fri)?;
    Ok(ProveRun { prover, prove: prove_time, verify: verify_time, proof, device })
}

/// Proves `trace` with the stock configuration (`Radix2DitParallel` + `MerkleTreeMmcs`).
pub fn stock(trace: RowMajorMatrix<BabyBear>, fri: FriSettings) -> Result<ProveRun> {
    let config = stock_config(fri);
    run("Plonky3 stock".into(), &Engine::Cpu, fri, || prove(&config, &KeccakAir {}, trace, &[]))
}

/// Proves `trace` with cherenkov's configuration on `engine` by `prover`; the stock verifier
/// checks it.
pub fn cherenkov(
    engine: &Engine,
    prover: Prover,
    trace: RowMajorMatrix<BabyBear>,
    fri: FriSettings,
) -> Result<ProveRun> {
    let config = config::on(Poseidon2Constants::babybear_default_16(), engine.clone(), fri);
    let name = format!("{} on cherenkov {}", prover.name(), engine.name());
    match prover {
        Prover::Stock => run(name, engine, fri, || prove(&config, &KeccakAir {}, trace, &[])),
        Prover::Cherenkov => {
            run(name, engine, fri, || crate::stark::prove_on(engine, &config, &KeccakAir {}, trace, &[]))
        }
    }
}

/// The device budget of a proof (issue 18's): at most 1.05 × the trace's bytes + 1 MiB to the
/// device, at most 2 × the serialized proof + 1 MiB back.
pub fn device_budget(trace_bytes: usize, proof_bytes: usize) -> (u64, u64) {
    const MIB: u64 = 1 << 20;
    (trace_bytes as u64 + trace_bytes as u64 / 20 + MIB, 2 * proof_bytes as u64 + MIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_keccak_proof_is_identical_and_verifies() {
        let fri = FriSettings { num_queries: 8, query_proof_of_work_bits: 2, ..FriSettings::default() };
        let trace = keccak_trace(5, &fri).unwrap();
        // Stock grinding (2 bits) is reproducible only on one thread: Plonky3 searches witnesses
        // with a parallel `find_any`. Cherenkov's PCS returns the smallest witness, the one a
        // one-thread search finds, on any pool (plonky3::grind).
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let s = one.install(|| stock(trace.clone(), fri)).unwrap();
        for engine in [Engine::Cpu, Engine::emu(Default::default())] {
            for prover in [Prover::Stock, Prover::Cherenkov] {
                let c = cherenkov(&engine, prover, trace.clone(), fri).unwrap();
                assert!(c.proof == s.proof, "{}", c.prover);
                assert_eq!(c.device.is_some(), matches!(engine, Engine::Gpu(_)));
            }
        }
        assert!(keccak_trace(4, &fri).is_err());
        let mut bad = s.proof.clone();
        let at = bad.len() / 2;
        bad[at] = if bad[at] == b'1' { b'2' } else { b'1' };
        assert!(stock_verify(&bad, fri).is_err());
    }
}
