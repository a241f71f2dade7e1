//! The device tree builder: leaf digests by the device sponge (`poseidon2::hash::absorb_rows`, a
//! launch per matrix, the state carried between the matrices of one height), then the layers folded up to
//! LOG_BLOCK levels a launch by `merkle_compress_levels`, a new launch wherever shorter matrices
//! are injected. Every layer is copied back once, for openings.

use p3_matrix::Matrix;
use rayon::prelude::*;

use super::{Digest, Layout};
use crate::backend::{Dim3, Gpu, Launch};
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
    let resident = leaves
        .iter()
        .map(|m| {
            let rows = if m.width() == 0 { None } else { Some(gpu.upload(&reprs(m)?)?) };
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
    hash::absorb_rows::<F>(gpu, &mats, layers[0].raw, &leaf, &params)?;
    let mut out = vec![hash::download_digests(gpu, &leaf)?];
    let (mut prev, mut prev_at) = (leaf, 0);
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
        let run = &layers[k..k + levels];
        let folded = gpu.alloc::<u32>(run.iter().map(|l| l.padded).sum::<usize>() * DIGEST)?;
        let blocks = u32::try_from(layers[k].raw.div_ceil(BLOCK as usize))
            .map_err(|_| Error::SizeOverflow(format!("{} tree nodes in one layer", layers[k].raw)))?;
        let mut l = Launch::new(F::MERKLE_COMPRESS_LEVELS, Dim3::x(blocks), Dim3::x(BLOCK))
            .shared(BLOCK * MERKLE_PAIR_STRIDE * 4)
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
        let mut flat = hash::download_digests(gpu, &folded)?;
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
