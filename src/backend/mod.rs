//! Backends and how one is chosen.
//!
//! - `cpu`: pure Rust, rayon-parallel; always available.
//! - `emu`: the CUDA kernels compiled as host C++ and run by our execution-model emulator;
//!   exact and slow, for testing kernels without a GPU. Never chosen by `auto`.
//! - `cuda`: the same kernels on a GPU through the driver API.
//!
//! `auto` picks `cuda` when a usable GPU and the kernels are there, else `cpu`.

// The only modules that hold `unsafe`: the FFI to the driver and the emulator, and launches.
#[allow(unsafe_code)]
pub mod cuda;
#[allow(unsafe_code)]
pub mod device;
#[allow(unsafe_code)]
pub mod emu;
mod fallback;
pub mod kernels;
#[allow(unsafe_code)] // argument marshalling: pointers into one buffer
pub mod plan;
#[allow(unsafe_code)] // loading the emulator's profile library
pub mod profile;
pub mod stats;

use std::fmt;
use std::str::FromStr;

pub use device::trace;
pub use device::{Device, DeviceBuffer, Gpu, RawBuffer, Visit, Visitor, EMU_POISON};
pub use emu::{EmuConfig, EmuDevice, Schedule};
pub use fallback::DeviceFallback;
pub use plan::{DeviceProps, Dim3, FastDiv, KernelArg, Launch};
pub use profile::{AccessCounts, FieldOps, KernelProfile};
pub use stats::DeviceStats;

use crate::error::{Error, Result};
use crate::verify::SelfCheck;

/// Which backend to run on: the user's choice, before it is resolved to an [`Engine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Backend {
    #[default]
    Auto,
    Cpu,
    Emu,
    Cuda,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Emu => "emu",
            Self::Cuda => "cuda",
        })
    }
}

impl FromStr for Backend {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "emu" => Ok(Self::Emu),
            "cuda" => Ok(Self::Cuda),
            _ => Err(Error::UnknownBackend(s.to_string())),
        }
    }
}

impl Backend {
    /// `CHERENKOV_BACKEND`, or `Auto` when unset. A value that is not a backend is an error,
    /// not a silent fallback.
    pub fn from_env() -> Result<Self> {
        match std::env::var("CHERENKOV_BACKEND") {
            Ok(v) => v.parse(),
            Err(_) => Ok(Self::Auto),
        }
    }

    /// Resolves the choice to something that runs, or says why it cannot. A device engine
    /// checks its results on the host when `CHERENKOV_VERIFY` asks ([`SelfCheck::from_env`]).
    pub fn engine(self) -> Result<Engine> {
        let check = SelfCheck::from_env()?;
        let engine = match self {
            Self::Cpu => Engine::Cpu,
            Self::Emu => Engine::Gpu(Gpu::emu(EmuDevice::new(EmuConfig::from_env()?))),
            Self::Cuda => cuda::open(0)
                .map(|d| Engine::Gpu(Gpu::cuda(d)))
                .map_err(|why| Error::BackendUnavailable { backend: self, reason: why.to_string() })?,
            Self::Auto => cuda::open(0).map(|d| Engine::Gpu(Gpu::cuda(d))).unwrap_or(Engine::Cpu),
        };
        Ok(engine.with_self_check(check))
    }
}

/// A resolved backend: where work actually runs.
#[derive(Debug, Clone)]
pub enum Engine {
    Cpu,
    Gpu(Gpu),
}

impl Engine {
    pub fn emu(cfg: EmuConfig) -> Self {
        Self::Gpu(Gpu::emu(EmuDevice::new(cfg)))
    }
    /// This engine with its device results checked on the host as `check` says (`None`: not
    /// checked). The cpu has nothing to check: it is returned as is.
    pub fn with_self_check(self, check: Option<SelfCheck>) -> Self {
        match self {
            Self::Cpu => Self::Cpu,
            Self::Gpu(g) => Self::Gpu(g.with_self_check(check)),
        }
    }
    /// What device work this engine (and its clones) has done: bytes each way, launches,
    /// allocations, synchronizations, staging copies. The cpu does none: all zeros.
    pub fn stats(&self) -> DeviceStats {
        match self {
            Self::Cpu => DeviceStats::default(),
            Self::Gpu(g) => g.stats(),
        }
    }
    /// Zeroes [`Engine::stats`].
    pub fn reset_stats(&self) {
        if let Self::Gpu(g) = self {
            g.reset_stats();
        }
    }
    /// The access profiles of the launches this engine (and its clones) made since the last call,
    /// oldest first: only an emulator with [`EmuConfig::profile`] records them.
    pub fn take_profiles(&self) -> Vec<KernelProfile> {
        match self {
            Self::Cpu => Vec::new(),
            Self::Gpu(g) => g.take_profiles(),
        }
    }
    /// The engine's self-check, if it has one (never on the cpu).
    pub fn self_check(&self) -> Option<&SelfCheck> {
        match self {
            Self::Cpu => None,
            Self::Gpu(g) => g.self_check(),
        }
    }
    pub fn name(&self) -> String {
        match self {
            Self::Cpu => format!("cpu ({} threads)", rayon::current_num_threads()),
            Self::Gpu(g) => g.name(),
        }
    }
    pub fn kind(&self) -> Backend {
        match self {
            Self::Cpu => Backend::Cpu,
            Self::Gpu(g) => match g.device() {
                Device::Emu(_) => Backend::Emu,
                Device::Cuda(_) => Backend::Cuda,
            },
        }
    }
}

/// One line per backend: whether it can run here, and why not.
#[derive(Debug, Clone)]
pub struct Availability {
    pub backend: Backend,
    pub available: bool,
    pub detail: String,
}

/// The device engines a test runs a device path on: the emulator under the forward and reverse
/// schedules, and the GPU when one is usable here (the adapters' tests share this).
pub fn device_engines() -> Vec<Engine> {
    let mut engines: Vec<Engine> = [Schedule::Forward, Schedule::Reverse]
        .into_iter()
        .map(|schedule| Engine::emu(EmuConfig { schedule, ..EmuConfig::default() }))
        .collect();
    engines.extend(Backend::Cuda.engine().ok());
    engines
}

/// What `cherenkov info` reports and `auto` decides from.
pub fn availability() -> Vec<Availability> {
    let cuda = cuda::open(0);
    let auto = if cuda.is_ok() { "cuda" } else { "cpu" };
    vec![
        Availability {
            backend: Backend::Cpu,
            available: true,
            detail: format!("{} rayon threads", rayon::current_num_threads()),
        },
        Availability {
            backend: Backend::Emu,
            available: true,
            detail: format!(
                "{} kernels{}; for testing, never picked by auto",
                emu::kernel_names().len(),
                if emu::tsan_enabled() { ", ThreadSanitizer build" } else { "" }
            ),
        },
        Availability {
            backend: Backend::Cuda,
            available: cuda.is_ok(),
            detail: match &cuda {
                Ok(d) => d.name(),
                Err(why) => why.to_string(),
            },
        },
        Availability { backend: Backend::Auto, available: true, detail: format!("resolves to {auto}") },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_backend_names() {
        assert_eq!("CUDA".parse::<Backend>().unwrap(), Backend::Cuda);
        assert_eq!(" emu ".parse::<Backend>().unwrap(), Backend::Emu);
        assert!(matches!("gpu".parse::<Backend>(), Err(Error::UnknownBackend(s)) if s == "gpu"));
        for b in [Backend::Auto, Backend::Cpu, Backend::Emu, Backend::Cuda] {
            assert_eq!(b.to_string().parse::<Backend>().unwrap(), b);
        }
    }

    #[test]
    fn auto_never_picks_emu() {
        assert_ne!(Backend::Auto.engine().unwrap().kind(), Backend::Emu);
    }
}
