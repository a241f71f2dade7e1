//! The fork's `p3-dft`, and slop's `Dft` for its `Radix2DitParallel`: KoalaBear on cherenkov,
//! every other field on the fork's radix-2 DIT.

use std::any::Any;
use std::convert::Infallible;

pub use p3_dft::*;
use slop_algebra::TwoAdicField;
use slop_alloc::CpuBackend;
use slop_matrix::bitrev::BitReversableMatrix;
use slop_matrix::dense::RowMajorMatrix;
use slop_matrix::Matrix;
use slop_tensor::Tensor;

use cherenkov_sp1_v6_support::{self as support, KoalaBear};

use crate::{Dft, DftOrdering};

impl<F: TwoAdicField> Dft<F, CpuBackend> for Radix2DitParallel {
    /// As slop's: the trait's callers unwrap. A failure on cherenkov (out of memory) reruns the
    /// DFT on the fork's code, which fails as slop's would.
    type Error = Infallible;

    fn coset_dft_into(
        &self,
        src: &Tensor<F, CpuBackend>,
        dst: &mut Tensor<F, CpuBackend>,
        shift: F,
        log_blowup: usize,
        ordering: DftOrdering,
        dim: usize,
    ) -> Result<(), Infallible> {
        assert_eq!(src.sizes().len(), 2, "Radix2DitParallel transforms matrices");
        assert_eq!(dim, 0, "Radix2DitParallel only supports DFT along the first dimension");
        let bit_reversed = ordering == DftOrdering::BitReversed;
        // F is KoalaBear exactly when these downcasts succeed: no conversion by assumption.
        let koala = (src as &dyn Any).downcast_ref::<Tensor<KoalaBear>>();
        let koala_shift = (&shift as &dyn Any).downcast_ref::<KoalaBear>();
        if let (Some(src), Some(&shift), Some(dst)) =
            (koala, koala_shift, (dst as &mut dyn Any).downcast_mut::<Tensor<KoalaBear>>())
        {
            if let Ok(out) = support::coset_dft_on_engine(src, shift, log_blowup, bit_reversed) {
                *dst = out;
                return Ok(());
            }
        }
        *dst = fork_coset_dft(self, src, shift, log_blowup, bit_reversed);
        Ok(())
    }
}

/// The fork's radix-2 DIT of `src`'s columns, zero-padded to `height << log_blowup` rows.
fn fork_coset_dft<F: TwoAdicField>(
    dft: &Radix2DitParallel,
    src: &Tensor<F, CpuBackend>,
    shift: F,
    log_blowup: usize,
    bit_reversed: bool,
) -> Tensor<F, CpuBackend> {
    let width = src.sizes()[1];
    let mut values = Vec::with_capacity(src.total_len() << log_blowup);
    values.extend_from_slice(src.as_slice());
    values.resize(src.total_len() << log_blowup, F::zero());
    let evals = dft.coset_dft_batch(RowMajorMatrix::new(values, width), shift);
    let matrix =
        if bit_reversed { evals.bit_reverse_rows().to_row_major_matrix() } else { evals.to_row_major_matrix() };
    matrix.into()
}
