//! `cherenkov::plonky3::Mmcs`: Plonky3's `Mmcs` (p3-commit 0.8) over BabyBear or KoalaBear with
//! Poseidon2-16 Merkle trees built on any cherenkov backend, interchangeable with
//! `MerkleTreeMmcs<F::Packing, F::Packing, PaddingFreeSponge<_, 16, 8, 8>,
//! TruncatedPermutation<_, 2, 8, 16>, 2, 8>` over the same permutation: the same commitment,
//! proof and multi-proof types (serde-identical), the same bits, so either side verifies the
//! other's openings. Verification runs Plonky3's own verifier ([`Mmcs::stock`]).
//!
//! Errors: `Mmcs::commit` has no error channel. Heights off Plonky3's ladder panic, as they do
//! in `MerkleTreeMmcs` ([`Mmcs::try_commit`] returns them instead). A device failure falls back
//! to the cpu and is kept for [`Mmcs::last_device_error`].

use p3_commit::{BatchOpening, BatchOpeningRef};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{Field, TwoAdicField};
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::{Dimensions, Matrix};
use p3_merkle_tree::{MerkleCap, MerkleTreeError, MerkleTreeMmcs, PrunedMerklePaths};
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};

use crate::backend::{Backend, Engine};
use crate::error::{Error, Result};
use crate::merkle::{self, Digest, MerkleTree};
use crate::ntt::NttField;
use crate::poseidon2::{CpuPermutation, Poseidon2Constants, Poseidon2Hasher, DIGEST, RATE};

/// Plonky3's leaf hasher over these constants.
pub type Hasher<F> = PaddingFreeSponge<CpuPermutation<F, 16>, 16, RATE, DIGEST>;
/// Plonky3's node compression over these constants.
pub type Compressor<F> = TruncatedPermutation<CpuPermutation<F, 16>, 2, DIGEST, 16>;
/// The stock `MerkleTreeMmcs` this type is interchangeable with.
pub type StockMmcs<F> =
    MerkleTreeMmcs<<F as Field>::Packing, <F as Field>::Packing, Hasher<F>, Compressor<F>, 2, DIGEST>;

/// The commitment: Plonky3's `MerkleCap` of digests.
pub type Commitment<F> = MerkleCap<F, Digest<F>>;

/// The prover data of a fused [`Mmcs::commit_lde`]: the tree over the LDEs, as
/// `TwoAdicFriPcs::ProverData`.
pub type LdeTree<F> = MerkleTree<F, RowMajorMatrix<F>>;

/// A multi-opening: the rows at the indices (per index, per matrix) and one pruned proof.
pub type MultiOpening<F> = (Vec<Vec<Vec<F>>>, PrunedMerklePaths<F, DIGEST>);

/// A Poseidon2 Merkle-tree MMCS backed by cherenkov.
#[derive(Clone, Debug)]
pub struct Mmcs<F: Poseidon2Hasher> {
    constants: Poseidon2Constants<F, 16>,
    cap_height: usize,
    engine: Engine,
    stock: StockMmcs<F>,
    fallback: crate::backend::DeviceFallback,
}

impl<F: Poseidon2Hasher> Mmcs<F> {
    /// An MMCS committing on `backend`; an unavailable backend is an error here.
    pub fn new(constants: Poseidon2Constants<F, 16>, cap_height: usize, backend: Backend) -> Result<Self> {
        Ok(Self::on(constants, cap_height, backend.engine()?))
    }

    /// An MMCS on an already resolved engine.
    pub fn on(constants: Poseidon2Constants<F, 16>, cap_height: usize, engine: Engine) -> Self {
        let perm = constants.cpu_permutation();
        let stock =
            MerkleTreeMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm), cap_height);
        Self { constants, cap_height, engine, stock, fallback: Default::default() }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn cap_height(&self) -> usize {
        self.cap_height
    }
    pub fn constants(&self) -> &Poseidon2Constants<F, 16> {
        &self.constants
    }
    /// Plonky3's `MerkleTreeMmcs` over the same permutation and cap height (the verifier).
    pub fn stock(&self) -> &StockMmcs<F> {
        &self.stock
    }
    /// Its record of device failures recovered from (shared by clones).
    pub(crate) fn fallback(&self) -> &crate::backend::DeviceFallback {
        &self.fallback
    }
    /// The last device error this MMCS recovered from by recomputing on the cpu.
    pub fn last_device_error(&self) -> Option<String> {
        self.fallback.last()
    }

    /// `commit`, with heights off the ladder, an empty batch or a cap that is not a power of two
    /// as an error instead of a panic.
    /// Device failures fall back to the cpu.
    pub fn try_commit<M: Matrix<F>>(&self, inputs: Vec<M>) -> Result<(Commitment<F>, MerkleTree<F, M>)> {
        let heights: Vec<usize> = inputs.iter().map(|m| m.height()).collect();
        let layout = merkle::Layout::new(&heights)?;
        let layers = self.fallback.run(
            &self.engine,
            &inputs[..],
            |g, m| merkle::digest_layers(&Engine::Gpu(g.clone()), &self.constants, m, &layout),
            |m| merkle::digest_layers(&Engine::Cpu, &self.constants, m, &layout),
        )?;
        let tree = MerkleTree::from_parts(inputs, layout, layers);
        Ok((tree.cap(self.cap_height)?, tree))
    }

    /// `open_multi_batch`, with an index out of range (or a device read of kept leaves that
    /// fails) as an error instead of a panic: the rows at `indices` of every matrix and one
    /// pruned proof for them all.
    pub fn try_open_multi_batch<M: Matrix<F>>(
        &self,
        indices: &[usize],
        tree: &MerkleTree<F, M>,
    ) -> Result<MultiOpening<F>> {
        let values = tree.rows_batch(indices)?;
        let sibling_hashes = tree.pruned_siblings(indices, self.cap_height)?;
        Ok((values, PrunedMerklePaths { sibling_hashes }))
    }

    /// [`Mmcs::try_open_multi_batch`] of several trees, the rows of every tree kept on one
    /// device gathered in one batch ([`merkle::rows_batch_many`]: one upload and one download
    /// for them all).
    pub fn try_open_multi_batches<M: Matrix<F>>(
        &self,
        requests: &[(&MerkleTree<F, M>, &[usize])],
    ) -> Result<Vec<MultiOpening<F>>> {
        let values = merkle::rows_batch_many(requests)?;
        values
            .into_iter()
            .zip(requests)
            .map(|(values, (tree, indices))| {
                let sibling_hashes = tree.pruned_siblings(indices, self.cap_height)?;
                Ok((values, PrunedMerklePaths { sibling_hashes }))
            })
            .collect()
    }
}

impl<F: Poseidon2Hasher + NttField + TwoAdicField> Mmcs<F> {
    /// `TwoAdicFriPcs::commit` in one fused call: the bit-reversed coset LDEs (blowup
    /// 2^log_blowup, onto `GENERATOR · K`) of the evaluations, committed in one tree. On a device
    /// the NTT's output is hashed where it lies and copied back once. The commitment and prover
    /// data are exactly what a `TwoAdicFriPcs` with this MMCS as its `ValMmcs` returns from
    /// `commit(evaluations)`, so they go straight to its `open`. Device failures fall back to
    /// the cpu; bad shapes are errors.
    pub fn commit_lde(
        &self,
        evaluations: impl IntoIterator<Item = (TwoAdicMultiplicativeCoset<F>, RowMajorMatrix<F>)>,
        log_blowup: usize,
    ) -> Result<(Commitment<F>, LdeTree<F>)> {
        self.commit_lde_keeping(evaluations, log_blowup, false)
    }

    /// [`Mmcs::commit_lde`], the LDEs also kept on the device that computed them
    /// ([`crate::merkle::MerkleTree::device_leaves`]; none on the cpu, or after a device failure)
    /// for kernels that read them in place, as `cherenkov::stark`'s quotient does. The device
    /// memory goes back when the tree drops.
    pub fn commit_lde_kept_on_device(
        &self,
        evaluations: impl IntoIterator<Item = (TwoAdicMultiplicativeCoset<F>, RowMajorMatrix<F>)>,
        log_blowup: usize,
    ) -> Result<(Commitment<F>, LdeTree<F>)> {
        self.commit_lde_keeping(evaluations, log_blowup, true)
    }

    fn commit_lde_keeping(
        &self,
        evaluations: impl IntoIterator<Item = (TwoAdicMultiplicativeCoset<F>, RowMajorMatrix<F>)>,
        log_blowup: usize,
        keep: bool,
    ) -> Result<(Commitment<F>, LdeTree<F>)> {
        let mut traces = Vec::new();
        for (domain, m) in evaluations {
            if domain.size() != m.height() {
                return Err(Error::LengthMismatch {
                    what: "evaluations (rows)",
                    expected: domain.size(),
                    got: m.height(),
                });
            }
            traces.push((domain.shift(), m));
        }
        let tree = self.fallback.run(
            &self.engine,
            traces,
            |g, t| merkle::commit_lde_on_device(g, &self.constants, t, log_blowup, keep),
            |t| merkle::commit_lde(&Engine::Cpu, &self.constants, t, log_blowup),
        )?;
        Ok((tree.cap(self.cap_height)?, tree))
    }
}

impl<F: Poseidon2Hasher> p3_commit::Mmcs<F> for Mmcs<F> {
    type ProverData<M> = MerkleTree<F, M>;
    type Commitment = Commitment<F>;
    type Proof = Vec<Digest<F>>;
    type MultiProof = PrunedMerklePaths<F, DIGEST>;
    type Error = MerkleTreeError;

    fn commit<M: Matrix<F>>(&self, inputs: Vec<M>) -> (Self::Commitment, Self::ProverData<M>) {
        self.try_commit(inputs).unwrap_or_else(|e| panic!("cherenkov::plonky3::Mmcs::commit: {e}"))
    }

    fn open_batch<M: Matrix<F>>(&self, index: usize, tree: &MerkleTree<F, M>) -> BatchOpening<F, Self> {
        let opened = tree.rows(index).unwrap_or_else(|e| panic!("cherenkov::plonky3::Mmcs::open_batch: {e}"));
        let proof = tree.siblings(index, self.cap_height).expect("index checked by rows");
        BatchOpening::new(opened, proof)
    }

    /// The leaf matrices on the host: a tree whose leaves were kept on the device copies them
    /// down here, once (its openings and heights never need them).
    fn get_matrices<'a, M: Matrix<F>>(&self, tree: &'a MerkleTree<F, M>) -> Vec<&'a M> {
        tree.leaves().iter().collect()
    }

    fn get_matrix_heights<M: Matrix<F>>(&self, tree: &MerkleTree<F, M>) -> Vec<usize> {
        tree.dims().iter().map(|&(h, _)| h).collect()
    }

    fn verify_batch(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        index: usize,
        opening: BatchOpeningRef<'_, F, Self>,
    ) -> core::result::Result<(), MerkleTreeError> {
        let stock = BatchOpeningRef::<F, StockMmcs<F>>::new(opening.opened_values, opening.opening_proof);
        p3_commit::Mmcs::verify_batch(&self.stock, commit, dimensions, index, stock)
    }

    fn open_multi_batch<M: Matrix<F>>(
        &self,
        indices: &[usize],
        tree: &MerkleTree<F, M>,
    ) -> (Vec<Vec<Vec<F>>>, Self::MultiProof) {
        self.try_open_multi_batch(indices, tree)
            .unwrap_or_else(|e| panic!("cherenkov::plonky3::Mmcs::open_multi_batch: {e}"))
    }

    fn verify_multi_batch<R: AsRef<[F]> + PartialEq>(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        indices: &[usize],
        opened_values: &[Vec<R>],
        proof: &Self::MultiProof,
    ) -> core::result::Result<(), MerkleTreeError> {
        p3_commit::Mmcs::verify_multi_batch(&self.stock, commit, dimensions, indices, opened_values, proof)
    }
}
