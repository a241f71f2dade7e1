//! The hot loop of SP1 v5's opened values: `Mᵀw` for a committed matrix `M` of the fork's
//! BabyBear and weights `w` in its degree-4 extension (p3-fri's `open` evaluates every
//! committed matrix at every opening point by barycentric interpolation, one such product per
//! matrix and point). The fork's `Matrix::columnwise_dot_product` multiplies one extension
//! weight by one base entry at a time; here the rows are read as packed upstream BabyBear and
//! each weight enters as its four base coordinates, so a product is four packed base products
//! per `Packing::WIDTH` columns. Field sums are exact, so the result is the fork's, element for
//! element, whatever the order of the additions.

use p3_field::{AbstractExtensionField, Field};
use p3_matrix::Matrix;
use rayon::prelude::*;
use upstream_field::{PackedValue, PrimeCharacteristicRing};

use crate::{BabyBearRepr, Up};

type Packed = <Up as upstream_field::Field>::Packing;

/// An extension element by its base coordinates (`as_base_slice` order).
pub type Ext4 = [Up; 4];

impl<F: Field> BabyBearRepr<F> {
    /// `x`'s base coordinates as upstream BabyBear.
    ///
    /// # Panics
    /// If `EF` is not a degree-4 extension of `F`.
    pub fn to_ext4<EF: AbstractExtensionField<F>>(self, x: &EF) -> Ext4 {
        let c = x.as_base_slice();
        assert_eq!(c.len(), 4, "a degree-4 extension");
        core::array::from_fn(|d| self.to_up(c[d]))
    }

    /// The extension element with base coordinates `c`.
    ///
    /// # Panics
    /// If `EF` is not a degree-4 extension of `F`.
    pub fn from_ext4<EF: AbstractExtensionField<F>>(self, c: &Ext4) -> EF {
        assert_eq!(EF::D, 4, "a degree-4 extension");
        EF::from_base_fn(|d| self.from_up(c[d]))
    }
}

/// Rows one task sums before its partial sums are added to the others'.
const MIN_CHUNK_ROWS: usize = 64;

/// `Σ_r m[r][c] · weights[r << stride_log]` for every column `c` of `m`.
///
/// `stride_log` reads every `2^stride_log`-th weight: a table made for a subgroup serves each
/// of its subgroups (their points are every `2^k`-th point of the larger one, in natural
/// order).
///
/// # Panics
/// If `weights` is shorter than `((m.height() - 1) << stride_log) + 1`.
pub fn columnwise_dot_product_ext4<F: Field, M: Matrix<F>>(
    repr: BabyBearRepr<F>,
    m: &M,
    weights: &[Ext4],
    stride_log: usize,
) -> Vec<Ext4> {
    let (height, width) = (m.height(), m.width());
    assert!(
        height == 0 || ((height - 1) << stride_log) < weights.len(),
        "{height} rows at stride 2^{stride_log} need more than {} weights",
        weights.len()
    );
    let packed_width = width / Packed::WIDTH;
    // Not `width % Packed::WIDTH`: the width is 1 without SIMD, where clippy calls that a modulo by one.
    let tail_width = width - packed_width * Packed::WIDTH;
    let zero = || Partial { packed: vec![[Packed::ZERO; 4]; packed_width], tail: vec![[Up::ZERO; 4]; tail_width] };
    let chunk_rows = height.div_ceil(4 * rayon::current_num_threads()).max(MIN_CHUNK_ROWS);
    let sum = (0..height.div_ceil(chunk_rows))
        .into_par_iter()
        .map(|chunk| {
            let mut acc = zero();
            for r in chunk * chunk_rows..height.min((chunk + 1) * chunk_rows) {
                let row = m.row_slice(r);
                let (row_packed, row_tail) = Packed::pack_slice_with_suffix(repr.up_slice(&row));
                acc.add_row(row_packed, row_tail, weights[r << stride_log]);
            }
            acc
        })
        .reduce(zero, Partial::merge);
    let mut out = Vec::with_capacity(width);
    for lanes in &sum.packed {
        out.extend((0..Packed::WIDTH).map(|lane| lanes.map(|coord| coord.as_slice()[lane])));
    }
    out.extend(sum.tail);
    out
}

/// One task's sums: per column, the four coordinates.
struct Partial {
    packed: Vec<[Packed; 4]>,
    tail: Vec<Ext4>,
}

impl Partial {
    #[inline]
    fn add_row(&mut self, row_packed: &[Packed], row_tail: &[Up], weight: Ext4) {
        let broadcast = weight.map(Packed::from);
        for (acc, &x) in self.packed.iter_mut().zip(row_packed) {
            for (a, &w) in acc.iter_mut().zip(&broadcast) {
                *a += x * w;
            }
        }
        for (acc, &x) in self.tail.iter_mut().zip(row_tail) {
            for (a, &w) in acc.iter_mut().zip(&weight) {
                *a += x * w;
            }
        }
    }

    fn merge(mut self, other: Self) -> Self {
        for (a, b) in self.packed.iter_mut().zip(&other.packed) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.tail.iter_mut().zip(&other.tail) {
            for (x, &y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self
    }
}
