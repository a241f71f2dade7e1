//! The radix-2 DIT `Radix2DitParallel` runs over fields cherenkov does not cover (SP1 v5 itself
//! only asks for BabyBear): rows bit-reversed, then log2(h) butterfly layers, parallel over
//! blocks (low layers) or within a block (high layers).

use p3_field::{Field, TwoAdicField};
use p3_matrix::bitrev::{BitReversableMatrix, BitReversedMatrixView};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::util::reverse_matrix_index_bits;
use p3_matrix::Matrix;
use p3_util::log2_strict_usize;
use rayon::prelude::*;

/// Column-wise DFT, in natural order, in place. Panics when the height is not a power of two.
pub fn dft_in_place<F: TwoAdicField>(mat: &mut RowMajorMatrix<F>) {
    let (h, w) = (mat.height(), mat.width());
    let log_h = log2_strict_usize(h);
    if w == 0 {
        return;
    }
    reverse_matrix_index_bits(mat);
    for layer in 0..log_h {
        let half = 1 << layer;
        let twiddles: Vec<F> = F::two_adic_generator(layer + 1).powers().take(half).collect();
        let butterflies = |block: &mut [F]| {
            let (lo, hi) = block.split_at_mut(half * w);
            let pairs = lo.par_chunks_mut(w).zip(hi.par_chunks_mut(w)).zip(&twiddles);
            pairs.with_min_len((1 << 12) / w + 1).for_each(|((a, b), &t)| butterfly_rows(a, b, t));
        };
        mat.values.par_chunks_mut(2 * half * w).for_each(butterflies);
    }
}

fn butterfly_rows<F: Field>(a: &mut [F], b: &mut [F], t: F) {
    for (x, y) in a.iter_mut().zip(b) {
        let s = *y * t;
        *y = *x - s;
        *x += s;
    }
}

/// Column-wise DFT as `Radix2DitParallel` returns it: a natural-order view of bit-reversed rows.
pub fn dft_batch<F: TwoAdicField>(mut mat: RowMajorMatrix<F>) -> BitReversedMatrixView<RowMajorMatrix<F>> {
    dft_in_place(&mut mat);
    reverse_matrix_index_bits(&mut mat);
    mat.bit_reverse_rows()
}

/// Column-wise inverse DFT: a forward DFT read at -i, divided by the height.
pub fn idft_batch<F: TwoAdicField>(mut mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
    dft_in_place(&mut mat);
    let h = mat.height();
    let inv = F::from_canonical_usize(h).inverse();
    mat.values.par_iter_mut().for_each(|x| *x *= inv);
    negate_row_indices(&mut mat);
    mat
}

/// Row i becomes row -i mod h (rows 0 and h/2 stay): a DFT's output read at -i.
pub fn negate_row_indices<F: Clone + Send + Sync>(mat: &mut RowMajorMatrix<F>) {
    let (h, w) = (mat.height(), mat.width());
    for i in 1..h / 2 {
        let (head, tail) = mat.values.split_at_mut((h - i) * w);
        head[i * w..(i + 1) * w].swap_with_slice(&mut tail[..w]);
    }
}
