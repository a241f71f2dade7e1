//! Shared by the integration tests: the seed, the engines, and a macro that stamps one test body
//! out for every backend (risc0's dual-HAL habit: one body, every backend).
#![allow(dead_code)]

use cherenkov::backend::{cuda, EmuConfig, Schedule};
use cherenkov::Engine;

pub fn seed() -> u64 {
    cherenkov::check::seed_from_env()
}

pub fn emu(schedule: Schedule) -> Engine {
    Engine::emu(EmuConfig { schedule, ..EmuConfig::default() })
}

/// The GPU engine when this machine has one; otherwise prints why and returns None.
pub fn cuda_engine() -> Option<Engine> {
    match cuda::open(0) {
        Ok(d) => Some(Engine::Gpu(cherenkov::backend::Gpu::cuda(d))),
        Err(why) => {
            eprintln!("cuda: not run here: {why}");
            None
        }
    }
}

/// `backend_tests!(body)` makes `body::{cpu, emu_forward, emu_reverse, emu_random, cuda}`,
/// each calling `body(&Engine, seed)`. Add `gpu_only` to leave out the cpu engine.
#[macro_export]
macro_rules! backend_tests {
    ($body:ident) => {
        mod $body {
            use super::*;
            #[test]
            fn cpu() {
                super::$body(&cherenkov::Engine::Cpu, common::seed())
            }
            $crate::backend_tests!(@gpu $body);
        }
    };
    ($body:ident, gpu_only) => {
        mod $body {
            use super::*;
            $crate::backend_tests!(@gpu $body);
        }
    };
    (@gpu $body:ident) => {
        #[test]
        fn emu_forward() {
            super::$body(&common::emu(cherenkov::backend::Schedule::Forward), common::seed())
        }
        #[test]
        fn emu_reverse() {
            super::$body(&common::emu(cherenkov::backend::Schedule::Reverse), common::seed())
        }
        #[test]
        fn emu_random() {
            let seed = common::seed();
            super::$body(&common::emu(cherenkov::backend::Schedule::Random(seed)), seed)
        }
        #[test]
        fn cuda() {
            if let Some(engine) = common::cuda_engine() {
                super::$body(&engine, common::seed())
            }
        }
    };
}

/// Runs `f` in a one-thread rayon pool. Plonky3 grinds proof-of-work witnesses with a parallel
/// `find_any`, which returns whichever valid witness a thread meets first: two proofs of the
/// same trace can then differ in their witnesses (and everything sampled after them). On one
/// thread the search runs in order and finds the smallest witness, so proofs are reproducible.
pub fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread rayon pool").install(f)
}

/// A checked-in generated file (`rel_path` from the crate root) equals `want`;
/// `CHERENKOV_BLESS=1` rewrites it first. `test` names the test target that regenerates it.
pub fn assert_generated(rel_path: &str, want: &str, test: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel_path);
    if std::env::var_os("CHERENKOV_BLESS").is_some() {
        std::fs::write(&path, want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert!(have == want, "{rel_path} is stale: run `CHERENKOV_BLESS=1 cargo test --release --test {test}`");
}
