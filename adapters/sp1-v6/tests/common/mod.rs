//! What the adapter's tests share: the logged seed and the engines to run on.

use cherenkov::backend::{EmuConfig, Schedule};
use cherenkov::{Backend, Engine};
use cherenkov_sp1_v6::KoalaBear;
use rand::rngs::StdRng;
use rand::RngExt;
use slop_algebra::{AbstractField, PrimeField32};
use slop_tensor::Tensor;

pub fn seed() -> u64 {
    cherenkov::check::seed_from_env()
}

/// The emulator under the forward and reverse schedules, and the GPU when one is usable here.
pub fn device_engines() -> Vec<Engine> {
    let mut engines: Vec<Engine> = [Schedule::Forward, Schedule::Reverse]
        .into_iter()
        .map(|schedule| Engine::emu(EmuConfig { schedule, ..EmuConfig::default() }))
        .collect();
    engines.extend(Backend::Cuda.engine().ok());
    engines
}

/// A random `height × width` tensor whose first entries are 0, 1 and p − 1.
pub fn tensor(rng: &mut StdRng, height: usize, width: usize) -> Tensor<KoalaBear> {
    let p = KoalaBear::ORDER_U32;
    let edges = [0, 1, p - 1];
    let v: Vec<KoalaBear> = (0..height * width)
        .map(|i| KoalaBear::from_canonical_u32(if i < 3 { edges[i] } else { rng.random_range(0..p) }))
        .collect();
    Tensor::from(v).reshape([height, width])
}
