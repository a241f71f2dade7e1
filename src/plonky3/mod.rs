//! Drop-in types for Plonky3 (p3 0.8) provers.

pub mod config;
mod dft;
mod mmcs;
mod pcs;

pub use dft::Dft;
pub use mmcs::{Commitment, Compressor, Hasher, LdeTree, Mmcs, StockMmcs};
pub use pcs::{FusedPcs, InnerPcs};

/// The adapters' policy for device failures (their Plonky3 traits have no error channel): an
/// input error is returned as is; any other failure on a device is recorded and the call rerun
/// on the cpu. Clones share the record.
#[derive(Clone, Debug, Default)]
pub(crate) struct DeviceFallback {
    last: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl DeviceFallback {
    /// On a device engine, `device(&input)`, then `cpu(input)` after a device failure; on the
    /// cpu, `cpu(input)`. The device attempt borrows the input, so nothing is copied in case it
    /// fails (cloning a 2^26-element trace costs more than transferring it).
    pub(crate) fn run<I, T>(
        &self,
        engine: &crate::Engine,
        input: I,
        device: impl FnOnce(&crate::backend::Gpu, &I) -> crate::Result<T>,
        cpu: impl FnOnce(I) -> crate::Result<T>,
    ) -> crate::Result<T> {
        let crate::Engine::Gpu(gpu) = engine else {
            return cpu(input);
        };
        match device(gpu, &input) {
            Err(e) if !e.is_input_error() => {
                *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                cpu(input)
            }
            result => result,
        }
    }

    /// The last device error recovered from.
    pub(crate) fn last(&self) -> Option<String> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Error};

    #[test]
    fn device_failures_rerun_on_the_cpu_and_input_errors_do_not() {
        let fallback = DeviceFallback::default();
        let emu = Engine::emu(Default::default());
        let device_lost = |_: &_, _: &u32| Err(Error::Cuda("device lost".into()));
        let double = |x: u32| Ok(2 * x);
        assert_eq!(fallback.run(&emu, 5, device_lost, double).unwrap(), 10);
        assert_eq!(fallback.last().as_deref(), Some("CUDA driver: device lost"));
        let shape = |_: &_, _: &u32| Err::<u32, _>(Error::InvalidShape("ragged".into()));
        assert!(matches!(DeviceFallback::default().run(&emu, 5, shape, double), Err(Error::InvalidShape(_))));
        let cpu = DeviceFallback::default();
        let cpu_fails = |_: u32| Err::<u32, _>(Error::Cuda("x".into()));
        assert!(matches!(cpu.run(&Engine::Cpu, 5, device_lost, cpu_fails), Err(Error::Cuda(_))));
        assert!(cpu.last().is_none());
        // The device attempt is not made on the cpu.
        assert_eq!(cpu.run(&Engine::Cpu, 5, device_lost, double).unwrap(), 10);
    }
}
