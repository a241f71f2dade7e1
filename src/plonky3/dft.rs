//! `cherenkov::plonky3::Dft`: Plonky3's `TwoAdicSubgroupDft` on any cherenkov backend, equal to
//! `Radix2DitParallel` after `to_row_major_matrix()`.
//!
//! Evaluations come back as a `BitReversedMatrixView` over bit-reversed storage, the order the
//! forward DIF produces: Plonky3's FRI PCS immediately asks for `bit_reverse_rows()`, which is
//! then free, exactly as with `Radix2DitParallel`.
//!
//! Errors: `TwoAdicSubgroupDft` has no error channel. Bad shapes (a height that is not a power
//! of two) panic, as they do in Plonky3's own implementations. A device failure (out of device
//! memory, a driver error) does not: the call is recomputed on the cpu backend and the error is
//! kept for [`Dft::last_device_error`].

use p3_dft::TwoAdicSubgroupDft;
use p3_field::TwoAdicField;
use p3_matrix::bitrev::{BitReversalPerm, BitReversedMatrixView};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

use crate::backend::{Backend, Engine, Gpu};
use crate::error::Result;
use crate::ntt::{self, Direction, NttField, Order, Transform};

/// A `TwoAdicSubgroupDft` backed by cherenkov. `Default` is `Backend::Auto` (cuda when a GPU is
/// usable, else cpu).
#[derive(Clone, Debug)]
pub struct Dft {
    engine: Engine,
    fallback: crate::backend::DeviceFallback,
}

impl Default for Dft {
    fn default() -> Self {
        Self::on(Backend::Auto.engine().unwrap_or(Engine::Cpu))
    }
}

impl Dft {
    /// A DFT on `backend`; an unavailable backend is an error here, not at the first call.
    pub fn new(backend: Backend) -> Result<Self> {
        Ok(Self::on(backend.engine()?))
    }

    /// A DFT on an already resolved engine (e.g. an emulator with a chosen schedule).
    pub fn on(engine: Engine) -> Self {
        Self { engine, fallback: Default::default() }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The last device error this DFT recovered from by recomputing on the cpu.
    pub fn last_device_error(&self) -> Option<String> {
        self.fallback.last()
    }

    /// Runs `f` on the engine; device failures are recomputed on the cpu, the rest (shape
    /// errors) panic: the trait's contract.
    fn run<F: NttField>(
        &self,
        values: Vec<F>,
        device: impl FnOnce(&Gpu, &Vec<F>) -> Result<Vec<F>>,
        cpu: impl FnOnce(Vec<F>) -> Result<Vec<F>>,
    ) -> Vec<F> {
        self.fallback.run(&self.engine, values, device, cpu).unwrap_or_else(|e| panic!("cherenkov::plonky3::Dft: {e}"))
    }

    fn transform<F: NttField>(&self, mat: RowMajorMatrix<F>, t: Transform<F>) -> RowMajorMatrix<F> {
        let width = mat.width();
        let values = self.run(
            mat.values,
            |g, v| ntt::transform_batch_on_device(g, v, width, t),
            |v| ntt::transform_batch(&Engine::Cpu, v, width, t),
        );
        RowMajorMatrix::new(values, width)
    }
}

fn bit_reversed<F: Clone + Send + Sync>(values: Vec<F>, width: usize) -> BitReversedMatrixView<RowMajorMatrix<F>> {
    BitReversalPerm::new_view(RowMajorMatrix::new(values, width))
}

impl<F: NttField + TwoAdicField> TwoAdicSubgroupDft<F> for Dft {
    type Evaluations = BitReversedMatrixView<RowMajorMatrix<F>>;

    fn dft_batch(&self, mat: RowMajorMatrix<F>) -> Self::Evaluations {
        let width = mat.width();
        let t = Transform::new(Direction::Forward).orders(Order::Natural, Order::BitReversed);
        bit_reversed(self.transform(mat, t).values, width)
    }

    fn coset_dft_batch(&self, mat: RowMajorMatrix<F>, shift: F) -> Self::Evaluations {
        let width = mat.width();
        let t = Transform::new(Direction::Forward).coset(shift).orders(Order::Natural, Order::BitReversed);
        bit_reversed(self.transform(mat, t).values, width)
    }

    fn idft_batch(&self, mat: RowMajorMatrix<F>) -> RowMajorMatrix<F> {
        self.transform(mat, Transform::new(Direction::Inverse))
    }

    fn coset_idft_batch(&self, mat: RowMajorMatrix<F>, shift: F) -> RowMajorMatrix<F> {
        self.transform(mat, Transform::new(Direction::Inverse).coset(shift))
    }

    fn coset_lde_batch(&self, mat: RowMajorMatrix<F>, added_bits: usize, shift: F) -> Self::Evaluations {
        let width = mat.width();
        let values = self.run(
            mat.values,
            |g, v| ntt::coset_lde_batch_on_device(g, v, width, added_bits, shift, Order::BitReversed),
            |v| ntt::coset_lde_batch(&Engine::Cpu, v, width, added_bits, shift, Order::BitReversed),
        );
        bit_reversed(values, width)
    }
}
