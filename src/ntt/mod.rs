//! Number-theoretic transforms over BabyBear, KoalaBear (and their extensions, as base-field
//! columns) and BN254 Fr, batched over the columns of a row-major matrix, on every backend.
//!
//! Each column of a `height × width` row-major matrix is one polynomial (Plonky3's layout).
//! Heights are powers of two up to 2^TWO_ADICITY. Results equal Plonky3's `Radix2DitParallel`
//! and arkworks' `Radix2EvaluationDomain` for the same input, bit for bit.
//!
//! The transform is planned once ([`plan`]) and the plan runs on the cpu or on a device.

#[allow(unsafe_code)] // one uninitialised-allocation helper, see cpu::par_build
mod cpu;
pub mod field;
mod gpu;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)] // SIMD intrinsics: aligned loads and stores through raw pointers
mod lanes;
pub mod plan;
mod twiddles;

use std::borrow::Cow;

use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};
use rand::rngs::StdRng;
use rand::SeedableRng;

pub use field::NttField;

use crate::backend::Engine;
use crate::error::{Error, Result};
use crate::verify::ntt::{Combiner, Relation};
use crate::verify::OnFailure;

/// Evaluation (forward) or interpolation (inverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Coefficients → evaluations on `shift · H`.
    Forward,
    /// Evaluations on `shift · H` → coefficients.
    Inverse,
}

/// How rows are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Natural,
    /// Row `i` holds what natural order keeps at row `bitrev(i)`.
    BitReversed,
}

/// One transform: direction, coset shift (`one` for the subgroup itself) and row orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transform<F> {
    pub direction: Direction,
    pub shift: F,
    pub input: Order,
    pub output: Order,
}

impl<F: NttField> Transform<F> {
    /// Natural order in and out, no coset: Plonky3's `dft_batch` / `idft_batch`.
    pub fn new(direction: Direction) -> Self {
        Self { direction, shift: F::one(), input: Order::Natural, output: Order::Natural }
    }
    pub fn coset(mut self, shift: F) -> Self {
        self.shift = shift;
        self
    }
    pub fn orders(mut self, input: Order, output: Order) -> Self {
        self.input = input;
        self.output = output;
        self
    }
}

/// log2 of the height of a `len`-element matrix of `width` columns, checked.
fn log_height<F: NttField>(len: usize, width: usize) -> Result<u32> {
    if width == 0 {
        return Err(Error::InvalidShape("width is 0".into()));
    }
    if !len.is_multiple_of(width) {
        return Err(Error::InvalidShape(format!("{len} elements are not a whole number of rows of width {width}")));
    }
    let height = len / width;
    if !height.is_power_of_two() {
        return Err(Error::NotPowerOfTwo { what: "height", value: height });
    }
    let log_n = height.trailing_zeros();
    if log_n as usize > F::TWO_ADICITY {
        return Err(Error::HeightTooLarge { log_height: log_n as usize, max_log_height: F::TWO_ADICITY });
    }
    Ok(log_n)
}

fn execute<F: NttField>(
    engine: &Engine,
    steps: &[plan::Step<F>],
    values: Vec<F>,
    width: usize,
    rel: Relation<F>,
) -> Result<Vec<F>> {
    match engine {
        Engine::Cpu => cpu::run(steps, values, width),
        Engine::Gpu(g) => on_device(g, steps, Cow::Owned(values), width, rel),
    }
}

/// The plan on `g`, its result checked on the host when the engine asks for it: the input's and
/// the output's rows are combined as they cross to and from the device (the transfers' own
/// passes), then the relation is checked on the combined rows. An owned input's memory takes
/// the result, unless a recomputation on the cpu may need the input afterwards.
fn on_device<F: NttField>(
    g: &crate::backend::Gpu,
    steps: &[plan::Step<F>],
    values: Cow<'_, [F]>,
    width: usize,
    rel: Relation<F>,
) -> Result<Vec<F>> {
    let Some(policy) = g.self_check().map(|c| c.on_failure) else {
        return match values {
            Cow::Owned(v) => gpu::run_in_place(g, steps, v, width, None),
            Cow::Borrowed(v) => gpu::run(g, steps, v, width, None),
        };
    };
    let cin = Combiner::new(width, &mut StdRng::seed_from_u64(rand::random()));
    let cout = cin.twin();
    let rows_in = values.len() / width;
    let check = |out: &Vec<F>, rng: &mut StdRng, _: usize| {
        rel.holds(&cin.finish(rows_in)?, &cout.finish(out.len() / width)?, width, rng)
    };
    match (values, policy) {
        (Cow::Owned(v), OnFailure::Error) => {
            let out = gpu::run_in_place(g, steps, v, width, Some((&cin, &cout)));
            // The policy answers a failure with the error: no recomputation needs the input.
            let none = || Err(Error::InvalidArgument("no input kept to recompute from".into()));
            crate::verify::device_result(g, "ntt", out, check, none)
        }
        (values, _) => {
            let out = gpu::run(g, steps, &values, width, Some((&cin, &cout)));
            crate::verify::device_result(g, "ntt", out, check, || cpu::run(steps, values.to_vec(), width))
        }
    }
}

/// Transforms every column of the row-major matrix `values` (`width` columns).
pub fn transform_batch<F: NttField>(engine: &Engine, values: Vec<F>, width: usize, t: Transform<F>) -> Result<Vec<F>> {
    let steps = transform_plan(values.len(), width, t)?;
    execute(engine, &steps, values, width, Relation::Transform(t))
}

/// [`transform_batch`] on a device, the input borrowed.
pub(crate) fn transform_batch_on_device<F: NttField>(
    gpu: &crate::backend::Gpu,
    values: &[F],
    width: usize,
    t: Transform<F>,
) -> Result<Vec<F>> {
    let steps = transform_plan(values.len(), width, t)?;
    on_device(gpu, &steps, Cow::Borrowed(values), width, Relation::Transform(t))
}

/// A coset `shift · H` needs `shift` != 0: an inverse divides by it, and a forward transform on
/// `0 · H` is no coset (every point is 0).
fn check_shift<F: NttField>(shift: F) -> Result<()> {
    if shift == F::zero() {
        return Err(Error::InvalidArgument("coset shift is 0 (a coset shift must be non-zero)".into()));
    }
    Ok(())
}

/// The checked plan of a transform of `len` elements in `width` columns.
fn transform_plan<F: NttField>(len: usize, width: usize, t: Transform<F>) -> Result<Vec<plan::Step<F>>> {
    let log_n = log_height::<F>(len, width)?;
    check_shift(t.shift)?;
    let (pre, post) = match t.direction {
        // y_i = Σ c_j (s g^i)^j: scale coefficient j by s^j first.
        Direction::Forward => ((t.shift != F::one()).then_some((F::one(), t.shift)), None),
        // c_j = s^-j · (1/n) Σ y_i g^-ij.
        Direction::Inverse => (None, Some((F::from_u64(1 << log_n).inv(), t.shift.inv()))),
    };
    Ok(plan::transform(log_n, t.direction, t.input, t.output, pre, post))
}

/// Low-degree extension: columns of `values` are evaluations on the subgroup H of order
/// `height`; returns the evaluations of the same polynomials on `shift · K`, K of order
/// `height << added_bits`, in `output` order. Plonky3's `coset_lde_batch` (natural order).
///
/// On the cpu the result is built in `values`' own allocation: a vector with capacity for the
/// whole LDE is used as is, otherwise it grows (a remap for big buffers, not a copy).
pub fn coset_lde_batch<F: NttField>(
    engine: &Engine,
    values: Vec<F>,
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<Vec<F>> {
    let steps = lde_plan::<F>(values.len(), width, added_bits, shift, output)?;
    execute(engine, &steps, values, width, Relation::Lde { added_bits, shift, order: output })
}

/// [`coset_lde_batch`] on a device, the input borrowed.
pub(crate) fn coset_lde_batch_on_device<F: NttField>(
    gpu: &crate::backend::Gpu,
    values: &[F],
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<Vec<F>> {
    let steps = lde_plan::<F>(values.len(), width, added_bits, shift, output)?;
    on_device(gpu, &steps, Cow::Borrowed(values), width, Relation::Lde { added_bits, shift, order: output })
}

/// [`coset_lde_batch`] on a device, the result left there (device encoding, `output` order);
/// the input's rows shown to `seen` (a self-check's combiner) as they are uploaded.
pub(crate) fn coset_lde_on_device<F: NttField>(
    gpu: &crate::backend::Gpu,
    values: &[F],
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
    seen: Option<&Combiner<F>>,
) -> Result<crate::backend::DeviceBuffer<F::Repr>> {
    let steps = lde_plan::<F>(values.len(), width, added_bits, shift, output)?;
    gpu::run_on_device_seen(gpu, &steps, values, width, seen)
}

/// [`coset_lde_on_device`] of rows already on the device (`rows`, device encoding, consumed:
/// the passes may run in place).
pub(crate) fn coset_lde_resident<F: NttField>(
    gpu: &crate::backend::Gpu,
    rows: crate::backend::DeviceBuffer<F::Repr>,
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<crate::backend::DeviceBuffer<F::Repr>> {
    let steps = lde_plan::<F>(rows.len(), width, added_bits, shift, output)?;
    gpu::run_resident(gpu, &steps, rows, width)
}

/// The checked plan of an LDE of `len` elements in rows of `width`.
fn lde_plan<F: NttField>(
    len: usize,
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<Vec<plan::Step<F>>> {
    let log_n = log_height::<F>(len, width)?;
    check_shift(shift)?;
    let log_big = log_n as usize + added_bits;
    if log_big > F::TWO_ADICITY {
        return Err(Error::HeightTooLarge { log_height: log_big, max_log_height: F::TWO_ADICITY });
    }
    len.checked_shl(added_bits as u32)
        .filter(|l| l >> added_bits == len && *l <= isize::MAX as usize / size_of::<F>())
        .ok_or_else(|| Error::SizeOverflow(format!("LDE of {len} elements by 2^{added_bits}")))?;
    let inv_n = F::from_u64(1 << log_n).inv();
    Ok(plan::coset_lde(log_n, added_bits as u32, inv_n, shift, output))
}

/// [`transform_batch`] for a matrix over an extension (any `BasedVectorSpace<F>`, e.g.
/// `BinomialExtensionField<F, 4>`): the transform is linear over F, so it runs on the base
/// coordinates as `width × DIMENSION` columns. The shift is in F.
pub fn transform_batch_algebra<F: NttField + PrimeCharacteristicRing, V: BasedVectorSpace<F> + Send + Sync>(
    engine: &Engine,
    values: Vec<V>,
    width: usize,
    t: Transform<F>,
) -> Result<Vec<V>> {
    let base = transform_batch(engine, V::flatten_to_base(values), width * V::DIMENSION, t)?;
    Ok(V::reconstitute_from_base(base))
}

/// [`coset_lde_batch`] for extension-field matrices, as [`transform_batch_algebra`].
pub fn coset_lde_batch_algebra<F: NttField + PrimeCharacteristicRing, V: BasedVectorSpace<F> + Send + Sync>(
    engine: &Engine,
    values: Vec<V>,
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<Vec<V>> {
    let base = coset_lde_batch(engine, V::flatten_to_base(values), width * V::DIMENSION, added_bits, shift, output)?;
    Ok(V::reconstitute_from_base(base))
}
