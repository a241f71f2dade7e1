//! The fused path of a STARK commitment: trace matrices in; the coset LDE and the Merkle tree
//! computed where the LDE lies (on a device, the NTT's output buffer is hashed in place, never
//! copied to the host and back); the LDE copied back once, for openings. The result is
//! `TwoAdicFriPcs::commit`'s: each trace, evaluations over `shift · H`, is extended by
//! 2^log_blowup onto `GENERATOR · K` and its rows bit-reversed before committing.

use p3_field::TwoAdicField;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

use super::{gpu, Layout, MerkleTree};
use crate::backend::{Engine, Gpu};
use crate::error::{Error, Result};
use crate::ntt::{self, NttField, Order};
use crate::poseidon2::hash::Resident;
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher};

/// One trace: its evaluation domain's shift and its evaluations (rows in natural order).
pub type Trace<F> = (F, RowMajorMatrix<F>);

/// Commits the bit-reversed coset LDEs of `traces` in one tree (see the module docs).
pub fn commit_lde<F>(
    engine: &Engine,
    c: &Poseidon2Constants<F, 16>,
    traces: Vec<Trace<F>>,
    log_blowup: usize,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    match engine {
        Engine::Cpu => {
            let layout = lde_layout(&traces, log_blowup)?;
            let ldes = traces
                .into_iter()
                .map(|(domain_shift, m)| {
                    let w = m.width();
                    let shift = F::GENERATOR / domain_shift;
                    let lde = ntt::coset_lde_batch(engine, m.values, w, log_blowup, shift, Order::BitReversed)?;
                    Ok(RowMajorMatrix::new(lde, w))
                })
                .collect::<Result<Vec<_>>>()?;
            let layers = super::digest_layers(engine, c, &ldes, &layout)?;
            Ok(MerkleTree::from_parts(ldes, layout, layers))
        }
        Engine::Gpu(g) => commit_lde_on_device(g, c, &traces, log_blowup),
    }
}

/// [`commit_lde`] on a device, the traces borrowed (the device only reads them).
pub(crate) fn commit_lde_on_device<F>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    traces: &[Trace<F>],
    log_blowup: usize,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    let tree = lde_tree_on_device(g, c, traces, log_blowup);
    crate::verify::device_result(
        g,
        "LDE and commit",
        tree,
        |tree, rng, samples| {
            for ((domain_shift, m), lde) in traces.iter().zip(tree.leaves()) {
                let shift = F::GENERATOR / *domain_shift;
                crate::verify::ntt::lde(&m.values, &lde.values, m.width(), log_blowup, shift, Order::BitReversed, rng)?;
            }
            crate::verify::merkle::tree(c, tree.leaves(), tree.layout(), tree.digest_layers(), samples, rng)
        },
        || commit_lde(&Engine::Cpu, c, traces.to_vec(), log_blowup),
    )
}

fn lde_tree_on_device<F>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    traces: &[Trace<F>],
    log_blowup: usize,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    let layout = lde_layout(traces, log_blowup)?;
    let resident = traces
        .iter()
        .map(|(domain_shift, m)| {
            let shift = F::GENERATOR / *domain_shift;
            let w = m.width();
            let buf = ntt::coset_lde_on_device(g, &m.values, w, log_blowup, shift, Order::BitReversed)?;
            Ok(Resident { rows: Some(buf), width: w })
        })
        .collect::<Result<Vec<_>>>()?;
    let layers = gpu::build_resident::<F>(g, c, &resident, &layout)?;
    let ldes = resident
        .iter()
        .map(|r| {
            let buf = r.rows.as_ref().expect("an LDE has columns");
            Ok(RowMajorMatrix::new(F::decode_vec(g.download(buf)?)?, r.width))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MerkleTree::from_parts(ldes, layout, layers))
}

/// The tree's layout: the traces' heights times 2^log_blowup.
fn lde_layout<F: Send + Sync + Clone>(traces: &[Trace<F>], log_blowup: usize) -> Result<Layout> {
    let heights = traces
        .iter()
        .map(|(_, m)| m.height().checked_shl(log_blowup as u32).filter(|h| h >> log_blowup == m.height()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| Error::SizeOverflow(format!("an LDE by 2^{log_blowup}")))?;
    Layout::new(&heights)
}
