//! The device tree builder: leaf digests by the device sponge (`poseidon2::hash::absorb_rows`, a
//! launch per matrix, the state carried between the matrices of one height), then the layers folded up to
//! LOG_BLOCK levels a launch by `merkle_compress_levels`, a new launch wherever shorter matrices
//! are injected. Every layer is copied back once, for openings — or, for a [`DeviceTree`], kept
//! on the device, only the root and the opened paths copied back.

use p3_matrix::Matrix;
use rayon::prelude::*;

use super::{Digest, Layout};
use crate::backend::{DeviceBuffer, Dim3, Gpu, Launch};
use crate::error::{Error, Result};
use crate::poseidon2::hash::{self, Resident};
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher, DIGEST};

/// First-level parents per block.
const BLOCK: u32 = 256;
/// Words of shared memory per first-level parent: its two children and a pad word (merkle.cuh's
/// MERKLE_PAIR_STRIDE, which keeps the block's reads free of bank conflicts).
const MERKLE_PAIR_STRIDE: u32 = 17;
/// Levels one compress launch folds: each keeps ≥ 2 nodes a block (see merkle.cuh).
const LOG_BLOCK: usize = 8;

pub(super) fn build_layers<F: Poseidon2Hasher, M: Matrix<F>>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    build_resident::<F>(gpu, c, &upload(gpu, leaves)?, layout)
}

/// Every matrix uploaded in device encoding (a zero-width one holds no buffer).
fn upload<F: Poseidon2Hasher, M: Matrix<F>>(gpu: &Gpu, leaves: &[M]) -> Result<Vec<Resident>> {
    leaves
        .iter()
        .map(|m| {
            let rows = if m.width() == 0 { None } else { Some(gpu.upload(&reprs(m)?)?) };
            Ok(Resident { rows, width: m.width() })
        })
        .collect()
}

/// The digest layers of matrices already on the device (`layout` made from their heights).
pub(crate) fn build_resident<F: Poseidon2Hasher>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[Resident],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    Ok(fold::<F>(gpu, c, leaves, layout, false)?.0)
}

/// Every digest layer of a tree in one device buffer: layer `l` from digest `offsets[l]`.
#[derive(Debug)]
struct Layers {
    buf: DeviceBuffer<u32>,
    offsets: Vec<u64>,
}

/// The layers downloaded (all, or none when kept) and the buffer kept on the device.
type Folded<F> = (Vec<Vec<Digest<F>>>, Option<Layers>);

/// Hashes and folds the tree into one buffer holding every layer (under two digests a leaf,
/// what a layer-by-layer download held at its peak too). With `keep`, the layers stay on the
/// device (none downloaded); otherwise they come back in one copy once the root is computed —
/// one synchronization a tree, not one per compress launch.
fn fold<F: Poseidon2Hasher>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[Resident],
    layout: &Layout,
    keep: bool,
) -> Result<Folded<F>> {
    let params = c.kernel_params();
    let layers = &layout.layers;
    let offsets: Vec<u64> = layers
        .iter()
        .scan(0u64, |at, layer| {
            let here = *at;
            *at += layer.padded as u64;
            Some(here)
        })
        .collect();
    let total = offsets.last().expect("a tree has a root layer") + layers.last().expect("a root").padded as u64;
    // Zeroed: the padding digest of an odd layer is zero.
    let all = gpu.alloc::<u32>(total as usize * DIGEST)?;
    let mats: Vec<&Resident> = layout.leaves.iter().map(|&i| &leaves[i]).collect();
    hash::absorb_rows::<F>(gpu, &mats, layers[0].raw, &all, &params)?;
    let mut k = 1;
    while k < layers.len() {
        let inject = if layers[k].inject.is_empty() {
            None
        } else {
            let mats: Vec<&Resident> = layers[k].inject.iter().map(|&i| &leaves[i]).collect();
            let buf = gpu.alloc::<u32>(layers[k].inject_height * DIGEST)?;
            hash::absorb_rows::<F>(gpu, &mats, layers[k].inject_height, &buf, &params)?;
            Some(buf)
        };
        let mut levels = 1;
        while levels < LOG_BLOCK && k + levels < layers.len() && layers[k + levels].inject.is_empty() {
            levels += 1;
        }
        let blocks = u32::try_from(layers[k].raw.div_ceil(BLOCK as usize))
            .map_err(|_| Error::SizeOverflow(format!("{} tree nodes in one layer", layers[k].raw)))?;
        let mut l = Launch::new(F::MERKLE_COMPRESS_LEVELS, Dim3::x(blocks), Dim3::x(BLOCK))
            .shared(BLOCK * MERKLE_PAIR_STRIDE * 4)
            .buf_at(&all, offsets[k - 1] as usize * DIGEST)
            .u64(layers[k - 1].padded as u64)
            .u32(levels as u32)
            .buf_at(&all, offsets[k] as usize * DIGEST);
        l = match &inject {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        let l = l.u64(layers[k].inject_height as u64).val_slice(&params);
        // SAFETY: `all` holds every padded layer one after another from `offsets`: layer k − 1
        // is read, layers k..k + levels written; `inject` holds inject_height digests; the
        // blocks cover layer k's raw nodes and levels ≤ LOG_BLOCK (merkle.cuh's bound).
        #[allow(unsafe_code)]
        unsafe {
            gpu.launch(&l)?
        };
        k += levels;
    }
    if keep {
        return Ok((Vec::new(), Some(Layers { buf: all, offsets })));
    }
    let flat = hash::download_digests(gpu, &all)?;
    Ok((crate::mem::split_lengths(flat, layers.iter().map(|l| l.padded)), None))
}

/// A Merkle tree whose digest layers stay in device memory: the root is read back, and an
/// opening fetches only the sibling digests it needs (one gather launch and one download for a
/// batch of indices) instead of every layer being copied to the host.
#[derive(Debug)]
pub struct DeviceTree<F> {
    gpu: Gpu,
    layers: Layers,
    leaves: usize,
    levels: usize,
    root: Digest<F>,
}

impl<F: Poseidon2Hasher> DeviceTree<F> {
    /// The tree of `leaves` (at least one, all of one height, so no layer takes injected
    /// rows; at most 2^31 rows), kept on `gpu`.
    pub(crate) fn build<M: Matrix<F>>(gpu: &Gpu, c: &Poseidon2Constants<F, 16>, leaves: &[M]) -> Result<Self> {
        let heights: Vec<usize> = leaves.iter().map(|m| m.height()).collect();
        if heights.windows(2).any(|w| w[0] != w[1]) {
            return Err(Error::InvalidShape(format!("a device-resident tree of heights {heights:?}; one height only")));
        }
        let layout = Layout::new(&heights)?;
        let rows = layout.layers[0].padded;
        if rows > 1 << 31 {
            return Err(Error::SizeOverflow(format!("{rows} leaves; a device-resident tree holds at most 2^31")));
        }
        let (_, layers) = fold::<F>(gpu, c, &upload(gpu, leaves)?, &layout, true)?;
        let layers = layers.expect("a kept fold returns its layers");
        let at = *layers.offsets.last().expect("a tree has a root layer") as usize * DIGEST;
        let root = F::decode_vec(gpu.download_range(&layers.buf, at, DIGEST)?)?;
        let root = root.try_into().map_err(|_| Error::InvalidArgument("a root of other than one digest".into()))?;
        Ok(Self { gpu: gpu.clone(), layers, leaves: rows, levels: layout.layers.len() - 1, root })
    }

    pub fn root(&self) -> Digest<F> {
        self.root
    }
    /// Leaves, padded to a power of two.
    pub fn leaves(&self) -> usize {
        self.leaves
    }
    /// Layers below the root: the length of an opening path.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The opening paths of `indices`: `levels()` sibling digests per index, bottom up, one index
    /// after another.
    pub fn siblings(&self, indices: &[usize]) -> Result<Vec<Digest<F>>> {
        if let Some(&index) = indices.iter().find(|&&i| i >= self.leaves) {
            return Err(Error::IndexOutOfBounds { index, len: self.leaves });
        }
        if indices.is_empty() || self.levels == 0 {
            return Ok(Vec::new());
        }
        let count = u32::try_from(indices.len())
            .map_err(|_| Error::SizeOverflow(format!("{} openings in one call", indices.len())))?;
        // Below 2^31 leaves (checked when built), so every index fits the kernel's u32. The
        // indices and the layers' offsets (the root's layer has no sibling) go up in one upload
        // (one synchronization); the offsets' part starts 16-byte aligned, as u64s need.
        let ids: Vec<u32> = indices.iter().map(|&i| i as u32).collect();
        let offsets: &[u32] = bytemuck::cast_slice(&self.layers.offsets[..self.levels]);
        let (packed, at) = self.gpu.upload_packed(&[&ids, offsets])?;
        // Every word is written: count · levels digests.
        let out = self.gpu.alloc_uninit::<u32>(indices.len() * self.levels * DIGEST)?;
        let l = Launch::new(
            "chk_merkle_gather_siblings",
            Dim3 { x: count.div_ceil(GATHER_BLOCK), y: self.levels as u32, z: 1 },
            Dim3::x(GATHER_BLOCK),
        )
        .buf(&self.layers.buf)
        .buf_at(&packed, at[1])
        .u32(0)
        .buf_at(&packed, at[0])
        .u32(count)
        .u32(self.levels as u32)
        .buf(&out);
        // SAFETY: every index is below `leaves`, so node (index >> level) ^ 1 is below the
        // padded length of each level (a power of two ≥ 2 below the root), which starts at its
        // offset in the layers' buffer; levels ≤ 31; `out` holds count · levels digests.
        #[allow(unsafe_code)]
        unsafe {
            self.gpu.launch(&l)?
        };
        hash::download_digests::<F>(&self.gpu, &out)
    }
}

/// Openings per block of the gather kernel.
const GATHER_BLOCK: u32 = 128;

/// The rows of `m`, row-major, in device encoding.
fn reprs<F: Poseidon2Hasher, M: Matrix<F>>(m: &M) -> Result<Vec<u32>> {
    // Rows gathered on every core into a zeroed allocation whose pages fault in on the writing
    // threads (one thread gathering a 2^17 x 2633 LDE took longer than hashing it on an H100).
    const ROWS_PER_TASK: usize = 64;
    let w = m.width();
    let mut out = crate::mem::zeroed::<u32>(crate::mem::Size::of(m.height(), "matrix elements").times(w).get()?)?;
    out.par_chunks_mut(w * ROWS_PER_TASK).enumerate().for_each(|(task, chunk)| {
        for (j, dst) in chunk.chunks_mut(w).enumerate() {
            let row = m.row_slice(task * ROWS_PER_TASK + j).expect("row below the matrix height");
            for (d, x) in dst.iter_mut().zip(row.iter()) {
                *d = x.to_repr();
            }
        }
    });
    Ok(out)
}
