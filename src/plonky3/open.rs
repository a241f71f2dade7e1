//! [`FusedPcs`]'s openings: p3-fri's `TwoAdicFriPcs::open` step for step (the same transcript,
//! opened values and proof), with each matrix whose LDE a fused commit kept on the device
//! (`FusedPcs::commit_kept_on_device`) opened there: its columns evaluated at the opening points
//! and its rows compressed by powers of α by `kernels/stark/open.cuh`, so a width-W, height-H
//! LDE sends W values per point to the host instead of its W · H values. When every matrix lies
//! there, the reduced openings are combined there too and FRI's commit phase starts from them
//! (`super::fri`); the query phase then gathers only the opened rows
//! ([`crate::merkle::MerkleTree::rows_batch`]). Other matrices are opened on the host as p3-fri
//! opens them (their compressed rows come down, the reduced openings are combined on the host).
//! Under the engine's self-check and after a device failure FRI runs on the host.

use std::marker::PhantomData;

use p3_challenger::{CanObserve, FieldChallenger, GrindingChallenger};
use p3_commit::{OpenedValues, OpeningRequest};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::extension::BinomiallyExtendable;
use p3_field::{
    batch_multiplicative_inverse, dot_product, BasedVectorSpace, Field, PrimeCharacteristicRing, PrimeField64,
    TwoAdicField,
};
use p3_fri::{prover, FriParameters, FriProof, FriProverError, PcsProverTranscript, PcsShape, TwoAdicFriFolding};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::interpolation::{compute_adjusted_weights, Interpolate};
use p3_matrix::Matrix;
use rayon::prelude::*;

use super::config::{Challenge, ChallengeMmcs};
use super::grind::Grinding;
use super::{Commitment, FusedPcs, LdeTree, Mmcs};
use crate::backend::{DeviceBuffer, Dim3, Engine, Gpu, Launch};
use crate::error::{Error, Result};
use crate::ntt::NttField;
use crate::poseidon2::Poseidon2Hasher;

/// The proof `TwoAdicFriPcs::open` returns.
pub type OpeningProof<F> = FriProof<Challenge<F>, ChallengeMmcs<F>, F, Vec<p3_fri::BatchMultiOpening<F, Mmcs<F>>>>;

/// Rows a thread block of the column evaluation sums before the partial sums are added.
const CHUNK_ROWS: usize = 256;
/// Threads per block of the opening kernels.
const THREADS: u32 = 256;

/// One committed matrix as the opening reads it.
enum Opened<'a, F> {
    Host(&'a RowMajorMatrix<F>),
    Device { gpu: &'a Gpu, rows: &'a DeviceBuffer<u32>, height: usize, width: usize },
}

impl<F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>> Opened<'_, F> {
    fn height(&self) -> usize {
        match self {
            Self::Host(m) => m.height(),
            Self::Device { height, .. } => *height,
        }
    }
    fn width(&self) -> usize {
        match self {
            Self::Host(m) => m.width(),
            Self::Device { width, .. } => *width,
        }
    }

    /// Each column of the first `h` rows (the low coset `GENERATOR · H`, bit-reversed) at each
    /// point: `interpolate_coset_with_precomputation(GENERATOR, point, adjusted)`.
    fn columns_at(&self, h: usize, points: &[(Challenge<F>, &[Challenge<F>])]) -> Result<Vec<Vec<Challenge<F>>>> {
        let mut evals = match self {
            Self::Host(m) => {
                let low = m.split_rows(h).0;
                return Ok(points
                    .iter()
                    .map(|&(z, adjusted)| low.interpolate_coset_with_precomputation(F::GENERATOR, z, &adjusted[..h]))
                    .collect());
            }
            Self::Device { gpu, rows, width, .. } => {
                device_columns_many(gpu, &[(*rows, h, *width, points)])?.pop().expect("one job")
            }
        };
        scale_columns(h, points, &mut evals);
        Ok(evals)
    }

    /// Σ_c powers[c] · M[r][c] for every row r.
    fn compress(&self, powers: &[Challenge<F>]) -> Result<Vec<Challenge<F>>> {
        match self {
            Self::Host(m) => {
                Ok(m.par_row_slices().map(|row| row.iter().zip(powers).map(|(&x, &p)| p * x).sum()).collect())
            }
            Self::Device { gpu, rows, height, width } => device_compress(gpu, rows, *height, *width, powers),
        }
    }
}

fn kernel(op: &str, field: &str) -> Result<&'static str> {
    Ok(match (op, field) {
        ("columns", "babybear") => "chk_stark_open_columns_babybear",
        ("columns", "koalabear") => "chk_stark_open_columns_koalabear",
        ("sum", "babybear") => "chk_stark_sum_partials_babybear",
        ("sum", "koalabear") => "chk_stark_sum_partials_koalabear",
        ("compress", "babybear") => "chk_stark_compress_rows_babybear",
        ("compress", "koalabear") => "chk_stark_compress_rows_koalabear",
        ("reduce", "babybear") => "chk_stark_reduce_opening_babybear",
        ("reduce", "koalabear") => "chk_stark_reduce_opening_koalabear",
        _ => return Err(Error::InvalidArgument(format!("no device opening over {field}"))),
    })
}

pub(super) fn to_words<F: Poseidon2Hasher + BinomiallyExtendable<4>>(values: &[Challenge<F>]) -> Vec<u32> {
    let base: Vec<F> = values.iter().flat_map(|v| v.as_basis_coefficients_slice().to_vec()).collect();
    F::encode_slice(&base).into_owned()
}

pub(super) fn from_words<F: Poseidon2Hasher + BinomiallyExtendable<4>>(words: Vec<u32>) -> Result<Vec<Challenge<F>>> {
    let base = F::decode_vec(words)?;
    Ok(base.chunks_exact(4).map(|c| Challenge::<F>::from_basis_coefficients_fn(|d| c[d])).collect())
}

pub(super) fn u32_of(n: usize, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::SizeOverflow(format!("{what} ({n}) for a 32-bit kernel index")))
}

/// `interpolate_coset_with_precomputation`'s scaling, on the column sums over the first `h`
/// rows at each point.
fn scale_columns<F: TwoAdicField + BinomiallyExtendable<4>>(
    h: usize,
    points: &[(Challenge<F>, &[Challenge<F>])],
    evals: &mut [Vec<Challenge<F>>],
) {
    let log_h = h.trailing_zeros() as usize;
    for ((z, _), e) in points.iter().zip(evals) {
        let z_pow_n = z.exp_power_of_2(log_h);
        let g_pow_n = F::GENERATOR.exp_power_of_2(log_h);
        let denom_inv = g_pow_n.mul_2exp_u64(log_h as u64).inverse();
        let scaling = *z * (z_pow_n - g_pow_n) * denom_inv;
        e.iter_mut().for_each(|v| *v *= scaling);
    }
}

/// An opening point with its barycentric weights over the low coset.
type WeightedPoint<'a, F> = (Challenge<F>, &'a [Challenge<F>]);

/// One matrix's column evaluation: its rows, the rows summed (`h`), its width, and the points
/// with their weights.
type ColumnsJob<'a, F> = (&'a DeviceBuffer<u32>, usize, usize, &'a [WeightedPoint<'a, F>]);

/// Unscaled column sums Σ_r adjusted_p[r] · M[r][c] over the first `h` rows, per point, of
/// every job's matrix (all on `gpu`): every job's weights in one upload, two launches a job,
/// every sum in one download.
#[allow(unsafe_code)] // launches over buffers sized here
fn device_columns_many<F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>>(
    gpu: &Gpu,
    jobs: &[ColumnsJob<'_, F>],
) -> Result<Vec<Vec<Vec<Challenge<F>>>>> {
    let live = |&(_, h, width, points): &ColumnsJob<'_, F>| width > 0 && h > 0 && !points.is_empty();
    let weights: Vec<Vec<u32>> = jobs
        .iter()
        .map(|job| {
            let (_, h, _, points) = *job;
            let w: Vec<Challenge<F>> = if live(job) {
                points.iter().flat_map(|(_, adjusted)| adjusted[..h].to_vec()).collect()
            } else {
                Vec::new()
            };
            to_words::<F>(&w)
        })
        .collect();
    // Output words of each job: 4 per (point, column).
    let out_words: Vec<usize> = jobs.iter().map(|j| if live(j) { 4 * j.3.len() * j.2 } else { 0 }).collect();
    let total = out_words.iter().sum::<usize>();
    if total == 0 {
        return Ok(jobs.iter().map(|j| vec![Vec::new(); j.3.len()]).collect());
    }
    let (d_weights, weights_at) = gpu.upload_packed(&weights.iter().map(Vec::as_slice).collect::<Vec<_>>())?;
    let d_out = gpu.alloc_uninit::<u32>(total)?;
    let mut out_at = 0;
    for ((job, &at), &words) in jobs.iter().zip(&weights_at).zip(&out_words) {
        let (rows, h, width, points) = *job;
        if !live(job) {
            continue;
        }
        let chunks = h.div_ceil(CHUNK_ROWS);
        let d_partials = gpu.alloc_uninit::<u32>(4 * chunks * points.len() * width)?;
        let (w32, h32, p32, c32) =
            (u32_of(width, "width")?, u32_of(h, "rows")?, u32_of(points.len(), "points")?, u32_of(chunks, "chunks")?);
        let blocks_x = w32.div_ceil(THREADS);
        let columns = Launch::new(kernel("columns", F::NAME)?, Dim3 { x: blocks_x, y: c32, z: 1 }, Dim3::x(THREADS))
            .buf(rows)
            .u32(w32)
            .u32(h32)
            .buf_at(&d_weights, at)
            .u32(p32)
            .u32(CHUNK_ROWS as u32)
            .buf(&d_partials);
        let sums = Launch::new(kernel("sum", F::NAME)?, Dim3::x((p32 * w32).div_ceil(THREADS)), Dim3::x(THREADS))
            .buf(&d_partials)
            .u32(w32)
            .u32(p32)
            .u32(c32)
            .buf_at(&d_out, out_at);
        // SAFETY: the matrix holds at least h rows of `width` words (h ≤ its height, checked by
        // the caller), the weights h per point from `at`, the partials 4 words per (chunk,
        // point, column), the output 4 per (point, column) from `out_at` (sized by their sum).
        unsafe {
            gpu.launch(&columns)?;
            gpu.launch(&sums)?;
        }
        out_at += words;
    }
    let mut values = from_words::<F>(gpu.download(&d_out)?)?.into_iter();
    Ok(jobs
        .iter()
        .map(|job| {
            let (_, _, width, points) = *job;
            if !live(job) {
                return vec![Vec::new(); points.len()];
            }
            (0..points.len()).map(|_| values.by_ref().take(width).collect()).collect()
        })
        .collect())
}

/// Σ_c powers[c] · M[r][c] for every row r < height.
fn device_compress<F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>>(
    gpu: &Gpu,
    rows: &DeviceBuffer<u32>,
    height: usize,
    width: usize,
    powers: &[Challenge<F>],
) -> Result<Vec<Challenge<F>>> {
    if width == 0 {
        // Nothing to combine: no upload, launch or copy.
        return Ok(Challenge::<F>::zero_vec(height));
    }
    let d_powers = gpu.upload(&to_words::<F>(&powers[..width]))?;
    from_words::<F>(gpu.download(&device_compress_resident::<F>(gpu, rows, height, width, (&d_powers, 0))?)?)
}

/// [`device_compress`], the compressed rows left on the device (4 words a row).
#[allow(unsafe_code)] // one launch over buffers sized here
fn device_compress_resident<F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>>(
    gpu: &Gpu,
    rows: &DeviceBuffer<u32>,
    height: usize,
    width: usize,
    (powers, powers_at): (&DeviceBuffer<u32>, usize),
) -> Result<DeviceBuffer<u32>> {
    if width == 0 {
        return gpu.alloc::<u32>(4 * height);
    }
    if powers.len().saturating_sub(powers_at) < 4 * width {
        return Err(Error::LengthMismatch {
            what: "powers of alpha (words)",
            expected: 4 * width,
            got: powers.len().saturating_sub(powers_at),
        });
    }
    let d_out = gpu.alloc_uninit::<u32>(4 * height)?;
    // One warp a row.
    let rows_per_block = (THREADS / 32) as usize;
    let blocks = u32_of(height.div_ceil(rows_per_block).min(1 << 16), "blocks")?;
    let launch = Launch::new(kernel("compress", F::NAME)?, Dim3::x(blocks), Dim3::x(THREADS))
        .buf(rows)
        .u32(u32_of(width, "width")?)
        .u64(height as u64)
        .buf_at(powers, powers_at)
        .buf(&d_out);
    // SAFETY: the matrix holds height rows of `width` words, the powers `width` values from
    // `powers_at` (checked), the output 4 words per row.
    unsafe { gpu.launch(&launch)? };
    Ok(d_out)
}

/// reduced[r] += (weighted − scale · compressed[r]) / (z − x_r) over the matrix's 2^log_rows
/// rows, x_r its bit-reversed LDE coset's points (`kernels/stark/open.cuh`).
#[allow(unsafe_code)] // one launch over buffers sized here
fn device_reduce<F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>>(
    gpu: &Gpu,
    compressed: &DeviceBuffer<u32>,
    log_rows: usize,
    [z, weighted, scale]: [Challenge<F>; 3],
    reduced: &DeviceBuffer<u32>,
) -> Result<()> {
    let rows = 1usize << log_rows;
    if compressed.len() != 4 * rows || reduced.len() != 4 * rows {
        return Err(Error::LengthMismatch { what: "reduced opening (words)", expected: 4 * rows, got: reduced.len() });
    }
    let ext = |v: Challenge<F>| -> [u32; 4] { to_words::<F>(&[v]).try_into().expect("4 words an element") };
    let blocks = u32_of(rows.div_ceil(THREADS as usize).min(1 << 16), "blocks")?;
    let launch = Launch::new(kernel("reduce", F::NAME)?, Dim3::x(blocks), Dim3::x(THREADS))
        .buf(compressed)
        .u32(u32_of(log_rows, "log2 of the rows")?)
        .val(F::GENERATOR.to_repr())
        .val(F::two_adic_generator(log_rows).to_repr())
        .val(ext(z))
        .val(ext(weighted))
        .val(ext(scale))
        .buf(reduced);
    // SAFETY: both buffers hold 2^log_rows elements of 4 words (checked above).
    unsafe { gpu.launch(&launch)? };
    Ok(())
}

/// What p3-fri's `prove_fri` asks of the transcript's challenger.
pub(super) trait FriChallenger<F: Field>:
    FieldChallenger<F> + CanObserve<Commitment<F>> + GrindingChallenger<Witness = F>
{
}
impl<F: Field, C> FriChallenger<F> for C where
    C: FieldChallenger<F> + CanObserve<Commitment<F>> + GrindingChallenger<Witness = F>
{
}

/// What [`FusedPcs`]'s `open` asks of the challenger: p3-fri's, `Clone` (a device FRI that fails
/// part-way restarts on the host from a saved copy) and `'static` (when it is cherenkov's own,
/// proof-of-work searches for the smallest witness, [`super::grind`]).
pub(super) trait OpeningChallenger<F: Field>: FriChallenger<F> + Clone + 'static {}
impl<F: Field, C: FriChallenger<F> + Clone + 'static> OpeningChallenger<F> for C {}

/// FRI's inputs, the reduced openings tallest first: on the host, or on the device (4 words an
/// element).
enum FriInput<F: BinomiallyExtendable<4>> {
    Host(Vec<Vec<Challenge<F>>>),
    Device(Vec<DeviceBuffer<u32>>),
}

/// The coset GENERATOR · K of 2^log_len points, bit-reversed (its prefixes are the smaller
/// cosets, bit-reversed).
fn bit_reversed_coset<F: TwoAdicField>(log_len: u32) -> Vec<F> {
    let mut points: Vec<F> =
        TwoAdicMultiplicativeCoset::new(F::GENERATOR, log_len as usize).expect("two-adic height").iter().collect();
    p3_util::reverse_slice_index_bits(&mut points);
    points
}

/// The reduced openings on the device (p3-fri's `open`): each matrix's rows compressed by α's
/// powers there, then for each of its points `(weighted − rescale · compressed) / (z − x)`
/// added into its height's sum there; tallest first. Every matrix must lie on `gpu`.
fn reduce_on_device<F>(
    gpu: &Gpu,
    mats: &[Vec<Opened<'_, F>>],
    requests: &[OpeningRequest<'_, LdeTree<F>, Challenge<F>>],
    opened: &OpenedValues<Challenge<F>>,
    alpha: Challenge<F>,
    alpha_powers: &[Challenge<F>],
) -> Result<Vec<DeviceBuffer<u32>>>
where
    F: Poseidon2Hasher + TwoAdicField + BinomiallyExtendable<4>,
{
    // Each matrix's powers of α, scaled by α^(columns reduced before it at its height), all in
    // one upload.
    let mut num_reduced = [0usize; 33];
    let mut powers = Vec::new();
    for (ms, r) in mats.iter().zip(requests) {
        for (m, points) in ms.iter().zip(&r.points) {
            let log_height = m.height().trailing_zeros() as usize;
            let first_offset = alpha.exp_u64(num_reduced[log_height] as u64);
            powers
                .push(to_words::<F>(&alpha_powers[..m.width()].iter().map(|&p| p * first_offset).collect::<Vec<_>>()));
            num_reduced[log_height] += points.len() * m.width();
        }
    }
    let (d_powers, powers_at) = gpu.upload_packed(&powers.iter().map(Vec::as_slice).collect::<Vec<_>>())?;
    let mut powers_at = powers_at.into_iter();

    let mut num_reduced = [0usize; 33];
    let mut reduced: [Option<DeviceBuffer<u32>>; 33] = core::array::from_fn(|_| None);
    for ((ms, r), openings_for_round) in mats.iter().zip(requests).zip(opened) {
        for ((m, points), openings_for_mat) in ms.iter().zip(&r.points).zip(openings_for_round) {
            let Opened::Device { rows, height, width, .. } = m else {
                return Err(Error::InvalidArgument("a matrix of the opening is on the host".into()));
            };
            let log_height = height.trailing_zeros() as usize;
            let sum = match &mut reduced[log_height] {
                Some(b) => b,
                slot => slot.insert(gpu.alloc::<u32>(4 * height)?),
            };
            let at = powers_at.next().expect("one set of powers a matrix");
            let compressed = device_compress_resident::<F>(gpu, rows, *height, *width, (&d_powers, at))?;
            for (point_index, (&z, openings)) in points.iter().zip(openings_for_mat).enumerate() {
                let offset = alpha.exp_u64(num_reduced[log_height] as u64);
                let weighted = offset * dot_product::<Challenge<F>, _, _>(alpha.powers(), openings.iter().copied());
                let rescale = alpha.exp_u64((point_index * width) as u64);
                device_reduce::<F>(gpu, &compressed, log_height, [z, weighted, rescale], sum)?;
                num_reduced[log_height] += width;
            }
        }
    }
    Ok(reduced.into_iter().rev().flatten().collect())
}

/// The index of `z`'s table (every opening point has one).
fn lookup<F: Field, T>(table: &[(F, T)], z: F) -> usize {
    table.iter().position(|(p, _)| *p == z).expect("every point has its table")
}

/// `FriParameters::validate_input_height` (crate-private in p3-fri): a committed height FRI
/// cannot fold to its final polynomial.
fn validate_input_height<M>(fri: &FriParameters<M>, log_height: usize) -> core::result::Result<(), FriProverError> {
    if fri.log_final_poly_len == 0 {
        return Ok(());
    }
    let log_final_height =
        fri.log_final_poly_len.checked_add(fri.log_blowup).ok_or(FriProverError::FinalHeightOverflow)?;
    if log_height <= log_final_height {
        return Err(FriProverError::InputHeightTooSmall { log_input_height: log_height, log_final_height });
    }
    Ok(())
}

impl<F> FusedPcs<F>
where
    F: Poseidon2Hasher + NttField + TwoAdicField + PrimeField64 + BinomiallyExtendable<4>,
{
    /// The device this PCS opens on when some request's LDE was kept there.
    fn opening_device(&self, requests: &[OpeningRequest<'_, LdeTree<F>, Challenge<F>>]) -> Option<&Gpu> {
        let Engine::Gpu(gpu) = self.mmcs().engine() else {
            return None;
        };
        requests.iter().any(|r| r.prover_data.device_leaves().and_then(|d| d.rows_on(gpu, 0)).is_some()).then_some(gpu)
    }

    /// `Pcs::open`: with a kept LDE on the device, [`FusedPcs::open_on_device`]; otherwise
    /// p3-fri's own.
    pub(super) fn open_requests<Challenger: OpeningChallenger<F>>(
        &self,
        requests: Vec<OpeningRequest<'_, LdeTree<F>, Challenge<F>>>,
        challenger: &mut Challenger,
    ) -> core::result::Result<(OpenedValues<Challenge<F>>, OpeningProof<F>), FriProverError> {
        match self.opening_device(&requests) {
            Some(gpu) => self.open_on_device(gpu, requests, challenger),
            None => {
                let mut grinding = Grinding::new(challenger, Some(self.mmcs()));
                p3_commit::Pcs::<Challenge<F>, Grinding<'_, Challenger, F>>::open(self.inner(), requests, &mut grinding)
            }
        }
    }

    /// p3-fri's `TwoAdicFriPcs::open` (two_adic_pcs.rs, 0.8), its O(height · width) passes over
    /// kept LDEs on `gpu`. A device failure reopens that matrix from its host copy.
    fn open_on_device<Challenger: OpeningChallenger<F>>(
        &self,
        gpu: &Gpu,
        requests: Vec<OpeningRequest<'_, LdeTree<F>, Challenge<F>>>,
        challenger: &mut Challenger,
    ) -> core::result::Result<(OpenedValues<Challenge<F>>, OpeningProof<F>), FriProverError> {
        let fri = self.fri();
        let mats: Vec<Vec<Opened<'_, F>>> = requests
            .iter()
            .map(|r| {
                let tree = r.prover_data;
                (0..tree.dims().len())
                    .map(|i| match tree.device_leaves().and_then(|d| d.rows_on(gpu, i).zip(d.dims(i))) {
                        Some((rows, (height, width))) => Opened::Device { gpu, rows, height, width },
                        None => Opened::Host(&tree.leaves()[i]),
                    })
                    .collect()
            })
            .collect();
        for m in mats.iter().flatten() {
            validate_input_height(fri, m.height().trailing_zeros() as usize)?;
        }
        let (global_max_height, global_max_width) = mats
            .iter()
            .flatten()
            .map(|m| (m.height(), m.width()))
            .reduce(|(h, w), (h2, w2)| (h.max(h2), w.max(w2)))
            .expect("No Matrices Supplied?");
        let log_global_max_height = global_max_height.trailing_zeros() as usize;

        // Each opening point's tallest matrix; 1/(z − x) over the bit-reversed coset
        // GENERATOR · K of `len >> bits` points (a prefix of a taller one's) on demand.
        let mut tallest: Vec<(Challenge<F>, usize)> = Vec::new();
        for (ms, r) in mats.iter().zip(&requests) {
            for (m, points) in ms.iter().zip(&r.points) {
                for &z in points {
                    match tallest.iter_mut().find(|(p, _)| *p == z) {
                        Some((_, h)) => *h = (*h).max(m.height()),
                        None => tallest.push((z, m.height())),
                    }
                }
            }
        }
        let inverse_denominators = |bits: usize| -> Vec<(Challenge<F>, Vec<Challenge<F>>)> {
            let log_len = (log_global_max_height - bits.min(log_global_max_height)) as u32;
            let coset = bit_reversed_coset::<F>(log_len);
            tallest
                .iter()
                .map(|&(z, h)| {
                    let diffs: Vec<Challenge<F>> = coset[..h >> bits].iter().map(|&x| z - x).collect();
                    (z, batch_multiplicative_inverse(&diffs))
                })
                .collect()
        };
        // The barycentric weights over the low coset (the first height / blowup rows).
        let adjusted: Vec<(Challenge<F>, Vec<Challenge<F>>)> = inverse_denominators(fri.log_blowup)
            .into_iter()
            .map(|(z, d)| (z, compute_adjusted_weights(z, &d)))
            .collect();

        // Each matrix's points with their weights; the matrices on `gpu` evaluated in one
        // batch (one upload, one download), which on failure is recorded and each matrix
        // evaluated where it lies, as the host ones are.
        let with_weights: Vec<Vec<Vec<WeightedPoint<'_, F>>>> = requests
            .iter()
            .map(|r| {
                r.points
                    .iter()
                    .map(|points| points.iter().map(|&z| (z, adjusted[lookup(&adjusted, z)].1.as_slice())).collect())
                    .collect()
            })
            .collect();
        let low = |m: &Opened<'_, F>| m.height() >> fri.log_blowup;
        let jobs: Vec<ColumnsJob<'_, F>> = mats
            .iter()
            .flatten()
            .zip(with_weights.iter().flatten())
            .filter_map(|(m, points)| match m {
                Opened::Device { rows, width, .. } => Some((*rows, low(m), *width, points.as_slice())),
                Opened::Host(_) => None,
            })
            .collect();
        let mut batched = match device_columns_many(gpu, &jobs) {
            Ok(evals) => Some(evals.into_iter()),
            Err(e) => {
                self.mmcs().fallback().record(&e);
                None
            }
        };
        let all_opened_values: OpenedValues<Challenge<F>> = mats
            .iter()
            .zip(&requests)
            .zip(&with_weights)
            .map(|((ms, r), weights)| {
                ms.iter()
                    .zip(weights)
                    .map(|(m, points)| match (m, batched.as_mut()) {
                        (Opened::Device { .. }, Some(evals)) => {
                            let mut e = evals.next().expect("a job per matrix on the device");
                            scale_columns(low(m), points, &mut e);
                            e
                        }
                        _ => self.on_device_or_host(m, r.prover_data, |o| o.columns_at(low(m), points)),
                    })
                    .collect()
            })
            .collect();

        let mut grinding = Grinding::new(challenger, Some(self.mmcs()));
        let mut transcript = PcsProverTranscript::<Grinding<'_, Challenger, F>, F, Challenge<F>>::new(
            &mut grinding,
            PcsShape::from_opened_values(fri, &all_opened_values),
        );
        transcript.claimed_openings(&all_opened_values);
        let (alpha, batch_pow_witness) = transcript.batch_phase();
        let batch_pow_witness = batch_pow_witness.unwrap_or(F::ZERO);
        let alpha_powers: Vec<Challenge<F>> = alpha.powers().take(global_max_width).collect();

        // The reduced openings FRI starts from (p3-fri's `open`), tallest first: on the host,
        // each matrix's compressed rows where it lies.
        let reduce_on_host = || -> Vec<Vec<Challenge<F>>> {
            let inv_denoms = inverse_denominators(0);
            let mut num_reduced = [0usize; 33];
            let mut reduced_openings: [Option<Vec<Challenge<F>>>; 33] = core::array::from_fn(|_| None);
            for ((ms, r), openings_for_round) in mats.iter().zip(&requests).zip(&all_opened_values) {
                for ((m, points), openings_for_mat) in ms.iter().zip(&r.points).zip(openings_for_round) {
                    let log_height = m.height().trailing_zeros() as usize;
                    let reduced =
                        reduced_openings[log_height].get_or_insert_with(|| Challenge::<F>::zero_vec(m.height()));
                    let first_offset = alpha.exp_u64(num_reduced[log_height] as u64);
                    let powers: Vec<Challenge<F>> =
                        alpha_powers[..m.width()].iter().map(|&p| p * first_offset).collect();
                    let compressed = self.on_device_or_host(m, r.prover_data, |o| o.compress(&powers));
                    for (point_index, (&z, openings)) in points.iter().zip(openings_for_mat).enumerate() {
                        let offset = alpha.exp_u64(num_reduced[log_height] as u64);
                        let weighted =
                            offset * dot_product::<Challenge<F>, _, _>(alpha.powers(), openings.iter().copied());
                        let inv = &inv_denoms[lookup(&inv_denoms, z)].1;
                        let rows = compressed.par_iter().zip(reduced.par_iter_mut()).zip(inv.par_iter());
                        if point_index == 0 {
                            rows.for_each(|((&c, ro), &d)| *ro += (weighted - c) * d);
                        } else {
                            let rescale = alpha.exp_u64((point_index * m.width()) as u64);
                            rows.for_each(|((&c, ro), &d)| *ro += (weighted - rescale * c) * d);
                        }
                        num_reduced[log_height] += m.width();
                    }
                }
            }
            reduced_openings.into_iter().rev().flatten().collect()
        };

        let folding: p3_fri::TwoAdicFriFoldingForMmcs<F, Mmcs<F>> = TwoAdicFriFolding(PhantomData);
        // The device FRI leaves p3-fri's argument checks (which panic) to the host run, and the
        // self-check's sampling to the host too: its codewords never leave the device.
        let on_device =
            gpu.self_check().is_none() && fri.num_queries > 0 && fri.log_blowup > 0 && fri.max_log_arity > 0;
        // With every matrix on the device, the reduced openings are combined there too.
        let mut fri_input = FriInput::Host(Vec::new());
        if on_device && mats.iter().flatten().all(|m| matches!(m, Opened::Device { .. })) {
            match reduce_on_device(gpu, &mats, &requests, &all_opened_values, alpha, &alpha_powers) {
                Ok(reduced) => fri_input = FriInput::Device(reduced),
                Err(e) => self.mmcs().fallback().record(&e),
            }
        }
        if matches!(fri_input, FriInput::Host(ref v) if v.is_empty()) {
            fri_input = FriInput::Host(reduce_on_host());
        }
        let fri_proof = transcript.delegate(|challenger| {
            if on_device {
                let saved = challenger.inner().clone();
                let inputs = match &mut fri_input {
                    FriInput::Device(reduced) => Ok(std::mem::take(reduced)),
                    FriInput::Host(reduced) => reduced.iter().map(|v| gpu.upload(&to_words::<F>(v))).collect(),
                };
                let proof = inputs.and_then(|inputs| {
                    super::fri::prove_fri_on_device(
                        gpu,
                        self.mmcs(),
                        fri,
                        inputs,
                        challenger,
                        log_global_max_height,
                        &requests,
                        batch_pow_witness,
                    )
                });
                match proof {
                    Ok(proof) => return Ok(proof),
                    // Proven again on the host from the same transcript state.
                    Err(e) => {
                        self.mmcs().fallback().record(&e);
                        *challenger.inner() = saved;
                    }
                }
            }
            let inputs = match fri_input {
                FriInput::Host(reduced) => reduced,
                FriInput::Device(_) => reduce_on_host(),
            };
            prover::prove_fri(
                &folding,
                fri,
                inputs,
                challenger,
                log_global_max_height,
                &requests,
                self.mmcs(),
                batch_pow_witness,
            )
        });
        let fri_proof = match fri_proof {
            Ok(p) => p,
            Err(e) => {
                transcript.abort();
                return Err(e);
            }
        };
        transcript.finish();
        Ok((all_opened_values, fri_proof))
    }

    /// `run` on `m` where it lies; after a device failure (recorded as the MMCS's fallbacks
    /// are), on the host copy of its tree's leaves. A failure there too has no error channel in
    /// p3-fri's `open`: it panics, naming both.
    fn on_device_or_host<T>(
        &self,
        m: &Opened<'_, F>,
        tree: &LdeTree<F>,
        run: impl Fn(&Opened<'_, F>) -> Result<T>,
    ) -> T {
        let fail = |e: Error| -> ! { panic!("cherenkov::plonky3::FusedPcs::open: {e}") };
        match run(m) {
            Ok(v) => v,
            Err(e) if matches!(m, Opened::Host(_)) => fail(e),
            Err(e) => {
                self.mmcs().fallback().record(&e);
                let Opened::Device { rows, .. } = m else { unreachable!() };
                let index = tree
                    .device_leaves()
                    .and_then(|d| d.rows.iter().position(|b| std::ptr::eq(b, *rows)))
                    .expect("a kept matrix of this tree");
                let host = tree.try_leaves().unwrap_or_else(|e2| fail(Error::Cuda(format!("{e}; then {e2}"))));
                run(&Opened::Host(&host[index])).unwrap_or_else(|e| fail(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use p3_field::PrimeCharacteristicRing;

    use super::*;
    use crate::field::BabyBear;
    use crate::plonky3::config::{self, FriSettings};
    use crate::poseidon2::Poseidon2Constants;

    /// A device failure while opening a kept matrix: the matrix is opened from its tree's host
    /// copy (made then), and the failure is recorded where the MMCS records its fallbacks.
    #[test]
    fn a_failed_device_opening_reopens_on_the_host() {
        let engine = Engine::emu(Default::default());
        let Engine::Gpu(gpu) = &engine else { unreachable!("emu is a device engine") };
        let config = config::on(Poseidon2Constants::babybear_default_16(), engine.clone(), FriSettings::default());
        let pcs = p3_uni_stark::StarkGenericConfig::pcs(&config);
        let trace = RowMajorMatrix::new((0..64u32).map(BabyBear::from_u32).collect(), 4);
        let domain = TwoAdicMultiplicativeCoset::new(BabyBear::ONE, 4).unwrap();
        let (_, tree) = pcs.commit_kept_on_device([(domain, trace)]).unwrap();
        let leaves = tree.device_leaves().unwrap();
        let (height, width) = leaves.dims(0).unwrap();
        let on_device = Opened::Device { gpu, rows: leaves.rows_on(gpu, 0).unwrap(), height, width };
        assert!(!tree.leaves_on_host());
        let opened = pcs.on_device_or_host(&on_device, &tree, |m| match m {
            Opened::Device { .. } => Err(Error::Cuda("device lost".into())),
            Opened::Host(m) => Ok(m.values[5]),
        });
        assert_eq!(opened, tree.leaves()[0].values[5]);
        assert!(tree.leaves_on_host());
        assert_eq!(pcs.mmcs().last_device_error().as_deref(), Some("CUDA driver: device lost"));
    }
}
