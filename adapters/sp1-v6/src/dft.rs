//! `slop_dft::Dft<KoalaBear>` over cherenkov's NTT.

use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::{Backend, Engine, Error};
use p3_field::integers::QuotientMap;
use p3_field::PrimeField32 as _;
use slop_algebra::{AbstractField, PrimeField32};
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

pub(crate) fn to_upstream(x: &KoalaBear) -> cherenkov::field::KoalaBear {
    // Canonical, so below p: the map is exact.
    <cherenkov::field::KoalaBear as QuotientMap<u32>>::from_int(x.as_canonical_u32())
}

pub(crate) fn to_fork(x: &cherenkov::field::KoalaBear) -> KoalaBear {
    KoalaBear::from_canonical_u32(x.as_canonical_u32())
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
        let &[height, width] = src.sizes() else {
            return Err(Error::InvalidShape(format!(
                "a {}-dimensional tensor; the DFT takes a matrix",
                src.sizes().len()
            )));
        };
        if dim != 0 {
            return Err(Error::InvalidShape(format!("a DFT along dimension {dim}; columns (dimension 0) only")));
        }
        let big = height
            .checked_shl(log_blowup as u32)
            .filter(|b| b >> log_blowup == height)
            .and_then(|b| b.checked_mul(width))
            .ok_or_else(|| Error::SizeOverflow(format!("{height} x {width} blown up by 2^{log_blowup}")))?;
        let mut values = Vec::with_capacity(big);
        values.extend(src.as_slice().iter().map(to_upstream));
        values.resize(big, cherenkov::field::KoalaBear::new(0));
        let output = match ordering {
            DftOrdering::Normal => Order::Natural,
            DftOrdering::BitReversed => Order::BitReversed,
        };
        let t = Transform::new(Direction::Forward).coset(to_upstream(&shift)).orders(Order::Natural, output);
        let evals = ntt::transform_batch(&self.engine, values, width, t)?;
        let out: Tensor<KoalaBear, CpuBackend> = evals.iter().map(to_fork).collect();
        *dst = out.reshape([height << log_blowup, width]);
        Ok(())
    }
}
