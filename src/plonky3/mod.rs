//! Drop-in types for Plonky3 (p3 0.8) provers.

pub mod config;
mod dft;
mod mmcs;

pub use dft::Dft;
pub use mmcs::{Commitment, Compressor, Hasher, LdeTree, Mmcs, StockMmcs};

/// The adapters' policy for device failures (their Plonky3 traits have no error channel): an
/// input error is returned as is; any other failure on a device is recorded and the call rerun
/// on the cpu. Clones share the record.
#[derive(Clone, Debug, Default)]
pub(crate) struct DeviceFallback {
    last: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl DeviceFallback {
    /// Runs `f(engine, input)`, rerunning `f(cpu, input)` after a device failure. `input` is
    /// cloned beforehand only when the engine is a device.
    pub(crate) fn run<I: Clone, T>(
        &self,
        engine: &crate::Engine,
        input: I,
        f: impl Fn(&crate::Engine, I) -> crate::Result<T>,
    ) -> crate::Result<T> {
        let spare = matches!(engine, crate::Engine::Gpu(_)).then(|| input.clone());
        match (f(engine, input), spare) {
            (Err(e), Some(input)) if !e.is_input_error() => {
                *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
                f(&crate::Engine::Cpu, input)
            }
            (result, _) => result,
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
        let on_device_fails = |e: &Engine, x: u32| {
            if matches!(e, Engine::Gpu(_)) {
                Err(Error::Cuda("device lost".into()))
            } else {
                Ok(2 * x)
            }
        };
        assert_eq!(fallback.run(&emu, 5, on_device_fails).unwrap(), 10);
        assert_eq!(fallback.last().as_deref(), Some("CUDA driver: device lost"));
        let shape = |_: &Engine, _: u32| Err::<u32, _>(Error::InvalidShape("ragged".into()));
        assert!(matches!(DeviceFallback::default().run(&emu, 5, shape), Err(Error::InvalidShape(_))));
        let cpu = DeviceFallback::default();
        assert!(matches!(cpu.run(&Engine::Cpu, 5, |_, _| Err::<u32, _>(Error::Cuda("x".into()))), Err(Error::Cuda(_))));
        assert!(cpu.last().is_none());
    }
}
