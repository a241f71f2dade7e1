//! The device executor of an NTT plan (emu or cuda): the plan's passes become a few
//! shared-memory launches ([`launches`], a pure function the tests inspect), data resident on the
//! device from upload to download, twiddles resident on the device across calls.

use std::marker::PhantomData;
use std::sync::Arc;

use rayon::prelude::*;

use super::field::NttField;
use super::plan::{passes, Pass, Step};
use super::twiddles;
use crate::backend::{plan, DeviceBuffer, Dim3, FastDiv, Gpu, Launch};
use crate::error::{Error, Result};
use crate::verify::ntt::Combiner;

/// Shared memory per block pass, the tile of elements plus its group's twiddles (half a tile
/// row's count): the 48 KB every target allows without opt-in (less on a device that offers less,
/// e.g. an emulator configured small).
pub const SHARED_BYTES: usize = 48 << 10;
/// Threads per block pass (a power of two: the kernel splits them into column lanes and rows).
const TILE_THREADS: u32 = 256;
/// Most stages one block pass runs: 2^11 rows keep at least 4 columns of a 31-bit field per tile.
const MAX_PASS_STAGES: u32 = 11;

/// Shared-memory rows a tile of `rows` rows takes: a pad row every 32 (ntt.cuh's `ntt_srow`,
/// which keeps narrow tiles free of bank conflicts).
fn padded_rows(rows: usize) -> usize {
    rows + rows / 32
}

/// Where a block pass applies its map: a [`Step::Scale`] or [`Step::Expand`] on load, a
/// [`Step::Scale`] on store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapAt {
    Load,
    Store,
}

/// One kernel launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op<F> {
    /// `ntt_block_pass`: stages lo..=hi of a size-2^log_n transform in shared memory.
    Block {
        log_n: u32,
        lo: u32,
        hi: u32,
        inverse: bool,
        dif: bool,
        tile_cols: u32,
        map: Option<(Step<F>, MapAt)>,
        store_bitrev: bool,
    },
    /// A step no block pass could absorb (a transform of height 1 has no stages).
    Step(Step<F>),
}

impl<F> Op<F> {
    /// Whether the launch reads rows another block writes (or a smaller matrix), so needs a
    /// fresh output buffer.
    fn out_of_place(&self) -> bool {
        match self {
            Op::Block { map, store_bitrev, .. } => *store_bitrev || matches!(map, Some((Step::Expand { .. }, _))),
            Op::Step(_) => true,
        }
    }
}

/// Stage ranges of one `Stages` pass split into balanced launches of at most
/// `max_stages`, in execution order (DIF from the top down, DIT from the bottom up).
fn split(lo: u32, hi: u32, dif: bool, max_stages: u32) -> Vec<(u32, u32)> {
    let count = hi - lo + 1;
    let launches = count.div_ceil(max_stages);
    let mut out = Vec::new();
    let mut h = lo;
    for p in 0..launches {
        let len = count / launches + u32::from(p < count % launches);
        out.push((h, h + len - 1));
        h += len;
    }
    if dif {
        out.reverse();
    }
    out
}

/// The launches that run `steps` on a `width`-column matrix of `elem_bytes`-byte elements: each
/// `Stages` pass in ≤ 11-stage shared-memory passes, a `Scale` or `Expand` before it fused into
/// its first launch's load, a `Bitrev` and an output `Scale` after it into its last launch's
/// store.
///
/// `shared_bytes` is the shared memory a block may use (at least 3 elements: a butterfly and its
/// twiddle). A pass over 2^k rows takes tile_cols (a power of two) virtual columns, so that
/// 2^k · tile_cols elements and 2^(k-1) twiddles fit.
pub fn launches<F: Copy>(steps: &[Step<F>], width: usize, elem_bytes: usize, shared_bytes: usize) -> Vec<Op<F>> {
    let cap = shared_bytes / elem_bytes;
    // One column of 2^k rows, its pad rows and 2^(k-1) twiddles: 2^k (1 + 1/32 + 1/2) elements.
    let max_stages = (cap * 32 / 49).max(2).ilog2().min(MAX_PASS_STAGES);
    let mut out: Vec<Op<F>> = Vec::new();
    let mut pending = passes(steps).into_iter().peekable();
    while let Some(pass) = pending.next() {
        let Pass::Stages { log_n, lo, hi, inverse, dif } = pass else {
            let Pass::Step(step) = pass else { unreachable!() };
            out.push(Op::Step(step));
            continue;
        };
        let mut ops: Vec<Op<F>> = split(lo, hi, dif, max_stages)
            .into_iter()
            .map(|(l, h)| {
                let rows = 1usize << (h - l + 1);
                let fit = (cap.saturating_sub(rows / 2) / padded_rows(rows)).max(1);
                let vwidth = width.checked_shl(l).unwrap_or(usize::MAX).max(1);
                let tile_cols = (1usize << fit.ilog2()).min(vwidth.next_power_of_two()).min(1 << 31) as u32;
                Op::Block { log_n, lo: l, hi: h, inverse, dif, tile_cols, map: None, store_bitrev: false }
            })
            .collect();
        if let Some(&Op::Step(step @ (Step::Scale { log_n: rows, .. } | Step::Expand { log_dst: rows, .. }))) =
            out.last()
        {
            if rows == log_n {
                out.pop();
                if let Op::Block { map, .. } = &mut ops[0] {
                    *map = Some((step, MapAt::Load));
                }
            }
        }
        let Some(Op::Block { map: last_map, store_bitrev, .. }) = ops.last_mut() else { unreachable!() };
        if matches!(pending.peek(), Some(&Pass::Step(Step::Bitrev { log_n: b })) if b == log_n) {
            pending.next();
            *store_bitrev = true;
        }
        if let Some(&Pass::Step(step @ Step::Scale { log_n: rows, .. })) = pending.peek() {
            if rows == log_n && last_map.is_none() {
                pending.next();
                *last_map = Some((step, MapAt::Store));
            }
        }
        out.extend(ops);
    }
    out
}

/// A twiddle table of field F on the device for transforms up to 2^log_n (see
/// `ntt_block_pass`). Typed by the field, not its encoding: BabyBear and KoalaBear share one.
struct DeviceTwiddles<F: NttField> {
    log_n: u32,
    table: DeviceBuffer<F::Repr>,
    _field: PhantomData<F>,
}

/// The device's twiddle table (ntt.cuh): level L = 1..=log_n, w_(2^L)^j for j < 2^(L-1), at
/// 2^(L-1) - 1 + j, from `tw[i] = w_(2^log_n)^i` (i < 2^(log_n-1)): w_(2^L)^j = tw[j << (log_n - L)].
fn by_level<F: NttField>(tw: &[F], log_n: u32) -> Result<Vec<F::Repr>> {
    let mut out = crate::mem::with_capacity((1usize << log_n).saturating_sub(1))?;
    for level in 1..=log_n {
        out.par_extend((0..1usize << (level - 1)).into_par_iter().map(|j| tw[j << (log_n - level)].to_repr()));
    }
    Ok(out)
}

fn device_twiddles<F: NttField>(gpu: &Gpu, log_n: u32, inverse: bool) -> Result<Arc<DeviceTwiddles<F>>> {
    gpu.resident(
        inverse as u64,
        |t: &DeviceTwiddles<F>| t.log_n >= log_n,
        || {
            let host = by_level(&twiddles::host::<F>(log_n, inverse)?, log_n)?;
            Ok(DeviceTwiddles { log_n, table: gpu.upload(&host)?, _field: PhantomData })
        },
    )
}

/// The factor by which a block pass's scale advances from one of a thread's rows to its next
/// (`ntt_block_pass`): rows 2^(log_jstep + lo) apart, or, when the exponent is the bit-reversed
/// row, 2^(log_n - hi - 1) apart in it; for an expand, whose exponent is the row mod 2^log_src,
/// the row step mod 2^log_src. One for no map.
fn map_step<F: NttField>(op: &Op<F>, log_tile: u32) -> F {
    let Op::Block { log_n, lo, hi, map: Some((step, at)), store_bitrev, .. } = *op else {
        return F::one();
    };
    let log_threads = TILE_THREADS.trailing_zeros();
    let log_jstep = log_threads - log_tile.min(log_threads);
    let (shift, log_exp) = match step {
        Step::Scale { shift, bitrev_rows, .. } => {
            let exp_bitrev = bitrev_rows != (at == MapAt::Store && store_bitrev);
            (shift, if exp_bitrev { log_n - hi - 1 } else { log_jstep + lo })
        }
        Step::Expand { log_src, shift, .. } if log_jstep + lo < log_src => (shift, log_jstep + lo),
        _ => return F::one(),
    };
    (0..log_exp).fold(shift, |x, _| x * x)
}

/// A map's kernel arguments: (flags, log_src, scale, shift, root); identity for none.
fn map_args<F: NttField>(map: Option<Step<F>>, log_rows: u32) -> (u32, u32, F, F, F) {
    match map {
        Some(Step::Scale { scale, shift, bitrev_rows, .. }) => {
            (if bitrev_rows { NTT_EXP_BITREV } else { 0 }, log_rows, scale, shift, F::one())
        }
        Some(Step::Expand { log_src, log_dst, scale, shift }) => {
            (NTT_EXPAND, log_src, scale, shift, F::root_of_unity(log_dst as usize))
        }
        _ => (0, log_rows, F::one(), F::one(), F::one()),
    }
}

/// The self-check's combiners of a call: the input's rows seen on upload, the output's on
/// download ([`crate::verify::ntt::Combiner`]).
pub(super) type Seen<'a, F> = Option<(&'a Combiner<F>, &'a Combiner<F>)>;

pub(super) fn run<F: NttField>(
    gpu: &Gpu,
    steps: &[Step<F>],
    data: &[F],
    width: usize,
    seen: Seen<'_, F>,
) -> Result<Vec<F>> {
    let buf = run_on_device_seen(gpu, steps, data, width, seen.map(|(c, _)| c))?;
    // Zeroed by the allocator (fresh pages), so no pass before the copy.
    let mut reprs = crate::mem::zeroed::<F::Repr>(buf.len())?;
    gpu.download_into_visit(&buf, &mut reprs, seen.map(|(_, c)| c.rows()))?;
    F::decode_vec(reprs)
}

/// [`run`] with the result downloaded into `data`'s own memory (grown for an LDE): no fresh
/// allocation to fault in for a transform. On an error `data`'s contents are unspecified.
pub(super) fn run_in_place<F: NttField>(
    gpu: &Gpu,
    steps: &[Step<F>],
    mut data: Vec<F>,
    width: usize,
    seen: Seen<'_, F>,
) -> Result<Vec<F>> {
    let out = run_on_device_seen(gpu, steps, &data, width, seen.map(|(c, _)| c))?;
    if out.len() > data.len() {
        let more = out.len() - data.len();
        crate::mem::reserve_exact(&mut data, more)?;
        data.resize(out.len(), F::one());
    }
    F::download_into_visit(gpu, &out, &mut data, seen.map(|(_, c)| c.rows()))?;
    Ok(data)
}

/// Runs the plan and leaves the result on the device (device encoding), e.g. for hashing.
/// The input's rows are shown to `seen` (a self-check's combiner) as they are uploaded.
pub(crate) fn run_on_device_seen<F: NttField>(
    gpu: &Gpu,
    steps: &[Step<F>],
    data: &[F],
    width: usize,
    seen: Option<&Combiner<F>>,
) -> Result<DeviceBuffer<F::Repr>> {
    let cur = gpu.upload_visit(&F::encode_slice(data), seen.map(Combiner::rows))?;
    run_resident(gpu, steps, cur, width)
}

/// Runs the plan over rows already on the device (`cur`, consumed: passes may run in place).
#[allow(unsafe_code)] // kernel launches; every buffer's length is checked against its launch
pub(crate) fn run_resident<F: NttField>(
    gpu: &Gpu,
    steps: &[Step<F>],
    mut cur: DeviceBuffer<F::Repr>,
    width: usize,
) -> Result<DeviceBuffer<F::Repr>> {
    let k = F::KERNELS;
    let props = gpu.props();
    let grid = |elems: usize| plan::elementwise(elems as u64, &props).expect("width and height are nonzero");
    let expect_rows = |buf: &DeviceBuffer<F::Repr>, log_rows: u32| -> Result<()> {
        match width.checked_shl(log_rows) {
            Some(len) if len == buf.len() => Ok(()),
            _ => Err(Error::InvalidShape(format!(
                "NTT launch for 2^{log_rows} rows of {width} on a buffer of {} elements",
                buf.len()
            ))),
        }
    };
    let shared_bytes = SHARED_BYTES.min(props.max_dynamic_shared as usize);
    if shared_bytes < 3 * size_of::<F::Repr>() {
        return Err(Error::InvalidLaunch {
            kernel: k.block_pass,
            reason: format!("{shared_bytes} bytes of shared memory cannot hold a butterfly and its twiddle"),
        });
    }
    // Kernels index columns in 32 bits and divide by the width with a FastDiv.
    let width32 = u32::try_from(width).map_err(|_| Error::SizeOverflow(format!("{width} columns for one NTT")))?;
    let wdiv = FastDiv::new(width32);
    // An element-wise grid's stride as whole rows plus a remainder (the kernels' `ntt_walk`).
    let walk = |g: Dim3, b: Dim3| {
        let stride = g.volume() * b.volume();
        (stride / width as u64, (stride % width as u64) as u32)
    };
    for op in launches(steps, width, size_of::<F::Repr>(), shared_bytes) {
        match op {
            Op::Step(step @ (Step::Scale { log_n: log_dst, .. } | Step::Expand { log_dst, .. })) => {
                let (flags, log_src, scale, shift, root) = map_args(Some(step), log_dst);
                expect_rows(&cur, log_src)?;
                let dst = gpu.alloc_uninit::<F::Repr>(width << log_dst)?;
                let (g, b) = grid(width << log_dst);
                let (stride_rows, stride_cols) = walk(g, b);
                let l = Launch::new(k.scale_rows, g, b)
                    .buf(&cur)
                    .buf(&dst)
                    .val(wdiv)
                    .u32(log_src)
                    .u32(log_dst)
                    .val(scale.to_repr())
                    .val(shift.to_repr())
                    .val(root.to_repr())
                    .u32(flags)
                    .u64(stride_rows)
                    .u32(stride_cols);
                // SAFETY: reads 2^log_src rows of `cur`, writes 2^log_dst rows of `dst`.
                unsafe { gpu.launch(&l)? };
                cur = dst;
            }
            Op::Step(Step::Bitrev { log_n }) => {
                expect_rows(&cur, log_n)?;
                let dst = gpu.alloc_uninit::<F::Repr>(width << log_n)?;
                let (g, b) = grid(width << log_n);
                let (stride_rows, stride_cols) = walk(g, b);
                let l = Launch::new(k.bitrev, g, b)
                    .buf(&cur)
                    .buf(&dst)
                    .val(wdiv)
                    .u32(log_n)
                    .u64(stride_rows)
                    .u32(stride_cols);
                // SAFETY: a permutation of 2^log_n rows between two buffers of that size.
                unsafe { gpu.launch(&l)? };
                cur = dst;
            }
            Op::Step(Step::Dif { .. } | Step::Dit { .. }) => unreachable!("merged into block passes"),
            Op::Block { log_n, lo, hi, inverse, dif, tile_cols, map, store_bitrev } => {
                let tw = device_twiddles::<F>(gpu, log_n, inverse)?;
                let (map_flags, log_src, scale, shift, root) = map_args(map.map(|(m, _)| m), log_n);
                expect_rows(&cur, log_src)?;
                let flags = map_flags
                    | if dif { NTT_DIF } else { 0 }
                    | match map {
                        Some((_, MapAt::Load)) => NTT_MAP_LOAD,
                        Some((_, MapAt::Store)) => NTT_MAP_STORE,
                        None => 0,
                    }
                    | if store_bitrev { NTT_STORE_BITREV } else { 0 };
                let vwidth = u32::try_from((width as u64) << lo).map_err(|_| {
                    Error::SizeOverflow(format!("{width} columns × 2^{lo} rows: one NTT pass's row over 2^32 elements"))
                })?;
                let col_tiles = vwidth.div_ceil(tile_cols);
                let blocks = (1u64 << (log_n - hi - 1)) * col_tiles as u64;
                let blocks = u32::try_from(blocks)
                    .map_err(|_| Error::SizeOverflow(format!("{blocks} thread blocks for one NTT pass")))?;
                let rows = 1u32 << (hi - lo + 1);
                let log_tile = tile_cols.trailing_zeros();
                let step = map_step(&op, log_tile);
                let dst = if op.out_of_place() { Some(gpu.alloc_uninit::<F::Repr>(width << log_n)?) } else { None };
                let out = dst.as_ref().unwrap_or(&cur);
                let shared = (padded_rows(rows as usize) as u32 * tile_cols + rows / 2) * size_of::<F::Repr>() as u32;
                let l = Launch::new(k.block_pass, Dim3::x(blocks), Dim3::x(TILE_THREADS))
                    .shared(shared)
                    .buf(&cur)
                    .buf(out)
                    .val(wdiv)
                    .u32(log_n)
                    .u32(lo)
                    .u32(hi)
                    .buf(&tw.table)
                    .u32(tw.log_n)
                    .u32(log_tile)
                    .val(FastDiv::new(col_tiles))
                    .u32(flags)
                    .u32(log_src)
                    .val(scale.to_repr())
                    .val(shift.to_repr())
                    .val(root.to_repr())
                    .val(step.to_repr());
                // SAFETY: `cur` holds 2^log_src rows and `out` 2^log_n rows of `width` (checked
                // above / allocated so); blocks cover rows < 2^log_n and virtual columns <
                // width << lo; shared memory holds padded_rows(rows) × tile_cols plus rows / 2 twiddles
                // (`launches` keeps that within `shared_bytes`); twiddle indices half - 1 + j
                // (j < half ≤ 2^(log_n - 1)) are below 2^log_n - 1 ≤ 2^tw.log_n - 1, the length
                // of the by-level table, since log_n ≤ tw.log_n.
                unsafe { gpu.launch(&l)? };
                if let Some(d) = dst {
                    cur = d;
                }
            }
        }
    }
    Ok(cur)
}

// Flags of `ntt_scale_rows` and `ntt_block_pass` (kernels/ntt/ntt.cuh).
const NTT_EXP_BITREV: u32 = 1;
const NTT_EXPAND: u32 = 2;
const NTT_DIF: u32 = 4;
const NTT_MAP_LOAD: u32 = 8;
const NTT_MAP_STORE: u32 = 16;
const NTT_STORE_BITREV: u32 = 32;

#[cfg(test)]
mod tests {
    use super::super::plan::{coset_lde, transform};
    use super::super::{Direction, Order};
    use super::*;

    fn blocks(ops: &[Op<u32>]) -> usize {
        ops.iter().filter(|o| matches!(o, Op::Block { .. })).count()
    }

    #[test]
    fn large_transforms_take_three_passes() {
        // 2^24 rows of BabyBear, natural in and out: 3 block passes, bit-reversal fused.
        let s = transform::<u32>(24, Direction::Forward, Order::Natural, Order::Natural, Some((1, 3)), None);
        let ops = launches(&s, 64, 4, SHARED_BYTES);
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert!(matches!(ops[0], Op::Block { hi: 23, map: Some((Step::Scale { .. }, MapAt::Load)), .. }));
        assert!(matches!(ops[2], Op::Block { lo: 0, store_bitrev: true, .. }));
        // BN254 Fr (32-byte elements, 2^10 per tile): still 3.
        assert_eq!(launches(&s, 1, 32, SHARED_BYTES).len(), 3);
        // The largest BabyBear height, 2^27: 3 passes of 9.
        let s = transform::<u32>(27, Direction::Inverse, Order::Natural, Order::Natural, None, Some((5, 1)));
        let ops = launches(&s, 1, 4, SHARED_BYTES);
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert!(matches!(ops[2], Op::Block { map: Some((Step::Scale { .. }, MapAt::Store)), store_bitrev: true, .. }));
    }

    #[test]
    fn lde_fuses_the_expand_into_the_first_forward_pass() {
        let ops = launches(&coset_lde::<u32>(20, 1, 5, 7, Order::BitReversed), 64, 4, SHARED_BYTES);
        assert_eq!(blocks(&ops), ops.len(), "{ops:?}");
        assert_eq!(ops.len(), 4);
        assert!(matches!(
            ops[2],
            Op::Block {
                log_n: 21,
                hi: 19,
                map: Some((Step::Expand { log_src: 20, log_dst: 21, .. }, MapAt::Load)),
                ..
            }
        ));
        assert!(ops[2].out_of_place() && !ops[3].out_of_place() && !ops[1].out_of_place());
    }

    #[test]
    fn one_launch_when_a_tile_holds_the_transform() {
        let s = transform::<u32>(11, Direction::Inverse, Order::Natural, Order::Natural, None, Some((5, 1)));
        let ops = launches(&s, 4, 4, SHARED_BYTES);
        assert!(matches!(ops[..], [Op::Block { lo: 0, hi: 10, store_bitrev: true, map: Some((_, MapAt::Store)), .. }]));
        // Height 1: nothing to fuse into.
        let s = transform::<u32>(0, Direction::Forward, Order::Natural, Order::Natural, Some((1, 3)), None);
        assert!(matches!(launches(&s, 4, 4, SHARED_BYTES)[..], [Op::Step(Step::Scale { .. })]));
    }

    #[test]
    fn tiles_stay_within_shared_memory() {
        for log_n in [1, 5, 12, 20, 27] {
            for width in [1usize, 3, 64, 1000] {
                for bytes in [4usize, 32] {
                    let s = transform::<u32>(log_n, Direction::Forward, Order::Natural, Order::Natural, None, None);
                    for op in launches(&s, width, bytes, SHARED_BYTES) {
                        if let Op::Block { lo, hi, tile_cols, .. } = op {
                            let rows = 1usize << (hi - lo + 1);
                            assert!(tile_cols.is_power_of_two());
                            assert!((tile_cols as usize * padded_rows(rows) + rows / 2) * bytes <= SHARED_BYTES);
                            assert!((tile_cols as usize) < 2 * (width << lo), "a tile no wider than needed");
                        }
                    }
                }
            }
        }
    }
}
