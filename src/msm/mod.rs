//! `cherenkov::msm`: multi-scalar multiplication on BN254 G1 and G2, Σ scalars[i] · bases[i],
//! equal to arkworks' `VariableBaseMSM::msm` on the same inputs.
//!
//! - Inputs are arkworks types: bases as affine points, scalars as `Fr` (arkworks' Montgomery
//!   form, converted once to integers). An empty input is the identity, not an error.
//! - [`MsmConfig::validate`] (on by default) checks every base is on the curve and in the
//!   prime-order subgroup first (free for G1, cofactor 1; for G2 a 63-bit scalar multiplication
//!   per point, [`subgroup`]) and reports the first bad index. [`ValidBases`] checks a base set
//!   once for any number of MSMs.
//! - Batched: [`g1_batch`] / [`g2_batch`] run several scalar vectors over one base set.
//! - Precomputed: [`Precomputed`] owns `factor` shifted copies of the bases (ICICLE's
//!   `precompute_factor`), so each MSM runs `factor` times fewer windows.
//! - Device memory: [`device_bytes`] estimates what one device MSM allocates; larger inputs
//!   are cut into chunks that fit [`MsmConfig::device_memory`] and the chunks' sums added.
//!
//! Algorithm: Pippenger with signed c-bit windows. The cpu ([`cpu`]) accumulates buckets with
//! batch-affine additions, one task per window; a device ([`gpu`]) sorts (window, bucket) keys
//! by counting sort and accumulates, reduces and combines in separate kernels.

pub mod cpu;
pub mod gpu;
mod resident;
pub mod subgroup;

pub use resident::DeviceBases;

use std::borrow::Cow;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, CurveGroup};
use ark_ff::{PrimeField, Zero};
use rayon::prelude::*;

use crate::backend::{Engine, Gpu};
use crate::error::{Error, Result};
use gpu::DeviceCurve;
use subgroup::SubgroupCheck;

/// Points one device MSM takes at most: the kernels' keys keep 31 bits for a point index.
pub const MAX_CHUNK: usize = 1 << 30;
/// Bits of BN254's scalar field.
const SCALAR_BITS: u32 = 254;

/// How one MSM cuts scalars and copies bases: signed `c`-bit windows, `scalar_windows` of them
/// cover a scalar (with room for the last carry); with `copies` precomputed copies of each base
/// (copy j = 2^(j·c·windows) · base) the MSM runs `windows` windows over copies·n points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub c: u32,
    pub scalar_windows: u32,
    pub copies: u32,
    pub windows: u32,
}

impl Layout {
    pub fn new(c: u32, copies: u32) -> Result<Self> {
        if !(2..=20).contains(&c) {
            return Err(Error::InvalidShape(format!("window of {c} bits (2 to 20 allowed)")));
        }
        let scalar_windows = SCALAR_BITS / c + 1;
        if copies == 0 || copies > scalar_windows {
            return Err(Error::InvalidShape(format!("{copies} precomputed copies for {scalar_windows} windows")));
        }
        Ok(Self { c, scalar_windows, copies, windows: scalar_windows.div_ceil(copies) })
    }

    /// The window size an `n`-point G1 MSM runs best with on `engine` (cpu: batch-affine
    /// buckets favour wider windows; device: enough buckets to keep every thread busy).
    /// [`Layout::auto_for`] picks by curve.
    pub fn auto(n: usize, engine: &Engine) -> Self {
        Self::auto_for::<ark_bn254::g1::Config>(n, engine)
    }

    /// The window size an `n`-point MSM on curve `P` runs best with on `engine` (cpu:
    /// [`cpu::CpuCurve::cpu_window_bits`]).
    pub fn auto_for<P: cpu::CpuCurve>(n: usize, engine: &Engine) -> Self {
        let log_n = usize::BITS - n.max(1).leading_zeros();
        let c = match engine {
            Engine::Cpu => P::cpu_window_bits(n),
            Engine::Gpu(_) => log_n.saturating_sub(4).clamp(4, 16),
        };
        Self::new(c, 1).expect("an automatic window is valid")
    }
}

/// Options of an MSM. `Default`: bases validated, window chosen by size, device memory budget
/// chosen by device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsmConfig {
    /// Check that every base is on the curve and in the prime-order subgroup.
    pub validate: bool,
    /// Window bits; `None` picks by size and engine.
    pub window_bits: Option<u32>,
    /// Device bytes one chunk may allocate; `None`: half the GPU's memory, 1 GiB on the
    /// emulator.
    pub device_memory: Option<usize>,
}

impl Default for MsmConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl MsmConfig {
    const DEFAULT: Self = Self { validate: true, window_bits: None, device_memory: None };
    /// The default options without base validation: for bases already checked ([`ValidBases`])
    /// or trusted as arkworks' `msm` trusts them (a bad base gives a meaningless sum).
    pub const TRUSTED: Self = Self::DEFAULT.unvalidated();

    /// These options without base validation.
    pub const fn unvalidated(self) -> Self {
        Self { validate: false, ..self }
    }

    /// Device bytes one chunk may allocate on `gpu`: `device_memory`, else half its memory.
    fn device_budget(&self, gpu: &Gpu) -> usize {
        self.device_memory.unwrap_or_else(|| gpu.total_memory() / 2)
    }
}

/// Σ scalars[i] · bases[i] on either curve ([`g1`] and [`g2`] name them).
pub fn msm<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    scalars: &[Fr],
    cfg: &MsmConfig,
) -> Result<Projective<P>> {
    run(engine, bases, scalars, cfg)
}

/// Σ scalars[i] · bases[i] on BN254 G1.
pub fn g1(engine: &Engine, bases: &[G1Affine], scalars: &[Fr], cfg: &MsmConfig) -> Result<G1Projective> {
    run(engine, bases, scalars, cfg)
}

/// Σ scalars[i] · bases[i] on BN254 G2 (over Fq2).
pub fn g2(engine: &Engine, bases: &[G2Affine], scalars: &[Fr], cfg: &MsmConfig) -> Result<G2Projective> {
    run(engine, bases, scalars, cfg)
}

/// Several MSMs over one base set: `out[k] = Σ scalar_sets[k][i] · bases[i]`. The bases are
/// validated once; each scalar vector must be as long as the bases.
pub fn g1_batch(engine: &Engine, bases: &[G1Affine], sets: &[&[Fr]], cfg: &MsmConfig) -> Result<Vec<G1Projective>> {
    batch(engine, bases, sets, cfg)
}

/// Several MSMs over one base set on either curve.
pub fn msm_batch<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    sets: &[&[Fr]],
    cfg: &MsmConfig,
) -> Result<Vec<Projective<P>>> {
    batch(engine, bases, sets, cfg)
}

/// [`g1_batch`] on G2.
pub fn g2_batch(engine: &Engine, bases: &[G2Affine], sets: &[&[Fr]], cfg: &MsmConfig) -> Result<Vec<G2Projective>> {
    batch(engine, bases, sets, cfg)
}

/// Device bytes one device MSM of `n` points allocates on `curve` (`1` for G1, `2` for G2)
/// with `window_bits`-bit windows and `copies` precomputed copies.
pub fn device_bytes(curve: u8, n: usize, window_bits: u32, copies: u32) -> Result<usize> {
    let words = match curve {
        1 => <ark_bn254::g1::Config as DeviceCurve>::FIELD_WORDS,
        2 => <ark_bn254::g2::Config as DeviceCurve>::FIELD_WORDS,
        _ => return Err(Error::InvalidShape(format!("BN254 has G1 and G2, not G{curve}"))),
    };
    gpu::Plan::new(n, Layout::new(window_bits, copies)?).device_bytes(words)
}

/// Bases checked once (on the curve, in the prime-order subgroup) for any number of MSMs.
///
/// [`MsmConfig::validate`] checks the bases on every call; for G2 that is a 63-bit scalar
/// multiplication per base ([`subgroup`]), more than the MSM itself. Made once per base set,
/// this value carries the check: its MSMs, batches and precomputed tables skip it.
#[derive(Debug, Clone, Copy)]
pub struct ValidBases<'a, P: SWCurveConfig> {
    bases: &'a [Affine<P>],
}

impl<'a, P: DeviceCurve> ValidBases<'a, P> {
    /// Checks every base (in parallel); the error names the first bad index.
    pub fn new(bases: &'a [Affine<P>]) -> Result<Self> {
        check_bases(bases)?;
        Ok(Self { bases })
    }

    pub fn as_slice(&self) -> &'a [Affine<P>] {
        self.bases
    }
    pub fn len(&self) -> usize {
        self.bases.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bases.is_empty()
    }

    /// Σ scalars[i] · bases[i]; `cfg.validate` is ignored (the bases are valid).
    pub fn msm(&self, engine: &Engine, scalars: &[Fr], cfg: &MsmConfig) -> Result<Projective<P>> {
        run(engine, self.bases, scalars, &cfg.unvalidated())
    }

    /// Several MSMs over these bases, as [`msm_batch`].
    pub fn msm_batch(&self, engine: &Engine, sets: &[&[Fr]], cfg: &MsmConfig) -> Result<Vec<Projective<P>>> {
        batch(engine, self.bases, sets, &cfg.unvalidated())
    }

    /// A [`Precomputed`] table of these bases, without checking them again.
    pub fn precompute(&self, factor: u32, window_bits: Option<u32>) -> Result<Precomputed<P>> {
        Precomputed::new(self.bases, factor, window_bits, false)
    }
}

/// Bases with `factor` precomputed copies each (copy j = 2^(j·c·windows) · base), for MSMs
/// that run `factor` times fewer windows. The window size is fixed when the table is made.
#[derive(Debug, Clone)]
pub struct Precomputed<P: SWCurveConfig> {
    table: Vec<Affine<P>>,
    n: usize,
    layout: Layout,
}

pub type PrecomputedG1 = Precomputed<ark_bn254::g1::Config>;
pub type PrecomputedG2 = Precomputed<ark_bn254::g2::Config>;

impl<P: DeviceCurve> Precomputed<P> {
    /// The table for `bases` (validated as [`MsmConfig::validate`] says) with `factor` copies
    /// and `window_bits`-bit windows (`None`: the cpu's choice for this size).
    pub fn new(bases: &[Affine<P>], factor: u32, window_bits: Option<u32>, validate: bool) -> Result<Self> {
        if validate {
            check_bases(bases)?;
        }
        let layout = Layout::new(window_bits.unwrap_or_else(|| P::cpu_window_bits(bases.len())), factor)?;
        let shift = layout.c * layout.windows;
        let mut table = bases.to_vec();
        let mut copy: Vec<Projective<P>> = bases.par_iter().map(|&p| p.into()).collect();
        for _ in 1..factor {
            copy.par_iter_mut().for_each(|p| {
                for _ in 0..shift {
                    p.double_in_place();
                }
            });
            table.extend(Projective::normalize_batch(&copy));
        }
        Ok(Self { table, n: bases.len(), layout })
    }

    /// Number of bases (not counting copies).
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    pub fn layout(&self) -> Layout {
        self.layout
    }
    /// Every copy of every base, copy-major.
    pub fn table(&self) -> &[Affine<P>] {
        &self.table
    }

    /// Σ scalars[i] · bases[i] with this table.
    pub fn msm(&self, engine: &Engine, scalars: &[Fr], cfg: &MsmConfig) -> Result<Projective<P>> {
        if scalars.len() != self.n {
            return Err(Error::LengthMismatch { what: "scalars", expected: self.n, got: scalars.len() });
        }
        let bases = &self.table[..self.n];
        single_checked(
            engine,
            bases,
            scalars,
            || execute(engine, &self.table, scalars, self.layout, cfg),
            || execute(&Engine::Cpu, &self.table, scalars, self.layout, cfg),
        )
    }
}

fn batch<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    sets: &[&[Fr]],
    cfg: &MsmConfig,
) -> Result<Vec<Projective<P>>> {
    if cfg.validate {
        check_bases(bases)?;
    }
    let unchecked = cfg.unvalidated();
    let each = |engine: &Engine| sets.iter().map(|s| run_unchecked(engine, bases, s, &unchecked)).collect();
    batch_checked(engine, bases, sets, || each(engine), || each(&Engine::Cpu))
}

/// `device()`'s batch, and on a self-checking device checked by one random linear combination
/// of the whole batch (verify::msm::batch), `cpu()` answering a failed check as the policy says.
fn batch_checked<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    sets: &[&[Fr]],
    device: impl FnOnce() -> Result<Vec<Projective<P>>>,
    cpu: impl FnOnce() -> Result<Vec<Projective<P>>>,
) -> Result<Vec<Projective<P>>> {
    match engine {
        Engine::Gpu(g) => crate::verify::device_result(
            g,
            "msm batch",
            device(),
            |outs, rng, _| crate::verify::msm::batch(bases, sets, outs, rng),
            cpu,
        ),
        Engine::Cpu => device(),
    }
}

/// [`run_unchecked`], and on a device whose self-check covers single MSMs, recomputed on the
/// host to check it.
fn run<P: DeviceCurve>(engine: &Engine, bases: &[Affine<P>], scalars: &[Fr], cfg: &MsmConfig) -> Result<Projective<P>> {
    single_checked(
        engine,
        bases,
        scalars,
        || run_unchecked(engine, bases, scalars, cfg),
        || run_unchecked(&Engine::Cpu, bases, scalars, &cfg.unvalidated()),
    )
}

fn single_checked<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    scalars: &[Fr],
    device: impl FnOnce() -> Result<Projective<P>>,
    cpu: impl FnOnce() -> Result<Projective<P>>,
) -> Result<Projective<P>> {
    match engine {
        Engine::Gpu(g) if g.self_check().is_some_and(|c| c.single_msm) => crate::verify::device_result(
            g,
            "msm",
            device(),
            |out, _, _| crate::verify::msm::single(bases, scalars, out),
            cpu,
        ),
        _ => device(),
    }
}

fn run_unchecked<P: DeviceCurve>(
    engine: &Engine,
    bases: &[Affine<P>],
    scalars: &[Fr],
    cfg: &MsmConfig,
) -> Result<Projective<P>> {
    if bases.len() != scalars.len() {
        return Err(Error::LengthMismatch { what: "scalars", expected: bases.len(), got: scalars.len() });
    }
    if cfg.validate {
        check_bases(bases)?;
    }
    let layout = match cfg.window_bits {
        Some(c) => Layout::new(c, 1)?,
        None => Layout::auto_for::<P>(bases.len(), engine),
    };
    execute(engine, bases, scalars, layout, cfg)
}

/// The MSM of `table` (layout.copies copies of n bases, copy-major) and n scalars.
fn execute<P: DeviceCurve>(
    engine: &Engine,
    table: &[Affine<P>],
    scalars: &[Fr],
    layout: Layout,
    cfg: &MsmConfig,
) -> Result<Projective<P>> {
    if scalars.is_empty() {
        return Ok(Projective::zero());
    }
    match engine {
        Engine::Cpu => {
            let mut ints = crate::mem::with_capacity(scalars.len())?;
            ints.par_extend(scalars.par_iter().map(|s| s.into_bigint()));
            cpu::msm(table, &ints, layout)
        }
        Engine::Gpu(gpu) => chunked(gpu, table, scalars, layout, cfg),
    }
}

/// Points per device chunk: the most whose plan fits the memory budget (and the kernels' 31-bit
/// point indices).
pub fn chunk_points<P: DeviceCurve>(n: usize, layout: Layout, budget: usize) -> Result<usize> {
    let mut chunk = n.min(MAX_CHUNK / layout.copies as usize);
    while gpu::Plan::new(chunk, layout).device_bytes(P::FIELD_WORDS)? > budget {
        if chunk == 1 {
            let need = gpu::Plan::new(1, layout).device_bytes(P::FIELD_WORDS)?;
            return Err(Error::OutOfMemory { bytes: need, backend: "device (MSM memory budget)" });
        }
        chunk = chunk.div_ceil(2);
    }
    Ok(chunk)
}

fn chunked<P: DeviceCurve>(
    gpu: &Gpu,
    table: &[Affine<P>],
    scalars: &[Fr],
    layout: Layout,
    cfg: &MsmConfig,
) -> Result<Projective<P>> {
    let n = scalars.len();
    let chunk = chunk_points::<P>(n, layout, cfg.device_budget(gpu))?;
    let mut total = Projective::<P>::zero();
    for lo in (0..n).step_by(chunk) {
        let hi = (lo + chunk).min(n);
        total += gpu::msm(gpu, &chunk_table(table, n, lo..hi, layout.copies), &scalars[lo..hi], layout)?;
    }
    Ok(total)
}

/// The bases of points `range` in every copy of a copy-major `table` of `n` bases: the table
/// itself, a slice of it, or (several copies, several chunks) gathered from each copy.
fn chunk_table<P: SWCurveConfig>(
    table: &[Affine<P>],
    n: usize,
    range: std::ops::Range<usize>,
    copies: u32,
) -> Cow<'_, [Affine<P>]> {
    if range.len() == n {
        Cow::Borrowed(table)
    } else if copies == 1 {
        Cow::Borrowed(&table[range])
    } else {
        (0..copies as usize).flat_map(|j| table[j * n + range.start..j * n + range.end].iter().copied()).collect()
    }
}

/// The first base off the curve or outside the prime-order subgroup, as an error.
fn check_bases<P: SubgroupCheck>(bases: &[Affine<P>]) -> Result<()> {
    let off = bases.par_iter().position_first(|p| !p.is_on_curve());
    // Subgroup membership of the points before the first one off the curve, as a batch; the
    // per-point test only finds which one failed.
    let on = &bases[..off.unwrap_or(bases.len())];
    if !P::all_in_prime_subgroup(on) {
        if let Some(index) = on.par_iter().position_first(|p| !P::in_prime_subgroup(p)) {
            return Err(Error::NotInSubgroup { index });
        }
    }
    match off {
        None => Ok(()),
        Some(index) => Err(Error::NotOnCurve { index }),
    }
}
