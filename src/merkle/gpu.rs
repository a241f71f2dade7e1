//! The device tree builder: leaf digests by `merkle_absorb_rows` (a launch per matrix, the
//! sponge state carried between the matrices of one height), then the layers folded up to
//! LOG_BLOCK levels a launch by `merkle_compress_levels`, a new launch wherever shorter matrices
//! are injected. Every layer is copied back once, for openings.

use p3_matrix::Matrix;

use super::{Digest, Layout};
use crate::backend::{DeviceBuffer, Dim3, Gpu, Launch};
use crate::error::{Error, Result};
use crate::field::decode;
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher, DIGEST, RATE};

/// Threads (rows, or first-level parents) per block.
const BLOCK: u32 = 256;
/// Levels one compress launch folds: each keeps ≥ 2 nodes a block (see merkle.cuh).
const LOG_BLOCK: usize = 8;
/// Shared words a thread stages per sponge block (RATE, padded to an odd stride).
const ROW_STRIDE: u32 = RATE as u32 + 1;

/// A matrix in device memory: `height × width` elements, row-major, device encoding (no buffer
/// when the width is 0).
pub(crate) struct Resident {
    pub rows: Option<DeviceBuffer<u32>>,
    pub width: usize,
}

pub(super) fn build_layers<F: Poseidon2Hasher, M: Matrix<F>>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    let resident = leaves
        .iter()
        .map(|m| {
            let rows = if m.width() == 0 { None } else { Some(gpu.upload(&reprs(m))?) };
            Ok(Resident { rows, width: m.width() })
        })
        .collect::<Result<Vec<_>>>()?;
    build_resident::<F>(gpu, c, &resident, layout)
}

/// The digest layers of matrices already on the device (`layout` made from their heights).
pub(crate) fn build_resident<F: Poseidon2Hasher>(
    gpu: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    leaves: &[Resident],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    let params = c.kernel_params();
    let layers = &layout.layers;
    let leaf = gpu.alloc::<u32>(layers[0].padded * DIGEST)?;
    let mats: Vec<&Resident> = layout.leaves.iter().map(|&i| &leaves[i]).collect();
    absorb_rows::<F>(gpu, &mats, layers[0].raw, &leaf, &params)?;
    let mut out = vec![digests(gpu, &leaf)?];
    let (mut prev, mut prev_at) = (leaf, 0);
    let mut k = 1;
    while k < layers.len() {
        let inject = if layers[k].inject.is_empty() {
            None
        } else {
            let mats: Vec<&Resident> = layers[k].inject.iter().map(|&i| &leaves[i]).collect();
            let buf = gpu.alloc::<u32>(layers[k].inject_height * DIGEST)?;
            absorb_rows::<F>(gpu, &mats, layers[k].inject_height, &buf, &params)?;
            Some(buf)
        };
        let mut levels = 1;
        while levels < LOG_BLOCK && k + levels < layers.len() && layers[k + levels].inject.is_empty() {
            levels += 1;
        }
        let run = &layers[k..k + levels];
        let folded = gpu.alloc::<u32>(run.iter().map(|l| l.padded).sum::<usize>() * DIGEST)?;
        let blocks = u32::try_from(layers[k].raw.div_ceil(BLOCK as usize))
            .map_err(|_| Error::SizeOverflow(format!("{} tree nodes in one layer", layers[k].raw)))?;
        let mut l = Launch::new(F::MERKLE_COMPRESS_LEVELS, Dim3::x(blocks), Dim3::x(BLOCK))
            .shared(BLOCK * DIGEST as u32 * 4)
            .buf_at(&prev, prev_at)
            .u64(layers[k - 1].padded as u64)
            .u32(levels as u32)
            .buf(&folded);
        l = match &inject {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        let l = l.u64(layers[k].inject_height as u64).val_slice(&params);
        // SAFETY: `prev` holds layer k − 1 (padded length) from `prev_at`, `folded` the padded
        // layers k..k + levels one after another, `inject` inject_height digests; the blocks
        // cover layer k's raw nodes and levels ≤ LOG_BLOCK (merkle.cuh's bound).
        #[allow(unsafe_code)]
        unsafe {
            gpu.launch(&l)?
        };
        let mut flat = digests(gpu, &folded)?;
        let mut at = 0;
        for layer in run {
            let rest = flat.split_off(layer.padded);
            at += layer.padded;
            out.push(std::mem::replace(&mut flat, rest));
        }
        prev_at = (at - run[levels - 1].padded) * DIGEST;
        prev = folded;
        k += levels;
    }
    Ok(out)
}

/// Digests of the concatenated rows `0..height` of `mats` into `digests`, a launch a matrix.
fn absorb_rows<F: Poseidon2Hasher>(
    gpu: &Gpu,
    mats: &[&Resident],
    height: usize,
    digests: &DeviceBuffer<u32>,
    params: &[u32],
) -> Result<()> {
    let states = if mats.len() > 1 { Some(gpu.alloc::<u32>(height * 16)?) } else { None };
    let blocks = height.div_ceil(BLOCK as usize).min(1 << 20) as u32;
    let mut pos = 0usize;
    for (j, m) in mats.iter().enumerate() {
        let width = m.width;
        if m.rows.as_ref().map_or(0, |b| b.len()) != width * height {
            return Err(Error::InvalidShape(format!("a device matrix is not {height} rows of {width}")));
        }
        let mut l = Launch::new(F::MERKLE_ABSORB_ROWS, Dim3::x(blocks), Dim3::x(BLOCK)).shared(BLOCK * ROW_STRIDE * 4);
        l = match &m.rows {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        l = l
            .u64(width as u64)
            .u64(height as u64)
            .u32(pos as u32)
            .u32((j == 0) as u32)
            .u32((j + 1 == mats.len()) as u32);
        l = match &states {
            Some(b) => l.buf(b),
            None => l.null(),
        };
        let l = l.buf(digests).val_slice(params);
        // SAFETY: `rows` holds height × width elements (checked above; null only when width is
        // 0: nothing is read), `states` height states (null only for a single matrix: first and last, never
        // touched), `digests` ≥ height digests.
        #[allow(unsafe_code)]
        unsafe {
            gpu.launch(&l)?
        };
        pos = (pos + width) % RATE;
    }
    Ok(())
}

/// The rows of `m`, row-major, in device encoding.
fn reprs<F: Poseidon2Hasher, M: Matrix<F>>(m: &M) -> Vec<u32> {
    let mut out = Vec::with_capacity(m.height() * m.width());
    for r in 0..m.height() {
        out.extend(m.row_slice(r).expect("row below the matrix height").iter().map(|x| x.to_repr()));
    }
    out
}

fn digests<F: Poseidon2Hasher>(gpu: &Gpu, buf: &DeviceBuffer<u32>) -> Result<Vec<Digest<F>>> {
    let flat = decode::<F>(&gpu.download(buf)?)?;
    Ok(flat.chunks_exact(DIGEST).map(|d| d.try_into().expect("DIGEST elements")).collect())
}
