//! cherenkov behind SP1 v5's seams: Succinct's Plonky3 fork 0.2.3 (what `sp1-stark = 5.2.4`
//! builds on), BabyBear.
//!
//! [`Dft`] implements the fork's `p3_dft::TwoAdicSubgroupDft<BabyBear>` over cherenkov's NTT:
//! `dft_batch` and `coset_lde_batch` (what `TwoAdicFriPcs` calls) return the fork's
//! `BitReversedMatrixView` over bit-reversed storage, exactly as its `Radix2DitParallel`;
//! `idft_batch` and `coset_idft_batch` are overridden too, the rest are the trait's defaults
//! over these. The fork's BabyBear and upstream's (cherenkov's) store the same Montgomery words,
//! so matrices cross between them without a copy (`cherenkov_sp1_v5_support::BabyBearRepr`).
//!
//! [`Mmcs`] implements the fork's `p3_commit::Mmcs<BabyBear>` with SP1 v5's Poseidon2, equal to
//! `BabyBearPoseidon2`'s `ValMmcs` (the fork's `FieldMerkleTreeMmcs`).
//!
//! `tests/stark.rs` proves under SP1 v5's exact `BabyBearPoseidon2` parameters through both and
//! compares with stock `sp1-stark` 5.2.4: byte-identical proofs.
//!
//! A prover that cannot change its config's types (`BabyBearPoseidon2` hard-codes
//! `Radix2DitParallel` and `FieldMerkleTreeMmcs`) uses the `[patch.crates-io]` crates in
//! `adapters/sp1-v5/patch` instead; `tests/patch.rs` holds them to the stock fork.

mod mmcs;

pub use mmcs::{Mmcs, Perm, ProverData, StockMmcs};

use cherenkov::ntt::{self, Direction, Order, Transform};
use cherenkov::{Backend, Engine};
use cherenkov_sp1_v5_support::BabyBearRepr;
use p3_dft::TwoAdicSubgroupDft;
use p3_matrix::bitrev::{BitReversalPerm, BitReversedMatrixView};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

/// SP1 v5's field (the fork's BabyBear).
pub type BabyBear = p3_baby_bear::BabyBear;
pub(crate) use cherenkov_sp1_v5_support::Up;

/// The fork's `TwoAdicSubgroupDft<BabyBear>` on a cherenkov backend. `Default` (the trait needs
/// one) is the `auto` backend, or the cpu when it cannot start. The trait has no error channel:
/// a shape the NTT rejects (a height that is not a power of two) panics with the error, as the
/// fork's DFTs do.
#[derive(Debug, Clone)]
pub struct Dft {
    engine: Engine,
}

impl Default for Dft {
    fn default() -> Self {
        Self::on(Backend::Auto.engine().unwrap_or(Engine::Cpu))
    }
}

impl Dft {
    pub fn new(backend: Backend) -> cherenkov::Result<Self> {
        Ok(Self::on(backend.engine()?))
    }
    pub fn on(engine: Engine) -> Self {
        Self { engine }
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn run(
        &self,
        mat: RowMajorMatrix<BabyBear>,
        f: impl FnOnce(&Engine, Vec<Up>, usize) -> cherenkov::Result<Vec<Up>>,
    ) -> RowMajorMatrix<BabyBear> {
        let width = mat.width();
        let values = f(&self.engine, repr().to_up_vec(mat.values), width)
            .unwrap_or_else(|e| panic!("cherenkov_sp1_v5::Dft: {e}"));
        RowMajorMatrix::new(repr().from_up_vec(values), width)
    }
}

/// The fork's BabyBear seen as cherenkov's: the same Montgomery words, so vectors move across
/// without a copy.
fn repr() -> BabyBearRepr<BabyBear> {
    BabyBearRepr::check().expect("the fork's BabyBear is stored as cherenkov's")
}

pub(crate) fn up(x: BabyBear) -> Up {
    repr().to_up(x)
}

impl TwoAdicSubgroupDft<BabyBear> for Dft {
    type Evaluations = BitReversedMatrixView<RowMajorMatrix<BabyBear>>;

    fn dft_batch(&self, mat: RowMajorMatrix<BabyBear>) -> Self::Evaluations {
        let t = Transform::new(Direction::Forward).orders(Order::Natural, Order::BitReversed);
        BitReversalPerm::new_view(self.run(mat, |e, v, w| ntt::transform_batch(e, v, w, t)))
    }

    fn coset_dft_batch(&self, mat: RowMajorMatrix<BabyBear>, shift: BabyBear) -> Self::Evaluations {
        let t = Transform::new(Direction::Forward).coset(up(shift)).orders(Order::Natural, Order::BitReversed);
        BitReversalPerm::new_view(self.run(mat, |e, v, w| ntt::transform_batch(e, v, w, t)))
    }

    fn idft_batch(&self, mat: RowMajorMatrix<BabyBear>) -> RowMajorMatrix<BabyBear> {
        self.run(mat, |e, v, w| ntt::transform_batch(e, v, w, Transform::new(Direction::Inverse)))
    }

    fn coset_idft_batch(&self, mat: RowMajorMatrix<BabyBear>, shift: BabyBear) -> RowMajorMatrix<BabyBear> {
        let t = Transform::new(Direction::Inverse).coset(up(shift));
        self.run(mat, |e, v, w| ntt::transform_batch(e, v, w, t))
    }

    fn coset_lde_batch(&self, mat: RowMajorMatrix<BabyBear>, added_bits: usize, shift: BabyBear) -> Self::Evaluations {
        let shift = up(shift);
        BitReversalPerm::new_view(
            self.run(mat, |e, v, w| ntt::coset_lde_batch(e, v, w, added_bits, shift, Order::BitReversed)),
        )
    }
}
