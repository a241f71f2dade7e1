//! `slop_merkle_tree::TensorCsProver` over cherenkov's Merkle trees, with SP1 v6's
//! Poseidon2-KoalaBear-16 (`KoalaBearDegree4Duplex`: `PaddingFreeSponge<_, 16, 8, 8>` leaves,
//! `TruncatedPermutation<_, 2, 8, 16>` nodes).
//!
//! slop's scheme (`Poseidon2KoalaBear16Prover`, on the fork's p3-merkle-tree 0.4.3): all tensors
//! of a commitment have one height; a leaf hashes the concatenation of every tensor's row; the
//! leaf layer is padded with zero digests to the next power of two (Plonky3 0.8, which
//! cherenkov's trees follow, pads each layer to even instead: the same tree when the height is a
//! power of two); the commitment is `compress([root, hash([log_height, total_width])])`.
//! Power-of-two heights, what SP1's Basefold commits, take cherenkov's fused tree on the engine;
//! other heights take the leaf digests from it and compress the padded layers on the cpu.

use std::fmt;
use std::sync::Arc;

use cherenkov::merkle::{self, DeviceTree, Digest};
use cherenkov::poseidon2::{CpuPermutation, Poseidon2Constants};
use cherenkov::{Backend, Engine, Error};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;
use p3_symmetric::{CryptographicHasher, PaddingFreeSponge, PseudoCompressionFunction, TruncatedPermutation};
use rayon::prelude::*;
use slop_alloc::CpuBackend;
use slop_commit::Message;
use slop_futures::OwnedBorrow;
use slop_koala_bear::KoalaBearDegree4Duplex;
use slop_merkle_tree::{ComputeTcsOpenings, MerkleTreeTcsProof, TensorCsProver};
use slop_tensor::Tensor;

use crate::KoalaBear;
use cherenkov_sp1_v6_support::{from_up as to_fork, to_up as to_upstream};

type Up = cherenkov::field::KoalaBear;
type Sponge = PaddingFreeSponge<CpuPermutation<Up, 16>, 16, 8, 8>;
type Compressor = TruncatedPermutation<CpuPermutation<Up, 16>, 2, 8, 16>;

/// SP1 v6's tensor commitment prover on a cherenkov backend.
#[derive(Clone)]
pub struct MerkleProver {
    engine: Engine,
    constants: Poseidon2Constants<Up, 16>,
    sponge: Sponge,
    compressor: Compressor,
}

impl fmt::Debug for MerkleProver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerkleProver").field("engine", &self.engine.name()).finish()
    }
}

/// What a commitment keeps for its openings: the tree (every digest layer on the host, the leaf
/// layer padded to a power of two; or, on a device engine, the layers left on the device), the
/// root, and the shape hashed into the commitment.
#[derive(Clone)]
pub struct TreeData {
    nodes: Nodes,
    root: [KoalaBear; 8],
    log_height: usize,
    width: usize,
}

impl fmt::Debug for TreeData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeData")
            .field("root", &self.root)
            .field("log_height", &self.log_height)
            .field("width", &self.width)
            .finish()
    }
}

/// Where a commitment's digest layers are.
#[derive(Clone)]
enum Nodes {
    Host(Arc<Vec<Vec<Digest<Up>>>>),
    Device(Arc<DeviceTree<Up>>),
}

impl TreeData {
    /// Whether the digest layers stayed on the device (openings then copy only their paths).
    pub fn on_device(&self) -> bool {
        matches!(self.nodes, Nodes::Device(_))
    }
    pub fn log_height(&self) -> usize {
        self.log_height
    }
    /// The total width of the committed tensors.
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn root(&self) -> [KoalaBear; 8] {
        self.root
    }
}

/// The engine `CHERENKOV_BACKEND` names (unset: the best available), so that slop's
/// `StackedPcsProver<P, _>: DefaultJaggedProver`, which builds its prover as `P::default()`,
/// runs on cherenkov. `Default` cannot fail: a value that does not parse, or names a backend this
/// machine cannot open, gives the cpu engine and one line on stderr saying why. Use
/// [`MerkleProver::new`] to get that as an error instead.
impl Default for MerkleProver {
    fn default() -> Self {
        match Backend::from_env().and_then(Backend::engine) {
            Ok(engine) => Self::on(engine),
            Err(why) => {
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| eprintln!("cherenkov-sp1-v6: MerkleProver::default() runs on cpu: {why}"));
                Self::on(Engine::Cpu)
            }
        }
    }
}

impl MerkleProver {
    pub fn new(backend: Backend) -> cherenkov::Result<Self> {
        Ok(Self::on(backend.engine()?))
    }
    pub fn on(engine: Engine) -> Self {
        let constants = Poseidon2Constants::sp1_v6_koalabear_16();
        let perm = constants.cpu_permutation();
        Self { engine, constants, sponge: Sponge::new(perm.clone()), compressor: Compressor::new(perm) }
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The tree of rows `0..height` of `tensors` concatenated (slop's tree): kept on the device
    /// when the engine is one, the height a power of two and no self-check asks for the layers
    /// on the host; otherwise every digest layer, on the host.
    fn tree(&self, tensors: &[&Tensor<KoalaBear>], height: usize) -> cherenkov::Result<Nodes> {
        let matrices: Vec<RowMajorMatrix<Up>> = tensors
            .iter()
            .map(|t| RowMajorMatrix::new(t.as_slice().par_iter().map(to_upstream).collect(), t.sizes()[1]))
            .collect();
        if let Engine::Gpu(gpu) = &self.engine {
            if height.is_power_of_two() && gpu.self_check().is_none() {
                return Ok(Nodes::Device(Arc::new(merkle::build_on_device(gpu, &self.constants, &matrices)?)));
            }
        }
        let tree = merkle::build(&self.engine, &self.constants, matrices)?;
        if height.is_power_of_two() {
            return Ok(Nodes::Host(Arc::new(tree.into_digest_layers())));
        }
        let mut leaves = tree.into_digest_layers().swap_remove(0);
        leaves.truncate(height);
        leaves.resize(height.next_power_of_two(), [Up::ZERO; 8]);
        let mut layers = vec![leaves];
        while let Some(last) = layers.last().filter(|l| l.len() > 1) {
            let next = last.par_chunks_exact(2).map(|pair| self.compressor.compress([pair[0], pair[1]])).collect();
            layers.push(next);
        }
        Ok(Nodes::Host(Arc::new(layers)))
    }
}

/// The tensors of a commitment as matrices, checked: at least one, each 2-dimensional, one height,
/// at least one row and one column (slop's prover panics on a zero-width tensor, and its tree
/// would read one as a matrix of height 0, injected at the root, which its verifier rejects).
fn matrices<T: OwnedBorrow<Tensor<KoalaBear>>>(
    tensors: &Message<T>,
) -> cherenkov::Result<(Vec<&Tensor<KoalaBear>>, usize)> {
    let list: Vec<&Tensor<KoalaBear>> = tensors.iter().map(|t| (**t).borrow()).collect();
    let first = list.first().ok_or_else(|| Error::InvalidShape("a commitment of no tensors".into()))?;
    for t in &list {
        if t.sizes().len() != 2 {
            return Err(Error::InvalidShape(format!("a tensor of shape {:?}; commitments take matrices", t.sizes())));
        }
    }
    let height = first.sizes()[0];
    if height == 0 {
        return Err(Error::InvalidShape("tensors of no rows".into()));
    }
    if list.iter().any(|t| t.sizes()[1] == 0) {
        return Err(Error::InvalidShape("a tensor of width 0".into()));
    }
    if let Some(t) = list.iter().find(|t| t.sizes()[0] != height) {
        return Err(Error::InvalidShape(format!(
            "tensors of heights {height} and {}; one commitment takes one height",
            t.sizes()[0]
        )));
    }
    Ok((list, height))
}

fn field_usize(n: usize) -> cherenkov::Result<Up> {
    u32::try_from(n)
        .ok()
        .filter(|&v| v < Up::ORDER_U32)
        .map(Up::from_u32)
        .ok_or_else(|| Error::SizeOverflow(format!("{n} is not below the field's order")))
}

impl TensorCsProver<KoalaBearDegree4Duplex, CpuBackend> for MerkleProver {
    type ProverData = TreeData;
    type ProverError = Error;

    fn commit_tensors<T>(&self, tensors: Message<T>) -> Result<([KoalaBear; 8], TreeData), Error>
    where
        T: OwnedBorrow<Tensor<KoalaBear, CpuBackend>>,
    {
        let (list, height) = matrices(&tensors)?;
        let width = list.iter().map(|t| t.sizes()[1]).sum::<usize>();
        let log_height = height.next_power_of_two().trailing_zeros() as usize;
        let nodes = self.tree(&list, height)?;
        let root = match &nodes {
            Nodes::Host(layers) => layers.last().expect("a tree has a root")[0],
            Nodes::Device(tree) => tree.root(),
        };
        let shape = self.sponge.hash_iter([field_usize(log_height)?, field_usize(width)?]);
        let commitment = self.compressor.compress([root, shape]).map(|x| to_fork(&x));
        let data = TreeData { nodes, root: root.map(|x| to_fork(&x)), log_height, width };
        Ok((commitment, data))
    }

    fn prove_openings_at_indices(
        &self,
        data: TreeData,
        indices: &[usize],
    ) -> Result<MerkleTreeTcsProof<[KoalaBear; 8]>, Error> {
        let (leaves, levels) = match &data.nodes {
            Nodes::Host(layers) => (layers[0].len(), layers.len() - 1),
            Nodes::Device(tree) => (tree.leaves(), tree.levels()),
        };
        if let Some(&index) = indices.iter().find(|&&i| i >= leaves) {
            return Err(Error::IndexOutOfBounds { index, len: leaves });
        }
        let paths: Vec<[KoalaBear; 8]> = match &data.nodes {
            Nodes::Host(layers) => indices
                .iter()
                .flat_map(|&i| (0..levels).map(move |l| layers[l][(i >> l) ^ 1].map(|x| to_fork(&x))))
                .collect(),
            Nodes::Device(tree) => tree.siblings(indices)?.iter().map(|d| d.map(|x| to_fork(&x))).collect(),
        };
        Ok(MerkleTreeTcsProof {
            merkle_root: data.root,
            log_tensor_height: data.log_height,
            width: data.width,
            paths: Tensor::from(paths).reshape([indices.len(), levels]),
        })
    }
}

impl ComputeTcsOpenings<KoalaBearDegree4Duplex, CpuBackend> for MerkleProver {
    /// Row `indices[i]` of every tensor, concatenated, as row `i`. The trait has no error channel:
    /// like slop's, this panics on an index past the tensors' height.
    fn compute_openings_at_indices<T>(&self, tensors: Message<T>, indices: &[usize]) -> Tensor<KoalaBear>
    where
        T: OwnedBorrow<Tensor<KoalaBear, CpuBackend>>,
    {
        let list: Vec<&Tensor<KoalaBear>> = tensors.iter().map(|t| (**t).borrow()).collect();
        let width: usize = list.iter().map(|t| t.sizes()[1]).sum();
        let values: Vec<KoalaBear> = indices
            .iter()
            .flat_map(|&i| {
                list.iter().flat_map(move |t| {
                    let w = t.sizes()[1];
                    assert!(i < t.sizes()[0], "opening row {i} of a tensor of height {}", t.sizes()[0]);
                    t.as_slice()[i * w..(i + 1) * w].iter().copied()
                })
            })
            .collect();
        Tensor::from(values).reshape([indices.len(), width])
    }
}
