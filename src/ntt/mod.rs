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
pub mod plan;
mod twiddles;

use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};

pub use field::NttField;

use crate::backend::Engine;
use crate::error::{Error, Result};

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

/// What a self-check asks of a result: `Err(detail)` when `output` is not the transform of
/// `input`.
type Check<'a, F> = &'a dyn Fn(&[F], &[F], &mut rand::rngs::StdRng) -> std::result::Result<(), String>;

fn execute<F: NttField>(
    engine: &Engine,
    steps: &[plan::Step<F>],
    values: Vec<F>,
    width: usize,
    check: Check<'_, F>,
) -> Result<Vec<F>> {
    match engine {
        Engine::Cpu => cpu::run(steps, values, width),
        // Unchecked, the input's memory takes the result (a self-check needs the input after).
        Engine::Gpu(g) if g.self_check().is_none() => gpu::run_in_place(g, steps, values, width),
        Engine::Gpu(g) => on_device(g, steps, &values, width, check),
    }
}

/// The plan on `g`, its result checked on the host when the engine asks for it.
fn on_device<F: NttField>(
    g: &crate::backend::Gpu,
    steps: &[plan::Step<F>],
    values: &[F],
    width: usize,
    check: Check<'_, F>,
) -> Result<Vec<F>> {
    crate::verify::device_result(
        g,
        "ntt",
        gpu::run(g, steps, values, width),
        |out, rng, _| check(values, out, rng),
        || cpu::run(steps, values.to_vec(), width),
    )
}

/// Transforms every column of the row-major matrix `values` (`width` columns).
pub fn transform_batch<F: NttField>(engine: &Engine, values: Vec<F>, width: usize, t: Transform<F>) -> Result<Vec<F>> {
    let steps = transform_plan(values.len(), width, t)?;
    execute(engine, &steps, values, width, &|i, o, rng| crate::verify::ntt::transform(i, o, width, &t, rng))
}

/// [`transform_batch`] on a device, the input borrowed.
pub(crate) fn transform_batch_on_device<F: NttField>(
    gpu: &crate::backend::Gpu,
    values: &[F],
    width: usize,
    t: Transform<F>,
) -> Result<Vec<F>> {
    let steps = transform_plan(values.len(), width, t)?;
    on_device(gpu, &steps, values, width, &|i, o, rng| crate::verify::ntt::transform(i, o, width, &t, rng))
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
    let steps = lde_plan(&values, width, added_bits, shift, output)?;
    let check = |i: &[F], o: &[F], rng: &mut _| crate::verify::ntt::lde(i, o, width, added_bits, shift, output, rng);
    execute(engine, &steps, values, width, &check)
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
    let steps = lde_plan(values, width, added_bits, shift, output)?;
    let check = |i: &[F], o: &[F], rng: &mut _| crate::verify::ntt::lde(i, o, width, added_bits, shift, output, rng);
    on_device(gpu, &steps, values, width, &check)
}

/// [`coset_lde_batch`] on a device, the result left there (device encoding, `output` order).
pub(crate) fn coset_lde_on_device<F: NttField>(
    gpu: &crate::backend::Gpu,
    values: &[F],
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<crate::backend::DeviceBuffer<F::Repr>> {
    let steps = lde_plan(values, width, added_bits, shift, output)?;
    gpu::run_on_device(gpu, &steps, values, width)
}

/// The checked plan of an LDE.
fn lde_plan<F: NttField>(
    values: &[F],
    width: usize,
    added_bits: usize,
    shift: F,
    output: Order,
) -> Result<Vec<plan::Step<F>>> {
    let log_n = log_height::<F>(values.len(), width)?;
    check_shift(shift)?;
    let log_big = log_n as usize + added_bits;
    if log_big > F::TWO_ADICITY {
        return Err(Error::HeightTooLarge { log_height: log_big, max_log_height: F::TWO_ADICITY });
    }
    values
        .len()
        .checked_shl(added_bits as u32)
        .filter(|l| l >> added_bits == values.len() && *l <= isize::MAX as usize / size_of::<F>())
        .ok_or_else(|| Error::SizeOverflow(format!("LDE of {} elements by 2^{added_bits}", values.len())))?;
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
