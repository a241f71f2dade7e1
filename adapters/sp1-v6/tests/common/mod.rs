//! What the adapter's tests share: the logged seed and the engines to run on.

use cherenkov::backend::{EmuConfig, Schedule};
use cherenkov::{Backend, Engine};

pub fn seed() -> u64 {
    let seed = std::env::var("CHERENKOV_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("seed = {seed} (replay with CHERENKOV_SEED={seed})");
    seed
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
