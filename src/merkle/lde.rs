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

    fn rows(&self, matrix: usize, rows: &[usize]) -> Result<Vec<Vec<F>>> {
        let d = &self.device;
        let (height, width) = d.dims(matrix).ok_or(Error::IndexOutOfBounds { index: matrix, len: d.rows.len() })?;
        if let Some(&index) = rows.iter().find(|&&r| r >= height) {
            return Err(Error::IndexOutOfBounds { index, len: height });
        }
        let mut words = gather_rows(&d.gpu, &[(&d.rows[matrix], width, rows.to_vec())])?;
        let values = F::decode_vec(words.pop().unwrap_or_default())?;
        Ok(split_rows(values, width, rows.len()))
    }
}

/// `count` rows of `width` values each, from their concatenation.
fn split_rows<F: Clone>(values: Vec<F>, width: usize, count: usize) -> Vec<Vec<F>> {
    if width == 0 {
        return vec![Vec::new(); count];
    }
    values.chunks_exact(width).map(<[F]>::to_vec).collect()
}

/// The rows `rows` (below each matrix's height: the callers check) of row-major device
/// matrices `(rows, width, rows)`, every job's words in one vector: one upload of all the row
/// numbers, one `chk_merkle_gather_rows` launch per job into one output buffer, one download.
#[allow(unsafe_code)] // launches reading rows below their matrix's height
fn gather_rows(g: &Gpu, jobs: &[(&DeviceBuffer<u32>, usize, Vec<usize>)]) -> Result<Vec<Vec<u32>>> {
    let size = |what: &str| Error::SizeOverflow(format!("{what} gathered in one batch"));
    let mut total_words = 0usize;
    for (_, width, rows) in jobs {
        u32::try_from(*width).map_err(|_| size("a leaf matrix's width"))?;
        total_words =
            rows.len().checked_mul(*width).and_then(|w| w.checked_add(total_words)).ok_or_else(|| size("words"))?;
    }
    if total_words == 0 {
        return Ok(vec![Vec::new(); jobs.len()]);
    }
    let ids: Vec<u64> = jobs.iter().flat_map(|(_, _, r)| r.iter().map(|&i| i as u64)).collect();
    let d_ids = g.upload(&ids)?;
    let d_out = g.alloc_uninit::<u32>(total_words)?;
    let (mut at_id, mut at_word) = (0usize, 0usize);
    for (buf, width, rows) in jobs {
        let words = rows.len() * width;
        if words > 0 {
            let count = u32::try_from(rows.len()).map_err(|_| size("rows"))?;
            let launch =
                Launch::new("chk_merkle_gather_rows", Dim3::x(count.min(GATHER_BLOCKS)), Dim3::x(GATHER_THREADS))
                    .buf(buf)
                    .u32(*width as u32)
                    .buf_at(&d_ids, at_id)
                    .u32(count)
                    .buf_at(&d_out, at_word);
            // SAFETY: every row number is below its matrix's height (the callers check), the
            // buffer holds height · width words; ids[at_id..] holds `count` numbers and
            // out[at_word..] count · width words (both buffers sized by the sums above).
            unsafe { g.launch(&launch)? };
        }
        at_id += rows.len();
        at_word += words;
    }
    let flat = g.download(&d_out)?;
    Ok(crate::mem::split_lengths(flat, jobs.iter().map(|(_, width, rows)| rows.len() * width)))
}

/// [`MerkleTree::rows_batch`] of several trees at once: every tree whose leaves are kept on the
/// device of the first such tree (and not copied down) has its opened rows gathered in one
/// batch — one upload and one download for them all, where a call per tree takes two per
/// matrix. FRI's query phase opens its input batches and every commit-phase round this way.
pub fn rows_batch_many<F, M>(requests: &[(&MerkleTree<F, M>, &[usize])]) -> Result<Vec<Vec<Vec<Vec<F>>>>>
where
    F: DeviceField<Repr = u32>,
    M: Matrix<F>,
{
    fn on_device<F: Clone + Send + Sync, M: Matrix<F>>(t: &MerkleTree<F, M>) -> Option<&DeviceLeaves> {
        t.device_leaves.as_deref().filter(|_| !t.leaves_on_host())
    }
    let Some(gpu) = requests.iter().find_map(|(t, _)| on_device(t)).map(|d| d.gpu.clone()) else {
        return requests.iter().map(|(t, indices)| t.rows_batch(indices)).collect();
    };
    let batched = |t| on_device(t).filter(|d| d.gpu.same_device(&gpu));
    let mut jobs = Vec::new();
    for (tree, indices) in requests {
        for &i in *indices {
            tree.check_index(i)?;
        }
        if let Some(d) = batched(tree) {
            for (m, &(h, width)) in tree.dims().iter().enumerate() {
                jobs.push((
                    &d.rows[m],
                    width,
                    indices.iter().map(|&i| tree.layout.row_at(h, i)).collect::<Vec<usize>>(),
                ));
            }
        }
    }
    let mut gathered = gather_rows(&gpu, &jobs)?.into_iter().zip(jobs.iter().map(|(_, w, r)| (*w, r.len())));
    requests
        .iter()
        .map(|(tree, indices)| {
            if batched(tree).is_none() {
                return tree.rows_batch(indices);
            }
            let mut out: Vec<Vec<Vec<F>>> = vec![Vec::with_capacity(tree.dims().len()); indices.len()];
            for _ in tree.dims() {
                let (words, (width, count)) = gathered.next().expect("a job per matrix of every batched tree");
                for (o, row) in out.iter_mut().zip(split_rows(F::decode_vec(words)?, width, count)) {
                    o.push(row);
                }
            }
            Ok(out)
        })
        .collect()
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
