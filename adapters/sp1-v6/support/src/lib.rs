//! What `cherenkov-sp1-v6` and the `[patch.crates-io]` crate under `adapters/sp1-v6/patch`
//! share. The patched `slop-dft` depends on this crate, so nothing here may reach `slop-dft`.
//!
//! - [`to_up`] / [`from_up`]: slop's KoalaBear (Succinct's Plonky3 fork 0.4.3) to and from
//!   cherenkov's (upstream Plonky3 0.8), through canonical `u32`s.
//! - [`coset_dft`]: slop's `Dft::coset_dft_into` semantics on a cherenkov engine.
//! - [`engine`], [`last_device_error`], [`stats`]: the process-wide engine the patched crate runs
//!   on (`CHERENKOV_BACKEND`; its trait has no constructor argument to pass one), the device
//!   failure last recovered from on the cpu, and how many calls ran on cherenkov.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub use cherenkov;

use cherenkov::backend::DeviceFallback;
use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::{Backend, Engine, Error};
use p3_field::integers::QuotientMap;
use p3_field::PrimeField32 as _;
use rayon::prelude::*;
use slop_algebra::{AbstractField, PrimeField32};
use slop_alloc::CpuBackend;
use slop_tensor::Tensor;

/// SP1 v6's field (the fork's KoalaBear).
pub type KoalaBear = slop_koala_bear::KoalaBear;
/// cherenkov's KoalaBear (upstream Plonky3 0.8).
pub type Up = cherenkov::field::KoalaBear;

pub fn to_up(x: &KoalaBear) -> Up {
    // Canonical, so below p: the map is exact.
    <Up as QuotientMap<u32>>::from_int(x.as_canonical_u32())
}

pub fn from_up(x: &Up) -> KoalaBear {
    KoalaBear::from_canonical_u32(x.as_canonical_u32())
}

/// The evaluations of `src`'s columns (coefficients, `dim` 0) on `shift · K`, K of order
/// `height << log_blowup`, rows in natural or bit-reversed order: slop's
/// `Dft::coset_dft(src, shift, log_blowup, ordering, 0)` on `engine`.
pub fn coset_dft(
    engine: &Engine,
    src: &Tensor<KoalaBear, CpuBackend>,
    shift: KoalaBear,
    log_blowup: usize,
    bit_reversed: bool,
    dim: usize,
) -> cherenkov::Result<Tensor<KoalaBear, CpuBackend>> {
    let &[height, width] = src.sizes() else {
        return Err(Error::InvalidShape(format!("a {}-dimensional tensor; the DFT takes a matrix", src.sizes().len())));
    };
    if dim != 0 {
        return Err(Error::InvalidShape(format!("a DFT along dimension {dim}; columns (dimension 0) only")));
    }
    let big = height
        .checked_shl(log_blowup as u32)
        .filter(|b| b >> log_blowup == height)
        .and_then(|b| b.checked_mul(width))
        .ok_or_else(|| Error::SizeOverflow(format!("{height} x {width} blown up by 2^{log_blowup}")))?;
    let mut values = cherenkov::mem::with_capacity(big)?;
    values.par_extend(src.as_slice().par_iter().map(to_up));
    values.resize(big, Up::new(0));
    let output = if bit_reversed { Order::BitReversed } else { Order::Natural };
    let t = Transform::new(Direction::Forward).coset(to_up(&shift)).orders(Order::Natural, output);
    let evals = ntt::transform_batch(engine, values, width, t)?;
    let out: Vec<KoalaBear> = evals.par_iter().map(from_up).collect();
    Ok(Tensor::from(out).reshape([height << log_blowup, width]))
}

/// The engine the patched crate runs on: `CHERENKOV_BACKEND` (`auto` when unset: cuda when a
/// GPU is usable, else the cpu). A backend that cannot start is reported once on stderr and the
/// cpu used; the trait gives no other way to say it.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Backend::from_env().and_then(Backend::engine) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cherenkov (SP1 v6 patch): {e}; running on the cpu");
            Engine::Cpu
        }
    })
}

fn fallback() -> &'static DeviceFallback {
    static FALLBACK: OnceLock<DeviceFallback> = OnceLock::new();
    FALLBACK.get_or_init(DeviceFallback::default)
}

/// [`coset_dft`] on [`engine`], a device failure recovered by rerunning on the cpu (recorded
/// for [`last_device_error`]); counted in [`stats`].
pub fn coset_dft_on_engine(
    src: &Tensor<KoalaBear, CpuBackend>,
    shift: KoalaBear,
    log_blowup: usize,
    bit_reversed: bool,
) -> cherenkov::Result<Tensor<KoalaBear, CpuBackend>> {
    let out = fallback().run(
        engine(),
        (),
        |gpu, _| coset_dft(&Engine::Gpu(gpu.clone()), src, shift, log_blowup, bit_reversed, 0),
        |_| coset_dft(&Engine::Cpu, src, shift, log_blowup, bit_reversed, 0),
    )?;
    DFT_CALLS.fetch_add(1, Ordering::Relaxed);
    Ok(out)
}

/// The last device failure the patched crate recovered from by recomputing on the cpu.
pub fn last_device_error() -> Option<String> {
    fallback().last()
}

static DFT_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Calls that ran on cherenkov since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub dft_calls: usize,
}

pub fn stats() -> Stats {
    Stats { dft_calls: DFT_CALLS.load(Ordering::Relaxed) }
}
