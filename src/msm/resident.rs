//! MSM bases kept on a device across calls ([`DeviceBases`]). A prover runs many MSMs over one
//! base set (an SRS, a commitment key): uploaded once, each MSM then moves only its scalars
//! (32 B a point) up and its window sums down, where [`super::msm`] converts and uploads every
//! base on every call (64 B a G1 point, 128 B a G2 point, per precomputed copy).

use std::borrow::Cow;

use ark_bn254::Fr;
use ark_ec::short_weierstrass::{Affine, Projective};
use ark_ff::Zero;

use super::gpu::{self, DeviceCurve};
use super::{batch_checked, check_bases, chunk_points, chunk_table, execute, single_checked, Layout, MsmConfig};
use super::{Precomputed, ValidBases};
use crate::backend::{DeviceBuffer, Engine};
use crate::error::{Error, Result};

/// Bases (plain, or a [`Precomputed`] table) uploaded once to an engine's device, for any number
/// of MSMs over them, which give what [`super::msm`] gives on the same bases and scalars.
///
/// Device memory: the bases' kernel words for the life of the value (the chunks that
/// [`MsmConfig::device_memory`] cuts the points into, each chunk's bases of every copy), plus
/// each MSM's scratch while it runs. A device without room for the table gives `OutOfMemory`
/// when the value is made. On [`Engine::Cpu`] nothing is uploaded and the MSMs run on the cpu,
/// so code written against this type runs on every engine. A self-checking engine checks these
/// MSMs as it checks [`super::msm`]'s (batches by a random combination, single MSMs recomputed
/// when `SelfCheck::single_msm` says so).
pub struct DeviceBases<'a, P: DeviceCurve> {
    engine: Engine,
    /// Copy-major: `layout.copies` copies of `n` bases (the host side, for the cpu and checks).
    table: Cow<'a, [Affine<P>]>,
    n: usize,
    layout: Layout,
    /// Points per device chunk, and each chunk's table on the device (none on the cpu).
    chunk: usize,
    chunks: Vec<DeviceBuffer<u64>>,
}

impl<P: DeviceCurve> std::fmt::Debug for DeviceBases<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceBases")
            .field("engine", &self.engine.name())
            .field("n", &self.n)
            .field("layout", &self.layout)
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

impl<'a, P: DeviceCurve> DeviceBases<'a, P> {
    /// `bases` on `engine`'s device, checked first if `cfg.validate` (the MSMs never check them
    /// again); the window is `cfg.window_bits` or the engine's choice for this many bases.
    pub fn new(engine: &Engine, bases: &'a [Affine<P>], cfg: &MsmConfig) -> Result<Self> {
        Self::checked(engine, Cow::Borrowed(bases), cfg)
    }

    fn checked(engine: &Engine, bases: Cow<'a, [Affine<P>]>, cfg: &MsmConfig) -> Result<Self> {
        if cfg.validate {
            check_bases(&bases)?;
        }
        let layout = match cfg.window_bits {
            Some(c) => Layout::new(c, 1)?,
            None => Layout::auto_for::<P>(bases.len(), engine),
        };
        let n = bases.len();
        Self::upload(engine, bases, n, layout, cfg)
    }

    fn upload(engine: &Engine, table: Cow<'a, [Affine<P>]>, n: usize, layout: Layout, cfg: &MsmConfig) -> Result<Self> {
        let (chunk, chunks) = match engine {
            Engine::Cpu => (n.max(1), Vec::new()),
            Engine::Gpu(g) => {
                let chunk = chunk_points::<P>(n.max(1), layout, cfg.device_budget(g))?;
                let chunks = (0..n)
                    .step_by(chunk)
                    .map(|lo| gpu::upload_bases(g, &chunk_table(&table, n, lo..(lo + chunk).min(n), layout.copies)))
                    .collect::<Result<_>>()?;
                (chunk, chunks)
            }
        };
        Ok(Self { engine: engine.clone(), table, n, layout, chunk, chunks })
    }

    /// Number of bases (not counting precomputed copies).
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    pub fn layout(&self) -> Layout {
        self.layout
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    /// Device bytes the table holds (0 on the cpu).
    pub fn device_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.len() * 8).sum()
    }

    /// Σ scalars[i] · bases[i].
    pub fn msm(&self, scalars: &[Fr]) -> Result<Projective<P>> {
        self.check_len(scalars)?;
        single_checked(&self.engine, &self.table[..self.n], scalars, || self.run(scalars), || self.cpu(scalars))
    }

    /// One MSM per scalar vector (each of `len()` scalars), as [`super::msm_batch`].
    pub fn msm_batch(&self, sets: &[&[Fr]]) -> Result<Vec<Projective<P>>> {
        sets.iter().try_for_each(|s| self.check_len(s))?;
        batch_checked(
            &self.engine,
            &self.table[..self.n],
            sets,
            || sets.iter().map(|s| self.run(s)).collect(),
            || sets.iter().map(|s| self.cpu(s)).collect(),
        )
    }

    /// The MSM on the cpu (a self-check's recomputation).
    fn cpu(&self, scalars: &[Fr]) -> Result<Projective<P>> {
        execute(&Engine::Cpu, &self.table, scalars, self.layout, &MsmConfig::TRUSTED)
    }

    fn check_len(&self, scalars: &[Fr]) -> Result<()> {
        if scalars.len() != self.n {
            return Err(Error::LengthMismatch { what: "scalars", expected: self.n, got: scalars.len() });
        }
        Ok(())
    }

    /// The MSM on the engine, unchecked: chunk by chunk over the resident tables.
    fn run(&self, scalars: &[Fr]) -> Result<Projective<P>> {
        match &self.engine {
            Engine::Cpu => self.cpu(scalars),
            Engine::Gpu(g) => {
                let mut total = Projective::<P>::zero();
                for (bases, part) in self.chunks.iter().zip(scalars.chunks(self.chunk)) {
                    total += gpu::msm_resident::<P>(g, bases, part, self.layout)?;
                }
                Ok(total)
            }
        }
    }
}

impl<P: DeviceCurve> DeviceBases<'static, P> {
    /// As [`DeviceBases::new`], keeping `bases` (for an owner that cannot hold a borrow, such as
    /// the C ABI's `ChkMsmBases` handle).
    pub fn from_vec(engine: &Engine, bases: Vec<Affine<P>>, cfg: &MsmConfig) -> Result<Self> {
        Self::checked(engine, Cow::Owned(bases), cfg)
    }
}

impl<'a, P: DeviceCurve> ValidBases<'a, P> {
    /// These bases on `engine`'s device, without checking them again (`cfg.validate` ignored).
    pub fn to_device(&self, engine: &Engine, cfg: &MsmConfig) -> Result<DeviceBases<'a, P>> {
        DeviceBases::new(engine, self.as_slice(), &cfg.unvalidated())
    }
}

impl<P: DeviceCurve> Precomputed<P> {
    /// This table (every copy) on `engine`'s device, with its window; `cfg.device_memory` sets
    /// the chunks (`cfg.validate` and `cfg.window_bits` do not apply: the table was made with
    /// them).
    pub fn to_device(&self, engine: &Engine, cfg: &MsmConfig) -> Result<DeviceBases<'_, P>> {
        DeviceBases::upload(engine, Cow::Borrowed(self.table()), self.len(), self.layout(), cfg)
    }
}
