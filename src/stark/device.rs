//! The quotient on a device: `kernels/stark/quotient.cuh` interprets the [`ConstraintProgram`]
//! per row of the quotient domain, one launch. The trace's evaluations are read where the fused
//! LDE commit left them on the device ([`quotient_values_in_place`]), or uploaded from a host
//! matrix; the program, constants and Z_H's few values are uploaded (the kernel computes each
//! point's selectors), the quotient downloaded — or, for
//! cherenkov's fused PCS, split into its chunks where it lies ([`quotient_chunks_in_place`]) for
//! a commit that extends and hashes them there.

use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{ExtensionField, Field, TwoAdicField};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::{Dimensions, Matrix};
use rayon::prelude::*;

use super::program::ConstraintProgram;
use super::quotient::{check_inputs, fold_coefficients, quotient_values};
use crate::backend::{plan, DeviceBuffer, Engine, Gpu, Launch};
use crate::error::{Error, Result};
use crate::field::DeviceField;
use crate::merkle::MerkleTree;

/// [`quotient_values`] on `engine`: the cpu path on [`Engine::Cpu`], the kernel on a device
/// (BabyBear and KoalaBear with their degree-4 extensions). Equal on every engine.
pub fn quotient_values_on<F, EF, M>(
    engine: &Engine,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    trace_on_quotient_domain: &M,
    alpha: EF,
) -> Result<Vec<EF>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
    M: Matrix<F> + Sync,
{
    check_domains(trace_domain, quotient_domain)?;
    match engine {
        Engine::Cpu => {
            quotient_values(program, public_values, trace_domain, quotient_domain, trace_on_quotient_domain, alpha)
        }
        Engine::Gpu(gpu) => {
            on_device(gpu, program, public_values, trace_domain, quotient_domain, trace_on_quotient_domain, alpha)
        }
    }
}

fn kernel_for<F: DeviceField + Field, EF: ExtensionField<F>>() -> Result<&'static str> {
    if EF::DIMENSION != 4 {
        return Err(Error::InvalidArgument("the device quotient folds into a degree-4 extension".into()));
    }
    match F::NAME {
        "babybear" => Ok("chk_stark_quotient_babybear"),
        "koalabear" => Ok("chk_stark_quotient_koalabear"),
        other => Err(Error::InvalidArgument(format!("no device quotient over {other}"))),
    }
}

/// The instructions as the kernel reads them: four words (op, dst, a, b) each.
fn instruction_words<F>(program: &ConstraintProgram<F>) -> Vec<u32> {
    program.instrs.iter().flat_map(|i| [i.op as u32, i.dst, i.a, i.b]).collect()
}

/// `words`, or one zero word for a buffer the kernel never reads (no constants, constraints or
/// columns): every buffer passed to a launch is a real allocation.
fn nonempty(mut words: Vec<u32>) -> Vec<u32> {
    if words.is_empty() {
        words.push(0);
    }
    words
}

/// The trace's evaluations over the quotient domain as the kernel reads them: uploaded row by
/// row from a host matrix, or the committed LDE where it lies on the device.
enum TraceRows<'a> {
    Upload(Vec<u32>),
    /// Rows in bit-reversed order; at least `size` of them.
    InPlace(&'a DeviceBuffer<u32>),
}

fn on_device<F, EF, M>(
    gpu: &Gpu,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    trace_on_quotient_domain: &M,
    alpha: EF,
) -> Result<Vec<EF>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
    M: Matrix<F> + Sync,
{
    check_inputs(program, public_values, quotient_domain.size(), trace_on_quotient_domain.dimensions())?;
    let size = quotient_domain.size();
    // Row-major words (over another PCS the evaluations are a bit-reversed view of its LDE),
    // each row written in place.
    let width = program.width;
    let mut trace_words = crate::mem::zeroed::<u32>(size * width)?;
    if width > 0 {
        trace_words.par_chunks_mut(width).enumerate().for_each(|(r, out)| {
            let row = trace_on_quotient_domain.row_slice(r).expect("row < height: checked");
            for (o, x) in out.iter_mut().zip(row.iter()) {
                *o = x.to_repr();
            }
        });
    }
    launch(gpu, program, public_values, trace_domain, quotient_domain, TraceRows::Upload(trace_words), alpha)
}

/// [`quotient_values_on`] reading the trace's evaluations from a tree committed on `gpu` by
/// cherenkov's fused LDE commit with its leaves kept there (`FusedPcs::commit_kept_on_device`,
/// `Mmcs::commit_lde_kept_on_device`): the tree's first matrix, in place, nothing uploaded but the program, constants and Z_H's values. `None` when the tree's
/// leaves are not on this device, or the quotient domain is not a prefix of the committed LDE
/// (`TwoAdicFriPcs::get_evaluations_on_domain`'s fast case: shift `GENERATOR`, at most as
/// tall); the caller then uploads the evaluations.
pub fn quotient_values_in_place<F, EF>(
    gpu: &Gpu,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    tree: &MerkleTree<F, RowMajorMatrix<F>>,
    alpha: EF,
) -> Option<Result<Vec<EF>>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
{
    let (rows, width) = rows_in_place(gpu, quotient_domain, tree)?;
    let size = quotient_domain.size();
    Some(check_inputs(program, public_values, size, Dimensions { width, height: size }).and_then(|()| {
        launch(gpu, program, public_values, trace_domain, quotient_domain, TraceRows::InPlace(rows), alpha)
    }))
}

/// The tree's first matrix (rows, width) when it lies on `gpu` and the quotient domain is a
/// prefix of it (`get_evaluations_on_domain`'s fast case: shift `GENERATOR`, at most as tall).
fn rows_in_place<'a, F: TwoAdicField>(
    gpu: &Gpu,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    tree: &'a MerkleTree<F, RowMajorMatrix<F>>,
) -> Option<(&'a DeviceBuffer<u32>, usize)> {
    let leaves = tree.device_leaves()?;
    let rows = leaves.rows_on(gpu, 0)?;
    let (height, width) = leaves.dims(0)?;
    (quotient_domain.shift() == F::GENERATOR && height >= quotient_domain.size()).then_some((rows, width))
}

/// [`quotient_values_in_place`], the quotient left on the device and split there into
/// `num_chunks` buffers as p3-commit's `split_evals` splits it (chunk j: rows j, j + c, …; each
/// row one extension element, 4 words), for a commit that reads them in place.
#[allow(unsafe_code)] // one launch a chunk over buffers sized here
#[allow(clippy::too_many_arguments)] // quotient_values_in_place's, and the chunk count
pub(crate) fn quotient_chunks_in_place<F, EF>(
    gpu: &Gpu,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    tree: &MerkleTree<F, RowMajorMatrix<F>>,
    alpha: EF,
    num_chunks: usize,
) -> Option<Result<Vec<DeviceBuffer<u32>>>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
{
    let (rows, width) = rows_in_place(gpu, quotient_domain, tree)?;
    let size = quotient_domain.size();
    Some((|| {
        check_inputs(program, public_values, size, Dimensions { width, height: size })?;
        if num_chunks == 0 || !num_chunks.is_power_of_two() || num_chunks > size {
            return Err(Error::InvalidArgument(format!("{num_chunks} quotient chunks of {size} rows")));
        }
        let q = launch_resident(
            gpu,
            program,
            public_values,
            trace_domain,
            quotient_domain,
            TraceRows::InPlace(rows),
            alpha,
        )?;
        let name = match F::NAME {
            "babybear" => "chk_stark_quotient_chunk_babybear",
            "koalabear" => "chk_stark_quotient_chunk_koalabear",
            other => return Err(Error::InvalidArgument(format!("no device quotient over {other}"))),
        };
        let rows_per_chunk = size / num_chunks;
        let (grid, block) = plan::elementwise(rows_per_chunk as u64, &gpu.props())
            .ok_or_else(|| Error::InvalidArgument("an empty quotient chunk".into()))?;
        (0..num_chunks)
            .map(|j| {
                let out = gpu.alloc_uninit::<u32>(4 * rows_per_chunk)?;
                let l = Launch::new(name, grid, block)
                    .buf(&q)
                    .u64(rows_per_chunk as u64)
                    .u32(num_chunks as u32)
                    .u32(j as u32)
                    .buf(&out);
                // SAFETY: `q` holds size = rows_per_chunk · num_chunks elements of 4 words, `out`
                // rows_per_chunk; j < num_chunks.
                unsafe { gpu.launch(&l)? };
                Ok(out)
            })
            .collect()
    })())
}

/// The quotient over `quotient_domain`, downloaded.
fn launch<F, EF>(
    gpu: &Gpu,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    trace: TraceRows<'_>,
    alpha: EF,
) -> Result<Vec<EF>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
{
    if quotient_domain.size() == 0 {
        return Ok(Vec::new());
    }
    let out = launch_resident(gpu, program, public_values, trace_domain, quotient_domain, trace, alpha)?;
    let words = F::decode_vec(gpu.download(&out)?)?;
    Ok(words.chunks_exact(4).map(|c| EF::from_basis_coefficients_fn(|d| c[d])).collect())
}

/// p3-commit's `selectors_on_coset` conditions (it panics on others), as an error: the trace
/// domain a subgroup, the quotient domain a coset off it and at least as large. Returns
/// log2 of the quotient domain's size over the trace domain's.
fn check_domains<F: TwoAdicField>(
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
) -> Result<usize> {
    if trace_domain.shift() != F::ONE
        || quotient_domain.shift() == F::ONE
        || quotient_domain.log_size() < trace_domain.log_size()
    {
        return Err(Error::InvalidArgument(format!(
            "a quotient domain of 2^{} points shifted by {:?} over a trace domain of 2^{} shifted by {:?} (p3-uni-stark's are a coset of at least the trace's size, over the subgroup)",
            quotient_domain.log_size(),
            quotient_domain.shift(),
            trace_domain.log_size(),
            trace_domain.shift()
        )));
    }
    Ok(quotient_domain.log_size() - trace_domain.log_size())
}

/// Z_H(x) = x^n − 1 over the quotient domain takes `2^rate_bits` values (x^n = shift^n · ω^j,
/// ω of order 2^rate_bits): those values, then their inverses — what p3-commit's
/// `selectors_on_coset` computes, for the kernel to index by row (`stark_domain_t`).
fn vanishing_table<F: TwoAdicField>(
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
) -> Result<Vec<F>> {
    let rate_bits = check_domains(trace_domain, quotient_domain)?;
    let s_pow_n = quotient_domain.shift().exp_power_of_2(trace_domain.log_size());
    let mut table: Vec<F> =
        F::two_adic_generator(rate_bits).powers().take(1 << rate_bits).map(|w| s_pow_n * w - F::ONE).collect();
    let inverses = p3_field::batch_multiplicative_inverse(&table);
    table.extend(inverses);
    Ok(table)
}

/// The quotient over `quotient_domain` on the device: 4 words a row, natural order.
#[allow(unsafe_code)] // one launch over buffers sized from the program and the domain
fn launch_resident<F, EF>(
    gpu: &Gpu,
    program: &ConstraintProgram<F>,
    public_values: &[F],
    trace_domain: TwoAdicMultiplicativeCoset<F>,
    quotient_domain: TwoAdicMultiplicativeCoset<F>,
    trace: TraceRows<'_>,
    alpha: EF,
) -> Result<DeviceBuffer<u32>>
where
    F: TwoAdicField + DeviceField<Repr = u32>,
    EF: ExtensionField<F>,
{
    let size = quotient_domain.size();
    let name = kernel_for::<F, EF>()?;
    let zh = vanishing_table(trace_domain, quotient_domain)?;
    let rate_bits = quotient_domain.log_size() - trace_domain.log_size();
    let constants: Vec<F> = program.constants.iter().chain(public_values).copied().collect();
    let coefficients = fold_coefficients::<F, EF>(program.constraints, alpha);

    let (grid, block) = plan::elementwise(size as u64, &gpu.props())
        .ok_or_else(|| Error::InvalidArgument("an empty quotient domain".into()))?;
    let threads = (grid.volume() * block.volume()) as usize;
    // The program, constants, Z_H's values and coefficients in one upload.
    let (d_in, at) = gpu.upload_packed(&[
        &instruction_words(program),
        &F::encode_slice(&constants),
        &F::encode_slice(&zh),
        &F::encode_slice(&coefficients),
    ])?;
    let uploaded;
    let (d_trace, reversed) = match trace {
        TraceRows::Upload(words) => {
            uploaded = gpu.upload(&nonempty(words))?;
            (&uploaded, 0)
        }
        TraceRows::InPlace(rows) => (rows, 1),
    };
    let d_temps = gpu.alloc_uninit::<u32>((program.temporaries * threads).max(1))?;
    let d_out = gpu.alloc_uninit::<u32>(4 * size)?;
    let launch = Launch::new(name, grid, block)
        .buf_at(&d_in, at[0])
        .u32(program.instrs.len() as u32)
        .u32(program.selector_base() as u32)
        .u32(program.local_base() as u32)
        .u32(program.next_base() as u32)
        .u32(program.fixed_slots() as u32)
        .u32(program.width as u32)
        .u32(size.trailing_zeros())
        .u32((size / trace_domain.size()) as u32)
        .u32(reversed)
        .buf_at(&d_in, at[1])
        .buf_at(&d_in, at[2])
        .u32(rate_bits as u32)
        .u32(program.uses_selectors() as u32)
        .val(quotient_domain.shift().to_repr())
        .val(quotient_domain.subgroup_generator().to_repr())
        .val(trace_domain.subgroup_generator().inverse().to_repr())
        .buf(d_trace)
        .buf_at(&d_in, at[3])
        .buf(&d_temps)
        .buf(&d_out);
    // SAFETY: every slot an instruction names lies in its region (the program was compiled for
    // this width and these public values: checked by the callers); the Z_H table holds
    // 2 · 2^rate_bits values (the kernel indexes it by row mod 2^rate_bits), the trace at least size·width (uploaded: exactly; in place: the LDE, at least
    // `size` rows of this width, checked), the coefficients 4 per constraint, the temporaries
    // one per slot and thread of this grid, the output 4 per row.
    unsafe { gpu.launch(&launch)? };
    Ok(d_out)
}
