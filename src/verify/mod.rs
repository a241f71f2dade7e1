//! Self-checking device results: with a [`SelfCheck`] on an engine (`Engine::with_self_check`,
//! or `CHERENKOV_VERIFY=1` for every engine made by `Backend::engine`), every device result is
//! checked on the host, at a small fraction of its cost, before it is returned:
//!
//! - **NTT / LDE** ([`ntt`]): the columns are combined with random coefficients, and the
//!   combined polynomial is evaluated at random points outside the domain from both sides —
//!   Horner on coefficients, the barycentric formula on evaluations — which must agree. A wrong
//!   result passes with probability at most about `width / p + (n / p)^k` (`k` points, chosen so
//!   that the second term is below 2^-30). On the device path the rows are combined as they
//!   cross to and from the device ([`crate::backend::Visit`]: in the transfers' own passes,
//!   while in cache), so the check adds arithmetic, not a pass over memory; the evaluations
//!   run per chunk of rows, across SIMD lanes, in the order the rows are stored.
//! - **Merkle trees** ([`merkle`]): the first, the last and `samples` random leaves are hashed
//!   again from their rows and every node on their paths recomputed from its children. A
//!   corrupted node is caught if it lies on or beside a sampled path (always for the root, the
//!   first and last leaves; for another leaf digest with probability ~ samples / leaves).
//! - **Poseidon2 permutations** (`poseidon2::permute_batch`, `hash_rows`, `compress_pairs`):
//!   the first, the last and `samples` random states recomputed on the host.
//! - **Batched MSMs** ([`msm`]): a random linear combination — Σ ρ_k · out_k must equal the MSM
//!   of Σ ρ_k · scalars_k, one host MSM for the whole batch. A single MSM has no check cheaper
//!   than recomputing it; it is recomputed on the cpu only when [`SelfCheck::single_msm`] is set.
//!
//! A failed check is recorded ([`SelfCheck::last_failure`]) and then, by the engine's policy
//! ([`OnFailure`]), returned as `Error::SelfCheck` or answered by recomputing on the cpu.

pub(crate) mod merkle;
pub(crate) mod msm;
pub(crate) mod ntt;
pub(crate) mod poly;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::error::{Error, Result};

/// What a failed check does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Return `Error::SelfCheck` (adapters then recompute on the cpu, as for any device error).
    Error,
    /// Recompute the operation on the cpu and return that.
    Recompute,
}

/// An engine's self-check: policy, sample sizes, and a record of failures shared by clones.
#[derive(Debug, Clone)]
pub struct SelfCheck {
    pub on_failure: OnFailure,
    /// Random Merkle leaves and Poseidon2 states recomputed per call, on top of the first and
    /// the last.
    pub samples: usize,
    /// Recompute single (unbatched) device MSMs on the cpu to check them: sound, but as costly
    /// as a cpu MSM (there is no cheaper check of one MSM).
    pub single_msm: bool,
    record: Arc<Record>,
}

#[derive(Debug, Default)]
struct Record {
    checks: AtomicU64,
    failures: AtomicU64,
    last: Mutex<Option<String>>,
}

impl SelfCheck {
    /// A self-check with `on_failure`, 32 samples, single MSMs unchecked.
    pub fn new(on_failure: OnFailure) -> Self {
        Self { on_failure, samples: 32, single_msm: false, record: Arc::default() }
    }

    /// `CHERENKOV_VERIFY`: unset, empty or `0` — none; `1` or `error` — [`OnFailure::Error`];
    /// `recompute` — [`OnFailure::Recompute`]. Anything else is a configuration error.
    pub fn from_env() -> Result<Option<Self>> {
        Self::parse(std::env::var("CHERENKOV_VERIFY").ok().as_deref())
    }

    /// [`SelfCheck::from_env`] of a given value.
    pub fn parse(value: Option<&str>) -> Result<Option<Self>> {
        match value.map(str::trim) {
            None | Some("") | Some("0") => Ok(None),
            Some("1") | Some("error") => Ok(Some(Self::new(OnFailure::Error))),
            Some("recompute") => Ok(Some(Self::new(OnFailure::Recompute))),
            Some(other) => Err(Error::Config {
                name: "CHERENKOV_VERIFY".into(),
                reason: format!("`{other}` (expected 0, 1, error or recompute)"),
            }),
        }
    }

    /// Results checked so far (by this check and its clones).
    pub fn checks(&self) -> u64 {
        self.record.checks.load(Ordering::Relaxed)
    }
    /// Checks failed so far.
    pub fn failures(&self) -> u64 {
        self.record.failures.load(Ordering::Relaxed)
    }
    /// What the last failed check saw.
    pub fn last_failure(&self) -> Option<String> {
        self.record.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Checks a device `result` with `check(result, rng, samples)` (`Err(detail)` when wrong);
    /// on a failure records it
    /// and returns `Error::SelfCheck` or `cpu()`'s result, as the policy says.
    pub(crate) fn apply<T>(
        &self,
        operation: &'static str,
        result: T,
        check: impl FnOnce(&T, &mut StdRng, usize) -> std::result::Result<(), String>,
        cpu: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.record.checks.fetch_add(1, Ordering::Relaxed);
        let mut rng = StdRng::seed_from_u64(rand::random());
        let Err(detail) = check(&result, &mut rng, self.samples) else {
            return Ok(result);
        };
        self.record.failures.fetch_add(1, Ordering::Relaxed);
        *self.record.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{operation}: {detail}"));
        match self.on_failure {
            OnFailure::Error => Err(Error::SelfCheck { operation, detail }),
            OnFailure::Recompute => cpu(),
        }
    }
}

impl fmt::Display for SelfCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.on_failure {
            OnFailure::Error => f.write_str("self-checked"),
            OnFailure::Recompute => f.write_str("self-checked, cpu on failure"),
        }
    }
}

/// A device result through `gpu`'s self-check, if it has one: `result` as is otherwise.
pub(crate) fn device_result<T>(
    gpu: &crate::backend::Gpu,
    operation: &'static str,
    result: Result<T>,
    check: impl FnOnce(&T, &mut StdRng, usize) -> std::result::Result<(), String>,
    cpu: impl FnOnce() -> Result<T>,
) -> Result<T> {
    match gpu.self_check() {
        None => result,
        Some(c) => c.apply(operation, result?, check, cpu),
    }
}

/// Indices to recompute out of `len`: the first, the last and `samples` random ones (sorted,
/// distinct).
pub(crate) fn sample(len: usize, samples: usize, rng: &mut StdRng) -> Vec<usize> {
    use rand::RngExt;
    if len == 0 {
        return Vec::new();
    }
    let mut v: Vec<usize> = [0, len - 1].into_iter().chain((0..samples).map(|_| rng.random_range(0..len))).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_and_failures_are_recorded() {
        assert!(SelfCheck::parse(None).unwrap().is_none());
        assert!(SelfCheck::parse(Some("0")).unwrap().is_none());
        assert_eq!(SelfCheck::parse(Some("1")).unwrap().unwrap().on_failure, OnFailure::Error);
        assert_eq!(SelfCheck::parse(Some("recompute")).unwrap().unwrap().on_failure, OnFailure::Recompute);
        assert!(matches!(SelfCheck::parse(Some("yes")), Err(Error::Config { .. })));

        let check = SelfCheck::new(OnFailure::Error);
        let clone = check.clone();
        assert_eq!(check.apply("op", 5, |_, _, _| Ok(()), || Ok(0)).unwrap(), 5);
        let wrong = check.apply("op", 5, |_, _, _| Err("five".into()), || Ok(0));
        assert!(matches!(wrong, Err(Error::SelfCheck { operation: "op", .. })));
        assert_eq!((clone.checks(), clone.failures()), (2, 1));
        assert_eq!(clone.last_failure().as_deref(), Some("op: five"));
        let recompute = SelfCheck { on_failure: OnFailure::Recompute, ..check };
        assert_eq!(recompute.apply("op", 5, |_, _, _| Err("five".into()), || Ok(7)).unwrap(), 7);
    }

    #[test]
    fn samples_include_both_ends() {
        let mut rng = StdRng::seed_from_u64(1);
        let s = sample(100, 8, &mut rng);
        assert!(s.first() == Some(&0) && s.last() == Some(&99) && s.len() <= 10);
        assert_eq!(sample(1, 8, &mut rng), [0]);
        assert!(sample(0, 8, &mut rng).is_empty());
    }
}
