//! `slop_dft::Dft<KoalaBear>` over cherenkov's NTT.

use cherenkov::{Backend, Engine, Error};
use slop_alloc::CpuBackend;
use slop_dft::DftOrdering;
use slop_tensor::Tensor;

use crate::KoalaBear;

/// `slop_dft::Dft<KoalaBear>` on a cherenkov backend.
#[derive(Debug, Clone)]
pub struct Dft {
    engine: Engine,
}

impl Dft {
    pub fn new(backend: Backend) -> cherenkov::Result<Self> {
        Ok(Self { engine: backend.engine()? })
    }
    pub fn on(engine: Engine) -> Self {
        Self { engine }
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl slop_dft::Dft<KoalaBear, CpuBackend> for Dft {
    type Error = Error;

    fn coset_dft_into(
        &self,
        src: &Tensor<KoalaBear, CpuBackend>,
        dst: &mut Tensor<KoalaBear, CpuBackend>,
        shift: KoalaBear,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<(), Error> {
        let bit_reversed = ordering == DftOrdering::BitReversed;
        *dst = cherenkov_sp1_v6_support::coset_dft(&self.engine, src, shift, log_blowup, bit_reversed, dim)?;
        Ok(())
    }
}
