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

use std::marker::PhantomData;
use std::sync::Arc;

use super::{gpu, DeviceLeaves, Layout, LeafSource, MerkleTree};
use crate::backend::{DeviceBuffer, Dim3, Engine, Gpu, Launch, Visit};
use crate::error::{Error, Result};
use crate::field::DeviceField;
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
    let widths: Vec<usize> = resident.iter().map(|r| r.width).collect();
    let bufs = resident.into_iter().map(|r| r.rows.expect("an LDE has columns")).collect::<Vec<_>>();
    // Kept and not self-checked: nothing comes back until something reads the leaves.
    if keep && seen.is_empty() {
        return Ok(kept_tree(g, bufs, widths, layout, layers));
    }
    let ldes = bufs
        .iter()
        .zip(&widths)
        .enumerate()
        .map(|(i, (buf, &width))| download_lde(g, buf, width, seen.get(i).map(|(_, cout)| cout.rows())))
        .collect::<Result<Vec<_>>>()?;
    let tree = MerkleTree::from_parts(ldes, layout, layers);
    if !keep {
        return Ok(tree);
    }
    Ok(tree.with_device_leaves(DeviceLeaves { gpu: g.clone(), rows: bufs, widths }))
}

/// The tree of matrices that already lie on `g` (row-major buffers of device words, `widths[i]`
/// words a row, heights on Plonky3's ladder), committed and kept there: only the digest layers
/// come back; the leaves on demand. FRI's commit-phase codewords are committed this way.
pub(crate) fn commit_kept_on_device<F: Poseidon2Hasher + DeviceField<Repr = u32>>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    bufs: Vec<DeviceBuffer<u32>>,
    widths: Vec<usize>,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>> {
    if bufs.len() != widths.len() {
        return Err(Error::LengthMismatch { what: "matrix widths", expected: bufs.len(), got: widths.len() });
    }
    let mut heights = Vec::with_capacity(bufs.len());
    for (buf, &w) in bufs.iter().zip(&widths) {
        if w == 0 || buf.len() % w != 0 {
            return Err(Error::InvalidArgument(format!("{} words do not make rows of width {w}", buf.len())));
        }
        heights.push(buf.len() / w);
    }
    let layout = Layout::new(&heights)?;
    let resident: Vec<Resident> =
        bufs.into_iter().zip(&widths).map(|(b, &width)| Resident { rows: Some(b), width }).collect();
    let layers = gpu::build_resident::<F>(g, c, &resident, &layout)?;
    let bufs = resident.into_iter().map(|r| r.rows.expect("set above")).collect();
    Ok(kept_tree(g, bufs, widths, layout, layers))
}

/// [`commit_lde_on_device`] of evaluations that already lie on `g` (each: its domain's shift,
/// its rows in device words, its width), the LDEs kept there: the quotient chunks the STARK
/// prover split where the quotient kernel left them. Only the digest layers come back.
pub(crate) fn commit_resident_ldes_kept<F>(
    g: &Gpu,
    c: &Poseidon2Constants<F, 16>,
    evaluations: Vec<(F, DeviceBuffer<u32>, usize)>,
    log_blowup: usize,
) -> Result<MerkleTree<F, RowMajorMatrix<F>>>
where
    F: NttField + Poseidon2Hasher + TwoAdicField,
{
    // The LDE plan checks each buffer's shape; the tree's layout is checked by the commit.
    let mut bufs = Vec::with_capacity(evaluations.len());
    let mut widths = Vec::with_capacity(evaluations.len());
    for (domain_shift, buf, width) in evaluations {
        let shift = F::GENERATOR / domain_shift;
        bufs.push(ntt::coset_lde_resident(g, buf, width, log_blowup, shift, Order::BitReversed)?);
        widths.push(width);
    }
    commit_kept_on_device(g, c, bufs, widths)
}

/// A tree over `bufs`, its leaves left on `g` (copied down only when read).
fn kept_tree<F: DeviceField<Repr = u32>>(
    g: &Gpu,
    bufs: Vec<DeviceBuffer<u32>>,
    widths: Vec<usize>,
    layout: Layout,
    layers: Vec<Vec<super::Digest<F>>>,
) -> MerkleTree<F, RowMajorMatrix<F>> {
    let device = Arc::new(DeviceLeaves { gpu: g.clone(), rows: bufs, widths });
    let source = Box::new(KeptLeaves::<F> { device: device.clone(), field: PhantomData });
    MerkleTree::kept_on_device(device, source, layout, layers)
}

/// One LDE's rows copied to the host, `visit` (the self-check's combiner) seeing them as they
/// cross.
fn download_lde<F: DeviceField<Repr = u32>>(
    g: &Gpu,
    buf: &DeviceBuffer<u32>,
    width: usize,
    visit: Option<Visit<'_, u32>>,
) -> Result<RowMajorMatrix<F>> {
    // Zeroed by the allocator (fresh pages), so no pass before the copy.
    let mut reprs = crate::mem::zeroed::<u32>(buf.len())?;
    g.download_into_visit(buf, &mut reprs, visit)?;
    Ok(RowMajorMatrix::new(F::decode_vec(reprs)?, width))
}

/// The leaves of a tree kept on the device, read from there: all of them, or opened rows
/// gathered by `chk_merkle_gather_rows`.
struct KeptLeaves<F> {
    device: Arc<DeviceLeaves>,
    field: PhantomData<fn() -> F>,
}

impl<F: DeviceField<Repr = u32>> LeafSource<F, RowMajorMatrix<F>> for KeptLeaves<F> {
    fn download(&self) -> Result<Vec<RowMajorMatrix<F>>> {
        let d = &self.device;
        d.rows.iter().zip(&d.widths).map(|(buf, &width)| download_lde(&d.gpu, buf, width, None)).collect()
    }

    #[allow(unsafe_code)] // one launch reading rows below the matrix's height
    fn rows(&self, matrix: usize, rows: &[usize]) -> Result<Vec<Vec<F>>> {
        let d = &self.device;
        let (height, width) = d.dims(matrix).ok_or(Error::IndexOutOfBounds { index: matrix, len: d.rows.len() })?;
        if let Some(&index) = rows.iter().find(|&&r| r >= height) {
            return Err(Error::IndexOutOfBounds { index, len: height });
        }
        if width == 0 || rows.is_empty() {
            return Ok(vec![Vec::new(); rows.len()]);
        }
        let count = u32::try_from(rows.len()).map_err(|_| Error::SizeOverflow("opened rows".into()))?;
        let width32 = u32::try_from(width).map_err(|_| Error::SizeOverflow("a leaf matrix's width".into()))?;
        let d_rows = d.gpu.upload(&rows.iter().map(|&r| r as u64).collect::<Vec<u64>>())?;
        let d_out = d.gpu.alloc_uninit::<u32>(rows.len() * width)?;
        let launch = Launch::new("chk_merkle_gather_rows", Dim3::x(count.min(GATHER_BLOCKS)), Dim3::x(GATHER_THREADS))
            .buf(&d.rows[matrix])
            .u32(width32)
            .buf(&d_rows)
            .u32(count)
            .buf(&d_out);
        // SAFETY: every row index is below the matrix's height (checked), the buffer holds
        // height · width words, the output count · width.
        unsafe { d.gpu.launch(&launch)? };
        let values = F::decode_vec(d.gpu.download(&d_out)?)?;
        Ok(values.chunks_exact(width).map(<[F]>::to_vec).collect())
    }
}

/// The gather's grid: at most this many blocks (each loops over rows), this many threads each.
const GATHER_BLOCKS: u32 = 1024;
const GATHER_THREADS: u32 = 256;

/// The tree's layout: the traces' heights times 2^log_blowup.
fn lde_layout<F: Send + Sync + Clone>(traces: &[Trace<F>], log_blowup: usize) -> Result<Layout> {
    let heights = traces
        .iter()
        .map(|(_, m)| m.height().checked_shl(log_blowup as u32).filter(|h| h >> log_blowup == m.height()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| Error::SizeOverflow(format!("an LDE by 2^{log_blowup}")))?;
    Layout::new(&heights)
}
