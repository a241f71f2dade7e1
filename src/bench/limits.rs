//! What a bench or a check may be asked for: every setting checked before any work starts, and
//! the host memory a run needs compared with what the machine has, so that a typo like
//! `--g1 99` is a clear error instead of a 1 TiB allocation.

use super::profile::ProfileCases;
use super::{MerkleBench, MsmBench, NttBench};
use crate::error::{Error, Result};
use crate::field::Bn254Fr;
use crate::mem::Size;
use crate::ntt::NttField;

/// log2 sizes `cherenkov check --sizes` accepts (NTT heights are further capped by each field's
/// two-adicity, as the help says).
pub const CHECK_MAX_LOG: u32 = 26;
/// log2 point counts the MSM bench accepts.
pub const MSM_MAX_LOG: u32 = 26;
/// log2 rows of a Merkle bench matrix and of the permutation case.
pub const MERKLE_MAX_LOG: u32 = 26;

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

fn repetitions(reps: usize) -> Result<()> {
    if reps == 0 {
        return Err(invalid("--reps 0: at least one timed repetition per side".into()));
    }
    Ok(())
}

fn log_at_most(flag: &str, log: u32, max: u32) -> Result<()> {
    if log > max {
        return Err(invalid(format!("{flag} {log}: at most {max} (2^{max})")));
    }
    Ok(())
}

/// Host memory this machine can give a run now (`MemAvailable`), if the OS says.
pub fn available_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// An error when `bytes` (a run's estimated peak) exceed the memory available.
pub fn fits_in_memory(what: &str, bytes: usize) -> Result<()> {
    match available_memory() {
        Some(free) if bytes > free => {
            Err(invalid(format!("{what} needs about {} MiB of memory, {} MiB are available", bytes >> 20, free >> 20)))
        }
        _ => Ok(()),
    }
}

impl NttBench {
    /// Every setting checked; the estimated peak host memory of the largest case.
    pub fn validate(&self) -> Result<usize> {
        repetitions(self.repetitions)?;
        let mut peak = 0usize;
        for s in &self.shapes {
            // The shape parser caps the height at 2^27; the LDE adds one bit.
            log_at_most("--shapes height", s.log_height + 1, <crate::field::BabyBear as NttField>::TWO_ADICITY as u32)?;
            // Input, a copy per side, the LDE's doubled output, Plonky3's scratch: ~6 inputs.
            let bytes = Size::of(s.width, "--shapes").times(1 << s.log_height).times(4 * 6).get()?;
            peak = peak.max(bytes);
        }
        for &log_n in &self.bn254_log_sizes {
            log_at_most("--bn254", log_n, Bn254Fr::TWO_ADICITY as u32)?;
            peak = peak.max(Size::of(1 << log_n, "--bn254").times(32 * 4).get()?);
        }
        Ok(peak)
    }
}

impl MerkleBench {
    /// Every setting checked; the estimated peak host memory of the largest case.
    pub fn validate(&self) -> Result<usize> {
        repetitions(self.repetitions)?;
        let mut peak = 0usize;
        for batch in &self.batches {
            let mut bytes = Size::of(0, "--batches");
            for s in &batch.0 {
                log_at_most("--batches height", s.log_height, MERKLE_MAX_LOG)?;
                // The matrix (twice: a clone per side) and its digest layers (2 × 32 B a row).
                let rows = 1usize << s.log_height;
                bytes = bytes
                    .and(Size::of(s.width, "--batches").times(rows).times(4 * 3))
                    .and(Size::of(rows, "--batches").times(64 * 2));
            }
            peak = peak.max(bytes.get()?);
        }
        if let Some(log) = self.log_perms {
            log_at_most("--log-perms", log, MERKLE_MAX_LOG)?;
            peak = peak.max(Size::of(16 << log, "--log-perms").times(4 * 3).get()?);
        }
        Ok(peak)
    }
}

impl MsmBench {
    /// Every setting checked; the estimated peak host memory of the largest case.
    pub fn validate(&self) -> Result<usize> {
        repetitions(self.repetitions)?;
        let mut peak = 0usize;
        for (flag, sizes, point_bytes) in [("--g1", &self.g1_log_sizes, 64usize), ("--g2", &self.g2_log_sizes, 128)] {
            for &log_n in sizes {
                log_at_most(flag, log_n, MSM_MAX_LOG)?;
                // Points (affine and projective while generating), scalars, the cpu's digits
                // and converted bases.
                peak = peak.max(Size::of(1 << log_n, flag).times(point_bytes * 4 + 32 + 64 + 80).get()?);
            }
        }
        Ok(peak)
    }
}

/// `cherenkov check --sizes`: each log2 size at most [`CHECK_MAX_LOG`].
pub fn check_sizes(log_sizes: &[u32]) -> Result<()> {
    for &l in log_sizes {
        log_at_most("--sizes", l, CHECK_MAX_LOG)?;
    }
    Ok(())
}

impl ProfileCases {
    /// Every case checked: the profiled emulator records every access of every thread, so
    /// sizes stay where that takes minutes (2^20 x 64 is about the largest useful NTT); the
    /// estimated peak host memory of the largest case.
    pub fn validate(&self) -> Result<usize> {
        if self.is_empty() {
            return Err(invalid("nothing to profile".into()));
        }
        let mut peak = 0usize;
        for (flag, shapes) in [("--shapes", &self.ntt), ("--trees", &self.trees)] {
            for s in shapes {
                log_at_most(flag, s.log_height, 22)?;
                let elements = Size::of(s.width, flag).times(1 << s.log_height);
                log_at_most(&format!("{flag} elements (log2)"), elements.get()?.ilog2(), 26)?;
                // Input, the device copy, the LDE's doubled output, the download.
                peak = peak.max(elements.times(4 * 6).get()?);
            }
        }
        if let Some(l) = self.log_perms {
            log_at_most("--log-perms", l, 22)?;
        }
        for &l in &self.bn254 {
            log_at_most("--bn254", l, 18)?;
        }
        for &l in &self.g1 {
            log_at_most("--g1", l, 16)?;
        }
        for &l in &self.g2 {
            log_at_most("--g2", l, 14)?;
        }
        for &l in &self.stark {
            log_at_most("--stark", l, 12)?;
        }
        for &l in &self.stark_proof {
            // One Keccak-f permutation is 24 rows: 2^5 is the smallest trace.
            if l < 5 {
                return Err(Error::InvalidArgument(format!(
                    "--stark-proof {l}: the Keccak-f trace has 2^5 rows or more"
                )));
            }
            log_at_most("--stark-proof", l, 12)?;
        }
        Ok(peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::Shape;

    #[test]
    fn settings_are_checked_before_work() {
        assert!(NttBench::default().validate().is_ok());
        assert!(MerkleBench::default().validate().is_ok());
        assert!(MsmBench::default().validate().is_ok());
        let no_reps = NttBench { repetitions: 0, ..NttBench::default() };
        assert!(matches!(no_reps.validate(), Err(Error::InvalidArgument(m)) if m.contains("--reps")));
        let huge = MsmBench { g1_log_sizes: vec![99], ..MsmBench::default() };
        assert!(matches!(huge.validate(), Err(Error::InvalidArgument(m)) if m.contains("--g1 99")));
        let tall = NttBench { shapes: vec![Shape { log_height: 27, width: 1 }], ..NttBench::default() };
        assert!(tall.validate().is_err(), "an LDE of 2^27 rows needs 2^28");
        let bn = NttBench { bn254_log_sizes: vec![29], ..NttBench::default() };
        assert!(bn.validate().is_err());
        let perms = MerkleBench { log_perms: Some(40), ..MerkleBench::default() };
        assert!(perms.validate().is_err());
        assert!(check_sizes(&[0, 26]).is_ok() && check_sizes(&[99]).is_err());
        assert!(fits_in_memory("a test", usize::MAX).is_err() || available_memory().is_none());
        assert!(fits_in_memory("a test", 1).is_ok());
        for (log, ok) in [(4, false), (5, true), (12, true), (13, false)] {
            let cases = ProfileCases { stark_proof: vec![log], ..ProfileCases::default() };
            assert_eq!(cases.validate().is_ok(), ok, "--stark-proof {log}");
        }
    }
}
