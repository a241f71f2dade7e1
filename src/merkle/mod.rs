//! Merkle trees over Poseidon2-16 with the semantics of Plonky3's `MerkleTreeMmcs` (p3-merkle-tree
//! 0.8, arity 2, digests of 8 elements): leaves are the rows of the tallest matrices hashed with
//! `PaddingFreeSponge<_, 16, 8, 8>` (the rows of all matrices of one height concatenated),
//! nodes are `TruncatedPermutation<_, 2, 8, 16>` of their children, and a shorter matrix's row
//! digests are injected at the layer of its height: `node = c(c(left, right), rows_digest)`.
//!
//! The digest layers, the cap and the openings are bit-identical to Plonky3's on every backend.
//! [`Layout`] is the tree's shape (pure, from heights); `cpu` and `gpu` build the layers.

use p3_matrix::Matrix;
use p3_symmetric::MerkleCap;

mod cpu;
pub(crate) use cpu::fill as cpu_fill;
mod gpu;
mod lde;

pub use gpu::DeviceTree;

pub(crate) use lde::{commit_kept_on_device, commit_lde_on_device, commit_resident_ldes_kept};
pub use lde::{commit_lde, rows_batch_many, Trace};

use std::sync::{Arc, OnceLock};

use crate::backend::{DeviceBuffer, Engine, Gpu};
use crate::error::{Error, Result};
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher, DIGEST};

/// A digest: 8 field elements.
pub type Digest<F> = [F; DIGEST];

/// Plonky3's padded layer length: a layer of `raw > 1` nodes is stored rounded up to even (the
/// extra slot is the zero digest), so the next layer always pairs whole.
pub const fn padded_len(raw: usize) -> usize {
    if raw <= 1 {
        raw
    } else {
        raw.div_ceil(2) * 2
    }
}

/// One layer of the tree: how many nodes are computed (`raw`), how many are stored (`padded`),
/// and which matrices' rows are injected there (indices into the committed batch, in hashing
/// order; empty at layer 0, whose rows are `Layout::leaves`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub raw: usize,
    pub padded: usize,
    pub inject: Vec<usize>,
    /// Height of the injected matrices (0 when none).
    pub inject_height: usize,
}

/// The shape of a tree over matrices of the given heights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Matrices hashed into the leaf layer (the tallest), in hashing order.
    pub leaves: Vec<usize>,
    /// Layer 0 (leaf digests) up to the root.
    pub layers: Vec<Layer>,
}

impl Layout {
    /// The layout Plonky3 builds for `heights` (in commit order). Every height must sit on the
    /// ladder `ceil(max_height / 2^k)`, as `MerkleTreeMmcs::commit` requires.
    pub fn new(heights: &[usize]) -> Result<Self> {
        let max_height = heights
            .iter()
            .copied()
            .max()
            .filter(|&h| h > 0)
            .ok_or_else(|| Error::InvalidShape("no matrices, or only matrices of height 0, to commit".into()))?;
        let log_max = log2_ceil(max_height);
        for &h in heights {
            let reduced = log_max - log2_ceil(h);
            let expected = ((max_height - 1) >> reduced) + 1;
            if h != expected {
                return Err(Error::IncompatibleHeights { height: h, max_height, expected });
            }
        }
        // Tallest first; a stable sort keeps commit order among equal heights (Plonky3's
        // `sorted_by_key(Reverse(height))`).
        let mut order: Vec<usize> = (0..heights.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(heights[i]));
        let mut rest = order.into_iter().peekable();
        let mut leaves = Vec::new();
        while let Some(i) = rest.next_if(|&i| heights[i] == max_height) {
            leaves.push(i);
        }
        let mut layers =
            vec![Layer { raw: max_height, padded: padded_len(max_height), inject: Vec::new(), inject_height: 0 }];
        while let Some(prev) = layers.last().filter(|l| l.padded > 1) {
            let raw = prev.padded / 2;
            let mut inject = Vec::new();
            while let Some(i) = rest.next_if(|&i| heights[i].next_power_of_two() == raw.next_power_of_two()) {
                inject.push(i);
            }
            let inject_height = inject.first().map_or(0, |&i| heights[i]);
            layers.push(Layer { raw, padded: padded_len(raw), inject, inject_height });
        }
        // Zero-height matrices sit below every layer: Plonky3 rejects them above (expected 1).
        debug_assert!(rest.next().is_none(), "every height on the ladder has a layer");
        Ok(Self { leaves, layers })
    }

    pub fn max_height(&self) -> usize {
        self.layers[0].raw
    }

    /// The row a leaf index opens in a matrix of `height` rows: the index shifted down by the
    /// levels between the tallest matrix and this one (Plonky3's `index >> bits_reduced`).
    pub fn row_at(&self, height: usize, index: usize) -> usize {
        index >> (log2_ceil(self.max_height()) - log2_ceil(height))
    }

    /// Layers the openings walk for a cap of `cap_height` (clamped to the tree, as Plonky3 does).
    pub fn proof_levels(&self, cap_height: usize) -> usize {
        let top = self.layers.len() - 1;
        top - cap_height.min(top)
    }
}

fn log2_ceil(n: usize) -> usize {
    n.next_power_of_two().trailing_zeros() as usize
}

/// A committed batch: the matrices and every digest layer (what Plonky3's `MerkleTree` holds),
/// and, after a fused LDE commit on a device that asked to keep them
/// (`plonky3::Mmcs::commit_lde_kept_on_device`), the leaves where they still lie — then the
/// host copy is made only when something asks for it ([`MerkleTree::leaves`]), and openings
/// gather their rows on the device ([`MerkleTree::rows_batch`]).
#[derive(Debug, Clone)]
pub struct MerkleTree<F, M> {
    pub(crate) leaves: Arc<Leaves<F, M>>,
    pub(crate) layout: Layout,
    pub(crate) digest_layers: Vec<Vec<Digest<F>>>,
    pub(crate) device_leaves: Option<Arc<DeviceLeaves>>,
}

/// Where the host reads a tree's leaf matrices from.
pub(crate) trait LeafSource<F, M>: Send + Sync + std::panic::RefUnwindSafe {
    /// Every matrix, copied to the host.
    fn download(&self) -> Result<Vec<M>>;
    /// Rows `rows[k]` of matrix `matrix`, in that order.
    fn rows(&self, matrix: usize, rows: &[usize]) -> Result<Vec<Vec<F>>>;
}

/// A tree's leaf matrices: on the host, or copied from their [`LeafSource`] on first use.
pub(crate) struct Leaves<F, M> {
    host: OnceLock<Vec<M>>,
    /// (height, width) of each matrix, in commit order.
    dims: Vec<(usize, usize)>,
    source: Option<Box<dyn LeafSource<F, M>>>,
}

impl<F, M> std::fmt::Debug for Leaves<F, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaves").field("dims", &self.dims).field("on_host", &self.host.get().is_some()).finish()
    }
}

impl<F, M: Matrix<F>> Leaves<F, M>
where
    F: Clone + Send + Sync,
{
    fn on_host(leaves: Vec<M>) -> Self {
        let dims = leaves.iter().map(|m| (m.height(), m.width())).collect();
        Self { host: OnceLock::from(leaves), dims, source: None }
    }
    fn get(&self) -> Result<&[M]> {
        if let Some(host) = self.host.get() {
            return Ok(host);
        }
        let source = self.source.as_ref().ok_or_else(|| Error::InvalidArgument("a tree without leaves".into()))?;
        let fetched = source.download()?;
        Ok(self.host.get_or_init(|| fetched))
    }
}

/// The leaf matrices of a tree committed on a device, kept there (one row-major buffer of
/// field words per matrix, the host copy's twin) so kernels that read the committed LDE —
/// the STARK quotient, the PCS openings — find it in place instead of uploading it again.
/// Their memory goes back to the device's pool when the last clone of the tree drops.
#[derive(Debug)]
pub struct DeviceLeaves {
    pub(crate) gpu: Gpu,
    pub(crate) rows: Vec<DeviceBuffer<u32>>,
    pub(crate) widths: Vec<usize>,
}

impl DeviceLeaves {
    /// Matrix `i`'s rows, when they lie on `gpu` (the same device, any clone of its handle).
    pub(crate) fn rows_on(&self, gpu: &Gpu, i: usize) -> Option<&DeviceBuffer<u32>> {
        self.rows.get(i).filter(|_| self.gpu.same_device(gpu))
    }
    /// Matrix `i`'s (height, width).
    pub fn dims(&self, i: usize) -> Option<(usize, usize)> {
        let (rows, width) = (self.rows.get(i)?, *self.widths.get(i)?);
        Some((rows.len().checked_div(width).unwrap_or(0), width))
    }
    /// Device bytes they hold.
    pub fn bytes(&self) -> usize {
        self.rows.iter().map(|b| b.len() * 4).sum()
    }
}

/// Builds the tree of `leaves` on `engine`. Matrices must have at least one row (the tallest)
/// and heights on Plonky3's ladder; widths may be anything, including 0.
pub fn build<F: Poseidon2Hasher, M: Matrix<F>>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    leaves: Vec<M>,
) -> Result<MerkleTree<F, M>> {
    let heights: Vec<usize> = leaves.iter().map(|m| m.height()).collect();
    let layout = Layout::new(&heights)?;
    let digest_layers = digest_layers(engine, c, &leaves, &layout)?;
    Ok(MerkleTree::from_parts(leaves, layout, digest_layers))
}

/// The tree of `leaves` (one height, at least one row, at most 2^31) built on `gpu` and kept
/// there: the root and, per batch of openings, the opened paths are all that come back (a
/// [`build`] on a device copies every layer to the host). The engine's self-check does not cover
/// it: the layers it would sample never leave the device.
pub fn build_on_device<F: Poseidon2Hasher, M: Matrix<F>>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
) -> Result<DeviceTree<F>> {
    DeviceTree::build(gpu, c, leaves)
}

/// The digest layers of `leaves` laid out as `layout` (made from their heights).
pub(crate) fn digest_layers<F: Poseidon2Hasher, M: Matrix<F>>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    match engine {
        Engine::Cpu => cpu::build_layers(c, leaves, layout),
        Engine::Gpu(gpu) => crate::verify::device_result(
            gpu,
            "merkle tree",
            gpu::build_layers(gpu, c, leaves, layout),
            |layers, rng, samples| crate::verify::merkle::tree(c, leaves, layout, layers, samples, rng),
            || cpu::build_layers(c, leaves, layout),
        ),
    }
}

impl<F: Clone + Send + Sync, M: Matrix<F>> MerkleTree<F, M> {
    pub(crate) fn from_parts(leaves: Vec<M>, layout: Layout, digest_layers: Vec<Vec<Digest<F>>>) -> Self {
        Self { leaves: Arc::new(Leaves::on_host(leaves)), layout, digest_layers, device_leaves: None }
    }
    /// A tree whose leaves stay on the device; `source` copies them (or rows of them) down.
    pub(crate) fn kept_on_device(
        device: Arc<DeviceLeaves>,
        source: Box<dyn LeafSource<F, M>>,
        layout: Layout,
        digest_layers: Vec<Vec<Digest<F>>>,
    ) -> Self {
        let dims = (0..device.rows.len()).map(|i| device.dims(i).expect("one width per buffer")).collect();
        let leaves = Leaves { host: OnceLock::new(), dims, source: Some(source) };
        Self { leaves: Arc::new(leaves), layout, digest_layers, device_leaves: Some(device) }
    }
    /// The leaf matrices on the host. A tree whose leaves were kept on the device copies them
    /// down on the first call (and panics if that copy fails: [`MerkleTree::try_leaves`] returns
    /// the error); the openings of `cherenkov::plonky3`'s PCS never ask.
    pub fn leaves(&self) -> &[M] {
        self.try_leaves().unwrap_or_else(|e| panic!("cherenkov: copying a tree's leaves to the host: {e}"))
    }
    /// [`MerkleTree::leaves`], a failed copy as an error.
    pub fn try_leaves(&self) -> Result<&[M]> {
        self.leaves.get()
    }
    /// Whether the leaves are on the host (always, unless kept on the device and not yet asked for).
    pub fn leaves_on_host(&self) -> bool {
        self.leaves.host.get().is_some()
    }
    /// (height, width) of each leaf matrix, in commit order, wherever the leaves lie.
    pub fn dims(&self) -> &[(usize, usize)] {
        &self.leaves.dims
    }
}

impl<F: Copy, M> MerkleTree<F, M> {
    pub(crate) fn with_device_leaves(mut self, leaves: DeviceLeaves) -> Self {
        self.device_leaves = Some(Arc::new(leaves));
        self
    }
    /// The leaves on the device that committed them, when a fused LDE commit kept them there.
    pub fn device_leaves(&self) -> Option<&DeviceLeaves> {
        self.device_leaves.as_deref()
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    /// Layer 0 (the leaf digests) to the root, at their padded lengths (Plonky3's
    /// `MerkleTree::digest_layers`).
    pub fn digest_layers(&self) -> &[Vec<Digest<F>>] {
        &self.digest_layers
    }
    /// The digest layers, without the leaves (for callers that keep only the tree).
    pub fn into_digest_layers(self) -> Vec<Vec<Digest<F>>> {
        self.digest_layers
    }
    pub fn root(&self) -> Digest<F> {
        self.digest_layers.last().expect("a tree has a root layer")[0]
    }

    /// The cap `cap_height` layers below the root (clamped to the tree): 2^cap_height digests,
    /// fewer when that layer is shorter; exactly `MerkleTreeMmcs::commit`'s commitment. A cap
    /// that would not be a power of two (a padded layer of a tree whose height is not one, e.g.
    /// 6 digests) is an error: Plonky3's `MerkleCap` cannot hold it (its commit panics).
    pub fn cap(&self, cap_height: usize) -> Result<MerkleCap<F, Digest<F>>> {
        let top = self.digest_layers.len() - 1;
        let h = cap_height.min(top);
        let layer = &self.digest_layers[top - h];
        let len = (1usize << h).min(layer.len());
        if !len.is_power_of_two() {
            return Err(Error::InvalidShape(format!(
                "a cap of height {h} over {} leaves would hold {len} digests, not a power of two",
                self.layout.max_height()
            )));
        }
        Ok(MerkleCap::new(layer[..len].to_vec()))
    }

    /// The siblings from the leaf at `index` up to the cap (Plonky3's `open_batch` proof).
    pub fn siblings(&self, index: usize, cap_height: usize) -> Result<Vec<Digest<F>>> {
        self.check_index(index)?;
        let levels = self.layout.proof_levels(cap_height);
        Ok((0..levels).map(|l| self.digest_layers[l][(index >> l) ^ 1]).collect())
    }

    /// The pruned siblings of a multi-opening (Plonky3's `PrunedMerklePaths::sibling_hashes`):
    /// level by level from the leaves, groups by ascending parent, a group's siblings not
    /// covered by another queried path, in ascending position.
    pub fn pruned_siblings(&self, indices: &[usize], cap_height: usize) -> Result<Vec<Digest<F>>> {
        for &i in indices {
            self.check_index(i)?;
        }
        let mut nodes: Vec<usize> = indices.to_vec();
        nodes.sort_unstable();
        nodes.dedup();
        let mut out = Vec::new();
        for level in 0..self.layout.proof_levels(cap_height) {
            let mut parents = Vec::with_capacity(nodes.len());
            let mut k = 0;
            while k < nodes.len() {
                let group = nodes[k] / 2;
                let both = k + 1 < nodes.len() && nodes[k + 1] == nodes[k] + 1 && nodes[k].is_multiple_of(2);
                if !both {
                    out.push(self.digest_layers[level][nodes[k] ^ 1]);
                }
                parents.push(group);
                k += if both { 2 } else { 1 };
            }
            nodes = parents;
        }
        Ok(out)
    }

    fn check_index(&self, index: usize) -> Result<()> {
        let height = self.layout.max_height();
        if index >= height {
            return Err(Error::IndexOutOfBounds { index, len: height });
        }
        Ok(())
    }
}

impl<F: Copy + Send + Sync, M: Matrix<F>> MerkleTree<F, M> {
    /// The rows opened at leaf `index`: matrix m's row [`Layout::row_at`]`(h_m, index)`, in commit
    /// order.
    pub fn rows(&self, index: usize) -> Result<Vec<Vec<F>>> {
        Ok(self.rows_batch(&[index])?.pop().expect("one index, one opening"))
    }

    /// [`MerkleTree::rows`] of each index; leaves kept on the device are gathered there, one
    /// launch and one copy per matrix, so only the opened rows come back.
    pub fn rows_batch(&self, indices: &[usize]) -> Result<Vec<Vec<Vec<F>>>> {
        for &i in indices {
            self.check_index(i)?;
        }
        let mut out: Vec<Vec<Vec<F>>> = vec![Vec::with_capacity(self.leaves.dims.len()); indices.len()];
        match (self.leaves.host.get(), &self.leaves.source) {
            (None, Some(source)) => {
                for (m, &(h, _)) in self.leaves.dims.iter().enumerate() {
                    let rows: Vec<usize> = indices.iter().map(|&i| self.layout.row_at(h, i)).collect();
                    for (o, row) in out.iter_mut().zip(source.rows(m, &rows)?) {
                        o.push(row);
                    }
                }
            }
            _ => {
                for m in self.leaves.get()? {
                    for (o, &i) in out.iter_mut().zip(indices) {
                        o.push(m.row_slice(self.layout.row_at(m.height(), i)).expect("row on the ladder").to_vec());
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_follows_the_ladder() {
        let l = Layout::new(&[8, 2, 8, 4]).unwrap();
        assert_eq!(l.leaves, vec![0, 2]);
        let lens: Vec<(usize, usize)> = l.layers.iter().map(|x| (x.raw, x.padded)).collect();
        assert_eq!(lens, vec![(8, 8), (4, 4), (2, 2), (1, 1)]);
        assert_eq!(l.layers[1].inject, vec![3]);
        assert_eq!(l.layers[2].inject, vec![1]);
        // Non-powers of two: 5 rows pad to 6, then 3 (+1 zero slot), 2, 1; 3 and 2 inject.
        let l = Layout::new(&[5, 3, 2]).unwrap();
        let lens: Vec<(usize, usize)> = l.layers.iter().map(|x| (x.raw, x.padded)).collect();
        assert_eq!(lens, vec![(5, 6), (3, 4), (2, 2), (1, 1)]);
        assert_eq!((l.layers[1].inject.clone(), l.layers[1].inject_height), (vec![1], 3));
        assert_eq!(l.layers[2].inject, vec![2]);
        assert_eq!(Layout::new(&[1]).unwrap().layers.len(), 1);
        assert_eq!(l.proof_levels(0), 3);
        assert_eq!(l.proof_levels(2), 1);
        assert_eq!(l.proof_levels(9), 0);
    }

    #[test]
    fn layout_rejects_heights_off_the_ladder() {
        assert!(matches!(Layout::new(&[8, 3]), Err(Error::IncompatibleHeights { height: 3, expected: 4, .. })));
        assert!(matches!(Layout::new(&[8, 5]), Err(Error::IncompatibleHeights { height: 5, expected: 8, .. })));
        assert!(matches!(Layout::new(&[8, 0]), Err(Error::IncompatibleHeights { height: 0, .. })));
        assert!(matches!(Layout::new(&[]), Err(Error::InvalidShape(_))));
        assert!(matches!(Layout::new(&[0, 0]), Err(Error::InvalidShape(_))));
    }
}
