//! [`DeviceFallback`]: what an adapter does when a device fails under a trait with no error
//! channel.

use super::{Engine, Gpu};
use crate::error::Result;

/// The adapters' policy for device failures (the traits they implement have no error channel):
/// an input error is returned as is; any other failure on a device is recorded and the call
/// rerun on the cpu. Clones share the record. Used by the Plonky3 adapters here and by the SP1
/// adapter crates.
#[derive(Clone, Debug, Default)]
pub struct DeviceFallback {
    last: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl DeviceFallback {
    /// On a device engine, `device(&input)`, then `cpu(input)` after a device failure; on the
    /// cpu, `cpu(input)`. The device attempt borrows the input, so nothing is copied in case it
    /// fails (cloning a 2^26-element trace costs more than transferring it).
    pub fn run<I, T>(
        &self,
        engine: &Engine,
        input: I,
        device: impl FnOnce(&Gpu, &I) -> Result<T>,
        cpu: impl FnOnce(I) -> Result<T>,
    ) -> Result<T> {
        let Engine::Gpu(gpu) = engine else {
            return cpu(input);
        };
        match device(gpu, &input) {
            Err(e) if !e.is_input_error() => {
                self.record(&e);
                cpu(input)
            }
            result => result,
        }
    }

    /// Records a device failure the caller recovered from on its own.
    pub fn record(&self, e: &crate::Error) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
    }

    /// The last device error recovered from.
    pub fn last(&self) -> Option<String> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

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
