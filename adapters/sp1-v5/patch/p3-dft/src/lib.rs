//! cherenkov's stand-in for SP1 v5's `p3-dft` (Succinct's Plonky3 fork 0.2.3-succinct), used
//! through `[patch.crates-io]` so that an unmodified SP1 v5 prover (whose `BabyBearPoseidon2`
//! hard-codes `Dft = Radix2DitParallel`) runs its DFTs and LDEs on cherenkov.
//!
//! It offers what SP1 v5's dependency graph uses of the fork's crate: the
//! [`TwoAdicSubgroupDft`] trait (same methods, same defaults), [`Radix2DitParallel`],
//! [`NaiveDft`] and [`divide_by_height`]. A crate naming another item of the fork (e.g.
//! `Radix2Bowers`) fails to compile instead of running something else.
//!
//! `Radix2DitParallel` over the fork's BabyBear runs on cherenkov (the engine chosen by
//! `CHERENKOV_BACKEND`, default `auto`; device failures are recomputed on the cpu); over any
//! other two-adic field it runs the radix-2 DIT in [`generic`]. Either way its outputs are the
//! DFT's, which are unique, so they equal the fork's; `Evaluations` is the fork's
//! `BitReversedMatrixView` over bit-reversed storage, as there.

use cherenkov_sp1_v5_support::{self as support, BabyBearRepr, Up};
use p3_field::{Field, TwoAdicField};
use p3_matrix::bitrev::{BitReversableMatrix, BitReversalPerm, BitReversedMatrixView};
use p3_matrix::dense::{DenseStorage, RowMajorMatrix};
use p3_matrix::Matrix;
use std::borrow::BorrowMut;
use upstream_dft::TwoAdicSubgroupDft as _;
use upstream_matrix::bitrev::BitReversibleMatrix as _;
use upstream_matrix::dense::RowMajorMatrix as UpMatrix;

pub mod generic;

/// The fork's DFT trait: only `dft_batch` is required; every other method has a default
/// defined from it (implementations override them for speed).
pub trait TwoAdicSubgroupDft<F: TwoAdicField>: Clone + Default {
    /// A row-major matrix or a bit-reversed view of one; always owned.
    type Evaluations: BitReversableMatrix<F> + 'static;

    /// The DFT of `vec`.
    fn dft(&self, vec: Vec<F>) -> Vec<F> {
        self.dft_batch(RowMajorMatrix::new_col(vec)).to_row_major_matrix().values
    }

    /// The DFT of each column of `mat`.
    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> Self::Evaluations;

    /// The evaluations of `vec`'s polynomial on the coset `shift · H`.
    fn coset_dft(&self, vec: Vec<F>, shift: F) -> Vec<F> {
        self.coset_dft_batch(RowMajorMatrix::new_col(vec), shift).to_row_major_matrix().values
    }

    /// Column-wise [`Self::coset_dft`]: coefficient j scaled by shift^j, then a DFT.
    fn coset_dft_batch(&self, mut mat: RowMajorMatrix<F>, shift: F) -> Self::Evaluations {
        scale_rows(&mut mat, shift);
        self.dft_batch(mat)
    }

    /// The inverse DFT of `vec`.
    fn idft(&self, vec: Vec<F>) -> Vec<F> {
        self.idft_batch(RowMajorMatrix::new(vec, 1)).values
    }

    /// Column-wise inverse DFT: a forward DFT read at -i, divided by the height.
    fn idft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        let mut out = self.dft_batch(mat).to_row_major_matrix();
        divide_by_height(&mut out);
        generic::negate_row_indices(&mut out);
        out
    }

    /// Inverse of [`Self::coset_dft`] for `vec`.
    fn coset_idft(&self, vec: Vec<F>, shift: F) -> Vec<F> {
        self.coset_idft_batch(RowMajorMatrix::new(vec, 1), shift).values
    }

    /// Column-wise [`Self::coset_idft`]: an inverse DFT, then coefficient j scaled by shift^-j.
    fn coset_idft_batch(&self, mat: RowMajorMatrix<F>, shift: F) -> RowMajorMatrix<F> {
        let mut coeffs = self.idft_batch(mat);
        scale_rows(&mut coeffs, shift.inverse());
        coeffs
    }

    /// The low-degree extension of `vec` onto the subgroup 2^added_bits times larger.
    fn lde(&self, vec: Vec<F>, added_bits: usize) -> Vec<F> {
        self.lde_batch(RowMajorMatrix::new(vec, 1), added_bits).to_row_major_matrix().values
    }

    /// Column-wise [`Self::lde`].
    fn lde_batch(&self, mat: RowMajorMatrix<F>, added_bits: usize) -> Self::Evaluations {
        let mut coeffs = self.idft_batch(mat);
        coeffs.values.resize(coeffs.values.len() << added_bits, F::zero());
        self.dft_batch(coeffs)
    }

    /// The low-degree extension of `vec` onto the coset `shift · H'` of the larger subgroup.
    fn coset_lde(&self, vec: Vec<F>, added_bits: usize, shift: F) -> Vec<F> {
        self.coset_lde_batch(RowMajorMatrix::new(vec, 1), added_bits, shift).to_row_major_matrix().values
    }

    /// Column-wise [`Self::coset_lde`].
    fn coset_lde_batch(&self, mat: RowMajorMatrix<F>, added_bits: usize, shift: F) -> Self::Evaluations {
        let mut coeffs = self.idft_batch(mat);
        let len = u32::try_from(added_bits).ok().and_then(|b| coeffs.values.len().checked_shl(b));
        coeffs.values.resize(len.expect("the LDE's length overflows usize"), F::zero());
        self.coset_dft_batch(coeffs, shift)
    }
}

/// Row j of `mat` times shift^j.
fn scale_rows<F: Field>(mat: &mut RowMajorMatrix<F>, shift: F) {
    mat.rows_mut().zip(shift.powers()).for_each(|(row, weight)| row.iter_mut().for_each(|x| *x *= weight));
}

/// Divides every entry by the matrix's height.
pub fn divide_by_height<F: Field, S: DenseStorage<F> + BorrowMut<[F]>>(mat: &mut p3_matrix::dense::DenseMatrix<F, S>) {
    let inv = F::from_canonical_usize(mat.height()).inverse();
    mat.values.borrow_mut().iter_mut().for_each(|x| *x *= inv);
}

/// The fork's parallel radix-2 DFT, by name: BabyBear on cherenkov, other fields [`generic`].
#[derive(Default, Clone, Debug)]
pub struct Radix2DitParallel;

/// Runs `f` (cherenkov's Plonky3 0.8 DFT) on `mat` seen as upstream BabyBear.
fn on_cherenkov<F: Field>(
    repr: BabyBearRepr<F>,
    mat: RowMajorMatrix<F>,
    f: impl FnOnce(&support::cherenkov::plonky3::Dft, UpMatrix<Up>) -> UpMatrix<Up>,
) -> RowMajorMatrix<F> {
    support::count_dft();
    let width = mat.width();
    let out = f(support::dft(), UpMatrix::new(repr.to_up_vec(mat.values), width));
    RowMajorMatrix::new(repr.from_up_vec(out.values), width)
}

impl<F: TwoAdicField> TwoAdicSubgroupDft<F> for Radix2DitParallel {
    type Evaluations = BitReversedMatrixView<RowMajorMatrix<F>>;

    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> Self::Evaluations {
        match BabyBearRepr::<F>::check() {
            Some(r) => BitReversalPerm::new_view(on_cherenkov(r, mat, |d, m| d.dft_batch(m).bit_reverse_rows())),
            None => generic::dft_batch(mat),
        }
    }

    fn coset_dft_batch(&self, mat: RowMajorMatrix<F>, shift: F) -> Self::Evaluations {
        match BabyBearRepr::<F>::check() {
            Some(r) => {
                let s = r.to_up(shift);
                BitReversalPerm::new_view(on_cherenkov(r, mat, |d, m| d.coset_dft_batch(m, s).bit_reverse_rows()))
            }
            None => {
                let mut mat = mat;
                scale_rows(&mut mat, shift);
                generic::dft_batch(mat)
            }
        }
    }

    fn idft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        match BabyBearRepr::<F>::check() {
            Some(r) => on_cherenkov(r, mat, |d, m| d.idft_batch(m)),
            None => generic::idft_batch(mat),
        }
    }

    fn coset_idft_batch(&self, mat: RowMajorMatrix<F>, shift: F) -> RowMajorMatrix<F> {
        match BabyBearRepr::<F>::check() {
            Some(r) => {
                let s = r.to_up(shift);
                on_cherenkov(r, mat, |d, m| d.coset_idft_batch(m, s))
            }
            None => {
                let mut coeffs = generic::idft_batch(mat);
                scale_rows(&mut coeffs, shift.inverse());
                coeffs
            }
        }
    }

    // The fork's span, so a prover's profile reads the same with the patch in.
    #[tracing::instrument(skip_all, fields(dims = %mat.dimensions(), added_bits))]
    fn coset_lde_batch(&self, mat: RowMajorMatrix<F>, added_bits: usize, shift: F) -> Self::Evaluations {
        match BabyBearRepr::<F>::check() {
            Some(r) => {
                let s = r.to_up(shift);
                let lde = on_cherenkov(r, mat, |d, m| d.coset_lde_batch(m, added_bits, s).bit_reverse_rows());
                BitReversalPerm::new_view(lde)
            }
            None => {
                let mut coeffs = generic::idft_batch(mat);
                coeffs.values.resize(coeffs.values.len() << added_bits, F::zero());
                scale_rows(&mut coeffs, shift);
                generic::dft_batch(coeffs)
            }
        }
    }
}

/// The DFT by its definition, O(n^2): the reference the tests compare with.
#[derive(Default, Clone, Debug)]
pub struct NaiveDft;

impl<F: TwoAdicField> TwoAdicSubgroupDft<F> for NaiveDft {
    type Evaluations = RowMajorMatrix<F>;

    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        let (h, w) = (mat.height(), mat.width());
        let g = F::two_adic_generator(p3_util::log2_strict_usize(h));
        let mut out = RowMajorMatrix::new(vec![F::zero(); h * w], w);
        for (i, point) in g.powers().take(h).enumerate() {
            for (j, weight) in point.powers().take(h).enumerate() {
                for c in 0..w {
                    out.values[i * w + c] += weight * mat.values[j * w + c];
                }
            }
        }
        out
    }
}
