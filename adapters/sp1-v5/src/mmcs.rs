//! The fork's `p3_commit::Mmcs<BabyBear>` (0.2.3-succinct) over cherenkov's Merkle trees with SP1
//! v5's Poseidon2 (`sp1_primitives::poseidon2_init()`, what `BabyBearPoseidon2`'s `ValMmcs` uses):
//! commitments, prover data openings and proofs equal to the fork's `FieldMerkleTreeMmcs`.
//!
//! The fork's tree pads the leaf layer to a power of two with zero digests, Plonky3 0.8's (and
//! so cherenkov's) pads each layer to even: the same tree when every height is a power of two,
//! which is what SP1 commits (padded traces, quotient chunks, FRI layers). A batch with another
//! height is committed by the fork's own tree, so the results stay equal for any input;
//! verification is the fork's. A device failure is recorded ([`Mmcs::last_device_error`]) and
//! the tree rebuilt on the cpu.

use cherenkov::backend::DeviceFallback;
use cherenkov::{Backend, Engine};
use cherenkov_sp1_v5_support::{self as support, BabyBearRepr};
use p3_baby_bear::DiffusionMatrixBabyBear;
use p3_commit::Mmcs as ForkMmcs;
use p3_field::Field;
use p3_matrix::{Dimensions, Matrix};
use p3_merkle_tree::{FieldMerkleTree, FieldMerkleTreeMmcs};
use p3_poseidon2::{Poseidon2, Poseidon2ExternalMatrixGeneral};
use p3_symmetric::{Hash, PaddingFreeSponge, TruncatedPermutation};

use crate::BabyBear;

/// SP1 v5's Poseidon2-16 over the fork's BabyBear.
pub type Perm = Poseidon2<BabyBear, Poseidon2ExternalMatrixGeneral, DiffusionMatrixBabyBear, 16, 7>;
/// `BabyBearPoseidon2`'s `ValMmcs`.
pub type StockMmcs = FieldMerkleTreeMmcs<
    <BabyBear as Field>::Packing,
    <BabyBear as Field>::Packing,
    PaddingFreeSponge<Perm, 16, 8, 8>,
    TruncatedPermutation<Perm, 2, 8, 16>,
    8,
>;
type Digest = [BabyBear; 8];

/// The fork's `Mmcs<BabyBear>` on a cherenkov backend, SP1 v5's Poseidon2.
#[derive(Clone)]
pub struct Mmcs {
    engine: Engine,
    stock: StockMmcs,
    fallback: DeviceFallback,
}

impl std::fmt::Debug for Mmcs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mmcs").field("engine", &self.engine.name()).finish()
    }
}

impl Mmcs {
    pub fn new(backend: Backend) -> cherenkov::Result<Self> {
        Ok(Self::on(backend.engine()?))
    }
    pub fn on(engine: Engine) -> Self {
        let perm = sp1_primitives::poseidon2_init();
        let stock = StockMmcs::new(PaddingFreeSponge::new(perm.clone()), TruncatedPermutation::new(perm));
        Self { engine, stock, fallback: DeviceFallback::default() }
    }
    /// The last device error this MMCS recovered from by building the tree on the cpu (the
    /// trait has no error channel). Clones share it.
    pub fn last_device_error(&self) -> Option<String> {
        self.fallback.last()
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    /// The fork's own MMCS over the same permutation.
    pub fn stock(&self) -> &StockMmcs {
        &self.stock
    }
}

/// A committed batch: cherenkov's tree (digests in the fork's type) or, for heights that are
/// not powers of two, the fork's own.
#[derive(Debug, Clone)]
pub enum ProverData<M> {
    Ours { leaves: Vec<M>, layers: Vec<Vec<Digest>> },
    Stock(FieldMerkleTree<BabyBear, BabyBear, M, 8>),
}

impl ForkMmcs<BabyBear> for Mmcs {
    type ProverData<M> = ProverData<M>;
    type Commitment = Hash<BabyBear, BabyBear, 8>;
    type Proof = Vec<Digest>;
    type Error = ();

    fn commit<M: Matrix<BabyBear>>(&self, inputs: Vec<M>) -> (Self::Commitment, ProverData<M>) {
        let repr = BabyBearRepr::<BabyBear>::check().expect("the fork's BabyBear is stored as cherenkov's");
        if let Some(layers) = support::merkle_layers_on(&self.engine, &self.fallback, repr, &inputs) {
            let root = layers.last().expect("a tree has a root")[0];
            return (root.into(), ProverData::Ours { leaves: inputs, layers });
        }
        let (root, tree) = self.stock.commit(inputs);
        (root, ProverData::Stock(tree))
    }

    fn open_batch<M: Matrix<BabyBear>>(&self, index: usize, data: &ProverData<M>) -> (Vec<Vec<BabyBear>>, Self::Proof) {
        let (leaves, layers) = match data {
            ProverData::Stock(tree) => return self.stock.open_batch(index, tree),
            ProverData::Ours { leaves, layers } => (leaves, layers),
        };
        let log_max = layers.len() - 1;
        let openings = leaves
            .iter()
            .map(|m| {
                let log_h = m.height().trailing_zeros() as usize;
                m.row(index >> (log_max - log_h)).collect()
            })
            .collect();
        let proof = (0..log_max).map(|l| layers[l][(index >> l) ^ 1]).collect();
        (openings, proof)
    }

    fn get_matrices<'a, M: Matrix<BabyBear>>(&self, data: &'a ProverData<M>) -> Vec<&'a M> {
        match data {
            ProverData::Ours { leaves, .. } => leaves.iter().collect(),
            ProverData::Stock(tree) => self.stock.get_matrices(tree),
        }
    }

    fn verify_batch(
        &self,
        commit: &Self::Commitment,
        dimensions: &[Dimensions],
        index: usize,
        opened_values: &[Vec<BabyBear>],
        proof: &Self::Proof,
    ) -> Result<(), ()> {
        self.stock.verify_batch(commit, dimensions, index, opened_values, proof)
    }
}
