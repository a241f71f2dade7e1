//! The fused path of a STARK commitment: trace matrices in; the coset LDE and the Merkle tree
//! computed where the LDE lies (on a device, the NTT's output buffer is hashed in place, never
//! copied to the host and back); the LDE copied back once, for openings. The result is
//! `TwoAdicFriPcs::commit`'s: each trace, evaluations over `shift · H`, is extended by
//! 2^log_blowup onto `GENERATOR · K` and its rows bit-reversed before committing.

use p3_field::TwoAdicField;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{gpu, DeviceLeaves, Layout, MerkleTree};
use crate::backend::{Engine, Gpu};
use crate::error::{Error, Result};
use crate::ntt::{self, NttField, Order};
use crate::poseidon2::hash::Resident;
use crate::poseidon2::{Poseidon2Constants, Poseidon2Hasher};
use crate::verify::ntt::{Combiner, Relation};

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
        Engine::Gpu(g) => commit_lde_on_device(g, c, &traces, log_blowup, false),
    }
}

/// [`commit_lde`] on a device, the traces borrowed (the device only reads them); with `keep`,
/// the LDEs also stay on the device ([`MerkleTree::device_leaves`]) for kernels that read them.
pub(crate) fn commit_lde_on_device<F>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    traces: &[Trace<F>],
    log_blowup: usize,
    keep: bool,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    // With a self-check, each trace's rows and its LDE's rows are combined as they cross.
    let seen: Vec<(Combiner<F>, Combiner<F>)> = match g.self_check() {
        None => Vec::new(),
        Some(_) => {
            let mut rng = StdRng::seed_from_u64(rand::random());
            traces
                .iter()
                .map(|(_, m)| {
                    let cin = Combiner::new(m.width(), &mut rng);
                    let cout = cin.twin();
                    (cin, cout)
                })
                .collect()
        }
    };
    let tree = lde_tree_on_device(g, c, traces, log_blowup, &seen, keep);
    crate::verify::device_result(
        g,
        "LDE and commit",
        tree,
        |tree, rng, samples| {
            if seen.len() != traces.len() {
                return Err(format!("{} traces, {} combined", traces.len(), seen.len()));
            }
            for (((domain_shift, m), lde), (cin, cout)) in traces.iter().zip(tree.leaves()).zip(&seen) {
                let shift = F::GENERATOR / *domain_shift;
                let rel = Relation::Lde { added_bits: log_blowup, shift, order: Order::BitReversed };
                rel.holds(&cin.finish(m.height())?, &cout.finish(lde.height())?, m.width(), rng)?;
            }
            crate::verify::merkle::tree(c, tree.leaves(), tree.layout(), tree.digest_layers(), samples, rng)
        },
        || commit_lde(&Engine::Cpu, c, traces.to_vec(), log_blowup),
    )
}

/// The LDEs and their tree on the device; `seen` (empty, or a pair of combiners per trace) sees
/// each trace's rows on upload and its LDE's rows on download; `keep`: the LDEs stay there too.
fn lde_tree_on_device<F>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    traces: &[Trace<F>],
    log_blowup: usize,
    seen: &[(Combiner<F>, Combiner<F>)],
    keep: bool,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    let layout = lde_layout(traces, log_blowup)?;
    let resident = traces
        .iter()
        .enumerate()
        .map(|(i, (domain_shift, m))| {
            let shift = F::GENERATOR / *domain_shift;
            let w = m.width();
            let cin = seen.get(i).map(|s| &s.0);
            let buf = ntt::coset_lde_on_device(g, &m.values, w, log_blowup, shift, Order::BitReversed, cin)?;
            Ok(Resident { rows: Some(buf), width: w })
        })
        .collect::<Result<Vec<_>>>()?;
    let layers = gpu::build_resident::<F>(g, c, &resident, &layout)?;
    let ldes = resident
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let buf = r.rows.as_ref().expect("an LDE has columns");
            // Zeroed by the allocator (fresh pages), so no pass before the copy.
            let mut reprs = crate::mem::zeroed::<F::Repr>(buf.len())?;
            g.download_into_visit(buf, &mut reprs, seen.get(i).map(|(_, cout)| cout.rows()))?;
            Ok(RowMajorMatrix::new(F::decode_vec(reprs)?, r.width))
        })
        .collect::<Result<Vec<_>>>()?;
    let tree = MerkleTree::from_parts(ldes, layout, layers);
    if !keep {
        return Ok(tree);
    }
    let rows = resident.into_iter().map(|r| r.rows.expect("an LDE has columns")).collect();
    Ok(tree.with_device_leaves(DeviceLeaves { gpu: g.clone(), rows }))
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
