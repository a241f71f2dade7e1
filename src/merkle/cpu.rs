//! The cpu tree builder. Hashing is Plonky3's packed Poseidon2 (one tree node a SIMD lane); the
//! schedule is ours: a rayon task hashes up to 2^10 leaves and folds its own subtree in cache
//! (injections included) before the few top layers are folded level by level.

use p3_field::{Field, PackedValue};
use p3_matrix::Matrix;
use p3_symmetric::Permutation;
use rayon::prelude::*;

use super::{Digest, Layout};
use crate::error::Result;
use crate::poseidon2::hash::{for_each_pack, sponge, MAX_LANES};
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher, DIGEST};

/// Leaves a task hashes, at most: 2^MAX_LOG_TASK.
const MAX_LOG_TASK: usize = 10;
/// Tasks wanted per rayon thread, so that a tree of few, wide rows (a STARK trace: thousands of
/// columns, hundreds of permutations a leaf) still keeps every core busy.
const TASKS_PER_THREAD: usize = 4;
/// Nodes a task computes in the top layers.
const TOP_CHUNK: usize = 64;

type Packed<F> = <F as Field>::Packing;

pub(super) fn build_layers<F: Poseidon2Hasher, M: Matrix<F>>(
    c: &Poseidon2Constants<F, 16>,
    leaves: &[M],
    layout: &Layout,
) -> Result<Vec<Vec<Digest<F>>>> {
    let perm = c.cpu_permutation();
    let mut layers: Vec<Vec<Digest<F>>> =
        layout.layers.iter().map(|l| F::zeroed_digests(l.padded)).collect::<Result<_>>()?;
    // A task hashes 2^log_task leaves and builds the layers k < log_task above them: every one
    // keeps ≥ 2 nodes a task, so the tasks together also cover each layer's padding slot.
    let per_task = layout.layers[0].padded / (rayon::current_num_threads() * TASKS_PER_THREAD);
    let log_task = (per_task.max(2).ilog2() as usize).min(MAX_LOG_TASK);
    let fused = layers.len().min(log_task);
    let tasks = layout.layers[0].padded.div_ceil(1 << log_task);
    // Task t owns nodes [t << (log_task − k), (t + 1) << (log_task − k)) of layer k < fused.
    let mut per_task: Vec<Vec<&mut [Digest<F>]>> = (0..tasks).map(|_| Vec::with_capacity(fused)).collect();
    for (k, layer) in layers[..fused].iter_mut().enumerate() {
        let chunks: Vec<_> = layer.chunks_mut(1 << (log_task - k)).collect();
        debug_assert_eq!(chunks.len(), tasks, "layer {k} splits into one chunk a task");
        for (t, chunk) in chunks.into_iter().enumerate() {
            per_task[t].push(chunk);
        }
    }
    per_task.into_par_iter().enumerate().for_each(|(t, mut chunks)| {
        for k in 0..chunks.len() {
            let (below, here) = chunks.split_at_mut(k);
            let children = below.last().map_or(&[][..], |b| &**b);
            fill(&perm, leaves, layout, k, t << (log_task - k), children, here[0]);
        }
    });
    for k in fused..layers.len() {
        let (below, here) = layers.split_at_mut(k);
        let children = &below[k - 1];
        here[0]
            .par_chunks_mut(TOP_CHUNK)
            .enumerate()
            .for_each(|(i, out)| fill(&perm, leaves, layout, k, i * TOP_CHUNK, &children[2 * i * TOP_CHUNK..], out));
    }
    Ok(layers)
}

/// Computes nodes `start..start + out.len()` of layer `k` into `out` (already zero: the padding
/// slot stays so). Layer 0 hashes rows; above, `children[2j..2j + 2]` are node j's children.
pub(crate) fn fill<F: Poseidon2Hasher, P, M>(
    perm: &P,
    leaves: &[M],
    layout: &Layout,
    k: usize,
    start: usize,
    children: &[Digest<F>],
    out: &mut [Digest<F>],
) where
    P: Permutation<[Packed<F>; 16]>,
    M: Matrix<F>,
{
    let layer = &layout.layers[k];
    let live = layer.raw.saturating_sub(start).min(out.len());
    for_each_pack(out, live, |nodes| {
        if k == 0 {
            return sponge(perm, layout.leaves.iter().map(|&i| &leaves[i]), |l| start + nodes[l]);
        }
        let kids: [&[F; 2 * DIGEST]; MAX_LANES] = core::array::from_fn(|l| {
            children[2 * nodes[l]..2 * nodes[l] + 2].as_flattened().try_into().expect("two digests")
        });
        let mut s: [Packed<F>; 16] = core::array::from_fn(|i| Packed::<F>::from_fn(|l| kids[l][i]));
        perm.permute_mut(&mut s);
        if !layer.inject.is_empty() {
            // Rows past the injected height contribute the zero digest.
            let h = layer.inject_height;
            let rows = sponge(perm, layer.inject.iter().map(|&i| &leaves[i]), |l| (start + nodes[l]).min(h - 1));
            for (i, r) in rows.iter().enumerate() {
                s[DIGEST + i] = Packed::<F>::from_fn(|l| if start + nodes[l] < h { r.as_slice()[l] } else { F::ZERO });
            }
            perm.permute_mut(&mut s);
        }
        core::array::from_fn(|i| s[i])
    });
}
